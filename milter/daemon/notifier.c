/*
 * notifier.c - one thread sending the outbox through the relay.  See
 * notifier.h (the claim before each send, and the pause while the store
 * cannot be written).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/hostport.h"
#include "grondslag/base/log.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/daemon/smtpc.h"

#define NOTIFIER_TIMEOUT 30

struct notifier {
	struct store *store;
	char host[256], port[16], helo[256], from[512];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, kicked;
	atomic_uint_fast64_t sent;
	/* an episode of store trouble (notifier thread only) */
	unsigned failures;		/* failed store updates in a row */
	time_t pause;			/* current backoff, seconds */
	time_t resume_at;		/* CLOCK_REALTIME: no work before */
	/* sent, but "sent" not yet recorded (0: none): retry the record,
	 * never the send; nothing else is sent until it is recorded, so
	 * there is at most one */
	int64_t unrecorded;
};

/* Outcome of one notice, for the drain loop. */
enum send_outcome { SEND_DONE, SEND_RELAY_DOWN, SEND_STORE_FAILED };

/* A store update failed: pause with backoff; log when the episode starts. */
static void store_trouble(struct notifier *n, const char *what, int64_t id)
{
	n->pause = n->failures == 0 ? 1 : n->pause * 2;
	if (n->pause > NOTIFIER_BACKOFF_MAX)
		n->pause = NOTIFIER_BACKOFF_MAX;
	if (n->failures++ == 0)
		log_msg(LOG_ERR,
			"outbox: cannot %s (notice %lld): the store cannot be written; notices"
			" paused, tried again with backoff up to %d s (logged once)",
			what, (long long)id, NOTIFIER_BACKOFF_MAX);
	n->resume_at = time(NULL) + n->pause;
}

/* A store update worked: end an episode of trouble. */
static void store_ok(struct notifier *n)
{
	if (n->failures > 0)
		log_msg(LOG_NOTICE, "outbox: the store is writable again after %u failed"
			" update%s; notices resume", n->failures, n->failures == 1 ? "" : "s");
	n->failures = 0;
	n->pause = 0;
}

/* Record the notice sent whose record failed; false while that fails
 * (this thread is the only writer of a queued notice's state, so a failed
 * record is the store's trouble, not a notice that went away). */
static bool record_unrecorded(struct notifier *n)
{
	int64_t id = n->unrecorded;
	if (id == 0)
		return true;
	if (store_notice_done(n->store, id) != 0) {
		store_trouble(n, "record a sent notice", id);
		return false;
	}
	n->unrecorded = 0;
	store_ok(n);
	log_msg(LOG_INFO, "notice %lld: sent earlier, now recorded", (long long)id);
	return true;
}

/* Send one notice: claim it, send it, record the outcome. */
static enum send_outcome notifier_send(struct notifier *n, const struct store_notice *nt)
{
	/* at most one attempt per lease: if nothing after this is recorded,
	 * the notice is not due again before the lease ends */
	time_t lease = store_notice_backoff(nt->attempts + 1);
	if (store_notice_claim(n->store, nt->id, time(NULL), lease) != 0) {
		store_trouble(n, "claim a notice before sending it", nt->id);
		return SEND_STORE_FAILED;
	}
	store_ok(n);
	struct smtpc_result res;
	const char *to[1] = {nt->to};
	int rc = smtpc_send(n->host, n->port, n->helo, n->from, to, 1, nt->message,
			    strlen(nt->message), NOTIFIER_TIMEOUT, &res);
	char why[600];
	snprintf(why, sizeof why, "%d %s", res.code, res.text);
	if (rc == 0) {
		atomic_fetch_add(&n->sent, 1);
		log_msg(LOG_INFO, "notice %lld (%.16s, ref %.40s) sent: %d %.100s",
			(long long)nt->id, nt->kind, nt->ref, res.code, res.queue_id);
		if (store_notice_done(n->store, nt->id) != 0) {
			n->unrecorded = nt->id;
			store_trouble(n, "record a sent notice", nt->id);
			return SEND_STORE_FAILED;
		}
	} else if (rc == 2) {
		/* 5xx: retrying the same notice would get the same answer; it
		 * stays in the outbox as failed, visible to the admin. */
		log_msg(LOG_ERR, "notice %lld (ref %.40s) refused by the relay, not retried: %s",
			(long long)nt->id, nt->ref, why);
		if (store_notice_failed(n->store, nt->id, time(NULL), why) != 0) {
			store_trouble(n, "record a refused notice", nt->id);
			return SEND_STORE_FAILED;
		}
	} else {
		log_msg(LOG_WARNING, "notice %lld (ref %.40s) not sent, retry later: %s",
			(long long)nt->id, nt->ref, why);
		if (store_notice_retry(n->store, nt->id, time(NULL), why) != 0) {
			store_trouble(n, "schedule a notice's retry", nt->id);
			return SEND_STORE_FAILED;
		}
	}
	store_ok(n);
	return rc == 1 ? SEND_RELAY_DOWN : SEND_DONE;
}

