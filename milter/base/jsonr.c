/*
 * jsonr.c - the bounded JSON reader of jsonr.h: an iterative parser (an
 * explicit stack of open containers, never recursion) that builds a
 * compact tree of index-linked values, then resolves every container's
 * children into one index array so jsonr_at() is O(1).
 *
 * Every string and number text is copied (unescaped) into one string
 * buffer, NUL-terminated; values refer to it by 32-bit offsets, which is
 * why inputs are capped well below 4 GiB.
 *
 * Public functions: see jsonr.h.
 * Limits: input bytes, nesting depth and value count (struct
 * jsonr_limits, defaults JSONR_MAX_*); the first error ends parsing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/jsonr.h"
#include "grondslag/base/names.h"

/* 32-bit offsets: keep the string buffer (<= 1.5 x input) below 4 GiB. */
#define JSONR_HARD_MAX_BYTES (1u << 30)
#define NO_KEY UINT32_MAX

struct jsonr_value {
	uint8_t type;		/* enum jsonr_type */
	uint32_t next;		/* parse: next sibling index + 1, 0 = none */
	uint32_t first;		/* parse: first child + 1; after: offset in doc->kids */
	uint32_t last;		/* parse: last child + 1 */
	uint32_t count;		/* children */
	uint32_t soff, slen;	/* string / number text in doc->sbuf */
	uint32_t koff, klen;	/* member key in doc->sbuf, NO_KEY when none */
	const struct jsonr_doc *doc;
};

struct jsonr_doc {
	struct jsonr_value *vals;
	size_t nvals;
	char *sbuf;
	uint32_t *kids;		/* child indices, grouped per container */
};

enum pstate { ST_VALUE, ST_KEY, ST_AFTER, ST_DONE };

struct parser {
	const unsigned char *p;
	size_t len, pos;
	struct jsonr_limits lim;
	struct jsonr_value *vals;
	size_t nvals, capvals;
	char *sbuf;
	size_t slen, scap;
	uint32_t *stack;	/* open containers */
	size_t depth;
	uint32_t koff, klen;	/* pending member key */
	struct jsonr_error *err;
	bool failed;
};

