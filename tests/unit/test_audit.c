/*
 * test_audit.c - the record: canonical details, records written in the
 * transactions of holds, shares and decisions, the chain verified; a
 * tampered field, a deleted row, two swapped rows (made with plain SQLite
 * beside the store) are found and the first bad seq named; a clean chain
 * of 100,000 records verifies (the time is printed, not asserted); the
 * decisions through the store: the sender refused and recorded, one
 * approval of two releases nothing, two distinct jurists approve, deny
 * with its notice, decided_at columns set.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"

#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/store/audit.h"
#include "grondslag/store/store.h"


static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("audit");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static void exec_sql(const char *path, const char *sql)
{
	fixture_exec(path, sql);
}

static long long rows(const char *path, const char *sql)
{
	return fixture_rows(path, sql);
}

/* The store "name" on this run's backend (fixture_store.h). */
static const char *store_db(char *buf, size_t size, const char *name)
{
	return fixture_database(buf, size, dir, name);
}

static struct store *open_ok(const char *path)
{
	char err[512];
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("fixture_store_open(%s): got NULL (%s), want a store", path, err);
	return s;
}

/* Verify path read-only: the store_audit_verify() result. */
static int verify(const char *path, struct store_audit_check *c)
{
	char err[512];
	struct store *s = store_open_readonly(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store_open_readonly: %s", err);
	int rc = store_audit_verify(s, c, err, sizeof err);
	store_close(s);
	return rc;
}

static void test_details_canonical(void **state)
{
	(void)state;
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "zeta", "last");
	audit_details_int(d, "alpha", -5);
	audit_details_str(d, "mid", "q\"uo\\te\nnl\x7f \xff bad");
	audit_details_str(d, "alpha", "duplicate keeps the first (sorted stable? no: first added)");
	char *text = audit_details_finish(d);
	assert_non_null(text);
	/* the duplicate: qsort is not stable, so only check it appears once */
	const char *want_tail = ",\"mid\":\"q\\\"uo\\\\te\\u000anl\\u007f ? bad\",\"zeta\":\"last\"}";
	if (strncmp(text, "{\"alpha\":", 9) != 0 || strstr(text, want_tail) == NULL ||
	    strstr(text + 1, "\"alpha\"") != text + 1)
		fail_msg("details: got %s, want sorted keys, one alpha, tail %s", text, want_tail);
	free(text);
	struct audit_record r = {.seq = 1, .at = 100, .actor = "daemon", .uid = -1, .role = "daemon",
				 .event = "start", .ref = "", .details = "{}"};
	char *c = audit_canonical(&r);
	assert_str_eq_msg("canonical", c,
			  "{\"actor\":\"daemon\",\"at\":100,\"details\":{},\"event\":\"start\","
			  "\"ref\":\"\",\"role\":\"daemon\",\"seq\":1,\"uid\":null}");
	free(c);
}

/* Append n records through the store (each its own transaction). */
static void append_n(struct store *s, int n)
{
	static const struct store_actor j = {"jan", 1001, "jurist", NULL};
	char err[256];
	for (int i = 0; i < n; i++) {
		struct audit_details *d = audit_details_new();
		audit_details_int(d, "i", i);
		char *det = audit_details_finish(d);
		struct store_audit a = {.actor = i % 2 ? &j : NULL, .event = "view",
					.ref = "G20250314-7KQ2M9XH0T", .details = det};
		assert_int_equal(store_audit_put(s, &a, err, sizeof err), 0);
		free(det);
	}
}

