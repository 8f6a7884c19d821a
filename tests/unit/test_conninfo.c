/*
 * test_conninfo.c - a Database value is a PostgreSQL connection string
 * or an SQLite file (URIs, key=value conninfo, paths that look alike),
 * and a password in it is never shown (URI user:pass@, ?password=, a
 * conninfo's password= plain or quoted); paths are shown as they are.
 */
#include "testutil.h"

#include "grondslag/base/conninfo.h"

static void test_is(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool want;
	} cases[] = {
		{"postgresql:///grondslag?host=/run/postgresql", true},
		{"postgres://u@db1,db2/grondslag?target_session_attrs=read-write", true},
		{"host=/run/postgresql dbname=grondslag", true},
		{"  dbname = grondslag", true},
		{"host=db1,db2 dbname=g target_session_attrs=read-write", true},
		{"/var/lib/grondslag/grondslag.db", false},
		{"grondslag.db", false},
		{"./host=x.db", false},
		{"/tmp/a=b", false},
		{"Host=x", false},	/* keywords are lowercase */
		{"=x", false},
		{"", false},
		{"postgresql:", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		if (conninfo_is(cases[i].in) != cases[i].want)
			fail_msg("conninfo_is(\"%s\"): got %d, want %d", cases[i].in,
				 !cases[i].want, cases[i].want);
	assert_false(conninfo_is(NULL));
}

static void test_redact(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"/var/lib/grondslag/grondslag.db", "/var/lib/grondslag/grondslag.db"},
		{"host=/run/postgresql dbname=g", "host=/run/postgresql dbname=g"},
		{"host=db dbname=g password=s3cret user=milter",
		 "host=db dbname=g password=*** user=milter"},
		{"password = 's3 cr\\'et' dbname=g", "password = *** dbname=g"},
		{"dbname=g password=", "dbname=g password=***"},
		{"postgresql://milter:s3cret@db1/g", "postgresql://milter:***@db1/g"},
		{"postgresql://milter@db1/g?password=s3cret&sslmode=require",
		 "postgresql://milter@db1/g?password=***&sslmode=require"},
		{"postgresql://db1/g?application_name=xpassword=1",
		 "postgresql://db1/g?application_name=xpassword=1"},
		{"postgresql:///g?host=/run/postgresql", "postgresql:///g?host=/run/postgresql"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[256];
		conninfo_redact(cases[i].in, out, sizeof out);
		assert_str_eq_msg(cases[i].in, out, cases[i].want);
		if (strstr(out, "s3") != NULL)
			fail_msg("redact(\"%s\"): the password shows: \"%s\"", cases[i].in, out);
	}
	/* bounded */
	char small[8];
	conninfo_redact("host=/run/postgresql", small, sizeof small);
	assert_str_eq_msg("truncated", small, "host=/r");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is),
		cmocka_unit_test(test_redact),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
