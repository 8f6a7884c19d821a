/*
 * test_releaser.c - the releaser's state handling (releaser.c with
 * store_release.c) against a fake relay that plays the MTA with our
 * milter in front: it checks the token as callbacks.c does
 * (release_token_check + store_release_use) and answers as scripted.
 * Cases: one approval releases nothing; the release sends the stored
 * original plus the token to the approved recipients only, once, and
 * records the relay's queue id (record, recipient row, sender notice);
 * the relay down: release-failed, backoff, then one delivery; no reply
 * after the milter let the copy pass: "used" is not delivered, the
 * attempt is retried with a new token, once; a 250 for a copy the milter
 * held again is no release (retried); a 250 for a copy that never passed
 * the milter is unconfirmed (recorded, never retried); the relay's reply
 * lost after the milter let the copy pass is unknown (never retried); a
 * restart mid-release (token used / token issued); a replayed, altered
 * or abandoned token is refused and recorded; a recipient released from
 * one hold of a message is never released from another; a stored message changed
 * after it was held is never released; a deny after a failure stops the
 * retries; expiry with its notice.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"

#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include "grondslag/base/log.h"
#include "grondslag/decide/release.h"
#include "grondslag/daemon/releaser.h"
#include "grondslag/store/store.h"

static const unsigned char key[RELEASE_KEY_LEN] = "k123456789abcdef0123456789abcdef";

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("releaser");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* ---- the fake relay ---------------------------------------------------- */

enum fake_mode {
	FAKE_MILTER,	/* the MTA with our milter: 250 (the milter decides) */
	FAKE_DOWN,	/* connection refused */
	FAKE_LOST,	/* the milter accepts, then the reply is lost */
	FAKE_5XX,	/* 554 */
	FAKE_NOMILTER,	/* 250 from a relay without our milter */
	FAKE_OUTCOME_LOST,	/* the milter accepts, the relay process dies
				 * after the 250: no outcome (-1) */
};

struct fake {
	struct store *store;
	enum fake_mode script[8];
	size_t nscript, calls;
	size_t accepted;		/* copies the milter let through */
	char rcpts[256], why[200];	/* of the last call */
	char *last;			/* the last message sent */
	size_t lastlen;
};

/* What the milter does at end of message (callbacks.c, release_check). */
static bool fake_milter(struct fake *f, const char *const *rcpts, size_t n, const char *data,
			size_t len, const char *qid)
{
	const char *name = "X-Grondslag-Release: ";
	size_t nl = strlen(name);
	f->why[0] = '\0';
	if (len < nl || strncmp(data, name, nl) != 0)
		return false;
	const char *eol = memchr(data, '\r', len);
	char value[RELEASE_HEADER_MAX + 1];
	snprintf(value, sizeof value, "%.*s", (int)(eol - data - nl), data + nl);
	struct release_token t;
	char digest[RELEASE_DIGEST_HEX], err[256];
	release_digest(data, len, "X-Grondslag", digest);
	char *canon = release_rcpts_canon(rcpts, n);
	bool ok = release_token_parse(value, &t) &&
		  release_token_check(key, &t, digest, canon, time(NULL)) == RELEASE_OK;
	struct store_release_use u = {.ref = t.ref, .nonce = t.nonce, .digest = digest,
				      .rcpts_canon = canon, .mta_queue_id = qid,
				      .now = time(NULL)};
	if (ok)
		ok = store_release_use(f->store, &u, f->why, sizeof f->why, err, sizeof err) == 0;
	else if (t.nonce[0] != '\0')
		/* as callbacks.c: a refusal the store did not see is recorded */
		store_release_refused(f->store, t.ref, t.nonce, "bad-mac", qid, err, sizeof err);
	free(canon);
	f->accepted += ok;
	return ok;
}

static int fake_send(void *arg, const char *from, const char *const *rcpts, size_t n,
		     const char *data, size_t len, struct smtpc_result *res)
{
	struct fake *f = arg;
	assert_string_equal(from, "alice@ncsc.nl");
	enum fake_mode m = f->calls < f->nscript ? f->script[f->calls] : FAKE_MILTER;
	f->calls++;
	f->rcpts[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(f->rcpts + strlen(f->rcpts), sizeof f->rcpts - strlen(f->rcpts), "%s%s",
			 i ? "," : "", rcpts[i]);
	free(f->last);
	f->last = malloc(len + 1);
	memcpy(f->last, data, len);
	f->last[len] = '\0';
	f->lastlen = len;
	char qid[32];
	snprintf(qid, sizeof qid, "QREL%zu", f->calls);
	switch (m) {
	case FAKE_DOWN:
		res->code = 0;
		snprintf(res->text, sizeof res->text, "connection refused");
		return 1;
	case FAKE_5XX:
		res->code = 554;
		snprintf(res->text, sizeof res->text, "5.7.1 no");
		return 2;
	case FAKE_LOST:
		fake_milter(f, rcpts, n, data, len, qid);
		res->code = 0;
		snprintf(res->text, sizeof res->text, "timeout");
		return 1;
	case FAKE_NOMILTER:
		res->code = 250;
		snprintf(res->queue_id, sizeof res->queue_id, "%s", qid);
		return 0;
	case FAKE_OUTCOME_LOST:
		fake_milter(f, rcpts, n, data, len, qid);
		return -1;
	case FAKE_MILTER:
		break;
	}
	fake_milter(f, rcpts, n, data, len, qid);
	res->code = 250;
	snprintf(res->text, sizeof res->text, "2.0.0 Ok: queued as %s", qid);
	snprintf(res->queue_id, sizeof res->queue_id, "%s", qid);
	return 0;
}

/* ---- fixtures ---------------------------------------------------------- */

static const struct hold_rcpt held[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "No basis."},
	{"<info@jpcert.or.jp>", "jpcert", "constituency-mismatch", "Not their constituency."},
};
static const char message[] = "Received: from a by b\r\nSubject: s\r\n\r\nbody 8.8.8.8\r\n";

struct env {
	struct store *s;
	struct fake fake;
	struct releaser *r;
	char ref[STORE_REF_MAX];
};

/* A store with one hold from alice (received `age` seconds ago) and a
 * releaser with the fake relay. */
