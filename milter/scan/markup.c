/*
 * markup.c - the text stage of extraction: decoded UTF-8 to the text a
 * scanner reads (see markup.h).
 *
 * Pipeline per stage: UTF-8 -> line unfolding (iCalendar / vCard only)
 * -> markup state machine (HTML, office XML, other XML; plain text passes
 * through) -> 64 KiB output buffer -> emit().  Every step keeps its state
 * across chunks, so the result does not depend on how the input was cut.
 *
 * Limits: the markup stage reads byte by byte and never looks back; tag
 * names are kept to 40 bytes, entity names to 12, attribute values needed
 * for decisions to 8 (longer ones are truncated, not buffered).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/charset.h"
#include "grondslag/scan/markup.h"

#define OUT_CAP 65536
#define TAG_CAP 40
#define ENT_CAP 12
#define ATTR_CAP 8

enum mstate {
	M_TEXT, M_TAG_OPEN, M_TAG_NAME, M_ATTR_SPACE, M_ATTR_NAME, M_ATTR_AFTER_NAME,
	M_ATTR_EQ, M_ATTR_VALUE_Q, M_ATTR_VALUE_U, M_BANG, M_COMMENT, M_CDATA, M_SKIP_TO_GT,
	M_ENTITY, M_RAWTEXT
};

struct markup {
	enum markup_kind markup;
	int (*emit)(void *arg, const char *buf, size_t len);
	void *arg;
	int rc;				/* first non-zero emit() result */

	/* markup */
	enum mstate st;
	char tag[TAG_CAP + 1];
	size_t tag_len;
	bool closing, selfclose;
	char attr[TAG_CAP + 1];
	size_t attr_len;
	char aval[ATTR_CAP + 1];
	size_t aval_len;
	char quote;
	bool attr_emit;			/* HTML: this attribute's value is text */
	char ent[ENT_CAP + 1];
	size_t ent_len;
	unsigned dashes;		/* comment "--" / CDATA "]]" counter */
	const char *rawtext;		/* HTML: "script" or "style" being skipped */
	size_t raw_match;
	unsigned in_text;		/* office: depth of text-bearing elements */
	bool cell_shared;		/* office: current <c t="s"> */
	bool in_shared_v;		/* office: inside that cell's <v> */

	bool nul_alone;			/* a NUL comes in a call of its own */

	/* iCalendar / vCard line unfolding (RFC 5545 3.1, RFC 6350 3.2) */
	bool unfold;			/* remove CRLF / LF followed by a blank */
	unsigned cal_seen;		/* bytes of the first line matched so far */
	unsigned cal_alive;		/* bit set: "BEGIN:VCALENDAR", "BEGIN:VCARD" still match */
	char fold[2];			/* "\r", "\r\n" or "\n" held back */
	size_t fold_len;

	size_t out_len;
	char out[OUT_CAP];
};

/* ---- output ------------------------------------------------------------ */

/* Hand the buffered output to emit(); remember its first non-zero answer. */
static void out_flush(struct markup *t)
{
	if (t->out_len > 0 && t->rc == 0)
		t->rc = t->emit(t->arg, t->out, t->out_len);
	t->out_len = 0;
}

static void out_bytes(struct markup *t, const char *s, size_t n)
{
	while (n > 0 && t->rc == 0) {
		if (t->out_len == OUT_CAP)
			out_flush(t);
		size_t k = OUT_CAP - t->out_len < n ? OUT_CAP - t->out_len : n;
		memcpy(t->out + t->out_len, s, k);
		t->out_len += k;
		s += k;
		n -= k;
	}
}

/* A run of finished text: long runs go to emit() straight from the
 * caller's buffer (after what is buffered, to keep the order), in slices
 * of at most OUT_CAP like the buffer's, instead of through a copy; short
 * ones are gathered so that emit() is not called for every few bytes
 * between two repairs. */
#define OUT_DIRECT 1024

static void out_run(struct markup *t, const char *s, size_t n)
{
	if (n < OUT_DIRECT) {
		out_bytes(t, s, n);
		return;
	}
	out_flush(t);
	while (n > 0 && t->rc == 0) {
		size_t k = n < OUT_CAP ? n : OUT_CAP;
		t->rc = t->emit(t->arg, s, k);
		s += k;
		n -= k;
	}
}

