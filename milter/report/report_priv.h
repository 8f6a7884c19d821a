/*
 * report_priv.h - the report model, shared by the files of the report
 * module and nobody else: report.c builds it from the store's rows
 * (store_report.h; report_scan.c for the holds and their recipients,
 * report_query.c for the register of shares), report_text.c,
 * report_csv.c, report_json.c and report_html.c (with report_svg.c)
 * write it.  Every string is owned by the model; none is NULL.
 */
#ifndef GRONDSLAG_REPORT_PRIV_H
#define GRONDSLAG_REPORT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/report/report.h"
#include "grondslag/store/store_report.h"

/* Distinct groups counted per table (senders, parties, register lines);
 * beyond, rows count under "other".  Bounds the memory of a report. */
#define REPORT_MAP_MAX 200000

enum report_grain { REPORT_GRAIN_WEEK, REPORT_GRAIN_MONTH };

/* The outcomes of a hold, as the report groups the six states. */
enum report_outcome {
	REPORT_RELEASED,
	REPORT_DENIED,
	REPORT_EXPIRED,
	REPORT_PENDING,		/* pending, partly-approved, releasing */
	REPORT_OUTCOME_COUNT
};

/* One week or month of the series. */
struct report_bucket {
	int32_t day;			/* first day (a Monday or the 1st) */
	char label[24];			/* "2025-W11" or "2025-03" */
	uint64_t holds;			/* messages held */
	uint64_t shares;		/* recipients delivered on a basis */
};

/* One line of a breakdown. */
struct report_row {
	char *key;		/* party id / domain, reason, category, sender, country */
	char *name;		/* party name, "" when none */
	char country[8];	/* jurisdiction, "" when unknown */
	bool known;		/* parties: in the registry or at least named by id */
	bool foreign;		/* parties: jurisdiction not the home one */
	uint64_t messages, recipients;
	int64_t first, last;	/* first and last hold in the period */
	uint64_t addresses;	/* mechanisms: public addresses shared */
};

struct report_list {
	struct report_row *rows;
	size_t n, cap;
	bool truncated;		/* rows beyond REPORT_MAX_ROWS summed into "other" */
};

/* One line of the register of shares. */
struct report_share_row {
	char month[16];		/* "2025-03" */
	size_t regime;		/* index into report.regimes */
	char *party;		/* party id, "" for the own organisation */
	char *name;
	char country[8];
	char *bases, *articles;
	unsigned categories;	/* enum category bits, any share of the line */
	int tlp;		/* the most restrictive */
	bool simulated;		/* Mode simulate: delivered, would have been held */
	uint64_t shares, addresses;
};

/* One line of the register of decisions: a recipient released (with
 * every approval) or denied. */
struct report_decision_row {
	char *ref;
	char *party, *name;	/* "" unknown */
	char country[8];
	bool released;
	int64_t decided_at;
	char *jurists;		/* "alice, bob" in the order they approved */
	char *bases;		/* the bases named, ", "-separated, distinct */
	char *reasons;		/* the justifications, " | "-separated */
};

/* A hold still open, overdue or close to expiry. */
struct report_open_row {
	char *ref, *party;
	int64_t received, expires;
};

/* The totals of the period before, for comparison. */
struct report_prev {
	bool has;
	time_t since, until;
	uint64_t holds, held_recipients, shares, addresses;
	uint64_t outcomes[4];
};

/* A regime as the register shows it, with its totals in the period. */
struct report_regime {
	char *id;		/* "wbni", "cbw"; "none", "unknown", "mixed" */
	char *name;
	int32_t from, until;	/* DATE_MIN/DATE_MAX when open or unknown */
	uint64_t lines, shares, addresses, simulated;
};

/* One group in a counting table (report_map.c). */
struct report_map_entry {
	char *key;		/* NULL: a free slot */
	size_t klen;
	uint64_t count;		/* rows (held recipients, shares, holds) */
	uint64_t messages;	/* distinct holds */
	uint64_t sum;		/* public addresses */
	int64_t first, last;	/* times */
	int64_t seen;		/* the last hold counted in messages */
	unsigned bits;		/* categories */
	int tlp;		/* the most restrictive */
};

struct report_map {
	struct report_map_entry *slots;
	size_t cap, n;
	size_t max;		/* 0: no limit */
	bool full;		/* a new key was refused */
};

/* The entry of key, created with zero counters (first INT64_MAX, last
 * INT64_MIN); NULL when the map is full or out of memory. */
struct report_map_entry *report_map_get(struct report_map *m, const char *key, size_t len);
void report_map_free(struct report_map *m);

struct report {
	time_t since, until, now;
	int32_t first_day;	/* of the period */
	size_t ndays;
	uint32_t *day_bucket;	/* day - first_day -> index into buckets */
	unsigned top, repeat_sender, repeat_party;
	char *db_path;
	char *registry_file;	/* "" when no registry was used */
	int schema;		/* the schema version of the store */

	enum report_grain grain;
	struct report_bucket *buckets;
	size_t nbuckets;

	uint64_t holds, held_recipients;
	uint64_t outcomes[REPORT_OUTCOME_COUNT];
	uint64_t decided;		/* released + denied: decided by jurists */
	int64_t decision_median, decision_p90;	/* seconds, -1 when none */

	struct report_list parties, countries, reasons, categories, senders;
	bool senders_truncated;	/* more distinct senders than REPORT_MAP_MAX */
	struct report_list repeat_senders, repeat_parties;

