/*
 * cmd_audit.c - grondslag audit verify|export: the record, read directly
 * from the store, read-only (the daemon is the only writer).
 *
 *   audit verify [-c CONFIG] [--database FILE] [--checkpoints FILE]
 *                [--key FPR]... [--gnupg-home DIR] [--json]
 *       recompute the chain, then check every signed checkpoint (records
 *       "checkpoint" in the chain and lines of AuditCheckpointFile):
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
 * Two passes over the chain (one read transaction each): the first
 * collects the checkpoints so their signatures are checked once each,
 * the second compares hashes, so memory grows with checkpoints, not
 * records.
 * Limits: dates are whole UTC days; AUDIT_MAX_KEYS --key options;
 * AUDITSIG_CHECK_MAX checkpoints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_against.h"
#include "ctl.h"
#include "grondslag/store/auditsig.h"
#include "grondslag/base/csv.h"
#include "grondslag/base/date.h"
#include "grondslag/base/json.h"
#include "grondslag/store/store.h"

#define AUDIT_MAX_KEYS 8

/* Options shared by the two subcommands. */
struct audit_opts {
	const char *config, *database, *since, *format, *checkpoints, *gnupg_home, *against;
	const char *socket;
	const char *keys[AUDIT_MAX_KEYS];
	size_t nkeys;
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
		else if (strcmp(a, "--socket") == 0 && has_val)
			o->socket = argv[++i];
		else if (strcmp(a, "--since") == 0 && has_val)
			o->since = argv[++i];
		else if (strcmp(a, "--format") == 0 && has_val)
			o->format = argv[++i];
		else if (strcmp(a, "--checkpoints") == 0 && has_val)
			o->checkpoints = argv[++i];
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

/* What verify checks the checkpoints against, from options and config. */
struct verify_env {
	char file[4200];		/* the checkpoint file */
	bool file_named;		/* --checkpoints: it must exist */
	bool file_via_socket;		/* the daemon's file, through the socket */
	char home[4200];		/* GnuPG home with the public key(s) */
	const char *keys[AUDIT_MAX_KEYS + 1];
	size_t nkeys;
	/* the keys as gpg reports signers: 40 upper-case hex, no blanks */
	char key_buf[AUDIT_MAX_KEYS + 1][REGSIG_FPR_LEN + 1];
};

/* Add fingerprint fpr (as written by a person: blanks, lower case) to
 * env's trusted keys; false (and says why) when it is not one. */
static bool add_key(struct verify_env *env, const char *fpr, const char *from)
{
	if (!regsig_fpr_normalize(fpr, env->key_buf[env->nkeys])) {
		fprintf(stderr, "grondslag audit: %s \"%.64s\" is not a fingerprint (40 hex digits)\n",
			from, fpr);
		return false;
	}
	env->keys[env->nkeys] = env->key_buf[env->nkeys];
	env->nkeys++;
	return true;
}

/* The first pass: the chain itself, and the checkpoints recorded in it. */
struct verify_pass {
	struct audit_verify *chain;
	struct auditsig_check *cps;
	int64_t in_chain, in_file;
	bool overflow;
};

/* Open the chain and fill env; prints errors.  false on failure. */
static bool verify_open(const struct audit_opts *o, struct verify_env *env, struct ctl_chain *ch)
{
	memset(env, 0, sizeof *env);
	struct config *c = ctl_config(o->config);
	if (c == NULL)
		return false;
	const char *db = o->database ? o->database : config_str(c, CONF_DATABASE);
	env->file_named = o->checkpoints != NULL;
	auditsig_file_path(o->checkpoints ? o->checkpoints : config_str(c, CONF_AUDIT_CHECKPOINT_FILE),
			   db, env->file, sizeof env->file);
	snprintf(env->home, sizeof env->home, "%s",
		 o->gnupg_home ? o->gnupg_home : config_str(c, CONF_GNUPG_HOME));
	bool ok = true;
	for (size_t i = 0; i < o->nkeys; i++)
		ok &= add_key(env, o->keys[i], "--key");
	if (*config_str(c, CONF_AUDIT_SIGNING_KEY))
		ok &= add_key(env, config_str(c, CONF_AUDIT_SIGNING_KEY), "AuditSigningKey");
	ok = ok && ctl_chain_open(ch, c, o->database, o->socket);
	/* the daemon's own checkpoint file comes through the socket too */
	env->file_via_socket = ok && ch->socket != NULL && !env->file_named;
	config_free(c);
	return ok;
}

/* Pass 1, per record: chain check (goes on past a break, to find every
 * checkpoint) and checkpoint records collected. */
static int verify_pass1_cb(void *arg, const struct audit_record *r)
{
	struct verify_pass *p = arg;
	audit_verify_row(p->chain, r);
	if (strcmp(r->event, AUDITSIG_EVENT) != 0)
		return 0;
	struct auditsig_checkpoint cp;
	char why[160];
	bool ok = auditsig_parse_details(r->details, &cp, why, sizeof why) == 0;
	if (auditsig_check_add(p->cps, ok ? &cp : NULL, AUDITSIG_IN_CHAIN, r->seq, why) != 0) {
		p->overflow = true;
		return 1;
	}
	p->in_chain++;
	return 0;
}

/* Read one line of at most AUDITSIG_LINE_MAX bytes into buf (cap must be
 * larger); longer lines are consumed and flagged.  -1 at the end. */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len, bool *too_long)
{
	int ch;
	*len = 0;
	*too_long = false;
	while ((ch = getc(f)) != EOF) {
		if (ch == '\n')
			return 0;
		if (*len + 1 < cap)
			buf[(*len)++] = (char)ch;
		else
			*too_long = true;
	}
	return *len > 0 || *too_long ? 0 : -1;
}

