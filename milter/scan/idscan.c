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
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define IDSCAN_AVX2 1
#endif

#define PENDING_MAX 8
#define LINE_VALS_MAX 64
#define SIG_LINES 12	/* lines after "-- " taken as the signature */
#define USER_WINDOW 3	/* lines a "Password:" may follow its "Username:" */
#define MAX_CELLS 64


struct idscan {
	idscan_cb cb;
	void *arg;
	int rc;
	char line[IDSCAN_LINE_MAX];
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
	enum col_role r = idscan_normed_role(nm, l);
	struct val *v = cur_next(s);
	if (r == COL_PASS) {
		if (s->since_user <= USER_WINDOW && idscan_secret_like(val, vl)) {
			cur_credential(s);
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

/* ---- candidates ---------------------------------------------------- */

/*
 * Every value the rule can count has a mark no prose word has: an '@', a
 * '.' before a letter (host names, URLs), a ':' before a non-blank other
 * than '/' (user:pass), a '[' or '(' before '.', '@', ':', 'a' or 'd'
 * (defanging), "pass" or "hash" in any case (a password column or label:
 * a header "login;hash" over rows of bare user names), or "-- " (a
 * signature delimiter, which must be seen).  A
 * line without any is prose, a blank line or a row of numbers: it can
 * only end a run, and so it is skipped unless the state says the next
 * line matters (a run, a header's rows, a user label's window, a
 * signature).  The search below runs over whole chunks, sixteen bytes a
 * step, and lines are cut only around what it finds.
 */
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
	case '(':
		return d == '.' || d == '@' || d == ':' || l == 'a' || l == 'd';
	case '-':
		return d == '-' && i + 2 < n && p[i + 2] == ' ';
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

/* Where the last vector block was and what it held. */
struct cand_cursor {
	const char *blk, *end;
	unsigned mask;
};

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
	__m256i l0 = OR(b0, low), l3 = OR(LD(3), low);
	__m256i pw = AND(AND(OR(EQ(l0, 'p'), EQ(l0, 'h')), EQ(l1, 'a')),
			 AND(EQ(OR(b2, low), 's'), OR(EQ(l3, 's'), EQ(l3, 'h'))));
	m = OR(m, pw);
#undef LD
#undef EQ
#undef GT
#undef AND
#undef OR
	return (unsigned)_mm256_movemask_epi8(m);
}

/* next_candidate with AVX2, 32 bytes a step.  The mask of the last
 * block is kept in the cursor: the next search often starts in it. */
__attribute__((target("avx2"))) static size_t next_candidate_avx2(struct cand_cursor *cur,
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

/* Offset of the first candidate in [i, n), or n. */
static size_t next_candidate(struct cand_cursor *cur, const char *p, size_t i, size_t n)
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

/* Must the line after the one just judged be judged too? */
static bool state_hot(const struct idscan *s)
{
	return s->run > 0 || s->npend > 0 || s->sig_skip > 0 || s->since_user <= USER_WINDOW ||
	       s->in_rows;
}

/* Judge the complete line [p, p+n), whose '\n' is at stream offset nl_at:
 * a line not right after the last judged one follows skipped lines, which
 * could only have ended the run. */
static void judge_at(struct idscan *s, const char *p, size_t n, unsigned long long start,
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
		judge_line(s, p, n);
	}
	s->judged_end = nl_at;
	s->judged_any = true;
	s->hot = state_hot(s);
}

/* The line carried over a chunk boundary ends: judge it unless it
 * overflowed the buffer. */
static void end_line(struct idscan *s, unsigned long long nl_at)
{
	judge_at(s, s->line, s->overlong ? (size_t)IDSCAN_LINE_MAX + 1 : s->llen, s->line_start,
		 nl_at);
	s->llen = 0;
	s->overlong = false;
	s->carrying = false;
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
			    *k == '}')
				return false;
		return true;
	}
	if (t > q && t[-1] == ':') {	/* "Name: ... c": a label */
		/* of the names with a '-' only "e-mail..." names a value;
		 * "Return-Path", "Message-ID", "Content-Type" are passed
		 * over without a look-up */
		if ((*q | 0x20) != 'e' && memchr(q, '-', (size_t)(t - q)) != NULL)
			return false;
		return idscan_name_role(q, (size_t)(t - 1 - q)) != COL_NONE;
	}
	/* "E-mail address: a@b": a label of several words */
	return *c == '@' && memchr(t, ':', (size_t)(c - t)) != NULL;
}

