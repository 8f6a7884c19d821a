/*
 * policy.c - the per-recipient decision (see policy.h for the order of
 * the checks and what each reason means).
 *
 * The evaluation looks at the party's bases once (status on the date,
 * TLP, constituency), then covers each category present with a usable
 * basis; a category that no usable basis covers gets the most specific
 * reason available: the failing check of a basis that is valid on the
 * date, else the date problem of a basis that permits it (not yet valid /
 * expired, both when both exist), else no-basis.  The constituency check
 * runs at most once per decision and costs O(addresses x constituency
 * entries).  The explanation is built alongside, as predicates with the
 * party as subject, and never contains an address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/names.h"
#include "grondslag/base/strbuf.h"
#include "grondslag/config/config.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/readmap.h"
#include "grondslag/decide/route.h"

#define CAT_EVERY                                                                                  \
	(CAT_PROVIDER_TRACEABLE | CAT_INCIDENT | CAT_PERSONAL_DATA | CAT_UNSCANNABLE | CAT_CREDENTIALS)
#define COUNTRY_SLOTS (26 * 26)
#define EXPLAIN_COUNTRIES 12
#define RECIPIENT_SHOWN 200

struct country_count {
	char cc[3];
	uint32_t n;
};

struct decision {
	struct registry *reg;
	char recipient[RECIPIENT_SHOWN + 4];
	struct registry_resolution res;
	int32_t date;
	unsigned cats;
	enum tlp_level tlp;
	enum policy_verdict verdict;
	bool has[REASON_COUNT];
	enum policy_reason reasons[REASON_COUNT];
	size_t nreasons;
	const struct registry_basis *used[REGISTRY_MAX_PARTY_BASES];
	size_t nused;
	struct country_count *countries;
	size_t ncountries;
	size_t outside, geo_unknown, public_total;
	/* listed host names, placed by their country-code top-level domain */
	size_t hosts_outside, hosts_unknown, hosts_total;
	char *explain;
};

/* "provider-traceable, incident and personal data" / "unscannable content". */
static void sb_categories(struct strbuf *b, unsigned mask)
{
	static const struct {
		unsigned cat;
		const char *word;
	} words[] = {{CAT_PROVIDER_TRACEABLE, "provider-traceable"},
		     {CAT_INCIDENT, "incident"},
		     {CAT_PERSONAL_DATA, "personal"},
		     {CAT_CREDENTIALS, "credential"}};
	size_t n = 0, total = 0;
	for (size_t i = 0; i < 4; i++)
		total += (mask & words[i].cat) != 0;
	for (size_t i = 0; i < 4; i++) {
		if (!(mask & words[i].cat))
			continue;
		n++;
		strbuf_printf(b, "%s%s", n == 1 ? "" : n == total ? " and " : ", ", words[i].word);
	}
	if (total > 0)
		strbuf_printf(b, " data");
	if (mask & CAT_UNSCANNABLE)
		strbuf_printf(b, "%sunscannable content", total > 0 ? " and " : "");
}

/* "Wbni art. 20(2) (wbni-20-2-eu-csirt, regime wbni)". */
static void sb_basis(struct strbuf *b, const struct registry_basis *basis)
{
	strbuf_printf(b, "%s (%s, regime %s)", basis->article, basis->id, basis->regime->id);
}

/* ---- evaluation --------------------------------------------------------- */

struct basis_eval {
	const struct registry_basis *b;
	enum basis_status status;
	bool tlp_fail;
	bool cons_fail;
	bool reported;		/* its TLP / constituency clause is written */
	unsigned dated;		/* categories it would cover on another date */
};

struct eval {
	struct decision *d;
	const struct findings *f;
	const struct registry_party *p;
	struct basis_eval be[REGISTRY_MAX_PARTY_BASES];
	size_t nbe;
	bool cons_done, cons_mismatch, cons_unknown, cons_reported;
	struct strbuf sb;
	size_t clauses;
	uint32_t counts[COUNTRY_SLOTS];
};

static void add_reason(struct decision *d, enum policy_reason r)
{
	d->has[r] = true;
}

/* Start the next predicate: the party is the subject of the first, "it"
 * of the later ones. */
static void clause(struct eval *e)
{
	strbuf_printf(&e->sb, e->clauses++ == 0 ? " " : "; it ");
}

