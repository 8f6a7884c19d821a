/*
 * ipscan_ctx.c - the context rule of the IP scanner: which address-like
 * tokens are version numbers or OIDs, and which form a list.
 *
 * A dotted quad is also how software versions ("Standards-Version
 * 4.6.0.1", "debianutils (>= 4.8.6.3)", "pkg-4.8.6.3") and short OIDs
 * ("attributetype ( 2.5.4.41 NAME", "Subject Alternative Name (2.5.29.17)")
 * are written.  Each such flag is a held mail, so the words around a token
 * may lower it to "not an address" - but only when the token stands alone.
 * Four or more address-like tokens in list form (each alone on its line or
 * in its cell, or joined to the next only by commas, semicolons, blanks or
 * quotes, or a column: on consecutive lines after the same text, as in
 * "version 1.2.3.4" line after line) are a list whatever words surround
 * them: a context rule can never drop a list, so an attacker gains nothing
 * by wrapping one in version words or a forged changelog line.  A cell is
 * what a table or a list writes around one value: CSV, TSV, JSON and
 * markdown separators, HTML and XML tags, a bullet or a number ("1. ",
 * "12) ") before it, a port after it ("133.1.2.3:443"); a column is the
 * same line prefix with numbers and runs of blanks read as one shape
 * ("9. ", "10. ", a time, "IP:\t", "IP:  ") or none at all (the first column of a table).
 *
 * ipscan_ctx_read() reads what the rule needs of one token from the view
 * when the token is parsed (the words before and after it, whether it is
 * alone in its cell, where the list gap before it starts); the list state
 * (ipscan_list_*) then holds back the few tokens whose fate depends on
 * the tokens after them, and reports the rest at once, in stream order.
 *
 * Versions start small: the words and the changelog rule below lower
 * only a token whose first number is at most VERSION_LEAD_MAX (4.6.0.1,
 * 2.5.29.17, 7.13.21.0).  No four-part version that is also a dotted
 * quad starts higher (Chrome's 120.0.6099.109 is no quad), while nine in
 * ten addresses do, so a sender who writes a version word before every
 * address, or a changelog line above prose, hides next to nothing.
 *
 * Suspect contexts (each pinned by a test):
 *  - a version or OID word before the token, directly or through a
 *    connector ("bump to", "Standards-Version:", "policy-version to",
 *    "objectidentifier NAME"), or a version word after it ("2.8.0.3 patch");
 *  - a version comparison before it (">=", "<=", "<<", ">>", "~>");
 *  - a version-shaped token (small numbers) in parentheses right after a
 *    name that is not a host name ("debianutils (4.8.6.3)",
 *    "subjectAltName (2.5.29.17)", not "gw.example.net (133.1.2.3)"), or
 *    after an OID keyword and "(";
 *  - zero padding of another shape than sorted exports' ("3.0.000.115");
 *  - LDAP schema keywords after it ("2.5.4.41 NAME");
 *  - the OID arcs themselves: four-arc X.500 attribute, object class,
 *    matching rule and certificate extension OIDs ("2.5.29.17");
 *  - the token glued to a word by '-' or '_' ("pkg-4.8.6.3", "ip_2a00::1");
 *  - a changelog stream (Debian, RPM or GNU ChangeLog first line): every
 *    token below the first line.
 *
 * Limits: words are read at most CTX_WORD_MAX bytes, the list gap at most
 * CTX_LINK_MAX bytes back from the token (IPSCAN_KEEP keeps that much of
 * the stream), and CTX_RIGHT_MAX bytes after it, so the answer does not
 * depend on how the stream was cut.
 */
#include <string.h>

#include "ipscan_priv.h"

#define CTX_WORD_MAX 64
/* The highest first number of a version or OID the words may lower. */
#define VERSION_LEAD_MAX 29

