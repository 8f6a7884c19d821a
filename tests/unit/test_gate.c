/*
 * test_gate.c - from findings and envelope to the milter's action:
 * pass / accept / partial / discard / tempfail, per-recipient holds,
 * simulate mode, the X-Grondslag header value, share records, the hold
 * list for the store, and log lines that never carry an address.
 *
 * Uses the sample registry (conf/registry.sample.yaml, as the milter
 * tests do) and findings from scan_message() on small messages, with the
 * country of each address set by hand (no geo database).
 */
#include "testutil.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "fixture_gate.h"
#include "grondslag/base/date.h"
#include "grondslag/decide/gate.h"

static struct registry *reg;

static int setup(void **state)
{
	(void)state;
	reg = fixture_registry();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_unref(reg);
	return 0;
}

/* A message with body, every public address in country cc. */
static struct findings *scan(const char *body, const char *cc)
{
	char msg[4096];
	snprintf(msg, sizeof msg, "From: a@ncsc.nl\r\nSubject: t\r\n\r\n%s", body);
	return fixture_findings(msg, cc);
}

struct gate_row {
	const char *name;
	const char *body;
	const char *cc;
	const char *rcpts[4];
	bool outbound;
	enum gate_mode mode;
	const char *date;
	enum gate_action want;
	const char *held;	/* one char per rcpt: H held, D delivered */
	size_t shares;
	const char *header;	/* prefix of the header value, NULL = none */
	const char *log;	/* prefix of the log line */
};

static const char BE[] = "list:\n194.7.1.10\n194.7.2.20\n";

static const struct gate_row rows[] = {
	{"inbound passes", BE, "BE", {"<info@jpcert.or.jp>"}, false, GATE_ENFORCE, "2024-01-10",
	 GATE_PASS, "D", 0, NULL, "verdict=pass mode=enforce rcpts=0 held=0"},
	{"clean to jpcert", "hello\n", "", {"<info@jpcert.or.jp>"}, true, GATE_ENFORCE,
	 "2024-01-10", GATE_ACCEPT, "D", 0, NULL,
	 "verdict=accept mode=enforce rcpts=1 held=0 reasons=no-regulated-data categories=none public=0"},
	{"BE list to cert.be", BE, "BE", {"<cert@cert.be>"}, true, GATE_ENFORCE, "2024-01-10",
	 GATE_ACCEPT, "D", 1, "deliver; categories=provider-traceable,personal-data; date=2024-01-10; bases=wbni-20-2-eu-csirt",
	 "verdict=accept mode=enforce rcpts=1 held=0 reasons=none categories=provider-traceable,personal-data public=2"},
	{"BE list to cert.be and jpcert", BE, "BE", {"<cert@cert.be>", "<info@jpcert.or.jp>"}, true,
	 GATE_ENFORCE, "2024-01-10", GATE_PARTIAL, "DH", 1, "partial; held=1; ref=GREF",
	 "verdict=partial mode=enforce rcpts=2 held=1 reasons=no-basis"},
	{"BE list to jpcert, cisa, ncsc uk", BE, "BE",
	 {"<info@jpcert.or.jp>", "<central@cisa.gov>", "<x@ncsc.gov.uk>"}, true, GATE_ENFORCE,
	 "2024-01-10", GATE_DISCARD, "HHH", 0, NULL, "verdict=discard mode=enforce rcpts=3 held=3"},
	{"JP list to cert.be", "133.1.2.3\n", "JP", {"<cert@cert.be>"}, true, GATE_ENFORCE,
	 "2024-01-10", GATE_DISCARD, "H", 0, NULL,
	 "verdict=discard mode=enforce rcpts=1 held=1 reasons=constituency-mismatch"},
	{"own domain", BE, "BE", {"<soc@ncsc.nl>", "<info@jpcert.or.jp>"}, true, GATE_ENFORCE,
	 "2024-01-10", GATE_PARTIAL, "DH", 1, "partial; held=1",
	 "verdict=partial mode=enforce rcpts=2 held=1 reasons=no-basis,own-domain"},
	{"simulate partial", BE, "BE", {"<cert@cert.be>", "<info@jpcert.or.jp>"}, true,
	 GATE_SIMULATE, "2024-01-10", GATE_ACCEPT, "DD", 2, "simulate; would-hold=1",
	 "verdict=accept mode=simulate rcpts=2 held=0 would-hold=1 reasons=no-basis"},
	{"simulate all held", BE, "BE", {"<info@jpcert.or.jp>"}, true, GATE_SIMULATE,
	 "2024-01-10", GATE_ACCEPT, "D", 1, "simulate; would-hold=1", "verdict=accept mode=simulate"},
	{"after the Cbw switch", BE, "BE", {"<cert@cert.be>"}, true, GATE_ENFORCE, "2026-09-01",
	 GATE_ACCEPT, "D", 1, "deliver; categories=provider-traceable,personal-data; date=2026-09-01; bases=cbw-eu-csirt",
	 "verdict=accept"},
	{"no recipients", BE, "BE", {NULL}, true, GATE_ENFORCE, "2024-01-10", GATE_ACCEPT, "", 0,
	 NULL, "verdict=accept mode=enforce rcpts=0"},
};

