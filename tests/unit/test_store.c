/*
 * test_store.c - the durable store: open/create/reopen, the schema
 * version, refusing foreign, newer, corrupt and truncated files, holds from
 * memory and streamed from a file (bytes and SHA-256 read back), shares,
 * the outbox and its backoff schedule with an injected clock, the failure
 * hook (nothing half-written), writers in 4 threads, and a writer killed
 * with SIGKILL right after store_hold_put() returned (WAL recovery).
 */
#include "testutil.h"
#include "fixture_dir.h"
#include "fixture_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grondslag/base/limits.h"
#include "grondslag/store/db.h"
#include "grondslag/store/store.h"
#include "grondslag/store/store_report.h"


/* path of name inside the test directory (static buffer per call site) */
static const char *in_dir(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("store");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* SHA-256 hex of a buffer (GLib, as the store uses). */
static void sha256_hex(const void *data, size_t len, char out[STORE_SHA256_HEX])
{
	GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(cs, data, (gssize)len);
	snprintf(out, STORE_SHA256_HEX, "%s", g_checksum_get_string(cs));
	g_checksum_free(cs);
}

/* Count rows with plain SQL, beside the store (fixture_store.h). */
static long long rows(const char *path, const char *sql)
{
	return fixture_rows(path, sql);
}

/* Run SQL on a database beside the store (to make foreign databases). */
static void exec_sql(const char *path, const char *sql)
{
	fixture_exec(path, sql);
}

/* The store "name" on this run's backend (fixture_store.h). */
static const char *store_db(char *buf, size_t size, const char *name)
{
	return fixture_database(buf, size, dir, name);
}

static const struct hold_rcpt two_rcpts[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis,no-transfer-mechanism",
	 "No basis of party cisa permits provider-traceable data on 2025-03-14."},
	{"<ops@unknown.example>", NULL, "unknown-party", "The recipient is not in the registry."},
};
static const char *const delivered[] = {"<cert@cert.be>", "<team@cert.at>", "<a@ncsc.nl>"};

/* A hold with the usual fields, message from memory. */
static struct hold_record sample_hold(const char *data, size_t len)
{
	struct hold_record h = {
		.queue_id = "4XyZ1a2b3c",
		.sender = "<analyst@ncsc.nl>",
		.subject = "COATHANGER per country",
		.received = 1741953600,	/* 2025-03-14 12:00 UTC */
		.decided_on = 20161,
		.categories = 5,
		.tlp = 3,
		.summary_json = "{\"public\":3,\"countries\":{\"US\":3}}",
		.findings_json = "{\"addresses\":[\"8.8.8.8\"]}",
		.registry_digest = "ab12",
		.data = data,
		.len = len,
		.fd = -1,
		.rcpts = two_rcpts,
		.nrcpts = 2,
		.delivered = delivered,
		.ndelivered = 3,
	};
	return h;
}

static struct store *open_ok(const char *path)
{
	char err[512];
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store_open(%s): got NULL (%s), want a store", path, err);
	return s;
}

static void test_open_create(void **state)
{
	(void)state;
	char path[512];
	in_dir(path, sizeof path, "new.db");
	mode_t old = umask(0);	/* the store must not depend on the umask */
	struct store *s = open_ok(path);
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_eq_msg("mode", st.st_mode & 0777, 0600);
	assert_int_eq_msg("user_version", rows(path, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_int_eq_msg("application_id", rows(path, "PRAGMA application_id"), 0x47524e44);
	assert_int_eq_msg("holds", store_hold_count(s), 0);
	store_close(s);
	/* reopen: same schema, nothing migrated twice */
	s = open_ok(path);
	assert_int_eq_msg("holds after reopen", store_hold_count(s), 0);
	store_close(s);
	assert_int_eq_msg("tables", rows(path, "SELECT count(*) FROM sqlite_master WHERE type='table'"), 12);
	/* a store of schema 5 (before case handling, several relays and the
	 * Sender's index) gains their tables, column and index on open */
	exec_sql(path, "DROP TABLE hold_advice; DROP TABLE hold_cases; DROP TABLE leases;"
		       " ALTER TABLE release_tokens DROP COLUMN relay; DROP INDEX holds_sender_open;"
		       " PRAGMA user_version = 5;");
	assert_int_eq_msg("tables of schema 5", rows(path, "SELECT count(*) FROM sqlite_master"
							 " WHERE type='table'"), 9);
	s = open_ok(path);
	store_close(s);
	assert_int_eq_msg("migrated user_version", rows(path, "PRAGMA user_version"),
			  STORE_SCHEMA_VERSION);
	assert_int_eq_msg("case tables made", rows(path, "SELECT count(*) FROM sqlite_master WHERE"
						 " name IN ('hold_cases','hold_advice','leases')"), 3);
	assert_int_eq_msg("index made", rows(path, "SELECT count(*) FROM sqlite_master WHERE"
						   " name = 'holds_sender_open'"), 1);
	/* the chain says who upgraded it, step by step (5 to 6, 6 to 7, 7 to
	 * 8), as PostgreSQL's "store migrate" does; once, and the chain holds */
	const char *q = "SELECT count(*) FROM audit WHERE event = 'store-migrated' AND"
			" actor <> '' AND details IN ('{\"from\":5,\"to\":6}',"
			" '{\"from\":6,\"to\":7}', '{\"from\":7,\"to\":8}')";
	assert_int_eq_msg("a record per step", rows(path, q), 3);
	assert_int_eq_msg("no record of a new store", rows(path, "SELECT count(*) FROM audit WHERE"
								" event = 'store-migrated'"), 3);
	s = open_ok(path);
	struct store_audit_check ck;
	char err[512];
	assert_int_eq_msg("the chain intact", store_audit_verify(s, &ck, err, sizeof err), 0);
	store_close(s);
	assert_int_eq_msg("reopened: no second record", rows(path, q), 3);
	/* a step that fails (7: its table is there already) leaves the steps
	 * before it committed, each with its record, and none of its own */
	exec_sql(path, "DROP TABLE hold_advice; DROP TABLE hold_cases; DROP TABLE leases;"
		       " ALTER TABLE release_tokens DROP COLUMN relay; DROP INDEX holds_sender_open;"
		       " PRAGMA user_version = 5; CREATE TABLE leases(x INTEGER);");
	assert_null(fixture_store_open(path, err, sizeof err));
	assert_int_eq_msg("stopped at 6", rows(path, "PRAGMA user_version"), 6);
	assert_int_eq_msg("step 6 recorded", rows(path, "SELECT count(*) FROM audit WHERE"
						      " event = 'store-migrated' AND details ="
						      " '{\"from\":5,\"to\":6}'"), 2);
	assert_int_eq_msg("step 7 not recorded", rows(path, "SELECT count(*) FROM audit WHERE"
							  " event = 'store-migrated' AND details ="
							  " '{\"from\":6,\"to\":7}'"), 1);
}

/* A store of schema 7 (before the index of a Sender's listing), with
 * holds open and decided, upgraded on either backend: SQLite when it is
 * opened, PostgreSQL by the admin's migrate (the daemon refuses it until
 * then).  The index is made, every hold kept, the step recorded once in
 * the chain by who ran it, and the chain verifies. */
static void test_migrate_sender_index(void **state)
{
	(void)state;
	char path[512], err[512], ref[STORE_REF_MAX];
	store_db(path, sizeof path, "migrate8");
	bool pg = fixture_pg() != NULL;
	struct store *s = open_ok(path);
	for (int i = 0; i < 3; i++) {
		struct hold_record h = sample_hold("kept", 4);
		h.sender_auth = i == 2 ? "carol" : "";
		h.sender_canonical = "carol@ncsc.nl";
		assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	}
	store_close(s);
	exec_sql(path, "UPDATE holds SET state = 'denied' WHERE sender_auth = 'carol'");
	const char *index = pg ? "SELECT count(*) FROM pg_indexes WHERE indexname = 'holds_sender_open'"
			       : "SELECT count(*) FROM sqlite_master WHERE name = 'holds_sender_open'";
	const char *version = pg ? "SELECT value FROM grondslag_meta WHERE key = 'schema_version'"
				 : "PRAGMA user_version";
	assert_int_eq_msg("a new store has the index", rows(path, index), 1);
	exec_sql(path, pg ? "DROP INDEX holds_sender_open; UPDATE grondslag_meta SET value = 7"
			    " WHERE key = 'schema_version'"
			  : "DROP INDEX holds_sender_open; PRAGMA user_version = 7;");
	long long audit = rows(path, "SELECT count(*) FROM audit");
	if (pg) {
		assert_null(store_open(path, err, sizeof err));
		if (strstr(err, "schema version 7") == NULL)
			fail_msg("open of version 7: got \"%s\", want \"schema version 7\"", err);
		int64_t from = 0;
		assert_int_eq_msg("migrate", store_migrate(path, &from, err, sizeof err), 0);
		assert_int_eq_msg("migrated from", (int)from, 7);
	}
	s = open_ok(path);
	assert_int_eq_msg("version after", rows(path, version), STORE_SCHEMA_VERSION);
	assert_int_eq_msg("the index made", rows(path, index), 1);
	assert_int_eq_msg("holds kept", rows(path, "SELECT count(*) FROM holds"), 3);
	assert_int_eq_msg("messages kept", rows(path, "SELECT count(*) FROM hold_messages"), 3);
	assert_int_eq_msg("recipients kept", rows(path, "SELECT count(*) FROM hold_recipients"), 6);
	assert_int_eq_msg("one record more", rows(path, "SELECT count(*) FROM audit"), audit + 1);
	assert_int_eq_msg("the step's record", rows(path, "SELECT count(*) FROM audit WHERE event ="
						    " 'store-migrated' AND actor <> '' AND details ="
						    " '{\"from\":7,\"to\":8}'"), 1);
	struct store_audit_check ck;
	assert_int_eq_msg("the chain intact", store_audit_verify(s, &ck, err, sizeof err), 0);
	store_close(s);
	/* opened again: nothing migrated twice */
	s = open_ok(path);
	store_close(s);
	assert_int_eq_msg("no second record", rows(path, "SELECT count(*) FROM audit"), audit + 1);
}

/* Make a file for the open-error table; path is the database path. */
typedef void make_fn(const char *path);

static void make_garbage(const char *path)
{
	FILE *f = fopen(path, "w");
	for (int i = 0; i < 8192; i++)
		fputc((i * 7919 + 13) & 0xff, f);
	fclose(f);
}

static void make_text(const char *path)
{
	FILE *f = fopen(path, "w");
	fputs("Socket unix:/run/grondslag/milter.sock\nRegistry /etc/grondslag/registry.yaml\n", f);
	fclose(f);
}

static void make_newer(const char *path)
{
	exec_sql(path, "CREATE TABLE holds(x); PRAGMA application_id = 1196576324;"
		       "PRAGMA user_version = 99;");
}

static void make_foreign_tables(const char *path)
{
	exec_sql(path, "CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT);"
		       "INSERT INTO moz_places(url) VALUES('x');");
}

static void make_foreign_appid(const char *path)
{
	exec_sql(path, "PRAGMA application_id = 1;");
}

/* A real store with some holds, closed, for the damage below. */
static void make_real(const char *path)
{
	struct store *s = open_ok(path);
	char big[20000], ref[STORE_REF_MAX], err[256];
	memset(big, 'x', sizeof big);
	for (int i = 0; i < 30; i++) {
		struct hold_record h = sample_hold(big, sizeof big);
		assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	}
	store_close(s);
}

static void make_truncated(const char *path)
{
	make_real(path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size / 2), 0);
}

static void make_truncated_header(const char *path)
{
	make_real(path);
	assert_int_equal(truncate(path, 60), 0);
}

static void make_corrupt_page(const char *path)
{
	make_real(path);
	/* page 2 onwards overwritten with garbage: header intact, b-trees not */
	int fd = open(path, O_WRONLY);
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(0xA5 ^ (i * 31));
	for (off_t off = 4096; off < 4096 * 6; off += 4096)
		assert_int_equal(pwrite(fd, junk, sizeof junk, off), (ssize_t)sizeof junk);
	close(fd);
}

static void make_empty(const char *path)
{
	FILE *f = fopen(path, "w");
	fclose(f);
}

/* An SQLite database with no table at all (what SQLite makes of any
 * path it is asked to open). */
static void make_bare(const char *path)
{
	exec_sql(path, "CREATE TABLE t(x); DROP TABLE t;");
}

static void make_nothing(const char *path)
{
	(void)path;
}

static void test_open_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *file;	/* NULL: in a missing directory */
		make_fn *make;
		const char *want;	/* substring of the error */
	} cases[] = {
		{"missing directory", NULL, make_nothing, "does not exist"},
		{"missing file", "absent.db", make_nothing,
		 ": does not exist; if its volume is mounted and this is a new installation,"
		 " create it with \"grondslag store init -c CONFIG\""},
		{"empty file", "empty.db", make_empty,
		 ": is empty (0 bytes), not a grondslag store"},
		{"sqlite without schema", "bare.db", make_bare, ": not a grondslag store (an SQLite"},
		{"garbage", "garbage.db", make_garbage, ": file is not a database"},
		{"text file", "conf.db", make_text, ": file is not a database"},
		{"newer schema", "newer.db", make_newer,
		 ": schema version 99 is newer than this grondslag"},
		{"foreign tables", "places.db", make_foreign_tables, "not a grondslag database"},
		{"foreign application_id", "app.db", make_foreign_appid,
		 "not a grondslag database (application_id 0x00000001)"},
		{"truncated", "trunc.db", make_truncated, "malformed"},
		{"truncated header", "trunchdr.db", make_truncated_header, "malformed"},
		{"corrupt pages", "corrupt.db", make_corrupt_page, ": quick_check failed: "},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char path[256], want[512], err[512] = "";
		if (cases[i].file != NULL)
			in_dir(path, sizeof path, cases[i].file);
		else
			snprintf(path, sizeof path, "%s/no/such/dir/x.db", dir);
		cases[i].make(path);
		struct stat before;
		bool existed = stat(path, &before) == 0;
		struct store *s = store_open(path, err, sizeof err);
		if (getenv("TEST_VERBOSE"))
			printf("%s: %s\n", cases[i].name, err);
		if (s != NULL) {
			store_close(s);
			fail_msg("%s: got a store, want an error", cases[i].name);
		}
		snprintf(want, sizeof want, "Database %s: ", path);
		if (strncmp(err, want, strlen(want)) != 0 &&
		    !(cases[i].file == NULL && strstr(err, path) != NULL))
			fail_msg("%s: got \"%s\", want it to start with \"%s\"", cases[i].name, err, want);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\" in it", cases[i].name, err, cases[i].want);
		/* a refused file is left as it was */
		struct stat after;
		if (existed && (stat(path, &after) != 0 || after.st_size != before.st_size))
			fail_msg("%s: the refused file changed size", cases[i].name);
		/* opening never creates a store where there was none */
		if (!existed && stat(path, &after) == 0)
			fail_msg("%s: got a new file, want none", cases[i].name);
		/* the read-only open (the CLI) refuses with the same words */
		if (strcmp(cases[i].name, "missing file") == 0 ||
		    strcmp(cases[i].name, "empty file") == 0) {
			s = store_open_readonly(path, err, sizeof err);
			if (s != NULL) {
				store_close(s);
				fail_msg("%s: read-only: got a store, want an error", cases[i].name);
			}
			if (strstr(err, cases[i].want) == NULL)
				fail_msg("%s: read-only: got \"%s\", want \"%s\" in it",
					 cases[i].name, err, cases[i].want);
		}
	}
	char err[64];
	assert_null(store_open("", err, sizeof err));
	assert_null(store_open(NULL, err, sizeof err));
}

