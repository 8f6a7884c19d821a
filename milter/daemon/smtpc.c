/*
 * smtpc.c - a small SMTP client (see smtpc.h): one message per call to a
 * trusted relay.
 *
 * The dialogue: greeting 220, EHLO (HELO when EHLO is refused with 5xx),
 * MAIL FROM, one RCPT TO per recipient (all must be accepted: a refused
 * one fails the whole send with the worst reply, 5xx over 4xx, because a
 * release or notice must reach exactly the recipients asked for), DATA,
 * the message, the final reply, QUIT.
 *
 * The message goes out with every line end as CRLF (a bare LF or a bare
 * CR becomes CRLF, so no "\n.\n" trick can end the data early on a relay
 * that reads bare line ends) and every line that starts with "." doubled
 * (RFC 5321 4.5.2); it ends with CRLF "." CRLF.
 *
 * Every wait is a poll() with the timeout: a reply must be complete
 * within timeout_seconds (however slowly it trickles in), and a write
 * must make progress within it.  Writes use MSG_NOSIGNAL, so a relay that
 * closes never raises SIGPIPE.  Reply lines are cut at 1000 bytes, a reply
 * at 100 lines.  getaddrinfo() itself is not under the timeout: give a
 * numeric address or a name in /etc/hosts for the relay.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/limits.h"
#include "grondslag/daemon/smtpc.h"

#define LINE_MAX_BYTES 1000
#define REPLY_MAX_LINES 100
#define ADDR_MAX RCPT_TEXT_MAX	/* limits.h: every address the milter holds */
#define OUT_BUF 65536
#define DEFAULT_TIMEOUT 30
#define QUIT_TIMEOUT_MS 2000

/* One connection to the relay. */
struct conn {
	int fd;
	int64_t timeout_ms;
	int64_t data_done_ms;	/* the wait for the reply to the end of the data */
	char in[4096];
	size_t in_len, in_pos;
	char out[OUT_BUF];
	size_t out_len;
	char why[200];		/* what went wrong below the SMTP level */
};

/* One reply: code, text (lines joined), the EHLO keywords we use. */
struct reply {
	int code;
	char text[512];
	bool ext_8bitmime, ext_size;
};

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = {.fd = fd, .events = events};
		int n = poll(&p, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n > 0)
			return 1;
	}
}

/* Connect to one address with the timeout; the socket stays non-blocking. */
static int connect_one(const struct addrinfo *ai, int64_t timeout_ms, char *why, size_t wlen)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
			ai->ai_protocol);
	if (fd < 0) {
		snprintf(why, wlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	int err = errno;
	if (err == EINPROGRESS) {
		int w = wait_fd(fd, POLLOUT, now_ms() + timeout_ms);
		socklen_t len = sizeof err;
		if (w == 0)
			err = ETIMEDOUT;
		else if (w < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err == 0)
			return fd;
	}
	snprintf(why, wlen, "connect: %s", strerror(err));
	close(fd);
	return -1;
}

/* Resolve host:port and connect to the first address that answers. */
static int connect_to(const char *host, const char *port, int64_t timeout_ms, char *why,
		      size_t wlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(why, wlen, "resolve %.64s: %s", host, gai_strerror(rc));
		return -1;
	}
	int fd = -1;
	for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = connect_one(ai, timeout_ms, why, wlen);
	freeaddrinfo(res);
	return fd;
}

/* Write the output buffer out; each wait for the socket is bounded. */
static int conn_flush(struct conn *c)
{
	size_t off = 0;
	while (off < c->out_len) {
		ssize_t n = send(c->fd, c->out + off, c->out_len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int w = wait_fd(c->fd, POLLOUT, now_ms() + c->timeout_ms);
			if (w > 0)
				continue;
			snprintf(c->why, sizeof c->why, "%s", w == 0 ? "timeout writing to relay"
								 : strerror(errno));
			return -1;
		}
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			snprintf(c->why, sizeof c->why, "connection closed by the relay (%s)",
				 strerror(errno));
		else
			snprintf(c->why, sizeof c->why, "write to relay: %s",
				 n == 0 ? "nothing written" : strerror(errno));
		return -1;
	}
	c->out_len = 0;
	return 0;
}

/* Append bytes to the output, flushing when the buffer is full. */
static int conn_put(struct conn *c, const char *s, size_t n)
{
	while (n > 0) {
		if (c->out_len == sizeof c->out && conn_flush(c) != 0)
			return -1;
		size_t room = sizeof c->out - c->out_len;
		size_t k = n < room ? n : room;
		memcpy(c->out + c->out_len, s, k);
		c->out_len += k;
		s += k;
		n -= k;
	}
	return 0;
}

