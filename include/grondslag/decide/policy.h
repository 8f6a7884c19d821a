/*
 * policy.h - the decision for one envelope recipient of one message on
 * one date: deliver or hold, why (reason codes), on which basis, and a
 * sentence a jurist can read.  Pure: the registry snapshot, the findings,
 * the recipient, the date and the options go in, a decision comes out; the
 * policy never reads the clock, the network or a file.
 *
 * The order (domain.md section 3):
 *  1. resolve the party (exact address, exact domain, "*.x" wildcard);
 *  2. no regulated category in the message -> deliver (no-regulated-data);
 *  3. recipient in own_domains -> deliver (own-domain), still recorded;
 *  4. unknown party -> hold (unknown-party);
 *  5. every category present needs a basis of the party that is valid on
 *     the date (basis window intersected with its regime's, half-open) and
 *     permits it -> else no-basis, or basis-not-yet-valid / basis-expired
 *     when a basis permits it but not on this date; unscannable content
 *     needs ONE basis that permits every category, "unscannable" included
 *     (the content may hold anything) -> else unscannable;
 *  6. a basis is usable only when the message TLP is within its tlp_max,
 *     and TLP:RED only when the recipient matched an exact address entry
 *     -> else tlp-exceeds;
 *  7. when the basis says constituency_match, every public address must be
 *     in the party's constituency: its country (geo), its AS number, or a
 *     listed prefix -> else constituency-mismatch (offending countries
 *     listed, never the addresses) or geo-unknown (no country known and
 *     no ASN/prefix match; public prefixes and ranges count as unknown
 *     unless inside a listed prefix);
 *  8. personal data (the personal-data category, and public addresses when
 *     options.public_is_personal) to a party whose jurisdiction is outside
 *     the EEA on the date (the registry's eea table) needs a transfer entry
 *     valid on the date with mechanism adequacy, art46 or art49 ->
 *     else no-transfer-mechanism.
 *  9. encrypted content: the readers its packets and envelopes
 *     name, mapped to parties by the registry's certificates (readmap.h)
 *     -> reader-shared-key, reader-not-addressed, reader-expired, and
 *     for a party with certificates reader-unknown, reader-anonymous;
 *     the readers are named in the explanation either way.
 * 10. relay encryption (options.seal set: plaintext the relay encrypts,
 *     seal.h): a delivery under a basis that says encrypt: required
 *     needs a key of the party that can be encrypted to -> else
 *     no-usable-key, and a message that cannot be rewritten as
 *     PGP/MIME (options.unsealable) -> unsealable (never plaintext).
 * Every failing check adds its reason; any reason of the hold kind holds.
 * A recipient with routing syntax (a source route, or '@', '%' or '!' in
 * its local part: route.h) is decided for every domain it could reach,
 * each as above; the first that holds is the decision, else the innermost
 * (where the mail ends).  A route through a host that is not a domain is
 * judged like an address that names no party.
 *
 * Public functions:
 *   policy_options_default(), policy_options_config(), policy_decide(),
 *   decision_free()
 *   decision_*() accessors, decision_explain()
 *   policy_reason_name(), policy_verdict_name(), policy_reason_is_hold()
 */
#ifndef GRONDSLAG_POLICY_H
#define GRONDSLAG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/findings.h"
#include "grondslag/decide/registry.h"

enum policy_verdict { VERDICT_DELIVER, VERDICT_HOLD };

/* Reason codes; the strings are stable (logs, JSON, audit). */
enum policy_reason {
	REASON_UNKNOWN_PARTY,		/* "unknown-party" */
	REASON_NO_BASIS,		/* "no-basis" */
	REASON_BASIS_NOT_YET_VALID,	/* "basis-not-yet-valid" */
	REASON_BASIS_EXPIRED,		/* "basis-expired" */
	REASON_TLP_EXCEEDS,		/* "tlp-exceeds" */
	REASON_NO_TRANSFER_MECHANISM,	/* "no-transfer-mechanism" */
	REASON_CONSTITUENCY_MISMATCH,	/* "constituency-mismatch" */
	REASON_GEO_UNKNOWN,		/* "geo-unknown" */
	REASON_UNSCANNABLE,		/* "unscannable" */
	/* who can read encrypted content (readmap.h) */
	REASON_READER_UNKNOWN,		/* "reader-unknown" */
	REASON_READER_ANONYMOUS,	/* "reader-anonymous" */
	REASON_READER_NOT_ADDRESSED,	/* "reader-not-addressed" */
	REASON_READER_SHARED_KEY,	/* "reader-shared-key" */
	REASON_READER_EXPIRED,		/* "reader-expired" */
	REASON_NO_USABLE_KEY,		/* "no-usable-key" */
	/* informational: the reason a delivery needed no basis */
	REASON_NO_REGULATED_DATA,	/* "no-regulated-data" */
	REASON_OWN_DOMAIN,		/* "own-domain" */
	/* appended: the codes are positional (stored masks) */
	REASON_UNSEALABLE,		/* "unsealable" */
	REASON_COUNT
};

