/*
 * registry_fields.c - the schema walk's field readers: a mapping checked
 * against a table of keys, and scalars read as text, ids, dates, date
 * ranges, booleans, countries and domains, every problem reported with
 * its line.  Shared by registry_load.c and registry_party.c; they call
 * nothing back.
 *
 * Public functions (private to the registry files, registry_priv.h): the
 * regw_*() helpers.
 * Limits: text values at most 1024 bytes, ids at most 64.
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
