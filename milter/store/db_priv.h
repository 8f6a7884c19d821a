/*
 * db_priv.h - what db.c and its drivers share: the function table of a
 * driver (as OpenSMTPD's queue backends have one) and the fields common
 * to every connection and statement.  A driver's own structs start with
 * these.
 */
#ifndef GRONDSLAG_STORE_DB_PRIV_H
#define GRONDSLAG_STORE_DB_PRIV_H

#include "grondslag/store/db.h"

struct db_ops {
	enum db_backend backend;
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	struct db_stmt *(*prepare)(struct db *db, const char *sql);
	int (*bind_int64)(struct db_stmt *st, int i, int64_t v);
	int (*bind_text)(struct db_stmt *st, int i, const char *text);
	int (*bind_null)(struct db_stmt *st, int i);
	int (*bind_blob)(struct db_stmt *st, int i, const void *data, size_t len);
	int (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	int (*column_count)(struct db_stmt *st);
	bool (*column_null)(struct db_stmt *st, int col);
	int64_t (*column_int64)(struct db_stmt *st, int col);
	const char *(*column_text)(struct db_stmt *st, int col);
	const void *(*column_blob)(struct db_stmt *st, int col, size_t *len);
	int64_t (*changes)(struct db *db);
	int (*bind_zeroblob)(struct db_stmt *st, int i, uint64_t size);
	int (*blob_fill)(struct db *db, const char *table, const char *column, const char *keycol,
			 const char *key, uint64_t size, db_blob_reader read, void *arg);
	char *(*blob_read)(struct db *db, const char *table, const char *column,
			   const char *keycol, const char *key, size_t *len);
	int (*begin_write)(struct db *db);
	int (*begin_read)(struct db *db);
	int (*commit)(struct db *db);
	void (*rollback)(struct db *db);
	bool (*in_transaction)(struct db *db);
	int (*check_connection)(struct db *db);
	bool (*has_column)(struct db *db, const char *table, const char *column);
	int (*set_timeout)(struct db *db, unsigned seconds);	/* NULL: none */
};

struct db {
	const struct db_ops *ops;
	enum db_error_kind kind;	/* of the last error */
	char err[512];			/* its message, one line */
};

struct db_stmt {
	struct db *db;
};

/* Record the last error of db (kind and a printf message, made one line). */
void db_set_error(struct db *db, enum db_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Forget the last error. */
void db_clear_error(struct db *db);

/* The drivers' open functions (db.c chooses). */
struct db *db_sqlite_open(const char *path, bool uri, enum db_mode mode, char *why,
			  size_t whylen);
struct db *db_pg_open(const char *conninfo, enum db_mode mode, char *why, size_t whylen);

#endif
