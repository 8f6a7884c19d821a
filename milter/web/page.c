/*
 * page.c - the console's frame, the queue and a hold.  Each page is one
 * request to the daemon on behalf of the signed-in person; what the
 * daemon answers is shown, escaped (buf.c), and nothing is kept.  No
 * script anywhere: links and forms only, one stylesheet of our own.
 *
 * Public functions: web_page_begin(), web_page_end(), web_page_error(),
 * web_page_queue(), web_page_hold(), web_duration(), web_jstr(),
 * web_jint().
 * Limits: a page is at most WEB_PAGE_MAX bytes (else a 500 page);
 * the queue shows what the daemon lists (its own limit, "truncated").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/scan/findings.h"
#include "grondslag/store/store.h"
#include "page_priv.h"

const char *web_jstr(const struct jsonr_value *v, const char *key)
{
	const struct jsonr_value *m = jsonr_get(v, key);
	return jsonr_type(m) == JSONR_STRING || jsonr_type(m) == JSONR_NUMBER ? jsonr_str(m) : NULL;
}

int64_t web_jint(const struct jsonr_value *v, const char *key)
{
	const char *s = jsonr_type(jsonr_get(v, key)) == JSONR_NUMBER ? web_jstr(v, key) : NULL;
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

void web_duration(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "overdue");
	else if (s >= 86400)
		snprintf(buf, len, "%lldd %02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	else if (s >= 3600)
		snprintf(buf, len, "%lldh %02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lldm", (long long)(s / 60));
}

/* "2024-01-10 12:00 UTC" of Unix time t. */
void web_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, len, "?");
}

void web_cell(struct web_buf *b, const char *cls, const char *text)
{
	if (cls != NULL)
		web_buf_addf(b, "<td class=\"%s\">", cls);
	else
		web_buf_add(b, "<td>");
	web_buf_html(b, text);
	web_buf_add(b, "</td>");
}

void web_words(struct web_buf *b, const char *csv)
{
	if (csv == NULL || *csv == '\0') {
		web_buf_html(b, web_tr("none"));
		return;
	}
	char *s = malloc(2 * strlen(csv) + 1);
	if (s == NULL) {
		b->failed = true;
		return;
	}
	char *o = s;
	for (const char *p = csv; *p != '\0'; p++) {
		*o++ = *p;
		if (*p == ',' && p[1] != ' ')
			*o++ = ' ';
	}
	*o = '\0';
	web_buf_html(b, s);
	free(s);
}

/* One category's name, and in Dutch its Dutch name before it. */
static void category_word(struct web_buf *b, const char *name, bool first)
{
	const char *tr = web_tr(name);
	web_buf_add(b, first ? "" : ", ");
	if (strcmp(tr, name) != 0) {
		web_buf_html(b, tr);
		web_buf_add(b, " (");
		web_buf_html(b, name);
		web_buf_add(b, ")");
	} else {
		web_buf_html(b, name);
	}
}

void web_categories(struct web_buf *b, const struct jsonr_value *v)
{
	uint64_t mask = 0;
	bool any = false;
	if (jsonr_type(v) == JSONR_NUMBER && jsonr_u64(v, &mask)) {
		/* the record keeps the bit set: the same names as the CLI's
		 * (category_name()), never the number */
		for (unsigned bit = 1; bit <= CAT_LAST; bit <<= 1)
			if (mask & bit) {
				category_word(b, category_name((enum category)bit), !any);
				any = true;
			}
		uint64_t unknown = mask & ~(uint64_t)((CAT_LAST << 1) - 1);
		if (unknown != 0) {
			web_buf_add(b, any ? ", " : "");
			web_buf_addf(b, "%s %llu", web_tr("unknown bits"), (unsigned long long)unknown);
			any = true;
		}
	} else if (jsonr_type(v) == JSONR_STRING) {
		const char *c = jsonr_str(v);
		while (c != NULL && *c) {
			size_t n = strcspn(c, ", ");
			if (n > 0 && n < 64) {
				char w[64];
				snprintf(w, sizeof w, "%.*s", (int)n, c);
				category_word(b, w, !any);
				any = true;
			}
			c += n + strspn(c + n, ", ");
		}
	}
	if (!any)
		web_buf_html(b, web_tr("none"));
}

void web_th(struct web_buf *b, const char *label)
{
	web_buf_add(b, "<th>");
	web_buf_html(b, web_tr(label));
	web_buf_add(b, "</th>");
}

