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
 * Auto-Submitted: auto-generated, X-Grondslag-Notice: REF (the hold it is about; a mark for
 * filters and readers; the notice passes the milter because it repeats no
 * address, not because of this header), MIME-Version, text/plain UTF-8 in
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
 *   notice_sender_signs_in()  may the sender of a hold sign in to the
 *                       console (a Sender line owns it)?
 * The jurists' notices (notice_jurist.c):
 *   notice_jurist_hold()   to the jurists on each new hold: reference,
 *                          sender, held recipients with parties, reasons
 *                          and sentences, categories, TLP, counts by
 *                          country, the expiry date, how to act
 *   notice_roundup()        the daily roundup of holds close to expiry
 *   notice_roundup_lists()  does a roundup list this hold now?
 *   notice_roundup_due()    is a roundup due (one per UTC day)?
 *   notice_jurist_to()     their usable addresses, of those configured
 *   notice_urgent()        a sender asks for an urgent review (notice_urgent.c)
 * The record of a hold with its notices (notice_record.c):
 *   notice_hold_record()
 * Subjects "[grondslag] Held for review: REF" and "[grondslag] Holds
 * close to expiry: N (YYYY-MM-DD)"; X-Grondslag-Notice: REF or "digest".
 */
#ifndef GRONDSLAG_NOTICE_H
#define GRONDSLAG_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/hold.h"
#include "grondslag/decide/holdrec.h"

struct store_hold_record;	/* store.h: a hold as read back, for the digest */