struct policy_options {
	/* PublicAddressesArePersonalData: public addresses make the message
	 * carry personal data (GDPR chapter V applies). */
	bool public_is_personal;
	/* The message's envelope recipients (may be NULL): a reader key of
	 * a party one of them belongs to is addressed. */
	const char *const *rcpts;
	size_t nrcpts;
	/* The relay encrypts this message (plaintext, from an internal
	 * sender) where a basis requires it: seal(seal_arg, party) says
	 * whether the party has a key that can be encrypted to.  NULL: the
	 * caller does not encrypt (the CLI's check), no such step. */
	bool (*seal)(void *seal_arg, const struct registry_party *p);
	void *seal_arg;
	/* With seal: the message cannot be rewritten as PGP/MIME (seal.h:
	 * no header/body separator, a header the milter cannot edit), so
	 * it can never leave encrypted, whatever the party's keys. */
	bool unsealable;
};

/* The safe defaults: public_is_personal = true, no recipient list. */
void policy_options_default(struct policy_options *o);
struct config;
/* The options of a configuration (PublicAddressesArePersonalData): the
 * one place the daemon and "grondslag check" take them from. */
void policy_options_config(const struct config *c, struct policy_options *o);

struct decision;

/* Decide for one recipient on date (days, see date.h).  The decision holds
 * a reference to reg until decision_free().  f may be NULL (no findings:
 * treated as carrying no regulated data).  Returns NULL only when out of
 * memory: the caller must then hold (or tempfail), never deliver. */
struct decision *policy_decide(struct registry *reg, const struct findings *f,
			       const char *recipient, int32_t date,
			       const struct policy_options *opt);
void decision_free(struct decision *d);

enum policy_verdict decision_verdict(const struct decision *d);
/* Reasons in a fixed order (enum order), each at most once. */
size_t decision_reason_count(const struct decision *d);
enum policy_reason decision_reason(const struct decision *d, size_t i);
bool decision_has_reason(const struct decision *d, enum policy_reason r);

/* The recipient as given (bounded, control characters replaced), and its
 * canonical form ("" when it is not a valid address). */
const char *decision_recipient(const struct decision *d);
const char *decision_address(const struct decision *d);
const struct registry_party *decision_party(const struct decision *d);	/* NULL: unknown */
enum registry_match decision_match(const struct decision *d);
bool decision_own_domain(const struct decision *d);
int32_t decision_date(const struct decision *d);
/* The categories judged: the message's, plus personal-data as derived. */
unsigned decision_categories(const struct decision *d);
enum tlp_level decision_tlp(const struct decision *d);

/* The bases that covered the categories that passed (all of them on a
 * delivery under a basis; none for no-regulated-data / own-domain). */
size_t decision_basis_count(const struct decision *d);
const struct registry_basis *decision_basis(const struct decision *d, size_t i);

/* Constituency evidence (when a basis asked for it): public addresses
 * and listed host names (by their country-code top-level domain) outside
 * the constituency per country, most first; and how many had no usable
 * geo answer (host names: under a generic top-level domain). */
size_t decision_country_count(const struct decision *d);
const char *decision_country(const struct decision *d, size_t i, uint32_t *addresses);
size_t decision_outside_count(const struct decision *d);
size_t decision_geo_unknown_count(const struct decision *d);

/* One or more sentences for people: the party, the basis and article, the
 * date and why.  Never lists addresses (counts and countries only). */
const char *decision_explain(const struct decision *d);

const char *policy_reason_name(enum policy_reason r);
bool policy_reason_is_hold(enum policy_reason r);
const char *policy_verdict_name(enum policy_verdict v);	/* "deliver" | "hold" */

#endif
