/*
 * report_csv.c - the report as one CSV file for further work (see
 * report.h), in long ("tidy") form: one fact per row, so that a
 * spreadsheet pivot or a script can filter and regroup it.
 *
 *   section,period,regime,party,country,item,detail,metric,value
 *
 * section: meta, summary, series, party, country, reason, category,
 * sender, repeat-sender, repeat-party, previous (the period before:
 * period "since/until"), decision (period: when; item: the hold; detail:
 * released or denied; metric jurists, bases, justification), open-hold,
 * transfer (item: the mechanism), regime, register, register-simulated.  Columns a section does not use are empty, and so
 * is an open end of a regime's dates.  Unknown
 * parties have an empty party and their recipient domain as item.
 *
 * Public function: report_write_csv().
 * Quoting: RFC 4180 (CRLF line ends; fields with a comma, quote, CR or LF
 * quoted, quotes doubled).  Text that a spreadsheet would run as a
 * formula (starting with = + - @ TAB CR) gets a leading apostrophe: a
 * sender address is chosen by whoever sends mail (csv.h).
 */
#include <inttypes.h>
#include <string.h>

#include "grondslag/base/csv.h"
#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "report_priv.h"

/* The nine fields of a row: section..metric are text, value text too. */
struct csv_row {
	const char *section, *period, *regime, *party, *country, *item, *detail, *metric;
};

static void row_text(const struct csv_row *c, const char *value, FILE *out)
{
	const char *v[9] = {c->section, c->period, c->regime, c->party, c->country,
			    c->item,	c->detail, c->metric, value};
	for (int i = 0; i < 9; i++) {
		if (i > 0)
			fputc(',', out);
		csv_field(out, v[i]);
	}
	fputs("\r\n", out);
}

static void row_num(const struct csv_row *c, uint64_t value, FILE *out)
{
	char n[24];
	snprintf(n, sizeof n, "%" PRIu64, value);
	row_text(c, n, out);
}

/* Meta data and the totals. */
static void meta_summary(const struct report *r, FILE *out)
{
	char a[16], b[16], g[32];
	report_day_text(date_from_time(r->since), a);
	report_day_text(date_from_time(r->until), b);
	report_time_text(r->now, g);
	const char *reg = strrchr(r->registry_file, '/');
	reg = reg ? reg + 1 : r->registry_file;
	const char *meta[][2] = {{"since", a},
				 {"until", b},
				 {"generated", g},
				 {"series", r->grain == REPORT_GRAIN_WEEK ? "week" : "month"},
				 {"registry", reg},
				 {"filter_party", r->f_party},
				 {"filter_sender", r->f_sender},
				 {"filter_basis", r->f_basis},
				 {"senders", r->pseudonymised ? "pseudonymised" : "named"}};
	for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
		struct csv_row c = {.section = "meta", .metric = meta[i][0]};
		row_text(&c, meta[i][1], out);
	}
	struct {
		const char *metric;
		uint64_t v;
	} sum[] = {
		{"holds", r->holds},
		{"held_recipients", r->held_recipients},
		{"released", r->outcomes[REPORT_RELEASED]},
		{"denied", r->outcomes[REPORT_DENIED]},
		{"expired", r->outcomes[REPORT_EXPIRED]},
		{"pending", r->outcomes[REPORT_PENDING]},
		{"decided", r->decided},
		{"shares", r->shares},
		{"public_addresses", r->addresses},
		{"shares_simulated", r->shares_simulated},
		{"recipients_own_organisation", r->shares_internal},
		{"holds_overdue", r->overdue},
		{"holds_close_to_expiry", r->closing},
	};
	for (size_t i = 0; i < sizeof sum / sizeof sum[0]; i++) {
		struct csv_row c = {.section = "summary", .metric = sum[i].metric};
		row_num(&c, sum[i].v, out);
	}
	if (r->decided > 0) {
		struct csv_row c = {.section = "summary", .metric = "decision_median_seconds"};
		row_num(&c, (uint64_t)r->decision_median, out);
		c.metric = "decision_p90_seconds";
		row_num(&c, (uint64_t)r->decision_p90, out);
	}
}

/* section rows of a simple list: item = key. */
static void list_rows(const char *section, const struct report_list *l, bool recipients,
		      FILE *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct report_row *p = &l->rows[i];
		struct csv_row c = {.section = section,
				    .item = p->key,
				    .metric = recipients ? "recipients" : "messages"};
		row_num(&c, recipients ? p->recipients : p->messages, out);
	}
}

/* Parties and the foreign parties held again and again. */
static void party_rows(const char *section, const struct report_list *l, bool repeat,
		       FILE *out)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct report_row *p = &l->rows[i];
		struct csv_row c = {.section = section,
				    .party = p->known ? p->key : "",
				    .country = p->country,
				    .item = p->known ? "" : p->key,
				    .detail = p->name};
		if (repeat) {
			char f[32], t[32];
			c.metric = "holds";
			row_num(&c, p->messages, out);
			report_time_text(p->first, f);
			report_time_text(p->last, t);
			c.metric = "first";
			row_text(&c, f, out);
			c.metric = "last";
			row_text(&c, t, out);
			continue;
		}
		c.metric = "recipients";
		row_num(&c, p->recipients, out);
		c.metric = "messages";
		row_num(&c, p->messages, out);
	}
}

/* Senders held again and again, with the first and last hold. */
static void repeat_sender_rows(const struct report *r, FILE *out)
{
	for (size_t i = 0; i < r->repeat_senders.n; i++) {
		const struct report_row *p = &r->repeat_senders.rows[i];
		char f[32], t[32];
		struct csv_row c = {.section = "repeat-sender", .item = p->key, .metric = "holds"};
		row_num(&c, p->messages, out);
		report_time_text(p->first, f);
		report_time_text(p->last, t);
		c.metric = "first";
		row_text(&c, f, out);
		c.metric = "last";
		row_text(&c, t, out);
	}
}

