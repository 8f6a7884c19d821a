/*
 * textx.c - streaming text extraction: charset decoding to UTF-8 and
 * HTML / office-XML markup stripping (see textx.h).
 *
 * Pipeline per converter: input bytes -> decoder (UTF-8 repair, UTF-16,
 * iconv) -> line unfolding (iCalendar / vCard only) -> markup state
 * machine -> 64 KiB output buffer -> emit().  Every
 * stage keeps its state across chunks, so the result does not depend on
 * how the input was cut.  The tables of names (extensions, media types)
 * and the sniffers live here too, so the walker has one place to ask "is
 * this text?".
 *
 * Limits: the markup stage reads byte by byte and never looks back; tag
 * names are kept to 40 bytes, entity names to 12, attribute values needed
 * for decisions to 8 (longer ones are truncated, not buffered).
 */
#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define TEXTX_AVX2 1
#endif

#include "grondslag/scan/textx.h"

#define OUT_CAP 65536
#define SCRATCH_CAP 16384
#define TAG_CAP 40
#define ENT_CAP 12
#define ATTR_CAP 8

enum dec_mode { DEC_START, DEC_UTF8, DEC_UTF16LE, DEC_UTF16BE, DEC_ICONV };

enum mstate {
	M_TEXT, M_TAG_OPEN, M_TAG_NAME, M_ATTR_SPACE, M_ATTR_NAME, M_ATTR_AFTER_NAME,
	M_ATTR_EQ, M_ATTR_VALUE_Q, M_ATTR_VALUE_U, M_BANG, M_COMMENT, M_CDATA, M_SKIP_TO_GT,
	M_ENTITY, M_RAWTEXT
};

struct textx {
	enum textx_markup markup;
	int (*emit)(void *arg, const char *buf, size_t len);
	void *arg;
	int rc;				/* first non-zero emit() result */

	/* decoder */
	enum dec_mode mode, declared;
	iconv_t cd;
	unsigned char carry[8];
	size_t carry_len;

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

	/* iCalendar / vCard line unfolding (RFC 5545 3.1, RFC 6350 3.2) */
	bool unfold;			/* remove CRLF / LF followed by a blank */
	unsigned cal_seen;		/* bytes of the first line matched so far */
	unsigned cal_alive;		/* bit set: "BEGIN:VCALENDAR", "BEGIN:VCARD" still match */
	char fold[2];			/* "\r", "\r\n" or "\n" held back */
	size_t fold_len;

