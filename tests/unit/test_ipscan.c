/*
 * test_ipscan.c - what the scanner finds, and what it must not.
 *
 * Each row is an input and the matches wanted, written as text: an address
 * in canonical form, "addr/len" for a prefix, "first-last" for a range, a
 * '~' suffix when written defanged, "@offset" when the row checks offsets
 * (a row whose want has no '@' is compared without them).  Every row is
 * then scanned again split at every position, in 1-byte chunks and in
 * three pieces, and must give exactly the one-shot answer with offsets.
 * Detection rows use routable addresses; documentation and private ranges
 * appear where the scanner must still find them as text (the classifier,
 * not the scanner, judges them).
 */
#include "testutil.h"

#include "../../milter/scan/ipscan_priv.h"
#include "grondslag/scan/ipscan.h"

struct collect {
	char buf[8192];
	size_t len;
	bool offsets;
	int count;
	int stop_at;	/* return 7 from the callback at this match (1-based), 0 never */
	uint64_t bias;	/* subtracted from offsets (a row embedded at this offset) */
};

/* Append one match in the table's notation. */
static int collect_cb(void *arg, const struct ipscan_match *m)
{
	struct collect *c = arg;
	char a[IP_ADDR_TEXT_MAX], b[IP_ADDR_TEXT_MAX], tok[160];
	int n;

	ip_addr_format(&m->addr, a, sizeof a);
	if (m->kind == IPSCAN_PREFIX)
		n = snprintf(tok, sizeof tok, "%s/%u", a, m->prefixlen);
	else if (m->kind == IPSCAN_RANGE)
		n = snprintf(tok, sizeof tok, "%s-%s", a, ip_addr_format(&m->end, b, sizeof b));
	else
		n = snprintf(tok, sizeof tok, "%s", a);
	if (m->defanged)
		n += snprintf(tok + n, sizeof tok - (size_t)n, "~");
	if (c->offsets)
		snprintf(tok + n, sizeof tok - (size_t)n, "@%llu",
			 (unsigned long long)(m->offset - c->bias));
	if (c->len + strlen(tok) + 2 < sizeof c->buf)
		c->len += (size_t)snprintf(c->buf + c->len, sizeof c->buf - c->len, "%s%s",
					   c->len ? " " : "", tok);
	c->count++;
	return c->stop_at != 0 && c->count == c->stop_at ? 7 : 0;
}

static void collect_init(struct collect *c, bool offsets)
{
	memset(c, 0, sizeof *c);
	c->offsets = offsets;
}

struct row {
	const char *in;
	const char *want;
	size_t len;	/* 0: strlen(in) */
};

/* Scan in one piece. */
static const char *scan_once(const char *in, size_t len, bool offsets, struct collect *c)
{
	collect_init(c, offsets);
	assert_int_equal(ipscan_buffer(in, len, collect_cb, c), 0);
	return c->buf;
}

/* Scan through ipscan_update with the cut points given. */
static const char *scan_cut(struct ipscan *s, const char *in, size_t len, const size_t *cuts,
			    int ncut, struct collect *c)
{
	size_t at = 0;
	for (int k = 0; k <= ncut; k++) {
		size_t to = k < ncut ? cuts[k] : len;
		if (to < at)
			to = at;
		if (to > len)
			to = len;
		assert_int_equal(ipscan_update(s, in + at, to - at), 0);
		at = to;
	}
	assert_int_equal(ipscan_finish(s), 0);
	return c->buf;
}

/* The row once, then in every chunking; all must agree. */
static void check_row(const struct row *r)
{
	size_t len = r->len ? r->len : strlen(r->in);
	bool offsets = strchr(r->want, '@') != NULL;
	struct collect c, w;
	char name[96];

	snprintf(name, sizeof name, "\"%.80s\"", r->in);
	assert_str_eq_msg(name, scan_once(r->in, len, offsets, &c), r->want);
	scan_once(r->in, len, true, &w);

	struct ipscan *s = ipscan_alloc(collect_cb, &c);
	assert_non_null(s);
	for (size_t k = 0; k <= len; k++) {
		size_t cuts[2] = {k, k + 7};
		char where[128];
		collect_init(&c, true);
		scan_cut(s, r->in, len, cuts, 1, &c);
		snprintf(where, sizeof where, "%s split at %zu", name, k);
		assert_str_eq_msg(where, c.buf, w.buf);
		collect_init(&c, true);
		scan_cut(s, r->in, len, cuts, 2, &c);
		snprintf(where, sizeof where, "%s split at %zu and %zu", name, k, k + 7);
		assert_str_eq_msg(where, c.buf, w.buf);
	}
	collect_init(&c, true);
	for (size_t k = 0; k < len; k++)
		assert_int_equal(ipscan_update(s, r->in + k, 1), 0);
	assert_int_equal(ipscan_finish(s), 0);
	snprintf(name, sizeof name, "\"%.70s\" in 1-byte chunks", r->in);
	assert_str_eq_msg(name, c.buf, w.buf);
	ipscan_free(s);
}

static void check_rows(const struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_row(&rows[i]);
}

/* ---- IPv4 in the places it turns up ---------------------------------- */
static const struct row v4_rows[] = {
	{"8.8.8.8", "8.8.8.8@0", 0},
	{"193.0.6.139", "193.0.6.139", 0},
	{"0.0.0.0", "0.0.0.0", 0},
	{"255.255.255.255", "255.255.255.255", 0},
	{"1.1.1.1", "1.1.1.1", 0},
	{"from 8.8.8.8.", "8.8.8.8@5", 0},
	{"8.8.8.8,", "8.8.8.8@0", 0},
	{"8.8.8.8;8.8.4.4", "8.8.8.8@0 8.8.4.4@8", 0},
	{"(8.8.8.8)", "8.8.8.8@1", 0},
	{"[8.8.8.8]", "8.8.8.8@1", 0},
	{"{8.8.8.8}", "8.8.8.8@1", 0},
	{"<8.8.8.8>", "8.8.8.8@1", 0},
	{"\"8.8.8.8\"", "8.8.8.8@1", 0},
	{"'8.8.8.8'", "8.8.8.8@1", 0},
	{"`8.8.8.8`", "8.8.8.8@1", 0},
	{"ip=8.8.8.8", "8.8.8.8@3", 0},
	{"src:8.8.8.8", "8.8.8.8@4", 0},
	{"dst:193.0.6.139 src:8.8.8.8", "193.0.6.139@4 8.8.8.8@20", 0},
	{"abc:8.8.8.8", "8.8.8.8@4", 0},
	{"a:8.8.8.8", "8.8.8.8@2", 0},
	{"ip: 8.8.8.8", "8.8.8.8@4", 0},
	{"http://8.8.8.8:8080/x", "8.8.8.8@7", 0},
	{"https://193.0.6.139/index.html", "193.0.6.139@8", 0},
	{"ftp://8.8.8.8", "8.8.8.8@6", 0},
	{"user@8.8.8.8", "8.8.8.8@5", 0},
	{"8.8.8.8:53", "8.8.8.8@0", 0},
	{"8.8.8.8:", "8.8.8.8@0", 0},
	{"8.8.8.8\n8.8.4.4\n", "8.8.8.8@0 8.8.4.4@8", 0},
	{"8.8.8.8\r\n8.8.4.4\r\n", "8.8.8.8@0 8.8.4.4@9", 0},
	{"a 1.1.1.1 b 8.8.4.4 c", "1.1.1.1@2 8.8.4.4@12", 0},
	{"...8.8.8.8", "8.8.8.8@3", 0},
	{"IP: 8.8.8.8!", "8.8.8.8@4", 0},
	{"#8.8.8.8", "8.8.8.8@1", 0},
	{"8.8.8.8\t", "8.8.8.8@0", 0},
	{"8.8.8.8?", "8.8.8.8", 0},
	{"8.8.8.8*", "8.8.8.8", 0},
	{"8.8.8.8|8.8.4.4", "8.8.8.8 8.8.4.4", 0},
	{"8.8.8.8%20", "8.8.8.8", 0},
	{"8.8.8.8 - 193.0.6.139 is a range", "8.8.8.8-193.0.6.139@0", 0},
	{"\xc2\xa0" "8.8.8.8\xc2\xa0", "8.8.8.8@2", 0},
	{"\xe2\x80\x9c" "8.8.8.8\xe2\x80\x9d", "8.8.8.8@3", 0},
	{"<td>193.0.6.139</td>", "193.0.6.139@4", 0},
	{"<Address category=\"ipv4-addr\">193.0.6.139</Address>", "193.0.6.139@30", 0},
	{"{\"ip\":\"8.8.8.8\",\"port\":53}", "8.8.8.8@7", 0},
	{"{\"type\":\"ip-dst\",\"value\":\"193.0.6.139\"}", "193.0.6.139@26", 0},
	{"[ipv4-addr:value = '193.0.6.139']", "193.0.6.139@20", 0},
	{"ip-dst|port: 193.0.6.139|443", "193.0.6.139@13", 0},
	{"timestamp,ip,port\n2024-01-15 12:30:45,193.0.6.139,443\n", "193.0.6.139@38", 0},
	{"\"2024-01-15T12:30:45Z\",\"8.8.8.8\",\"AS15169\"", "8.8.8.8@24", 0},
	{"Received: from mx ([193.0.6.139]) by relay", "193.0.6.139@20", 0},
	{"X-Originating-IP: [8.8.8.8]", "8.8.8.8@19", 0},
	{"8.8.8.8", "8.8.8.8", 0},
	{"- 8.8.8.8", "8.8.8.8@2", 0},
	{"--8.8.8.8", "8.8.8.8@2", 0},
	{"+8.8.8.8", "8.8.8.8@1", 0},
	{"/8.8.8.8", "8.8.8.8@1", 0},
	{"\\8.8.8.8", "8.8.8.8@1", 0},
	{"=8.8.8.8=", "8.8.8.8@1", 0},
	{"8.8.8.8.\n", "8.8.8.8", 0},
	{"8.8.8.8..", "8.8.8.8", 0},
	{"8.8.8.8-", "8.8.8.8", 0},
	{"8.8.8.8- x", "8.8.8.8", 0},
	{"1.2.3.4 5.6.7.8", "1.2.3.4 5.6.7.8", 0},
	{"10.0.0.1 192.168.1.1 172.16.0.1 127.0.0.1", "10.0.0.1 192.168.1.1 172.16.0.1 127.0.0.1", 0},
	{"192.0.2.1 198.51.100.7 203.0.113.9", "192.0.2.1 198.51.100.7 203.0.113.9", 0},
	{"99.99.99.99", "99.99.99.99", 0},
	{"100.100.100.100", "100.100.100.100", 0},
	{"249.250.251.252", "249.250.251.252", 0},
	{"1.0.0.0", "1.0.0.0", 0},
	{"0.1.0.1", "0.1.0.1", 0},
	{"1.2.3.4 1.2.3.4", "1.2.3.4@0 1.2.3.4@8", 0},
	{"8.8.8.8\x00", "8.8.8.8@0", 8},
	{"\x00" "8.8.8.8\x00" "8.8.4.4", "8.8.8.8@1 8.8.4.4@9", 16},
	{"8.8\x00" ".8.8", "", 8},
	{"\xff\xfe" "8.8.8.8", "8.8.8.8@2", 0},
};