/* The regimes with their dates and totals, then the register lines. */
static void register_rows(const struct report *r, FILE *out)
{
	for (size_t g = 0; g < r->nregimes; g++) {
		const struct report_regime *rg = &r->regimes[g];
		char from[16] = "", until[16] = "";	/* empty: an open end */
		if (rg->from != DATE_MIN && rg->from != DATE_MAX)
			report_day_text(rg->from, from);
		if (rg->until != DATE_MIN && rg->until != DATE_MAX)
			report_day_text(rg->until, until);
		struct csv_row c = {.section = "regime", .regime = rg->id, .detail = rg->name};
		c.metric = "valid_from";
		row_text(&c, from, out);
		c.metric = "valid_until";
		row_text(&c, until, out);
		c.metric = "shares";
		row_num(&c, rg->shares, out);
		c.metric = "public_addresses";
		row_num(&c, rg->addresses, out);
		c.metric = "shares_simulated";
		row_num(&c, rg->simulated, out);
	}
	for (size_t i = 0; i < r->nlines; i++) {
		const struct report_share_row *l = &r->lines[i];
		char cats[96];
		report_categories_text(l->categories, cats, sizeof cats);
		struct csv_row c = {.section = l->simulated ? "register-simulated" : "register",
				    .period = l->month,
				    .regime = r->regimes[l->regime].id,
				    .party = l->party,
				    .country = l->country,
				    .item = l->bases,
				    .detail = l->articles};
		c.metric = "shares";
		row_num(&c, l->shares, out);
		c.metric = "public_addresses";
		row_num(&c, l->addresses, out);
		c.metric = "categories";
		row_text(&c, cats, out);
		c.metric = "tlp";
		row_text(&c, tlp_name((enum tlp_level)l->tlp), out);
	}
}

/* The period before, the decisions, the open holds past or near expiry
 * and the transfers by mechanism. */
static void dpo_rows(const struct report *r, FILE *out)
{
	if (r->prev.has) {
		char a[16], b[16], per[40];
		report_day_text(date_from_time(r->prev.since), a);
		report_day_text(date_from_time(r->prev.until), b);
		snprintf(per, sizeof per, "%s/%s", a, b);
		const char *m[] = {"holds", "held_recipients", "released", "denied", "expired",
				   "pending", "shares", "public_addresses"};
		const uint64_t v[] = {r->prev.holds, r->prev.held_recipients, r->prev.outcomes[0],
				      r->prev.outcomes[1], r->prev.outcomes[2], r->prev.outcomes[3],
				      r->prev.shares, r->prev.addresses};
		for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
			struct csv_row c = {.section = "previous", .period = per, .metric = m[i]};
			row_num(&c, v[i], out);
		}
	}
	for (size_t i = 0; i < r->ndecisions; i++) {
		const struct report_decision_row *x = &r->decisions[i];
		char t[32];
		report_time_text((time_t)x->decided_at, t);
		struct csv_row c = {.section = "decision", .period = t, .party = x->party,
				    .country = x->country, .item = x->ref,
				    .detail = x->released ? "released" : "denied"};
		const char *m[] = {"jurists", "bases", "justification"};
		const char *v[] = {x->jurists, x->bases, x->reasons};
		for (int k = 0; k < 3; k++) {
			c.metric = m[k];
			row_text(&c, v[k], out);
		}
	}
	for (size_t i = 0; i < r->nopen; i++) {
		char a[32];
		report_time_text((time_t)r->open[i].expires, a);
		struct csv_row c = {.section = "open-hold", .party = r->open[i].party,
				    .item = r->open[i].ref,
				    .detail = r->open[i].expires <= (int64_t)r->now ? "overdue"
										   : "close to expiry",
				    .metric = "expires"};
		row_text(&c, a, out);
	}
	for (size_t i = 0; i < r->mechanisms.n; i++) {
		struct csv_row c = {.section = "transfer", .item = r->mechanisms.rows[i].key,
				    .metric = "shares"};
		row_num(&c, r->mechanisms.rows[i].recipients, out);
		c.metric = "public_addresses";
		row_num(&c, r->mechanisms.rows[i].addresses, out);
	}
}

int report_write_csv(const struct report *r, FILE *out)
{
	fputs("section,period,regime,party,country,item,detail,metric,value\r\n", out);
	meta_summary(r, out);
	for (size_t i = 0; i < r->nbuckets; i++) {
		struct csv_row c = {.section = "series", .period = r->buckets[i].label};
		c.metric = "holds";
		row_num(&c, r->buckets[i].holds, out);
		c.metric = "shares";
		row_num(&c, r->buckets[i].shares, out);
	}
	party_rows("party", &r->parties, false, out);
	for (size_t i = 0; i < r->countries.n; i++) {
		struct csv_row c = {.section = "country",
				    .country = r->countries.rows[i].key,
				    .metric = "recipients"};
		row_num(&c, r->countries.rows[i].recipients, out);
	}
	list_rows("reason", &r->reasons, true, out);
	list_rows("category", &r->categories, false, out);
	list_rows("sender", &r->senders, false, out);
	repeat_sender_rows(r, out);
	party_rows("repeat-party", &r->repeat_parties, true, out);
	dpo_rows(r, out);
	register_rows(r, out);
	/* rows of section audit_chain, at the end */
	report_chain_here(r, REPORT_CSV, out);
	return ferror(out) ? -1 : 0;
}
