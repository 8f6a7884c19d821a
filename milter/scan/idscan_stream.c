/*
 * idscan_stream.c - the identifier scanner over a stream (idscan.h):
 * where lines are judged (idscan_judge_line, idscan.c) and where they are
 * skipped, lines cut by chunk boundaries, and looking back over lines
 * the search passed over, so that the answer never depends on how the
 * stream is cut.
 *
 * Hot path: lines are not cut one by one.  A vector search over the chunk
 * (idscan_cand.c) finds the next byte that could start or join a value;
 * only the line holding it, when worth_judging() says its first token
 * can make it a list line, and the line before it (a header naming the
 * columns), are judged, in place; everything between is skipped, as
 * prose could only end a run.  While a run, a header's rows, a user
 * label, a typed value or a signature is open, every line is judged.
 * Only a line cut by a chunk boundary is copied, and the last HIST_MAX
 * bytes of whole lines before it are kept for looking back.
 *
 * Public functions: idscan_alloc, idscan_free, idscan_begin,
 * idscan_update, idscan_finish (the look back over lines is
 * idscan_lback.c's).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idscan_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- driving --------------------------------------------------------- */

/* Must the line after the one just judged be judged too? */
static bool state_hot(const struct idscan *s)
{
	return s->run > 0 || s->npend > 0 || s->sig_skip > 0 || s->since_user <= USER_WINDOW ||
	       s->in_rows || s->typed > 0;
}

/* A line is judged that does not follow the last judged one: the lines
 * passed over between could only have ended the run. */
static void follow_on(struct idscan *s, unsigned long long start)
{
	if (start != s->judged_end + 1 || !s->judged_any) {
		idscan_drop_run(s);
		s->prev_delimited = false;
		s->in_rows = false;
	}
}

static const char *find_worth(struct idscan *s, const char *p, const char *end, bool in_chunk);

/* Where a line longer than IDSCAN_LINE_MAX is cut. */
static bool window_sep(char c)
{
	return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '|';
}

/* The length of the next window of a line p[0, n): the whole of it when
 * it fits, else at most IDSCAN_LINE_MAX bytes ending after their last
 * separator (all of them when they hold none: a token that long is no
 * value).  Only p[0, IDSCAN_LINE_MAX) is read. */
static size_t window_len(const char *p, size_t n)
{
	if (n <= IDSCAN_LINE_MAX)
		return n;
	size_t w = IDSCAN_LINE_MAX;
	while (w > 0 && !window_sep(p[w - 1]))
		w--;
	return w > 0 ? w : IDSCAN_LINE_MAX;
}

/* One window of a long line, judged as a line of its own when the state
 * says the next line matters or it holds a candidate worth it; else,
 * like a line passed over, it ends what only a next line could go on. */
static void judge_window(struct idscan *s, int seg, const char *p, size_t n)
{
	if (s->hot || find_worth(s, p, p + n, false) != NULL) {
		s->lflags = idscan_line_flags(p, n);
		s->cur_seg = seg;
		s->cur_ls = p;
		idscan_judge_line(s, p, n);
	} else {
		idscan_drop_run(s);
		s->prev_delimited = false;
		s->in_rows = false;
	}
	s->hot = state_hot(s);
}

/* Judge the complete line [p, p+n) of segment seg, starting at stream
 * offset start, its '\n' at nl_at.  A line longer than IDSCAN_LINE_MAX
 * is judged in windows cut after a separator: a long line of
 * comma-separated addresses is the list it is (once it was passed over
 * as prose, a way to send any list unseen), prose stays prose.  lf: the
 * line's flags when known, else LF_UNKNOWN. */
static void judge_at(struct idscan *s, int seg, const char *p, size_t n, unsigned long long start,
		     unsigned long long nl_at, unsigned lf)
{
	follow_on(s, start);
	if (n > IDSCAN_LINE_MAX) {
		for (size_t w; n > 0 && s->rc == 0; p += w, n -= w) {
			w = window_len(p, n);
			judge_window(s, seg, p, w);
		}
	} else {
		s->lflags = lf != LF_UNKNOWN ? lf : idscan_line_flags(p, n);
		s->cur_seg = seg;
		s->cur_ls = p;
		idscan_judge_line(s, p, n);
	}
	s->judged_end = nl_at;
	s->judged_any = true;
	s->hot = state_hot(s);
}

