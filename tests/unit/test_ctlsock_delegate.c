/*
 * test_ctlsock_delegate.c - a person acting through a delegate (the web
 * console): on_behalf_of is honoured only from a ControlConsoleUser, the
 * person's role applies (by name, never the console's), every record
 * names the person with the console's uid and "channel", the person is
 * the jurist of the four-eyes and sender rules whatever the channel, and
 * anyone else naming a person is refused and recorded as themselves.
 * Also: audit_details_with() (the channel member, in canonical order),
 * the bases show offers, and the file names withheld from non-jurists.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <time.h>

#include "grondslag/store/audit.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/base/date.h"
#include "grondslag/decide/registry.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctldeleg");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static void test_details_with(void **state)
{
	(void)state;
	static const struct {
		const char *details, *want;
	} cases[] = {
		{"{}", "{\"channel\":\"web\"}"},
		{"{\"a\":\"x\"}", "{\"a\":\"x\",\"channel\":\"web\"}"},
		{"{\"what\":\"subject\"}", "{\"channel\":\"web\",\"what\":\"subject\"}"},
		{"{\"a\":1,\"what\":\"s\"}", "{\"a\":1,\"channel\":\"web\",\"what\":\"s\"}"},
		{"{\"a\":\"q\\\"x,}\",\"z\":-3}", "{\"a\":\"q\\\"x,}\",\"channel\":\"web\",\"z\":-3}"},
		{"{\"ch\":\"1\",\"channels\":\"2\"}",
		 "{\"ch\":\"1\",\"channel\":\"web\",\"channels\":\"2\"}"},
		{"{\"channel\":\"cli\"}", "{\"channel\":\"cli\"}"},
		{"", NULL},
		{"[]", NULL},
		{"{\"a\":\"unterminated}", NULL},
		{"{\"a\"}", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *got = audit_details_with(cases[i].details, "channel", "web");
		if (cases[i].want == NULL) {
			if (got != NULL)
				fail_msg("%s: got %s, want NULL", cases[i].details, got);
			continue;
		}
		assert_str_eq_msg(cases[i].details, got ? got : "(NULL)", cases[i].want);
		free(got);
	}
	/* the value goes through the canonical encoder */
	char *got = audit_details_with("{}", "channel", "w\"e\nb");
	assert_str_eq_msg("escaped", got, "{\"channel\":\"w\\\"e\\u000ab\"}");
	free(got);
}

static const char conf_text[] = "Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\n"
				"Auditor dave\nAdmin carol\nControlConsoleUser web\n"
				"ReleaseApprovals 2\n";

static const char registry_text[] =
	"version: 1\nown_domains: [ncsc.nl]\neea: []\n"
	"regimes:\n  - {id: wbni, name: \"Wbni\", valid_from: 2018-11-09}\n"
	"bases:\n  - {id: wbni, regime: wbni, article: \"Wbni art. 3(2)\", permits: [incident],"
	" tlp_max: AMBER, approved_by: test}\n"
	"  - {id: old, regime: wbni, article: \"Expired\", permits: [incident],"
	" tlp_max: AMBER, approved_by: test, valid_until: 2019-01-01}\n"
	"parties:\n"
	"  - {id: cisa, name: \"CISA\", type: third-country-csirt, jurisdiction: US,"
	" domains: [cisa.gov], bases: [wbni, old]}\n";

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<ops@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: s\r\n\r\nbody 8.8.8.8\r\n";

