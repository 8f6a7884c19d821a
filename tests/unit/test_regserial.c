/*
 * test_regserial.c - registry roll-back protection: the serial as the
 * registry parser reads it, the rules of regserial_decide() (table over
 * serial, digest, mark, RegistrySignature required and RegistryRollback),
 * RegistryRollback's syntax, and the mark as the store reads it from the
 * audit chain (the newest registry-load record).
 */
#include "testutil.h"
#include "fixture_dir.h"

#include <stdio.h>
#include <string.h>

#include "fixture_store.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/regserial.h"
#include "grondslag/store/store.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("regserial");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static void test_serial_parse(void **state)
{
	(void)state;
	static const struct {
		const char *line;	/* "" for no serial line */
		uint64_t want;		/* 0 with err: refused */
		const char *err;
	} cases[] = {
		{"", 0, NULL},
		{"serial: 1\n", 1, NULL},
		{"serial: 2026120701\n", 2026120701ull, NULL},
		{"serial: 9007199254740991\n", 9007199254740991ull, NULL},
		{"serial: 9007199254740992\n", 0, "is not a whole number"},
		{"serial: 0\n", 0, "serial: '0' is not a whole number"},
		{"serial: 007\n", 0, "is not a whole number"},
		{"serial: -3\n", 0, "is not a whole number"},
		{"serial: 1.5\n", 0, "is not a whole number"},
		{"serial: two\n", 0, "is not a whole number"},
		{"serial: [1]\n", 0, "serial: want a scalar"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char text[512];
		snprintf(text, sizeof text,
			 "version: 1\n%sregimes:\n  - {id: w, name: W, valid_from: 2018-11-09}\n"
			 "parties: []\n", cases[i].line);
		struct registry_errors *e = NULL;
		struct registry *r = registry_load_buffer("s.yaml", text, strlen(text), &e);
		if (cases[i].err == NULL) {
			if (r == NULL)
				fail_msg("%s: got error %s, want serial %llu", cases[i].line,
					 registry_errors_count(e) ? registry_errors_get(e, 0) : "?",
					 (unsigned long long)cases[i].want);
			assert_int_eq_msg(cases[i].line, registry_serial(r), cases[i].want);
		} else if (r != NULL || registry_errors_count(e) == 0 ||
			   strstr(registry_errors_get(e, 0), cases[i].err) == NULL) {
			fail_msg("%s: got %s, want an error with \"%s\"", cases[i].line,
				 r ? "a registry" : registry_errors_get(e, 0), cases[i].err);
		}
		registry_unref(r);
		registry_errors_free(e);
	}
}

#define DA "aaaa000000000000000000000000000000000000000000000000000000000000"
#define DB "bbbb000000000000000000000000000000000000000000000000000000000000"

static void test_decide(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		uint64_t serial;
		const char *digest;
		bool found;		/* a mark exists */
		uint64_t mark;
		const char *mark_digest;
		bool required;
		const char *force;	/* RegistryRollback */
		enum regserial_verdict want;
		const char *msg;	/* in the sentence, NULL: "" */
	} cases[] = {
		{"first load", 5, DA, false, 0, "", false, "", REGSERIAL_ACCEPT, NULL},
		{"first load, required", 5, DA, false, 0, "", true, "", REGSERIAL_ACCEPT, NULL},
		{"higher", 6, DB, true, 5, DA, true, "", REGSERIAL_ACCEPT, NULL},
		{"same file again", 5, DA, true, 5, DA, true, "", REGSERIAL_ACCEPT, NULL},
		{"same serial, other contents", 5, DB, true, 5, DA, true, "", REGSERIAL_REFUSE,
		 "registry serial 5 equals the highest loaded, serial 5"},
		{"lower", 4, DA, true, 5, DB, true, "", REGSERIAL_REFUSE,
		 "registry serial 4 is lower than the highest loaded, serial 5"},
		{"lower, says how to force", 4, DA, true, 5, DB, false, "", REGSERIAL_REFUSE,
		 "RegistryRollback 4"},
		{"lower, forced", 4, DA, true, 5, DB, true, "4", REGSERIAL_FORCED,
		 "accepted because RegistryRollback 4 forces it"},
		{"lower, another serial forced", 3, DA, true, 5, DB, true, "4", REGSERIAL_REFUSE,
		 "is lower"},
		{"same serial other contents, forced", 5, DB, true, 5, DA, false, "5",
		 REGSERIAL_FORCED, "forces it"},
		{"force set but higher: plain accept", 7, DA, true, 5, DB, false, "4",
		 REGSERIAL_ACCEPT, NULL},
		{"no serial, required", 0, DA, false, 0, "", true, "", REGSERIAL_REFUSE,
		 "RegistrySignature required"},
		{"no serial, required, forced none", 0, DA, true, 5, DB, true, "none",
		 REGSERIAL_REFUSE, "RegistrySignature required"},
		{"no serial, optional, nothing before", 0, DA, false, 0, "", false, "",
		 REGSERIAL_ACCEPT_WARN, "roll-back protection is off"},
		{"no serial, optional, only unserialled before", 0, DA, true, 0, DB, false, "",
		 REGSERIAL_ACCEPT_WARN, "roll-back protection is off"},
		{"no serial after a serial", 0, DA, true, 5, DB, false, "", REGSERIAL_REFUSE,
		 "has no serial, but serial 5 (sha256 bbbb"},
		{"no serial after a serial, forced none", 0, DA, true, 5, DB, false, "none",
		 REGSERIAL_FORCED, "RegistryRollback none forces it"},
		{"serial after unserialled loads", 1, DA, true, 0, DB, true, "", REGSERIAL_ACCEPT,
		 NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct regserial_mark m = {.found = cases[i].found, .serial = cases[i].mark,
					   .seq = 12, .at = 1800000000};
		snprintf(m.digest, sizeof m.digest, "%s", cases[i].mark_digest);
		struct regserial_force f;
		assert_true(regserial_force_parse(cases[i].force, &f));
		char msg[1024];
		enum regserial_verdict v = regserial_decide(cases[i].serial, cases[i].digest, &m,
							    cases[i].required, &f, msg, sizeof msg);
		assert_str_eq_msg(cases[i].name, regserial_verdict_name(v),
				  regserial_verdict_name(cases[i].want));
		if (cases[i].msg == NULL ? *msg != '\0' : strstr(msg, cases[i].msg) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name, msg,
				 cases[i].msg ? cases[i].msg : "");
	}
}

static void test_force_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool ok, set;
		uint64_t serial;
	} cases[] = {
		{"", true, false, 0},	 {"none", true, true, 0}, {"4", true, true, 4},
		{"2026120701", true, true, 2026120701ull},	  {"0", false, true, 0},
		{"04", false, true, 0},	 {"-1", false, true, 0},  {"4x", false, true, 0},
		{"None", false, true, 0}, {"99999999999999999", false, true, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct regserial_force f;
		bool ok = regserial_force_parse(cases[i].text, &f);
		assert_int_eq_msg(cases[i].text, ok, cases[i].ok);
		if (ok) {
			assert_int_eq_msg(cases[i].text, f.set, cases[i].set);
			assert_int_eq_msg(cases[i].text, f.serial, cases[i].serial);
		}
	}
}

