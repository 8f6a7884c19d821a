/*
 * store.c - opening the store (see store.h): the file, its checks, the
 * schema and its migrations, transactions, references and the test hook.
 * Holds are in store_hold.c, shares and notices in store_outbox.c.
 *
 * Opening never creates a store: a missing file is an unmounted volume or
 * a restore gone wrong as often as a new installation, and a new empty
 * store there would silently lose every hold.  store_init() (the command
 * `grondslag store init`) is the only way a store comes into being.
 * Opening, in this order, so that a wrong file is refused before anything
 * is written to it:
 *   1. the file must exist and not be empty (0 bytes is what a failed copy
 *      or a truncation leaves; SQLite would take it for a new database);
 *   2. SQLite reads the header: a foreign file is "file is not a
 *      database"; application_id and user_version say whether it is ours
 *      (a database without our schema is refused) and whether its schema
 *      is newer than this code (refused);
 *   3. WAL, synchronous=FULL (every commit fsyncs the WAL), foreign keys,
 *      busy timeout;
 *   4. PRAGMA quick_check must answer "ok";
 *   5. migrations from user_version to STORE_SCHEMA_VERSION, each one
 *      transaction that also sets user_version.
 * store_init() creates the file with O_EXCL and mode 0600, fsynced, and
 * its directory fsynced (as OpenSMTPD's queue_fs.c does), so SQLite never
 * creates it with the umask; then the schema and the first record ("init")
 * of the audit chain; a half-made store is removed.
 * Limits: quick_check reads the whole file, so opening a store of some GB
 * takes seconds (once, at start).
 *
 * THE SCHEMA.  Only store/ knows it (tests/layout/layers.sh keeps SQLite
 * there): reports read it through store_report.c, which accepts every
 * version from 1 on, so a schema change is made here and there only.
 * Times are Unix seconds (UTC), NULL when not (yet) known.
 *
 * Version 1 (holds, the register of shares, the outbox):
 *   holds            one row per held message
 *     ref            "G20250314-7KQ2M9XH0T" (primary key)
 *     queue_id, sender, subject, received (MTA time), stored (our commit),
 *     decided_on (policy date, days since 1970), categories (bits),
 *     tlp, summary_json (counts, countries, parts; never addresses),
 *     findings_json (the full findings: shown only with show --content),
 *     registry_digest, sha256 + size (of the raw message),
 *     state          pending | partly-approved | releasing | released |
 *                    denied | expired (see holdstate.h)
 *     state_changed  time of the last change of state
 *   hold_messages    ref -> message (the raw bytes, BLOB)
 *   hold_recipients  id, ref, recipient ("<a@b>" as given to the MTA),
 *                    party (NULL unknown), reasons (codes, comma-sep),
 *                    explanation, state held | approved | releasing |
 *                    released | denied | expired
 *   hold_delivered   id, ref, recipient: delivered at once
 *   shares           the register of what was shared: shared_at, queue_id,
 *                    sender, recipient, party, bases, articles,
 *                    categories, tlp, public_addresses, countries
 *                    ("BE:3,NL:1"), simulated (0/1)
 *   outbox           notices: kind (hold, release, deny, expiry, digest),
 *                    ref, rcpt, message, created, due, attempts,
 *                    last_error, state queued | sent | failed, done_at
 * Version 2 (jurists' decisions and the audit record), added columns and
 * tables:
 *   holds.decided_at       time the hold reached a final state
 *                          (released, denied, expired); NULL while open
 *   holds.decided_by       user name of the actor of the final event:
 *                          the jurist for deny, "daemon" for release
 *                          done and expiry (approvers: hold_approvals)
 *   holds.decision_reason  the jurist's words of that decision
 *   hold_recipients.decided_at   time this recipient reached a final
 *                          state; NULL while open
 *   hold_recipients.approvals    distinct jurists who approved it
 *   hold_recipients.relay_queue_id  the relay's queue id of its release
 *   hold_approvals   one row per (recipient, jurist) approval:
 *                    id, ref, recipient_id (hold_recipients.id),
 *                    jurist (user name), at, reason, basis ("" none),
 *                    audit_seq (the audit record of the approval)
 *   audit            THE RECORD, append-only (triggers refuse UPDATE and
 *                    DELETE): seq (1, 2, ... no gaps), at, actor (user
 *                    name or "daemon"), uid (NULL for the daemon), role
 *                    (jurist, admin, auditor, daemon, none), event (hold,
 *                    share, view, approve, release-started, release,
 *                    release-failed, release-accepted, release-refused,
 *                    deny, expire, refused, registry-load, reload, start,
 *                    stop, checkpoint: details seq, hash, at, host, key,
 *                    sig, see auditsig.h),
 *                    ref ("" when none), details (canonical JSON object),
 *                    prev_hash, hash (SHA-256 hex; see audit.h).
 *                    Time to decision: holds.decided_at - holds.received;
 *                    outcome: holds.state / hold_recipients.state.
 * Version 3 (releases that really deliver), added columns and a table:
 *   holds.release_attempts  failed release attempts so far
 *   holds.release_due       earliest time of the next attempt (backoff)
 *   holds.release_error     the last failure, "" or NULL when none
 *   release_tokens   one row per release attempt (store_release.c):
 *                    nonce (32 hex, key), ref, rcpts (canonical list,
 *                    "\n"-joined), digest (release_digest), header (the
 *                    X-Grondslag-Release value sent), created, expires,
 *                    state issued | used (the milter accepted it) | done
 *                    (the release is recorded) | void (failed; never
 *                    accepted again) | refused | unconfirmed | unknown
 *                    (store.h says what each means), used_at,
 *                    mta_queue_id (the MTA's queue id seen by the
 *                    milter), relay_queue_id (from the relay's 250),
 *                    last_error.
 * Version 4 (a client's retry finds its hold), added columns:
 *   holds.retry_key    holdkey_compute()'s key of a retry after a 451
 *   holds.message_key  the message's key: a recipient released from one
 *                      hold is never released from another of the same
 * Version 5 (the sender as a person, senderid.h), added columns:
 *   holds.sender_auth       the SMTP AUTH identity, '' when none
 *   holds.sender_canonical  the canonical envelope sender ('' in holds
 *                           made before)
 * Version 6 (case handling: who works on a hold, and advice asked),
 * added tables (the acts themselves are records of the chain: claim,
 * handover, comment, advice; these tables only say where a case stands,
 * so the queue needs no walk through the chain):
 *   hold_cases       ref (key), holder (the jurist's login), since (the
 *                    claim or handover that made them the holder)
 *   hold_advice      id, ref, asked_by, asked_of (logins), asked_at,
 *                    answered_at (the comment of asked_of that answered
 *                    it; NULL while pending)
 * Version 7 (several relays on one store), an added column and a table:
 *   release_tokens.relay    the relay that issued the token ('' before)
 *   leases           job (key), relay, expires: the relay that runs a job
 *                    for the whole store until expires (store_lease.c)
 * Version 8 (a Sender's listing reads their holds only), an index:
 *   holds_sender_open  holds(sender_auth, sender_canonical) of the open
 *                    holds (a partial index: the listing asks for open
 *                    holds only), found by store_list.c's Sender query
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/base/conninfo.h"
#include "store_priv.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* Schema version 1.  The message is in its own table so that listing
 * holds or changing their state never rewrites a message. */
