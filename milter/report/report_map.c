/*
 * report_map.c - the counting table of the report: a string-keyed hash
 * table (open addressing, FNV-1a, linear probing, doubled at half load)
 * whose entries hold the counters of one group (a sender, a party, a
 * register line).
 *
 * Why not SQL GROUP BY: SQLite groups by sorting, and sorting a million
 * rows by text keys costs seconds; one scan of the rows with this table
 * costs a fraction of that (see report.h).
 *
 * Public functions (report_priv.h): report_map_get(), report_map_free().
 * Limit: at most m->max entries (set by the caller); past it
 * report_map_get() returns NULL for a new key and sets m->full, and the
 * caller counts the row under "other".
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* FNV-1a over len bytes, then a final mix: the multiplication of FNV
 * carries only upwards, so its low bits (the slot) alone would cluster. */
static uint64_t hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* Double the table (or make the first one). */
static int grow(struct report_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 256;
	struct report_map_entry *slots = calloc(cap, sizeof *slots);
	if (slots == NULL)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		struct report_map_entry *e = &m->slots[i];
		if (e->key == NULL)
			continue;
		size_t j = (size_t)hash(e->key, e->klen) & (cap - 1);
		while (slots[j].key != NULL)
			j = (j + 1) & (cap - 1);
		slots[j] = *e;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

struct report_map_entry *report_map_get(struct report_map *m, const char *key, size_t len)
{
	if (m->cap == 0 && grow(m) != 0)
		return NULL;
	size_t i = (size_t)hash(key, len) & (m->cap - 1);
	for (; m->slots[i].key != NULL; i = (i + 1) & (m->cap - 1)) {
		struct report_map_entry *e = &m->slots[i];
		if (e->klen == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	if (m->max > 0 && m->n >= m->max) {
		m->full = true;
		return NULL;
	}
	if ((m->n + 1) * 2 > m->cap) {
		if (grow(m) != 0)
			return NULL;
		return report_map_get(m, key, len);	/* once: the table now has room */
	}
	struct report_map_entry *e = &m->slots[i];
	memset(e, 0, sizeof *e);
	e->key = malloc(len + 1);
	if (e->key == NULL)
		return NULL;
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->klen = len;
	e->first = INT64_MAX;
	e->last = INT64_MIN;
	m->n++;
	return e;
}

void report_map_free(struct report_map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}
