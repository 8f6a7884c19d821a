/*
 * test_smtpc.c - the SMTP client against a scripted fake relay in a
 * thread on 127.0.0.1 (an ephemeral port): accepted mail with its queue
 * id (Postfix and Sendmail wording), multi-line and over-long replies,
 * HELO fallback, 4xx/5xx at every step and the worst of several refused
 * recipients, a relay that closes or stalls (the timeout holds, no
 * SIGPIPE), a late reply to the data waited for only as long as asked, and
 * what the relay received: CRLF line ends and dot-stuffing.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/base/limits.h"
#include "grondslag/daemon/smtpc.h"

/* After a step the fake relay goes on, closes, or stops answering;
 * LATE: as GO_ON, but the reply comes 2 s late. */
enum after { GO_ON, CLOSE, STALL, LATE };

/* One step: read a line starting with expect (NULL: read nothing; "."
 * the message up to CRLF.CRLF; "~" a few bytes of it), then send reply. */
struct step {
	const char *expect;
	const char *reply;
	enum after after;
};

#define MAX_STEPS 12

struct fake {
	int lfd;
	char port[16];
	struct step steps[MAX_STEPS];
	pthread_t thread;
	/* what the relay saw */
	char commands[8192];
	char *data;
	size_t data_len;
	char mismatch[256];
	/* reader state */
	char buf[4096];
	size_t len, pos;
};

/* Next byte from the client within 5 s, -1 on EOF or timeout. */
static int fake_getc(struct fake *f, int fd)
{
	if (f->pos == f->len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 5000) <= 0)
			return -1;
		ssize_t n = recv(fd, f->buf, sizeof f->buf, 0);
		if (n <= 0)
			return -1;
		f->len = (size_t)n;
		f->pos = 0;
	}
	return (unsigned char)f->buf[f->pos++];
}

