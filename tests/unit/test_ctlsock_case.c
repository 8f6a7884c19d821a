/*
 * test_ctlsock_case.c - case handling through the control socket: claim,
 * handover, comment and advice, each one request whose record the daemon
 * writes; role checks (auditors and admins refused and recorded), the
 * colleague named (unknown, not a jurist, oneself), the text (missing,
 * empty, too long, control characters, bidirectional overrides), the
 * case's state (held by a colleague, closed, the same question pending),
 * and where the case stands in held and show.  The chain stays intact.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <ctype.h>
#include <time.h>

#include "grondslag/store/audit.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctlcase");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static const char conf_text[] = "Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\n"
				"Auditor dave\nAdmin carol\nControlConsoleUser web\n"
				"ReleaseApprovals 2\n";

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: s\r\n\r\nbody 8.8.8.8\r\n";

static void put_hold(struct store *s, char ref[STORE_REF_MAX])
{
	struct hold_record h = {
		.queue_id = "Q1", .sender = "<sender@ncsc.nl>", .subject = "subject",
		.received = time(NULL) - 60, .registry_digest = "ab",
		.summary_json = "{\"countries\":\"US:1\"}", .findings_json = "{}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* @1 an open hold, @l its reference in lower case, @X a well-formed
 * reference of no hold, @2 a hold denied at the start. */
