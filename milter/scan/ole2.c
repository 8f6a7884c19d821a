/*
 * ole2.c - streams and text of OLE2 compound files (see ole2.h).
 *
 * Why libgsf for the container and our own readers for the documents:
 * the compound file format (sectors, FAT, directory, mini stream) is what
 * libgsf has read for two decades; the text formats inside are small, and
 * a reader that takes only what it needs can check every offset.  Every
 * reader works on a whole stream in memory and reads a length before it
 * trusts it.  Text is bounded by its stream: Word's pieces may not hold
 * more characters than the stream, a workbook's text (where cells can
 * repeat one shared string) at most OLE2_TEXT_RATIO times the stream.
 *
 * Decisions:
 *  - A stream the file names as a document but our reader cannot read is
 *    OLE2_UNREADABLE (the walker marks it ole2): it may be the text.
 *  - Encryption: an EncryptionInfo or EncryptedPackage stream (encrypted
 *    OOXML, RC4 CryptoAPI), a FILEPASS record, the FIB's fEncrypted bit,
 *    a CryptSession10Container: the whole file is OLE2_ENCRYPTED.
 *  - Every stream, also those turned into text, is handed out raw too
 *    when no reader owns it; Word's table stream and the like are raw
 *    streams of no text, which the walker reads leniently.
 *  - libgsf is loaded on the first ole2_read() (gsflib.c), not linked.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/log.h"
#include "grondslag/scan/lzfu.h"
#include "grondslag/scan/ole2.h"
#include "gsflib.h"

static unsigned u16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One code point as UTF-8; control characters become a blank or a line
 * end (as Word and PowerPoint use them), surrogates U+FFFD. */
static void put_cp(GString *out, unsigned c)
{
	if (c == '\r' || c == '\n' || c == 0x0b || c == 0x0c || c == 0x07)
		c = '\n';
	else if (c == '\t')
		c = '\t';
	else if (c < 0x20 || c == 0x7f)
		c = ' ';
	else if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;
	g_string_append_unichar(out, (gunichar)c);
}

/* n characters, 16-bit little endian (wide) or 8-bit (Latin-1, the
 * "compressed" form of BIFF8 and Word), as UTF-8. */
static void put_chars(GString *out, const unsigned char *p, size_t n, bool wide)
{
	for (size_t i = 0; i < n; i++)
		put_cp(out, wide ? u16(p + 2 * i) : p[i]);
}

/* ---- BIFF (Excel 5 to 2003) --------------------------------------------- */

/* A record-spanning reader: the SST and its CONTINUE records are one
 * byte sequence, except that a string's characters resume after a
 * record boundary with a fresh flags byte. */
struct seg {
	const unsigned char *p;
	size_t n;
};

struct segs {
	GArray *a;	/* struct seg */
	unsigned i;
	size_t off;
};

#define SEG(s) (g_array_index((s)->a, struct seg, (s)->i))

static bool seg_next(struct segs *s)
{
	if (s->i + 1 >= s->a->len)
		return false;
	s->i++;
	s->off = 0;
	return true;
}

static bool seg_read(struct segs *s, unsigned char *dst, size_t n)
{
	while (n > 0) {
		if (s->off >= SEG(s).n && !seg_next(s))
			return false;
		size_t k = SEG(s).n - s->off < n ? SEG(s).n - s->off : n;
		if (dst != NULL) {
			memcpy(dst, SEG(s).p + s->off, k);
			dst += k;
		}
		s->off += k;
		n -= k;
	}
	return true;
}

/* One XLUnicodeRichExtendedString of the SST, appended to out. */
static bool sst_string(struct segs *s, GString *out)
{
	unsigned char h[3], b[4];
	if (!seg_read(s, h, 3))
		return false;
	unsigned cch = u16(h), flags = h[2];
	unsigned runs = 0;
	uint32_t ext = 0;
	if ((flags & 0x08) && seg_read(s, b, 2))
		runs = u16(b);
	else if (flags & 0x08)
		return false;
	if ((flags & 0x04) && !seg_read(s, b, 4))
		return false;
	if (flags & 0x04)
		ext = u32(b);
	bool wide = flags & 0x01;
	while (cch > 0) {
		if (s->off >= SEG(s).n) {
			if (!seg_next(s) || !seg_read(s, h, 1))
				return false;
			wide = h[0] & 0x01;
		}
		size_t avail = (SEG(s).n - s->off) / (wide ? 2 : 1);
		if (avail == 0)
			return false;
		size_t k = avail < cch ? avail : cch;
		put_chars(out, SEG(s).p + s->off, k, wide);
		s->off += k * (wide ? 2 : 1);
		cch -= (unsigned)k;
	}
	return seg_read(s, NULL, (size_t)runs * 4) && seg_read(s, NULL, ext);
}