static void test_tamper(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *sql;
		long long bad_seq;
		const char *why;
	} cases[] = {
		{"clean", "", 0, ""},
		{"details altered", "UPDATE audit SET details = '{\"i\":99}' WHERE seq = 5", 5,
		 "altered"},
		{"actor altered", "UPDATE audit SET actor = 'mallory' WHERE seq = 2", 2, "altered"},
		{"time altered", "UPDATE audit SET at = at + 1 WHERE seq = 9", 9, "altered"},
		{"first record altered", "UPDATE audit SET event = 'deny' WHERE seq = 1", 1,
		 "altered"},
		{"record deleted", "DELETE FROM audit WHERE seq = 5", 5, "missing"},
		{"two records swapped",
		 "UPDATE audit SET seq = -1 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 5;"
		 " UPDATE audit SET seq = 5 WHERE seq = -1", 5, "does not follow"},
		{"hash rewritten", "UPDATE audit SET hash = '00' WHERE seq = 4", 4, "altered"},
		{"record deleted and renumbered",
		 /* in two steps: a key must stay unique after every row */
		 "DELETE FROM audit WHERE seq = 3; UPDATE audit SET seq = -seq WHERE seq > 3;"
		 " UPDATE audit SET seq = -seq - 1 WHERE seq < 0", 3,
		 "does not follow"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char path[512], name[32];
		snprintf(name, sizeof name, "tamper%zu.db", i);
		store_db(path, sizeof path, name);
		struct store *s = open_ok(path);
		append_n(s, 12);
		store_close(s);
		if (*cases[i].sql) {
			char sql[1024];
			/* the triggers stop accidents; an attacker drops them */
			snprintf(sql, sizeof sql, "%s %s", fixture_drop_audit_triggers(),
				 cases[i].sql);
			exec_sql(path, sql);
		}
		struct store_audit_check c;
		int rc = verify(path, &c);
		if (getenv("TEST_VERBOSE"))
			printf("%s: rc %d seq %lld: %s\n", cases[i].name, rc, (long long)c.bad_seq, c.why);
		assert_int_eq_msg(cases[i].name, rc, cases[i].bad_seq ? 1 : 0);
		assert_int_eq_msg(cases[i].name, c.bad_seq, cases[i].bad_seq);
		if (strstr(c.why, cases[i].why) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\" in it", cases[i].name, c.why, cases[i].why);
	}
}

static void test_append_only(void **state)
{
	(void)state;
	char path[512];
	store_db(path, sizeof path, "trig.db");
	struct store *s = open_ok(path);
	append_n(s, 2);
	store_close(s);
	assert_int_eq_msg("update refused", fixture_try_exec(path, "UPDATE audit SET actor='x'"),
			  -1);
	assert_int_eq_msg("delete refused", fixture_try_exec(path, "DELETE FROM audit"), -1);
	if (fixture_pg())
		assert_int_eq_msg("truncate refused", fixture_try_exec(path, "TRUNCATE audit"), -1);
	/* the store's "init" record and the two */
	assert_int_eq_msg("records kept", rows(path, "SELECT count(*) FROM audit"), 3);
}

static void test_100k(void **state)
{
	(void)state;
	enum { N = 100000 };
	char path[512], err[256];
	store_db(path, sizeof path, "big.db");
	/* after the store's "init" record (seq 1), written directly (one
	 * transaction) with the same hashing: the test is about verifying,
	 * not about 100,000 fsyncs */
	char prev[AUDIT_HASH_HEX], hash[AUDIT_HASH_HEX], details[128], ev[32];
	int64_t head = 0;
	struct store *s0 = open_ok(path);
	assert_int_equal(store_audit_head(s0, &head, prev, ev, sizeof ev, err, sizeof err), 0);
	store_close(s0);
	assert_int_eq_msg("head of a new store", head, 1);
	char why[256];
	struct db *db = db_open(path, DB_READWRITE, why, sizeof why);
	if (db == NULL)
		fail_msg("open %s: %s", path, why);
	assert_int_equal(db_exec(db, "BEGIN"), DB_OK);
	struct db_stmt *st = db_prepare(db, "INSERT INTO audit(seq, at, actor, uid, role, event, ref,"
					    " details, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?,?,?)");
	assert_non_null(st);
	for (int i = 2; i <= N + 1; i++) {
		snprintf(details, sizeof details,
			 "{\"queue_id\":\"4XyZ%d\",\"recipient\":\"<cert@cert.be>\",\"tlp\":3}", i);
		struct audit_record r = {.seq = i, .at = 1741953600 + i, .actor = "daemon", .uid = -1,
					 .role = "daemon", .event = "share", .ref = "",
					 .details = details};
		assert_int_equal(audit_hash(&r, prev, hash), 0);
		db_reset(st);
		db_bind_int64(st, 1, i);
		db_bind_int64(st, 2, r.at);
		db_bind_text(st, 3, "daemon");
		db_bind_null(st, 4);
		db_bind_text(st, 5, "daemon");
		db_bind_text(st, 6, "share");
		db_bind_text(st, 7, "");
		db_bind_text(st, 8, details);
		db_bind_text(st, 9, prev);
		db_bind_text(st, 10, hash);
		assert_int_equal(db_step(st), DB_DONE);
		memcpy(prev, hash, sizeof prev);
	}
	db_finalize(st);
	assert_int_equal(db_exec(db, "COMMIT"), DB_OK);
	db_close(db);
	/* the store appends after them */
	struct store *s = open_ok(path);
	append_n(s, 1);
	store_close(s);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct store_audit_check c;
	int rc = verify(path, &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("audit verify: %lld records in %.3f s (%.0f records/s)\n", (long long)c.records, secs,
	       (double)c.records / secs);
	assert_int_eq_msg("verify 100k", rc, 0);
	assert_int_eq_msg("records", c.records, N + 2);
}

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<info@jpcert.or.jp>", "jpcert", "constituency-mismatch", "Not their constituency."},
};

