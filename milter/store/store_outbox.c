/*
 * store_outbox.c - the share register and the outbox of notices in the
 * store (see store.h).
 *
 * The outbox is a queue with a due time per notice.  A failed attempt
 * moves the due time by an exponential backoff (1 min, doubling, at most
 * 1 h); after STORE_NOTICE_MAX_ATTEMPTS attempts, or at once on a
 * permanent failure, the notice stays in the table as 'failed' with its
 * last error, so nobody can miss that a sender was never told.  Before
 * each attempt the notifier claims the notice (store_notice_claim(): due
 * moved to the end of a lease), so an attempt whose outcome cannot be
 * recorded is not repeated before the lease ends.  Sent
 * notices stay as 'sent' (the record).  No row is ever deleted here.
 * Every share row also appends its "share" record to the chain, in the
 * same transaction; store_notices_put() queues several notices with one
 * record (the jurists' digest and its "digest" record) the same way.
 * Limits: last_error is cut to 500 bytes, control characters replaced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "store_priv.h"

#define LAST_ERROR_MAX 500

/* The "share" record of the chain (same transaction as the row). */
static int share_audit(struct store *s, const struct hold_share *sh, char *err, size_t errlen)
{
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "queue_id", sh->queue_id);
	audit_details_str(d, "sender", sh->sender);
	audit_details_str(d, "recipient", sh->recipient);
	audit_details_str(d, "party", sh->party ? sh->party : "");
	audit_details_str(d, "bases", sh->bases);
	audit_details_int(d, "categories", sh->categories);
	audit_details_int(d, "tlp", sh->tlp);
	audit_details_int(d, "public_addresses", sh->public_addresses);
	audit_details_str(d, "countries", sh->countries);
	audit_details_int(d, "simulated", sh->simulated ? 1 : 0);
	if (sh->encrypted_for != NULL) {
		audit_details_str(d, "encrypted_for", sh->encrypted_for);
		audit_details_str(d, "keys", sh->key_fprs != NULL ? sh->key_fprs : "");
	}
	char *details = audit_details_finish(d);
	if (details == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct store_audit a = {.event = "share", .ref = "", .details = details};
	int rc = store_audit_append(s, &a, 0, NULL, err, errlen);
	free(details);
	return rc;
}

/* Insert one share record inside the caller's transaction. */
int store_put_share(struct store *s, const struct hold_share *sh, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s,
					 "INSERT INTO shares(shared_at, queue_id, sender, recipient,"
					 " party, bases, articles, categories, tlp, public_addresses,"
					 " countries, simulated)"
					 " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
					 err, errlen);
	if (st == NULL)
		return -1;
	int rc = 0;
	db_bind_int64(st, 1, (int64_t)(sh->when > 0 ? sh->when : time(NULL)));
	store_bind_text(st, 2, sh->queue_id);
	store_bind_text(st, 3, sh->sender);
	store_bind_text(st, 4, sh->recipient);
	if (sh->party != NULL)
		store_bind_text(st, 5, sh->party);
	else
		db_bind_null(st, 5);
	store_bind_text(st, 6, sh->bases);
	store_bind_text(st, 7, sh->articles);
	db_bind_int64(st, 8, sh->categories);
	db_bind_int64(st, 9, sh->tlp);
	db_bind_int64(st, 10, sh->public_addresses);
	store_bind_text(st, 11, sh->countries);
	db_bind_int64(st, 12, sh->simulated ? 1 : 0);
	if (db_step(st) != DB_DONE) {
		store_sqlerr(s, err, errlen, "insert share");
		rc = -1;
	}
	db_finalize(st);
	return rc == 0 ? share_audit(s, sh, err, errlen) : rc;
}

int store_shares_put(struct store *s, const struct hold_share *sh, size_t n, char *err,
		     size_t errlen)
{
	if (s == NULL || (n > 0 && sh == NULL)) {
		store_errf(err, errlen, "store: invalid share");
		return -1;
	}
	if (n == 0)
		return 0;
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = store_put_share(s, &sh[i], err, errlen);
	return store_txn_end(s, rc, rc == 0, err, errlen);
}

