/*
 * strbuf.h - a growing string for text built piece by piece (a decision's
 * explanation, a notice's header and body).
 *
 * Why not GString: g_string_* aborts the process when memory runs out,
 * and the daemon must answer a failed allocation with a tempfail, not
 * die in a callback.  Why not open_memstream(): the builders measure what
 * they have written (b->len) as they go, and a FILE* hides that until
 * fflush.  So: one buffer whose failed allocation latches b->oom, after
 * which every append is a no-op; the builder checks once at the end.
 *
 * A zeroed struct strbuf is an empty one; b->s is NULL until the first
 * append, then always NUL terminated.  The caller owns b->s (free()).
 *
 * Public functions: strbuf_add(), strbuf_puts(), strbuf_printf().
 */
#ifndef GRONDSLAG_STRBUF_H
#define GRONDSLAG_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

/* Append n bytes of s. */
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Append the string s. */
void strbuf_puts(struct strbuf *b, const char *s);
/* Append formatted text, however long. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
