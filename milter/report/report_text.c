/*
 * report_text.c - the report for the terminal (see report.h): a summary,
 * then each breakdown as an aligned table, the series with a bar of '#',
 * and the register of shares per regime.
 *
 * Public function: report_write_text().
 * Limits: a cell wider than TEXT_CELL_MAX is cut (with "~"), so a hostile
 * sender address cannot push the table apart; control characters in
 * stored text are shown as '?'.
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "report_priv.h"

#define TEXT_COLS 10
#define TEXT_CELL_MAX 48
#define TEXT_BAR 40

/* A table being printed: cells are copied (and sanitised) as they come. */
struct ttable {
	size_t ncols, nrows, cap;
	bool right[TEXT_COLS];		/* right-aligned (numbers) */
	size_t width[TEXT_COLS];
	char (*cells)[TEXT_COLS][TEXT_CELL_MAX + 1];
	bool failed;
};

/* Copy s into a cell: control characters as '?', cut with '~'. */
static void cell_set(char *dst, const char *s)
{
	size_t n = clean_copy(dst, TEXT_CELL_MAX + 1, s, TEXT_CELL_MAX, 0);
	if (s != NULL && s[n] != '\0')
		dst[n - 1] = '~';
}

/* A table with its header; columns named with a leading '>' are
 * right-aligned. */
static void tt_init(struct ttable *t, size_t ncols, const char *const *head)
{
	memset(t, 0, sizeof *t);
	t->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		t->right[i] = head[i][0] == '>';
}

/* Add a row of ncols strings. */
static void tt_row(struct ttable *t, const char *const *v)
{
	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		void *n = realloc(t->cells, cap * sizeof *t->cells);
		if (n == NULL) {
			t->failed = true;
			return;
		}
		t->cells = n;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		cell_set(t->cells[t->nrows][i], v[i]);
		size_t w = strlen(t->cells[t->nrows][i]);
		if (w > t->width[i])
			t->width[i] = w;
	}
	t->nrows++;
}

/* Print the header (without the '>' marks) and the rows, then free. */
static void tt_print(struct ttable *t, const char *const *head, FILE *out)
{
	for (size_t i = 0; i < t->ncols; i++) {
		const char *h = head[i] + (head[i][0] == '>');
		if (strlen(h) > t->width[i])
			t->width[i] = strlen(h);
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		fputs("  ", out);
		for (size_t i = 0; i < t->ncols; i++) {
			const char *v = r == 0 ? head[i] + (head[i][0] == '>') : t->cells[r - 1][i];
			int w = (int)t->width[i];
			bool last = i + 1 == t->ncols;
			if (t->right[i])
				fprintf(out, "%*s", w, v);
			else if (last)
				fputs(v, out);
			else
				fprintf(out, "%-*s", w, v);
			fputs(last ? "\n" : "  ", out);
		}
	}
	if (t->failed)
		fputs("  (out of memory: table incomplete)\n", out);
	free(t->cells);
	t->cells = NULL;
}

/* s with control characters as '?' (a static buffer: one use per call
 * of fprintf at a time, so each is printed before the next). */
static const char *clean_text(const char *s)
{
	static char buf[4][4200];
	static unsigned k;
	char *b = buf[k++ % 4];
	clean_copy(b, sizeof buf[0], s, sizeof buf[0] - 1, 0);
	return b;
}

/* Section heading. */
static void heading(const char *title, FILE *out)
{
	fprintf(out, "\n%s\n", title);
	for (size_t i = 0; title[i] != '\0'; i++)
		fputc('-', out);
	fputc('\n', out);
}

