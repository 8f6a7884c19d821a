/*
 * ctlsock.c - the control socket's server: a unix stream socket at
 * ControlSocket and one thread of the daemon that accepts connections
 * one at a time, identifies the caller with SO_PEERCRED (never with
 * anything the client says), reads one request line and writes one
 * answer (ctlsock_req.c).  See ctlsock.h for the protocol and the roles.
 *
 * The socket file: created under umask 0777 (no window in which it has
 * other permissions), then chmod 0666, because the identity check is
 * the kernel's peer credentials, not file modes: a user in no role can
 * connect, is refused, and the attempt is recorded.  A stale socket
 * file (nobody listening) is replaced; a live one is an error (a second
 * daemon).
 *
 * Public functions: ctlsock_open(), ctlsock_run(), ctlsock_close().
 * Limits: CTLSOCK_REQUEST_MAX bytes per request, CTLSOCK_TIMEOUT seconds
 * to send it and to take the answer; one connection at a time (which is
 * also why env.refusals needs no lock: only this thread touches it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock_priv.h"
#include "grondslag/log.h"

struct ctlsock {
	int fd;				/* listening socket */
	int stop[2];			/* pipe: written to stop the thread */
	char *path;
	pthread_t thread;
	bool running;
	struct ctlsock_env env;
};

/* Fill a sockaddr_un for path; false when it does not fit. */
static bool make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path)
		return false;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return true;
}

/* Remove a stale socket file at path; -1 when a daemon still listens
 * there or the file is not a socket. */
static int remove_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "ControlSocket %.200s: exists and is not a socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0) {
		close(fd);
		snprintf(err, errlen, "ControlSocket %.200s: in use by another process", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return 0;
}

struct ctlsock *ctlsock_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	if (!make_addr(path, &sa)) {
		snprintf(err, errlen, "ControlSocket %.200s: path too long", path);
		return NULL;
	}
	if (remove_stale(path, &sa, err, errlen) != 0)
		return NULL;
	struct ctlsock *cs = calloc(1, sizeof *cs);
	if (cs == NULL || (cs->path = strdup(path)) == NULL) {
		free(cs);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->stop[0] = cs->stop[1] = -1;
	cs->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old = umask(0777);
	int rc = cs->fd < 0 ? -1 : bind(cs->fd, (const struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc != 0 || chmod(path, 0666) != 0 || listen(cs->fd, 16) != 0 ||
	    pipe2(cs->stop, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "ControlSocket %.200s: %s", path, strerror(errno));
		if (rc == 0)
			unlink(path);
		ctlsock_close(cs);
		return NULL;
	}
	return cs;
}

/* The login name of uid into buf ("#UID" when it has none). */
static void user_of(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[4096];
	if (getpwuid_r(uid, &pw, tmp, sizeof tmp, &res) == 0 && res != NULL &&
	    strlen(res->pw_name) < len)
		snprintf(buf, len, "%s", res->pw_name);
	else
		snprintf(buf, len, "#%ld", (long)uid);
}

/* Read one request line (bounded, with the socket's timeout): its length,
 * or -1 (timeout, error, too long, or nothing). */
static ssize_t read_request(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n > 0 && r == 0 ? (ssize_t)n : -1;
		char *nl = memchr(buf + n, '\n', (size_t)r);
		n += (size_t)r;
		if (nl != NULL)
			return nl - buf;
	}
	return -1;
}

/* Write all of buf (bounded by the socket's send timeout). */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

/* Serve one connection. */
static void serve(struct ctlsock *cs, int fd, char *buf)
{
	struct ucred cred;
	socklen_t cl = sizeof cred;
	struct timeval tv = {CTLSOCK_TIMEOUT, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0) {
		log_msg(LOG_ERR, "control socket: SO_PEERCRED: %s", strerror(errno));
		return;
	}
	char user[64];
	user_of(cred.uid, user, sizeof user);
	struct ctlsock_peer peer = {.uid = (long)cred.uid, .user = user};
	ssize_t n = read_request(fd, buf, CTLSOCK_REQUEST_MAX);
	static const char toolong[] =
		"{\"status\":\"bad-request\",\"error\":\"no request line within the limits\"}\n";
	if (n < 0) {
		write_all(fd, toolong, sizeof toolong - 1);
		return;
	}
	void *pin = NULL;
	const struct config *c = cs->env.config_get(cs->env.arg, &pin);
	char *resp = NULL;
	size_t rlen = 0;
	int rc = c != NULL ? ctlsock_handle(&cs->env, c, &peer, buf, (size_t)n, &resp, &rlen) : -1;
	if (c != NULL)
		cs->env.config_put(cs->env.arg, pin);
	if (rc != 0) {
		static const char oom[] = "{\"status\":\"error\",\"error\":\"out of memory\"}\n";
		write_all(fd, oom, sizeof oom - 1);
		return;
	}
	log_msg(LOG_INFO, "control: uid %ld (%s) request of %zd bytes answered", peer.uid, user, n);
	write_all(fd, resp, rlen);
	free(resp);
}

/* The thread: accept until the stop pipe is written, then record the
 * pending refusal counts. */
static void *loop(void *arg)
{
	struct ctlsock *cs = arg;
	char *buf = malloc(CTLSOCK_REQUEST_MAX);
	if (buf == NULL) {
		log_msg(LOG_ERR, "control socket: out of memory, not serving");
		return NULL;
	}
	for (;;) {
		struct pollfd p[2] = {{cs->fd, POLLIN, 0}, {cs->stop[0], POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "control socket: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		int fd = accept4(cs->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve(cs, fd, buf);
		close(fd);
	}
	/* here, in the thread that owns the refusal counts (no lock): the
	 * counts of open windows are recorded before the daemon's "stop" */
	ctlsock_refusals_drain(&cs->env, 0);
	free(buf);
	return NULL;
}

int ctlsock_run(struct ctlsock *cs, const struct ctlsock_env *env, char *err, size_t errlen)
{
	if (cs == NULL || env == NULL || env->config_get == NULL || env->config_put == NULL) {
		snprintf(err, errlen, "control socket: nothing to run");
		return -1;
	}
	cs->env = *env;
	int rc = pthread_create(&cs->thread, NULL, loop, cs);
	if (rc != 0) {
		snprintf(err, errlen, "control socket: thread: %s", strerror(rc));
		return -1;
	}
	cs->running = true;
	return 0;
}

void ctlsock_close(struct ctlsock *cs)
{
	if (cs == NULL)
		return;
	if (cs->running) {
		ssize_t w;
		do
			w = write(cs->stop[1], "x", 1);
		while (w < 0 && errno == EINTR);
		pthread_join(cs->thread, NULL);
	}
	if (cs->fd >= 0) {
		close(cs->fd);
		/* may fail after privileges were dropped; the next start
		 * replaces the stale file */
		unlink(cs->path);
	}
	for (int i = 0; i < 2; i++)
		if (cs->stop[i] >= 0)
			close(cs->stop[i]);
	free(cs->path);
	free(cs);
}
