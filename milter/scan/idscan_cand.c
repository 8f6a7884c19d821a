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
 * its start or end.  Three paths give the same answer: AVX2 (nibble
 * tables, a few instructions for 32 bytes, chosen at run time;
 * -DIDSCAN_NO_AVX2 leaves it out), SSE2 (16 bytes a step) and none (the
 * caller goes byte by byte); the vector masks are supersets, every bit
 * is settled by idscan_cand_at, the exact rule.
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
#endif

/* ---- line-aware blocks ------------------------------------------------ */

#ifdef IDSCAN_AVX2
/* Classes of a candidate's bytes, one bit per kind of mark: what the
 * byte is (kind), what may follow it (follow), what may stand before it
 * (prev).  Each table is looked up by the low and the high nibble of a
 * byte and the two answers are ANDed: a superset of the exact sets,
 * which idscan_cand_at settles. */
enum { K_AT = 1, K_DOT = 2, K_COLON = 4, K_OPEN = 8, K_DASH = 16, K_PH = 32 };
#define K_VALUE (K_AT | K_DOT | K_COLON)
#define K_ALL 63
/* kind: '@' 0x40, '.' 0x2e, ':' 0x3a, '[' 0x5b, '(' 0x28, '-' 0x2d,
 * "pPhH" 0x70 0x50 0x68 0x48 */
static const signed char kind_lo[16] = {
	[0x0] = K_AT | K_PH, [0x8] = K_OPEN | K_PH, [0xa] = K_COLON,
	[0xb] = K_OPEN,	     [0xd] = K_DASH,	    [0xe] = K_DOT,
};
static const signed char kind_hi[16] = {
	[0x2] = K_DOT | K_OPEN | K_DASH, [0x3] = K_COLON, [0x4] = K_AT | K_PH,
	[0x5] = K_OPEN | K_PH,		 [0x6] = K_PH,	  [0x7] = K_PH,
};
/* follow: alnum after '@', a letter after '.', 0x30.. after ':', one
 * of ". @ : a A d D" after a bracket, '-' after '-', "aA" after "pPhH" */
static const signed char follow_lo[16] = {
	[0x0] = K_AT | K_DOT | K_COLON | K_OPEN, [0x1] = K_AT | K_DOT | K_COLON | K_OPEN | K_PH,
	[0x2] = K_AT | K_DOT | K_COLON,		 [0x3] = K_AT | K_DOT | K_COLON,
	[0x4] = K_AT | K_DOT | K_COLON | K_OPEN, [0x5] = K_AT | K_DOT | K_COLON,
	[0x6] = K_AT | K_DOT | K_COLON,		 [0x7] = K_AT | K_DOT | K_COLON,
	[0x8] = K_AT | K_DOT | K_COLON,		 [0x9] = K_AT | K_DOT | K_COLON,
	[0xa] = K_AT | K_DOT | K_COLON | K_OPEN, [0xb] = K_AT | K_DOT | K_COLON,
	[0xc] = K_AT | K_DOT | K_COLON,		 [0xd] = K_AT | K_DOT | K_COLON | K_DASH,
	[0xe] = K_AT | K_DOT | K_COLON | K_OPEN, [0xf] = K_AT | K_DOT | K_COLON,
};
static const signed char follow_hi[16] = {
	[0x2] = K_OPEN | K_DASH,
	[0x3] = K_AT | K_COLON | K_OPEN,
	[0x4] = K_AT | K_DOT | K_COLON | K_OPEN | K_PH,
	[0x5] = K_AT | K_DOT | K_COLON,
	[0x6] = K_AT | K_DOT | K_COLON | K_OPEN | K_PH,
	[0x7] = K_AT | K_DOT | K_COLON,
};
/* prev: alnum or '_' before '@', alnum or '-' before '.' (and bytes from
 * 0x80, added apart), a letter or digit before ':'; anything before the
 * rest */
