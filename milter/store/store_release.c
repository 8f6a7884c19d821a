/*
 * store_release.c - the release attempts in the store (see store.h,
 * "release that really delivers"): begin, done, fail, the milter's
 * single use of a token, and the releaser's work lists.  Every write is
 * one transaction with its audit record, so the state of a release is
 * always what the record says.
 *
 * Two phases (the states in store.h): the milter's store_release_use()
 * moves a token issued -> used ("seen, pending") before the MTA has its
 * reply, so "used" never means delivered; only the relay's 250 does
 * (store_release_done: used -> done).  No 250 makes the attempt void
 * (store_release_fail), whatever the milter saw, and the releaser retries
 * with a new token; a void token arriving late is refused.  A 250 for a
 * token the milter never saw is "unconfirmed", a lost reply for a token it
 * saw "unknown": neither is sent again.  Every change is a conditional
 * update inside a write transaction with its record.
 *
 * Public functions: store_release_begin(), store_release_token_get(),
 * store_release_token_clear(), store_release_done(), store_release_fail(),
 * store_release_backoff(), store_release_unknown(), store_release_tampered(),
 * store_release_use(),
 * store_release_refused(),
 * store_release_open_after(), store_release_due_after(),
 * store_holds_expired(), store_holds_expired_after(),
 * store_strv_free().
 * Limits: work lists return at most 100 entries per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/release.h"
#include "store_priv.h"

#define WORK_LIST_MAX 100

/* The canonical list of hold ref's recipients in state st (malloc'ed;
 * NULL with *none when there are none). */
static char *rcpts_in_state(struct store *s, const char *ref, const char *st, bool *none)
{
	*none = false;
	struct db_stmt *q = store_prepare(s, "SELECT recipient FROM hold_recipients"
					   " WHERE ref = ?1 AND state = ?2", NULL, 0);
	if (q == NULL)
		return NULL;
	store_bind_text(q, 1, ref);
	store_bind_text(q, 2, st);
	char **v = NULL;
	size_t n = 0;
	bool ok = true;
	while (ok && db_step(q) == DB_ROW && n < RELEASE_MAX_RCPTS) {
		char **nv = realloc(v, (n + 1) * sizeof *v);
		ok = nv != NULL && (nv[n] = store_column_dup(q, 0)) != NULL;
		if (nv != NULL)
			v = nv;
		n += ok;
	}
	db_finalize(q);
	char *canon = ok && n > 0 ? release_rcpts_canon((const char *const *)v, n) : NULL;
	*none = ok && n == 0;
	store_strv_free(v, n);
	return canon;
}

/* Run one statement with text/int parameters ("t" or "i" per ?N). */
static int exec_bind(struct store *s, const char *sql, const char *types, const void *const *args,
		     char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s, sql, err, errlen);
	if (st == NULL)
		return -1;
	for (int i = 0; types[i]; i++) {
		if (types[i] == 't')
			store_bind_text(st, i + 1, args[i]);
		else
			db_bind_int64(st, i + 1, *(const int64_t *)args[i]);
	}
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "release");
	db_finalize(st);
	return rc;
}

/* End the transaction (store_txn_end): commit after rc 0/1/3 (the records
 * of a refusal stay), roll back on -1 and 2. */
static int finish(struct store *s, int rc, char *err, size_t errlen)
{
	return store_txn_end(s, rc, rc >= 0 && rc != 2, err, errlen);
}

/* Is a recipient of b released (or releasing) from another hold of the
 * same message (holds.message_key)?  Then the attempt is refused, once:
 * a "release-duplicate" record, the hold's release_error, the next look
 * after STORE_RELEASE_BACKOFF_MAX; 1 (reason), 0 when not, -1. */