/* The mark is the newest registry-load record with a serial, whatever
 * came after (before any serial: the newest one). */
static void test_store_mark(void **state)
{
	(void)state;
	char path[256], err[256];
	fixture_databasef(path, sizeof path, dir, "mark.db");
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store: %s", err);
	struct regserial_mark m;
	assert_int_eq_msg("empty store", store_registry_mark(s, &m, err, sizeof err), 0);
	assert_false(m.found);
	static const struct {
		const char *event, *details;
		uint64_t serial;
		const char *digest;
	} recs[] = {
		{"registry-load", "{\"digest\":\"" DA "\"}", 0, DA},	/* before serials */
		{"registry-load", "{\"digest\":\"" DA "\",\"serial\":5}", 5, DA},
		{"reload", "{\"refused\":\"serial 4 is lower\"}", 5, DA},
		{"registry-load", "{\"digest\":\"" DB "\",\"serial\":7}", 7, DB},
		{"registry-load",
		 "{\"digest\":\"" DA "\",\"forced\":\"RegistryRollback\",\"serial\":5}", 5, DA},
		{"start", "{}", 5, DA},
		/* a forced load without a serial keeps the mark: else any
		 * older serial would pass next without a force */
		{"registry-load",
		 "{\"digest\":\"" DB "\",\"forced\":\"RegistryRollback\",\"serial\":0}", 5, DA},
		{"registry-load", "{\"digest\":\"" DB "\"}", 5, DA},
	};
	for (size_t i = 0; i < ARRAY_LEN(recs); i++) {
		struct store_audit a = {.event = recs[i].event, .details = recs[i].details};
		assert_int_eq_msg(recs[i].event, store_audit_put(s, &a, err, sizeof err), 0);
		assert_int_eq_msg(recs[i].details, store_registry_mark(s, &m, err, sizeof err), 1);
		assert_true(m.found);
		assert_int_eq_msg(recs[i].details, m.serial, recs[i].serial);
		assert_str_eq_msg(recs[i].details, m.digest, recs[i].digest);
	}
	store_close(s);
	/* read-only, as the grondslag command reads it */
	s = store_open_readonly(path, err, sizeof err);
	assert_non_null(s);
	assert_int_eq_msg("read-only", store_registry_mark(s, &m, err, sizeof err), 1);
	assert_int_eq_msg("read-only serial", m.serial, 5);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_parse),
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_force_parse),
		cmocka_unit_test(test_store_mark),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
