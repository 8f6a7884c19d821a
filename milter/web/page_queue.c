/*
 * page_queue.c - the queue: the open holds the daemon lists ("held") for
 * the signed-in person, soonest expiry first, with what a jurist needs to
 * pick one: sender, Subject (jurists only: the daemon records the list's
 * view as one record), parties, reasons, categories, TLP, how many
 * addresses and which countries, approvals so far, when it expires and
 * how long is left.  Filters by party, reason code and sender go to the
 * daemon as they are: a value it does not know is its error, shown as a
 * 400, never an empty list.  A hold whose sender asked for an urgent
 * review is marked, with how long the request has waited; urgent=1 lists
 * only those, sort=urgent puts them first (longest waiting first).  A
 * sender's queue is the daemon's list of their own mail.  The queue comes
 * in pages of WEB_QUEUE_PAGE holds (?page=N): the daemon orders, reads,
 * records as seen and sends only that page, and counts every hold the
 * filter matches, so a queue of ten thousand is as quick as one of ten
 * and its counts still right.  Filtered by a party, the queue offers one
 * decision over all its matching holds (page_bulk.c: preview first).
 *
 * Public function: web_page_queue().
 * Limits: WEB_QUEUE_PAGE holds a page; page numbers up to WEB_QUEUE_PAGES.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/json.h"
#include "grondslag/base/jsonr.h"
#include "page_priv.h"

/* The filters of the queue: query key and request member. */
static const struct {
	const char *query, *member, *label;
} filters[] = {
	{"party", "party", "Party"},
	{"reason", "reason_code", "Reason code"},
	{"sender", "sender", "Sender"},
};
#define NFILTERS (sizeof filters / sizeof filters[0])
#define WEB_QUEUE_PAGE 100
#define WEB_QUEUE_PAGES 100000

static int by_time_left(const void *a, const void *b)
{
	int64_t x = web_jint(*(const struct jsonr_value *const *)a, "expires_in");
	int64_t y = web_jint(*(const struct jsonr_value *const *)b, "expires_in");
	return (x > y) - (x < y);
}

/* Urgent requests first, the longest waiting first; then by time left. */
static int by_urgency(const void *a, const void *b)
{
	int64_t x = web_jint(*(const struct jsonr_value *const *)a, "urgent_since");
	int64_t y = web_jint(*(const struct jsonr_value *const *)b, "urgent_since");
	if (x != y)
		return x == 0 ? 1 : y == 0 ? -1 : (x > y) - (x < y);
	return by_time_left(a, b);
}

/* Add each comma-separated word of list to the text of words not yet in
 * seen (a ", "-joined text of at most len bytes). */
static void add_unique(char *seen, size_t len, const char *list)
{
	while (list != NULL && *list) {
		size_t n = strcspn(list, ",");
		char w[128];
		snprintf(w, sizeof w, "%.*s", (int)(n < sizeof w - 1 ? n : sizeof w - 1), list);
		bool have = false;
		for (const char *p = seen; *p && !have;) {
			size_t m = strcspn(p, ",");
			have = m == strlen(w) && strncmp(p, w, m) == 0;
			p += m + (p[m] == ',') + (p[m] == ',' && p[m + 1] == ' ');
		}
		if (!have && *w && strlen(seen) + strlen(w) + 3 < len) {
			if (*seen)
				strcat(seen, ", ");
			strcat(seen, w);
		}
		list += n + (list[n] == ',');
	}
}

