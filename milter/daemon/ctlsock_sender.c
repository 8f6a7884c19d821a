/*
 * ctlsock_sender.c - what a Sender may ask the control socket: the holds
 * of their own mail (held, show: the dispatcher lets a sender reach only
 * these) and an urgent review of one of them.
 *
 * Why in the daemon and not only in the console: the console and the CLI
 * are clients; whatever a client shows, the answer the daemon gives a
 * sender never carries a hold of somebody else.  A hold that is not the
 * caller's is answered exactly like a reference that names no hold
 * ("not-found", "no such hold"), so a sender cannot learn that a
 * reference exists; the attempt is recorded in the chain (a refusal,
 * within the refusal limit), so a sender trying references is seen.
 *
 * An urgent request: the justification follows the rules of a case
 * comment (ctlsock_text_check()); the store records it as the hold's
 * "urgent" record and queues the jurists' mail in the same transaction,
 * one per request, and refuses a second request on the same hold
 * (recorded): one mail per hold at most, whatever a sender does.  Urgency
 * changes no rule of the decision: the four eyes stay.
 *
 * Public (ctlsock_priv.h): ctlsock_sender_may_see(),
 * ctlsock_sender_unknown(), ctlsock_hold_seen(), ctlsock_sender_filter(),
 * ctlsock_urgent().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/notice/notice.h"

/* What a sender is told for a hold that is not theirs, and for none. */
#define NO_SUCH_HOLD "no such hold"

/* Record an attempt of a sender on a reference not theirs (or none),
 * answered "not-found" with the words of an unknown reference. */
static void refuse_unseen(struct ctlsock_req *r, const char *why)
{
	/* the refusal's record keeps why; the answer may not */
	ctlsock_refuse_told(r, "not-found", why, NO_SUCH_HOLD);
}

bool ctlsock_sender_may_see(struct ctlsock_req *r, const struct store_hold_record *h)
{
	if (r->role != CTLSOCK_SENDER ||
	    ctlsock_sender_owns(r->c, r->actor.user, h->sender))
		return true;
	refuse_unseen(r, "a sender asked for a hold of another sender");
	return false;
}

void ctlsock_sender_unknown(struct ctlsock_req *r)
{
	if (r->role == CTLSOCK_SENDER)
		refuse_unseen(r, "a sender asked for a reference that names no hold");
	else
		ctlsock_status(r, "not-found", NO_SUCH_HOLD);
}

struct store_hold_record *ctlsock_hold_seen(struct ctlsock_req *r)
{
	char err[300] = "";
	struct store_hold_record *h = store_hold_get(r->env->store, r->ref, err, sizeof err);
	if (h == NULL) {
		if (*err) {
			snprintf(r->why, sizeof r->why, "%s", err);
			ctlsock_status(r, "error", r->why);
		} else {
			ctlsock_sender_unknown(r);
		}
	} else if (!ctlsock_sender_may_see(r, h)) {
		store_hold_record_free(h);
		h = NULL;
	}
	return h;
}

/* store_hold_filter.sender_ok of a sender's listing. */
static bool own_mail(void *arg, const char *envelope)
{
	const struct ctlsock_req *r = arg;
	return ctlsock_sender_owns(r->c, r->actor.user, envelope);
}

void ctlsock_sender_filter(struct ctlsock_req *r, struct store_hold_filter *f)
{
	if (r->role != CTLSOCK_SENDER)
		return;
	f->sender_ok = own_mail;
	f->sender_arg = r;
}

/* Recipients of h still waiting for a decision. */
static size_t waiting(const struct store_hold_record *h)
{
	size_t n = 0;
	for (size_t i = 0; i < h->nrcpts; i++)
		n += strcmp(h->rcpts[i].state, "held") == 0;
	return n;
}

/* The jurists' mail about the request of r on h (one text for every
 * jurist's address) into items; how many, 0 when nobody is configured,
 * -1 when it cannot be made. */
static long urgent_notices(struct ctlsock_req *r, const struct store_hold_record *h,
			   const char *text, const char **to, struct hold_notice *items,
			   char **msg)
{
	size_t nmail = 0;
	const char *const *mail = config_jurist_mail(r->c, &nmail);
	size_t nto = notice_jurist_to(mail, nmail, to, NOTICE_JURISTS_MAX);
	*msg = NULL;
	if (nto == 0)
		return 0;
	struct notice_urgent_info in = {
		.from = r->env->notice_from, .to = to, .nto = nto,
		.hostname = r->env->hostname ? r->env->hostname : "localhost", .ref = h->ref,
		.sender = h->sender, .asked_by = r->actor.user, .text = text, .when = r->now,
		.expires = h->received + (time_t)config_uint(r->c, CONF_HOLD_EXPIRY) * 86400,
		.waiting = waiting(h), .console_url = config_str(r->c, CONF_WEB_BASE_URL),
	};
	*msg = notice_urgent(&in);
	if (*msg == NULL)
		return -1;
	for (size_t i = 0; i < nto; i++)
		items[i] = (struct hold_notice){.kind = "urgent", .to = to[i], .message = *msg};
	return (long)nto;
}

void ctlsock_urgent(struct ctlsock_req *r)
{
	bool bad = false;
	const char *text = ctlsock_arg(r, "text", &bad), *why = NULL;
	if (r->ref == NULL || !store_ref_valid(r->ref)) {
		ctlsock_status(r, "bad-request", "ref is not a hold reference");
		return;
	}
	char err[300] = "";
	struct store_hold_record *h = ctlsock_hold_seen(r);
	if (h == NULL)
		return;
	if (bad)
		why = "the text is a string of at most 2000 bytes";
	else if (text == NULL)
		why = "an urgent request needs a justification (text)";
	else
		why = ctlsock_text_check(text);
	if (why != NULL) {
		ctlsock_status(r, "bad-request", why);
		store_hold_record_free(h);
		return;
	}
	const char *to[NOTICE_JURISTS_MAX];
	struct hold_notice items[NOTICE_JURISTS_MAX];
	char *msg = NULL;
	long n = urgent_notices(r, h, text, to, items, &msg);
	store_hold_record_free(h);
	if (n < 0) {
		ctlsock_status(r, "error", "the jurists' mail could not be made (NoticeFrom or a "
					   "jurist's address is unusable)");
		return;
	}
	struct store_case_act a = {.kind = STORE_CASE_URGENT, .actor = &r->actor, .now = r->now,
				   .text = text, .notices = items, .nnotices = (size_t)n};
	int rc = store_case_act(r->env->store, r->ref, &a, err, sizeof err);
	free(msg);
	if (rc == 1) {
		snprintf(r->why, sizeof r->why, "%s", err);
		ctlsock_refuse(r, r->why);
	} else if (rc == 2) {
		ctlsock_sender_unknown(r);
	} else if (rc != 0) {
		ctlsock_status(r, "error", *err ? err : "the request could not be recorded");
	} else {
		if (n > 0)
			notifier_kick(r->env->notifier);
		ctlsock_status(r, "ok", NULL);
		json_key(r->j, "jurists_told");
		json_int(r->j, n);
		ctlsock_write_case(r, r->ref);
	}
}
