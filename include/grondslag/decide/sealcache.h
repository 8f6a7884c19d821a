/*
 * sealcache.h - which of a party's registered keys can be encrypted to,
 * remembered for one registry snapshot: the key check of relay
 * encryption (seal_keys_usable(): a throwaway GnuPG home, the import and
 * the listing, tens of milliseconds) runs once per party and day instead
 * of once per message.
 *
 * The answer is kept while it can be true: on the UTC day it was found
 * and before the first moment one of the usable keys (or the subkey it
 * encrypts with) expires.  Past either, the next message checks again.
 * "No usable key" of a party with keys is not kept either: one of them
 * may become valid later that day (its creation time reached).
 * Errors are never kept (the next message checks again), and an answer
 * that cannot be kept (the cache full) is simply not kept: every miss
 * means "check now", never "usable".  The registry's keys cannot change
 * under a snapshot (a new registry is a new snapshot with a new cache),
 * and revocation is part of the registered certificate, so only time
 * changes the answer.
 *
 * The GnuPG home the check made (the party's keys imported) is kept with
 * the answer and encrypts the messages to that party (seal.h,
 * seal_home_*: a GPGME context per encryption, several reading the one
 * home at once); it is removed when its answer is replaced or the
 * snapshot goes.  An encryption that fails in it drops it and encrypts
 * that message in a home of its own, as without a cache.
 *
 * Thread-safe: one mutex around the table; the check itself runs outside
 * it (two threads missing together both check, and both answers agree).
 *
 * Public functions: seal_cache_new(), seal_cache_free(),
 * seal_cache_usable(), seal_cache_ciphertext(), seal_cache_checks().
 * Limits: SEAL_CACHE_MAX parties remembered per snapshot.
 */
#ifndef GRONDSLAG_SEALCACHE_H
#define GRONDSLAG_SEALCACHE_H

#include <stddef.h>
#include <time.h>

#include "grondslag/decide/registry.h"
#include "grondslag/decide/seal.h"

#define SEAL_CACHE_MAX 4096

struct seal_cache;

/* An empty cache; NULL out of memory. */
struct seal_cache *seal_cache_new(void);
void seal_cache_free(struct seal_cache *c);

/* seal_keys_usable() for party p at time now, answered from c when the
 * answer kept is still true, else checked (GnuPG home under tmpdir) and
 * kept.  0 with *usable, or -1 + err (nothing kept).  c NULL: checked. */
int seal_cache_usable(struct seal_cache *c, const struct registry_party *p, const char *tmpdir,
		      time_t now, size_t *usable, char *err, size_t errlen);

/* seal_ciphertext() for party p at time now, in the home kept with the
 * answer (made and kept when there is none); c NULL or a failure there:
 * in a home of its own.  0, or -1 + err. */
int seal_cache_ciphertext(struct seal_cache *c, const struct registry_party *p,
			  const char *tmpdir, time_t now, const char *msg, size_t len,
			  char boundary[SEAL_BOUNDARY_MAX], char **asc, size_t *asclen, char *fprs,
			  size_t fprslen, char *err, size_t errlen);

/* How many checks ran through GnuPG (misses), for tests and benches. */
unsigned long seal_cache_checks(struct seal_cache *c);

#endif