/* Is a public address inside the party's constituency? */
static bool ip_in_constituency(const struct registry_party *p, const struct finding_ip *ip)
{
	for (size_t i = 0; ip->country[0] != '\0' && i < p->ncountries; i++)
		if (memcmp(p->countries[i], ip->country, 2) == 0)
			return true;
	for (size_t i = 0; ip->asn != 0 && i < p->nasns; i++)
		if (p->asns[i] == ip->asn)
			return true;
	for (size_t i = 0; i < p->nprefixes; i++)
		if (ip_prefix_contains(&p->prefixes[i], &ip->addr))
			return true;
	return false;
}

/* A public prefix or range is inside only when a listed prefix holds all
 * of it: geo cannot place a whole network. */
static bool net_in_constituency(const struct registry_party *p, const struct finding_net *n)
{
	for (size_t i = 0; i < p->nprefixes; i++) {
		const struct ip_prefix *c = &p->prefixes[i];
		if (n->is_range) {
			if (ip_prefix_contains(c, &n->first) && ip_prefix_contains(c, &n->last))
				return true;
		} else if (n->prefix.len >= c->len && ip_prefix_contains(c, &n->prefix.addr)) {
			return true;
		}
	}
	return false;
}

/* "(JP: 3, US: 2, and 4 more countries)" after a mismatch. */
static void explain_countries(struct eval *e)
{
	struct decision *d = e->d;
	if (d->ncountries == 0)
		return;
	strbuf_printf(&e->sb, " (");
	for (size_t i = 0; i < d->ncountries && i < EXPLAIN_COUNTRIES; i++)
		strbuf_printf(&e->sb, "%s%s: %u", i ? ", " : "", d->countries[i].cc, d->countries[i].n);
	if (d->ncountries > EXPLAIN_COUNTRIES)
		strbuf_printf(&e->sb, ", and %zu more countries", d->ncountries - EXPLAIN_COUNTRIES);
	strbuf_printf(&e->sb, ")");
}

/* Sort countries by count (most first), then code. */
static int country_cmp(const void *a, const void *b)
{
	const struct country_count *x = a, *y = b;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->cc, y->cc);
}

/* Turn the per-country counters into the decision's sorted list. */
static bool collect_countries(struct eval *e)
{
	struct decision *d = e->d;
	size_t n = 0;
	for (size_t i = 0; i < COUNTRY_SLOTS; i++)
		n += e->counts[i] != 0;
	if (n == 0)
		return true;
	d->countries = calloc(n, sizeof *d->countries);
	if (d->countries == NULL)
		return false;
	for (size_t i = 0; i < COUNTRY_SLOTS; i++) {
		if (e->counts[i] == 0)
			continue;
		struct country_count *c = &d->countries[d->ncountries++];
		c->cc[0] = (char)('A' + i / 26);
		c->cc[1] = (char)('A' + i % 26);
		c->n = e->counts[i];
	}
	qsort(d->countries, d->ncountries, sizeof *d->countries, country_cmp);
	return true;
}

/* The country of a country-code top-level domain (ISO 3166 alpha-2 in
 * upper case), false for a generic one.  "uk" is GB; "eu" is no country. */
static bool tld_country(const char *tld, char cc[3])
{
	if (strlen(tld) != 2 || tld[0] < 'a' || tld[0] > 'z' || tld[1] < 'a' || tld[1] > 'z' ||
	    strcmp(tld, "eu") == 0)
		return false;
	if (strcmp(tld, "uk") == 0)
		tld = "gb";
	cc[0] = (char)(tld[0] - 'a' + 'A');
	cc[1] = (char)(tld[1] - 'a' + 'A');
	cc[2] = '\0';
	return true;
}

/* Does one of the party's constituency.domains place host h (h lies
 * under it, or is it)? */
static bool host_in_domains(const struct eval *e, const struct finding_host *h)
{
	for (size_t k = 0; k < e->p->ncons_domains; k++) {
		const char *dom = e->p->cons_domains[k];
		uint64_t x = findings_domain_hash(dom, strlen(dom));
		for (size_t j = 0; j < h->nunder; j++)
			if (h->under[j] == x)
				return true;
	}
	return false;
}

/* Check every public address, network and listed host name once; counts
 * go to the decision. */