static void out_byte(struct markup *t, char c)
{
	if (t->out_len == OUT_CAP)
		out_flush(t);
	t->out[t->out_len++] = c;
}

/* ---- markup stage -------------------------------------------------------- */

/* Whether character data at this point is text to hand on. */
static bool text_on(const struct markup *t)
{
	if (t->markup == MARKUP_HTML)
		return t->rawtext == NULL;
	if (t->markup == MARKUP_OFFICE)
		return t->in_text > 0 && !t->in_shared_v;
	return true;	/* plain text, generic XML */
}

static void text_byte(struct markup *t, char c)
{
	if (text_on(t))
		out_byte(t, c);
}

static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
	{"nbsp", ' '}, {"ensp", ' '}, {"emsp", ' '}, {"thinsp", ' '}, {"period", '.'},
	{"colon", ':'}, {"sol", '/'}, {"lsqb", '['}, {"rsqb", ']'}, {"lpar", '('},
	{"rpar", ')'}, {"copy", 0xa9}, {"reg", 0xae}, {"shy", 0}, {"ndash", 0x2013},
	{"mdash", 0x2014}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201c},
	{"rdquo", 0x201d}, {"bull", 0x2022}, {"hellip", 0x2026}, {"middot", 0xb7},
	{"euro", 0x20ac}, {"tab", '\t'}, {"newline", '\n'},
};

/* Decode the entity name in t->ent; false when it is not one we know. */
static bool entity_decode(const struct markup *t, uint32_t *cp)
{
	const char *e = t->ent;
	if (e[0] == '#') {
		bool hex = e[1] == 'x' || e[1] == 'X';
		const char *d = e + (hex ? 2 : 1);
		uint32_t v = 0;
		if (*d == '\0')
			return false;
		for (; *d; d++) {
			unsigned dv;
			if (*d >= '0' && *d <= '9')
				dv = (unsigned)(*d - '0');
			else if (hex && ((*d | 0x20) >= 'a' && (*d | 0x20) <= 'f'))
				dv = (unsigned)((*d | 0x20) - 'a' + 10);
			else
				return false;
			v = v * (hex ? 16u : 10u) + dv;
			if (v > 0x10ffff)
				v = 0x110000;	/* stays invalid, no overflow */
		}
		*cp = v;
		return true;
	}
	for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
		if (strcmp(entities[i].name, e) == 0) {
			*cp = entities[i].cp;
			return true;
		}
	return false;
}

/* An entity ended with ';': emit its character, or the text as it was. */
static void entity_end(struct markup *t)
{
	uint32_t cp;
	t->ent[t->ent_len] = '\0';
	if (!text_on(t))
		return;
	if (entity_decode(t, &cp)) {
		char u[4];
		if (cp == 0 && strcmp(t->ent, "shy") == 0)
			return;	/* soft hyphen: nothing, so "8.8&shy;.8.8" joins */
		out_bytes(t, u, charset_utf8_encode(cp, u));
		return;
	}
	out_byte(t, '&');
	out_bytes(t, t->ent, t->ent_len);
	out_byte(t, ';');
}

static bool name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(name, *set) == 0)
			return true;
	return false;
}

static const char *const html_block[] = {
	"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul",
	"ol", "dl", "dt", "dd", "blockquote", "pre", "hr", "title", "section", "article",
	"header", "footer", "nav", "aside", "address", "form", "fieldset", "center",
	"body", "html", "head", "caption", "thead", "tbody", "tfoot", NULL};
static const char *const html_cell[] = {"td", "th", NULL};
static const char *const html_attr_text[] = {"href", "src", "alt", "title", NULL};
/* Office attributes that hold values: pivot cache items (<s v="..."/>),
 * relationship targets (external links), ODF string cells. */
static const char *const office_attr_text[] = {"v", "target", "office:string-value", NULL};

/* A complete HTML tag was read. */
static void html_tag_done(struct markup *t)
{
	if (t->closing) {
		if (t->rawtext != NULL && strcmp(t->tag, t->rawtext + 2) == 0)
			t->rawtext = NULL;
	} else if (!t->selfclose && (strcmp(t->tag, "script") == 0 || strcmp(t->tag, "style") == 0)) {
		t->rawtext = strcmp(t->tag, "script") == 0 ? "</script" : "</style";
		t->raw_match = 0;
		t->st = M_RAWTEXT;
		out_byte(t, '\n');
		return;
	}
	if (t->rawtext == NULL) {
		if (name_in(t->tag, html_block))
			out_byte(t, '\n');
		else if (!t->closing && name_in(t->tag, html_cell))
			out_byte(t, '\t');
	}
	t->st = M_TEXT;
}

