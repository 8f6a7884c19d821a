/*
 * walk.c - walk one message: the MIME tree (GMime), archives (archive.c),
 * office documents, PDF (pdf.c), sealed content (pgp.c); every piece of
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
 *    addresses, not content.
 *  - Content is sniffed whatever its declared type: a PDF or archive magic
 *    wins, text-looking bytes are scanned as text, and only what is left is
 *    judged by type.  So an "image/png" that is really a CSV is scanned.
 *  - Images, audio, video and fonts that are not text are recorded as
 *    scanned with no text: they cannot carry an address list as text, and
 *    marking them unscannable would hold every message with a logo.  An
 *    unknown binary application/... type may hold text in a format we do
 *    not read (legacy Office, RTF-in-OLE, ...): unsupported-type.
 *  - Detached signatures, keys and certificates are scanned with no text.
 *  - Leaves in 7bit/8bit/binary are read in place from the caller's
 *    buffer (GMime persists substreams of it); others are decoded once.
 *    Charsets are converted while streaming (textx, iconv with GMime's
 *    charset names), not by a filter stream, to avoid a second copy.
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

#include "grondslag/archive.h"
#include "grondslag/pdf.h"
#include "grondslag/pgp.h"
#include "grondslag/plainmsg.h"
#include "grondslag/textx.h"
#include "grondslag/walk.h"

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
	if (!w->pgp.found && pgp_inline_update(&w->pgp, buf, len))
		findings_part_unscannable(w->f, w->part, UNSCAN_PGP_INLINE);
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

/* Only the Subject of a message (or header block) is text. */
static void walk_subject(struct walk *w, GMimeMessage *m, const char *prefix, unsigned depth)
{
	const char *s = g_mime_message_get_subject(m);
	walk_subject_text(w, s, s != NULL ? strlen(s) : 0, prefix, depth);
}

/* A message held as bytes (an .eml attachment, text/rfc822-headers). */
static void walk_embedded(struct walk *w, const struct item *it, bool headers_only)
{
	struct parsed p;
	GMimeMessage *m = parse_open(&p, it->data, it->len);
	if (m == NULL) {
		parse_close(&p);
		if (!headers_only)
			walk_text(w, it->part, TEXTX_PLAIN, it->charset, it->data, it->len);
		return;
	}
	if (headers_only) {
		const char *s = g_mime_message_get_subject(m);
		walk_text(w, it->part, TEXTX_PLAIN, NULL, s ? s : "", s ? strlen(s) : 0);
	} else {
		findings_part_set_status(w->f, it->part, PART_CONTAINER);
		walk_message_body(w, m, it->path, it->depth + 1);
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

/* PDF text from the out-of-process extractor. */
static void walk_pdf(struct walk *w, const struct item *it)
{
	const struct walk_limits *l = w->lim;
	uint64_t left = remaining_ms(w), wall = ((uint64_t)l->pdf_seconds + 2) * 1000u;
	struct pdf_options o = {
		.pdftotext = l->pdftotext,
		.cpu_seconds = l->pdf_seconds,
		.max_memory = l->pdf_max_memory,
		.wall_ms = (unsigned)(left < wall ? (left > 100 ? left : 100) : wall),
		.max_output = l->max_expanded_bytes > w->expanded
				      ? l->max_expanded_bytes - w->expanded + 1 : 1,
	};
	struct pdf_ctx c = {w, stream_open(w, it->part, TEXTX_PLAIN, NULL)};
	if (c.t == NULL)
		return;
	int rc = 0;
	enum pdf_status st = pdf_extract(it->data, it->len, &o, pdf_emit, &c, &rc);
	stream_close(w, c.t);
	switch (st) {
	case PDF_OK:
	case PDF_STOPPED:	/* the handler's stop, or a limit, is already recorded */
		break;
	case PDF_TIMEOUT:
		findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_TIME);
		break;
	case PDF_OUTPUT_LIMIT:
		halt(w, UNSCAN_LIMIT_SIZE, (int)it->part);
		break;
	default:
		findings_part_unscannable(w->f, it->part, UNSCAN_PDF_FAILED);
		break;
	}
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

/* Office document: the text members through one XML-joining stream. */
static void walk_office(struct walk *w, const struct item *it, enum arc_office kind)
{
	enum arc_status st;
	struct arc *a = arc_open(it->data, it->len, it->filename, w->lim->max_expansion_ratio, &st);
	if (a == NULL) {
		findings_part_unscannable(w->f, it->part, arc_reason(st));
		return;
	}
	char *buf = malloc(CHUNK);
	struct textx *t = buf ? stream_open(w, it->part, TEXTX_OFFICE, NULL) : NULL;
	if (t == NULL) {
		free(buf);
		arc_close(a);
		halt(w, UNSCAN_INTERNAL, (int)it->part);
		return;
	}
	struct charge_ctx cc = {w, it->part};
	struct arc_budget b = {charge, &cc};
	struct arc_entry e;
	unsigned entries = 0;
	while (!w->halted && (st = arc_next(a, &e)) == ARC_OK) {
		if (++entries > w->lim->max_archive_entries) {
			st = ARC_END;
			findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
			break;
		}
		if (!e.regular || !arc_office_text_member(kind, e.name) || e.encrypted) {
			if (e.encrypted)
				findings_part_unscannable(w->f, it->part, UNSCAN_ENCRYPTED_ARCHIVE);
			if ((st = arc_skip(a)) != ARC_OK)
				break;
			continue;
		}
		(void)textx_next_document(t);
		ssize_t n;
		while ((n = arc_read_budget(a, buf, CHUNK, &b, &st)) > 0)
			(void)textx_update(t, buf, (size_t)n);
		if (n < 0)
			break;
	}
	if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	stream_close(w, t);
	free(buf);
	arc_close(a);
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
	PLAN_SLURP	/* read whole: archive, PDF, message */
};

static enum member_plan member_plan(const struct item *it, const char *buf, size_t have,
				    bool complete)
{
	enum textx_name nk = textx_name_kind(it->filename);
	if (complete)
		return PLAN_FIRST;
	if (pdf_magic(buf, have) || arc_magic(buf, have) || nk == TEXTX_NAME_MESSAGE ||
	    strcmp(it->type, "application/pdf") == 0)
		return PLAN_SLURP;
	if (nk != TEXTX_NAME_UNKNOWN || textx_sniff(buf, have) != TEXTX_SNIFF_BINARY)
		return PLAN_TEXT;
	return PLAN_FIRST;
}

/* Read one archive member.  Returns what should end the archive:
 * ARC_OK (go on), ARC_CORRUPT, ARC_RATIO, ARC_NOMEM. */
static enum arc_status walk_member(struct walk *w, struct arc *a, const struct arc_entry *e,
				   const struct item *parent, char *buf)
{
	char path[PATH_CAP];
	join_path(path, parent->path, "!", e->name);
	struct item it = {.depth = parent->depth + 1, .path = path, .filename = e->name,
			  .type = textx_type_for_name(e->name)};
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
		if (e.regular && (st = walk_member(w, a, &e, it, buf)) != ARC_OK)
			break;
	}
	if (st == ARC_NOMEM)
		halt(w, UNSCAN_INTERNAL, (int)it->part);
	else if (st != ARC_OK && st != ARC_END)
		findings_part_unscannable(w->f, it->part, arc_reason(st));
	free(buf);
	arc_close(a);
}

/* ---- dispatch ------------------------------------------------------------------- */

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
}

