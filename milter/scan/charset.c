/*
 * charset.c - streaming charset decoding to UTF-8 (see charset.h).
 *
 * Per chunk: a byte-order mark at the start of a stream picks the mode,
 * then UTF-8 (valid runs passed through, the rest repaired as
 * windows-1252), UTF-16 LE/BE, or iconv.  A sequence cut by the end of a
 * chunk is carried to the next, so the result does not depend on how the
 * input was cut.
 *
 * Limits: the carry is at most 8 bytes; scratch buffers are 16 KiB on the
 * stack; the UTF-8 path looks at ASCII a vector at a time and at other
 * bytes one sequence at a time, never looking back.  A NUL of the input
 * is handed to the sink alone (charset.h says why).
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define CHARSET_AVX2 1
#endif

#include "grondslag/scan/charset.h"

#define SCRATCH_CAP 16384

enum dec_mode { DEC_START, DEC_UTF8, DEC_UTF16LE, DEC_UTF16BE, DEC_ICONV };

struct charset_dec {
	int (*sink)(void *arg, const char *utf8, size_t len);
	void *arg;
	int rc;				/* first non-zero sink() result */
	enum dec_mode mode, declared;
	iconv_t cd;
	unsigned char carry[8];
	size_t carry_len;
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init_once(void)
{
	g_mime_init();
}

void charset_global_init(void)
{
	(void)pthread_once(&gmime_once, gmime_init_once);
}

/* Decoded UTF-8 to the sink; nothing once it said stop. */
static void dec_out(struct charset_dec *t, const char *s, size_t n)
{
	if (t->rc == 0 && n > 0)
		t->rc = t->sink(t->arg, s, n);
}

/* windows-1252 0x80..0x9f; 0 = undefined there. */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013,
	0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178};

/* An invalid UTF-8 byte, read as windows-1252. */
static void feed_cp1252(struct charset_dec *t, unsigned char b)
{
	char u[4];
	uint32_t cp = b >= 0xa0 ? b : cp1252[b - 0x80];
	dec_out(t, u, charset_utf8_encode(cp ? cp : 0xfffd, u));
}

/* Length of the valid UTF-8 sequence at p: >0 valid, 0 invalid, -1 a valid
 * prefix cut by the end of the buffer. */
static int utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char b = p[0];
	int n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		unsigned char c = p[i];
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

/* The plain ASCII scan: bytes 0x01..0x7f pass; a byte with its top bit
 * set (a sequence to check) or NUL (handed on alone) stops it.  One
 * signed compare tells both: plain bytes are the ones greater than 0. */
#ifdef CHARSET_AVX2
__attribute__((target("avx2"))) static size_t ascii_span_avx2(const unsigned char *p, size_t n)
{
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		unsigned m = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpgt_epi8(v, _mm256_setzero_si256()));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return i;
}

__attribute__((target("avx512bw"))) static size_t ascii_span_avx512(const unsigned char *p,
								    size_t n)
{
	size_t i = 0;
	for (; i + 64 <= n; i += 64) {
		__m512i v = _mm512_loadu_si512((const void *)(p + i));
		uint64_t m = ~_mm512_cmpgt_epi8_mask(v, _mm512_setzero_si512());
		if (m != 0)
			return i + (size_t)__builtin_ctzll(m);
	}
	return i;
}
#endif

#ifdef __SSE2__
static size_t ascii_span_sse2(const unsigned char *p, size_t n)
{
	size_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		unsigned m = 0xffffu & ~(unsigned)_mm_movemask_epi8(_mm_cmpgt_epi8(v, _mm_setzero_si128()));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return i;
}
#endif

/* The loop in use: the best the processor has, unless a test forced one
 * (charset_ascii_path()). */
static int ascii_path = -1;

#ifdef CHARSET_AVX2
#define ASCII_PATHS \
	(CPUPATH_SET(CPUPATH_AVX512) | CPUPATH_SET(CPUPATH_AVX2) | CPUPATH_SET(CPUPATH_SSE2))
#elif defined(__SSE2__)
#define ASCII_PATHS CPUPATH_SET(CPUPATH_SSE2)
#else
#define ASCII_PATHS 0u
#endif

bool charset_ascii_path(int want)
{
	return cpupath_force(&ascii_path, want, ASCII_PATHS);
}

/* Length of the plain ASCII prefix of p[0..n): mail text is mostly
 * ASCII, so the decoder skips it a vector at a time (see above) and
 * looks at bytes one by one only around the others.  Reads nothing past
 * p[n-1]. */
