/*
 * openpgp.h - bounded readers of OpenPGP framing (RFC 9580): the packet
 * headers of a binary message or certificate, and ASCII armour.  No
 * cryptography: the packets are found, never decrypted or verified.
 *
 * Packet headers of both formats are read; a header whose length runs
 * past the input is reported as truncated (the caller decides whether the
 * body matters), and a partial body length gives the first chunk only
 * (partial lengths are allowed on data packets alone, which the callers
 * stop at).  Armour is decoded into a caller's buffer of fixed size.
 *
 * Public functions:
 *   openpgp_iter_init(), openpgp_next()   walk the packets of a buffer
 *   openpgp_dearmor()                      one armour block into binary
 *   openpgp_find_armor()                   where the next block of a kind starts
 */
#ifndef GRONDSLAG_OPENPGP_H
#define GRONDSLAG_OPENPGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Packet tags used here. */
enum openpgp_tag {
	OPENPGP_PKESK = 1,
	OPENPGP_SIGNATURE = 2,
	OPENPGP_SKESK = 3,
	OPENPGP_ONEPASS = 4,
	OPENPGP_SECRET_KEY = 5,
	OPENPGP_PUBLIC_KEY = 6,
	OPENPGP_SECRET_SUBKEY = 7,
	OPENPGP_COMPRESSED = 8,
	OPENPGP_SED = 9,		/* symmetrically encrypted data (legacy) */
	OPENPGP_MARKER = 10,
	OPENPGP_LITERAL = 11,
	OPENPGP_TRUST = 12,
	OPENPGP_USER_ID = 13,
	OPENPGP_PUBLIC_SUBKEY = 14,
	OPENPGP_USER_ATTR = 17,
	OPENPGP_SEIPD = 18,		/* integrity-protected encrypted data */
	OPENPGP_AEAD = 20,		/* LibrePGP AEAD encrypted data */
	OPENPGP_PADDING = 21
};

struct openpgp_packet {
	unsigned tag;
	const uint8_t *body;
	size_t len;		/* bytes of body present */
	bool partial;		/* a partial length: len is the first chunk */
	bool truncated;		/* the header promised more than there is */
};

struct openpgp_iter {
	const uint8_t *p;
	size_t left;
	bool bad;		/* a malformed header was met */
};

void openpgp_iter_init(struct openpgp_iter *it, const void *data, size_t len);
/* The next packet; false at the end or on a malformed header (it->bad).
 * After a truncated or partial packet the iteration ends. */
bool openpgp_next(struct openpgp_iter *it, struct openpgp_packet *pk);

/* Offset of the next "-----BEGIN PGP <kind>-----" line at or after from
 * (kind "MESSAGE", "PUBLIC KEY BLOCK"), or len when there is none. */
size_t openpgp_find_armor(const char *text, size_t len, size_t from, const char *kind);
/* Decode the armour block starting at text (a BEGIN line) into out (at
 * most cap bytes; what does not fit is dropped and *cut set).  Armour
 * headers, blank lines, a CR before LF, "> " quote marks and the checksum
 * line are handled; decoding stops at the END line or at the first line that is
 * not base64.  Returns the decoded length, 0 when nothing decoded. */
size_t openpgp_dearmor(const char *text, size_t len, uint8_t *out, size_t cap, bool *cut);

#endif
