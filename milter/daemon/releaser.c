/*
 * releaser.c - the releaser thread: unfinished attempts, expiry, due
 * releases, the jurists' roundup.  See releaser.h; the single-use token
 * is release.c, the transactions store_release.c, the roundup roundup.c.
 *
 * Public functions: releaser_new(), releaser_free(), releaser_pass(),
 * releaser_start(), releaser_kick(), releaser_configure(),
 * releaser_counts(), releaser_source().
 * Limits: unfinished attempts 100 per pass (the next pass takes the
 * rest); expired and due holds are paged through, 100 at a time, so a
 * hold that fails never keeps others waiting; each failing hold is
 * logged once per episode (UNLOADABLE_MAX remembered); a release is one
 * SMTP transaction of at most RELEASER_SMTP_TIMEOUT seconds per read or
 * write, but RELAYPROC_DATA_DONE_TIMEOUT for the reply to its data.
 */
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grondslag/base/hostport.h"
#include "grondslag/base/log.h"
#include "grondslag/notice/notice.h"
#include "grondslag/daemon/relayproc.h"
#include "grondslag/daemon/releaser.h"
#include "grondslag/decide/seal.h"

struct releaser {
	struct releaser_setup in;
	char host[256], port[16], helo[256], from[512], header[160], prefix[128];
	char spool[PATH_MAX], exe[PATH_MAX];	/* the relay process (relayproc.h) */
	pthread_t thread;
	bool running, stop, kicked;
	bool leased;		/* the last pass held the expiry lease (thread) */
	/* settings of a reload, waiting for the next pass (lock) */
	struct {
		bool set, relay;	/* relay: host/port given ("" none) */
		char host[256], port[16];
		unsigned expiry_days, retry_base;
		struct roundup *roundup;
	} next;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	atomic_uint_fast64_t released, failed, expired;
	/* holds that failed (not loadable, or a store update about them),
	 * each logged once per episode (thread only; at most UNLOADABLE_MAX
	 * remembered) */
	char (*unloadable)[STORE_REF_MAX];
	size_t nunloadable;
	bool unloadable_full;
};

#define UNLOADABLE_MAX 4096
#define ADDR_BUF (RCPT_TEXT_MAX + 1)	/* an address without <>, NUL */

/* Index of ref among the unloadable holds, or nunloadable. */
static size_t unloadable_find(const struct releaser *r, const char *ref)
{
	size_t i = 0;
	while (i < r->nunloadable && strcmp(r->unloadable[i], ref) != 0)
		i++;
	return i;
}

/* Remember that hold ref failed: true when it had not failed before in
 * this episode (then it deserves an error line). */
static bool hold_failed(struct releaser *r, const char *ref)
{
	if (unloadable_find(r, ref) < r->nunloadable)
		return false;
	if (r->nunloadable < UNLOADABLE_MAX) {
		if (r->unloadable == NULL)
			r->unloadable = calloc(UNLOADABLE_MAX, sizeof *r->unloadable);
		if (r->unloadable != NULL) {
			snprintf(r->unloadable[r->nunloadable++], STORE_REF_MAX, "%s", ref);
			return true;
		}
	}
	if (!r->unloadable_full)
		log_msg(LOG_ERR, "releaser: more than %d holds fail; failures of further holds are"
			" logged at debug level only", UNLOADABLE_MAX);
	r->unloadable_full = true;
	return false;
}

/* Hold ref was acted on: end its episode of failures, if it had one. */
static void hold_worked(struct releaser *r, const char *ref)
{
	size_t i = unloadable_find(r, ref);
	if (i == r->nunloadable)
		return;
	log_msg(LOG_NOTICE, "hold %s: acted on again after earlier failures", ref);
	memmove(r->unloadable[i], r->unloadable[i + 1],
		(r->nunloadable - i - 1) * sizeof *r->unloadable);
	r->nunloadable--;
	if (r->nunloadable == 0)
		r->unloadable_full = false;
}

/* A hold could not be loaded or a store update about it failed: it is
 * passed over and tried again every pass, never dropped.  A hold that
 * cannot be loaded fails every pass (ReleaseRetry may be 1 s) and a full
 * disk fails every update: the first failure of each hold in an episode
 * is an error naming it, its repeats are logged at debug level until it
 * is acted on again.  Nothing is sent on a failed update: the token and
 * the hold's state decide, and they did not change. */