static int released_elsewhere(struct store *s, const struct store_release_start *b,
			      char *reason, size_t reasonlen, char *err, size_t errlen)
{
	struct db_stmt *q = store_prepare(s, "SELECT r.recipient, r.ref FROM holds h"
					   " JOIN hold_recipients r ON r.ref = h.ref"
					   " WHERE h.message_key = (SELECT message_key FROM holds"
					   " WHERE ref = ?1) AND h.ref <> ?1"
					   " AND r.state IN ('released', 'releasing')", err, errlen);
	if (q == NULL)
		return -1;
	store_bind_text(q, 1, b->ref);
	char why[300] = "";
	int step;
	while (why[0] == '\0' && (step = db_step(q)) == DB_ROW) {
		const char *one[] = {db_column_text(q, 0)};
		char *canon = release_rcpts_canon(one, 1);
		size_t cl = canon ? strlen(canon) : 0;
		/* a whole line of the approved list */
		for (const char *p = b->rcpts_canon; canon && (p = strstr(p, canon)) != NULL; p++)
			if ((p == b->rcpts_canon || p[-1] == '\n') && (p[cl] == '\0' || p[cl] == '\n'))
				snprintf(why, sizeof why, "duplicate: %.200s was released from hold %s,"
					 " the same message; not released twice", canon,
					 db_column_text(q, 1));
		free(canon);
	}
	db_finalize(q);
	if (why[0] == '\0')
		return 0;
	snprintf(reason, reasonlen, "%s", why);
	struct audit_details *a = audit_details_new();
	audit_details_str(a, "reason", why);
	char *details = audit_details_finish(a);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit rec = {.event = "release-duplicate", .ref = b->ref, .details = details};
	int rc = store_audit_append(s, &rec, b->now, NULL, err, errlen);
	free(details);
	int64_t due = (int64_t)b->now + STORE_RELEASE_BACKOFF_MAX;
	const void *args[] = {b->ref, &due, why};
	if (rc == 0 && exec_bind(s, "UPDATE holds SET release_due = ?2, release_error = ?3"
				    " WHERE ref = ?1", "tit", args, err, errlen) != 0)
		rc = -1;
	return rc == 0 ? 1 : -1;
}

/* Inside the transaction of store_release_begin(). */
static int begin_locked(struct store *s, const struct store_release_start *b, char *reason,
			size_t reasonlen, char *err, size_t errlen)
{
	bool none;
	char *now_approved = rcpts_in_state(s, b->ref, "approved", &none);
	if (now_approved == NULL || strcmp(now_approved, b->rcpts_canon) != 0) {
		snprintf(reason, reasonlen, "%s", none ? "nothing is approved"
						       : "the approved recipients changed");
		free(now_approved);
		return 1;
	}
	free(now_approved);
	int dup = released_elsewhere(s, b, reason, reasonlen, err, errlen);
	if (dup != 0)
		return dup;
	struct store_decision d = {.event = HEV_RELEASE_STARTED, .now = b->now,
				   .relay = s->relay, .encrypted_for = b->encrypted_for,
				   .key_fprs = b->key_fprs};
	struct store_decision_result res;
	memset(&res, 0, sizeof res);
	int rc = store_decide_locked(s, b->ref, &d, &res, err, errlen);
	if (rc == 1)
		snprintf(reason, reasonlen, "%s", res.reason);
	if (rc != 0)
		return rc;
	int64_t created = (int64_t)b->now, expires = b->expires;
	const void *args[] = {b->nonce, b->ref, b->rcpts_canon, b->digest, b->header, &created,
			      &expires, s->relay};
	return exec_bind(s,
			 "INSERT INTO release_tokens(nonce, ref, rcpts, digest, header, created,"
			 " expires, state, relay) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, 'issued', ?8)",
			 "tttttiit", args, err, errlen);
}

int store_release_begin(struct store *s, const struct store_release_start *b, char *reason,
			size_t reasonlen, char *err, size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	snprintf(reason, reasonlen, "%s", "");
	if (s == NULL || b == NULL || b->ref == NULL || b->nonce == NULL || b->digest == NULL ||
	    b->rcpts_canon == NULL || b->header == NULL || s->readonly) {
		store_errf(err, errlen, "store: invalid release");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, begin_locked(s, b, reason, reasonlen, err, errlen), err, errlen);
}