/* store_init() makes a store once and never touches an existing file. */
static void test_init(void **state)
{
	(void)state;
	char path[512], err[512];
	in_dir(path, sizeof path, "init.db");
	assert_int_eq_msg("first init", store_init(path, "{\"by\":\"unit\"}", err, sizeof err), 0);
	assert_int_eq_msg("init record", rows(path, "SELECT count(*) FROM audit WHERE seq = 1"
					      " AND event = 'init' AND details = '{\"by\":\"unit\"}'"), 1);
	struct store *s = open_ok(path);
	char ref[STORE_REF_MAX];
	struct hold_record h = sample_hold("kept", 4);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	store_close(s);
	struct stat before, after;
	assert_int_equal(stat(path, &before), 0);
	/* twice: refused, the store and its hold are untouched */
	assert_int_eq_msg("second init", store_init(path, NULL, err, sizeof err), -1);
	if (strstr(err, "exists; refusing to overwrite it") == NULL)
		fail_msg("second init: got \"%s\", want \"exists; refusing to overwrite it\"", err);
	assert_int_equal(stat(path, &after), 0);
	assert_int_eq_msg("size after refused init", after.st_size, before.st_size);
	assert_int_eq_msg("holds after refused init", rows(path, "SELECT count(*) FROM holds"), 1);
	/* an empty file is refused too (it may be a store lost in a copy) */
	in_dir(path, sizeof path, "init-empty.db");
	make_empty(path);
	assert_int_eq_msg("init over an empty file", store_init(path, NULL, err, sizeof err), -1);
	/* no directory: nothing made */
	snprintf(path, sizeof path, "%s/no/such/dir/x.db", dir);
	assert_int_eq_msg("init without directory", store_init(path, NULL, err, sizeof err), -1);
	if (strstr(err, "does not exist") == NULL)
		fail_msg("init without directory: got \"%s\"", err);
}

/* The store file removed or replaced under a running daemon: writes
 * fail (the MTA answers 451) instead of going into a file that is gone. */
static void test_removed_while_open(void **state)
{
	(void)state;
	char path[256], moved[300], err[512], ref[STORE_REF_MAX];
	struct hold_record h = sample_hold("m", 1);
	in_dir(path, sizeof path, "vanish.db");
	snprintf(moved, sizeof moved, "%s.moved", path);
	struct store *s = open_ok(path);
	assert_int_eq_msg("hold before", store_hold_put(s, &h, ref, err, sizeof err), 0);
	/* removed (the volume's directory emptied, a wrong rm) */
	assert_int_equal(rename(path, moved), 0);
	assert_int_eq_msg("hold after removal", store_hold_put(s, &h, ref, err, sizeof err), -1);
	if (strstr(err, "was removed or replaced while in use") == NULL)
		fail_msg("after removal: got \"%s\"", err);
	assert_int_eq_msg("notice after removal",
			  store_notice_put(s, "hold", "r", "a@b", "m", err, sizeof err), -1);
	/* replaced by another store (a restore copied over while running) */
	char other[300];
	snprintf(other, sizeof other, "%s.other", path);
	store_close(open_ok(other));
	assert_int_equal(rename(other, path), 0);
	assert_int_eq_msg("hold after replacement", store_hold_put(s, &h, ref, err, sizeof err), -1);
	/* the same file back under its name: writes go on */
	assert_int_equal(rename(moved, path), 0);
	assert_int_eq_msg("hold with the file back", store_hold_put(s, &h, ref, err, sizeof err), 0);
	assert_int_eq_msg("holds", store_hold_count(s), 2);
	store_close(s);
}

static void test_hold_memory(void **state)
{
	(void)state;
	char path[512], ref[STORE_REF_MAX], err[256], want_sha[STORE_SHA256_HEX];
	struct store *s = open_ok(store_db(path, sizeof path, "mem.db"));
	const char msg[] = "From: analyst@ncsc.nl\r\nSubject: x\r\n\r\n8.8.8.8\r\n";
	struct hold_record h = sample_hold(msg, sizeof msg - 1);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	if (!store_ref_valid(ref) || strncmp(ref, "G20250314-", 10) != 0)
		fail_msg("ref: got \"%s\", want G20250314-<10 base32>", ref);
	size_t len = 0;
	char *back = store_hold_message(s, ref, &len);
	assert_non_null(back);
	assert_int_eq_msg("length", len, sizeof msg - 1);
	assert_memory_equal(back, msg, len);
	free(back);
	struct store_hold_record *r = store_hold_get(s, ref, err, sizeof err);
	assert_non_null(r);
	sha256_hex(msg, sizeof msg - 1, want_sha);
	assert_str_eq_msg("sha256", r->sha256, want_sha);
	assert_int_eq_msg("size", r->size, sizeof msg - 1);
	assert_str_eq_msg("state", r->state, "pending");
	assert_str_eq_msg("queue_id", r->queue_id, "4XyZ1a2b3c");
	assert_str_eq_msg("sender", r->sender, "<analyst@ncsc.nl>");
	assert_str_eq_msg("findings", r->findings_json, h.findings_json);
	assert_int_eq_msg("decided_on", r->decided_on, 20161);
	assert_int_eq_msg("categories", r->categories, 5);
	assert_int_eq_msg("tlp", r->tlp, 3);
	assert_int_eq_msg("received", r->received, 1741953600);
	assert_int_eq_msg("nrcpts", r->nrcpts, 2);
	assert_str_eq_msg("rcpt 0", r->rcpts[0].recipient, "<soc@cisa.gov>");
	assert_str_eq_msg("party 0", r->rcpts[0].party, "cisa");
	assert_str_eq_msg("state 0", r->rcpts[0].state, "held");
	assert_null(r->rcpts[1].party);
	assert_str_eq_msg("reasons 1", r->rcpts[1].reasons, "unknown-party");
	assert_int_eq_msg("ndelivered", r->ndelivered, 3);
	assert_str_eq_msg("delivered 2", r->delivered[2], "<a@ncsc.nl>");
	store_hold_record_free(r);
	assert_null(store_hold_get(s, "G20250314-0000000000", err, sizeof err));
	assert_str_eq_msg("not found", err, "");
	assert_null(store_hold_message(s, "G20250314-0000000000", &len));
	/* reopen: still there */
	store_close(s);
	s = open_ok(path);
	assert_int_eq_msg("count after reopen", store_hold_count(s), 1);
	store_close(s);
}