#define P_ANY (K_OPEN | K_DASH | K_PH)
static const signed char prev_lo[16] = {
	[0x0] = P_ANY | K_AT | K_DOT | K_COLON, [0x1] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x2] = P_ANY | K_AT | K_DOT | K_COLON, [0x3] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x4] = P_ANY | K_AT | K_DOT | K_COLON, [0x5] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x6] = P_ANY | K_AT | K_DOT | K_COLON, [0x7] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x8] = P_ANY | K_AT | K_DOT | K_COLON, [0x9] = P_ANY | K_AT | K_DOT | K_COLON,
	[0xa] = P_ANY | K_AT | K_DOT | K_COLON, [0xb] = P_ANY | K_AT | K_DOT | K_COLON,
	[0xc] = P_ANY | K_AT | K_DOT | K_COLON, [0xd] = P_ANY | K_AT | K_DOT | K_COLON,
	[0xe] = P_ANY | K_AT | K_DOT | K_COLON, [0xf] = P_ANY | K_AT | K_DOT | K_COLON,
};
static const signed char prev_hi[16] = {
	[0x0] = P_ANY, [0x1] = P_ANY, [0x2] = P_ANY | K_DOT,
	[0x3] = P_ANY | K_AT | K_DOT | K_COLON, [0x4] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x5] = P_ANY | K_AT | K_DOT | K_COLON, [0x6] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x7] = P_ANY | K_AT | K_DOT | K_COLON,
	[0x8] = K_ALL, [0x9] = K_ALL, [0xa] = K_ALL, [0xb] = K_ALL,
	[0xc] = K_ALL, [0xd] = K_ALL, [0xe] = K_ALL, [0xf] = K_ALL,
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
table(const signed char t[16])
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)t);
	return _mm256_broadcastsi128_si256(x);
}

/* The marks of 32 bytes at p + i (p[i - 1] to p[i + 34] readable):
 * value marks ('@', '.', ':') in *val, the others in *oth, line ends in
 * *nl; val and oth are supersets, settled by idscan_cand_at.  Bytes
 * from 0x80 on have no nibble entry but in prev_hi: none is a mark. */
__attribute__((target("avx2"), always_inline)) static inline void
marks32(const char *p, size_t i, const __m256i tabs[6], uint32_t *val, uint32_t *oth, uint32_t *nl)
{
#define LD(k) _mm256_loadu_si256((const __m256i *)(const void *)(p + i + (k)))
	__m256i bm = LD(-1), b0 = LD(0), b1 = LD(1), b2 = LD(2);
	__m256i m = _mm256_and_si256(lut(b0, tabs[0], tabs[1]), lut(b1, tabs[2], tabs[3]));
	m = _mm256_and_si256(m, lut(bm, tabs[4], tabs[5]));
	/* "pass", "hash": an 's' third */
	__m256i s2 = _mm256_cmpeq_epi8(_mm256_or_si256(b2, _mm256_set1_epi8(0x20)),
				       _mm256_set1_epi8('s'));
	m = _mm256_and_si256(m, _mm256_or_si256(s2, _mm256_set1_epi8((char)(K_ALL & ~K_PH))));
	__m256i zero = _mm256_setzero_si256();
	__m256i any = _mm256_cmpeq_epi8(m, zero);
	__m256i v = _mm256_cmpeq_epi8(_mm256_and_si256(m, _mm256_set1_epi8(K_VALUE)), zero);
	*oth = ~(uint32_t)_mm256_movemask_epi8(any) & (uint32_t)_mm256_movemask_epi8(v);
	*val = ~(uint32_t)_mm256_movemask_epi8(v);
	*nl = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(b0, _mm256_set1_epi8('\n')));
#undef LD
}

__attribute__((target("avx2"))) static void block_avx2(const char *p, size_t i,
							struct idscan_block *b)
{
	__m256i tabs[6] = {table(kind_lo), table(kind_hi), table(follow_lo),
			   table(follow_hi), table(prev_lo), table(prev_hi)};
	uint32_t v0, o0, n0, v1, o1, n1;
	marks32(p, i, tabs, &v0, &o0, &n0);
	marks32(p, i + 32, tabs, &v1, &o1, &n1);
	b->val = v0 | (uint64_t)v1 << 32;
	b->oth = o0 | (uint64_t)o1 << 32;
	b->nl = n0 | (uint64_t)n1 << 32;
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

bool idscan_cand_block(const char *p, size_t i, struct idscan_block *b)
{
#ifdef IDSCAN_AVX2
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	if (avx2) {
		block_avx2(p, i, b);
		return true;
	}
#endif
#ifdef __SSE2__
	block_sse2(p, i, b);
	return true;
#else
	(void)p;
	(void)i;
	(void)b;
	return false;
#endif
}
