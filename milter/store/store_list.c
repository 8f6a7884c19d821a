/*
 * store_list.c - listings of holds for the jurists (held, show, the bulk
 * commands): holds matching a filter with their recipients, and the
 * approvals of one hold.  Read-only; one read transaction per call so a
 * listing is one moment of the store.
 *
 * Public functions: store_holds_list(), store_hold_list_free(),
 * store_hold_approvals(), store_approvals_free(), store_party_held().
 * Limits: at most filter.limit (default STORE_LIST_MAX) holds from
 * filter.offset on (a page); more sets truncated, total counts them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* Free the strings of one summary. */
static void summary_free(struct store_hold_summary *h)
{
	free(h->queue_id);
	free(h->sender);
	free(h->subject);
	free(h->state);
	free(h->summary_json);
	for (size_t i = 0; i < h->nrcpts; i++) {
		free(h->rcpts[i]);
		free(h->rcpt_states[i]);
		free(h->parties[i]);
		free(h->reasons[i]);
	}
	free(h->rcpts);
	free(h->rcpt_states);
	free(h->parties);
	free(h->reasons);
	free(h->approvals);
	free(h->release_error);
	free(h->holder);
	free(h->advice_of);
}

void store_hold_list_free(struct store_hold_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		summary_free(&l->holds[i]);
	free(l->holds);
	memset(l, 0, sizeof *l);
}

/* Append the recipient in the columns from 1 of st's row to h; 0 or -1. */
static int add_rcpt(struct store_hold_summary *h, struct db_stmt *st)
{
	size_t n = h->nrcpts + 1;
	char **a = realloc(h->rcpts, n * sizeof *a);
	if (a) h->rcpts = a;
	char **b = a ? realloc(h->rcpt_states, n * sizeof *b) : NULL;
	if (b) h->rcpt_states = b;
	char **c = b ? realloc(h->parties, n * sizeof *c) : NULL;
	if (c) h->parties = c;
	char **d = c ? realloc(h->reasons, n * sizeof *d) : NULL;
	if (d) h->reasons = d;
	unsigned *e = d ? realloc(h->approvals, n * sizeof *e) : NULL;
	if (e) h->approvals = e;
	if (e == NULL)
		return -1;
	size_t i = h->nrcpts++;
	h->rcpts[i] = store_column_dup(st, 1);
	h->rcpt_states[i] = store_column_dup(st, 2);
	h->parties[i] = store_column_dup(st, 3);
	h->reasons[i] = store_column_dup(st, 4);
	h->approvals[i] = (unsigned)db_column_int64(st, 5);
	return !h->rcpts[i] || !h->rcpt_states[i] || !h->parties[i] || !h->reasons[i] ? -1 : 0;
}

/* Which holds a filter matches (bound by bind_filter()): the open ones
 * (or all), then the rest of the filter.  The listing walks the holds in
 * the order of received (its index) and stops after the page; the count
 * reads every match, from the index of state and received when no other
 * filter is set, so the same state test is written as an IN list there. */
#define LIST_OPEN " (?1 <> 0 OR h.state IN ('pending','partly-approved','releasing'))"
#define COUNT_OPEN                                                                         \
	" h.state IN ('pending','partly-approved','releasing',"                            \
	" CASE WHEN ?1 <> 0 THEN 'released' END, CASE WHEN ?1 <> 0 THEN 'denied' END,"      \
	" CASE WHEN ?1 <> 0 THEN 'expired' END)"
#define LIST_FILTERS                                                                       \
	" AND h.received >= ?2"                                                            \
	" AND (?3 = '' OR instr(lower(h.sender), lower(?3)) > 0)"                          \
	" AND (?4 = '' OR EXISTS (SELECT 1 FROM hold_recipients r WHERE r.ref = h.ref"     \
	"      AND r.party = ?4))"                                                         \
	" AND (?5 = '' OR EXISTS (SELECT 1 FROM hold_recipients r WHERE r.ref = h.ref"     \
	"      AND instr(',' || r.reasons || ',', ',' || ?5 || ',') > 0))"

static void bind_filter(struct db_stmt *st, const struct store_hold_filter *f)
{
	db_bind_int64(st, 1, f->all_states ? 1 : 0);
	db_bind_int64(st, 2, (int64_t)f->since);
	store_bind_text(st, 3, f->sender);
	store_bind_text(st, 4, f->party);
	store_bind_text(st, 5, f->reason);
}