/* The period, generation time and the totals. */
static void summary(const struct report *r, FILE *out)
{
	char a[32], b[32], g[32], med[32], p90[32];
	report_day_text(date_from_time(r->since), a);
	report_day_text(date_from_time(r->until), b);
	report_time_text(r->now, g);
	const char *reg = strrchr(r->registry_file, '/');
	reg = reg ? reg + 1 : r->registry_file;
	fprintf(out, "grondslag report\n\n");
	fprintf(out, "  Period          %s to %s (exclusive), UTC, by %s\n", a, b,
		r->grain == REPORT_GRAIN_WEEK ? "ISO week" : "month");
	fprintf(out, "  Generated       %s\n", g);
	fprintf(out, "  Registry        %s\n", reg[0] ? reg : "none (party ids stand for countries)");
	const char *fk[] = {"party", "sender", "basis"};
	const char *fv[] = {r->f_party, r->f_sender, r->f_basis};
	for (int i = 0; i < 3; i++)
		if (fv[i][0] != '\0')
			fprintf(out, "  Filter          %s %s\n", fk[i], clean_text(fv[i]));
	if (r->pseudonymised)
		fputs("  Senders         pseudonymised (sender-1: held most often;"
		      " --sender-names names them)\n", out);
	/* the audit chain's statement right after the head: read first */
	report_chain_here(r, REPORT_TEXT, out);
	heading("Summary", out);
	fprintf(out, "  Messages held                    %llu\n", (unsigned long long)r->holds);
	for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
		fprintf(out, "    %-30s %llu messages\n", report_outcome_names[i],
			(unsigned long long)r->outcomes[i]);
	fprintf(out, "  Held recipients                  %llu\n",
		(unsigned long long)r->held_recipients);
	report_duration_text(r->decision_median, med);
	report_duration_text(r->decision_p90, p90);
	char label[64];
	snprintf(label, sizeof label, "Time to decision (%llu decided)",
		 (unsigned long long)r->decided);
	fprintf(out, "  %-32s median %s, p90 %s\n", label, med, p90);
	fprintf(out, "  Shared on a basis (recipients)   %llu, %llu public addresses\n",
		(unsigned long long)r->shares, (unsigned long long)r->addresses);
	if (r->shares_internal > 0)
		fprintf(out, "  Own organisation (recipients)    %llu (delivered inside: not a share)\n",
			(unsigned long long)r->shares_internal);
	if (r->expiry_days > 0)
		fprintf(out, "  Open holds overdue               %llu, %llu close to expiry\n",
			(unsigned long long)r->overdue, (unsigned long long)r->closing);
	if (r->prev.has) {
		char pa[16], pb[16];
		report_day_text(date_from_time(r->prev.since), pa);
		report_day_text(date_from_time(r->prev.until), pb);
		fprintf(out, "  Period before (%s to %s): %llu messages held, %llu held recipients,"
			     " %llu shared\n",
			pa, pb, (unsigned long long)r->prev.holds,
			(unsigned long long)r->prev.held_recipients, (unsigned long long)r->prev.shares);
	}
	if (r->shares_simulated > 0)
		fprintf(out, "  Delivered in simulate mode       %llu (would have been held)\n",
			(unsigned long long)r->shares_simulated);
}

/* The series as rows with a bar scaled to the largest bucket. */
static void series(const struct report *r, FILE *out)
{
	heading(r->grain == REPORT_GRAIN_WEEK ? "Holds per week" : "Holds per month", out);
	uint64_t max = 0;
	for (size_t i = 0; i < r->nbuckets; i++)
		if (r->buckets[i].holds > max)
			max = r->buckets[i].holds;
	fprintf(out, "  %-8s  %7s  %7s\n", r->grain == REPORT_GRAIN_WEEK ? "week" : "month",
		"holds", "shares");
	for (size_t i = 0; i < r->nbuckets; i++) {
		const struct report_bucket *b = &r->buckets[i];
		unsigned bar = max ? (unsigned)((b->holds * TEXT_BAR + max - 1) / max) : 0;
		fprintf(out, "  %-8s  %7llu  %7llu%s", b->label, (unsigned long long)b->holds,
			(unsigned long long)b->shares, bar ? "  " : "");
		for (unsigned k = 0; k < bar; k++)
			fputc('#', out);
		fputc('\n', out);
	}
}

/* A list of (key, count) rows; by_recipients picks the count. */
static void simple_list(const char *title, const char *keyname, const struct report_list *l,
			bool by_recipients, size_t max, FILE *out)
{
	heading(title, out);
	if (l->n == 0) {
		fputs("  none\n", out);
		return;
	}
	const char *head[2] = {keyname, by_recipients ? ">recipients" : ">messages"};
	struct ttable t;
	tt_init(&t, 2, head);
	for (size_t i = 0; i < l->n && i < max; i++) {
		char n[24];
		snprintf(n, sizeof n, "%llu",
			 (unsigned long long)(by_recipients ? l->rows[i].recipients
							    : l->rows[i].messages));
		const char *v[2] = {l->rows[i].key[0] ? l->rows[i].key : "<>", n};
		tt_row(&t, v);
	}
	tt_print(&t, head, out);
	if (l->n > max)
		fprintf(out, "  ... %zu more (see --format csv or json)\n", l->n - max);
}

