/*
 * strtab.c - the string-keyed hash table (see strtab.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/strtab.h"

/* FNV-1a, its high bits folded in: the slot is taken from the low bits,
 * which FNV's multiplication alone mixes least. */
static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

/* The slot of key in t, or the empty slot where it would go (there is
 * always one: the table is never more than half full). */
static size_t slot(const struct strtab *t, const char *key)
{
	size_t i = str_hash(key) & t->mask;
	while (t->keys[i] != NULL && strcmp(t->keys[i], key) != 0)
		i = (i + 1) & t->mask;
	return i;
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
	if (t->keys == NULL && (t->oom || !strtab_init(t, 0))) {
		t->oom = true;
		return NULL;
	}
	if ((t->used + 1) * 2 > t->mask + 1 && !strtab_grow(t)) {
		t->oom = true;
		return NULL;
	}
	size_t i = slot(t, key);
	if (t->keys[i] != NULL)
		return t->vals[i];
	t->keys[i] = key;
	t->vals[i] = val;
	t->used++;
	return NULL;
}

const void *strtab_get(const struct strtab *t, const char *key)
{
	if (t->keys == NULL)
		return NULL;
	return t->vals[slot(t, key)];
}

void strtab_free(struct strtab *t)
{
	free(t->keys);
	free(t->vals);
	t->keys = NULL;
	t->vals = NULL;
	t->mask = t->used = 0;
}

void strtab_free_keys(struct strtab *t)
{
	for (size_t i = 0; t->keys != NULL && i <= t->mask; i++)
		free((void *)t->keys[i]);
	strtab_free(t);
}