static const struct {
	const char *name, *user;	/* the peer */
	const char *req, *status;
	const char *has, *lacks;	/* in the answer; NULL: not checked */
	/* the record this request adds: event, actor, role, a details
	 * substring; NULL event: no record may be added */
	const char *event, *actor, *role, *details;
} steps[] = {
	{"auditor claims: refused, recorded", "dave", "{\"cmd\":\"claim\",\"ref\":\"@1\"}",
	 "refused", "the role auditor may not claim", NULL, "refused", "dave", "auditor",
	 "\"command\":\"claim\""},
	{"admin hands over: refused, recorded", "carol",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"n\"}", "refused",
	 "the role admin may not handover", NULL, "refused", "carol", "admin", NULL},
	{"auditor comments: refused, recorded", "dave",
	 "{\"cmd\":\"comment\",\"ref\":\"@1\",\"text\":\"t\"}", "refused", "may not comment", NULL,
	 "refused", "dave", "auditor", NULL},
	{"auditor asks advice through the console: refused, recorded", "web",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"to\":\"bob\",\"question\":\"q\","
	 "\"on_behalf_of\":\"dave\"}", "refused", "may not advice", NULL, "refused", "dave",
	 "auditor", "\"channel\":\"web\""},
	{"no reference", "alice", "{\"cmd\":\"claim\"}", "bad-request", "not a hold reference",
	 NULL, NULL, NULL, NULL, NULL},
	{"a malformed reference", "alice", "{\"cmd\":\"claim\",\"ref\":\"G2025\"}", "bad-request",
	 "not a hold reference", NULL, NULL, NULL, NULL, NULL},
	{"an unknown reference", "alice", "{\"cmd\":\"claim\",\"ref\":\"@X\"}", "not-found",
	 "no such hold", NULL, NULL, NULL, NULL, NULL},
	{"alice claims (lower-case reference)", "alice", "{\"cmd\":\"claim\",\"ref\":\"@l\"}",
	 "ok", "\"holder\":\"alice\"", NULL, "claim", "alice", "jurist", "{}"},
	{"alice claims again: hers already (refused, recorded)", "alice",
	 "{\"cmd\":\"claim\",\"ref\":\"@1\"}", "refused", "the case is yours already", NULL,
	 "refused", "alice", "jurist", NULL},
	{"bob claims alice's case: refused, recorded", "bob", "{\"cmd\":\"claim\",\"ref\":\"@1\"}",
	 "refused", "held by alice", NULL, "refused", "bob", "jurist", "held by alice"},
	{"handover to herself", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"alice\",\"note\":\"n\"}", "bad-request",
	 "handed over to oneself", NULL, NULL, NULL, NULL, NULL},
	{"handover to an unknown colleague", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"mallory\",\"note\":\"n\"}", "bad-request",
	 "not a Jurist login", NULL, NULL, NULL, NULL, NULL},
	{"handover to an auditor", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"dave\",\"note\":\"n\"}", "bad-request",
	 "not a Jurist login", NULL, NULL, NULL, NULL, NULL},
	{"handover to nobody", "alice", "{\"cmd\":\"handover\",\"ref\":\"@1\",\"note\":\"n\"}",
	 "bad-request", "name the colleague", NULL, NULL, NULL, NULL, NULL},
	{"handover without a note", "alice", "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\"}",
	 "bad-request", "needs a note", NULL, NULL, NULL, NULL, NULL},
	{"handover with an empty note", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"\"}", "bad-request",
	 "the text is empty", NULL, NULL, NULL, NULL, NULL},
	{"handover with a blank note", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\" \\n\\t \"}", "bad-request",
	 "the text is empty", NULL, NULL, NULL, NULL, NULL},
	{"a note with a carriage return", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"a\\rb\"}", "bad-request",
	 "control character", NULL, NULL, NULL, NULL, NULL},
	{"a note with a bell", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"a\\u0007\"}", "bad-request",
	 "control character", NULL, NULL, NULL, NULL, NULL},
	{"a note with a C1 control", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"a\\u0085b\"}",
	 "bad-request", "control character", NULL, NULL, NULL, NULL, NULL},
	{"a note with a right-to-left override", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"a\\u202egnp.exe\"}",
	 "bad-request", "bidirectional override", NULL, NULL, NULL, NULL, NULL},
	{"a note that is no string", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":7}", "bad-request",
	 "at most 2000 bytes", NULL, NULL, NULL, NULL, NULL},
	{"alice hands over to bob, a note of two lines", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"Over to you.\\n"
	 "Caf\\u00e9 list checked.\"}", "ok", "\"holder\":\"bob\"", NULL, "handover", "alice",
	 "jurist", "\"from\":\"alice\",\"note\":\"Over to you.\\u000aCaf\xc3\xa9 list checked.\","
	 "\"to\":\"bob\""},
	{"alice hands over bob's case: refused, recorded", "alice",
	 "{\"cmd\":\"handover\",\"ref\":\"@1\",\"to\":\"bob\",\"note\":\"again\"}", "refused",
	 "held by bob", NULL, "refused", "alice", "jurist", NULL},
	{"advice of nobody", "web",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"question\":\"q\",\"on_behalf_of\":\"bob\"}",
	 "bad-request", "name the colleague", NULL, NULL, NULL, NULL, NULL},
	{"advice of oneself", "web",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"to\":\"bob\",\"question\":\"q\","
	 "\"on_behalf_of\":\"bob\"}", "bad-request", "asked of oneself", NULL, NULL, NULL, NULL,
	 NULL},
	{"advice without a question", "web",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"to\":\"alice\",\"on_behalf_of\":\"bob\"}",
	 "bad-request", "needs a question", NULL, NULL, NULL, NULL, NULL},
	{"bob asks alice through the console", "web",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"to\":\"alice\",\"question\":\"Is 3(2) enough?\","
	 "\"on_behalf_of\":\"bob\"}", "ok", "\"asked_of\":\"alice\",\"asked_at\"", NULL, "advice",
	 "bob", "jurist", "\"channel\":\"web\",\"of\":\"alice\",\"question\":\"Is 3(2) enough?\""},
	{"the same question again: pending (refused, recorded)", "bob",
	 "{\"cmd\":\"advice\",\"ref\":\"@1\",\"to\":\"alice\",\"question\":\"Well?\"}", "refused",
	 "pending already", NULL, "refused", "bob", "jurist", NULL},
	{"held shows the holder and the advice pending", "dave", "{\"cmd\":\"held\"}", "ok",
	 "\"holder\":\"bob\",\"holder_since\":", NULL, NULL, NULL, NULL, NULL},
	{"held names whose advice is pending", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"advice_pending\":1,\"advice_of\":\"alice\",\"advice_since\":", NULL, NULL, NULL,
	 NULL, NULL},
	{"a comment without text", "alice", "{\"cmd\":\"comment\",\"ref\":\"@1\"}", "bad-request",
	 "a comment needs its text", NULL, NULL, NULL, NULL, NULL},
	{"alice comments: her answer to the advice asked", "alice",
	 "{\"cmd\":\"comment\",\"ref\":\"@1\",\"text\":\"Yes: 3(2) covers it.\"}", "ok",
	 "\"advice_pending\":[]", NULL, "comment", "alice", "jurist",
	 "{\"answers_advice\":1,\"text\":\"Yes: 3(2) covers it.\"}"},
	{"a second comment answers nothing", "alice",
	 "{\"cmd\":\"comment\",\"ref\":\"@1\",\"text\":\"And TLP:AMBER.\"}", "ok", NULL, NULL,
	 "comment", "alice", "jurist", "{\"text\":\"And TLP:AMBER.\"}"},
	{"held: no advice pending now", "dave", "{\"cmd\":\"held\"}", "ok",
	 "\"advice_pending\":0", "\"advice_of\"", NULL, NULL, NULL, NULL},
	{"alice takes the case over from bob", "alice",
	 "{\"cmd\":\"claim\",\"ref\":\"@1\",\"take_over\":true}", "ok", "\"holder\":\"alice\"",
	 NULL, "claim", "alice", "jurist", "{\"taken_from\":\"bob\"}"},
	{"show: the case and its history", "dave", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"case\":{\"holder\":\"alice\"", NULL, NULL, NULL, NULL, NULL},
	{"a closed hold cannot be claimed (refused, recorded)", "bob",
	 "{\"cmd\":\"claim\",\"ref\":\"@2\"}", "refused", "no longer open", NULL, "refused", "bob",
	 "jurist", NULL},
	{"nor advice asked on it", "bob",
	 "{\"cmd\":\"advice\",\"ref\":\"@2\",\"to\":\"alice\",\"question\":\"q\"}", "refused",
	 "no longer open", NULL, "refused", "bob", "jurist", NULL},
	{"but a comment on a closed hold is kept", "bob",
	 "{\"cmd\":\"comment\",\"ref\":\"@2\",\"text\":\"For the file.\"}", "ok", NULL, NULL,
	 "comment", "bob", "jurist", NULL},
};

