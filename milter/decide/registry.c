/*
 * registry.c - the registry object (see registry.h): loading (the YAML
 * tree from registry_parse.c, the schema walk in registry_load.c), the
 * arena that owns every string and array of one snapshot, the hash tables
 * that make lookups independent of the number of parties, reference
 * counting, and the read side.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "registry_priv.h"

/* ---- arena -------------------------------------------------------------- */

#define ARENA_CHUNK (64u << 10)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

/* Zeroed, max-aligned memory that lives as long as the registry. */
void *arena_alloc(struct arena *a, size_t size)
{
	size_t align = _Alignof(max_align_t);
	if (size > SIZE_MAX / 2) {
		a->oom = true;
		return NULL;
	}
	size = (size + align - 1) / align * align;
	if (size == 0)
		size = align;
	struct arena_chunk *c = a->head;
	if (c == NULL || c->size - c->used < size) {
		size_t csize = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = calloc(1, sizeof *c + csize);
		if (c == NULL) {
			a->oom = true;
			return NULL;
		}
		c->size = csize;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t len = strlen(s);
	char *d = arena_alloc(a, len + 1);
	if (d != NULL)
		memcpy(d, s, len + 1);
	return d;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c != NULL) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
}

/* ---- string tables ------------------------------------------------------ */

/* FNV-1a: short keys, no adversary who can choose many colliding keys
 * except the registry's own authors. */
static size_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)(h ^ (h >> 29));
}

bool strtab_init(struct strtab *t, size_t expected)
{
	size_t cap = 16;
	while (cap < expected * 2 + 1)
		cap *= 2;
	t->keys = calloc(cap, sizeof *t->keys);
	t->vals = calloc(cap, sizeof *t->vals);
	t->mask = cap - 1;
	t->used = 0;
	t->oom = t->keys == NULL || t->vals == NULL;
	return !t->oom;
}

/* Double the table when it is half full. */
static bool strtab_grow(struct strtab *t)
{
	struct strtab n;
	if (!strtab_init(&n, t->mask + 1)) {
		strtab_free(&n);
		return false;
	}
	for (size_t i = 0; i <= t->mask; i++)
		if (t->keys[i] != NULL)
			strtab_put(&n, t->keys[i], t->vals[i]);
	strtab_free(t);
	*t = n;
	return true;
}

const void *strtab_put(struct strtab *t, const char *key, const void *val)
{
	if (t->keys == NULL) {
		t->oom = true;
		return NULL;
	}
	if ((t->used + 1) * 2 > t->mask + 1 && !strtab_grow(t)) {
		t->oom = true;
		return NULL;
	}
	size_t i = str_hash(key) & t->mask;
	while (t->keys[i] != NULL) {
		if (strcmp(t->keys[i], key) == 0)
			return t->vals[i];
		i = (i + 1) & t->mask;
	}
	t->keys[i] = key;
	t->vals[i] = val;
	t->used++;
	return NULL;
}

