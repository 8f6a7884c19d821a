/*
 * db_pg.c - the PostgreSQL driver of the store's database layer (db.h),
 * with libpq: the only file that uses it, through pqlib.h (libpq is
 * loaded when the first PostgreSQL store is opened, not linked: without
 * the package libpq5 that open fails and says so).
 *
 * A connection is one PGconn, opened from the Database value (a URI
 * "postgresql://..." or key=value conninfo; libpq reads both, and several
 * hosts with target_session_attrs=read-write for a primary and its
 * standby).  connect_timeout is 10 s unless the value says otherwise.
 * Every session, and every new one after a reconnect, is set up the same
 * way: synchronous_commit on (a COMMIT returns once it is flushed, and on
 * a synchronous standby where the server has one, whatever the server's
 * default), lock_timeout 10 s (as SQLite's busy timeout), statement_timeout
 * 60 s, in a write transaction its own (db_set_timeout(), 60 s unless set;
 * a COMMIT has the same deadline, kept here: pq_commit()), and read-only
 * transactions for a read-only open.
 *
 * Statements: the store's "?N" parameters are sent as "$N" with
 * PQexecParams, integers as int8 and text as text (so "?1 IS NULL" has a
 * type), blobs as binary bytea; rows come back as text (a bytea column is
 * decoded by db_column_blob()).  A write transaction takes one advisory
 * lock for the whole store (db.h says why).
 *
 * A lost connection: outside a transaction the next call reconnects
 * (PQreset) first; inside one the statement fails with DB_ERR_RETRY and
 * the transaction is gone (the store rolls back and answers an error, which
 * the milter turns into 451; the next transaction reconnects).
 * Limits: at most DB_PG_PARAMS parameters per statement; a value of at
 * most 1 GB (PostgreSQL's own limit).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_priv.h"
#include "pqlib.h"

#define DB_PG_PARAMS 32
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_TEXT 25
/* "GRND": the key of the store's write lock (pg_advisory_xact_lock). */
#define STORE_LOCK_KEY 0x47524e44

/* A writer's statement_timeout and commit deadline unless db_set_timeout()
 * says otherwise. */
#define DB_PG_TIMEOUT 60
/* The statement_timeout of everything else a writable connection runs (a
 * report, an audit over a large store), whatever DatabaseTimeout says. */
#define DB_PG_READ_TIMEOUT 60

struct pg_db {
	struct db base;
	PGconn *conn;
	enum db_mode mode;
	int64_t changes;
	unsigned timeout;		/* seconds; db_set_timeout() */
	bool warned;			/* the server sent a WARNING */
	bool broken;			/* a COMMIT left unanswered: made anew */
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;			/* with $N */
	int nparams;
	bool used[DB_PG_PARAMS];	/* $N appears in sql (the store's SQL may
					 * skip a number; the server must still
					 * know its type) */
	const char *values[DB_PG_PARAMS];
	int lengths[DB_PG_PARAMS];
	int formats[DB_PG_PARAMS];
	unsigned int types[DB_PG_PARAMS];
	char ints[DB_PG_PARAMS][24];
	PGresult *res;			/* NULL: not run since prepare/reset */
	int row;			/* the current row, -1 before the first */
	unsigned char *blob;		/* the last db_column_blob() decoded */
};

