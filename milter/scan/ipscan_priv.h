/*
 * ipscan_priv.h - what the two halves of the IP scanner share: the byte
 * view a token is parsed in (ipscan_token.c), the anchor loop that finds
 * where to parse (ipscan.c), and the plain dotted-quad fast path both use
 * (ipscan_fast_v4(): the anchor loop straight on its buffer, the parser
 * inside its view).  Private to the ipscan module.
 *
 * A view is a window on the stream.  Every read goes through view_at(),
 * which is what makes chunked scanning give the same answer as one-shot
 * scanning: a read past the bytes received so far sets need_more (the
 * caller then waits for more data and retries), a read past the per-token
 * length bound returns VIEW_OVER in every mode (so an overlong token is
 * refused the same way whatever the chunking), and only a finished stream
 * answers VIEW_END, which is a delimiter.
 */
#ifndef GRONDSLAG_IPSCAN_PRIV_H
#define GRONDSLAG_IPSCAN_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "grondslag/base/cpupath.h"
#include "grondslag/scan/ipscan.h"

/* Sentinels view_at() returns instead of a byte. */
#define VIEW_START (-1)	/* before the first byte of the stream: a delimiter */
#define VIEW_END (-2)	/* after the last byte of a finished stream: a delimiter */
#define VIEW_OVER (-3)	/* past the token bound or not received yet: never a delimiter */

/* How far a token parse may look back from its anchor (the back-up over
 * hex digits and colons, then left context and a "hxxps[://]" scheme). */
#define IPSCAN_BACKUP_MAX 64
/* Bytes of the stream kept behind the first unexamined anchor: the token
 * back-up plus the context rule's look-back (ipscan_ctx.c). */
#define IPSCAN_KEEP 256
/* How far a token parse may read forward from its anchor: two defanged
 * IPv6 addresses with embedded IPv4, a spaced dash and right context fit. */
#define IPSCAN_LOOKAHEAD 192

struct ipscan_view {
	const uint8_t *p;	/* byte 0 of the window */
	int64_t fast;		/* min(len, limit): reads in [0, fast) are plain bytes */
	int64_t len;		/* bytes in the window */
	int64_t limit;		/* reads at or past limit give VIEW_OVER */
	uint64_t base;		/* stream offset of p[0] */
	bool final;		/* nothing follows p[len - 1] */
	bool need_more;		/* a read went past len before the end */
};

/* A read outside [0, fast): the sentinel it gets (ipscan_token.c). */
int ipscan_view_edge(struct ipscan_view *v, int64_t i);

/* One byte of the view, or a sentinel; one compare on the hot path. */
static inline int view_at(struct ipscan_view *v, int64_t i)
{
	if ((uint64_t)i < (uint64_t)v->fast)
		return v->p[i];
	return ipscan_view_edge(v, i);
}

/* Set the per-token read bound (INT64_MAX: none). */
static inline void view_limit(struct ipscan_view *v, int64_t limit)
{
	v->limit = limit;
	v->fast = limit < v->len ? limit : v->len;
}

/* What one anchor yields: up to two matches and where scanning resumes. */
struct ipscan_outcome {
	int nmatch;
	struct ipscan_match m[2];
	int64_t start[2], end[2];	/* view indices of each match's text */
	int64_t resume;		/* view index; anchors below it are consumed */
};

/* Character classes (ipscan_token.c). */
enum {
	IPC_DIG = 1,		/* 0-9 */
	IPC_HEX = 2,		/* 0-9 a-f A-F */
	IPC_WORD = 4,		/* 0-9 A-Z a-z _: glues to a token */
	IPC_HEXC = 8,		/* hex digit or ':' */
	IPC_NB = 16,		/* '.' ':' 'd' 'D': may follow a defang bracket */
	IPC_NOT_LEFT = 32,	/* not a plain delimiter before a dotted quad */
	IPC_NOT_RIGHT = 64	/* not a plain delimiter after a dotted quad */
};
extern const uint8_t ipscan_class[256];

