/*
 * test_findings.c - deduplication, counting, location, structured
 * evidence, categories and the names of every closed set.
 */
#include "testutil.h"

#include "grondslag/scan/findings.h"

static struct ipscan_match addr_match(const char *text, uint64_t off, bool defanged)
{
	struct ipscan_match m;
	memset(&m, 0, sizeof m);
	m.kind = IPSCAN_ADDR;
	assert_true(ip_addr_parse(text, &m.addr));
	m.offset = off;
	m.defanged = defanged;
	return m;
}

static struct ipscan_match prefix_match(const char *text, uint64_t off)
{
	struct ipscan_match m;
	struct ip_prefix p;
	memset(&m, 0, sizeof m);
	assert_true(ip_prefix_parse(text, false, &p));
	m.kind = IPSCAN_PREFIX;
	m.addr = p.addr;
	m.prefixlen = p.len;
	m.offset = off;
	return m;
}

static void test_dedup_and_location(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	assert_non_null(f);
	int p1 = findings_part_add(f, "1", "Text/Plain", NULL, 1);
	int p2 = findings_part_add(f, "2", "text/csv", "be.csv", 1);
	assert_int_equal(p1, 0);
	assert_int_equal(p2, 1);
	assert_string_equal(findings_part(f, 0)->type, "text/plain");

	struct ipscan_match a = addr_match("193.0.6.139", 10, false);
	struct ipscan_match b = addr_match("8.8.8.8", 20, true);
	struct ipscan_match c = addr_match("10.1.2.3", 30, false);
	findings_add_match(f, 0, &a);
	findings_add_match(f, 0, &b);
	findings_add_match(f, 1, &c);
	a.offset = 99;
	findings_add_match(f, 1, &a);

	assert_int_equal(findings_ip_count(f), 3);
	assert_int_equal(findings_public_ip_count(f), 2);
	const struct finding_ip *ip = findings_ip(f, 0);
	assert_int_equal(ip->count, 2);
	assert_int_equal(ip->first_part, 0);
	assert_int_equal(ip->first_offset, 10);
	assert_false(ip->defanged);
	assert_true(findings_ip(f, 1)->defanged);
	assert_int_equal(findings_ip(f, 2)->scope, IP_SCOPE_SPECIAL);
	assert_null(findings_ip(f, 3));
	findings_free(f);
}

static void test_many_distinct(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_part_add(f, "1", "text/plain", NULL, 1);
	/* 70,000 distinct public addresses, each twice: forces rehashing. */
	for (int round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < 70000; i++) {
			struct ipscan_match m;
			memset(&m, 0, sizeof m);
			m.kind = IPSCAN_ADDR;
			m.addr.family = IP_V4;
			uint32_t v = (81u << 24) | i;	/* 81.0.0.0/8 is public */
			m.addr.octet[0] = (uint8_t)(v >> 24);
			m.addr.octet[1] = (uint8_t)(v >> 16);
			m.addr.octet[2] = (uint8_t)(v >> 8);
			m.addr.octet[3] = (uint8_t)v;
			findings_add_match(f, 0, &m);
		}
	}
	assert_int_equal(findings_ip_count(f), 70000);
	for (size_t i = 0; i < 70000; i += 997)
		assert_int_equal(findings_ip(f, i)->count, 2);
	findings_free(f);
}

static void test_entry_cap(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_set_max_entries(f, 3);
	findings_part_add(f, "1", "text/plain", NULL, 1);
	const char *ips[] = {"8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9", "8.8.8.8"};
	for (size_t i = 0; i < ARRAY_LEN(ips); i++) {
		struct ipscan_match m = addr_match(ips[i], i, false);
		findings_add_match(f, 0, &m);
	}
	assert_int_equal(findings_ip_count(f), 3);
	assert_int_equal(findings_ip(f, 0)->count, 2);
	assert_int_equal(findings_message_reason(f), UNSCAN_LIMIT_ADDRESSES);
	assert_true(findings_derive(f, 1) & CAT_UNSCANNABLE);
	findings_free(f);
}

