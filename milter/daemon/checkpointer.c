/*
 * checkpointer.c - the thread that signs checkpoints of the audit chain
 * (see checkpointer.h; formats in auditsig.h).
 *
 * Order of one checkpoint: read the head; sign; append the line to the
 * file and fsync; append the record to the chain.  The file comes first
 * because it is the copy that survives an intruder in the database (once
 * shipped off the host); when the file fails the record is not written
 * either, so the next attempt writes both.  The
 * timer waits on CLOCK_MONOTONIC, so setting the clock neither skips nor
 * floods checkpoints.
 * Limits: one line per checkpoint (AUDITSIG_LINE_MAX bytes), written
 * with one write(2) on an O_APPEND descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/store/anchor.h"
#include "grondslag/daemon/checkpointer.h"
#include "grondslag/base/log.h"

struct checkpointer {
	struct store *store;
	struct auditsig_signer *signer;	/* NULL: unsigned anchors only */
	void (*ship)(void *arg, const struct auditsig_checkpoint *cp, const char *line);
	void *ship_arg;
	char *file;
	char host[AUDITSIG_HOST_MAX + 1];
	unsigned interval;
	int fd;
	pthread_mutex_t write_lock;	/* one checkpoint at a time */
	pthread_mutex_t lock;		/* stop and cond */
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
};

/* Open (create 0640) the checkpoint file for appending; its directory is
 * fsynced when the file is new, so the name survives a crash. */
static int open_file(struct checkpointer *c, char *err, size_t errlen)
{
	bool existed = access(c->file, F_OK) == 0;
	c->fd = open(c->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	struct stat st;
	if (c->fd < 0 || fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "AuditCheckpointFile %.200s: %s", c->file,
			 c->fd < 0 ? strerror(errno) : "not a regular file");
		return -1;
	}
	if (!existed) {
		char dir[4096];
		const char *slash = strrchr(c->file, '/');
		snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - c->file) : 1,
			 slash ? (slash == c->file ? "/" : c->file) : ".");
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

/* Append line to the file and fsync it.  0 or -1 + err.  A short write
 * (disk full) is cut off again: a partial line would stay malformed for
 * good, and every later verify would fail on a good chain. */
static int append_line(struct checkpointer *c, const char *line, char *err, size_t errlen)
{
	size_t len = strlen(line);
	struct stat st;
	if (fstat(c->fd, &st) != 0) {
		snprintf(err, errlen, "AuditCheckpointFile %.200s: %s", c->file, strerror(errno));
		return -1;
	}
	ssize_t w;
	do
		w = write(c->fd, line, len);
	while (w < 0 && errno == EINTR);
	int e = errno;
	if (w != (ssize_t)len || fsync(c->fd) != 0) {
		bool cut = w >= 0 && w != (ssize_t)len && ftruncate(c->fd, st.st_size) != 0;
		snprintf(err, errlen, "AuditCheckpointFile %.200s: %s%s", c->file,
			 w < 0 || w == (ssize_t)len ? strerror(w < 0 ? e : errno) : "short write",
			 cut ? " (and the partial line could not be cut off)" : "");
		return -1;
	}
	return 0;
}

/* Write the signed checkpoint cp: file, then chain.  0 or -1 + err.
 * When the file fails the chain gets no record either: the head then is
 * not a checkpoint, so the next call signs and writes both again (a
 * checkpoint only in the chain would never reach the file). */
static int write_checkpoint(struct checkpointer *c, const struct auditsig_checkpoint *cp,
			    char *err, size_t errlen)
{
	char *line = auditsig_line(cp), *details = auditsig_details(cp);
	char ferr[300] = "", serr[300] = "";
	int frc = line != NULL ? append_line(c, line, ferr, sizeof ferr) : -1;
	struct store_audit a = {.event = AUDITSIG_EVENT, .details = details};
	int src = frc == 0 && details != NULL ? store_audit_put(c->store, &a, serr, sizeof serr)
					      : frc == 0 ? -1 : 0;
	free(line);
	free(details);
	if (frc != 0 || src != 0) {
		snprintf(err, errlen, "%s%s%s", frc ? (*ferr ? ferr : "out of memory") : "",
			 frc && src ? "; " : "", src ? (*serr ? serr : "out of memory") : "");
		return -1;
	}
	return 0;
}

