/*
 * b64part.c - a base64 part decoded in one pass (see b64part.h).
 *
 * Decisions, and why:
 *  - Only plainly written base64 is taken: groups of four, line ends and
 *    a few blanks between them, padding only at the end.  There every
 *    decoder agrees, so the bytes are GMime's; for anything else (junk,
 *    '=' inside, long gaps) the answer is no and GMime decodes it, with
 *    whatever its own rules make of it.
 *  - With AVX-512 VBMI (vpermb looks the values up) the lines of a part
 *    laid out alike (the width of its first line, a multiple of four up
 *    to 124, and the same line end) are decoded a line a step: where the
 *    next line starts is known ahead, so the steps overlap.  Elsewhere
 *    whole groups are decoded a 64-byte window at a time; a line end
 *    after whole groups is taken out of the window by a permutation, so
 *    a 76-character line costs little more than one window; a window
 *    that ends at a line start tries lines again.  Without VBMI, 32
 *    characters a step with AVX2.  Whatever these stop at (a blank, '=',
 *    a line of odd length, a long gap) goes to the byte loop, which
 *    decides.
 *    b64part_path() forces each, so tests hold them to the byte loop.
 *
 * Limits: no allocation; reads are bounded by len (a prefetch may name
 * an address past it: a hint, never a read), writes by len/4*3 (the
 * VBMI loop's stores are masked to what it decodes; an AVX2 store writes
 * 8 bytes past what it decodes, only while 32 more characters are left
 * to decode).
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

/* A part being decoded: where the input and output are, the group begun
 * (n of its characters in acc) and the gap since the last character. */
struct part {
	const unsigned char *p;
	size_t len, i;
	unsigned char *out;
	size_t o, skip;
	size_t blanks;	/* spaces and tabs passed over */
	uint32_t acc;
	unsigned n;
};

enum step {
	STEP_ON,	/* go on */
	STEP_PAD,	/* at the first '=': the end */
	STEP_NO		/* not plainly written: GMime decodes it */
};

/* One whole group when one starts at s->i, else one character. */
static inline __attribute__((always_inline)) enum step scalar_step(struct part *s)
{
	const unsigned char *p = s->p;
	size_t i = s->i;
	if (s->n == 0 && s->len - i >= 4) {	/* a whole group: the common case */
		uint32_t a = b64_class(p[i]), b = b64_class(p[i + 1]), c = b64_class(p[i + 2]),
			 d = b64_class(p[i + 3]);
		if ((a | b | c | d) < 64) {
			uint32_t v = a << 18 | b << 12 | c << 6 | d;
			s->out[s->o] = (unsigned char)(v >> 16);
			s->out[s->o + 1] = (unsigned char)(v >> 8);
			s->out[s->o + 2] = (unsigned char)v;
			s->o += 3;
			s->i += 4;
			s->skip = 0;
			return STEP_ON;
		}
	}
	unsigned c = b64_class(p[i]);
	if (c == B64_PAD)
		return STEP_PAD;	/* padding: the last group */
	if (c < 64) {
		s->acc = s->acc << 6 | c;
		s->skip = 0;
		if (++s->n == 4) {
			s->out[s->o++] = (unsigned char)(s->acc >> 16);
			s->out[s->o++] = (unsigned char)(s->acc >> 8);
			s->out[s->o++] = (unsigned char)s->acc;
			s->n = 0;
			s->acc = 0;
		}
	} else if (c == B64_JUNK || ++s->skip > B64PART_SKIP) {
		return STEP_NO;	/* a byte no base64 has, or a long gap */
	} else if (c == B64_BLANK) {
		s->blanks++;
	}
	s->i++;
	return STEP_ON;
}

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

/* How far ahead of a window its input is asked for: where the next
 * window starts depends on this one's bytes, so without it each load
 * waits for memory in turn (4x slower on a part bigger than the cache). */
#define PREFETCH 2048

#define VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

/* The constants of the VBMI loop, made once per part. */
struct vbmi_consts {
	__m512i lut_lo, lut_hi;	/* the value of ASCII 0..63 and 64..127, else 0x80 */
	__m512i iota;		/* the bytes 0, 1, .. 63 */
	__m512i gather;		/* byte 3g + r of the output is byte 2 - r of lane g */
};

