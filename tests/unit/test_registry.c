/*
 * test_registry.c - the registry file: the sample loads cleanly; every
 * error kind in tests/registry/bad-*.yaml is reported with its exact
 * "file:line: message" text, all of them, never only the first; limits
 * (depth, aliases, error count, garbage); lookups (exact address over
 * domain over wildcard, most specific wildcard, traps); dates (ISO 8601
 * parsing, half-open windows, regime intersection, EEA membership of GB
 * around 2020-02-01); reference counting.
 *
 * Fixtures are read relative to the repository root (make test runs
 * there); a missing fixture fails.
 */
#include "testutil.h"

#include "grondslag/decide/registry.h"

#define SAMPLE "conf/registry.sample.yaml"
#define FIX "tests/registry/"

static int32_t day(const char *s)
{
	int32_t d;
	if (!date_parse(s, &d))
		fail_msg("bad test date %s", s);
	return d;
}

/* Load a file and fail with every error message when it does not load. */
static struct registry *load_ok(const char *file)
{
	struct registry_errors *e = NULL;
	struct registry *r = registry_load(file, &e);
	if (r == NULL) {
		for (size_t i = 0; i < registry_errors_count(e); i++)
			print_message("%s\n", registry_errors_get(e, i));
		registry_errors_free(e);
		fail_msg("%s: got errors, want a clean load", file);
	}
	assert_int_eq_msg(file, registry_errors_count(e), 0);
	registry_errors_free(e);
	return r;
}

/* ---- dates ---------------------------------------------------------------- */

static void test_dates(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int32_t want;	/* INT32_MIN: refused */
	} rows[] = {
		{"1970-01-01", 0},	 {"1970-01-02", 1},	  {"1969-12-31", -1},
		{"2000-02-29", 11016},	 {"2018-11-09", 17844},	  {"2020-02-01", 18293},
		{"2026-08-15", 20680},	 {"0001-01-01", -719162}, {"9999-12-31", 2932896},
		{"1900-02-29", INT32_MIN}, {"2023-02-29", INT32_MIN}, {"2018-11-31", INT32_MIN},
		{"2018-13-01", INT32_MIN}, {"2018-00-10", INT32_MIN}, {"0000-01-01", INT32_MIN},
		{"2018-1-09", INT32_MIN}, {"2018-11-09T00:00", INT32_MIN}, {"2018/11/09", INT32_MIN},
		{" 2018-11-09", INT32_MIN}, {"", INT32_MIN},	  {"20181109", INT32_MIN},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		int32_t got = INT32_MIN;
		bool ok = date_parse(rows[i].text, &got);
		if (rows[i].want == INT32_MIN) {
			if (ok)
				fail_msg("%s: got %d, want refused", rows[i].text, got);
			continue;
		}
		if (!ok)
			fail_msg("%s: got refused, want %d", rows[i].text, rows[i].want);
		assert_int_eq_msg(rows[i].text, got, rows[i].want);
		char buf[DATE_TEXT_MAX];
		assert_str_eq_msg(rows[i].text, date_format(got, buf, sizeof buf), rows[i].text);
	}
	char buf[DATE_TEXT_MAX];
	assert_str_eq_msg("open", date_format(DATE_MAX, buf, sizeof buf), "-");
	assert_int_eq_msg("epoch", date_from_time(0), 0);
	assert_int_eq_msg("last second of day 0", date_from_time(86399), 0);
	assert_int_eq_msg("before epoch", date_from_time(-1), -1);
	assert_int_eq_msg("ymd", date_from_ymd(2026, 8, 15), day("2026-08-15"));

	/* half-open: from is in, until is out */
	struct date_range r = {day("2020-01-01"), day("2022-01-01")};
	assert_false(date_range_contains(&r, day("2019-12-31")));
	assert_true(date_range_contains(&r, day("2020-01-01")));
	assert_true(date_range_contains(&r, day("2021-12-31")));
	assert_false(date_range_contains(&r, day("2022-01-01")));
	struct date_range open = {DATE_MIN, DATE_MAX};
	struct date_range x = date_range_intersect(&r, &open);
	assert_int_equal(x.from, r.from);
	assert_int_equal(x.until, r.until);
}

