/*
 * walk_archive.c - archives (archive.c, libarchive) and office documents
 * (OOXML, ODF: zips of XML) for the walker (see walk_priv.h): every
 * member a part "<archive>!<member>", charged to MaxExpandedSize, entries
 * and ratio limited per archive; office XML members are the document's
 * text, other members walked like archive members.
 *
 * Limits: one 64 KiB buffer per archive level; recursion through
 * walk_content() bounded by max_depth.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/scan/archive.h"
#include "grondslag/scan/mediatype.h"
#include "grondslag/scan/pdf.h"
#include "grondslag/scan/rtf.h"
#include "walk_priv.h"

/* ---- archives ------------------------------------------------------------------ */

/* The reason an archive status stands for. */
static enum unscan_reason arc_reason(enum arc_status st)
{
	switch (st) {
	case ARC_ENCRYPTED:
		return UNSCAN_ENCRYPTED_ARCHIVE;
	case ARC_RATIO:
		return UNSCAN_LIMIT_RATIO;
	case ARC_NOMEM:
	case ARC_NOLIB:
		return UNSCAN_INTERNAL;
	default:
		return UNSCAN_CORRUPT_ARCHIVE;
	}
}

/* A member's reads are charged to the walk: the clock and
 * MaxExpandedSize, with the member as the part that hit the limit. */
struct charge_ctx {
	struct walk *w;
	unsigned part;
};

static bool charge(void *arg, uint64_t bytes)
{
	struct charge_ctx *c = arg;
	return walk_time_ok(c->w, (int)c->part) && (bytes == 0 || walk_account(c->w, c->part, bytes));
}

/* XML by its first bytes: an optional BOM, blanks, then '<'. */
static bool looks_xml(const char *p, size_t n)
{
	size_t i = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && p[i] == '<';
}

static enum arc_status walk_member(struct walk *w, struct arc *a, const struct arc_entry *e,
				   const struct item *parent, char *buf, bool lenient);

/* How an office XML part is read, by its root element (a vocabulary, not
 * a part name): the document vocabularies of OOXML and ODF keep only their
 * text elements (MARKUP_OFFICE); any other XML (custom XML data, document
 * properties, parts of vocabularies we do not know) is read whole. */
static enum markup_kind xml_markup(const char *p, size_t n)
{
	static const char *const roots[] = {
		"document", "hdr", "ftr", "footnotes", "endnotes", "comments", "numbering",
		"styles", "settings", "fonts", "webSettings", "sst", "worksheet", "workbook",
		"chartsheet", "dialogsheet", "macrosheet", "pivotCacheDefinition",
		"pivotCacheRecords", "pivotTableDefinition", "table", "queryTable", "externalLink",
		"calcChain", "connections", "chartSpace", "userShapes", "sld", "sldLayout",
		"sldMaster", "notes", "notesMaster", "handoutMaster", "presentation", "presProps",
		"viewProps", "tableStyles", "theme", "Relationships", "Types", "commentsExtended",
		"commentsIds", "people", "wsDr", "document-content", "document-styles",
		"document-meta", "document-settings", "manifest", NULL};
	size_t i = 0;
	while (i < n) {
		const char *lt = memchr(p + i, '<', n - i);
		if (lt == NULL || (size_t)(lt - p) + 1 >= n)
			break;
		i = (size_t)(lt - p) + 1;
		if (p[i] == '?' || p[i] == '!')
			continue;	/* declaration, comment, doctype */
		size_t s = i;
		while (i < n && p[i] != ' ' && p[i] != '>' && p[i] != '/' && p[i] != '\t' &&
		       p[i] != '\r' && p[i] != '\n')
			i++;
		const char *colon = memchr(p + s, ':', i - s);
		size_t ls = colon ? (size_t)(colon - p) + 1 : s;
		for (const char *const *r = roots; *r; r++)
			if (strlen(*r) == i - ls && memcmp(p + ls, *r, i - ls) == 0)
				return MARKUP_OFFICE;
		return MARKUP_XML;
	}
	return MARKUP_OFFICE;
}

