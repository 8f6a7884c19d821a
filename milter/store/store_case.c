/*
 * store_case.c - case handling on a hold (see store.h): a jurist claims
 * the case, hands it over to a colleague with a note, comments without a
 * decision, or asks a colleague for advice; the sender asks for an urgent
 * review (once per hold; the chain's record is the request, and the
 * jurists' mails are queued in its transaction).  Each act is one write
 * transaction holding the case's row (hold_cases, hold_advice) and the
 * act's record of the chain together, so the chain and where the case
 * stands never disagree.  The checks that need the case's state (open,
 * who holds it, a question already pending) are made here under the
 * store's write lock, so two jurists claiming at once cannot both win.
 *
 * Public functions: store_case_act(), store_case_get(), store_case_free().
 * Limits: the caller bounds the text and checks the people named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"

/* The chain's event of each act. */
static const char *const case_events[] = {
	[STORE_CASE_CLAIM] = "claim",
	[STORE_CASE_HANDOVER] = "handover",
	[STORE_CASE_COMMENT] = "comment",
	[STORE_CASE_ADVICE] = "advice",
	[STORE_CASE_URGENT] = "urgent",
};

/* What the act needs to know of the hold and its case (lock held). */
struct case_now {
	bool open;			/* pending or partly approved */
	char holder[128];		/* "" nobody */
	int64_t pending_same;		/* advice: the same question pending */
	int64_t urgent;			/* urgent requests recorded */
};

