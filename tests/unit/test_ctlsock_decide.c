/*
 * test_ctlsock_decide.c - decisions over the control socket do exactly
 * what the jurist asked (ctlsock_decide.c, ctlsock_names.c,
 * holdstate.c): table-driven over the single, --rcpt and bulk forms, on
 * two holds with recipients of several parties in several states, with a
 * real store and a real registry.  Each row starts from fresh holds,
 * runs its setup requests, then the request under test, and compares
 * every recipient's state and approvals, the answer and the sender's
 * notice.
 */
#include "testutil.h"
#include "fixture_dir.h"

#include <time.h>
#include <unistd.h>

#include "fixture_store.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/decide/registry.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctlsock_decide");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static const char registry_text[] =
	"version: 1\n"
	"own_domains: [ncsc.nl]\n"
	"eea:\n"
	"  - {country: BE, valid_from: 1994-01-01}\n"
	"regimes:\n"
	"  - {id: wbni, name: \"Wbni\", valid_from: 2018-11-09}\n"
	"bases:\n"
	"  - id: us-mou\n"
	"    regime: wbni\n"
	"    article: \"Wbni art. 3(2)\"\n"
	"    permits: [provider-traceable, incident]\n"
	"    tlp_max: AMBER\n"
	"    approved_by: \"test\"\n"
	"  - id: old-mou\n"
	"    regime: wbni\n"
	"    article: \"Wbni art. 3(2)\"\n"
	"    permits: [incident]\n"
	"    tlp_max: AMBER\n"
	"    valid_until: 2020-01-01\n"
	"    approved_by: \"test\"\n"
	"parties:\n"
	"  - id: cisa\n"
	"    name: \"CISA\"\n"
	"    type: third-country-csirt\n"
	"    jurisdiction: US\n"
	"    domains: [cisa.gov]\n"
	"    bases: [us-mou, old-mou]\n"
	"  - id: jpcert\n"
	"    name: \"JPCERT/CC\"\n"
	"    type: third-country-csirt\n"
	"    jurisdiction: JP\n"
	"    domains: [jpcert.or.jp]\n"
	"    bases: []\n";

static const char roles_conf[] =
	"Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\nJurist erin erin@ncsc.nl\n"
	"Admin carol\nControlConsoleUser web\nReleaseApprovals 2\nHoldExpiry 14\n";

/* Hold 1: three recipients of two parties; hold 2: JPCERT and a party
 * the registry no longer has. */
static const struct hold_rcpt hold1[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<info@jpcert.or.jp>", "jpcert", "constituency-mismatch", "Not theirs."},
	{"<report@cisa.gov>", "cisa", "no-basis,tlp-exceeds", "No basis."},
};
static const struct hold_rcpt hold2[] = {
	{"<info@jpcert.or.jp>", "jpcert", "no-basis", "No basis."},
	/* a party no longer in the registry (it was when the hold was made) */
	{"<soc@ncsc.gov.uk>", "ncsc-uk", "no-basis", "No basis."},
};

static const char message[] = "Subject: s\r\n\r\nbody 8.8.8.8\r\n";
static struct registry *reg;
static time_t now;

static const struct registry *fixed_registry(void *arg, time_t t, int32_t *date, void **pin)
{
	(void)arg;
	*pin = NULL;
	*date = date_from_time(t);
	return reg;
}

static void no_put(void *arg, void *pin)
{
	(void)arg;
	(void)pin;
}

static void put(struct store *s, const struct hold_rcpt *r, size_t n, time_t received,
		char ref[STORE_REF_MAX])
{
	struct hold_record h = {.queue_id = "Q1", .sender = "<sender@ncsc.nl>", .subject = "s",
			       .received = received, .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = r, .nrcpts = n};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* "state/approvals" of every recipient, holds apart by " | ". */
static void states(struct store *s, char *out, size_t len)
{
	struct store_hold_filter f = {.all_states = true};
	struct store_hold_list l;
	char err[256];
	if (store_holds_list(s, &f, &l, err, sizeof err) != 0)
		fail_msg("list: %s", err);
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = 0; k < l.holds[i].nrcpts; k++)
			n += (size_t)snprintf(out + n, len - n, "%s%s/%u",
					      k ? "," : i ? " | " : "", l.holds[i].rcpt_states[k],
					      l.holds[i].approvals[k]);
	store_hold_list_free(&l);
}

