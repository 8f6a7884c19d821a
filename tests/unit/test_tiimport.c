/*
 * test_tiimport.c - the Trusted Introducer import: the fixture
 * tests/tiimport/teams.json (written for this test: real field names,
 * invented or public contact data) is converted, a jurist's scaffolding
 * (version, a regime, a basis) is put in front, and the result must load
 * with the registry parser with zero errors, every party having NO basis.
 * Also: every warning, id slugs, range-to-CIDR splitting, the accepted
 * shapes of the file, and YAML injection through directory text.
 */
#include "testutil.h"

#include "grondslag/decide/registry.h"
#include "grondslag/decide/tiimport.h"

#define FIXTURE "tests/tiimport/teams.json"

static const char scaffolding[] =
	"version: 1\n"
	"regimes:\n"
	"  - {id: wbni, name: \"Wbni\", valid_from: 2018-11-09}\n"
	"bases:\n"
	"  - id: added-by-jurist\n"
	"    regime: wbni\n"
	"    article: \"Wbni art. 20(2)\"\n"
	"    permits: [provider-traceable]\n"
	"    tlp_max: AMBER\n"
	"    approved_by: \"test\"\n";

struct conv {
	char *out, *warn;
	size_t outlen, warnlen;
	int rc;
};

static void convert(const char *data, size_t len, struct conv *c)
{
	FILE *o = open_memstream(&c->out, &c->outlen);
	FILE *w = open_memstream(&c->warn, &c->warnlen);
	assert_non_null(o);
	assert_non_null(w);
	c->rc = tiimport_run(data, len, "teams.json", o, w);
	fclose(o);
	fclose(w);
}

static void conv_free(struct conv *c)
{
	free(c->out);
	free(c->warn);
}

/* Scaffolding + import output through the registry parser; NULL with
 * every error printed when it does not load. */
static struct registry *load_with_scaffolding(const char *yaml)
{
	size_t n = strlen(scaffolding) + strlen(yaml) + 1;
	char *doc = malloc(n);
	assert_non_null(doc);
	snprintf(doc, n, "%s%s", scaffolding, yaml);
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("imported.yaml", doc, strlen(doc), &e);
	for (size_t i = 0; i < registry_errors_count(e); i++)
		fprintf(stderr, "  %s\n", registry_errors_get(e, i));
	if (r == NULL)
		fprintf(stderr, "--- the document ---\n%s\n", doc);
	registry_errors_free(e);
	free(doc);
	return r;
}

static char *read_fixture(size_t *len)
{
	FILE *fp = fopen(FIXTURE, "rb");
	if (fp == NULL)
		fail_msg("missing fixture %s (run from the source root)", FIXTURE);
	static char buf[1 << 16];
	*len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	assert_true(*len > 0 && *len < sizeof buf);
	return buf;
}

/* Does the party list exactly these strings? */
static void assert_strs(const char *what, const char *const *got, size_t ngot,
			const char *const *want, size_t nwant)
{
	if (ngot != nwant)
		fail_msg("%s: got %zu entries, want %zu", what, ngot, nwant);
	for (size_t i = 0; i < nwant; i++)
		assert_str_eq_msg(what, got[i], want[i]);
}

static void assert_prefixes(const char *what, const struct registry_party *p,
			    const char *const *want, size_t nwant)
{
	if (p->nprefixes != nwant)
		fail_msg("%s: got %zu prefixes, want %zu", what, p->nprefixes, nwant);
	for (size_t i = 0; i < nwant; i++) {
		char buf[IP_PREFIX_TEXT_MAX];
		assert_str_eq_msg(what, ip_prefix_format(&p->prefixes[i], buf, sizeof buf), want[i]);
	}
}