static void check_constituency(struct eval *e)
{
	struct decision *d = e->d;
	if (e->cons_done)
		return;
	e->cons_done = true;
	size_t nip = e->f != NULL ? findings_ip_count(e->f) : 0;
	for (size_t i = 0; i < nip; i++) {
		const struct finding_ip *ip = findings_ip(e->f, i);
		if (ip->scope != IP_SCOPE_PUBLIC || ip_in_constituency(e->p, ip))
			continue;
		const char *cc = ip->country;
		if (cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z') {
			d->geo_unknown++;	/* no country: unknown, never "fine" */
			continue;
		}
		d->outside++;
		e->counts[(cc[0] - 'A') * 26 + (cc[1] - 'A')]++;
	}
	size_t nnet = e->f != NULL ? findings_net_count(e->f) : 0;
	for (size_t i = 0; i < nnet; i++) {
		const struct finding_net *n = findings_net(e->f, i);
		if (n->scope == IP_SCOPE_PUBLIC && !net_in_constituency(e->p, n))
			d->geo_unknown++;
	}
	/* listed host names: a domain of the party's constituency.domains
	 * places a name under it, else its country-code top-level domain
	 * does; a generic one (com, org, xn--...) places nothing */
	size_t nhost = e->f != NULL ? findings_host_count(e->f) : 0;
	for (size_t i = 0; i < nhost; i++) {
		const struct finding_host *h = findings_host(e->f, i);
		char cc[3];
		if (h == NULL || host_in_domains(e, h))
			continue;
		if (!tld_country(h->tld, cc)) {
			d->hosts_unknown++;
			continue;
		}
		bool inside = false;
		for (size_t k = 0; k < e->p->ncountries && !inside; k++)
			inside = memcmp(e->p->countries[k], cc, 2) == 0;
		if (inside)
			continue;
		d->hosts_outside++;
		e->counts[(cc[0] - 'A') * 26 + (cc[1] - 'A')]++;
	}
	e->cons_mismatch = d->outside + d->hosts_outside > 0;
	e->cons_unknown = d->geo_unknown + d->hosts_unknown > 0;
	if (!collect_countries(e))
		e->sb.oom = true;
}

/* Status, TLP and constituency of each of the party's bases. */
static void eval_bases(struct eval *e)
{
	const struct registry_party *p = e->p;
	struct decision *d = e->d;
	for (size_t i = 0; i < p->nbases && i < REGISTRY_MAX_PARTY_BASES; i++) {
		struct basis_eval *be = &e->be[e->nbe++];
		memset(be, 0, sizeof *be);
		be->b = p->bases[i];
		be->status = registry_basis_status(be->b, d->date);
		if (be->status != BASIS_VALID)
			continue;
		/* TLP:RED names its recipients: a domain entry names nobody */
		be->tlp_fail = d->tlp > be->b->tlp_max ||
			       (d->tlp == TLP_RED && d->res.match != MATCH_ADDRESS);
		if (be->b->constituency_match) {
			check_constituency(e);
			be->cons_fail = e->cons_mismatch || e->cons_unknown;
		}
	}
}

/* A usable basis permitting all of mask, preferring one already used. */
static const struct registry_basis *find_usable(const struct eval *e, unsigned mask)
{
	const struct registry_basis *first = NULL;
	for (size_t i = 0; i < e->nbe; i++) {
		const struct basis_eval *be = &e->be[i];
		if (be->status != BASIS_VALID || be->tlp_fail || be->cons_fail ||
		    (be->b->permits & mask) != mask)
			continue;
		for (size_t j = 0; j < e->d->nused; j++)
			if (e->d->used[j] == be->b)
				return be->b;
		if (first == NULL)
			first = be->b;
	}
	return first;
}

