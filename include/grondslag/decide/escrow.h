/*
 * escrow.h - the organisation's escrow key (EscrowKey): sealed OpenPGP
 * content also encrypted to it is decrypted in memory, scanned and decided
 * like plaintext; the ciphertext is delivered unchanged.
 *
 * Why: CSIRTs mail each other encrypted; an organisation that keeps an
 * escrow key (most mail clients can be told to encrypt to it as well, as
 * they encrypt to the sender) can hold its own outgoing ciphertext to the
 * same rules as plaintext instead of deciding on its readers alone.  The
 * secret key stays behind gpg-agent (a smartcard or an HSM where the agent
 * reaches one): nothing here reads it; the agent is never allowed to ask
 * for a passphrase, so a locked key leaves the content sealed.
 *
 *   escrow_open()   the key by fingerprint in a GnuPG home: its encryption
 *                   subkeys must have a secret part; NULL and err otherwise
 *   escrow_walk()   the walker's hook (walk.h): key ids and decrypt()
 *   escrow_fpr()    the key's fingerprint, for the record of each decryption
 *
 * Each decrypt() call is its own GPGME context (the milter's threads call
 * it at once); the plaintext is bounded while it is written, so a
 * compressed bomb stops at the walker's budget.
 */
#ifndef GRONDSLAG_ESCROW_H
#define GRONDSLAG_ESCROW_H

#include <stddef.h>

#include "grondslag/scan/walk.h"

struct escrow;

struct escrow *escrow_open(const char *gnupg_home, const char *fpr, char *err, size_t errlen);
void escrow_free(struct escrow *e);
const struct walk_escrow *escrow_walk(const struct escrow *e);
const char *escrow_fpr(const struct escrow *e);

#endif
