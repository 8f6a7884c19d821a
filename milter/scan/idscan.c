/*
 * idscan.c - e-mail addresses, host names and credential rows in list
 * form (see idscan.h for the rule).
 *
 * The stream is cut into lines in a fixed buffer; each line is judged
 * whole: a mail header line, a signature delimiter, a labelled line
 * ("Hostname: x"), a delimited row (CSV, with or without a header naming
 * its columns) or a blank-separated line.  Values of list lines wait in a
 * small pending store until the run of list lines is long enough; a prose
 * line drops them.  Named columns and defanged values need no run: the
 * name or the defanging already says what the value is.
 *
 * Hot path: lines are not cut one by one.  A vector search over the chunk
 * finds the next byte that could start or join a value (see "candidates"
 * below); only the line holding it, and the line before it (a header
 * naming the columns), are judged, in place; everything between is
 * skipped, as prose could only end a run.  While a run, a header's rows,
 * a user label or a signature is open, every line is judged.  Only a
 * line cut by a chunk boundary is copied.  Recognising values is
 * idscan_value.c's.  No allocation after alloc.
 *
 * Known gaps: a headerless CSV whose value is not in its first cell
 * counts only when the row has an '@'; "hxxp://host" undefanged otherwise
 * counts only at the head of its line or cell.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "idscan_priv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif


#define PENDING_MAX 8
#define LINE_VALS_MAX 64
#define SIG_LINES 12	/* lines after "-- " taken as the signature */
#define USER_WINDOW 3	/* lines a "Password:" may follow its "Username:" */
#define MAX_CELLS 64
#define TYPED_LINES 6	/* lines a "value" may follow its "type" */
#define TYPED_SPAN 1024	/* bytes of those lines at most */
#define HIST_MAX 4096	/* >= TYPED_SPAN and IDSCAN_LINE_MAX + 1 */
enum { CARRIED_NONE, CARRIED_LINE, CARRIED_OVERLONG };

/* Where a line looked back at lies. */
enum { SEG_CHUNK, SEG_CARRIED, SEG_HIST, SEG_DONE };


struct idscan {
	idscan_cb cb;
	void *arg;
	int rc;
	char line[IDSCAN_LINE_MAX + 1];	/* + its '\n' when pushed to hist */
	size_t llen;
	bool overlong;
	unsigned run;
	struct val pend[PENDING_MAX];
	size_t npend;
	struct val cur[LINE_VALS_MAX];	/* values of the line being judged */
	size_t ncur;
	unsigned sig_skip;
	unsigned since_user;		/* lines since a labelled user line */
	char delim;			/* of the header row, 0: none seen */
	bool prev_delimited;		/* the line before was a delimited row */
	bool markup;			/* an HTML stream: links are not lists */
	bool in_rows;			/* the line was a header or a row under it */
	unsigned lflags;		/* LF_* of the line being judged */
	unsigned typed;			/* lines a typed "value" may still follow */
	/* look-back over lines the search passed over, the same whatever
	 * the chunks: the chunk (from chunk_lo), the line carried into it,
	 * and hist, the complete lines before those (its last HIST_MAX
	 * bytes, whole lines, its last '\n' at stream offset hist_end) */
	char hist[HIST_MAX];
	size_t hlen;
	unsigned long long hist_end;
	const char *chunk_buf, *chunk_lo;
	unsigned long long chunk_base;
	int carried;			/* CARRIED_*: what this chunk began with */
	size_t carried_len;
	unsigned long long carried_nl;
	int cur_seg;			/* where the line being judged is (SEG_*) */
	const char *cur_ls;
	bool hot;			/* judge the next line whatever it holds */
	bool carrying;			/* line holds the start of a cut line */
	bool judged_any;
	unsigned long long pos;		/* stream offset of the next chunk */
	unsigned long long judged_end;	/* stream offset of the last judged '\n' */
	unsigned long long line_start;	/* of the carried line */
	unsigned char role[MAX_CELLS];
	bool has_user_col, has_pass_col;
};

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

static void drop_run(struct idscan *s)
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
	size_t values = 0;
	for (size_t i = 0; i < s->ncur; i++)
		values += s->cur[i].kind != IDSCAN_CREDENTIAL;
	s->run++;
	if (s->run >= IDSCAN_RUN_LINES || values >= IDSCAN_RUN_LINES) {
		for (size_t i = 0; i < s->npend; i++)
			emit(s, &s->pend[i], false);
		s->npend = 0;
		for (size_t i = 0; i < s->ncur; i++)
			emit(s, &s->cur[i], false);
		return;
	}
	for (size_t i = 0; i < s->ncur && s->npend < PENDING_MAX; i++)
		s->pend[s->npend++] = s->cur[i];
}

