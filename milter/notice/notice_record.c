/*
 * notice_record.c - the record of a decided message with the notices of a
 * hold (see notice.h, notice_hold_record()): the record from holdrec.c,
 * then the sender's notice and the jurists' notice queued in it, so that
 * the store writes the hold and its notices in one transaction - a notice
 * is never lost, nor sent for a hold that was not stored.
 *
 * Fail closed: a notice that cannot be written (out of memory, an unusable
 * NoticeFrom) fails the whole record, as before the record existed: the
 * message is tempfailed rather than held with nobody told.  Nobody to
 * tell (a null or unusable sender, no jurists configured) is no failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "grondslag/base/domain.h"
#include "grondslag/notice/notice.h"

/* The sender's notice of the hold r, when the sender can be told.
 * 0, or -1 when the text cannot be made. */
static int sender_notice(struct holdrec *r, const struct notice_setup *s)
{
	const struct hold_record *h = holdrec_record(r);
	char to[ADDRESS_TEXT_MAX];
	if (h->sender == NULL || !domain_address_normalize(h->sender, to, sizeof to, NULL) ||
	    !notice_sender_ok(to))
		return 0;
	struct notice_hold_info in = {
		.from = s->from, .to = to, .ref = h->ref, .queue_id = h->queue_id,
		.subject = h->subject, .hostname = s->hostname, .when = h->received,
		.rcpts = h->rcpts, .nrcpts = h->nrcpts, .ndelivered = h->ndelivered,
		/* the link only for who can sign in to see the hold */
		.console_url = notice_sender_signs_in(s->senders, h->sender, h->sender_auth)
				       ? s->console_url : NULL,
	};
	char *text = notice_hold(&in);
	const char *const list[1] = {to};
	return text != NULL ? holdrec_notice(r, "hold", list, 1, text) : -1;
}

/* The jurists' notice of the hold r, one outbox row per jurist address;
 * none when no jurist is configured.  0, or -1 when the text cannot be
 * made. */
static int jurist_notice(struct holdrec *r, const struct gate_result *g,
			 const struct notice_setup *s)
{
	const struct hold_record *h = holdrec_record(r);
	const char *to[NOTICE_JURISTS_MAX];
	size_t nto = notice_jurist_to(s->jurist_mail, s->njurist_mail, to, NOTICE_JURISTS_MAX);
	if (nto == 0)
		return 0;
	struct notice_jurist_info in = {
		.from = s->from, .to = to, .nto = nto, .ref = h->ref, .queue_id = h->queue_id,
		.sender = h->sender, .subject = h->subject, .hostname = s->hostname,
		.when = h->received, .rcpts = h->rcpts, .nrcpts = h->nrcpts,
		.ndelivered = h->ndelivered, .categories = h->categories, .tlp = h->tlp,
		.public_addresses = gate_public_count(g), .countries = gate_countries(g),
		.expiry_days = s->expiry_days,
	};
	char *text = notice_jurist_hold(&in);
	return text != NULL ? holdrec_notice(r, "jurist", to, nto, text) : -1;
}

struct holdrec *notice_hold_record(const struct gate_result *g, const struct hold_facts *f,
				   const struct notice_setup *s, char *err, size_t errlen)
{
	struct holdrec *r = holdrec_new(g, f, err, errlen);
	if (r == NULL || !holdrec_held(r))
		return r;
	if (sender_notice(r, s) != 0 || jurist_notice(r, g, s) != 0) {
		snprintf(err, errlen, "the notices could not be composed (out of memory, or an "
				      "unusable NoticeFrom)");
		holdrec_free(r);
		return NULL;
	}
	return r;
}
