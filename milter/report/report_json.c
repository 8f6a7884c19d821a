/*
 * report_json.c - the report as one JSON document (see report.h), written
 * with the project's JSON writer (json.h).  The shape:
 *
 *   {report, version, period{since, until, series}, generated, registry,
 *    summary{holds, held_recipients, outcomes{...}, decided,
 *            decision_seconds{median, p90}|null, shares, public_addresses,
 *            shares_simulated, recipients_own_organisation,
 *            holds_overdue, holds_close_to_expiry},
 *    filter{party, sender, basis}, senders_pseudonymised,
 *    previous_period{since, until, holds, ...}|null,
 *    series[{period, start, holds, shares}],
 *    parties[{party|null, domain|null, name, country|null, foreign,
 *             recipients, messages}], truncated flags,
 *    countries[], reasons[], categories[], senders[],
 *    repeat{sender_threshold, party_threshold, senders[], parties[]},
 *    decisions[{decided, ref, party|null, name, outcome, jurists[], bases[],
 *               justification}], decisions_truncated,
 *    open_holds_overdue_or_close[{ref, party, received, expires, overdue}],
 *    transfers_by_mechanism[{mechanism, shares, public_addresses}],
 *    register{truncated, regimes[{id, name, valid_from, valid_until,
 *             shares, public_addresses, shares_simulated, lines[...]}]}}
 *
 * Dates are "YYYY-MM-DD" (null for an open end), times ISO 8601 UTC.
 * Public function: report_write_json().
 */
#include <string.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "grondslag/base/json.h"
#include "report_priv.h"

/* A day, or null for an open end. */
static void json_day(struct json *j, int32_t day)
{
	char buf[16];
	if (day == DATE_MIN || day == DATE_MAX) {
		json_null(j);
		return;
	}
	report_day_text(day, buf);
	json_str(j, buf);
}

static void json_time(struct json *j, time_t t)
{
	char buf[32];
	report_time_text(t, buf);
	json_str(j, buf);
}

/* Key and unsigned value. */
static void kv_uint(struct json *j, const char *k, uint64_t v)
{
	json_key(j, k);
	json_uint(j, v);
}

static void kv_str(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

/* An array of the comma-separated items of s. */
static void json_split(struct json *j, const char *s)
{
	json_arr_begin(j);
	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		const char *p = s;
		size_t n = len;
		while (n > 0 && *p == ' ')
			p++, n--;
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0)
			json_strn(j, p, n);
		s += len;
		if (*s == ',')
			s++;
	}
	json_arr_end(j);
}

/* Period, generation time and the totals. */
static void head(const struct report *r, struct json *j)
{
	kv_str(j, "report", "grondslag");
	kv_uint(j, "version", 1);
	json_key(j, "period");
	json_obj_begin(j);
	json_key(j, "since");
	json_day(j, date_from_time(r->since));
	json_key(j, "until");
	json_day(j, date_from_time(r->until));
	kv_str(j, "series", r->grain == REPORT_GRAIN_WEEK ? "week" : "month");
	json_obj_end(j);
	json_key(j, "generated");
	json_time(j, r->now);
	const char *reg = strrchr(r->registry_file, '/');
	reg = reg ? reg + 1 : r->registry_file;
	json_key(j, "registry");
	json_str(j, reg[0] ? reg : NULL);

	json_key(j, "summary");
	json_obj_begin(j);
	kv_uint(j, "holds", r->holds);
	kv_uint(j, "held_recipients", r->held_recipients);
	json_key(j, "outcomes");
	json_obj_begin(j);
	for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
		kv_uint(j, report_outcome_names[i], r->outcomes[i]);
	json_obj_end(j);
	kv_uint(j, "decided", r->decided);
	json_key(j, "decision_seconds");
	if (r->decided == 0) {
		json_null(j);
	} else {
		json_obj_begin(j);
		kv_uint(j, "median", (uint64_t)r->decision_median);
		kv_uint(j, "p90", (uint64_t)r->decision_p90);
		json_obj_end(j);
	}
	kv_uint(j, "shares", r->shares);
	kv_uint(j, "public_addresses", r->addresses);
	kv_uint(j, "shares_simulated", r->shares_simulated);
	kv_uint(j, "recipients_own_organisation", r->shares_internal);
	if (r->expiry_days > 0) {
		kv_uint(j, "holds_overdue", r->overdue);
		kv_uint(j, "holds_close_to_expiry", r->closing);
	}
	json_obj_end(j);
	json_key(j, "filter");
	json_obj_begin(j);
	kv_str(j, "party", r->f_party);
	kv_str(j, "sender", r->f_sender);
	kv_str(j, "basis", r->f_basis);
	json_obj_end(j);
	json_key(j, "senders_pseudonymised");
	json_bool(j, r->pseudonymised);
	json_key(j, "previous_period");
	if (!r->prev.has) {
		json_null(j);
	} else {
		json_obj_begin(j);
		json_key(j, "since");
		json_day(j, date_from_time(r->prev.since));
		json_key(j, "until");
		json_day(j, date_from_time(r->prev.until));
		kv_uint(j, "holds", r->prev.holds);
		kv_uint(j, "held_recipients", r->prev.held_recipients);
		json_key(j, "outcomes");
		json_obj_begin(j);
		for (int i = 0; i < REPORT_OUTCOME_COUNT; i++)
			kv_uint(j, report_outcome_names[i], r->prev.outcomes[i]);
		json_obj_end(j);
		kv_uint(j, "shares", r->prev.shares);
		kv_uint(j, "public_addresses", r->prev.addresses);
		json_obj_end(j);
	}
}