	struct report_share_row *lines;
	size_t nlines;
	bool lines_truncated;
	struct report_regime *regimes;
	size_t nregimes;
	uint64_t shares, shares_simulated, addresses;
	uint64_t shares_internal;	/* to the own organisation: not a share */

	/* what was asked (strings "" when none) */
	char *f_party, *f_sender, *f_basis;
	bool pseudonymised;
	bool nl;			/* HTML in Dutch */
	int32_t eea_date;		/* the day the EEA is judged on */
	/* the audit chain's statement (report_set_chain()): written by the
	 * writers where it belongs, or (none given) that place's offset
	 * recorded; NULL: neither */
	struct report_place *place;

	/* the register of decisions */
	struct report_decision_row *decisions;
	size_t ndecisions, cap_decisions;
	bool decisions_truncated;
	uint64_t released_rcpts, denied_rcpts;
	/* open holds past or near their expiry */
	unsigned expiry_days, warning_days;
	struct report_open_row *open;
	size_t nopen, cap_open;
	uint64_t overdue, closing;
	/* shares to parties outside the EEA by transfer mechanism (key:
	 * mechanism; recipients: shares; messages: parties) */
	struct report_list mechanisms;
	struct report_prev prev;
};

/* The files call each other as a tree, never back: report.c (build,
 * free, dispatch) calls the scans (report_scan.c, report_query.c) and the
 * writers (report_text.c, report_csv.c, report_json.c, report_html.c ->
 * report_svg.c); those call the leaves report_model.c, report_map.c and
 * report_fmt.c.  report_stats.c stands alone. */

/* report_fmt.c: how the writers and the scans say things. */
extern const char *const report_outcome_names[REPORT_OUTCOME_COUNT];
/* "2025-03-14T09:05:00Z". */
void report_time_text(time_t t, char buf[32]);
/* "2025-03-14". */
void report_day_text(int32_t day, char buf[16]);
/* A duration for people: "45s", "12m", "3h 20m", "2d 4h". */
void report_duration_text(int64_t seconds, char buf[32]);
/* The category names of a bit set, space-separated, into buf. */
void report_categories_text(unsigned bits, char *buf, size_t size);

/* report_model.c: the parts of the model. */
/* strdup that never returns NULL for NULL input ("" instead); NULL only
 * out of memory. */
char *report_strdup(const char *s);
/* Append a row to a list (strings copied); NULL out of memory. */
struct report_row *report_list_add(struct report_list *l, const char *key, const char *name);
/* Free the rows of a list and empty it. */
void report_list_free(struct report_list *l);
/* The empty buckets covering the period r->since..r->until (so that
 * quiet weeks show as 0) and the table from each day to its bucket; sets
 * the grain.  0, or -1 out of memory. */
int report_make_buckets(struct report *r);
/* The bucket of a UTC day inside the period, NULL outside. */
struct report_bucket *report_bucket_of(struct report *r, int32_t day);
/* The result of a store scan (store_report.h) as the report's: 0 from 0;
 * -1 and err "report: out of memory" from 1 (the counting stopped it),
 * -1 and err "report: query: " + the store's message (in err) from -1. */
int report_scan_end(int rc, char *err, size_t errlen);

/* report_scan.c: one scan of the holds of the period (series, outcomes,
 * decision times, categories, senders) and one of their recipients
 * (parties, countries, reasons, repeat parties). */
int report_scan_holds(struct report *r, struct store *s, char *err, size_t errlen);
int report_scan_recipients(struct report *r, struct store *s, const struct registry *reg,
			   char *err, size_t errlen);

/* report_query.c: one scan of the shares (series of shares, register). */
int report_query_shares(struct report *r, struct store *s, const struct registry *reg,
			char *err, size_t errlen);

/* report_dpo.c: what the DPO asks besides the counts: the register of
 * decisions, the open holds overdue or close to expiry, the shares
 * outside the EEA by transfer mechanism.  0, or -1 + err. */
int report_dpo_scans(struct report *r, struct store *s, const struct registry *reg,
		     char *err, size_t errlen);
/* Is a party of country outside the EEA on r->eea_date (unknown: yes)? */
bool report_outside_eea(const struct report *r, const struct registry *reg,
			const char *country);
void report_dpo_free(struct report *r);

/* report_i18n.c: text of the HTML in the report's language (English
 * text is the key; a text without translation stays English). */
const char *report_tr(const struct report *r, const char *en);
/* The same for a language chosen without a report (nl: Dutch). */
const char *report_tr_lang(bool nl, const char *en);

/* report_chain.c: the statement of the audit chain. */
struct report_place {
	bool has;			/* c is set: write it */
	struct report_chain c;
	long at;			/* without c: where it belongs, -1 unknown */
};
/* Called by the writer of format f where the statement belongs: writes
 * it, or records the offset of out there. */
void report_chain_here(const struct report *r, enum report_format f, FILE *out);

/* report_svg.c: inline SVG charts for report_html.c, and the escaping
 * both use. */
void report_svg_series(const struct report *r, FILE *out);
/* Horizontal bars of the first max rows of a list, counting recipients or
 * messages; id is the element id of the chart. */
void report_svg_bars(const struct report_list *l, bool by_recipients, unsigned max,
		     const char *id, FILE *out);
/* Write s with the five XML characters escaped. */
void report_html_escape(const char *s, FILE *out);

#endif
