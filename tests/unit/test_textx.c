/*
 * test_textx.c - text extraction helpers: charset decoding, HTML and
 * office XML to text, sniffing, the file-name table.  Every conversion
 * row is run whole, byte by byte and in chunks of 3 and 7: the output
 * must not depend on how the input was cut.
 */
#include "testutil.h"

#include <gmime/gmime.h>

#include "grondslag/scan/textx.h"

struct sink {
	char buf[4096];
	size_t len;
	int rc;
};

static int sink_emit(void *arg, const char *buf, size_t len)
{
	struct sink *s = arg;
	if (s->len + len >= sizeof s->buf)
		fail_msg("output too long");
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return s->rc;
}

struct conv_case {
	const char *name;
	enum textx_markup markup;
	const char *charset;
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	const char *want;
};

#define P TEXTX_PLAIN
#define H TEXTX_HTML
#define O TEXTX_OFFICE
#define X TEXTX_XML

/* Mostly-CJK text as UTF-16LE without BOM (two addresses among it). */
static const char cjk_utf16le[] =
		"\x3b\x4e\x3a\x67\x17\x52\x68\x88\x1a\xff\x31\x00\x33\x00\x33\x00"
		"\x2e\x00\x31\x00\x2e\x00\x32\x00\x2e\x00\x33\x00\x01\x30\x31\x00"
		"\x33\x00\x33\x00\x2e\x00\x31\x00\x2e\x00\x32\x00\x2e\x00\x34\x00"
		"\x02\x30\xd9\x8f\x9b\x4e\x3b\x4e\x3a\x67\x28\x57\xc7\x8f\xbb\x53"
		"\x84\x76\x8c\x4e\x41\x53\xdb\x56\x0f\x5c\xf6\x65\x85\x51\x0e\x4e"
		"\x7d\x54\xe4\x4e\xa7\x63\x36\x52\x0d\x67\xa1\x52\x68\x56\x1a\x90"
		"\xe1\x4f\x0c\xff\xf7\x8b\x3d\x5c\xeb\x5f\x04\x59\x06\x74\x76\x5e"
		"\xde\x56\x0d\x59\x6e\x78\xa4\x8b\x02\x30\x11\x62\xec\x4e\x84\x76"
		"\xe2\x56\x1f\x96\x06\x5c\xe7\x7e\xed\x7e\xd1\x76\xa7\x63\xf8\x76"
		"\x73\x51\x3b\x6d\xa8\x52\x02\x30";

