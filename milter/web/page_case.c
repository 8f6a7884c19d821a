/*
 * page_case.c - case handling in the console: on the hold's page, where
 * the case stands (who holds it, advice asked and not yet given) and the
 * forms to claim it, hand it over to a colleague with a note, comment
 * without deciding, or ask a colleague for advice; POST /case sends one
 * of them to the daemon, which checks the role and the case's state and
 * writes the record.  The console only offers the colleagues (the first
 * word of each Jurist line but the person's own); the daemon checks the
 * name again.
 *
 * A sender sees on the page of a hold of their own mail only their urgent
 * request (when, and the justification) or the form to make it; the
 * jurists see the request, how long it has waited and its justification
 * above the case.  Urgency changes nothing in the decision: the form of
 * the decision is the same, four eyes included.
 *
 * Public functions: web_case_section(), web_lines() (page_priv.h),
 * web_page_case().
 * Limits: the text at most 2000 bytes (the daemon's limit; a browser's
 * CR LF line ends are sent as LF, which the daemon keeps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "page_priv.h"

#define CASE_TEXT_MAX 2000

/* The acts of the form: the request's command, its text member, the
 * form's label of the text, whether a colleague is named. */
static const struct {
	const char *act, *text_key, *label, *button;
	bool colleague;
} acts[] = {
	{"claim", NULL, NULL, "Claim this case", false},
	{"handover", "note", "Note for the colleague (required)", "Hand over", true},
	{"comment", "text", "Comment (no decision; answers advice asked of you)", "Add the comment",
	 false},
	{"advice", "question", "Question (required)", "Ask for advice", true},
	/* a sender's (the daemon refuses it to everybody else) */
	{"urgent", "text", "Why it is urgent (required; the jurists are told at once)",
	 "Ask for an urgent review", false},
};
#define NACTS (sizeof acts / sizeof acts[0])

/* A <select> of the colleagues: every Jurist line's login but mine. */
static void colleagues(struct web_buf *b, const struct web_ctx *x, const char *id)
{
	web_buf_addf(b, "<label for=\"%s\">", id);
	web_buf_html(b, web_tr("Colleague"));
	web_buf_addf(b, "</label> <select id=\"%s\" name=\"to\" required><option value=\"\">", id);
	web_buf_html(b, web_tr("choose a jurist"));
	web_buf_add(b, "</option>");
	for (size_t i = 0; i < config_list_count(x->c, CONF_JURIST); i++) {
		const char *v = config_list(x->c, CONF_JURIST, i);
		char login[WEB_LOGIN_MAX];
		size_t n = strcspn(v, " \t");
		if (n == 0 || n >= sizeof login)
			continue;
		memcpy(login, v, n);
		login[n] = '\0';
		if (strcmp(login, x->s->login) == 0)
			continue;
		web_buf_add(b, "<option value=\"");
		web_buf_html(b, login);
		web_buf_add(b, "\">");
		web_buf_html(b, login);
		web_buf_add(b, "</option>");
	}
	web_buf_add(b, "</select> ");
}

/* One act's form. */
static void act_form(struct web_buf *b, const struct web_ctx *x, const char *ref, size_t i,
		     bool take_over)
{
	web_buf_addf(b, "<form method=\"post\" action=\"/case\" id=\"case-%s\" class=\"case\">",
		     acts[i].act);
	web_buf_add(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	web_buf_html(b, x->s->csrf);
	web_buf_add(b, "\"><input type=\"hidden\" name=\"ref\" value=\"");
	web_buf_html(b, ref);
	web_buf_addf(b, "\"><input type=\"hidden\" name=\"act\" value=\"%s\">", acts[i].act);
	if (take_over)
		web_buf_add(b, "<input type=\"hidden\" name=\"take_over\" value=\"1\">");
	if (acts[i].colleague) {
		char id[32];
		snprintf(id, sizeof id, "%s-to", acts[i].act);
		colleagues(b, x, id);
	}
	if (acts[i].text_key != NULL) {
		web_buf_addf(b, "<label for=\"%s-text\">", acts[i].act);
		web_buf_html(b, web_tr(acts[i].label));
		web_buf_addf(b, "</label> <textarea id=\"%s-text\" name=\"text\" rows=\"2\" cols=\"60\" "
			     "required maxlength=\"%d\"></textarea> ", acts[i].act, CASE_TEXT_MAX);
	}
	web_buf_add(b, "<button type=\"submit\">");
	web_buf_html(b, web_tr(take_over ? "Take this case over" : acts[i].button));
	web_buf_add(b, "</button></form>\n");
}

void web_lines(struct web_buf *b, const char *text)
{
	while (text != NULL) {
		const char *nl = strchr(text, '\n');
		size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);
		char *one = strndup(text, n);
		if (one == NULL) {
			b->failed = true;
			return;
		}
		web_buf_html(b, one);
		free(one);
		if (nl != NULL)
			web_buf_add(b, "<br>");
		text = nl != NULL ? nl + 1 : NULL;
	}
}

