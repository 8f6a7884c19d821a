/*
 * holdrec.c - the record of one decided message (see holdrec.h): the
 * hold with its findings, retry key, canonical sender and shares, or the
 * shares alone; and the notices queued with a hold.
 *
 * Fail closed: a record is complete or there is none.  Every allocation
 * that fails makes holdrec_new() return NULL, so the caller answers with
 * the On-InternalError action; a half record (a hold without its retry
 * key, its findings or a share) is never stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/holdkey.h"
#include "grondslag/decide/holdrec.h"
#include "grondslag/decide/senderid.h"

struct holdrec {
	struct hold_record h;
	bool held;
	char *summary, *findings;	/* gate_summary_json(), gate_findings_json() */
	struct hold_share *shares;
	struct hold_notice *notices;
	size_t capnotices;
	char **owned;			/* notice texts and addresses, freed with r */
	size_t nowned, capowned;
	char canonical[SENDERID_MAX];
	char key[HOLDKEY_HEX], message_key[HOLDKEY_HEX];
};

void holdrec_free(struct holdrec *r)
{
	if (r == NULL)
		return;
	free(r->summary);
	free(r->findings);
	free(r->shares);
	free(r->notices);
	for (size_t i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r);
}

/* The share records of g as one array, for one transaction, each saying
 * whether the copy left encrypted (f); false out of memory. */
static bool copy_shares(struct holdrec *r, const struct gate_result *g, const struct hold_facts *f)
{
	size_t n = gate_share_count(g);
	if (n == 0)
		return true;
	r->shares = calloc(n, sizeof *r->shares);
	if (r->shares == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		r->shares[i] = *gate_share(g, i);
		r->shares[i].encrypted_for = f->encrypted_for;
		r->shares[i].key_fprs = f->key_fprs;
	}
	r->h.shares = r->shares;
	r->h.nshares = n;
	return true;
}

/* The retry and message keys (holdkey.h) of the hold; a message without
 * a key (no Message-ID) is never taken for another.  False out of memory:
 * never a hold without the key it should have. */
static bool retry_key(struct holdrec *r, const struct hold_facts *f)
{
	const struct hold_record *h = &r->h;
	const char **held = calloc(h->nrcpts ? h->nrcpts : 1, sizeof *held);
	if (held == NULL)
		return false;
	for (size_t i = 0; i < h->nrcpts; i++)
		held[i] = h->rcpts[i].recipient;
	struct holdkey_input in = {
		.data = f->data, .len = f->len, .header_prefix = f->header_prefix,
		.sender = f->sender ? f->sender : "", .rcpts = f->rcpts, .nrcpts = f->nrcpts,
		.held = held, .nheld = h->nrcpts,
	};
	int rc = holdkey_compute(&in, r->key, r->message_key);
	if (rc == 1) {
		r->h.retry_key = r->key;
		r->h.message_key = r->message_key;
		r->h.retry_window = (time_t)f->expiry_days * 86400;
	}
	free(held);
	return rc >= 0;
}

/* Everything of a hold but its notices; false with err. */
static bool fill_hold(struct holdrec *r, const struct gate_result *g, const struct hold_facts *f,
		      char *err, size_t errlen)
{
	struct hold_record *h = &r->h;
	if (f->ref == NULL || f->ref[0] == '\0') {
		snprintf(err, errlen, "a hold without a reference");
		return false;
	}
	r->summary = gate_summary_json(g);
	r->findings = gate_findings_json(g);
	const char *close = r->summary != NULL ? strrchr(r->summary, '}') : NULL;
	if (f->sealed_as_is && close != NULL && close > r->summary + 1) {
		/* the milter's verdict, one more member of the summary object
		 * (never empty: it always has the categories) */
		static const char as_is[] = ",\"seal\":\"as-is\"}";
		size_t at = (size_t)(close - r->summary);
		char *s = realloc(r->summary, at + sizeof as_is);
		if (s != NULL)
			memcpy(s + at, as_is, sizeof as_is);
		else
			free(r->summary);
		r->summary = s;
	}
	if (r->summary == NULL || r->findings == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	h->ref = f->ref;
	h->queue_id = f->queue_id ? f->queue_id : "";
	h->sender = f->sender;
	h->sender_auth = f->sender_auth;
	/* the canonical spelling (with the RecipientDelimiter of now); "" when
	 * the sender is no address (null sender) */
	senderid_address(f->sender, f->recipient_delimiter, r->canonical, sizeof r->canonical);
	h->sender_canonical = r->canonical;
	h->subject = f->subject ? f->subject : "";
	h->received = f->received;
	h->decided_on = f->date;
	h->categories = gate_categories(g);
	h->tlp = (int)gate_tlp(g);
	h->summary_json = r->summary;
	h->findings_json = r->findings;
	h->registry_digest = f->registry_digest;
	h->data = f->data;
	h->len = f->len;
	h->fd = -1;
	h->rcpts = gate_hold_rcpts(g, &h->nrcpts);
	h->delivered = gate_delivered(g, &h->ndelivered);
	if (!retry_key(r, f)) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	return true;
}

struct holdrec *holdrec_new(const struct gate_result *g, const struct hold_facts *f, char *err,
			    size_t errlen)
{
	struct holdrec *r = calloc(1, sizeof *r);
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->h.fd = -1;
	enum gate_action act = gate_action(g);
	r->held = act == GATE_PARTIAL || act == GATE_DISCARD;
	/* a tempfail has no complete decision to record */
	if (act == GATE_TEMPFAIL || !copy_shares(r, g, f)) {
		snprintf(err, errlen, act == GATE_TEMPFAIL ? "no decision" : "out of memory");
		holdrec_free(r);
		return NULL;
	}
	if (r->held && !fill_hold(r, g, f, err, errlen)) {
		holdrec_free(r);
		return NULL;
	}
	return r;
}

bool holdrec_held(const struct holdrec *r)
{
	return r->held;
}

const struct hold_record *holdrec_record(const struct holdrec *r)
{
	return &r->h;
}

/* Keep s to be freed with r; false (s freed) out of memory. */
static bool own(struct holdrec *r, char *s)
{
	if (r->nowned == r->capowned) {
		size_t cap = r->capowned ? r->capowned * 2 : 8;
		char **n = realloc(r->owned, cap * sizeof *n);
		if (n == NULL) {
			free(s);
			return false;
		}
		r->owned = n;
		r->capowned = cap;
	}
	r->owned[r->nowned++] = s;
	return true;
}

int holdrec_notice(struct holdrec *r, const char *kind, const char *const *to, size_t nto,
		   char *text)
{
	if (!own(r, text) || text == NULL || !r->held || kind == NULL)
		return -1;
	size_t need = r->h.nnotices + nto;
	if (need > r->capnotices) {
		struct hold_notice *n = realloc(r->notices, need * sizeof *n);
		if (n == NULL)
			return -1;
		r->notices = n;
		r->capnotices = need;
		r->h.notices = n;
	}
	for (size_t i = 0; i < nto; i++) {
		char *copy = strdup(to[i]);
		if (copy == NULL || !own(r, copy))
			return -1;
		r->notices[r->h.nnotices++] =
			(struct hold_notice){.kind = kind, .to = copy, .message = text};
	}
	return 0;
}
