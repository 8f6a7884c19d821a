/*
 * test_arena.c - the arena (arena.c) and the string table (strtab.c) a
 * registry snapshot is built in: alignment and zeroing, requests larger
 * than a chunk, the oom flag on an impossible request; table inserts,
 * duplicates, growth past many doublings, misses, an unallocated table.
 */
#include "testutil.h"

#include <stdalign.h>

#include "grondslag/base/arena.h"
#include "grondslag/base/strtab.h"

/* Sizes from nothing to past a chunk: each block aligned, zeroed, its
 * own (writing one never changes another). */
static void test_arena_alloc(void **state)
{
	(void)state;
	static const size_t sizes[] = {0, 1, 7, 16, 33, 1000, 65536, 200000, 3};
	struct arena a = {0};
	unsigned char *blk[ARRAY_LEN(sizes)];
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		char row[32];
		snprintf(row, sizeof row, "size %zu", sizes[i]);
		blk[i] = arena_alloc(&a, sizes[i]);
		if (blk[i] == NULL)
			fail_msg("%s: got NULL", row);
		assert_int_eq_msg(row, (uintptr_t)blk[i] % alignof(max_align_t), 0);
		for (size_t k = 0; k < sizes[i]; k++)
			if (blk[i][k] != 0)
				fail_msg("%s: byte %zu not zero", row, k);
		memset(blk[i], (int)(i + 1), sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++)
		for (size_t k = 0; k < sizes[i]; k++)
			if (blk[i][k] != (unsigned char)(i + 1))
				fail_msg("size %zu: byte %zu overwritten", sizes[i], k);
	assert_false(a.oom);
	char *s = arena_strdup(&a, "cert-be");
	assert_non_null(s);
	assert_string_equal(s, "cert-be");
	arena_free(&a);
	assert_null(a.head);
	arena_free(&a);		/* twice: nothing left to free */
}

/* A request that cannot be met: NULL and the flag, the arena usable. */
static void test_arena_oom(void **state)
{
	(void)state;
	struct arena a = {0};
	assert_null(arena_alloc(&a, SIZE_MAX - 8));
	assert_true(a.oom);
	assert_null(arena_alloc(&a, SIZE_MAX / 2 + 1));
	assert_non_null(arena_alloc(&a, 8));
	arena_free(&a);
}

static void test_strtab(void **state)
{
	(void)state;
	struct strtab t;
	static int v1, v2;
	assert_true(strtab_init(&t, 0));
	assert_null(strtab_get(&t, "a"));
	assert_null(strtab_put(&t, "a", &v1));		/* fresh */
	assert_ptr_equal(strtab_put(&t, "a", &v2), &v1);	/* present: kept */
	assert_ptr_equal(strtab_get(&t, "a"), &v1);
	assert_null(strtab_get(&t, "b"));
	assert_null(strtab_get(&t, ""));
	assert_null(strtab_put(&t, "", &v2));		/* the empty key is a key */
	assert_ptr_equal(strtab_get(&t, ""), &v2);

	/* many keys: the table grows, every one stays found */
	enum { N = 5000 };
	static char keys[N][16];
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof keys[i], "k%zu.example", i);
		assert_null(strtab_put(&t, keys[i], keys[i]));
	}
	for (size_t i = 0; i < N; i++)
		if (strtab_get(&t, keys[i]) != keys[i])
			fail_msg("%s: lost after growing", keys[i]);
	assert_null(strtab_get(&t, "k5000.example"));
	assert_false(t.oom);
	assert_int_equal(t.used, N + 2);
	strtab_free(&t);
	strtab_free(&t);	/* twice: nothing left */

	/* a zeroed table is an empty one: misses, then takes a key */
	struct strtab z = {0};
	assert_null(strtab_get(&z, "a"));
	assert_null(strtab_put(&z, "a", &v1));
	assert_false(z.oom);
	assert_ptr_equal(strtab_get(&z, "a"), &v1);
	strtab_free(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_alloc),
		cmocka_unit_test(test_arena_oom),
		cmocka_unit_test(test_strtab),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