static void test_nets(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_part_add(f, "1", "text/plain", NULL, 1);
	struct ipscan_match p = prefix_match("193.0.0.0/21", 5);
	struct ipscan_match q = prefix_match("10.0.0.0/8", 6);
	findings_add_match(f, 0, &p);
	findings_add_match(f, 0, &p);
	findings_add_match(f, 0, &q);
	struct ipscan_match r;
	memset(&r, 0, sizeof r);
	r.kind = IPSCAN_RANGE;
	assert_true(ip_addr_parse("8.8.8.0", &r.addr));
	assert_true(ip_addr_parse("8.8.8.255", &r.end));
	findings_add_match(f, 0, &r);
	assert_int_equal(findings_net_count(f), 3);
	assert_int_equal(findings_net(f, 0)->count, 2);
	assert_int_equal(findings_net(f, 0)->scope, IP_SCOPE_PUBLIC);
	assert_int_equal(findings_net(f, 1)->scope, IP_SCOPE_SPECIAL);
	assert_true(findings_net(f, 2)->is_range);
	assert_int_equal(findings_public_net_count(f), 2);
	assert_true(findings_derive(f, 2) & CAT_PROVIDER_TRACEABLE);
	assert_false(findings_derive(f, 3) & CAT_PROVIDER_TRACEABLE);
	findings_free(f);
}

/* Categories: a table of small messages described by what was found. */
struct derive_case {
	const char *name;
	const char *ips[4];	/* addresses found in part 0 */
	int format;		/* -1 none, else set on part 0 after its matches */
	enum tlp_level tlp;
	enum unscan_reason part_reason;
	unsigned threshold;
	unsigned want;
};

static const struct derive_case derive_cases[] = {
	{"nothing", {NULL}, -1, TLP_NONE, UNSCAN_NONE, 1, 0},
	{"one public", {"8.8.8.8"}, -1, TLP_NONE, UNSCAN_NONE, 1, CAT_PROVIDER_TRACEABLE},
	{"special only", {"10.0.0.1", "192.168.1.1", "127.0.0.1"}, -1, TLP_NONE, UNSCAN_NONE, 1, 0},
	{"documentation only", {"192.0.2.1", "2001:db8::1"}, -1, TLP_NONE, UNSCAN_NONE, 1, 0},
	{"below threshold", {"8.8.8.8", "1.1.1.1"}, -1, TLP_NONE, UNSCAN_NONE, 3, 0},
	{"at threshold", {"8.8.8.8", "1.1.1.1", "9.9.9.9"}, -1, TLP_NONE, UNSCAN_NONE, 3,
	 CAT_PROVIDER_TRACEABLE},
	{"structured below threshold", {"8.8.8.8"}, FMT_STIX2, TLP_NONE, UNSCAN_NONE, 50,
	 CAT_PROVIDER_TRACEABLE | CAT_INCIDENT},
	{"stix without addresses", {NULL}, FMT_STIX2, TLP_NONE, UNSCAN_NONE, 1, CAT_INCIDENT},
	{"csv of internal hosts", {"10.0.0.1"}, FMT_CSV_IP, TLP_NONE, UNSCAN_NONE, 1, 0},
	{"csv of public hosts", {"8.8.8.8"}, FMT_CSV_IP, TLP_NONE, UNSCAN_NONE, 50,
	 CAT_PROVIDER_TRACEABLE | CAT_INCIDENT},
	{"tlp clear only", {NULL}, -1, TLP_CLEAR, UNSCAN_NONE, 1, CAT_INCIDENT},
	{"tlp red with ip", {"8.8.8.8"}, -1, TLP_RED, UNSCAN_NONE, 1,
	 CAT_PROVIDER_TRACEABLE | CAT_INCIDENT},
	{"encrypted", {NULL}, -1, TLP_NONE, UNSCAN_ENCRYPTED_ARCHIVE, 1, CAT_UNSCANNABLE},
	{"threshold zero means one", {"8.8.8.8"}, -1, TLP_NONE, UNSCAN_NONE, 0,
	 CAT_PROVIDER_TRACEABLE},
};

static void test_derive_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(derive_cases); i++) {
		const struct derive_case *c = &derive_cases[i];
		struct findings *f = findings_alloc();
		findings_part_add(f, "1", "text/plain", NULL, 1);
		for (size_t k = 0; k < 4 && c->ips[k]; k++) {
			struct ipscan_match m = addr_match(c->ips[k], k, false);
			findings_add_match(f, 0, &m);
		}
		if (c->format >= 0)
			findings_part_set_format(f, 0, (enum incident_format)c->format);
		findings_set_tlp(f, c->tlp);
		if (c->part_reason)
			findings_part_unscannable(f, 0, c->part_reason);
		assert_int_eq_msg(c->name, findings_derive(f, c->threshold), c->want);
		findings_free(f);
	}
}

