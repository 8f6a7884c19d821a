/*
 * walk.c - walk one message: the MIME tree (GMime), archives (archive.c),
 * office documents, OLE2 (ole2.c), TNEF (tnef.c), RTF (rtf.c), PDF
 * (pdf.c), sealed content (pgp.c), with the bytes sniffed (sniff.c); every piece of
 * readable text goes to the handler as UTF-8 (textx.c), every part and
 * every unreadable thing goes into the findings (see walk.h).
 *
 * This file is the entry (walk_message()) and the dispatch: what an item
 * is and which reader gets it (walk_content()).  The readers are
 * walk_mime.c (the MIME tree), walk_archive.c (archives, office) and
 * walk_formats.c (PDF, RTF, OLE2, TNEF); the budgets, part records and
 * text streams they share are walk_limits.c (walk_priv.h).
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
 *    buffer (GMime persists substreams of it); others are decoded once:
 *    plainly written base64 in one pass by b64part_decode() (the same
 *    bytes GMime gives, without its byte-at-a-time filter and copies),
 *    the rest by GMime.
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
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "grondslag/scan/archive.h"
#include "grondslag/scan/charset.h"
#include "grondslag/scan/mediatype.h"
#include "grondslag/scan/pdf.h"
#include "grondslag/scan/plainmsg.h"
#include "grondslag/scan/readers.h"
#include "grondslag/scan/rtf.h"
#include "walk_priv.h"

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

/* ---- dispatch ------------------------------------------------------------------- */

/* Bytes found inside a part (a PDF attachment, an RTF object, a base64
 * blob) as a part of its own at "<parent>!<name>", read as what they are.
 * Its part index, or -1 when no part could be added (the walk is halted). */
int walk_child(struct walk *w, const struct item *parent, const char *name,
	       const char *type, const char *filename, const void *data, size_t n,
	       bool lenient)
{
	char path[PATH_CAP];
	walk_join_path(path, parent->path, "!", name);
	struct item sub = {.depth = parent->depth + 1, .path = path, .type = type,
			   .filename = filename, .data = data, .len = n, .lenient = lenient};
	int idx = walk_add_part(w, path, type, filename, sub.depth);
	if (idx < 0)
		return -1;
	sub.part = (unsigned)idx;
	findings_part_set_bytes(w->f, sub.part, n);
	if (sub.depth > w->lim->max_depth)
		findings_part_unscannable(w->f, sub.part, UNSCAN_LIMIT_DEPTH);
	else if (walk_account(w, sub.part, n))
		walk_content(w, &sub);
	return idx;
}

/* The span [*from, *to) of the armoured message block in data (to its
 * end when it is cut); false when there is none.  A part the escrow key
 * opened inline holds exactly one (walk_limits.c). */
static bool armour_span(const unsigned char *data, size_t len, size_t *from, size_t *to)
{
	static const char begin[] = "-----BEGIN PGP MESSAGE-----", end[] = "-----END PGP MESSAGE-----";
	const unsigned char *b = memmem(data, len, begin, sizeof begin - 1);
	if (b == NULL)
		return false;
	*from = (size_t)(b - data);
	const unsigned char *e = memmem(b, len - *from, end, sizeof end - 1);
	*to = e != NULL ? (size_t)(e - data) : len;
	return true;
}

/* Base64 blobs inside a text (a part labelled 7bit that carries an
 * encoded file, a list pasted encoded) are decoded and read as what they
 * are, each a part of its own ("1!base64@<offset>").  Unknown binary
 * there is no finding: the text itself was read, and such blobs are
 * mostly keys and certificates. */
struct b64_found {
	bool found;
	size_t off, s, e;	/* sniff_b64_run()'s offsets */
};

/* Feed the item to the stream and, while each slice is still in the
 * cache, pass over the lines that start no base64 run: b64_first() then
 * goes on from r->off instead of reading the whole item again (unless a
 * line of base64's width stopped the pass).  That pass also fetches the
 * next slice, so the decoder does not wait for memory at its start. */
static void feed_and_skip(struct walk *w, struct textx *t, const struct item *it,
			  struct b64_found *r)
{
	const char *p = (const char *)it->data;
	r->off = 0;
	for (size_t off = 0; off < it->len && !w->halted; off += CHUNK) {
		size_t n = it->len - off < CHUNK ? it->len - off : CHUNK;
		size_t next = it->len - off - n < CHUNK ? it->len - off - n : CHUNK;
		(void)textx_update(t, p + off, n);
		r->off = sniff_b64_pass(p, off + n, r->off, next);
	}
}

/* The first run, searched for while the stream is still open: the text
 * is read for identifiers on a second thread until the stream closes
 * (scanpar.c), and this search needs nothing of the stream. */
static void b64_first(const struct item *it, struct b64_found *r)
{
	r->found = sniff_b64_run(it->data, it->len, &r->off, &r->s, &r->e, 4);
}