struct notice_hold_info {
	const char *from;		/* NoticeFrom, e.g. grondslag@ncsc.nl */
	const char *to;			/* the envelope sender of the held mail */
	const char *ref;		/* hold reference */
	const char *queue_id;		/* MTA queue id, may be "" */
	const char *subject;		/* of the held mail, bounded, may be "" */
	const char *hostname;		/* for Message-ID */
	time_t when;
	const struct hold_rcpt *rcpts;	/* held recipients */
	size_t nrcpts;
	size_t ndelivered;		/* recipients that got the mail now */
	/* optional (zero: not used) */
	unsigned expiry_days;		/* HoldExpiry, to say when it expires */
	const char *contact;		/* the jurists' address for questions */
	const char *console_url;	/* WebBaseURL: the console's page of the
					 * hold, where the sender may ask for an
					 * urgent review; NULL or "": not named */
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

/* The jurists' notice of a new hold.  Zero-initialise; every string is
 * hostile except from and hostname. */
struct notice_jurist_info {
	const char *from;		/* NoticeFrom */
	const char *const *to;		/* the jurists' addresses */
	size_t nto;
	const char *ref;		/* hold reference */
	const char *queue_id;		/* may be "" */
	const char *sender;		/* envelope sender of the held mail */
	const char *subject;		/* of the held mail, may be "" */
	const char *hostname;		/* for Message-ID */
	time_t when;			/* held at */
	const struct hold_rcpt *rcpts;	/* the held recipients */
	size_t nrcpts;
	size_t ndelivered;		/* recipients that got the mail now */
	unsigned categories;		/* enum category bits */
	int tlp;			/* enum tlp_level */
	size_t public_addresses;	/* distinct public addresses + prefixes */
	const char *countries;		/* "BE:3,NL:1,unknown:2" (gate) */
	unsigned expiry_days;		/* HoldExpiry: "expires on" */
};
/* NULL when out of memory, no reference, or from or a jurist's address
 * cannot be written safely. */
char *notice_jurist_hold(const struct notice_jurist_info *in);

/* The daily roundup: every hold notice_roundup_lists() accepts, oldest
 * first as given, with age, sender, waiting recipients with parties and
 * reasons, and expiry date. */
struct notice_roundup_info {
	const char *from;
	const char *const *to;
	size_t nto;
	const char *hostname;
	time_t now;
	unsigned expiry_days;		/* HoldExpiry */
	unsigned warning_days;		/* ExpiryWarning; 0: nothing is listed */
	const struct store_hold_record *const *holds;
	size_t nholds;
};
/* The text, and in *listed the number of holds in it.  NULL with 0: no
 * hold is to be listed (no mail then); NULL with *listed > 0: there are
 * holds to list but the text could not be made (an unusable address, out
 * of memory), which the caller must not take for "nothing to do". */
char *notice_roundup(const struct notice_roundup_info *in, size_t *listed);
/* Listed at now: still open (pending or partly-approved) with at least
 * one recipient waiting for a decision (held), and expiring (received +
 * expiry_days) after now and at most warning_days days from now. */
bool notice_roundup_lists(const struct store_hold_record *h, time_t now, unsigned expiry_days,
			 unsigned warning_days);
/* Is a roundup due at now when the last went out at last (0: never)?
 * At most one per UTC day, also across restarts (the caller finds last
 * in the record) and when the clock is set back. */
bool notice_roundup_due(time_t last, time_t now);

/* At most this many jurists' addresses are told (one outbox row each). */
#define NOTICE_JURISTS_MAX 20
/* The jurists' addresses into out (at most max): the nmail configured
 * ones (config_jurist_mail()) with duplicates (case-insensitive) and
 * unusable ones left out.  0: nobody to tell. */
size_t notice_jurist_to(const char *const *mail, size_t nmail, const char **out, size_t max);

/* Who writes the notices of a hold, and which jurists are told. */
struct notice_setup {
	const char *from;		/* NoticeFrom */
	const char *hostname;		/* for Message-ID */
	const char *const *jurist_mail;	/* config_jurist_mail(); notice_jurist_to()
					 * keeps the usable ones */
	size_t njurist_mail;
	unsigned expiry_days;		/* HoldExpiry, named in the jurists' notice */
	const char *console_url;	/* WebBaseURL; NULL or "": none */
	const struct config *senders;	/* its Sender lines: the sender's
					 * notice links to the console only for
					 * a sender who can sign in; NULL: none */
};
/* The jurists' mail when the sender of a hold asks for an urgent review
 * (notice_urgent.c).  Every string but from and hostname is hostile. */
struct notice_urgent_info {
	const char *from;		/* NoticeFrom */
	const char *const *to;		/* the jurists' addresses */
	size_t nto;
	const char *hostname;		/* for Message-ID */
	const char *ref;		/* the hold */
	const char *sender;		/* its envelope sender */
	const char *asked_by;		/* the Sender's login */
	const char *text;		/* the justification */
	time_t when;			/* asked at */
	time_t expires;			/* the hold expires at (0: not said) */
	size_t waiting;			/* its recipients waiting for a decision */
	const char *console_url;	/* WebBaseURL; NULL or "": none */
};
/* "[grondslag] Urgent review asked: REF", X-Grondslag-Notice: REF; NULL
 * when out of memory or an address cannot be written safely. */
char *notice_urgent(const struct notice_urgent_info *in);

/* The record of the decided message g with the facts f (holdrec.h) and,
 * for a hold, the sender's notice (when the sender can be told:
 * notice_sender_ok()) and the jurists' notice (when any are configured)
 * queued in it for the store's one transaction (notice_record.c).  NULL
 * with a reason in err: out of memory, no reference, a tempfail, or a
 * notice that cannot be written (an unusable NoticeFrom) - never a hold
 * with a notice missing. */
struct holdrec *notice_hold_record(const struct gate_result *g, const struct hold_facts *f,
				   const struct notice_setup *s, char *err, size_t errlen);

/* The mail carrying one checkpoint line of the audit chain off the host
 * (notice_anchor.c): to the nto addresses, "[grondslag] audit checkpoint
 * SEQ of HOST", X-Grondslag-Notice: checkpoint.  NULL when an address is
 * unusable or out of memory. */
char *notice_checkpoint(const char *from, const char *const *to, size_t nto,
			const char *hostname, time_t when, int64_t seq, const char *line);

/* False for the null sender "<>" (never answer a bounce), an address
 * without '@', with spaces, controls, quotes or non-ASCII, or over 320
 * bytes; the surrounding "<>" are optional. */
bool notice_sender_ok(const char *envelope_sender);

/* Is a hold with envelope sender envelope and SMTP AUTH identity auth
 * (NULL or "": none) the mail of somebody on a Sender line of c
 * (senderid_sender_owns(), the rule the control socket applies)?  Only
 * they can sign in to the console to see it; a notice offers the link
 * to nobody else. */
bool notice_sender_signs_in(const struct config *c, const char *envelope, const char *auth);

#endif
