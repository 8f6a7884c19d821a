/*
 * report_scan.c - the two scans of held mail for a report (see report.h):
 *
 *   1. the holds received in the period, once: the series, the outcomes
 *      (holds.state), the time to the jurists' decision for holds
 *      released (the last approval) or denied (holds.decided_at), the
 *      data categories and the senders;
 *   2. their held recipients, driven by the holds (so the recipients of
 *      one hold come together and a party counts each message once): the
 *      parties (unknown ones by recipient domain), countries, reasons
 *      (the store keeps the codes of a recipient comma-separated) and the
 *      foreign parties held again and again.
 *
 * The store hands over the rows (store_report.h); they are counted here
 * in C (report_map.c): a sorting GROUP BY over a million rows costs
 * several times the scan.
 * Public functions (report_priv.h): report_scan_holds(),
 * report_scan_recipients().
 * Limits: REPORT_MAP_MAX senders and parties (the rest as "other");
 * reason codes longer than 63 bytes and senders longer than SENDER_MAX
 * are cut.
 */
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "report_priv.h"

/* Longest sender address counted (RFC 5321: 256 with brackets). */
#define SENDER_MAX 512

/* qsort comparison of int64. */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sort rows by recipients (then messages for equal counts), then key. */
static int cmp_recipients(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	if (x->recipients != y->recipients)
		return x->recipients < y->recipients ? 1 : -1;
	if (x->known != y->known)
		return x->known ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int cmp_messages(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	if (x->known != y->known)
		return x->known ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Sort a list (qsort must not see the NULL rows of an empty list). */
static void sort_rows(struct report_list *l, int (*cmp)(const void *, const void *))
{
	if (l->n > 1)
		qsort(l->rows, l->n, sizeof *l->rows, cmp);
}

/* Add to the row of key in a small list, creating it; -1 out of memory. */
static int list_count(struct report_list *l, const char *key, uint64_t messages,
		      uint64_t recipients)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->rows[i].key, key) == 0) {
			l->rows[i].messages += messages;
			l->rows[i].recipients += recipients;
			return 0;
		}
	}
	struct report_row *row = report_list_add(l, key, "");
	if (row == NULL)
		return -1;
	row->messages = messages;
	row->recipients = recipients;
	return 0;
}

/* Outcome of a state name: released, denied, expired, else pending. */
static enum report_outcome outcome_of(const char *state)
{
	for (int i = 0; i < REPORT_PENDING; i++)
		if (state != NULL && strcmp(state, report_outcome_names[i]) == 0)
			return (enum report_outcome)i;
	return REPORT_PENDING;
}

/* The counters of one scan of the holds. */
struct hold_scan {
	struct report *r;
	uint64_t cats[32];		/* by the five category bits */
	int64_t *times;			/* decision times */
	size_t ntimes, cap;
	struct report_map senders;
	struct report_map_entry other;	/* senders past REPORT_MAP_MAX */
};

/* The sender as counted: without angle brackets, ASCII lower-cased (in C:
 * the database's lower() and trim() cost as much as the whole scan), cut at
 * SENDER_MAX - 1 bytes. */
static size_t sender_key(const char *s, size_t len, char out[SENDER_MAX])
{
	if (s == NULL)
		len = 0;
	while (len > 0 && (*s == '<' || *s == '>'))
		s++, len--;
	while (len > 0 && (s[len - 1] == '<' || s[len - 1] == '>'))
		len--;
	if (len > SENDER_MAX - 1)
		len = SENDER_MAX - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	out[len] = '\0';
	return len;
}

/* Count one hold (store_report_holds() callback; non-zero: out of
 * memory). */
