/*
 * dynlib.h - a shared library loaded with dlopen() on first use, its
 * functions looked up by name into a table of function pointers.
 *
 * Why: a library linked into a program is mapped and bound at every
 * start of it, with everything it links in turn.  The libraries only
 * some runs need (libpq for a PostgreSQL store; libarchive and libgsf for
 * archives and legacy Office files, which bring libxml2, ICU and the C++
 * runtime) are loaded when first needed instead; the daemon loads them
 * at its start, so a host without one refuses to start, never fails on
 * the first message that needs it.
 *
 * The caller describes the library (struct dynlib: sonames, names of the
 * functions and where each goes in its table, what to tell an operator
 * when it is missing) and calls dynlib_load() before using the table.
 * Nothing is half loaded: the table is filled only once every function
 * was found, a library lacking one is closed again.  A loaded library
 * is never unloaded (libraries below libpq and GLib keep handlers and
 * threads' data for the life of the process).
 *
 * Public functions: dynlib_load(), dynlib_loaded().
 */
#ifndef GRONDSLAG_DYNLIB_H
#define GRONDSLAG_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One function: its name in the library, its place in the table. */
struct dynlib_sym {
	const char *name;
	size_t offset;
};

struct dynlib {
	const char *what;		/* "the PostgreSQL client library" */
	const char *need;		/* "a PostgreSQL store needs the package libpq5" */
	const struct dynlib_sym *syms;
	size_t nsyms;
	void *table;			/* nsyms function pointers, filled by the load */
	pthread_mutex_t lock;		/* PTHREAD_MUTEX_INITIALIZER */
	bool loaded;			/* under lock; never false again once true */
};

/* Load soname (once per struct, safe from any thread) and fill the
 * table: 0, or -1 with why saying which library could not be loaded or
 * which function it lacks, then d->need.  A failed load is tried again
 * by the next call; once one succeeded, every call succeeds at once
 * whatever soname it names. */
int dynlib_load(struct dynlib *d, const char *soname, char *why, size_t whylen);

/* Whether d was loaded (its table may be used without a load). */
bool dynlib_loaded(struct dynlib *d);

#endif
