/*
 * test_ctlsock.c - the control socket (ctlsock*.c) with a real store in a
 * temp dir: the role table, the validation of the role keys in the
 * configuration, the requests (parse -> role check -> store) with their
 * refusals recorded in the chain, bounded per caller (the rest counted
 * and summarised), and the socket itself (SO_PEERCRED, limits, stale
 * socket files).
 */
#include "testutil.h"

#include <glib.h>
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <dirent.h>
#include <pthread.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../../milter/daemon/ctlsock_priv.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/notice/notice.h"
#include "grondslag/daemon/ratelim.h"
#include "grondslag/decide/senderid.h"
#include "grondslag/store/store.h"


static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctlsock");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* Write text to dir/name and load it as the configuration (NULL + err). */
static struct config *conf_from(const char *name, const char *text, char *err, size_t errlen)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	return config_load(path, err, errlen);
}

static const char roles_conf[] =
	"Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\nJurist erin erin@ncsc.nl\n"
	"Jurist alice alice.private@example.org\nAdmin carol\nAuditor dave\nReleaseApprovals 2\n";

static void test_roles(void **state)
{
	(void)state;
	char err[1024];
	struct config *c = conf_from("roles.conf", roles_conf, err, sizeof err);
	if (c == NULL)
		fail_msg("config: %s", err);
	static const struct {
		const char *user;
		long uid;
		enum ctlsock_role want;
	} cases[] = {
		{"alice", 1001, CTLSOCK_JURIST}, {"bob", 1002, CTLSOCK_JURIST},
		{"carol", 1003, CTLSOCK_ADMIN},	 {"dave", 1004, CTLSOCK_AUDITOR},
		{"eve", 1005, CTLSOCK_NONE},	 {"root", 0, CTLSOCK_ADMIN},
		{"#1234", 1234, CTLSOCK_NONE},	 {"ali", 1006, CTLSOCK_NONE},
		{"", 1007, CTLSOCK_NONE},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_str_eq_msg(cases[i].user,
				  ctlsock_role_name(ctlsock_role_of(c, cases[i].user, cases[i].uid)),
				  ctlsock_role_name(cases[i].want));
	config_free(c);
}

static void test_config_keys(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *want;	/* substring of the error; NULL: loads */
	} cases[] = {
		{"Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\n", NULL},
		{"Admin carol\nAdmin root\nAuditor dave\n", NULL},
		{"ReleaseApprovals 1\nHoldExpiry 30\n", NULL},
		{"Jurist alice\n", ":1: Jurist: \"alice\" is not USER MAILADDRESS"},
		{"# x\nJurist alice not-an-address\n", ":2: Jurist:"},
		{"Jurist -alice a@b.c\n", ":1: Jurist: \"-alice\" is not a login name"},
		{"Jurist al/ice a@b.c\n", "is not a login name"},
		{"Jurist alice a@b@c\n", "is not USER MAILADDRESS"},
		{"Jurist alice <a@b.c>\n", "is not USER MAILADDRESS"},
		{"Jurist alice a@b.c a.private@d.e sasl:alice sasl:a@REALM\n", NULL},
		{"Jurist alice sasl:alice\n", "is not USER MAILADDRESS"},
		{"Jurist alice a@b.c sasl:\n", "is not USER MAILADDRESS"},
		{"Jurist alice a@b.c not-an-address\n", "is not USER MAILADDRESS"},
		{"RecipientDelimiter +-\n", NULL},
		{"Admin carol dave\n", ":1: Admin: one login name per line"},
		{"Auditor d@ve\n", "is not a login name"},
		{"ReleaseApprovals 6\n", "ReleaseApprovals: 6 is out of range 1..5"},
		{"ReleaseApprovals 0\n", "out of range"},
		{"HoldExpiry 0\n", "HoldExpiry: 0 is out of range"},
		{"ReleaseApprovals 2\nReleaseApprovals 3\n", "given twice"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[1024] = "";
		struct config *c = conf_from("keys.conf", cases[i].text, err, sizeof err);
		if (cases[i].want == NULL && c == NULL)
			fail_msg("%s: got error \"%s\", want it to load", cases[i].text, err);
		if (cases[i].want != NULL && (c != NULL || strstr(err, cases[i].want) == NULL))
			fail_msg("%s: got \"%s\", want an error with \"%s\"", cases[i].text,
				 c ? "(loaded)" : err, cases[i].want);
		config_free(c);
	}
	struct config *c = config_defaults();
	assert_int_eq_msg("ReleaseApprovals default", config_uint(c, CONF_RELEASE_APPROVALS), 2);
	assert_int_eq_msg("HoldExpiry default", config_uint(c, CONF_HOLD_EXPIRY), 14);
	config_free(c);
}

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<info@jpcert.or.jp>", "jpcert", "constituency-mismatch", "Not their constituency."},
};

static const char message[] = "Subject: s\r\nX-A: 1\r\n\r\nbody 8.8.8.8\r\n";

/* A hold from <alice@ncsc.nl> to the recipients above. */
static void put_hold(struct store *s, char ref[STORE_REF_MAX])
{
	struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>", .subject = "s",
			       .received = time(NULL) - 7200, .registry_digest = "ab",
			       .summary_json = "{\"countries\":\"US:2\",\"public_addresses\":2}",
			       .findings_json = "{\"addresses\":[\"8.8.8.8\",\"193.0.6.139\"]}",
			       .data = message, .len = sizeof message - 1,
			       .fd = -1, .rcpts = held, .nrcpts = 2};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* The parties of the holds above, for the filters and bases named. */
static const char registry_text[] =
	"version: 1\nown_domains: [ncsc.nl]\neea: []\n"
	"regimes:\n  - {id: wbni, name: \"Wbni\", valid_from: 2018-11-09}\n"
	"bases:\n  - {id: wbni, regime: wbni, article: \"Wbni art. 3(2)\", permits: [incident],"
	" tlp_max: AMBER, approved_by: test}\n"
	"parties:\n"
	"  - {id: cisa, name: \"CISA\", type: third-country-csirt, jurisdiction: US,"
	" domains: [cisa.gov], bases: [wbni]}\n"
	"  - {id: jpcert, name: \"JPCERT/CC\", type: third-country-csirt, jurisdiction: JP,"
	" domains: [jpcert.or.jp], bases: [wbni]}\n";

/* Count records of one event (scan callback). */
struct count_arg {
	const char *event;
	int n;
};
static int count_cb(void *arg, const struct audit_record *r)
{
	struct count_arg *a = arg;
	a->n += strcmp(r->event, a->event) == 0;
	return 0;
}
static int count_events(struct store *s, const char *event)
{
	struct count_arg a = {event, 0};
	assert_int_eq_msg("audit scan", store_audit_scan(s, INT64_MIN, count_cb, &a), 0);
	return a.n;
}

