/*
 * registry.h - the legal-basis registry: who may receive regulated mail,
 * on which dated legal basis.  The law is data: regimes (Wbni, Cbw) with
 * their dates, bases (article, permitted categories, TLP ceiling,
 * constituency rule, dates, approver), parties (contacts, jurisdiction,
 * constituency, GDPR transfer mechanism, bases) and the dated EEA
 * membership of countries.  grondslag-registry(5) documents the file.
 *
 * A loaded registry is immutable and reference counted: the daemon pins
 * one snapshot per connection (registry_ref) and a reload never disturbs
 * mail in flight.  Loading reports EVERY error, each "file:line: what",
 * and returns no registry when there is any: a half-understood registry
 * must never decide.
 *
 * Lookups are hash-table based (exact address, exact domain, and one
 * probe per parent suffix for "*.x" wildcard domains), so the cost does
 * not grow with the number of parties.
 *
 * Public functions:
 *   registry_load(), registry_load_buffer()   parse + validate
 *   registry_errors_count(), registry_errors_get(), registry_errors_free()
 *   registry_ref(), registry_unref(), registry_file(), registry_serial()
 *   registry_resolve()   recipient -> party (how it matched, own domain)
 *   registry_lookup()    the same plus the bases valid on a date
 *   registry_basis_window(), registry_basis_status()
 *   registry_in_eea(), registry_eea_warning(), registry_transfer_on()
 *   registry_key_find(), registry_key_valid_on()   readers -> keys (certificates)
 *   registry_*_count()/registry_party()/registry_basis()/registry_regime()
 *   party_type_name(), transfer_mechanism_name(), registry_match_name()
 * Limits: file REGISTRY_MAX_BYTES, nesting REGISTRY_MAX_DEPTH, errors
 * REGISTRY_MAX_ERRORS (then "too many errors"), bases per party
 * REGISTRY_MAX_PARTY_BASES.
 */
#ifndef GRONDSLAG_REGISTRY_H
#define GRONDSLAG_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/base/date.h"
#include "grondslag/base/domain.h"
#include "grondslag/scan/findings.h"
#include "grondslag/base/ipaddr.h"

#define REGISTRY_MAX_BYTES (64u << 20)
#define REGISTRY_MAX_DEPTH 16
#define REGISTRY_MAX_ERRORS 1000
#define REGISTRY_MAX_PARTY_BASES 32
#define REGISTRY_VERSION 1
/* The largest serial (2^53 - 1: exact in every JSON reader). */
#define REGISTRY_SERIAL_MAX 9007199254740991ull

/* Party types (domain.md section 3), a closed set. */
enum party_type {
	PARTY_NL_VITAL_PROVIDER,	/* "nl-vital-provider" */
	PARTY_NL_CENTRAL_GOV,		/* "nl-central-gov" */
	PARTY_NL_DESIGNATED_CCRT,	/* "nl-designated-ccrt" */
	PARTY_NL_OKTT,			/* "nl-oktt" */
	PARTY_NL_INTEL_SERVICE,		/* "nl-intel-service" */
	PARTY_EU_CSIRT,			/* "eu-csirt" */
	PARTY_CSIRTS_NETWORK_MEMBER,	/* "csirts-network-member" */
	PARTY_THIRD_COUNTRY_CSIRT,	/* "third-country-csirt" */
	PARTY_OTHER,			/* "other" */
	PARTY_TYPE_COUNT
};

/* GDPR chapter V transfer mechanisms. */
enum transfer_mechanism {
	TRANSFER_NONE,		/* "none" */
	TRANSFER_EEA,		/* "eea": the recipient is inside the EEA */
	TRANSFER_ADEQUACY,	/* "adequacy": art. 45 decision */
	TRANSFER_ART46,		/* "art46": appropriate safeguards */
	TRANSFER_ART49,		/* "art49": derogation, last resort */
	TRANSFER_COUNT
};

/* How a recipient found its party. */
enum registry_match {
	MATCH_NONE,		/* "none" */
	MATCH_ADDRESS,		/* "address": exact address entry */
	MATCH_DOMAIN,		/* "domain": exact domain entry */
	MATCH_WILDCARD		/* "wildcard": a "*.x" entry */
};

