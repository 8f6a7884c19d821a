/*
 * idscan.c - e-mail addresses, host names and credential rows in list
 * form (see idscan.h for the rule).
 *
 * Each line is judged whole: a mail header line, a signature delimiter, a
 * labelled line ("Hostname: x"), a delimited row (CSV, with or without a
 * header naming its columns) or a blank-separated line.  Values of list lines wait in a
 * small pending store until the run of list lines is long enough; a prose
 * line drops them.  Named columns and defanged values need no run: the
 * name or the defanging already says what the value is.
 *
 * Which lines are judged, and how a stream is cut into them, is
 * idscan_stream.c's; recognising values is idscan_value.c's, incident
 * formats idscan_format.c's.  No allocation after alloc.
 *
 * Public functions (idscan_priv.h): idscan_judge_line, idscan_drop_run,
 * idscan_line_flags.
 *
 * Known gaps: a headerless CSV row counts only when every cell is a value
 * (or it is an address,password row); "hxxp://host" with no bracketed
 * defanging counts only at the head of its line or cell.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idscan_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif


/* ---- emitting ------------------------------------------------------- */

static void emit(struct idscan *s, const struct val *v, bool labelled)
{
	if (s->rc != 0)
		return;
	/* the hrefs of a newsletter come out of HTML one after another:
	 * there a plain link names no victim, a defanged one does */
	if (s->markup && v->url && !v->defanged && !labelled)
		return;
	struct idscan_match m = {0};
	m.kind = v->kind;
	m.defanged = v->defanged;
	m.labelled = labelled;
	if (v->kind != IDSCAN_CREDENTIAL) {
		m.value = v->text;
		m.len = v->len;
		m.domain = v->text + v->doff;
		m.dlen = v->len - v->doff;
	}
	s->rc = s->cb(s->arg, &m);
}

void idscan_drop_run(struct idscan *s)
{
	s->run = 0;
	s->npend = 0;
}

/* Add a value of the current line (list candidates). */
static struct val *cur_next(struct idscan *s)
{
	return s->ncur < LINE_VALS_MAX ? &s->cur[s->ncur] : NULL;
}

static void cur_credential(struct idscan *s)
{
	struct val *v = cur_next(s);
	if (v == NULL)
		return;
	memset(v, 0, sizeof *v);
	v->kind = IDSCAN_CREDENTIAL;
	s->ncur++;
}

/* The line's candidates are a list line: count it in the run, and hand
 * out what the run now proves. */
static void list_line(struct idscan *s)
{
	/* items: values, or credentials where they name no address
	 * ("admin:pw1 root:pw2 bob:pw3" is three) */
	size_t values = 0, creds = 0;
	for (size_t i = 0; i < s->ncur; i++) {
		values += s->cur[i].kind != IDSCAN_CREDENTIAL;
		creds += s->cur[i].kind == IDSCAN_CREDENTIAL;
	}
	s->run++;
	if (s->run >= IDSCAN_RUN_LINES || values >= IDSCAN_RUN_LINES || creds >= IDSCAN_RUN_LINES) {
		for (size_t i = 0; i < s->npend; i++)
			emit(s, &s->pend[i], false);
		s->npend = 0;
		for (size_t i = 0; i < s->ncur; i++)
			emit(s, &s->cur[i], false);
		return;
	}
	/* a defanged value counts on its own, on a list line as in prose */
	for (size_t i = 0; i < s->ncur; i++) {
		if (s->cur[i].defanged)
			emit(s, &s->cur[i], false);
		else if (s->npend < PENDING_MAX)
			s->pend[s->npend++] = s->cur[i];
	}
}

/* ---- line kinds ----------------------------------------------------- */


/* What one pass over a judged line finds (struct idscan lflags). */
static const unsigned char lf_class[256] = {
	['@'] = LF_AT,	   [','] = LF_DELIM,  [';'] = LF_DELIM,	 ['\t'] = LF_DELIM, ['|'] = LF_DELIM,
	['['] = LF_DEFANG, ['('] = LF_DEFANG, ['{'] = LF_DEFANG, ['x'] = LF_DEFANG, ['X'] = LF_DEFANG,
};

