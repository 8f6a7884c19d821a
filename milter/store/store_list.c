/*
 * store_list.c - listings of holds for the jurists (held, show, the bulk
 * commands): holds matching a filter with their recipients, and the
 * approvals of one hold.  Read-only; one read transaction per call so a
 * listing is one moment of the store.
 *
 * Public functions: store_holds_list(), store_hold_list_free(),
 * store_holds_list_plan(),
 * store_hold_approvals(), store_approvals_free(), store_party_held().
 * Limits: at most filter.limit (default STORE_LIST_MAX) holds from
 * filter.offset on (a page); more sets truncated, total counts them all.
 * A Sender's listing (filter.sender_ok) is pre-filtered by the query
 * (filter.sender_canonicals, sender_auths: the Sender's own holds, read
 * without their recipients) and checked exactly row by row here, so its
 * page and count are made here too.  The pre-filter is looked up in the
 * index holds_sender_open (schema version 8) for each of the Sender's
 * addresses and logins, so the database reads the Sender's open holds
 * and no other hold's row (store_holds_list_plan() shows it); a Sender's
 * listing of every state (no caller asks for one) walks the holds.
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
	"      AND a.event = 'urgent'))"

/* A Sender's holds (?9 the canonical addresses, ?10 the logins, blank
 * separated), looked up in holds_sender_open (its columns, and its WHERE
 * word for word when s is OPEN_STATES " AND"): a hold without SMTP AUTH
 * by its canonical sender, one stored without a canonical sender ('' is
 * on the list) unless it has no sender at all, a hold with SMTP AUTH by
 * its login.  The two sets do not overlap (sender_auth '' or not).
 * Written for each backend's planner:
 * SQLite: each list cut into rows by a recursive CTE (the rest of the
 * list after each word, with a blank at its end so every word ends with
 * one and the rest gets shorter each time), each row then looked up in
 * the index (CROSS JOIN keeps that order), then each hold by its key.
 * PostgreSQL: the lists as arrays, whose length the planner sees (it
 * guesses a CTE's rows), both branches one bitmap of the index each. */
#define OPEN_LIST " IN ('pending','partly-approved','releasing')"
#define OPEN_STATES " state" OPEN_LIST
#define SPLIT_CTE(name, param)                                                             \
	" " name "(v, rest) AS (SELECT CAST('' AS TEXT), ltrim(CAST(" param " AS TEXT) || ' ')" \
	"  UNION ALL SELECT substr(rest, 1, instr(rest, ' ') - 1),"                         \
	"  ltrim(substr(rest, instr(rest, ' '))) FROM " name " WHERE rest <> ''),"
#define SENDER_CTE(s)                                                                      \
	"WITH RECURSIVE" SPLIT_CTE("canon", "?9") SPLIT_CTE("logins", "?10")                  \
	" mine(ref) AS (SELECT ref FROM canon CROSS JOIN holds WHERE" s                     \
	"  sender_auth = '' AND sender_canonical = canon.v"                                \
	"  AND (sender_canonical <> '' OR sender NOT IN ('', '<>'))"                        \
	"  UNION SELECT ref FROM logins CROSS JOIN holds WHERE" s                          \
	"  sender_auth = logins.v AND logins.v <> ''),"
#define PG_SENDER                                                                          \
	" ((h.sender_auth = '' AND h.sender_canonical = ANY (string_to_array(' ' || ?9, ' '))" \
	"   AND (h.sender_canonical <> '' OR h.sender NOT IN ('', '<>')))"                   \
	"  OR (h.sender_auth <> ''"                                                          \
	"   AND h.sender_auth = ANY (array_remove(string_to_array(?10, ' '), ''))))"

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
/* A Sender's page (their open holds when s is OPEN_STATES " AND"): on
 * SQLite their holds first, each then read by its key; on PostgreSQL
 * the holds that match. */
#define SENDER_PAGE_CTE(s, o)                                                             \
	SENDER_CTE(s) " page AS (SELECT h.ref, row_number() OVER (" o ") AS n"              \
	" FROM mine CROSS JOIN holds h WHERE h.ref = mine.ref AND" LIST_OPEN LIST_FILTERS o \
	" LIMIT ?6 OFFSET ?7)"
#define PG_SENDER_PAGE_CTE(s, o)                                                          \
	"WITH page AS (SELECT h.ref, row_number() OVER (" o ") AS n"                        \
	" FROM holds h WHERE" s PG_SENDER " AND" LIST_OPEN LIST_FILTERS o " LIMIT ?6 OFFSET ?7)"
