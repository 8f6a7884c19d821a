/*
 * ctlsock_names.c - what a jurist names in a request, checked before
 * anything is looked up or decided: a party (its registry id or its
 * name, in any case), a hold reason code (the closed set of policy.h,
 * any case) and a legal basis (a registry id, any case, that the
 * recipients' party lists and that is valid on the policy's date).
 *
 * Why: a filter value nobody knows used to answer "0 held messages", so
 * a jurist who typed the display name believed nothing was held; and an
 * approval could record a basis that does not exist or does not apply.
 * An unknown value is an error that says what is known.
 *
 * Public functions (ctlsock_priv.h): ctlsock_party_filter(), ctlsock_party_named(),
 * ctlsock_reason_named(), ctlsock_basis_named(), ctlsock_basis_fits().
 * Limits: names are compared up to CTLSOCK_TEXT_MAX bytes.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ctlsock_priv.h"
#include "grondslag/base/date.h"
#include "grondslag/decide/policy.h"

const char *ctlsock_party_filter(struct ctlsock_req *r, const char *text, char *why,
				 size_t whylen)
{
	const struct registry_party *p = ctlsock_party_named(r, text, why, whylen);
	if (p != NULL)
		return p->id;
	/* a party gone from the registry still names its stored holds; not
	 * for a sender: whether any hold names it is a fact of other
	 * people's mail */
	if (r->role == CTLSOCK_SENDER)
		return NULL;
	char err[256];
	if (store_party_held(r->env->store, text, r->party_held, sizeof r->party_held, err,
			     sizeof err) == 1)
		return r->party_held;
	return NULL;
}

const struct registry_party *ctlsock_party_named(const struct ctlsock_req *r, const char *text,
						 char *why, size_t whylen)
{
	if (r->reg == NULL) {
		snprintf(why, whylen, "no registry is loaded to check the party \"%.100s\" against",
			 text);
		return NULL;
	}
	const struct registry_party *found = NULL;
	for (size_t i = 0; i < registry_party_count(r->reg); i++) {
		const struct registry_party *p = registry_party(r->reg, i);
		if (strcasecmp(p->id, text) != 0 && strcasecmp(p->name, text) != 0)
			continue;
		if (found != NULL && found != p) {
			snprintf(why, whylen, "\"%.100s\" names more than one party (%s, %s): give the id",
				 text, found->id, p->id);
			return NULL;
		}
		found = p;
	}
	if (found == NULL)
		snprintf(why, whylen, "unknown party \"%.100s\": not an id or name in the registry"
				      " (grondslag registry list)", text);
	return found;
}

const char *ctlsock_reason_named(const char *text, char *why, size_t whylen)
{
	for (int i = 0; i < REASON_COUNT; i++) {
		enum policy_reason code = (enum policy_reason)i;
		if (policy_reason_is_hold(code) && strcasecmp(policy_reason_name(code), text) == 0)
			return policy_reason_name(code);
	}
	size_t n = (size_t)snprintf(why, whylen, "unknown reason code \"%.100s\"; known:", text);
	for (int i = 0; i < REASON_COUNT && n < whylen; i++)
		if (policy_reason_is_hold((enum policy_reason)i))
			n += (size_t)snprintf(why + n, whylen - n, " %s",
					      policy_reason_name((enum policy_reason)i));
	return NULL;
}

const struct registry_basis *ctlsock_basis_named(const struct ctlsock_req *r, const char *text,
						 char *why, size_t whylen)
{
	if (r->reg == NULL) {
		snprintf(why, whylen, "no registry is loaded to check the basis \"%.100s\" against",
			 text);
		return NULL;
	}
	for (size_t i = 0; i < registry_basis_count(r->reg); i++)
		if (strcasecmp(registry_basis(r->reg, i)->id, text) == 0)
			return registry_basis(r->reg, i);
	snprintf(why, whylen, "unknown basis \"%.100s\": not a basis id of the registry", text);
	return NULL;
}

/* Does the party with id `party` list basis b, valid on day?  NULL, or
 * why not. */
static const char *basis_misfit(const struct ctlsock_req *r, const char *party,
				const struct registry_basis *b, char *buf, size_t len)
{
	const struct registry_party *p =
		party != NULL && *party ? registry_party_by_id(r->reg, party) : NULL;
	if (p == NULL) {
		snprintf(buf, len, "has %s party in the registry, so no basis applies",
			 party != NULL && *party ? "no longer a" : "no");
		return buf;
	}
	bool listed = false;
	for (size_t i = 0; i < p->nbases && !listed; i++)
		listed = p->bases[i] == b;
	if (!listed) {
		snprintf(buf, len, "(party %s): basis %s is not a basis of this party", p->id, b->id);
		return buf;
	}
	enum basis_status st = registry_basis_status(b, r->today);
	if (st != BASIS_VALID) {
		char day[16], from[16], until[16];
		struct date_range w = registry_basis_window(b);
		snprintf(buf, len, "(party %s): basis %s is %s on %s (valid from %s until %s)", p->id, b->id,
			 st == BASIS_EXPIRED ? "expired" : "not yet valid",
			 date_format(r->today, day, sizeof day),
			 date_format(w.from, from, sizeof from),
			 date_format(w.until, until, sizeof until));
		return buf;
	}
	return NULL;
}

/* Is address a of the hold named in rcpts (as stored or without <>)? */
static bool named(const char *a, const char *const *rcpts, size_t n)
{
	size_t la = strlen(a);
	const char *bare = a;
	if (la >= 2 && a[0] == '<' && a[la - 1] == '>') {
		bare++;
		la -= 2;
	}
	for (size_t k = 0; k < n; k++) {
		const char *x = rcpts[k];
		size_t lx = strlen(x);
		if (lx >= 2 && x[0] == '<' && x[lx - 1] == '>') {
			x++;
			lx -= 2;
		}
		if (lx == la && strncasecmp(x, bare, la) == 0)
			return true;
	}
	return false;
}

bool ctlsock_basis_fits(const struct ctlsock_req *r, const struct store_hold_record *h,
			const char *const *rcpts, size_t n, char *why, size_t whylen)
{
	char buf[300];
	for (size_t i = 0; i < h->nrcpts; i++) {
		const struct store_hold_rcpt_record *x = &h->rcpts[i];
		if (n > 0 ? !named(x->recipient, rcpts, n) : strcmp(x->state, "held") != 0)
			continue;
		const char *misfit = basis_misfit(r, x->party, r->basis, buf, sizeof buf);
		if (misfit != NULL) {
			snprintf(why, whylen, "%.100s %s", x->recipient, misfit);
			return false;
		}
	}
	return true;
}
