/*
 * ctl.c - the pieces of the command-line tool that its commands share
 * (see ctl.h): a whole file in memory (mapped when possible, read from a
 * pipe otherwise), the configuration loaded with its errors printed, the
 * geo databases opened for one run.  main.c dispatches to the commands;
 * the commands call these; nothing here calls either.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"

/* A file this large is mapped page table by page table on a second
 * thread while the command starts reading it: the mapping of ~100 MB
 * costs ~7 ms, and the second processor is idle until the scan's own
 * second thread starts. */
#define PREFAULT_MIN (16u << 20)
#define PREFAULT_STEP (4u << 20)

static void *prefault_ahead(void *arg)
{
	const struct ctl_file *f = arg;
	for (size_t o = 0; o < f->len; o += PREFAULT_STEP) {
		size_t n = f->len - o < PREFAULT_STEP ? f->len - o : PREFAULT_STEP;
		/* an older kernel without it: the reader's faults map them */
		if (madvise(f->data + o, n, MADV_POPULATE_READ) != 0)
			break;
	}
	return NULL;
}

int ctl_file_read(const char *path, struct ctl_file *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "grondslag: %s: is a directory\n", path);
		close(fd);
		return -1;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		/* populated at once: every byte is read, and one call costs
		 * less than a fault every few pages; a large file on a
		 * thread of its own, ahead of the reader (prefault_ahead) */
		bool ahead = (size_t)st.st_size >= PREFAULT_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1;
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ,
			       MAP_PRIVATE | (ahead ? 0 : MAP_POPULATE), fd, 0);
		if (p != MAP_FAILED) {
			close(fd);
			out->data = p;
			out->len = (size_t)st.st_size;
			out->mapped = true;
			out->prefaulting = ahead && pthread_create(&out->prefault, NULL,
								   prefault_ahead, out) == 0;
			return 0;
		}
	}
	/* Pipes and empty files: read. */
	size_t cap = 0;
	for (;;) {
		if (out->len == cap) {
			cap = cap ? cap * 2 : 65536;
			char *n = realloc(out->data, cap);
			if (n == NULL) {
				fprintf(stderr, "grondslag: %s: out of memory\n", path);
				free(out->data);
				close(fd);
				return -1;
			}
			out->data = n;
		}
		ssize_t r = read(fd, out->data + out->len, cap - out->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "grondslag: %s: %s\n", path, strerror(errno));
			free(out->data);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		out->len += (size_t)r;
	}
	close(fd);
	return 0;
}

void ctl_file_release(struct ctl_file *f)
{
	if (f->prefaulting)
		pthread_join(f->prefault, NULL);
	if (f->mapped)
		munmap(f->data, f->len);
	else
		free(f->data);
	memset(f, 0, sizeof *f);
}

struct config *ctl_config(const char *path)
{
	char err[8192];
	struct config *c = config_load(path, err, sizeof err);
	if (c == NULL)
		fprintf(stderr, "grondslag: configuration error:\n%s\n", err);
	return c;
}

struct config *ctl_config_or_default(const char *path)
{
	if (path == NULL && access(CTL_DEFAULT_CONFIG, R_OK) == 0)
		path = CTL_DEFAULT_CONFIG;
	return ctl_config(path);
}

struct geo *ctl_geo(const struct config *c, bool *failed)
{
	struct geo_options o;
	char err[1024] = "";
	config_geo_options(c, &o);
	/* one run, then gone: the daemon's private copy would be most of
	 * the start-up (geo.h) */
	o.map_in_place = true;
	*failed = false;
	if (o.country_db == NULL && o.asn_db == NULL)
		return NULL;
	struct geo *g = geo_open(&o, err, sizeof err);
	if (g == NULL) {
		fprintf(stderr, "grondslag: %s\n", err);
		*failed = true;
	}
	return g;
}
