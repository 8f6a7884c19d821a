/*
 * test_cpupath.c - choosing and forcing the instruction set of a family
 * of vector loops: only sets offered and present are taken, BEST takes
 * the best of them, a refused set leaves the slot as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "grondslag/base/cpupath.h"

static void test_force(void **state)
{
	(void)state;
	const unsigned all = CPUPATH_SET(CPUPATH_AVX512VBMI) | CPUPATH_SET(CPUPATH_AVX512) |
			     CPUPATH_SET(CPUPATH_AVX2) | CPUPATH_SET(CPUPATH_SSE2);
	int slot = -1;
	/* BEST: the first set, best first, that is offered and present */
	int best = cpupath_get(&slot, all);
	assert_true(best > CPUPATH_BEST && best <= CPUPATH_BYTES);
	assert_true(cpupath_have(best));
	for (int s = CPUPATH_AVX512VBMI; s < best; s++)
		assert_false(cpupath_have(s));
	/* a set not offered is refused and changes nothing */
	slot = CPUPATH_BYTES;
	assert_false(cpupath_force(&slot, CPUPATH_AVX2, CPUPATH_SET(CPUPATH_AVX512)));
	assert_int_equal(slot, CPUPATH_BYTES);
	assert_false(cpupath_force(&slot, 99, all));
	assert_false(cpupath_force(&slot, -1, all));
	assert_int_equal(slot, CPUPATH_BYTES);
	/* each offered set the processor has can be forced; bytes always */
	for (int s = CPUPATH_AVX512VBMI; s <= CPUPATH_BYTES; s++) {
		assert_int_equal(cpupath_force(&slot, s, all), cpupath_have(s));
		if (cpupath_have(s))
			assert_int_equal(slot, s);
	}
	assert_true(cpupath_force(&slot, CPUPATH_BYTES, 0));
	/* with nothing offered, BEST is a byte at a time */
	assert_true(cpupath_force(&slot, CPUPATH_BEST, 0));
	assert_int_equal(slot, CPUPATH_BYTES);
	assert_true(cpupath_force(&slot, CPUPATH_BEST, all));
	assert_int_equal(slot, best);
}

/* The VBMI loops need more than the AVX-512 ones: a processor with them
 * has the lesser sets, and a family without VBMI loops is not given them. */
static void test_vbmi(void **state)
{
	(void)state;
	const unsigned no_vbmi = CPUPATH_SET(CPUPATH_AVX512) | CPUPATH_SET(CPUPATH_AVX2);
	int slot = -1;
	if (cpupath_have(CPUPATH_AVX512VBMI))
		assert_true(cpupath_have(CPUPATH_AVX512));
	if (cpupath_have(CPUPATH_AVX512))
		assert_true(cpupath_have(CPUPATH_AVX2));
	int set = cpupath_get(&slot, no_vbmi);
	assert_int_not_equal(set, CPUPATH_AVX512VBMI);
	assert_int_equal(set, cpupath_have(CPUPATH_AVX512) ? CPUPATH_AVX512
			      : cpupath_have(CPUPATH_AVX2) ? CPUPATH_AVX2 : CPUPATH_BYTES);
	assert_false(cpupath_force(&slot, CPUPATH_AVX512VBMI, no_vbmi));
	assert_int_equal(slot, set);
	/* offered with VBMI: BEST is VBMI exactly when the processor has it */
	assert_true(cpupath_force(&slot, CPUPATH_BEST, no_vbmi | CPUPATH_SET(CPUPATH_AVX512VBMI)));
	assert_int_equal(slot == CPUPATH_AVX512VBMI, cpupath_have(CPUPATH_AVX512VBMI));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_force),
		cmocka_unit_test(test_vbmi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
