/*
 * test_config.c - grondslag.conf parsing: defaults, every value type, and
 * every error with its file:line.
 */
#include <unistd.h>

#include "testutil.h"

#include "grondslag/config/config.h"
#include "grondslag/decide/policy.h"

/* Write text to a fresh temp file; returns its name (static buffer). */
static const char *conf_file(const char *text)
{
	static char name[64];
	snprintf(name, sizeof name, "/tmp/grondslag-conf-XXXXXX");
	int fd = mkstemp(name);
	assert_true(fd >= 0);
	size_t n = strlen(text);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	close(fd);
	return name;
}

static void test_defaults(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	assert_non_null(c);
	assert_null(config_file(c));
	assert_string_equal(config_str(c, CONF_GEO_COUNTRY_PATH), "country_code");
	assert_int_equal(config_uint(c, CONF_MAX_MESSAGE_SIZE), 50ull * 1024 * 1024);
	assert_int_equal(config_uint(c, CONF_MAX_PARTS), 1000);
	assert_true(config_bool(c, CONF_PUBLIC_IS_PERSONAL));
	assert_int_equal(config_list_count(c, CONF_REGISTRY_SIGNER), 0);
	assert_string_equal(config_key_name(CONF_MAX_DEPTH), "MaxDepth");
	struct walk_limits l;
	config_walk_limits(c, &l);
	assert_int_equal(l.max_depth, 12);
	assert_int_equal(l.max_expansion_ratio, 100);
	config_free(c);
}

/* The scan options the daemon and the CLI scan with come from one place:
 * the walk limits and the threshold of the file, the geo handle given. */
static void test_scan_options(void **state)
{
	(void)state;
	const char *name = conf_file("ProviderTraceableThreshold 7\nMaxParts 9\nMaxDepth 3\n");
	char err[1024];
	struct config *c = config_load(name, err, sizeof err);
	assert_non_null(c);
	struct scan_options o;
	memset(&o, 0xa5, sizeof o);
	struct geo *geo = (struct geo *)&o;	/* a handle the options only carry */
	config_scan_options(c, geo, &o);
	assert_int_equal(o.threshold, 7);
	assert_int_equal(o.limits.max_parts, 9);
	assert_int_equal(o.limits.max_depth, 3);
	assert_ptr_equal(o.geo, geo);
	struct walk_limits l;
	config_walk_limits(c, &l);
	assert_int_equal(o.limits.max_message_bytes, l.max_message_bytes);
	assert_int_equal(o.limits.max_expanded_bytes, l.max_expanded_bytes);
	assert_int_equal(o.limits.max_seconds, l.max_seconds);
	assert_string_equal(o.limits.pdftotext, l.pdftotext);
	config_scan_options(c, NULL, &o);
	assert_null(o.geo);
	config_free(c);
}

/* The policy options the daemon and "grondslag check" judge with. */
static void test_policy_options(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		bool personal;
	} rows[] = {
		{"", true},
		{"PublicAddressesArePersonalData no\n", false},
		{"PublicAddressesArePersonalData yes\n", true},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char err[1024];
		struct config *c = config_load(conf_file(rows[i].text), err, sizeof err);
		assert_non_null(c);
		struct policy_options o = {.public_is_personal = !rows[i].personal};
		policy_options_config(c, &o);
		if (o.public_is_personal != rows[i].personal)
			fail_msg("row %zu: public_is_personal got %d, want %d", i,
				 o.public_is_personal, rows[i].personal);
		config_free(c);
	}
}

static void test_values(void **state)
{
	(void)state;
	const char *name = conf_file(
		"# a comment\n"
		"\n"
		"geocountrypath   country.iso_code   \n"
		"MaxMessageSize 10M # trailing comment\n"
		"MaxExpandedSize 2g\n"
		"MaxParts 7\n"
		"PublicAddressesArePersonalData no\n"
		"RegistrySignature REQUIRED\n"
		"RegistrySigner 0123456789ABCDEF0123456789ABCDEF01234567\n"
		"RegistrySigner 89ABCDEF0123456789ABCDEF0123456789ABCDEF\n"
		"GeoASNDatabase\n"
		"Registry /etc/x#y.yaml\n");
	char err[1024];
	struct config *c = config_load(name, err, sizeof err);
	unlink(name);
	if (c == NULL)
		fail_msg("load failed: %s", err);
	assert_string_equal(config_str(c, CONF_GEO_COUNTRY_PATH), "country.iso_code");
	assert_int_equal(config_uint(c, CONF_MAX_MESSAGE_SIZE), 10ull << 20);
	assert_int_equal(config_uint(c, CONF_MAX_EXPANDED_SIZE), 2ull << 30);
	assert_int_equal(config_uint(c, CONF_MAX_PARTS), 7);
	assert_false(config_bool(c, CONF_PUBLIC_IS_PERSONAL));
	assert_string_equal(config_str(c, CONF_REGISTRY_SIGNATURE), "REQUIRED");
	assert_int_equal(config_list_count(c, CONF_REGISTRY_SIGNER), 2);
	assert_string_equal(config_list(c, CONF_REGISTRY_SIGNER, 1),
			    "89ABCDEF0123456789ABCDEF0123456789ABCDEF");
	assert_null(config_list(c, CONF_REGISTRY_SIGNER, 2));
	assert_string_equal(config_str(c, CONF_GEO_ASN_DB), "");
	assert_string_equal(config_str(c, CONF_REGISTRY), "/etc/x#y.yaml");
	struct geo_options g;
	config_geo_options(c, &g);
	assert_null(g.asn_db);
	assert_non_null(g.country_db);
	config_free(c);
}

