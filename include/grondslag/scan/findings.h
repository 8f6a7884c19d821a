/*
 * findings.h - what one scanned message carries: its parts and their
 * status, the distinct addresses, prefixes and ranges found (counted and
 * located), TLP marking, structured incident formats, and the categories
 * derived from all of that.  The scanner side fills it in; the policy, the
 * CLI output and the milter read it.  Pure data: no I/O, no libmilter.
 *
 * Addresses are deduplicated in a hash table, so adding is O(1) whatever
 * the message holds; output accessors return them in first-seen order.
 *
 * Public functions (findings_*): alloc/free; part_add, part_unscannable,
 * part_set_format; add_match (from the IP scanner); set_tlp; derive
 * (categories); and read accessors for every list.
 */
#ifndef GRONDSLAG_FINDINGS_H
#define GRONDSLAG_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/idscan.h"
#include "grondslag/base/ipaddr.h"
#include "grondslag/scan/ipclass.h"
#include "grondslag/scan/ipscan.h"
#include "grondslag/scan/readers.h"

/* TLP levels, least to most restrictive; TLP 1.0 WHITE is CLEAR. */
enum tlp_level {
	TLP_NONE = 0,
	TLP_CLEAR,
	TLP_GREEN,
	TLP_AMBER,
	TLP_AMBER_STRICT,
	TLP_RED
};

/* Structured incident formats. */
enum incident_format {
	FMT_STIX2,
	FMT_MISP,
	FMT_IODEF,
	FMT_XARF,
	FMT_ARF,
	FMT_CSV_IP,
	FMT_SHADOWSERVER,
	FMT_COUNT
};

/* Why a part could not be read.  Each has a stable reason code string. */
enum unscan_reason {
	UNSCAN_NONE = 0,
	UNSCAN_ENCRYPTED_ARCHIVE,	/* "encrypted-archive" */
	UNSCAN_PGP_MIME,		/* "pgp-mime" */
	UNSCAN_PGP_INLINE,		/* "pgp-inline" */
	UNSCAN_SMIME,			/* "smime" */
	UNSCAN_CORRUPT_ARCHIVE,		/* "corrupt-archive" */
	UNSCAN_MALFORMED_MIME,		/* "malformed-mime" */
	UNSCAN_UNSUPPORTED_TYPE,	/* "unsupported-type" */
	UNSCAN_TNEF,			/* "tnef" */
	UNSCAN_PDF_FAILED,		/* "pdf-failed" */
	UNSCAN_DECODE_FAILED,		/* "decode-failed" */
	UNSCAN_LIMIT_SIZE,		/* "limit-size" */
	UNSCAN_LIMIT_PARTS,		/* "limit-parts" */
	UNSCAN_LIMIT_DEPTH,		/* "limit-depth" */
	UNSCAN_LIMIT_ENTRIES,		/* "limit-entries" */
	UNSCAN_LIMIT_RATIO,		/* "limit-ratio" */
	UNSCAN_LIMIT_TIME,		/* "limit-time" */
	UNSCAN_LIMIT_ADDRESSES,		/* "limit-addresses" */
	UNSCAN_INTERNAL,		/* "internal-error" */
	UNSCAN_OLE2,			/* "ole2" */
	UNSCAN_TYPE_MISMATCH,		/* "type-mismatch" */
	UNSCAN_COUNT
};

/* Data categories (bit set). */
enum category {
	CAT_PROVIDER_TRACEABLE = 1u << 0,	/* "provider-traceable" */
	CAT_INCIDENT = 1u << 1,			/* "incident" */
	CAT_UNSCANNABLE = 1u << 2,		/* "unscannable" */
	CAT_PERSONAL_DATA = 1u << 3,		/* "personal-data" (e-mail lists; policy
						 * adds it for public addresses) */
	CAT_CREDENTIALS = 1u << 4		/* "credentials" (user + password rows) */
};
#define CAT_LAST CAT_CREDENTIALS

/* PART_DECRYPTED: sealed content opened with the escrow key (walk.h);
 * its plaintext is read as the part's child. */
