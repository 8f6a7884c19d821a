/*
 * registry_load.c - the schema walk: a YAML node tree (registry_parse.c)
 * becomes the immutable registry object (registry_priv.h).
 *
 * Every problem is reported with its line, and the walk goes on after an
 * error so that a jurist sees all of them at once; an entry with an error
 * is still registered under its id so that references to it do not add
 * follow-on noise.  The order is fixed by the references: eea and
 * regimes, then bases (which name regimes), then parties (which name
 * bases); top-level keys may appear in any order in the file.
 *
 * Public functions (private to the registry files): registry_build() and
 * the regw_*() helpers that registry_party.c shares (registry_priv.h).
 */
#include <stdio.h>
#include <string.h>

#include "registry_priv.h"

#define TEXT_MAX 1024
#define ID_MAX 64

/* ---- small helpers -------------------------------------------------------- */

/* The text of the "id" key of a mapping, if it is a scalar (for messages). */
static const char *regw_peek_id(const struct ynode *map)
{
	if (map->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->nkids; i += 2)
		if (map->kids[i]->kind == YN_SCALAR && strcmp(map->kids[i]->text, "id") == 0 &&
		    map->kids[i + 1]->kind == YN_SCALAR)
			return map->kids[i + 1]->text;
	return NULL;
}

/* "party 'cert-be'" or "party #3" into buf. */
const char *regw_what_of(const char *kind, const struct ynode *map, size_t index, char *buf,
			   size_t size)
{
	char q[REGERR_QUOTE_MAX];
	const char *id = regw_peek_id(map);
	if (id != NULL)
		snprintf(buf, size, "%s '%s'", kind, regerr_quote(id, q, sizeof q));
	else
		snprintf(buf, size, "%s #%zu", kind, index + 1);
	return buf;
}

/* The node must be of kind k; otherwise report "what: key: want ..., got ...". */
bool regw_want_kind(struct walk *w, const struct ynode *n, enum ynode_kind k, const char *what,
		      const char *key)
{
	if (n->kind == k)
		return true;
	if (key != NULL)
		regerr_add(w->e, n->line, "%s: %s: want %s, got %s", what, key, ytree_kind_name(k),
			   ytree_kind_name(n->kind));
	else
		regerr_add(w->e, n->line, "%s: want %s, got %s", what, ytree_kind_name(k),
			   ytree_kind_name(n->kind));
	return false;
}

/* Collect a mapping's values into vals[] by the field table; unknown,
 * duplicate and missing required keys are errors.  False when n is not a
 * mapping or a required key is missing. */
bool regw_get_fields(struct walk *w, const struct ynode *n, const char *what,
		       const struct field *f, size_t nf, const struct ynode **vals)
{
	char q[REGERR_QUOTE_MAX];
	bool ok = true;
	for (size_t i = 0; i < nf; i++)
		vals[i] = NULL;
	if (!regw_want_kind(w, n, YN_MAP, what, NULL))
		return false;
	for (size_t i = 0; i + 1 < n->nkids; i += 2) {
		const struct ynode *k = n->kids[i];
		if (k->kind != YN_SCALAR) {
			regerr_add(w->e, k->line, "%s: a key must be a scalar, got %s", what,
				   ytree_kind_name(k->kind));
			continue;
		}
		size_t j = 0;
		while (j < nf && strcmp(f[j].key, k->text) != 0)
			j++;
		if (j == nf)
			regerr_add(w->e, k->line, "%s: unknown key '%s'", what,
				   regerr_quote(k->text, q, sizeof q));
		else if (vals[j] != NULL)
			regerr_add(w->e, k->line, "%s: duplicate key '%s'", what, f[j].key);
		else
			vals[j] = n->kids[i + 1];
	}
	for (size_t j = 0; j < nf; j++) {
		if (f[j].required && vals[j] == NULL) {
			regerr_add(w->e, n->line, "%s: missing required key '%s'", what, f[j].key);
			ok = false;
		}
	}
	return ok;
}

/* A scalar of printable text (no control characters), copied to the arena. */
const char *regw_get_text(struct walk *w, const struct ynode *n, const char *what,
			    const char *key)
{
	if (!regw_want_kind(w, n, YN_SCALAR, what, key))
		return NULL;
	size_t len = strlen(n->text);
	if (len > TEXT_MAX) {
		regerr_add(w->e, n->line, "%s: %s: longer than %d bytes", what, key, TEXT_MAX);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)n->text[i];
		if (c < 0x20 || c == 0x7f) {
			regerr_add(w->e, n->line, "%s: %s: control character in value", what, key);
			return NULL;
		}
	}
	return arena_strdup(&w->r->arena, n->text);
}