/* Office XML elements whose character data is document text. */
static bool office_text_element(const char *prefix, size_t plen, const char *local)
{
	if (strcmp(local, "t") == 0 || strcmp(local, "deltext") == 0 || strcmp(local, "v") == 0)
		return true;
	if (plen == 4 && memcmp(prefix, "text", 4) == 0)
		return strcmp(local, "p") == 0 || strcmp(local, "h") == 0 ||
		       strcmp(local, "span") == 0 || strcmp(local, "a") == 0;
	return false;
}

static const char *const office_line_end[] = {
	"p", "h", "si", "row", "tr", "table-row", "list-item", NULL};
static const char *const office_cell_end[] = {"tc", "c", "table-cell", NULL};

/* A complete office XML tag was read: track text elements, separators. */
static void office_tag_done(struct markup *t)
{
	const char *colon = strrchr(t->tag, ':');
	const char *local = colon ? colon + 1 : t->tag;
	size_t plen = colon ? (size_t)(colon - t->tag) : 0;

	t->st = M_TEXT;
	if (t->selfclose || !t->closing) {
		if (strcmp(local, "br") == 0 || strcmp(local, "cr") == 0 ||
		    strcmp(local, "line-break") == 0)
			out_byte(t, '\n');
		else if (strcmp(local, "tab") == 0)
			out_byte(t, '\t');
		else if (strcmp(local, "s") == 0 && plen == 4)
			out_byte(t, ' ');
	}
	if (t->selfclose)
		return;
	if (!t->closing) {
		if (strcmp(local, "v") == 0 && t->cell_shared)
			t->in_shared_v = true;
		if (office_text_element(t->tag, plen, local))
			t->in_text++;
		return;
	}
	if (office_text_element(t->tag, plen, local) && t->in_text > 0)
		t->in_text--;
	if (strcmp(local, "v") == 0)
		t->in_shared_v = false;
	if (strcmp(local, "c") == 0)
		t->cell_shared = false;
	if (name_in(local, office_line_end))
		out_byte(t, '\n');
	else if (name_in(local, office_cell_end))
		out_byte(t, '\t');
}

static void tag_done(struct markup *t)
{
	t->tag[t->tag_len] = '\0';
	if (t->markup == MARKUP_HTML) {
		html_tag_done(t);
	} else if (t->markup == MARKUP_XML) {
		/* Generic XML has no known text elements: every element's
		 * data is a value of its own. */
		t->st = M_TEXT;
		if (t->closing || t->selfclose)
			out_byte(t, '\n');
	} else {
		office_tag_done(t);
	}
}

/* An attribute name was read: decide what its value is for. */
static void attr_start_value(struct markup *t)
{
	t->attr[t->attr_len] = '\0';
	t->aval_len = 0;
	t->attr_emit = (t->markup == MARKUP_HTML && !t->closing && t->rawtext == NULL &&
			name_in(t->attr, html_attr_text)) ||
		       (t->markup == MARKUP_OFFICE && !t->closing && name_in(t->attr, office_attr_text)) ||
		       (t->markup == MARKUP_XML && !t->closing);
	if (t->attr_emit)
		out_byte(t, ' ');
}

static void attr_value_byte(struct markup *t, char c)
{
	if (t->attr_emit)
		out_byte(t, c);
	else if (t->aval_len < ATTR_CAP)
		t->aval[t->aval_len++] = c;
}

/* An XLSX cell element (any prefix). */
static bool is_cell(const char *tag)
{
	const char *colon = strrchr(tag, ':');
	return strcmp(colon ? colon + 1 : tag, "c") == 0;
}

