/*
 * textx.h - text extraction for the walker: the bytes of one part to the
 * UTF-8 text a scanner reads, streaming, in chunks of any size.
 *
 * A converter is the two stages joined: a charset decoder (charset.h:
 * UTF-8 repaired, a byte-order mark honoured, UTF-16, iconv) whose output
 * feeds a text stage (markup.h: plain, HTML, office XML or other XML;
 * iCalendar / vCard unfolding).  Output goes to emit(arg, buf, len) in
 * chunks of at most 64 KiB, always valid UTF-8.  What the bytes are
 * (text? HTML?) is sniff.h's question, what a name or type says is
 * mediatype.h's.
 *
 * Public functions:
 *   textx_alloc(), textx_unfold_lines(), textx_update(),
 *   textx_next_document(), textx_finish(), textx_free()
 *
 * Limits: constant memory per converter (about 65 KiB); no recursion.
 */
#ifndef GRONDSLAG_TEXTX_H
#define GRONDSLAG_TEXTX_H

#include <stddef.h>

#include "grondslag/scan/markup.h"

struct textx;

/* charset: the declared charset, or NULL for "UTF-8, else windows-1252";
 * a byte-order mark at the start always wins.  Returns NULL when out of
 * memory. */
struct textx *textx_alloc(enum markup_kind markup, const char *charset,
			  int (*emit)(void *arg, const char *buf, size_t len), void *arg);
/* Feed the next chunk.  Returns 0, or the first non-zero value emit()
 * returned (after which the converter ignores further input). */
int textx_update(struct textx *t, const void *buf, size_t len);
/* Start a new XML document inside the same stream (the next office
 * member): flush the decoder, reset both stages (a byte-order mark may
 * come next), emit a line break. */
int textx_next_document(struct textx *t);
/* Unfold iCalendar / vCard lines (markup_unfold_lines()).  Call before
 * the first textx_update(). */
void textx_unfold_lines(struct textx *t);
/* Flush everything held back; the converter may then be freed. */
int textx_finish(struct textx *t);
void textx_free(struct textx *t);

#endif