/* Read a token row (lock held).  1, 0, -1. */
static int token_get_locked(struct store *s, const char *nonce, struct store_release_token *t,
			    char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	struct db_stmt *st = store_prepare(s, "SELECT ref, rcpts, digest, header, state,"
					    " coalesce(mta_queue_id, ''), expires, relay"
					    " FROM release_tokens WHERE nonce = ?1", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, nonce);
	int rc = db_step(st);
	int found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
	if (found == 1) {
		snprintf(t->nonce, sizeof t->nonce, "%s", nonce);
		snprintf(t->ref, sizeof t->ref, "%s", db_column_text(st, 0));
		t->rcpts = store_column_dup(st, 1);
		t->digest = store_column_dup(st, 2);
		t->header = store_column_dup(st, 3);
		t->state = store_column_dup(st, 4);
		t->mta_queue_id = store_column_dup(st, 5);
		t->expires = db_column_int64(st, 6);
		snprintf(t->relay, sizeof t->relay, "%s", db_column_text(st, 7));
		if (!t->rcpts || !t->digest || !t->header || !t->state || !t->mta_queue_id) {
			store_release_token_clear(t);
			store_errf(err, errlen, "store: out of memory");
			found = -1;
		}
	} else if (found < 0) {
		store_sqlerr(s, err, errlen, "read release token");
	}
	db_finalize(st);
	return found;
}

int store_release_token_get(struct store *s, const char *nonce, struct store_release_token *out,
			    char *err, size_t errlen)
{
	if (s == NULL || nonce == NULL || out == NULL)
		return -1;
	s = store_take(s);
	int rc = token_get_locked(s, nonce, out, err, errlen);
	store_give(s);
	return rc;
}

void store_release_token_clear(struct store_release_token *t)
{
	if (t == NULL)
		return;
	free(t->rcpts);
	free(t->digest);
	free(t->header);
	free(t->state);
	free(t->mta_queue_id);
	memset(t, 0, sizeof *t);
}

/* Set the hold's release_error (the admins' view of a stuck release). */
static int hold_error(struct store *s, const char *ref, const char *why, char *err,
		      size_t errlen)
{
	const void *args[] = {ref, why};
	return exec_bind(s, "UPDATE holds SET release_error = ?2 WHERE ref = ?1", "tt", args,
			 err, errlen);
}

/* A stuck attempt: token state st, record event, the hold's error (lock
 * held, in a transaction).  0 or -1. */
static int stuck_locked(struct store *s, const struct store_release_token *t, const char *st,
			const char *event, const char *relay_qid, const char *why, time_t now,
			char *err, size_t errlen)
{
	const void *args[] = {t->nonce, st, relay_qid ? relay_qid : "", why};
	if (exec_bind(s, "UPDATE release_tokens SET state = ?2, relay_queue_id = nullif(?3, ''),"
			 " last_error = ?4 WHERE nonce = ?1", "tttt", args, err, errlen) != 0)
		return -1;
	struct audit_details *a = audit_details_new();
	audit_details_str(a, "nonce", t->nonce);
	audit_details_str(a, "mta_queue_id", t->mta_queue_id);
	audit_details_str(a, "relay_queue_id", relay_qid ? relay_qid : "");
	audit_details_str(a, "reason", why);
	char *details = audit_details_finish(a);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit rec = {.event = event, .ref = t->ref, .details = details};
	int rc = store_audit_append(s, &rec, now, NULL, err, errlen);
	free(details);
	return rc == 0 ? hold_error(s, t->ref, why, err, errlen) : -1;
}

