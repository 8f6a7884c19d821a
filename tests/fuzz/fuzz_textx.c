/*
 * fuzz_textx.c - differential target for text extraction (textx.h: the
 * charset decoder feeding the text stage).  The first byte picks the
 * markup and the declared charset, the second a chunk size; the rest is
 * converted whole and in chunks of that size, and into a new document
 * halfway.  The text must not depend on how the input was cut, must be
 * valid UTF-8 without NUL bytes, and no emit() may exceed 64 KiB; any
 * difference aborts.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/textx.h"

struct out {
	char *buf;
	size_t len, cap;
};

static int gather(void *arg, const char *s, size_t n)
{
	struct out *o = arg;
	if (n == 0 || n > 65536)
		abort();
	if (o->cap - o->len < n) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap - o->len < n)
			cap *= 2;
		char *nb = realloc(o->buf, cap);
		if (nb == NULL)
			abort();
		o->buf = nb;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

/* Convert p[0..n) in chunks of step (0: whole), a new document at cut. */
static struct out convert(enum markup_kind m, const char *cs, const uint8_t *p, size_t n,
			  size_t step, size_t cut)
{
	struct out o = {0};
	struct textx *t = textx_alloc(m, cs, gather, &o);
	if (t == NULL)
		abort();
	if (step == 0)
		step = n ? n : 1;
	for (size_t i = 0; i < n;) {
		size_t k = n - i < step ? n - i : step;
		if (i < cut && i + k > cut)
			k = cut - i;	/* land on the cut */
		if (textx_update(t, p + i, k) != 0)
			abort();
		i += k;
		if (i == cut && textx_next_document(t) != 0)
			abort();
	}
	if (textx_finish(t) != 0)
		abort();
	textx_free(t);
	return o;
}

/* Valid UTF-8 (RFC 3629: no overlongs, surrogates or past U+10FFFF), no NUL. */
static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char b = s[i];
		size_t k;
		unsigned char lo = 0x80, hi = 0xbf;
		if (b == 0)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			k = 2;
		else if (b >= 0xe0 && b <= 0xef)
			k = 3;
		else if (b >= 0xf0 && b <= 0xf4)
			k = 4;
		else
			return false;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
		else if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
		if (n - i < k)
			return false;
		for (size_t j = 1; j < k; j++)
			if (s[i + j] < (j == 1 ? lo : 0x80) || s[i + j] > (j == 1 ? hi : 0xbf))
				return false;
		i += k;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const charsets[] = {NULL,	     "utf-8",	   "utf-16le", "utf-16be",
					       "utf-16",     "iso-8859-1", "windows-1252",
					       "shift_jis",  "koi8-r",	   "x-unknown"};
	if (size < 2 || size > (1u << 20))
		return 0;
	enum markup_kind m = (enum markup_kind)(data[0] & 3);
	const char *cs = charsets[(data[0] >> 2) % (sizeof charsets / sizeof charsets[0])];
	size_t step = (size_t)(data[1] % 17) + 1;
	const uint8_t *p = data + 2;
	size_t n = size - 2, cut = n / 2;

	struct out whole = convert(m, cs, p, n, 0, (size_t)-1);
	struct out cut_up = convert(m, cs, p, n, step, (size_t)-1);
	if (whole.len != cut_up.len || memcmp(whole.buf, cut_up.buf, whole.len) != 0)
		abort();
	if (!valid_utf8((const unsigned char *)whole.buf, whole.len))
		abort();
	/* Two documents: the same whole or cut at the same place. */
	struct out two = convert(m, cs, p, n, 0, cut);
	struct out two_cut = convert(m, cs, p, n, step, cut);
	if (two.len != two_cut.len || memcmp(two.buf, two_cut.buf, two.len) != 0)
		abort();
	if (!valid_utf8((const unsigned char *)two.buf, two.len))
		abort();
	free(whole.buf);
	free(cut_up.buf);
	free(two.buf);
	free(two_cut.buf);
	return 0;
}
