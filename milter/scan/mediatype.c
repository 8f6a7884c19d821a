/*
 * mediatype.c - what a file name or a declared media type says about a
 * part (see mediatype.h): one table of extensions, their kinds and media
 * types, and the media types that are text or line-folded.
 *
 * Limits: pure functions over constant tables; no allocation.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "grondslag/scan/mediatype.h"

/* Is type ("text/calendar", "text/vcard", ...) a line-folded format? */
bool mediatype_folds(const char *type)
{
	static const char *const folded[] = {"text/calendar", "text/vcard", "text/x-vcard",
					     "text/directory", "application/ics", NULL};
	if (type == NULL)
		return false;
	for (const char *const *f = folded; *f; f++)
		if (strcasecmp(type, *f) == 0)
			return true;
	return false;
}

#define T MEDIATYPE_NAME_TEXT
#define H MEDIATYPE_NAME_HTML
#define M MEDIATYPE_NAME_MESSAGE
#define B MEDIATYPE_NAME_UNKNOWN	/* binary formats: named for their type only */
static const struct {
	const char *ext;
	enum mediatype_name kind;
	const char *type;
} names[] = {
	{"csv", T, "text/csv"}, {"tsv", T, "text/tab-separated-values"}, {"txt", T, "text/plain"},
	{"text", T, "text/plain"}, {"log", T, "text/plain"}, {"lst", T, "text/plain"},
	{"list", T, "text/plain"}, {"ioc", T, "text/plain"}, {"iocs", T, "text/plain"},
	{"asc", T, "text/plain"}, {"ini", T, "text/plain"}, {"cfg", T, "text/plain"},
	{"conf", T, "text/plain"}, {"nfo", T, "text/plain"}, {"md", T, "text/markdown"},
	{"markdown", T, "text/markdown"}, {"rtf", T, "application/rtf"},
	{"json", T, "application/json"}, {"jsonl", T, "application/json"},
	{"ndjson", T, "application/json"}, {"geojson", T, "application/json"},
	{"stix", T, "application/stix+json"}, {"stix2", T, "application/stix+json"},
	{"misp", T, "application/json"}, {"xml", T, "application/xml"},
	{"iodef", T, "application/xml"}, {"svg", T, "image/svg+xml"},
	{"yaml", T, "application/x-yaml"}, {"yml", T, "application/x-yaml"},
	{"ics", T, "text/calendar"}, {"ifb", T, "text/calendar"}, {"vcs", T, "text/calendar"},
	{"vcf", T, "text/vcard"}, {"vcard", T, "text/vcard"},
	{"html", H, "text/html"}, {"htm", H, "text/html"}, {"xhtml", H, "text/html"},
	{"eml", M, "message/rfc822"}, {"pdf", B, "application/pdf"}, {"zip", B, "application/zip"},
	{"gz", B, "application/gzip"}, {"tgz", B, "application/gzip"},
	{"tar", B, "application/x-tar"}, {"bz2", B, "application/x-bzip2"},
	{"xz", B, "application/x-xz"}, {"7z", B, "application/x-7z-compressed"},
	{"rar", B, "application/vnd.rar"},
	{"docx", B, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xlsx", B, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"pptx", B, "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"odt", B, "application/vnd.oasis.opendocument.text"},
	{"ods", B, "application/vnd.oasis.opendocument.spreadsheet"},
	{"odp", B, "application/vnd.oasis.opendocument.presentation"}, {"png", B, "image/png"},
	{"jpg", B, "image/jpeg"}, {"jpeg", B, "image/jpeg"}, {"gif", B, "image/gif"},
};
#undef T
#undef H
#undef M
#undef B

/* The table row for a file name's extension, or -1. */
static int name_row(const char *filename)
{
	if (filename == NULL)
		return -1;
	const char *dot = strrchr(filename, '.');
	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(dot + 1, names[i].ext) == 0)
			return (int)i;
	return -1;
}

enum mediatype_name mediatype_name_kind(const char *filename)
{
	int r = name_row(filename);
	return r < 0 ? MEDIATYPE_NAME_UNKNOWN : names[r].kind;
}

const char *mediatype_for_name(const char *filename)
{
	int r = name_row(filename);
	return r < 0 ? "application/octet-stream" : names[r].type;
}

bool mediatype_is_text(const char *type)
{
	static const char *const exact[] = {
		"application/json", "application/xml", "application/csv", "application/x-csv",
		"application/x-yaml", "application/yaml", "application/rtf", "application/x-sh",
		"application/javascript", "application/ecmascript", "application/x-ndjson",
		"message/feedback-report", "message/delivery-status",
		"message/disposition-notification", "message/global-delivery-status",
		"message/global-disposition-notification", "message/external-body", NULL};
	if (type == NULL)
		return false;
	if (strncmp(type, "text/", 5) == 0)
		return true;
	size_t n = strlen(type);
	if ((n > 5 && strcmp(type + n - 5, "+json") == 0) ||
	    (n > 4 && strcmp(type + n - 4, "+xml") == 0))
		return true;
	for (const char *const *e = exact; *e; e++)
		if (strcmp(type, *e) == 0)
			return true;
	return false;
}
