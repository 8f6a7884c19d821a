/*
 * ipscan.c - the hot loop of the IP scanner and its streaming state.
 *
 * Finding addresses in mail means looking at every byte of every part, so
 * the loop must be fast on text that has no address at all.  It looks for
 * anchors: a '.' between two digits, a ':' between two hex digits or
 * colons, or a '[', '(' or '{' after a hex digit and before '.', ':' or
 * 'd' (defanged separators).  With SSE2 (the x86-64 baseline), or AVX2
 * when the CPU has it (chosen at run time), it classifies 64 bytes at a
 * time into bit masks and reaches the parser (ipscan_token.c) only for
 * anchors.  The two commonest anchors of benign text, a lone ':' as in
 * "font-size:14px" or "12:30:45" and a lone '.' as in "EUR 12.50", are
 * settled from the masks without a call.  The parser backs up to the
 * token start, parses it with a bounded parser and says where scanning
 * resumes, so a token is parsed once, not once per dot.  Without SSE2
 * (or with -DIPSCAN_SCALAR, to test the fallback) a scalar loop
 * with the same anchor test is used.
 *
 * Streaming: an anchor is examined once the bytes it may need (at most
 * IPSCAN_KEEP behind, IPSCAN_LOOKAHEAD ahead) are in; a token touching the
 * end of a chunk is retried when the next chunk arrives, and ipscan_finish()
 * settles it against the end of the stream.  The scanner keeps only a
 * bounded carry of the stream's tail (CARRY_CAP bytes) and stitches it to
 * the head of the next chunk, so results and offsets do not depend on how
 * the stream is cut.
 *
 * Public functions: ipscan_alloc, ipscan_update, ipscan_finish,
 * ipscan_free, ipscan_buffer.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(IPSCAN_SCALAR)
#include <emmintrin.h>
#endif

#include "ipscan_priv.h"

#define CARRY_CAP (IPSCAN_KEEP + IPSCAN_LOOKAHEAD + 16)
/* Bytes of a new chunk stitched behind the carry: enough to examine every
 * anchor in the chunk's first IPSCAN_KEEP bytes with full lookahead. */
#define STITCH_NEW (IPSCAN_KEEP + IPSCAN_LOOKAHEAD + 16)

struct ipscan {
	ipscan_fn *fn;
	void *arg;
	uint64_t total;		/* stream bytes received */
	uint64_t next;		/* first anchor position not yet examined */
	uint64_t resume;	/* anchors before this are inside a consumed token */
	int stop;		/* the callback's stop value, 0 while going */
	size_t carry_len;	/* carry = stream bytes [total - carry_len, total) */
	uint8_t carry[CARRY_CAP];
	uint8_t stitch[CARRY_CAP + STITCH_NEW];
};

/* Scan result of one window: done, or waiting for more bytes. */
enum { SCAN_DONE = 0, SCAN_MORE = 1, SCAN_STOP = 2 };

/* Scalar anchor test at view index i (same predicate as the SSE2 one). */
static inline bool is_anchor(struct ipscan_view *v, int64_t i)
{
	int c = view_at(v, i);
	unsigned prev, next;

	if (c != '.' && c != ':' && c != '[' && c != '(' && c != '{')
		return false;
	int pc = view_at(v, i - 1), nc = view_at(v, i + 1);
	prev = pc >= 0 ? ipscan_class[pc] : 0;
	next = nc >= 0 ? ipscan_class[nc] : 0;
	if (c == '.')
		return (prev & IPC_DIG) && (next & IPC_DIG);
	if (c == ':')
		return (prev & IPC_HEXC) && (next & IPC_HEXC);
	return (prev & IPC_HEXC) && (next & IPC_NB);
}

/* Examine the anchor at i: parse, report matches, move resume.  Returns
 * SCAN_MORE when the token needs bytes not received yet. */