static void put_hold(struct store *s, const char *sender, char ref[STORE_REF_MAX])
{
	struct hold_record h = {
		.queue_id = "Q1", .sender = sender, .subject = "secret subject",
		.received = time(NULL) - 60, .registry_digest = "ab",
		.summary_json = "{\"countries\":\"US:1\",\"parts\":[{\"path\":\"2\","
				"\"filename\":\"list-of-victims.csv\",\"status\":\"scanned\"}]}",
		.findings_json = "{\"addresses\":[\"8.8.8.8\"]}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 2};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

static const struct {
	const char *name, *user;	/* the peer (SO_PEERCRED) */
	long uid;
	const char *req, *status;
	const char *has, *lacks;	/* in the answer; NULL: not checked */
	/* the newest record afterwards: event, actor, uid, role, details
	 * substring ("-": no new record expected is not checked) */
	const char *event, *actor;
	long ruid;
	const char *role, *details;
} steps[] = {
	{"console for alice: held", "web", 900, "{\"cmd\":\"held\",\"on_behalf_of\":\"alice\"}",
	 "ok", "\"user\":\"alice\",\"role\":\"jurist\",\"channel\":\"web\"", NULL,
	 "view", "alice", 900, "jurist", "\"channel\":\"web\""},
	{"console for alice: show sees the file names", "web", 900,
	 "{\"cmd\":\"show\",\"ref\":\"@2\",\"on_behalf_of\":\"alice\"}", "ok",
	 "list-of-victims.csv", NULL, "view", "alice", 900, "jurist", "\"channel\":\"web\""},
	{"show offers the party's bases valid today", "web", 900,
	 "{\"cmd\":\"show\",\"ref\":\"@2\",\"on_behalf_of\":\"alice\"}", "ok",
	 "\"bases\":{\"cisa\":[{\"id\":\"wbni\",\"article\":\"Wbni art. 3(2)\"", "\"id\":\"old\"",
	 NULL, NULL, 0, NULL, NULL},
	{"console for dave: the auditor's role, no Subject, no file names", "web", 900,
	 "{\"cmd\":\"show\",\"ref\":\"@2\",\"on_behalf_of\":\"dave\"}", "ok",
	 "\"subject\":null", "list-of-victims", NULL, NULL, 0, NULL, NULL},
	{"console for dave: approve refused, recorded as dave via web", "web", 900,
	 "{\"cmd\":\"approve\",\"ref\":\"@2\",\"reason\":\"x\",\"basis\":\"wbni\","
	 "\"on_behalf_of\":\"dave\"}", "refused", "the role auditor may not approve", NULL,
	 "refused", "dave", 900, "auditor", "\"channel\":\"web\""},
	{"an outsider naming alice: refused as the outsider", "eve", 1005,
	 "{\"cmd\":\"held\",\"on_behalf_of\":\"alice\"}", "refused", "ControlConsoleUser",
	 "\"channel\"", "refused", "eve", 1005, "none", "claimed: alice"},
	{"a jurist naming another jurist: refused as herself", "alice", 1001,
	 "{\"cmd\":\"approve\",\"ref\":\"@2\",\"reason\":\"x\",\"basis\":\"wbni\","
	 "\"on_behalf_of\":\"bob\"}", "refused", "ControlConsoleUser", NULL,
	 "refused", "alice", 1001, "jurist", "claimed: bob"},
	{"root naming alice: refused (root is no console)", "root", 0,
	 "{\"cmd\":\"held\",\"on_behalf_of\":\"alice\"}", "refused", "ControlConsoleUser", NULL,
	 "refused", "root", 0, "admin", "claimed: alice"},
	{"console for somebody without a role", "web", 900,
	 "{\"cmd\":\"held\",\"on_behalf_of\":\"mallory\"}", "refused", "has no role", NULL,
	 "refused", "mallory", 900, "none", "\"channel\":\"web\""},
	{"console for root: a name has no uid-0 rule", "web", 900,
	 "{\"cmd\":\"held\",\"on_behalf_of\":\"root\"}", "refused", "has no role", NULL,
	 "refused", "root", 900, "none", "\"channel\":\"web\""},
	{"console for itself (no person): no role", "web", 900, "{\"cmd\":\"held\"}", "refused",
	 "has no role", NULL, "refused", "web", 900, "none", NULL},
	{"console naming a non-login", "web", 900,
	 "{\"cmd\":\"held\",\"on_behalf_of\":\"ali ce\"}", "bad-request", "not a login name",
	 NULL, NULL, NULL, 0, NULL, NULL},
	{"console naming a number", "web", 900, "{\"cmd\":\"held\",\"on_behalf_of\":7}",
	 "bad-request", "not a login name", NULL, NULL, NULL, 0, NULL, NULL},
	{"console naming #UID", "web", 900, "{\"cmd\":\"held\",\"on_behalf_of\":\"#1001\"}",
	 "bad-request", "not a login name", NULL, NULL, NULL, 0, NULL, NULL},
	{"console for alice: her own message refused (the sender rule)", "web", 900,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"x\",\"basis\":\"wbni\","
	 "\"on_behalf_of\":\"alice\"}", "refused", "cannot approve a message they sent", NULL,
	 NULL, NULL, 0, NULL, NULL},
	{"console for alice: approves B", "web", 900,
	 "{\"cmd\":\"approve\",\"ref\":\"@2\",\"reason\":\"ok\",\"basis\":\"wbni\","
	 "\"rcpts\":[\"soc@cisa.gov\"],\"on_behalf_of\":\"alice\"}", "ok",
	 "\"state\":\"partly-approved\"", NULL, "approve", "alice", 900, "jurist",
	 "\"channel\":\"web\""},
	{"alice in person again: the same person, not a second pair of eyes", "alice", 1001,
	 "{\"cmd\":\"approve\",\"ref\":\"@2\",\"reason\":\"ok\",\"basis\":\"wbni\","
	 "\"rcpts\":[\"soc@cisa.gov\"]}", "refused", NULL, NULL, NULL, NULL, 0, NULL, NULL},
	{"bob in person: the second approval, no channel", "bob", 1002,
	 "{\"cmd\":\"approve\",\"ref\":\"@2\",\"reason\":\"ok\",\"basis\":\"wbni\","
	 "\"rcpts\":[\"soc@cisa.gov\"]}", "ok", NULL, "\"channel\"", "approve", "bob", 1002,
	 "jurist", NULL},
};

static void test_delegate(void **state)
{
	(void)state;
	char err[1024], path[256], ra[STORE_REF_MAX], rb[STORE_REF_MAX];
	snprintf(path, sizeof path, "%s/deleg.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf_text, f);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "deleg.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, "<alice@ncsc.nl>", ra);
	put_hold(s, "<sender@ncsc.nl>", rb);
	struct registry_errors *re = NULL;
	test_registry = registry_load_buffer("t.yaml", registry_text, sizeof registry_text - 1, &re);
	registry_errors_free(re);
	assert_non_null(test_registry);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .registry_get = registry_of, .config_put = unpin};
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		char req[1024], want[64], *resp;
		size_t len;
		fill(steps[i].req, ra, rb, req, sizeof req);
		struct ctlsock_peer p = {.uid = steps[i].uid, .user = steps[i].user};
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("%s: handle failed", steps[i].name);
		snprintf(want, sizeof want, "\"status\":\"%s\"", steps[i].status);
		if (strstr(resp, want) == NULL ||
		    (steps[i].has != NULL && strstr(resp, steps[i].has) == NULL) ||
		    (steps[i].lacks != NULL && strstr(resp, steps[i].lacks) != NULL))
			fail_msg("%s: got %s, want %s with %s, without %s", steps[i].name, resp, want,
				 steps[i].has ? steps[i].has : "-", steps[i].lacks ? steps[i].lacks : "-");
		free(resp);
		if (steps[i].event == NULL)
			continue;
		struct last l = {0};
		assert_int_eq_msg(steps[i].name, store_audit_scan(s, 0, last_cb, &l), 0);
		char got[800], exp[800];
		snprintf(got, sizeof got, "%s %s %lld %s", l.event, l.actor, (long long)l.uid, l.role);
		snprintf(exp, sizeof exp, "%s %s %ld %s", steps[i].event, steps[i].actor, steps[i].ruid,
			 steps[i].role);
		assert_str_eq_msg(steps[i].name, got, exp);
		if (steps[i].details != NULL && strstr(l.details, steps[i].details) == NULL)
			fail_msg("%s: details %s, want %s", steps[i].name, l.details, steps[i].details);
		if (steps[i].details == NULL && strstr(l.details, "\"channel\"") != NULL)
			fail_msg("%s: details %s name a channel", steps[i].name, l.details);
	}
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	registry_unref(test_registry);
	store_close(s);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_details_with),
		cmocka_unit_test(test_delegate),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