/* Write the unsigned checkpoint cp as an "anchor" record of the chain
 * (no file: a line anybody on the host could have written proves
 * nothing there; its worth is the copy that leaves).  0 or -1 + err. */
static int write_anchor(struct checkpointer *c, const struct auditsig_checkpoint *cp,
			char *err, size_t errlen)
{
	struct audit_details *d = audit_details_new();
	audit_details_int(d, "seq", cp->seq);
	audit_details_str(d, "hash", cp->hash);
	audit_details_int(d, "at", cp->at);
	audit_details_str(d, "host", cp->host);
	char *details = audit_details_finish(d);
	struct store_audit a = {.event = ANCHOR_EVENT, .details = details};
	int rc = details != NULL ? store_audit_put(c->store, &a, err, errlen) : -1;
	if (details == NULL)
		snprintf(err, errlen, "out of memory");
	free(details);
	return rc;
}

/* Send cp's line off the host (AuditAnchorMail, AuditAnchorSyslog). */
static void ship(struct checkpointer *c, const struct auditsig_checkpoint *cp)
{
	char *line = anchor_line(cp);
	if (line != NULL && c->ship != NULL)
		c->ship(c->ship_arg, cp, line);
	if (line == NULL)
		log_msg(LOG_ERR, "audit checkpoint %" PRId64 ": out of memory, not sent off the host",
			cp->seq);
	free(line);
}

int checkpointer_now(struct checkpointer *c, char *err, size_t errlen)
{
	if (c == NULL)
		return 1;
	pthread_mutex_lock(&c->write_lock);
	struct auditsig_checkpoint cp;
	memset(&cp, 0, sizeof cp);
	char event[32];
	int rc = store_audit_head(c->store, &cp.seq, cp.hash, event, sizeof event, err, errlen);
	/* nothing new since the last checkpoint: no record spam when idle */
	if (rc == 0 && (cp.seq == 0 || strcmp(event, AUDITSIG_EVENT) == 0 ||
			strcmp(event, ANCHOR_EVENT) == 0))
		rc = 1;
	if (rc == 0) {
		cp.at = (int64_t)time(NULL);
		snprintf(cp.host, sizeof cp.host, "%s", c->host);
		if (c->signer != NULL)
			rc = auditsig_sign(c->signer, &cp, err, errlen);
	}
	if (rc == 0)
		rc = c->signer != NULL ? write_checkpoint(c, &cp, err, errlen)
				       : write_anchor(c, &cp, err, errlen);
	/* in the lock: the lines leave in the order of the chain */
	if (rc == 0)
		ship(c, &cp);
	pthread_mutex_unlock(&c->write_lock);
	if (rc == 0)
		log_msg(LOG_NOTICE, "audit checkpoint: record %" PRId64 " sha256 %s %s%s", cp.seq,
			cp.hash, c->signer != NULL ? "signed by " : "unsigned",
			c->signer != NULL ? cp.key : "");
	return rc;
}

/* Take (or renew) the lease of the checkpoints: the chain is the whole
 * store's, so in a store shared by several relays one of them writes
 * (and ships) its checkpoints, at its start and stop too, and the others
 * take over when its lease lapses or it gives it up.  1 this relay holds
 * it, 0 another does, -1 + err. */
static int lease(struct checkpointer *c, char *err, size_t errlen)
{
	char holder[STORE_RELAY_MAX];
	unsigned term = 2 * (c->interval ? c->interval : 3600) + 60;
	return store_lease_take(c->store, CHECKPOINTER_LEASE_JOB, time(NULL), term, holder,
				sizeof holder, err, errlen);
}

