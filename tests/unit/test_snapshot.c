/*
 * test_snapshot.c - the daemon's snapshot: loading (registry, settings,
 * geo), its parsed settings (InternalHosts, InternalDomains, Mode,
 * On-InternalError, DecisionDate), every error path naming what is
 * wrong, and the slot: a broken reload keeps the old snapshot, a good one
 * swaps in a new generation while connections keep the one they pinned.
 */
#include "testutil.h"

#include <unistd.h>

#include "grondslag/base/date.h"
#include "grondslag/daemon/snapshot.h"

static char dir[] = "/tmp/test_snapshot.XXXXXX";
static char conf[300];
static char top[4096];

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL || getcwd(top, sizeof top) == NULL)
		fail_msg("mkdtemp/getcwd failed");
	snprintf(conf, sizeof conf, "%s/grondslag.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(conf);
	rmdir(dir);
	return 0;
}

/* Write the test configuration: registry file reg, plus extra lines. */
static void write_conf(const char *reg, const char *extra)
{
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "Registry %s/%s\nRegistrySignature none\nGeoCountryDatabase\nGeoASNDatabase\n%s",
		top, reg, extra);
	fclose(f);
}

static void test_snapshot_settings(void **state)
{
	(void)state;
	write_conf("conf/registry.sample.yaml",
		   "InternalHosts 10.0.0.0/8, 192.0.2.1 2001:db8::/32\nInternalDomains ncsc.nl\n"
		   "Mode simulate\nOn-InternalError reject\nDecisionDate 2024-01-10\n");
	char err[2048];
	struct snapshot *s = snapshot_load(conf, err, sizeof err);
	if (s == NULL)
		fail_msg("load: %s", err);
	static const struct {
		const char *ip;
		bool internal;
	} hosts[] = {{"10.1.2.3", true}, {"192.0.2.1", true}, {"192.0.2.2", false},
		     {"2001:db8::5", true}, {"127.0.0.1", false}, {"8.8.8.8", false}};
	for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
		struct ip_addr a;
		assert_true(ip_addr_parse(hosts[i].ip, &a));
		assert_int_eq_msg(hosts[i].ip, snapshot_internal_host(s, &a), hosts[i].internal);
	}
	static const struct {
		const char *sender;
		bool internal;
	} senders[] = {{"<a@ncsc.nl>", true}, {"<a@SOC.NCSC.NL>", true}, {"a@ncsc.nl", true},
		       {"<a@evilncsc.nl>", false}, {"<a@ncsc.nl.evil.example>", false},
		       {"<>", false}, {"", false}};
	for (size_t i = 0; i < ARRAY_LEN(senders); i++)
		assert_int_eq_msg(senders[i].sender, snapshot_internal_sender(s, senders[i].sender),
				  senders[i].internal);
	int32_t d;
	date_parse("2024-01-10", &d);
	assert_int_eq_msg("DecisionDate", snapshot_date(s, 1900000000), d);
	assert_int_eq_msg("Mode", snapshot_mode(s), GATE_SIMULATE);
	assert_int_eq_msg("On-InternalError", snapshot_on_error(s), ON_ERROR_REJECT);
	assert_int_eq_msg("digest length", strlen(snapshot_digest(s)), 64);
	assert_str_eq_msg("warning", snapshot_warning(s), "");
	assert_non_null(snapshot_registry(s));
	assert_int_eq_msg("threshold", snapshot_scan(s)->threshold, 1);
	assert_null(snapshot_scan(s)->geo);
	assert_true(snapshot_policy(s)->public_is_personal);
	snapshot_unref(s);

	/* Defaults: loopback is internal, today's date, enforce, tempfail. */
	write_conf("conf/registry.sample.yaml", "");
	s = snapshot_load(conf, err, sizeof err);
	assert_non_null(s);
	struct ip_addr lo;
	ip_addr_parse("::1", &lo);
	assert_true(snapshot_internal_host(s, &lo));
	assert_int_eq_msg("today", snapshot_date(s, 86400 * 3), 3);
	assert_int_eq_msg("default mode", snapshot_mode(s), GATE_ENFORCE);
	assert_int_eq_msg("default error action", snapshot_on_error(s), ON_ERROR_TEMPFAIL);
	snapshot_unref(s);
}

