/*
 * arena.h - an arena: zeroed, max-aligned allocations that live until
 * the arena is freed, all at once (a registry snapshot owns every string
 * and array it holds in one).
 *
 * Public functions: arena_alloc(), arena_strdup(), arena_free().
 * Limits: 64 KiB chunks; a failed allocation sets oom (the owner checks
 * it once at the end instead of after every call).
 */
#ifndef GRONDSLAG_ARENA_H
#define GRONDSLAG_ARENA_H

#include <stdbool.h>
#include <stddef.h>

struct arena_chunk;
/* Start from a zeroed struct arena: no call needed. */
struct arena {
	struct arena_chunk *head;
	bool oom;		/* an allocation failed */
};

void *arena_alloc(struct arena *a, size_t size);	/* zeroed, aligned; NULL + oom */
char *arena_strdup(struct arena *a, const char *s);
void arena_free(struct arena *a);

#endif
