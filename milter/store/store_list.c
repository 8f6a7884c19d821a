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
 * A Sender's listing (filter.sender_ok) is pre-filtered by the query
 * (filter.sender_canonicals, sender_auths: the Sender's own holds, read
 * without their recipients) and checked exactly row by row here, so its
 * page and count are made here too.  The database still walks the open
 * holds' rows for the pre-filter (no index on the sender: that is a
 * schema change), but no hold that is not the Sender's is returned, its
 * recipients read or tested here.
 */
#include <stdint.h>
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
	free(h->urgent_by);
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
	"      AND instr(',' || r.reasons || ',', ',' || ?5 || ',') > 0))"               \
	" AND (?8 = 0 OR EXISTS (SELECT 1 FROM audit a WHERE a.ref = h.ref"                \
	"      AND a.event = 'urgent'))"                                                    \
	" AND (?9 = '' OR (h.sender_auth = '' AND ((h.sender_canonical = ''"               \
	"      AND h.sender NOT IN ('', '<>'))"                                             \
	"      OR instr(?9, ' ' || h.sender_canonical || ' ') > 0))"                        \
	"      OR (h.sender_auth <> '' AND instr(?10, ' ' || h.sender_auth || ' ') > 0))"

/* The orders of a listing: soonest received (so soonest expiry) first,
 * read from the index; or the holds whose sender asked for an urgent
 * review first, the longest waiting first (the request is the hold's
 * first "urgent" record, found through the audit_ref index). */
#define ORDER_TIME " ORDER BY h.received, h.ref"
#define ORDER_URGENT                                                                       \
	" ORDER BY coalesce((SELECT min(a.at) FROM audit a WHERE a.ref = h.ref"             \
	"  AND a.event = 'urgent'), 9223372036854775807), h.received, h.ref"
/* The page of a listing in the order o, numbered n. */
#define PAGE_CTE(o)                                                                        \
	"WITH page AS (SELECT h.ref, row_number() OVER (" o ") AS n"                        \
	" FROM holds h WHERE" LIST_OPEN LIST_FILTERS o " LIMIT ?6 OFFSET ?7)"
static void bind_filter(struct db_stmt *st, const struct store_hold_filter *f)
{
	db_bind_int64(st, 1, f->all_states ? 1 : 0);
	db_bind_int64(st, 2, (int64_t)f->since);
	store_bind_text(st, 3, f->sender);
	store_bind_text(st, 4, f->party);
	store_bind_text(st, 5, f->reason);
	db_bind_int64(st, 8, f->urgent ? 1 : 0);
	/* a Sender's pre-filter: never '' with sender_ok (fail closed) */
	bool pre = f->sender_ok != NULL;
	store_bind_text(st, 9, pre && f->sender_canonicals ? f->sender_canonicals : pre ? " " : "");
	store_bind_text(st, 10, pre && f->sender_auths ? f->sender_auths : " ");
}

/* The page's LIMIT and OFFSET: a Sender's listing reads every match and
 * makes its page in list_locked(), after its own filter. */
