/*
 * report.c - the report model (see report.h): open the store's bulk
 * reader (store_report.h), lay out the buckets of the series, and run the
 * scans (report_scan.c: holds and recipients; report_query.c: shares) in
 * one read transaction; and the dispatch to the output formats in
 * report_text.c, report_csv.c, report_json.c and report_html.c (+
 * report_svg.c).  The parts of the model are in report_model.c, the
 * texts the writers share in report_fmt.c (report_priv.h has the tree
 * of calls); the counters in report_stats.c.
 *
 * Public functions: report_build(), report_free(), report_write(),
 * report_format_parse().
 *
 * One read transaction: a consistent snapshot even while the daemon
 * writes.  Limits: the period is at most REPORT_MAX_PERIOD_DAYS, from
 * 1970; breakdowns keep REPORT_MAX_ROWS rows.
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/date.h"
#include "grondslag/base/names.h"
#include "grondslag/scan/findings.h"
#include "report_priv.h"

#define DAY 86400

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	free(r->db_path);
	free(r->registry_file);
	free(r->buckets);
	free(r->day_bucket);
	struct report_list *lists[] = {&r->parties,	   &r->countries,      &r->reasons,
				       &r->categories,	   &r->senders,	       &r->repeat_senders,
				       &r->repeat_parties};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		report_list_free(lists[i]);
	for (size_t i = 0; i < r->nlines; i++) {
		free(r->lines[i].party);
		free(r->lines[i].name);
		free(r->lines[i].bases);
		free(r->lines[i].articles);
	}
	free(r->lines);
	for (size_t i = 0; i < r->nregimes; i++) {
		free(r->regimes[i].id);
		free(r->regimes[i].name);
	}
	free(r->regimes);
	report_dpo_free(r);
	free(r->place);
	free(r);
}


/* ---- building ---------------------------------------------------------- */

/* Every scan of the report, inside one read transaction. */
static int run_scans(struct report *r, struct store *s, const struct registry *reg, char *err,
		     size_t errlen)
{
	char why[512];
	if (store_report_begin(s, why, sizeof why) != 0) {
		snprintf(err, errlen, "report: begin: %s", why);
		return -1;
	}
	err[0] = '\0';
	int rc = -1;
	if (report_scan_holds(r, s, err, errlen) == 0 &&
	    report_scan_recipients(r, s, reg, err, errlen) == 0 &&
	    report_query_shares(r, s, reg, err, errlen) == 0 &&
	    report_dpo_scans(r, s, reg, err, errlen) == 0)
		rc = 0;
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "report: out of memory");
	store_report_end(s);
	return rc;
}

bool report_lang_valid(const char *lang)
{
	return lang == NULL || strcmp(lang, "en") == 0 || strcmp(lang, "nl") == 0;
}

/* The totals of the period of the same length just before o's. */
static int previous_period(struct report *r, const char *db_path, const struct report_options *o,
			   char *err, size_t errlen)
{
	struct report_options p = *o;
	p.previous = false;
	p.hold_expiry_days = 0;
	p.until = o->since;
	p.since = o->since - (o->until - o->since);
	if (p.since < 0)
		return 0;	/* before 1970: nothing to compare */
	struct report *q = report_build(db_path, &p, err, errlen);
	if (q == NULL)
		return -1;
	r->prev = (struct report_prev){.has = true, .since = p.since, .until = p.until,
				       .holds = q->holds, .held_recipients = q->held_recipients,
				       .shares = q->shares, .addresses = q->addresses};
	memcpy(r->prev.outcomes, q->outcomes, sizeof r->prev.outcomes);
	report_free(q);
	return 0;
}

struct report *report_build(const char *db_path, const struct report_options *o, char *err,
			    size_t errlen)
{
	if (!report_lang_valid(o->lang)) {
		snprintf(err, errlen, "report: the language is en or nl");
		return NULL;
	}
	if (o->since < 0 || o->until <= o->since ||
	    (o->until - o->since) / DAY > REPORT_MAX_PERIOD_DAYS) {
		snprintf(err, errlen, "report: the period must be non-empty, after 1970 and at"
				      " most %d days",
			 REPORT_MAX_PERIOD_DAYS);
		return NULL;
	}
	struct report *r = calloc(1, sizeof *r);
	if (r == NULL) {
		snprintf(err, errlen, "report: out of memory");
		return NULL;
	}
	r->since = o->since;
	r->until = o->until;
	r->now = o->now;
	r->top = o->top > REPORT_TOP_MAX ? REPORT_TOP_MAX : o->top;
	r->repeat_sender = o->repeat_sender ? o->repeat_sender : 1;
	r->repeat_party = o->repeat_party ? o->repeat_party : 1;
	r->db_path = report_strdup(db_path);
	r->registry_file = report_strdup(o->registry ? registry_file(o->registry) : "");
	r->f_party = report_strdup(o->party);
	r->f_sender = report_strdup(o->sender);
	r->f_basis = report_strdup(o->basis);
	r->pseudonymised = o->pseudonymise;
	r->nl = o->lang != NULL && strcmp(o->lang, "nl") == 0;
	r->eea_date = date_from_time(o->until - 1);
	r->expiry_days = o->hold_expiry_days;
	r->warning_days = o->expiry_warning_days;
	if (r->db_path == NULL || r->registry_file == NULL || r->f_party == NULL ||
	    r->f_sender == NULL || r->f_basis == NULL || report_make_buckets(r) != 0) {
		snprintf(err, errlen, "report: out of memory");
		report_free(r);
		return NULL;
	}
	char why[1024];
	struct store *s = store_open_report(db_path, &r->schema, why, sizeof why);
	if (s == NULL) {
		snprintf(err, errlen, "report: %s", why);
		report_free(r);
		return NULL;
	}
	int rc = 0;
	if (store_report_filter(s, o->party, o->sender, o->basis) != 0) {
		snprintf(err, errlen, "report: out of memory");
		rc = -1;
	}
	if (rc == 0)
		rc = run_scans(r, s, o->registry, err, errlen);
	store_close(s);
	if (rc == 0 && o->previous)
		rc = previous_period(r, db_path, o, err, errlen);
	if (rc != 0) {
		report_free(r);
		return NULL;
	}
	return r;
}

static const struct name_value formats[] = {
	{"text", REPORT_TEXT},
	{"csv", REPORT_CSV},
	{"json", REPORT_JSON},
	{"html", REPORT_HTML},
};

bool report_format_parse(const char *s, enum report_format *out)
{
	int v = value_of(formats, NAMES_LEN(formats), s, 0);
	if (v >= 0)
		*out = (enum report_format)v;
	return v >= 0;
}

int report_write(const struct report *r, enum report_format f, FILE *out)
{
	switch (f) {
	case REPORT_TEXT:
		return report_write_text(r, out);
	case REPORT_CSV:
		return report_write_csv(r, out);
	case REPORT_JSON:
		return report_write_json(r, out);
	case REPORT_HTML:
		return report_write_html(r, out);
	}
	return -1;
}