/* Check the per-recipient verdicts and lists of one row. */
static void check_lists(const struct gate_row *row, const struct gate_result *g)
{
	size_t n = 0, nheld = 0, ndeliv = 0;
	while (n < 4 && row->rcpts[n] != NULL)
		n++;
	if (gate_action(g) == GATE_PASS)
		return;
	assert_int_eq_msg(row->name, gate_rcpt_count(g), n);
	for (size_t i = 0; i < n; i++) {
		bool want_held = row->held[i] == 'H';
		if (gate_rcpt_held(g, i) != want_held)
			fail_msg("%s: rcpt %zu held: got %d, want %d", row->name, i,
				 gate_rcpt_held(g, i), want_held);
		assert_str_eq_msg(row->name, gate_rcpt(g, i), row->rcpts[i]);
		nheld += want_held;
		ndeliv += !want_held;
	}
	size_t got;
	const struct hold_rcpt *h = gate_hold_rcpts(g, &got);
	assert_int_eq_msg(row->name, got, nheld);
	for (size_t i = 0; i < got; i++) {
		assert_non_null(h[i].reasons);
		assert_non_null(h[i].explanation);
		if (strstr(h[i].explanation, "194.7.") != NULL)
			fail_msg("%s: explanation names an address", row->name);
	}
	gate_delivered(g, &got);
	assert_int_eq_msg(row->name, got, ndeliv);
	assert_int_eq_msg(row->name, gate_share_count(g), row->shares);
}

static void test_gate_table(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		const struct gate_row *row = &rows[r];
		struct findings *f = scan(row->body, row->cc);
		size_t n = 0;
		while (n < 4 && row->rcpts[n] != NULL)
			n++;
		struct gate_input in = {.queue_id = "QID1", .sender = "<a@ncsc.nl>",
					.rcpts = row->rcpts, .nrcpts = n, .outbound = row->outbound,
					.mode = row->mode, .now = 1700000000};
		assert_true(date_parse(row->date, &in.date));
		policy_options_default(&in.policy);
		struct gate_result *g = gate_decide(&in, reg, f);
		assert_non_null(g);
		if (gate_action(g) != row->want)
			fail_msg("%s: action: got %s, want %s", row->name,
				 gate_action_name(gate_action(g)), gate_action_name(row->want));
		check_lists(row, g);
		char hdr[GATE_HEADER_MAX + 1], line[1024];
		bool has = gate_header(g, "GREF", hdr, sizeof hdr);
		if (has != (row->header != NULL))
			fail_msg("%s: header: got %s, want %s", row->name, has ? hdr : "none",
				 row->header ? row->header : "none");
		if (has && strncmp(hdr, row->header, strlen(row->header)) != 0)
			fail_msg("%s: header: got \"%s\", want prefix \"%s\"", row->name, hdr, row->header);
		gate_log_line(g, line, sizeof line);
		if (strncmp(line, row->log, strlen(row->log)) != 0)
			fail_msg("%s: log: got \"%s\", want prefix \"%s\"", row->name, line, row->log);
		if (strstr(line, "194.7.") || strstr(line, "@"))
			fail_msg("%s: log line carries an address: %s", row->name, line);
		for (size_t i = 0; i < gate_rcpt_count(g); i++) {
			gate_rcpt_log_line(g, i, line, sizeof line);
			if (strstr(line, "@") != NULL)
				fail_msg("%s: rcpt log line carries an address: %s", row->name, line);
		}
		gate_free(g);
		findings_free(f);
	}
}