static int hold_row(void *arg, const struct store_report_hold *row)
{
	struct hold_scan *h = arg;
	struct report *r = h->r;
	int64_t received = row->received;
	struct report_bucket *b = report_bucket_of(r, (int32_t)(received / 86400));
	if (b != NULL)
		b->holds++;
	r->holds++;
	enum report_outcome o = outcome_of(row->state);
	r->outcomes[o]++;
	h->cats[row->categories & 31]++;
	if ((o == REPORT_RELEASED || o == REPORT_DENIED) && row->decided) {
		if (h->ntimes == h->cap) {
			size_t cap = h->cap ? h->cap * 2 : 1024;
			int64_t *n = realloc(h->times, cap * sizeof *n);
			if (n == NULL)
				return -1;
			h->times = n;
			h->cap = cap;
		}
		int64_t d = (int64_t)row->decided_at - received;
		h->times[h->ntimes++] = d < 0 ? 0 : d;
	}
	char sender[SENDER_MAX];
	size_t len = sender_key(row->sender, row->sender_len, sender);
	struct report_map_entry *e = report_map_get(&h->senders, sender, len);
	if (e == NULL && !h->senders.full)
		return -1;
	if (e == NULL)
		e = &h->other;
	e->count++;
	if (received < e->first)
		e->first = received;
	if (received > e->last)
		e->last = received;
	return 0;
}

/* The categories (a message may carry several), from the counts by bits. */
static int categories_from(struct report *r, const uint64_t cats[32])
{
	static const enum category all[] = {CAT_PROVIDER_TRACEABLE, CAT_PERSONAL_DATA,
					    CAT_INCIDENT, CAT_UNSCANNABLE, CAT_CREDENTIALS};
	for (unsigned bits = 0; bits < 32; bits++) {
		if (cats[bits] == 0)
			continue;
		if (bits == 0 && list_count(&r->categories, "none", cats[0], 0) != 0)
			return -1;
		for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
			if ((bits & all[i]) && list_count(&r->categories, category_name(all[i]),
							  cats[bits], 0) != 0)
				return -1;
	}
	sort_rows(&r->categories, cmp_messages);
	return 0;
}

/* Top senders and the repeat list: both a prefix of the senders by count. */
static int senders_from(struct report *r, struct report_map *m,
			const struct report_map_entry *rest)
{
	struct report_list all = {0};
	for (size_t i = 0; i <= m->cap; i++) {
		const struct report_map_entry *e = i < m->cap ? &m->slots[i] : rest;
		if (e->key == NULL && (i < m->cap || e->count == 0))
			continue;
		bool other = i == m->cap;
		struct report_row *row = report_list_add(&all, other ? "other" : e->key, "");
		if (row == NULL) {
			free(all.rows);
			return -1;
		}
		row->known = !other;
		row->messages = e->count;
		row->first = e->first;
		row->last = e->last;
	}
	sort_rows(&all, cmp_messages);
	r->senders_truncated = m->full;
	for (size_t i = 0; i < all.n; i++) {
		struct report_row *p = &all.rows[i];
		if (r->pseudonymised && p->known) {
			/* a management report names no staff: the rank stands
			 * for the address (same in every table of the report) */
			char alias[32];
			snprintf(alias, sizeof alias, "sender-%zu", i + 1);
			char *a = report_strdup(alias);
			if (a == NULL) {
				free(all.rows);
				return -1;
			}
			free(p->key);
			p->key = a;
		}
		bool top = i < r->top;
		bool repeat = p->known && p->messages >= r->repeat_sender &&
			      r->repeat_senders.n < REPORT_REPEAT_MAX;
		struct report_list *lists[2] = {top ? &r->senders : NULL,
						repeat ? &r->repeat_senders : NULL};
		for (int k = 0; k < 2; k++) {
			struct report_row *row =
				lists[k] ? report_list_add(lists[k], p->key, "") : NULL;
			if (row != NULL) {
				row->known = p->known;
				row->messages = p->messages;
				row->first = p->first;
				row->last = p->last;
			}
		}
		free(p->key);
		free(p->name);
	}
	free(all.rows);
	return 0;
}