/* Office pass 1: every XML part through one XML-joining stream (the
 * office markup keeps only document text and values); the members that
 * are not XML are marked in other[] for pass 2.  Returns the status that
 * ended the archive. */
static enum arc_status office_xml(struct walk *w, const struct item *it, struct arc *a,
				  char *buf, bool *other, unsigned *nother)
{
	enum markup_kind cur = MARKUP_OFFICE;
	struct textx *t = walk_stream_open(w, it->part, cur, NULL);
	if (t == NULL)
		return ARC_NOMEM;
	struct charge_ctx cc = {w, it->part};
	struct arc_budget b = {charge, &cc};
	struct arc_entry e;
	enum arc_status st;
	unsigned entries = 0;
	while (!w->halted && (st = arc_next(a, &e)) == ARC_OK) {
		if (++entries > w->lim->max_archive_entries) {
			st = ARC_END;
			findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
			break;
		}
		if (e.encrypted) {
			findings_part_unscannable(w->f, it->part, UNSCAN_ENCRYPTED_ARCHIVE);
			if ((st = arc_skip(a)) != ARC_OK)
				break;
			continue;
		}
		size_t have = 0;
		ssize_t n = 0;
		while (have < 1024 && (n = arc_read_budget(a, buf + have, CHUNK - have, &b, &st)) > 0)
			have += (size_t)n;
		if (n < 0)
			break;
		if (have > 0 && !looks_xml(buf, have)) {
			other[entries - 1] = true;
			(*nother)++;
			if ((st = arc_skip(a)) != ARC_OK)
				break;
			continue;
		}
		enum markup_kind m = xml_markup(buf, have);
		if (m != cur) {	/* another markup: another stream of the same part */
			walk_stream_close(w, t);
			if ((t = walk_stream_open(w, it->part, cur = m, NULL)) == NULL)
				return ARC_NOMEM;
		} else {
			(void)textx_next_document(t);
		}
		(void)textx_update(t, buf, have);
		while (n > 0 && (n = arc_read_budget(a, buf, CHUNK, &b, &st)) > 0)
			(void)textx_update(t, buf, (size_t)n);
		if (n < 0)
			break;
	}
	walk_stream_close(w, t);
	return st;
}

/* Office pass 2: each member that is not XML (embedded workbooks,
 * objects, media, binary parts) is a part of its own, read as what its
 * bytes are; unknown binary there (printer settings, thumbnails of
 * formats we do not list) is no finding: the document's text was read. */
static enum arc_status office_objects(struct walk *w, const struct item *it, const bool *other,
				      unsigned max, char *buf)
{
	enum arc_status st;
	struct arc *a = arc_open(it->data, it->len, it->filename, w->lim->max_expansion_ratio, &st);
	if (a == NULL)
		return st;
	struct arc_entry e;
	unsigned i = 0;
	while (!w->halted && i < max && (st = arc_next(a, &e)) == ARC_OK) {
		if (other[i++])
			st = walk_member(w, a, &e, it, buf, true);
		else
			st = arc_skip(a);
		if (st != ARC_OK)
			break;
	}
	arc_close(a);
	return st == ARC_END ? ARC_OK : st;
}

/* Office document (OOXML, ODF): every member, none chosen by name.  XML
 * parts are its text; the other members are objects, walked like archive
 * members (an .xlsx embedded in a .docx, an OLE object, a PDF). */
