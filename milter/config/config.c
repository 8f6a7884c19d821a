/*
 * config.c - grondslag.conf, driven by the one table in config_keys.def.
 *
 * Format: one "Key value" per line; the key is case-insensitive, the value
 * is the rest of the line with surrounding blanks removed; "#" starts a
 * comment at the start of a line or after a blank.  A LIST key may appear
 * many times and adds a value each time; any other key given twice is an
 * error (a silent override is how a wrong setting goes unnoticed).
 *
 * Limits: lines up to CONFIG_LINE_MAX bytes, values are kept as given
 * (paths are not resolved here).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/conninfo.h"
#include "grondslag/config/config.h"

#define CONFIG_LINE_MAX 4096

enum config_type {
	CT_STR, CT_PATH,
	CT_DATABASE,	/* a file name or a PostgreSQL connection string */
	CT_UINT, CT_SIZE, CT_BOOL, CT_ENUM, CT_LIST, CT_FPRLIST,
	CT_FPR,		/* one OpenPGP fingerprint, or empty */
	CT_USERLIST,	/* a LIST of login names */
	CT_JURIST,	/* a LIST of "USER MAILADDRESS" */
	CT_SENDER,	/* a LIST of "USER MAILADDRESS [MAILADDRESS|sasl:LOGIN ...]" */
	CT_MAILLIST	/* a LIST of mail addresses */
};

/* Is a key of type t repeatable (each line adds a value)? */
static bool type_is_list(enum config_type t)
{
	return t == CT_LIST || t == CT_FPRLIST || t == CT_USERLIST || t == CT_JURIST ||
	       t == CT_SENDER || t == CT_MAILLIST;
}

struct config_def {
	const char *name;
	enum config_type type;
	const char *def;
	uint64_t min, max;
	const char *choices;
	const char *help;
};

static const struct config_def defs[CONF_COUNT] = {
#define X(id, name, type, def, min, max, choices, help)                                            \
	[CONF_##id] = {name, CT_##type, def, min, max, choices, help},
#include "grondslag/config/config_keys.def"
#undef X
};

struct config_value {
	char *str;		/* STR, PATH, ENUM: the text; others: as given */
	uint64_t num;		/* UINT, SIZE, BOOL */
	char **list;		/* LIST */
	unsigned *lines;	/* LIST: the line of each value */
	size_t nlist;
	unsigned line;		/* 0 = default; LIST: the last value's */
};

struct config {
	char *file;
	struct config_value v[CONF_COUNT];
	/* config_jurist_mail(): pointers into the JuristNotice or Jurist lines */
	const char **jurist_mail;
	size_t njurist_mail;
};

/* Error sink: "file:line: message" lines appended to a bounded buffer. */
struct errbuf {
	char *buf;
	size_t size, len;
	unsigned count;
};

static void errf(struct errbuf *e, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void errf(struct errbuf *e, const char *file, unsigned line, const char *fmt, ...)
{
	e->count++;
	if (e->buf == NULL || e->len + 1 >= e->size)
		return;
	int n = line ? snprintf(e->buf + e->len, e->size - e->len, "%s%s:%u: ",
				e->len ? "\n" : "", file, line)
		     : snprintf(e->buf + e->len, e->size - e->len, "%s%s: ", e->len ? "\n" : "",
				file);
	if (n < 0 || (size_t)n >= e->size - e->len) {
		e->len = e->size - 1;
		return;
	}
	e->len += (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(e->buf + e->len, e->size - e->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= e->size - e->len)
		e->len = e->size - 1;
	else
		e->len += (size_t)n;
}

/* Parse an unsigned decimal with an optional k/M/G suffix (SIZE only). */
static bool parse_number(const char *s, bool allow_suffix, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	uint64_t mul = 1;
	if (*p && allow_suffix) {
		switch (*p) {
		case 'k': case 'K': mul = 1024ull; break;
		case 'm': case 'M': mul = 1024ull * 1024; break;
		case 'g': case 'G': mul = 1024ull * 1024 * 1024; break;
		default: return false;
		}
		p++;
	}
	if (*p != '\0' || (mul > 1 && v > UINT64_MAX / mul))
		return false;
	*out = v * mul;
	return true;
}

static bool parse_bool(const char *s, uint64_t *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return true;
		}
	}
	return false;
}

/* True when s is one of the '|'-separated choices. */
static bool enum_ok(const char *choices, const char *s)
{
	size_t n = strlen(s);
	for (const char *c = choices; c && *c;) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);
		if (len == n && strncasecmp(c, s, n) == 0)
			return true;
		c = bar ? bar + 1 : c + len;
	}
	return false;
}

