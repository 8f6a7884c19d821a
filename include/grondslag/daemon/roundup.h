/*
 * digest.h - the jurists' daily digest of holds close to expiry (issue
 * 5): run from the releaser's periodic pass.
 *
 * A pass does nothing unless ExpiryWarning is not 0, there is a jurist
 * to tell (JuristNotice or Jurist lines), and no digest went out yet this
 * UTC day (notice_digest_due()).  The time of the last digest is found in
 * the record at the first pass (the newest "digest" audit record since
 * the start of the previous UTC day), so a restart never sends a second
 * one the same day.  Then the open holds that expire within ExpiryWarning
 * days (notice_digest_lists()) are read; when there is one, the digest
 * (notice_digest()) is queued for every jurist address with its "digest"
 * record (details: holds, refs, recipients) in ONE transaction, and the
 * notifier is kicked.  When there is none, no mail and no record: a hold
 * that comes close later the same day still gets its digest.
 *
 * Public functions: digest_new(), digest_configure(), digest_free(),
 * digest_pass().
 * Limits: at most 100 holds read per pass (the oldest first: they expire
 * first); NOTICE_JURISTS_MAX addresses.
 */
#ifndef GRONDSLAG_ROUNDUP_H
#define GRONDSLAG_ROUNDUP_H

#include <stddef.h>
#include <time.h>

#include "grondslag/notice/notice.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/store/store.h"

struct digest_setup {
	struct store *store;		/* owned by the caller, outlives us */
	const char *from;		/* NoticeFrom */
	const char *hostname;		/* for Message-ID */
	const char *const *to;		/* the jurists' addresses (copied) */
	size_t nto;
	unsigned expiry_days;		/* HoldExpiry */
	unsigned warning_days;		/* ExpiryWarning; 0: off */
	struct notifier *notifier;	/* kicked after a digest; may be NULL */
};

struct digest;

/* NULL when out of memory. */
struct digest *digest_new(const struct digest_setup *in);
/* New settings from a reload (SIGHUP): addresses, HoldExpiry,
 * ExpiryWarning (0: no more digests), NoticeFrom; the store stays.  Takes
 * effect at the next pass; the time of the last digest is kept, so a
 * reload never brings a second digest the same day. */
void digest_configure(struct digest *d, const struct digest_setup *in);
void digest_free(struct digest *d);
/* One pass at now: 1 a digest was queued, 0 nothing to do, -1 the store
 * could not be read or written (tried again next pass). */
int digest_pass(struct digest *d, time_t now);

#endif