/* The value tables come from the alphabet's ranges. */
VBMI static void vbmi_consts(struct vbmi_consts *k)
{
	__m512i x = _mm512_set_epi64(0x3f3e3d3c3b3a3938, 0x3736353433323130, 0x2f2e2d2c2b2a2928,
				     0x2726252423222120, 0x1f1e1d1c1b1a1918, 0x1716151413121110,
				     0x0f0e0d0c0b0a0908, 0x0706050403020100);
	__m512i none = _mm512_set1_epi8((char)0x80);
	k->iota = x;
	__mmask64 digit = _mm512_cmpge_epu8_mask(x, _mm512_set1_epi8('0')) &
			  _mm512_cmple_epu8_mask(x, _mm512_set1_epi8('9'));
	__m512i lo = _mm512_mask_add_epi8(none, digit, x, _mm512_set1_epi8(52 - '0'));
	lo = _mm512_mask_mov_epi8(lo, _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('+')),
				  _mm512_set1_epi8(62));
	k->lut_lo = _mm512_mask_mov_epi8(lo, _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('/')),
					 _mm512_set1_epi8(63));
	x = _mm512_add_epi8(x, _mm512_set1_epi8(64));
	__mmask64 upper = _mm512_cmpge_epu8_mask(x, _mm512_set1_epi8('A')) &
			  _mm512_cmple_epu8_mask(x, _mm512_set1_epi8('Z'));
	__mmask64 lower = _mm512_cmpge_epu8_mask(x, _mm512_set1_epi8('a')) &
			  _mm512_cmple_epu8_mask(x, _mm512_set1_epi8('z'));
	__m512i hi = _mm512_mask_sub_epi8(none, upper, x, _mm512_set1_epi8('A'));
	k->lut_hi = _mm512_mask_sub_epi8(hi, lower, x, _mm512_set1_epi8('a' - 26));
	k->gather = _mm512_set_epi64(0, 0, 0x3c3d3e38393a3435, 0x363031322c2d2e28,
				     0x292a242526202122, 0x1c1d1e18191a1415, 0x161011120c0d0e08,
				     0x090a040506000102);
}

/* The first n 6-bit values of v (n a multiple of four, at most 64) as
 * n / 4 * 3 bytes at out: four values to 24 bits per 32-bit lane, the
 * lanes' bytes gathered in order, a masked store that writes no more. */
VBMI static size_t vbmi_store(const struct vbmi_consts *k, __m512i v, size_t n,
			      unsigned char *out)
{
	__m512i ab = _mm512_maddubs_epi16(v, _mm512_set1_epi32(0x01400140));
	__m512i abcd = _mm512_madd_epi16(ab, _mm512_set1_epi32(0x00011000));
	size_t bytes = n / 4 * 3;
	_mm512_mask_storeu_epi8(out, bytes == 0 ? 0 : ~0ULL >> (64 - bytes),
				_mm512_permutexvar_epi8(k->gather, abcd));
	return bytes;
}

/* The lookup of the 64 bytes at p: values, and *bad the lanes that hold
 * no base64 character. */
VBMI static inline __m512i vbmi_values(const struct vbmi_consts *k, const unsigned char *p,
				       uint64_t *bad)
{
	__m512i in = _mm512_loadu_si512((const void *)p);
	__m512i v = _mm512_permutex2var_epi8(k->lut_lo, in, k->lut_hi);
	*bad = _mm512_movepi8_mask(_mm512_or_si512(in, v));
	return v;
}

/* The length of the line end at p[k] of a 64-byte window (CR LF or LF),
 * 0 when there is none there. */
static size_t line_end_at(const unsigned char *p, size_t k)
{
	if (p[k] == '\n')
		return 1;
	return p[k] == '\r' && k + 1 < 64 && p[k + 1] == '\n' ? 2 : 0;
}

/* One 64-byte window of whole groups from s->i: the base64 characters
 * up to the first other byte; when that is a line end after whole
 * groups, it is taken out of the window (a permutation) and the groups
 * after it decoded too.  false when nothing was taken. */