unsigned idscan_line_flags(const char *p, size_t n)
{
	unsigned f = 0;
	size_t i = 0;
#ifdef __SSE2__
	/* sixteen bytes a step; a flag once seen is not looked for again */
	while (i + 16 <= n && f != (LF_AT | LF_DELIM | LF_DEFANG)) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
#define EQ(c) _mm_cmpeq_epi8(b, _mm_set1_epi8(c))
		__m128i at = EQ('@');
		__m128i de = _mm_or_si128(_mm_or_si128(EQ(','), EQ(';')), _mm_or_si128(EQ('\t'), EQ('|')));
		__m128i df = _mm_or_si128(_mm_or_si128(EQ('['), EQ('(')),
					  _mm_or_si128(EQ('{'), EQ('x') | EQ('X')));
#undef EQ
		f |= (_mm_movemask_epi8(at) ? LF_AT : 0u) | (_mm_movemask_epi8(de) ? LF_DELIM : 0u) |
		     (_mm_movemask_epi8(df) ? LF_DEFANG : 0u);
		i += 16;
	}
	if (f == (LF_AT | LF_DELIM | LF_DEFANG))
		return f;
#endif
	for (; i < n; i++)
		f |= lf_class[(unsigned char)p[i]];
	return f;
}

/* Separator classes, one table load per byte (strchr would also take a
 * NUL byte for a separator). */
enum { SEP_BLANK = 1, SEP_LIST = 2, SEP_DEFANG = 4 };
static const unsigned char sep_class[256] = {
	[' '] = SEP_BLANK | SEP_LIST | SEP_DEFANG, ['\t'] = SEP_BLANK | SEP_LIST | SEP_DEFANG,
	[','] = SEP_LIST | SEP_DEFANG,		     [';'] = SEP_LIST | SEP_DEFANG,
	['|'] = SEP_LIST | SEP_DEFANG,		     ['<'] = SEP_DEFANG,
	['>'] = SEP_DEFANG,			     ['"'] = SEP_DEFANG,
	['\''] = SEP_DEFANG,
};

static bool is_sep(char c, unsigned cls)
{
	return (sep_class[(unsigned char)c] & cls) != 0;
}

/* Does the token carry a defanging mark ("hxxp", "fxp", or a bracket
 * before '.', '@', ':', "dot" or "at")?  Only such tokens are read. */
static bool defang_mark(const char *t, size_t n)
{
	if (n >= 3 && (t[0] | 0x20) == 'f' && (t[1] | 0x20) == 'x' && (t[2] | 0x20) == 'p')
		return true;
	if (n >= 4 && (t[0] | 0x20) == 'h' && (t[1] | 0x20) == 'x' && (t[2] | 0x20) == 'x')
		return true;
	for (size_t i = 0; i + 1 < n; i++) {
		if (t[i] != '[' && t[i] != '(' && t[i] != '{')
			continue;
		char d = (char)(t[i + 1] | 0x20);
		if (t[i + 1] == '.' || t[i + 1] == '@' || t[i + 1] == ':' || d == 'd' || d == 'a')
			return true;
	}
	return false;
}

/* Does a defanging mark start at p[i]: a bracket before '.', '@', ':',
 * "dot" or "at" (the first letter suffices), or the 'x' of "hxxp" or
 * "fxp"? */
static bool defang_at(const char *p, size_t i, size_t n)
{
	char c = p[i];
	if (c == '[' || c == '(' || c == '{')
		return i + 1 < n && defang_mark(p + i, 2);
	/* hxxp, fxp */
	return (c == 'x' || c == 'X') && i > 0 && i + 2 < n &&
	       ((((p[i - 1] | 0x20) == 'h') && (p[i + 1] | 0x20) == 'x' && (p[i + 2] | 0x20) == 'p') ||
		((p[i - 1] | 0x20) == 'f' && (p[i + 1] | 0x20) == 'p'));
}

