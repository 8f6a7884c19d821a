/*
 * cmd_audit.c - grondslag audit verify|export: the record, read directly
 * from the store, read-only (the daemon is the only writer).
 *
 *   audit verify [-c CONFIG] [--database FILE] [--checkpoints FILE]...
 *                [--key FPR]... [--gnupg-home DIR] [--json]
 *       recompute the chain, then check every signed checkpoint (records
 *       "checkpoint" in the chain and lines of AuditCheckpointFile, or of
 *       each --checkpoints file: one per relay of a shared store):
 *       signature good by a trusted key (--key, repeatable, and the
 *       configured AuditSigningKey; public keys in --gnupg-home or
 *       GnuPGHome), and record seq present with exactly the signed
 *       hash.  Exit 0 when all holds, 2 when anything is broken or
 *       unreadable; the first broken record and every bad checkpoint are
 *       named, and the records after the last good checkpoint counted.
 *   audit verify --against FILE [-c CONFIG] [--database FILE] [--key FPR]...
 *       the chain against the checkpoints that left the host (the mails
 *       of AuditAnchorMail, the lines of AuditAnchorSyslog): every one
 *       found in FILE must name a record with exactly its hash
 *       (audit_against.c).  Exit 0 when all do, 2 otherwise.
 *   audit export [-c CONFIG] [--database FILE] [--since YYYY-MM-DD]
 *                [--format jsonl|csv]
 *       every record (since the day, UTC) for the DPO: jsonl = the
 *       canonical record plus prev_hash and hash, one per line (exact);
 *       csv = for people: named columns, names instead of codes, no JSON
 *       in a cell (audit_csv.c).
 * The check itself (two passes over the chain, memory growing with
 * checkpoints, not records) is chain_check.c, shared with the report's
 * statement of the chain.
 * Limits: dates are whole UTC days; AUDIT_MAX_KEYS --key options,
 * AUDIT_MAX_FILES --checkpoints files;
 * AUDITSIG_CHECK_MAX checkpoints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_against.h"
#include "chain_check.h"
#include "ctl.h"
#include "grondslag/store/auditsig.h"
#include "grondslag/base/csv.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/store/store.h"


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
		else if (strcmp(a, "--socket") == 0 && has_val)
			o->socket = argv[++i];
		else if (strcmp(a, "--since") == 0 && has_val)
			o->since = argv[++i];
		else if (strcmp(a, "--format") == 0 && has_val)
			o->format = argv[++i];
		else if (strcmp(a, "--checkpoints") == 0 && has_val) {
			if (o->ncheckpoints == AUDIT_MAX_FILES) {
				fprintf(stderr, "grondslag audit: at most %d --checkpoints files\n",
					AUDIT_MAX_FILES);
				return -1;
			}
			o->checkpoints[o->ncheckpoints++] = argv[++i];
		}
		else if (strcmp(a, "--against") == 0 && has_val)
			o->against = argv[++i];
		else if (strcmp(a, "--gnupg-home") == 0 && has_val)
			o->gnupg_home = argv[++i];
		else if (strcmp(a, "--key") == 0 && has_val && o->nkeys < AUDIT_MAX_KEYS)
			o->keys[o->nkeys++] = argv[++i];
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

/* Open the chain named by the options (the store file, or the daemon's
 * socket: ctl_read_via()); prints errors.  false on failure. */
static bool open_chain(const struct audit_opts *o, struct ctl_chain *ch)
{
	struct config *c = ctl_config(o->config);
	bool ok = c != NULL && ctl_chain_open(ch, c, o->database, o->socket);
	config_free(c);
	return ok;
}

/* Where a checkpoint was found, for the operator. */
static void where_text(const struct auditsig_entry *e, const struct verify_env *env,
		       const struct verify_pass *p, char *buf, size_t len)
{
	char a[48] = "", b[4300] = "";
	int64_t line;
	int k = chain_check_file_of(env, p, e->file_line, &line);
	if (e->chain_seq)
		snprintf(a, sizeof a, "checkpoint record %" PRId64, e->chain_seq);
	if (k >= 0)
		snprintf(b, sizeof b, "%s line %" PRId64, env->file[k], line);
	snprintf(buf, len, "%s%s%s", a, *a && *b ? ", " : "", b);
}

/* Print the result as text: chain, each bad checkpoint, the summary. */
static void verify_print_text(const struct verify_pass *p, const struct verify_env *env,
			      const struct verify_result *v)
{
	if (v->chain_ok)
		printf("audit chain intact: %" PRId64 " records, head %s\n", v->records, v->head);
	else
		printf("audit chain BROKEN at record %" PRId64 ": %s\n", v->bad_seq, v->why);
	for (size_t i = 0; i < v->found; i++) {
		const struct auditsig_entry *e = auditsig_check_entry(p->cps, i, NULL);
		char where[4400];
		if (e->outcome == AUDITSIG_GOOD)
			continue;
		where_text(e, env, p, where, sizeof where);
		printf("checkpoint BAD (%s): %s\n", where, e->why);
	}
	for (size_t k = 0; v->file_missing && k < env->nfiles; k++)
		if (p->file_absent[k])
			printf("checkpoint file %s is missing (deleted?)\n", env->file[k]);
	if (v->found == 0) {
		if (v->none_with_key)
			printf("checkpoints: NONE although a key is given: deleted with the newest "
			       "records and the file emptied? (or the daemon never ran with "
			       "AuditSigningKey)\n");
		else
			printf("checkpoints: none%s; the newest records are not anchored\n",
			       env->nkeys == 0 ? " (no AuditSigningKey)" : " (no records yet)");
		return;
	}
	printf("checkpoints: %zu good of %zu (%" PRId64 " in the chain", v->found - v->bad, v->found,
	       p->in_chain);
	for (size_t k = 0; k < env->nfiles; k++)
		printf(", %" PRId64 " in %s", p->file_lines[k], env->file[k]);
	printf(")");
	if (v->anchored > 0)
		printf("; the last good one anchors record %" PRId64 "\n%" PRId64
		       " records after it are not yet anchored\n", v->anchored, v->after);
	else
		printf("; none anchors the chain\n");
	if (v->expired > 0)
		printf("note: %zu checkpoints are signed by a key that has expired since\n", v->expired);
}