static void test_fixture_loads(void **state)
{
	(void)state;
	size_t len;
	const char *data = read_fixture(&len);
	struct conv c;
	convert(data, len, &c);
	assert_int_eq_msg("parties written", c.rc, 6);
	struct registry *r = load_with_scaffolding(c.out);
	if (r == NULL)
		fail_msg("imported parties: got registry errors, want none");
	assert_int_eq_msg("party count", registry_party_count(r), 6);
	/* Imports never create a basis: the only basis is the jurist's. */
	assert_int_eq_msg("basis count", registry_basis_count(r), 1);
	for (size_t i = 0; i < registry_party_count(r); i++) {
		const struct registry_party *p = registry_party(r, i);
		assert_int_eq_msg(p->id, p->nbases, 0);
		assert_int_eq_msg(p->id, p->type, PARTY_OTHER);
		assert_str_eq_msg(p->id, p->source, "trusted-introducer");
		if (p->ntransfers != 1 || p->transfers[0].mechanism != TRANSFER_NONE)
			fail_msg("%s: got %zu transfers, want one 'none'", p->id, p->ntransfers);
		if (p->nexternal_ids != 1 ||
		    strcmp(p->external_ids[0].scheme, "trusted-introducer") != 0 ||
		    strcmp(p->external_ids[0].value, p->name) != 0)
			fail_msg("%s: want external id trusted-introducer = name", p->id);
	}

	const struct registry_party *p = registry_party_by_id(r, "cert-at");
	assert_non_null(p);
	assert_str_eq_msg("cert-at name", p->name, "CERT.at");
	assert_str_eq_msg("cert-at jurisdiction", p->jurisdiction, "AT");
	static const char *const cert_dom[] = {"cert.at"}, *const cert_addr[] = {"team@cert.at"},
				 *const cert_pgp[] = {"0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7"};
	assert_strs("cert-at domains", p->domains, p->ndomains, cert_dom, 1);
	assert_strs("cert-at addresses", p->addresses, p->naddresses, cert_addr, 1);
	assert_strs("cert-at pgp", p->pgp, p->npgp, cert_pgp, 1);
	/* Constituency domains "*.at" are NOT contact domains. */
	assert_int_eq_msg("cert-at countries", p->ncountries, 1);
	assert_str_eq_msg("cert-at country", p->countries[0], "AT");

	p = registry_party_by_id(r, "aconet-cert");
	assert_non_null(p);
	static const char *const aco_addr[] = {"cert@aco.net", "abuse@aco.net"},
				 *const aco_pgp[] = {"2A78AD3249202E1D240EAA71354DB7B6C8AFD18A"},
				 *const aco_px[] = {"193.170.0.0/15", "131.130.0.0/16",
						    "193.171.255.0/24", "193.172.0.0/24",
						    "78.41.115.5/32", "2001:628::/32"};
	assert_strs("aconet addresses", p->addresses, p->naddresses, aco_addr, 2);
	assert_strs("aconet pgp", p->pgp, p->npgp, aco_pgp, 1);
	assert_prefixes("aconet prefixes", p, aco_px, ARRAY_LEN(aco_px));
	assert_int_eq_msg("aconet asns", p->nasns, 3);
	assert_int_eq_msg("aconet asn 0", p->asns[0], 679);
	assert_int_eq_msg("aconet asn 2", p->asns[2], 1853);
	assert_int_eq_msg("aconet countries (deduplicated)", p->ncountries, 1);

	/* A colliding slug gets a suffix; a domain of an earlier team is not
	 * repeated, but the address is kept. */
	p = registry_party_by_id(r, "cert-at-2");
	assert_non_null(p);
	static const char *const c2_dom[] = {"second-team.example"};
	assert_strs("cert-at-2 domains", p->domains, p->ndomains, c2_dom, 1);
	assert_int_eq_msg("cert-at-2 addresses", p->naddresses, 2);

	/* A public mail provider never becomes a domain. */
	p = registry_party_by_id(r, "freemail-csirt");
	assert_non_null(p);
	assert_int_eq_msg("freemail domains", p->ndomains, 0);
	assert_int_eq_msg("freemail asns", p->nasns, 1);

	/* Quotes, backslash survive; the range was split into CIDRs. */
	p = registry_party_by_id(r, "jpcert-cc-quoted-back");
	assert_non_null(p);
	assert_str_eq_msg("jpcert name", p->name, "JPCERT/CC \"quoted\" \\ back");
	assert_int_eq_msg("jpcert range split", p->nprefixes, 8);

	/* Resolution works on imported data. */
	struct registry_resolution res;
	registry_resolve(r, "Soc@Second-Team.Example", &res);
	if (res.party == NULL || strcmp(res.party->id, "cert-at-2") != 0)
		fail_msg("resolve: got %s, want cert-at-2", res.party ? res.party->id : "none");
	registry_resolve(r, "incident@cert.at", &res);
	if (res.party == NULL || strcmp(res.party->id, "cert-at-2") != 0 ||
	    res.match != MATCH_ADDRESS)
		fail_msg("exact address: got %s, want cert-at-2 by address",
			 res.party ? res.party->id : "none");
	registry_resolve(r, "someone@gmail.com", &res);
	assert_null(res.party);
	registry_unref(r);
	conv_free(&c);
}

