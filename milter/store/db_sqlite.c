/*
 * db_sqlite.c - the SQLite driver of the store's database layer (db.h):
 * the only file that includes sqlite3.h.  A connection is one sqlite3
 * handle opened without SQLite's own mutex (the store serialises its
 * calls); a write transaction is BEGIN IMMEDIATE, which takes the file's
 * write lock at once, waiting up to the busy timeout, so a transaction
 * never fails half-way on a lock.
 * Limits: a blob of at most SQLite's SQLITE_MAX_LENGTH (10^9 bytes).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_priv.h"

#define BUSY_TIMEOUT_MS 10000
#define CHUNK (64 * 1024)

struct sqlite_db {
	struct db base;
	sqlite3 *h;
};

struct sqlite_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static sqlite3 *handle(struct db *db)
{
	return ((struct sqlite_db *)db)->h;
}

static sqlite3_stmt *stmt(struct db_stmt *st)
{
	return ((struct sqlite_stmt *)st)->st;
}

/* Record SQLite's last error on db; returns DB_ERROR. */
static int fail(struct db *db)
{
	int code = sqlite3_extended_errcode(handle(db));
	enum db_error_kind kind = DB_ERR_OTHER;
	switch (code & 0xff) {
	case SQLITE_CONSTRAINT:
		kind = DB_ERR_CONSTRAINT;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		kind = DB_ERR_RETRY;
		break;
	default:
		break;
	}
	db_set_error(db, kind, "%s", sqlite3_errmsg(handle(db)));
	return DB_ERROR;
}

static void sq_close(struct db *db)
{
	sqlite3_close_v2(handle(db));	/* the last connection checkpoints */
	free(db);
}

static int sq_exec(struct db *db, const char *sql)
{
	if (sqlite3_exec(handle(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(db);
	return DB_OK;
}

static struct db_stmt *sq_prepare(struct db *db, const char *sql)
{
	struct sqlite_stmt *s = calloc(1, sizeof *s);
	if (s == NULL) {
		db_set_error(db, DB_ERR_OTHER, "out of memory");
		return NULL;
	}
	s->base.db = db;
	if (sqlite3_prepare_v2(handle(db), sql, -1, &s->st, NULL) != SQLITE_OK) {
		fail(db);
		sqlite3_finalize(s->st);
		free(s);
		return NULL;
	}
	return &s->base;
}

static int bound(struct db_stmt *st, int rc)
{
	return rc == SQLITE_OK ? DB_OK : fail(st->db);
}

static int sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return bound(st, sqlite3_bind_int64(stmt(st), i, v));
}

static int sq_bind_text(struct db_stmt *st, int i, const char *text)
{
	return bound(st, sqlite3_bind_text(stmt(st), i, text, -1, SQLITE_STATIC));
}

static int sq_bind_null(struct db_stmt *st, int i)
{
	return bound(st, sqlite3_bind_null(stmt(st), i));
}

static int sq_bind_blob(struct db_stmt *st, int i, const void *data, size_t len)
{
	return bound(st, sqlite3_bind_blob64(stmt(st), i, data ? data : "", len, SQLITE_STATIC));
}

static int sq_bind_zeroblob(struct db_stmt *st, int i, uint64_t size)
{
	return bound(st, sqlite3_bind_zeroblob64(stmt(st), i, size));
}

static int sq_step(struct db_stmt *st)
{
	int rc = sqlite3_step(stmt(st));
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return fail(st->db);
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(stmt(st));
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(stmt(st));
	free(st);
}

static int sq_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(stmt(st));
}

static bool sq_column_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(stmt(st), col) == SQLITE_NULL;
}

static int64_t sq_column_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(stmt(st), col);
}

static const char *sq_column_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(stmt(st), col);
}

static const void *sq_column_blob(struct db_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(stmt(st), col);
	*len = (size_t)sqlite3_column_bytes(stmt(st), col);
	return p;
}

static int64_t sq_changes(struct db *db)
{
	return sqlite3_changes(handle(db));
}

/* The rowid of table's row whose keycol is key: 0, or -1 (none / error). */
static int rowid_of(struct db *db, const char *table, const char *keycol, const char *key,
		    sqlite3_int64 *rowid)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT rowid FROM %s WHERE %s = ?1", table, keycol);
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(handle(db), sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			*rowid = sqlite3_column_int64(st, 0);
			rc = 0;
		}
	}
	if (rc != 0)
		fail(db);
	sqlite3_finalize(st);
	return rc;
}

