/*
 * readmap.c - readers of a message mapped to parties (see readmap.h).
 *
 * Why these rules: a ciphertext can be read by exactly the keys its
 * packets name, so the keys say who receives the content, whatever the
 * envelope says.  A key of a party nobody addressed, a key handed to a
 * whole community or a key past its life leaks the content as surely as
 * a wrong address; the registry knows those keys, so they hold always.
 * Whether an unknown or anonymous reader is wrong can only be said for a
 * party whose keys the registry lists: without any, today's rule stands
 * (encrypted is unscannable and needs a basis that permits it).
 *
 * Cost: one hash probe per reader (registry_key_find), plus one resolve
 * per envelope recipient when a reader belongs to another party.
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/decide/readmap.h"

const char *readmap_class_name(enum readmap_class c)
{
	static const char *const names[] = {"party", "own", "shared", "unknown", "anonymous",
					    "unparsed"};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

/* A party of the organisation itself: one of its domains, or the domain
 * of one of its addresses, is an own domain.  Its keys are own keys. */
static bool party_is_own(const struct registry *r, const struct registry_party *p)
{
	for (size_t i = 0; p != NULL && i < p->ndomains; i++)
		if (registry_is_own_domain(r, p->domains[i]))
			return true;
	for (size_t i = 0; p != NULL && i < p->naddresses; i++) {
		const char *at = strrchr(p->addresses[i], '@');
		if (at != NULL && registry_is_own_domain(r, at + 1))
			return true;
	}
	return false;
}

void readmap_classify(const struct registry *r, const struct reader_id *id, int32_t date,
		      struct readmap_reader *out)
{
	memset(out, 0, sizeof *out);
	switch (id->kind) {
	case READER_ANONYMOUS:
	case READER_SECRET:
		out->cls = READMAP_ANONYMOUS;
		return;
	case READER_UNPARSED:
		out->cls = READMAP_UNPARSED;
		return;
	default:
		break;
	}
	out->key = registry_key_find(r, id);
	if (out->key == NULL) {
		out->cls = READMAP_UNKNOWN;
		return;
	}
	out->cls = out->key->owner == KEY_OWNER_OWN	 ? READMAP_OWN
		   : out->key->owner == KEY_OWNER_SHARED ? READMAP_SHARED
		   : party_is_own(r, out->key->party)	 ? READMAP_OWN
							 : READMAP_PARTY;
	out->expired = !registry_key_valid_on(out->key, date);
}

/* Does any envelope recipient belong to party q? */
static bool addressed(const struct registry *r, const struct registry_party *q,
		      const struct registry_party *p, const char *const *rcpts, size_t n)
{
	if (q == p)
		return true;
	for (size_t i = 0; rcpts != NULL && i < n; i++) {
		struct registry_resolution res;
		registry_resolve(r, rcpts[i] != NULL ? rcpts[i] : "", &res);
		if (res.party == q)
			return true;
	}
	return false;
}

void readmap_check(const struct registry *r, const struct findings *f,
		   const struct registry_party *p, int32_t date, const char *const *rcpts,
		   size_t nrcpts, struct readmap_check *out)
{
	memset(out, 0, sizeof *out);
	size_t n = f != NULL ? findings_reader_count(f) : 0;
	bool strict = p != NULL && p->ncerts > 0;
	out->readers = n;
	for (size_t i = 0; i < n; i++) {
		struct readmap_reader rr;
		readmap_classify(r, &findings_reader(f, i)->id, date, &rr);
		out->expired = out->expired || rr.expired;
		switch (rr.cls) {
		case READMAP_SHARED:
			out->shared = true;
			break;
		case READMAP_PARTY:
			if (!addressed(r, rr.key->party, p, rcpts, nrcpts)) {
				out->not_addressed = true;
				if (out->stranger == NULL)
					out->stranger = rr.key->party;
			}
			break;
		case READMAP_UNKNOWN:
		case READMAP_UNPARSED:
			out->unknown = out->unknown || strict;
			break;
		case READMAP_ANONYMOUS:
			out->anonymous = out->anonymous || strict;
			break;
		case READMAP_OWN:
			break;
		}
	}
}

const char *readmap_describe(const struct registry *r, const struct findings *f, int32_t date,
			     char *buf, size_t n)
{
	size_t count = f != NULL ? findings_reader_count(f) : 0, off = 0;
	buf[0] = '\0';
	if (count == 0 || n == 0)
		return buf;
	for (size_t i = 0; i < count && i < READMAP_SHOWN; i++) {
		const struct reader_id *id = &findings_reader(f, i)->id;
		struct readmap_reader rr;
		char idtext[READER_TEXT_MAX], one[256];
		readmap_classify(r, id, date, &rr);
		reader_format(id, idtext, sizeof idtext);
		const char *exp = rr.expired ? ", expired or revoked" : "";
		switch (rr.cls) {
		case READMAP_PARTY:
			snprintf(one, sizeof one, "%s (%s, %s%s)", rr.key->party->name,
				 rr.key->party->id, rr.key->label, exp);
			break;
		case READMAP_OWN:
			snprintf(one, sizeof one, "an own key (%s%s)", rr.key->label, exp);
			break;
		case READMAP_SHARED:
			snprintf(one, sizeof one, "a key shared widely (%s%s)", rr.key->label, exp);
			break;
		case READMAP_UNKNOWN:
			snprintf(one, sizeof one, "an unknown %s", idtext);
			break;
		case READMAP_ANONYMOUS:
			snprintf(one, sizeof one, "%s",
				 id->kind == READER_SECRET ? "whoever holds a passphrase or shared secret"
							   : "an anonymous recipient");
			break;
		default:
			snprintf(one, sizeof one, "%s", "readers that could not be read from the message");
			break;
		}
		bool last = i + 1 == count && count <= READMAP_SHOWN;
		int w = snprintf(buf + off, n - off, "%s%s", i == 0 ? "readable by " : last ? " and " : ", ",
				 one);
		if (w < 0 || (size_t)w >= n - off)
			return buf;
		off += (size_t)w;
	}
	if (count > READMAP_SHOWN)
		snprintf(buf + off, n - off, " and %zu more", count - READMAP_SHOWN);
	return buf;
}
