/*
 * store_decide.c - one event on a hold (approve, deny, expire, release-*)
 * in ONE transaction: load the hold and its approvals, let holdstate.c
 * decide, write the new states, the approval rows, the optional notice
 * and the audit record together.  A refused event writes only a
 * "refused" record, so every attempt is in the chain.
 *
 * Public functions: store_hold_decide().
 * Limits: HOLDSTATE_MAX_RCPTS recipients per hold (more: an error).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/names.h"
#include "store_priv.h"

/* The audit event names of the state machine's events: a finished
 * release is "release" in the chain (records already written, and every
 * reader of them, use that word), "release-done" only in the machine. */
static const struct name_value audit_events[] = {
	{"approve", HEV_APPROVE},
	{"deny", HEV_DENY},
	{"expire", HEV_EXPIRE},
	{"release-started", HEV_RELEASE_STARTED},
	{"release", HEV_RELEASE_DONE},
	{"release-failed", HEV_RELEASE_FAILED},
};

/* The audit event name of a state-machine event. */
static const char *audit_event(enum hold_event ev)
{
	return name_of(audit_events, NAMES_LEN(audit_events), (int)ev, "?");
}

/* Load hold ref into a new holdstate; ids[] gets the recipients' row ids.
 * 1 found, 0 not found, -1 error. */