struct error_case {
	const char *name;
	const char *text;
	const char *want;	/* expected error text after "FILE:" */
};

static const struct error_case error_cases[] = {
	{"unknown key", "Nonsense 1\n", "1: unknown key \"Nonsense\""},
	{"not a number", "\nMaxParts lots\n", "2: MaxParts: \"lots\" is not a whole number"},
	{"out of range", "MaxDepth 0\n", "1: MaxDepth: 0 is out of range 1..100"},
	{"too big", "MaxDepth 101\n", "1: MaxDepth: 101 is out of range 1..100"},
	{"overflow", "MaxParts 99999999999999999999999\n",
	 "1: MaxParts: \"99999999999999999999999\" is not a whole number"},
	{"bad size", "MaxMessageSize 10T\n",
	 "1: MaxMessageSize: \"10T\" is not a size (number with optional k, M or G)"},
	{"negative", "MaxParts -1\n", "1: MaxParts: \"-1\" is not a whole number"},
	{"bad bool", "PublicAddressesArePersonalData maybe\n",
	 "1: PublicAddressesArePersonalData: \"maybe\" is not yes or no"},
	{"bad enum", "RegistrySignature sometimes\n",
	 "1: RegistrySignature: \"sometimes\" is not one of required|optional|none"},
	{"twice", "MaxParts 5\nMaxParts 6\n", "2: MaxParts given twice (first on line 1)"},
	{"missing value", "MaxParts\n", "1: MaxParts needs a value"},
	{"audit key not a fingerprint", "AuditSigningKey 0123456789ABCDEF\n",
	 "1: AuditSigningKey: \"0123456789ABCDEF\" is not an OpenPGP fingerprint (40 hex digits)"},
	{"short key id", "RegistrySigner 0123456789ABCDEF\n",
	 "1: RegistrySigner: \"0123456789ABCDEF\" is not an OpenPGP fingerprint (40 hex digits)"},
	{"not hex", "RegistrySigner 0123456789ABCDEF0123456789ABCDEF0123456Z\n",
	 "1: RegistrySigner: \"0123456789ABCDEF0123456789ABCDEF0123456Z\" is not an OpenPGP "
	 "fingerprint (40 hex digits)"},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(error_cases); i++) {
		const struct error_case *ec = &error_cases[i];
		const char *name = conf_file(ec->text);
		char err[1024], want[1200];
		struct config *c = config_load(name, err, sizeof err);
		unlink(name);
		if (c != NULL)
			fail_msg("%s: loaded, want error", ec->name);
		snprintf(want, sizeof want, "%s:%s", name, ec->want);
		assert_str_eq_msg(ec->name, err, want);
	}
}

static void test_all_errors_reported(void **state)
{
	(void)state;
	const char *name = conf_file("Foo 1\nMaxParts x\nMaxDepth 5\nBar 2\n");
	char err[1024];
	assert_null(config_load(name, err, sizeof err));
	unlink(name);
	/* three error lines: 1, 2 and 4 */
	int lines = 1;
	for (const char *p = err; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3);
	assert_non_null(strstr(err, ":4: unknown key \"Bar\""));
}

static void test_missing_file(void **state)
{
	(void)state;
	char err[256];
	assert_null(config_load("/nonexistent/grondslag.conf", err, sizeof err));
	assert_string_equal(err, "/nonexistent/grondslag.conf: No such file or directory");
}

static void test_doc_lists_every_key(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	config_doc("sample", fp);
	fclose(fp);
	for (int k = 0; k < CONF_COUNT; k++) {
		char want[128];
		snprintf(want, sizeof want, "#%s ", config_key_name((enum config_key)k));
		if (strstr(buf, want) == NULL)
			fail_msg("sample lacks %s", want);
	}
	free(buf);
}

static void test_dump_roundtrip(void **state)
{
	(void)state;
	struct config *c = config_defaults();
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	config_dump(c, fp);
	fclose(fp);
	config_free(c);
	const char *name = conf_file(buf);
	free(buf);
	char err[1024];
	c = config_load(name, err, sizeof err);
	unlink(name);
	if (c == NULL)
		fail_msg("dump does not load: %s", err);
	assert_int_equal(config_uint(c, CONF_MAX_MESSAGE_SIZE), 50ull << 20);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_scan_options),
		cmocka_unit_test(test_policy_options),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_doc_lists_every_key),
		cmocka_unit_test(test_dump_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
