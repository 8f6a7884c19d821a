/*
 * walk.c - walk one message: the MIME tree (GMime), archives (archive.c),
 * office documents, OLE2 (ole2.c), TNEF (tnef.c), RTF (rtf.c), PDF
 * (pdf.c), sealed content (pgp.c), with the bytes sniffed (sniff.c); every piece of
 * readable text goes to the handler as UTF-8 (textx.c), every part and
 * every unreadable thing goes into the findings (see walk.h).
 *
 * Part paths follow IMAP (RFC 3501 section 6.4.5): leaves and nested
 * multiparts are "1", "2.1"; a multipart that is the body of a message
 * has no number of its own in IMAP, so it is listed as "TEXT" (top) or
 * "3.TEXT" (inside the message/rfc822 part "3"); an inner message's
 * Subject is "3.subject".  Archive members follow "!" ("2!a.zip!b.csv").
 * Depth: the top body is 0, each multipart, message or archive level adds
 * one.  The top Subject does not count against MaxParts.
 *
 * Decisions, and why:
 *  - Only Subject is scanned of any header block (also of inner messages
 *    and text/rfc822-headers): the rest is transport data full of relay
 *    addresses, not content.  It is decoded by our own RFC 2047 decoder.
 *  - The label is a hint, the bytes decide (sniff.h): a PDF, archive,
 *    OLE2, RTF or media signature wins over the declared type and name,
 *    text-looking bytes are scanned as text, and only what is left is
 *    judged by type.  So an "image/png" that is really a CSV is scanned,
 *    a GIF with a zip appended is walked as the zip, an LZMA stream under
 *    an image label is unpacked.
 *  - Images, audio, video and fonts whose bytes are such a format are
 *    recorded as scanned with no text; data past a GIF/PNG/JPEG's end is
 *    read as what it is.  A media label over bytes of no media format is
 *    type-mismatch.  An unknown binary application/... type may hold
 *    text in a format we do not read: unsupported-type.
 *  - Detached signatures, keys and certificates are scanned with no text
 *    only when their bytes are one (DER, PEM, OpenPGP); otherwise they are
 *    content.
 *  - Leaves in 7bit/8bit/binary are read in place from the caller's
 *    buffer (GMime persists substreams of it); others are decoded once.
 *    A base64 part whose bytes are not base64 is also read as text and
 *    marked decode-failed; base64 blobs inside text are decoded and
 *    walked as parts "<part>!base64@<offset>".
 *    Charsets are converted while streaming (textx, iconv with GMime's
 *    charset names), not by a filter stream, to avoid a second copy.
 *  - Duplicate Content-Type / Content-Transfer-Encoding headers: GMime's
 *    reading (the last) and every other one ("<path>~<k>") are walked.
 *  - Office documents: every member, none chosen by name: XML parts are
 *    the document's text, other members are walked like archive members
 *    (embedded workbooks, objects); unknown binary there is no finding.
 *  - PDF: text (pdftotext) and embedded files (pdfdetach, "<pdf>!<name>").
 *  - OLE2 (ole2.c, libgsf in process on our buffer) and TNEF (tnef.c, our
 *    own reader): every stream or item a part, document streams as their
 *    text.  In process because both readers are bounded by the file
 *    (streams no larger than it, text a fixed multiple of its stream,
 *    stream and item counts capped) and every byte they hand out is
 *    charged to MaxExpandedSize like an archive member's.
 *  - message/partial is scanned as raw text and also marked
 *    unsupported-type: the other fragments are in other messages.
 *  - Limits: MaxParts, time and MaxExpandedSize end the whole walk (the
 *    message carries the reason; the part being read too); depth marks the
 *    part that would be too deep; entries and ratio mark the archive (and
 *    the member being read), the rest of it unread.
 *
 * Limits: recursion is bounded by max_depth (the config caps it at 100);
 * per archive level one 64 KiB buffer; part paths are cut at 1 KiB.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include "grondslag/scan/archive.h"
#include "grondslag/scan/ole2.h"
#include "grondslag/scan/pdf.h"
#include "grondslag/scan/pgp.h"
#include "grondslag/scan/readers.h"
#include "grondslag/scan/plainmsg.h"
#include "grondslag/scan/rfc2047.h"
#include "grondslag/scan/rtf.h"
#include "grondslag/scan/sniff.h"
#include "grondslag/scan/textx.h"
#include "grondslag/scan/tnef.h"
#include "grondslag/scan/walk.h"

#define CHUNK 65536
#define PATH_CAP 1024
#define TYPE_CAP 128

struct walk {
	const struct walk_limits *lim;
	struct findings *f;
	const struct walk_handler *h;
	void *arg;
	uint64_t start_ms;
	unsigned nparts;
	uint64_t expanded;
	int stop;		/* the handler's stop value */
	bool halted;		/* a message-wide limit, a stop or an error */
	bool internal;
	unsigned part;		/* the part of the open text stream */
	struct pgp_inline pgp;
	GByteArray *armor;	/* the text from an inline armour line on */
	const char *raw;	/* the buffer GMime's header offsets point into */
	size_t raw_len;
};

/* One piece of content to classify and read. */
struct item {
	unsigned part;
	unsigned depth;
	const char *path;
	const char *type;	/* lower case "type/subtype" */
	const char *filename;	/* may be NULL */
	const char *charset;	/* may be NULL */
	const char *smime_type;	/* may be NULL */
	const unsigned char *data;
	size_t len;
	bool lenient;		/* unknown binary here is no finding (see walk_binary) */
};

