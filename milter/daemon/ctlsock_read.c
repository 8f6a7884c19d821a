/*
 * ctlsock_read.c - the record read through the control socket, for
 * auditors, admins and jurists who have no access to the store file
 * (mode 0600, the daemon's): a report, the statistics, the audit chain
 * in pages and the checkpoint file in pieces.  Reads only: nothing here
 * changes a hold.
 *
 *   {"cmd":"report", "since":T, "until":T, "now":T, "format":F,
 *    "top":N, "repeat_sender":N, "repeat_party":N, "party":P,
 *    "basis":B, "sender":S, "pseudonymise":true|false, "compare":true|false,
 *    "lang":"en"|"nl" (default ReportLanguage)}
 *        -> "report": the document (report.h) as text; built by the
 *           daemon from the store with its current registry, without
 *           the audit chain's statement (the reader's to write): its
 *           place in "chain_at" (bytes), the language in "lang"
 *   {"cmd":"stats"} -> "stats": {holds, held_recipients, ...}
 *   {"cmd":"audit-records", "after":SEQ, "since":T}
 *        -> "records": [{seq, at, actor, uid (null: none), role, event,
 *           ref, details (the stored text), prev_hash, hash}], "more"
 *           (true: ask again with after = the last seq)
 *   {"cmd":"audit-checkpoints", "offset":O}
 *        -> "data" (the bytes of AuditCheckpointFile from O on, at most
 *           PIECE_MAX), "eof", or "missing":true when there is none
 *
 * The daemon hands over what it stores and vouches for nothing: the
 * caller recomputes the chain and checks the signatures in its own
 * process (grondslag audit verify), so a daemon that lied would be
 * caught as a modified database would.
 *
 * Recorded: a report and the statistics each as one "view" (what=report,
 * what=stats: a report names senders and parties); a read of the chain
 * once, at its first page (after 0), as what=audit, so that reading it
 * does not grow it by a record per page.  Every request has its log line
 * (ctlsock_log.c).
 *
 * Public functions (ctlsock_priv.h): ctlsock_report(), ctlsock_stats(),
 * ctlsock_audit_records(), ctlsock_audit_checkpoints().
 * Limits: a page of AUDIT_PAGE_MAX records or about PAGE_BYTES bytes;
 * PIECE_MAX bytes of the checkpoint file per answer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/report/report.h"
#include "grondslag/store/auditsig.h"

#define AUDIT_PAGE_MAX 2000
#define PAGE_BYTES (4u << 20)
#define PIECE_MAX (1u << 20)
/* 10000-01-01: times a report may name */
#define TIME_MAX 253402300800u

/* Record the read `what` (one "view"); false when it could not be
 * recorded (then nothing is shown). */
static bool record_read(struct ctlsock_req *r, const char *what)
{
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "what", what);
	char *details = audit_details_finish(d), err[256];
	struct store_audit a = {.actor = &r->actor, .event = "view", .ref = "",
				.details = details};
	int rc = details != NULL ? store_audit_put(r->env->store, &a, err, sizeof err) : -1;
	free(details);
	if (rc != 0)
		ctlsock_status(r, "error", "the read could not be recorded, so nothing is shown");
	return rc == 0;
}

/* An unsigned member of the request no larger than max: *out, or
 * unchanged when absent; false when it is there and not such a number. */
static bool arg_uint(const struct ctlsock_req *r, const char *key, uint64_t max, uint64_t *out)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);
	if (jsonr_type(v) == JSONR_NONE)
		return true;
	uint64_t n;
	if (!jsonr_u64(v, &n) || n > max)
		return false;
	*out = n;
	return true;
}