static int load(struct store *s, const char *ref, unsigned required, struct holdstate **out,
		int64_t **ids, char *err, size_t errlen)
{
	*out = NULL;
	*ids = NULL;
	struct db_stmt *st = store_prepare(s, "SELECT state, sender, sender_canonical, sender_auth"
					    " FROM holds WHERE ref = ?1", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	int rc = db_step(st);
	enum hold_state hs = HOLD_PENDING;
	if (rc == DB_ROW && (!holdstate_parse(db_column_text(st, 0), &hs) ||
				 (*out = holdstate_new(hs, db_column_text(st, 1),
						       required)) == NULL ||
				 holdstate_set_sender_id(*out,
							 db_column_text(st, 2),
							 db_column_text(st, 3)) != 0)) {
		store_errf(err, errlen, "store: hold %s: bad state or out of memory", ref);
		rc = DB_ERROR;
	}
	db_finalize(st);
	if (rc != DB_ROW) {
		if (rc != DB_DONE && err != NULL && *err == '\0')
			store_sqlerr(s, err, errlen, "read hold");
		return rc == DB_DONE ? 0 : -1;
	}
	st = store_prepare(s, "SELECT id, recipient, state FROM hold_recipients WHERE ref = ?1"
			      " ORDER BY id", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	size_t n = 0;
	int result = 1;
	while (result == 1 && db_step(st) == DB_ROW) {
		enum hold_rcpt_state rs;
		int64_t *nids = realloc(*ids, (n + 1) * sizeof *nids);
		if (nids != NULL)
			*ids = nids;
		if (nids == NULL ||
		    !holdstate_rcpt_parse(db_column_text(st, 2), &rs) ||
		    holdstate_add_rcpt(*out, db_column_text(st, 1), rs) < 0) {
			store_errf(err, errlen, "store: hold %s: bad recipient row", ref);
			result = -1;
			break;
		}
		(*ids)[n++] = db_column_int64(st, 0);
	}
	db_finalize(st);
	st = result == 1 ? store_prepare(s, "SELECT recipient_id, jurist FROM hold_approvals"
					    " WHERE ref = ?1", err, errlen)
			 : NULL;
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, ref);
	while (result == 1 && db_step(st) == DB_ROW) {
		int64_t id = db_column_int64(st, 0);
		for (size_t i = 0; i < n; i++)
			if ((*ids)[i] == id &&
			    holdstate_add_approval(*out, i, db_column_text(st, 1)) != 0)
				result = -1;
	}
	db_finalize(st);
	return result;
}

/* The details of the record of d (applied or refused). */
static char *details_of(const struct store_decision *d, const struct holdstate *h,
			const char *refused)
{
	struct audit_details *a = audit_details_new();
	GString *rc = g_string_new(NULL);
	for (size_t i = 0; h != NULL && i < holdstate_rcpt_count(h); i++)
		if (refused == NULL && holdstate_rcpt_changed(h, i))
			g_string_append_printf(rc, "%s%s", rc->len ? "," : "", holdstate_rcpt(h, i));
	for (size_t i = 0; refused != NULL && i < d->nrcpts; i++)
		g_string_append_printf(rc, "%s%s", rc->len ? "," : "", d->rcpts[i]);
	audit_details_str(a, "recipients", rc->str);
	g_string_free(rc, TRUE);
	if (d->reason != NULL)
		audit_details_str(a, "reason", d->reason);
	if (d->basis != NULL && *d->basis)
		audit_details_str(a, "basis", d->basis);
	if (d->relay_queue_id != NULL && *d->relay_queue_id)
		audit_details_str(a, "relay_queue_id", d->relay_queue_id);
	if (d->relay != NULL && *d->relay != '\0')
		audit_details_str(a, "relay", d->relay);
	if (d->encrypted_for != NULL && *d->encrypted_for != '\0') {
		audit_details_str(a, "encrypted_for", d->encrypted_for);
		audit_details_str(a, "keys", d->key_fprs != NULL ? d->key_fprs : "");
	}
	if (refused != NULL) {
		audit_details_str(a, "command", holdstate_event_name(d->event));
		audit_details_str(a, "refused", refused);
	}
	if (h != NULL)
		audit_details_str(a, "state", holdstate_name(holdstate_state(h)));
	if (d->event == HEV_APPROVE)
		audit_details_int(a, "required", d->required);
	if (d->notice_kind != NULL)
		audit_details_str(a, "notice", d->notice_kind);
	return audit_details_finish(a);
}

/* Write the changed recipients and their approvals. */
static int write_rcpts(struct store *s, const char *ref, const struct store_decision *d,
		       const struct holdstate *h, const int64_t *ids, time_t now, int64_t seq,
		       struct store_decision_result *out, char *err, size_t errlen)
{
	struct db_stmt *up = store_prepare(
		s,
		"UPDATE hold_recipients SET state = ?2, approvals = ?3,"
		" decided_at = CASE WHEN ?2 IN ('released','denied','expired') THEN ?4 ELSE NULL END,"
		" relay_queue_id = CASE WHEN ?5 != '' THEN ?5 ELSE relay_queue_id END"
		" WHERE id = ?1", err, errlen);
	struct db_stmt *ap = store_prepare(
		s,
		"INSERT INTO hold_approvals(ref, recipient_id, jurist, at, reason, basis, audit_seq)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", err, errlen);
	int rc = up != NULL && ap != NULL ? 0 : -1;
	const char *qid = d->event == HEV_RELEASE_DONE && d->relay_queue_id ? d->relay_queue_id : "";
	for (size_t i = 0; rc == 0 && i < holdstate_rcpt_count(h); i++) {
		if (!holdstate_rcpt_changed(h, i))
			continue;
		out->changed++;
		enum hold_rcpt_state rs = holdstate_rcpt_state(h, i);
		out->approved_now += holdstate_rcpt_approved_now(h, i) && rs == RCPT_APPROVED;
		db_reset(up);
		db_bind_int64(up, 1, ids[i]);
		store_bind_text(up, 2, holdstate_rcpt_name(rs));
		db_bind_int64(up, 3, holdstate_rcpt_approvals(h, i));
		db_bind_int64(up, 4, (int64_t)now);
		store_bind_text(up, 5, qid);
		if (db_step(up) != DB_DONE)
			rc = -1;
		if (rc == 0 && holdstate_rcpt_approved_now(h, i)) {
			db_reset(ap);
			store_bind_text(ap, 1, ref);
			db_bind_int64(ap, 2, ids[i]);
			store_bind_text(ap, 3, d->actor ? d->actor->user : "daemon");
			db_bind_int64(ap, 4, (int64_t)now);
			store_bind_text(ap, 5, d->reason);
			store_bind_text(ap, 6, d->basis);
			db_bind_int64(ap, 7, seq);
			if (db_step(ap) != DB_DONE)
				rc = -1;
		}
	}
	if (rc != 0 && up != NULL && ap != NULL)
		store_sqlerr(s, err, errlen, "update recipients");
	db_finalize(up);
	db_finalize(ap);
	return rc;
}

/* Write the hold's new state (and its decision, when final). */
static int write_hold(struct store *s, const char *ref, const struct store_decision *d,
		      const struct holdstate *h, time_t now, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(
		s,
		"UPDATE holds SET state = ?2, state_changed = ?3,"
		" decided_at = CASE WHEN ?4 <> 0 THEN ?3 ELSE decided_at END,"
		" decided_by = CASE WHEN ?4 <> 0 THEN ?5 ELSE decided_by END,"
		" decision_reason = CASE WHEN ?4 <> 0 THEN ?6 ELSE decision_reason END"
		" WHERE ref = ?1", err, errlen);
	if (st == NULL)
		return -1;
	enum hold_state hs = holdstate_state(h);
	store_bind_text(st, 1, ref);
	store_bind_text(st, 2, holdstate_name(hs));
	db_bind_int64(st, 3, (int64_t)now);
	db_bind_int64(st, 4, holdstate_final(hs));
	store_bind_text(st, 5, d->actor ? d->actor->user : "daemon");
	store_bind_text(st, 6, d->reason);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "update hold");
	db_finalize(st);
	return rc;
}

