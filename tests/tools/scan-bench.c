/*
 * scan-bench.c - time scan_message() on one message, as make bench does
 * for the large-message target: best of N runs, with and without geo
 * enrichment, and the peak resident memory of the process.
 *
 * usage: scan-bench [-c CONFIG] [-n RUNS] MESSAGE
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/config.h"
#include "grondslag/scan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best wall time of runs scans; *ips gets the distinct address count. */
static double best_of(const struct scan_options *so, const char *msg, size_t len, int runs,
		      size_t *ips)
{
	double best = 1e9;
	for (int i = 0; i < runs; i++) {
		double t0 = now();
		struct findings *f = scan_message(so, msg, len);
		double t = now() - t0;
		if (f == NULL) {
			fprintf(stderr, "scan failed\n");
			exit(2);
		}
		*ips = findings_ip_count(f);
		findings_free(f);
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	int runs = 3, opt;
	while ((opt = getopt(argc, argv, "c:n:")) != -1) {
		if (opt == 'c')
			conf = optarg;
		else if (opt == 'n')
			runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: scan-bench [-c CONFIG] [-n RUNS] MESSAGE\n");
		return 2;
	}
	char err[4096];
	struct config *c = config_load(conf, err, sizeof err);
	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	int fd = open(argv[optind], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) {
		perror(argv[optind]);
		return 2;
	}
	size_t len = (size_t)st.st_size;
	char *msg = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (msg == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	struct scan_options so = {0};
	config_walk_limits(c, &so.limits);
	so.threshold = (unsigned)config_uint(c, CONF_TRACEABLE_THRESHOLD);
	size_t ips = 0;
	double nogeo = best_of(&so, msg, len, runs, &ips);
	struct geo_options go;
	config_geo_options(c, &go);
	so.geo = geo_open(&go, err, sizeof err);
	if (so.geo == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	double withgeo = best_of(&so, msg, len, runs, &ips);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("scan-bench: %.1f MB message, %zu distinct addresses\n", (double)len / 1048576.0, ips);
	printf("scan-bench: scan %.3f s without geo, %.3f s with geo (best of %d)\n", nogeo,
	       withgeo, runs);
	printf("scan-bench: peak RSS %.1f MB = %.2fx the message (mapped message included)\n",
	       (double)ru.ru_maxrss / 1024.0, (double)ru.ru_maxrss * 1024.0 / (double)len);
	geo_close(so.geo);
	config_free(c);
	munmap(msg, len);
	return 0;
}
