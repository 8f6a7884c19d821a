/*
 * readmap.h - who can read a message: the readers its sealed parts name
 * (findings, readers.h) mapped through the registry's certificates to
 * parties, the organisation's own keys and keys shared widely, and the
 * reader checks for one recipient.
 *
 * The checks, for a recipient whose party is known (policy.h):
 *   reader-shared-key     a reader key the registry marks as shared widely
 *   reader-not-addressed  a key of a party none of the message's
 *                         recipients belongs to
 *   reader-expired        a listed key expired or revoked on the date
 *   reader-unknown        a key the registry does not list, or a recipient
 *                         list that could not be read
 *   reader-anonymous      a recipient without a key id (--throw-keyids),
 *                         or a passphrase / shared secret
 * The first three hold whatever the party: the registry knows the key.
 * The last two hold only when the recipient's party has certificates in
 * the registry; for a party without any an unknown reader is shown but
 * decides nothing beyond the unscannable rule.  Keys of the organisation
 * (own_keys, and the keys of a party whose domain is an own domain) count
 * as addressed: clients encrypt to the sender too.
 *
 * Public functions:
 *   readmap_classify()   one reader -> its class and key
 *   readmap_check()      the checks for one recipient's party
 *   readmap_describe()   "readable by ..." for people (no addresses)
 *   readmap_class_name()
 */
#ifndef GRONDSLAG_READMAP_H
#define GRONDSLAG_READMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/decide/registry.h"
#include "grondslag/scan/findings.h"

enum readmap_class {
	READMAP_PARTY,		/* "party": a party's key */
	READMAP_OWN,		/* "own": own_keys, or a party of an own domain */
	READMAP_SHARED,		/* "shared": a key shared widely */
	READMAP_UNKNOWN,	/* "unknown": a key the registry does not list */
	READMAP_ANONYMOUS,	/* "anonymous": no key id, or a passphrase */
	READMAP_UNPARSED	/* "unparsed": the recipient list was unreadable */
};

struct readmap_reader {
	enum readmap_class cls;
	const struct registry_key *key;	/* PARTY, OWN, SHARED */
	bool expired;			/* the key is expired or revoked on the date */
};

void readmap_classify(const struct registry *r, const struct reader_id *id, int32_t date,
		      struct readmap_reader *out);

struct readmap_check {
	size_t readers;
	bool shared, not_addressed, expired, unknown, anonymous;
	const struct registry_party *stranger;	/* a party not addressed, for the text */
};

/* The checks for recipient party p (not NULL) of a message with the
 * given envelope recipients (rcpts may be NULL: then p alone counts as
 * addressed). */
void readmap_check(const struct registry *r, const struct findings *f,
		   const struct registry_party *p, int32_t date, const char *const *rcpts,
		   size_t nrcpts, struct readmap_check *out);

/* "readable by CERT.be (cert-be, openpgp 69BC...), an own key and an
 * unknown pgp key 0x32FC..." into buf; "" when the message names no
 * readers.  At most READMAP_SHOWN readers are named, then a count. */
#define READMAP_SHOWN 8
const char *readmap_describe(const struct registry *r, const struct findings *f, int32_t date,
			     char *buf, size_t n);

const char *readmap_class_name(enum readmap_class c);

#endif