int store_share_put(struct store *s, const struct hold_share *sh, char *err, size_t errlen)
{
	if (sh == NULL) {
		store_errf(err, errlen, "store: invalid share");
		return -1;
	}
	return store_shares_put(s, sh, 1, err, errlen);
}

/* Insert one queued notice due at `due`, inside the caller's transaction. */
static int insert_notice(struct store *s, const char *kind, const char *ref, const char *to,
			 const char *message, time_t due, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s,
					 "INSERT INTO outbox(kind, ref, rcpt, message, created, due)"
					 " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
					 err, errlen);
	if (st == NULL)
		return -1;
	int rc = 0;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, ref);
	store_bind_text(st, 3, to);
	store_bind_text(st, 4, message);
	db_bind_int64(st, 5, (int64_t)time(NULL));
	db_bind_int64(st, 6, (int64_t)due);
	if (db_step(st) != DB_DONE) {
		store_sqlerr(s, err, errlen, "insert notice");
		rc = -1;
	}
	db_finalize(st);
	return rc;
}

int store_notices_insert(struct store *s, const struct hold_notice *items, size_t n,
		      const char *ref, time_t now, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct hold_notice *it = &items[i];
		if (it->kind == NULL || it->to == NULL || it->to[0] == '\0' || it->message == NULL) {
			store_errf(err, errlen, "store: invalid notice");
			return -1;
		}
		rc = insert_notice(s, it->kind, ref, it->to, it->message, now, err, errlen);
	}
	return rc;
}

/* n notices due at `due` and an optional record, one transaction. */
static int notices_tx(struct store *s, const struct hold_notice *items, size_t n,
		      const char *ref, const struct store_audit *a, time_t due, char *err,
		      size_t errlen)
{
	if (s == NULL || (n > 0 && items == NULL)) {
		store_errf(err, errlen, "store: invalid notice");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = store_notices_insert(s, items, n, ref, due, err, errlen);
	if (rc == 0 && a != NULL)
		rc = store_audit_append(s, a, due, NULL, err, errlen);
	return store_txn_end(s, rc, rc == 0, err, errlen);
}

/* Inside the transaction: is there a record of event at or after since?
 * 1 yes, 0 no, -1 error. */
static int recorded_since(struct store *s, const char *event, time_t since, char *err,
			  size_t errlen)
{
	struct db_stmt *st = store_prepare(s, "SELECT count(*) FROM audit WHERE at >= ?1"
					   " AND event = ?2", err, errlen);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, (int64_t)since);
	store_bind_text(st, 2, event);
	int rc = db_step(st) == DB_ROW ? db_column_int64(st, 0) > 0 : -1;
	if (rc < 0)
		store_sqlerr(s, err, errlen, "the record");
	db_finalize(st);
	return rc;
}