/* Inside the transaction of store_release_done(). */
static int done_locked(struct store *s, const char *nonce, const char *relay_queue_id,
		       const char *notice_to, const char *notice_message, time_t now, char *err,
		       size_t errlen)
{
	struct store_release_token t;
	int found = token_get_locked(s, nonce, &t, err, errlen);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	int rc = 1;
	if (strcmp(t.state, "issued") == 0) {
		/* the relay took a copy our milter never checked: delivered,
		 * unverified; sending it again would deliver it twice */
		char why[300];
		snprintf(why, sizeof why, "unconfirmed: the relay accepted the copy (queue id %.64s)"
			 " but it never came back through the milter's release check; not retried",
			 relay_queue_id && *relay_queue_id ? relay_queue_id : "unknown");
		rc = stuck_locked(s, &t, "unconfirmed", "release-unconfirmed", relay_queue_id, why,
				  now, err, errlen);
		rc = rc == 0 ? 3 : -1;
	}
	/* only a token the milter let pass: a 250 for a message the milter
	 * held again (token refused) is not a release */
	if (strcmp(t.state, "used") == 0) {
		const char *qid = relay_queue_id && *relay_queue_id ? relay_queue_id : t.mta_queue_id;
		struct store_decision d = {
			.event = HEV_RELEASE_DONE, .relay_queue_id = qid, .now = now,
			.notice_kind = notice_message ? "release" : NULL,
			.notice_to = notice_to, .notice_message = notice_message,
		};
		struct store_decision_result res;
		rc = store_decide_locked(s, t.ref, &d, &res, err, errlen);
		/* refused: the recipients are not releasing any more; the token
		 * is finished either way, so no pass tries it again */
		const void *args[] = {nonce, qid, rc == 0 ? "done" : "void"};
		if (rc >= 0 && rc != 2 &&
		    exec_bind(s, "UPDATE release_tokens SET state = ?3, relay_queue_id = ?2"
				 " WHERE nonce = ?1", "ttt", args, err, errlen) != 0)
			rc = -1;
		const void *hargs[] = {t.ref};
		if (rc == 0 && exec_bind(s, "UPDATE holds SET release_error = NULL WHERE ref = ?1",
					 "t", hargs, err, errlen) != 0)
			rc = -1;
		if (rc == 2)
			rc = 1;
	}
	store_release_token_clear(&t);
	return rc;
}

int store_release_done(struct store *s, const char *nonce, const char *relay_queue_id,
		       const char *notice_to, const char *notice_message, time_t now, char *err,
		       size_t errlen)
{
	if (s == NULL || nonce == NULL || s->readonly)
		return -1;
	if (now == 0)
		now = time(NULL);
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, done_locked(s, nonce, relay_queue_id, notice_to, notice_message, now,
				     err, errlen), err, errlen);
}

time_t store_release_backoff(unsigned attempts, unsigned base)
{
	time_t d = base > 0 ? base : 1;
	for (unsigned i = 1; i < attempts && d < STORE_RELEASE_BACKOFF_MAX; i++)
		d *= 2;
	return d < STORE_RELEASE_BACKOFF_MAX ? d : STORE_RELEASE_BACKOFF_MAX;
}

/* Inside the transaction of store_release_fail(). */
static int fail_locked(struct store *s, const char *nonce, const char *why, time_t now,
		       unsigned base, time_t *next_due, char *err, size_t errlen)
{
	struct store_release_token t;
	int found = token_get_locked(s, nonce, &t, err, errlen);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	/* no 250: the MTA did not queue the copy, even when our milter let
	 * it pass (a later milter refused it, the MTA stopped, or our milter
	 * died before the MTA had its reply) - retried with a new token */
	bool open = strcmp(t.state, "issued") == 0 || strcmp(t.state, "used") == 0 ||
		    strcmp(t.state, "refused") == 0;
	int rc = open ? 0 : 1;
	const void *args[] = {nonce, why};
	if (rc == 0 && exec_bind(s, "UPDATE release_tokens SET state = 'void', last_error = ?2"
				    " WHERE nonce = ?1", "tt", args, err, errlen) != 0)
		rc = -1;
	struct store_decision d = {.event = HEV_RELEASE_FAILED, .reason = why, .now = now};
	struct store_decision_result res;
	/* refused by the state machine (the recipients were not releasing):
	 * the refusal is recorded and the token void; nothing to complete */
	if (rc == 0 && store_decide_locked(s, t.ref, &d, &res, err, errlen) < 0)
		rc = -1;
	int64_t attempts = 0;
	struct db_stmt *q = rc == 0 ? store_prepare(s, "SELECT release_attempts FROM holds"
						     " WHERE ref = ?1", err, errlen) : NULL;
	if (q != NULL) {
		store_bind_text(q, 1, t.ref);
		if (db_step(q) == DB_ROW)
			attempts = db_column_int64(q, 0);
		db_finalize(q);
	}
	int64_t due = (int64_t)now + (int64_t)store_release_backoff((unsigned)attempts + 1, base);
	const void *hargs[] = {t.ref, &due, why};
	if (rc == 0 && exec_bind(s, "UPDATE holds SET release_attempts = release_attempts + 1,"
				    " release_due = ?2, release_error = ?3 WHERE ref = ?1",
				 "tit", hargs, err, errlen) != 0)
		rc = -1;
	if (next_due != NULL)
		*next_due = (time_t)due;
	store_release_token_clear(&t);
	return rc;
}