/* One command line (without CRLF) into line; false on EOF. */
static bool fake_line(struct fake *f, int fd, char *line, size_t size)
{
	size_t n = 0;
	for (;;) {
		int c = fake_getc(f, fd);
		if (c < 0)
			return false;
		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = (char)c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	size_t used = strlen(f->commands);
	snprintf(f->commands + used, sizeof f->commands - used, "%s\n", line);
	return true;
}

/* The message as received, up to and including CRLF.CRLF. */
static bool fake_data(struct fake *f, int fd, size_t at_most)
{
	size_t cap = 1 << 16;
	f->data = malloc(cap);
	f->data_len = 0;
	for (;;) {
		int c = fake_getc(f, fd);
		if (c < 0)
			return false;
		if (f->data_len + 1 >= cap)
			f->data = realloc(f->data, cap *= 2);
		f->data[f->data_len++] = (char)c;
		f->data[f->data_len] = '\0';
		if (f->data_len >= at_most)
			return true;
		if (f->data_len >= 5 && memcmp(f->data + f->data_len - 5, "\r\n.\r\n", 5) == 0)
			return true;
		if (f->data_len == 3 && memcmp(f->data, ".\r\n", 3) == 0)
			return true;
	}
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd p = {.fd = f->lfd, .events = POLLIN};
	if (poll(&p, 1, 5000) <= 0)
		return NULL;
	int fd = accept(f->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	char line[8192];
	for (int i = 0; i < MAX_STEPS && (f->steps[i].expect || f->steps[i].reply || f->steps[i].after); i++) {
		const struct step *s = &f->steps[i];
		bool ok = true;
		if (s->expect && strcmp(s->expect, ".") == 0)
			ok = fake_data(f, fd, SIZE_MAX);
		else if (s->expect && strcmp(s->expect, "~") == 0)
			ok = fake_data(f, fd, 1000);
		else if (s->expect && (!(ok = fake_line(f, fd, line, sizeof line)) ||
				       strncasecmp(line, s->expect, strlen(s->expect)) != 0)) {
			snprintf(f->mismatch, sizeof f->mismatch, "step %d: got \"%.100s\", want \"%s\"",
				 i, ok ? line : "(EOF)", s->expect);
			break;
		}
		if (!ok)
			break;
		if (s->after == LATE)
			sleep(2);
		if (s->reply)
			send(fd, s->reply, strlen(s->reply), MSG_NOSIGNAL);
		if (s->after == CLOSE) {
			close(fd);
			return NULL;
		}
		if (s->after == STALL) {
			/* say nothing until the client gives up */
			while (fake_getc(f, fd) >= 0)
				;
			close(fd);
			return NULL;
		}
	}
	/* the rest: note the commands, answer QUIT */
	while (fake_line(f, fd, line, sizeof line))
		if (strncasecmp(line, "QUIT", 4) == 0)
			send(fd, "221 2.0.0 Bye\r\n", 15, MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

/* Start a fake relay with the given script on 127.0.0.1:ephemeral. */
static void fake_start(struct fake *f, const struct step *steps)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < MAX_STEPS && (steps[i].expect || steps[i].reply || steps[i].after); i++)
		f->steps[i] = steps[i];
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(f->lfd, 1), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
	snprintf(f->port, sizeof f->port, "%u", ntohs(a.sin_port));
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

/* Wait for the relay to finish; f->data stays for the checks. */
static void fake_stop(struct fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->lfd);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

#define GREET {NULL, "220 fake.test ESMTP\r\n", GO_ON}
#define EHLO_OK {"EHLO ", "250-fake.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n", GO_ON}
#define MAIL_OK {"MAIL FROM:<grondslag@ncsc.nl>", "250 2.1.0 Ok\r\n", GO_ON}
#define RCPT_OK {"RCPT TO:<", "250 2.1.5 Ok\r\n", GO_ON}
#define DATA_OK {"DATA", "354 End data with <CR><LF>.<CR><LF>\r\n", GO_ON}
#define END {NULL, NULL, GO_ON}

static const char message[] = "Subject: t\n\n.hidden line\nbare LF\r\nCRLF line\n..two dots\n"
			      "bare\rCR\n.\nlast line without end";
static const char stuffed[] = "Subject: t\r\n\r\n..hidden line\r\nbare LF\r\nCRLF line\r\n"
			      "...two dots\r\nbare\r\nCR\r\n..\r\nlast line without end\r\n.\r\n";

static void test_smtpc_script(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		struct step steps[MAX_STEPS];
		int want_rc, want_code;
		const char *want_qid;
		const char *want_text;		/* substring of res.text */
		const char *want_cmd;		/* substring of the commands seen */
		bool want_data;			/* the relay got `stuffed` */
	} cases[] = {
		{"postfix accepts", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "250 2.0.0 Ok: queued as ABC123\r\n", GO_ON}, END},
		 0, 250, "ABC123", "queued as ABC123", "SIZE=", true},
		{"sendmail accepts", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "250 2.0.0 4BDE1Q2C012345 Message accepted for delivery\r\n", GO_ON}, END},
		 0, 250, "4BDE1Q2C012345", "Message accepted", "QUIT", true},
		{"no queue id", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "250 ok\r\n", GO_ON}, END}, 0, 250, "", "ok", NULL, true},
		{"HELO fallback", {GREET, {"EHLO", "502 5.5.2 what?\r\n", GO_ON},
		  {"HELO ", "250 fake.test\r\n", GO_ON}, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "250 queued as H1\r\n", GO_ON}, END}, 0, 250, "H1", NULL, "HELO", true},
		{"4xx on RCPT", {GREET, EHLO_OK, MAIL_OK, RCPT_OK,
		  {"RCPT", "450 4.2.0 greylisted\r\n", GO_ON}, END},
		 1, 450, "", "greylisted", "QUIT", false},
		{"worst of 4xx and 5xx", {GREET, EHLO_OK, MAIL_OK,
		  {"RCPT", "550 5.1.1 no such user\r\n", GO_ON},
		  {"RCPT", "451 4.3.0 later\r\n", GO_ON}, END}, 2, 550, "", "no such user", NULL, false},
		{"5xx on MAIL", {GREET, EHLO_OK, {"MAIL", "553 5.7.1 sender rejected\r\n", GO_ON}, END},
		 2, 553, "", "sender rejected", NULL, false},
		{"421 greeting", {{NULL, "421 4.3.2 shutting down\r\n", CLOSE}, END},
		 1, 421, "", "shutting down", NULL, false},
		{"554 greeting", {{NULL, "554 5.7.1 go away\r\n", GO_ON}, END},
		 2, 554, "", "go away", NULL, false},
		{"421 on EHLO", {GREET, {"EHLO", "421 4.7.0 too busy\r\n", CLOSE}, END},
		 1, 421, "", "too busy", NULL, false},
		{"5xx on DATA", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK,
		  {"DATA", "554 5.5.1 no valid recipients\r\n", GO_ON}, END}, 2, 554, "", NULL, NULL, false},
		{"4xx final", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "452 4.3.1 insufficient storage\r\n", GO_ON}, END}, 1, 452, "", "storage", NULL, true},
		{"5xx final", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {".", "554 5.7.1 rejected by policy\r\n", GO_ON}, END}, 2, 554, "", "policy", NULL, true},
		{"closed after greeting", {{NULL, "220 fake\r\n", CLOSE}, END},
		 1, 0, "", "closed", NULL, false},
		{"closed mid-DATA", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, DATA_OK,
		  {"~", NULL, CLOSE}, END}, 1, 0, "", NULL, NULL, false},
		{"malformed reply", {{NULL, "hello there\r\n", GO_ON}, END},
		 1, 0, "", "malformed", NULL, false},
		{"code changes inside a reply", {GREET, {"EHLO", "250-a\r\n220 b\r\n", GO_ON}, END},
		 1, 0, "", "malformed", NULL, false},
	};
	const char *const rcpts[] = {"<soc@cisa.gov>", "cert@cert.be"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fake f;
		struct smtpc_result res;
		fake_start(&f, cases[i].steps);
		int rc = smtpc_send("127.0.0.1", f.port, "mx.ncsc.nl", "<grondslag@ncsc.nl>", rcpts,
				    2, message, sizeof message - 1, 2, &res);
		fake_stop(&f);
		if (f.mismatch[0])
			fail_msg("%s: relay script: %s", cases[i].name, f.mismatch);
		assert_int_eq_msg(cases[i].name, rc, cases[i].want_rc);
		assert_int_eq_msg(cases[i].name, res.code, cases[i].want_code);
		assert_str_eq_msg(cases[i].name, res.queue_id, cases[i].want_qid);
		if (cases[i].want_text && !strstr(res.text, cases[i].want_text))
			fail_msg("%s: text: got \"%s\", want \"%s\" in it", cases[i].name, res.text,
				 cases[i].want_text);
		if (cases[i].want_cmd && !strstr(f.commands, cases[i].want_cmd))
			fail_msg("%s: commands: got \"%s\", want \"%s\"", cases[i].name, f.commands,
				 cases[i].want_cmd);
		if (cases[i].want_data)
			assert_str_eq_msg(cases[i].name, f.data, stuffed);
		free(f.data);
	}
}

