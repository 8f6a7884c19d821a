/*
 * store_overview.c - the state of the holds at a glance, for admins and
 * auditors (see store.h): how many are open, by state; the oldest open
 * one; how many expire within the warning time (and are overdue); the
 * releases that keep failing.  Counts, references, times and the relay's
 * reply of a failed release: never a Subject, an address list or content.
 * Read-only, one read transaction, so the numbers are of one moment.
 *
 * Public functions: store_overview_read(), store_overview_free().
 * Limits: STORE_OVERVIEW_LIST holds named per list (the counts are whole).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* The open states (holdstate.h): not yet final. */
#define OPEN_STATES "('pending','partly-approved','releasing')"

/* One integer of a query with one time bound (?1; INT64_MIN where the
 * query needs none, "received >= ?1" then holds for every hold); -1 on
 * error. */
static int64_t count_since(struct store *s, const char *sql, int64_t t)
{
	struct db_stmt *st = store_prepare(s, sql, NULL, 0);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, t);
	int64_t n = db_step(st) == DB_ROW ? db_column_int64(st, 0) : -1;
	db_finalize(st);
	return n;
}

/* The holds of sql (ref, received, attempts, error; bound ?1 = t) into
 * list, at most STORE_OVERVIEW_LIST.  0 or -1. */
static int list_of(struct store *s, const char *sql, int64_t t, struct store_overview_list *list)
{
	struct db_stmt *st = store_prepare(s, sql, NULL, 0);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, t);
	int rc = 0, step;
	while ((step = db_step(st)) == DB_ROW && list->n < STORE_OVERVIEW_LIST) {
		struct store_overview_hold *h = &list->holds[list->n++];
		snprintf(h->ref, sizeof h->ref, "%s", db_column_text(st, 0));
		h->received = (time_t)db_column_int64(st, 1);
		h->release_attempts = (unsigned)db_column_int64(st, 2);
		h->release_error = store_column_opt(st, 3);
		h->state = store_column_dup(st, 4);
		if (h->state == NULL)
			rc = -1;
	}
	if (step != DB_ROW && step != DB_DONE)
		rc = -1;
	db_finalize(st);
	return rc;
}

static int read_locked(struct store *s, time_t now, time_t expiry, time_t warn,
		       struct store_overview *o)
{
	static const char *const states[] = {"pending", "partly-approved", "releasing"};
	int64_t *counts[] = {&o->pending, &o->partly_approved, &o->releasing};
	for (size_t i = 0; i < 3; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM holds WHERE state = '%s'"
			 " AND received >= ?1", states[i]);
		if ((*counts[i] = count_since(s, sql, INT64_MIN)) < 0)
			return -1;
	}
	o->open = o->pending + o->partly_approved + o->releasing;
	/* awaiting a decision: expiry ends them (a releasing hold is decided) */
	int64_t soon = (int64_t)(now + warn - expiry), due = (int64_t)(now - expiry);
	o->expiring_soon = count_since(s, "SELECT count(*) FROM holds WHERE state IN"
				       " ('pending','partly-approved') AND received < ?1", soon);
	o->overdue = count_since(s, "SELECT count(*) FROM holds WHERE state IN"
				 " ('pending','partly-approved') AND received < ?1", due);
	o->release_failing = count_since(s, "SELECT count(*) FROM holds WHERE state IN " OPEN_STATES
					 " AND release_error IS NOT NULL AND release_error <> ''"
					 " AND received >= ?1", INT64_MIN);
	if (o->expiring_soon < 0 || o->overdue < 0 || o->release_failing < 0)
		return -1;
	static const char cols[] = "SELECT ref, received, release_attempts, release_error, state"
				   " FROM holds WHERE ";
	char sql[512];
	snprintf(sql, sizeof sql, "%sstate IN " OPEN_STATES " AND received >= ?1"
		 " ORDER BY received, ref LIMIT 1", cols);
	if (list_of(s, sql, INT64_MIN, &o->oldest) != 0)
		return -1;
	snprintf(sql, sizeof sql, "%sstate IN ('pending','partly-approved') AND received < ?1"
		 " ORDER BY received, ref LIMIT %d", cols, STORE_OVERVIEW_LIST);
	if (list_of(s, sql, soon, &o->expiring) != 0)
		return -1;
	snprintf(sql, sizeof sql, "%sstate IN " OPEN_STATES " AND release_error IS NOT NULL"
		 " AND release_error <> '' AND received >= ?1"
		 " ORDER BY release_attempts DESC, received, ref LIMIT %d", cols, STORE_OVERVIEW_LIST);
	return list_of(s, sql, INT64_MIN, &o->failing);
}

int store_overview_read(struct store *s, time_t now, time_t expiry, time_t warn,
			struct store_overview *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (s == NULL) {
		store_errf(err, errlen, "store: no store");
		return -1;
	}
	s = store_read_begin(s);
	int rc = read_locked(s, now, expiry, warn, out);
	if (rc != 0)
		store_errf(err, errlen, "store: the overview: %s", db_errmsg(s->db));
	store_read_end(s);
	if (rc != 0)
		store_overview_free(out);
	return rc;
}

/* Free the strings of one list. */
static void list_free(struct store_overview_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->holds[i].release_error);
		free(l->holds[i].state);
	}
	l->n = 0;
}

void store_overview_free(struct store_overview *o)
{
	if (o == NULL)
		return;
	list_free(&o->oldest);
	list_free(&o->expiring);
	list_free(&o->failing);
}
