/*
 * ipscan_block.h - the block tests of the IP scanner's hot loop: which of
 * 64 bytes are anchors, and the digit, hex and colon masks the loop
 * settles them with, for SSE2, AVX2 (-DIPSCAN_NO_AVX2 leaves it out) and
 * AVX-512 VBMI (-DIPSCAN_NO_AVX512).  Static inline functions and their
 * tables, included by ipscan.c only, so that each is inlined into the
 * copy of the block loop made for its instruction set.
 */
#ifndef GRONDSLAG_IPSCAN_BLOCK_H
#define GRONDSLAG_IPSCAN_BLOCK_H

#include <emmintrin.h>
#include <stdint.h>

#include "ipscan_priv.h"

/*
 * The block test: for 64 bytes at p, a mask of separator bytes ('.', ':',
 * '[', '(', '{') that have a hex digit or ':' before them and a hex digit,
 * ':' or '.' after them.  That is a superset of the anchors; is_anchor()
 * then settles each bit with the exact rule.  Most blocks of prose have no
 * bit set, and a block without any separator costs five compares per 16
 * bytes.
 */

/* Candidate bits of 16 bytes: separator & hex-or-colon before & hex,
 * colon or dot after, without the bits that need bytes outside x (the
 * caller shifts the 64-bit masks). */
static inline void sse_masks(__m128i x, unsigned *sep, unsigned *hc, unsigned *hcx,
			     unsigned *colon, unsigned *digit)
{
	__m128i dot = _mm_cmpeq_epi8(x, _mm_set1_epi8('.'));
	__m128i col = _mm_cmpeq_epi8(x, _mm_set1_epi8(':'));
	__m128i brk = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('[')),
						_mm_cmpeq_epi8(x, _mm_set1_epi8('('))),
				   _mm_cmpeq_epi8(x, _mm_set1_epi8('{')));
	__m128i d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	__m128i dig = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	__m128i l = _mm_sub_epi8(_mm_or_si128(x, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	__m128i let = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(5)), l);
	__m128i h = _mm_or_si128(_mm_or_si128(dig, let), col);
	*sep = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(dot, col), brk));
	*hc = (unsigned)_mm_movemask_epi8(h);
	*hcx = (unsigned)_mm_movemask_epi8(_mm_or_si128(h, dot));
	*colon = (unsigned)_mm_movemask_epi8(col);
	*digit = (unsigned)_mm_movemask_epi8(dig);
}

/* The masks of one 64-byte block: candidate anchors, hex-or-colon bytes,
 * colons. */
struct block {
	uint64_t cand, hc, colon, digit;
};

/* The instruction set a copy of the block loop is made for. */
enum { ISA_SSE2, ISA_AVX2, ISA_AVX512 };

/* Combine the masks of 64 bytes at p into candidate bits. */
static inline uint64_t combine(const uint8_t *p, uint64_t sep, uint64_t hc, uint64_t hcx)
{
	uint64_t before = (ipscan_class[p[-1]] & IPC_HEXC) ? 1 : 0;
	uint64_t after = (ipscan_class[p[64]] & (IPC_HEXC | IPC_NB)) ? 1 : 0;
	return sep & (hc << 1 | before) & (hcx >> 1 | after << 63);
}

