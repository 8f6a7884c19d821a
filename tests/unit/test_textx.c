/*
 * test_textx.c - the converter whole: a charset decoder feeding the text
 * stage (each is tested on its own in test_charset.c and test_markup.c).
 * Rows where both stages matter: markup in a charset other than UTF-8,
 * a byte-order mark before markup, sequences cut at chunk ends next to
 * tags.  Every row is run whole, byte by byte and in chunks of 3 and 7.
 * Also: new documents in one stream, the emit() stop, output past the
 * 64 KiB buffer, unfolding asked for by type.
 */
#include "fixture_text.h"

#include <gmime/gmime.h>

#include "grondslag/scan/textx.h"

struct conv_case {
	const char *name;
	enum markup_kind markup;
	const char *charset;
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	const char *want;
};

#define P MARKUP_PLAIN
#define H MARKUP_HTML
#define O MARKUP_OFFICE
#define X MARKUP_XML

static const struct conv_case conv[] = {
	{"icalendar in utf-16le", P, NULL,
	 "\xff\xfe" "B\0E\0G\0I\0N\0:\0V\0C\0A\0R\0D\0\r\0\n\0" "1\0.\0\r\0\n\0 \0" "2\0", 40,
	 "BEGIN:VCARD\r\n1.2"},
	{"html in windows-1252", H, "windows-1252", "<p>caf\xe9 &amp; \x93q\x94</p>", 0,
	 "\ncaf\xc3\xa9 & \xe2\x80\x9cq\xe2\x80\x9d\n"},
	{"office in utf-16le, BOM", O, NULL, "\xff\xfe" "<\0t\0>\0" "1\0.\0" "2\0<\0/\0t\0>\0", 22,
	 "1.2"},
	{"html in utf-16be, entity", H, "utf-16be", "\0x\0&\0#\0" "4\0" "6\0;", 12, "x."},
	{"invalid utf-8 before a tag", H, NULL, "a\xe2<b>c", 0, "a\xc3\xa2" "c"},
};

static int tx_update(void *t, const char *buf, size_t len)
{
	return textx_update(t, buf, len);
}

/* Run one row with a given chunk size (0 = all at once). */
static void run_conv(const struct conv_case *c, size_t step)
{
	struct sink s = {0};
	struct textx *t = textx_alloc(c->markup, c->charset, sink_emit, &s);
	assert_non_null(t);
	text_feed(tx_update, t, c->in, c->in_len ? c->in_len : strlen(c->in), step);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	text_check(c->name, step, &s, c->want);
}

static void test_convert(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(conv); i++)
		for (size_t k = 0; k < ARRAY_LEN(text_steps); k++)
			run_conv(&conv[i], text_steps[k]);
}

/* Two office members in one stream: state reset, a line break between. */
static void test_next_document(void **state)
{
	(void)state;
	struct sink s = {0};
	struct textx *t = textx_alloc(MARKUP_OFFICE, NULL, sink_emit, &s);
	assert_non_null(t);
	assert_int_equal(textx_next_document(t), 0);
	assert_int_equal(textx_update(t, "<w:t>8.8.8.8</w:t><w:t>unfinished <", 35), 0);
	assert_int_equal(textx_next_document(t), 0);
	assert_int_equal(textx_update(t, "<t>1.1.1.1</t>", 14), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	assert_str_eq_msg("two documents", s.buf, "\n8.8.8.8unfinished \n1.1.1.1");
}

/* emit()'s non-zero answer is returned and further input ignored. */
static void test_emit_stop(void **state)
{
	(void)state;
	struct sink s = {.rc = 5};
	struct textx *t = textx_alloc(MARKUP_PLAIN, NULL, sink_emit, &s);
	assert_non_null(t);
	assert_int_equal(textx_update(t, "abc", 3), 0);	/* buffered */
	assert_int_equal(textx_finish(t), 5);
	assert_int_equal(textx_update(t, "def", 3), 5);
	textx_free(t);
	assert_str_eq_msg("stopped", s.buf, "abc");
}

struct big {
	const char *in;
	size_t pos;
};

static int big_emit(void *arg, const char *buf, size_t len)
{
	struct big *b = arg;
	if (len > 65536 || memcmp(b->in + b->pos, buf, len) != 0)
		fail_msg("large output out of order at %zu", b->pos);
	b->pos += len;
	return 0;
}

/* Output larger than the 64 KiB buffer arrives whole, in order, in
 * chunks of at most 64 KiB. */
static void test_large(void **state)
{
	(void)state;
	size_t n = 200000;
	char *in = malloc(n);
	assert_non_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('0' + i % 10);
	struct big b = {in, 0};
	struct textx *t = textx_alloc(MARKUP_PLAIN, "utf-8", big_emit, &b);
	assert_non_null(t);
	assert_int_equal(textx_update(t, in, n), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	assert_int_eq_msg("large", b.pos, n);
	free(in);
}

/* By media type: text/calendar and text/vcard are unfolded without a
 * BEGIN line; other types are not. */
static void test_unfold_by_type(void **state)
{
	(void)state;
	static const char in[] = "DESCRIPTION:133.1.\r\n 2.4\r\n";
	struct sink s = {0};
	struct textx *t = textx_alloc(MARKUP_PLAIN, NULL, sink_emit, &s);
	assert_non_null(t);
	textx_unfold_lines(t);
	for (size_t i = 0; i < sizeof in - 1; i++)
		assert_int_equal(textx_update(t, in + i, 1), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	assert_str_eq_msg("unfolded by type", s.buf, "DESCRIPTION:133.1.2.4\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_next_document),
		cmocka_unit_test(test_emit_stop),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_unfold_by_type),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
