/*
 * idscan_cand.c - where a value may be: the candidate search of the
 * identifier scanner (idscan_priv.h, idscan_cand_block; the exact rule
 * is idscan_cand_at there).
 *
 * Every value the rule can count has a mark few prose words have: an '@'
 * between the end of a local part and the start of a domain, a '.' after
 * a label and before a letter (host names, URLs), a ':' after a user name
 * and before a secret (user:pass; not "http://", not the time "10:30"), a '['
 * or '(' before '.', '@', ':', 'a' or 'd' (defanging), "pass" or "hash"
 * as a word of its own (a password column or label: a header "login;hash"
 * over rows of bare user names), or "-- " alone on its line (a signature
 * delimiter, which must be seen).  A line without any is prose, a blank line or a row of
 * numbers: it can only end a run, and idscan.c skips it unless its state
 * says the next line matters.
 *
 * A block of 64 bytes gives its candidates and its line ends as bit masks,
 * so that the caller settles a line from its bits without searching for
 * its start or end.  Runs of blocks are classified in one pass without a
 * branch per block (idscan_cand_blocks) and settled by the caller after:
 * half the blocks of mail text hold a mark, and a loop that stopped at
 * each paid a misprediction for most of them.
 * Five paths give the same answer: AVX-512VBMI, AVX-512BW and AVX2 (the
 * same nibble tables on the mark, the bytes before and after it and the
 * one after that, so that a time or a row of dashes costs no look; VBMI
 * reads them as tables of bytes, whose value-mark bits are exact; chosen
 * at run time, -DIDSCAN_NO_AVX512 and -DIDSCAN_NO_AVX2 leave them out),
 * SSE2 (16 bytes a step, looser) and none (the caller goes byte by byte).
 * The vector masks are supersets (VBMI's value marks exact), every other
 * bit is settled by idscan_cand_at, the exact rule; fuzz_idscan and
 * test_idscan_paths hold every path to it and to the byte-by-byte search
 * (idscan_cand_path forces one).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "idscan_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(IDSCAN_NO_AVX2)
#include <immintrin.h>
#define IDSCAN_AVX2 1
#ifndef IDSCAN_NO_AVX512
#define IDSCAN_AVX512 1
#endif
#endif

/* ---- runs of blocks -------------------------------------------------- */

/* The body of idscan_cand_blocks for one path: block, a statement giving
 * the marks of the block at i in *b.  No branch but the loop's: the
 * caller settles the bits afterwards, so that a block with a candidate
 * (half of them in mail text) costs no misprediction here. */
#define MANY_BLOCKS(block)                               \
	for (size_t k = 0; k < nb; k++, i += 64, b++) { \
		block;                                   \
	}

#ifdef IDSCAN_AVX2
/* Classes of a candidate's bytes, one bit per kind of mark: what the
 * byte is (kind), what may follow it (follow), what may stand before it
 * (prev) and what the byte after that may be (third).  Each table is
 * looked up by the low and the high nibble of a byte and the two answers
 * are ANDed: a superset of the exact sets, which idscan_cand_at settles.
 * The colon has three bits, so that "10:30" (a digit on both sides, the
 * times of every mail header) is no candidate: after a letter (K_COLON)
 * any of 0x30..0x7e may follow, after a digit (K_COLD, K_COLE) only
 * 0x40..0x7e or 0x3a..0x3f. */
enum { K_AT = 1, K_DOT = 2, K_COLON = 4, K_OPEN = 8, K_DASH = 16, K_PH = 32, K_COLD = 64,
       K_COLE = 128 };
#define K_COLONS (K_COLON | K_COLD | K_COLE)
#define K_VALUE (K_AT | K_DOT | K_COLONS)
#define K_ALL 255
/* kind: '@' 0x40, '.' 0x2e, ':' 0x3a, '[' 0x5b, '(' 0x28, '-' 0x2d,
 * "pPhH" 0x70 0x50 0x68 0x48 */
static const unsigned char kind_lo[16] = {
	[0x0] = K_AT | K_PH, [0x8] = K_OPEN | K_PH, [0xa] = K_COLONS,
	[0xb] = K_OPEN,	     [0xd] = K_DASH,	    [0xe] = K_DOT,
};
static const unsigned char kind_hi[16] = {
	[0x2] = K_DOT | K_OPEN | K_DASH, [0x3] = K_COLONS, [0x4] = K_AT | K_PH,
	[0x5] = K_OPEN | K_PH,		 [0x6] = K_PH,	   [0x7] = K_PH,
};
/* follow: alnum after '@', a letter after '.', 0x30.. after ':' (no
 * digit after a digit's), one of ". @ : a A d D" after a bracket, '-'
 * after '-', "aA" after "pPhH" */
