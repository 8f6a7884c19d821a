/*
 * test_holdrec.c - the record of a decided message, as the milter stores
 * it: from a real gate result (the sample registry, findings from
 * scan_message()) and the message's facts to the hold record with its
 * shares, retry key and canonical sender, and the sender's and the
 * jurists' notices queued in it (notice_hold_record()); then into a real
 * store, in one transaction.
 *
 * The table: a partial hold, a full hold, a simulate-mode decision (no
 * hold: shares only), no jurists configured, a null sender, errors (no
 * reference, an unusable NoticeFrom, a tempfail).  Out of memory: every
 * allocation of the core's own code is made to fail in turn, and each
 * must give no record at all, never a hold with a piece missing.
 */
#include "testutil.h"

#include <time.h>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "fixture_dir.h"
#include "fixture_gate.h"
#include "fixture_store.h"
#include "grondslag/base/date.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/holdkey.h"
#include "grondslag/decide/holdrec.h"
#include "grondslag/notice/notice.h"

#define RECEIVED ((time_t)1704880000)	/* 2024-01-10 */

static struct registry *reg;

/* ---- failing allocations ------------------------------------------------ */

/* The n-th allocation asked for by the test program's own code (the core
 * is linked into it statically) fails; GLib's and the C library's
 * allocations never do: GLib aborts on a failed allocation by design, so
 * the core's out-of-memory paths are its own.  Not under AddressSanitizer,
 * which owns malloc. */
#ifndef __SANITIZE_ADDRESS__
#define FAILING_ALLOC 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern char __executable_start[], etext[];

static unsigned fail_at;	/* 0: never */
static unsigned allocs;
static bool failed;

/* Is this allocation, asked for from caller, the one to fail? */
static bool fail_now(const void *caller)
{
	if (fail_at == 0 || (const char *)caller < __executable_start ||
	    (const char *)caller >= etext)
		return false;
	if (++allocs != fail_at)
		return false;
	failed = true;
	if (getenv("HOLDREC_TRACE"))
		fprintf(stderr, "failing allocation %u from %p\n", allocs, caller);
	return true;
}

void *malloc(size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	return fail_now(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}

/* strdup() of the C library allocates from inside the library: this one
 * from the program, where a failure can be injected. */
char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = fail_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
	return d != NULL ? memcpy(d, s, n) : NULL;
}
#endif

/* ---- the table ------------------------------------------------------------ */

static int setup(void **state)
{
	(void)state;
	reg = fixture_registry();
	return fixture_dir_make("holdrec");
}

static int teardown(void **state)
{
	(void)state;
	registry_unref(reg);
	return fixture_dir_remove();
}

static const char MESSAGE[] = "From: A Person <a.person@ncsc.nl>\r\n"
			      "To: cert@cert.be\r\n"
			      "Message-ID: <list-1@ncsc.nl>\r\n"
			      "Subject: addresses of the week\r\n"
			      "\r\n"
			      "list:\r\n194.7.1.10\r\n194.7.2.20\r\n";
static const char NO_ID[] = "From: a.person@ncsc.nl\r\n"
			    "Subject: addresses of the week\r\n"
			    "\r\n"
			    "list:\r\n194.7.1.10\r\n194.7.2.20\r\n";

struct row {
	const char *name;
	const char *rcpts[4];
	enum gate_mode mode;
	const char *sender;
	const char *jurists[4];		/* configured jurist addresses */
	const char *from;		/* NoticeFrom */
	const char *ref;		/* NULL: none given */
	const char *message;		/* MESSAGE or NO_ID */
	const char *err;		/* part of the error, NULL: a record */
	bool held;
	size_t nheld, ndelivered, nshares;
	const char *notices;		/* "kind:to ..." in queue order */
	const char *canonical;		/* the sender's canonical spelling */
	bool retry_key;
};

