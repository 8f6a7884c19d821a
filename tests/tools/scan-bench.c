/*
 * scan-bench.c - time scan_message() on one message, as make bench does
 * for the large-message target: best of N runs, with and without geo
 * enrichment, and the peak resident memory of the process.  With -p,
 * also the phases of a plain-text message timed on their own through the
 * library, each best of RUNS: decode (textx over the body after the
 * header), markers and scan (the label detector and the IP scanner over
 * the decoded text, in the walker's 64 KiB chunks); the rest of the scan
 * (walker, findings) is the whole scan on one thread without geo minus
 * these, geo the difference with geo; the scan as run (identifiers on a
 * second thread, scanpar.c) is printed beside the one-thread figure.
 *
 * usage: scan-bench [-c CONFIG] [-n RUNS] [-p] MESSAGE
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

#include "grondslag/config/config.h"
#include "grondslag/decide/scanopt.h"
#include "grondslag/scan/idscan.h"
#include "grondslag/scan/ipscan.h"
#include "grondslag/scan/markers.h"
#include "grondslag/scan/scan.h"
#include "grondslag/scan/textx.h"

#define PHASE_CHUNK 65536

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

/* The decoded text, gathered (only when keep). */
struct decoded {
	char *buf;
	size_t len;
	bool keep;
};

static int gather(void *arg, const char *buf, size_t len)
{
	struct decoded *d = arg;
	if (d->keep) {
		memcpy(d->buf + d->len, buf, len);
		d->len += len;
	}
	return 0;
}

static int count_match(void *arg, const struct ipscan_match *m)
{
	(void)m;
	(*(size_t *)arg)++;
	return 0;
}

static int count_ident(void *arg, const struct idscan_match *m)
{
	(void)m;
	(*(size_t *)arg)++;
	return 0;
}

/* One phase over [p, p+n) in PHASE_CHUNK slices: 0 decode, 1 markers,
 * 2 scan, 3 identifiers.  Returns the wall time. */
static double phase_once(int phase, const char *p, size_t n, struct decoded *d)
{
	double t0 = now();
	size_t matches = 0;
	struct textx *t = phase == 0 ? textx_alloc(MARKUP_PLAIN, NULL, gather, d) : NULL;
	struct markers *mk = phase == 1 ? markers_alloc() : NULL;
	struct ipscan *s = phase == 2 ? ipscan_alloc(count_match, &matches) : NULL;
	struct idscan *ids = phase == 3 ? idscan_alloc(count_ident, &matches) : NULL;
	struct findings *f = findings_alloc();
	if ((phase == 0 && t == NULL) || (phase == 1 && mk == NULL) || (phase == 2 && s == NULL) ||
	    (phase == 3 && ids == NULL) || f == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	if (mk != NULL)
		markers_begin(mk, 1, "text/plain", NULL);
	for (size_t off = 0; off < n; off += PHASE_CHUNK) {
		size_t k = n - off < PHASE_CHUNK ? n - off : PHASE_CHUNK;
		if (t != NULL)
			(void)textx_update(t, p + off, k);
		if (mk != NULL)
			markers_update(mk, p + off, k);
		if (s != NULL)
			(void)ipscan_update(s, p + off, k);
		if (ids != NULL)
			(void)idscan_update(ids, p + off, k);
	}
	if (t != NULL)
		(void)textx_finish(t);
	if (mk != NULL)
		markers_end(mk, f);
	if (s != NULL)
		(void)ipscan_finish(s);
	if (ids != NULL)
		(void)idscan_finish(ids);
	double el = now() - t0;
	textx_free(t);
	markers_free(mk);
	ipscan_free(s);
	idscan_free(ids);
	findings_free(f);
	return el;
}

/* Best of runs for each phase, into best[4]. */
static void phases(const char *msg, size_t len, int runs, double best[4])
{
	const char *body = memmem(msg, len, "\n\n", 2);
	body = body != NULL ? body + 2 : msg;
	size_t n = len - (size_t)(body - msg);
	struct decoded d = {malloc(n * 3 + 16), 0, true};
	if (d.buf == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	(void)phase_once(0, body, n, &d);	/* the decoded text, once */
	d.keep = false;
	for (int ph = 0; ph < 4; ph++) {
		best[ph] = 1e9;
		for (int i = 0; i < runs; i++) {
			double t = ph == 0 ? phase_once(0, body, n, &d) : phase_once(ph, d.buf, d.len, NULL);
			if (t < best[ph])
				best[ph] = t;
		}
	}
	free(d.buf);
}

int main(int argc, char **argv)
{
	const char *conf = NULL;
	int runs = 3, opt;
	bool want_phases = false;
	while ((opt = getopt(argc, argv, "c:n:p")) != -1) {
		if (opt == 'p')
			want_phases = true;
		else if (opt == 'c')
			conf = optarg;
		else if (opt == 'n')
			runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
		else
			return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: scan-bench [-c CONFIG] [-n RUNS] [-p] MESSAGE\n");
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
	struct scan_options so;
	struct scanopt_domains dom;
	config_scan_options(c, NULL, &so);
	if (!scanopt_fill(&so, &dom, c, NULL)) {
		fprintf(stderr, "out of memory\n");
		return 2;
	}
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
	if (want_phases) {
		double ph[4];
		phases(msg, len, runs, ph);
		/* the phases add up on one thread; the scan proper runs the
		 * identifiers beside the rest (scanpar.c) */
		struct geo *g = so.geo;
		so.geo = NULL;
		so.parallel_min = SIZE_MAX;
		double one = best_of(&so, msg, len, runs, &ips);
		so.parallel_min = 0;
		so.geo = g;
		double rest = one - ph[0] - ph[1] - ph[2] - ph[3];
		printf("scan-bench: phases decode %.1f ms, markers %.1f ms, scan %.1f ms, "
		       "identifiers %.1f ms, findings and walk %.1f ms, geo %.1f ms\n",
		       ph[0] * 1e3, ph[1] * 1e3, ph[2] * 1e3, ph[3] * 1e3, (rest > 0 ? rest : 0) * 1e3,
		       (withgeo > nogeo ? withgeo - nogeo : 0) * 1e3);
		printf("scan-bench: scan on one thread %.3f s, with the identifiers on a second "
		       "thread %.3f s\n", one, nogeo);
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("scan-bench: %.1f MB message, %zu distinct addresses\n", (double)len / 1048576.0, ips);
	printf("scan-bench: scan %.3f s without geo, %.3f s with geo (best of %d)\n", nogeo,
	       withgeo, runs);
	printf("scan-bench: peak RSS %.1f MB = %.2fx the message (mapped message included)\n",
	       (double)ru.ru_maxrss / 1024.0, (double)ru.ru_maxrss * 1024.0 / (double)len);
	geo_close(so.geo);
	scanopt_free(&dom);
	config_free(c);
	munmap(msg, len);
	return 0;
}