/* Explain why a valid basis permitting the category cannot be used. */
static void report_unusable(struct eval *e, struct basis_eval *be)
{
	struct decision *d = e->d;
	if (be->reported)
		return;
	be->reported = true;
	if (be->tlp_fail) {
		add_reason(d, REASON_TLP_EXCEEDS);
		clause(e);
		if (d->tlp > be->b->tlp_max) {
			strbuf_printf(&e->sb, "may not receive TLP:%s under ", tlp_name(d->tlp));
			sb_basis(&e->sb, be->b);
			strbuf_printf(&e->sb, ", whose ceiling is TLP:%s", tlp_name(be->b->tlp_max));
		} else {
			strbuf_printf(&e->sb, "may receive TLP:RED only at an address named in the "
					  "registry, and this recipient matched a %s entry",
				  d->res.match == MATCH_WILDCARD ? "wildcard domain" : "domain");
		}
	}
	if (be->cons_fail && !e->cons_reported) {
		e->cons_reported = true;
		if (e->cons_mismatch) {
			add_reason(d, REASON_CONSTITUENCY_MISMATCH);
			clause(e);
			strbuf_printf(&e->sb, "may receive under ");
			sb_basis(&e->sb, be->b);
			strbuf_printf(&e->sb, " only %s its constituency, and ",
				  d->hosts_outside > 0 ? "data of" : "addresses in");
			if (d->outside > 0)
				strbuf_printf(&e->sb, "%zu of %zu public addresses", d->outside,
					  d->public_total);
			if (d->outside > 0 && d->hosts_outside > 0)
				strbuf_printf(&e->sb, " and ");
			if (d->hosts_outside > 0)
				strbuf_printf(&e->sb, "%zu of %zu listed host names (by their country-code "
						  "top-level domain)", d->hosts_outside, d->hosts_total);
			strbuf_printf(&e->sb, " are outside it");
			explain_countries(e);
		}
		if (e->cons_unknown) {
			add_reason(d, REASON_GEO_UNKNOWN);
			clause(e);
			strbuf_printf(&e->sb, "cannot be checked against its constituency (");
			sb_basis(&e->sb, be->b);
			strbuf_printf(&e->sb, ") for ");
			if (d->geo_unknown > 0)
				strbuf_printf(&e->sb, "%zu public address%s or network%s with no known "
						  "country and no ASN or prefix match", d->geo_unknown,
					  d->geo_unknown == 1 ? "" : "es", d->geo_unknown == 1 ? "" : "s");
			if (d->geo_unknown > 0 && d->hosts_unknown > 0)
				strbuf_printf(&e->sb, " and ");
			if (d->hosts_unknown > 0)
				strbuf_printf(&e->sb, "%zu listed host name%s under a generic top-level "
						  "domain", d->hosts_unknown, d->hosts_unknown == 1 ? "" : "s");
		}
	}
}

/* Cover mask with a usable basis, or record the most specific reason. */
static void cover(struct eval *e, unsigned mask, enum policy_reason none)
{
	struct decision *d = e->d;
	const struct registry_basis *b = find_usable(e, mask);
	if (b != NULL) {
		bool seen = false;
		for (size_t j = 0; j < d->nused; j++)
			seen = seen || d->used[j] == b;
		if (!seen)
			d->used[d->nused++] = b;
		return;
	}
	bool valid = false, dated = false;
	for (size_t i = 0; i < e->nbe; i++) {
		struct basis_eval *be = &e->be[i];
		if ((be->b->permits & mask) != mask || be->status != BASIS_VALID)
			continue;
		valid = true;
		report_unusable(e, be);
	}
	for (size_t i = 0; !valid && i < e->nbe; i++) {
		struct basis_eval *be = &e->be[i];
		if ((be->b->permits & mask) != mask)
			continue;
		dated = true;
		be->dated |= mask;	/* written once per basis, see explain_dated() */
		add_reason(d, be->status == BASIS_NOT_YET_VALID ? REASON_BASIS_NOT_YET_VALID
							       : REASON_BASIS_EXPIRED);
	}
	if (!valid && !dated) {
		char day[DATE_TEXT_MAX];
		add_reason(d, none);
		clause(e);
		if (none == REASON_UNSCANNABLE)
			strbuf_printf(&e->sb, "has no legal basis valid on %s that permits every "
					  "category, which unscannable content requires",
				  date_format(d->date, day, sizeof day));
		else {
			strbuf_printf(&e->sb, "has no legal basis valid on %s for ",
				  date_format(d->date, day, sizeof day));
			sb_categories(&e->sb, mask);
		}
	}
}

/* One clause per basis that is out of date for some categories. */
static void explain_dated(struct eval *e)
{
	for (size_t i = 0; i < e->nbe; i++) {
		const struct basis_eval *be = &e->be[i];
		char day[DATE_TEXT_MAX];
		if (be->dated == 0)
			continue;
		struct date_range w = registry_basis_window(be->b);
		clause(e);
		strbuf_printf(&e->sb, "has for ");
		sb_categories(&e->sb, be->dated);
		strbuf_printf(&e->sb, " only ");
		sb_basis(&e->sb, be->b);
		if (be->status == BASIS_NOT_YET_VALID)
			strbuf_printf(&e->sb, ", which applies from %s",
				  date_format(w.from, day, sizeof day));
		else
			strbuf_printf(&e->sb, ", which ceased to apply on %s",
				  date_format(w.until, day, sizeof day));
	}
}