/* The SST at record offset pos: every string, its start in strs. */
static bool read_sst(const unsigned char *p, size_t n, size_t pos, GString *strs, GArray *starts)
{
	size_t len = u16(p + pos + 2);
	if (len < 8)
		return false;
	struct segs s = {g_array_new(FALSE, FALSE, sizeof(struct seg)), 0, 0};
	struct seg first = {p + pos + 4 + 8, len - 8};
	g_array_append_val(s.a, first);
	for (size_t q = pos + 4 + len; q + 4 <= n;) {
		size_t l = u16(p + q + 2);
		if (u16(p + q) != 0x003c || q + 4 + l > n)
			break;
		struct seg c = {p + q + 4, l};
		g_array_append_val(s.a, c);
		q += 4 + l;
	}
	uint32_t unique = u32(p + pos + 8);
	bool ok = true;
	for (uint32_t k = 0; ok && k < unique; k++) {
		if (s.off >= SEG(&s).n && s.i + 1 >= s.a->len)
			break;	/* fewer strings than announced: the cells say */
		guint at = (guint)strs->len;
		g_array_append_val(starts, at);
		ok = sst_string(&s, strs);
		g_string_append_c(strs, '\0');
	}
	g_array_free(s.a, TRUE);
	return ok;
}

/* RK: a 30-bit integer or the top of a double, maybe times 100. */
static void put_rk(GString *out, uint32_t rk)
{
	double v;
	if (rk & 2) {
		v = (double)((int32_t)rk >> 2);
	} else {
		uint64_t bits = (uint64_t)(rk & 0xfffffffcu) << 32;
		memcpy(&v, &bits, sizeof v);
	}
	if (rk & 1)
		v /= 100;
	g_string_append_printf(out, "%.15g", v);
}

