/*
 * test_pqlib.c - libpq is loaded when a PostgreSQL store is opened, not
 * before (the programs are not linked with it): a library that is not
 * there, or one that is not libpq, fails the load with a message naming
 * it and the package libpq5, leaves nothing loaded and is tried again;
 * then the real one is loaded by the first store_open() of a connection
 * string, every function found, and a second load is free.
 *
 * The cases run in this order: a successful load stays for the process.
 */
#include "testutil.h"

#include <dlfcn.h>
#include <unistd.h>

#include "../../milter/store/pqlib.h"
#include "grondslag/store/store.h"

/* Is libpq in this process (without loading it)? */
static bool libpq_mapped(void)
{
	void *h = dlopen(PQLIB_SONAME, RTLD_NOW | RTLD_NOLOAD);
	if (h != NULL)
		dlclose(h);
	return h != NULL;
}

static void test_not_linked(void **state)
{
	(void)state;
	if (libpq_mapped())
		fail_msg("libpq.so.5 is in the process before any PostgreSQL store was opened");
	assert_false(pqlib_loaded());
}

static void test_load_fails(void **state)
{
	(void)state;
	static const struct {
		const char *soname;
		const char *want[3];	/* each in the message */
	} cases[] = {
		/* not installed */
		{"libpq-absent.so.5",
		 {"cannot load the PostgreSQL client library libpq-absent.so.5",
		  "libpq-absent.so.5: cannot open shared object file", "package libpq5"}},
		/* there, but not libpq (already in the process: closed again
		 * without harm) */
		{"libsqlite3.so.0",
		 {"the PostgreSQL client library libsqlite3.so.0 has no function PQcancel",
		  "libpq5", NULL}},
		/* a path that is not a library at all */
		{"/dev/null", {"cannot load the PostgreSQL client library /dev/null", NULL, NULL}},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char why[512] = "";
		assert_int_eq_msg(cases[i].soname, pqlib_load_soname(cases[i].soname, why, sizeof why),
				  -1);
		for (size_t k = 0; k < 3 && cases[i].want[k]; k++)
			if (strstr(why, cases[i].want[k]) == NULL)
				fail_msg("%s: got \"%s\", want \"%s\" in it", cases[i].soname, why,
					 cases[i].want[k]);
		if (pqlib_loaded())
			fail_msg("%s: the table is published after a failed load", cases[i].soname);
		/* bounded: a short buffer is cut, terminated */
		char small[16];
		memset(small, 'x', sizeof small);
		assert_int_eq_msg(cases[i].soname,
				  pqlib_load_soname(cases[i].soname, small, sizeof small), -1);
		assert_int_eq_msg(cases[i].soname, strlen(small), sizeof small - 1);
	}
	assert_false(libpq_mapped());
}

/* A store in SQLite never loads libpq. */
static void test_sqlite_no_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_pqlib.XXXXXX", path[64], err[1024] = "";
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/grondslag.db", dir);
	assert_int_equal(store_init(path, "{}", err, sizeof err), 0);
	struct store *s = store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store_open(%s): %s", path, err);
	store_close(s);
	assert_false(libpq_mapped());
	assert_false(pqlib_loaded());
	unlink(path);
	rmdir(dir);
}

static void test_load_on_open(void **state)
{
	(void)state;
	/* no server there: the store's open fails, but with libpq's answer,
	 * which only a loaded libpq gives */
	char err[1024] = "";
	struct store *s = store_open("postgresql:///grondslag?host=/nonexistent-dir&port=1", err,
				     sizeof err);
	assert_null(s);
	if (strstr(err, "/nonexistent-dir/.s.PGSQL.1") == NULL)
		fail_msg("got \"%s\", want libpq's connection error", err);
	assert_true(libpq_mapped());
	assert_true(pqlib_loaded());
	/* every entry found, and from libpq.so.5 */
	for (size_t i = 0; i < sizeof *pqlib / sizeof(void *); i++) {
		void *f;
		memcpy(&f, (const char *)pqlib + i * sizeof f, sizeof f);
		if (f == NULL)
			fail_msg("entry %zu of the table is NULL", i);
	}
	void *h = dlopen(PQLIB_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(h);
	void *exec = dlsym(h, "PQexec");
	dlclose(h);
	assert_true(memcmp(&pqlib->exec, &exec, sizeof exec) == 0);
	/* loaded: any later load succeeds without loading anything */
	char why[64] = "";
	assert_int_equal(pqlib_load(why, sizeof why), 0);
	assert_int_equal(pqlib_load_soname("libpq-absent.so.5", why, sizeof why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_linked),
		cmocka_unit_test(test_load_fails),
		cmocka_unit_test(test_sqlite_no_load),
		cmocka_unit_test(test_load_on_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
