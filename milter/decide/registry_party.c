/*
 * registry_party.c - the parties section of the registry: contacts
 * (domains, addresses), PGP fingerprints, constituency, GDPR transfer
 * entries, bases, external ids and certificates (registry_keys.c); part of the schema walk that
 * registry_load.c drives (same error style: every problem, with its line).
 *
 * Exact domains, "*.x" wildcards and addresses are entered into the
 * registry's hash tables here, so a contact listed for two parties is an
 * error naming both.
 *
 * Public function (private to the registry files): regw_parties().
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "registry_priv.h"

/* A sequence node, or NULL after reporting. */
static const struct ynode *get_seq(struct walk *w, const struct ynode *n, const char *what,
				   const char *key)
{
	return regw_want_kind(w, n, YN_SEQ, what, key) ? n : NULL;
}

/* domains: exact "x" and wildcard "*.x"; each in one party only. */
static void party_domains(struct walk *w, struct registry_party *p, const struct ynode *n,
			  const char *what)
{
	const char **out;
	if ((n = get_seq(w, n, what, "domains")) == NULL)
		return;
	if ((out = arena_alloc(&w->r->arena, (n->nkids + 1) * sizeof *out)) == NULL)
		return;
	p->domains = out;
	for (size_t i = 0; i < n->nkids; i++) {
		bool wild;
		const char *d = regw_get_domain(w, n->kids[i], what, "domains", &wild);
		if (d == NULL)
			continue;
		struct strtab *t = wild ? &w->r->wildcards : &w->r->domains;
		const struct registry_party *old = strtab_put(t, wild ? d + 2 : d, p);
		if (old == p)
			regerr_add(w->e, n->kids[i]->line, "%s: domains: '%s' listed twice", what, d);
		else if (old != NULL)
			regerr_add(w->e, n->kids[i]->line,
				   "%s: domains: '%s' is already listed for party '%s' (line %u)",
				   what, d, old->id, old->line);
		else
			out[p->ndomains++] = d;
	}
}

/* addresses: exact recipients; each in one party only. */
static void party_addresses(struct walk *w, struct registry_party *p, const struct ynode *n,
			    const char *what)
{
	char q[REGERR_QUOTE_MAX], canon[ADDRESS_TEXT_MAX];
	const char **out;
	if ((n = get_seq(w, n, what, "addresses")) == NULL)
		return;
	if ((out = arena_alloc(&w->r->arena, (n->nkids + 1) * sizeof *out)) == NULL)
		return;
	p->addresses = out;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *a = n->kids[i];
		if (!regw_want_kind(w, a, YN_SCALAR, what, "addresses"))
			continue;
		if (!domain_address_normalize(a->text, canon, sizeof canon, NULL)) {
			regerr_add(w->e, a->line, "%s: addresses: bad address '%s'", what,
				   regerr_quote(a->text, q, sizeof q));
			continue;
		}
		const char *d = arena_strdup(&w->r->arena, canon);
		if (d == NULL)
			return;
		const struct registry_party *old = strtab_put(&w->r->addresses, d, p);
		if (old == p)
			regerr_add(w->e, a->line, "%s: addresses: '%s' listed twice", what, d);
		else if (old != NULL)
			regerr_add(w->e, a->line,
				   "%s: addresses: '%s' is already listed for party '%s' (line %u)",
				   what, d, old->id, old->line);
		else
			out[p->naddresses++] = d;
	}
}

/* pgp: 40-hex-digit fingerprints, stored upper case. */
static void party_pgp(struct walk *w, struct registry_party *p, const struct ynode *n,
		      const char *what)
{
	char q[REGERR_QUOTE_MAX];
	const char **out;
	if ((n = get_seq(w, n, what, "pgp")) == NULL)
		return;
	if ((out = arena_alloc(&w->r->arena, (n->nkids + 1) * sizeof *out)) == NULL)
		return;
	p->pgp = out;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];
		if (!regw_want_kind(w, k, YN_SCALAR, what, "pgp"))
			continue;
		char fpr[41];
		size_t len = strlen(k->text);
		bool ok = len == 40;
		for (size_t j = 0; ok && j < 40; j++) {
			char c = k->text[j];
			if (c >= 'a' && c <= 'f')
				c = (char)(c - 'a' + 'A');
			ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
			fpr[j] = c;
		}
		if (!ok) {
			regerr_add(w->e, k->line, "%s: pgp: bad fingerprint '%s' (want 40 hex digits)",
				   what, regerr_quote(k->text, q, sizeof q));
			continue;
		}
		fpr[40] = '\0';
		out[p->npgp++] = arena_strdup(&w->r->arena, fpr);
	}
}

