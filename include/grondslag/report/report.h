/*
 * report.h - reports from the record (the store), never from logs: what
 * the gate stopped (holds by week or month, by recipient party and its
 * country, by reason, by data category, by sender), how the holds ended
 * (released, denied, expired, pending) and how fast jurists decided,
 * repeat patterns, and the register of shares (what regulated data went
 * to which party on which basis, per month, the Wbni and Cbw periods
 * apart).  Plus the counters of "grondslag stats --prometheus".
 *
 * The store is read READ-ONLY through its bulk reader (store_report.h:
 * the daemon is its only writer, and the reader leaves no file behind)
 * and everything is read in one read transaction, so the numbers of one
 * report agree with each other.  The store hands over the rows of the
 * period (three scans: holds, their recipients, shares) and the report
 * counts them in hash tables: a sorting GROUP BY over a million rows costs
 * several times the scan.  1,000,000 holds (1,250,000 recipients) and
 * 1,000,000 shares take about 4 s (tests/tools/report-bench.c).
 *
 * Units: holds, senders, categories and outcomes count messages (one hold
 * is one message); parties, countries and reasons count held recipients
 * (one message to two parties is one hold for each).  Outcomes are the
 * state of the hold when the report is made; the time to decision
 * (median and p90, nearest rank) runs from receipt to the jurists'
 * decision: the last approval of a released hold (the delivery itself
 * may wait for the relay), holds.decided_at of a denied one.  Expired
 * holds are left out (they measure HoldExpiry, not the jurists).  Times are UTC.  The period
 * is half-open [since, until).  Up to REPORT_WEEKS_MAX_DAYS days the
 * series is by ISO week, beyond that by calendar month.
 *
 * The registry is optional: with it, parties get their name and country
 * (jurisdiction) and each share's bases their regime (Wbni, Cbw); without
 * it the party id stands for the country and the regime is "unknown".
 *
 * Public functions:
 *   report_build(), report_free()          the model
 *   report_write_text(), report_write_csv(), report_write_json(),
 *   report_write_html()                    one output format each
 *   report_format_parse()
 *   report_set_chain(), report_chain_place(),
 *   report_chain_write()                   the audit chain's statement
 *   report_stats_read(), report_stats_write_prometheus()
 * Limits: REPORT_MAX_PERIOD_DAYS, REPORT_TOP_MAX, REPORT_REPEAT_MAX rows
 * per repeat list, REPORT_MAX_ROWS rows per breakdown (then "other").
 */
#ifndef GRONDSLAG_REPORT_H
#define GRONDSLAG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "grondslag/decide/registry.h"

/* Series by ISO week up to this many days, by month beyond. */
#define REPORT_WEEKS_MAX_DAYS 184
/* Longest period (100 years of months stays a small table). */
#define REPORT_MAX_PERIOD_DAYS (366 * 100)
#define REPORT_TOP_MAX 1000
#define REPORT_REPEAT_MAX 100
/* Rows per breakdown (parties, register lines); the rest is summed into
 * one "other" row so that a hostile number of domains stays bounded. */
#define REPORT_MAX_ROWS 5000

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON, REPORT_HTML };

struct report_options {
	time_t since, until;		/* [since, until), UTC */
	time_t now;			/* generation time (injectable) */
	unsigned top;			/* top senders/parties shown (10) */
	unsigned repeat_sender;		/* holds of one sender to be listed (3) */
	unsigned repeat_party;		/* holds of one party to be listed (3) */
	const struct registry *registry;	/* may be NULL */
	/* Filters (NULL or "": all): holds with a recipient of party (id,
	 * any case) and shares to it; shares naming basis (id, any case; a
	 * hold has no basis, so holds are left out with it); holds of
	 * sender (address, any case).  Shares have no sender: with a
	 * sender filter the register is empty. */
	const char *party, *basis, *sender;
	/* Senders as "sender-1", "sender-2", ... (by rank) instead of their
	 * addresses: a management report names no staff. */
	bool pseudonymise;
	/* Holds still open are overdue past HoldExpiry days and close to
	 * expiry within ExpiryWarning days of it (0: no such section). */
	unsigned hold_expiry_days, expiry_warning_days;
	/* The language of the HTML: "en" (NULL) or "nl". */
	const char *lang;
	/* Also count the period of the same length just before, for
	 * comparison (the totals only). */
	bool previous;
};

