/*
 * route.c - where an envelope recipient can go, and the form in which
 * the MTA queued it.  See route.h for the rules and why.
 *
 * Bounded by construction: the input is at most RCPT_TEXT_MAX bytes
 * without its <>, every loop consumes at least one byte or one operator,
 * and at most ROUTE_TARGETS_MAX targets are kept (more: not valid).
 */
#include <string.h>

#include "grondslag/decide/route.h"

/* One pair of angle brackets around the whole address removed; false
 * when what is left is longer than RCPT_TEXT_MAX (limits.h: the length
 * without <>, the one every part that holds and releases it carries). */
static bool unbracket(const char *in, const char **p, size_t *len)
{
	if (in == NULL)
		return false;
	size_t n = strnlen(in, ROUTE_TEXT_MAX);
	if (n >= ROUTE_TEXT_MAX)
		return false;
	if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
		in++;
		n -= 2;
	}
	if (n > RCPT_TEXT_MAX)
		return false;
	*p = in;
	*len = n;
	return true;
}

/* Length of the source route "@a,@b:" at the start of p (0: none, or
 * malformed: no colon). */
static size_t route_len(const char *p, size_t len)
{
	if (len == 0 || p[0] != '@')
		return 0;
	const char *colon = memchr(p, ':', len);
	return colon != NULL ? (size_t)(colon - p) + 1 : 0;
}

/* The last '@' of p outside quotes (a backslash escapes the next byte),
 * or NULL. */
static const char *last_at(const char *p, size_t len)
{
	const char *at = NULL;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			quoted = !quoted;
		else if (p[i] == '@' && !quoted)
			at = p + i;
	}
	return at;
}

/* The local part p[0..len) without quotes and escapes, into out (size
 * ROUTE_TEXT_MAX); lower-cased when fold. */
static void unquote(const char *p, size_t len, bool fold, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (c == '"')
			continue;
		if (c == '\\' && i + 1 < len)
			c = p[++i];
		out[o++] = fold && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[o] = '\0';
}

struct hosts {
	char name[ROUTE_TARGETS_MAX][DOMAIN_TEXT_MAX];
	size_t n;
	bool ok;
};

/* Add host p[0..len) when it is a domain; anything else (empty, a single
 * label, an address literal, one piece too many) makes the route unknown. */
static void host_add(struct hosts *h, const char *p, size_t len)
{
	char text[DOMAIN_TEXT_MAX], canon[DOMAIN_TEXT_MAX];
	if (len == 0 || len >= sizeof text || h->n >= ROUTE_TARGETS_MAX - 1) {
		h->ok = false;
		return;
	}
	memcpy(text, p, len);
	text[len] = '\0';
	if (!domain_normalize(text, canon, sizeof canon)) {
		h->ok = false;
		return;
	}
	memcpy(h->name[h->n++], canon, sizeof canon);
}

/* The hops of a source route "@a,@b:" (rlen bytes, colon included). */
static void hops_add(struct hosts *h, const char *p, size_t rlen)
{
	const char *end = p + rlen - 1;	/* the colon */
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma != NULL ? comma : end;
		if (*p != '@')
			h->ok = false;
		else
			host_add(h, p + 1, (size_t)(stop - p - 1));
		p = stop + 1;
	}
}

/* Peel the routing operators off the unquoted local part u (in place),
 * outermost first, the way the MTAs do: a quoted '@' and '%' name the
 * host on their right (the last one is applied first), '!' the host on
 * its left (the first one first).  u keeps the innermost user. */
static void local_hosts(struct hosts *h, char *u)
{
	for (;;) {
		char *op = strrchr(u, '@');
		if (op == NULL)
			op = strrchr(u, '%');
		if (op != NULL) {
			*op = '\0';
			host_add(h, op + 1, strlen(op + 1));
			continue;
		}
		op = strchr(u, '!');
		if (op == NULL)
			return;
		host_add(h, u, (size_t)(op - u));
		memmove(u, op + 1, strlen(op + 1) + 1);
	}
}

bool route_parse(const char *rcpt, struct route *out)
{
	out->routed = false;
	out->valid = false;
	out->ntargets = 0;
	const char *p;
	size_t len;
	if (!unbracket(rcpt, &p, &len))
		return false;
	struct hosts h = {.n = 0, .ok = true};
	size_t rlen = route_len(p, len);
	if (rlen > 0) {
		out->routed = true;
		hops_add(&h, p, rlen);
		p += rlen;
		len -= rlen;
	} else if (len > 0 && p[0] == '@') {
		return false;	/* a route without its colon */
	}
	const char *at = last_at(p, len);
	if (at == NULL || at == p || len >= ADDRESS_TEXT_MAX)
		return false;
	size_t nhops = h.n;
	char user[ROUTE_TEXT_MAX];
	unquote(p, (size_t)(at - p), false, user);
	if (strpbrk(user, "@%!") != NULL) {
		out->routed = true;
		local_hosts(&h, user);
	}
	size_t ulen = strlen(user);
	if (ulen == 0 || ulen > DOMAIN_LOCAL_MAX)
		h.ok = false;
	/* in travel order: the hops, the address itself, its local hosts */
	for (size_t i = 0; h.ok && i <= h.n; i++) {
		char *t = out->targets[out->ntargets++];
		if (i == nhops) {
			memcpy(t, p, len);
			t[len] = '\0';
			continue;
		}
		const char *host = h.name[i < nhops ? i : i - 1];
		memcpy(t, user, ulen);
		t[ulen] = '@';
		memcpy(t + ulen + 1, host, strlen(host) + 1);
	}
	out->valid = h.ok;
	return out->valid;
}

bool route_key(const char *addr, char *out, size_t outsize)
{
	const char *p;
	size_t len;
	if (!unbracket(addr, &p, &len) || outsize < ROUTE_TEXT_MAX)
		return false;
	size_t rlen = route_len(p, len);
	const char *at = last_at(p + rlen, len - rlen);
	size_t local = at != NULL ? (size_t)(at - p) : len;
	unquote(p, local, true, out);	/* the route has no quotes */
	size_t o = strlen(out);
	for (size_t i = local; i < len; i++) {
		char c = p[i];
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out[o] = '\0';
	return o > 0;
}

bool route_delete_form(const char *given, const char *mta_addr, char *out, size_t outsize)
{
	const char *p;
	size_t len;
	char kg[ROUTE_TEXT_MAX], km[ROUTE_TEXT_MAX];
	if (mta_addr == NULL || *mta_addr == '\0' || !unbracket(given, &p, &len) || len == 0 ||
	    outsize < len + 3 || !route_key(given, kg, sizeof kg) ||
	    !route_key(mta_addr, km, sizeof km))
		return false;
	size_t rlen = route_len(p, len);
	/* the route stays only when the MTA kept it */
	if (rlen > 0 && strcmp(kg, km) != 0) {
		p += rlen;
		len -= rlen;
	}
	out[0] = '<';
	memcpy(out + 1, p, len);
	out[len + 1] = '>';
	out[len + 2] = '\0';
	return len > 0;
}

bool route_fits(const char *rcpt)
{
	const char *p;
	size_t len;
	return unbracket(rcpt, &p, &len);
}
