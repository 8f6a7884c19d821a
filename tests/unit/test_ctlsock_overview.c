/*
 * test_ctlsock_overview.c - {"cmd":"overview"}: the open holds counted by
 * state, the oldest named, those expiring within ExpiryWarning days (and
 * overdue) counted and listed soonest first, the failing releases with
 * the relay's reply; decided holds left out; every role may ask, no
 * Subject and no address in the answer, nothing recorded; a caller
 * without a role refused and recorded.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctlover");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

#define NOW 1765000000		/* 2025-12-06 */
#define DAY 86400

static const char conf_text[] = "Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\n"
				"Auditor dave\nAdmin carol\nHoldExpiry 14\nExpiryWarning 3\n";

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: secret\r\n\r\nbody 8.8.8.8\r\n";

static void put_hold(struct store *s, time_t received, char ref[STORE_REF_MAX])
{
	struct hold_record h = {
		.queue_id = "Q1", .sender = "<sender@ncsc.nl>", .subject = "secret subject",
		.received = received, .registry_digest = "ab",
		.summary_json = "{\"countries\":\"US:1\"}", .findings_json = "{}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

static int64_t records(struct store *s)
{
	int64_t seq = 0;
	char hash[AUDIT_HASH_HEX], err[256];
	if (store_audit_head(s, &seq, hash, NULL, 0, err, sizeof err) != 0)
		fail_msg("audit head: %s", err);
	return seq;
}

static void test_overview(void **state)
{
	(void)state;
	char err[1024], path[256], db[256];
	char young[STORE_REF_MAX], soon[STORE_REF_MAX], over[STORE_REF_MAX], done[STORE_REF_MAX],
		failing[STORE_REF_MAX];
	snprintf(path, sizeof path, "%s/over.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf_text, f);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(db, sizeof db, dir, "over.db");
	struct store *s = fixture_store_open(db, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .now = NOW};
	struct ctlsock_peer carol = {.uid = 1003, .user = "carol"};
	char *resp;
	size_t len;
	/* an empty store: zero everywhere, no oldest */
	const char req[] = "{\"cmd\":\"overview\"}";
	assert_int_equal(ctlsock_handle(&env, c, &carol, req, strlen(req), &resp, &len), 0);
	if (strstr(resp, "\"status\":\"ok\"") == NULL || strstr(resp, "\"open\":0,") == NULL ||
	    strstr(resp, "\"oldest\":[]") == NULL)
		fail_msg("empty store: got %s", resp);
	free(resp);
	put_hold(s, NOW - 1 * DAY, young);
	put_hold(s, NOW - 12 * DAY, soon);	/* 2 days left: within the 3 of the warning */
	put_hold(s, NOW - 15 * DAY, over);	/* past its 14 days */
	put_hold(s, NOW - 20 * DAY, done);
	put_hold(s, NOW - 2 * DAY, failing);
	char sql[512];
	snprintf(sql, sizeof sql, "UPDATE holds SET state = 'denied' WHERE ref = '%s';"
		 "UPDATE holds SET state = 'releasing', release_attempts = 3,"
		 " release_error = '451 4.3.0 relay busy' WHERE ref = '%s';"
		 "UPDATE holds SET state = 'partly-approved' WHERE ref = '%s'", done, failing, soon);
	fixture_exec(db, sql);
	int64_t before = records(s);
	static const struct {
		const char *user;
		long uid;
		const char *status;
	} who[] = {{"carol", 1003, "ok"}, {"dave", 1004, "ok"}, {"alice", 1001, "ok"},
		   {"mallory", 1005, "refused"}};
	for (size_t i = 0; i < ARRAY_LEN(who); i++) {
		struct ctlsock_peer p = {.uid = who[i].uid, .user = who[i].user};
		assert_int_equal(ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len), 0);
		char want[64];
		snprintf(want, sizeof want, "\"status\":\"%s\"", who[i].status);
		if (strstr(resp, want) == NULL)
			fail_msg("%s: got %s, want %s", who[i].user, resp, want);
		if (strcmp(who[i].status, "ok") != 0) {
			free(resp);
			continue;
		}
		char oldest[200], first[200], fail_at[300];
		snprintf(oldest, sizeof oldest, "\"oldest\":[{\"ref\":\"%s\",\"state\":\"pending\"",
			 over);
		snprintf(first, sizeof first, "\"expiring\":[{\"ref\":\"%s\"", over);
		snprintf(fail_at, sizeof fail_at, "\"release_failures\":[{\"ref\":\"%s\",\"state\":"
			 "\"releasing\"", failing);
		const char *has[] = {
			"\"counts\":{\"open\":4,\"pending\":2,\"partly_approved\":1,\"releasing\":1,"
			"\"expiring_soon\":2,\"overdue\":1,\"release_failing\":1}",
			oldest, first, soon, fail_at,
			"\"release_attempts\":3,\"release_error\":\"451 4.3.0 relay busy\"",
			"\"expiry_warning_days\":3",
		};
		for (size_t k = 0; k < ARRAY_LEN(has); k++)
			if (strstr(resp, has[k]) == NULL)
				fail_msg("%s: got %s, want %s", who[i].user, resp, has[k]);
		/* no content; the decided hold and the young one in no list */
		const char *lacks[] = {"secret", "soc@cisa.gov", done, young};
		for (size_t k = 0; k < ARRAY_LEN(lacks); k++)
			if (strstr(resp, lacks[k]) != NULL)
				fail_msg("%s: %s in %s", who[i].user, lacks[k], resp);
		free(resp);
	}
	/* three reads not recorded; mallory's refusal recorded */
	assert_int_eq_msg("records added", records(s) - before, 1);
	store_close(s);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overview),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
