/*
 * test_json.c - the JSON writer: structure, commas, escaping, invalid
 * UTF-8, depth overflow.
 */
#include "testutil.h"

#include "grondslag/base/json.h"

/* Run fn against a compact writer; returns the output (caller frees). */
static char *render(void (*fn)(struct json *), int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct json *j = json_new(fp, false);
	fn(j);
	*rc = json_free(j);
	fclose(fp);
	return buf;
}

static void doc_nested(struct json *j)
{
	json_obj_begin(j);
	json_key(j, "a");
	json_arr_begin(j);
	json_uint(j, 1);
	json_int(j, -2);
	json_bool(j, true);
	json_null(j);
	json_str(j, NULL);
	json_arr_end(j);
	json_key(j, "e");
	json_obj_begin(j);
	json_obj_end(j);
	json_key(j, "s");
	json_str(j, "x");
	json_obj_end(j);
}

static void doc_escapes(struct json *j)
{
	json_str(j, "q\"b\\n\n\t\x01\x7f/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

static void doc_bad_utf8(struct json *j)
{
	/* lone continuation, overlong, surrogate, truncated */
	json_str(j, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
}

static void doc_too_deep(struct json *j)
{
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		json_arr_begin(j);
}

static void test_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		void (*fn)(struct json *);
		const char *want;
		int want_rc;
	} cases[] = {
		{"nested", doc_nested, "{\"a\":[1,-2,true,null,null],\"e\":{},\"s\":\"x\"}\n", 0},
		{"escapes", doc_escapes,
		 "\"q\\\"b\\\\n\\n\\t\\u0001\\u007f/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n", 0},
		{"bad utf8", doc_bad_utf8,
		 "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\"\n", 0},
		{"too deep", doc_too_deep, NULL, -1},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		int rc;
		char *out = render(cases[i].fn, &rc);
		if (cases[i].want)
			assert_str_eq_msg(cases[i].name, out, cases[i].want);
		assert_int_eq_msg(cases[i].name, rc, cases[i].want_rc);
		free(out);
	}
}

static void test_pretty(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct json *j = json_new(fp, true);
	json_obj_begin(j);
	json_key(j, "k");
	json_arr_begin(j);
	json_uint(j, 1);
	json_arr_end(j);
	json_key(j, "e");
	json_arr_begin(j);
	json_arr_end(j);
	json_obj_end(j);
	assert_int_equal(json_free(j), 0);
	fclose(fp);
	assert_string_equal(buf, "{\n  \"k\": [\n    1\n  ],\n  \"e\": []\n}\n");
	free(buf);
}

static void test_string_writer(void **state)
{
	(void)state;
	struct json *j = json_new_string();
	assert_non_null(j);
	json_obj_begin(j);
	json_key(j, "a");
	json_uint(j, 7);
	json_obj_end(j);
	size_t len = 0;
	char *text = json_string_done(j, &len);
	assert_non_null(text);
	assert_string_equal(text, "{\"a\":7}\n");
	assert_int_equal(len, strlen(text));
	free(text);
	/* a broken document gives NULL, never a truncated text */
	j = json_new_string();
	for (int i = 0; i < JSON_MAX_DEPTH + 2; i++)
		json_arr_begin(j);
	assert_null(json_string_done(j, &len));
	assert_null(json_string_done(NULL, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_string_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