static inline int lc(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static inline bool alnum(int c)
{
	return c >= 0 && (ipscan_class[c] & IPC_WORD) && c != '_';
}

static inline bool blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Bytes that join the tokens of a list: commas, semicolons, blanks, line
 * breaks and the quotes of CSV and JSON cells. */
static inline bool gap_byte(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' ||
	       c == '"' || c == '\'';
}

/* Bytes that end a cell or a line: also the tags around an HTML or XML
 * cell ("<td>133.1.2.3</td>"). */
static inline bool cell_edge(int c)
{
	return c == VIEW_START || c == VIEW_END || c == '\n' || c == '\r' || c == ',' ||
	       c == ';' || c == '|' || c == '\t' || c == '[' || c == ']' || c == '<' ||
	       c == '>' || c == '{' || c == '}';
}

static inline bool digit(int c)
{
	return c >= '0' && c <= '9';
}

static const char *const version_words[] = {
	"version", "versions", "ver", "vers", "v", "release", "releases", "released", "rel",
	"policy", "standards", "standard", "upgrade", "upgraded", "upgrades", "upgrading",
	"update", "updated", "updates", "updating", "bump", "bumped", "bumps", "bumping",
	"firmware", "fw", "kernel", "build", "revision", "rev", "patch", "patchlevel", NULL,
};

static const char *const oid_words[] = {
	"oid", "oids", "arc", "identifier", "attributetype", "attributetypes", "objectclass",
	"objectclasses", "objectidentifier", "olcattributetypes", "olcobjectclasses",
	"olcobjectidentifier", "ldapsyntax", "ldapsyntaxes", "matchingrule", "matchingrules",
	"syntax", "sup", "equality", "ordering", "substr", NULL,
};

/* Words between a version word and the number ("bump to", "version is"). */
static const char *const connectors[] = {"to", "from", "is", "was", "of", "at", NULL};

/* Words after a number that make it a version. */
static const char *const after_words[] = {
	"patch", "patches", "release", "released", "version", "beta", "alpha", "branch",
	"series", NULL,
};

/* LDAP schema keywords that follow an OID (upper case as written). */
static const char *const ldap_after[] = {"NAME", "DESC", "SUP", "SYNTAX", "EQUALITY", NULL};

/* A word [a, b) of the view read into w (lower case when fold); false when
 * it is empty or longer than CTX_WORD_MAX. */
static bool word_text(struct ipscan_view *v, int64_t a, int64_t b, bool fold, char *w)
{
	if (b <= a || b - a > CTX_WORD_MAX)
		return false;
	for (int64_t i = a; i < b; i++)
		w[i - a] = (char)(fold ? lc(view_at(v, i)) : view_at(v, i));
	w[b - a] = '\0';
	return true;
}

/* Is w[0..n) (no NUL in it) one of the set's words?  Asked for the words
 * around most matches, so no strlen() of every entry: strncmp() stops at
 * the entry's end, where it differs from w. */
static bool in_set(const char *w, size_t n, const char *const *set)
{
	for (size_t k = 0; set[k] != NULL; k++)
		if (set[k][0] == w[0] && strncmp(set[k], w, n) == 0 && set[k][n] == '\0')
			return true;
	return false;
}

/* Is the word, or one of its '-' / '_' parts ("Standards-Version",
 * "policy-version"), in the set? */
static bool word_in(const char *w, const char *const *set)
{
	size_t len = strlen(w);

	if (in_set(w, len, set))
		return true;
	for (const char *p = w; *p != '\0';) {
		size_t n = strcspn(p, "-_");
		if (n > 0 && n < len && in_set(p, n, set))
			return true;
		p += n + (p[n] != '\0');
	}
	return false;
}

/* The word ending before i (after skipping blanks and one ':' or '='):
 * its text in w and its start in *start; false when there is none. */
static bool word_before(struct ipscan_view *v, int64_t i, int64_t lo, char *w, int64_t *start)
{
	int64_t p = i;

	while (p > lo && blank(view_at(v, p - 1)))
		p--;
	if (p > lo && (view_at(v, p - 1) == ':' || view_at(v, p - 1) == '=')) {
		p--;
		while (p > lo && blank(view_at(v, p - 1)))
			p--;
	}
	int64_t e = p;
	while (p > lo && e - p <= CTX_WORD_MAX) {
		int c = view_at(v, p - 1);
		if (!alnum(c) && c != '-' && c != '_' && c != '.')
			break;
		p--;
	}
	if (p < e && ipscan_escape_before(v, p + 1))
		p++;	/* "\nversion": the word starts after the escape */
	*start = p;
	return word_text(v, p, e, true, w);
}

/* May a word before "(token)" be a package or object name?  It has a
 * letter and is not a host name ("gw.example.net (1.2.3.4)" in a
 * traceroute is an address) nor an address ("1.2.3.4 (1.2.3.4)"). */
static bool name_word(const char *w)
{
	const char *dot = strrchr(w, '.');
	bool letter = false;

	for (const char *p = w; *p != '\0'; p++)
		letter |= *p >= 'a' && *p <= 'z';
	if (!letter)
		return false;
	if (dot == NULL || dot[1] == '\0')
		return true;
	for (const char *p = dot + 1; *p != '\0'; p++)
		if (*p < 'a' || *p > 'z')
			return true;	/* "x.509", "python3.11": not a host name */
	return false;
}

/* Zero padding not written the way sorted exports write it (every octet
 * three digits, "010.001.002.003"): "3.0.000.115", "5.13.01.02" are
 * version numbers. */
static bool odd_padding(struct ipscan_view *v, int64_t s, int64_t e)
{
	int octets = 0, three = 0;
	bool padded = false;

	for (int64_t p = s; p < e && octets < 4;) {
		int64_t q = p;
		while (q < e && q - p < 4 && view_at(v, q) >= '0' && view_at(v, q) <= '9')
			q++;
		if (q == p)
			break;
		padded |= q - p > 1 && view_at(v, p) == '0';
		three += q - p == 3;
		octets++;
		if (view_at(v, q) != '.')
			break;
		p = q + 1;
	}
	return padded && three < 4;
}

/* Is the address a four-arc OID of the X.500 directory arcs that LDAP
 * schemas and X.509 write: attribute types 2.5.4, object classes 2.5.6,
 * matching rules 2.5.13, operational attributes 2.5.18, schema 2.5.21,
 * certificate extensions 2.5.29 ("2.5.29.17" is subjectAltName)? */
static bool x500_arc(const struct ipscan_match *m)
{
	const uint8_t *o = m->addr.octet;

	return m->kind == IPSCAN_ADDR && o[0] == 2 && o[1] == 5 &&
	       (o[2] == 4 || o[2] == 6 || o[2] == 13 || o[2] == 18 || o[2] == 21 || o[2] == 29);
}

/* Is the dotted quad at s shaped like a version or a short OID: a small
 * first number and small others ("4.8.6.3", "2.5.29.17"), as no address
 * in "server (203.0.113.2)" is? */
static bool version_shape(struct ipscan_view *v, int64_t s, int64_t e)
{
	unsigned val = 0;
	int k = 0;

	for (int64_t p = s; p <= e && k < 4; p++) {
		int c = view_at(v, p);
		if (p < e && c >= '0' && c <= '9') {
			val = val * 10 + (unsigned)(c - '0');
			continue;
		}
		if (val > (k == 0 ? 29u : 99u))
			return false;
		val = 0;
		k++;
		if (p < e && c != '.')
			return false;
	}
	return k == 4;
}

/* Is the token at [s, e) in a version or OID context? */
static bool suspect_words(struct ipscan_view *v, int64_t s, int64_t e, int64_t lo)
{
	char w1[CTX_WORD_MAX + 1], w2[CTX_WORD_MAX + 1];
	int64_t p = s, w1s, w2s;
	bool paren = false;

	while (p > lo && blank(view_at(v, p - 1)))
		p--;
	int c1 = view_at(v, p - 1), c0 = view_at(v, p - 2);
	if (((c0 == '<' || c0 == '>' || c0 == '~') && c1 == '=') ||
	    ((c0 == '<' || c0 == '>') && c1 == c0) || (c0 == '~' && c1 == '>'))
		return true;	/* "(>= 4.8.6.3)": a version comparison */
	if (c1 == '(') {
		paren = true;
		p--;
	}
	if (!word_before(v, p, lo, w1, &w1s))
		return false;
	if (paren && view_at(v, e) == ')' && !blank(view_at(v, s - 1)) && name_word(w1) &&
	    version_shape(v, s, e))
		return true;	/* "name (4.8.6.3)", "subjectAltName (2.5.29.17)" */
	if (word_in(w1, version_words) || word_in(w1, oid_words))
		return true;
	if (!word_before(v, w1s, lo, w2, &w2s))
		return false;
	if (word_in(w2, oid_words))
		return true;	/* "objectidentifier id-at-role 2.5.4.72" */
	return in_set(w1, strlen(w1), connectors) && word_in(w2, version_words);
}

/* A version word or an LDAP keyword after the token ending at e? */
static bool suspect_after(struct ipscan_view *v, int64_t e)
{
	char w[CTX_WORD_MAX + 1];
	int64_t p = e + 1, q = p;

	if (view_at(v, e) != ' ')
		return false;
	while (q - p < CTX_RIGHT_MAX - 1 && alnum(view_at(v, q)))
		q++;
	int c = view_at(v, q);
	if (alnum(c) || c == VIEW_OVER || !word_text(v, p, q, false, w))
		return false;
	if (in_set(w, strlen(w), ldap_after))
		return true;
	for (char *x = w; *x; x++)
		*x = (char)lc(*x);
	return in_set(w, strlen(w), after_words);
}

/* Does the token ending at e end its cell or line? */
static bool right_alone(struct ipscan_view *v, int64_t e)
{
	int64_t p = e;
	int c;

	while (p - e < CTX_RIGHT_MAX && (blank(c = view_at(v, p)) || c == '"' || c == '\''))
		p++;
	if (p - e == CTX_RIGHT_MAX)
		return blank(view_at(v, e + 1));	/* padding: a fixed-width column ends */
	if (view_at(v, p) == '.')
		p++;	/* a sentence ends with the token */
	else if (p == e && view_at(v, p) == ':' && digit(view_at(v, p + 1)))
		for (p++; p - e < CTX_RIGHT_MAX && digit(view_at(v, p)); p++)
			;	/* a port belongs to the cell: "133.1.2.3:443" */
	c = view_at(v, p);
	if (c == '\\') {
		int n = view_at(v, p + 1);
		return n == 'n' || n == 'N' || n == 'r';	/* an escaped line break */
	}
	return p - e < CTX_RIGHT_MAX && cell_edge(c);
}

/* Is the token at [s, e) alone in its cell or on its line?  A glued word
 * ("host-1.2.3.4") and a list bullet belong to the cell. */
static bool alone(struct ipscan_view *v, int64_t s, int64_t e, int64_t lo, bool glued)
{
	int64_t p = s;
	int c = view_at(v, s - 1);

	if (!glued && cell_edge(c) && cell_edge(view_at(v, e)))
		return true;	/* "\n1.2.3.4," - the common case, settled at once */

	if (glued) {
		while (p > lo && s - p <= CTX_WORD_MAX && !ipscan_escape_before(v, p) &&
		       (alnum(c = view_at(v, p - 1)) || c == '-' || c == '_'))
			p--;
	}
	while (p > lo && (blank(c = view_at(v, p - 1)) || c == '"' || c == '\'' || c >= 0x80))
		p--;
	if (p - 2 > lo && ipscan_escape_before(v, p))
		return right_alone(v, e);	/* "\n133.1.2.3" */
	c = view_at(v, p - 1);
	if ((c == '-' || c == '*' || c == '+') && p - 1 > lo) {
		p--;
		while (p > lo && blank(view_at(v, p - 1)))
			p--;
		c = view_at(v, p - 1);
	} else if ((c == '.' || c == ')') && p - 1 > lo && blank(view_at(v, p))) {
		/* a numbered list: "1. 133.1.2.3", "12) 133.1.2.3" */
		int64_t q = p - 1;
		while (q > lo && p - q <= 4 && digit(view_at(v, q - 1)))
			q--;
		if (q < p - 1 && p - q <= 4) {
			p = q;
			while (p > lo && blank(view_at(v, p - 1)))
				p--;
			c = view_at(v, p - 1);
		}
	}
	if (c == ':' && p < s && p - 2 > lo && view_at(v, p - 2) == '"')
		return right_alone(v, e);	/* a JSON value: "ip":"133.1.2.3" */
	if (p <= lo || !cell_edge(c))
		return false;
	return right_alone(v, e);
}

/* Is a token with context c in list form with the previous token? */
static bool linked(const struct ipscan_list *l, const struct ipscan_ctx *c)
{
	return l->have_prev &&
	       (c->gap_from == l->prev_end || (l->prev_alone && c->alone) || c->column);
}

/* Would a token with context c join a run that is already a list?  Then
 * its own context does not matter and is not read (the bulk of a long
 * list costs no word look-ups). */
static bool joins_list(const struct ipscan_list *l, const struct ipscan_ctx *c)
{
	return l->run >= IPSCAN_LIST_MIN - 1 && linked(l, c);
}

/* The shape hash of the line prefix b[0, n): a number or a run of blanks
 * is one shape ("9. ", "10. ", a time, "IP:\t", "IP:  "). */
static uint64_t prefix_hash(const uint8_t *b, int64_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (int64_t i = 0; i < n; i++) {
		int x = b[i], a = i > 0 ? b[i - 1] : 0;
		if ((digit(x) && digit(a)) || (blank(x) && blank(a)))
			continue;
		h ^= (uint8_t)(digit(x) ? '0' : blank(x) ? ' ' : x);
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The line prefix of a token that is not alone (c->prefix: the text
 * before it on its line, indentation left out), and whether the token
 * continues a column with the previous one: that one is on the line right
 * above, after the same text.  Everything read lies in [lo + 1, s), plain
 * bytes of the view (lo >= -1, and the token at s was read), so it is
 * searched with memrchr() and memchr() rather than byte by byte. */
static void column(struct ipscan_view *v, int64_t s, int64_t lo, const struct ipscan_list *l,
		   struct ipscan_ctx *c)
{
	int64_t ls = s, pe = (int64_t)(l->prev_end - v->base);
	int ch;

	c->prefix = 0;
	c->column = false;
	if (s > v->fast || lo < -1)
		return;	/* cannot happen: the token's own bytes were read */
	if (s > lo + 1) {
		const uint8_t *nl = memrchr(v->p + lo + 1, '\n', (size_t)(s - lo - 1));
		ls = nl != NULL ? nl - v->p + 1 : lo + 1;
	}
	ch = view_at(v, ls - 1);
	if (ch != '\n' && ch != VIEW_START)
		return;	/* a line too long to tell */
	int64_t from = ls;
	while (from < s && blank(v->p[from]))
		from++;	/* indentation is not part of the shape */
	/* an empty prefix is a shape too: the first column of a table */
	c->prefix = prefix_hash(v->p + from, s - from) | 1;
	if (!l->have_prev || l->prev_prefix != c->prefix || ch != '\n' || pe <= lo || pe >= ls)
		return;
	if (memchr(v->p + pe, '\n', (size_t)(ls - 1 - pe)) != NULL)
		return;	/* not the line right above */
	c->column = true;
}

void ipscan_ctx_read(struct ipscan_view *v, int64_t s, int64_t e, const struct ipscan_match *m,
		     bool changelog, const struct ipscan_list *l, struct ipscan_ctx *c)
{
	int64_t lo = s - CTX_LINK_MAX, p = s;
	bool glued = ipscan_glued(v, s);

	if (lo < -1)
		lo = -1;	/* the stream's start is a delimiter */
	c->end = v->base + (uint64_t)e;
	c->alone = alone(v, s, e, lo, glued);
	c->prefix = 0;
	c->column = false;
	if (!c->alone)
		column(v, s, lo, l, c);
	if (glued) {
		/* the glued word is part of the cell: "a, host-1.2.3.4" */
		while (p > lo + 1 && s - p <= CTX_WORD_MAX && !ipscan_escape_before(v, p) &&
		       (alnum(view_at(v, p - 1)) || view_at(v, p - 1) == '-' ||
			view_at(v, p - 1) == '_'))
			p--;
	}
	for (;;) {
		while (p > lo + 1 && p > 0 && gap_byte(view_at(v, p - 1)))
			p--;
		if (p - 2 <= lo + 1 || !ipscan_escape_before(v, p))
			break;
		p -= 2;	/* an escaped line break or tab joins a list too */
	}
	/* a gap that reaches the look-back bound has an unknown start */
	c->gap_from = p > lo + 1 || p == 0 ? v->base + (uint64_t)p : UINT64_MAX;
	c->suspect = false;
	if (joins_list(l, c))
		return;
	/* versions and OIDs are dotted: the words around an IPv6 token never
	 * make it one, glue alone is doubt enough there ("ip_2a00::1"); an
	 * IPv4 token glued to a word is a version only when it starts like
	 * one ("pkg-4.8.6.3"; "host-133.1.2.3" is how hosts are named) */
	if (m->addr.family != IP_V4) {
		c->suspect = glued;
		return;
	}
	c->suspect = x500_arc(m) || odd_padding(v, s, e) ||
		     (m->addr.octet[0] <= VERSION_LEAD_MAX &&
		      (glued || changelog || suspect_words(v, s, e, lo) || suspect_after(v, e)));
}

/* Report one held or new match; non-zero stops the stream. */
static int report(struct ipscan_list *l, const struct ipscan_match *m)
{
	return l->fn(l->arg, m);
}

/* The run of linked tokens ended: a short run loses its suspects. */
static int close_run(struct ipscan_list *l)
{
	int rc = 0;

	for (int k = 0; k < l->npend && rc == 0; k++)
		if (!l->pend_suspect[k])
			rc = report(l, &l->pend[k]);
	l->npend = 0;
	l->run = 0;
	return rc;
}

void ipscan_list_init(struct ipscan_list *l, ipscan_fn *fn, void *arg)
{
	memset(l, 0, sizeof *l);
	l->fn = fn;
	l->arg = arg;
}

int ipscan_list_add(struct ipscan_list *l, const struct ipscan_match *m,
		    const struct ipscan_ctx *c)
{
	int rc = 0;

	if (!linked(l, c) && (rc = close_run(l)) != 0)
		return rc;
	l->have_prev = true;
	l->prev_end = c->end;
	l->prev_alone = c->alone;
	l->prev_prefix = c->prefix;
	l->run++;
	if (l->run >= IPSCAN_LIST_MIN) {
		/* a list: every member counts, whatever its context */
		for (int k = 0; k < l->npend && rc == 0; k++)
			rc = report(l, &l->pend[k]);
		l->npend = 0;
		return rc != 0 ? rc : report(l, m);
	}
	if (l->npend == 0 && !c->suspect)
		return report(l, m);
	l->pend[l->npend] = *m;
	l->pend_suspect[l->npend++] = c->suspect;
	return 0;
}

int ipscan_list_finish(struct ipscan_list *l)
{
	int rc = close_run(l);
	l->have_prev = false;
	return rc;
}

/* Does the first line of a stream say it is a changelog?  Debian
 * ("pkg (1.2-3) unstable; urgency=low"), RPM spec ("* Mon Jan 01 2024
 * Name <mail> - 1.2-3") and GNU ChangeLog ("2024-01-15  Name  <mail>"). */
bool ipscan_changelog_line(const uint8_t *p, size_t n)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	size_t i = 0;

	if (n >= 6 && p[0] == '*' && p[1] == ' ') {
		for (size_t d = 0; d < 21; d += 3)
			if (memcmp(p + 2, days + d, 3) == 0 && p[5] == ' ')
				return true;
		return false;
	}
	if (n >= 12 && p[4] == '-' && p[7] == '-' && p[10] == ' ' && p[11] == ' ') {
		for (int k = 0; k < 10; k++)
			if (k != 4 && k != 7 && (p[k] < '0' || p[k] > '9'))
				return false;
		return true;
	}
	while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
			 p[i] == '.' || p[i] == '+' || p[i] == '-'))
		i++;
	if (i == 0 || i + 2 > n || p[i] != ' ' || p[i + 1] != '(')
		return false;
	for (; i + 8 <= n; i++)
		if (memcmp(p + i, "urgency=", 8) == 0)
			return true;
	return false;
}
