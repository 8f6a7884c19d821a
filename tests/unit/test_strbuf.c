/*
 * test_strbuf.c - the growing string (strbuf.c) that builds decision
 * explanations and notices: appends of every kind, long formatted pieces
 * (no cut), growth, and the latched failure.
 */
#include "testutil.h"

#include <string.h>

#include "grondslag/base/strbuf.h"

/* Each row appends one piece to the same buffer; want is the whole text. */
static void test_appends(void **state)
{
	(void)state;
	struct strbuf b = {0};
	assert_null(b.s);
	strbuf_puts(&b, "Held for ");
	assert_string_equal(b.s, "Held for ");
	strbuf_add(&b, "a@b.example, and more", 11);
	assert_string_equal(b.s, "Held for a@b.example");
	strbuf_printf(&b, ": %s (%d)", "no-basis", 7);
	assert_string_equal(b.s, "Held for a@b.example: no-basis (7)");
	strbuf_printf(&b, "%s", "");
	strbuf_add(&b, "x", 0);
	assert_int_equal(b.len, strlen("Held for a@b.example: no-basis (7)"));
	assert_false(b.oom);
	free(b.s);
}

/* A formatted piece far longer than any stack buffer arrives whole, and
 * the buffer grows through many doublings. */
static void test_long(void **state)
{
	(void)state;
	static const size_t sizes[] = {255, 256, 1023, 1024, 5000, 100000};
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		char *piece = malloc(sizes[i] + 1);
		assert_non_null(piece);
		memset(piece, 'p', sizes[i]);
		piece[sizes[i]] = '\0';
		struct strbuf b = {0};
		strbuf_puts(&b, "<");
		strbuf_printf(&b, "%s>", piece);
		assert_int_eq_msg("length", b.len, sizes[i] + 2);
		assert_int_eq_msg("strlen", strlen(b.s), sizes[i] + 2);
		assert_int_equal(b.s[sizes[i] + 1], '>');
		assert_true(b.cap > b.len);
		free(b.s);
		free(piece);
	}
}

/* Once an allocation failed, appends do nothing and the failure stays. */
static void test_latched(void **state)
{
	(void)state;
	struct strbuf b = {0};
	strbuf_puts(&b, "kept");
	b.oom = true;	/* as after a failed realloc */
	strbuf_puts(&b, " lost");
	strbuf_printf(&b, " %d", 1);
	strbuf_add(&b, "x", 1);
	assert_string_equal(b.s, "kept");
	assert_int_equal(b.len, 4);
	assert_true(b.oom);
	free(b.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_latched),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