/* Candidate bits of 64 bytes with SSE2. */
static inline uint64_t block_sse2(const uint8_t *p, struct block *b)
{
	unsigned s[4], h[4], hx[4], c[4], d[4];
	for (int k = 0; k < 4; k++)
		sse_masks(_mm_loadu_si128((const __m128i *)(p + 16 * k)), &s[k], &h[k], &hx[k],
			  &c[k], &d[k]);
	uint64_t sep = (uint64_t)s[0] | (uint64_t)s[1] << 16 | (uint64_t)s[2] << 32 |
		       (uint64_t)s[3] << 48;
	if (sep == 0)
		return 0;
	b->hc = (uint64_t)h[0] | (uint64_t)h[1] << 16 | (uint64_t)h[2] << 32 | (uint64_t)h[3] << 48;
	b->colon = (uint64_t)c[0] | (uint64_t)c[1] << 16 | (uint64_t)c[2] << 32 |
		   (uint64_t)c[3] << 48;
	b->digit = (uint64_t)d[0] | (uint64_t)d[1] << 16 | (uint64_t)d[2] << 32 |
		   (uint64_t)d[3] << 48;
	b->cand = combine(p, sep, b->hc,
			  (uint64_t)hx[0] | (uint64_t)hx[1] << 16 | (uint64_t)hx[2] << 32 |
				  (uint64_t)hx[3] << 48);
	return b->cand;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(IPSCAN_NO_AVX2)
#include <immintrin.h>
#define IPSCAN_AVX2 1

/*
 * The AVX2 block test is exact for '.' and ':' anchors: each byte is
 * classified twice by nibble (two table lookups, ANDed), once for each of
 * three roles - the byte itself, the byte before it, the byte after it -
 * and the three role classes of neighbouring bytes are ANDed.  A bit of
 * the class stands for one shape of anchor whose three sets are each a
 * product "low nibble in L, high nibble in H":
 *   bit 0: '.' with a digit before and after
 *   bits 1-4: ':' with [0-9:] or [a-fA-F] before, and the same after
 *             (the four combinations of the two sets)
 *   bits 5-6: '(' / '[' '{' with a byte of a superset of hex-or-colon
 *             before and of '.', ':', 'd', 'D' after (rare: settled by
 *             anchor_raw())
 * A sentence period, "margin:0" or "Subject: x" never leaves the
 * registers.
 */
enum {
	R_DOT = 0x01, R_CC = 0x02, R_CL = 0x04, R_LC = 0x08, R_LL = 0x10, R_PAR = 0x20, R_BRK = 0x40,
	R_COLON = R_CC | R_CL | R_LC | R_LL,
	R_DC_L = R_CC | R_CL, R_HL_L = R_LC | R_LL,	/* before: digit/colon, hex letter */
	R_DC_R = R_CC | R_LC, R_HL_R = R_CL | R_LL,	/* after: digit/colon, hex letter */
	R_BR = R_PAR | R_BRK
};

/* Role tables, indexed by low and high nibble (bytes >= 0x80 are in no
 * class: pshufb gives 0 for them, and their high nibble row is 0). */
static const uint8_t self_lo[16] = {
	[0x8] = R_PAR, [0xa] = R_COLON, [0xb] = R_BRK, [0xe] = R_DOT,
};
static const uint8_t self_hi[16] = {
	[0x2] = R_DOT | R_PAR, [0x3] = R_COLON, [0x5] = R_BRK, [0x7] = R_BRK,
};
#define DC_BEFORE (R_DOT | R_DC_L | R_BR)
#define DC_AFTER (R_DOT | R_DC_R)
static const uint8_t before_lo[16] = {
	DC_BEFORE, DC_BEFORE | R_HL_L, DC_BEFORE | R_HL_L, DC_BEFORE | R_HL_L, DC_BEFORE | R_HL_L,
	DC_BEFORE | R_HL_L, DC_BEFORE | R_HL_L, DC_BEFORE, DC_BEFORE, DC_BEFORE, R_DC_L | R_BR,
};
static const uint8_t before_hi[16] = {
	[0x3] = R_DOT | R_DC_L | R_BR, [0x4] = R_HL_L | R_BR, [0x6] = R_HL_L | R_BR,
};
static const uint8_t after_lo[16] = {
	DC_AFTER, DC_AFTER | R_HL_R, DC_AFTER | R_HL_R, DC_AFTER | R_HL_R, DC_AFTER | R_HL_R | R_BR,
	DC_AFTER | R_HL_R, DC_AFTER | R_HL_R, DC_AFTER, DC_AFTER, DC_AFTER, R_DC_R | R_BR,
	[0xe] = R_BR,
};
static const uint8_t after_hi[16] = {
	[0x2] = R_BR, [0x3] = R_DOT | R_DC_R | R_BR, [0x4] = R_HL_R | R_BR, [0x6] = R_HL_R | R_BR,
};
#undef DC_BEFORE
#undef DC_AFTER

/* The six tables in registers, loaded once per call of the block loop. */
struct roles {
	__m256i self_lo, self_hi, before_lo, before_hi, after_lo, after_hi, low4;
};

/* Load a 16-entry table into both lanes. */
__attribute__((target("avx2"))) static inline __m256i table(const uint8_t *t)
{
	return _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t));
}

__attribute__((target("avx2"))) static inline void roles_load(struct roles *r)
{
	r->self_lo = table(self_lo);
	r->self_hi = table(self_hi);
	r->before_lo = table(before_lo);
	r->before_hi = table(before_hi);
	r->after_lo = table(after_lo);
	r->after_hi = table(after_hi);
	r->low4 = _mm256_set1_epi8(0x0f);
}