/* The request sequence: each row depends on the rows before. */
static const struct {
	const char *name, *user;
	long uid;
	const char *req;
	const char *status;
	const char *has;	/* substring of the answer, or NULL */
} steps[] = {
	{"outsider refused", "eve", 1005, "{\"cmd\":\"held\"}", "refused", "no role"},
	{"outsider garbage refused", "eve", 1005, "xx", "refused", NULL},
	{"admin lists", "carol", 1003, "{\"cmd\":\"held\"}", "ok", "\"ref\":\"@1\""},
	{"filter party unknown", "carol", 1003, "{\"cmd\":\"held\",\"party\":\"nobody\"}",
	 "bad-request", "unknown party"},
	{"filter party", "carol", 1003, "{\"cmd\":\"held\",\"party\":\"cisa\"}", "ok",
	 "\"ref\":\"@2\""},
	{"filter reason", "dave", 1004, "{\"cmd\":\"held\",\"reason_code\":\"no-basis\"}", "ok", "@2"},
	{"bad filter", "dave", 1004, "{\"cmd\":\"held\",\"party\":3}", "bad-request", NULL},
	{"auditor shows", "dave", 1004, "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok", "US:2"},
	{"show hides addresses", "dave", 1004, "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok", NULL},
	{"auditor content refused", "dave", 1004,
	 "{\"cmd\":\"show\",\"ref\":\"@1\",\"content\":true}", "refused", "only a jurist"},
	{"admin approve refused", "carol", 1003,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"x\"}", "refused", "may not approve"},
	{"a jurist may not resolve a release", "bob", 1002,
	 "{\"cmd\":\"release-resolve\",\"ref\":\"@1\",\"resolution\":\"delivered\","
	 "\"reason\":\"x\"}", "refused", "may not release-resolve"},
	{"resolve needs a reason", "carol", 1003,
	 "{\"cmd\":\"release-resolve\",\"ref\":\"@1\",\"resolution\":\"delivered\"}",
	 "bad-request", "reason"},
	{"resolve needs a resolution", "carol", 1003,
	 "{\"cmd\":\"release-resolve\",\"ref\":\"@1\",\"resolution\":\"maybe\","
	 "\"reason\":\"x\"}", "bad-request", "resolution is"},
	{"nothing to resolve: refused", "carol", 1003,
	 "{\"cmd\":\"release-resolve\",\"ref\":\"@1\",\"resolution\":\"delivered\","
	 "\"reason\":\"log\"}", "refused", "not waiting for an admin"},
	{"sender cannot approve", "alice", 1001,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"ok\"}", "refused", NULL},
	{"approve needs reason", "bob", 1002, "{\"cmd\":\"approve\",\"ref\":\"@1\"}",
	 "bad-request", "reason is required"},
	{"bad rcpts", "bob", 1002,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"r\",\"rcpts\":\"x\"}", "bad-request",
	 NULL},
	{"first approval", "bob", 1002,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"art. 20\",\"basis\":\"wbni\"}", "ok",
	 "\"release\":\"none\""},
	{"second approval of one rcpt", "erin", 1003,
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"agree\",\"rcpts\":[\"<soc@cisa.gov>\"]}",
	 "ok", "pending: ReleaseRelay is empty"},
	{"jurist views content", "alice", 1001,
	 "{\"cmd\":\"show\",\"ref\":\"@1\",\"content\":true}", "ok", "193.0.6.139"},
	{"show history", "dave", 1004, "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"jurist\":\"erin\""},
	{"not json", "bob", 1002, "not json", "bad-request", NULL},
	{"not an object", "bob", 1002, "[1]", "bad-request", NULL},
	{"unknown command", "bob", 1002, "{\"cmd\":\"release\"}", "bad-request", NULL},
	{"bad ref", "bob", 1002, "{\"cmd\":\"show\",\"ref\":\"G1\"}", "bad-request", NULL},
	{"no such hold", "bob", 1002, "{\"cmd\":\"show\",\"ref\":\"G20200101-0000000000\"}",
	 "not-found", NULL},
	{"deny", "bob", 1002, "{\"cmd\":\"deny\",\"ref\":\"@2\",\"reason\":\"no basis\"}", "ok",
	 "\"notice\":true"},
	{"deny again refused", "bob", 1002,
	 "{\"cmd\":\"deny\",\"ref\":\"@2\",\"reason\":\"again\"}", "refused", NULL},
	{"bulk without filter", "bob", 1002,
	 "{\"cmd\":\"deny\",\"all_matching\":true,\"reason\":\"x\"}", "bad-request", "filter"},
	{"bulk deny", "bob", 1002,
	 "{\"cmd\":\"deny\",\"all_matching\":true,\"party\":\"jpcert\",\"reason\":\"old\"}", "ok",
	 "\"matched\":1,\"recipients\":1,\"applied\":1"},
	{"the approved recipient stays", "dave", 1004, "{\"cmd\":\"held\"}", "ok",
	 "\"rcpt\":\"<soc@cisa.gov>\",\"state\":\"approved\""},
};

static void test_requests(void **state)
{
	(void)state;
	char err[1024], path[256], ref1[STORE_REF_MAX], ref2[STORE_REF_MAX];
	struct config *c = conf_from("req.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/req.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ref1);
	put_hold(s, ref2);
	struct registry_errors *re = NULL;
	test_registry = registry_load_buffer("t.yaml", registry_text, sizeof registry_text - 1, &re);
	registry_errors_free(re);
	assert_non_null(test_registry);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .registry_get = registry_of, .config_put = unpin};
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		char req[1024], has[256], want[64], *resp;
		size_t len;
		fill(steps[i].req, ref1, ref2, req, sizeof req);
		struct ctlsock_peer p = {.uid = steps[i].uid, .user = steps[i].user};
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("%s: handle failed", steps[i].name);
		snprintf(want, sizeof want, "\"status\":\"%s\"", steps[i].status);
		if (steps[i].has)
			fill(steps[i].has, ref1, ref2, has, sizeof has);
		if (strstr(resp, want) == NULL || (steps[i].has && strstr(resp, has) == NULL))
			fail_msg("%s: got %s, want %s and %s", steps[i].name, resp, want,
				 steps[i].has ? has : "-");
		if (i == 8 && strstr(resp, "8.8.8.8") != NULL)
			fail_msg("%s: got the address list without content: %s", steps[i].name, resp);
		if (len == 0 || resp[len - 1] != '\n' || memchr(resp, '\n', len) != resp + len - 1)
			fail_msg("%s: the answer is not one line: %s", steps[i].name, resp);
		free(resp);
	}
	/* 8 refusals of role or state (two of them of release-resolve), and
	 * the 3 malformed requests (not json, not an object, unknown command):
	 * a probe is recorded too */
	assert_int_eq_msg("refused records", count_events(s, "refused"), 11);
	assert_int_eq_msg("view records", count_events(s, "view"), 1);
	assert_int_eq_msg("approve records", count_events(s, "approve"), 2);
	assert_int_eq_msg("deny records", count_events(s, "deny"), 2);
	assert_int_eq_msg("deny notices queued", store_notice_count(s, "queued"), 2);
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	registry_unref(test_registry);
	store_close(s);
	config_free(c);
}

/* The message itself ("content"): a jurist reads the headers, the parts
 * and one page of one part's extracted text (paged, on character
 * boundaries); every read is one "view" record naming the part and the
 * offset; malformed requests are answered, other roles refused and
 * recorded. */
