/*
 * notice.h - the texts of the notices grondslag sends: to the sender when
 * mail is held (later also on release, deny and expiry) and to the
 * jurists.  A notice names the reference, the held recipients, the reasons
 * and the jurist's sentence of each decision; it never carries the
 * addresses found nor any content of the message.
 *
 * The text is a complete RFC 5322 message with CRLF line ends: From, To,
 * Date, Message-ID, Subject "[grondslag] Your message was held: REF"
 * (plus the held mail's subject, RFC 2047-encoded when not plain ASCII),
 * Auto-Submitted: auto-generated, X-Grondslag-Notice: REF (the milter lets
 * such mail through; issue 5 signs it), MIME-Version, text/plain UTF-8 in
 * 7bit, or quoted-printable when any line is not short plain ASCII.  Body
 * lines are at most 76 characters, header lines far below 998 (the held
 * subject is cut to 120 bytes, addresses to 320).
 *
 * Hostile input: every value is cleaned (control characters and CR/LF
 * become spaces, invalid UTF-8 is replaced, lengths are bounded); the
 * addresses that go into headers must pass notice_sender_ok(), or there is
 * no notice.  The held mail's subject is left out of the notice entirely
 * when it contains an IP address or prefix (found by ipscan), so no
 * address found in the mail is ever repeated.
 *
 * Public functions:
 *   notice_hold()       RFC 5322 text of the hold notice (malloc'ed)
 *   notice_outcome()    the notice of a release or an expiry
 *                       (notice_outcome.c; the deny notice is
 *                       ctlsock_deny_notice())
 *   notice_sender_ok()  can this envelope sender be told at all?
 */
#ifndef GRONDSLAG_NOTICE_H
#define GRONDSLAG_NOTICE_H

#include <stdbool.h>
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
	/* optional (zero: not used) */
	unsigned expiry_days;		/* HoldExpiry, to say when it expires */
	const char *contact;		/* the jurists' address for questions */
};

/* NULL when out of memory, or when from, to or ref cannot be written
 * safely (see notice_sender_ok()): then no notice is sent. */
char *notice_hold(const struct notice_hold_info *info);

/* The outcome of a hold for its sender: kind "release" (the recipients
 * got the message; the relay's queue id is named) or "expiry" (nobody
 * decided within HoldExpiry days: not delivered to them). */
struct notice_outcome_info {
	const char *kind;		/* "release" or "expiry" */
	const char *from, *to, *ref;
	const char *queue_id;		/* MTA queue id of the held mail, may be "" */
	const char *relay_queue_id;	/* release: the relay's queue id */
	const char *hostname;		/* for Message-ID */
	time_t when;
	const char *const *rcpts;	/* the recipients concerned */
	size_t nrcpts;
	unsigned expiry_days;		/* expiry: HoldExpiry */
};
/* NULL when out of memory, kind unknown, or to/from unusable. */
char *notice_outcome(const struct notice_outcome_info *in);

/* False for the null sender "<>" (never answer a bounce), an address
 * without '@', with spaces, controls, quotes or non-ASCII, or over 320
 * bytes; the surrounding "<>" are optional. */
bool notice_sender_ok(const char *envelope_sender);

#endif
