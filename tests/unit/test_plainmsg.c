/*
 * test_plainmsg.c - the plain-text fast path of the walker (plainmsg.h).
 *
 * Two tables.  The first says which messages are plain and what the
 * recogniser takes from them (Subject, charset, body).  The second walks
 * every message of both tables twice, with the fast path and with GMime
 * always (walk_limits.gmime_always), and requires the same parts (path,
 * type, bytes, status, reason) and the same text handed to the scanner:
 * the fast path may only ever save time.
 */
#include "testutil.h"

#include <glib.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/plainmsg.h"
#include "grondslag/scan/walk.h"

#define LIST "8.8.8.8\r\n193.0.6.139\r\n2a00:1450:4001::1\r\n"

struct row {
	const char *name;
	const char *msg;
	bool plain;
	const char *subject;	/* want, NULL: none */
	const char *charset;	/* want, "" none */
	const char *body;	/* want the body to start with this */
};

static const struct row rows[] = {
	{"bare", "From: a@example.org\r\nTo: b@example.net\r\n\r\nhello " LIST, true, NULL, "",
	 "hello"},
	{"subject", "Subject: weekly list\r\nFrom: a@example.org\r\n\r\nbody\r\n", true,
	 "weekly list", "", "body"},
	{"subject with address", "Subject: see 8.8.4.4 now\r\n\r\n" LIST, true, "see 8.8.4.4 now",
	 "", "8.8.8.8"},
	{"subject padded", "Subject:    padded   \r\n\r\nx\r\n", true, "padded", "", "x"},
	{"empty subject", "Subject:\r\n\r\nx\r\n", true, NULL, "", "x"},
	{"LF only", "Subject: lf\nFrom: a@example.org\n\n" "8.8.8.8\n", true, "lf", "", "8.8.8.8"},
	{"text/plain", "Content-Type: text/plain\r\n\r\nx " LIST, true, NULL, "", "x"},
	{"charset utf-8", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	 "Content-Transfer-Encoding: 8bit\r\n\r\nna\xc3\xafve " LIST, true, NULL, "UTF-8", "na"},
	{"charset us-ascii", "Content-Type: TEXT/PLAIN;charset=us-ascii\r\n\r\nx\r\n", true, NULL,
	 "us-ascii", "x"},
	{"7bit", "Content-Transfer-Encoding: 7BIT\r\n\r\nx\r\n", true, NULL, "", "x"},
	{"folded other header", "Received: from a\r\n\tby b\r\nSubject: s\r\n\r\nx\r\n", true,
	 "s", "", "x"},
	{"TLP marker", "Subject: TLP:AMBER list\r\n\r\nTLP:AMBER\r\n" LIST, true,
	 "TLP:AMBER list", "", "TLP:AMBER"},
	{"empty body", "Subject: nothing\r\n\r\n", true, "nothing", "", ""},
	/* every doubt goes to GMime */
	{"no blank line", "Subject: s\r\nFrom: a@example.org\r\n", false, NULL, "", NULL},
	{"mbox From line", "From a@example.org Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n",
	 false, NULL, "", NULL},
	{"multipart", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n",
	 false, NULL, "", NULL},
	{"text/html", "Content-Type: text/html\r\n\r\n<p>8.8.8.8</p>\r\n", false, NULL, "", NULL},
	{"charset latin1", "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nx\r\n", false,
	 NULL, "", NULL},
	{"charset quoted", "Content-Type: text/plain; charset=\"utf-8\"\r\n\r\nx\r\n", false, NULL,
	 "", NULL},
	{"two parameters", "Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\nx\r\n",
	 false, NULL, "", NULL},
	{"base64", "Content-Transfer-Encoding: base64\r\n\r\nOC44LjguOA==\r\n", false, NULL, "",
	 NULL},
	{"quoted-printable", "Content-Transfer-Encoding: quoted-printable\r\n\r\n8.8=\r\n.8.8\r\n",
	 false, NULL, "", NULL},
	{"disposition", "Content-Disposition: attachment; filename=a.csv\r\n\r\nx\r\n", false,
	 NULL, "", NULL},
	{"two content types", "Content-Type: text/plain\r\nContent-Type: text/html\r\n\r\nx\r\n",
	 false, NULL, "", NULL},
	{"two subjects", "Subject: a\r\nSubject: b\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"encoded subject", "Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"folded subject", "Subject: a\r\n b\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"folded content type", "Content-Type: text/plain;\r\n charset=utf-8\r\n\r\nx\r\n", false,
	 NULL, "", NULL},
	{"double blank in subject", "Subject: a  b\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"tab in subject", "Subject: a\tb\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"8-bit header", "Subject: caf\xc3\xa9\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"NUL in header", "Subject: a\0b\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"line without colon", "Subject: a\r\nnot a header\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"blank in name", "Subject : a\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"first line folded", " Subject: a\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"mime-version 2", "MIME-Version: 2.0\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"bare CR", "Subject: a\rb\r\n\r\nx\r\n", false, NULL, "", NULL},
	{"too short", "x\n\n", false, NULL, "", NULL},
};