static const char schema_v1[] =
	"CREATE TABLE holds ("
	" ref TEXT PRIMARY KEY NOT NULL,"
	" queue_id TEXT NOT NULL, sender TEXT NOT NULL, subject TEXT NOT NULL,"
	" received INTEGER NOT NULL, stored INTEGER NOT NULL,"
	" decided_on INTEGER NOT NULL, categories INTEGER NOT NULL,"
	" tlp INTEGER NOT NULL, summary_json TEXT NOT NULL,"
	" findings_json TEXT NOT NULL, registry_digest TEXT NOT NULL,"
	" sha256 TEXT NOT NULL, size INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending',"
	"  'partly-approved','releasing','released','denied','expired')),"
	" state_changed INTEGER NOT NULL);"
	"CREATE INDEX holds_state ON holds(state, received);"
	"CREATE TABLE hold_messages ("
	" ref TEXT PRIMARY KEY NOT NULL REFERENCES holds(ref) ON DELETE CASCADE"
	"  DEFERRABLE INITIALLY DEFERRED,"
	" message BLOB NOT NULL);"
	"CREATE TABLE hold_recipients ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient TEXT NOT NULL, party TEXT, reasons TEXT NOT NULL,"
	" explanation TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held','approved',"
	"  'releasing','released','denied','expired')));"
	"CREATE INDEX hold_recipients_ref ON hold_recipients(ref);"
	"CREATE TABLE hold_delivered ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient TEXT NOT NULL);"
	"CREATE INDEX hold_delivered_ref ON hold_delivered(ref);"
	"CREATE TABLE shares ("
	" id INTEGER PRIMARY KEY, shared_at INTEGER NOT NULL,"
	" queue_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL,"
	" party TEXT, bases TEXT NOT NULL, articles TEXT NOT NULL,"
	" categories INTEGER NOT NULL, tlp INTEGER NOT NULL,"
	" public_addresses INTEGER NOT NULL, countries TEXT NOT NULL,"
	" simulated INTEGER NOT NULL CHECK (simulated IN (0, 1)));"
	"CREATE INDEX shares_time ON shares(shared_at);"
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL,"
	" rcpt TEXT NOT NULL, message TEXT NOT NULL, created INTEGER NOT NULL,"
	" due INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent',"
	"  'failed')),"
	" done_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, due);"
	"PRAGMA application_id = 1196576324;";	/* STORE_APPLICATION_ID */

/* Version 2: the jurists' decisions and the audit record. */
static const char schema_v2[] =
	"ALTER TABLE holds ADD COLUMN decided_at INTEGER;"
	"ALTER TABLE holds ADD COLUMN decided_by TEXT;"
	"ALTER TABLE holds ADD COLUMN decision_reason TEXT;"
	"ALTER TABLE hold_recipients ADD COLUMN decided_at INTEGER;"
	"ALTER TABLE hold_recipients ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE hold_recipients ADD COLUMN relay_queue_id TEXT;"
	"CREATE TABLE hold_approvals ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient_id INTEGER NOT NULL REFERENCES hold_recipients(id) ON DELETE CASCADE,"
	" jurist TEXT NOT NULL, at INTEGER NOT NULL, reason TEXT NOT NULL,"
	" basis TEXT NOT NULL, audit_seq INTEGER NOT NULL,"
	" UNIQUE (recipient_id, jurist));"
	"CREATE INDEX hold_approvals_ref ON hold_approvals(ref);"
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY NOT NULL, at INTEGER NOT NULL,"
	" actor TEXT NOT NULL, uid INTEGER, role TEXT NOT NULL,"
	" event TEXT NOT NULL, ref TEXT NOT NULL, details TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE INDEX audit_ref ON audit(ref);"
	/* reports select a period of holds by time */
	"CREATE INDEX holds_received ON holds(received);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;";

/* Version 3: releases that really deliver (tokens, attempts, backoff). */
static const char schema_v3[] =
	"ALTER TABLE holds ADD COLUMN release_attempts INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE holds ADD COLUMN release_due INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE holds ADD COLUMN release_error TEXT;"
	"CREATE TABLE release_tokens ("
	" nonce TEXT PRIMARY KEY NOT NULL, ref TEXT NOT NULL,"
	" rcpts TEXT NOT NULL, digest TEXT NOT NULL, header TEXT NOT NULL,"
	" created INTEGER NOT NULL, expires INTEGER NOT NULL, state TEXT NOT NULL,"
	" used_at INTEGER, mta_queue_id TEXT, relay_queue_id TEXT, last_error TEXT);"
	"CREATE INDEX release_tokens_state ON release_tokens(state);"
	"CREATE INDEX release_tokens_ref ON release_tokens(ref);";

/* Version 4: a client's retry of a held message finds its hold. */
static const char schema_v4[] =
	"ALTER TABLE holds ADD COLUMN retry_key TEXT;"
	"CREATE INDEX holds_retry_key ON holds(retry_key, received);"
	"ALTER TABLE holds ADD COLUMN message_key TEXT;"
	"CREATE INDEX holds_message_key ON holds(message_key);";

/* Version 5: the sender as a person (senderid.h): the SMTP AUTH identity
 * and the canonical envelope address recorded with each hold.  Older
 * holds keep '' in both: the self-approval check then canonicalises
 * their envelope sender when it runs, so nothing needs filling in. */
static const char schema_v5[] =
	"ALTER TABLE holds ADD COLUMN sender_auth TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE holds ADD COLUMN sender_canonical TEXT NOT NULL DEFAULT '';";

/* Version 6: case handling (store_case.c): the holder of a hold's case
 * and the requests for advice, kept beside the chain's records of them. */
static const char schema_v6[] =
	"CREATE TABLE hold_cases ("
	" ref TEXT PRIMARY KEY NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" holder TEXT NOT NULL, since INTEGER NOT NULL);"
	"CREATE TABLE hold_advice ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" asked_by TEXT NOT NULL, asked_of TEXT NOT NULL, asked_at INTEGER NOT NULL,"
	" answered_at INTEGER);"
	"CREATE INDEX hold_advice_ref ON hold_advice(ref, answered_at);";

