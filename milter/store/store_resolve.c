/*
 * store_resolve.c - an admin settles a release the releaser left to the
 * admins (store.h, "release that really delivers").  Three states stop
 * the releaser for good, because sending again could deliver twice:
 *
 *   unknown      the milter let the copy pass and the relay's reply was
 *                lost (the relay process killed after the 250, before
 *                its receipt): the MTA may have queued it;
 *   unconfirmed  the relay answered 250 for a copy that never came back
 *                through the milter's release check;
 *   duplicate    an approved recipient was released (or is being
 *                released) from another hold of the same message.
 *
 * Only a person can tell, from the MTA's log (the queue ids are in the
 * record and in `show`), whether the copy was queued.  The release itself
 * was approved by the jurists (four eyes); the admin states a delivery
 * fact, so one admin suffices, and the statement is recorded with the
 * admin's identity and words ("release-resolved") in the same transaction
 * as its effect:
 *
 *   delivered  unknown/unconfirmed: the release is complete ("release"
 *              by the admin, with the queue id; token "done"; the
 *              sender's notice).  duplicate: the recipients released from
 *              the other hold are released here too, with that hold's
 *              queue id (no second notice); the rest of the hold's
 *              approved recipients are released at the releaser's next
 *              pass.
 *   resend     unknown/unconfirmed: the admin established that the copy
 *              was not queued: the attempt is void ("release-failed" by
 *              the admin) and the releaser sends a new copy at once.  A
 *              duplicate is never resent: the other hold delivered it.
 *
 * Any other hold is refused (nothing changes; a "refused" record).
 *
 * Public functions: store_release_resolve().
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"

/* The stuck attempt of ref (state unknown or unconfirmed): 1 found, 0
 * none, -1. */
struct stuck {
	char nonce[40], state[16], mta_qid[128], relay_qid[128];
};

static int stuck_token(struct store *s, const char *ref, struct stuck *t, char *err,
		       size_t errlen)
{
	memset(t, 0, sizeof *t);
	struct db_stmt *q = store_prepare(s, "SELECT nonce, state, coalesce(mta_queue_id, ''),"
					   " coalesce(relay_queue_id, '') FROM release_tokens"
					   " WHERE ref = ?1 AND state IN ('unknown', 'unconfirmed')"
					   " ORDER BY created DESC LIMIT 1", err, errlen);
	if (q == NULL)
		return -1;
	store_bind_text(q, 1, ref);
	int step = db_step(q), rc = step == DB_ROW ? 1 : step == DB_DONE ? 0 : -1;
	if (rc == 1) {
		snprintf(t->nonce, sizeof t->nonce, "%s", db_column_text(q, 0));
		snprintf(t->state, sizeof t->state, "%s", db_column_text(q, 1));
		snprintf(t->mta_qid, sizeof t->mta_qid, "%s", db_column_text(q, 2));
		snprintf(t->relay_qid, sizeof t->relay_qid, "%s",
			 db_column_text(q, 3));
	} else if (rc < 0) {
		store_sqlerr(s, err, errlen, "read release token");
	}
	db_finalize(q);
	return rc;
}

/* One statement with text parameters ?1.. and one integer ?N (int_at,
 * 0: none). */
static int exec_text(struct store *s, const char *sql, const char *const *texts, size_t n,
		     int int_at, int64_t v, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s, sql, err, errlen);
	if (st == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		store_bind_text(st, (int)i + 1, texts[i]);
	if (int_at > 0)
		db_bind_int64(st, int_at, v);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "resolve");
	db_finalize(st);
	return rc;
}

