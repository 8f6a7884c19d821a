/*
 * registry.c - the registry object (see registry.h), once loaded
 * (registry_load.c): reference counting, lookups through the string tables (base/strtab.c)
 * that make them independent of the number of parties, and the read side.
 * Every string and array of one snapshot lives in its arena (base/arena.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grondslag/base/names.h"
#include "registry_priv.h"

/* ---- free, ref, unref ---------------------------------------------------- */

/* Free everything; refs must be zero or the registry unpublished. */
void registry_destroy(struct registry *r)
{
	strtab_free(&r->regime_ids);
	strtab_free(&r->basis_ids);
	strtab_free(&r->party_ids);
	strtab_free(&r->addresses);
	strtab_free(&r->domains);
	strtab_free(&r->wildcards);
	strtab_free(&r->own_exact);
	strtab_free(&r->own_wild);
	strtab_free(&r->keys);
	arena_free(&r->arena);
	free(r->file);
	free(r);
}

struct registry *registry_ref(struct registry *r)
{
	if (r != NULL)
		atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void registry_unref(struct registry *r)
{
	if (r == NULL)
		return;
	/* acq_rel: the last owner must see every other owner's reads done */
	if (atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
		registry_destroy(r);
}

const char *registry_file(const struct registry *r)
{
	return r->file;
}

uint64_t registry_serial(const struct registry *r)
{
	return r->serial;
}

/* ---- lookups ------------------------------------------------------------- */

/* Own domain: exact entry, or a "*.x" entry for a parent suffix. */
static bool is_own(const struct registry *r, const char *domain)
{
	if (strtab_get(&r->own_exact, domain) != NULL)
		return true;
	for (const char *p = domain_parent(domain); p != NULL; p = domain_parent(p))
		if (strtab_get(&r->own_wild, p) != NULL)
			return true;
	return false;
}

bool registry_is_own_domain(const struct registry *r, const char *domain)
{
	if (domain == NULL)
		return false;
	if (domain[0] != '*' || domain[1] != '.')
		return is_own(r, domain);
	/* "*.x": every name under x is own when a "*.y" entry covers x */
	for (const char *p = domain + 2; p != NULL; p = domain_parent(p))
		if (strtab_get(&r->own_wild, p) != NULL)
			return true;
	return false;
}

void registry_resolve(const struct registry *r, const char *recipient,
		      struct registry_resolution *out)
{
	memset(out, 0, sizeof *out);
	out->domain = "";
	out->match = MATCH_NONE;
	if (!domain_address_normalize(recipient, out->address, sizeof out->address,
				      &out->domain)) {
		out->address[0] = '\0';
		out->domain = "";
		return;
	}
	out->valid_address = true;
	out->own_domain = is_own(r, out->domain);
	const struct registry_party *p = strtab_get(&r->addresses, out->address);
	if (p != NULL) {
		out->party = p;
		out->match = MATCH_ADDRESS;
		return;
	}
	p = strtab_get(&r->domains, out->domain);
	if (p != NULL) {
		out->party = p;
		out->match = MATCH_DOMAIN;
		return;
	}
	/* "*.x" matches proper subdomains of x: probe each parent suffix,
	 * most specific first (at most 127 probes for a 253-octet name). */
	for (const char *s = domain_parent(out->domain); s != NULL; s = domain_parent(s)) {
		p = strtab_get(&r->wildcards, s);
		if (p != NULL) {
			out->party = p;
			out->match = MATCH_WILDCARD;
			return;
		}
	}
}

struct date_range registry_basis_window(const struct registry_basis *b)
{
	return date_range_intersect(&b->valid, &b->regime->valid);
}

enum basis_status registry_basis_status(const struct registry_basis *b, int32_t date)
{
	struct date_range w = registry_basis_window(b);
	if (date < w.from)
		return BASIS_NOT_YET_VALID;
	if (date >= w.until)
		return BASIS_EXPIRED;
	return BASIS_VALID;
}

bool registry_eea_warning(const struct registry *r, const char *file, char *msg, size_t len)
{
	if (r->neea > 0)
		return false;
	snprintf(msg, len, "%.300s: no eea table: every party counts as outside the EEA, so "
		 "personal data to any party needs a transfer mechanism (list the EEA countries "
		 "under eea:)", file);
	return true;
}

bool registry_in_eea(const struct registry *r, const char *country, int32_t date)
{
	for (size_t i = 0; i < r->neea; i++)
		if (strcmp(r->eea[i].country, country) == 0 &&
		    date_range_contains(&r->eea[i].valid, date))
			return true;
	return false;
}

const struct registry_transfer *registry_transfer_on(const struct registry_party *p,
						     int32_t date)
{
	for (size_t i = 0; i < p->ntransfers; i++)
		if (date_range_contains(&p->transfers[i].valid, date))
			return &p->transfers[i];
	return NULL;
}

void registry_lookup(const struct registry *r, const char *recipient, int32_t date,
		     struct registry_lookup *out)
{
	memset(out, 0, sizeof *out);
	registry_resolve(r, recipient, &out->r);
	out->date = date;
	const struct registry_party *p = out->r.party;
	if (p == NULL)
		return;
	out->in_eea = registry_in_eea(r, p->jurisdiction, date);
	out->transfer = registry_transfer_on(p, date);
	for (size_t i = 0; i < p->nbases && out->nvalid < REGISTRY_MAX_PARTY_BASES; i++)
		if (registry_basis_status(p->bases[i], date) == BASIS_VALID)
			out->valid[out->nvalid++] = p->bases[i];
}

/* ---- read side ------------------------------------------------------------ */

size_t registry_party_count(const struct registry *r) { return r->nparties; }
size_t registry_basis_count(const struct registry *r) { return r->nbases; }
size_t registry_regime_count(const struct registry *r) { return r->nregimes; }
size_t registry_own_domain_count(const struct registry *r) { return r->nown; }

const struct registry_party *registry_party(const struct registry *r, size_t i)
{
	return i < r->nparties ? &r->parties[i] : NULL;
}

const struct registry_basis *registry_basis(const struct registry *r, size_t i)
{
	return i < r->nbases ? &r->bases[i] : NULL;
}

const struct registry_regime *registry_regime(const struct registry *r, size_t i)
{
	return i < r->nregimes ? &r->regimes[i] : NULL;
}

const char *registry_own_domain(const struct registry *r, size_t i)
{
	return i < r->nown ? r->own[i] : NULL;
}

const struct registry_party *registry_party_by_id(const struct registry *r, const char *id)
{
	return strtab_get(&r->party_ids, id);
}

const struct registry_basis *registry_basis_by_id(const struct registry *r, const char *id)
{
	return strtab_get(&r->basis_ids, id);
}

/* ---- names ------------------------------------------------------------------ */

static const struct name_value party_types[] = {
	{"nl-vital-provider", PARTY_NL_VITAL_PROVIDER},
	{"nl-central-gov", PARTY_NL_CENTRAL_GOV},
	{"nl-designated-ccrt", PARTY_NL_DESIGNATED_CCRT},
	{"nl-oktt", PARTY_NL_OKTT},
	{"nl-intel-service", PARTY_NL_INTEL_SERVICE},
	{"eu-csirt", PARTY_EU_CSIRT},
	{"csirts-network-member", PARTY_CSIRTS_NETWORK_MEMBER},
	{"third-country-csirt", PARTY_THIRD_COUNTRY_CSIRT},
	{"other", PARTY_OTHER},
};

const char *party_type_name(enum party_type t)
{
	return name_of(party_types, NAMES_LEN(party_types), (int)t, "unknown");
}

bool party_type_parse(const char *s, enum party_type *out)
{
	int v = value_of(party_types, NAMES_LEN(party_types), s, 0);
	if (v >= 0)
		*out = (enum party_type)v;
	return v >= 0;
}

static const struct name_value transfers[] = {
	{"none", TRANSFER_NONE},
	{"eea", TRANSFER_EEA},
	{"adequacy", TRANSFER_ADEQUACY},
	{"art46", TRANSFER_ART46},
	{"art49", TRANSFER_ART49},
};

const char *transfer_mechanism_name(enum transfer_mechanism m)
{
	return name_of(transfers, NAMES_LEN(transfers), (int)m, "unknown");
}

bool transfer_mechanism_parse(const char *s, enum transfer_mechanism *out)
{
	int v = value_of(transfers, NAMES_LEN(transfers), s, 0);
	if (v >= 0)
		*out = (enum transfer_mechanism)v;
	return v >= 0;
}

static const struct name_value matches[] = {
	{"none", MATCH_NONE},
	{"address", MATCH_ADDRESS},
	{"domain", MATCH_DOMAIN},
	{"wildcard", MATCH_WILDCARD},
};

const char *registry_match_name(enum registry_match m)
{
	return name_of(matches, NAMES_LEN(matches), (int)m, "none");
}
