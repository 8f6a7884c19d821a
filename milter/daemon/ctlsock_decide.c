/*
 * ctlsock_decide.c - decisions over the control socket: one approve or
 * deny through store_hold_decide() (the state machine, the approval row,
 * the audit record and, for a deny, the sender's notice in ONE
 * transaction), the bulk forms, and the text of the deny notice.
 *
 * A decision changes exactly the recipients it names: a deny with rcpts
 * only those, a bulk decision only the recipients of each hold that are
 * still held and match the party and reason code of the filter (named
 * explicitly, with only_held, so one approved or decided meanwhile is
 * refused, never swept along).  A bulk dry run decides each hold and
 * rolls it back; its plan digest (SHA-256 over the references and the
 * recipients named) lets the confirmed run refuse when the matching
 * recipients changed since the preview; a confirmed run on behalf of a
 * person (the console) without a plan is refused.  The deny notice is made inside
 * the store's transaction from the recipients the denial changed, with
 * the jurist's reason.
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
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "ctlsock_priv.h"
#include "grondslag/base/clean.h"
#include "grondslag/base/domain.h"
#include "grondslag/notice/notice.h"

/* Append s cleaned to printable ASCII ('?' otherwise, the space kept: a
 * reason code list is words), at most max bytes. */
static void put_clean(FILE *f, const char *s, size_t max)
{
	clean_put(f, s, max, CLEAN_ASCII);
}

/* Append text cleaned (put_clean), at most max bytes, folded into lines
 * of about 72 columns after an indent of two spaces: the jurist's reason
 * may be long, a mail line may not. */
static void put_folded(FILE *f, const char *text, size_t max)
{
	size_t col = 0, n = strnlen(text, max);
	for (size_t i = 0; i < n;) {
		size_t w = strcspn(text + i, " \t\r\n");
		if (w > n - i)
			w = n - i;
		if (w == 0) {
			i++;
			continue;
		}
		if (col > 0 && col + 1 + w > 72) {
			fputs("\r\n", f);
			col = 0;
		}
		fputs(col == 0 ? "  " : " ", f);
		for (size_t k = 0; k < w; k++) {
			if (col > 0 && k > 0 && k % 70 == 0)
				fputs("\r\n  ", f);
			fputc(clean_char((unsigned char)text[i + k], CLEAN_ASCII), f);
		}
		col += 2 + w;
		i += w;
	}
	if (col > 0)
		fputs("\r\n", f);
}

/* The reason codes of recipient addr of h, "" when not found. */
static const char *rcpt_reasons(const struct store_hold_record *h, const char *addr)
{
	for (size_t i = 0; i < h->nrcpts; i++)
		if (strcmp(h->rcpts[i].recipient, addr) == 0)
			return h->rcpts[i].reasons;
	return "";
}