/*
 * The plain dotted-quad fast path, shared by the anchor loop (ipscan.c,
 * which calls it straight from its candidate masks) and the parser
 * (ipscan_token.c).  It decides only "a.b.c.d" between plain delimiters,
 * well inside the bytes at hand, where it gives exactly what the general
 * path would; everything else (edges, glue, '/', '-', defang brackets, a
 * spaced dash) is handed on.
 */

/* Bytes that may precede a plain dotted quad without any further look:
 * no word byte, no '.', '-', '+', '~' (glue), no '/', ']' or '[' (a
 * "hxxp://" or "[://]" scheme), no ')' or '}' (a defanged dot).  Bytes
 * that may follow one: no glue, no prefix '/', no range dash or en dash
 * lead byte, no defang bracket; blanks are checked for a spaced range.
 * (IPC_NOT_LEFT / IPC_NOT_RIGHT in the class table.) */
static inline bool ipscan_plain_left(int c)
{
	return !(ipscan_class[c] & (IPC_WORD | IPC_NOT_LEFT));
}

static inline bool ipscan_plain_right(int c)
{
	return !(ipscan_class[c] & (IPC_WORD | IPC_NOT_RIGHT));
}

/* "[a.b.c.d]", the address literal of a Received line: the general path
 * reads the '[' before s only for a defanged scheme, which needs a '/'
 * or ']' right before it ("hxxp://[", "hxxp[://]["); any other byte
 * there leaves the token as plain as after a blank.  s >= 2. */
static inline bool ipscan_bracket_left(const uint8_t *p, int64_t s)
{
	return p[s - 1] == '[' && p[s - 2] != '/' && p[s - 2] != ']';
}

/* One decimal octet at p (4 readable bytes) without branching on the
 * digits: returns its digit count (0 or 4 when not an octet; a value over
 * 255 also gives 0; leading zeros are decimal) and the value in *val. */
static inline int ipscan_swar_octet(const uint8_t *p, unsigned *val)
{
	uint32_t x;
	memcpy(&x, p, 4);
	uint32_t t = x ^ 0x30303030u;
	uint32_t bad = (((t & 0x7f7f7f7fu) + 0x76767676u) | t) & 0x80808080u;
	if (bad == 0)
		return 4;
	int n = __builtin_ctz(bad) >> 3;	/* little-endian: first non-digit */
	if (n == 0)
		return 0;
	/* right-align the n digits in bytes 0..2, zeros shifted in before */
	uint32_t r = t << (8 * (3 - n));
	unsigned v = (r & 0xff) * 100 + ((r >> 8) & 0xff) * 10 + ((r >> 16) & 0xff);
	if (v > 255)
		return 0;
	*val = v;
	return n;
}

/* A plain "a.b.c.d" around the '.' at p[i] (p[0..len) readable, anchors
 * below resume consumed).  True when decided: *m is the match (offset
 * relative to p) and *end the index after the token. */
static inline bool ipscan_fast_v4(const uint8_t *p, int64_t len, int64_t i, int64_t resume,
				  struct ipscan_match *m, int64_t *end)
{
	int64_t s, q;
	uint8_t oct[4];

	if (i < 8 || i + 24 > len)
		return false;	/* near an edge: the general path */
	s = i - ((ipscan_class[p[i - 1]] & IPC_DIG) ? 1 : 0);
	s -= (ipscan_class[p[i - 2]] & IPC_DIG) && s == i - 1 ? 1 : 0;
	s -= (ipscan_class[p[i - 3]] & IPC_DIG) && s == i - 2 ? 1 : 0;
	/* the general path backs up no further than resume; up to s it
	 * backs up just as far as here (the byte before s is checked the
	 * same way by its left_ok()) */
	if (s == i || resume > s || (ipscan_class[p[s - 1]] & IPC_DIG) ||
	    !(ipscan_plain_left(p[s - 1]) || ipscan_bracket_left(p, s)))
		return false;
	q = s;
	for (int k = 0; k < 4; k++) {
		unsigned val = 0;
		int n = ipscan_swar_octet(p + q, &val);
		if (n == 0 || n == 4 || (k < 3 && p[q + n] != '.'))
			return false;
		oct[k] = (uint8_t)val;
		q += n + (k < 3);
	}
	if (!ipscan_plain_right(p[q]))
		return false;
	if (p[q] == ' ' || p[q] == '\t') {
		int64_t b = q;
		while (b - q < 4 && (p[b] == ' ' || p[b] == '\t'))
			b++;
		if (p[b] == '-' || p[b] == 0xe2)
			return false;	/* maybe "a - b" */
	}
	memset(m, 0, sizeof *m);
	m->kind = IPSCAN_ADDR;
	m->addr.family = IP_V4;
	memcpy(m->addr.octet, oct, 4);
	m->offset = (uint64_t)s;
	*end = q;
	return true;
}

