/*
 * test_csv.c - one CSV field (csv.c): RFC 4180 quoting and the formula
 * cells of the OWASP CSV-injection rule, table-driven.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "grondslag/base/csv.h"

static void test_fields(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
		bool formula;
	} cases[] = {
		{"plain", "plain", false},
		{"", "", false},
		{"a,b", "\"a,b\"", false},
		{"say \"x\"", "\"say \"\"x\"\"\"", false},
		{"two\nlines", "\"two\nlines\"", false},
		{"=HYPERLINK(\"http://e.example\",\"x\")",
		 "\"'=HYPERLINK(\"\"http://e.example\"\",\"\"x\"\")\"", true},
		{"=1+1", "\"'=1+1\"", true},
		{"+31 20 123", "\"'+31 20 123\"", true},
		{"-2+3", "\"'-2+3\"", true},
		{"@SUM(A1:A2)", "\"'@SUM(A1:A2)\"", true},
		{"\tcmd", "\"'\tcmd\"", true},
		{"\r=1", "\"'\r=1\"", true},
		{"a=1", "a=1", false},
		/* blanks and line breaks before a trigger: importers may trim */
		{" =1", "\"' =1\"", true},
		{"  @SUM(A1)", "\"'  @SUM(A1)\"", true},
		{"\n=HYPERLINK(\"x\")", "\"'\n=HYPERLINK(\"\"x\"\")\"", true},
		{" \n -1", "\"' \n -1\"", true},
		{"   ", "   ", false},
		{" a=1", " a=1", false},
		/* full-width = + - @ */
		{"\xef\xbc\x9dHYPERLINK(1)", "\"'\xef\xbc\x9dHYPERLINK(1)\"", true},
		{"\xef\xbc\x8b" "1", "\"'\xef\xbc\x8b" "1\"", true},
		{"\xef\xbc\x8d" "1", "\"'\xef\xbc\x8d" "1\"", true},
		{"\xef\xbc\xa0SUM(1)", "\"'\xef\xbc\xa0SUM(1)\"", true},
		{"\xef\xbc\xa1", "\xef\xbc\xa1", false},
		{"G20250314-7KQ2M9XH0T", "G20250314-7KQ2M9XH0T", false},
		{"{\"ref\":\"=x\"}", "\"{\"\"ref\"\":\"\"=x\"\"}\"", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		assert_non_null(f);
		csv_field(f, cases[i].in);
		fclose(f);
		assert_str_eq_msg(cases[i].in, buf, cases[i].want);
		if (csv_is_formula(cases[i].in) != cases[i].formula)
			fail_msg("%s: csv_is_formula got %d, want %d", cases[i].in, !cases[i].formula,
				 cases[i].formula);
		free(buf);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	csv_field(f, NULL);
	fclose(f);
	assert_str_eq_msg("NULL field", buf, "");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