/* The sender's urgent request of the case c (none: nothing), with how
 * long it has waited and its justification. */
static void urgent_request(struct web_buf *b, const struct jsonr_value *c, const struct web_ctx *x)
{
	const struct jsonr_value *u = jsonr_get(c, "urgent");
	if (jsonr_type(u) != JSONR_OBJECT)
		return;
	char t[64], waited[32];
	web_time(web_jint(u, "at"), t, sizeof t);
	web_duration((int64_t)x->now - web_jint(u, "at"), waited, sizeof waited);
	web_buf_add(b, "<div id=\"urgent-request\" class=\"urgent\"><p><strong>");
	web_buf_html(b, web_tr("Urgent review asked"));
	web_buf_add(b, "</strong> ");
	web_buf_html(b, web_tr("by"));
	web_buf_add(b, " <span id=\"urgent-by\">");
	web_buf_html(b, web_jstr(u, "by"));
	web_buf_add(b, "</span>, ");
	web_buf_html(b, t);
	web_buf_add(b, " (");
	web_buf_html(b, web_tr("waiting"));
	web_buf_add(b, " <span id=\"urgent-waited\">");
	web_buf_html(b, waited);
	web_buf_add(b, "</span>)</p><blockquote id=\"urgent-justification\">");
	web_lines(b, web_jstr(jsonr_get(u, "record"), "text"));
	web_buf_add(b, "</blockquote></div>\n");
}