void walk_limits_default(struct walk_limits *l)
{
	memset(l, 0, sizeof *l);
	l->max_message_bytes = 50ull << 20;
	l->max_parts = 1000;
	l->max_depth = 12;
	l->max_archive_entries = 10000;
	l->max_expansion_ratio = 100;
	l->max_expanded_bytes = 500ull << 20;
	l->max_seconds = 60;
	l->pdf_seconds = 10;
	l->pdf_max_memory = 512ull << 20;
	l->pdftotext = PDF_DEFAULT_PDFTOTEXT;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- limits and bookkeeping -------------------------------------------- */

/* Stop the whole walk with a message-level reason (and the part's). */
static void halt(struct walk *w, enum unscan_reason r, int part)
{
	if (part >= 0)
		findings_part_unscannable(w->f, (unsigned)part, r);
	findings_message_unscannable(w->f, r);
	w->halted = true;
	if (r == UNSCAN_INTERNAL)
		w->internal = true;
}

static uint64_t remaining_ms(const struct walk *w)
{
	uint64_t used = now_ms() - w->start_ms, max = (uint64_t)w->lim->max_seconds * 1000u;
	return used >= max ? 0 : max - used;
}

/* Check the wall clock; part is the part being read, or -1. */
static bool time_ok(struct walk *w, int part)
{
	if (w->halted)
		return false;
	if (remaining_ms(w) == 0) {
		halt(w, UNSCAN_LIMIT_TIME, part);
		return false;
	}
	return true;
}

/* Count decoded bytes against MaxExpandedSize. */
static bool account(struct walk *w, unsigned part, uint64_t n)
{
	w->expanded += n;
	if (w->expanded > w->lim->max_expanded_bytes) {
		halt(w, UNSCAN_LIMIT_SIZE, (int)part);
		return false;
	}
	return true;
}

/* Add a part, within MaxParts and time; -1 when the walk must stop. */
static int add_part(struct walk *w, const char *path, const char *type, const char *filename,
		    unsigned depth)
{
	if (!time_ok(w, -1))
		return -1;
	if (w->nparts >= w->lim->max_parts) {
		halt(w, UNSCAN_LIMIT_PARTS, -1);
		return -1;
	}
	int idx = findings_part_add(w->f, path, type, filename, depth);
	if (idx < 0) {
		halt(w, UNSCAN_INTERNAL, -1);
		return -1;
	}
	w->nparts++;
	return idx;
}

/* prefix + sep + name, or name alone when prefix is empty; cut to fit. */
static void join_path(char *out, const char *prefix, const char *sep, const char *name)
{
	if (prefix == NULL || *prefix == '\0')
		snprintf(out, PATH_CAP, "%s", name);
	else
		snprintf(out, PATH_CAP, "%s%s%s", prefix, sep, name);
}

/* ---- text streams --------------------------------------------------------- */

/* textx output: watch for inline PGP, hand on, check the clock. */
static int stream_emit(void *arg, const char *buf, size_t len)
{
	struct walk *w = arg;
	if (w->halted)
		return -1;
	if (!w->pgp.found && pgp_inline_update(&w->pgp, buf, len)) {
		findings_part_unscannable(w->f, w->part, UNSCAN_PGP_INLINE);
		/* Keep the decoded text from the armour line on (its start
		 * may be in the saved tail): HTML, quoted-printable and
		 * charsets are undone, the readers are read at the close. */
		w->armor = g_byte_array_new();
		g_byte_array_append(w->armor, (const guint8 *)w->pgp.tail, (guint)w->pgp.tail_len);
	}
	if (w->armor != NULL && w->armor->len < 2 * READERS_ARMOR_MAX) {
		size_t room = 2 * READERS_ARMOR_MAX - w->armor->len;
		g_byte_array_append(w->armor, (const guint8 *)buf, (guint)(len < room ? len : room));
	}
	if (w->h->text != NULL) {
		int rc = w->h->text(w->arg, w->part, buf, len);
		if (rc != 0) {
			w->stop = rc;
			w->halted = true;
			return rc;
		}
	}
	return time_ok(w, (int)w->part) ? 0 : -1;
}

static enum readers_status walk_readers(struct walk *w, unsigned part, const void *data,
					size_t len, bool armor_only);

/* Open a text stream for part: converter + handler begin. */
static struct textx *stream_open(struct walk *w, unsigned part, enum textx_markup m,
				 const char *charset)
{
	struct textx *t = textx_alloc(m, charset, stream_emit, w);
	if (t == NULL) {
		halt(w, UNSCAN_INTERNAL, (int)part);
		return NULL;
	}
	const struct finding_part *fp = findings_part(w->f, part);
	if (fp != NULL && textx_type_folds(fp->type))
		textx_unfold_lines(t);
	w->part = part;
	pgp_inline_init(&w->pgp);
	if (w->h->begin != NULL)
		w->h->begin(w->arg, part);
	return t;
}

static void stream_close(struct walk *w, struct textx *t)
{
	if (!w->halted)
		(void)textx_finish(t);
	if (w->armor != NULL) {	/* inline armour: its readers */
		walk_readers(w, w->part, w->armor->data, w->armor->len, true);
		g_byte_array_free(w->armor, TRUE);
		w->armor = NULL;
	}
	if (w->h->end != NULL)
		w->h->end(w->arg, w->part);
	textx_free(t);
}

/* A whole buffer as one text stream, fed in CHUNK slices. */
static void walk_text(struct walk *w, unsigned part, enum textx_markup m, const char *charset,
		      const void *data, size_t len)
{
	struct textx *t = stream_open(w, part, m, charset);
	if (t == NULL)
		return;
	const char *p = data;
	for (size_t off = 0; off < len && !w->halted; off += CHUNK)
		(void)textx_update(t, p + off, len - off < CHUNK ? len - off : CHUNK);
	stream_close(w, t);
}

/* ---- GMime helpers ---------------------------------------------------------- */

/* A message parsed in place: GMime reads our buffer without copying it
 * (a GByteArray wrapped around it, never owned) and the parts keep
 * substreams of it (persist stream) instead of copies. */
struct parsed {
	GByteArray *ba;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
};

static GMimeMessage *parse_open(struct parsed *p, const void *data, size_t len)
{
	memset(p, 0, sizeof *p);
	if (len > G_MAXUINT)
		return NULL;
	p->ba = g_byte_array_new_take((guint8 *)(uintptr_t)data, len);
	p->stream = g_mime_stream_mem_new_with_byte_array(p->ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(p->stream), FALSE);
	p->parser = g_mime_parser_new_with_stream(p->stream);
	g_mime_parser_set_persist_stream(p->parser, TRUE);
	g_mime_parser_set_format(p->parser, GMIME_FORMAT_MESSAGE);
	p->msg = g_mime_parser_construct_message(p->parser, NULL);
	return p->msg;
}

static void parse_close(struct parsed *p)
{
	if (p->msg != NULL)
		g_object_unref(p->msg);
	if (p->parser != NULL)
		g_object_unref(p->parser);
	if (p->stream != NULL)
		g_object_unref(p->stream);
	if (p->ba != NULL)
		(void)g_byte_array_free(p->ba, FALSE);	/* the bytes are the caller's */
}

/* "type/subtype" in lower case, bounded. */
static void content_type_of(GMimeObject *obj, char *out)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *t = ct ? g_mime_content_type_get_media_type(ct) : NULL;
	const char *s = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
	snprintf(out, TYPE_CAP, "%s/%s", t ? t : "application", s ? s : "octet-stream");
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

static const char *ct_param(GMimeObject *obj, const char *name)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	return ct ? g_mime_content_type_get_parameter(ct, name) : NULL;
}

/* ---- content ------------------------------------------------------------------ */

static void walk_content(struct walk *w, const struct item *it);
static void walk_message_body(struct walk *w, GMimeMessage *m, const char *prefix,
			      unsigned depth);

/* The Subject s (n bytes) of the message at prefix as a text part. */
static void walk_subject_text(struct walk *w, const char *s, size_t n, const char *prefix,
			      unsigned depth)
{
	if (s == NULL || n == 0 || w->halted)
		return;
	char path[PATH_CAP];
	join_path(path, prefix, ".", "subject");
	int idx = *prefix == '\0' ? findings_part_add(w->f, path, "text/plain", NULL, depth)
				  : add_part(w, path, "text/plain", NULL, depth);
	if (idx < 0) {
		if (!w->halted)
			halt(w, UNSCAN_INTERNAL, -1);
		return;
	}
	findings_part_set_bytes(w->f, (unsigned)idx, n);
	walk_text(w, (unsigned)idx, TEXTX_PLAIN, NULL, s, n);
}

/* The Subject of a message decoded by our own RFC 2047 decoder (GMime's
 * drops text after a padded base64 word); NULL when there is none.  Out
 * of memory the walk halts: a Subject is content, never skipped unread. */
