/*
 * ctlsock_decide.c - decisions over the control socket: one approve or
 * deny through store_hold_decide() (the state machine, the approval row,
 * the audit record and, for a deny, the sender's notice in ONE
 * transaction), the bulk forms, and the text of the deny notice.
 *
 * Release: when the last required approval is given the recipients
 * become "approved" and the releaser (releaser.h) is kicked; the answer
 * says "queued" (or "pending: ReleaseRelay is empty" when the daemon has
 * no releaser).  The outcome (released with the relay's queue id, or a
 * failed attempt to be retried) is seen with held and show: the answer
 * never pretends the message was delivered.
 *
 * Public functions (ctlsock_priv.h): ctlsock_decide(),
 * ctlsock_write_outcome(), ctlsock_bulk(), ctlsock_deny_notice().
 * Limits: a bulk command touches at most STORE_LIST_MAX holds; notice
 * lines are at most ~260 bytes (addresses cut to 200).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctlsock_priv.h"
#include "grondslag/domain.h"
#include "grondslag/notice.h"

/* Append s cleaned to printable ASCII ('?' otherwise), at most max bytes. */
static void put_clean(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max; i++)
		fputc(s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?', f);
}

char *ctlsock_deny_notice(const struct ctlsock_env *env, const struct store_hold_record *h,
			  const char *to, time_t now)
{
	char *buf = NULL, date[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	fprintf(f, "From: <%s>\r\nTo: <%s>\r\nDate: %s\r\n", env->notice_from, to, date);
	fprintf(f, "Message-ID: <deny.%s.%lld@", h->ref, (long long)now);
	put_clean(f, env->hostname ? env->hostname : "localhost", 200);
	fprintf(f, ">\r\nSubject: [grondslag] Your message was not released: %s\r\n"
		   "Auto-Submitted: auto-generated\r\nX-Grondslag-Notice: %s\r\n"
		   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
		   "Content-Transfer-Encoding: 7bit\r\n\r\n", h->ref, h->ref);
	fprintf(f, "Your message with reference %s was held by grondslag because\r\n"
		   "no legal basis to share it was found for some recipients.\r\n"
		   "A jurist has decided not to release it. It will not be delivered to:\r\n\r\n",
		h->ref);
	for (size_t i = 0; i < h->nrcpts; i++) {
		if (strcmp(h->rcpts[i].state, "held") != 0 && strcmp(h->rcpts[i].state, "approved") != 0)
			continue;
		fputs("  ", f);
		put_clean(f, h->rcpts[i].recipient, 200);
		fputs(" (", f);
		put_clean(f, h->rcpts[i].reasons, 200);
		fputs(")\r\n", f);
	}
	fprintf(f, "\r\nReference: %s\r\nQueue ID: ", h->ref);
	put_clean(f, h->queue_id, 64);
	fputs("\r\n\r\nPlease quote the reference in any question about this message.\r\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* For a deny: the sender's notice into d (NULL fields when the sender
 * cannot be told, e.g. "<>").  0, 2 no such hold, -1 error. */
static int prepare_deny(struct ctlsock_req *r, const char *ref, struct store_decision *d,
			char to[321], char **notice, char *err, size_t errlen)
{
	struct store_hold_record *h = store_hold_get(r->env->store, ref, err, errlen);
	if (h == NULL)
		return *err ? -1 : 2;
	if (domain_address_normalize(h->sender, to, 321, NULL) && notice_sender_ok(to)) {
		*notice = ctlsock_deny_notice(r->env, h, to, r->now);
		if (*notice == NULL) {
			snprintf(err, errlen, "out of memory");
			store_hold_record_free(h);
			return -1;
		}
		d->notice_kind = "deny";
		d->notice_to = to;
		d->notice_message = *notice;
	}
	store_hold_record_free(h);
	return 0;
}

void ctlsock_decide(struct ctlsock_req *r, const char *ref, struct store_decision *d,
		    struct ctlsock_outcome *o)
{
	char to[321], *notice = NULL;
	memset(o, 0, sizeof *o);
	d->notice_kind = d->notice_to = d->notice_message = NULL;
	o->rc = d->event == HEV_DENY
			? prepare_deny(r, ref, d, to, &notice, o->error, sizeof o->error)
			: 0;
	if (o->rc == 0)
		o->rc = store_hold_decide(r->env->store, ref, d, &o->res, o->error,
					  sizeof o->error);
	switch (o->rc) {
	case 0:
		o->status = "ok";
		o->noticed = notice != NULL;
		if (o->noticed)
			notifier_kick(r->env->notifier);
		if (o->res.approved_now > 0)
			releaser_kick(r->env->releaser);
		break;
	case 1:
		o->status = "refused";
		snprintf(o->error, sizeof o->error, "%s", o->res.reason);
		break;
	case 2:
		o->status = "not-found";
		snprintf(o->error, sizeof o->error, "no such hold");
		break;
	default:
		o->status = "error";
		break;
	}
	d->notice_kind = d->notice_to = d->notice_message = NULL;
	free(notice);
}

/* Is any recipient of ref approved or being released? */
static bool release_pending(const struct store_hold_record *h)
{
	for (size_t i = 0; h != NULL && i < h->nrcpts; i++)
		if (strcmp(h->rcpts[i].state, "approved") == 0 ||
		    strcmp(h->rcpts[i].state, "releasing") == 0)
			return true;
	return false;
}

void ctlsock_write_outcome(struct ctlsock_req *r, const char *ref,
			   const struct ctlsock_outcome *o)
{
	struct json *j = r->j;
	json_key(j, "ref");
	json_str(j, ref);
	if (o->rc != 0 && o->rc != 1)
		return;
	json_key(j, "state");
	json_str(j, o->res.state);
	json_key(j, "changed");
	json_uint(j, o->res.changed);
	json_key(j, "approved_now");
	json_uint(j, o->res.approved_now);
	json_key(j, "audit_seq");
	json_int(j, o->res.audit_seq);
	json_key(j, "notice");
	json_bool(j, o->noticed);
	json_key(j, "required");
	json_uint(j, config_uint(r->c, CONF_RELEASE_APPROVALS));
	char err[256];
	struct store_hold_record *h = store_hold_get(r->env->store, ref, err, sizeof err);
	if (h != NULL)
		ctlsock_write_rcpts(j, h);
	json_key(j, "release");
	json_str(j, !release_pending(h) ? "none"
		    : r->env->releaser != NULL ? "queued"
					       : "pending: ReleaseRelay is empty");
	store_hold_record_free(h);
}

/* One line of a bulk answer. */
static void bulk_item(struct json *j, const char *ref, const struct ctlsock_outcome *o)
{
	json_obj_begin(j);
	json_key(j, "ref");
	json_str(j, ref);
	json_key(j, "status");
	json_str(j, o->status);
	if (o->rc == 0) {
		json_key(j, "state");
		json_str(j, o->res.state);
		json_key(j, "approved_now");
		json_uint(j, o->res.approved_now);
	} else {
		json_key(j, "error");
		json_str(j, o->error);
	}
	json_obj_end(j);
}

void ctlsock_bulk(struct ctlsock_req *r, struct store_decision *d)
{
	struct store_hold_filter f;
	struct store_hold_list l;
	char err[256];
	if (!ctlsock_filter(r, &f) || jsonr_get(r->root, "rcpts") != NULL) {
		ctlsock_status(r, "bad-request", "bulk: bad filter, or rcpts given");
		return;
	}
	/* Never "everything" by accident: a bulk decision names what it is about. */
	if (f.since == 0 && !(f.party && *f.party) && !(f.sender && *f.sender) &&
	    !(f.reason && *f.reason)) {
		ctlsock_status(r, "bad-request", "bulk needs a filter (since, party, sender, reason)");
		return;
	}
	if (store_holds_list(r->env->store, &f, &l, err, sizeof err) != 0) {
		ctlsock_status(r, "error", err);
		return;
	}
	size_t counts[3] = {0, 0, 0};	/* applied, refused, failed */
	struct json *ij = json_new_string();
	if (ij == NULL) {
		store_hold_list_free(&l);
		ctlsock_status(r, "error", "out of memory");
		return;
	}
	json_arr_begin(ij);
	for (size_t i = 0; i < l.n; i++) {
		struct ctlsock_outcome o;
		ctlsock_decide(r, l.holds[i].ref, d, &o);
		counts[o.rc == 0 ? 0 : o.rc == 1 ? 1 : 2]++;
		bulk_item(ij, l.holds[i].ref, &o);
	}
	json_arr_end(ij);
	char *items = json_string_done(ij, NULL);
	ctlsock_status(r, counts[2] ? "error" : "ok",
		       counts[2] ? "some holds could not be decided" : NULL);
	json_key(r->j, "matched");
	json_uint(r->j, l.n);
	json_key(r->j, "applied");
	json_uint(r->j, counts[0]);
	json_key(r->j, "refused");
	json_uint(r->j, counts[1]);
	json_key(r->j, "failed");
	json_uint(r->j, counts[2]);
	ctlsock_embed(r->j, "results", items ? items : "[]");
	free(items);
	store_hold_list_free(&l);
}
