/*
 * test_charset.c - the charset decoder on its own: UTF-8 repair, byte
 * order marks, UTF-16, charsets through iconv, the carry between chunks,
 * the end of a stream and the sink's stop.  Every row is run whole, byte
 * by byte and in chunks of 3 and 7.
 */
#include "fixture_text.h"

#include <gmime/gmime.h>

#include "grondslag/scan/charset.h"

struct dec_case {
	const char *name;
	const char *charset;
	const char *in;
	size_t in_len;		/* 0: strlen(in) */
	const char *want;
};

static const struct dec_case rows[] = {
	{"ascii", NULL, "8.8.8.8 and 193.0.6.139\n", 0, "8.8.8.8 and 193.0.6.139\n"},
	{"invalid utf-8 read as cp1252", NULL, "caf\xe9 \x93q\x94", 0,
	 "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d"},
	{"valid utf-8 kept", NULL, "caf\xc3\xa9 \xe2\x82\xac", 0, "caf\xc3\xa9 \xe2\x82\xac"},
	{"cut utf-8 at the end", NULL, "a\xe2\x82", 0, "a\xc3\xa2\xe2\x80\x9a"},
	{"overlong utf-8 rejected", NULL, "\xc0\xae", 0, "\xc3\x80\xc2\xae"},
	{"utf-8 BOM dropped", NULL, "\xef\xbb\xbf" "8.8.8.8", 0, "8.8.8.8"},
	{"utf-16le BOM", NULL, "\xff\xfe" "8\0.\0" "8\0", 8, "8.8"},
	{"utf-16be BOM", NULL, "\xfe\xff\0" "8\0.\0" "8", 8, "8.8"},
	{"utf-16le surrogate pair", "utf-16le", "=\0\x3d\xd8\x00\xde", 6, "=\xf0\x9f\x98\x80"},
	{"utf-16le lone surrogate", "utf-16le", "\x3d\xd8" "a\0", 4, "\xef\xbf\xbd" "a"},
	{"utf-16 odd byte at end", "utf-16le", "a\0b", 3, "a\xef\xbf\xbd"},
	{"utf-16 declared, no BOM: big endian", "utf-16", "\0a\0b", 4, "ab"},
	{"BOM wins over declared charset", "iso-8859-1", "\xff\xfe" "a\0", 4, "a"},
	{"iso-8859-1", "iso-8859-1", "caf\xe9 8.8.8.8", 0, "caf\xc3\xa9 8.8.8.8"},
	{"latin1 alias", "latin1", "\xe9", 0, "\xc3\xa9"},
	{"windows-1252", "windows-1252", "\x80 \x93x\x94", 0, "\xe2\x82\xac \xe2\x80\x9cx\xe2\x80\x9d"},
	{"koi8-r", "koi8-r", "\xc1\xc2", 0, "\xd0\xb0\xd0\xb1"},
	{"shift_jis multibyte", "shift_jis", "\x82\xa0" "1", 0, "\xe3\x81\x82" "1"},
	{"invalid in charset", "shift_jis", "\x82" "\xff" "a", 0, "\xef\xbf\xbd\xef\xbf\xbd" "a"},
	{"unknown charset falls back", "x-no-such-charset", "a\xe9", 0, "a\xc3\xa9"},
	{"us-ascii declared", "us-ascii", "8.8.8.8", 0, "8.8.8.8"},
	{"CJK utf-16le without BOM, declared by the sniffer", "utf-16le", cjk_utf16le, 152,
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

static int dec_update(void *d, const char *buf, size_t len)
{
	return charset_dec_update(d, buf, len);
}

/* Run one row with a given chunk size (0 = all at once). */
static void run_row(const struct dec_case *c, size_t step)
{
	struct sink s = {0};
	struct charset_dec *d = charset_dec_alloc(c->charset, sink_emit, &s);
	assert_non_null(d);
	text_feed(dec_update, d, c->in, c->in_len ? c->in_len : strlen(c->in), step);
	assert_int_equal(charset_dec_end(d), 0);
	charset_dec_free(d);
	text_check(c->name, step, &s, c->want);
}

static void test_decode(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		for (size_t k = 0; k < ARRAY_LEN(text_steps); k++)
			run_row(&rows[i], text_steps[k]);
}

/* The end of a stream settles a cut sequence and starts afresh: the next
 * stream's byte-order mark is honoured (and dropped) again. */
static void test_end_restarts(void **state)
{
	(void)state;
	struct sink s = {0};
	struct charset_dec *d = charset_dec_alloc(NULL, sink_emit, &s);
	assert_non_null(d);
	assert_int_equal(charset_dec_update(d, "a\xe2\x82", 3), 0);
	assert_int_equal(charset_dec_end(d), 0);
	assert_int_equal(charset_dec_update(d, "\xff\xfe" "b\0", 4), 0);
	assert_int_equal(charset_dec_end(d), 0);
	assert_int_equal(charset_dec_update(d, "\xef\xbb\xbf" "c", 4), 0);
	assert_int_equal(charset_dec_end(d), 0);
	charset_dec_free(d);
	assert_str_eq_msg("three streams", s.buf, "a\xc3\xa2\xe2\x80\x9a" "bc");
}

/* The sink's first non-zero answer is returned and nothing more is sent. */
static void test_sink_stop(void **state)
{
	(void)state;
	struct sink s = {.rc = 7};
	struct charset_dec *d = charset_dec_alloc("iso-8859-1", sink_emit, &s);
	assert_non_null(d);
	assert_int_equal(charset_dec_update(d, "abcd", 4), 7);
	assert_int_equal(charset_dec_update(d, "ef", 2), 7);
	assert_int_equal(charset_dec_end(d), 7);
	charset_dec_free(d);
	assert_str_eq_msg("stopped", s.buf, "abcd");
	charset_dec_free(NULL);
}

/* Code points to UTF-8, the invalid ones as U+FFFD. */
static void test_utf8_encode(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		const char *want;
	} cps[] = {
		{'a', "a"}, {0xe9, "\xc3\xa9"}, {0x20ac, "\xe2\x82\xac"},
		{0x1f600, "\xf0\x9f\x98\x80"}, {0, "\xef\xbf\xbd"}, {0xd800, "\xef\xbf\xbd"},
		{0xdfff, "\xef\xbf\xbd"}, {0x110000, "\xef\xbf\xbd"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cps); i++) {
		char o[5] = {0};
		size_t n = charset_utf8_encode(cps[i].cp, o);
		char row[32];
		snprintf(row, sizeof row, "U+%04X", (unsigned)cps[i].cp);
		assert_int_eq_msg(row, n, strlen(cps[i].want));
		assert_str_eq_msg(row, o, cps[i].want);
	}
}

/* What the decoder handed its sink: the text, and whether a NUL ever
 * came with other bytes. */
struct calls {
	char out[2048];
	size_t len;
	bool nul_mixed;
};

static int calls_sink(void *arg, const char *utf8, size_t len)
{
	struct calls *c = arg;
	if (len > 1 && memchr(utf8, '\0', len) != NULL)
		c->nul_mixed = true;
	assert_true(c->len + len <= sizeof c->out);
	memcpy(c->out + c->len, utf8, len);
	c->len += len;
	return 0;
}

static void decode_calls(const unsigned char *in, size_t n, size_t step, struct calls *c)
{
	memset(c, 0, sizeof *c);
	struct charset_dec *d = charset_dec_alloc(NULL, calls_sink, c);
	assert_non_null(d);
	for (size_t o = 0; o < n; o += step ? step : n)
		assert_int_equal(charset_dec_update(d, in + o, step && n - o > step ? step : n - o), 0);
	assert_int_equal(charset_dec_end(d), 0);
	charset_dec_free(d);
}

/* One input through each ASCII scan this processor has (AVX-512, AVX2,
 * SSE2, bytes): the same text as a byte at a time, and every NUL alone. */
static void check_paths(const char *name, const unsigned char *in, size_t n)
{
	static const int paths[] = {CHARSET_PATH_AVX512, CHARSET_PATH_AVX2, CHARSET_PATH_SSE2};
	static const size_t steps[] = {0, 1, 7, 64, 200};
	struct calls want, got;
	char row[96];
	for (size_t k = 0; k < ARRAY_LEN(steps); k++) {
		assert_true(charset_ascii_path(CHARSET_PATH_BYTES));
		decode_calls(in, n, steps[k], &want);
		snprintf(row, sizeof row, "%s, bytes, step %zu", name, steps[k]);
		assert_int_eq_msg(row, want.nul_mixed, 0);
		for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
			if (!charset_ascii_path(paths[p]))
				continue;
			decode_calls(in, n, steps[k], &got);
			snprintf(row, sizeof row, "%s, path %d, step %zu", name, paths[p], steps[k]);
			assert_int_eq_msg(row, got.nul_mixed, 0);
			assert_int_eq_msg(row, got.len, want.len);
			assert_int_eq_msg(row, memcmp(got.out, want.out, want.len), 0);
		}
	}
}