#define F_ALL (K_AT | K_DOT | K_COLON | K_COLD)
static const unsigned char follow_lo[16] = {
	[0x0] = F_ALL | K_OPEN,	       [0x1] = F_ALL | K_OPEN | K_PH, [0x2] = F_ALL,
	[0x3] = F_ALL,		       [0x4] = F_ALL | K_OPEN,	      [0x5] = F_ALL,
	[0x6] = F_ALL,		       [0x7] = F_ALL,		      [0x8] = F_ALL,
	[0x9] = F_ALL,		       [0xa] = F_ALL | K_COLE | K_OPEN, [0xb] = F_ALL | K_COLE,
	[0xc] = F_ALL | K_COLE,	       [0xd] = F_ALL | K_COLE | K_DASH, [0xe] = F_ALL | K_COLE | K_OPEN,
	[0xf] = F_ALL | K_COLE,
};
static const unsigned char follow_hi[16] = {
	[0x2] = K_OPEN | K_DASH,
	[0x3] = K_AT | K_COLON | K_COLE | K_OPEN,
	[0x4] = K_AT | K_DOT | K_COLON | K_COLD | K_OPEN | K_PH,
	[0x5] = K_AT | K_DOT | K_COLON | K_COLD,
	[0x6] = K_AT | K_DOT | K_COLON | K_COLD | K_OPEN | K_PH,
	[0x7] = K_AT | K_DOT | K_COLON | K_COLD,
};
/* prev: alnum or '_' before '@', alnum or '-' before '.' (and bytes from
 * 0x80), a letter (K_COLON) or a digit (K_COLD, K_COLE) before ':', a
 * line end, blank or '>' before "--"; anything before the rest */
#define P_ANY (K_OPEN | K_PH)
#define P_LO (P_ANY | K_AT | K_DOT | K_COLON)
#define P_DIG (K_COLD | K_COLE)
static const unsigned char prev_lo[16] = {
	[0x0] = P_LO | P_DIG | K_DASH, [0x1] = P_LO | P_DIG, [0x2] = P_LO | P_DIG,
	[0x3] = P_LO | P_DIG,	       [0x4] = P_LO | P_DIG, [0x5] = P_LO | P_DIG,
	[0x6] = P_LO | P_DIG,	       [0x7] = P_LO | P_DIG, [0x8] = P_LO | P_DIG,
	[0x9] = P_LO | P_DIG,	       [0xa] = P_LO | K_DASH, [0xb] = P_LO,
	[0xc] = P_LO,		       [0xd] = P_LO,	     [0xe] = P_LO | K_DASH,
	[0xf] = P_LO,
};
static const unsigned char prev_hi[16] = {
	[0x0] = P_ANY | K_DASH, [0x1] = P_ANY, [0x2] = P_ANY | K_DOT | K_DASH,
	[0x3] = P_ANY | K_AT | K_DOT | P_DIG | K_DASH, [0x4] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x5] = P_ANY | K_AT | K_DOT | K_COLON, [0x6] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x7] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x8] = P_ANY | K_DOT, [0x9] = P_ANY | K_DOT, [0xa] = P_ANY | K_DOT, [0xb] = P_ANY | K_DOT,
	[0xc] = P_ANY | K_DOT, [0xd] = P_ANY | K_DOT, [0xe] = P_ANY | K_DOT, [0xf] = P_ANY | K_DOT,
};
/* third: 's' in "pass" and "hash", ' ' in "-- ", and after a bracket
 * the closing one ("[.]") or the 'o' and 't' of "[dot]" and "(at)";
 * the value marks look no further */
