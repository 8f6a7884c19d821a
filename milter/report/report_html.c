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
	"details{margin:6px 0}summary{cursor:pointer;color:#2b4c7e}"
	".chain.bad{border:3px solid #b23b3b;background:#fdf0f0;padding:6px 10px}"
	".alarm{color:#b23b3b;font-weight:700;font-size:17px}"
	".card.warn b{color:#b23b3b}.up{color:#b23b3b}.down{color:#2e7d32}"
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

#define T(s) report_tr(r, s)

/* The filters the report was made with, and the pseudonyms. */
static void filters(const struct report *r, FILE *out)
{
	const char *k[] = {"party", "sender", "basis"};
	const char *v[] = {r->f_party, r->f_sender, r->f_basis};
	bool any = false;
	for (int i = 0; i < 3; i++) {
		if (v[i][0] == '\0')
			continue;
		fprintf(out, "%s%s: <b>", any ? ", " : "<p class=\"meta\">Filter &middot; ",
			T(k[i]));
		report_html_escape(v[i], out);
		fputs("</b>", out);
		any = true;
	}
	if (any)
		fputs("</p>\n", out);
	if (r->pseudonymised)
		fprintf(out, "<p class=\"meta\">%s</p>\n",
			T("Senders are pseudonymised (sender-1 is the sender held most often)."));
}

/* Title, period, generation time and the cards, each naming its unit. */
static void head(const struct report *r, FILE *out)
{
	char a[16], b[16], g[32], med[32], p90[32];
	report_day_text(date_from_time(r->since), a);
	report_day_text(date_from_time(r->until), b);
	report_time_text(r->now, g);
	fprintf(out,
		"<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">\n"
		"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"
		" style-src 'unsafe-inline'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
		"<title>%s %s %s %s</title>\n<style>%s</style></head>\n<body><main>\n"
		"<header><h1>%s</h1><p class=\"meta\">%s <b>%s</b> %s <b>%s</b>"
		" %s &middot; %s <b>%s</b> &middot; %s ",
		r->nl ? "nl" : "en", T("grondslag report"), a, T("to"), b, css,
		T("grondslag report"), T("Period"), a, T("to"), b, T("(exclusive, UTC)"),
		T("generated"), g, T("registry"));
	const char *reg = strrchr(r->registry_file, '/');
	reg = reg ? reg + 1 : r->registry_file;
	report_html_escape(reg[0] ? reg : T("none (party ids stand for countries)"), out);
	fputs("</p>\n", out);
	filters(r, out);
	/* the audit chain's statement at the end of the header */
	report_chain_here(r, REPORT_HTML, out);
	fputs("</header>\n<div class=\"cards\">\n", out);
	/* every card says what it counts: the outcomes are of messages */
	static const char *const outcome_cards[REPORT_OUTCOME_COUNT] = {
		"messages released", "messages denied", "messages expired", "messages pending"};
	card_num(r->holds, T("messages held"), out);
	for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
		card_num(r->outcomes[i], T(outcome_cards[i]), out);
	card_num(r->held_recipients, T("held recipients"), out);
	report_duration_text(r->decision_median, med);
	report_duration_text(r->decision_p90, p90);
	card(med, T("median time to decision"), out);
	card(p90, T("p90 time to decision"), out);
	card_num(r->shares, T("recipients outside the organisation shared on a basis"), out);
	card_num(r->addresses, T("public addresses shared"), out);
	if (r->shares_internal > 0)
		card_num(r->shares_internal, T("recipients inside the organisation (not a share)"),
			 out);
	if (r->shares_simulated > 0)
		card_num(r->shares_simulated, T("recipients delivered in simulate mode"), out);
	if (r->expiry_days > 0) {
		card_num(r->overdue, T("holds overdue"), out);
		card_num(r->closing, T("holds close to expiry"), out);
	}
	fputs("</div>\n", out);
}

/* One line of the comparison with the period before. */
static void compare_row(const struct report *r, const char *label, uint64_t now, uint64_t before,
			FILE *out)
{
	fputs("<tr>", out);
	td(T(label), out);
	td_num(now, out);
	td_num(before, out);
	int64_t d = (int64_t)now - (int64_t)before;
	fprintf(out, "<td class=\"n %s\">%+" PRId64 "</td></tr>\n",
		d > 0 ? "up" : d < 0 ? "down" : "", d);
}

