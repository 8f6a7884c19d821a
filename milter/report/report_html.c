/*
 * report_html.c - the report as ONE self-contained HTML file (see
 * report.h): inline CSS, inline SVG charts (report_svg.c), tables, the
 * period and the generation time.  No script and no external reference:
 * a Content-Security-Policy of default-src 'none' makes sure the file
 * loads nothing, so it works offline and can be mailed or archived as is.
 *
 * Public function: report_write_html().
 * Every stored string is HTML-escaped (sender addresses are chosen by
 * whoever sends mail).  Limits: the charts show the top N rows (--top);
 * the tables show every row of the model.
 */
#include <inttypes.h>
#include <string.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "report_priv.h"

static const char css[] =
	"*{box-sizing:border-box}"
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	"color:#1d2430;background:#f5f6f8;margin:0;padding:24px}"
	"main{max-width:1000px;margin:0 auto}"
	"header{border-bottom:3px solid #1d2430;margin-bottom:16px}"
	"h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px}"
	"h3{font-size:16px;margin:18px 0 6px}"
	".meta{color:#4a5568;margin:0 0 12px}"
	".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}"
	".card{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:10px 12px}"
	".card b{display:block;font-size:24px}.card span{color:#4a5568;font-size:13px}"
	"section{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:4px 16px 14px;"
	"margin-top:16px}"
	"svg.chart{max-width:100%;height:auto;display:block;margin:8px 0}"
	".bar,.key.holds{fill:#b23b3b}#chart-reasons .bar{fill:#6b4fa0}"
	".line.shares{fill:none;stroke:#2e7d32;stroke-width:2.5}"
	".key.shares{stroke:#2e7d32;stroke-width:3}"
	".grid{stroke:#e2e6ec}.ytick{font-size:12px;text-anchor:end;fill:#4a5568}"
	".xtick{font-size:12px;text-anchor:middle;fill:#4a5568}"
	".label{font-size:13px;text-anchor:end;fill:#1d2430}.value{font-size:12px;fill:#4a5568}"
	".legend{font-size:12px;fill:#4a5568}.empty{font-size:15px;text-anchor:middle;fill:#6b7280}"
	"table{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0}"
	"th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e2e6ec;vertical-align:top}"
	"th{background:#eef1f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"td:first-child{white-space:nowrap}"
	".none{color:#6b7280;font-style:italic}.sim{color:#b23b3b}"
	"footer{color:#6b7280;font-size:12.5px;margin:20px 0}"
	"@media print{body{background:#fff;padding:0}section{break-inside:avoid}}";

/* <td> with escaped text. */
static void td(const char *s, FILE *out)
{
	fputs("<td>", out);
	report_html_escape(s, out);
	fputs("</td>", out);
}

static void td_num(uint64_t v, FILE *out)
{
	fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", v);
}

/* A table header: names starting with '>' are numeric columns. */
static void thead(const char *const *names, size_t n, FILE *out)
{
	fputs("<table><thead><tr>", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "<th%s>%s</th>", names[i][0] == '>' ? " class=\"n\"" : "",
			names[i] + (names[i][0] == '>'));
	fputs("</tr></thead><tbody>\n", out);
}

/* One summary card. */
static void card(const char *value, const char *label, FILE *out)
{
	fputs("<div class=\"card\"><b>", out);
	report_html_escape(value, out);
	fprintf(out, "</b><span>%s</span></div>\n", label);
}

static void card_num(uint64_t v, const char *label, FILE *out)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%" PRIu64, v);
	card(buf, label, out);
}

/* Title, period, generation time and the cards. */
static void head(const struct report *r, FILE *out)
{
	char a[16], b[16], g[32], med[32], p90[32];
	report_day_text(date_from_time(r->since), a);
	report_day_text(date_from_time(r->until), b);
	report_time_text(r->now, g);
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		" style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		"<title>grondslag report %s to %s</title>\n<style>%s</style></head>\n<body><main>\n"
		"<header><h1>grondslag report</h1><p class=\"meta\">Period <b>%s</b> to <b>%s</b>"
		" (exclusive, UTC) &middot; generated <b>%s</b> &middot; registry ",
		a, b, css, a, b, g);
	const char *reg = strrchr(r->registry_file, '/');
	reg = reg ? reg + 1 : r->registry_file;
	report_html_escape(reg[0] ? reg : "none (party ids stand for countries)", out);
	fputs("</p></header>\n<div class=\"cards\">\n", out);
	card_num(r->holds, "messages held", out);
	card_num(r->held_recipients, "held recipients", out);
	for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
		card_num(r->outcomes[i], report_outcome_names[i], out);
	report_duration_text(r->decision_median, med);
	report_duration_text(r->decision_p90, p90);
	card(med, "median time to decision", out);
	card(p90, "p90 time to decision", out);
	card_num(r->shares, "recipients shared on a basis", out);
	card_num(r->addresses, "public addresses shared", out);
	if (r->shares_simulated > 0)
		card_num(r->shares_simulated, "delivered in simulate mode", out);
	fputs("</div>\n", out);
}

