/*
 * store.h - the durable store of the daemon (SQLite, WAL, synchronous
 * FULL): held messages with their per-recipient decisions, the register of
 * what was shared on which basis, and the outbox of notices to send.
 *
 * Durable means fsynced: when store_hold_put() or store_share_put()
 * returns 0 the data survives a crash or power loss, and only then may the
 * milter answer the MTA.  Any failure returns -1 with a message, and the
 * caller applies On-InternalError (tempfail by default): a message whose
 * hold could not be stored is never accepted.
 *
 * Only the daemon writes the store; other processes read it (or, later,
 * ask the daemon over the control socket).  One struct store is one
 * connection: it is not shared between threads without the store's own
 * lock, which every function takes (calls are serialised; a hold is a
 * single transaction).  Several connections (processes) on one file wait
 * for each other (busy timeout), they never fail with "database locked"
 * under normal load.
 *
 * Opening checks the schema version and runs PRAGMA quick_check; a corrupt
 * or foreign database is an error at start, never a crash later.  Opening
 * never creates a store: a missing, empty (0 bytes) or schema-less file is
 * refused with what to do.  store_init() makes a new one (`grondslag store
 * init`): mode 0600 (its directory must exist), the schema and the first
 * audit record "init"; it never overwrites an existing file.  The schema
 * version lives in PRAGMA user_version and older versions are migrated
 * forward at open, step by step, each step one transaction.
 *
 * References: "G" + YYYYMMDD (UTC day of receipt) + "-" + 10 characters of
 * Crockford base32 (50 random bits from getrandom()), e.g.
 * "G20250314-7KQ2M9XH0T".
 *
 * States (store_hold_put() writes the first, store_hold_decide() moves
 * them with the rules of holdstate.h):
 *   holds.state            pending | partly-approved | releasing |
 *                          released | denied | expired
 *   hold_recipients.state  held | approved | releasing | released |
 *                          denied | expired
 *   outbox.state           queued | sent | failed
 *
 * Public functions:
 *   store_init()          a new store (refuses an existing file)
 *   store_open(), store_close()
 *   store_hold_put()      message + decisions (+ its notice), one
 *                         transaction, fsynced; a message in a file is
 *                         streamed into the database, never read whole
 *   store_share_put()     one record per delivered regulated recipient
 *   store_notice_put(), store_notice_put_at()   queue a notice
 *   store_notices_put()   several notices and their audit record, one
 *                         transaction
 *   store_notices_put_unless()  the same unless a record of its event is
 *                         there since a time (the jurists' daily digest)
 *   store_notice_next(), store_notice_claim(), store_notice_done(),
 *   store_notice_retry(),
 *   store_notice_failed(), store_notice_count(), store_notice_backoff()
 *   store_hold_get(), store_hold_record_free(), store_hold_message(),
 *   store_hold_message_checked(), store_hold_message_stamp(), store_sha256_hex(),
 *   store_release_tampered(),
 *   store_hold_count()
 *   store_ref_new(), store_ref_valid()
 *   store_fail_next(), store_fail_commits()   test hooks: make writes fail
 *   store_relay_set()     the name of the relay this connection acts for
 *   store_pool_grow()     a daemon's connections and their time limit
 *   store_lease_take()    a job run for the whole store by one relay at a
 *                         time (expiry, digest, checkpoints)
 *   store_migrate()       the admin's migration of a PostgreSQL store
 *   store_copy()          an SQLite store moved into PostgreSQL
 * The record and the jurists' decisions (store_audit.c, store_decide.c,
 * store_list.c; the schema is in milter/store/store.c):
 *   store_open_readonly() read-only, for the CLI (audit verify/export)
 *   store_audit_put()     one record of the chain, own transaction
 *   store_escrow_record() the record of a decryption with the escrow key
 *   store_audit_scan(), store_audit_scan_after(), store_audit_verify(),
 *   store_audit_head()
 *   store_audit_of_hold() the records of one hold (its history)
 *   store_hold_decide()   one event of the hold state machine, with its
 *                         approval row, audit record and notice, one
 *                         transaction
 *   store_holds_list(), store_hold_approvals()   for held / show
 *   store_holds_list_plan()   how the database runs a listing (tests,
 *                         an administrator checking the indexes)
 *   store_release_resolve()   an admin settles a stopped release
 *                         (store_resolve.c; "release-resolved")
 *   store_overview_read(), store_overview_free()   the admins' and
 *                         auditors' overview (store_overview.c)
 *   store_case_act(), store_case_get(), store_case_free()   case
 *                         handling: claim, handover, comment, advice
 *                         (store_case.c), each with its record
 * Reports and statistics read the store in bulk through store_report.h.
 * Every write also appends its audit record in the same transaction:
 * store_hold_put() "hold", store_share(s)_put() and shares in a hold
 * "share", store_hold_decide() the event (or "refused").
 */
