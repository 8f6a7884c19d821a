/*
 * rfc2047.c - RFC 2047 encoded words to UTF-8 (see rfc2047.h).
 *
 * Decisions, and why:
 *  - Folding (CRLF + blank) is removed first; blanks between two encoded
 *    words are dropped (RFC 2047 section 6.2), all other text is kept.
 *  - An encoded word is "=?charset?B|Q?text?=", charset up to 64 bytes
 *    (an RFC 2231 "*lang" suffix is cut), text up to 4 KiB and without a
 *    line end; anything else is ordinary text, so nothing is dropped.
 *  - Base64 text is decoded across '=' padding (some encoders join
 *    groups), Q text maps '_' to a space and "=XX" to a byte.
 *  - Charsets are converted with GLib's iconv; an unknown charset keeps
 *    the bytes (the text stage repairs invalid UTF-8).
 *
 * Limits: output cut at max_out bytes; the input is read once.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "grondslag/scan/rfc2047.h"
#include "grondslag/scan/sniff.h"

#define CHARSET_MAX 64
#define WORD_MAX 4096

struct out {
	char *buf;
	size_t len, cap;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (n > o->cap - o->len)
		n = o->cap - o->len;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_blanks(struct out *o, size_t n)
{
	while (n-- > 0)
		put(o, " ", 1);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Q encoding into out (at most n bytes from n input bytes). */
static size_t q_decode(const char *s, size_t n, unsigned char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '_') {
			out[k++] = ' ';
		} else if (s[i] == '=' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			out[k++] = (unsigned char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
			i += 2;
		} else {
			out[k++] = (unsigned char)s[i];
		}
	}
	return k;
}

/* Parse an encoded word at s (n bytes left); its length, or 0. */
static size_t word_at(const char *s, size_t n, char *charset, char *enc, const char **text,
		      size_t *tlen)
{
	if (n < 8 || s[0] != '=' || s[1] != '?')
		return 0;
	size_t i = 2, c = 0;
	while (i < n && s[i] != '?' && c < CHARSET_MAX && s[i] > ' ')
		charset[c++] = s[i++];
	if (c == 0 || i + 2 >= n || s[i] != '?' || s[i + 2] != '?')
		return 0;
	charset[c] = '\0';
	char *star = strchr(charset, '*');
	if (star != NULL)
		*star = '\0';
	*enc = (char)(s[i + 1] | 0x20);
	if (*enc != 'b' && *enc != 'q')
		return 0;
	size_t t = i + 3;
	for (size_t j = t; j + 1 < n && j - t <= WORD_MAX; j++) {
		if (s[j] == '\r' || s[j] == '\n')
			return 0;
		if (s[j] == '?' && s[j + 1] == '=') {
			*text = s + t;
			*tlen = j - t;
			return j + 2;
		}
	}
	return 0;
}

/* Decode one word's text and append it as UTF-8. */
static void word_put(struct out *o, const char *charset, char enc, const char *text, size_t n)
{
	unsigned char *raw;
	size_t rlen = 0;
	if (enc == 'b') {
		raw = sniff_b64_decode(text, n, &rlen);
	} else {
		raw = malloc(n + 1);
		if (raw != NULL)
			rlen = q_decode(text, n, raw);
	}
	if (raw == NULL)
		return;
	gsize got = 0;
	gchar *u = g_ascii_strcasecmp(charset, "utf-8") == 0 || g_ascii_strcasecmp(charset, "us-ascii") == 0
			   ? NULL
			   : g_convert_with_fallback((const gchar *)raw, (gssize)rlen, "UTF-8", charset,
						     "?", NULL, &got, NULL);
	if (u != NULL)
		put(o, u, got);
	else
		put(o, (const char *)raw, rlen);
	g_free(u);
	free(raw);
}

char *rfc2047_decode(const char *raw, size_t len, size_t max_out, size_t *out_len)
{
	struct out o = {malloc(max_out + 1), 0, max_out};
	*out_len = 0;
	if (o.buf == NULL)
		return NULL;
	bool last_word = false;
	size_t pending = 0;	/* blanks not yet written */
	for (size_t i = 0; i < len && o.len < o.cap;) {
		char charset[CHARSET_MAX + 1], enc;
		const char *text;
		size_t tlen, w = word_at(raw + i, len - i, charset, &enc, &text, &tlen);
		if (w > 0) {
			if (!last_word && pending > 0)
				put_blanks(&o, pending);
			pending = 0;
			word_put(&o, charset, enc, text, tlen);
			last_word = true;
			i += w;
			continue;
		}
		char c = raw[i];
		if (c == '\r' || c == '\n') {	/* unfold */
			i++;
			continue;
		}
		if (c == ' ' || c == '\t') {
			pending++;
			i++;
			continue;
		}
		if (pending > 0)
			put_blanks(&o, pending);
		pending = 0;
		last_word = false;
		put(&o, &c, 1);
		i++;
	}
	if (pending > 0 && !last_word)
		put_blanks(&o, pending);
	o.buf[o.len] = '\0';
	*out_len = o.len;
	return o.buf;
}