/* Run req as user; the answer (malloc'ed). */
static char *ask(const struct ctlsock_env *env, const struct config *c, const char *user,
		 const char *req)
{
	char *resp;
	size_t len;
	struct ctlsock_peer p = {.uid = strcmp(user, "web") == 0 ? 900 : 1001, .user = user};
	if (ctlsock_handle(env, c, &p, req, strlen(req), &resp, &len) != 0)
		fail_msg("%s: handle failed", req);
	return resp;
}

static void test_case(void **state)
{
	(void)state;
	char err[1024], path[256], ra[STORE_REF_MAX], rb[STORE_REF_MAX];
	snprintf(path, sizeof path, "%s/case.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf_text, f);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "case.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ra);
	put_hold(s, rb);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	char req[4096];
	fill("{\"cmd\":\"deny\",\"ref\":\"@2\",\"reason\":\"no basis\"}", ra, rb, req, sizeof req);
	char *resp = ask(&env, c, "alice", req);
	if (strstr(resp, "\"status\":\"ok\"") == NULL)
		fail_msg("deny @2: %s", resp);
	free(resp);
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct last before = {0}, after = {0};
		assert_int_eq_msg(steps[i].name, store_audit_scan(s, 0, last_cb, &before), 0);
		char want[64];
		/* @l and @X stand where @1 would, with another first reference */
		char first[STORE_REF_MAX], tmpl[2048];
		bool lower = strstr(steps[i].req, "@l") != NULL;
		snprintf(first, sizeof first, "%s",
			 strstr(steps[i].req, "@X") ? "G20200101-0000000000" : ra);
		for (char *p = first; lower && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		snprintf(tmpl, sizeof tmpl, "%s", steps[i].req);
		for (char *p = tmpl; (p = strchr(p, '@')) != NULL; p++)
			if (p[1] == 'l' || p[1] == 'X')
				p[1] = '1';
		fill(tmpl, first, rb, req, sizeof req);
		resp = ask(&env, c, steps[i].user, req);
		snprintf(want, sizeof want, "\"status\":\"%s\"", steps[i].status);
		if (strstr(resp, want) == NULL ||
		    (steps[i].has != NULL && strstr(resp, steps[i].has) == NULL) ||
		    (steps[i].lacks != NULL && strstr(resp, steps[i].lacks) != NULL))
			fail_msg("%s: got %s, want %s with %s, without %s", steps[i].name, resp, want,
				 steps[i].has ? steps[i].has : "-", steps[i].lacks ? steps[i].lacks : "-");
		free(resp);
		assert_int_eq_msg(steps[i].name, store_audit_scan(s, 0, last_cb, &after), 0);
		/* views of held and show add their own records: only the acts
		 * and the refusals are checked here */
		if (steps[i].event == NULL) {
			if (after.seq != before.seq && strcmp(after.event, "view") != 0)
				fail_msg("%s: a %s record was added", steps[i].name, after.event);
			continue;
		}
		if (after.seq != before.seq + 1)
			fail_msg("%s: %lld records added, want 1", steps[i].name,
				 (long long)(after.seq - before.seq));
		char got[400], exp[400];
		snprintf(got, sizeof got, "%s %s %s", after.event, after.actor, after.role);
		snprintf(exp, sizeof exp, "%s %s %s", steps[i].event, steps[i].actor, steps[i].role);
		assert_str_eq_msg(steps[i].name, got, exp);
		if (steps[i].details != NULL && strstr(after.details, steps[i].details) == NULL)
			fail_msg("%s: details %s, want %s", steps[i].name, after.details,
				 steps[i].details);
	}
	/* the history of @1 holds every act, in order */
	fill("{\"cmd\":\"show\",\"ref\":\"@1\"}", ra, rb, req, sizeof req);
	resp = ask(&env, c, "dave", req);
	const char *order[] = {"\"event\":\"claim\"", "\"event\":\"handover\"",
			       "\"event\":\"advice\"", "\"event\":\"comment\"",
			       "\"event\":\"claim\""};
	const char *at = strstr(resp, "\"history\":[");
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		at = at != NULL ? strstr(at, order[i]) : NULL;
		if (at == NULL)
			fail_msg("history lacks %s (in order): %s", order[i], resp);
		at++;
	}
	free(resp);
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	store_close(s);
	config_free(c);
}