/* The filter form, with the values given. */
static void filter_form(struct web_buf *b, const struct web_form *q)
{
	web_buf_add(b, "<form method=\"get\" action=\"/\" class=\"filters\">");
	for (size_t i = 0; i < NFILTERS; i++) {
		web_buf_add(b, "<label>");
		web_buf_html(b, web_tr(filters[i].label));
		web_buf_addf(b, " <input name=\"%s\" value=\"", filters[i].query);
		web_buf_html(b, web_form_get(q, filters[i].query));
		web_buf_add(b, "\"></label> ");
	}
	const char *u = web_form_get(q, "urgent"), *sort = web_form_get(q, "sort");
	web_buf_add(b, "<label><input type=\"checkbox\" name=\"urgent\" value=\"1\"");
	web_buf_add(b, u != NULL && strcmp(u, "1") == 0 ? " checked> " : "> ");
	web_buf_html(b, web_tr("urgent only"));
	web_buf_add(b, "</label> <label>");
	web_buf_html(b, web_tr("Sort"));
	web_buf_add(b, " <select name=\"sort\"><option value=\"expiry\">");
	web_buf_html(b, web_tr("soonest expiry first"));
	web_buf_add(b, "</option><option value=\"urgent\"");
	web_buf_add(b, sort != NULL && strcmp(sort, "urgent") == 0 ? " selected>" : ">");
	web_buf_html(b, web_tr("urgent first"));
	web_buf_add(b, "</option></select></label> ");
	web_buf_add(b, "<button type=\"submit\">");
	web_buf_html(b, web_tr("Filter"));
	web_buf_add(b, "</button> <a href=\"/\">");
	web_buf_html(b, web_tr("All"));
	web_buf_add(b, "</a></form>\n");
}

/* The mark of a hold whose sender asked for an urgent review, and how
 * long the request has waited. */
static void urgent_mark(struct web_buf *b, const struct jsonr_value *h, time_t now)
{
	int64_t since = web_jint(h, "urgent_since");
	if (web_jstr(h, "urgent_by") == NULL || since <= 0)
		return;
	char waited[32];
	web_duration((int64_t)now - since, waited, sizeof waited);
	web_buf_add(b, "<strong class=\"urgent\">");
	web_buf_html(b, web_tr("URGENT"));
	web_buf_add(b, "</strong> <span class=\"urgent-waited\">");
	web_buf_html(b, web_tr("asked"));
	web_buf_add(b, " ");
	web_buf_html(b, waited);
	web_buf_add(b, " ");
	web_buf_html(b, web_tr("ago"));
	web_buf_add(b, "</span><br>");
}

/* Where the case stands: an urgent request, who holds it, and advice
 * asked and not yet given (of whom, how long ago); a sender sees the
 * urgent request only. */
static void case_cell(struct web_buf *b, const struct jsonr_value *h, time_t now, bool sender)
{
	const char *holder = web_jstr(h, "holder");
	web_buf_add(b, "<td class=\"case\">");
	urgent_mark(b, h, now);
	if (sender) {
		if (web_jstr(h, "urgent_by") == NULL)
			web_buf_html(b, web_tr("no urgent review asked"));
	} else if (holder != NULL) {
		web_buf_html(b, web_tr("held by"));
		web_buf_add(b, " ");
		web_buf_html(b, holder);
	} else {
		web_buf_html(b, web_tr("unclaimed"));
	}
	if (web_jint(h, "advice_pending") > 0) {
		char waited[32];
		web_duration((int64_t)now - web_jint(h, "advice_since"), waited, sizeof waited);
		web_buf_add(b, "<br><span class=\"advice\">");
		web_buf_html(b, web_tr("advice pending from"));
		web_buf_add(b, " ");
		web_buf_html(b, web_jstr(h, "advice_of"));
		web_buf_addf(b, " (%lld, ", (long long)web_jint(h, "advice_pending"));
		web_buf_html(b, web_tr("waiting"));
		web_buf_add(b, " ");
		web_buf_html(b, waited);
		web_buf_add(b, ")</span>");
	}
	web_buf_add(b, "</td>");
}

