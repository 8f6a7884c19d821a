/*
 * page_hold.c - one hold ("show"): per recipient its party, the decision
 * sentence, reason codes and approvals; what was found, by attachment
 * (the message's parts) and by country; the hold's history (approvals,
 * release); and the decision form: approve or deny, per recipient or all
 * of them, a justification (required) and, to approve, a basis chosen
 * from the registry's bases valid for the party (the daemon's list, no
 * free text).  The form leads to a confirmation page (page_decide.c); a
 * link to the message itself (page_message.c); every record of the hold
 * in the audit chain, as the daemon gives them; the case (page_case.c).
 *
 * Public function: web_page_hold().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "page_priv.h"

/* The head of one row of the hold's table, up to its value cell. */
static void row_open(struct web_buf *b, const char *label)
{
	web_buf_add(b, "<tr><th scope=\"row\">");
	web_buf_html(b, web_tr(label));
	web_buf_add(b, "</th><td>");
}

/* A row of two cells: label, text (escaped). */
static void row(struct web_buf *b, const char *label, const char *text)
{
	row_open(b, label);
	web_buf_html(b, text != NULL ? text : "");
	web_buf_add(b, "</td></tr>\n");
}

/* A row whose value is a comma-separated list (web_words()). */
static void row_words(struct web_buf *b, const char *label, const char *csv)
{
	row_open(b, label);
	web_words(b, csv);
	web_buf_add(b, "</td></tr>\n");
}

/* How many approvals of recipient rcpt the history holds. */
static unsigned approvals_of(const struct jsonr_value *ap, const char *rcpt)
{
	unsigned n = 0;
	for (size_t i = 0; rcpt != NULL && i < jsonr_count(ap); i++) {
		const char *r = web_jstr(jsonr_at(ap, i), "rcpt");
		n += r != NULL && strcmp(r, rcpt) == 0;
	}
	return n;
}

static void head(struct web_buf *b, const struct jsonr_value *h)
{
	const struct jsonr_value *sum = jsonr_get(h, "summary");
	char t[64], left[32], count[128];
	web_buf_add(b, "<table class=\"head\">\n");
	row(b, "Reference", web_jstr(h, "ref"));
	row(b, "State", web_jstr(h, "state"));
	row(b, "Sender", web_jstr(h, "sender"));
	/* the login only when the mail was sent with SMTP AUTH (the daemon
	 * answers "" without one): an empty row reads as a login withheld */
	const char *auth = web_jstr(h, "sender_auth");
	if (auth != NULL && *auth != '\0')
		row(b, "Sender (SMTP AUTH)", auth);
	if (web_jstr(h, "subject") != NULL)
		row(b, "Subject", web_jstr(h, "subject"));
	else
		row(b, "Subject", web_tr("withheld (content: jurists only)"));
	web_time(web_jint(h, "received"), t, sizeof t);
	row(b, "Received", t);
	web_time(web_jint(h, "expires"), t, sizeof t);
	row(b, "Expires on", t);
	web_duration(web_jint(h, "expires_in"), left, sizeof left);
	row(b, "Time left", left);
	row_words(b, "TLP", web_jstr(sum, "tlp"));
	row_open(b, "Categories");
	web_categories(b, jsonr_get(sum, "categories"));
	web_buf_add(b, "</td></tr>\n");
	snprintf(count, sizeof count, "%lld %s, %lld %s", (long long)web_jint(sum, "public_addresses"),
		 web_tr("public addresses"), (long long)web_jint(sum, "public_networks"),
		 web_tr("networks"));
	row(b, "Found", count);
	row_words(b, "Countries", web_jstr(sum, "countries"));
	web_buf_add(b, "</table>\n");
}

static void recipients(struct web_buf *b, const struct jsonr_value *h, bool sender)
{
	const struct jsonr_value *rc = jsonr_get(h, "recipients"), *ap = jsonr_get(h, "approvals");
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Recipients"));
	web_buf_add(b, "</h2><table id=\"recipients\"><thead><tr>");
	static const char *const head[] = {"Recipient", "Party", "State", "Decision",
					   "Reason codes", "Approvals"};
	/* a sender sees the state, not the jurists' approvals */
	for (size_t i = 0; i < sizeof head / sizeof head[0] - sender; i++)
		web_th(b, head[i]);
	web_buf_add(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < jsonr_count(rc); i++) {
		const struct jsonr_value *r = jsonr_at(rc, i);
		web_buf_add(b, "<tr>");
		web_cell(b, "rcpt", web_jstr(r, "rcpt"));
		web_cell(b, NULL, web_jstr(r, "party"));
		web_cell(b, "state", web_jstr(r, "state"));
		web_cell(b, NULL, web_jstr(r, "explanation"));
		web_buf_add(b, "<td>");
		web_words(b, web_jstr(r, "reasons"));
		web_buf_add(b, "</td>");
		if (sender) {
			web_buf_add(b, "</tr>\n");
			continue;
		}
		web_buf_addf(b, "<td>%u ", approvals_of(ap, web_jstr(r, "rcpt")));
		web_buf_html(b, web_tr("of"));
		web_buf_addf(b, " %lld</td></tr>\n", (long long)web_jint(h, "required"));
	}
	web_buf_add(b, "</tbody></table>\n");
}