#ifndef GRONDSLAG_STORE_H
#define GRONDSLAG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/store/audit.h"
#include "grondslag/decide/hold.h"
#include "grondslag/decide/holdstate.h"

/* The schema this code writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 8

/* "G" + 8 digits of date + "-" + 10 base32 characters, with the NUL. */
#define STORE_REF_MAX 32
/* Length of a reference: 1 + 8 + 1 + 10. */
#define STORE_REF_LEN 20
/* SHA-256 as lowercase hex, with the NUL. */
#define STORE_SHA256_HEX 65
/* A relay's name (store_relay_set()), with the NUL. */
#define STORE_RELAY_MAX 64

/* Outbox retry schedule: the first retry after STORE_NOTICE_BACKOFF_MIN
 * seconds, doubling up to STORE_NOTICE_BACKOFF_MAX; after
 * STORE_NOTICE_MAX_ATTEMPTS failed attempts the notice is kept as failed
 * (visible, never sent again). */
#define STORE_NOTICE_BACKOFF_MIN 60
#define STORE_NOTICE_BACKOFF_MAX 3600
#define STORE_NOTICE_MAX_ATTEMPTS 20




/* A notice to send (to the sender, or the jurists). */
struct store_notice {
	int64_t id;
	const char *kind;		/* "hold", "jurist", "release", "deny", "expiry", "digest" */
	const char *ref;		/* hold reference, may be "" */
	const char *to;			/* envelope recipient */
	const char *message;		/* the whole RFC 5322 text */
	unsigned attempts;
	time_t due;
	const char *last_error;		/* "" when none */
};

/* A stored hold as read back (store_hold_get()); every string is owned by
 * the record, never NULL except rcpts[i].party. */
struct store_hold_record {
	char ref[STORE_REF_MAX];
	char *queue_id, *sender, *subject;
	char *sender_auth;		/* SMTP AUTH login, "" when none */
	time_t received, stored;
	int32_t decided_on;
	unsigned categories;
	int tlp;
	char *summary_json, *findings_json, *registry_digest;
	char sha256[STORE_SHA256_HEX];	/* of the raw message */
	uint64_t size;
	char *state;
	struct store_hold_rcpt_record {
		char *recipient, *party, *reasons, *explanation, *state;
		char *relay_queue_id;	/* released: the relay's queue id; else NULL */
	} *rcpts;
	size_t nrcpts;
	char **delivered;
	size_t ndelivered;
	/* release (store_release.c): failed attempts so far, the last failure
	 * (NULL when none, cleared by a release), when the next is due */
	unsigned release_attempts;
	char *release_error;
	time_t release_due;
};

struct store;

/* Opens an existing store (migrating an older schema); NULL + err on
 * error, e.g. "Database /x/y.db: file is not a database", or a missing or
 * empty file (with what to do). */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Creates a new store at path: the file (0600, O_EXCL: an existing file
 * is refused, never overwritten), the schema, and the first audit record
 * "init" with details (canonical JSON, NULL: "{}").  0, or -1 + err and
 * nothing left behind. */
int store_init(const char *path, const char *details, char *err, size_t errlen);
void store_close(struct store *s);

/* Store a hold.  ref_out receives the reference.  0 = durable; 1 = the
 * message is a retry of the hold ref_out (retry_key): nothing new stored
 * but a "hold-retry" record with the retry's queue id; -1 error. */
int store_hold_put(struct store *s, const struct hold_record *h, char ref_out[STORE_REF_MAX],
		   char *err, size_t errlen);
int store_share_put(struct store *s, const struct hold_share *sh, char *err, size_t errlen);
/* n share records in one transaction (one fsync); n may be 0. */
int store_shares_put(struct store *s, const struct hold_share *sh, size_t n, char *err,
		     size_t errlen);

/* Outbox.  store_notice_put() queues a notice due now (time(NULL));
 * store_notice_put_at() one due at `due`. */
int store_notice_put(struct store *s, const char *kind, const char *ref, const char *to,
		     const char *message, char *err, size_t errlen);
int store_notice_put_at(struct store *s, const char *kind, const char *ref, const char *to,
			const char *message, time_t due, char *err, size_t errlen);
struct store_audit;
/* n notices (n may be 0) and one audit record (a: NULL for none), in
 * one transaction: all or nothing, due at now.  0 or -1. */
int store_notices_put(struct store *s, const struct hold_notice *items, size_t n,
		      const char *ref, const struct store_audit *a, time_t now, char *err,
		      size_t errlen);
/* The same, unless the record already holds an a->event record at or
 * after since (a job for the whole store, such as the jurists' daily
 * digest: whichever relay ran it last, the store says so, and the check
 * and the write are one transaction).  0 queued, 1 not (recorded
 * already), -1 error. */
int store_notices_put_unless(struct store *s, const struct hold_notice *items, size_t n,
			     const char *ref, const struct store_audit *a, time_t now,
			     time_t since, char *err, size_t errlen);
