/*
 * textx.h - text extraction helpers for the walker: turn the bytes of one
 * part into UTF-8 text, streaming, in chunks of any size.
 *
 * A converter is two stages: a decoder (UTF-8 checked and repaired, a
 * byte-order mark honoured, UTF-16 LE/BE converted, any other charset
 * converted with iconv through GMime's charset names) and a markup stage:
 *   TEXTX_PLAIN   the text as is
 *   TEXTX_HTML    tags dropped, script/style and comments read as text,
 *                 entities decoded,
 *                 block tags become line breaks and cells tabs, the
 *                 values of href/src/alt/title kept (they can hold IPs)
 *   TEXTX_OFFICE  OOXML/ODF XML: only text nodes of text elements are
 *                 kept and runs are joined with nothing between them, so
 *                 "<w:t>8.8.</w:t></w:r><w:r><w:t>8.8</w:t>" reads
 *                 "8.8.8.8"; paragraphs, rows end in a line break, cells
 *                 in a tab; shared-string indexes of XLSX cells are
 *                 dropped, inline strings and numbers kept; pivot-cache
 *                 values, relationship targets and ODF string-value
 *                 attributes kept
 *   TEXTX_XML     any other XML (custom XML parts, document properties):
 *                 all character data and attribute values and comments,
 *                 every end tag a line break
 * Output goes to emit(arg, buf, len) in chunks of at most 64 KiB, always
 * valid UTF-8 (invalid input bytes are read as windows-1252).
 *
 * iCalendar and vCard text is unfolded (RFC 5545 3.1) before either stage
 * sees it, so an address folded across two lines reads whole.
 *
 * Also: sniffing helpers (is this text? UTF-16 without BOM, also mostly
 * CJK? HTML?) and
 * the file-name table (which extensions are text, their media types).
 *
 * Public functions:
 *   textx_global_init()  GMime/charset tables, once per process (thread safe)
 *   textx_alloc(), textx_unfold_lines(), textx_update(),
 *   textx_next_document(), textx_finish(), textx_free()
 *   textx_sniff(), textx_looks_html(), textx_type_folds(), textx_name_kind(),
 *   textx_type_for_name(), textx_type_is_text()
 *
 * Limits: constant memory per converter (about 80 KiB); tag and entity
 * names are bounded; no recursion.
 */
#ifndef GRONDSLAG_TEXTX_H
#define GRONDSLAG_TEXTX_H

#include <stdbool.h>
#include <stddef.h>

enum textx_markup { TEXTX_PLAIN, TEXTX_HTML, TEXTX_OFFICE, TEXTX_XML };

struct textx;

/* Initialise GMime (and its charset tables) once per process. */
void textx_global_init(void);

/* charset: the declared charset, or NULL for "UTF-8, else windows-1252";
 * a byte-order mark at the start always wins.  Returns NULL when out of
 * memory. */
struct textx *textx_alloc(enum textx_markup markup, const char *charset,
			  int (*emit)(void *arg, const char *buf, size_t len), void *arg);
/* Feed the next chunk.  Returns 0, or the first non-zero value emit()
 * returned (after which the converter ignores further input). */
int textx_update(struct textx *t, const void *buf, size_t len);
/* Start a new XML document inside the same stream (the next office
 * member): flush, reset the markup state, emit a line break. */
int textx_next_document(struct textx *t);
/* The text is iCalendar or vCard (by its media type, see
 * textx_type_folds()): unfold its lines (RFC 5545 3.1: a line break
 * followed by a space or tab is removed with it).  Plain text that begins
 * "BEGIN:VCALENDAR" or "BEGIN:VCARD" is unfolded without asking.  Call
 * before the first textx_update(). */
void textx_unfold_lines(struct textx *t);
/* Flush everything held back; the converter may then be freed. */
int textx_finish(struct textx *t);
void textx_free(struct textx *t);

enum textx_sniff {
	TEXTX_SNIFF_BINARY,
	TEXTX_SNIFF_TEXT,	/* UTF-8, 8-bit text, or text with a BOM */
	TEXTX_SNIFF_UTF16LE,	/* UTF-16 without BOM */
	TEXTX_SNIFF_UTF16BE
};

/* Look at (up to) the first 8 KiB and say whether it is text. */
enum textx_sniff textx_sniff(const void *buf, size_t len);
/* True when the start looks like an HTML document. */
bool textx_looks_html(const void *buf, size_t len);
/* Is type ("text/calendar", "text/vcard", ...) a line-folded format? */
bool textx_type_folds(const char *type);

enum textx_name {
	TEXTX_NAME_UNKNOWN,
	TEXTX_NAME_TEXT,	/* .csv .txt .json .xml .log .yaml .md .ioc ... */
	TEXTX_NAME_HTML,	/* .html .htm .xhtml */
	TEXTX_NAME_MESSAGE	/* .eml */
};

enum textx_name textx_name_kind(const char *filename);
/* A media type guessed from the file name's extension, or
 * "application/octet-stream". */
const char *textx_type_for_name(const char *filename);
/* True for declared media types that are text: text/..., JSON, XML, CSV,
 * YAML, the report message types.  type is lower case "type/subtype". */
bool textx_type_is_text(const char *type);

#endif
