/*
 * b64part.c - a base64 part decoded in one pass (see b64part.h).
 *
 * Decisions, and why:
 *  - Only plainly written base64 is taken: groups of four, line ends and
 *    a few blanks between them, padding only at the end.  There every
 *    decoder agrees, so the bytes are GMime's; for anything else (junk,
 *    '=' inside, long gaps) the answer is no and GMime decodes it, with
 *    whatever its own rules make of it.
 *  - The common run of whole groups is decoded 32 characters a step with
 *    AVX2; the rest a character at a time.
 *
 * Limits: no allocation; reads are bounded by len, writes by len/4*3
 * (a vector store writes 8 bytes past what it decodes, only while 32
 * more characters are left to decode).
 */
#include <immintrin.h>
#include <stdint.h>

#include "grondslag/scan/b64part.h"

/* What a byte is in base64 text. */
enum {
	B64_PAD = 64,		/* '=' */
	B64_LINE_END = 65,	/* CR, LF */
	B64_JUNK = 66,		/* what no base64 text has */
	B64_BLANK = 67		/* space, tab */
};

/* 0..63, the value of a base64 character, or one of the classes above. */
static unsigned b64_class(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a') + 26;
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') + 52;
	switch (c) {
	case '+':
		return 62;
	case '/':
		return 63;
	case '=':
		return B64_PAD;
	case '\r':
	case '\n':
		return B64_LINE_END;
	case ' ':
	case '\t':
		return B64_BLANK;
	default:
		return B64_JUNK;
	}
}

/* Blanks and line ends in a row that a plainly written part may have
 * (b64part_decode); more, and the general decoder reads it. */
#define B64PART_SKIP 8

/* 32 base64 characters at p into 24 bytes at out (32 writable): false,
 * and nothing decoded, when one of them is no base64 character.  The
 * nibble tables: a byte is valid when the bits of its low and high
 * nibble share none (0x10 marks a high nibble no character has); the
 * value is the byte plus an offset chosen by its high nibble ('/' apart). */
__attribute__((target("avx2"))) static bool b64_decode32(const unsigned char *p, unsigned char *out)
{
	const __m256i lut_lo = _mm256_setr_epi8(
		0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b,
		0x1b, 0x1a, 0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a,
		0x1b, 0x1b, 0x1b, 0x1a);
	const __m256i lut_hi = _mm256_setr_epi8(
		0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,
		0x10, 0x10, 0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10,
		0x10, 0x10, 0x10, 0x10);
	const __m256i lut_roll = _mm256_setr_epi8(
		0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 19, 4, -65, -65, -71,
		-71, 0, 0, 0, 0, 0, 0, 0, 0);
	__m256i in = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i hi = _mm256_and_si256(_mm256_srli_epi32(in, 4), _mm256_set1_epi8(0x0f));
	__m256i lo = _mm256_and_si256(in, _mm256_set1_epi8(0x0f));
	if (!_mm256_testz_si256(_mm256_shuffle_epi8(lut_lo, lo), _mm256_shuffle_epi8(lut_hi, hi)))
		return false;
	__m256i slash = _mm256_cmpeq_epi8(in, _mm256_set1_epi8('/'));
	__m256i v = _mm256_add_epi8(in, _mm256_shuffle_epi8(lut_roll, _mm256_add_epi8(slash, hi)));
	/* four 6-bit values to 24 bits per 32-bit lane, then the bytes in order */
	__m256i ab = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
	__m256i abcd = _mm256_madd_epi16(ab, _mm256_set1_epi32(0x00011000));
	__m256i bytes = _mm256_shuffle_epi8(abcd, _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13,
								   12, -1, -1, -1, -1, 2, 1, 0, 6, 5,
								   4, 10, 9, 8, 14, 13, 12, -1, -1, -1,
								   -1));
	bytes = _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7));
	_mm256_storeu_si256((__m256i *)(void *)out, bytes);
	return true;
}

/* b64part_decode()'s whole 32-character runs from i, while the output
 * has room for a 32-byte store; the offsets it reached. */
__attribute__((target("avx2"))) static void b64_plain_avx2(const unsigned char *p, size_t len,
							   size_t *pi, unsigned char *out, size_t *po)
{
	size_t i = *pi, o = *po;
	while (len - i >= 64 && b64_decode32(p + i, out + o)) {
		i += 32;
		o += 24;
	}
	*pi = i;
	*po = o;
}

bool b64part_decode(const void *buf, size_t len, unsigned char *out, size_t *out_len)
{
	const unsigned char *p = buf;
	size_t i = 0, o = 0, skip = 0, pads = 0;
	uint32_t acc = 0;
	unsigned n = 0;
	bool avx2 = __builtin_cpu_supports("avx2");
	while (i < len) {
		if (n == 0 && avx2 && len - i >= 64) {
			size_t i0 = i;
			b64_plain_avx2(p, len, &i, out, &o);
			if (i != i0) {
				skip = 0;
				continue;
			}
		}
		if (n == 0 && len - i >= 4) {	/* a whole group: the common case */
			uint32_t a = b64_class(p[i]), b = b64_class(p[i + 1]), c = b64_class(p[i + 2]),
				 d = b64_class(p[i + 3]);
			if ((a | b | c | d) < 64) {
				uint32_t v = a << 18 | b << 12 | c << 6 | d;
				out[o] = (unsigned char)(v >> 16);
				out[o + 1] = (unsigned char)(v >> 8);
				out[o + 2] = (unsigned char)v;
				o += 3;
				i += 4;
				skip = 0;
				continue;
			}
		}
		unsigned c = b64_class(p[i]);
		if (c == B64_PAD)
			break;	/* padding: the last group */
		if (c < 64) {
			acc = acc << 6 | c;
			skip = 0;
			if (++n == 4) {
				out[o++] = (unsigned char)(acc >> 16);
				out[o++] = (unsigned char)(acc >> 8);
				out[o++] = (unsigned char)acc;
				n = 0;
				acc = 0;
			}
		} else if (c == B64_JUNK || ++skip > B64PART_SKIP) {
			return false;	/* a byte no base64 has, or a long gap */
		}
		i++;
	}
	/* after the first '=': one more at most, line ends and blanks */
	for (skip = 0; i < len; i++) {
		unsigned c = b64_class(p[i]);
		if (c == B64_PAD) {
			skip = 0;
			if (++pads > 2)
				return false;
		} else if (c < 64 || c == B64_JUNK || ++skip > B64PART_SKIP) {
			return false;
		}
	}
	if (pads > 0 ? n + pads != 4 : n != 0)
		return false;	/* the last group cut short */
	if (pads > 0) {
		acc <<= 6 * pads;
		out[o++] = (unsigned char)(acc >> 16);
		if (pads == 1)
			out[o++] = (unsigned char)(acc >> 8);
	}
	*out_len = o;
	return true;
}