VBMI static bool vbmi_window(struct part *s, const struct vbmi_consts *k)
{
	const unsigned char *w = s->p + s->i;
	/* an address, never dereferenced: it may lie past the part
	 * (reckoned as an integer, as a pointer there is undefined) */
	_mm_prefetch((const char *)(uintptr_t)((uintptr_t)w + PREFETCH), _MM_HINT_T0);
	uint64_t bad;
	__m512i v = vbmi_values(k, w, &bad);
	if (bad == 0) {
		s->o += vbmi_store(k, v, 64, s->out + s->o);
		s->i += 64;
		s->skip = 0;
		return true;
	}
	size_t at = (size_t)__builtin_ctzll(bad), whole = at & ~(size_t)3;
	size_t m = at == whole && at > 0 ? line_end_at(w, at) : 0;
	if (m == 0) {	/* a blank, '=', junk, a line of odd length: decode up to it */
		s->o += vbmi_store(k, v, whole, s->out + s->o);
		s->i += whole;
		s->skip = whole > 0 ? 0 : s->skip;
		return whole > 0;
	}
	/* the window without the line end: lanes from at on read m further */
	__m512i idx = _mm512_mask_add_epi8(k->iota, ~0ULL << at, k->iota, _mm512_set1_epi8((char)m));
	v = _mm512_permutexvar_epi8(idx, v);
	uint64_t rest = at + m < 64 ? bad >> (at + m) : 0;
	uint64_t joined = (bad & ((1ULL << at) - 1)) | rest << at | ~0ULL << (64 - m);
	size_t n = (size_t)__builtin_ctzll(joined) & ~(size_t)3;
	s->o += vbmi_store(k, v, n, s->out + s->o);
	s->i += n + m;
	s->skip = n > at ? 0 : m;	/* no character after the line end yet: a gap */
	return true;
}

/* The width of the line at s->i (its base64 characters, up to 124: a
 * line of 128 leaves its second window whole, and 0 is said) when
 * whole groups and a line end (*eol bytes) end it within the part; else
 * 0. */
VBMI static size_t line_width(const struct part *s, const struct vbmi_consts *k, size_t *eol)
{
	const unsigned char *p = s->p + s->i;
	size_t left = s->len - s->i, width;
	uint64_t bad;
	(void)vbmi_values(k, p, &bad);	/* the caller leaves 64 bytes at least */
	if (bad != 0) {
		width = (size_t)__builtin_ctzll(bad);
	} else {
		if (left < 128 + 2)
			return 0;
		(void)vbmi_values(k, p + 64, &bad);
		if (bad == 0)
			return 0;
		width = 64 + (size_t)__builtin_ctzll(bad);
	}
	*eol = width + 1 < left && p[width] == '\r' && p[width + 1] == '\n' ? 2
	       : width < left && p[width] == '\n'			  ? 1
										  : 0;
	return width % 4 == 0 && width > 0 && *eol > 0 ? width : 0;
}

/* Lines laid out as the one at s->i is (width base64 characters, the
 * same line end), one step each: where the next line starts is known
 * ahead, so the steps overlap.  A line wider than 64 is two windows, the
 * second ending with the line (their bytes overlap; the second store
 * writes over the first's last ones with the same bytes).  Stops at the
 * first line laid out otherwise, at its start. */
VBMI static void vbmi_lines(struct part *s, const struct vbmi_consts *k)
{
	size_t eol, width = line_width(s, k, &eol);
	if (width == 0)
		return;
	const unsigned char *p = s->p;
	size_t i = s->i, o = s->o, step = width + eol, need = width > 64 ? step : 64;
	size_t tail = width > 64 ? width - 64 : 0;
	uint64_t lanes = width >= 64 ? ~0ULL : (1ULL << width) - 1;
	while (s->len - i >= need + eol) {
		uint64_t bad_a, bad_b = 0;
		__m512i a = vbmi_values(k, p + i, &bad_a), b = a;
		if (tail > 0)
			b = vbmi_values(k, p + i + tail, &bad_b);
		bool end = eol == 2 ? p[i + width] == '\r' && p[i + width + 1] == '\n'
				    : p[i + width] == '\n';
		if (((bad_a & lanes) | bad_b) != 0 || !end)
			break;
		(void)vbmi_store(k, a, width < 64 ? width : 64, s->out + o);
		if (tail > 0)
			(void)vbmi_store(k, b, 64, s->out + o + tail / 4 * 3);
		i += step;
		o += width / 4 * 3;
	}
	if (i != s->i)
		s->skip = eol;	/* after a line end, before the next character */
	s->i = i;
	s->o = o;
}

