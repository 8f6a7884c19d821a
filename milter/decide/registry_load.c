/*
 * registry_load.c - loading a registry: the file read whole (bounded),
 * parsed into a YAML node tree (registry_parse.c), and the schema walk
 * that makes the tree the immutable registry object (registry_priv.h);
 * parties are walked in registry_party.c, fields read by
 * registry_fields.c.
 *
 * Every problem is reported with its line, and the walk goes on after an
 * error so that a jurist sees all of them at once; an entry with an error
 * is still registered under its id so that references to it do not add
 * follow-on noise.  The order is fixed by the references: eea and
 * regimes, then bases (which name regimes), then parties (which name
 * bases); top-level keys may appear in any order in the file.
 *
 * Public functions: registry_load(), registry_load_buffer() (registry.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry_priv.h"

/* ---- eea, regimes, own domains ---------------------------------------- */

static void walk_eea(struct walk *w, const struct ynode *seq)
{
	static const struct field f[] = {
		{"country", true}, {"valid_from", true}, {"valid_until", false}};
	const struct ynode *v[3];
	if (!regw_want_kind(w, seq, YN_SEQ, "eea", NULL))
		return;
	w->r->eea = arena_alloc(&w->r->arena, (seq->nkids + 1) * sizeof *w->r->eea);
	if (w->r->eea == NULL)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		struct eea_member m;
		char what[WHAT_MAX];
		snprintf(what, sizeof what, "eea #%zu", i + 1);
		if (!regw_get_fields(w, seq->kids[i], what, f, 3, v))
			continue;
		bool ok = regw_get_country(w, v[0], what, "country", m.country);
		ok = regw_get_range(w, v[1], v[2], what, &m.valid) && ok;
		if (ok)
			w->r->eea[w->r->neea++] = m;
	}
}

static void walk_regimes(struct walk *w, const struct ynode *seq)
{
	static const struct field f[] = {{"id", true}, {"name", true}, {"valid_from", true},
					 {"valid_until", false}};
	const struct ynode *v[4];
	struct registry *r = w->r;
	if (!regw_want_kind(w, seq, YN_SEQ, "regimes", NULL))
		return;
	r->regimes = arena_alloc(&r->arena, (seq->nkids + 1) * sizeof *r->regimes);
	if (r->regimes == NULL || !strtab_init(&r->regime_ids, seq->nkids))
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		char what[WHAT_MAX];
		regw_what_of("regime", seq->kids[i], i, what, sizeof what);
		regw_get_fields(w, seq->kids[i], what, f, 4, v);
		if (v[0] == NULL)
			continue;	/* reported; nothing to register it under */
		struct registry_regime *g = &r->regimes[r->nregimes];
		g->line = seq->kids[i]->line;
		g->id = regw_get_id(w, v[0], what);
		g->name = v[1] != NULL ? regw_get_text(w, v[1], what, "name") : NULL;
		if (v[2] != NULL)
			regw_get_range(w, v[2], v[3], what, &g->valid);
		if (g->id == NULL)
			continue;
		const struct registry_regime *old = strtab_put(&r->regime_ids, g->id, g);
		if (old != NULL) {
			regerr_add(w->e, v[0]->line, "%s: duplicate id (first at line %u)", what,
				   old->line);
			continue;
		}
		r->nregimes++;
	}
}

static void walk_own(struct walk *w, const struct ynode *seq)
{
	struct registry *r = w->r;
	if (!regw_want_kind(w, seq, YN_SEQ, "own_domains", NULL))
		return;
	r->own = arena_alloc(&r->arena, (seq->nkids + 1) * sizeof *r->own);
	if (r->own == NULL)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		bool wild;
		const char *d = regw_get_domain(w, seq->kids[i], "own_domains", "domain", &wild);
		if (d == NULL)
			continue;
		/* the value is unused: any non-NULL pointer marks presence */
		if (strtab_put(wild ? &r->own_wild : &r->own_exact, wild ? d + 2 : d, d) != NULL)
			regerr_add(w->e, seq->kids[i]->line, "own_domains: '%s' listed twice", d);
		else
			r->own[r->nown++] = d;
	}
}

/* ---- bases ---------------------------------------------------------------- */

