/*
 * spool.c - memory first, then a private unlinked temporary file; the end
 * result is one contiguous buffer.  See spool.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/base/spool.h"

/* A connection keeps up to this much memory between messages. */
#define SPOOL_KEEP (64u << 10)

struct spool {
	char *dir;
	size_t mem_max;
	uint64_t max_bytes;
	char *buf;		/* memory part */
	size_t len, cap;
	int fd;			/* -1 while in memory */
	uint64_t size;		/* bytes written in all */
	void *map;		/* mmap after finish (file) */
	size_t map_len;
	bool finished;
};

struct spool *spool_alloc(const char *dir, size_t mem_max, uint64_t max_bytes)
{
	struct spool *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->dir = strdup(dir != NULL && *dir ? dir : "/tmp");
	if (s->dir == NULL) {
		free(s);
		return NULL;
	}
	s->mem_max = mem_max;
	s->max_bytes = max_bytes;
	s->fd = -1;
	return s;
}

void spool_reset(struct spool *s)
{
	if (s == NULL)
		return;
	if (s->map != NULL)
		munmap(s->map, s->map_len);
	s->map = NULL;
	s->map_len = 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->cap > SPOOL_KEEP) {
		free(s->buf);
		s->buf = NULL;
		s->cap = 0;
	}
	s->len = 0;
	s->size = 0;
	s->finished = false;
}

void spool_free(struct spool *s)
{
	if (s == NULL)
		return;
	spool_reset(s);
	free(s->buf);
	free(s->dir);
	free(s);
}

/* Open an anonymous file in the spool directory: nobody else can open it,
 * and it vanishes when closed, crash or not. */
static int spool_tmpfile(const char *dir, char *err, size_t errlen)
{
#ifdef O_TMPFILE
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
		snprintf(err, errlen, "spool %.200s: %s", dir, strerror(errno));
		return -1;
	}
#endif
	char path[4096];
	if (snprintf(path, sizeof path, "%s/msg.XXXXXX", dir) >= (int)sizeof path) {
		snprintf(err, errlen, "spool directory name too long");
		return -1;
	}
	int f = mkostemp(path, O_CLOEXEC);
	if (f < 0) {
		snprintf(err, errlen, "spool %.200s: %s", dir, strerror(errno));
		return -1;
	}
	unlink(path);
	return f;
}

/* write() all of buf, retrying short writes. */
static int write_all(int fd, const char *buf, size_t len, char *err, size_t errlen)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "spool write: %s", n < 0 ? strerror(errno) : "short write");
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Grow the memory buffer to hold need bytes (doubling). */
static int spool_grow(struct spool *s, size_t need)
{
	if (need <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap : 8192;
	while (cap < need)
		cap *= 2;
	char *b = realloc(s->buf, cap);
	if (b == NULL)
		return -1;
	s->buf = b;
	s->cap = cap;
	return 0;
}

int spool_write(struct spool *s, const void *buf, size_t len, char *err, size_t errlen)
{
	if (s->finished) {
		snprintf(err, errlen, "spool: write after finish");
		return -1;
	}
	if (s->max_bytes != 0 && s->size + len > s->max_bytes) {
		snprintf(err, errlen, "spool: message larger than %llu bytes",
			 (unsigned long long)s->max_bytes);
		return -1;
	}
	if (s->fd < 0 && s->len + len > s->mem_max) {
		/* Over the memory bound: move what we have to a file. */
		s->fd = spool_tmpfile(s->dir, err, errlen);
		if (s->fd < 0)
			return -1;
		if (write_all(s->fd, s->buf, s->len, err, errlen) != 0)
			return -1;
		s->len = 0;
	}
	if (s->fd >= 0) {
		if (write_all(s->fd, buf, len, err, errlen) != 0)
			return -1;
	} else {
		if (spool_grow(s, s->len + len) != 0) {
			snprintf(err, errlen, "spool: out of memory");
			return -1;
		}
		if (len > 0)
			memcpy(s->buf + s->len, buf, len);
		s->len += len;
	}
	s->size += len;
	return 0;
}

int spool_crlf(struct spool *s, const char *text, size_t len, char *err, size_t errlen)
{
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n' || (i > 0 && text[i - 1] == '\r'))
			continue;
		if (spool_write(s, text + start, i - start, err, errlen) != 0 ||
		    spool_write(s, "\r\n", 2, err, errlen) != 0)
			return -1;
		start = i + 1;
	}
	return spool_write(s, text + start, len - start, err, errlen);
}

int spool_finish(struct spool *s, const char **data, size_t *len, char *err, size_t errlen)
{
	if (!s->finished && s->fd >= 0 && s->size > 0) {
		void *m = mmap(NULL, (size_t)s->size, PROT_READ, MAP_PRIVATE, s->fd, 0);
		if (m == MAP_FAILED) {
			snprintf(err, errlen, "spool mmap: %s", strerror(errno));
			return -1;
		}
		s->map = m;
		s->map_len = (size_t)s->size;
	}
	s->finished = true;
	if (s->map != NULL) {
		*data = s->map;
		*len = s->map_len;
	} else {
		*data = s->buf != NULL ? s->buf : "";
		*len = s->len;
	}
	return 0;
}

uint64_t spool_size(const struct spool *s)
{
	return s->size;
}

bool spool_on_disk(const struct spool *s)
{
	return s->fd >= 0;
}