static char *subject_of(struct walk *w, GMimeMessage *m, int part, size_t *n)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	GMimeHeader *h = hl ? g_mime_header_list_get_header(hl, "Subject") : NULL;
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	*n = 0;
	if (raw == NULL)
		return NULL;
	while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
		raw++;
	size_t len = strlen(raw);
	while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\t' || raw[len - 1] == '\r' ||
			   raw[len - 1] == '\n'))
		len--;
	char *s = rfc2047_decode(raw, len, 4 * len + 16, n);
	if (s == NULL)
		halt(w, UNSCAN_INTERNAL, part);
	return s;
}

/* Only the Subject of a message (or header block) is text. */
static void walk_subject(struct walk *w, GMimeMessage *m, const char *prefix, unsigned depth)
{
	size_t n;
	char *s = subject_of(w, m, -1, &n);
	walk_subject_text(w, s, n, prefix, depth);
	free(s);
}

static void walk_text_item(struct walk *w, const struct item *it, enum textx_sniff sn);

/* A message held as bytes (an .eml attachment, text/rfc822-headers).
 * Bytes GMime cannot make a message of are read as text and marked, as
 * the top-level message is: no header block tells what to leave out. */
static void walk_embedded(struct walk *w, const struct item *it, bool headers_only)
{
	struct parsed p;
	GMimeMessage *m = parse_open(&p, it->data, it->len);
	if (m == NULL) {
		parse_close(&p);
		findings_part_unscannable(w->f, it->part, UNSCAN_MALFORMED_MIME);
		walk_text_item(w, it, textx_sniff(it->data, it->len));
		return;
	}
	if (headers_only) {
		size_t n;
		char *s = subject_of(w, m, (int)it->part, &n);
		if (!w->halted)
			walk_text(w, it->part, TEXTX_PLAIN, NULL, s ? s : "", n);
		free(s);
	} else {
		const char *raw = w->raw;
		size_t raw_len = w->raw_len;
		w->raw = (const char *)it->data;
		w->raw_len = it->len;
		findings_part_set_status(w->f, it->part, PART_CONTAINER);
		walk_message_body(w, m, it->path, it->depth + 1);
		w->raw = raw;
		w->raw_len = raw_len;
	}
	parse_close(&p);
}

/* ---- PDF ---------------------------------------------------------------------- */

struct pdf_ctx {
	struct walk *w;
	struct textx *t;
};

static int pdf_emit(void *arg, const char *buf, size_t len)
{
	struct pdf_ctx *c = arg;
	if (!account(c->w, c->w->part, len))
		return -1;
	return textx_update(c->t, buf, len);
}

static void walk_content(struct walk *w, const struct item *it);

/* Bytes found inside a part (a PDF attachment, an RTF object, a base64
 * blob) as a part of its own at "<parent>!<name>", read as what they are.
 * Its part index, or -1 when no part could be added (the walk is halted). */
static int walk_child(struct walk *w, const struct item *parent, const char *name,
		       const char *type, const char *filename, const void *data, size_t n,
		       bool lenient)
{
	char path[PATH_CAP];
	join_path(path, parent->path, "!", name);
	struct item sub = {.depth = parent->depth + 1, .path = path, .type = type,
			   .filename = filename, .data = data, .len = n, .lenient = lenient};
	int idx = add_part(w, path, type, filename, sub.depth);
	if (idx < 0)
		return -1;
	sub.part = (unsigned)idx;
	findings_part_set_bytes(w->f, sub.part, n);
	if (sub.depth > w->lim->max_depth)
		findings_part_unscannable(w->f, sub.part, UNSCAN_LIMIT_DEPTH);
	else if (account(w, sub.part, n))
		walk_content(w, &sub);
	return idx;
}

/* Each embedded file of a PDF is a part of its own, "<pdf>!<name>". */
struct pdf_files_ctx {
	struct walk *w;
	const struct item *pdf;
};

static int pdf_file(void *arg, const char *name, const void *data, size_t n)
{
	struct pdf_files_ctx *c = arg;
	char safe[256];
	size_t k = 0;
	for (; name[k] && k + 1 < sizeof safe; k++)
		safe[k] = (unsigned char)name[k] < 0x20 || name[k] == 0x7f ? '?' : name[k];
	safe[k] = '\0';
	if (walk_child(c->w, c->pdf, k ? safe : "?", textx_type_for_name(safe), safe, data, n,
		       false) < 0)
		return -1;
	return c->w->halted ? -1 : 0;
}

/* The PDF child's time and output for what is left of the walk's. */
static void pdf_budget(const struct walk *w, struct pdf_options *o)
{
	uint64_t left = remaining_ms(w), wall = ((uint64_t)w->lim->pdf_seconds + 2) * 1000u;
	o->wall_ms = (unsigned)(left < wall ? (left > 100 ? left : 100) : wall);
	o->max_output = w->lim->max_expanded_bytes > w->expanded
				? w->lim->max_expanded_bytes - w->expanded + 1 : 1;
}

/* Record how a PDF child ended (room: parts left, for PDF_TOO_MANY). */
static void pdf_outcome(struct walk *w, unsigned part, enum pdf_status st, unsigned room)
{
	switch (st) {
	case PDF_OK:
	case PDF_STOPPED:	/* the handler's stop, or a limit, is already recorded */
		break;
	case PDF_TIMEOUT:
		findings_part_unscannable(w->f, part, UNSCAN_LIMIT_TIME);
		break;
	case PDF_TOO_MANY:
		findings_part_unscannable(w->f, part, room < PDF_MAX_ATTACHMENTS
							  ? UNSCAN_LIMIT_PARTS : UNSCAN_LIMIT_ENTRIES);
		break;
	case PDF_OUTPUT_LIMIT:
		halt(w, UNSCAN_LIMIT_SIZE, (int)part);
		break;
	default:
		findings_part_unscannable(w->f, part, UNSCAN_PDF_FAILED);
		break;
	}
}

/* PDF text from the out-of-process extractor, then its embedded files,
 * walked like archive members. */
static void walk_pdf(struct walk *w, const struct item *it)
{
	const struct walk_limits *l = w->lim;
	struct pdf_options o = {
		.pdftotext = l->pdftotext,
		.cpu_seconds = l->pdf_seconds,
		.max_memory = l->pdf_max_memory,
	};
	pdf_budget(w, &o);
	struct pdf_ctx c = {w, stream_open(w, it->part, TEXTX_PLAIN, NULL)};
	if (c.t == NULL)
		return;
	int rc = 0;
	enum pdf_status st = pdf_extract(it->data, it->len, &o, pdf_emit, &c, &rc);
	stream_close(w, c.t);
	pdf_outcome(w, it->part, st, 0);
	if (st != PDF_OK || w->halted)
		return;
	pdf_budget(w, &o);
	unsigned room = l->max_parts > w->nparts ? l->max_parts - w->nparts : 0, n;
	struct pdf_files_ctx fc = {w, it};
	st = pdf_attachments(it->data, it->len, &o, room, pdf_file, &fc, &n);
	pdf_outcome(w, it->part, st, room);
}

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
	return time_ok(c->w, (int)c->part) && (bytes == 0 || account(c->w, c->part, bytes));
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
 * text elements (TEXTX_OFFICE); any other XML (custom XML data, document
 * properties, parts of vocabularies we do not know) is read whole. */
