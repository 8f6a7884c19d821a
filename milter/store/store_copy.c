/*
 * store_copy.c - a single relay's SQLite store moved to PostgreSQL (see
 * store.h, store_copy()): every row of every table, the audit chain with
 * its seq and hashes as they are, in one transaction of the new store.
 *
 * The columns are the new store's (information_schema, in table order),
 * read by name from the file: both schemas have the same tables and
 * columns at STORE_SCHEMA_VERSION (the file is migrated to it when it is
 * opened), and SQLite's implicit rowid is a column of that name.  Values
 * are bound by the PostgreSQL column's type: integers, text, bytea.
 * Identity columns keep their numbers (OVERRIDING SYSTEM VALUE) and their
 * sequences go on after the highest.  The chain is verified on the file
 * before and on the new store after; a broken one stops the copy.
 *
 * The file's write lock is held for the whole copy, so nothing a running
 * daemon writes after the copy began is lost (a daemon writing refuses
 * the copy with a message; its writes wait, then tempfail).  In the same
 * transaction the file is retired: a last record "store-moved" (where to,
 * never a password), the table grondslag_moved that store_open() refuses,
 * and triggers that refuse every write of a daemon still holding the file
 * open.  The file's transaction commits last: when anything fails before,
 * the new store is dropped and the file goes on as it was.
 *
 * Public functions: store_copy().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/conninfo.h"
#include "grondslag/store/audit.h"
#include "store_priv.h"

/* Parents before children (foreign keys). */
static const char *const tables[] = {
	"holds", "hold_messages", "hold_recipients", "hold_delivered", "shares", "outbox",
	"hold_approvals", "audit", "release_tokens", "leases", "hold_cases", "hold_advice",
};
#define NTABLES (sizeof tables / sizeof *tables)

#define COLS_MAX 48

struct cols {
	char name[COLS_MAX][64];
	char kind[COLS_MAX];	/* 'i' integer, 't' text, 'b' bytea */
	bool identity[COLS_MAX];
	bool always;		/* a GENERATED ALWAYS column: OVERRIDING */
	size_t n;
};

static int columns_of(struct store *dst, const char *table, struct cols *c, char *err,
		      size_t errlen)
{
	memset(c, 0, sizeof *c);
	struct db_stmt *st = store_prepare(dst, "SELECT column_name, data_type, is_identity,"
					     " coalesce(identity_generation, '') FROM"
					     " information_schema.columns WHERE table_schema ="
					     " current_schema() AND table_name = ?1 ORDER BY"
					     " ordinal_position", err, errlen);
	if (st == NULL)
		return -1;
	store_bind_text(st, 1, table);
	int rc;
	while ((rc = db_step(st)) == DB_ROW && c->n < COLS_MAX) {
		const char *type = db_column_text(st, 1);
		snprintf(c->name[c->n], sizeof c->name[c->n], "%s", db_column_text(st, 0));
		c->kind[c->n] = strcmp(type, "bytea") == 0 ? 'b' : strcmp(type, "text") == 0 ? 't' : 'i';
		c->identity[c->n] = strcmp(db_column_text(st, 2), "YES") == 0;
		c->always |= strcmp(db_column_text(st, 3), "ALWAYS") == 0;
		c->n++;
	}
	db_finalize(st);
	if (rc == DB_ERROR || c->n == 0 || c->n == COLS_MAX) {
		store_errf(err, errlen, "store copy: the columns of %s: %s", table,
			   rc == DB_ERROR ? db_errmsg(dst->db) : "none or too many");
		return -1;
	}
	return 0;
}

/* Bind column i of the file's row to parameter i + 1 of the insert. */
static int bind_value(struct db_stmt *in, struct db_stmt *row, int i, char kind)
{
	if (db_column_null(row, i))
		return db_bind_null(in, i + 1);
	if (kind == 'i')
		return db_bind_int64(in, i + 1, db_column_int64(row, i));
	if (kind == 't')
		return db_bind_text(in, i + 1, db_column_text(row, i));
	size_t len = 0;
	const void *b = db_column_blob(row, i, &len);
	return db_bind_blob(in, i + 1, b != NULL ? b : "", len);
}

