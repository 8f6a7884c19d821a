/*
 * test_ctlsock_read.c - the record read through the control socket
 * (ctlsock_read.c), table driven: which role may ask for a report, the
 * statistics, the audit chain in pages and the checkpoint file; what the
 * answer holds; which requests are recorded in the chain (a report, the
 * statistics and the first page of the chain once each; a later page
 * not; a refusal as ever); malformed arguments are bad requests.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"

#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/log.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	log_open("test", false, false);
	return fixture_dir_make("ctlread");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: list\r\n\r\n8.8.8.8\r\n";

static const struct {
	const char *name, *user;
	long uid;
	const char *req;
	const char *status;	/* the answer's status */
	const char *want;	/* in the answer; NULL: nothing more */
	const char *unwanted;	/* never in the answer; NULL: none */
	int recorded;		/* records the request adds to the chain */
} rows[] = {
	{"auditor: report", "dave", 1004,
	 "{\"cmd\":\"report\",\"since\":0,\"until\":3000000000,\"now\":1700000000}", "ok",
	 "\"report\":\"", NULL, 1},
	/* the statement of the chain is the reader's: the daemon's report
	 * has none, and says where it goes */
	{"auditor: the report's place for the statement", "dave", 1004,
	 "{\"cmd\":\"report\",\"since\":0,\"until\":3000000000,\"now\":1700000000}", "ok",
	 "\"chain_at\":", "Audit chain", 1},
	{"auditor: html report", "dave", 1004,
	 "{\"cmd\":\"report\",\"since\":0,\"until\":3000000000,\"format\":\"html\"}", "ok",
	 "<!DOCTYPE html>", NULL, 1},
	{"admin: json report", "carol", 1003,
	 "{\"cmd\":\"report\",\"since\":0,\"until\":3000000000,\"format\":\"json\"}", "ok",
	 "\"report\":\"{", NULL, 1},
	{"jurist: report", "bob", 1002, "{\"cmd\":\"report\",\"until\":3000000000}", "ok", NULL,
	 NULL, 1},
	{"outsider: report", "eve", 1005, "{\"cmd\":\"report\",\"until\":3000000000}", "refused",
	 "the caller has no role", "\"report\":", 1},
	{"report: unknown format", "dave", 1004,
	 "{\"cmd\":\"report\",\"until\":3000000000,\"format\":\"pdf\"}", "bad-request", NULL,
	 "\"report\":", 0},
	{"report: until before since", "dave", 1004,
	 "{\"cmd\":\"report\",\"since\":100,\"until\":50}", "bad-request", NULL, NULL, 0},
	{"report: a party that is no string", "dave", 1004,
	 "{\"cmd\":\"report\",\"until\":3000000000,\"party\":1}", "bad-request", NULL, NULL, 0},
	{"report: top 0", "dave", 1004, "{\"cmd\":\"report\",\"until\":3000000000,\"top\":0}",
	 "bad-request", NULL, NULL, 0},
	{"auditor: stats", "dave", 1004, "{\"cmd\":\"stats\"}", "ok",
	 "\"holds\":1,\"held_recipients\":1", NULL, 1},
	{"admin: stats", "carol", 1003, "{\"cmd\":\"stats\"}", "ok", "\"holds_pending\":1", NULL,
	 1},
	{"outsider: stats", "eve", 1005, "{\"cmd\":\"stats\"}", "refused", NULL, "\"stats\":", 1},
	{"auditor: the chain, first page", "dave", 1004, "{\"cmd\":\"audit-records\"}", "ok",
	 "\"seq\":1,", NULL, 1},
	{"auditor: a later page", "dave", 1004, "{\"cmd\":\"audit-records\",\"after\":1}", "ok",
	 "\"seq\":2,", "\"seq\":1,", 0},
	{"auditor: the page says it is the last", "dave", 1004,
	 "{\"cmd\":\"audit-records\",\"after\":1}", "ok", "\"more\":false", NULL, 0},
	{"auditor: records since a time to come", "dave", 1004,
	 "{\"cmd\":\"audit-records\",\"after\":1,\"since\":3000000000}", "ok", "\"records\":[]",
	 NULL, 0},
	{"admin: the chain", "carol", 1003, "{\"cmd\":\"audit-records\"}", "ok",
	 "\"prev_hash\":\"0000000000000000", NULL, 1},
	{"outsider: the chain", "eve", 1005, "{\"cmd\":\"audit-records\",\"after\":3}", "refused",
	 NULL, "\"records\":", 1},
	{"the chain: after is no number", "dave", 1004,
	 "{\"cmd\":\"audit-records\",\"after\":\"x\"}", "bad-request", NULL, "\"records\":", 0},
	{"auditor: no checkpoint file", "dave", 1004, "{\"cmd\":\"audit-checkpoints\"}", "ok",
	 "\"missing\":true", NULL, 0},
	{"outsider: the checkpoint file", "eve", 1005, "{\"cmd\":\"audit-checkpoints\"}",
	 "refused", NULL, "\"data\":", 1},
	{"checkpoints: offset is no number", "dave", 1004,
	 "{\"cmd\":\"audit-checkpoints\",\"offset\":-1}", "bad-request", NULL, NULL, 0},
};