/* An id: a letter or digit, then letters, digits, '.', '_', '-'. */
const char *regw_get_id(struct walk *w, const struct ynode *n, const char *what)
{
	char q[REGERR_QUOTE_MAX];
	if (!regw_want_kind(w, n, YN_SCALAR, what, "id"))
		return NULL;
	const char *s = n->text;
	size_t len = strlen(s);
	bool ok = len > 0 && len <= ID_MAX;
	for (size_t i = 0; ok && i < len; i++) {
		char c = s[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'));
	}
	if (!ok) {
		regerr_add(w->e, n->line,
			   "%s: bad id '%s' (want a letter or digit, then letters, digits, "
			   "'.', '_' or '-', at most %d)", what, regerr_quote(s, q, sizeof q), ID_MAX);
		return NULL;
	}
	return arena_strdup(&w->r->arena, s);
}

/* An ISO 8601 date scalar. */
bool regw_get_date(struct walk *w, const struct ynode *n, const char *what, const char *key,
		     int32_t *out)
{
	char q[REGERR_QUOTE_MAX];
	if (!regw_want_kind(w, n, YN_SCALAR, what, key))
		return false;
	if (!date_parse(n->text, out)) {
		regerr_add(w->e, n->line, "%s: %s: bad date '%s' (want YYYY-MM-DD)", what, key,
			   regerr_quote(n->text, q, sizeof q));
		return false;
	}
	return true;
}

/* valid_from / valid_until into a half-open range; either may be open. */
bool regw_get_range(struct walk *w, const struct ynode *from, const struct ynode *until,
		      const char *what, struct date_range *out)
{
	bool ok = true;
	out->from = DATE_MIN;
	out->until = DATE_MAX;
	if (from != NULL && !regw_get_date(w, from, what, "valid_from", &out->from))
		ok = false;
	if (until != NULL && !regw_get_date(w, until, what, "valid_until", &out->until))
		ok = false;
	if (ok && out->until <= out->from) {
		char a[DATE_TEXT_MAX], b[DATE_TEXT_MAX];
		regerr_add(w->e, until->line, "%s: valid_until %s is not after valid_from %s", what,
			   date_format(out->until, a, sizeof a), date_format(out->from, b, sizeof b));
		ok = false;
	}
	return ok;
}

/* A YAML boolean. */
bool regw_get_bool(struct walk *w, const struct ynode *n, const char *what, const char *key,
		     bool *out)
{
	char q[REGERR_QUOTE_MAX];
	if (!regw_want_kind(w, n, YN_SCALAR, what, key))
		return false;
	if (strcmp(n->text, "true") == 0 || strcmp(n->text, "yes") == 0) {
		*out = true;
	} else if (strcmp(n->text, "false") == 0 || strcmp(n->text, "no") == 0) {
		*out = false;
	} else {
		regerr_add(w->e, n->line, "%s: %s: bad boolean '%s' (want true or false)", what, key,
			   regerr_quote(n->text, q, sizeof q));
		return false;
	}
	return true;
}

/* ISO 3166 alpha-2 as two upper-case letters (the list itself is data). */
bool regw_get_country(struct walk *w, const struct ynode *n, const char *what, const char *key,
			char out[3])
{
	char q[REGERR_QUOTE_MAX];
	if (!regw_want_kind(w, n, YN_SCALAR, what, key))
		return false;
	const char *s = n->text;
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
		regerr_add(w->e, n->line,
			   "%s: %s: bad country code '%s' (want ISO 3166 alpha-2, upper case)", what,
			   key, regerr_quote(s, q, sizeof q));
		return false;
	}
	memcpy(out, s, 3);
	return true;
}

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

/* "x" or "*.x" into canonical text; *wild says which. */
const char *regw_get_domain(struct walk *w, const struct ynode *n, const char *what,
			      const char *key, bool *wild)
{
	char q[REGERR_QUOTE_MAX], canon[DOMAIN_TEXT_MAX + 2];
	if (!regw_want_kind(w, n, YN_SCALAR, what, key))
		return NULL;
	const char *s = n->text;
	*wild = s[0] == '*' && s[1] == '.';
	if (*wild)
		memcpy(canon, "*.", 2);
	if (!domain_normalize(*wild ? s + 2 : s, *wild ? canon + 2 : canon, DOMAIN_TEXT_MAX)) {
		regerr_add(w->e, n->line, "%s: %s: bad domain '%s'", what, key,
			   regerr_quote(s, q, sizeof q));
		return NULL;
	}
	return arena_strdup(&w->r->arena, canon);
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
		{"approved_by", true}};
	const struct ynode *v[10];
	char q[REGERR_QUOTE_MAX];
	bool ok = regw_get_fields(w, n, what, f, 10, v);
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

void registry_build(struct registry *r, const struct ynode *root, struct registry_errors *e)
{
	static const struct field f[] = {{"version", true},   {"own_domains", false},
					 {"eea", false},      {"regimes", true},
					 {"bases", false},    {"parties", true},
					 {"serial", false}};
	const struct ynode *v[7];
	struct walk w = {r, e};
	char q[REGERR_QUOTE_MAX];

	/* every table exists even when its section is missing or broken */
	if (!strtab_init(&r->own_exact, 8) || !strtab_init(&r->own_wild, 8) ||
	    !strtab_init(&r->addresses, 16) || !strtab_init(&r->domains, 16) ||
	    !strtab_init(&r->wildcards, 16) || !strtab_init(&r->party_ids, 16)) {
		regerr_add(e, 0, "out of memory");
		return;
	}
	regw_get_fields(&w, root, "registry", f, 7, v);
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
	if (v[5] != NULL)
		regw_parties(&w, v[5]);
	struct strtab *tabs[] = {&r->regime_ids, &r->basis_ids, &r->party_ids, &r->addresses,
				 &r->domains, &r->wildcards, &r->own_exact, &r->own_wild};
	for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
		if (tabs[i]->oom) {
			regerr_add(e, 0, "out of memory");
			break;
		}
}