/* Version 7: several relays on one store (store.h).  The same text on
 * both backends (INTEGER is PostgreSQL's 32 bits: BIGINT there, see
 * pg_migrations). */
#define SCHEMA_V7(INT64)                                                                \
	"ALTER TABLE release_tokens ADD COLUMN relay TEXT NOT NULL DEFAULT '';"          \
	"CREATE TABLE leases (job TEXT PRIMARY KEY NOT NULL, relay TEXT NOT NULL,"       \
	" expires " INT64 " NOT NULL);"
static const char schema_v7[] = SCHEMA_V7("INTEGER");

/* Version 8: the index of a Sender's listing (store_list.c): its two
 * branches look a hold up by (sender_auth '', sender_canonical) and by
 * sender_auth, among the open holds only, so the index holds no decided
 * hold (they only grow) and the listing never walks other people's rows.
 * The same text on both backends; the state list is the one the query
 * names, word for word (a planner uses a partial index only when the
 * query's WHERE implies the index's). */
static const char schema_v8[] =
	"CREATE INDEX holds_sender_open ON holds(sender_auth, sender_canonical)"
	" WHERE state IN ('pending','partly-approved','releasing');";

/* migrations[i] takes the schema from version i to i + 1.  The hook for
 * later versions: append a step and raise STORE_SCHEMA_VERSION. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
	schema_v6,
	schema_v7,
	schema_v8,
};

/* The PostgreSQL schema: the same tables, columns and meaning as the
 * SQLite one at STORE_SCHEMA_VERSION, in PostgreSQL's types (BIGINT for
 * SQLite's 64-bit INTEGER, BYTEA for BLOB, identity columns where SQLite
 * numbers a row itself; holds and hold_messages keep SQLite's implicit
 * rowid as a column of that name, which reports read).  A PostgreSQL store
 * is created at this version by "grondslag store init"; a later version
 * adds its step to pg_migrations.  The record is append-only here too: a
 * trigger refuses UPDATE, DELETE and TRUNCATE, and the daemon's role has
 * no right to drop it (docs/operations.md). */
static const char pg_schema[] =
	"CREATE TABLE grondslag_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);"
	"CREATE TABLE holds ("
	" rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,"
	" ref TEXT PRIMARY KEY NOT NULL,"
	" queue_id TEXT NOT NULL, sender TEXT NOT NULL, subject TEXT NOT NULL,"
	" received BIGINT NOT NULL, stored BIGINT NOT NULL,"
	" decided_on BIGINT NOT NULL, categories BIGINT NOT NULL,"
	" tlp BIGINT NOT NULL, summary_json TEXT NOT NULL,"
	" findings_json TEXT NOT NULL, registry_digest TEXT NOT NULL,"
	" sha256 TEXT NOT NULL, size BIGINT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending',"
	"  'partly-approved','releasing','released','denied','expired')),"
	" state_changed BIGINT NOT NULL,"
	" decided_at BIGINT, decided_by TEXT, decision_reason TEXT,"
	" release_attempts BIGINT NOT NULL DEFAULT 0,"
	" release_due BIGINT NOT NULL DEFAULT 0, release_error TEXT,"
	" retry_key TEXT, message_key TEXT,"
	" sender_auth TEXT NOT NULL DEFAULT '',"
	" sender_canonical TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX holds_state ON holds(state, received);"
	"CREATE INDEX holds_received ON holds(received);"
	"CREATE INDEX holds_retry_key ON holds(retry_key, received);"
	"CREATE INDEX holds_message_key ON holds(message_key);"
	"CREATE TABLE hold_messages ("
	" ref TEXT PRIMARY KEY NOT NULL REFERENCES holds(ref) ON DELETE CASCADE"
	"  DEFERRABLE INITIALLY DEFERRED,"
	" message BYTEA NOT NULL);"
	"CREATE TABLE hold_recipients ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient TEXT NOT NULL, party TEXT, reasons TEXT NOT NULL,"
	" explanation TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'held' CHECK (state IN ('held','approved',"
	"  'releasing','released','denied','expired')),"
	" decided_at BIGINT, approvals BIGINT NOT NULL DEFAULT 0,"
	" relay_queue_id TEXT);"
	"CREATE INDEX hold_recipients_ref ON hold_recipients(ref);"
	"CREATE TABLE hold_delivered ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient TEXT NOT NULL);"
	"CREATE INDEX hold_delivered_ref ON hold_delivered(ref);"
	"CREATE TABLE shares ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" shared_at BIGINT NOT NULL,"
	" queue_id TEXT NOT NULL, sender TEXT NOT NULL, recipient TEXT NOT NULL,"
	" party TEXT, bases TEXT NOT NULL, articles TEXT NOT NULL,"
	" categories BIGINT NOT NULL, tlp BIGINT NOT NULL,"
	" public_addresses BIGINT NOT NULL, countries TEXT NOT NULL,"
	" simulated BIGINT NOT NULL CHECK (simulated IN (0, 1)));"
	"CREATE INDEX shares_time ON shares(shared_at);"
	"CREATE TABLE outbox ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" kind TEXT NOT NULL, ref TEXT NOT NULL,"
	" rcpt TEXT NOT NULL, message TEXT NOT NULL, created BIGINT NOT NULL,"
	" due BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,"
	" last_error TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent',"
	"  'failed')),"
	" done_at BIGINT);"
	"CREATE INDEX outbox_due ON outbox(state, due);"
	"CREATE TABLE hold_approvals ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" recipient_id BIGINT NOT NULL REFERENCES hold_recipients(id) ON DELETE CASCADE,"
	" jurist TEXT NOT NULL, at BIGINT NOT NULL, reason TEXT NOT NULL,"
	" basis TEXT NOT NULL, audit_seq BIGINT NOT NULL,"
	" UNIQUE (recipient_id, jurist));"
	"CREATE INDEX hold_approvals_ref ON hold_approvals(ref);"
	"CREATE TABLE audit ("
	" seq BIGINT PRIMARY KEY NOT NULL, at BIGINT NOT NULL,"
	" actor TEXT NOT NULL, uid BIGINT, role TEXT NOT NULL,"
	" event TEXT NOT NULL, ref TEXT NOT NULL, details TEXT NOT NULL,"
	" prev_hash TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX audit_at ON audit(at);"
	"CREATE INDEX audit_ref ON audit(ref);"
	/* SQLite's instr(), which the store's searches use */
	"CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER"
	" LANGUAGE sql IMMUTABLE AS 'SELECT strpos(haystack, needle)';"
	"CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	" $$BEGIN RAISE EXCEPTION 'audit records are append-only'; END$$;"
	"CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
	" FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
	"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
	" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();"
	"CREATE TABLE release_tokens ("
	" nonce TEXT PRIMARY KEY NOT NULL, ref TEXT NOT NULL,"
	" rcpts TEXT NOT NULL, digest TEXT NOT NULL, header TEXT NOT NULL,"
	" created BIGINT NOT NULL, expires BIGINT NOT NULL, state TEXT NOT NULL,"
	" used_at BIGINT, mta_queue_id TEXT, relay_queue_id TEXT, last_error TEXT);"
	"CREATE INDEX release_tokens_state ON release_tokens(state);"
	"CREATE INDEX release_tokens_ref ON release_tokens(ref);";

