/*
 * test_markup.c - the text stage on its own (UTF-8 in): HTML, office XML
 * and other XML to text, plain text with NUL bytes, iCalendar / vCard
 * unfolding, a new document in the same stream, the emit() stop.  Every
 * row is run whole, byte by byte and in chunks of 3 and 7.
 */
#include "fixture_text.h"

#include "grondslag/scan/markup.h"

struct markup_case {
	const char *name;
	enum markup_kind kind;
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	const char *want;
};

#define P MARKUP_PLAIN
#define H MARKUP_HTML
#define O MARKUP_OFFICE
#define X MARKUP_XML

static const struct markup_case rows[] = {
	{"generic XML: every element a value", X,
	 "<?xml version=\"1.0\"?><ips><ip>193.0.6.139</ip><ip>145.97.39.155</ip><h a=\"130.89.1.1\"/>"
	 "<!--8.8.4.4--></ips>", 0,
	 "193.0.6.139\n145.97.39.155\n 130.89.1.1 \n\n8.8.4.4\n\n"},
	{"office: pivot values, link targets, ODF string values", O,
	 "<r><s v=\"193.0.6.139\"/></r><Relationship Target=\"http://8.8.4.4/\"/>"
	 "<table:table-cell office:string-value=\"130.89.1.1\"/>", 0,
	 " 193.0.6.139  http://8.8.4.4/  130.89.1.1 "},
	{"NUL becomes space", P, "8.8\0.8.8", 8, "8.8 .8.8"},
	{"html tags and entities", H,
	 "<p>a&nbsp;8&#46;8&#x2e;8.<b>8</b> &amp; &lt;x&gt; &bogus; &#0;</p>", 0,
	 "\na 8.8.8.8 & <x> &bogus; \xef\xbf\xbd\n"},
	{"html: a < b is text", H, "a < b and 3<4", 0, "a < b and 3<4"},
	{"html comment read, doctype not", H, "<!DOCTYPE html><!-- 1.2.3.4 -- x -->ok", 0,
	 "\n 1.2.3.4 -- x \nok"},
	{"html script and style", H,
	 "<style>p{a:1.2.3.4}</style>x<script type=\"t\">if(a<b){y='9.9.9.9'}</script >z", 0,
	 "\np{a:1.2.3.4}\nx\nif(a<b){y='9.9.9.9'}\nz"},
	{"html end tag case", H, "<SCRIPT>1.2.3.4</Script>z", 0, "\n1.2.3.4\nz"},
	{"html attributes kept", H, "<a href='http://193.0.6.139/x' class=c>l</a><img src=s.png>",
	 0, " http://193.0.6.139/x l s.png "},
	{"html cells and breaks", H, "<tr><td>1</td><td>2</td></tr>a<br/>b", 0, "\n\t1\t2\na\nb"},
	{"html entity cut at end", H, "x &amp", 0, "x &amp"},
	{"html soft hyphen", H, "8.8&shy;.8.8", 0, "8.8.8.8"},
	{"docx split run", O,
	 "<w:p><w:r><w:t>8.8.</w:t></w:r>\n <w:r><w:t xml:space=\"preserve\">8.8</w:t></w:r></w:p>"
	 "<w:p><w:r><w:t>x</w:t><w:tab/><w:t>y</w:t><w:br/><w:t>z</w:t></w:r></w:p>", 0,
	 "8.8.8.8\nx\ty\nz\n"},
	{"docx text outside w:t dropped", O, "<w:instrText>HYPERLINK</w:instrText><w:t>a</w:t>",
	 0, "a"},
	{"xlsx cells", O,
	 "<row><c r=\"A1\" t=\"s\"><v>12</v></c><c r=\"B1\"><v>3.5</v></c><c t=\"s\"/>"
	 "<c><v>7</v></c><c t=\"inlineStr\"><is><t>8.8.8.8</t></is></c></row>", 0,
	 "\t3.5\t7\t8.8.8.8\t\n"},
	{"odf spans, spaces, tabs", O,
	 "<text:p>8.8.<text:span>8.8</text:span><text:s/>a<text:tab/>b</text:p>"
	 "<text:h>h</text:h>", 0, "8.8.8.8 a\tb\nh\n"},
	{"xml entities, CDATA, PI", O,
	 "<?xml version=\"1.0\"?><a:t>&lt;1&gt; <![CDATA[x]y]]z]]]></a:t>", 0, "<1> x]y]]z]"},
	{"office: text of unknown elements dropped", O, "<a:other>4.4.4.4</a:other><t>ok</t>",
	 0, "ok"},
	/* iCalendar / vCard: folded lines unfolded (RFC 5545 3.1) */
	{"icalendar folded address", P,
	 "BEGIN:VCALENDAR\r\nDESCRIPTION:block 133.1.2.3 and 133.1.\r\n 2.4\r\n\t 133.1.2.5\r\n"
	 "END:VCALENDAR\r\n", 0,
	 "BEGIN:VCALENDAR\r\nDESCRIPTION:block 133.1.2.3 and 133.1.2.4 133.1.2.5\r\nEND:VCALENDAR\r\n"},
	{"vcard, lower case, LF, leading blank line", P,
	 "\nbegin:vcard\nNOTE:133.1.\n\t2.4\nend:vcard\n", 0,
	 "\nbegin:vcard\nNOTE:133.1.2.4\nend:vcard\n"},
	{"icalendar: one blank removed, not two", P,
	 "BEGIN:VCALENDAR\r\nX:a\r\n  b\r\n\r\n c", 0, "BEGIN:VCALENDAR\r\nX:a b\r\nc"},
	{"not calendar: folds kept", P, "hello\r\nBEGIN:VCALENDAR\r\n 133.1.\r\n 2.4", 0,
	 "hello\r\nBEGIN:VCALENDAR\r\n 133.1.\r\n 2.4"},
	{"almost calendar: folds kept", P, "BEGIN:VCALENDA\r\n 1", 0, "BEGIN:VCALENDA\r\n 1"},
	{"html is never unfolded", H, "BEGIN:VCALENDAR\r\n 1", 0, "BEGIN:VCALENDAR\r\n 1"},
};

