/*
 * clean.h - the one sanitiser of hostile text on its way into a log line,
 * a mail header, a report cell, an error message or a path.
 *
 * Why one: each writer used to carry its own copy, and the copies drifted
 * (one kept the space, one did not; some let 8-bit bytes through, some
 * not).  The rule is now said once, and a writer that needs more than the
 * base rule names it with a flag, so that the difference is visible where
 * it is chosen.
 *
 * The base rule: C0 controls (below 0x20) and DEL (0x7f) are replaced by
 * '?', everything else is kept.  Flags replace more, or replace with a
 * blank:
 *   CLEAN_ASCII     bytes (code units) from 0x80 too: 7-bit output, for
 *                   mail headers and bodies in us-ascii, SMTP text
 *   CLEAN_SPACE     the space too: a value that must stay one word, such
 *                   as an address between angle brackets
 *   CLEAN_SLASH     '/' too: one component of a path
 *   CLEAN_BANG      '!' too: the walk's archive-member separator
 *   CLEAN_TO_BLANK  the replacement is ' ' instead of '?'
 *
 * For decoded Unicode text, clean_unwanted_cp() says which code points a
 * writer must not pass on: C0, DEL, C1, U+2028/U+2029 always; bidi
 * controls (CLEAN_BIDI) and invisible or replacement characters
 * (CLEAN_INVISIBLE) on request.
 *
 * Public functions: clean_char(), clean_copy(), clean_put(),
 * clean_in_place(), clean_unwanted_cp().
 * Limits: none of their own; the caller bounds every copy.
 */
#ifndef GRONDSLAG_CLEAN_H
#define GRONDSLAG_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum clean_flag {
	CLEAN_ASCII = 1u << 0,
	CLEAN_SPACE = 1u << 1,
	CLEAN_SLASH = 1u << 2,
	CLEAN_BANG = 1u << 3,
	CLEAN_TO_BLANK = 1u << 4,
	/* clean_unwanted_cp() only */
	CLEAN_BIDI = 1u << 5,
	CLEAN_INVISIBLE = 1u << 6,
};

/* The character a cleaner with flags writes for c: c itself or the
 * replacement.  c is a byte, or with CLEAN_ASCII any code unit (UTF-16
 * ones included: all of them above 0x7e are replaced). */
char clean_char(unsigned c, unsigned flags);

/* Copy at most max bytes of src (NULL: "") cleaned into dst of size n,
 * NUL terminated; returns the length written. */
size_t clean_copy(char *dst, size_t n, const char *src, size_t max, unsigned flags);

/* Write at most max bytes of src (NULL: "") cleaned to f. */
void clean_put(FILE *f, const char *src, size_t max, unsigned flags);

/* Clean the string s where it stands. */
void clean_in_place(char *s, unsigned flags);

/* Is the code point cp one a writer of decoded text must not pass on? */
bool clean_unwanted_cp(uint32_t cp, unsigned flags);

#endif
