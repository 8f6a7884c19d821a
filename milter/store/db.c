/*
 * db.c - the store's database layer (see db.h): which driver a Database
 * value names, and the calls handed to the driver's table.
 * Limits: none of its own.
 */

#include "db_priv.h"
#include "grondslag/base/conninfo.h"

bool db_is_conninfo(const char *database)
{
	return conninfo_is(database);
}

struct db *db_open(const char *database, enum db_mode mode, char *why, size_t whylen)
{
	if (db_is_conninfo(database))
		return db_pg_open(database, mode, why, whylen);
	return db_sqlite_open(database, false, mode, why, whylen);
}

struct db *db_open_sqlite_uri(const char *uri, enum db_mode mode, char *why, size_t whylen)
{
	return db_sqlite_open(uri, true, mode, why, whylen);
}

void db_close(struct db *db)
{
	if (db != NULL)
		db->ops->close(db);
}

enum db_backend db_backend(const struct db *db)
{
	return db->ops->backend;
}

int db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	return db->ops->prepare(db, sql);
}

int db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return st->db->ops->bind_int64(st, i, v);
}

int db_bind_text(struct db_stmt *st, int i, const char *text)
{
	return st->db->ops->bind_text(st, i, text);
}

int db_bind_null(struct db_stmt *st, int i)
{
	return st->db->ops->bind_null(st, i);
}

int db_bind_blob(struct db_stmt *st, int i, const void *data, size_t len)
{
	return st->db->ops->bind_blob(st, i, data, len);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

void db_reset(struct db_stmt *st)
{
	if (st != NULL)
		st->db->ops->reset(st);
}

void db_finalize(struct db_stmt *st)
{
	if (st != NULL)
		st->db->ops->finalize(st);
}

int db_column_count(struct db_stmt *st)
{
	return st->db->ops->column_count(st);
}

bool db_column_null(struct db_stmt *st, int col)
{
	return st->db->ops->column_null(st, col);
}

int64_t db_column_int64(struct db_stmt *st, int col)
{
	return st->db->ops->column_int64(st, col);
}

const char *db_column_text(struct db_stmt *st, int col)
{
	return st->db->ops->column_text(st, col);
}

const void *db_column_blob(struct db_stmt *st, int col, size_t *len)
{
	return st->db->ops->column_blob(st, col, len);
}

bool db_blob_streams(struct db *db)
{
	return db->ops->blob_fill != NULL;
}

int db_bind_zeroblob(struct db_stmt *st, int i, uint64_t size)
{
	if (st->db->ops->bind_zeroblob == NULL) {
		db_set_error(st->db, DB_ERR_OTHER, "zeroblob: not on this backend");
		return DB_ERROR;
	}
	return st->db->ops->bind_zeroblob(st, i, size);
}

int db_blob_fill(struct db *db, const char *table, const char *column, const char *keycol,
		 const char *key, uint64_t size, db_blob_reader read, void *arg)
{
	if (db->ops->blob_fill == NULL) {
		db_set_error(db, DB_ERR_OTHER, "blob streaming: not on this backend");
		return DB_ERROR;
	}
	return db->ops->blob_fill(db, table, column, keycol, key, size, read, arg);
}

char *db_blob_read(struct db *db, const char *table, const char *column, const char *keycol,
		   const char *key, size_t *len)
{
	return db->ops->blob_read(db, table, column, keycol, key, len);
}

int64_t db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int db_query_int(struct db *db, const char *sql, int64_t *out)
{
	struct db_stmt *st = db_prepare(db, sql);
	if (st == NULL)
		return DB_ERROR;
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*out = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(st);
	return rc;
}

int db_begin_write(struct db *db)
{
	return db->ops->begin_write(db);
}

int db_begin_read(struct db *db)
{
	return db->ops->begin_read(db);
}

int db_commit(struct db *db)
{
	return db->ops->commit(db);
}

void db_rollback(struct db *db)
{
	db->ops->rollback(db);
}

bool db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}

int db_check_connection(struct db *db)
{
	return db->ops->check_connection(db);
}

int db_set_timeout(struct db *db, unsigned seconds)
{
	return db->ops->set_timeout != NULL ? db->ops->set_timeout(db, seconds) : DB_OK;
}

bool db_has_column(struct db *db, const char *table, const char *column)
{
	return db->ops->has_column(db, table, column);
}

const char *db_errmsg(struct db *db)
{
	return db->err[0] ? db->err : "unknown error";
}

enum db_error_kind db_error_kind(struct db *db)
{
	return db->kind;
}