/* Has the line a defanging mark anywhere?  One pass over it, sixteen
 * bytes a step where SSE2 is, for the few bytes that can start one. */
static bool line_defanged(const char *p, size_t n)
{
	size_t i = 0;
#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
#define EQ(c) _mm_cmpeq_epi8(b, _mm_set1_epi8(c))
		__m128i hit = _mm_or_si128(_mm_or_si128(EQ('['), EQ('(')),
					   _mm_or_si128(EQ('{'), _mm_or_si128(EQ('x'), EQ('X'))));
#undef EQ
		for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m != 0; m &= m - 1)
			if (defang_at(p, i + (size_t)__builtin_ctz(m), n))
				return true;
	}
#endif
	for (; i < n; i++)
		if (lf_class[(unsigned char)p[i]] & LF_DEFANG && defang_at(p, i, n))
			return true;
	return false;
}

/* Values defanged anywhere in a line count on their own; only lines
 * with a defang mark are looked at. */
static void defanged_pass(struct idscan *s, const char *p, size_t n)
{
	if (!(s->lflags & LF_DEFANG) || !line_defanged(p, n))
		return;
	size_t i = 0;
	while (i < n) {
		while (i < n && is_sep(p[i], SEP_DEFANG))
			i++;
		size_t st = i;
		while (i < n && !is_sep(p[i], SEP_DEFANG))
			i++;
		struct val v;
		if (i > st && defang_mark(p + st, i - st) &&
		    idscan_classify(p + st, i - st, false, &v) && v.defanged)
			emit(s, &v, false);
	}
}

/* "Name: value" (also "name = value", "\"name\": \"value\""); true when
 * the line has that shape, with the name and the value. */
static bool split_label(const char *p, size_t n, const char **name, size_t *nl, const char **val,
			size_t *vl)
{
	size_t i = 0;
	if (i < n && p[i] == '"')
		i++;
	size_t st = i;
	while (i < n && i - st < 40 &&
	       ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		(p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.' ||
		(p[i] == ' ' && i > st)))
		i++;
	size_t ne = i;
	if (ne == st || i >= n)
		return false;
	if (p[i] == '"')
		i++;
	while (i < n && idscan_is_blank(p[i]))
		i++;
	if (i >= n || (p[i] != ':' && p[i] != '='))
		return false;
	i++;
	/* "user:pass" has no blank after the colon: that is a row, not a label */
	if (i < n && !idscan_is_blank(p[i]) && p[i] != '"')
		return false;
	while (i < n && (idscan_is_blank(p[i]) || p[i] == '"'))
		i++;
	size_t ve = n;
	while (ve > i && (p[ve - 1] == ',' || p[ve - 1] == '"' || idscan_is_blank(p[ve - 1])))
		ve--;
	*name = p + st;
	*nl = ne - st;
	*val = p + i;
	*vl = ve - i;
	return true;
}

/* What a label line looked back at says: 1 yes, 0 no (stop), -1 go on. */
typedef int (*label_test)(const char *nm, size_t l, const char *val, size_t vl);

/* Ask test of each label line among the `lines` before the one being
 * judged (within TYPED_SPAN bytes), nearest first.  Those lines may have
 * been passed over by the search (no mark of a value in them). */
static bool label_before(const struct idscan *s, unsigned lines, label_test test)
{
	struct lback b;
	idscan_lback_init(&b, s, s->cur_seg, s->cur_ls);
	const char *l;
	size_t n, span = 0;
	for (unsigned k = 0; k < lines && idscan_lback_prev(&b, &l, &n, NULL); k++) {
		span += n + 1;
		if (span > TYPED_SPAN)
			break;
		while (n > 0 && (idscan_is_blank(*l) || *l == '>'))
			l++, n--;
		while (n > 0 && (l[n - 1] == '\r' || idscan_is_blank(l[n - 1])))
			n--;
		const char *name, *val;
		size_t nl, vl;
		char nm[48];
		if (!split_label(l, n, &name, &nl, &val, &vl) || nl >= sizeof nm)
			continue;
		int r = test(nm, idscan_norm_name(name, nl, nm, sizeof nm), val, vl);
		if (r >= 0)
			return r == 1;
	}
	return false;
}