/* The twin of ipscan_fast_v4() for dotted numbers that cannot be an
 * address: around the '.' at i a run of digits and dots after the left
 * delimiter ipscan_fast_v4() needs and before a blank, a line end, a
 * comma, a semicolon, a closing parenthesis or a quote (a blank and a
 * dash after it may be a range: left to the general path), with no empty group, ending on a
 * digit, and not of four groups: "0.94.2", "section 4.2", "5.7.1",
 * "1.3.6.1.4.1.311", which the general path rejects whole.  True with
 * *end at the run's end.  Bounds as ipscan_fast_v4(). */
static inline bool ends_dotted_run(int c)
{
	/* bytes after which no token of the general path goes on; not ':'
	 * ("1.2.12345::8.8.8.8" holds an IPv6 token there), nor '/', '-',
	 * '%' or a bracket */
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' ||
	       c == ')' || c == '"' || c == '\'';
}

static inline bool ipscan_fast_not_v4(const uint8_t *p, int64_t len, int64_t i, int64_t resume,
				      int64_t *end)
{
	int64_t s = i, q;
	int groups = 1;

	if (i < 8 || i + 48 > len)
		return false;
	while (s > i - 3 && (ipscan_class[p[s - 1]] & IPC_DIG))
		s--;
	if (s == i || resume > s || (ipscan_class[p[s - 1]] & IPC_DIG) ||
	    !ipscan_plain_left(p[s - 1]))
		return false;
	for (q = i; q < i + 40; q++) {
		if (p[q] == '.') {
			if (p[q - 1] == '.')
				return false;	/* an empty group */
			groups++;
		} else if (!(ipscan_class[p[q]] & IPC_DIG)) {
			break;
		}
	}
	if (q == i + 40 || p[q - 1] == '.' || groups == 4 || !ends_dotted_run(p[q]))
		return false;
	for (int64_t b = q; b - q < 4 && (p[b] == ' ' || p[b] == '\t');) {
		b++;
		if (p[b] == '-' || p[b] == 0xe2)
			return false;	/* maybe "a - b" */
	}
	*end = q;
	return true;
}

/* Parse the token around the anchor at view index i (i is '.', ':', '[',
 * '(' or '{' that passed the anchor test) with scanning resumed at index
 * resume.  Fills out; the caller discards it when v->need_more is set. */
void ipscan_token(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out);

/*
 * The context rule (ipscan_ctx.c): version and OID contexts lower a token
 * that stands alone; four or more tokens in list form always count.
 */

/* How far back from a token its list gap and context words are read;
 * IPSCAN_KEEP covers this plus the token back-up. */
#define CTX_LINK_MAX 160
/* How far after a token the rule reads (the fast paths leave that much
 * room after the tokens they take). */
#define CTX_RIGHT_MAX 10
/* Tokens in list form that make a list. */
#define IPSCAN_LIST_MIN 4

/* What the rule needs of one token, read when it is parsed. */
struct ipscan_ctx {
	bool suspect;		/* a version / OID / glue / changelog context */
	bool alone;		/* alone on its line or in its cell */
	bool column;		/* on the line below the previous token, after the
				 * same text ("version 1.2.3.4\nversion 1.2.3.5") */
	uint64_t prefix;	/* hash of the text before it on its line, 0: none */
	uint64_t gap_from;	/* stream offset where the list gap before it starts */
	uint64_t end;		/* stream offset after its text */
};