/* GDPR chapter V: personal data outside the EEA needs a mechanism. */
static void check_transfer(struct eval *e)
{
	struct decision *d = e->d;
	char day[DATE_TEXT_MAX];
	if (registry_in_eea(d->reg, e->p->jurisdiction, d->date))
		return;
	const struct registry_transfer *t = registry_transfer_on(e->p, d->date);
	date_format(d->date, day, sizeof day);
	if (t != NULL && (t->mechanism == TRANSFER_ADEQUACY || t->mechanism == TRANSFER_ART46 ||
			  t->mechanism == TRANSFER_ART49))
		return;
	add_reason(d, REASON_NO_TRANSFER_MECHANISM);
	clause(e);
	strbuf_printf(&e->sb, "is in %s, outside the EEA on %s, and has no transfer mechanism "
			  "valid then for personal data", e->p->jurisdiction, day);
	if (t != NULL && t->mechanism == TRANSFER_EEA)
		strbuf_printf(&e->sb, " (its entry says eea, but %s is not in the EEA then)",
			  e->p->jurisdiction);
}

/* The regulated path: bases, TLP, constituency, transfer. */
static void decide_party(struct eval *e)
{
	struct decision *d = e->d;
	unsigned need = d->cats & CAT_EVERY;
	eval_bases(e);
	if (need & CAT_UNSCANNABLE) {
		/* unreadable content may hold every category: one basis
		 * must permit them all, "unscannable" included */
		cover(e, CAT_EVERY, REASON_UNSCANNABLE);
		need |= CAT_PERSONAL_DATA;
	} else {
		static const unsigned order[] = {CAT_PROVIDER_TRACEABLE, CAT_INCIDENT,
						 CAT_PERSONAL_DATA, CAT_CREDENTIALS};
		unsigned nobasis = 0;
		for (size_t i = 0; i < 4; i++) {
			if (!(need & order[i]))
				continue;
			/* group plain no-basis categories into one clause */
			bool any = false;
			for (size_t j = 0; j < e->nbe; j++)
				any = any || (e->be[j].b->permits & order[i]);
			if (!any)
				nobasis |= order[i];
			else
				cover(e, order[i], REASON_NO_BASIS);
		}
		if (nobasis)
			cover(e, nobasis, REASON_NO_BASIS);
	}
	explain_dated(e);
	/* credentials belong to people: they leave the EEA only as
	 * personal data may */
	if (need & (CAT_PERSONAL_DATA | CAT_CREDENTIALS))
		check_transfer(e);
}

/* The delivery sentence for a regulated message. */
static void explain_delivery(struct eval *e)
{
	struct decision *d = e->d;
	char day[DATE_TEXT_MAX];
	strbuf_printf(&e->sb, " may receive ");
	sb_categories(&e->sb, d->cats & CAT_EVERY);
	strbuf_printf(&e->sb, " on %s under ", date_format(d->date, day, sizeof day));
	for (size_t i = 0; i < d->nused; i++) {
		strbuf_printf(&e->sb, "%s", i == 0 ? "" : i + 1 == d->nused ? " and " : ", ");
		sb_basis(&e->sb, d->used[i]);
	}
	if (d->tlp != TLP_NONE)
		strbuf_printf(&e->sb, "; TLP:%s is within its ceiling", tlp_name(d->tlp));
	bool cons_asked = false;
	for (size_t i = 0; i < d->nused; i++)
		cons_asked = cons_asked || d->used[i]->constituency_match;
	if (cons_asked && d->public_total > 0)
		strbuf_printf(&e->sb, "; all %zu public address%s in its constituency",
			  d->public_total, d->public_total == 1 ? " is" : "es are");
	if (cons_asked && d->hosts_total > 0)
		strbuf_printf(&e->sb, "; all %zu listed host name%s in its constituency",
			  d->hosts_total, d->hosts_total == 1 ? " is" : "s are");
	if (d->cats & CAT_PERSONAL_DATA) {
		const struct registry_transfer *t = registry_transfer_on(e->p, d->date);
		if (registry_in_eea(d->reg, e->p->jurisdiction, d->date)) {
			strbuf_printf(&e->sb, "; %s is in the EEA on %s", e->p->jurisdiction, day);
		} else if (t != NULL) {
			strbuf_printf(&e->sb, "; personal data leave the EEA under transfer mechanism %s",
				  transfer_mechanism_name(t->mechanism));
			if (t->scope[0] != '\0')
				strbuf_printf(&e->sb, " (%s)", t->scope);
		}
	}
}

