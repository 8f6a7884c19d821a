/*
 * page_bulk.c - one decision over every hold of a party (and optionally
 * a reason code) from the console, in two steps like a single one.
 * POST /bulk asks the daemon for the dry run of the bulk decision and
 * shows exactly what it would change: each hold, each recipient of it
 * that is still held and matches (with its party), and what happens next
 * to the hold (released now, waiting for a second jurist, or denied with
 * the sender told the justification).  The page carries the daemon's
 * plan digest to POST /bulk/confirm, which sends the decision with that
 * digest: when the matching recipients changed since the preview the
 * daemon refuses and nothing is decided; without a digest the daemon
 * refuses a bulk decision made on a person's behalf.  The daemon checks
 * the role, the four eyes and each basis both times.
 *
 * Public function: web_page_bulk().
 * Limits: the daemon's (a bulk decision covers at most STORE_LIST_MAX
 * holds; the page says so when more matched).
 */
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "page_priv.h"

/* What the form asks. */
struct bulk_ask {
	const char *party, *code, *action, *reason, *basis, *plan;
	bool approve;
};

/* Read and check the form; NULL, or why it cannot be asked. */
static const char *bulk_ask_of(const struct web_form *f, struct bulk_ask *k)
{
	k->party = web_form_get(f, "party");
	k->code = web_form_get(f, "code");
	k->action = web_form_get(f, "action");
	k->reason = web_form_get(f, "reason");
	k->basis = web_form_get(f, "basis");
	k->plan = web_form_get(f, "plan");
	if (k->party == NULL || *k->party == '\0')
		return "a bulk decision is over the holds of one party: filter the queue by it";
	if (k->action == NULL || (strcmp(k->action, "approve") != 0 && strcmp(k->action, "deny") != 0))
		return "choose approve or deny";
	k->approve = strcmp(k->action, "approve") == 0;
	if (k->reason == NULL || k->reason[strspn(k->reason, " \t\r\n")] == '\0')
		return "a justification is required";
	if (k->approve && (k->basis == NULL || *k->basis == '\0'))
		return "choose the legal basis of the approval";
	return NULL;
}

/* A hidden field (the value escaped). */
static void bulk_hidden(struct web_buf *b, const char *name, const char *value)
{
	web_buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	web_buf_html(b, value);
	web_buf_add(b, "\">");
}

/* What happens next to the hold of result it. */
static void bulk_next(struct web_buf *b, const struct bulk_ask *k, const struct jsonr_value *it,
		      bool done)
{
	const char *st = web_jstr(it, "status");
	if (st == NULL || strcmp(st, "ok") != 0) {
		web_buf_add(b, "<strong class=\"refused\">");
		web_buf_html(b, web_tr(done ? "not decided:" : "will not be decided:"));
		web_buf_add(b, "</strong> ");
		web_buf_html(b, web_jstr(it, "error"));
	} else if (!k->approve) {
		web_buf_html(b, web_tr(done ? "denied; the sender is told your justification"
					    : "denied; the sender will be told your justification"));
	} else if (web_jint(it, "approved_now") > 0) {
		web_buf_html(b, web_tr(done ? "released now (being delivered)"
					    : "released now (delivered at once)"));
	} else {
		web_buf_html(b, web_tr("waiting for a second jurist"));
	}
}

