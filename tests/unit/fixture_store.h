/*
 * fixture_store.h - a store for a test, on the backend the environment
 * names: SQLite files in the test's directory by default, PostgreSQL when
 * GRONDSLAG_TEST_PG holds the conninfo of a server the test may create
 * databases on as a superuser (tests/golden/t-store-pg.sh starts a
 * private one and runs the store's contract suites against it).  The same
 * test then runs against both backends: one contract, two
 * implementations.
 *
 * fixture_database(buf, name): where the store "name" lives - a path in
 * the test directory, or a conninfo of a database of its own (made empty
 * on first use in this process).  fixture_store_open(): made with
 * store_init() when it does not exist yet (as `grondslag store init` does
 * before the daemon's first start; store_open() never creates one), then
 * opened.  fixture_exec() and fixture_rows(): plain SQL beside the store
 * (through the store's database layer, as an attacker or an
 * administrator with the database's own tools would).
 */
#ifndef GRONDSLAG_FIXTURE_STORE_H
#define GRONDSLAG_FIXTURE_STORE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grondslag/store/db.h"
#include "grondslag/store/store.h"

/* The PostgreSQL server of this run, NULL for SQLite. */
static inline const char *fixture_pg(void)
{
	const char *pg = getenv("GRONDSLAG_TEST_PG");
	return pg != NULL && *pg ? pg : NULL;
}

/* Run sql on database (path or conninfo); fails the test on error. */
static inline void fixture_exec(const char *database, const char *sql)
{
	char why[512];
	if (!db_is_conninfo(database) && access(database, F_OK) != 0) {
		/* a new SQLite database: an empty file is one */
		FILE *f = fopen(database, "a");
		if (f == NULL)
			fail_msg("create %s", database);
		fclose(f);
	}
	struct db *db = db_open(database, DB_READWRITE, why, sizeof why);
	if (db == NULL)
		fail_msg("open %s: %s", database, why);
	if (db_exec(db, sql) != DB_OK)
		fail_msg("exec %s: %s", sql, db_errmsg(db));
	db_close(db);
}

/* Run sql on database; 0 when it worked, -1 when the database refused. */
static inline int fixture_try_exec(const char *database, const char *sql)
{
	char why[512];
	struct db *db = db_open(database, DB_READWRITE, why, sizeof why);
	if (db == NULL)
		fail_msg("open %s: %s", database, why);
	int rc = db_exec(db, sql) == DB_OK ? 0 : -1;
	db_close(db);
	return rc;
}

/* The integer of a one-row query on database, -1 when it fails. */
static inline long long fixture_rows(const char *database, const char *sql)
{
	char why[512];
	int64_t n = -1;
	struct db *db = db_open(database, DB_READONLY, why, sizeof why);
	if (db != NULL && db_query_int(db, sql, &n) != DB_OK)
		n = -1;
	db_close(db);
	return n;
}

/* SQL that removes the record's append-only triggers, as an attacker with
 * the database's owner rights would (then the chain must tell). */
static inline const char *fixture_drop_audit_triggers(void)
{
	return fixture_pg() ? "DROP TRIGGER audit_no_change ON audit;"
			      " DROP TRIGGER audit_no_truncate ON audit;"
			    : "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;";
}

/* Where the store "name" lives (see above); buf returned. */
static inline const char *fixture_database(char *buf, size_t size, const char *dirpath,
					   const char *name)
{
	const char *pg = fixture_pg();
	if (pg == NULL) {
		snprintf(buf, size, "%s/%s", dirpath, name);
		return buf;
	}
	/* one database per name and process: "g<pid>_<name>" in [a-z0-9_] */
	char db[64];
	int n = snprintf(db, sizeof db, "g%d_", (int)getpid());
	for (const char *p = name; *p && n < (int)sizeof db - 1; p++)
		db[n++] = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ? *p : '_';
	db[n] = '\0';
	snprintf(buf, size, "%s dbname=%s", pg, db);
	static char made[256][64];
	static int nmade;
	for (int i = 0; i < nmade; i++)
		if (strcmp(made[i], db) == 0)
			return buf;
	char admin[512], sql[160];
	snprintf(admin, sizeof admin, "%s dbname=postgres", pg);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
	fixture_exec(admin, sql);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
	fixture_exec(admin, sql);
	if (nmade < 256)
		snprintf(made[nmade++], sizeof made[0], "%s", db);
	/* the daemon's least-privilege role: the store is made by the
	 * database's owner (here the superuser), the grants of
	 * contrib/postgresql-grants.sql given, and the test works as the role */
	const char *role = getenv("GRONDSLAG_TEST_PG_ROLE");
	const char *grants = getenv("GRONDSLAG_TEST_PG_GRANTS");
	if (role != NULL && *role && grants != NULL && *grants) {
		char err[512], sqltext[8192];
		if (store_init(buf, NULL, err, sizeof err) != 0)
			fail_msg("store init %s: %s", buf, err);
		FILE *f = fopen(grants, "r");
		size_t got = f ? fread(sqltext, 1, sizeof sqltext - 1, f) : 0;
		if (f == NULL || got == 0 || got == sizeof sqltext - 1)
			fail_msg("grants file %s: missing, empty or too long", grants);
		fclose(f);
		sqltext[got] = '\0';
		fixture_exec(buf, sqltext);
		snprintf(buf, size, "%s dbname=%s user=%s", pg, db, role);
	}
	return buf;
}

/* fixture_database() with the name made by a printf format. */
static inline const char *fixture_databasef(char *buf, size_t size, const char *dirpath,
					    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static inline const char *fixture_databasef(char *buf, size_t size, const char *dirpath,
					    const char *fmt, ...)
{
	char name[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	return fixture_database(buf, size, dirpath, name);
}

/* Does database hold a store already (or, for a path, exist)? */
static inline int fixture_store_exists(const char *database)
{
	if (!db_is_conninfo(database))
		return access(database, F_OK) == 0;
	return fixture_rows(database, "SELECT count(*) FROM information_schema.tables"
				      " WHERE table_schema = current_schema()") > 0;
}

static inline struct store *fixture_store_open(const char *path, char *err, size_t errlen)
{
	if (path != NULL && *path && !fixture_store_exists(path) &&
	    store_init(path, NULL, err, errlen) != 0)
		return NULL;
	return store_open(path, err, errlen);
}

#endif