/* A "type" naming an identifier type (MISP, STIX objects, X-ARF)? */
static int typed_test(const char *nm, size_t l, const char *val, size_t vl)
{
	if (idscan_format_label(nm, l) != FMT_LABEL_TYPE)
		return -1;
	return idscan_identifier_type(val, vl) ? 1 : 0;
}

/* A user label ("Username: bob", "Login: a@b.nl")? */
static int user_test(const char *nm, size_t l, const char *val, size_t vl)
{
	enum col_role r = idscan_normed_role(nm, l);
	struct val v;
	if (r == COL_USER && idscan_user_like(val, vl))
		return 1;
	if ((r == COL_USER || r == COL_ID) && idscan_classify(val, vl, true, &v) &&
	    (r == COL_USER || v.kind == IDSCAN_EMAIL))
		return 1;
	return -1;
}

/* Was a line of the TYPED_LINES before a "type" naming an identifier
 * type?  The type line of a MISP or STIX object has no mark of a value. */
static bool typed_before(const struct idscan *s)
{
	return label_before(s, TYPED_LINES, typed_test);
}

/* Was one of the USER_WINDOW lines before a user label? */
static bool user_before(const struct idscan *s)
{
	return label_before(s, USER_WINDOW, user_test);
}

/* A label an incident format gives (STIX "pattern", a typed "value",
 * the "type" before it); true when handled.  What the format names is
 * counted as labelled, without a run. */
static bool format_label(struct idscan *s, const char *nm, size_t l, const char *val, size_t vl)
{
	struct val vals[8];
	switch (idscan_format_label(nm, l)) {
	case FMT_LABEL_PATTERN: {
		size_t k = idscan_stix_values(val, vl, vals, sizeof vals / sizeof vals[0]);
		for (size_t i = 0; i < k; i++)
			emit(s, &vals[i], true);
		return true;
	}
	case FMT_LABEL_TYPE:
		s->typed = idscan_identifier_type(val, vl) ? TYPED_LINES + 1 : 0;
		return true;
	case FMT_LABEL_VALUE:
		if ((s->typed > 0 || typed_before(s)) && idscan_classify(val, vl, true, &vals[0]))
			emit(s, &vals[0], true);
		s->typed = 0;
		return true;
	default:
		return false;
	}
}

/* A labelled line; true when it was one (handled). */
static bool labelled_line(struct idscan *s, const char *p, size_t n)
{
	const char *name, *val;
	size_t nl, vl;
	if (!split_label(p, n, &name, &nl, &val, &vl))
		return false;
	char nm[48];
	size_t l = idscan_norm_name(name, nl < sizeof nm ? nl : 0, nm, sizeof nm);
	if (idscan_is_mail_header(nm, l)) {
		idscan_drop_run(s);	/* a quoted mail header: never a list */
		return true;
	}
	if (format_label(s, nm, l, val, vl))
		return true;
	enum col_role r = idscan_normed_role(nm, l);
	struct val *v = cur_next(s);
	if (r == COL_PASS) {
		/* a password under a user label names a credential as a
		 * column does: it counts without a run (the line still
		 * counts in one) */
		if (idscan_secret_like(val, vl) && (s->since_user <= USER_WINDOW || user_before(s))) {
			struct val c = {.kind = IDSCAN_CREDENTIAL};
			emit(s, &c, true);
			list_line(s);
		}
		s->since_user = USER_WINDOW + 1;
		return true;
	}
	if ((r == COL_ID || r == COL_USER) && v != NULL && idscan_classify(val, vl, true, v)) {
		s->ncur++;
		if (r == COL_USER || v->kind == IDSCAN_EMAIL)
			s->since_user = 0;
		list_line(s);
	} else if (r == COL_USER && idscan_user_like(val, vl)) {
		s->since_user = 0;
	}
	/* other labels ("Application: Chrome") neither make nor break a run */
	return true;
}