#define JURISTS {"j1@ncsc.nl", "J1@NCSC.nl", "j2@ncsc.nl"}
#define CERT_BE "<cert@cert.be>"
#define JPCERT "<info@jpcert.or.jp>"
#define REF "G20240110-ABCDEFGHJK"

static const struct row rows[] = {
	{"partial hold", {CERT_BE, JPCERT}, GATE_ENFORCE, "<A.Person+lists@NCSC.nl>", JURISTS,
	 "grondslag@ncsc.nl", REF, MESSAGE, NULL, true, 1, 1, 1,
	 "hold:a.person+lists@ncsc.nl jurist:j1@ncsc.nl jurist:j2@ncsc.nl", "a.person@ncsc.nl",
	 true},
	{"full hold", {JPCERT, "<central@cisa.gov>"}, GATE_ENFORCE, "<a.person@ncsc.nl>", JURISTS,
	 "grondslag@ncsc.nl", REF, MESSAGE, NULL, true, 2, 0, 0,
	 "hold:a.person@ncsc.nl jurist:j1@ncsc.nl jurist:j2@ncsc.nl", "a.person@ncsc.nl", true},
	{"simulate: shares, no hold", {CERT_BE, JPCERT}, GATE_SIMULATE, "<a.person@ncsc.nl>",
	 JURISTS, "grondslag@ncsc.nl", NULL, MESSAGE, NULL, false, 0, 0, 2, "", NULL, false},
	{"delivered: shares, no hold", {CERT_BE}, GATE_ENFORCE, "<a.person@ncsc.nl>", JURISTS,
	 "grondslag@ncsc.nl", NULL, MESSAGE, NULL, false, 0, 0, 1, "", NULL, false},
	{"no jurists configured", {CERT_BE, JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>", {NULL},
	 "grondslag@ncsc.nl", REF, MESSAGE, NULL, true, 1, 1, 1, "hold:a.person@ncsc.nl",
	 "a.person@ncsc.nl", true},
	{"unusable jurist addresses only", {JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>",
	 {"<>", "no-at-sign"}, "grondslag@ncsc.nl", REF, MESSAGE, NULL, true, 1, 0, 0,
	 "hold:a.person@ncsc.nl", "a.person@ncsc.nl", true},
	{"null sender: the jurists alone", {JPCERT}, GATE_ENFORCE, "<>", JURISTS,
	 "grondslag@ncsc.nl", REF, MESSAGE, NULL, true, 1, 0, 0,
	 "jurist:j1@ncsc.nl jurist:j2@ncsc.nl", "", false},
	{"no Message-ID: no retry key", {JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>", {NULL},
	 "grondslag@ncsc.nl", REF, NO_ID, NULL, true, 1, 0, 0, "hold:a.person@ncsc.nl",
	 "a.person@ncsc.nl", false},
	{"a hold without a reference", {JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>", JURISTS,
	 "grondslag@ncsc.nl", NULL, MESSAGE, "reference"},
	{"an empty reference", {JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>", JURISTS,
	 "grondslag@ncsc.nl", "", MESSAGE, "reference"},
	{"an unusable NoticeFrom", {JPCERT}, GATE_ENFORCE, "<a.person@ncsc.nl>", JURISTS,
	 "grondslag at ncsc", REF, MESSAGE, "notices"},
};

static size_t count(const char *const *list, size_t max)
{
	size_t n = 0;
	while (n < max && list[n] != NULL)
		n++;
	return n;
}

/* The gate's decision on msg from sender to rcpts. */
static struct gate_result *decide(const struct findings *f, const char *sender,
				  const char *const *rcpts, size_t n, enum gate_mode mode)
{
	struct gate_input in = {.queue_id = "QID1", .sender = sender, .rcpts = rcpts, .nrcpts = n,
				.outbound = true, .mode = mode, .now = RECEIVED};
	assert_true(date_parse("2024-01-10", &in.date));
	policy_options_default(&in.policy);
	struct gate_result *g = gate_decide(&in, reg, f);
	assert_non_null(g);
	return g;
}

static struct hold_facts facts_of(const struct row *r, const char *const *rcpts, size_t n)
{
	return (struct hold_facts){
		.ref = r->ref, .queue_id = "QID1", .sender = r->sender,
		.sender_auth = "aperson", .subject = "addresses of the week", .rcpts = rcpts,
		.nrcpts = n, .data = r->message, .len = strlen(r->message),
		.date = date_from_time(RECEIVED), .received = RECEIVED, .registry_digest = "d1g",
		.header_prefix = "X-Grondslag", .recipient_delimiter = "+",
		.expiry_days = 14,
	};
}

/* A row's decision with everything notice_hold_record() takes. */
struct prepared {
	struct findings *f;
	struct gate_result *g;
	struct hold_facts facts;
	struct notice_setup setup;
};

static void prepare(const struct row *r, struct prepared *p)
{
	size_t n = count(r->rcpts, 4);
	p->f = fixture_findings(r->message, "BE");
	p->g = decide(p->f, r->sender, r->rcpts, n, r->mode);
	p->facts = facts_of(r, r->rcpts, n);
	p->setup = (struct notice_setup){
		.from = r->from, .hostname = "mx.ncsc.nl", .jurist_mail = r->jurists,
		.njurist_mail = count(r->jurists, 4), .expiry_days = 14,
	};
}

static void prepared_free(struct prepared *p)
{
	gate_free(p->g);
	findings_free(p->f);
}

/* "kind:to ..." of the notices queued in h. */
static void notices_text(const struct hold_record *h, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < h->nnotices && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s:%s", i ? " " : "",
					h->notices[i].kind, h->notices[i].to);
}

/* The hold record of row r, checked field by field against g. */
static void check_hold(const struct row *r, const struct gate_result *g,
		       const struct hold_record *h)
{
	assert_str_eq_msg(r->name, h->ref, r->ref);
	assert_str_eq_msg(r->name, h->queue_id, "QID1");
	assert_str_eq_msg(r->name, h->sender, r->sender);
	assert_str_eq_msg(r->name, h->sender_auth, "aperson");
	assert_str_eq_msg(r->name, h->sender_canonical, r->canonical);
	assert_str_eq_msg(r->name, h->subject, "addresses of the week");
	assert_str_eq_msg(r->name, h->registry_digest, "d1g");
	assert_int_eq_msg(r->name, h->received, RECEIVED);
	assert_int_eq_msg(r->name, h->decided_on, date_from_time(RECEIVED));
	assert_int_eq_msg(r->name, h->categories, gate_categories(g));
	assert_int_eq_msg(r->name, h->tlp, gate_tlp(g));
	assert_int_eq_msg(r->name, h->fd, -1);
	assert_true(h->data == r->message && h->len == strlen(r->message));
	assert_int_eq_msg(r->name, h->nrcpts, r->nheld);
	assert_int_eq_msg(r->name, h->ndelivered, r->ndelivered);
	for (size_t i = 0; i < h->nrcpts; i++)
		if (h->rcpts[i].recipient == NULL || h->rcpts[i].explanation == NULL)
			fail_msg("%s: held recipient %zu incomplete", r->name, i);
	/* the summary never names an address; the findings do (for the jurist) */
	if (h->summary_json == NULL || strstr(h->summary_json, "194.7.") != NULL)
		fail_msg("%s: summary: %s", r->name, h->summary_json ? h->summary_json : "none");
	if (h->findings_json == NULL || strstr(h->findings_json, "194.7.1.10") == NULL)
		fail_msg("%s: findings: %s", r->name, h->findings_json ? h->findings_json : "none");
	if ((h->retry_key != NULL) != r->retry_key || (h->message_key != NULL) != r->retry_key)
		fail_msg("%s: retry key: got %s, want %s", r->name, h->retry_key ? "one" : "none",
			 r->retry_key ? "one" : "none");
	if (r->retry_key && (strlen(h->retry_key) != HOLDKEY_HEX - 1 ||
			     strcmp(h->retry_key, h->message_key) == 0))
		fail_msg("%s: keys %s / %s", r->name, h->retry_key, h->message_key);
	assert_int_eq_msg(r->name, h->retry_window, r->retry_key ? 14 * 86400 : 0);
	/* one text per kind, naming the reference, never an address found */
	for (size_t i = 0; i < h->nnotices; i++) {
		const char *m = h->notices[i].message;
		const char *want = strcmp(h->notices[i].kind, "hold") == 0
					   ? "Your message was held: " REF
					   : "Held for review: " REF;
		if (m == NULL || strstr(m, want) == NULL || strstr(m, "194.7.") != NULL)
			fail_msg("%s: notice %zu: %.300s", r->name, i, m ? m : "(none)");
		if (i > 0 && strcmp(h->notices[i].kind, h->notices[i - 1].kind) == 0 &&
		    m != h->notices[i - 1].message)
			fail_msg("%s: the jurists got different texts", r->name);
	}
}

/* The record of one row, into a store of its own: what was queued in it
 * is in the outbox, all in one transaction. */
static void check_stored(const struct row *r, const struct holdrec *rec, size_t i)
{
	char path[200], err[256], ref[STORE_REF_MAX];
	fixture_databasef(path, sizeof path, dir, "row%zu.db", i);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("%s: store: %s", r->name, err);
	const struct hold_record *h = holdrec_record(rec);
	int rc = holdrec_held(rec) ? store_hold_put(s, h, ref, err, sizeof err)
				   : store_shares_put(s, h->shares, h->nshares, err, sizeof err);
	if (rc != 0)
		fail_msg("%s: stored: %d %s", r->name, rc, err);
	assert_int_eq_msg(r->name, store_hold_count(s), holdrec_held(rec) ? 1 : 0);
	assert_int_eq_msg(r->name, store_notice_count(s, "queued"), h->nnotices);
	if (holdrec_held(rec))
		assert_str_eq_msg(r->name, ref, r->ref);
	store_close(s);
}

static void test_record_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		struct prepared p;
		prepare(r, &p);
		const struct gate_result *g = p.g;
		char err[256] = "";
		struct holdrec *rec = notice_hold_record(g, &p.facts, &p.setup, err, sizeof err);
		if (r->err != NULL) {
			if (rec != NULL || strstr(err, r->err) == NULL)
				fail_msg("%s: got %s (%s), want an error with \"%s\"", r->name,
					 rec ? "a record" : "an error", err, r->err);
		} else {
			if (rec == NULL)
				fail_msg("%s: no record: %s", r->name, err);
			const struct hold_record *h = holdrec_record(rec);
			assert_int_eq_msg(r->name, holdrec_held(rec), r->held);
			assert_int_eq_msg(r->name, h->nshares, r->nshares);
			for (size_t k = 0; k < h->nshares; k++) {
				assert_str_eq_msg(r->name, h->shares[k].recipient,
						  gate_share(g, k)->recipient);
				assert_null(h->shares[k].encrypted_for);	/* plaintext */
			}
			/* the copy left encrypted: every share record says so */
			if (h->nshares > 0) {
				struct hold_facts ef = p.facts;
				ef.encrypted_for = "cert-be";
				ef.key_fprs = "0123456789ABCDEF0123456789ABCDEF01234567";
				struct holdrec *er = holdrec_new(g, &ef, err, sizeof err);
				assert_non_null(er);
				const struct hold_record *eh = holdrec_record(er);
				assert_int_eq_msg(r->name, eh->nshares, h->nshares);
				for (size_t k = 0; k < eh->nshares; k++) {
					assert_str_eq_msg(r->name, eh->shares[k].encrypted_for, "cert-be");
					assert_str_eq_msg(r->name, eh->shares[k].key_fprs, ef.key_fprs);
				}
				holdrec_free(er);
			}
			char got[512];
			notices_text(h, got, sizeof got);
			assert_str_eq_msg(r->name, got, r->notices);
			if (r->held)
				check_hold(r, g, h);
			else if (h->ref != NULL || h->nrcpts != 0 || h->summary_json != NULL)
				fail_msg("%s: shares only, but a hold was filled in", r->name);
			check_stored(r, rec, i);
		}
		holdrec_free(rec);
		prepared_free(&p);
	}
}

/* The record without notices (holdrec_new()) is the same record; the
 * notice API refuses what is no hold. */
static void test_record_core(void **state)
{
	(void)state;
	const struct row *r = &rows[0];
	size_t n = count(r->rcpts, 4);
	struct findings *f = fixture_findings(r->message, "BE");
	struct gate_result *g = decide(f, r->sender, r->rcpts, n, r->mode);
	struct hold_facts facts = facts_of(r, r->rcpts, n);
	char err[256] = "";
	struct holdrec *rec = holdrec_new(g, &facts, err, sizeof err);
	assert_non_null(rec);
	assert_true(holdrec_held(rec));
	assert_int_eq_msg("no notices yet", holdrec_record(rec)->nnotices, 0);
	const char *to[] = {"x@ncsc.nl"};
	assert_int_eq_msg("NULL text", holdrec_notice(rec, "hold", to, 1, NULL), -1);
	char *text = malloc(8);
	assert_non_null(text);
	strcpy(text, "t");
	assert_int_eq_msg("a notice", holdrec_notice(rec, "hold", to, 1, text), 0);
	assert_str_eq_msg("its address is a copy", holdrec_record(rec)->notices[0].to, "x@ncsc.nl");
	assert_true(holdrec_record(rec)->notices[0].to != to[0]);
	if (strstr(holdrec_record(rec)->summary_json, "\"seal\"") != NULL)
		fail_msg("no verdict to leave it: %s", holdrec_record(rec)->summary_json);
	holdrec_free(rec);
	/* the milter leaves it as it is (encrypted, nothing readable): said in
	 * the summary for the release, the summary still one JSON object */
	facts.sealed_as_is = true;
	rec = holdrec_new(g, &facts, err, sizeof err);
	assert_non_null(rec);
	const char *sj = holdrec_record(rec)->summary_json;
	size_t sl = strlen(sj);
	if (strstr(sj, ",\"seal\":\"as-is\"}") != sj + sl - 16 || sj[0] != '{' ||
	    strstr(sj, "\"categories\"") == NULL)
		fail_msg("the as-is verdict: %s", sj);
	holdrec_free(rec);
	facts.sealed_as_is = false;
	gate_free(g);

	/* shares only: a notice has no hold to go with */
	const struct row *sim = &rows[2];
	g = decide(f, sim->sender, sim->rcpts, 2, GATE_SIMULATE);
	facts = facts_of(sim, sim->rcpts, 2);
	rec = holdrec_new(g, &facts, err, sizeof err);
	assert_non_null(rec);
	text = malloc(8);
	assert_non_null(text);
	strcpy(text, "t");
	assert_int_eq_msg("no hold", holdrec_notice(rec, "hold", to, 1, text), -1);
	holdrec_free(rec);
	gate_free(g);
	findings_free(f);

	/* a tempfail (no findings) is no decision to record */
	g = decide(NULL, sim->sender, sim->rcpts, 2, GATE_ENFORCE);
	assert_int_eq_msg("tempfail", gate_action(g), GATE_TEMPFAIL);
	err[0] = '\0';
	assert_null(holdrec_new(g, &facts, err, sizeof err));
	if (strstr(err, "no decision") == NULL)
		fail_msg("tempfail: got \"%s\"", err);
	gate_free(g);
}

/* Out of memory at every allocation of the core, in turn: no record and a
 * reason, until there are no more allocations to fail and the record is
 * whole. */
static void test_record_out_of_memory(void **state)
{
	(void)state;
#ifdef FAILING_ALLOC
	static const size_t which[] = {0, 2, 6};	/* partial, simulate, null sender */
	for (size_t w = 0; w < ARRAY_LEN(which); w++) {
		const struct row *r = &rows[which[w]];
		struct prepared p;
		prepare(r, &p);
		unsigned k;
		for (k = 1; k < 10000; k++) {
			char err[256] = "";
			fail_at = k;
			allocs = 0;
			failed = false;
			struct holdrec *rec =
				notice_hold_record(p.g, &p.facts, &p.setup, err, sizeof err);
			fail_at = 0;
			if (!failed) {
				/* every allocation got through: the whole record */
				if (rec == NULL)
					fail_msg("%s: no record without a failure: %s", r->name, err);
				char got[512];
				notices_text(holdrec_record(rec), got, sizeof got);
				assert_str_eq_msg(r->name, got, r->notices);
				holdrec_free(rec);
				break;
			}
			if (rec != NULL)
				fail_msg("%s: allocation %u failed, yet a record came back", r->name,
					 k);
			if (err[0] == '\0')
				fail_msg("%s: allocation %u failed without a reason", r->name, k);
		}
		if (k < 3)
			fail_msg("%s: only %u allocations of the core's own", r->name, k - 1);
		prepared_free(&p);
	}
#endif
}

/* The sender's notice names the console only to who can sign in: a
 * Sender line owning the hold by the rule of the control socket (the
 * SMTP AUTH login "aperson" decides; the envelope only without one). */
static void test_record_console_link(void **state)
{
	(void)state;
	static const struct {
		const char *name, *conf, *auth;
		bool link;
	} cases[] = {
		{"no Sender lines", "", "aperson", false},
		{"a Sender with the SASL login", "Sender pat pat@example.org sasl:aperson\n",
		 "aperson", true},
		{"a Sender whose login it is", "Sender aperson pat@example.org\n", "aperson", true},
		{"the envelope's Sender, another login", "Sender pat a.person@ncsc.nl\n", "aperson",
		 false},
		{"the envelope's Sender, no SMTP AUTH", "Sender pat a.person@ncsc.nl\n", "", true},
		{"another Sender, no SMTP AUTH", "Sender pat pat@ncsc.nl\n", "", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char path[256], err[256] = "";
		snprintf(path, sizeof path, "%s/link%zu.conf", dir, i);
		FILE *fp = fopen(path, "w");
		assert_non_null(fp);
		fputs(cases[i].conf, fp);
		fclose(fp);
		struct config *c = config_load(path, err, sizeof err);
		if (c == NULL)
			fail_msg("%s: %s", cases[i].name, err);
		struct prepared p;
		prepare(&rows[1], &p);	/* a full hold of <a.person@ncsc.nl> */
		p.facts.sender_auth = cases[i].auth;
		p.setup.console_url = "https://console.ncsc.nl";
		p.setup.senders = c;
		struct holdrec *rec = notice_hold_record(p.g, &p.facts, &p.setup, err, sizeof err);
		if (rec == NULL)
			fail_msg("%s: no record: %s", cases[i].name, err);
		const struct hold_record *h = holdrec_record(rec);
		const char *text = NULL;
		for (size_t k = 0; k < h->nnotices; k++)
			if (strcmp(h->notices[k].kind, "hold") == 0)
				text = h->notices[k].message;
		if (text == NULL)
			fail_msg("%s: no sender's notice", cases[i].name);
		if ((strstr(text, "https://console.ncsc.nl/hold/") != NULL) != cases[i].link)
			fail_msg("%s: link %s, want %s", cases[i].name, cases[i].link ? "missing" : "given",
				 cases[i].link ? "one" : "none");
		holdrec_free(rec);
		prepared_free(&p);
		config_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_table),
		cmocka_unit_test(test_record_core),
		cmocka_unit_test(test_record_out_of_memory),
		cmocka_unit_test(test_record_console_link),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