/* The class of each of 32 bytes at p in one role. */
__attribute__((target("avx2"))) static inline __m256i role(const uint8_t *p, __m256i lo, __m256i hi,
							    __m256i low4)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)p);
	__m256i h = _mm256_and_si256(_mm256_srli_epi16(x, 4), low4);
	return _mm256_and_si256(_mm256_shuffle_epi8(lo, x), _mm256_shuffle_epi8(hi, h));
}

/* Anchor classes of 32 bytes at p (p[-1] and p[32] readable). */
__attribute__((target("avx2"))) static inline __m256i anchors32(const uint8_t *p,
								 const struct roles *r)
{
	__m256i self = role(p, r->self_lo, r->self_hi, r->low4);
	__m256i before = role(p - 1, r->before_lo, r->before_hi, r->low4);
	__m256i after = role(p + 1, r->after_lo, r->after_hi, r->low4);
	return _mm256_and_si256(self, _mm256_and_si256(before, after));
}

/* Anchor bits of 64 bytes at p with AVX2 (chosen at run time). */
__attribute__((target("avx2"))) static inline uint64_t block_avx2(const uint8_t *p,
								   const struct roles *r)
{
	__m256i a0 = anchors32(p, r), a1 = anchors32(p + 32, r);
	if (_mm256_testz_si256(_mm256_or_si256(a0, a1), _mm256_or_si256(a0, a1)))
		return 0;
	__m256i zero = _mm256_setzero_si256();
	uint64_t z0 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a0, zero));
	uint64_t z1 = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a1, zero));
	return ~(z0 | z1 << 32);
}

/* Hex-or-colon, colon and digit masks of 32 bytes at p. */
__attribute__((target("avx2"))) static inline void masks32(const uint8_t *p, uint64_t *hc,
							    uint64_t *colon, uint64_t *digit)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)p);
	/* x - '0' + 0x80 is below 0x8a (signed: below -118) for digits only */
	__m256i d = _mm256_add_epi8(x, _mm256_set1_epi8((char)(0x80 - '0')));
	__m256i dig = _mm256_cmpgt_epi8(_mm256_set1_epi8(-118), d);
	__m256i l = _mm256_add_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)),
				    _mm256_set1_epi8((char)(0x80 - 'a')));
	__m256i let = _mm256_cmpgt_epi8(_mm256_set1_epi8(-122), l);
	__m256i col = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(':'));
	*hc = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(dig, let), col));
	*colon = (uint32_t)_mm256_movemask_epi8(col);
	*digit = (uint32_t)_mm256_movemask_epi8(dig);
}

/* The masks the candidate loop needs, for a block that has anchors. */
__attribute__((target("avx2"))) static inline void block_masks_avx2(const uint8_t *p,
								     struct block *b)
{
	uint64_t h0, h1, c0, c1, d0, d1;
	masks32(p, &h0, &c0, &d0);
	masks32(p + 32, &h1, &c1, &d1);
	b->hc = h0 | h1 << 32;
	b->colon = c0 | c1 << 32;
	b->digit = d0 | d1 << 32;
}

#if !defined(IPSCAN_NO_AVX512)
#define IPSCAN_AVX512 1
#define AVX512_TARGET "avx512f,avx512bw,avx512vbmi,avx2"

/*
 * The AVX-512 block test: the same three role classes as the AVX2 one,
 * but each from one vpermt2b into a 128-entry table (made from the nibble
 * tables when the loop starts; bytes >= 0x80 are zeroed by a mask), so a
 * block costs one load, two byte shifts and three lookups.  The blocks sit
 * on a 64-byte grid of the memory: the byte before and after each block
 * come from the blocks either side (the previous one kept, the next one
 * loaded for the next round), so no load ever splits a cache line - the
 * unaligned 64-byte loads at p - 1 and p + 1 of a plain copy of the AVX2
 * loop split one every time and made it slower than AVX2 on AMD Zen 4.
 * The grid's first block may start before the scan position: its bits
 * below it are dropped.
 */
struct roles512 {
	__m512i self[2], before[2], after[2], prev_idx, next_idx;
};

/* 0, 1, ..., 63: the lookup indices of a table's first half. */
#define R4(b) b, b + 1, b + 2, b + 3
#define R16(b) R4(b), R4(b + 4), R4(b + 8), R4(b + 12)
static const uint8_t iota64[64] = {R16(0), R16(16), R16(32), R16(48)};
#undef R16
#undef R4