char *ctlsock_deny_notice(const struct ctlsock_env *env, const struct store_hold_record *h,
			  const char *to, const char *reason, const char *const *denied,
			  size_t n, time_t now)
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
		   "A jurist has decided not to release it to these recipients; it will\r\n"
		   "not be delivered to them:\r\n\r\n",
		h->ref);
	for (size_t i = 0; i < n; i++) {
		size_t w = strlen(denied[i]);
		bool angle = w >= 2 && denied[i][0] == '<' && denied[i][w - 1] == '>';
		fputs("  ", f);
		put_clean(f, denied[i] + angle, angle ? (w - 2 < 200 ? w - 2 : 200) : 200);
		fputs(" (", f);
		put_clean(f, rcpt_reasons(h, denied[i]), 200);
		fputs(")\r\n", f);
	}
	fputs("\r\nThe jurist's reason:\r\n\r\n", f);
	put_folded(f, reason != NULL && *reason ? reason : "(none given)", CTLSOCK_TEXT_MAX);
	fprintf(f, "\r\nReference: %s\r\nQueue ID: ", h->ref);
	put_clean(f, h->queue_id, 64);
	fputs("\r\n\r\nPlease quote the reference in any question about this message.\r\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* What the deny notice is made from, inside the store's transaction. */
struct deny_notice_arg {
	const struct ctlsock_env *env;
	const struct store_hold_record *h;
	const char *to, *reason;
	time_t now;
};

/* store_decision.notice_make of a deny: the notice names exactly the
 * recipients the denial changed. */
static char *deny_notice_make(void *arg, const char *const *changed, size_t n)
{
	const struct deny_notice_arg *a = arg;
	return ctlsock_deny_notice(a->env, a->h, a->to, a->reason, changed, n, a->now);
}

void ctlsock_decide(struct ctlsock_req *r, const char *ref, struct store_decision *d,
		    struct ctlsock_outcome *o)
{
	char to[321];
	memset(o, 0, sizeof *o);
	d->notice_kind = d->notice_to = d->notice_message = NULL;
	d->notice_make = NULL;
	struct deny_notice_arg na = {.env = r->env, .reason = d->reason, .now = r->now};
	struct store_hold_record *h = store_hold_get(r->env->store, ref, o->error,
						     sizeof o->error);
	if (h == NULL) {
		o->rc = *o->error ? -1 : 2;
	} else if (d->event == HEV_APPROVE && r->basis != NULL &&
		   !ctlsock_basis_fits(r, h, d->rcpts, d->nrcpts, o->error, sizeof o->error)) {
		o->rc = 3;
	} else if (d->event == HEV_DENY &&
		   domain_address_normalize(h->sender, to, sizeof to, NULL) &&
		   notice_sender_ok(to)) {
		na.h = h;
		na.to = to;
		d->notice_kind = "deny";
		d->notice_to = to;
		d->notice_make = deny_notice_make;
		d->notice_arg = &na;
	}
	if (o->rc == 0)
		o->rc = store_hold_decide(r->env->store, ref, d, &o->res, o->error,
					  sizeof o->error);
	switch (o->rc) {
	case 0:
		o->status = "ok";
		o->noticed = d->notice_make != NULL;
		if (o->noticed && !d->dry_run)
			notifier_kick(r->env->notifier);
		if (o->res.approved_now > 0 && !d->dry_run)
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
	case 3:
		o->status = "bad-request";
		break;
	default:
		o->status = "error";
		break;
	}
	d->notice_kind = d->notice_to = NULL;
	d->notice_make = NULL;
	d->notice_arg = NULL;
	store_hold_record_free(h);
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
		ctlsock_write_rcpts(j, h, true);
	json_key(j, "release");
	json_str(j, !release_pending(h) ? "none"
		    : r->env->releaser != NULL ? "queued"
					       : "pending: ReleaseRelay is empty");
	store_hold_record_free(h);
}

/* Is code one of the comma-separated codes? */
static bool has_code(const char *codes, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = codes; *p;) {
		size_t w = strcspn(p, ",");
		if (w == n && strncmp(p, code, n) == 0)
			return true;
		p += w + (p[w] == ',');
	}
	return false;
}

/* Does recipient i of h fall under the bulk filter f?  Only a recipient
 * still held, of the party and with the reason code f names: a bulk
 * decision never sweeps along a recipient of another party, or one
 * already approved or decided. */
static bool rcpt_matches(const struct store_hold_summary *h, size_t i,
			 const struct store_hold_filter *f)
{
	return strcmp(h->rcpt_states[i], "held") == 0 &&
	       (f->party == NULL || *f->party == '\0' || strcmp(h->parties[i], f->party) == 0) &&
	       (f->reason == NULL || *f->reason == '\0' || has_code(h->reasons[i], f->reason));
}

/* One hold of a bulk decision and the recipients it will name. */
struct plan_item {
	const struct store_hold_summary *h;
	const char **rcpts;
	size_t n;
};

/* Free a plan of l (plan_of(): l->n + 1 slots, unused ones zero). */
static void plan_free(struct plan_item *p, const struct store_hold_list *l)
{
	for (size_t i = 0; p != NULL && i <= l->n; i++)
		free(p[i].rcpts);
	free(p);
}

/* The plan of l under f (items with at least one recipient), its size in
 * recipients and its digest (SHA-256 hex of "ref\nrcpt\n...\n" per
 * item): what the preview showed is what --yes after it may change.
 * The number of items, or -1 when out of memory. */
static ssize_t plan_of(const struct store_hold_list *l, const struct store_hold_filter *f,
		       struct plan_item **out, size_t *nrcpts, char digest[65])
{
	*out = calloc(l->n + 1, sizeof **out);
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	ssize_t n = 0;
	*nrcpts = 0;
	for (size_t i = 0; *out != NULL && i < l->n; i++) {
		const struct store_hold_summary *h = &l->holds[i];
		struct plan_item *it = &(*out)[n];
		it->h = h;
		it->rcpts = calloc(h->nrcpts + 1, sizeof *it->rcpts);
		if (it->rcpts == NULL) {
			n = -1;
			break;
		}
		for (size_t k = 0; k < h->nrcpts; k++)
			if (rcpt_matches(h, k, f))
				it->rcpts[it->n++] = h->rcpts[k];
		if (it->n == 0) {
			free(it->rcpts);
			it->rcpts = NULL;
			continue;
		}
		g_checksum_update(sum, (const guchar *)h->ref, (gssize)strlen(h->ref));
		for (size_t k = 0; k < it->n; k++) {
			g_checksum_update(sum, (const guchar *)"\n", 1);
			g_checksum_update(sum, (const guchar *)it->rcpts[k], (gssize)strlen(it->rcpts[k]));
		}
		g_checksum_update(sum, (const guchar *)"\n\n", 2);
		*nrcpts += it->n;
		n++;
	}
	snprintf(digest, 65, "%s", g_checksum_get_string(sum));
	g_checksum_free(sum);
	if (*out == NULL || n < 0) {
		/* the items made before the failure go with the plan */
		plan_free(*out, l);
		*out = NULL;
		return -1;
	}
	return n;
}