#define T_LO (K_VALUE)
static const unsigned char third_lo[16] = {
	[0x0] = T_LO | K_DASH, [0x1] = T_LO, [0x2] = T_LO, [0x3] = T_LO | K_PH,
	[0x4] = T_LO | K_OPEN, [0x5] = T_LO, [0x6] = T_LO, [0x7] = T_LO,
	[0x8] = T_LO,	       [0x9] = T_LO | K_OPEN, [0xa] = T_LO, [0xb] = T_LO,
	[0xc] = T_LO,	       [0xd] = T_LO | K_OPEN, [0xe] = T_LO, [0xf] = T_LO | K_OPEN,
};
static const unsigned char third_hi[16] = {
	[0x0] = T_LO, [0x1] = T_LO, [0x2] = T_LO | K_DASH | K_OPEN, [0x3] = T_LO,
	[0x4] = T_LO | K_OPEN, [0x5] = T_LO | K_OPEN | K_PH, [0x6] = T_LO | K_OPEN,
	[0x7] = T_LO | K_OPEN | K_PH, [0x8] = T_LO, [0x9] = T_LO, [0xa] = T_LO, [0xb] = T_LO,
	[0xc] = T_LO, [0xd] = T_LO, [0xe] = T_LO, [0xf] = T_LO,
};

__attribute__((target("avx2"), always_inline)) static inline __m256i
lut(__m256i x, __m256i lo, __m256i hi)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i l = _mm256_shuffle_epi8(lo, _mm256_and_si256(x, nib));
	__m256i h = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib));
	return _mm256_and_si256(l, h);
}

__attribute__((target("avx2"), always_inline)) static inline __m256i
table(const unsigned char t[16])
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)t);
	return _mm256_broadcastsi128_si256(x);
}

/* The marks of 32 bytes at p + i (p[i - 1] to p[i + 34] readable):
 * value marks ('@', '.', ':') in *val, the others in *oth, line ends in
 * *nl; val and oth are supersets, settled by idscan_cand_at. */
__attribute__((target("avx2"), always_inline)) static inline void
marks32(const char *p, size_t i, const __m256i tabs[8], uint32_t *val, uint32_t *oth, uint32_t *nl)
{
#define LD(k) _mm256_loadu_si256((const __m256i *)(const void *)(p + i + (k)))
	__m256i bm = LD(-1), b0 = LD(0), b1 = LD(1), b2 = LD(2);
	__m256i m = _mm256_and_si256(lut(b0, tabs[0], tabs[1]), lut(b1, tabs[2], tabs[3]));
	m = _mm256_and_si256(m, _mm256_and_si256(lut(bm, tabs[4], tabs[5]),
						 lut(b2, tabs[6], tabs[7])));
	__m256i zero = _mm256_setzero_si256();
	__m256i any = _mm256_cmpeq_epi8(m, zero);
	__m256i v = _mm256_cmpeq_epi8(_mm256_and_si256(m, _mm256_set1_epi8((char)K_VALUE)), zero);
	*oth = ~(uint32_t)_mm256_movemask_epi8(any) & (uint32_t)_mm256_movemask_epi8(v);
	*val = ~(uint32_t)_mm256_movemask_epi8(v);
	*nl = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b0, _mm256_set1_epi8('\n')));
#undef LD
}

__attribute__((target("avx2"), always_inline)) static inline void
block_avx2(const char *p, size_t i, const __m256i tabs[8], struct idscan_block *b)
{
	uint32_t v0, o0, n0, v1, o1, n1;
	marks32(p, i, tabs, &v0, &o0, &n0);
	marks32(p, i + 32, tabs, &v1, &o1, &n1);
	b->val = v0 | (uint64_t)v1 << 32;
	b->oth = o0 | (uint64_t)o1 << 32;
	b->nl = n0 | (uint64_t)n1 << 32;
}

#define AVX2_TABLES                                                                        \
	{table(kind_lo), table(kind_hi), table(follow_lo), table(follow_hi), table(prev_lo), \
	 table(prev_hi), table(third_lo), table(third_hi)}

__attribute__((target("avx2"))) static void one_avx2(const char *p, size_t i,
						      struct idscan_block *b)
{
	__m256i tabs[8] = AVX2_TABLES;
	block_avx2(p, i, tabs, b);
}

/* idscan_cand_blocks with AVX2: the tables stay in registers over the
 * blocks. */
__attribute__((target("avx2"))) static void many_avx2(const char *p, size_t i, size_t nb,
						       struct idscan_block *b)
{
	__m256i tabs[8] = AVX2_TABLES;
	MANY_BLOCKS(block_avx2(p, i, tabs, b))
}
#endif

#ifdef IDSCAN_AVX512
/* The same tables with AVX-512BW, the 64 bytes of a block at once, the
 * masks straight from the compares. */