int store_notices_put_unless(struct store *s, const struct hold_notice *items, size_t n,
			     const char *ref, const struct store_audit *a, time_t now,
			     time_t since, char *err, size_t errlen)
{
	if (s == NULL || a == NULL || a->event == NULL || (n > 0 && items == NULL)) {
		store_errf(err, errlen, "store: invalid notice");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	/* under the store's write lock: of two relays asking at once, the
	 * second sees the first one's record */
	int rc = recorded_since(s, a->event, since, err, errlen);
	if (rc == 0)
		rc = store_notices_insert(s, items, n, ref, now, err, errlen);
	if (rc == 0)
		rc = store_audit_append(s, a, now, NULL, err, errlen);
	return store_txn_end(s, rc, rc == 0, err, errlen);
}

int store_notices_put(struct store *s, const struct hold_notice *items, size_t n,
		      const char *ref, const struct store_audit *a, time_t now, char *err,
		      size_t errlen)
{
	return notices_tx(s, items, n, ref, a, now > 0 ? now : time(NULL), err, errlen);
}

int store_notice_put_at(struct store *s, const char *kind, const char *ref, const char *to,
			const char *message, time_t due, char *err, size_t errlen)
{
	struct hold_notice it = {.kind = kind, .to = to, .message = message};
	return notices_tx(s, &it, 1, ref, NULL, due, err, errlen);
}

int store_notice_put(struct store *s, const char *kind, const char *ref, const char *to,
		     const char *message, char *err, size_t errlen)
{
	return store_notice_put_at(s, kind, ref, to, message, time(NULL), err, errlen);
}

int store_notice_next(struct store *s, time_t now, struct store_notice *out)
{
	if (s == NULL || out == NULL)
		return -1;
	memset(out, 0, sizeof *out);
	/* the row is copied on a connection taken; the strings stay with the
	 * front, swapped under its pool_lock, never while another
	 * connection's taker could be freeing them */
	char *kind = NULL, *ref = NULL, *to = NULL, *message = NULL, *last_error = NULL;
	struct store *c = store_take(s);
	struct db_stmt *st = store_prepare(c,
					 "SELECT id, kind, ref, rcpt, message, attempts, due,"
					 " last_error FROM outbox WHERE state = 'queued'"
					 " AND due <= ?1 ORDER BY due, id LIMIT 1",
					 NULL, 0);
	int rc = -1;
	if (st != NULL) {
		db_bind_int64(st, 1, (int64_t)now);
		int step = db_step(st);
		if (step == DB_DONE) {
			rc = 0;
		} else if (step == DB_ROW) {
			kind = store_column_dup(st, 1);
			ref = store_column_dup(st, 2);
			to = store_column_dup(st, 3);
			message = store_column_dup(st, 4);
			last_error = store_column_dup(st, 7);
			if (kind && ref && to && message && last_error) {
				out->id = db_column_int64(st, 0);
				out->attempts = (unsigned)db_column_int64(st, 5);
				out->due = (time_t)db_column_int64(st, 6);
				rc = 1;
			}
		}
	}
	db_finalize(st);
	store_give(c);
	struct store *f = s->front;
	pthread_mutex_lock(&f->pool_lock);
	store_notice_strings_free(f);
	if (rc == 1) {
		out->kind = f->n_kind = kind;
		out->ref = f->n_ref = ref;
		out->to = f->n_to = to;
		out->message = f->n_message = message;
		out->last_error = f->n_last_error = last_error;
	}
	pthread_mutex_unlock(&f->pool_lock);
	if (rc != 1) {
		free(kind);
		free(ref);
		free(to);
		free(message);
		free(last_error);
	}
	return rc;
}

time_t store_notice_backoff(unsigned attempts)
{
	if (attempts == 0)
		return 0;
	time_t wait = STORE_NOTICE_BACKOFF_MIN;
	for (unsigned i = 1; i < attempts && wait < STORE_NOTICE_BACKOFF_MAX; i++)
		wait *= 2;
	return wait < STORE_NOTICE_BACKOFF_MAX ? wait : STORE_NOTICE_BACKOFF_MAX;
}

/* Bounded copy of an error text without control characters. */
static void clean_error(const char *why, char out[LAST_ERROR_MAX + 1])
{
	clean_copy(out, LAST_ERROR_MAX + 1, why, LAST_ERROR_MAX, CLEAN_TO_BLANK);
}

/* Update one queued notice (inside a transaction): state, due, error;
 * one more attempt counted unless it is only a claim. */
static int notice_update(struct store *s, int64_t id, const char *state, time_t due, time_t done,
			 const char *why, bool attempt)
{
	char clean[LAST_ERROR_MAX + 1];
	clean_error(why, clean);
	struct db_stmt *st = store_prepare(s,
					 "UPDATE outbox SET state = ?2, due = ?3, done_at = ?4,"
					 " attempts = attempts + ?6,"
					 " last_error = CASE WHEN ?5 = '' THEN last_error ELSE ?5 END"
					 " WHERE id = ?1 AND state = 'queued'",
					 NULL, 0);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, id);
	store_bind_text(st, 2, state);
	db_bind_int64(st, 3, (int64_t)due);
	if (done > 0)
		db_bind_int64(st, 4, (int64_t)done);
	else
		db_bind_null(st, 4);
	store_bind_text(st, 5, clean);
	db_bind_int64(st, 6, attempt ? 1 : 0);
	int rc = db_step(st) == DB_DONE && db_changes(s->db) == 1 ? 0 : -1;
	db_finalize(st);
	return rc;
}