/* Findings by attachment (part) and by country (the summary: never the
 * addresses themselves, those are content). */
static void findings(struct web_buf *b, const struct jsonr_value *h)
{
	const struct jsonr_value *sum = jsonr_get(h, "summary"), *parts = jsonr_get(sum, "parts");
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Findings by attachment"));
	web_buf_add(b, "</h2><table id=\"parts\"><thead><tr>");
	static const char *const head[] = {"Part", "File name", "Type", "Scanned", "Why not"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		web_th(b, head[i]);
	web_buf_add(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < jsonr_count(parts); i++) {
		const struct jsonr_value *p = jsonr_at(parts, i);
		web_buf_add(b, "<tr>");
		web_cell(b, "part", web_jstr(p, "path"));
		if (jsonr_type(jsonr_get(p, "filename")) == JSONR_STRING)
			web_cell(b, "filename", web_jstr(p, "filename"));
		else
			web_cell(b, "filename", web_jstr(h, "subject") == NULL ? web_tr("withheld") : "");
		web_cell(b, NULL, web_jstr(p, "type"));
		web_cell(b, NULL, web_jstr(p, "status"));
		web_cell(b, NULL, web_jstr(p, "reason"));
		web_buf_add(b, "</tr>\n");
	}
	web_buf_add(b, "</tbody></table>\n<h2>");
	web_buf_html(b, web_tr("Findings by country"));
	web_buf_add(b, "</h2><ul id=\"countries\">");
	const char *c = web_jstr(sum, "countries");
	while (c != NULL && *c) {
		size_t n = strcspn(c, ", ");
		if (n > 0) {
			char w[64];
			snprintf(w, sizeof w, "%.*s", (int)(n < 63 ? n : 63), c);
			web_buf_add(b, "<li>");
			web_buf_html(b, w);
			web_buf_add(b, "</li>");
		}
		c += n + strspn(c + n, ", ");
	}
	web_buf_add(b, "</ul>\n");
}

static void history(struct web_buf *b, const struct jsonr_value *h)
{
	const struct jsonr_value *ap = jsonr_get(h, "approvals"), *dl = jsonr_get(h, "delivered");
	char t[64];
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("History"));
	web_buf_add(b, "</h2><ol id=\"history\">");
	web_time(web_jint(h, "received"), t, sizeof t);
	web_buf_addf(b, "<li>%s: ", t);
	web_buf_html(b, web_tr("held"));
	web_buf_add(b, "</li>");
	for (size_t i = 0; i < jsonr_count(ap); i++) {
		const struct jsonr_value *a = jsonr_at(ap, i);
		web_time(web_jint(a, "at"), t, sizeof t);
		web_buf_addf(b, "<li>%s: ", t);
		web_buf_html(b, web_tr("approved for"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(a, "rcpt"));
		web_buf_add(b, " ");
		web_buf_html(b, web_tr("by"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(a, "jurist"));
		web_buf_add(b, " (");
		web_buf_html(b, web_tr("basis"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(a, "basis"));
		web_buf_add(b, "): ");
		web_buf_html(b, web_jstr(a, "reason"));
		web_buf_add(b, "</li>");
	}
	for (size_t i = 0; i < jsonr_count(dl); i++) {
		web_buf_add(b, "<li>");
		web_buf_html(b, web_tr("delivered to"));
		web_buf_add(b, " ");
		web_buf_html(b, jsonr_str(jsonr_at(dl, i)));
		web_buf_add(b, "</li>");
	}
	if (web_jstr(h, "release_error") != NULL) {
		web_buf_add(b, "<li>");
		web_buf_html(b, web_tr("release failed, attempts:"));
		web_buf_addf(b, " %lld: ", (long long)web_jint(h, "release_attempts"));
		web_buf_html(b, web_jstr(h, "release_error"));
		web_buf_add(b, "</li>");
	}
	web_buf_add(b, "</ol>\n");
}

/* The details of one record as "key: value" pairs (escaped). */
static void details_cell(struct web_buf *b, const struct jsonr_value *d)
{
	web_buf_add(b, "<td class=\"details\">");
	for (size_t i = 0; i < jsonr_count(d); i++) {
		size_t kl = 0;
		const char *k = jsonr_key(d, i, &kl);
		char key[64];
		snprintf(key, sizeof key, "%.*s", (int)(kl < 63 ? kl : 63), k ? k : "");
		web_buf_add(b, i ? "; " : "");
		web_buf_html(b, key);
		web_buf_add(b, ": ");
		if (strcmp(key, "categories") == 0)
			web_categories(b, jsonr_at(d, i));
		else
			web_lines(b, web_jstr(d, key));
	}
	web_buf_add(b, "</td>");
}

/* Every record of the hold in the audit chain (the daemon's "history"):
 * decisions, refusals, each look at its Subject or content, releases. */
static void chain(struct web_buf *b, const struct jsonr_value *h)
{
	const struct jsonr_value *hist = jsonr_get(h, "history");
	char t[64];
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Records of this hold in the audit chain"));
	web_buf_add(b, "</h2>\n");
	if (jsonr_type(hist) != JSONR_ARRAY) {
		web_buf_add(b, "<p class=\"error\">");
		web_buf_html(b, web_tr("the daemon could not read them"));
		web_buf_add(b, "</p>\n");
		return;
	}
	if (web_jint(h, "history_omitted") > 0) {
		web_buf_add(b, "<p>");
		web_buf_addf(b, "%lld ", (long long)web_jint(h, "history_omitted"));
		web_buf_html(b, web_tr("older records not shown (grondslag audit export has them)"));
		web_buf_add(b, "</p>\n");
	}
	web_buf_add(b, "<table id=\"chain\"><thead><tr>");
	static const char *const head[] = {"No.", "Time", "Event", "Who", "Role", "Details"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		web_th(b, head[i]);
	web_buf_add(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < jsonr_count(hist); i++) {
		const struct jsonr_value *r = jsonr_at(hist, i);
		web_time(web_jint(r, "at"), t, sizeof t);
		web_buf_add(b, "<tr>");
		web_cell(b, "seq", web_jstr(r, "seq"));
		web_cell(b, NULL, t);
		web_cell(b, "event", web_jstr(r, "event"));
		web_cell(b, "actor", web_jstr(r, "actor"));
		web_cell(b, NULL, web_jstr(r, "role"));
		details_cell(b, jsonr_get(r, "details"));
		web_buf_add(b, "</tr>\n");
	}
	web_buf_add(b, "</tbody></table>\n");
}

/* The fields of a decision from the legend "Decision" to the submit
 * button: approve or deny, the basis from bases (the daemon's "bases":
 * per party the registry's bases valid today, grouped by party; no free
 * text), the justification. */
void web_decision_fields(struct web_buf *b, const struct jsonr_value *bases)
{
	web_buf_add(b, "<fieldset><legend>");
	web_buf_html(b, web_tr("Decision"));
	web_buf_add(b, "</legend><label><input type=\"radio\" name=\"action\" value=\"approve\" "
		       "required> ");
	web_buf_html(b, web_tr("Approve"));
	web_buf_add(b, "</label><label><input type=\"radio\" name=\"action\" value=\"deny\"> ");
	web_buf_html(b, web_tr("Deny"));
	web_buf_add(b, "</label></fieldset><label>");
	web_buf_html(b, web_tr("Legal basis (to approve)"));
	web_buf_add(b, " <select name=\"basis\"><option value=\"\">");
	web_buf_html(b, web_tr("choose a basis"));
	web_buf_add(b, "</option>");
	for (size_t p = 0; p < jsonr_count(bases); p++) {
		size_t kl = 0;
		const struct jsonr_value *list = jsonr_at(bases, p);
		web_buf_add(b, "<optgroup label=\"");
		web_buf_html(b, jsonr_key(bases, p, &kl));
		web_buf_add(b, "\">");
		for (size_t i = 0; i < jsonr_count(list); i++) {
			const struct jsonr_value *v = jsonr_at(list, i);
			web_buf_add(b, "<option value=\"");
			web_buf_html(b, web_jstr(v, "id"));
			web_buf_add(b, "\">");
			web_buf_html(b, web_jstr(v, "id"));
			web_buf_add(b, ": ");
			web_buf_html(b, web_jstr(v, "article"));
			web_buf_add(b, "</option>");
		}
		web_buf_add(b, "</optgroup>");
	}
	web_buf_add(b, "</select></label><label>");
	web_buf_html(b, web_tr("Justification (required; a denial's reaches the sender)"));
	web_buf_add(b, " <textarea name=\"reason\" rows=\"3\" cols=\"60\" required "
		       "maxlength=\"2000\"></textarea></label><button type=\"submit\">");
	web_buf_html(b, web_tr("Review the decision"));
	web_buf_add(b, "</button>");
}

/* The decision form: the recipients still open, the action, the basis
 * (grouped by party), the justification. */
static void decide_form(struct web_buf *b, const struct jsonr_value *h, const struct web_ctx *x)
{
	const struct jsonr_value *rc = jsonr_get(h, "recipients"), *bases = jsonr_get(h, "bases");
	size_t open = 0;
	for (size_t i = 0; i < jsonr_count(rc); i++) {
		const char *st = web_jstr(jsonr_at(rc, i), "state");
		open += st != NULL && (strcmp(st, "held") == 0 || strcmp(st, "approved") == 0);
	}
	if (open == 0) {
		web_buf_add(b, "<p>");
		web_buf_html(b, web_tr("No recipient of this hold is waiting for a decision."));
		web_buf_add(b, "</p>\n");
		return;
	}
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Decide"));
	web_buf_add(b, "</h2><form method=\"post\" action=\"/decide\" id=\"decide\">"
		       "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_buf_html(b, x->s->csrf);
	web_buf_add(b, "\"><input type=\"hidden\" name=\"ref\" value=\"");
	web_buf_html(b, web_jstr(h, "ref"));
	web_buf_add(b, "\"><fieldset><legend>");
	web_buf_html(b, web_tr("Recipients"));
	web_buf_add(b, "</legend><label><input type=\"checkbox\" name=\"all\" value=\"1\"> ");
	web_buf_html(b, web_tr("all still open (to approve: those held; to deny: those not being "
			       "released)"));
	web_buf_add(b, "</label>");
	for (size_t i = 0; i < jsonr_count(rc); i++) {
		const struct jsonr_value *r = jsonr_at(rc, i);
		const char *st = web_jstr(r, "state");
		/* held: to approve or deny; approved (not yet released): to deny */
		if (st == NULL || (strcmp(st, "held") != 0 && strcmp(st, "approved") != 0))
			continue;
		web_buf_add(b, "<label><input type=\"checkbox\" name=\"rcpt\" value=\"");
		web_buf_html(b, web_jstr(r, "rcpt"));
		web_buf_add(b, "\"> ");
		web_buf_html(b, web_jstr(r, "rcpt"));
		web_buf_add(b, " (");
		web_buf_html(b, web_jstr(r, "party"));
		web_buf_add(b, ")</label>");
	}
	web_buf_add(b, "</fieldset>");
	web_decision_fields(b, bases);
	web_buf_add(b, "</form>\n");
}

void web_page_hold(const struct web_ctx *x, const char *ref, struct web_page *out)
{
	struct json *j;
	struct web_answer a;
	if (!web_req_hold(&j, "show", ref, x, out))
		return;
	if (!web_req_ok(j, x, &a, out))
		return;
	struct web_buf b = {0};
	web_hold_page_begin(&b, "Hold", ref, x);
	head(&b, a.root);
	const char *role = web_jstr(a.root, "role");
	if (role != NULL && strcmp(role, "sender") == 0) {
		/* the sender's own hold: where it stands, and the urgent
		 * request (the daemon answers nothing more) */
		recipients(&b, a.root, true);
		history(&b, a.root);
		web_case_section(&b, a.root, x, true);
		web_answer_free(&a);
		web_page_end(&b, 200, out);
		return;
	}
	/* the message itself is another page: one more recorded view */
	web_buf_add(&b, "<p><a id=\"read-message\" href=\"/hold/");
	web_buf_html(&b, ref);
	web_buf_add(&b, "/message\">");
	web_buf_html(&b, web_tr("Read the message: headers, body and attachments as text "
				"(jurists; recorded)"));
	web_buf_add(&b, "</a></p>\n");
	recipients(&b, a.root, false);
	findings(&b, a.root);
	history(&b, a.root);
	web_case_section(&b, a.root, x, web_jstr(a.root, "role") != NULL &&
					   strcmp(web_jstr(a.root, "role"), "jurist") == 0);
	chain(&b, a.root);
	decide_form(&b, a.root, x);
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