/* Queue d's notice inside the transaction. */
static int write_notice(struct store *s, const char *ref, const struct store_decision *d,
			time_t now, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s,
					 "INSERT INTO outbox(kind, ref, rcpt, message, created, due)"
					 " VALUES(?1, ?2, ?3, ?4, ?5, ?5)", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, d->notice_kind);
	store_bind_text(st, 2, ref);
	store_bind_text(st, 3, d->notice_to);
	store_bind_text(st, 4, d->notice_message);
	db_bind_int64(st, 5, (int64_t)now);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "insert notice");
	db_finalize(st);
	return rc;
}

/* Queue the notice d->notice_make() writes about the recipients the
 * event changed (so it names exactly those). */
static int make_notice(struct store *s, const char *ref, const struct store_decision *d,
		       const struct holdstate *h, time_t now, char *err, size_t errlen)
{
	size_t n = 0, total = holdstate_rcpt_count(h);
	const char **changed = calloc(total + 1, sizeof *changed);
	char *text = NULL;
	if (changed != NULL) {
		for (size_t i = 0; i < total; i++)
			if (holdstate_rcpt_changed(h, i))
				changed[n++] = holdstate_rcpt(h, i);
		text = d->notice_make(d->notice_arg, changed, n);
	}
	free(changed);
	if (text == NULL) {
		store_errf(err, errlen, "store: out of memory (notice)");
		return -1;
	}
	struct store_decision with = *d;
	with.notice_message = text;
	int rc = write_notice(s, ref, &with, now, err, errlen);
	free(text);
	return rc;
}

/* The body of store_hold_decide() inside the transaction (store_priv.h:
 * the release functions use it inside theirs). */
int store_decide_locked(struct store *s, const char *ref, const struct store_decision *d,
			 struct store_decision_result *out, char *err, size_t errlen)
{
	time_t now = d->now > 0 ? d->now : time(NULL);
	struct holdstate *h = NULL;
	int64_t *ids = NULL;
	int found = load(s, ref, d->required ? d->required : 2, &h, &ids, err, errlen);
	if (found <= 0) {
		holdstate_free(h);
		free(ids);
		return found == 0 ? 2 : -1;
	}
	struct hold_event_in ev = {
		.type = d->event, .jurist = d->actor ? d->actor->user : "daemon",
		.jurist_mail = d->jurist_mail, .njurist_mail = d->njurist_mail,
		.delimiters = d->delimiters,
		.rcpts = d->rcpts, .nrcpts = d->nrcpts, .only_held = d->only_held,
	};
	int refused = holdstate_apply(h, &ev, out->reason, sizeof out->reason) != 0;
	char *details = details_of(d, h, refused ? out->reason : NULL);
	struct store_audit a = {.actor = d->actor, .event = refused ? "refused" : audit_event(d->event),
				.ref = ref, .details = details};
	int rc = details ? 0 : -1;
	if (rc != 0)
		store_errf(err, errlen, "store: out of memory");
	if (rc == 0)
		rc = store_audit_append(s, &a, now, &out->audit_seq, err, errlen);
	if (rc == 0 && !refused)
		rc = write_rcpts(s, ref, d, h, ids, now, out->audit_seq, out, err, errlen);
	if (rc == 0 && !refused)
		rc = write_hold(s, ref, d, h, now, err, errlen);
	if (rc == 0 && !refused && d->notice_kind && d->notice_to && d->notice_message)
		rc = write_notice(s, ref, d, now, err, errlen);
	if (rc == 0 && !refused && d->notice_kind && d->notice_to && d->notice_make &&
	    !d->notice_message)
		rc = make_notice(s, ref, d, h, now, err, errlen);
	snprintf(out->state, sizeof out->state, "%s", holdstate_name(holdstate_state(h)));
	free(details);
	holdstate_free(h);
	free(ids);
	return rc != 0 ? -1 : refused;
}

int store_hold_decide(struct store *s, const char *ref, const struct store_decision *d,
		      struct store_decision_result *out, char *err, size_t errlen)
{
	struct store_decision_result dummy;
	if (out == NULL)
		out = &dummy;
	memset(out, 0, sizeof *out);
	store_errf(err, errlen, "%s", "");
	if (s == NULL || ref == NULL || d == NULL || s->readonly ||
	    (d->nrcpts > 0 && d->rcpts == NULL)) {
		store_errf(err, errlen, "store: invalid decision");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = store_decide_locked(s, ref, d, out, err, errlen);
	bool keep = rc == 0 || rc == 1;
	/* a dry run shows what would change and keeps none of it */
	if (keep && d->dry_run)
		out->audit_seq = 0;
	return store_txn_end(s, rc, keep && !d->dry_run, err, errlen);
}