/* The time series chart with its numbers in a table. */
static void series(const struct report *r, FILE *out)
{
	bool week = r->grain == REPORT_GRAIN_WEEK;
	fprintf(out, "<section><h2>Holds per %s</h2>\n", week ? "week" : "month");
	report_svg_series(r, out);
	static const char *const weekh[] = {"Week", "Starts", ">Messages held", ">Shared"};
	static const char *const monthh[] = {"Month", "Starts", ">Messages held", ">Shared"};
	thead(week ? weekh : monthh, 4, out);
	for (size_t i = 0; i < r->nbuckets; i++) {
		char day[16];
		report_day_text(r->buckets[i].day, day);
		fputs("<tr>", out);
		td(r->buckets[i].label, out);
		td(day, out);
		td_num(r->buckets[i].holds, out);
		td_num(r->buckets[i].shares, out);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></section>\n", out);
}

/* Parties: chart of the top N and the full table. */
static void parties(const struct report *r, FILE *out)
{
	fputs("<section><h2>Held recipients by party</h2>\n", out);
	report_svg_bars(&r->parties, true, r->top, "chart-parties", out);
	static const char *const h[] = {"Party", "Name", "Country", ">Recipients", ">Messages"};
	thead(h, 5, out);
	for (size_t i = 0; i < r->parties.n; i++) {
		const struct report_row *p = &r->parties.rows[i];
		fputs("<tr><td>", out);
		if (!p->known)
			fputs("<span class=\"none\">unknown:</span> ", out);
		report_html_escape(p->key, out);
		fputs("</td>", out);
		td(p->name, out);
		td(p->country[0] ? p->country : "-", out);
		td_num(p->recipients, out);
		td_num(p->messages, out);
		fputs("</tr>\n", out);
	}
	if (r->parties.n == 0)
		fputs("<tr><td colspan=\"5\" class=\"none\">none</td></tr>\n", out);
	fputs("</tbody></table></section>\n", out);
}

/* A two-column table of a list. */
static void table(const char *title, const char *keyname, const struct report_list *l,
		  bool recipients, FILE *out)
{
	fprintf(out, "<h3>%s</h3>\n", title);
	const char *h[] = {keyname, recipients ? ">Held recipients" : ">Messages"};
	thead(h, 2, out);
	for (size_t i = 0; i < l->n; i++) {
		fputs("<tr>", out);
		td(l->rows[i].key[0] ? l->rows[i].key : "<>", out);
		td_num(recipients ? l->rows[i].recipients : l->rows[i].messages, out);
		fputs("</tr>\n", out);
	}
	if (l->n == 0)
		fputs("<tr><td colspan=\"2\" class=\"none\">none</td></tr>\n", out);
	fputs("</tbody></table>\n", out);
}

/* Reasons (chart), countries, categories, senders. */
static void breakdowns(const struct report *r, FILE *out)
{
	fputs("<section><h2>Held recipients by reason</h2>\n", out);
	report_svg_bars(&r->reasons, true, 20, "chart-reasons", out);
	table("By reason", "Reason", &r->reasons, true, out);
	fputs("</section>\n<section><h2>Countries, data and senders</h2>\n", out);
	table("Held recipients by country of the party", "Country", &r->countries, true, out);
	table("Messages held by data category", "Category", &r->categories, false, out);
	char title[64];
	snprintf(title, sizeof title, "Top %u senders", r->top);
	table(title, "Sender", &r->senders, false, out);
	fputs("</section>\n", out);
}

/* Repeat patterns: senders and foreign parties. */
static void repeats(const struct report *r, FILE *out)
{
	fputs("<section><h2>Repeat patterns</h2>\n", out);
	static const char *const h[] = {"Who", ">Holds", "First", "Last"};
	for (int k = 0; k < 2; k++) {
		const struct report_list *l = k ? &r->repeat_parties : &r->repeat_senders;
		fprintf(out, "<h3>%s held %u times or more</h3>\n",
			k ? "Foreign or unknown parties" : "Senders",
			k ? r->repeat_party : r->repeat_sender);
		thead(h, 4, out);
		for (size_t i = 0; i < l->n; i++) {
			const struct report_row *p = &l->rows[i];
			char f[32], t[32];
			report_time_text(p->first, f);
			report_time_text(p->last, t);
			fputs("<tr><td>", out);
			if (k && !p->known)
				fputs("<span class=\"none\">unknown:</span> ", out);
			report_html_escape(p->key[0] ? p->key : "<>", out);
			if (k && p->country[0]) {
				fputs(" (", out);
				report_html_escape(p->country, out);
				fputs(")", out);
			}
			fputs("</td>", out);
			td_num(p->messages, out);
			td(f, out);
			td(t, out);
			fputs("</tr>\n", out);
		}
		if (l->n == 0)
			fputs("<tr><td colspan=\"4\" class=\"none\">none</td></tr>\n", out);
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);
}

/* One register line as a table row. */
static void line_row(const struct report_share_row *l, FILE *out)
{
	char cats[96];
	report_categories_text(l->categories, cats, sizeof cats);
	const char *tlp = tlp_name((enum tlp_level)l->tlp);
	fprintf(out, "<tr%s>", l->simulated ? " class=\"sim\"" : "");
	td(l->month, out);
	fputs("<td>", out);
	report_html_escape(l->party[0] ? l->party : "(own organisation)", out);
	if (l->name[0]) {
		fputs("<br>", out);
		report_html_escape(l->name, out);
	}
	if (l->simulated)
		fputs(" *", out);
	fputs("</td>", out);
	td(l->country[0] ? l->country : "-", out);
	td(l->bases[0] ? l->bases : "-", out);
	td(l->articles[0] ? l->articles : "-", out);
	td(cats[0] ? cats : "-", out);
	td(tlp[0] ? tlp : "-", out);
	td_num(l->shares, out);
	td_num(l->addresses, out);
	fputs("</tr>\n", out);
}

/* The register of shares, one table per regime with its dates. */
static void register_(const struct report *r, FILE *out)
{
	fputs("<section><h2>Register of shares</h2>\n<p class=\"meta\">What regulated data"
	      " went to which party on which basis, per month; each regime apart.</p>\n",
	      out);
	if (r->nregimes == 0)
		fputs("<p class=\"none\">No shares in this period and no registry.</p>\n", out);
	static const char *const h[] = {"Month",    "Party",	  "Country", "Bases",   "Articles",
					"Categories", "TLP", ">Shares", ">Addresses"};
	for (size_t g = 0; g < r->nregimes; g++) {
		const struct report_regime *rg = &r->regimes[g];
		char from[16], until[16];
		report_day_text(rg->from, from);
		report_day_text(rg->until, until);
		fputs("<h3>", out);
		report_html_escape(rg->id, out);
		fputs(" &mdash; ", out);
		report_html_escape(rg->name, out);
		fprintf(out, " <span class=\"meta\">(%s to %s): %" PRIu64 " shares, %" PRIu64
			     " public addresses",
			from, until, rg->shares, rg->addresses);
		if (rg->simulated)
			fprintf(out, ", %" PRIu64 " in simulate mode", rg->simulated);
		fputs("</span></h3>\n", out);
		if (rg->lines == 0) {
			fputs("<p class=\"none\">No shares under this regime in the period.</p>\n", out);
			continue;
		}
		thead(h, 9, out);
		for (size_t i = 0; i < r->nlines; i++)
			if (r->lines[i].regime == g)
				line_row(&r->lines[i], out);
		fputs("</tbody></table>\n", out);
	}
	if (r->shares_simulated > 0)
		fputs("<p class=\"sim\">* simulate mode: delivered although it would have been"
		      " held.</p>\n",
		      out);
	if (r->lines_truncated)
		fprintf(out, "<p class=\"none\">Only the first %d lines; the totals count all.</p>\n",
			REPORT_MAX_ROWS);
	fputs("</section>\n", out);
}

int report_write_html(const struct report *r, FILE *out)
{
	head(r, out);
	series(r, out);
	parties(r, out);
	breakdowns(r, out);
	repeats(r, out);
	register_(r, out);
	fprintf(out,
		"<footer>From the record of grondslag (store schema %d), not from logs. Messages"
		" held, senders, categories and outcomes count messages; parties, countries and"
		" reasons count held recipients. Outcomes are as of the generation time; the time"
		" to decision counts holds released or denied by jurists (not expired).</footer>\n"
		"</main></body></html>\n",
		r->schema);
	return ferror(out) ? -1 : 0;
}