/* One row of the queue. */
static void queue_row(struct web_buf *b, const struct jsonr_value *h, uint64_t required,
		      time_t now, bool sender)
{
	const char *ref = web_jstr(h, "ref");
	const struct jsonr_value *sum = jsonr_get(h, "summary");
	const struct jsonr_value *rc = jsonr_get(h, "recipients");
	char parties[1024] = "", reasons[1024] = "", when[64], left[32];
	int64_t most = 0;
	for (size_t i = 0; i < jsonr_count(rc); i++) {
		const struct jsonr_value *r = jsonr_at(rc, i);
		add_unique(parties, sizeof parties, web_jstr(r, "party"));
		add_unique(reasons, sizeof reasons, web_jstr(r, "reasons"));
		if (web_jint(r, "approvals") > most)
			most = web_jint(r, "approvals");
	}
	web_time(web_jint(h, "expires"), when, sizeof when);
	web_duration(web_jint(h, "expires_in"), left, sizeof left);
	web_buf_add(b, web_jstr(h, "urgent_by") != NULL ? "<tr class=\"urgent\">" : "<tr>");
	web_buf_add(b, "<td><a class=\"ref\" href=\"/hold/");
	web_buf_url(b, ref);
	web_buf_add(b, "\">");
	web_buf_html(b, ref);
	web_buf_add(b, "</a></td><td class=\"sender\">");
	web_buf_html(b, web_jstr(h, "sender"));
	web_buf_add(b, "</td><td class=\"subject\">");
	if (web_jstr(h, "subject") != NULL) {
		web_buf_html(b, web_jstr(h, "subject"));
	} else {
		web_buf_add(b, "<em>");
		web_buf_html(b, web_tr("withheld (content: jurists only)"));
		web_buf_add(b, "</em>");
	}
	web_buf_add(b, "</td><td>");
	web_buf_html(b, parties);
	web_buf_add(b, "</td><td>");
	web_buf_html(b, reasons);
	web_buf_add(b, "</td><td>");
	web_categories(b, jsonr_get(sum, "categories"));
	web_buf_add(b, "</td><td>");
	web_words(b, web_jstr(sum, "tlp"));
	web_buf_addf(b, "</td><td>%lld</td><td>",
		     (long long)(web_jint(sum, "public_addresses") + web_jint(sum, "public_networks")));
	web_words(b, web_jstr(sum, "countries"));
	web_buf_addf(b, "</td><td>%lld ", (long long)most);
	web_buf_html(b, web_tr("of"));
	web_buf_addf(b, " %llu</td><td>", (unsigned long long)required);
	web_buf_html(b, when);
	web_buf_add(b, "</td><td class=\"left\">");
	web_buf_html(b, left);
	web_buf_add(b, "</td>");
	case_cell(b, h, now, sender);
	web_buf_add(b, "</tr>\n");
}

/* The form of one decision over every hold the party filter matches
 * (and the reason code, when filtered by one): approve or deny, a basis
 * from the registry's bases valid today for the party (the daemon's
 * list), a justification; it leads to the preview (page_bulk.c), never
 * straight to a decision. */
static void bulk_form(struct web_buf *b, const struct web_form *q, const struct jsonr_value *ans,
		      size_t total, const struct web_ctx *x)
{
	const char *party = web_form_get(q, "party"), *code = web_form_get(q, "reason");
	const struct jsonr_value *bases = jsonr_get(ans, "bases");
	if (party == NULL || *party == '\0' || total == 0 || x->s->sender)
		return;
	web_buf_add(b, "<form method=\"post\" action=\"/bulk\" id=\"bulk-form\">"
		       "<fieldset><legend>");
	web_buf_html(b, web_tr("Decide all"));
	web_buf_addf(b, " <span id=\"bulk-total\">%zu</span> ", total);
	web_buf_html(b, web_tr("matching holds (the recipients of this party still held)"));
	web_buf_add(b, "</legend><input type=\"hidden\" name=\"csrf\" value=\"");
	web_buf_html(b, x->s->csrf);
	web_buf_add(b, "\"><input type=\"hidden\" name=\"party\" value=\"");
	web_buf_html(b, party);
	web_buf_add(b, "\">");
	if (code != NULL && *code != '\0') {
		web_buf_add(b, "<input type=\"hidden\" name=\"code\" value=\"");
		web_buf_html(b, code);
		web_buf_add(b, "\">");
	}
	web_decision_fields(b, bases);
	web_buf_add(b, "</fieldset></form>\n");
}

