/*
 * strtab.h - the string-keyed hash table: open addressing, FNV-1a,
 * linear probing, doubled at half load.
 *
 * Why FNV-1a without a secret seed: the keys are short (ids, domains,
 * addresses) and come from files an operator or a jurist loads (the
 * registry, an imported team directory), not from mail an adversary
 * sends, so nobody can choose many colliding keys but the files' authors.
 *
 * The table maps a string to a pointer; it neither copies nor frees the
 * keys (they live in the caller's arena) unless the caller hands them
 * over with strtab_free_keys().  A zeroed table is an empty one;
 * strtab_init() sizes it for an expected count.  A failed allocation
 * latches t->oom, so a loader checks once at the end.
 *
 * Public functions: strtab_init(), strtab_put(), strtab_get(),
 * strtab_free(), strtab_free_keys().
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

/* Size t for about expected keys; false (and t->oom) without memory. */
bool strtab_init(struct strtab *t, size_t expected);
/* Insert; returns the existing value instead when key is present (and
 * inserts nothing), NULL after a fresh insert or a failure (t->oom).
 * val must not be NULL. */
const void *strtab_put(struct strtab *t, const char *key, const void *val);
/* The value of key, NULL when absent. */
const void *strtab_get(const struct strtab *t, const char *key);
/* Free the table (not the keys); t is then empty. */
void strtab_free(struct strtab *t);
/* Free the table and every key in it (keys the caller malloc'ed). */
void strtab_free_keys(struct strtab *t);

#endif
