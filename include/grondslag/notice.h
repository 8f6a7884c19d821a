/*
 * notice.h - the texts of the notices grondslag sends: to the sender when
 * mail is held (later also on release, deny and expiry) and to the
 * jurists.  A notice names the reference, the held recipients, the reasons
 * and the jurist's sentence of each decision; it never carries the
 * addresses found nor any content of the message.
 *
 * Public functions:
 *   notice_hold()   RFC 5322 text of the hold notice (malloc'ed)
 */
#ifndef GRONDSLAG_NOTICE_H
#define GRONDSLAG_NOTICE_H

#include <stddef.h>
#include <time.h>

#include "grondslag/store.h"

struct notice_hold_info {
	const char *from;		/* NoticeFrom, e.g. grondslag@ncsc.nl */
	const char *to;			/* the envelope sender of the held mail */
	const char *ref;		/* hold reference */
	const char *queue_id;		/* MTA queue id, may be "" */
	const char *subject;		/* of the held mail, bounded, may be "" */
	const char *hostname;		/* for Message-ID */
	time_t when;
	const struct store_hold_rcpt *rcpts;	/* held recipients */
	size_t nrcpts;
	size_t ndelivered;		/* recipients that got the mail now */
};

/* NULL when out of memory. */
char *notice_hold(const struct notice_hold_info *info);

#endif
