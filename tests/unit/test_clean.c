/*
 * test_clean.c - the one sanitiser (clean.c), table-driven: the base rule
 * and each flag, the bounds of a copy, and the code points decoded text
 * must not pass on.  Each flag row names the writer that needs it, so a
 * change of the rule shows whose output changes.
 */
#include "testutil.h"

#include <string.h>

#include "grondslag/base/clean.h"

/* Each row: input, flags, the cleaned text (the whole input fits). */
static const struct {
	const char *name;
	const char *in;
	unsigned flags;
	const char *want;
} rows[] = {
	{"plain text is kept", "Hello, world", 0, "Hello, world"},
	{"C0 controls and DEL", "a\nb\rc\td\x1b" "e\x7f" "f", 0, "a?b?c?d?e?f"},
	{"8-bit bytes kept by default", "caf\xc3\xa9", 0, "caf\xc3\xa9"},
	{"log: the space kept", "queue id 12", 0, "queue id 12"},
	{"ascii: 8-bit bytes replaced", "caf\xc3\xa9", CLEAN_ASCII, "caf??"},
	{"ascii: the space kept (ctlsock notice)", "no-basis tlp-exceeds", CLEAN_ASCII,
	 "no-basis tlp-exceeds"},
	{"ascii+space: one word (outcome notice)", "a b@example.org", CLEAN_ASCII | CLEAN_SPACE,
	 "a?b@example.org"},
	{"slash: one path component (ole2)", "a/b!c", CLEAN_SLASH, "a?b!c"},
	{"slash+bang: a walk name (tnef)", "a/b!c", CLEAN_ASCII | CLEAN_SLASH | CLEAN_BANG,
	 "a?b?c"},
	{"to blank (outbox error)", "line1\nline2\x7f", CLEAN_TO_BLANK, "line1 line2 "},
	{"to blank with ascii", "x\xff\ty", CLEAN_TO_BLANK | CLEAN_ASCII, "x  y"},
	{"empty", "", CLEAN_ASCII, ""},
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char buf[64];
		size_t n = clean_copy(buf, sizeof buf, rows[i].in, SIZE_MAX, rows[i].flags);
		assert_str_eq_msg(rows[i].name, buf, rows[i].want);
		assert_int_eq_msg(rows[i].name, n, strlen(rows[i].want));

		/* the same text written to a stream and cleaned in place */
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		assert_non_null(f);
		clean_put(f, rows[i].in, SIZE_MAX, rows[i].flags);
		assert_int_equal(fclose(f), 0);
		assert_str_eq_msg(rows[i].name, out, rows[i].want);
		free(out);
		snprintf(buf, sizeof buf, "%s", rows[i].in);
		clean_in_place(buf, rows[i].flags);
		assert_str_eq_msg(rows[i].name, buf, rows[i].want);
	}
}

/* A copy stops at max bytes of input or at the buffer, whichever is first,
 * and is always terminated. */
static void test_bounds(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t size, max;
		const char *want;
	} cases[] = {
		{"abcdef", 4, SIZE_MAX, "abc"},
		{"abcdef", 64, 2, "ab"},
		{"ab\ncd", 64, 3, "ab?"},
		{"abcdef", 1, SIZE_MAX, ""},
		{"abc", 64, 0, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[65];	/* one byte past the largest size given */
		memset(buf, 'x', sizeof buf);
		size_t n = clean_copy(buf, cases[i].size, cases[i].in, cases[i].max, 0);
		assert_str_eq_msg(cases[i].in, buf, cases[i].want);
		assert_int_eq_msg(cases[i].in, n, strlen(cases[i].want));
		assert_int_equal(buf[cases[i].size], 'x');	/* nothing past the buffer */
	}
	char one = 'x';
	assert_int_equal(clean_copy(&one, 0, "abc", SIZE_MAX, 0), 0);
	assert_int_equal(one, 'x');
	char buf[8];
	assert_int_equal(clean_copy(buf, sizeof buf, NULL, SIZE_MAX, 0), 0);
	assert_string_equal(buf, "");

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	clean_put(f, "a\tbcdef", 3, 0);
	clean_put(f, NULL, 3, 0);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, "a?b");
	free(out);
	clean_in_place(NULL, 0);
}

/* clean_char() on UTF-16 code units (tnef's wide names): with CLEAN_ASCII
 * everything above 0x7e goes, whatever its width. */
static void test_code_units(void **state)
{
	(void)state;
	static const struct {
		unsigned c, flags;
		char want;
	} cases[] = {
		{'A', CLEAN_ASCII, 'A'},
		{0x7e, CLEAN_ASCII, '~'},
		{0x7f, CLEAN_ASCII, '?'},
		{0xe9, CLEAN_ASCII, '?'},
		{0x263a, CLEAN_ASCII, '?'},
		{0x1f, CLEAN_ASCII | CLEAN_TO_BLANK, ' '},
		{' ', CLEAN_SPACE, '?'},
		{'!', CLEAN_SLASH, '!'},
		{'!', CLEAN_BANG, '?'},
		{0xe9, 0, (char)0xe9},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (clean_char(cases[i].c, cases[i].flags) != cases[i].want)
			fail_msg("U+%04X flags %#x: got %#x, want %#x", cases[i].c, cases[i].flags,
				 (unsigned char)clean_char(cases[i].c, cases[i].flags),
				 (unsigned char)cases[i].want);
}

/* The code points decoded text must not pass on: always C0, DEL, C1 and
 * the line and paragraph separators; bidi controls (notices) and
 * invisible characters (the YAML the importer writes) on request. */
static void test_code_points(void **state)
{
	(void)state;
	static const struct {
		uint32_t cp;
		bool always, bidi, invisible;
	} cases[] = {
		{'a', false, false, false},
		{' ', false, false, false},
		{0x00e9, false, false, false},
		{0x0a, true, true, true},
		{0x7f, true, true, true},
		{0x85, true, true, true},
		{0x9f, true, true, true},
		{0xa0, false, false, false},
		{0x2028, true, true, true},
		{0x2029, true, true, true},
		{0x202e, false, true, false},
		{0x2066, false, true, false},
		{0x200f, false, true, false},
		{0x061c, false, true, false},
		{0xfeff, false, false, true},
		{0xfffd, false, false, true},
		{0x1f600, false, false, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char row[32];
		snprintf(row, sizeof row, "U+%04X", (unsigned)cases[i].cp);
		assert_int_eq_msg(row, clean_unwanted_cp(cases[i].cp, 0), cases[i].always);
		assert_int_eq_msg(row, clean_unwanted_cp(cases[i].cp, CLEAN_BIDI), cases[i].bidi);
		assert_int_eq_msg(row, clean_unwanted_cp(cases[i].cp, CLEAN_INVISIBLE),
				  cases[i].invisible);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_code_units),
		cmocka_unit_test(test_code_points),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
