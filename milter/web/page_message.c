/*
 * page_message.c - the message of one hold as the scanner read it
 * ("content"): its header section, its parts as a tree (archive, office
 * and PDF members nested under their container, by depth) and one page of
 * one part's extracted text.  Everything is shown as escaped text in
 * <pre>, never rendered and never offered as a download: a hostile body
 * or attachment stays inert.  Each page is one request to the daemon,
 * which records it as one view (person, channel, part, offset) and
 * refuses everybody but jurists (recorded too).
 *
 * Public function: web_page_message().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "grondslag/daemon/ctlsock.h"
#include "page_priv.h"

/* A link to page (part, offset) of the message of ref. */
static void link_to(struct web_buf *b, const char *ref, const char *part, uint64_t offset)
{
	web_buf_add(b, "<a href=\"/hold/");
	web_buf_html(b, ref);
	web_buf_add(b, "/message?part=");
	web_buf_url(b, part);
	if (offset > 0)
		web_buf_addf(b, "&amp;offset=%llu", (unsigned long long)offset);
	web_buf_add(b, "\"");
}

/* The parts as nested lists by depth; the shown one marked. */
static void parts_tree(struct web_buf *b, const char *ref, const struct jsonr_value *parts,
		       const char *shown)
{
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Parts"));
	web_buf_add(b, "</h2>\n<ul id=\"message-parts\">");
	int64_t depth = 0;
	for (size_t i = 0; i < jsonr_count(parts); i++) {
		const struct jsonr_value *p = jsonr_at(parts, i);
		int64_t d = web_jint(p, "depth");
		if (d < 0 || d > 32)
			d = 0;
		for (; depth < d; depth++)
			web_buf_add(b, "<li><ul>");
		for (; depth > d; depth--)
			web_buf_add(b, "</ul></li>");
		const char *path = web_jstr(p, "path");
		bool has_text = web_jint(p, "text") > 0 && path != NULL;
		bool here = has_text && shown != NULL && strcmp(path, shown) == 0;
		web_buf_add(b, "<li>");
		if (has_text) {
			link_to(b, ref, path, 0);
			web_buf_add(b, here ? " aria-current=\"page\">" : ">");
		}
		web_buf_html(b, path);
		if (web_jstr(p, "filename") != NULL) {
			web_buf_add(b, " ");
			web_buf_html(b, web_jstr(p, "filename"));
		}
		web_buf_add(b, has_text ? "</a>" : "");
		web_buf_add(b, " (");
		web_buf_html(b, web_jstr(p, "type"));
		web_buf_addf(b, ", %lld %s, %lld %s", (long long)web_jint(p, "bytes"),
			     web_tr("bytes"), (long long)web_jint(p, "text"), web_tr("bytes of text"));
		if (web_jstr(p, "reason") != NULL) {
			web_buf_add(b, ", ");
			web_buf_html(b, web_tr("not read:"));
			web_buf_add(b, " ");
			web_buf_html(b, web_jstr(p, "reason"));
		}
		web_buf_add(b, ")</li>");
	}
	for (; depth > 0; depth--)
		web_buf_add(b, "</ul></li>");
	web_buf_add(b, "</ul>\n");
}

/* One page of a part's text, with the way to the pages around it. */
static void text_page(struct web_buf *b, const char *ref, const struct jsonr_value *pg)
{
	const char *part = web_jstr(pg, "part");
	size_t len = 0;
	const char *text = jsonr_strn(jsonr_get(pg, "text"), &len);
	uint64_t off = (uint64_t)web_jint(pg, "offset"), total = (uint64_t)web_jint(pg, "total");
	web_buf_add(b, "<h2>");
	web_buf_html(b, web_tr("Text of part"));
	web_buf_add(b, " ");
	web_buf_html(b, part != NULL ? part : "-");
	web_buf_addf(b, "</h2>\n<p id=\"page-range\">%s %llu&#8211;%llu %s %llu</p>\n",
		     web_tr("Bytes"), (unsigned long long)(len ? off + 1 : off),
		     (unsigned long long)(off + len), web_tr("of"), (unsigned long long)total);
	web_buf_add(b, "<pre id=\"message-text\">");
	web_buf_pre(b, text, text != NULL ? len : 0);
	web_buf_add(b, "</pre>\n<p>");
	if (part != NULL && off > 0) {
		uint64_t prev = off > CTLSOCK_CONTENT_PAGE ? off - CTLSOCK_CONTENT_PAGE : 0;
		link_to(b, ref, part, prev);
		web_buf_add(b, " id=\"prev-page\">");
		web_buf_html(b, web_tr("Previous page"));
		web_buf_add(b, "</a> ");
	}
	if (part != NULL && jsonr_type(jsonr_get(pg, "next")) != JSONR_NULL) {
		link_to(b, ref, part, (uint64_t)web_jint(pg, "next"));
		web_buf_add(b, " id=\"next-page\">");
		web_buf_html(b, web_tr("Next page"));
		web_buf_add(b, "</a>");
	}
	web_buf_add(b, "</p>\n");
}

/* The query's offset: digits only; false when malformed. */
static bool offset_of(const struct web_form *q, uint64_t *out)
{
	const char *o = web_form_get(q, "offset");
	*out = 0;
	if (o == NULL)
		return true;
	if (*o == '\0' || strlen(o) > 15 || o[strspn(o, "0123456789")] != '\0')
		return false;
	*out = strtoull(o, NULL, 10);
	return true;
}

void web_page_message(const struct web_ctx *x, const char *ref, const struct web_form *q,
		      struct web_page *out)
{
	uint64_t offset;
	const char *part = web_form_get(q, "part");
	for (size_t i = 0; i < q->n; i++)
		if (strcmp(q->key[i], "part") != 0 && strcmp(q->key[i], "offset") != 0) {
			web_page_error(400, "Bad request", "unknown parameter", out);
			return;
		}
	if (!offset_of(q, &offset) || (part != NULL && *part == '\0')) {
		web_page_error(400, "Bad request", "part is a part's path, offset a number", out);
		return;
	}
	struct json *j;
	struct web_answer a;
	if (!web_req_hold(&j, "content", ref, x, out))
		return;
	if (part != NULL) {
		json_key(j, "part");
		json_str(j, part);
	}
	json_key(j, "offset");
	json_uint(j, offset);
	if (!web_req_ok(j, x, &a, out))
		return;
	struct web_buf b = {0};
	size_t hlen = 0;
	const char *headers = jsonr_strn(jsonr_get(a.root, "headers"), &hlen);
	const struct jsonr_value *pg = jsonr_get(a.root, "page");
	web_hold_page_begin(&b, "Message of hold", ref, x);
	web_buf_add(&b, "<p><a href=\"/hold/");
	web_buf_html(&b, ref);
	web_buf_add(&b, "\">");
	web_buf_html(&b, web_tr("Back to the hold"));
	web_buf_add(&b, "</a></p>\n<p>");
	web_buf_html(&b, web_tr("The message as the scanner read it, shown as text: nothing in it "
				"is run or opened. Each page you open is recorded."));
	web_buf_add(&b, "</p>\n<h2>");
	web_buf_html(&b, web_tr("Headers"));
	web_buf_add(&b, "</h2>\n<pre id=\"message-headers\">");
	web_buf_pre(&b, headers, headers != NULL ? hlen : 0);
	web_buf_add(&b, "</pre>\n");
	parts_tree(&b, ref, jsonr_get(a.root, "parts"), web_jstr(pg, "part"));
	text_page(&b, ref, pg);
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
