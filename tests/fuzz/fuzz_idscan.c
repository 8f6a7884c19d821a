/*
 * fuzz_idscan.c - libFuzzer target for the identifier list scanner.
 *
 * Scans the input whole, then cut at a position derived from the data,
 * then in chunks of 1..16 bytes, and abort()s when the three disagree
 * (kind, value, defanged and labelled flags, in order).  Every value
 * handed out must be non-empty, lower case, within IDSCAN_VALUE_MAX, its
 * domain a suffix of it that passes idscan_is_hostname(); a credential
 * must carry no value at all.
 *
 * The candidate search is held equal to the exact rule the same way: the
 * three scans run with no vector path (byte by byte, the slow path) and
 * again on each vector path the processor has (SSE2, AVX2, AVX-512,
 * AVX-512VBMI), all with the
 * same findings; on each, every block the classifier gives, at every
 * offset of the input, must hold each byte idscan_cand_at calls a
 * candidate and its line ends exactly, and idscan_cand_blocks must give
 * for a run of blocks what each block gives alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../milter/scan/idscan_priv.h"
#include "grondslag/scan/idscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
	uint64_t hash;
	uint64_t count;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		d->hash ^= b[i];
		d->hash *= 0x100000001b3ULL;
	}
}

static int on_match(void *arg, const struct idscan_match *m)
{
	struct digest *d = arg;
	uint8_t k[3] = {(uint8_t)m->kind, m->defanged, m->labelled};
	mix(d, k, sizeof k);
	d->count++;
	if (m->kind == IDSCAN_CREDENTIAL) {
		if (m->value != NULL || m->domain != NULL)
			abort();
		return 0;
	}
	if (m->value == NULL || m->len == 0 || m->len >= IDSCAN_VALUE_MAX ||
	    strlen(m->value) != m->len || m->dlen > m->len ||
	    m->domain != m->value + m->len - m->dlen || !idscan_is_hostname(m->domain, m->dlen))
		abort();
	for (size_t i = 0; i < m->len; i++)
		if (m->value[i] >= 'A' && m->value[i] <= 'Z')
			abort();
	mix(d, m->value, m->len);
	return 0;
}

/* Feed text to a fresh scanner in the given chunk size (0: cut at). */
static void feed(const uint8_t *data, size_t size, size_t step, size_t at, struct digest *d)
{
	struct idscan *s = idscan_alloc(on_match, d);
	if (s == NULL)
		abort();
	const char *text = (const char *)data;
	if (step == 0) {
		idscan_update(s, text, at);
		idscan_update(s, text + at, size - at);
	} else {
		for (size_t i = 0; i < size; i += step)
			idscan_update(s, text + i, size - i < step ? size - i : step);
	}
	idscan_finish(s);
	idscan_free(s);
}

/* The blocks of the path in force against the exact rule, at every
 * offset i >= 1 with p[i + 66] inside, and idscan_cand_blocks against
 * them one by one, for runs from offsets the data picks. */
static void check_blocks(const char *p, size_t n)
{
	for (size_t i = 1; i + 67 <= n; i++) {
		struct idscan_block b;
		if (!idscan_cand_block(p, i, &b))
			abort();
		for (unsigned k = 0; k < 64; k++) {
			uint64_t bit = (uint64_t)1 << k;
			if (idscan_cand_at(p, i + k, n) && !((b.val | b.oth) & bit))
				abort();	/* a candidate the block lost */
			if ((p[i + k] == '\n') != ((b.nl & bit) != 0))
				abort();
		}
	}
	for (size_t st = 1; st + 67 <= n; st += 1 + (size_t)(unsigned char)p[st] % 61) {
		struct idscan_block run[8], c;
		size_t nb = (n - 67 - st) / 64 + 1;
		if (nb > 8)
			nb = 8;
		if (!idscan_cand_blocks(p, st, nb, run))
			abort();
		for (size_t k = 0; k < nb; k++) {
			if (!idscan_cand_block(p, st + 64 * k, &c))
				abort();
			if (run[k].val != c.val || run[k].oth != c.oth || run[k].nl != c.nl)
				abort();
		}
	}
}

/* Whole, cut at a position derived from the data, and in small chunks:
 * the same findings, on the path in force. */
static struct digest three_ways(const uint8_t *data, size_t size)
{
	struct digest whole = {0xcbf29ce484222325ULL, 0}, cut = whole, small = whole;
	feed(data, size, size ? size : 1, 0, &whole);
	size_t at = size ? ((size_t)data[0] * 257 + data[size - 1]) % (size + 1) : 0;
	feed(data, size, 0, at, &cut);
	feed(data, size, size ? 1 + data[size / 2] % 16 : 1, 0, &small);
	if (whole.count != cut.count || whole.hash != cut.hash || whole.count != small.count ||
	    whole.hash != small.hash)
		abort();
	return whole;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!idscan_cand_path(IDSCAN_PATH_BYTES))
		abort();
	struct digest slow = three_ways(data, size);
	static const enum idscan_path vec[] = {IDSCAN_PATH_SSE2, IDSCAN_PATH_AVX2, IDSCAN_PATH_AVX512,
					       IDSCAN_PATH_AVX512VBMI};
	for (size_t v = 0; v < sizeof vec / sizeof vec[0]; v++) {
		if (!idscan_cand_path(vec[v]))
			continue;	/* not on this processor or in this build */
		if (size <= (1u << 16))
			check_blocks((const char *)data, size);
		struct digest fast = three_ways(data, size);
		if (fast.count != slow.count || fast.hash != slow.hash)
			abort();
	}
	idscan_cand_path(IDSCAN_PATH_BEST);
	return 0;
}