/* The ASCII scan stops at 8-bit bytes and at NUL wherever they fall
 * around a vector's edge, on every path; and in noise of both. */
static void test_ascii_paths(void **state)
{
	(void)state;
	static const char *const odd[] = {"\0", "\x80", "\xc3\xa9", "\xe2\x82\xac", "\xe2\x82",
					  "\x7f", "\x01"};
	unsigned char buf[600];
	char name[64];
	for (size_t o = 0; o < ARRAY_LEN(odd); o++) {
		size_t ol = o == 0 ? 1 : strlen(odd[o]);
		for (size_t at = 0; at < 200; at++) {
			memset(buf, 'a', 260);
			memcpy(buf + at, odd[o], ol);
			snprintf(name, sizeof name, "odd %zu at %zu", o, at);
			check_paths(name, buf, 260);
		}
	}
	uint32_t x = 2463534242u;
	for (int round = 0; round < 300; round++) {
		size_t n = (size_t)round * 7 % sizeof buf;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			unsigned v = x % 100;
			buf[i] = v < 3 ? 0 : v < 6 ? (unsigned char)(0x80 + x / 100 % 128)
				 : (unsigned char)(0x20 + x / 100 % 95);
		}
		snprintf(name, sizeof name, "noise %d", round);
		check_paths(name, buf, n);
	}
	assert_true(charset_ascii_path(CHARSET_PATH_BEST));
}