__attribute__((target("avx512bw"), always_inline)) static inline __m512i
lut512(__m512i x, __m512i lo, __m512i hi)
{
	const __m512i nib = _mm512_set1_epi8(0x0f);
	__m512i l = _mm512_shuffle_epi8(lo, _mm512_and_si512(x, nib));
	__m512i h = _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(x, 4), nib));
	return _mm512_and_si512(l, h);
}

__attribute__((target("avx512bw"), always_inline)) static inline __m512i
table512(const unsigned char t[16])
{
	return _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(const void *)t));
}

#define AVX512_TABLES                                                                   \
	{table512(kind_lo),   table512(kind_hi), table512(follow_lo), table512(follow_hi), \
	 table512(prev_lo),   table512(prev_hi), table512(third_lo),  table512(third_hi)}

__attribute__((target("avx512bw"), always_inline)) static inline void
block_avx512(const char *p, size_t i, const __m512i tabs[8], struct idscan_block *b)
{
#define LD(k) _mm512_loadu_si512((const void *)(p + i + (k)))
	__m512i bm = LD(-1), b0 = LD(0), b1 = LD(1), b2 = LD(2);
#undef LD
	__m512i m = _mm512_and_si512(lut512(b0, tabs[0], tabs[1]), lut512(b1, tabs[2], tabs[3]));
	m = _mm512_and_si512(m, _mm512_and_si512(lut512(bm, tabs[4], tabs[5]),
						 lut512(b2, tabs[6], tabs[7])));
	uint64_t any = _mm512_test_epi8_mask(m, m);
	b->val = _mm512_test_epi8_mask(m, _mm512_set1_epi8((char)K_VALUE));
	b->oth = any & ~b->val;
	b->nl = _mm512_cmpeq_epi8_mask(b0, _mm512_set1_epi8('\n'));
}

__attribute__((target("avx512bw"))) static void one_avx512(const char *p, size_t i,
							    struct idscan_block *b)
{
	__m512i tabs[8] = AVX512_TABLES;
	block_avx512(p, i, tabs, b);
}

__attribute__((target("avx512bw"))) static void many_avx512(const char *p, size_t i, size_t nb,
							     struct idscan_block *b)
{
	__m512i tabs[8] = AVX512_TABLES;
	MANY_BLOCKS(block_avx512(p, i, tabs, b))
}

/* With AVX-512VBMI a table of nibbles becomes a table of the 128 ASCII
 * bytes (each entry the AND of its two nibble answers, made once per
 * run), read with one permute instead of two shuffles, a shift and
 * three ANDs.  Bytes from 0x80 take the answer of 0x80 (every table
 * gives them one answer whatever their low nibble).  A table of bytes
 * can say what a nibble table cannot: its value-mark bits are the exact
 * sets of the rule (idscan_value_mark_at), so that val holds exactly
 * the value marks that are candidates (idscan_cand_val_exact) and the
 * caller need not settle them; the other bits are the nibble answers.
 * The colon's bits: K_COLON after a letter, any of 0x30..0x7e after
 * it; K_COLD after a digit, only 0x3a..0x7e (no time "10:30"). */
#define X_COLON (K_COLON | K_COLD)
#define X_ALL (K_AT | K_DOT | K_COLON | K_COLD)
static const unsigned char kind_exact[128] = {['@'] = K_AT, ['.'] = K_DOT, [':'] = X_COLON};
static const unsigned char follow_exact[128] = {
	['0' ... '9'] = K_AT | K_COLON, [0x3a ... 0x40] = X_COLON, ['A' ... 'Z'] = X_ALL,
	[0x5b ... 0x60] = X_COLON,	['a' ... 'z'] = X_ALL,	 [0x7b ... 0x7e] = X_COLON,
};
static const unsigned char prev_exact[128] = {
	['-'] = K_DOT,			     ['0' ... '9'] = K_AT | K_DOT | K_COLD,
	['A' ... 'Z'] = K_AT | K_DOT | K_COLON, ['_'] = K_AT,
	['a' ... 'z'] = K_AT | K_DOT | K_COLON,
};
static const unsigned char third_exact[128] = {[0 ... 127] = X_ALL};
/* and from 0x80: a '.' may follow a byte of a U-label, nothing else */
enum { KIND_EXACT_HIGH = 0, FOLLOW_EXACT_HIGH = 0, PREV_EXACT_HIGH = K_DOT, THIRD_EXACT_HIGH = X_ALL };