/* Held recipients by party: id (or domain of an unknown party), name,
 * country. */
static void parties(const struct report *r, FILE *out)
{
	heading("Held recipients by party", out);
	if (r->parties.n == 0) {
		fputs("  none\n", out);
		return;
	}
	static const char *const head[5] = {"party", "name", "country", ">recipients",
					    ">messages"};
	struct ttable t;
	tt_init(&t, 5, head);
	for (size_t i = 0; i < r->parties.n && i < r->top; i++) {
		const struct report_row *p = &r->parties.rows[i];
		char key[TEXT_CELL_MAX + 16], n[24], m[24];
		snprintf(key, sizeof key, "%s%s", p->known ? "" : "unknown: ", p->key);
		snprintf(n, sizeof n, "%llu", (unsigned long long)p->recipients);
		snprintf(m, sizeof m, "%llu", (unsigned long long)p->messages);
		const char *v[5] = {key, p->name, p->country[0] ? p->country : "-", n, m};
		tt_row(&t, v);
	}
	tt_print(&t, head, out);
	if (r->parties.n > r->top)
		fprintf(out, "  ... %zu more (see --format csv or json)\n", r->parties.n - r->top);
}

/* Senders and foreign parties held again and again. */
static void repeats(const struct report *r, FILE *out)
{
	char title[96];
	heading("Repeat patterns", out);
	snprintf(title, sizeof title, "  Senders held %u times or more:\n", r->repeat_sender);
	fputs(title, out);
	static const char *const head[4] = {"who", ">holds", "first", "last"};
	const struct report_list *lists[2] = {&r->repeat_senders, &r->repeat_parties};
	for (int k = 0; k < 2; k++) {
		if (k == 1)
			fprintf(out, "  Parties outside the EEA or unknown held %u times or more:\n",
				r->repeat_party);
		if (lists[k]->n == 0) {
			fputs("  none\n", out);
			continue;
		}
		struct ttable t;
		tt_init(&t, 4, head);
		for (size_t i = 0; i < lists[k]->n; i++) {
			const struct report_row *p = &lists[k]->rows[i];
			char n[24], f[32], l[32], who[TEXT_CELL_MAX + 32];
			snprintf(n, sizeof n, "%llu", (unsigned long long)p->messages);
			report_time_text(p->first, f);
			report_time_text(p->last, l);
			if (k == 0)
				snprintf(who, sizeof who, "%s", p->key[0] ? p->key : "<>");
			else
				snprintf(who, sizeof who, "%s%s (%s)", p->known ? "" : "unknown: ",
					 p->key, p->country[0] ? p->country : "-");
			const char *v[4] = {who, n, f, l};
			tt_row(&t, v);
		}
		tt_print(&t, head, out);
	}
}

/* The register of shares, one block per regime with its dates. */
static void register_of_shares(const struct report *r, FILE *out)
{
	heading("Register of shares (delivered on a basis)", out);
	if (r->nregimes == 0)
		fputs("  no shares and no registry\n", out);
	static const char *const head[9] = {"month",	  "party", "country", "bases",  "articles",
					    "categories", "tlp",   ">shares", ">addresses"};
	for (size_t g = 0; g < r->nregimes; g++) {
		const struct report_regime *rg = &r->regimes[g];
		char from[16], until[16];
		report_day_text(rg->from, from);
		report_day_text(rg->until, until);
		fprintf(out, "\n  %s - %s (%s to %s)\n  shares %llu, public addresses %llu", rg->id,
			rg->name, from, until, (unsigned long long)rg->shares,
			(unsigned long long)rg->addresses);
		if (rg->simulated)
			fprintf(out, ", in simulate mode %llu", (unsigned long long)rg->simulated);
		fputc('\n', out);
		if (rg->lines == 0)
			continue;
		struct ttable t;
		tt_init(&t, 9, head);
		for (size_t i = 0; i < r->nlines; i++) {
			const struct report_share_row *l = &r->lines[i];
			if (l->regime != g)
				continue;
			char party[TEXT_CELL_MAX + 8], cats[96], n[24], a[24];
			snprintf(party, sizeof party, "%s%s", l->party[0] ? l->party : "(own)",
				 l->simulated ? " *" : "");
			report_categories_text(l->categories, cats, sizeof cats);
			snprintf(n, sizeof n, "%llu", (unsigned long long)l->shares);
			snprintf(a, sizeof a, "%llu", (unsigned long long)l->addresses);
			const char *tlp = tlp_name((enum tlp_level)l->tlp);
			const char *v[9] = {l->month,	  party,	   l->country[0] ? l->country : "-",
					    l->bases[0] ? l->bases : "-", l->articles[0] ? l->articles : "-",
					    cats[0] ? cats : "-", tlp[0] ? tlp : "-", n, a};
			tt_row(&t, v);
		}
		tt_print(&t, head, out);
	}
	if (r->shares_simulated > 0)
		fputs("  * simulate mode: delivered although it would have been held\n", out);
	if (r->lines_truncated)
		fprintf(out, "  (only the first %d lines; the totals count all)\n", REPORT_MAX_ROWS);
}