static void bind_page(struct db_stmt *st, const struct store_hold_filter *f)
{
	size_t limit = f->limit ? f->limit : STORE_LIST_MAX;
	db_bind_int64(st, 6, f->sender_ok != NULL ? INT64_MAX : (int64_t)limit + 1);
	db_bind_int64(st, 7, f->sender_ok != NULL ? 0 : (int64_t)f->offset);
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
 * columns read only for the holds of the page: where the case stands
 * (store_case.c: its holder, the oldest request for advice still
 * unanswered) and the sender's request for an urgent review. */
#define LIST_SQL(o)                                                                        \
	PAGE_CTE(o)                                                                        \
	" SELECT h.ref, queue_id, sender, subject, state, summary_json, received,"         \
	" categories, tlp, release_attempts, release_error,"                               \
	" c.holder, c.since,"                                                              \
	" (SELECT count(*) FROM hold_advice v WHERE v.ref = h.ref AND v.answered_at IS NULL)," \
	" (SELECT asked_of FROM hold_advice v WHERE v.ref = h.ref AND v.answered_at IS NULL" \
	"  ORDER BY v.id LIMIT 1),"                                                        \
	" (SELECT min(asked_at) FROM hold_advice v WHERE v.ref = h.ref"                    \
	"  AND v.answered_at IS NULL),"                                                    \
	" ua.actor, ua.at, h.sender_auth"                                                  \
	" FROM page JOIN holds h ON h.ref = page.ref"                                      \
	" LEFT JOIN hold_cases c ON c.ref = h.ref"                                         \
	" LEFT JOIN audit ua ON ua.seq = (SELECT min(seq) FROM audit a"                    \
	"  WHERE a.ref = h.ref AND a.event = 'urgent')"                                    \
	" ORDER BY page.n"

static struct db_stmt *list_query(struct store *s, const struct store_hold_filter *f, char *err,
				size_t errlen)
{
	struct db_stmt *st = store_prepare(
		s, f->urgent_first ? LIST_SQL(ORDER_URGENT) : LIST_SQL(ORDER_TIME), err, errlen);
	if (st == NULL)
		return NULL;
	bind_filter(st, f);
	bind_page(st, f);
	return st;
}

/* The recipients of the holds of the page in out (in the page's order):
 * one query for the page, not one per hold (a round trip each on
 * PostgreSQL).  A Sender's page is a subsequence of the query's holds:
 * rows of holds not in out are passed over.  0 or -1. */
#define RCPTS_SQL                                                                          \
	" SELECT r.ref, r.recipient, r.state, r.party, r.reasons, r.approvals"             \
	" FROM page JOIN hold_recipients r ON r.ref = page.ref"                            \
	" ORDER BY page.n, r.id"

static int page_rcpts(struct store *s, const struct store_hold_filter *f,
		      struct store_hold_list *out)
{
	struct db_stmt *st = store_prepare(
		s,
		f->urgent_first ? PAGE_CTE(ORDER_URGENT) RCPTS_SQL : PAGE_CTE(ORDER_TIME) RCPTS_SQL,
		NULL, 0);
	if (st == NULL)
		return -1;
	bind_filter(st, f);
	bind_page(st, f);
	int rc = 0, step;
	size_t next = 0, cur = SIZE_MAX;	/* the hold being read, the one after */
	while (rc == 0 && (step = db_step(st)) == DB_ROW) {
		const char *ref = db_column_text(st, 0);
		if (ref == NULL)
			continue;
		if (cur == SIZE_MAX || strcmp(out->holds[cur].ref, ref) != 0) {
			if (next < out->n && strcmp(out->holds[next].ref, ref) == 0)
				cur = next++;
			else if (f->sender_ok == NULL || next == out->n)
				break;	/* the hold after the page */
			else
				continue;	/* not the Sender's, or before the page */
		}
		rc = add_rcpt(&out->holds[cur], st);
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
	struct store_hold_filter u = *f;
	u.urgent = true;
	if (f->sender_ok == NULL &&
	    (count_locked(s, f, &out->total) != 0 ||
	     count_locked(s, &u, &out->urgent_total) != 0)) {
		store_errf(err, errlen, "store: counting holds: %s", db_errmsg(s->db));
		return -1;
	}
	struct db_stmt *st = list_query(s, f, err, errlen);
	if (st == NULL)
		return -1;
	size_t limit = f->limit ? f->limit : STORE_LIST_MAX, seen = 0;
	int rc = 0;
	while (rc == 0 && db_step(st) == DB_ROW) {
		if (f->sender_ok != NULL) {
			if (!f->sender_ok(f->sender_arg, (const char *)db_column_text(st, 2),
					  (const char *)db_column_text(st, 18)))
				continue;
			out->total++;
			out->urgent_total += db_column_text(st, 16) != NULL;
			if (seen++ < f->offset)
				continue;	/* before the Sender's page */
			if (out->n == limit) {
				out->truncated = true;
				continue;	/* counted, not listed */
			}
		} else if (out->n == limit) {
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
		h->urgent_by = store_column_opt(st, 16);
		h->urgent_since = (time_t)db_column_int64(st, 17);
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
	s = store_read_begin(s);
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
	s = store_take(s);
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
	store_give(s);
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
	s = store_take(s);
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
	store_give(s);
	return rc;
}
