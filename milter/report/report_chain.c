/*
 * report_chain.c - the statement of the audit chain's integrity on a
 * report: what the reader (grondslag report) found when it recomputed the
 * chain and checked the signed checkpoints in its own process.  The
 * writers put it where it belongs (report_chain_here()): text after the
 * head, HTML at the end of the header, JSON as the last member
 * "audit_chain", CSV as rows of section "audit_chain" at the end.  A
 * report the daemon writes for the control socket carries no statement
 * (it would be the daemon's word about itself): its writer records the
 * place instead, and the reader writes its own statement there
 * (report_chain_write()), the same bytes the writer would have written.
 * A chain that is not verified is said first and loudly (NOT VERIFIED,
 * and a warning not to rely on the figures).
 *
 * Public functions: report_set_chain(), report_chain_place(),
 * report_chain_write().
 * Limits: the head is shown by its first HEAD_SHORT hex digits (the full
 * hash is in "grondslag audit verify").
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/csv.h"
#include "grondslag/base/json.h"
#include "report_priv.h"

#define HEAD_SHORT 12

/* The statement's lines, in one language. */
struct statement {
	char status[600];
	char records[32];
	char head[HEAD_SHORT + 1];
	char last[200];
	const char *warning;	/* NULL when verified */
	const char *sig;	/* JSON/CSV word for the last checkpoint's signature */
};

/* Why the chain is not verified, the first reason that holds. */
static void not_verified_why(const struct report_chain *c, bool nl, char *buf, size_t len)
{
#define T(s) report_tr_lang(nl, s)
	if (!c->read)
		snprintf(buf, len, "%s: %s: %.200s", T("NOT VERIFIED"),
			 T("the audit records could not be read"), c->why);
	else if (!c->chain_intact)
		snprintf(buf, len, "%s: %s %" PRId64 ": %.200s", T("NOT VERIFIED"),
			 T("the chain is BROKEN at record"), c->first_bad_seq, c->why);
	else if (c->bad_checkpoints > 0)
		snprintf(buf, len, "%s: %zu %s %zu %s", T("NOT VERIFIED"), c->bad_checkpoints, T("of"),
			 c->checkpoints, T("signed checkpoints do not hold"));
	else
		snprintf(buf, len, "%s: %s", T("NOT VERIFIED"),
			 T("the signed checkpoints are missing (deleted?)"));
}

/* Fill st from c in the language nl says. */
static void statement_make(const struct report_chain *c, bool nl, struct statement *st)
{
	memset(st, 0, sizeof *st);
	if (c->verified)
		snprintf(st->status, sizeof st->status, "%s",
			 T("verified by this reader (the chain recomputed here, not by the daemon)"));
	else
		not_verified_why(c, nl, st->status, sizeof st->status);
	st->warning = c->verified ? NULL
		: T("The record may have been altered: do not rely on the figures of this report"
		    " until the break is explained.");
	snprintf(st->records, sizeof st->records, "%" PRId64, c->records);
	snprintf(st->head, sizeof st->head, "%.*s", HEAD_SHORT, c->head[0] ? c->head : "-");
	static const char *const sig_words[] = {"verified", "bad", "not-checked"};
	static const char *const sig_text[] = {"signature verified", "signature NOT valid",
					       "signature not checked (no AuditSigningKey)"};
	if (c->has_last) {
		char at[32];
		report_time_text((time_t)c->last_at, at);
		snprintf(st->last, sizeof st->last, "%s (%s %" PRId64 "), %s", at, T("record"),
			 c->last_seq, T(sig_text[c->last_sig]));
		st->sig = sig_words[c->last_sig];
	} else {
		snprintf(st->last, sizeof st->last, "%s",
			 c->has_key ? T("NONE although AuditSigningKey is set")
				    : T("none (no AuditSigningKey: the newest records are not anchored)"));
		st->sig = "none";
	}
#undef T
}

/* A section of its own after the head, before the next heading (which
 * brings its blank line). */
static void write_text(const struct statement *st, FILE *out)
{
	fputs("\nAudit chain\n-----------\n", out);
	if (st->warning != NULL)
		fprintf(out, "  !!! %s\n", st->warning);
	fprintf(out, "  Status           %s\n  Records          %s\n  Head             %s\n"
		     "  Last checkpoint  %s\n",
		st->status, st->records, st->head, st->last);
}

/* A short block at the end of the header (a page a DPO reads whole):
 * one line of status and one of figures, each figure on its own source
 * line; a loud warning above them when not verified. */
static void write_html(const struct statement *st, bool nl, FILE *out)
{
#define T(s) report_tr_lang(nl, s)
	if (st->warning != NULL) {
		fputs("<p class=\"alarm\">", out);
		report_html_escape(st->warning, out);
		fputs("</p>\n", out);
	}
	fprintf(out, "<p class=\"meta chain%s\"><b>%s:</b> ", st->warning ? " bad" : "",
		T("Audit chain"));
	report_html_escape(st->status, out);
	fprintf(out, "<br>\n%s <b>%s</b> &middot;\n%s <b>%s</b> &middot;\n%s <b>", T("Records"),
		st->records, T("Head"), st->head, T("Last checkpoint"));
	report_html_escape(st->last, out);
	fputs("</b></p>\n", out);
#undef T
}

