/*
 * page_overview.c - GET /overview: the state of the holds at a glance,
 * for admins and auditors (jurists may look too): how many are open and
 * in which state, the oldest, how many expire within the warning time
 * (and are overdue), the releases that keep failing with the relay's last
 * reply; the holds named link to their pages.  One "overview" request to
 * the daemon, which sends counts, references and times only: no Subject,
 * no address, no content, so nothing is recorded as a view.
 *
 * Public function: web_page_overview().
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "page_priv.h"

/* The counts, one row each. */
static void counts(struct web_buf *b, const struct jsonr_value *c)
{
	static const struct {
		const char *key, *label;
	} rows[] = {
		{"open", "Open holds"},
		{"pending", "waiting for a first approval"},
		{"partly_approved", "waiting for a second jurist"},
		{"releasing", "being released"},
		{"expiring_soon", "Expiring soon"},
		{"overdue", "Past their expiry"},
		{"release_failing", "Release failures"},
	};
	web_buf_add(b, "<table id=\"counts\"><tbody>\n");
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		web_buf_add(b, "<tr><th scope=\"row\">");
		web_buf_html(b, web_tr(rows[i].label));
		web_buf_addf(b, "</th><td id=\"count-%s\">%lld</td></tr>\n", rows[i].key,
			     (long long)web_jint(c, rows[i].key));
	}
	web_buf_add(b, "</tbody></table>\n");
}

/* A list of holds: reference (a link), state, received, expiry and time
 * left, and for failing releases the attempts and the relay's reply. */
static void holds(struct web_buf *b, const char *id, const char *title,
		  const struct jsonr_value *l, bool release)
{
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr(title));
	web_buf_add(b, "</h2>\n");
	if (jsonr_count(l) == 0) {
		web_buf_addf(b, "<p id=\"%s\">", id);
		web_buf_html(b, web_tr("none"));
		web_buf_add(b, "</p>\n");
		return;
	}
	web_buf_addf(b, "<table id=\"%s\"><thead><tr>", id);
	static const char *const head[] = {"Reference", "State", "Received", "Expires on",
					   "Time left"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		web_th(b, head[i]);
	if (release) {
		web_th(b, "Attempts");
		web_th(b, "Last reply of the relay");
	}
	web_buf_add(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < jsonr_count(l); i++) {
		const struct jsonr_value *h = jsonr_at(l, i);
		char received[64], expires[64], left[32];
		web_time(web_jint(h, "received"), received, sizeof received);
		web_time(web_jint(h, "expires"), expires, sizeof expires);
		web_duration(web_jint(h, "expires_in"), left, sizeof left);
		web_buf_add(b, "<tr><td><a class=\"ref\" href=\"/hold/");
		web_buf_url(b, web_jstr(h, "ref"));
		web_buf_add(b, "\">");
		web_buf_html(b, web_jstr(h, "ref"));
		web_buf_add(b, "</a></td>");
		web_cell(b, "state", web_jstr(h, "state"));
		web_cell(b, NULL, received);
		web_cell(b, NULL, expires);
		web_cell(b, "left", left);
		if (release) {
			web_cell(b, "attempts", web_jstr(h, "release_attempts"));
			web_cell(b, "reply", web_jstr(h, "release_error"));
		}
		web_buf_add(b, "</tr>\n");
	}
	web_buf_add(b, "</tbody></table>\n");
}

void web_page_overview(const struct web_ctx *x, struct web_page *out)
{
	struct json *j;
	struct web_answer a;
	char why[300];
	if (!web_req_begin(&j, "overview", x)) {
		web_page_error(500, "Error", "out of memory", out);
		return;
	}
	if (web_req_call(j, x, &a, why, sizeof why) != 0 || strcmp(a.status, "ok") != 0) {
		web_page_refusal(&a, why, out);
		web_answer_free(&a);
		return;
	}
	struct web_buf b = {0};
	web_page_begin(&b, "Overview", x->s);
	counts(&b, jsonr_get(a.root, "counts"));
	web_buf_add(&b, "<p id=\"warning-days\">");
	web_buf_html(&b, web_tr("Expiring soon: within"));
	web_buf_addf(&b, " %lld ", (long long)web_jint(a.root, "expiry_warning_days"));
	web_buf_html(&b, web_tr("days (ExpiryWarning)."));
	web_buf_add(&b, "</p>\n");
	holds(&b, "oldest", "Oldest open hold", jsonr_get(a.root, "oldest"), false);
	holds(&b, "expiring", "Expiring soon", jsonr_get(a.root, "expiring"), false);
	holds(&b, "release-failures", "Release failures", jsonr_get(a.root, "release_failures"),
	      true);
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
