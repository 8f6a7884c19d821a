/*
 * ipscan_token.c - the bounded hand-written parser behind ipscan.c: given
 * an anchor (a separator byte that the fast loop found between two digits
 * or hex digits), back up to the start of the token, parse it, and decide
 * whether it is an address, a prefix, a range or nothing.
 *
 * The rules (tests/unit/test_ipscan.c holds a case for each):
 *  - IPv4 is a dotted quad of decimal octets 0..255; leading zeros are
 *    decimal ("010.001.002.003" is 10.1.2.3, as sorted exports write it;
 *    the context rule in ipscan_ctx.c lowers other paddings standing alone).
 *  - IPv6 is any RFC 4291 text form; "::" alone, tokens without a decimal
 *    digit and with fewer than three groups ("a::b", "dead::beef", C++
 *    "Foo::add") and eight groups of exactly two hex digits (MAC-like
 *    EUI-64 and Fibre Channel WWNs) are not reported.  A zone id
 *    ("fe80::1%eth0") makes the token not an address.
 *  - A token must not be glued to a word: a letter, digit or '_' on
 *    either side, or a '.', '-', '+', '~' or defanged dot followed (right)
 *    or preceded (left) by one, refuses it.  A word with a letter glued
 *    before by '-' or '_' ("host-1.2.3.4", "ip_1.2.3.4") is the exception:
 *    such a token is parsed and the context rule decides.  So "v2.1.1.108", "1.2.3.4-1",
 *    "1.2.3.4.5", "abc1.2.3.4" and every sub-run of an OID are refused,
 *    while sentence punctuation ("see 8.8.8.8.") and ports are fine.
 *    "label:" glued before an address ("src:8.8.8.8", "IPv6:2001:db8::1")
 *    is a delimiter, and so is an escaped line break or tab ("\n", "\N",
 *    "\r", "\t" as JSON strings and iCalendar values write them).
 *  - "/len" after an address makes a prefix (host bits cleared) when len is
 *    0..32 or 0..128 without leading zeros; an IPv4 netmask "/255.255.0.0"
 *    too.  Any other "/..." leaves the address alone ("1.2.3.4/33" is the
 *    address 1.2.3.4: the text is a path or a typo, the address is real).
 *  - "a-b", also with up to four blanks around '-' or an en dash, is a
 *    range when both ends parse, are of one family and a <= b; otherwise
 *    both ends are reported as addresses.  "a.b.c.d-e" is the range
 *    a.b.c.d .. a.b.c.e when d < e <= 255 ("1.2.3.4-1" is a revision).
 *  - Defanged separators "[.]" "(.)" "{.}" "[dot]" "(dot)" "{dot}" (any
 *    case), "[:]" "[::]", and a "hxxp://" / "hxxps://" / "http[:]//"
 *    scheme before the address set match->defanged.
 *
 * Every read goes through view_at(), bounded by IPSCAN_BACKUP_MAX behind
 * and IPSCAN_LOOKAHEAD ahead of the anchor.
 */
#include <string.h>

#include "ipscan_priv.h"