static void env_open(struct env *e, const char *name, time_t age)
{
	char path[512], err[256], file[64];
	memset(e, 0, sizeof *e);
	snprintf(file, sizeof file, "%s.db", name);
	fixture_database(path, sizeof path, dir, file);
	e->s = fixture_store_open(path, err, sizeof err);
	if (e->s == NULL)
		fail_msg("store_open: %s", err);
	struct hold_record h = {.queue_id = "Q1", .sender = "<alice@ncsc.nl>", .subject = "s",
			       .received = time(NULL) - age, .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = held, .nrcpts = 2};
	if (store_hold_put(e->s, &h, e->ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
	e->fake.store = e->s;
	struct releaser_setup in = {
		.store = e->s, .helo = "mx.ncsc.nl", .notice_from = "grondslag@ncsc.nl",
		.header_name = "X-Grondslag", .expiry_days = 14, .retry_base = 60,
		.fake = {fake_send, &e->fake},
	};
	memcpy(in.key, key, sizeof key);
	e->r = releaser_new(&in, err, sizeof err);
	if (e->r == NULL)
		fail_msg("releaser_new: %s", err);
}

static void env_close(struct env *e)
{
	releaser_free(e->r);
	store_close(e->s);
	free(e->fake.last);
}

/* Run sql on the store file of env name, beside the store's own
 * connection (the test's way to damage or date a store). */
static void store_sql(const char *name, const char *sql)
{
	char path[512], file[64];
	snprintf(file, sizeof file, "%s.db", name);
	fixture_exec(fixture_database(path, sizeof path, dir, file), sql);
}

/* Another hold of the fixture message from sender, received `age` seconds
 * ago, to the first nrcpts held recipients; its reference in ref. */
static void put_hold(struct env *e, const char *sender, time_t age, size_t nrcpts,
		     char ref[STORE_REF_MAX])
{
	char err[256];
	struct hold_record h = {.queue_id = "Q2", .sender = sender, .subject = "s",
			       .received = time(NULL) - age, .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = held,
			       .nrcpts = nrcpts};
	if (store_hold_put(e->s, &h, ref, err, sizeof err) != 0)
		fail_msg("store_hold_put: %s", err);
}

/* count holds from bob received `age` seconds ago */
static void put_bobs(struct env *e, int count, time_t age)
{
	char ref[STORE_REF_MAX];
	for (int i = 0; i < count; i++)
		put_hold(e, "<bob@ncsc.nl>", age, 2, ref);
}

/* Jurist user approves rcpt (NULL: all held). */
static void approve(struct env *e, const char *user, const char *rcpt)
{
	struct store_actor a = {.user = user, .uid = 1000, .role = "jurist"};
	static const char *const mail[] = {"<jurist@ncsc.nl>"};
	const char *rc[1] = {rcpt};
	struct store_decision d = {.event = HEV_APPROVE, .actor = &a, .reason = "ok",
				   .jurist_mail = mail, .njurist_mail = 1, .rcpts = rcpt ? rc : NULL,
				   .nrcpts = rcpt ? 1 : 0, .required = 2};
	char err[256];
	struct store_decision_result res;
	if (store_hold_decide(e->s, e->ref, &d, &res, err, sizeof err) != 0)
		fail_msg("approve by %s: %s %s", user, err, res.reason);
}

/* env_open() (received a minute ago), both jurists approve every held
 * recipient, the fake relay answering the first n attempts as script
 * says (then as the MTA with our milter). */
static void env_approved(struct env *e, const char *name, const enum fake_mode *script,
			 size_t n)
{
	env_open(e, name, 60);
	for (size_t i = 0; i < n; i++)
		e->fake.script[i] = script[i];
	e->fake.nscript = n;
	approve(e, "j1", NULL);
	approve(e, "j2", NULL);
}

/* State of the hold and of recipient i. */
static const char *hold_state(struct env *e, int i)
{
	static char buf[64];
	char err[256];
	struct store_hold_record *h = store_hold_get(e->s, e->ref, err, sizeof err);
	if (h == NULL)
		fail_msg("store_hold_get: %s", err);
	snprintf(buf, sizeof buf, "%s", i < 0 ? h->state : h->rcpts[i].state);
	store_hold_record_free(h);
	return buf;
}

struct count_arg {
	const char *event, *needle;
	int n;
};
static int count_cb(void *arg, const struct audit_record *r)
{
	struct count_arg *a = arg;
	a->n += strcmp(r->event, a->event) == 0 &&
		(a->needle == NULL || strstr(r->details, a->needle) != NULL);
	return 0;
}
/* Records of event whose details contain needle (NULL: any). */
static int records(struct env *e, const char *event, const char *needle)
{
	struct count_arg a = {event, needle, 0};
	assert_int_equal(store_audit_scan(e->s, INT64_MIN, count_cb, &a), 0);
	return a.n;
}

/* ---- cases ------------------------------------------------------------- */

static void test_one_approval_releases_nothing(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "one", 60);
	approve(&e, "j1", NULL);
	assert_int_eq_msg("pass", releaser_pass(e.r, time(NULL)), 0);
	assert_int_eq_msg("sends after one approval", e.fake.calls, 0);
	assert_str_eq_msg("hold", hold_state(&e, -1), "partly-approved");
	env_close(&e);
}

static void test_release_once(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "once", 60);
	/* only CISA is approved by two: JPCERT/CC stays held */
	approve(&e, "j1", "<soc@cisa.gov>");
	approve(&e, "j2", "<soc@cisa.gov>");
	approve(&e, "j1", "<info@jpcert.or.jp>");
	time_t now = time(NULL);
	assert_int_eq_msg("pass", releaser_pass(e.r, now), 1);
	assert_int_eq_msg("sends", e.fake.calls, 1);
	assert_str_eq_msg("only the approved recipient", e.fake.rcpts, "soc@cisa.gov");
	assert_int_eq_msg("milter accepted", e.fake.accepted, 1);
	const char *body = strstr(e.fake.last, "\r\n") + 2;
	assert_str_eq_msg("the stored original after the token", body, message);
	assert_str_eq_msg("cisa", hold_state(&e, 0), "released");
	assert_str_eq_msg("jpcert", hold_state(&e, 1), "held");
	assert_str_eq_msg("hold", hold_state(&e, -1), "partly-approved");
	assert_int_eq_msg("release record with the queue id", records(&e, "release", "QREL1"), 1);
	assert_int_eq_msg("release-accepted record", records(&e, "release-accepted", "QREL1"), 1);
	assert_int_eq_msg("release notice queued", store_notice_count(e.s, "queued"), 1);
	struct store_notice n;
	assert_int_equal(store_notice_next(e.s, now + 1, &n), 1);
	assert_str_eq_msg("notice kind", n.kind, "release");
	assert_non_null(strstr(n.message, "QREL1"));
	/* idempotent: more passes send nothing */
	assert_int_eq_msg("second pass", releaser_pass(e.r, now + 3600), 0);
	assert_int_eq_msg("sends after the release", e.fake.calls, 1);
	/* the copy replayed: refused and recorded */
	char *copy = strdup(e.fake.last);
	size_t len = e.fake.lastlen;
	const char *rc[] = {"<soc@cisa.gov>"};
	assert_false(fake_milter(&e.fake, rc, 1, copy, len, "QX"));
	assert_str_eq_msg("replay", e.fake.why, "replayed: the token was already used");
	/* the copy altered (body): the mac no longer matches */
	copy[len - 3] = 'X';
	assert_false(fake_milter(&e.fake, rc, 1, copy, len, "QY"));
	/* another recipient added to the envelope */
	copy[len - 3] = '8';
	const char *two[] = {"<soc@cisa.gov>", "<x@evil.example>"};
	assert_false(fake_milter(&e.fake, two, 2, copy, len, "QZ"));
	assert_int_eq_msg("replay recorded", records(&e, "release-refused", "replayed"), 1);
	free(copy);
	env_close(&e);
}

static void test_relay_down_then_once(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "down", (const enum fake_mode[]){FAKE_DOWN, FAKE_5XX}, 2);
	time_t now = time(NULL);
	assert_int_eq_msg("pass 1", releaser_pass(e.r, now), 1);
	assert_str_eq_msg("back to partly-approved", hold_state(&e, -1), "partly-approved");
	assert_str_eq_msg("recipient approved again", hold_state(&e, 0), "approved");
	assert_int_eq_msg("release-failed", records(&e, "release-failed", "connection refused"), 1);
	assert_int_eq_msg("within the backoff", releaser_pass(e.r, now + 59), 0);
	assert_int_eq_msg("sends in the backoff", e.fake.calls, 1);
	assert_int_eq_msg("pass 2 (5xx)", releaser_pass(e.r, now + 60), 1);
	assert_int_eq_msg("backoff doubled", releaser_pass(e.r, now + 60 + 119), 0);
	assert_int_eq_msg("pass 3", releaser_pass(e.r, now + 60 + 120), 1);
	assert_int_eq_msg("sends", e.fake.calls, 3);
	assert_int_eq_msg("delivered", e.fake.accepted, 1);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	assert_int_eq_msg("after", releaser_pass(e.r, now + 9999), 0);
	assert_int_eq_msg("sends after", e.fake.calls, 3);
	env_close(&e);
}

/* No reply after the milter let the copy pass (the MTA stopped, a
 * later milter refused it, our milter died before the MTA had its reply):
 * the MTA did not confirm, so nothing is delivered; the attempt is void
 * and retried with a new token, and the old token is refused if that
 * copy ever comes back. */
