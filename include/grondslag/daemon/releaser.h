/*
 * releaser.h - the daemon's releaser: one thread that carries
 * out what the jurists decided.
 *
 * Each pass, in this order:
 *   1. attempts left unfinished (a restart mid-release): the relay
 *      process's receipt is recorded as below (relayproc.h: the process
 *      outlives the daemon); without one, a copy the milter let pass is
 *      "unknown" (never sent again, raised to the admins) and any other
 *      attempt is made void and retried;
 *   2. holds older than HoldExpiry days that nobody decided are expired
 *      (state machine "expire", record, the sender's notice);
 *   3. holds with approved recipients whose next attempt is due: the
 *      stored original plus the HeaderName-Release token header (see
 *      release.h) is sent to ReleaseRelay with the original envelope
 *      sender and only the approved recipients, by a relay process
 *      (relayproc.h).  The relay's 250 with its queue id for a copy whose
 *      token passed the milter completes the release (record "release",
 *      the sender's notice); a 250 for a copy the milter never saw is
 *      "unconfirmed" (LOG_ERR, shown by held, never sent again); anything
 *      else is a failed attempt, even when the milter saw the copy
 *      ("release-failed", the recipients stay approved and visible in
 *      held, retry with a new token after a backoff of ReleaseRetry
 *      seconds doubling to an hour).  The stored message's SHA-256 is
 *      checked first: a mismatch refuses the release (store.h,
 *      store_hold_message_checked);
 *   4. the jurists' daily roundup of holds close to expiry, when one is
 *      due (roundup.h; after step 2, so an expired hold is not listed).
 * It wakes when kicked (the last approval was given), at least every
 * min(RELEASER_POLL_SECONDS, ReleaseRetry) seconds otherwise.
 *
 * Public functions:
 *   releaser_new(), releaser_free()   (free stops the thread and gives up
 *                                     the expiry lease it holds: call it
 *                                     before the store is closed)
 *   releaser_pass()                   one pass at a given time (tests)
 *   releaser_start(), releaser_kick()
 *   releaser_counts()                 released / failed / expired so far
 *   releaser_source()                 the source address of a release
 */
#ifndef GRONDSLAG_RELEASER_H
#define GRONDSLAG_RELEASER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/daemon/roundup.h"
#include "grondslag/base/ipaddr.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/decide/release.h"
#include "grondslag/daemon/smtpc.h"
#include "grondslag/store/store.h"

#define RELEASER_POLL_SECONDS 30
/* The lease (store_lease_take()) of the expiry and the digest: renewed
 * every pass, so it lapses only when its relay stops passing. */
#define RELEASER_LEASE_JOB "expiry"
#define RELEASER_LEASE_TTL (3 * RELEASER_POLL_SECONDS)
#define RELEASER_SMTP_TIMEOUT 60

/* Sends one message (as smtpc_send(), or -1: the outcome is lost, as
 * when the relay process dies after the relay's reply; tests put a fake
 * relay here). */
struct releaser_relay {
	int (*send)(void *arg, const char *from, const char *const *rcpts, size_t nrcpts,
		    const char *data, size_t len, struct smtpc_result *res);
	void *arg;
};

struct releaser_setup {
	struct store *store;		/* owned by the caller, outlives us */
	unsigned char key[RELEASE_KEY_LEN];
	const char *relay;		/* ReleaseRelay HOST:PORT; NULL or "":
					 * none, approved holds wait while
					 * expiry and the digest go on (not
					 * used with a fake relay) */
	const char *helo;		/* our host name */
	const char *notice_from;	/* NoticeFrom */
	const char *header_name;	/* HeaderName, e.g. X-Grondslag */
	const char *spool_dir;		/* SpoolDirectory: the relay process's
					 * copy and receipt (not used with a
					 * fake relay) */
	unsigned expiry_days;		/* HoldExpiry */
	unsigned retry_base;		/* ReleaseRetry, seconds */
	struct notifier *notifier;	/* kicked after a notice; may be NULL */
	struct releaser_relay fake;	/* send NULL: smtpc_send to relay */
	struct roundup *roundup;	/* step 4; may be NULL; owned by the
					 * caller, outlives us */
	/* Relay encryption of the copy (seal.h), asked before the token is
	 * made: 0 send msg as it is, 1 send *out (malloc'ed) instead, -1 +
	 * err do not send now (no usable key, a GPGME error: the hold stays
	 * approved and is tried again next pass, never sent as plaintext).
	 * With 1 the party in sealed_for and the keys' fingerprints in fprs
	 * (comma-separated), for the release-started record.  summary: the
	 * hold's summary_json (what the milter recorded).  NULL: never. */
	int (*seal)(void *arg, const char *const *rcpts, size_t n, const char *summary,
		    const char *msg, size_t len, char **out, size_t *outlen, char *sealed_for,
		    size_t sflen, char *fprs, size_t fprslen, char *err, size_t errlen);
	void *seal_arg;
};

struct releaser;

/* What a reload (SIGHUP) may change while the releaser runs. */
struct releaser_config {
	const char *relay;		/* ReleaseRelay HOST:PORT, "" none from
					 * now on; NULL: unchanged */
	unsigned expiry_days;		/* HoldExpiry; 0: unchanged */
	unsigned retry_base;		/* ReleaseRetry; 0: unchanged */
	struct roundup *roundup;	/* NULL: none from now on */
};

/* NULL + err (relay neither empty nor HOST:PORT, out of memory). */
struct releaser *releaser_new(const struct releaser_setup *in, char *err, size_t errlen);
/* One pass at now; the number of releases, failures and expiries acted
 * on (plus 1 for a roundup queued), or -1 when the store could not be
 * read. */
int releaser_pass(struct releaser *r, time_t now);
int releaser_start(struct releaser *r, char *err, size_t errlen);
void releaser_kick(struct releaser *r);
/* New settings, taken at the start of the next pass (a release in
 * progress finishes through the old relay).  -1 + err when relay is not
 * HOST:PORT (then nothing changes). */
int releaser_configure(struct releaser *r, const struct releaser_config *c, char *err,
		       size_t errlen);
void releaser_free(struct releaser *r);
void releaser_counts(const struct releaser *r, uint64_t *released, uint64_t *failed,
		     uint64_t *expired);

/* The address the releaser's copies leave from towards relay (HOST:PORT),
 * as the relay's milter will see it: 0, or -1 and err. */
int releaser_source(const char *relay, struct ip_addr *out, char *err, size_t errlen);

#endif
