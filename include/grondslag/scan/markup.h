/*
 * markup.h - the text stage of extraction: decoded UTF-8 in, the text a
 * scanner reads out, streaming, in chunks of any size.
 *
 *   MARKUP_PLAIN   the text as is (NUL bytes become spaces)
 *   MARKUP_HTML    tags dropped, script/style and comments read as text,
 *                  entities decoded,
 *                  block tags become line breaks and cells tabs, the
 *                  values of href/src/alt/title kept (they can hold IPs)
 *   MARKUP_OFFICE  OOXML/ODF XML: only text nodes of text elements are
 *                  kept and runs are joined with nothing between them, so
 *                  "<w:t>8.8.</w:t></w:r><w:r><w:t>8.8</w:t>" reads
 *                  "8.8.8.8"; paragraphs, rows end in a line break, cells
 *                  in a tab; shared-string indexes of XLSX cells are
 *                  dropped, inline strings and numbers kept; pivot-cache
 *                  values, relationship targets and ODF string-value
 *                  attributes kept
 *   MARKUP_XML     any other XML (custom XML parts, document properties):
 *                  all character data and attribute values and comments,
 *                  every end tag a line break
 * Output goes to emit(arg, buf, len) in chunks of at most 64 KiB; valid
 * UTF-8 in, valid UTF-8 out (charset.h makes the input so).
 *
 * iCalendar and vCard text is unfolded (RFC 5545 3.1) before the markup
 * state machine sees it, so an address folded across two lines reads
 * whole.
 *
 * Public functions:
 *   markup_alloc(), markup_unfold_lines(), markup_nul_alone(), markup_update(),
 *   markup_next_document(), markup_finish(), markup_free()
 *
 * Limits: constant memory per stage (about 65 KiB); tag and entity names
 * are bounded; no recursion.
 */
#ifndef GRONDSLAG_MARKUP_H
#define GRONDSLAG_MARKUP_H

#include <stddef.h>

enum markup_kind { MARKUP_PLAIN, MARKUP_HTML, MARKUP_OFFICE, MARKUP_XML };

struct markup;

/* Returns NULL when out of memory. */
struct markup *markup_alloc(enum markup_kind kind,
			    int (*emit)(void *arg, const char *buf, size_t len), void *arg);
/* The text is iCalendar or vCard (by its media type, see
 * mediatype_folds()): unfold its lines (RFC 5545 3.1: a line break
 * followed by a space or tab is removed with it).  Plain text that begins
 * "BEGIN:VCALENDAR" or "BEGIN:VCARD" is unfolded without asking.  Call
 * before the first markup_update(). */
void markup_unfold_lines(struct markup *m);
/* The caller hands every NUL byte alone, in a markup_update() of length
 * 1 of its own (charset.h's decoder does): plain text then needs no
 * search for NUL in every run.  Call before the first markup_update(). */
void markup_nul_alone(struct markup *m);
/* Feed the next run of UTF-8.  Returns 0, or the first non-zero value
 * emit() returned (after which the stage ignores further input). */
int markup_update(struct markup *m, const char *utf8, size_t len);
/* Start a new XML document inside the same stream (the next office
 * member): reset the markup state, emit a line break. */
int markup_next_document(struct markup *m);
/* Flush everything held back; the stage may then be freed. */
int markup_finish(struct markup *m);
void markup_free(struct markup *m);

#endif