static bool colon_pair(struct idscan *s, const char *p, size_t n);

/* May a "user:pass" pair whose user is no address stand in a list?  Only
 * among blanks, with a secret that is no word: "prop:value;prop:value"
 * is CSS, "display:none visibility:hidden" too. */
static bool bare_pair_listed(const char *p, size_t n, unsigned seps)
{
	if (seps != SEP_BLANK)
		return false;
	const char *c = memrchr(p, ':', n);
	for (const char *k = c + 1; c != NULL && k < p + n; k++) {
		char l = (char)(*k | 0x20);
		if (!(l >= 'a' && l <= 'z') && *k != '-')
			return true;
	}
	return false;
}

/* Add the tokens of p (split on seps) to the line's values when every
 * one is a value or a "user:pass" pair (a combo list on one line); else
 * add nothing.  True when added. */
static bool all_values(struct idscan *s, const char *p, size_t n, unsigned seps)
{
	size_t i = 0, before = s->ncur;
	bool any = false;
	while (i < n) {
		while (i < n && is_sep(p[i], seps))
			i++;
		size_t st = i;
		while (i < n && !is_sep(p[i], seps))
			i++;
		if (i == st)
			break;
		struct val *v = cur_next(s);
		/* more values than a line keeps: the line is a list already,
		 * and what it holds counts (never dropped as prose) */
		if (v == NULL)
			break;
		if (idscan_classify(p + st, i - st, false, v)) {
			s->ncur++;
		} else if (s->ncur + 2 > LINE_VALS_MAX) {
			break;	/* full, as above */
		} else {
			size_t k0 = s->ncur;
			/* one entry added: a credential of a user, not of an
			 * address */
			if (!colon_pair(s, p + st, i - st) ||
			    (s->ncur - k0 == 1 && !bare_pair_listed(p + st, i - st, seps))) {
				s->ncur = before;
				return false;
			}
		}
		any = true;
	}
	return any;
}

/* Split on delim into cells (quotes and blanks around each taken off);
 * the last of MAX_CELLS takes the rest of the row, whose values then
 * count in list form (never dropped unseen). */
static size_t split_cells(const char *p, size_t n, char delim, const char **cell, size_t *clen)
{
	size_t nc = 0, st = 0;
	while (nc < MAX_CELLS) {
		/* the cell ends at the next delim, the last one at the end */
		const char *d = nc < MAX_CELLS - 1 ? memchr(p + st, delim, n - st) : NULL;
		size_t i = d != NULL ? (size_t)(d - p) : n;
		size_t a = st, b = i;
		while (a < b && (idscan_is_blank(p[a]) || p[a] == '"'))
			a++;
		while (b > a && (idscan_is_blank(p[b - 1]) || p[b - 1] == '"'))
			b--;
		cell[nc] = p + a;
		clen[nc++] = b - a;
		if (i == n)
			break;
		st = i + 1;
	}
	return nc;
}

/* A header row names at least one column we know and holds no value. */
static bool header_row(struct idscan *s, const char **cell, const size_t *clen, size_t nc,
		       char delim)
{
	bool named = false;
	unsigned char role[MAX_CELLS] = {0};
	for (size_t i = 0; i < nc; i++) {
		if (clen[i] == 0 || clen[i] > 40 || memchr(cell[i], '@', clen[i]) != NULL)
			return false;
		role[i] = (unsigned char)idscan_name_role(cell[i], clen[i]);
		named |= role[i] != COL_NONE;
	}
	if (!named)
		return false;
	memcpy(s->role, role, sizeof role);
	s->delim = delim;
	s->has_user_col = s->has_pass_col = false;
	for (size_t i = 0; i < nc; i++) {
		s->has_user_col |= role[i] == COL_USER || role[i] == COL_ID;
		s->has_pass_col |= role[i] == COL_PASS;
	}
	return true;
}