#define D (IPC_DIG | IPC_HEX | IPC_WORD | IPC_HEXC)
#define H (IPC_HEX | IPC_WORD | IPC_HEXC)
#define W IPC_WORD
const uint8_t ipscan_class[256] = {
	['0'] = D, ['1'] = D, ['2'] = D, ['3'] = D, ['4'] = D,
	['5'] = D, ['6'] = D, ['7'] = D, ['8'] = D, ['9'] = D,
	['a'] = H, ['b'] = H, ['c'] = H, ['d'] = H | IPC_NB, ['e'] = H, ['f'] = H,
	['A'] = H, ['B'] = H, ['C'] = H, ['D'] = H | IPC_NB, ['E'] = H, ['F'] = H,
	['g'] = W, ['h'] = W, ['i'] = W, ['j'] = W, ['k'] = W, ['l'] = W, ['m'] = W,
	['n'] = W, ['o'] = W, ['p'] = W, ['q'] = W, ['r'] = W, ['s'] = W, ['t'] = W,
	['u'] = W, ['v'] = W, ['w'] = W, ['x'] = W, ['y'] = W, ['z'] = W,
	['G'] = W, ['H'] = W, ['I'] = W, ['J'] = W, ['K'] = W, ['L'] = W, ['M'] = W,
	['N'] = W, ['O'] = W, ['P'] = W, ['Q'] = W, ['R'] = W, ['S'] = W, ['T'] = W,
	['U'] = W, ['V'] = W, ['W'] = W, ['X'] = W, ['Y'] = W, ['Z'] = W,
	['_'] = W, [':'] = IPC_HEXC | IPC_NB, ['.'] = IPC_NB | IPC_NOT_LEFT | IPC_NOT_RIGHT,
	['-'] = IPC_NOT_LEFT | IPC_NOT_RIGHT, ['+'] = IPC_NOT_LEFT | IPC_NOT_RIGHT,
	['~'] = IPC_NOT_LEFT | IPC_NOT_RIGHT, ['/'] = IPC_NOT_LEFT | IPC_NOT_RIGHT,
	['['] = IPC_NOT_LEFT | IPC_NOT_RIGHT, [']'] = IPC_NOT_LEFT, [')'] = IPC_NOT_LEFT,
	['}'] = IPC_NOT_LEFT, ['('] = IPC_NOT_RIGHT, ['{'] = IPC_NOT_RIGHT, [0xe2] = IPC_NOT_RIGHT,
};
#undef D
#undef H
#undef W

int ipscan_view_edge(struct ipscan_view *v, int64_t i)
{
	if (i < 0)
		return VIEW_START;
	if (i >= v->limit)
		return VIEW_OVER;
	if (i >= v->len) {
		if (v->final)
			return VIEW_END;
		v->need_more = true;
		return VIEW_OVER;
	}
	return v->p[i];
}

/* A parsed address and where its text ends. */
struct tok {
	struct ip_addr addr;
	int64_t end;
	bool defanged;
};

/* Class bits of a view_at() value (sentinels have none). */
static inline unsigned cls(int c)
{
	return c >= 0 ? ipscan_class[c] : 0;
}

static inline bool is_dig(int c)
{
	return cls(c) & IPC_DIG;
}

static inline bool is_hex(int c)
{
	return cls(c) & IPC_HEX;
}

/* A byte that glues to a token: word characters, and VIEW_OVER (an
 * overlong or unfinished token is never delimited). */
static inline bool is_word(int c)
{
	return c == VIEW_OVER || (cls(c) & IPC_WORD);
}

static inline int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Length of an IPv4 separator at i: "." or a defanged dot; 0 if none. */
static int v4_sep(struct ipscan_view *v, int64_t i, bool *def)
{
	int c = view_at(v, i), close;

	if (c == '.')
		return 1;
	if (c == '[')
		close = ']';
	else if (c == '(')
		close = ')';
	else if (c == '{')
		close = '}';
	else
		return 0;
	int c1 = view_at(v, i + 1);
	if (c1 == '.' && view_at(v, i + 2) == close) {
		*def = true;
		return 3;
	}
	if (lower(c1) == 'd' && lower(view_at(v, i + 2)) == 'o' && lower(view_at(v, i + 3)) == 't' &&
	    view_at(v, i + 4) == close) {
		*def = true;
		return 5;
	}
	return 0;
}

/* One IPv6 colon unit at i: ":" (1 colon), "[:]" (1) or "[::]" (2).
 * Returns its length; *n gets the number of colons. */
static int v6_unit(struct ipscan_view *v, int64_t i, int *n, bool *def)
{
	int c = view_at(v, i);

	*n = 0;
	if (c == ':') {
		*n = 1;
		return 1;
	}
	if (c != '[' || view_at(v, i + 1) != ':')
		return 0;
	if (view_at(v, i + 2) == ']') {
		*def = true;
		*n = 1;
		return 3;
	}
	if (view_at(v, i + 2) == ':' && view_at(v, i + 3) == ']') {
		*def = true;
		*n = 2;
		return 4;
	}
	return 0;
}

/* An IPv6 separator at i: one or two colons in any spelling.  Returns its
 * length; *n gets 1 (":") or 2 ("::"), 0 when there is none. */
