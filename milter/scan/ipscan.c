/*
 * ipscan.c - the hot loop of the IP scanner and its streaming state.
 *
 * Finding addresses in mail means looking at every byte of every part, so
 * the loop must be fast on text that has no address at all.  It looks for
 * anchors: a '.' between two digits, a ':' between two hex digits or
 * colons, or a '[', '(' or '{' after a hex digit and before '.', ':' or
 * 'd' (defanged separators).  With AVX2 (chosen at run time) it finds
 * them 64 bytes at a time with nibble-table lookups that are exact for
 * '.' and ':' (a sentence period or "Subject: x" never leaves the
 * registers); with AVX-512 VBMI the same test takes one table lookup per
 * role on aligned blocks; with SSE2 (the x86-64 baseline) a compare-based
 * superset test does the same job (the block tests: ipscan_block.h).
 * Only blocks with anchors reach scalar code:
 *  - a lone ':' run as in "font-size:14px", "12:30:45" or "12:30:45.617"
 *    and a lone '.' as in "EUR 12.50" are settled from bit masks, the
 *    run's other colons with it (a run that straddles the block is looked
 *    at again in a 64-byte window centred on the colon);
 *  - a plain dotted quad or a plain IPv6 address between plain delimiters
 *    (the bulk of any IP list) is read straight from the buffer, reported,
 *    and its own separators dropped from the mask (ipscan_fast_v4(),
 *    fast_v6()); a plain dotted number of two, three or five and more
 *    groups (versions, section numbers, status codes, OIDs) is dropped
 *    whole (ipscan_fast_not_v4());
 *  - everything else goes to the bounded general parser (ipscan_token.c),
 *    which backs up to the token start, parses it and says where scanning
 *    resumes, so a token is parsed once, not once per dot.
 * The fast paths decide only what the general parser would decide the
 * same way; tests/unit/test_ipscan.c runs every row inside long text
 * (fast paths) and in pieces (general parser).  Without SSE2 (or with
 * -DIPSCAN_SCALAR) a scalar loop with the same anchor test is used;
 * -DIPSCAN_NO_AVX2 leaves AVX2 and AVX-512 out, -DIPSCAN_NO_AVX512 only
 * AVX-512; ipscan_scan_path() lets a test run any loop the processor has.
 *
 * Every match then passes the context rule (ipscan_ctx.c), which reads
 * its surroundings from the same view and may hold it until the tokens
 * after it show whether it is part of a list.
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

/* The first line of a stream is kept (up to HEAD_MAX bytes) to tell a
 * changelog, whose dotted numbers are versions (ipscan_ctx.c). */
#define HEAD_MAX 160