/* The stamp of a stored message changes with what the message is checked
 * against too: an edit of holds.sha256 or holds.size beside the store (an
 * administrator's or an attacker's) is a new stamp, so nothing checked
 * under the old one is taken as checked; the stamp ends in the recorded
 * digest. */
static void test_hold_stamp(void **state)
{
	(void)state;
	char path[512], ref[STORE_REF_MAX], err[256], sql[256];
	char first[STORE_HOLD_STAMP_MAX], now[STORE_HOLD_STAMP_MAX], sha[STORE_SHA256_HEX];
	struct store *s = open_ok(store_db(path, sizeof path, "stamp.db"));
	const char msg[] = "From: analyst@ncsc.nl\r\nSubject: x\r\n\r\n8.8.8.8\r\n";
	struct hold_record h = sample_hold(msg, sizeof msg - 1);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	sha256_hex(msg, sizeof msg - 1, sha);
	assert_int_equal(store_hold_message_stamp(s, ref, first, sizeof first), 0);
	const char *tail = strrchr(first, ':');
	assert_non_null(tail);
	assert_str_eq_msg("the stamp ends in the digest", tail + 1, sha);
	assert_int_equal(store_hold_message_stamp(s, ref, now, sizeof now), 0);
	assert_str_eq_msg("unchanged: the same stamp", now, first);
	assert_int_eq_msg("no such hold", store_hold_message_stamp(s, "G20250314-0000000000", now,
								    sizeof now), 1);
	assert_int_eq_msg("too small", store_hold_message_stamp(s, ref, now, 8), -1);
	static const char *const edits[] = {
		"sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
		"size = size + 1",
	};
	for (size_t i = 0; i < ARRAY_LEN(edits); i++) {
		char before[STORE_HOLD_STAMP_MAX];
		assert_int_equal(store_hold_message_stamp(s, ref, before, sizeof before), 0);
		snprintf(sql, sizeof sql, "UPDATE holds SET %s WHERE ref = '%s'", edits[i], ref);
		fixture_exec(path, sql);
		assert_int_equal(store_hold_message_stamp(s, ref, now, sizeof now), 0);
		if (strcmp(now, before) == 0)
			fail_msg("%s: the stamp stayed %s", sql, now);
	}
	store_close(s);
}

/* A temporary file of n pseudo-random bytes; returns the fd, fills buf. */
static int temp_message(char *buf, size_t n)
{
	char path[512];
	in_dir(path, sizeof path, "spool-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (char)(x >> 24);
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, buf + off, n - off);
		assert_true(w > 0);
		off += (size_t)w;
	}
	return fd;
}

static void test_hold_fd(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t file, len;	/* len 0: whole file */
	} cases[] = {
		{"5 MB whole file", 5 * 1024 * 1024 + 17, 0},
		{"first 100000 bytes", 300000, 100000},
		{"exactly one chunk", 65536, 0},
		{"empty file", 0, 0},
	};
	char path[512], ref[STORE_REF_MAX], err[256], sha[STORE_SHA256_HEX];
	struct store *s = open_ok(store_db(path, sizeof path, "fd.db"));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *buf = malloc(cases[i].file + 1);
		int fd = temp_message(buf, cases[i].file);
		/* the file offset is at the end: the store must not rely on it */
		struct hold_record h = sample_hold(NULL, cases[i].len);
		h.fd = fd;
		if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
			fail_msg("%s: got -1 (%s), want 0", cases[i].name, err);
		size_t want = cases[i].len ? cases[i].len : cases[i].file;
		size_t len = 1;
		char *back = store_hold_message(s, ref, &len);
		if (back == NULL)
			fail_msg("%s: message read back: got NULL", cases[i].name);
		assert_int_eq_msg(cases[i].name, len, want);
		if (memcmp(back, buf, want) != 0)
			fail_msg("%s: stored bytes differ", cases[i].name);
		struct store_hold_record *r = store_hold_get(s, ref, err, sizeof err);
		sha256_hex(buf, want, sha);
		assert_str_eq_msg(cases[i].name, r->sha256, sha);
		assert_int_eq_msg(cases[i].name, r->size, want);
		store_hold_record_free(r);
		free(back);
		close(fd);
		free(buf);
	}
	store_close(s);
}

static void test_hold_invalid(void **state)
{
	(void)state;
	char path[512], ref[STORE_REF_MAX], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "invalid.db"));
	char small[10] = "0123456789";
	int fd = temp_message(small, sizeof small);
	struct hold_record no_rcpt = sample_hold("x", 1);
	no_rcpt.nrcpts = 0;
	struct hold_record no_data = sample_hold(NULL, 5);
	struct hold_record short_file = sample_hold(NULL, 1000);
	short_file.fd = fd;
	struct hold_record bad_fd = sample_hold(NULL, 0);
	bad_fd.fd = 999;
	struct hold_record bad_ref = sample_hold("x", 1);
	bad_ref.ref = "G2025-XYZ";
	struct hold_record bad_sha = sample_hold("x", 1);
	bad_sha.sha256 = "ABCDEF";
	/* past the one recipient limit (held and delivered together): a hold
	 * that could never be decided or expired is not stored */
	static struct hold_rcpt many[RCPTS_MAX];
	for (size_t i = 0; i < RCPTS_MAX; i++)
		many[i] = (struct hold_rcpt){"<r@example.net>", NULL, "no-basis", "x"};
	struct hold_record too_many = sample_hold("x", 1);
	too_many.rcpts = many;
	too_many.nrcpts = RCPTS_MAX - 2;	/* plus 3 delivered */
	static const char *const names[] = {"no recipient", "no data", "short file", "bad fd",
					    "bad ref", "bad sha256", "too many recipients"};
	const struct hold_record *cases[] = {&no_rcpt, &no_data, &short_file, &bad_fd, &bad_ref,
					    &bad_sha, &too_many};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		err[0] = '\0';
		int rc = store_hold_put(s, cases[i], ref, err, sizeof err);
		assert_int_eq_msg(names[i], rc, -1);
		if (err[0] == '\0')
			fail_msg("%s: got no error message", names[i]);
	}
	assert_int_eq_msg("nothing stored", store_hold_count(s), 0);
	too_many.nrcpts = RCPTS_MAX - 3;
	assert_int_eq_msg("at the limit", store_hold_put(s, &too_many, ref, err, sizeof err), 0);
	close(fd);
	store_close(s);
}

static void test_hold_given_ref_and_notice(void **state)
{
	(void)state;
	char path[512], ref[STORE_REF_MAX], made[STORE_REF_MAX], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "given.db"));
	assert_int_equal(store_ref_new(1741953600, made), 0);
	struct hold_record h = sample_hold("msg", 3);
	h.ref = made;
	h.notice_to = "<analyst@ncsc.nl>";
	h.notice_message = "Subject: held\r\n\r\nheld\r\n";
	/* a digest computed while spooling is stored as given */
	char sha[STORE_SHA256_HEX];
	sha256_hex("msg", 3, sha);
	h.sha256 = sha;
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	assert_str_eq_msg("ref", ref, made);
	struct store_hold_record *r = store_hold_get(s, ref, err, sizeof err);
	assert_non_null(r);
	assert_str_eq_msg("given sha256", r->sha256, sha);
	store_hold_record_free(r);
	struct store_notice n;
	assert_int_eq_msg("notice queued with the hold", store_notice_next(s, time(NULL) + 1, &n), 1);
	assert_str_eq_msg("kind", n.kind, "hold");
	assert_str_eq_msg("notice ref", n.ref, made);
	assert_str_eq_msg("to", n.to, "<analyst@ncsc.nl>");
	/* the same reference again: refused, nothing added */
	assert_int_eq_msg("duplicate ref", store_hold_put(s, &h, ref, err, sizeof err), -1);
	assert_non_null(strstr(err, "already in use"));
	assert_int_eq_msg("holds", store_hold_count(s), 1);
	assert_int_eq_msg("notices", store_notice_count(s, NULL), 1);
	store_close(s);
}

/* A client's retry of a held message (same retry key, within the window)
 * finds the first hold: 1 with its reference, a "hold-retry" record, no
 * second hold, message or notice; outside the window or with another key
 * it is a new hold. */
static void test_hold_retry(void **state)
{
	(void)state;
	char path[512], first[STORE_REF_MAX], ref[STORE_REF_MAX], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "retry.db"));
	struct hold_record h = sample_hold("msg", 3);
	h.notice_to = "<analyst@ncsc.nl>";
	h.notice_message = "Subject: held\r\n\r\nheld\r\n";
	h.retry_key = "k1";
	h.retry_window = 3600;
	h.received = time(NULL) - 60;
	assert_int_eq_msg("first", store_hold_put(s, &h, first, err, sizeof err), 0);
	h.queue_id = "RETRYQID";
	h.received = time(NULL);
	assert_int_eq_msg("retry", store_hold_put(s, &h, ref, err, sizeof err), 1);
	assert_str_eq_msg("the first hold's reference", ref, first);
	assert_int_eq_msg("holds", store_hold_count(s), 1);
	assert_int_eq_msg("notices", store_notice_count(s, NULL), 1);
	assert_int_eq_msg("hold-retry record", rows(path, "SELECT count(*) FROM audit WHERE"
					       " event = 'hold-retry' AND details LIKE '%RETRYQID%'"), 1);
	h.retry_key = "k2";
	assert_int_eq_msg("another key", store_hold_put(s, &h, ref, err, sizeof err), 0);
	assert_int_eq_msg("holds", store_hold_count(s), 2);
	exec_sql(path, "UPDATE holds SET received = received - 7200 WHERE retry_key = 'k1'");
	h.retry_key = "k1";
	assert_int_eq_msg("outside the window", store_hold_put(s, &h, ref, err, sizeof err), 0);
	assert_int_eq_msg("holds", store_hold_count(s), 3);
	h.retry_key = NULL;
	assert_int_eq_msg("no key", store_hold_put(s, &h, ref, err, sizeof err), 0);
	assert_int_eq_msg("holds", store_hold_count(s), 4);
	store_close(s);
}