/* The share record of a delivered recipient: party, basis, countries. */
static void test_gate_share(void **state)
{
	(void)state;
	struct findings *f = scan(BE, "BE");
	const char *rcpts[] = {"<cert@cert.be>", "<info@jpcert.or.jp>"};
	struct gate_input in = {.queue_id = "Q", .sender = "<a@ncsc.nl>", .rcpts = rcpts,
				.nrcpts = 2, .outbound = true, .mode = GATE_SIMULATE, .now = 42};
	date_parse("2024-01-10", &in.date);
	policy_options_default(&in.policy);
	struct gate_result *g = gate_decide(&in, reg, f);
	assert_int_eq_msg("shares", gate_share_count(g), 2);
	const struct hold_share *s = gate_share(g, 0);
	assert_str_eq_msg("party", s->party, "cert-be");
	assert_str_eq_msg("bases", s->bases, "wbni-20-2-eu-csirt");
	assert_str_eq_msg("articles", s->articles, "Wbni art. 20(2)");
	assert_str_eq_msg("countries", s->countries, "BE:2");
	assert_str_eq_msg("recipient", s->recipient, "<cert@cert.be>");
	assert_int_eq_msg("simulated", s->simulated, 0);
	assert_int_eq_msg("public", s->public_addresses, 2);
	assert_int_eq_msg("when", s->when, 42);
	s = gate_share(g, 1);
	assert_str_eq_msg("party 2", s->party, "jpcert");
	assert_int_eq_msg("simulated 2", s->simulated, 1);
	assert_null(gate_share(g, 2));
	char *sum = gate_summary_json(g), *full = gate_findings_json(g);
	assert_non_null(sum);
	assert_non_null(full);
	if (strstr(sum, "194.7.") != NULL)
		fail_msg("summary carries an address: %s", sum);
	if (strstr(full, "194.7.1.10") == NULL)
		fail_msg("findings JSON lacks the address: %s", full);
	free(sum);
	free(full);
	gate_free(g);
	findings_free(f);
}

/* No findings (scan failed) or too many recipients: tempfail, never accept. */
static void test_gate_tempfail(void **state)
{
	(void)state;
	const char *rcpts[] = {"<cert@cert.be>"};
	struct gate_input in = {.rcpts = rcpts, .nrcpts = 1, .outbound = true};
	policy_options_default(&in.policy);
	struct gate_result *g = gate_decide(&in, reg, NULL);
	assert_int_eq_msg("no findings", gate_action(g), GATE_TEMPFAIL);
	char hdr[64], line[512];
	assert_false(gate_header(g, NULL, hdr, sizeof hdr));
	gate_log_line(g, line, sizeof line);
	assert_int_eq_msg("log", strncmp(line, "verdict=tempfail", 16), 0);
	gate_free(g);
	struct findings *f = scan("x\n", "");
	in.nrcpts = GATE_MAX_RCPTS + 1;
	g = gate_decide(&in, reg, f);
	assert_int_eq_msg("too many recipients", gate_action(g), GATE_TEMPFAIL);
	gate_free(g);
	findings_free(f);
}

static void test_gate_names(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool ok;
		enum gate_mode mode;
	} modes[] = {{"enforce", true, GATE_ENFORCE}, {"SIMULATE", true, GATE_SIMULATE},
		     {"accept", false, 0}, {"", false, 0}};
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		enum gate_mode m = GATE_ENFORCE;
		assert_int_eq_msg(modes[i].text, gate_mode_parse(modes[i].text, &m), modes[i].ok);
		if (modes[i].ok)
			assert_int_eq_msg(modes[i].text, m, modes[i].mode);
	}
	assert_str_eq_msg("pass", gate_action_name(GATE_PASS), "pass");
	assert_str_eq_msg("discard", gate_action_name(GATE_DISCARD), "discard");
	assert_str_eq_msg("tempfail", gate_action_name(GATE_TEMPFAIL), "tempfail");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_table),
		cmocka_unit_test(test_gate_share),
		cmocka_unit_test(test_gate_tempfail),
		cmocka_unit_test(test_gate_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