/* A row under a header: named columns count directly. */
static void header_data_row(struct idscan *s, const char **cell, const size_t *clen, size_t nc)
{
	bool user = false, pass = false;
	for (size_t i = 0; i < nc; i++) {
		struct val v;
		if (s->role[i] == COL_PASS)
			pass |= idscan_secret_like(cell[i], clen[i]);
		if (s->role[i] != COL_ID && s->role[i] != COL_USER)
			continue;
		if (idscan_classify(cell[i], clen[i], true, &v)) {
			emit(s, &v, true);
			user = true;
		} else if (s->role[i] == COL_USER && idscan_user_like(cell[i], clen[i])) {
			user = true;
		}
	}
	if (user && pass) {
		struct val c = {.kind = IDSCAN_CREDENTIAL};
		emit(s, &c, true);
	}
}

/* "address,password[,source...]": a combo or stealer row, its first
 * cell an address (first_email)? */
static int combo_row(bool first_email, const char **cell, const size_t *clen, size_t nc)
{
	struct val sv;
	return first_email && nc >= 2 && nc <= 4 && idscan_secret_like(cell[1], clen[1]) &&
	       !idscan_classify(cell[1], clen[1], false, &sv);
}

/* A delimited row: header, data under a header, or cells in list form. */
static void delimited_line(struct idscan *s, const char *p, size_t n, char delim)
{
	const char *cell[MAX_CELLS];
	size_t clen[MAX_CELLS];
	size_t nc = split_cells(p, n, delim, cell, clen);
	if (s->delim == delim && s->delim != 0 && nc > 1) {
		header_data_row(s, cell, clen, nc);
		s->in_rows = true;	/* rows without a mark may pair a user */
		return;
	}
	if (nc > 1 && header_row(s, cell, clen, nc, delim)) {
		idscan_drop_run(s);
		s->in_rows = true;
		return;
	}
	bool first_email = false, all = true;
	int combo = -1;	/* not known yet */
	for (size_t i = 0; i < nc; i++) {
		size_t before = s->ncur;
		/* a cell in list form: its values with only separators between */
		if (clen[i] > 0 && all_values(s, cell[i], clen[i], SEP_LIST))
			first_email |= i == 0 && s->ncur == before + 1 &&
				       s->cur[before].kind == IDSCAN_EMAIL;
		else if (clen[i] > 0)
			all = false;
		/* a row that is neither all values nor a combo row counts
		 * nothing: its other cells need no look (the first cell
		 * settles whether it can be a combo row) */
		if (!all && combo < 0)
			combo = combo_row(first_email, cell, clen, nc);
		if (combo == 0)
			break;
	}
	if (combo < 0)
		combo = combo_row(first_email, cell, clen, nc);
	if (combo)
		cur_credential(s);
	/* without a header, a row is a list only when every cell is a value
	 * (or it is a credential row): "Name <a@b>, c@d, linux-" is a
	 * wrapped address header, not a list */
	else if (!all)
		s->ncur = 0;
	if (s->ncur > 0)
		list_line(s);
	else
		idscan_drop_run(s);
	defanged_pass(s, p, n);
}

/* Markup ("xmlns:x=\"...\"", "<stix:Package") or an IPv6 or MAC
 * address or prefix (hex digits, ':', '.' and '/' only): colons that pair
 * no secret. */
static bool markup_or_address(const char *p, size_t n)
{
	if (memchr(p, '<', n) != NULL || memchr(p, '>', n) != NULL)
		return true;
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '=' && p[i + 1] == '"')
			return true;
	for (size_t i = 0; i < n; i++) {
		char c = (char)(p[i] | 0x20);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || p[i] == ':' || p[i] == '.' ||
		      p[i] == '/'))
			return false;
	}
	return true;
}