enum part_status { PART_SCANNED, PART_UNSCANNABLE, PART_CONTAINER, PART_DECRYPTED };

/* One distinct address with its evidence. */
struct finding_ip {
	struct ip_addr addr;
	enum ip_scope scope;
	uint32_t count;		/* occurrences over the whole message */
	unsigned first_part;	/* part index of the first occurrence */
	uint64_t first_offset;	/* offset in that part's text */
	bool defanged;		/* seen defanged at least once */
	bool structured;	/* seen in a part with a structured format */
	char country[3];	/* ISO 3166 alpha-2 or "" when unknown */
	uint32_t asn;		/* 0 when unknown */
	bool geo_done;		/* a lookup was made (country/asn may stay empty) */
};

/* One distinct prefix or range (a range is stored as first..last). */
struct finding_net {
	bool is_range;
	struct ip_prefix prefix;	/* prefixes */
	struct ip_addr first, last;	/* ranges */
	enum ip_scope scope;
	uint32_t count;
	unsigned first_part;
	uint64_t first_offset;
	bool defanged;
	bool structured;
};

/* Distinct listed host names under one top-level domain. */
#define FINDINGS_TLD_MAX 64
struct finding_tld {
	char tld[25];
	uint32_t count;
};

/* One distinct listed host as the constituency check sees it: no name,
 * only the findings_domain_hash of each domain it lies under (of two
 * labels or more, the nearest FINDINGS_HOST_LEVELS from the top-level
 * domain down, the host itself included) and its top-level domain. */
#define FINDINGS_HOST_LEVELS 8
struct finding_host {
	uint64_t under[FINDINGS_HOST_LEVELS];
	unsigned char nunder;
	char tld[25];	/* "" when longer */
};

struct finding_part {
	char *path;		/* "1", "2.1", "2/list.zip!a.csv", "subject" */
	char *type;		/* media type, lower case, e.g. "text/csv" */
	char *filename;		/* may be NULL */
	uint64_t bytes;		/* decoded size (or encoded when not decoded) */
	enum part_status status;
	enum unscan_reason reason;
	unsigned formats;	/* bit set of 1u << enum incident_format */
	unsigned depth;
};

/* One distinct reader of the message's sealed parts (readers.h): who
 * can decrypt it, as its packets or envelopes name them. */
struct finding_reader {
	struct reader_id id;
	unsigned part;		/* the first part naming it */
};
#define FINDINGS_MAX_READERS 1024

struct findings;

struct findings *findings_alloc(void);
void findings_free(struct findings *f);
/* Cap on distinct addresses + networks (0 = default, 2,000,000); past it
 * the message is unscannable with limit-addresses. */
void findings_set_max_entries(struct findings *f, size_t max);

/* Parts.  Returns the new part's index, or -1 on allocation failure (the
 * message is then marked unscannable with UNSCAN_INTERNAL). */
int findings_part_add(struct findings *f, const char *path, const char *type,
		      const char *filename, unsigned depth);
void findings_part_set_bytes(struct findings *f, unsigned part, uint64_t bytes);
void findings_part_set_status(struct findings *f, unsigned part, enum part_status st);
/* Mark a part unscannable (first reason wins for the part). */
void findings_part_unscannable(struct findings *f, unsigned part, enum unscan_reason r);
/* Its sealed content was opened with the escrow key: PART_DECRYPTED,
 * unless the part is unscannable for another reason than the inline
 * armour now opened (that stays). */
void findings_part_decrypted(struct findings *f, unsigned part);
/* A sealed part for the escrow key was not opened: why (a static
 * reason word, walk.h), temporary when it may pass (gpg-agent hung or
 * gone, the deadline passed): then the message must be tempfailed. */
void findings_decrypt_failed(struct findings *f, const char *why, bool temporary);
/* How many sealed parts were not opened; *why the reason of a temporary
 * failure if any, else the first ("" none), *temporary as above. */