static void test_refs(void **state)
{
	(void)state;
	char ref[STORE_REF_MAX];
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (int i = 0; i < 2000; i++) {
		assert_int_equal(store_ref_new(0, ref), 0);
		if (!store_ref_valid(ref) || strncmp(ref, "G19700101-", 10) != 0)
			fail_msg("ref %d: got \"%s\"", i, ref);
		if (!g_hash_table_add(seen, g_strdup(ref)))
			fail_msg("ref %d: \"%s\" twice", i, ref);
	}
	g_hash_table_destroy(seen);
	static const struct {
		const char *text;
		bool want;
	} cases[] = {
		{"G20250314-7KQ2M9XH0T", true},	{"G20250314-7KQ2M9XH0", false},
		{"G20250314-7KQ2M9XH0TX", false}, {"g20250314-7KQ2M9XH0T", false},
		{"G2025031A-7KQ2M9XH0T", false}, {"G20250314_7KQ2M9XH0T", false},
		{"G20250314-7KQ2M9XHOT", false},	/* O is not Crockford */
		{"G20250314-7kq2m9xh0t", false}, {"", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_eq_msg(cases[i].text, store_ref_valid(cases[i].text), cases[i].want);
	assert_false(store_ref_valid(NULL));
}

static void test_share(void **state)
{
	(void)state;
	char path[512], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "share.db"));
	struct hold_share sh = {
		.queue_id = "4XyZ", .sender = "<a@ncsc.nl>", .recipient = "<cert@cert.be>",
		.party = "cert-be", .bases = "wbni-20-2", .articles = "Wbni art. 20(2)",
		.categories = 1, .tlp = 2, .public_addresses = 4, .countries = "BE:4",
		.simulated = false, .when = 1741953600,
	};
	assert_int_equal(store_share_put(s, &sh, err, sizeof err), 0);
	/* the copy left encrypted at the relay: the record says for whom, to
	 * which keys */
	sh.encrypted_for = "cert-be";
	sh.key_fprs = "0123456789ABCDEF0123456789ABCDEF01234567";
	assert_int_equal(store_share_put(s, &sh, err, sizeof err), 0);
	sh.encrypted_for = NULL;
	sh.key_fprs = NULL;
	sh.party = NULL;
	sh.simulated = true;
	sh.when = 0;	/* now */
	assert_int_equal(store_share_put(s, &sh, err, sizeof err), 0);
	store_close(s);
	assert_int_eq_msg("shares", rows(path, "SELECT count(*) FROM shares"), 3);
	assert_int_eq_msg("encrypted", rows(path, "SELECT count(*) FROM audit WHERE event = 'share'"
				       " AND details LIKE '%\"encrypted_for\":\"cert-be\"%'"
				       " AND details LIKE '%\"keys\":\"0123456789ABCDEF0123456789"
				       "ABCDEF01234567\"%'"), 1);
	assert_int_eq_msg("plain", rows(path, "SELECT count(*) FROM audit WHERE event = 'share'"
				   " AND details NOT LIKE '%encrypted_for%'"), 2);
	assert_int_eq_msg("simulated", rows(path, "SELECT count(*) FROM shares WHERE simulated = 1"
						  " AND party IS NULL AND shared_at > 1741953600"), 1);
	assert_int_eq_msg("first", rows(path, "SELECT public_addresses FROM shares WHERE party ="
					      " 'cert-be'"), 4);
}

/* A hold carries the share records of the recipients delivered now, in
 * the same transaction: all or nothing. */
static void test_hold_with_shares(void **state)
{
	(void)state;
	char path[512], err[256], ref[STORE_REF_MAX];
	struct store *s = open_ok(store_db(path, sizeof path, "holdshares.db"));
	static const char msg[] = "Subject: x\r\n\r\n194.7.1.10\r\n";
	struct hold_share sh[2] = {
		{.queue_id = "Q1", .sender = "<a@ncsc.nl>", .recipient = "<cert@cert.be>",
		 .party = "cert-be", .bases = "wbni-20-2-eu-csirt", .articles = "Wbni art. 20(2)",
		 .categories = 1, .public_addresses = 1, .countries = "BE:1"},
		{.queue_id = "Q1", .sender = "<a@ncsc.nl>", .recipient = "<soc@ncsc.nl>",
		 .categories = 1, .public_addresses = 1, .countries = "BE:1"},
	};
	struct hold_record h = sample_hold(msg, sizeof msg - 1);
	h.shares = sh;
	h.nshares = 2;
	store_fail_next(s);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), -1);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	/* the batch form for an all-delivered message */
	assert_int_equal(store_shares_put(s, sh, 2, err, sizeof err), 0);
	assert_int_equal(store_shares_put(s, NULL, 0, err, sizeof err), 0);
	store_fail_next(s);
	assert_int_equal(store_shares_put(s, sh, 2, err, sizeof err), -1);
	store_close(s);
	assert_int_eq_msg("holds", rows(path, "SELECT count(*) FROM holds"), 1);
	assert_int_eq_msg("shares", rows(path, "SELECT count(*) FROM shares"), 4);
}

static void test_backoff(void **state)
{
	(void)state;
	static const struct {
		unsigned attempts;
		time_t want;
	} cases[] = {
		{0, 0}, {1, 60}, {2, 120}, {3, 240}, {4, 480}, {5, 960}, {6, 1920}, {7, 3600},
		{8, 3600}, {20, 3600}, {4000000000u, 3600},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char row[32];
		snprintf(row, sizeof row, "attempt %u", cases[i].attempts);
		assert_int_eq_msg(row, store_notice_backoff(cases[i].attempts), cases[i].want);
	}
}

static void test_notice_queue(void **state)
{
	(void)state;
	char path[512], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "outbox.db"));
	const time_t t0 = 1741953600;
	struct store_notice n;
	assert_int_equal(store_notice_put_at(s, "hold", "G20250314-7KQ2M9XH0T", "<a@ncsc.nl>",
					     "Subject: one\r\n\r\nbody\r\n", t0, err, sizeof err), 0);
	assert_int_eq_msg("not yet due", store_notice_next(s, t0 - 1, &n), 0);
	assert_int_eq_msg("due", store_notice_next(s, t0, &n), 1);
	assert_str_eq_msg("message", n.message, "Subject: one\r\n\r\nbody\r\n");
	assert_int_eq_msg("attempts", n.attempts, 0);
	int64_t id = n.id;
	/* the retry schedule with an injected clock */
	time_t now = t0;
	for (unsigned a = 1; a < STORE_NOTICE_MAX_ATTEMPTS; a++) {
		char row[64];
		snprintf(row, sizeof row, "retry %u", a);
		assert_int_eq_msg(row, store_notice_retry(s, id, now, "451 4.3.0 try later\r\nX"), 0);
		time_t wait = store_notice_backoff(a);
		assert_int_eq_msg(row, store_notice_next(s, now + wait - 1, &n), 0);
		assert_int_eq_msg(row, store_notice_next(s, now + wait, &n), 1);
		assert_int_eq_msg(row, n.id, id);
		assert_int_eq_msg(row, n.attempts, a);
		assert_int_eq_msg(row, n.due, now + wait);
		assert_str_eq_msg(row, n.last_error, "451 4.3.0 try later  X");
		now += wait;
	}
	/* the last attempt fails: kept as failed, never offered again */
	assert_int_equal(store_notice_retry(s, id, now, "still down"), 0);
	assert_int_eq_msg("after the last", store_notice_next(s, now + 86400 * 365, &n), 0);
	assert_int_eq_msg("failed", store_notice_count(s, "failed"), 1);
	assert_int_eq_msg("retry of failed", store_notice_retry(s, id, now, "x"), -1);
	/* sent; permanent failure; unknown id */
	assert_int_equal(store_notice_put(s, "deny", "", "<b@ncsc.nl>", "m2", err, sizeof err), 0);
	assert_int_equal(store_notice_put(s, "digest", "", "<j@ncsc.nl>", "m3", err, sizeof err), 0);
	assert_int_eq_msg("next m2", store_notice_next(s, time(NULL) + 1, &n), 1);
	assert_str_eq_msg("m2", n.message, "m2");
	assert_int_equal(store_notice_done(s, n.id), 0);
	assert_int_eq_msg("done twice", store_notice_done(s, n.id), -1);
	assert_int_eq_msg("next m3", store_notice_next(s, time(NULL) + 1, &n), 1);
	assert_str_eq_msg("m3", n.message, "m3");
	assert_int_equal(store_notice_failed(s, n.id, time(NULL), "550 5.1.1 no such user"), 0);
	assert_int_eq_msg("none left", store_notice_next(s, time(NULL) + 86400, &n), 0);
	assert_int_eq_msg("unknown id", store_notice_retry(s, 9999, now, "x"), -1);
	assert_int_eq_msg("sent", store_notice_count(s, "sent"), 1);
	assert_int_eq_msg("failed", store_notice_count(s, "failed"), 2);
	assert_int_eq_msg("all", store_notice_count(s, NULL), 3);
	assert_int_eq_msg("invalid put", store_notice_put(s, "hold", "", "", "m", err, sizeof err), -1);
	store_close(s);
	assert_int_eq_msg("failed with its error",
			  rows(path, "SELECT count(*) FROM outbox WHERE state = 'failed' AND"
				     " last_error LIKE '550%' AND done_at IS NOT NULL"), 1);
}

/* Row counts of every table, to show that nothing was half-written. */
static void all_rows(const char *path, long long out[6])
{
	static const char *const q[6] = {
		"SELECT count(*) FROM holds", "SELECT count(*) FROM hold_messages",
		"SELECT count(*) FROM hold_recipients", "SELECT count(*) FROM hold_delivered",
		"SELECT count(*) FROM shares", "SELECT count(*) FROM outbox",
	};
	for (int i = 0; i < 6; i++)
		out[i] = rows(path, q[i]);
}

enum write_kind { W_HOLD, W_HOLD_FD, W_HOLD_NOTICE, W_SHARE, W_NOTICE };

/* One write of the given kind; the store's return value. */
static int do_write(struct store *s, enum write_kind k, int fd, char *err, size_t errlen)
{
	char ref[STORE_REF_MAX];
	struct hold_record h = sample_hold("abc", 3);
	struct hold_share sh = {.queue_id = "Q", .sender = "s", .recipient = "r", .bases = "b",
				 .articles = "a", .countries = ""};
	switch (k) {
	case W_HOLD:
		return store_hold_put(s, &h, ref, err, errlen);
	case W_HOLD_FD:
		h.fd = fd;
		h.len = 0;
		return store_hold_put(s, &h, ref, err, errlen);
	case W_HOLD_NOTICE:
		h.notice_to = "<a@b.c>";
		h.notice_message = "m";
		return store_hold_put(s, &h, ref, err, errlen);
	case W_SHARE:
		return store_share_put(s, &sh, err, errlen);
	case W_NOTICE:
		return store_notice_put(s, "hold", "", "<a@b.c>", "m", err, errlen);
	}
	return -2;
}