static void test_fixture_warnings(void **state)
{
	(void)state;
	static const char *const want[] = {
		"team 'ACOnet-CERT': emails[2]: not a valid address, dropped",
		"team 'ACOnet-CERT': pgp_keys[1]: not a 40-hex-digit fingerprint, dropped",
		"team 'ACOnet-CERT': pgp_keys[2]: not a 40-hex-digit fingerprint, dropped",
		"team 'ACOnet-CERT': constituency.countries[2]: not a country code, dropped",
		"team 'ACOnet-CERT': constituency.asns[3]: not an AS number, dropped",
		"team 'ACOnet-CERT': constituency.asns[4]: not an AS number, dropped",
		"team 'ACOnet-CERT': constituency.ipranges[1]: host bits set, using 131.130.0.0/16",
		"team 'ACOnet-CERT': constituency.ipranges[5]: not a prefix, address or range",
		"team 'ACOnet-CERT': constituency.ipranges[6]: not a prefix, address or range",
		"team 'Cert AT': domain cert.at already belongs to an earlier team: address only",
		"team 'Freemail CSIRT': gmail.com is a public mail provider: address only",
		"team 'No Mail Team': no usable e-mail address, skipped",
		"team 'No Country Team': no valid country for the jurisdiction, skipped",
		"team 'Dup Address': address team@cert.at already belongs to an earlier team",
		"team '#8': no short_name, skipped",
		"team '#9': no short_name, skipped",
		"teams.json: 6 parties written, 4 teams skipped; no bases",
	};
	size_t len;
	const char *data = read_fixture(&len);
	struct conv c;
	convert(data, len, &c);
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		if (strstr(c.warn, want[i]) == NULL)
			fail_msg("warnings: got\n%s\nwant a line with \"%s\"", c.warn, want[i]);
	/* The output states the rule, and has no other "bases:" than []. */
	if (strstr(c.out, "IMPORTS NEVER CREATE A BASIS") == NULL)
		fail_msg("output: want the no-basis comment");
	for (const char *s = c.out; (s = strstr(s, "bases:")) != NULL; s++)
		if (strncmp(s, "bases: []", 9) != 0)
			fail_msg("output: got \"%.20s\", want only \"bases: []\"", s);
	conv_free(&c);
}

struct slug_row {
	const char *in, *want;
};

static void test_slug(void **state)
{
	(void)state;
	static const struct slug_row rows[] = {
		{"CERT.at", "cert-at"},
		{"JPCERT/CC", "jpcert-cc"},
		{"ACN IBE CSIRT", "acn-ibe-csirt"},
		{"  --Z-CERT--  ", "z-cert"},
		{"CERT-EU", "cert-eu"},
		{"M\xc3\xbcller CERT", "m-ller-cert"},
		{"\xe6\x97\xa5\xe6\x9c\xac", "team"},
		{"", "team"},
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij",
		 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char out[TIIMPORT_ID_MAX + 1];
		tiimport_slug(rows[i].in, out);
		assert_str_eq_msg(rows[i].in, out, rows[i].want);
	}
}

struct range_row {
	const char *first, *last;
	int want_n;		/* -1: refused */
	const char *want;	/* prefixes joined by " " */
};