/* Drain what is due; stops at the first temporary failure (the relay is
 * probably down: wait for the next round) and at store trouble. */
static void notifier_drain(struct notifier *n)
{
	if (!record_unrecorded(n))
		return;
	for (unsigned i = 0; i < 1000; i++) {
		pthread_mutex_lock(&n->lock);
		bool stop = n->stop;
		pthread_mutex_unlock(&n->lock);
		if (stop)
			return;
		struct store_notice nt;
		int r = store_notice_next(n->store, time(NULL), &nt);
		if (r < 0) {
			store_trouble(n, "read the next notice", 0);
			return;
		}
		if (r != 1 || notifier_send(n, &nt) != SEND_DONE)
			return;
	}
}

/* The thread: drain, then sleep until kicked, stopped or the poll time. */
static void *notifier_main(void *arg)
{
	struct notifier *n = arg;
	for (;;) {
		notifier_drain(n);
		pthread_mutex_lock(&n->lock);
		if (n->failures > 0) {
			/* store trouble: the full pause, whatever is kicked */
			struct timespec ts = {.tv_sec = n->resume_at};
			while (!n->stop && time(NULL) < n->resume_at)
				pthread_cond_timedwait(&n->cond, &n->lock, &ts);
		} else if (!n->kicked && !n->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += NOTIFIER_POLL_SECONDS;
			pthread_cond_timedwait(&n->cond, &n->lock, &ts);
		}
		n->kicked = false;
		bool stop = n->stop;
		pthread_mutex_unlock(&n->lock);
		if (stop)
			return NULL;
	}
}

struct notifier *notifier_start(struct store *store, const char *relay, const char *helo,
				const char *from, char *err, size_t errlen)
{
	struct notifier *n = calloc(1, sizeof *n);
	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!hostport_parse(relay, n->host, sizeof n->host, n->port, sizeof n->port)) {
		snprintf(err, errlen, "NoticeRelay \"%.100s\" is not HOST:PORT", relay);
		free(n);
		return NULL;
	}
	n->store = store;
	snprintf(n->helo, sizeof n->helo, "%s", helo != NULL && *helo ? helo : "localhost");
	snprintf(n->from, sizeof n->from, "%s", from != NULL ? from : "");
	atomic_init(&n->sent, 0);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	int e = pthread_create(&n->thread, NULL, notifier_main, n);
	if (e != 0) {
		snprintf(err, errlen, "notifier thread: %s", strerror(e));
		pthread_cond_destroy(&n->cond);
		pthread_mutex_destroy(&n->lock);
		free(n);
		return NULL;
	}
	return n;
}

void notifier_kick(struct notifier *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->kicked = true;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

void notifier_stop(struct notifier *n)
{
	if (n == NULL)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
	pthread_join(n->thread, NULL);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
	free(n);
}

uint64_t notifier_sent(const struct notifier *n)
{
	return n != NULL ? atomic_load(&n->sent) : 0;
}
