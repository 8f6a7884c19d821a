/*
 * db.h - the store's narrow database layer: one connection, statements
 * with numbered parameters, rows, transactions and an error that says
 * whether trying again may help.  Two drivers implement it: SQLite
 * (db_sqlite.c, a file) and PostgreSQL (db_pg.c, libpq, a connection
 * string); the store's SQL is written once, in the dialect both accept:
 *   - parameters are ?1, ?2, ... (the PostgreSQL driver sends $1, $2, ...);
 *   - "INSERT ... ON CONFLICT DO NOTHING" (not INSERT OR IGNORE);
 *   - integers are 64-bit, text is UTF-8, a message is a blob;
 *   - a new row's id comes back with "RETURNING id";
 *   - a write transaction is db_begin_write(): SQLite's BEGIN IMMEDIATE
 *     (the one writer lock of the file), on PostgreSQL a transaction that
 *     first takes one advisory lock for the whole store, so that writers on
 *     several hosts are serialised as SQLite's are on one and every
 *     read-modify-write in the store (the audit chain's next seq and hash
 *     above all) stays correct without a retry loop.
 * Only the store (milter/store/) and its tests include this header
 * (tests/layout/layers.sh); only db_sqlite.c includes sqlite3.h and only
 * db_pg.c includes libpq-fe.h.
 *
 * Results: DB_OK (0) and DB_ERROR; db_step() gives DB_ROW or DB_DONE.  The
 * last error of a connection is db_errmsg() (one line), db_error_kind()
 * says what it was: a constraint (a key taken), a lock or serialisation
 * conflict or a lost connection (DB_ERR_RETRY: the same transaction may
 * succeed on a new try), or anything else.
 */
#ifndef GRONDSLAG_STORE_DB_H
#define GRONDSLAG_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum { DB_OK = 0, DB_ERROR = 1, DB_ROW = 100, DB_DONE = 101 };

/* The backends. */
enum db_backend { DB_SQLITE, DB_POSTGRES };

/* What the last error was. */
enum db_error_kind {
	DB_ERR_NONE,
	DB_ERR_CONSTRAINT,	/* a unique or primary key taken, a check failed */
	DB_ERR_RETRY,		/* busy, locked, serialisation, connection lost */
	DB_ERR_OTHER,
};

/* How to open. */
enum db_mode {
	DB_READWRITE,		/* an existing database */
	DB_READONLY,		/* reading only (reports, the CLI's readers) */
};

/* Is this Database value a PostgreSQL connection string ("postgresql://",
 * "postgres://" or key=value conninfo) rather than a file path? */
bool db_is_conninfo(const char *database);

/* Open a connection: a conninfo goes to PostgreSQL, anything else is an
 * SQLite file (which must exist, or be created with create).  NULL + why. */
struct db *db_open(const char *database, enum db_mode mode, char *why, size_t whylen);
/* The SQLite driver's open for a URI ("file:...?immutable=1"). */
struct db *db_open_sqlite_uri(const char *uri, enum db_mode mode, char *why, size_t whylen);
void db_close(struct db *db);
enum db_backend db_backend(const struct db *db);

/* Run one or more statements without parameters or rows. */
int db_exec(struct db *db, const char *sql);
/* A statement; NULL on error (db_errmsg()). */
struct db_stmt *db_prepare(struct db *db, const char *sql);
/* Parameters, numbered from 1.  Text and blobs are copied when needed
 * (the caller's buffer must live until the statement is stepped). */
int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_text(struct db_stmt *st, int i, const char *text);
int db_bind_null(struct db_stmt *st, int i);
int db_bind_blob(struct db_stmt *st, int i, const void *data, size_t len);
/* The next row: DB_ROW, DB_DONE, or DB_ERROR. */
int db_step(struct db_stmt *st);
/* Run it again (the bindings stay). */
void db_reset(struct db_stmt *st);
void db_finalize(struct db_stmt *st);
/* Columns of the current row, numbered from 0.  Text: NULL for SQL NULL,
 * valid until the next step.  A blob: *len bytes, valid until the next
 * step (PostgreSQL: decoded here). */
int db_column_count(struct db_stmt *st);
bool db_column_null(struct db_stmt *st, int col);
int64_t db_column_int64(struct db_stmt *st, int col);
const char *db_column_text(struct db_stmt *st, int col);
const void *db_column_blob(struct db_stmt *st, int col, size_t *len);

/* Large blobs without a second copy in memory where the backend allows
 * it.  db_blob_streams(): does db_blob_fill() work on this backend (SQLite:
 * yes, incremental blob I/O; PostgreSQL: no, bind the whole value)?
 * db_bind_zeroblob() reserves size bytes; db_blob_fill() then writes them
 * in chunks from read(arg, buf, want, off) (bytes read, -1 error) into
 * table.column of the row whose keycol is key, inside the transaction. */
typedef long (*db_blob_reader)(void *arg, void *buf, size_t want, uint64_t off);
bool db_blob_streams(struct db *db);
int db_bind_zeroblob(struct db_stmt *st, int i, uint64_t size);
int db_blob_fill(struct db *db, const char *table, const char *column, const char *keycol,
		 const char *key, uint64_t size, db_blob_reader read, void *arg);
/* A malloc'ed copy of table.column of the row whose keycol is key, *len
 * bytes (NUL-terminated beyond them); NULL when there is none or on error. */
char *db_blob_read(struct db *db, const char *table, const char *column, const char *keycol,
		   const char *key, size_t *len);

/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *db);
/* One integer from a one-row query: DB_OK, DB_DONE (no row) or DB_ERROR. */
int db_query_int(struct db *db, const char *sql, int64_t *out);

/* Transactions.  begin_write: see above; begin_read: one consistent view
 * (SQLite BEGIN; PostgreSQL REPEATABLE READ, READ ONLY).  rollback is
 * harmless without a transaction. */
int db_begin_write(struct db *db);
int db_begin_read(struct db *db);
int db_commit(struct db *db);
void db_rollback(struct db *db);
bool db_in_transaction(struct db *db);

/* The connection works (PostgreSQL: reconnected when it was lost, which
 * the next transaction needs); DB_OK or DB_ERROR. */
int db_check_connection(struct db *db);

/* The longest a statement or a commit may take, in seconds (0: the
 * driver's default); past it, it fails with DB_ERR_RETRY.  PostgreSQL:
 * statement_timeout of the session (again after a reconnect) and a
 * deadline on COMMIT kept by the client, since a COMMIT waiting for a
 * synchronous standby is not ended by statement_timeout with an error
 * (the server gives up the wait and answers COMMIT with a warning, the
 * transaction committed but not on the standby).  SQLite: nothing (its
 * busy timeout is its own).  DB_OK or DB_ERROR. */
int db_set_timeout(struct db *db, unsigned seconds);

/* Does the table have the column? */
bool db_has_column(struct db *db, const char *table, const char *column);

const char *db_errmsg(struct db *db);
enum db_error_kind db_error_kind(struct db *db);

#endif
