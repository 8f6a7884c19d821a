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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_priv.h"

#define STORE_BUSY_TIMEOUT_MS 10000

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

/* migrations[i] takes the schema from version i to i + 1.  The hook for
 * later versions: append a step and raise STORE_SCHEMA_VERSION. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4,
	schema_v5,
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
	store_errf(err, errlen, "store: %s: %s", what, sqlite3_errmsg(s->db));
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
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(s, err, errlen, "begin");
		return -1;
	}
	return 0;
}

static void store_rollback(struct store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int store_commit(struct store *s, char *err, size_t errlen)
{
	if (s->fail_commits != 0) {
		/* as a full disk would: every row written, then the commit fails */
		if (s->fail_commits > 0)
			s->fail_commits--;
		store_rollback(s);
		store_errf(err, errlen, "store: commit: injected failure (store_fail_next)");
		return -1;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(s, err, errlen, "commit");
		store_rollback(s);
		return -1;
	}
	return 0;
}

int store_txn_begin(struct store *s, char *err, size_t errlen)
{
	pthread_mutex_lock(&s->lock);
	if (store_begin(s, err, errlen) != 0) {
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	return 0;
}

int store_txn_end(struct store *s, int rc, bool commit, char *err, size_t errlen)
{
	if (commit && store_commit(s, err, errlen) != 0)
		rc = -1;
	else if (!commit)
		store_rollback(s);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void store_read_begin(struct store *s)
{
	pthread_mutex_lock(&s->lock);
	sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL);
}

void store_read_end(struct store *s)
{
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
}

sqlite3_stmt *store_prepare(struct store *s, const char *sql, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_sqlerr(s, err, errlen, "prepare");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int store_bind_text(sqlite3_stmt *st, int col, const char *text)
{
	return sqlite3_bind_text(st, col, text ? text : "", -1, SQLITE_STATIC);
}

char *store_column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return strdup(t ? (const char *)t : "");
}

char *store_column_opt(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t != NULL && *t ? strdup((const char *)t) : NULL;
}

int store_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc;
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
	if (store_query_int(s->db, "PRAGMA application_id", &appid) != SQLITE_OK ||
	    store_query_int(s->db, "PRAGMA user_version", version) != SQLITE_OK ||
	    store_query_int(s->db, "SELECT count(*) FROM sqlite_master", &tables) != SQLITE_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, sqlite3_errmsg(s->db));
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
			   "Database %s: not a grondslag store (an SQLite database without"
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

/* Callback of quick_check: keep the first line that is not "ok". */
static int quick_check_row(void *arg, int ncols, char **vals, char **names)
{
	(void)names;
	char *first = arg;
	if (ncols > 0 && vals[0] != NULL && strcmp(vals[0], "ok") != 0 && first[0] == '\0') {
		/* one line for the log: SQLite's report has a line per page */
		snprintf(first, 256, "%s", vals[0]);
		for (char *p = first; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
	}
	return 0;
}

/* Steps 3 and 4: durable settings, then the integrity check. */
static int configure(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	bool wal = false;
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *mode = sqlite3_column_text(st, 0);
		wal = mode != NULL && strcmp((const char *)mode, "wal") == 0;
	}
	sqlite3_finalize(st);
	if (!wal) {
		store_errf(err, errlen, "Database %s: cannot use WAL journal mode: %s", s->path,
			   sqlite3_errmsg(s->db));
		return -1;
	}
	if (sqlite3_exec(s->db,
			 "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 "PRAGMA journal_size_limit=67108864;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	char first[256] = "";
	if (sqlite3_exec(s->db, "PRAGMA quick_check", quick_check_row, first, NULL) != SQLITE_OK) {
		store_errf(err, errlen, "Database %s: %s", s->path, sqlite3_errmsg(s->db));
		return -1;
	}
	if (first[0] != '\0') {
		store_errf(err, errlen, "Database %s: quick_check failed: %.200s", s->path, first);
		return -1;
	}
	return 0;
}

/* Step 5: run the migrations from version up, one transaction each. */
static int migrate(struct store *s, int64_t version, char *err, size_t errlen)
{
	for (int64_t v = version; v < STORE_SCHEMA_VERSION; v++) {
		char sql[64];
		snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", (long long)(v + 1));
		if (store_txn_begin(s, err, errlen) != 0)
			return -1;
		int rc = 0;
		if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			store_errf(err, errlen, "Database %s: migration to schema version %lld: %s",
				   s->path, (long long)(v + 1), sqlite3_errmsg(s->db));
			rc = -1;
		}
		/* the test hook (store_fail_commits) cannot be armed yet: the
		 * store is not open before its migrations are done */
		if (store_txn_end(s, rc, rc == 0, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* A connection to path (which exists), not yet checked. */
static struct store *connect_db(const char *path, char *err, size_t errlen)
{
	struct store *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		store_errf(err, errlen, "Database %s: out of memory", path);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		store_errf(err, errlen, "Database %s: %s", path,
			   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		store_close(s);
		return NULL;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	return s;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return NULL;
	}
	if (check_file(path, err, errlen) != 0)
		return NULL;
	struct store *s = connect_db(path, err, errlen);
	if (s == NULL)
		return NULL;
	int64_t version = 0;
	if (check_identity(s, &version, err, errlen) != 0 || configure(s, err, errlen) != 0 ||
	    migrate(s, version, err, errlen) != 0) {
		store_close(s);
		return NULL;
	}
	/* the file SQLite opened (it holds it open, whatever happens to the
	 * name): every write transaction checks the name still leads there */
	struct stat st;
	if (stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	return s;
}

int store_init(const char *path, const char *details, char *err, size_t errlen)
{
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return -1;
	}
	if (create_file(path, err, errlen) != 0)
		return -1;
	struct store *s = connect_db(path, err, errlen);
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
 * user) then cannot open. */
static int connect_readonly(const char *path, sqlite3 **db)
{
	char wal[4200], uri[12800];
	struct stat st;
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (strlen(path) < 4096 && stat(wal, &st) != 0 && errno == ENOENT) {
		immutable_uri(path, uri, sizeof uri);
		return sqlite3_open_v2(uri, db, flags | SQLITE_OPEN_URI, NULL);
	}
	return sqlite3_open_v2(path, db, flags, NULL);
}

struct store *store_new_readonly(const char *path, char *why, size_t whylen)
{
	struct store *s = calloc(1, sizeof *s);
	if (s == NULL || (s->path = strdup(path)) == NULL) {
		free(s);
		store_errf(why, whylen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->readonly = true;
	int rc = connect_readonly(path, &s->db);
	if (rc != SQLITE_OK) {
		store_errf(why, whylen, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		store_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	return s;
}

struct store *store_open_readonly(const char *path, char *err, size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (path == NULL || path[0] == '\0') {
		store_errf(err, errlen, "Database: no path given");
		return NULL;
	}
	if (check_file(path, err, errlen) != 0)
		return NULL;
	char why[512];
	struct store *s = store_new_readonly(path, why, sizeof why);
	if (s == NULL) {
		store_errf(err, errlen, "Database %s: %s", path, why);
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
			   " to migrate it)", path, (long long)version, STORE_SCHEMA_VERSION);
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

void store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->db != NULL)
		sqlite3_close_v2(s->db);	/* the last connection checkpoints */
	store_notice_strings_free(s);
	pthread_mutex_destroy(&s->lock);
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
	pthread_mutex_lock(&s->lock);
	s->fail_commits = n;
	pthread_mutex_unlock(&s->lock);
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
	pthread_mutex_lock(&s->lock);
	if (store_query_int(s->db, "SELECT count(*) FROM holds", &n) != SQLITE_OK)
		n = -1;
	pthread_mutex_unlock(&s->lock);
	return n;
}