/* The "release-resolved" record (or "refused" when refused is set). */
static int record(struct store *s, const struct store_release_resolution *in, const char *kind,
		  const struct stuck *t, const char *rcpts, const char *other, const char *refused,
		  char *err, size_t errlen)
{
	struct audit_details *a = audit_details_new();
	if (refused != NULL)
		audit_details_str(a, "command", "release-resolve");
	audit_details_str(a, "resolution", in->delivered ? "delivered" : "resend");
	if (kind != NULL)
		audit_details_str(a, "stuck", kind);
	if (t != NULL) {
		audit_details_str(a, "nonce", t->nonce);
		audit_details_str(a, "mta_queue_id", t->mta_qid);
		audit_details_str(a, "relay_queue_id", t->relay_qid);
	}
	if (rcpts != NULL)
		audit_details_str(a, "recipients", rcpts);
	if (other != NULL)
		audit_details_str(a, "released_from", other);
	audit_details_str(a, "reason", in->reason);
	if (refused != NULL)
		audit_details_str(a, "refused", refused);
	char *details = audit_details_finish(a);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit rec = {.actor = in->actor,
				  .event = refused ? "refused" : "release-resolved",
				  .ref = in->ref, .details = details};
	int rc = store_audit_append(s, &rec, in->now, NULL, err, errlen);
	free(details);
	return rc;
}

struct notice_adapter {
	const struct store_release_resolution *in;
	const char *qid;
};

/* store_decision.notice_make for a resolved release: the caller's maker
 * with the queue id known only here. */
static char *notice_adapt(void *arg, const char *const *changed, size_t n)
{
	const struct notice_adapter *a = arg;
	return a->in->notice_make(a->in->notice_arg, changed, n, a->qid);
}

/* An unknown or unconfirmed attempt t of in->ref: 0, 4 (refused by the
 * state machine: out->reason; nothing may stay), -1. */
static int resolve_token(struct store *s, const struct store_release_resolution *in,
			 const struct stuck *t, struct store_decision_result *out, char *err,
			 size_t errlen)
{
	if (record(s, in, t->state, t, NULL, NULL, NULL, err, errlen) != 0)
		return -1;
	const char *qid = *t->relay_qid ? t->relay_qid : t->mta_qid;
	struct notice_adapter na = {in, qid};
	struct store_decision d = {
		.event = in->delivered ? HEV_RELEASE_DONE : HEV_RELEASE_FAILED,
		.actor = in->actor, .reason = in->reason, .now = in->now,
		.relay_queue_id = in->delivered ? qid : NULL,
	};
	if (in->delivered && in->notice_make != NULL && in->notice_to != NULL) {
		d.notice_kind = "release";
		d.notice_to = in->notice_to;
		d.notice_make = notice_adapt;
		d.notice_arg = &na;
	}
	int rc = store_decide_locked(s, in->ref, &d, out, err, errlen);
	if (rc != 0)
		return rc < 0 ? -1 : 4;
	const char *tok[] = {t->nonce, in->delivered ? "done" : "void"};
	if (exec_text(s, "UPDATE release_tokens SET state = ?2 WHERE nonce = ?1", tok, 2, 0, 0,
		      err, errlen) != 0)
		return -1;
	/* resend: due now, the releaser sends a new copy with a new token */
	const char *hold[] = {in->ref};
	return exec_text(s, "UPDATE holds SET release_error = NULL, release_due = ?2"
			    " WHERE ref = ?1", hold, 1, 2, (int64_t)in->now, err, errlen);
}

/* The approved recipients of ref released or releasing in another hold of
 * the same message: "\n"-joined in *rcpts, the other holds in *others,
 * and whether one of them is still in flight.  0 (*rcpts NULL: none), -1. */
