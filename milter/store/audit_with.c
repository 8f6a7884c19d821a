/*
 * audit_with.c - one more member in canonical details: the store adds
 * "channel" (the delegate a person acted through, e.g. the web console)
 * to every record of such a person without each caller of the chain
 * having to know about delegates.
 *
 * Public function: audit_details_with().
 * Limits: details must be a flat canonical object as audit_details_finish()
 * writes it (string and integer members, keys sorted, no blanks); anything
 * else is refused (NULL), never guessed at.
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/store/audit.h"

/* The end of the JSON string starting at p (on its '"'): the byte after
 * the closing quote, NULL when unterminated. */
static const char *string_end(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] == '\0')
				return NULL;
			p++;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

/* The end of the member value at p (a string or a bare number). */
static const char *value_end(const char *p)
{
	if (*p == '"')
		return string_end(p);
	const char *q = p;
	while (*q != '\0' && *q != ',' && *q != '}')
		q++;
	return q == p ? NULL : q;
}

/* Does the key string k (on its '"', ending before kend) sort after key?
 * Keys are compared as the canonical form stores them (bytewise). */
static int key_cmp(const char *k, const char *kend, const char *key)
{
	size_t n = (size_t)(kend - k) - 2, kl = strlen(key);
	int c = memcmp(k + 1, key, n < kl ? n : kl);
	return c != 0 ? c : (n > kl) - (n < kl);
}

char *audit_details_with(const char *details, const char *key, const char *value)
{
	size_t dl = details != NULL ? strlen(details) : 0;
	if (dl < 2 || details[0] != '{' || details[dl - 1] != '}' || key == NULL)
		return NULL;
	/* where the new member goes: before the first key sorting after it */
	const char *p = details + 1, *at = details + dl - 1;
	while (*p == '"') {
		const char *kend = string_end(p);
		if (kend == NULL || *kend != ':')
			return NULL;
		int c = key_cmp(p, kend, key);
		if (c == 0)
			return strdup(details);
		const char *vend = value_end(kend + 1);
		if (vend == NULL)
			return NULL;
		if (c > 0) {
			at = p;
			break;
		}
		p = *vend == ',' ? vend + 1 : vend;
	}
	if (at == details + dl - 1 && p != at)
		return NULL;
	/* the member in canonical form, made by the one encoder */
	struct audit_details *d = audit_details_new();
	audit_details_str(d, key, value);
	char *member = audit_details_finish(d);
	if (member == NULL)
		return NULL;
	size_t ml = strlen(member) - 2, before = (size_t)(at - details);
	bool first = before == 1, last = at == details + dl - 1;
	char *out = malloc(dl + ml + 2);
	if (out != NULL) {
		size_t n = 0;
		memcpy(out, details, before);
		n = before;
		if (!first && last)
			out[n++] = ',';
		memcpy(out + n, member + 1, ml);
		n += ml;
		if (!last)
			out[n++] = ',';
		memcpy(out + n, at, dl - before + 1);
	}
	free(member);
	return out;
}