/* Send req (with @1 @2 for the references) as user; the answer. */
static char *ask(struct ctlsock_env *env, const struct config *c, const char *user,
		 const char *tmpl, const char *r1, const char *r2)
{
	char req[2048];
	size_t n = 0;
	for (const char *p = tmpl; *p && n + STORE_REF_MAX < sizeof req; p++) {
		if (p[0] == '@' && (p[1] == '1' || p[1] == '2')) {
			n += (size_t)snprintf(req + n, sizeof req - n, "%s", p[1] == '1' ? r1 : r2);
			p++;
		} else if (p[0] == '@' && p[1] == 'l') {
			/* @l: the first reference in lower case */
			for (const char *q = r1; *q; q++)
				req[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
			p++;
		} else {
			req[n++] = *p;
		}
	}
	req[n] = '\0';
	struct ctlsock_peer peer = {.uid = 1000, .user = user};
	char *resp;
	size_t len;
	if (ctlsock_handle(env, c, &peer, req, n, &resp, &len) != 0)
		fail_msg("handle %s failed", req);
	return resp;
}

#define DENY1 "{\"cmd\":\"deny\",\"ref\":\"@1\",\"reason\":\"no basis for the US\""
#define BULK "{\"all_matching\":true,\"reason\":\"bulk\","
#define APPROVE_SOC(who) {who, "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\"," \
	"\"rcpts\":[\"<soc@cisa.gov>\"]}"}

struct step {
	const char *user, *req;
};

