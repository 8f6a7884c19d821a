/*
 * cmd_audit.c - grondslag audit verify|export: the record, read directly
 * from the store, read-only (the daemon is the only writer).
 *
 *   audit verify [-c CONFIG] [--database FILE] [--json]
 *       recompute the chain; exit 0 intact, 2 broken or unreadable; the
 *       first broken record is named.
 *   audit export [-c CONFIG] [--database FILE] [--since YYYY-MM-DD]
 *                [--format jsonl|csv]
 *       every record (since the day, UTC) for the DPO: jsonl = the
 *       canonical record plus prev_hash and hash, one per line; csv =
 *       RFC 4180 with a header line.
 * Limits: dates are whole UTC days.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "grondslag/date.h"
#include "grondslag/json.h"
#include "grondslag/store.h"

/* Options shared by the two subcommands. */
struct audit_opts {
	const char *config, *database, *since, *format;
	bool json;
};

/* Parse the options after the subcommand; 0 or -1 (usage printed). */
static int parse_opts(int argc, char **argv, struct audit_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = "jsonl";
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (strcmp(a, "-c") == 0 && has_val)
			o->config = argv[++i];
		else if (strcmp(a, "--database") == 0 && has_val)
			o->database = argv[++i];
		else if (strcmp(a, "--since") == 0 && has_val)
			o->since = argv[++i];
		else if (strcmp(a, "--format") == 0 && has_val)
			o->format = argv[++i];
		else if (strcmp(a, "--json") == 0)
			o->json = true;
		else {
			fprintf(stderr, "grondslag audit: unknown or incomplete option \"%.64s\"\n", a);
			return -1;
		}
	}
	if (strcmp(o->format, "jsonl") != 0 && strcmp(o->format, "csv") != 0) {
		fprintf(stderr, "grondslag audit: --format must be jsonl or csv\n");
		return -1;
	}
	return 0;
}

/* Open the store named by the options, read-only; prints errors. */
static struct store *open_store(const struct audit_opts *o)
{
	char err[1024];
	const char *db = o->database;
	struct config *c = NULL;
	if (db == NULL) {
		c = ctl_config(o->config);
		if (c == NULL)
			return NULL;
		db = config_str(c, CONF_DATABASE);
	}
	struct store *s = store_open_readonly(db, err, sizeof err);
	if (s == NULL)
		fprintf(stderr, "grondslag: %s\n", err);
	config_free(c);
	return s;
}

/* audit verify */
static int audit_verify_cmd(const struct audit_opts *o)
{
	struct store *s = open_store(o);
	if (s == NULL)
		return CTL_ERROR;
	char err[512];
	struct store_audit_check c;
	int rc = store_audit_verify(s, &c, err, sizeof err);
	store_close(s);
	if (rc < 0) {
		fprintf(stderr, "grondslag: %s\n", err);
		return CTL_ERROR;
	}
	if (o->json) {
		struct json *j = json_new(stdout, false);
		json_obj_begin(j);
		json_key(j, "intact");
		json_bool(j, rc == 0);
		json_key(j, "records");
		json_int(j, c.records);
		json_key(j, "head");
		json_str(j, c.head);
		if (rc != 0) {
			json_key(j, "first_bad_seq");
			json_int(j, c.bad_seq);
			json_key(j, "why");
			json_str(j, c.why);
		}
		json_obj_end(j);
		json_free(j);
	} else if (rc == 0) {
		printf("audit chain intact: %" PRId64 " records, head %s\n", c.records, c.head);
	} else {
		printf("audit chain BROKEN at record %" PRId64 ": %s\n", c.bad_seq, c.why);
	}
	return rc == 0 ? CTL_OK : CTL_ERROR;
}

/* Write s as one CSV field (quoted when needed). */
static void csv_field(FILE *out, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
	fputc(last ? '\n' : ',', out);
}

/* scan callback of export: one record in the chosen format. */
static int export_cb(void *arg, const struct audit_record *r)
{
	const struct audit_opts *o = arg;
	if (strcmp(o->format, "jsonl") == 0) {
		char *canon = audit_canonical(r);
		if (canon == NULL)
			return 1;
		size_t n = strlen(canon);
		/* the canonical object, with the two hashes added at the end */
		printf("%.*s,\"hash\":\"%s\",\"prev_hash\":\"%s\"}\n", (int)(n - 1), canon, r->hash,
		       r->prev_hash);
		free(canon);
		return 0;
	}
	char num[32], when[32], uid[32];
	time_t t = (time_t)r->at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(num, sizeof num, "%" PRId64, r->seq);
	snprintf(uid, sizeof uid, "%" PRId64, r->uid);
	csv_field(stdout, num, false);
	csv_field(stdout, when, false);
	csv_field(stdout, r->actor, false);
	csv_field(stdout, r->uid < 0 ? "" : uid, false);
	csv_field(stdout, r->role, false);
	csv_field(stdout, r->event, false);
	csv_field(stdout, r->ref, false);
	csv_field(stdout, r->details, false);
	csv_field(stdout, r->prev_hash, false);
	csv_field(stdout, r->hash, true);
	return 0;
}

/* audit export */
static int audit_export_cmd(struct audit_opts *o)
{
	int64_t since = INT64_MIN;
	if (o->since != NULL) {
		int32_t day;
		if (!date_parse(o->since, &day)) {
			fprintf(stderr, "grondslag audit: --since: \"%.32s\" is not YYYY-MM-DD\n",
				o->since);
			return CTL_ERROR;
		}
		since = (int64_t)day * 86400;
	}
	struct store *s = open_store(o);
	if (s == NULL)
		return CTL_ERROR;
	if (strcmp(o->format, "csv") == 0)
		printf("seq,at,actor,uid,role,event,ref,details,prev_hash,hash\n");
	int rc = store_audit_scan(s, since, export_cb, o);
	store_close(s);
	if (rc != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "grondslag: audit export failed\n");
		return CTL_ERROR;
	}
	return CTL_OK;
}

int cmd_audit(int argc, char **argv)
{
	struct audit_opts o;
	if (argc < 2 || parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: grondslag audit verify [-c CONFIG] [--database FILE] [--json]\n"
				"       grondslag audit export [-c CONFIG] [--database FILE]"
				" [--since YYYY-MM-DD] [--format jsonl|csv]\n");
		return CTL_ERROR;
	}
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify_cmd(&o);
	if (strcmp(argv[1], "export") == 0)
		return audit_export_cmd(&o);
	fprintf(stderr, "grondslag audit: unknown subcommand \"%.32s\"\n", argv[1]);
	return CTL_ERROR;
}