/* Version 6 on PostgreSQL: the same tables in its types. */
static const char pg_schema_v6[] =
	"CREATE TABLE hold_cases ("
	" ref TEXT PRIMARY KEY NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" holder TEXT NOT NULL, since BIGINT NOT NULL);"
	"CREATE TABLE hold_advice ("
	" id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES holds(ref) ON DELETE CASCADE,"
	" asked_by TEXT NOT NULL, asked_of TEXT NOT NULL, asked_at BIGINT NOT NULL,"
	" answered_at BIGINT);"
	"CREATE INDEX hold_advice_ref ON hold_advice(ref, answered_at);";

/* The version pg_schema makes; pg_migrations take a PostgreSQL store from
 * it to STORE_SCHEMA_VERSION (pg_migrations[i]: from PG_SCHEMA_VERSION + i
 * to the next), run by the admin's `grondslag store migrate`; a new store
 * gets them at once. */
#define PG_SCHEMA_VERSION 5
static const char *const pg_migrations[STORE_SCHEMA_VERSION - PG_SCHEMA_VERSION] = {
	pg_schema_v6,
	SCHEMA_V7("BIGINT"),
	schema_v8,
};

void store_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void store_sqlerr(struct store *s, char *err, size_t errlen, const char *what)
{
	store_errf(err, errlen, "store: %s: %s", what, db_errmsg(s->db));
}

static int store_begin(struct store *s, char *err, size_t errlen)
{
	struct stat st;
	if (s->ino != 0 && (stat(s->path, &st) != 0 || st.st_dev != s->dev || st.st_ino != s->ino)) {
		store_errf(err, errlen,
			   "Database %s: the store file was removed or replaced while in use;"
			   " nothing is written (restore the store, then restart the daemon)",
			   s->path);
		return -1;
	}
	/* a connection lost since the last transaction (a restarted or
	 * failed-over server) is made anew once, before anything is written */
	if (db_begin_write(s->db) != DB_OK &&
	    (db_error_kind(s->db) != DB_ERR_RETRY || db_check_connection(s->db) != DB_OK ||
	     db_begin_write(s->db) != DB_OK)) {
		store_sqlerr(s, err, errlen, "begin");
		return -1;
	}
	return 0;
}

static void store_rollback(struct store *s)
{
	db_rollback(s->db);
}

/* The test hook: should this commit fail (the front's count)? */
static bool fail_this_commit(struct store *s)
{
	struct store *f = s->front;
	pthread_mutex_lock(&f->pool_lock);
	bool fail = f->fail_commits != 0;
	if (f->fail_commits > 0)
		f->fail_commits--;
	pthread_mutex_unlock(&f->pool_lock);
	return fail;
}

static int store_commit(struct store *s, char *err, size_t errlen)
{
	if (fail_this_commit(s)) {
		/* as a full disk would: every row written, then the commit fails */
		store_rollback(s);
		store_errf(err, errlen, "store: commit: injected failure (store_fail_next)");
		return -1;
	}
	if (db_commit(s->db) != DB_OK) {
		store_sqlerr(s, err, errlen, "commit");
		store_rollback(s);
		return -1;
	}
	return 0;
}

struct store *store_take(struct store *s)
{
	struct store *f = s->front;
	if (f->nmore == 0) {
		pthread_mutex_lock(&f->lock);
		return f;
	}
	pthread_mutex_lock(&f->pool_lock);
	for (;;) {
		if (pthread_mutex_trylock(&f->lock) == 0) {
			pthread_mutex_unlock(&f->pool_lock);
			return f;
		}
		for (size_t i = 0; i < f->nmore; i++)
			if (pthread_mutex_trylock(&f->more[i]->lock) == 0) {
				pthread_mutex_unlock(&f->pool_lock);
				return f->more[i];
			}
		/* every connection busy: the pool is bounded, wait for one */
		pthread_cond_wait(&f->pool_cond, &f->pool_lock);
	}
}

void store_give(struct store *c)
{
	struct store *f = c->front;
	if (pthread_mutex_unlock(&c->lock) != 0) {
		/* not this thread's connection: another's transaction would go
		 * on unguarded; nothing sound is left to do */
		fprintf(stderr, "store: a connection given back by a thread that does not"
				" hold it\n");
		abort();
	}
	if (f->nmore > 0) {
		/* under pool_lock: a taker between its tries and its wait
		 * cannot miss this */
		pthread_mutex_lock(&f->pool_lock);
		pthread_cond_signal(&f->pool_cond);
		pthread_mutex_unlock(&f->pool_lock);
	}
}

struct store *store_txn_begin(struct store *s, char *err, size_t errlen)
{
	/* writers are serialised by the database's lock anyway (db.h): of a
	 * pool's threads one at a time waits there, the others here, where
	 * handing over is cheap, holding no connection that a reader could
	 * use meanwhile */
	struct store *f = s->front;
	if (f->nmore > 0)
		pthread_mutex_lock(&f->write_lock);
	s = store_take(s);
	if (store_begin(s, err, errlen) != 0) {
		store_give(s);
		if (f->nmore > 0)
			pthread_mutex_unlock(&f->write_lock);
		return NULL;
	}
	return s;
}

int store_txn_end(struct store *s, int rc, bool commit, char *err, size_t errlen)
{
	struct store *f = s->front;
	if (commit && store_commit(s, err, errlen) != 0)
		rc = -1;
	else if (!commit)
		store_rollback(s);
	store_give(s);
	if (f->nmore > 0)
		pthread_mutex_unlock(&f->write_lock);
	return rc;
}

struct store *store_read_begin(struct store *s)
{
	s = store_take(s);
	if (db_begin_read(s->db) != DB_OK && db_error_kind(s->db) == DB_ERR_RETRY &&
	    db_check_connection(s->db) == DB_OK)
		db_begin_read(s->db);
	return s;
}

void store_read_end(struct store *s)
{
	if (db_in_transaction(s->db))
		db_commit(s->db);
	store_give(s);
}