static void test_snapshot_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name, *reg, *extra, *want;
	} rows[] = {
		{"broken registry", "tests/registry/bad-syntax.yaml", "", "bad-syntax.yaml"},
		{"missing registry", "tests/registry/none.yaml", "", "none.yaml"},
		{"bad InternalHosts", "conf/registry.sample.yaml", "InternalHosts 10.0.0.0/33\n",
		 "InternalHosts"},
		{"bad InternalDomains", "conf/registry.sample.yaml", "InternalDomains not_a_domain\n",
		 "InternalDomains"},
		{"bad DecisionDate", "conf/registry.sample.yaml", "DecisionDate 2024-02-30\n",
		 "DecisionDate"},
		{"accept is no error action", "conf/registry.sample.yaml", "On-InternalError accept\n",
		 "On-InternalError"},
		{"unknown key", "conf/registry.sample.yaml", "NoSuchKey 1\n", "NoSuchKey"},
		{"missing geo file", "conf/registry.sample.yaml",
		 "GeoCountryDatabase /nonexistent/country.mmdb\n", "geo"},
	};
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		/* write_conf() sets both geo keys empty; a row may set one again,
		 * which the parser refuses as given twice, so build by hand. */
		FILE *f = fopen(conf, "w");
		assert_non_null(f);
		fprintf(f, "Registry %s/%s\nRegistrySignature none\nGeoASNDatabase\n%s%s", top,
			rows[r].reg, strstr(rows[r].extra, "GeoCountry") ? "" : "GeoCountryDatabase\n",
			rows[r].extra);
		fclose(f);
		char err[4096];
		struct snapshot *s = snapshot_load(conf, err, sizeof err);
		if (s != NULL)
			fail_msg("%s: loaded, want an error", rows[r].name);
		if (strstr(err, rows[r].want) == NULL)
			fail_msg("%s: got \"%s\", want it to name \"%s\"", rows[r].name, err, rows[r].want);
	}
	char err[256];
	assert_null(snapshot_load("/nonexistent/grondslag.conf", err, sizeof err));
}

static void test_snapshot_unsigned_warns(void **state)
{
	(void)state;
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "Registry %s/conf/registry.sample.yaml\nRegistrySignature optional\n"
		   "GeoCountryDatabase\nGeoASNDatabase\n", top);
	fclose(f);
	char err[2048];
	struct snapshot *s = snapshot_load(conf, err, sizeof err);
	if (s == NULL)
		fail_msg("optional + unsigned: %s", err);
	if (snapshot_warning(s)[0] == '\0')
		fail_msg("optional + unsigned: got no warning, want one");
	snapshot_unref(s);
}

static void test_snapshot_slot(void **state)
{
	(void)state;
	char err[4096];
	write_conf("conf/registry.sample.yaml", "");
	struct snapshot *first = snapshot_load(conf, err, sizeof err);
	assert_non_null(first);
	struct snapshot_slot slot;
	assert_int_eq_msg("init", snapshot_slot_init(&slot, conf, first), 0);
	struct snapshot *pinned = snapshot_slot_get(&slot);	/* a connection */
	assert_int_eq_msg("generation", snapshot_generation(pinned), 1);
	size_t parties = registry_party_count(snapshot_registry(pinned));

	/* A broken registry: refused, the old snapshot stays current. */
	write_conf("tests/registry/bad-syntax.yaml", "");
	assert_int_eq_msg("broken reload", snapshot_slot_reload(&slot, err, sizeof err), -1);
	if (strstr(err, "bad-syntax.yaml") == NULL)
		fail_msg("broken reload: got \"%s\", want the file named", err);
	struct snapshot *cur = snapshot_slot_get(&slot);
	assert_true(cur == pinned);
	snapshot_unref(cur);

	/* A good one: new generation; the pinned one keeps working. */
	write_conf("conf/registry.sample.yaml", "Mode simulate\n");
	assert_int_eq_msg("good reload", snapshot_slot_reload(&slot, err, sizeof err), 0);
	cur = snapshot_slot_get(&slot);
	assert_true(cur != pinned);
	assert_int_eq_msg("new generation", snapshot_generation(cur), 2);
	assert_int_eq_msg("new mode", snapshot_mode(cur), GATE_SIMULATE);
	assert_int_eq_msg("old mode", snapshot_mode(pinned), GATE_ENFORCE);
	assert_int_eq_msg("old registry usable", registry_party_count(snapshot_registry(pinned)),
			  parties);
	snapshot_unref(pinned);
	snapshot_unref(cur);
	snapshot_slot_destroy(&slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_settings),
		cmocka_unit_test(test_snapshot_errors),
		cmocka_unit_test(test_snapshot_unsigned_warns),
		cmocka_unit_test(test_snapshot_slot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
