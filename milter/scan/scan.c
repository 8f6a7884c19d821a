/*
 * scan.c - one message in, findings out (see scan.h).
 *
 * The walker hands over text streams one at a time; each goes through the
 * IP scanner, the marker detector and the identifier list scanner
 * (idscan.h) side by side, so the text is read once.  Identifiers under
 * the organisation's own domains or a public service are dropped here,
 * before they are counted: the scanner knows nothing of the registry.  Geo enrichment runs after the walk, once
 * per distinct public address, and the categories are derived last.
 * From the first MiB of a stream on, the identifier scan runs on a second
 * thread (scanpar.c), with the findings of one thread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "grondslag/scan/idscan.h"
#include "grondslag/scan/ipscan.h"
#include "grondslag/scan/markers.h"
#include "grondslag/scan/scan.h"
#include "scanpar_priv.h"

struct scan_state {
	struct findings *f;
	struct ipscan *ips;
	struct markers *mk;
	struct idscan *ids;
	const struct scan_options *o;
	unsigned part;
	struct scanpar *par;	/* NULL: one thread */
	size_t streamed;	/* bytes of the current stream so far */
	size_t par_min;		/* streams this long get the second thread */
	const char *msg;	/* the message: read in place by the second thread */
	size_t len;
};

/* Is name (lower case) equal to or under one of the domains? */
static bool under_any(const char *name, size_t len, const char *const *dom, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *d = dom[i];
		while (*d == '*' || *d == '.')
			d++;
		size_t dl = strlen(d);
		if (dl == 0 || dl > len || strncasecmp(name + len - dl, d, dl) != 0)
			continue;
		if (dl == len || name[len - dl - 1] == '.')
			return true;
	}
	return false;
}

/* Bool: does the identifier belong to the organisation or a public service? */
bool scan_domain_excluded(const struct scan_options *o, const char *domain, size_t len,
			  bool host)
{
	if (under_any(domain, len, o->own_domains, o->nown))
		return true;
	/* a mailbox at a public provider is still a person's */
	return host && under_any(domain, len, o->public_domains, o->npublic);
}

/* Identifier scanner callback: count what is neither own nor public.
 * On the second thread (scanpar.c) it reads only the options. */
static int on_ident(void *arg, const struct idscan_match *m)
{
	struct scan_state *st = arg;
	if (m->kind != IDSCAN_CREDENTIAL &&
	    scan_domain_excluded(st->o, m->domain, m->dlen, m->kind == IDSCAN_HOST))
		return 0;
	if (scanpar_running(st->par))
		scanpar_ident(st->par, m);
	else
		findings_add_ident(st->f, st->part, m);
	return 0;
}

/* IP scanner callback: record the match in the current part. */
static int on_match(void *arg, const struct ipscan_match *m)
{
	struct scan_state *st = arg;
	if (scanpar_running(st->par))
		scanpar_ip(st->par, m);
	else
		findings_add_match(st->f, st->part, m);
	return 0;
}

static void on_begin(void *arg, unsigned part)
{
	struct scan_state *st = arg;
	const struct finding_part *p = findings_part(st->f, part);
	st->part = part;
	st->streamed = 0;
	markers_begin(st->mk, part, p ? p->type : NULL, p ? p->filename : NULL);
	idscan_begin(st->ids, p != NULL && (strcmp(p->type, "text/html") == 0 ||
					    strcmp(p->type, "application/xhtml+xml") == 0));
}

static int on_text(void *arg, unsigned part, const char *buf, size_t len)
{
	struct scan_state *st = arg;
	markers_update(st->mk, buf, len);
	/* a long stream: the identifiers on the second thread from here
	 * (the worker made at the first, so short mail costs nothing) */
	if (!scanpar_running(st->par) && st->par_min != SIZE_MAX &&
	    len >= st->par_min - st->streamed) {
		if (st->par == NULL &&
		    (st->o->parallel_min != 0 || sysconf(_SC_NPROCESSORS_ONLN) > 1))
			st->par = scanpar_alloc(st->ids, st->f, st->msg, st->len);
		if (st->par == NULL)
			st->par_min = SIZE_MAX;	/* one thread it is */
		else
			(void)scanpar_start(st->par, part);
	}
	st->streamed += len < SIZE_MAX - st->streamed ? len : 0;
	if (scanpar_running(st->par))
		(void)scanpar_text(st->par, buf, len);	/* a failure is in the findings */
	else
		(void)idscan_update(st->ids, buf, len);
	return ipscan_update(st->ips, buf, len);
}

static void on_end(void *arg, unsigned part)
{
	struct scan_state *st = arg;
	(void)part;
	if (scanpar_running(st->par)) {
		scanpar_finish(st->par);
		ipscan_finish(st->ips);
		scanpar_end(st->par);
	} else {
		ipscan_finish(st->ips);
		(void)idscan_finish(st->ids);
	}
	markers_end(st->mk, st->f);
}

static const struct walk_handler scan_handler = {on_begin, on_text, on_end};

struct findings *scan_message(const struct scan_options *o, const char *msg, size_t len)
{
	struct scan_state st = {0};
	st.f = findings_alloc();
	if (st.f == NULL)
		return NULL;
	st.ips = ipscan_alloc(on_match, &st);
	st.mk = markers_alloc();
	st.ids = idscan_alloc(on_ident, &st);
	st.o = o;
	findings_set_ident_thresholds(st.f, o->email_threshold, o->host_threshold);
	findings_set_max_entries(st.f, o->max_entries);
	st.par_min = o->parallel_min ? o->parallel_min : SCANPAR_MIN_BYTES;
	st.msg = msg;
	st.len = len;
	if (st.ips == NULL || st.mk == NULL || st.ids == NULL)
		findings_message_unscannable(st.f, UNSCAN_INTERNAL);
	else
		(void)walk_message(msg, len, &o->limits, st.f, &scan_handler, &st);
	scanpar_free(st.par);
	ipscan_free(st.ips);
	markers_free(st.mk);
	idscan_free(st.ids);
	if (o->geo != NULL)
		(void)geo_enrich(o->geo, st.f);
	findings_derive(st.f, o->threshold);
	return st.f;
}