/* A text at the limit passes, one byte more is refused; a text that is
 * no UTF-8 is refused. */
static void test_case_limits(void **state)
{
	(void)state;
	char err[1024], path[256], ra[STORE_REF_MAX];
	snprintf(path, sizeof path, "%s/case.conf", dir);
	struct config *c = config_load(path, err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "limits.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ra);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	static const struct {
		size_t n;
		const char *fill, *status, *has;
	} cases[] = {
		{2000, "a", "ok", NULL},
		{2001, "a", "bad-request", "at most 2000 bytes"},
		{1000, "\xc3\xa9", "ok", NULL},		/* 2000 bytes of é */
		{1, "\xc3", "bad-request", NULL},	/* a cut sequence: not JSON */
		{1, "\xed\xa0\x80", "bad-request", NULL},	/* a surrogate */
		{1, "\xe2\x80\xae", "bad-request", "bidirectional"},	/* U+202E raw */
		{1, "\xe2\x81\xa6", "bad-request", "bidirectional"},	/* U+2066 raw */
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t fl = strlen(cases[i].fill);
		char *req = malloc(cases[i].n * fl + 200);
		assert_non_null(req);
		int k = sprintf(req, "{\"cmd\":\"comment\",\"ref\":\"%s\",\"text\":\"x", ra);
		for (size_t j = 0; j < cases[i].n; j++, k += (int)fl)
			memcpy(req + k, cases[i].fill, fl);
		/* the leading x counts: one fewer of the fill for the exact sizes */
		if (cases[i].n >= 1000)
			k -= (int)fl;
		strcpy(req + k, "\"}");
		char *resp = ask(&env, c, "alice", req);
		char want[64];
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(resp, want) == NULL ||
		    (cases[i].has != NULL && strstr(resp, cases[i].has) == NULL))
			fail_msg("case %zu (%zu x %zu bytes): got %.300s, want %s %s", i, cases[i].n,
				 fl, resp, want, cases[i].has ? cases[i].has : "");
		free(resp);
		free(req);
	}
	store_close(s);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_case_limits),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