struct registry_regime {
	const char *id;
	const char *name;
	struct date_range valid;
	unsigned line;
};

struct registry_basis {
	const char *id;
	const struct registry_regime *regime;
	const char *article;		/* "Wbni art. 20(2)" */
	const char *reference;		/* designation or agreement, may be "" */
	const char *approved_by;
	unsigned permits;		/* bit set of enum category */
	enum tlp_level tlp_max;
	bool constituency_match;
	bool encrypt_required;		/* encrypt: required (relay encryption, seal.h) */
	struct date_range valid;	/* as written (DATE_MIN/MAX when open) */
	unsigned line;
};

struct registry_transfer {
	enum transfer_mechanism mechanism;
	struct date_range valid;
	const char *scope;		/* may be "" */
	unsigned line;
};

struct registry_external_id {
	const char *scheme;		/* "first", "trusted-introducer", ... */
	const char *value;
};

struct registry_party {
	const char *id;
	const char *name;
	enum party_type type;
	char jurisdiction[3];		/* ISO 3166 alpha-2 (EU for EU bodies) */
	const char *const *domains;	/* canonical, "*.x" kept as written */
	size_t ndomains;
	const char *const *addresses;	/* canonical */
	size_t naddresses;
	const char *const *pgp;		/* 40 upper-case hex digits */
	size_t npgp;
	const char (*countries)[3];	/* constituency */
	size_t ncountries;
	const char *const *cons_domains;	/* constituency.domains, canonical */
	size_t ncons_domains;
	const uint32_t *asns;
	size_t nasns;
	const struct ip_prefix *prefixes;
	size_t nprefixes;
	const struct registry_transfer *transfers;
	size_t ntransfers;
	const struct registry_basis *const *bases;
	size_t nbases;
	const struct registry_external_id *external_ids;
	size_t nexternal_ids;
	const char *source;		/* may be "" */
	int32_t last_verified;		/* DATE_MIN when not given */
	unsigned line;
	size_t ncerts;			/* keys: + certificates: entries (0: says nothing) */
	/* the OpenPGP material of keys: as written (armoured or binary),
	 * what the relay encrypts to (seal.h) */
	const char *const *openpgp;
	const size_t *openpgp_len;
	size_t nopenpgp;
};

/* Whose a key of the registry is (keys:, certificates:, own_keys:,
 * shared_keys:). */
enum registry_key_owner {
	KEY_OWNER_PARTY,	/* "party": a party's certificate */
	KEY_OWNER_OWN,		/* "own": the organisation (staff, escrow) */
	KEY_OWNER_SHARED	/* "shared": handed to many (a list's team key) */
};

/* One key (an OpenPGP primary or subkey, or an X.509 certificate). */
struct registry_key {
	enum registry_key_owner owner;
	const struct registry_party *party;	/* KEY_OWNER_PARTY, else NULL */
	const char *label;		/* "openpgp <primary fpr>", "x509 serial <hex>" */
	bool x509;
	int64_t expires;		/* Unix seconds, INT64_MAX: never */
	int64_t revoked;		/* Unix seconds, INT64_MAX: never */
	unsigned line;
};

/* Where a basis stands on a date. */
enum basis_status { BASIS_VALID, BASIS_NOT_YET_VALID, BASIS_EXPIRED };

/* A resolved recipient. */
struct registry_resolution {
	const struct registry_party *party;	/* NULL: unknown */
	enum registry_match match;
	bool own_domain;			/* listed in own_domains */
	bool valid_address;			/* the recipient parsed at all */
	char address[ADDRESS_TEXT_MAX];		/* canonical recipient, "" when invalid */
	const char *domain;			/* inside address, "" when invalid */
};

/* registry_lookup(): the resolution plus the party's bases valid on D. */
struct registry_lookup {
	struct registry_resolution r;
	int32_t date;
	bool in_eea;					/* jurisdiction in EEA on date */
	const struct registry_transfer *transfer;	/* valid on date, or NULL */
	const struct registry_basis *valid[REGISTRY_MAX_PARTY_BASES];
	size_t nvalid;
};