/* The scalar loop with VBMI steps wherever a group starts and 64 bytes
 * are left: whole lines where they are laid out alike, else windows. */
VBMI static enum step run_vbmi(struct part *s)
{
	struct vbmi_consts k;
	vbmi_consts(&k);
	enum step r = STEP_ON;
	bool line_start = true;
	while (r == STEP_ON && s->i < s->len) {
		if (s->n == 0 && s->len - s->i >= 64) {
			size_t i0 = s->i;
			if (line_start) {
				vbmi_lines(s, &k);
				line_start = false;
				if (s->i != i0)
					continue;	/* it may have reached the end */
			}
			if (vbmi_window(s, &k)) {
				line_start = s->skip > 0 && s->skip <= 2;
				continue;
			}
		}
		r = scalar_step(s);
		line_start = false;
	}
	return r;
}

/* The same with AVX2's 32-character runs. */
__attribute__((target("avx2"))) static enum step run_avx2(struct part *s)
{
	enum step r = STEP_ON;
	while (r == STEP_ON && s->i < s->len) {
		if (s->n == 0 && s->len - s->i >= 64) {
			size_t i0 = s->i;
			b64_plain_avx2(s->p, s->len, &s->i, s->out, &s->o);
			if (s->i != i0) {
				s->skip = 0;
				continue;
			}
		}
		r = scalar_step(s);
	}
	return r;
}

/* The instruction set the decoder uses (b64part_path(); cpupath.h). */
static int part_path = -1;
#define B64PART_PATHS (CPUPATH_SET(CPUPATH_AVX512VBMI) | CPUPATH_SET(CPUPATH_AVX2))

bool b64part_path(int want)
{
	return cpupath_force(&part_path, want, B64PART_PATHS);
}

/* After the first '=': one more at most, line ends and blanks; then the
 * last group, which the padding completes. */
static bool finish(struct part *s, size_t *out_len, size_t *blanks)
{
	size_t pads = 0, skip = 0;
	for (size_t i = s->i; i < s->len; i++) {
		unsigned c = b64_class(s->p[i]);
		if (c == B64_PAD) {
			skip = 0;
			if (++pads > 2)
				return false;
		} else if (c < 64 || c == B64_JUNK || ++skip > B64PART_SKIP) {
			return false;
		} else if (c == B64_BLANK) {
			s->blanks++;
		}
	}
	if (pads > 0 ? s->n + pads != 4 : s->n != 0)
		return false;	/* the last group cut short */
	uint32_t acc = s->acc << 6 * pads;
	if (pads > 0)
		s->out[s->o++] = (unsigned char)(acc >> 16);
	if (pads == 1)
		s->out[s->o++] = (unsigned char)(acc >> 8);
	*out_len = s->o;
	*blanks = s->blanks;
	return true;
}

bool b64part_decode(const void *buf, size_t len, unsigned char *out, size_t *out_len,
		    size_t *blanks)
{
	struct part s = {.p = buf, .len = len, .out = out};
	int path = cpupath_get(&part_path, B64PART_PATHS);
	enum step r = STEP_ON;
	if (path == B64PART_PATH_VBMI)
		r = run_vbmi(&s);
	else if (path == B64PART_PATH_AVX2)
		r = run_avx2(&s);
	else
		while (r == STEP_ON && s.i < len)
			r = scalar_step(&s);
	/* at the first '=' (STEP_PAD) or the end */
	return r != STEP_NO && finish(&s, out_len, blanks);
}