static enum textx_markup xml_markup(const char *p, size_t n)
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
				return TEXTX_OFFICE;
		return TEXTX_XML;
	}
	return TEXTX_OFFICE;
}

/* Office pass 1: every XML part through one XML-joining stream (the
 * office markup keeps only document text and values); the members that
 * are not XML are marked in other[] for pass 2.  Returns the status that
 * ended the archive. */
static enum arc_status office_xml(struct walk *w, const struct item *it, struct arc *a,
				  char *buf, bool *other, unsigned *nother)
{
	enum textx_markup cur = TEXTX_OFFICE;
	struct textx *t = stream_open(w, it->part, cur, NULL);
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
		enum textx_markup m = xml_markup(buf, have);
		if (m != cur) {	/* another markup: another stream of the same part */
			stream_close(w, t);
			if ((t = stream_open(w, it->part, cur = m, NULL)) == NULL)
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
	stream_close(w, t);
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
static void walk_office(struct walk *w, const struct item *it)
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
		halt(w, UNSCAN_INTERNAL, (int)it->part);
		return;
	}
	st = office_xml(w, it, a, buf, other, &nother);
	arc_close(a);
	if (st == ARC_NOMEM)
		halt(w, UNSCAN_INTERNAL, (int)it->part);
	else if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	if (nother > 0 && !w->halted) {
		if (it->depth + 1 > w->lim->max_depth)
			findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_DEPTH);
		else if ((st = office_objects(w, it, other, max, buf)) == ARC_NOMEM)
			halt(w, UNSCAN_INTERNAL, (int)it->part);
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
	enum textx_name nk = textx_name_kind(it->filename);
	enum textx_sniff sn = textx_sniff(buf, have);
	enum textx_markup m = nk == TEXTX_NAME_HTML || (nk == TEXTX_NAME_UNKNOWN &&
							 textx_looks_html(buf, have))
				      ? TEXTX_HTML : TEXTX_PLAIN;
	const char *cs = sn == TEXTX_SNIFF_UTF16LE ? "UTF-16LE"
			 : sn == TEXTX_SNIFF_UTF16BE ? "UTF-16BE" : NULL;
	enum arc_status st = ARC_OK;
	struct textx *t = stream_open(w, it->part, m, cs);
	if (t == NULL)
		return ARC_OK;
	(void)textx_update(t, buf, have);
	ssize_t n;
	while (!w->halted && (n = arc_read_budget(a, buf, CHUNK, b, &st)) > 0) {
		*total += (uint64_t)n;
		(void)textx_update(t, buf, (size_t)n);
	}
	stream_close(w, t);
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
	enum textx_name nk = textx_name_kind(it->filename);
	size_t end;
	if (complete)
		return PLAN_FIRST;
	if (pdf_magic(buf, have) || arc_magic(buf, have) || nk == TEXTX_NAME_MESSAGE ||
	    rtf_magic(buf, have) || sniff_ole2(buf, have) || sniff_media(buf, have, &end) ||
	    strcmp(it->type, "application/pdf") == 0)
		return PLAN_SLURP;
	if (nk != TEXTX_NAME_UNKNOWN || textx_sniff(buf, have) != TEXTX_SNIFF_BINARY)
		return PLAN_TEXT;
	return PLAN_FIRST;
}

/* Read one archive member.  Returns what should end the archive:
 * ARC_OK (go on), ARC_CORRUPT, ARC_RATIO, ARC_NOMEM. */
static enum arc_status walk_member(struct walk *w, struct arc *a, const struct arc_entry *e,
				   const struct item *parent, char *buf, bool lenient)
{
	char path[PATH_CAP];
	join_path(path, parent->path, "!", e->name);
	struct item it = {.depth = parent->depth + 1, .path = path, .filename = e->name,
			  .type = textx_type_for_name(e->name), .lenient = lenient};
	int idx = add_part(w, path, it.type, e->name, it.depth);
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
static void walk_archive(struct walk *w, const struct item *it)
{
	enum arc_status st;
	findings_part_set_status(w->f, it->part, PART_CONTAINER);
	struct arc *a = arc_open(it->data, it->len, it->filename, w->lim->max_expansion_ratio, &st);
	char *buf = a ? malloc(CHUNK) : NULL;
	if (buf == NULL) {
		arc_close(a);
		if (a != NULL || st == ARC_NOMEM)
			halt(w, UNSCAN_INTERNAL, (int)it->part);
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
			int li = walk_child(w, it, e.name, textx_type_for_name(e.name), e.name, e.link,
					    strlen(e.link), false);
			if (li < 0)
				break;
			if (e.link_cut)
				findings_part_unscannable(w->f, (unsigned)li, UNSCAN_LIMIT_SIZE);
		}
	}
	if (st == ARC_NOMEM)
		halt(w, UNSCAN_INTERNAL, (int)it->part);
	else if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	free(buf);
	arc_close(a);
}

/* ---- dispatch ------------------------------------------------------------------- */

/* RTF: the text of all groups joined (rtf.h), as one UTF-8 stream; the
 * embedded objects are kept and walked after it (streams never
 * interleave), each a part "<rtf>!object<n>". */
struct rtf_ctx {
	struct textx *t;
	GPtrArray *objs;	/* GBytes of each object */
};

static int rtf_emit(void *arg, const char *s, size_t n)
{
	struct rtf_ctx *c = arg;
	return textx_update(c->t, s, n);
}

static int rtf_obj(void *arg, const unsigned char *data, size_t n)
{
	struct rtf_ctx *c = arg;
	g_ptr_array_add(c->objs, g_bytes_new(data, n));
	return 0;
}

/* An object's payload: an OLE1 header wraps the OLE2 file or zip it
 * carries, so the first such signature in its head is where it starts. */
static size_t rtf_obj_start(const unsigned char *p, size_t n)
{
	size_t lim = n < 4096 ? n : 4096;
	for (size_t i = 0; i + 8 <= lim; i++)
		if (sniff_ole2(p + i, n - i) || memcmp(p + i, "PK\x03\x04", 4) == 0 ||
		    pdf_magic(p + i, 5))
			return i;
	return 0;
}

static void walk_rtf(struct walk *w, const struct item *it)
{
	struct rtf_ctx c = {stream_open(w, it->part, TEXTX_PLAIN, NULL), g_ptr_array_new()};
	if (c.t == NULL) {
		g_ptr_array_free(c.objs, TRUE);
		return;
	}
	if (rtf_text(it->data, it->len, rtf_emit, rtf_obj, &c) == -1)
		halt(w, UNSCAN_INTERNAL, (int)it->part);
	stream_close(w, c.t);
	for (guint i = 0; i < c.objs->len && !w->halted; i++) {
		gsize n;
		const unsigned char *d = g_bytes_get_data(c.objs->pdata[i], &n);
		size_t off = rtf_obj_start(d, n);
		char name[32];
		snprintf(name, sizeof name, "object%u", i + 1);
		if (walk_child(w, it, name, "application/octet-stream", NULL, d + off, n - off, false) < 0)
			break;
	}
	for (guint i = 0; i < c.objs->len; i++)
		g_bytes_unref(c.objs->pdata[i]);
	g_ptr_array_free(c.objs, TRUE);
}