struct registry;
struct registry_errors;

/* Parse and validate a file.  Returns NULL when there is any error; then
 * *errors (when errors is not NULL) lists them all.  On success *errors is
 * an empty list (or NULL when allocation failed).  Free with
 * registry_errors_free() in both cases. */
struct registry *registry_load(const char *file, struct registry_errors **errors);
/* The same from memory; name is used in messages in place of the file. */
struct registry *registry_load_buffer(const char *name, const char *data, size_t len,
				      struct registry_errors **errors);

size_t registry_errors_count(const struct registry_errors *e);
/* "file:line: message" (no newline). */
const char *registry_errors_get(const struct registry_errors *e, size_t i);
void registry_errors_free(struct registry_errors *e);

/* Reference counting (thread-safe); a loaded registry starts at 1. */
struct registry *registry_ref(struct registry *r);
void registry_unref(struct registry *r);

const char *registry_file(const struct registry *r);
/* The registry's serial (top-level "serial:", grondslag-registry(5)), 0
 * when the file has none.  Roll-back protection: regserial.h. */
uint64_t registry_serial(const struct registry *r);

/* Resolve a recipient: exact address, else exact domain, else the most
 * specific "*.x" wildcard; own_domain from own_domains. */
void registry_resolve(const struct registry *r, const char *recipient,
		      struct registry_resolution *out);
/* Resolve and list the party's bases valid on date (regime window
 * intersected with the basis window), EEA membership and transfer. */
void registry_lookup(const struct registry *r, const char *recipient, int32_t date,
		     struct registry_lookup *out);

/* The effective window of a basis: its own intersected with its regime's. */
struct date_range registry_basis_window(const struct registry_basis *b);
enum basis_status registry_basis_status(const struct registry_basis *b, int32_t date);

/* Is country (alpha-2) a member of the EEA on date, per the eea: table? */
bool registry_in_eea(const struct registry *r, const char *country, int32_t date);
/* A registry without an eea table (or an empty one) judges every party
 * outside the EEA: true and the sentence saying so (naming file). */
bool registry_eea_warning(const struct registry *r, const char *file, char *msg, size_t len);
/* The party's transfer entry valid on date, or NULL. */
const struct registry_transfer *registry_transfer_on(const struct registry_party *p,
						     int32_t date);

size_t registry_party_count(const struct registry *r);
const struct registry_party *registry_party(const struct registry *r, size_t i);
const struct registry_party *registry_party_by_id(const struct registry *r, const char *id);
size_t registry_basis_count(const struct registry *r);
const struct registry_basis *registry_basis(const struct registry *r, size_t i);
const struct registry_basis *registry_basis_by_id(const struct registry *r, const char *id);
size_t registry_regime_count(const struct registry *r);
const struct registry_regime *registry_regime(const struct registry *r, size_t i);
size_t registry_own_domain_count(const struct registry *r);
const char *registry_own_domain(const struct registry *r, size_t i);

/* Is domain (canonical) an own domain: listed in own_domains, exactly or
 * under a "*.x" entry?  A wildcard "*.x" is own when every name under x
 * is. */
bool registry_is_own_domain(const struct registry *r, const char *domain);

/* The registry's key a reader names (key id, fingerprint, issuer and
 * serial, subject key identifier), or NULL when it is not listed. */
const struct registry_key *registry_key_find(const struct registry *r,
					     const struct reader_id *id);
size_t registry_key_count(const struct registry *r);
/* Usable on date: neither expired nor revoked by then.  A key that
 * expires during a day counts as expired that day (fail closed). */
bool registry_key_valid_on(const struct registry_key *k, int32_t date);
const char *registry_key_owner_name(enum registry_key_owner o);

const char *party_type_name(enum party_type t);
bool party_type_parse(const char *s, enum party_type *out);
const char *transfer_mechanism_name(enum transfer_mechanism m);
bool transfer_mechanism_parse(const char *s, enum transfer_mechanism *out);
const char *registry_match_name(enum registry_match m);

#endif
