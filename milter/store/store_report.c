/*
 * store_report.c - the record read in bulk for reports and statistics
 * (see store_report.h): one read-only connection, one read transaction,
 * and a scan per kind of row (holds, held recipients, shares) over a
 * period, plus the totals of "grondslag stats".
 *
 * The scans select the rows of the period and leave the counting to the
 * caller (report_scan.c, report_query.c count in hash tables): SQLite's
 * GROUP BY sorts, which over a million rows costs several times the scan.
 * The recipients are read driven by the holds (CROSS JOIN keeps the holds
 * outside), so the recipients of one hold come together.
 *
 * The schema grows (store.c): a column a later version added is asked
 * for only when the store has it, so an old store still reports.
 * Limits: none of its own; the caller bounds what it keeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grondslag/store/store_report.h"
#include "store_priv.h"

/* Does the table have the column? */
static bool has_column(struct db *db, const char *table, const char *column)
{
	return db_has_column(db, table, column);
}

/* The checks of store_open_report() on an open connection: ours, and with
 * the columns a report reads.  0, or -1 + err. */
static int check_report_store(struct db *db, const char *path, int *schema, char *err,
			      size_t errlen)
{
	int64_t app = 0, version = 0, tables = 0;
	if (store_identity(db, &app, &version, &tables) != DB_OK) {
		store_errf(err, errlen, "%s: %s", path, db_errmsg(db));
		return -1;
	}
	if (app != STORE_APPLICATION_ID || version < 1) {
		store_errf(err, errlen, "%s: not a grondslag store", path);
		return -1;
	}
	static const char *const needed[][2] = {
		{"holds", "received"},	     {"holds", "state"},     {"holds", "categories"},
		{"holds", "sender"},	     {"hold_recipients", "party"},
		{"hold_recipients", "reasons"}, {"shares", "shared_at"}, {"shares", "bases"},
		{"outbox", "state"},
	};
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		if (!has_column(db, needed[i][0], needed[i][1])) {
			store_errf(err, errlen, "%s: store has no %s.%s (schema %lld)", path,
				   needed[i][0], needed[i][1], (long long)version);
			return -1;
		}
	}
	*schema = (int)version;
	return 0;
}