struct db_stmt *store_prepare(struct store *s, const char *sql, char *err, size_t errlen)
{
	struct db_stmt *st = db_prepare(s->db, sql);
	if (st == NULL)
		store_sqlerr(s, err, errlen, "prepare");
	return st;
}

int store_bind_text(struct db_stmt *st, int col, const char *text)
{
	return db_bind_text(st, col, text ? text : "");
}

char *store_column_dup(struct db_stmt *st, int col)
{
	const char *t = db_column_text(st, col);
	return strdup(t ? t : "");
}

char *store_column_opt(struct db_stmt *st, int col)
{
	const char *t = db_column_text(st, col);
	return t != NULL && *t ? strdup(t) : NULL;
}

int store_query_int(struct db *db, const char *sql, int64_t *out)
{
	return db_query_int(db, sql, out);
}

int store_identity(struct db *db, int64_t *appid, int64_t *version, int64_t *tables)
{
	*appid = *version = *tables = 0;
	if (db_backend(db) == DB_SQLITE)
		return db_query_int(db, "PRAGMA application_id", appid) == DB_OK &&
				       db_query_int(db, "PRAGMA user_version", version) == DB_OK &&
				       db_query_int(db, "SELECT count(*) FROM sqlite_master", tables) ==
					       DB_OK
			       ? DB_OK
			       : DB_ERROR;
	if (db_query_int(db,
			 "SELECT count(*) FROM information_schema.tables"
			 " WHERE table_schema = current_schema()",
			 tables) != DB_OK)
		return DB_ERROR;
	if (!db_has_column(db, "grondslag_meta", "value"))
		return DB_OK;
	int rc = db_query_int(db, "SELECT value FROM grondslag_meta WHERE key = 'application_id'",
			      appid);
	if (rc == DB_OK)
		rc = db_query_int(db, "SELECT value FROM grondslag_meta WHERE key = 'schema_version'",
				  version);
	return rc == DB_ERROR ? DB_ERROR : DB_OK;
}

/* Fsync the directory holding path, so a new file's name is durable. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

/* The directory part of path, "." or "/" when it has none. */
static void dir_of(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, dirlen, ".");
	else if (slash == path)
		snprintf(dir, dirlen, "/");
	else
		snprintf(dir, dirlen, "%.*s", (int)(slash - path), path);
}

/* store_init(): create the file (0600) in an existing directory; an
 * existing file, whatever it holds, is never touched. */
static int create_file(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	dir_of(path, dir, sizeof dir);
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		store_errf(err, errlen, "Database %s: directory %s does not exist", path, dir);
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			store_errf(err, errlen,
				   "Database %s: exists; refusing to overwrite it (a store is"
				   " made once: remove or move the old file first if you really"
				   " want a new, empty store)", path);
		else
			store_errf(err, errlen, "Database %s: cannot create: %s", path,
				   strerror(errno));
		return -1;
	}
	/* the umask may only take bits away; say exactly what we mean */
	int rc = fchmod(fd, 0600) == 0 && fsync(fd) == 0 ? 0 : -1;
	int saved = errno;
	close(fd);
	if (rc == 0 && sync_dir(dir) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		unlink(path);
		store_errf(err, errlen, "Database %s: cannot create: %s", path, strerror(saved));
	}
	return rc;
}

/* Step 1 of opening: the file is there and is not empty. */
static int check_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			char dir[4096];
			dir_of(path, dir, sizeof dir);
			struct stat d;
			if (stat(dir, &d) != 0 || !S_ISDIR(d.st_mode))
				store_errf(err, errlen,
					   "Database %s: directory %s does not exist (is its volume"
					   " mounted?)", path, dir);
			else
				store_errf(err, errlen,
					   "Database %s: does not exist; if its volume is mounted"
					   " and this is a new installation, create it with"
					   " \"grondslag store init -c CONFIG\", else restore it from"
					   " a backup (holds are never silently started afresh)",
					   path);
		} else {
			store_errf(err, errlen, "Database %s: %s", path, strerror(errno));
		}
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		store_errf(err, errlen, "Database %s: not a regular file", path);
		return -1;
	}
	if (st.st_size == 0) {
		store_errf(err, errlen,
			   "Database %s: is empty (0 bytes), not a grondslag store (a truncated"
			   " file or a failed copy or restore?); restore it from a backup; only"
			   " for a new installation remove it and run \"grondslag store init -c"
			   " CONFIG\"", path);
		return -1;
	}
	return 0;
}

/* Step 2: is it a database, ours, and not newer than us? */
static int check_identity(struct store *s, int64_t *version, char *err, size_t errlen)
{
	int64_t appid = 0, tables = 0;
	bool pg = db_backend(s->db) == DB_POSTGRES;
	if (store_identity(s->db, &appid, version, &tables) != DB_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, db_errmsg(s->db));
		return -1;
	}
	if (appid != 0 && appid != STORE_APPLICATION_ID) {
		store_errf(err, errlen,
			   "Database %s: not a grondslag database (application_id 0x%08llx)",
			   s->path, (unsigned long long)appid);
		return -1;
	}
	if (*version == 0 && tables == 0) {
		store_errf(err, errlen,
			   pg ? "Database %s: no grondslag store in this database (no tables);"
				" create it with \"grondslag store init -c CONFIG\" as the"
				" database's owner (docs/operations.md)"
			      : "Database %s: not a grondslag store (an SQLite database without"
				" our schema); restore the store from a backup, or for a new"
				" installation remove it and run \"grondslag store init -c CONFIG\"",
			   s->path);
		return -1;
	}
	if (*version == 0 && tables > 0) {
		store_errf(err, errlen,
			   "Database %s: not a grondslag database (no schema version, %lld table%s)",
			   s->path, (long long)tables, tables == 1 ? "" : "s");
		return -1;
	}
	if (*version > STORE_SCHEMA_VERSION) {
		store_errf(err, errlen, "Database %s: schema version %lld is newer than this grondslag (%d)",
			   s->path, (long long)*version, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (*version < 0) {
		store_errf(err, errlen, "Database %s: invalid schema version %lld", s->path,
			   (long long)*version);
		return -1;
	}
	return 0;
}

/* Steps 3 and 4 on SQLite: durable settings, then the integrity check
 * (its first line that is not "ok" is reported). */
static int configure_sqlite(struct store *s, char *err, size_t errlen)
{
	struct db_stmt *st = db_prepare(s->db, "PRAGMA journal_mode=WAL");
	bool wal = false;
	if (st != NULL && db_step(st) == DB_ROW) {
		const char *mode = db_column_text(st, 0);
		wal = mode != NULL && strcmp(mode, "wal") == 0;
	}
	db_finalize(st);
	if (!wal) {
		store_errf(err, errlen, "Database %s: cannot use WAL journal mode: %s", s->path,
			   db_errmsg(s->db));
		return -1;
	}
	if (db_exec(s->db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			   "PRAGMA journal_size_limit=67108864;") != DB_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, db_errmsg(s->db));
		return -1;
	}
	char first[256] = "";
	st = db_prepare(s->db, "PRAGMA quick_check");
	int rc = st != NULL ? DB_ROW : DB_ERROR;
	while (st != NULL && (rc = db_step(st)) == DB_ROW) {
		const char *line = db_column_text(st, 0);
		if (line != NULL && strcmp(line, "ok") != 0 && first[0] == '\0') {
			/* one line for the log: SQLite's report has a line per page */
			snprintf(first, sizeof first, "%s", line);
			for (char *p = first; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20)
					*p = ' ';
		}
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		store_errf(err, errlen, "Database %s: %s", s->path, db_errmsg(s->db));
		return -1;
	}
	if (first[0] != '\0') {
		store_errf(err, errlen, "Database %s: quick_check failed: %.200s", s->path, first);
		return -1;
	}
	return 0;
}