void walk_office(struct walk *w, const struct item *it)
{
	enum arc_status st;
	unsigned nother = 0, max = w->lim->max_archive_entries;
	struct arc *a = arc_open(it->data, it->len, it->filename, w->lim->max_expansion_ratio, &st);
	if (a == NULL) {
		findings_part_unscannable(w->f, it->part, arc_reason(st));
		return;
	}
	char *buf = malloc(CHUNK);
	bool *other = calloc((size_t)max + 1, sizeof *other);
	if (buf == NULL || other == NULL) {
		free(buf);
		free(other);
		arc_close(a);
		walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
		return;
	}
	st = office_xml(w, it, a, buf, other, &nother);
	arc_close(a);
	if (st == ARC_NOMEM)
		walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
	else if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	if (nother > 0 && !w->halted) {
		if (it->depth + 1 > w->lim->max_depth)
			findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_DEPTH);
		else if ((st = office_objects(w, it, other, max, buf)) == ARC_NOMEM)
			walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
		else if (st != ARC_OK)
			findings_part_unscannable(w->f, it->part, arc_reason(st));
	}
	free(other);
	free(buf);
}

/* Stream the rest of a text member (its first chunk already read). */
static enum arc_status member_text(struct walk *w, struct arc *a, const struct item *it,
				   const struct arc_budget *b, char *buf, size_t have,
				   uint64_t *total)
{
	enum mediatype_name nk = mediatype_name_kind(it->filename);
	enum sniff_text sn = sniff_text(buf, have);
	enum markup_kind m = nk == MEDIATYPE_NAME_HTML || (nk == MEDIATYPE_NAME_UNKNOWN &&
							 sniff_html(buf, have))
				      ? MARKUP_HTML : MARKUP_PLAIN;
	const char *cs = sn == SNIFF_UTF16LE ? "UTF-16LE"
			 : sn == SNIFF_UTF16BE ? "UTF-16BE" : NULL;
	enum arc_status st = ARC_OK;
	struct textx *t = walk_stream_open(w, it->part, m, cs);
	if (t == NULL)
		return ARC_OK;
	(void)textx_update(t, buf, have);
	ssize_t n;
	while (!w->halted && (n = arc_read_budget(a, buf, CHUNK, b, &st)) > 0) {
		*total += (uint64_t)n;
		(void)textx_update(t, buf, (size_t)n);
	}
	walk_stream_close(w, t);
	return st;
}

/* How a member is read, decided on its name and first chunk. */
enum member_plan {
	PLAN_FIRST,	/* the first chunk decides (all of it, or binary) */
	PLAN_TEXT,	/* streamed as text */
	PLAN_SLURP	/* read whole: archive, PDF, message, media */
};

/* Media is read whole like in a MIME part: what follows an image's end
 * (text, a zip) may lie past the first chunk. */
static enum member_plan member_plan(const struct item *it, const char *buf, size_t have,
				    bool complete)
{
	enum mediatype_name nk = mediatype_name_kind(it->filename);
	size_t end;
	if (complete)
		return PLAN_FIRST;
	if (pdf_magic(buf, have) || arc_magic(buf, have) || nk == MEDIATYPE_NAME_MESSAGE ||
	    rtf_magic(buf, have) || sniff_ole2(buf, have) || sniff_media(buf, have, &end) ||
	    strcmp(it->type, "application/pdf") == 0)
		return PLAN_SLURP;
	if (nk != MEDIATYPE_NAME_UNKNOWN || sniff_text(buf, have) != SNIFF_BINARY)
		return PLAN_TEXT;
	return PLAN_FIRST;
}

/* Read one archive member.  Returns what should end the archive:
 * ARC_OK (go on), ARC_CORRUPT, ARC_RATIO, ARC_NOMEM. */
