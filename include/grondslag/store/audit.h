/*
 * audit.h - the record: a tamper-evident chain of every decision and
 * access, the pure part.  The store writes one row per event in
 * table audit (see milter/store/store.c), in the transaction of the state
 * change it describes; this module defines what is hashed, builds the
 * canonical details, and verifies a chain read back in seq order.
 *
 * A record: seq (1, 2, 3, ... without gaps), at (Unix time), actor (user
 * name, or "daemon"), uid (-1 for the daemon), role (jurist, admin,
 * auditor, daemon, none), event (hold, share, view, approve, release,
 * release-failed, deny, expire, refused, registry-load, reload, start,
 * stop, checkpoint: a signed checkpoint, see auditsig.h), ref (hold reference or ""), details (canonical JSON object),
 * prev_hash and hash (SHA-256, lowercase hex).
 *
 *   canonical = {"actor":..,"at":..,"details":<details as stored>,
 *                "event":..,"ref":..,"role":..,"seq":..,"uid":..|null}
 *   hash      = SHA-256(prev_hash "\n" canonical)
 * with keys sorted, no blanks, strings escaped as below; the first
 * record's prev_hash is 64 zeros.  Canonical strings escape '"', '\\' and
 * bytes below 0x20 and 0x7f (\uXXXX); invalid UTF-8 bytes become '?'
 * (details are built from cleaned strings, so the stored text is already
 * canonical).
 *
 * Verification names the FIRST broken record: a seq gap (a record
 * deleted), a prev_hash that is not the previous record's hash (reordered,
 * or an earlier record replaced), or a hash that does not match the
 * content (altered).  Limit: deleting the newest records, or rewriting the
 * whole chain after a point and re-hashing it, is not visible in the chain
 * itself; it is found against the signed checkpoints (auditsig.h:
 * AuditSigningKey), and only up to the newest checkpoint that survives
 * outside the database (AuditCheckpointFile, syslog).
 *
 * Public functions:
 *   audit_details_new(), audit_details_str(), audit_details_int(),
 *   audit_details_finish()           canonical details JSON
 *   audit_canonical(), audit_hash()  what is hashed
 *   audit_verify_new(), audit_verify_row(), audit_verify_result(),
 *   audit_verify_free()              chain check, row by row
 */
#ifndef GRONDSLAG_AUDIT_H
#define GRONDSLAG_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_HASH_HEX 65	/* 64 hex digits and the NUL */
#define AUDIT_DETAILS_MAX_KEYS 32
#define AUDIT_VALUE_MAX 2000	/* bytes of one details string value */

/* One record as stored (every string non-NULL). */
struct audit_record {
	int64_t seq;
	int64_t at;
	const char *actor;
	int64_t uid;		/* -1: none */
	const char *role;
	const char *event;
	const char *ref;
	const char *details;
	const char *prev_hash;
	const char *hash;
};

/* Canonical details: keys sorted at finish, values cleaned and cut to
 * AUDIT_VALUE_MAX bytes. */
struct audit_details;
struct audit_details *audit_details_new(void);
void audit_details_str(struct audit_details *d, const char *key, const char *value);
void audit_details_int(struct audit_details *d, const char *key, int64_t value);
/* The JSON object text (malloc'ed); frees d.  NULL out of memory. */
char *audit_details_finish(struct audit_details *d);

/* Canonical details text (as audit_details_finish() made it) with one
 * more string member key = value, at its sorted place (audit_with.c);
 * a key already there is kept as it is.  malloc'ed; NULL when out of
 * memory or details is not such a text. */
char *audit_details_with(const char *details, const char *key, const char *value);

/* The canonical text of r (malloc'ed, r->prev_hash and r->hash unused). */
char *audit_canonical(const struct audit_record *r);
/* hash = SHA-256(prev "\n" canonical(r)).  0, or -1 out of memory. */
int audit_hash(const struct audit_record *r, const char *prev_hash, char out[AUDIT_HASH_HEX]);

struct audit_verify;
struct audit_verify *audit_verify_new(void);
/* Feed the next row in seq order: 0 good so far, -1 the chain is broken
 * (at this row or before; later rows are ignored). */
int audit_verify_row(struct audit_verify *v, const struct audit_record *r);
/* true when every row fed was good.  records: rows fed; bad_seq and why
 * describe the first broken record (0 and "" when none); head: the last
 * good hash. */
bool audit_verify_result(const struct audit_verify *v, int64_t *records, int64_t *bad_seq,
			 const char **why, const char **head);
void audit_verify_free(struct audit_verify *v);

#endif
