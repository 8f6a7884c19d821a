/*
 * fuzz_scanpar.c - scan_message() with the identifier scan on a second
 * thread from the first byte of text against the one-thread scan, on
 * arbitrary messages: the findings must be the same, entry for entry and
 * in order.  The first input byte picks the entry limit (0: the default,
 * else 1..63), so that the limit is met by addresses and identifiers in
 * turn, where only the order of recording decides what counts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/scan.h"

#define SAME(x, y) \
	do { \
		if ((x) != (y)) \
			abort(); \
	} while (0)

/* Abort unless a and b hold the same findings. */
static void same(const struct findings *a, const struct findings *b)
{
	SAME(findings_categories(a), findings_categories(b));
	SAME(findings_message_reason(a), findings_message_reason(b));
	SAME(findings_ip_count(a), findings_ip_count(b));
	for (size_t i = 0; i < findings_ip_count(a); i++) {
		const struct finding_ip *x = findings_ip(a, i), *y = findings_ip(b, i);
		if (memcmp(&x->addr, &y->addr, sizeof x->addr) != 0)
			abort();
		SAME(x->count, y->count);
		SAME(x->first_part, y->first_part);
		SAME(x->first_offset, y->first_offset);
		SAME(x->defanged, y->defanged);
		SAME(x->structured, y->structured);
	}
	SAME(findings_net_count(a), findings_net_count(b));
	for (size_t i = 0; i < findings_net_count(a); i++) {
		SAME(findings_net(a, i)->count, findings_net(b, i)->count);
		SAME(findings_net(a, i)->first_offset, findings_net(b, i)->first_offset);
	}
	SAME(findings_email_count(a), findings_email_count(b));
	SAME(findings_host_count(a), findings_host_count(b));
	for (size_t i = 0; i < findings_host_count(a); i++)
		if (memcmp(findings_host(a, i), findings_host(b, i), sizeof(struct finding_host)))
			abort();
	SAME(findings_credential_count(a), findings_credential_count(b));
	SAME(findings_tld_count(a), findings_tld_count(b));
	for (size_t i = 0; i < findings_tld_count(a); i++) {
		if (strcmp(findings_tld(a, i)->tld, findings_tld(b, i)->tld) != 0)
			abort();
		SAME(findings_tld(a, i)->count, findings_tld(b, i)->count);
	}
	SAME(findings_part_count(a), findings_part_count(b));
	for (size_t i = 0; i < findings_part_count(a); i++) {
		SAME(findings_part(a, i)->status, findings_part(b, i)->status);
		SAME(findings_part(a, i)->reason, findings_part(b, i)->reason);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct scan_options o;
	memset(&o, 0, sizeof o);
	walk_limits_default(&o.limits);
	o.limits.max_message_bytes = 1u << 20;
	o.limits.max_parts = 64;
	o.limits.max_depth = 6;
	o.limits.max_archive_entries = 64;
	o.limits.max_expanded_bytes = 8u << 20;
	o.limits.max_seconds = 10;
	o.limits.pdf_seconds = 2;
	o.limits.pdftotext = "/bin/false";
	o.threshold = 3;
	o.max_entries = data[0] & 63;
	o.parallel_min = SIZE_MAX;
	struct findings *one = scan_message(&o, (const char *)data + 1, size - 1);
	o.parallel_min = 1;
	struct findings *two = scan_message(&o, (const char *)data + 1, size - 1);
	if (one != NULL && two != NULL)
		same(one, two);
	findings_free(one);
	findings_free(two);
	return 0;
}