static void put_double(GString *out, const unsigned char *p)
{
	uint64_t bits = (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
	double v;
	memcpy(&v, &bits, sizeof v);
	if (v == v && v - v == 0)	/* finite */
		g_string_append_printf(out, "%.15g", v);
}

/* Start a cell: a line per row, a tab between cells. */
static void cell(GString *out, long *row, unsigned r)
{
	if (*row >= 0 && (unsigned long)*row != r)
		g_string_append_c(out, '\n');
	else if (*row >= 0)
		g_string_append_c(out, '\t');
	*row = r;
}

/* An XLUnicodeString (BIFF8: count, flags, characters) or a BIFF5 byte
 * string, at p with m bytes left. */
static bool xl_string(GString *out, const unsigned char *p, size_t m, bool biff8)
{
	if (m < 2)
		return false;
	size_t cch = u16(p);
	if (!biff8) {
		if (2 + cch > m)
			return false;
		put_chars(out, p + 2, cch, false);
		return true;
	}
	if (m < 3)
		return false;
	bool wide = p[2] & 1;
	if (3 + cch * (wide ? 2 : 1) > m)
		return false;
	put_chars(out, p + 3, cch, wide);
	return true;
}

enum ole2_status ole2_xls_text(const unsigned char *p, size_t n, GString *out)
{
	GString *strs = g_string_new(NULL);
	GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint));
	enum ole2_status st = OLE2_OK;
	bool biff8 = true, seen_bof = false;
	long row = -1;
	for (size_t pos = 0; pos + 4 <= n && st == OLE2_OK;) {
		unsigned type = u16(p + pos);
		size_t len = u16(p + pos + 2);
		const unsigned char *d = p + pos + 4;
		if (pos + 4 + len > n) {
			st = OLE2_CORRUPT;
			break;
		}
		switch (type) {
		case 0x0809:	/* BOF (BIFF5, BIFF8) */
			if (len >= 2 && !seen_bof)
				biff8 = u16(d) == 0x0600;
			seen_bof = true;
			row = -1;
			g_string_append_c(out, '\n');
			break;
		case 0x002f:	/* FILEPASS */
			st = OLE2_ENCRYPTED;
			break;
		case 0x00fc:	/* SST */
			if (!read_sst(p, n, pos, strs, starts))
				st = OLE2_CORRUPT;
			break;
		case 0x00fd:	/* LABELSST */
			if (len >= 10) {
				uint32_t k = u32(d + 6);
				cell(out, &row, u16(d));
				if (k < starts->len)
					g_string_append(out, strs->str + g_array_index(starts, guint, k));
				else
					st = OLE2_CORRUPT;	/* a cell whose text we lack */
			}
			break;
		case 0x0204:	/* LABEL */
		case 0x00d6:	/* RSTRING */
			cell(out, &row, len >= 2 ? u16(d) : 0);
			if (len < 6 || !xl_string(out, d + 6, len - 6, biff8))
				st = OLE2_CORRUPT;
			break;
		case 0x0207:	/* STRING: the text result of the FORMULA cell before */
			if (!xl_string(out, d, len, biff8))
				st = OLE2_CORRUPT;
			break;
		case 0x027e:	/* RK */
			if (len >= 10) {
				cell(out, &row, u16(d));
				put_rk(out, u32(d + 6));
			}
			break;
		case 0x00bd:	/* MULRK */
			for (size_t q = 4; len >= 6 && q + 6 <= len - 2; q += 6) {
				cell(out, &row, u16(d));
				put_rk(out, u32(d + q + 2));
			}
			break;
		case 0x0203:	/* NUMBER */
		case 0x0006:	/* FORMULA: the cached number */
			if (len >= 14) {
				cell(out, &row, u16(d));
				if (type == 0x0203 || u16(d + 12) != 0xffff)
					put_double(out, d + 6);
			}
			break;
		case 0x000a:	/* EOF of a sheet */
			row = -1;
			g_string_append_c(out, '\n');
			break;
		default:
			break;
		}
		pos += 4 + len;
		if (out->len > OLE2_TEXT_RATIO * n + 65536)
			st = OLE2_TOO_MANY;	/* cells repeating one long shared string */
	}
	if (st == OLE2_OK && !seen_bof)
		st = OLE2_CORRUPT;
	g_string_free(strs, TRUE);
	g_array_free(starts, TRUE);
	return st;
}

/* ---- Word 97 and later --------------------------------------------------- */

enum ole2_status ole2_doc_text(const unsigned char *doc, size_t n, const unsigned char *tbl1,
			       size_t n1, const unsigned char *tbl0, size_t n0, GString *out)
{
	if (n < 0x1aa || u16(doc) != 0xa5ec)
		return OLE2_CORRUPT;
	unsigned flags = u16(doc + 0x0a);
	if (flags & 0x0100)	/* fEncrypted */
		return OLE2_ENCRYPTED;
	const unsigned char *t = (flags & 0x0200) ? tbl1 : tbl0;
	size_t tn = (flags & 0x0200) ? n1 : n0;
	uint32_t fc = u32(doc + 0x1a2), lcb = u32(doc + 0x1a6);
	if (t == NULL || fc > tn || lcb > tn - fc)
		return OLE2_CORRUPT;
	const unsigned char *c = t + fc, *end = t + fc + lcb;
	/* Clx: Prc entries (formatting), then the Pcdt with the pieces. */
	while (c < end && *c == 0x01) {
		if (end - c < 3)
			return OLE2_CORRUPT;
		c += 3 + (size_t)u16(c + 1);
	}
	if (c >= end || *c != 0x02 || end - c < 5)
		return OLE2_CORRUPT;
	uint32_t plen = u32(c + 1);
	const unsigned char *plc = c + 5;
	if (plen > (size_t)(end - plc) || plen < 4 || (plen - 4) % 12 != 0)
		return OLE2_CORRUPT;
	size_t pieces = (plen - 4) / 12, total = 0;
	for (size_t i = 0; i < pieces; i++) {
		uint32_t cp0 = u32(plc + 4 * i), cp1 = u32(plc + 4 * (i + 1));
		const unsigned char *pcd = plc + 4 * (pieces + 1) + 8 * i;
		uint32_t fcv = u32(pcd + 2);
		bool compressed = fcv & 0x40000000u;
		size_t off = compressed ? (fcv & 0x3fffffffu) / 2 : fcv & 0x3fffffffu;
		if (cp1 < cp0)
			return OLE2_CORRUPT;
		size_t chars = cp1 - cp0, w = compressed ? 1 : 2;
		/* Pieces of one document do not overlap: more text than the
		 * stream holds is a piece table that repeats itself. */
		if (off > n || chars > (n - off) / w || chars > n - total)
			return OLE2_CORRUPT;
		total += chars;
		put_chars(out, doc + off, chars, !compressed);
	}
	return OLE2_OK;
}