/* A stored hold from <alice@ncsc.nl> to the two recipients above. */
static void put_hold(struct store *s, char ref[STORE_REF_MAX])
{
	struct hold_share sh = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>",
				 .recipient = "<cert@cert.be>", .party = "cert-be",
				 .bases = "wbni-20", .articles = "a", .countries = "BE:3"};
	struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>", .subject = "s",
			       .received = time(NULL), .registry_digest = "ab", .data = "m",
			       .len = 1, .fd = -1, .rcpts = held, .nrcpts = 2, .shares = &sh,
			       .nshares = 1};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* held and show on the store: filters, open/all, approvals. */
static void check_listing(struct store *s, const char *open_ref, const char *denied_ref)
{
	static const struct {
		const char *name;
		struct store_hold_filter f;
		size_t want;
	} cases[] = {
		{"open holds", {0}, 1},
		{"all states", {.all_states = true}, 2},
		{"by party", {.party = "jpcert", .all_states = true}, 2},
		{"unknown party", {.party = "cert-be"}, 0},
		{"by reason", {.reason = "no-basis"}, 1},
		{"reason is a whole code", {.reason = "basis"}, 0},
		{"by sender, any case", {.sender = "ALICE@"}, 1},
		{"other sender", {.sender = "bob@"}, 0},
		{"since the future", {.since = 4102444800}, 0},
		{"limit", {.all_states = true, .limit = 1}, 1},
	};
	char err[256];
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct store_hold_list l;
		assert_int_eq_msg(cases[i].name, store_holds_list(s, &cases[i].f, &l, err, sizeof err), 0);
		assert_int_eq_msg(cases[i].name, l.n, cases[i].want);
		if (cases[i].f.limit)
			assert_true(l.truncated);
		if (i == 0) {
			assert_str_eq_msg("open ref", l.holds[0].ref, open_ref);
			assert_int_eq_msg("rcpts", l.holds[0].nrcpts, 2);
			assert_str_eq_msg("party", l.holds[0].parties[1], "jpcert");
			assert_int_eq_msg("approvals", l.holds[0].approvals[0], 2);
			assert_str_eq_msg("rcpt state", l.holds[0].rcpt_states[0], "approved");
		}
		store_hold_list_free(&l);
	}
	/* pages: offset and limit pick, total counts every match */
	static const struct {
		const char *name;
		struct store_hold_filter f;
		size_t n, total;
		bool truncated;
	} pages[] = {
		{"page 1 of 2", {.all_states = true, .limit = 1}, 1, 2, true},
		{"page 2 of 2", {.all_states = true, .limit = 1, .offset = 1}, 1, 2, false},
		{"past the end", {.all_states = true, .limit = 1, .offset = 2}, 0, 2, false},
		{"a filter's own total", {.reason = "no-basis", .offset = 1}, 0, 1, false},
	};
	char first[STORE_REF_MAX] = "";
	for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
		struct store_hold_list l;
		assert_int_eq_msg(pages[i].name, store_holds_list(s, &pages[i].f, &l, err, sizeof err), 0);
		assert_int_eq_msg(pages[i].name, l.n, pages[i].n);
		assert_int_eq_msg(pages[i].name, l.total, pages[i].total);
		assert_int_eq_msg(pages[i].name, l.truncated, pages[i].truncated);
		if (i == 0)
			snprintf(first, sizeof first, "%s", l.holds[0].ref);
		if (i == 1 && strcmp(l.holds[0].ref, first) == 0)
			fail_msg("page 2 shows the hold of page 1 (%s)", first);
		store_hold_list_free(&l);
	}
	struct store_approval *a;
	size_t n;
	assert_int_equal(store_hold_approvals(s, open_ref, &a, &n, err, sizeof err), 0);
	assert_int_eq_msg("approvals of the open hold", n, 4);
	assert_str_eq_msg("first approver", a[0].jurist, "jan");
	assert_str_eq_msg("basis", a[0].basis, "wbni-20-2");
	store_approvals_free(a, n);
	assert_int_equal(store_hold_approvals(s, denied_ref, &a, &n, err, sizeof err), 0);
	assert_int_eq_msg("approvals of the denied hold", n, 0);
	store_approvals_free(a, n);
}

