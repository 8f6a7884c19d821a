/*
 * chain_check.c - the audit chain verified in this process: recompute
 * every record's hash, then check every signed checkpoint (records
 * "checkpoint" in the chain and lines of AuditCheckpointFile, or of the
 * files given, one per relay of a shared store): signature
 * good by a trusted key, and record seq present with exactly the signed
 * hash.  The records come from the store file or, page by page, through
 * the daemon's control socket; either way the check runs here, so a
 * daemon that lied would be caught as a modified database would.
 *
 * Two passes over the chain (one read transaction each): the first
 * collects the checkpoints so their signatures are checked once each,
 * the second compares hashes, so memory grows with checkpoints, not
 * records.
 *
 * Public functions (chain_check.h): chain_check_open(),
 * chain_check_run(), chain_check_statement().
 * Limits: AUDIT_MAX_KEYS keys; AUDITSIG_CHECK_MAX checkpoints.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_check.h"
#include "grondslag/store/store.h"

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


bool chain_check_open(const struct audit_opts *o, const struct config *c, struct verify_env *env,
		      struct ctl_chain *ch)
{
	memset(env, 0, sizeof *env);
	const char *db = o->database ? o->database : config_str(c, CONF_DATABASE);
	env->file_named = o->ncheckpoints > 0;
	env->nfiles = env->file_named ? o->ncheckpoints : 1;
	for (size_t i = 0; i < env->nfiles; i++)
		auditsig_file_path(env->file_named ? o->checkpoints[i]
						   : config_str(c, CONF_AUDIT_CHECKPOINT_FILE),
				   db, env->file[i], sizeof env->file[i]);
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
	return ok;
}

/* Pass 1, per record: chain check (goes on past a break, to find every
 * checkpoint) and checkpoint records collected. */
static int verify_pass1_cb(void *arg, const struct audit_record *r)
{
	struct verify_pass *p = arg;
	audit_verify_row(p->chain, r);
	p->rows++;
	snprintf(p->last_hash, sizeof p->last_hash, "%s", r->hash);
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

/* Open checkpoint file k: the stream, or NULL with *absent set (no such
 * file) or an error printed. */
static FILE *open_file(const struct verify_env *env, const struct ctl_chain *ch, size_t k,
		       bool *absent)
{
	bool missing = false;
	*absent = false;
	FILE *f = env->file_via_socket ? ctl_checkpoints_socket(ch->socket, &missing)
				       : fopen(env->file[k], "re");
	if (f != NULL && missing) {
		fclose(f);
		*absent = true;
		return NULL;
	}
	if (f == NULL && !env->file_via_socket) {
		if (errno == ENOENT)
			*absent = true;
		else
			fprintf(stderr, "grondslag: %s: %s\n", env->file[k], strerror(errno));
	}
	return f;
}

/* Add the checkpoints of the files, their lines numbered on from file to
 * file.  0 read, 1 a file does not exist, -1 error (printed). */
static int verify_read_files(const struct verify_env *env, const struct ctl_chain *ch,
			     struct verify_pass *p)
{
	static char buf[AUDITSIG_LINE_MAX + 2];
	int rc = 0;
	int64_t line = 0;
	for (size_t k = 0; k < env->nfiles && !p->overflow; k++) {
		FILE *f = open_file(env, ch, k, &p->file_absent[k]);
		if (f == NULL) {
			if (!p->file_absent[k])
				return -1;
			rc = 1;
			continue;
		}
		size_t len;
		bool too_long;
		int64_t first = line;
		while (!p->overflow && read_line(f, buf, sizeof buf, &len, &too_long) == 0) {
			struct auditsig_checkpoint cp;
			char why[160] = "line too long";
			bool ok = !too_long && auditsig_parse_line(buf, len, &cp, why, sizeof why) == 0;
			if (auditsig_check_add(p->cps, ok ? &cp : NULL, AUDITSIG_IN_FILE, ++line,
					       why) != 0)
				p->overflow = true;
			p->in_file++;
		}
		p->file_lines[k] = line - first;
		bool bad = ferror(f);
		fclose(f);
		if (bad) {
			fprintf(stderr, "grondslag: %s: read error\n", env->file[k]);
			return -1;
		}
	}
	return rc;
}

int chain_check_file_of(const struct verify_env *env, const struct verify_pass *p,
			int64_t file_line, int64_t *line)
{
	int64_t first = 0;
	for (size_t k = 0; k < env->nfiles && file_line > 0; k++) {
		if (file_line <= first + p->file_lines[k]) {
			*line = file_line - first;
			return (int)k;
		}
		first += p->file_lines[k];
	}
	return -1;
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


int chain_check_run(const struct ctl_chain *ch, const struct verify_env *env,
		      struct verify_pass *p, struct verify_result *v)
{
	if (ctl_chain_scan(ch, INT64_MIN, verify_pass1_cb, p) != 0) {
		fprintf(stderr, "grondslag: cannot read the audit records\n");
		return -1;
	}
	int frc = p->overflow ? 0 : verify_read_files(env, ch, p);
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

/* The newest checkpoint (by the record it anchors) into out. */
static void last_checkpoint(struct auditsig_check *cps, size_t n, struct report_chain *out)
{
	for (size_t i = n; i-- > 0;) {
		struct auditsig_checkpoint cp;
		const struct auditsig_entry *e = auditsig_check_entry(cps, i, &cp);
		if (e == NULL || e->outcome == AUDITSIG_MALFORMED)
			continue;
		out->has_last = true;
		out->last_at = cp.at;
		out->last_seq = e->seq;
		/* a key expired since: signing refuses one, so it was good then */
		out->last_sig = e->sig == REGSIG_OK || e->sig == REGSIG_EXPIRED ? REPORT_SIG_VERIFIED
			: e->sig == REGSIG_SKIPPED ? REPORT_SIG_UNCHECKED
			: REPORT_SIG_BAD;
		return;
	}
}

void chain_check_statement(const struct config *c, const char *database, const char *socket,
			   struct report_chain *out)
{
	memset(out, 0, sizeof *out);
	struct audit_opts o = {.database = database, .socket = socket};
	struct verify_env env;
	memset(&env, 0, sizeof env);
	struct ctl_chain ch = {0};
	struct verify_pass p = {.chain = audit_verify_new(), .cps = auditsig_check_new()};
	struct verify_result v;
	memset(&v, 0, sizeof v);
	int rc = -1;
	if (p.chain != NULL && p.cps != NULL && chain_check_open(&o, c, &env, &ch))
		rc = chain_check_run(&ch, &env, &p, &v);
	ctl_chain_close(&ch);
	out->has_key = env.nkeys > 0;
	if (rc != 0) {
		snprintf(out->why, sizeof out->why, "%s",
			 ctl_read_via(c, database, socket) != NULL ? "through the control socket"
								   : "from the store");
	} else {
		out->read = true;
		out->verified = v.ok;
		out->chain_intact = v.chain_ok;
		/* all the records and the newest, also past a break */
		out->records = p.rows;
		snprintf(out->head, sizeof out->head, "%s", p.last_hash);
		out->first_bad_seq = v.bad_seq;
		snprintf(out->why, sizeof out->why, "%s", v.why);
		out->checkpoints = v.found;
		out->bad_checkpoints = v.bad;
		out->checkpoints_missing = v.file_missing || v.none_with_key;
		last_checkpoint(p.cps, v.found, out);
	}
	audit_verify_free(p.chain);
	auditsig_check_free(p.cps);
}
