/*
 * ipscan-bench.c - throughput of the IP scanner on one file.
 *
 * Usage: ipscan-bench [-m | -r] FILE [ITERATIONS [CHUNK]]
 * By default reads FILE into memory once, scans it ITERATIONS times
 * (default 5) with ipscan_buffer() (or with ipscan_update() in CHUNK-byte
 * pieces when CHUNK is given), and prints the best and mean throughput and
 * the match count of one pass: the scanner alone.
 * With -m each pass includes getting the file, as ripgrep does for one
 * file: open, mmap (MAP_POPULATE), one ipscan_buffer() over the mapping,
 * munmap.  With -r each pass reads the file with read() in CHUNK-byte
 * pieces (default 1 MiB) into one buffer and streams them through
 * ipscan_update(), as the milter is fed.
 * The last line is machine-readable for tests/bench/scanner.sh:
 *   "mbps=BEST matches=N bytes=B".
 * Only counts are printed, never addresses.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/scan/ipscan.h"

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

/* One pass that also gets the file: mmap'ed (-m) or read() in chunks
 * (-r).  Returns the match count, or -1 on an I/O error. */
static long long file_pass(const char *path, int mode, size_t chunk, size_t *len)
{
	unsigned long long n = 0;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	if (mode == 'm') {
		void *map = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : NULL;
		if (*len && map == MAP_FAILED) {
			close(fd);
			return -1;
		}
		ipscan_buffer(map, *len, count_cb, &n);
		if (map)
			munmap(map, *len);
	} else {
		struct ipscan *s = ipscan_alloc(count_cb, &n);
		char *buf = malloc(chunk);
		ssize_t r;
		if (s == NULL || buf == NULL) {
			free(buf);
			ipscan_free(s);
			close(fd);
			return -1;
		}
		while ((r = read(fd, buf, chunk)) > 0)
			ipscan_update(s, buf, (size_t)r);
		ipscan_finish(s);
		ipscan_free(s);
		free(buf);
		if (r < 0)
			n = (unsigned long long)-1;
	}
	close(fd);
	return (long long)n;
}

int main(int argc, char **argv)
{
	size_t len = 0;
	int mode = 0;

	if (argc > 1 && (strcmp(argv[1], "-m") == 0 || strcmp(argv[1], "-r") == 0)) {
		mode = argv[1][1];
		argc--;
		argv++;
	}
	int iters = argc > 2 ? atoi(argv[2]) : 5;
	size_t chunk = argc > 3 ? (size_t)atol(argv[3]) : mode == 'r' ? 1 << 20 : 0;
	if (argc < 2 || iters < 1 || (mode == 'r' && chunk == 0)) {
		fprintf(stderr, "usage: %s [-m | -r] FILE [ITERATIONS [CHUNK]]\n", argv[0]);
		return 2;
	}
	char *buf = NULL;
	if (mode == 0 && (buf = slurp(argv[1], &len)) == NULL) {
		perror(argv[1]);
		return 1;
	}
	double best = 0, total = 0;
	unsigned long long matches = 0;
	for (int i = 0; i < iters; i++) {
		double t0 = now();
		if (mode == 0) {
			matches = pass(buf, len, chunk);
		} else {
			long long n = file_pass(argv[1], mode, chunk, &len);
			if (n < 0) {
				perror(argv[1]);
				return 1;
			}
			matches = (unsigned long long)n;
		}
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
