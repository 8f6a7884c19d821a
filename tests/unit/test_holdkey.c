/*
 * test_holdkey.c - the retry key of a held message (holdkey.c): a
 * client's retry (new Received, Return-Path, DKIM/ARC trace, our own
 * headers, a Date the MTA added, recipients in another order or case) has
 * the key of the first
 * attempt; another Message-ID, body, header, sender, recipient or held
 * set has another; no Message-ID, no key.
 */
#include "testutil.h"

#include "grondslag/decide/holdkey.h"

static const char first[] =
	"Received: from a.example by mta (Postfix) with ESMTP id 4AAA; Mon, 7 Dec 2026\r\n"
	"From: Sender <sender@ncsc.nl>\r\n"
	"Message-ID: <list-1@ncsc.nl>\r\n"
	"Subject: COATHANGER\r\n"
	"\r\n"
	"133.1.2.3\r\n";

static const char *const rcpts[] = {"<info@jpcert.or.jp>", "<cert@cert.be>"};
static const char *const held[] = {"<info@jpcert.or.jp>"};

/* The key of data with the usual envelope, or "" when none. */
static const char *key_of(const char *data, const char *sender, const char *const *r, size_t n,
			  const char *const *h, size_t nh)
{
	static char out[HOLDKEY_HEX];
	char message[HOLDKEY_HEX];
	struct holdkey_input in = {.data = data, .len = strlen(data), .header_prefix = "X-Grondslag",
				   .sender = sender, .rcpts = r, .nrcpts = n, .held = h, .nheld = nh};
	if (holdkey_compute(&in, out, message) != 1)
		out[0] = '\0';
	return out;
}