static void test_ranges(void **state)
{
	(void)state;
	static const struct range_row rows[] = {
		{"193.0.0.0", "193.0.255.255", 1, "193.0.0.0/16"},
		{"193.0.0.1", "193.0.0.6", 4, "193.0.0.1/32 193.0.0.2/31 193.0.0.4/31 193.0.0.6/32"},
		{"8.8.8.8", "8.8.8.8", 1, "8.8.8.8/32"},
		{"0.0.0.0", "255.255.255.255", 1, "0.0.0.0/0"},
		{"255.255.255.254", "255.255.255.255", 1, "255.255.255.254/31"},
		{"193.171.255.0", "193.172.0.255", 2, "193.171.255.0/24 193.172.0.0/24"},
		{"2a00:1450::", "2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff", 1, "2a00:1450::/32"},
		{"::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::/0"},
		{"::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 254, NULL},
		{"193.0.0.2", "193.0.0.1", -1, NULL},
		{"193.0.0.1", "2a00::1", -1, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct ip_addr a, b;
		struct ip_prefix px[300];
		assert_true(ip_addr_parse(rows[i].first, &a) && ip_addr_parse(rows[i].last, &b));
		int n = tiimport_range_cidrs(&a, &b, px, ARRAY_LEN(px));
		assert_int_eq_msg(rows[i].first, n, rows[i].want_n);
		if (rows[i].want == NULL)
			continue;
		char got[512] = "", buf[IP_PREFIX_TEXT_MAX];
		for (int k = 0; k < n; k++) {
			if (k > 0)
				strcat(got, " ");
			strcat(got, ip_prefix_format(&px[k], buf, sizeof buf));
		}
		assert_str_eq_msg(rows[i].first, got, rows[i].want);
	}
	/* A bound that is too small refuses rather than truncates. */
	struct ip_addr a, b;
	struct ip_prefix px[2];
	assert_true(ip_addr_parse("193.0.0.1", &a) && ip_addr_parse("193.0.0.6", &b));
	assert_int_eq_msg("max", tiimport_range_cidrs(&a, &b, px, 2), -1);
}

struct shape_row {
	const char *name;
	const char *json;
	int want_rc;
	const char *want_warn;	/* substring */
};

static void test_shapes(void **state)
{
	(void)state;
	static const struct shape_row rows[] = {
		{"object with teams",
		 "{\"version\":2,\"teams\":[{\"short_name\":\"X\",\"country\":\"BE\","
		 "\"emails\":[{\"address\":\"x@x-team.example\"}]}]}", 1, "1 parties written"},
		{"plain address strings", "[{\"short_name\":\"Y\",\"country\":\"BE\","
		 "\"emails\":[\"y@y-team.example\"],\"pgp_keys\":"
		 "[\"0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7\"]}]", 1, "1 parties written"},
		{"empty array", "[]", 0, "0 parties written"},
		{"object without teams", "{\"data\":[]}", -1, "want an array of teams"},
		{"string", "\"teams\"", -1, "want an array of teams"},
		{"broken JSON", "[\n{\"short_name\": }]", -1, "teams.json:2:16: unexpected character"},
		{"bad UTF-8", "[{\"short_name\":\"\xff\"}]", -1, "invalid UTF-8"},
		{"NUL in name", "[{\"short_name\":\"a\\u0000b\",\"country\":\"BE\","
		 "\"emails\":[\"n@n.example\"]}]", 0, "no short_name, skipped"},
		{"wrong types everywhere", "[{\"short_name\":\"W\",\"country\":[\"BE\"],"
		 "\"emails\":{}}, {\"short_name\":\"V\",\"country\":\"NL\",\"emails\":[1,null,{}],"
		 "\"constituency\":{\"asns\":{},\"ipranges\":[1],\"countries\":[true]}}]", 0,
		 "no usable e-mail address"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct conv c;
		convert(rows[i].json, strlen(rows[i].json), &c);
		assert_int_eq_msg(rows[i].name, c.rc, rows[i].want_rc);
		if (strstr(c.warn, rows[i].want_warn) == NULL)
			fail_msg("%s: got warnings \"%s\", want \"%s\"", rows[i].name, c.warn,
				 rows[i].want_warn);
		if (c.rc >= 0) {
			struct registry *r = load_with_scaffolding(c.out);
			if (r == NULL)
				fail_msg("%s: got registry errors, want none", rows[i].name);
			assert_int_eq_msg(rows[i].name, registry_party_count(r), c.rc);
			registry_unref(r);
		}
		conv_free(&c);
	}
}

/* Directory text must never become YAML structure. */
static void test_injection(void **state)
{
	(void)state;
	static const char json[] =
		"[{\"short_name\":\"Evil\\n    bases: [added-by-jurist]\\n#\","
		"\"official_name\":\"x\\n    bases: [added-by-jurist]\\u2028bases: [x]\\u0085y\","
		"\"country\":\"BE\",\"emails\":[\"evil@evil-team.example\"],"
		"\"constituency\":{\"types\":[\"a\\nbases: [added-by-jurist]\"],"
		"\"domains\":[\"\\u2029bases: [added-by-jurist]\"]}}]";
	struct conv c;
	convert(json, strlen(json), &c);
	assert_int_eq_msg("rc", c.rc, 1);
	struct registry *r = load_with_scaffolding(c.out);
	if (r == NULL)
		fail_msg("injection: got registry errors, want none");
	const struct registry_party *p = registry_party(r, 0);
	assert_int_eq_msg("no basis smuggled in", p->nbases, 0);
	/* Line breaks become spaces: the registry refuses control characters. */
	assert_str_eq_msg("name flattened", p->name, "Evil     bases: [added-by-jurist] #");
	registry_unref(r);
	conv_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_loads),
		cmocka_unit_test(test_fixture_warnings),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