struct vbmi_table {
	__m512i lo, hi, high;	/* bytes 0..63, 64..127, and from 0x80 */
};

/* The table of bytes of a nibble table, its value-mark bits those of
 * exact[] (and high for bytes from 0x80). */
__attribute__((target("avx512bw,avx512vbmi"), always_inline)) static inline struct vbmi_table
vbmi_table(const unsigned char lo[16], const unsigned char hi[16], const unsigned char exact[128],
	   unsigned char high, __m512i iota)
{
	__m512i l = table512(lo), h = table512(hi);
	const __m512i other = _mm512_set1_epi8((char)(unsigned char)~K_VALUE);
#define MIX(nib, ex) _mm512_or_si512(_mm512_and_si512((nib), other), (ex))
	struct vbmi_table t = {
		MIX(lut512(iota, l, h), _mm512_loadu_si512((const void *)exact)),
		MIX(lut512(_mm512_add_epi8(iota, _mm512_set1_epi8(64)), l, h),
		    _mm512_loadu_si512((const void *)(exact + 64))),
		MIX(lut512(_mm512_set1_epi8((char)0x80), l, h), _mm512_set1_epi8((char)high))};
#undef MIX
	return t;
}

__attribute__((target("avx512bw,avx512vbmi"), always_inline)) static inline __m512i
look_vbmi(__m512i x, const struct vbmi_table *t)
{
	return _mm512_mask_mov_epi8(_mm512_permutex2var_epi8(t->lo, x, t->hi),
				    _mm512_movepi8_mask(x), t->high);
}

/* The four tables of a run: kind, follow, prev, third. */
__attribute__((target("avx512bw,avx512vbmi"), always_inline)) static inline void
block_vbmi(const char *p, size_t i, const struct vbmi_table t[4], struct idscan_block *b)
{
#define LD(k) _mm512_loadu_si512((const void *)(p + i + (k)))
	__m512i bm = LD(-1), b0 = LD(0), b1 = LD(1), b2 = LD(2);
#undef LD
	__m512i m = _mm512_and_si512(look_vbmi(b0, &t[0]), look_vbmi(b1, &t[1]));
	m = _mm512_and_si512(m, _mm512_and_si512(look_vbmi(bm, &t[2]), look_vbmi(b2, &t[3])));
	uint64_t any = _mm512_test_epi8_mask(m, m);
	b->val = _mm512_test_epi8_mask(m, _mm512_set1_epi8((char)K_VALUE));
	b->oth = any & ~b->val;
	b->nl = _mm512_cmpeq_epi8_mask(b0, _mm512_set1_epi8('\n'));
}

/* Its cost: ~8 ms of compute for 95 MB with the text in L1/L2 (four
 * two-table permutes a block, on one port); on the identifier scan's
 * thread 20-25 ms, as the bytes come from memory there (that core's
 * first touch of them): nearly a third of its samples wait on its
 * first load. */
