/*
 * test_web_html.c - the console's one way from a value to HTML
 * (milter/web/buf.c): markup as entities, controls, bidirectional and
 * invisible characters as a visible [U+XXXX], bytes that are not UTF-8
 * as U+FFFD; query components percent-encoded; the page size limit; the
 * language from Accept-Language and the Dutch texts (i18n.c).
 */
#include "testutil.h"

#include "grondslag/base/jsonr.h"
#include "page_priv.h"
#include "web.h"

static void test_html_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"plain text", "plain text"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"\"><img src=x onerror=alert(2)>", "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"},
		{"a'b&c", "a&#39;b&amp;c"},
		{"javascript:alert(3)", "javascript:alert(3)"},
		{"line\r\nInjected: 1", "line[U+000D][U+000A]Injected: 1"},
		{"tab\there", "tab here"},
		{"nul\x01" "del\x7f", "nul[U+0001]del[U+007F]"},
		{"\xe2\x80\xae" "gpj.exe", "[U+202E]gpj.exe"},		/* RLO */
		{"a\xe2\x81\xa6" "b\xe2\x81\xa9", "a[U+2066]b[U+2069]"},	/* LRI, PDI */
		{"zero\xe2\x80\x8bwidth", "zero[U+200B]width"},
		{"bom\xef\xbb\xbf", "bom[U+FEFF]"},
		{"c1\xc2\x85", "c1[U+0085]"},
		{"line\xe2\x80\xa8sep", "line[U+2028]sep"},
		{"caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5\xf0\x9f\x98\x80"},
		{"bad \xff byte", "bad &#xFFFD; byte"},
		{"overlong \xc0\xbc", "overlong &#xFFFD;&#xFFFD;"},
		{"surrogate \xed\xa0\x80", "surrogate &#xFFFD;&#xFFFD;&#xFFFD;"},
		{"cut \xe2\x80", "cut &#xFFFD;&#xFFFD;"},
		{"", ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct web_buf b = {0};
		web_buf_add(&b, "");
		web_buf_html(&b, cases[i].in);
		char *got = web_buf_take(&b, NULL);
		assert_str_eq_msg(cases[i].in, got ? got : "(NULL)", cases[i].want);
		free(got);
	}
}

/* Text for a <pre> (a message's headers, body, attachment text): escaped
 * like any value, but its lines and tabs kept; a NUL inside is shown. */
static void test_pre_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{"a\nb\r\nc\td", 8, "a\nb\nc\td"},
		{"<script>alert(1)</script>\n", 26, "&lt;script&gt;alert(1)&lt;/script&gt;\n"},
		{"<a href=\"javascript:x\">", 23, "&lt;a href=&quot;javascript:x&quot;&gt;"},
		{"lone\rCR", 7, "lone[U+000D]CR"},
		{"end\r", 4, "end[U+000D]"},
		{"nul\0inside", 10, "nul[U+0000]inside"},
		{"\xe2\x80\xae" "gpj.exe\n", 11, "[U+202E]gpj.exe\n"},
		{"bad \xff\n", 6, "bad &#xFFFD;\n"},
		{"", 0, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct web_buf b = {0};
		web_buf_add(&b, "");
		web_buf_pre(&b, cases[i].in, cases[i].len);
		char *got = web_buf_take(&b, NULL);
		assert_str_eq_msg(cases[i].in, got ? got : "(NULL)", cases[i].want);
		free(got);
	}
}

/* The daemon's comma lists as a person reads them, escaped like any text. */
static void test_words(void **state)
{
	(void)state;
	static const struct {
		const char *lang, *in, *want;
	} cases[] = {
		{"en", "provider-traceable,incident,personal-data",
		 "provider-traceable, incident, personal-data"},
		{"en", "BE:3,NL:1", "BE:3, NL:1"},
		{"en", "no-basis, own-domain", "no-basis, own-domain"},
		{"en", "AMBER", "AMBER"},
		{"en", "", "none"},
		{"en", NULL, "none"},
		{"nl", "", "geen"},
		{"en", "a,<b>", "a, &lt;b&gt;"},
		{"en", "a,", "a, "},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		web_lang_set(cases[i].lang);
		struct web_buf b = {0};
		web_buf_add(&b, "");
		web_words(&b, cases[i].in);
		char *got = web_buf_take(&b, NULL);
		assert_str_eq_msg(cases[i].in ? cases[i].in : "(NULL)", got ? got : "(NULL)",
				  cases[i].want);
		free(got);
	}
	web_lang_set("en");
}

/* The data categories by name, whether the daemon sends the names (a
 * summary) or the record's bit set (the history: never "categories: 11"). */