/* permits: a non-empty sequence of category names. */
static unsigned get_permits(struct walk *w, const struct ynode *n, const char *what)
{
	char q[REGERR_QUOTE_MAX];
	unsigned permits = 0;
	if (!regw_want_kind(w, n, YN_SEQ, what, "permits"))
		return 0;
	if (n->nkids == 0)
		regerr_add(w->e, n->line, "%s: permits: empty list", what);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *c = n->kids[i];
		enum category cat;
		if (!regw_want_kind(w, c, YN_SCALAR, what, "permits"))
			continue;
		if (!category_parse(c->text, &cat))
			regerr_add(w->e, c->line,
				   "%s: permits: unknown category '%s' (want provider-traceable, "
				   "incident, personal-data, credentials or unscannable)", what,
				   regerr_quote(c->text, q, sizeof q));
		else
			permits |= (unsigned)cat;
	}
	return permits;
}

/* One basis; false when it must not be registered. */
static bool walk_basis(struct walk *w, const struct ynode *n, const char *what,
		       struct registry_basis *b)
{
	static const struct field f[] = {
		{"id", true},	       {"regime", true},	     {"article", true},
		{"reference", false},  {"permits", true},	     {"tlp_max", true},
		{"constituency_match", false}, {"valid_from", false}, {"valid_until", false},
		{"approved_by", true}, {"encrypt", false}};
	const struct ynode *v[11];
	char q[REGERR_QUOTE_MAX];
	bool ok = regw_get_fields(w, n, what, f, 11, v);
	b->line = n->line;
	b->reference = "";
	if (v[0] == NULL || (b->id = regw_get_id(w, v[0], what)) == NULL)
		return false;
	if (v[1] != NULL && regw_want_kind(w, v[1], YN_SCALAR, what, "regime")) {
		b->regime = strtab_get(&w->r->regime_ids, v[1]->text);
		if (b->regime == NULL)
			regerr_add(w->e, v[1]->line, "%s: regime: unknown regime '%s'", what,
				   regerr_quote(v[1]->text, q, sizeof q));
	}
	if (v[2] != NULL)
		b->article = regw_get_text(w, v[2], what, "article");
	if (v[3] != NULL && (b->reference = regw_get_text(w, v[3], what, "reference")) == NULL)
		b->reference = "";
	if (v[4] != NULL)
		b->permits = get_permits(w, v[4], what);
	if (v[5] != NULL && regw_want_kind(w, v[5], YN_SCALAR, what, "tlp_max") &&
	    !tlp_parse(v[5]->text, &b->tlp_max))
		regerr_add(w->e, v[5]->line,
			   "%s: tlp_max: bad TLP level '%s' (want CLEAR, GREEN, AMBER, "
			   "AMBER+STRICT or RED)", what, regerr_quote(v[5]->text, q, sizeof q));
	if (v[6] != NULL)
		regw_get_bool(w, v[6], what, "constituency_match", &b->constituency_match);
	bool dates = regw_get_range(w, v[7], v[8], what, &b->valid);
	if (v[9] != NULL)
		b->approved_by = regw_get_text(w, v[9], what, "approved_by");
	/* encrypt: required - mail delivered on this basis leaves the relay
	 * encrypted to the party's keys, or is held (no-usable-key) */
	if (v[10] != NULL && regw_want_kind(w, v[10], YN_SCALAR, what, "encrypt")) {
		if (strcmp(v[10]->text, "required") == 0)
			b->encrypt_required = true;
		else if (strcmp(v[10]->text, "none") != 0)
			regerr_add(w->e, v[10]->line, "%s: encrypt: bad value '%s' (want required or none)",
				   what, regerr_quote(v[10]->text, q, sizeof q));
	}
	if (dates && b->regime != NULL) {
		struct date_range eff = registry_basis_window(b);
		if (eff.from >= eff.until)
			regerr_add(w->e, n->line, "%s: its dates do not overlap regime '%s'", what,
				   b->regime->id);
	}
	return ok;
}

