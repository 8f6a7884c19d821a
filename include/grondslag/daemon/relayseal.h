/*
 * relayseal.h - relay encryption for one message in the milter (seal.h
 * does the work): whether this message is encrypted at all, the key
 * check the policy asks for (options.seal), and after the decision the
 * edits that turn the copy into PGP/MIME for its one party.  No
 * libmilter here: callbacks.c carries the edits out.
 *
 * Public functions:
 *   relayseal_begin()     on for this message? (RelayEncrypt, plaintext);
 *                         the header edits (members edits, subjects)
 *   relayseal_options()   the policy's key check for this message
 *   relayseal_plan()      after the decision: nothing, or the rest of
 *                         the plan (content_type, body, party)
 *   relayseal_end()       free the plan
 *   relayseal_release()   the releaser's hook (releaser.h): a held copy
 *                         released later leaves encrypted the same way
 * Limits: RELAYSEAL_PARTIES_MAX parties' key checks remembered per
 * message (more: checked again), RELAYSEAL_EDITS_MAX header fields
 * deleted, names under RELAYSEAL_NAME_MAX bytes (more, or no header/body
 * separator: the message is unsealable, and its recipients whose basis
 * requires encryption are held as unsealable).
 */
#ifndef GRONDSLAG_RELAYSEAL_H
#define GRONDSLAG_RELAYSEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/daemon/snapshot.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/seal.h"

#define RELAYSEAL_PARTIES_MAX 16
#define RELAYSEAL_EDITS_MAX 256
#define RELAYSEAL_NAME_MAX 128

struct relayseal_edit {
	char name[RELAYSEAL_NAME_MAX];
	int index;		/* 1-based among fields of that name */
};

struct relayseal {
	bool on;		/* RelayEncrypt and plaintext from an internal sender */
	bool relay_encrypts;	/* RelayEncrypt yes (no: every check says no key) */
	bool unsealable;	/* the edits cannot describe it: held as unsealable */
	const char *tmpdir;
	struct seal_cache *keys;	/* the snapshot's key checks (sealcache.h) */
	const char *placeholder;
	struct {
		const struct registry_party *party;
		bool usable;
	} memo[RELAYSEAL_PARTIES_MAX];
	size_t nmemo;
	bool failed;		/* a GPGME error while checking keys */
	char error[256];
	/* the plan */
	const struct registry_party *party;
	struct relayseal_edit edits[RELAYSEAL_EDITS_MAX];
	size_t nedits;
	bool edits_over;
	int subjects;
	char content_type[256];
	char fprs[SEAL_FPRS_MAX];	/* the keys it is encrypted to (seal.h) */
	unsigned char *body;
	size_t bodylen;
};

/* Start for one outbound message data[0..len) under snapshot s, with
 * its scan's findings f (may be NULL): anything readable found in it
 * means it is encrypted even when its top level is. */
void relayseal_begin(struct relayseal *rs, const struct snapshot *s, const char *data,
		     size_t len, const struct findings *f);
/* Fill o's key check when rs is on. */
void relayseal_options(struct relayseal *rs, struct policy_options *o);
/* After gate_decide: 0 nothing to encrypt, 1 the edits are ready, -1 +
 * err (a GPGME error, delivered recipients of more than one party, or a
 * message the edits cannot describe): the caller tempfails. */
int relayseal_plan(struct relayseal *rs, const struct gate_result *g, const char *data,
		   size_t len, char *err, size_t errlen);
void relayseal_end(struct relayseal *rs);

/* The releaser's seal hook; arg: the daemon's struct snapshot_slot (the
 * current registry and config decide).  The recipients' encryption
 * groups (seal_group()) must agree: a copy for one party, or none.  A
 * copy already encrypted leaves as it is only when both the milter's
 * verdict recorded in the hold's summary ("seal":"as-is") and a scan
 * under the current snapshot say so; otherwise it is encrypted to the
 * party's keys. */
int relayseal_release(void *arg, const char *const *rcpts, size_t n, const char *summary,
		      const char *msg, size_t len, char **out, size_t *outlen, char *sealed_for,
		      size_t sflen, char *fprs, size_t fprslen, char *err, size_t errlen);

#endif
