/*
 * test_names.c - closed sets' words (names.c), table-driven, and every
 * set that uses them checked both ways: each value's name parses back to
 * the value, so a word cannot be spelt two ways.
 */
#include "testutil.h"

#include <string.h>

#include "grondslag/base/names.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/holdstate.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/regsig.h"
#include "grondslag/scan/findings.h"

enum colour { RED, GREEN, BLUE = 4 };

static const struct name_value colours[] = {
	{"red", RED},
	{"green", GREEN},
	{"blue", BLUE},
	{"azure", BLUE},	/* an alias: parses, never printed */
};

static void test_lookup(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned flags;
		int want;
	} parse[] = {
		{"red", 0, RED},
		{"green", 0, GREEN},
		{"blue", 0, BLUE},
		{"azure", 0, BLUE},
		{"Red", 0, -1},
		{"Red", NAMES_NOCASE, RED},
		{"AZURE", NAMES_NOCASE, BLUE},
		{"re", 0, -1},
		{"redd", 0, -1},
		{"", 0, -1},
		{NULL, 0, -1},
	};
	for (size_t i = 0; i < ARRAY_LEN(parse); i++)
		assert_int_eq_msg(parse[i].name ? parse[i].name : "(null)",
				  value_of(colours, NAMES_LEN(colours), parse[i].name, parse[i].flags),
				  parse[i].want);
	static const struct {
		int value;
		const char *want;
	} print[] = {
		{RED, "red"}, {GREEN, "green"}, {BLUE, "blue"}, {3, "?"}, {-1, "?"},
	};
	for (size_t i = 0; i < ARRAY_LEN(print); i++)
		assert_str_eq_msg(print[i].want,
				  name_of(colours, NAMES_LEN(colours), print[i].value, "?"),
				  print[i].want);
	assert_string_equal(name_of(colours, 0, RED, "none"), "none");
}

/* The sets with a parser: every value's name parses back to it, and a
 * value out of range has the set's fallback name. */
static void test_round_trips(void **state)
{
	(void)state;
	for (int i = 0; i < PARTY_TYPE_COUNT; i++) {
		enum party_type t = PARTY_OTHER + 1;
		assert_true(party_type_parse(party_type_name((enum party_type)i), &t));
		assert_int_equal(t, i);
	}
	assert_string_equal(party_type_name(PARTY_TYPE_COUNT), "unknown");
	for (int i = 0; i < TRANSFER_COUNT; i++) {
		enum transfer_mechanism m = TRANSFER_COUNT;
		assert_true(transfer_mechanism_parse(transfer_mechanism_name((enum transfer_mechanism)i),
						     &m));
		assert_int_equal(m, i);
	}
	for (int i = TLP_CLEAR; i <= TLP_RED; i++) {
		enum tlp_level t = TLP_NONE;
		assert_true(tlp_parse(tlp_name((enum tlp_level)i), &t));
		assert_int_equal(t, i);
	}
	assert_string_equal(tlp_name(TLP_NONE), "");
	for (int i = 0; i < HOLD_STATE_COUNT; i++) {
		enum hold_state st = HOLD_STATE_COUNT;
		assert_true(holdstate_parse(holdstate_name((enum hold_state)i), &st));
		assert_int_equal(st, i);
	}
	for (int i = 0; i < RCPT_STATE_COUNT; i++) {
		enum hold_rcpt_state st = RCPT_STATE_COUNT;
		assert_true(holdstate_rcpt_parse(holdstate_rcpt_name((enum hold_rcpt_state)i), &st));
		assert_int_equal(st, i);
	}
	assert_string_equal(holdstate_name(HOLD_STATE_COUNT), "?");
	for (int i = REGSIG_REQUIRED; i <= REGSIG_NONE; i++) {
		enum regsig_mode m = REGSIG_NONE + 1;
		assert_true(regsig_mode_parse(regsig_mode_name((enum regsig_mode)i), &m));
		assert_int_equal(m, i);
	}
}

/* Parsers keep their own case rules and aliases. */
static void test_parsers(void **state)
{
	(void)state;
	/* TLP's prefix and alias, and categories: test_findings.c */
	enum gate_mode g = GATE_ENFORCE;
	assert_true(gate_mode_parse("SIMULATE", &g));
	assert_int_equal(g, GATE_SIMULATE);
	assert_true(gate_mode_parse("enforce", &g));
	assert_int_equal(g, GATE_ENFORCE);
	assert_false(gate_mode_parse("off", &g));
	for (int i = GATE_ENFORCE; i <= GATE_SIMULATE; i++) {
		assert_true(gate_mode_parse(gate_mode_name((enum gate_mode)i), &g));
		assert_int_equal(g, i);
	}
	assert_false(gate_mode_parse(NULL, &g));
	enum party_type p = PARTY_OTHER;
	assert_false(party_type_parse("EU-CSIRT", &p));	/* registry words are exact */
	assert_int_equal(p, PARTY_OTHER);
	enum hold_state st = HOLD_PENDING;
	assert_false(holdstate_parse(NULL, &st));
	enum regsig_mode m = REGSIG_NONE;
	assert_false(regsig_mode_parse("Required", &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_parsers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