static void walk_b64_runs(struct walk *w, const struct item *it, const struct b64_found *first)
{
	size_t off = first->off, s = first->s, e = first->e;
	/* Armour the escrow key opened was read as plaintext: its base64 is
	 * not opened a second time (other runs in the text still are). */
	const struct finding_part *fp = findings_part(w->f, it->part);
	size_t skip_from = 0, skip_to = 0;
	if (fp != NULL && fp->status == PART_DECRYPTED)
		(void)armour_span(it->data, it->len, &skip_from, &skip_to);
	for (bool pre = true; !w->halted &&
			      (pre ? first->found : sniff_b64_run(it->data, it->len, &off, &s, &e, 4));
	     pre = false) {
		if (s >= skip_from && s < skip_to)
			continue;
		size_t dl;
		unsigned char *d = sniff_b64_decode(it->data + s, e - s, &dl);
		if (d == NULL) {
			walk_halt(w, UNSCAN_INTERNAL, (int)it->part);
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
void walk_text_item(struct walk *w, const struct item *it, enum sniff_text sn)
{
	enum mediatype_name nk = mediatype_name_kind(it->filename);
	bool html = strcmp(it->type, "text/html") == 0 || strcmp(it->type, "application/xhtml+xml") == 0 ||
		    nk == MEDIATYPE_NAME_HTML ||
		    (!mediatype_is_text(it->type) && nk == MEDIATYPE_NAME_UNKNOWN &&
		     sniff_html(it->data, it->len));
	const char *cs = sn == SNIFF_UTF16LE ? "UTF-16LE"
			 : sn == SNIFF_UTF16BE ? "UTF-16BE" : it->charset;
	struct b64_found first = {false, 0, 0, 0};
	struct textx *t = walk_stream_open(w, it->part, html ? MARKUP_HTML : MARKUP_PLAIN, cs);
	if (t != NULL) {
		if (sn == SNIFF_TEXT) {
			feed_and_skip(w, t, it, &first);
			b64_first(it, &first);
		} else {
			walk_stream_feed(w, t, it->data, it->len);
		}
		walk_stream_close(w, t);
	}
	if (sn == SNIFF_TEXT && t != NULL)
		walk_b64_runs(w, it, &first);
}

/* Media types that cannot hold text unless their bytes say otherwise. */
static bool is_media(const char *type)
{
	return strncmp(type, "image/", 6) == 0 || strncmp(type, "audio/", 6) == 0 ||
	       strncmp(type, "video/", 6) == 0 || strncmp(type, "font/", 5) == 0 ||
	       strncmp(type, "model/", 6) == 0;
}

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

/* ---- the escrow key ---------------------------------------------------------- */

/* Sealed OpenPGP content that names the organisation's escrow key among
 * its readers is opened with it and its plaintext read as the part's
 * child, here where children are walked; anything that goes wrong leaves
 * the part sealed, so the decision is the one without the escrow key. */

/* Does r name one of the escrow key's subkeys?  A v3 session key packet
 * names a key id; a v6 one a fingerprint, whose last 8 octets are a v4
 * key's id and whose first 8 a v6 key's. */
static bool escrow_names(const struct walk_escrow *e, const struct reader_id *r)
{
	const uint8_t *id = NULL;
	if (r->kind == READER_PGP_KEYID && r->id_len == 8)
		id = r->id;
	else if (r->kind == READER_PGP_FPR && r->key_version == 4 && r->id_len == 20)
		id = r->id + 12;
	else if (r->kind == READER_PGP_FPR && r->id_len == 32)
		id = r->id;
	for (size_t i = 0; id != NULL && i < e->nkeyids; i++)
		if (memcmp(e->keyids[i], id, 8) == 0)
			return true;
	return false;
}

struct escrow_hit {
	const struct walk_escrow *e;
	bool hit;
};

static bool escrow_found(void *arg, const struct reader_id *r)
{
	struct escrow_hit *h = arg;
	h->hit = h->hit || escrow_names(h->e, r);
	return !h->hit;
}

/* The file a .pgp, .gpg or .asc name sealed: its name without that. */
static void unsealed_name(const char *filename, char *out, size_t n)
{
	snprintf(out, n, "%s", filename != NULL ? filename : "");
	size_t l = strlen(out);
	static const char *const ext[] = {".pgp", ".gpg", ".asc"};
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (l > 4 && strcasecmp(out + l - 4, ext[i]) == 0)
			out[l - 4] = '\0';
}

bool walk_unseal(struct walk *w, const struct item *it, const char *type)
{
	const struct walk_escrow *e = w->lim->escrow;
	if (e == NULL || e->decrypt == NULL || e->nkeyids == 0 || w->halted || w->escrow_down)
		return false;
	struct escrow_hit h = {.e = e};
	(void)readers_scan(it->data, it->len, escrow_found, &h);
	if (!h.hit)
		return false;
	/* The plaintext is bounded by what the message may still expand to:
	 * a larger one stays sealed (and unscannable), never half read. */
	uint64_t room = w->lim->max_expanded_bytes > w->expanded
				? w->lim->max_expanded_bytes - w->expanded : 0;
	if (w->lim->max_expanded_bytes == 0 || room > SIZE_MAX)
		room = SIZE_MAX;
	/* gpg gets what is left of the scan's time: a hung gpg-agent must
	 * not hold the MTA's connection (and a milter thread) for ever */
	uint64_t ms = walk_remaining_ms(w);
	unsigned char *plain = NULL;
	size_t n = 0;
	const char *why = "";
	int drc = ms > 0 ? e->decrypt(e->arg, it->data, it->len, (size_t)room,
				       (unsigned)(ms < UINT_MAX ? ms : UINT_MAX), &plain, &n, &why)
			 : -2;
	if (drc != 0) {
		findings_decrypt_failed(w->f, ms > 0 ? why : "timeout", drc != -1);
		/* the other sealed parts would wait as long: none is tried */
		w->escrow_down = drc != -1;
		return false;
	}
	findings_part_decrypted(w->f, it->part);
	char name[256];
	unsealed_name(it->filename, name, sizeof name);
	(void)walk_child(w, it, "decrypted", type, name[0] != '\0' ? name : NULL, plain, n, false);
	free(plain);
	return true;
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
		walk_readers(w, it->part, it->data, it->len, false);
		if (!walk_unseal(w, it, "application/octet-stream"))
			findings_part_unscannable(w->f, it->part, UNSCAN_PGP_MIME);
	} else if (k == SNIFF_PGP_KEY)
		return;	/* a key or detached signature: not content */
	else if (is_media(it->type))
		walk_media(w, it);
	else if (!it->lenient)
		findings_part_unscannable(w->f, it->part, UNSCAN_UNSUPPORTED_TYPE);
}

/* Decide what an item is and read it (see the decisions at the top). */
void walk_content(struct walk *w, const struct item *it)
{
	enum sniff_text sn = sniff_text(it->data, it->len);
	bool texty = sn != SNIFF_BINARY;
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
		walk_readers(w, it->part, it->data, it->len, false);
		if (pk != PGP_KIND_PGP_ENCRYPTED || !walk_unseal(w, it, "application/octet-stream"))
			findings_part_unscannable(w->f, it->part, sealed[pk]);
		return;
	}
	if (strcmp(it->type, "text/rfc822-headers") == 0 ||
	    strcmp(it->type, "message/global-headers") == 0) {
		walk_embedded(w, it, true);
		return;
	}
	bool pdf_named = strcmp(it->type, "application/pdf") == 0 ||
			 strcmp(mediatype_for_name(it->filename), "application/pdf") == 0;
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
	if (texty && (mediatype_name_kind(it->filename) == MEDIATYPE_NAME_MESSAGE ||
		      strcmp(it->type, "message/rfc822") == 0)) {
		walk_embedded(w, it, false);
		return;
	}
	if (rtf_magic(it->data, it->len)) {	/* \\bin data makes RTF binary */
		walk_rtf(w, it);
		return;
	}
	if (texty || mediatype_is_text(it->type) ||
	    mediatype_name_kind(it->filename) != MEDIATYPE_NAME_UNKNOWN) {
		walk_text_item(w, it, sn);
		return;
	}
	walk_binary(w, it);
}

static void walk_plain(struct walk *w, const char *msg, size_t len, const struct plainmsg *pm)
{
	walk_subject_text(w, pm->subject, pm->subject_len, "", 0);
	if (w->halted)
		return;
	int idx = walk_add_part(w, "1", "text/plain", NULL, 0);
	if (idx < 0)
		return;
	struct item it = {.part = (unsigned)idx, .path = "1", .type = "text/plain",
			  .charset = pm->charset[0] ? pm->charset : NULL,
			  .data = (const unsigned char *)msg + pm->body, .len = len - pm->body};
	findings_part_set_bytes(w->f, it.part, it.len);
	if (walk_account(w, it.part, it.len))
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
	struct walk w = {.lim = lim, .f = f, .h = h, .arg = arg, .start_ms = walk_now_ms(), .raw = msg,
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
	charset_global_init();
	struct plainmsg pm;
	if (!lim->gmime_always && plainmsg_parse(msg, len, &pm)) {
		walk_plain(&w, msg, len, &pm);
		return w.stop != 0 ? w.stop : w.internal ? -1 : 0;
	}
	struct parsed p;
	if (walk_parse_open(&p, msg, len) != NULL) {
		walk_message_body(&w, p.msg, "", 0);
	} else {
		/* GMime could not make a message of it: read the raw bytes. */
		int idx = walk_add_part(&w, "1", "text/plain", NULL, 0);
		if (idx >= 0) {
			findings_part_set_bytes(f, (unsigned)idx, len);
			walk_text(&w, (unsigned)idx, MARKUP_PLAIN, NULL, msg, len);
			findings_part_unscannable(f, (unsigned)idx, UNSCAN_MALFORMED_MIME);
		}
	}
	walk_parse_close(&p);
	if (w.stop != 0)
		return w.stop;
	return w.internal ? -1 : 0;
}
