/*
 * test_holdstate.c - the hold state machine: EVERY (state, event) pair of
 * the hold and of a recipient, legal ones with their next state, illegal
 * ones refused with a reason and nothing changed; then the rules: the
 * sender cannot approve, distinct jurists, the same jurist twice, one
 * approval when ReleaseApprovals is 1, per-recipient approvals, deny after
 * a partial approval, names round-trip.
 */
#include "testutil.h"

#include "grondslag/decide/holdstate.h"

#define SENDER "<alice@ncsc.nl>"
#define NONE HOLD_STATE_COUNT	/* "refused" in the tables */

/* A hold in state st with two recipients in a shape typical for it:
 *   pending:          A held, B held, no approvals
 *   partly-approved:  A approved (j1, j2), B held (j1)
 *   releasing:        A releasing (j1, j2), B released (j1, j2)
 *   released:         A released, B released
 *   denied:           A denied (j1), B denied
 *   expired:          A expired, B expired */
static struct holdstate *fixture(enum hold_state st)
{
	static const enum hold_rcpt_state shape[HOLD_STATE_COUNT][2] = {
		[HOLD_PENDING] = {RCPT_HELD, RCPT_HELD},
		[HOLD_PARTLY_APPROVED] = {RCPT_APPROVED, RCPT_HELD},
		[HOLD_RELEASING] = {RCPT_RELEASING, RCPT_RELEASED},
		[HOLD_RELEASED] = {RCPT_RELEASED, RCPT_RELEASED},
		[HOLD_DENIED] = {RCPT_DENIED, RCPT_DENIED},
		[HOLD_EXPIRED] = {RCPT_EXPIRED, RCPT_EXPIRED},
	};
	struct holdstate *h = holdstate_new(st, SENDER, 2);
	assert_non_null(h);
	assert_int_equal(holdstate_add_rcpt(h, "<a@cert.be>", shape[st][0]), 0);
	assert_int_equal(holdstate_add_rcpt(h, "<b@jpcert.or.jp>", shape[st][1]), 1);
	if (st == HOLD_PARTLY_APPROVED || st == HOLD_RELEASING || st == HOLD_RELEASED) {
		assert_int_equal(holdstate_add_approval(h, 0, "j1"), 0);
		assert_int_equal(holdstate_add_approval(h, 0, "j2"), 0);
	}
	if (st == HOLD_PARTLY_APPROVED || st == HOLD_DENIED)
		assert_int_equal(holdstate_add_approval(h, 1, "j1"), 0);
	if (st == HOLD_RELEASING || st == HOLD_RELEASED) {
		assert_int_equal(holdstate_add_approval(h, 1, "j1"), 0);
		assert_int_equal(holdstate_add_approval(h, 1, "j2"), 0);
	}
	return h;
}

/* The approving jurist of the table: j2 (new for B in partly-approved). */
static struct hold_event_in event(enum hold_event ev)
{
	static const char *const mail[] = {"<bob@ncsc.nl>"};
	struct hold_event_in in = {.type = ev};
	if (ev == HEV_APPROVE) {
		in.jurist = "j2";
		in.jurist_mail = mail;
		in.njurist_mail = 1;
	}
	return in;
}