/* Stalls: the client gives up within the timeout. */
static void test_smtpc_timeouts(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		struct step steps[MAX_STEPS];
	} cases[] = {
		{"no greeting", {{NULL, NULL, STALL}, END}},
		{"no EHLO reply", {GREET, {"EHLO", NULL, STALL}, END}},
		{"half a reply line", {GREET, {"EHLO", "250-fake.test\r\n250 8BIT", STALL}, END}},
		{"no final reply", {GREET, EHLO_OK, MAIL_OK, RCPT_OK, DATA_OK, {".", NULL, STALL}, END}},
	};
	const char *const rcpts[] = {"<soc@cisa.gov>"};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct fake f;
		struct smtpc_result res;
		struct timespec t0;
		fake_start(&f, cases[i].steps);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int rc = smtpc_send("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl", rcpts, 1, "x\n", 2,
				    1, &res);
		double took = seconds_since(&t0);
		fake_stop(&f);
		free(f.data);
		assert_int_eq_msg(cases[i].name, rc, 1);
		assert_int_eq_msg(cases[i].name, res.code, 0);
		if (strstr(res.text, "timeout") == NULL)
			fail_msg("%s: text: got \"%s\", want a timeout", cases[i].name, res.text);
		/* the deadline is 1 s; allow for a loaded (sanitizer) machine */
		if (took < 0.9 || took > 2.5)
			fail_msg("%s: took %.2f s, want about the 1 s timeout", cases[i].name, took);
	}
}

