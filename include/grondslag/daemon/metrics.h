/*
 * metrics.h - the daemon's own counters for monitoring: what only the
 * running milter knows (messages scanned, passed untouched, tempfailed,
 * how long scans take), as opposed to what the store records (holds,
 * shares, decisions; see report.h).  Written in the Prometheus text format
 * to a file the daemon refreshes (MetricsFile), for node_exporter's
 * textfile collector; `grondslag stats --prometheus` prints it after the
 * store's counters.
 *
 * Counters are process-wide atomics: the milter's callback threads add to
 * them without locks.  The file is written to a temporary name in the
 * same directory and renamed, so a reader never sees half a file.
 *
 * Public functions:
 *   metrics_add()           add to a counter
 *   metrics_observe_scan()  one scan's duration into the histogram
 *   metrics_write()         the text format to a stream
 *   metrics_write_file()    the same, atomically replacing a file
 *   metrics_reset()         zero everything (tests)
 *   metrics_writer_start()  a thread rewriting the file every interval
 *   metrics_writer_stop()   stop it, after one last write
 */
#ifndef GRONDSLAG_METRICS_H
#define GRONDSLAG_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum metrics_counter {
	METRIC_SCANNED,		/* outbound messages scanned */
	METRIC_UNTOUCHED,	/* inbound / not ours: passed without a scan */
	METRIC_ACCEPTED,	/* every recipient delivered */
	METRIC_PARTIAL,		/* some recipients held */
	METRIC_DISCARDED,	/* every recipient held */
	METRIC_HELD_RCPTS,	/* held recipients */
	METRIC_SHARED_RCPTS,	/* recipients delivered on a basis */
	METRIC_SIMULATED_HOLDS,	/* Mode simulate: would have held */
	METRIC_TEMPFAILED,	/* On-InternalError answers */
	METRIC_COUNT
};

void metrics_add(enum metrics_counter c, uint64_t n);
void metrics_observe_scan(double seconds);
/* Prometheus text format; returns 0, or -1 on a write error. */
int metrics_write(FILE *out, time_t now);
/* Atomic replace of path (tmp + rename); 0 or -1 with err. */
int metrics_write_file(const char *path, time_t now, char *err, size_t errlen);
void metrics_reset(void);

struct metrics_writer;
/* NULL with err when the first write fails (a wrong path shows at start). */
struct metrics_writer *metrics_writer_start(const char *path, unsigned interval_seconds,
					    char *err, size_t errlen);
void metrics_writer_stop(struct metrics_writer *w);

#endif