static void test_decisions(void **state)
{
	(void)state;
	static const struct store_actor alice = {"alice", 1001, "jurist", NULL};
	static const struct store_actor jan = {"jan", 1002, "jurist", NULL};
	static const struct store_actor piet = {"piet", 1003, "jurist", NULL};
	const char *const alice_mail[] = {"alice@ncsc.nl"}, *const jan_mail[] = {"jan@ncsc.nl"};
	const char *const piet_mail[] = {"piet@ncsc.nl"};
	char path[512], ref[STORE_REF_MAX], ref2[STORE_REF_MAX], err[256], q[512];
	store_db(path, sizeof path, "decide.db");
	struct store *s = open_ok(path);
	put_hold(s, ref);
	put_hold(s, ref2);
	struct store_decision_result res;
	struct store_decision d = {.event = HEV_APPROVE, .actor = &alice, .reason = "ok",
				   .jurist_mail = alice_mail, .njurist_mail = 1, .required = 2};
	/* the sender cannot approve: refused and recorded */
	assert_int_eq_msg("sender approves", store_hold_decide(s, ref, &d, &res, err, sizeof err), 1);
	if (strstr(res.reason, "they sent") == NULL)
		fail_msg("sender: got \"%s\", want \"they sent\"", res.reason);
	/* one approval of two releases nothing */
	d.actor = &jan;
	d.jurist_mail = jan_mail;
	d.basis = "wbni-20-2";
	assert_int_eq_msg("jan approves", store_hold_decide(s, ref, &d, &res, err, sizeof err), 0);
	assert_str_eq_msg("after one", res.state, "partly-approved");
	assert_int_eq_msg("none approved yet", res.approved_now, 0);
	/* the same jurist again is refused */
	assert_int_eq_msg("jan again", store_hold_decide(s, ref, &d, &res, err, sizeof err), 1);
	d.actor = &piet;
	d.jurist_mail = piet_mail;
	assert_int_eq_msg("piet approves", store_hold_decide(s, ref, &d, &res, err, sizeof err), 0);
	assert_int_eq_msg("both approved", res.approved_now, 2);
	snprintf(q, sizeof q, "SELECT count(*) FROM hold_recipients WHERE ref = '%s' AND"
		 " state = 'approved' AND approvals = 2", ref);
	assert_int_eq_msg("approved rows", rows(path, q), 2);
	assert_int_eq_msg("approval rows", rows(path, "SELECT count(*) FROM hold_approvals"), 4);
	/* deny the second hold, with its notice */
	struct store_decision deny = {.event = HEV_DENY, .actor = &jan, .reason = "no basis",
				      .notice_kind = "deny", .notice_to = "<alice@ncsc.nl>",
				      .notice_message = "Subject: denied\r\n\r\nx\r\n"};
	assert_int_eq_msg("deny", store_hold_decide(s, ref2, &deny, &res, err, sizeof err), 0);
	assert_str_eq_msg("denied", res.state, "denied");
	assert_int_eq_msg("deny again", store_hold_decide(s, ref2, &deny, &res, err, sizeof err), 1);
	assert_int_eq_msg("no such hold",
			  store_hold_decide(s, "G20250101-0000000000", &deny, &res, err, sizeof err), 2);
	check_listing(s, ref, ref2);
	store_close(s);
	snprintf(q, sizeof q, "SELECT count(*) FROM holds WHERE ref = '%s' AND state = 'denied'"
		 " AND decided_at IS NOT NULL AND decided_by = 'jan'"
		 " AND decision_reason = 'no basis'", ref2);
	assert_int_eq_msg("hold decided", rows(path, q), 1);
	snprintf(q, sizeof q, "SELECT count(*) FROM hold_recipients WHERE ref = '%s'"
		 " AND state = 'denied' AND decided_at IS NOT NULL", ref2);
	assert_int_eq_msg("recipients decided", rows(path, q), 2);
	assert_int_eq_msg("deny notice queued",
			  rows(path, "SELECT count(*) FROM outbox WHERE kind = 'deny'"), 1);
	/* the chain: init + 2 holds + 2 shares + 2 approvals + 1 deny + 3 refused */
	assert_int_eq_msg("hold records",
			  rows(path, "SELECT count(*) FROM audit WHERE event = 'hold'"), 2);
	assert_int_eq_msg("share records",
			  rows(path, "SELECT count(*) FROM audit WHERE event = 'share'"), 2);
	assert_int_eq_msg("refused records",
			  rows(path, "SELECT count(*) FROM audit WHERE event = 'refused'"), 3);
	assert_int_eq_msg("approve records",
			  rows(path, "SELECT count(*) FROM audit WHERE event = 'approve'"), 2);
	struct store_audit_check c;
	assert_int_eq_msg("chain intact", verify(path, &c), 0);
	assert_int_eq_msg("records", c.records, 11);
	/* a write that fails leaves no record either */
	s = open_ok(path);
	store_fail_next(s);
	d.actor = &jan;
	assert_int_equal(store_audit_put(s, &(struct store_audit){.event = "view"}, err, sizeof err),
			 -1);
	store_close(s);
	assert_int_eq_msg("no record of a failed write",
			  rows(path, "SELECT count(*) FROM audit"), 11);
}

/* scan callback: count records. */
static int count_cb(void *arg, const struct audit_record *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void test_scan_since(void **state)
{
	(void)state;
	char path[512], err[256];
	store_db(path, sizeof path, "scan.db");
	struct store *s = open_ok(path);
	append_n(s, 3);
	store_close(s);
	/* the store's "init" record and the first appended one are old */
	char sql[256];
	snprintf(sql, sizeof sql, "%s UPDATE audit SET at = 1000 WHERE seq <= 2",
		 fixture_drop_audit_triggers());
	exec_sql(path, sql);
	s = store_open_readonly(path, err, sizeof err);
	assert_non_null(s);
	int n = 0;
	assert_int_equal(store_audit_scan(s, 2000, count_cb, &n), 0);
	assert_int_eq_msg("records since", n, 2);
	/* the read-only store refuses writes */
	assert_int_equal(store_audit_put(s, &(struct store_audit){.event = "view"}, err, sizeof err),
			 -1);
	store_close(s);
	assert_null(store_open_readonly("/nonexistent/x.db", err, sizeof err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_details_canonical),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_append_only),
		cmocka_unit_test(test_100k),
		cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_scan_since),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