static void test_content(void **state)
{
	(void)state;
	char err[1024], path[256], ref[STORE_REF_MAX];
	struct config *c = conf_from("content.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/content.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	/* body with markup, a CSV attachment, a large text of 2-byte
	 * characters (three pages and a bit) */
	size_t big = 100000;
	char *msg = malloc(big * 2 + 4096);
	assert_non_null(msg);
	int n = snprintf(msg, 4096,
			 "From: <alice@ncsc.nl>\r\nSubject: <script>x</script>\r\nMIME-Version: 1.0\r\n"
			 "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
			 "Content-Type: text/plain\r\n\r\nbody <b>bold</b>\r\n--b\r\n"
			 "Content-Type: text/csv; name=\"l.csv\"\r\n\r\nip\r\n133.1.2.3\r\n--b\r\n"
			 "Content-Type: text/plain; charset=utf-8; name=\"big.txt\"\r\n\r\n");
	size_t len = (size_t)n;
	for (size_t i = 0; i < big; i++) {
		msg[len++] = (char)0xc3;
		msg[len++] = (char)0xa9;
	}
	len += (size_t)snprintf(msg + len, 64, "\r\n--b--\r\n");
	struct hold_record h = {.queue_id = "Q9", .sender = "<alice@ncsc.nl>", .subject = "x",
			       .received = time(NULL), .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}",
			       .data = msg, .len = len, .fd = -1, .rcpts = held, .nrcpts = 2};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	free(msg);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	static const struct {
		const char *name, *user, *args;	/* args: after "ref" */
		const char *status, *has, *hasnt;
	} cases[] = {
		{"the body by default", "bob", "", "ok",
		 "\"page\":{\"part\":\"1\",\"offset\":0,\"total\":", "\"next\":1"},
		{"... its text as the scanner saw it", "bob", "", "ok", "body <b>bold</b>", NULL},
		{"... the headers", "bob", "", "ok", "Subject: <script>x</script>", NULL},
		{"... every part, with its name", "bob", "", "ok", "\"path\":\"2\",\"type\":\"text/csv\","
		 "\"filename\":\"l.csv\"", NULL},
		{"the attachment", "bob", ",\"part\":\"2\"", "ok", "133.1.2.3", "body <b>"},
		{"a large part: the first page", "bob", ",\"part\":\"3\"", "ok",
		 "\"offset\":0,\"total\":200000,\"next\":65536,", NULL},
		{"... a character boundary", "bob", ",\"part\":\"3\",\"offset\":1", "ok",
		 "\"offset\":2,\"total\":200000,\"next\":65538,", NULL},
		{"... the last page", "bob", ",\"part\":\"3\",\"offset\":196608", "ok",
		 "\"offset\":196608,\"total\":200000,\"next\":null,", NULL},
		{"... past the end", "bob", ",\"part\":\"3\",\"offset\":300000", "ok",
		 "\"next\":null,\"text\":\"\"", NULL},
		{"no such part", "bob", ",\"part\":\"9\"", "not-found", "no part", NULL},
		{"an empty part", "bob", ",\"part\":\"\"", "bad-request", NULL, NULL},
		{"a part that is no string", "bob", ",\"part\":2", "bad-request", NULL, NULL},
		{"a negative offset", "bob", ",\"offset\":-1", "bad-request", NULL, NULL},
		{"an offset that is no number", "bob", ",\"offset\":\"1\"", "bad-request", NULL, NULL},
		{"an auditor", "dave", "", "refused", "may not content", "133.1.2.3"},
		{"an admin", "carol", ",\"part\":\"2\"", "refused", "may not content", "133.1.2.3"},
	};
	int oks = 0;
	/* twice: first with a budget for the text of all walks too small
	 * for the big part (each page collected alone, as without a cache,
	 * and the budget never passed), then with the daemon's */
	size_t used = 0, peak = 0;
	size_t budget0 = ctlsock_text_budget(0, &used, &peak);
	size_t small = used + 100000;
	for (int round = 0; round < 2; round++) {
	ctlsock_text_budget(round == 0 ? small : budget0, NULL, &peak);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char req[512], want[64], *resp;
		size_t rlen;
		snprintf(req, sizeof req, "{\"cmd\":\"content\",\"ref\":\"%s\"%s}", ref, cases[i].args);
		struct ctlsock_peer p = {.uid = strcmp(cases[i].user, "bob") == 0 ? 1002 : 1004,
					 .user = cases[i].user};
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &rlen) != 0)
			fail_msg("%s: handle failed", cases[i].name);
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(resp, want) == NULL || (cases[i].has && strstr(resp, cases[i].has) == NULL) ||
		    (cases[i].hasnt && strstr(resp, cases[i].hasnt) != NULL))
			fail_msg("%s: got %.600s, want %s and %s, not %s", cases[i].name, resp, want,
				 cases[i].has ? cases[i].has : "-", cases[i].hasnt ? cases[i].hasnt : "-");
		if (rlen > CTLSOCK_CONTENT_PAGE * 2 + 8192)
			fail_msg("%s: an answer of %zu bytes: more than one page", cases[i].name, rlen);
		oks += strcmp(cases[i].status, "ok") == 0;
		free(resp);
		ctlsock_text_budget(0, &used, &peak);
		if (round == 0 && peak > small)
			fail_msg("%s: %zu bytes of text taken, the budget %zu", cases[i].name, peak,
				 small);
	}
	}
	assert_int_eq_msg("one view record per content answer", count_events(s, "view"), oks);
	assert_int_eq_msg("the refusals recorded", count_events(s, "refused"), 4);
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	/* the pages above came from the text kept of one walk; what the
	 * stored message is checked against (holds.sha256), or the message
	 * itself, changed by another process afterwards: the next page reads
	 * it again, and refuses it (recorded), never shows the kept text */
	static const char *const edits[] = {
		"UPDATE holds SET sha256 = '00000000000000000000000000000000"
		"00000000000000000000000000000000'",
		"UPDATE hold_messages SET message = CAST(replace("
		"CAST(message AS TEXT), 'l.csv', 'L.csv') AS BLOB)",
	};
	char req[256], *resp;
	size_t rlen;
	struct ctlsock_peer bob = {.uid = 1002, .user = "bob"};
	snprintf(req, sizeof req, "{\"cmd\":\"content\",\"ref\":\"%s\",\"part\":\"3\","
		 "\"offset\":65536}", ref);
	char sha[STORE_SHA256_HEX];
	struct store_hold_record *hr = store_hold_get(s, ref, err, sizeof err);
	assert_non_null(hr);
	snprintf(sha, sizeof sha, "%s", hr->sha256);
	store_hold_record_free(hr);
	for (size_t i = 0; i < ARRAY_LEN(edits); i++) {
		if (i > 0) {
			/* the digest put back: the message is read and kept again */
			char put[256];
			snprintf(put, sizeof put, "UPDATE holds SET sha256 = '%s'", sha);
			fixture_exec(path, put);
			assert_int_equal(ctlsock_handle(&env, c, &bob, req, strlen(req), &resp,
							&rlen), 0);
			if (strstr(resp, "\"status\":\"ok\"") == NULL)
				fail_msg("the digest put back: got %.300s", resp);
			free(resp);
			oks++;
		}
		fixture_exec(path, edits[i]);
		assert_int_equal(ctlsock_handle(&env, c, &bob, req, strlen(req), &resp, &rlen), 0);
		if (strstr(resp, "\"status\":\"error\"") == NULL ||
		    strstr(resp, "SHA-256") == NULL)
			fail_msg("a page after %s: got %.300s, want an error naming the SHA-256",
				 edits[i], resp);
		free(resp);
		assert_int_eq_msg("the change recorded", count_events(s, "tampered"), (int)i + 1);
		assert_int_eq_msg("no view of it", count_events(s, "view"), oks);
	}
	store_close(s);
	config_free(c);
}

/* held in pages: offset and limit pick the holds, soonest expiry
 * (oldest) first; total counts every hold the filter matches on every
 * page; malformed values are answered as such. */
