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
#include "grondslag/decide/senderid.h"
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
	    ctlsock_sender_owns(r->c, r->actor.user, h->sender, h->sender_auth))
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

/* store_hold_filter.sender_ok of a sender's listing: the exact test. */
static bool own_mail(void *arg, const char *envelope, const char *auth)
{
	const struct ctlsock_req *r = arg;
	return ctlsock_sender_owns(r->c, r->actor.user, envelope, auth);
}

/* A blank-separated list being built in a fixed buffer. */
struct pre {
	char *buf;
	size_t cap, used;
	bool overflow;
};

/* Add the n bytes of s to p, followed by a blank. */
static void pre_add(struct pre *p, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (p->used + n + 2 > p->cap) {
		p->overflow = true;
		return;
	}
	memcpy(p->buf + p->used, s, n);
	p->used += n;
	p->buf[p->used++] = ' ';
	p->buf[p->used] = '\0';
}

/* The pre-filter's entries for the blank-separated identities of v: an
 * address's canonical forms (with today's RecipientDelimiter, and
 * without a cut, as a hold may have been stored under another), and the
 * SMTP AUTH identities it names (a sasl:NAME, an address as spelt). */
static void pre_ids(const char *v, const char *delims, struct pre *canon, struct pre *auths)
{
	char a[SENDERID_MAX], c[SENDERID_MAX];
	while (v != NULL && *(v += strspn(v, " \t")) != '\0') {
		size_t n = strcspn(v, " \t");
		const char *id = v;
		v += n;
		if (n > 5 && strncmp(id, "sasl:", 5) == 0) {
			pre_add(auths, id + 5, n - 5);
			continue;
		}
		pre_add(auths, id, n);
		if (n >= sizeof a)
			continue;	/* no address senderid_owns() accepts */
		memcpy(a, id, n);
		a[n] = '\0';
		if (senderid_address(a, delims, c, sizeof c))
			pre_add(canon, c, strlen(c));
		if (senderid_address(a, NULL, c, sizeof c))
			pre_add(canon, c, strlen(c));
	}
}

bool ctlsock_sender_filter(struct ctlsock_req *r, struct store_hold_filter *f)
{
	if (r->role != CTLSOCK_SENDER)
		return true;
	/* a sender never approves: the identities' buffer is free */
	size_t half = sizeof r->jurist_ids / 2;
	struct pre canon = {.buf = r->jurist_ids, .cap = half, .used = 1};
	struct pre auths = {.buf = r->jurist_ids + half, .cap = half, .used = 1};
	canon.buf[0] = canon.buf[1] = auths.buf[0] = auths.buf[1] = '\0';
	canon.buf[0] = auths.buf[0] = ' ';
	const char *delims = config_str(r->c, CONF_RECIPIENT_DELIMITER);
	pre_add(&auths, r->actor.user, strlen(r->actor.user));
	for (size_t i = 0; i < config_list_count(r->c, CONF_SENDER); i++) {
		const char *v = config_list(r->c, CONF_SENDER, i);
		if (!ctlsock_names_user(v, r->actor.user))
			continue;
		pre_ids(v + strcspn(v, " \t"), delims, &canon, &auths);
		pre_ids(config_list_more(r->c, CONF_SENDER, i), delims, &canon, &auths);
	}
	if (canon.overflow || auths.overflow) {
		/* fail closed: without the pre-filter the listing would read
		 * the whole queue for one person */
		ctlsock_status(r, "error", "the Sender lines of this user name more addresses "
					   "and logins than a listing can filter on; shorten them");
		return false;
	}
	f->sender_ok = own_mail;
	f->sender_arg = r;
	f->sender_canonicals = canon.buf;
	f->sender_auths = auths.buf;
	return true;
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
