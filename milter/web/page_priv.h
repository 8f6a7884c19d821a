/*
 * page_priv.h - what the page files (page.c, page_queue.c, page_hold.c,
 * page_decide.c) share.  Private to them.
 */
#ifndef GRONDSLAG_WEB_PAGE_PRIV_H
#define GRONDSLAG_WEB_PAGE_PRIV_H

#include "web.h"

struct json;
/* Start a request of the signed-in person (*j; the caller adds members);
 * false when out of memory. */
bool web_req_begin(struct json **j, const char *cmd, const struct web_ctx *x);
/* End j (freed), send it, read the answer.  0, or -1 + why. */
/* Begin request cmd about the hold ref (its "ref" member written); false
 * with *out an error page when ref is no hold reference or out of memory. */
bool web_req_hold(struct json **j, const char *cmd, const char *ref, const struct web_ctx *x,
		  struct web_page *out);
int web_req_call(struct json *j, const struct web_ctx *x, struct web_answer *a, char *why,
		 size_t whylen);
/* web_req_call() and an "ok" answer into *a: true; else false with *out
 * the refusal (or error) page and *a freed. */
bool web_req_ok(struct json *j, const struct web_ctx *x, struct web_answer *a,
		struct web_page *out);
/* Begin the page of the hold ref titled "label ref" (label translated). */
void web_hold_page_begin(struct web_buf *b, const char *label, const char *ref,
			 const struct web_ctx *x);
unsigned web_status_of(const struct web_answer *a);
/* The page for an answer that is not ok, or for no answer (a->doc NULL). */
void web_page_refusal(const struct web_answer *a, const char *why, struct web_page *out);
void web_time(int64_t t, char *buf, size_t len);
/* One table cell of text (escaped), with class cls (ours) when not NULL. */
void web_cell(struct web_buf *b, const char *cls, const char *text);
/* A list the daemon sends comma-separated (categories, reason codes,
 * "BE:3,NL:1") as a person reads it: ", " between the words, "none" when
 * empty (an empty cell reads as missing data). */
void web_words(struct web_buf *b, const char *csv);
/* The data categories of v, a comma-separated list of their names (a
 * hold's summary) or a bit set (a record of the chain), by the names the
 * CLI uses; in Dutch each with its Dutch name first. */
void web_categories(struct web_buf *b, const struct jsonr_value *v);
/* page_case.c: where the case of the hold h (a show answer) stands, and
 * for a jurist the forms of the acts the case allows now. */
void web_case_section(struct web_buf *b, const struct jsonr_value *h, const struct web_ctx *x,
		      bool jurist);
/* page_case.c: text of several lines (a note, a comment, a
 * justification): each line escaped, a line break between them. */
void web_lines(struct web_buf *b, const char *text);
/* page_hold.c: the fields of a decision, from its "Decision" legend to
 * the submit button: approve or deny, a basis chosen from bases (the
 * daemon's "bases" member, grouped by party), the justification. */
void web_decision_fields(struct web_buf *b, const struct jsonr_value *bases);
/* One table header cell: our label, in the request's language. */
void web_th(struct web_buf *b, const char *label);

#endif