static const struct conv_case conv[] = {
	{"generic XML: every element a value", X, NULL,
	 "<?xml version=\"1.0\"?><ips><ip>193.0.6.139</ip><ip>145.97.39.155</ip><h a=\"130.89.1.1\"/>"
	 "<!--8.8.4.4--></ips>", 0,
	 "193.0.6.139\n145.97.39.155\n 130.89.1.1 \n\n8.8.4.4\n\n"},
	{"office: pivot values, link targets, ODF string values", O, NULL,
	 "<r><s v=\"193.0.6.139\"/></r><Relationship Target=\"http://8.8.4.4/\"/>"
	 "<table:table-cell office:string-value=\"130.89.1.1\"/>", 0,
	 " 193.0.6.139  http://8.8.4.4/  130.89.1.1 "},
	{"ascii", P, NULL, "8.8.8.8 and 193.0.6.139\n", 0, "8.8.8.8 and 193.0.6.139\n"},
	{"invalid utf-8 read as cp1252", P, NULL, "caf\xe9 \x93q\x94", 0,
	 "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d"},
	{"valid utf-8 kept", P, NULL, "caf\xc3\xa9 \xe2\x82\xac", 0, "caf\xc3\xa9 \xe2\x82\xac"},
	{"cut utf-8 at the end", P, NULL, "a\xe2\x82", 0, "a\xc3\xa2\xe2\x80\x9a"},
	{"overlong utf-8 rejected", P, NULL, "\xc0\xae", 0, "\xc3\x80\xc2\xae"},
	{"utf-8 BOM dropped", P, NULL, "\xef\xbb\xbf" "8.8.8.8", 0, "8.8.8.8"},
	{"NUL becomes space", P, NULL, "8.8\0.8.8", 8, "8.8 .8.8"},
	{"utf-16le BOM", P, NULL, "\xff\xfe" "8\0.\0" "8\0", 8, "8.8"},
	{"utf-16be BOM", P, NULL, "\xfe\xff\0" "8\0.\0" "8", 8, "8.8"},
	{"utf-16le surrogate pair", P, "utf-16le", "=\0\x3d\xd8\x00\xde", 6, "=\xf0\x9f\x98\x80"},
	{"utf-16le lone surrogate", P, "utf-16le", "\x3d\xd8" "a\0", 4, "\xef\xbf\xbd" "a"},
	{"utf-16 odd byte at end", P, "utf-16le", "a\0b", 3, "a\xef\xbf\xbd"},
	{"utf-16 declared, no BOM: big endian", P, "utf-16", "\0a\0b", 4, "ab"},
	{"BOM wins over declared charset", P, "iso-8859-1", "\xff\xfe" "a\0", 4, "a"},
	{"iso-8859-1", P, "iso-8859-1", "caf\xe9 8.8.8.8", 0, "caf\xc3\xa9 8.8.8.8"},
	{"latin1 alias", P, "latin1", "\xe9", 0, "\xc3\xa9"},
	{"windows-1252", P, "windows-1252", "\x80 \x93x\x94", 0, "\xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d"},
	{"koi8-r", P, "koi8-r", "\xc1\xc2", 0, "\xd0\xb0\xd0\xb1"},
	{"shift_jis multibyte", P, "shift_jis", "\x82\xa0" "1", 0, "\xe3\x81\x82" "1"},
	{"invalid in charset", P, "shift_jis", "\x82" "\xff" "a", 0, "\xef\xbf\xbd\xef\xbf\xbd" "a"},
	{"unknown charset falls back", P, "x-no-such-charset", "a\xe9", 0, "a\xc3\xa9"},
	{"us-ascii declared", P, "us-ascii", "8.8.8.8", 0, "8.8.8.8"},
	{"html tags and entities", H, NULL,
	 "<p>a&nbsp;8&#46;8&#x2e;8.<b>8</b> &amp; &lt;x&gt; &bogus; &#0;</p>", 0,
	 "\na 8.8.8.8 & <x> &bogus; \xef\xbf\xbd\n"},
	{"html: a < b is text", H, NULL, "a < b and 3<4", 0, "a < b and 3<4"},
	{"html comment read, doctype not", H, NULL, "<!DOCTYPE html><!-- 1.2.3.4 -- x -->ok", 0,
	 "\n 1.2.3.4 -- x \nok"},
	{"html script and style", H, NULL,
	 "<style>p{a:1.2.3.4}</style>x<script type=\"t\">if(a<b){y='9.9.9.9'}</script >z", 0,
	 "\np{a:1.2.3.4}\nx\nif(a<b){y='9.9.9.9'}\nz"},
	{"html end tag case", H, NULL, "<SCRIPT>1.2.3.4</Script>z", 0, "\n1.2.3.4\nz"},
	{"html attributes kept", H, NULL, "<a href='http://193.0.6.139/x' class=c>l</a><img src=s.png>",
	 0, " http://193.0.6.139/x l s.png "},
	{"html cells and breaks", H, NULL, "<tr><td>1</td><td>2</td></tr>a<br/>b", 0, "\n\t1\t2\na\nb"},
	{"html entity cut at end", H, NULL, "x &amp", 0, "x &amp"},
	{"html soft hyphen", H, NULL, "8.8&shy;.8.8", 0, "8.8.8.8"},
	{"docx split run", O, NULL,
	 "<w:p><w:r><w:t>8.8.</w:t></w:r>\n <w:r><w:t xml:space=\"preserve\">8.8</w:t></w:r></w:p>"
	 "<w:p><w:r><w:t>x</w:t><w:tab/><w:t>y</w:t><w:br/><w:t>z</w:t></w:r></w:p>", 0,
	 "8.8.8.8\nx\ty\nz\n"},
	{"docx text outside w:t dropped", O, NULL, "<w:instrText>HYPERLINK</w:instrText><w:t>a</w:t>",
	 0, "a"},
	{"xlsx cells", O, NULL,
	 "<row><c r=\"A1\" t=\"s\"><v>12</v></c><c r=\"B1\"><v>3.5</v></c><c t=\"s\"/>"
	 "<c><v>7</v></c><c t=\"inlineStr\"><is><t>8.8.8.8</t></is></c></row>", 0,
	 "\t3.5\t7\t8.8.8.8\t\n"},
	{"odf spans, spaces, tabs", O, NULL,
	 "<text:p>8.8.<text:span>8.8</text:span><text:s/>a<text:tab/>b</text:p>"
	 "<text:h>h</text:h>", 0, "8.8.8.8 a\tb\nh\n"},
	{"xml entities, CDATA, PI", O, NULL,
	 "<?xml version=\"1.0\"?><a:t>&lt;1&gt; <![CDATA[x]y]]z]]]></a:t>", 0, "<1> x]y]]z]"},
	{"office: text of unknown elements dropped", O, NULL, "<a:other>4.4.4.4</a:other><t>ok</t>",
	 0, "ok"},
	/* iCalendar / vCard: folded lines unfolded (RFC 5545 3.1) */
	{"icalendar folded address", P, NULL,
	 "BEGIN:VCALENDAR\r\nDESCRIPTION:block 133.1.2.3 and 133.1.\r\n 2.4\r\n\t 133.1.2.5\r\n"
	 "END:VCALENDAR\r\n", 0,
	 "BEGIN:VCALENDAR\r\nDESCRIPTION:block 133.1.2.3 and 133.1.2.4 133.1.2.5\r\nEND:VCALENDAR\r\n"},
	{"vcard, lower case, LF, leading blank line", P, NULL,
	 "\nbegin:vcard\nNOTE:133.1.\n\t2.4\nend:vcard\n", 0,
	 "\nbegin:vcard\nNOTE:133.1.2.4\nend:vcard\n"},
	{"icalendar: one blank removed, not two", P, NULL,
	 "BEGIN:VCALENDAR\r\nX:a\r\n  b\r\n\r\n c", 0, "BEGIN:VCALENDAR\r\nX:a b\r\nc"},
	{"icalendar in utf-16le", P, NULL,
	 "\xff\xfe" "B\0E\0G\0I\0N\0:\0V\0C\0A\0R\0D\0\r\0\n\0" "1\0.\0\r\0\n\0 \0" "2\0", 40,
	 "BEGIN:VCARD\r\n1.2"},
	{"not calendar: folds kept", P, NULL, "hello\r\nBEGIN:VCALENDAR\r\n 133.1.\r\n 2.4", 0,
	 "hello\r\nBEGIN:VCALENDAR\r\n 133.1.\r\n 2.4"},
	{"almost calendar: folds kept", P, NULL, "BEGIN:VCALENDA\r\n 1", 0, "BEGIN:VCALENDA\r\n 1"},
	{"html is never unfolded", H, NULL, "BEGIN:VCALENDAR\r\n 1", 0, "BEGIN:VCALENDAR\r\n 1"},
	{"CJK utf-16le without BOM, declared by the sniffer", P, "utf-16le", cjk_utf16le, 152,
	 "\xe4\xb8\xbb\xe6\x9c\xba\xe5\x88\x97\xe8\xa1\xa8\xef\xbc\x9a" "1"
	 "33.1.2.3\xe3\x80\x81" "133.1.2.4\xe3\x80\x82\xe8\xbf\x99\xe4\xba"
	 "\x9b\xe4\xb8\xbb\xe6\x9c\xba\xe5\x9c\xa8\xe8\xbf\x87\xe5\x8e\xbb"
	 "\xe7\x9a\x84\xe4\xba\x8c\xe5\x8d\x81\xe5\x9b\x9b\xe5\xb0\x8f\xe6"
	 "\x97\xb6\xe5\x86\x85\xe4\xb8\x8e\xe5\x91\xbd\xe4\xbb\xa4\xe6\x8e"
	 "\xa7\xe5\x88\xb6\xe6\x9c\x8d\xe5\x8a\xa1\xe5\x99\xa8\xe9\x80\x9a"
	 "\xe4\xbf\xa1\xef\xbc\x8c\xe8\xaf\xb7\xe5\xb0\xbd\xe5\xbf\xab\xe5"
	 "\xa4\x84\xe7\x90\x86\xe5\xb9\xb6\xe5\x9b\x9e\xe5\xa4\x8d\xe7\xa1"
	 "\xae\xe8\xae\xa4\xe3\x80\x82\xe6\x88\x91\xe4\xbb\xac\xe7\x9a\x84"
	 "\xe5\x9b\xa2\xe9\x98\x9f\xe5\xb0\x86\xe7\xbb\xa7\xe7\xbb\xad\xe7"
	 "\x9b\x91\xe6\x8e\xa7\xe7\x9b\xb8\xe5\x85\xb3\xe6\xb4\xbb\xe5\x8a"
	 "\xa8\xe3\x80\x82"},
};



