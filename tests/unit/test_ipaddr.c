/*
 * test_ipaddr.c - the address value type: strict parsing, RFC 5952
 * canonical text (RFC 5952 section 4 examples), ordering, prefixes.
 */
#include "testutil.h"

#include "grondslag/base/ipaddr.h"

/* Parse then format: want NULL means the parse must fail. */
static const struct {
	const char *in, *want;
} roundtrip[] = {
	/* IPv4 */
	{"8.8.8.8", "8.8.8.8"},
	{"0.0.0.0", "0.0.0.0"},
	{"255.255.255.255", "255.255.255.255"},
	{"193.0.6.139", "193.0.6.139"},
	{"256.1.1.1", NULL},
	{"1.2.3", NULL},
	{"1.2.3.4.5", NULL},
	{"01.2.3.4", NULL},
	{"1.2.3.04", NULL},
	{"1.2.3.4 ", NULL},
	{" 1.2.3.4", NULL},
	{"1..2.3", NULL},
	{"1.2.3.", NULL},
	{"1.2.3.1000", NULL},
	{"1.2.3[.]4", NULL},
	{"", NULL},
	/* RFC 5952 section 4: the canonical forms */
	{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:db8::1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:db8::0:1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:0db8::1:0:0:1", "2001:db8::1:0:0:1"},
	{"2001:db8:0:0:1::1", "2001:db8::1:0:0:1"},
	{"2001:DB8:0:0:1::1", "2001:db8::1:0:0:1"},
	{"2001:0db8::0001", "2001:db8::1"},
	{"2001:db8::0:1", "2001:db8::1"},
	{"2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
	{"2001:db8:aaaa:bbbb:cccc:dddd:0:1", "2001:db8:aaaa:bbbb:cccc:dddd:0:1"},	/* 4.2.2 */
	{"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},	/* 4.2.3 longest run */
	{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},	/* 4.2.3 first of equal runs */
	{"2001:DB8::ABCD", "2001:db8::abcd"},	/* 4.3 lower case */
	{"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
	{"::FFFF:c000:0201", "::ffff:192.0.2.1"},
	{"0:0:0:0:0:ffff:8.8.8.8", "::ffff:8.8.8.8"},
	{"64:ff9b::1.2.3.4", "64:ff9b::102:304"},
	{"::", "::"},
	{"::1", "::1"},
	{"1::", "1::"},
	{"0:0:0:0:0:0:0:0", "::"},
	{"1:0:0:0:0:0:0:0", "1::"},
	{"0:0:0:0:0:0:0:1", "::1"},
	{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
	{"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
	{"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
	{"fe80::1", "fe80::1"},
	{"2a00:1450:4001::1", "2a00:1450:4001::1"},
	{"1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"},
	{"1:0:0:1:0:0:0:1", "1:0:0:1::1"},
	{"1:0:0:0:1:0:0:1", "1::1:0:0:1"},
	{"::0.0.0.1", "::1"},
	{"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
	/* not IPv6 */
	{"fe80::1%eth0", NULL},
	{"2001:db8::1::2", NULL},
	{"1:2:3:4:5:6:7:8:9", NULL},
	{"1:2:3:4:5:6:7", NULL},
	{"1:2:3:4:5:6:7:8::", NULL},
	{"::1:2:3:4:5:6:7:8", NULL},
	{"12345::1", NULL},
	{"2001:db8:::1", NULL},
	{":1::2", NULL},
	{"1::2:", NULL},
	{"g::1", NULL},
	{"::ffff:1.2.3", NULL},
	{"::ffff:1.2.3.256", NULL},
	{"1:2:3:4:5:6:7:1.2.3.4", NULL},
	{"[2001:db8::1]", NULL},
	{"2001[:]db8::1", NULL},
};

static void test_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(roundtrip); i++) {
		struct ip_addr a;
		char buf[IP_ADDR_TEXT_MAX];
		bool ok = ip_addr_parse(roundtrip[i].in, &a);
		if (roundtrip[i].want == NULL) {
			if (ok)
				fail_msg("%s: got %s, want parse failure", roundtrip[i].in,
					 ip_addr_format(&a, buf, sizeof buf));
			continue;
		}
		if (!ok)
			fail_msg("%s: got parse failure, want %s", roundtrip[i].in, roundtrip[i].want);
		assert_str_eq_msg(roundtrip[i].in, ip_addr_format(&a, buf, sizeof buf),
				  roundtrip[i].want);
		/* the canonical text parses back to the same value */
		struct ip_addr b;
		if (!ip_addr_parse(buf, &b) || memcmp(&a, &b, sizeof a) != 0)
			fail_msg("%s: canonical %s does not parse back", roundtrip[i].in, buf);
	}
}

static void test_parse_values(void **state)
{
	struct ip_addr a;
	(void)state;
	assert_true(ip_addr_parse("193.0.6.139", &a));
	assert_int_equal(a.family, IP_V4);
	assert_int_equal(a.octet[0], 193);
	assert_int_equal(a.octet[3], 139);
	for (int i = 4; i < 16; i++)
		assert_int_equal(a.octet[i], 0);
	assert_true(ip_addr_parse("2001:db8::ff00:42:8329", &a));
	assert_int_equal(a.family, IP_V6);
	static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29};
	assert_memory_equal(a.octet, want, 16);
	assert_false(ip_addr_parse(NULL, &a));
}

static void test_format_small_buffer(void **state)
{
	struct ip_addr a;
	char buf[8];
	(void)state;
	assert_true(ip_addr_parse("2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", &a));
	ip_addr_format(&a, buf, sizeof buf);
	assert_true(strlen(buf) < sizeof buf);
	/* the longest text fits IP_ADDR_TEXT_MAX */
	char big[IP_ADDR_TEXT_MAX];
	assert_true(ip_addr_parse("::ffff:255.255.255.255", &a));
	ip_addr_format(&a, big, sizeof big);
	assert_str_eq_msg("mapped max", big, "::ffff:255.255.255.255");
	assert_true(ip_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a));
	ip_addr_format(&a, big, sizeof big);
	assert_str_eq_msg("v6 max", big, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_cmp(void **state)
{
	static const struct {
		const char *a, *b;
		int want;	/* sign */
	} rows[] = {
		{"1.2.3.4", "1.2.3.4", 0},
		{"1.2.3.4", "1.2.3.5", -1},
		{"9.0.0.0", "10.0.0.0", -1},
		{"255.255.255.255", "::", -1},	/* IPv4 before IPv6 */
		{"::1", "::", 1},
		{"2001:db8::1", "2001:db8::1", 0},
		{"2001:db8::1", "2001:db8::", 1},
		{"fe80::1", "2001:db8::1", 1},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ip_addr a, b;
		assert_true(ip_addr_parse(rows[i].a, &a));
		assert_true(ip_addr_parse(rows[i].b, &b));
		int c = ip_addr_cmp(&a, &b);
		int sign = c < 0 ? -1 : c > 0 ? 1 : 0;
		assert_int_eq_msg(rows[i].a, sign, rows[i].want);
	}
}

static const struct {
	const char *in;
	bool allow_host;
	const char *want;	/* NULL: parse fails */
} prefixes[] = {
	{"10.0.0.0/8", false, "10.0.0.0/8"},
	{"10.1.2.3/8", false, NULL},
	{"10.1.2.3/8", true, "10.0.0.0/8"},
	{"0.0.0.0/0", false, "0.0.0.0/0"},
	{"8.8.8.8/32", false, "8.8.8.8/32"},
	{"8.8.8.8/33", true, NULL},
	{"8.8.8.0/024", true, NULL},
	{"8.8.8.0/", true, NULL},
	{"8.8.8.0", true, NULL},
	{"8.8.8.0/24 ", true, NULL},
	{"8.8.8.0/2x", true, NULL},
	{"193.0.6.139/31", true, "193.0.6.138/31"},
	{"2001:db8::/32", false, "2001:db8::/32"},
	{"2001:db8::1/32", false, NULL},
	{"2001:db8::1/32", true, "2001:db8::/32"},
	{"::/0", false, "::/0"},
	{"::1/128", false, "::1/128"},
	{"2001:db8::/129", true, NULL},
	{"2a00:1450:4001::1/48", true, "2a00:1450:4001::/48"},
	{"fe80::/10", false, "fe80::/10"},
	{"fe80::/8", false, NULL},
	{"fe80::/9", false, "fe80::/9"},
	{"::ffff:10.0.0.0/104", false, "::ffff:10.0.0.0/104"},
};

static void test_prefix_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
		struct ip_prefix p;
		char buf[IP_PREFIX_TEXT_MAX];
		bool ok = ip_prefix_parse(prefixes[i].in, prefixes[i].allow_host, &p);
		if (prefixes[i].want == NULL) {
			if (ok)
				fail_msg("%s: got %s, want failure", prefixes[i].in,
					 ip_prefix_format(&p, buf, sizeof buf));
			continue;
		}
		if (!ok)
			fail_msg("%s: got failure, want %s", prefixes[i].in, prefixes[i].want);
		assert_str_eq_msg(prefixes[i].in, ip_prefix_format(&p, buf, sizeof buf),
				  prefixes[i].want);
	}
}

static void test_prefix_contains(void **state)
{
	static const struct {
		const char *prefix, *addr;
		bool want;
	} rows[] = {
		{"10.0.0.0/8", "10.0.0.0", true},
		{"10.0.0.0/8", "10.255.255.255", true},
		{"10.0.0.0/8", "11.0.0.0", false},
		{"10.0.0.0/8", "9.255.255.255", false},
		{"100.64.0.0/10", "100.127.255.255", true},
		{"100.64.0.0/10", "100.128.0.0", false},
		{"0.0.0.0/0", "193.0.6.139", true},
		{"0.0.0.0/0", "::1", false},	/* family mismatch */
		{"8.8.8.8/32", "8.8.8.8", true},
		{"8.8.8.8/32", "8.8.8.9", false},
		{"2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true},
		{"2001:db8::/32", "2001:db9::", false},
		{"fe80::/10", "febf:ffff::1", true},
		{"fe80::/10", "fec0::", false},
		{"::/0", "2a00:1450:4001::1", true},
		{"::/0", "8.8.8.8", false},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ip_prefix p;
		struct ip_addr a;
		assert_true(ip_prefix_parse(rows[i].prefix, false, &p));
		assert_true(ip_addr_parse(rows[i].addr, &a));
		char row[128];
		snprintf(row, sizeof row, "%s in %s", rows[i].addr, rows[i].prefix);
		assert_int_eq_msg(row, ip_prefix_contains(&p, &a), rows[i].want);
	}
}

static void test_prefix_first_last(void **state)
{
	static const struct {
		const char *prefix, *first, *last;
	} rows[] = {
		{"10.0.0.0/8", "10.0.0.0", "10.255.255.255"},
		{"192.0.0.9/32", "192.0.0.9", "192.0.0.9"},
		{"0.0.0.0/0", "0.0.0.0", "255.255.255.255"},
		{"198.18.0.0/15", "198.18.0.0", "198.19.255.255"},
		{"2001::/23", "2001::", "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
		{"fe80::/10", "fe80::", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ip_prefix p;
		struct ip_addr f, l;
		char buf[IP_ADDR_TEXT_MAX];
		assert_true(ip_prefix_parse(rows[i].prefix, false, &p));
		ip_prefix_first(&p, &f);
		ip_prefix_last(&p, &l);
		assert_str_eq_msg(rows[i].prefix, ip_addr_format(&f, buf, sizeof buf), rows[i].first);
		assert_str_eq_msg(rows[i].prefix, ip_addr_format(&l, buf, sizeof buf), rows[i].last);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_prefix_first_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