/* The totals beside those of the period of the same length before. */
static void compare(const struct report *r, FILE *out)
{
	if (!r->prev.has)
		return;
	char a[16], b[16];
	report_day_text(date_from_time(r->prev.since), a);
	report_day_text(date_from_time(r->prev.until), b);
	fprintf(out, "<section><h2>%s</h2>\n<p class=\"meta\">%s %s %s %s</p>\n",
		T("Compared with the period before"), T("Period before"), a, T("to"), b);
	char c2[64], c3[64], c4[64];
	snprintf(c2, sizeof c2, ">%s", T("This period"));
	snprintf(c3, sizeof c3, ">%s", T("Period before"));
	snprintf(c4, sizeof c4, ">%s", T("Change"));
	const char *h[] = {T("Figure"), c2, c3, c4};
	thead(h, 4, out);
	compare_row(r, "Messages held", r->holds, r->prev.holds, out);
	compare_row(r, "Held recipients", r->held_recipients, r->prev.held_recipients, out);
	static const char *const oc[REPORT_OUTCOME_COUNT] = {
		"messages released", "messages denied", "messages expired", "messages pending"};
	for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
		compare_row(r, oc[i], r->outcomes[i], r->prev.outcomes[i], out);
	compare_row(r, "Recipients shared on a basis", r->shares, r->prev.shares, out);
	compare_row(r, "Public addresses shared", r->addresses, r->prev.addresses, out);
	fputs("</tbody></table></section>\n", out);
}

/* A chart's table, folded: the chart is what one reads first. */
static void fold_begin(const struct report *r, FILE *out)
{
	fprintf(out, "<details><summary>%s</summary>\n", T("The numbers"));
}

/* The time series chart with its numbers in a table. */
static void series(const struct report *r, FILE *out)
{
	bool week = r->grain == REPORT_GRAIN_WEEK;
	fprintf(out, "<section><h2>%s</h2>\n", T(week ? "Holds per week" : "Holds per month"));
	report_svg_series(r, out);
	fold_begin(r, out);
	char c2[64], c3[64];
	snprintf(c2, sizeof c2, ">%s", T("Messages held"));
	snprintf(c3, sizeof c3, ">%s", T("Recipients shared on a basis"));
	const char *h[] = {T(week ? "Week" : "Month"), T("Starts"), c2, c3};
	thead(h, 4, out);
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
	fputs("</tbody></table></details></section>\n", out);
}

/* Parties: chart of the top N and the full table. */
static void parties(const struct report *r, FILE *out)
{
	fprintf(out, "<section><h2>%s</h2>\n", T("Held recipients by party"));
	report_svg_bars(&r->parties, true, r->top, "chart-parties", out);
	fold_begin(r, out);
	char c3[64], c4[64];
	snprintf(c3, sizeof c3, ">%s", T("Recipients"));
	snprintf(c4, sizeof c4, ">%s", T("Messages"));
	const char *h[] = {T("Party"), T("Name"), T("Country"), c3, c4};
	thead(h, 5, out);
	for (size_t i = 0; i < r->parties.n; i++) {
		const struct report_row *p = &r->parties.rows[i];
		fputs("<tr><td>", out);
		if (!p->known)
			fprintf(out, "<span class=\"none\">%s</span> ", T("unknown:"));
		report_html_escape(p->key, out);
		fputs("</td>", out);
		td(p->name, out);
		td(p->country[0] ? p->country : "-", out);
		td_num(p->recipients, out);
		td_num(p->messages, out);
		fputs("</tr>\n", out);
	}
	if (r->parties.n == 0)
		fprintf(out, "<tr><td colspan=\"5\" class=\"none\">%s</td></tr>\n", T("none"));
	fputs("</tbody></table></details></section>\n", out);
}

/* A two-column table of a list. */
static void table(const struct report *r, const char *title, const char *keyname,
		  const struct report_list *l, bool recipients, FILE *out)
{
	if (title != NULL)
		fprintf(out, "<h3>%s</h3>\n", T(title));
	char c2[64];
	snprintf(c2, sizeof c2, ">%s", T(recipients ? "Held recipients" : "Messages"));
	const char *h[] = {T(keyname), c2};
	thead(h, 2, out);
	for (size_t i = 0; i < l->n; i++) {
		fputs("<tr>", out);
		td(l->rows[i].key[0] ? l->rows[i].key : "<>", out);
		td_num(recipients ? l->rows[i].recipients : l->rows[i].messages, out);
		fputs("</tr>\n", out);
	}
	if (l->n == 0)
		fprintf(out, "<tr><td colspan=\"2\" class=\"none\">%s</td></tr>\n", T("none"));
	fputs("</tbody></table>\n", out);
}

