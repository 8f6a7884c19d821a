/*
 * dynlib.c - a shared library loaded on first use (see dynlib.h).
 *
 * Public functions: dynlib_load(), dynlib_loaded().
 * Limits: none of its own.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "grondslag/base/dynlib.h"

/* The table is filled from dlsym()'s void * (POSIX guarantees that code
 * pointers have the same representation). */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym() needs code pointers as wide as void *");

/* The first of d's functions h lacks, or NULL when it has them all. */
static const char *first_missing(const struct dynlib *d, void *h)
{
	for (size_t i = 0; i < d->nsyms; i++)
		if (dlsym(h, d->syms[i].name) == NULL)
			return d->syms[i].name;
	return NULL;
}

int dynlib_load(struct dynlib *d, const char *soname, char *why, size_t whylen)
{
	int rc = 0;
	pthread_mutex_lock(&d->lock);
	if (d->loaded)
		goto out;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(why, whylen, "cannot load %s %s (%s): %s", d->what, soname,
			 e ? e : "unknown error", d->need);
		rc = -1;
		goto out;
	}
	const char *missing = first_missing(d, h);
	if (missing != NULL) {
		snprintf(why, whylen, "%s %s has no function %s: %s", d->what, soname, missing,
			 d->need);
		dlclose(h);
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < d->nsyms; i++) {
		void *f = dlsym(h, d->syms[i].name);
		memcpy((char *)d->table + d->syms[i].offset, &f, sizeof f);
	}
	d->loaded = true;
out:
	pthread_mutex_unlock(&d->lock);
	return rc;
}

bool dynlib_loaded(struct dynlib *d)
{
	pthread_mutex_lock(&d->lock);
	bool l = d->loaded;
	pthread_mutex_unlock(&d->lock);
	return l;
}
