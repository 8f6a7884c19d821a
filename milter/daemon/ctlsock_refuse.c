/*
 * ctlsock_refuse.c - refusals of the control socket and their record in
 * the audit chain, bounded per caller (see ctlsock.h): the first
 * CTLSOCK_REFUSALS_PER_WINDOW of a caller's window are recorded one by
 * one, the rest counted in env->refusals (ratelim.c) and recorded as one
 * summary when the window ends.  No refusal leaves the count except as
 * a record written (or, at shutdown, a log line when even that fails).
 *
 * No lock around env->refusals: it is used only by the control socket's
 * one thread (ctlsock.c answers one request at a time, and drains the
 * table at the end of that thread), or by a test calling
 * ctlsock_handle() from one thread.
 *
 * Public functions: ctlsock_refusals_drain(); for ctlsock_req.c
 * ctlsock_refuse(), ctlsock_refuse_as() and ctlsock_refusals_flush().
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ctlsock_priv.h"
#include "grondslag/base/log.h"

/* Write the summary s as one "refused" record of its caller; 0 or -1
 * (err). */
static int put_summary(const struct ctlsock_env *env, const struct ratelim_summary *s,
		       char *err, size_t errlen)
{
	int64_t n = s->suppressed > INT64_MAX ? INT64_MAX : (int64_t)s->suppressed;
	char why[160];
	snprintf(why, sizeof why,
		 "rate limit: %" PRId64 " more refusals in this window not recorded one by one",
		 n);
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "command", "*");
	audit_details_str(d, "refused", why);
	audit_details_int(d, "suppressed", n);
	audit_details_int(d, "from", (int64_t)s->from);
	audit_details_int(d, "to", (int64_t)s->to);
	audit_details_int(d, "uid", s->key);
	char *details = audit_details_finish(d);
	struct store_actor actor = {.user = s->user, .uid = s->key, .role = s->role};
	struct store_audit a = {.actor = &actor, .event = "refused", .ref = "", .details = details};
	int rc = details != NULL ? store_audit_put(env->store, &a, err, errlen) : -1;
	if (details == NULL)
		snprintf(err, errlen, "out of memory");
	free(details);
	if (rc == 0)
		log_msg(LOG_NOTICE, "control: uid %ld (%s): %" PRId64 " refusals counted, recorded "
			"as one", s->key, s->user, n);
	return rc;
}

/* Record s (when there is one); when that fails keep it in the table
 * for a later attempt, and log it so the numbers survive a crash.  0 or
 * -1. */
static int record_summary(const struct ctlsock_env *env, const struct ratelim_summary *s,
			  time_t now)
{
	char err[256];
	if (s->suppressed == 0 || put_summary(env, s, err, sizeof err) == 0)
		return 0;
	bool kept = ratelim_putback(env->refusals, s, now) == 0;
	log_msg(LOG_ERR, "control: uid %ld (%s): %" PRIu64 " refusals from %" PRId64 " to %" PRId64
		" not recorded (%s): %s", s->key, s->user, s->suppressed, (int64_t)s->from,
		(int64_t)s->to, kept ? "kept for the next attempt" : "lost from the chain", err);
	return -1;
}

void ctlsock_refusals_flush(const struct ctlsock_env *env, time_t now)
{
	struct ratelim_summary s;
	/* a failure puts the summary back: stop, or it comes straight back */
	while (ratelim_expired(env->refusals, now, &s))
		if (record_summary(env, &s, now) != 0)
			return;
}

int ctlsock_refusals_drain(const struct ctlsock_env *env, time_t now)
{
	/* take them all out first: one that fails is put back, and must not
	 * come round again and again; the others are still tried (at the
	 * thread's end, a failure would otherwise lose every later count) */
	struct ratelim_summary all[CTLSOCK_REFUSAL_SLOTS];
	size_t n = 0;
	if (now == 0)
		now = env->now ? env->now : time(NULL);
	while (n < CTLSOCK_REFUSAL_SLOTS && ratelim_drain(env->refusals, &all[n]))
		n++;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (record_summary(env, &all[i], now) != 0)
			rc = -1;
	return rc;
}

/* Record a refused command in the chain and answer "refused".  The
 * record is the point: every attempt outside one's role is visible,
 * one by one up to the limit, beyond it as a count. */
void ctlsock_refuse(struct ctlsock_req *r, const char *why)
{
	ctlsock_refuse_as(r, "refused", why);
}

void ctlsock_refuse_as(struct ctlsock_req *r, const char *status, const char *why)
{
	ctlsock_refuse_told(r, status, why, NULL);
}

void ctlsock_refuse_told(struct ctlsock_req *r, const char *status, const char *why,
			 const char *told)
{
	struct ratelim_summary earlier;
	enum ratelim_verdict v = ratelim_hit(r->env->refusals, r->peer->uid, r->peer->user,
					     r->actor.role, r->now, &earlier);
	/* the caller's ended window (or an evicted one) comes first in the
	 * chain; if it fails it is kept, and this refusal goes on */
	record_summary(r->env, &earlier, r->now);
	if (v == RATELIM_COUNT) {
		char msg[400];
		snprintf(msg, sizeof msg,
			 "%.200s (counted, not recorded one by one: too many refusals of this "
			 "caller in a short time)", why);
		ctlsock_status(r, status, told != NULL ? told : msg);
		r->counted = true;
		return;
	}
	/* logged (ctlsock_log_action) as often as recorded: the limit
	 * bounds the log too */
	snprintf(r->refused, sizeof r->refused, "%s", why);
	struct audit_details *d = audit_details_new();
	audit_details_str(d, "command", r->cmd ? r->cmd : "?");
	audit_details_str(d, "refused", why);
	audit_details_int(d, "uid", r->peer->uid);
	char *details = audit_details_finish(d), err[256];
	struct store_audit a = {.actor = &r->actor, .event = "refused",
				.ref = r->ref ? r->ref : "", .details = details};
	if (details == NULL || store_audit_put(r->env->store, &a, err, sizeof err) != 0) {
		free(details);
		ctlsock_status(r, "error", "refused, and the refusal could not be recorded");
		return;
	}
	free(details);
	ctlsock_status(r, status, told != NULL ? told : why);
}
