/*
 * report-bench.c - how long a report over a big record takes (not part of
 * make check: a timing; a report over 1,000,000 records should take
 * under 10 seconds, so that an auditor's report never needs a batch job).
 *
 *   report-bench DB [HOLDS]      (DB must not exist; HOLDS 1000000)
 *
 * Filling: the store API makes the schema and one template hold
 * (store_hold_put) and writes the shares (store_shares_put, 100,000 per
 * transaction).  Holds and their recipients go the documented bulk path:
 * one transaction of INSERT ... SELECT over a generated series that
 * copies the template row column by column (the column list is read from
 * the store, so the copy follows the store's schema) and sets only the
 * reference, times, sender, state, party and reasons.  One hold in four
 * has a second recipient.  Then report_build() over the whole period and
 * every output format (to /dev/null) are timed.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "grondslag/report/report.h"
#include "grondslag/store/store.h"

#define DAY 86400
#define SPREAD 63	/* seconds between holds: 1M holds span two years */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "report-bench: %s: %s\n", what, why);
	exit(1);
}

/* "col1, col2, ..." of table and the same list with overrides: each
 * override is "name=expr".  The template table is t. */
static void column_lists(sqlite3 *db, const char *table, const char *const *over, char *cols,
			 char *exprs, size_t size)
{
	sqlite3_stmt *st;
	char sql[128];
	snprintf(sql, sizeof sql, "SELECT name FROM pragma_table_info('%s')", table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("table_info", sqlite3_errmsg(db));
	cols[0] = exprs[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(c, "id") == 0)
			continue;	/* INTEGER PRIMARY KEY: new rowid */
		const char *e = NULL;
		for (size_t i = 0; over[i] != NULL; i++) {
			size_t n = strcspn(over[i], "=");
			if (strlen(c) == n && strncmp(over[i], c, n) == 0)
				e = over[i] + n + 1;
		}
		size_t cl = strlen(cols), el = strlen(exprs);
		snprintf(cols + cl, size - cl, "%s%s", cl ? ", " : "", c);
		if (e != NULL)
			snprintf(exprs + el, size - el, "%s%s", el ? ", " : "", e);
		else
			snprintf(exprs + el, size - el, "%st.%s", el ? ", " : "", c);
	}
	sqlite3_finalize(st);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		die(sql, msg ? msg : "?");
}

/* The bulk copy of the template hold into n holds and their recipients. */
static void fill_holds(const char *path, const char *ref, long n, time_t base)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(path, sqlite3_errmsg(db));
	exec(db, "PRAGMA synchronous = OFF");
	char cols[4096], exprs[8192], sql[16384], v[256];
	exec(db, "BEGIN");
	snprintf(sql, sizeof sql,
		 "CREATE TEMP TABLE th AS SELECT * FROM holds WHERE ref = '%s';"
		 "CREATE TEMP TABLE tr AS SELECT * FROM hold_recipients WHERE ref = '%s';"
		 "CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);"
		 "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < %ld)"
		 " INSERT INTO n SELECT i FROM s;",
		 ref, ref, n - 1);
	exec(db, sql);
	snprintf(v, sizeof v, "received=%lld + n.i * %d", (long long)base, SPREAD);
	const char *hold_over[] = {
		"ref=printf('B%09d', n.i)",
		v,
		"sender=printf('<user%d@ncsc.nl>', (n.i * 7919) % 5000)",
		"categories=1 + (n.i % 3) * 2",
		"state=CASE n.i % 10 WHEN 0 THEN 'released' WHEN 1 THEN 'denied' WHEN 2 THEN"
		" 'expired' WHEN 3 THEN 'partly-approved' ELSE 'pending' END",
		"decided_at=CASE WHEN n.i % 10 < 3 THEN " /* + received below */ "NULL END",
		NULL,
	};
	char dec[256];
	snprintf(dec, sizeof dec,
		 "decided_at=CASE WHEN n.i %% 10 < 3 THEN %lld + n.i * %d + (n.i * 37) %% 259200"
		 " END",
		 (long long)base, SPREAD);
	hold_over[5] = dec;
	column_lists(db, "holds", hold_over, cols, exprs, sizeof cols);
	snprintf(sql, sizeof sql, "INSERT INTO holds(%s) SELECT %s FROM n, th AS t", cols, exprs);
	exec(db, sql);
	const char *rcpt_over[] = {
		"ref=printf('B%09d', n.i)",
		"party=CASE n.i % 6 WHEN 0 THEN 'ncsc-uk' WHEN 1 THEN 'cisa' WHEN 2 THEN 'cert-be'"
		" WHEN 3 THEN 'surfcert' ELSE NULL END",
		"recipient=CASE WHEN n.i % 6 < 4 THEN t.recipient ELSE"
		" printf('<x@d%d.example>', n.i % 1000) END",
		"reasons=CASE n.i % 6 WHEN 0 THEN 'no-basis' WHEN 1 THEN"
		" 'no-basis,no-transfer-mechanism' WHEN 2 THEN 'constituency-mismatch' WHEN 3"
		" THEN 'tlp-exceeds' ELSE 'unknown-party' END",
		NULL,
	};
	column_lists(db, "hold_recipients", rcpt_over, cols, exprs, sizeof cols);
	snprintf(sql, sizeof sql, "INSERT INTO hold_recipients(%s) SELECT %s FROM n, tr AS t", cols,
		 exprs);
	exec(db, sql);
	/* a second recipient for one hold in four */
	snprintf(sql, sizeof sql,
		 "INSERT INTO hold_recipients(%s) SELECT %s FROM n, tr AS t WHERE n.i %% 4 = 0",
		 cols, exprs);
	exec(db, sql);
	exec(db, "COMMIT");
	sqlite3_close(db);
}