static void test_lost_reply(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "lost", (const enum fake_mode[]){FAKE_LOST}, 1);
	time_t now = time(NULL);
	releaser_pass(e.r, now);
	assert_int_eq_msg("sends", e.fake.calls, 1);
	assert_str_eq_msg("not released on the milter's word", hold_state(&e, -1),
			  "partly-approved");
	assert_int_eq_msg("no release record", records(&e, "release", NULL), 0);
	assert_int_eq_msg("release-failed", records(&e, "release-failed", "timeout"), 1);
	char *first = strdup(e.fake.last);
	size_t firstlen = e.fake.lastlen;
	releaser_pass(e.r, now + 60);
	assert_int_eq_msg("retried once", e.fake.calls, 2);
	assert_str_eq_msg("released by the retry", hold_state(&e, -1), "released");
	assert_int_eq_msg("one release record", records(&e, "release", "QREL2"), 1);
	releaser_pass(e.r, now + 9999);
	assert_int_eq_msg("sends after", e.fake.calls, 2);
	/* the first copy's token arriving now is refused */
	const char *rc[] = {"<info@jpcert.or.jp>", "<soc@cisa.gov>"};
	assert_false(fake_milter(&e.fake, rc, 2, first, firstlen, "QLATE"));
	free(first);
	env_close(&e);
}

/* A 250 from a relay without our milter (or from a source outside
 * InternalHosts): delivered unchecked, so "unconfirmed": recorded, the
 * hold keeps its release_error for the admins, never sent again. */
static void test_unconfirmed(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "unconfirmed", (const enum fake_mode[]){FAKE_NOMILTER}, 1);
	time_t now = time(NULL);
	assert_int_eq_msg("pass", releaser_pass(e.r, now), 1);
	assert_int_eq_msg("release-unconfirmed", records(&e, "release-unconfirmed", "QREL1"), 1);
	assert_int_eq_msg("no release record", records(&e, "release", NULL), 0);
	assert_str_eq_msg("still releasing", hold_state(&e, -1), "releasing");
	char err[256];
	struct store_hold_record *h = store_hold_get(e.s, e.ref, err, sizeof err);
	assert_non_null(h);
	assert_non_null(h->release_error);
	assert_non_null(strstr(h->release_error, "unconfirmed"));
	store_hold_record_free(h);
	releaser_pass(e.r, now + 9999);
	releaser_pass(e.r, now + 99999);
	assert_int_eq_msg("never sent again", e.fake.calls, 1);
	env_close(&e);
}

/* The milter let the copy pass and the relay's reply is lost (the relay
 * process killed after the 250): the MTA may have queued it, so it is
 * "unknown", raised, never sent again. */
static void test_outcome_lost(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "outcome", (const enum fake_mode[]){FAKE_OUTCOME_LOST}, 1);
	time_t now = time(NULL);
	releaser_pass(e.r, now);
	assert_int_eq_msg("release-unknown", records(&e, "release-unknown", "QREL1"), 1);
	assert_str_eq_msg("still releasing", hold_state(&e, -1), "releasing");
	releaser_pass(e.r, now + 9999);
	assert_int_eq_msg("never sent again", e.fake.calls, 1);
	assert_int_eq_msg("no release record", records(&e, "release", NULL), 0);
	env_close(&e);
}

/* Two holds of one message (the same message key: a retry the registry,
 * changed in between, decided otherwise): a recipient released from one
 * is never released from the other. */
static void test_duplicate_pair(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "pair", 120);
	char first[STORE_REF_MAX];
	snprintf(first, sizeof first, "%s", e.ref);
	put_hold(&e, "<alice@ncsc.nl>", 60, 1, e.ref);
	store_sql("pair", "UPDATE holds SET message_key = 'm1'");
	approve(&e, "j1", "<soc@cisa.gov>");
	approve(&e, "j2", "<soc@cisa.gov>");
	char second[STORE_REF_MAX];
	snprintf(second, sizeof second, "%s", e.ref);
	snprintf(e.ref, sizeof e.ref, "%s", first);
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	time_t now = time(NULL);
	releaser_pass(e.r, now);
	assert_int_eq_msg("one copy", e.fake.calls, 1);
	assert_str_eq_msg("the first hold released", hold_state(&e, -1), "released");
	snprintf(e.ref, sizeof e.ref, "%s", second);
	assert_str_eq_msg("the second not", hold_state(&e, 0), "approved");
	assert_int_eq_msg("release-duplicate record", records(&e, "release-duplicate", first), 1);
	releaser_pass(e.r, now + 60);
	releaser_pass(e.r, now + 120);
	assert_int_eq_msg("still one copy", e.fake.calls, 1);
	assert_int_eq_msg("recorded once", records(&e, "release-duplicate", NULL), 1);
	env_close(&e);
}

/* One byte of the stored message changed after the hold was made: the
 * release is refused and recorded, nothing is sent, not even later. */
static void test_tampered(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "tampered", NULL, 0);
	char *msg = NULL, why[300];
	size_t len;
	assert_int_eq_msg("intact", store_hold_message_checked(e.s, e.ref, &msg, &len, why,
							       sizeof why), 0);
	assert_int_eq_msg("length", len, sizeof message - 1);
	free(msg);
	store_sql("tampered",
		  fixture_pg() ? "UPDATE hold_messages SET message = convert_to(replace("
				 "convert_from(message, 'UTF8'), '8.8.8.8', '8.8.8.9'), 'UTF8')"
			       : "UPDATE hold_messages SET message ="
				 " CAST(replace(CAST(message AS TEXT), '8.8.8.8', '8.8.8.9') AS BLOB)");
	assert_int_eq_msg("changed", store_hold_message_checked(e.s, e.ref, &msg, &len, why,
								sizeof why), 1);
	assert_null(msg);
	assert_non_null(strstr(why, "SHA-256"));
	time_t now = time(NULL);
	assert_int_eq_msg("pass", releaser_pass(e.r, now), 1);
	assert_int_eq_msg("nothing sent", e.fake.calls, 0);
	assert_int_eq_msg("tampered record", records(&e, "tampered", "SHA-256"), 1);
	assert_str_eq_msg("not released", hold_state(&e, -1), "partly-approved");
	releaser_pass(e.r, now + 9999);
	assert_int_eq_msg("still nothing sent", e.fake.calls, 0);
	env_close(&e);
}

/* The copy reached the MTA but our milter held it again (token not
 * accepted): 250 is no release. */
static void test_250_without_milter(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "nomilter", NULL, 0);
	/* the token is made void before the copy arrives: the milter refuses */
	time_t now = time(NULL);
	struct releaser_setup in = {.store = e.s, .header_name = "X-Grondslag", .retry_base = 60,
				    .expiry_days = 14, .fake = {fake_send, &e.fake}};
	/* a releaser with another key: its tokens fail the mac */
	memset(in.key, 'z', sizeof in.key);
	char err[256];
	struct releaser *other = releaser_new(&in, err, sizeof err);
	assert_non_null(other);
	releaser_pass(other, now);
	releaser_free(other);
	assert_int_eq_msg("sends", e.fake.calls, 1);
	assert_int_eq_msg("accepted", e.fake.accepted, 0);
	assert_str_eq_msg("not released", hold_state(&e, -1), "partly-approved");
	assert_int_eq_msg("failure recorded", records(&e, "release-failed", "did not accept"), 1);
	assert_int_eq_msg("the milter's refusal recorded", records(&e, "release-refused", "bad-mac"),
			  1);
	/* retried with our key: one delivery */
	releaser_pass(e.r, now + 60);
	assert_int_eq_msg("retried", e.fake.calls, 2);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	env_close(&e);
}

