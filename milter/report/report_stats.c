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

#include "grondslag/store/store_report.h"
#include "report_priv.h"

const char *const report_hold_states[6] = {"pending",  "partly-approved", "releasing",
					   "released", "denied",	  "expired"};

int report_stats_read(const char *db_path, struct report_stats *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int schema;
	char why[1024];
	struct store *s = store_open_report(db_path, &schema, why, sizeof why);
	if (s == NULL) {
		snprintf(err, errlen, "stats: %s", why);
		return -1;
	}
	struct store_totals t;
	int rc = store_report_begin(s, why, sizeof why);
	if (rc == 0) {
		rc = store_report_totals(s, &t, why, sizeof why);
		store_report_end(s);
	}
	store_close(s);
	if (rc != 0) {
		snprintf(err, errlen, "stats: %s: %s", db_path, why);
		return -1;
	}
	out->holds = t.holds;
	out->held_recipients = t.held_recipients;
	_Static_assert(sizeof out->holds_by_state / sizeof out->holds_by_state[0] ==
			       HOLD_STATE_COUNT, "report_stats.holds_by_state is by enum hold_state");
	for (size_t i = 0; i < HOLD_STATE_COUNT; i++)
		out->holds_by_state[i] = t.holds_by_state[i];
	out->shares = t.shares;
	out->shares_simulated = t.shares_simulated;
	out->public_addresses = t.public_addresses;
	out->notices_queued = t.notices_queued;
	out->notices_sent = t.notices_sent;
	out->notices_failed = t.notices_failed;
	out->last_hold = t.last_hold;
	out->last_share = t.last_share;
	return 0;
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
