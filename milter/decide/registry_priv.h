/*
 * registry_priv.h - what the registry files share and nobody else
 * sees: the YAML node tree (registry_parse.c), the error list, and the
 * registry object itself (registry.c; its arena and string tables are
 * base/arena.h and base/strtab.h), filled
 * by the schema walk (registry_load.c, registry_party.c).
 */
#ifndef GRONDSLAG_REGISTRY_PRIV_H
#define GRONDSLAG_REGISTRY_PRIV_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/arena.h"
#include "grondslag/base/strtab.h"
#include "grondslag/decide/registry.h"

/* ---- YAML node tree (registry_parse.c) -------------------------------- */

enum ynode_kind { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum ynode_kind kind;
	unsigned line;		/* 1-based */
	char *text;		/* scalar, NUL-terminated, no inner NUL */
	struct ynode **kids;	/* seq: items; map: key, value, key, value ... */
	size_t nkids, cap;
};

/* Every error, sorted by line at the end. */
struct registry_errors {
	char **msg;
	unsigned *line;
	size_t n, cap;
	size_t dropped;		/* past REGISTRY_MAX_ERRORS */
	bool oom;
	char *name;
};

struct registry_errors *regerr_alloc(const char *name);
/* Append "name:line: message" (a printf format). */
void regerr_add(struct registry_errors *e, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Errors so far (also counts dropped and unallocated ones). */
size_t regerr_total(const struct registry_errors *e);
/* Sort by line (stable) and append the "too many errors" note. */
void regerr_finish(struct registry_errors *e);

/* Parse one YAML document into a tree; NULL on a syntax or limit error
 * (reported into e).  An empty document gives NULL with an error too. */
struct ynode *ytree_parse(const char *data, size_t len, struct registry_errors *e);
void ytree_free(struct ynode *n);
const char *ytree_kind_name(enum ynode_kind k);

/* A printable, bounded copy of hostile text for an error message. */
const char *regerr_quote(const char *text, char *buf, size_t size);
#define REGERR_QUOTE_MAX 72

struct eea_member {
	char country[3];
	struct date_range valid;
};

struct registry {
	atomic_uint refs;
	char *file;
	uint64_t serial;		/* 0: the file has none */
	struct arena arena;
	struct registry_regime *regimes;
	size_t nregimes;
	struct registry_basis *bases;
	size_t nbases;
	struct registry_party *parties;
	size_t nparties;
	const char **own;		/* canonical, "*.x" for wildcards */
	size_t nown;
	struct eea_member *eea;
	size_t neea;
	struct strtab regime_ids, basis_ids, party_ids;
	struct strtab addresses;	/* address -> party */
	struct strtab domains;		/* exact domain -> party */
	struct strtab wildcards;	/* x of "*.x" -> party */
	struct strtab own_exact, own_wild;	/* -> the line, as a pointer */
	struct strtab keys;		/* reader id text -> struct registry_key */
	size_t nkeys;
};

/* Free everything (registry.c); refs must be zero or the registry
 * unpublished. */
void registry_destroy(struct registry *r);

/* ---- the schema walk's field readers (registry_fields.c) ------------ */

#define WHAT_MAX 128	/* "party 'cert-be'" */

struct walk {
	struct registry *r;
	struct registry_errors *e;
};

/* One key of a mapping in a field table. */
struct field {
	const char *key;
	bool required;
};

/* "kind 'id'" (or "kind #n" without an id) into buf. */
const char *regw_what_of(const char *kind, const struct ynode *map, size_t index, char *buf,
			 size_t size);
/* n must be of kind k, else "what: key: want ..., got ..." (key may be NULL). */
bool regw_want_kind(struct walk *w, const struct ynode *n, enum ynode_kind k, const char *what,
		    const char *key);
/* Map values by the field table; unknown, duplicate, missing keys reported. */
bool regw_get_fields(struct walk *w, const struct ynode *n, const char *what,
		     const struct field *f, size_t nf, const struct ynode **vals);
/* Printable text copied to the arena, NULL after reporting. */
const char *regw_get_text(struct walk *w, const struct ynode *n, const char *what,
			  const char *key);
const char *regw_get_id(struct walk *w, const struct ynode *n, const char *what);
bool regw_get_date(struct walk *w, const struct ynode *n, const char *what, const char *key,
		   int32_t *out);
/* valid_from / valid_until (either node may be NULL) into a range. */
bool regw_get_range(struct walk *w, const struct ynode *from, const struct ynode *until,
		    const char *what, struct date_range *out);
bool regw_get_bool(struct walk *w, const struct ynode *n, const char *what, const char *key,
		   bool *out);
bool regw_get_country(struct walk *w, const struct ynode *n, const char *what, const char *key,
		      char out[3]);
/* "x" or "*.x" into canonical text in the arena; *wild says which. */
const char *regw_get_domain(struct walk *w, const struct ynode *n, const char *what,
			    const char *key, bool *wild);
/* The parties section (registry_party.c). */
void regw_parties(struct walk *w, const struct ynode *seq);
/* A list of certificates (registry_keys.c): own_keys, shared_keys, or a
 * party's keys / certificates (want_x509 says which kind the key names). */
void regw_keys(struct walk *w, const struct ynode *seq, enum registry_key_owner owner,
	       struct registry_party *p, const char *what, const char *key, int want_x509);

#endif
