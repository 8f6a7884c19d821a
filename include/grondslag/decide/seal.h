/*
 * seal.h - encryption at the relay, after the decision: plaintext mail
 * delivered on a basis that says "encrypt: required" leaves the relay as
 * PGP/MIME (RFC 3156) encrypted to the registered OpenPGP keys of the
 * recipients' party, and to nobody else.
 *
 * Why per party: one ciphertext names every key it is encrypted to (its
 * PKESK packets), so a ciphertext shared by two parties shows each the
 * other's keys and lets either forward it to the other's key holders.
 * The milter therefore carries one party group per SMTP transaction
 * (seal_group(): the recipients of another group wait for the client's
 * next transaction, 452 4.5.3) and encrypts that copy alone.
 *
 * Header protection (the LAMPS "protected headers" scheme, as Thunderbird
 * and Enigmail write it): the encrypted entity is a multipart/mixed with
 * protected-headers="v1" carrying every header field as sent but the
 * content and trace fields; the original content is its one part.  The
 * outer header keeps only trace (Received, Return-Path, DKIM, ARC),
 * routing and threading fields (From, Sender, Reply-To, To, Cc, Date,
 * Message-ID, References, In-Reply-To, Auto-Submitted, Resent-*); any
 * other (Thread-Topic, Keywords, X-*) may repeat the subject and is
 * inside only.  The outer Subject becomes a placeholder ("..." unless
 * configured).
 *
 * No usable key (missing, expired, revoked, disabled, or none of its
 * keys and subkeys may encrypt) holds the recipient (policy.h:
 * no-usable-key); a GPGME error is an internal error (tempfail), never
 * plaintext.  Mail already encrypted as a whole (PGP/MIME, S/MIME
 * enveloped-data) in which the scan read nothing (seal_as_is(): the one
 * rule of the milter and the releaser) is left as it is: layer one
 * (readmap.h) judges who can read it.
 *
 * Public functions:
 *   seal_needed()         a delivered decision whose basis requires encryption
 *   seal_party_requires() the party has a basis valid on date that requires it
 *   seal_group()          the group key of a recipient (its party, or "")
 *   seal_is_encrypted()   the message's top level is already encrypted
 *   seal_readable()       anything readable found in it (findings)
 *   seal_as_is()          it leaves as it came: encrypted, nothing readable
 *   seal_build()          the rewritten message around the ciphertext (pure)
 *   seal_finish()         seal_build() of a ciphertext, freeing it
 *   seal_inner()          the entity that is encrypted (pure)
 *   seal_keys_usable()    how many of the party's keys can be encrypted to (GPGME)
 *   seal_keys_check()     the same, and until when the answer holds
 *   seal_encrypt()        the armoured ciphertext for the party (GPGME)
 *   seal_ciphertext()     seal_inner + seal_encrypt, random boundaries
 *   seal_message()        seal_inner + seal_encrypt + seal_build
 * Limits: SEAL_FIELDS_MAX header fields looked at; placeholder and
 * boundaries at most SEAL_TEXT_MAX bytes; a throwaway GnuPG home per
 * call (the registry's keys only, removed after), or one kept per party
 * and snapshot (seal_home_*, sealcache.h).
 */
#ifndef GRONDSLAG_SEAL_H
#define GRONDSLAG_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"
#include "grondslag/scan/findings.h"

#define SEAL_FIELDS_MAX 1000
#define SEAL_TEXT_MAX 200
#define SEAL_BOUNDARY_MAX 48	/* "=_gs-" + 32 hex digits + NUL */
#define SEAL_FPRS_MAX (64 * 65)	/* fingerprints of a party's keys (at most 64), comma-separated */

/* A delivered recipient whose covering basis requires encryption. */
bool seal_needed(const struct decision *d);
/* Does party p have a basis valid on date that requires encryption? */
bool seal_party_requires(const struct registry_party *p, int32_t date);
/* The group of recipient rcpt on date: the id of its party when that
 * party requires encryption, else "" (the plaintext group).  Routed
 * recipients take the party where the mail ends. */
const char *seal_group(const struct registry *r, const char *rcpt, int32_t date);

/* Is the message as a whole already encrypted: its one top-level
 * Content-Type is multipart/encrypted with protocol
 * application/pgp-encrypted (PGP/MIME), or application/(x-)pkcs7-mime
 * with smime-type enveloped-data or authEnveloped-data (S/MIME)?  Not:
 * two Content-Type fields, signed-only S/MIME, inline PGP anywhere in a
 * plaintext message (such mail is encrypted again as a whole). */
bool seal_is_encrypted(const char *msg, size_t len);
/* Did the scan find anything readable (addresses, networks, e-mail
 * addresses, host names, credentials)?  f NULL, or ciphertext for the
 * escrow key it failed to open: not known, so yes. */
bool seal_readable(const struct findings *f);
/* Does the message leave as it came, without the relay's encryption?
 * Only when its top level is encrypted (seal_is_encrypted()) and its
 * scan f (the escrow key opens what it can) found nothing readable: the
 * milter and the releaser decide by this one rule. */
bool seal_as_is(const char *msg, size_t len, const struct findings *f);

/* The entity to encrypt (malloc'ed, *outlen): multipart/mixed with
 * protected-headers="v1" and boundary, the protected header fields, then
 * the original content fields and body as its one part.  NULL when out
 * of memory or the message has no header/body separator. */