static const struct {
	const char *name;
	struct step setup[3];
	const char *user, *req;
	const char *status;
	const char *want;		/* states after */
	const char *has, *hasnt;	/* in the answer */
	const char *notice_has, *notice_hasnt;	/* the deny notice (NULL: none checked) */
} cases[] = {
	{"deny: the whole hold", {{0}}, "bob", DENY1 "}", "ok",
	 "denied/0,denied/0,denied/0 | held/0,held/0", NULL, NULL,
	 "no basis for the US", NULL},
	{"deny --rcpt: only that recipient", {{0}}, "bob",
	 DENY1 ",\"rcpts\":[\"report@cisa.gov\"]}", "ok", "held/0,held/0,denied/0 | held/0,held/0",
	 "\"state\":\"pending\"", NULL, "report@cisa.gov (no-basis,tlp-exceeds)", "soc@cisa.gov"},
	{"deny --rcpt in another case, with <>", {{0}}, "bob",
	 DENY1 ",\"rcpts\":[\"<REPORT@Cisa.GOV>\"]}", "ok", "held/0,held/0,denied/0 | held/0,held/0",
	 NULL, NULL, "The jurist's reason:", "info@jpcert"},
	{"deny --rcpt of two parties", {{0}}, "bob",
	 DENY1 ",\"rcpts\":[\"soc@cisa.gov\",\"info@jpcert.or.jp\"]}", "ok",
	 "denied/0,denied/0,held/0 | held/0,held/0", NULL, NULL, "info@jpcert.or.jp", "report@cisa"},
	{"deny --rcpt not of the hold: nothing changes", {{0}}, "bob",
	 DENY1 ",\"rcpts\":[\"soc@cisa.gov\",\"x@cisa.gov\"]}", "refused",
	 "held/0,held/0,held/0 | held/0,held/0", "not a held recipient", NULL, NULL, NULL},
	{"deny --rcpt of an approved recipient, named", {APPROVE_SOC("bob"), APPROVE_SOC("erin")},
	 "alice", DENY1 ",\"rcpts\":[\"soc@cisa.gov\"]}", "ok",
	 "denied/2,held/0,held/0 | held/0,held/0", NULL, NULL, NULL, NULL},
	{"deny --rcpt of a denied recipient refused",
	 {{"bob", DENY1 ",\"rcpts\":[\"soc@cisa.gov\"]}"}}, "erin",
	 DENY1 ",\"rcpts\":[\"soc@cisa.gov\",\"report@cisa.gov\"]}", "refused",
	 "denied/0,held/0,held/0 | held/0,held/0", "already denied", NULL, NULL, NULL},
	{"approve --rcpt: only that recipient", {{0}}, "bob",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\",\"rcpts\":[\"report@cisa.gov\"]}",
	 "ok", "held/0,held/0,held/1 | held/0,held/0", NULL, NULL, NULL, NULL},
	{"reference in lower case", {{0}}, "bob",
	 "{\"cmd\":\"deny\",\"ref\":\"@l\",\"reason\":\"r\",\"rcpts\":[\"soc@cisa.gov\"]}", "ok",
	 "denied/0,held/0,held/0 | held/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk deny --party: only that party's held recipients",
	 {APPROVE_SOC("bob"), APPROVE_SOC("erin")}, "alice",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\"}", "ok",
	 "approved/2,denied/0,held/0 | denied/0,held/0", "\"matched\":2,\"recipients\":2", NULL,
	 "info@jpcert.or.jp", "soc@cisa.gov"},
	{"bulk deny --party by name, any case", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert/cc\"}", "ok",
	 "held/0,denied/0,held/0 | denied/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk deny --party id in capitals", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"JPCERT\"}", "ok",
	 "held/0,denied/0,held/0 | denied/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk deny never touches an approved recipient of the party",
	 {APPROVE_SOC("bob"), APPROVE_SOC("erin")}, "alice",
	 BULK "\"cmd\":\"deny\",\"party\":\"cisa\"}", "ok",
	 "approved/2,held/0,denied/0 | held/0,held/0", "\"matched\":1,\"recipients\":1", NULL, NULL,
	 NULL},
	{"bulk deny skips a recipient decided before",
	 {{"bob", "{\"cmd\":\"deny\",\"ref\":\"@2\",\"reason\":\"r\"}"}}, "erin",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\"}", "ok",
	 "held/0,denied/0,held/0 | denied/0,denied/0", "\"matched\":1", NULL, NULL, NULL},
	{"bulk deny of a party gone from the registry, any case", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"NCSC-UK\"}", "ok",
	 "held/0,held/0,held/0 | held/0,denied/0", "\"matched\":1,\"recipients\":1", NULL,
	 NULL, NULL},
	{"held: a party gone from the registry", {{0}}, "carol",
	 "{\"cmd\":\"held\",\"party\":\"ncsc-uk\"}", "ok",
	 "held/0,held/0,held/0 | held/0,held/0", "soc@ncsc.gov.uk", NULL, NULL, NULL},
	{"bulk deny --reason-code: only recipients with that code", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"reason_code\":\"TLP-Exceeds\"}", "ok",
	 "held/0,held/0,denied/0 | held/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk deny --reason-code and --party together", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"reason_code\":\"no-basis\",\"party\":\"jpcert\"}", "ok",
	 "held/0,held/0,held/0 | denied/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk approve --party: only that party", {{0}}, "bob",
	 BULK "\"cmd\":\"approve\",\"party\":\"cisa\"}", "ok",
	 "held/1,held/0,held/1 | held/0,held/0", NULL, NULL, NULL, NULL},
	{"bulk unknown party is an error", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"nonsense\"}", "bad-request",
	 "held/0,held/0,held/0 | held/0,held/0", "unknown party", NULL, NULL, NULL},
	{"bulk unknown reason code is an error", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"reason_code\":\"nonsense\"}", "bad-request",
	 "held/0,held/0,held/0 | held/0,held/0", "unknown reason code", NULL, NULL, NULL},
	{"bulk dry run changes nothing", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\",\"dry_run\":true}", "ok",
	 "held/0,held/0,held/0 | held/0,held/0", "\"dry_run\":true,", "<report@cisa.gov>", NULL, NULL},
	{"bulk with a stale plan changes nothing", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\",\"plan\":\"00\"}", "refused",
	 "held/0,held/0,held/0 | held/0,held/0", "changed since the preview", NULL, NULL, NULL},
	{"bulk through the console without the preview's plan: refused", {{0}}, "web",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\",\"on_behalf_of\":\"bob\"}", "refused",
	 "held/0,held/0,held/0 | held/0,held/0", "needs the plan of its preview", NULL, NULL, NULL},
	{"bulk through the console with a stale plan: refused", {{0}}, "web",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\",\"plan\":\"\",\"on_behalf_of\":\"bob\"}",
	 "refused", "held/0,held/0,held/0 | held/0,held/0", "changed since the preview", NULL, NULL,
	 NULL},
	{"bulk dry run through the console: the plan, nothing changed", {{0}}, "web",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\",\"dry_run\":true,\"on_behalf_of\":\"bob\"}",
	 "ok", "held/0,held/0,held/0 | held/0,held/0", "\"plan\":\"", NULL, NULL, NULL},
	{"bulk --yes of a person at the socket needs no plan", {{0}}, "bob",
	 BULK "\"cmd\":\"deny\",\"party\":\"jpcert\"}", "ok",
	 "held/0,denied/0,held/0 | denied/0,held/0", NULL, NULL, NULL, NULL},
	{"held --party: the party's bases valid today", {{0}}, "carol",
	 "{\"cmd\":\"held\",\"party\":\"CISA\"}", "ok", "held/0,held/0,held/0 | held/0,held/0",
	 "\"bases\":{\"cisa\":[{\"id\":\"us-mou\",\"article\":\"Wbni art. 3(2)\"", "old-mou",
	 NULL, NULL},
	{"held without a party: no bases", {{0}}, "carol", "{\"cmd\":\"held\"}", "ok",
	 "held/0,held/0,held/0 | held/0,held/0", NULL, "\"bases\"", NULL, NULL},
	{"held: unknown party is an error", {{0}}, "carol",
	 "{\"cmd\":\"held\",\"party\":\"JPCERT Japan\"}", "bad-request",
	 "held/0,held/0,held/0 | held/0,held/0", "unknown party", NULL, NULL, NULL},
	{"held: party by name in any case", {{0}}, "carol",
	 "{\"cmd\":\"held\",\"party\":\"jpcert/CC\"}", "ok",
	 "held/0,held/0,held/0 | held/0,held/0", "\"expires_in\":1206000", NULL, NULL, NULL},
	{"approve --basis of the party", {{0}}, "bob",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\",\"basis\":\"US-MOU\","
	 "\"rcpts\":[\"soc@cisa.gov\"]}", "ok", "held/1,held/0,held/0 | held/0,held/0", NULL, NULL,
	 NULL, NULL},
	{"approve --basis not of every party named", {{0}}, "bob",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\",\"basis\":\"us-mou\"}",
	 "bad-request", "held/0,held/0,held/0 | held/0,held/0", "not a basis of this party", NULL, NULL,
	 NULL},
	{"approve --basis expired", {{0}}, "bob",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\",\"basis\":\"old-mou\","
	 "\"rcpts\":[\"soc@cisa.gov\"]}", "bad-request", "held/0,held/0,held/0 | held/0,held/0",
	 "is expired on", NULL, NULL, NULL},
	{"approve --basis unknown", {{0}}, "bob",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\",\"basis\":\"wbni art 20\"}",
	 "bad-request", "held/0,held/0,held/0 | held/0,held/0", "unknown basis", NULL, NULL, NULL},
	{"bulk approve --basis: holds whose recipients lack it are refused", {{0}}, "bob",
	 BULK "\"cmd\":\"approve\",\"party\":\"jpcert\",\"basis\":\"us-mou\"}", "ok",
	 "held/0,held/0,held/0 | held/0,held/0", "\"refused\":2", NULL, NULL, NULL},
};