static struct pg_db *pg(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *pst(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* Is this SQLSTATE one where the same transaction may succeed on a new
 * try: serialisation, deadlock, lock timeout, a connection or a server
 * going away (admin shutdown, crash, recovery, read-only standby)? */
static bool retryable(const char *state)
{
	if (state == NULL)
		return true;	/* no answer from a server at all */
	static const char *const codes[] = {"40001", "40P01", "55P03", "57P01", "57P02",
					     "57P03", "25006", "53300"};
	if (strncmp(state, "08", 2) == 0)
		return true;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(state, codes[i]) == 0)
			return true;
	return false;
}

/* Record the error of res (or of the connection); returns DB_ERROR. */
static int fail_res(struct db *db, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : "";
	if (msg == NULL || *msg == '\0')
		msg = PQerrorMessage(pg(db)->conn);
	enum db_error_kind kind = DB_ERR_OTHER;
	if (PQstatus(pg(db)->conn) != CONNECTION_OK || retryable(state))
		kind = DB_ERR_RETRY;
	else if (state != NULL && strncmp(state, "23", 2) == 0)
		kind = DB_ERR_CONSTRAINT;
	db_set_error(db, kind, "%s", msg && *msg ? msg : "PostgreSQL: unknown error");
	return DB_ERROR;
}

/* The session's settings, on every new connection. */
static int setup_session(struct db *db)
{
	/* a writer never hangs on a server that stopped answering: the
	 * milter must answer the MTA (451) within its timeout, so a write
	 * transaction sets its own, shorter limit (pq_begin_write()); a
	 * reader (a report over a large store) may take longer */
	char sql[160];
	if (pg(db)->mode == DB_READONLY)
		snprintf(sql, sizeof sql, "SET synchronous_commit TO on; SET lock_timeout TO '10s';"
					  " SET default_transaction_read_only TO on");
	else
		snprintf(sql, sizeof sql, "SET synchronous_commit TO on; SET lock_timeout TO '10s';"
					  " SET statement_timeout TO '%us'", DB_PG_READ_TIMEOUT);
	PGresult *res = PQexec(pg(db)->conn, sql);
	int rc = PQresultStatus(res) == PGRES_COMMAND_OK ? DB_OK : fail_res(db, res);
	PQclear(res);
	return rc;
}

static bool pq_in_transaction(struct db *db)
{
	if (pg(db)->broken)
		return false;
	PGTransactionStatusType t = PQtransactionStatus(pg(db)->conn);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Outside a transaction, a lost connection is made anew before use. */
static int pq_check_connection(struct db *db)
{
	PGconn *c = pg(db)->conn;
	if (PQstatus(c) == CONNECTION_OK && !pg(db)->broken)
		return DB_OK;
	pg(db)->broken = false;
	PQreset(c);
	if (PQstatus(c) != CONNECTION_OK) {
		db_set_error(db, DB_ERR_RETRY, "connection lost, reconnecting failed: %s",
			     PQerrorMessage(c));
		return DB_ERROR;
	}
	return setup_session(db);
}

static int ready(struct db *db)
{
	if (pq_in_transaction(db))
		return DB_OK;
	return pq_check_connection(db);
}

static void pq_close(struct db *db)
{
	PQfinish(pg(db)->conn);
	free(db);
}

static int pq_exec(struct db *db, const char *sql)
{
	if (ready(db) != DB_OK)
		return DB_ERROR;
	PGresult *res = PQexec(pg(db)->conn, sql);
	ExecStatusType t = PQresultStatus(res);
	int rc = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? DB_OK : fail_res(db, res);
	if (rc == DB_OK) {
		const char *n = PQcmdTuples(res);
		pg(db)->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	}
	PQclear(res);
	return rc;
}

/* sql with ?N (and bare ?) as $N, outside quoted strings and names;
 * *nparams the highest number.  NULL out of memory. */
static char *translate(const char *sql, int *nparams, bool used[DB_PG_PARAMS])
{
	size_t len = strlen(sql);
	char *out = malloc(len * 2 + 1);
	if (out == NULL)
		return NULL;
	char *o = out;
	int seq = 0, max = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			*o++ = *p;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
			*o++ = *p;
		} else if (*p == '?') {
			int n = 0;
			while (p[1] >= '0' && p[1] <= '9' && n < 1000)
				n = n * 10 + (*++p - '0');
			if (n == 0)
				n = ++seq;
			if (n > max)
				max = n;
			if (n <= DB_PG_PARAMS)
				used[n - 1] = true;
			o += sprintf(o, "$%d", n);
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	*nparams = max;
	return out;
}

static struct db_stmt *pq_prepare(struct db *db, const char *sql)
{
	struct pg_stmt *s = calloc(1, sizeof *s);
	if (s == NULL || (s->sql = translate(sql, &s->nparams, s->used)) == NULL) {
		free(s);
		db_set_error(db, DB_ERR_OTHER, "out of memory");
		return NULL;
	}
	if (s->nparams > DB_PG_PARAMS) {
		db_set_error(db, DB_ERR_OTHER, "statement has %d parameters, at most %d",
			     s->nparams, DB_PG_PARAMS);
		free(s->sql);
		free(s);
		return NULL;
	}
	s->base.db = db;
	s->row = -1;
	for (int i = 0; i < s->nparams; i++)
		if (!s->used[i])
			s->types[i] = OID_TEXT;	/* never bound, never read */
	return &s->base;
}

/* Parameter i (from 1) of st, or NULL (error recorded). */
static struct pg_stmt *param(struct db_stmt *st, int i)
{
	struct pg_stmt *s = pst(st);
	if (i < 1 || i > s->nparams) {
		db_set_error(st->db, DB_ERR_OTHER, "parameter %d out of range (1..%d)", i,
			     s->nparams);
		return NULL;
	}
	return s;
}

static int pq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	struct pg_stmt *s = param(st, i);
	if (s == NULL)
		return DB_ERROR;
	snprintf(s->ints[i - 1], sizeof s->ints[i - 1], "%lld", (long long)v);
	s->values[i - 1] = s->ints[i - 1];
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
	s->types[i - 1] = OID_INT8;
	return DB_OK;
}

static int pq_bind_text(struct db_stmt *st, int i, const char *text)
{
	struct pg_stmt *s = param(st, i);
	if (s == NULL)
		return DB_ERROR;
	s->values[i - 1] = text;
	s->lengths[i - 1] = 0;
	s->formats[i - 1] = 0;
	s->types[i - 1] = text ? OID_TEXT : 0;
	return DB_OK;
}

static int pq_bind_null(struct db_stmt *st, int i)
{
	return pq_bind_text(st, i, NULL);
}

static int pq_bind_blob(struct db_stmt *st, int i, const void *data, size_t len)
{
	struct pg_stmt *s = param(st, i);
	if (s == NULL)
		return DB_ERROR;
	if (len > 1000000000) {
		db_set_error(st->db, DB_ERR_OTHER, "blob of %zu bytes: too large", len);
		return DB_ERROR;
	}
	s->values[i - 1] = data ? data : "";
	s->lengths[i - 1] = (int)len;
	s->formats[i - 1] = 1;
	s->types[i - 1] = OID_BYTEA;
	return DB_OK;
}

static void clear_result(struct pg_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	PQfreemem(s->blob);
	s->blob = NULL;
}

static int pq_step(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);
	struct db *db = st->db;
	if (s->res == NULL) {
		if (ready(db) != DB_OK)
			return DB_ERROR;
		s->res = PQexecParams(pg(db)->conn, s->sql, s->nparams, s->types, s->values,
				      s->lengths, s->formats, 0);
		ExecStatusType t = PQresultStatus(s->res);
		if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
			int rc = fail_res(db, s->res);
			/* a failed statement is not run again by another step */
			PQclear(s->res);
			s->res = PQmakeEmptyPGresult(pg(db)->conn, PGRES_FATAL_ERROR);
			s->row = 0;
			return rc;
		}
		const char *n = PQcmdTuples(s->res);
		pg(db)->changes = n && *n ? strtoll(n, NULL, 10) : 0;
	}
	if (PQresultStatus(s->res) == PGRES_FATAL_ERROR)
		return DB_ERROR;
	PQfreemem(s->blob);
	s->blob = NULL;
	if (s->row + 1 < PQntuples(s->res)) {
		s->row++;
		return DB_ROW;
	}
	s->row = PQntuples(s->res);
	return DB_DONE;
}

