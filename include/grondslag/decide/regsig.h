/*
 * regsig.h - detached OpenPGP signatures on the registry (GPGME).
 *
 * Jurists sign the registry with "gpg --detach-sign --armor", giving
 * FILE.asc beside FILE.  The configuration lists the fingerprints of the
 * jurists allowed to sign (RegistrySigner, repeatable) and the GnuPG home
 * holding their public keys (GnuPGHome).  The signer list IS the trust
 * decision: web-of-trust validity and ownertrust are not consulted (a home
 * without ownertrust reports summary 0 even for a good signature).
 *
 * Time of check = time of use: the file variant reads the registry ONCE
 * into memory, verifies those bytes and hands the same bytes back in
 * struct regsig_result, so the caller parses exactly what was verified
 * (registry_load_buffer()), never a file that may have changed since.
 *
 * Modes (RegistrySignature):
 *   required  only a good signature by a listed signer is accepted;
 *   optional  an unsigned registry is accepted with a warning, but a
 *             signature that is present must verify as for required;
 *   none      the signature is not looked at.
 *
 * Public functions:
 *   regsig_mode_parse(), regsig_mode_name(), regsig_status_name()
 *   regsig_verify()          read FILE (+ FILE.asc), verify, keep the bytes
 *   regsig_verify_buffer()   verify bytes already in memory
 *   regsig_context_new()     the GPGME context every GnuPG user here
 *                            starts from (home checked, offline)
 *   regsig_result_free()     the bytes regsig_verify() read
 *   regsig_decide()          accept / warn / refuse, with a one-line message
 *   regsig_fpr_normalize()   "0381 bef5 ..." -> 40 upper-case hex digits
 * Limits: registry REGSIG_MAX_BYTES, signature REGSIG_MAX_SIG_BYTES, at
 * most REGSIG_MAX_SIGS signatures in one .asc.  Thread-safe (one GPGME
 * context per call; gpgme_check_version runs once).
 */
#ifndef GRONDSLAG_REGSIG_H
#define GRONDSLAG_REGSIG_H

#include <stdbool.h>
#include <stddef.h>

#include <gpgme.h>

#define REGSIG_MAX_BYTES (64u << 20)	/* same as REGISTRY_MAX_BYTES */
#define REGSIG_MAX_SIG_BYTES (1u << 20)
#define REGSIG_MAX_SIGS 16
#define REGSIG_FPR_LEN 40

enum regsig_mode { REGSIG_REQUIRED, REGSIG_OPTIONAL, REGSIG_NONE };

enum regsig_status {
	REGSIG_OK,		/* good signature by a listed signer */
	REGSIG_UNSIGNED,	/* no signature file */
	REGSIG_BAD,		/* bad signature, altered file, not a signature */
	REGSIG_UNKNOWN_SIGNER,	/* good signature, but not by a listed signer */
	REGSIG_EXPIRED,		/* listed signer, but key or signature expired */
	REGSIG_REVOKED,		/* listed signer, but the key is revoked */
	REGSIG_ERROR,		/* GPGME/gpg failure, or unreadable signature file */
	REGSIG_SKIPPED,		/* mode none: not verified */
	REGSIG_UNREADABLE	/* the registry itself could not be read */
};

enum regsig_verdict { REGSIG_ACCEPT, REGSIG_ACCEPT_WARN, REGSIG_REFUSE };

struct regsig_result {
	enum regsig_status status;
	/* Primary-key fingerprint of the signer (40 upper-case hex) when one
	 * is known: OK, UNKNOWN_SIGNER (when the key is in the home),
	 * EXPIRED, REVOKED; else "".  For an unknown key, the key id or
	 * fingerprint gpg reported. */
	char fingerprint[REGSIG_FPR_LEN + 1];
	char error[256];	/* detail for BAD/ERROR/UNREADABLE/UNKNOWN_SIGNER, or "" */
	/* regsig_verify() only: the registry bytes that were verified (NUL
	 * terminated, len without the NUL); the caller parses these. */
	char *data;
	size_t len;
	char sig_file[4096];	/* the signature file looked at, "" when none */
};

bool regsig_mode_parse(const char *s, enum regsig_mode *out);
const char *regsig_mode_name(enum regsig_mode m);
const char *regsig_status_name(enum regsig_status s);

/* Normalize a fingerprint: spaces dropped, hex upper-cased; false unless
 * exactly 40 hex digits remain.  out has REGSIG_FPR_LEN + 1 bytes. */
bool regsig_fpr_normalize(const char *in, char out[REGSIG_FPR_LEN + 1]);

/* Read registry_file (and sig_file, NULL = registry_file + ".asc") and,
 * unless mode is none, verify it against the signers (fingerprints, any
 * case) using gnupg_home (NULL or "" = GnuPG's default).  out->data holds
 * the registry bytes whenever they could be read, whatever the status;
 * release with regsig_result_free().  Returns out->status. */
enum regsig_status regsig_verify(const char *registry_file, const char *sig_file,
				 const char *gnupg_home, const char *const *signers,
				 size_t nsigners, enum regsig_mode mode,
				 struct regsig_result *out);

/* Verify data against the detached signature sigdata (sigdata NULL =
 * unsigned).  Sets out->status, fingerprint and error; leaves out->data,
 * len and sig_file alone.  Never returns SKIPPED or UNREADABLE. */
/* An OpenPGP GPGME context on gnupg_home (NULL or "": GnuPG's default),
 * offline; GPGME initialised once.  NULL + err (a home that is not a
 * directory is named as such). */
gpgme_ctx_t regsig_context_new(const char *gnupg_home, char *err, size_t errlen);

enum regsig_status regsig_verify_buffer(const char *data, size_t len, const char *sigdata,
					size_t siglen, const char *gnupg_home,
					const char *const *signers, size_t nsigners,
					struct regsig_result *out);

void regsig_result_free(struct regsig_result *out);

/* Apply the mode to a status and write one line (no newline) for the
 * operator, naming the registry file and the signature file, e.g.
 * "registry /etc/grondslag/registry.yaml: refused: RegistrySignature
 * required and no signature file /etc/grondslag/registry.yaml.asc".
 * res may be NULL (then the message has no fingerprint or detail);
 * sig_file NULL = registry_file + ".asc".  UNREADABLE refuses in every
 * mode; none accepts anything else. */
enum regsig_verdict regsig_decide(enum regsig_mode mode, enum regsig_status status,
				  const struct regsig_result *res, const char *registry_file,
				  const char *sig_file, char *msg, size_t msglen);

#endif
