/*
 * idscan_cand.c - where a value may be: the candidate search of the
 * identifier scanner (idscan_priv.h, idscan_next_candidate).
 *
 * Every value the rule can count has a mark few prose words have: an '@'
 * between the end of a local part and the start of a domain, a '.' after
 * a label and before a letter (host names, URLs), a ':' after a letter and
 * before a secret (user:pass; not "http://", not the time "10:30"), a '['
 * or '(' before '.', '@', ':', 'a' or 'd' (defanging), "pass" or "hash"
 * as a word of its own (a password column or label: a header "login;hash"
 * over rows of bare user names), or "-- " alone on its line (a signature
 * delimiter, which must be seen).  A line without any is prose, a blank line or a row of
 * numbers: it can only end a run, and idscan.c skips it unless its state
 * says the next line matters.
 *
 * Three paths give the same answer: AVX2 (32 bytes a step, chosen at run
 * time; -DIDSCAN_NO_AVX2 leaves it out), SSE2 (16) and scalar; the vector masks are supersets, every bit
 * is settled by cand_at(), the exact rule.
 */
#include <stdbool.h>
#include <stddef.h>

#include "idscan_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__) && !defined(IDSCAN_NO_AVX2)
#include <immintrin.h>
#define IDSCAN_AVX2 1
#endif