/* Run one row with a given chunk size (0 = all at once). */
static void run_conv(const struct conv_case *c, size_t step)
{
	struct sink s = {0};
	struct textx *t = textx_alloc(c->markup, c->charset, sink_emit, &s);
	assert_non_null(t);
	size_t n = c->in_len ? c->in_len : strlen(c->in);
	if (step == 0)
		step = n ? n : 1;
	for (size_t i = 0; i < n; i += step)
		assert_int_equal(textx_update(t, c->in + i, i + step > n ? n - i : step), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	char row[128];
	snprintf(row, sizeof row, "%s (step %zu)", c->name, step);
	assert_str_eq_msg(row, s.buf, c->want);
}

static void test_convert(void **state)
{
	(void)state;
	static const size_t steps[] = {0, 1, 3, 7};
	for (size_t i = 0; i < ARRAY_LEN(conv); i++)
		for (size_t k = 0; k < ARRAY_LEN(steps); k++)
			run_conv(&conv[i], steps[k]);
}

/* Two office members in one stream: state reset, a line break between. */
static void test_next_document(void **state)
{
	(void)state;
	struct sink s = {0};
	struct textx *t = textx_alloc(TEXTX_OFFICE, NULL, sink_emit, &s);
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
	struct textx *t = textx_alloc(TEXTX_PLAIN, NULL, sink_emit, &s);
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
	struct textx *t = textx_alloc(TEXTX_PLAIN, "utf-8", big_emit, &b);
	assert_non_null(t);
	assert_int_equal(textx_update(t, in, n), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	assert_int_eq_msg("large", b.pos, n);
	free(in);
}

static void test_sniff(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *buf;
		size_t len;
		enum textx_sniff want;
	} rows[] = {
		{"ascii", "ip\n8.8.8.8\n", 11, TEXTX_SNIFF_TEXT},
		{"latin-1", "caf\xe9\r\n", 6, TEXTX_SNIFF_TEXT},
		{"empty", "", 0, TEXTX_SNIFF_TEXT},
		{"binary", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, TEXTX_SNIFF_BINARY},
		{"control bytes", "\x01\x02\x03\x04\x05 abc", 9, TEXTX_SNIFF_BINARY},
		{"utf-16le no BOM", "i\0p\0\n\0" "8\0.\0" "8\0", 12, TEXTX_SNIFF_UTF16LE},
		{"utf-16be no BOM", "\0i\0p\0\n\0" "8\0.\0" "8", 12, TEXTX_SNIFF_UTF16BE},
		{"utf-16 BOM", "\xff\xfe" "a\0", 4, TEXTX_SNIFF_TEXT},
		{"NUL in text", "abc\0def", 7, TEXTX_SNIFF_BINARY},
		/* 8-bit strings ended by NULs (C strings, padded fields) are not
		 * CJK UTF-16, though their letter pairs decode to ideographs */
		{"C string", "weekly list\0", 12, TEXTX_SNIFF_BINARY},
		{"padded field", "block these hosts\0\0\0\0\0\0\0", 24, TEXTX_SNIFF_BINARY},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		assert_int_eq_msg(rows[i].name, textx_sniff(rows[i].buf, rows[i].len), rows[i].want);
	assert_int_eq_msg("html", textx_looks_html("\n<!DOCTYPE HTML><x>", 18), 1);
	assert_int_eq_msg("not html", textx_looks_html("a < b", 5), 0);
}

/* UTF-16 without BOM whose text is mostly CJK has too few zero bytes for
 * the zero-byte pattern; it must still be UTF-16, either way round, and
 * binary data with zero bytes must not. */
static void test_sniff_cjk(void **state)
{
	(void)state;
	size_t n = sizeof cjk_utf16le - 1;
	unsigned char be[sizeof cjk_utf16le], noise[4096];
	uint32_t x = 2463534242u;

	assert_int_eq_msg("CJK utf-16le", textx_sniff(cjk_utf16le, n), TEXTX_SNIFF_UTF16LE);
	for (size_t i = 0; i + 1 < n; i += 2) {
		be[i] = (unsigned char)cjk_utf16le[i + 1];
		be[i + 1] = (unsigned char)cjk_utf16le[i];
	}
	assert_int_eq_msg("CJK utf-16be", textx_sniff(be, n), TEXTX_SNIFF_UTF16BE);
	/* noise with a zero byte in every eighth place */
	for (size_t i = 0; i < sizeof noise; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = i % 8 == 1 ? 0 : (unsigned char)x;
	}
	assert_int_eq_msg("noise", textx_sniff(noise, sizeof noise), TEXTX_SNIFF_BINARY);
	/* CJK with a lone surrogate and a run of U+0000: not text */
	memcpy(be, cjk_utf16le, n);
	for (size_t i = 40; i < 80; i++)
		be[i] = 0;
	assert_int_eq_msg("CJK with NULs", textx_sniff(be, n), TEXTX_SNIFF_BINARY);
	/* one colour of 16-bit pixels (a CJK code point) after a small header */
	memset(noise, 0x80, sizeof noise);
	memcpy(noise, "BM\0\0\x36\0\0\0", 8);
	assert_int_eq_msg("flat picture", textx_sniff(noise, sizeof noise), TEXTX_SNIFF_BINARY);
}

/* By media type: text/calendar and text/vcard are unfolded without a
 * BEGIN line; other types are not. */
static void test_unfold_by_type(void **state)
{
	(void)state;
	static const char in[] = "DESCRIPTION:133.1.\r\n 2.4\r\n";
	struct sink s = {0};
	struct textx *t = textx_alloc(TEXTX_PLAIN, NULL, sink_emit, &s);
	assert_non_null(t);
	textx_unfold_lines(t);
	for (size_t i = 0; i < sizeof in - 1; i++)
		assert_int_equal(textx_update(t, in + i, 1), 0);
	assert_int_equal(textx_finish(t), 0);
	textx_free(t);
	assert_str_eq_msg("unfolded by type", s.buf, "DESCRIPTION:133.1.2.4\r\n");
	assert_true(textx_type_folds("text/calendar"));
	assert_true(textx_type_folds("TEXT/VCARD"));
	assert_true(textx_type_folds("text/x-vcard"));
	assert_true(textx_type_folds("application/ics"));
	assert_false(textx_type_folds("text/plain"));
	assert_false(textx_type_folds(NULL));
	assert_str_eq_msg("ics", textx_type_for_name("invite.ics"), "text/calendar");
	assert_str_eq_msg("vcf", textx_type_for_name("card.vcf"), "text/vcard");
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum textx_name kind;
		const char *type;
	} rows[] = {
		{"list.CSV", TEXTX_NAME_TEXT, "text/csv"},
		{"a/b/report.json", TEXTX_NAME_TEXT, "application/json"},
		{"iocs.yml", TEXTX_NAME_TEXT, "application/x-yaml"},
		{"page.htm", TEXTX_NAME_HTML, "text/html"},
		{"fwd.eml", TEXTX_NAME_MESSAGE, "message/rfc822"},
		{"x.docx", TEXTX_NAME_UNKNOWN,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"noext", TEXTX_NAME_UNKNOWN, "application/octet-stream"},
		{"dir.csv/file", TEXTX_NAME_UNKNOWN, "application/octet-stream"},
		{NULL, TEXTX_NAME_UNKNOWN, "application/octet-stream"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const char *row = rows[i].name ? rows[i].name : "(null)";
		assert_int_eq_msg(row, textx_name_kind(rows[i].name), rows[i].kind);
		assert_str_eq_msg(row, textx_type_for_name(rows[i].name), rows[i].type);
	}
	static const struct {
		const char *type;
		bool text;
	} types[] = {
		{"text/plain", true}, {"application/json", true}, {"application/stix+json", true},
		{"application/atom+xml", true}, {"message/delivery-status", true},
		{"application/csv", true}, {"application/octet-stream", false}, {"image/png", false},
		{"application/pdf", false}, {NULL, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		assert_int_eq_msg(types[i].type ? types[i].type : "(null)",
				  textx_type_is_text(types[i].type), types[i].text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_next_document),
		cmocka_unit_test(test_emit_stop),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_sniff_cjk),
		cmocka_unit_test(test_unfold_by_type),
		cmocka_unit_test(test_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