/* Read the hold's state and its case: 1 found, 0 no such hold, -1. */
static int case_read(struct store *s, const char *ref, const struct store_case_act *a,
		     struct case_now *cn, char *why, size_t whylen)
{
	memset(cn, 0, sizeof *cn);
	struct db_stmt *st = store_prepare(
		s,
		"SELECT h.state, (SELECT holder FROM hold_cases c WHERE c.ref = h.ref),"
		" (SELECT count(*) FROM hold_advice v WHERE v.ref = h.ref"
		"  AND v.answered_at IS NULL AND v.asked_of = ?2),"
		" (SELECT count(*) FROM audit a WHERE a.ref = h.ref AND a.event = 'urgent')"
		" FROM holds h WHERE h.ref = ?1",
		why, whylen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	store_bind_text(st, 2, a->to != NULL ? a->to : "");
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *state = db_column_text(st, 0), *holder = db_column_text(st, 1);
		/* releasing and the final states are past deciding: a case
		 * there is closed (a comment may still be added) */
		cn->open = state != NULL && (strcmp(state, "pending") == 0 ||
					     strcmp(state, "partly-approved") == 0);
		snprintf(cn->holder, sizeof cn->holder, "%s", holder ? holder : "");
		cn->pending_same = db_column_int64(st, 2);
		cn->urgent = db_column_int64(st, 3);
	} else if (rc != DB_DONE) {
		store_sqlerr(s, why, whylen, "read the case");
	}
	db_finalize(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Why the act a is not possible now (NULL: it is); buf for the words. */
static const char *case_refusal(const struct store_case_act *a, const struct case_now *cn,
				char *buf, size_t len)
{
	const char *me = a->actor->user;
	if (!cn->open && a->kind != STORE_CASE_COMMENT)
		return "the hold is no longer open (decided, releasing or expired)";
	switch (a->kind) {
	case STORE_CASE_CLAIM:
		if (strcmp(cn->holder, me) == 0)
			return "the case is yours already";
		if (*cn->holder && !a->take_over) {
			snprintf(buf, len, "the case is held by %s: ask them to hand it over, or "
				 "take it over", cn->holder);
			return buf;
		}
		return NULL;
	case STORE_CASE_HANDOVER:
		/* a case held by a colleague is theirs to hand over: taking
		 * it over first is a claim of its own, in the record */
		if (*cn->holder && strcmp(cn->holder, me) != 0) {
			snprintf(buf, len, "the case is held by %s: only they hand it over "
				 "(or take it over first)", cn->holder);
			return buf;
		}
		if (strcmp(cn->holder, a->to) == 0)
			return "the case is held by that colleague already";
		return NULL;
	case STORE_CASE_ADVICE:
		if (cn->pending_same > 0)
			return "that colleague's advice on this hold is pending already";
		return NULL;
	case STORE_CASE_COMMENT:
		return NULL;
	case STORE_CASE_URGENT:
		/* one request per hold: a second one while the hold is open
		 * would only repeat the jurists' mail (and could flood them) */
		if (cn->urgent > 0)
			return "an urgent review of this hold was asked for already";
		return NULL;
	}
	return "unknown act";
}

/* Run one statement with ref, a text and a time bound; 0 or -1. */
static int exec3(struct store *s, const char *sql, const char *ref, const char *text,
		 int64_t t, const char *what, char *why, size_t whylen)
{
	struct db_stmt *st = store_prepare(s, sql, why, whylen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	store_bind_text(st, 2, text);
	db_bind_int64(st, 3, t);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, why, whylen, what);
	db_finalize(st);
	return rc;
}

/* Answered: the actor's pending requests for advice on ref.  The count
 * (for the record), or -1. */
static int64_t answer_advice(struct store *s, const char *ref, const char *me, int64_t at,
			     char *why, size_t whylen)
{
	int64_t before = 0;
	struct db_stmt *st = store_prepare(s, "SELECT count(*) FROM hold_advice WHERE ref = ?1"
					      " AND asked_of = ?2 AND answered_at IS NULL",
					   why, whylen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	store_bind_text(st, 2, me);
	if (db_step(st) == DB_ROW)
		before = db_column_int64(st, 0);
	db_finalize(st);
	if (before > 0 && exec3(s, "UPDATE hold_advice SET answered_at = ?3 WHERE ref = ?1"
				   " AND asked_of = ?2 AND answered_at IS NULL",
				ref, me, at, "answer advice", why, whylen) != 0)
		return -1;
	return before;
}

/* The case's rows for act a (lock held, the act allowed); the record's
 * details get what changed.  0 or -1. */
static int case_write(struct store *s, const char *ref, const struct store_case_act *a,
		      const struct case_now *cn, int64_t at, struct audit_details *d, char *why,
		      size_t whylen)
{
	static const char upsert[] =
		"INSERT INTO hold_cases(ref, holder, since) VALUES(?1, ?2, ?3)"
		" ON CONFLICT(ref) DO UPDATE SET holder = excluded.holder, since = excluded.since";
	switch (a->kind) {
	case STORE_CASE_CLAIM:
		if (*cn->holder)
			audit_details_str(d, "taken_from", cn->holder);
		return exec3(s, upsert, ref, a->actor->user, at, "claim", why, whylen);
	case STORE_CASE_HANDOVER:
		audit_details_str(d, "from", cn->holder);
		audit_details_str(d, "to", a->to);
		audit_details_str(d, "note", a->text);
		return exec3(s, upsert, ref, a->to, at, "handover", why, whylen);
	case STORE_CASE_ADVICE: {
		audit_details_str(d, "of", a->to);
		audit_details_str(d, "question", a->text);
		struct db_stmt *st = store_prepare(
			s, "INSERT INTO hold_advice(ref, asked_by, asked_of, asked_at)"
			   " VALUES(?1, ?2, ?3, ?4)", why, whylen);
		if (st == NULL)
			return -1;
		store_bind_text(st, 1, ref);
		store_bind_text(st, 2, a->actor->user);
		store_bind_text(st, 3, a->to);
		db_bind_int64(st, 4, at);
		int rc = db_step(st) == DB_DONE ? 0 : -1;
		if (rc != 0)
			store_sqlerr(s, why, whylen, "ask for advice");
		db_finalize(st);
		return rc;
	}
	case STORE_CASE_COMMENT: {
		int64_t n = answer_advice(s, ref, a->actor->user, at, why, whylen);
		audit_details_str(d, "text", a->text);
		if (n > 0)
			audit_details_int(d, "answers_advice", n);
		return n < 0 ? -1 : 0;
	}
	case STORE_CASE_URGENT:
		/* the chain's record is the request (no row of its own) */
		audit_details_str(d, "text", a->text);
		audit_details_int(d, "jurists_told", (int64_t)a->nnotices);
		return 0;
	}
	return -1;
}

int store_case_act(struct store *s, const char *ref, const struct store_case_act *a, char *why,
		   size_t whylen)
{
	if (s == NULL || ref == NULL || a == NULL || a->actor == NULL || a->actor->user == NULL ||
	    (unsigned)a->kind > STORE_CASE_URGENT || s->readonly ||
	    (a->nnotices > 0 && a->notices == NULL)) {
		store_errf(why, whylen, "store: invalid case act");
		return -1;
	}
	bool needs_to = a->kind == STORE_CASE_HANDOVER || a->kind == STORE_CASE_ADVICE;
	if ((needs_to && (a->to == NULL || *a->to == '\0')) ||
	    (a->kind != STORE_CASE_CLAIM && (a->text == NULL || *a->text == '\0'))) {
		store_errf(why, whylen, "store: a case act without its colleague or text");
		return -1;
	}
	int64_t at = (int64_t)(a->now > 0 ? a->now : time(NULL));
	if ((s = store_txn_begin(s, why, whylen)) == NULL)
		return -1;
	struct case_now cn;
	int found = case_read(s, ref, a, &cn, why, whylen);
	if (found != 1)
		return store_txn_end(s, found == 0 ? 2 : -1, false, why, whylen);
	char buf[256];
	const char *no = case_refusal(a, &cn, buf, sizeof buf);
	if (no != NULL) {
		store_errf(why, whylen, "%s", no);
		return store_txn_end(s, 1, false, why, whylen);
	}
	struct audit_details *d = audit_details_new();
	int rc = case_write(s, ref, a, &cn, at, d, why, whylen);
	char *details = audit_details_finish(d);
	if (rc == 0 && details == NULL) {
		store_errf(why, whylen, "store: out of memory");
		rc = -1;
	}
	struct store_audit rec = {.actor = a->actor, .event = case_events[a->kind], .ref = ref,
				  .details = details};
	if (rc == 0)
		rc = store_audit_append(s, &rec, (time_t)at, NULL, why, whylen);
	if (rc == 0 && a->nnotices > 0)
		rc = store_notices_insert(s, a->notices, a->nnotices, ref, (time_t)at, why, whylen);
	free(details);
	return store_txn_end(s, rc, rc == 0, why, whylen);
}

void store_case_free(struct store_case *c)
{
	if (c == NULL)
		return;
	free(c->holder);
	for (size_t i = 0; i < c->npending; i++) {
		free(c->pending[i].asked_by);
		free(c->pending[i].asked_of);
	}
	free(c->pending);
	free(c->urgent_by);
	free(c->urgent_details);
	memset(c, 0, sizeof *c);
}

/* The pending requests for advice on ref into c (lock held); 0 or -1. */
static int pending_read(struct store *s, const char *ref, struct store_case *c)
{
	struct db_stmt *st = store_prepare(s, "SELECT asked_by, asked_of, asked_at FROM hold_advice"
					      " WHERE ref = ?1 AND answered_at IS NULL ORDER BY id",
					   NULL, 0);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	int rc = 0, step;
	while (rc == 0 && (step = db_step(st)) == DB_ROW) {
		struct store_case_advice *p = realloc(c->pending, (c->npending + 1) * sizeof *p);
		if (p == NULL) {
			rc = -1;
			break;
		}
		c->pending = p;
		p = &c->pending[c->npending++];
		p->asked_by = store_column_dup(st, 0);
		p->asked_of = store_column_dup(st, 1);
		p->asked_at = (time_t)db_column_int64(st, 2);
		if (p->asked_by == NULL || p->asked_of == NULL)
			rc = -1;
	}
	if (rc == 0 && step != DB_DONE)
		rc = -1;
	db_finalize(st);
	return rc;
}

/* The first urgent request of ref into c (lock held); 0 or -1. */
static int urgent_read(struct store *s, const char *ref, struct store_case *c)
{
	struct db_stmt *st = store_prepare(s, "SELECT actor, at, details FROM audit"
					      " WHERE ref = ?1 AND event = 'urgent' ORDER BY seq"
					      " LIMIT 1", NULL, 0);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	int rc = 0, step = db_step(st);
	if (step == DB_ROW) {
		c->urgent_by = store_column_dup(st, 0);
		c->urgent_at = (time_t)db_column_int64(st, 1);
		c->urgent_details = store_column_dup(st, 2);
		if (c->urgent_by == NULL || c->urgent_details == NULL)
			rc = -1;
	} else if (step != DB_DONE) {
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

int store_case_get(struct store *s, const char *ref, struct store_case *out, char *err,
		   size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (s == NULL || ref == NULL) {
		store_errf(err, errlen, "store: no store");
		return -1;
	}
	s = store_read_begin(s);
	struct db_stmt *st = store_prepare(s, "SELECT holder, since FROM hold_cases WHERE ref = ?1",
					   err, errlen);
	int rc = st != NULL ? 0 : -1;
	if (st != NULL) {
		store_bind_text(st, 1, ref);
		int step = db_step(st);
		if (step == DB_ROW) {
			out->holder = store_column_dup(st, 0);
			out->since = (time_t)db_column_int64(st, 1);
			rc = out->holder != NULL ? 0 : -1;
		} else if (step != DB_DONE) {
			rc = -1;
		}
	}
	db_finalize(st);
	if (rc == 0)
		rc = pending_read(s, ref, out);
	if (rc == 0)
		rc = urgent_read(s, ref, out);
	if (rc != 0)
		store_errf(err, errlen, "store: reading the case of %s: %s", ref, db_errmsg(s->db));
	store_read_end(s);
	if (rc != 0)
		store_case_free(out);
	return rc;
}