/* Next byte from the relay before the deadline: 0..255, or -1. */
static int conn_getc(struct conn *c, int64_t deadline)
{
	while (c->in_pos == c->in_len) {
		int w = wait_fd(c->fd, POLLIN, deadline);
		if (w <= 0) {
			snprintf(c->why, sizeof c->why, "%s",
				 w == 0 ? "timeout waiting for the relay" : strerror(errno));
			return -1;
		}
		ssize_t n = recv(c->fd, c->in, sizeof c->in, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		if (n <= 0) {
			/* A reset is the relay closing too (with our data unread). */
			if (n == 0 || errno == ECONNRESET)
				snprintf(c->why, sizeof c->why, "connection closed by the relay%s",
					 n == 0 ? "" : " (reset)");
			else
				snprintf(c->why, sizeof c->why, "%s", strerror(errno));
			return -1;
		}
		c->in_len = (size_t)n;
		c->in_pos = 0;
	}
	return (unsigned char)c->in[c->in_pos++];
}

/* One reply line without its CRLF, cut at LINE_MAX_BYTES; length or -1. */
static int read_line(struct conn *c, char line[LINE_MAX_BYTES + 1], int64_t deadline)
{
	size_t n = 0;
	for (;;) {
		int ch = conn_getc(c, deadline);
		if (ch < 0)
			return -1;
		if (ch == '\n')
			break;
		if (n < LINE_MAX_BYTES)
			line[n++] = (char)ch;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (int)n;
}

/* Append the sanitised text of a reply line to r->text. */
static void reply_add_text(struct reply *r, const char *text)
{
	size_t n = strlen(r->text);
	if (n > 0 && n + 1 < sizeof r->text)
		r->text[n++] = ' ';
	clean_copy(r->text + n, sizeof r->text - n, text, SIZE_MAX, CLEAN_ASCII);
}

/* Is the EHLO line text the keyword kw (alone or with parameters)? */
static bool keyword(const char *text, const char *kw)
{
	size_t n = strlen(kw);
	return strncasecmp(text, kw, n) == 0 && (text[n] == '\0' || text[n] == ' ');
}

/* Read a whole (multi-line) reply before the deadline; 0 or -1. */
static int read_reply(struct conn *c, struct reply *r, int64_t deadline)
{
	char line[LINE_MAX_BYTES + 1];
	memset(r, 0, sizeof *r);
	for (int i = 0; i < REPLY_MAX_LINES; i++) {
		int n = read_line(c, line, deadline);
		if (n < 0)
			return -1;
		bool digits = n >= 3 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' &&
			      line[1] <= '9' && line[2] >= '0' && line[2] <= '9';
		int code = digits ? (line[0] - '0') * 100 + (line[1] - '0') * 10 + line[2] - '0' : 0;
		if (!digits || (n > 3 && line[3] != ' ' && line[3] != '-') ||
		    (r->code != 0 && code != r->code)) {
			snprintf(c->why, sizeof c->why, "malformed reply from the relay");
			r->code = 0;
			return -1;
		}
		r->code = code;
		const char *text = n > 4 ? line + 4 : "";
		reply_add_text(r, text);
		r->ext_8bitmime |= keyword(text, "8BITMIME");
		r->ext_size |= keyword(text, "SIZE");
		if (n == 3 || line[3] == ' ')
			return 0;
	}
	snprintf(c->why, sizeof c->why, "reply from the relay too long");
	return -1;
}

/* Send one command line and read its reply; 0 or -1 (c->why). */
static int command(struct conn *c, const char *cmd, struct reply *r)
{
	if (conn_put(c, cmd, strlen(cmd)) != 0 || conn_put(c, "\r\n", 2) != 0 ||
	    conn_flush(c) != 0)
		return -1;
	return read_reply(c, r, now_ms() + c->timeout_ms);
}

/* The message: CRLF line ends, dot-stuffed, then "." alone. */
static int send_data(struct conn *c, const char *data, size_t len)
{
	bool bol = true;	/* at the beginning of a line */
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];
		int rc = 0;
		if (ch == '\r' || ch == '\n') {
			if (ch == '\r' && i + 1 < len && data[i + 1] == '\n')
				i++;
			rc = conn_put(c, "\r\n", 2);
			bol = true;
		} else {
			if (bol && ch == '.')
				rc = conn_put(c, ".", 1);
			if (rc == 0)
				rc = conn_put(c, &ch, 1);
			bol = false;
		}
		if (rc != 0)
			return -1;
	}
	if ((!bol && conn_put(c, "\r\n", 2) != 0) || conn_put(c, ".\r\n", 3) != 0)
		return -1;
	return conn_flush(c);
}