/* ---- looking back ---------------------------------------------------- */

/* Walks back over the complete lines before a line, through the chunk,
 * the carried line and the history (see struct idscan). */
struct lback {
	const struct idscan *s;
	int seg;
	const char *lo, *pos;	/* lines of the segment lie in [lo, pos) */
};

static void lback_seg(struct lback *b, int seg)
{
	const struct idscan *s = b->s;
	if (seg == SEG_CARRIED && s->carried != CARRIED_LINE)
		/* none: the history comes next; an overlong line: no look
		 * reaches past it */
		seg = s->carried == CARRIED_NONE ? SEG_HIST : SEG_DONE;
	b->seg = seg;
	if (seg == SEG_CARRIED) {
		b->lo = s->line;
		b->pos = s->line + s->carried_len + 1;	/* its '\n' is implied */
	} else if (seg == SEG_HIST) {
		b->lo = s->hist;
		b->pos = s->hist + s->hlen;
	}
}

/* Start before the line at ls, which lies in segment seg. */
static void lback_init(struct lback *b, const struct idscan *s, int seg, const char *ls)
{
	b->s = s;
	b->seg = seg;
	b->lo = seg == SEG_CHUNK ? s->chunk_lo : seg == SEG_HIST ? s->hist : s->line;
	b->pos = ls;
	if (seg == SEG_CARRIED)
		lback_seg(b, SEG_HIST);
}

/* The previous line (without its '\n') and the stream offset of its
 * start; false when there is none left. */
static bool lback_prev(struct lback *b, const char **line, size_t *n, unsigned long long *start)
{
	while (b->seg != SEG_DONE && b->pos <= b->lo)
		lback_seg(b, b->seg + 1);
	if (b->seg == SEG_DONE)
		return false;
	const char *end = b->pos - 1, *st = end;
	while (st > b->lo && st[-1] != '\n')
		st--;
	*line = st;
	*n = (size_t)(end - st);
	if (start != NULL) {
		const struct idscan *s = b->s;
		if (b->seg == SEG_CHUNK)
			*start = s->chunk_base + (unsigned long long)(st - s->chunk_buf);
		else if (b->seg == SEG_CARRIED)
			*start = s->carried_nl - s->carried_len;
		else
			*start = s->hist_end - (unsigned long long)(s->hist + s->hlen - 1 - st);
	}
	b->pos = st;
	return true;
}

/* ---- line kinds ----------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What one pass over a judged line finds (struct idscan lflags). */
enum { LF_AT = 1, LF_DELIM = 2, LF_DEFANG = 4 };
static const unsigned char lf_class[256] = {
	['@'] = LF_AT,	   [','] = LF_DELIM,  [';'] = LF_DELIM,	 ['\t'] = LF_DELIM, ['|'] = LF_DELIM,
	['['] = LF_DEFANG, ['('] = LF_DEFANG, ['{'] = LF_DEFANG, ['x'] = LF_DEFANG, ['X'] = LF_DEFANG,
};