/* The thread: a checkpoint every interval until stopped. */
static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	struct timespec due;
	clock_gettime(CLOCK_MONOTONIC, &due);
	for (;;) {
		due.tv_sec += c->interval;
		pthread_mutex_lock(&c->lock);
		int e = 0;
		while (!c->stop && e != ETIMEDOUT)
			e = pthread_cond_timedwait(&c->cond, &c->lock, &due);
		bool stop = c->stop;
		pthread_mutex_unlock(&c->lock);
		if (stop)
			return NULL;
		char err[512];
		int held = lease(c, err, sizeof err);
		if (held == 1 && checkpointer_now(c, err, sizeof err) < 0)
			held = -1;
		if (held < 0)
			log_msg(LOG_ERR, "audit checkpoint not written (tried again in %u s): %s",
				c->interval, err);
	}
}

/* Start the timer thread (none for interval 0). */
static int start_thread(struct checkpointer *c, char *err, size_t errlen)
{
	if (c->interval == 0)
		return 0;
	int e = pthread_create(&c->thread, NULL, checkpointer_main, c);
	if (e != 0) {
		snprintf(err, errlen, "checkpoint thread: %s", strerror(e));
		return -1;
	}
	c->running = true;
	return 0;
}

/* Free c and everything it holds (thread already stopped). */
static void checkpointer_free(struct checkpointer *c)
{
	if (c->fd >= 0)
		close(c->fd);
	auditsig_signer_free(c->signer);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->write_lock);
	free(c->file);
	free(c);
}

struct checkpointer *checkpointer_start(const struct checkpointer_setup *in, char *err,
					size_t errlen)
{
	struct checkpointer *c = calloc(1, sizeof *c);
	if (c == NULL) {
		auditsig_signer_free(in->signer);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->store = in->store;
	c->signer = in->signer;
	c->ship = in->ship;
	c->ship_arg = in->ship_arg;
	c->file = strdup(in->file ? in->file : "");
	c->interval = in->interval;
	c->fd = -1;
	struct auditsig_checkpoint h;
	auditsig_set_host(&h, in->host);
	memcpy(c->host, h.host, sizeof c->host);
	pthread_mutex_init(&c->write_lock, NULL);
	pthread_mutex_init(&c->lock, NULL);
	/* the timer waits on the monotonic clock */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (c->file == NULL || (c->signer == NULL && c->ship == NULL)) {
		snprintf(err, errlen, "checkpointer: out of memory, or neither signer nor anchor");
		checkpointer_free(c);
		return NULL;
	}
	/* anchor what an earlier run left (a crash skips the last one), when
	 * this relay holds the lease */
	int held = c->signer == NULL || open_file(c, err, errlen) == 0 ? lease(c, err, errlen) : -1;
	if (held < 0 || (held == 1 && checkpointer_now(c, err, errlen) < 0) ||
	    start_thread(c, err, errlen) != 0) {
		checkpointer_free(c);
		return NULL;
	}
	return c;
}

void checkpointer_stop(struct checkpointer *c)
{
	if (c == NULL)
		return;
	if (c->running) {
		pthread_mutex_lock(&c->lock);
		c->stop = true;
		pthread_cond_signal(&c->cond);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	char err[512];
	int held = lease(c, err, sizeof err);
	if (held == 1 && (c->fd >= 0 || c->signer == NULL) && checkpointer_now(c, err, sizeof err) < 0)
		held = -1;
	/* the next relay takes the checkpoints over at once */
	if (held == 1 && store_lease_give(c->store, CHECKPOINTER_LEASE_JOB, err, sizeof err) != 0)
		held = -1;
	if (held < 0)
		log_msg(LOG_ERR, "last audit checkpoint not written: %s", err);
	checkpointer_free(c);
}