/* The member "audit_chain" (without its key), as one JSON object. */
static char *json_member(const struct report_chain *c, const struct statement *st, size_t *len)
{
	char *buf = NULL;
	FILE *mem = open_memstream(&buf, len);
	struct json *j = mem != NULL ? json_new(mem, true) : NULL;
	if (j == NULL) {
		if (mem != NULL)
			fclose(mem);
		free(buf);
		return NULL;
	}
	json_obj_begin(j);
	json_key(j, "verified");
	json_bool(j, c->verified);
	json_key(j, "statement");
	json_str(j, st->status);
	json_key(j, "read");
	json_bool(j, c->read);
	json_key(j, "chain_intact");
	json_bool(j, c->chain_intact);
	json_key(j, "records");
	json_int(j, c->records);
	json_key(j, "head");
	json_str(j, st->head);
	json_key(j, "first_bad_seq");
	json_int(j, c->chain_intact ? 0 : c->first_bad_seq);
	json_key(j, "checkpoints");
	json_uint(j, c->checkpoints);
	json_key(j, "bad_checkpoints");
	json_uint(j, c->bad_checkpoints);
	json_key(j, "checkpoints_missing");
	json_bool(j, c->checkpoints_missing);
	json_key(j, "last_checkpoint");
	if (c->has_last) {
		char at[32];
		report_time_text((time_t)c->last_at, at);
		json_obj_begin(j);
		json_key(j, "at");
		json_str(j, at);
		json_key(j, "seq");
		json_int(j, c->last_seq);
		json_key(j, "signature");
		json_str(j, st->sig);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_obj_end(j);
	int rc = json_free(j);
	if (fclose(mem) != 0 || rc != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The member ,"audit_chain":{...} after the last member of the report's
 * object (pretty, one level deep), before its closing brace. */
static int write_json(const struct report_chain *c, const struct statement *st, FILE *out)
{
	size_t mlen = 0;
	char *m = json_member(c, st, &mlen);
	if (m == NULL)
		return -1;
	while (mlen > 0 && m[mlen - 1] == '\n')
		mlen--;
	fputs(",\n  \"audit_chain\": ", out);
	for (size_t i = 0; i < mlen; i++) {	/* one level deeper than at the top */
		fputc(m[i], out);
		if (m[i] == '\n')
			fputs("  ", out);
	}
	free(m);
	return 0;
}

/* The CSV rows of section audit_chain (metric, value). */
static void write_csv(const struct report_chain *c, const struct statement *st, FILE *out)
{
	char n[4][32];
	snprintf(n[0], sizeof n[0], "%" PRId64, c->chain_intact ? 0 : c->first_bad_seq);
	snprintf(n[1], sizeof n[1], "%zu", c->checkpoints);
	snprintf(n[2], sizeof n[2], "%zu", c->bad_checkpoints);
	char at[32] = "";
	if (c->has_last)
		report_time_text((time_t)c->last_at, at);
	snprintf(n[3], sizeof n[3], "%" PRId64, c->has_last ? c->last_seq : 0);
	const char *rows[][2] = {
		{"verified", c->verified ? "yes" : "NO"}, {"statement", st->status},
		{"records", st->records},		  {"head", st->head},
		{"first_bad_seq", n[0]},		  {"checkpoints", n[1]},
		{"bad_checkpoints", n[2]},		  {"last_checkpoint_at", at},
		{"last_checkpoint_seq", n[3]},		  {"last_checkpoint_signature", st->sig},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		fputs("audit_chain,,,,,,,", out);
		csv_field(out, rows[i][0]);
		fputc(',', out);
		csv_field(out, rows[i][1]);
		fputc('\n', out);
	}
}

int report_chain_write(const struct report_chain *c, enum report_format f, bool nl, FILE *out)
{
	struct statement st;
	statement_make(c, nl && f == REPORT_HTML, &st);
	switch (f) {
	case REPORT_TEXT:
		write_text(&st, out);
		break;
	case REPORT_HTML:
		write_html(&st, nl, out);
		break;
	case REPORT_JSON:
		if (write_json(c, &st, out) != 0)
			return -1;
		break;
	case REPORT_CSV:
		write_csv(c, &st, out);
		break;
	}
	return ferror(out) ? -1 : 0;
}

void report_chain_here(const struct report *r, enum report_format f, FILE *out)
{
	if (r->place == NULL)
		return;
	if (r->place->has) {
		(void)report_chain_write(&r->place->c, f, r->nl, out);	/* ferror: the writer's */
		return;
	}
	r->place->at = fflush(out) == 0 ? ftell(out) : -1;
}

int report_set_chain(struct report *r, const struct report_chain *c)
{
	if (r->place == NULL && (r->place = calloc(1, sizeof *r->place)) == NULL)
		return -1;
	r->place->has = c != NULL;
	if (c != NULL)
		r->place->c = *c;
	r->place->at = -1;
	return 0;
}

long report_chain_place(const struct report *r)
{
	return r->place != NULL && !r->place->has ? r->place->at : -1;
}
