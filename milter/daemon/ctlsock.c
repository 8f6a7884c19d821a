/*
 * ctlsock.c - the control socket's server: a unix stream socket at
 * ControlSocket and one thread of the daemon with one poll() loop over
 * every open connection: it identifies each caller with SO_PEERCRED
 * (never with anything the client says), reads one request line and
 * writes one answer (ctlsock_req.c).  See ctlsock.h for the protocol
 * and the roles.
 *
 * Why an event loop: a local user without a role must not be able to
 * keep a jurist waiting.  Nothing blocks on one client: reads and writes
 * are non-blocking, a request must be complete within
 * ControlRequestTimeout counted from the accept (a byte every few
 * seconds does not stretch it), and one uid holds at most
 * ControlUserConnections connections (a ControlConsoleUser, which speaks
 * for many people, ControlConsoleConnections).  Requests themselves are
 * answered one after another in this thread (short store transactions),
 * which is also why env.refusals needs no lock.  A slow, oversized or
 * empty request and a connection over the limit are answered, logged and
 * recorded as refusals of the caller (bounded: ctlsock_refuse.c).
 *
 * The socket file: created under umask 0777 (no window in which it has
 * other permissions), then chmod 0666, because the identity check is
 * the kernel's peer credentials, not file modes: a user in no role can
 * connect, is refused, and the attempt is recorded.  A stale socket
 * file (nobody listening) is replaced; a live one is an error (a second
 * daemon).
 *
 * Public functions: ctlsock_open(), ctlsock_run(), ctlsock_close().
 * Limits: CTLSOCK_REQUEST_MAX bytes per request; CTLSOCK_CONN_MAX open
 * connections in all (more wait in the listen backlog); an answer the
 * client stops taking for CTLSOCK_WRITE_IDLE seconds is dropped (a long
 * answer read slowly is not cut).
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
#include <time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock_priv.h"
#include "grondslag/base/log.h"

/* One client connection: reading its request (until the deadline), then
 * writing the answer (as long as the client keeps taking it). */
struct conn {
	int fd;
	long uid;
	char user[64];
	char *in;			/* the request so far */
	size_t inlen, incap;
	bool answering;			/* the request is in, out is the answer */
	char *out;
	size_t outlen, outoff;
	int64_t due;			/* ms (monotonic): the request's deadline,
					 * then the answer's idle limit */
};