static void store_failed(struct releaser *r, const char *what, const char *ref, const char *err)
{
	bool first = hold_failed(r, ref);
	log_msg(first ? LOG_ERR : LOG_DEBUG, "%s %s: not done (%.300s)%s", what, ref,
		err && *err ? err : "store error",
		first ? "; passed over and tried again every pass, logged again when it works" : "");
}

/* addr without surrounding <> into out. */
static bool bare(const char *addr, char *out, size_t outlen)
{
	size_t l = strlen(addr);
	int n;
	if (l >= 2 && addr[0] == '<' && addr[l - 1] == '>')
		n = snprintf(out, outlen, "%.*s", (int)(l - 2), addr + 1);
	else
		n = snprintf(out, outlen, "%s", addr);
	/* a cut address is another address: never used */
	return n >= 0 && (size_t)n < outlen;
}

/* Send nonce's copy through the fake relay or a relay process (whose
 * receipt survives us, relayproc.h) and wait for its outcome: DONE with
 * *sent as smtpc_send() and res, or LOST (a fake's -1; a process that
 * ended without a receipt). */
static enum relayproc_state relay_run(struct releaser *r, const char *nonce, const char *from,
				      const char *const *rcpts, size_t n, const char *data,
				      size_t len, int *sent, struct smtpc_result *res)
{
	memset(res, 0, sizeof *res);
	if (r->in.fake.send != NULL) {
		*sent = r->in.fake.send(r->in.fake.arg, from, rcpts, n, data, len, res);
		return *sent < 0 ? RELAYPROC_LOST : RELAYPROC_DONE;
	}
	struct relayproc_job j = {
		.dir = r->spool, .exe = r->exe, .nonce = nonce, .host = r->host, .port = r->port,
		.helo = r->helo, .from = from, .rcpts = rcpts, .nrcpts = n, .data = data,
		.len = len, .timeout = RELEASER_SMTP_TIMEOUT,
	};
	pid_t pid;
	char err[512];
	if (relayproc_start(&j, &pid, err, sizeof err) != 0) {
		/* nothing went out */
		*sent = 1;
		snprintf(res->text, sizeof res->text, "%.500s", err);
		return RELAYPROC_DONE;
	}
	relayproc_wait(pid);
	return relayproc_outcome(r->spool, nonce, sent, res);
}

/* The sender's notice of kind about rcpts ("\n"-joined canonical list or
 * an array), NULL when the sender cannot be told. */
static char *outcome_notice(struct releaser *r, const struct store_hold_record *h,
			    const char *kind, const char *const *rcpts, size_t n,
			    const char *relay_qid, char to[ADDR_BUF])
{
	if (!bare(h->sender, to, ADDR_BUF))
		return NULL;
	struct notice_outcome_info ni = {
		.kind = kind, .from = r->from, .to = to, .ref = h->ref, .queue_id = h->queue_id,
		.relay_queue_id = relay_qid, .hostname = r->helo, .rcpts = rcpts, .nrcpts = n,
		.expiry_days = r->in.expiry_days,
	};
	return notice_sender_ok(to) ? notice_outcome(&ni) : NULL;
}

/* Split a canonical list into a vector pointing into copy (freed by the
 * caller with free(copy) and free(vector)). */
static const char **split_canon(char *copy, size_t *n)
{
	size_t cap = 1;
	for (const char *p = copy; *p; p++)
		cap += *p == '\n';
	const char **v = calloc(cap, sizeof *v);
	*n = 0;
	for (char *save = NULL, *t = strtok_r(copy, "\n", &save); v && t;
	     t = strtok_r(NULL, "\n", &save))
		v[(*n)++] = t;
	return v;
}

/* The relay's 250 for the copy of token t (as settle_nonce() read it):
 * complete the release when the milter let the copy pass (recorded,
 * notice), else unconfirmed (store.h).  store_release_done()'s result: 0
 * done, 3 unconfirmed, 1 not a release, -1. */
