/*
 * ctlsock_resolve.c - the admin's "release-resolve" request: settle a
 * release the releaser left to the admins (unknown, unconfirmed,
 * duplicate; store.h store_release_resolve()).
 *
 *   {"cmd":"release-resolve", "ref":REF, "resolution":"delivered"|"resend",
 *    "reason":TEXT}
 *
 * Admins only: the release was approved by the jurists (four eyes); the
 * admin states a delivery fact found in the MTA's log, recorded with the
 * admin's identity and reason.  A delivered unknown/unconfirmed release
 * queues the sender's release notice; a resend kicks the releaser.
 *
 * Public functions: ctlsock_resolve().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/domain.h"
#include "grondslag/base/log.h"
#include "grondslag/notice/notice.h"

struct release_notice_arg {
	const struct ctlsock_req *r;
	const struct store_hold_record *h;
	const char *to;
};

/* store_release_resolution.notice_make: the sender's release notice. */
static char *release_notice(void *arg, const char *const *rcpts, size_t n, const char *qid)
{
	const struct release_notice_arg *a = arg;
	struct notice_outcome_info ni = {
		.kind = "release", .from = a->r->env->notice_from, .to = a->to, .ref = a->h->ref,
		.queue_id = a->h->queue_id, .relay_queue_id = qid, .hostname = a->r->env->hostname,
		.when = a->r->now, .rcpts = rcpts, .nrcpts = n,
	};
	return notice_outcome(&ni);
}

void ctlsock_resolve(struct ctlsock_req *r)
{
	bool bad = false;
	const char *reason = ctlsock_arg(r, "reason", &bad);
	const char *how = ctlsock_arg(r, "resolution", &bad);
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	if (bad || reason == NULL || *reason == '\0') {
		ctlsock_status(r, "bad-request", "reason (what the MTA's log showed) is required");
		return;
	}
	if (how == NULL || (strcmp(how, "delivered") != 0 && strcmp(how, "resend") != 0)) {
		ctlsock_status(r, "bad-request", "resolution is \"delivered\" or \"resend\"");
		return;
	}
	char err[300] = "", to[321];
	struct store_hold_record *h = store_hold_get(r->env->store, r->ref, err, sizeof err);
	struct release_notice_arg na = {.r = r, .h = h, .to = to};
	struct store_release_resolution in = {
		.ref = r->ref, .delivered = strcmp(how, "delivered") == 0, .actor = &r->actor,
		.reason = reason, .now = r->now,
	};
	if (h != NULL && r->env->notice_from != NULL && *r->env->notice_from &&
	    domain_address_normalize(h->sender, to, sizeof to, NULL) && notice_sender_ok(to)) {
		in.notice_make = release_notice;
		in.notice_arg = &na;
		in.notice_to = to;
	}
	struct store_decision_result res;
	int rc = h == NULL ? (*err ? -1 : 2)
			   : store_release_resolve(r->env->store, &in, &res, err, sizeof err);
	store_hold_record_free(h);
	switch (rc) {
	case 0:
		ctlsock_status(r, "ok", NULL);
		log_msg(LOG_NOTICE, "release %s: resolved as %s by admin %s", r->ref, how,
			r->actor.user);
		/* a resend, or the rest of a duplicate's recipients, go out now */
		releaser_kick(r->env->releaser);
		if (in.notice_make != NULL)
			notifier_kick(r->env->notifier);
		break;
	case 1:
		ctlsock_status(r, "refused", res.reason);
		break;
	case 2:
		ctlsock_status(r, "not-found", "no such hold");
		break;
	default:
		ctlsock_status(r, "error", err);
		break;
	}
	json_key(r->j, "ref");
	json_str(r->j, r->ref);
	json_key(r->j, "resolution");
	json_str(r->j, how);
	if (rc == 0) {
		json_key(r->j, "state");
		json_str(r->j, res.state);
	}
}