/* OLE2 (legacy Office, .msg, VBA projects, OLE objects): each stream a
 * part "<file>!<storage>/<stream>"; document streams are their text,
 * other streams are read as what their bytes are, unknown binary there
 * being no finding (property sets, tables, pictures).  A document stream
 * our reader cannot read, or a file libgsf cannot open, is ole2. */
struct ole2_ctx {
	struct walk *w;
	const struct item *it;
};

static int ole2_part(void *arg, const char *path, enum ole2_kind kind, const void *data, size_t n)
{
	struct ole2_ctx *c = arg;
	int idx;
	switch (kind) {
	case OLE2_TEXT:
		idx = walk_child(c->w, c->it, path, "text/plain", NULL, data, n, false);
		break;
	case OLE2_STREAM:
		idx = walk_child(c->w, c->it, path, "application/octet-stream", NULL, data, n, true);
		break;
	default:
		idx = walk_child(c->w, c->it, path, "application/octet-stream", NULL, "", 0, true);
		if (idx >= 0)
			findings_part_unscannable(c->w->f, (unsigned)idx,
						  kind == OLE2_LIMIT ? UNSCAN_LIMIT_RATIO : UNSCAN_OLE2);
		break;
	}
	return idx < 0 || c->w->halted ? -1 : 0;
}

static void walk_ole2(struct walk *w, const struct item *it)
{
	struct ole2_ctx c = {w, it};
	findings_part_set_status(w->f, it->part, PART_CONTAINER);
	enum ole2_status st = ole2_read(it->data, it->len, ole2_part, &c);
	if (st == OLE2_ENCRYPTED)
		findings_part_unscannable(w->f, it->part, UNSCAN_ENCRYPTED_ARCHIVE);
	else if (st == OLE2_TOO_MANY)
		findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
	else if (st == OLE2_CORRUPT)
		findings_part_unscannable(w->f, it->part, UNSCAN_OLE2);
}

/* TNEF (winmail.dat): the subject, the bodies and every attachment, each
 * a part "<tnef>!<name>" read as what it is.  A stream we cannot parse
 * is tnef. */
static int tnef_part(void *arg, const char *name, const char *type, const void *data, size_t n)
{
	struct ole2_ctx *c = arg;
	if (walk_child(c->w, c->it, name, type, name, data, n, false) < 0)
		return -1;
	return c->w->halted ? -1 : 0;
}

static void walk_tnef(struct walk *w, const struct item *it)
{
	struct ole2_ctx c = {w, it};
	findings_part_set_status(w->f, it->part, PART_CONTAINER);
	enum tnef_status st = tnef_read(it->data, it->len, tnef_part, &c);
	if (st == TNEF_CORRUPT)
		findings_part_unscannable(w->f, it->part, UNSCAN_TNEF);
	else if (st == TNEF_TOO_MANY)
		findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
}

/* Base64 blobs inside a text (a part labelled 7bit that carries an
 * encoded file, a list pasted encoded) are decoded and read as what they
 * are, each a part of its own ("1!base64@<offset>").  Unknown binary
 * there is no finding: the text itself was read, and such blobs are
 * mostly keys and certificates. */
static void walk_b64_runs(struct walk *w, const struct item *it)
{
	size_t off = 0, s, e;
	while (!w->halted && sniff_b64_run(it->data, it->len, &off, &s, &e, 4)) {
		size_t dl;
		unsigned char *d = sniff_b64_decode(it->data + s, e - s, &dl);
		if (d == NULL) {
			halt(w, UNSCAN_INTERNAL, (int)it->part);
			return;
		}
		char name[40];
		snprintf(name, sizeof name, "base64@%zu", s);
		bool added = walk_child(w, it, name, "application/octet-stream", NULL, d, dl, true) >= 0;
		free(d);
		if (!added)
			return;
	}
}


/* Read an item as text: markup and charset from type, name and bytes. */
static void walk_text_item(struct walk *w, const struct item *it, enum textx_sniff sn)
{
	enum textx_name nk = textx_name_kind(it->filename);
	bool html = strcmp(it->type, "text/html") == 0 || strcmp(it->type, "application/xhtml+xml") == 0 ||
		    nk == TEXTX_NAME_HTML ||
		    (!textx_type_is_text(it->type) && nk == TEXTX_NAME_UNKNOWN &&
		     textx_looks_html(it->data, it->len));
	const char *cs = sn == TEXTX_SNIFF_UTF16LE ? "UTF-16LE"
			 : sn == TEXTX_SNIFF_UTF16BE ? "UTF-16BE" : it->charset;
	walk_text(w, it->part, html ? TEXTX_HTML : TEXTX_PLAIN, cs, it->data, it->len);
	if (sn == TEXTX_SNIFF_TEXT)
		walk_b64_runs(w, it);
}

/* Media types that cannot hold text unless their bytes say otherwise. */
static bool is_media(const char *type)
{
	return strncmp(type, "image/", 6) == 0 || strncmp(type, "audio/", 6) == 0 ||
	       strncmp(type, "video/", 6) == 0 || strncmp(type, "font/", 5) == 0 ||
	       strncmp(type, "model/", 6) == 0;
}

static void walk_archive(struct walk *w, const struct item *it);

/* Bytes past an image's structural end, or a zip whose directory ends the
 * file (a GIFAR), are read: an unzip sees them, an image viewer does not.
 * Trailing bytes that are no format we know are left (cameras append
 * their own data); a media label over bytes of no media format is a
 * disagreement: type-mismatch. */
static void walk_media(struct walk *w, const struct item *it)
{
	size_t end, off = 0;
	if (!sniff_media(it->data, it->len, &end)) {
		if (!it->lenient)
			findings_part_unscannable(w->f, it->part, UNSCAN_TYPE_MISMATCH);
		return;
	}
	if (sniff_zip_at_end(it->data, it->len)) {
		walk_archive(w, it);
		return;
	}
	/* Images one after another (a loop, not recursion: a hostile file
	 * can hold a million), then padding, then whatever is left. */
	for (;;) {
		off += end;
		while (off < it->len && (it->data[off] == 0 || it->data[off] == '\n' ||
					 it->data[off] == '\r' || it->data[off] == ' '))
			off++;
		if (off >= it->len)
			return;
		if (!sniff_media(it->data + off, it->len - off, &end))
			break;
		if (end == 0 || end >= it->len - off)
			return;	/* the rest is one more media file */
	}
	struct item tail = *it;
	tail.data += off;
	tail.len -= off;
	tail.type = "application/octet-stream";
	tail.filename = NULL;
	tail.lenient = true;
	walk_content(w, &tail);
}

/* ---- readers of sealed content ------------------------------------------------ */

struct reader_sink {
	struct findings *f;
	unsigned part;
};

static bool reader_found(void *arg, const struct reader_id *r)
{
	struct reader_sink *s = arg;
	findings_reader_add(s->f, s->part, r);
	return true;
}