static int complete(struct releaser *r, const struct store_release_token *t,
		    const char *relay_qid, time_t now)
{
	char err[512] = "", to[ADDR_BUF];
	struct store_hold_record *h = store_hold_get(r->in.store, t->ref, err, sizeof err);
	char *copy = strdup(t->rcpts), *notice = NULL;
	size_t n = 0;
	const char **v = copy ? split_canon(copy, &n) : NULL;
	const char *qid = relay_qid && *relay_qid ? relay_qid : t->mta_queue_id;
	if (h != NULL && v != NULL && strcmp(t->state, "used") == 0)
		notice = outcome_notice(r, h, "release", v, n, qid, to);
	int rc = store_release_done(r->in.store, t->nonce, relay_qid, notice ? to : NULL, notice,
				    now, err, sizeof err);
	if (rc == 0) {
		hold_worked(r, t->ref);
		atomic_fetch_add(&r->released, 1);
		log_msg(LOG_NOTICE, "release %s: delivered to %zu recipient%s, queue id %.64s", t->ref,
			n, n == 1 ? "" : "s", qid);
		if (notice != NULL)
			notifier_kick(r->in.notifier);
	} else if (rc == 3) {
		log_msg(LOG_ERR, "release %s: UNCONFIRMED: the relay accepted the copy (queue id"
			" %.64s) but it never passed the milter's release check (ReleaseRelay"
			" without the milter, or the releaser's address outside InternalHosts?);"
			" not sent again, check it by hand", t->ref, qid);
	} else if (rc < 0) {
		store_failed(r, "release", t->ref, err);
	}
	free(notice);
	free(v);
	free(copy);
	store_hold_record_free(h);
	return rc;
}

/* A failed attempt (no 250): void + retry.  0 recorded, -1 not. */
static int failed(struct releaser *r, const char *ref, const char *nonce, const char *why,
		  time_t now)
{
	char err[512] = "";
	time_t due = 0;
	int rc = store_release_fail(r->in.store, nonce, why, now, r->in.retry_base, &due, err,
				    sizeof err);
	if (rc == 0) {
		hold_worked(r, ref);
		atomic_fetch_add(&r->failed, 1);
		log_msg(LOG_WARNING, "release %s: failed (%.200s), retry in %lld s", ref, why,
			(long long)(due - now));
	} else if (rc < 0) {
		store_failed(r, "failed release", ref, err);
	}
	return rc < 0 ? -1 : 0;
}

/* Record the outcome of nonce's attempt (state and token t as read). */
static int settle(struct releaser *r, const struct store_release_token *t,
		  enum relayproc_state st, int sent, const struct smtpc_result *res, time_t now)
{
	char why[700], err[512] = "";
	if (st == RELAYPROC_LOST && strcmp(t->state, "used") == 0) {
		/* the milter let it pass and the relay's reply is lost: the MTA
		 * may have queued it, and a second copy could be a second
		 * delivery - hold it and tell the admins instead */
		int rc = store_release_unknown(r->in.store, t->nonce, "the relay's reply was lost",
					       now, err, sizeof err);
		if (rc == 0)
			log_msg(LOG_ERR, "release %s: OUTCOME UNKNOWN: the milter let the copy pass"
				" (MTA queue id %.64s) and the relay's reply was lost; not sent again,"
				" check the MTA's log for that queue id", t->ref, t->mta_queue_id);
		else if (rc < 0)
			store_failed(r, "unknown outcome of the release of", t->ref, err);
		return rc < 0 ? -1 : 0;
	}
	if (st == RELAYPROC_LOST)
		return failed(r, t->ref, t->nonce, "interrupted: the copy never passed the milter",
			      now);
	if (sent == 0) {
		int rc = complete(r, t, res->queue_id, now);
		if (rc != 1)
			return rc < 0 ? -1 : 0;
		snprintf(why, sizeof why, "the relay accepted it (%d %s) but the milter did not"
			 " accept its token", res->code, res->queue_id);
	} else {
		snprintf(why, sizeof why, "%s %d %s", sent == 2 ? "refused:" : "not sent:", res->code,
			 res->text);
	}
	return failed(r, t->ref, t->nonce, why, now);
}

/* Settle nonce's attempt and forget its files once recorded; 1 when
 * settled, 0 when its relay process still runs, -1. */
