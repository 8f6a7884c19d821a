/*
 * cmd_store.c - `grondslag store init [-c CONFIG] [--database DB]`: the
 * only way a store comes into being (the daemon never creates one, so a
 * vanished or emptied store is refused instead of silently started
 * afresh).  A file: made (0600) with the schema and the first audit
 * record, owned by UserID when run as root; a file that exists is never
 * touched, whatever it holds.  A PostgreSQL connection string: the
 * schema and the first record in that database, which must hold no table
 * yet, made as the role the string names (the store's owner: the daemon's
 * own role has no right to change the schema, docs/operations.md).
 * `grondslag store migrate --from FILE --to CONNINFO`: a single relay's
 * SQLite store moved into a new PostgreSQL store, its chain intact.
 * `grondslag store migrate [-c CONFIG] [--database DB]`: a PostgreSQL
 * store of an older schema brought to this version, as the store's owner
 * (an SQLite store is migrated by the daemon when it opens it: this only
 * opens it).
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "grondslag/base/conninfo.h"
#include "grondslag/store/audit.h"
#include "grondslag/store/store.h"

#define DEFAULT_CONFIG "/etc/grondslag/grondslag.conf"

/* Hand the new store to the daemon's user (as the daemon would do with
 * its files before dropping privileges). */
static int give_to_user(const char *db, const char *user)
{
	if (*user == '\0' || getuid() != 0 || conninfo_is(db))
		return 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		fprintf(stderr, "grondslag store init: UserID %.64s: no such user\n", user);
		return -1;
	}
	if (chown(db, pw->pw_uid, pw->pw_gid) != 0) {
		fprintf(stderr, "grondslag store init: chown %s: %s\n", db, strerror(errno));
		return -1;
	}
	return 0;
}

/* The details of the "init" record: who made the store, with what. */
static char *init_details(const char *db)
{
	struct audit_details *d = audit_details_new();
	struct passwd *pw = getpwuid(getuid());
	char shown[1024];
	conninfo_redact(db, shown, sizeof shown);	/* never a password */
	audit_details_str(d, "database", shown);
	audit_details_int(d, "schema", STORE_SCHEMA_VERSION);
	audit_details_str(d, "by", pw != NULL ? pw->pw_name : "");
	audit_details_int(d, "uid", (int64_t)getuid());
	return audit_details_finish(d);
}

#define STORE_USAGE                                                                        \
	"usage: grondslag store init|migrate [-c CONFIG] [--database FILE|CONNINFO]\n"        \
	"       grondslag store migrate --from FILE --to CONNINFO\n"

/* The configuration (-c, else the default one when readable) and the
 * database (--database, else its Database); NULL after a usage error. */
static struct config *store_args(int argc, char **argv, const char **db)
{
	const char *conf = NULL;
	*db = NULL;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--database") == 0 && i + 1 < argc)
			*db = argv[++i];
		else {
			fprintf(stderr, STORE_USAGE);
			return NULL;
		}
	}
	if (conf == NULL && access(DEFAULT_CONFIG, R_OK) == 0)
		conf = DEFAULT_CONFIG;
	struct config *c = ctl_config(conf);
	if (c != NULL && *db == NULL)
		*db = config_str(c, CONF_DATABASE);
	return c;
}

/* store migrate --from FILE --to CONNINFO: the file's store into a new
 * PostgreSQL store. */
static int store_copy_cmd(const char *from, const char *to)
{
	char err[1024], shown[1024];
	int64_t rows = 0;
	conninfo_redact(to, shown, sizeof shown);
	if (store_copy(from, to, &rows, err, sizeof err) != 0) {
		fprintf(stderr, "grondslag store migrate: %s\n", err);
		return CTL_ERROR;
	}
	printf("copied store %s to %s: %lld rows, the audit chain verified before and after\n",
	       from, shown, (long long)rows);
	return CTL_OK;
}

static int store_migrate_cmd(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[2], "--from") == 0 && strcmp(argv[4], "--to") == 0)
		return store_copy_cmd(argv[3], argv[5]);
	const char *db;
	struct config *c = store_args(argc, argv, &db);
	if (c == NULL)
		return CTL_ERROR;
	char err[1024], shown[1024];
	int64_t from = 0;
	int rc = store_migrate(db, &from, err, sizeof err);
	conninfo_redact(db, shown, sizeof shown);
	if (rc != 0)
		fprintf(stderr, "grondslag store migrate: %s\n", err);
	else if (from > 0 && from < STORE_SCHEMA_VERSION)
		printf("migrated store %s from schema version %lld to %d\n", shown, (long long)from,
		       STORE_SCHEMA_VERSION);
	else
		printf("store %s is at schema version %d\n", shown, STORE_SCHEMA_VERSION);
	config_free(c);
	return rc == 0 ? CTL_OK : CTL_ERROR;
}

static int store_init_cmd(int argc, char **argv)
{
	const char *db;
	struct config *c = store_args(argc, argv, &db);
	if (c == NULL)
		return CTL_ERROR;
	char err[1024];
	char *details = init_details(db);
	int rc = details != NULL ? store_init(db, details, err, sizeof err) : -1;
	if (details == NULL)
		snprintf(err, sizeof err, "out of memory");
	free(details);
	if (rc != 0) {
		fprintf(stderr, "grondslag store init: %s\n", err);
		config_free(c);
		return CTL_ERROR;
	}
	rc = give_to_user(db, config_str(c, CONF_USER_ID));
	if (rc == 0) {
		char shown[1024];
		conninfo_redact(db, shown, sizeof shown);
		printf("created store %s (schema version %d)\n", shown, STORE_SCHEMA_VERSION);
	}
	config_free(c);
	return rc == 0 ? CTL_OK : CTL_ERROR;
}

int cmd_store(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return store_init_cmd(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "migrate") == 0)
		return store_migrate_cmd(argc, argv);
	fprintf(stderr, STORE_USAGE);
	return CTL_ERROR;
}
