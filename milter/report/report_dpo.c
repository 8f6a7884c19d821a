/*
 * report_dpo.c - what a data protection officer asks of a report besides
 * the counts (see report.h):
 *
 *   the register of decisions: every recipient released in the period
 *     with each jurist who approved it, the bases named and the
 *     justifications, and every recipient denied with who denied it and
 *     why (GDPR art. 30; art. 49 transfers need exactly this);
 *   the open holds overdue (HoldExpiry passed, the expiry run has not
 *     come by) or close to expiry (within ExpiryWarning days);
 *   the shares to parties outside the EEA by transfer mechanism
 *     (adequacy, art. 46, art. 49, none) on the last day of the period.
 *
 * A party is outside the EEA when the registry's eea table does not list
 * its country on that day; "EU" (an EU body such as CERT-EU) is inside;
 * without a registry, or a country, it is unknown and counts as outside:
 * a DPO looks at what cannot be shown to be inside.
 *
 * Public functions (report_priv.h): report_dpo_scans(),
 * report_outside_eea(), report_dpo_free().
 * Limits: REPORT_MAX_ROWS lines of decisions and of open holds (then
 * truncated; the counts go on).
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

#define DAY 86400

bool report_outside_eea(const struct report *r, const struct registry *reg,
			const char *country)
{
	if (reg == NULL || country == NULL || country[0] == '\0')
		return true;
	if (strcmp(country, "EU") == 0)
		return false;
	return !registry_in_eea(reg, country, r->eea_date);
}

/* Append text to *list (", "-separated) unless it is there; false out of
 * memory. */
static bool add_distinct(char **list, const char *text, const char *sep)
{
	if (text[0] == '\0')
		return true;
	size_t n = strlen(*list), t = strlen(text), sl = strlen(sep);
	for (const char *p = *list; (p = strstr(p, text)) != NULL; p++)
		if ((p == *list || strncmp(p - sl, sep, sl) == 0) &&
		    (p[t] == '\0' || strncmp(p + t, sep, sl) == 0))
			return true;
	char *m = realloc(*list, n + sl + t + 1);
	if (m == NULL)
		return false;
	snprintf(m + n, sl + t + 1, "%s%s", n ? sep : "", text);
	*list = m;
	return true;
}

/* The scan of the decisions. */
struct dec_scan {
	struct report *r;
	const struct registry *reg;
	int64_t last;			/* the recipient of the last row */
};

static int decision_row(void *arg, const struct store_report_decision *d)
{
	struct dec_scan *c = arg;
	struct report *r = c->r;
	if (d->rcpt != c->last) {
		c->last = d->rcpt;
		if (d->released)
			r->released_rcpts++;
		else
			r->denied_rcpts++;
		if (r->ndecisions == REPORT_MAX_ROWS) {
			r->decisions_truncated = true;
			return 0;
		}
		if (r->ndecisions == r->cap_decisions) {
			size_t cap = r->cap_decisions ? r->cap_decisions * 2 : 64;
			struct report_decision_row *n = realloc(r->decisions, cap * sizeof *n);
			if (n == NULL)
				return -1;
			r->decisions = n;
			r->cap_decisions = cap;
		}
		struct report_decision_row *x = &r->decisions[r->ndecisions++];
		memset(x, 0, sizeof *x);
		const struct registry_party *p =
			c->reg && d->party[0] ? registry_party_by_id(c->reg, d->party) : NULL;
		x->ref = report_strdup(d->ref);
		x->party = report_strdup(d->party);
		x->name = report_strdup(p ? p->name : "");
		x->jurists = report_strdup("");
		x->bases = report_strdup("");
		x->reasons = report_strdup("");
		if (p != NULL)
			snprintf(x->country, sizeof x->country, "%s", p->jurisdiction);
		x->released = d->released;
		x->decided_at = d->decided_at;
		if (!x->ref || !x->party || !x->name || !x->jurists || !x->bases || !x->reasons)
			return -1;
	} else if (r->decisions_truncated) {
		return 0;
	}
	struct report_decision_row *x = &r->decisions[r->ndecisions - 1];
	return add_distinct(&x->jurists, d->jurist, ", ") && add_distinct(&x->bases, d->basis, ", ") &&
			       add_distinct(&x->reasons, d->reason, " | ")
		       ? 0
		       : -1;
}