static void test_fail_hook(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum write_kind kind;
	} cases[] = {
		{"hold", W_HOLD}, {"hold from a file", W_HOLD_FD},
		{"hold with notice", W_HOLD_NOTICE}, {"share", W_SHARE}, {"notice", W_NOTICE},
	};
	char path[512], err[256];
	struct store *s = open_ok(store_db(path, sizeof path, "fail.db"));
	char *buf = malloc(300000);
	int fd = temp_message(buf, 300000);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		long long before[6], after[6];
		all_rows(path, before);
		store_fail_next(s);
		err[0] = '\0';
		assert_int_eq_msg(cases[i].name, do_write(s, cases[i].kind, fd, err, sizeof err), -1);
		if (strstr(err, "injected") == NULL)
			fail_msg("%s: got \"%s\", want the injected failure", cases[i].name, err);
		all_rows(path, after);
		for (int t = 0; t < 6; t++)
			assert_int_eq_msg(cases[i].name, after[t], before[t]);
		/* only the next write fails */
		assert_int_eq_msg(cases[i].name, do_write(s, cases[i].kind, fd, err, sizeof err), 0);
	}
	close(fd);
	free(buf);
	store_close(s);
	long long end[6];
	all_rows(path, end);
	assert_int_eq_msg("holds", end[0], 3);
	assert_int_eq_msg("messages", end[1], 3);
	assert_int_eq_msg("recipients", end[2], 6);
	assert_int_eq_msg("delivered", end[3], 9);
	assert_int_eq_msg("shares", end[4], 1);
	assert_int_eq_msg("notices", end[5], 2);
}

struct writer {
	struct store *s;	/* shared, or NULL: open own connection */
	const char *path;
	int id, n, failures;
};

/* Thread: n holds, each with a message naming the thread and index. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char err[256], ref[STORE_REF_MAX], msg[64];
	struct store *s = w->s ? w->s : store_open(w->path, err, sizeof err);
	if (s == NULL) {
		w->failures = w->n;
		return NULL;
	}
	for (int i = 0; i < w->n; i++) {
		int len = snprintf(msg, sizeof msg, "thread %d message %d", w->id, i);
		struct hold_record h = sample_hold(msg, (size_t)len);
		if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
			w->failures++;
	}
	if (w->s == NULL)
		store_close(s);
	return NULL;
}

static void test_concurrent(void **state)
{
	(void)state;
	char path[512];
	store_db(path, sizeof path, "threads.db");
	struct store *shared = open_ok(path);
	/* round 0: one store shared by 4 threads; round 1: 4 connections */
	for (int round = 0; round < 2; round++) {
		pthread_t t[4];
		struct writer w[4];
		for (int i = 0; i < 4; i++) {
			w[i] = (struct writer){round == 0 ? shared : NULL, path, i + 4 * round, 25, 0};
			assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
		}
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			assert_int_eq_msg("failed writes", w[i].failures, 0);
		}
	}
	assert_int_eq_msg("holds", store_hold_count(shared), 200);
	/* writers on four connections at once: one linear audit chain */
	char err[256];
	struct store_audit_check c;
	if (store_audit_verify(shared, &c, err, sizeof err) != 0)
		fail_msg("audit chain after concurrent writers: got bad seq %lld (%s %s), want"
			 " a whole chain", (long long)c.bad_seq, c.why, err);
	assert_int_eq_msg("one record per hold and share, no gap",
			  rows(path, "SELECT count(*) FROM audit"),
			  rows(path, "SELECT max(seq) FROM audit"));
	store_close(shared);
	assert_int_eq_msg("distinct messages",
			  rows(path, "SELECT count(DISTINCT message) FROM hold_messages"), 200);
	assert_int_eq_msg("recipients", rows(path, "SELECT count(*) FROM hold_recipients"), 400);
}

/* The child of the durability test: write holds, die by SIGKILL right
 * after the k-th store_hold_put() returned 0. */
static void killed_writer(const char *path, int k)
{
	char err[256], ref[STORE_REF_MAX], msg[128];
	struct store *s = store_open(path, err, sizeof err);
	if (s == NULL)
		_exit(3);
	for (int i = 1; i <= 100; i++) {
		int len = snprintf(msg, sizeof msg, "durable message %d", i);
		struct hold_record h = sample_hold(msg, (size_t)len);
		char qid[16];
		snprintf(qid, sizeof qid, "Q%d", i);
		h.queue_id = qid;
		if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
			_exit(4);
		if (i == k)
			kill(getpid(), SIGKILL);
	}
	_exit(5);
}

static void test_durability_sigkill(void **state)
{
	(void)state;
	char path[512], wal[600];
	store_db(path, sizeof path, "killed.db");
	snprintf(wal, sizeof wal, "%s-wal", path);
	const int k = 7;
	store_close(open_ok(path));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		killed_writer(path, k);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail_msg("child: got status 0x%x, want killed by SIGKILL", status);
	/* SQLite: the commits are in the WAL, not yet checkpointed into the
	 * file; PostgreSQL: the server has them */
	struct stat st;
	if (!fixture_pg() && (stat(wal, &st) != 0 || st.st_size == 0))
		fail_msg("got no WAL after the kill, want one to recover from");
	struct store *s = open_ok(path);
	assert_int_eq_msg("holds after the kill", store_hold_count(s), k);
	for (int i = 1; i <= k; i++) {
		char sql[512], want[64];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM holds WHERE queue_id = 'Q%d'", i);
		assert_int_eq_msg("hold present", rows(path, sql), 1);
		int wl = snprintf(want, sizeof want, "durable message %d", i);
		/* the message and its digest intact */
		char sha[STORE_SHA256_HEX];
		sha256_hex(want, (size_t)wl, sha);
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM holds h JOIN hold_messages m USING (ref) WHERE"
			 " h.queue_id = 'Q%d' AND h.sha256 = '%s' AND m.message = %s('%s'%s)",
			 i, sha, fixture_pg() ? "convert_to" : "CAST", want,
			 fixture_pg() ? ", 'UTF8'" : " AS BLOB");
		assert_int_eq_msg("message intact", rows(path, sql), 1);
	}
	store_close(s);
}

/* PostgreSQL: "grondslag store init" makes the store in an empty
 * database once; a database without it, with foreign tables, or out of
 * reach is refused by store_open() with a message that says what to do. */
static void test_pg_init(void **state)
{
	(void)state;
	char path[512], err[512];
	store_db(path, sizeof path, "pginit");
	struct store *s = store_open(path, err, sizeof err);
	assert_null(s);
	if (strstr(err, "grondslag store init") == NULL)
		fail_msg("open of an empty database: got \"%s\", want \"grondslag store init\"",
			 err);
	assert_int_eq_msg("first init", store_init(path, "{\"by\":\"unit\"}", err, sizeof err), 0);
	assert_int_eq_msg("init record", rows(path, "SELECT count(*) FROM audit WHERE seq = 1"
					      " AND event = 'init' AND details = '{\"by\":\"unit\"}'"), 1);
	assert_int_eq_msg("schema version", rows(path, "SELECT value FROM grondslag_meta WHERE"
						 " key = 'schema_version'"), STORE_SCHEMA_VERSION);
	s = open_ok(path);
	char ref[STORE_REF_MAX];
	struct hold_record h = sample_hold("kept", 4);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	store_close(s);
	assert_int_eq_msg("second init", store_init(path, NULL, err, sizeof err), -1);
	if (strstr(err, "refusing to make a store") == NULL)
		fail_msg("second init: got \"%s\"", err);
	assert_int_eq_msg("holds after refused init", rows(path, "SELECT count(*) FROM holds"), 1);
	/* a store of schema version 5 (before case handling and several
	 * relays): the daemon refuses it, the admin's migrate brings it
	 * forward, keeping it all */
	exec_sql(path, "DROP TABLE hold_advice; DROP TABLE hold_cases;"
		       " DROP TABLE leases; ALTER TABLE release_tokens DROP COLUMN relay;"
		       " DROP INDEX holds_sender_open;"
		       " UPDATE grondslag_meta SET value = 5 WHERE key = 'schema_version'");
	assert_null(store_open(path, err, sizeof err));
	if (strstr(err, "schema version 5") == NULL)
		fail_msg("open of version 5: got \"%s\", want \"schema version 5\"", err);
	int64_t from = 0;
	assert_int_eq_msg("migrate", store_migrate(path, &from, err, sizeof err), 0);
	assert_int_eq_msg("migrated from", (int)from, 5);
	assert_int_eq_msg("schema version after", rows(path, "SELECT value FROM grondslag_meta"
						       " WHERE key = 'schema_version'"), STORE_SCHEMA_VERSION);
	s = open_ok(path);
	char holder[STORE_RELAY_MAX];
	assert_int_eq_msg("a lease after migrating", store_lease_take(s, "x", time(NULL), 60,
								      holder, sizeof holder, err,
								      sizeof err), 1);
	struct store_audit_check ck;
	assert_int_eq_msg("the chain intact", store_audit_verify(s, &ck, err, sizeof err), 0);
	store_close(s);
	/* the chain says who migrated, step by step, each in its step's
	 * transaction */
	const char *q = "SELECT count(*) FROM audit WHERE event = 'store-migrated' AND"
			" actor <> '' AND details IN ('{\"from\":5,\"to\":6}',"
			" '{\"from\":6,\"to\":7}')";
	assert_int_eq_msg("a record per step", rows(path, q), 2);
	assert_int_eq_msg("migrate again: nothing to do", store_migrate(path, &from, err,
									sizeof err), 0);
	assert_int_eq_msg("no record when nothing migrated", rows(path, q), 2);
	assert_int_eq_msg("holds after migrating", rows(path, "SELECT count(*) FROM holds"), 1);
	/* a database of something else */
	store_db(path, sizeof path, "pgforeign");
	exec_sql(path, "CREATE TABLE moz_places(id BIGINT PRIMARY KEY, url TEXT)");
	assert_null(store_open(path, err, sizeof err));
	if (strstr(err, "not a grondslag database") == NULL)
		fail_msg("foreign tables: got \"%s\"", err);
	assert_int_eq_msg("init over foreign tables", store_init(path, NULL, err, sizeof err), -1);
	/* a server out of reach: an error, quickly, never a store */
	snprintf(path, sizeof path, "host=/nonexistent port=1 dbname=x connect_timeout=2");
	assert_null(store_open(path, err, sizeof err));
	if (strstr(err, "Database host=/nonexistent") == NULL)
		fail_msg("unreachable: got \"%s\"", err);
}

