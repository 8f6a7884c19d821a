/*
 * cpupath.h - which instruction set a vector loop runs with: the best
 * this processor has, unless a test forced another to hold the loops to
 * each other.  A module keeps one slot per family of loops (an int, -1
 * until the first use) and names the sets it has loops for; a byte at a
 * time is always among them.
 *
 * Public functions: cpupath_have(), cpupath_force(), cpupath_get(),
 * cpupath_first().
 */
#ifndef GRONDSLAG_CPUPATH_H
#define GRONDSLAG_CPUPATH_H

#include <stdbool.h>

/* The sets, best first.  AVX512VBMI: AVX-512 F, BW and VBMI (the byte
 * permutes); AVX512: F and BW. */
enum cpupath {
	CPUPATH_BEST, CPUPATH_AVX512VBMI, CPUPATH_AVX512, CPUPATH_AVX2, CPUPATH_SSE2, CPUPATH_BYTES
};
#define CPUPATH_SET(p) (1u << (p))

/* Does this processor run code made for set?  (BEST and BYTES: yes.) */
bool cpupath_have(int set);
/* Put want into *slot: one of the sets offered (CPUPATH_SET() ORed), or
 * BYTES, or BEST for the best offered set the processor has.  false, and
 * *slot unchanged, when want is not offered or the processor lacks it. */
bool cpupath_force(int *slot, int want, unsigned offered);
/* The set in *slot, chosen as BEST at the first use (threads may race
 * there: they all choose the same).  Inline: some loops ask per call of
 * a few blocks, and a load is all it costs once chosen. */
int cpupath_first(int *slot, unsigned offered);
static inline int cpupath_get(int *slot, unsigned offered)
{
	int set = __atomic_load_n(slot, __ATOMIC_RELAXED);
	return set >= 0 ? set : cpupath_first(slot, offered);
}

#endif
