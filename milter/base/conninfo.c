/*
 * conninfo.c - a Database value's kind (conninfo.h).  A key=value
 * conninfo starts with a keyword of lowercase letters and '_' followed by
 * '=': a file path has a '/' or a '.' before any '=' it may hold, and a
 * relative file named like "host=x" would be a strange store indeed.
 * Limits: none.
 */
#include <stddef.h>
#include <string.h>

#include "grondslag/base/conninfo.h"

bool conninfo_is(const char *database)
{
	if (database == NULL)
		return false;
	if (strncmp(database, "postgresql://", 13) == 0 || strncmp(database, "postgres://", 11) == 0)
		return true;
	const char *p = database;
	while (*p == ' ' || *p == '\t')
		p++;
	const char *w = p;
	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	while (*p == ' ')
		p++;
	return p > w && *p == '=';
}

/* Append n bytes of s to out (at *o, bounded by outlen). */
static void put(char *out, size_t outlen, size_t *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && *o + 1 < outlen; i++)
		out[(*o)++] = s[i];
}

void conninfo_redact(const char *database, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	size_t o = 0;
	const char *p = database ? database : "";
	bool uri = strncmp(p, "postgresql://", 13) == 0 || strncmp(p, "postgres://", 11) == 0;
	if (!conninfo_is(p)) {
		put(out, outlen, &o, p, strlen(p));
	} else if (uri) {
		const char *auth = strstr(p, "://") + 3;
		const char *at = auth + strcspn(auth, "@/?");
		const char *colon = memchr(auth, ':', (size_t)(at - auth));
		if (*at == '@' && colon != NULL) {
			put(out, outlen, &o, p, (size_t)(colon + 1 - p));
			put(out, outlen, &o, "***", 3);
			p = at;
		}
		/* a query parameter password=... up to the next & */
		while (*p) {
			const char *q = strstr(p, "password=");
			if (q == NULL || (q != p && q[-1] != '?' && q[-1] != '&')) {
				size_t n = q ? (size_t)(q - p) + 9 : strlen(p);
				put(out, outlen, &o, p, n);
				p += n;
				continue;
			}
			put(out, outlen, &o, p, (size_t)(q - p) + 9);
			put(out, outlen, &o, "***", 3);
			p = q + 9 + strcspn(q + 9, "&");
		}
	} else {
		/* key = value pairs; a value is a word or '...' with \' and \\ */
		while (*p) {
			const char *k = p;
			while (*p && *p != '=')
				p++;
			const char *ks = k, *ke = p;
			while (ks < ke && (*ks == ' ' || *ks == '\t'))
				ks++;
			while (ke > ks && (ke[-1] == ' ' || ke[-1] == '\t'))
				ke--;
			bool secret = ke - ks == 8 && strncmp(ks, "password", 8) == 0;
			if (*p == '=')
				p++;
			put(out, outlen, &o, k, (size_t)(p - k));
			while (*p == ' ' || *p == '\t')
				put(out, outlen, &o, p++, 1);
			const char *v = p;
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					if (*p == '\\' && p[1])
						p++;
				if (*p)
					p++;
			} else {
				while (*p && *p != ' ' && *p != '\t')
					p++;
			}
			if (secret)
				put(out, outlen, &o, "***", 3);
			else
				put(out, outlen, &o, v, (size_t)(p - v));
			while (*p == ' ' || *p == '\t')
				put(out, outlen, &o, p++, 1);
		}
	}
	out[o] = '\0';
}
