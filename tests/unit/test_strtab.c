/*
 * test_strtab.c - the string-keyed hash table (strtab.c) shared by the
 * registry and the team-directory import: insert, duplicate, lookup,
 * growth past many doublings, a zeroed table, owned keys.
 */
#include "testutil.h"

#include <string.h>

#include "grondslag/base/strtab.h"

/* Rows applied in order to one table: put (want the value it returns:
 * NULL for a fresh key, the first value for a duplicate) or get. */
static void test_rows(void **state)
{
	(void)state;
	static int one = 1, two = 2, three = 3;
	static const struct {
		bool put;
		const char *key;
		const int *val, *want;
	} rows[] = {
		{true, "cert.example", &one, NULL},
		{true, "csirt.example", &two, NULL},
		{true, "", &three, NULL},
		{true, "cert.example", &two, &one},	/* first value kept */
		{false, "cert.example", NULL, &one},
		{false, "csirt.example", NULL, &two},
		{false, "", NULL, &three},
		{false, "CERT.example", NULL, NULL},	/* keys are exact */
		{false, "cert.exampl", NULL, NULL},
		{false, "absent", NULL, NULL},
	};
	struct strtab t;
	assert_true(strtab_init(&t, 2));
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const void *got = rows[i].put ? strtab_put(&t, rows[i].key, rows[i].val)
					      : strtab_get(&t, rows[i].key);
		if (got != rows[i].want)
			fail_msg("row %zu %s \"%s\": got %d, want %d", i, rows[i].put ? "put" : "get",
				 rows[i].key, got ? *(const int *)got : 0,
				 rows[i].want ? *rows[i].want : 0);
	}
	assert_int_equal(t.used, 3);
	assert_false(t.oom);
	strtab_free(&t);
	assert_null(strtab_get(&t, "cert.example"));	/* freed is empty */
}

/* Thousands of keys through a table sized for none: every one found,
 * none invented; a zeroed table needs no init. */
static void test_growth(void **state)
{
	(void)state;
	enum { N = 5000 };
	char (*keys)[16] = calloc(N, sizeof *keys);
	assert_non_null(keys);
	struct strtab t = {0};
	assert_null(strtab_get(&t, "k0"));
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu", i);
		assert_null(strtab_put(&t, keys[i], keys[i]));
	}
	assert_false(t.oom);
	assert_int_equal(t.used, N);
	assert_true(t.used * 2 <= t.mask + 1);	/* never over half full */
	for (size_t i = 0; i < N; i++)
		assert_ptr_equal(strtab_get(&t, keys[i]), keys[i]);
	assert_null(strtab_get(&t, "k5000"));
	strtab_free(&t);
	free(keys);
}

/* Keys handed over to the table are freed with it (ASan/LSan checks). */
static void test_owned_keys(void **state)
{
	(void)state;
	struct strtab t = {0};
	for (int i = 0; i < 100; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "dom%d.example", i);
		char *k = strdup(buf);
		assert_non_null(k);
		assert_null(strtab_put(&t, k, k));
	}
	assert_non_null(strtab_get(&t, "dom42.example"));
	strtab_free_keys(&t);
	assert_null(t.keys);
	assert_int_equal(t.used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_owned_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