static void attr_end(struct markup *t)
{
	t->aval[t->aval_len] = '\0';
	if (t->attr_emit)
		out_byte(t, ' ');
	else if (t->markup == MARKUP_OFFICE && strcmp(t->attr, "t") == 0 && is_cell(t->tag))
		t->cell_shared = strcmp(t->aval, "s") == 0;
	t->attr_emit = false;
	t->st = M_ATTR_SPACE;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == ':' || c == '-' || c == '_' || c == '.';
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Inside a tag after its name: attributes, '/', '>'. */
static void step_in_tag(struct markup *t, char c)
{
	switch (t->st) {
	case M_ATTR_SPACE:
		if (c == '>')
			tag_done(t);
		else if (c == '/')
			t->selfclose = true;
		else if (!is_space(c)) {
			t->selfclose = false;
			t->attr_len = 0;
			t->attr[t->attr_len++] = lower(c);
			t->st = M_ATTR_NAME;
		}
		break;
	case M_ATTR_NAME:
	case M_ATTR_AFTER_NAME:
		if (c == '=') {
			attr_start_value(t);
			t->st = M_ATTR_EQ;
		} else if (c == '>') {
			tag_done(t);
		} else if (is_space(c)) {
			t->st = M_ATTR_AFTER_NAME;
		} else if (t->st == M_ATTR_AFTER_NAME) {
			t->st = M_ATTR_SPACE;
			step_in_tag(t, c);
		} else if (t->attr_len < TAG_CAP) {
			t->attr[t->attr_len++] = lower(c);
		}
		break;
	case M_ATTR_EQ:
		if (c == '"' || c == '\'') {
			t->quote = c;
			t->st = M_ATTR_VALUE_Q;
		} else if (c == '>') {
			attr_end(t);
			tag_done(t);
		} else if (!is_space(c)) {
			t->st = M_ATTR_VALUE_U;
			attr_value_byte(t, c);
		}
		break;
	case M_ATTR_VALUE_Q:
		if (c == t->quote)
			attr_end(t);
		else
			attr_value_byte(t, c);
		break;
	default: /* M_ATTR_VALUE_U */
		if (is_space(c)) {
			attr_end(t);
		} else if (c == '>') {
			attr_end(t);
			tag_done(t);
		} else {
			attr_value_byte(t, c);
		}
		break;
	}
}

/* <! ... : a comment, CDATA or a declaration. */
static void step_bang(struct markup *t, char c)
{
	static const char cdata[] = "[CDATA[";
	if (t->tag_len < TAG_CAP)
		t->tag[t->tag_len++] = c;
	t->tag[t->tag_len] = '\0';
	if (strcmp(t->tag, "--") == 0) {
		t->dashes = 0;
		t->st = M_COMMENT;
		if ((t->markup == MARKUP_HTML && t->rawtext == NULL) || t->markup == MARKUP_XML)
			out_byte(t, '\n');
	} else if (strcmp(t->tag, cdata) == 0) {
		t->dashes = 0;
		t->st = M_CDATA;
	} else if (strncmp(cdata, t->tag, t->tag_len) != 0 && strncmp("--", t->tag, t->tag_len) != 0) {
		t->st = c == '>' ? M_TEXT : M_SKIP_TO_GT;
	}
}

/* Raw text of script/style: read as text (script data carries JSON
 * arrays, a style block can hide anything) up to the matching end tag. */
static void step_rawtext(struct markup *t, char c)
{
	if (lower(c) == t->rawtext[t->raw_match]) {
		if (t->rawtext[++t->raw_match] == '\0') {
			/* "</script" seen: read the rest of the end tag normally. */
			strcpy(t->tag, t->rawtext + 2);
			t->tag_len = strlen(t->tag);
			t->closing = true;
			t->selfclose = false;
			t->st = M_ATTR_SPACE;
			out_byte(t, '\n');
		}
	} else {
		out_bytes(t, t->rawtext, t->raw_match);	/* a false start, lower-cased */
		t->raw_match = c == '<' ? 1 : 0;
		if (t->raw_match == 0)
			out_byte(t, c);
	}
}

/* An HTML comment is text too: a list can hide there. */
static void step_comment(struct markup *t, char c)
{
	bool emit = (t->markup == MARKUP_HTML && t->rawtext == NULL) || t->markup == MARKUP_XML;
	if (c == '-') {
		t->dashes++;
	} else if (c == '>' && t->dashes >= 2) {
		t->st = M_TEXT;
		if (emit)
			out_byte(t, '\n');
	} else {
		for (; emit && t->dashes > 0; t->dashes--)
			out_byte(t, '-');
		t->dashes = 0;
		if (emit)
			out_byte(t, c);
	}
}

static void step_cdata(struct markup *t, char c)
{
	if (c == ']') {
		if (++t->dashes > 2) {
			text_byte(t, ']');
			t->dashes = 2;
		}
	} else if (c == '>' && t->dashes >= 2) {
		t->st = M_TEXT;
	} else {
		for (; t->dashes > 0; t->dashes--)
			text_byte(t, ']');
		text_byte(t, c);
	}
}

/* Inside "&...": the entity's name, up to ';'.  true when it was no
 * entity: what was held is given back and c must be read again as text. */
static bool step_entity(struct markup *t, char c)
{
	if (c == ';') {
		entity_end(t);
		t->st = M_TEXT;
		return false;
	}
	if ((is_name_char(c) || c == '#') && c != ':' && t->ent_len < ENT_CAP) {
		t->ent[t->ent_len++] = c;
		return false;
	}
	if (text_on(t)) {
		out_byte(t, '&');
		out_bytes(t, t->ent, t->ent_len);
	}
	t->st = M_TEXT;
	return true;
}

/* The byte after '<'.  true when it starts no tag ("a < b"): the '<' is
 * text and c must be read again. */
static bool step_tag_open(struct markup *t, char c)
{
	t->tag_len = 0;
	t->closing = t->selfclose = false;
	if (c == '/') {
		t->closing = true;
		t->st = M_TAG_NAME;
	} else if (c == '!') {
		t->st = M_BANG;
	} else if (c == '?') {
		t->st = M_SKIP_TO_GT;
	} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		t->tag[t->tag_len++] = lower(c);
		t->st = M_TAG_NAME;
	} else {
		text_byte(t, '<');
		t->st = M_TEXT;
		return true;
	}
	return false;
}

