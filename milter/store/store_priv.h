/*
 * store_priv.h - what the store's files share and nobody else sees: the
 * struct store itself (store.c: open, schema, transactions, references),
 * used by store_hold.c (holds), store_outbox.c (shares and notices),
 * store_audit.c (the record), store_decide.c (decisions),
 * store_list.c (listings) and store_report.c (reports and statistics).
 *
 * Every public function works on one connection of the store, taken for
 * its whole duration (store_take(), or a transaction's begin) and given
 * back at its end; the helpers below assume the caller holds one.  A
 * store opened has one connection (itself); a daemon on PostgreSQL adds
 * more (store_pool_grow()), so that its milter threads, releaser and
 * control socket do not queue behind one another's round trips: each
 * extra connection is a struct store of its own (its db and lock), whose
 * front is the store opened, which owns them.  What several connections
 * must agree on (the relay's name, the test hook) lives in the front.
 * Writers stay serialised in the database (db.h: the store's advisory
 * lock), across the connections of one relay as across relays.
 */
#ifndef GRONDSLAG_STORE_PRIV_H
#define GRONDSLAG_STORE_PRIV_H

#include <pthread.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "grondslag/store/db.h"
#include "grondslag/store/store.h"

/* "GRND": PRAGMA application_id of a grondslag store. */
#define STORE_APPLICATION_ID 0x47524e44

struct store {
	struct db *db;			/* SQLite file or PostgreSQL (db.h) */
	pthread_mutex_t lock;		/* held while this connection is in use */
	struct store *front;		/* the store opened (itself there) */
	/* the front only: the other connections, and taking them */
	struct store **more;
	size_t nmore;
	pthread_mutex_t pool_lock;	/* also guards fail_commits and n_* */
	pthread_cond_t pool_cond;	/* a connection was given back */
	pthread_mutex_t write_lock;	/* a pool's writers, one at a time */
	char *conninfo;			/* PostgreSQL, writable: for more */
	bool pool_set;			/* store_pool_grow() was called */
	int fail_commits;		/* store_fail_commits() (the front's
				 * counts): fail the next n commits (< 0:
				 * every one) */
	bool readonly;			/* store_open_readonly() */
	dev_t dev;			/* SQLite: the file opened: a write */
	ino_t ino;			/* checks that the path still names it */
	char *path;
	char relay[STORE_RELAY_MAX];	/* store_relay_set(), "" none */
	/* the strings of the last store_notice_next() */
	char *n_kind, *n_ref, *n_to, *n_message, *n_last_error;
	/* store_report_filter(): NULL for none */
	char *rf_party, *rf_sender, *rf_basis;
};

/* snprintf into err (when err is not NULL). */
void store_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err = "store: what: <the database's message>". */
void store_sqlerr(struct store *s, char *err, size_t errlen, const char *what);

/* A connection of s (any of its store's) for one public function: free
 * ones first, else the first given back; store_give() returns it.  The
 * idiom: "s = store_take(s); ... store_give(s);". */
struct store *store_take(struct store *s) __attribute__((warn_unused_result));
void store_give(struct store *c);
/* One write transaction on a connection taken, the only way anything is
 * written: take a connection and BEGIN IMMEDIATE (the connection; NULL
 * and nothing held), then the body (the *_locked helpers) on it, then
 * store_txn_end() on it: commit when commit (a body's refusal may keep
 * its records), else roll back, and give the connection back.  The idiom:
 * "if ((s = store_txn_begin(s, err, errlen)) == NULL) return -1;".
 * It returns rc, or -1 when the commit failed.
 * db_begin_write() takes the store's write lock now (SQLite: BEGIN
 * IMMEDIATE, waiting up to the busy timeout; PostgreSQL: the store's
 * advisory lock, so writers on every relay are serialised), so a
 * transaction never fails half-way on a lock; on SQLite it fails when the
 * path no longer names the file opened (removed or replaced while in
 * use): a write there would vanish at the next start.  COMMIT is durable
 * (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on, which waits
 * for a synchronous standby where one is configured), rolls back on
 * failure, and fails on purpose while store_fail_commits() says so. */
