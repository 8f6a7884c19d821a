/*
 * chain_check.h - the audit chain verified in the caller's own process
 * (chain_check.c), for "grondslag audit verify" and the integrity
 * statement of "grondslag report": the daemon never vouches for itself.
 */
#ifndef GRONDSLAG_CTL_CHAIN_CHECK_H
#define GRONDSLAG_CTL_CHAIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "grondslag/report/report.h"
#include "grondslag/store/audit.h"
#include "grondslag/store/auditsig.h"

#define AUDIT_MAX_KEYS 8
#define AUDIT_MAX_FILES 16	/* --checkpoints files: one per relay of a store */

/* Options of "grondslag audit" (the verify ones also for the report). */
struct audit_opts {
	const char *config, *database, *since, *format, *gnupg_home, *against;
	const char *socket;
	const char *checkpoints[AUDIT_MAX_FILES];	/* --checkpoints, in order */
	size_t ncheckpoints;
	const char *keys[AUDIT_MAX_KEYS];
	size_t nkeys;
	bool json;
};

/* What verify checks the checkpoints against, from options and config. */
struct verify_env {
	char file[AUDIT_MAX_FILES][4200];	/* the checkpoint files */
	size_t nfiles;
	bool file_named;		/* --checkpoints: each must exist */
	bool file_via_socket;		/* the daemon's file, through the socket */
	char home[4200];		/* GnuPG home with the public key(s) */
	const char *keys[AUDIT_MAX_KEYS + 1];
	size_t nkeys;
	/* the keys as gpg reports signers: 40 upper-case hex, no blanks */
	char key_buf[AUDIT_MAX_KEYS + 1][REGSIG_FPR_LEN + 1];
};

/* The first pass: the chain itself, the checkpoints recorded in it and
 * those of the files. */
struct verify_pass {
	struct audit_verify *chain;
	struct auditsig_check *cps;
	int64_t in_chain, in_file;
	/* per file: its checkpoints read (their lines are numbered on from
	 * the previous file's: entry file_line is global), whether absent */
	int64_t file_lines[AUDIT_MAX_FILES];
	bool file_absent[AUDIT_MAX_FILES];
	int64_t rows;			/* records read */
	char last_hash[AUDIT_HASH_HEX];	/* the newest record's, as stored */
	bool overflow;
};

/* The outcome of audit verify, for the two output forms. */
struct verify_result {
	bool chain_ok, file_missing, ok;
	bool none_with_key;	/* a key is given, records exist, no checkpoint */
	int64_t records, bad_seq, anchored, after;
	char why[200], head[AUDIT_HASH_HEX];
	size_t found, bad, expired;
};


/* Open the chain o names (the store file or the daemon's socket, as
 * ctl_chain_open()) and fill env from o and c; prints errors.  false on
 * failure. */
bool chain_check_open(const struct audit_opts *o, const struct config *c, struct verify_env *env,
		      struct ctl_chain *ch);
/* The two passes over the chain around the checkpoint files and the
 * signatures, into v.  0, or -1 (printed). */
int chain_check_run(const struct ctl_chain *ch, const struct verify_env *env,
		    struct verify_pass *p, struct verify_result *v);
/* Which file and line of it an entry's (global) file_line is: the file's
 * index, *line set; -1 when the entry has no line in a file. */
int chain_check_file_of(const struct verify_env *env, const struct verify_pass *p,
			int64_t file_line, int64_t *line);
/* The whole check for the report's statement: the chain of c (or
 * database, or through socket), its checkpoints (chain and file) and
 * their signatures by AuditSigningKey.  out is always filled; a chain
 * that could not be read is not verified (out->why says why). */
void chain_check_statement(const struct config *c, const char *database, const char *socket,
			   struct report_chain *out);

#endif
