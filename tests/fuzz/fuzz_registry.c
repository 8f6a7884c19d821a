/*
 * fuzz_registry.c - the registry parser and schema walk on arbitrary
 * bytes: no crash, no leak, no unbounded recursion, whatever the YAML.
 * When the input happens to load, a few lookups and one decision run on
 * it too, so the tables and the policy see odd registries as well.
 * Seeds: tests/fuzz/seeds/registry/.
 */
#include <stddef.h>
#include <stdint.h>

#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rcpts[] = {"cert@cert.be", "x@a.b.cert.be", "soc@ncsc.nl",
					    "x@p.example", "x@xn--mller-kva.de", "<>"};
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("fuzz", (const char *)data, size, &e);
	for (size_t i = 0; i < registry_errors_count(e); i++)
		(void)registry_errors_get(e, i);
	registry_errors_free(e);
	if (r == NULL)
		return 0;
	struct findings *f = findings_alloc();
	if (f != NULL) {
		int part = findings_part_add(f, "1", "text/plain", NULL, 1);
		struct ipscan_match m = {.kind = IPSCAN_ADDR};
		if (part >= 0 && ip_addr_parse("194.7.1.1", &m.addr))
			findings_add_match(f, (unsigned)part, &m);
		findings_set_tlp(f, TLP_AMBER);
		findings_derive(f, 1);
	}
	for (size_t i = 0; i < sizeof rcpts / sizeof rcpts[0]; i++) {
		struct registry_lookup l;
		registry_lookup(r, rcpts[i], date_from_ymd(2024, 3, 1), &l);
		struct decision *d = policy_decide(r, f, rcpts[i], date_from_ymd(2026, 8, 15), NULL);
		decision_free(d);
	}
	findings_free(f);
	registry_unref(r);
	return 0;
}