/* A row (cells) whose line before was passed over: that line may be the
 * header naming its columns (cells, no address): judge it first.  *lf
 * gets the line's flags when they were looked at (judge_at needs them
 * too). */
static void header_lookback(struct idscan *s, int seg, const char *ls, size_t n,
			    unsigned long long start, unsigned *lf)
{
	if (s->judged_any && start == s->judged_end + 1)
		return;	/* the line before was judged */
	*lf = idscan_line_flags(ls, n);
	if (!(*lf & LF_DELIM))
		return;
	struct lback b;
	idscan_lback_init(&b, s, seg, ls);
	const char *pl;
	size_t pn;
	unsigned long long pstart;
	if (!idscan_lback_prev(&b, &pl, &pn, &pstart) || pstart + pn + 1 != start)
		return;
	/* a header names columns: cells, no address, no "Name: value"
	 * (a mail header or its continuation is none) */
	unsigned plf = idscan_line_flags(pl, pn);
	if ((plf & (LF_DELIM | LF_AT)) == LF_DELIM && pn > 0 && !idscan_is_blank(pl[0]) &&
	    memmem(pl, pn, ": ", 2) == NULL)
		judge_at(s, b.seg, pl, pn, pstart, start - 1, plf);
}

/* Complete lines t[0..n) (n ends in '\n', the last one at stream offset
 * last_nl) onto the history, which keeps its last HIST_MAX bytes in whole
 * lines. */
static void hist_push(struct idscan *s, const char *t, size_t n, unsigned long long last_nl)
{
	if (n == 0)
		return;
	bool cut = false;
	if (n >= HIST_MAX) {
		t += n - HIST_MAX;
		n = HIST_MAX;
		s->hlen = 0;
		cut = true;
	} else if (s->hlen + n > HIST_MAX) {
		size_t drop = s->hlen + n - HIST_MAX;
		memmove(s->hist, s->hist + drop, s->hlen - drop);
		s->hlen -= drop;
		cut = true;
	}
	memcpy(s->hist + s->hlen, t, n);
	s->hlen += n;
	s->hist_end = last_nl;
	if (cut) {	/* the first line lost its start */
		char *nl = memchr(s->hist, '\n', s->hlen);
		size_t k = nl != NULL ? (size_t)(nl + 1 - s->hist) : s->hlen;
		memmove(s->hist, s->hist + k, s->hlen - k);
		s->hlen -= k;
	}
}

/* Add p[0, n) to the carried line.  A line that outgrows the buffer is
 * judged in the windows judge_at would cut, each as it fills, and only
 * the start of the next one is kept: memory stays bounded, and the
 * answer is the one the whole line in one chunk gives. */
static void carry_more(struct idscan *s, const char *p, size_t n)
{
	while (n > 0 && s->rc == 0) {
		if (s->llen == IDSCAN_LINE_MAX) {	/* and more follows */
			if (!s->overlong)
				follow_on(s, s->line_start);
			s->overlong = true;
			size_t w = window_len(s->line, IDSCAN_LINE_MAX + 1);
			judge_window(s, SEG_CARRIED, s->line, w);
			memmove(s->line, s->line + w, s->llen - w);
			s->llen -= w;
		}
		size_t k = IDSCAN_LINE_MAX - s->llen;
		if (k > n)
			k = n;
		memcpy(s->line + s->llen, p, k);
		s->llen += k;
		p += k;
		n -= k;
	}
}

/* Keep [p, end) (the start of a line cut by the chunk's end). */
static void carry(struct idscan *s, const char *p, const char *end, unsigned long long start)
{
	s->carrying = true;
	s->line_start = start;
	s->llen = 0;
	carry_more(s, p, (size_t)(end - p));
}

/* Byte classes of the first-token look (worth_judging). */
enum { WJ_END = 1, WJ_NOISE = 2 };
static const unsigned char wj_class[256] = {
	[' '] = WJ_END,	  ['\t'] = WJ_END,  [','] = WJ_END,   [';'] = WJ_END,	['|'] = WJ_END,
	['$'] = WJ_NOISE, ['`'] = WJ_NOISE, ['^'] = WJ_NOISE, ['\\'] = WJ_NOISE, ['{'] = WJ_NOISE,
	['}'] = WJ_NOISE, ['='] = WJ_NOISE,
};