static int examine(struct ipscan *s, struct ipscan_view *v, int64_t i)
{
	struct ipscan_outcome out;
	int64_t resume = (int64_t)(s->resume - v->base);

	v->need_more = false;
	view_limit(v, i + IPSCAN_LOOKAHEAD);
	ipscan_token(v, i, resume, &out);
	view_limit(v, INT64_MAX);
	if (v->need_more)
		return SCAN_MORE;
	s->resume = v->base + (uint64_t)out.resume;
	for (int k = 0; k < out.nmatch; k++) {
		int rc = s->fn(s->arg, &out.m[k]);
		if (rc != 0) {
			s->stop = rc;
			return SCAN_STOP;
		}
	}
	return SCAN_DONE;
}

#if defined(__SSE2__) && !defined(IPSCAN_SCALAR)
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

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define IPSCAN_AVX2 1

/* Separator, hex-or-colon and hex-colon-or-dot masks of 32 bytes (AVX2). */
__attribute__((target("avx2"))) static inline void avx2_masks(__m256i x, uint64_t *sep,
							       uint64_t *hc, uint64_t *hcx,
							       uint64_t *colon, uint64_t *digit)
{
	__m256i dot = _mm256_cmpeq_epi8(x, _mm256_set1_epi8('.'));
	__m256i col = _mm256_cmpeq_epi8(x, _mm256_set1_epi8(':'));
	__m256i brk = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('[')),
						      _mm256_cmpeq_epi8(x, _mm256_set1_epi8('('))),
				      _mm256_cmpeq_epi8(x, _mm256_set1_epi8('{')));
	__m256i d = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
	__m256i dig = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
	__m256i l = _mm256_sub_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)),
				    _mm256_set1_epi8('a'));
	__m256i let = _mm256_cmpeq_epi8(_mm256_min_epu8(l, _mm256_set1_epi8(5)), l);
	__m256i h = _mm256_or_si256(_mm256_or_si256(dig, let), col);
	*sep = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(dot, col), brk));
	*hc = (uint32_t)_mm256_movemask_epi8(h);
	*hcx = (uint32_t)_mm256_movemask_epi8(_mm256_or_si256(h, dot));
	*colon = (uint32_t)_mm256_movemask_epi8(col);
	*digit = (uint32_t)_mm256_movemask_epi8(dig);
}

/* Candidate bits of 64 bytes with AVX2 (chosen at run time). */
__attribute__((target("avx2"))) static inline uint64_t block_avx2(const uint8_t *p, struct block *b)
{
	uint64_t s0, s1, h0, h1, x0, x1, c0, c1, d0, d1;
	avx2_masks(_mm256_loadu_si256((const __m256i *)p), &s0, &h0, &x0, &c0, &d0);
	avx2_masks(_mm256_loadu_si256((const __m256i *)(p + 32)), &s1, &h1, &x1, &c1, &d1);
	uint64_t sep = s0 | s1 << 32;
	if (sep == 0)
		return 0;
	b->hc = h0 | h1 << 32;
	b->colon = c0 | c1 << 32;
	b->digit = d0 | d1 << 32;
	b->cand = combine(p, sep, b->hc, x0 | x1 << 32);
	return b->cand;
}
#endif

/* The block-local twin of fast_not_v6() (ipscan_token.c): a ':' anchor at
 * bit whose run of hex digits and colons lies inside the block, is not
 * next to a defang bracket or a dot, and has fewer than six colons and no
 * "::" cannot be an address.  Same rule, same limits, decided from the
 * masks without a call; false when the run leaves the block. */
static inline bool colon_run_rejects(const uint8_t *p, const struct block *b, int bit)
{
	uint64_t other = ~b->hc;
	uint64_t above = other & (~0ULL << bit);
	uint64_t below = other & ((1ULL << bit) - 1);

	if (above == 0 || below == 0)
		return false;
	int end = __builtin_ctzll(above), start = 64 - __builtin_clzll(below);
	if (bit - start >= 40 || end - bit >= 40)
		return false;
	int after = p[end], before = p[start - 1];
	if (before == ']' || after == '[' || after == '(' || after == '{' || after == '.')
		return false;
	uint64_t run = (above & -above) - 1;	/* bits below end */
	run &= ~((1ULL << start) - 1);
	uint64_t col = b->colon & run;
	return (col & (col >> 1)) == 0 && __builtin_popcountll(col) < 6;
}