/* "user:pass" or "url:user:pass" as one token: the address and the
 * credential it names added to the line's values; true when it is one. */
static bool colon_pair(struct idscan *s, const char *p, size_t n)
{
	const char *c = memchr(p, ':', n);
	if (c == NULL)
		return false;
	const char *u = p;
	size_t ul = (size_t)(c - p);
	const char *rest = c + 1;
	size_t rl = n - ul - 1;
	if (rl >= 2 && rest[0] == '/' && rest[1] == '/') {	/* url:user:pass */
		const char *c2 = memchr(rest + 2, ':', rl - 2);
		const char *slash = memchr(rest + 2, '/', rl - 2);
		/* the port of the URL is not the user */
		while (c2 != NULL && (slash == NULL || c2 < slash))
			c2 = memchr(c2 + 1, ':', (size_t)(p + n - c2 - 1));
		if (c2 == NULL)
			return false;
		u = c2 + 1;
		const char *c3 = memchr(u, ':', (size_t)(p + n - u));
		if (c3 == NULL)
			return false;
		ul = (size_t)(c3 - u);
		rest = c3 + 1;
		rl = (size_t)(p + n - rest);
	}
	if (rl == 0 || rest[0] == ':' || rest[0] == '/' || !idscan_secret_like(rest, rl) ||
	    markup_or_address(p, n))
		return false;
	struct val *v = cur_next(s);
	if (v != NULL && idscan_classify(u, ul, true, v) && v->kind == IDSCAN_EMAIL)
		s->ncur++;
	/* "Action:failed", "BEGIN:VCALENDAR", "EX:/o=...": field names of
	 * DSNs, iCalendar and Exchange, capitalised; user names are not */
	else if (!idscan_user_like(u, ul) || (u[0] >= 'A' && u[0] <= 'Z'))
		return false;
	cur_credential(s);
	return true;
}

/* "user:pass" or "url:user:pass" alone on a line. */
static bool colon_credential(struct idscan *s, const char *p, size_t n)
{
	if (!colon_pair(s, p, n))
		return false;
	list_line(s);
	return true;
}

/* A line of blank-separated tokens: a list line when every token is a
 * value (or it is one credential); else prose. */
static void blank_line(struct idscan *s, const char *p, size_t n)
{
	/* a credential first: "https://site/login:user:pass" is not a URL list */
	if (memchr(p, ' ', n) == NULL && memchr(p, '\t', n) == NULL && colon_credential(s, p, n))
		return;
	s->ncur = 0;
	if (all_values(s, p, n, SEP_BLANK)) {
		list_line(s);
		return;
	}
	idscan_drop_run(s);
	defanged_pass(s, p, n);
}

/* Byte classes for the first-token look: one table load per byte. */
enum { FT_BLANK = 1, FT_DELIM = 2, FT_AT = 4, FT_COLON = 8, FT_DOT = 16 };
static const unsigned char ft_class[256] = {
	[' '] = FT_BLANK, ['\t'] = FT_BLANK, [','] = FT_DELIM, [';'] = FT_DELIM,
	['|'] = FT_DELIM, ['@'] = FT_AT,      [':'] = FT_COLON, ['.'] = FT_DOT,
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Index of the first byte at or after i (below n) with a class, or n.
 * With SSE2, sixteen bytes per step: eight compares and one mask. */
static size_t ft_skip(const char *p, size_t i, size_t n)
{
#ifdef __SSE2__
	static const char stops[] = {' ', '\t', ',', ';', '|', '@', ':', '.'};
	__m128i pat[sizeof stops];
	for (size_t k = 0; k < sizeof stops; k++)
		pat[k] = _mm_set1_epi8(stops[k]);
	while (i + 16 <= n) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		__m128i hit = _mm_cmpeq_epi8(b, pat[0]);
		for (size_t k = 1; k < sizeof stops; k++)
			hit = _mm_or_si128(hit, _mm_cmpeq_epi8(b, pat[k]));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask != 0)
			return i + (size_t)__builtin_ctz(mask);
		i += 16;
	}