/* The length of the start of p[0, n) without a byte of class cls, p[0,
 * avail) readable (avail >= n): sixteen bytes a step where SSE2 is, the
 * last step too when the bytes after p[n] may be read (a first token is
 * mostly shorter than a step: its end found in one). */
static inline __attribute__((always_inline)) size_t span_not(const char *p, size_t n, size_t avail,
							     unsigned cls)
{
	size_t i = 0;
#ifdef __SSE2__
	while (i < n && i + 16 <= avail) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
#define EQ(c) _mm_cmpeq_epi8(b, _mm_set1_epi8(c))
		__m128i hit;
		if (cls == WJ_END)
			hit = _mm_or_si128(_mm_or_si128(EQ(' '), EQ('\t')),
					   _mm_or_si128(_mm_or_si128(EQ(','), EQ(';')), EQ('|')));
		else
			hit = _mm_or_si128(_mm_or_si128(_mm_or_si128(EQ('$'), EQ('`')),
							_mm_or_si128(EQ('^'), EQ('\\'))),
					   _mm_or_si128(_mm_or_si128(EQ('{'), EQ('}')), EQ('=')));
#undef EQ
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask != 0)
			return i + (size_t)__builtin_ctz(mask) < n ? i + (size_t)__builtin_ctz(mask) : n;
		i += 16;
	}
	if (i >= n)
		return n;
#endif
	while (i < n && !(wj_class[(unsigned char)p[i]] & cls))
		i++;
	return i;
}

/* Does the label q[0, nl) (nl < LABEL_NAME_MAX) name an identifier, a
 * credential or an incident format's field?  The answer depends on the
 * name alone, and mail repeats a few names ("Received", "Subject") on
 * line after line: the last answers are kept, one per slot. */
static bool label_worth(struct idscan *s, const char *q, size_t nl)
{
	struct label_memo *m = &s->labels[(nl * 31u + (unsigned char)(nl > 0 ? q[0] | 0x20 : 0) +
					   (unsigned char)(nl > 0 ? q[nl - 1] : 0)) %
					  LABEL_MEMO];
	if (m->valid && m->len == nl && memcmp(m->name, q, nl) == 0)
		return m->worth;
	char nm[LABEL_NAME_MAX];
	size_t l = idscan_norm_name(q, nl, nm, sizeof nm);
	m->worth = idscan_normed_role(nm, l) != COL_NONE ||
		   idscan_format_label(nm, l) != FMT_LABEL_NONE;
	memcpy(m->name, q, nl);
	m->len = (unsigned char)nl;
	m->valid = true;
	return m->worth;
}

/*
 * Out of a run, a line is a list line only through its first token (a
 * value, a cell, a label naming an identifier) or a defanged value; the
 * candidate c of a line starting at ls is worth a judge_line only so.  A
 * mail header ("Received: from a.example by b.example"), an address in
 * prose or in a continuation line is passed over here, at the cost of a
 * look at the first token, and the search goes on after c (a defanged
 * value may follow on the same line).  This must never pass over what
 * judge_line would count: it answers "judge" whenever unsure.  The
 * bytes up to end may be read.
 */
static bool worth_judging(struct idscan *s, const char *ls, const char *c, const char *end)
{
	if (*c != '@' && *c != '.' && *c != ':')
		return true;	/* defanging, a password name, a signature */
	if (s->delim != 0 || s->sig_skip != 0)
		return true;	/* rows under a header; a signature */
	const char *q = ls;
	while (q < c && (idscan_is_blank(*q) || *q == '>' || *q == '"' || *q == '\''))
		q++;
	const char *t = q + span_not(q, (size_t)(c - q), (size_t)(end - q), WJ_END);
	if (t == c || idscan_is_delim(*t)) {
		/* c in the first token, or that token is a cell: unless the
		 * token is a MIME boundary or the noise of uuencoded or
		 * ISO-2022 text, whose marks no value or user name has */
		if (q + 1 < c && q[0] == '-' && q[1] == '-')
			return false;
		if (span_not(q, (size_t)(c - q), (size_t)(end - q), WJ_NOISE) < (size_t)(c - q))
			return false;	/* "=": a key=value, no value */
		return true;
	}
	if (t > q && t[-1] == ':') {	/* "Name: ... c": a label */
		/* of the names with a '-' only "e-mail..." names a value;
		 * "Return-Path", "Message-ID", "Content-Type" are passed
		 * over without a look-up */
		if ((*q | 0x20) != 'e' && memchr(q, '-', (size_t)(t - q)) != NULL)
			return false;
		size_t nl = (size_t)(t - 1 - q);
		if (nl >= sizeof s->labels[0].name)
			return false;
		return label_worth(s, q, nl);
	}
	/* "E-mail address: a@b": a label of a few words, the address the
	 * token right after it */
	if (*c != '@')
		return false;
	const char *k = c;
	while (k > t && !idscan_is_blank(k[-1]))
		k--;
	return k - q >= 3 && k - q <= 40 && k[-1] == ' ' && k[-2] == ':';
}