/* An unreadable recipient list is reported as such: a sealed part whose
 * readers nobody can name must never look like one with none. */
static void reader_unparsed(struct walk *w, unsigned part)
{
	struct reader_id r;
	memset(&r, 0, sizeof r);
	r.kind = READER_UNPARSED;
	findings_reader_add(w->f, part, &r);
}

/* The readers of sealed bytes (binary OpenPGP, armour or CMS); armour
 * alone when armor_only (text that carries an inline block). */
static enum readers_status walk_readers(struct walk *w, unsigned part, const void *data,
					size_t len, bool armor_only)
{
	struct reader_sink s = {.f = w->f, .part = part};
	enum readers_status st = armor_only ? readers_armor(data, len, reader_found, &s)
					    : readers_scan(data, len, reader_found, &s);
	if (st == READERS_MALFORMED || st == READERS_NONE)
		reader_unparsed(w, part);
	return st;
}

/* Binary bytes of no format read above: media, OpenPGP, or unknown. */
static void walk_binary(struct walk *w, const struct item *it)
{
	size_t end;
	if (sniff_media(it->data, it->len, &end)) {
		walk_media(w, it);
		return;
	}
	enum sniff_pgp k = sniff_pgp_binary(it->data, it->len);
	if (k == SNIFF_PGP_SEALED) {
		findings_part_unscannable(w->f, it->part, UNSCAN_PGP_MIME);
		walk_readers(w, it->part, it->data, it->len, false);
	} else if (k == SNIFF_PGP_KEY)
		return;	/* a key or detached signature: not content */
	else if (is_media(it->type))
		walk_media(w, it);
	else if (!it->lenient)
		findings_part_unscannable(w->f, it->part, UNSCAN_UNSUPPORTED_TYPE);
}

/* Decide what an item is and read it (see the decisions at the top). */
static void walk_content(struct walk *w, const struct item *it)
{
	enum textx_sniff sn = textx_sniff(it->data, it->len);
	bool texty = sn != TEXTX_SNIFF_BINARY;
	static const enum unscan_reason sealed[] = {
		[PGP_KIND_PGP_ENCRYPTED] = UNSCAN_PGP_MIME, [PGP_KIND_SMIME_SEALED] = UNSCAN_SMIME,
		[PGP_KIND_TNEF] = UNSCAN_TNEF};
	enum pgp_kind pk = pgp_classify(it->type, NULL, it->smime_type, it->filename, texty);
	/* A signature label over bytes that are no signature is content. */
	if (pk == PGP_KIND_NOT_CONTENT && sniff_signature(it->data, it->len))
		return;
	if (pk == PGP_KIND_NOT_CONTENT)
		pk = PGP_KIND_NONE;
	if (pgp_tnef_magic(it->data, it->len)) {
		walk_tnef(w, it);
		return;
	}
	if (pk == PGP_KIND_TNEF)
		pk = PGP_KIND_NONE;	/* a TNEF label over other bytes: they decide */
	if (pk != PGP_KIND_NONE) {
		findings_part_unscannable(w->f, it->part, sealed[pk]);
		walk_readers(w, it->part, it->data, it->len, false);
		return;
	}
	if (strcmp(it->type, "text/rfc822-headers") == 0 ||
	    strcmp(it->type, "message/global-headers") == 0) {
		walk_embedded(w, it, true);
		return;
	}
	bool pdf_named = strcmp(it->type, "application/pdf") == 0 ||
			 strcmp(textx_type_for_name(it->filename), "application/pdf") == 0;
	if (pdf_magic(it->data, it->len) || (pdf_named && !texty)) {
		walk_pdf(w, it);
		return;
	}
	if (arc_magic(it->data, it->len)) {
		if (arc_office_kind(it->data, it->len, it->type, it->filename) != ARC_OFFICE_NONE)
			walk_office(w, it);
		else
			walk_archive(w, it);
		return;
	}
	if (sniff_ole2(it->data, it->len)) {
		walk_ole2(w, it);
		return;
	}
	if (texty && (textx_name_kind(it->filename) == TEXTX_NAME_MESSAGE ||
		      strcmp(it->type, "message/rfc822") == 0)) {
		walk_embedded(w, it, false);
		return;
	}
	if (rtf_magic(it->data, it->len)) {	/* \\bin data makes RTF binary */
		walk_rtf(w, it);
		return;
	}
	if (texty || textx_type_is_text(it->type) ||
	    textx_name_kind(it->filename) != TEXTX_NAME_UNKNOWN) {
		walk_text_item(w, it, sn);
		return;
	}
	walk_binary(w, it);
}

/* ---- the MIME tree ---------------------------------------------------------------- */

/* The bytes of a substream of our message buffer, without copying. */
static bool mem_slice(GMimeStream *src, const unsigned char **data, size_t *len)
{
	if (src == NULL || !GMIME_IS_STREAM_MEM(src))
		return false;
	GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(src));
	if (arr == NULL || arr->data == NULL)
		return false;
	gint64 end = src->bound_end < 0 ? (gint64)arr->len : src->bound_end;
	gint64 start = src->bound_start;
	if (end > (gint64)arr->len)
		end = (gint64)arr->len;
	if (start < 0 || start > end)
		start = end;
	*data = arr->data + start;
	*len = (size_t)(end - start);
	return true;
}

/* The decoded bytes of a leaf.  Identity encodings are read in place from
 * the message buffer; others are decoded into *owned. */
static bool leaf_bytes(GMimePart *part, const unsigned char **data, size_t *len,
		       GMimeStream **owned)
{
	static const unsigned char empty[1];
	*data = empty;
	*len = 0;
	*owned = NULL;
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	if (dw == NULL)
		return true;
	GMimeStream *src = g_mime_data_wrapper_get_stream(dw);
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(dw);
	if ((enc == GMIME_CONTENT_ENCODING_DEFAULT || enc == GMIME_CONTENT_ENCODING_7BIT ||
	     enc == GMIME_CONTENT_ENCODING_8BIT || enc == GMIME_CONTENT_ENCODING_BINARY) &&
	    mem_slice(src, data, len))
		return true;
	GMimeStream *out = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, out) < 0) {
		g_object_unref(out);
		return false;
	}
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	if (ba->data != NULL)
		*data = ba->data;
	*len = ba->len;
	*owned = out;
	return true;
}

/* A part labelled base64 whose bytes are not base64 (plain text under a
 * wrong label) decodes to garbage: GMime skips what it cannot decode.
 * Such a part is read as the text it is too, and marked decode-failed. */
static void walk_bad_base64(struct walk *w, GMimePart *part, const struct item *it)
{
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	const unsigned char *raw;
	size_t n;
	if (dw == NULL || g_mime_data_wrapper_get_encoding(dw) != GMIME_CONTENT_ENCODING_BASE64 ||
	    !mem_slice(g_mime_data_wrapper_get_stream(dw), &raw, &n) || w->halted)
		return;
	if (!sniff_b64_mislabelled(raw, n, it->len))
		return;
	findings_part_unscannable(w->f, it->part, UNSCAN_DECODE_FAILED);
	if (account(w, it->part, n))
		walk_text(w, it->part, TEXTX_PLAIN, it->charset, raw, n);
}