static void test_held_pages(void **state)
{
	(void)state;
	char err[1024], path[256], refs[5][STORE_REF_MAX];
	struct config *c = conf_from("pages.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/pages.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	for (int i = 0; i < 5; i++) {
		struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>",
				       .subject = "s", .received = time(NULL) - 7200 + 60 * i,
				       .registry_digest = "ab", .summary_json = "{}",
				       .findings_json = "{}", .data = message,
				       .len = sizeof message - 1, .fd = -1, .rcpts = held,
				       .nrcpts = i < 3 ? 2 : 1};
		if (store_hold_put(s, &h, refs[i], err, sizeof err) != 0)
			fail_msg("store_hold_put: %s", err);
	}
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	struct ctlsock_peer bob = {.uid = 1002, .user = "bob"};
	static const struct {
		const char *name, *args, *status;
		int first, count, total;	/* the holds answered: refs[first..] */
		bool truncated;
	} cases[] = {
		{"no page: every hold", "", "ok", 0, 5, 5, false},
		{"the first page", ",\"limit\":2", "ok", 0, 2, 5, true},
		{"the second page", ",\"limit\":2,\"offset\":2", "ok", 2, 2, 5, true},
		{"the last page", ",\"limit\":2,\"offset\":4", "ok", 4, 1, 5, false},
		{"past the end", ",\"limit\":2,\"offset\":9", "ok", 0, 0, 5, false},
		{"a filter counts its own", ",\"party\":\"JPCERT\",\"limit\":1,\"offset\":1",
		 "ok", 1, 1, 3, true},
		{"limit 0", ",\"limit\":0", "bad-request", 0, 0, 0, false},
		{"a limit over the most", ",\"limit\":1001", "bad-request", 0, 0, 0, false},
		{"an offset that is no number", ",\"offset\":\"2\"", "bad-request", 0, 0, 0, false},
		{"a negative offset", ",\"offset\":-2", "bad-request", 0, 0, 0, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char req[256], want[128], *resp;
		size_t rlen;
		snprintf(req, sizeof req, "{\"cmd\":\"held\"%s}", cases[i].args);
		if (ctlsock_handle(&env, c, &bob, req, strlen(req), &resp, &rlen) != 0)
			fail_msg("%s: handle failed", cases[i].name);
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(resp, want) == NULL)
			fail_msg("%s: got %.300s, want %s", cases[i].name, resp, want);
		if (strcmp(cases[i].status, "ok") == 0) {
			snprintf(want, sizeof want, "\"truncated\":%s,\"total\":%d,",
				 cases[i].truncated ? "true" : "false", cases[i].total);
			if (strstr(resp, want) == NULL)
				fail_msg("%s: got %.300s, want %s", cases[i].name, resp, want);
			int n = 0;
			for (const char *p = resp; (p = strstr(p, "\"ref\":\"")) != NULL; p++)
				n++;
			assert_int_eq_msg(cases[i].name, n, cases[i].count);
			for (int k = 0; k < cases[i].count; k++)
				if (strstr(resp, refs[cases[i].first + k]) == NULL)
					fail_msg("%s: hold %d missing: %.300s", cases[i].name,
						 cases[i].first + k, resp);
			if (cases[i].count > 0 && cases[i].first > 0 &&
			    strstr(resp, refs[cases[i].first - 1]) != NULL)
				fail_msg("%s: the hold before the page shown", cases[i].name);
		}
		free(resp);
	}
	store_close(s);
	config_free(c);
}

/* The hold's history in show: every record of it in the chain, oldest
 * first (the list view naming it, a content view, a refusal, a decision),
 * and none of another hold. */
static void test_history(void **state)
{
	(void)state;
	char err[1024], path[256], ref1[STORE_REF_MAX], ref2[STORE_REF_MAX];
	struct config *c = conf_from("hist.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/hist.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ref1);
	put_hold(s, ref2);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	static const struct {
		const char *user;
		long uid;
		const char *req;
	} hsteps[] = {
		{"bob", 1002, "{\"cmd\":\"held\"}"},
		{"bob", 1002, "{\"cmd\":\"content\",\"ref\":\"@1\"}"},
		{"dave", 1004, "{\"cmd\":\"content\",\"ref\":\"@1\"}"},
		{"bob", 1002, "{\"cmd\":\"content\",\"ref\":\"@2\"}"},
		{"bob", 1002, "{\"cmd\":\"deny\",\"ref\":\"@1\",\"reason\":\"hist test\"}"},
	};
	for (size_t i = 0; i < ARRAY_LEN(hsteps); i++) {
		char req[512], *resp;
		size_t len;
		fill(hsteps[i].req, ref1, ref2, req, sizeof req);
		struct ctlsock_peer p = {.uid = hsteps[i].uid, .user = hsteps[i].user};
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("step %zu: handle failed", i);
		free(resp);
	}
	char req[256], *resp;
	size_t len;
	snprintf(req, sizeof req, "{\"cmd\":\"show\",\"ref\":\"%s\"}", ref1);
	struct ctlsock_peer aud = {.uid = 1004, .user = "dave"};
	if (ctlsock_handle(&env, c, &aud, req, strlen(req), &resp, &len) != 0)
		fail_msg("show: handle failed");
	/* in this order, each once */
	static const char *const want[] = {
		"\"event\":\"hold\"",
		"\"actor\":\"bob\",\"role\":\"jurist\",\"event\":\"view\",\"details\":{\"holds\":2,",
		"\"actor\":\"bob\",\"role\":\"jurist\",\"event\":\"view\",\"details\":{\"offset\":0,"
		"\"part\":\"1\",\"what\":\"content\"}",
		"\"actor\":\"dave\",\"role\":\"auditor\",\"event\":\"refused\"",
		"\"actor\":\"bob\",\"role\":\"jurist\",\"event\":\"deny\"",
		"\"history_omitted\":0",
	};
	const char *hist = strstr(resp, "\"history\":["), *at = hist;
	if (hist == NULL)
		fail_msg("show: no history in %s", resp);
	for (size_t i = 0; i < ARRAY_LEN(want); i++) {
		const char *hit = strstr(at, want[i]);
		if (hit == NULL)
			fail_msg("history: want %s after %.80s in %s", want[i], at, hist);
		at = hit + strlen(want[i]);
	}
	/* the other hold's content view is not this hold's history */
	int views = 0;
	for (const char *p = hist; (p = strstr(p, "\"what\":\"content\"")) != NULL; p++)
		views++;
	if (views != 1)
		fail_msg("history: %d content views, want this hold's 1: %s", views, hist);
	free(resp);
	store_close(s);
	config_free(c);
}

/* Held mail also encrypted to the escrow key: a jurist's content view
 * opens it as the scan did (the escrow hook of the pinned snapshot; here
 * a decrypt() of the test's own, the walker's part is test_walk's and the
 * GnuPG part test_escrow's), with a "decrypt" record of that jurist and
 * hold first; without the hook it stays sealed; a refused role opens
 * nothing. */
static const uint8_t escrow_id[8] = {0xe5, 0xc7, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55};

static int escrow_open(void *arg, const void *data, size_t len, size_t max, unsigned ms,
		       unsigned char **out, size_t *outlen, const char **why)
{
	(void)arg, (void)data, (void)len, (void)ms, (void)why;
	static const char plain[] = "Content-Type: text/plain\r\n\r\nsecret 194.7.1.10\r\n";
	if (sizeof plain - 1 > max || (*out = malloc(sizeof plain)) == NULL)
		return -1;
	memcpy(*out, plain, sizeof plain);
	*outlen = sizeof plain - 1;
	return 0;
}

static const struct walk_escrow test_escrow = {&escrow_id, 1, escrow_open, NULL};
static bool escrow_on;

static const struct walk_escrow *escrow_of(void *arg, void *pin, const char **fpr)
{
	(void)arg, (void)pin;
	*fpr = "0123456789ABCDEF0123456789ABCDEF01234567";
	return escrow_on ? &test_escrow : NULL;
}

static void test_content_escrow(void **state)
{
	(void)state;
	char err[1024], path[256], ref[STORE_REF_MAX];
	struct config *c = conf_from("escrow.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/escrow.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	unsigned char pk[] = {0xc1, 10, 3, 0xe5, 0xc7, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55, 1,
			      0xd2, 4, 1, 0xaa, 0xbb, 0xcc};
	gchar *b64 = g_base64_encode(pk, sizeof pk);
	char *msg = g_strdup_printf(
		"From: <alice@ncsc.nl>\r\nSubject: enc\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
		"boundary=e\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\n"
		"Version: 1\r\n--e\r\nContent-Type: application/octet-stream\r\n\r\n"
		"-----BEGIN PGP MESSAGE-----\r\n\r\n%s\r\n-----END PGP MESSAGE-----\r\n--e--\r\n",
		b64);
	g_free(b64);
	struct hold_record h = {.queue_id = "Q8", .sender = "<alice@ncsc.nl>", .subject = "enc",
			       .received = time(NULL), .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = msg,
			       .len = strlen(msg), .fd = -1, .rcpts = held, .nrcpts = 2};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	g_free(msg);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .escrow_of = escrow_of};
	static const struct {
		const char *name, *user;
		bool escrow;
		const char *args, *status, *has, *hasnt;
		int decrypts;	/* "decrypt" records after the request */
	} cases[] = {
		{"without an escrow key: sealed", "bob", false, "", "ok", "\"reason\":\"pgp-mime\"",
		 "194.7.1.10", 0},
		{"a jurist's view opens it", "bob", true, ",\"part\":\"TEXT!decrypted.1\"", "ok",
		 "secret 194.7.1.10", NULL, 1},
		{"... the part is shown as decrypted", "bob", true, "", "ok",
		 "\"status\":\"decrypted\"", NULL, 2},
		{"an auditor opens nothing", "dave", true, "", "refused", NULL, "194.7.1.10", 2},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char req[512], want[64], *resp;
		size_t rlen;
		escrow_on = cases[i].escrow;
		snprintf(req, sizeof req, "{\"cmd\":\"content\",\"ref\":\"%s\"%s}", ref, cases[i].args);
		struct ctlsock_peer p = {.uid = strcmp(cases[i].user, "bob") == 0 ? 1002 : 1004,
					 .user = cases[i].user};
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &rlen) != 0)
			fail_msg("%s: handle failed", cases[i].name);
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(resp, want) == NULL || (cases[i].has && strstr(resp, cases[i].has) == NULL) ||
		    (cases[i].hasnt && strstr(resp, cases[i].hasnt) != NULL))
			fail_msg("%s: got %.900s, want %s and %s, not %s", cases[i].name, resp, want,
				 cases[i].has ? cases[i].has : "-", cases[i].hasnt ? cases[i].hasnt : "-");
		assert_int_eq_msg(cases[i].name, count_events(s, "decrypt"), cases[i].decrypts);
		free(resp);
	}
	escrow_on = false;
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	store_close(s);
	config_free(c);
}