/* The table of the holds and recipients the decision changes. */
static void bulk_table(struct web_buf *b, const struct bulk_ask *k, const struct jsonr_value *res,
		       bool done)
{
	web_buf_add(b, "<table id=\"bulk\"><thead><tr>");
	static const char *const head[] = {"Reference", "Sender", "Recipient", "Party",
					   "What happens next"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		web_th(b, head[i]);
	web_buf_add(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < jsonr_count(res); i++) {
		const struct jsonr_value *it = jsonr_at(res, i);
		const struct jsonr_value *rc = jsonr_get(it, "recipients");
		const char *ref = web_jstr(it, "ref");
		for (size_t r = 0; r < jsonr_count(rc); r++) {
			const struct jsonr_value *x = jsonr_at(rc, r);
			web_buf_add(b, "<tr class=\"bulk-rcpt\"><td><a class=\"ref\" href=\"/hold/");
			web_buf_url(b, ref);
			web_buf_add(b, "\">");
			web_buf_html(b, ref);
			web_buf_add(b, "</a></td>");
			web_cell(b, "sender", web_jstr(it, "sender"));
			web_cell(b, "rcpt", web_jstr(x, "rcpt"));
			web_cell(b, "party", web_jstr(x, "party"));
			web_buf_add(b, "<td class=\"next\">");
			bulk_next(b, k, it, done);
			web_buf_add(b, "</td></tr>\n");
		}
	}
	web_buf_add(b, "</tbody></table>\n");
}

/* The request of k: a bulk decision over the party's (and code's) held
 * recipients; a dry run, or the confirmed run naming the plan. */
static bool bulk_request(struct json **j, const struct bulk_ask *k, bool confirmed,
			 const struct web_ctx *x)
{
	if (!web_req_begin(j, k->action, x))
		return false;
	json_key(*j, "all_matching");
	json_bool(*j, true);
	json_key(*j, "party");
	json_str(*j, k->party);
	if (k->code != NULL && *k->code != '\0') {
		json_key(*j, "reason_code");
		json_str(*j, k->code);
	}
	json_key(*j, "reason");
	json_str(*j, k->reason);
	if (k->approve) {
		json_key(*j, "basis");
		json_str(*j, k->basis);
	}
	if (!confirmed) {
		json_key(*j, "dry_run");
		json_bool(*j, true);
	} else if (k->plan != NULL) {
		/* absent: the daemon refuses (no decision without a preview) */
		json_key(*j, "plan");
		json_str(*j, k->plan);
	}
	return true;
}

/* " N words" of the sentence above the table: the count (its id) and
 * the words of one or of any other number (English and Dutch alike). */
static void bulk_count(struct web_buf *b, const char *id, long long n, const char *one,
		       const char *many)
{
	web_buf_addf(b, " <span id=\"%s\">%lld</span> ", id, n);
	web_buf_html(b, web_tr(n == 1 ? one : many));
}

/* The sentence above the table: what, over how much, of which party;
 * of a preview, of a decision made, or of one asked for and made in
 * part (partly). */
static void bulk_what(struct web_buf *b, const struct bulk_ask *k, const struct jsonr_value *ans,
		      bool done, bool partly)
{
	web_buf_add(b, "<p id=\"what\">");
	web_buf_html(b, web_tr(partly ? (k->approve ? "You asked to approve" : "You asked to deny")
			       : done ? (k->approve ? "You approved" : "You denied")
				      : (k->approve ? "You are about to approve"
						    : "You are about to deny")));
	bulk_count(b, "bulk-rcpts", web_jint(ans, "recipients"), "recipient of", "recipients of");
	bulk_count(b, "bulk-holds", web_jint(ans, "matched"), "hold of party", "holds of party");
	web_buf_add(b, " <strong id=\"bulk-party\">");
	web_buf_html(b, k->party);
	web_buf_add(b, "</strong>");
	if (k->code != NULL && *k->code != '\0') {
		web_buf_add(b, " ");
		web_buf_html(b, web_tr("with reason code"));
		web_buf_add(b, " <strong>");
		web_buf_html(b, k->code);
		web_buf_add(b, "</strong>");
	}
	web_buf_add(b, ". ");
	web_buf_html(b, web_tr("Only recipients still held and of this party change; "
			       "nothing else of these holds."));
	web_buf_add(b, "</p>\n");
	if (jsonr_bool(jsonr_get(ans, "truncated"))) {
		web_buf_add(b, "<p class=\"refused\">");
		web_buf_html(b, web_tr("More holds match than one decision covers: only those listed "
				       "change. Decide again for the rest."));
		web_buf_add(b, "</p>\n");
	}
}

/* The basis and the justification, as the decision names them. */
static void bulk_grounds(struct web_buf *b, const struct bulk_ask *k)
{
	if (k->approve) {
		web_buf_add(b, "<p>");
		web_buf_html(b, web_tr("Legal basis:"));
		web_buf_add(b, " <strong id=\"basis\">");
		web_buf_html(b, k->basis);
		web_buf_add(b, "</strong></p>");
	}
	web_buf_add(b, "<p>");
	web_buf_html(b, web_tr("Justification:"));
	web_buf_add(b, " <q id=\"reason\">");
	web_buf_html(b, k->reason);
	web_buf_add(b, "</q></p>\n");
}

/* The form that confirms the preview: the same fields and the plan. */
static void bulk_confirm_form(struct web_buf *b, const struct bulk_ask *k,
			      const struct jsonr_value *ans, const struct web_ctx *x)
{
	web_buf_add(b, "<form method=\"post\" action=\"/bulk/confirm\" id=\"confirm\">");
	bulk_hidden(b, "csrf", x->s->csrf);
	bulk_hidden(b, "party", k->party);
	if (k->code != NULL && *k->code != '\0')
		bulk_hidden(b, "code", k->code);
	bulk_hidden(b, "action", k->action);
	bulk_hidden(b, "reason", k->reason);
	if (k->approve)
		bulk_hidden(b, "basis", k->basis);
	bulk_hidden(b, "plan", web_jstr(ans, "plan"));
	web_buf_add(b, "<button type=\"submit\">");
	web_buf_html(b, web_tr(k->approve ? "Approve all listed" : "Deny all listed"));
	web_buf_add(b, "</button> <a href=\"/?party=");
	web_buf_url(b, k->party);
	web_buf_add(b, "\">");
	web_buf_html(b, web_tr("Cancel"));
	web_buf_add(b, "</a></form>\n");
}

/* Did the daemon run the decision (ok, or hold by hold with some
 * failing)?  A confirmed run that failed for some holds answers "error"
 * with every hold's result: those decided stay decided, so the page must
 * say which, not only that something failed. */
static bool bulk_ran(const struct web_answer *a, bool confirmed)
{
	if (a->doc == NULL)
		return false;
	if (strcmp(a->status, "ok") == 0)
		return true;
	return confirmed && strcmp(a->status, "error") == 0 &&
	       web_jint(a->root, "failed") > 0 && jsonr_count(jsonr_get(a->root, "results")) > 0;
}

/* The warning of a run that decided some holds and not others. */
static void bulk_partly(struct web_buf *b, const struct web_answer *a)
{
	long long done = web_jint(a->root, "applied"),
		  not = web_jint(a->root, "refused") + web_jint(a->root, "failed");
	web_buf_add(b, "<p class=\"refused\" id=\"bulk-partly\" role=\"alert\"><strong>");
	web_buf_html(b, web_tr("Not every hold could be decided:"));
	web_buf_addf(b, "</strong> <span id=\"bulk-applied\">%lld</span> ", done);
	web_buf_html(b, web_tr(done == 1 ? "hold decided," : "holds decided,"));
	web_buf_addf(b, " <span id=\"bulk-not\">%lld</span> ", not);
	web_buf_html(b, web_tr(not == 1 ? "hold not." : "holds not."));
	web_buf_add(b, " ");
	web_buf_html(b, web_tr("The table says which, with the daemon's reason. Nothing of a hold "
			       "not decided changed: decide it again from the queue."));
	web_buf_add(b, "</p>\n");
}

void web_page_bulk(const struct web_ctx *x, const struct web_form *f, bool confirmed,
		   struct web_page *out)
{
	struct bulk_ask k;
	const char *bad = bulk_ask_of(f, &k);
	if (bad != NULL) {
		web_page_error(400, "Bad request", bad, out);
		return;
	}
	struct json *j;
	struct web_answer a;
	char why[300];
	if (!bulk_request(&j, &k, confirmed, x)) {
		web_page_error(500, "Error", "out of memory", out);
		return;
	}
	if (web_req_call(j, x, &a, why, sizeof why) != 0 || !bulk_ran(&a, confirmed)) {
		web_page_refusal(&a, why, out);
		web_answer_free(&a);
		return;
	}
	bool partly = strcmp(a.status, "ok") != 0;
	struct web_buf b = {0};
	web_page_begin(&b, partly ? (k.approve ? "Partly approved in bulk" : "Partly denied in bulk")
		       : confirmed ? (k.approve ? "Approved in bulk" : "Denied in bulk")
				   : (k.approve ? "Confirm the bulk approval"
						: "Confirm the bulk denial"),
		       x->s);
	if (partly)
		bulk_partly(&b, &a);
	bulk_what(&b, &k, a.root, confirmed, partly);
	bulk_table(&b, &k, jsonr_get(a.root, "results"), confirmed);
	bulk_grounds(&b, &k);
	if (confirmed || web_jint(a.root, "matched") == 0) {
		web_buf_add(&b, "<p><a href=\"/\">");
		web_buf_html(&b, web_tr("Back to the queue"));
		web_buf_add(&b, "</a></p>\n");
	} else {
		bulk_confirm_form(&b, &k, a.root, x);
	}
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
