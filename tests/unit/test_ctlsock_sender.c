/*
 * test_ctlsock_sender.c - a Sender through the control socket: held and
 * show give the holds of their own mail only (the domain in any case,
 * the local part exactly); any other hold is answered exactly like a
 * reference that names none, and the attempt is recorded; everything a
 * jurist does (approve, deny, claim, comment, content) is refused and
 * recorded.  The urgent request: text checked like a comment (missing,
 * empty, control characters, bidirectional overrides, too long), not the
 * sender's hold, a second request refused (recorded), the jurists' mail
 * queued in the same transaction (one per jurist, with the console's link,
 * without the Subject), the request in show, held (marked, filterable)
 * and the history; urgency does not skip the four eyes.  The chain stays
 * intact.  On SQLite, and on PostgreSQL through tests/golden/t-store-pg.sh.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"
#include "fixture_ctlsock.h"

#include <time.h>

#include "grondslag/store/audit.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/ctlsock.h"
#include "grondslag/decide/senderid.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("ctlsender");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static const char conf_text[] =
	"Jurist alice alice@ncsc.nl\nJurist bob bob@ncsc.nl\nAuditor dave\n"
	"Sender carol carol@ncsc.nl carol.two@example.org\nSender erin erin@ncsc.nl\n"
	"Sender frank frank@ncsc.nl sasl:f.smit\n"
	"ControlConsoleUser web\nReleaseApprovals 2\nWebBaseURL https://console.example/\n";

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
};
static const char message[] = "Subject: s\r\n\r\nbody 8.8.8.8\r\n";

/* A hold of sender, sent with SMTP AUTH as auth ("": without), its
 * canonical sender as the daemon records it (RecipientDelimiter "+"). */
