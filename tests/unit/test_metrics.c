/*
 * test_metrics.c - the daemon's counters and scan-time histogram: the
 * Prometheus text format, bucket edges, concurrent adds, atomic file
 * replacement and its error path.
 */
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "grondslag/daemon/metrics.h"

/* The metrics text as a malloc'ed string. */
static char *render(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(metrics_write(fp, 1700000000), 0);
	fclose(fp);
	return buf;
}

static void expect_line(const char *text, const char *line)
{
	char want[256];
	snprintf(want, sizeof want, "\n%s\n", line);
	if (strstr(text, want) == NULL)
		fail_msg("missing line \"%s\" in:\n%s", line, text);
}

static void test_counters_and_histogram(void **state)
{
	(void)state;
	metrics_reset();
	metrics_add(METRIC_SCANNED, 3);
	metrics_add(METRIC_TEMPFAILED, 1);
	metrics_add(METRIC_COUNT, 5);	/* out of range: ignored */
	static const struct {
		double seconds;
	} obs[] = {{0.0005}, {0.001}, {0.002}, {0.7}, {120}, {-1}};
	for (size_t i = 0; i < ARRAY_LEN(obs); i++)
		metrics_observe_scan(obs[i].seconds);
	char *t = render();
	expect_line(t, "grondslag_messages_scanned_total 3");
	expect_line(t, "grondslag_messages_tempfailed_total 1");
	expect_line(t, "grondslag_messages_accepted_total 0");
	expect_line(t, "# TYPE grondslag_scan_duration_seconds histogram");
	/* 0.0005, 0.001 and the clamped -1 are <= 0.001 (le is inclusive) */
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"0.001\"} 3");
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"0.005\"} 4");
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"0.5\"} 4");
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"1\"} 5");
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"60\"} 5");
	expect_line(t, "grondslag_scan_duration_seconds_bucket{le=\"+Inf\"} 6");
	expect_line(t, "grondslag_scan_duration_seconds_count 6");
	expect_line(t, "grondslag_metrics_written_seconds 1700000000");
	free(t);
}

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		metrics_add(METRIC_SCANNED, 1);
		metrics_observe_scan(0.003);
	}
	return NULL;
}

static void test_concurrent(void **state)
{
	(void)state;
	metrics_reset();
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, adder, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	char *t = render();
	expect_line(t, "grondslag_messages_scanned_total 40000");
	expect_line(t, "grondslag_scan_duration_seconds_count 40000");
	expect_line(t, "grondslag_scan_duration_seconds_sum 120.000000");
	free(t);
}

static void test_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/grondslag-metrics-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/grondslag.prom", dir);
	metrics_reset();
	metrics_add(METRIC_HELD_RCPTS, 2);
	assert_int_equal(metrics_write_file(path, 1, err, sizeof err), 0);
	assert_int_equal(metrics_write_file(path, 2, err, sizeof err), 0);	/* replaces */
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	FILE *fp = fopen(path, "r");
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	expect_line(buf, "grondslag_recipients_held_total 2");
	expect_line(buf, "grondslag_metrics_written_seconds 2");
	unlink(path);
	rmdir(dir);
	/* a directory that does not exist: an error naming the file */
	assert_int_equal(metrics_write_file("/nonexistent-dir/x.prom", 0, err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/x.prom"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_and_histogram),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
