/*
 * test_ipclass.c - the special-purpose tables at every block edge (first
 * and last address of each block and the neighbours just outside), the
 * exceptions inside blocks, embedded IPv4, and prefix/range judgements.
 *
 * The edge test checks the classifier against a small reference written
 * here from the domain brief (section 5): longest matching prefix of the
 * list below decides.  Literal rows then pin the answers down by hand.
 */
#include "testutil.h"

#include "grondslag/scan/ipclass.h"

/* The registry as the brief states it: special true, or false for a
 * globally reachable exception inside a special block; whole: the answer
 * for the block as one prefix (public when it holds an exception). */
static const struct {
	const char *prefix;
	bool special, whole;
} blocks[] = {
	{"0.0.0.0/8", true, true},
	{"10.0.0.0/8", true, true},
	{"100.64.0.0/10", true, true},
	{"127.0.0.0/8", true, true},
	{"169.254.0.0/16", true, true},
	{"172.16.0.0/12", true, true},
	{"192.0.0.0/24", true, false},
	{"192.0.0.9/32", false, false},
	{"192.0.0.10/32", false, false},
	{"192.0.2.0/24", true, true},
	{"192.88.99.2/32", true, true},
	{"192.168.0.0/16", true, true},
	{"198.18.0.0/15", true, true},
	{"198.51.100.0/24", true, true},
	{"203.0.113.0/24", true, true},
	{"224.0.0.0/4", true, true},
	{"240.0.0.0/4", true, true},
	{"255.255.255.255/32", true, true},
	{"::/128", true, true},
	{"::1/128", true, true},
	{"64:ff9b:1::/48", true, true},
	{"100::/64", true, true},
	{"100:0:0:1::/64", true, true},
	{"2001::/23", true, false},
	{"2001:1::1/128", false, false},
	{"2001:1::2/128", false, false},
	{"2001:1::3/128", false, false},
	{"2001:3::/32", false, false},
	{"2001:4:112::/48", false, false},
	{"2001:20::/28", false, false},
	{"2001:30::/28", false, false},
	{"2001:2::/48", true, true},
	{"2001:db8::/32", true, true},
	{"3fff::/20", true, true},
	{"5f00::/16", true, true},
	{"fc00::/7", true, true},
	{"fe80::/10", true, true},
	{"ff00::/8", true, true},
};

/* Reference answer: longest matching block, public when none. */
static enum ip_scope reference(const struct ip_addr *a)
{
	int best = -1, bestlen = -1;
	for (size_t i = 0; i < ARRAY_LEN(blocks); i++) {
		struct ip_prefix p;
		if (!ip_prefix_parse(blocks[i].prefix, false, &p))
			fail_msg("bad test prefix %s", blocks[i].prefix);
		if (ip_prefix_contains(&p, a) && p.len > bestlen) {
			best = (int)i;
			bestlen = p.len;
		}
	}
	return best >= 0 && blocks[best].special ? IP_SCOPE_SPECIAL : IP_SCOPE_PUBLIC;
}

/* a += delta (+1 or -1) with wrap-around; false when it wrapped. */
static bool step(struct ip_addr *a, int delta)
{
	int n = a->family == IP_V4 ? 4 : 16;
	for (int i = n - 1; i >= 0; i--) {
		if (delta > 0) {
			if (++a->octet[i] != 0)
				return true;
		} else {
			if (a->octet[i]-- != 0)
				return true;
		}
	}
	return false;
}

static const char *fmt(const struct ip_addr *a, char *buf)
{
	return ip_addr_format(a, buf, IP_ADDR_TEXT_MAX);
}

static void check_addr(const struct ip_addr *a, enum ip_scope want)
{
	char buf[IP_ADDR_TEXT_MAX];
	enum ip_scope got = ipclass_addr(a, NULL);
	if (got != want)
		fail_msg("%s: got %s, want %s", fmt(a, buf), ipclass_scope_name(got),
			 ipclass_scope_name(want));
}

