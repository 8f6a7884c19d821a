/*
 * idscan.h - streaming scanner for identifiers of people and victims in
 * text: e-mail addresses, host and domain names (from bare names and
 * URLs, defanged forms too) and credential rows (`user:pass`,
 * `e-mail,password,...`).
 *
 * Precision comes from the list rule, not from the values: a value is
 * reported only when it stands in list form (alone on its line or in its
 * cell, or with only commas, semicolons or blanks between values) in a
 * run of at least IDSCAN_RUN_LINES consecutive list lines or with at least
 * that many values on one line; or sits in a column or a labelled line
 * whose name says what it holds (email, host, domain, url, ...); or is
 * named by an incident format (a STIX pattern, a MISP/STIX/X-ARF value
 * after its type); or is defanged.  Prose, quoted mail headers
 * (`From: a@b`), signatures and isolated links make no list.  Secrets are
 * never copied out: a credential is reported as an event without value.
 * Internationalised names are handed out as A-labels.
 *
 * A line longer than IDSCAN_LINE_MAX is judged in windows of at most that
 * many bytes, each cut after a separator (blank, ',', ';', '|') and
 * judged as a line: a long line of addresses is a list, never skipped.
 * Memory is fixed per scanner; a line holds at most 64 values and 64
 * cells (the last cell takes the rest of the row), and a line that
 * reaches those limits counts with what it holds.  The result does not
 * depend on how the stream is cut into chunks.
 *
 * Public functions:
 *   idscan_alloc/free   one scanner, reused over parts
 *   idscan_begin()      a new text stream (resets line and column state;
 *                       says whether it is text out of HTML)
 *   idscan_update()     feed bytes (any chunking)
 *   idscan_finish()     end of the stream (flushes the last line)
 */
#ifndef GRONDSLAG_IDSCAN_H
#define GRONDSLAG_IDSCAN_H

#include <stdbool.h>
#include <stddef.h>

#define IDSCAN_LINE_MAX 2048
#define IDSCAN_VALUE_MAX 256
#define IDSCAN_RUN_LINES 3

enum idscan_kind { IDSCAN_EMAIL, IDSCAN_HOST, IDSCAN_CREDENTIAL };

struct idscan_match {
	enum idscan_kind kind;
	/* EMAIL: the address, lower case; HOST: the name, lower case, no
	 * trailing dot; CREDENTIAL: NULL (the secret is never handed out) */
	const char *value;
	size_t len;
	const char *domain;	/* EMAIL: its domain; HOST: the name itself */
	size_t dlen;
	bool defanged;
	bool labelled;		/* from a named column or labelled line */
};

/* Called per match; a non-zero return stops the stream (returned by
 * idscan_update). */
typedef int (*idscan_cb)(void *arg, const struct idscan_match *m);

struct idscan;

struct idscan *idscan_alloc(idscan_cb cb, void *arg);
void idscan_free(struct idscan *s);
/* markup: the stream is text taken out of HTML, whose links (hrefs) are
 * not lists unless defanged. */
void idscan_begin(struct idscan *s, bool markup);
int idscan_update(struct idscan *s, const char *buf, size_t len);
int idscan_finish(struct idscan *s);

/* Is s (lower case, no trailing dot) a plausible public host name: at
 * least two labels of [a-z0-9-], a top-level domain that exists (country
 * code, common generic, or xn--), not all-numeric?  Exposed for tests. */
bool idscan_is_hostname(const char *s, size_t len);

#endif
