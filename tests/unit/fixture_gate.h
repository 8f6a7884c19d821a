/*
 * fixture_gate.h - what the tests of the gate and of what follows from
 * its decisions start from: the sample registry (conf/registry.sample.yaml,
 * as the milter tests use) and findings from scan_message() with the
 * country of every public address set by hand (no geo database).  Run
 * from the top of the tree.
 */
#ifndef GRONDSLAG_FIXTURE_GATE_H
#define GRONDSLAG_FIXTURE_GATE_H

#include "grondslag/decide/registry.h"
#include "grondslag/scan/scan.h"

#define FIXTURE_REGISTRY_FILE "conf/registry.sample.yaml"

/* The sample registry; the test fails when it cannot be loaded. */
static inline struct registry *fixture_registry(void)
{
	struct registry_errors *e = NULL;
	struct registry *reg = registry_load(FIXTURE_REGISTRY_FILE, &e);
	registry_errors_free(e);
	if (reg == NULL)
		fail_msg("cannot load %s (run from the top of the tree)", FIXTURE_REGISTRY_FILE);
	return reg;
}

/* The findings of the message msg, every public address in country cc
 * ("" = unknown). */
static inline struct findings *fixture_findings(const char *msg, const char *cc)
{
	struct scan_options so = {0};
	walk_limits_default(&so.limits);
	so.threshold = 1;
	struct findings *f = scan_message(&so, msg, strlen(msg));
	assert_non_null(f);
	for (size_t i = 0; i < findings_ip_count(f); i++) {
		struct finding_ip *ip = findings_ip_mut(f, i);
		snprintf(ip->country, sizeof ip->country, "%s", cc);
		ip->geo_done = true;
	}
	return f;
}

#endif
