/*
 * test_hostport.c - "host:port" and "[v6]:port" (hostport.c), table-driven:
 * every relay the configuration names goes through this one parser.
 */
#include "testutil.h"

#include <string.h>

#include "grondslag/base/hostport.h"

static void test_forms(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		const char *host, *port;
	} cases[] = {
		{"127.0.0.1:25", true, "127.0.0.1", "25"},
		{"relay.example.net:10025", true, "relay.example.net", "10025"},
		{"[::1]:2525", true, "::1", "2525"},
		{"[2001:db8::25]:587", true, "2001:db8::25", "587"},
		{"localhost:65535", true, "localhost", "65535"},
		/* a bare v6 address splits at its last colon, as Postfix's does */
		{"::1:25", true, "::1", "25"},
		{"", false, NULL, NULL},
		{"relay.example.net", false, NULL, NULL},
		{"relay.example.net:", false, NULL, NULL},
		{":25", false, NULL, NULL},
		{"relay:25a", false, NULL, NULL},
		{"relay:123456", false, NULL, NULL},
		{"relay:-1", false, NULL, NULL},
		{"[::1]", false, NULL, NULL},
		{"[::1:25", false, NULL, NULL},
		{"[]:25", false, NULL, NULL},
		{"[::1]x25", false, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char host[64] = "untouched", port[8] = "same";
		bool ok = hostport_parse(cases[i].in, host, sizeof host, port, sizeof port);
		if (ok != cases[i].ok)
			fail_msg("\"%s\": %s, want %s", cases[i].in, ok ? "accepted" : "refused",
				 cases[i].ok ? "accepted" : "refused");
		if (ok) {
			assert_string_equal(host, cases[i].host);
			assert_string_equal(port, cases[i].port);
		} else {
			assert_string_equal(host, "untouched");
			assert_string_equal(port, "same");
		}
	}
	assert_false(hostport_parse(NULL, NULL, 0, NULL, 0));
}

/* A host or port that does not fit its buffer is refused, never cut. */
static void test_sizes(void **state)
{
	(void)state;
	char host[8], port[4];
	assert_true(hostport_parse("abcdefg:999", host, sizeof host, port, sizeof port));
	assert_false(hostport_parse("abcdefgh:999", host, sizeof host, port, sizeof port));
	assert_false(hostport_parse("abc:9999", host, sizeof host, port, sizeof port));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