/* The 128-entry table of one role, from its nibble tables. */
__attribute__((target(AVX512_TARGET))) static inline void table512(const uint8_t *lo,
								    const uint8_t *hi, __m512i t[2])
{
	__m512i l = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)lo));
	__m512i h = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)hi));
	__m512i x = _mm512_loadu_si512(iota64);
	for (int k = 0; k < 2; k++) {
		__m512i y = _mm512_add_epi8(x, _mm512_set1_epi8((char)(64 * k)));
		__m512i n = _mm512_and_si512(_mm512_srli_epi16(y, 4), _mm512_set1_epi8(0x0f));
		t[k] = _mm512_and_si512(_mm512_shuffle_epi8(l, y), _mm512_shuffle_epi8(h, n));
	}
}

__attribute__((target(AVX512_TARGET))) static inline void roles512_load(struct roles512 *r)
{
	__m512i x = _mm512_loadu_si512(iota64);

	table512(self_lo, self_hi, r->self);
	table512(before_lo, before_hi, r->before);
	table512(after_lo, after_hi, r->after);
	/* byte j of the block before: byte 63 + j of "previous, this";
	 * byte j of the block after: byte 1 + j of "this, next" */
	r->prev_idx = _mm512_add_epi8(x, _mm512_set1_epi8(63));
	r->next_idx = _mm512_add_epi8(x, _mm512_set1_epi8(1));
}

/* The classes of the 64 bytes x in one role (t: its table), 0 for bytes
 * >= 0x80 (vpermt2b reads only the low seven bits of an index). */
__attribute__((target(AVX512_TARGET))) static inline __m512i role512(__m512i x, const __m512i t[2])
{
	return _mm512_maskz_permutex2var_epi8(~_mm512_movepi8_mask(x), t[0], x, t[1]);
}

/* Anchor bits of the grid block x between the blocks prev and next. */
__attribute__((target(AVX512_TARGET))) static inline uint64_t block512(__m512i prev, __m512i x,
								      __m512i next,
								      const struct roles512 *r)
{
	__m512i before = _mm512_permutex2var_epi8(prev, r->prev_idx, x);
	__m512i after = _mm512_permutex2var_epi8(x, r->next_idx, next);
	__m512i self = role512(x, r->self);
	__m512i b = role512(before, r->before), a = role512(after, r->after);
	/* 0x80: self & before & after */
	return _mm512_test_epi8_mask(self, _mm512_ternarylogic_epi32(self, b, a, 0x80));
}

/* block_masks_avx2() for the aligned grid block at p, with mask compares. */
__attribute__((target(AVX512_TARGET))) static inline void block_masks512(const uint8_t *p,
									struct block *b)
{
	__m512i x = _mm512_load_si512((const void *)p);
	__m512i l = _mm512_sub_epi8(_mm512_or_si512(x, _mm512_set1_epi8(0x20)),
				    _mm512_set1_epi8('a'));
	uint64_t dig = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('0')),
					      _mm512_set1_epi8(10));
	b->colon = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(':'));
	b->digit = dig;
	b->hc = dig | b->colon | _mm512_cmplt_epu8_mask(l, _mm512_set1_epi8(6));
}

/* The first grid block from view index i up to stop (the blocks and the
 * one after the last in the view) that has anchors at or after i: its
 * anchor bits, its view index in *at.  0 when there is none; *at is then
 * where the grid stopped.  p + i - (p + i) % 64 must be in the view. */
__attribute__((target(AVX512_TARGET))) static inline uint64_t grid_next(const uint8_t *p, int64_t i,
									int64_t stop, int64_t *at,
									const struct roles512 *r)
{
	int64_t a = i - (int64_t)((uintptr_t)(p + i) & 63);
	__m512i prev = _mm512_set1_epi8((char)p[i - 1]);	/* only read when a == i */
	__m512i x = _mm512_load_si512((const void *)(p + a));
	__m512i next = _mm512_load_si512((const void *)(p + a + 64));
	uint64_t m = block512(prev, x, next, r) & (~0ULL << (i - a));

	while (m == 0 && (a += 64) <= stop) {
		prev = x;
		x = next;
		next = _mm512_load_si512((const void *)(p + a + 64));
		m = block512(prev, x, next, r);
	}
	*at = a;
	return m;
}

#endif
#endif

#endif