static int settle_nonce(struct releaser *r, const char *nonce, enum relayproc_state st,
			int sent, const struct smtpc_result *res, time_t now)
{
	char err[512];
	struct store_release_token t;
	if (st == RELAYPROC_RUNNING)
		return 0;
	if (store_release_token_get(r->in.store, nonce, &t, err, sizeof err) != 1) {
		log_msg(LOG_ERR, "release %.40s: token not readable: %s", nonce, err);
		return -1;
	}
	int rc = settle(r, &t, st, sent, res, now);
	store_release_token_clear(&t);
	if (rc == 0 && r->in.fake.send == NULL)
		relayproc_forget(r->spool, nonce);
	return rc == 0 ? 1 : -1;
}

/* Step 1: attempts a restart interrupted: the relay process's receipt
 * when it wrote one, else (it died, or the daemon and the machine did)
 * the outcome is lost. */
static int resume(struct releaser *r, time_t now)
{
	char **nonces, err[512], after[RELEASE_NONCE_HEX + 8] = "";
	size_t n;
	int acted = 0;
	do {
		if (store_release_open_after(r->in.store, now, after, &nonces, &n, err,
					     sizeof err) != 0) {
			log_msg(LOG_ERR, "releaser: %s", err);
			return acted > 0 ? acted : -1;
		}
		for (size_t i = 0; i < n; i++) {
			struct smtpc_result res;
			int sent = 1;
			enum relayproc_state st = RELAYPROC_LOST;
			memset(&res, 0, sizeof res);
			if (r->in.fake.send == NULL)
				st = relayproc_outcome(r->spool, nonces[i], &sent, &res);
			acted += settle_nonce(r, nonces[i], st, sent, &res, now) > 0;
		}
		if (n > 0)
			snprintf(after, sizeof after, "%s", nonces[n - 1]);
		store_strv_free(nonces, n);
	} while (n > 0);
	return acted;
}

/* Expire one hold: state machine, record and notice in one transaction. */
static bool expire_one(struct releaser *r, const char *ref, time_t now)
{
	char err[512] = "", to[ADDR_BUF];
	struct store_hold_record *h = store_hold_get(r->in.store, ref, err, sizeof err);
	if (h == NULL) {
		store_failed(r, "expiry of hold", ref, err);
		return false;
	}
	const char **v = calloc(h->nrcpts + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; v != NULL && i < h->nrcpts; i++)
		if (strcmp(h->rcpts[i].state, "held") == 0 ||
		    strcmp(h->rcpts[i].state, "approved") == 0)
			v[n++] = h->rcpts[i].recipient;
	char *notice = v ? outcome_notice(r, h, "expiry", v, n, NULL, to) : NULL;
	char reason[80];
	snprintf(reason, sizeof reason, "no decision within %u days (HoldExpiry)",
		 r->in.expiry_days);
	struct store_decision d = {
		.event = HEV_EXPIRE, .reason = reason, .now = now,
		.notice_kind = notice ? "expiry" : NULL, .notice_to = notice ? to : NULL,
		.notice_message = notice,
	};
	struct store_decision_result res;
	int rc = store_hold_decide(r->in.store, ref, &d, &res, err, sizeof err);
	if (rc == 0) {
		hold_worked(r, ref);
		atomic_fetch_add(&r->expired, 1);
		log_msg(LOG_NOTICE, "hold %s expired after %u days", ref, r->in.expiry_days);
		if (notice)
			notifier_kick(r->in.notifier);
	} else if (rc < 0) {
		store_failed(r, "expiry of hold", ref, err);
	}
	free(notice);
	free(v);
	store_hold_record_free(h);
	return rc == 0;
}

/* Step 2: expiry, page by page through every expired hold: one that
 * cannot be loaded or recorded (logged by expire_one) is passed over and
 * tried again next pass, never keeping the holds after it waiting. */
static int expire(struct releaser *r, time_t now)
{
	char **refs, err[512], after[STORE_REF_MAX] = "";
	size_t n;
	int done = 0;
	time_t cutoff = now - (time_t)r->in.expiry_days * 86400;
	do {
		if (store_holds_expired_after(r->in.store, cutoff, after, &refs, &n, err,
					      sizeof err) != 0) {
			log_msg(LOG_ERR, "releaser: %s", err);
			return done > 0 ? done : -1;
		}
		for (size_t i = 0; i < n; i++)
			done += expire_one(r, refs[i], now);
		if (n > 0)
			snprintf(after, sizeof after, "%s", refs[n - 1]);
		store_strv_free(refs, n);
		pthread_mutex_lock(&r->lock);
		bool stop = r->stop;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			break;
	} while (n > 0);
	return done;
}