/* A MIME leaf: decode, then classify and read. */
static void walk_leaf(struct walk *w, GMimePart *part, const struct item *base)
{
	struct item it = *base;
	GMimeStream *owned = NULL;
	it.charset = ct_param((GMimeObject *)part, "charset");
	it.smime_type = ct_param((GMimeObject *)part, "smime-type");
	if (!leaf_bytes(part, &it.data, &it.len, &owned)) {
		findings_part_unscannable(w->f, it.part, UNSCAN_MALFORMED_MIME);
		return;
	}
	findings_part_set_bytes(w->f, it.part, it.len);
	if (account(w, it.part, it.len)) {
		if (GMIME_IS_MESSAGE_PARTIAL(part)) {
			walk_text(w, it.part, TEXTX_PLAIN, it.charset, it.data, it.len);
			findings_part_unscannable(w->f, it.part, UNSCAN_UNSUPPORTED_TYPE);
		} else {
			walk_content(w, &it);
			walk_bad_base64(w, part, &it);
		}
	}
	if (owned != NULL)
		g_object_unref(owned);
}

static bool blank(const char *s)
{
	for (; s != NULL && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* The text around a multipart's children is content too (a broken
 * boundary leaves everything there): the multipart part's own stream.
 * With no children at all the parts could not be told apart. */
static void walk_prologue(struct walk *w, GMimeMultipart *mp, unsigned idx, int nchildren)
{
	const char *pro = g_mime_multipart_get_prologue(mp);
	const char *epi = g_mime_multipart_get_epilogue(mp);
	if (blank(pro) && blank(epi))
		return;
	if (nchildren == 0)
		findings_part_unscannable(w->f, idx, UNSCAN_MALFORMED_MIME);
	struct textx *t = stream_open(w, idx, TEXTX_PLAIN, NULL);
	if (t == NULL)
		return;
	if (pro != NULL)
		(void)textx_update(t, pro, strlen(pro));
	(void)textx_update(t, "\n", 1);
	if (epi != NULL)
		(void)textx_update(t, epi, strlen(epi));
	stream_close(w, t);
}

static void walk_alternatives(struct walk *w, GMimeObject *obj, const char *path, unsigned idx,
			      unsigned depth);

/* The leaves of a multipart/encrypted asked for readers: the control part
 * and the ciphertext, and a few more a sender might add. */
#define ENCRYPTED_PARTS_READ 4

/* multipart/encrypted is not descended into (its content is ciphertext),
 * but its leaves are asked who can read them: the control part
 * ("Version: 1") names nobody, the ciphertext part names its recipients. */
static void walk_encrypted_readers(struct walk *w, GMimeMultipart *mp, unsigned idx)
{
	int n = g_mime_multipart_get_count(mp);
	bool known = false;
	for (int i = 0; i < n && i < ENCRYPTED_PARTS_READ; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		const unsigned char *data;
		size_t len;
		GMimeStream *owned;
		if (!GMIME_IS_PART(c) || !leaf_bytes(GMIME_PART(c), &data, &len, &owned))
			continue;
		struct reader_sink s = {.f = w->f, .part = idx};
		enum readers_status st = readers_scan(data, len, reader_found, &s);
		known = known || st == READERS_ENCRYPTED || st == READERS_NOT_ENCRYPTED;
		if (st == READERS_MALFORMED)
			reader_unparsed(w, idx);
		if (owned != NULL)
			g_object_unref(owned);
	}
	if (!known)
		reader_unparsed(w, idx);
}

/* One MIME entity at path; children of a multipart are numbered under
 * child_prefix (see the path rules at the top). */
static void walk_object(struct walk *w, GMimeObject *obj, const char *path,
			const char *child_prefix, unsigned depth)
{
	char type[TYPE_CAP];
	content_type_of(obj, type);
	const char *filename = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	int idx = add_part(w, path, type, filename, depth);
	if (idx < 0)
		return;
	if (depth > w->lim->max_depth) {
		findings_part_unscannable(w->f, (unsigned)idx, UNSCAN_LIMIT_DEPTH);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		if (GMIME_IS_MULTIPART_ENCRYPTED(obj) || strcmp(type, "multipart/encrypted") == 0) {
			enum pgp_kind k = pgp_classify(type, ct_param(obj, "protocol"), NULL, NULL, false);
			findings_part_unscannable(w->f, (unsigned)idx, k == PGP_KIND_SMIME_SEALED
								     ? UNSCAN_SMIME : UNSCAN_PGP_MIME);
			walk_encrypted_readers(w, GMIME_MULTIPART(obj), (unsigned)idx);
			return;
		}
		findings_part_set_status(w->f, (unsigned)idx, PART_CONTAINER);
		int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		walk_prologue(w, GMIME_MULTIPART(obj), (unsigned)idx, n);
		for (int i = 0; i < n && !w->halted; i++) {
			char cpath[PATH_CAP], num[16];
			snprintf(num, sizeof num, "%d", i + 1);
			join_path(cpath, child_prefix, ".", num);
			walk_object(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj), i), cpath, cpath,
				    depth + 1);
		}
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		findings_part_set_status(w->f, (unsigned)idx, PART_CONTAINER);
		GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (m != NULL)
			walk_message_body(w, m, path, depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		struct item it = {.part = (unsigned)idx, .depth = depth, .path = path, .type = type,
				  .filename = filename};
		walk_leaf(w, GMIME_PART(obj), &it);
	} else {
		findings_part_unscannable(w->f, (unsigned)idx, UNSCAN_UNSUPPORTED_TYPE);
	}
	walk_alternatives(w, obj, path, (unsigned)idx, depth);
}

/* ---- duplicate Content-Type / Content-Transfer-Encoding ---------------------- */

#define ALT_MAX 4

/* The headers of one entity that decide how its body is read. */
struct alt_headers {
	const char *ct[ALT_MAX], *cte[ALT_MAX], *cd;
	unsigned nct, ncte;
	bool over;		/* more than ALT_MAX of one */
	gint64 last;		/* offset of the last header */
};

static void alt_collect(GMimeObject *obj, struct alt_headers *a)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(obj);
	memset(a, 0, sizeof *a);
	a->last = -1;
	int n = hl ? g_mime_header_list_get_count(hl) : 0;
	for (int i = 0; i < n; i++) {
		GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(h), *raw = g_mime_header_get_raw_value(h);
		if (g_mime_header_get_offset(h) > a->last)
			a->last = g_mime_header_get_offset(h);
		if (name == NULL || raw == NULL)
			continue;
		if (g_ascii_strcasecmp(name, "Content-Type") == 0) {
			if (a->nct < ALT_MAX)
				a->ct[a->nct++] = raw;
			else
				a->over = true;
		} else if (g_ascii_strcasecmp(name, "Content-Transfer-Encoding") == 0) {
			if (a->ncte < ALT_MAX)
				a->cte[a->ncte++] = raw;
			else
				a->over = true;
		} else if (g_ascii_strcasecmp(name, "Content-Disposition") == 0 && a->cd == NULL) {
			a->cd = raw;
		}
	}
}