static int mk_update(void *m, const char *buf, size_t len)
{
	return markup_update(m, buf, len);
}

/* Run one row with a given chunk size (0 = all at once). */
static void run_row(const struct markup_case *c, size_t step)
{
	struct sink s = {0};
	struct markup *m = markup_alloc(c->kind, sink_emit, &s);
	assert_non_null(m);
	text_feed(mk_update, m, c->in, c->in_len ? c->in_len : strlen(c->in), step);
	assert_int_equal(markup_finish(m), 0);
	markup_free(m);
	text_check(c->name, step, &s, c->want);
}

static void test_convert(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		for (size_t k = 0; k < ARRAY_LEN(text_steps); k++)
			run_row(&rows[i], text_steps[k]);
}

/* A new document resets the state (an open tag, a text element, a
 * script) and puts a line break between. */
static void test_next_document(void **state)
{
	(void)state;
	struct sink s = {0};
	struct markup *m = markup_alloc(MARKUP_OFFICE, sink_emit, &s);
	assert_non_null(m);
	assert_int_equal(markup_update(m, "<w:t>8.8.8.8</w:t><w:t>open <", 29), 0);
	assert_int_equal(markup_next_document(m), 0);
	assert_int_equal(markup_update(m, "x<t>1.1.1.1</t>", 15), 0);
	assert_int_equal(markup_finish(m), 0);
	markup_free(m);
	assert_str_eq_msg("two documents", s.buf, "8.8.8.8open \n1.1.1.1");
}

/* Unfolding asked for (by media type), without a BEGIN line. */
static void test_unfold_lines(void **state)
{
	(void)state;
	struct sink s = {0};
	struct markup *m = markup_alloc(MARKUP_PLAIN, sink_emit, &s);
	assert_non_null(m);
	markup_unfold_lines(m);
	assert_int_equal(markup_update(m, "NOTE:133.1.\n 2.4\n", 17), 0);
	assert_int_equal(markup_finish(m), 0);
	markup_free(m);
	assert_str_eq_msg("unfolded", s.buf, "NOTE:133.1.2.4\n");
}

/* Plain text whose NULs come alone (markup_nul_alone(), as the decoder
 * hands them) reads as when each run is searched: the same bytes, NUL as
 * a space, unfolded or not, a line break before a NUL kept. */
static void test_nul_alone(void **state)
{
	(void)state;
	static const char *const pieces[] = {"NOTE:133.1.\n", "\0", " 2.4 8.8", "\0", "\0",
					     ".8.8\r\n", "\0", "x\n", " y"};
	for (int unfold = 0; unfold < 2; unfold++) {
		struct sink want = {0}, got = {0};
		struct markup *a = markup_alloc(MARKUP_PLAIN, sink_emit, &want);
		struct markup *b = markup_alloc(MARKUP_PLAIN, sink_emit, &got);
		assert_non_null(a);
		assert_non_null(b);
		if (unfold) {
			markup_unfold_lines(a);
			markup_unfold_lines(b);
		}
		markup_nul_alone(b);
		char whole[128];
		size_t n = 0;
		for (size_t i = 0; i < ARRAY_LEN(pieces); i++) {
			size_t l = pieces[i][0] == '\0' ? 1 : strlen(pieces[i]);
			memcpy(whole + n, pieces[i], l);
			n += l;
			assert_int_equal(markup_update(b, pieces[i], l), 0);
		}
		assert_int_equal(markup_update(a, whole, n), 0);
		assert_int_equal(markup_finish(a), 0);
		assert_int_equal(markup_finish(b), 0);
		markup_free(a);
		markup_free(b);
		assert_int_eq_msg(unfold ? "unfolded" : "plain", got.len, want.len);
		assert_int_eq_msg(unfold ? "unfolded" : "plain", memcmp(got.buf, want.buf, want.len), 0);
		assert_null(memchr(got.buf, '\0', got.len));
	}
}

/* emit()'s non-zero answer is returned and further input ignored. */
static void test_emit_stop(void **state)
{
	(void)state;
	struct sink s = {.rc = 3};
	struct markup *m = markup_alloc(MARKUP_HTML, sink_emit, &s);
	assert_non_null(m);
	assert_int_equal(markup_update(m, "<p>a", 4), 0);	/* buffered */
	assert_int_equal(markup_finish(m), 3);
	assert_int_equal(markup_update(m, "b", 1), 3);
	assert_int_equal(markup_next_document(m), 3);
	markup_free(m);
	assert_str_eq_msg("stopped", s.buf, "\na");
	markup_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_next_document),
		cmocka_unit_test(test_unfold_lines),
		cmocka_unit_test(test_emit_stop),
		cmocka_unit_test(test_nul_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