/* PostgreSQL: a single relay's SQLite store moved into a new PostgreSQL
 * store: every hold, message, share, notice, decision and record, the
 * chain verifying on both; a database that is not empty, or a broken
 * chain in the file, refused with nothing left behind. */
static void test_pg_copy(void **state)
{
	(void)state;
	char file[512], to[512], err[512], ref[STORE_REF_MAX], ref2[STORE_REF_MAX];
	snprintf(file, sizeof file, "%s/tocopy.db", dir);
	assert_int_eq_msg("init the file", store_init(file, "{\"by\":\"unit\"}", err, sizeof err), 0);
	struct store *s = store_open(file, err, sizeof err);
	assert_non_null(s);
	static const char held[] = "the held message\r\n";
	struct hold_record h = sample_hold(held, sizeof held - 1);
	h.notice_to = "<analyst@ncsc.nl>";
	h.notice_message = "Subject: held\r\n\r\nheld\r\n";
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	h.data = "another";
	h.len = 7;
	assert_int_equal(store_hold_put(s, &h, ref2, err, sizeof err), 0);
	struct store_actor j = {.user = "j1", .uid = 1000, .role = "jurist"};
	static const char *const mail[] = {"<j1@ncsc.nl>"};
	struct store_decision d = {.event = HEV_APPROVE, .actor = &j, .reason = "ok",
				   .jurist_mail = mail, .njurist_mail = 1, .required = 2};
	struct store_decision_result res;
	assert_int_equal(store_hold_decide(s, ref, &d, &res, err, sizeof err), 0);
	/* a case claimed, advice asked (schema 6) */
	struct store_case_act claim = {.kind = STORE_CASE_CLAIM, .actor = &j};
	assert_int_equal(store_case_act(s, ref, &claim, err, sizeof err), 0);
	struct store_case_act ask = {.kind = STORE_CASE_ADVICE, .actor = &j, .to = "j2",
				     .text = "basis?"};
	assert_int_equal(store_case_act(s, ref, &ask, err, sizeof err), 0);
	store_relay_set(s, "relay-a");
	assert_int_equal(store_lease_take(s, "expiry", time(NULL), 60, NULL, 0, err, sizeof err), 1);
	store_close(s);
	/* every table of the file (none left out of the copy) and its rows */
	char tabs[32][64], q[160];
	long long want[32], sum = 0;
	int ntabs = 0;
	struct db *fdb = db_open(file, DB_READONLY, err, sizeof err);
	assert_non_null(fdb);
	struct db_stmt *st = db_prepare(fdb, "SELECT name FROM sqlite_master WHERE type = 'table'"
					     " AND name NOT LIKE 'sqlite_%' ORDER BY name");
	assert_non_null(st);
	while (ntabs < 32 && db_step(st) == DB_ROW)
		snprintf(tabs[ntabs++], sizeof tabs[0], "%s", db_column_text(st, 0));
	db_finalize(st);
	db_close(fdb);
	for (int i = 0; i < ntabs; i++) {
		snprintf(q, sizeof q, "SELECT count(*) FROM %.63s", tabs[i]);
		want[i] = rows(file, q);
		if (strcmp(tabs[i], "grondslag_meta") != 0)
			sum += want[i];
	}
	assert_true(ntabs >= 12);
	assert_int_eq_msg("a case", rows(file, "SELECT count(*) FROM hold_cases"), 1);
	assert_int_eq_msg("advice", rows(file, "SELECT count(*) FROM hold_advice"), 1);
	store_db(to, sizeof to, "pgcopy");
	int64_t n = 0;
	struct store *live = open_ok(file);	/* a daemon still holding it open */
	assert_int_eq_msg("copy", store_copy(file, to, &n, err, sizeof err), 0);
	h.data = "late";
	h.len = 4;
	assert_int_eq_msg("a hold into the moved file", store_hold_put(live, &h, ref2, err,
								      sizeof err), -1);
	if (strstr(err, "moved to PostgreSQL") == NULL)
		fail_msg("write to the moved file: got \"%s\"", err);
	store_close(live);
	for (int i = 0; i < ntabs; i++) {
		snprintf(q, sizeof q, "SELECT count(*) FROM %.63s", tabs[i]);
		if (strcmp(tabs[i], "grondslag_meta") == 0)
			continue;	/* the new store's own */
		/* the new store's chain has the copy's record after the copied */
		assert_int_eq_msg(tabs[i], rows(to, q), want[i] + (strcmp(tabs[i], "audit") == 0));
	}
	assert_int_eq_msg("rows copied", (int)n, (int)sum);
	assert_int_eq_msg("the copy's record", rows(to, "SELECT count(*) FROM audit WHERE event ="
						    " 'store-copied' AND actor <> ''"), 1);
	/* the file retired: its last record names the new store (no
	 * password), opening it is refused, a daemon holding it open cannot
	 * write to it */
	assert_int_eq_msg("the file's last record", rows(file, "SELECT count(*) FROM audit WHERE"
						       " event = 'store-moved' AND seq = (SELECT"
						       " max(seq) FROM audit)"), 1);
	assert_int_eq_msg("no password in it", rows(file, "SELECT count(*) FROM audit WHERE"
						    " details LIKE '%password%'"), 0);
	assert_null(store_open(file, err, sizeof err));
	if (strstr(err, "was moved to PostgreSQL on") == NULL ||
	    strstr(err, "Database must name the new store") == NULL)
		fail_msg("open of the moved file: got \"%s\"", err);
	struct store_audit_check ck;
	s = store_open_readonly(file, err, sizeof err);
	assert_non_null(s);	/* its record is still read and verified */
	assert_int_eq_msg("the moved file's chain", store_audit_verify(s, &ck, err, sizeof err), 0);
	store_close(s);
	s = open_ok(to);
	assert_int_eq_msg("the chain on PostgreSQL", store_audit_verify(s, &ck, err, sizeof err), 0);
	int64_t audit_want = 0;
	for (int i = 0; i < ntabs; i++)
		if (strcmp(tabs[i], "audit") == 0)
			audit_want = want[i] + 1;
	assert_int_eq_msg("every record", (int)ck.records, (int)audit_want);
	size_t len = 0;
	char *m = store_hold_message(s, ref, &len);
	assert_non_null(m);
	assert_int_eq_msg("the message, byte for byte", (int)len, (int)sizeof held - 1);
	assert_memory_equal(m, held, sizeof held - 1);
	free(m);
	/* the store goes on: a new hold, its record after the copied ones */
	h.data = "third";
	h.len = 5;
	char ref3[STORE_REF_MAX];
	assert_int_eq_msg("a hold after the copy", store_hold_put(s, &h, ref3, err, sizeof err), 0);
	assert_int_eq_msg("the chain goes on", store_audit_verify(s, &ck, err, sizeof err), 0);
	store_close(s);
	/* the moved file is not copied again */
	assert_int_eq_msg("copy again", store_copy(file, to, &n, err, sizeof err), -1);
	if (strstr(err, "was moved to PostgreSQL") == NULL)
		fail_msg("copy of a moved file: got \"%s\"", err);
	/* not into a store that exists */
	snprintf(file, sizeof file, "%s/tocopy2.db", dir);
	assert_int_equal(store_init(file, "{\"by\":\"unit\"}", err, sizeof err), 0);
	s = open_ok(file);
	h.data = "x";
	h.len = 1;
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	store_close(s);
	assert_int_eq_msg("copy into a store", store_copy(file, to, &n, err, sizeof err), -1);
	if (strstr(err, "refusing to make a store") == NULL)
		fail_msg("copy into a store: got \"%s\"", err);
	/* a daemon writing to the file: refused, the file goes on */
	struct db *daemon = db_open(file, DB_READWRITE, err, sizeof err);
	assert_non_null(daemon);
	assert_int_equal(db_begin_write(daemon), DB_OK);
	store_db(to, sizeof to, "pgcopy3");
	assert_int_eq_msg("copy while written", store_copy(file, to, &n, err, sizeof err), -1);
	if (strstr(err, "is being written") == NULL)
		fail_msg("copy while written: got \"%s\"", err);
	db_rollback(daemon);
	db_close(daemon);
	s = open_ok(file);
	store_close(s);
	/* a broken chain in the file: refused, nothing made */
	exec_sql(file, "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'x' WHERE seq = 2");
	store_db(to, sizeof to, "pgcopy2");
	assert_int_eq_msg("copy of a broken chain", store_copy(file, to, &n, err, sizeof err), -1);
	if (strstr(err, "broken") == NULL)
		fail_msg("broken chain: got \"%s\"", err);
	assert_int_eq_msg("nothing made", rows(to, "SELECT count(*) FROM information_schema.tables"
					       " WHERE table_schema = 'public'"), 0);
}

/* PostgreSQL: the server ends the store's connection (a restart, a
 * failover): the next transaction reconnects; a write whose connection is
 * gone mid-transaction fails (the milter answers 451), never half-done. */
static void test_pg_reconnect(void **state)
{
	(void)state;
	char path[512], err[512], ref[STORE_REF_MAX], admin[512];
	struct store *s = open_ok(store_db(path, sizeof path, "pgreconnect"));
	struct hold_record h = sample_hold("before", 6);
	assert_int_equal(store_hold_put(s, &h, ref, err, sizeof err), 0);
	snprintf(admin, sizeof admin, "%s dbname=postgres", fixture_pg());
	char kill[512];
	snprintf(kill, sizeof kill,
		 "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname ="
		 " '%s' AND pid <> pg_backend_pid()", strstr(path, "dbname=") + 7);
	assert_int_eq_msg("connections ended", fixture_rows(admin, kill), 1);
	h = sample_hold("after", 5);
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("hold after the server ended the connection: got \"%s\", want a"
			 " reconnect", err);
	assert_int_eq_msg("holds", store_hold_count(s), 2);
	/* the record stays one chain across the reconnect */
	struct store_audit_check c;
	assert_int_eq_msg("verify", store_audit_verify(s, &c, err, sizeof err), 0);
	store_close(s);
}

/* Jobs for the whole store, one relay at a time: a lease taken by one
 * relay is refused to another (named) until it lapses, renewed by its
 * holder, then taken over; an invalid name or job is refused. */