static unsigned line_flags(const char *p, size_t n)
{
	unsigned f = 0;
	for (size_t i = 0; i < n; i++)
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

/* Has the line a defanging mark anywhere?  memchr for the few bytes
 * that can start one, no tokens. */
static bool line_defanged(const char *p, size_t n)
{
	static const char starts[] = {'[', '(', '{', 'x', 'X'};
	for (size_t k = 0; k < sizeof starts; k++) {
		const char *q = p, *end = p + n;
		while ((q = memchr(q, starts[k], (size_t)(end - q))) != NULL) {
			size_t i = (size_t)(q - p);
			if (k < 3 && defang_mark(q, n - i < 2 ? n - i : 2))
				return true;
			/* hxxp, fxp */
			if (k >= 3 && i > 0 && i + 2 < n &&
			    ((((p[i - 1] | 0x20) == 'h') && (p[i + 1] | 0x20) == 'x' &&
			      (p[i + 2] | 0x20) == 'p') ||
			     ((p[i - 1] | 0x20) == 'f' && (p[i + 1] | 0x20) == 'p')))
				return true;
			q++;
		}
	}
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
	while (i < n && is_blank(p[i]))
		i++;
	if (i >= n || (p[i] != ':' && p[i] != '='))
		return false;
	i++;
	/* "user:pass" has no blank after the colon: that is a row, not a label */
	if (i < n && !is_blank(p[i]) && p[i] != '"')
		return false;
	while (i < n && (is_blank(p[i]) || p[i] == '"'))
		i++;
	size_t ve = n;
	while (ve > i && (p[ve - 1] == ',' || p[ve - 1] == '"' || is_blank(p[ve - 1])))
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
	lback_init(&b, s, s->cur_seg, s->cur_ls);
	const char *l;
	size_t n, span = 0;
	for (unsigned k = 0; k < lines && lback_prev(&b, &l, &n, NULL); k++) {
		span += n + 1;
		if (span > TYPED_SPAN)
			break;
		while (n > 0 && (is_blank(*l) || *l == '>'))
			l++, n--;
		while (n > 0 && (l[n - 1] == '\r' || is_blank(l[n - 1])))
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
		drop_run(s);	/* a quoted mail header: never a list */
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

/* Add the tokens of p (split on seps) to the line's values when every
 * one is a value; else add nothing.  True when added. */
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
		if (v == NULL || !idscan_classify(p + st, i - st, false, v)) {
			s->ncur = before;
			return false;
		}
		s->ncur++;
		any = true;
	}
	return any;
}

/* Split on delim into cells (quotes and blanks around each taken off). */
static size_t split_cells(const char *p, size_t n, char delim, const char **cell, size_t *clen)
{
	size_t nc = 0, st = 0;
	for (size_t i = 0; i <= n && nc < MAX_CELLS; i++) {
		if (i < n && p[i] != delim)
			continue;
		size_t a = st, b = i;
		while (a < b && (is_blank(p[a]) || p[a] == '"'))
			a++;
		while (b > a && (is_blank(p[b - 1]) || p[b - 1] == '"'))
			b--;
		cell[nc] = p + a;
		clen[nc++] = b - a;
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
		drop_run(s);
		s->in_rows = true;
		return;
	}
	bool first_email = false, all = true;
	for (size_t i = 0; i < nc; i++) {
		size_t before = s->ncur;
		/* a cell in list form: its values with only separators between */
		if (clen[i] > 0 && all_values(s, cell[i], clen[i], SEP_LIST))
			first_email |= i == 0 && s->cur[before].kind == IDSCAN_EMAIL;
		else if (clen[i] > 0)
			all = false;
	}
	/* "address,password[,source...]": a combo or stealer row */
	struct val sv;
	if (first_email && nc >= 2 && nc <= 4 && idscan_secret_like(cell[1], clen[1]) &&
	    !idscan_classify(cell[1], clen[1], false, &sv))
		cur_credential(s);
	/* without a header, a row is a list only when every cell is a value
	 * (or it is a credential row): "Name <a@b>, c@d, linux-" is a
	 * wrapped address header, not a list */
	else if (!all)
		s->ncur = 0;
	if (s->ncur > 0)
		list_line(s);
	else
		drop_run(s);
	defanged_pass(s, p, n);
}

/* Markup ("xmlns:x=\"...\"", "<stix:Package") or an IPv6 or MAC
 * address (hex digits, ':' and '.' only): colons that pair no secret. */
static bool markup_or_address(const char *p, size_t n)
{
	if (memchr(p, '<', n) != NULL || memchr(p, '>', n) != NULL)
		return true;
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '=' && p[i + 1] == '"')
			return true;
	for (size_t i = 0; i < n; i++) {
		char c = (char)(p[i] | 0x20);
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || p[i] == ':' || p[i] == '.'))
			return false;
	}
	return true;
}