/* An AS number, "64500" or "AS64500", 1..4294967295. */
static bool parse_asn(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	size_t n = 0;
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 10)
			return false;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0 || v == 0 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* constituency.domains: domain suffixes (two labels or more, no
 * wildcard: "example.com" places "example.com" and every name under it)
 * that place listed host names beyond the country-code domains. */
static void cons_domains(struct walk *w, struct registry_party *p, const struct ynode *n,
			 const char *sub)
{
	const char **out = arena_alloc(&w->r->arena, (n->nkids + 1) * sizeof *out);
	if (out == NULL)
		return;
	p->cons_domains = out;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];
		bool wild;
		const char *d = regw_get_domain(w, k, sub, "domains", &wild);
		if (d == NULL)
			continue;
		size_t labels = 1, dots = 0;
		for (const char *c = d; *c != '\0'; c++)
			labels += *c == '.', dots += *c == '.';
		if (wild || dots == 0 || labels > FINDINGS_HOST_LEVELS) {
			regerr_add(w->e, k->line,
				   "%s: domains: '%s' is not a domain suffix (want a name of two to "
				   "%d labels, no wildcard: it places every name under it; a "
				   "country-code domain belongs in countries)",
				   sub, d, FINDINGS_HOST_LEVELS);
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < p->ncons_domains && !dup; j++)
			dup = strcmp(out[j], d) == 0;
		if (dup)
			regerr_add(w->e, k->line, "%s: domains: '%s' listed twice", sub, d);
		else
			out[p->ncons_domains++] = d;
	}
}

/* constituency: {countries, asns, prefixes, domains}. */
static void party_constituency(struct walk *w, struct registry_party *p, const struct ynode *n,
			       const char *what)
{
	static const struct field f[] = {
		{"countries", false}, {"asns", false}, {"prefixes", false}, {"domains", false}};
	const struct ynode *v[4];
	char q[REGERR_QUOTE_MAX], sub[WHAT_MAX + 16];
	struct arena *a = &w->r->arena;
	snprintf(sub, sizeof sub, "%s: constituency", what);
	regw_get_fields(w, n, sub, f, 4, v);
	if (v[0] != NULL && get_seq(w, v[0], sub, "countries") != NULL) {
		char(*c)[3] = arena_alloc(a, (v[0]->nkids + 1) * sizeof *c);
		p->countries = (const char(*)[3])c;
		for (size_t i = 0; c != NULL && i < v[0]->nkids; i++)
			if (regw_get_country(w, v[0]->kids[i], sub, "countries", c[p->ncountries]))
				p->ncountries++;
	}
	if (v[1] != NULL && get_seq(w, v[1], sub, "asns") != NULL) {
		uint32_t *as = arena_alloc(a, (v[1]->nkids + 1) * sizeof *as);
		p->asns = as;
		for (size_t i = 0; as != NULL && i < v[1]->nkids; i++) {
			const struct ynode *k = v[1]->kids[i];
			if (!regw_want_kind(w, k, YN_SCALAR, sub, "asns"))
				continue;
			if (parse_asn(k->text, &as[p->nasns]))
				p->nasns++;
			else
				regerr_add(w->e, k->line, "%s: asns: bad AS number '%s'", sub,
					   regerr_quote(k->text, q, sizeof q));
		}
	}
	if (v[2] != NULL && get_seq(w, v[2], sub, "prefixes") != NULL) {
		struct ip_prefix *px = arena_alloc(a, (v[2]->nkids + 1) * sizeof *px);
		p->prefixes = px;
		for (size_t i = 0; px != NULL && i < v[2]->nkids; i++) {
			const struct ynode *k = v[2]->kids[i];
			if (!regw_want_kind(w, k, YN_SCALAR, sub, "prefixes"))
				continue;
			if (ip_prefix_parse(k->text, false, &px[p->nprefixes]))
				p->nprefixes++;
			else
				regerr_add(w->e, k->line,
					   "%s: prefixes: bad prefix '%s' (want address/length, "
					   "host bits zero)", sub, regerr_quote(k->text, q, sizeof q));
		}
	}
	if (v[3] != NULL && get_seq(w, v[3], sub, "domains") != NULL)
		cons_domains(w, p, v[3], sub);
}