/* 40 hex digits, blanks between groups allowed (as gpg prints them).
 * A short key id would match keys an attacker can make. */
static bool fingerprint_ok(const char *s)
{
	unsigned n = 0;
	for (; *s; s++) {
		if (isxdigit((unsigned char)*s))
			n++;
		else if (*s != ' ')
			return false;
	}
	return n == 40;
}

/* A login name as useradd accepts it: [A-Za-z0-9_.-], not starting with
 * '-', 1..32 bytes (roles are matched by name against getpwuid_r). */
static bool user_ok(const char *s, size_t n)
{
	if (n == 0 || n > 32 || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* A mail address good enough to compare with an envelope sender: one '@'
 * with text on both sides, printable ASCII without blanks, quotes or
 * angle brackets, at most 320 bytes. */
static bool mail_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL || n > 320)
		return false;
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == '"' || *s == '<' || *s == '>')
			return false;
	return true;
}

/* The identities of a Jurist line after the login name: a mail address
 * (where the jurists' notices go), then any more addresses and SASL
 * logins (sasl:NAME, one word of printable ASCII); blanks separate them
 * (a Sender line alike).  Without sasl: mail addresses only. */
static bool ids_ok(const char *s, bool sasl)
{
	bool address = false, first = true;
	while (*s != '\0') {
		size_t n = strcspn(s, " \t");
		char tok[330];
		if (n >= sizeof tok)
			return false;
		memcpy(tok, s, n);
		tok[n] = '\0';
		if (sasl && strncmp(tok, "sasl:", 5) == 0) {
			if (n == 5 || n > 5 + 255)
				return false;
			for (size_t i = 5; i < n; i++)
				if ((unsigned char)tok[i] <= ' ' || (unsigned char)tok[i] >= 0x7f)
					return false;
		} else if (mail_ok(tok)) {
			address = true;
		} else {
			return false;
		}
		if (first && !address)
			return false;
		first = false;
		s += n;
		s += strspn(s, " \t");
	}
	return address;
}

/* Validate a USERLIST, JURIST or SENDER value; false with an error. */
static bool role_value_ok(const struct config_def *d, const char *val, const char *file,
			  unsigned line, struct errbuf *e)
{
	size_t ulen = strcspn(val, " \t");
	const char *mail = val + ulen;
	while (*mail == ' ' || *mail == '\t')
		mail++;
	if (!user_ok(val, ulen)) {
		errf(e, file, line, "%s: \"%.*s\" is not a login name", d->name,
		     (int)(ulen > 64 ? 64 : ulen), val);
		return false;
	}
	if (d->type == CT_USERLIST && *mail != '\0') {
		errf(e, file, line, "%s: one login name per line", d->name);
		return false;
	}
	if (d->type == CT_JURIST && !ids_ok(mail, true)) {
		errf(e, file, line, "%s: \"%.64s\" is not USER MAILADDRESS [MAILADDRESS|sasl:LOGIN ...]",
		     d->name, val);
		return false;
	}
	if (d->type == CT_SENDER && !ids_ok(mail, true)) {
		errf(e, file, line, "%s: \"%.64s\" is not USER MAILADDRESS [MAILADDRESS|sasl:LOGIN ...]",
		     d->name, val);
		return false;
	}
	return true;
}

/* The stored form of a LIST value.  A Jurist line is kept as "USER
 * MAIL", NUL, then its further identities (config_list_more()), so every
 * reader of config_list() sees the one form it always had. */
static char *list_value(const struct config_def *d, const char *val)
{
	size_t len = strlen(val);
	char *s = malloc(len + 2);
	if (s == NULL)
		return NULL;
	memcpy(s, val, len + 1);
	s[len + 1] = '\0';
	if (d->type == CT_JURIST || d->type == CT_SENDER) {
		size_t user = strcspn(s, " \t");
		size_t mail = user + strspn(s + user, " \t");
		size_t end = mail + strcspn(s + mail, " \t");
		if (s[end] != '\0')
			s[end] = '\0';	/* the rest follows the NUL */
	}
	return s;
}