/* ---- the sample ---------------------------------------------------------------- */

static void test_sample_loads(void **state)
{
	(void)state;
	struct registry *r = load_ok(SAMPLE);
	assert_int_eq_msg("parties", registry_party_count(r), 11);
	assert_int_eq_msg("regimes", registry_regime_count(r), 2);
	assert_int_eq_msg("own domains", registry_own_domain_count(r), 1);
	/* the regime switch is one date, data not code */
	const struct registry_regime *wbni = registry_regime(r, 0), *cbw = registry_regime(r, 1);
	assert_str_eq_msg("regime 0", wbni->id, "wbni");
	assert_int_eq_msg("switch", wbni->valid.until, cbw->valid.from);
	/* the COATHANGER lesson: third-country CSIRTs have no basis */
	static const char *const third[] = {"ncsc-uk", "cisa", "jpcert", "cccs"};
	for (size_t i = 0; i < ARRAY_LEN(third); i++) {
		const struct registry_party *p = registry_party_by_id(r, third[i]);
		if (p == NULL)
			fail_msg("%s: got no party, want one", third[i]);
		assert_int_eq_msg(third[i], p->nbases, 0);
		assert_int_eq_msg(third[i], p->type, PARTY_THIRD_COUNTRY_CSIRT);
	}
	const struct registry_party *be = registry_party_by_id(r, "cert-be");
	assert_non_null(be);
	assert_str_eq_msg("be jurisdiction", be->jurisdiction, "BE");
	assert_int_eq_msg("be bases", be->nbases, 2);

	/* lookups on both sides of the switch */
	struct registry_lookup l;
	registry_lookup(r, "cert@cert.be", day("2024-03-01"), &l);
	assert_int_eq_msg("lookup match", l.r.match, MATCH_ADDRESS);
	assert_int_eq_msg("valid before", l.nvalid, 1);
	assert_str_eq_msg("basis before", l.valid[0]->id, "wbni-20-2-eu-csirt");
	assert_true(l.in_eea);
	registry_lookup(r, "cert@cert.be", day("2026-08-15"), &l);
	assert_int_eq_msg("valid after", l.nvalid, 1);
	assert_str_eq_msg("basis after", l.valid[0]->id, "cbw-eu-csirt");
	registry_lookup(r, "info@jpcert.or.jp", day("2024-03-01"), &l);
	assert_str_eq_msg("jp party", l.r.party->id, "jpcert");
	assert_int_eq_msg("jp bases", l.nvalid, 0);
	assert_false(l.in_eea);
	assert_non_null(l.transfer);
	assert_int_eq_msg("jp transfer", l.transfer->mechanism, TRANSFER_ADEQUACY);
	registry_lookup(r, "Soc@NCSC.nl", day("2024-03-01"), &l);
	assert_true(l.r.own_domain);
	registry_lookup(r, "x@cisa.dhs.gov", day("2024-03-01"), &l);
	assert_str_eq_msg("cisa third domain", l.r.party->id, "cisa");
	registry_unref(r);
}

static void test_eea_dates(void **state)
{
	(void)state;
	struct registry *r = load_ok(SAMPLE);
	static const struct {
		const char *cc, *date;
		bool want;
	} rows[] = {
		{"GB", "2020-01-31", true},  {"GB", "2020-02-01", false}, {"GB", "2024-03-01", false},
		{"GB", "1993-12-31", false}, {"GB", "1994-01-01", true},  {"BE", "2024-03-01", true},
		{"HR", "2013-06-30", false}, {"HR", "2013-07-01", true},  {"JP", "2024-03-01", false},
		{"US", "2024-03-01", false}, {"NO", "2024-03-01", true},  {"EU", "2024-03-01", true},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[32];
		snprintf(name, sizeof name, "%s on %s", rows[i].cc, rows[i].date);
		assert_int_eq_msg(name, registry_in_eea(r, rows[i].cc, day(rows[i].date)),
				  rows[i].want);
	}
	/* the UK's transfer entries change with the dates too */
	const struct registry_party *uk = registry_party_by_id(r, "ncsc-uk");
	assert_int_eq_msg("uk 2020-01-31", registry_transfer_on(uk, day("2020-01-31"))->mechanism,
			  TRANSFER_EEA);
	assert_null(registry_transfer_on(uk, day("2020-02-01")));
	assert_null(registry_transfer_on(uk, day("2021-06-27")));
	assert_int_eq_msg("uk 2021-06-28", registry_transfer_on(uk, day("2021-06-28"))->mechanism,
			  TRANSFER_ADEQUACY);
	registry_unref(r);
}