const void *strtab_get(const struct strtab *t, const char *key)
{
	if (t->keys == NULL)
		return NULL;
	size_t i = str_hash(key) & t->mask;
	while (t->keys[i] != NULL) {
		if (strcmp(t->keys[i], key) == 0)
			return t->vals[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

void strtab_free(struct strtab *t)
{
	free(t->keys);
	free(t->vals);
	t->keys = NULL;
	t->vals = NULL;
}

/* ---- load, ref, unref ---------------------------------------------------- */

/* Free everything; refs must be zero or the registry unpublished. */
static void registry_destroy(struct registry *r)
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

struct registry *registry_load_buffer(const char *name, const char *data, size_t len,
				      struct registry_errors **errors)
{
	struct registry_errors *e = regerr_alloc(name);
	struct registry *r = NULL;
	if (errors != NULL)
		*errors = e;
	if (e == NULL)
		return NULL;	/* no memory even for the error list */
	if (len > REGISTRY_MAX_BYTES) {
		regerr_add(e, 0, "file larger than %u bytes", REGISTRY_MAX_BYTES);
		goto out;
	}
	struct ynode *root = ytree_parse(data, len, e);
	if (root == NULL)
		goto out;
	r = calloc(1, sizeof *r);
	if (r == NULL || (r->file = strdup(name != NULL ? name : "registry")) == NULL) {
		regerr_add(e, 0, "out of memory");
		free(r);
		r = NULL;
		ytree_free(root);
		goto out;
	}
	atomic_init(&r->refs, 1);
	registry_build(r, root, e);
	ytree_free(root);
	if (r->arena.oom)
		regerr_add(e, 0, "out of memory");
	if (regerr_total(e) > 0) {
		registry_destroy(r);
		r = NULL;
	}
out:
	regerr_finish(e);
	if (errors == NULL)
		registry_errors_free(e);
	return r;
}

struct registry *registry_load(const char *file, struct registry_errors **errors)
{
	FILE *fp = fopen(file, "rb");
	if (fp == NULL) {
		int err = errno;
		struct registry_errors *e = regerr_alloc(file);
		regerr_add(e, 0, "cannot open: %s", strerror(err));
		if (errors != NULL)
			*errors = e;
		else
			registry_errors_free(e);
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	bool too_big = false, oom = false;
	for (;;) {
		if (len == cap) {
			if (cap > REGISTRY_MAX_BYTES) {
				too_big = true;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				oom = true;
				break;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, fp);
		if (n == 0)
			break;
		len += n;
	}
	bool rerr = ferror(fp) != 0;
	fclose(fp);
	if (too_big || oom || rerr) {
		struct registry_errors *e = regerr_alloc(file);
		regerr_add(e, 0, "%s", too_big ? "file larger than the registry limit"
				     : oom ? "out of memory" : "read error");
		free(buf);
		if (errors != NULL)
			*errors = e;
		else
			registry_errors_free(e);
		return NULL;
	}
	struct registry *r = registry_load_buffer(file, buf != NULL ? buf : "", len, errors);
	free(buf);
	return r;
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

static const char *const party_type_names[PARTY_TYPE_COUNT] = {
	[PARTY_NL_VITAL_PROVIDER] = "nl-vital-provider",
	[PARTY_NL_CENTRAL_GOV] = "nl-central-gov",
	[PARTY_NL_DESIGNATED_CCRT] = "nl-designated-ccrt",
	[PARTY_NL_OKTT] = "nl-oktt",
	[PARTY_NL_INTEL_SERVICE] = "nl-intel-service",
	[PARTY_EU_CSIRT] = "eu-csirt",
	[PARTY_CSIRTS_NETWORK_MEMBER] = "csirts-network-member",
	[PARTY_THIRD_COUNTRY_CSIRT] = "third-country-csirt",
	[PARTY_OTHER] = "other",
};

const char *party_type_name(enum party_type t)
{
	return (unsigned)t < PARTY_TYPE_COUNT ? party_type_names[t] : "unknown";
}

bool party_type_parse(const char *s, enum party_type *out)
{
	for (int i = 0; i < PARTY_TYPE_COUNT; i++) {
		if (strcmp(s, party_type_names[i]) == 0) {
			*out = (enum party_type)i;
			return true;
		}
	}
	return false;
}

static const char *const transfer_names[TRANSFER_COUNT] = {
	[TRANSFER_NONE] = "none",
	[TRANSFER_EEA] = "eea",
	[TRANSFER_ADEQUACY] = "adequacy",
	[TRANSFER_ART46] = "art46",
	[TRANSFER_ART49] = "art49",
};

const char *transfer_mechanism_name(enum transfer_mechanism m)
{
	return (unsigned)m < TRANSFER_COUNT ? transfer_names[m] : "unknown";
}

bool transfer_mechanism_parse(const char *s, enum transfer_mechanism *out)
{
	for (int i = 0; i < TRANSFER_COUNT; i++) {
		if (strcmp(s, transfer_names[i]) == 0) {
			*out = (enum transfer_mechanism)i;
			return true;
		}
	}
	return false;
}

const char *registry_match_name(enum registry_match m)
{
	switch (m) {
	case MATCH_NONE:
		return "none";
	case MATCH_ADDRESS:
		return "address";
	case MATCH_DOMAIN:
		return "domain";
	case MATCH_WILDCARD:
		return "wildcard";
	}
	return "none";
}