struct store *store_open_report(const char *path, int *schema, char *err, size_t errlen)
{
	struct stat st;
	if (!db_is_conninfo(path) && stat(path, &st) != 0) {
		store_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char why[512];
	struct store *s = store_new_readonly(path, why, sizeof why);
	if (s == NULL) {
		store_errf(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	/* reading a large store: map it rather than copy every page, and
	 * keep the index pages of the recipient lookups in a larger cache */
	if (db_backend(s->db) == DB_SQLITE)
		db_exec(s->db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536");
	if (check_report_store(s->db, s->path, schema, err, errlen) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

int store_report_begin(struct store *s, char *err, size_t errlen)
{
	/* a transaction left open across calls would stand in the way of the
	 * writes of a store that has writers in this process */
	if (!s->readonly) {
		store_errf(err, errlen, "not a read-only store");
		return -1;
	}
	s = store_take(s);
	int rc = db_begin_read(s->db) == DB_OK ? 0 : -1;
	if (rc != 0)
		store_errf(err, errlen, "%s", db_errmsg(s->db));
	store_give(s);
	return rc;
}

void store_report_end(struct store *s)
{
	s = store_take(s);
	db_commit(s->db);
	store_give(s);
}

/* A row of a scan handed to the caller's callback (cb, cast back to its
 * type by the row function); the callback's answer. */
typedef void (*any_cb)(void);
typedef int (*row_fn)(struct db_stmt *st, any_cb cb, void *arg);

/* A copy of a filter value, NULL for none; false out of memory. */
static bool filter_copy(char **to, const char *v)
{
	free(*to);
	*to = v != NULL && *v != '\0' ? strdup(v) : NULL;
	return *to != NULL || v == NULL || *v == '\0';
}

int store_report_filter(struct store *s, const char *party, const char *sender,
			const char *basis)
{
	/* the sender as stored: with or without angle brackets */
	char *bare = NULL;
	if (sender != NULL) {
		size_t len = strlen(sender);
		while (len > 0 && *sender == '<')
			sender++, len--;
		while (len > 0 && sender[len - 1] == '>')
			len--;
		bare = strndup(sender, len);
		if (bare == NULL)
			return -1;
	}
	bool ok = filter_copy(&s->rf_party, party) && filter_copy(&s->rf_sender, bare) &&
		  filter_copy(&s->rf_basis, basis);
	free(bare);
	return ok ? 0 : -1;
}

/* The conditions of the filter on holds h (and their recipients x when
 * rcpts), bound as ?3 (party), ?4 (sender), ?5 (basis).  A NULL filter
 * is cast to its type: PostgreSQL cannot type a bare parameter that is
 * only tested for NULL.  The sender as stored, with or without <>. */
#define HOLD_FILTER(h)                                                                     \
	" AND (CAST(?4 AS TEXT) IS NULL"                                                   \
	" OR lower(" h ".sender) IN (lower(?4), '<' || lower(?4) || '>'))"                 \
	" AND (CAST(?5 AS TEXT) IS NULL)"                                                  \
	" AND (CAST(?3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM hold_recipients f"        \
	" WHERE f.ref = " h ".ref AND lower(f.party) = lower(?3)))"
/* (in a format: %% is one %) */
#define SHARE_FILTER                                                                       \
	" AND (CAST(?3 AS TEXT) IS NULL OR lower(party) = lower(?3))"                      \
	" AND (CAST(?4 AS TEXT) IS NULL"                                                   \
	" OR lower(sender) IN (lower(?4), '<' || lower(?4) || '>'))"                       \
	" AND (CAST(?5 AS TEXT) IS NULL OR ',' || lower(replace(bases, ' ', '')) || ',' LIKE" \
	" '%%,' || lower(?5) || ',%%')"

/* Run sql (lock held) with ?1, ?2 bound to [since, until) and ?3..?5 to
 * the filter, handing each
 * row to row: 0 at the end, 1 when the callback stopped it, -1 + err. */
static int scan_period(struct store *s, const char *sql, time_t since, time_t until, row_fn row,
		       any_cb cb, void *arg, char *err, size_t errlen)
{
	struct db_stmt *st = NULL;
	if ((st = db_prepare(s->db, sql)) == NULL ||
	    db_bind_int64(st, 1, (int64_t)since) != DB_OK ||
	    db_bind_int64(st, 2, (int64_t)until) != DB_OK ||
	    db_bind_text(st, 3, s->rf_party) != DB_OK || db_bind_text(st, 4, s->rf_sender) != DB_OK ||
	    db_bind_text(st, 5, s->rf_basis) != DB_OK) {
		store_errf(err, errlen, "%s", db_errmsg(s->db));
		db_finalize(st);
		return -1;
	}
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		if (row(st, cb, arg) != 0)
			break;
	int out = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
	if (out < 0)
		store_errf(err, errlen, "%s", db_errmsg(s->db));
	db_finalize(st);
	return out;
}

/* A text column and its length, "" for NULL. */
static const char *column_text(struct db_stmt *st, int col, size_t *len)
{
	const char *t = db_column_text(st, col);
	*len = t ? strlen(t) : 0;
	return t ? t : "";
}

/* The SQL expression of the time of the jurists' decision: for a release
 * the last approval (hold_approvals.at: the release itself may wait for
 * the relay), else holds.decided_at (schema 2), else the time the state
 * last changed (schema 1). */
static const char *decision_expr(struct db *db)
{
	bool decided = has_column(db, "holds", "decided_at");
	if (decided && has_column(db, "hold_approvals", "at"))
		return "CASE WHEN state = 'released' THEN coalesce((SELECT max(a.at) FROM"
		       " hold_approvals a WHERE a.ref = holds.ref), decided_at)"
		       " ELSE decided_at END";
	if (decided)
		return "decided_at";
	return has_column(db, "holds", "state_changed") ? "state_changed" : "NULL";
}

typedef int (*hold_cb)(void *arg, const struct store_report_hold *h);

static int hold_row(struct db_stmt *st, any_cb cb, void *arg)
{
	struct store_report_hold h = {
		.received = (time_t)db_column_int64(st, 0),
		.state = db_column_text(st, 1),
		.categories = (unsigned)db_column_int64(st, 2),
		.decided = !db_column_null(st, 4),
		.decided_at = (time_t)db_column_int64(st, 4),
	};
	h.sender = column_text(st, 3, &h.sender_len);
	return ((hold_cb)cb)(arg, &h);
}

int store_report_holds(struct store *s, time_t since, time_t until, hold_cb cb, void *arg,
		       char *err, size_t errlen)
{
	s = store_take(s);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT received, state, categories, sender, %s FROM holds"
		 " WHERE received >= ?1 AND received < ?2" HOLD_FILTER("holds"),
		 decision_expr(s->db));
	int rc = scan_period(s, sql, since, until, hold_row, (any_cb)cb, arg, err, errlen);
	store_give(s);
	return rc;
}

typedef int (*rcpt_cb)(void *arg, const struct store_report_rcpt *r);

static int rcpt_row(struct db_stmt *st, any_cb cb, void *arg)
{
	struct store_report_rcpt r = {
		.hold = db_column_int64(st, 0),
		.received = (time_t)db_column_int64(st, 1),
		.party = db_column_text(st, 2),
		.recipient = db_column_text(st, 3),
	};
	r.reasons = column_text(st, 4, &r.reasons_len);
	return ((rcpt_cb)cb)(arg, &r);
}

int store_report_recipients(struct store *s, time_t since, time_t until, rcpt_cb cb, void *arg,
			    char *err, size_t errlen)
{
	s = store_take(s);
	int rc = scan_period(s,
			     "SELECT h.rowid, h.received, x.party,"
			     " CASE WHEN x.party IS NULL THEN x.recipient END, x.reasons FROM holds h"
			     /* CROSS JOIN: SQLite keeps holds the outer loop (the
			      * period's index); the join's condition in WHERE, where
			      * PostgreSQL accepts it too */
			     " CROSS JOIN hold_recipients x"
			     " WHERE x.ref = h.ref AND h.received >= ?1 AND h.received < ?2" HOLD_FILTER("h")
			     " AND (CAST(?3 AS TEXT) IS NULL OR lower(x.party) = lower(?3))",
			     since, until, rcpt_row, (any_cb)cb, arg, err, errlen);
	store_give(s);
	return rc;
}

typedef int (*share_cb)(void *arg, const struct store_report_share *sh);

static int share_row(struct db_stmt *st, any_cb cb, void *arg)
{
	struct store_report_share sh = {
		.shared_at = (time_t)db_column_int64(st, 0),
		.simulated = (int)db_column_int64(st, 4) != 0,
		.categories = (unsigned)db_column_int64(st, 5),
		.tlp = (int)db_column_int64(st, 6),
		.public_addresses = (uint64_t)db_column_int64(st, 7),
	};
	sh.party = column_text(st, 1, &sh.party_len);
	sh.bases = column_text(st, 2, &sh.bases_len);
	sh.articles = column_text(st, 3, &sh.articles_len);
	sh.regime = column_text(st, 8, &sh.regime_len);
	return ((share_cb)cb)(arg, &sh);
}

int store_report_shares(struct store *s, time_t since, time_t until, share_cb cb, void *arg,
			char *err, size_t errlen)
{
	s = store_take(s);
	/* shares.regime: the regime the share recorded itself (a later
	 * schema) */
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT shared_at, coalesce(party, ''), bases, articles, simulated, categories,"
		 " tlp, public_addresses, %s FROM shares WHERE shared_at >= ?1 AND shared_at < ?2"
		 SHARE_FILTER,
		 has_column(s->db, "shares", "regime") ? "regime" : "NULL");
	int rc = scan_period(s, sql, since, until, share_row, (any_cb)cb, arg, err, errlen);
	store_give(s);
	return rc;
}

typedef int (*decision_cb)(void *arg, const struct store_report_decision *d);

static int decision_row(struct db_stmt *st, any_cb cb, void *arg)
{
	size_t n;
	struct store_report_decision d = {
		.rcpt = db_column_int64(st, 1),
		.released = db_column_int64(st, 3) != 0,
		.decided_at = (time_t)db_column_int64(st, 4),
		.at = (time_t)db_column_int64(st, 6),
	};
	d.ref = column_text(st, 0, &n);
	d.party = column_text(st, 2, &n);
	d.jurist = column_text(st, 5, &n);
	d.basis = column_text(st, 7, &n);
	d.reason = column_text(st, 8, &n);
	return ((decision_cb)cb)(arg, &d);
}

int store_report_decisions(struct store *s, time_t since, time_t until, decision_cb cb,
			   void *arg, char *err, size_t errlen)
{
	s = store_take(s);
	int rc = 0;
	/* the approvals and the recipients' own decision times came with
	 * schema 2: an older store has no register of decisions */
	if (has_column(s->db, "hold_approvals", "basis") &&
	    has_column(s->db, "hold_recipients", "decided_at"))
		rc = scan_period(
			s,
			"SELECT h.ref, x.id, coalesce(x.party, ''),"
			" CASE WHEN x.state = 'released' THEN 1 ELSE 0 END,"
			" coalesce(x.decided_at, h.decided_at, h.state_changed) AS t,"
			" CASE WHEN x.state = 'released' THEN a.jurist ELSE h.decided_by END,"
			" CASE WHEN x.state = 'released' THEN a.at ELSE"
			"  coalesce(x.decided_at, h.decided_at) END,"
			" CASE WHEN x.state = 'released' THEN a.basis END,"
			" CASE WHEN x.state = 'released' THEN a.reason ELSE h.decision_reason END"
			" FROM hold_recipients x JOIN holds h ON h.ref = x.ref"
			" LEFT JOIN hold_approvals a ON a.recipient_id = x.id AND x.state = 'released'"
			/* the time again, not its alias: PostgreSQL has no output
			 * names in WHERE */
			" WHERE x.state IN ('released', 'denied')"
			" AND coalesce(x.decided_at, h.decided_at, h.state_changed) >= ?1"
			" AND coalesce(x.decided_at, h.decided_at, h.state_changed) < ?2"
			HOLD_FILTER("h") " AND (CAST(?3 AS TEXT) IS NULL OR lower(x.party) = lower(?3))"
			" ORDER BY t, h.ref, x.id, a.at",
			since, until, decision_row, (any_cb)cb, arg, err, errlen);
	store_give(s);
	return rc;
}

typedef int (*open_cb)(void *arg, const struct store_report_open *o);

static int open_row(struct db_stmt *st, any_cb cb, void *arg)
{
	size_t n;
	struct store_report_open o = {.received = (time_t)db_column_int64(st, 2)};
	o.ref = column_text(st, 0, &n);
	o.state = column_text(st, 1, &n);
	o.party = column_text(st, 3, &n);
	return ((open_cb)cb)(arg, &o);
}

int store_report_open_holds(struct store *s, open_cb cb, void *arg, char *err, size_t errlen)
{
	s = store_take(s);
	/* ?1, ?2: every time */
	int rc = scan_period(s,
			     "SELECT h.ref, h.state, h.received, coalesce((SELECT x.party FROM"
			     " hold_recipients x WHERE x.ref = h.ref AND x.party IS NOT NULL"
			     " ORDER BY x.id LIMIT 1), '') FROM holds h"
			     " WHERE h.state IN ('pending', 'partly-approved')"
			     " AND h.received >= ?1 AND h.received < ?2" HOLD_FILTER("h")
			     " ORDER BY h.received, h.ref",
			     INT64_MIN, INT64_MAX, open_row, (any_cb)cb, arg, err, errlen);
	store_give(s);
	return rc;
}

/* Count the rows of holds or of the outbox by state (sql: "SELECT state,
 * count(*) ... GROUP BY state"). */
static int count_states(struct store *s, const char *sql, struct store_totals *o, bool holds)
{
	struct db_stmt *st = NULL;
	if ((st = db_prepare(s->db, sql)) == NULL)
		return -1;
	int rc = DB_ERROR;	/* no statement: an error, never "done" */
	while (st != NULL && (rc = db_step(st)) == DB_ROW) {
		const char *state = db_column_text(st, 0);
		uint64_t n = (uint64_t)db_column_int64(st, 1);
		enum hold_state hs;
		if (holds) {
			o->holds += n;
			if (holdstate_parse(state, &hs))
				o->holds_by_state[hs] += n;
		} else if (state != NULL) {
			if (strcmp(state, "queued") == 0)
				o->notices_queued += n;
			else if (strcmp(state, "sent") == 0)
				o->notices_sent += n;
			else if (strcmp(state, "failed") == 0)
				o->notices_failed += n;
		}
	}
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

int store_report_totals(struct store *s, struct store_totals *o, char *err, size_t errlen)
{
	static const char *const one[] = {
		"SELECT count(*) FROM hold_recipients",
		"SELECT count(*) FROM shares WHERE simulated = 0",
		"SELECT coalesce(sum(public_addresses), 0) FROM shares WHERE simulated = 0",
		"SELECT count(*) FROM shares WHERE simulated = 1",
		"SELECT coalesce(max(received), 0) FROM holds",
		"SELECT coalesce(max(shared_at), 0) FROM shares",
	};
	int64_t v[sizeof one / sizeof one[0]] = {0};
	memset(o, 0, sizeof *o);
	s = store_take(s);
	int rc = count_states(s, "SELECT state, count(*) FROM holds GROUP BY state", o, true) == 0 &&
			 count_states(s, "SELECT state, count(*) FROM outbox GROUP BY state", o,
				      false) == 0
		 ? 0
		 : -1;
	for (size_t i = 0; rc == 0 && i < sizeof one / sizeof one[0]; i++)
		if (store_query_int(s->db, one[i], &v[i]) != DB_OK)
			rc = -1;
	if (rc != 0)
		store_errf(err, errlen, "%s", db_errmsg(s->db));
	store_give(s);
	o->held_recipients = (uint64_t)v[0];
	o->shares = (uint64_t)v[1];
	o->public_addresses = (uint64_t)v[2];
	o->shares_simulated = (uint64_t)v[3];
	o->last_hold = v[4];
	o->last_share = v[5];
	return rc;
}