static void test_structured_only_current_part(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_part_add(f, "1", "text/plain", NULL, 1);
	findings_part_add(f, "2", "application/json", "x.json", 1);
	struct ipscan_match a = addr_match("8.8.8.8", 1, false);
	struct ipscan_match b = addr_match("1.1.1.1", 2, false);
	findings_add_match(f, 0, &a);	/* prose */
	findings_add_match(f, 1, &b);	/* the STIX part */
	findings_part_set_format(f, 1, FMT_STIX2);
	assert_false(findings_ip(f, 0)->structured);
	assert_true(findings_ip(f, 1)->structured);
	/* A later part naming a format for part 0 (out of order) flags nothing. */
	findings_part_set_format(f, 0, FMT_MISP);
	assert_false(findings_ip(f, 0)->structured);
	findings_free(f);
}

static void test_tlp_most_restrictive(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_set_tlp(f, TLP_AMBER);
	findings_set_tlp(f, TLP_GREEN);
	assert_int_equal(findings_tlp(f), TLP_AMBER);
	findings_set_tlp(f, TLP_RED);
	findings_set_tlp(f, TLP_AMBER_STRICT);
	assert_int_equal(findings_tlp(f), TLP_RED);
	findings_free(f);
}

static void test_unscannable_first_reason_wins(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	findings_part_add(f, "1", "application/zip", "a.zip", 1);
	findings_part_unscannable(f, 0, UNSCAN_ENCRYPTED_ARCHIVE);
	findings_part_unscannable(f, 0, UNSCAN_LIMIT_SIZE);
	findings_part_set_status(f, 0, PART_SCANNED);	/* must not undo */
	assert_int_equal(findings_part(f, 0)->status, PART_UNSCANNABLE);
	assert_int_equal(findings_part(f, 0)->reason, UNSCAN_ENCRYPTED_ARCHIVE);
	findings_part_unscannable(f, 7, UNSCAN_TNEF);	/* out of range: ignored */
	assert_int_equal(findings_unscannable_count(f), 1);
	findings_free(f);
}

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		enum tlp_level want;
	} tlps[] = {
		{"RED", true, TLP_RED},
		{"tlp:amber+strict", true, TLP_AMBER_STRICT},
		{"TLP:WHITE", true, TLP_CLEAR},
		{"clear", true, TLP_CLEAR},
		{"GREEN", true, TLP_GREEN},
		{"AMBER", true, TLP_AMBER},
		{"PURPLE", false, TLP_NONE},
		{"", false, TLP_NONE},
		{"TLP:", false, TLP_NONE},
		{"white", true, TLP_CLEAR},
	};
	for (size_t i = 0; i < ARRAY_LEN(tlps); i++) {
		enum tlp_level t = TLP_NONE;
		assert_int_eq_msg(tlps[i].in, tlp_parse(tlps[i].in, &t), tlps[i].ok);
		if (tlps[i].ok)
			assert_int_eq_msg(tlps[i].in, t, tlps[i].want);
	}
	for (int r = 1; r < UNSCAN_COUNT; r++) {
		const char *n = unscan_reason_name((enum unscan_reason)r);
		assert_true(n[0] != '\0');
		for (int s = 1; s < r; s++)
			assert_string_not_equal(n, unscan_reason_name((enum unscan_reason)s));
	}
	for (int k = 0; k < FMT_COUNT; k++)
		assert_string_not_equal(format_name((enum incident_format)k), "unknown");
	for (unsigned bit = 1; bit <= CAT_PERSONAL_DATA; bit <<= 1) {
		enum category c;
		assert_true(category_parse(category_name((enum category)bit), &c));
		assert_int_equal(c, bit);
	}
	enum category c;
	assert_false(category_parse("everything", &c));
	assert_string_equal(tlp_name(TLP_AMBER_STRICT), "AMBER+STRICT");
	assert_string_equal(part_status_name(PART_CONTAINER), "container");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dedup_and_location),
		cmocka_unit_test(test_many_distinct),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_derive_table),
		cmocka_unit_test(test_structured_only_current_part),
		cmocka_unit_test(test_tlp_most_restrictive),
		cmocka_unit_test(test_unscannable_first_reason_wins),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