/* Attempts and due of a queued notice; 0, or -1 when not queued. */
static int notice_state(struct store *s, int64_t id, unsigned *attempts, time_t *due)
{
	struct db_stmt *st = store_prepare(
		s, "SELECT attempts, due FROM outbox WHERE id = ?1 AND state = 'queued'", NULL, 0);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, id);
	int rc = -1;
	if (db_step(st) == DB_ROW) {
		*attempts = (unsigned)db_column_int64(st, 0);
		*due = (time_t)db_column_int64(st, 1);
		rc = 0;
	}
	db_finalize(st);
	return rc;
}

/* The claim before an attempt at sending a notice, or how it ended. */
enum notice_outcome { NOTICE_CLAIMED, NOTICE_SENT, NOTICE_TEMPFAIL, NOTICE_PERMFAIL };

/* Record a claim (due moved to now, the end of its lease) or the outcome
 * of one attempt, in one transaction. */
static int notice_attempt(struct store *s, int64_t id, enum notice_outcome outcome, time_t now,
			  const char *why)
{
	if (s == NULL)
		return -1;
	unsigned attempts = 0;
	time_t due = 0;
	if ((s = store_txn_begin(s, NULL, 0)) == NULL)
		return -1;
	int rc = notice_state(s, id, &attempts, &due);
	if (rc == 0) {
		attempts++;
		if (outcome == NOTICE_CLAIMED)
			rc = notice_update(s, id, "queued", now, 0, "", false);
		else if (outcome == NOTICE_SENT)
			rc = notice_update(s, id, "sent", due, now, "", true);
		else if (outcome == NOTICE_PERMFAIL || attempts >= STORE_NOTICE_MAX_ATTEMPTS)
			rc = notice_update(s, id, "failed", due, now, why, true);
		else
			rc = notice_update(s, id, "queued", now + store_notice_backoff(attempts), 0,
					   why, true);
	}
	return store_txn_end(s, rc, rc == 0, NULL, 0);
}

int store_notice_claim(struct store *s, int64_t id, time_t now, time_t lease)
{
	return notice_attempt(s, id, NOTICE_CLAIMED, now + lease, "");
}

int store_notice_done(struct store *s, int64_t id)
{
	return notice_attempt(s, id, NOTICE_SENT, time(NULL), "");
}

int store_notice_retry(struct store *s, int64_t id, time_t now, const char *why)
{
	return notice_attempt(s, id, NOTICE_TEMPFAIL, now, why);
}

int store_notice_failed(struct store *s, int64_t id, time_t now, const char *why)
{
	return notice_attempt(s, id, NOTICE_PERMFAIL, now, why);
}

int64_t store_notice_count(struct store *s, const char *state)
{
	if (s == NULL)
		return -1;
	s = store_take(s);
	struct db_stmt *st = store_prepare(
		s, "SELECT count(*) FROM outbox WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1", NULL, 0);
	int64_t n = -1;
	if (st != NULL) {
		if (state != NULL)
			store_bind_text(st, 1, state);
		if (db_step(st) == DB_ROW)
			n = db_column_int64(st, 0);
	}
	db_finalize(st);
	store_give(s);
	return n;
}