/* ---- error fixtures ----------------------------------------------------------- */

struct err_row {
	const char *file;
	const char *want[24];
};

static const struct err_row err_rows[] = {
	{"bad-unknown-key.yaml",
	 {":2: registry: unknown key 'colour'",
	  ":4: regime 'wbni': unknown key 'valid_unti'",
	  ":10: party 'p': unknown key 'domain'"}},
	{"bad-missing-key.yaml",
	 {":3: regime 'wbni': missing required key 'name'",
	  ":5: basis 'b': missing required key 'article'",
	  ":5: basis 'b': missing required key 'approved_by'",
	  ":10: party 'p': missing required key 'name'",
	  ":10: party 'p': missing required key 'jurisdiction'"}},
	{"bad-date.yaml",
	 {":3: regime 'wbni': valid_from: bad date '2018-11-31' (want YYYY-MM-DD)",
	  ":4: regime 'cbw': valid_from: bad date '2026-8-15' (want YYYY-MM-DD)",
	  ":5: regime 'old': valid_until: bad date 'tomorrow' (want YYYY-MM-DD)",
	  ":12: party 'p': last_verified: bad date '2023-02-29' (want YYYY-MM-DD)"}},
	{"bad-range.yaml",
	 {":3: eea #1: valid_until 2020-02-01 is not after valid_from 2020-02-01",
	  ":5: regime 'wbni': valid_until 2018-11-08 is not after valid_from 2018-11-09",
	  ":8: basis 'b': its dates do not overlap regime 'cbw'",
	  ":21: party 'p': transfer: valid_until 2021-01-01 is not after valid_from 2021-06-28"}},
	{"bad-references.yaml",
	 {":6: basis 'b': regime: unknown regime 'nis9'",
	  ":8: basis 'b': permits: unknown category 'gossip' (want provider-traceable, incident, "
	  "personal-data, credentials or unscannable)",
	  ":9: basis 'b': tlp_max: bad TLP level 'PURPLE' (want CLEAR, GREEN, AMBER, AMBER+STRICT "
	  "or RED)",
	  ":14: party 'p': type: unknown party type 'alien-csirt'",
	  ":17: party 'p': transfer: mechanism: unknown mechanism 'teleport' (want eea, adequacy, "
	  "art46, art49 or none)",
	  ":18: party 'p': bases: unknown basis 'missing-basis'",
	  ":18: party 'p': bases: 'b' listed twice"}},
	{"bad-permits.yaml",
	 {":8: basis 'b': permits: unknown category 'credential' (want provider-traceable, "
	  "incident, personal-data, credentials or unscannable)",
	  ":8: basis 'b': permits: unknown category 'passwords' (want provider-traceable, "
	  "incident, personal-data, credentials or unscannable)"}},
	{"bad-twice.yaml",
	 {":2: own_domains: 'ncsc.nl' listed twice",
	  ":5: regime 'wbni': duplicate id (first at line 4)",
	  ":17: party 'evil': domains: 'cert.be' is already listed for party 'cert-be' (line 7)",
	  ":17: party 'evil': domains: '*.cert.be' is already listed for party 'cert-be' (line 7)",
	  ":18: party 'evil': addresses: 'cert@cert.be' is already listed for party 'cert-be' "
	  "(line 7)",
	  ":19: party 'cert-be': duplicate id (first at line 7)",
	  ":23: party 'cert-be': domains: 'other.example' listed twice"}},
	{"bad-values.yaml",
	 {":3: eea #1: country: bad country code 'gb' (want ISO 3166 alpha-2, upper case)",
	  ":12: basis 'b': constituency_match: bad boolean 'maybe' (want true or false)",
	  ":18: party 'p': jurisdiction: bad country code 'BEL' (want ISO 3166 alpha-2, upper case)",
	  ":19: party 'p': domains: bad domain 'bad..domain'",
	  ":19: party 'p': domains: bad domain '*.be'",
	  ":19: party 'p': domains: bad domain '-x.example'",
	  ":20: party 'p': addresses: bad address 'nobody'",
	  ":20: party 'p': addresses: bad address 'a b@p.example'",
	  ":21: party 'p': pgp: bad fingerprint 'ABCD' (want 40 hex digits)",
	  ":21: party 'p': pgp: bad fingerprint '0123456789ABCDEF0123456789ABCDEF0123456G' (want 40 "
	  "hex digits)",
	  ":22: party 'p': constituency: countries: bad country code 'be' (want ISO 3166 alpha-2, "
	  "upper case)",
	  ":22: party 'p': constituency: asns: bad AS number 'AS0'",
	  ":22: party 'p': constituency: asns: bad AS number 'x1'",
	  ":22: party 'p': constituency: prefixes: bad prefix '1.2.3.4/33' (want address/length, "
	  "host bits zero)",
	  ":22: party 'p': constituency: prefixes: bad prefix '10.0.0.1/8' (want address/length, "
	  "host bits zero)",
	  ":22: party 'p': constituency: domains: bad domain 'com'",
	  ":22: party 'p': constituency: domains: '*.corp.example' is not a domain suffix (want a "
	  "name of two to 8 labels, no wildcard: it places every name under it; a country-code "
	  "domain belongs in countries)",
	  ":22: party 'p': constituency: domains: bad domain 'bad..d'",
	  ":22: party 'p': constituency: domains: 'a.b.c.d.e.f.g.h.example' is not a domain suffix "
	  "(want a name of two to 8 labels, no wildcard: it places every name under it; a "
	  "country-code domain belongs in countries)",
	  ":22: party 'p': constituency: domains: 'corp.example' listed twice",
	  ":23: party 'bad id!': bad id 'bad id!' (want a letter or digit, then letters, digits, "
	  "'.', '_' or '-', at most 64)"}},
	{"bad-types.yaml",
	 {":2: own_domains: want a sequence, got a scalar",
	  ":4: regimes: want a sequence, got a mapping",
	  ":8: party 'p': name: want a scalar, got a sequence",
	  ":11: party 'p': domains: want a sequence, got a scalar",
	  ":12: party 'p': constituency: want a mapping, got a sequence",
	  ":13: party #2: want a mapping, got a scalar"}},
	{"bad-version.yaml", {":1: registry: version: unsupported version '2' (want 1)"}},
	{"bad-syntax.yaml",
	 {":4: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping "
	  "at line 3)"}},
	{"bad-alias.yaml", {":4: YAML aliases are not allowed in a registry"}},
	{"bad-not-mapping.yaml", {":1: registry: want a mapping, got a sequence"}},
};