static enum arc_status walk_member(struct walk *w, struct arc *a, const struct arc_entry *e,
				   const struct item *parent, char *buf, bool lenient)
{
	char path[PATH_CAP];
	walk_join_path(path, parent->path, "!", e->name);
	struct item it = {.depth = parent->depth + 1, .path = path, .filename = e->name,
			  .type = mediatype_for_name(e->name), .lenient = lenient};
	int idx = walk_add_part(w, path, it.type, e->name, it.depth);
	if (idx < 0)
		return ARC_OK;
	it.part = (unsigned)idx;
	struct charge_ctx cc = {w, it.part};
	struct arc_budget b = {charge, &cc};
	uint64_t total = 0;
	enum arc_status st = ARC_OK;
	size_t have = 0;
	ssize_t n = 0;
	if (e->encrypted) {
		findings_part_unscannable(w->f, it.part, UNSCAN_ENCRYPTED_ARCHIVE);
		st = arc_skip(a);
		return st == ARC_ENCRYPTED ? ARC_OK : st;
	}
	if (it.depth > w->lim->max_depth) {
		findings_part_unscannable(w->f, it.part, UNSCAN_LIMIT_DEPTH);
		st = arc_drain(a, buf, CHUNK, &b, &total);
		goto done;
	}
	while (have < CHUNK && (n = arc_read_budget(a, buf + have, CHUNK - have, &b, &st)) > 0)
		have += (size_t)n;
	total = have;
	if (n < 0)
		goto done;
	it.data = (const unsigned char *)buf;
	it.len = have;
	switch (member_plan(&it, buf, have, n == 0)) {
	case PLAN_TEXT:
		st = member_text(w, a, &it, &b, buf, have, &total);
		break;
	case PLAN_SLURP: {
		unsigned char *all = NULL;
		size_t all_len = 0;
		st = arc_slurp(a, buf, have, &b, &all, &all_len);
		total = all_len;
		if (all != NULL && !w->halted) {
			it.data = all;
			it.len = all_len;
			findings_part_set_bytes(w->f, it.part, total);
			walk_content(w, &it);
		}
		free(all);
		break;
	}
	default:
		findings_part_set_bytes(w->f, it.part, have);
		walk_content(w, &it);
		if (n > 0 && !w->halted)
			st = arc_drain(a, buf, CHUNK, &b, &total);
		break;
	}
done:
	findings_part_set_bytes(w->f, it.part, total);
	if (st != ARC_OK)
		findings_part_unscannable(w->f, it.part, arc_reason(st));
	else if (!w->halted && e->size > 0 && total < (uint64_t)e->size)
		/* libarchive handed out less than the header declares (data
		 * behind a mode it will not read as a file): unread. */
		findings_part_unscannable(w->f, it.part, UNSCAN_CORRUPT_ARCHIVE);
	return st == ARC_ENCRYPTED ? ARC_OK : st;
}

/* An archive: a container part, each regular member a part of its own. */
void walk_archive(struct walk *w, const struct item *it)
{
	enum arc_status st;
	findings_part_set_status(w->f, it->part, PART_CONTAINER);
	struct arc *a = arc_open(it->data, it->len, it->filename, w->lim->max_expansion_ratio, &st);
	char *buf = a ? malloc(CHUNK) : NULL;
	if (buf == NULL) {
		arc_close(a);
		if (a != NULL || st == ARC_NOMEM)
			walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
		else
			findings_part_unscannable(w->f, it->part, arc_reason(st));
		return;
	}
	struct arc_entry e;
	unsigned entries = 0;
	while (!w->halted && (st = arc_next(a, &e)) == ARC_OK) {
		if (++entries > w->lim->max_archive_entries) {
			findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
			st = ARC_END;
			break;
		}
		/* A member with data is read whatever its type says (arc_open
		 * already unhides zip members; this catches other formats); a
		 * link's target is text that unpacks as a file's content on
		 * some tools, so it is read too. */
		if (e.regular || e.size > 0) {
			if ((st = walk_member(w, a, &e, it, buf, false)) != ARC_OK)
				break;
		} else if (e.link[0] != '\0') {
			int li = walk_child(w, it, e.name, mediatype_for_name(e.name), e.name, e.link,
					    strlen(e.link), false);
			if (li < 0)
				break;
			if (e.link_cut)
				findings_part_unscannable(w->f, (unsigned)li, UNSCAN_LIMIT_SIZE);
		}
	}
	if (st == ARC_NOMEM)
		walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
	else if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	free(buf);
	arc_close(a);
}
