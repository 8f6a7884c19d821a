/*
 * strtab.h - an open-addressing string -> pointer table (FNV-1a), for
 * lookups that do not depend on the number of entries.  Keys are not
 * copied.
 *
 * Public functions: strtab_init(), strtab_put(), strtab_get(),
 * strtab_free().
 * Limits: doubles when half full; a failed insert sets oom (the owner
 * must then fail what it was building).
 */
#ifndef GRONDSLAG_STRTAB_H
#define GRONDSLAG_STRTAB_H

#include <stdbool.h>
#include <stddef.h>

struct strtab {
	const char **keys;
	const void **vals;
	size_t mask, used;
	bool oom;		/* an insert failed: the load must fail */
};

/* Room for expected keys without growing; false (and oom) without memory. */
bool strtab_init(struct strtab *t, size_t expected);
/* Insert; returns the existing value instead when key is present (and
 * inserts nothing), NULL after a fresh insert or a failure (t->oom). */
const void *strtab_put(struct strtab *t, const char *key, const void *val);
const void *strtab_get(const struct strtab *t, const char *key);
void strtab_free(struct strtab *t);

#endif