static int configure(struct store *s, char *err, size_t errlen)
{
	/* PostgreSQL: the driver sets each session up (db_pg.c: durable
	 * commits); the server checks its own pages */
	return db_backend(s->db) == DB_POSTGRES ? 0 : configure_sqlite(s, err, errlen);
}

/* The record "store-migrated" of a store taken from version to - 1 to
 * to, by the user running it, in the current transaction. */
static int migrated_record(struct store *s, int64_t to, char *err, size_t errlen)
{
	char name[64], details[96];
	struct store_actor who = store_admin_actor(name, sizeof name);
	snprintf(details, sizeof details, "{\"from\":%lld,\"to\":%lld}", (long long)(to - 1),
		 (long long)to);
	struct store_audit a = {.actor = &who, .event = "store-migrated", .ref = "",
				.details = details};
	return store_audit_append(s, &a, 0, NULL, err, errlen);
}

/* One migration step to version `to`: its DDL and the version row in one
 * transaction; record: of an existing store, whose step's record goes in
 * the same transaction (never a schema changed without its record, nor a
 * record of a change that did not happen, whichever step fails). */
static int migrate_step(struct store *s, int64_t to, const char *step, bool record, char *err,
			size_t errlen)
{
	char sql[128];
	if (db_backend(s->db) == DB_POSTGRES)
		snprintf(sql, sizeof sql, "UPDATE grondslag_meta SET value = %lld"
			 " WHERE key = 'schema_version'", (long long)to);
	else
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)to);
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = 0;
	if (db_exec(s->db, step) != DB_OK || db_exec(s->db, sql) != DB_OK) {
		store_errf(err, errlen, "Database %s: migration to schema version %lld: %s",
			   s->path, (long long)to, db_errmsg(s->db));
		rc = -1;
	}
	if (rc == 0 && record)
		rc = migrated_record(s, to, err, errlen);
	/* the test hook (store_fail_commits) cannot be armed yet: the store
	 * is not open before its migrations are done */
	return store_txn_end(s, rc, rc == 0, err, errlen);
}

/* Step 5 on SQLite: run the migrations from version up, one transaction
 * each.  An existing store (version > 0; 0 is a new file, whose record
 * is "init") records its upgrade as PostgreSQL's "store migrate" does. */
static int migrate(struct store *s, int64_t version, char *err, size_t errlen)
{
	for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++)
		if (migrate_step(s, v + 1, migrations[v], version > 0, err, errlen) != 0)
			return -1;
	return 0;
}

/* PostgreSQL: pg_migrations from version up, one transaction each with
 * its schema_version, and its record when record (an existing store: a
 * new one's record is "init"). */
static int pg_migrate(struct store *s, int64_t version, bool record, char *err, size_t errlen)
{
	for (int64_t v = version < PG_SCHEMA_VERSION ? PG_SCHEMA_VERSION : version;
	     v < STORE_SCHEMA_VERSION; v++)
		if (migrate_step(s, v + 1, pg_migrations[v - PG_SCHEMA_VERSION], record, err,
				 errlen) != 0)
			return -1;
	return 0;
}

/* On PostgreSQL the schema is made in one transaction (its DDL is
 * transactional: all of it or nothing), with the identity rows. */
static int create_pg_schema(struct store *s, char *err, size_t errlen)
{
	char meta[160];
	snprintf(meta, sizeof meta,
		 "INSERT INTO grondslag_meta(key, value) VALUES ('application_id', %d),"
		 " ('schema_version', %d)",
		 STORE_APPLICATION_ID, PG_SCHEMA_VERSION);
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = 0;
	if (db_exec(s->db, pg_schema) != DB_OK || db_exec(s->db, meta) != DB_OK) {
		store_errf(err, errlen, "Database %s: creating the schema: %s", s->path,
			   db_errmsg(s->db));
		rc = -1;
	}
	rc = store_txn_end(s, rc, rc == 0, err, errlen);
	return rc == 0 ? pg_migrate(s, PG_SCHEMA_VERSION, false, err, errlen) : -1;
}

/* A connection's lock: error-checking, so that giving back a connection
 * this thread does not hold (a function that gives back another than it
 * took) is caught at once (store_give()), not a writer's transaction
 * ended under it. */
static void conn_lock_init(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
}

/* The locks of a new store, its own front. */
static void store_struct_init(struct store *s)
{
	s->front = s;
	conn_lock_init(&s->lock);
	pthread_mutex_init(&s->pool_lock, NULL);
	pthread_cond_init(&s->pool_cond, NULL);
	pthread_mutex_init(&s->write_lock, NULL);
}

/* A connection to database (a file that exists, or a conninfo), not yet
 * checked. */
static struct store *connect_db(const char *database, enum db_mode mode, char *err,
				size_t errlen)
{
	/* s->path names the store in every message: never with a password */
	char shown[1024];
	conninfo_redact(database, shown, sizeof shown);
	struct store *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = strdup(db_is_conninfo(database) ? shown : database)) == NULL) {
		free(s);
		store_errf(err, errlen, "Database %s: out of memory", shown);
		return NULL;
	}
	store_struct_init(s);
	s->readonly = mode == DB_READONLY;
	if (mode == DB_READWRITE && db_is_conninfo(database) &&
	    (s->conninfo = strdup(database)) == NULL) {
		store_errf(err, errlen, "Database %s: out of memory", shown);
		store_close(s);
		return NULL;
	}
	char why[512];
	if ((s->db = db_open(database, mode, why, sizeof why)) == NULL) {
		store_errf(err, errlen, "Database %s: %s", s->path, why);
		store_close(s);
		return NULL;
	}
	return s;
}