static int duplicates(struct store *s, const char *ref, GString **rcpts, GString **others,
		      bool *in_flight, char *err, size_t errlen)
{
	*in_flight = false;
	*rcpts = NULL;
	*others = NULL;
	/* per recipient the best evidence first: a copy released elsewhere */
	struct db_stmt *q = store_prepare(
		s,
		"SELECT r.id, r.recipient, o.ref, coalesce(o.relay_queue_id, ''), o.state"
		" FROM holds h JOIN hold_recipients r ON r.ref = h.ref"
		" JOIN holds oh ON oh.message_key = h.message_key AND oh.ref <> h.ref"
		" JOIN hold_recipients o ON o.ref = oh.ref AND o.state IN ('released', 'releasing')"
		"  AND lower(trim(o.recipient, '<>')) = lower(trim(r.recipient, '<>'))"
		" WHERE h.ref = ?1 AND r.state = 'approved' AND coalesce(h.message_key, '') <> ''"
		" ORDER BY r.id, o.state = 'released' DESC", err, errlen);
	if (q == NULL)
		return -1;
	store_bind_text(q, 1, ref);
	int64_t last = -1;
	int step;
	GString *rc = g_string_new(NULL), *oc = g_string_new(NULL);
	while ((step = db_step(q)) == DB_ROW) {
		int64_t id = db_column_int64(q, 0);
		if (id == last)
			continue;
		last = id;
		const char *other = db_column_text(q, 2);
		*in_flight |= strcmp(db_column_text(q, 4), "released") != 0;
		g_string_append_printf(rc, "%s%s", rc->len ? "\n" : "",
				       db_column_text(q, 1));
		if (strstr(oc->str, other) == NULL)
			g_string_append_printf(oc, "%s%s", oc->len ? "," : "", other);
	}
	db_finalize(q);
	if (step != DB_DONE) {
		store_sqlerr(s, err, errlen, "read duplicates");
		g_string_free(rc, TRUE);
		g_string_free(oc, TRUE);
		return -1;
	}
	if (rc->len == 0) {
		g_string_free(rc, TRUE);
		g_string_free(oc, TRUE);
		return 0;
	}
	*rcpts = rc;
	*others = oc;
	return 0;
}

/* Recipients of ref approved here and released from another hold of the
 * same message become released here, with that copy's queue id; the
 * hold is released when nothing of it is open any more. */
static int resolve_duplicate(struct store *s, const struct store_release_resolution *in,
			     const char *rcpts, const char *others, struct store_decision_result *out,
			     char *err, size_t errlen)
{
	if (record(s, in, "duplicate", NULL, rcpts, others, NULL, err, errlen) != 0)
		return -1;
	const char *ref[] = {in->ref};
	int rc = exec_text(
		s,
		"UPDATE hold_recipients AS r SET state = 'released', decided_at = ?2,"
		" relay_queue_id = (SELECT coalesce(o.relay_queue_id, '') FROM holds h"
		"  JOIN holds oh ON oh.message_key = h.message_key AND oh.ref <> h.ref"
		"  JOIN hold_recipients o ON o.ref = oh.ref AND o.state = 'released'"
		"  AND lower(trim(o.recipient, '<>')) = lower(trim(r.recipient, '<>'))"
		"  WHERE h.ref = r.ref LIMIT 1)"
		" WHERE r.ref = ?1 AND r.state = 'approved' AND EXISTS (SELECT 1 FROM holds h"
		"  JOIN holds oh ON oh.message_key = h.message_key AND oh.ref <> h.ref"
		"  JOIN hold_recipients o ON o.ref = oh.ref AND o.state = 'released'"
		"  AND lower(trim(o.recipient, '<>')) = lower(trim(r.recipient, '<>'))"
		"  WHERE h.ref = r.ref AND coalesce(h.message_key, '') <> '')",
		ref, 1, 2, (int64_t)in->now, err, errlen);
	/* the hold's state as holdstate.h derives it: released once nothing
	 * is held, approved or releasing any more (then decided by the
	 * admin's statement) */
	const char *hold[] = {in->ref, in->actor && in->actor->user ? in->actor->user : "admin",
			      in->reason};
	if (rc == 0)
		rc = exec_text(s,
			       "UPDATE holds SET release_error = NULL, release_due = ?4,"
			       " state_changed = ?4 WHERE ref = ?1", hold, 1, 4, (int64_t)in->now,
			       err, errlen);
	if (rc == 0)
		rc = exec_text(s,
			       "UPDATE holds SET state = 'released', decided_at = ?4,"
			       " decided_by = ?2, decision_reason = ?3 WHERE ref = ?1"
			       " AND NOT EXISTS (SELECT 1 FROM hold_recipients WHERE ref = ?1"
			       "  AND state IN ('held', 'approved', 'releasing'))",
			       hold, 3, 4, (int64_t)in->now, err, errlen);
	struct db_stmt *q = rc == 0 ? store_prepare(s, "SELECT state FROM holds WHERE ref = ?1", err,
						  errlen) : NULL;
	if (q != NULL) {
		store_bind_text(q, 1, in->ref);
		if (db_step(q) == DB_ROW)
			snprintf(out->state, sizeof out->state, "%s",
				 db_column_text(q, 0));
		db_finalize(q);
	}
	return rc == 0 && q != NULL ? 0 : -1;
}

