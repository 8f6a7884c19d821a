/*
 * senderid.c - a sender as a person: canonical envelope addresses and the
 * comparison with a jurist's identities (see senderid.h).  Hand-written
 * bounded scanner over the address; the domain goes to domain.c.
 */
#include "grondslag/decide/senderid.h"

#include <string.h>
#include <strings.h>

#include "grondslag/base/domain.h"

#define SENDERID_INPUT_MAX 1024
#define SENDERID_LOCAL_MAX 256

/* Lower-case ASCII letter. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The last '@' of s[0..len) outside a quoted string, or NULL. */
static const char *last_at(const char *s, size_t len)
{
	const char *at = NULL;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (quoted && s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == '@')
			at = s + i;
	}
	return at;
}

/* The local part s[0..len) unquoted (and lower-cased when fold) into
 * out (size SENDERID_LOCAL_MAX + 1); its length, or 0 when it is empty
 * or too long. */
static size_t local_part(const char *s, size_t len, char *out, bool fold)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"')
			continue;	/* quotes only group: "a.b"@x is a.b@x */
		if (c == '\\' && i + 1 < len)
			c = s[++i];
		if ((unsigned char)c < 0x20 || c == 0x7f || n == SENDERID_LOCAL_MAX)
			return 0;
		out[n++] = fold ? lower(c) : c;
	}
	out[n] = '\0';
	return n;
}

/* senderid_address() with the local part lower-cased or not (fold). */
static bool address_of(const char *in, const char *delims, bool fold, char *out, size_t outsize)
{
	if (outsize > 0)
		out[0] = '\0';
	if (in == NULL || outsize < SENDERID_MAX)
		return false;
	size_t len = strnlen(in, SENDERID_INPUT_MAX + 1);
	if (len > SENDERID_INPUT_MAX)
		return false;
	while (len > 0 && (*in == ' ' || *in == '\t'))
		in++, len--;
	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\t'))
		len--;
	if (len >= 2 && in[0] == '<' && in[len - 1] == '>')
		in++, len -= 2;
	/* a source route <@a,@b:user@dom> names relays, not the sender */
	if (len > 0 && in[0] == '@') {
		const char *colon = memchr(in, ':', len);
		if (colon == NULL)
			return false;
		len -= (size_t)(colon + 1 - in);
		in = colon + 1;
	}
	const char *at = last_at(in, len);
	if (at == NULL)
		return false;
	char local[SENDERID_LOCAL_MAX + 1], dom[SENDERID_INPUT_MAX + 1];
	size_t n = local_part(in, (size_t)(at - in), local, fold);
	if (n == 0)
		return false;
	/* the subaddress: from the first delimiter on, never the whole */
	if (delims != NULL && *delims != '\0') {
		size_t cut = strcspn(local, delims);
		if (cut > 0 && cut < n)
			local[n = cut] = '\0';
	}
	size_t dlen = len - (size_t)(at + 1 - in);
	memcpy(dom, at + 1, dlen);
	dom[dlen] = '\0';
	if (n + 2 >= outsize)
		return false;
	memcpy(out, local, n);
	out[n] = '@';
	if (!domain_normalize(dom, out + n + 1, outsize - n - 1)) {
		out[0] = '\0';
		return false;
	}
	return true;
}

bool senderid_address(const char *in, const char *delims, char *out, size_t outsize)
{
	return address_of(in, delims, true, out, outsize);
}

bool senderid_owns(const char *mine, const char *envelope)
{
	char a[SENDERID_MAX], b[SENDERID_MAX];
	/* exact local parts, no subaddress cut: here a false match would
	 * show a person mail that is not theirs */
	return mine != NULL && envelope != NULL && address_of(mine, NULL, false, a, sizeof a) &&
	       address_of(envelope, NULL, false, b, sizeof b) && strcmp(a, b) == 0;
}

bool senderid_match(const char *id, const char *envelope, const char *canonical,
		    const char *auth, const char *delims)
{
	if (id == NULL || *id == '\0')
		return false;
	if (auth != NULL && *auth != '\0' && strcasecmp(id, auth) == 0)
		return true;
	char a[SENDERID_MAX], b[SENDERID_MAX];
	if (!senderid_address(id, delims, a, sizeof a))
		return false;	/* a SASL name that is no address: compared above */
	if (canonical != NULL && *canonical != '\0' && strcmp(a, canonical) == 0)
		return true;
	if (envelope != NULL && senderid_address(envelope, delims, b, sizeof b) &&
	    strcmp(a, b) == 0)
		return true;
	/* an SASL identity in address form (user@REALM) */
	return auth != NULL && *auth != '\0' && senderid_address(auth, delims, b, sizeof b) &&
	       strcmp(a, b) == 0;
}

/* Is the SMTP AUTH identity auth one of the blank-separated identities
 * of ids (sasl:NAME, or an address spelt exactly as the login)? */
static bool auth_listed(const char *ids, const char *auth)
{
	size_t alen = strlen(auth);
	while (ids != NULL && *(ids += strspn(ids, " \t")) != '\0') {
		size_t n = strcspn(ids, " \t");
		const char *id = ids;
		ids += n;
		if (n > 5 && strncmp(id, "sasl:", 5) == 0)
			id += 5, n -= 5;
		if (n == alen && memcmp(id, auth, n) == 0)
			return true;
	}
	return false;
}

/* Does one of the blank-separated addresses of ids own envelope? */
static bool address_listed(const char *ids, const char *envelope)
{
	char a[SENDERID_MAX];
	while (ids != NULL && *(ids += strspn(ids, " \t")) != '\0') {
		size_t n = strcspn(ids, " \t");
		if (n < sizeof a && strncmp(ids, "sasl:", 5) != 0) {
			memcpy(a, ids, n);
			a[n] = '\0';
			if (senderid_owns(a, envelope))
				return true;
		}
		ids += n;
	}
	return false;
}

bool senderid_sender_owns(const char *login, const char *ids, const char *envelope,
			  const char *auth)
{
	if (auth != NULL && *auth != '\0')
		return (login != NULL && *login != '\0' && strcmp(login, auth) == 0) ||
		       auth_listed(ids, auth);
	return envelope != NULL && address_listed(ids, envelope);
}