/* ---- look-alikes that are not addresses ------------------------------- */
static const struct row trap_rows[] = {
	{"1.2.3.4-1", "", 0},
	{"package 1.2.3.4-1ubuntu2", "", 0},
	{"1.2.3.4-beta", "", 0},
	{"1.2.3.4+dfsg", "", 0},
	{"1.2.3.4~rc1", "", 0},
	{"1.2.3.4_5", "", 0},
	{"_1.2.3.4", "", 0},
	{"v2.1.1.108", "", 0},
	{"v1.2.3.4", "", 0},
	{"V1.2.3.4", "", 0},
	{"release-1.2.3.4", "", 0},
	{"linux-4.19.0.1", "", 0},
	{"python3.10.2.1", "", 0},
	{"1.2.3.4.5", "", 0},
	{"1.2.3.4.5.6.7.8", "", 0},
	{"version 1.2.3.4.5 here", "", 0},
	{"1.1.1.1.1", "", 0},
	{"1.3.6.1.4.1.311", "", 0},
	{"1.3.6.1.4.1.311.21.7", "", 0},
	{"OID 1.3.6.1.4.1.1466.115.121.1.15", "", 0},
	{"iso.3.6.1.2.1.1.1.0", "", 0},
	{"SNMPv2-SMI::enterprises.9.9.46.1.3.1.1.2.1", "", 0},
	{"( 1.3.6.1.4.1.4203.1.4.1 NAME 'x' )", "", 0},
	{"abc1.2.3.4", "", 0},
	{"1.2.3.4abc", "", 0},
	{"x.1.2.3.4", "", 0},
	{"1.2.3.4.x", "", 0},
	{"host.8.8.8.8", "", 0},
	{"8.8.8.8.in-addr.arpa", "", 0},
	{"0x1.2.3.4", "", 0},
	{"1.2.3.4e5", "", 0},
	{"256.1.1.1", "", 0},
	{"1.256.1.1", "", 0},
	{"1.2.3.256", "", 0},
	{"1.2.3.999", "", 0},
	{"300.300.300.300", "", 0},
	{"1234.1.2.3", "", 0},
	{"1.2.3.1234", "", 0},
	{"01.02.03.04", "", 0},	/* padded as versions are, alone: see form_rows */
	{"1.2.3.04", "", 0},
	{"010.0.0.1", "", 0},
	{"8.8.08.8", "", 0},
	{"1.2.3", "", 0},
	{"section 1.2.3 says", "", 0},
	{"ClamAV 0.94.2, clamav-milter", "", 0},
	{"Status: 5.7.1 (denied)", "", 0},
	{"(8.14.3/8.14.3) with ESMTP", "", 0},
	{"7.0.5.33.0 64bit", "", 0},
	{"1.2.3 4.5.6.7", "4.5.6.7@6", 0},
	{"1.2.3; 4.5.6.7", "4.5.6.7@7", 0},
	{"0.94.2,1.2.3.4", "1.2.3.4@7", 0},
	{"1.2.3\n4.5.6.7\n", "4.5.6.7@6", 0},
	{"1.2.3 - 4.5.6.7", "4.5.6.7", 0},
	{"1.2.3\t-\t1.2.3.4", "1.2.3.4", 0},
	{"1.2.3 -4.5.6.7", "4.5.6.7", 0},
	{"1.2.3..4.5.6.7", "4.5.6.7", 0},
	{"1.2.3.4.5 9.8.7.6", "9.8.7.6@10", 0},
	{"12.345.6789.1.2", "", 0},
	{"1.2.12345::8.8.8.8", "8.8.8.8", 0},
	{"3.1.2.5.12345::ffff:192.0.2.7", "192.0.2.7", 0},
	{"1.2.3.4.56789::ffff:8.8.8.8", "8.8.8.8", 0},
	{"conn 2.4.11234::ffff:198.51.100.1 closed", "198.51.100.1", 0},
	{"1.2.3:2001:db8::1", "", 0},
	{"1.2.3.4.5:fe80::1", "", 0},
	{"1.2.3/24 and 4.5.6/8", "", 0},
	{"1.2.3%eth0", "", 0},
	{"see 4.2.1. and 4.2.2.", "", 0},
	{"2024.01.15", "", 0},
	{"15.01.2024", "", 0},
	{"3.14159", "", 0},
	{"$1,234.56", "", 0},
	{"1..2.3.4", "", 0},
	{"1.2..3.4", "", 0},
	{".1.2.3.", "", 0},
	{"1.2.3.4-1.2.3.4.5", "", 0},
	{"1.2.3.4-5.6.7", "", 0},
	{"12:30:45", "", 0},
	{"12:30:45.123", "", 0},
	{"Date: Mon, 15 Jan 2024 12:30:45 +0100", "", 0},
	{"2024-01-15T12:30:45.123Z", "", 0},
	{"std::string", "", 0},
	{"std::vector<int>", "", 0},
	{"Foo::add(a)", "", 0},
	{"a::b", "", 0},
	{"dead::beef", "", 0},
	{"abc::def", "", 0},
	{"::", "", 0},
	{"x :: y", "", 0},
	{":::", "", 0},
	{"00:1a:2b:3c:4d:5e", "", 0},
	{"00-1A-2B-3C-4D-5E", "", 0},
	{"20:00:00:25:b5:00:00:0f", "", 0},
	{"wwn 50:06:01:60:3b:20:1a:2f", "", 0},
	{"fe80::1%eth0", "", 0},
	{"fe80::1%25eth0", "", 0},
	{"fe80::1%1", "", 0},
	{"::ffff:8.8.8.8%eth0", "", 0},
	{"1:2:3:4:5:6:7:8:9", "", 0},
	{"1:2:3:4:5:6:7", "", 0},
	{"2001:db8::1::2", "", 0},
	{"12345::1", "", 0},
	{"g::1", "", 0},
	{"::1:2:3:4:5:6:7:8", "", 0},
	{"1:2:3:4:5:6:7:8.8.8.8", "8.8.8.8@14", 0},
	{"2001:db8::1g", "", 0},
	{"2001:db8::1_", "", 0},
	{"x2001::1", "", 0},
	{"x2001:db8::1", "db8::1@6", 0},	/* "x2001:" reads as a label, like "IPv6:" */
	{"2001:db8::zz", "", 0},
	{"::ffff:1.2.3", "", 0},
	{"deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef:1::2", "", 0},
	{"8[.8.8.8", "", 0},
	{"8.8.8.8[.]com", "", 0},
	{"8[.]8.8.8.1", "", 0},
	{"8[.]8[.]8[.]8[.]8", "", 0},
	{"a[.]b", "", 0},
	{"data[0].x", "", 0},
	{"f(.)", "", 0},
	{"", "", 0},
	{"....", "", 0},
	{"::::::::", "", 0},
	{"[[[[(((({{{{", "", 0},
};