char *seal_inner(const char *msg, size_t len, const char *boundary, size_t *outlen);

/* The whole message rewritten around armoured ciphertext asc: Subject
 * set to placeholder, the fields not kept outside dropped (seal_fields),
 * Content-* fields and MIME-Version replaced by the
 * PGP/MIME ones with boundary, the body the two RFC 3156 parts.  NULL
 * when out of memory or malformed. */
char *seal_build(const char *msg, size_t len, const char *asc, size_t asclen,
		 const char *boundary, const char *placeholder, size_t *outlen);

/* seal_build() of asc (malloc'ed ciphertext, freed here) into *out.
 * 0, or -1 + err (out of memory, malformed). */
int seal_finish(const char *msg, size_t len, char *asc, size_t asclen, const char *boundary,
		const char *placeholder, char **out, size_t *outlen, char *err, size_t errlen);

/* The body alone (what seal_build puts after the header), and the
 * Content-Type value of the outer message, for a milter that edits. */
char *seal_body(const char *asc, size_t asclen, const char *boundary, size_t *outlen);
void seal_content_type(const char *boundary, char *out, size_t outlen);

/* Header fields of msg that leave the outer header (all but the trace,
 * routing and threading fields seal_build keeps, and but Subject), each
 * (name, index among fields of that name, 1-based) to fn; also counts
 * Subject fields into *subjects.  For the milter's deletions.  -1 when
 * the message is malformed (seal_inner would refuse it). */
int seal_fields(const char *msg, size_t len, void (*fn)(void *arg, const char *name,
							   size_t namelen, int index),
		void *arg, int *subjects);

/* GPGME, each in a throwaway GnuPG home under tmpdir holding only the
 * party's registered keys.  0, or -1 + err. */
int seal_keys_usable(const struct registry_party *p, const char *tmpdir, size_t *usable,
		     char *err, size_t errlen);
/* The same, and in *until the first moment one of the usable keys stops
 * being usable by expiring (0: none expires), for sealcache.h. */
int seal_keys_check(const struct registry_party *p, const char *tmpdir, size_t *usable,
		    time_t *until, char *err, size_t errlen);
/* Armoured ciphertext of plain to every usable key of p (malloc'ed).
 * -1 + err on any error, also when no key is usable. */
int seal_encrypt(const struct registry_party *p, const char *tmpdir, const char *plain,
		 size_t len, char **asc, size_t *asclen, char *err, size_t errlen);
/* The inner entity of msg (random boundary) encrypted for p: the armour
 * in *asc (malloc'ed) and a random outer boundary for seal_build() or
 * seal_body(); the fingerprints of the keys it is encrypted to,
 * comma-separated, in fprs (may be NULL; SEAL_FPRS_MAX holds them all).
 * -1 + err. */
int seal_ciphertext(const struct registry_party *p, const char *tmpdir, const char *msg,
		    size_t len, char boundary[SEAL_BOUNDARY_MAX], char **asc, size_t *asclen,
		    char *fprs, size_t fprslen, char *err, size_t errlen);
/* A GnuPG home kept for many encryptions to one party (sealcache.h):
 * the party's registered keys imported once and the usable ones listed;
 * each encryption runs in a GPGME context of its own (a context is one
 * thread's), several at once reading the same home (gpg encrypting to
 * keys it is told, trusted as the registry's: nothing in the home is
 * written but gpg's own random_seed, which it locks).  Reference
 * counted: the last unref removes the directory. */
struct seal_home;
/* Remove the GnuPG homes seal_home_open() made under tmpdir that were
 * last changed before older: those a process that ended without its last
 * unref (a crash, a kill) left behind, with the parties' keys in them.
 * For a daemon's start, before it makes homes of its own there.  The
 * number removed, -1 when tmpdir cannot be read. */
int seal_homes_sweep(const char *tmpdir, time_t older);
/* The home under tmpdir for p (0 usable keys is a home too); NULL + err. */
struct seal_home *seal_home_open(const struct registry_party *p, const char *tmpdir, char *err,
				 size_t errlen);
size_t seal_home_usable(const struct seal_home *sh);
/* The first moment one of its usable keys expires; 0 none. */
time_t seal_home_until(const struct seal_home *sh);
struct seal_home *seal_home_ref(struct seal_home *sh);
void seal_home_unref(struct seal_home *sh);
/* seal_encrypt() and seal_ciphertext() in home sh (for p: its keys). */
int seal_home_encrypt(const struct seal_home *sh, const struct registry_party *p,
		      const char *plain, size_t len, char **asc, size_t *asclen, char *fprs,
		      size_t fprslen, char *err, size_t errlen);
int seal_home_ciphertext(const struct seal_home *sh, const struct registry_party *p,
			 const char *msg, size_t len, char boundary[SEAL_BOUNDARY_MAX], char **asc,
			 size_t *asclen, char *fprs, size_t fprslen, char *err, size_t errlen);

/* Rewrite msg for party p: seal_ciphertext() then seal_build() (the
 * new message malloc'ed in *out; fprs as there).  -1 + err. */
int seal_message(const struct registry_party *p, const char *tmpdir, const char *msg,
		 size_t len, const char *placeholder, char **out, size_t *outlen, char *fprs,
		 size_t fprslen, char *err, size_t errlen);

#endif