/* The scan of the open holds. */
static int open_row(void *arg, const struct store_report_open *o)
{
	struct report *r = arg;
	int64_t expires = (int64_t)o->received + (int64_t)r->expiry_days * DAY;
	bool overdue = expires <= (int64_t)r->now;
	bool closing = !overdue && expires - (int64_t)r->now <= (int64_t)r->warning_days * DAY;
	if (!overdue && !closing)
		return 0;
	r->overdue += overdue;
	r->closing += closing;
	if (r->nopen == REPORT_MAX_ROWS)
		return 0;
	if (r->nopen == r->cap_open) {
		size_t cap = r->cap_open ? r->cap_open * 2 : 32;
		struct report_open_row *n = realloc(r->open, cap * sizeof *n);
		if (n == NULL)
			return -1;
		r->open = n;
		r->cap_open = cap;
	}
	struct report_open_row *x = &r->open[r->nopen++];
	x->ref = report_strdup(o->ref);
	x->party = report_strdup(o->party);
	x->received = o->received;
	x->expires = expires;
	return x->ref && x->party ? 0 : -1;
}

/* The register's lines outside the EEA by the party's transfer
 * mechanism on the EEA day. */
static int mechanisms(struct report *r, const struct registry *reg)
{
	for (size_t i = 0; i < r->nlines; i++) {
		const struct report_share_row *l = &r->lines[i];
		if (l->simulated || l->party[0] == '\0' || !report_outside_eea(r, reg, l->country))
			continue;
		const struct registry_party *p = reg ? registry_party_by_id(reg, l->party) : NULL;
		const struct registry_transfer *t = p ? registry_transfer_on(p, r->eea_date) : NULL;
		const char *m = p == NULL ? "unknown (no registry entry)"
				: t == NULL ? "none" : transfer_mechanism_name(t->mechanism);
		struct report_row *row = NULL;
		for (size_t k = 0; k < r->mechanisms.n && row == NULL; k++)
			if (strcmp(r->mechanisms.rows[k].key, m) == 0)
				row = &r->mechanisms.rows[k];
		if (row == NULL && (row = report_list_add(&r->mechanisms, m, "")) == NULL)
			return -1;
		row->recipients += l->shares;
		row->messages++;	/* register lines: party x month x bases */
		row->addresses += l->addresses;
	}
	return 0;
}

int report_dpo_scans(struct report *r, struct store *s, const struct registry *reg,
		     char *err, size_t errlen)
{
	struct dec_scan c = {.r = r, .reg = reg, .last = -1};
	if (report_scan_end(store_report_decisions(s, r->since, r->until, decision_row, &c, err,
						   errlen),
			    err, errlen) != 0)
		return -1;
	if (r->expiry_days > 0 &&
	    report_scan_end(store_report_open_holds(s, open_row, r, err, errlen), err, errlen) != 0)
		return -1;
	if (mechanisms(r, reg) != 0) {
		snprintf(err, errlen, "report: out of memory");
		return -1;
	}
	return 0;
}

void report_dpo_free(struct report *r)
{
	for (size_t i = 0; i < r->ndecisions; i++) {
		struct report_decision_row *x = &r->decisions[i];
		free(x->ref);
		free(x->party);
		free(x->name);
		free(x->jurists);
		free(x->bases);
		free(x->reasons);
	}
	free(r->decisions);
	for (size_t i = 0; i < r->nopen; i++) {
		free(r->open[i].ref);
		free(r->open[i].party);
	}
	free(r->open);
	report_list_free(&r->mechanisms);
	free(r->f_party);
	free(r->f_sender);
	free(r->f_basis);
}