int store_release_fail(struct store *s, const char *nonce, const char *why, time_t now,
		       unsigned base, time_t *next_due, char *err, size_t errlen)
{
	if (s == NULL || nonce == NULL || why == NULL || s->readonly)
		return -1;
	if (now == 0)
		now = time(NULL);
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, fail_locked(s, nonce, why, now, base, next_due, err, errlen), err,
		      errlen);
}

/* Inside the transaction of store_release_tampered(). */
static int tampered_locked(struct store *s, const char *ref, const char *why, time_t now,
			   char *err, size_t errlen)
{
	struct audit_details *a = audit_details_new();
	audit_details_str(a, "what", "release");
	audit_details_str(a, "reason", why);
	char *details = audit_details_finish(a);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit rec = {.event = "tampered", .ref = ref, .details = details};
	int rc = store_audit_append(s, &rec, now, NULL, err, errlen);
	free(details);
	int64_t due = (int64_t)now + STORE_RELEASE_BACKOFF_MAX;
	const void *args[] = {ref, &due, why};
	if (rc == 0 && exec_bind(s, "UPDATE holds SET release_due = ?2, release_error = ?3"
				    " WHERE ref = ?1", "tit", args, err, errlen) != 0)
		rc = -1;
	return rc;
}

int store_release_tampered(struct store *s, const char *ref, const char *why, time_t now,
			   char *err, size_t errlen)
{
	if (s == NULL || ref == NULL || why == NULL || s->readonly)
		return -1;
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, tampered_locked(s, ref, why, now, err, errlen), err, errlen);
}

/* Inside the transaction of store_release_unknown(). */
static int unknown_locked(struct store *s, const char *nonce, const char *why, time_t now,
			  char *err, size_t errlen)
{
	struct store_release_token t;
	int found = token_get_locked(s, nonce, &t, err, errlen);
	if (found <= 0)
		return found < 0 ? -1 : 1;
	char text[400];
	snprintf(text, sizeof text, "unknown: %s; the MTA (queue id %.64s) may have queued the"
		 " copy, so it is not sent again", why, t.mta_queue_id);
	int rc = strcmp(t.state, "used") == 0
			 ? stuck_locked(s, &t, "unknown", "release-unknown", NULL, text, now, err,
					errlen)
			 : 1;
	store_release_token_clear(&t);
	return rc;
}

int store_release_unknown(struct store *s, const char *nonce, const char *why, time_t now,
			  char *err, size_t errlen)
{
	if (s == NULL || nonce == NULL || why == NULL || s->readonly)
		return -1;
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, unknown_locked(s, nonce, why, now, err, errlen), err, errlen);
}

/* An issued token of nonce is refused by the milter (lock held). */
static int mark_refused(struct store *s, const char *nonce, char *err, size_t errlen)
{
	const void *args[] = {nonce ? nonce : ""};
	return exec_bind(s, "UPDATE release_tokens SET state = 'refused'"
			    " WHERE nonce = ?1 AND state = 'issued'", "t", args, err, errlen);
}