static bool is_alnum(char c)
{
	char l = (char)(c | 0x20);
	return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

static bool cand_at(const char *p, size_t i, size_t n)
{
	char c = p[i], d = i + 1 < n ? p[i + 1] : '\n';
	char l = (char)(d | 0x20);
	/* the byte before: none at the start of the range (a line start) */
	unsigned char b = i > 0 ? (unsigned char)p[i - 1] : '\n';
	if (i + 3 < n && ((c | 0x20) == 'p' || (c | 0x20) == 'h') && l == 'a' &&
	    (p[i + 2] | 0x20) == 's' && ((p[i + 3] | 0x20) == 's' || (p[i + 3] | 0x20) == 'h')) {
		/* a word of its own ("password", "passwd", "hash", not
		 * "bypass", "passed" or the "spf=pass" of a mail header) */
		char e = i + 4 < n ? (char)(p[i + 4] | 0x20) : ' ';
		return !is_alnum((char)b) && b != '=' &&
		       (!(e >= 'a' && e <= 'z') || e == 'w' || e == 'p');
	}
	unsigned char bl = (unsigned char)(b | 0x20);
	switch (c) {
	case '@':	/* the end of a local part, the start of a domain */
		return (is_alnum((char)b) || b == '_') && is_alnum(d);
	case '.':	/* after a label (U-labels too), before a letter */
		return (is_alnum((char)b) || b == '-' || b >= 0x80) && l >= 'a' && l <= 'z';
	case ':':	/* after a user name's letter, before a secret: not
			 * "http://", not the time "10:30" */
		return bl >= 'a' && bl <= 'z' && (unsigned char)d >= '0' && (unsigned char)d < 0x7f;
	case '[':
	case '(': {	/* "[.]", "(.)", "[@]", "[:]", "[dot]", "(at)" */
		char close = c == '[' ? ']' : ')';
		size_t k = i + 1;
		if (d == '.' || d == '@' || d == ':')
			k += 1;
		else if (l == 'd' && i + 3 < n && (p[i + 2] | 0x20) == 'o' && (p[i + 3] | 0x20) == 't')
			k += 3;
		else if (l == 'a' && i + 2 < n && (p[i + 2] | 0x20) == 't')
			k += 2;
		else
			return false;
		return k < n && p[k] == close;
	}
	case '-':	/* "-- " alone on its line (quoted too): a signature */
		return (b == '\n' || b == ' ' || b == '>') && d == '-' && i + 2 < n &&
		       p[i + 2] == ' ' && (i + 3 == n || p[i + 3] == '\r' || p[i + 3] == '\n');
	default:
		return false;
	}
}

/* The first candidate among the bits of mask (byte i + bit), or n: the
 * vector masks are supersets, each bit is settled by cand_at. */
static size_t first_in_mask(const char *p, size_t i, unsigned mask, size_t n)
{
	while (mask != 0) {
		size_t k = i + (size_t)__builtin_ctz(mask);
		if (cand_at(p, k, n))
			return k;
		mask &= mask - 1;
	}
	return n;
}

#ifdef IDSCAN_AVX2
/* The candidates of 32 bytes at p + i (p[i - 1] to p[i + 34] readable) as
 * a superset bit mask: the byte before is looked at only where it cuts
 * most (an '@' or ':' after a blank or a non-ASCII byte). */
__attribute__((target("avx2"))) static inline unsigned cand32(const char *p, size_t i)
{
	const __m256i low = _mm256_set1_epi8(0x20);
#define LD(k) _mm256_loadu_si256((const __m256i *)(const void *)(p + i + (k)))
#define EQ(x, c) _mm256_cmpeq_epi8((x), _mm256_set1_epi8(c))
#define GT(x, c) _mm256_cmpgt_epi8((x), _mm256_set1_epi8(c))
#define AND(x, y) _mm256_and_si256((x), (y))
#define OR(x, y) _mm256_or_si256((x), (y))
	__m256i bm = LD(-1), b0 = LD(0), b1 = LD(1);
	__m256i l1 = OR(b1, low);
	/* signed compares: bytes from 0x80 on are below every bound */
	__m256i m = AND(EQ(b0, '@'), AND(GT(bm, '/'), GT(b1, '/')));
	m = OR(m, AND(EQ(b0, '.'), GT(l1, '`')));
	m = OR(m, AND(EQ(b0, ':'), AND(GT(OR(bm, low), '`'), GT(b1, '/'))));
	__m256i b2 = LD(2);
	m = OR(m, AND(OR(EQ(b0, '['), EQ(b0, '(')),
		      OR(OR(EQ(b1, '.'), EQ(b1, '@')), OR(EQ(b1, ':'), OR(EQ(l1, 'a'), EQ(l1, 'd'))))));
	m = OR(m, AND(AND(EQ(b0, '-'), EQ(b1, '-')), EQ(b2, ' ')));
	/* "pass", "hash": "ass" or "ash" after the byte, which cand_at
	 * settles */
	__m256i l3 = OR(LD(3), low);
	m = OR(m, AND(AND(EQ(l1, 'a'), EQ(OR(b2, low), 's')), OR(EQ(l3, 's'), EQ(l3, 'h'))));
#undef LD
#undef EQ
#undef GT
#undef AND
#undef OR
	return (unsigned)_mm256_movemask_epi8(m);
}

/* next_candidate with AVX2, 32 bytes a step.  The mask of the last
 * block is kept in the cursor: the next search often starts in it. */
__attribute__((target("avx2"))) static size_t next_candidate_avx2(struct idscan_cursor *cur,
								   const char *p, size_t i,
								   size_t n)
{
	if (i == 0) {
		if (n > 0 && cand_at(p, 0, n))
			return 0;
		i = 1;
	}
	const char *at = p + i;
	if (cur->blk != NULL && at >= cur->blk && at < cur->blk + 32 && cur->end == p + n) {
		size_t k0 = (size_t)(at - cur->blk);
		unsigned mask = cur->mask & ~((1u << k0) - 1u);
		size_t bi = (size_t)(cur->blk - p);
		size_t k = first_in_mask(p, bi, mask, n);
		if (k < n)
			return k;
		i = bi + 32;
	}
	while (i + 35 <= n) {
		unsigned mask = cand32(p, i);
		cur->blk = p + i;
		cur->end = p + n;
		cur->mask = mask;
		size_t k = first_in_mask(p, i, mask, n);
		if (k < n)
			return k;
		i += 32;
	}
	cur->blk = NULL;
	while (i < n && !cand_at(p, i, n))
		i++;
	return i;
}
#endif

size_t idscan_next_candidate(struct idscan_cursor *cur, const char *p, size_t i, size_t n)
{
#ifdef IDSCAN_AVX2
	static int avx2 = -1;
	if (avx2 < 0)
		avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
	if (avx2)
		return next_candidate_avx2(cur, p, i, n);
#endif
	(void)cur;
#ifdef __SSE2__
	const __m128i at = _mm_set1_epi8('@'), dot = _mm_set1_epi8('.'),
		      colon = _mm_set1_epi8(':'), slash = _mm_set1_epi8('/'),
		      sp = _mm_set1_epi8(' '), lb = _mm_set1_epi8('['), lp = _mm_set1_epi8('('),
		      dash = _mm_set1_epi8('-'), low = _mm_set1_epi8(0x20),
		      a1 = _mm_set1_epi8('a' - 1), z1 = _mm_set1_epi8('z' + 1),
		      cp = _mm_set1_epi8('p'), ch = _mm_set1_epi8('h'), ca = _mm_set1_epi8('a'),
		      cs = _mm_set1_epi8('s');
	while (i + 19 <= n) {
		__m128i b0 = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i b1 = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 1));
		__m128i l0 = _mm_or_si128(b0, low);
		__m128i l1 = _mm_or_si128(b1, low);
		__m128i l2 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i + 2)), low);
		__m128i l3 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(p + i + 3)), low);
		__m128i m = _mm_cmpeq_epi8(b0, at);
		__m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(l1, a1), _mm_cmplt_epi8(l1, z1));
		m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(b0, dot), alpha));
		__m128i cv = _mm_andnot_si128(_mm_cmpeq_epi8(b1, slash), _mm_cmpgt_epi8(b1, sp));
		m = _mm_or_si128(m, _mm_and_si128(_mm_cmpeq_epi8(b0, colon), cv));
		__m128i pw = _mm_and_si128(
			_mm_and_si128(_mm_or_si128(_mm_cmpeq_epi8(l0, cp), _mm_cmpeq_epi8(l0, ch)),
				      _mm_cmpeq_epi8(l1, ca)),
			_mm_and_si128(_mm_cmpeq_epi8(l2, cs),
				      _mm_or_si128(_mm_cmpeq_epi8(l3, cs), _mm_cmpeq_epi8(l3, ch))));
		m = _mm_or_si128(m, pw);
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(b0, lb), _mm_cmpeq_epi8(b0, lp)));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(b0, dash));
		/* a superset: each bit is settled by cand_at */
		size_t k = first_in_mask(p, i, (unsigned)_mm_movemask_epi8(m), n);
		if (k < n)
			return k;
		i += 16;
	}
#endif
	while (i < n && !cand_at(p, i, n))
		i++;
	return i;
}