/* ---- PowerPoint 97 and later ---------------------------------------------- */

enum ole2_status ole2_ppt_text(const unsigned char *p, size_t n, GString *out)
{
	size_t pos = 0;
	while (pos + 8 <= n) {
		unsigned ver = u16(p + pos) & 0x0f, type = u16(p + pos + 2);
		uint32_t len = u32(p + pos + 4);
		if (type == 0x2f14)	/* CryptSession10Container */
			return OLE2_ENCRYPTED;
		if (ver == 0x0f) {	/* a container: its records follow */
			pos += 8;
			continue;
		}
		if (len > n - pos - 8) {
			/* Zero padding may end a stream; a cut record may not. */
			for (size_t k = pos; k < n; k++)
				if (p[k] != 0)
					return OLE2_CORRUPT;
			return OLE2_OK;
		}
		const unsigned char *d = p + pos + 8;
		if (type == 0x0fa0 || type == 0x0fba) {	/* TextCharsAtom, CString */
			put_chars(out, d, len / 2, true);
			g_string_append_c(out, '\n');
		} else if (type == 0x0fa8) {	/* TextBytesAtom */
			put_chars(out, d, len, false);
			g_string_append_c(out, '\n');
		}
		pos += 8 + (size_t)len;
	}
	return OLE2_OK;
}

/* ---- the container ----------------------------------------------------- */

struct walkctx {
	int (*each)(void *arg, const char *path, enum ole2_kind kind, const void *data, size_t n);
	void *arg;
	size_t file_len;
	unsigned streams;
};

/* A stream's bytes, whole; NULL when it claims more than the file holds. */
static const unsigned char *stream_bytes(GsfInput *in, size_t cap, size_t *n)
{
	gsf_off_t size = gsf_input_size(in);
	static const unsigned char empty[1];
	*n = 0;
	if (size < 0 || (uint64_t)size > cap)
		return NULL;
	if (size == 0)
		return empty;
	*n = (size_t)size;
	return gsf_input_read(in, (size_t)size, NULL);
}

static void child_path(char *dst, size_t cap, const char *dir, const char *name)
{
	size_t k = 0;
	if (*dir) {
		k = (size_t)snprintf(dst, cap, "%s/", dir);
		if (k >= cap)
			k = cap - 1;
	}
	clean_copy(dst + k, cap - k, name ? name : "?", SIZE_MAX, CLEAN_SLASH);
}

/* The Ole10Native payload of a packager object: size, type, label, file
 * name, 4 bytes, temp path, then the file; anything else is the bytes
 * after the size, as other servers write them. */
static const unsigned char *native_payload(const unsigned char *p, size_t n, size_t *len)
{
	*len = n >= 4 ? n - 4 : 0;
	if (n < 6 || u16(p + 4) != 2)
		return p + (n >= 4 ? 4 : n);
	size_t q = 6;
	for (int z = 0; z < 2; z++) {
		const unsigned char *e = q < n ? memchr(p + q, 0, n - q) : NULL;
		if (e == NULL)
			return p + 4;
		q = (size_t)(e - p) + 1;
	}
	if (q + 8 > n)
		return p + 4;
	uint32_t tl = u32(p + q + 4);
	q += 8;
	if (tl > n - q || n - q - tl < 4)
		return p + 4;
	q += tl;
	uint32_t dl = u32(p + q);
	if (dl > n - q - 4)
		return p + 4;
	*len = dl;
	return p + q + 4;
}

