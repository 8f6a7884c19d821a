/*
 * keyparse.h - the keys in certificate material the registry carries:
 * OpenPGP certificates (armoured or binary; v4 and v6 keys, with their
 * subkeys) and X.509 certificates (PEM or DER).  For each key: the
 * identifiers a message names its readers by (readers.h: key id and
 * fingerprint; issuer and serial, subject key identifier), its creation,
 * expiry and revocation times.
 *
 * Expiry and revocation come from the self-signatures as written, not
 * verified: the registry that carries the certificate is itself signed
 * by the jurists (regsig.h), so the material is trusted as data.  The
 * newest self-signature of a key decides its expiry; a subkey never
 * outlives its primary; a revocation signature ends the key at its time.
 *
 * Public functions:
 *   keyparse()            every key of the material, to a callback
 *   keyparse_kind_name()  "openpgp" / "x509"
 * Limits: KEYPARSE_MAX_KEYS keys per call, KEYPARSE_MAX_BYTES of input.
 */
#ifndef GRONDSLAG_KEYPARSE_H
#define GRONDSLAG_KEYPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/readers.h"

#define KEYPARSE_MAX_KEYS 256
#define KEYPARSE_MAX_BYTES (1u << 20)
#define KEYPARSE_NEVER INT64_MAX
#define KEYPARSE_LABEL_MAX 80

enum keyparse_kind { KEYPARSE_OPENPGP, KEYPARSE_X509 };

struct keyparse_key {
	enum keyparse_kind kind;
	struct reader_id ids[2];	/* PGP: key id, fingerprint; X.509: issuer+serial, SKI */
	size_t nids;
	bool primary;			/* PGP: the primary key (else a subkey) */
	char label[KEYPARSE_LABEL_MAX];	/* "openpgp <primary fingerprint>", "x509 serial <hex>" */
	int64_t created;		/* Unix seconds (X.509: notBefore) */
	int64_t expires;		/* Unix seconds, KEYPARSE_NEVER */
	int64_t revoked;		/* Unix seconds, KEYPARSE_NEVER */
};

typedef void (*keyparse_fn)(void *arg, const struct keyparse_key *k);

/* Parse data; on success call fn (when not NULL) for every key, set *kind and return the
 * number of keys (at least 1).  On any error return -1 with a sentence in
 * err (nothing is reported to fn then). */
int keyparse(const void *data, size_t len, keyparse_fn fn, void *arg, enum keyparse_kind *kind,
	     char *err, size_t errn);

const char *keyparse_kind_name(enum keyparse_kind k);

#endif