/* store_notice_next() returns 1 with the queued notice due first at now
 * (the strings stay valid until the next store_notice_next() on this
 * store: one notifier thread), 0 when none, -1 on error. */
int store_notice_next(struct store *s, time_t now, struct store_notice *out);
/* Before sending: the notice is claimed by moving its due time to
 * now + lease, so that if the outcome is never recorded (a full disk, a
 * crash) it is not due again before the lease ends: no tight resend loop.
 * Nothing is sent when the claim fails.  0, or -1 (not queued, or the
 * write failed). */
int store_notice_claim(struct store *s, int64_t id, time_t now, time_t lease);
/* Sent: kept as state sent (the record).  0 or -1. */
int store_notice_done(struct store *s, int64_t id);
/* Retry later with backoff (attempts counted; after the last, kept as
 * failed).  0 or -1. */
int store_notice_retry(struct store *s, int64_t id, time_t now, const char *why);
/* Permanent failure (5xx): kept as failed at once.  0 or -1. */
int store_notice_failed(struct store *s, int64_t id, time_t now, const char *why);
/* Seconds to wait after the attempts-th failed attempt (1, 2, ...). */
time_t store_notice_backoff(unsigned attempts);
/* Notices in a state ("queued", "sent", "failed"; NULL: all), -1 on error. */
int64_t store_notice_count(struct store *s, const char *state);

/* Read side (CLI, tests). */
int64_t store_hold_count(struct store *s);
/* Copy of the stored raw message of ref (malloc'ed) or NULL. */
char *store_hold_message(struct store *s, const char *ref, size_t *len);
/* The stored message of ref checked against the SHA-256 and size stored
 * with the hold (holds.sha256, holds.size) when it was made: what every
 * release and every content view reads.  0 and *msg (malloc'ed), 1 when
 * the message was changed since (why says how; *msg NULL), -1 when it
 * cannot be read. */
/* A stamp of the stored message of ref that changes whenever the message
 * or what it is checked against (holds.sha256, holds.size) may have
 * changed, without reading the message: its length, the hold's size and
 * on SQLite the connection's data_version (any commit of another
 * connection or process to the file changes it), on PostgreSQL both rows'
 * versions (xmin); last, after the last ':', the recorded SHA-256.  What
 * was checked by store_hold_message_checked() under one stamp stays
 * checked while the stamp is the same.  0 + out (STORE_HOLD_STAMP_MAX
 * bytes are enough), 1 no such message, -1. */
#define STORE_HOLD_STAMP_MAX 160
/* The SHA-256 of n bytes at m as hex, as holds.sha256 records it. */
void store_sha256_hex(const char *m, size_t n, char out[STORE_SHA256_HEX]);
int store_hold_message_stamp(struct store *s, const char *ref, char *out, size_t outlen);
int store_hold_message_checked(struct store *s, const char *ref, char **msg, size_t *len,
			       char *why, size_t whylen);
/* The hold ref with its recipients (malloc'ed), NULL when not found (err
 * "") or on error. */
struct store_hold_record *store_hold_get(struct store *s, const char *ref, char *err,
					 size_t errlen);
void store_hold_record_free(struct store_hold_record *r);

/* A new reference for a hold received at `when` (UTC day).  0 or -1 when
 * the kernel gives no random bytes. */
int store_ref_new(time_t when, char ref[STORE_REF_MAX]);
/* Is text exactly a well-formed reference? */
bool store_ref_valid(const char *text);

/* Test hook: the next write (hold, share, notice) fails as a disk would,
 * at commit time, after every row was written: nothing of it remains. */
void store_fail_next(struct store *s);
/* Test hook: the next n commits fail the same way; n < 0 every commit
 * until store_fail_commits(s, 0) (a disk that stays full). */
void store_fail_commits(struct store *s, int n);

/* ---- several relays on one store ---------------------------------------
 * A store in PostgreSQL is shared by several relays.  Each names itself
 * (RelayName): the release attempts it begins carry its name (the token's
 * row and the "release-started" record), and a restart settles only its
 * own attempts (the relay process and its receipt are on that host).
 * Jobs for the whole store take a lease first: one row per job in the
 * table leases (relay, expires), taken in a write transaction (serialised
 * with every other writer), so that one relay at a time expires holds,
 * writes the jurists' digest and the checkpoints.  A relay that stops
 * renewing (killed, cut off) loses the lease when it expires and another
 * relay takes it over.  On SQLite there is one relay; the lease is taken
 * the same way and always by it. */

/* At most this many connections per store (DatabaseConnections). */
#define STORE_POOL_MAX 64