/* Is the token at view index s glued to a word by '-' or '_' ("pkg-1.2.3.4",
 * "ip_1.2.3.4")?  A word of digits, or one that ends an address or a
 * prefix before it ("1.2.3.9-1.2.3.1", "::ff-..."), is not one
 * (ipscan_token.c). */
bool ipscan_glued(struct ipscan_view *v, int64_t s);

/* Is the byte before view index s the letter of an escaped line break or
 * tab ("\n133.1.2.3" in a JSON string or an iCalendar value)? */
bool ipscan_escape_before(struct ipscan_view *v, int64_t s);

struct ipscan_list;

/* Read the context of the token m at view indices [s, e); its version / OID
 * context is not read when the token joins a run l already holds as a
 * list. */
void ipscan_ctx_read(struct ipscan_view *v, int64_t s, int64_t e, const struct ipscan_match *m,
		     bool changelog, const struct ipscan_list *l, struct ipscan_ctx *c);

/* Does this first line of a stream make the stream a changelog? */
bool ipscan_changelog_line(const uint8_t *p, size_t n);

/* The list state between the parser and the caller's callback. */
struct ipscan_list {
	ipscan_fn *fn;
	void *arg;
	bool have_prev, prev_alone;
	uint64_t prev_end;
	uint64_t prev_prefix;		/* ipscan_ctx.prefix of the previous token */
	int run;			/* linked tokens in the current run */
	int npend;			/* held: the run is short and holds a suspect */
	struct ipscan_match pend[IPSCAN_LIST_MIN - 1];
	bool pend_suspect[IPSCAN_LIST_MIN - 1];
};

void ipscan_list_init(struct ipscan_list *l, ipscan_fn *fn, void *arg);
/* One parsed token: report it now, hold it, or (later) drop it. */
int ipscan_list_add(struct ipscan_list *l, const struct ipscan_match *m,
		    const struct ipscan_ctx *c);
/* End of stream: settle the held tokens. */
int ipscan_list_finish(struct ipscan_list *l);

/* The bulk of a long list, for the fast paths: a token between plain
 * cell edges ("\n1.2.3.4,") after an alone token of a run that is already
 * a list is reported at once - what ipscan_ctx_read() and
 * ipscan_list_add() would do, without their look-ups.  True when done
 * (*rc: the callback's answer); false: take the general way. */
static inline bool ipscan_list_quick(struct ipscan_list *l, struct ipscan_view *v, int64_t st,
				     int64_t e, const struct ipscan_match *m, int *rc)
{
	int b, a;

	if (!l->have_prev || !l->prev_alone || l->run < IPSCAN_LIST_MIN)
		return false;
	b = view_at(v, st - 1);
	a = view_at(v, e);
	if (!(b == '\n' || b == '\r' || b == ',' || b == ';' || b == '|' || b == '\t') ||
	    !(a == '\n' || a == '\r' || a == ',' || a == ';' || a == '|' || a == '\t'))
		return false;
	l->prev_end = v->base + (uint64_t)e;
	l->prev_prefix = 0;	/* an alone token has no line prefix */
	*rc = l->fn(l->arg, m);
	return true;
}

/* The block loop's instruction set, best first (AVX512: with VBMI;
 * BYTES: no block loop); a test may force one (false when this build or
 * processor lacks it) to compare it with the others.  BEST chooses again
 * from what the processor has. */
enum ipscan_path {
	IPSCAN_PATH_BEST = CPUPATH_BEST,
	IPSCAN_PATH_AVX512 = CPUPATH_AVX512VBMI,
	IPSCAN_PATH_AVX2 = CPUPATH_AVX2,
	IPSCAN_PATH_SSE2 = CPUPATH_SSE2,
	IPSCAN_PATH_BYTES = CPUPATH_BYTES
};
bool ipscan_scan_path(enum ipscan_path want);

#endif