static int v6_sep(struct ipscan_view *v, int64_t i, int *n, bool *def)
{
	int n1, n2;
	bool d = false;
	int len = v6_unit(v, i, &n1, &d);

	*n = n1;
	if (n1 == 1) {
		int len2 = v6_unit(v, i + len, &n2, &d);
		if (n2 == 1) {
			*n = 2;
			len += len2;
		}
	}
	if (*n > 0 && d)
		*def = true;
	return *n > 0 ? len : 0;
}

/* Parse a dotted quad at s. */
static bool parse_v4(struct ipscan_view *v, int64_t s, struct tok *t)
{
	int64_t p = s;

	memset(&t->addr, 0, sizeof t->addr);
	t->addr.family = IP_V4;
	t->defanged = false;
	for (int k = 0; k < 4; k++) {
		if (k > 0) {
			int len = v4_sep(v, p, &t->defanged);
			if (len == 0)
				return false;
			p += len;
		}
		int n = 0;
		unsigned val = 0;
		while (n < 4 && is_dig(view_at(v, p))) {
			val = val * 10 + (unsigned)(view_at(v, p) - '0');
			p++;
			n++;
		}
		if (n == 0 || n > 3 || val > 255)
			return false;	/* "010" is ten: sorted exports pad octets */
		t->addr.octet[k] = (uint8_t)val;
	}
	t->end = p;
	return true;
}

/* Store groups g[0..n) with "::" at dc (or -1) into the address. */
static void v6_fill(struct ip_addr *a, const uint16_t *g, int n, int dc)
{
	int tail = dc < 0 ? 0 : n - dc;

	memset(a, 0, sizeof *a);
	a->family = IP_V6;
	for (int k = 0; k < n; k++) {
		int at = k < n - tail ? k : 8 - tail + (k - (n - tail));
		a->octet[2 * at] = (uint8_t)(g[k] >> 8);
		a->octet[2 * at + 1] = (uint8_t)g[k];
	}
}

/* Parse RFC 4291 text at s.  *colon_end gets the index after the last
 * colon consumed (s when none); the caller resumes there on failure so
 * that a dotted tail ("abc:8.8.8.8") is still looked at on its own. */
static bool parse_v6(struct ipscan_view *v, int64_t s, struct tok *t, int64_t *colon_end)
{
	uint16_t g[8];
	int n = 0, dc = -1, nc;
	bool digit = false, all_two = true, v4tail = false;
	int64_t p = s, single_at = -1;

	*colon_end = s;
	t->defanged = false;
	int len = v6_sep(v, p, &nc, &t->defanged);
	if (nc == 1)
		return false;
	if (nc == 2) {
		dc = 0;
		p += len;
		*colon_end = p;
	}
	for (;;) {
		int64_t q = p;
		unsigned val = 0;
		bool letters = false, digits = false;
		while (q - p < 5 && is_hex(view_at(v, q))) {
			int c = lower(view_at(v, q));
			letters |= c >= 'a';
			digits |= c <= '9';
			val = val * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
			q++;
		}
		if (q == p) {
			if (single_at >= 0)
				p = single_at;	/* "2001:db8::1:" ends before the ':' */
			break;
		}
		if (q - p > 4)
			return false;
		bool dummy = false;
		struct tok t4;
		if (!letters && v4_sep(v, q, &dummy) > 0 && parse_v4(v, p, &t4)) {
			if (n > 6)
				return false;
			g[n++] = (uint16_t)(t4.addr.octet[0] << 8 | t4.addr.octet[1]);
			g[n++] = (uint16_t)(t4.addr.octet[2] << 8 | t4.addr.octet[3]);
			t->defanged |= t4.defanged;
			p = t4.end;
			digit = v4tail = true;
			break;
		}
		g[n++] = (uint16_t)val;
		digit |= digits;
		all_two &= q - p == 2;
		p = q;
		single_at = -1;
		if (n == 8)
			break;
		len = v6_sep(v, p, &nc, &t->defanged);
		if (nc == 0)
			break;
		if (nc == 2) {
			if (dc >= 0)
				return false;
			dc = n;
		} else {
			single_at = p;
		}
		p += len;
		*colon_end = p;
	}
	if ((dc < 0 && n != 8) || (dc >= 0 && n > 7) || n == 0)
		return false;
	if (!digit && n < 3)
		return false;	/* "a::b", "dead::beef", "Face::Add" */
	if (dc < 0 && all_two && !v4tail)
		return false;	/* EUI-64 / WWN "20:00:00:25:b5:00:00:0f" */
	v6_fill(&t->addr, g, n, dc);
	t->end = p;
	return true;
}