struct store *store_txn_begin(struct store *s, char *err, size_t errlen)
	__attribute__((warn_unused_result));
int store_txn_end(struct store *s, int rc, bool commit, char *err, size_t errlen);
/* One read transaction on a connection taken, so that what a public
 * function reads in several statements is of one moment while the daemon
 * writes: take and BEGIN (the connection); COMMIT and give it back.  A
 * read transaction cannot fail half-way, so nothing is reported. */
struct store *store_read_begin(struct store *s) __attribute__((warn_unused_result));
void store_read_end(struct store *s);
/* A store on a read-only connection to path (store_open_readonly(),
 * store_open_report()), immutable when no -wal file exists, not yet
 * checked; NULL + why (the connection's message). */
struct store *store_new_readonly(const char *path, char *why, size_t whylen);
/* One integer from a one-row statement such as "SELECT count(*) ...":
 * DB_OK, else DB_DONE (no row) or DB_ERROR. */
int store_query_int(struct db *db, const char *sql, int64_t *out);
/* Whose store this is: application_id (STORE_APPLICATION_ID when ours),
 * the schema version (0 none) and the number of tables in it, whatever the
 * backend keeps them in (SQLite: the header's PRAGMAs; PostgreSQL: the
 * table grondslag_meta).  DB_OK or DB_ERROR. */
int store_identity(struct db *db, int64_t *appid, int64_t *version, int64_t *tables);
/* A new PostgreSQL store without its first record: the schema made in
 * conninfo's database, which must hold no table (store_init(),
 * store_copy()); NULL + err.  store_pg_unmake() drops what it made. */
struct store *store_pg_make(const char *conninfo, char *err, size_t errlen);
void store_pg_unmake(struct store *s);
/* Prepare sql or set err. */
struct db_stmt *store_prepare(struct store *s, const char *sql, char *err, size_t errlen);
/* Bind text, NULL as "" (for NOT NULL columns). */
int store_bind_text(struct db_stmt *st, int col, const char *text);
/* One share row inside the caller's transaction (store_outbox.c). */
int store_put_share(struct store *s, const struct hold_share *sh, char *err, size_t errlen);
/* Queue n notices of ref due at now inside the caller's transaction
 * (store_outbox.c).  0 or -1. */
int store_notices_insert(struct store *s, const struct hold_notice *items, size_t n,
		      const char *ref, time_t now, char *err, size_t errlen);
/* Append one audit record inside the caller's transaction (store_audit.c);
 * seq_out (may be NULL) receives its seq.  now 0: time(NULL). */
int store_audit_append(struct store *s, const struct store_audit *a, time_t now,
		       int64_t *seq_out, char *err, size_t errlen);
/* store_hold_decide() inside the caller's transaction: 0 applied, 1
 * refused (a "refused" record written), 2 no such hold, -1 error. */
int store_decide_locked(struct store *s, const char *ref, const struct store_decision *d,
			struct store_decision_result *out, char *err, size_t errlen);
/* Free the strings of the last store_notice_next(). */
void store_notice_strings_free(struct store *s);
/* malloc'ed copy of a text column, "" for NULL; NULL only out of memory. */
char *store_column_dup(struct db_stmt *st, int col);
/* The text of a column that may be absent: NULL for SQL NULL or "" (and
 * out of memory, which then reads as absent: only for optional fields). */
char *store_column_opt(struct db_stmt *st, int col);

/* The person running a command of the store's administration (store
 * migrate, its copy), for the chain's record of it: the login of the
 * real user id (name: a buffer for it). */
#include <pwd.h>
#include <unistd.h>
static inline struct store_actor store_admin_actor(char *name, size_t namelen)
{
	struct passwd *pw = getpwuid(getuid());
	snprintf(name, namelen, "%s", pw != NULL ? pw->pw_name : "unknown");
	return (struct store_actor){.user = name, .uid = (long)getuid(), .role = "admin"};
}

/* The table of an SQLite store moved to PostgreSQL (store_copy()): its
 * one row says where to and when; store_open() refuses such a file. */
#define STORE_MOVED_TABLE "grondslag_moved"

#endif