/* One line of a bulk answer: the hold, the recipients it names, and what
 * became (or, in a dry run, would become) of it. */
static void bulk_item(struct json *j, const struct plan_item *it, const struct ctlsock_outcome *o)
{
	json_obj_begin(j);
	json_key(j, "ref");
	json_str(j, it->h->ref);
	json_key(j, "sender");
	json_str(j, it->h->sender);
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
	json_key(j, "recipients");
	json_arr_begin(j);
	for (size_t k = 0; k < it->h->nrcpts; k++) {
		bool named = false;
		for (size_t m = 0; m < it->n && !named; m++)
			named = it->rcpts[m] == it->h->rcpts[k];
		if (!named)
			continue;
		json_obj_begin(j);
		json_key(j, "rcpt");
		json_str(j, it->h->rcpts[k]);
		json_key(j, "party");
		json_str(j, it->h->parties[k]);
		json_key(j, "reasons");
		json_str(j, it->h->reasons[k]);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* Run d on every item of the plan (a dry run rolls each back); the
 * results array text (malloc'ed) and the counts. */
static char *bulk_run(struct ctlsock_req *r, struct store_decision *d, const struct plan_item *p,
		      size_t n, size_t counts[3])
{
	struct json *ij = json_new_string();
	if (ij == NULL)
		return NULL;
	json_arr_begin(ij);
	for (size_t i = 0; i < n; i++) {
		struct ctlsock_outcome o;
		d->rcpts = p[i].rcpts;
		d->nrcpts = p[i].n;
		d->only_held = true;
		ctlsock_decide(r, p[i].h->ref, d, &o);
		counts[o.rc == 0 ? 0 : o.rc == 1 || o.rc == 3 ? 1 : 2]++;
		bulk_item(ij, &p[i], &o);
	}
	json_arr_end(ij);
	d->rcpts = NULL;
	d->nrcpts = 0;
	return json_string_done(ij, NULL);
}

void ctlsock_bulk(struct ctlsock_req *r, struct store_decision *d)
{
	struct store_hold_filter f;
	struct store_hold_list l;
	char err[300], digest[65];
	bool bad = false;
	if (!ctlsock_filter(r, &f, err, sizeof err)) {
		ctlsock_status(r, "bad-request", err);
		return;
	}
	const char *expect = ctlsock_arg(r, "plan", &bad);
	if (jsonr_get(r->root, "rcpts") != NULL || bad) {
		ctlsock_status(r, "bad-request", "bulk: rcpts given, or plan is not a string");
		return;
	}
	/* A person deciding through the console decides only what a preview
	 * showed them: no plan, no decision (the CLI's --yes is typed by the
	 * jurist at the daemon's own host). */
	if (!d->dry_run && expect == NULL && r->person[0] != '\0') {
		ctlsock_refuse(r, "a bulk decision through the console needs the plan of its preview");
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
	struct plan_item *p = NULL;
	size_t nrcpts = 0, counts[3] = {0, 0, 0};	/* applied, refused, failed */
	ssize_t n = plan_of(&l, &f, &p, &nrcpts, digest);
	char *items = NULL;
	if (n < 0) {
		ctlsock_status(r, "error", "out of memory");
	} else if (expect != NULL && strcmp(expect, digest) != 0) {
		/* what was shown is not what would be changed now */
		ctlsock_status(r, "refused", "the recipients matching the filter changed since the"
					     " preview; nothing was decided: look again");
	} else {
		items = bulk_run(r, d, p, (size_t)n, counts);
		ctlsock_status(r, items == NULL ? "error" : counts[2] ? "error" : "ok",
			       items == NULL ? "out of memory"
			       : counts[2] ? "some holds could not be decided" : NULL);
	}
	json_key(r->j, "dry_run");
	json_bool(r->j, d->dry_run);
	json_key(r->j, "plan");
	json_str(r->j, digest);
	json_key(r->j, "truncated");
	json_bool(r->j, l.truncated);
	json_key(r->j, "matched");
	json_uint(r->j, n > 0 ? (size_t)n : 0);
	json_key(r->j, "recipients");
	json_uint(r->j, nrcpts);
	json_key(r->j, "applied");
	json_uint(r->j, counts[0]);
	json_key(r->j, "refused");
	json_uint(r->j, counts[1]);
	json_key(r->j, "failed");
	json_uint(r->j, counts[2]);
	ctlsock_embed(r->j, "results", items ? items : "[]");
	free(items);
	plan_free(p, &l);
	store_hold_list_free(&l);
}
