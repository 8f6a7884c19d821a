/*
 * walk_formats.c - documents in formats of their own for the walker (see
 * walk_priv.h): PDF (pdftotext and pdfdetach out of process, pdf.c),
 * RTF (rtf.c), OLE2 compound files (ole2.c) and TNEF (tnef.c).  Their
 * text goes to the handler, what they embed to walk_child().
 *
 * Limits: the PDF tools run with the time left and MaxPdfMemory; every
 * byte a reader hands out is charged to MaxExpandedSize.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/clean.h"
#include "grondslag/scan/mediatype.h"
#include "grondslag/scan/ole2.h"
#include "grondslag/scan/pdf.h"
#include "grondslag/scan/rtf.h"
#include "grondslag/scan/tnef.h"
#include "walk_priv.h"

/* ---- PDF ---------------------------------------------------------------------- */

struct pdf_ctx {
	struct walk *w;
	struct textx *t;
};

static int pdf_emit(void *arg, const char *buf, size_t len)
{
	struct pdf_ctx *c = arg;
	if (!walk_account(c->w, c->w->part, len))
		return -1;
	return textx_update(c->t, buf, len);
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
	size_t k = clean_copy(safe, sizeof safe, name, SIZE_MAX, 0);
	if (walk_child(c->w, c->pdf, k ? safe : "?", mediatype_for_name(safe), safe, data, n,
		       false) < 0)
		return -1;
	return c->w->halted ? -1 : 0;
}

/* The PDF child's time and output for what is left of the walk's. */
static void pdf_budget(const struct walk *w, struct pdf_options *o)
{
	uint64_t left = walk_remaining_ms(w), wall = ((uint64_t)w->lim->pdf_seconds + 2) * 1000u;
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
		walk_halt(w, UNSCAN_LIMIT_SIZE, (int)part);
		break;
	default:
		findings_part_unscannable(w->f, part, UNSCAN_PDF_FAILED);
		break;
	}
}

/* PDF text from the out-of-process extractor, then its embedded files,
 * walked like archive members. */
void walk_pdf(struct walk *w, const struct item *it)
{
	const struct walk_limits *l = w->lim;
	struct pdf_options o = {
		.pdftotext = l->pdftotext,
		.cpu_seconds = l->pdf_seconds,
		.max_memory = l->pdf_max_memory,
	};
	pdf_budget(w, &o);
	struct pdf_ctx c = {w, walk_stream_open(w, it->part, MARKUP_PLAIN, NULL)};
	if (c.t == NULL)
		return;
	int rc = 0;
	enum pdf_status st = pdf_extract(it->data, it->len, &o, pdf_emit, &c, &rc);
	walk_stream_close(w, c.t);
	pdf_outcome(w, it->part, st, 0);
	if (st != PDF_OK || w->halted)
		return;
	pdf_budget(w, &o);
	unsigned room = l->max_parts > w->nparts ? l->max_parts - w->nparts : 0, n;
	struct pdf_files_ctx fc = {w, it};
	st = pdf_attachments(it->data, it->len, &o, room, pdf_file, &fc, &n);
	pdf_outcome(w, it->part, st, room);
}

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

void walk_rtf(struct walk *w, const struct item *it)
{
	struct rtf_ctx c = {walk_stream_open(w, it->part, MARKUP_PLAIN, NULL), g_ptr_array_new()};
	if (c.t == NULL) {
		g_ptr_array_free(c.objs, TRUE);
		return;
	}
	if (rtf_text(it->data, it->len, rtf_emit, rtf_obj, &c) == -1)
		walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
	walk_stream_close(w, c.t);
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

void walk_ole2(struct walk *w, const struct item *it)
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
	else if (st == OLE2_NOLIB)
		findings_part_unscannable(w->f, it->part, UNSCAN_INTERNAL);
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

void walk_tnef(struct walk *w, const struct item *it)
{
	struct ole2_ctx c = {w, it};
	findings_part_set_status(w->f, it->part, PART_CONTAINER);
	enum tnef_status st = tnef_read(it->data, it->len, tnef_part, &c);
	if (st == TNEF_CORRUPT)
		findings_part_unscannable(w->f, it->part, UNSCAN_TNEF);
	else if (st == TNEF_TOO_MANY)
		findings_part_unscannable(w->f, it->part, UNSCAN_LIMIT_ENTRIES);
}