/* The report's options from the request; false + why. */
static bool report_args(struct ctlsock_req *r, struct report_options *o, enum report_format *f,
			char *why, size_t whylen)
{
	uint64_t since = 0, until = 0, now = (uint64_t)r->now, top = 10, rs = 3, rp = 3;
	bool ok = arg_uint(r, "since", TIME_MAX, &since) && arg_uint(r, "until", TIME_MAX, &until) &&
		  arg_uint(r, "now", TIME_MAX, &now) && arg_uint(r, "top", REPORT_TOP_MAX, &top) &&
		  arg_uint(r, "repeat_sender", 1000000, &rs) &&
		  arg_uint(r, "repeat_party", 1000000, &rp) && top > 0 && rs > 0 && rp > 0;
	bool bad = false;
	const char *fmt = ctlsock_arg(r, "format", &bad);
	*f = REPORT_TEXT;
	if (!ok || bad || (fmt != NULL && !report_format_parse(fmt, f)) || until <= since) {
		snprintf(why, whylen, "report: since < until (Unix times), format text|csv|json|html,"
				      " top and repeat counts from 1");
		return false;
	}
	*o = (struct report_options){.since = (time_t)since, .until = (time_t)until,
				     .now = (time_t)now, .top = (unsigned)top,
				     .repeat_sender = (unsigned)rs, .repeat_party = (unsigned)rp,
				     .registry = r->reg};
	o->party = ctlsock_arg(r, "party", &bad);
	o->basis = ctlsock_arg(r, "basis", &bad);
	o->sender = ctlsock_arg(r, "sender", &bad);
	const struct jsonr_value *ps = jsonr_get(r->root, "pseudonymise");
	o->pseudonymise = jsonr_type(ps) == JSONR_NONE || jsonr_bool(ps);
	const struct jsonr_value *cmp = jsonr_get(r->root, "compare");
	o->previous = jsonr_type(cmp) == JSONR_NONE || jsonr_bool(cmp);
	o->lang = ctlsock_arg(r, "lang", &bad);
	if (o->lang == NULL)
		o->lang = config_str(r->c, CONF_REPORT_LANGUAGE);
	o->hold_expiry_days = config_uint(r->c, CONF_HOLD_EXPIRY);
	o->expiry_warning_days = config_uint(r->c, CONF_EXPIRY_WARNING);
	if (bad || !report_lang_valid(o->lang)) {
		snprintf(why, whylen, "report: party, basis, sender and lang (en, nl) are strings");
		return false;
	}
	return true;
}

void ctlsock_report(struct ctlsock_req *r)
{
	struct report_options o;
	enum report_format f;
	char err[1024];
	if (!report_args(r, &o, &f, err, sizeof err)) {
		ctlsock_status(r, "bad-request", err);
		return;
	}
	struct report *rep = report_build(config_str(r->c, CONF_DATABASE), &o, err, sizeof err);
	if (rep == NULL) {
		ctlsock_status(r, "error", err);
		return;
	}
	char *doc = NULL;
	size_t len = 0;
	/* no statement of the chain: the reader states it, at the place the
	 * writer records */
	FILE *mem = report_set_chain(rep, NULL) == 0 ? open_memstream(&doc, &len) : NULL;
	int wrc = mem != NULL ? report_write(rep, f, mem) : -1;
	if (mem != NULL && fclose(mem) != 0)
		wrc = -1;
	long at = report_chain_place(rep);
	report_free(rep);
	if (wrc != 0 || at < 0) {
		ctlsock_status(r, "error", "the report could not be written (out of memory)");
	} else if (record_read(r, "report")) {
		ctlsock_status(r, "ok", NULL);
		json_key(r->j, "report");
		json_strn(r->j, doc, len);
		json_key(r->j, "chain_at");
		json_int(r->j, at);
		json_key(r->j, "lang");
		json_str(r->j, o.lang);
	}
	free(doc);
}

void ctlsock_stats(struct ctlsock_req *r)
{
	struct report_stats st;
	char err[1024];
	if (report_stats_read(config_str(r->c, CONF_DATABASE), &st, err, sizeof err) != 0) {
		ctlsock_status(r, "error", err);
		return;
	}
	if (!record_read(r, "stats"))
		return;
	ctlsock_status(r, "ok", NULL);
	struct json *j = r->j;
	json_key(j, "stats");
	json_obj_begin(j);
	const char *keys[] = {"holds", "held_recipients", "shares", "shares_simulated",
			      "public_addresses", "notices_queued", "notices_sent",
			      "notices_failed"};
	const uint64_t vals[] = {st.holds, st.held_recipients, st.shares, st.shares_simulated,
				 st.public_addresses, st.notices_queued, st.notices_sent,
				 st.notices_failed};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_key(j, keys[i]);
		json_uint(j, vals[i]);
	}
	for (size_t i = 0; i < 6; i++) {
		char key[64];
		snprintf(key, sizeof key, "holds_%s", report_hold_states[i]);
		json_key(j, key);
		json_uint(j, st.holds_by_state[i]);
	}
	json_key(j, "last_hold");
	json_int(j, st.last_hold);
	json_key(j, "last_share");
	json_int(j, st.last_share);
	json_obj_end(j);
}

