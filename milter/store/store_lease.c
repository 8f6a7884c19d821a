/*
 * store_lease.c - several relays on one store (see store.h): the name a
 * connection acts for, and the leases of the jobs run for the whole store
 * by one relay at a time.
 *
 * A lease is one row of the table leases (job, relay, expires), taken by
 * one conditional upsert inside a write transaction: the row is written
 * when there is none, when it is this relay's own (a renewal), or when
 * the holder's lease has run out; otherwise nothing changes and the
 * holder is read back.  Write transactions are serialised on both
 * backends (db.h: SQLite's one writer, PostgreSQL's advisory lock), so two
 * relays asking at once see one another's row and only one holds it.
 *
 * Public functions: store_relay_set(), store_lease_take(),
 * store_lease_give().
 * Limits: a relay's name is at most STORE_RELAY_MAX - 1 characters, a
 * job's at most 64.
 */
#include <stdio.h>
#include <string.h>

#include "store_priv.h"

int store_relay_set(struct store *s, const char *relay)
{
	if (s == NULL || relay == NULL || strlen(relay) >= sizeof s->relay)
		return -1;
	for (const char *p = relay; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return -1;
	/* every connection of the store acts for the relay */
	struct store *f = s->front;
	pthread_mutex_lock(&f->pool_lock);
	snprintf(f->relay, sizeof f->relay, "%s", relay);
	for (size_t i = 0; i < f->nmore; i++)
		memcpy(f->more[i]->relay, f->relay, sizeof f->relay);
	pthread_mutex_unlock(&f->pool_lock);
	return 0;
}

/* The upsert of a lease, by backend.  PostgreSQL: the database's clock,
 * not the relay's, says when a lease runs out (clock_timestamp(): now,
 * not when the transaction began waiting for the store's lock), so that
 * relays whose clocks disagree never both hold it; ?4 (the caller's now)
 * is not used there.  SQLite: one host, its clock. */
static const char *const take_sql[] = {
	[DB_SQLITE] = "INSERT INTO leases(job, relay, expires)"
		      " VALUES(?1, ?2, ?4 + ?3) ON CONFLICT (job) DO UPDATE"
		      " SET relay = excluded.relay, expires = excluded.expires"
		      " WHERE leases.relay = excluded.relay OR leases.expires <= ?4",
	[DB_POSTGRES] = "INSERT INTO leases(job, relay, expires)"
			" VALUES(?1, ?2, CAST(extract(epoch FROM clock_timestamp()) AS BIGINT) + ?3)"
			" ON CONFLICT (job) DO UPDATE"
			" SET relay = excluded.relay, expires = excluded.expires"
			" WHERE leases.relay = excluded.relay OR leases.expires <="
			" CAST(extract(epoch FROM clock_timestamp()) AS BIGINT)",
};

/* Inside the transaction: 1 taken, 0 held by another (holder), -1. */
static int take_locked(struct store *s, const char *job, int64_t now, int64_t ttl,
		       char *holder, size_t holderlen, char *err, size_t errlen)
{
	struct db_stmt *st = store_prepare(s, take_sql[db_backend(s->db)], err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, job);
	store_bind_text(st, 2, s->relay);
	db_bind_int64(st, 3, ttl);
	if (db_backend(s->db) == DB_SQLITE)
		db_bind_int64(st, 4, now);
	int rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	if (rc != 0) {
		store_sqlerr(s, err, errlen, "lease");
		return -1;
	}
	if (db_changes(s->db) > 0)
		return 1;
	st = store_prepare(s, "SELECT relay FROM leases WHERE job = ?1", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, job);
	rc = db_step(st);
	if (rc == DB_ROW && holder != NULL && holderlen > 0)
		snprintf(holder, holderlen, "%s", db_column_text(st, 0));
	else if (rc != DB_ROW)
		store_sqlerr(s, err, errlen, "lease");
	db_finalize(st);
	return rc == DB_ROW ? 0 : -1;
}

int store_lease_take(struct store *s, const char *job, time_t now, unsigned ttl, char *holder,
		     size_t holderlen, char *err, size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (holder != NULL && holderlen > 0)
		holder[0] = '\0';
	if (s == NULL || job == NULL || *job == '\0' || strlen(job) > 64 || ttl == 0 ||
	    s->readonly) {
		store_errf(err, errlen, "store: invalid lease");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	int rc = take_locked(s, job, (int64_t)now, (int64_t)ttl, holder, holderlen, err, errlen);
	/* only a lease taken is written; a refusal changed nothing */
	return store_txn_end(s, rc, rc == 1, err, errlen);
}

int store_lease_give(struct store *s, const char *job, char *err, size_t errlen)
{
	store_errf(err, errlen, "%s", "");
	if (s == NULL || job == NULL || *job == '\0' || s->readonly) {
		store_errf(err, errlen, "store: invalid lease");
		return -1;
	}
	if ((s = store_txn_begin(s, err, errlen)) == NULL)
		return -1;
	/* lapsed, not deleted: the daemon's role may not delete rows */
	struct db_stmt *st = store_prepare(s, "UPDATE leases SET expires = 0"
					   " WHERE job = ?1 AND relay = ?2", err, errlen);
	int rc = st != NULL ? 0 : -1;
	if (st != NULL) {
		store_bind_text(st, 1, job);
		store_bind_text(st, 2, s->relay);
		if (db_step(st) != DB_DONE) {
			store_sqlerr(s, err, errlen, "lease");
			rc = -1;
		}
	}
	db_finalize(st);
	return store_txn_end(s, rc, rc == 0, err, errlen);
}
