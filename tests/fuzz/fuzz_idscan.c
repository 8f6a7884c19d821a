/*
 * fuzz_idscan.c - libFuzzer target for the identifier list scanner.
 *
 * Scans the input whole, then cut at a position derived from the data,
 * then in chunks of 1..16 bytes, and abort()s when the three disagree
 * (kind, value, defanged and labelled flags, in order).  Every value
 * handed out must be non-empty, lower case, within IDSCAN_VALUE_MAX, its
 * domain a suffix of it that passes idscan_is_hostname(); a credential
 * must carry no value at all.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/idscan.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = {0xcbf29ce484222325ULL, 0}, cut = whole, small = whole;
	feed(data, size, size ? size : 1, 0, &whole);
	size_t at = size ? ((size_t)data[0] * 257 + data[size - 1]) % (size + 1) : 0;
	feed(data, size, 0, at, &cut);
	feed(data, size, size ? 1 + data[size / 2] % 16 : 1, 0, &small);
	if (whole.count != cut.count || whole.hash != cut.hash || whole.count != small.count ||
	    whole.hash != small.hash)
		abort();
	return 0;
}