void web_page_begin(struct web_buf *b, const char *title, const struct web_session *s)
{
	web_buf_addf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
		     web_lang());
	web_buf_add(b, ""
		       "<meta name=\"viewport\" content=\"width=device-width\">"
		       "<meta name=\"referrer\" content=\"same-origin\"><title>");
	web_buf_html(b, web_tr(title));
	web_buf_add(b, " - grondslag</title><link rel=\"stylesheet\" href=\"/style.css\"></head>"
		       "<body><header><nav><a href=\"/\">");
	web_buf_html(b, web_tr(s != NULL && s->sender ? "My held mail" : "Queue"));
	web_buf_add(b, "</a>");
	if (s == NULL || !s->sender) {
		web_buf_add(b, " <a href=\"/overview\">");
		web_buf_html(b, web_tr("Overview"));
		web_buf_add(b, "</a>");
	}
	web_buf_add(b, "</nav>");
	if (s != NULL) {
		web_buf_add(b, "<p class=\"who\">");
		web_buf_html(b, web_tr("Signed in as"));
		web_buf_add(b, " <strong id=\"person\">");
		web_buf_html(b, s->login);
		web_buf_add(b, "</strong></p>");
	}
	web_buf_add(b, "</header><main><h1>");
	web_buf_html(b, web_tr(title));
	web_buf_add(b, "</h1>\n");
}

void web_page_end(struct web_buf *b, unsigned status, struct web_page *out)
{
	web_buf_add(b, "</main></body></html>\n");
	out->body = web_buf_take(b, &out->len);
	out->status = status;
	if (out->body == NULL)
		web_page_error(500, "Error", "the page could not be made (out of memory or too large)",
			       out);
}

void web_page_error(unsigned status, const char *title, const char *text,
		    struct web_page *out)
{
	struct web_buf b = {0};
	web_page_begin(&b, title, NULL);
	web_buf_add(&b, "<p class=\"error\" id=\"error\">");
	web_buf_html(&b, web_tr(text));
	web_buf_add(&b, "</p>");
	web_buf_add(&b, "</main></body></html>\n");
	out->status = status;
	out->body = web_buf_take(&b, &out->len);
	if (out->body == NULL) {
		static const char oom[] = "<!DOCTYPE html><title>Error</title><p>out of memory</p>\n";
		out->body = strdup(oom);
		out->len = out->body ? strlen(oom) : 0;
	}
}

/* The HTTP status of a daemon answer that is not ok. */
unsigned web_status_of(const struct web_answer *a)
{
	const char *s = a->status;
	return strcmp(s, "refused") == 0 ? 403 : strcmp(s, "not-found") == 0 ? 404
	       : strcmp(s, "bad-request") == 0 ? 400 : 502;
}

/* The page for an answer that is not ok (or no answer: why). */
void web_page_refusal(const struct web_answer *a, const char *why, struct web_page *out)
{
	if (a == NULL || a->doc == NULL) {
		web_page_error(502, "The daemon did not answer", why, out);
		return;
	}
	char title[64];
	unsigned st = web_status_of(a);
	snprintf(title, sizeof title, "%s", st == 403 ? "Refused" : st == 404 ? "Not found"
					 : st == 400 ? "Bad request" : "Error");
	web_page_error(st, title, a->error, out);
}

bool web_req_begin(struct json **j, const char *cmd, const struct web_ctx *x)
{
	*j = json_new_string();
	if (*j == NULL)
		return false;
	json_obj_begin(*j);
	json_key(*j, "cmd");
	json_str(*j, cmd);
	json_key(*j, "on_behalf_of");
	json_str(*j, x->s->login);
	return true;
}

bool web_req_hold(struct json **j, const char *cmd, const char *ref, const struct web_ctx *x,
		  struct web_page *out)
{
	if (ref == NULL || !store_ref_valid(ref)) {
		web_page_error(404, "Not found", "this is not a hold reference", out);
		return false;
	}
	if (!web_req_begin(j, cmd, x)) {
		web_page_error(500, "Error", "out of memory", out);
		return false;
	}
	json_key(*j, "ref");
	json_str(*j, ref);
	return true;
}

int web_req_call(struct json *j, const struct web_ctx *x, struct web_answer *a, char *why,
		 size_t whylen)
{
	json_obj_end(j);
	size_t len = 0;
	char *req = json_string_done(j, &len);
	if (req == NULL) {
		snprintf(why, whylen, "out of memory");
		memset(a, 0, sizeof *a);
		return -1;
	}
	/* one line: the daemon reads up to the newline */
	char *line = realloc(req, len + 2);
	if (line == NULL) {
		free(req);
		snprintf(why, whylen, "out of memory");
		memset(a, 0, sizeof *a);
		return -1;
	}
	line[len++] = '\n';
	line[len] = '\0';
	int rc = web_ctl_call(x->socket, line, len, a, why, whylen);
	free(line);
	return rc;
}

bool web_req_ok(struct json *j, const struct web_ctx *x, struct web_answer *a,
		struct web_page *out)
{
	char why[300];
	if (web_req_call(j, x, a, why, sizeof why) != 0 || strcmp(a->status, "ok") != 0) {
		web_page_refusal(a, why, out);
		web_answer_free(a);
		return false;
	}
	return true;
}

void web_hold_page_begin(struct web_buf *b, const char *label, const char *ref,
			 const struct web_ctx *x)
{
	char title[64];
	snprintf(title, sizeof title, "%s %s", web_tr(label), ref);
	web_page_begin(b, title, x->s);
}