/* Whatever the charset (iconv's path, the single-byte tables, UTF-16,
 * UTF-8 with a sequence cut by a chunk's end just before a NUL), no NUL
 * is ever handed on inside a run: markup counts on it (a NUL in a run
 * would pass through instead of becoming a blank). */
static void test_nul_alone_charsets(void **state)
{
	(void)state;
	static const struct {
		const char *charset;
		const char *in;
		size_t len;
	} cases[] = {
		{"utf-8", "ab\0cd\xc3\0\xc3\xa9\0\0e\xe2\x82\0", 15},
		{"iso-8859-1", "ab\0cd\xe9\0\xff\0\0e", 11},
		{"windows-1252", "ab\0\x80\0\x9d\0e", 8},
		{"koi8-r", "\xc1\0\xc2\0\0z", 6},
		{"utf-16le", "a\0\0\0b\0\xe9\0\0\0", 10},
		{"iso-2022-jp", "ab\0\x1b$B\x30\x21\x1b(B\0c", 14},
	};
	char name[96];
	for (size_t r = 0; r < ARRAY_LEN(cases); r++) {
		for (size_t step = 1; step <= cases[r].len; step++) {
			struct calls c;
			memset(&c, 0, sizeof c);
			struct charset_dec *d = charset_dec_alloc(cases[r].charset, calls_sink, &c);
			assert_non_null(d);
			const unsigned char *in = (const unsigned char *)cases[r].in;
			for (size_t o = 0; o < cases[r].len; o += step)
				assert_int_equal(charset_dec_update(d, in + o, cases[r].len - o > step
										   ? step
										   : cases[r].len - o),
						 0);
			assert_int_equal(charset_dec_end(d), 0);
			charset_dec_free(d);
			snprintf(name, sizeof name, "%s, step %zu", cases[r].charset, step);
			assert_int_eq_msg(name, c.nul_mixed, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_end_restarts),
		cmocka_unit_test(test_sink_stop),
		cmocka_unit_test(test_utf8_encode),
		cmocka_unit_test(test_ascii_paths),
		cmocka_unit_test(test_nul_alone_charsets),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