/* ---- IPv6 ------------------------------------------------------------- */
static const struct row v6_rows[] = {
	{"2a00:1450:4001::1", "2a00:1450:4001::1@0", 0},
	{"2A00:1450:4001:0:0:0:0:1", "2a00:1450:4001::1", 0},
	{"2a00:1450:4001:0000:0000:0000:0000:0001", "2a00:1450:4001::1", 0},
	{"2001:4860:4860:0:0:0:0:8888", "2001:4860:4860::8888", 0},
	{"2001:4860:4860::8888", "2001:4860:4860::8888", 0},
	{"2606:4700:4700::1111", "2606:4700:4700::1111", 0},
	{"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 0},
	{"2001:0db8::0001", "2001:db8::1", 0},
	{"2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 0},
	{"::1", "::1@0", 0},
	{"::2", "::2", 0},
	{"1::", "1::", 0},
	{"fe80::", "fe80::", 0},
	{"fe80::1", "fe80::1", 0},
	{"ff02::fb", "ff02::fb", 0},
	{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8", 0},
	{"a:b:c:d:e:f:0:1", "a:b:c:d:e:f:0:1", 0},
	{"dead:beef::cafe", "dead:beef::cafe", 0},
	{"::ffff:8.8.8.8", "::ffff:8.8.8.8@0", 0},
	{"::FFFF:8.8.8.8", "::ffff:8.8.8.8", 0},
	{"::ffff:0808:0808", "::ffff:8.8.8.8", 0},
	{"0:0:0:0:0:ffff:8.8.8.8", "::ffff:8.8.8.8", 0},
	{"64:ff9b::8.8.8.8", "64:ff9b::808:808", 0},
	{"::8.8.8.8", "::808:808", 0},
	{"1:2:3:4:5:6:8.8.8.8", "1:2:3:4:5:6:808:808", 0},
	{"[2001:4860::8888]:443", "2001:4860::8888@1", 0},
	{"http://[2a00:1450:4001::1]:80/", "2a00:1450:4001::1@8", 0},
	{"2a00:1450:4001::1.", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001::1,", "2a00:1450:4001::1@0", 0},
	{"addr 2a00:1450:4001::1: blocked", "2a00:1450:4001::1@5", 0},
	{"IPv6:2a00:1450:4001::1", "2a00:1450:4001::1@5", 0},
	{"[IPv6:2a00:1450:4001::1]", "2a00:1450:4001::1@6", 0},
	{"ip6=2a00:1450:4001::1", "2a00:1450:4001::1@4", 0},
	{"src:2a00:1450:4001::1", "2a00:1450:4001::1@4", 0},
	{"\"2a00:1450:4001::1\"", "2a00:1450:4001::1@1", 0},
	{"<ip>2a00:1450:4001::1</ip>", "2a00:1450:4001::1@4", 0},
	{"fe80::1%eth0 8.8.8.8", "8.8.8.8@13", 0},
	{"2a00:1450:4001::1 2606:4700::1111", "2a00:1450:4001::1@0 2606:4700::1111@18", 0},
	{"2a00:1450:4001::1\n::1\n", "2a00:1450:4001::1 ::1", 0},
	{"2a00:1450:4001::1/48", "2a00:1450:4001::/48@0", 0},
	{"2a00:1450::/32", "2a00:1450::/32", 0},
	{"::/0", "", 0},
	{"2a00:1450::/0", "::/0", 0},
	{"2a00:1450::/128", "2a00:1450::/128", 0},
	{"2a00:1450::/129", "2a00:1450::", 0},
	{"2a00:1450::/064", "2a00:1450::", 0},
	{"2a00:1450:4001::1-2a00:1450:4001::ff", "2a00:1450:4001::1-2a00:1450:4001::ff@0", 0},
	{"2a00:1450:4001::1 - 2a00:1450:4001::ff", "2a00:1450:4001::1-2a00:1450:4001::ff", 0},
	{"2a00:1450:4001::ff-2a00:1450:4001::1", "2a00:1450:4001::ff@0 2a00:1450:4001::1@19", 0},
	{"2a00:1450:4001::1-8.8.8.8", "2a00:1450:4001::1@0 8.8.8.8@18", 0},
	{"8.8.8.8-2a00:1450:4001::1", "8.8.8.8@0 2a00:1450:4001::1@8", 0},
	{"::ffff:8.8.8.8/120", "::ffff:8.8.8.0/120", 0},
	{"time 2a00:1450:4001::1 at 12:30:45", "2a00:1450:4001::1", 0},
};

/* ---- defanged --------------------------------------------------------- */
static const struct row defang_rows[] = {
	{"8.8.8[.]8", "8.8.8.8~@0", 0},
	{"8[.]8[.]8[.]8", "8.8.8.8~@0", 0},
	{"8(.)8(.)8(.)8", "8.8.8.8~@0", 0},
	{"8{.}8{.}8{.}8", "8.8.8.8~@0", 0},
	{"8.8.8[dot]8", "8.8.8.8~@0", 0},
	{"8[dot]8[dot]8[dot]8", "8.8.8.8~", 0},
	{"8(dot)8(DOT)8{Dot}8", "8.8.8.8~", 0},
	{"193[.]0[.]6[.]139", "193.0.6.139~", 0},
	{"C2 at 193.0.6[.]139, port 443", "193.0.6.139~@6", 0},
	{"hxxp://8.8.8.8/x", "8.8.8.8~@7", 0},
	{"hxxps://193.0.6.139", "193.0.6.139~@8", 0},
	{"hXXp://8.8.8.8", "8.8.8.8~", 0},
	{"HXXPS://8.8.8.8", "8.8.8.8~", 0},
	{"http[:]//8.8.8.8", "8.8.8.8~@9", 0},
	{"hxxp[://]8.8.8.8", "8.8.8.8~@9", 0},
	{"hxxp://8.8.8[.]8:8080/gate.php", "8.8.8.8~@7", 0},
	{"hxxp://[2a00:1450:4001::1]/", "2a00:1450:4001::1~@8", 0},
	{"http://8.8.8.8", "8.8.8.8@7", 0},
	{"https://8.8.8.8", "8.8.8.8@8", 0},
	{"xhttp://8.8.8.8", "8.8.8.8", 0},
	{"8.8.8[.]0/24", "8.8.8.0/24~", 0},
	{"8.8.8[.]1-8.8.8[.]255", "8.8.8.1-8.8.8.255~@0", 0},
	{"8.8.8.1-8.8.8[.]255", "8.8.8.1-8.8.8.255~", 0},
	{"8.8.8.8[.]", "8.8.8.8", 0},
	{"2a00[:]1450[:]4001[:][:]1", "2a00:1450:4001::1~@0", 0},
	{"2a00[:]1450[:]4001[::]1", "2a00:1450:4001::1~", 0},
	{"2a00:1450:4001[:]:1", "2a00:1450:4001::1~", 0},
	{"2a00:1450:4001::1", "2a00:1450:4001::1", 0},
	{"::ffff:8[.]8[.]8[.]8", "::ffff:8.8.8.8~", 0},
	{"ip: 8[.]8[.]8[.]8, 8.8.4[.]4", "8.8.8.8~@4 8.8.4.4~@19", 0},
	{"(8.8.8[.]8)", "8.8.8.8~@1", 0},
	{"8.8.8[ dot ]8", "", 0},
};

/* ---- prefixes and ranges ---------------------------------------------- */
static const struct row net_rows[] = {
	{"8.8.8.0/24", "8.8.8.0/24@0", 0},
	{"193.0.6.139/24", "193.0.6.0/24@0", 0},
	{"8.8.8.8/32", "8.8.8.8/32", 0},
	{"8.8.8.8/0", "0.0.0.0/0", 0},
	{"10.0.0.0/8", "10.0.0.0/8", 0},
	{"8.8.8.8/33", "8.8.8.8@0", 0},
	{"8.8.8.8/024", "8.8.8.8", 0},
	{"8.8.8.8/", "8.8.8.8", 0},
	{"8.8.8.8/24abc", "8.8.8.8", 0},
	{"8.8.8.8/24.", "8.8.8.0/24", 0},
	{"8.8.8.8/24,", "8.8.8.0/24", 0},
	{"8.8.8.8/24.5", "8.8.8.8", 0},
	{"8.8.8.8/1234", "8.8.8.8", 0},
	{"http://8.8.8.8/index.html", "8.8.8.8", 0},
	{"8.8.8.0/255.255.255.0", "8.8.8.0/24@0", 0},
	{"8.0.0.0/255.0.0.0", "8.0.0.0/8", 0},
	{"8.8.8.8/255.255.255.255", "8.8.8.8/32", 0},
	{"8.8.8.8/255.0.255.0", "8.8.8.8@0 255.0.255.0@8", 0},
	{"8.8.8.0/24-8.8.9.0/24", "8.8.8.0/24", 0},
	{"8.8.8.0/24 8.8.9.0/24", "8.8.8.0/24@0 8.8.9.0/24@11", 0},
	{"8.8.8.1-8.8.8.9", "8.8.8.1-8.8.8.9@0", 0},
	{"8.8.8.1 - 8.8.8.9", "8.8.8.1-8.8.8.9@0", 0},
	{"8.8.8.1\t-\t8.8.8.9", "8.8.8.1-8.8.8.9", 0},
	{"8.8.8.1 \xe2\x80\x93 8.8.8.9", "8.8.8.1-8.8.8.9", 0},
	{"8.8.8.1\xe2\x80\x93" "8.8.8.9", "8.8.8.1-8.8.8.9", 0},
	{"8.8.8.1    -    8.8.8.9", "8.8.8.1-8.8.8.9", 0},
	{"8.8.8.1     -     8.8.8.9", "8.8.8.1@0 8.8.8.9@18", 0},
	{"8.8.8.9-8.8.8.1", "8.8.8.9@0 8.8.8.1@8", 0},
	{"8.8.8.8-8.8.8.8", "8.8.8.8-8.8.8.8", 0},
	{"8.8.8.1-8.8.8", "", 0},
	{"8.8.8.1 -8.8.8", "8.8.8.1", 0},
	{"8.8.8.1-", "8.8.8.1", 0},
	{"8.8.8.1--8.8.8.9", "8.8.8.1@0 8.8.8.9@9", 0},
	{"8.8.8.1-8.8.8.9-8.8.8.20", "", 0},	/* a chain is not a range */
	{"8.8.8.1-8.8.8.9, 9.9.9.9", "8.8.8.1-8.8.8.9@0 9.9.9.9@17", 0},
	{"range 193.0.6.0 - 193.0.6.255.", "193.0.6.0-193.0.6.255@6", 0},
	{"8.8.8.1-8.8.8.9.5", "", 0},
	{"0.0.0.0-255.255.255.255", "0.0.0.0-255.255.255.255", 0},
};

/* ---- the edges of the fast paths (plain IPv4 and IPv6 read straight
 * from the buffer by the anchor loop): what follows or precedes a token
 * that must hand it to the general parser.  test_rows_embedded runs them
 * inside long text, where the fast paths apply. */
static const struct row fast_rows[] = {
	{"8.8.8.8/24", "8.8.8.0/24@0", 0},
	{"8.8.8.8/", "8.8.8.8@0", 0},
	{"8.8.8.8/x", "8.8.8.8@0", 0},
	{"8.8.8.8/33", "8.8.8.8@0", 0},
	{"8.8.8.8/255.255.0.0", "8.8.0.0/16@0", 0},
	{"8.8.8.8 -8.8.8.9", "8.8.8.8-8.8.8.9@0", 0},
	{"8.8.8.8\t-\t8.8.8.9", "8.8.8.8-8.8.8.9@0", 0},
	{"8.8.8.8    -    8.8.8.9", "8.8.8.8-8.8.8.9@0", 0},
	{"8.8.8.8     - 8.8.8.9", "8.8.8.8@0 8.8.8.9@14", 0},
	{"8.8.8.8    x", "8.8.8.8@0", 0},
	{"8.8.8.8 \xe2\x80\x93 8.8.8.9", "8.8.8.8-8.8.8.9@0", 0},
	{"8.8.8.8\xe2\x80\x93" "8.8.8.9", "8.8.8.8-8.8.8.9@0", 0},
	{"8.8.8.8[.]", "8.8.8.8@0", 0},
	{"8.8.8.8[.]x", "", 0},
	{"8.8.8.8[.]1", "", 0},
	{"8.8.8[.]8", "8.8.8.8~@0", 0},
	{"8.8.8.8:25", "8.8.8.8@0", 0},
	{"8.8.8.8%", "8.8.8.8@0", 0},
	{"8.8.8.8.x", "", 0},
	{"8.8.8.8_", "", 0},
	{"x8.8.8.8", "", 0},
	{"_8.8.8.8", "", 0},
	{"08.8.8.8", "", 0},
	{"8.8.8.08", "", 0},
	{"8.8.8.256", "", 0},
	{"255.255.255.2555", "", 0},
	{"1.2.3.4.5", "", 0},
	{"1.2.3", "", 0},
	{"8.8.8.8,8.8.4.4", "8.8.8.8@0 8.8.4.4@8", 0},
	/* a colon run before a dot: no address in it, a quad may follow */
	{"at 10:08:28.617 UTC", "", 0},
	{"date=3E2017-08-20T10:08:28.617=3C/pr", "", 0},
	{"10:08:1.2.3.4", "1.2.3.4@6", 0},
	{"1:2:3:4:5.6.7.8 x", "5.6.7.8@8", 0},
	{"1:2:3:4:5:6.7.8.9 y", "6.7.8.9@10", 0},
	{"T10:08:28.1.2.3 x", "28.1.2.3@7", 0},
	{"x_10:08:8.8.8.8,", "8.8.8.8@8", 0},
	{"ab:cd:12.34.5 x", "", 0},
	{"de:ad:be:ef.1.2.3.4 ", "", 0},
	{"hxxp://8.8.8.8", "8.8.8.8~@7", 0},
	{"[8.8.8.8]:53", "8.8.8.8@1", 0},
	{"[8.8.8.8]", "8.8.8.8@1", 0},
	{"x[8.8.8.8]", "8.8.8.8@2", 0},
	{"1[8.8.8.8]", "8.8.8.8@2", 0},
	{"[[8.8.8.8]]", "8.8.8.8@2", 0},
	{"([8.8.8.8])", "8.8.8.8@2", 0},
	{"/[8.8.8.8]", "8.8.8.8@2", 0},
	{"][8.8.8.8]", "8.8.8.8@2", 0},
	{"[8.8.8.8].x", "8.8.8.8@1", 0},
	{"[8.8.8.8]/24", "8.8.8.8@1", 0},
	{"[08.8.8.8]", "", 0},
	{"http://[8.8.8.8]/", "8.8.8.8@8", 0},
	{"hxxp://[8.8.8.8]/", "8.8.8.8~@8", 0},
	{"hxxp[://][8.8.8.8]", "8.8.8.8~@10", 0},
	{"by mx ([193.0.6.139]) with", "193.0.6.139@8", 0},
	{")8.8.8.8", "8.8.8.8@1", 0},
	{"}8.8.8.8", "8.8.8.8@1", 0},
	{"]8.8.8.8", "8.8.8.8@1", 0},
	{"8.8.8.8(", "8.8.8.8@0", 0},
	{"8.8.8.8{", "8.8.8.8@0", 0},
	{"8.8.8.8~", "8.8.8.8@0", 0},
	{"8.8.8.8+1", "", 0},
	{"8.8.8.8+", "8.8.8.8@0", 0},
	{"1234.8.8.8", "", 0},
	{"8.8.8.8 8.8.8.9 8.8.8.10 8.8.8.11", "8.8.8.8@0 8.8.8.9@8 8.8.8.10@16 8.8.8.11@25", 0},
	{"2a00:1450:4001::2,", "2a00:1450:4001::2@0", 0},
	{"2a00:1450:4001::1/48", "2a00:1450:4001::/48@0", 0},
	{"2a00:1450:4001::1/129", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001::1-2a00:1450:4001::9", "2a00:1450:4001::1-2a00:1450:4001::9@0", 0},
	{"2a00:1450:4001::1 - 2a00:1450:4001::9", "2a00:1450:4001::1-2a00:1450:4001::9@0", 0},
	{"2a00:1450:4001::1    -    2a00:1450:4001::9", "2a00:1450:4001::1-2a00:1450:4001::9@0", 0},
	{"2a00:1450:4001::1%eth0", "", 0},
	{"2a00:1450:4001::1:", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001::1::", "", 0},
	{"2a00:1450:4001::1.", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001::1.x", "", 0},
	{"2a00:1450:4001::8.8.8.8", "2a00:1450:4001::808:808@0", 0},
	{"2a00:1450:4001::1[.]", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001::1[:]1", "2a00:1450:4001::1:1~@0", 0},
	{"2a00:1450:4001::1]", "2a00:1450:4001::1@0", 0},
	{"2a00:1450:4001:81c:0:0:0:200e", "2a00:1450:4001:81c::200e@0", 0},
	{"2a00:1450:4001:81c:0:0:0:200e:1", "", 0},
	{"2a00:1450:4001:81c:0:0:0:200e::", "2a00:1450:4001:81c::200e@0", 0},
	{"2a00:1450:4001:81c::0:0:0:200e", "", 0},
	{"1:12345::1", "", 0},
	{"2a00:12345::1", "", 0},
	{"12345::1", "", 0},
	{"aa:bb:cc:dd:ee:ff:00:11", "", 0},
	{"aa:bb:cc:dd:ee:ff:00:1", "aa:bb:cc:dd:ee:ff:0:1@0", 0},
	{"aa::bb", "", 0},
	{"aaaa:bbbb::cccc", "aaaa:bbbb::cccc@0", 0},
	{"A:B::1", "a:b::1@0", 0},
	{"2A00:1450:4001::C0DE", "2a00:1450:4001::c0de@0", 0},
	{"x2a00::1", "", 0},
	{"_2a00::1", "", 0},
	{"2a00::1_", "", 0},
	{".2a00::1", "2a00::1@1", 0},
	{"-2a00::1", "2a00::1@1", 0},
	{"2a00::1-", "2a00::1@0", 0},
	{":2a00::1", "2a00::1@1", 0},
	{"::2a00:1", "::2a00:1@0", 0},
	{"2a00::1.", "2a00::1@0", 0},
	{"[2a00::1]", "2a00::1@1", 0},
	{"(2a00::1)", "2a00::1@1", 0},
	{"2a00::1 2a00::2", "2a00::1@0 2a00::2@8", 0},
	{"2a00:1450:4001::1,8.8.8.8", "2a00:1450:4001::1@0 8.8.8.8@18", 0},
	{"12:30:45", "", 0},
	{"12:30:45:", "", 0},
	{"1:2:3:4:5:6", "", 0},
	{"1:2:3:4:5:6:7", "", 0},
	{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8@0", 0},
	{"1:2:3:4:5:6:7:8:9", "", 0},
	{"de:ad:be:ef::1", "de:ad:be:ef::1@0", 0},
};

/* ---- forms sorted exports and host lists write ------------------------ */
static const struct row form_rows[] = {
	{"133.1.2.3-5", "133.1.2.3-133.1.2.5@0", 0},
	{"block 133.1.2.3-25 now", "133.1.2.3-133.1.2.25@6", 0},
	{"133.1.2.250-255,", "133.1.2.250-133.1.2.255@0", 0},
	{"133.1.2.5-5", "", 0},	/* "1.0.0.1-1": a revision */
	{"133.1.2.9-5", "", 0},	/* reversed: a Debian revision shape */
	{"133.1.2.3-256", "", 0},
	{"133.1.2.3-5.6", "", 0},
	{"133.1.2.3-5x", "", 0},
	{"010.001.002.003", "10.1.2.3@0", 0},
	{"133.001.002.3", "", 0},	/* padding as versions write it, standing alone */
	{"01.02.03.04\n01.02.03.05\n01.02.03.06\n01.02.03.07\n", "1.2.3.4 1.2.3.5 1.2.3.6 1.2.3.7", 0},
	{"133.001.002.003 ok", "133.1.2.3", 0},
	{"133.001.002.003\n133.001.002.004\n", "133.1.2.3@0 133.1.2.4@16", 0},
	{"0133.1.2.3", "", 0},
	{"host-133.1.2.3\nhost-133.1.2.4\nhost-133.1.2.5\nhost-133.1.2.6\n",
	 "133.1.2.3@5 133.1.2.4@20 133.1.2.5@35 133.1.2.6@50", 0},
	{"ip_133.1.2.3, ip_133.1.2.4, ip_133.1.2.5, ip_133.1.2.6",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"host-133.1.2.3;host-133.1.2.4;host-133.1.2.5;host-133.1.2.6",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"ip_2a00:1450:4001::1\nip_2a00:1450:4001::2\nip_2a00:1450:4001::3\n"
	 "ip_2a00:1450:4001::4", "2a00:1450:4001::1 2a00:1450:4001::2 2a00:1450:4001::3 "
	 "2a00:1450:4001::4", 0},
	{"133.1.2.3-5\n133.1.3.3-9\n133.1.4.1-2\n133.1.5.7-8\n",
	 "133.1.2.3-133.1.2.5 133.1.3.3-133.1.3.9 133.1.4.1-133.1.4.2 133.1.5.7-133.1.5.8", 0},
	{"133.1.2.1\n133.1.2.2\n133.1.2.3\n133.1.2.4\n133.1.2.5\n133.1.2.6\n133.1.2.7\n",
	 "133.1.2.1 133.1.2.2 133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6 133.1.2.7", 0},
	{"x,133.1.2.1,y\nx,133.1.2.2,y\nx,133.1.2.3,y\nx,133.1.2.4,y\nx,4.6.0.1,y\nx,133.1.2.6,y\n",
	 "133.1.2.1 133.1.2.2 133.1.2.3 133.1.2.4 4.6.0.1 133.1.2.6", 0},
	{"133.1.2.1\n133.1.2.2\n133.1.2.3\n133.1.2.4\nversion 4.6.0.1\n133.1.2.5\n",
	 "133.1.2.1 133.1.2.2 133.1.2.3 133.1.2.4 133.1.2.5", 0},
	{"133.1.2.1|133.1.2.2|133.1.2.3|133.1.2.4|pkg-4.6.0.1|133.1.2.5|",
	 "133.1.2.1 133.1.2.2 133.1.2.3 133.1.2.4 4.6.0.1 133.1.2.5", 0},
	/* glued and standing alone: lowered when it starts like a version */
	{"host-13.1.2.3", "", 0},
	{"see ip_13.1.2.3 there", "", 0},
	{"host-133.1.2.3", "133.1.2.3@5", 0},
	{"see ip_133.1.2.3 there", "133.1.2.3@7", 0},
	{"see ip_2a00:1450:4001::1 there", "", 0},
	{"133.1.2.3-133.1.2.9", "133.1.2.3-133.1.2.9", 0},
	{"133.1.2.9-133.1.2.3", "133.1.2.9 133.1.2.3", 0},
};

/* ---- version numbers and OIDs, and lists they cannot hide ------------- */
static const struct row context_rows[] = {
	{"Standards-Version 4.6.0.1", "", 0},
	{"Standards-Version: 4.6.0.1", "", 0},
	{"  * Bump Standards-Version to 4.6.0.1.", "", 0},
	{"  * Bumped policy-version to 3.6.1.0 (No other changes)", "", 0},
	{"Policy 4.6.0.1", "", 0},
	{"Updated package to Policy 3.6.1.1.", "", 0},
	{"debianutils (4.8.6.3)", "", 0},
	{"Depends: debianutils (>= 4.8.6.3), libc6", "", 0},
	{"Bumped mono-devel build-dep to >= 2.4.2.3", "", 0},
	{"upgrade to 2.5.0.0", "", 0},
	{"Upgraded to standards version 2.5.0.0 (no changes).", "", 0},
	{"bnx2x: Utilize firmware 7.13.21.0", "", 0},
	{"Added 2.8.0.3 patch", "", 0},
	{"version=1.2.3.4", "", 0},
	{"X509v3 Subject Alternative Name (2.5.29.17)", "", 0},
	{"(2.5.29.17)", "", 0},
	{"keyUsage extension (object identifier 1.3.5.15)", "", 0},
	{"2.5.29.17: Flags = 0, Length = 1e", "", 0},
	{"2.5.4.3 2.5.8.1", "2.5.8.1", 0},
	{"2.5.29.17, 2.5.29.19, 2.5.29.15, 2.5.29.37", "2.5.29.17 2.5.29.19 2.5.29.15 2.5.29.37", 0},
	{"2.5.29.0/24", "2.5.29.0/24", 0},
	{"id-ce-subjectAltName (2.5.29.17)", "", 0},
	{"attributetype ( 2.5.4.41 NAME 'name'", "", 0},
	{"objectclass ( 2.5.6.6 NAME 'person'", "", 0},
	{"objectidentifier\tid-at-attributeCertificateRevocationList 2.5.4.59", "", 0},
	{"# $OpenLDAP: pkg/schema/core.schema,v 1.12.2.2 2007/08/31 $", "", 0},
	{"pkg-4.8.6.3", "", 0},
	{"name_4.8.6.3", "", 0},
	{"Cisco BPA 3.0.000.115", "", 0},
	{"Fabric Manager <5.13.01.02", "", 0},
	/* no version context: an address */
	{"access forbidden by invalid RDNS of your mail server (203.0.113.2).", "203.0.113.2", 0},
	{"1  gw.zh1.example.net (133.1.2.3)", "133.1.2.3", 0},
	{"IPv6 Loopback IP (::1)", "::1", 0},
	{"please block 133.1.2.3 today", "133.1.2.3@13", 0},
	{"(133.1.2.3)", "133.1.2.3@1", 0},
	{"updates come from 133.1.2.3", "133.1.2.3", 0},
	/* lists whatever words surround them */
	{"Standards-Version 133.1.2.3, 133.1.2.4, 133.1.2.5, 133.1.2.6",
	 "133.1.2.3@18 133.1.2.4@29 133.1.2.5@40 133.1.2.6@51", 0},
	{"upgrade to 133.1.2.3\n133.1.2.4\n133.1.2.5\n133.1.2.6\n",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"Policy 4.6.0.1; Policy 4.6.0.2; 133.1.2.5; 133.1.2.6",
	 "133.1.2.5 133.1.2.6", 0},	/* two in a version context, two left: no list */
	{"version 133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6 release",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"pkg-4.8.6.3\npkg-4.8.6.4\npkg-4.8.6.5\npkg-4.8.6.6\n",
	 "4.8.6.3 4.8.6.4 4.8.6.5 4.8.6.6", 0},
	{"\"version\",\"ip\"\n\"1\",\"133.1.2.3\"\n\"2\",\"133.1.2.4\"\n\"3\",\"133.1.2.5\"\n"
	 "\"4\",\"133.1.2.6\"\n", "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"| release | 2.5.0.0 |\n| release | 2.5.0.1 |\n| release | 2.5.0.2 |\n"
	 "| release | 2.5.0.3 |\n", "2.5.0.0 2.5.0.1 2.5.0.2 2.5.0.3", 0},
	/* a column: each line begins with the same words */
	{"version 133.1.2.3\nversion 133.1.2.4\nversion 133.1.2.5\nversion 133.1.2.6\n",
	 "133.1.2.3@8 133.1.2.4@26 133.1.2.5@44 133.1.2.6@62", 0},
	{"v 133.1.2.3 (old)\r\nv 133.1.2.4 (old)\r\nv 133.1.2.5 (old)\r\nv 133.1.2.6 (old)",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"Hosts: host-133.1.2.3, host-133.1.2.4, host-133.1.2.5, host-133.1.2.6.",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"version 4.6.0.1\nversion 4.6.0.2\nversion 4.6.0.3\n", "", 0},
	{"version 4.6.0.1\n\nversion 4.6.0.2\n\nversion 4.6.0.3\n\nversion 4.6.0.4\n", "", 0},
	{"objectidentifier\ta 2.5.6.24\nobjectidentifier\tb 2.5.6.25\nobjectidentifier\tc 2.5.6.26\n"
	 "objectidentifier\td 2.5.6.27\n", "", 0},
	{"  * Bump to 4.6.0.1\n  * Bump to 4.6.0.2\n  * Policy 4.6.0.3\n  * Bump to 4.6.0.4\n", "", 0},
	/* three are not a list: the one in a version context drops */
	{"version 4.6.0.1, 133.1.2.4, 133.1.2.5", "133.1.2.4 133.1.2.5", 0},
	{"133.1.2.3\nrelease 4.6.0.1\n133.1.2.5", "133.1.2.3 133.1.2.5", 0},
	/* versions start small: no version word or changelog lowers an
	 * address whose first number no version has, so words cannot hide
	 * a list in any layout (a word per line, prose) */
	{"version 133.1.2.3", "133.1.2.3", 0},
	{"version 30.1.2.3", "30.1.2.3", 0},
	{"version 29.1.2.3", "", 0},
	{"version 133.1.2.3\nrelease 133.1.2.4\nupdate 133.1.2.5\npatch 133.1.2.6\n",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"upgrade to 133.1.2.3 and version 133.1.2.4 and v 133.1.2.5 and rel 133.1.2.6",
	 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	{"133.1.2.3 patch", "133.1.2.3", 0},
	{"firmware 203.0.113.7 (>= 198.51.100.1)", "203.0.113.7 198.51.100.1", 0},
};

/* ---- escaped line breaks in JSON strings and iCalendar values --------- */
static const struct row escape_rows[] = {
	{"{\"note\":\"hosts:\\n133.1.2.3\\n133.1.2.4\"}", "133.1.2.3@17 133.1.2.4@28", 0},
	{"DESCRIPTION:Block\\n133.1.2.3\\,133.1.2.4\\Nend", "133.1.2.3@19 133.1.2.4@30", 0},
	{"\\N133.1.2.3\\r\\n133.1.2.4\\t133.1.2.5", "133.1.2.3 133.1.2.4 133.1.2.5", 0},
	{"\\n2a00:1450:4001::1\\nfe80::1", "2a00:1450:4001::1@2 fe80::1@21", 0},
	{"\\\\n133.1.2.3", "", 0},	/* an escaped backslash, then the word "n133" */
	{"\\x133.1.2.3", "", 0},
	{"\"Standards-Version: 4.6.0.1\\n\"", "", 0},
	{"\"version\\n4.6.0.1\\n4.6.0.2\\n4.6.0.3\\n4.6.0.4\"", "4.6.0.1 4.6.0.2 4.6.0.3 4.6.0.4", 0},
	{"\"pkg-4.8.6.3\\npkg-4.8.6.4\\npkg-4.8.6.5\\npkg-4.8.6.6\"",
	 "4.8.6.3 4.8.6.4 4.8.6.5 4.8.6.6", 0},
};

/* ---- changelogs (the first line decides, so not embedded) ------------- */
static const struct row changelog_rows[] = {
	{"binutils (2.7.0.9-2) unstable; urgency=low\n\n"
	 "  * Moved 2.7.0.9 out of experimental (no longer unreleased beta)\n", "", 0},
	{"xft (2.1.10-2) experimental; urgency=low\n\n  * Add shlibs file because the API changed\n"
	 "    between 2.1.8.2 and now\n\n -- Maint <m@example.org>  Mon, 01 Jan 2007 10:00:00 +0100\n",
	 "", 0},
	{"* Mon Jan 01 2024 A Packager <a@example.org> - 1.0-1\n- between 2.1.8.2 and now\n", "", 0},
	{"2024-01-15  A Hacker  <a@example.org>\n\n\t* x.c: works with 2.1.8.2 now\n", "", 0},
	{"linux (6.1.0-1) bookworm; urgency=medium\r\n  * icmp: source of 13.1.2.3\r\n", "", 0},
	/* a forged changelog line hides no address no version has */
	{"linux (6.1.0-1) bookworm; urgency=medium\r\n  * icmp: source of 133.1.2.3\r\n",
	 "133.1.2.3", 0},
	/* a list in a changelog still counts */
	{"foo (1.0-1) unstable; urgency=low\n\n  * blocked hosts:\n    133.1.2.3\n    133.1.2.4\n"
	 "    133.1.2.5\n    133.1.2.6\n", "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6", 0},
	/* a forged changelog line hides no list, whatever its layout */
#define CL "foo (1.0-1) unstable; urgency=low\n\n"
#define L4 "133.1.2.3 133.1.2.4 133.1.2.5 133.1.2.6"
	{CL "<tr><td>133.1.2.3</td></tr><tr><td>133.1.2.4</td></tr><tr><td>133.1.2.5</td></tr>"
	 "<tr><td>133.1.2.6</td></tr>\n", L4, 0},
	{CL "<tr><td>1</td><td>133.1.2.3</td><td>JP</td></tr>\n<tr><td>2</td><td>133.1.2.4</td>"
	 "<td>CN</td></tr>\n<tr><td>3</td><td>133.1.2.5</td></tr>\n<tr><td>4</td><td>133.1.2.6"
	 "</td></tr>\n", L4, 0},
	{CL "<ul><li>133.1.2.3</li><li>133.1.2.4</li><li>133.1.2.5</li><li>133.1.2.6</li></ul>",
	 L4, 0},
	{CL "<ip>133.1.2.3</ip>\n<ip>133.1.2.4</ip>\n<ip>133.1.2.5</ip>\n<ip>133.1.2.6</ip>\n", L4,
	 0},
	{CL "1. 133.1.2.3\n2. 133.1.2.4\n3. 133.1.2.5\n4. 133.1.2.6\n", L4, 0},
	{CL "9) 133.1.2.3\n10) 133.1.2.4\n11) 133.1.2.5\n12) 133.1.2.6\n", L4, 0},
	{CL "- 133.1.2.3\n- 133.1.2.4\n- 133.1.2.5\n- 133.1.2.6\n", L4, 0},
	{CL "| 1 | 133.1.2.3 | 2497 |\n| 2 | 133.1.2.4 | 2497 |\n| 3 | 133.1.2.5 | 2497 |\n"
	 "| 4 | 133.1.2.6 | 2497 |\n", L4, 0},
	{CL "133.1.2.3\t80\n133.1.2.4\t80\n133.1.2.5\t80\n133.1.2.6\t80\n", L4, 0},
	{CL "\"133.1.2.3\",\"133.1.2.4\",\"133.1.2.5\",\"133.1.2.6\"\n", L4, 0},
	{CL "IP: 133.1.2.3\nIP: 133.1.2.4\nIP: 133.1.2.5\nIP: 133.1.2.6\n", L4, 0},
	{CL "IP: 133.1.2.3\nIP:  133.1.2.4\nIP: 133.1.2.5\nIP:   133.1.2.6\n", L4, 0},
	{CL "9:59 drop 133.1.2.3\n10:00 drop  133.1.2.4\n10:01 drop 133.1.2.5\n"
	 "10:02 drop 133.1.2.6\n", L4, 0},
	{CL "133.1.2.3:443\n133.1.2.4:8443\n133.1.2.5:22\n133.1.2.6:443\n", L4, 0},
	{CL "133.1.2.3:443, 133.1.2.4:443, 133.1.2.5:443, 133.1.2.6:443\n", L4, 0},
	{CL "[{\"ip\":\"133.1.2.3\",\"asn\":1},{\"ip\":\"133.1.2.4\",\"asn\":1},"
	 "{\"ip\":\"133.1.2.5\"},{\"ip\":\"133.1.2.6\"}]\n", L4, 0},
	{CL "133.1.2.3      AS2497   JP\n133.1.2.4      AS2497   JP\n133.1.2.5      AS2497   JP\n"
	 "133.1.2.6      AS2497   JP\n", L4, 0},
	{CL "2024-01-01 10:00 drop 133.1.2.3 port 22\n2024-01-01 10:01 drop 133.1.2.4 port 22\n"
	 "2024-01-01 10:02 drop 133.1.2.5 port 22\n2024-01-01 10:03 drop 133.1.2.6 port 22\n", L4, 0},
	{CL "We saw 133.1.2.3 scanning. Also 133.1.2.4 and 133.1.2.5. Then 133.1.2.6 too.\n", L4, 0},
	{CL "src=133.1.2.3 dst=10.0.0.1\nsrc=133.1.2.4 dst=10.0.0.1\n",
	 "133.1.2.3 133.1.2.4", 0},	/* 10.0.0.1 could be a version there */
	{CL "Host: a\nIP: 133.1.2.3\nHost: b\nIP: 133.1.2.4\n", "133.1.2.3 133.1.2.4", 0},
	/* a version number still drops there, also numbered or in a cell */
	{CL "  1. 2.5.0.0\n", "", 0},
	{CL "<td>2.5.0.0</td>\n", "", 0},
#undef CL
#undef L4
	/* not a changelog: the same line is an address */
	{"hello\n  * Moved 133.1.2.3 out of the way\n", "133.1.2.3@16", 0},
	{"foo (1.0-1) unstable\n  * Moved 133.1.2.3 out\n", "133.1.2.3", 0},
};

/* A list of 25 addresses written with version words around it, in prose,
 * in a comma list and one per line: every one counts, the version numbers
 * do not. */
static void test_list_in_version_words(void **state)
{
	char text[4096];
	size_t n = 0;
	struct collect c;
	(void)state;

	n += (size_t)snprintf(text + n, sizeof text - n,
			      "Upgrade to release 4.6.0.1 (Standards-Version 4.6.0.1) done.\n"
			      "Policy 4.6.0.1 applies to hosts ");
	for (int k = 1; k <= 12; k++)
		n += (size_t)snprintf(text + n, sizeof text - n, "%s133.1.2.%d", k > 1 ? ", " : "",
				      k);
	n += (size_t)snprintf(text + n, sizeof text - n, " (version 2.5.0.0).\nversion\n");
	for (int k = 13; k <= 25; k++)
		n += (size_t)snprintf(text + n, sizeof text - n, "  - 133.1.2.%d\n", k);
	n += (size_t)snprintf(text + n, sizeof text - n, "upgrade to 2.5.0.0 please\n");
	assert_true(n < sizeof text);
	scan_once(text, n, false, &c);
	assert_int_eq_msg("addresses found", c.count, 25);
	assert_null(strstr(c.buf, "4.6.0.1"));
	assert_null(strstr(c.buf, "2.5.0.0"));
	for (int k = 1; k <= 25; k++) {
		char want[32];
		snprintf(want, sizeof want, "133.1.2.%d", k);
		assert_non_null(strstr(c.buf, want));
	}
	/* the same in 1-byte chunks */
	struct ipscan *s = ipscan_alloc(collect_cb, &c);
	assert_non_null(s);
	collect_init(&c, false);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(ipscan_update(s, text + k, 1), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_int_eq_msg("addresses found in 1-byte chunks", c.count, 25);
	ipscan_free(s);
}

static void test_v4(void **state)
{
	(void)state;
	check_rows(v4_rows, ARRAY_LEN(v4_rows));
}

static void test_traps(void **state)
{
	(void)state;
	check_rows(trap_rows, ARRAY_LEN(trap_rows));
}

static void test_forms(void **state)
{
	(void)state;
	check_rows(form_rows, ARRAY_LEN(form_rows));
}

static void test_context(void **state)
{
	(void)state;
	check_rows(context_rows, ARRAY_LEN(context_rows));
}

static void test_escapes(void **state)
{
	(void)state;
	check_rows(escape_rows, ARRAY_LEN(escape_rows));
}

static void test_changelog(void **state)
{
	(void)state;
	check_rows(changelog_rows, ARRAY_LEN(changelog_rows));
}

static void test_v6(void **state)
{
	(void)state;
	check_rows(v6_rows, ARRAY_LEN(v6_rows));
}

static void test_defanged(void **state)
{
	(void)state;
	check_rows(defang_rows, ARRAY_LEN(defang_rows));
}

static void test_nets(void **state)
{
	(void)state;
	check_rows(net_rows, ARRAY_LEN(net_rows));
}

static void test_fast_edges(void **state)
{
	(void)state;
	check_rows(fast_rows, ARRAY_LEN(fast_rows));
}

/* ---- the same rows inside long text ----------------------------------- */

/* buf (total bytes, a row of len bytes at offset at) cut in two at every
 * position in and around the row; the first piece sits in its own buffer
 * followed in memory by poison bytes (digits: a token would go on;
 * commas: it would end), which a read past the end of the chunk would
 * see.  Every cut must give want. */
static void check_cuts(struct ipscan *s, struct collect *c, const char *buf, size_t total,
		       size_t at, size_t len, char poison, const char *in, const char *want)
{
	char name[160];

	for (size_t cut = at - 1; cut <= at + len + 1; cut++) {
		char *head = malloc(cut + 80);
		assert_non_null(head);
		memcpy(head, buf, cut);
		memset(head + cut, poison, 80);
		collect_init(c, true);
		c->bias = at;
		assert_int_equal(ipscan_update(s, head, cut), 0);
		assert_int_equal(ipscan_update(s, buf + cut, total - cut), 0);
		assert_int_equal(ipscan_finish(s), 0);
		free(head);
		snprintf(name, sizeof name, "\"%.70s\" at %zu, cut at %zu, then '%c'", in, at, cut,
			 poison);
		assert_str_eq_msg(name, c->buf, want);
	}
}

/* Row r embedded at every offset 1..72 of a long run of filler, with
 * filler after it: the block loop and its fast paths see the row, at
 * every position relative to a 64-byte block, and must find what the row
 * alone gives (offsets shifted).  At a few offsets the text is also cut
 * in two at every position in and around the row, so that a token the
 * fast paths would take touches the end of a chunk. */
static void check_row_embedded(const struct row *r, char filler)
{
	size_t len = r->len ? r->len : strlen(r->in), total = 72 + len + 90;
	char *buf = malloc(total);
	struct collect want, c;
	char name[160];
	struct ipscan *s = ipscan_alloc(collect_cb, &c);

	assert_non_null(buf);
	assert_non_null(s);
	scan_once(r->in, len, true, &want);
	for (size_t at = 1; at <= 72; at++) {
		memset(buf, filler, total);
		memcpy(buf + at, r->in, len);
		collect_init(&c, true);
		c.bias = at;
		assert_int_equal(ipscan_buffer(buf, total, collect_cb, &c), 0);
		snprintf(name, sizeof name, "\"%.70s\" at %zu in 0x%02x", r->in, at,
			 (unsigned)filler);
		assert_str_eq_msg(name, c.buf, want.buf);
		/* the row ending where the first block ends (the block loop
		 * stops 65 bytes before a chunk's end), or across blocks */
		size_t edge = len < 66 ? 66 - len : 1, edge2 = len < 70 ? 70 - len : 1;
		if (filler != ' ' || (at != 1 && at != 40 && at != 64 && at != edge && at != edge2))
			continue;
		for (const char *poison = "9,"; *poison != '\0'; poison++)
			check_cuts(s, &c, buf, total, at, len, *poison, r->in, want.buf);
	}
	ipscan_free(s);
	free(buf);
}

static void test_rows_embedded(void **state)
{
	static const struct {
		const struct row *rows;
		size_t n;
	} tables[] = {
		{v4_rows, ARRAY_LEN(v4_rows)}, {trap_rows, ARRAY_LEN(trap_rows)},
		{v6_rows, ARRAY_LEN(v6_rows)}, {defang_rows, ARRAY_LEN(defang_rows)},
		{net_rows, ARRAY_LEN(net_rows)}, {fast_rows, ARRAY_LEN(fast_rows)},
		{form_rows, ARRAY_LEN(form_rows)}, {context_rows, ARRAY_LEN(context_rows)},
		{escape_rows, ARRAY_LEN(escape_rows)},
	};
	/* through each block loop this processor has, and none */
	static const enum ipscan_path paths[] = {IPSCAN_PATH_AVX512, IPSCAN_PATH_AVX2,
						 IPSCAN_PATH_SSE2, IPSCAN_PATH_BYTES};
	int tried = 0;
	(void)state;
	for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
		if (!ipscan_scan_path(paths[p]))
			continue;
		tried++;
		for (size_t t = 0; t < ARRAY_LEN(tables); t++)
			for (size_t k = 0; k < tables[t].n; k++) {
				check_row_embedded(&tables[t].rows[k], ' ');
				check_row_embedded(&tables[t].rows[k], '\n');
			}
	}
	assert_true(ipscan_scan_path(IPSCAN_PATH_BEST));
	assert_true(tried >= 1);
}

/* A tiny deterministic generator (xorshift), so failures reproduce. */
static uint32_t rng_next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/* Random strings over an address-heavy alphabet: every chunking agrees. */
static void test_random_chunking(void **state)
{
	static const char alpha[] = "0123456789....::::[](){}-/ abcdefx%dot\n";
	uint32_t seed = 12345;
	char buf[320];
	(void)state;
	for (int round = 0; round < 300; round++) {
		size_t len = rng_next(&seed) % sizeof buf;
		for (size_t k = 0; k < len; k++)
			buf[k] = alpha[rng_next(&seed) % (sizeof alpha - 1)];
		struct collect w, c;
		scan_once(buf, len, true, &w);
		struct ipscan *s = ipscan_alloc(collect_cb, &c);
		assert_non_null(s);
		for (size_t k = 0; k <= len; k += 1 + round % 3) {
			size_t cuts[3] = {k, k + 1 + rng_next(&seed) % 40, k + 50};
			collect_init(&c, true);
			scan_cut(s, buf, len, cuts, 3, &c);
			if (strcmp(c.buf, w.buf) != 0)
				fail_msg("round %d split %zu: got \"%s\", want \"%s\" (input \"%.*s\")",
					 round, k, c.buf, w.buf, (int)len, buf);
		}
		collect_init(&c, true);
		for (size_t k = 0; k < len; k++)
			ipscan_update(s, buf + k, 1);
		ipscan_finish(s);
		if (strcmp(c.buf, w.buf) != 0)
			fail_msg("round %d 1-byte: got \"%s\", want \"%s\"", round, c.buf, w.buf);
		ipscan_free(s);
	}
}

/* Binary garbage with NUL bytes: no crash, chunking agrees. */
static void test_binary(void **state)
{
	uint32_t seed = 777;
	size_t len = 1 << 16;
	char *buf = malloc(len);
	struct collect w, c;
	(void)state;
	assert_non_null(buf);
	for (size_t k = 0; k < len; k++)
		buf[k] = (char)(rng_next(&seed) & 0xff);
	memcpy(buf + 1000, "\x00" "8.8.8.8\x00", 9);
	scan_once(buf, len, true, &w);
	assert_non_null(strstr(w.buf, "8.8.8.8@1001"));
	struct ipscan *s = ipscan_alloc(collect_cb, &c);
	size_t sizes[] = {1, 3, 16, 63, 64, 65, 100, 333, 4096, 65536};
	for (size_t z = 0; z < ARRAY_LEN(sizes); z++) {
		collect_init(&c, true);
		for (size_t at = 0; at < len; at += sizes[z])
			ipscan_update(s, buf + at, len - at < sizes[z] ? len - at : sizes[z]);
		ipscan_finish(s);
		char row[64];
		snprintf(row, sizeof row, "binary in %zu-byte chunks", sizes[z]);
		assert_str_eq_msg(row, c.buf, w.buf);
	}
	ipscan_free(s);
	free(buf);
}

/* Long text of mail-like pieces (addresses, versions, times, IPv6,
 * defanged and bracketed forms, prose, UTF-8), made from seed. */
static size_t mixed_text(char *buf, size_t cap, uint32_t seed)
{
	static const char *const piece[] = {
		"Received: from mx.example.net ([193.0.6.139]) by", " 10.1.2.3 ", "version 4.6.0.1\n",
		"12:30:45 ", "2001:db8:4::1, ", "fe80::1%eth0 ", "193[.]0[.]6[.]139 ", "5.7.1 ",
		"The end. ", "EUR 12.50 ", "a:b:c:d:e:f ", "hxxp://198.51.100.7/x ", "\n",
		"1.2.3.4-1.2.3.9 ", "caf\xc3\xa9 \xe3\x80\x82 ", "(2.5.29.17)", "\t8.8.8.8,",
		"::ffff:1.2.3.4 ", "1.3.6.1.4.1.311 ", "x{.}y ", "203.0.113.0/24\n",
	};
	size_t len = 0;

	while (len + 64 < cap) {
		const char *t = piece[rng_next(&seed) % ARRAY_LEN(piece)];
		size_t n = strlen(t);
		memcpy(buf + len, t, n);
		len += n;
		if (rng_next(&seed) % 4 == 0)
			buf[len++] = "0123456789.:[({ -"[rng_next(&seed) % 17];
	}
	return len;
}

/* Every block loop, and none, finds the same in the same long text,
 * wherever it sits relative to a 64-byte line (the AVX-512 loop reads a
 * grid of aligned blocks and starts it at the first one in reach), in one
 * piece and in odd chunks. */
static void test_paths_agree(void **state)
{
	static const enum ipscan_path paths[] = {IPSCAN_PATH_AVX512, IPSCAN_PATH_AVX2,
						 IPSCAN_PATH_BYTES};
	size_t cap = 7 << 10;	/* what the collector holds of its matches */
	char *mem = aligned_alloc(64, cap + 128), *text = malloc(cap);
	struct collect *want = malloc(sizeof *want), *got = malloc(sizeof *got);
	(void)state;
	assert_non_null(mem);
	assert_non_null(text);
	assert_non_null(want);
	assert_non_null(got);
	for (uint32_t seed = 1; seed <= 6; seed++) {
		size_t len = mixed_text(text, cap, seed * 7919);
		for (size_t shift = 0; shift < 64; shift++) {
			char *buf = mem + shift, name[96];
			memcpy(buf, text, len);
			assert_true(ipscan_scan_path(IPSCAN_PATH_SSE2));
			scan_once(buf, len, true, want);
			assert_true(want->count > 100 && want->len + 200 < sizeof want->buf);
			for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
				if (!ipscan_scan_path(paths[p]))
					continue;
				scan_once(buf, len, true, got);
				snprintf(name, sizeof name, "path %d, seed %u, shift %zu",
					 (int)paths[p], (unsigned)seed, shift);
				assert_str_eq_msg(name, got->buf, want->buf);
				assert_int_eq_msg(name, got->count, want->count);
				struct ipscan *s = ipscan_alloc(collect_cb, got);
				assert_non_null(s);
				collect_init(got, true);
				for (size_t at = 0; at < len; at += 1021 + shift)
					ipscan_update(s, buf + at, len - at < 1021 + shift ? len - at
											  : 1021 + shift);
				assert_int_equal(ipscan_finish(s), 0);
				ipscan_free(s);
				assert_str_eq_msg(name, got->buf, want->buf);
			}
		}
	}
	assert_true(ipscan_scan_path(IPSCAN_PATH_BEST));
	free(mem);
	free(text);
	free(want);
	free(got);
}

/* A long text with addresses at known places: every one found, at its offset. */
static void test_long_input(void **state)
{
	static const char *filler = "Lorem ipsum dolor sit amet, version 1.2.3.4-1 at 12:30:45. ";
	size_t flen = strlen(filler), len = 0, cap = 4 << 20;
	char *buf = malloc(cap);
	uint64_t want_off[64];
	int nwant = 0;
	(void)state;
	assert_non_null(buf);
	while (len + flen + 32 < cap) {
		memcpy(buf + len, filler, flen);
		len += flen;
		if (nwant < 64 && len % 65536 < flen) {
			want_off[nwant++] = len;
			memcpy(buf + len, "193.0.6.139 ", 12);
			len += 12;
		}
	}
	struct collect c;
	collect_init(&c, true);
	assert_int_equal(ipscan_buffer(buf, len, collect_cb, &c), 0);
	assert_int_eq_msg("long input count", c.count, nwant);
	char *p = c.buf;
	for (int k = 0; k < nwant; k++) {
		char tok[64];
		snprintf(tok, sizeof tok, "193.0.6.139@%llu", (unsigned long long)want_off[k]);
		p = strstr(p, tok);
		if (p == NULL)
			fail_msg("long input: %s not found in order", tok);
	}
	/* the same in odd chunks */
	struct collect d;
	collect_init(&d, true);
	struct ipscan *s = ipscan_alloc(collect_cb, &d);
	for (size_t at = 0; at < len; at += 4093)
		assert_int_equal(ipscan_update(s, buf + at, len - at < 4093 ? len - at : 4093), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_str_eq_msg("long input chunked", d.buf, c.buf);
	ipscan_free(s);
	free(buf);
}

/* A long token is refused the same way in one piece and in chunks. */
static void test_overlong_tokens(void **state)
{
	char buf[2048];
	size_t len = 0;
	(void)state;
	for (int k = 0; k < 300; k++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%d.", k % 10);
	len += (size_t)snprintf(buf + len, sizeof buf - len, " 8.8.8.8 ");
	for (int k = 0; k < 200 && len + 8 < sizeof buf; k++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "ab:");
	struct row r = {buf, "8.8.8.8", len};
	buf[len] = '\0';
	check_row(&r);
}

/* The callback's stop value ends the stream until finish. */
static void test_stop(void **state)
{
	const char *text = "8.8.8.8 8.8.4.4 1.1.1.1 9.9.9.9";
	struct collect c;
	(void)state;
	collect_init(&c, false);
	c.stop_at = 2;
	assert_int_equal(ipscan_buffer(text, strlen(text), collect_cb, &c), 7);
	assert_str_eq_msg("stop one-shot", c.buf, "8.8.8.8 8.8.4.4");

	struct ipscan *s = ipscan_alloc(collect_cb, &c);
	assert_non_null(s);
	collect_init(&c, false);
	c.stop_at = 2;
	assert_int_equal(ipscan_update(s, text, 10), 0);
	assert_int_equal(ipscan_update(s, text + 10, strlen(text) - 10), 7);
	assert_int_equal(ipscan_update(s, "1.2.3.4 ", 8), 7);
	assert_int_equal(ipscan_finish(s), 7);
	assert_str_eq_msg("stop streamed", c.buf, "8.8.8.8 8.8.4.4");
	/* finish reset it: a new stream, offsets from 0 */
	collect_init(&c, true);
	assert_int_equal(ipscan_update(s, " 8.8.8.8", 8), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_str_eq_msg("after reset", c.buf, "8.8.8.8@1");
	/* a stop found only at finish */
	collect_init(&c, false);
	c.stop_at = 1;
	assert_int_equal(ipscan_update(s, "8.8.8.8", 7), 0);
	assert_int_equal(ipscan_finish(s), 7);
	ipscan_free(s);
}

static void test_api_edges(void **state)
{
	struct collect c;
	(void)state;
	assert_null(ipscan_alloc(NULL, NULL));
	struct ipscan *s = ipscan_alloc(collect_cb, &c);
	assert_non_null(s);
	collect_init(&c, true);
	assert_int_equal(ipscan_update(s, "", 0), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_int_equal(c.count, 0);
	/* two streams in a row, second offsets restart */
	assert_int_equal(ipscan_update(s, "x 8.8.8.8", 9), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_int_equal(ipscan_update(s, "8.8.4.4", 7), 0);
	assert_int_equal(ipscan_finish(s), 0);
	assert_str_eq_msg("two streams", c.buf, "8.8.8.8@2 8.8.4.4@0");
	ipscan_free(s);
	ipscan_free(NULL);
	assert_int_equal(ipscan_buffer("", 0, collect_cb, &c), 0);
}

/* A block loop is forced exactly when the processor has its set: the
 * AVX-512 one permutes bytes, so it needs VBMI too. */
static void test_path_sets(void **state)
{
	(void)state;
	assert_int_equal(ipscan_scan_path(IPSCAN_PATH_AVX512), cpupath_have(CPUPATH_AVX512VBMI));
	assert_int_equal(ipscan_scan_path(IPSCAN_PATH_AVX2), cpupath_have(CPUPATH_AVX2));
	assert_true(ipscan_scan_path(IPSCAN_PATH_SSE2));
	assert_true(ipscan_scan_path(IPSCAN_PATH_BYTES));
	assert_true(ipscan_scan_path(IPSCAN_PATH_BEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_traps),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_changelog),
		cmocka_unit_test(test_list_in_version_words),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_defanged),
		cmocka_unit_test(test_nets),
		cmocka_unit_test(test_fast_edges),
		cmocka_unit_test(test_rows_embedded),
		cmocka_unit_test(test_random_chunking),
		cmocka_unit_test(test_paths_agree),
		cmocka_unit_test(test_path_sets),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_overlong_tokens),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_api_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