static void test_categories(void **state)
{
	(void)state;
	static const struct {
		const char *lang, *json, *want;
	} cases[] = {
		{"en", "11", "provider-traceable, incident, personal-data"},
		{"en", "4", "unscannable"},
		{"en", "16", "credentials"},
		{"en", "0", "none"},
		{"en", "96", "unknown bits 96"},
		{"en", "33", "provider-traceable, unknown bits 32"},
		{"en", "\"provider-traceable,personal-data\"", "provider-traceable, personal-data"},
		{"en", "\"\"", "none"},
		{"en", "null", "none"},
		{"en", "\"a,<b>\"", "a, &lt;b&gt;"},
		{"nl", "11", "herleidbaar tot een aanbieder (provider-traceable), incidentgegevens "
			     "(incident), persoonsgegevens (personal-data)"},
		{"nl", "\"unscannable,credentials\"",
		 "niet te scannen (unscannable), inloggegevens (credentials)"},
		{"nl", "0", "geen"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		web_lang_set(cases[i].lang);
		struct jsonr_doc *d = jsonr_parse(cases[i].json, strlen(cases[i].json), NULL, NULL);
		assert_non_null(d);
		struct web_buf b = {0};
		web_buf_add(&b, "");
		web_categories(&b, jsonr_root(d));
		char *got = web_buf_take(&b, NULL);
		char name[64];
		snprintf(name, sizeof name, "%s %s", cases[i].lang, cases[i].json);
		assert_str_eq_msg(name, got ? got : "(NULL)", cases[i].want);
		free(got);
		jsonr_free(d);
	}
	web_lang_set("en");
}

static void test_url_escape(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"cert-be", "cert-be"},
		{"a b&c=d", "a%20b%26c%3Dd"},
		{"javascript:alert(1)", "javascript%3Aalert%281%29"},
		{"\"><", "%22%3E%3C"},
		{"\xc3\xa9", "%C3%A9"},
		{"~._-", "~._-"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct web_buf b = {0};
		web_buf_url(&b, cases[i].in);
		char *got = web_buf_take(&b, NULL);
		assert_str_eq_msg(cases[i].in, got ? got : "(NULL)", cases[i].want);
		free(got);
	}
}

static void test_page_limit(void **state)
{
	(void)state;
	struct web_buf b = {0};
	char chunk[4096];
	memset(chunk, '<', sizeof chunk - 1);
	chunk[sizeof chunk - 1] = '\0';
	/* escaping quadruples: the limit is hit, the buffer says failed */
	for (size_t i = 0; i < WEB_PAGE_MAX / 4096 && !b.failed; i++)
		web_buf_html(&b, chunk);
	assert_true(b.failed);
	assert_null(web_buf_take(&b, NULL));
	/* an error page is still made (from nothing of the above) */
	struct web_page p = {0};
	web_page_error(403, "No access", "<b>why</b>", &p);
	assert_int_eq_msg("status", (int)p.status, 403);
	if (strstr(p.body, "&lt;b&gt;why&lt;/b&gt;") == NULL || strstr(p.body, "<b>") != NULL)
		fail_msg("error page: %s", p.body);
	free(p.body);
}

static void test_duration(void **state)
{
	(void)state;
	static const struct {
		int64_t s;
		const char *want;
	} cases[] = {
		{-5, "overdue"}, {0, "0m"}, {59, "0m"}, {3600, "1h 00m"}, {86399, "23h 59m"},
		{86400, "1d 00h"}, {13 * 86400 + 23 * 3600 + 59, "13d 23h"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[32];
		web_duration(cases[i].s, buf, sizeof buf);
		assert_str_eq_msg(cases[i].want, buf, cases[i].want);
	}
}

static void test_language(void **state)
{
	(void)state;
	static const struct {
		const char *header, *want;
	} cases[] = {
		{NULL, "en"},
		{"", "en"},
		{"nl", "nl"},
		{"nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7", "nl"},
		{"en-US,en;q=0.9,nl;q=0.8", "en"},
		{"de-DE,de;q=0.9,nl;q=0.5", "nl"},
		{"de-DE,fr;q=0.9", "en"},
		{"en;q=0.5, nl;q=0.6", "nl"},
		{"nl;q=0, en;q=0.1", "en"},
		{"NL-be", "nl"},
		{"nlx, en", "en"},
		{"*", "en"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_str_eq_msg(cases[i].header ? cases[i].header : "(NULL)",
				  web_lang_of(cases[i].header), cases[i].want);
	web_lang_set("nl");
	assert_str_eq_msg("nl", web_lang(), "nl");
	assert_str_eq_msg("Queue in Dutch", web_tr("Queue"), "Wachtrij");
	assert_str_eq_msg("the daemon's words stay", web_tr("the role auditor may not approve"),
			  "the role auditor may not approve");
	/* an error page in Dutch: lang, title and our text */
	struct web_page p = {0};
	web_page_error(403, "No access", "no client certificate: sign in with your certificate", &p);
	if (strstr(p.body, "lang=\"nl\"") == NULL || strstr(p.body, "Geen toegang") == NULL ||
	    strstr(p.body, "geen clientcertificaat") == NULL)
		fail_msg("Dutch error page: %s", p.body);
	free(p.body);
	web_lang_set("xx");
	assert_str_eq_msg("anything else", web_lang(), "en");
	assert_str_eq_msg("Queue in English", web_tr("Queue"), "Queue");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape),
		cmocka_unit_test(test_pre_escape),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_categories),
		cmocka_unit_test(test_url_escape),
		cmocka_unit_test(test_page_limit),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_language),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