/* Copy one table; *rows counts the rows. */
static int copy_table(struct store *src, struct store *dst, const char *table, int64_t *rows,
		      char *err, size_t errlen)
{
	struct cols c;
	if (columns_of(dst, table, &c, err, errlen) != 0)
		return -1;
	char sel[4096], ins[4096];
	size_t sl = (size_t)snprintf(sel, sizeof sel, "SELECT ");
	size_t il = (size_t)snprintf(ins, sizeof ins, "INSERT INTO %s(", table);
	for (size_t i = 0; i < c.n; i++) {
		sl += (size_t)snprintf(sel + sl, sizeof sel - sl, "%s%s", i ? ", " : "", c.name[i]);
		il += (size_t)snprintf(ins + il, sizeof ins - il, "%s%s", i ? ", " : "", c.name[i]);
	}
	snprintf(sel + sl, sizeof sel - sl, " FROM %s", table);
	il += (size_t)snprintf(ins + il, sizeof ins - il, ")%s VALUES(",
			       c.always ? " OVERRIDING SYSTEM VALUE" : "");
	for (size_t i = 0; i < c.n; i++)
		il += (size_t)snprintf(ins + il, sizeof ins - il, "%s?%zu", i ? ", " : "", i + 1);
	snprintf(ins + il, sizeof ins - il, ")");
	struct db_stmt *q = store_prepare(src, sel, err, errlen);
	struct db_stmt *w = q != NULL ? store_prepare(dst, ins, err, errlen) : NULL;
	int rc = w != NULL ? 0 : -1;
	int step = DB_DONE;
	while (rc == 0 && (step = db_step(q)) == DB_ROW) {
		for (size_t i = 0; i < c.n; i++)
			bind_value(w, q, (int)i, c.kind[i]);
		if (db_step(w) != DB_DONE) {
			store_errf(err, errlen, "store copy: %s: %s", table, db_errmsg(dst->db));
			rc = -1;
		}
		db_reset(w);
		(*rows)++;
	}
	if (rc == 0 && step != DB_DONE) {
		store_errf(err, errlen, "store copy: reading %s: %s", table, db_errmsg(src->db));
		rc = -1;
	}
	db_finalize(q);
	db_finalize(w);
	/* the identity sequences go on after the numbers copied */
	for (size_t i = 0; rc == 0 && i < c.n; i++) {
		if (!c.identity[i])
			continue;
		char sql[512];
		snprintf(sql, sizeof sql, "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
			 " coalesce(max(%s), 0) + 1, false) FROM %s", table, c.name[i], c.name[i],
			 table);
		int64_t v;
		if (db_query_int(dst->db, sql, &v) != DB_OK) {
			store_errf(err, errlen, "store copy: %s: %s", table, db_errmsg(dst->db));
			rc = -1;
		}
	}
	return rc;
}

/* The chain of s verifies: 0, else -1 + err naming which store. */
static int chain_ok(struct store *s, const char *which, char *err, size_t errlen)
{
	struct store_audit_check ck;
	char why[512] = "";
	int rc = store_audit_verify(s, &ck, why, sizeof why);
	if (rc == 0)
		return 0;
	if (rc == 1)
		store_errf(err, errlen, "store copy: the audit chain of %s is broken at record %lld:"
			   " %s; nothing copied", which, (long long)ck.bad_seq, ck.why);
	else
		store_errf(err, errlen, "store copy: %s: %s", which, why);
	return -1;
}

/* A record of the administrator's in the chain of s, inside its
 * transaction: event with the details key/value and the schema version. */
static int admin_record(struct store *s, const char *event, const char *key, const char *value,
			int64_t rows, char *err, size_t errlen)
{
	char name[64];
	struct store_actor who = store_admin_actor(name, sizeof name);
	struct audit_details *d = audit_details_new();
	if (d == NULL) {
		store_errf(err, errlen, "store copy: out of memory");
		return -1;
	}
	audit_details_str(d, key, value);
	audit_details_int(d, "rows", rows);
	audit_details_int(d, "schema_version", STORE_SCHEMA_VERSION);
	char *details = audit_details_finish(d);
	struct store_audit a = {.actor = &who, .event = event, .ref = "", .details = details};
	int rc = details != NULL ? store_audit_append(s, &a, 0, NULL, err, errlen) : -1;
	if (details == NULL)
		store_errf(err, errlen, "store copy: out of memory");
	free(details);
	return rc;
}