/* Print the result as one JSON object. */
static void verify_print_json(const struct verify_pass *p, const struct verify_env *env,
			      const struct verify_result *v)
{
	struct json *j = json_new(stdout, false);
	json_obj_begin(j);
	json_key(j, "intact");
	json_bool(j, v->ok);
	json_key(j, "chain_intact");
	json_bool(j, v->chain_ok);
	json_key(j, "records");
	json_int(j, v->records);
	json_key(j, "head");
	json_str(j, v->head);
	if (!v->chain_ok) {
		json_key(j, "first_bad_seq");
		json_int(j, v->bad_seq);
		json_key(j, "why");
		json_str(j, v->why);
	}
	json_key(j, "checkpoints");
	json_obj_begin(j);
	json_key(j, "file");
	json_str(j, env->file[0]);
	json_key(j, "files");
	json_arr_begin(j);
	for (size_t k = 0; k < env->nfiles; k++) {
		json_obj_begin(j);
		json_key(j, "file");
		json_str(j, env->file[k]);
		/* a fact; whether its absence is a problem is file_missing */
		json_key(j, "exists");
		json_bool(j, !p->file_absent[k]);
		json_key(j, "in_file");
		json_int(j, p->file_lines[k]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "file_missing");
	json_bool(j, v->file_missing);
	json_key(j, "found");
	json_uint(j, v->found);
	json_key(j, "none_with_key");
	json_bool(j, v->none_with_key);
	json_key(j, "in_chain");
	json_int(j, p->in_chain);
	json_key(j, "in_file");
	json_int(j, p->in_file);
	json_key(j, "bad");
	json_uint(j, v->bad);
	json_key(j, "anchored_seq");
	json_int(j, v->anchored);
	json_key(j, "unanchored");
	json_int(j, v->after);
	json_key(j, "problems");
	json_arr_begin(j);
	for (size_t i = 0; i < v->found; i++) {
		const struct auditsig_entry *e = auditsig_check_entry(p->cps, i, NULL);
		if (e->outcome == AUDITSIG_GOOD)
			continue;
		json_obj_begin(j);
		json_key(j, "seq");
		json_int(j, e->seq);
		json_key(j, "chain_record");
		json_int(j, e->chain_seq);
		int64_t line = 0;
		int k = chain_check_file_of(env, p, e->file_line, &line);
		json_key(j, "file");
		if (k >= 0)
			json_str(j, env->file[k]);
		else
			json_null(j);
		json_key(j, "file_line");
		json_int(j, line);
		json_key(j, "why");
		json_str(j, e->why);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_obj_end(j);
	json_free(j);
	fputc('\n', stdout);
}

/* audit verify: the chain, then its checkpoints (chain and file). */
static int audit_verify_cmd(const struct audit_opts *o)
{
	struct verify_env env;
	struct ctl_chain ch = {0};
	struct config *c = ctl_config(o->config);
	bool opened = c != NULL && chain_check_open(o, c, &env, &ch);
	config_free(c);
	if (!opened) {
		ctl_chain_close(&ch);
		return CTL_ERROR;
	}
	if (o->against != NULL) {
		struct against_keys k = {.home = env.home, .keys = env.keys, .nkeys = env.nkeys};
		int arc = audit_verify_against(&ch, o->against, &k, o->json);
		ctl_chain_close(&ch);
		return arc == 0 ? CTL_OK : CTL_ERROR;
	}
	struct verify_pass p = {.chain = audit_verify_new(), .cps = auditsig_check_new()};
	struct verify_result v;
	memset(&v, 0, sizeof v);
	int rc = p.chain && p.cps ? chain_check_run(&ch, &env, &p, &v) : -1;
	ctl_chain_close(&ch);
	if (rc == 0 && o->json)
		verify_print_json(&p, &env, &v);
	else if (rc == 0)
		verify_print_text(&p, &env, &v);
	audit_verify_free(p.chain);
	auditsig_check_free(p.cps);
	return rc == 0 && v.ok ? CTL_OK : CTL_ERROR;
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
	return audit_csv_row(r, stdout);
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
	struct ctl_chain ch;
	if (!open_chain(o, &ch)) {
		ctl_chain_close(&ch);
		return CTL_ERROR;
	}
	if (strcmp(o->format, "csv") == 0)
		audit_csv_header(stdout);
	int rc = ctl_chain_scan(&ch, since, export_cb, o);
	ctl_chain_close(&ch);
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
		fprintf(stderr, "usage: grondslag audit verify [-c CONFIG] [--database FILE]"
				" [--checkpoints FILE... | --against FILE] [--key FPR]... [--gnupg-home DIR]"
				" [--json]\n"
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