/* A daemon's store: connections in all (1..STORE_POOL_MAX; the others
 * are opened now) and timeout, the seconds one statement or commit may
 * take (0: the driver's 60 s) before it fails, so that the milter answers
 * 451 itself instead of the MTA's milter timeout ending the session
 * (a commit waiting for a synchronous standby that is not there).  On
 * PostgreSQL each public function works on a free connection of the
 * store, so the milter's threads, the releaser and the control socket do
 * not wait for one another's round trips (writers stay serialised in the
 * database: the store's advisory lock); a connection the server broke is
 * made anew by its next use.  On SQLite (one writer per file) the store
 * keeps its one connection and the timeout does not apply.  Once, before
 * the store is shared between threads.  0, or -1 + err (a connection
 * refused: the daemon does not start). */
int store_pool_grow(struct store *s, unsigned connections, unsigned timeout, char *err,
		    size_t errlen);

/* The relay this store connection acts for: "" (the default) or a name of
 * at most STORE_RELAY_MAX - 1 printable characters.  0 or -1 (refused). */
int store_relay_set(struct store *s, const char *relay);
/* Take (or renew) the lease on job until now + ttl, now being the
 * caller's clock on SQLite (one host) and the database's on PostgreSQL
 * (the caller's is not used: relays whose clocks disagree must agree on
 * when a lease ran out): 1 taken, this relay holds it; 0 another relay
 * holds it (holder, when given, names it, as long as its lease runs); -1
 * error (err): the job is not run. */
int store_lease_take(struct store *s, const char *job, time_t now, unsigned ttl, char *holder,
		     size_t holderlen, char *err, size_t errlen);
/* Give up this relay's lease on job at once (a relay stopping), so that
 * another relay takes the job over at its next try, not when the term
 * ends; nothing when another relay holds it.  0 or -1 (err). */
int store_lease_give(struct store *s, const char *job, char *err, size_t errlen);

/* A PostgreSQL store of an older schema brought to STORE_SCHEMA_VERSION,
 * each step one transaction (the admin's role: the daemon's may not
 * change the schema; an SQLite store is migrated when the daemon opens
 * it).  *from: the version found.  0, or -1 + err. */
int store_migrate(const char *database, int64_t *from, char *err, size_t errlen);
/* A single relay's SQLite store (from, a file; migrated to this version
 * when older) copied whole into a new PostgreSQL store (to, an empty
 * database, as the owner's role): every table, the audit chain with its
 * records as they are, in one transaction; the chain must verify on the
 * file before and verifies on the new store after (else nothing stays
 * there).  *rows: the rows copied.  0, or -1 + err (store_copy.c). */
int store_copy(const char *from, const char *to, int64_t *rows, char *err, size_t errlen);

/* ---- the record and the decisions ------------------------------------- */

/* Who did something: a user known by SO_PEERCRED, or the daemon. */
struct store_actor {
	const char *user;		/* user name, "daemon" */
	long uid;			/* -1 for the daemon */
	const char *role;		/* jurist, admin, auditor, daemon, none */
	/* The delegate that spoke for user (a ControlConsoleUser's login:
	 * the web console), NULL when the person called in person; the
	 * chain records it in the details as "channel". */
	const char *channel;
};

/* One audit record to append. */
struct store_audit {
	const struct store_actor *actor;	/* NULL: the daemon */
	const char *event;
	const char *ref;		/* "" or NULL when none */
	const char *details;		/* canonical JSON (audit_details_finish),
					 * NULL: "{}" */
};

/* Open an existing store read-only (no create, no migration; the schema
 * must be this version; immutable when no -wal file exists, so the
 * reader leaves no -wal/-shm files behind).  NULL + err. */
struct store *store_open_readonly(const char *path, char *err, size_t errlen);
/* Append one record in its own transaction (fsynced).  0 or -1. */
int store_audit_put(struct store *s, const struct store_audit *a, char *err, size_t errlen);
/* The "decrypt" record: parts of a message were opened with the escrow
 * key fpr (store_escrow.c): by the daemon (actor NULL) scanning queue_id,
 * or for a person's view of the held message ref.  0 or -1. */
int store_escrow_record(struct store *s, const struct store_actor *actor, const char *ref,
			const char *queue_id, unsigned parts, const char *fpr, char *err,
			size_t errlen);
/* Call cb for every record with at >= since, in seq order; cb returns
 * non-zero to stop.  0, or -1 on a read error. */
int store_audit_scan(struct store *s, int64_t since,
		     int (*cb)(void *arg, const struct audit_record *r), void *arg);
/* The same from the record after seq `after` on (a page of a long read:
 * the control socket hands the chain over in pages). */
int store_audit_scan_after(struct store *s, int64_t after, int64_t since,
			   int (*cb)(void *arg, const struct audit_record *r), void *arg);
/* Call cb for every record of the hold ref in seq order: those with that
 * ref, and the list views (ref empty, event "view") since since that name
 * it in their details; cb returns non-zero to stop.  0, or -1 on a read
 * error. */
int store_audit_of_hold(struct store *s, const char *ref, int64_t since,
			int (*cb)(void *arg, const struct audit_record *r), void *arg);