static void walk_bases(struct walk *w, const struct ynode *seq)
{
	struct registry *r = w->r;
	if (!strtab_init(&r->basis_ids, seq != NULL ? seq->nkids : 0) || seq == NULL)
		return;
	if (!regw_want_kind(w, seq, YN_SEQ, "bases", NULL))
		return;
	r->bases = arena_alloc(&r->arena, (seq->nkids + 1) * sizeof *r->bases);
	if (r->bases == NULL)
		return;
	for (size_t i = 0; i < seq->nkids; i++) {
		char what[WHAT_MAX];
		struct registry_basis *b = &r->bases[r->nbases];
		regw_what_of("basis", seq->kids[i], i, what, sizeof what);
		walk_basis(w, seq->kids[i], what, b);
		if (b->id == NULL)
			continue;
		const struct registry_basis *old = strtab_put(&r->basis_ids, b->id, b);
		if (old != NULL) {
			regerr_add(w->e, b->line, "%s: duplicate id (first at line %u)", what,
				   old->line);
			memset(b, 0, sizeof *b);
			continue;
		}
		r->nbases++;
	}
}

/* ---- the top level ------------------------------------------------------- */

/* A serial: decimal digits only, 1..REGISTRY_SERIAL_MAX (no sign, no
 * leading zero: one spelling per number, so the signed text is plain). */
static bool serial_parse(const char *text, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(text);
	if (n == 0 || n > 16 || text[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(text[i] - '0');
	}
	if (v > REGISTRY_SERIAL_MAX)
		return false;
	*out = v;
	return true;
}

/* The schema walk: fill r from the tree; errors into e. */
static void registry_build(struct registry *r, const struct ynode *root,
			   struct registry_errors *e)
{
	static const struct field f[] = {{"version", true},   {"own_domains", false},
					 {"eea", false},      {"regimes", true},
					 {"bases", false},    {"parties", true},
					 {"serial", false},   {"own_keys", false},
					 {"shared_keys", false}};
	const struct ynode *v[9];
	struct walk w = {r, e};
	char q[REGERR_QUOTE_MAX];

	/* every table exists even when its section is missing or broken */
	if (!strtab_init(&r->own_exact, 8) || !strtab_init(&r->own_wild, 8) ||
	    !strtab_init(&r->addresses, 16) || !strtab_init(&r->domains, 16) ||
	    !strtab_init(&r->wildcards, 16) || !strtab_init(&r->party_ids, 16) ||
	    !strtab_init(&r->keys, 16)) {
		regerr_add(e, 0, "out of memory");
		return;
	}
	regw_get_fields(&w, root, "registry", f, 9, v);
	if (v[0] != NULL && regw_want_kind(&w, v[0], YN_SCALAR, "registry", "version") &&
	    strcmp(v[0]->text, "1") != 0)
		regerr_add(e, v[0]->line, "registry: version: unsupported version '%s' (want %d)",
			   regerr_quote(v[0]->text, q, sizeof q), REGISTRY_VERSION);
	if (v[6] != NULL && regw_want_kind(&w, v[6], YN_SCALAR, "registry", "serial") &&
	    !serial_parse(v[6]->text, &r->serial))
		regerr_add(e, v[6]->line, "registry: serial: '%s' is not a whole number 1..%llu",
			   regerr_quote(v[6]->text, q, sizeof q),
			   (unsigned long long)REGISTRY_SERIAL_MAX);
	if (v[1] != NULL)
		walk_own(&w, v[1]);
	if (v[2] != NULL)
		walk_eea(&w, v[2]);
	if (v[3] != NULL)
		walk_regimes(&w, v[3]);
	else
		strtab_init(&r->regime_ids, 0);
	walk_bases(&w, v[4]);
	if (v[7] != NULL)
		regw_keys(&w, v[7], KEY_OWNER_OWN, NULL, "registry", "own_keys", -1);
	if (v[8] != NULL)
		regw_keys(&w, v[8], KEY_OWNER_SHARED, NULL, "registry", "shared_keys", -1);
	if (v[5] != NULL)
		regw_parties(&w, v[5]);
	struct strtab *tabs[] = {&r->regime_ids, &r->basis_ids, &r->party_ids, &r->addresses,
				 &r->domains, &r->wildcards, &r->own_exact, &r->own_wild, &r->keys};
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		if (tabs[i]->oom) {
			regerr_add(e, 0, "out of memory");
			break;
		}
}

/* ---- loading ------------------------------------------------------------ */

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