/* Add the checkpoints of the file.  0 read, 1 no such file, -1 error
 * (printed). */
static int verify_read_file(const struct verify_env *env, const struct ctl_chain *ch,
			    struct verify_pass *p)
{
	bool missing = false;
	FILE *f = env->file_via_socket ? ctl_checkpoints_socket(ch->socket, &missing)
				       : fopen(env->file, "re");
	if (f != NULL && missing) {
		fclose(f);
		return 1;
	}
	if (f == NULL) {
		if (env->file_via_socket)
			return -1;
		if (errno == ENOENT)
			return 1;
		fprintf(stderr, "grondslag: %s: %s\n", env->file, strerror(errno));
		return -1;
	}
	static char buf[AUDITSIG_LINE_MAX + 2];
	size_t len;
	bool too_long;
	int64_t line = 0;
	while (!p->overflow && read_line(f, buf, sizeof buf, &len, &too_long) == 0) {
		struct auditsig_checkpoint cp;
		char why[160] = "line too long";
		bool ok = !too_long && auditsig_parse_line(buf, len, &cp, why, sizeof why) == 0;
		if (auditsig_check_add(p->cps, ok ? &cp : NULL, AUDITSIG_IN_FILE, ++line, why) != 0)
			p->overflow = true;
		p->in_file++;
	}
	int rc = ferror(f) ? -1 : 0;
	if (rc != 0)
		fprintf(stderr, "grondslag: %s: read error\n", env->file);
	fclose(f);
	return rc;
}

/* Verify the signature of every (merged) checkpoint. */
static void verify_signatures(struct auditsig_check *c, const struct verify_env *env)
{
	size_t n = auditsig_check_count(c);
	for (size_t i = 0; i < n; i++) {
		struct auditsig_checkpoint cp;
		const struct auditsig_entry *e = auditsig_check_entry(c, i, &cp);
		if (e->outcome == AUDITSIG_MALFORMED)
			continue;
		char err[256] = "";
		enum regsig_status st = env->nkeys == 0 ? REGSIG_SKIPPED
			: auditsig_verify(&cp, env->home, env->keys, env->nkeys, err, sizeof err);
		auditsig_check_set_sig(c, i, st, err);
	}
}

/* Pass 2, per record: compare with the checkpoints. */
static int verify_pass2_cb(void *arg, const struct audit_record *r)
{
	auditsig_check_row(arg, r);
	return 0;
}