/* One transfer mapping. */
static bool party_transfer_one(struct walk *w, const struct ynode *n, const char *what,
			       struct registry_transfer *t)
{
	static const struct field f[] = {{"mechanism", true}, {"valid_from", false},
					 {"valid_until", false}, {"scope", false}};
	const struct ynode *v[4];
	char q[REGERR_QUOTE_MAX];
	bool ok = regw_get_fields(w, n, what, f, 4, v);
	t->line = n->line;
	t->scope = "";
	if (v[0] != NULL && regw_want_kind(w, v[0], YN_SCALAR, what, "mechanism") &&
	    !transfer_mechanism_parse(v[0]->text, &t->mechanism)) {
		regerr_add(w->e, v[0]->line,
			   "%s: mechanism: unknown mechanism '%s' (want eea, adequacy, art46, "
			   "art49 or none)", what, regerr_quote(v[0]->text, q, sizeof q));
		ok = false;
	}
	ok = regw_get_range(w, v[1], v[2], what, &t->valid) && ok;
	if (v[3] != NULL && (t->scope = regw_get_text(w, v[3], what, "scope")) == NULL) {
		t->scope = "";
		ok = false;
	}
	return ok;
}

/* transfer: one mapping, or a sequence of them (a mechanism that changes
 * over time, e.g. an adequacy decision that was renewed). */
static void party_transfer(struct walk *w, struct registry_party *p, const struct ynode *n,
			   const char *what)
{
	char sub[WHAT_MAX + 16];
	snprintf(sub, sizeof sub, "%s: transfer", what);
	size_t count = n->kind == YN_SEQ ? n->nkids : 1;
	struct registry_transfer *t = arena_alloc(&w->r->arena, (count + 1) * sizeof *t);
	if (t == NULL)
		return;
	p->transfers = t;
	if (n->kind != YN_SEQ) {
		if (party_transfer_one(w, n, sub, &t[0]))
			p->ntransfers = 1;
		return;
	}
	for (size_t i = 0; i < count; i++)
		if (party_transfer_one(w, n->kids[i], sub, &t[p->ntransfers]))
			p->ntransfers++;
}

/* bases: ids of bases defined above. */
static void party_bases(struct walk *w, struct registry_party *p, const struct ynode *n,
			const char *what)
{
	char q[REGERR_QUOTE_MAX];
	const struct registry_basis **out;
	if ((n = get_seq(w, n, what, "bases")) == NULL)
		return;
	if (n->nkids > REGISTRY_MAX_PARTY_BASES) {
		regerr_add(w->e, n->line, "%s: bases: more than %d", what, REGISTRY_MAX_PARTY_BASES);
		return;
	}
	if ((out = arena_alloc(&w->r->arena, (n->nkids + 1) * sizeof *out)) == NULL)
		return;
	p->bases = out;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *k = n->kids[i];
		if (!regw_want_kind(w, k, YN_SCALAR, what, "bases"))
			continue;
		const struct registry_basis *b = strtab_get(&w->r->basis_ids, k->text);
		bool dup = false;
		for (size_t j = 0; b != NULL && j < p->nbases; j++)
			dup = dup || out[j] == b;
		if (b == NULL)
			regerr_add(w->e, k->line, "%s: bases: unknown basis '%s'", what,
				   regerr_quote(k->text, q, sizeof q));
		else if (dup)
			regerr_add(w->e, k->line, "%s: bases: '%s' listed twice", what, b->id);
		else
			out[p->nbases++] = b;
	}
}

/* external_ids: {scheme: value, ...}. */
static void party_external(struct walk *w, struct registry_party *p, const struct ynode *n,
			   const char *what)
{
	struct registry_external_id *x;
	if (!regw_want_kind(w, n, YN_MAP, what, "external_ids"))
		return;
	if ((x = arena_alloc(&w->r->arena, (n->nkids / 2 + 1) * sizeof *x)) == NULL)
		return;
	p->external_ids = x;
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const char *k = regw_get_text(w, n->kids[i], what, "external_ids");
		const char *v = regw_get_text(w, n->kids[i + 1], what, "external_ids");
		if (k != NULL && v != NULL) {
			x[p->nexternal_ids].scheme = k;
			x[p->nexternal_ids++].value = v;
		}
	}
}

enum {
	PF_ID, PF_NAME, PF_TYPE, PF_JURISDICTION, PF_DOMAINS, PF_ADDRESSES, PF_PGP,
	PF_CONSTITUENCY, PF_TRANSFER, PF_BASES, PF_EXTERNAL, PF_SOURCE, PF_VERIFIED, PF_KEYS,
	PF_CERTS, PF_COUNT
};