/* The newest record: its seq (0 when the chain is empty), hash and event
 * (cut to eventlen).  0 or -1 + err.  The checkpointer asks it whether
 * the head moved since the last checkpoint. */
int store_audit_head(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX], char *event,
		     size_t eventlen, char *err, size_t errlen);
/* Verify the whole chain (one read transaction).  0 intact, 1 broken
 * (bad_seq and why), -1 read error (err). */
struct store_audit_check {
	int64_t records, bad_seq;
	char why[200];
	char head[AUDIT_HASH_HEX];	/* hash of the last good record */
};
int store_audit_verify(struct store *s, struct store_audit_check *out, char *err, size_t errlen);

/* One event on a hold (approve, deny, expire, release-*). */
struct store_decision {
	enum hold_event event;
	const struct store_actor *actor;	/* NULL: the daemon */
	const char *reason;		/* the jurist's words, required for
					 * approve and deny */
	const char *basis;		/* approve: the legal basis named */
	const char *const *jurist_mail;	/* approve: the jurist's addresses and
					 * SASL identities (senderid.h) */
	size_t njurist_mail;
	const char *delimiters;		/* RecipientDelimiter */
	const char *const *rcpts;	/* approve: NULL/0 = all still held;
					 * deny: NULL/0 = all not released,
					 * else exactly these */
	size_t nrcpts;
	bool only_held;			/* bulk: the named must still be held */
	unsigned required;		/* ReleaseApprovals */
	const char *relay_queue_id;	/* release-done: the relay's queue id */
	const char *encrypted_for;	/* release-started: the copy left encrypted
					 * for this party (relay encryption), */
	const char *key_fprs;		/* to these keys (fingerprints); NULL: plain */
	const char *relay;		/* release-started: the relay that begins
					 * it (NULL or "": not recorded) */
	const char *notice_kind;	/* optional notice, same transaction */
	const char *notice_to;
	const char *notice_message;
	/* optional, with notice_kind and notice_to (notice_message NULL):
	 * the notice's text made inside the transaction from the recipients
	 * the event really changed (malloc'ed; NULL: out of memory, the
	 * decision fails) */
	char *(*notice_make)(void *arg, const char *const *changed, size_t n);
	void *notice_arg;
	bool dry_run;			/* decide, answer, then roll back: nothing
					 * is written, not even the record */
	time_t now;			/* 0: time(NULL) */
};

struct store_decision_result {
	char state[32];			/* the hold's state afterwards */
	size_t changed;			/* recipients changed */
	size_t approved_now;		/* recipients that reached approval */
	char reason[256];		/* why it was refused */
	int64_t audit_seq;		/* the record written */
};

/* Apply d to hold ref: 0 applied, 1 refused by the state machine (reason;
 * a "refused" record is written), 2 no such hold, -1 error. */
int store_hold_decide(struct store *s, const char *ref, const struct store_decision *d,
		      struct store_decision_result *out, char *err, size_t errlen);

/* Filters of held and the bulk commands; NULL / 0 = any. */
struct store_hold_filter {
	time_t since;			/* received at or after */
	const char *party;		/* a held recipient's party */
	const char *sender;		/* substring of the sender, case-insensitive */
	const char *reason;		/* a reason code of a held recipient */
	bool all_states;		/* false: open holds only (not final) */
	bool urgent;			/* only holds whose sender asked for an
					 * urgent review */
	size_t limit;			/* 0: STORE_LIST_MAX */
	/* optional: only holds this says yes to, by envelope sender and
	 * SMTP AUTH identity ("" when none), before the page and the count
	 * are made (a Sender's listing) */
	bool (*sender_ok)(void *arg, const char *envelope, const char *auth);
	void *sender_arg;
	/* with sender_ok: the query's cheap pre-filter, so that the listing
	 * reads the Sender's holds only and sender_ok stays the exact test.
	 * Blank-separated, with a blank before and after each: the
	 * canonical addresses (senderid_address(), holds.sender_canonical)
	 * a hold without SMTP AUTH may have, and the SMTP AUTH identities a
	 * hold with one may have.  Every hold sender_ok says yes to must
	 * pass it (a hold stored without a canonical address always does). */
	const char *sender_canonicals, *sender_auths;
	size_t offset;			/* skip the first offset holds (a page) */
	bool urgent_first;		/* urgent requests first, the longest
					 * waiting first; else soonest expiry */
};
#define STORE_LIST_MAX 10000

