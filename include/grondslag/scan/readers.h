/*
 * readers.h - who can read a sealed part, without any secret key: the
 * recipients an OpenPGP message names in its public-key encrypted session
 * key packets (PKESK v3: key id; v6: key version and fingerprint; a zero
 * key id or an empty fingerprint: an anonymous recipient), its symmetric
 * session keys (SKESK: whoever holds the passphrase), and the
 * RecipientInfos of a CMS EnvelopedData or AuthEnvelopedData (S/MIME:
 * issuer and serial number, or subject key identifier; key-agreement
 * recipients alike; KEK and password recipients as a shared secret).
 *
 * Input is hostile: packets, armour and DER are read by the bounded
 * readers of openpgp.h and der.h, at most READERS_MAX_PER_PART recipients
 * per part are taken (more: the part is malformed), armour is decoded
 * into at most READERS_ARMOR_MAX bytes, READERS_ARMOR_FIRST first and
 * more only while the recipients are cut (they come first; the encrypted
 * rest may be cut), and at most READERS_MAX_BLOCKS armour blocks per text part are
 * read.
 *
 * Public functions:
 *   readers_scan()         recipients of a part (binary OpenPGP, armour, CMS)
 *   readers_pgp()          recipients of binary OpenPGP packets
 *   readers_armor()        recipients of the armoured messages in text
 *   readers_cms()          recipients of a DER/BER CMS ContentInfo
 *   reader_kind_name(), reader_format(), reader_hex()   text for people
 *   reader_equal(), reader_x509_issuer()
 */
#ifndef GRONDSLAG_READERS_H
#define GRONDSLAG_READERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/der.h"

#define READERS_MAX_PER_PART 256
#define READERS_ARMOR_MAX (1u << 20)
#define READERS_ARMOR_FIRST (4u << 10)	/* decoded first; more only when needed */
#define READERS_MAX_BLOCKS 16
#define READER_ID_MAX 32
#define READER_TEXT_MAX 96

enum reader_kind {
	READER_PGP_KEYID,	/* PKESK v3: the 8-octet key id */
	READER_PGP_FPR,		/* PKESK v6: key version 4 (20 octets) or 6 (32) */
	READER_ANONYMOUS,	/* key id 0 or no fingerprint (gpg --throw-keyids) */
	READER_SECRET,		/* passphrase (SKESK), CMS KEK or password */
	READER_X509_ISSUER,	/* CMS issuerAndSerialNumber: issuer hash + serial */
	READER_X509_SKI,	/* CMS subjectKeyIdentifier */
	READER_UNPARSED,	/* sealed, but the recipients could not be read */
	READER_KIND_COUNT
};

/* One recipient.  For READER_X509_ISSUER, issuer is the SHA-256 of the
 * issuer Name's DER and id the serial number (leading zeros dropped). */
struct reader_id {
	enum reader_kind kind;
	uint8_t key_version;		/* READER_PGP_FPR: 4 or 6 */
	uint8_t id_len;
	uint8_t id[READER_ID_MAX];
	uint8_t issuer[32];
};

/* What a part turned out to be. */
enum readers_status {
	READERS_ENCRYPTED,	/* encrypted; its recipients were reported */
	READERS_NOT_ENCRYPTED,	/* signed, compressed or plain: no recipients */
	READERS_MALFORMED,	/* looks sealed, but the recipients cannot be read */
	READERS_NONE		/* no OpenPGP, armour or CMS at all */
};

/* Called once per recipient; return false to stop. */
typedef bool (*readers_fn)(void *arg, const struct reader_id *r);

/* Any of the forms: armour blocks anywhere in text, binary OpenPGP, or
 * CMS.  ENCRYPTED when at least one encrypted message was read. */
enum readers_status readers_scan(const void *data, size_t len, readers_fn fn, void *arg);
enum readers_status readers_pgp(const void *data, size_t len, readers_fn fn, void *arg);
/* Armoured "BEGIN PGP MESSAGE" blocks anywhere in text only. */
enum readers_status readers_armor(const void *text, size_t len, readers_fn fn, void *arg);
enum readers_status readers_cms(const void *data, size_t len, readers_fn fn, void *arg);

const char *reader_kind_name(enum reader_kind k);	/* "pgp-keyid", ... */
/* "pgp key 0x1234ABCD5678EF90", "pgp v6 fingerprint 3A...", "anonymous",
 * "x509 serial 0A1B (issuer 3f2a9c01)", ... into buf. */
const char *reader_format(const struct reader_id *r, char *buf, size_t n);
bool reader_equal(const struct reader_id *a, const struct reader_id *b);
/* The issuer-and-serial identifier from a Name and an INTEGER element, in
 * the one form a RecipientInfo and a certificate are compared in; false
 * when they are not a SEQUENCE and a serial of 1..READER_ID_MAX octets. */
bool reader_x509_issuer(const struct der_tlv *issuer, const struct der_tlv *serial,
			struct reader_id *r);
/* n octets as 2n upper-case hex digits and a NUL into out. */
void reader_hex(const uint8_t *b, size_t n, char *out);

#endif