/* A tag's name, up to the first byte that cannot be in one. */
static void step_tag_name(struct markup *t, char c)
{
	if (is_name_char(c)) {
		if (t->tag_len < TAG_CAP)
			t->tag[t->tag_len++] = lower(c);
		return;
	}
	t->tag[t->tag_len] = '\0';
	if (t->markup == MARKUP_OFFICE && !t->closing && is_cell(t->tag))
		t->cell_shared = false;	/* attributes may set it */
	t->st = M_ATTR_SPACE;
	step_in_tag(t, c);
}

/* One UTF-8 byte through the markup state machine. */
static void markup_byte(struct markup *t, char c)
{
	switch (t->st) {
	case M_TEXT:
		if (c == '<') {
			t->st = M_TAG_OPEN;
		} else if (c == '&') {
			t->ent_len = 0;
			t->st = M_ENTITY;
		} else {
			text_byte(t, c);
		}
		break;
	case M_ENTITY:
		if (step_entity(t, c))
			markup_byte(t, c);	/* once: the state is M_TEXT now */
		break;
	case M_TAG_OPEN:
		if (step_tag_open(t, c))
			markup_byte(t, c);	/* once: the state is M_TEXT now */
		break;
	case M_TAG_NAME:
		step_tag_name(t, c);
		break;
	case M_BANG:
		step_bang(t, c);
		break;
	case M_COMMENT:
		step_comment(t, c);
		break;
	case M_CDATA:
		step_cdata(t, c);
		break;
	case M_SKIP_TO_GT:
		if (c == '>')
			t->st = M_TEXT;
		break;
	case M_RAWTEXT:
		step_rawtext(t, c);
		break;
	default:
		step_in_tag(t, c);
		break;
	}
}

/* Decoded UTF-8 into the markup stage (after unfolding). */
static void markup_text(struct markup *t, const char *s, size_t n)
{
	/* NUL becomes a space: C-string consumers downstream must not see a
	 * premature end of text (a hiding place for addresses). */
	if (t->markup == MARKUP_PLAIN && t->nul_alone) {
		if (n == 1 && *s == '\0')
			out_byte(t, ' ');
		else
			out_run(t, s, n);
		return;
	}
	if (t->markup == MARKUP_PLAIN) {
		const char *z;
		while (n > 0 && (z = memchr(s, '\0', n)) != NULL) {
			out_run(t, s, (size_t)(z - s));
			out_byte(t, ' ');
			n -= (size_t)(z - s) + 1;
			s = z + 1;
		}
		out_run(t, s, n);
		return;
	}
	for (size_t i = 0; i < n && t->rc == 0; i++)
		markup_byte(t, s[i] ? s[i] : ' ');
}