/* Record the first error at byte offset at. */
static void fail_at(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail_at(struct parser *ps, size_t at, const char *fmt, ...)
{
	if (ps->failed)
		return;
	ps->failed = true;
	if (ps->err == NULL)
		return;
	unsigned line = 1;
	size_t bol = 0;
	for (size_t i = 0; i < at && i < ps->len; i++) {
		if (ps->p[i] == '\n') {
			line++;
			bol = i + 1;
		}
	}
	ps->err->offset = at;
	ps->err->line = line;
	ps->err->column = (unsigned)(at - bol + 1);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
	va_end(ap);
}

/* "unexpected character 'x'" or "unexpected end of input" at pos. */
static void fail_unexpected(struct parser *ps, const char *expected)
{
	if (ps->pos >= ps->len) {
		fail_at(ps, ps->pos, "unexpected end of input, %s", expected);
		return;
	}
	unsigned char c = ps->p[ps->pos];
	if (c >= 0x21 && c < 0x7f)
		fail_at(ps, ps->pos, "unexpected character '%c', %s", c, expected);
	else
		fail_at(ps, ps->pos, "unexpected byte 0x%02x, %s", c, expected);
}

static void skip_ws(struct parser *ps)
{
	while (ps->pos < ps->len) {
		unsigned char c = ps->p[ps->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

/* Room for n more bytes in the string buffer. */
static bool sbuf_reserve(struct parser *ps, size_t n)
{
	if (ps->scap - ps->slen >= n)
		return true;
	size_t cap = ps->scap ? ps->scap : 4096;
	while (cap - ps->slen < n)
		cap *= 2;
	char *nb = realloc(ps->sbuf, cap);
	if (nb == NULL) {
		fail_at(ps, ps->pos, "out of memory");
		return false;
	}
	ps->sbuf = nb;
	ps->scap = cap;
	return true;
}

/* A new value, attached to the open container (with the pending key). */
static struct jsonr_value *new_value(struct parser *ps, enum jsonr_type t)
{
	if (ps->nvals >= ps->lim.max_values) {
		fail_at(ps, ps->pos, "more than %zu values", ps->lim.max_values);
		return NULL;
	}
	if (ps->nvals == ps->capvals) {
		size_t cap = ps->capvals ? ps->capvals * 2 : 64;
		struct jsonr_value *nv = realloc(ps->vals, cap * sizeof *nv);
		if (nv == NULL) {
			fail_at(ps, ps->pos, "out of memory");
			return NULL;
		}
		ps->vals = nv;
		ps->capvals = cap;
	}
	uint32_t idx = (uint32_t)ps->nvals++;
	struct jsonr_value *v = &ps->vals[idx];
	memset(v, 0, sizeof *v);
	v->type = (uint8_t)t;
	v->koff = NO_KEY;
	if (ps->depth > 0) {
		struct jsonr_value *parent = &ps->vals[ps->stack[ps->depth - 1]];
		if (parent->type == JSONR_OBJECT) {
			v->koff = ps->koff;
			v->klen = ps->klen;
		}
		if (parent->last != 0)
			ps->vals[parent->last - 1].next = idx + 1;
		else
			parent->first = idx + 1;
		parent->last = idx + 1;
		parent->count++;
	}
	return v;
}

/* Length of a valid UTF-8 sequence at s (n bytes left), 0 if invalid:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_valid(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need;
	unsigned lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < need + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i <= need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return need + 1;
}

/* Four hex digits at pos, or -1. */
static long hex4(const struct parser *ps, size_t pos)
{
	long v = 0;
	if (pos > ps->len || ps->len - pos < 4)
		return -1;
	for (size_t i = 0; i < 4; i++) {
		unsigned char c = ps->p[pos + i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Append code point cp as UTF-8 (room already reserved). */
static void put_utf8(struct parser *ps, unsigned long cp)
{
	char *o = ps->sbuf + ps->slen;
	if (cp < 0x80) {
		o[0] = (char)cp;
		ps->slen += 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		ps->slen += 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		ps->slen += 3;
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		ps->slen += 4;
	}
}

/* One escape after the backslash at ps->pos; appends its bytes. */
static bool parse_escape(struct parser *ps)
{
	size_t at = ps->pos;	/* the backslash */
	if (at + 1 >= ps->len) {
		fail_at(ps, at, "unterminated escape");
		return false;
	}
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = memchr(from, ps->p[at + 1], sizeof from - 1);
	if (e != NULL) {
		ps->sbuf[ps->slen++] = to[e - from];
		ps->pos = at + 2;
		return true;
	}
	if (ps->p[at + 1] != 'u') {
		fail_at(ps, at, "invalid escape '\\%c'",
			ps->p[at + 1] >= 0x21 && ps->p[at + 1] < 0x7f ? ps->p[at + 1] : '?');
		return false;
	}
	long cp = hex4(ps, at + 2);
	if (cp < 0) {
		fail_at(ps, at, "invalid \\u escape (want four hex digits)");
		return false;
	}
	ps->pos = at + 6;
	if (cp >= 0xdc00 && cp <= 0xdfff) {
		fail_at(ps, at, "lone low surrogate \\u%04lX", (unsigned long)cp);
		return false;
	}
	if (cp >= 0xd800 && cp <= 0xdbff) {
		long lo = ps->pos + 1 < ps->len && ps->p[ps->pos] == '\\' && ps->p[ps->pos + 1] == 'u'
			? hex4(ps, ps->pos + 2) : -1;
		if (lo < 0xdc00 || lo > 0xdfff) {
			fail_at(ps, at, "lone high surrogate \\u%04lX", (unsigned long)cp);
			return false;
		}
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		ps->pos += 6;
	}
	put_utf8(ps, (unsigned long)cp);
	return true;
}

/* A string at ps->pos (the opening quote) into sbuf; offset and length. */
static bool parse_string(struct parser *ps, uint32_t *off, uint32_t *len)
{
	size_t open = ps->pos++;
	size_t start = ps->slen;
	for (;;) {
		if (ps->pos >= ps->len) {
			fail_at(ps, open, "unterminated string");
			return false;
		}
		/* An escape writes at most 4 bytes for 6-12 input bytes; a raw
		 * byte writes one. */
		if (!sbuf_reserve(ps, 5))
			return false;
		unsigned char c = ps->p[ps->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			if (!parse_escape(ps))
				return false;
		} else if (c < 0x20) {
			fail_at(ps, ps->pos, "control character 0x%02x in string", c);
			return false;
		} else if (c < 0x80) {
			ps->sbuf[ps->slen++] = (char)c;
			ps->pos++;
		} else {
			size_t n = utf8_valid(ps->p + ps->pos, ps->len - ps->pos);
			if (n == 0) {
				fail_at(ps, ps->pos, "invalid UTF-8 in string");
				return false;
			}
			memcpy(ps->sbuf + ps->slen, ps->p + ps->pos, n);
			ps->slen += n;
			ps->pos += n;
		}
	}
	ps->pos++;	/* closing quote */
	ps->sbuf[ps->slen++] = '\0';
	*off = (uint32_t)start;
	*len = (uint32_t)(ps->slen - start - 1);
	return true;
}

/* Digits at pos; returns how many. */
static size_t digits(const struct parser *ps, size_t pos)
{
	size_t n = 0;
	while (pos + n < ps->len && ps->p[pos + n] >= '0' && ps->p[pos + n] <= '9')
		n++;
	return n;
}

/* A number per the RFC 8259 grammar; its text goes to sbuf. */
static bool parse_number(struct parser *ps)
{
	size_t start = ps->pos, q = start;
	if (ps->p[q] == '-')
		q++;
	size_t n = digits(ps, q);
	if (n == 0) {
		fail_at(ps, q, "bad number: digit expected");
		return false;
	}
	if (ps->p[q] == '0' && n > 1) {
		fail_at(ps, q, "bad number: leading zero");
		return false;
	}
	q += n;
	if (q < ps->len && ps->p[q] == '.') {
		if ((n = digits(ps, q + 1)) == 0) {
			fail_at(ps, q + 1, "bad number: digit expected after '.'");
			return false;
		}
		q += 1 + n;
	}
	if (q < ps->len && (ps->p[q] == 'e' || ps->p[q] == 'E')) {
		q++;
		if (q < ps->len && (ps->p[q] == '+' || ps->p[q] == '-'))
			q++;
		if ((n = digits(ps, q)) == 0) {
			fail_at(ps, q, "bad number: digit expected in exponent");
			return false;
		}
		q += n;
	}
	struct jsonr_value *v = new_value(ps, JSONR_NUMBER);
	if (v == NULL || !sbuf_reserve(ps, q - start + 1))
		return false;
	v = &ps->vals[ps->nvals - 1];	/* sbuf_reserve never moves vals */
	memcpy(ps->sbuf + ps->slen, ps->p + start, q - start);
	v->soff = (uint32_t)ps->slen;
	v->slen = (uint32_t)(q - start);
	ps->slen += q - start;
	ps->sbuf[ps->slen++] = '\0';
	ps->pos = q;
	return true;
}

/* Open a container: a value plus a stack entry. */
static bool open_container(struct parser *ps, enum jsonr_type t)
{
	if (ps->depth >= ps->lim.max_depth) {
		fail_at(ps, ps->pos, "nesting deeper than %zu", ps->lim.max_depth);
		return false;
	}
	if (new_value(ps, t) == NULL)
		return false;
	ps->stack[ps->depth++] = (uint32_t)(ps->nvals - 1);
	ps->pos++;
	return true;
}

/* ST_VALUE: one value or the start of a container; the next state. */
static enum pstate step_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->pos >= ps->len) {
		fail_unexpected(ps, "expected a value");
		return ST_DONE;
	}
	unsigned char c = ps->p[ps->pos];
	static const struct {
		const char *word;
		enum jsonr_type type;
	} lits[] = {{"true", JSONR_TRUE}, {"false", JSONR_FALSE}, {"null", JSONR_NULL}};
	switch (c) {
	case '{':
	case '[':
		if (!open_container(ps, c == '{' ? JSONR_OBJECT : JSONR_ARRAY))
			return ST_DONE;
		skip_ws(ps);
		if (ps->pos < ps->len && ps->p[ps->pos] == (c == '{' ? '}' : ']')) {
			ps->pos++;
			ps->depth--;
			return ST_AFTER;
		}
		return c == '{' ? ST_KEY : ST_VALUE;
	case '"': {
		uint32_t off, len;
		if (!parse_string(ps, &off, &len))
			return ST_DONE;
		struct jsonr_value *v = new_value(ps, JSONR_STRING);
		if (v == NULL)
			return ST_DONE;
		v->soff = off;
		v->slen = len;
		return ST_AFTER;
	}
	default:
		break;
	}
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(ps) ? ST_AFTER : ST_DONE;
	for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
		size_t n = strlen(lits[i].word);
		if (ps->len - ps->pos >= n && memcmp(ps->p + ps->pos, lits[i].word, n) == 0) {
			if (new_value(ps, lits[i].type) == NULL)
				return ST_DONE;
			ps->pos += n;
			return ST_AFTER;
		}
	}
	fail_unexpected(ps, "expected a value");
	return ST_DONE;
}

/* ST_KEY: "key" : */
static enum pstate step_key(struct parser *ps)
{
	skip_ws(ps);
	if (ps->pos >= ps->len || ps->p[ps->pos] != '"') {
		fail_unexpected(ps, "expected a string key");
		return ST_DONE;
	}
	if (!parse_string(ps, &ps->koff, &ps->klen))
		return ST_DONE;
	skip_ws(ps);
	if (ps->pos >= ps->len || ps->p[ps->pos] != ':') {
		fail_unexpected(ps, "expected ':' after key");
		return ST_DONE;
	}
	ps->pos++;
	return ST_VALUE;
}

/* ST_AFTER: after a value: ',' or the close of the open container. */
static enum pstate step_after(struct parser *ps)
{
	skip_ws(ps);
	if (ps->depth == 0) {
		if (ps->pos < ps->len)
			fail_unexpected(ps, "expected the end of the document");
		return ST_DONE;
	}
	bool obj = ps->vals[ps->stack[ps->depth - 1]].type == JSONR_OBJECT;
	unsigned char c = ps->pos < ps->len ? ps->p[ps->pos] : 0;
	if (c == ',') {
		ps->pos++;
		return obj ? ST_KEY : ST_VALUE;
	}
	if (c == (obj ? '}' : ']')) {
		ps->pos++;
		ps->depth--;
		return ST_AFTER;
	}
	fail_unexpected(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	return ST_DONE;
}

/* Turn the linked children into per-container slices of one index
 * array, and point every value at the document. */
static bool resolve(struct jsonr_doc *doc)
{
	doc->kids = malloc((doc->nvals ? doc->nvals : 1) * sizeof *doc->kids);
	if (doc->kids == NULL)
		return false;
	uint32_t cursor = 0;
	for (size_t i = 0; i < doc->nvals; i++) {
		struct jsonr_value *v = &doc->vals[i];
		v->doc = doc;
		if (v->type != JSONR_ARRAY && v->type != JSONR_OBJECT)
			continue;
		uint32_t at = cursor;
		for (uint32_t k = v->first; k != 0; k = doc->vals[k - 1].next)
			doc->kids[cursor++] = k - 1;
		v->first = at;
	}
	return true;
}

static void limits_apply(struct jsonr_limits *l, const struct jsonr_limits *in)
{
	l->max_bytes = in && in->max_bytes ? in->max_bytes : JSONR_MAX_BYTES;
	l->max_depth = in && in->max_depth ? in->max_depth : JSONR_MAX_DEPTH;
	l->max_values = in && in->max_values ? in->max_values : JSONR_MAX_VALUES;
	if (l->max_bytes > JSONR_HARD_MAX_BYTES)
		l->max_bytes = JSONR_HARD_MAX_BYTES;
	if (l->max_values > UINT32_MAX - 1)
		l->max_values = UINT32_MAX - 1;
}

struct jsonr_doc *jsonr_parse(const char *data, size_t len, const struct jsonr_limits *limits,
			      struct jsonr_error *err)
{
	struct parser ps = {.p = (const unsigned char *)data, .len = len, .err = err};
	if (err != NULL)
		memset(err, 0, sizeof *err);
	limits_apply(&ps.lim, limits);
	if (len > ps.lim.max_bytes) {
		ps.len = 0;	/* line/column of offset 0 */
		fail_at(&ps, 0, "input larger than %zu bytes", ps.lim.max_bytes);
		return NULL;
	}
	if (data == NULL)
		ps.len = 0;
	if (ps.len >= 3 && memcmp(ps.p, "\xef\xbb\xbf", 3) == 0)
		ps.pos = 3;
	ps.stack = malloc(ps.lim.max_depth * sizeof *ps.stack);
	struct jsonr_doc *doc = calloc(1, sizeof *doc);
	if (ps.stack == NULL || doc == NULL) {
		fail_at(&ps, 0, "out of memory");
	} else {
		enum pstate st = ST_VALUE;
		while (st != ST_DONE && !ps.failed) {
			if (st == ST_VALUE)
				st = step_value(&ps);
			else if (st == ST_KEY)
				st = step_key(&ps);
			else
				st = step_after(&ps);
		}
	}
	free(ps.stack);
	if (!ps.failed) {
		doc->vals = ps.vals;
		doc->nvals = ps.nvals;
		doc->sbuf = ps.sbuf;
		if (resolve(doc))
			return doc;
		fail_at(&ps, 0, "out of memory");
		jsonr_free(doc);
		return NULL;
	}
	free(ps.vals);
	free(ps.sbuf);
	free(doc);
	return NULL;
}

void jsonr_free(struct jsonr_doc *doc)
{
	if (doc == NULL)
		return;
	free(doc->vals);
	free(doc->sbuf);
	free(doc->kids);
	free(doc);
}

const struct jsonr_value *jsonr_root(const struct jsonr_doc *doc)
{
	return doc != NULL && doc->nvals > 0 ? &doc->vals[0] : NULL;
}

enum jsonr_type jsonr_type(const struct jsonr_value *v)
{
	return v != NULL ? (enum jsonr_type)v->type : JSONR_NONE;
}

static const struct name_value types[] = {
	{"none", JSONR_NONE},	  {"null", JSONR_NULL},	    {"false", JSONR_FALSE},
	{"true", JSONR_TRUE},	  {"number", JSONR_NUMBER}, {"string", JSONR_STRING},
	{"array", JSONR_ARRAY},	  {"object", JSONR_OBJECT},
};

const char *jsonr_type_name(enum jsonr_type t)
{
	return name_of(types, NAMES_LEN(types), (int)t, "?");
}

size_t jsonr_count(const struct jsonr_value *v)
{
	return v != NULL && (v->type == JSONR_ARRAY || v->type == JSONR_OBJECT) ? v->count : 0;
}

const struct jsonr_value *jsonr_at(const struct jsonr_value *v, size_t i)
{
	if (i >= jsonr_count(v))
		return NULL;
	return &v->doc->vals[v->doc->kids[v->first + i]];
}

const char *jsonr_key(const struct jsonr_value *v, size_t i, size_t *len)
{
	if (jsonr_type(v) != JSONR_OBJECT || i >= v->count)
		return NULL;
	const struct jsonr_value *m = jsonr_at(v, i);
	if (len != NULL)
		*len = m->klen;
	return v->doc->sbuf + m->koff;
}

const struct jsonr_value *jsonr_get(const struct jsonr_value *v, const char *key)
{
	if (jsonr_type(v) != JSONR_OBJECT || key == NULL)
		return NULL;
	size_t n = strlen(key);
	for (size_t i = v->count; i-- > 0;) {
		const struct jsonr_value *m = jsonr_at(v, i);
		if (m->klen == n && memcmp(v->doc->sbuf + m->koff, key, n) == 0)
			return m;
	}
	return NULL;
}

const char *jsonr_strn(const struct jsonr_value *v, size_t *len)
{
	if (v == NULL || (v->type != JSONR_STRING && v->type != JSONR_NUMBER))
		return NULL;
	if (len != NULL)
		*len = v->slen;
	return v->doc->sbuf + v->soff;
}

const char *jsonr_str(const struct jsonr_value *v)
{
	size_t n;
	const char *s = jsonr_strn(v, &n);
	return s != NULL && strlen(s) == n ? s : NULL;
}

bool jsonr_u64(const struct jsonr_value *v, uint64_t *out)
{
	if (jsonr_type(v) != JSONR_NUMBER)
		return false;
	const char *s = jsonr_str(v);
	uint64_t r = 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;	/* sign, fraction or exponent */
		unsigned d = (unsigned)(*s - '0');
		if (r > (UINT64_MAX - d) / 10)
			return false;
		r = r * 10 + d;
	}
	*out = r;
	return true;
}

bool jsonr_bool(const struct jsonr_value *v)
{
	return jsonr_type(v) == JSONR_TRUE;
}