static void test_error_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(err_rows); i++) {
		const struct err_row *row = &err_rows[i];
		char file[256];
		snprintf(file, sizeof file, FIX "%s", row->file);
		struct registry_errors *e = NULL;
		struct registry *r = registry_load(file, &e);
		if (r != NULL)
			fail_msg("%s: got a registry, want errors", file);
		size_t want = 0;
		while (want < ARRAY_LEN(row->want) && row->want[want] != NULL)
			want++;
		size_t got = registry_errors_count(e);
		for (size_t j = 0; j < got || j < want; j++) {
			char expect[512];
			if (j < want)
				snprintf(expect, sizeof expect, "%s%s", file, row->want[j]);
			assert_str_eq_msg(file, j < got ? registry_errors_get(e, j) : "(missing)",
					  j < want ? expect : "(none)");
		}
		registry_errors_free(e);
	}
}

static void test_good_fixture_and_missing_file(void **state)
{
	(void)state;
	struct registry *r = load_ok(FIX "good-minimal.yaml");
	assert_int_eq_msg("parties", registry_party_count(r), 1);
	registry_unref(r);
	struct registry_errors *e = NULL;
	assert_null(registry_load(FIX "no-such-file.yaml", &e));
	assert_int_eq_msg("errors", registry_errors_count(e), 1);
	assert_str_eq_msg("missing", registry_errors_get(e, 0),
			  FIX "no-such-file.yaml: cannot open: No such file or directory");
	registry_errors_free(e);
	/* errors may be ignored */
	assert_null(registry_load(FIX "bad-version.yaml", NULL));
}