/* The text starts like an iCalendar or vCard object?  Matched byte by
 * byte over the first line (no fold can come before its end), so nothing
 * is held back; leading blank lines are skipped. */
static void cal_sniff(struct markup *t, const char *s, size_t n)
{
	static const char *const heads[2] = {"BEGIN:VCALENDAR", "BEGIN:VCARD"};

	for (size_t i = 0; i < n && t->cal_alive != 0; i++) {
		char c = s[i];
		if (t->cal_seen == 0 && (c == '\r' || c == '\n' || c == ' ' || c == '\t'))
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 32);
		for (unsigned h = 0; h < 2; h++) {
			size_t len = strlen(heads[h]);
			if (!(t->cal_alive & 1u << h))
				continue;
			if (t->cal_seen >= len || heads[h][t->cal_seen] != c)
				t->cal_alive &= ~(1u << h);
			else if (t->cal_seen == len - 1)
				t->unfold = true;
		}
		t->cal_seen++;
		if (t->unfold)
			t->cal_alive = 0;
	}
}

/* Unfold: a line break followed by one space or tab is removed with that
 * blank, so an address folded across two lines reads whole. */
static void unfold_feed(struct markup *t, const char *s, size_t n)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (t->fold_len == 0) {
			if (c != '\r' && c != '\n')
				continue;
			markup_text(t, s + run, i - run);
			t->fold[t->fold_len++] = c;
			run = i + 1;
			continue;
		}
		if (t->fold[t->fold_len - 1] == '\r' && c == '\n' && t->fold_len == 1) {
			t->fold[t->fold_len++] = c;
			run = i + 1;
			continue;
		}
		if (t->fold[t->fold_len - 1] == '\n' && (c == ' ' || c == '\t')) {
			t->fold_len = 0;	/* the fold and its blank vanish */
			run = i + 1;
			continue;
		}
		markup_text(t, t->fold, t->fold_len);
		t->fold_len = 0;
		run = i;
		i--;	/* look at c again with nothing held */
	}
	markup_text(t, s + run, n - run);
}

/* Decoded UTF-8 into unfolding (when on) and the markup stage. */
static void markup_feed(struct markup *t, const char *s, size_t n)
{
	if (t->cal_alive != 0)
		cal_sniff(t, s, n);
	if (t->unfold || t->fold_len > 0)
		unfold_feed(t, s, n);
	else
		markup_text(t, s, n);
}

/* Release a line break held back by unfolding (end of stream). */
static void unfold_flush(struct markup *t)
{
	if (t->fold_len > 0) {
		markup_text(t, t->fold, t->fold_len);
		t->fold_len = 0;
	}
}

static void markup_reset(struct markup *t)
{
	t->st = M_TEXT;
	t->rawtext = NULL;
	t->in_text = 0;
	t->cell_shared = t->in_shared_v = false;
	t->attr_emit = false;
}

struct markup *markup_alloc(enum markup_kind kind,
			    int (*emit)(void *arg, const char *buf, size_t len), void *arg)
{
	struct markup *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->markup = kind;
	t->emit = emit;
	t->arg = arg;
	t->cal_alive = kind == MARKUP_PLAIN ? 3u : 0u;
	markup_reset(t);
	return t;
}

void markup_unfold_lines(struct markup *t)
{
	t->unfold = true;
	t->cal_alive = 0;
}

void markup_nul_alone(struct markup *t)
{
	t->nul_alone = true;
}

int markup_update(struct markup *t, const char *s, size_t n)
{
	if (t->rc == 0)
		markup_feed(t, s, n);
	return t->rc;
}

int markup_next_document(struct markup *t)
{
	markup_reset(t);
	if (t->rc == 0)
		out_byte(t, '\n');
	return t->rc;
}

int markup_finish(struct markup *t)
{
	if (t->rc == 0)
		unfold_flush(t);
	if (t->rc == 0 && t->st == M_ENTITY && text_on(t)) {
		out_byte(t, '&');	/* an unfinished "&xyz" at the very end */
		out_bytes(t, t->ent, t->ent_len);
	}
	t->st = M_TEXT;
	out_flush(t);
	return t->rc;
}

void markup_free(struct markup *t)
{
	free(t);
}