struct ipscan {
	ipscan_fn *fn;
	void *arg;
	struct ipscan_list list;	/* the context rule between parser and fn */
	int changelog;			/* -1 first line not seen yet, 0 no, 1 yes */
	uint64_t first_line_end;	/* stream offset of the first '\n' */
	size_t head_len;
	uint8_t head[HEAD_MAX];
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

/* The context of the match whose text is at view indices [st, e). */
static void context(struct ipscan *s, struct ipscan_view *v, const struct ipscan_match *m,
		    int64_t st, int64_t e, struct ipscan_ctx *c)
{
	bool changelog = s->changelog == 1 && m->offset > s->first_line_end;
	ipscan_ctx_read(v, st, e, m, changelog, &s->list, c);
}

/* Examine the anchor at i: parse, report matches, move resume.  Returns
 * SCAN_MORE when the token needs bytes not received yet. */
static int examine(struct ipscan *s, struct ipscan_view *v, int64_t i)
{
	struct ipscan_outcome out;
	struct ipscan_ctx ctx[2];
	int64_t resume = (int64_t)(s->resume - v->base);

	v->need_more = false;
	view_limit(v, i + IPSCAN_LOOKAHEAD);
	ipscan_token(v, i, resume, &out);
	for (int k = 0; k < out.nmatch; k++)
		context(s, v, &out.m[k], out.start[k], out.end[k], &ctx[k]);
	view_limit(v, INT64_MAX);
	if (v->need_more)
		return SCAN_MORE;
	s->resume = v->base + (uint64_t)out.resume;
	for (int k = 0; k < out.nmatch; k++) {
		int rc = ipscan_list_add(&s->list, &out.m[k], &ctx[k]);
		if (rc != 0) {
			s->stop = rc;
			return SCAN_STOP;
		}
	}
	return SCAN_DONE;
}

#if defined(__SSE2__) && !defined(IPSCAN_SCALAR)
#include "ipscan_block.h"

/* The block-local twin of fast_not_v6() (ipscan_token.c): a ':' anchor at
 * bit whose run of hex digits and colons lies inside the block, is not
 * next to a defang bracket, and has fewer than six colons and no "::"
 * cannot be an address.  Same rule, same limits, decided from the masks
 * without a call.  Returns the block index where scanning resumes: where
 * the run ends (the run's other colons are settled with it), or before a
 * dot, where the general path resumes; -1 when the run may hold an
 * address or is left to the general path, 0 when it leaves the block
 * (undecided here). */
static inline int colon_run_rejects(const uint8_t *p, const struct block *b, int bit)
{
	uint64_t other = ~b->hc;
	uint64_t above = other & (~0ULL << bit);
	uint64_t below = other & ((1ULL << bit) - 1);

	if (above == 0 || below == 0)
		return 0;
	int end = __builtin_ctzll(above), start = 64 - __builtin_clzll(below);
	if (bit - start >= 40 || end - bit >= 40)
		return -1;
	int after = p[end], before = p[start - 1];
	if (before == ']' || after == '[' || after == '(' || after == '{')
		return -1;
	uint64_t run = (above & -above) - 1;	/* bits below end */
	run &= ~((1ULL << start) - 1);
	uint64_t col = b->colon & run;
	if ((col & (col >> 1)) != 0 || __builtin_popcountll(col) >= 6)
		return -1;
	if (after != '.')
		return end;
	/* "10:08:28.617": with no "::" and so few colons not even a dotted
	 * tail makes an address; the general path resumes at the last
	 * group when it is decimal (a dotted quad may start there: "abc:
	 * 8.8.8.8"), v6_run_end() in ipscan_token.c.  A group with letters
	 * is left to it. */
	int last = 63 - __builtin_clzll(col);	/* below end, so at most 62 */
	uint64_t group = run & ~((2ULL << last) - 1);
	return group != 0 && (group & ~b->digit) == 0 ? last + 1 : -1;
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

/* The masks of the 64 bytes at p (p[-1] and p[64] readable) that hold a
 * separator. */
__attribute__((always_inline)) static inline void window(const uint8_t *p, struct block *w,
							  bool avx2)
{
	(void)avx2;
#ifdef IPSCAN_AVX2
	if (avx2) {
		block_masks_avx2(p, w);
		return;
	}
#endif
	block_sse2(p, w);	/* a separator is there: w is filled */
}

/* colon_run_rejects() for the ':' at view index i + bit; when its run
 * leaves the block, once more on the 64 bytes centred on the colon (runs
 * of timestamps and CSS often straddle a block edge).  Returns the view
 * index where a rejected run ends, or 0. */
__attribute__((always_inline)) static inline int64_t colon_reject_at(struct ipscan_view *v,
								     int64_t i,
								     const struct block *b,
								     int bit, bool avx2)
{
	int64_t a = i + bit;
	struct block w;
	int run = colon_run_rejects(v->p + i, b, bit);

	if (run > 0)
		return i + run;
	if (run < 0 || a < 33 || a + 32 >= v->len)
		return 0;
	window(v->p + a - 32, &w, avx2);
	run = colon_run_rejects(v->p + a - 32, &w, 32);
	return run > 0 ? a - 32 + run : 0;
}

/* The value of the hex group of l (1..4) digits at q (4 readable bytes),
 * without a branch per digit. */
static inline unsigned hex_group(const uint8_t *q, int l)
{
	uint32_t x;
	memcpy(&x, q, 4);
	/* digit: low nibble; letter (bit 6 set): low nibble + 9 */
	uint32_t nib = (x & 0x0f0f0f0fu) + ((x >> 6) & 0x01010101u) * 9;
	uint32_t y = __builtin_bswap32(nib << (8 * (4 - l)));	/* digits right-aligned */
	y = (y | y >> 4) & 0x00ff00ffu;
	return (y | y >> 8) & 0xffffu;
}

/*
 * A plain IPv6 address around the ':' at view index a: hex groups joined
 * by ':' with eight groups or one "::" inside, starting with a group, with
 * no dotted tail, no defanged colon and plain delimiters on both sides
 * ("2001:db8:4::1,", " fe80::1 ").  Read from the masks of the 64 bytes
 * at its start.  Like ipscan_fast_v4() it decides only what the general
 * path would report as one address, and hands on everything else (a
 * trailing colon, a zone id, '/', a dash, brackets, too few groups, the
 * MAC-like "aa:bb:...", the edges).  True when decided.
 */
__attribute__((always_inline)) static inline bool fast_v6(struct ipscan_view *v, int64_t a,
							   int64_t resume, bool avx2,
							   struct ipscan_match *m, int64_t *end)
{
	const uint8_t *p = v->p;
	int64_t s = a;
	struct block w;

	while (s > a - 4 && s > 0 && (ipscan_class[p[s - 1]] & IPC_HEX))
		s--;
	if (s == a || s < 1 || s + 65 > v->len || resume > s || p[s - 1] == ':' ||
	    !ipscan_plain_left(p[s - 1]))
		return false;
	window(p + s, &w, avx2);
	int e = __builtin_ctzll(~w.hc | 1ULL << 63);	/* the hex/colon run [0, e) */
	if (e > 39 || p[s + e - 1] == ':' || !ipscan_plain_right(p[s + e]) || p[s + e] == '%')
		return false;
	uint64_t tok = (1ULL << e) - 1, col = w.colon & tok, hex = w.hc & ~w.colon & tok;
	uint64_t dbl = col & col >> 1, starts = hex & ~(hex << 1), ends = hex & ~(hex >> 1);
	int n = __builtin_popcountll(starts);
	if ((dbl & (dbl - 1)) != 0 || (hex & hex >> 1 & hex >> 2 & hex >> 3 & hex >> 4) != 0 ||
	    (dbl ? n > 7 : n != 8) || ((w.digit & tok) == 0 && n < 3) ||
	    (dbl == 0 && starts << 1 == ends))
		return false;	/* two "::", a long group, wrong count, "a::b", MAC-like */
	int64_t q = s + e;
	if (p[q] == ' ' || p[q] == '\t') {
		while (q - (s + e) < 4 && (p[q] == ' ' || p[q] == '\t'))
			q++;
		if (p[q] == '-' || p[q] == 0xe2)
			return false;	/* maybe "a - b" */
	}
	/* groups after the "::" go to the end of the address */
	int before = dbl ? __builtin_popcountll(starts & (dbl - 1)) : n, k = 0;
	memset(m, 0, sizeof *m);
	m->addr.family = IP_V6;
	for (uint64_t g = starts; g != 0; g &= g - 1, k++) {
		int b = __builtin_ctzll(g), l = __builtin_ctzll(~(hex >> b));
		unsigned val = hex_group(p + s + b, l);
		int at = k < before ? k : 8 - n + k;
		m->addr.octet[2 * at] = (uint8_t)(val >> 8);
		m->addr.octet[2 * at + 1] = (uint8_t)val;
	}
	m->kind = IPSCAN_ADDR;
	m->offset = v->base + (uint64_t)s;
	*end = s + e;
	return true;
}

/* Settle the candidate bits m of the block at view index i: drop what
 * the masks decide, report a plain dotted quad straight from the buffer
 * (ipscan_fast_v4(), no outcome to copy), drop a plain dotted number of
 * other length whole (ipscan_fast_not_v4()), hand the rest to examine().
 * After a token, the bits it covers are dropped at once.  Returns
 * SCAN_DONE, or examine()'s or the callback's code with *at set to the
 * anchor. */
__attribute__((always_inline)) static inline int settle(struct ipscan *s, struct ipscan_view *v,
							 int64_t i, uint64_t m, const struct block *b,
							 int64_t *at, bool avx2)
{
	const uint8_t *p = v->p;
	int64_t run;
	int rc;

	while (m != 0) {
		int bit = __builtin_ctzll(m);
		int64_t a = i + bit, r = (int64_t)(s->resume - v->base), e;
		struct ipscan_match match;
		struct ipscan_ctx ctx;

		m &= m - 1;
		/* the AVX2 and AVX-512 bits are exact but for brackets */
		if (a < r || ((!avx2 || (p[a] != '.' && p[a] != ':')) && !anchor_raw(p + a)))
			continue;
		if (p[a] == '.') {
			if (lone_dot_rejects(p + i, b, bit)) {
				s->resume = v->base + (uint64_t)a + 1;
				continue;
			}
			if (ipscan_fast_v4(p, v->len, a, r, &match, &e)) {
				match.offset += v->base;
				goto found;
			}
			if (ipscan_fast_not_v4(p, v->len, a, r, &e)) {
				/* the whole run is settled: its other dots too */
				s->resume = v->base + (uint64_t)e;
				m &= e - i >= 64 ? 0 : ~0ULL << (e - i);
				continue;
			}
		} else if (p[a] == ':') {
			if ((run = colon_reject_at(v, i, b, bit, avx2)) > 0) {
				/* the whole run is settled: its other colons too */
				s->resume = v->base + (uint64_t)run;
				m &= run - i >= 64 ? 0 : ~0ULL << (run - i);
				continue;
			}
			if (fast_v6(v, a, r, avx2, &match, &e))
				goto found;
		}
		if ((rc = examine(s, v, a)) != SCAN_DONE) {
			*at = a;
			return rc;
		}
		continue;
found:
		if (ipscan_list_quick(&s->list, v, (int64_t)(match.offset - v->base), e, &match,
				      &rc)) {
			s->resume = v->base + (uint64_t)e;
			m &= e - i >= 64 ? 0 : ~0ULL << (e - i);
			if (rc != 0) {
				s->stop = rc;
				*at = a;
				return SCAN_STOP;
			}
			continue;
		}
		/* the fast paths leave more than CTX_RIGHT_MAX bytes after e */
		v->need_more = false;
		context(s, v, &match, (int64_t)(match.offset - v->base), e, &ctx);
		if (v->need_more) {
			if ((rc = examine(s, v, a)) != SCAN_DONE) {
				*at = a;
				return rc;
			}
			continue;
		}
		s->resume = v->base + (uint64_t)e;
		m &= e - i >= 64 ? 0 : ~0ULL << (e - i);
		if ((rc = ipscan_list_add(&s->list, &match, &ctx)) != 0) {
			s->stop = rc;
			*at = a;
			return SCAN_STOP;
		}
	}
	return SCAN_DONE;
}

/* Examine the candidates of whole 64-byte blocks from *pi while the block
 * and the bytes around it are in the view and before end.  The body is
 * instantiated once per instruction set (always_inline); the inner loop
 * makes no calls, so its constants stay in registers. */
__attribute__((always_inline)) static inline int scan_blocks(struct ipscan *s, struct ipscan_view *v,
							    int64_t *pi, int64_t end, int isa)
{
	int64_t i = *pi, stop = v->len - 65 < end - 64 ? v->len - 65 : end - 64;
	bool avx2 = isa >= ISA_AVX2;	/* the windows of settle() */
	int rc;
#ifdef IPSCAN_AVX2
	struct roles r;
	if (isa >= ISA_AVX2)
		roles_load(&r);
#endif
#ifdef IPSCAN_AVX512
	struct roles512 r5;
	int64_t stop512 = v->len - 128 < end - 64 ? v->len - 128 : end - 64;
	if (isa == ISA_AVX512)
		roles512_load(&r5);
#endif

	while (i <= stop) {
		int64_t res = (int64_t)(s->resume - v->base);
		if (res > i) {
			i = res;
			continue;
		}
		uint64_t m = 0;
		struct block b;
#ifdef IPSCAN_AVX512
		int64_t at;
		if (isa == ISA_AVX512 && i <= stop512 && i >= (int64_t)((uintptr_t)(v->p + i) & 63)) {
			/* the grid's blocks while the one after each is in the
			 * view; the last few go the AVX2 way */
			if ((m = grid_next(v->p, i, stop512, &at, &r5)) == 0) {
				i = at;
				continue;
			}
			block_masks512(v->p + at, &b);
			if ((rc = settle(s, v, at, m, &b, pi, avx2)) != SCAN_DONE)
				return rc;
			i = at + 64;
			continue;
		}
#endif
#ifdef IPSCAN_AVX2
		if (isa >= ISA_AVX2) {
			int64_t last = stop;
#ifdef IPSCAN_AVX512
			if (isa == ISA_AVX512 && i <= stop512)
				last = i;	/* one block, until the grid can start */
#endif
			for (; i <= last; i += 64)
				if ((m = block_avx2(v->p + i, &r)) != 0)
					break;
			if (m != 0)
				block_masks_avx2(v->p + i, &b);
		} else
#endif
		{
			for (; i <= stop; i += 64)
				if ((m = block_sse2(v->p + i, &b)) != 0)
					break;
		}
		if (m != 0 && (rc = settle(s, v, i, m, &b, pi, avx2)) != SCAN_DONE)
			return rc;
		if (m != 0)
			i += 64;	/* past the block settled */
	}
	*pi = i;
	return SCAN_DONE;
}

static int scan_blocks_sse2(struct ipscan *s, struct ipscan_view *v, int64_t *pi, int64_t end)
{
	return scan_blocks(s, v, pi, end, ISA_SSE2);
}

#ifdef IPSCAN_AVX512
__attribute__((target(AVX512_TARGET))) static int scan_blocks_avx512(struct ipscan *s,
								    struct ipscan_view *v,
								    int64_t *pi, int64_t end)
{
	return scan_blocks(s, v, pi, end, ISA_AVX512);
}
#endif

#ifdef IPSCAN_AVX2
__attribute__((target("avx2"))) static int scan_blocks_avx2(struct ipscan *s, struct ipscan_view *v,
							     int64_t *pi, int64_t end)
{
	return scan_blocks(s, v, pi, end, ISA_AVX2);
}
#endif

#endif

/* The block loop in use: the best the processor has, unless a test
 * forced one (ipscan_scan_path()); none, a byte at a time, when forced
 * or when this build has none. */
static int ipscan_path = -1;

#if !defined(__SSE2__) || defined(IPSCAN_SCALAR)
#define IPSCAN_PATHS 0u
#elif defined(IPSCAN_AVX512)
#define IPSCAN_PATHS \
	(CPUPATH_SET(CPUPATH_AVX512VBMI) | CPUPATH_SET(CPUPATH_AVX2) | CPUPATH_SET(CPUPATH_SSE2))
#elif defined(IPSCAN_AVX2)
#define IPSCAN_PATHS (CPUPATH_SET(CPUPATH_AVX2) | CPUPATH_SET(CPUPATH_SSE2))
#else
#define IPSCAN_PATHS CPUPATH_SET(CPUPATH_SSE2)
#endif

bool ipscan_scan_path(enum ipscan_path want)
{
	return cpupath_force(&ipscan_path, (int)want, IPSCAN_PATHS);
}

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
	int path = cpupath_get(&ipscan_path, IPSCAN_PATHS);
#ifdef IPSCAN_AVX512
	if (path == IPSCAN_PATH_AVX512)
		rc = scan_blocks_avx512(s, v, &i, end);
	else
#endif
#ifdef IPSCAN_AVX2
	if (path == IPSCAN_PATH_AVX2)
		rc = scan_blocks_avx2(s, v, &i, end);
	else
#endif
	if (path == IPSCAN_PATH_SSE2)
		rc = scan_blocks_sse2(s, v, &i, end);
	else
		rc = SCAN_DONE;	/* forced to go a byte at a time */
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
	s->changelog = -1;
	s->first_line_end = UINT64_MAX;
	s->head_len = 0;
	ipscan_list_init(&s->list, fn, arg);
}

/* Keep the stream's first line until it is whole (or HEAD_MAX long), then
 * decide once whether the stream is a changelog. */
static void head_update(struct ipscan *s, const char *buf, size_t len)
{
	size_t n = HEAD_MAX - s->head_len;

	if (n > len)
		n = len;
	memcpy(s->head + s->head_len, buf, n);
	const uint8_t *nl = memchr(s->head + s->head_len, '\n', n);
	s->head_len += n;
	if (nl != NULL) {
		size_t line = (size_t)(nl - s->head);
		s->first_line_end = line;
		if (line > 0 && s->head[line - 1] == '\r')
			line--;
		s->changelog = ipscan_changelog_line(s->head, line) ? 1 : 0;
	} else if (s->head_len == HEAD_MAX) {
		s->changelog = 0;
	}
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
	if (s->changelog < 0)
		head_update(s, buf, len);
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
	if (s->stop == 0)
		s->stop = ipscan_list_finish(&s->list);
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