/* Set key k from text; false (and an error) when the value is bad. */
static bool set_value(struct config *c, enum config_key k, const char *val, const char *file,
		      unsigned line, struct errbuf *e)
{
	const struct config_def *d = &defs[k];
	struct config_value *v = &c->v[k];
	uint64_t num = 0;

	switch (d->type) {
	case CT_UINT:
	case CT_SIZE:
		if (!parse_number(val, d->type == CT_SIZE, &num)) {
			errf(e, file, line, "%s: \"%.64s\" is not a %s", d->name, val,
			     d->type == CT_SIZE ? "size (number with optional k, M or G)"
						: "whole number");
			return false;
		}
		if (num < d->min || num > d->max) {
			errf(e, file, line, "%s: %llu is out of range %llu..%llu", d->name,
			     (unsigned long long)num, (unsigned long long)d->min,
			     (unsigned long long)d->max);
			return false;
		}
		break;
	case CT_BOOL:
		if (!parse_bool(val, &num)) {
			errf(e, file, line, "%s: \"%.64s\" is not yes or no", d->name, val);
			return false;
		}
		break;
	case CT_ENUM:
		if (!enum_ok(d->choices, val)) {
			errf(e, file, line, "%s: \"%.64s\" is not one of %s", d->name, val,
			     d->choices);
			return false;
		}
		break;
	case CT_FPR:
	case CT_FPRLIST:
		if (*val != '\0' && !fingerprint_ok(val)) {
			errf(e, file, line, "%s: \"%.64s\" is not an OpenPGP fingerprint "
			     "(40 hex digits)", d->name, val);
			return false;
		}
		if (d->type == CT_FPR)
			break;	/* one value, stored as text */
		/* a list: stored like any list */
		/* FALLTHROUGH */
	case CT_MAILLIST:
		if (d->type == CT_MAILLIST && *val != '\0' && !mail_ok(val)) {
			errf(e, file, line, "%s: \"%.64s\" is not a mail address", d->name, val);
			return false;
		}
		/* FALLTHROUGH */
	case CT_USERLIST:
	case CT_JURIST:
	case CT_SENDER:
		if ((d->type == CT_USERLIST || d->type == CT_JURIST || d->type == CT_SENDER) &&
		    *val != '\0' &&
		    !role_value_ok(d, val, file, line, e))
			return false;
		/* FALLTHROUGH */
	case CT_LIST: {
		if (*val == '\0')
			return true;
		char **nl = realloc(v->list, (v->nlist + 1) * sizeof *nl);
		if (nl != NULL)
			v->list = nl;
		unsigned *ll = realloc(v->lines, (v->nlist + 1) * sizeof *ll);
		if (ll != NULL)
			v->lines = ll;
		if (nl == NULL || ll == NULL || (nl[v->nlist] = list_value(d, val)) == NULL) {
			errf(e, file, line, "out of memory");
			return false;
		}
		ll[v->nlist] = line;
		v->nlist++;
		v->line = line;
		return true;
	}
	case CT_STR:
	case CT_PATH:
	case CT_DATABASE:
		break;
	}
	char *s = strdup(val);
	if (s == NULL) {
		errf(e, file, line, "out of memory");
		return false;
	}
	free(v->str);
	v->str = s;
	v->num = num;
	v->line = line;
	return true;
}

/* The addresses of config_jurist_mail(), found once per loaded file: the
 * JuristNotice lines, else the address after the login name of each
 * Jurist line ("USER MAIL").  False out of memory. */
static bool jurist_mail_index(struct config *c)
{
	bool own = c->v[CONF_JURIST_NOTICE].nlist > 0;
	const struct config_value *v = &c->v[own ? CONF_JURIST_NOTICE : CONF_JURIST];
	free(c->jurist_mail);
	c->jurist_mail = NULL;
	c->njurist_mail = 0;
	if (v->nlist == 0)
		return true;
	c->jurist_mail = calloc(v->nlist, sizeof *c->jurist_mail);
	if (c->jurist_mail == NULL)
		return false;
	for (size_t i = 0; i < v->nlist; i++) {
		const char *m = v->list[i];
		if (!own) {
			m += strcspn(m, " \t");
			m += strspn(m, " \t");
		}
		c->jurist_mail[c->njurist_mail++] = m;
	}
	return true;
}

