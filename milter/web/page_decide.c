/*
 * page_decide.c - a decision from the console in two steps.  POST
 * /decide asks the daemon for a dry run of exactly the decision the form
 * describes (the daemon decides and rolls back; nothing is recorded as
 * decided) and shows what it would change: which recipients of which
 * hold, and what happens next (released now, or waiting for a second
 * jurist; a denial tells the sender the justification).  The page carries
 * the same fields to POST /confirm, which makes the decision for real
 * and shows the daemon's answer.  The daemon checks the role, the four
 * eyes, the sender rule and the basis both times.
 *
 * Public function: web_page_decide().
 * Limits: HOLDSTATE_MAX_RCPTS recipients named at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "grondslag/decide/holdstate.h"
#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/store/store.h"
#include "page_priv.h"

/* What the form asks. */
struct ask {
	const char *ref, *action, *reason, *basis;
	bool all;
	const char *rcpts[HOLDSTATE_MAX_RCPTS];
	size_t n;
};

/* Read and check the form; NULL, or why it cannot be asked. */
static const char *ask_of(const struct web_form *f, struct ask *k)
{
	memset(k, 0, sizeof *k);
	k->ref = web_form_get(f, "ref");
	k->action = web_form_get(f, "action");
	k->reason = web_form_get(f, "reason");
	k->basis = web_form_get(f, "basis");
	k->all = web_form_get(f, "all") != NULL;
	k->n = web_form_all(f, "rcpt", k->rcpts, HOLDSTATE_MAX_RCPTS);
	if (k->ref == NULL || !store_ref_valid(k->ref))
		return "this is not a hold reference";
	if (k->action == NULL || (strcmp(k->action, "approve") != 0 && strcmp(k->action, "deny") != 0))
		return "choose approve or deny";
	if (!k->all && k->n == 0)
		return "choose the recipients (or all of them)";
	if (k->all && k->n > 0)
		return "choose either all recipients or named ones, not both";
	if (k->reason == NULL || k->reason[strspn(k->reason, " \t\r\n")] == '\0')
		return "a justification is required";
	if (strcmp(k->action, "approve") == 0 && (k->basis == NULL || *k->basis == '\0'))
		return "choose the legal basis of the approval";
	return NULL;
}

/* The hidden fields that carry the decision to /confirm. */
static void hidden(struct web_buf *b, const char *name, const char *value)
{
	web_buf_addf(b, "<input type=\"hidden\" name=\"%s\" value=\"", name);
	web_buf_html(b, value);
	web_buf_add(b, "\">");
}

/* The recipients the decision names: those asked, or all the action
 * takes (the answer's recipients, as they were before). */
static void named_list(struct web_buf *b, const struct ask *k, const struct jsonr_value *ans)
{
	const struct jsonr_value *rc = jsonr_get(ans, "recipients");
	web_buf_add(b, "<ul id=\"named\">");
	for (size_t i = 0; i < jsonr_count(rc); i++) {
		const struct jsonr_value *r = jsonr_at(rc, i);
		const char *addr = web_jstr(r, "rcpt"), *st = web_jstr(r, "state");
		bool hit = false;
		for (size_t n = 0; addr != NULL && n < k->n && !hit; n++)
			hit = strcasecmp(addr, k->rcpts[n]) == 0;
		/* all: what the daemon takes for all (holdstate.c): to approve
		 * every recipient still held, to deny every one held or
		 * approved and not yet being released */
		if (k->all)
			hit = st != NULL && (strcmp(st, "held") == 0 ||
					     (strcmp(k->action, "deny") == 0 && strcmp(st, "approved") == 0));
		if (!hit)
			continue;
		web_buf_add(b, "<li>");
		web_buf_html(b, addr);
		web_buf_add(b, " (");
		web_buf_html(b, web_jstr(r, "party"));
		web_buf_add(b, ")</li>");
	}
	web_buf_add(b, "</ul>\n");
}

/* What happens next, from the daemon's answer. */
static void next_step(struct web_buf *b, const struct ask *k, const struct jsonr_value *ans,
		      bool done)
{
	int64_t now = web_jint(ans, "approved_now"), changed = web_jint(ans, "changed");
	int64_t required = web_jint(ans, "required");
	web_buf_add(b, "<p id=\"next\">");
	/* each count with the words of one or of any other number */
	if (strcmp(k->action, "deny") == 0) {
		web_buf_addf(b, "%lld ", (long long)changed);
		web_buf_html(b, web_tr(changed == 1
			? (done ? "recipient will never receive this message. The sender is told "
				  "your justification:"
				: "recipient would never receive this message. The sender will be "
				  "told your justification:")
			: (done ? "recipients will never receive this message. The sender is told "
				  "your justification:"
				: "recipients would never receive this message. The sender will be "
				  "told your justification:")));
		web_buf_add(b, " <q>");
		web_buf_html(b, k->reason);
		web_buf_add(b, "</q>");
	} else if (now > 0) {
		web_buf_html(b, web_tr("Released now:"));
		web_buf_addf(b, " %lld ", (long long)now);
		web_buf_html(b, web_tr(now == 1 ? (done ? "recipient has all" : "recipient will have all")
					: (done ? "recipients have all" : "recipients will have all")));
		web_buf_addf(b, " %lld ", (long long)required);
		web_buf_html(b, web_tr(done ? "approvals; the message is being delivered to them at once."
					    : "approvals; the message will be delivered to them at once."));
		if (changed > now) {
			web_buf_addf(b, " %lld ", (long long)(changed - now));
			web_buf_html(b, web_tr(changed - now == 1 ? "other waits for a second jurist."
							      : "others wait for a second jurist."));
		}
	} else {
		web_buf_html(b, web_tr(done ? "Waiting for a second jurist: your approval is recorded; "
					      "nothing is released until"
					    : "Waiting for a second jurist: your approval will be "
					      "recorded; nothing is released until"));
		web_buf_addf(b, " %lld ", (long long)required);
		web_buf_html(b, web_tr("jurists have approved."));
	}
	web_buf_add(b, "</p>\n");
}