/* Retire the file inside its transaction: the last record, the mark
 * store_open() refuses, and triggers refusing every later write. */
static int retire(struct store *src, const char *to, int64_t rows, char *err, size_t errlen)
{
	char shown[512];
	conninfo_redact(to, shown, sizeof shown);	/* never a password */
	if (admin_record(src, "store-moved", "to", shown, rows, err, errlen) != 0)
		return -1;
	char day[32] = "?", sql[512];
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm) != NULL)
		strftime(day, sizeof day, "%Y-%m-%d", &tm);
	snprintf(sql, sizeof sql, "CREATE TABLE " STORE_MOVED_TABLE "(moved_at INTEGER NOT NULL);"
		 " INSERT INTO " STORE_MOVED_TABLE " VALUES(%lld)", (long long)now);
	int rc = db_exec(src->db, sql) == DB_OK ? 0 : -1;
	static const char *const ops[] = {"INSERT", "UPDATE", "DELETE"};
	for (size_t t = 0; rc == 0 && t < NTABLES; t++)
		for (size_t o = 0; rc == 0 && o < 3; o++) {
			snprintf(sql, sizeof sql, "CREATE TRIGGER moved_%s_%zu BEFORE %s ON %s BEGIN"
				 " SELECT RAISE(ABORT, 'this store was moved to PostgreSQL on %s;"
				 " Database must name the new store'); END", tables[t], o, ops[o],
				 tables[t], day);
			rc = db_exec(src->db, sql) == DB_OK ? 0 : -1;
		}
	if (rc != 0)
		store_errf(err, errlen, "store copy: marking %s moved: %s", src->path,
			   db_errmsg(src->db));
	return rc;
}

int store_copy(const char *from, const char *to, int64_t *rows, char *err, size_t errlen)
{
	*rows = 0;
	if (from == NULL || to == NULL || db_is_conninfo(from) || !db_is_conninfo(to)) {
		store_errf(err, errlen, "store copy: from an SQLite file to a PostgreSQL"
					" connection string");
		return -1;
	}
	struct store *src = store_open(from, err, errlen);
	if (src == NULL)
		return -1;
	if (chain_ok(src, from, err, errlen) != 0) {
		store_close(src);
		return -1;
	}
	/* the file's write lock until it is retired: a daemon writing to it
	 * refuses the copy, and nothing written after the copy began is lost */
	char why[512] = "";
	/* src has one connection: the transaction's is src itself */
	if (store_txn_begin(src, why, sizeof why) == NULL) {
		store_errf(err, errlen, "store copy: %s is being written (a grondslag-milter"
			   " running on it?): stop the daemon, then copy again (%s)", from, why);
		store_close(src);
		return -1;
	}
	struct store *dst = store_pg_make(to, err, errlen);
	if (dst == NULL) {
		store_txn_end(src, -1, false, why, sizeof why);
		store_close(src);
		return -1;
	}
	/* one transaction in the server */
	int rc = db_begin_write(dst->db) == DB_OK ? 0 : -1;
	if (rc != 0)
		store_errf(err, errlen, "store copy: begin: %s", db_errmsg(dst->db));
	for (size_t t = 0; rc == 0 && t < NTABLES; t++)
		rc = copy_table(src, dst, tables[t], rows, err, errlen);
	if (rc == 0)
		rc = admin_record(dst, "store-copied", "from", from, *rows, err, errlen);
	if (rc == 0)
		rc = retire(src, to, *rows, err, errlen);
	if (rc == 0 && db_commit(dst->db) != DB_OK) {
		store_errf(err, errlen, "store copy: commit: %s", db_errmsg(dst->db));
		rc = -1;
	}
	if (rc != 0)
		db_rollback(dst->db);
	if (rc == 0)
		rc = chain_ok(dst, "the new store", err, errlen);
	/* the file last: retired only when the new store is complete */
	if (store_txn_end(src, rc, rc == 0, why, sizeof why) != 0 && rc == 0) {
		store_errf(err, errlen, "store copy: retiring %s: %s; the new store is dropped",
			   from, why);
		rc = -1;
	}
	if (rc != 0)
		store_pg_unmake(dst);
	store_close(dst);
	store_close(src);
	return rc;
}
