/*
 * rtf.c - RTF to text (see rtf.h).
 *
 * Decisions, and why:
 *  - Destinations are skipped by a short list of names that never carry
 *    document text and by the "\*" marker (optional destinations a reader
 *    that does not know them must skip: field instructions, bookmarks,
 *    generator).  Everything else, headers, footers, footnotes and the
 *    document \info (title, subject) included, is text.
 *  - The text of a field result (\fldrslt) is what Word shows, so it is
 *    read; the instruction is a "\*" destination and is not.
 *  - A source line end is no text in RTF; only control words make lines.
 *  - Embedded objects (\objdata) are not text: their bytes are decoded
 *    from hex (or taken raw from \binN) and handed to obj() whole, for the caller to read as what
 *    they are (an OLE2 file, a zip, ...).
 *
 * Limits: see rtf.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/rtf.h"

#define OUT_CAP 4096

struct rtf {
	char out[OUT_CAP];
	size_t out_len;
	int (*emit)(void *arg, const char *s, size_t n);
	void *arg;
	int rc;
	unsigned depth;
	bool skip[RTF_MAX_DEPTH];
	unsigned char uc[RTF_MAX_DEPTH];
	unsigned pending_skip;	/* fallback characters after \uN still to drop */
	bool star;		/* "\*" seen: the next control word opens a skipped destination */
	/* an embedded object's data (\objdata, hex) being collected */
	int (*obj)(void *arg, const unsigned char *data, size_t n);
	unsigned obj_depth;	/* depth of the \objdata group, 0 = none */
	unsigned char *obj_buf;
	size_t obj_len, obj_cap;
	int nibble;		/* high half of a byte, -1 = none */
};

bool rtf_magic(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t i = 0;
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	return len >= i + 5 && memcmp(p + i, "{\\rtf", 5) == 0;
}

static void flush(struct rtf *r)
{
	if (r->out_len > 0 && r->rc == 0)
		r->rc = r->emit(r->arg, r->out, r->out_len);
	r->out_len = 0;
}

static void put(struct rtf *r, const char *s, size_t n)
{
	if (r->skip[r->depth])
		return;
	if (r->out_len + n > OUT_CAP)
		flush(r);
	memcpy(r->out + r->out_len, s, n);
	r->out_len += n;
}

/* One code point as UTF-8. */
static void put_cp(struct rtf *r, uint32_t cp)
{
	char o[4];
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		put(r, o, 1);
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		put(r, o, 2);
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		put(r, o, 3);
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		put(r, o, 4);
	}
}

/* A byte of the document's ANSI code page (taken as Windows-1252). */
static void put_ansi(struct rtf *r, unsigned char b)
{
	static const uint16_t cp1252[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178};
	if (r->pending_skip > 0) {
		r->pending_skip--;
		return;
	}
	put_cp(r, b >= 0x80 && b < 0xa0 ? cp1252[b - 0x80] : b);
}

static const char *const skipped[] = {
	"fonttbl", "colortbl", "stylesheet", "pict", "objdata", "objclass", "themedata",
	"colorschememapping", "datastore", "latentstyles", "listtable", "listoverridetable",
	"rsidtbl", "generator", "xmlnstbl", "mmathPr", "filetbl", "revtbl", "fldinst",
	"bkmkstart", "bkmkend", "defchp", "defpap", "pgdsctbl", "listtext", "pntext", NULL};

static bool in(const char *w, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(w, *set) == 0)
			return true;
	return false;
}