/* Start offset of the line holding c, searching back no further than p. */
static const char *line_start(const char *p, const char *c)
{
	const char *nl = c > p ? memrchr(p, '\n', (size_t)(c - p)) : NULL;
	return nl != NULL ? nl + 1 : p;
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
	s->pos = s->judged_end = s->line_start = 0;
	drop_run(s);
}

int idscan_update(struct idscan *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	unsigned long long base = s->pos;
	struct cand_cursor cur = {NULL, NULL, 0};
	s->pos += len;
	if (s->carrying) {
		/* the line cut by the last chunk's end: always judged (once
		 * per chunk), so it is never needed as a look-back */
		const char *nl = memchr(p, '\n', len);
		size_t seg = nl != NULL ? (size_t)(nl - p) : len;
		if (!s->overlong && s->llen + seg <= sizeof s->line) {
			memcpy(s->line + s->llen, p, seg);
			s->llen += seg;
		} else {
			s->overlong = true;
		}
		if (nl == NULL)
			return s->rc;
		end_line(s, base + (unsigned long long)(nl - buf));
		p = nl + 1;
	}
	while (p < end && s->rc == 0) {
		const char *ls = p;
		bool lookback = false;
		if (!s->hot) {
			size_t c = 0;
			const char *passed = p;	/* end of a line passed over */
			for (;;) {
				c = next_candidate(&cur, p, c, (size_t)(end - p));
				if (c == (size_t)(end - p))
					break;
				/* on a line already passed over, only a
				 * defanging mark can still matter */
				if (p + c < passed && (p[c] == '@' || p[c] == '.' || p[c] == ':')) {
					c++;
					continue;
				}
				ls = line_start(p, p + c);
				if (worth_judging(s, ls, p + c))
					break;
				const char *e = memchr(p + c, '\n', (size_t)(end - p - c));
				passed = e != NULL ? e : end;
				c++;
			}
			if (c == (size_t)(end - p)) {
				/* none left: only the cut last line may go on */
				const char *last = line_start(p, end);
				carry(s, last, end, base + (unsigned long long)(last - buf));
				return s->rc;
			}
			lookback = ls > p;
		}
		const char *nl = memchr(ls, '\n', (size_t)(end - ls));
		if (nl == NULL) {
			carry(s, ls, end, base + (unsigned long long)(ls - buf));
			return s->rc;
		}
		const char *ps = lookback ? line_start(p, ls - 1) : NULL;
		if (ps != NULL && (line_flags(ls, (size_t)(nl - ls)) & LF_DELIM) &&
		    (line_flags(ps, (size_t)(ls - 1 - ps)) & (LF_DELIM | LF_AT)) == LF_DELIM) {
			/* a row: the line before may be the header naming its
			 * columns (cells, no address) */
			judge_at(s, ps, (size_t)(ls - 1 - ps), base + (unsigned long long)(ps - buf),
				 base + (unsigned long long)(ls - 1 - buf));
		}
		judge_at(s, ls, (size_t)(nl - ls), base + (unsigned long long)(ls - buf),
			 base + (unsigned long long)(nl - buf));
		p = nl + 1;
	}
	return s->rc;
}

int idscan_finish(struct idscan *s)
{
	if (s->carrying && (s->llen > 0 || s->overlong))
		end_line(s, s->pos);
	drop_run(s);
	return s->rc;
}

