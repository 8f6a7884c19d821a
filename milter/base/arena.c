/*
 * arena.c - an arena: many small allocations freed at once (see arena.h).
 *
 * Limits: chunks of 64 KiB (larger requests get a chunk of their own);
 * one request at most SIZE_MAX / 2; no thread safety (one owner).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/arena.h"

#define ARENA_CHUNK (64u << 10)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* Zeroed, max-aligned memory that lives as long as the registry. */
void *arena_alloc(struct arena *a, size_t size)
{
	size_t align = _Alignof(max_align_t);
	if (size > SIZE_MAX / 2) {
		a->oom = true;
		return NULL;
	}
	size = (size + align - 1) / align * align;
	if (size == 0)
		size = align;
	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < size) {
		size_t csize = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = calloc(1, sizeof *c + csize);
		if (c == NULL) {
			a->oom = true;
			return NULL;
		}
		c->size = csize;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *d = arena_alloc(a, len + 1);
	if (d != NULL)
		memcpy(d, s, len + 1);
	return d;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c != NULL) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
}
