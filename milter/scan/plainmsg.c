/*
 * plainmsg.c - is this message one plain-text part?  (see plainmsg.h)
 *
 * A bounded single pass over the header block; every doubt is a "no", so
 * the only cost of a wrong guess is GMime's parse, never a part read
 * differently.
 */
#include <string.h>
#include <strings.h>

#include "grondslag/scan/plainmsg.h"

/* What the walker would see of the headers met so far. */
struct hstate {
	bool subject, ctype, cte, special;	/* seen; special: the current one */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* [p, p+n) without leading and trailing blanks. */
static void trim(const char **p, size_t *n)
{
	while (*n > 0 && is_blank(**p)) {
		(*p)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*p)[*n - 1]))
		(*n)--;
}

/* Equal ignoring case, lengths included. */
static bool eq(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && strncasecmp(p, lit, n) == 0;
}

/* A Subject GMime gives back byte for byte: plain words, one blank
 * between them, no encoded word. */
static bool subject_ok(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\t' || (v[i] == ' ' && i + 1 < n && v[i + 1] == ' '))
			return false;
		if (v[i] == '=' && i + 1 < n && v[i + 1] == '?')
			return false;
	}
	return true;
}

/* "text/plain" or "text/plain; charset=TOKEN" with TOKEN us-ascii or
 * utf-8; the token as written goes to out. */
static bool ctype_ok(const char *v, size_t n, struct plainmsg *out)
{
	static const char tp[] = "text/plain";
	if (n < sizeof tp - 1 || strncasecmp(v, tp, sizeof tp - 1) != 0)
		return false;
	const char *p = v + sizeof tp - 1;
	size_t rest = n - (sizeof tp - 1);
	trim(&p, &rest);
	if (rest == 0)
		return true;
	if (*p != ';')
		return false;
	p++;
	rest--;
	trim(&p, &rest);
	static const char cs[] = "charset=";
	if (rest < sizeof cs - 1 || strncasecmp(p, cs, sizeof cs - 1) != 0)
		return false;
	p += sizeof cs - 1;
	rest -= sizeof cs - 1;
	if (!eq(p, rest, "us-ascii") && !eq(p, rest, "utf-8"))
		return false;
	memcpy(out->charset, p, rest);
	out->charset[rest] = '\0';
	return true;
}

/* One unfolded header line "name: value": false when it rules the fast
 * path out. */
static bool header_ok(const char *line, size_t n, struct hstate *h, struct plainmsg *out)
{
	const char *colon = memchr(line, ':', n);
	if (colon == NULL || colon == line)
		return false;
	size_t nl = (size_t)(colon - line);
	for (size_t i = 0; i < nl; i++)
		if (line[i] <= ' ')
			return false;
	const char *v = colon + 1;
	size_t vn = n - nl - 1;
	trim(&v, &vn);
	h->special = true;
	if (eq(line, nl, "subject")) {
		if (h->subject || !subject_ok(v, vn))
			return false;
		h->subject = true;
		out->subject = vn > 0 ? v : NULL;
		out->subject_len = vn;
		return true;
	}
	if (eq(line, nl, "content-type")) {
		if (h->ctype)
			return false;
		h->ctype = true;
		return ctype_ok(v, vn, out);
	}
	if (eq(line, nl, "content-transfer-encoding")) {
		if (h->cte)
			return false;
		h->cte = true;
		return eq(v, vn, "7bit") || eq(v, vn, "8bit");
	}
	if (nl >= 8 && strncasecmp(line, "content-", 8) == 0)
		return false;
	if (eq(line, nl, "mime-version"))
		return eq(v, vn, "1.0");
	h->special = false;
	return true;
}

bool plainmsg_parse(const char *msg, size_t len, struct plainmsg *out)
{
	memset(out, 0, sizeof *out);
	if (msg == NULL || len < 5 || strncmp(msg, "From ", 5) == 0)
		return false;
	size_t max = len < PLAINMSG_MAX_HEADER ? len : PLAINMSG_MAX_HEADER;
	struct hstate h = {0};
	size_t pos = 0;
	while (pos < max) {
		const char *line = msg + pos;
		const char *nl = memchr(line, '\n', max - pos);
		if (nl == NULL)
			return false;
		size_t n = (size_t)(nl - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		pos = (size_t)(nl - msg) + 1;
		if (n == 0) {
			out->body = pos;
			return true;
		}
		for (size_t i = 0; i < n; i++)
			if ((line[i] < ' ' && line[i] != '\t') || line[i] > '~')
				return false;
		if (is_blank(line[0])) {
			/* a folded line: harmless unless it continues one we read */
			if (line == msg || h.special)
				return false;
			continue;
		}
		if (!header_ok(line, n, &h, out))
			return false;
	}
	return false;
}