/* Inside the transaction of store_release_resolve(). */
static int resolve_locked(struct store *s, const struct store_release_resolution *in,
			  struct store_decision_result *out, char *err, size_t errlen)
{
	struct db_stmt *q = store_prepare(s, "SELECT 1 FROM holds WHERE ref = ?1", err, errlen);
	if (q == NULL)
		return -1;
	store_bind_text(q, 1, in->ref);
	int step = db_step(q);
	db_finalize(q);
	if (step != DB_ROW)
		return step == DB_DONE ? 2 : -1;
	struct stuck t;
	int found = stuck_token(s, in->ref, &t, err, errlen);
	if (found != 0)
		return found < 0 ? -1 : resolve_token(s, in, &t, out, err, errlen);
	GString *rcpts, *others;
	bool in_flight;
	if (duplicates(s, in->ref, &rcpts, &others, &in_flight, err, errlen) != 0)
		return -1;
	if (rcpts == NULL)
		snprintf(out->reason, sizeof out->reason, "the release of this hold is not waiting"
			 " for an admin (only unknown, unconfirmed and duplicate releases are"
			 " resolved)");
	else if (!in->delivered)
		snprintf(out->reason, sizeof out->reason, "a duplicate is never sent again: its"
			 " recipients had the message from hold %.100s (resolve it with"
			 " --delivered, or deny them)", others->str);
	else if (in_flight)
		snprintf(out->reason, sizeof out->reason, "hold %.100s is still releasing the"
			 " message: wait for its outcome (or resolve that hold first)", others->str);
	else {
		int rc = resolve_duplicate(s, in, rcpts->str, others->str, out, err, errlen);
		g_string_free(rcpts, TRUE);
		g_string_free(others, TRUE);
		return rc;
	}
	if (rcpts != NULL) {
		g_string_free(rcpts, TRUE);
		g_string_free(others, TRUE);
	}
	return record(s, in, NULL, NULL, NULL, NULL, out->reason, err, errlen) == 0 ? 1 : -1;
}

int store_release_resolve(struct store *s, const struct store_release_resolution *in,
			  struct store_decision_result *out, char *err, size_t errlen)
{
	struct store_decision_result dummy;
	if (out == NULL)
		out = &dummy;
	memset(out, 0, sizeof *out);
	store_errf(err, errlen, "%s", "");
	if (s == NULL || in == NULL || in->ref == NULL || in->reason == NULL || *in->reason == '\0'
	    || s->readonly) {
		store_errf(err, errlen, "store: invalid resolution");
		return -1;
	}
	struct store_release_resolution with = *in;
	if (with.now == 0)
		with.now = time(NULL);
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = resolve_locked(s, &with, out, err, errlen);
	/* a refusal keeps its record; an error, no hold or a refusal of the
	 * state machine (its records would claim a resolution) changes
	 * nothing */
	rc = store_txn_end(s, rc, rc == 0 || rc == 1, err, errlen);
	return rc == 4 ? 1 : rc;
}
