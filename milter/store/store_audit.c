/*
 * store_audit.c - the record (table audit) in the store: appending a
 * record inside the transaction of the change it describes, reading the
 * chain back, and verifying it (see audit.h for what is hashed).
 *
 * Appending reads the newest record (seq, hash) under the write lock that
 * BEGIN IMMEDIATE took, so two writers (threads or processes) can never
 * both extend the same head: the chain has no forks.  Triggers in the
 * schema refuse UPDATE and DELETE on audit; the hashes find changes made
 * around them (another tool, the file edited).
 * store_audit_head() reads the newest record for the checkpointer.
 * Limits: details are stored as given (the caller builds them with
 * audit_details_*); a record is refused when its details are not an
 * object text ("{...}").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_priv.h"

static const char zero_hash[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

static const struct store_actor daemon_actor = {"daemon", -1, "daemon", NULL};

/* The newest record's seq, hash and event (seq 0, "" and "" when the
 * chain is empty), lock held.  0 or -1. */
static int head_locked(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX], char *event,
		       size_t eventlen, char *err, size_t errlen)
{
	*seq = 0;
	hash[0] = '\0';
	if (eventlen > 0)
		event[0] = '\0';
	struct db_stmt *st = store_prepare(
		s, "SELECT seq, hash, event FROM audit ORDER BY seq DESC LIMIT 1", err, errlen);
	int rc = st != NULL ? db_step(st) : DB_ERROR;
	if (rc == DB_ROW) {
		const char *h = db_column_text(st, 1), *ev = db_column_text(st, 2);
		*seq = db_column_int64(st, 0);
		snprintf(hash, AUDIT_HASH_HEX, "%s", h ? (const char *)h : "");
		if (eventlen > 0)
			snprintf(event, eventlen, "%s", ev ? (const char *)ev : "");
	}
	if (st != NULL && rc != DB_ROW && rc != DB_DONE)
		store_sqlerr(s, err, errlen, "read audit head");
	db_finalize(st);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

static int append_record(struct store *s, const struct store_actor *who,
			 const struct store_audit *a, const char *details, time_t now,
			 int64_t *seq_out, char *err, size_t errlen);

int store_audit_append(struct store *s, const struct store_audit *a, time_t now,
		       int64_t *seq_out, char *err, size_t errlen)
{
	const struct store_actor *who = a->actor ? a->actor : &daemon_actor;
	const char *details = a->details ? a->details : "{}";
	size_t dl = strlen(details);
	if (a->event == NULL || dl < 2 || details[0] != '{' || details[dl - 1] != '}') {
		store_errf(err, errlen, "store: invalid audit record");
		return -1;
	}
	/* a person acting through a delegate: the record names both */
	char *with = NULL;
	if (who->channel != NULL && *who->channel != '\0' &&
	    (details = with = audit_details_with(details, "channel", who->channel)) == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	int rc = append_record(s, who, a, details, now, seq_out, err, errlen);
	free(with);
	return rc;
}

/* Append the record of who (details final) after the head, lock held. */
static int append_record(struct store *s, const struct store_actor *who,
			 const struct store_audit *a, const char *details, time_t now,
			 int64_t *seq_out, char *err, size_t errlen)
{
	char prev[AUDIT_HASH_HEX];
	int64_t seq;
	if (head_locked(s, &seq, prev, NULL, 0, err, errlen) != 0)
		return -1;
	if (seq == 0)
		snprintf(prev, sizeof prev, "%s", zero_hash);
	seq++;
	struct audit_record r = {
		.seq = seq, .at = (int64_t)(now > 0 ? now : time(NULL)),
		.actor = who->user ? who->user : "", .uid = who->uid < 0 ? -1 : who->uid,
		.role = who->role ? who->role : "none", .event = a->event,
		.ref = a->ref ? a->ref : "", .details = details,
	};
	char hash[AUDIT_HASH_HEX];
	if (audit_hash(&r, prev, hash) != 0) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	struct db_stmt *st = store_prepare(s,
					 "INSERT INTO audit(seq, at, actor, uid, role, event, ref,"
					 " details, prev_hash, hash)"
					 " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
					 err, errlen);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, r.seq);
	db_bind_int64(st, 2, r.at);
	store_bind_text(st, 3, r.actor);
	if (r.uid < 0)
		db_bind_null(st, 4);
	else
		db_bind_int64(st, 4, r.uid);
	store_bind_text(st, 5, r.role);
	store_bind_text(st, 6, r.event);
	store_bind_text(st, 7, r.ref);
	store_bind_text(st, 8, r.details);
	store_bind_text(st, 9, prev);
	store_bind_text(st, 10, hash);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc != 0)
		store_sqlerr(s, err, errlen, "insert audit record");
	db_finalize(st);
	if (rc == 0 && seq_out != NULL)
		*seq_out = seq;
	return rc;
}