struct ctlsock {
	int fd;				/* listening socket */
	int stop[2];			/* pipe: written to stop the thread */
	char *path;
	pthread_t thread;
	bool running;
	struct ctlsock_env env;
	struct conn *conns;		/* CTLSOCK_CONN_MAX, the first nconns open */
	size_t nconns;
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
	cs->conns = calloc(CTLSOCK_CONN_MAX, sizeof *cs->conns);
	cs->fd = cs->conns == NULL ? -1 : socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
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

/* Milliseconds of the monotonic clock (deadlines survive clock steps). */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Drop connection i (the table stays dense: the last one moves in). */
static void conn_drop(struct ctlsock *cs, size_t i)
{
	struct conn *k = &cs->conns[i];
	close(k->fd);
	free(k->in);
	free(k->out);
	cs->conns[i] = cs->conns[--cs->nconns];
}

/* Write what the client takes now; true when the answer is complete or
 * the client is gone (drop it), false to wait for POLLOUT. */
static bool conn_flush(struct conn *k, int64_t now)
{
	while (k->outoff < k->outlen) {
		ssize_t w = send(k->fd, k->out + k->outoff, k->outlen - k->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (w <= 0)
			return true;
		k->outoff += (size_t)w;
		/* a long answer may take long: only a client that stops
		 * taking it is cut, never one that is slowly reading */
		k->due = now + CTLSOCK_WRITE_IDLE * 1000;
	}
	return true;
}

/* Start writing resp (malloc'ed; NULL: out of memory) to k. */
static void conn_answer(struct conn *k, char *resp, size_t rlen, int64_t now)
{
	static const char oom[] = "{\"status\":\"error\",\"error\":\"out of memory\"}\n";
	free(k->in);
	k->in = NULL;
	k->inlen = k->incap = 0;
	k->answering = true;
	if (resp == NULL && (resp = strdup(oom)) != NULL)
		rlen = sizeof oom - 1;
	k->out = resp;
	k->outlen = resp != NULL ? rlen : 0;
	k->outoff = 0;
	k->due = now + CTLSOCK_WRITE_IDLE * 1000;
}

/* Answer k's request of len bytes. */
static void conn_request(struct ctlsock *cs, struct conn *k, size_t len, int64_t now)
{
	struct ctlsock_peer peer = {.uid = k->uid, .user = k->user};
	void *pin = NULL;
	const struct config *c = cs->env.config_get(cs->env.arg, &pin);
	char *resp = NULL;
	size_t rlen = 0;
	if (c != NULL && ctlsock_handle(&cs->env, c, &peer, k->in, len, &resp, &rlen) != 0)
		resp = NULL;
	if (c != NULL)
		cs->env.config_put(cs->env.arg, pin);
	conn_answer(k, resp, rlen, now);
}

/* Answer k with a rejection (status, why): a request that never came
 * within the limits, or a connection over its caller's limit.  Logged
 * and recorded as a refusal of the caller, within the refusal limit. */
static void conn_reject(struct ctlsock *cs, struct conn *k, const char *status, const char *why,
			int64_t now)
{
	struct ctlsock_peer peer = {.uid = k->uid, .user = k->user};
	void *pin = NULL;
	const struct config *c = cs->env.config_get(cs->env.arg, &pin);
	char *resp = NULL;
	size_t rlen = 0;
	if (c == NULL || ctlsock_reject(&cs->env, c, &peer, status, why, &resp, &rlen) != 0)
		resp = NULL;
	if (c != NULL)
		cs->env.config_put(cs->env.arg, pin);
	conn_answer(k, resp, rlen, now);
}

/* Read what k sent; a complete request is answered.  False when k is to
 * be dropped. */
static bool conn_read(struct ctlsock *cs, struct conn *k, int64_t now)
{
	for (;;) {
		if (k->inlen == k->incap) {
			if (k->incap == CTLSOCK_REQUEST_MAX) {
				conn_reject(cs, k, "bad-request",
					    "oversized request: no request line within the limit "
					    "of " CTLSOCK_REQUEST_MAX_TEXT " bytes", now);
				return true;
			}
			size_t cap = k->incap ? k->incap * 4 : 4096;
			char *p = realloc(k->in, cap < CTLSOCK_REQUEST_MAX ? cap : CTLSOCK_REQUEST_MAX);
			if (p == NULL)
				return false;
			k->in = p;
			k->incap = cap < CTLSOCK_REQUEST_MAX ? cap : CTLSOCK_REQUEST_MAX;
		}
		ssize_t r = recv(k->fd, k->in + k->inlen, k->incap - k->inlen, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (r < 0)
			return false;
		if (r == 0) {
			/* the client closed its side: what came is the request */
			if (k->inlen > 0)
				conn_request(cs, k, k->inlen, now);
			else
				conn_reject(cs, k, "bad-request", "malformed request: empty", now);
			return true;
		}
		char *nl = memchr(k->in + k->inlen, '\n', (size_t)r);
		k->inlen += (size_t)r;
		if (nl != NULL) {
			conn_request(cs, k, (size_t)(nl - k->in), now);
			return true;
		}
	}
}

/* Accept one pending connection into the table (or refuse it). */
static void conn_accept(struct ctlsock *cs, int64_t now)
{
	int fd = accept4(cs->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	struct ucred cred;
	socklen_t cl = sizeof cred;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0) {
		log_msg(LOG_ERR, "control socket: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	struct conn *k = &cs->conns[cs->nconns++];
	memset(k, 0, sizeof *k);
	k->fd = fd;
	k->uid = (long)cred.uid;
	user_of(cred.uid, k->user, sizeof k->user);
	void *pin = NULL;
	const struct config *c = cs->env.config_get(cs->env.arg, &pin);
	uint64_t limit = 1, timeout = 1;
	if (c != NULL) {
		limit = config_uint(c, ctlsock_is_console(c, k->user) ? CONF_CONTROL_CONSOLE_CONNECTIONS
							      : CONF_CONTROL_USER_CONNECTIONS);
		timeout = config_uint(c, CONF_CONTROL_REQUEST_TIMEOUT);
		cs->env.config_put(cs->env.arg, pin);
	}
	/* the whole request within the deadline, however it is sliced */
	k->due = now + (int64_t)timeout * 1000;
	uint64_t open = 0;
	for (size_t i = 0; i + 1 < cs->nconns; i++)
		open += cs->conns[i].uid == k->uid;
	if (open >= limit) {
		char why[160];
		snprintf(why, sizeof why, "too many connections: this user holds %llu open, the "
			 "limit is %llu", (unsigned long long)open, (unsigned long long)limit);
		conn_reject(cs, k, "refused", why, now);
	}
}

/* Cut the connections past their deadline. */
static void conn_expire(struct ctlsock *cs, int64_t now)
{
	for (size_t i = cs->nconns; i-- > 0;) {
		struct conn *k = &cs->conns[i];
		if (now < k->due)
			continue;
		if (k->answering) {
			log_msg(LOG_NOTICE, "control: uid %ld (%s) took no answer for %d s, cut",
				k->uid, k->user, CTLSOCK_WRITE_IDLE);
			conn_drop(cs, i);
			continue;
		}
		conn_reject(cs, k, "bad-request",
			    "slow request: the request line was not complete within "
			    "ControlRequestTimeout", now);
		/* one try to tell it why, then it goes: it was not reading fast
		 * enough to deserve more */
		conn_flush(k, now);
		conn_drop(cs, i);
	}
}

/* The earliest deadline as a poll timeout (-1: none). */
static int next_timeout(const struct ctlsock *cs, int64_t now)
{
	int64_t t = -1;
	for (size_t i = 0; i < cs->nconns; i++) {
		int64_t d = cs->conns[i].due - now;
		if (t < 0 || d < t)
			t = d < 0 ? 0 : d;
	}
	return t > 60000 ? 60000 : (int)t;
}

/* The thread: one event loop for every connection (requests are answered
 * one after another, which is also why env.refusals needs no lock), until
 * the stop pipe is written; then record the pending refusal counts. */
static void *loop(void *arg)
{
	struct ctlsock *cs = arg;
	struct pollfd p[2 + CTLSOCK_CONN_MAX];
	for (;;) {
		int64_t now = now_ms();
		size_t n = 0;
		p[n++] = (struct pollfd){cs->stop[0], POLLIN, 0};
		/* a full table leaves new clients in the kernel's backlog */
		p[n++] = (struct pollfd){cs->nconns < CTLSOCK_CONN_MAX ? cs->fd : -1, POLLIN, 0};
		for (size_t i = 0; i < cs->nconns; i++)
			p[n++] = (struct pollfd){cs->conns[i].fd,
						 cs->conns[i].answering ? POLLOUT : POLLIN, 0};
		if (poll(p, n, next_timeout(cs, now)) < 0) {
			if (errno == EINTR)
				continue;
			log_msg(LOG_ERR, "control socket: poll: %s", strerror(errno));
			break;
		}
		if (p[0].revents)
			break;
		now = now_ms();
		/* backwards, so that a drop (the last moves in) skips nothing */
		for (size_t i = cs->nconns; i-- > 0;) {
			struct conn *k = &cs->conns[i];
			short ev = p[2 + i].revents;
			if (ev == 0)
				continue;
			bool drop = false;
			if (!k->answering)
				drop = !conn_read(cs, k, now);
			if (!drop && k->answering)
				drop = conn_flush(k, now);
			if (drop)
				conn_drop(cs, i);
		}
		conn_expire(cs, now);
		if (p[1].revents & POLLIN)
			for (int a = 0; a < 16 && cs->nconns < CTLSOCK_CONN_MAX; a++) {
				size_t before = cs->nconns;
				conn_accept(cs, now);
				if (cs->nconns == before)
					break;
				struct conn *k = &cs->conns[cs->nconns - 1];
				if (k->answering && conn_flush(k, now))
					conn_drop(cs, cs->nconns - 1);
			}
	}
	while (cs->nconns > 0)
		conn_drop(cs, cs->nconns - 1);
	/* here, in the thread that owns the refusal counts (no lock): the
	 * counts of open windows are recorded before the daemon's "stop" */
	ctlsock_refusals_drain(&cs->env, 0);
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
	free(cs->conns);
	free(cs->path);
	free(cs);
}