/* An address safe to put between <> in MAIL or RCPT ("" allowed). */
static bool safe_address(const char *a, char out[ADDR_MAX + 1])
{
	size_t n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		a++;
		n -= 2;
	}
	if (n > ADDR_MAX)
		return false;
	/* a quoted local part may hold a space and <> (RFC 5321 4.1.2: the
	 * milter holds "<\"john doe\"@example.org>" as given); never a
	 * control character, never a bare space or bracket outside quotes */
	bool quoted = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)a[i];
		if (ch < 0x20 || ch == 0x7f)
			return false;
		if (quoted && ch == '\\' && i + 1 < n && (unsigned char)a[i + 1] >= 0x20 &&
		    a[i + 1] != 0x7f) {
			i++;
			continue;
		}
		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && (ch == ' ' || ch == '<' || ch == '>'))
			return false;
	}
	if (quoted)
		return false;
	memcpy(out, a, n);
	out[n] = '\0';
	return true;
}

/* The queue id in a final reply: Postfix "queued as ID", Sendmail
 * "ID Message accepted for delivery". */
static void parse_queue_id(const char *text, char *out, size_t size)
{
	const char *p = strcasestr(text, "queued as ");
	if (p != NULL) {
		p += strlen("queued as ");
	} else if ((p = strcasestr(text, " Message accepted for delivery")) != NULL) {
		const char *end = p;
		while (p > text && p[-1] != ' ')
			p--;
		if (p == end)
			p = NULL;
	}
	size_t n = 0;
	for (; p != NULL && n + 1 < size && ((*p >= '0' && *p <= '9') ||
					     (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));
	     p++)
		out[n++] = *p;
	out[n] = '\0';
}

/* Map a reply code to the result: 0 ok, 1 temporary, 2 permanent. */
static int outcome(int code, bool ok)
{
	if (ok)
		return 0;
	return code >= 500 && code <= 599 ? 2 : 1;
}

/* Note the reply in res; returns its outcome given the expected code. */
static int expect(const struct reply *r, int want, struct smtpc_result *res)
{
	res->code = r->code;
	snprintf(res->text, sizeof res->text, "%s", r->text);
	bool ok = want == 250 ? (r->code == 250 || r->code == 251) : r->code == want;
	return outcome(r->code, ok);
}

/* The HELO name with anything but [A-Za-z0-9.-:[]] dropped. */
static void clean_helo(const char *in, char out[256])
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p != '\0' && n < 255; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || strchr(".-:[]", *p) != NULL)
			out[n++] = *p;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, 256, "localhost");
}

/* Greeting, EHLO/HELO and MAIL; 0 or the failure outcome. */
static int open_session(struct conn *c, const char *helo, const char *from, size_t len,
			bool eightbit, struct smtpc_result *res)
{
	struct reply r;
	char cmd[ADDR_MAX + 64], name[256];
	clean_helo(helo, name);
	if (read_reply(c, &r, now_ms() + c->timeout_ms) != 0)
		return -1;
	int rc = expect(&r, 220, res);
	if (rc != 0)
		return rc;
	snprintf(cmd, sizeof cmd, "EHLO %s", name);
	if (command(c, cmd, &r) != 0)
		return -1;
	bool ext_8bit = r.ext_8bitmime, ext_size = r.ext_size;
	if (r.code >= 500) {
		/* an old relay: RFC 5321 4.1.4 allows HELO after a refused EHLO */
		snprintf(cmd, sizeof cmd, "HELO %s", name);
		if (command(c, cmd, &r) != 0)
			return -1;
		ext_8bit = ext_size = false;
	}
	if ((rc = expect(&r, 250, res)) != 0)
		return rc;
	int n = snprintf(cmd, sizeof cmd, "MAIL FROM:<%s>", from);
	if (ext_8bit && eightbit)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " BODY=8BITMIME");
	if (ext_size)
		snprintf(cmd + n, sizeof cmd - (size_t)n, " SIZE=%zu", len);
	if (command(c, cmd, &r) != 0)
		return -1;
	return expect(&r, 250, res);
}

/* RCPT TO for each; every one must be accepted.  0, -1 or the outcome of
 * the worst refusal (5xx over 4xx), noted in res. */