/* "Name:" + a raw header value, its line end made CRLF. */
static void alt_header(GString *s, const char *name, const char *raw)
{
	size_t n = strlen(raw);
	while (n > 0 && (raw[n - 1] == '\r' || raw[n - 1] == '\n'))
		n--;
	g_string_append(s, name);
	g_string_append_c(s, ':');
	g_string_append_len(s, raw, (gssize)n);
	g_string_append(s, "\r\n");
}

/* Where obj's body starts and ends in w->raw; false when unknown. */
static bool alt_body(const struct walk *w, GMimeObject *obj, gint64 last, size_t *body,
		     size_t *end)
{
	if (w->raw == NULL || last < 0 || (size_t)last >= w->raw_len)
		return false;
	const char *p = w->raw + last, *stop = w->raw + w->raw_len;
	const char *blank = NULL;
	for (; p + 1 < stop; p++)
		if (p[0] == '\n' && (p[1] == '\n' || (p[1] == '\r' && p + 2 < stop && p[2] == '\n'))) {
			blank = p + (p[1] == '\n' ? 2 : 3);
			break;
		}
	if (blank == NULL)
		return false;
	*body = (size_t)(blank - w->raw);
	*end = w->raw_len;
	const unsigned char *d;
	size_t n;
	GMimeDataWrapper *dw = GMIME_IS_PART(obj) ? g_mime_part_get_content(GMIME_PART(obj)) : NULL;
	if (dw != NULL && mem_slice(g_mime_data_wrapper_get_stream(dw), &d, &n) &&
	    (const char *)d >= w->raw && (const char *)d + n <= stop &&
	    (size_t)((const char *)d + n - w->raw) >= *body)
		*end = (size_t)((const char *)d + n - w->raw);
	return true;
}

/* Two Content-Type (or Content-Transfer-Encoding) headers: GMime reads the
 * body by the last, many clients by the first.  Every other combination is
 * read too, as an entity of its own at "<path>~<k>" (one header of each,
 * the body's raw bytes), so no reading sees more than we do. */
static void walk_alternatives(struct walk *w, GMimeObject *obj, const char *path, unsigned idx,
			      unsigned depth)
{
	struct alt_headers a;
	size_t body, end;
	alt_collect(obj, &a);
	if ((a.nct <= 1 && a.ncte <= 1) || w->halted)
		return;
	if (a.over)
		findings_part_unscannable(w->f, idx, UNSCAN_MALFORMED_MIME);
	if (!alt_body(w, obj, a.last, &body, &end)) {
		findings_part_unscannable(w->f, idx, UNSCAN_MALFORMED_MIME);
		return;
	}
	unsigned nct = a.nct ? a.nct : 1, ncte = a.ncte ? a.ncte : 1, k = 0;
	for (unsigned i = 0; i < nct && !w->halted; i++)
		for (unsigned j = 0; j < ncte && !w->halted; j++) {
			if (i == nct - 1 && j == ncte - 1)
				continue;	/* GMime's own reading */
			GString *s = g_string_sized_new(end - body + 512);
			if (a.nct)
				alt_header(s, "Content-Type", a.ct[i]);
			if (a.ncte)
				alt_header(s, "Content-Transfer-Encoding", a.cte[j]);
			if (a.cd)
				alt_header(s, "Content-Disposition", a.cd);
			g_string_append(s, "\r\n");
			g_string_append_len(s, w->raw + body, (gssize)(end - body));
			char apath[PATH_CAP], num[16];
			snprintf(num, sizeof num, "%u", ++k);
			join_path(apath, path, "~", num);
			struct parsed p;
			const char *raw = w->raw;
			size_t raw_len = w->raw_len;
			if (parse_open(&p, s->str, s->len) != NULL) {
				GMimeObject *alt = g_mime_message_get_mime_part(p.msg);
				w->raw = s->str;
				w->raw_len = s->len;
				if (alt != NULL)
					walk_object(w, alt, apath, apath, depth + 1);
				w->raw = raw;
				w->raw_len = raw_len;
			}
			parse_close(&p);
			g_string_free(s, TRUE);
		}
}

/* A message at prefix ("" for the top): its Subject, then its body. */
static void walk_message_body(struct walk *w, GMimeMessage *m, const char *prefix, unsigned depth)
{
	walk_subject(w, m, prefix, depth);
	GMimeObject *body = g_mime_message_get_mime_part(m);
	if (body == NULL || w->halted)
		return;
	char path[PATH_CAP];
	join_path(path, prefix, ".", GMIME_IS_MULTIPART(body) ? "TEXT" : "1");
	walk_object(w, body, path, prefix, depth);
}

/* A message of one plain-text part (plainmsg.h): what walk_message_body
 * does for it, without GMime. */
static void walk_plain(struct walk *w, const char *msg, size_t len, const struct plainmsg *pm)
{
	walk_subject_text(w, pm->subject, pm->subject_len, "", 0);
	if (w->halted)
		return;
	int idx = add_part(w, "1", "text/plain", NULL, 0);
	if (idx < 0)
		return;
	struct item it = {.part = (unsigned)idx, .path = "1", .type = "text/plain",
			  .charset = pm->charset[0] ? pm->charset : NULL,
			  .data = (const unsigned char *)msg + pm->body, .len = len - pm->body};
	findings_part_set_bytes(w->f, it.part, it.len);
	if (account(w, it.part, it.len))
		walk_content(w, &it);
}

int walk_message(const char *msg, size_t len, const struct walk_limits *lim, struct findings *f,
		 const struct walk_handler *h, void *arg)
{
	struct walk_limits defaults;
	if (lim == NULL) {
		walk_limits_default(&defaults);
		lim = &defaults;
	}
	struct walk w = {.lim = lim, .f = f, .h = h, .arg = arg, .start_ms = now_ms(), .raw = msg,
			 .raw_len = len};
	if (f == NULL || h == NULL) {
		if (f != NULL)
			findings_message_unscannable(f, UNSCAN_INTERNAL);
		return -1;
	}
	if (len > lim->max_message_bytes || len > G_MAXUINT) {
		findings_message_unscannable(f, UNSCAN_LIMIT_SIZE);
		return 0;
	}
	if (len == 0 || msg == NULL)
		return 0;
	textx_global_init();
	struct plainmsg pm;
	if (!lim->gmime_always && plainmsg_parse(msg, len, &pm)) {
		walk_plain(&w, msg, len, &pm);
		return w.stop != 0 ? w.stop : w.internal ? -1 : 0;
	}
	struct parsed p;
	if (parse_open(&p, msg, len) != NULL) {
		walk_message_body(&w, p.msg, "", 0);
	} else {
		/* GMime could not make a message of it: read the raw bytes. */
		int idx = add_part(&w, "1", "text/plain", NULL, 0);
		if (idx >= 0) {
			findings_part_set_bytes(f, (unsigned)idx, len);
			walk_text(&w, (unsigned)idx, TEXTX_PLAIN, NULL, msg, len);
			findings_part_unscannable(f, (unsigned)idx, UNSCAN_MALFORMED_MIME);
		}
	}
	parse_close(&p);
	if (w.stop != 0)
		return w.stop;
	return w.internal ? -1 : 0;
}