/* The length of a row's message (rows may hold a NUL). */
static size_t row_len(const struct row *r)
{
	if (strcmp(r->name, "NUL in header") == 0)
		return sizeof "Subject: a\0b\r\n\r\nx\r\n" - 1;
	return strlen(r->msg);
}

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		struct plainmsg pm;
		size_t len = row_len(r);
		bool got = plainmsg_parse(r->msg, len, &pm);
		assert_int_eq_msg(r->name, got, r->plain);
		if (!got)
			continue;
		char subject[256];
		snprintf(subject, sizeof subject, "%.*s", (int)pm.subject_len,
			 pm.subject ? pm.subject : "");
		assert_str_eq_msg(r->name, pm.subject ? subject : NULL, r->subject);
		assert_str_eq_msg(r->name, pm.charset, r->charset);
		if (pm.body > len || strncmp(r->msg + pm.body, r->body, strlen(r->body)) != 0)
			fail_msg("%s: body at %zu is \"%.20s\", want \"%s...\"", r->name, pm.body,
				 r->msg + (pm.body <= len ? pm.body : len), r->body);
	}
}

static void test_parse_limits(void **state)
{
	(void)state;
	struct plainmsg pm;
	assert_false(plainmsg_parse(NULL, 10, &pm));
	assert_false(plainmsg_parse("", 0, &pm));
	/* a header block past PLAINMSG_MAX_HEADER goes to GMime */
	GString *s = g_string_new(NULL);
	while (s->len <= PLAINMSG_MAX_HEADER)
		g_string_append(s, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	g_string_append(s, "\r\nbody\r\n");
	if (plainmsg_parse(s->str, s->len, &pm))
		fail_msg("header of %zu bytes: got plain, want GMime", s->len);
	g_string_free(s, TRUE);
	/* the message ends inside the header: no */
	static const char cut[] = "Subject: a\r\nFrom: b";
	assert_false(plainmsg_parse(cut, sizeof cut - 1, &pm));
}

/* ---- both ways, same findings ----------------------------------------------- */

static void on_begin(void *arg, unsigned part)
{
	g_string_append_printf(arg, "[%u:", part);
}

static int on_text(void *arg, unsigned part, const char *buf, size_t len)
{
	(void)part;
	g_string_append_len(arg, buf, (gssize)len);
	return 0;
}

static void on_end(void *arg, unsigned part)
{
	g_string_append_printf(arg, ":%u]", part);
}

/* Everything the walk produced as one string. */
static char *walk_summary(const char *msg, size_t len, bool gmime_always)
{
	struct walk_limits lim;
	walk_limits_default(&lim);
	lim.gmime_always = gmime_always;
	struct findings *f = findings_alloc();
	assert_non_null(f);
	GString *s = g_string_new(NULL);
	const struct walk_handler h = {on_begin, on_text, on_end};
	int rc = walk_message(msg, len, &lim, f, &h, s);
	g_string_append_printf(s, " rc=%d reason=%s", rc,
			       unscan_reason_name(findings_message_reason(f)));
	for (size_t i = 0; i < findings_part_count(f); i++) {
		const struct finding_part *p = findings_part(f, i);
		g_string_append_printf(s, " {%s %s %s %llu %s %s %u}", p->path, p->type,
				       p->filename ? p->filename : "-", (unsigned long long)p->bytes,
				       part_status_name(p->status), unscan_reason_name(p->reason),
				       p->depth);
	}
	findings_free(f);
	return g_string_free(s, FALSE);
}

static void test_same_findings(void **state)
{
	(void)state;
	size_t plain = 0;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		size_t len = row_len(r);
		char *fast = walk_summary(r->msg, len, false);
		char *slow = walk_summary(r->msg, len, true);
		if (strcmp(fast, slow) != 0)
			fail_msg("%s: fast path \"%s\", GMime \"%s\"", r->name, fast, slow);
		plain += r->plain;
		g_free(fast);
		g_free(slow);
	}
	/* the table must keep exercising the fast path */
	assert_true(plain >= 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_same_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