static size_t ascii_span(const unsigned char *p, size_t n)
{
	int path = cpupath_get(&ascii_path, ASCII_PATHS);
	size_t i = 0;
#ifdef CHARSET_AVX2
	if (n >= 128 && path == CHARSET_PATH_AVX512)
		i = ascii_span_avx512(p, n);
	else if (n >= 64 && path == CHARSET_PATH_AVX2)
		i = ascii_span_avx2(p, n);
	else
#endif
#ifdef __SSE2__
	if (path != CHARSET_PATH_BYTES)
		i = ascii_span_sse2(p, n);
#endif
	while (i < n && (unsigned char)(p[i] - 1) < 0x7f)
		i++;
	return i;
}

/* UTF-8 input: pass valid runs through, repair the rest; a NUL goes to
 * the sink alone (see charset.h).  Returns how many bytes at the end are
 * an incomplete sequence (to carry), unless final. */
static size_t dec_utf8(struct charset_dec *t, const unsigned char *p, size_t n, bool final)
{
	size_t i = 0, run = 0;
	while (i < n) {
		i += ascii_span(p + i, n - i);
		if (i >= n)
			break;
		if (p[i] == 0) {
			dec_out(t, (const char *)p + run, i - run);
			dec_out(t, (const char *)p + i, 1);
			run = ++i;
			continue;
		}
		int k = utf8_seq(p + i, n - i);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		dec_out(t, (const char *)p + run, i - run);
		if (k < 0 && !final)
			return n - i;
		feed_cp1252(t, p[i]);
		run = ++i;
	}
	dec_out(t, (const char *)p + run, i - run);
	return 0;
}

/* UTF-16 input; returns the bytes to carry (odd byte, lone high surrogate). */
static size_t dec_utf16(struct charset_dec *t, const unsigned char *p, size_t n, bool final)
{
	char buf[SCRATCH_CAP];
	size_t o = 0, i = 0;
	bool le = t->mode == DEC_UTF16LE;
	while (i + 1 < n) {
		uint32_t u = le ? (uint32_t)(p[i] | p[i + 1] << 8) : (uint32_t)(p[i] << 8 | p[i + 1]);
		size_t used = 2;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 3 >= n && !final)
				break;
			if (i + 3 < n) {
				uint32_t l = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
						: (uint32_t)(p[i + 2] << 8 | p[i + 3]);
				if (l >= 0xdc00 && l <= 0xdfff) {
					u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
					used = 4;
				}
			}
		}
		if (o + 4 > sizeof buf) {
			dec_out(t, buf, o);
			o = 0;
		}
		o += charset_utf8_encode(u, buf + o);
		i += used;
	}
	dec_out(t, buf, o);
	if (final && i < n) {
		char u[4];
		dec_out(t, u, charset_utf8_encode(0xfffd, u));
		return 0;
	}
	return n - i;
}

/* Any other charset through iconv; returns the bytes to carry. */
static size_t dec_iconv(struct charset_dec *t, const unsigned char *p, size_t n, bool final)
{
	char buf[SCRATCH_CAP];
	char *in = (char *)(uintptr_t)p;
	size_t inleft = n;
	while (inleft > 0 && t->rc == 0) {
		char *out = buf;
		size_t outleft = sizeof buf;
		size_t r = g_mime_iconv(t->cd, &in, &inleft, &out, &outleft);
		int err = errno;
		/* iconv output is UTF-8 but not guaranteed valid: check it. */
		(void)dec_utf8(t, (const unsigned char *)buf, sizeof buf - outleft, true);
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		if (err == EINVAL && !final && inleft < sizeof t->carry)
			return inleft;
		char u[4];	/* EILSEQ, or a cut sequence at the end: skip a byte */
		dec_out(t, u, charset_utf8_encode(0xfffd, u));
		in++;
		inleft--;
	}
	return 0;
}

static size_t dec_run(struct charset_dec *t, const unsigned char *p, size_t n, bool final)
{
	switch (t->mode) {
	case DEC_UTF16LE:
	case DEC_UTF16BE:
		return dec_utf16(t, p, n, final);
	case DEC_ICONV:
		return dec_iconv(t, p, n, final);
	default:
		return dec_utf8(t, p, n, final);
	}
}

/* At the start: a byte-order mark wins over the declared charset. */
static size_t dec_start(struct charset_dec *t, const unsigned char *p, size_t n)
{
	t->mode = t->declared;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		t->mode = DEC_UTF8;
		return 3;
	}
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		t->mode = DEC_UTF16LE;
		return 2;
	}
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		t->mode = DEC_UTF16BE;
		return 2;
	}
	return 0;
}

