/*
 * test_store_report.c - the store's bulk reader for reports and
 * statistics (store_report.h) on small stores built here through the
 * store API: the half-open period of each scan, the rows as plain structs
 * (absent values, the decision time of released and denied holds), the
 * recipients of one hold together, a callback that stops a scan, the
 * totals, a share's own regime when the schema has one, and the error
 * paths (no file, not a store, a store without a column a report reads,
 * a report transaction on a writable store).
 */
#include "testutil.h"
#include "fixture_dir.h"
#include "fixture_store.h"


#include "grondslag/decide/holdstate.h"
#include "grondslag/scan/findings.h"
#include "grondslag/store/store.h"
#include "grondslag/store/store_report.h"

#define T0 1767225600	/* 2026-01-01T00:00:00Z */

static char path[512];

static int setup(void **state)
{
	(void)state;
	if (fixture_dir_make("store-report") != 0)
		return -1;
	/* a store of its own per test, on this run's backend */
	static int n;
	char name[32];
	snprintf(name, sizeof name, "s%d.db", n++);
	fixture_database(path, sizeof path, dir, name);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* Put a hold received at when with the given recipients. */
static void put(struct store *s, time_t when, const char *sender, const struct hold_rcpt *r,
		size_t n, char ref[STORE_REF_MAX])
{
	char err[256];
	struct hold_record h = {.queue_id = "Q", .sender = sender, .subject = "s",
			       .received = when, .categories = CAT_PERSONAL_DATA | CAT_INCIDENT,
			       .registry_digest = "0", .data = "x", .len = 1, .fd = -1,
			       .rcpts = r, .nrcpts = n};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("hold: %s", err);
}

static void decide(struct store *s, const char *ref, enum hold_event ev, time_t t)
{
	static const struct store_actor j = {"jan", 1000, "jurist", NULL};
	struct store_decision d = {.event = ev, .actor = &j, .reason = "why", .basis = "b1",
				   .now = t, .required = 1};
	struct store_decision_result res;
	char err[256];
	if (store_hold_decide(s, ref, &d, &res, err, sizeof err) != 0)
		fail_msg("decide: %s %s", res.reason, err);
}

static void exec_sql(const char *sql)
{
	fixture_exec(path, sql);
}

/* What a callback saw. */
struct seen {
	size_t n, stop_after;		/* stop_after 0: never stop */
	char text[16][96];
};

static int hold_cb(void *arg, const struct store_report_hold *h)
{
	struct seen *v = arg;
	if (v->n < 16)
		snprintf(v->text[v->n], sizeof v->text[0], "%lld %s %u %.*s %d %lld",
			 (long long)(h->received - T0), h->state ? h->state : "(null)",
			 h->categories, (int)h->sender_len, h->sender, h->decided,
			 h->decided ? (long long)(h->decided_at - h->received) : -1LL);
	v->n++;
	return v->stop_after != 0 && v->n >= v->stop_after;
}

static int rcpt_cb(void *arg, const struct store_report_rcpt *r)
{
	struct seen *v = arg;
	static int64_t first_hold;
	if (v->n == 0)
		first_hold = r->hold;
	if (v->n < 16)
		snprintf(v->text[v->n], sizeof v->text[0], "%s %lld %s %s %.*s",
			 r->hold == first_hold ? "h1" : "h2", (long long)(r->received - T0),
			 r->party ? r->party : "(null)", r->recipient ? r->recipient : "(null)",
			 (int)r->reasons_len, r->reasons);
	v->n++;
	return v->stop_after != 0 && v->n >= v->stop_after;
}

static int share_cb(void *arg, const struct store_report_share *sh)
{
	struct seen *v = arg;
	if (v->n < 16)
		snprintf(v->text[v->n], sizeof v->text[0], "%lld [%.*s] [%.*s] [%.*s] [%.*s] %d %u %d %llu",
			 (long long)(sh->shared_at - T0), (int)sh->party_len, sh->party,
			 (int)sh->bases_len, sh->bases, (int)sh->articles_len, sh->articles,
			 (int)sh->regime_len, sh->regime, sh->simulated, sh->categories, sh->tlp,
			 (unsigned long long)sh->public_addresses);
	v->n++;
	return v->stop_after != 0 && v->n >= v->stop_after;
}

/* A store with three holds around the period [T0 + 10, T0 + 100) and
 * three shares around it. */
static void fill(void)
{
	char err[256], ref[STORE_REF_MAX];
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("open: %s", err);
	struct hold_rcpt two[] = {{"<a@cert.example>", "cert-x", "no-basis,foreign", "x"},
				  {"<B@Unknown.Example>", NULL, "unknown-party", "y"}};
	struct hold_rcpt one[] = {{"<c@cert.example>", "cert-x", "", "z"}};
	put(s, T0 + 9, "<early@x.example>", one, 1, ref);	/* before */
	put(s, T0 + 10, "<First@X.example>", two, 2, ref);	/* first second in */
	decide(s, ref, HEV_DENY, T0 + 70);
	put(s, T0 + 99, "", one, 1, ref);			/* last second in */
	put(s, T0 + 100, "<late@x.example>", one, 1, ref);	/* after */
	struct hold_share sh[] = {
		{.recipient = "<a@b>", .party = "cert-x", .bases = "wbni-1", .articles = "art 3",
		 .categories = CAT_INCIDENT, .tlp = 2, .public_addresses = 7, .when = T0 + 10},
		{.recipient = "<own@us>", .party = NULL, .bases = "", .articles = "",
		 .simulated = true, .when = T0 + 50},
		{.recipient = "<a@b>", .party = "cert-x", .bases = "wbni-1", .when = T0 + 100},
	};
	if (store_shares_put(s, sh, ARRAY_LEN(sh), err, sizeof err) != 0)
		fail_msg("shares: %s", err);
	store_close(s);
}

static struct store *open_report(void)
{
	char err[256];
	int schema = 0;
	struct store *s = store_open_report(path, &schema, err, sizeof err);
	if (s == NULL)
		fail_msg("open_report: %s", err);
	assert_int_equal(schema, STORE_SCHEMA_VERSION);
	assert_int_equal(store_report_begin(s, err, sizeof err), 0);
	return s;
}

static void expect_rows(const char *what, const struct seen *v, const char *const *want,
			size_t n)
{
	assert_int_eq_msg(what, v->n, n);
	for (size_t i = 0; i < n; i++)
		assert_str_eq_msg(what, v->text[i], want[i]);
}

static void test_scans(void **state)
{
	(void)state;
	fill();
	struct store *s = open_report();
	char err[256];
	struct seen v = {0};
	assert_int_equal(store_report_holds(s, T0 + 10, T0 + 100, hold_cb, &v, err, sizeof err), 0);
	/* categories 10: personal data | incident; the denial after 60 s */
	assert_int_equal(CAT_PERSONAL_DATA | CAT_INCIDENT, 10);
	static const char *const holds[] = {"10 denied 10 <First@X.example> 1 60",
					    "99 pending 10  0 -1"};
	expect_rows("holds", &v, holds, ARRAY_LEN(holds));

	memset(&v, 0, sizeof v);
	assert_int_equal(
		store_report_recipients(s, T0 + 10, T0 + 100, rcpt_cb, &v, err, sizeof err), 0);
	/* the recipient only for an unknown party; the two of one hold together */
	static const char *const rcpts[] = {"h1 10 cert-x (null) no-basis,foreign",
					    "h1 10 (null) <B@Unknown.Example> unknown-party",
					    "h2 99 cert-x (null) "};
	expect_rows("recipients", &v, rcpts, ARRAY_LEN(rcpts));

	memset(&v, 0, sizeof v);
	assert_int_equal(store_report_shares(s, T0 + 10, T0 + 100, share_cb, &v, err, sizeof err),
			 0);
	assert_int_equal(CAT_INCIDENT, 2);
	static const char *const shares[] = {"10 [cert-x] [wbni-1] [art 3] [] 0 2 2 7",
					     "50 [] [] [] [] 1 0 0 0"};
	expect_rows("shares", &v, shares, ARRAY_LEN(shares));

	/* an empty period */
	memset(&v, 0, sizeof v);
	assert_int_equal(store_report_holds(s, T0 + 11, T0 + 99, hold_cb, &v, err, sizeof err), 0);
	assert_int_equal(v.n, 0);
	store_report_end(s);
	store_close(s);
}

static void test_stop(void **state)
{
	(void)state;
	fill();
	struct store *s = open_report();
	char err[256];
	static const struct {
		const char *name;
		int which;
	} rows[] = {{"holds", 0}, {"recipients", 1}, {"shares", 2}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct seen v = {.stop_after = 1};
		int rc = rows[i].which == 0 ? store_report_holds(s, 0, T0 + 1000, hold_cb, &v, err,
								 sizeof err)
			 : rows[i].which == 1
				 ? store_report_recipients(s, 0, T0 + 1000, rcpt_cb, &v, err,
							   sizeof err)
				 : store_report_shares(s, 0, T0 + 1000, share_cb, &v, err, sizeof err);
		assert_int_eq_msg(rows[i].name, rc, 1);
		assert_int_eq_msg(rows[i].name, v.n, 1);
	}
	store_report_end(s);
	store_close(s);
}

static void test_totals(void **state)
{
	(void)state;
	fill();
	char err[256];
	struct store *w = store_open(path, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(store_notice_put(w, "hold", "", "<s@x>", "m", err, sizeof err), 0);
	store_close(w);
	struct store *s = open_report();
	struct store_totals t;
	assert_int_equal(store_report_totals(s, &t, err, sizeof err), 0);
	store_report_end(s);
	store_close(s);
	static const struct {
		const char *name;
		long long got, want;
	} rows[] = {
		{"holds", 0, 4},	   {"pending", 0, 3},	 {"denied", 0, 1},
		{"held recipients", 0, 5}, {"shares", 0, 2},	 {"simulated", 0, 1},
		{"addresses", 0, 7},	   {"queued", 0, 1},	 {"sent", 0, 0},
		{"last hold", 0, 100},	   {"last share", 0, 100},
	};
	long long got[] = {(long long)t.holds,
			   (long long)t.holds_by_state[HOLD_PENDING],
			   (long long)t.holds_by_state[HOLD_DENIED],
			   (long long)t.held_recipients,
			   (long long)t.shares,
			   (long long)t.shares_simulated,
			   (long long)t.public_addresses,
			   (long long)t.notices_queued,
			   (long long)t.notices_sent,
			   (long long)(t.last_hold - T0),
			   (long long)(t.last_share - T0)};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		assert_int_eq_msg(rows[i].name, got[i], rows[i].want);
}

/* A share's own regime is read when the schema has the column. */
static void test_regime_column(void **state)
{
	(void)state;
	fill();
	exec_sql("ALTER TABLE shares ADD COLUMN regime TEXT;"
		 "UPDATE shares SET regime = 'cbw' WHERE party = 'cert-x'");
	struct store *s = open_report();
	char err[256];
	struct seen v = {0};
	assert_int_equal(store_report_shares(s, T0 + 10, T0 + 11, share_cb, &v, err, sizeof err),
			 0);
	static const char *const shares[] = {"10 [cert-x] [wbni-1] [art 3] [cbw] 0 2 2 7"};
	expect_rows("regime", &v, shares, ARRAY_LEN(shares));
	store_report_end(s);
	store_close(s);
}

/* The SQLite file's errors: none, not a database, not ours. */
static void file_errors(void)
{
	char err[512], p[160];
	int schema = -1;
	/* no file */
	assert_null(store_open_report(path, &schema, err, sizeof err));
	if (strstr(err, path) == NULL || strstr(err, "No such file") == NULL)
		fail_msg("missing: got \"%s\"", err);
	/* not a database */
	snprintf(p, sizeof p, "%s/text.db", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database\n", f);
	fclose(f);
	assert_null(store_open_report(p, &schema, err, sizeof err));
	if (strncmp(err, p, strlen(p)) != 0)
		fail_msg("not a database: got \"%s\"", err);
	/* an SQLite database that is not ours */
	unlink(p);
	fixture_exec(p, "CREATE TABLE t(x)");
	assert_null(store_open_report(p, &schema, err, sizeof err));
	char want[256];
	snprintf(want, sizeof want, "%s: not a grondslag store", p);
	assert_str_eq_msg("foreign", err, want);
}

static void test_errors(void **state)
{
	(void)state;
	char err[512], want[600];
	int schema = -1;
	if (fixture_pg() == NULL)
		file_errors();
	/* a report transaction on a store that has writers */
	fill();
	struct store *w = store_open(path, err, sizeof err);
	assert_non_null(w);
	assert_int_equal(store_report_begin(w, err, sizeof err), -1);
	assert_str_eq_msg("writable", err, "not a read-only store");
	store_close(w);
	/* a store without a column a report reads */
	exec_sql("ALTER TABLE shares RENAME COLUMN bases TO basis_ids");
	assert_null(store_open_report(path, &schema, err, sizeof err));
	snprintf(want, sizeof want, "%s: store has no shares.bases (schema %d)", path,
		 STORE_SCHEMA_VERSION);
	assert_str_eq_msg("column", err, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regime_column, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
