/*
 * test_notifier.c - the notice sender against a store that cannot be
 * written (store_fail_commits(): every commit fails, as on a full disk)
 * and a fake relay on 127.0.0.1 that counts the messages it accepts:
 *   - the disk fills while a notice is on the wire: the relay's 250 cannot
 *     be recorded; the notice is sent once, not again and again, and is
 *     recorded as sent once the store is writable again;
 *   - the disk is full before the notice is due: the claim before the
 *     send fails, nothing is sent; after the disk is freed, once;
 *   - a relay that is down: one attempt, then the backoff of the outbox.
 * A notifier without the claim and the pause sent one notice thousands of
 * times in a few seconds here.
 */
#include "testutil.h"
#include "fixture_dir.h"
#include "fixture_store.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/daemon/notifier.h"
#include "grondslag/store/store.h"

/* A relay that accepts every message and counts them. */
struct relay {
	int lfd;
	char addr[64];
	pthread_t thread;
	atomic_bool stop;
	atomic_int accepted;		/* messages answered 250 */
	struct store *fill_on_data;	/* the disk fills while a message arrives */
};

/* One line (without CRLF) within 2 s; false on EOF or timeout. */
static bool read_line(int fd, char *line, size_t size)
{
	size_t n = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		char c;
		if (poll(&p, 1, 2000) <= 0 || recv(fd, &c, 1, 0) != 1)
			return false;
		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return true;
}

static void say(int fd, const char *text)
{
	send(fd, text, strlen(text), MSG_NOSIGNAL);
}

/* One SMTP session: every command accepted, each message counted. */
static void session(struct relay *r, int fd)
{
	char line[4096];
	say(fd, "220 relay.test ESMTP\r\n");
	while (read_line(fd, line, sizeof line)) {
		if (strncasecmp(line, "DATA", 4) == 0) {
			say(fd, "354 go on\r\n");
			while (read_line(fd, line, sizeof line) && strcmp(line, ".") != 0)
				;
			if (r->fill_on_data != NULL)
				store_fail_commits(r->fill_on_data, -1);
			atomic_fetch_add(&r->accepted, 1);
			say(fd, "250 2.0.0 Ok: queued as 4XyZ\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say(fd, "221 2.0.0 Bye\r\n");
			break;
		} else {
			say(fd, "250 ok\r\n");
		}
	}
	close(fd);
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	while (!atomic_load(&r->stop)) {
		struct pollfd p = {.fd = r->lfd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			continue;
		int fd = accept(r->lfd, NULL, NULL);
		if (fd >= 0)
			session(r, fd);
	}
	return NULL;
}

static void relay_start(struct relay *r, struct store *fill_on_data)
{
	memset(r, 0, sizeof *r);
	r->fill_on_data = fill_on_data;
	r->lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	assert_int_equal(bind(r->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(r->lfd, 16), 0);
	assert_int_equal(getsockname(r->lfd, (struct sockaddr *)&a, &alen), 0);
	snprintf(r->addr, sizeof r->addr, "127.0.0.1:%u", ntohs(a.sin_port));
	assert_int_equal(pthread_create(&r->thread, NULL, relay_main, r), 0);
}

static void relay_stop(struct relay *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->lfd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Wait up to secs for the outbox to hold want notices in state. */
static bool wait_state(struct store *s, const char *state, int64_t want, int secs)
{
	for (int i = 0; i < secs * 10; i++) {
		if (store_notice_count(s, state) == want)
			return true;
		sleep_ms(100);
	}
	return false;
}

static struct store *new_store(const char *name)
{
	char path[160], err[512];
	fixture_databasef(path, sizeof path, dir, "%s.db", name);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store: %s", err);
	assert_int_equal(store_notice_put(s, "hold", "G20250314-7KQ2M9XH0T", "<alice@ncsc.nl>",
					  "Subject: held\r\n\r\nYour message is held.\r\n", err,
					  sizeof err),
			 0);
	return s;
}

static struct notifier *start(struct store *s, const struct relay *r)
{
	char err[256];
	struct notifier *n = notifier_start(s, r->addr, "unit.test", "grondslag@ncsc.nl", err,
					    sizeof err);
	if (n == NULL)
		fail_msg("notifier_start: %s", err);
	return n;
}

/* The disk is freed: the notice ends up sent, the relay has it once. */
static void freed_then_once(struct store *s, struct notifier *n, struct relay *r)
{
	r->fill_on_data = NULL;
	store_fail_commits(s, 0);
	if (!wait_state(s, "sent", 1, 12))
		fail_msg("after the disk was freed: got %lld sent, want 1",
			 (long long)store_notice_count(s, "sent"));
	assert_int_eq_msg("messages at the relay in all", atomic_load(&r->accepted), 1);
	notifier_stop(n);
	relay_stop(r);
	store_close(s);
}

/* The disk fills while the notice is on the wire. */
static void test_full_after_send(void **state)
{
	(void)state;
	struct store *s = new_store("after");
	struct relay r;
	relay_start(&r, s);
	struct notifier *n = start(s, &r);
	/* a notifier that ignores the failed record sends thousands here */
	sleep_ms(3000);
	int sends = atomic_load(&r.accepted);
	assert_int_eq_msg("messages at the relay while the store is full", sends, 1);
	assert_int_eq_msg("notifier_sent while the store is full", notifier_sent(n), 1);
	assert_int_eq_msg("still queued (its record failed)", store_notice_count(s, "queued"), 1);
	/* the disk is freed: the record is written, the notice not sent again */
	freed_then_once(s, n, &r);
}

/* The disk is full before the notice goes: nothing is sent. */
static void test_full_before_send(void **state)
{
	(void)state;
	struct store *s = new_store("before");
	struct relay r;
	relay_start(&r, NULL);
	store_fail_commits(s, -1);
	struct notifier *n = start(s, &r);
	for (int i = 0; i < 20; i++) {
		notifier_kick(n);	/* new holds would kick it: still paused */
		sleep_ms(100);
	}
	assert_int_eq_msg("messages at the relay while the claim fails", atomic_load(&r.accepted), 0);
	freed_then_once(s, n, &r);
}

/* A relay that is down: one attempt, the notice waits for its retry. */
static void test_relay_down(void **state)
{
	(void)state;
	struct store *s = new_store("down");
	struct relay r;
	relay_start(&r, NULL);
	relay_stop(&r);		/* nobody listens on the port any more */
	struct notifier *n = start(s, &r);
	sleep_ms(1500);
	struct store_notice nt;
	assert_int_eq_msg("nothing due before the backoff", store_notice_next(s, time(NULL), &nt), 0);
	assert_int_equal(store_notice_next(s, time(NULL) + STORE_NOTICE_BACKOFF_MIN + 1, &nt), 1);
	assert_int_eq_msg("attempts", nt.attempts, 1);
	notifier_stop(n);
	store_close(s);
}

static int setup(void **state)
{
	(void)state;
	return fixture_dir_make("notifier");
}

static int teardown(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_after_send),
		cmocka_unit_test(test_full_before_send),
		cmocka_unit_test(test_relay_down),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