/* n shares through the store API, 100,000 per transaction. */
static void fill_shares(struct store *s, long n, time_t base)
{
	static const char *const parties[] = {"cert-be", "surfcert", "cert-be", NULL};
	size_t batch = 100000;
	struct hold_share *sh = calloc(batch, sizeof *sh);
	char err[512];
	if (sh == NULL)
		die("shares", "out of memory");
	for (long done = 0; done < n;) {
		size_t k = 0;
		for (; k < batch && done < n; k++, done++) {
			time_t t = base + done * SPREAD;
			bool cbw = t >= (time_t)date_from_ymd(2026, 8, 15) * DAY;
			sh[k] = (struct hold_share){
				"Q", "<alice@ncsc.nl>", "<cert@cert.be>", parties[done % 4],
				parties[done % 4] == NULL ? ""
				: cbw		       ? "cbw-eu-csirt"
							: "wbni-20-2-eu-csirt",
				cbw ? "Cbw art. 20" : "Wbni art. 20(2)", CAT_PROVIDER_TRACEABLE,
				TLP_AMBER, (uint32_t)(done % 50), "BE:1", done % 97 == 0, t, NULL, NULL};
		}
		if (store_shares_put(s, sh, k, err, sizeof err) != 0)
			die("shares", err);
	}
	free(sh);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: report-bench DB [HOLDS]\n");
		return 1;
	}
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
	if (n < 1)
		n = 1;
	time_t base = (time_t)date_from_ymd(2024, 9, 2) * DAY;
	char err[1024], ref[STORE_REF_MAX];
	double t0 = now_s();
	/* a new store is made as `grondslag store init` makes it */
	if (access(argv[1], F_OK) != 0 && store_init(argv[1], NULL, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", argv[1], err);
		return 1;
	}
	struct store *s = store_open(argv[1], err, sizeof err);
	if (s == NULL)
		die(argv[1], err);
	struct hold_rcpt r = {"<soc@ncsc.gov.uk>", "ncsc-uk", "no-basis", "bench"};
	struct hold_record h = {.queue_id = "Q", .sender = "<alice@ncsc.nl>", .subject = "bench",
			       .received = base - DAY, .categories = CAT_PROVIDER_TRACEABLE,
			       .registry_digest = "00", .data = "x", .len = 1, .fd = -1,
			       .rcpts = &r, .nrcpts = 1};
	if (store_hold_put(s, &h, ref, err, sizeof err) != 0)
		die("template", err);
	fill_shares(s, n, base);
	store_close(s);
	fill_holds(argv[1], ref, n, base);
	double t1 = now_s();
	printf("filled %ld holds (+%ld second recipients) and %ld shares in %.1f s\n", n,
	       (n + 3) / 4, n, t1 - t0);

	struct registry_errors *e = NULL;
	struct registry *reg = registry_load("tests/golden/report/registry.yaml", &e);
	registry_errors_free(e);
	struct report_options o = {.since = base, .until = base + 740L * DAY, .now = t1,
				   .top = 10, .repeat_sender = 3, .repeat_party = 3,
				   .registry = reg};
	double b0 = now_s();
	struct report *rep = report_build(argv[1], &o, err, sizeof err);
	double b1 = now_s();
	if (rep == NULL)
		die("report", err);
	printf("report_build over %ld holds + %ld shares: %.2f s\n", n, n, b1 - b0);
	FILE *null = fopen("/dev/null", "w");
	static const char *const names[] = {"text", "csv", "json", "html"};
	for (int f = 0; f < 4 && null != NULL; f++) {
		double w0 = now_s();
		report_write(rep, (enum report_format)f, null);
		printf("  write %-4s %.3f s\n", names[f], now_s() - w0);
	}
	if (null)
		fclose(null);
	printf("total (build + all formats): %.2f s\n", now_s() - b0);
	struct report_stats st;
	double s0 = now_s();
	if (report_stats_read(argv[1], &st, err, sizeof err) == 0)
		printf("stats: %.2f s (%llu holds)\n", now_s() - s0, (unsigned long long)st.holds);
	report_free(rep);
	if (reg)
		registry_unref(reg);
	return 0;
}