/* One page of the chain being written. */
struct page {
	struct json *j;
	size_t n, bytes;
	bool more;
};

static int page_cb(void *arg, const struct audit_record *a)
{
	struct page *p = arg;
	if (p->n == AUDIT_PAGE_MAX || p->bytes > PAGE_BYTES) {
		p->more = true;
		return 1;
	}
	struct json *j = p->j;
	json_obj_begin(j);
	json_key(j, "seq");
	json_int(j, a->seq);
	json_key(j, "at");
	json_int(j, a->at);
	json_key(j, "actor");
	json_str(j, a->actor);
	json_key(j, "uid");
	if (a->uid < 0)
		json_null(j);
	else
		json_int(j, a->uid);
	const char *keys[] = {"role", "event", "ref", "details", "prev_hash", "hash"};
	const char *vals[] = {a->role, a->event, a->ref, a->details, a->prev_hash, a->hash};
	for (size_t i = 0; i < 6; i++) {
		json_key(j, keys[i]);
		json_str(j, vals[i]);
		p->bytes += strlen(vals[i]) + 16;
	}
	json_obj_end(j);
	p->bytes += strlen(a->actor) + 96;
	p->n++;
	return 0;
}

void ctlsock_audit_records(struct ctlsock_req *r)
{
	uint64_t after = 0, since = 0;
	if (!arg_uint(r, "after", INT64_MAX, &after) || !arg_uint(r, "since", INT64_MAX, &since)) {
		ctlsock_status(r, "bad-request", "audit-records: after and since are numbers");
		return;
	}
	if (after == 0 && !record_read(r, "audit"))
		return;
	/* the records go straight into the answer; the status follows them
	 * (a read that fails half-way answers "error", and a client reads
	 * records only from an "ok") */
	struct page p = {.j = r->j};
	json_key(r->j, "records");
	json_arr_begin(r->j);
	int rc = store_audit_scan_after(r->env->store, (int64_t)after, (int64_t)since, page_cb, &p);
	json_arr_end(r->j);
	if (rc != 0) {
		ctlsock_status(r, "error", "cannot read the audit records");
		return;
	}
	ctlsock_status(r, "ok", NULL);
	json_key(r->j, "more");
	json_bool(r->j, p.more);
}

void ctlsock_audit_checkpoints(struct ctlsock_req *r)
{
	uint64_t off = 0;
	if (!arg_uint(r, "offset", INT64_MAX, &off)) {
		ctlsock_status(r, "bad-request", "audit-checkpoints: offset is a number");
		return;
	}
	char path[4200];
	auditsig_file_path(config_str(r->c, CONF_AUDIT_CHECKPOINT_FILE),
			   config_str(r->c, CONF_DATABASE), path, sizeof path);
	FILE *f = fopen(path, "re");
	if (f == NULL && errno != ENOENT) {
		snprintf(r->why, sizeof r->why, "the checkpoint file: %s", strerror(errno));
		ctlsock_status(r, "error", r->why);
		return;
	}
	char *buf = f != NULL ? malloc(PIECE_MAX) : NULL;
	size_t n = 0;
	bool ok = f == NULL || (buf != NULL && fseeko(f, (off_t)off, SEEK_SET) == 0);
	if (ok && f != NULL) {
		n = fread(buf, 1, PIECE_MAX, f);
		ok = !ferror(f);
	}
	bool eof = f == NULL || (ok && n < PIECE_MAX);
	if (f != NULL)
		fclose(f);
	if (!ok) {
		ctlsock_status(r, "error", "the checkpoint file could not be read");
	} else {
		ctlsock_status(r, "ok", NULL);
		json_key(r->j, "missing");
		json_bool(r->j, f == NULL);
		json_key(r->j, "eof");
		json_bool(r->j, eof);
		json_key(r->j, "data");
		json_strn(r->j, buf != NULL ? buf : "", n);
	}
	free(buf);
}
