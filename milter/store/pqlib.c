/*
 * pqlib.c - libpq, loaded with dlopen() when the first PostgreSQL store
 * is opened (pqlib.h says why), its functions looked up one by one.
 *
 * Public functions (to db_pg.c): pqlib_load(), pqlib_load_soname().
 * Nothing is half loaded: the table is published only once every
 * function was found, a library lacking one is closed again, and a
 * missing library is an error of the store's open (the CLI says it and
 * exits 1, the daemon does not start) - never a crash on first use.
 * The library is never unloaded: OpenSSL and Kerberos, below it, keep
 * handlers and threads' data that must outlive any connection.
 * Limits: none of its own.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pqlib.h"

const struct pqlib *pqlib;

static struct pqlib table;
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* Each entry of struct pqlib and libpq's name for it. */
static const struct {
	const char *name;
	size_t offset;
} symbols[] = {
	{"PQcancel", offsetof(struct pqlib, cancel)},
	{"PQclear", offsetof(struct pqlib, clear)},
	{"PQcmdStatus", offsetof(struct pqlib, cmd_status)},
	{"PQcmdTuples", offsetof(struct pqlib, cmd_tuples)},
	{"PQconnectdbParams", offsetof(struct pqlib, connectdb_params)},
	{"PQconsumeInput", offsetof(struct pqlib, consume_input)},
	{"PQerrorMessage", offsetof(struct pqlib, error_message)},
	{"PQexec", offsetof(struct pqlib, exec)},
	{"PQexecParams", offsetof(struct pqlib, exec_params)},
	{"PQfinish", offsetof(struct pqlib, finish)},
	{"PQfreeCancel", offsetof(struct pqlib, free_cancel)},
	{"PQfreemem", offsetof(struct pqlib, freemem)},
	{"PQgetCancel", offsetof(struct pqlib, get_cancel)},
	{"PQgetResult", offsetof(struct pqlib, get_result)},
	{"PQgetisnull", offsetof(struct pqlib, getisnull)},
	{"PQgetlength", offsetof(struct pqlib, getlength)},
	{"PQgetvalue", offsetof(struct pqlib, getvalue)},
	{"PQisBusy", offsetof(struct pqlib, is_busy)},
	{"PQmakeEmptyPGresult", offsetof(struct pqlib, make_empty_pgresult)},
	{"PQnfields", offsetof(struct pqlib, nfields)},
	{"PQntuples", offsetof(struct pqlib, ntuples)},
	{"PQreset", offsetof(struct pqlib, reset)},
	{"PQresultErrorField", offsetof(struct pqlib, result_error_field)},
	{"PQresultErrorMessage", offsetof(struct pqlib, result_error_message)},
	{"PQresultStatus", offsetof(struct pqlib, result_status)},
	{"PQsendQuery", offsetof(struct pqlib, send_query)},
	{"PQsetNoticeReceiver", offsetof(struct pqlib, set_notice_receiver)},
	{"PQsocket", offsetof(struct pqlib, socket)},
	{"PQstatus", offsetof(struct pqlib, status)},
	{"PQtransactionStatus", offsetof(struct pqlib, transaction_status)},
	{"PQunescapeBytea", offsetof(struct pqlib, unescape_bytea)},
};

/* Every entry of the table is a function pointer filled from a void *
 * (POSIX guarantees the two have the same representation), and the
 * table has one entry per name above: no member left NULL. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym() needs code pointers as wide as void *");
_Static_assert(sizeof symbols / sizeof symbols[0] * sizeof(void *) == sizeof(struct pqlib),
	       "struct pqlib and symbols[] name the same functions");

/* Fill t from the library handle h: NULL, or the first name missing. */
static const char *resolve(void *h, struct pqlib *t)
{
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		void *f = dlsym(h, symbols[i].name);
		if (f == NULL)
			return symbols[i].name;
		memcpy((char *)t + symbols[i].offset, &f, sizeof f);
	}
	return NULL;
}

int pqlib_load_soname(const char *soname, char *why, size_t whylen)
{
	int rc = 0;
	pthread_mutex_lock(&load_lock);
	if (pqlib != NULL)
		goto out;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(why, whylen, "cannot load the PostgreSQL client library %s (%s): a"
				      " PostgreSQL store needs the package libpq5", soname,
			 e ? e : "unknown error");
		rc = -1;
		goto out;
	}
	struct pqlib t;
	const char *missing = resolve(h, &t);
	if (missing != NULL) {
		snprintf(why, whylen, "the PostgreSQL client library %s has no function %s: a"
				      " PostgreSQL store needs libpq5 (libpq.so.5)", soname, missing);
		dlclose(h);
		rc = -1;
		goto out;
	}
	table = t;
	pqlib = &table;
out:
	pthread_mutex_unlock(&load_lock);
	return rc;
}

int pqlib_load(char *why, size_t whylen)
{
	return pqlib_load_soname(PQLIB_SONAME, why, whylen);
}