static void test_restart(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "restart", NULL, 0);
	time_t now = time(NULL);
	/* crash 1: begun and accepted by the milter, killed before the 250 */
	char digest[RELEASE_DIGEST_HEX], reason[256], err[256];
	release_digest(message, sizeof message - 1, "X-Grondslag", digest);
	const char *all = "info@jpcert.or.jp\nsoc@cisa.gov";
	struct store_release_start b = {.ref = e.ref, .nonce = "0000000000000000000000000000000a",
					.digest = digest, .rcpts_canon = all, .header = "h",
					.expires = now + 3600, .now = now};
	assert_int_eq_msg("begin", store_release_begin(e.s, &b, reason, sizeof reason, err,
						       sizeof err), 0);
	assert_str_eq_msg("releasing", hold_state(&e, -1), "releasing");
	struct store_release_use u = {.ref = e.ref, .nonce = b.nonce, .digest = digest,
				      .rcpts_canon = all, .mta_queue_id = "QMILTER", .now = now};
	assert_int_eq_msg("milter use", store_release_use(e.s, &u, reason, sizeof reason, err,
							  sizeof err), 0);
	/* no receipt: the MTA may or may not have queued it - "used" is not
	 * "delivered", and sending again could deliver twice */
	assert_int_eq_msg("resume", releaser_pass(e.r, now + 1), 1);
	assert_int_eq_msg("nothing sent again", e.fake.calls, 0);
	assert_str_eq_msg("not recorded as released", hold_state(&e, -1), "releasing");
	assert_int_eq_msg("no release record", records(&e, "release", NULL), 0);
	assert_int_eq_msg("unknown, with the milter's queue id",
			  records(&e, "release-unknown", "QMILTER"), 1);
	releaser_pass(e.r, now + 9999);
	assert_int_eq_msg("never sent", e.fake.calls, 0);
	env_close(&e);

	/* crash 2: begun, killed before the copy reached the MTA */
	env_approved(&e, "restart2", NULL, 0);
	b.ref = e.ref;
	b.nonce = "0000000000000000000000000000000b";
	assert_int_equal(store_release_begin(e.s, &b, reason, sizeof reason, err, sizeof err), 0);
	assert_int_eq_msg("resume", releaser_pass(e.r, now + 1), 1);
	assert_int_eq_msg("voided, not sent yet", e.fake.calls, 0);
	assert_int_eq_msg("interrupted", records(&e, "release-failed", "interrupted"), 1);
	releaser_pass(e.r, now + 61);
	assert_int_eq_msg("retried once", e.fake.calls, 1);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	/* the abandoned token shows up late: refused */
	u.ref = e.ref;
	u.nonce = b.nonce;
	assert_int_eq_msg("late token", store_release_use(e.s, &u, reason, sizeof reason, err,
							  sizeof err), 1);
	assert_str_eq_msg("why", reason, "the token's release attempt was abandoned");
	u.nonce = "0000000000000000000000000000000c";
	assert_int_equal(store_release_use(e.s, &u, reason, sizeof reason, err, sizeof err), 1);
	assert_str_eq_msg("unknown", reason, "unknown token");
	env_close(&e);
}

static void test_deny_stops_retries(void **state)
{
	(void)state;
	struct env e;
	env_approved(&e, "deny", (const enum fake_mode[]){FAKE_DOWN}, 1);
	time_t now = time(NULL);
	releaser_pass(e.r, now);
	struct store_actor a = {.user = "j3", .uid = 1001, .role = "jurist"};
	struct store_decision d = {.event = HEV_DENY, .actor = &a, .reason = "no"};
	char err[256];
	assert_int_equal(store_hold_decide(e.s, e.ref, &d, NULL, err, sizeof err), 0);
	releaser_pass(e.r, now + 9999);
	assert_int_eq_msg("no send after the deny", e.fake.calls, 1);
	assert_str_eq_msg("denied", hold_state(&e, -1), "denied");
	env_close(&e);
}

static void test_expiry(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "expiry", 15 * 86400);
	approve(&e, "j1", NULL);
	time_t now = time(NULL);
	assert_int_eq_msg("pass", releaser_pass(e.r, now), 1);
	assert_str_eq_msg("expired", hold_state(&e, -1), "expired");
	assert_str_eq_msg("recipient", hold_state(&e, 1), "expired");
	assert_int_eq_msg("expire record", records(&e, "expire", "HoldExpiry"), 1);
	struct store_notice n;
	assert_int_equal(store_notice_next(e.s, now + 1, &n), 1);
	assert_str_eq_msg("kind", n.kind, "expiry");
	assert_str_eq_msg("to", n.to, "alice@ncsc.nl");
	assert_non_null(strstr(n.message, "expired"));
	assert_null(strstr(n.message, "8.8.8.8"));
	assert_int_eq_msg("no second expiry", releaser_pass(e.r, now + 86400), 0);
	env_close(&e);
	/* a young hold does not expire */
	env_open(&e, "young", 13 * 86400);
	assert_int_eq_msg("young", releaser_pass(e.r, time(NULL)), 0);
	assert_str_eq_msg("pending", hold_state(&e, -1), "pending");
	env_close(&e);
}

/* Holds that cannot be loaded (more recipients than the limit, as an
 * older version could store) are passed over: more of them than one work
 * list holds, all older than a good one, never keep it from expiring. */
static void test_expiry_not_blocked(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "blocked", 15 * 86400);
	put_bobs(&e, 120, 20 * 86400);
	char sql[512];
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %d)"
		 " INSERT INTO hold_recipients(ref, recipient, reasons, explanation)"
		 " SELECT h.ref, '<r' || c.n || '@example.net>', 'no-basis', 'x' FROM holds h, c"
		 " WHERE h.ref != '%s'", RCPTS_MAX, e.ref);
	store_sql("blocked", sql);
	time_t now = time(NULL);
	assert_int_eq_msg("only the good hold expires", releaser_pass(e.r, now), 1);
	assert_str_eq_msg("expired", hold_state(&e, -1), "expired");
	assert_int_eq_msg("expire records", records(&e, "expire", "HoldExpiry"), 1);
	env_close(&e);
}

/* Make every hold but e->ref unloadable: more recipients than RCPTS_MAX
 * (what a damaged store or an older version could hold); state st,
 * recipients rst. */
static void spoil_others(struct env *e, const char *name, const char *st, const char *rst)
{
	char sql[768];
	snprintf(sql, sizeof sql,
		 "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %d)"
		 " INSERT INTO hold_recipients(ref, recipient, reasons, explanation, state)"
		 " SELECT h.ref, '<r' || c.n || '@example.net>', 'no-basis', 'x', '%s'"
		 " FROM holds h, c WHERE h.ref != '%s';"
		 " UPDATE holds SET state = '%s' WHERE ref != '%s';"
		 " UPDATE hold_recipients SET state = '%s' WHERE ref != '%s';",
		 RCPTS_MAX, rst, e->ref, st, e->ref, rst, e->ref);
	store_sql(name, sql);
}

/* Holds with approved recipients that cannot be loaded, more than one
 * work list holds and all older than a good one, never keep the good one
 * from its release. */
static void test_release_not_blocked(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "relblocked", 60);
	put_bobs(&e, 150, 86400);
	spoil_others(&e, "relblocked", "partly-approved", "approved");
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	time_t now = time(NULL);
	assert_int_eq_msg("the good hold is released", releaser_pass(e.r, now), 1);
	assert_int_eq_msg("one copy", e.fake.calls, 1);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	env_close(&e);
}

/* Unfinished attempts (after a restart) of holds that cannot be loaded,
 * more than one work list holds and all older than a good one, never
 * keep the good one from being settled. */
static void test_resume_not_blocked(void **state)
{
	(void)state;
	struct env e;
	env_open(&e, "resumeblocked", 60);
	put_bobs(&e, 120, 86400);
	spoil_others(&e, "resumeblocked", "releasing", "releasing");
	char sql[512];
	snprintf(sql, sizeof sql, "INSERT INTO release_tokens(nonce, ref, rcpts, digest, header,"
		 " created, expires, state) SELECT %s, ref, 'x', 'd', 'h',"
		 " %lld, %lld, 'issued' FROM holds WHERE ref != '%s'",
		 fixture_pg() ? "lpad(to_hex(rowid), 32, '0')" : "printf('%032x', rowid)",
		 (long long)time(NULL) - 600, (long long)time(NULL) + 3000, e.ref);
	store_sql("resumeblocked", sql);
	/* the good hold: begun and let pass by the milter, then a restart */
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	time_t now = time(NULL);
	char digest[RELEASE_DIGEST_HEX], reason[256], err[256];
	release_digest(message, sizeof message - 1, "X-Grondslag", digest);
	const char *all = "info@jpcert.or.jp\nsoc@cisa.gov";
	struct store_release_start b = {.ref = e.ref, .nonce = "0000000000000000000000000000ffff",
					.digest = digest, .rcpts_canon = all, .header = "h",
					.expires = now + 3600, .now = now};
	assert_int_equal(store_release_begin(e.s, &b, reason, sizeof reason, err, sizeof err), 0);
	struct store_release_use u = {.ref = e.ref, .nonce = b.nonce, .digest = digest,
				      .rcpts_canon = all, .mta_queue_id = "QGOOD", .now = now};
	assert_int_equal(store_release_use(e.s, &u, reason, sizeof reason, err, sizeof err), 0);
	releaser_pass(e.r, now + 1);
	assert_int_eq_msg("the good attempt settled (unknown)", records(&e, "release-unknown",
									 "QGOOD"), 1);
	assert_int_eq_msg("nothing sent", e.fake.calls, 0);
	env_close(&e);
}