/* The reply to the end of the data comes 2 s late (the MTA's milters at
 * work): with a 1 s timeout for every step smtpc_send() gives up, and the
 * relay queues the message anyway; smtpc_send_waiting() with 5 s for that
 * one reply has it.  Every other step keeps the 1 s timeout. */
static void test_smtpc_late_data_reply(void **state)
{
	(void)state;
	static const struct step late_data[MAX_STEPS] = {
		GREET, EHLO_OK, MAIL_OK, RCPT_OK, DATA_OK,
		{".", "250 2.0.0 Ok: queued as LATE1\r\n", LATE}, END};
	static const struct step late_greeting[MAX_STEPS] = {
		{NULL, "220 fake.test ESMTP\r\n", LATE}, END};
	const char *const rcpts[] = {"<soc@cisa.gov>"};
	static const struct {
		const char *name;
		const struct step *steps;
		unsigned data_done;
		int rc;
		const char *qid;
	} rows[] = {
		{"late data reply, one timeout", late_data, 0, 1, ""},
		{"late data reply, waited for", late_data, 5, 0, "LATE1"},
		{"late greeting: only the data reply waits", late_greeting, 5, 1, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct fake f;
		struct smtpc_result res;
		fake_start(&f, rows[i].steps);
		int rc = rows[i].data_done
				 ? smtpc_send_waiting("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl",
						      rcpts, 1, "x\n", 2, 1, rows[i].data_done, &res)
				 : smtpc_send("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl", rcpts, 1,
					      "x\n", 2, 1, &res);
		fake_stop(&f);
		free(f.data);
		assert_int_eq_msg(rows[i].name, rc, rows[i].rc);
		assert_str_eq_msg(rows[i].name, res.queue_id, rows[i].qid);
	}
}

/* A relay that closes while 4 MB are being sent: no SIGPIPE, rc 1. */
static void test_smtpc_close_while_sending(void **state)
{
	(void)state;
	static const struct step steps[MAX_STEPS] = {GREET, EHLO_OK, MAIL_OK, RCPT_OK, DATA_OK,
						     {"~", NULL, CLOSE}, END};
	size_t len = 4 << 20;
	char *big = malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = i % 100 == 99 ? '\n' : 'a' + (char)(i % 26);
	const char *const rcpts[] = {"<soc@cisa.gov>"};
	struct fake f;
	struct smtpc_result res;
	fake_start(&f, steps);
	int rc = smtpc_send("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl", rcpts, 1, big, len, 2,
			    &res);
	fake_stop(&f);
	free(f.data);
	free(big);
	assert_int_eq_msg("rc", rc, 1);
	assert_int_eq_msg("code", res.code, 0);
}

/* Long and many-line replies stay bounded. */
static void test_smtpc_long_replies(void **state)
{
	(void)state;
	char *long_line = malloc(6000);
	strcpy(long_line, "250-");
	memset(long_line + 4, 'x', 5000);
	strcpy(long_line + 5004, "\r\n250 8BITMIME\r\n");
	GString *many = g_string_new(NULL);
	for (int i = 0; i < 150; i++)
		g_string_append(many, "250-line\r\n");
	g_string_append(many, "250 end\r\n");
	struct step ok[MAX_STEPS] = {GREET, {"EHLO", long_line, GO_ON}, MAIL_OK, RCPT_OK, DATA_OK,
				     {".", "250 2.0.0 Ok: queued as LONG1\r\n", GO_ON}, END};
	struct step too_many[MAX_STEPS] = {GREET, {"EHLO", many->str, GO_ON}, END};
	const char *const rcpts[] = {"<soc@cisa.gov>"};
	struct fake f;
	struct smtpc_result res;
	fake_start(&f, ok);
	int rc = smtpc_send("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl", rcpts, 1, "x\n", 2, 2,
			    &res);
	fake_stop(&f);
	free(f.data);
	assert_int_eq_msg("long line", rc, 0);
	assert_str_eq_msg("long line", res.queue_id, "LONG1");
	fake_start(&f, too_many);
	rc = smtpc_send("127.0.0.1", f.port, "mx", "grondslag@ncsc.nl", rcpts, 1, "x\n", 2, 2, &res);
	fake_stop(&f);
	free(f.data);
	assert_int_eq_msg("151 lines", rc, 1);
	if (strstr(res.text, "too long") == NULL)
		fail_msg("151 lines: got \"%s\", want \"too long\"", res.text);
	g_string_free(many, TRUE);
	free(long_line);
}

/* No relay, bad arguments: answered without a dialogue. */
static void test_smtpc_refused_and_invalid(void **state)
{
	(void)state;
	/* a port nobody listens on: bind, note it, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	char port[16];
	snprintf(port, sizeof port, "%u", ntohs(a.sin_port));
	close(fd);
	const char *const rcpts[] = {"<soc@cisa.gov>"};
	const char *const evil[] = {"<a@b.c>\r\nRCPT TO:<x@y.z>"};
	const char *const empty[] = {"<>"};
	struct smtpc_result res;
	assert_int_eq_msg("refused", smtpc_send("127.0.0.1", port, "mx", "a@b.c", rcpts, 1, "x", 1,
						 1, &res), 1);
	assert_int_eq_msg("refused code", res.code, 0);
	if (strstr(res.text, "connect") == NULL)
		fail_msg("refused: got \"%s\", want connect in it", res.text);
	assert_int_eq_msg("CRLF in rcpt", smtpc_send("127.0.0.1", port, "mx", "a@b.c", evil, 1, "x",
						      1, 1, &res), 2);
	assert_int_eq_msg("CRLF in sender", smtpc_send("127.0.0.1", port, "mx", "a@b.c\r\nX", rcpts,
							1, "x", 1, 1, &res), 2);
	assert_int_eq_msg("empty rcpt", smtpc_send("127.0.0.1", port, "mx", "a@b.c", empty, 1, "x", 1,
						    1, &res), 2);
	assert_int_eq_msg("no rcpts", smtpc_send("127.0.0.1", port, "mx", "a@b.c", rcpts, 0, "x", 1,
						  1, &res), 2);
}

/* A source route of hops "@hN.relay.example," up to about len bytes in
 * front of user@dom, with <>. */
static void long_route(char *out, size_t size, size_t len, const char *mailbox)
{
	size_t n = (size_t)snprintf(out, size, "<"), m = strlen(mailbox);
	for (int i = 0; n + m + 60 < len; i++)
		n += (size_t)snprintf(out + n, size - n, "@h%d.relay.example,", i);
	/* the last hop fills up to len: "@" + k letters + ".example:" + ">" */
	size_t k = len - n - m - 11;
	out[n++] = '@';
	memset(out + n, 'a', k);
	n += k;
	snprintf(out + n, size - n, ".example:%s>", mailbox);
}

/* Every address form the milter holds goes out as given: a source route
 * of up to RCPT_TEXT_MAX bytes and a quoted local part with a space and
 * brackets; one byte more, a bare space, an unclosed quote or a control
 * character are refused before anything is sent. */
static void test_smtpc_address_forms(void **state)
{
	(void)state;
	static char route[RCPT_TEXT_MAX + 8], over[RCPT_TEXT_MAX + 16];
	long_route(route, sizeof route, RCPT_TEXT_MAX + 2, "info@jpcert.or.jp");
	assert_int_eq_msg("the route is as long as the milter takes", strlen(route),
			  RCPT_TEXT_MAX + 2);
	snprintf(over, sizeof over, "<x%s", route + 1);
	const char *const rcpts[] = {route, "<\"john <doe>\"@cert.be>", "<\"a\\\"b c\"@cert.be>"};
	static const struct step steps[MAX_STEPS] = {
		GREET, EHLO_OK, MAIL_OK, RCPT_OK, RCPT_OK, RCPT_OK, DATA_OK,
		{".", "250 2.0.0 Ok: queued as LONG1\r\n", GO_ON}, END};
	struct fake f;
	struct smtpc_result res;
	fake_start(&f, steps);
	int rc = smtpc_send("127.0.0.1", f.port, "mx", "<grondslag@ncsc.nl>", rcpts, 3, "x", 1, 2,
			    &res);
	fake_stop(&f);
	if (f.mismatch[0])
		fail_msg("relay script: %s", f.mismatch);
	assert_int_eq_msg("sent", rc, 0);
	char want[RCPT_TEXT_MAX + 32];
	snprintf(want, sizeof want, "RCPT TO:%s\n", route);
	if (strstr(f.commands, want) == NULL)
		fail_msg("the long route: got commands \"%.200s...\"", f.commands);
	if (strstr(f.commands, "RCPT TO:<\"john <doe>\"@cert.be>\n") == NULL ||
	    strstr(f.commands, "RCPT TO:<\"a\\\"b c\"@cert.be>\n") == NULL)
		fail_msg("the quoted forms: got commands \"%s\"", f.commands);
	free(f.data);
	static const struct {
		const char *name, *rcpt;
	} bad[] = {
		{"one byte over", over}, {"a bare space", "<john doe@cert.be>"},
		{"an unclosed quote", "<\"john@cert.be>"}, {"a bracket outside quotes", "<a<b@c.d>"},
		{"a control character in quotes", "<\"a\tb\"@cert.be>"},
		{"DEL after a backslash", "<\"a\\\x7f\"@cert.be>"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *one[] = {bad[i].rcpt};
		assert_int_eq_msg(bad[i].name, smtpc_send("127.0.0.1", "1", "mx", "a@b.c", one, 1, "x",
							  1, 1, &res), 2);
	}
}

/* The null sender and a hostile HELO name. */
static void test_smtpc_null_sender(void **state)
{
	(void)state;
	static const struct step steps[MAX_STEPS] = {
		GREET, {"EHLO mxX-Evil", "250 fake\r\n", GO_ON}, {"MAIL FROM:<>", "250 ok\r\n", GO_ON},
		RCPT_OK, DATA_OK, {".", "250 queued as N1\r\n", GO_ON}, END};
	const char *const rcpts[] = {"<analyst@ncsc.nl>"};
	struct fake f;
	struct smtpc_result res;
	fake_start(&f, steps);
	int rc = smtpc_send("127.0.0.1", f.port, "mx\r\nX-Evil", "", rcpts, 1, "", 0, 2, &res);
	fake_stop(&f);
	if (f.mismatch[0])
		fail_msg("relay script: %s", f.mismatch);
	assert_int_eq_msg("rc", rc, 0);
	assert_str_eq_msg("empty message", f.data, ".\r\n");
	free(f.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtpc_script),
		cmocka_unit_test(test_smtpc_timeouts),
		cmocka_unit_test(test_smtpc_late_data_reply),
		cmocka_unit_test(test_smtpc_close_while_sending),
		cmocka_unit_test(test_smtpc_long_replies),
		cmocka_unit_test(test_smtpc_address_forms),
		cmocka_unit_test(test_smtpc_refused_and_invalid),
		cmocka_unit_test(test_smtpc_null_sender),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