	size_t out_len;
	char out[OUT_CAP];
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_init_once(void)
{
	g_mime_init();
}

void textx_global_init(void)
{
	(void)pthread_once(&gmime_once, gmime_init_once);
}

/* ---- output ------------------------------------------------------------ */

/* Hand the buffered output to emit(); remember its first non-zero answer. */
static void out_flush(struct textx *t)
{
	if (t->out_len > 0 && t->rc == 0)
		t->rc = t->emit(t->arg, t->out, t->out_len);
	t->out_len = 0;
}

static void out_bytes(struct textx *t, const char *s, size_t n)
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

static void out_run(struct textx *t, const char *s, size_t n)
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

static void out_byte(struct textx *t, char c)
{
	if (t->out_len == OUT_CAP)
		out_flush(t);
	t->out[t->out_len++] = c;
}

/* Encode one code point as UTF-8 (invalid ones become U+FFFD). */
static size_t utf8_encode(uint32_t cp, char *o)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ---- markup stage -------------------------------------------------------- */

/* Whether character data at this point is text to hand on. */
static bool text_on(const struct textx *t)
{
	if (t->markup == TEXTX_HTML)
		return t->rawtext == NULL;
	if (t->markup == TEXTX_OFFICE)
		return t->in_text > 0 && !t->in_shared_v;
	return true;	/* plain text, generic XML */
}

static void text_byte(struct textx *t, char c)
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
static bool entity_decode(const struct textx *t, uint32_t *cp)
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
static void entity_end(struct textx *t)
{
	uint32_t cp;
	t->ent[t->ent_len] = '\0';
	if (!text_on(t))
		return;
	if (entity_decode(t, &cp)) {
		char u[4];
		if (cp == 0 && strcmp(t->ent, "shy") == 0)
			return;	/* soft hyphen: nothing, so "8.8&shy;.8.8" joins */
		out_bytes(t, u, utf8_encode(cp, u));
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
static void html_tag_done(struct textx *t)
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
static void office_tag_done(struct textx *t)
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

static void tag_done(struct textx *t)
{
	t->tag[t->tag_len] = '\0';
	if (t->markup == TEXTX_HTML) {
		html_tag_done(t);
	} else if (t->markup == TEXTX_XML) {
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
static void attr_start_value(struct textx *t)
{
	t->attr[t->attr_len] = '\0';
	t->aval_len = 0;
	t->attr_emit = (t->markup == TEXTX_HTML && !t->closing && t->rawtext == NULL &&
			name_in(t->attr, html_attr_text)) ||
		       (t->markup == TEXTX_OFFICE && !t->closing && name_in(t->attr, office_attr_text)) ||
		       (t->markup == TEXTX_XML && !t->closing);
	if (t->attr_emit)
		out_byte(t, ' ');
}

static void attr_value_byte(struct textx *t, char c)
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

static void attr_end(struct textx *t)
{
	t->aval[t->aval_len] = '\0';
	if (t->attr_emit)
		out_byte(t, ' ');
	else if (t->markup == TEXTX_OFFICE && strcmp(t->attr, "t") == 0 && is_cell(t->tag))
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
static void step_in_tag(struct textx *t, char c)
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
static void step_bang(struct textx *t, char c)
{
	static const char cdata[] = "[CDATA[";
	if (t->tag_len < TAG_CAP)
		t->tag[t->tag_len++] = c;
	t->tag[t->tag_len] = '\0';
	if (strcmp(t->tag, "--") == 0) {
		t->dashes = 0;
		t->st = M_COMMENT;
		if ((t->markup == TEXTX_HTML && t->rawtext == NULL) || t->markup == TEXTX_XML)
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
static void step_rawtext(struct textx *t, char c)
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
static void step_comment(struct textx *t, char c)
{
	bool emit = (t->markup == TEXTX_HTML && t->rawtext == NULL) || t->markup == TEXTX_XML;
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

static void step_cdata(struct textx *t, char c)
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

/* One UTF-8 byte through the markup state machine. */
static void markup_byte(struct textx *t, char c)
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
		if (c == ';') {
			entity_end(t);
			t->st = M_TEXT;
		} else if ((is_name_char(c) || c == '#') && c != ':' && t->ent_len < ENT_CAP) {
			t->ent[t->ent_len++] = c;
		} else {
			/* Not an entity: give back what was held, re-read c. */
			if (text_on(t)) {
				out_byte(t, '&');
				out_bytes(t, t->ent, t->ent_len);
			}
			t->st = M_TEXT;
			markup_byte(t, c);
		}
		break;
	case M_TAG_OPEN:
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
			text_byte(t, '<');	/* "a < b": not a tag */
			t->st = M_TEXT;
			markup_byte(t, c);
		}
		break;
	case M_TAG_NAME:
		if (is_name_char(c)) {
			if (t->tag_len < TAG_CAP)
				t->tag[t->tag_len++] = lower(c);
		} else {
			t->tag[t->tag_len] = '\0';
			if (t->markup == TEXTX_OFFICE && !t->closing && is_cell(t->tag))
				t->cell_shared = false;	/* attributes may set it */
			t->st = M_ATTR_SPACE;
			step_in_tag(t, c);
		}
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
static void markup_text(struct textx *t, const char *s, size_t n)
{
	/* NUL becomes a space: C-string consumers downstream must not see a
	 * premature end of text (a hiding place for addresses). */
	if (t->markup == TEXTX_PLAIN) {
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
static void cal_sniff(struct textx *t, const char *s, size_t n)
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
static void unfold_feed(struct textx *t, const char *s, size_t n)
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
static void markup_feed(struct textx *t, const char *s, size_t n)
{
	if (t->cal_alive != 0)
		cal_sniff(t, s, n);
	if (t->unfold || t->fold_len > 0)
		unfold_feed(t, s, n);
	else
		markup_text(t, s, n);
}

/* Release a line break held back by unfolding (end of stream). */
static void unfold_flush(struct textx *t)
{
	if (t->fold_len > 0) {
		markup_text(t, t->fold, t->fold_len);
		t->fold_len = 0;
	}
}

static void markup_reset(struct textx *t)
{
	t->st = M_TEXT;
	t->rawtext = NULL;
	t->in_text = 0;
	t->cell_shared = t->in_shared_v = false;
	t->attr_emit = false;
}

/* ---- decoder stage ------------------------------------------------------- */

/* windows-1252 0x80..0x9f; 0 = undefined there. */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013,
	0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178};

/* An invalid UTF-8 byte, read as windows-1252. */
static void feed_cp1252(struct textx *t, unsigned char b)
{
	char u[4];
	uint32_t cp = b >= 0xa0 ? b : cp1252[b - 0x80];
	markup_feed(t, u, utf8_encode(cp ? cp : 0xfffd, u));
}

/* Length of the valid UTF-8 sequence at p: >0 valid, 0 invalid, -1 a valid
 * prefix cut by the end of the buffer. */
static int utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char b = p[0];
	int n;
	unsigned char lo = 0x80, hi = 0xbf;
	if (b < 0x80)
		return 1;
	if (b >= 0xc2 && b <= 0xdf)
		n = 2;
	else if (b >= 0xe0 && b <= 0xef)
		n = 3;
	else if (b >= 0xf0 && b <= 0xf4)
		n = 4;
	else
		return 0;
	if (b == 0xe0)
		lo = 0xa0;
	else if (b == 0xed)
		hi = 0x9f;
	else if (b == 0xf0)
		lo = 0x90;
	else if (b == 0xf4)
		hi = 0x8f;
	for (int i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		unsigned char c = p[i];
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return n;
}

#ifdef TEXTX_AVX2
__attribute__((target("avx2"))) static size_t ascii_span_avx2(const unsigned char *p, size_t n)
{
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		unsigned m = (unsigned)_mm256_movemask_epi8(v);
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return i;
}
#endif

/* Length of the ASCII prefix of p[0..n): mail text is mostly ASCII, so
 * the decoder skips it a vector at a time (the top bit of every byte at
 * once) and looks at bytes one by one only around the others.  Reads
 * nothing past p[n-1]. */
static size_t ascii_span(const unsigned char *p, size_t n)
{
	size_t i = 0;
#ifdef TEXTX_AVX2
	if (n >= 64 && __builtin_cpu_supports("avx2"))
		i = ascii_span_avx2(p, n);
	else
#endif
#ifdef __SSE2__
		for (; i + 16 <= n; i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			unsigned m = (unsigned)_mm_movemask_epi8(v);
			if (m != 0)
				return i + (size_t)__builtin_ctz(m);
		}
#endif
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/* UTF-8 input: pass valid runs through, repair the rest.  Returns how many
 * bytes at the end are an incomplete sequence (to carry), unless final. */
static size_t dec_utf8(struct textx *t, const unsigned char *p, size_t n, bool final)
{
	size_t i = 0, run = 0;
	while (i < n) {
		i += ascii_span(p + i, n - i);
		if (i >= n)
			break;
		int k = utf8_seq(p + i, n - i);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		markup_feed(t, (const char *)p + run, i - run);
		if (k < 0 && !final)
			return n - i;
		feed_cp1252(t, p[i]);
		run = ++i;
	}
	markup_feed(t, (const char *)p + run, i - run);
	return 0;
}

/* UTF-16 input; returns the bytes to carry (odd byte, lone high surrogate). */
static size_t dec_utf16(struct textx *t, const unsigned char *p, size_t n, bool final)
{
	char buf[SCRATCH_CAP];
	size_t o = 0, i = 0;
	bool le = t->mode == DEC_UTF16LE;
	while (i + 1 < n) {
		uint32_t u = le ? (uint32_t)(p[i] | p[i + 1] << 8) : (uint32_t)(p[i] << 8 | p[i + 1]);
		size_t used = 2;
		if (u >= 0xd800 && u <= 0xdbff) {
			if (i + 3 >= n && !final)
				break;
			if (i + 3 < n) {
				uint32_t l = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
						: (uint32_t)(p[i + 2] << 8 | p[i + 3]);
				if (l >= 0xdc00 && l <= 0xdfff) {
					u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
					used = 4;
				}
			}
		}
		if (o + 4 > sizeof buf) {
			markup_feed(t, buf, o);
			o = 0;
		}
		o += utf8_encode(u, buf + o);
		i += used;
	}
	markup_feed(t, buf, o);
	if (final && i < n) {
		char u[4];
		markup_feed(t, u, utf8_encode(0xfffd, u));
		return 0;
	}
	return n - i;
}

/* Any other charset through iconv; returns the bytes to carry. */
static size_t dec_iconv(struct textx *t, const unsigned char *p, size_t n, bool final)
{
	char buf[SCRATCH_CAP];
	char *in = (char *)(uintptr_t)p;
	size_t inleft = n;
	while (inleft > 0 && t->rc == 0) {
		char *out = buf;
		size_t outleft = sizeof buf;
		size_t r = g_mime_iconv(t->cd, &in, &inleft, &out, &outleft);
		int err = errno;
		/* iconv output is UTF-8 but not guaranteed valid: check it. */
		(void)dec_utf8(t, (const unsigned char *)buf, sizeof buf - outleft, true);
		if (r != (size_t)-1 || err == E2BIG)
			continue;
		if (err == EINVAL && !final && inleft < sizeof t->carry)
			return inleft;
		char u[4];	/* EILSEQ, or a cut sequence at the end: skip a byte */
		markup_feed(t, u, utf8_encode(0xfffd, u));
		in++;
		inleft--;
	}
	return 0;
}

static size_t dec_run(struct textx *t, const unsigned char *p, size_t n, bool final)
{
	switch (t->mode) {
	case DEC_UTF16LE:
	case DEC_UTF16BE:
		return dec_utf16(t, p, n, final);
	case DEC_ICONV:
		return dec_iconv(t, p, n, final);
	default:
		return dec_utf8(t, p, n, final);
	}
}

/* At the start: a byte-order mark wins over the declared charset. */
static size_t dec_start(struct textx *t, const unsigned char *p, size_t n)
{
	t->mode = t->declared;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
		t->mode = DEC_UTF8;
		return 3;
	}
	if (n >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		t->mode = DEC_UTF16LE;
		return 2;
	}
	if (n >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		t->mode = DEC_UTF16BE;
		return 2;
	}
	return 0;
}

/* Feed bytes through the decoder, with the carry from the last chunk. */
static void dec_feed(struct textx *t, const unsigned char *p, size_t n, bool final)
{
	if (t->mode == DEC_START) {
		if (t->carry_len + n < 3 && !final) {
			memcpy(t->carry + t->carry_len, p, n);
			t->carry_len += n;
			return;
		}
		unsigned char head[3];
		size_t h = 0;
		for (; h < 3 && h < t->carry_len + n; h++)
			head[h] = h < t->carry_len ? t->carry[h] : p[h - t->carry_len];
		size_t skip = dec_start(t, head, h);
		/* Drop the BOM from the carry first, then from p. */
		size_t from_carry = skip < t->carry_len ? skip : t->carry_len;
		memmove(t->carry, t->carry + from_carry, t->carry_len - from_carry);
		t->carry_len -= from_carry;
		p += skip - from_carry;
		n -= skip - from_carry;
	}
	/* Complete the carried sequence with the first bytes of p.  Carried
	 * sequences are shorter than 8 bytes, so 8 more always settle them
	 * unless p ends first. */
	while (t->carry_len > 0 && t->rc == 0) {
		unsigned char joint[sizeof t->carry + 8];
		size_t take = n < 8 ? n : 8;
		memcpy(joint, t->carry, t->carry_len);
		memcpy(joint + t->carry_len, p, take);
		size_t total = t->carry_len + take;
		size_t left = dec_run(t, joint, total, final && take == n);
		size_t consumed = total - left;
		if (consumed > t->carry_len) {
			/* The carry is done; bytes of p not consumed are read again. */
			p += consumed - t->carry_len;
			n -= consumed - t->carry_len;
			t->carry_len = 0;
			break;
		}
		if (left > sizeof t->carry)
			left = sizeof t->carry;
		memmove(t->carry, joint + total - left, left);
		t->carry_len = left;
		p += take;
		n -= take;
		if (n == 0)
			return;
	}
	if (t->rc != 0)
		return;
	size_t left = dec_run(t, p, n, final);
	if (left > sizeof t->carry)
		left = sizeof t->carry;
	memcpy(t->carry, p + n - left, left);
	t->carry_len = left;
}

/* Map a declared charset to a decoder mode (iconv opened when needed). */
static void dec_choose(struct textx *t, const char *charset)
{
	t->declared = DEC_UTF8;
	t->cd = (iconv_t)-1;
	if (charset == NULL || *charset == '\0')
		return;
	const char *canon = g_mime_charset_canon_name(charset);
	if (canon == NULL)
		canon = charset;
	if (strcasecmp(canon, "utf-8") == 0 || strcasecmp(canon, "utf8") == 0 ||
	    strcasecmp(canon, "us-ascii") == 0 || strcasecmp(canon, "ascii") == 0)
		return;
	if (strcasecmp(canon, "utf-16le") == 0 || strcasecmp(canon, "ucs-2le") == 0) {
		t->declared = DEC_UTF16LE;
		return;
	}
	if (strcasecmp(canon, "utf-16be") == 0 || strcasecmp(canon, "utf-16") == 0 ||
	    strcasecmp(canon, "ucs-2") == 0) {
		t->declared = DEC_UTF16BE;	/* RFC 2781: no BOM means big endian */
		return;
	}
	t->cd = g_mime_iconv_open("UTF-8", charset);
	if (t->cd != (iconv_t)-1)
		t->declared = DEC_ICONV;
}

struct textx *textx_alloc(enum textx_markup markup, const char *charset,
			  int (*emit)(void *arg, const char *buf, size_t len), void *arg)
{
	textx_global_init();
	struct textx *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->markup = markup;
	t->emit = emit;
	t->arg = arg;
	t->mode = DEC_START;
	t->cal_alive = markup == TEXTX_PLAIN ? 3u : 0u;
	dec_choose(t, charset);
	markup_reset(t);
	return t;
}

void textx_unfold_lines(struct textx *t)
{
	t->unfold = true;
	t->cal_alive = 0;
}

int textx_update(struct textx *t, const void *buf, size_t len)
{
	if (t->rc == 0 && len > 0)
		dec_feed(t, buf, len, false);
	return t->rc;
}

int textx_next_document(struct textx *t)
{
	if (t->rc == 0 && (t->carry_len > 0 || t->mode == DEC_START))
		dec_feed(t, (const unsigned char *)"", 0, true);
	markup_reset(t);
	t->mode = DEC_START;
	t->carry_len = 0;
	if (t->rc == 0)
		out_byte(t, '\n');
	return t->rc;
}

int textx_finish(struct textx *t)
{
	if (t->rc == 0 && (t->carry_len > 0 || t->mode == DEC_START))
		dec_feed(t, (const unsigned char *)"", 0, true);
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

void textx_free(struct textx *t)
{
	if (t == NULL)
		return;
	if (t->cd != (iconv_t)-1)
		g_mime_iconv_close(t->cd);
	free(t);
}

/* ---- sniffing and names ---------------------------------------------------- */

/* Is u a code unit that text in some script is made of: printable ASCII
 * and line breaks, Latin, Greek, Cyrillic, Hebrew, Arabic, Indic and Thai
 * letters, general punctuation, CJK symbols, kana, CJK ideographs, Hangul,
 * full-width forms - or half of a surrogate pair (checked by the caller)? */
static bool utf16_text_unit(uint32_t u)
{
	static const uint16_t ranges[][2] = {
		{0x0020, 0x007e}, {0x00a0, 0x024f}, {0x0370, 0x052f}, {0x0590, 0x06ff},
		{0x0900, 0x0e7f}, {0x1100, 0x11ff}, {0x1e00, 0x1fff}, {0x2000, 0x206f},
		{0x20a0, 0x20bf}, {0x2100, 0x218f}, {0x2190, 0x23ff}, {0x2460, 0x27bf},
		{0x3000, 0x30ff}, {0x3100, 0x318f}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
		{0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xff00, 0xffef},
	};
	if (u == '\t' || u == '\n' || u == '\r')
		return true;
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (u >= ranges[i][0] && u <= ranges[i][1])
			return true;
	return false;
}

/* How many of the code units of p, read as UTF-16 (le or be), are text,
 * and how many are ASCII; surrogates count only as well-formed pairs. */
static size_t utf16_text_units(const unsigned char *p, size_t n, bool le, size_t *ascii)
{
	size_t good = 0;
	*ascii = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t u = le ? (uint32_t)(p[i] | p[i + 1] << 8) : (uint32_t)(p[i] << 8 | p[i + 1]);
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t l = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
					: (uint32_t)(p[i + 2] << 8 | p[i + 3]);
			if (l >= 0xdc00 && l <= 0xdfff) {
				good += 2;
				i += 2;
			}
			continue;
		}
		*ascii += u < 0x80 && utf16_text_unit(u);
		good += utf16_text_unit(u);
	}
	return good;
}

/* UTF-16 without BOM.  Western text: one byte of each pair is almost
 * always zero.  Text that is mostly CJK (or another script above U+00FF)
 * has few zero bytes, so that pattern alone would read it as 8-bit: then
 * the pairs must decode, one way round, to code units that text is made
 * of (almost all of them; random binary data scores about half) with
 * some ASCII among them (at least one unit in 32: the zero bytes that
 * brought us here; a picture of one colour is no text). */
static enum textx_sniff sniff_utf16(const unsigned char *p, size_t n)
{
	size_t pairs = n / 2, zero_even = 0, zero_odd = 0;
	if (pairs < 4)
		return TEXTX_SNIFF_BINARY;
	for (size_t i = 0; i + 1 < n; i += 2) {
		zero_even += p[i] == 0;
		zero_odd += p[i + 1] == 0;
	}
	if (zero_odd * 10 >= pairs * 7 && zero_even * 50 <= pairs)
		return TEXTX_SNIFF_UTF16LE;
	if (zero_even * 10 >= pairs * 7 && zero_odd * 50 <= pairs)
		return TEXTX_SNIFF_UTF16BE;
	/* 8-bit text whose only zero bytes end it (a C string, padding to a
	 * field's size) is no UTF-16: its letter pairs would read as CJK */
	size_t end = n;
	while (end > 0 && p[end - 1] == 0)
		end--;
	if (memchr(p, 0, end) == NULL)
		return TEXTX_SNIFF_BINARY;
	size_t ascii_le, ascii_be;
	size_t le = utf16_text_units(p, n, true, &ascii_le);
	size_t be = utf16_text_units(p, n, false, &ascii_be);
	if (le >= be && le * 100 >= pairs * 97 && ascii_le * 32 >= pairs)
		return TEXTX_SNIFF_UTF16LE;
	if (be > le && be * 100 >= pairs * 97 && ascii_be * 32 >= pairs)
		return TEXTX_SNIFF_UTF16BE;
	return TEXTX_SNIFF_BINARY;
}

enum textx_sniff textx_sniff(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n = len < 8192 ? len : 8192, ctrl = 0;
	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return TEXTX_SNIFF_TEXT;	/* the BOM is honoured by the decoder */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == 0)
			return sniff_utf16(p, n);
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
		     c != 0x1b) || c == 0x7f)
			ctrl++;
	}
	/* Text has (next to) no control characters; binary data has many. */
	return ctrl * 100 > n ? TEXTX_SNIFF_BINARY : TEXTX_SNIFF_TEXT;
}

bool textx_type_folds(const char *type)
{
	static const char *const folded[] = {"text/calendar", "text/vcard", "text/x-vcard",
					     "text/directory", "application/ics", NULL};
	if (type == NULL)
		return false;
	for (const char *const *f = folded; *f; f++)
		if (strcasecmp(type, *f) == 0)
			return true;
	return false;
}

bool textx_looks_html(const void *buf, size_t len)
{
	const char *p = buf;
	size_t n = len < 1024 ? len : 1024;
	static const char *const marks[] = {"<!doctype html", "<html", "<body", "<head", "<table",
					    "<div", "<p>", "<br", NULL};
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		for (const char *const *m = marks; *m; m++) {
			size_t k = strlen(*m);
			if (i + k <= n && strncasecmp(p + i, *m, k) == 0)
				return true;
		}
	}
	return false;
}

#define T TEXTX_NAME_TEXT
#define H TEXTX_NAME_HTML
#define M TEXTX_NAME_MESSAGE
#define B TEXTX_NAME_UNKNOWN	/* binary formats: named for their type only */
static const struct {
	const char *ext;
	enum textx_name kind;
	const char *type;
} names[] = {
	{"csv", T, "text/csv"}, {"tsv", T, "text/tab-separated-values"}, {"txt", T, "text/plain"},
	{"text", T, "text/plain"}, {"log", T, "text/plain"}, {"lst", T, "text/plain"},
	{"list", T, "text/plain"}, {"ioc", T, "text/plain"}, {"iocs", T, "text/plain"},
	{"asc", T, "text/plain"}, {"ini", T, "text/plain"}, {"cfg", T, "text/plain"},
	{"conf", T, "text/plain"}, {"nfo", T, "text/plain"}, {"md", T, "text/markdown"},
	{"markdown", T, "text/markdown"}, {"rtf", T, "application/rtf"},
	{"json", T, "application/json"}, {"jsonl", T, "application/json"},
	{"ndjson", T, "application/json"}, {"geojson", T, "application/json"},
	{"stix", T, "application/stix+json"}, {"stix2", T, "application/stix+json"},
	{"misp", T, "application/json"}, {"xml", T, "application/xml"},
	{"iodef", T, "application/xml"}, {"svg", T, "image/svg+xml"},
	{"yaml", T, "application/x-yaml"}, {"yml", T, "application/x-yaml"},
	{"ics", T, "text/calendar"}, {"ifb", T, "text/calendar"}, {"vcs", T, "text/calendar"},
	{"vcf", T, "text/vcard"}, {"vcard", T, "text/vcard"},
	{"html", H, "text/html"}, {"htm", H, "text/html"}, {"xhtml", H, "text/html"},
	{"eml", M, "message/rfc822"}, {"pdf", B, "application/pdf"}, {"zip", B, "application/zip"},
	{"gz", B, "application/gzip"}, {"tgz", B, "application/gzip"},
	{"tar", B, "application/x-tar"}, {"bz2", B, "application/x-bzip2"},
	{"xz", B, "application/x-xz"}, {"7z", B, "application/x-7z-compressed"},
	{"rar", B, "application/vnd.rar"},
	{"docx", B, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xlsx", B, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"pptx", B, "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"odt", B, "application/vnd.oasis.opendocument.text"},
	{"ods", B, "application/vnd.oasis.opendocument.spreadsheet"},
	{"odp", B, "application/vnd.oasis.opendocument.presentation"}, {"png", B, "image/png"},
	{"jpg", B, "image/jpeg"}, {"jpeg", B, "image/jpeg"}, {"gif", B, "image/gif"},
};
#undef T
#undef H
#undef M
#undef B

/* The table row for a file name's extension, or -1. */
static int name_row(const char *filename)
{
	if (filename == NULL)
		return -1;
	const char *dot = strrchr(filename, '.');
	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(dot + 1, names[i].ext) == 0)
			return (int)i;
	return -1;
}

enum textx_name textx_name_kind(const char *filename)
{
	int r = name_row(filename);
	return r < 0 ? TEXTX_NAME_UNKNOWN : names[r].kind;
}

const char *textx_type_for_name(const char *filename)
{
	int r = name_row(filename);
	return r < 0 ? "application/octet-stream" : names[r].type;
}

bool textx_type_is_text(const char *type)
{
	static const char *const exact[] = {
		"application/json", "application/xml", "application/csv", "application/x-csv",
		"application/x-yaml", "application/yaml", "application/rtf", "application/x-sh",
		"application/javascript", "application/ecmascript", "application/x-ndjson",
		"message/feedback-report", "message/delivery-status",
		"message/disposition-notification", "message/global-delivery-status",
		"message/global-disposition-notification", "message/external-body", NULL};
	if (type == NULL)
		return false;
	if (strncmp(type, "text/", 5) == 0)
		return true;
	size_t n = strlen(type);
	if ((n > 5 && strcmp(type + n - 5, "+json") == 0) ||
	    (n > 4 && strcmp(type + n - 4, "+xml") == 0))
		return true;
	return name_in(type, exact);
}
