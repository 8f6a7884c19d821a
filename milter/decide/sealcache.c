/*
 * sealcache.c - the relay encryption key check remembered per snapshot
 * (sealcache.h).
 *
 * Public functions: seal_cache_new(), seal_cache_free(),
 * seal_cache_usable(), seal_cache_checks().
 * Limits: SEAL_CACHE_MAX entries, a linear table (a snapshot asks about
 * the few parties whose basis requires encryption).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "grondslag/decide/seal.h"
#include "grondslag/decide/sealcache.h"

struct seal_entry {
	const struct registry_party *party;
	long day;		/* UTC day the answer was found */
	time_t until;		/* first expiry among the usable keys; 0: none */
	size_t usable;
};

struct seal_cache {
	pthread_mutex_t lock;
	struct seal_entry *e;
	size_t n, cap;
	unsigned long checks;
};

struct seal_cache *seal_cache_new(void)
{
	struct seal_cache *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c);
		return NULL;
	}
	return c;
}

void seal_cache_free(struct seal_cache *c)
{
	if (c == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->e);
	free(c);
}

static long utc_day(time_t t)
{
	return (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

/* The entry of p (locked), or NULL. */
static struct seal_entry *find(struct seal_cache *c, const struct registry_party *p)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].party == p)
			return &c->e[i];
	return NULL;
}

/* Keep the answer for p (locked); not kept when full or out of memory. */
static void keep(struct seal_cache *c, const struct registry_party *p, long day, time_t until,
		 size_t usable)
{
	struct seal_entry *e = find(c, p);
	if (e == NULL) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			struct seal_entry *ne = cap <= SEAL_CACHE_MAX ?
						realloc(c->e, cap * sizeof *ne) : NULL;
			if (ne == NULL)
				return;
			c->e = ne;
			c->cap = cap;
		}
		e = &c->e[c->n++];
	}
	*e = (struct seal_entry){.party = p, .day = day, .until = until, .usable = usable};
}

int seal_cache_usable(struct seal_cache *c, const struct registry_party *p, const char *tmpdir,
		      time_t now, size_t *usable, char *err, size_t errlen)
{
	long day = utc_day(now);
	if (c != NULL) {
		pthread_mutex_lock(&c->lock);
		const struct seal_entry *e = find(c, p);
		bool hit = e != NULL && e->day == day && (e->until == 0 || now < e->until);
		if (hit)
			*usable = e->usable;
		else
			c->checks++;
		pthread_mutex_unlock(&c->lock);
		if (hit)
			return 0;
	}
	time_t until = 0;
	if (seal_keys_check(p, tmpdir, usable, &until, err, errlen) != 0)
		return -1;
	if (c != NULL) {
		pthread_mutex_lock(&c->lock);
		keep(c, p, day, until, *usable);
		pthread_mutex_unlock(&c->lock);
	}
	return 0;
}

unsigned long seal_cache_checks(struct seal_cache *c)
{
	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->lock);
	unsigned long n = c->checks;
	pthread_mutex_unlock(&c->lock);
	return n;
}