/* Start offset of the line holding c, searching back no further than p. */
static const char *line_start(const char *p, const char *c)
{
	const char *nl = c > p ? memrchr(p, '\n', (size_t)(c - p)) : NULL;
	return nl != NULL ? nl + 1 : p;
}

/* Where find_worth is: the start of the line of the bytes looked at,
 * and whether that line's first value mark was judged not worth it (its
 * other value marks are passed over then: only a defanging mark, a
 * password word or a signature can still matter). */
struct worth_pos {
	size_t ls;
	bool settled;
};

/* Settle the candidate bits of one block at p + i (bit k for byte
 * i + k; val the value marks, oth the others, nl the line ends): the
 * start of the line to judge, or n. */
static size_t worth_in_block(struct idscan *s, const char *p, size_t n, size_t i,
			     uint64_t val, uint64_t oth, uint64_t nl, bool exact, struct worth_pos *w)
{
	bool every = s->delim != 0 || s->sig_skip != 0;
	for (;;) {
		if (w->settled)	/* the value marks of a passed line */
			val &= nl != 0 ? ~((nl & -nl) - 1) : 0;
		uint64_t bits = val | oth;
		if (bits == 0)
			break;
		unsigned k = (unsigned)__builtin_ctzll(bits);
		uint64_t bit = (uint64_t)1 << k, below = nl & (bit - 1);
		if (below != 0) {	/* a new line began before this byte */
			if (i + (size_t)__builtin_ctzll(below) - w->ls > IDSCAN_LINE_MAX)
				return w->ls;	/* a long line: its windows */
			w->ls = i + 64 - (size_t)__builtin_clzll(below);
			w->settled = false;
			nl &= ~below;
		}
		/* a bit of an exact val is a value mark that is a candidate */
		bool sure = exact && (val & bit) != 0;
		val &= ~bit;
		oth &= ~bit;
		size_t c = i + k;
		char ch = p[c];
		bool value_mark = ch == '@' || ch == '.' || ch == ':';
		if (value_mark ? w->settled || (!sure && !idscan_value_mark_at(p, c, n))
			       : !idscan_cand_at(p, c, n))
			continue;
		if (!value_mark || every || worth_judging(s, p + w->ls, p + c, p + n))
			return w->ls;
		w->settled = true;
	}
	if (nl != 0) {
		if (i + (size_t)__builtin_ctzll(nl) - w->ls > IDSCAN_LINE_MAX)
			return w->ls;
		w->ls = i + 64 - (size_t)__builtin_clzll(nl);
		w->settled = false;
	}
	return n;
}

/* Settle the classified blocks b[0, nb): the first begins sh bytes
 * before p + i (those bits are not the range's), each next one 64 bytes
 * on; *i moves past them.  The start of the line to judge, or n. */
static size_t settle_run(struct idscan *s, const char *p, size_t n, size_t *i,
			 const struct idscan_block *b, size_t nb, unsigned sh, bool exact,
			 struct worth_pos *w)
{
	for (const struct idscan_block *e = b + nb; b < e; b++, *i += 64 - sh, sh = 0) {
		uint64_t val = b->val >> sh, oth = b->oth >> sh, nl = b->nl >> sh;
		if ((val | oth) != 0) {
			size_t r = worth_in_block(s, p, n, *i, val, oth, nl, exact, w);
			if (r < n)
				return r;
		} else if (nl != 0) {	/* lines without a candidate */
			if (*i + (size_t)__builtin_ctzll(nl) - w->ls > IDSCAN_LINE_MAX)
				return w->ls;	/* a long line: its windows */
			w->ls = *i + 64 - (size_t)__builtin_clzll(nl);
			w->settled = false;
		}
	}
	return n;
}

