/*
 * cpupath.c - the instruction set of a family of vector loops (see
 * cpupath.h).  A slot is read and written with relaxed atomics: a test
 * forcing a set and a scan choosing one may meet, and either answer is a
 * loop that gives the same results.
 */
#include "grondslag/base/cpupath.h"

bool cpupath_have(int set)
{
	switch (set) {
	case CPUPATH_BEST:
	case CPUPATH_BYTES:
		return true;
#if defined(__x86_64__) && defined(__GNUC__)
	case CPUPATH_AVX512VBMI:
		return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vbmi");
	case CPUPATH_AVX512:
		return __builtin_cpu_supports("avx512bw");
	case CPUPATH_AVX2:
		return __builtin_cpu_supports("avx2");
	case CPUPATH_SSE2:
		return __builtin_cpu_supports("sse2");
#endif
	default:
		return false;
	}
}

bool cpupath_force(int *slot, int want, unsigned offered)
{
	offered |= CPUPATH_SET(CPUPATH_BYTES);
	if (want == CPUPATH_BEST) {
		want = CPUPATH_AVX512VBMI;
		while (want < CPUPATH_BYTES && !((offered & CPUPATH_SET(want)) && cpupath_have(want)))
			want++;
	} else if (want <= CPUPATH_BEST || want > CPUPATH_BYTES ||
		   !(offered & CPUPATH_SET(want)) || !cpupath_have(want)) {
		return false;
	}
	__atomic_store_n(slot, want, __ATOMIC_RELAXED);
	return true;
}

int cpupath_first(int *slot, unsigned offered)
{
	(void)cpupath_force(slot, CPUPATH_BEST, offered);
	return __atomic_load_n(slot, __ATOMIC_RELAXED);
}