int report_scan_holds(struct report *r, struct store *s, char *err, size_t errlen)
{
	r->decision_median = r->decision_p90 = -1;
	struct hold_scan h = {.r = r,
			      .senders = {.max = REPORT_MAP_MAX},
			      .other = {.first = INT64_MAX, .last = INT64_MIN}};
	int ok = report_scan_end(
		store_report_holds(s, r->since, r->until, hold_row, &h, err, errlen), err,
		errlen);
	if (ok == 0 && (categories_from(r, h.cats) != 0 || senders_from(r, &h.senders, &h.other) != 0))
		ok = -1;
	/* median and p90 by nearest rank */
	r->decided = h.ntimes;
	if (ok == 0 && h.ntimes > 0) {
		qsort(h.times, h.ntimes, sizeof *h.times, cmp_i64);
		r->decision_median = h.times[(h.ntimes + 1) / 2 - 1];
		r->decision_p90 = h.times[(h.ntimes * 9 + 9) / 10 - 1];
	}
	free(h.times);
	report_map_free(&h.senders);
	return ok;
}

/* ---- the recipients ------------------------------------------------------ */

/* The counters of one scan of the held recipients. */
struct rcpt_scan {
	struct report_map parties, reasons;
	struct report_map_entry other;	/* parties past REPORT_MAP_MAX */
};

/* "P" + party id, or "D" + the lower-cased domain of an unknown party's
 * recipient ("<a@B.example>" -> "Db.example"), into key. */
static size_t party_key(const struct store_report_rcpt *row, char *key, size_t size)
{
	if (row->party != NULL)
		return (size_t)snprintf(key, size, "P%.*s", (int)(size - 2), row->party);
	const char *rcpt = row->recipient;
	const char *at = rcpt ? strrchr(rcpt, '@') : NULL;
	const char *d = at ? at + 1 : rcpt ? rcpt : "";
	size_t n = 0;
	key[n++] = 'D';
	for (; *d != '\0' && *d != '>' && n + 1 < size; d++)
		key[n++] = *d >= 'A' && *d <= 'Z' ? (char)(*d - 'A' + 'a') : *d;
	key[n] = '\0';
	return n;
}

/* Count one held recipient (store_report_recipients() callback; non-zero:
 * out of memory). */
static int rcpt_row(void *arg, const struct store_report_rcpt *row)
{
	struct rcpt_scan *c = arg;
	char key[400];
	size_t len = party_key(row, key, sizeof key);
	if (len >= sizeof key)
		len = sizeof key - 1;
	int64_t hold = row->hold, received = row->received;
	struct report_map_entry *e = report_map_get(&c->parties, key, len);
	if (e == NULL && !c->parties.full)
		return -1;
	if (e == NULL)
		e = &c->other;
	e->count++;
	if (e->seen != hold) {	/* the rows of one hold come together */
		e->seen = hold;
		e->messages++;
	}
	if (received < e->first)
		e->first = received;
	if (received > e->last)
		e->last = received;
	e = report_map_get(&c->reasons, row->reasons, row->reasons_len);
	if (e == NULL && !c->reasons.full)
		return -1;
	if (e != NULL)
		e->count++;
	return 0;
}

/* Split the comma-separated reason combinations into codes. */
static int reasons_from(struct report *r, const struct report_map *m)
{
	for (size_t i = 0; i < m->cap; i++) {
		const struct report_map_entry *e = &m->slots[i];
		if (e->key == NULL)
			continue;
		bool any = false;
		for (const char *p = e->key; *p != '\0';) {
			char code[64];
			size_t len = strcspn(p, ",");
			size_t lead = 0;
			while (lead < len && p[lead] == ' ')
				lead++;
			size_t k = len - lead < sizeof code - 1 ? len - lead : sizeof code - 1;
			memcpy(code, p + lead, k);
			code[k] = '\0';
			if (k > 0) {
				any = true;
				if (list_count(&r->reasons, code, 0, e->count) != 0)
					return -1;
			}
			p += len + (p[len] == ',');
		}
		if (!any && list_count(&r->reasons, "none", 0, e->count) != 0)
			return -1;
	}
	sort_rows(&r->reasons, cmp_recipients);
	return 0;
}