static void pq_reset(struct db_stmt *st)
{
	clear_result(pst(st));
}

static void pq_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);
	clear_result(s);
	free(s->sql);
	free(s);
}

/* Is (row, col) a value of the current row? */
static bool have(struct pg_stmt *s, int col)
{
	return s->res != NULL && s->row >= 0 && s->row < PQntuples(s->res) && col >= 0 &&
	       col < PQnfields(s->res);
}

static int pq_column_count(struct db_stmt *st)
{
	struct pg_stmt *s = pst(st);
	return s->res ? PQnfields(s->res) : 0;
}

static bool pq_column_null(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pst(st);
	return !have(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pq_column_int64(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pst(st);
	if (pq_column_null(st, col))
		return 0;
	const char *v = PQgetvalue(s->res, s->row, col);
	/* a boolean expression comes back as t or f (SQLite: 1 or 0) */
	if (strcmp(v, "t") == 0)
		return 1;
	if (strcmp(v, "f") == 0)
		return 0;
	return strtoll(v, NULL, 10);
}

static const char *pq_column_text(struct db_stmt *st, int col)
{
	struct pg_stmt *s = pst(st);
	if (pq_column_null(st, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static const void *pq_column_blob(struct db_stmt *st, int col, size_t *len)
{
	struct pg_stmt *s = pst(st);
	*len = 0;
	if (pq_column_null(st, col))
		return NULL;
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, col), len);
	return s->blob;
}

static int64_t pq_changes(struct db *db)
{
	return pg(db)->changes;
}

static char *pq_blob_read(struct db *db, const char *table, const char *column,
			  const char *keycol, const char *key, size_t *len)
{
	if (ready(db) != DB_OK)
		return NULL;
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT %s FROM %s WHERE %s = $1", column, table, keycol);
	const char *values[1] = {key};
	unsigned int types[1] = {OID_TEXT};
	/* binary result: the bytes as they are, not twice as many hex digits */
	PGresult *res = PQexecParams(pg(db)->conn, sql, 1, types, values, NULL, NULL, 1);
	char *out = NULL;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fail_res(db, res);
	} else if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		size_t n = (size_t)PQgetlength(res, 0, 0);
		if ((out = malloc(n + 1)) != NULL) {
			memcpy(out, PQgetvalue(res, 0, 0), n);
			out[n] = '\0';
			*len = n;
		}
	}
	PQclear(res);
	return out;
}

/* Run one command of the transaction machinery. */
static int command(struct db *db, const char *sql)
{
	PGresult *res = PQexec(pg(db)->conn, sql);
	ExecStatusType t = PQresultStatus(res);
	int rc = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ? DB_OK : fail_res(db, res);
	PQclear(res);
	return rc;
}

static int pq_begin_write(struct db *db)
{
	if (ready(db) != DB_OK)
		return DB_ERROR;
	/* the writer's deadline for this transaction only (SET LOCAL): the
	 * session's limit (setup_session()) stays the readers' */
	char sql[192];
	snprintf(sql, sizeof sql, "BEGIN ISOLATION LEVEL READ COMMITTED;"
				  " SET LOCAL statement_timeout TO '%us';"
				  " SELECT pg_advisory_xact_lock(%d)",
		 pg(db)->timeout ? pg(db)->timeout : DB_PG_TIMEOUT, STORE_LOCK_KEY);
	if (command(db, sql) != DB_OK) {
		if (pq_in_transaction(db))
			command(db, "ROLLBACK");
		return DB_ERROR;
	}
	return DB_OK;
}

static int pq_begin_read(struct db *db)
{
	if (ready(db) != DB_OK)
		return DB_ERROR;
	return command(db, "BEGIN ISOLATION LEVEL REPEATABLE READ");
}

/* Seconds left until deadline (CLOCK_MONOTONIC), in ms for poll(). */
static int ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
		       (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 3600000 ? 3600000 : (int)ms;
}

/* Wait until the connection's answer is complete or ms ran out: true
 * when complete, false on the deadline or a broken connection. */
static bool await(PGconn *c, int ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	while (PQisBusy(c)) {
		int left = ms_left(&deadline);
		if (left == 0)
			return false;
		struct pollfd p = {.fd = PQsocket(c), .events = POLLIN};
		int n = poll(&p, 1, left);
		if (n < 0 && errno != EINTR)
			return false;
		if (n > 0 && !PQconsumeInput(c))
			return false;
	}
	return true;
}

/* COMMIT within the deadline.  A COMMIT that waits longer (for a
 * synchronous standby that is not there, a server that stopped
 * answering) is cancelled and fails: the server then ends the wait and
 * keeps the transaction, which was written locally but is not known to be
 * on the standby; the caller answers 451 and the client's retry finds the
 * hold by its retry key.  A COMMIT answered with a WARNING fails the same
 * way: that is how the server says it gave up waiting for the standby
 * (statement_timeout, a cancel from elsewhere). */
static int pq_commit(struct db *db)
{
	struct pg_db *d = pg(db);
	d->warned = false;
	if (!PQsendQuery(d->conn, "COMMIT"))
		return fail_res(db, NULL);
	unsigned limit = d->timeout ? d->timeout : DB_PG_TIMEOUT;
	if (!await(d->conn, (int)limit * 1000)) {
		char buf[256];
		PGcancel *cancel = PQgetCancel(d->conn);
		if (cancel != NULL) {
			(void)PQcancel(cancel, buf, sizeof buf);
			PQfreeCancel(cancel);
		}
		/* the answer to the cancelled COMMIT, if it comes at once;
		 * else the connection is dropped and made anew on next use */
		bool answered = PQstatus(d->conn) == CONNECTION_OK && await(d->conn, 2000);
		PGresult *res;
		while (answered && (res = PQgetResult(d->conn)) != NULL)
			PQclear(res);
		d->broken = !answered;
		db_set_error(db, DB_ERR_RETRY,
			     "commit not confirmed within %u s (a synchronous standby named but"
			     " not connected? the server not answering?); the transaction may"
			     " be committed without its standby copy", limit);
		return DB_ERROR;
	}
	PGresult *res = PQgetResult(d->conn), *more;
	while ((more = PQgetResult(d->conn)) != NULL)
		PQclear(more);
	int rc = DB_OK;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = fail_res(db, res);
	else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		/* COMMIT of a transaction that failed answers ROLLBACK */
		db_set_error(db, DB_ERR_OTHER, "commit: the transaction was rolled back");
		rc = DB_ERROR;
	} else if (d->warned) {
		db_set_error(db, DB_ERR_RETRY,
			     "commit: the server gave up waiting for its synchronous standby (a"
			     " warning); the transaction is committed without its standby copy");
		rc = DB_ERROR;
	}
	PQclear(res);
	return rc;
}

