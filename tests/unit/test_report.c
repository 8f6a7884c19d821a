/*
 * test_report.c - the report module (report.h) on small stores built here
 * through the store API: the period and its buckets (ISO weeks across a
 * year end, months beyond REPORT_WEEKS_MAX_DAYS), the outcome and
 * decision-time counting, the error paths (no file, not a store, bad
 * periods), reading while the daemon has the store open (WAL), the
 * format names, and the Prometheus counters.  The outputs themselves are
 * golden-tested in tests/golden/t-report.sh.
 */
#include "testutil.h"
#include "fixture_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "grondslag/decide/holdstate.h"
#include "grondslag/report/report.h"
#include "grondslag/store/store.h"

#define DAY 86400

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_report.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/s.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char p[160];
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < ARRAY_LEN(sfx); i++) {
		snprintf(p, sizeof p, "%s%s", path, sfx[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/text.db", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static time_t day(int y, unsigned m, unsigned d)
{
	return (time_t)date_from_ymd(y, m, d) * DAY;
}

/* Put one hold with one recipient; returns its reference. */
static void put(struct store *s, time_t when, const char *sender, const char *party,
		char ref[STORE_REF_MAX])
{
	char err[256];
	struct hold_rcpt r = {"<a@b.example>", party, "no-basis", "x"};
	struct hold_record h = {.queue_id = "Q", .sender = sender, .subject = "s",
			       .received = when, .categories = CAT_PROVIDER_TRACEABLE,
			       .registry_digest = "0", .data = "x", .len = 1, .fd = -1,
			       .rcpts = &r, .nrcpts = 1};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		fail_msg("hold: %s", err);
}

/* Deny ref at time t. */
static void deny(struct store *s, const char *ref, time_t t)
{
	static const struct store_actor j = {"jan", 1000, "jurist", NULL};
	struct store_decision d = {.event = HEV_DENY, .actor = &j, .reason = "no", .now = t,
				   .required = 1};
	struct store_decision_result res;
	char err[256];
	if (store_hold_decide(s, ref, &d, &res, err, sizeof err) != 0)
		fail_msg("deny: %s %s", res.reason, err);
}

static struct report *build(time_t since, time_t until, char *err, size_t errlen)
{
	struct report_options o = {.since = since, .until = until, .now = until, .top = 10,
				   .repeat_sender = 2, .repeat_party = 2};
	return report_build(path, &o, err, errlen);
}

/* Write a report as JSON into a string (the model is opaque). */
static char *json_of(const struct report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_write_json(r, f), 0);
	fclose(f);
	return buf;
}

static void test_format_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		enum report_format want;
	} rows[] = {
		{"text", true, REPORT_TEXT}, {"csv", true, REPORT_CSV}, {"json", true, REPORT_JSON},
		{"html", true, REPORT_HTML}, {"HTML", false, REPORT_TEXT}, {"", false, REPORT_TEXT},
		{"pdf", false, REPORT_TEXT},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		enum report_format f = REPORT_TEXT;
		bool ok = report_format_parse(rows[i].in, &f);
		assert_int_eq_msg(rows[i].in, ok, rows[i].ok);
		if (ok)
			assert_int_eq_msg(rows[i].in, f, rows[i].want);
	}
}

