/*
 * test_spool.c - spooling a message: memory up to the bound, then a
 * private unlinked file (nothing visible in the directory), the same
 * bytes back as one buffer whatever the chunking, CRLF conversion of
 * header text, reset for the next message, and the error paths (limit,
 * missing directory, write after finish).
 */
#include "testutil.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/base/spool.h"

static char dir[] = "/tmp/test_spool.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp failed");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(dir);
	return 0;
}

/* Number of entries in the spool directory (private files are unlinked). */
static int dir_entries(void)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void test_spool_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t mem_max, total, chunk;
		bool disk;
	} rows[] = {
		{"empty", 1024, 0, 1, false},
		{"small in memory", 1024, 1000, 7, false},
		{"exactly the bound", 1024, 1024, 1024, false},
		{"one byte over", 1024, 1025, 100, true},
		{"large in chunks", 4096, 300000, 65536, true},
		{"memory bound zero", 0, 10, 3, true},
	};
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		struct spool *s = spool_alloc(dir, rows[r].mem_max, 0);
		assert_non_null(s);
		char *want = malloc(rows[r].total + 1);
		for (size_t i = 0; i < rows[r].total; i++)
			want[i] = (char)('a' + (i * 7 + r) % 26);
		char err[256];
		for (size_t off = 0; off < rows[r].total; off += rows[r].chunk) {
			size_t n = rows[r].total - off < rows[r].chunk ? rows[r].total - off : rows[r].chunk;
			assert_int_eq_msg(rows[r].name, spool_write(s, want + off, n, err, sizeof err), 0);
		}
		assert_int_eq_msg(rows[r].name, spool_on_disk(s), rows[r].disk);
		assert_int_eq_msg(rows[r].name, spool_size(s), rows[r].total);
		assert_int_eq_msg(rows[r].name, dir_entries(), 0);
		const char *data;
		size_t len;
		assert_int_eq_msg(rows[r].name, spool_finish(s, &data, &len, err, sizeof err), 0);
		assert_int_eq_msg(rows[r].name, len, rows[r].total);
		if (len > 0 && memcmp(data, want, len) != 0)
			fail_msg("%s: bytes differ", rows[r].name);
		/* Finished: further writes are refused until reset. */
		assert_int_eq_msg(rows[r].name, spool_write(s, "x", 1, err, sizeof err), -1);
		spool_reset(s);
		assert_int_eq_msg(rows[r].name, spool_size(s), 0);
		assert_int_eq_msg(rows[r].name, spool_on_disk(s), false);
		assert_int_eq_msg(rows[r].name, spool_write(s, "next", 4, err, sizeof err), 0);
		assert_int_eq_msg(rows[r].name, spool_finish(s, &data, &len, err, sizeof err), 0);
		assert_int_eq_msg(rows[r].name, len, 4);
		assert_int_eq_msg(rows[r].name, memcmp(data, "next", 4), 0);
		spool_free(s);
		free(want);
	}
}

static void test_spool_crlf(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} rows[] = {
		{"plain", "plain"},
		{"a\nb", "a\r\nb"},
		{"a\r\nb", "a\r\nb"},
		{"folded\n\tvalue\n", "folded\r\n\tvalue\r\n"},
		{"\n\n", "\r\n\r\n"},
		{"", ""},
	};
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		struct spool *s = spool_alloc(dir, 1 << 20, 0);
		char err[256];
		assert_int_eq_msg(rows[r].in, spool_crlf(s, rows[r].in, strlen(rows[r].in), err, sizeof err), 0);
		const char *data;
		size_t len;
		spool_finish(s, &data, &len, err, sizeof err);
		char got[64];
		snprintf(got, sizeof got, "%.*s", (int)len, data);
		assert_str_eq_msg(rows[r].in, got, rows[r].want);
		spool_free(s);
	}
}

static void test_spool_errors(void **state)
{
	(void)state;
	char err[256] = "";
	/* Over max_bytes: refused with a reason. */
	struct spool *s = spool_alloc(dir, 16, 100);
	assert_int_eq_msg("under limit", spool_write(s, "0123456789", 10, err, sizeof err), 0);
	char big[200] = {0};
	assert_int_eq_msg("over limit", spool_write(s, big, sizeof big, err, sizeof err), -1);
	if (strstr(err, "larger than") == NULL)
		fail_msg("limit: got \"%s\", want a size reason", err);
	spool_free(s);
	/* No such directory: the switch to a file fails, with the reason. */
	s = spool_alloc("/nonexistent/grondslag-spool", 4, 0);
	assert_int_eq_msg("missing dir", spool_write(s, "0123456789", 10, err, sizeof err), -1);
	if (strstr(err, "/nonexistent/grondslag-spool") == NULL)
		fail_msg("missing dir: got \"%s\", want the directory named", err);
	spool_free(s);
	spool_free(NULL);
	spool_reset(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool_sizes),
		cmocka_unit_test(test_spool_crlf),
		cmocka_unit_test(test_spool_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