static int pq_set_timeout(struct db *db, unsigned seconds)
{
	pg(db)->timeout = seconds ? seconds : DB_PG_TIMEOUT;
	return setup_session(db);
}

static void pq_rollback(struct db *db)
{
	if (pq_in_transaction(db))
		PQclear(PQexec(pg(db)->conn, "ROLLBACK"));
}

static bool pq_has_column(struct db *db, const char *table, const char *column)
{
	struct db_stmt *st = pq_prepare(db, "SELECT 1 FROM information_schema.columns"
					    " WHERE table_schema = current_schema()"
					    " AND table_name = ?1 AND column_name = ?2");
	if (st == NULL)
		return false;
	pq_bind_text(st, 1, table);
	pq_bind_text(st, 2, column);
	bool found = pq_step(st) == DB_ROW;
	pq_finalize(st);
	return found;
}

static const struct db_ops pg_ops = {
	.backend = DB_POSTGRES,
	.close = pq_close,
	.exec = pq_exec,
	.prepare = pq_prepare,
	.bind_int64 = pq_bind_int64,
	.bind_text = pq_bind_text,
	.bind_null = pq_bind_null,
	.bind_blob = pq_bind_blob,
	.step = pq_step,
	.reset = pq_reset,
	.finalize = pq_finalize,
	.column_count = pq_column_count,
	.column_null = pq_column_null,
	.column_int64 = pq_column_int64,
	.column_text = pq_column_text,
	.column_blob = pq_column_blob,
	.changes = pq_changes,
	.bind_zeroblob = NULL,	/* PostgreSQL takes a value in one piece */
	.blob_fill = NULL,
	.blob_read = pq_blob_read,
	.begin_write = pq_begin_write,
	.begin_read = pq_begin_read,
	.commit = pq_commit,
	.rollback = pq_rollback,
	.in_transaction = pq_in_transaction,
	.check_connection = pq_check_connection,
	.has_column = pq_has_column,
	.set_timeout = pq_set_timeout,
};

