/*
 * fuzz_ipscan.c - libFuzzer target for the IP scanner.
 *
 * Scans the input in one piece, then again cut at a position derived from
 * the data and in small chunks of a size derived from the data, and
 * abort()s when the three disagree (kind, addresses, prefix length,
 * defanged flag, offset, in order).  Every reported address must format
 * to text that ip_addr_parse() reads back to the same value, every prefix
 * must survive ip_prefix_format/ip_prefix_parse, every range must be
 * ordered, and the classifier must answer for each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/ipclass.h"
#include "grondslag/scan/ipscan.h"

struct digest {
	uint64_t hash;
	uint64_t count;
};

/* FNV-1a over a few bytes. */
static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		d->hash ^= b[i];
		d->hash *= 0x100000001b3ULL;
	}
}

/* The formatted text of a must parse back to a. */
static void check_roundtrip(const struct ip_addr *a)
{
	char buf[IP_ADDR_TEXT_MAX];
	struct ip_addr b;
	ip_addr_format(a, buf, sizeof buf);
	if (!ip_addr_parse(buf, &b) || ip_addr_cmp(a, &b) != 0)
		abort();
	(void)ipclass_addr(a, NULL);
}

static int on_match(void *arg, const struct ipscan_match *m)
{
	struct digest *d = arg;
	uint8_t kind = (uint8_t)m->kind, def = m->defanged;

	mix(d, &kind, 1);
	mix(d, &m->addr, sizeof m->addr);
	mix(d, &def, 1);
	mix(d, &m->offset, sizeof m->offset);
	check_roundtrip(&m->addr);
	if (m->kind == IPSCAN_PREFIX) {
		struct ip_prefix p = {m->addr, m->prefixlen}, q;
		char buf[IP_PREFIX_TEXT_MAX];
		mix(d, &m->prefixlen, 1);
		ip_prefix_format(&p, buf, sizeof buf);
		if (!ip_prefix_parse(buf, false, &q) || q.len != p.len ||
		    ip_addr_cmp(&q.addr, &p.addr) != 0)
			abort();
		(void)ipclass_prefix(&p);
	} else if (m->kind == IPSCAN_RANGE) {
		mix(d, &m->end, sizeof m->end);
		check_roundtrip(&m->end);
		if (ip_addr_cmp(&m->addr, &m->end) > 0)
			abort();
		(void)ipclass_range(&m->addr, &m->end);
	}
	d->count++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct digest whole = {0xcbf29ce484222325ULL, 0}, cut = whole, small = whole;

	ipscan_buffer(text, size, on_match, &whole);

	struct ipscan *s = ipscan_alloc(on_match, &cut);
	if (s == NULL)
		return 0;
	size_t at = size ? ((size_t)data[0] * 257 + data[size - 1]) % (size + 1) : 0;
	ipscan_update(s, text, at);
	ipscan_update(s, text + at, size - at);
	ipscan_finish(s);

	/* the same scanner object again, in chunks of 1..16 bytes */
	struct ipscan *t = ipscan_alloc(on_match, &small);
	if (t == NULL) {
		ipscan_free(s);
		return 0;
	}
	size_t step = size ? 1 + data[size / 2] % 16 : 1;
	for (size_t i = 0; i < size; i += step)
		ipscan_update(t, text + i, size - i < step ? size - i : step);
	ipscan_finish(t);

	if (whole.count != cut.count || whole.hash != cut.hash || whole.count != small.count ||
	    whole.hash != small.hash)
		abort();
	ipscan_free(s);
	ipscan_free(t);
	return 0;
}
