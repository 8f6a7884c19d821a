/*
 * strtab.c - an open-addressing string -> pointer table (see strtab.h).
 *
 * Limits: the table doubles when half full; keys are not copied (the
 * caller's strings, e.g. in an arena, must outlive the table); no thread
 * safety for writers, any number of readers once filled.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/strtab.h"

/* FNV-1a: short keys, no adversary who can choose many colliding keys
 * except the registry's own authors. */
static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

bool strtab_init(struct strtab *t, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2 + 1)
		cap *= 2;
	t->keys = calloc(cap, sizeof *t->keys);
	t->vals = calloc(cap, sizeof *t->vals);
	t->mask = cap - 1;
	t->used = 0;
	t->oom = t->keys == NULL || t->vals == NULL;
	return !t->oom;
}

/* Double the table when it is half full. */
static bool strtab_grow(struct strtab *t)
{
	struct strtab n;
	if (!strtab_init(&n, t->mask + 1)) {
		strtab_free(&n);
		return false;
	}
	for (size_t i = 0; i <= t->mask; i++)
		if (t->keys[i] != NULL)
			strtab_put(&n, t->keys[i], t->vals[i]);
	strtab_free(t);
	*t = n;
	return true;
}

const void *strtab_put(struct strtab *t, const char *key, const void *val)
{
	if (t->keys == NULL) {
		t->oom = true;
		return NULL;
	}
	if ((t->used + 1) * 2 > t->mask + 1 && !strtab_grow(t)) {
		t->oom = true;
		return NULL;
	}
	size_t i = str_hash(key) & t->mask;
	while (t->keys[i] != NULL) {
		if (strcmp(t->keys[i], key) == 0)
			return t->vals[i];
		i = (i + 1) & t->mask;
	}
	t->keys[i] = key;
	t->vals[i] = val;
	t->used++;
	return NULL;
}

const void *strtab_get(const struct strtab *t, const char *key)
{
	if (t->keys == NULL)
		return NULL;
	size_t i = str_hash(key) & t->mask;
	while (t->keys[i] != NULL) {
		if (strcmp(t->keys[i], key) == 0)
			return t->vals[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

void strtab_free(struct strtab *t)
{
	free(t->keys);
	free(t->vals);
	t->keys = NULL;
	t->vals = NULL;
}