static void test_retry_same_key(void **state)
{
	(void)state;
	char want[HOLDKEY_HEX];
	snprintf(want, sizeof want, "%s", key_of(first, "<sender@ncsc.nl>", rcpts, 2, held, 1));
	assert_int_equal(strlen(want), 64);
	static const struct {
		const char *name, *data;
	} same[] = {
		{"a new Received", "Received: from a.example by mta (Postfix) with ESMTP id 4BBB;\r\n"
				   "\tMon, 7 Dec 2026 05:10:00\r\n"
				   "From: Sender <sender@ncsc.nl>\r\nMessage-ID: <list-1@ncsc.nl>\r\n"
				   "Subject: COATHANGER\r\n\r\n133.1.2.3\r\n"},
		{"two Received, Return-Path, DKIM, ARC, our header",
		 "Return-Path: <sender@ncsc.nl>\r\nReceived: by x\r\nReceived: by y\r\n"
		 "DKIM-Signature: v=1; b=abc\r\nARC-Seal: i=1; cv=none\r\n"
		 "Authentication-Results: mta; none\r\nX-Grondslag: held G1\r\n"
		 "Date: Mon,  7 Dec 2026 05:13:13 +0000 (UTC)\r\n"
		 "From: Sender <sender@ncsc.nl>\r\nMessage-ID: <list-1@ncsc.nl>\r\n"
		 "Subject: COATHANGER\r\n\r\n133.1.2.3\r\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(same); i++)
		assert_str_eq_msg(same[i].name,
				  key_of(same[i].data, "<sender@ncsc.nl>", rcpts, 2, held, 1), want);
	const char *const swapped[] = {"<CERT@cert.be>", "<info@jpcert.or.jp>"};
	assert_str_eq_msg("recipients in another order and case",
			  key_of(first, "<sender@ncsc.nl>", swapped, 2, held, 1), want);
	assert_str_eq_msg("sender in another case", key_of(first, "<Sender@NCSC.nl>", rcpts, 2,
							     held, 1), want);
}

static void test_other_key(void **state)
{
	(void)state;
	char want[HOLDKEY_HEX];
	snprintf(want, sizeof want, "%s", key_of(first, "<sender@ncsc.nl>", rcpts, 2, held, 1));
	static const struct {
		const char *name, *data;
	} other[] = {
		{"another Message-ID", "From: Sender <sender@ncsc.nl>\r\nMessage-ID: <list-2@ncsc.nl>\r\n"
				       "Subject: COATHANGER\r\n\r\n133.1.2.3\r\n"},
		{"another body", "From: Sender <sender@ncsc.nl>\r\nMessage-ID: <list-1@ncsc.nl>\r\n"
				 "Subject: COATHANGER\r\n\r\n133.1.2.4\r\n"},
		{"another subject", "From: Sender <sender@ncsc.nl>\r\nMessage-ID: <list-1@ncsc.nl>\r\n"
				    "Subject: COATHANGER 2\r\n\r\n133.1.2.3\r\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(other); i++) {
		const char *got = key_of(other[i].data, "<sender@ncsc.nl>", rcpts, 2, held, 1);
		if (strcmp(got, want) == 0 || *got == '\0')
			fail_msg("%s: got \"%s\", want another key", other[i].name, got);
	}
	static const char *const more[] = {"<info@jpcert.or.jp>", "<cert@cert.be>", "<x@cisa.gov>"};
	static const char *const both[] = {"<info@jpcert.or.jp>", "<cert@cert.be>"};
	/* key_of answers in one static buffer: each key is compared as soon
	 * as it is made */
	static const struct {
		const char *name, *sender;
		const char *const *rcpts;
		size_t n;
		const char *const *held;
		size_t nheld;
	} envelopes[] = {
		{"another sender", "<other@ncsc.nl>", rcpts, 2, held, 1},
		{"one recipient more", "<sender@ncsc.nl>", more, 3, held, 1},
		{"another held set", "<sender@ncsc.nl>", rcpts, 2, both, 2},
	};
	for (size_t i = 0; i < ARRAY_LEN(envelopes); i++) {
		const char *got = key_of(first, envelopes[i].sender, envelopes[i].rcpts,
					 envelopes[i].n, envelopes[i].held, envelopes[i].nheld);
		if (strcmp(got, want) == 0 || *got == '\0')
			fail_msg("%s: got \"%s\", want another key", envelopes[i].name, got);
	}
}

static void test_no_key(void **state)
{
	(void)state;
	static const char no_id[] = "Received: by x\r\nFrom: a@b\r\nSubject: s\r\n\r\nbody\r\n";
	assert_str_eq_msg("no Message-ID", key_of(no_id, "<a@b>", rcpts, 2, held, 1), "");
	static const char empty_id[] = "Message-ID:   \r\nSubject: s\r\n\r\nbody\r\n";
	assert_str_eq_msg("empty Message-ID", key_of(empty_id, "<a@b>", rcpts, 2, held, 1), "");
	static const char in_body[] = "Subject: s\r\n\r\nMessage-ID: <x@y>\r\n";
	assert_str_eq_msg("Message-ID in the body", key_of(in_body, "<a@b>", rcpts, 2, held, 1),
			  "");
	static const char folded[] = "Message-ID:\r\n <list-1@ncsc.nl>\r\nSubject: s\r\n\r\nb\r\n";
	assert_int_eq_msg("a folded Message-ID has a key",
			  strlen(key_of(folded, "<a@b>", rcpts, 2, held, 1)), 64);
	assert_str_eq_msg("nothing held", key_of(first, "<a@b>", rcpts, 2, held, 0), "");
	assert_str_eq_msg("no recipients", key_of(first, "<a@b>", rcpts, 0, held, 1), "");
	assert_int_eq_msg("no input", holdkey_compute(NULL, (char[HOLDKEY_HEX]){0},
						      (char[HOLDKEY_HEX]){0}), 0);
	static const char *const empty[] = {"<>"};
	assert_str_eq_msg("a recipient without a canonical form",
			  key_of(first, "<a@b>", empty, 1, empty, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_same_key),
		cmocka_unit_test(test_other_key),
		cmocka_unit_test(test_no_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