static void test_errors(void **state)
{
	(void)state;
	char err[512], p[160];
	struct report *r;
	/* no file */
	r = build(day(2026, 1, 1), day(2026, 2, 1), err, sizeof err);
	assert_null(r);
	if (strstr(err, "No such file") == NULL)
		fail_msg("missing store: got \"%s\", want \"No such file\"", err);
	/* not a database */
	snprintf(p, sizeof p, "%s/text.db", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("this is not a database\n", f);
	fclose(f);
	struct report_options o = {.since = 0, .until = DAY, .top = 1};
	r = report_build(p, &o, err, sizeof err);
	assert_null(r);
	if (strstr(err, "not a database") == NULL)
		fail_msg("text file: got \"%s\", want \"not a database\"", err);
	/* bad periods, refused before the file is opened */
	static const struct {
		const char *name;
		time_t since, until;
	} bad[] = {
		{"empty", DAY, DAY},
		{"reversed", 2 * DAY, DAY},
		{"before 1970", -DAY, DAY},
		{"too long", 0, (time_t)(REPORT_MAX_PERIOD_DAYS + 2) * DAY},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		r = build(bad[i].since, bad[i].until, err, sizeof err);
		if (r != NULL || strstr(err, "period") == NULL)
			fail_msg("%s: got %p \"%s\", want NULL and \"period\"", bad[i].name, (void *)r,
				 err);
	}
}

/* ISO weeks across a year end (2020 has 53 weeks), zero weeks kept. */
static void test_weeks(void **state)
{
	(void)state;
	char err[512], ref[STORE_REF_MAX];
	struct store *s = fixture_store_open(path, err, sizeof err);
	assert_non_null(s);
	put(s, day(2020, 12, 28) + 3600, "<A@x.example>", "p1", ref);
	put(s, day(2021, 1, 10) + 3600, "a@x.example", "p1", ref);
	store_close(s);
	struct report *r = build(day(2020, 12, 28), day(2021, 1, 18), err, sizeof err);
	assert_non_null(r);
	char *j = json_of(r);
	static const char *const want[] = {
		"\"series\": \"week\"",
		"\"period\": \"2020-W53\",\n      \"start\": \"2020-12-28\",\n      \"holds\": 1",
		"\"period\": \"2021-W01\",\n      \"start\": \"2021-01-04\",\n      \"holds\": 1",
		"\"period\": \"2021-W02\",\n      \"start\": \"2021-01-11\",\n      \"holds\": 0",
		/* the sender is counted without brackets and case */
		"\"sender\": \"a@x.example\",\n        \"holds\": 2",
		"\"party\": \"p1\"",
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		if (strstr(j, want[i]) == NULL)
			fail_msg("weeks: want \"%s\" in:\n%s", want[i], j);
	free(j);
	report_free(r);
}

/* Beyond REPORT_WEEKS_MAX_DAYS the series is by month. */
static void test_months(void **state)
{
	(void)state;
	char err[512], ref[STORE_REF_MAX];
	struct store *s = fixture_store_open(path, err, sizeof err);
	assert_non_null(s);
	put(s, day(2025, 1, 31) + 10, "a@x.example", NULL, ref);
	put(s, day(2025, 3, 1), "a@x.example", NULL, ref);
	store_close(s);
	struct report *r = build(day(2025, 1, 15), day(2025, 12, 1), err, sizeof err);
	assert_non_null(r);
	char *j = json_of(r);
	static const char *const want[] = {
		"\"series\": \"month\"",
		"\"period\": \"2025-01\",\n      \"start\": \"2025-01-01\",\n      \"holds\": 1",
		"\"period\": \"2025-02\",\n      \"start\": \"2025-02-01\",\n      \"holds\": 0",
		"\"period\": \"2025-03\",\n      \"start\": \"2025-03-01\",\n      \"holds\": 1",
		"\"period\": \"2025-11\"",
		"\"domain\": \"b.example\"",
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		if (strstr(j, want[i]) == NULL)
			fail_msg("months: want \"%s\" in:\n%s", want[i], j);
	if (strstr(j, "\"2025-12\"") != NULL)
		fail_msg("months: got a bucket 2025-12, want none (until is exclusive)");
	free(j);
	report_free(r);
}

/* Outcomes, and median/p90 by nearest rank over released or denied. */
static void test_decisions(void **state)
{
	(void)state;
	char err[512], ref[STORE_REF_MAX];
	struct store *s = fixture_store_open(path, err, sizeof err);
	assert_non_null(s);
	time_t t0 = day(2026, 3, 2);
	static const long after[] = {60, 600, 3600, 7200, 86400};
	for (size_t i = 0; i < ARRAY_LEN(after); i++) {
		put(s, t0 + (time_t)i, "a@x.example", "p", ref);
		deny(s, ref, t0 + (time_t)i + after[i]);
	}
	put(s, t0 + 100, "b@x.example", "p", ref);	/* pending */
	/* the daemon keeps the store open: the report reads through the WAL */
	struct report *r = build(t0, t0 + 7 * DAY, err, sizeof err);
	assert_non_null(r);
	char *j = json_of(r);
	static const char *const want[] = {
		"\"denied\": 5", "\"pending\": 1", "\"decided\": 5",
		"\"median\": 3600", "\"p90\": 86400",
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		if (strstr(j, want[i]) == NULL)
			fail_msg("decisions: want \"%s\" in:\n%s", want[i], j);
	free(j);
	report_free(r);

	struct report_stats st;
	assert_int_equal(report_stats_read(path, &st, err, sizeof err), 0);
	assert_int_eq_msg("stats holds", st.holds, 6);
	assert_int_eq_msg("stats denied", st.holds_by_state[4], 5);
	assert_int_eq_msg("stats pending", st.holds_by_state[0], 1);
	store_close(s);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(report_stats_write_prometheus(&st, 1234, f), 0);
	fclose(f);
	static const char *const prom[] = {
		"# TYPE grondslag_holds_total counter\ngrondslag_holds_total 6\n",
		"grondslag_holds{state=\"denied\"} 5\n", "grondslag_denials_total 5\n",
		"grondslag_stats_generated_seconds 1234\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(prom); i++)
		if (strstr(buf, prom[i]) == NULL)
			fail_msg("prometheus: want \"%s\" in:\n%s", prom[i], buf);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weeks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_months, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