static void test_lease(void **state)
{
	(void)state;
	char path[512], err[256], holder[STORE_RELAY_MAX];
	store_db(path, sizeof path, "lease.db");
	struct store *a = open_ok(path), *b = open_ok(path);
	assert_int_eq_msg("name a", store_relay_set(a, "relay-a"), 0);
	assert_int_eq_msg("name b", store_relay_set(b, "relay-b"), 0);
	assert_int_eq_msg("a name with a blank", store_relay_set(b, "relay b"), -1);
	time_t now = time(NULL);
	assert_int_eq_msg("a takes it", store_lease_take(a, "expiry", now, 90, holder,
							 sizeof holder, err, sizeof err), 1);
	assert_int_eq_msg("b is refused", store_lease_take(b, "expiry", now + 1, 90, holder,
							   sizeof holder, err, sizeof err), 0);
	assert_str_eq_msg("the holder named", holder, "relay-a");
	assert_int_eq_msg("another job is free", store_lease_take(b, "checkpoint", now, 90, holder,
								  sizeof holder, err, sizeof err), 1);
	assert_int_eq_msg("a renews", store_lease_take(a, "expiry", now + 60, 90, holder,
						       sizeof holder, err, sizeof err), 1);
	/* the terms by the caller's clock: SQLite only (on PostgreSQL the
	 * database's clock counts: test_pg_lease_db_clock) */
	if (!fixture_pg()) {
		assert_int_eq_msg("b still refused after the first term", store_lease_take(
				  b, "expiry", now + 100, 90, holder, sizeof holder, err, sizeof err), 0);
		assert_int_eq_msg("b takes over once a's lease lapsed", store_lease_take(
				  b, "expiry", now + 150, 90, holder, sizeof holder, err, sizeof err), 1);
		assert_int_eq_msg("a is refused now", store_lease_take(a, "expiry", now + 151, 90,
								       holder, sizeof holder, err,
								       sizeof err), 0);
		assert_str_eq_msg("the new holder", holder, "relay-b");
	}
	/* given up by its holder: free at once for the other */
	struct store *giver = fixture_pg() ? a : b, *taker = fixture_pg() ? b : a;
	assert_int_eq_msg("given up", store_lease_give(giver, "expiry", err, sizeof err), 0);
	assert_int_eq_msg("taken at once after it was given up", store_lease_take(
			  taker, "expiry", now + 152, 90, holder, sizeof holder, err, sizeof err), 1);
	assert_int_eq_msg("giving up another's lease changes nothing",
			  store_lease_give(giver, "expiry", err, sizeof err), 0);
	assert_int_eq_msg("still the taker's", store_lease_take(
			  giver, "expiry", now + 153, 90, holder, sizeof holder, err, sizeof err), 0);
	assert_int_eq_msg("one row per job", rows(path, "SELECT count(*) FROM leases"), 2);
	assert_int_eq_msg("no job", store_lease_take(a, "", now, 90, NULL, 0, err, sizeof err), -1);
	assert_int_eq_msg("no term", store_lease_take(a, "x", now, 0, NULL, 0, err, sizeof err), -1);
	/* a commit that fails: an error, never "taken" */
	store_fail_next(a);
	assert_int_eq_msg("failed commit", store_lease_take(a, "digest", now, 90, NULL, 0, err,
							    sizeof err), -1);
	assert_int_eq_msg("nothing of it", rows(path, "SELECT count(*) FROM leases"
						" WHERE job = 'digest'"), 0);
	store_close(a);
	store_close(b);
}

/* A client's retry landing on the other relay finds the hold the first
 * relay made (the check is in the shared store). */
static void test_hold_retry_other_relay(void **state)
{
	(void)state;
	char path[512], first[STORE_REF_MAX], ref[STORE_REF_MAX], err[256];
	store_db(path, sizeof path, "retry2.db");
	struct store *a = open_ok(path), *b = open_ok(path);
	store_relay_set(a, "relay-a");
	store_relay_set(b, "relay-b");
	struct hold_record h = sample_hold("msg", 3);
	h.retry_key = "k-other";
	h.retry_window = 3600;
	h.received = time(NULL) - 60;
	assert_int_eq_msg("first, on a", store_hold_put(a, &h, first, err, sizeof err), 0);
	h.queue_id = "RETRYONB";
	h.received = time(NULL);
	assert_int_eq_msg("the retry, on b", store_hold_put(b, &h, ref, err, sizeof err), 1);
	assert_str_eq_msg("a's reference", ref, first);
	assert_int_eq_msg("one hold", store_hold_count(b), 1);
	store_close(a);
	store_close(b);
}

/* PostgreSQL: a lease's term is the database's clock, not the relay's. A
 * relay whose clock is an hour behind takes a lease; a relay with the
 * right clock cannot take it over before it lapses by the database's
 * time (by the laggard's clock it lapsed long ago), and a relay whose
 * clock is an hour behind can once it did. */
static void test_pg_lease_db_clock(void **state)
{
	(void)state;
	char path[512], err[256], holder[STORE_RELAY_MAX];
	store_db(path, sizeof path, "leaseclock");
	struct store *a = open_ok(path), *b = open_ok(path);
	assert_int_equal(store_relay_set(a, "relay-slow"), 0);
	assert_int_equal(store_relay_set(b, "relay-right"), 0);
	time_t now = time(NULL);
	assert_int_eq_msg("the slow relay takes it", store_lease_take(a, "expiry", now - 3600, 3,
								       holder, sizeof holder, err,
								       sizeof err), 1);
	assert_int_eq_msg("a relay with the right clock is refused", store_lease_take(
			  b, "expiry", now, 3, holder, sizeof holder, err, sizeof err), 0);
	assert_str_eq_msg("the holder", holder, "relay-slow");
	assert_int_eq_msg("a relay an hour ahead is refused too", store_lease_take(
			  b, "expiry", now + 3600, 3, holder, sizeof holder, err, sizeof err), 0);
	/* the term is the database's: over after 3 s, whatever the clocks say */
	sleep(5);
	assert_int_eq_msg("taken once it lapsed, by a relay an hour behind", store_lease_take(
			  b, "expiry", now - 3600, 3, holder, sizeof holder, err, sizeof err), 1);
	assert_int_eq_msg("the row's term is the database's",
			  rows(path, "SELECT count(*) FROM leases WHERE job = 'expiry' AND"
				     " abs(expires - 3 - extract(epoch FROM now())) < 60"), 1);
	store_close(a);
	store_close(b);
}

/* A job of the whole store run once a day (the jurists' digest): the
 * record, not a relay's memory, says whether today's went out; the check
 * and the write are one transaction. */
static void test_notices_put_unless(void **state)
{
	(void)state;
	char path[512], err[256];
	store_db(path, sizeof path, "unless.db");
	struct store *a = open_ok(path), *b = open_ok(path);
	time_t now = time(NULL), today = now / 86400 * 86400;
	struct hold_notice n[2] = {{.kind = "digest", .to = "j1@ncsc.nl", .message = "m"},
				   {.kind = "digest", .to = "j2@ncsc.nl", .message = "m"}};
	struct store_audit rec = {.event = "digest", .ref = "", .details = "{}"};
	assert_int_eq_msg("the first", store_notices_put_unless(a, n, 2, "", &rec, now, today, err,
								  sizeof err), 0);
	assert_int_eq_msg("the other relay, same day", store_notices_put_unless(
			  b, n, 2, "", &rec, now + 1, today, err, sizeof err), 1);
	assert_int_eq_msg("notices", rows(path, "SELECT count(*) FROM outbox WHERE kind = 'digest'"),
			  2);
	assert_int_eq_msg("records", rows(path, "SELECT count(*) FROM audit WHERE event = 'digest'"),
			  1);
	assert_int_eq_msg("the next day", store_notices_put_unless(
			  b, n, 1, "", &rec, now + 86400, today + 86400, err, sizeof err), 0);
	assert_int_eq_msg("no record event", store_notices_put_unless(
			  b, n, 1, "", NULL, now, today, err, sizeof err), -1);
	store_fail_next(a);
	assert_int_eq_msg("a failed commit", store_notices_put_unless(
			  a, n, 1, "", &rec, now + 2 * 86400, today + 2 * 86400, err, sizeof err), -1);
	assert_int_eq_msg("records after all", rows(path, "SELECT count(*) FROM audit"
						   " WHERE event = 'digest'"), 2);
	store_close(a);
	store_close(b);
}

struct reader {
	struct store *s;
	int n, failures;
};

static int count_hold(void *arg, const struct store_report_hold *h)
{
	(void)h;
	(*(size_t *)arg)++;
	return 0;
}

/* Thread: n rounds of the readers' functions (the control socket's and
 * the reports') beside the writers, each on the connection it took. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	char err[256], out[128];
	for (int i = 0; i < r->n; i++) {
		struct store_hold_filter f = {.all_states = true, .limit = 5};
		struct store_hold_list l = {0};
		if (store_holds_list(r->s, &f, &l, err, sizeof err) != 0) {
			r->failures++;
			continue;
		}
		if (l.n > 0) {
			const char *ref = l.holds[0].ref;
			struct store_case c = {0};
			if (store_case_get(r->s, ref, &c, err, sizeof err) != 0)
				r->failures++;
			store_case_free(&c);
			struct store_approval *a = NULL;
			size_t na = 0;
			if (store_hold_approvals(r->s, ref, &a, &na, err, sizeof err) != 0)
				r->failures++;
			store_approvals_free(a, na);
			if (store_hold_message_stamp(r->s, ref, out, sizeof out) != 0)
				r->failures++;
		}
		store_hold_list_free(&l);
		if (store_party_held(r->s, "CERT-X", out, sizeof out, err, sizeof err) < 0)
			r->failures++;
		struct store_totals tot;
		if (store_report_totals(r->s, &tot, err, sizeof err) != 0)
			r->failures++;
		size_t nh = 0;
		if (store_report_holds(r->s, 0, INT64_MAX, count_hold, &nh, err, sizeof err) != 0)
			r->failures++;
		/* the notifier's look at the outbox, from several threads: the
		 * strings it keeps are swapped under a lock, never freed twice */
		struct store_notice n;
		if (store_notice_next(r->s, time(NULL) + 1, &n) < 0)
			r->failures++;
	}
	return NULL;
}

/* Thread: the outbox's next notice, n times (the strings of the front
 * swapped by each call, never freed twice). */
static void *notice_main(void *arg)
{
	struct reader *r = arg;
	for (int i = 0; i < r->n; i++) {
		struct store_notice n;
		if (store_notice_next(r->s, time(NULL) + 1, &n) != 1)
			r->failures++;
	}
	return NULL;
}

/* k threads of fn, each n rounds on s. */
static void readers_start(pthread_t *t, struct reader *r, int k, void *(*fn)(void *),
			  struct store *s, int n)
{
	for (int i = 0; i < k; i++) {
		r[i] = (struct reader){s, n, 0};
		assert_int_equal(pthread_create(&t[i], NULL, fn, &r[i]), 0);
	}
}