/* The message's categories, with personal data derived. */
static unsigned judged_categories(const struct findings *f, const struct policy_options *o)
{
	if (f == NULL)
		return 0;
	unsigned cats = findings_categories(f);
	if (o->public_is_personal && findings_public_ip_count(f) + findings_public_net_count(f) > 0)
		cats |= CAT_PERSONAL_DATA;
	return cats & CAT_EVERY;
}

/* Steps 2-4 of the order; true when they settled the decision. */
static bool decide_early(struct eval *e)
{
	struct decision *d = e->d;
	const char *who = d->res.valid_address ? d->res.address : d->recipient;
	if (d->cats == 0) {
		add_reason(d, REASON_NO_REGULATED_DATA);
		strbuf_printf(&e->sb, "Delivered to %s: the message carries no provider-traceable, "
				  "incident, personal or unscannable data", who);
		return true;
	}
	if (d->res.own_domain) {
		add_reason(d, REASON_OWN_DOMAIN);
		strbuf_printf(&e->sb, "Delivered to %s: %s is an own domain (internal recipient); "
				  "the message carries ", who, d->res.domain);
		sb_categories(&e->sb, d->cats);
		return true;
	}
	if (e->p == NULL) {
		add_reason(d, REASON_UNKNOWN_PARTY);
		strbuf_printf(&e->sb, "Held for %s: %s, and the message carries ", who,
			  d->res.valid_address ? "no party in the registry matches this recipient"
					       : "this is not a valid mail address, so no party matches");
		sb_categories(&e->sb, d->cats);
		return true;
	}
	return false;
}

/* Step 9: who can read encrypted content (readmap.h). */
static void check_readers(struct eval *e, const struct policy_options *o)
{
	static const struct {
		enum policy_reason r;
		const char *text;
	} checks[] = {
		{REASON_READER_SHARED_KEY, "is sent encrypted to a key the registry marks as shared "
					   "widely"},
		{REASON_READER_NOT_ADDRESSED, "is sent encrypted to a key of a party no recipient "
					      "belongs to"},
		{REASON_READER_EXPIRED, "is sent encrypted to a key that has expired or was revoked"},
		{REASON_READER_UNKNOWN, "is sent encrypted to a key its certificates in the registry "
					"do not hold"},
		{REASON_READER_ANONYMOUS, "is sent encrypted to an anonymous recipient or a "
					  "passphrase, which no certificate names"},
	};
	struct decision *d = e->d;
	struct readmap_check rc;
	readmap_check(d->reg, e->f, e->p, d->date, o->rcpts, o->nrcpts, &rc);
	const bool found[] = {rc.shared, rc.not_addressed, rc.expired, rc.unknown, rc.anonymous};
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		if (!found[i])
			continue;
		add_reason(d, checks[i].r);
		clause(e);
		strbuf_printf(&e->sb, "%s", checks[i].text);
		if (checks[i].r == REASON_READER_NOT_ADDRESSED && rc.stranger != NULL)
			strbuf_printf(&e->sb, " (%s)", rc.stranger->id);
	}
}

/* Step 10: mail that must leave encrypted needs a key to encrypt to. */
static void check_seal(struct eval *e, const struct policy_options *o)
{
	struct decision *d = e->d;
	bool required = false;
	for (size_t i = 0; i < d->nused; i++)
		required = required || d->used[i]->encrypt_required;
	if (o->seal == NULL || !required)
		return;
	if (o->unsealable) {
		add_reason(d, REASON_UNSEALABLE);
		clause(e);
		strbuf_printf(&e->sb, "must leave the relay encrypted on its basis, and the message "
			      "cannot be rewritten as PGP/MIME (no empty line after the header, too "
			      "many header fields, or a field name too long)");
		return;
	}
	if (o->seal(o->seal_arg, e->p))
		return;
	add_reason(d, REASON_NO_USABLE_KEY);
	clause(e);
	strbuf_printf(&e->sb, "must leave the relay encrypted on its basis, and no key of the "
		      "party can be encrypted to (none registered, expired, revoked or not for "
		      "encryption)");
}

