/*
 * report_stats.c - the counters of "grondslag stats" (see report.h): what
 * the store knows, all time, read-only, in one read transaction; and the
 * Prometheus text exposition format, which node_exporter's textfile
 * collector reads too.
 *
 * Public functions: report_stats_read(), report_stats_write_prometheus().
 *
 * The store knows holds (by state), held recipients, shares (with and
 * without simulate mode) and notices.  It does not know messages scanned,
 * tempfails or scan times: only the daemon sees those (the exposition
 * says so in a comment).  Counters of holds by state are gauges: a hold
 * moves from pending to released, so its pending count goes down.
 */
#include <inttypes.h>
#include <string.h>

#include "report_priv.h"

/* One integer from a one-row query. */
static int one(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Holds by state. */
static int holds_by_state(sqlite3 *db, struct report_stats *o)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT state, count(*) FROM holds GROUP BY state", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 1);
		o->holds += n;
		for (size_t i = 0; i < 6; i++)
			if (s != NULL && strcmp(s, report_hold_states[i]) == 0)
				o->holds_by_state[i] += n;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Notices by state. */
static int notices(sqlite3 *db, struct report_stats *o)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT state, count(*) FROM outbox GROUP BY state", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 1);
		if (s == NULL)
			continue;
		if (strcmp(s, "queued") == 0)
			o->notices_queued += n;
		else if (strcmp(s, "sent") == 0)
			o->notices_sent += n;
		else if (strcmp(s, "failed") == 0)
			o->notices_failed += n;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Every counter, inside the caller's read transaction. */
static int read_all(sqlite3 *db, struct report_stats *o)
{
	int64_t v[6] = {0};
	if (holds_by_state(db, o) != 0 || notices(db, o) != 0 ||
	    one(db, "SELECT count(*) FROM hold_recipients", &v[0]) != 0 ||
	    one(db, "SELECT count(*) FROM shares WHERE simulated = 0", &v[1]) != 0 ||
	    one(db, "SELECT coalesce(sum(public_addresses), 0) FROM shares WHERE simulated = 0",
		&v[2]) != 0 ||
	    one(db, "SELECT count(*) FROM shares WHERE simulated = 1", &v[3]) != 0 ||
	    one(db, "SELECT coalesce(max(received), 0) FROM holds", &v[4]) != 0 ||
	    one(db, "SELECT coalesce(max(shared_at), 0) FROM shares", &v[5]) != 0)
		return -1;
	o->held_recipients = (uint64_t)v[0];
	o->shares = (uint64_t)v[1];
	o->public_addresses = (uint64_t)v[2];
	o->shares_simulated = (uint64_t)v[3];
	o->last_hold = v[4];
	o->last_share = v[5];
	return 0;
}

int report_stats_read(const char *db_path, struct report_stats *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int schema;
	char why[1024];
	sqlite3 *db = report_open_store(db_path, &schema, why, sizeof why);
	if (db == NULL) {
		snprintf(err, errlen, "stats: %s", why);
		return -1;
	}
	int rc = -1;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
		rc = read_all(db, out);
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	if (rc != 0)
		snprintf(err, errlen, "stats: %s: %s", db_path, sqlite3_errmsg(db));
	sqlite3_close(db);
	return rc;
}

/* HELP and TYPE lines of a metric. */
static void meta(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int report_stats_write_prometheus(const struct report_stats *st, time_t now, FILE *out)
{
	meta(out, "grondslag_holds_total", "counter", "Messages held, all time.");
	fprintf(out, "grondslag_holds_total %" PRIu64 "\n", st->holds);
	meta(out, "grondslag_holds", "gauge", "Held messages by their current state.");
	for (size_t i = 0; i < 6; i++)
		fprintf(out, "grondslag_holds{state=\"%s\"} %" PRIu64 "\n", report_hold_states[i],
			st->holds_by_state[i]);
	meta(out, "grondslag_held_recipients_total", "counter", "Recipients held, all time.");
	fprintf(out, "grondslag_held_recipients_total %" PRIu64 "\n", st->held_recipients);
	meta(out, "grondslag_releases_total", "counter", "Holds released by jurists.");
	fprintf(out, "grondslag_releases_total %" PRIu64 "\n", st->holds_by_state[3]);
	meta(out, "grondslag_denials_total", "counter", "Holds denied by jurists.");
	fprintf(out, "grondslag_denials_total %" PRIu64 "\n", st->holds_by_state[4]);
	meta(out, "grondslag_expiries_total", "counter", "Holds denied by expiry.");
	fprintf(out, "grondslag_expiries_total %" PRIu64 "\n", st->holds_by_state[5]);
	meta(out, "grondslag_shares_total", "counter",
	     "Recipients delivered regulated data on a basis (the register of shares).");
	fprintf(out, "grondslag_shares_total %" PRIu64 "\n", st->shares);
	meta(out, "grondslag_shares_simulated_total", "counter",
	     "Recipients delivered in simulate mode that would have been held.");
	fprintf(out, "grondslag_shares_simulated_total %" PRIu64 "\n", st->shares_simulated);
	meta(out, "grondslag_shared_public_addresses_total", "counter",
	     "Public addresses in the shares.");
	fprintf(out, "grondslag_shared_public_addresses_total %" PRIu64 "\n",
		st->public_addresses);
	meta(out, "grondslag_notices", "gauge", "Notices in the outbox by state.");
	fprintf(out, "grondslag_notices{state=\"queued\"} %" PRIu64 "\n", st->notices_queued);
	fprintf(out, "grondslag_notices{state=\"sent\"} %" PRIu64 "\n", st->notices_sent);
	fprintf(out, "grondslag_notices{state=\"failed\"} %" PRIu64 "\n", st->notices_failed);
	meta(out, "grondslag_last_hold_timestamp_seconds", "gauge",
	     "Time of the newest hold (0: none).");
	fprintf(out, "grondslag_last_hold_timestamp_seconds %" PRId64 "\n", st->last_hold);
	meta(out, "grondslag_last_share_timestamp_seconds", "gauge",
	     "Time of the newest share (0: none).");
	fprintf(out, "grondslag_last_share_timestamp_seconds %" PRId64 "\n", st->last_share);
	meta(out, "grondslag_stats_generated_seconds", "gauge", "When these numbers were read.");
	fprintf(out, "grondslag_stats_generated_seconds %lld\n", (long long)now);
	return ferror(out) ? -1 : 0;
}