static int sq_blob_fill(struct db *db, const char *table, const char *column, const char *keycol,
			const char *key, uint64_t size, db_blob_reader read, void *arg)
{
	sqlite3_int64 rowid = 0;
	if (rowid_of(db, table, keycol, key, &rowid) != 0)
		return DB_ERROR;
	sqlite3_blob *blob = NULL;
	if (sqlite3_blob_open(handle(db), "main", table, column, rowid, 1, &blob) != SQLITE_OK) {
		fail(db);
		sqlite3_blob_close(blob);
		return DB_ERROR;
	}
	char *buf = malloc(CHUNK);
	int rc = buf ? DB_OK : DB_ERROR;
	if (buf == NULL)
		db_set_error(db, DB_ERR_OTHER, "out of memory");
	for (uint64_t off = 0; rc == DB_OK && off < size;) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		long n = read(arg, buf, want, off);
		if (n <= 0) {
			db_set_error(db, DB_ERR_OTHER, "the blob's source ended or failed");
			rc = DB_ERROR;
			break;
		}
		if (sqlite3_blob_write(blob, buf, (int)n, (int)off) != SQLITE_OK)
			rc = fail(db);
		off += (uint64_t)n;
	}
	free(buf);
	if (sqlite3_blob_close(blob) != SQLITE_OK && rc == DB_OK)
		rc = fail(db);
	return rc;
}

static char *sq_blob_read(struct db *db, const char *table, const char *column,
			  const char *keycol, const char *key, size_t *len)
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT rowid, length(%s) FROM %s WHERE %s = ?1", column, table,
		 keycol);
	sqlite3_stmt *st = NULL;
	sqlite3_blob *blob = NULL;
	char *out = NULL;
	if (sqlite3_prepare_v2(handle(db), sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			sqlite3_int64 rowid = sqlite3_column_int64(st, 0);
			int n = sqlite3_column_int(st, 1);
			out = malloc(n > 0 ? (size_t)n + 1 : 1);
			if (out != NULL &&
			    (sqlite3_blob_open(handle(db), "main", table, column, rowid, 0, &blob) !=
				     SQLITE_OK ||
			     (n > 0 && sqlite3_blob_read(blob, out, n, 0) != SQLITE_OK))) {
				free(out);
				out = NULL;
			}
			if (out != NULL) {
				out[n > 0 ? n : 0] = '\0';
				*len = n > 0 ? (size_t)n : 0;
			}
		}
	}
	sqlite3_blob_close(blob);
	sqlite3_finalize(st);
	return out;
}

static int sq_begin_write(struct db *db)
{
	return sq_exec(db, "BEGIN IMMEDIATE");
}

static int sq_begin_read(struct db *db)
{
	return sq_exec(db, "BEGIN");
}

static int sq_commit(struct db *db)
{
	return sq_exec(db, "COMMIT");
}

static bool sq_in_transaction(struct db *db)
{
	return sqlite3_get_autocommit(handle(db)) == 0;
}

static void sq_rollback(struct db *db)
{
	if (sq_in_transaction(db))
		sqlite3_exec(handle(db), "ROLLBACK", NULL, NULL, NULL);
}

static int sq_check_connection(struct db *db)
{
	(void)db;
	return DB_OK;
}

static bool sq_has_column(struct db *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	bool found = false;
	if (sqlite3_prepare_v2(handle(db), "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

static const struct db_ops sqlite_ops = {
	.backend = DB_SQLITE,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.reset = sq_reset,
	.finalize = sq_finalize,
	.column_count = sq_column_count,
	.column_null = sq_column_null,
	.column_int64 = sq_column_int64,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.changes = sq_changes,
	.bind_zeroblob = sq_bind_zeroblob,
	.blob_fill = sq_blob_fill,
	.blob_read = sq_blob_read,
	.begin_write = sq_begin_write,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.in_transaction = sq_in_transaction,
	.check_connection = sq_check_connection,
	.has_column = sq_has_column,
};

struct db *db_sqlite_open(const char *path, bool uri, enum db_mode mode, char *why, size_t whylen)
{
	struct sqlite_db *d = calloc(1, sizeof *d);
	if (d == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->base.ops = &sqlite_ops;
	int flags = (mode == DB_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
		    SQLITE_OPEN_NOMUTEX | (uri ? SQLITE_OPEN_URI : 0);
	int rc = sqlite3_open_v2(path, &d->h, flags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, whylen, "%s", d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		sqlite3_close_v2(d->h);
		free(d);
		return NULL;
	}
	sqlite3_extended_result_codes(d->h, 1);
	sqlite3_busy_timeout(d->h, BUSY_TIMEOUT_MS);
	return &d->base;
}