/* One party into p (a slot that stays put: tables point at it). */
static void walk_party(struct walk *w, const struct ynode *n, const char *what,
		       struct registry_party *p)
{
	static const struct field f[PF_COUNT] = {
		[PF_ID] = {"id", true},		    [PF_NAME] = {"name", true},
		[PF_TYPE] = {"type", true},	    [PF_JURISDICTION] = {"jurisdiction", true},
		[PF_DOMAINS] = {"domains", false},  [PF_ADDRESSES] = {"addresses", false},
		[PF_PGP] = {"pgp", false},	    [PF_CONSTITUENCY] = {"constituency", false},
		[PF_TRANSFER] = {"transfer", false}, [PF_BASES] = {"bases", false},
		[PF_EXTERNAL] = {"external_ids", false}, [PF_SOURCE] = {"source", false},
		[PF_VERIFIED] = {"last_verified", false}, [PF_KEYS] = {"keys", false},
		[PF_CERTS] = {"certificates", false}};
	const struct ynode *v[PF_COUNT];
	char q[REGERR_QUOTE_MAX];
	p->line = n->line;
	p->source = "";
	p->last_verified = DATE_MIN;
	p->id = "?";	/* messages of later parties may name this one */
	regw_get_fields(w, n, what, f, PF_COUNT, v);
	if (n->kind != YN_MAP)
		return;
	const char *id = v[PF_ID] != NULL ? regw_get_id(w, v[PF_ID], what) : NULL;
	if (id != NULL) {
		p->id = id;
		const struct registry_party *old = strtab_put(&w->r->party_ids, p->id, p);
		if (old != NULL)
			regerr_add(w->e, v[PF_ID]->line, "%s: duplicate id (first at line %u)", what,
				   old->line);
	}
	if (v[PF_NAME] != NULL)
		p->name = regw_get_text(w, v[PF_NAME], what, "name");
	if (v[PF_TYPE] != NULL && regw_want_kind(w, v[PF_TYPE], YN_SCALAR, what, "type") &&
	    !party_type_parse(v[PF_TYPE]->text, &p->type))
		regerr_add(w->e, v[PF_TYPE]->line, "%s: type: unknown party type '%s'", what,
			   regerr_quote(v[PF_TYPE]->text, q, sizeof q));
	if (v[PF_JURISDICTION] != NULL)
		regw_get_country(w, v[PF_JURISDICTION], what, "jurisdiction", p->jurisdiction);
	if (v[PF_DOMAINS] != NULL)
		party_domains(w, p, v[PF_DOMAINS], what);
	if (v[PF_ADDRESSES] != NULL)
		party_addresses(w, p, v[PF_ADDRESSES], what);
	if (v[PF_DOMAINS] == NULL && v[PF_ADDRESSES] == NULL)
		regerr_add(w->e, n->line, "%s: has neither domains nor addresses", what);
	if (v[PF_PGP] != NULL)
		party_pgp(w, p, v[PF_PGP], what);
	if (v[PF_CONSTITUENCY] != NULL)
		party_constituency(w, p, v[PF_CONSTITUENCY], what);
	if (v[PF_TRANSFER] != NULL)
		party_transfer(w, p, v[PF_TRANSFER], what);
	if (v[PF_BASES] != NULL)
		party_bases(w, p, v[PF_BASES], what);
	if (v[PF_EXTERNAL] != NULL)
		party_external(w, p, v[PF_EXTERNAL], what);
	if (v[PF_SOURCE] != NULL && (p->source = regw_get_text(w, v[PF_SOURCE], what, "source")) == NULL)
		p->source = "";
	if (v[PF_VERIFIED] != NULL)
		regw_get_date(w, v[PF_VERIFIED], what, "last_verified", &p->last_verified);
	if (v[PF_KEYS] != NULL)
		regw_keys(w, v[PF_KEYS], KEY_OWNER_PARTY, p, what, "keys", 0);
	if (v[PF_CERTS] != NULL)
		regw_keys(w, v[PF_CERTS], KEY_OWNER_PARTY, p, what, "certificates", 1);
}

void regw_parties(struct walk *w, const struct ynode *seq)
{
	struct registry *r = w->r;
	if (!regw_want_kind(w, seq, YN_SEQ, "parties", NULL))
		return;
	r->parties = arena_alloc(&r->arena, (seq->nkids + 1) * sizeof *r->parties);
	if (r->parties == NULL)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		char what[WHAT_MAX];
		regw_what_of("party", seq->kids[i], i, what, sizeof what);
		walk_party(w, seq->kids[i], what, &r->parties[r->nparties++]);
	}
}