/* The page number of q ("page", from 1; 1 when absent), 0 when it is no
 * page number. */
static size_t page_of(const struct web_form *q)
{
	const char *v = web_form_get(q, "page");
	if (v == NULL || *v == '\0')
		return 1;
	size_t n = 0;
	for (; *v >= '0' && *v <= '9' && n <= WEB_QUEUE_PAGES; v++)
		n = n * 10 + (size_t)(*v - '0');
	return *v == '\0' && n >= 1 && n <= WEB_QUEUE_PAGES ? n : 0;
}

/* A link to page n of the queue with the filters of q. */
static void page_link(struct web_buf *b, const struct web_form *q, size_t n, const char *rel,
		      const char *label)
{
	web_buf_addf(b, "<a rel=\"%s\" href=\"/?page=%zu", rel, n);
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = web_form_get(q, filters[i].query);
		if (v != NULL && *v) {
			web_buf_addf(b, "&amp;%s=", filters[i].query);
			web_buf_url(b, v);
		}
	}
	static const char *const also[] = {"urgent", "sort"};
	for (size_t i = 0; i < sizeof also / sizeof also[0]; i++) {
		const char *v = web_form_get(q, also[i]);
		if (v != NULL && *v) {
			web_buf_addf(b, "&amp;%s=", also[i]);
			web_buf_url(b, v);
		}
	}
	web_buf_add(b, "\">");
	web_buf_html(b, web_tr(label));
	web_buf_add(b, "</a>");
}

/* Which holds of how many this page shows, and the way to the others. */
static void pager(struct web_buf *b, const struct web_form *q, size_t page, size_t shown,
		  size_t total)
{
	size_t first = (page - 1) * WEB_QUEUE_PAGE;
	size_t pages = (total + WEB_QUEUE_PAGE - 1) / WEB_QUEUE_PAGE;
	if (pages <= 1 && page == 1)
		return;
	web_buf_add(b, "<nav class=\"pager\" aria-label=\"");
	web_buf_html(b, web_tr("Pages of the queue"));
	web_buf_add(b, "\"><p>");
	web_buf_html(b, web_tr("Holds"));
	if (shown > 0)
		web_buf_addf(b, " %zu&ndash;%zu", first + 1, first + shown);
	web_buf_add(b, " ");
	web_buf_html(b, web_tr("of"));
	web_buf_addf(b, " %zu (", total);
	web_buf_html(b, web_tr("page"));
	web_buf_addf(b, " %zu ", page);
	web_buf_html(b, web_tr("of"));
	web_buf_addf(b, " %zu)", pages ? pages : 1);
	if (page > 1) {
		web_buf_add(b, " ");
		page_link(b, q, 1, "first", "First");
		web_buf_add(b, " ");
		page_link(b, q, page - 1 < pages ? page - 1 : (pages ? pages : 1), "prev",
			  "Previous");
	}
	if (page < pages) {
		web_buf_add(b, " ");
		page_link(b, q, page + 1, "next", "Next");
		web_buf_add(b, " ");
		page_link(b, q, pages, "last", "Last");
	}
	web_buf_add(b, "</p></nav>\n");
}