static void test_every_hold_pair(void **state)
{
	(void)state;
	/* want[state][event]: the next state, NONE = refused */
	static const enum hold_state want[HOLD_STATE_COUNT][HEV_COUNT] = {
		/* approve, deny, expire, release-started, release-done, release-failed */
		[HOLD_PENDING] = {HOLD_PARTLY_APPROVED, HOLD_DENIED, HOLD_EXPIRED, NONE, NONE, NONE},
		[HOLD_PARTLY_APPROVED] = {HOLD_PARTLY_APPROVED, HOLD_DENIED, HOLD_EXPIRED,
					  HOLD_RELEASING, NONE, NONE},
		[HOLD_RELEASING] = {NONE, NONE, NONE, NONE, HOLD_RELEASED, HOLD_PARTLY_APPROVED},
		[HOLD_RELEASED] = {NONE, NONE, NONE, NONE, NONE, NONE},
		[HOLD_DENIED] = {NONE, NONE, NONE, NONE, NONE, NONE},
		[HOLD_EXPIRED] = {NONE, NONE, NONE, NONE, NONE, NONE},
	};
	unsigned pairs = 0;
	for (int s = 0; s < HOLD_STATE_COUNT; s++) {
		for (int e = 0; e < HEV_COUNT; e++) {
			char row[128], reason[256];
			snprintf(row, sizeof row, "%s + %s", holdstate_name((enum hold_state)s),
				 holdstate_event_name((enum hold_event)e));
			struct holdstate *h = fixture((enum hold_state)s);
			enum hold_rcpt_state before[2] = {holdstate_rcpt_state(h, 0),
							  holdstate_rcpt_state(h, 1)};
			struct hold_event_in in = event((enum hold_event)e);
			int rc = holdstate_apply(h, &in, reason, sizeof reason);
			if (want[s][e] == NONE) {
				if (rc != -1)
					fail_msg("%s: got accepted (-> %s), want refused", row,
						 holdstate_name(holdstate_state(h)));
				if (reason[0] == '\0')
					fail_msg("%s: refused without a reason", row);
				assert_str_eq_msg(row, holdstate_name(holdstate_state(h)),
						  holdstate_name((enum hold_state)s));
				assert_int_eq_msg(row, holdstate_rcpt_state(h, 0), before[0]);
				assert_int_eq_msg(row, holdstate_rcpt_state(h, 1), before[1]);
			} else {
				if (rc != 0)
					fail_msg("%s: got refused (%s), want -> %s", row, reason,
						 holdstate_name(want[s][e]));
				assert_str_eq_msg(row, holdstate_name(holdstate_state(h)),
						  holdstate_name(want[s][e]));
			}
			holdstate_free(h);
			pairs++;
		}
	}
	assert_int_equal(pairs, HOLD_STATE_COUNT * HEV_COUNT);
}