/* How many holds f matches, every page; 0 or -1. */
static int count_locked(struct store *s, const struct store_hold_filter *f, size_t *total)
{
	struct db_stmt *st = store_prepare(
		s, "SELECT count(*) FROM holds h WHERE" COUNT_OPEN LIST_FILTERS, NULL, 0);
	if (st == NULL)
		return -1;
	bind_filter(st, f);
	int rc = db_step(st) == DB_ROW ? 0 : -1;
	if (rc == 0)
		*total = (size_t)db_column_int64(st, 0);
	db_finalize(st);
	return rc;
}

/* The listing query, with the filter bound: one page of it, the case
 * columns read only for the holds of the page. */
static struct db_stmt *list_query(struct store *s, const struct store_hold_filter *f, char *err,
				size_t errlen)
{
	struct db_stmt *st = store_prepare(
		s,
		"WITH page AS (SELECT h.ref FROM holds h WHERE" LIST_OPEN LIST_FILTERS
		" ORDER BY h.received, h.ref LIMIT ?6 OFFSET ?7)"
		" SELECT h.ref, queue_id, sender, subject, state, summary_json, received,"
		" categories, tlp, release_attempts, release_error,"
		/* where the case stands (store_case.c): its holder, and the
		 * oldest request for advice still unanswered */
		" c.holder, c.since,"
		" (SELECT count(*) FROM hold_advice v WHERE v.ref = h.ref AND v.answered_at IS NULL),"
		" (SELECT asked_of FROM hold_advice v WHERE v.ref = h.ref AND v.answered_at IS NULL"
		"  ORDER BY v.id LIMIT 1),"
		" (SELECT min(asked_at) FROM hold_advice v WHERE v.ref = h.ref"
		"  AND v.answered_at IS NULL)"
		" FROM page JOIN holds h ON h.ref = page.ref"
		" LEFT JOIN hold_cases c ON c.ref = h.ref"
		" ORDER BY h.received, h.ref",
		err, errlen);
	if (st == NULL)
		return NULL;
	size_t limit = f->limit ? f->limit : STORE_LIST_MAX;
	bind_filter(st, f);
	db_bind_int64(st, 6, (int64_t)limit + 1);
	db_bind_int64(st, 7, (int64_t)f->offset);
	return st;
}

/* The recipients of the holds of the page in out (in the page's order):
 * one query for the page, not one per hold (a round trip each on
 * PostgreSQL).  0 or -1. */
static int page_rcpts(struct store *s, const struct store_hold_filter *f,
		      struct store_hold_list *out)
{
	struct db_stmt *st = store_prepare(
		s,
		"WITH page AS (SELECT h.ref, h.received FROM holds h WHERE" LIST_OPEN LIST_FILTERS
		" ORDER BY h.received, h.ref LIMIT ?6 OFFSET ?7)"
		" SELECT r.ref, r.recipient, r.state, r.party, r.reasons, r.approvals"
		" FROM page JOIN hold_recipients r ON r.ref = page.ref"
		" ORDER BY page.received, page.ref, r.id",
		NULL, 0);
	if (st == NULL)
		return -1;
	size_t limit = f->limit ? f->limit : STORE_LIST_MAX;
	bind_filter(st, f);
	db_bind_int64(st, 6, (int64_t)limit + 1);
	db_bind_int64(st, 7, (int64_t)f->offset);
	int rc = 0, step;
	size_t i = 0;
	while (rc == 0 && (step = db_step(st)) == DB_ROW) {
		const char *ref = db_column_text(st, 0);
		while (i < out->n && (ref == NULL || strcmp(out->holds[i].ref, ref) != 0))
			i++;
		if (i == out->n)
			break;	/* the hold after the page */
		rc = add_rcpt(&out->holds[i], st);
	}
	if (rc == 0 && step != DB_ROW && step != DB_DONE)
		rc = -1;
	db_finalize(st);
	return rc;
}