/* Reasons (chart, its table folded), countries, categories, senders. */
static void breakdowns(const struct report *r, FILE *out)
{
	fprintf(out, "<section><h2>%s</h2>\n", T("Held recipients by reason"));
	report_svg_bars(&r->reasons, true, 20, "chart-reasons", out);
	fold_begin(r, out);
	table(r, NULL, "Reason", &r->reasons, true, out);
	fprintf(out, "</details></section>\n<section><h2>%s</h2>\n",
		T("Countries, data and senders"));
	table(r, "Held recipients by country of the party", "Country", &r->countries, true, out);
	table(r, "Messages held by data category", "Category", &r->categories, false, out);
	fprintf(out, "<h3>%s (%u)</h3>\n", T("Top senders"), r->top);
	table(r, NULL, "Sender", &r->senders, false, out);
	fputs("</section>\n", out);
}

/* Repeat patterns: senders and foreign parties. */
static void repeats(const struct report *r, FILE *out)
{
	fprintf(out, "<section><h2>%s</h2>\n", T("Repeat patterns"));
	char c2[64];
	snprintf(c2, sizeof c2, ">%s", T("Holds"));
	const char *h[] = {T("Who"), c2, T("First"), T("Last")};
	for (int k = 0; k < 2; k++) {
		const struct report_list *l = k ? &r->repeat_parties : &r->repeat_senders;
		fprintf(out, "<h3>%s: %u</h3>\n",
			T(k ? "Parties outside the EEA or unknown held this often or more"
			    : "Senders held this often or more"),
			k ? r->repeat_party : r->repeat_sender);
		thead(h, 4, out);
		for (size_t i = 0; i < l->n; i++) {
			const struct report_row *p = &l->rows[i];
			char f[32], t[32];
			report_time_text(p->first, f);
			report_time_text(p->last, t);
			fputs("<tr><td>", out);
			if (k && !p->known)
				fprintf(out, "<span class=\"none\">%s</span> ", T("unknown:"));
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
			fprintf(out, "<tr><td colspan=\"4\" class=\"none\">%s</td></tr>\n",
				T("none"));
		fputs("</tbody></table>\n", out);
	}
	fputs("</section>\n", out);
}

/* One register line as a table row. */
static void line_row(const struct report *r, const struct report_share_row *l, FILE *out)
{
	char cats[96];
	report_categories_text(l->categories, cats, sizeof cats);
	const char *tlp = tlp_name((enum tlp_level)l->tlp);
	fprintf(out, "<tr%s>", l->simulated ? " class=\"sim\"" : "");
	td(l->month, out);
	fputs("<td>", out);
	report_html_escape(l->party[0] ? l->party : T("(own organisation)"), out);
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
	fprintf(out, "<section><h2>%s</h2>\n<p class=\"meta\">%s</p>\n", T("Register of shares"),
		T("What regulated data went to which party on which basis, per month; each regime"
		  " apart."));
	if (r->nregimes == 0)
		fprintf(out, "<p class=\"none\">%s</p>\n",
			T("No shares in this period and no registry."));
	char c8[64], c9[64];
	snprintf(c8, sizeof c8, ">%s", T("Shares"));
	snprintf(c9, sizeof c9, ">%s", T("Addresses"));
	const char *h[] = {T("Month"), T("Party"), T("Country"), T("Bases"), T("Articles"),
			   T("Categories"), "TLP", c8, c9};
	for (size_t g = 0; g < r->nregimes; g++) {
		const struct report_regime *rg = &r->regimes[g];
		char from[16], until[16];
		report_day_text(rg->from, from);
		report_day_text(rg->until, until);
		fputs("<h3>", out);
		report_html_escape(rg->id, out);
		fputs(" &mdash; ", out);
		report_html_escape(rg->name, out);
		fprintf(out, " <span class=\"meta\">(%s %s %s): %" PRIu64 " %s, %" PRIu64 " %s",
			from, T("to"), until, rg->shares, T("shares"), rg->addresses,
			T("public addresses"));
		if (rg->simulated)
			fprintf(out, ", %" PRIu64 " %s", rg->simulated, T("in simulate mode"));
		fputs("</span></h3>\n", out);
		if (rg->lines == 0) {
			fprintf(out, "<p class=\"none\">%s</p>\n",
				T("No shares under this regime in the period."));
			continue;
		}
		thead(h, 9, out);
		for (size_t i = 0; i < r->nlines; i++)
			if (r->lines[i].regime == g)
				line_row(r, &r->lines[i], out);
		fputs("</tbody></table>\n", out);
	}
	if (r->shares_simulated > 0)
		fprintf(out, "<p class=\"sim\">* %s</p>\n",
			T("simulate mode: delivered although it would have been held."));
	if (r->lines_truncated)
		fprintf(out, "<p class=\"none\">%s (%d)</p>\n",
			T("Only the first lines are shown; the totals count all."), REPORT_MAX_ROWS);
	fputs("</section>\n", out);
}

/* The register of decisions: who released what on which basis and why,
 * who denied what and why. */
static void decisions(const struct report *r, FILE *out)
{
	fprintf(out, "<section><h2>%s</h2>\n<p class=\"meta\">%s</p>\n",
		T("Register of decisions"),
		T("Every recipient released in the period with each jurist who approved it, the"
		  " bases named and the justifications; every recipient denied with who denied it"
		  " and why."));
	if (r->ndecisions == 0) {
		fprintf(out, "<p class=\"none\">%s</p></section>\n",
			T("No decisions in this period."));
		return;
	}
	const char *h[] = {T("Decided"), T("Hold"), T("Party"), T("Outcome"), T("Jurists"),
			   T("Bases"), T("Justification")};
	thead(h, 7, out);
	for (size_t i = 0; i < r->ndecisions; i++) {
		const struct report_decision_row *x = &r->decisions[i];
		char t[32];
		report_time_text((time_t)x->decided_at, t);
		fputs("<tr>", out);
		td(t, out);
		td(x->ref, out);
		fputs("<td>", out);
		report_html_escape(x->party[0] ? x->party : T("unknown:"), out);
		if (x->name[0]) {
			fputs("<br>", out);
			report_html_escape(x->name, out);
		}
		if (x->country[0]) {
			fputs(" (", out);
			report_html_escape(x->country, out);
			fputs(")", out);
		}
		fputs("</td>", out);
		td(T(x->released ? "released" : "denied"), out);
		td(x->jurists[0] ? x->jurists : "-", out);
		td(x->bases[0] ? x->bases : "-", out);
		td(x->reasons[0] ? x->reasons : "-", out);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table>\n", out);
	if (r->decisions_truncated)
		fprintf(out, "<p class=\"none\">%s (%d)</p>\n",
			T("Only the first lines are shown; the totals count all."), REPORT_MAX_ROWS);
	fputs("</section>\n", out);
}

/* Open holds past or near their expiry. */
static void overdue(const struct report *r, FILE *out)
{
	if (r->expiry_days == 0)
		return;
	fprintf(out, "<section><h2>%s</h2>\n", T("Open holds overdue or close to expiry"));
	if (r->nopen == 0) {
		fprintf(out, "<p class=\"none\">%s</p></section>\n", T("None."));
		return;
	}
	const char *h[] = {T("Hold"), T("Party"), T("Received"), T("Expires"), T("Outcome")};
	thead(h, 5, out);
	for (size_t i = 0; i < r->nopen; i++) {
		const struct report_open_row *x = &r->open[i];
		char a[32], b[32];
		report_time_text((time_t)x->received, a);
		report_time_text((time_t)x->expires, b);
		fputs("<tr>", out);
		td(x->ref, out);
		td(x->party[0] ? x->party : "-", out);
		td(a, out);
		td(b, out);
		td(T(x->expires <= (int64_t)r->now ? "overdue" : "close to expiry"), out);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></section>\n", out);
}

/* Shares outside the EEA by transfer mechanism. */
static void transfers(const struct report *r, FILE *out)
{
	fprintf(out, "<section><h2>%s</h2>\n", T("Transfers outside the EEA by transfer mechanism"));
	if (r->mechanisms.n == 0) {
		fprintf(out, "<p class=\"none\">%s</p></section>\n",
			T("No shares to parties outside the EEA in this period."));
		return;
	}
	char c2[64], c3[64], c4[64];
	snprintf(c2, sizeof c2, ">%s", T("Recipients shared on a basis"));
	snprintf(c3, sizeof c3, ">%s", T("Addresses"));
	snprintf(c4, sizeof c4, ">%s", T("Register lines"));
	const char *h[] = {T("Mechanism"), c2, c3, c4};
	thead(h, 4, out);
	for (size_t i = 0; i < r->mechanisms.n; i++) {
		const struct report_row *m = &r->mechanisms.rows[i];
		fputs("<tr>", out);
		td(m->key, out);
		td_num(m->recipients, out);
		td_num(m->addresses, out);
		td_num(m->messages, out);
		fputs("</tr>\n", out);
	}
	fputs("</tbody></table></section>\n", out);
}

int report_write_html(const struct report *r, FILE *out)
{
	head(r, out);
	compare(r, out);
	series(r, out);
	parties(r, out);
	breakdowns(r, out);
	repeats(r, out);
	decisions(r, out);
	overdue(r, out);
	transfers(r, out);
	register_(r, out);
	fprintf(out, "<footer>%s %d.</footer>\n</main></body></html>\n",
		T("From the record of grondslag, not from logs. Messages held, senders, categories and"
		  " outcomes count messages; parties, countries and reasons count held recipients;"
		  " shares and decisions count recipients. Outcomes are as of the generation time; the"
		  " time to decision counts holds released or denied by jurists (not expired). Store"
		  " schema"),
		r->schema);
	return ferror(out) ? -1 : 0;
}
