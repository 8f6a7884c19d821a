/*
 * sealcache.c - the relay encryption key check remembered per snapshot
 * (sealcache.h).
 *
 * Public functions: seal_cache_new(), seal_cache_free(),
 * seal_cache_usable(), seal_cache_ciphertext(), seal_cache_checks().
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
	struct seal_home *home;	/* its keys imported, for encryption; NULL: none */
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
	for (size_t i = 0; i < c->n; i++)
		seal_home_unref(c->e[i].home);
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

/* Keep the answer for p (locked), with a reference to home; not kept
 * when full or out of memory.  The home it replaces, to unref unlocked. */
static struct seal_home *keep(struct seal_cache *c, const struct registry_party *p, long day,
			      time_t until, size_t usable, struct seal_home *home)
{
	struct seal_entry *e = find(c, p);
	if (e == NULL) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 16;
			struct seal_entry *ne = cap <= SEAL_CACHE_MAX ?
						realloc(c->e, cap * sizeof *ne) : NULL;
			if (ne == NULL)
				return NULL;
			c->e = ne;
			c->cap = cap;
		}
		e = &c->e[c->n++];
		e->home = NULL;
	}
	struct seal_home *old = e->home;
	*e = (struct seal_entry){.party = p, .day = day, .until = until, .usable = usable,
				 .home = seal_home_ref(home)};
	return old;
}

/* The answer for p at now and its home (a reference for the caller,
 * NULL for a party without keys): kept, or checked and kept.  0, or -1 +
 * err (nothing kept). */
static int entry_get(struct seal_cache *c, const struct registry_party *p, const char *tmpdir,
		     time_t now, size_t *usable, struct seal_home **home, char *err, size_t errlen)
{
	long day = utc_day(now);
	*home = NULL;
	if (c != NULL) {
		pthread_mutex_lock(&c->lock);
		const struct seal_entry *e = find(c, p);
		bool hit = e != NULL && e->day == day && (e->until == 0 || now < e->until);
		if (hit) {
			*usable = e->usable;
			*home = seal_home_ref(e->home);
		} else {
			c->checks++;
		}
		pthread_mutex_unlock(&c->lock);
		if (hit)
			return 0;
	}
	*usable = 0;
	time_t until = 0;
	if (p->nopenpgp > 0) {
		*home = seal_home_open(p, tmpdir, err, errlen);
		if (*home == NULL)
			return -1;
		*usable = seal_home_usable(*home);
		until = seal_home_until(*home);
		if (*usable == 0) {	/* nothing to encrypt to: no home kept */
			seal_home_unref(*home);
			*home = NULL;
		}
	}
	/* a party with keys of which none is usable now is asked again next
	 * time: a key made valid later today (its creation time reached, a
	 * clock put right) is used from then on, not from midnight */
	if (c != NULL && (p->nopenpgp == 0 || *usable > 0)) {
		pthread_mutex_lock(&c->lock);
		struct seal_home *old = keep(c, p, day, until, *usable, *home);
		pthread_mutex_unlock(&c->lock);
		seal_home_unref(old);
	}
	return 0;
}

/* Drop the entry of p when it still holds home (its encryption failed:
 * the next message makes a new one). */
static void forget(struct seal_cache *c, const struct registry_party *p, struct seal_home *home)
{
	struct seal_home *old = NULL;
	pthread_mutex_lock(&c->lock);
	struct seal_entry *e = find(c, p);
	if (e != NULL && e->home == home) {
		old = e->home;
		*e = c->e[--c->n];
	}
	pthread_mutex_unlock(&c->lock);
	seal_home_unref(old);
}

int seal_cache_usable(struct seal_cache *c, const struct registry_party *p, const char *tmpdir,
		      time_t now, size_t *usable, char *err, size_t errlen)
{
	struct seal_home *home = NULL;
	int rc = entry_get(c, p, tmpdir, now, usable, &home, err, errlen);
	seal_home_unref(home);
	return rc;
}

int seal_cache_ciphertext(struct seal_cache *c, const struct registry_party *p,
			  const char *tmpdir, time_t now, const char *msg, size_t len,
			  char boundary[SEAL_BOUNDARY_MAX], char **asc, size_t *asclen, char *fprs,
			  size_t fprslen, char *err, size_t errlen)
{
	struct seal_home *home = NULL;
	size_t usable = 0;
	if (c != NULL && entry_get(c, p, tmpdir, now, &usable, &home, err, errlen) == 0 &&
	    home != NULL && usable > 0) {
		int rc = seal_home_ciphertext(home, p, msg, len, boundary, asc, asclen, fprs, fprslen,
					      err, errlen);
		if (rc == 0) {
			seal_home_unref(home);
			return 0;
		}
		/* the kept home failed (removed under us?): not kept any more,
		 * and this message encrypted in a home of its own */
		forget(c, p, home);
	}
	seal_home_unref(home);
	return seal_ciphertext(p, tmpdir, msg, len, boundary, asc, asclen, fprs, fprslen, err,
			       errlen);
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
