/*
 * metrics.c - the daemon's counters and scan-time histogram (metrics.h).
 *
 * Histogram buckets follow Prometheus conventions (cumulative, "le"
 * labels, a +Inf bucket, _sum and _count); the sum is kept in
 * microseconds in an integer so it can be added to atomically.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/base/log.h"
#include "grondslag/daemon/metrics.h"

static const struct {
	const char *name;
	const char *help;
} counter_info[METRIC_COUNT] = {
	[METRIC_SCANNED] = {"grondslag_messages_scanned_total", "Outbound messages scanned."},
	[METRIC_UNTOUCHED] = {"grondslag_messages_untouched_total",
			      "Messages passed without a scan (not outbound)."},
	[METRIC_ACCEPTED] = {"grondslag_messages_accepted_total",
			     "Messages delivered to every recipient."},
	[METRIC_PARTIAL] = {"grondslag_messages_partly_held_total",
			    "Messages held for some recipients and delivered to the others."},
	[METRIC_DISCARDED] = {"grondslag_messages_held_total",
			      "Messages held for every recipient (discarded from the MTA queue)."},
	[METRIC_HELD_RCPTS] = {"grondslag_recipients_held_total", "Held recipients."},
	[METRIC_SHARED_RCPTS] = {"grondslag_recipients_shared_total",
				 "Recipients of regulated mail delivered on a legal basis."},
	[METRIC_SIMULATED_HOLDS] = {"grondslag_recipients_simulated_holds_total",
				    "Recipients that would have been held (Mode simulate)."},
	[METRIC_TEMPFAILED] = {"grondslag_messages_tempfailed_total",
			       "Messages answered with the On-InternalError action."},
};

/* Upper bounds of the scan-time buckets, in seconds. */
static const double bucket_le[] = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60};
#define NBUCKETS (sizeof bucket_le / sizeof bucket_le[0])

static atomic_uint_fast64_t counters[METRIC_COUNT];
static atomic_uint_fast64_t buckets[NBUCKETS + 1];	/* last: +Inf */
static atomic_uint_fast64_t scan_count, scan_sum_us;

void metrics_add(enum metrics_counter c, uint64_t n)
{
	if ((unsigned)c < METRIC_COUNT)
		atomic_fetch_add_explicit(&counters[c], n, memory_order_relaxed);
}

void metrics_observe_scan(double seconds)
{
	if (!(seconds >= 0))	/* NaN or negative: a clock problem, not a scan */
		seconds = 0;
	size_t b = 0;
	while (b < NBUCKETS && seconds > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&scan_count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&scan_sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void metrics_reset(void)
{
	for (size_t i = 0; i < METRIC_COUNT; i++)
		atomic_store(&counters[i], 0);
	for (size_t i = 0; i <= NBUCKETS; i++)
		atomic_store(&buckets[i], 0);
	atomic_store(&scan_count, 0);
	atomic_store(&scan_sum_us, 0);
}

int metrics_write(FILE *out, time_t now)
{
	for (size_t i = 0; i < METRIC_COUNT; i++)
		fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", counter_info[i].name,
			counter_info[i].help, counter_info[i].name, counter_info[i].name,
			(unsigned long long)atomic_load(&counters[i]));
	const char *h = "grondslag_scan_duration_seconds";
	fprintf(out, "# HELP %s Time to scan one outbound message.\n# TYPE %s histogram\n", h, h);
	uint64_t cum = 0;
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += atomic_load(&buckets[b]);
		fprintf(out, "%s_bucket{le=\"%g\"} %llu\n", h, bucket_le[b], (unsigned long long)cum);
	}
	cum += atomic_load(&buckets[NBUCKETS]);
	fprintf(out, "%s_bucket{le=\"+Inf\"} %llu\n", h, (unsigned long long)cum);
	fprintf(out, "%s_sum %.6f\n%s_count %llu\n", h,
		(double)atomic_load(&scan_sum_us) / 1e6, h,
		(unsigned long long)atomic_load(&scan_count));
	fprintf(out, "# HELP grondslag_metrics_written_seconds When the daemon wrote this.\n"
		     "# TYPE grondslag_metrics_written_seconds gauge\n"
		     "grondslag_metrics_written_seconds %lld\n", (long long)now);
	return ferror(out) ? -1 : 0;
}

int metrics_write_file(const char *path, time_t now, char *err, size_t errlen)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	FILE *fp = fdopen(fd, "w");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	/* world-readable on purpose: the exporter runs as another user */
	(void)fchmod(fd, 0644);
	int rc = metrics_write(fp, now);
	if (fclose(fp) != 0 || rc != 0) {
		snprintf(err, errlen, "%s: write failed", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct metrics_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	unsigned interval;
	char path[4096];
};

/* Rewrite the file every interval until told to stop. */
static void *writer_main(void *arg)
{
	struct metrics_writer *w = arg;
	char err[512];
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)w->interval;
		while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
			;
		pthread_mutex_unlock(&w->lock);
		if (metrics_write_file(w->path, time(NULL), err, sizeof err) != 0)
			log_msg(LOG_WARNING, "MetricsFile not written: %s", err);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct metrics_writer *metrics_writer_start(const char *path, unsigned interval_seconds,
					    char *err, size_t errlen)
{
	struct metrics_writer *w = calloc(1, sizeof *w);
	if (w == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(w->path, sizeof w->path, "%s", path);
	w->interval = interval_seconds ? interval_seconds : 60;
	if (metrics_write_file(w->path, time(NULL), err, errlen) != 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		snprintf(err, errlen, "cannot start the metrics thread");
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	return w;
}

void metrics_writer_stop(struct metrics_writer *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);	/* it writes once more on the way out */
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