static enum ole2_status hand(struct walkctx *c, const char *path, enum ole2_kind k,
			     const void *d, size_t n)
{
	return c->each(c->arg, path, k, d, n) != 0 ? OLE2_STOPPED : OLE2_OK;
}

/* A sibling stream by name: compound file names compare without case. */
static GsfInput *child_named(GsfInfile *dir, const char *want)
{
	int kids = gsf_infile_num_children(dir);
	for (int i = 0; i < kids; i++) {
		const char *name = gsf_infile_name_by_index(dir, i);
		if (name != NULL && g_ascii_strcasecmp(name, want) == 0)
			return gsf_infile_child_by_index(dir, i);
	}
	return NULL;
}

/* The text of a document stream; the stream itself is then not raw. */
static enum ole2_status doc_stream(struct walkctx *c, GsfInfile *dir, const char *path,
				   const char *name, const unsigned char *d, size_t n, bool *done)
{
	enum ole2_status st;
	GString *txt = g_string_new(NULL);
	*done = true;
	if (g_ascii_strcasecmp(name, "Workbook") == 0 || g_ascii_strcasecmp(name, "Book") == 0) {
		st = ole2_xls_text(d, n, txt);
	} else if (g_ascii_strcasecmp(name, "PowerPoint Document") == 0) {
		st = ole2_ppt_text(d, n, txt);
	} else if (g_ascii_strcasecmp(name, "WordDocument") == 0) {
		GsfInput *t1 = child_named(dir, "1Table");
		GsfInput *t0 = child_named(dir, "0Table");
		size_t n1 = 0, n0 = 0;
		const unsigned char *b1 = t1 ? stream_bytes(t1, c->file_len, &n1) : NULL;
		const unsigned char *b0 = t0 ? stream_bytes(t0, c->file_len, &n0) : NULL;
		st = ole2_doc_text(d, n, b1, n1, b0, n0, txt);
		if (t1)
			g_object_unref(t1);
		if (t0)
			g_object_unref(t0);
	} else if (g_str_has_prefix(name, "__substg1.0_") && strlen(name) == 20 &&
		   g_ascii_strcasecmp(name + 16, "001F") == 0) {
		/* A .msg's PT_UNICODE property (subject, body, names): UTF-16LE
		 * without a BOM, too short at times for the bytes to say so. */
		put_chars(txt, d, n / 2, true);
		st = OLE2_OK;
	} else if (g_ascii_strcasecmp(name, "__substg1.0_10090102") == 0) {
		/* A .msg's body as compressed RTF (PR_RTF_COMPRESSED): often
		 * the only body Outlook keeps. */
		g_string_free(txt, TRUE);
		GString *rtf = lzfu_decompress(d, n);
		if (rtf == NULL)
			return hand(c, path, OLE2_UNREADABLE, NULL, 0);
		enum ole2_status r = hand(c, path, OLE2_STREAM, rtf->str, rtf->len);
		g_string_free(rtf, TRUE);
		return r;
	} else if (g_ascii_strcasecmp(name, "\001Ole10Native") == 0) {
		size_t pl;
		const unsigned char *pd = native_payload(d, n, &pl);
		g_string_free(txt, TRUE);
		return hand(c, path, OLE2_STREAM, pd, pl);
	} else {
		*done = false;
		g_string_free(txt, TRUE);
		return OLE2_OK;
	}
	if (st == OLE2_ENCRYPTED) {
		g_string_free(txt, TRUE);
		return st;
	}
	enum ole2_status r = st == OLE2_OK	 ? hand(c, path, OLE2_TEXT, txt->str, txt->len)
			     : st == OLE2_TOO_MANY ? hand(c, path, OLE2_LIMIT, NULL, 0)
						   : hand(c, path, OLE2_UNREADABLE, NULL, 0);
	g_string_free(txt, TRUE);
	return r;
}

