/*
 * ctl.c - the console's one way to the daemon: one JSON request line on
 * ControlSocket, one answer line back (see grondslag/ctlsock.h).  The
 * daemon identifies the console by SO_PEERCRED; the request names the
 * person (on_behalf_of), which the daemon accepts only because the
 * console's login is a ControlConsoleUser.
 *
 * Public functions: web_ctl_call(), web_answer_free().
 * Limits: WEB_ANSWER_MAX bytes of answer; WEB_CTL_TIMEOUT seconds per
 * read or write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "grondslag/base/jsonr.h"
#include "web.h"

#define WEB_ANSWER_MAX (32u << 20)
#define WEB_CTL_TIMEOUT 30

/* Connect to path; the socket or -1 + why. */
static int dial(const char *path, char *why, size_t whylen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (path == NULL || *path == '\0' || strlen(path) >= sizeof sa.sun_path) {
		snprintf(why, whylen, "no usable ControlSocket");
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		snprintf(why, whylen, "the daemon is not reachable (%s)", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct timeval tv = {WEB_CTL_TIMEOUT, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

/* Read the whole answer of fd (malloc'ed) or NULL. */
static char *read_all(int fd, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *n = ncap <= WEB_ANSWER_MAX ? realloc(buf, ncap) : NULL;
			if (n == NULL) {
				free(buf);
				return NULL;
			}
			buf = n;
			cap = ncap;
		}
		ssize_t r = read(fd, buf + *len, cap - *len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	buf[*len] = '\0';
	return buf;
}

int web_ctl_call(const char *path, const char *req, size_t len, struct web_answer *a,
		 char *why, size_t whylen)
{
	memset(a, 0, sizeof *a);
	int fd = dial(path, why, whylen);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	size_t alen = 0;
	a->raw = off == len ? read_all(fd, &alen) : NULL;
	close(fd);
	struct jsonr_limits lim = {.max_bytes = WEB_ANSWER_MAX, .max_depth = 20};
	a->doc = a->raw != NULL ? jsonr_parse(a->raw, alen, &lim, NULL) : NULL;
	a->root = jsonr_root(a->doc);
	if (a->doc == NULL || jsonr_type(a->root) != JSONR_OBJECT) {
		snprintf(why, whylen, "no answer from the daemon");
		web_answer_free(a);
		return -1;
	}
	a->status = jsonr_str(jsonr_get(a->root, "status"));
	if (a->status == NULL)
		a->status = "error";
	a->error = jsonr_str(jsonr_get(a->root, "error"));
	if (strcmp(a->status, "ok") != 0 && a->error == NULL)
		a->error = "the daemon gave no reason";
	return 0;
}

void web_answer_free(struct web_answer *a)
{
	jsonr_free(a->doc);
	free(a->raw);
	memset(a, 0, sizeof *a);
}
