/*
 * walk_mime.c - the MIME tree of a message (GMime, see walk_priv.h):
 * the message parsed in place, multiparts and their prologue, leaves read
 * in place or decoded once, the Subject of every message, messages held
 * as bytes, and the parts that duplicate Content-Type /
 * Content-Transfer-Encoding headers make.  Every leaf goes to
 * walk_content().
 *
 * Limits: recursion bounded by max_depth; at most ALT_MAX readings of
 * one part's duplicate headers.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/mman.h>

#include "grondslag/scan/b64part.h"
#include "grondslag/scan/rfc2047.h"
#include "walk_priv.h"

/* ---- GMime helpers ---------------------------------------------------------- */

GMimeMessage *walk_parse_open(struct parsed *p, const void *data, size_t len)
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

void walk_parse_close(struct parsed *p)
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

/* The Subject s (n bytes) of the message at prefix as a text part. */
void walk_subject_text(struct walk *w, const char *s, size_t n, const char *prefix,
		       unsigned depth)
{
	if (s == NULL || n == 0 || w->halted)
		return;
	char path[PATH_CAP];
	walk_join_path(path, prefix, ".", "subject");
	int idx = *prefix == '\0' ? findings_part_add(w->f, path, "text/plain", NULL, depth)
				  : walk_add_part(w, path, "text/plain", NULL, depth);
	if (idx < 0) {
		if (!w->halted)
			walk_halt(w, UNSCAN_INTERNAL, -1);
		return;
	}
	findings_part_set_bytes(w->f, (unsigned)idx, n);
	walk_text(w, (unsigned)idx, MARKUP_PLAIN, NULL, s, n);
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
		walk_halt(w, UNSCAN_INTERNAL, part);
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

/* A message held as bytes (an .eml attachment, text/rfc822-headers).
 * Bytes GMime cannot make a message of are read as text and marked, as
 * the top-level message is: no header block tells what to leave out. */
void walk_embedded(struct walk *w, const struct item *it, bool headers_only)
{
	struct parsed p;
	GMimeMessage *m = walk_parse_open(&p, it->data, it->len);
	if (m == NULL) {
		walk_parse_close(&p);
		findings_part_unscannable(w->f, it->part, UNSCAN_MALFORMED_MIME);
		walk_text_item(w, it, sniff_text(it->data, it->len));
		return;
	}
	if (headers_only) {
		size_t n;
		char *s = subject_of(w, m, (int)it->part, &n);
		if (!w->halted)
			walk_text(w, it->part, MARKUP_PLAIN, NULL, s ? s : "", n);
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
	walk_parse_close(&p);
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

/* Huge pages for the whole 2 MiB pages of a large buffer about to be
 * written once from start to end: its first touch is otherwise a page
 * fault every 4 KiB (10,000 for a 40 MB attachment, a third of the time
 * of decoding and scanning it on a virtual machine).  A hint: where the
 * kernel has none to give, the pages are small as before. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* glibc serves a large block from a mapping of its own, returned when it
 * is freed - but after the first such free it raises that threshold (up
 * to 32 MiB) and serves the next ones from the heap, where the hint
 * below would outlive the buffer and spread to what is allocated there
 * later (in a daemon that runs for months).  A fixed threshold keeps
 * every buffer that takes the hint a mapping of its own. */
static pthread_once_t own_mappings_once = PTHREAD_ONCE_INIT;
static void own_mappings(void)
{
	(void)mallopt(M_MMAP_THRESHOLD, (int)(2 * HUGE_PAGE));
}

/* The buffer of n + 3 bytes a part is decoded into; a large one is a
 * mapping of its own with huge pages asked for its whole 2 MiB pages. */
static unsigned char *decode_buffer(size_t n)
{
	bool large = n >= 4 * HUGE_PAGE;
	if (large)	/* before the block is taken */
		(void)pthread_once(&own_mappings_once, own_mappings);
	unsigned char *d = g_try_malloc(n + 3);
	uintptr_t a = ((uintptr_t)d + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t z = ((uintptr_t)d + n) & ~(HUGE_PAGE - 1);
	if (d != NULL && large && z > a)
		(void)madvise((void *)a, z - a, MADV_HUGEPAGE);
	return d;
}

/* A base64 leaf plainly written (b64part_decode()), decoded in one pass
 * into a stream of its own: GMime's filter chain would decode it a byte at
 * a time and copy it twice.  NULL when GMime must decode it.  *clean when
 * it held nothing but base64, padding and line ends. */
static GMimeStream *plain_base64(GMimeStream *src, bool *clean)
{
	const unsigned char *raw;
	size_t n, dl, blanks;
	if (!mem_slice(src, &raw, &n) || n / 4 * 3 + 3 >= G_MAXUINT)
		return NULL;
	unsigned char *d = decode_buffer(n / 4 * 3);
	if (d == NULL)
		return NULL;
	if (!b64part_decode(raw, n, d, &dl, &blanks)) {
		g_free(d);
		return NULL;
	}
	*clean = blanks == 0;
	return g_mime_stream_mem_new_with_byte_array(g_byte_array_new_take(d, dl));
}

/* The decoded bytes of a leaf.  Identity encodings are read in place from
 * the message buffer; others are decoded into *owned.  *clean_b64: base64
 * that held nothing but base64, padding and line ends. */
static bool leaf_bytes(GMimePart *part, const unsigned char **data, size_t *len,
		       GMimeStream **owned, bool *clean_b64)
{
	static const unsigned char empty[1];
	*data = empty;
	*len = 0;
	*owned = NULL;
	*clean_b64 = false;
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	if (dw == NULL)
		return true;
	GMimeStream *src = g_mime_data_wrapper_get_stream(dw);
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(dw);
	if ((enc == GMIME_CONTENT_ENCODING_DEFAULT || enc == GMIME_CONTENT_ENCODING_7BIT ||
	     enc == GMIME_CONTENT_ENCODING_8BIT || enc == GMIME_CONTENT_ENCODING_BINARY) &&
	    mem_slice(src, data, len))
		return true;
	GMimeStream *out = enc == GMIME_CONTENT_ENCODING_BASE64 ? plain_base64(src, clean_b64) : NULL;
	if (out == NULL) {
		out = g_mime_stream_mem_new();
		if (g_mime_data_wrapper_write_to_stream(dw, out) < 0) {
			g_object_unref(out);
			return false;
		}
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
 * Such a part is read as the text it is too, and marked decode-failed.
 * Not asked of a part that held nothing but base64, padding and line
 * ends (clean): what was skipped is the padding (two bytes at most),
 * never more than sniff_b64_mislabelled() tolerates (its "+ 2": tighten
 * that and this shortcut fails open; fuzz_b64plain holds the two to
 * each other). */
static void walk_bad_base64(struct walk *w, GMimePart *part, const struct item *it, bool clean)
{
	if (clean)
		return;
	GMimeDataWrapper *dw = g_mime_part_get_content(part);
	const unsigned char *raw;
	size_t n;
	if (dw == NULL || g_mime_data_wrapper_get_encoding(dw) != GMIME_CONTENT_ENCODING_BASE64 ||
	    !mem_slice(g_mime_data_wrapper_get_stream(dw), &raw, &n) || w->halted)
		return;
	if (!sniff_b64_mislabelled(raw, n, it->len))
		return;
	findings_part_unscannable(w->f, it->part, UNSCAN_DECODE_FAILED);
	if (walk_account(w, it->part, n))
		walk_text(w, it->part, MARKUP_PLAIN, it->charset, raw, n);
}

/* A MIME leaf: decode, then classify and read. */
static void walk_leaf(struct walk *w, GMimePart *part, const struct item *base)
{
	struct item it = *base;
	GMimeStream *owned = NULL;
	bool clean_b64;
	it.charset = ct_param((GMimeObject *)part, "charset");
	it.smime_type = ct_param((GMimeObject *)part, "smime-type");
	if (!leaf_bytes(part, &it.data, &it.len, &owned, &clean_b64)) {
		findings_part_unscannable(w->f, it.part, UNSCAN_MALFORMED_MIME);
		return;
	}
	findings_part_set_bytes(w->f, it.part, it.len);
	if (walk_account(w, it.part, it.len)) {
		if (GMIME_IS_MESSAGE_PARTIAL(part)) {
			walk_text(w, it.part, MARKUP_PLAIN, it.charset, it.data, it.len);
			findings_part_unscannable(w->f, it.part, UNSCAN_UNSUPPORTED_TYPE);
		} else {
			walk_content(w, &it);
			walk_bad_base64(w, part, &it, clean_b64);
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
	struct textx *t = walk_stream_open(w, idx, MARKUP_PLAIN, NULL);
	if (t == NULL)
		return;
	if (pro != NULL)
		(void)textx_update(t, pro, strlen(pro));
	(void)textx_update(t, "\n", 1);
	if (epi != NULL)
		(void)textx_update(t, epi, strlen(epi));
	walk_stream_close(w, t);
}

static void walk_alternatives(struct walk *w, GMimeObject *obj, const char *path, unsigned idx,
			      unsigned depth);

/* The leaves of a multipart/encrypted asked for readers: the control part
 * and the ciphertext, and a few more a sender might add. */
#define ENCRYPTED_PARTS_READ 4

/* multipart/encrypted is not descended into (its content is ciphertext),
 * but its leaves are asked who can read them: the control part
 * ("Version: 1") names nobody, the ciphertext part names its recipients.
 * PGP/MIME ciphertext the escrow key opens is a MIME entity: true when it
 * was read as the part's child. */
static bool walk_encrypted_readers(struct walk *w, GMimeMultipart *mp, unsigned idx,
				   const char *path, unsigned depth, bool pgp)
{
	int n = g_mime_multipart_get_count(mp);
	bool known = false, opened = false;
	for (int i = 0; i < n && i < ENCRYPTED_PARTS_READ; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		const unsigned char *data;
		size_t len;
		GMimeStream *owned;
		bool clean_b64;
		if (!GMIME_IS_PART(c) || !leaf_bytes(GMIME_PART(c), &data, &len, &owned, &clean_b64))
			continue;
		enum readers_status st = walk_readers_leaf(w, idx, data, len);
		known = known || st == READERS_ENCRYPTED || st == READERS_NOT_ENCRYPTED;
		if (st == READERS_MALFORMED)
			walk_reader_unparsed(w, idx);
		if (pgp && !opened && st == READERS_ENCRYPTED) {
			struct item it = {.part = idx, .depth = depth, .path = path,
					  .type = "multipart/encrypted", .data = data, .len = len};
			opened = walk_unseal(w, &it, "message/rfc822");
		}
		if (owned != NULL)
			g_object_unref(owned);
	}
	if (!known)
		walk_reader_unparsed(w, idx);
	return opened;
}

/* One MIME entity at path; children of a multipart are numbered under
 * child_prefix (see the path rules at the top). */
static void walk_object(struct walk *w, GMimeObject *obj, const char *path,
			const char *child_prefix, unsigned depth)
{
	char type[TYPE_CAP];
	content_type_of(obj, type);
	const char *filename = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
	int idx = walk_add_part(w, path, type, filename, depth);
	if (idx < 0)
		return;
	if (depth > w->lim->max_depth) {
		findings_part_unscannable(w->f, (unsigned)idx, UNSCAN_LIMIT_DEPTH);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		if (GMIME_IS_MULTIPART_ENCRYPTED(obj) || strcmp(type, "multipart/encrypted") == 0) {
			enum pgp_kind k = pgp_classify(type, ct_param(obj, "protocol"), NULL, NULL, false);
			bool smime = k == PGP_KIND_SMIME_SEALED;
			if (!walk_encrypted_readers(w, GMIME_MULTIPART(obj), (unsigned)idx, path, depth,
						    !smime))
				findings_part_unscannable(w->f, (unsigned)idx,
							  smime ? UNSCAN_SMIME : UNSCAN_PGP_MIME);
			return;
		}
		findings_part_set_status(w->f, (unsigned)idx, PART_CONTAINER);
		int n = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		walk_prologue(w, GMIME_MULTIPART(obj), (unsigned)idx, n);
		for (int i = 0; i < n && !w->halted; i++) {
			char cpath[PATH_CAP], num[16];
			snprintf(num, sizeof num, "%d", i + 1);
			walk_join_path(cpath, child_prefix, ".", num);
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
			walk_join_path(apath, path, "~", num);
			struct parsed p;
			const char *raw = w->raw;
			size_t raw_len = w->raw_len;
			if (walk_parse_open(&p, s->str, s->len) != NULL) {
				GMimeObject *alt = g_mime_message_get_mime_part(p.msg);
				w->raw = s->str;
				w->raw_len = s->len;
				if (alt != NULL)
					walk_object(w, alt, apath, apath, depth + 1);
				w->raw = raw;
				w->raw_len = raw_len;
			}
			walk_parse_close(&p);
			g_string_free(s, TRUE);
		}
}

/* A message at prefix ("" for the top): its Subject, then its body. */
void walk_message_body(struct walk *w, GMimeMessage *m, const char *prefix, unsigned depth)
{
	walk_subject(w, m, prefix, depth);
	GMimeObject *body = g_mime_message_get_mime_part(m);
	if (body == NULL || w->halted)
		return;
	char path[PATH_CAP];
	walk_join_path(path, prefix, ".", GMIME_IS_MULTIPART(body) ? "TEXT" : "1");
	walk_object(w, body, path, prefix, depth);
}

/* A message of one plain-text part (plainmsg.h): what walk_message_body
 * does for it, without GMime. */