/* A stored message changed after the hold was made: the jurist's content
 * view is refused (nothing of it shown, no "view" record), recorded as
 * "tampered" and said why. */
static void test_tampered_content(void **state)
{
	(void)state;
	char err[1024], path[256], ref[STORE_REF_MAX], req[256], *resp;
	size_t len;
	struct config *c = conf_from("tamper.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/tamper.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ref);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE hold_messages SET message = CAST(replace("
				      "CAST(message AS TEXT), 'X-A: 1', 'X-A: 2') AS BLOB)",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	struct ctlsock_peer p = {.uid = 1001, .user = "alice"};
	snprintf(req, sizeof req, "{\"cmd\":\"show\",\"ref\":\"%s\",\"content\":true}", ref);
	assert_int_equal(ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len), 0);
	if (strstr(resp, "\"status\":\"error\"") == NULL || strstr(resp, "SHA-256") == NULL ||
	    strstr(resp, "193.0.6.13") != NULL)
		fail_msg("tampered content view: got %s, want an error naming the SHA-256", resp);
	free(resp);
	assert_int_eq_msg("tampered records", count_events(s, "tampered"), 1);
	assert_int_eq_msg("view records", count_events(s, "view"), 0);
	/* without content, the hold is still shown (its recorded digest) */
	snprintf(req, sizeof req, "{\"cmd\":\"show\",\"ref\":\"%s\"}", ref);
	assert_int_equal(ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len), 0);
	assert_non_null(strstr(resp, "\"status\":\"ok\""));
	free(resp);
	store_close(s);
	config_free(c);
}

/* The summaries among the "refused" records (scan callback). */
struct summary_arg {
	int n;
	char actor[64], role[16], details[512];
	int64_t uid;
};
static int summary_cb(void *arg, const struct audit_record *r)
{
	struct summary_arg *a = arg;
	if (strcmp(r->event, "refused") != 0 || strstr(r->details, "\"suppressed\":") == NULL)
		return 0;
	a->n++;
	snprintf(a->actor, sizeof a->actor, "%s", r->actor);
	snprintf(a->role, sizeof a->role, "%s", r->role);
	snprintf(a->details, sizeof a->details, "%s", r->details);
	a->uid = r->uid;
	return 0;
}

/* n requests by user (uid) at env->now, now + 1, ...; each answered
 * "refused", those past the limit saying they were only counted. */