struct config *config_defaults(void)
{
	struct config *c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	struct errbuf e = {0};
	for (int k = 0; k < CONF_COUNT; k++) {
		if (!set_value(c, (enum config_key)k, defs[k].def, "(defaults)", 0, &e)) {
			config_free(c);
			return NULL;
		}
		c->v[k].line = 0;
	}
	if (!jurist_mail_index(c)) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* Trim blanks at both ends in place; returns the start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
			 s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* Look a key up by name (case-insensitive). */
static int key_lookup(const char *name)
{
	for (int k = 0; k < CONF_COUNT; k++)
		if (strcasecmp(defs[k].name, name) == 0)
			return k;
	return -1;
}

/* Parse one line of the file into c. */
static void parse_line(struct config *c, char *line, const char *file, unsigned lineno,
		       bool seen[CONF_COUNT], struct errbuf *e)
{
	/* A '#' after a blank (or at the start) starts a comment. */
	for (char *p = line; *p; p++) {
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	char *s = trim(line);
	if (*s == '\0')
		return;
	char *val = s;
	while (*val && *val != ' ' && *val != '\t')
		val++;
	if (*val)
		*val++ = '\0';
	val = trim(val);
	int k = key_lookup(s);
	if (k < 0) {
		errf(e, file, lineno, "unknown key \"%.64s\"", s);
		return;
	}
	if (seen[k] && !type_is_list(defs[k].type)) {
		errf(e, file, lineno, "%s given twice (first on line %u)", defs[k].name,
		     c->v[k].line);
		return;
	}
	if (*val == '\0' && defs[k].type != CT_STR && defs[k].type != CT_PATH &&
	    defs[k].type != CT_DATABASE &&
	    defs[k].type != CT_FPR) {
		errf(e, file, lineno, "%s needs a value", defs[k].name);
		return;
	}
	if (set_value(c, (enum config_key)k, val, file, lineno, e))
		seen[k] = true;
}

struct config *config_load(const char *file, char *err, size_t errlen)
{
	struct errbuf e = {err, errlen, 0, 0};
	if (err && errlen)
		err[0] = '\0';
	struct config *c = config_defaults();
	if (c == NULL) {
		errf(&e, file, 0, "out of memory");
		return NULL;
	}
	if (file == NULL)
		return c;
	FILE *fp = fopen(file, "r");
	if (fp == NULL) {
		errf(&e, file, 0, "%s", strerror(errno));
		config_free(c);
		return NULL;
	}
	c->file = strdup(file);
	bool seen[CONF_COUNT] = {false};
	/* LIST defaults are replaced, not appended to, by the file. */
	char line[CONFIG_LINE_MAX];
	unsigned lineno = 0;
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		size_t n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			errf(&e, file, lineno, "line longer than %d bytes", CONFIG_LINE_MAX - 2);
			int ch;
			while ((ch = fgetc(fp)) != EOF && ch != '\n')
				;
			continue;
		}
		if (memchr(line, '\0', n) != NULL) {
			errf(&e, file, lineno, "NUL byte in line");
			continue;
		}
		parse_line(c, line, file, lineno, seen, &e);
	}
	if (ferror(fp))
		errf(&e, file, lineno, "read error: %s", strerror(errno));
	fclose(fp);
	if (e.count > 0 || c->file == NULL || !jurist_mail_index(c)) {
		if (e.count == 0)
			errf(&e, file, 0, "out of memory");
		config_free(c);
		return NULL;
	}
	return c;
}

void config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (int k = 0; k < CONF_COUNT; k++) {
		free(c->v[k].str);
		for (size_t i = 0; i < c->v[k].nlist; i++)
			free(c->v[k].list[i]);
		free(c->v[k].list);
		free(c->v[k].lines);
	}
	free(c->jurist_mail);
	free(c->file);
	free(c);
}

const char *config_file(const struct config *c)
{
	return c->file;
}

const char *config_str(const struct config *c, enum config_key k)
{
	return c->v[k].str ? c->v[k].str : "";
}

uint64_t config_uint(const struct config *c, enum config_key k)
{
	return c->v[k].num;
}

bool config_bool(const struct config *c, enum config_key k)
{
	return c->v[k].num != 0;
}

size_t config_list_count(const struct config *c, enum config_key k)
{
	return c->v[k].nlist;
}

const char *config_list(const struct config *c, enum config_key k, size_t i)
{
	return i < c->v[k].nlist ? c->v[k].list[i] : NULL;
}

unsigned config_line(const struct config *c, enum config_key k)
{
	return c->v[k].line;
}

unsigned config_list_line(const struct config *c, enum config_key k, size_t i)
{
	return i < c->v[k].nlist ? c->v[k].lines[i] : 0;
}

const char *config_list_more(const struct config *c, enum config_key k, size_t i)
{
	const char *v = config_list(c, k, i);
	if (v == NULL)
		return "";
	v += strlen(v) + 1;
	return v + strspn(v, " \t");
}

const char *const *config_jurist_mail(const struct config *c, size_t *n)
{
	*n = c->njurist_mail;
	return c->jurist_mail;
}

const char *config_key_name(enum config_key k)
{
	return (unsigned)k < CONF_COUNT ? defs[k].name : "?";
}