/* End of the run of hex groups and colons at s, stopping before a
 * decimal group that starts a dotted tail: after a token that is not IPv6
 * ("1:2:3:4:5:6:7:8:9", "2001:db8::1::2") scanning resumes there, so no
 * piece of it is taken for an address, while "abc:8.8.8.8" still yields
 * the dotted quad. */
static int64_t v6_run_end(struct ipscan_view *v, int64_t s)
{
	int64_t p = s;
	int nc;
	bool d = false;

	for (int k = 0; k < 40; k++) {
		int64_t q = p;
		bool letters = false;
		while (q - p < IPSCAN_LOOKAHEAD && is_hex(view_at(v, q))) {
			letters |= !is_dig(view_at(v, q));
			q++;
		}
		if (q > p && !letters && v4_sep(v, q, &d) > 0)
			return p;
		p = q;
		int len = v6_sep(v, p, &nc, &d);
		if (len == 0)
			return p;
		p += len;
	}
	return p;
}

/* May the token end at e (the byte at e is the first after it)? */
static bool right_ok(struct ipscan_view *v, int64_t e, int family)
{
	int c = view_at(v, e);
	bool d = false;
	int len;

	if (c == VIEW_END)
		return true;
	if (is_word(c))
		return false;
	if (family == IP_V6) {
		int nc;
		if (c == '%')
			return false;	/* zone id: not an address at all */
		len = v6_sep(v, e, &nc, &d);
		if (len > 0) {
			int n = view_at(v, e + len);
			return !is_hex(n) && n != ':' && n != VIEW_OVER;
		}
	}
	if (c == '-' || c == '+' || c == '~' || c == '.')
		return !is_word(view_at(v, e + 1));
	len = v4_sep(v, e, &d);
	if (len > 0)
		return !is_word(view_at(v, e + len));
	return true;
}

bool ipscan_escape_before(struct ipscan_view *v, int64_t s)
{
	int c = view_at(v, s - 1);
	return (c == 'n' || c == 'N' || c == 'r' || c == 't') && view_at(v, s - 2) == '\\' &&
	       view_at(v, s - 3) != '\\';
}

bool ipscan_glued(struct ipscan_view *v, int64_t s)
{
	int c = view_at(v, s - 1);
	int64_t q = s - 2;
	bool letter = false;

	if (c != '-' && c != '_')
		return false;
	while (s - q <= 34 && (is_word(c = view_at(v, q))) && c != '_' && c != VIEW_OVER) {
		letter |= !is_dig(c);
		q--;
	}
	c = view_at(v, q);
	return letter && c != '.' && c != ':' && c != '/' && c != VIEW_OVER;
}

/* May a token start at s (looking at what precedes it)? */
static bool left_ok(struct ipscan_view *v, int64_t s)
{
	int c = view_at(v, s - 1);

	if (c == VIEW_START)
		return true;
	if (ipscan_glued(v, s))
		return true;	/* "host-1.2.3.4", "ip_1.2.3.4": the context rule decides */
	if (ipscan_escape_before(v, s))
		return true;	/* JSON / iCalendar "\n133.1.2.3": a line break */
	if (is_word(c))
		return false;
	if (c == '.' || c == '-' || c == '+' || c == '~')
		return !is_word(view_at(v, s - 2));
	if (c == ']' || c == ')' || c == '}') {
		/* a defanged dot glued to a number: "1[.]2.3.4.5" sub-runs */
		bool d = false;
		if (v4_sep(v, s - 3, &d) == 3)
			return !is_word(view_at(v, s - 4));
		if (v4_sep(v, s - 5, &d) == 5)
			return !is_word(view_at(v, s - 6));
	}
	return true;
}

