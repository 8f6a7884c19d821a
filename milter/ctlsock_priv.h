/*
 * ctlsock_priv.h - what the files of the control socket share
 * (ctlsock.c the server, ctlsock_req.c one request, ctlsock_refuse.c
 * refusals and their bounded record, ctlsock_decide.c decisions, bulk and
 * the deny notice).  Private to those files.
 */
#ifndef GRONDSLAG_CTLSOCK_PRIV_H
#define GRONDSLAG_CTLSOCK_PRIV_H

#include <stdbool.h>

#include "grondslag/ctlsock.h"
#include "grondslag/json.h"
#include "grondslag/jsonr.h"

/* One request being answered. */
struct ctlsock_req {
	const struct ctlsock_env *env;
	const struct config *c;
	const struct ctlsock_peer *peer;
	enum ctlsock_role role;
	struct store_actor actor;
	const struct jsonr_value *root;	/* the request object */
	const char *cmd, *ref;		/* NULL when absent */
	struct json *j;			/* the answer, inside its object */
	time_t now;
	char jurist_ids[8192];		/* the caller's identities (approve) */
};

/* The outcome of one decision on one hold. */
struct ctlsock_outcome {
	int rc;				/* store_hold_decide(): 0, 1, 2, -1 */
	const char *status;		/* ok, refused, not-found, error */
	char error[300];
	struct store_decision_result res;
	bool noticed;			/* a notice was queued */
};

void ctlsock_status(struct ctlsock_req *r, const char *status, const char *error);
/* Answer "refused" and record it, or only count it beyond the limit
 * (ctlsock_refuse.c). */
void ctlsock_refuse(struct ctlsock_req *r, const char *why);
/* The same, answering status ("bad-request" for a malformed request). */
void ctlsock_refuse_as(struct ctlsock_req *r, const char *status, const char *why);
/* Record the counts of the refusal windows ended at now (a failure is
 * kept for the next request). */
void ctlsock_refusals_flush(const struct ctlsock_env *env, time_t now);
const char *ctlsock_arg(const struct ctlsock_req *r, const char *key, bool *bad);
bool ctlsock_filter(const struct ctlsock_req *r, struct store_hold_filter *f);
void ctlsock_embed(struct json *j, const char *key, const char *text);
void ctlsock_write_rcpts(struct json *j, const struct store_hold_record *h);

/* Apply d to ref (a deny also queues the sender's notice). */
void ctlsock_decide(struct ctlsock_req *r, const char *ref, struct store_decision *d,
		    struct ctlsock_outcome *o);
/* The members of an answer about one decision. */
void ctlsock_write_outcome(struct ctlsock_req *r, const char *ref,
			   const struct ctlsock_outcome *o);
/* Bulk: d on every open hold matching the request's filters. */
void ctlsock_bulk(struct ctlsock_req *r, struct store_decision *d);
/* The RFC 5322 text telling sender `to` that ref was denied (malloc'ed),
 * NULL when out of memory. */
char *ctlsock_deny_notice(const struct ctlsock_env *env, const struct store_hold_record *h,
			  const char *to, time_t now);

#endif
