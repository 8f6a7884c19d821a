/*
 * roundup.h - the jurists' daily roundup of holds close to expiry, so
 * that none expires unseen: run from the releaser's periodic pass.
 *
 * "Roundup" in the code, so that "digest" there means a hash only.  What
 * the roundup writes keeps the word "digest": the outbox kind and the
 * audit event of stored records, the X-Grondslag-Notice value jurists
 * filter on, the log lines and the mail's text (documented in jurists.md
 * and operations.md; records written before stay readable).
 *
 * A pass does nothing unless ExpiryWarning is not 0, there is a jurist
 * to tell (JuristNotice or Jurist lines), and no roundup went out yet this
 * UTC day (notice_roundup_due()).  The time of the last roundup is found in
 * the record at the first pass (the newest "digest" audit record since
 * the start of the previous UTC day), so a restart never sends a second
 * one the same day.  Then the open holds that expire within ExpiryWarning
 * days (notice_roundup_lists()) are read; when there is one, the roundup
 * (notice_roundup()) is queued for every jurist address with its "digest"
 * record (details: holds, refs, recipients) in ONE transaction, and the
 * notifier is kicked.  When there is none, no mail and no record: a hold
 * that comes close later the same day still gets its roundup.
 *
 * Public functions: roundup_new(), roundup_configure(), roundup_free(),
 * roundup_pass().
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

struct roundup_setup {
	struct store *store;		/* owned by the caller, outlives us */
	const char *from;		/* NoticeFrom */
	const char *hostname;		/* for Message-ID */
	const char *const *to;		/* the jurists' addresses (copied) */
	size_t nto;
	unsigned expiry_days;		/* HoldExpiry */
	unsigned warning_days;		/* ExpiryWarning; 0: off */
	struct notifier *notifier;	/* kicked after a roundup; may be NULL */
};

struct roundup;

/* NULL when out of memory. */
struct roundup *roundup_new(const struct roundup_setup *in);
/* New settings from a reload (SIGHUP): addresses, HoldExpiry,
 * ExpiryWarning (0: no more roundups), NoticeFrom; the store stays.  Takes
 * effect at the next pass; the time of the last roundup is kept, so a
 * reload never brings a second roundup the same day. */
void roundup_configure(struct roundup *d, const struct roundup_setup *in);
void roundup_free(struct roundup *d);
/* One pass at now: 1 a roundup was queued, 0 nothing to do, -1 the store
 * could not be read or written (tried again next pass). */
int roundup_pass(struct roundup *d, time_t now);

#endif