/* "en" or "nl" (ReportLanguage): false on anything else. */
bool report_lang_valid(const char *lang);

struct report;

/* Read the store at db_path (read-only) into a report.  NULL + err on
 * error ("report: /x.db: ..."). */
struct report *report_build(const char *db_path, const struct report_options *o, char *err,
			    size_t errlen);
void report_free(struct report *r);

/* Write the report; 0, or -1 when a write failed. */
int report_write_text(const struct report *r, FILE *out);
int report_write_csv(const struct report *r, FILE *out);
int report_write_json(const struct report *r, FILE *out);
/* One self-contained file: inline CSS and SVG, no script, no external
 * reference of any kind. */
int report_write_html(const struct report *r, FILE *out);
int report_write(const struct report *r, enum report_format f, FILE *out);

/* The integrity of the audit chain as the READER verified it in its own
 * process (grondslag report: the daemon never vouches for itself), for
 * the statement on the report (report_chain.c). */
enum report_chain_sig {
	REPORT_SIG_VERIFIED,		/* good signature by a trusted key */
	REPORT_SIG_BAD,			/* bad, unknown signer, revoked, error */
	REPORT_SIG_UNCHECKED		/* no key to check it with */
};
struct report_chain {
	bool verified;			/* everything below holds */
	bool read;			/* the records could be read at all */
	bool chain_intact;		/* every hash recomputes */
	int64_t records;
	char head[65];			/* hash of the newest record, "" none */
	int64_t first_bad_seq;		/* when not intact */
	char why[240];			/* the first break, or why not read */
	size_t checkpoints, bad_checkpoints;
	bool checkpoints_missing;	/* the file deleted, or none with a key */
	bool has_key;			/* AuditSigningKey (or --key) set */
	bool has_last;			/* a checkpoint exists: the newest */
	int64_t last_at, last_seq;
	enum report_chain_sig last_sig;
};

/* The statement of c on r: the writers put it where it belongs (text
 * after the head, HTML at the end of the header in the report's
 * language, JSON as the last member "audit_chain", CSV as rows of
 * section "audit_chain" at the end).  c NULL (a report the daemon writes
 * for the reader, who states the chain itself): no statement, and the
 * writer records where it belongs (report_chain_place()).  0, or -1 out
 * of memory. */
int report_set_chain(struct report *r, const struct report_chain *c);
/* After a write of r with report_set_chain(r, NULL): the offset in the
 * output where the statement belongs; -1 unknown. */
long report_chain_place(const struct report *r);
/* The statement of c alone, exactly as the writer of format f puts it in
 * place (nl: the Dutch of an HTML report), for the reader to write into
 * a report at report_chain_place().  0, or -1 when writing failed. */
int report_chain_write(const struct report_chain *c, enum report_format f, bool nl, FILE *out);

/* "text", "csv", "json", "html"; false on anything else. */
bool report_format_parse(const char *s, enum report_format *out);

/* What the store knows for monitoring, all time (not a period). */
struct report_stats {
	uint64_t holds;			/* messages held */
	uint64_t held_recipients;
	uint64_t holds_by_state[6];	/* pending, partly-approved, releasing,
					 * released, denied, expired */
	uint64_t shares;		/* delivered on a basis (recipients) */
	uint64_t shares_simulated;	/* Mode simulate: would have been held */
	uint64_t public_addresses;	/* sum over the shares */
	uint64_t notices_queued, notices_sent, notices_failed;
	int64_t last_hold, last_share;	/* time of the newest, 0 when none */
};

/* The state names of report_stats.holds_by_state, in order. */
extern const char *const report_hold_states[6];

int report_stats_read(const char *db_path, struct report_stats *out, char *err, size_t errlen);
/* Prometheus text exposition format (also node_exporter's textfile
 * collector); now is written as grondslag_stats_generated_seconds. */
int report_stats_write_prometheus(const struct report_stats *st, time_t now, FILE *out);

#endif