/* One hold in a listing (strings owned by the listing). */
struct store_hold_summary {
	char ref[STORE_REF_MAX];
	char *queue_id, *sender, *subject, *state, *summary_json;
	time_t received;
	unsigned categories;
	int tlp;
	size_t nrcpts;
	char **rcpts, **rcpt_states, **parties, **reasons;	/* per recipient */
	unsigned *approvals;		/* distinct approvers per recipient */
	unsigned release_attempts;	/* failed release attempts so far */
	char *release_error;		/* the last failure; NULL when none */
	char *holder;			/* the jurist whose case it is; NULL none */
	time_t holder_since;
	unsigned advice_pending;	/* requests for advice not yet answered */
	char *advice_of;		/* the oldest pending one: asked of whom */
	time_t advice_since;		/* and since when */
	char *urgent_by;		/* the sender asking for an urgent review;
					 * NULL: not asked */
	time_t urgent_since;		/* when */
};
struct store_hold_list {
	struct store_hold_summary *holds;
	size_t n;
	bool truncated;			/* more match after these */
	size_t total;			/* how many match f, on every page */
	size_t urgent_total;		/* of them, with an urgent request */
};
/* The holds matching f, oldest first (soonest expiry first), from
 * f->offset on, at most f->limit of them; total counts them all, in the
 * same read transaction.  0 or -1. */
int store_holds_list(struct store *s, const struct store_hold_filter *f,
		     struct store_hold_list *out, char *err, size_t errlen);
void store_hold_list_free(struct store_hold_list *l);
/* The database's plan of the listing store_holds_list(s, f) makes (its
 * page of holds, without the recipients), with f's values bound: SQLite's
 * EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN lines, one a line,
 * into out (cut at outlen).  0 or -1 + err. */
int store_holds_list_plan(struct store *s, const struct store_hold_filter *f, char *out,
			  size_t outlen, char *err, size_t errlen);

/* Is party (an id, any case) the party of a stored hold recipient?  1
 * and its stored spelling in out, 0 no, -1 + err.  A party removed from
 * the registry still names the holds made while it was there. */
int store_party_held(struct store *s, const char *party, char *out, size_t outlen, char *err,
		     size_t errlen);

/* The approvals of a hold, for show: one per (recipient, jurist). */
struct store_approval {
	char *recipient, *jurist, *reason, *basis;
	time_t at;
};
int store_hold_approvals(struct store *s, const char *ref, struct store_approval **out,
			 size_t *n, char *err, size_t errlen);
void store_approvals_free(struct store_approval *a, size_t n);

/* The registry's roll-back mark: the newest "registry-load" record of
 * the chain (store_regmark.c, regserial.h).  1 found, 0 none, -1 + err. */
struct regserial_mark;
int store_registry_mark(struct store *s, struct regserial_mark *m, char *err, size_t errlen);

/* ---- case handling (store_case.c) --------------------------------------
 * Who works on a hold and who was asked for advice.  Each act is one
 * transaction: the case's row and the act's record in the chain (claim,
 * handover, comment, advice) together.  The checks of people (a Jurist
 * login, not oneself) and of the text are the caller's; the store checks
 * what depends on the case's state, under its write lock. */
enum store_case_kind {
	STORE_CASE_CLAIM,		/* the actor takes the case */
	STORE_CASE_HANDOVER,		/* the actor gives it to `to`, with a note */
	STORE_CASE_COMMENT,		/* words without a decision; answers the
					 * actor's pending requests for advice */
	STORE_CASE_ADVICE,		/* the actor asks `to` a question */
	STORE_CASE_URGENT,		/* the sender asks for an urgent review,
					 * with a justification; once per hold
					 * (the chain's "urgent" record is where
					 * it is kept), the jurists' notices
					 * queued with it */
};
struct store_case_act {
	enum store_case_kind kind;
	const struct store_actor *actor;
	const char *to;			/* handover, advice: a jurist's login */
	const char *text;		/* the note, comment or question */
	bool take_over;			/* claim: also from a colleague holding it */
	time_t now;			/* 0: time(NULL) */
	const struct hold_notice *notices;	/* queued in the same transaction */
	size_t nnotices;
};
/* Apply a to hold ref: 0 done, 1 not possible in the case's state (why:
 * a closed hold, a case held by a colleague, already the holder, the
 * same question pending), 2 no such hold, -1 error (why). */
int store_case_act(struct store *s, const char *ref, const struct store_case_act *a, char *why,
		   size_t whylen);
/* Where the case of a hold stands (strings owned by it). */
struct store_case_advice {
	char *asked_by, *asked_of;
	time_t asked_at;
};
struct store_case {
	char *holder;			/* NULL: nobody holds it */
	time_t since;
	struct store_case_advice *pending;	/* unanswered, oldest first */
	size_t npending;
	/* the sender's request for an urgent review (NULL: none) */
	char *urgent_by;		/* who asked */
	time_t urgent_at;
	char *urgent_details;		/* its record's details (JSON: "text") */
};
/* Read the case of ref into out (an empty case when none).  0 or -1. */
int store_case_get(struct store *s, const char *ref, struct store_case *out, char *err,
		   size_t errlen);
void store_case_free(struct store_case *c);

/* ---- the overview for admins and auditors (store_overview.c) ----------
 * Counts of the open holds, the oldest, those expiring within the warning
 * time, the releases that keep failing: references, times and the
 * relay's reply only (no Subject, no address list, no content). */
