/*
 * auditsig.h - signed checkpoints of the audit chain.  The
 * chain (audit.h) finds a record altered, deleted in the middle or
 * reordered, but not the newest records deleted, nor everything after a
 * point rewritten: whoever can write the store can recompute the hashes.
 * A checkpoint fixes the head of the chain (seq and hash) under an
 * OpenPGP signature (AuditSigningKey), so a later verify can tell.  The
 * daemon's user holds that key (no passphrase: it signs unattended), so
 * an intruder with the daemon's rights could sign too: what anchors the
 * chain are the copies of the checkpoints kept beyond the host (the file
 * shipped off it, the syslog lines at a remote collector), checked
 * against the public key alone.
 *
 * The daemon writes each checkpoint twice: as an audit record (event
 * "checkpoint", details seq, hash, at, host, key, sig) and as one line
 * appended to AuditCheckpointFile, outside the database; the file still
 * names checkpoints whose records were deleted with the rest.
 *
 * What is signed (the canonical text, ASCII, LF line ends):
 *   grondslag-audit-checkpoint v1
 *   seq <record number, decimal>
 *   hash <that record's hash, 64 lower-case hex>
 *   at <Unix time of signing, decimal>
 *   host <host name: letters, digits, '.', '-', '_'>
 *   key <fingerprint of the signing key, 40 upper-case hex>
 * The signature is detached and binary, stored base64 (sig).
 *
 * The line in the file: the same fields in the same order, then sig:
 *   grondslag-audit-checkpoint v1 seq=N hash=H at=T host=X key=K sig=B64
 *
 * Public functions:
 *   auditsig_set_host()        a host name made safe for the text
 *   auditsig_text()            the canonical text (what is signed)
 *   auditsig_line(), auditsig_parse_line()   the file's line format
 *   auditsig_details(), auditsig_parse_details()  the audit record form
 *   auditsig_file_path()       where the checkpoint file is
 *   auditsig_signer_open(), auditsig_sign(), auditsig_signer_free()
 *   auditsig_verify()          signature check (auditsig_gpg.c, GPGME)
 *   auditsig_check_*()         compare checkpoints with the chain
 *                              (auditsig_check.c)
 * Limits: AUDITSIG_SIG_MAX base64 characters of signature,
 * AUDITSIG_LINE_MAX bytes per line, AUDITSIG_CHECK_MAX checkpoints per
 * check.  Parsers are strict (fixed field order, no blanks, no leading
 * zeros): a parsed checkpoint re-formats to exactly its input.
 */
#ifndef GRONDSLAG_AUDITSIG_H
#define GRONDSLAG_AUDITSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/store/audit.h"
#include "grondslag/decide/regsig.h"

#define AUDITSIG_EVENT "checkpoint"	/* the event of a checkpoint record */
#define AUDITSIG_HOST_MAX 253
#define AUDITSIG_SIG_MAX 2048		/* RSA 8192 fits; ed25519 needs ~160 */
#define AUDITSIG_LINE_MAX 4096
#define AUDITSIG_CHECK_MAX 500000u	/* hourly for 50 years */

/* One checkpoint.  seq >= 1. */
struct auditsig_checkpoint {
	int64_t seq;
	char hash[AUDIT_HASH_HEX];
	int64_t at;
	char host[AUDITSIG_HOST_MAX + 1];
	char key[REGSIG_FPR_LEN + 1];
	char sig[AUDITSIG_SIG_MAX + 1];		/* base64, "" before signing */
};

/* Copy name into cp->host: bytes outside [A-Za-z0-9._-] become '_', cut
 * at AUDITSIG_HOST_MAX; empty becomes "localhost". */
void auditsig_set_host(struct auditsig_checkpoint *cp, const char *name);

/* The canonical text (malloc'ed), or NULL when cp is not well formed. */
char *auditsig_text(const struct auditsig_checkpoint *cp);

/* The file line with its "\n" (malloc'ed), or NULL when cp is not well
 * formed or not signed. */
char *auditsig_line(const struct auditsig_checkpoint *cp);
/* Parse one line (len bytes, with or without its "\n"; hostile input).
 * 0, or -1 with why (one short sentence). */
int auditsig_parse_line(const char *line, size_t len, struct auditsig_checkpoint *cp,
			char *why, size_t whylen);

/* The details of the checkpoint's audit record (audit_details_*;
 * malloc'ed), or NULL. */
char *auditsig_details(const struct auditsig_checkpoint *cp);
/* Parse the details of a checkpoint record (hostile).  0 or -1 + why. */
int auditsig_parse_details(const char *details, struct auditsig_checkpoint *cp, char *why,
			   size_t whylen);