/* The listing inside a read transaction (lock held). */
static int list_locked(struct store *s, const struct store_hold_filter *f,
		       struct store_hold_list *out, char *err, size_t errlen)
{
	if (count_locked(s, f, &out->total) != 0) {
		store_errf(err, errlen, "store: counting holds: %s", db_errmsg(s->db));
		return -1;
	}
	struct db_stmt *st = list_query(s, f, err, errlen);
	if (st == NULL)
		return -1;
	size_t limit = f->limit ? f->limit : STORE_LIST_MAX;
	int rc = 0;
	while (rc == 0 && db_step(st) == DB_ROW) {
		if (out->n == limit) {
			out->truncated = true;
			break;
		}
		struct store_hold_summary *n = realloc(out->holds, (out->n + 1) * sizeof *n);
		if (n == NULL) {
			rc = -1;
			break;
		}
		out->holds = n;
		struct store_hold_summary *h = &out->holds[out->n++];
		memset(h, 0, sizeof *h);
		snprintf(h->ref, sizeof h->ref, "%s", db_column_text(st, 0));
		h->queue_id = store_column_dup(st, 1);
		h->sender = store_column_dup(st, 2);
		h->subject = store_column_dup(st, 3);
		h->state = store_column_dup(st, 4);
		h->summary_json = store_column_dup(st, 5);
		h->received = (time_t)db_column_int64(st, 6);
		h->categories = (unsigned)db_column_int64(st, 7);
		h->tlp = (int)db_column_int64(st, 8);
		h->release_attempts = (unsigned)db_column_int64(st, 9);
		h->release_error = store_column_opt(st, 10);
		h->holder = store_column_opt(st, 11);
		h->holder_since = (time_t)db_column_int64(st, 12);
		h->advice_pending = (unsigned)db_column_int64(st, 13);
		h->advice_of = store_column_opt(st, 14);
		h->advice_since = (time_t)db_column_int64(st, 15);
		if (!h->queue_id || !h->sender || !h->subject || !h->state || !h->summary_json)
			rc = -1;
	}
	db_finalize(st);
	if (rc == 0 && page_rcpts(s, f, out) != 0)
		rc = -1;
	if (rc != 0)
		store_errf(err, errlen, "store: listing holds: %s", db_errmsg(s->db));
	return rc;
}

int store_holds_list(struct store *s, const struct store_hold_filter *f,
		     struct store_hold_list *out, char *err, size_t errlen)
{
	static const struct store_hold_filter none = {0};
	memset(out, 0, sizeof *out);
	if (s == NULL) {
		store_errf(err, errlen, "store: no store");
		return -1;
	}
	store_read_begin(s);
	int rc = list_locked(s, f ? f : &none, out, err, errlen);
	store_read_end(s);
	if (rc != 0)
		store_hold_list_free(out);
	return rc;
}

void store_approvals_free(struct store_approval *a, size_t n)
{
	for (size_t i = 0; a != NULL && i < n; i++) {
		free(a[i].recipient);
		free(a[i].jurist);
		free(a[i].reason);
		free(a[i].basis);
	}
	free(a);
}

int store_hold_approvals(struct store *s, const char *ref, struct store_approval **out,
			 size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (s == NULL || ref == NULL)
		return -1;
	pthread_mutex_lock(&s->lock);
	struct db_stmt *st = store_prepare(s,
					 "SELECT r.recipient, a.jurist, a.reason, a.basis, a.at"
					 " FROM hold_approvals a JOIN hold_recipients r"
					 " ON r.id = a.recipient_id WHERE a.ref = ?1 ORDER BY a.id",
					 err, errlen);
	int rc = st ? 0 : -1;
	if (st != NULL)
		store_bind_text(st, 1, ref);
	while (rc == 0 && db_step(st) == DB_ROW) {
		struct store_approval *a = realloc(*out, (*n + 1) * sizeof *a);
		if (a == NULL) {
			rc = -1;
			break;
		}
		*out = a;
		a = &(*out)[(*n)++];
		a->recipient = store_column_dup(st, 0);
		a->jurist = store_column_dup(st, 1);
		a->reason = store_column_dup(st, 2);
		a->basis = store_column_dup(st, 3);
		a->at = (time_t)db_column_int64(st, 4);
		if (!a->recipient || !a->jurist || !a->reason || !a->basis)
			rc = -1;
	}
	db_finalize(st);
	pthread_mutex_unlock(&s->lock);
	if (rc != 0) {
		store_errf(err, errlen, "store: reading approvals failed");
		store_approvals_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int store_party_held(struct store *s, const char *party, char *out, size_t outlen, char *err,
		     size_t errlen)
{
	if (s == NULL || party == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	pthread_mutex_lock(&s->lock);
	struct db_stmt *st = store_prepare(s,
					 "SELECT party FROM hold_recipients WHERE party IS NOT NULL"
					 " AND lower(party) = lower(?1) LIMIT 1", err, errlen);
	int rc = st != NULL ? 0 : -1;
	if (st != NULL) {
		store_bind_text(st, 1, party);
		int step = db_step(st);
		if (step == DB_ROW) {
			snprintf(out, outlen, "%s", db_column_text(st, 0));
			rc = 1;
		} else if (step != DB_DONE) {
			store_sqlerr(s, err, errlen, "look up a party");
			rc = -1;
		}
	}
	db_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}