/* "credentials" is a category of its own, permitted only where named. */
static void test_permits_credentials(void **state)
{
	(void)state;
	struct registry *r = load_ok(FIX "good-credentials.yaml");
	static const struct {
		const char *basis;
		unsigned want;
	} rows[] = {
		{"creds", CAT_CREDENTIALS},
		{"every", CAT_PROVIDER_TRACEABLE | CAT_INCIDENT | CAT_PERSONAL_DATA | CAT_CREDENTIALS |
				  CAT_UNSCANNABLE},
		{"older", CAT_PROVIDER_TRACEABLE | CAT_INCIDENT | CAT_PERSONAL_DATA | CAT_UNSCANNABLE},
	};
	const struct registry_party *p = registry_party_by_id(r, "p");
	assert_non_null(p);
	assert_int_eq_msg("bases", p->nbases, ARRAY_LEN(rows));
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct registry_basis *b = p->bases[i];
		assert_str_eq_msg("basis", b->id, rows[i].basis);
		assert_int_eq_msg(rows[i].basis, b->permits, rows[i].want);
	}
	registry_unref(r);
	/* the shipped sample: EU CSIRTs may receive credentials, and the
	 * one basis permitting unscannable content permits every category */
	r = load_ok(SAMPLE);
	const struct registry_party *be = registry_party_by_id(r, "cert-be");
	assert_non_null(be);
	for (size_t i = 0; i < be->nbases; i++)
		if (!(be->bases[i]->permits & CAT_CREDENTIALS))
			fail_msg("cert-be basis %s: got no credentials, want them", be->bases[i]->id);
	size_t every = 0;
	for (size_t i = 0; i < registry_basis_count(r); i++) {
		const struct registry_basis *b = registry_basis(r, i);
		if (!(b->permits & CAT_UNSCANNABLE))
			continue;
		every++;
		if ((b->permits & CAT_CREDENTIALS) == 0)
			fail_msg("%s: permits unscannable without credentials", b->id);
	}
	if (every == 0)
		fail_msg("sample: got no basis permitting unscannable content, want one");
	registry_unref(r);
}

/* ---- limits --------------------------------------------------------------------- */

static void expect_one(const char *name, const char *yaml, size_t len, const char *want)
{
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("mem", yaml, len, &e);
	if (r != NULL)
		fail_msg("%s: got a registry, want errors", name);
	if (registry_errors_count(e) < 1)
		fail_msg("%s: got no error, want \"%s\"", name, want);
	assert_str_eq_msg(name, registry_errors_get(e, 0), want);
	registry_errors_free(e);
}

static void test_limits(void **state)
{
	(void)state;
	char deep[400];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof deep, "version: 1\nx: ");
	for (int i = 0; i < 100; i++)
		deep[n++] = '[';
	for (int i = 0; i < 100; i++)
		deep[n++] = ']';
	expect_one("depth", deep, n, "mem:2: nesting deeper than 16 levels");
	expect_one("empty", "", 0, "mem:1: empty registry");
	expect_one("comment only", "# nothing\n", 10, "mem:1: empty registry");
	expect_one("two documents", "version: 1\n---\nversion: 1\n", 25,
		   "mem:2: more than one YAML document");
	expect_one("NUL in value", "version: \"1\\0\"\n", 15, "mem:1: NUL character in a value");
	static const char ctl[] = "version: 1\nregimes:\n  - {id: w, name: \"a\\tb\", "
				  "valid_from: 2018-11-09}\nparties: []\n";
	expect_one("control character", ctl, sizeof ctl - 1,
		   "mem:3: regime 'w': name: control character in value");
	static const char garbage[] = "\x01\xff\xfe{[:}\x00\x80 - : - ]]";
	struct registry_errors *e = NULL;
	assert_null(registry_load_buffer("mem", garbage, sizeof garbage - 1, &e));
	assert_true(registry_errors_count(e) >= 1);
	registry_errors_free(e);
}