/* "user:pass" or "url:user:pass" alone on a line. */
static bool colon_credential(struct idscan *s, const char *p, size_t n)
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
	drop_run(s);
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
static void judge_line(struct idscan *s, const char *p, size_t n)
{
	s->ncur = 0;
	s->in_rows = false;
	if (s->typed > 0)
		s->typed--;
	if (s->since_user <= USER_WINDOW)
		s->since_user++;
	while (n > 0 && (is_blank(p[n - 1]) || p[n - 1] == '\r'))
		n--;
	while (n > 0 && (is_blank(*p) || *p == '>'))	/* quoted text is still text */
		p++, n--;
	bool was_delimited = s->prev_delimited;
	s->prev_delimited = false;
	if (n == 0) {
		drop_run(s);
		return;
	}
	if (n == 2 && p[0] == '-' && p[1] == '-') {	/* "-- " signature delimiter */
		s->sig_skip = SIG_LINES;
		drop_run(s);
		return;
	}
	if (s->sig_skip > 0) {
		s->sig_skip--;
		drop_run(s);
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
		drop_run(s);
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

/* ---- driving --------------------------------------------------------- */

/* Must the line after the one just judged be judged too? */
static bool state_hot(const struct idscan *s)
{
	return s->run > 0 || s->npend > 0 || s->sig_skip > 0 || s->since_user <= USER_WINDOW ||
	       s->in_rows || s->typed > 0;
}

/* Judge the complete line [p, p+n) of segment seg, starting at stream
 * offset start, its '\n' at nl_at: a line not right after the last judged
 * one follows skipped lines, which could only have ended the run. */
static void judge_at(struct idscan *s, int seg, const char *p, size_t n, unsigned long long start,
		     unsigned long long nl_at)
{
	if (start != s->judged_end + 1 || !s->judged_any) {
		drop_run(s);
		s->prev_delimited = false;
		s->in_rows = false;
	}
	if (n > IDSCAN_LINE_MAX) {
		drop_run(s);
		s->prev_delimited = false;
		s->in_rows = false;
	} else {
		s->lflags = line_flags(p, n);
		s->cur_seg = seg;
		s->cur_ls = p;
		judge_line(s, p, n);
	}
	s->judged_end = nl_at;
	s->judged_any = true;
	s->hot = state_hot(s);
}

/* A row (cells) whose line before was passed over: that line may be the
 * header naming its columns (cells, no address): judge it first. */
static void header_lookback(struct idscan *s, int seg, const char *ls, size_t n,
			    unsigned long long start)
{
	if (s->judged_any && start == s->judged_end + 1)
		return;	/* the line before was judged */
	if (!(line_flags(ls, n) & LF_DELIM))
		return;
	struct lback b;
	lback_init(&b, s, seg, ls);
	const char *pl;
	size_t pn;
	unsigned long long pstart;
	if (!lback_prev(&b, &pl, &pn, &pstart) || pstart + pn + 1 != start)
		return;
	/* a header names columns: cells, no address, no "Name: value"
	 * (a mail header or its continuation is none) */
	if ((line_flags(pl, pn) & (LF_DELIM | LF_AT)) == LF_DELIM && pn > 0 && !is_blank(pl[0]) &&
	    memmem(pl, pn, ": ", 2) == NULL)
		judge_at(s, b.seg, pl, pn, pstart, start - 1);
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

/* Keep [p, end) (the start of a line cut by the chunk's end). */
static void carry(struct idscan *s, const char *p, const char *end, unsigned long long start)
{
	size_t n = (size_t)(end - p);
	s->carrying = true;
	s->line_start = start;
	if (n > sizeof s->line) {
		s->overlong = true;
		s->llen = 0;
		return;
	}
	memcpy(s->line, p, n);
	s->llen = n;
}

/*
 * Out of a run, a line is a list line only through its first token (a
 * value, a cell, a label naming an identifier) or a defanged value; the
 * candidate c of a line starting at ls is worth a judge_line only so.  A
 * mail header ("Received: from a.example by b.example"), an address in
 * prose or in a continuation line is passed over here, at the cost of a
 * look at the first token, and the search goes on after c (a defanged
 * value may follow on the same line).  This must never pass over what
 * judge_line would count: it answers "judge" whenever unsure.
 */
static bool worth_judging(const struct idscan *s, const char *ls, const char *c)
{
	if (*c != '@' && *c != '.' && *c != ':')
		return true;	/* defanging, a password name, a signature */
	if (s->delim != 0 || s->sig_skip != 0)
		return true;	/* rows under a header; a signature */
	const char *q = ls;
	while (q < c && (is_blank(*q) || *q == '>' || *q == '"' || *q == '\''))
		q++;
	const char *t = q;
	while (t < c && !is_blank(*t) && !is_sep(*t, SEP_LIST))
		t++;
	if (t == c || (lf_class[(unsigned char)*t] & LF_DELIM)) {
		/* c in the first token, or that token is a cell: unless the
		 * token is a MIME boundary or the noise of uuencoded or
		 * ISO-2022 text, whose marks no value or user name has */
		if (q + 1 < c && q[0] == '-' && q[1] == '-')
			return false;
		for (const char *k = q; k < c; k++)
			if (*k == '$' || *k == '`' || *k == '^' || *k == '\\' || *k == '{' ||
			    *k == '}' || *k == '=')
				return false;	/* "=": a key=value, no value */
		return true;
	}
	if (t > q && t[-1] == ':') {	/* "Name: ... c": a label */
		/* of the names with a '-' only "e-mail..." names a value;
		 * "Return-Path", "Message-ID", "Content-Type" are passed
		 * over without a look-up */
		if ((*q | 0x20) != 'e' && memchr(q, '-', (size_t)(t - q)) != NULL)
			return false;
		char nm[40];
		size_t nl = (size_t)(t - 1 - q);
		if (nl >= sizeof nm)
			return false;
		size_t l = idscan_norm_name(q, nl, nm, sizeof nm);
		return idscan_normed_role(nm, l) != COL_NONE ||
		       idscan_format_label(nm, l) != FMT_LABEL_NONE;
	}
	/* "E-mail address: a@b": a label of a few words, the address the
	 * token right after it */
	if (*c != '@')
		return false;
	const char *k = c;
	while (k > t && !is_blank(k[-1]))
		k--;
	return k - q >= 3 && k - q <= 40 && k[-1] == ' ' && k[-2] == ':';
}

/* Start offset of the line holding c, searching back no further than p. */
static const char *line_start(const char *p, const char *c)
{
	const char *nl = c > p ? memrchr(p, '\n', (size_t)(c - p)) : NULL;
	return nl != NULL ? nl + 1 : p;
}

/* The start of the first line in [p, end) that holds a candidate worth
 * judging, or NULL. */
static const char *find_worth(const struct idscan *s, const char *p, const char *end)
{
	struct idscan_cursor cur = {NULL, NULL, 0};
	const char *passed = p;	/* end of a line passed over */
	size_t c = 0, n = (size_t)(end - p);
	for (;;) {
		c = idscan_next_candidate(&cur, p, c, n);
		if (c == n)
			return NULL;
		/* on a line already passed over, only a defanging mark can
		 * still matter */
		if (p + c < passed && (p[c] == '@' || p[c] == '.' || p[c] == ':')) {
			c++;
			continue;
		}
		const char *ls = line_start(p, p + c);
		if (worth_judging(s, ls, p + c))
			return ls;
		const char *e = memchr(p + c, '\n', n - c);
		passed = e != NULL ? e : end;
		c++;
	}
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
		if (s->hot || find_worth(s, s->line, s->line + s->llen) != NULL) {
			header_lookback(s, SEG_CARRIED, s->line, s->llen, s->line_start);
			judge_at(s, SEG_CARRIED, s->line, s->llen, s->line_start, nl_at);
		}
	} else if (s->hot) {
		judge_at(s, SEG_CARRIED, s->line, IDSCAN_LINE_MAX + 1, s->line_start, nl_at);
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
	s->pos = s->judged_end = s->line_start = 0;
	drop_run(s);
}

int idscan_update(struct idscan *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	s->chunk_buf = buf;
	s->chunk_base = s->pos;
	s->pos += len;
	s->carried = CARRIED_NONE;
	if (s->carrying) {
		const char *nl = memchr(p, '\n', len);
		size_t seg = nl != NULL ? (size_t)(nl - p) : len;
		if (!s->overlong && s->llen + seg <= IDSCAN_LINE_MAX) {
			memcpy(s->line + s->llen, p, seg);
			s->llen += seg;
		} else {
			s->overlong = true;
		}
		if (nl == NULL)
			return s->rc;	/* the line goes on in the next chunk */
		end_carried(s, s->chunk_base + (unsigned long long)(nl - buf));
		p = nl + 1;
	}
	s->chunk_lo = p;
	while (p < end && s->rc == 0) {
		const char *ls = s->hot ? p : find_worth(s, p, end);
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
		if (!s->hot)
			header_lookback(s, SEG_CHUNK, ls, (size_t)(nl - ls), start);
		judge_at(s, SEG_CHUNK, ls, (size_t)(nl - ls), start,
			 s->chunk_base + (unsigned long long)(nl - buf));
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
	drop_run(s);
	return s->rc;
}