static enum ole2_status walk_dir(struct walkctx *c, GsfInfile *dir, const char *dpath,
				 unsigned nest)
{
	if (nest > OLE2_MAX_NEST)
		return OLE2_TOO_MANY;
	int kids = gsf_infile_num_children(dir);
	enum ole2_status st = OLE2_OK;
	for (int i = 0; i < kids && st == OLE2_OK; i++) {
		const char *name = gsf_infile_name_by_index(dir, i);
		if (name != NULL && (g_ascii_strcasecmp(name, "EncryptionInfo") == 0 ||
				     g_ascii_strcasecmp(name, "EncryptedPackage") == 0))
			return OLE2_ENCRYPTED;
	}
	for (int i = 0; i < kids && st == OLE2_OK; i++) {
		if (++c->streams > OLE2_MAX_STREAMS)
			return OLE2_TOO_MANY;
		GsfInput *in = gsf_infile_child_by_index(dir, i);
		if (in == NULL)
			return OLE2_CORRUPT;
		const char *name = gsf_infile_name_by_index(dir, i);
		char path[512];
		child_path(path, sizeof path, dpath, name);
		if (GSF_IS_INFILE(in) && gsf_infile_num_children(GSF_INFILE(in)) >= 0) {
			st = walk_dir(c, GSF_INFILE(in), path, nest + 1);
		} else {
			size_t n;
			const unsigned char *d = stream_bytes(in, c->file_len, &n);
			bool done = false;
			if (d == NULL)
				st = OLE2_CORRUPT;
			else if (name != NULL)
				st = doc_stream(c, dir, path, name, d, n, &done);
			if (st == OLE2_OK && !done)
				st = hand(c, path, OLE2_STREAM, d, n);
		}
		g_object_unref(in);
	}
	return st;
}

/* ---- the directory's shape, before libgsf sees it -------------------------- */

/* libgsf builds the directory by recursing into each entry's left and
 * right siblings and child: a tree shaped as one long list (a directory
 * of 100000 entries each the left sibling of the next) would recurse
 * that deep and exhaust a milter thread's stack.  So the directory chain
 * is followed here ([MS-CFB] 2.2, 2.3, 2.6) and the entries of its tree
 * counted without recursion; what cannot be followed is corrupt. */
#define NOSTREAM 0xfffffffau

struct cfb {
	const unsigned char *p;
	size_t len, ssz;
	uint32_t *fat_secs;	/* the sectors holding the FAT */
	size_t nfat;
};

static const unsigned char *sector(const struct cfb *c, uint32_t k)
{
	size_t off = ((size_t)k + 1) * c->ssz;
	return k < NOSTREAM && off / c->ssz == (size_t)k + 1 && off <= c->len - c->ssz ? c->p + off
										     : NULL;
}

static uint32_t fat_next(const struct cfb *c, uint32_t k)
{
	size_t per = c->ssz / 4, i = k / per;
	const unsigned char *s = i < c->nfat ? sector(c, c->fat_secs[i]) : NULL;
	return s ? u32(s + 4 * (k % per)) : 0xffffffffu;
}

static bool read_fat_list(struct cfb *c)
{
	uint32_t nfat = u32(c->p + 44), difat = u32(c->p + 68);
	if (nfat > c->len / c->ssz)
		return false;
	c->fat_secs = g_new(uint32_t, nfat + 1);
	for (size_t i = 0; i < 109 && c->nfat < nfat; i++)
		c->fat_secs[c->nfat++] = u32(c->p + 76 + 4 * i);
	for (size_t hops = 0; c->nfat < nfat; hops++) {
		const unsigned char *s = sector(c, difat);
		if (s == NULL || hops > c->len / c->ssz)
			return false;
		for (size_t i = 0; i + 1 < c->ssz / 4 && c->nfat < nfat; i++)
			c->fat_secs[c->nfat++] = u32(s + 4 * i);
		difat = u32(s + c->ssz - 4);
	}
	return true;
}