#define STORE_OVERVIEW_LIST 20
struct store_overview_hold {
	char ref[STORE_REF_MAX];
	time_t received;
	char *state;
	unsigned release_attempts;
	char *release_error;		/* NULL when none */
};
struct store_overview_list {
	struct store_overview_hold holds[STORE_OVERVIEW_LIST];
	size_t n;
};
struct store_overview {
	int64_t open, pending, partly_approved, releasing;
	int64_t expiring_soon;		/* awaiting a decision, expiring within warn */
	int64_t overdue;		/* past their expiry, the expiry run not yet */
	int64_t release_failing;	/* open, the last release attempt failed */
	struct store_overview_list oldest;	/* the oldest open hold (0 or 1) */
	struct store_overview_list expiring;	/* soonest expiry first */
	struct store_overview_list failing;	/* most attempts first */
};
/* The overview at now, HoldExpiry expiry and ExpiryWarning warn (both in
 * seconds).  0, or -1 + err. */
int store_overview_read(struct store *s, time_t now, time_t expiry, time_t warn,
			struct store_overview *out, char *err, size_t errlen);
void store_overview_free(struct store_overview *o);

/* ---- release that really delivers (store_release.c) -------------------
 * One row of release_tokens per attempt (schema version 3), a two-phase
 * record whose states are:
 *   issued       begun by the releaser (recipients approved -> releasing)
 *   used         the milter saw the copy with its valid token and let it
 *                pass (with the MTA's queue id): PENDING, not delivered -
 *                the MTA may still refuse it (a later milter, the MTA
 *                stopped, our milter died before the MTA had its reply)
 *   done         the relay's 250 for a copy the milter let pass: the one
 *                state that means "delivered" (release record, recipients
 *                released, the relay's queue id)
 *   refused      the milter refused the token (altered, expired...): the
 *                copy was handled as any message, the attempt retried
 *   void         the attempt failed (no 250): retried with a new token
 *   unconfirmed  the relay's 250 for a copy that never came back through
 *                the milter (a ReleaseRelay without the milter, a source
 *                address outside InternalHosts): delivered unchecked,
 *                raised to the admins, never retried
 *   unknown      the milter let the copy pass and the relay's reply is
 *                lost (the relay process killed after reading it): the
 *                MTA may have queued it, so it is never sent again; raised
 *                to the admins
 * A hold whose attempt is unconfirmed or unknown stays "releasing" with
 * its release_error set: not retried, not expired, listed by held. */
#define STORE_RELEASE_BACKOFF_MAX 3600

struct store_release_start {
	const char *ref, *nonce, *digest;
	const char *rcpts_canon;	/* release_rcpts_canon() of the approved
					 * recipients: must still be exactly them */
	const char *header;		/* the header value sent (kept for the
					 * record and the operator) */
	int64_t expires;
	time_t now;
	const char *encrypted_for;	/* relay encryption: the party and the */
	const char *key_fprs;		/* keys' fingerprints; NULL: plaintext */
};
/* 0 begun ("release-started" record), 1 not now (reason: refused by the
 * state machine, or the approved recipients changed), 2 no such hold,
 * -1 error. */
int store_release_begin(struct store *s, const struct store_release_start *b, char *reason,
			size_t reasonlen, char *err, size_t errlen);

/* A token row (strings owned by the row). */
struct store_release_token {
	char nonce[40], ref[STORE_REF_MAX];
	char relay[STORE_RELAY_MAX];	/* the relay that issued it ("" unknown) */
	char *rcpts, *digest, *header, *state, *mta_queue_id;
	int64_t expires;
};
/* 1 found, 0 not found, -1 error. */
int store_release_token_get(struct store *s, const char *nonce, struct store_release_token *out,
			    char *err, size_t errlen);
void store_release_token_clear(struct store_release_token *t);

/* The relay answered 250 (relay_queue_id) for nonce's copy.  When the
 * milter let the copy pass (token "used"): the release is complete, token
 * "done", "release" record with the queue id (relay_queue_id; NULL or "":
 * the MTA queue id the milter recorded), recipients released, the
 * sender's notice (optional) queued: 0.  When the copy never came back
 * through the milter (token still "issued"): token "unconfirmed", a
 * "release-unconfirmed" record, the hold's release_error says so, nothing
 * is retried: 3.  When the milter refused the token (the copy was held
 * again) or the attempt is over: 1, nothing changed.  -1 error. */
int store_release_done(struct store *s, const char *nonce, const char *relay_queue_id,
		       const char *notice_to, const char *notice_message, time_t now, char *err,
		       size_t errlen);
/* A failed attempt (no 250 from the relay): token "void", also when the
 * milter let the copy pass (the MTA refused it after our milter, or its
 * reply never came), "release-failed" record, recipients back to
 * approved, next attempt at now + store_release_backoff(attempts, base)
 * (*next_due).  0, 1 when the attempt is already over, -1. */