/* The register of decisions, the open holds past or near expiry, the
 * transfers outside the EEA by mechanism. */
static void dpo(const struct report *r, struct json *j)
{
	json_key(j, "decisions");
	json_arr_begin(j);
	for (size_t i = 0; i < r->ndecisions; i++) {
		const struct report_decision_row *x = &r->decisions[i];
		json_obj_begin(j);
		json_key(j, "decided");
		json_time(j, (time_t)x->decided_at);
		kv_str(j, "ref", x->ref);
		json_key(j, "party");
		if (x->party[0])
			json_str(j, x->party);
		else
			json_null(j);
		kv_str(j, "name", x->name);
		kv_str(j, "outcome", x->released ? "released" : "denied");
		json_key(j, "jurists");
		json_split(j, x->jurists);
		json_key(j, "bases");
		json_split(j, x->bases);
		kv_str(j, "justification", x->reasons);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "decisions_truncated");
	json_bool(j, r->decisions_truncated);
	if (r->expiry_days > 0) {
		json_key(j, "open_holds_overdue_or_close");
		json_arr_begin(j);
		for (size_t i = 0; i < r->nopen; i++) {
			json_obj_begin(j);
			kv_str(j, "ref", r->open[i].ref);
			kv_str(j, "party", r->open[i].party);
			json_key(j, "received");
			json_time(j, (time_t)r->open[i].received);
			json_key(j, "expires");
			json_time(j, (time_t)r->open[i].expires);
			json_key(j, "overdue");
			json_bool(j, r->open[i].expires <= (int64_t)r->now);
			json_obj_end(j);
		}
		json_arr_end(j);
	}
	json_key(j, "transfers_by_mechanism");
	json_arr_begin(j);
	for (size_t i = 0; i < r->mechanisms.n; i++) {
		json_obj_begin(j);
		kv_str(j, "mechanism", r->mechanisms.rows[i].key);
		kv_uint(j, "shares", r->mechanisms.rows[i].recipients);
		kv_uint(j, "public_addresses", r->mechanisms.rows[i].addresses);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* Parties (or the repeat list of parties, with first and last). */
static void parties(struct json *j, const struct report_list *l, bool repeat)
{
	json_arr_begin(j);
	for (size_t i = 0; i < l->n; i++) {
		const struct report_row *p = &l->rows[i];
		json_obj_begin(j);
		kv_str(j, "party", p->known ? p->key : NULL);
		kv_str(j, "domain", p->known ? NULL : p->key);
		kv_str(j, "name", p->name);
		kv_str(j, "country", p->country[0] ? p->country : NULL);
		json_key(j, "foreign");
		json_bool(j, p->foreign);
		if (repeat) {
			kv_uint(j, "holds", p->messages);
			json_key(j, "first");
			json_time(j, p->first);
			json_key(j, "last");
			json_time(j, p->last);
		} else {
			kv_uint(j, "recipients", p->recipients);
			kv_uint(j, "messages", p->messages);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* A list of {keyname: key, unit: count}. */
static void simple(struct json *j, const char *name, const char *keyname,
		   const struct report_list *l, bool recipients)
{
	json_key(j, name);
	json_arr_begin(j);
	for (size_t i = 0; i < l->n; i++) {
		json_obj_begin(j);
		kv_str(j, keyname, l->rows[i].key);
		kv_uint(j, recipients ? "recipients" : "messages",
			recipients ? l->rows[i].recipients : l->rows[i].messages);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* Senders held again and again. */
static void repeats(const struct report *r, struct json *j)
{
	json_key(j, "repeat");
	json_obj_begin(j);
	kv_uint(j, "sender_threshold", r->repeat_sender);
	kv_uint(j, "party_threshold", r->repeat_party);
	json_key(j, "senders");
	json_arr_begin(j);
	for (size_t i = 0; i < r->repeat_senders.n; i++) {
		const struct report_row *p = &r->repeat_senders.rows[i];
		json_obj_begin(j);
		kv_str(j, "sender", p->key);
		kv_uint(j, "holds", p->messages);
		json_key(j, "first");
		json_time(j, p->first);
		json_key(j, "last");
		json_time(j, p->last);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "parties");
	parties(j, &r->repeat_parties, true);
	json_obj_end(j);
}

/* One line of the register. */
static void line(struct json *j, const struct report_share_row *l)
{
	static const enum category all[] = {CAT_PROVIDER_TRACEABLE, CAT_PERSONAL_DATA,
					    CAT_INCIDENT, CAT_UNSCANNABLE, CAT_CREDENTIALS};
	json_obj_begin(j);
	kv_str(j, "month", l->month);
	kv_str(j, "party", l->party[0] ? l->party : NULL);
	kv_str(j, "name", l->name);
	kv_str(j, "country", l->country[0] ? l->country : NULL);
	json_key(j, "bases");
	json_split(j, l->bases);
	kv_str(j, "articles", l->articles);
	json_key(j, "categories");
	json_arr_begin(j);
	for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
		if (l->categories & all[k])
			json_str(j, category_name(all[k]));
	json_arr_end(j);
	const char *tlp = tlp_name((enum tlp_level)l->tlp);
	kv_str(j, "tlp", tlp[0] ? tlp : NULL);
	json_key(j, "simulated");
	json_bool(j, l->simulated);
	kv_uint(j, "shares", l->shares);
	kv_uint(j, "public_addresses", l->addresses);
	json_obj_end(j);
}

/* The register of shares, by regime. */
static void register_(const struct report *r, struct json *j)
{
	json_key(j, "register");
	json_obj_begin(j);
	json_key(j, "truncated");
	json_bool(j, r->lines_truncated);
	json_key(j, "regimes");
	json_arr_begin(j);
	for (size_t g = 0; g < r->nregimes; g++) {
		const struct report_regime *rg = &r->regimes[g];
		json_obj_begin(j);
		kv_str(j, "id", rg->id);
		kv_str(j, "name", rg->name);
		json_key(j, "valid_from");
		json_day(j, rg->from);
		json_key(j, "valid_until");
		json_day(j, rg->until);
		kv_uint(j, "shares", rg->shares);
		kv_uint(j, "public_addresses", rg->addresses);
		kv_uint(j, "shares_simulated", rg->simulated);
		json_key(j, "lines");
		json_arr_begin(j);
		for (size_t i = 0; i < r->nlines; i++)
			if (r->lines[i].regime == g)
				line(j, &r->lines[i]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

int report_write_json(const struct report *r, FILE *out)
{
	struct json *j = json_new(out, true);
	if (j == NULL)
		return -1;
	json_obj_begin(j);
	head(r, j);
	json_key(j, "series");
	json_arr_begin(j);
	for (size_t i = 0; i < r->nbuckets; i++) {
		char day[16];
		report_day_text(r->buckets[i].day, day);
		json_obj_begin(j);
		kv_str(j, "period", r->buckets[i].label);
		kv_str(j, "start", day);
		kv_uint(j, "holds", r->buckets[i].holds);
		kv_uint(j, "shares", r->buckets[i].shares);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "parties");
	parties(j, &r->parties, false);
	json_key(j, "parties_truncated");
	json_bool(j, r->parties.truncated);
	simple(j, "countries", "country", &r->countries, true);
	simple(j, "reasons", "reason", &r->reasons, true);
	simple(j, "categories", "category", &r->categories, false);
	simple(j, "senders", "sender", &r->senders, false);
	repeats(r, j);
	dpo(r, j);
	register_(r, j);
	/* the member "audit_chain", last */
	report_chain_here(r, REPORT_JSON, out);
	json_obj_end(j);
	return json_free(j);
}
