/*
 * buf.c - the console's output buffer and the one place values become
 * HTML.  Everything the sender or a recipient wrote (Subject, addresses,
 * file names inside the message), and everything else the daemon says,
 * goes through web_buf_html(): it can only ever be text.  Characters
 * that could make text look like something else (line breaks in a
 * Subject, right-to-left overrides turning "gpj.exe" around, invisible
 * joiners) are shown as a visible [U+XXXX] instead of being interpreted.
 *
 * Public functions: web_buf_add(), web_buf_addn(), web_buf_addf(),
 * web_buf_html(), web_buf_url(), web_buf_take(), web_buf_free().
 * Limits: a page is at most WEB_PAGE_MAX bytes (then failed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

/* Make room for n more bytes and the NUL; false when failed. */
static bool room(struct web_buf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->len + n + 1 <= b->cap)
		return true;
	if (b->len + n + 1 > WEB_PAGE_MAX) {
		b->failed = true;
		return false;
	}
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void web_buf_addn(struct web_buf *b, const char *s, size_t n)
{
	if (!room(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void web_buf_add(struct web_buf *b, const char *s)
{
	if (s != NULL)
		web_buf_addn(b, s, strlen(s));
}

void web_buf_addf(struct web_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[1024];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		b->failed = true;
		return;
	}
	web_buf_addn(b, tmp, (size_t)n);
}

/* Decode one UTF-8 character at s (n bytes left): its length and *cp,
 * 0 when the bytes are not UTF-8 (overlong, surrogate, beyond U+10FFFF,
 * cut short). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (len == 0 || s[0] > 0xf4 || len > n)
		return 0;
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters shown as [U+XXXX]: controls (C0 but for the tab, DEL, C1),
 * the bidirectional controls and the invisible formatting characters. */
static bool shown_as_code(uint32_t c)
{
	return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == 0x061c ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x2069) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb);
}

/* s (n bytes) as inert text; pre: line ends (LF, CRLF) and tabs kept. */
static void add_text(struct web_buf *b, const char *s, size_t n, bool pre)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n && !b->failed;) {
		uint32_t c;
		size_t len = utf8_next(p + i, n - i, &c);
		if (len == 0) {
			web_buf_add(b, "&#xFFFD;");
			i++;
			continue;
		}
		if (pre && (c == '\n' || c == '\t' || (c == '\r' && i + 1 < n && p[i + 1] == '\n'))) {
			if (c != '\r')
				web_buf_addn(b, s + i, 1);
			i++;
			continue;
		}
		switch (c) {
		case '&': web_buf_add(b, "&amp;"); break;
		case '<': web_buf_add(b, "&lt;"); break;
		case '>': web_buf_add(b, "&gt;"); break;
		case '"': web_buf_add(b, "&quot;"); break;
		case '\'': web_buf_add(b, "&#39;"); break;
		case '\t': web_buf_add(b, " "); break;
		default:
			if (shown_as_code(c))
				web_buf_addf(b, "[U+%04X]", (unsigned)c);
			else
				web_buf_addn(b, s + i, len);
		}
		i += len;
	}
}

void web_buf_html(struct web_buf *b, const char *s)
{
	if (s != NULL)
		add_text(b, s, strlen(s), false);
}

void web_buf_pre(struct web_buf *b, const char *s, size_t n)
{
	if (s != NULL)
		add_text(b, s, n, true);
}

void web_buf_url(struct web_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; s != NULL && *p; p++) {
		char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			web_buf_addn(b, (const char *)p, 1);
		else
			web_buf_addn(b, e, 3);
	}
}

void web_buf_free(struct web_buf *b)
{
	free(b->p);
	*b = (struct web_buf){0};
}

char *web_buf_take(struct web_buf *b, size_t *len)
{
	if (b->failed || !room(b, 0)) {
		web_buf_free(b);
		return NULL;
	}
	char *p = b->p;
	if (len != NULL)
		*len = b->len;
	*b = (struct web_buf){0};
	return p;
}