static void refuse_n(struct ctlsock_env *env, const struct config *c, const char *user, long uid,
		     const char *req, int n)
{
	struct ctlsock_peer p = {.uid = uid, .user = user};
	time_t t0 = env->now;
	for (int i = 0; i < n; i++, env->now++) {
		char *resp, row[64];
		size_t len;
		snprintf(row, sizeof row, "%s refusal %d", user, i + 1);
		if (ctlsock_handle(env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("%s: handle failed", row);
		bool counted = strstr(resp, "counted, not recorded one by one") != NULL;
		if (strstr(resp, "\"status\":\"refused\"") == NULL ||
		    counted != (i >= CTLSOCK_REFUSALS_PER_WINDOW))
			fail_msg("%s: got %s", row, resp);
		free(resp);
	}
	env->now = t0;
}

/* Ask as dave (an auditor: answered, no refusal) at env->now. */
static void ask_as_auditor(struct ctlsock_env *env, const struct config *c)
{
	struct ctlsock_peer p = {.uid = 1004, .user = "dave"};
	char *resp;
	size_t len;
	if (ctlsock_handle(env, c, &p, "{\"cmd\":\"held\"}", 14, &resp, &len) != 0 ||
	    strstr(resp, "\"status\":\"ok\"") == NULL)
		fail_msg("auditor's request failed");
	free(resp);
}

/* Check the newest summary: who, how many, from when to when. */
static void check_summary(struct store *s, const char *row, int n, const char *actor,
			  const char *role, long uid, int suppressed, time_t from, time_t to)
{
	struct summary_arg a = {0};
	char want[256];
	assert_int_eq_msg(row, store_audit_scan(s, INT64_MIN, summary_cb, &a), 0);
	assert_int_eq_msg(row, a.n, n);
	assert_str_eq_msg(row, a.actor, actor);
	assert_str_eq_msg(row, a.role, role);
	assert_int_eq_msg(row, a.uid, uid);
	snprintf(want, sizeof want,
		 "{\"command\":\"*\",\"from\":%lld,\"refused\":\"rate limit: %d more refusals in "
		 "this window not recorded one by one\",\"suppressed\":%d,\"to\":%lld,\"uid\":%ld}",
		 (long long)from, suppressed, suppressed, (long long)to, uid);
	assert_str_eq_msg(row, a.details, want);
}

/* 25 refusals of one caller in a window: R records, the rest one summary
 * written at the window's end (seen at anybody's request) or at a drain;
 * callers are counted apart; the chain verifies. */
static void test_refusal_limit(void **state)
{
	(void)state;
	enum { R = CTLSOCK_REFUSALS_PER_WINDOW, N = 25, T0 = 1700000000 };
	char err[1024], path[256];
	struct config *c = conf_from("limit.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/limit.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	struct ratelim *rl = ratelim_new(R, CTLSOCK_REFUSAL_WINDOW, CTLSOCK_REFUSAL_SLOTS);
	if (c == NULL || s == NULL || rl == NULL)
		fail_msg("setup: %s", err);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl",
				  .now = T0, .refusals = rl};
	refuse_n(&env, c, "eve", 1005, "{\"cmd\":\"held\"}", N);
	/* an admin refused is another caller, with a window of its own */
	refuse_n(&env, c, "carol", 1003, "{\"cmd\":\"deny\",\"ref\":\"x\",\"reason\":\"r\"}", 3);
	assert_int_eq_msg("refused records in the window", count_events(s, "refused"), R + 3);
	env.now = T0 + CTLSOCK_REFUSAL_WINDOW - 1;
	ask_as_auditor(&env, c);
	assert_int_eq_msg("no summary before the window ends", count_events(s, "refused"), R + 3);
	env.now = T0 + CTLSOCK_REFUSAL_WINDOW;
	ask_as_auditor(&env, c);
	assert_int_eq_msg("one summary after the window", count_events(s, "refused"), R + 4);
	check_summary(s, "window summary", 1, "eve", "none", 1005, N - R, T0 + R, T0 + N - 1);
	ask_as_auditor(&env, c);
	assert_int_eq_msg("written once", count_events(s, "refused"), R + 4);
	/* a new window, ended by a drain (the thread's end) */
	env.now = T0 + 1000;
	refuse_n(&env, c, "#1007", 1007, "xx", N);
	assert_int_eq_msg("drain", ctlsock_refusals_drain(&env, 0), 0);
	check_summary(s, "drained summary", 2, "#1007", "none", 1007, N - R, T0 + 1000 + R,
		      T0 + 1000 + N - 1);
	assert_int_eq_msg("drain again", ctlsock_refusals_drain(&env, 0), 0);
	assert_int_eq_msg("refused records in all", count_events(s, "refused"), 2 * R + 3 + 2);
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	ratelim_free(rl);
	store_close(s);
	config_free(c);
}

/* A summary that cannot be written (a read-only store) is kept, and
 * written at a later request once the store works; a refusal that
 * cannot be recorded still answers "error". */
static void test_refusal_summary_kept(void **state)
{
	(void)state;
	enum { T0 = 1700000000 };
	char err[1024], path[256], *resp;
	size_t len;
	struct config *c = conf_from("kept.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/kept.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	struct store *ro = s != NULL ? store_open_readonly(path, err, sizeof err) : NULL;
	struct ratelim *rl = ratelim_new(1, 60, 4);
	if (c == NULL || ro == NULL || rl == NULL)
		fail_msg("setup: %s", err);
	struct ctlsock_env env = {.store = ro, .now = T0, .refusals = rl};
	struct ctlsock_peer eve = {.uid = 1005, .user = "eve"};
	static const struct {
		const char *name, *want;
	} answers[] = {
		{"first: not recordable", "\"status\":\"error\""},
		{"second: counted", "counted, not recorded one by one"},
		{"third: counted", "counted, not recorded one by one"},
	};
	for (size_t i = 0; i < ARRAY_LEN(answers); i++) {
		if (ctlsock_handle(&env, c, &eve, "{}", 2, &resp, &len) != 0)
			fail_msg("%s: handle failed", answers[i].name);
		if (strstr(resp, answers[i].want) == NULL)
			fail_msg("%s: got %s, want %s", answers[i].name, resp, answers[i].want);
		free(resp);
	}
	/* a second caller's counts: a drain that fails on one summary still
	 * tries (and keeps) every other one */
	struct ctlsock_peer mallory = {.uid = 1006, .user = "mallory"};
	for (int i = 0; i < 3; i++) {
		if (ctlsock_handle(&env, c, &mallory, "{}", 2, &resp, &len) != 0)
			fail_msg("mallory %d: handle failed", i + 1);
		free(resp);
	}
	assert_int_eq_msg("drain into a read-only store", ctlsock_refusals_drain(&env, 0), -1);
	env.now = T0 + 60;
	ask_as_auditor(&env, c);
	assert_int_eq_msg("nothing written yet", count_events(s, "refused"), 0);
	env.store = s;
	ask_as_auditor(&env, c);
	assert_int_eq_msg("both kept summaries written", count_events(s, "refused"), 2);
	assert_int_eq_msg("drain: nothing left", ctlsock_refusals_drain(&env, 0), 0);
	assert_int_eq_msg("refused records", count_events(s, "refused"), 2);
	ratelim_free(rl);
	store_close(ro);
	store_close(s);
	config_free(c);
}

/* A sender is a person: a jurist is refused on a hold whose sender maps
 * to them, in any spelling of any of their addresses, and when they sent
 * it authenticated (their login, or a sasl: identity of their Jurist
 * line) under an unrelated envelope sender; another jurist is not. */
static void test_self_approval(void **state)
{
	(void)state;
	static const char conf[] =
		"Jurist alice alice@ncsc.nl\nJurist alice alice.private@example.org sasl:ali@REALM\n"
		"Jurist bob bob@ncsc.nl\nRecipientDelimiter +-\nReleaseApprovals 2\n";
	static const struct {
		const char *sender, *auth, *user;
		const char *status;
	} cases[] = {
		{"<alice@ncsc.nl>", "", "alice", "refused"},
		{"<alice+x@ncsc.nl>", "", "alice", "refused"},
		{"<Alice-x@NCSC.NL>", "", "alice", "refused"},
		{"<\"alice\"@ncsc.nl>", "", "alice", "refused"},
		{"<\"Alice+q\"@ncsc.nl>", "", "alice", "refused"},
		{"<@relay.example:alice@ncsc.nl>", "", "alice", "refused"},
		{"<ALICE.PRIVATE+z@example.org>", "", "alice", "refused"},
		{"<someone@example.org>", "alice", "alice", "refused"},
		{"<someone@example.org>", "ali@realm", "alice", "refused"},
		{"<bob@ncsc.nl>", "alice", "alice", "refused"},
		{"<alice+x@ncsc.nl>", "", "bob", "ok"},
		{"<someone@example.org>", "alice", "bob", "ok"},
		{"<someone@example.org>", "carol", "alice", "ok"},
		{"<alicex@ncsc.nl>", "", "alice", "ok"},
	};
	char err[1024], path[256], ref[STORE_REF_MAX], req[256];
	struct config *c = conf_from("self.conf", conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/self.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	/* every reader of a Jurist line still sees "USER MAIL"; the jurists'
	 * notices go to that first address, never to "a b sasl:c" */
	assert_str_eq_msg("line 2", config_list(c, CONF_JURIST, 1), "alice alice.private@example.org");
	assert_str_eq_msg("line 2 more", config_list_more(c, CONF_JURIST, 1), "sasl:ali@REALM");
	assert_str_eq_msg("line 1 more", config_list_more(c, CONF_JURIST, 0), "");
	const char *to[8];
	size_t nmail;
	const char *const *mail = config_jurist_mail(c, &nmail);
	assert_int_eq_msg("notice addresses", notice_jurist_to(mail, nmail, to, 8), 3);
	assert_str_eq_msg("notice address 2", to[1], "alice.private@example.org");
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char canonical[SENDERID_MAX];
		senderid_address(cases[i].sender, "+-", canonical, sizeof canonical);
		struct hold_record h = {.queue_id = "Q1", .sender = cases[i].sender,
				       .sender_auth = cases[i].auth, .sender_canonical = canonical,
				       .subject = "s", .received = time(NULL) - 60,
				       .registry_digest = "ab", .summary_json = "{}",
				       .findings_json = "{}", .data = message,
				       .len = sizeof message - 1, .fd = -1, .rcpts = held,
				       .nrcpts = 2};
		if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
			fail_msg("store_hold_put: %s", err);
		snprintf(req, sizeof req, "{\"cmd\":\"approve\",\"ref\":\"%s\",\"reason\":\"r\"}", ref);
		struct ctlsock_peer p = {.uid = 1001, .user = cases[i].user};
		char *resp, want[64];
		size_t len;
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("handle failed");
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		/* show tells the jurists who sent it as a person */
		char show[128], *sresp, shows[300];
		size_t slen;
		snprintf(show, sizeof show, "{\"cmd\":\"show\",\"ref\":\"%s\"}", ref);
		struct ctlsock_peer other = {.uid = 1002, .user = "bob"};
		if (ctlsock_handle(&env, c, &other, show, strlen(show), &sresp, &slen) != 0)
			fail_msg("show failed");
		snprintf(shows, sizeof shows, "\"sender_auth\":\"%s\"", cases[i].auth);
		if (strstr(sresp, shows) == NULL)
			fail_msg("show of a hold sent with login \"%s\": got %s", cases[i].auth, sresp);
		free(sresp);
		if (strstr(resp, want) == NULL ||
		    (strcmp(cases[i].status, "refused") == 0 &&
		     strstr(resp, "cannot approve a message they sent") == NULL))
			fail_msg("%s approving a hold from %s (auth \"%s\"): got %s, want %s",
				 cases[i].user, cases[i].sender, cases[i].auth, resp, want);
		free(resp);
	}
	store_close(s);
	config_free(c);
}

/* The details of the last "view" record (scan callback, arg: 1024 bytes). */
static int last_view_cb(void *arg, const struct audit_record *r)
{
	if (strcmp(r->event, "view") == 0)
		snprintf(arg, 1024, "%s", r->details);
	return 0;
}

/* The Subject is content: a jurist's held and show carry it and each is
 * recorded as ONE view (held: one record for the whole listing, naming
 * the references); an admin's and an auditor's answers withhold it, say
 * so, and record nothing. */
static void test_subject_visibility(void **state)
{
	(void)state;
	static const struct {
		const char *user;
		long uid;
		const char *req;	/* @1: the first hold */
		bool sees;
		int views;		/* "view" records added */
		const char *what;	/* in the view's details, or NULL */
	} cases[] = {
		{"bob", 1002, "{\"cmd\":\"held\"}", true, 1, "\"holds\":3,"},
		{"bob", 1002, "{\"cmd\":\"show\",\"ref\":\"@1\"}", true, 1, "\"what\":\"subject\""},
		{"bob", 1002, "{\"cmd\":\"show\",\"ref\":\"@1\",\"content\":true}", true, 1,
		 "\"what\":\"content\""},
		{"carol", 1003, "{\"cmd\":\"held\"}", false, 0, NULL},
		{"carol", 1003, "{\"cmd\":\"show\",\"ref\":\"@1\"}", false, 0, NULL},
		{"dave", 1004, "{\"cmd\":\"held\"}", false, 0, NULL},
		{"dave", 1004, "{\"cmd\":\"show\",\"ref\":\"@1\"}", false, 0, NULL},
	};
	char err[1024], path[256], ref1[STORE_REF_MAX], ref2[STORE_REF_MAX], req[256];
	struct config *c = conf_from("subj.conf", roles_conf, err, sizeof err);
	snprintf(path, sizeof path, "%s/subj.db", dir);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, ref1);
	put_hold(s, ref2);
	put_hold(s, ref2);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct ctlsock_peer p = {.uid = cases[i].uid, .user = cases[i].user};
		char *resp, row[300];
		size_t len;
		fill(cases[i].req, ref1, ref2, req, sizeof req);
		snprintf(row, sizeof row, "%s %s", cases[i].user, req);
		int before = count_events(s, "view");
		if (ctlsock_handle(&env, c, &p, req, strlen(req), &resp, &len) != 0)
			fail_msg("%s: handle failed", row);
		if (strstr(resp, "\"status\":\"ok\"") == NULL)
			fail_msg("%s: got %s", row, resp);
		bool subject = strstr(resp, "\"subject\":\"s\"") != NULL;
		bool withheld = strstr(resp, "\"subject\":null,\"subject_withheld\":\"the Subject "
					     "is content: only jurists see it\"") != NULL;
		if (subject != cases[i].sees || withheld == cases[i].sees)
			fail_msg("%s: got %s, want the Subject %s", row, resp,
				 cases[i].sees ? "shown" : "withheld, saying so");
		free(resp);
		assert_int_eq_msg(row, count_events(s, "view") - before, cases[i].views);
		if (cases[i].what != NULL) {
			char last[1024] = "";
			assert_int_eq_msg(row, store_audit_scan(s, INT64_MIN, last_view_cb, last), 0);
			if (strstr(last, cases[i].what) == NULL)
				fail_msg("%s: view record %s, want %s", row, last, cases[i].what);
			if (strstr(req, "held") != NULL && strstr(last, ref1) == NULL)
				fail_msg("%s: view record %s names no reference", row, last);
		}
	}
	store_close(s);
	config_free(c);
}

/* Pinning for the socket test: one fixed configuration. */
static const struct config *fixed_get(void *arg, void **pin)
{
	*pin = NULL;
	return arg;
}
static void fixed_put(void *arg, void *pin)
{
	(void)arg;
	(void)pin;
}

/* Connect to path, send req, return the answer (static buffer). */
static const char *ask(const char *path, const char *req, size_t len)
{
	static char buf[65536];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);	/* dir is short */
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		fail_msg("connect %s failed", path);
	if (len > 0 && send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		fail_msg("send failed");
	shutdown(fd, SHUT_WR);
	size_t n = 0;
	ssize_t r;
	while (n < sizeof buf - 1 && (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(fd);
	return buf;
}

static void test_socket(void **state)
{
	(void)state;
	char err[1024], path[256], db[256];
	struct config *c = conf_from("sock.conf", roles_conf, err, sizeof err);
	snprintf(db, sizeof db, "%s/sock.db", dir);
	snprintf(path, sizeof path, "%s/control.sock", dir);
	struct store *s = fixture_store_open(db, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	/* a stale socket file (nobody listening) is replaced */
	struct ctlsock *cs = ctlsock_open(path, err, sizeof err);
	if (cs == NULL)
		fail_msg("ctlsock_open: %s", err);
	ctlsock_close(cs);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);	/* dir is short */
	assert_int_eq_msg("stale bind", bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	close(fd);
	cs = ctlsock_open(path, err, sizeof err);
	if (cs == NULL)
		fail_msg("ctlsock_open over a stale file: %s", err);
	struct stat st;
	assert_int_eq_msg("stat", stat(path, &st), 0);
	assert_int_eq_msg("mode 0666", st.st_mode & 0777, 0666);
	/* a live one is refused */
	assert_null(ctlsock_open(path, err, sizeof err));
	if (strstr(err, "in use") == NULL)
		fail_msg("second open: got \"%s\", want \"in use\"", err);
	struct ctlsock_env env = {.store = s, .config_get = fixed_get, .config_put = fixed_put,
				  .arg = c};
	if (ctlsock_run(cs, &env, err, sizeof err) != 0)
		fail_msg("ctlsock_run: %s", err);
	/* we are whoever runs the test: root is admin, others have no role */
	const char *a = ask(path, "{\"cmd\":\"held\"}\n", 15);
	const char *want = getuid() == 0 ? "\"status\":\"ok\"" : "\"status\":\"refused\"";
	if (strstr(a, want) == NULL)
		fail_msg("held over the socket: got %s, want %s", a, want);
	char *big = malloc(CTLSOCK_REQUEST_MAX + 10);
	memset(big, ' ', CTLSOCK_REQUEST_MAX + 10);
	a = ask(path, big, CTLSOCK_REQUEST_MAX + 10);
	free(big);
	if (strstr(a, "bad-request") == NULL)
		fail_msg("oversized request: got %s, want bad-request", a);
	a = ask(path, "", 0);
	if (strstr(a, "bad-request") == NULL)
		fail_msg("empty request: got %s, want bad-request", a);
	ctlsock_close(cs);
	assert_int_eq_msg("socket removed", access(path, F_OK), -1);
	store_close(s);
	config_free(c);
}

/* A connected client of path (fails the test when it cannot connect). */
static int dial(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	memcpy(sa.sun_path, path, strlen(path) + 1);	/* dir is short */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		fail_msg("connect %s failed", path);
	return fd;
}

/* Milliseconds since an arbitrary start. */
static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read fd's answer (until EOF) into buf; its length. */
static size_t answer_of(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;
	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

/* Count "refused" records whose details contain what (scan callback). */
struct why_arg {
	const char *what;
	int n;
};
static int why_cb(void *arg, const struct audit_record *r)
{
	struct why_arg *a = arg;
	a->n += strcmp(r->event, "refused") == 0 && strstr(r->details, a->what) != NULL;
	return 0;
}
static int count_why(struct store *s, const char *what)
{
	struct why_arg a = {what, 0};
	assert_int_eq_msg("audit scan", store_audit_scan(s, INT64_MIN, why_cb, &a), 0);
	return a.n;
}

#define SLOW_CLIENTS 50

/* Many clients at once: 50 slow clients (a byte every second) hold
 * connections while a jurist's held is answered at once, long before
 * any of them is cut; each is cut at the request deadline (counted from
 * the connect, not per read), told so, and the cuts are recorded within
 * the refusal limit (10 one by one, the rest counted); one uid holds at
 * most ControlUserConnections, a ControlConsoleUser more. */
static void test_socket_many(void **state)
{
	(void)state;
	char err[1024], path[256], db[256], conf[512], buf[4096];
	struct passwd *pw = getpwuid(getuid());
	if (pw == NULL)
		fail_msg("who am I?");
	/* the test's own uid is the jurist, the slow clients and the limits */
	snprintf(conf, sizeof conf,
		 "Jurist %s %s@ncsc.nl\nControlRequestTimeout 4\nControlUserConnections %d\n",
		 pw->pw_name, pw->pw_name, SLOW_CLIENTS + 2);
	struct config *c = conf_from("many.conf", conf, err, sizeof err);
	snprintf(db, sizeof db, "%s/many.db", dir);
	snprintf(path, sizeof path, "%s/many.sock", dir);
	struct store *s = fixture_store_open(db, err, sizeof err);
	struct ratelim *rl = ratelim_new(CTLSOCK_REFUSALS_PER_WINDOW, CTLSOCK_REFUSAL_WINDOW,
					 CTLSOCK_REFUSAL_SLOTS);
	if (c == NULL || s == NULL || rl == NULL)
		fail_msg("setup: %s", err);
	char ref[STORE_REF_MAX];
	put_hold(s, ref);
	struct ctlsock *cs = ctlsock_open(path, err, sizeof err);
	struct ctlsock_env env = {.store = s, .config_get = fixed_get, .config_put = fixed_put,
				  .arg = c, .refusals = rl};
	if (cs == NULL || ctlsock_run(cs, &env, err, sizeof err) != 0)
		fail_msg("ctlsock: %s", err);
	long long t0 = ms_now();
	int slow[SLOW_CLIENTS];
	for (int i = 0; i < SLOW_CLIENTS; i++) {
		slow[i] = dial(path);
		assert_int_eq_msg("first byte", (int)send(slow[i], "{", 1, MSG_NOSIGNAL), 1);
	}
	/* a byte a second each, for two seconds: nobody is cut yet */
	for (int sec = 0; sec < 2; sec++) {
		sleep(1);
		for (int i = 0; i < SLOW_CLIENTS; i++)
			assert_int_eq_msg("slow byte", (int)send(slow[i], " ", 1, MSG_NOSIGNAL), 1);
	}
	long long t1 = ms_now();
	int fd = dial(path);
	assert_int_eq_msg("send held", (int)send(fd, "{\"cmd\":\"held\"}\n", 15, MSG_NOSIGNAL), 15);
	answer_of(fd, buf, sizeof buf);
	close(fd);
	long long took = ms_now() - t1;
	if (strstr(buf, "\"role\":\"jurist\"") == NULL || strstr(buf, "\"status\":\"ok\"") == NULL ||
	    strstr(buf, ref) == NULL)
		fail_msg("jurist's held among %d slow clients: got %s", SLOW_CLIENTS, buf);
	if (took > 1500 || ms_now() - t0 >= 4000)
		fail_msg("jurist's held took %lld ms (%lld ms after the slow clients came): want "
			 "it answered before any of them is cut", took, ms_now() - t0);
	/* nobody was cut yet: each slow client still gets nothing */
	for (int i = 0; i < SLOW_CLIENTS; i++) {
		char c1;
		assert_int_eq_msg("still open", (int)recv(slow[i], &c1, 1, MSG_DONTWAIT), -1);
	}
	/* then each is cut at its deadline (4 s after the connect), told why */
	for (int i = 0; i < SLOW_CLIENTS; i++) {
		answer_of(slow[i], buf, sizeof buf);
		if (strstr(buf, "\"status\":\"bad-request\"") == NULL ||
		    strstr(buf, "slow request") == NULL)
			fail_msg("slow client %d: got %s", i, buf);
		close(slow[i]);
	}
	long long cut = ms_now() - t0;
	if (cut < 3900 || cut > 10000)
		fail_msg("slow clients cut after %lld ms, want about 4000 (the deadline)", cut);
	/* recorded within the refusal limit: 10 one by one, 40 counted */
	assert_int_eq_msg("slow requests recorded", count_why(s, "slow request"),
			  CTLSOCK_REFUSALS_PER_WINDOW);
	ctlsock_close(cs);
	assert_int_eq_msg("the count recorded at the stop",
			  count_why(s, "\"suppressed\":40,"), 1);
	ratelim_free(rl);
	config_free(c);

	/* the per-uid limit, and the console's own limit */
	static const struct {
		const char *extra;
		const char *console;	/* NULL: the test's own user */
		int allowed;
	} limits[] = {
		{"ControlUserConnections 3\n", "", 3},
		{"ControlUserConnections 3\nControlConsoleConnections 6\n", NULL, 6},
		{"ControlUserConnections 3\n", "nobody-else", 3},
	};
	for (size_t l = 0; l < ARRAY_LEN(limits); l++) {
		char extra[256];
		const char *console = limits[l].console ? limits[l].console : pw->pw_name;
		snprintf(extra, sizeof extra, "%s%s%s%s", limits[l].extra,
			 *console ? "ControlConsoleUser " : "", console, *console ? "\n" : "");
		snprintf(conf, sizeof conf, "Jurist %s %s@ncsc.nl\n%s", pw->pw_name, pw->pw_name,
			 extra);
		c = conf_from("limit.conf", conf, err, sizeof err);
		if (c == NULL)
			fail_msg("%s: %s", extra, err);
		cs = ctlsock_open(path, err, sizeof err);
		env = (struct ctlsock_env){.store = s, .config_get = fixed_get,
					   .config_put = fixed_put, .arg = c};
		if (cs == NULL || ctlsock_run(cs, &env, err, sizeof err) != 0)
			fail_msg("ctlsock: %s", err);
		int before = count_why(s, "too many connections");
		int open_fds[8];
		for (int i = 0; i < limits[l].allowed; i++)
			open_fds[i] = dial(path);
		/* one more: refused at once, told why, recorded */
		fd = dial(path);
		answer_of(fd, buf, sizeof buf);
		close(fd);
		if (strstr(buf, "\"status\":\"refused\"") == NULL ||
		    strstr(buf, "too many connections") == NULL)
			fail_msg("%s: connection %d: got %s", extra, limits[l].allowed + 1, buf);
		assert_int_eq_msg(extra, count_why(s, "too many connections") - before, 1);
		/* the ones within the limit are served */
		for (int i = 0; i < limits[l].allowed; i++) {
			send(open_fds[i], "{\"cmd\":\"held\"}\n", 15, MSG_NOSIGNAL);
			answer_of(open_fds[i], buf, sizeof buf);
			close(open_fds[i]);
			if (strstr(buf, "\"status\":\"ok\"") == NULL)
				fail_msg("%s: connection %d: got %s", extra, i + 1, buf);
		}
		ctlsock_close(cs);
		config_free(c);
	}
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_config_keys),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_tampered_content),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_held_pages),
		cmocka_unit_test(test_content_escrow),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_refusal_limit),
		cmocka_unit_test(test_refusal_summary_kept),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_subject_visibility),
		cmocka_unit_test(test_socket_many),
		cmocka_unit_test(test_self_approval),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
