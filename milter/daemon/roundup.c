/*
 * roundup.c - the jurists' daily roundup, queued from the releaser's pass
 * (see roundup.h).  The text and the rules of what is listed and when are
 * notice_jurist.c's (pure, unit-tested); this file reads the store,
 * finds the last roundup in the record, and writes roundup + record in one
 * transaction that first looks in the record again: in a store shared by
 * several relays the job moves with its lease, and what this relay
 * remembers of the last roundup may be older than the roundup another
 * relay sent meanwhile (the record, not a relay, knows when it was sent).
 *
 * Public functions: roundup_new(), roundup_configure(), roundup_free(),
 * roundup_pass().
 * Limits: 100 holds per pass (store_holds_expired()), addresses of at
 * most 320 bytes.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/store/audit.h"
#include "grondslag/daemon/roundup.h"
#include "grondslag/base/log.h"

#define DAY 86400

struct roundup {
	/* held by a pass and by roundup_configure(): a reload (main thread)
	 * never changes the addresses under a pass (releaser thread) */
	pthread_mutex_t lock;
	struct roundup_setup in;
	char from[512], host[256];
	char to[NOTICE_JURISTS_MAX][321];
	const char *tov[NOTICE_JURISTS_MAX];
	bool last_known;		/* last was read from the record */
	time_t last;			/* the last roundup known here, 0: none
					 * (queue() asks the record again) */
	bool failing;			/* said once until a roundup goes out */
};

/* Copy the settings of in into d (lock held, or d not yet shared). */
static void settings(struct roundup *d, const struct roundup_setup *in)
{
	d->in = *in;
	snprintf(d->from, sizeof d->from, "%s", in->from ? in->from : "");
	snprintf(d->host, sizeof d->host, "%s", in->hostname ? in->hostname : "localhost");
	d->in.nto = 0;
	for (size_t i = 0; i < in->nto && d->in.nto < NOTICE_JURISTS_MAX; i++) {
		if (in->to[i] == NULL || strlen(in->to[i]) >= sizeof d->to[0])
			continue;
		snprintf(d->to[d->in.nto], sizeof d->to[0], "%s", in->to[i]);
		d->tov[d->in.nto] = d->to[d->in.nto];
		d->in.nto++;
	}
	/* copied above; the caller's strings need not outlive us */
	d->in.from = d->from;
	d->in.hostname = d->host;
	d->in.to = d->tov;
}

