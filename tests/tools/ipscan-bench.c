/*
 * ipscan-bench.c - throughput of the IP scanner on one file.
 *
 * Usage: ipscan-bench FILE [ITERATIONS [CHUNK]]
 * Reads FILE into memory, scans it ITERATIONS times (default 5) with
 * ipscan_buffer() (or with ipscan_update() in CHUNK-byte pieces when CHUNK
 * is given), and prints the best and mean throughput and the match count
 * of one pass.  The last line is machine-readable for tests/bench/scanner.sh:
 *   "mbps=BEST matches=N bytes=B".
 * Only counts are printed, never addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/ipscan.h"

/* Count matches (the callback does as little as a real consumer would). */
static int count_cb(void *arg, const struct ipscan_match *m)
{
	unsigned long long *n = arg;
	(void)m;
	(*n)++;
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read a whole file; NULL on error. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (fp == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n, fp);
		if (r == 0)
			break;
		n += r;
	}
	fclose(fp);
	*len = n;
	return buf;
}

/* One pass; returns the match count. */
static unsigned long long pass(const char *buf, size_t len, size_t chunk)
{
	unsigned long long n = 0;

	if (chunk == 0) {
		ipscan_buffer(buf, len, count_cb, &n);
		return n;
	}
	struct ipscan *s = ipscan_alloc(count_cb, &n);
	if (s == NULL)
		return 0;
	for (size_t at = 0; at < len; at += chunk)
		ipscan_update(s, buf + at, len - at < chunk ? len - at : chunk);
	ipscan_finish(s);
	ipscan_free(s);
	return n;
}

int main(int argc, char **argv)
{
	size_t len;
	int iters = argc > 2 ? atoi(argv[2]) : 5;
	size_t chunk = argc > 3 ? (size_t)atol(argv[3]) : 0;

	if (argc < 2 || iters < 1) {
		fprintf(stderr, "usage: %s FILE [ITERATIONS [CHUNK]]\n", argv[0]);
		return 2;
	}
	char *buf = slurp(argv[1], &len);
	if (buf == NULL) {
		perror(argv[1]);
		return 1;
	}
	double best = 0, total = 0;
	unsigned long long matches = 0;
	for (int i = 0; i < iters; i++) {
		double t0 = now();
		matches = pass(buf, len, chunk);
		double dt = now() - t0;
		double mbps = dt > 0 ? (double)len / dt / 1e6 : 0;
		if (mbps > best)
			best = mbps;
		total += dt;
	}
	printf("%s: %zu bytes x %d, best %.1f MB/s, mean %.1f MB/s, %llu matches per pass\n",
	       argv[1], len, iters, best, total > 0 ? (double)len * iters / total / 1e6 : 0.0,
	       matches);
	printf("mbps=%.1f matches=%llu bytes=%zu\n", best, matches, len);
	free(buf);
	return 0;
}