/* The checkpoint file: configured (AuditCheckpointFile), or the database
 * path plus ".checkpoints" when that is empty. */
void auditsig_file_path(const char *configured, const char *database, char *out, size_t outlen);

/* ---- auditsig_gpg.c: GPGME ------------------------------------------- */

struct auditsig_signer;
/* Open the secret key fpr (40 hex, blanks allowed) in gnupg_home (NULL or
 * "" = GnuPG's default) and make one trial signature: NULL + err unless
 * the key is there, valid (not expired, revoked or disabled) and signs. */
struct auditsig_signer *auditsig_signer_open(const char *gnupg_home, const char *fpr,
					     char *err, size_t errlen);
/* The signer's primary fingerprint (40 upper-case hex). */
const char *auditsig_signer_key(const struct auditsig_signer *s);
/* Sign cp: sets cp->key and cp->sig.  0 or -1 + err.  Thread-safe. */
int auditsig_sign(struct auditsig_signer *s, struct auditsig_checkpoint *cp, char *err,
		  size_t errlen);
void auditsig_signer_free(struct auditsig_signer *s);

/* Verify cp->sig over auditsig_text(cp) against the trusted keys fprs
 * (nfprs fingerprints: the current key and any before a rotation) in
 * gnupg_home (public keys enough).  REGSIG_OK good; REGSIG_EXPIRED good,
 * but the key has expired since (signing refuses an expired key, so the
 * signature predates it); REGSIG_BAD forged or altered; REGSIG_UNKNOWN_
 * SIGNER another key; REGSIG_REVOKED; REGSIG_ERROR.  Detail in err. */
enum regsig_status auditsig_verify(const struct auditsig_checkpoint *cp, const char *gnupg_home,
				   const char *const *fprs, size_t nfprs, char *err, size_t errlen);

/* ---- auditsig_check.c: checkpoints against the chain ----------------- */

/* Where a checkpoint was found (a bit set: one may be in both). */
enum { AUDITSIG_IN_CHAIN = 1, AUDITSIG_IN_FILE = 2 };

/* What became of one checkpoint. */
enum auditsig_outcome {
	AUDITSIG_GOOD,		/* signature good, record seq has that hash */
	AUDITSIG_MALFORMED,	/* not a checkpoint (line or details unparsable) */
	AUDITSIG_SIGNATURE,	/* the signature does not verify (regsig status) */
	AUDITSIG_NOT_IN_CHAIN,	/* record seq does not exist: records deleted */
	AUDITSIG_MISMATCH,	/* record seq has another hash: chain rewritten */
	AUDITSIG_UNCHECKED	/* not (yet) compared with the chain */
};

/* One checkpoint as reported. */
struct auditsig_entry {
	int64_t seq;			/* 0 when malformed */
	char hash[AUDIT_HASH_HEX];
	unsigned sources;		/* AUDITSIG_IN_* */
	int64_t chain_seq;		/* the checkpoint record, 0 when none */
	int64_t file_line;		/* line in the file, 0 when none */
	enum auditsig_outcome outcome;
	enum regsig_status sig;		/* signature status (when verified) */
	char why[240];			/* the sentence for a bad outcome */
};

struct auditsig_check;
struct auditsig_check *auditsig_check_new(void);
void auditsig_check_free(struct auditsig_check *c);
/* Add a checkpoint found in the chain (record chain_seq) or the file
 * (line file_line): cp NULL = malformed, why says how.  A checkpoint
 * found in both is kept once.  0, or -1 past AUDITSIG_CHECK_MAX or out
 * of memory. */
int auditsig_check_add(struct auditsig_check *c, const struct auditsig_checkpoint *cp,
		       unsigned source, int64_t where, const char *why);
/* Sort (by seq) and merge; then entries are numbered 0 .. count-1. */
size_t auditsig_check_count(struct auditsig_check *c);
/* Entry i (NULL past the end); its checkpoint is parsed into cp (when
 * not NULL) unless the entry is MALFORMED. */
const struct auditsig_entry *auditsig_check_entry(const struct auditsig_check *c, size_t i,
						  struct auditsig_checkpoint *cp);
/* Record the signature status of entry i (err: detail when not good). */
void auditsig_check_set_sig(struct auditsig_check *c, size_t i, enum regsig_status st,
			    const char *err);
/* Feed every chain record in seq order (after the signatures are set). */
void auditsig_check_row(struct auditsig_check *c, const struct audit_record *r);
/* After the last row: checkpoints past the end are NOT_IN_CHAIN.  Returns
 * the number of bad entries; anchored: highest seq of a good checkpoint
 * (0 none); after: records (checkpoint records not counted) after it. */
size_t auditsig_check_finish(struct auditsig_check *c, int64_t *anchored, int64_t *after);

#endif