static void bind_filter(struct db_stmt *st, const struct store_hold_filter *f)
{
	db_bind_int64(st, 1, f->all_states ? 1 : 0);
	db_bind_int64(st, 2, (int64_t)f->since);
	store_bind_text(st, 3, f->sender);
	store_bind_text(st, 4, f->party);
	store_bind_text(st, 5, f->reason);
	db_bind_int64(st, 8, f->urgent ? 1 : 0);
	/* a Sender's pre-filter (only a Sender's query has ?9 and ?10) */
	if (f->sender_ok != NULL) {
		store_bind_text(st, 9, f->sender_canonicals ? f->sender_canonicals : " ");
		store_bind_text(st, 10, f->sender_auths ? f->sender_auths : " ");
	}
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
#define LIST_SQL                                                                           \
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

/* The recipients of the holds of the page (page_rcpts()). */
#define RCPTS_SQL                                                                          \
	" SELECT r.ref, r.recipient, r.state, r.party, r.reasons, r.approvals"             \
	" FROM page JOIN hold_recipients r ON r.ref = page.ref"                            \
	" ORDER BY page.n, r.id"

/* The queries of a listing, [rcpts][who][order]: who 0 a jurist, 1 a
 * Sender's open holds, 2 a Sender's holds of every state, 3 and 4 the
 * same on PostgreSQL; order 0 by time, 1 urgent first. */
#define BOTH_ORDERS(page, s, tail) {page(s, ORDER_TIME) tail, page(s, ORDER_URGENT) tail}
#define QUERIES(tail)                                                                      \
	{{PAGE_CTE(ORDER_TIME) tail, PAGE_CTE(ORDER_URGENT) tail},                          \
	 BOTH_ORDERS(SENDER_PAGE_CTE, OPEN_STATES " AND", tail),                             \
	 BOTH_ORDERS(SENDER_PAGE_CTE, "", tail),                                             \
	 BOTH_ORDERS(PG_SENDER_PAGE_CTE, " h.state" OPEN_LIST " AND", tail),                 \
	 BOTH_ORDERS(PG_SENDER_PAGE_CTE, "", tail)}
static const char *const list_queries[2][5][2] = {QUERIES(LIST_SQL), QUERIES(RCPTS_SQL)};

/* The query of f's listing on s's backend (rcpts: of its page's
 * recipients). */
static const char *list_text(struct store *s, const struct store_hold_filter *f, bool rcpts)
{
	int who = f->sender_ok == NULL ? 0 : f->all_states ? 2 : 1;
	if (who > 0 && db_backend(s->db) == DB_POSTGRES)
		who += 2;
	return list_queries[rcpts][who][f->urgent_first ? 1 : 0];
}

static struct db_stmt *list_query(struct store *s, const struct store_hold_filter *f, char *err,
				size_t errlen)
{
	struct db_stmt *st = store_prepare(s, list_text(s, f, false), err, errlen);
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
static int page_rcpts(struct store *s, const struct store_hold_filter *f,
		      struct store_hold_list *out)
{
	struct db_stmt *st = store_prepare(s, list_text(s, f, true), NULL, 0);
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

int store_holds_list_plan(struct store *s, const struct store_hold_filter *f, char *out,
			  size_t outlen, char *err, size_t errlen)
{
	static const struct store_hold_filter none = {0};
	if (s == NULL || out == NULL || outlen == 0) {
		store_errf(err, errlen, "store: no store");
		return -1;
	}
	out[0] = '\0';
	f = f ? f : &none;
	s = store_read_begin(s);
	bool pg = db_backend(s->db) == DB_POSTGRES;
	const char *q = list_text(s, f, false);
	size_t qlen = strlen(q) + 32, used = 0;
	char *sql = malloc(qlen);
	struct db_stmt *st = NULL;
	if (sql != NULL) {
		snprintf(sql, qlen, "%s%s", pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ", q);
		st = store_prepare(s, sql, err, errlen);
	}
	free(sql);
	int rc = st != NULL ? 0 : -1, step = DB_DONE;
	if (st != NULL) {
		bind_filter(st, f);
		bind_page(st, f);
	}
	while (st != NULL && (step = db_step(st)) == DB_ROW) {
		/* SQLite: id, parent, notused, detail; PostgreSQL: the line */
		const char *line = (const char *)db_column_text(st, pg ? 0 : 3);
		if (line != NULL && used < outlen)
			used += (size_t)snprintf(out + used, outlen - used, "%s\n", line);
		used = used < outlen ? used : outlen;
	}
	if (st != NULL && step != DB_DONE) {
		store_errf(err, errlen, "store: the plan of a listing: %s", db_errmsg(s->db));
		rc = -1;
	}
	db_finalize(st);
	store_read_end(s);
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