/* 1,500 bad parties: the list stops at REGISTRY_MAX_ERRORS with a note. */
static void test_error_cap(void **state)
{
	(void)state;
	size_t cap = 1500 * 128 + 256, n = 0;
	char *y = malloc(cap);
	assert_non_null(y);
	n += (size_t)snprintf(y, cap, "version: 1\nregimes: []\nparties:\n");
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(y + n, cap - n, "  - {id: p%d, name: P, type: x, "
						      "jurisdiction: BE, domains: [p%d.be]}\n", i, i);
	struct registry_errors *e = NULL;
	assert_null(registry_load_buffer("cap", y, n, &e));
	assert_int_eq_msg("count", registry_errors_count(e), REGISTRY_MAX_ERRORS);
	assert_str_eq_msg("first", registry_errors_get(e, 0),
			  "cap:4: party 'p0': type: unknown party type 'x'");
	const char *last = registry_errors_get(e, REGISTRY_MAX_ERRORS - 1);
	if (strstr(last, "too many errors, 501 more not shown") == NULL)
		fail_msg("got \"%s\", want the too-many note", last);
	registry_errors_free(e);
	free(y);
}

/* ---- lookups -------------------------------------------------------------------- */

static const char lookup_yaml[] =
	"version: 1\n"
	"own_domains: [ncsc.nl, \"*.ncsc.nl\"]\n"
	"regimes: [{id: w, name: W, valid_from: 2018-11-09}]\n"
	"parties:\n"
	"  - {id: be, name: BE, type: eu-csirt, jurisdiction: BE,\n"
	"     domains: [cert.be, \"*.cert.be\"]}\n"
	"  - {id: be-person, name: Person, type: other, jurisdiction: BE,\n"
	"     addresses: [Boss@Cert.Be]}\n"
	"  - {id: wild, name: Wild, type: other, jurisdiction: NL, domains: [\"*.example.org\"]}\n"
	"  - {id: wild2, name: Wild2, type: other, jurisdiction: NL,\n"
	"     domains: [\"*.sub.example.org\"]}\n"
	"  - {id: exact-sub, name: ExactSub, type: other, jurisdiction: NL,\n"
	"     domains: [deep.sub.example.org]}\n"
	"  - {id: mueller, name: Mueller, type: other, jurisdiction: DE,\n"
	"     domains: [\"m\xc3\xbcller.de\"]}\n";

/* A registry without an eea table (or with an empty one) is said: every
 * party would count as outside the EEA; one with a table is not. */