static enum ole2_status dir_shape(const unsigned char *p, size_t len)
{
	if (len < 512)
		return OLE2_CORRUPT;
	unsigned shift = u16(p + 30);
	if (shift != 9 && shift != 12)
		return OLE2_CORRUPT;
	struct cfb c = {p, len, (size_t)1 << shift, NULL, 0};
	if (len < 2 * c.ssz || !read_fat_list(&c)) {
		g_free(c.fat_secs);
		return OLE2_CORRUPT;
	}
	/* The directory's sectors, in chain order. */
	GArray *secs = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	enum ole2_status st = OLE2_OK;
	for (uint32_t k = u32(p + 48); k < NOSTREAM; k = fat_next(&c, k)) {
		if (sector(&c, k) == NULL || secs->len > len / c.ssz) {
			st = OLE2_CORRUPT;
			break;
		}
		g_array_append_val(secs, k);
	}
	size_t per = c.ssz / 128, n = (size_t)secs->len * per;
	if (st == OLE2_OK && n == 0)
		st = OLE2_CORRUPT;
	/* The entries reachable from the root over left, right and child
	 * links, counted with a stack of our own (each entry once, as libgsf
	 * does): libgsf's recursion is never deeper than their number. */
	uint32_t *stack = st == OLE2_OK ? g_new(uint32_t, 3 * n + 1) : NULL;
	guint8 *seen = st == OLE2_OK ? g_new0(guint8, n) : NULL;
	size_t top = 0, reached = 0;
	if (stack != NULL)
		stack[top++] = 0;
	while (top > 0 && st == OLE2_OK) {
		uint32_t e = stack[--top];
		if (seen[e])
			continue;
		seen[e] = 1;
		if (++reached > OLE2_MAX_STREAMS + 1) {
			st = OLE2_TOO_MANY;
			break;
		}
		const unsigned char *d = sector(&c, g_array_index(secs, uint32_t, e / per)) + 128 * (e % per);
		for (int l = 0; l < 3; l++) {
			uint32_t to = u32(d + 68 + 4 * l);
			/* The root has no siblings and nothing links back to it
			 * ([MS-CFB] 2.6.2); libgsf loses such entries unfreed. */
			if (to == 0 || (e == 0 && l < 2 && to != 0xffffffffu)) {
				st = OLE2_CORRUPT;
				break;
			}
			if (to < n && !seen[to])
				stack[top++] = to;
		}
	}
	g_free(stack);
	g_free(seen);
	g_array_free(secs, TRUE);
	g_free(c.fat_secs);
	return st;
}

/* libgsf's warnings about a broken file go to the log with no queue id
 * and say nothing the reason code does not; they are dropped. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain, (void)level, (void)msg, (void)data;
}

enum ole2_status ole2_read(const void *buf, size_t len,
			   int (*each)(void *arg, const char *path, enum ole2_kind kind,
				       const void *data, size_t n),
			   void *arg)
{
	char why[512];
	if (ole2_lib_load(why, sizeof why) != 0) {
		/* the file is held as unscannable; the operator learns why once */
		static int said;
		if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
			log_msg(LOG_ERR, "%s", why);
		return OLE2_NOLIB;
	}
	static gsize once;
	if (g_once_init_enter(&once)) {
		/* libgsf registers its types on first use without a lock: done
		 * here once, before any two threads can race to it. */
		gsf_init();
		g_type_ensure(GSF_INPUT_MEMORY_TYPE);
		g_type_ensure(GSF_INFILE_MSOLE_TYPE);
		g_log_set_handler("libgsf:msole", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
						   G_LOG_LEVEL_MESSAGE, quiet, NULL);
		g_log_set_handler("libgsf", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL |
					      G_LOG_LEVEL_MESSAGE, quiet, NULL);
		g_once_init_leave(&once, 1);
	}
	enum ole2_status shape = dir_shape(buf, len);
	if (shape != OLE2_OK)
		return shape;
	GsfInput *mem = gsf_input_memory_new(buf, (gsf_off_t)len, FALSE);
	if (mem == NULL)
		return OLE2_CORRUPT;
	GError *err = NULL;
	GsfInfile *ole = gsf_infile_msole_new(mem, &err);
	g_object_unref(mem);
	if (ole == NULL) {
		g_clear_error(&err);
		return OLE2_CORRUPT;
	}
	struct walkctx c = {each, arg, len, 0};
	enum ole2_status st = walk_dir(&c, ole, "", 0);
	g_object_unref(ole);
	return st;
}