/* Steps 5-10, then the sentence: subject first, then the predicates. */
static void decide_with_party(struct eval *e, const struct policy_options *o)
{
	struct decision *d = e->d;
	decide_party(e);
	check_readers(e, o);
	check_seal(e, o);
	bool hold = false;
	for (int r = 0; r < REASON_COUNT; r++)
		hold = hold || (d->has[r] && policy_reason_is_hold((enum policy_reason)r));
	struct strbuf body = e->sb;
	memset(&e->sb, 0, sizeof e->sb);
	strbuf_printf(&e->sb, "%s %s: %s (%s, %s)", hold ? "Held for" : "Delivered to",
		  d->res.address, e->p->name, party_type_name(e->p->type), e->p->jurisdiction);
	if (hold && body.s != NULL)
		strbuf_printf(&e->sb, "%s", body.s);
	if (body.oom)
		e->sb.oom = true;
	free(body.s);
	if (!hold)
		explain_delivery(e);
	char readers[1024];
	if (*readmap_describe(d->reg, e->f, d->date, readers, sizeof readers) != '\0')
		strbuf_printf(&e->sb, "; the encrypted content is %s", readers);
}

void policy_options_default(struct policy_options *o)
{
	memset(o, 0, sizeof *o);
	o->public_is_personal = true;
}

void policy_options_config(const struct config *c, struct policy_options *o)
{
	policy_options_default(o);
	o->public_is_personal = config_bool(c, CONF_PUBLIC_IS_PERSONAL);
}

/* The decision for recipient (as shown) judged as the address target. */
static struct decision *decide_target(struct registry *reg, const struct findings *f,
				      const char *recipient, const char *target, int32_t date,
				      const struct policy_options *opt)
{
	struct policy_options defaults;
	struct eval *e = calloc(1, sizeof *e);
	struct decision *d = calloc(1, sizeof *d);
	if (e == NULL || d == NULL) {
		free(e);
		free(d);
		return NULL;
	}
	if (opt == NULL) {
		policy_options_default(&defaults);
		opt = &defaults;
	}
	d->reg = registry_ref(reg);
	d->date = date;
	clean_copy(d->recipient, sizeof d->recipient, recipient, RECIPIENT_SHOWN, 0);
	registry_resolve(reg, target != NULL ? target : "", &d->res);
	d->cats = judged_categories(f, opt);
	d->tlp = f != NULL ? findings_tlp(f) : TLP_NONE;
	d->public_total = f != NULL ? findings_public_ip_count(f) + findings_public_net_count(f) : 0;
	d->hosts_total = f != NULL ? findings_host_count(f) : 0;
	e->d = d;
	e->f = f;
	e->p = d->res.party;
	if (!decide_early(e))
		decide_with_party(e, opt);
	strbuf_printf(&e->sb, ".");
	for (int r = 0; r < REASON_COUNT; r++) {
		if (!d->has[r])
			continue;
		d->reasons[d->nreasons++] = (enum policy_reason)r;
		if (policy_reason_is_hold((enum policy_reason)r))
			d->verdict = VERDICT_HOLD;
	}
	d->explain = e->sb.s;
	if (e->sb.oom) {
		free(e->sb.s);
		free(e);
		decision_free(d);
		return NULL;
	}
	free(e);
	return d;
}

/* Append the route of a routed recipient to the explanation of d. */
static bool explain_route(struct decision *d, const struct route *rt)
{
	struct strbuf sb = {0};
	strbuf_printf(&sb, "%s", d->explain);
	if (!rt->valid) {
		strbuf_printf(&sb, " The address routes the mail (source route, %%, ! or a quoted @) "
			       "through a host that is not a domain: where it ends is unknown.");
	} else {
		strbuf_printf(&sb, " The address routes the mail (source route, %%, ! or a quoted @): "
			       "it could reach");
		for (size_t i = 0; i < rt->ntargets; i++) {
			const char *at = strrchr(rt->targets[i], '@');
			strbuf_printf(&sb, "%s %s", i ? "," : "", at != NULL ? at + 1 : "?");
		}
		strbuf_printf(&sb, "; it is judged for each.");
	}
	if (sb.oom) {
		free(sb.s);
		return false;
	}
	free(d->explain);
	d->explain = sb.s;
	return true;
}

/* A routed recipient is judged for every domain it could reach (route.h):
 * the first target that holds decides, else the innermost one (where the
 * mail ends).  A route that cannot be followed is judged as an address
 * that names no party. */