static int recipients(struct conn *c, char (*rcpts)[ADDR_MAX + 1], size_t n,
		      struct smtpc_result *res)
{
	struct reply r, worst = {0};
	int worst_rc = 0;
	char cmd[ADDR_MAX + 16];
	for (size_t i = 0; i < n; i++) {
		snprintf(cmd, sizeof cmd, "RCPT TO:<%s>", rcpts[i]);
		if (command(c, cmd, &r) != 0)
			return -1;
		int rc = expect(&r, 250, res);
		if (rc > worst_rc) {
			worst_rc = rc;
			worst = r;
		}
	}
	if (worst_rc != 0)
		expect(&worst, 0, res);
	return worst_rc;
}

/* The dialogue after connecting: 0, 1 or 2. */
static int dialogue(struct conn *c, const char *helo, const char *from,
		    char (*rcpts)[ADDR_MAX + 1], size_t nrcpts, const char *data, size_t len,
		    struct smtpc_result *res)
{
	struct reply r;
	bool eightbit = false;
	for (size_t i = 0; i < len && !eightbit; i++)
		eightbit = (unsigned char)data[i] >= 0x80;
	int rc = open_session(c, helo, from, len, eightbit, res);
	if (rc == 0)
		rc = recipients(c, rcpts, nrcpts, res);
	if (rc == 0 && command(c, "DATA", &r) != 0)
		rc = -1;
	if (rc == 0)
		rc = expect(&r, 354, res);
	if (rc == 0 && (send_data(c, data, len) != 0 ||
			read_reply(c, &r, now_ms() + c->data_done_ms) != 0))
		rc = -1;
	if (rc == 0 && (rc = expect(&r, 250, res)) == 0)
		parse_queue_id(r.text, res->queue_id, sizeof res->queue_id);
	if (rc < 0) {
		/* below SMTP: no reply to the step that failed; why explains */
		res->code = 0;
		snprintf(res->text, sizeof res->text, "%s", c->why);
		return 1;
	}
	/* QUIT politely, but the outcome is already decided */
	c->timeout_ms = c->timeout_ms < QUIT_TIMEOUT_MS ? c->timeout_ms : QUIT_TIMEOUT_MS;
	command(c, "QUIT", &r);
	return rc;
}

int smtpc_send(const char *host, const char *port, const char *helo, const char *from,
	       const char *const *rcpts, size_t nrcpts, const char *data, size_t len,
	       unsigned timeout_seconds, struct smtpc_result *res)
{
	return smtpc_send_waiting(host, port, helo, from, rcpts, nrcpts, data, len,
				  timeout_seconds, timeout_seconds, res);
}

int smtpc_send_waiting(const char *host, const char *port, const char *helo, const char *from,
		       const char *const *rcpts, size_t nrcpts, const char *data, size_t len,
		       unsigned timeout_seconds, unsigned data_done_seconds,
		       struct smtpc_result *res)
{
	struct smtpc_result dummy;
	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof *res);
	char sender[ADDR_MAX + 1];
	char(*to)[ADDR_MAX + 1] = NULL;
	if (host == NULL || port == NULL || from == NULL || rcpts == NULL || nrcpts == 0 ||
	    (data == NULL && len > 0) || !safe_address(from, sender) ||
	    (to = calloc(nrcpts, sizeof *to)) == NULL) {
		snprintf(res->text, sizeof res->text, "invalid arguments");
		return 2;
	}
	for (size_t i = 0; i < nrcpts; i++) {
		if (rcpts[i] == NULL || !safe_address(rcpts[i], to[i]) || to[i][0] == '\0') {
			snprintf(res->text, sizeof res->text, "invalid recipient address");
			free(to);
			return 2;
		}
	}
	struct conn *c = calloc(1, sizeof *c);
	if (c == NULL) {
		free(to);
		snprintf(res->text, sizeof res->text, "out of memory");
		return 1;
	}
	c->timeout_ms = (int64_t)(timeout_seconds ? timeout_seconds : DEFAULT_TIMEOUT) * 1000;
	c->data_done_ms = data_done_seconds > timeout_seconds ? (int64_t)data_done_seconds * 1000
							      : c->timeout_ms;
	int rc = 1;
	c->fd = connect_to(host, port, c->timeout_ms, c->why, sizeof c->why);
	if (c->fd < 0)
		snprintf(res->text, sizeof res->text, "%s", c->why);
	else
		rc = dialogue(c, helo, sender, to, nrcpts,
			      data ? data : "", len, res);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	free(to);
	return rc;
}