int store_release_fail(struct store *s, const char *nonce, const char *why, time_t now,
		       unsigned base, time_t *next_due, char *err, size_t errlen);
/* The relay's reply to a copy the milter let pass is lost: token
 * "unknown", a "release-unknown" record, the hold's release_error names
 * why; never retried.  0, 1 when the token is not "used", -1. */
int store_release_unknown(struct store *s, const char *nonce, const char *why, time_t now,
			  char *err, size_t errlen);
/* Seconds before attempt attempts + 1: base doubling, at most
 * STORE_RELEASE_BACKOFF_MAX. */
time_t store_release_backoff(unsigned attempts, unsigned base);

/* The stored message of ref does not match its digest (why): a
 * "tampered" record (what: "release"), the hold's release_error says
 * why, the next attempt not before STORE_RELEASE_BACKOFF_MAX seconds
 * (the admins restore the message or deny the hold).  0 or -1. */
int store_release_tampered(struct store *s, const char *ref, const char *why, time_t now,
			   char *err, size_t errlen);

/* The milter, for a message carrying a token whose mac checked: accept
 * it once.  The token must be "issued", for ref, with this digest and
 * these recipients, not expired at now; then it is marked "used" with
 * the MTA's queue id and a "release-accepted" record, in one
 * transaction.  Otherwise a "release-refused" record names why (unknown,
 * replayed, altered, expired), and an issued token becomes "refused" (its
 * copy goes on as any message; the releaser retries).  0 accepted, 1
 * refused, -1 error. */
/* The refusal (why) of a token whose attempt the releaser gave up: the
 * copy is our own, and the milter must not deliver it by any route. */
#define STORE_RELEASE_ABANDONED "the token's release attempt was abandoned"
struct store_release_use {
	const char *ref, *nonce, *digest, *rcpts_canon, *mta_queue_id;
	time_t now;
};
int store_release_use(struct store *s, const struct store_release_use *u, char *why,
		      size_t whylen, char *err, size_t errlen);
/* A token refused before the store was asked (malformed, bad mac):
 * one "release-refused" record; an issued token of that nonce becomes
 * "refused".  0 or -1. */
int store_release_refused(struct store *s, const char *ref, const char *nonce, const char *why,
			  const char *mta_queue_id, char *err, size_t errlen);

/* An admin settles a release the releaser left to the admins
 * (store_resolve.c): an attempt "unknown" or "unconfirmed", or approved
 * recipients released from another hold of the same message
 * ("duplicate").  delivered: the admin found the copy queued in the MTA's
 * log (the release completes, or the duplicates are released with the
 * other hold's queue id); !delivered (resend): the copy was not queued
 * (the attempt is void and due at once; never for a duplicate).  One
 * "release-resolved" record with the admin and the reason, in the
 * transaction of the change. */
struct store_release_resolution {
	const char *ref;
	bool delivered;
	const struct store_actor *actor;
	const char *reason;		/* required */
	/* delivered unknown/unconfirmed: the sender's release notice to
	 * notice_to about the recipients released (NULL: no notice) */
	char *(*notice_make)(void *arg, const char *const *rcpts, size_t n, const char *queue_id);
	void *notice_arg;
	const char *notice_to;
	time_t now;			/* 0: time(NULL) */
};
/* 0 resolved (out->state), 1 refused (out->reason: the hold is not
 * waiting for an admin, a duplicate to resend, ...; a "refused" record),
 * 2 no such hold, -1 error. */
int store_release_resolve(struct store *s, const struct store_release_resolution *in,
			  struct store_decision_result *out, char *err, size_t errlen);

/* Work lists (malloc'ed vectors of strings, store_strv_free()), at most
 * 100 each, only entries after "after" ("" or NULL: from the first): the
 * expiry and the releaser page through every expired or due hold with
 * them, so holds that cannot be loaded never keep later ones off the
 * list.  Tokens still issued or used (an attempt not finished: after a
 * restart) that this relay issued (store_relay_set(); on SQLite, for
 * tokens of no relay, and for tokens expired at now, every one: a relay
 * renamed or gone never leaves its attempts open), by creation; holds with approved recipients due for an
 * attempt, by receipt; open holds received at or before cutoff
 * (expired), by reference (which starts with the day received);
 * store_holds_expired() is the first page of those. */
int store_holds_expired(struct store *s, time_t cutoff, char ***refs, size_t *n, char *err,
			size_t errlen);
int store_release_open_after(struct store *s, time_t now, const char *after, char ***nonces,
			     size_t *n, char *err, size_t errlen);
int store_release_due_after(struct store *s, time_t now, const char *after, char ***refs,
			    size_t *n, char *err, size_t errlen);
int store_holds_expired_after(struct store *s, time_t cutoff, const char *after, char ***refs,
			      size_t *n, char *err, size_t errlen);
void store_strv_free(char **v, size_t n);

#endif
