/*
 * rtf.h - the text of an RTF document, by a bounded reader of our own.
 *
 * RTF keeps a text in groups and control words; Word splits a table cell
 * or even one number over several formatting groups ("{\b 193.0.}{6.139}"),
 * so read as plain text the pieces never meet.  This reader joins the
 * text of all groups in order, drops control words and the destinations
 * that hold no document text (font, colour and style tables, pictures,
 * embedded object data, theme and data stores, "\*" destinations), turns
 * \par, \line, \row, \sect and \page into line ends and \cell and \tab
 * into tabs, decodes \'hh (Windows-1252), \uN (with its \ucN fallback
 * characters skipped) and \\ \{ \}, and skips \binN data.  Embedded
 * objects (\objdata) are decoded from hex, or taken raw from \binN, and
 * handed out as bytes.
 *
 * Limits: one pass; the only allocation is an object's bytes (at most the
 * input); group nesting is tracked to
 * RTF_MAX_DEPTH (deeper groups inherit the state of the deepest one, so
 * hostile nesting cannot grow the stack); control words are cut at 32
 * letters and parameters at 10 digits, as the specification allows.
 *
 * Public functions:
 *   rtf_magic()   does a buffer start like RTF ("{\rtf")
 *   rtf_text()    hand the text out as UTF-8 in chunks
 */
#ifndef GRONDSLAG_RTF_H
#define GRONDSLAG_RTF_H

#include <stdbool.h>
#include <stddef.h>

#define RTF_MAX_DEPTH 256

bool rtf_magic(const void *buf, size_t len);

/* emit() gets the text in chunks, obj() (may be NULL) the bytes of each
 * embedded object (\objdata) when its group ends; a non-zero return from
 * either stops the reader and is returned (-1: out of memory). */
int rtf_text(const void *buf, size_t len, int (*emit)(void *arg, const char *s, size_t n),
	     int (*obj)(void *arg, const unsigned char *data, size_t n), void *arg);

#endif