/* The approved recipients of h: bare addresses in v, canonical list. */
static char *approved_of(const struct store_hold_record *h, char (*v)[ADDR_BUF], const char **pv,
			 size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < h->nrcpts && *n < RELEASE_MAX_RCPTS; i++) {
		if (strcmp(h->rcpts[i].state, "approved") != 0)
			continue;
		/* every recipient the milter holds fits (limits.h); one that does
		 * not is left out, so the token's list is refused by the store */
		if (!bare(h->rcpts[i].recipient, v[*n], ADDR_BUF))
			return NULL;
		pv[*n] = v[*n];
		(*n)++;
	}
	return *n > 0 ? release_rcpts_canon(pv, *n) : NULL;
}

/* Build the token and begin the attempt; the header line in line. */
static bool begin(struct releaser *r, const struct store_hold_record *h, const char *msg,
		  size_t len, const char *canon, time_t now, char *nonce, char *line,
		  size_t linelen, const char *sealed_for, const char *fprs)
{
	struct release_token t;
	char digest[RELEASE_DIGEST_HEX], value[RELEASE_HEADER_MAX + 1], reason[256], err[512];
	memset(&t, 0, sizeof t);
	snprintf(t.ref, sizeof t.ref, "%s", h->ref);
	if (!release_nonce_new(t.nonce))
		return false;
	t.expires = (int64_t)now + RELEASE_TOKEN_TTL;
	release_digest(msg, len, r->prefix, digest);
	release_mac(r->in.key, t.ref, t.nonce, digest, t.expires, canon, t.mac);
	if (!release_token_format(&t, value, sizeof value))
		return false;
	snprintf(line, linelen, "%s: %s\r\n", r->header, value);
	struct store_release_start b = {
		.ref = h->ref, .nonce = t.nonce, .digest = digest, .rcpts_canon = canon,
		.header = value, .expires = t.expires, .now = now,
		.encrypted_for = *sealed_for ? sealed_for : NULL, .key_fprs = fprs,
	};
	int rc = store_release_begin(r->in.store, &b, reason, sizeof reason, err, sizeof err);
	if (rc != 0) {
		if (rc < 0)
			store_failed(r, "start of the release of", h->ref, err);
		else
			log_msg(strncmp(reason, "duplicate:", 10) == 0 ? LOG_ERR : LOG_INFO,
				"release %s: not begun: %s", h->ref, reason);
		return false;
	}
	hold_worked(r, h->ref);
	memcpy(nonce, t.nonce, RELEASE_NONCE_HEX);
	return true;
}

/* The stored message of ref no longer matches its digest: refuse the
 * release, record it, raise it to the admins.  1 when recorded. */
static int tampered(struct releaser *r, const char *ref, const char *why, time_t now)
{
	char err[512];
	log_msg(LOG_ERR, "release %s: REFUSED: %s", ref, why);
	if (store_release_tampered(r->in.store, ref, why, now, err, sizeof err) != 0) {
		log_msg(LOG_ERR, "release %s: refusal not recorded: %s", ref, err);
		return 0;
	}
	return 1;
}