/* The register of decisions: one block per recipient decided, the
 * jurists' words whole (never cut like a table cell). */
static void decisions(const struct report *r, FILE *out)
{
	heading("Register of decisions (recipients released or denied)", out);
	if (r->ndecisions == 0)
		fputs("  none\n", out);
	for (size_t i = 0; i < r->ndecisions; i++) {
		const struct report_decision_row *x = &r->decisions[i];
		char t[32];
		report_time_text((time_t)x->decided_at, t);
		fprintf(out, "  %s  %s  %s  %s", t, x->ref, x->released ? "released" : "denied",
			x->party[0] ? clean_text(x->party) : "unknown party");
		if (x->country[0])
			fprintf(out, " (%s)", x->country);
		fprintf(out, "\n      %s: %s\n", x->released ? "approved by" : "denied by",
			x->jurists[0] ? clean_text(x->jurists) : "-");
		if (x->released)
			fprintf(out, "      bases: %s\n", x->bases[0] ? clean_text(x->bases) : "-");
		fprintf(out, "      justification: %s\n", x->reasons[0] ? clean_text(x->reasons) : "-");
	}
	if (r->decisions_truncated)
		fprintf(out, "  (only the first %d; %llu released, %llu denied in all)\n",
			REPORT_MAX_ROWS, (unsigned long long)r->released_rcpts,
			(unsigned long long)r->denied_rcpts);
}

/* Open holds past or near their expiry; transfers outside the EEA. */
static void overdue_transfers(const struct report *r, FILE *out)
{
	if (r->expiry_days > 0) {
		heading("Open holds overdue or close to expiry", out);
		if (r->nopen == 0)
			fputs("  none\n", out);
		for (size_t i = 0; i < r->nopen; i++) {
			const struct report_open_row *x = &r->open[i];
			char a[32], b[32];
			report_time_text((time_t)x->received, a);
			report_time_text((time_t)x->expires, b);
			fprintf(out, "  %s  %-10s received %s  expires %s  %s\n", x->ref,
				x->party[0] ? clean_text(x->party) : "-", a, b,
				x->expires <= (int64_t)r->now ? "OVERDUE" : "close to expiry");
		}
	}
	heading("Transfers outside the EEA by transfer mechanism (recipients)", out);
	if (r->mechanisms.n == 0)
		fputs("  none\n", out);
	for (size_t i = 0; i < r->mechanisms.n; i++)
		fprintf(out, "  %-28s %llu shared, %llu public addresses\n",
			clean_text(r->mechanisms.rows[i].key),
			(unsigned long long)r->mechanisms.rows[i].recipients,
			(unsigned long long)r->mechanisms.rows[i].addresses);
}

int report_write_text(const struct report *r, FILE *out)
{
	summary(r, out);
	series(r, out);
	parties(r, out);
	simple_list("Held recipients by country", "country", &r->countries, true, SIZE_MAX, out);
	simple_list("Held recipients by reason", "reason", &r->reasons, true, SIZE_MAX, out);
	simple_list("Messages held by data category", "category", &r->categories, false, SIZE_MAX,
		    out);
	char title[64];
	snprintf(title, sizeof title, "Top %u senders (messages held)", r->top);
	simple_list(title, "sender", &r->senders, false, r->top, out);
	repeats(r, out);
	decisions(r, out);
	overdue_transfers(r, out);
	register_of_shares(r, out);
	return ferror(out) ? -1 : 0;
}
