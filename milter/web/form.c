/*
 * form.c - reading what a browser sends: query strings and form bodies
 * (application/x-www-form-urlencoded), the session cookie, the Origin
 * header.  Bounded and strict: a bad percent escape, a NUL, a value that
 * is not UTF-8, too many fields or too long a value make the whole
 * request a 400, never a guess.
 *
 * Public functions: web_form_parse(), web_form_get(), web_form_all(),
 * web_form_free(), web_cookie_get(), web_origin_ok().
 * Limits: WEB_FORM_FIELDS fields, WEB_FORM_VALUE_MAX bytes per value,
 * WEB_BODY_MAX bytes in all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Is s (n bytes) UTF-8 (no overlongs, no surrogates)? */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
			   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (len == 0 || i + len > n)
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return false;
		i += len;
	}
	return true;
}

/* Decode src (n bytes) into dst, '+' as a blank; its length, or -1. */
static long decode(const char *src, size_t n, char *dst)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (src[i] == '%') {
			int a = i + 1 < n ? hexval(src[i + 1]) : -1;
			int b = i + 2 < n ? hexval(src[i + 2]) : -1;
			if (a < 0 || b < 0 || a * 16 + b == 0)	/* a bad escape, or %00 */
				return -1;
			dst[k++] = (char)(a * 16 + b);
			i += 2;
		} else if (src[i] == '+') {
			dst[k++] = ' ';
		} else if (src[i] == '\0') {
			return -1;
		} else {
			dst[k++] = src[i];
		}
	}
	dst[k] = '\0';
	return utf8_ok((const unsigned char *)dst, k) ? (long)k : -1;
}

int web_form_parse(const char *data, size_t len, struct web_form *f, char *why, size_t whylen)
{
	memset(f, 0, sizeof *f);
	if (len > WEB_BODY_MAX) {
		snprintf(why, whylen, "the request is larger than %u bytes", (unsigned)WEB_BODY_MAX);
		return -1;
	}
	/* decoded text is never longer than the input: one block for all */
	f->mem = malloc(2 * len + 2);
	if (f->mem == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	char *out = f->mem;
	for (size_t i = 0; i < len;) {
		size_t n = 0;
		while (i + n < len && data[i + n] != '&')
			n++;
		if (n > 0) {
			const char *eq = memchr(data + i, '=', n);
			size_t kn = eq ? (size_t)(eq - (data + i)) : n;
			if (f->n == WEB_FORM_FIELDS) {
				snprintf(why, whylen, "more than %d fields", WEB_FORM_FIELDS);
				goto bad;
			}
			long kl = decode(data + i, kn, out);
			f->key[f->n] = out;
			out += kl + 1;
			long vl = kl < 0 ? -1 : decode(eq ? eq + 1 : "", eq ? n - kn - 1 : 0, out);
			f->val[f->n] = out;
			out += vl + 1;
			if (kl < 0 || vl < 0) {
				snprintf(why, whylen, "a field is not percent-encoded UTF-8 text");
				goto bad;
			}
			if (vl > WEB_FORM_VALUE_MAX) {
				snprintf(why, whylen, "a value is longer than %d bytes",
					 WEB_FORM_VALUE_MAX);
				goto bad;
			}
			f->n++;
		}
		i += n + 1;
	}
	return 0;
bad:
	web_form_free(f);
	return -1;
}

void web_form_free(struct web_form *f)
{
	free(f->mem);
	memset(f, 0, sizeof *f);
}

const char *web_form_get(const struct web_form *f, const char *key)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->key[i], key) == 0)
			return f->val[i];
	return NULL;
}

size_t web_form_all(const struct web_form *f, const char *key, const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n && k < max; i++)
		if (strcmp(f->key[i], key) == 0)
			out[k++] = f->val[i];
	return k;
}

bool web_cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	for (const char *p = header; p != NULL && *p;) {
		p += strspn(p, " \t;");
		size_t n = strcspn(p, ";");
		if (n > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			size_t vl = n - nl - 1;
			while (vl > 0 && (p[nl + vl] == ' ' || p[nl + vl] == '\t'))
				vl--;
			if (vl >= outlen)
				return false;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p += n;
	}
	return false;
}

bool web_origin_ok(const char *origin, const char *want, const char *host)
{
	if (origin == NULL || strcmp(origin, "null") == 0)
		return false;
	if (want != NULL && *want != '\0')
		return strcasecmp(origin, want) == 0;
	if (host == NULL || *host == '\0' || strncasecmp(origin, "https://", 8) != 0)
		return false;
	return strcasecmp(origin + 8, host) == 0;
}
