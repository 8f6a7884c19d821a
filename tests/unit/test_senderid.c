/*
 * test_senderid.c - the sender as a person (senderid.c): canonical
 * envelope addresses (case, subaddress with one or several delimiters,
 * quoted local parts, source routes, IDN domains) and the comparison of
 * a jurist's identities with a hold's sender, SMTP AUTH included.
 */
#include "testutil.h"

#include "grondslag/decide/senderid.h"

static void test_address(void **state)
{
	(void)state;
	static const struct {
		const char *in, *delims;
		const char *want;	/* NULL: not an address */
	} cases[] = {
		{"<sender@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"sender@ncsc.nl", "+", "sender@ncsc.nl"},
		{"<Sender@NCSC.NL>", "+", "sender@ncsc.nl"},
		{"<sender+x@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"<sender+x+y@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"<sender-x@ncsc.nl>", "+", "sender-x@ncsc.nl"},
		{"<sender-x@ncsc.nl>", "+-", "sender@ncsc.nl"},
		{"<sender+x@ncsc.nl>", "", "sender+x@ncsc.nl"},
		{"<sender+x@ncsc.nl>", NULL, "sender+x@ncsc.nl"},
		{"<+x@ncsc.nl>", "+", "+x@ncsc.nl"},	/* never the whole local part */
		{"<\"sender\"@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"<\"Sender+x\"@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"<\"s\\\"q\"@ncsc.nl>", "+", "s\"q@ncsc.nl"},
		{"<\"a@b\"@ncsc.nl>", "+", "a@b@ncsc.nl"},
		{"<\"john doe\"@ncsc.nl>", "+", "john doe@ncsc.nl"},
		{"<@relay.example,@r2.example:sender+x@ncsc.nl>", "+", "sender@ncsc.nl"},
		{"<sender@ncsc.nl.>", "+", "sender@ncsc.nl"},
		{"<sender@BÜCHER.example>", "+", "sender@xn--bcher-kva.example"},
		{" <sender@ncsc.nl> ", "+", "sender@ncsc.nl"},
		{"<>", "+", NULL},
		{"", "+", NULL},
		{"sender", "+", NULL},
		{"<@relay.example>", "+", NULL},
		{"<sender@>", "+", NULL},
		{"<@ncsc.nl>", "+", NULL},
		{"<sender@bad_domain>", "+", NULL},
		{"<se\001nder@ncsc.nl>", "+", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[SENDERID_MAX];
		bool ok = senderid_address(cases[i].in, cases[i].delims, out, sizeof out);
		if (ok != (cases[i].want != NULL) || (ok && strcmp(out, cases[i].want) != 0))
			fail_msg("%s (delims %s): got %s \"%s\", want %s", cases[i].in,
				 cases[i].delims ? cases[i].delims : "NULL", ok ? "ok" : "none", out,
				 cases[i].want ? cases[i].want : "none");
	}
	char small[16];
	assert_false(senderid_address("<a@b.c>", "+", small, sizeof small));
	assert_false(senderid_address(NULL, "+", small, sizeof small));
}

static void test_match(void **state)
{
	(void)state;
	static const struct {
		const char *id, *envelope, *canonical, *auth;
		bool want;
	} cases[] = {
		/* the address in another spelling */
		{"sender@ncsc.nl", "<sender@ncsc.nl>", "", "", true},
		{"sender@ncsc.nl", "<Sender+x@NCSC.nl>", "", "", true},
		{"sender@ncsc.nl", "<\"sender\"@ncsc.nl>", "", "", true},
		{"sender@ncsc.nl", "<@relay.example:sender+y@ncsc.nl>", "", "", true},
		{"Sender@NCSC.nl", "<sender@ncsc.nl>", "", "", true},
		{"sender+own@ncsc.nl", "<sender@ncsc.nl>", "", "", true},
		/* the canonical spelling recorded with the hold */
		{"sender@ncsc.nl", "<odd>", "sender@ncsc.nl", "", true},
		/* authenticated, with an unrelated envelope sender */
		{"alice", "<someone@example.org>", "someone@example.org", "alice", true},
		{"alice", "<someone@example.org>", "someone@example.org", "ALICE", true},
		{"alice@REALM.example", "<x@example.org>", "x@example.org", "alice@realm.example",
		 true},
		{"alice@ncsc.nl", "<x@example.org>", "x@example.org", "Alice+t@ncsc.nl", true},
		/* somebody else */
		{"sender@ncsc.nl", "<other@ncsc.nl>", "other@ncsc.nl", "", false},
		{"sender@ncsc.nl", "<sender@ncsc.nl.evil.example>", "", "", false},
		{"sender@ncsc.nl", "<sendersender@ncsc.nl>", "", "", false},
		{"alice", "<alice@ncsc.nl>", "alice@ncsc.nl", "", false},
		{"alice", "<x@example.org>", "x@example.org", "bob", false},
		{"alice", "<x@example.org>", "x@example.org", "alicex", false},
		{"", "<x@example.org>", "x@example.org", "", false},
		{"sender@ncsc.nl", "<>", "", "", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (senderid_match(cases[i].id, cases[i].envelope, cases[i].canonical, cases[i].auth,
				   "+") != cases[i].want)
			fail_msg("%s vs envelope %s canonical %s auth %s: got %s, want %s",
				 cases[i].id, cases[i].envelope, cases[i].canonical, cases[i].auth,
				 cases[i].want ? "no" : "yes", cases[i].want ? "yes" : "no");
}

/* A Sender's own mail: the domain in any case, the local part exactly;
 * anything else is somebody else's (a false yes would show it). */
static void test_owns(void **state)
{
	(void)state;
	static const struct {
		const char *mine, *envelope;
		bool want;
	} cases[] = {
		{"carol@ncsc.nl", "<carol@ncsc.nl>", true},
		{"carol@ncsc.nl", "carol@ncsc.nl", true},
		{"carol@ncsc.nl", "<carol@NCSC.NL>", true},
		{"carol@NCSC.nl", "<carol@ncsc.nl.>", true},
		{"carol@ncsc.nl", "<\"carol\"@ncsc.nl>", true},
		{"carol@ncsc.nl", "<@relay.example:carol@ncsc.nl>", true},
		{"Carol@ncsc.nl", "<Carol@ncsc.nl>", true},
		/* the local part exactly: no case folding, no subaddress cut */
		{"carol@ncsc.nl", "<Carol@ncsc.nl>", false},
		{"Carol@ncsc.nl", "<carol@ncsc.nl>", false},
		{"carol@ncsc.nl", "<carol+x@ncsc.nl>", false},
		{"carol+x@ncsc.nl", "<carol@ncsc.nl>", false},
		/* another domain or mailbox */
		{"carol@ncsc.nl", "<carol@ncsc.nl.evil.example>", false},
		{"carol@ncsc.nl", "<carol@sub.ncsc.nl>", false},
		{"carol@ncsc.nl", "<carolx@ncsc.nl>", false},
		{"carol@ncsc.nl", "<xcarol@ncsc.nl>", false},
		{"carol@ncsc.nl", "<>", false},
		{"carol@ncsc.nl", "", false},
		{"carol@ncsc.nl", NULL, false},
		{NULL, "<carol@ncsc.nl>", false},
		{"", "<carol@ncsc.nl>", false},
		{"carol", "<carol@ncsc.nl>", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (senderid_owns(cases[i].mine, cases[i].envelope) != cases[i].want)
			fail_msg("%s owns %s: got %s, want %s", cases[i].mine ? cases[i].mine : "NULL",
				 cases[i].envelope ? cases[i].envelope : "NULL",
				 cases[i].want ? "no" : "yes", cases[i].want ? "yes" : "no");
}

/* Whose a hold is to a Sender line: with SMTP AUTH the login decides
 * (exactly), the envelope then counts for nothing; without, the
 * envelope (senderid_owns()). */
static void test_sender_owns(void **state)
{
	(void)state;
	static const char ids[] = " carol@ncsc.nl  sasl:c.jansen\tc2@example.org";
	static const struct {
		const char *login, *ids, *envelope, *auth;
		bool want;
	} cases[] = {
		{"carol", ids, "<carol@ncsc.nl>", "", true},
		{"carol", ids, "<carol@NCSC.NL>", NULL, true},
		{"carol", ids, "<c2@example.org>", "", true},
		{"carol", ids, "<Carol@ncsc.nl>", "", false},
		{"carol", ids, "<carol@ncsc.nl>", "bob", false},	/* bob wrote her address */
		{"carol", ids, "<carol@ncsc.nl>", "Carol", false},
		{"carol", ids, "<carol@ncsc.nl>", "carol", true},	/* her login */
		{"carol", ids, "<bob@ncsc.nl>", "c.jansen", true},	/* her sasl: */
		{"carol", ids, "<bob@ncsc.nl>", "carol@ncsc.nl", true},	/* an address, spelt */
		{"carol", ids, "<bob@ncsc.nl>", "CAROL@ncsc.nl", false},
		{"carol", ids, "<bob@ncsc.nl>", "sasl:c.jansen", false},
		{"carol", ids, "<c.jansen@ncsc.nl>", "", false},	/* a sasl: is no address */
		{"carol", ids, "<>", "", false},
		{"carol", ids, NULL, NULL, false},
		{"carol", NULL, "<carol@ncsc.nl>", "", false},
		{"carol", NULL, "<x@y.example>", "carol", true},
		{"", ids, "<x@y.example>", "", false},
		{NULL, ids, "<x@y.example>", "x", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (senderid_sender_owns(cases[i].login, cases[i].ids, cases[i].envelope,
					 cases[i].auth) != cases[i].want)
			fail_msg("case %zu (%s, auth %s): got %s", i,
				 cases[i].envelope ? cases[i].envelope : "NULL",
				 cases[i].auth ? cases[i].auth : "NULL", cases[i].want ? "no" : "yes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_owns),
		cmocka_unit_test(test_sender_owns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