/* Name, country and foreign of a party row, from the registry. */
static void party_describe(struct report *r, struct report_row *row,
			   const struct registry *reg)
{
	const struct registry_party *p =
		reg && row->known ? registry_party_by_id(reg, row->key) : NULL;
	if (p != NULL) {
		char *name = report_strdup(p->name);
		if (name != NULL) {
			free(row->name);
			row->name = name;
		}
		snprintf(row->country, sizeof row->country, "%s", p->jurisdiction);
	}
	/* foreign: outside the EEA (a third country), or not known at all:
	 * an EU CSIRT is a partner, not a transfer */
	row->foreign = !row->known || report_outside_eea(r, reg, row->country);
}

/* The party rows, sorted, with the rows past REPORT_MAX_ROWS (and past
 * the map) summed into one "other" row. */
static int parties_from(struct report *r, const struct rcpt_scan *c,
			const struct registry *reg)
{
	struct report_list *l = &r->parties;
	for (size_t i = 0; i < c->parties.cap; i++) {
		const struct report_map_entry *e = &c->parties.slots[i];
		if (e->key == NULL)
			continue;
		struct report_row *row = report_list_add(l, e->key + 1, "");
		if (row == NULL)
			return -1;
		row->known = e->key[0] == 'P';
		row->recipients = e->count;
		row->messages = e->messages;
		row->first = e->first;
		row->last = e->last;
		r->held_recipients += e->count;
		party_describe(r, row, reg);
	}
	sort_rows(l, cmp_recipients);
	uint64_t rest = c->other.count, rest_msgs = c->other.messages;
	while (l->n > REPORT_MAX_ROWS) {
		struct report_row *p = &l->rows[--l->n];
		rest += p->recipients;
		rest_msgs += p->messages;
		free(p->key);
		free(p->name);
	}
	r->held_recipients += c->other.count;
	if (rest > 0) {
		struct report_row *o = report_list_add(l, "other", "");
		if (o == NULL)
			return -1;
		o->recipients = rest;
		/* an upper bound: a message held for parties of two summed rows
		 * counts once in each (the rows are gone, so are their holds) */
		o->messages = rest_msgs;
		l->truncated = true;
	}
	return 0;
}

/* Countries (the party id stands for it without a registry) and the
 * foreign parties held again and again. */
static int countries_repeats(struct report *r)
{
	for (size_t i = 0; i < r->parties.n; i++) {
		const struct report_row *p = &r->parties.rows[i];
		bool other = r->parties.truncated && i + 1 == r->parties.n;
		const char *country = other	      ? "other"
				      : p->country[0] ? p->country
				      : p->known      ? p->key
						      : "unknown";
		if (list_count(&r->countries, country, 0, p->recipients) != 0)
			return -1;
		if (other || !p->foreign || p->messages < r->repeat_party ||
		    r->repeat_parties.n >= REPORT_REPEAT_MAX)
			continue;
		struct report_row *rp = report_list_add(&r->repeat_parties, p->key, p->name);
		if (rp == NULL)
			return -1;
		memcpy(rp->country, p->country, sizeof rp->country);
		rp->known = p->known;
		rp->foreign = p->foreign;
		rp->messages = p->messages;
		rp->recipients = p->recipients;
		rp->first = p->first;
		rp->last = p->last;
	}
	sort_rows(&r->countries, cmp_recipients);
	sort_rows(&r->repeat_parties, cmp_messages);
	return 0;
}

int report_scan_recipients(struct report *r, struct store *s, const struct registry *reg,
			   char *err, size_t errlen)
{
	/* the store hands the recipients of one hold over together */
	struct rcpt_scan c = {.parties = {.max = REPORT_MAP_MAX},
			      .reasons = {.max = REPORT_MAP_MAX},
			      .other = {.first = INT64_MAX, .last = INT64_MIN}};
	int ok = report_scan_end(
		store_report_recipients(s, r->since, r->until, rcpt_row, &c, err, errlen), err,
		errlen);
	if (ok == 0 && (reasons_from(r, &c.reasons) != 0 || parties_from(r, &c, reg) != 0 ||
			countries_repeats(r) != 0)) {
		snprintf(err, errlen, "report: out of memory");
		ok = -1;
	}
	report_map_free(&c.parties);
	report_map_free(&c.reasons);
	return ok;
}