/* Does a defanged URL scheme ("hxxp://", "hxxps[:]//", "http[://]")
 * precede the token at s? */
static bool hxxp_before(struct ipscan_view *v, int64_t s)
{
	int64_t t = s;
	bool bracketed = false;

	if (view_at(v, t - 1) == '[')
		t--;
	if (view_at(v, t - 1) == '/' && view_at(v, t - 2) == '/' && view_at(v, t - 3) == ':') {
		t -= 3;
	} else if (view_at(v, t - 1) == '/' && view_at(v, t - 2) == '/' && view_at(v, t - 3) == ']' &&
		   view_at(v, t - 4) == ':' && view_at(v, t - 5) == '[') {
		t -= 5;
		bracketed = true;
	} else if (view_at(v, t - 1) == ']' && view_at(v, t - 2) == '/' && view_at(v, t - 3) == '/' &&
		   view_at(v, t - 4) == ':' && view_at(v, t - 5) == '[') {
		t -= 5;
		bracketed = true;
	} else {
		return false;
	}
	if (lower(view_at(v, t - 1)) == 's')
		t--;
	int h = lower(view_at(v, t - 4)), a = lower(view_at(v, t - 3));
	int b = lower(view_at(v, t - 2)), p = lower(view_at(v, t - 1));
	if (h != 'h' || p != 'p' || (a != 't' && a != 'x') || (b != 't' && b != 'x'))
		return false;
	return bracketed || a == 'x' || b == 'x';
}

/* Parse an address of either family at s (the far end of a range). */
static bool parse_any(struct ipscan_view *v, int64_t s, struct tok *t)
{
	int64_t q = s, ce;
	int nc;
	bool d = false;

	while (q - s < 5 && is_hex(view_at(v, q)))
		q++;
	if (v6_sep(v, q, &nc, &d) > 0)
		return parse_v6(v, s, t, &ce);
	return parse_v4(v, s, t);
}

/* After an address ending at e: " - b" or "-b"; fills b on success. */
static bool parse_range_end(struct ipscan_view *v, int64_t e, struct tok *b, int64_t *bs)
{
	int64_t p = e;
	int sp = 0;

	while (sp < 4 && (view_at(v, p) == ' ' || view_at(v, p) == '\t'))
		p++, sp++;
	if (view_at(v, p) == '-')
		p++;
	else if (view_at(v, p) == 0xe2 && view_at(v, p + 1) == 0x80 && view_at(v, p + 2) == 0x93)
		p += 3;	/* U+2013 EN DASH */
	else
		return false;
	sp = 0;
	while (sp < 4 && (view_at(v, p) == ' ' || view_at(v, p) == '\t'))
		p++, sp++;
	*bs = p;
	return parse_any(v, p, b) && right_ok(v, b->end, b->addr.family);
}

/* "/len" or "/netmask" after an address ending at e; returns the prefix
 * length (-1 if none) and sets *end. */
static int parse_prefix(struct ipscan_view *v, struct tok *a, int64_t *end)
{
	int64_t p = a->end + 1;
	int bits = a->addr.family == IP_V4 ? 32 : 128, n = 0, first = view_at(v, p);
	unsigned len = 0;

	while (n < 4 && is_dig(view_at(v, p))) {
		len = len * 10 + (unsigned)(view_at(v, p) - '0');
		p++;
		n++;
	}
	if (n == 0)
		return -1;
	struct tok m;
	if (a->addr.family == IP_V4 && v4_sep(v, p, &(bool){false}) > 0 &&
	    parse_v4(v, a->end + 1, &m)) {
		if (!right_ok(v, m.end, IP_V4))
			return -1;
		uint32_t x = (uint32_t)m.addr.octet[0] << 24 | (uint32_t)m.addr.octet[1] << 16 |
			     (uint32_t)m.addr.octet[2] << 8 | m.addr.octet[3];
		if (x != 0 && (~x & (~x + 1)) != 0)
			return -1;	/* not contiguous ones then zeros */
		int ones = 0;
		while (ones < 32 && (x & (0x80000000u >> ones)))
			ones++;
		a->defanged |= m.defanged;
		*end = m.end;
		return ones;
	}
	if (n > 3 || len > (unsigned)bits || (n > 1 && first == '0'))
		return -1;
	/* "a/24-b/24" (a range of prefixes) keeps the first prefix */
	if (!right_ok(v, p, a->addr.family) && view_at(v, p) != '-')
		return -1;
	*end = p;
	return (int)len;
}