/* Feed bytes through the decoder, with the carry from the last chunk. */
static void dec_feed(struct charset_dec *t, const unsigned char *p, size_t n, bool final)
{
	if (t->mode == DEC_START) {
		if (t->carry_len + n < 3 && !final) {
			memcpy(t->carry + t->carry_len, p, n);
			t->carry_len += n;
			return;
		}
		unsigned char head[3];
		size_t h = 0;
		for (; h < 3 && h < t->carry_len + n; h++)
			head[h] = h < t->carry_len ? t->carry[h] : p[h - t->carry_len];
		size_t skip = dec_start(t, head, h);
		/* Drop the BOM from the carry first, then from p. */
		size_t from_carry = skip < t->carry_len ? skip : t->carry_len;
		memmove(t->carry, t->carry + from_carry, t->carry_len - from_carry);
		t->carry_len -= from_carry;
		p += skip - from_carry;
		n -= skip - from_carry;
	}
	/* Complete the carried sequence with the first bytes of p.  Carried
	 * sequences are shorter than 8 bytes, so 8 more always settle them
	 * unless p ends first. */
	while (t->carry_len > 0 && t->rc == 0) {
		unsigned char joint[sizeof t->carry + 8];
		size_t take = n < 8 ? n : 8;
		memcpy(joint, t->carry, t->carry_len);
		memcpy(joint + t->carry_len, p, take);
		size_t total = t->carry_len + take;
		size_t left = dec_run(t, joint, total, final && take == n);
		size_t consumed = total - left;
		if (consumed > t->carry_len) {
			/* The carry is done; bytes of p not consumed are read again. */
			p += consumed - t->carry_len;
			n -= consumed - t->carry_len;
			t->carry_len = 0;
			break;
		}
		if (left > sizeof t->carry)
			left = sizeof t->carry;
		memmove(t->carry, joint + total - left, left);
		t->carry_len = left;
		p += take;
		n -= take;
		if (n == 0)
			return;
	}
	if (t->rc != 0)
		return;
	size_t left = dec_run(t, p, n, final);
	if (left > sizeof t->carry)
		left = sizeof t->carry;
	memcpy(t->carry, p + n - left, left);
	t->carry_len = left;
}

/* Map a declared charset to a decoder mode (iconv opened when needed). */
static void dec_choose(struct charset_dec *t, const char *charset)
{
	t->declared = DEC_UTF8;
	t->cd = (iconv_t)-1;
	if (charset == NULL || *charset == '\0')
		return;
	const char *canon = g_mime_charset_canon_name(charset);
	if (canon == NULL)
		canon = charset;
	if (strcasecmp(canon, "utf-8") == 0 || strcasecmp(canon, "utf8") == 0 ||
	    strcasecmp(canon, "us-ascii") == 0 || strcasecmp(canon, "ascii") == 0)
		return;
	if (strcasecmp(canon, "utf-16le") == 0 || strcasecmp(canon, "ucs-2le") == 0) {
		t->declared = DEC_UTF16LE;
		return;
	}
	if (strcasecmp(canon, "utf-16be") == 0 || strcasecmp(canon, "utf-16") == 0 ||
	    strcasecmp(canon, "ucs-2") == 0) {
		t->declared = DEC_UTF16BE;	/* RFC 2781: no BOM means big endian */
		return;
	}
	t->cd = g_mime_iconv_open("UTF-8", charset);
	if (t->cd != (iconv_t)-1)
		t->declared = DEC_ICONV;
}

struct charset_dec *charset_dec_alloc(const char *charset,
				      int (*sink)(void *arg, const char *utf8, size_t len),
				      void *arg)
{
	charset_global_init();
	struct charset_dec *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->sink = sink;
	t->arg = arg;
	t->mode = DEC_START;
	dec_choose(t, charset);
	return t;
}

int charset_dec_update(struct charset_dec *t, const void *buf, size_t len)
{
	if (t->rc == 0 && len > 0)
		dec_feed(t, buf, len, false);
	return t->rc;
}

int charset_dec_end(struct charset_dec *t)
{
	if (t->rc == 0 && (t->carry_len > 0 || t->mode == DEC_START))
		dec_feed(t, (const unsigned char *)"", 0, true);
	t->mode = DEC_START;
	t->carry_len = 0;
	return t->rc;
}

void charset_dec_free(struct charset_dec *t)
{
	if (t == NULL)
		return;
	if (t->cd != (iconv_t)-1)
		g_mime_iconv_close(t->cd);
	free(t);
}