void web_page_queue(const struct web_ctx *x, const struct web_form *q, struct web_page *out)
{
	for (size_t i = 0; i < q->n; i++) {
		size_t k = 0;
		while (k < NFILTERS && strcmp(q->key[i], filters[k].query) != 0)
			k++;
		bool urgent = strcmp(q->key[i], "urgent") == 0, sort = strcmp(q->key[i], "sort") == 0;
		if (k == NFILTERS && !urgent && !sort && strcmp(q->key[i], "page") != 0) {
			web_page_error(400, "Bad request", "unknown filter: use party, reason, sender, "
				       "urgent, sort or page", out);
			return;
		}
		if ((urgent && strcmp(q->val[i], "1") != 0 && *q->val[i] != '\0') ||
		    (sort && strcmp(q->val[i], "urgent") != 0 && strcmp(q->val[i], "expiry") != 0 &&
		     *q->val[i] != '\0')) {
			web_page_error(400, "Bad request", "urgent takes 1, sort takes urgent or expiry",
				       out);
			return;
		}
	}
	const char *uq = web_form_get(q, "urgent"), *sq = web_form_get(q, "sort");
	bool urgent_only = uq != NULL && strcmp(uq, "1") == 0;
	bool urgent_first = sq != NULL && strcmp(sq, "urgent") == 0;
	size_t page = page_of(q);
	if (page == 0) {
		web_page_error(400, "Bad request", "page is a page number", out);
		return;
	}
	struct json *j;
	struct web_answer a;
	if (!web_req_begin(&j, "held", x)) {
		web_page_error(500, "Error", "out of memory", out);
		return;
	}
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = web_form_get(q, filters[i].query);
		if (v != NULL && *v) {
			json_key(j, filters[i].member);
			json_str(j, v);
		}
	}
	if (urgent_only) {
		json_key(j, "urgent");
		json_bool(j, true);
	}
	if (urgent_first) {
		json_key(j, "sort");
		json_str(j, "urgent");
	}
	json_key(j, "offset");
	json_uint(j, (uint64_t)(page - 1) * WEB_QUEUE_PAGE);
	json_key(j, "limit");
	json_uint(j, WEB_QUEUE_PAGE);
	if (!web_req_ok(j, x, &a, out))
		return;
	const struct jsonr_value *holds = jsonr_get(a.root, "holds");
	size_t n = jsonr_count(holds);
	const struct jsonr_value **v = calloc(n + 1, sizeof *v);
	if (v == NULL) {
		web_answer_free(&a);
		web_page_error(500, "Error", "out of memory", out);
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = jsonr_at(holds, i);
	qsort(v, n, sizeof *v, urgent_first ? by_urgency : by_time_left);
	struct web_buf b = {0};
	web_page_begin(&b, x->s->sender ? "Your held mail" : "Open holds", x->s);
	if (x->s->sender) {
		web_buf_add(&b, "<p id=\"sender-help\">");
		web_buf_html(&b, web_tr("Only holds of mail you sent are listed. Open one to see "
					"where it stands or to ask for an urgent review."));
		web_buf_add(&b, "</p>\n");
	}
	filter_form(&b, q);
	/* every hold the filter matches, not only this page's */
	size_t total = (size_t)web_jint(a.root, "total");
	size_t nurgent = (size_t)web_jint(a.root, "urgent_total");
	web_buf_addf(&b, "<p id=\"count\">%zu ", total);
	web_buf_html(&b, web_tr(total == 1 ? "open hold" : "open holds"));
	web_buf_addf(&b, ", <span id=\"count-urgent\">%zu</span> ", nurgent);
	web_buf_html(&b, web_tr("urgent"));
	web_buf_html(&b, web_tr(urgent_first ? ", urgent first (longest waiting first)."
					     : ", soonest expiry first."));
	web_buf_add(&b, "</p>\n");
	bulk_form(&b, q, a.root, total, x);
	pager(&b, q, page, n, total);
	web_buf_add(&b, "<table id=\"queue\"><thead><tr>");
	static const char *const head[] = {"Reference", "Sender", "Subject", "Parties",
					   "Reasons", "Categories", "TLP", "Addresses",
					   "Countries", "Approvals", "Expires on", "Time left",
					   "Case"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		web_th(&b, head[i]);
	web_buf_add(&b, "</tr></thead><tbody>\n");
	uint64_t required = (uint64_t)web_jint(a.root, "required");
	for (size_t i = 0; i < n; i++)
		queue_row(&b, v[i], required, x->now, x->s->sender);
	web_buf_add(&b, "</tbody></table>\n");
	pager(&b, q, page, n, total);
	free(v);
	web_answer_free(&a);
	web_page_end(&b, 200, out);
}