/* libpq's notice receiver: the server's notices (NOTICE, WARNING) are
 * not the store's errors, and stderr is no place for them in a daemon;
 * a WARNING is remembered (pq_commit()). */
static void receive_notice(void *arg, const PGresult *res)
{
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		((struct pg_db *)arg)->warned = true;
}

struct db *db_pg_open(const char *conninfo, enum db_mode mode, char *why, size_t whylen)
{
	if (pqlib_load(why, whylen) != 0)
		return NULL;
	struct pg_db *d = calloc(1, sizeof *d);
	if (d == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	d->base.ops = &pg_ops;
	d->mode = mode;
	d->timeout = DB_PG_TIMEOUT;
	/* later entries win: the conninfo's own settings over our defaults */
	const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
				    NULL};
	const char *const values[] = {"10", "grondslag", conninfo, NULL};
	d->conn = PQconnectdbParams(keys, values, 1);
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		snprintf(why, whylen, "%s", d->conn ? PQerrorMessage(d->conn) : "out of memory");
		for (char *p = why; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		PQfinish(d->conn);
		free(d);
		return NULL;
	}
	PQsetNoticeReceiver(d->conn, receive_notice, d);
	if (setup_session(&d->base) != DB_OK) {
		snprintf(why, whylen, "%s", d->base.err);
		pq_close(&d->base);
		return NULL;
	}
	return &d->base;
}
