/*
 * notice_priv.h - what the notice builders (notice.c: the sender's hold
 * notice; notice_jurist.c: the jurists' hold notice and roundup) share,
 * and nobody else sees.  The functions are in notice_text.c.
 *
 * Everything that comes from a held mail or its envelope is hostile: the
 * helpers clean it (valid UTF-8, no controls, no bidi overrides, bounded),
 * write only checked ASCII addresses into headers, and screen out any
 * value in which ipscan finds an IP address or prefix, so a notice never
 * repeats an address (and so passes the milter without being held).
 *
 * Public functions (to the notice files only; the text grows in a
 * struct strbuf, base/strbuf.h):
 *   notice_clean(), notice_shown()      cleaned (and screened) values
 *   notice_bare_address(), notice_has_address(), notice_token()
 *   notice_date(), notice_day()         RFC 5322 date, YYYY-MM-DD (UTC)
 *   notice_from_header(), notice_subject_header(), notice_wrap()
 *   notice_rcpt_block()                 one held recipient
 *   notice_held_rcpts(), notice_subject_line()   the held part of a hold notice
 *   notice_head()                       the header fields of a notice
 *   notice_finish()                     MIME headers + encoded body
 *   notice_held_init(), notice_held_clear(), notice_compose()
 */
#ifndef GRONDSLAG_NOTICE_PRIV_H
#define GRONDSLAG_NOTICE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "grondslag/base/strbuf.h"
#include "grondslag/store/store.h"

#define NOTICE_SUBJECT_MAX 120
#define NOTICE_ADDRESS_MAX 320
#define NOTICE_RCPT_MAX 256
#define NOTICE_EXPLANATION_MAX 2000
#define NOTICE_REASONS_MAX 500
#define NOTICE_WRAP 72

/* Cleaned copy of in (g_free): valid UTF-8, unwanted characters as a
 * space, at most max bytes cut at a character ("..." then added). */
char *notice_clean(const char *in, size_t max);
/* notice_clean(), but a value with an IP address in it becomes the
 * fixed text "(not shown: it contains an IP address)" (g_free). */
char *notice_shown(const char *in, size_t max);
/* The bare address of "<a@b>" or "a@b" into out, or false when it cannot
 * go into a header safely. */
bool notice_bare_address(const char *in, char out[NOTICE_ADDRESS_MAX + 1]);
/* Does text contain anything ipscan takes for an IP address or prefix? */
bool notice_has_address(const char *text);
/* Keep only [A-Za-z0-9.-] (queue ids, references, host names). */
void notice_token(const char *in, char *out, size_t size, const char *fallback);
/* RFC 5322 date in UTC; the UTC day as YYYY-MM-DD. */
void notice_date(time_t when, char *out, size_t size);
void notice_day(time_t when, char *out, size_t size);

/* From: with an optional display name ("Name <a@b>"); false if unsafe. */
bool notice_from_header(struct strbuf *b, const char *from);
/* "Subject: " + fixed (ASCII, ours) + " - " + subject (cleaned by the
 * caller) as plain ASCII or RFC 2047 words; subject "" for none. */
void notice_subject_header(struct strbuf *b, const char *fixed, const char *subject);
/* Append text wrapped at NOTICE_WRAP columns, later lines indented. */
void notice_wrap(struct strbuf *b, size_t indent, const char *text);
/* One held recipient: address, party, reasons, the jurist's sentence. */
void notice_rcpt_block(struct strbuf *b, const struct hold_rcpt *r);
/* What a notice says instead of a value that holds an address. */
#define NOTICE_WITHHELD "(not shown: it contains an IP address)"
/* "Held for N recipients:", a block for each (at most max, and no more
 * once the body reached soft_max bytes; then "... and N more" with the
 * hint), then who got the message now. */
void notice_held_rcpts(struct strbuf *b, const struct hold_rcpt *r, size_t n,
		       size_t ndelivered, size_t max, size_t soft_max, const char *hint);

/* The header fields every notice has: From, To (one or more), Date,
 * Message-ID <REF.KIND.WHEN@HOST>, Subject (fixed + optional held
 * subject), Auto-Submitted, X-Auto-Response-Suppress, X-Grondslag-Notice
 * (tag).  The caller's ref and tag must be tokens (notice_token()). */
struct notice_head {
	const char *from;		/* NoticeFrom, "Name <a@b>" or "a@b" */
	const char *const *to;		/* recipients, "<a@b>" or "a@b" */
	size_t nto;
	time_t when;
	const char *kind;		/* for Message-ID: "hold", "jurist", ... */
	const char *ref;		/* for Message-ID */
	const char *hostname;		/* for Message-ID; cleaned here */
	const char *subject_fixed;	/* our text, ASCII */
	const char *subject_held;	/* cleaned held subject or "" */
	const char *tag;		/* X-Grondslag-Notice value */
};
/* False (nothing usable written) when from or a recipient is unsafe. */
bool notice_head(struct strbuf *b, const struct notice_head *h);

/* What every notice about one hold derives from it first. */
struct notice_held {
	char ref[64];			/* the reference as a token */
	char qid[64];			/* queue id as a token, "unknown" if none */
	char *subject;			/* cleaned held subject, "" when withheld
					 * (g_free, by notice_held_clear()) */
	bool withheld;			/* the subject contained an IP address */
};
/* The "Subject:" line of a held mail (or that it is withheld). */
void notice_subject_line(struct strbuf *b, const struct notice_held *hd);
/* False (nothing to clear) when there is no usable reference. */
bool notice_held_init(struct notice_held *hd, const char *ref, const char *queue_id,
		      const char *subject);
void notice_held_clear(struct notice_held *hd);
/* The whole notice: h, then the body fill() writes (LF text) encoded by
 * notice_finish().  NULL when h is unusable or out of memory. */
char *notice_compose(const struct notice_head *h,
		     void (*fill)(struct strbuf *body, const void *arg), const void *arg);

/* notice_urgent.c: is url a console's base URL fit for a notice
 * (confcheck_url_ok())?  The line "  URL/hold/REF" (url checked by the caller,
 * a trailing slash dropped). */
bool notice_url_ok(const char *url);
void notice_console_link(struct strbuf *b, const char *url, const char *ref);

/* Append the MIME headers and body (LF text, sent as 7bit or quoted-
 * printable with CRLF) to head; frees body.  The whole message, owned by
 * the caller, or NULL (everything freed) when out of memory. */
char *notice_finish(struct strbuf *head, struct strbuf *body);

#endif