/* Append a release-accepted/-refused record (lock held, in a transaction). */
static int use_record(struct store *s, const char *event, const char *ref, const char *nonce,
		      const char *why, const char *qid, const char *rcpts, const char *issuer,
		      time_t now, char *err, size_t errlen)
{
	struct audit_details *a = audit_details_new();
	audit_details_str(a, "nonce", nonce ? nonce : "");
	audit_details_str(a, "mta_queue_id", qid ? qid : "");
	if (why != NULL)
		audit_details_str(a, "refused", why);
	if (rcpts != NULL)
		audit_details_str(a, "recipients", rcpts);
	/* several relays: which one checked the copy, which one issued it */
	if (s->relay[0] != '\0')
		audit_details_str(a, "relay", s->relay);
	if (issuer != NULL && *issuer != '\0')
		audit_details_str(a, "issued_by", issuer);
	char *details = audit_details_finish(a);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit rec = {.event = event, .ref = ref, .details = details};
	int rc = store_audit_append(s, &rec, now, NULL, err, errlen);
	free(details);
	return rc;
}

/* Why the token t cannot be used for u, or NULL when it can. */
static const char *use_refusal(const struct store_release_token *t,
			       const struct store_release_use *u)
{
	if (strcmp(t->state, "used") == 0 || strcmp(t->state, "done") == 0)
		return "replayed: the token was already used";
	if (strcmp(t->state, "issued") != 0)
		return STORE_RELEASE_ABANDONED;
	if (strcmp(t->ref, u->ref) != 0)
		return "altered: the token is for another hold";
	if (strcmp(t->digest, u->digest) != 0)
		return "altered: the message is not the one approved";
	if (strcmp(t->rcpts, u->rcpts_canon) != 0)
		return "altered: the recipients are not the ones approved";
	if ((int64_t)u->now >= t->expires)
		return "expired";
	return NULL;
}

/* Inside the transaction of store_release_use(). */
static int use_locked(struct store *s, const struct store_release_use *u, char *why,
		      size_t whylen, char *err, size_t errlen)
{
	struct store_release_token t;
	int found = token_get_locked(s, u->nonce, &t, err, errlen);
	if (found < 0)
		return -1;
	const char *no = found == 0 ? "unknown token" : use_refusal(&t, u);
	int rc;
	if (no != NULL) {
		snprintf(why, whylen, "%s", no);
		rc = use_record(s, "release-refused", u->ref, u->nonce, no, u->mta_queue_id, NULL,
				found ? t.relay : NULL, u->now, err, errlen);
		if (rc == 0)
			rc = mark_refused(s, u->nonce, err, errlen);
		rc = rc == 0 ? 1 : -1;
	} else {
		int64_t at = (int64_t)u->now;
		const void *args[] = {u->nonce, &at, u->mta_queue_id};
		rc = exec_bind(s, "UPDATE release_tokens SET state = 'used', used_at = ?2,"
				  " mta_queue_id = ?3 WHERE nonce = ?1 AND state = 'issued'",
			       "tit", args, err, errlen);
		if (rc == 0)
			rc = use_record(s, "release-accepted", u->ref, u->nonce, NULL,
					u->mta_queue_id, t.rcpts, t.relay, u->now, err, errlen);
	}
	store_release_token_clear(&t);
	return rc;
}