/* The newest seq of the chain. */
static int64_t head_of(struct store *s)
{
	int64_t seq;
	char hash[AUDIT_HASH_HEX], event[32], err[256];
	assert_int_equal(store_audit_head(s, &seq, hash, event, sizeof event, err, sizeof err), 0);
	return seq;
}

static void test_roles(void **state)
{
	(void)state;
	char path[256], db[256], err[512], ref[STORE_REF_MAX];
	snprintf(db, sizeof db, "%s/s.db", dir);
	snprintf(path, sizeof path, "%s/r.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\nAdmin carol\n"
		   "Auditor dave\nReleaseApprovals 2\nDatabase %s\nAuditCheckpointFile %s/none\n",
		db, dir);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	struct store *s = fixture_store_open(db, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>", .subject = "list",
			       .received = time(NULL), .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ctlsock_peer p = {.uid = rows[i].uid, .user = rows[i].user};
		char *resp = NULL, want[64];
		size_t rlen;
		int64_t before = head_of(s);
		assert_int_equal(ctlsock_handle(&env, c, &p, rows[i].req, strlen(rows[i].req), &resp,
						&rlen), 0);
		snprintf(want, sizeof want, "\"status\":\"%s\"", rows[i].status);
		if (strstr(resp, want) == NULL)
			fail_msg("%s: want %s, got %.400s", rows[i].name, want, resp);
		if (rows[i].want != NULL && strstr(resp, rows[i].want) == NULL)
			fail_msg("%s: want %s in %.600s", rows[i].name, rows[i].want, resp);
		if (rows[i].unwanted != NULL && strstr(resp, rows[i].unwanted) != NULL)
			fail_msg("%s: %s in %.600s", rows[i].name, rows[i].unwanted, resp);
		/* no Subject, no message content in any read */
		if (strstr(resp, "8.8.8.8") != NULL)
			fail_msg("%s: content in the answer", rows[i].name);
		assert_int_eq_msg(rows[i].name, head_of(s) - before, rows[i].recorded);
		free(resp);
	}
	store_close(s);
	config_free(c);
}

/* A chain of more than one page: every record once, in order, across
 * pages, and the last page says so. */
static int page_cb(void *arg, const struct audit_record *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void test_pages(void **state)
{
	(void)state;
	char path[256], db[256], err[512];
	snprintf(db, sizeof db, "%s/p.db", dir);
	snprintf(path, sizeof path, "%s/p.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Auditor dave\nDatabase %s\n", db);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	struct store *s = fixture_store_open(db, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	/* records with 1800-byte details: the byte limit of a page (4 MiB)
	 * ends a page before its count limit */
	char big[1801];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	struct store_actor actor = {.user = "t", .uid = 1, .role = "admin"};
	for (int i = 0; i < 2600; i++) {
		struct audit_details *d = audit_details_new();
		audit_details_str(d, "note", big);
		char *details = audit_details_finish(d);
		struct store_audit a = {.actor = &actor, .event = "view", .ref = "",
					.details = details};
		assert_int_equal(store_audit_put(s, &a, err, sizeof err), 0);
		free(details);
	}
	int64_t total = head_of(s), after = 0;
	int pages = 0, seen = 0;
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	struct ctlsock_peer p = {.uid = 1004, .user = "dave"};
	for (;;) {
		char req[128], *resp = NULL;
		size_t rlen;
		snprintf(req, sizeof req, "{\"cmd\":\"audit-records\",\"after\":%lld}",
			 (long long)after);
		assert_int_equal(ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &rlen), 0);
		assert_non_null(strstr(resp, "\"status\":\"ok\""));
		pages++;
		/* the seqs of this page follow after without a gap */
		int64_t last = after;
		for (const char *q = resp; (q = strstr(q, "\"seq\":")) != NULL; q++) {
			int64_t seq = strtoll(q + 6, NULL, 10);
			assert_int_equal(seq, last + 1);
			last = seq;
			seen++;
		}
		bool more = strstr(resp, "\"more\":true") != NULL;
		free(resp);
		after = last;
		if (!more)
			break;
		assert_true(pages < 100);
	}
	/* the first page recorded the read (one more record) */
	assert_int_equal(seen, total + 1);
	assert_true(pages >= 2);
	int n = 0;
	assert_int_equal(store_audit_scan_after(s, 10, 0, page_cb, &n), 0);
	assert_int_equal(n, total + 1 - 10);
	store_close(s);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_pages),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