/* A file whose store was moved to PostgreSQL (store_copy()) never takes
 * holds again: the daemon must be pointed at the new store.  0 not moved,
 * -1 + err. */
static int moved(struct store *s, char *err, size_t errlen)
{
	if (!db_has_column(s->db, STORE_MOVED_TABLE, "moved_at"))
		return 0;
	int64_t at = 0;
	(void)db_query_int(s->db, "SELECT moved_at FROM " STORE_MOVED_TABLE, &at);
	char day[32] = "?";
	time_t t = (time_t)at;
	struct tm tm;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	store_errf(err, errlen, "Database %s: this store was moved to PostgreSQL on %s;"
		   " Database must name the new store", s->path, day);
	return -1;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return NULL;
	}
	bool pg = db_is_conninfo(path);
	if (!pg && check_file(path, err, errlen) != 0)
		return NULL;
	struct store *s = connect_db(path, DB_READWRITE, err, errlen);
	if (s == NULL)
		return NULL;
	int64_t version = 0;
	if (check_identity(s, &version, err, errlen) != 0 || (!pg && moved(s, err, errlen) != 0) ||
	    configure(s, err, errlen) != 0) {
		store_close(s);
		return NULL;
	}
	if (pg && version != STORE_SCHEMA_VERSION) {
		/* the daemon's role may not change the schema: migrating is the
		 * admin's command */
		store_errf(err, errlen,
			   "Database %s: schema version %lld, want %d (run \"grondslag store"
			   " migrate\" as the database's owner, then contrib/postgresql-grants.sql)", s->path, (long long)version,
			   STORE_SCHEMA_VERSION);
		store_close(s);
		return NULL;
	}
	if (!pg && migrate(s, version, err, errlen) != 0) {
		store_close(s);
		return NULL;
	}
	/* the file SQLite opened (it holds it open, whatever happens to the
	 * name): every write transaction checks the name still leads there */
	struct stat st;
	if (!pg && stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	return s;
}

/* store_init() on PostgreSQL: the database exists (made by its
 * administrator) and holds no table yet; the schema, then the first
 * record.  A schema made without its first record is dropped again. */
struct store *store_pg_make(const char *conninfo, char *err, size_t errlen)
{
	struct store *s = connect_db(conninfo, DB_READWRITE, err, errlen);
	if (s == NULL)
		return NULL;
	int64_t appid = 0, version = 0, tables = 0;
	int rc = -1;
	if (store_identity(s->db, &appid, &version, &tables) != DB_OK)
		store_errf(err, errlen, "Database %s: %s", s->path, db_errmsg(s->db));
	else if (tables > 0)
		store_errf(err, errlen,
			   "Database %s: has %lld table%s already; refusing to make a store"
			   " there (a store is made once, in an empty database)", s->path,
			   (long long)tables, tables == 1 ? "" : "s");
	else if (configure(s, err, errlen) == 0 && create_pg_schema(s, err, errlen) == 0)
		rc = 0;
	if (rc != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

void store_pg_unmake(struct store *s)
{
	db_rollback(s->db);
	db_exec(s->db, "DROP TABLE IF EXISTS grondslag_meta, holds, hold_messages,"
		       " hold_recipients, hold_delivered, shares, outbox,"
		       " hold_approvals, audit, release_tokens, hold_cases, hold_advice,"
		       " leases CASCADE;"
		       " DROP FUNCTION audit_append_only(); DROP FUNCTION instr(TEXT, TEXT)");
}

static int init_pg(const char *conninfo, const char *details, char *err, size_t errlen)
{
	struct store *s = store_pg_make(conninfo, err, errlen);
	if (s == NULL)
		return -1;
	struct store_audit a = {.event = "init", .ref = "", .details = details};
	int rc = store_audit_put(s, &a, err, errlen);
	if (rc != 0)
		store_pg_unmake(s);
	store_close(s);
	return rc;
}

int store_migrate(const char *database, int64_t *from, char *err, size_t errlen)
{
	*from = 0;
	if (database == NULL || !db_is_conninfo(database)) {
		/* SQLite: opening migrates (the daemon's user owns the file) */
		struct store *s = store_open(database, err, errlen);
		store_close(s);
		*from = STORE_SCHEMA_VERSION;
		return s != NULL ? 0 : -1;
	}
	struct store *s = connect_db(database, DB_READWRITE, err, errlen);
	if (s == NULL)
		return -1;
	int rc = check_identity(s, from, err, errlen) == 0 && configure(s, err, errlen) == 0 &&
			 pg_migrate(s, *from, true, err, errlen) == 0
		 ? 0
		 : -1;
	store_close(s);
	return rc;
}

int store_init(const char *path, const char *details, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return -1;
	}
	if (db_is_conninfo(path))
		return init_pg(path, details, err, errlen);
	if (create_file(path, err, errlen) != 0)
		return -1;
	struct store *s = connect_db(path, DB_READWRITE, err, errlen);
	int rc = s != NULL && configure(s, err, errlen) == 0 && migrate(s, 0, err, errlen) == 0
			 ? 0
			 : -1;
	if (rc == 0) {
		struct store_audit a = {.event = "init", .ref = "", .details = details};
		rc = store_audit_put(s, &a, err, errlen);
	}
	store_close(s);
	if (rc != 0) {
		/* nothing half-made stays behind to be taken for a store */
		static const char *const suffix[] = {"", "-wal", "-shm"};
		char p[4200];
		for (size_t i = 0; i < 3; i++) {
			snprintf(p, sizeof p, "%s%s", path, suffix[i]);
			unlink(p);
		}
	}
	return rc;
}

/* "file:" URI of path with immutable=1, percent-encoded where a URI
 * would read something else. */
static void immutable_uri(const char *path, char *uri, size_t size)
{
	size_t n = (size_t)snprintf(uri, size, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < size; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p <= ' ' || *p >= 0x7f)
			n += (size_t)snprintf(uri + n, size - n, "%%%02X", *p);
		else
			uri[n++] = (char)*p;
	}
	snprintf(uri + n, size - n, "?immutable=1");
}

/* Open path read-only.  With a -wal file (the daemon, or a crashed one,
 * has the store open) SQLite's read-only WAL reading applies.  Without
 * one nobody writes the store now, and it is opened immutable: a plain
 * read-only open of a WAL store would leave new -wal and -shm files
 * behind, owned by whoever ran the command, which the daemon (another
 * user) then cannot open.  A conninfo is a read-only session. */