/* Send the stored original plus the token to the approved recipients. */
static int attempt(struct releaser *r, const char *ref, time_t now)
{
	char err[512] = "", nonce[RELEASE_NONCE_HEX], line[RELEASE_HEADER_MAX + 200];
	char from[ADDR_BUF], (*addrs)[ADDR_BUF] = NULL;
	char sealed_for[128] = "", fprs[SEAL_FPRS_MAX] = "";
	const char **pv = NULL;
	char *canon = NULL, *data = NULL;
	size_t len = 0, n = 0;
	int acted = 0;
	char *msg = NULL, why[300] = "";
	struct store_hold_record *h = store_hold_get(r->in.store, ref, err, sizeof err);
	if (h == NULL) {
		store_failed(r, "release of hold", ref, err);
		return 0;
	}
	/* every failure below is logged (once per episode) and passed over:
	 * nothing is begun, the hold is due again next pass */
	int checked = store_hold_message_checked(r->in.store, ref, &msg, &len, why, sizeof why);
	if (checked == 1) {
		acted = tampered(r, ref, why, now);
		goto out;
	}
	if (checked != 0) {
		store_failed(r, "release of hold", ref, why);
		goto out;
	}
	addrs = calloc(h->nrcpts + 1, sizeof *addrs);
	pv = calloc(h->nrcpts + 1, sizeof *pv);
	if (addrs == NULL || pv == NULL) {
		store_failed(r, "release of hold", ref, "out of memory");
		goto out;
	}
	/* none approved any more: another relay's releaser (a shared store)
	 * or a jurist acted since the list was read; nothing to do here */
	size_t approved = 0;
	for (size_t i = 0; i < h->nrcpts; i++)
		approved += strcmp(h->rcpts[i].state, "approved") == 0;
	if (approved == 0)
		goto out;
	canon = approved_of(h, addrs, pv, &n);
	if (canon == NULL) {
		store_failed(r, "release of hold", ref, "an approved recipient cannot be sent");
		goto out;
	}
	if (!bare(h->sender, from, sizeof from)) {
		store_failed(r, "release of hold", ref, "the envelope sender cannot be sent");
		goto out;
	}
	/* encrypted for the recipients' party before the token: the token's
	 * digest is the ciphertext's, the copy the milter checks */
	if (r->in.seal != NULL) {
		char *sealed = NULL;
		size_t slen = 0;
		int sr = r->in.seal(r->in.seal_arg, pv, n, h->summary_json, msg, len, &sealed, &slen, sealed_for,
				    sizeof sealed_for, fprs, sizeof fprs, err, sizeof err);
		if (sr < 0) {
			store_failed(r, "release of hold", ref, err);
			goto out;
		}
		if (sr > 0) {
			free(msg);
			msg = sealed;
			len = slen;
		}
	}
	if (!begin(r, h, msg, len, canon, now, nonce, line, sizeof line, sealed_for, fprs))
		goto out;
	size_t hl = strlen(line);
	data = malloc(hl + len);
	if (data == NULL) {
		failed(r, ref, nonce, "out of memory", now);
		acted = 1;
		goto out;
	}
	memcpy(data, line, hl);
	memcpy(data + hl, msg, len);

	struct smtpc_result res;
	int sent = 1;
	enum relayproc_state st = relay_run(r, nonce, from, pv, n, data, hl + len, &sent, &res);
	settle_nonce(r, nonce, st, sent, &res, now);
	acted = 1;
out:
	free(data);
	free(canon);
	free(pv);
	free(addrs);
	free(msg);
	store_hold_record_free(h);
	return acted;
}

/* Step 3: due releases, page by page as the expiry: a hold that cannot
 * be loaded or begun is passed over, never keeping the holds after it
 * waiting. */
static int release_due(struct releaser *r, time_t now)
{
	char **refs, err[512], after[STORE_REF_MAX] = "";
	size_t n;
	int done = 0;
	bool stop = false;
	/* no ReleaseRelay: approved holds wait (and stay approved) until
	 * one is set; expiry and the digest do not depend on it */
	if (r->in.fake.send == NULL && r->host[0] == '\0')
		return 0;
	do {
		if (store_release_due_after(r->in.store, now, after, &refs, &n, err,
					    sizeof err) != 0) {
			log_msg(LOG_ERR, "releaser: %s", err);
			return done > 0 ? done : -1;
		}
		for (size_t i = 0; i < n && !stop; i++) {
			pthread_mutex_lock(&r->lock);
			stop = r->stop;
			pthread_mutex_unlock(&r->lock);
			if (!stop)
				done += attempt(r, refs[i], now);
		}
		if (n > 0)
			snprintf(after, sizeof after, "%s", refs[n - 1]);
		store_strv_free(refs, n);
	} while (n > 0 && !stop);
	return done;
}