static void test_every_rcpt_pair(void **state)
{
	(void)state;
	#define R_NONE RCPT_STATE_COUNT
	/* want[state][event] for an approval that is not (complete=false) and
	 * is (complete=true) the last one needed */
	static const enum hold_rcpt_state want[2][RCPT_STATE_COUNT][HEV_COUNT] = {
		{
			[RCPT_HELD] = {RCPT_HELD, RCPT_DENIED, RCPT_EXPIRED, R_NONE, R_NONE, R_NONE},
			[RCPT_APPROVED] = {R_NONE, RCPT_DENIED, RCPT_EXPIRED, RCPT_RELEASING, R_NONE,
					   R_NONE},
			[RCPT_RELEASING] = {R_NONE, R_NONE, R_NONE, R_NONE, RCPT_RELEASED,
					    RCPT_APPROVED},
			[RCPT_RELEASED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
			[RCPT_DENIED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
			[RCPT_EXPIRED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
		},
		{
			[RCPT_HELD] = {RCPT_APPROVED, RCPT_DENIED, RCPT_EXPIRED, R_NONE, R_NONE,
				       R_NONE},
			[RCPT_APPROVED] = {R_NONE, RCPT_DENIED, RCPT_EXPIRED, RCPT_RELEASING, R_NONE,
					   R_NONE},
			[RCPT_RELEASING] = {R_NONE, R_NONE, R_NONE, R_NONE, RCPT_RELEASED,
					    RCPT_APPROVED},
			[RCPT_RELEASED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
			[RCPT_DENIED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
			[RCPT_EXPIRED] = {R_NONE, R_NONE, R_NONE, R_NONE, R_NONE, R_NONE},
		},
	};
	for (int c = 0; c < 2; c++) {
		for (int s = 0; s < RCPT_STATE_COUNT; s++) {
			for (int e = 0; e < HEV_COUNT; e++) {
				char row[128];
				snprintf(row, sizeof row, "%s + %s%s",
					 holdstate_rcpt_name((enum hold_rcpt_state)s),
					 holdstate_event_name((enum hold_event)e),
					 c ? " (last approval)" : "");
				enum hold_rcpt_state next = RCPT_STATE_COUNT;
				const char *why = NULL;
				int rc = holdstate_rcpt_next((enum hold_rcpt_state)s,
							     (enum hold_event)e, c, &next, &why);
				if (want[c][s][e] == R_NONE) {
					if (rc != -1 || why == NULL || *why == '\0')
						fail_msg("%s: got accepted (-> %s), want refused with a reason",
							 row, holdstate_rcpt_name(next));
				} else {
					if (rc != 0)
						fail_msg("%s: got refused (%s), want -> %s", row, why,
							 holdstate_rcpt_name(want[c][s][e]));
					assert_str_eq_msg(row, holdstate_rcpt_name(next),
							  holdstate_rcpt_name(want[c][s][e]));
				}
			}
		}
	}
}

/* Apply an approval by jurist with mail addresses; the result code. */
static int approve(struct holdstate *h, const char *jurist, const char *mail,
		   const char *const *rcpts, size_t n, char *reason, size_t len)
{
	const char *const m[] = {mail};
	struct hold_event_in in = {.type = HEV_APPROVE, .jurist = jurist, .jurist_mail = m,
				   .njurist_mail = 1, .rcpts = rcpts, .nrcpts = n};
	return holdstate_apply(h, &in, reason, len);
}

static void test_rules(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned required;
		const char *jurist1, *mail1;	/* first approval */
		const char *jurist2, *mail2;	/* second approval, NULL: none */
		int rc1, rc2;
		enum hold_state want;
		const char *reason_has;		/* in the last refusal */
	} cases[] = {
		{"the sender cannot approve", 2, "alice", "alice@ncsc.nl", NULL, NULL, -1, 0,
		 HOLD_PENDING, "they sent"},
		{"the sender's address with <> and capitals", 2, "alice", "<Alice@NCSC.nl>", NULL,
		 NULL, -1, 0, HOLD_PENDING, "they sent"},
		{"one approval of two releases nothing", 2, "j1", "j1@ncsc.nl", NULL, NULL, 0, 0,
		 HOLD_PARTLY_APPROVED, NULL},
		{"the same jurist twice does not count", 2, "j1", "j1@ncsc.nl", "j1", "j1@ncsc.nl", 0,
		 -1, HOLD_PARTLY_APPROVED, "already approved"},
		{"two distinct jurists approve", 2, "j1", "j1@ncsc.nl", "j2", "j2@ncsc.nl", 0, 0,
		 HOLD_PARTLY_APPROVED, NULL},
		{"ReleaseApprovals 1: one approval is enough", 1, "j1", "j1@ncsc.nl", NULL, NULL, 0,
		 0, HOLD_PARTLY_APPROVED, NULL},
		{"no jurist named", 2, "", "x@ncsc.nl", NULL, NULL, -1, 0, HOLD_PENDING, "jurist"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char reason[256] = "";
		struct holdstate *h = holdstate_new(HOLD_PENDING, SENDER, cases[i].required);
		assert_non_null(h);
		holdstate_add_rcpt(h, "<a@cert.be>", RCPT_HELD);
		assert_int_eq_msg(cases[i].name,
				  approve(h, cases[i].jurist1, cases[i].mail1, NULL, 0, reason,
					  sizeof reason),
				  cases[i].rc1);
		if (cases[i].jurist2 != NULL)
			assert_int_eq_msg(cases[i].name,
					  approve(h, cases[i].jurist2, cases[i].mail2, NULL, 0, reason,
						  sizeof reason),
					  cases[i].rc2);
		assert_str_eq_msg(cases[i].name, holdstate_name(holdstate_state(h)),
				  holdstate_name(cases[i].want));
		if (cases[i].reason_has && strstr(reason, cases[i].reason_has) == NULL)
			fail_msg("%s: got reason \"%s\", want it to mention \"%s\"", cases[i].name,
				 reason, cases[i].reason_has);
		holdstate_free(h);
	}
	/* the approved recipient counts its distinct approvers */
	struct holdstate *h = holdstate_new(HOLD_PENDING, SENDER, 2);
	holdstate_add_rcpt(h, "<a@cert.be>", RCPT_HELD);
	char reason[256];
	assert_int_equal(approve(h, "j1", "j1@x", NULL, 0, reason, sizeof reason), 0);
	assert_int_eq_msg("held after one", holdstate_rcpt_state(h, 0), RCPT_HELD);
	assert_int_equal(approve(h, "j2", "j2@x", NULL, 0, reason, sizeof reason), 0);
	assert_int_eq_msg("approved after two", holdstate_rcpt_state(h, 0), RCPT_APPROVED);
	assert_int_eq_msg("approvers", holdstate_rcpt_approvals(h, 0), 2);
	/* a third jurist finds nothing left to approve */
	assert_int_equal(approve(h, "j3", "j3@x", NULL, 0, reason, sizeof reason), -1);
	holdstate_free(h);
}

static void test_per_recipient(void **state)
{
	(void)state;
	char reason[256];
	struct holdstate *h = holdstate_new(HOLD_PENDING, SENDER, 2);
	holdstate_add_rcpt(h, "<a@cert.be>", RCPT_HELD);
	holdstate_add_rcpt(h, "<b@jpcert.or.jp>", RCPT_HELD);
	const char *const only_a[] = {"a@cert.be"};
	const char *const unknown[] = {"c@example.net"};
	assert_int_equal(approve(h, "j1", "j1@x", unknown, 1, reason, sizeof reason), -1);
	if (strstr(reason, "not a held recipient") == NULL)
		fail_msg("unknown recipient: got \"%s\", want \"not a held recipient\"", reason);
	assert_int_eq_msg("unknown: still pending", holdstate_state(h), HOLD_PENDING);
	assert_int_equal(approve(h, "j1", "j1@x", only_a, 1, reason, sizeof reason), 0);
	assert_int_equal(approve(h, "j2", "j2@x", only_a, 1, reason, sizeof reason), 0);
	assert_int_eq_msg("A approved", holdstate_rcpt_state(h, 0), RCPT_APPROVED);
	assert_int_eq_msg("B still held", holdstate_rcpt_state(h, 1), RCPT_HELD);
	assert_true(holdstate_rcpt_approved_now(h, 0));
	assert_false(holdstate_rcpt_changed(h, 1));
	/* naming an approved recipient again is refused */
	assert_int_equal(approve(h, "j3", "j3@x", only_a, 1, reason, sizeof reason), -1);
	/* release A; B stays for the jurists */
	struct hold_event_in ev = {.type = HEV_RELEASE_STARTED};
	assert_int_equal(holdstate_apply(h, &ev, reason, sizeof reason), 0);
	assert_int_eq_msg("releasing", holdstate_state(h), HOLD_RELEASING);
	assert_int_eq_msg("B untouched", holdstate_rcpt_state(h, 1), RCPT_HELD);
	ev.type = HEV_RELEASE_DONE;
	assert_int_equal(holdstate_apply(h, &ev, reason, sizeof reason), 0);
	assert_int_eq_msg("A released, B open", holdstate_state(h), HOLD_PARTLY_APPROVED);
	/* deny after a partial release: B denied, A stays released */
	ev.type = HEV_DENY;
	assert_int_equal(holdstate_apply(h, &ev, reason, sizeof reason), 0);
	assert_int_eq_msg("denied", holdstate_state(h), HOLD_DENIED);
	assert_int_eq_msg("A kept released", holdstate_rcpt_state(h, 0), RCPT_RELEASED);
	assert_int_eq_msg("B denied", holdstate_rcpt_state(h, 1), RCPT_DENIED);
	holdstate_free(h);
}

/* A decision naming recipients changes exactly those: a table over deny
 * and approve, named and all, bulk (only_held) and not, on a hold of
 * recipients in three states: A held, B approved, C denied, D held. */
static void test_named_recipients(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum hold_event ev;
		const char *rcpts[3];
		bool only_held;
		int rc;
		const char *want;	/* states of A B C D after, one letter each:
					 * h held, a approved, d denied (r releasing,
					 * R released, e expired) */
		enum hold_state hold;
	} cases[] = {
		{"deny all", HEV_DENY, {NULL}, false, 0, "dddd", HOLD_DENIED},
		{"deny A", HEV_DENY, {"<a@cisa.gov>"}, false, 0, "dadh", HOLD_PARTLY_APPROVED},
		{"deny A any case", HEV_DENY, {"A@CISA.gov"}, false, 0, "dadh", HOLD_PARTLY_APPROVED},
		{"deny B named (approved)", HEV_DENY, {"b@jpcert.or.jp"}, false, 0, "hddh",
		 HOLD_PENDING},
		{"bulk deny B refused (approved)", HEV_DENY, {"b@jpcert.or.jp"}, true, -1, "hadh",
		 HOLD_PARTLY_APPROVED},
		{"deny C refused (denied)", HEV_DENY, {"c@cisa.gov", "a@cisa.gov"}, false, -1, "hadh",
		 HOLD_PARTLY_APPROVED},
		{"deny unknown refused", HEV_DENY, {"x@cisa.gov"}, false, -1, "hadh",
		 HOLD_PARTLY_APPROVED},
		{"bulk deny A D", HEV_DENY, {"a@cisa.gov", "d@cert.be"}, true, 0, "dadd",
		 HOLD_PARTLY_APPROVED},
		{"bulk approve A", HEV_APPROVE, {"a@cisa.gov"}, true, 0, "hadh",
		 HOLD_PARTLY_APPROVED},
		{"bulk approve B refused", HEV_APPROVE, {"b@jpcert.or.jp"}, true, -1, "hadh",
		 HOLD_PARTLY_APPROVED},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char reason[256] = "", got[5];
		struct holdstate *h = holdstate_new(HOLD_PARTLY_APPROVED, SENDER, 2);
		holdstate_add_rcpt(h, "<a@cisa.gov>", RCPT_HELD);
		holdstate_add_rcpt(h, "<b@jpcert.or.jp>", RCPT_APPROVED);
		holdstate_add_rcpt(h, "<c@cisa.gov>", RCPT_DENIED);
		holdstate_add_rcpt(h, "<d@cert.be>", RCPT_HELD);
		size_t n = 0;
		while (n < 3 && cases[i].rcpts[n] != NULL)
			n++;
		const char *const m[] = {"j9@ncsc.nl"};
		struct hold_event_in ev = {.type = cases[i].ev, .jurist = "j9", .jurist_mail = m,
					   .njurist_mail = 1, .rcpts = cases[i].rcpts, .nrcpts = n,
					   .only_held = cases[i].only_held};
		int rc = holdstate_apply(h, &ev, reason, sizeof reason);
		if (rc != cases[i].rc)
			fail_msg("%s: got %d (%s), want %d", cases[i].name, rc, reason, cases[i].rc);
		for (size_t k = 0; k < 4; k++)
			got[k] = "harRde"[holdstate_rcpt_state(h, k)];
		got[4] = '\0';
		assert_str_eq_msg(cases[i].name, got, cases[i].want);
		assert_str_eq_msg(cases[i].name, holdstate_name(holdstate_state(h)),
				  holdstate_name(cases[i].hold));
		holdstate_free(h);
	}
}

static void test_names_and_args(void **state)
{
	(void)state;
	for (int s = 0; s < HOLD_STATE_COUNT; s++) {
		enum hold_state back;
		assert_true(holdstate_parse(holdstate_name((enum hold_state)s), &back));
		assert_int_equal(back, s);
		assert_int_equal(holdstate_final((enum hold_state)s), s >= HOLD_RELEASED);
	}
	for (int s = 0; s < RCPT_STATE_COUNT; s++) {
		enum hold_rcpt_state back;
		assert_true(holdstate_rcpt_parse(holdstate_rcpt_name((enum hold_rcpt_state)s), &back));
		assert_int_equal(back, s);
	}
	enum hold_state st;
	assert_false(holdstate_parse("approved", &st));
	assert_false(holdstate_parse(NULL, &st));
	assert_null(holdstate_new(HOLD_PENDING, SENDER, 0));
	assert_null(holdstate_new(HOLD_PENDING, SENDER, HOLDSTATE_MAX_REQUIRED + 1));
	assert_null(holdstate_new(HOLD_STATE_COUNT, SENDER, 2));
	struct holdstate *h = holdstate_new(HOLD_PENDING, SENDER, 2);
	assert_int_equal(holdstate_add_rcpt(h, NULL, RCPT_HELD), -1);
	assert_int_equal(holdstate_add_approval(h, 5, "j1"), -1);
	struct hold_event_in bad = {.type = HEV_COUNT};
	char reason[64];
	assert_int_equal(holdstate_apply(h, &bad, reason, sizeof reason), -1);
	/* an event that moves no recipient is refused (a hold with none) */
	struct hold_event_in deny = {.type = HEV_DENY};
	assert_int_equal(holdstate_apply(h, &deny, reason, sizeof reason), -1);
	holdstate_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_hold_pair),
		cmocka_unit_test(test_every_rcpt_pair),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_per_recipient),
		cmocka_unit_test(test_named_recipients),
		cmocka_unit_test(test_names_and_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