static int hexv(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bytes of an object's data. */
static void obj_put(struct rtf *r, const unsigned char *b, size_t n)
{
	if (n == 0)
		return;	/* "\bin" at the very end: no buffer to copy into yet */
	if (r->obj_cap - r->obj_len < n) {
		size_t cap = r->obj_cap ? r->obj_cap : 4096;
		while (cap - r->obj_len < n)
			cap *= 2;
		unsigned char *nb = realloc(r->obj_buf, cap);
		if (nb == NULL) {
			r->rc = -1;
			return;
		}
		r->obj_buf = nb;
		r->obj_cap = cap;
	}
	memcpy(r->obj_buf + r->obj_len, b, n);
	r->obj_len += n;
}

/* A hex digit of an object's data. */
static void obj_hex(struct rtf *r, int v)
{
	if (r->nibble < 0) {
		r->nibble = v;
		return;
	}
	unsigned char b = (unsigned char)(r->nibble << 4 | v);
	obj_put(r, &b, 1);
	r->nibble = -1;
}

/* The \objdata group closed: hand its bytes out. */
static void obj_end(struct rtf *r)
{
	if (r->obj_len > 0 && r->rc == 0) {
		flush(r);
		if (r->rc == 0)
			r->rc = r->obj(r->arg, r->obj_buf, r->obj_len);
	}
	r->obj_len = 0;
	r->obj_depth = 0;
	r->nibble = -1;
}

/* A control word with its parameter (has_n: there was one). */
static void control(struct rtf *r, const char *w, long n, bool has_n)
{
	unsigned d = r->depth;
	if (strcmp(w, "objdata") == 0 && r->obj != NULL && r->obj_depth == 0 && d > 0) {
		r->obj_depth = d;
		r->nibble = -1;
	}
	if (r->star || in(w, skipped)) {
		r->skip[d] = true;
		r->star = false;
		return;
	}
	if (strcmp(w, "par") == 0 || strcmp(w, "line") == 0 || strcmp(w, "row") == 0 ||
	    strcmp(w, "sect") == 0 || strcmp(w, "page") == 0)
		put(r, "\n", 1);
	else if (strcmp(w, "cell") == 0 || strcmp(w, "nestcell") == 0 || strcmp(w, "tab") == 0)
		put(r, "\t", 1);
	else if (strcmp(w, "uc") == 0 && has_n && n >= 0 && n < 10)
		r->uc[d] = (unsigned char)n;
	else if (strcmp(w, "u") == 0 && has_n) {
		put_cp(r, (uint32_t)(n < 0 ? n + 65536 : n));
		r->pending_skip = r->uc[d];
	} else if (strcmp(w, "emdash") == 0 || strcmp(w, "endash") == 0)
		put(r, "-", 1);
	else if (strcmp(w, "emspace") == 0 || strcmp(w, "enspace") == 0 || strcmp(w, "qmspace") == 0)
		put(r, " ", 1);
}

/* '{': a group opens, inheriting what it skips and its \uc. */
static void group_open(struct rtf *r)
{
	if (r->depth + 1 < RTF_MAX_DEPTH) {
		r->skip[r->depth + 1] = r->skip[r->depth];
		r->uc[r->depth + 1] = r->uc[r->depth];
		r->depth++;
	}
	r->star = false;
}

/* '}': a group closes (an object's data group hands its bytes out). */
static void group_close(struct rtf *r)
{
	if (r->obj_depth > 0 && r->depth == r->obj_depth)
		obj_end(r);
	if (r->depth > 0)
		r->depth--;
	r->star = false;
	r->pending_skip = 0;
}

/* A control word at p[i] ('\\' and a letter), with its parameter and
 * the space that ends it; \bin skips (or, in an object, keeps) its raw
 * bytes.  Returns the index after it. */
static size_t control_word(struct rtf *r, const unsigned char *p, size_t len, size_t i)
{
	char w[33];
	size_t k = 0, j = i + 1;
	while (j < len && ((p[j] | 0x20) >= 'a' && (p[j] | 0x20) <= 'z')) {
		if (k < 32)
			w[k++] = (char)p[j];
		j++;
	}
	w[k] = '\0';
	bool neg = j < len && p[j] == '-', has_n = false;
	long n = 0;
	if (neg)
		j++;
	for (unsigned dg = 0; j < len && p[j] >= '0' && p[j] <= '9'; j++, dg++) {
		if (dg < 10)
			n = n * 10 + (p[j] - '0');
		has_n = true;
	}
	if (neg)
		n = -n;
	if (j < len && p[j] == ' ')
		j++;
	if (strcmp(w, "bin") == 0 && has_n && n > 0) {
		/* Raw bytes; inside \objdata they are the object's
		 * data as much as hex digits are. */
		size_t nb = (size_t)n < len - j ? (size_t)n : len - j;
		if (r->obj_depth > 0 && r->depth >= r->obj_depth) {
			r->nibble = -1;
			obj_put(r, p + j, nb);
		}
		return j + nb;
	}
	control(r, w, n, has_n);
	return j;
}

/* \\ \{ \} and other control symbols; \~ is a hard space. */
static void control_symbol(struct rtf *r, char sym)
{
	if (sym == '\\' || sym == '{' || sym == '}')
		put(r, &sym, 1);
	else if (sym == '~')
		put(r, " ", 1);
	else if (sym == '_')
		put(r, "-", 1);
}

int rtf_text(const void *buf, size_t len, int (*emit)(void *arg, const char *s, size_t n),
	     int (*obj)(void *arg, const unsigned char *data, size_t n), void *arg)
{
	static struct rtf zero;
	struct rtf r = zero;
	const unsigned char *p = buf;
	r.emit = emit;
	r.obj = obj;
	r.arg = arg;
	r.uc[0] = 1;
	r.nibble = -1;
	for (size_t i = 0; i < len && r.rc == 0;) {
		unsigned char c = p[i];
		if (c == '{') {
			group_open(&r);
			i++;
		} else if (c == '}') {
			group_close(&r);
			i++;
		} else if (c == '\r' || c == '\n') {
			i++;
		} else if (c != '\\' && r.obj_depth > 0 && r.depth >= r.obj_depth) {
			if (hexv(c) >= 0)
				obj_hex(&r, hexv(c));
			i++;
		} else if (c != '\\') {
			if (r.pending_skip > 0)
				r.pending_skip--;
			else
				put(&r, (const char *)&p[i], 1);
			i++;
		} else if (i + 1 >= len) {
			i++;
		} else if (p[i + 1] == '\'' && i + 3 < len && hexv(p[i + 2]) >= 0 && hexv(p[i + 3]) >= 0) {
			put_ansi(&r, (unsigned char)(hexv(p[i + 2]) << 4 | hexv(p[i + 3])));
			i += 4;
		} else if (p[i + 1] == '*') {
			r.star = true;
			i += 2;
		} else if ((p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z') {
			i = control_word(&r, p, len, i);
		} else {
			control_symbol(&r, (char)p[i + 1]);
			i += 2;
		}
	}
	if (r.obj_depth > 0)
		obj_end(&r);	/* an object cut off at the end is still handed out */
	flush(&r);
	free(r.obj_buf);
	return r.rc;
}