void web_case_section(struct web_buf *b, const struct jsonr_value *h, const struct web_ctx *x,
		      bool jurist)
{
	const struct jsonr_value *c = jsonr_get(h, "case");
	const struct jsonr_value *pend = jsonr_get(c, "advice_pending");
	const char *holder = web_jstr(c, "holder"), *state = web_jstr(h, "state"),
		   *ref = web_jstr(h, "ref"), *role = web_jstr(h, "role");
	bool open = state != NULL &&
		    (strcmp(state, "pending") == 0 || strcmp(state, "partly-approved") == 0);
	char t[64];
	if (role != NULL && strcmp(role, "sender") == 0) {
		web_buf_add(b, "<h2>");
		web_buf_html(b, web_tr("Urgent review"));
		web_buf_add(b, "</h2>\n");
		urgent_request(b, c, x);
		if (jsonr_type(jsonr_get(c, "urgent")) != JSONR_OBJECT && open && ref != NULL &&
		    jurist) {
			web_buf_add(b, "<p>");
			web_buf_html(b, web_tr("If this message cannot wait, ask the jurists for an "
					       "urgent review and say why. They are told at once; "
					       "a release still needs the approval of two jurists."));
			web_buf_add(b, "</p>\n");
			act_form(b, x, ref, 4, false);
		} else if (jsonr_type(jsonr_get(c, "urgent")) != JSONR_OBJECT) {
			web_buf_add(b, "<p>");
			web_buf_html(b, web_tr("No urgent review was asked."));
			web_buf_add(b, "</p>\n");
		}
		return;
	}
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Case"));
	web_buf_add(b, "</h2>");
	urgent_request(b, c, x);
	web_buf_add(b, "<p id=\"case-holder\">");
	if (holder != NULL) {
		web_time(web_jint(c, "since"), t, sizeof t);
		web_buf_html(b, web_tr("Held by"));
		web_buf_add(b, " <strong>");
		web_buf_html(b, holder);
		web_buf_add(b, "</strong> ");
		web_buf_html(b, web_tr("since"));
		web_buf_add(b, " ");
		web_buf_html(b, t);
	} else {
		web_buf_html(b, web_tr("Nobody has claimed this case."));
	}
	web_buf_add(b, "</p>\n<ul id=\"advice-pending\">");
	for (size_t i = 0; i < jsonr_count(pend); i++) {
		const struct jsonr_value *p = jsonr_at(pend, i);
		web_time(web_jint(p, "asked_at"), t, sizeof t);
		web_buf_add(b, "<li>");
		web_buf_html(b, web_tr("Advice asked of"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(p, "asked_of"));
		web_buf_add(b, " ");
		web_buf_html(b, web_tr("by"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(p, "asked_by"));
		web_buf_add(b, ", ");
		web_buf_html(b, t);
		web_buf_add(b, "</li>");
	}
	web_buf_add(b, "</ul>\n");
	if (!jurist || ref == NULL)
		return;
	bool mine = holder != NULL && strcmp(holder, x->s->login) == 0;
	if (open && !mine)
		act_form(b, x, ref, 0, holder != NULL);
	/* a colleague's case is theirs to hand over: take it over first */
	if (open && (holder == NULL || mine))
		act_form(b, x, ref, 1, false);
	act_form(b, x, ref, 2, false);
	if (open)
		act_form(b, x, ref, 3, false);
}

/* text with each CR LF as LF (malloc'ed), the line ends the daemon keeps;
 * NULL when out of memory. */
static char *lf_only(const char *text)
{
	char *o = malloc(strlen(text) + 1), *p = o;
	for (const char *s = text; o != NULL && *s; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*p++ = *s;
	if (o != NULL)
		*p = '\0';
	return o;
}

void web_page_case(const struct web_ctx *x, const struct web_form *f, struct web_page *out)
{
	const char *act = web_form_get(f, "act"), *ref = web_form_get(f, "ref");
	size_t i = 0;
	while (act != NULL && i < NACTS && strcmp(acts[i].act, act) != 0)
		i++;
	if (act == NULL || i == NACTS) {
		web_page_error(400, "Bad request", "choose claim, handover, comment, advice or urgent",
			       out);
		return;
	}
	struct json *j;
	if (!web_req_hold(&j, act, ref, x, out))
		return;
	const char *to = web_form_get(f, "to"), *text = web_form_get(f, "text");
	char *lf = text != NULL ? lf_only(text) : NULL;
	if (acts[i].colleague && to != NULL) {
		json_key(j, "to");
		json_str(j, to);
	}
	if (acts[i].text_key != NULL && lf != NULL) {
		json_key(j, acts[i].text_key);
		json_str(j, lf);
	}
	if (i == 0 && web_form_get(f, "take_over") != NULL) {
		json_key(j, "take_over");
		json_bool(j, true);
	}
	struct web_answer a;
	char why[300];
	if (web_req_call(j, x, &a, why, sizeof why) != 0 || strcmp(a.status, "ok") != 0) {
		web_page_refusal(&a, why, out);
		web_answer_free(&a);
		free(lf);
		return;
	}
	struct web_buf b = {0};
	web_page_begin(&b, "Recorded", x->s);
	web_buf_add(&b, "<p id=\"what\">");
	web_buf_html(&b, web_tr(i == 0 ? "You claimed the case of hold"
				: i == 1 ? "You handed over the case of hold"
				: i == 2 ? "Your comment is recorded on hold"
				: i == 3 ? "Your request for advice is recorded on hold"
					 : "Your request for an urgent review is recorded on hold"));
	web_buf_add(&b, " <a id=\"back\" href=\"/hold/");
	web_buf_url(&b, ref);
	web_buf_add(&b, "\">");
	web_buf_html(&b, ref);
	web_buf_add(&b, "</a>.</p>\n");
	if (i == 4) {
		web_buf_add(&b, "<p id=\"told\">");
		web_buf_html(&b, web_tr("The jurists are told by mail now. A release still needs the "
					"approval of two jurists."));
		web_buf_add(&b, "</p>\n");
	}
	/* what was recorded in the person's words: the note, the comment,
	 * the question, the justification (inert text, its line breaks kept) */
	if (acts[i].text_key != NULL && lf != NULL) {
		web_buf_add(&b, "<h2>");
		web_buf_html(&b, web_tr(i == 1 ? "Your note" : i == 2 ? "Your comment"
					: i == 3 ? "Your question" : "Your justification"));
		web_buf_add(&b, "</h2>\n<pre id=\"case-text\">");
		web_buf_pre(&b, lf, strlen(lf));
		web_buf_add(&b, "</pre>\n");
	}
	free(lf);
	web_case_section(&b, a.root, x, false);
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
