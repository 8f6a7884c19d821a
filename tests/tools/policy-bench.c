/*
 * policy-bench.c - how long decisions take against a large registry: it
 * writes a registry of 5,000 parties (YAML, to a temporary file), loads
 * it, and decides 10,000 recipients (exact addresses, exact domains,
 * wildcard subdomains, unknown domains) for a message with public
 * addresses.  Prints the load and decision times.  Not part of make check.
 * Usage: policy-bench [PARTIES [RECIPIENTS]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The registry: one basis, parties with two domains and an address each. */
static int write_registry(FILE *fp, unsigned parties)
{
	fprintf(fp, "version: 1\nown_domains: [ncsc.nl]\n"
		    "eea: [{country: BE, valid_from: 1994-01-01}]\n"
		    "regimes: [{id: wbni, name: Wbni, valid_from: 2018-11-09, "
		    "valid_until: 2026-08-15}]\n"
		    "bases:\n  - {id: b, regime: wbni, article: \"Wbni art. 20(2)\", "
		    "permits: [provider-traceable, incident, personal-data], tlp_max: AMBER, "
		    "constituency_match: true, approved_by: bench}\nparties:\n");
	for (unsigned i = 0; i < parties; i++)
		fprintf(fp, "  - {id: p%u, name: \"Party %u\", type: eu-csirt, jurisdiction: BE,\n"
			    "     domains: [d%u.example, \"*.d%u.example\"], addresses: "
			    "[cert@d%u.example],\n     constituency: {countries: [BE], asns: [%u]}, "
			    "bases: [b]}\n", i, i, i, i, i, 64500 + i % 1000);
	return ferror(fp) ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned parties = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 5000;
	unsigned rcpts = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 10000;
	char path[] = "/tmp/policy-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 2;
	}
	FILE *fp = fdopen(fd, "w");
	if (fp == NULL || write_registry(fp, parties) != 0 || fclose(fp) != 0) {
		perror(path);
		unlink(path);
		return 2;
	}
	double t0 = now();
	struct registry_errors *e = NULL;
	struct registry *r = registry_load(path, &e);
	double t1 = now();
	unlink(path);
	if (r == NULL) {
		fprintf(stderr, "%s\n", registry_errors_get(e, 0));
		registry_errors_free(e);
		return 2;
	}
	registry_errors_free(e);

	struct findings *f = findings_alloc();
	int part = findings_part_add(f, "1", "text/csv", "be.csv", 1);
	static const char *const ips[] = {"194.7.1.1", "194.7.2.2", "194.7.3.3", "194.7.4.4"};
	for (size_t i = 0; i < 4; i++) {
		struct ipscan_match m = {.kind = IPSCAN_ADDR, .offset = i * 16};
		if (!ip_addr_parse(ips[i], &m.addr))
			return 2;
		findings_add_match(f, (unsigned)part, &m);
	}
	for (size_t i = 0; i < findings_ip_count(f); i++)
		memcpy(findings_ip_mut(f, i)->country, "BE", 3);
	findings_derive(f, 1);

	unsigned deliver = 0, hold = 0;
	int32_t day = date_from_ymd(2024, 3, 1);
	double t2 = now();
	for (unsigned i = 0; i < rcpts; i++) {
		char rcpt[128];
		unsigned p = (i * 7919u) % parties;
		switch (i % 4) {
		case 0: snprintf(rcpt, sizeof rcpt, "cert@d%u.example", p); break;
		case 1: snprintf(rcpt, sizeof rcpt, "Info@D%u.Example.", p); break;
		case 2: snprintf(rcpt, sizeof rcpt, "x@team.sub.d%u.example", p); break;
		default: snprintf(rcpt, sizeof rcpt, "x@unknown%u.example", p); break;
		}
		struct decision *d = policy_decide(r, f, rcpt, day, NULL);
		if (d == NULL)
			return 2;
		if (decision_verdict(d) == VERDICT_DELIVER)
			deliver++;
		else
			hold++;
		decision_free(d);
	}
	double t3 = now();
	printf("registry: %u parties loaded in %.3f s\n", parties, t1 - t0);
	printf("decisions: %u recipients in %.3f s (%.1f us each): %u deliver, %u hold\n", rcpts,
	       t3 - t2, (t3 - t2) * 1e6 / rcpts, deliver, hold);
	findings_free(f);
	registry_unref(r);
	return 0;
}