static void test_every_edge(void **state)
{
	(void)state;
	unsigned checked = 0;
	for (size_t i = 0; i < ARRAY_LEN(blocks); i++) {
		struct ip_prefix p;
		struct ip_addr first, last, x;
		assert_true(ip_prefix_parse(blocks[i].prefix, false, &p));
		ip_prefix_first(&p, &first);
		ip_prefix_last(&p, &last);
		/* the block's own edges answer as the block says */
		enum ip_scope own = blocks[i].special ? IP_SCOPE_SPECIAL : IP_SCOPE_PUBLIC;
		check_addr(&first, own);
		check_addr(&last, own);
		assert_int_eq_msg(blocks[i].prefix, reference(&first), own);
		/* the neighbours: public unless another block claims them */
		x = first;
		if (step(&x, -1))
			check_addr(&x, reference(&x));
		x = last;
		if (step(&x, +1))
			check_addr(&x, reference(&x));
		/* the whole block as a prefix */
		assert_int_eq_msg(blocks[i].prefix, ipclass_prefix(&p),
				  blocks[i].whole ? IP_SCOPE_SPECIAL : IP_SCOPE_PUBLIC);
		checked += 4;
	}
	assert_true(checked >= 4 * ARRAY_LEN(blocks));
}

/* Literal rows: the edges written out by hand. */
static const struct {
	const char *addr;
	enum ip_scope want;
	const char *block;	/* NULL: do not check the name */
} rows[] = {
	{"8.8.8.8", IP_SCOPE_PUBLIC, "global"},
	{"193.0.6.139", IP_SCOPE_PUBLIC, "global"},
	{"0.0.0.0", IP_SCOPE_SPECIAL, "this-network 0.0.0.0/8"},
	{"0.255.255.255", IP_SCOPE_SPECIAL, NULL},
	{"1.0.0.0", IP_SCOPE_PUBLIC, NULL},
	{"9.255.255.255", IP_SCOPE_PUBLIC, NULL},
	{"10.0.0.0", IP_SCOPE_SPECIAL, "private 10.0.0.0/8"},
	{"10.255.255.255", IP_SCOPE_SPECIAL, NULL},
	{"11.0.0.0", IP_SCOPE_PUBLIC, NULL},
	{"100.63.255.255", IP_SCOPE_PUBLIC, NULL},
	{"100.64.0.0", IP_SCOPE_SPECIAL, "shared 100.64.0.0/10"},
	{"100.127.255.255", IP_SCOPE_SPECIAL, NULL},
	{"100.128.0.0", IP_SCOPE_PUBLIC, NULL},
	{"126.255.255.255", IP_SCOPE_PUBLIC, NULL},
	{"127.0.0.0", IP_SCOPE_SPECIAL, "loopback 127.0.0.0/8"},
	{"127.0.0.1", IP_SCOPE_SPECIAL, NULL},
	{"127.255.255.255", IP_SCOPE_SPECIAL, NULL},
	{"128.0.0.0", IP_SCOPE_PUBLIC, NULL},
	{"169.253.255.255", IP_SCOPE_PUBLIC, NULL},
	{"169.254.0.0", IP_SCOPE_SPECIAL, "link-local 169.254.0.0/16"},
	{"169.254.255.255", IP_SCOPE_SPECIAL, NULL},
	{"169.255.0.0", IP_SCOPE_PUBLIC, NULL},
	{"172.15.255.255", IP_SCOPE_PUBLIC, NULL},
	{"172.16.0.0", IP_SCOPE_SPECIAL, "private 172.16.0.0/12"},
	{"172.31.255.255", IP_SCOPE_SPECIAL, NULL},
	{"172.32.0.0", IP_SCOPE_PUBLIC, NULL},
	{"191.255.255.255", IP_SCOPE_PUBLIC, NULL},
	{"192.0.0.0", IP_SCOPE_SPECIAL, "ietf-protocol 192.0.0.0/24"},
	{"192.0.0.8", IP_SCOPE_SPECIAL, NULL},
	{"192.0.0.9", IP_SCOPE_PUBLIC, "global"},
	{"192.0.0.10", IP_SCOPE_PUBLIC, "global"},
	{"192.0.0.11", IP_SCOPE_SPECIAL, NULL},
	{"192.0.0.255", IP_SCOPE_SPECIAL, NULL},
	{"192.0.1.0", IP_SCOPE_PUBLIC, NULL},
	{"192.0.1.255", IP_SCOPE_PUBLIC, NULL},
	{"192.0.2.0", IP_SCOPE_SPECIAL, "documentation 192.0.2.0/24"},
	{"192.0.2.255", IP_SCOPE_SPECIAL, NULL},
	{"192.0.3.0", IP_SCOPE_PUBLIC, NULL},
	{"192.88.99.1", IP_SCOPE_PUBLIC, NULL},
	{"192.88.99.2", IP_SCOPE_SPECIAL, "6a44-relay 192.88.99.2/32"},
	{"192.88.99.3", IP_SCOPE_PUBLIC, NULL},
	{"192.167.255.255", IP_SCOPE_PUBLIC, NULL},
	{"192.168.0.0", IP_SCOPE_SPECIAL, "private 192.168.0.0/16"},
	{"192.168.255.255", IP_SCOPE_SPECIAL, NULL},
	{"192.169.0.0", IP_SCOPE_PUBLIC, NULL},
	{"198.17.255.255", IP_SCOPE_PUBLIC, NULL},
	{"198.18.0.0", IP_SCOPE_SPECIAL, "benchmarking 198.18.0.0/15"},
	{"198.19.255.255", IP_SCOPE_SPECIAL, NULL},
	{"198.20.0.0", IP_SCOPE_PUBLIC, NULL},
	{"198.51.99.255", IP_SCOPE_PUBLIC, NULL},
	{"198.51.100.0", IP_SCOPE_SPECIAL, "documentation 198.51.100.0/24"},
	{"198.51.100.255", IP_SCOPE_SPECIAL, NULL},
	{"198.51.101.0", IP_SCOPE_PUBLIC, NULL},
	{"203.0.112.255", IP_SCOPE_PUBLIC, NULL},
	{"203.0.113.0", IP_SCOPE_SPECIAL, "documentation 203.0.113.0/24"},
	{"203.0.113.255", IP_SCOPE_SPECIAL, NULL},
	{"203.0.114.0", IP_SCOPE_PUBLIC, NULL},
	{"223.255.255.255", IP_SCOPE_PUBLIC, NULL},
	{"224.0.0.0", IP_SCOPE_SPECIAL, "multicast 224.0.0.0/4"},
	{"239.255.255.255", IP_SCOPE_SPECIAL, NULL},
	{"240.0.0.0", IP_SCOPE_SPECIAL, "reserved 240.0.0.0/4"},
	{"255.255.255.254", IP_SCOPE_SPECIAL, "reserved 240.0.0.0/4"},
	{"255.255.255.255", IP_SCOPE_SPECIAL, "broadcast 255.255.255.255/32"},
	/* IPv6 */
	{"2a00:1450:4001::1", IP_SCOPE_PUBLIC, "global"},
	{"::", IP_SCOPE_SPECIAL, "unspecified ::/128"},
	{"::1", IP_SCOPE_SPECIAL, "loopback ::1/128"},
	{"::2", IP_SCOPE_PUBLIC, NULL},
	{"64:ff9b:0:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"64:ff9b:1::", IP_SCOPE_SPECIAL, "local-translation 64:ff9b:1::/48"},
	{"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"64:ff9b:2::", IP_SCOPE_PUBLIC, NULL},
	{"ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"100::", IP_SCOPE_SPECIAL, "discard-only 100::/64"},
	{"100::ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"100:0:0:1::", IP_SCOPE_SPECIAL, "dummy 100:0:0:1::/64"},
	{"100:0:0:1:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"100:0:0:2::", IP_SCOPE_PUBLIC, NULL},
	{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001::", IP_SCOPE_SPECIAL, "ietf-protocol 2001::/23"},
	{"2001:0:4136:e378:8000:63bf:3fff:fdd2", IP_SCOPE_SPECIAL, NULL},	/* Teredo */
	{"2001:1::", IP_SCOPE_SPECIAL, NULL},
	{"2001:1::1", IP_SCOPE_PUBLIC, "global"},
	{"2001:1::2", IP_SCOPE_PUBLIC, NULL},
	{"2001:1::3", IP_SCOPE_PUBLIC, NULL},
	{"2001:1::4", IP_SCOPE_SPECIAL, NULL},
	{"2001:2::", IP_SCOPE_SPECIAL, "benchmarking 2001:2::/48"},
	{"2001:2:0:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:2:1::", IP_SCOPE_SPECIAL, "ietf-protocol 2001::/23"},
	{"2001:2:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:3::", IP_SCOPE_PUBLIC, NULL},
	{"2001:3:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001:4::", IP_SCOPE_SPECIAL, NULL},
	{"2001:4:111:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:4:112::", IP_SCOPE_PUBLIC, NULL},
	{"2001:4:112:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001:4:113::", IP_SCOPE_SPECIAL, NULL},
	{"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:20::", IP_SCOPE_PUBLIC, NULL},
	{"2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001:30::", IP_SCOPE_PUBLIC, NULL},
	{"2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001:40::", IP_SCOPE_SPECIAL, NULL},
	{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:200::", IP_SCOPE_PUBLIC, NULL},
	{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"2001:db8::", IP_SCOPE_SPECIAL, "documentation 2001:db8::/32"},
	{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"2001:db9::", IP_SCOPE_PUBLIC, NULL},
	{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"3fff::", IP_SCOPE_SPECIAL, "documentation 3fff::/20"},
	{"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"3fff:1000::", IP_SCOPE_PUBLIC, NULL},
	{"5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"5f00::", IP_SCOPE_SPECIAL, "srv6-sid 5f00::/16"},
	{"5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"5f01::", IP_SCOPE_PUBLIC, NULL},
	{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"fc00::", IP_SCOPE_SPECIAL, "unique-local fc00::/7"},
	{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"fe00::", IP_SCOPE_PUBLIC, NULL},
	{"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"fe80::", IP_SCOPE_SPECIAL, "link-local fe80::/10"},
	{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	{"fec0::", IP_SCOPE_PUBLIC, NULL},
	{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"ff00::", IP_SCOPE_SPECIAL, "multicast ff00::/8"},
	{"ff02::1", IP_SCOPE_SPECIAL, NULL},
	{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IP_SCOPE_SPECIAL, NULL},
	/* embedded IPv4 takes the IPv4 answer */
	{"::ffff:8.8.8.8", IP_SCOPE_PUBLIC, "global"},
	{"::ffff:10.0.0.1", IP_SCOPE_SPECIAL, "private 10.0.0.0/8"},
	{"::ffff:0.0.0.0", IP_SCOPE_SPECIAL, NULL},
	{"::ffff:255.255.255.255", IP_SCOPE_SPECIAL, NULL},
	{"::ffff:192.0.0.9", IP_SCOPE_PUBLIC, NULL},
	{"::fffe:ffff:ffff", IP_SCOPE_PUBLIC, NULL},
	{"::1:0:0:0", IP_SCOPE_PUBLIC, NULL},
	{"64:ff9b::8.8.8.8", IP_SCOPE_PUBLIC, NULL},
	{"64:ff9b::192.168.1.1", IP_SCOPE_SPECIAL, "private 192.168.0.0/16"},
	{"64:ff9b::127.0.0.1", IP_SCOPE_SPECIAL, NULL},
	{"64:ff9b::1:0:0", IP_SCOPE_PUBLIC, NULL},	/* outside the /96 */
	{"2002:808:808::1", IP_SCOPE_PUBLIC, NULL},
	{"2002:a00:1::", IP_SCOPE_SPECIAL, "private 10.0.0.0/8"},
	{"2002:c000:204:ffff::1", IP_SCOPE_SPECIAL, NULL},
	{"2002:c000:9::", IP_SCOPE_PUBLIC, NULL},
	{"2002::", IP_SCOPE_SPECIAL, NULL},
	{"2002:ffff:ffff::", IP_SCOPE_SPECIAL, NULL},
	{"2001:ffff::", IP_SCOPE_PUBLIC, NULL},
	{"2003::", IP_SCOPE_PUBLIC, NULL},
};

static void test_literal_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ip_addr a;
		const char *block = NULL;
		if (!ip_addr_parse(rows[i].addr, &a))
			fail_msg("bad test address %s", rows[i].addr);
		enum ip_scope got = ipclass_addr(&a, &block);
		if (got != rows[i].want)
			fail_msg("%s: got %s, want %s", rows[i].addr, ipclass_scope_name(got),
				 ipclass_scope_name(rows[i].want));
		if (rows[i].block != NULL)
			assert_str_eq_msg(rows[i].addr, block, rows[i].block);
		/* and the reference agrees, outside embedded space */
		if (strncmp(rows[i].addr, "::ffff:", 7) != 0 && strncmp(rows[i].addr, "64:ff9b::", 9) != 0 &&
		    strncmp(rows[i].addr, "2002:", 5) != 0)
			assert_int_eq_msg(rows[i].addr, reference(&a), rows[i].want);
	}
}

static const struct {
	const char *text;	/* "prefix" or "first-last" */
	enum ip_scope want;
} nets[] = {
	{"10.0.0.0/8", IP_SCOPE_SPECIAL},
	{"10.0.0.0/7", IP_SCOPE_PUBLIC},
	{"10.20.0.0/16", IP_SCOPE_SPECIAL},
	{"172.16.0.0/12", IP_SCOPE_SPECIAL},
	{"172.0.0.0/11", IP_SCOPE_PUBLIC},
	{"192.0.0.0/29", IP_SCOPE_SPECIAL},
	{"192.0.0.8/29", IP_SCOPE_PUBLIC},	/* holds .9 and .10 */
	{"192.0.0.0/24", IP_SCOPE_PUBLIC},
	{"192.0.0.12/30", IP_SCOPE_SPECIAL},
	{"192.0.0.9/32", IP_SCOPE_PUBLIC},
	{"192.88.99.0/24", IP_SCOPE_PUBLIC},
	{"192.88.99.2/32", IP_SCOPE_SPECIAL},
	{"198.18.0.0/15", IP_SCOPE_SPECIAL},
	{"198.16.0.0/14", IP_SCOPE_PUBLIC},
	{"224.0.0.0/3", IP_SCOPE_SPECIAL},	/* multicast + reserved, adjacent */
	{"192.0.0.0/2", IP_SCOPE_PUBLIC},
	{"0.0.0.0/0", IP_SCOPE_PUBLIC},
	{"8.8.8.0/24", IP_SCOPE_PUBLIC},
	{"10.0.0.1-10.0.0.255", IP_SCOPE_SPECIAL},
	{"10.0.0.0-10.255.255.255", IP_SCOPE_SPECIAL},
	{"9.255.255.255-10.0.0.1", IP_SCOPE_PUBLIC},
	{"10.255.255.255-11.0.0.0", IP_SCOPE_PUBLIC},
	{"198.18.0.0-198.19.255.255", IP_SCOPE_SPECIAL},
	{"198.18.0.0-198.20.0.0", IP_SCOPE_PUBLIC},
	{"192.0.0.0-192.0.0.8", IP_SCOPE_SPECIAL},
	{"192.0.0.0-192.0.0.9", IP_SCOPE_PUBLIC},
	{"192.0.0.11-192.0.0.255", IP_SCOPE_SPECIAL},
	{"192.0.0.11-192.0.2.0", IP_SCOPE_PUBLIC},	/* 192.0.1.0/24 is public */
	{"224.0.0.0-255.255.255.255", IP_SCOPE_SPECIAL},
	{"223.255.255.255-255.255.255.255", IP_SCOPE_PUBLIC},
	{"8.8.8.8-8.8.8.8", IP_SCOPE_PUBLIC},
	{"10.0.0.5-10.0.0.1", IP_SCOPE_PUBLIC},	/* reversed: not a range */
	{"10.0.0.1-fe80::1", IP_SCOPE_PUBLIC},	/* two families */
	{"2001:db8::/32", IP_SCOPE_SPECIAL},
	{"2001:db8::/31", IP_SCOPE_PUBLIC},
	{"2001::/23", IP_SCOPE_PUBLIC},	/* holds global sub-blocks */
	{"2001::/32", IP_SCOPE_SPECIAL},	/* Teredo */
	{"2001:1::/32", IP_SCOPE_PUBLIC},	/* holds 2001:1::1..3 */
	{"2001:1::/126", IP_SCOPE_PUBLIC},
	{"2001:1::4/126", IP_SCOPE_SPECIAL},
	{"2001:2::/48", IP_SCOPE_SPECIAL},
	{"2001:4:112::/48", IP_SCOPE_PUBLIC},
	{"2001:4::/32", IP_SCOPE_PUBLIC},
	{"2001:4:113::/48", IP_SCOPE_SPECIAL},
	{"2001:40::/26", IP_SCOPE_SPECIAL},
	{"2001:100::/24", IP_SCOPE_SPECIAL},
	{"fc00::/7", IP_SCOPE_SPECIAL},
	{"fc00::/6", IP_SCOPE_PUBLIC},
	{"fe80::/10", IP_SCOPE_SPECIAL},
	{"fe80::/9", IP_SCOPE_PUBLIC},
	{"ff00::/8", IP_SCOPE_SPECIAL},
	{"::/127", IP_SCOPE_SPECIAL},	/* :: and ::1 */
	{"::/126", IP_SCOPE_PUBLIC},
	{"::/0", IP_SCOPE_PUBLIC},
	{"2a00:1450::/32", IP_SCOPE_PUBLIC},
	{"100::/63", IP_SCOPE_SPECIAL},	/* 100::/64 and 100:0:0:1::/64 */
	{"100::/62", IP_SCOPE_PUBLIC},
	{"::ffff:10.0.0.0/104", IP_SCOPE_SPECIAL},
	{"::ffff:0.0.0.0/96", IP_SCOPE_PUBLIC},
	{"::ffff:224.0.0.0/99", IP_SCOPE_SPECIAL},
	{"64:ff9b::a00:0/104", IP_SCOPE_SPECIAL},
	{"64:ff9b::/96", IP_SCOPE_PUBLIC},
	{"2002:a00::/24", IP_SCOPE_SPECIAL},
	{"2002:c000:200::/40", IP_SCOPE_SPECIAL},
	{"2002:c000:0::/40", IP_SCOPE_PUBLIC},	/* 192.0.0.9 and .10 inside */
	{"2002::/16", IP_SCOPE_PUBLIC},
	{"2002:e000::/19", IP_SCOPE_SPECIAL},	/* 224.0.0.0/3 */
	{"fe80::1-fe80::ffff", IP_SCOPE_SPECIAL},
	{"fe80::1-fec0::", IP_SCOPE_PUBLIC},
	{"::ffff:10.0.0.1-::ffff:10.0.0.9", IP_SCOPE_SPECIAL},
	{"::ffff:10.255.255.255-::ffff:11.0.0.0", IP_SCOPE_PUBLIC},
	{"2001:1::4-2001:1:ffff::", IP_SCOPE_SPECIAL},
	{"2001:1::3-2001:1:ffff::", IP_SCOPE_PUBLIC},
};

static void test_prefix_and_range(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(nets); i++) {
		char text[128];
		enum ip_scope got;
		snprintf(text, sizeof text, "%s", nets[i].text);
		char *dash = strchr(text, '-');
		if (dash != NULL) {
			struct ip_addr a, b;
			*dash = '\0';
			if (!ip_addr_parse(text, &a) || !ip_addr_parse(dash + 1, &b))
				fail_msg("bad test range %s", nets[i].text);
			got = ipclass_range(&a, &b);
		} else {
			struct ip_prefix p;
			if (!ip_prefix_parse(text, false, &p))
				fail_msg("bad test prefix %s", nets[i].text);
			got = ipclass_prefix(&p);
		}
		if (got != nets[i].want)
			fail_msg("%s: got %s, want %s", nets[i].text, ipclass_scope_name(got),
				 ipclass_scope_name(nets[i].want));
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_str_eq_msg("public", ipclass_scope_name(IP_SCOPE_PUBLIC), "public");
	assert_str_eq_msg("special", ipclass_scope_name(IP_SCOPE_SPECIAL), "special");
	struct ip_addr a;
	assert_true(ip_addr_parse("8.8.8.8", &a));
	assert_int_equal(ipclass_addr(&a, NULL), IP_SCOPE_PUBLIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_edge),
		cmocka_unit_test(test_literal_rows),
		cmocka_unit_test(test_prefix_and_range),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