unsigned findings_decrypt_failures(const struct findings *f, const char **why, bool *temporary);
/* How many parts were opened with the escrow key (PART_DECRYPTED). */
unsigned findings_decrypted_count(const struct findings *f);
/* Message-level unscannable reason (a limit over the whole message). */
void findings_message_unscannable(struct findings *f, enum unscan_reason r);
void findings_part_set_format(struct findings *f, unsigned part, enum incident_format fmt);

/* Record one scanner match found in part's text. */
void findings_add_match(struct findings *f, unsigned part, const struct ipscan_match *m);

/* Record a reader of a sealed part (deduplicated; past
 * FINDINGS_MAX_READERS one unparsed reader stands for the rest). */
void findings_reader_add(struct findings *f, unsigned part, const struct reader_id *r);
/* Record one identifier from the list scanner (idscan.h).  Only a hash
 * of an address or host is kept, for counting distinct ones; a credential
 * is counted, never stored.  Exclusion of own domains and public services
 * is the caller's (scan.c). */
void findings_add_ident(struct findings *f, unsigned part, const struct idscan_match *m);
/* Distinct listed e-mail addresses from which the message carries
 * personal data, distinct listed hosts from which it is provider-
 * traceable (default 3 each, 0 taken as 1). */
void findings_set_ident_thresholds(struct findings *f, unsigned emails, unsigned hosts);

/* Raise the message TLP (most restrictive wins). */
void findings_set_tlp(struct findings *f, enum tlp_level t);

/* Derive categories once scanning is over: provider-traceable when the
 * distinct public addresses plus public prefixes/ranges reach threshold,
 * or any of them sits in a part with a structured format, or the listed
 * hosts reach their threshold; personal-data when the listed e-mail
 * addresses reach theirs; credentials on any credential row; incident on a
 * TLP marking or any structured format; unscannable on any unscannable
 * part or message-level reason. */
unsigned findings_derive(struct findings *f, unsigned threshold);

/* Read side. */
unsigned findings_categories(const struct findings *f);
enum tlp_level findings_tlp(const struct findings *f);
unsigned findings_formats(const struct findings *f);	/* union over parts */
size_t findings_part_count(const struct findings *f);
const struct finding_part *findings_part(const struct findings *f, size_t i);
size_t findings_ip_count(const struct findings *f);
const struct finding_ip *findings_ip(const struct findings *f, size_t i);
struct finding_ip *findings_ip_mut(struct findings *f, size_t i);	/* geo fills */
size_t findings_net_count(const struct findings *f);
const struct finding_net *findings_net(const struct findings *f, size_t i);
size_t findings_public_ip_count(const struct findings *f);
size_t findings_public_net_count(const struct findings *f);
size_t findings_unscannable_count(const struct findings *f);
size_t findings_reader_count(const struct findings *f);
const struct finding_reader *findings_reader(const struct findings *f, size_t i);
size_t findings_email_count(const struct findings *f);	/* distinct, listed, foreign */
size_t findings_host_count(const struct findings *f);	/* distinct, listed, foreign */
size_t findings_credential_count(const struct findings *f);
size_t findings_tld_count(const struct findings *f);
const struct finding_tld *findings_tld(const struct findings *f, size_t i);
/* The distinct listed hosts (findings_host_count of them). */
const struct finding_host *findings_host(const struct findings *f, size_t i);
/* The hash a domain name (canonical: lower case, A-labels, no final dot)
 * is compared by against finding_host.under. */
uint64_t findings_domain_hash(const char *name, size_t len);
/* Message-level reason, or UNSCAN_NONE. */
enum unscan_reason findings_message_reason(const struct findings *f);

/* Names. */
const char *tlp_name(enum tlp_level t);			/* "RED", "AMBER+STRICT", ... "" */
bool tlp_parse(const char *s, enum tlp_level *out);	/* case-insensitive, WHITE=CLEAR */
const char *format_name(enum incident_format fmt);	/* "stix2", "misp", ... */
const char *unscan_reason_name(enum unscan_reason r);
const char *category_name(enum category c);
bool category_parse(const char *s, enum category *out);
const char *part_status_name(enum part_status s);

#endif