/* "a.b.c.d-e" after a dotted quad: the addresses a.b.c.d .. a.b.c.e,
 * when e is a decimal octet above d ("1.2.3.4-1" and "1.2.3.1-1" are Debian
 * revisions, not ranges).  Fills b with the last address. */
static bool last_octet_range(struct ipscan_view *v, const struct tok *a, struct tok *b)
{
	int64_t p = a->end + 1;
	unsigned val = 0;
	int n = 0;

	if (a->addr.family != IP_V4 || view_at(v, a->end) != '-')
		return false;
	while (n < 4 && is_dig(view_at(v, p + n))) {
		val = val * 10 + (unsigned)(view_at(v, p + n) - '0');
		n++;
	}
	if (n == 0 || n > 3 || val > 255 || val <= a->addr.octet[3] ||
	    !right_ok(v, p + n, IP_V4))
		return false;
	*b = *a;
	b->addr.octet[3] = (uint8_t)val;
	b->end = p + n;
	return true;
}

/* Clear the bits of a past len. */
static void clear_host(struct ip_addr *a, int len)
{
	int bits = a->family == IP_V4 ? 32 : 128;
	for (int i = len; i < bits; i++)
		a->octet[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* Add one match to the outcome. */
static void emit(struct ipscan_view *v, struct ipscan_outcome *out, enum ipscan_kind kind,
		 const struct tok *a, int64_t s, int64_t e, bool defanged)
{
	out->start[out->nmatch] = s;
	out->end[out->nmatch] = e;
	struct ipscan_match *m = &out->m[out->nmatch++];

	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->addr = a->addr;
	m->defanged = defanged || a->defanged;
	m->offset = v->base + (uint64_t)s;
}

/* The address a at s parsed: look for a prefix or range after it, check
 * the right edge, and fill the outcome. */
static void finish(struct ipscan_view *v, int64_t s, struct tok *a, struct ipscan_outcome *out)
{
	bool hx = hxxp_before(v, s);
	int64_t end;
	struct tok b;
	int64_t bs;

	if (view_at(v, a->end) == '/') {
		int len = parse_prefix(v, a, &end);
		if (len >= 0) {
			clear_host(&a->addr, len);
			emit(v, out, IPSCAN_PREFIX, a, s, end, hx);
			out->m[0].prefixlen = (uint8_t)len;
			out->resume = end;
			return;
		}
	} else if (parse_range_end(v, a->end, &b, &bs)) {
		if (a->addr.family == b.addr.family && ip_addr_cmp(&a->addr, &b.addr) <= 0) {
			emit(v, out, IPSCAN_RANGE, a, s, b.end, hx || b.defanged);
			out->m[0].end = b.addr;
		} else {
			emit(v, out, IPSCAN_ADDR, a, s, a->end, hx);
			emit(v, out, IPSCAN_ADDR, &b, bs, b.end, false);
		}
		out->resume = b.end;
		return;
	} else if (last_octet_range(v, a, &b)) {
		emit(v, out, IPSCAN_RANGE, a, s, b.end, hx);
		out->m[0].end = b.addr;
		out->resume = b.end;
		return;
	}
	out->resume = a->end;
	if (right_ok(v, a->end, a->addr.family))
		emit(v, out, IPSCAN_ADDR, a, s, a->end, hx);
}

/* An IPv4 anchor: back up over the first octet and parse a dotted quad. */
static void token_v4(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out)
{
	int64_t s = i;
	struct tok a;

	while (s > resume && i - s < 4 && is_dig(view_at(v, s - 1)))
		s--;
	if (s == i || i - s > 3 || !left_ok(v, s) || !parse_v4(v, s, &a))
		return;
	finish(v, s, &a, out);
}

/* An IPv6 anchor: back up over hex digits and colons, step over a glued
 * "label:", and parse. */
static void token_v6(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out)
{
	int64_t s = i, floor = i - IPSCAN_BACKUP_MAX, ce;
	int nc;
	bool d = false;
	struct tok a;

	if (floor < resume)
		floor = resume;
	for (;;) {
		int c = view_at(v, s - 1);
		if (s > floor && (is_hex(c) || c == ':')) {
			s--;
		} else if (s - 3 >= floor && c == ']' && view_at(v, s - 2) == ':' &&
			   view_at(v, s - 3) == '[') {
			s -= 3;
		} else {
			if (s <= i - IPSCAN_BACKUP_MAX + 2 && (is_hex(c) || c == ':' || c == ']'))
				return;	/* a hex run too long to be one address */
			break;
		}
	}
	int len = v6_sep(v, s, &nc, &d);
	if (nc == 1) {
		s += len;	/* a lone ':' before the address is a delimiter */
	} else if (nc == 0 && is_word(view_at(v, s - 1)) && view_at(v, s - 1) != '_' &&
		   !ipscan_escape_before(v, s)) {
		/* "src:", "IPv6:" glued before: skip the label and its colon */
		while (s <= i && is_hex(view_at(v, s)))
			s++;
		len = v6_sep(v, s, &nc, &d);
		if (nc != 1)
			return;
		s += len;
	}
	if (!parse_v6(v, s, &a, &ce)) {
		ce = v6_run_end(v, s);
		if (ce > out->resume)
			out->resume = ce;
		return;
	}
	if (!left_ok(v, s)) {
		out->resume = a.end;
		return;
	}
	finish(v, s, &a, out);
}

/*
 * Fast paths.  Each decides only cases where it gives exactly what the
 * general path would (the tests run every row through both, chunked and
 * whole), and hands everything else on.
 */

/* A plain "a.b.c.d" between plain delimiters (ipscan_fast_v4() in
 * ipscan_priv.h); true when decided. */
static bool fast_v4(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out)
{
	int64_t end;

	if (!ipscan_fast_v4(v->p, v->fast, i, resume, &out->m[0], &end))
		return false;
	out->start[0] = (int64_t)out->m[0].offset;
	out->end[0] = end;
	out->m[0].offset += v->base;
	out->nmatch = 1;
	out->resume = end;
	return true;
}

/* A ':' anchor in a run of hex digits and colons that cannot hold an IPv6
 * address: fewer than six colons and no "::" ("font-size:14px",
 * "12:30:45").  True when decided (nothing found). */
static bool fast_not_v6(struct ipscan_view *v, int64_t i)
{
	int64_t j = i, k = i + 1;
	int colons = 1, c;

	/* one pass each way, leaving as soon as a "::" shows up */
	while (i - j < 40 && (is_hex(c = view_at(v, j - 1)) || c == ':')) {
		if (c == ':' && view_at(v, j) == ':')
			return false;
		colons += c == ':';
		j--;
	}
	while (k - i < 40 && (is_hex(c = view_at(v, k)) || c == ':')) {
		if (c == ':' && view_at(v, k - 1) == ':')
			return false;
		colons += c == ':';
		k++;
	}
	int before = view_at(v, j - 1), after = view_at(v, k);
	if (i - j >= 40 || k - i >= 40 || before == ']' || after == '[' || after == '(' ||
	    after == '{' || after == '.' || after == VIEW_OVER)
		return false;
	return colons < 6;
}

void ipscan_token(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out)
{
	int c = view_at(v, i);

	out->nmatch = 0;
	out->resume = i + 1;
	if (c == '.' && fast_v4(v, i, resume, out))
		return;
	if (c == ':' && fast_not_v6(v, i))
		return;
	if (c == ':' || (c != '.' && view_at(v, i + 1) == ':'))
		token_v6(v, i, resume, out);
	else
		token_v4(v, i, resume, out);
	if (out->resume <= i)
		out->resume = i + 1;
}