__attribute__((target("avx512bw,avx512vbmi"))) static void many_vbmi(const char *p, size_t i,
								   size_t nb,
								   struct idscan_block *b)
{
	static const unsigned char iota_bytes[64] = {
		0,  1,	2,  3,	4,  5,	6,  7,	8,  9,	10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
		22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43,
		44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
	__m512i iota = _mm512_loadu_si512((const void *)iota_bytes);
	const struct vbmi_table t[4] = {
		vbmi_table(kind_lo, kind_hi, kind_exact, KIND_EXACT_HIGH, iota),
		vbmi_table(follow_lo, follow_hi, follow_exact, FOLLOW_EXACT_HIGH, iota),
		vbmi_table(prev_lo, prev_hi, prev_exact, PREV_EXACT_HIGH, iota),
		vbmi_table(third_lo, third_hi, third_exact, THIRD_EXACT_HIGH, iota)};
	MANY_BLOCKS(block_vbmi(p, i, t, b))
}
#endif

#ifdef __SSE2__
/* The same with SSE2, 16 bytes a step, looser supersets: every bit of
 * a candidate is set in val or oth (which one is settled by the exact
 * rule: a bit the caller finds in the wrong mask is looked at as both). */
static void block_sse2(const char *p, size_t i, struct idscan_block *b)
{
	const __m128i low = _mm_set1_epi8(0x20);
	b->val = b->oth = b->nl = 0;
	for (unsigned h = 0; h < 4; h++) {
		const char *q = p + i + 16 * h;
		__m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)(q + 1));
		__m128i l1 = _mm_or_si128(b1, low);
		__m128i v = _mm_cmpeq_epi8(b0, _mm_set1_epi8('@'));
		v = _mm_or_si128(v, _mm_and_si128(_mm_cmpeq_epi8(b0, _mm_set1_epi8('.')),
						  _mm_cmpgt_epi8(l1, _mm_set1_epi8('`'))));
		v = _mm_or_si128(v, _mm_and_si128(_mm_cmpeq_epi8(b0, _mm_set1_epi8(':')),
						  _mm_cmpgt_epi8(b1, _mm_set1_epi8('/'))));
		__m128i o = _mm_or_si128(_mm_cmpeq_epi8(b0, _mm_set1_epi8('[')),
					 _mm_cmpeq_epi8(b0, _mm_set1_epi8('(')));
		o = _mm_or_si128(o, _mm_and_si128(_mm_cmpeq_epi8(b0, _mm_set1_epi8('-')),
						  _mm_cmpeq_epi8(b1, _mm_set1_epi8('-'))));
		o = _mm_or_si128(o, _mm_and_si128(_mm_cmpeq_epi8(l1, _mm_set1_epi8('a')),
						  _mm_cmpeq_epi8(_mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(q + 2)), low),
								 _mm_set1_epi8('s'))));
		b->val |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * h);
		b->oth |= (uint64_t)(unsigned)_mm_movemask_epi8(o) << (16 * h);
		b->nl |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(b0, _mm_set1_epi8('\n')))
			 << (16 * h);
	}
}
#endif

/* The path taken: the best the processor has, unless a test forced one
 * (idscan_cand_path). */
static int path = -1;

#ifdef IDSCAN_AVX512
#define PATHS_512 (CPUPATH_SET(CPUPATH_AVX512VBMI) | CPUPATH_SET(CPUPATH_AVX512))
#else
#define PATHS_512 0u
#endif
#ifdef IDSCAN_AVX2
#define PATHS_256 CPUPATH_SET(CPUPATH_AVX2)
#else
#define PATHS_256 0u
#endif
#ifdef __SSE2__
#define PATHS_128 CPUPATH_SET(CPUPATH_SSE2)
#else
#define PATHS_128 0u
#endif
#define PATHS (PATHS_512 | PATHS_256 | PATHS_128)

bool idscan_cand_path(enum idscan_path want)
{
	return cpupath_force(&path, (int)want, PATHS);
}

/* Scans run on several threads at once: they may race to the first
 * choice, and all choose the same. */
static int cur_path(void)
{
	return cpupath_get(&path, PATHS);
}

bool idscan_cand_block(const char *p, size_t i, struct idscan_block *b)
{
	switch (cur_path()) {
#ifdef IDSCAN_AVX512
	case IDSCAN_PATH_AVX512VBMI:
		many_vbmi(p, i, 1, b);
		return true;
	case IDSCAN_PATH_AVX512:
		one_avx512(p, i, b);
		return true;
#endif
#ifdef IDSCAN_AVX2
	case IDSCAN_PATH_AVX2:
		one_avx2(p, i, b);
		return true;
#endif
#ifdef __SSE2__
	case IDSCAN_PATH_SSE2:
		block_sse2(p, i, b);
		return true;
#endif
	default:
		(void)p;
		(void)i;
		(void)b;
		return false;
	}
}

bool idscan_cand_val_exact(void)
{
#ifdef IDSCAN_AVX512
	return cur_path() == IDSCAN_PATH_AVX512VBMI;
#else
	return false;
#endif
}

bool idscan_cand_blocks(const char *p, size_t i, size_t nb, struct idscan_block *b)
{
	switch (cur_path()) {
#ifdef IDSCAN_AVX512
	case IDSCAN_PATH_AVX512VBMI:
		many_vbmi(p, i, nb, b);
		return true;
	case IDSCAN_PATH_AVX512:
		many_avx512(p, i, nb, b);
		return true;
#endif
#ifdef IDSCAN_AVX2
	case IDSCAN_PATH_AVX2:
		many_avx2(p, i, nb, b);
		return true;
#endif
#ifdef __SSE2__
	case IDSCAN_PATH_SSE2:
		MANY_BLOCKS(block_sse2(p, i, b))
		return true;
#endif
	default:
		(void)p;
		(void)i;
		(void)nb;
		(void)b;
		return false;
	}
}