/* Wait for the k threads of readers_start(): none may have failed. */
static void readers_join(pthread_t *t, struct reader *r, int k, const char *what)
{
	for (int i = 0; i < k; i++) {
		pthread_join(t[i], NULL);
		assert_int_eq_msg(what, r[i].failures, 0);
	}
}

/* The count of sql, waited for (up to 5 s) to become want: the server
 * lists a session that ended (the last count's own) for a moment. */
static long long sessions(const char *path, const char *sql, long long want)
{
	long long n = rows(path, sql);
	for (int i = 0; i < 50 && n != want; i++) {
		usleep(100000);
		n = rows(path, sql);
	}
	return n;
}

/* The daemon's connections: store_pool_grow() opens them (PostgreSQL;
 * SQLite keeps its one), 8 threads write through one store at once while
 * 4 read (listings, cases, reports: each reads and ends its transaction
 * on the connection it took, never on a writer's), the chain stays one
 * linear chain; connections the server ended are made anew by their next
 * use, and there are never more than the pool's. */
static void test_pool(void **state)
{
	(void)state;
	char path[512], err[512];
	store_db(path, sizeof path, "pool.db");
	struct store *s = open_ok(path);
	assert_int_eq_msg("no connections", store_pool_grow(s, 0, 30, err, sizeof err), -1);
	assert_int_eq_msg("too many", store_pool_grow(s, STORE_POOL_MAX + 1, 30, err, sizeof err),
			  -1);
	assert_int_eq_msg("four", store_pool_grow(s, 4, 30, err, sizeof err), 0);
	assert_int_eq_msg("only once", store_pool_grow(s, 4, 30, err, sizeof err), -1);
	assert_int_equal(store_relay_set(s, "relay-a"), 0);
	char count[512] = "", name[64] = "";
	if (fixture_pg()) {
		/* the database's name: up to the blank before user= (the role's run) */
		const char *d = strstr(path, "dbname=") + 7;
		snprintf(name, sizeof name, "%.*s", (int)strcspn(d, " "), d);
		snprintf(count, sizeof count, "SELECT count(*) FROM pg_stat_activity WHERE datname ="
			 " '%s' AND application_name = 'grondslag' AND pid <> pg_backend_pid()",
			 name);
		assert_int_eq_msg("the server's sessions of the store", sessions(path, count, 4), 4);
	}
	for (int round = 0; round < 2; round++) {
		if (round == 1 && fixture_pg()) {
			/* the server ends every connection (a restart, a failover) */
			char admin[512], kill[512];
			snprintf(admin, sizeof admin, "%s dbname=postgres", fixture_pg());
			snprintf(kill, sizeof kill, "SELECT count(pg_terminate_backend(pid)) FROM"
				 " pg_stat_activity WHERE datname = '%s' AND application_name ="
				 " 'grondslag'", name);
			assert_int_eq_msg("connections ended", fixture_rows(admin, kill), 4);
		}
		pthread_t t[8], rt[4];
		struct writer w[8];
		struct reader r[4];
		for (int i = 0; i < 8; i++) {
			w[i] = (struct writer){s, path, i + 8 * round, 10, 0};
			assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
		}
		readers_start(rt, r, 4, reader_main, s, 10);
		for (int i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			assert_int_eq_msg("failed writes", w[i].failures, 0);
		}
		readers_join(rt, r, 4, "failed reads");
	}
	assert_int_eq_msg("holds", store_hold_count(s), 160);
	struct store_audit_check c;
	if (store_audit_verify(s, &c, err, sizeof err) != 0)
		fail_msg("audit chain after 8 threads on a pool: got bad seq %lld (%s %s), want a"
			 " whole chain", (long long)c.bad_seq, c.why, err);
	assert_int_eq_msg("no gap", rows(path, "SELECT count(*) FROM audit"),
			  rows(path, "SELECT max(seq) FROM audit"));
	if (fixture_pg()) {
		/* bounded: the ended ones made anew as used, never more than 4 */
		long long n = rows(path, count);
		if (n < 1 || n > 4)
			fail_msg("the store's sessions after the reconnects: got %lld, want 1..4", n);
	}
	/* four threads ask for the next notice at once, each on its own
	 * connection */
	assert_int_equal(store_notice_put(s, "hold", "", "j@ncsc.nl", "m", err, sizeof err), 0);
	pthread_t nt[4];
	struct reader nr[4];
	readers_start(nt, nr, 4, notice_main, s, 300);
	readers_join(nt, nr, 4, "next notice");
	/* the test hook counts for every connection of the store */
	store_fail_commits(s, 2);
	char ref[STORE_REF_MAX];
	struct hold_record h = sample_hold("hooked", 6);
	assert_int_eq_msg("hooked 1", store_hold_put(s, &h, ref, err, sizeof err), -1);
	assert_int_eq_msg("hooked 2", store_hold_put(s, &h, ref, err, sizeof err), -1);
	assert_int_eq_msg("after the hook", store_hold_put(s, &h, ref, err, sizeof err), 0);
	store_close(s);
}

/* PostgreSQL: DatabaseTimeout bounds a write transaction (the milter must
 * answer within it), not what else the daemon's connection runs: a report
 * or an audit over a large store keeps the readers' own limit. */
static void test_pg_timeout_writers_only(void **state)
{
	(void)state;
	char path[512], err[512];
	struct store *s = open_ok(store_db(path, sizeof path, "writerlimit"));
	store_close(s);
	struct db *db = db_open(path, DB_READWRITE, err, sizeof err);
	assert_non_null(db);
	assert_int_eq_msg("timeout 1 s", db_set_timeout(db, 1), DB_OK);
	int64_t v = 0;
	assert_int_eq_msg("a read of 2 s outside a write transaction",
			  db_query_int(db, "SELECT 7 FROM pg_sleep(2)", &v), DB_OK);
	assert_int_eq_msg("its answer", (int)v, 7);
	assert_int_eq_msg("a read transaction", db_begin_read(db), DB_OK);
	assert_int_eq_msg("a read of 2 s in it", db_query_int(db, "SELECT 8 FROM pg_sleep(2)", &v),
			  DB_OK);
	assert_int_eq_msg("read committed", db_commit(db), DB_OK);
	assert_int_eq_msg("a write transaction", db_begin_write(db), DB_OK);
	assert_int_eq_msg("a statement of 2 s in it: cancelled",
			  db_query_int(db, "SELECT 9 FROM pg_sleep(2)", &v), DB_ERROR);
	db_rollback(db);
	assert_int_eq_msg("after it, reads have their limit again",
			  db_query_int(db, "SELECT 10 FROM pg_sleep(2)", &v), DB_OK);
	db_close(db);
}

/* PostgreSQL: a commit that waits for a synchronous standby that is not
 * there (a promoted standby still naming one) fails within the store's
 * timeout, as a retryable error (the milter answers 451), instead of
 * holding the MTA's session until its own timeout; the transaction the
 * server kept is found by the client's retry. */
static void test_pg_commit_deadline(void **state)
{
	(void)state;
	char path[512], err[512], admin[512], ref[STORE_REF_MAX], again[STORE_REF_MAX];
	struct store *s = open_ok(store_db(path, sizeof path, "deadline"));
	assert_int_eq_msg("timeout", store_pool_grow(s, 2, 2, err, sizeof err), 0);
	snprintf(admin, sizeof admin, "%s dbname=postgres", fixture_pg());
	fixture_exec(admin, "ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
	fixture_exec(admin, "SELECT pg_reload_conf()");
	sleep(1);
	struct hold_record h = sample_hold("waits", 5);
	h.retry_key = "k-deadline";
	h.retry_window = 3600;
	h.received = time(NULL);
	time_t t0 = time(NULL);
	int rc = store_hold_put(s, &h, ref, err, sizeof err);
	time_t took = time(NULL) - t0;
	fixture_exec(admin, "ALTER SYSTEM RESET synchronous_standby_names");
	fixture_exec(admin, "SELECT pg_reload_conf()");
	sleep(1);
	assert_int_eq_msg("the hold without its standby", rc, -1);
	if (strstr(err, "commit not confirmed within 2 s") == NULL &&
	    strstr(err, "synchronous standby") == NULL)
		fail_msg("got \"%s\", want the commit not confirmed", err);
	if (took > 6)
		fail_msg("the failed commit took %lld s, want about 2", (long long)took);
	/* the store works on: the retry finds the hold the server kept */
	assert_int_eq_msg("the retry", store_hold_put(s, &h, again, err, sizeof err), 1);
	assert_int_eq_msg("one hold", store_hold_count(s), 1);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest sqlite_only[] = {
		/* the file: its checks, its creation, its removal, its WAL */
		cmocka_unit_test(test_open_create),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_removed_while_open),
		cmocka_unit_test(test_migrate_sender_index),
	};
	const struct CMUnitTest pg_only[] = {
		cmocka_unit_test(test_pg_init),
		cmocka_unit_test(test_migrate_sender_index),
		cmocka_unit_test(test_pg_reconnect),
		cmocka_unit_test(test_pg_copy),
		cmocka_unit_test(test_pg_lease_db_clock),
		cmocka_unit_test(test_pg_commit_deadline),
		cmocka_unit_test(test_pg_timeout_writers_only),
	};
	/* the contract: every backend */
	const struct CMUnitTest contract[] = {
		cmocka_unit_test(test_hold_memory),
		cmocka_unit_test(test_hold_stamp),
		cmocka_unit_test(test_hold_fd),
		cmocka_unit_test(test_hold_invalid),
		cmocka_unit_test(test_hold_given_ref_and_notice),
		cmocka_unit_test(test_hold_retry),
		cmocka_unit_test(test_hold_retry_other_relay),
		cmocka_unit_test(test_lease),
		cmocka_unit_test(test_notices_put_unless),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_share),
		cmocka_unit_test(test_hold_with_shares),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_notice_queue),
		cmocka_unit_test(test_fail_hook),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_durability_sigkill),
	};
	/* GRONDSLAG_TEST_PG_ROLE: the contract alone, as the daemon's role */
	const char *role = getenv("GRONDSLAG_TEST_PG_ROLE");
	int failed = 0;
	if (!fixture_pg())
		failed = cmocka_run_group_tests_name("sqlite", sqlite_only, setup_dir, remove_dir);
	else if (role == NULL || *role == '\0')
		failed = cmocka_run_group_tests_name("postgresql", pg_only, setup_dir, remove_dir);
	return failed + cmocka_run_group_tests_name("contract", contract, setup_dir, remove_dir);
}