/* Lines of the file at path containing needle. */
static int lines_with(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[2048];
	int n = 0;
	while (fgets(line, sizeof line, f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* The log (stderr) into the file dir/name.log (its path in logpath)
 * until log_restore(): the descriptor to restore. */
static int log_to_file(const char *name, char logpath[256])
{
	snprintf(logpath, 256, "%s/%s.log", dir, name);
	fflush(stderr);
	int saved = dup(2);
	assert_true(freopen(logpath, "w", stderr) != NULL);
	log_open("test", true, false);
	return saved;
}

static void log_restore(int saved)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	clearerr(stderr);
}

/* A hold that cannot be loaded is tried every pass but logged once per
 * episode (an error naming it), and again once it is acted on. */
static void test_unloadable_logged_once(void **state)
{
	(void)state;
	struct env e;
	char logpath[256];
	env_open(&e, "logonce", 20 * 86400);
	put_bobs(&e, 3, 20 * 86400);
	spoil_others(&e, "logonce", "pending", "held");
	int saved = log_to_file("logonce", logpath);
	time_t now = time(NULL);
	for (int i = 0; i < 5; i++)
		releaser_pass(e.r, now + i);
	fflush(stderr);
	int errors = lines_with(logpath, "bad recipient row");
	/* the first of them loads again: its recipients back to RCPTS_MAX */
	char err[256];
	char **refs;
	size_t n;
	assert_int_equal(store_holds_expired(e.s, now, &refs, &n, err, sizeof err), 0);
	assert_int_eq_msg("three unloadable holds left", n, 3);
	char sql[256];
	snprintf(sql, sizeof sql, "DELETE FROM hold_recipients WHERE ref = '%s'"
		 " AND recipient LIKE '<r%%'", refs[0]);
	store_sql("logonce", sql);
	releaser_pass(e.r, now + 10);
	log_restore(saved);
	int again = lines_with(logpath, "acted on again");
	store_strv_free(refs, n);
	assert_int_eq_msg("one error per unloadable hold over five passes", errors, 3);
	assert_int_eq_msg("its return is logged", again, 1);
	assert_int_eq_msg("expired once loadable", records(&e, "expire", NULL), 2);
	env_close(&e);
}

/* An approved hold whose stored message cannot be read (a row lost to a
 * bad restore) sends nothing and is passed over, but never silently: an
 * error naming it, once per episode, like any hold that fails. */
static void test_unreadable_message_logged(void **state)
{
	(void)state;
	struct env e;
	char logpath[256], sql[256];
	env_approved(&e, "unreadable", NULL, 0);
	snprintf(sql, sizeof sql, "DELETE FROM hold_messages WHERE ref = '%s'", e.ref);
	store_sql("unreadable", sql);
	int saved = log_to_file("unreadable", logpath);
	time_t now = time(NULL);
	for (int i = 0; i < 3; i++)
		releaser_pass(e.r, now + i);
	log_restore(saved);
	char want[128];
	snprintf(want, sizeof want, "release of hold %s: not done", e.ref);
	assert_int_eq_msg("one error naming the hold over three passes", lines_with(logpath, want),
			  1);
	assert_int_eq_msg("it says why", lines_with(logpath, "cannot be read"), 1);
	assert_int_eq_msg("nothing sent", e.fake.calls, 0);
	assert_int_eq_msg("no attempt begun", records(&e, "release-started", NULL), 0);
	assert_str_eq_msg("still approved", hold_state(&e, 0), "approved");
	env_close(&e);
}

/* A held recipient as long as the milter takes (a long source route,
 * held by design) is released like any other: the token's list, the
 * store's check, the relay's RCPT and the milter's check all carry it. */
static void test_release_long_recipient(void **state)
{
	(void)state;
	static char route[RCPT_TEXT_MAX + 3];
	size_t n = (size_t)snprintf(route, sizeof route, "<");
	for (int i = 0; n < RCPT_TEXT_MAX - 40; i++)
		n += (size_t)snprintf(route + n, sizeof route - n, "@h%d.relay.example,", i);
	/* the last hop's label fills up to the tail ".ex:info@jpcert.or.jp>" */
	size_t end = RCPT_TEXT_MAX + 2 - 22;
	memset(route + n, 'a', end - n);
	n = end;
	snprintf(route + n, sizeof route - n, ".ex:info@jpcert.or.jp>");
	assert_int_eq_msg("as long as the milter takes", strlen(route), RCPT_TEXT_MAX + 2);
	struct env e;
	char err[256];
	env_open(&e, "longrcpt", 60);
	const struct hold_rcpt one[] = {{route, "jpcert", "no-basis", "No basis."}};
	struct hold_record h = {.queue_id = "QL", .sender = "<alice@ncsc.nl>", .subject = "s",
			       .received = time(NULL) - 30, .registry_digest = "ab",
			       .summary_json = "{}", .findings_json = "{}", .data = message,
			       .len = sizeof message - 1, .fd = -1, .rcpts = one, .nrcpts = 1};
	assert_int_equal(store_hold_put(e.s, &h, e.ref, err, sizeof err), 0);
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	assert_int_eq_msg("released", releaser_pass(e.r, time(NULL)), 1);
	assert_int_eq_msg("one copy", e.fake.calls, 1);
	assert_int_eq_msg("its token passed the milter", e.fake.accepted, 1);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	assert_int_eq_msg("the release record names it", records(&e, "release", route), 1);
	env_close(&e);
}

/* ---- an admin resolves a release left to the admins ------------------- */

static const struct store_actor admin = {.user = "carol", .uid = 1003, .role = "admin"};

static char *resolve_notice(void *arg, const char *const *rcpts, size_t n, const char *qid)
{
	(void)arg;
	char buf[512];
	snprintf(buf, sizeof buf, "Subject: released\r\n\r\n%zu recipient(s) %s %s\r\n", n,
		 rcpts[0], qid);
	return strdup(buf);
}

static int admin_cb(void *arg, const struct audit_record *r)
{
	struct count_arg *a = arg;
	a->n += strcmp(r->event, a->event) == 0 && strcmp(r->actor, "carol") == 0 &&
		strcmp(r->role, "admin") == 0 && r->uid == 1003;
	return 0;
}
/* Records of event by the admin carol. */
static int by_admin(struct env *e, const char *event)
{
	struct count_arg a = {event, NULL, 0};
	assert_int_equal(store_audit_scan(e->s, INT64_MIN, admin_cb, &a), 0);
	return a.n;
}

/* The admin's statement on e's hold: store_release_resolve()'s result. */
static int resolve(struct env *e, bool delivered, char *state, char *why)
{
	char err[256];
	struct store_release_resolution in = {
		.ref = e->ref, .delivered = delivered, .actor = &admin,
		.reason = "postfix log: status=sent", .notice_make = resolve_notice,
		.notice_to = "alice@ncsc.nl",
	};
	struct store_decision_result res;
	int rc = store_release_resolve(e->s, &in, &res, err, sizeof err);
	if (rc < 0)
		fail_msg("store_release_resolve: %s", err);
	snprintf(state, 32, "%s", res.state);
	snprintf(why, 256, "%s", res.reason);
	return rc;
}

/* unknown (the relay process killed after the 250) and unconfirmed (a
 * 250 for a copy the milter never saw), each resolved both ways: recorded
 * with the admin and the reason; delivered completes the release with the
 * queue id and the sender's notice, nothing sent again; resend sends one
 * new copy that completes through the milter. */
static void test_resolve_stuck(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum fake_mode stuck;
		bool delivered;
		const char *qid;	/* in the release record */
		size_t calls;		/* copies sent in all */
	} rows[] = {
		{"unknown, delivered", FAKE_OUTCOME_LOST, true, "QREL1", 1},
		{"unknown, resend", FAKE_OUTCOME_LOST, false, "QREL2", 2},
		{"unconfirmed, delivered", FAKE_NOMILTER, true, "QREL1", 1},
		{"unconfirmed, resend", FAKE_NOMILTER, false, "QREL2", 2},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct env e;
		char name[32], st[32], why[256];
		snprintf(name, sizeof name, "resolve%zu", i);
		env_open(&e, name, 60);
		e.fake.script[0] = rows[i].stuck;
		e.fake.nscript = 1;
		approve(&e, "j1", NULL);
		approve(&e, "j2", NULL);
		time_t now = time(NULL);
		releaser_pass(e.r, now);
		assert_str_eq_msg(rows[i].name, hold_state(&e, -1), "releasing");
		releaser_pass(e.r, now + 9999);
		assert_int_eq_msg(rows[i].name, e.fake.calls, 1);
		int64_t notices = store_notice_count(e.s, "queued");
		assert_int_eq_msg(rows[i].name, resolve(&e, rows[i].delivered, st, why), 0);
		assert_int_eq_msg(rows[i].name, records(&e, "release-resolved", "status=sent"), 1);
		assert_int_eq_msg(rows[i].name, by_admin(&e, "release-resolved"), 1);
		assert_int_eq_msg(rows[i].name, by_admin(&e, rows[i].delivered ? "release"
									   : "release-failed"), 1);
		releaser_pass(e.r, now + 10000);
		releaser_pass(e.r, now + 20000);
		assert_int_eq_msg(rows[i].name, e.fake.calls, rows[i].calls);
		assert_str_eq_msg(rows[i].name, hold_state(&e, -1), "released");
		assert_int_eq_msg(rows[i].name, records(&e, "release", rows[i].qid), 1);
		assert_int_eq_msg(rows[i].name, store_notice_count(e.s, "queued"), notices + 1);
		char err[256];
		struct store_hold_record *h = store_hold_get(e.s, e.ref, err, sizeof err);
		assert_non_null(h);
		assert_null(h->release_error);
		store_hold_record_free(h);
		/* settled: a second statement is refused */
		assert_int_eq_msg(rows[i].name, resolve(&e, true, st, why), 1);
		env_close(&e);
	}
}

/* Nothing to resolve: a pending hold, a failing release (the releaser
 * retries it), no such hold. */
static void test_resolve_refused(void **state)
{
	(void)state;
	struct env e;
	char st[32], why[256];
	env_open(&e, "resolvenot", 60);
	assert_int_eq_msg("pending", resolve(&e, true, st, why), 1);
	if (strstr(why, "not waiting for an admin") == NULL)
		fail_msg("pending: got \"%s\"", why);
	e.fake.script[0] = FAKE_DOWN;
	e.fake.nscript = 1;
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	releaser_pass(e.r, time(NULL));
	assert_int_eq_msg("failing, retried by the releaser", resolve(&e, false, st, why), 1);
	assert_int_eq_msg("refusals recorded", records(&e, "refused", "release-resolve"), 2);
	assert_int_eq_msg("no resolution recorded", records(&e, "release-resolved", NULL), 0);
	snprintf(e.ref, sizeof e.ref, "G20200101-0000000000");
	assert_int_eq_msg("no such hold", resolve(&e, true, st, why), 2);
	env_close(&e);
}

/* A duplicate (a recipient released from another hold of the message):
 * never resent; delivered releases it here with the other copy's queue
 * id, and the rest of the hold goes out at the next pass. */
static void test_resolve_duplicate(void **state)
{
	(void)state;
	struct env e;
	char st[32], why[256], err[256];
	env_open(&e, "resolvedup", 120);
	char first[STORE_REF_MAX];
	snprintf(first, sizeof first, "%s", e.ref);
	put_hold(&e, "<alice@ncsc.nl>", 60, 2, e.ref);
	store_sql("resolvedup", "UPDATE holds SET message_key = 'm1'");
	char second[STORE_REF_MAX];
	snprintf(second, sizeof second, "%s", e.ref);
	/* the first hold: only soc@cisa.gov approved and released */
	snprintf(e.ref, sizeof e.ref, "%s", first);
	approve(&e, "j1", "<soc@cisa.gov>");
	approve(&e, "j2", "<soc@cisa.gov>");
	time_t now = time(NULL);
	releaser_pass(e.r, now);
	assert_int_eq_msg("first copy", e.fake.calls, 1);
	/* the second: both approved, refused as a duplicate */
	snprintf(e.ref, sizeof e.ref, "%s", second);
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	releaser_pass(e.r, now + 1);
	assert_int_eq_msg("duplicate refused", e.fake.calls, 1);
	assert_int_eq_msg("resend refused", resolve(&e, false, st, why), 1);
	if (strstr(why, first) == NULL)
		fail_msg("resend: got \"%s\", want the other hold named", why);
	assert_int_eq_msg("delivered", resolve(&e, true, st, why), 0);
	assert_str_eq_msg("cisa released here", hold_state(&e, 1), "approved");
	struct store_hold_record *r = store_hold_get(e.s, e.ref, err, sizeof err);
	assert_non_null(r);
	for (size_t i = 0; i < r->nrcpts; i++)
		if (strcmp(r->rcpts[i].recipient, "<soc@cisa.gov>") == 0) {
			assert_str_eq_msg("cisa", r->rcpts[i].state, "released");
			assert_str_eq_msg("its queue id", r->rcpts[i].relay_queue_id, "QREL1");
		}
	store_hold_record_free(r);
	assert_int_eq_msg("recorded", records(&e, "release-resolved", first), 1);
	releaser_pass(e.r, now + 2);
	assert_int_eq_msg("the rest goes out", e.fake.calls, 2);
	if (strstr(e.fake.rcpts, "cisa") != NULL)
		fail_msg("cisa sent twice: %s", e.fake.rcpts);
	assert_str_eq_msg("released", hold_state(&e, -1), "released");
	env_close(&e);
}

/* A reload's settings take effect at the next pass: a 13-day-old hold
 * does not expire under HoldExpiry 14, does under 12; a bad relay is
 * refused and changes nothing. */
static void test_configure(void **state)
{
	(void)state;
	struct env e;
	char err[256] = "";
	env_open(&e, "configure", 13 * 86400);
	time_t now = time(NULL);
	assert_int_eq_msg("under 14 days", releaser_pass(e.r, now), 0);
	struct releaser_config bad = {.relay = "no-port-here", .expiry_days = 12};
	assert_int_eq_msg("bad relay refused", releaser_configure(e.r, &bad, err, sizeof err), -1);
	if (strstr(err, "HOST:PORT") == NULL)
		fail_msg("bad relay: got \"%s\", want a HOST:PORT complaint", err);
	assert_int_eq_msg("still under 14 days", releaser_pass(e.r, now), 0);
	assert_str_eq_msg("still pending", hold_state(&e, -1), "pending");
	struct releaser_config c = {.relay = "127.0.0.1:2525", .expiry_days = 12,
				    .retry_base = 5};
	assert_int_eq_msg("configure", releaser_configure(e.r, &c, err, sizeof err), 0);
	assert_int_eq_msg("HoldExpiry 12: expired", releaser_pass(e.r, now), 1);
	assert_str_eq_msg("expired", hold_state(&e, -1), "expired");
	assert_int_eq_msg("expire record", records(&e, "expire", "12"), 1);
	/* zeros keep what is set; NULL relay too */
	struct releaser_config keep = {0};
	assert_int_eq_msg("configure nothing", releaser_configure(e.r, &keep, err, sizeof err), 0);
	assert_int_eq_msg("nothing more", releaser_pass(e.r, now), 0);
	assert_int_eq_msg("NULL releaser", releaser_configure(NULL, &c, err, sizeof err), -1);
	env_close(&e);
}

/* The notices of kind in the outbox of env name's store. */
static int outbox_kind(const char *name, const char *kind)
{
	char path[512], file[64], sql[128];
	snprintf(file, sizeof file, "%s.db", name);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE kind = '%s'", kind);
	return (int)fixture_rows(fixture_database(path, sizeof path, dir, file), sql);
}

/* Without ReleaseRelay (empty, no fake relay) the releaser still
 * expires undecided holds and sends the jurists' digest; an approved
 * hold waits, approved, until a reload sets a relay. */
static void test_no_relay(void **state)
{
	(void)state;
	struct env e;
	char err[256] = "", ref_close[STORE_REF_MAX], ref_ok[STORE_REF_MAX];
	env_open(&e, "norelay", 15 * 86400);	/* e.ref: undecided, too old */
	time_t now = time(NULL);
	put_hold(&e, "<bob@ncsc.nl>", 12 * 86400 + 3600, 2, ref_close);	/* in the digest */
	put_hold(&e, "<bob@ncsc.nl>", 60, 2, ref_ok);
	static const char *const to[] = {"jurists@ncsc.nl"};
	struct roundup_setup ds = {.store = e.s, .from = "grondslag@ncsc.nl", .hostname = "mx",
				  .to = to, .nto = 1, .expiry_days = 14, .warning_days = 3};
	struct roundup *d = roundup_new(&ds);
	assert_non_null(d);
	releaser_free(e.r);
	struct releaser_setup in = {
		.store = e.s, .relay = "", .helo = "mx.ncsc.nl", .notice_from = "grondslag@ncsc.nl",
		.header_name = "X-Grondslag", .expiry_days = 14, .retry_base = 60, .roundup = d,
		.spool_dir = dir,
	};
	memcpy(in.key, key, sizeof key);
	e.r = releaser_new(&in, err, sizeof err);
	if (e.r == NULL)
		fail_msg("releaser_new without a relay: %s", err);
	/* two jurists approve the young hold: it would be released */
	snprintf(e.ref, sizeof e.ref, "%s", ref_ok);
	approve(&e, "j1", NULL);
	approve(&e, "j2", NULL);
	assert_int_eq_msg("expiry + digest", releaser_pass(e.r, now), 2);
	assert_int_eq_msg("digest queued", outbox_kind("norelay", "digest"), 1);
	assert_int_eq_msg("expire record", records(&e, "expire", "HoldExpiry"), 1);
	assert_str_eq_msg("approved recipient waits", hold_state(&e, 0), "approved");
	assert_int_eq_msg("no release begun", records(&e, "release", NULL), 0);
	/* a reload empties nothing more and sets no relay: still waiting */
	struct releaser_config none = {.relay = ""};
	assert_int_eq_msg("configure none", releaser_configure(e.r, &none, err, sizeof err), 0);
	releaser_pass(e.r, now + 60);
	assert_str_eq_msg("still approved", hold_state(&e, 0), "approved");
	releaser_free(e.r);
	e.r = NULL;
	roundup_free(d);
	env_close(&e);
}

static void test_backoff(void **state)
{
	(void)state;
	static const struct {
		unsigned attempts, base;
		time_t want;
	} rows[] = {{1, 60, 60}, {2, 60, 120}, {3, 60, 240}, {7, 60, 3600}, {99, 60, 3600},
		    {1, 0, 1}, {4, 1, 8}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[40];
		snprintf(name, sizeof name, "attempts %u base %u", rows[i].attempts, rows[i].base);
		assert_int_eq_msg(name, store_release_backoff(rows[i].attempts, rows[i].base),
				  rows[i].want);
	}
}

/* ---- several relays on one store --------------------------------------- */

/* A second relay on the store of e: its own connection, name, releaser
 * and fake relay, whose copies go through the milter of milter_store. */
struct relay2 {
	struct store *s;
	struct fake fake;
	struct releaser *r;
};

static void relay2_open(struct relay2 *b, const char *name, struct store *milter_store)
{
	char path[512], err[256], file[64];
	memset(b, 0, sizeof *b);
	snprintf(file, sizeof file, "%s.db", name);
	fixture_database(path, sizeof path, dir, file);
	b->s = fixture_store_open(path, err, sizeof err);
	if (b->s == NULL)
		fail_msg("store_open (relay b): %s", err);
	assert_int_equal(store_relay_set(b->s, "relay-b"), 0);
	b->fake.store = milter_store != NULL ? milter_store : b->s;
	struct releaser_setup in = {
		.store = b->s, .helo = "mx2.ncsc.nl", .notice_from = "grondslag@ncsc.nl",
		.header_name = "X-Grondslag", .expiry_days = 14, .retry_base = 60,
		.fake = {fake_send, &b->fake},
	};
	memcpy(in.key, key, sizeof key);	/* the shared ReleaseKeyFile */
	b->r = releaser_new(&in, err, sizeof err);
	if (b->r == NULL)
		fail_msg("releaser_new (relay b): %s", err);
}

static void relay2_close(struct relay2 *b)
{
	releaser_free(b->r);
	store_close(b->s);
	free(b->fake.last);
}

struct race {
	struct releaser *r;
	time_t now;
};
static void *race_main(void *arg)
{
	struct race *a = arg;
	for (int i = 0; i < 4; i++)
		releaser_pass(a->r, a->now + i);
	return NULL;
}

/* Two relays' releasers racing over the same approved holds: each hold
 * is sent exactly once, by one of them; a token issued by one relay is
 * accepted by the other's milter (one key), and the records name both. */
static void test_two_relays_race(void **state)
{
	(void)state;
	struct env e;
	struct relay2 b;
	env_approved(&e, "race", NULL, 0);
	assert_int_equal(store_relay_set(e.s, "relay-a"), 0);
	relay2_open(&b, "race", e.s);
	char first[STORE_REF_MAX];
	memcpy(first, e.ref, sizeof first);
	enum { MORE = 24 };
	for (int i = 0; i < MORE; i++) {
		put_hold(&e, "<alice@ncsc.nl>", 60, 2, e.ref);
		approve(&e, "j1", NULL);
		approve(&e, "j2", NULL);
	}
	memcpy(e.ref, first, sizeof first);
	time_t now = time(NULL);
	pthread_t ta, tb;
	struct race ra = {e.r, now}, rb = {b.r, now};
	assert_int_equal(pthread_create(&ta, NULL, race_main, &ra), 0);
	assert_int_equal(pthread_create(&tb, NULL, race_main, &rb), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_eq_msg("copies sent by both relays together", (int)(e.fake.calls + b.fake.calls),
			  MORE + 1);
	assert_int_eq_msg("copies the milters accepted",
			  (int)(e.fake.accepted + b.fake.accepted), MORE + 1);
	assert_int_eq_msg("release records, one per hold", records(&e, "release", NULL), MORE + 1);
	assert_int_eq_msg("release-started records", records(&e, "release-started", NULL),
			  MORE + 1);
	assert_int_eq_msg("begun by relay-a", records(&e, "release-started", "\"relay\":\"relay-a\""),
			  (int)e.fake.calls);
	assert_int_eq_msg("begun by relay-b", records(&e, "release-started", "\"relay\":\"relay-b\""),
			  (int)b.fake.calls);
	/* b's copies went through a's milter: accepted there, issuer named */
	if (b.fake.calls > 0)
		assert_int_eq_msg("b's tokens accepted by a", records(&e, "release-accepted",
				  "\"issued_by\":\"relay-b\",\"mta_queue_id\""), (int)b.fake.calls);
	char path[512];
	fixture_database(path, sizeof path, dir, "race.db");
	assert_int_eq_msg("holds released", (int)fixture_rows(path, "SELECT count(*) FROM holds"
							       " WHERE state = 'released'"), MORE + 1);
	assert_int_eq_msg("tokens done", (int)fixture_rows(path, "SELECT count(*) FROM"
							    " release_tokens WHERE state = 'done'"), MORE + 1);
	relay2_close(&b);
	env_close(&e);
}

/* A release attempt another relay has in flight is that relay's to settle
 * (its relay process and receipt are on its host): on a shared store a
 * relay's restart leaves it alone; the issuing relay settles it.  Expiry
 * runs on the relay holding the lease only. */
static void test_two_relays_own_attempts(void **state)
{
	(void)state;
	struct env e;
	struct relay2 b;
	env_approved(&e, "own", NULL, 0);
	assert_int_equal(store_relay_set(e.s, "relay-a"), 0);
	relay2_open(&b, "own", NULL);
	time_t now = time(NULL);
	char digest[RELEASE_DIGEST_HEX], reason[256], err[256];
	release_digest(message, sizeof message - 1, "X-Grondslag", digest);
	struct store_release_start st = {.ref = e.ref, .nonce = "000000000000000000000000000000aa",
					 .digest = digest,
					 .rcpts_canon = "info@jpcert.or.jp\nsoc@cisa.gov",
					 .header = "h", .expires = now + 3600, .now = now};
	assert_int_eq_msg("a begins", store_release_begin(e.s, &st, reason, sizeof reason, err,
							  sizeof err), 0);
	struct store_release_token t;
	assert_int_equal(store_release_token_get(b.s, st.nonce, &t, err, sizeof err), 1);
	assert_str_eq_msg("the token names its relay", t.relay, "relay-a");
	store_release_token_clear(&t);
	assert_int_eq_msg("b begins the same: refused", store_release_begin(
			  b.s, &st, reason, sizeof reason, err, sizeof err), 1);
	releaser_pass(b.r, now + 1);
	bool shared = fixture_pg() != NULL;
	/* SQLite has one relay: it settles every attempt of its store */
	assert_int_eq_msg("b left a's attempt alone", records(&e, "release-failed", NULL),
			  shared ? 0 : 1);
	releaser_pass(e.r, now + 2);
	assert_int_eq_msg("a settled its own", records(&e, "release-failed", "interrupted"), 1);
	relay2_close(&b);
	env_close(&e);

	/* a relay renamed or taken out of service: once its token has
	 * expired another relay settles the attempt, the hold is not left
	 * releasing */
	env_approved(&e, "gone", NULL, 0);
	assert_int_equal(store_relay_set(e.s, "relay-gone"), 0);
	relay2_open(&b, "gone", NULL);
	now = time(NULL);
	st.ref = e.ref;
	st.nonce = "000000000000000000000000000000bb";
	st.expires = now + RELEASE_TOKEN_TTL;
	st.now = now;
	assert_int_eq_msg("the gone relay begins", store_release_begin(
			  e.s, &st, reason, sizeof reason, err, sizeof err), 0);
	releaser_pass(b.r, now + 1);
	assert_int_eq_msg("b leaves a live token alone", records(&e, "release-failed", NULL),
			  shared ? 0 : 1);
	releaser_pass(b.r, now + RELEASE_TOKEN_TTL);
	assert_int_eq_msg("b settles the expired one", records(&e, "release-failed",
							       "interrupted"), 1);
	assert_int_equal(store_release_token_get(b.s, st.nonce, &t, err, sizeof err), 1);
	if (strcmp(t.state, "issued") == 0 || strcmp(t.state, "used") == 0)
		fail_msg("the expired token is still %s", t.state);
	store_release_token_clear(&t);
	relay2_close(&b);
	env_close(&e);

	/* expiry: by the relay holding the lease, the other passes over */
	env_open(&e, "lease", 15 * 86400);
	assert_int_equal(store_relay_set(e.s, "relay-a"), 0);
	relay2_open(&b, "lease", NULL);
	now = time(NULL);
	char holder[STORE_RELAY_MAX];
	assert_int_equal(store_lease_take(e.s, RELEASER_LEASE_JOB, now, RELEASER_LEASE_TTL, holder,
					  sizeof holder, err, sizeof err), 1);
	assert_int_eq_msg("b does not expire", releaser_pass(b.r, now), 0);
	assert_str_eq_msg("pending", hold_state(&e, -1), "pending");
	assert_int_eq_msg("a expires", releaser_pass(e.r, now), 1);
	assert_str_eq_msg("expired", hold_state(&e, -1), "expired");
	/* b runs the job at once when a stops, not when a's term ends */
	assert_int_eq_msg("b: a holds the lease", store_lease_take(b.s, RELEASER_LEASE_JOB, now,
								   RELEASER_LEASE_TTL, holder,
								   sizeof holder, err, sizeof err), 0);
	releaser_free(e.r);
	e.r = NULL;
	assert_int_eq_msg("b: a gave it up at its stop",
			  store_lease_take(b.s, RELEASER_LEASE_JOB, now, RELEASER_LEASE_TTL, holder,
					   sizeof holder, err, sizeof err), 1);
	relay2_close(&b);
	env_close(&e);
}

/* The jurists' digest once a day for the whole store, whichever relay
 * holds its job: relay b looked at the record before there was anything
 * to list (it remembers no digest today), relay a then sends today's;
 * when the job comes to b the same day, the record says it went out and
 * b sends nothing. */
static void test_digest_two_relays(void **state)
{
	(void)state;
	struct env e;
	struct relay2 b;
	env_open(&e, "digest2", 60);
	assert_int_equal(store_relay_set(e.s, "relay-a"), 0);
	relay2_open(&b, "digest2", NULL);
	static const char *const to[] = {"jurists@ncsc.nl"};
	struct roundup_setup sa = {.store = e.s, .from = "grondslag@ncsc.nl", .hostname = "mx",
				  .to = to, .nto = 1, .expiry_days = 14, .warning_days = 3};
	struct roundup_setup sb = sa;
	sb.store = b.s;
	sb.hostname = "mx2";
	struct roundup *da = roundup_new(&sa), *db = roundup_new(&sb);
	assert_non_null(da);
	assert_non_null(db);
	time_t now = time(NULL);
	assert_int_eq_msg("b: nothing to list yet", roundup_pass(db, now), 0);
	char ref[STORE_REF_MAX];
	put_hold(&e, "<bob@ncsc.nl>", 12 * 86400 + 3600, 2, ref);	/* close to expiry */
	assert_int_eq_msg("a sends today's", roundup_pass(da, now), 1);
	assert_int_eq_msg("b, the same day: sent already", roundup_pass(db, now + 1), 0);
	assert_int_eq_msg("a, the same day", roundup_pass(da, now + 2), 0);
	assert_int_eq_msg("one digest in the outbox", outbox_kind("digest2", "digest"), 1);
	assert_int_eq_msg("one digest record", records(&e, "digest", NULL), 1);
	roundup_free(da);
	roundup_free(db);
	relay2_close(&b);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_approval_releases_nothing),
		cmocka_unit_test(test_release_once),
		cmocka_unit_test(test_relay_down_then_once),
		cmocka_unit_test(test_lost_reply),
		cmocka_unit_test(test_unconfirmed),
		cmocka_unit_test(test_outcome_lost),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_duplicate_pair),
		cmocka_unit_test(test_250_without_milter),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_deny_stops_retries),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_expiry_not_blocked),
		cmocka_unit_test(test_release_not_blocked),
		cmocka_unit_test(test_resume_not_blocked),
		cmocka_unit_test(test_release_long_recipient),
		cmocka_unit_test(test_resolve_stuck),
		cmocka_unit_test(test_resolve_refused),
		cmocka_unit_test(test_resolve_duplicate),
		cmocka_unit_test(test_unloadable_logged_once),
		cmocka_unit_test(test_unreadable_message_logged),
		cmocka_unit_test(test_configure),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_no_relay),
		cmocka_unit_test(test_two_relays_own_attempts),
		cmocka_unit_test(test_digest_two_relays),
	};
	/* a store several relays share: PostgreSQL (an SQLite store is one
	 * relay's: its releaser settles every open attempt of the file, so
	 * two releasers racing on one file are no setup) */
	const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_two_relays_race),
	};
	int failed = cmocka_run_group_tests(tests, setup_dir, remove_dir);
	if (fixture_pg() != NULL)
		failed += cmocka_run_group_tests_name("shared store", shared, setup_dir, remove_dir);
	return failed;
}