/* Where a checkpoint was found, for the operator. */
static void where_text(const struct auditsig_entry *e, const char *file, char *buf, size_t len)
{
	char a[48] = "", b[4300] = "";
	if (e->chain_seq)
		snprintf(a, sizeof a, "checkpoint record %" PRId64, e->chain_seq);
	if (e->file_line)
		snprintf(b, sizeof b, "%s line %" PRId64, file, e->file_line);
	snprintf(buf, len, "%s%s%s", a, *a && *b ? ", " : "", b);
}

/* The outcome of audit verify, for the two output forms. */
struct verify_result {
	bool chain_ok, file_missing, ok;
	bool none_with_key;	/* a key is given, records exist, no checkpoint */
	int64_t records, bad_seq, anchored, after;
	char why[200], head[AUDIT_HASH_HEX];
	size_t found, bad, expired;
};

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
		where_text(e, env->file, where, sizeof where);
		printf("checkpoint BAD (%s): %s\n", where, e->why);
	}
	if (v->file_missing)
		printf("checkpoint file %s is missing (deleted?)\n", env->file);
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
	printf("checkpoints: %zu good of %zu (%" PRId64 " in the chain, %" PRId64 " in %s)",
	       v->found - v->bad, v->found, p->in_chain, p->in_file, env->file);
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
	json_str(j, env->file);
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
		json_key(j, "file_line");
		json_int(j, e->file_line);
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

/* The two passes over the chain around the file and the signatures.
 * 0, or -1 (printed). */
static int verify_run(const struct ctl_chain *ch, const struct verify_env *env,
		      struct verify_pass *p, struct verify_result *v)
{
	if (ctl_chain_scan(ch, INT64_MIN, verify_pass1_cb, p) != 0) {
		fprintf(stderr, "grondslag: cannot read the audit records\n");
		return -1;
	}
	int frc = p->overflow ? 0 : verify_read_file(env, ch, p);
	if (frc < 0)
		return -1;
	if (p->overflow) {
		fprintf(stderr, "grondslag: more than %u checkpoints\n", AUDITSIG_CHECK_MAX);
		return -1;
	}
	/* with a key, the daemon creates the file at start: gone = deleted */
	v->file_missing = frc == 1 && (env->file_named || env->nkeys > 0);
	verify_signatures(p->cps, env);
	if (ctl_chain_scan(ch, INT64_MIN, verify_pass2_cb, p->cps) != 0) {
		fprintf(stderr, "grondslag: cannot read the audit records\n");
		return -1;
	}
	const char *why, *head;
	v->chain_ok = audit_verify_result(p->chain, &v->records, &v->bad_seq, &why, &head);
	snprintf(v->why, sizeof v->why, "%s", why);
	snprintf(v->head, sizeof v->head, "%s", head);
	v->found = auditsig_check_count(p->cps);
	v->bad = auditsig_check_finish(p->cps, &v->anchored, &v->after);
	for (size_t i = 0; i < v->found; i++) {
		const struct auditsig_entry *e = auditsig_check_entry(p->cps, i, NULL);
		v->expired += e->outcome == AUDITSIG_GOOD && e->sig == REGSIG_EXPIRED;
	}
	/* the daemon writes one at its first start with the key: with records
	 * and a key, none at all means they were removed (file emptied too) */
	v->none_with_key = env->nkeys > 0 && v->records > 0 && v->found == 0;
	v->ok = v->chain_ok && v->bad == 0 && !v->file_missing && !v->none_with_key;
	return 0;
}

/* audit verify: the chain, then its checkpoints (chain and file). */
static int audit_verify_cmd(const struct audit_opts *o)
{
	struct verify_env env;
	struct ctl_chain ch;
	if (!verify_open(o, &env, &ch)) {
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
	int rc = p.chain && p.cps ? verify_run(&ch, &env, &p, &v) : -1;
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
				" [--checkpoints FILE | --against FILE] [--key FPR]... [--gnupg-home DIR]"
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