/* The start of the first line in [p, end) that holds a candidate worth
 * judging or is longer than IDSCAN_LINE_MAX (judged in windows), or
 * NULL.  Runs of blocks of 64 bytes give the candidates and line ends
 * as bit masks: a line is never searched for its start or end, and a
 * block without a mark costs a test and, if it ends lines, the check of
 * their length.  in_chunk: [p, end) is the rest of the chunk
 * (idscan_update), whose blocks are kept for the next search. */
static const char *find_worth(struct idscan *s, const char *p, const char *end, bool in_chunk)
{
	size_t n = (size_t)(end - p), i = 0, want = RUN_FIRST, r;
	struct worth_pos w = {0, false};
	struct idscan_block local[RUN_MAX], *run = in_chunk ? s->blocks : local;
	bool exact = idscan_cand_val_exact();
	/* a line end before p (readable): the byte the rule takes before a
	 * range is the real one, the blocks of the chunk are valid from p */
	bool lead = in_chunk && p > s->chunk_buf && p[-1] == '\n';
	if (lead && s->blocks_nb > 0 && p >= s->blocks_at && p < s->blocks_at + 64 * s->blocks_nb) {
		size_t k = (size_t)(p - s->blocks_at) / 64;
		r = settle_run(s, p, n, &i, s->blocks + k, s->blocks_nb - k,
			       (unsigned)((size_t)(p - s->blocks_at) % 64), exact, &w);
		if (r < n)
			return p + r;
	}
	while (i < n) {
		size_t nb = (i >= 1 || lead) && i + 67 <= n ? (n - 67 - i) / 64 + 1 : 0;
		if (nb > want)
			nb = want;
		if (nb > 0 && idscan_cand_blocks(p, i, nb, run)) {
			if (want < RUN_MAX)
				want *= 2;
			if (in_chunk) {
				s->blocks_at = p + i;
				s->blocks_nb = nb;
			}
			r = settle_run(s, p, n, &i, run, nb, 0, exact, &w);
			if (r < n)
				return p + r;
			continue;
		}
		/* The edges (the first block, which has no byte before it,
		 * and the last bytes, fewer than a block's reach): the block
		 * of a copy with a line end before and after, as the exact
		 * rule takes the bytes outside the range, its bits past n
		 * taken off; byte by byte without a vector path. */
		char edge[1 + 64 + 3];
		size_t m = n - i < 64 ? n - i : 64, k = n - i < 67 ? n - i : 67;
		struct idscan_block b;
		edge[0] = i > 0 ? p[i - 1] : '\n';
		memcpy(edge + 1, p + i, k);	/* the block and what its marks look at */
		memset(edge + 1 + k, '\n', sizeof edge - 1 - k);
		if (idscan_cand_blocks(edge, 1, 1, &b)) {
			uint64_t in = m == 64 ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1;
			r = worth_in_block(s, p, n, i, b.val & in, b.oth & in, b.nl & in, exact,
					   &w);
			i += m;
		} else {
			r = worth_in_block(s, p, n, i, 0, idscan_cand_at(p, i, n) ? 1 : 0,
					   p[i] == '\n' ? 1 : 0, false, &w);
			i += 1;
		}
		if (r < n)
			return p + r;
	}
	return NULL;
}

/* The carried line is complete ('\n' at stream offset nl_at): judged as
 * any other line would be, and kept for looking back until the chunk
 * ends. */
static void end_carried(struct idscan *s, unsigned long long nl_at)
{
	s->carried = s->overlong ? CARRIED_OVERLONG : CARRIED_LINE;
	s->carried_len = s->llen;
	s->carried_nl = nl_at;
	if (!s->overlong) {
		if (s->hot || find_worth(s, s->line, s->line + s->llen, false) != NULL) {
			unsigned lf = LF_UNKNOWN;
			header_lookback(s, SEG_CARRIED, s->line, s->llen, s->line_start, &lf);
			judge_at(s, SEG_CARRIED, s->line, s->llen, s->line_start, nl_at, lf);
		}
	} else {	/* the last window of a long line (carry_more) */
		judge_window(s, SEG_CARRIED, s->line, s->llen);
		s->judged_end = nl_at;
		s->judged_any = true;
	}
	s->llen = 0;
	s->overlong = false;
	s->carrying = false;
}