static void test_decisions(void **state)
{
	(void)state;
	char err[1024], path[256];
	snprintf(path, sizeof path, "%s/roles.conf", dir);
	FILE *f = fopen(path, "w");
	fputs(roles_conf, f);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	struct registry_errors *re = NULL;
	reg = registry_load_buffer("test.yaml", registry_text, sizeof registry_text - 1, &re);
	if (c == NULL || reg == NULL)
		fail_msg("setup: %s %s", err, re && registry_errors_count(re) ? registry_errors_get(re, 0) : "");
	registry_errors_free(re);
	now = 1800000000;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char r1[STORE_REF_MAX], r2[STORE_REF_MAX], got[512], want[64];
		fixture_databasef(path, sizeof path, dir, "d%zu.db", i);
		struct store *s = fixture_store_open(path, err, sizeof err);
		if (s == NULL)
			fail_msg("%s: %s", cases[i].name, err);
		put(s, hold1, ARRAY_LEN(hold1), now - 3600, r1);
		put(s, hold2, ARRAY_LEN(hold2), now - 1800, r2);
		struct ctlsock_env env = {.store = s, .hostname = "mx.test",
					  .notice_from = "g@ncsc.nl", .now = now,
					  .registry_get = fixed_registry, .config_put = no_put};
		for (size_t k = 0; k < 3 && cases[i].setup[k].user; k++) {
			char *a = ask(&env, c, cases[i].setup[k].user, cases[i].setup[k].req, r1, r2);
			if (strstr(a, "\"status\":\"ok\"") == NULL)
				fail_msg("%s: setup %zu: got %s", cases[i].name, k + 1, a);
			free(a);
		}
		int64_t notices = store_notice_count(s, NULL);
		char *a = ask(&env, c, cases[i].user, cases[i].req, r1, r2);
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(a, want) == NULL || (cases[i].has && strstr(a, cases[i].has) == NULL) ||
		    (cases[i].hasnt && strstr(a, cases[i].hasnt) != NULL))
			fail_msg("%s: got %s, want %s with \"%s\" without \"%s\"", cases[i].name, a, want,
				 cases[i].has ? cases[i].has : "", cases[i].hasnt ? cases[i].hasnt : "");
		free(a);
		states(s, got, sizeof got);
		assert_str_eq_msg(cases[i].name, got, cases[i].want);
		if (cases[i].notice_has != NULL) {
			struct store_notice n;
			if (store_notice_count(s, NULL) <= notices ||
			    store_notice_next(s, now + 1, &n) != 1)
				fail_msg("%s: no deny notice queued", cases[i].name);
			if (strstr(n.message, cases[i].notice_has) == NULL ||
			    (cases[i].notice_hasnt && strstr(n.message, cases[i].notice_hasnt)))
				fail_msg("%s: notice %s; want \"%s\" without \"%s\"", cases[i].name,
					 n.message, cases[i].notice_has,
					 cases[i].notice_hasnt ? cases[i].notice_hasnt : "");
		}
		struct store_audit_check chk;
		assert_int_eq_msg(cases[i].name, store_audit_verify(s, &chk, err, sizeof err), 0);
		store_close(s);
	}
	registry_unref(reg);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decisions),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