int store_release_use(struct store *s, const struct store_release_use *u, char *why,
		      size_t whylen, char *err, size_t errlen)
{
	snprintf(why, whylen, "%s", "");
	if (s == NULL || u == NULL || u->ref == NULL || u->nonce == NULL || u->digest == NULL ||
	    u->rcpts_canon == NULL || s->readonly) {
		store_errf(err, errlen, "store: invalid token use");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	return finish(s, use_locked(s, u, why, whylen, err, errlen), err, errlen);
}

int store_release_refused(struct store *s, const char *ref, const char *nonce, const char *why,
			  const char *mta_queue_id, char *err, size_t errlen)
{
	if (s == NULL || why == NULL || s->readonly)
		return -1;
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = use_record(s, "release-refused", ref ? ref : "", nonce, why, mta_queue_id, NULL,
			    NULL, time(NULL), err, errlen);
	if (rc == 0)
		rc = mark_refused(s, nonce, err, errlen);
	return finish(s, rc, err, errlen);
}

/* Run a query with one optional integer parameter; collect column 0. */
static int str_list(struct store *s, const char *sql, bool bind, int64_t arg, const char *text,
		    const char *text3, char ***out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	if (s == NULL)
		return -1;
	s = store_take(s);
	struct db_stmt *st = store_prepare(s, sql, err, errlen);
	int rc = st != NULL ? 0 : -1;
	if (st != NULL && bind)
		db_bind_int64(st, 1, arg);
	if (st != NULL && text != NULL)
		store_bind_text(st, 2, text);
	/* on SQLite one relay settles every attempt (its name may change) */
	if (st != NULL && text3 != NULL)
		store_bind_text(st, 3, db_backend(s->db) == DB_POSTGRES ? text3 : "");
	while (rc == 0 && *n < WORK_LIST_MAX) {
		int step = db_step(st);
		if (step == DB_DONE)
			break;
		char **v = step == DB_ROW ? realloc(*out, (*n + 1) * sizeof **out) : NULL;
		if (v != NULL)
			*out = v;
		if (v == NULL || (v[*n] = store_column_dup(st, 0)) == NULL) {
			store_errf(err, errlen, "store: work list: %s",
				   step == DB_ROW ? "out of memory" : db_errmsg(s->db));
			rc = -1;
		} else {
			(*n)++;
		}
	}
	db_finalize(st);
	store_give(s);
	if (rc != 0) {
		store_strv_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int store_release_open_after(struct store *s, time_t now, const char *after, char ***nonces,
			     size_t *n, char *err, size_t errlen)
{
	/* a cursor (oldest first): attempts of holds that cannot be loaded
	 * never keep a later attempt from being settled */
	/* only this relay's own while the token lives: another relay's
	 * attempt may be in flight, its relay process and receipt are on that
	 * relay's host.  Once it has expired any relay settles it, or a relay
	 * renamed or taken out of service would leave its holds releasing for
	 * ever: the milter refuses a token past its expiry or not issued, so
	 * an issued one can no longer be used and a used one is settled as
	 * unknown, never sent again. */
	return str_list(s, "SELECT nonce FROM release_tokens WHERE state IN ('issued', 'used')"
			   " AND (?3 = '' OR relay = ?3 OR relay = '' OR expires <= ?1)"
			   " AND (?2 = '' OR (created, nonce) > (SELECT created, nonce FROM"
			   " release_tokens WHERE nonce = ?2)) ORDER BY created, nonce", true,
			(int64_t)now,
			after != NULL ? after : "", s != NULL ? s->relay : "", nonces, n, err, errlen);
}

int store_release_due_after(struct store *s, time_t now, const char *after, char ***refs,
			    size_t *n, char *err, size_t errlen)
{
	/* a cursor as for the expiry, in the order received (the first
	 * approved copy of a message goes first): holds that cannot be loaded
	 * or begun never fill the list and keep later ones from their
	 * release */
	return str_list(s, "SELECT ref FROM holds WHERE state = 'partly-approved'"
			   " AND release_due <= ?1 AND (?2 = '' OR (received, ref) > (SELECT"
			   " received, ref FROM holds WHERE ref = ?2)) AND EXISTS (SELECT 1 FROM"
			   " hold_recipients r WHERE r.ref = holds.ref AND r.state = 'approved')"
			   " ORDER BY received, ref", true, (int64_t)now, after != NULL ? after : "", NULL,
			refs, n, err, errlen);
}

int store_holds_expired_after(struct store *s, time_t cutoff, const char *after, char ***refs,
			      size_t *n, char *err, size_t errlen)
{
	/* by reference (it starts with the day received): a cursor, so holds
	 * that cannot be expired never keep later ones off the list */
	return str_list(s, "SELECT ref FROM holds WHERE state IN ('pending', 'partly-approved')"
			   " AND received <= ?1 AND ref > ?2 ORDER BY ref", true, (int64_t)cutoff,
			after != NULL ? after : "", NULL, refs, n, err, errlen);
}

int store_holds_expired(struct store *s, time_t cutoff, char ***refs, size_t *n, char *err,
			size_t errlen)
{
	return store_holds_expired_after(s, cutoff, "", refs, n, err, errlen);
}

void store_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}