/* The chunk ends; tail is the start of its cut last line (end when none).
 * What stood before tail becomes history, the cut line is carried. */
static void end_chunk(struct idscan *s, const char *tail, const char *end)
{
	if (s->carried == CARRIED_OVERLONG) {
		s->hlen = 0;	/* nothing reaches past an overlong line */
	} else if (s->carried == CARRIED_LINE) {
		s->line[s->carried_len] = '\n';
		hist_push(s, s->line, s->carried_len + 1, s->carried_nl);
	}
	if (tail > s->chunk_lo)
		hist_push(s, s->chunk_lo, (size_t)(tail - s->chunk_lo),
			  s->chunk_base + (unsigned long long)(tail - 1 - s->chunk_buf));
	s->carried = CARRIED_NONE;
	if (tail < end)
		carry(s, tail, end, s->chunk_base + (unsigned long long)(tail - s->chunk_buf));
}

/* ---- public --------------------------------------------------------- */

struct idscan *idscan_alloc(idscan_cb cb, void *arg)
{
	struct idscan *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->cb = cb;
	s->arg = arg;
	idscan_begin(s, false);
	return s;
}

void idscan_free(struct idscan *s)
{
	free(s);
}

void idscan_begin(struct idscan *s, bool markup)
{
	s->markup = markup;
	s->rc = 0;
	s->llen = 0;
	s->overlong = false;
	s->sig_skip = 0;
	s->delim = 0;
	s->prev_delimited = false;
	s->since_user = USER_WINDOW + 1;
	s->in_rows = s->hot = s->carrying = s->judged_any = false;
	s->typed = 0;
	s->hlen = 0;
	s->carried = CARRIED_NONE;
	s->chunk_buf = s->chunk_lo = NULL;
	s->blocks_nb = 0;
	s->pos = s->judged_end = s->line_start = 0;
	idscan_drop_run(s);
}

int idscan_update(struct idscan *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	s->chunk_buf = buf;
	s->blocks_nb = 0;
	s->chunk_base = s->pos;
	s->pos += len;
	s->carried = CARRIED_NONE;
	if (s->carrying) {
		const char *nl = memchr(p, '\n', len);
		size_t seg = nl != NULL ? (size_t)(nl - p) : len;
		carry_more(s, p, seg);
		if (nl == NULL)
			return s->rc;	/* the line goes on in the next chunk */
		end_carried(s, s->chunk_base + (unsigned long long)(nl - buf));
		p = nl + 1;
	}
	s->chunk_lo = p;
	while (p < end && s->rc == 0) {
		const char *ls = s->hot ? p : find_worth(s, p, end, true);
		if (ls == NULL) {
			/* none left: only the cut last line may go on */
			end_chunk(s, line_start(p, end), end);
			return s->rc;
		}
		const char *nl = memchr(ls, '\n', (size_t)(end - ls));
		if (nl == NULL) {
			end_chunk(s, ls, end);
			return s->rc;
		}
		unsigned long long start = s->chunk_base + (unsigned long long)(ls - buf);
		unsigned lf = LF_UNKNOWN;
		if (!s->hot && (size_t)(nl - ls) <= IDSCAN_LINE_MAX)
			header_lookback(s, SEG_CHUNK, ls, (size_t)(nl - ls), start, &lf);
		judge_at(s, SEG_CHUNK, ls, (size_t)(nl - ls), start,
			 s->chunk_base + (unsigned long long)(nl - buf), lf);
		p = nl + 1;
	}
	end_chunk(s, p < end ? line_start(p, end) : end, end);
	return s->rc;
}

int idscan_finish(struct idscan *s)
{
	if (s->carrying && (s->llen > 0 || s->overlong)) {
		s->chunk_buf = s->chunk_lo = NULL;
		end_carried(s, s->pos);
	}
	idscan_drop_run(s);
	return s->rc;
}