void web_page_decide(const struct web_ctx *x, const struct web_form *f, bool confirmed,
		     struct web_page *out)
{
	struct ask k;
	const char *bad = ask_of(f, &k);
	if (bad != NULL) {
		web_page_error(400, "Bad request", bad, out);
		return;
	}
	struct json *j;
	struct web_answer a;
	if (!web_req_begin(&j, k.action, x)) {
		web_page_error(500, "Error", "out of memory", out);
		return;
	}
	json_key(j, "ref");
	json_str(j, k.ref);
	json_key(j, "reason");
	json_str(j, k.reason);
	if (strcmp(k.action, "approve") == 0) {
		json_key(j, "basis");
		json_str(j, k.basis);
	}
	if (!k.all) {
		json_key(j, "rcpts");
		json_arr_begin(j);
		for (size_t i = 0; i < k.n; i++)
			json_str(j, k.rcpts[i]);
		json_arr_end(j);
	}
	if (!confirmed) {
		json_key(j, "dry_run");
		json_bool(j, true);
	}
	if (!web_req_ok(j, x, &a, out))
		return;
	bool approve = strcmp(k.action, "approve") == 0;
	struct web_buf b = {0};
	web_page_begin(&b, confirmed ? (approve ? "Approved" : "Denied")
				     : (approve ? "Confirm the approval" : "Confirm the denial"),
		       x->s);
	web_buf_add(&b, "<p id=\"what\">");
	web_buf_html(&b, web_tr(confirmed ? (approve ? "You approved hold" : "You denied hold")
				: (approve ? "You are about to approve hold"
					   : "You are about to deny hold")));
	web_buf_add(&b, " <a href=\"/hold/");
	web_buf_url(&b, k.ref);
	web_buf_add(&b, "\">");
	web_buf_html(&b, k.ref);
	web_buf_add(&b, "</a> ");
	web_buf_html(&b, web_tr("for these recipients:"));
	web_buf_add(&b, "</p>\n");
	named_list(&b, &k, a.root);
	if (approve) {
		web_buf_add(&b, "<p>");
		web_buf_html(&b, web_tr("Legal basis:"));
		web_buf_add(&b, " <strong id=\"basis\">");
		web_buf_html(&b, k.basis);
		web_buf_add(&b, "</strong></p>");
	}
	web_buf_add(&b, "<p>");
	web_buf_html(&b, web_tr("Justification:"));
	web_buf_add(&b, " <q id=\"reason\">");
	web_buf_html(&b, k.reason);
	web_buf_add(&b, "</q></p>\n");
	next_step(&b, &k, a.root, confirmed);
	if (confirmed) {
		web_buf_add(&b, "<p>");
		web_buf_html(&b, web_tr("The hold is now"));
		web_buf_add(&b, " <strong id=\"state\">");
		web_buf_html(&b, web_jstr(a.root, "state"));
		web_buf_add(&b, "</strong>. <a href=\"/\">");
		web_buf_html(&b, web_tr("Back to the queue"));
		web_buf_add(&b, "</a></p>\n");
	} else {
		web_buf_add(&b, "<form method=\"post\" action=\"/confirm\" id=\"confirm\">");
		hidden(&b, "csrf", x->s->csrf);
		hidden(&b, "ref", k.ref);
		hidden(&b, "action", k.action);
		hidden(&b, "reason", k.reason);
		if (approve)
			hidden(&b, "basis", k.basis);
		if (k.all)
			hidden(&b, "all", "1");
		for (size_t i = 0; i < k.n; i++)
			hidden(&b, "rcpt", k.rcpts[i]);
		web_buf_add(&b, "<button type=\"submit\">");
		web_buf_html(&b, web_tr(approve ? "Approve" : "Deny"));
		web_buf_add(&b, "</button> <a href=\"/hold/");
		web_buf_url(&b, k.ref);
		web_buf_add(&b, "\">");
		web_buf_html(&b, web_tr("Cancel"));
		web_buf_add(&b, "</a></form>\n");
	}
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
