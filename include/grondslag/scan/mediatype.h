/*
 * mediatype.h - what a file name or a declared media type says about a
 * part: the table of file-name extensions (which are text, HTML, a
 * message; their media types) and the media types that are text or
 * line-folded.  A label is a hint; the walker asks sniff.h what the bytes
 * are.
 *
 * Public functions:
 *   mediatype_name_kind()  text, HTML, message or unknown by extension
 *   mediatype_for_name()   a media type by extension
 *   mediatype_is_text()    a declared media type that is text
 *   mediatype_folds()      a line-folded type (iCalendar, vCard)
 *
 * Limits: pure functions over constant tables; no allocation.
 */
#ifndef GRONDSLAG_MEDIATYPE_H
#define GRONDSLAG_MEDIATYPE_H

#include <stdbool.h>

enum mediatype_name {
	MEDIATYPE_NAME_UNKNOWN,
	MEDIATYPE_NAME_TEXT,	/* .csv .txt .json .xml .log .yaml .md .ioc ... */
	MEDIATYPE_NAME_HTML,	/* .html .htm .xhtml */
	MEDIATYPE_NAME_MESSAGE	/* .eml */
};

enum mediatype_name mediatype_name_kind(const char *filename);
/* A media type guessed from the file name's extension, or
 * "application/octet-stream". */
const char *mediatype_for_name(const char *filename);
/* True for declared media types that are text: text/..., JSON, XML, CSV,
 * YAML, the report message types.  type is lower case "type/subtype". */
bool mediatype_is_text(const char *type);
/* Is type ("text/calendar", "text/vcard", ...) a line-folded format? */
bool mediatype_folds(const char *type);

#endif