struct roundup *roundup_new(const struct roundup_setup *in)
{
	struct roundup *d = calloc(1, sizeof *d);
	if (d == NULL || in == NULL) {
		free(d);
		return NULL;
	}
	settings(d, in);
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

void roundup_configure(struct roundup *d, const struct roundup_setup *in)
{
	if (d == NULL || in == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	struct store *store = d->in.store;
	settings(d, in);
	d->in.store = store;	/* the store is the daemon's, for good */
	pthread_mutex_unlock(&d->lock);
}

void roundup_free(struct roundup *d)
{
	if (d == NULL)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* store_audit_scan callback: remember the newest "digest" record. */
static int last_roundup(void *arg, const struct audit_record *r)
{
	time_t *last = arg;
	if (strcmp(r->event, "digest") == 0 && (time_t)r->at > *last)
		*last = (time_t)r->at;
	return 0;
}

/* The open holds that may expire within the window, read back; *n. */
static struct store_hold_record **candidates(struct roundup *d, time_t now, size_t *n)
{
	char **refs = NULL, err[512];
	size_t nrefs = 0;
	*n = 0;
	/* received at or before this expires within warning_days */
	time_t gap = (time_t)d->in.expiry_days - (time_t)d->in.warning_days;
	time_t cutoff = now - (gap > 0 ? gap : 0) * DAY;
	if (store_holds_expired(d->in.store, cutoff, &refs, &nrefs, err, sizeof err) != 0) {
		log_msg(LOG_ERR, "digest: %s", err);
		return NULL;
	}
	struct store_hold_record **h = calloc(nrefs ? nrefs : 1, sizeof *h);
	for (size_t i = 0; h != NULL && i < nrefs; i++)
		if ((h[*n] = store_hold_get(d->in.store, refs[i], err, sizeof err)) != NULL)
			(*n)++;
	store_strv_free(refs, nrefs);
	return h;
}

/* The "digest" record's details: how many, which, to how many. */
static char *record_details(struct store_hold_record **h, size_t n, const struct roundup *d,
			    time_t now, size_t listed)
{
	struct audit_details *a = audit_details_new();
	char refs[2000] = "";
	size_t len = 0, k = 0;
	/* the roundup lists the first `listed` of them in this order: the
	 * record names exactly those (as far as the value's room goes) */
	for (size_t i = 0; i < n && k < listed; i++) {
		if (!notice_roundup_lists(h[i], now, d->in.expiry_days, d->in.warning_days))
			continue;
		if (len + STORE_REF_MAX + 1 >= sizeof refs)
			break;
		len += (size_t)snprintf(refs + len, sizeof refs - len, "%s%s", len ? "," : "",
					h[i]->ref);
		k++;
	}
	audit_details_int(a, "holds", (int64_t)listed);
	audit_details_str(a, "refs", refs);
	if (k < listed)
		audit_details_int(a, "refs_named", (int64_t)k);
	audit_details_int(a, "recipients", (int64_t)d->in.nto);
	audit_details_int(a, "warning_days", d->in.warning_days);
	return audit_details_finish(a);
}

/* Queue text for every jurist with its record, one transaction, unless
 * the record shows today's digest already (sent by another relay of a
 * shared store while this one did not hold the lease): 0 queued, 1 sent
 * already (d->last set from it), -1 error. */
static int queue(struct roundup *d, const char *text, const char *details, time_t now)
{
	struct hold_notice items[NOTICE_JURISTS_MAX];
	for (size_t i = 0; i < d->in.nto; i++)
		items[i] = (struct hold_notice){.kind = "digest", .to = d->tov[i],
						      .message = text};
	struct store_audit a = {.event = "digest", .ref = "", .details = details};
	char err[512];
	/* notice_roundup_due(): one per UTC day */
	time_t today = now / DAY * DAY;
	int rc = store_notices_put_unless(d->in.store, items, d->in.nto, "", &a, now, today, err,
					  sizeof err);
	if (rc < 0) {
		/* tried again every pass: say it once per episode */
		if (!d->failing)
			log_msg(LOG_ERR, "digest: not queued (tried again every pass): %s", err);
		d->failing = true;
		return -1;
	}
	if (rc == 1) {
		d->failing = false;
		d->last = today;
		log_msg(LOG_INFO, "digest: today's is in the record already (another relay)");
	}
	return rc;
}

/* roundup_pass() with the lock held. */
static int pass_locked(struct roundup *d, time_t now)
{
	if (d->in.warning_days == 0 || d->in.nto == 0)
		return 0;
	if (!d->last_known) {
		time_t last = 0;
		if (store_audit_scan(d->in.store, (int64_t)(now / DAY - 1) * DAY, last_roundup,
				     &last) != 0) {
			log_msg(LOG_ERR, "digest: the record cannot be read");
			return -1;
		}
		d->last = last;
		d->last_known = true;
	}
	if (!notice_roundup_due(d->last, now))
		return 0;
	size_t n = 0, listed = 0;
	struct store_hold_record **h = candidates(d, now, &n);
	if (h == NULL)
		return -1;
	struct notice_roundup_info di = {
		.from = d->in.from, .to = d->tov, .nto = d->in.nto, .hostname = d->in.hostname,
		.now = now, .expiry_days = d->in.expiry_days, .warning_days = d->in.warning_days,
		.holds = (const struct store_hold_record *const *)h, .nholds = n,
	};
	char *text = notice_roundup(&di, &listed);
	char *details = text ? record_details(h, n, d, now, listed) : NULL;
	int rc = 0;
	if (text == NULL && listed > 0) {
		/* holds to list, no text: never mistaken for "nothing to do" */
		if (!d->failing)
			log_msg(LOG_ERR, "digest: %zu hold%s close to expiry, but no digest can be "
				"written (NoticeFrom or a jurist address unusable, or out of memory)",
				listed, listed == 1 ? "" : "s");
		d->failing = true;
		rc = -1;
	} else if (text != NULL && (details == NULL || (rc = queue(d, text, details, now)) < 0)) {
		rc = -1;
	} else if (text != NULL && rc == 1) {
		rc = 0;
	} else if (text != NULL) {
		d->failing = false;
		d->last = now;
		rc = 1;
		log_msg(LOG_NOTICE, "digest: %zu hold%s close to expiry, queued for %zu jurist "
			"address%s", listed, listed == 1 ? "" : "s", d->in.nto,
			d->in.nto == 1 ? "" : "es");
		notifier_kick(d->in.notifier);
	}
	free(details);
	free(text);
	for (size_t i = 0; i < n; i++)
		store_hold_record_free(h[i]);
	free(h);
	return rc;
}

int roundup_pass(struct roundup *d, time_t now)
{
	if (d == NULL)
		return 0;
	pthread_mutex_lock(&d->lock);
	int rc = pass_locked(d, now);
	pthread_mutex_unlock(&d->lock);
	return rc;
}