/* is_anchor() for a byte whose neighbours are in memory. */
static inline bool anchor_raw(const uint8_t *p)
{
	unsigned prev = ipscan_class[p[-1]], next = ipscan_class[p[1]];
	if (p[0] == '.')
		return (prev & next & IPC_DIG) != 0;
	if (p[0] == ':')
		return (prev & next & IPC_HEXC) != 0;
	return (prev & IPC_HEXC) && (next & IPC_NB);
}

/* A '.' anchor whose second number is not followed by another separator
 * ("EUR 12.50", "3.14159"): no dotted quad can start here, and the general
 * path would find nothing and resume right after the anchor. */
static inline bool lone_dot_rejects(const uint8_t *p, const struct block *b, int bit)
{
	if (bit >= 62)
		return false;
	uint64_t other = ~b->digit & (~0ULL << (bit + 1));
	if (other == 0)
		return false;
	int x = p[__builtin_ctzll(other)];
	return x != '.' && x != '[' && x != '(' && x != '{';
}

/* Examine the candidates of whole 64-byte blocks from *pi while the block
 * and the byte after it are in the view and before end.  The body is
 * instantiated once per instruction set (always_inline); the inner loop
 * makes no calls, so its constants stay in registers. */
__attribute__((always_inline)) static inline int scan_blocks(struct ipscan *s, struct ipscan_view *v,
							    int64_t *pi, int64_t end, bool avx2)
{
	int64_t i = *pi, stop = v->len - 65 < end - 64 ? v->len - 65 : end - 64;
	int rc;

	while (i <= stop) {
		int64_t r = (int64_t)(s->resume - v->base);
		if (r > i) {
			i = r;
			continue;
		}
		uint64_t m = 0;
		struct block b;
		for (; i <= stop; i += 64) {
#ifdef IPSCAN_AVX2
			m = avx2 ? block_avx2(v->p + i, &b) : block_sse2(v->p + i, &b);
#else
			(void)avx2;
			m = block_sse2(v->p + i, &b);
#endif
			if (m != 0)
				break;
		}
		while (m != 0) {
			int bit = __builtin_ctzll(m);
			int64_t a = i + bit;
			m &= m - 1;
			if (v->base + (uint64_t)a < s->resume || !anchor_raw(v->p + a))
				continue;
			if ((v->p[a] == ':' && colon_run_rejects(v->p + i, &b, bit)) ||
			    (v->p[a] == '.' && lone_dot_rejects(v->p + i, &b, bit))) {
				if (s->resume < v->base + (uint64_t)a + 1)
					s->resume = v->base + (uint64_t)a + 1;
				continue;
			}
			if ((rc = examine(s, v, a)) != SCAN_DONE) {
				*pi = a;
				return rc;
			}
		}
		if (i <= stop)
			i += 64;
	}
	*pi = i;
	return SCAN_DONE;
}

static int scan_blocks_sse2(struct ipscan *s, struct ipscan_view *v, int64_t *pi, int64_t end)
{
	return scan_blocks(s, v, pi, end, false);
}

#ifdef IPSCAN_AVX2
__attribute__((target("avx2"))) static int scan_blocks_avx2(struct ipscan *s, struct ipscan_view *v,
							     int64_t *pi, int64_t end)
{
	return scan_blocks(s, v, pi, end, true);
}
#endif
#endif

/* Examine anchors at stream positions [from, to) of the view.  Sets
 * s->next to the first position not examined. */
static int scan_view(struct ipscan *s, struct ipscan_view *v, uint64_t from, uint64_t to)
{
	int64_t i = (int64_t)(from - v->base), end = (int64_t)(to - v->base);
	int rc;

#if defined(__SSE2__) && !defined(IPSCAN_SCALAR)
	/* scalar until p[-1] is readable, then 64 at a time while p[64] is */
	while (i < end && i < 1) {
		if (is_anchor(v, i) && v->base + (uint64_t)i >= s->resume &&
		    (rc = examine(s, v, i)) != SCAN_DONE)
			goto out;
		i++;
	}
#ifdef IPSCAN_AVX2
	if (__builtin_cpu_supports("avx2"))
		rc = scan_blocks_avx2(s, v, &i, end);
	else
#endif
		rc = scan_blocks_sse2(s, v, &i, end);
	if (rc != SCAN_DONE)
		goto out;
#endif
	for (; i < end; i++) {
		if (is_anchor(v, i) && v->base + (uint64_t)i >= s->resume &&
		    (rc = examine(s, v, i)) != SCAN_DONE)
			goto out;
	}
	s->next = to;
	return SCAN_DONE;
out:
	s->next = v->base + (uint64_t)i;
	return rc;
}