/* Take the settings of a reload, if any (only the pass reads them). */
static void apply_config(struct releaser *r)
{
	pthread_mutex_lock(&r->lock);
	if (r->next.set) {
		if (r->next.relay) {
			memcpy(r->host, r->next.host, sizeof r->host);
			memcpy(r->port, r->next.port, sizeof r->port);
		}
		if (r->next.expiry_days > 0)
			r->in.expiry_days = r->next.expiry_days;
		if (r->next.retry_base > 0)
			r->in.retry_base = r->next.retry_base;
		r->in.roundup = r->next.roundup;
		r->next.set = false;
		log_msg(LOG_INFO, "releaser: relay %s%s%s, HoldExpiry %u days, ReleaseRetry %u s",
			r->host[0] ? r->host : "none (approved holds wait)", r->host[0] ? ":" : "",
			r->port, r->in.expiry_days, r->in.retry_base);
	}
	pthread_mutex_unlock(&r->lock);
}

int releaser_configure(struct releaser *r, const struct releaser_config *c, char *err,
		       size_t errlen)
{
	char host[256] = "", port[16] = "";
	if (r == NULL || c == NULL)
		return -1;
	if (c->relay != NULL && *c->relay != '\0' &&
	    !hostport_parse(c->relay, host, sizeof host, port, sizeof port)) {
		snprintf(err, errlen, "ReleaseRelay \"%.100s\" is not HOST:PORT", c->relay);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	memcpy(r->next.host, host, sizeof host);
	memcpy(r->next.port, port, sizeof port);
	r->next.relay = c->relay != NULL;
	r->next.expiry_days = c->expiry_days;
	r->next.retry_base = c->retry_base;
	r->next.roundup = c->roundup;
	r->next.set = true;
	/* wake the thread: expiries and retries follow the new values now */
	r->kicked = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

int releaser_pass(struct releaser *r, time_t now)
{
	if (r == NULL)
		return -1;
	apply_config(r);
	int a = resume(r, now), b = 0, d = 0;
	/* expiry and the digest are for the whole store: in a store shared
	 * by several relays one of them runs them (the lease), the others
	 * only release; any relay releases any approved hold, once (the
	 * approved -> releasing step of store_release_begin) */
	char err[512], holder[STORE_RELAY_MAX];
	int lease = store_lease_take(r->in.store, RELEASER_LEASE_JOB, now, RELEASER_LEASE_TTL,
				     holder, sizeof holder, err, sizeof err);
	if (lease < 0)
		log_msg(LOG_ERR, "releaser: expiry and digest not run: %s", err);
	r->leased = lease == 1;
	if (lease == 1) {
		b = expire(r, now);
		d = roundup_pass(r->in.roundup, now);
	}
	int c = release_due(r, now);
	if (a < 0 || b < 0 || c < 0 || d < 0 || lease < 0)
		return -1;
	return a + b + c + d;
}

struct releaser *releaser_new(const struct releaser_setup *in, char *err, size_t errlen)
{
	struct releaser *r = calloc(1, sizeof *r);
	if (r == NULL || in == NULL || in->store == NULL) {
		snprintf(err, errlen, "releaser: out of memory or no store");
		free(r);
		return NULL;
	}
	r->in = *in;
	/* without a relay (NULL or ""), expiry and the digest still run */
	if (in->fake.send == NULL && in->relay != NULL && *in->relay != '\0' &&
	    !hostport_parse(in->relay, r->host, sizeof r->host, r->port, sizeof r->port)) {
		snprintf(err, errlen, "ReleaseRelay \"%.100s\" is not HOST:PORT",
			 in->relay ? in->relay : "");
		free(r);
		return NULL;
	}
	ssize_t el = in->fake.send == NULL ? readlink("/proc/self/exe", r->exe, sizeof r->exe - 1)
					   : 0;
	if (el < 0 || (size_t)el >= sizeof r->exe - 1 ||
	    (in->fake.send == NULL && (in->spool_dir == NULL || *in->spool_dir == '\0'))) {
		snprintf(err, errlen, "releaser: no executable or SpoolDirectory for the relay"
			 " process");
		free(r);
		return NULL;
	}
	r->exe[el] = '\0';
	snprintf(r->spool, sizeof r->spool, "%s", in->spool_dir ? in->spool_dir : "");
	snprintf(r->helo, sizeof r->helo, "%s", in->helo && *in->helo ? in->helo : "localhost");
	snprintf(r->from, sizeof r->from, "%s", in->notice_from ? in->notice_from : "");
	snprintf(r->prefix, sizeof r->prefix, "%.120s",
		 in->header_name && *in->header_name ? in->header_name : "X-Grondslag");
	snprintf(r->header, sizeof r->header, "%s-Release", r->prefix);
	/* copied above; the caller's strings need not outlive us */
	r->in.relay = r->in.helo = r->in.notice_from = r->in.header_name = r->in.spool_dir = NULL;
	if (r->in.expiry_days == 0)
		r->in.expiry_days = 14;
	atomic_init(&r->released, 0);
	atomic_init(&r->failed, 0);
	atomic_init(&r->expired, 0);
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return r;
}

/* The thread: a pass, then sleep until kicked, stopped or the poll time. */
static void *releaser_main(void *arg)
{
	struct releaser *r = arg;
	for (;;) {
		releaser_pass(r, time(NULL));
		/* after the pass: ReleaseRetry may have changed in it */
		unsigned poll = r->in.retry_base > 0 && r->in.retry_base < RELEASER_POLL_SECONDS
					? r->in.retry_base : RELEASER_POLL_SECONDS;
		pthread_mutex_lock(&r->lock);
		if (!r->kicked && !r->stop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += poll;
			pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		}
		r->kicked = false;
		bool stop = r->stop;
		pthread_mutex_unlock(&r->lock);
		if (stop)
			return NULL;
	}
}

int releaser_start(struct releaser *r, char *err, size_t errlen)
{
	if (r == NULL || r->running)
		return -1;
	int e = pthread_create(&r->thread, NULL, releaser_main, r);
	if (e != 0) {
		snprintf(err, errlen, "releaser thread: %s", strerror(e));
		return -1;
	}
	r->running = true;
	return 0;
}

void releaser_kick(struct releaser *r)
{
	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->kicked = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void releaser_free(struct releaser *r)
{
	if (r == NULL)
		return;
	if (r->running) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_signal(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	/* a relay stopping: another one runs expiry and the digest at its
	 * next pass, not minutes later when this relay's term ends */
	char err[512];
	if (r->leased && store_lease_give(r->in.store, RELEASER_LEASE_JOB, err, sizeof err) != 0)
		log_msg(LOG_ERR, "releaser: the expiry lease not given up: %s", err);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r->unloadable);
	/* the key is a secret: do not leave it in freed memory */
	explicit_bzero(r->in.key, sizeof r->in.key);
	free(r);
}

void releaser_counts(const struct releaser *r, uint64_t *released, uint64_t *failed_n,
		     uint64_t *expired_n)
{
	*released = r ? atomic_load(&r->released) : 0;
	*failed_n = r ? atomic_load(&r->failed) : 0;
	*expired_n = r ? atomic_load(&r->expired) : 0;
}

/* The address as ours: an IPv4-mapped IPv6 address is the IPv4 one (the
 * MTA's milter sees it so). */
static bool addr_of(const struct sockaddr_storage *ss, struct ip_addr *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	memset(out, 0, sizeof *out);
	if (ss->ss_family == AF_INET) {
		out->family = IP_V4;
		memcpy(out->octet, &((const struct sockaddr_in *)(const void *)ss)->sin_addr, 4);
		return true;
	}
	if (ss->ss_family != AF_INET6)
		return false;
	const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)ss)->sin6_addr.s6_addr;
	bool v4 = memcmp(b, mapped, 12) == 0;
	out->family = v4 ? IP_V4 : IP_V6;
	memcpy(out->octet, v4 ? b + 12 : b, v4 ? 4 : 16);
	return true;
}

int releaser_source(const char *relay, struct ip_addr *out, char *err, size_t errlen)
{
	char host[256], port[16];
	if (relay == NULL || !hostport_parse(relay, host, sizeof host, port, sizeof port)) {
		snprintf(err, errlen, "ReleaseRelay \"%.100s\" is not HOST:PORT", relay ? relay : "");
		return -1;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
	int e = getaddrinfo(host, port, &hints, &ai);
	if (e != 0) {
		snprintf(err, errlen, "ReleaseRelay %.100s: %s", host, gai_strerror(e));
		return -1;
	}
	/* a UDP "connect" sends nothing: the kernel picks the source address
	 * it would use for the relay, which is what the MTA's milter sees */
	int rc = -1, fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 && addr_of(&ss, out))
		rc = 0;
	else
		snprintf(err, errlen, "ReleaseRelay %.100s: no route (%s)", host, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return rc;
}