#endif
	while (i < n && ft_class[(unsigned char)p[i]] == 0)
		i++;
	return i;
}

/* Does the first token (up to a blank or a delimiter) look like a value
 * or a label: an '@', a ':' (not between digits, as in a time) or a '.'
 * before a letter, within its first 66 bytes?  *delimited: the token
 * ended at a cell delimiter. */
static bool first_token_signal(const char *p, size_t n, bool *delimited)
{
	size_t i = 0;
	*delimited = false;
	while (i < n && (p[i] == '"' || p[i] == '\''))
		i++;
	/* every signal sits early: an e-mail local part has at most 64
	 * bytes before its '@', a host label at most 63 before a '.', a
	 * label or user name ends in ':' within as many */
	if (n > i + 66)
		n = i + 66;
	for (;;) {
		i = ft_skip(p, i, n);
		if (i >= n)
			return false;
		unsigned c = ft_class[(unsigned char)p[i]];
		if (c & FT_BLANK)
			return false;
		if (c & FT_DELIM) {
			*delimited = true;
			return false;
		}
		if (c & FT_AT)
			return true;
		if ((c & FT_COLON) &&
		    !(i > 0 && is_digit(p[i - 1]) && i + 1 < n && is_digit(p[i + 1])))
			return true;
		if ((c & FT_DOT) && i + 1 < n && (p[i + 1] | 0x20) >= 'a' && (p[i + 1] | 0x20) <= 'z')
			return true;
		i++;
	}
}

/* Judge one complete line.  Most lines of a message are prose or rows of
 * numbers: they are settled from their first token and the hints, which
 * the caller found for a whole chunk at memchr speed. */
void idscan_judge_line(struct idscan *s, const char *p, size_t n)
{
	s->ncur = 0;
	s->in_rows = false;
	if (s->typed > 0)
		s->typed--;
	if (s->since_user <= USER_WINDOW)
		s->since_user++;
	while (n > 0 && (idscan_is_blank(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	while (n > 0 && (idscan_is_blank(*p) || *p == '>'))	/* quoted text is still text */
		p++, n--;
	bool was_delimited = s->prev_delimited;
	s->prev_delimited = false;
	if (n == 0) {
		idscan_drop_run(s);
		return;
	}
	if (n == 2 && p[0] == '-' && p[1] == '-') {	/* "-- " signature delimiter */
		s->sig_skip = SIG_LINES;
		idscan_drop_run(s);
		return;
	}
	if (s->sig_skip > 0) {
		s->sig_skip--;
		idscan_drop_run(s);
		return;
	}
	bool delimited;
	bool signal = first_token_signal(p, n, &delimited);
	s->prev_delimited = delimited;
	/* rows under a header are read by column; a header is looked for on
	 * the first row of a delimited block only */
	bool rows = s->delim != 0 && memchr(p, s->delim, n) != NULL;
	const char *ln, *lv;
	size_t lnl, lvl;
	/* prose, unless an address stands in a label ("E-mail address: x") */
	if (!signal && !rows && !(delimited && !was_delimited) &&
	    (!(s->lflags & LF_AT) || !split_label(p, n, &ln, &lnl, &lv, &lvl))) {
		idscan_drop_run(s);
		defanged_pass(s, p, n);
		return;
	}
	if (labelled_line(s, p, n))
		return;
	static const char delims[] = {'\t', ';', ',', '|'};
	char delim = rows ? s->delim : 0;
	for (size_t k = 0; k < sizeof delims && delim == 0 && (s->lflags & LF_DELIM); k++)
		if (memchr(p, delims[k], n) != NULL)
			delim = delims[k];
	if (delim != 0)
		delimited_line(s, p, n, delim);
	else
		blank_line(s, p, n);
}