void config_dump(const struct config *c, FILE *out)
{
	fprintf(out, "# effective configuration (%s)\n", c->file ? c->file : "embedded defaults");
	for (int k = 0; k < CONF_COUNT; k++) {
		const struct config_value *v = &c->v[k];
		if (type_is_list(defs[k].type)) {
			if (v->nlist == 0)
				fprintf(out, "# %s (none)\n", defs[k].name);
			for (size_t i = 0; i < v->nlist; i++) {
				const char *more = config_list_more(c, (enum config_key)k, i);
				fprintf(out, "%s %s%s%s\n", defs[k].name, v->list[i], *more ? " " : "",
					more);
			}
		} else if (v->str == NULL || v->str[0] == '\0') {
			fprintf(out, "%s\n", defs[k].name);
		} else if (defs[k].type == CT_DATABASE) {
			char shown[4096];
			conninfo_redact(v->str, shown, sizeof shown);
			fprintf(out, "%s %s\n", defs[k].name, shown);
		} else {
			fprintf(out, "%s %s\n", defs[k].name, v->str);
		}
	}
}

/* Man page text must not start a line with "." or "'" (roff requests). */
static void roff_text(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

void config_doc(const char *style, FILE *out)
{
	bool man = strcmp(style, "man") == 0;
	for (int k = 0; k < CONF_COUNT; k++) {
		const struct config_def *d = &defs[k];
		if (man) {
			fputs(".TP\n.BI ", out);
			fprintf(out, "%s \" ", d->name);
			roff_text(out, d->type == CT_ENUM ? d->choices
				       : d->type == CT_BOOL ? "yes|no"
				       : d->type == CT_UINT ? "number"
				       : d->type == CT_SIZE ? "size"
				       : d->type == CT_PATH ? "file"
				       : d->type == CT_DATABASE ? "file|conninfo"
				       : d->type == CT_FPRLIST || d->type == CT_FPR ? "fingerprint"
				       : d->type == CT_USERLIST ? "user"
				       : d->type == CT_JURIST ? "user address"
				       : d->type == CT_SENDER ? "user address"
				       : d->type == CT_MAILLIST ? "address"
							    : "value");
			fputs("\"\n", out);
			roff_text(out, d->help);
			fputs(" Default: ", out);
			roff_text(out, d->def[0] ? d->def : "(none)");
			fputs(".\n", out);
		} else {
			fprintf(out, "\n# %s\n", d->help);
			if (d->type == CT_ENUM)
				fprintf(out, "# One of: %s\n", d->choices);
			fprintf(out, "#%s %s\n", d->name, d->def);
		}
	}
}

void config_walk_limits(const struct config *c, struct walk_limits *l)
{
	walk_limits_default(l);
	l->max_message_bytes = config_uint(c, CONF_MAX_MESSAGE_SIZE);
	l->max_parts = (unsigned)config_uint(c, CONF_MAX_PARTS);
	l->max_depth = (unsigned)config_uint(c, CONF_MAX_DEPTH);
	l->max_archive_entries = (unsigned)config_uint(c, CONF_MAX_ARCHIVE_ENTRIES);
	l->max_expansion_ratio = (unsigned)config_uint(c, CONF_MAX_EXPANSION_RATIO);
	l->max_expanded_bytes = config_uint(c, CONF_MAX_EXPANDED_SIZE);
	l->max_seconds = (unsigned)config_uint(c, CONF_SCAN_TIMEOUT);
	l->pdf_seconds = (unsigned)config_uint(c, CONF_PDF_TIMEOUT);
	l->pdf_max_memory = config_uint(c, CONF_PDF_MAX_MEMORY);
	l->pdftotext = config_str(c, CONF_PDF_TO_TEXT);
}

void config_geo_options(const struct config *c, struct geo_options *o)
{
	const char *cdb = config_str(c, CONF_GEO_COUNTRY_DB);
	const char *adb = config_str(c, CONF_GEO_ASN_DB);
	*o = (struct geo_options){
		.country_db = *cdb ? cdb : NULL,
		.country_path = config_str(c, CONF_GEO_COUNTRY_PATH),
		.asn_db = *adb ? adb : NULL,
		.asn_path = config_str(c, CONF_GEO_ASN_PATH),
	};
}

void config_scan_options(const struct config *c, struct geo *geo, struct scan_options *o)
{
	*o = (struct scan_options){0};
	config_walk_limits(c, &o->limits);
	o->threshold = (unsigned)config_uint(c, CONF_TRACEABLE_THRESHOLD);
	o->email_threshold = (unsigned)config_uint(c, CONF_PERSONAL_DATA_THRESHOLD);
	o->host_threshold = (unsigned)config_uint(c, CONF_HOSTNAME_THRESHOLD);
	o->geo = geo;
}