static struct db *connect_readonly(const char *path, char *why, size_t whylen)
{
	char wal[4200], uri[12800];
	struct stat st;
	if (db_is_conninfo(path))
		return db_open(path, DB_READONLY, why, whylen);
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (strlen(path) < 4096 && stat(wal, &st) != 0 && errno == ENOENT) {
		immutable_uri(path, uri, sizeof uri);
		return db_open_sqlite_uri(uri, DB_READONLY, why, whylen);
	}
	return db_open(path, DB_READONLY, why, whylen);
}

struct store *store_new_readonly(const char *path, char *why, size_t whylen)
{
	char shown[1024];
	conninfo_redact(path, shown, sizeof shown);
	struct store *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = strdup(shown)) == NULL) {
		free(s);
		store_errf(why, whylen, "out of memory");
		return NULL;
	}
	store_struct_init(s);
	s->readonly = true;
	if ((s->db = connect_readonly(path, why, whylen)) == NULL) {
		store_close(s);
		return NULL;
	}
	return s;
}

struct store *store_open_readonly(const char *path, char *err, size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return NULL;
	}
	if (!db_is_conninfo(path) && check_file(path, err, errlen) != 0)
		return NULL;
	char why[512];
	struct store *s = store_new_readonly(path, why, sizeof why);
	if (s == NULL) {
		char shown[1024];
		conninfo_redact(path, shown, sizeof shown);
		store_errf(err, errlen, "Database %s: %s", shown, why);
		return NULL;
	}
	int64_t version = 0;
	if (check_identity(s, &version, err, errlen) != 0) {
		store_close(s);
		return NULL;
	}
	if (version != STORE_SCHEMA_VERSION) {
		store_errf(err, errlen,
			   "Database %s: schema version %lld, want %d (start grondslag-milter once"
			   " to migrate it)", s->path, (long long)version, STORE_SCHEMA_VERSION);
		store_close(s);
		return NULL;
	}
	return s;
}

void store_notice_strings_free(struct store *s)
{
	free(s->n_kind);
	free(s->n_ref);
	free(s->n_to);
	free(s->n_message);
	free(s->n_last_error);
	s->n_kind = s->n_ref = s->n_to = s->n_message = s->n_last_error = NULL;
}

/* One more connection of the store f (store_pool_grow()); NULL + err. */
static struct store *pool_member(struct store *f, unsigned timeout, char *err, size_t errlen)
{
	struct store *m = calloc(1, sizeof *m);
	char why[512];
	if (m == NULL) {
		store_errf(err, errlen, "Database %s: out of memory", f->path);
		return NULL;
	}
	if ((m->db = db_open(f->conninfo, DB_READWRITE, why, sizeof why)) == NULL) {
		store_errf(err, errlen, "Database %s: %s", f->path, why);
		free(m);
		return NULL;
	}
	if (db_set_timeout(m->db, timeout) != DB_OK) {
		store_errf(err, errlen, "Database %s: %s", f->path, db_errmsg(m->db));
		db_close(m->db);
		free(m);
		return NULL;
	}
	m->front = f;
	conn_lock_init(&m->lock);
	m->readonly = f->readonly;
	m->path = f->path;
	memcpy(m->relay, f->relay, sizeof m->relay);
	return m;
}

int store_pool_grow(struct store *s, unsigned connections, unsigned timeout, char *err,
		    size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (s == NULL || s->front != s || s->pool_set || connections == 0 ||
	    connections > STORE_POOL_MAX) {
		store_errf(err, errlen, "store: invalid pool (1..%d connections, once)",
			   STORE_POOL_MAX);
		return -1;
	}
	s->pool_set = true;
	if (db_set_timeout(s->db, timeout) != DB_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, db_errmsg(s->db));
		return -1;
	}
	/* SQLite: one file, one writer at a time, one connection as before */
	if (s->conninfo == NULL || connections == 1)
		return 0;
	struct store **more = calloc(connections - 1, sizeof *more);
	if (more == NULL) {
		store_errf(err, errlen, "Database %s: out of memory", s->path);
		return -1;
	}
	for (unsigned i = 0; i + 1 < connections; i++)
		if ((more[i] = pool_member(s, timeout, err, errlen)) == NULL) {
			for (unsigned k = 0; k < i; k++)
				store_close(more[k]);
			free(more);
			return -1;
		}
	pthread_mutex_lock(&s->pool_lock);
	s->more = more;
	s->nmore = connections - 1;
	pthread_mutex_unlock(&s->pool_lock);
	return 0;
}

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	db_close(s->db);
	pthread_mutex_destroy(&s->lock);
	if (s->front != s) {
		/* a pool's connection: the rest is its front's */
		free(s);
		return;
	}
	for (size_t i = 0; i < s->nmore; i++)
		store_close(s->more[i]);
	free(s->more);
	pthread_mutex_destroy(&s->pool_lock);
	pthread_cond_destroy(&s->pool_cond);
	pthread_mutex_destroy(&s->write_lock);
	store_notice_strings_free(s);
	free(s->conninfo);
	free(s->path);
	free(s->rf_party);
	free(s->rf_sender);
	free(s->rf_basis);
	free(s);
}

void store_fail_next(struct store *s)
{
	store_fail_commits(s, 1);
}

void store_fail_commits(struct store *s, int n)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->front->pool_lock);
	s->front->fail_commits = n;
	pthread_mutex_unlock(&s->front->pool_lock);
}

int store_ref_new(time_t when, char ref[STORE_REF_MAX])
{
	unsigned char rnd[10];
	size_t got = 0;
	while (got < sizeof rnd) {
		ssize_t n = getrandom(rnd + got, sizeof rnd - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	struct tm tm;
	if (gmtime_r(&when, &tm) == NULL || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(ref, STORE_REF_MAX, "G%04d%02d%02d-", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
	/* 256 is a multiple of 32: the low five bits of a byte are uniform */
	for (size_t i = 0; i < sizeof rnd; i++)
		ref[10 + i] = crockford[rnd[i] & 31];
	ref[STORE_REF_LEN] = '\0';
	return 0;
}

bool store_ref_valid(const char *text)
{
	if (text == NULL || strlen(text) != STORE_REF_LEN || text[0] != 'G' || text[9] != '-')
		return false;
	for (int i = 1; i < 9; i++)
		if (text[i] < '0' || text[i] > '9')
			return false;
	for (int i = 10; i < STORE_REF_LEN; i++)
		if (strchr(crockford, text[i]) == NULL)
			return false;
	return true;
}

/* Thin wrapper so callers of the read side need no SQL. */
int64_t store_hold_count(struct store *s)
{
	if (s == NULL)
		return -1;
	int64_t n = -1;
	s = store_take(s);
	if (store_query_int(s->db, "SELECT count(*) FROM holds", &n) != DB_OK)
		n = -1;
	store_give(s);
	return n;
}