/* Media types that cannot hold text unless their bytes say otherwise. */
static bool is_media(const char *type)
{
	return strncmp(type, "image/", 6) == 0 || strncmp(type, "audio/", 6) == 0 ||
	       strncmp(type, "video/", 6) == 0 || strncmp(type, "font/", 5) == 0 ||
	       strncmp(type, "model/", 6) == 0;
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
	if (pk == PGP_KIND_NOT_CONTENT)
		return;
	if (pk != PGP_KIND_NONE || pgp_tnef_magic(it->data, it->len)) {
		findings_part_unscannable(w->f, it->part, pk != PGP_KIND_NONE ? sealed[pk] : UNSCAN_TNEF);
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
		enum arc_office ok = arc_office_kind(it->data, it->len, it->type, it->filename);
		if (ok != ARC_OFFICE_NONE)
			walk_office(w, it, ok);
		else
			walk_archive(w, it);
		return;
	}
	if (texty && (textx_name_kind(it->filename) == TEXTX_NAME_MESSAGE ||
		      strcmp(it->type, "message/rfc822") == 0)) {
		walk_embedded(w, it, false);
		return;
	}
	if (texty || textx_type_is_text(it->type) ||
	    textx_name_kind(it->filename) != TEXTX_NAME_UNKNOWN) {
		walk_text_item(w, it, sn);
		return;
	}
	if (!is_media(it->type))
		findings_part_unscannable(w->f, it->part, UNSCAN_UNSUPPORTED_TYPE);
}

/* ---- the MIME tree ---------------------------------------------------------------- */

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
	if (src != NULL && GMIME_IS_STREAM_MEM(src) &&
	    (enc == GMIME_CONTENT_ENCODING_DEFAULT || enc == GMIME_CONTENT_ENCODING_7BIT ||
	     enc == GMIME_CONTENT_ENCODING_8BIT || enc == GMIME_CONTENT_ENCODING_BINARY)) {
		GByteArray *arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(src));
		if (arr != NULL && arr->data != NULL) {
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
	}
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
	struct walk w = {.lim = lim, .f = f, .h = h, .arg = arg, .start_ms = now_ms()};
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