static void test_eea_warning(void **state)
{
	(void)state;
	static const struct {
		const char *name, *eea;
		bool warn;
	} rows[] = {
		{"no eea table", "", true},
		{"empty eea table", "eea: []\n", true},
		{"eea table", "eea: [{country: BE, valid_from: 1958-01-01}]\n", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char yaml[2048], msg[512] = "";
		snprintf(yaml, sizeof yaml, "%s%s", rows[i].eea, lookup_yaml);
		struct registry_errors *e = NULL;
		struct registry *r = registry_load_buffer("eea.yaml", yaml, strlen(yaml), &e);
		if (r == NULL)
			fail_msg("%s: %s", rows[i].name, registry_errors_get(e, 0));
		registry_errors_free(e);
		bool got = registry_eea_warning(r, "eea.yaml", msg, sizeof msg);
		assert_int_eq_msg(rows[i].name, got, rows[i].warn);
		if (got && strstr(msg, "eea.yaml: no eea table: every party counts as outside the EEA") !=
			       msg)
			fail_msg("%s: got \"%s\"", rows[i].name, msg);
		registry_unref(r);
	}
}

static void test_resolve_table(void **state)
{
	(void)state;
	static const struct {
		const char *rcpt, *want_party;	/* NULL: none */
		enum registry_match match;
		bool own;
	} rows[] = {
		{"cert@cert.be", "be", MATCH_DOMAIN, false},
		{"CERT@CERT.BE", "be", MATCH_DOMAIN, false},
		{"cert@cert.be.", "be", MATCH_DOMAIN, false},
		{"<cert@cert.be>", "be", MATCH_DOMAIN, false},
		{"x@team.cert.be", "be", MATCH_WILDCARD, false},
		{"x@a.b.cert.be", "be", MATCH_WILDCARD, false},
		{"boss@cert.be", "be-person", MATCH_ADDRESS, false},
		{"BOSS@CERT.BE.", "be-person", MATCH_ADDRESS, false},
		{"x@cert.be.evil.example", NULL, MATCH_NONE, false},
		{"x@evilcert.be", NULL, MATCH_NONE, false},
		{"x@certbe", NULL, MATCH_NONE, false},
		{"x@be", NULL, MATCH_NONE, false},
		{"x@example.org", NULL, MATCH_NONE, false},	/* "*.x" is subdomains only */
		{"x@a.example.org", "wild", MATCH_WILDCARD, false},
		{"x@sub.example.org", "wild", MATCH_WILDCARD, false},
		{"x@a.sub.example.org", "wild2", MATCH_WILDCARD, false},	/* most specific */
		{"x@deep.sub.example.org", "exact-sub", MATCH_DOMAIN, false},	/* exact first */
		{"x@m\xc3\xbcller.de", "mueller", MATCH_DOMAIN, false},
		{"x@M\xc3\x9cLLER.DE", "mueller", MATCH_DOMAIN, false},
		{"x@xn--mller-kva.de", "mueller", MATCH_DOMAIN, false},
		{"x@mueller.de", NULL, MATCH_NONE, false},
		{"soc@ncsc.nl", NULL, MATCH_NONE, true},
		{"soc@team.ncsc.nl", NULL, MATCH_NONE, true},
		{"soc@ncsc.nl.evil.example", NULL, MATCH_NONE, false},
		{"not an address", NULL, MATCH_NONE, false},
		{"", NULL, MATCH_NONE, false},
	};
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("lookup", lookup_yaml, sizeof lookup_yaml - 1, &e);
	if (r == NULL)
		fail_msg("lookup registry: %s", registry_errors_get(e, 0));
	registry_errors_free(e);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct registry_resolution res;
		registry_resolve(r, rows[i].rcpt, &res);
		assert_str_eq_msg(rows[i].rcpt, res.party ? res.party->id : NULL, rows[i].want_party);
		assert_str_eq_msg(rows[i].rcpt, registry_match_name(res.match),
				  registry_match_name(rows[i].match));
		assert_int_eq_msg(rows[i].rcpt, res.own_domain, rows[i].own);
	}
	registry_unref(r);
}

static void test_refcount_and_names(void **state)
{
	(void)state;
	struct registry *r = load_ok(FIX "good-minimal.yaml");
	assert_ptr_equal(registry_ref(r), r);
	registry_unref(r);	/* still one reference: usable */
	assert_str_eq_msg("file", registry_file(r), FIX "good-minimal.yaml");
	assert_non_null(registry_basis_by_id(r, "b"));
	assert_null(registry_basis_by_id(r, "nope"));
	registry_unref(r);
	registry_unref(NULL);

	for (int t = 0; t < PARTY_TYPE_COUNT; t++) {
		enum party_type back;
		assert_true(party_type_parse(party_type_name((enum party_type)t), &back));
		assert_int_equal(back, t);
	}
	for (int m = 0; m < TRANSFER_COUNT; m++) {
		enum transfer_mechanism back;
		assert_true(transfer_mechanism_parse(transfer_mechanism_name((enum transfer_mechanism)m),
						     &back));
		assert_int_equal(back, m);
	}
	assert_str_eq_msg("match", registry_match_name(MATCH_WILDCARD), "wildcard");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_sample_loads),
		cmocka_unit_test(test_eea_dates),
		cmocka_unit_test(test_error_fixtures),
		cmocka_unit_test(test_good_fixture_and_missing_file),
		cmocka_unit_test(test_permits_credentials),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_error_cap),
		cmocka_unit_test(test_resolve_table),
		cmocka_unit_test(test_eea_warning),
		cmocka_unit_test(test_refcount_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