int store_audit_put(struct store *s, const struct store_audit *a, char *err, size_t errlen)
{
	if (s == NULL || a == NULL || s->readonly) {
		store_errf(err, errlen, "store: invalid audit record");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = store_audit_append(s, a, 0, NULL, err, errlen);
	return store_txn_end(s, rc, rc == 0, err, errlen);
}

/* Fill r from a row of the scan query (strings valid until the next step). */
static void row_record(struct db_stmt *st, struct audit_record *r)
{
#define TEXT(i) (db_column_text(st, (i)) ? db_column_text(st, (i)) : "")
	r->seq = db_column_int64(st, 0);
	r->at = db_column_int64(st, 1);
	r->actor = TEXT(2);
	r->uid = db_column_null(st, 3) ? -1 : db_column_int64(st, 3);
	r->role = TEXT(4);
	r->event = TEXT(5);
	r->ref = TEXT(6);
	r->details = TEXT(7);
	r->prev_hash = TEXT(8);
	r->hash = TEXT(9);
#undef TEXT
}

/* Call cb for each row of the prepared scan query st, then finalize it;
 * 0, or -1 on a read error. */
static int rows_each(struct db_stmt *st, int (*cb)(void *arg, const struct audit_record *r),
		     void *arg)
{
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct audit_record r;
		row_record(st, &r);
		if (cb(arg, &r) != 0) {
			rc = DB_DONE;
			break;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

/* Walk the records with seq > after and at >= since in seq order (lock
 * held). */
static int scan_locked(struct store *s, int64_t after, int64_t since,
		       int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	struct db_stmt *st = store_prepare(s,
					 "SELECT seq, at, actor, uid, role, event, ref, details,"
					 " prev_hash, hash FROM audit WHERE at >= ?1 AND seq > ?2"
					 " ORDER BY seq",
					 NULL, 0);
	if (st == NULL)
		return -1;
	db_bind_int64(st, 1, since);
	db_bind_int64(st, 2, after);
	return rows_each(st, cb, arg);
}

int store_audit_scan_after(struct store *s, int64_t after, int64_t since,
			   int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	if (s == NULL || cb == NULL)
		return -1;
	/* one read transaction: a consistent snapshot while the daemon writes */
	s = store_read_begin(s);
	int rc = scan_locked(s, after, since, cb, arg);
	store_read_end(s);
	return rc;
}

int store_audit_scan(struct store *s, int64_t since,
		     int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	return store_audit_scan_after(s, INT64_MIN, since, cb, arg);
}

int store_audit_of_hold(struct store *s, const char *ref, int64_t since,
			int (*cb)(void *arg, const struct audit_record *r), void *arg)
{
	if (s == NULL || ref == NULL || *ref == '\0' || cb == NULL)
		return -1;
	s = store_read_begin(s);
	/* the hold's own records (index audit_ref), and the list views that
	 * showed its Subject: those name it among their "refs" and have no
	 * ref of their own; they are not older than the hold (index audit_at) */
	struct db_stmt *st = store_prepare(
		s,
		"SELECT seq, at, actor, uid, role, event, ref, details, prev_hash, hash FROM audit"
		" WHERE ref = ?1"
		" UNION ALL SELECT seq, at, actor, uid, role, event, ref, details, prev_hash, hash"
		" FROM audit WHERE at >= ?2 AND ref = '' AND event = 'view'"
		" AND instr(details, ?1) > 0"
		" ORDER BY seq",
		NULL, 0);
	int rc = -1;
	if (st != NULL) {
		db_bind_text(st, 1, ref);
		db_bind_int64(st, 2, since);
		rc = rows_each(st, cb, arg);
	}
	store_read_end(s);
	return rc;
}

/* scan callback of store_audit_verify(): stop at the first break. */
static int verify_cb(void *arg, const struct audit_record *r)
{
	return audit_verify_row(arg, r) != 0;
}

int store_audit_verify(struct store *s, struct store_audit_check *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct audit_verify *v = audit_verify_new();
	if (v == NULL) {
		store_errf(err, errlen, "store: out of memory");
		return -1;
	}
	if (store_audit_scan(s, INT64_MIN, verify_cb, v) != 0) {
		store_sqlerr(s, err, errlen, "read audit records");
		audit_verify_free(v);
		return -1;
	}
	const char *why, *head;
	bool ok = audit_verify_result(v, &out->records, &out->bad_seq, &why, &head);
	snprintf(out->why, sizeof out->why, "%s", why);
	snprintf(out->head, sizeof out->head, "%s", head);
	audit_verify_free(v);
	return ok ? 0 : 1;
}

int store_audit_head(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX], char *event,
		     size_t eventlen, char *err, size_t errlen)
{
	if (s == NULL) {
		*seq = 0;
		hash[0] = '\0';
		if (eventlen > 0)
			event[0] = '\0';
		store_errf(err, errlen, "store: not open");
		return -1;
	}
	s = store_take(s);
	int rc = head_locked(s, seq, hash, event, eventlen, err, errlen);
	store_give(s);
	return rc;
}