static void put_hold_auth(struct store *s, const char *sender, const char *auth,
			  time_t received, char ref[STORE_REF_MAX])
{
	char canon[SENDERID_MAX];
	senderid_address(sender, "+", canon, sizeof canon);
	struct hold_record h = {
		.queue_id = "Q1", .sender = sender, .sender_auth = auth, .sender_canonical = canon,
		.subject = "The secret subject",
		.received = received, .registry_digest = "ab",
		.summary_json = "{\"countries\":\"US:1\"}", .findings_json = "{}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	char err[256];
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

static void put_hold_at(struct store *s, const char *sender, time_t received,
			char ref[STORE_REF_MAX])
{
	put_hold_auth(s, sender, "", received, ref);
}

static void put_hold(struct store *s, const char *sender, char ref[STORE_REF_MAX])
{
	put_hold_at(s, sender, time(NULL) - 60, ref);
}

#define JUST "The CERT needs it today."

/* @1 carol's hold (sent as carol@NCSC.NL), @2 erin's, @3 sent as
 * Carol@ncsc.nl (another local part: not carol's), @4 sent as
 * carol.two@EXAMPLE.org (carol's second address), @X a well-formed
 * reference of no hold.  In has and lacks the same placeholders. */
static const struct {
	const char *name, *user;	/* the peer */
	const char *req, *status;
	const char *has, *lacks;	/* in the answer; NULL: not checked */
	/* the record this request adds: event, actor, role, a details
	 * substring; NULL event: no record may be added */
	const char *event, *actor, *role, *details;
} steps[] = {
	{"carol lists her holds: hers only", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"ref\":\"@1\"", "\"ref\":\"@2\"", NULL, NULL, NULL, NULL},
	{"... not the one of another local part", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"subject\":\"The secret subject\"", "\"ref\":\"@3\"", NULL, NULL, NULL, NULL},
	{"... and the one of her second address", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"ref\":\"@4\"", "\"holder\"", NULL, NULL, NULL, NULL},
	{"a party only other holds name: no answer from them for a sender", "carol",
	 "{\"cmd\":\"held\",\"party\":\"nobody-registered\"}", "bad-request", NULL,
	 "\"ref\"", NULL, NULL, NULL, NULL},
	{"... while a jurist finds the party of the stored holds", "alice",
	 "{\"cmd\":\"held\",\"party\":\"CISA\"}", "ok", "\"ref\":\"@2\"", NULL, NULL, NULL,
	 NULL, NULL},
	{"... and a sender does not", "carol", "{\"cmd\":\"held\",\"party\":\"cisa\"}",
	 "bad-request", NULL, "\"ref\"", NULL, NULL, NULL, NULL},
	{"erin lists hers", "erin", "{\"cmd\":\"held\"}", "ok", "\"ref\":\"@2\"", "\"ref\":\"@1\"",
	 NULL, NULL, NULL, NULL},
	{"... not the approvals of the jurists", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"ref\":\"@1\"", "\"approvals\"", NULL, NULL, NULL, NULL},
	{"... nor the relay's replies to a release", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"ref\":\"@1\"", "\"release_error\"", NULL, NULL, NULL, NULL},
	{"... while a jurist's listing has both", "alice", "{\"cmd\":\"held\"}", "ok",
	 "\"approvals\":0}],\"release_attempts\":0,\"release_error\":null", NULL, NULL, NULL,
	 NULL, NULL},
	{"carol's show: no release_error", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}",
	 "ok", "\"ref\":\"@1\"", "\"release_error\"", NULL, NULL, NULL, NULL},
	{"... no relay queue ids", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"ref\":\"@1\"", "\"relay_queue_id\"", NULL, NULL, NULL, NULL},
	{"... no approvals", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"ref\":\"@1\"", "\"approvals\"", NULL, NULL, NULL, NULL},
	{"carol shows her hold: state and expiry, not the jurists' work", "carol",
	 "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok", "\"expires_in\":", "\"history\"", NULL, NULL,
	 NULL, NULL},
	{"... no bases or approvals either", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"urgent\":null", "\"bases\"", NULL, NULL, NULL, NULL},
	{"carol shows erin's hold: as unknown, recorded", "carol",
	 "{\"cmd\":\"show\",\"ref\":\"@2\"}", "not-found", "\"error\":\"no such hold\"",
	 "another", "refused", "carol", "sender", "a hold of another sender"},
	{"carol shows a hold of Carol@: as unknown, recorded", "carol",
	 "{\"cmd\":\"show\",\"ref\":\"@3\"}", "not-found", "\"error\":\"no such hold\"",
	 "The secret", "refused", "carol", "sender", "a hold of another sender"},
	{"carol shows an unknown reference: recorded too", "carol",
	 "{\"cmd\":\"show\",\"ref\":\"@X\"}", "not-found", "\"error\":\"no such hold\"", NULL,
	 "refused", "carol", "sender", "names no hold"},
	{"carol reads her content: refused, recorded", "carol",
	 "{\"cmd\":\"show\",\"ref\":\"@1\",\"content\":true}", "refused", "only a jurist", NULL,
	 "refused", "carol", "sender", NULL},
	{"carol approves her own hold: refused, recorded", "carol",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"mine\"}", "refused",
	 "the role sender may not approve", NULL, "refused", "carol", "sender", NULL},
	{"carol denies: refused, recorded", "carol",
	 "{\"cmd\":\"deny\",\"ref\":\"@1\",\"reason\":\"x\"}", "refused", "may not deny", NULL,
	 "refused", "carol", "sender", NULL},
	{"carol claims: refused, recorded", "carol", "{\"cmd\":\"claim\",\"ref\":\"@1\"}",
	 "refused", "may not claim", NULL, "refused", "carol", "sender", NULL},
	{"carol comments: refused, recorded", "carol",
	 "{\"cmd\":\"comment\",\"ref\":\"@1\",\"text\":\"t\"}", "refused", "may not comment", NULL,
	 "refused", "carol", "sender", NULL},
	{"carol asks the overview: refused, recorded", "carol", "{\"cmd\":\"overview\"}",
	 "refused", "may not overview", NULL, "refused", "carol", "sender", NULL},
	{"carol reads the content page: refused, recorded", "carol",
	 "{\"cmd\":\"content\",\"ref\":\"@1\"}", "refused", "may not content", NULL, "refused",
	 "carol", "sender", NULL},
	{"a jurist asks for urgency: refused, recorded", "alice",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"x\"}", "refused",
	 "the role jurist may not urgent", NULL, "refused", "alice", "jurist", NULL},
	{"an auditor asks for urgency: refused, recorded", "dave",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"x\"}", "refused", "may not urgent", NULL,
	 "refused", "dave", "auditor", NULL},
	{"carol asks urgency for erin's hold (console): as unknown, recorded", "web",
	 "{\"cmd\":\"urgent\",\"ref\":\"@2\",\"text\":\"" JUST "\",\"on_behalf_of\":\"carol\"}",
	 "not-found", "\"error\":\"no such hold\"", NULL, "refused", "carol", "sender",
	 "\"channel\":\"web\""},
	{"urgency for an unknown reference: as unknown, recorded", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@X\",\"text\":\"" JUST "\"}", "not-found",
	 "\"error\":\"no such hold\"", NULL, "refused", "carol", "sender", "names no hold"},
	{"urgency without a reference", "carol", "{\"cmd\":\"urgent\",\"text\":\"x\"}",
	 "bad-request", "not a hold reference", NULL, NULL, NULL, NULL, NULL},
	{"urgency without a justification", "carol", "{\"cmd\":\"urgent\",\"ref\":\"@1\"}",
	 "bad-request", "needs a justification", NULL, NULL, NULL, NULL, NULL},
	{"an empty justification", "carol", "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"\"}",
	 "bad-request", "the text is empty", NULL, NULL, NULL, NULL, NULL},
	{"a blank justification", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\" \\n \"}", "bad-request",
	 "the text is empty", NULL, NULL, NULL, NULL, NULL},
	{"a justification with a carriage return", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"a\\rb\"}", "bad-request",
	 "control character", NULL, NULL, NULL, NULL, NULL},
	{"a justification with an escape", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"a\\u001b[31m\"}", "bad-request",
	 "control character", NULL, NULL, NULL, NULL, NULL},
	{"a justification with a right-to-left override", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"a\\u202eb\"}", "bad-request",
	 "bidirectional override", NULL, NULL, NULL, NULL, NULL},
	{"a justification that is no string", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":[1]}", "bad-request", "at most 2000 bytes",
	 NULL, NULL, NULL, NULL, NULL},
	{"carol asks for an urgent review through the console", "web",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"" JUST "\\nCall me.\","
	 "\"on_behalf_of\":\"carol\"}", "ok", "\"jurists_told\":2,\"case\":{\"urgent\":{\"by\":"
	 "\"carol\"", "\"holder\"", "urgent", "carol", "sender",
	 "\"jurists_told\":2,\"text\":\"" JUST "\\u000aCall me.\""},
	{"a second request: refused, recorded", "carol",
	 "{\"cmd\":\"urgent\",\"ref\":\"@1\",\"text\":\"Really urgent!\"}", "refused",
	 "asked for already", NULL, "refused", "carol", "sender", "asked for already"},
	{"carol sees her request", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"text\":\"" JUST "\\nCall me.\"", "\"holder\"", NULL, NULL, NULL, NULL},
	{"carol's listing marks it", "carol", "{\"cmd\":\"held\"}", "ok",
	 "\"urgent_by\":\"carol\",\"urgent_since\":", "\"advice_pending\"", NULL, NULL, NULL,
	 NULL},
	{"the jurists' queue marks it", "alice", "{\"cmd\":\"held\"}", "ok",
	 "\"urgent_by\":\"carol\"", NULL, NULL, NULL, NULL, NULL},
	{"urgent only: carol's hold", "alice", "{\"cmd\":\"held\",\"urgent\":true}", "ok",
	 "\"ref\":\"@1\"", "\"ref\":\"@2\"", NULL, NULL, NULL, NULL},
	{"a jurist's show: the request with its justification and waiting time", "alice",
	 "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok", "\"urgent\":{\"by\":\"carol\",\"at\":", NULL,
	 NULL, NULL, NULL, NULL},
	{"... and in the history", "bob", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"event\":\"urgent\"", NULL, NULL, NULL, NULL, NULL},
	{"the first approval: still waiting for a second jurist", "alice",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"urgent and fine\"}", "ok",
	 "\"state\":\"partly-approved\"", NULL, "approve", "alice", "jurist", NULL},
	{"the same jurist again does not count twice", "alice",
	 "{\"cmd\":\"approve\",\"ref\":\"@1\",\"reason\":\"again\"}", "refused", NULL,
	 "\"state\":\"approved\"", "refused", "alice", "jurist", NULL},
	{"carol sees it waiting", "carol", "{\"cmd\":\"show\",\"ref\":\"@1\"}", "ok",
	 "\"state\":\"partly-approved\"", NULL, NULL, NULL, NULL, NULL},
};

/* Replace @1 @2 @3 @4 @X in tmpl by refs[0..4]. */
static void fill5(const char *tmpl, char refs[5][STORE_REF_MAX], char *out, size_t len)
{
	size_t n = 0;
	for (const char *p = tmpl; *p && n + STORE_REF_MAX < len; p++) {
		int k = p[0] != '@' ? -1 : p[1] >= '1' && p[1] <= '4' ? p[1] - '1'
					 : p[1] == 'X' ? 4 : -1;
		if (k >= 0) {
			memcpy(out + n, refs[k], strlen(refs[k]));
			n += strlen(refs[k]);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

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

static struct config *load_conf(char *err, size_t errlen)
{
	char path[256];
	snprintf(path, sizeof path, "%s/sender.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(conf_text, f);
	fclose(f);
	return config_load(path, err, errlen);
}

/* The urgent mails queued: one per jurist, what they say and do not. */
static void check_mails(struct store *s, const char *ref)
{
	assert_int_eq_msg("urgent mails queued", (int)store_notice_count(s, "queued"), 2);
	struct store_notice n;
	char link[200];
	snprintf(link, sizeof link, "https://console.example/hold/%s", ref);
	assert_int_eq_msg("a notice is due", store_notice_next(s, time(NULL) + 1, &n), 1);
	const char *want[] = {"[grondslag] Urgent review asked: ", ref, "Asked by:   carol",
			      JUST, link, "Call me.", "a release still needs the approval", NULL};
	assert_str_eq_msg("kind", n.kind, "urgent");
	assert_str_eq_msg("ref", n.ref, ref);
	for (size_t i = 0; want[i] != NULL; i++)
		if (strstr(n.message, want[i]) == NULL)
			fail_msg("urgent mail lacks %s: %s", want[i], n.message);
	if (strstr(n.message, "secret subject") != NULL || strstr(n.message, "8.8.8.8") != NULL)
		fail_msg("urgent mail repeats content: %s", n.message);
}

static void test_sender(void **state)
{
	(void)state;
	char err[1024], path[256], refs[5][STORE_REF_MAX];
	struct config *c = load_conf(err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "sender.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, "<carol@NCSC.NL>", refs[0]);
	put_hold(s, "<erin@ncsc.nl>", refs[1]);
	put_hold(s, "<Carol@ncsc.nl>", refs[2]);
	put_hold(s, "<carol.two@EXAMPLE.org>", refs[3]);
	snprintf(refs[4], sizeof refs[4], "G20200101-0000000000");
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	char req[4096], has[512], lacks[512];
	for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
		struct last before = {0}, after = {0};
		assert_int_eq_msg(steps[i].name, store_audit_scan(s, 0, last_cb, &before), 0);
		fill5(steps[i].req, refs, req, sizeof req);
		fill5(steps[i].has ? steps[i].has : "", refs, has, sizeof has);
		fill5(steps[i].lacks ? steps[i].lacks : "", refs, lacks, sizeof lacks);
		char *resp = ask(&env, c, steps[i].user, req), want[64];
		snprintf(want, sizeof want, "\"status\":\"%s\"", steps[i].status);
		if (strstr(resp, want) == NULL || (*has && strstr(resp, has) == NULL) ||
		    (*lacks && strstr(resp, lacks) != NULL))
			fail_msg("%s: got %s, want %s with %s, without %s", steps[i].name, resp, want,
				 *has ? has : "-", *lacks ? lacks : "-");
		free(resp);
		assert_int_eq_msg(steps[i].name, store_audit_scan(s, 0, last_cb, &after), 0);
		if (steps[i].event == NULL) {
			/* a jurist's look adds its view record; a sender's none */
			if (after.seq != before.seq &&
			    (strcmp(after.event, "view") != 0 || strcmp(steps[i].user, "carol") == 0))
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
	check_mails(s, refs[0]);
	/* no oracle: another sender's hold and no hold read the same */
	fill5("{\"cmd\":\"show\",\"ref\":\"@2\"}", refs, req, sizeof req);
	char *other = ask(&env, c, "carol", req);
	fill5("{\"cmd\":\"show\",\"ref\":\"@X\"}", refs, req, sizeof req);
	char *none = ask(&env, c, "carol", req);
	assert_str_eq_msg("another's hold answers as no hold", other, none);
	free(other);
	free(none);
	struct store_audit_check chk;
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	store_close(s);
	config_free(c);
}

/* The justification's limits, as a comment's: 2000 bytes pass, 2001 do
 * not; a second request on another hold of hers is her first there. */
static void test_urgent_limits(void **state)
{
	(void)state;
	char err[1024], path[256], ra[STORE_REF_MAX], rb[STORE_REF_MAX];
	struct config *c = load_conf(err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "limits.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	put_hold(s, "<carol@ncsc.nl>", ra);
	put_hold(s, "<carol@ncsc.nl>", rb);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	static const struct {
		size_t n;
		int hold;
		const char *status;
	} cases[] = {
		{2001, 0, "bad-request"},
		{2000, 0, "ok"},
		{5, 1, "ok"},
		{5, 1, "refused"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *req = malloc(cases[i].n + 200);
		assert_non_null(req);
		int k = sprintf(req, "{\"cmd\":\"urgent\",\"ref\":\"%s\",\"text\":\"",
				cases[i].hold ? rb : ra);
		memset(req + k, 'u', cases[i].n);
		strcpy(req + k + cases[i].n, "\"}");
		char *resp = ask(&env, c, "carol", req), want[64];
		snprintf(want, sizeof want, "\"status\":\"%s\"", cases[i].status);
		if (strstr(resp, want) == NULL)
			fail_msg("case %zu (%zu bytes): got %.300s, want %s", i, cases[i].n, resp, want);
		free(resp);
		free(req);
	}
	/* two requests made, four mails: one per jurist each */
	assert_int_eq_msg("mails queued", (int)store_notice_count(s, "queued"), 4);
	store_close(s);
	config_free(c);
}

/* The refs in resp's holds, in order, as indexes into refs (-1: another
 * hold); how many. */
static int answered(const char *resp, char refs[][STORE_REF_MAX], int nrefs, int *got, int max)
{
	int n = 0;
	for (const char *p = resp; n < max && (p = strstr(p, "\"ref\":\"")) != NULL; p++) {
		got[n] = -1;
		for (int k = 0; k < nrefs; k++)
			if (strncmp(p + 7, refs[k], strlen(refs[k])) == 0)
				got[n] = k;
		n++;
	}
	return n;
}

/* Pages of a Sender's listing are made after their own filter: with
 * their holds between other people's, every page holds the next of their
 * own and the count is of their own; the urgent order is the store's, so
 * it holds across pages, and the urgent count is of every match. */
static void test_sender_pages(void **state)
{
	(void)state;
	char err[1024], path[256], refs[12][STORE_REF_MAX];
	struct config *c = load_conf(err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "pages.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	/* even: carol's, odd: erin's; older first */
	for (int i = 0; i < 12; i++)
		put_hold_at(s, i % 2 ? "<erin@ncsc.nl>" : "<carol@ncsc.nl>",
			    time(NULL) - 3600 + 60 * i, refs[i]);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	char req[512];
	/* carol asks for urgency on her 5th hold (refs[8]) */
	snprintf(req, sizeof req, "{\"cmd\":\"urgent\",\"ref\":\"%s\",\"text\":\"x\"}", refs[8]);
	char *resp = ask(&env, c, "carol", req);
	if (strstr(resp, "\"status\":\"ok\"") == NULL)
		fail_msg("urgent: %s", resp);
	free(resp);
	static const struct {
		const char *name, *user, *args;
		int total, urgent, n, want[4];
	} cases[] = {
		{"carol's first page", "carol", ",\"limit\":2", 6, 1, 2, {0, 2}},
		{"carol's second page", "carol", ",\"limit\":2,\"offset\":2", 6, 1, 2, {4, 6}},
		{"carol's last page", "carol", ",\"limit\":4,\"offset\":4", 6, 1, 2, {8, 10}},
		{"carol past the end", "carol", ",\"limit\":2,\"offset\":6", 6, 1, 0, {0}},
		{"erin's page", "erin", ",\"limit\":2,\"offset\":1", 6, 0, 2, {3, 5}},
		{"carol urgent first", "carol", ",\"limit\":2,\"sort\":\"urgent\"", 6, 1, 2,
		 {8, 0}},
		{"a jurist, urgent first", "alice", ",\"limit\":2,\"sort\":\"urgent\"", 12, 1, 2,
		 {8, 0}},
		{"a jurist, urgent first, page 2", "alice",
		 ",\"limit\":2,\"offset\":2,\"sort\":\"urgent\"", 12, 1, 2, {1, 2}},
		{"a jurist by expiry", "alice", ",\"limit\":3,\"offset\":7,\"sort\":\"expiry\"", 12,
		 1, 3, {7, 8, 9}},
		{"a jurist, urgent only", "alice", ",\"urgent\":true", 1, 1, 1, {8}},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(req, sizeof req, "{\"cmd\":\"held\"%s}", cases[i].args);
		resp = ask(&env, c, cases[i].user, req);
		char want[96];
		snprintf(want, sizeof want, "\"total\":%d,\"urgent_total\":%d,", cases[i].total,
			 cases[i].urgent);
		if (strstr(resp, "\"status\":\"ok\"") == NULL || strstr(resp, want) == NULL)
			fail_msg("%s: got %.400s, want %s", cases[i].name, resp, want);
		int got[8];
		int n = answered(resp, refs, 12, got, 8);
		assert_int_eq_msg(cases[i].name, n, cases[i].n);
		for (int k = 0; k < n; k++)
			if (got[k] != cases[i].want[k])
				fail_msg("%s: hold %d is refs[%d], want refs[%d]", cases[i].name, k,
					 got[k], cases[i].want[k]);
		free(resp);
	}
	resp = ask(&env, c, "alice", "{\"cmd\":\"held\",\"sort\":\"soon\"}");
	if (strstr(resp, "\"status\":\"bad-request\"") == NULL)
		fail_msg("an unknown order: %s", resp);
	free(resp);
	store_close(s);
	config_free(c);
}

/* Whose mail a hold is when it was sent with SMTP AUTH: the login
 * decides (the Sender's login name, a sasl:LOGIN of the line, spelt
 * exactly), the envelope counts for nothing; without SMTP AUTH the
 * envelope decides.  Bob, authenticated, writing MAIL FROM:<carol@...>
 * shows Carol nothing; Frank's mail under his SASL login is his
 * whatever envelope it has.  Listing, show and urgent agree. */
static void test_sender_auth(void **state)
{
	(void)state;
	char err[1024], path[256], refs[6][STORE_REF_MAX];
	struct config *c = load_conf(err, sizeof err);
	fixture_databasef(path, sizeof path, dir, "auth.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (c == NULL || s == NULL)
		fail_msg("setup: %s", err);
	static const struct {
		const char *sender, *auth;
		const char *owner;	/* who sees it; NULL: no Sender */
	} holds[] = {
		{"<carol@ncsc.nl>", "bob", NULL},	/* bob wrote carol's address */
		{"<carol@ncsc.nl>", "carol", "carol"},	/* her login */
		{"<carol@ncsc.nl>", "", "carol"},	/* no SMTP AUTH: the envelope */
		{"<carol@ncsc.nl>", "Carol", NULL},	/* another login */
		{"<someone@example.org>", "f.smit", "frank"},	/* frank's sasl: */
		{"<frank@ncsc.nl>", "carol", "carol"},	/* carol wrote frank's */
	};
	time_t t0 = time(NULL) - 3600;
	for (size_t i = 0; i < ARRAY_LEN(holds); i++)
		put_hold_auth(s, holds[i].sender, holds[i].auth, t0 + (time_t)i, refs[i]);
	struct ctlsock_env env = {.store = s, .hostname = "mx.test", .notice_from = "g@ncsc.nl"};
	static const char *const users[] = {"carol", "frank", "erin"};
	for (size_t u = 0; u < ARRAY_LEN(users); u++) {
		int want_total = 0;
		char *list = ask(&env, c, users[u], "{\"cmd\":\"held\"}");
		for (size_t i = 0; i < ARRAY_LEN(holds); i++) {
			bool mine = holds[i].owner != NULL && strcmp(holds[i].owner, users[u]) == 0;
			want_total += mine;
			if ((strstr(list, refs[i]) != NULL) != mine)
				fail_msg("%s's listing, hold %zu (%s, auth %s): %s", users[u], i,
					 holds[i].sender, holds[i].auth, list);
			char req[256];
			snprintf(req, sizeof req, "{\"cmd\":\"show\",\"ref\":\"%s\"}", refs[i]);
			char *resp = ask(&env, c, users[u], req);
			if ((strstr(resp, "\"status\":\"ok\"") != NULL) != mine)
				fail_msg("%s shows hold %zu: %.300s", users[u], i, resp);
			free(resp);
			if (mine)
				continue;
			snprintf(req, sizeof req, "{\"cmd\":\"urgent\",\"ref\":\"%s\","
				 "\"text\":\"x\"}", refs[i]);
			resp = ask(&env, c, users[u], req);
			if (strstr(resp, "\"status\":\"not-found\"") == NULL)
				fail_msg("%s asks urgency for hold %zu: %.300s", users[u], i, resp);
			free(resp);
		}
		char want[64];
		snprintf(want, sizeof want, "\"total\":%d,", want_total);
		if (strstr(list, want) == NULL)
			fail_msg("%s's count: %.300s, want %s", users[u], list, want);
		free(list);
	}
	assert_int_eq_msg("no urgent mail queued", (int)store_notice_count(s, "queued"), 0);
	store_close(s);
	config_free(c);
}

/* store_hold_filter.sender_ok counting its calls. */
static bool count_ok(void *arg, const char *envelope, const char *auth)
{
	(void)auth;
	++*(int *)arg;
	return strcmp(envelope, "<carol@ncsc.nl>") == 0 || strcmp(envelope, "<carol@NCSC.NL>") == 0;
}

/* A Sender's listing reads their own holds only: the store's query
 * pre-filters on the canonical sender and the SMTP AUTH login, so the
 * exact test runs on their holds and not on every hold in the queue (its
 * time would tell a Sender the queue's size, and a Sender polling could
 * load the daemon); holds stored without a canonical sender (before it
 * was recorded) still reach the exact test. */
static void test_sender_prefilter(void **state)
{
	(void)state;
	char err[1024], path[256], ref[STORE_REF_MAX];
	fixture_databasef(path, sizeof path, dir, "pre.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("setup: %s", err);
	time_t t0 = time(NULL) - 7200;
	for (int i = 0; i < 300; i++)
		put_hold_auth(s, i % 2 ? "<erin@ncsc.nl>" : "<carol.x@ncsc.nl>", i % 3 ? "" : "eve",
			      t0 + i, ref);
	put_hold_auth(s, "<carol@ncsc.nl>", "", t0 + 400, ref);
	put_hold_auth(s, "<carol@NCSC.NL>", "", t0 + 401, ref);
	put_hold_auth(s, "<carol+tag@ncsc.nl>", "", t0 + 402, ref);	/* passes, not hers */
	put_hold_auth(s, "<carol@ncsc.nl>", "mallory", t0 + 403, ref);	/* not hers */
	put_hold_auth(s, "<>", "", t0 + 404, ref);
	/* a hold stored without its canonical sender */
	struct hold_record h = {
		.queue_id = "Q2", .sender = "<carol@ncsc.nl>", .subject = "s", .received = t0 + 405,
		.registry_digest = "ab", .summary_json = "{}", .findings_json = "{}",
		.data = message, .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 1};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	int calls = 0;
	struct store_hold_filter f = {.sender_ok = count_ok, .sender_arg = &calls,
				      .sender_canonicals = " carol@ncsc.nl ",
				      .sender_auths = " carol "};
	struct store_hold_list l;
	assert_int_eq_msg("list", store_holds_list(s, &f, &l, err, sizeof err), 0);
	assert_int_eq_msg("total", (int)l.total, 3);
	assert_int_eq_msg("listed", (int)l.n, 3);
	for (size_t i = 0; i < l.n; i++)
		assert_int_eq_msg("recipients", (int)l.holds[i].nrcpts, 1);
	store_hold_list_free(&l);
	/* hers twice, +tag (same canonical address), the one without */
	assert_int_eq_msg("exact tests", calls, 4);
	/* a page of one, further on: the same count, one listed */
	calls = 0;
	f.limit = 1;
	f.offset = 2;
	assert_int_eq_msg("page", store_holds_list(s, &f, &l, err, sizeof err), 0);
	assert_int_eq_msg("page total", (int)l.total, 3);
	assert_int_eq_msg("page listed", (int)l.n, 1);
	assert_int_eq_msg("page recipients", (int)l.holds[0].nrcpts, 1);
	assert_true(l.truncated == false);
	store_hold_list_free(&l);
	assert_int_eq_msg("page's exact tests", calls, 4);
	store_close(s);
}

/* n holds of others made in SQL (as a busy queue has them): of 997
 * senders, open ones and decided ones, with and without SMTP AUTH,
 * received from t0 on. */
static void fill_others(const char *path, int n, time_t t0)
{
	char sql[2048];
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO holds(ref, queue_id, sender, subject, received, stored,"
		 " decided_on, categories, tlp, summary_json, findings_json, registry_digest,"
		 " sha256, size, state, state_changed, sender_auth, sender_canonical)"
		 " SELECT 'G20990101-F' || CAST(i AS TEXT), 'QF', '<analyst' || CAST(i %% 997 AS TEXT)"
		 " || '@ncsc.nl>', 's', %lld + i, %lld + i, 0, 1, 2, '{}', '{}', 'ab', 'cd', 10,"
		 " CASE WHEN i %% 5 = 0 THEN 'released' ELSE 'pending' END, %lld + i,"
		 " CASE WHEN i %% 3 = 0 THEN 'analyst' || CAST(i %% 997 AS TEXT) ELSE '' END,"
		 " 'analyst' || CAST(i %% 997 AS TEXT) || '@ncsc.nl' FROM n",
		 n, (long long)t0, (long long)t0, (long long)t0);
	fixture_exec(path, sql);
}

/* The first line of plan that reads holds other than through
 * holds_sender_open or by their key: a walk (SQLite's SCAN, PostgreSQL's
 * Seq Scan) or another index of holds; NULL when none. */
static const char *plan_walk(const char *plan)
{
	static const char *const bad[] = {
		"SCAN h", "SCAN holds", "Seq Scan on holds", "holds_state", "holds_received",
		"holds_retry_key", "holds_message_key",
	};
	static char line[512];
	for (const char *p = plan; *p;) {
		size_t n = strcspn(p, "\n");
		/* the line, with a blank at its end: "SCAN h" is no "SCAN hold" */
		size_t lead = strspn(p, " ");
		lead = lead < n ? lead : n;
		snprintf(line, sizeof line, "%.*s ", (int)(n - lead < 500 ? n - lead : 500), p + lead);
		for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
			char word[64];
			snprintf(word, sizeof word, "%s%s", bad[i], strcmp(bad[i], "SCAN h") ? "" : " ");
			if (strstr(line, word) != NULL)
				return line;
		}
		p += n + (p[n] != '\0');
	}
	return NULL;
}

/* The plan of a Sender's listing: the index of schema version 8 finds
 * their holds, and no hold of others is read: no walk of the holds
 * (SQLite "SCAN h" or "SCAN holds", PostgreSQL "Seq Scan on holds"), in
 * either order of the queue; the listing still finds exactly theirs. */
static void test_sender_plan(void **state)
{
	(void)state;
	char err[1024], path[256], ref[STORE_REF_MAX], plan[8192];
	fixture_databasef(path, sizeof path, dir, "plan.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("setup: %s", err);
	time_t t0 = time(NULL) - 86400;
	fill_others(path, 5000, t0);
	put_hold_auth(s, "<carol@ncsc.nl>", "", t0 + 6000, ref);
	put_hold_auth(s, "<somebody@example.org>", "carol", t0 + 6001, ref);
	/* the statistics a database gathers itself (PostgreSQL's autovacuum;
	 * the daemon's role may not: the server then skips it with a warning) */
	if (fixture_pg())
		(void)fixture_try_exec(path, "ANALYZE holds");
	int calls = 0;
	struct store_hold_filter f = {.sender_ok = count_ok, .sender_arg = &calls,
				      .sender_canonicals = " carol@ncsc.nl carol.two@example.org ",
				      .sender_auths = " carol carol@ncsc.nl "};
	for (int urgent = 0; urgent < 2; urgent++) {
		f.urgent_first = urgent != 0;
		assert_int_eq_msg("plan", store_holds_list_plan(s, &f, plan, sizeof plan, err,
								sizeof err), 0);
		const char *walk = plan_walk(plan);
		if (walk != NULL)
			fail_msg("urgent first %d: the plan reads holds other than by"
				 " holds_sender_open or their key (%.60s):\n%s", urgent, walk, plan);
		if (strstr(plan, "holds_sender_open") == NULL)
			fail_msg("urgent first %d: the plan does not use holds_sender_open:\n%s",
				 urgent, plan);
	}
	/* a jurist's listing is planned as before (no Sender, no such index) */
	struct store_hold_filter j = {0};
	assert_int_eq_msg("jurist's plan", store_holds_list_plan(s, &j, plan, sizeof plan, err,
								 sizeof err), 0);
	if (strstr(plan, "holds_sender_open") != NULL)
		fail_msg("a jurist's listing uses the Sender's index:\n%s", plan);
	struct store_hold_list l;
	f.urgent_first = false;
	assert_int_eq_msg("list", store_holds_list(s, &f, &l, err, sizeof err), 0);
	assert_int_eq_msg("listed", (int)l.n, 1);	/* count_ok: the envelope, not the login */
	store_hold_list_free(&l);
	assert_int_eq_msg("exact tests: the two of hers only", calls, 2);
	store_close(s);
}

/* The Sender line: addresses, then addresses and SASL logins. */
static void test_sender_config(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		bool ok;
	} cases[] = {
		{"Sender carol carol@ncsc.nl\n", true},
		{"Sender carol carol@ncsc.nl c2@example.org\n", true},
		{"Sender carol carol@ncsc.nl sasl:c2@example.org\n", true},
		{"Sender carol carol@ncsc.nl sasl:\n", false},
		{"Sender carol\n", false},
		{"Sender carol sasl:carol\n", false},
		{"Sender carol carol\n", false},
		{"Sender carol carol@ncsc.nl <x@y>\n", false},
		{"Sender -x carol@ncsc.nl\n", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char path[256], err[512];
		snprintf(path, sizeof path, "%s/s%zu.conf", dir, i);
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs(cases[i].line, f);
		fclose(f);
		struct config *c = config_load(path, err, sizeof err);
		if ((c != NULL) != cases[i].ok)
			fail_msg("%s: got %s, want %s (%s)", cases[i].line, c ? "accepted" : "refused",
				 cases[i].ok ? "accepted" : "refused", c ? "" : err);
		/* the words after the first address, without the line's end */
		const char *more = strchr(cases[i].line + 13, ' ');
		char want[128];
		snprintf(want, sizeof want, "%.*s", more ? (int)strcspn(more + 1, "\n") : 0,
			 more ? more + 1 : "");
		if (c != NULL && strcmp(config_list_more(c, CONF_SENDER, 0), want) != 0)
			fail_msg("%s: further addresses %s", cases[i].line,
				 config_list_more(c, CONF_SENDER, 0));
		config_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sender),
		cmocka_unit_test(test_urgent_limits),
		cmocka_unit_test(test_sender_pages),
		cmocka_unit_test(test_sender_config),
		cmocka_unit_test(test_sender_auth),
		cmocka_unit_test(test_sender_prefilter),
		cmocka_unit_test(test_sender_plan),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