struct decision *policy_decide(struct registry *reg, const struct findings *f,
			       const char *recipient, int32_t date,
			       const struct policy_options *opt)
{
	struct route rt;
	route_parse(recipient, &rt);
	if (!rt.routed)
		return decide_target(reg, f, recipient, recipient, date, opt);
	struct decision *d = NULL;
	if (!rt.valid)
		d = decide_target(reg, f, recipient, "", date, opt);
	for (size_t i = 0; rt.valid && i < rt.ntargets; i++) {
		decision_free(d);
		d = decide_target(reg, f, recipient, rt.targets[i], date, opt);
		if (d == NULL || d->verdict == VERDICT_HOLD)
			break;
	}
	if (d != NULL && !explain_route(d, &rt)) {
		decision_free(d);
		return NULL;
	}
	return d;
}

void decision_free(struct decision *d)
{
	if (d == NULL)
		return;
	registry_unref(d->reg);
	free(d->countries);
	free(d->explain);
	free(d);
}

/* ---- accessors ------------------------------------------------------------ */

enum policy_verdict decision_verdict(const struct decision *d) { return d->verdict; }
size_t decision_reason_count(const struct decision *d) { return d->nreasons; }
bool decision_has_reason(const struct decision *d, enum policy_reason r)
{
	return (unsigned)r < REASON_COUNT && d->has[r];
}
enum policy_reason decision_reason(const struct decision *d, size_t i)
{
	return i < d->nreasons ? d->reasons[i] : REASON_COUNT;
}
const char *decision_recipient(const struct decision *d) { return d->recipient; }
const char *decision_address(const struct decision *d) { return d->res.address; }
const struct registry_party *decision_party(const struct decision *d) { return d->res.party; }
enum registry_match decision_match(const struct decision *d) { return d->res.match; }
bool decision_own_domain(const struct decision *d) { return d->res.own_domain; }
int32_t decision_date(const struct decision *d) { return d->date; }
unsigned decision_categories(const struct decision *d) { return d->cats; }
enum tlp_level decision_tlp(const struct decision *d) { return d->tlp; }
size_t decision_basis_count(const struct decision *d) { return d->nused; }
const struct registry_basis *decision_basis(const struct decision *d, size_t i)
{
	return i < d->nused ? d->used[i] : NULL;
}
size_t decision_country_count(const struct decision *d) { return d->ncountries; }
const char *decision_country(const struct decision *d, size_t i, uint32_t *addresses)
{
	if (i >= d->ncountries)
		return NULL;
	if (addresses != NULL)
		*addresses = d->countries[i].n;
	return d->countries[i].cc;
}
size_t decision_outside_count(const struct decision *d) { return d->outside + d->hosts_outside; }
size_t decision_geo_unknown_count(const struct decision *d)
{
	return d->geo_unknown + d->hosts_unknown;
}
const char *decision_explain(const struct decision *d) { return d->explain; }

/* ---- names ------------------------------------------------------------------ */

static const struct name_value reasons[] = {
	{"unknown-party", REASON_UNKNOWN_PARTY},
	{"no-basis", REASON_NO_BASIS},
	{"basis-not-yet-valid", REASON_BASIS_NOT_YET_VALID},
	{"basis-expired", REASON_BASIS_EXPIRED},
	{"tlp-exceeds", REASON_TLP_EXCEEDS},
	{"no-transfer-mechanism", REASON_NO_TRANSFER_MECHANISM},
	{"constituency-mismatch", REASON_CONSTITUENCY_MISMATCH},
	{"geo-unknown", REASON_GEO_UNKNOWN},
	{"unscannable", REASON_UNSCANNABLE},
	{"reader-unknown", REASON_READER_UNKNOWN},
	{"reader-anonymous", REASON_READER_ANONYMOUS},
	{"reader-not-addressed", REASON_READER_NOT_ADDRESSED},
	{"reader-shared-key", REASON_READER_SHARED_KEY},
	{"reader-expired", REASON_READER_EXPIRED},
	{"no-usable-key", REASON_NO_USABLE_KEY},
	{"no-regulated-data", REASON_NO_REGULATED_DATA},
	{"own-domain", REASON_OWN_DOMAIN},
	{"unsealable", REASON_UNSEALABLE},
};

const char *policy_reason_name(enum policy_reason r)
{
	return name_of(reasons, NAMES_LEN(reasons), (int)r, "unknown");
}

bool policy_reason_is_hold(enum policy_reason r)
{
	return r != REASON_NO_REGULATED_DATA && r != REASON_OWN_DOMAIN;
}

const char *policy_verdict_name(enum policy_verdict v)
{
	return v == VERDICT_DELIVER ? "deliver" : "hold";
}