/* Initialise a scanner in place. */
static void scanner_init(struct ipscan *s, ipscan_fn *fn, void *arg)
{
	s->fn = fn;
	s->arg = arg;
	s->total = s->next = s->resume = 0;
	s->stop = 0;
	s->carry_len = 0;
}

struct ipscan *ipscan_alloc(ipscan_fn *fn, void *arg)
{
	struct ipscan *s;

	if (fn == NULL || (s = malloc(sizeof *s)) == NULL)
		return NULL;
	scanner_init(s, fn, arg);
	return s;
}

/* Keep the stream tail [next - KEEP, total) from a window that holds it. */
static void keep_tail(struct ipscan *s, const uint8_t *win, uint64_t win_base)
{
	uint64_t from = s->next > IPSCAN_KEEP ? s->next - IPSCAN_KEEP : 0;
	size_t n;

	if (from < win_base)
		from = win_base;	/* cannot happen: the window starts early enough */
	n = (size_t)(s->total - from);
	if (n > CARRY_CAP) {
		/* cannot happen either (the parser reads at most LOOKAHEAD ahead);
		 * keep the newest bytes rather than overflow */
		from = s->total - CARRY_CAP;
		n = CARRY_CAP;
		if (s->next < from)
			s->next = from;
	}
	memmove(s->carry, win + (from - win_base), n);
	s->carry_len = n;
}

int ipscan_update(struct ipscan *s, const char *buf, size_t len)
{
	uint64_t start = s->total;
	struct ipscan_view v;
	int rc;

	if (s->stop != 0)
		return s->stop;
	if (len == 0)
		return 0;
	s->total += len;
	v.final = false;
	if (start > 0) {
		/* the carry plus the chunk's head, for anchors near the seam */
		size_t n = len < STITCH_NEW ? len : STITCH_NEW;
		memcpy(s->stitch, s->carry, s->carry_len);
		memcpy(s->stitch + s->carry_len, buf, n);
		v.p = s->stitch;
		v.len = (int64_t)(s->carry_len + n);
		v.base = start - s->carry_len;
		view_limit(&v, INT64_MAX);
		uint64_t to = n == len ? s->total - 1 : start + IPSCAN_KEEP;
		rc = scan_view(s, &v, s->next, to);
		if (rc == SCAN_STOP)
			return s->stop;
		if (n == len) {
			keep_tail(s, s->stitch, v.base);
			return 0;
		}
	}
	v.p = (const uint8_t *)buf;
	v.len = (int64_t)len;
	v.base = start;
	view_limit(&v, INT64_MAX);
	rc = scan_view(s, &v, s->next, s->total - 1);
	if (rc == SCAN_STOP)
		return s->stop;
	keep_tail(s, v.p, start);
	return 0;
}

int ipscan_finish(struct ipscan *s)
{
	int rc;

	if (s->stop == 0 && s->total > 0) {
		struct ipscan_view v = {
			.p = s->carry,
			.len = (int64_t)s->carry_len,
			.fast = (int64_t)s->carry_len,
			.limit = INT64_MAX,
			.base = s->total - s->carry_len,
			.final = true,
		};
		scan_view(s, &v, s->next, s->total);
	}
	rc = s->stop;
	scanner_init(s, s->fn, s->arg);
	return rc;
}

void ipscan_free(struct ipscan *s)
{
	free(s);
}

int ipscan_buffer(const char *buf, size_t len, ipscan_fn *fn, void *arg)
{
	struct ipscan s;

	scanner_init(&s, fn, arg);
	ipscan_update(&s, buf, len);
	return ipscan_finish(&s);
}
