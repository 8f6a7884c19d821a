/*
 * plainmsg.h - recognise a message that is one plain-text part, so the
 * walker can read it without building a MIME tree.
 *
 * Most outgoing mail of an organisation that sends incident data is still
 * clean, and much of it is a single text/plain body.  Parsing such a
 * message with GMime costs about a sixth of the milter's CPU per clean
 * message (measured with perf on the bench's 5 KB mail); what the walker
 * needs of it is only the Subject, the charset and where the body starts.
 *
 * plainmsg_parse() says yes only when there is nothing for GMime to do
 * that the walker would see differently; for anything else it says no and
 * the walker takes the GMime path as always.  Yes requires all of:
 *   - a header block of well-formed lines ("Name: value", Name printable
 *     ASCII without ':' or blanks, folded lines allowed) ending in an empty
 *     line, no NUL, no byte above 0x7e in it, no mbox "From " line;
 *   - no Content-Type, or one "text/plain" with at most one parameter,
 *     charset=us-ascii or utf-8 (unquoted);
 *   - no Content-Transfer-Encoding, or one 7bit or 8bit;
 *   - no other Content-* header (Disposition would name a file) and no
 *     MIME-Version other than "1.0";
 *   - at most one Subject, not folded, printable ASCII, no encoded word
 *     ("=?"), single blanks between words.
 * Names and values compare case-insensitively.  tests/unit/test_plainmsg.c
 * walks every table message both ways and requires identical findings.
 *
 * Limits: a header block of at most PLAINMSG_MAX_HEADER bytes (a longer
 * one goes to GMime).
 *
 * Public functions:
 *   plainmsg_parse()   true and the pieces when the message is plain
 */
#ifndef GRONDSLAG_PLAINMSG_H
#define GRONDSLAG_PLAINMSG_H

#include <stdbool.h>
#include <stddef.h>

#define PLAINMSG_MAX_HEADER 65536
#define PLAINMSG_CHARSET_MAX 16

struct plainmsg {
	const char *subject;	/* into the message; NULL when none or empty */
	size_t subject_len;
	char charset[PLAINMSG_CHARSET_MAX];	/* as written; "" when none */
	size_t body;		/* offset of the body in the message */
};

bool plainmsg_parse(const char *msg, size_t len, struct plainmsg *out);

#endif
