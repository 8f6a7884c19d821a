/*
 * scan.c - one message in, findings out (see scan.h).
 *
 * The walker hands over text streams one at a time; each goes through the
 * IP scanner and the marker detector side by side, so the text is read
 * once and never copied here.  Geo enrichment runs after the walk, once
 * per distinct public address, and the categories are derived last.
 */
#include <stdlib.h>

#include "grondslag/scan/ipscan.h"
#include "grondslag/scan/markers.h"
#include "grondslag/scan/scan.h"

struct scan_state {
	struct findings *f;
	struct ipscan *ips;
	struct markers *mk;
	unsigned part;
};

/* IP scanner callback: record the match in the current part. */
static int on_match(void *arg, const struct ipscan_match *m)
{
	struct scan_state *st = arg;
	findings_add_match(st->f, st->part, m);
	return 0;
}

static void on_begin(void *arg, unsigned part)
{
	struct scan_state *st = arg;
	const struct finding_part *p = findings_part(st->f, part);
	st->part = part;
	markers_begin(st->mk, part, p ? p->type : NULL, p ? p->filename : NULL);
}

static int on_text(void *arg, unsigned part, const char *buf, size_t len)
{
	struct scan_state *st = arg;
	(void)part;
	markers_update(st->mk, buf, len);
	return ipscan_update(st->ips, buf, len);
}

static void on_end(void *arg, unsigned part)
{
	struct scan_state *st = arg;
	(void)part;
	ipscan_finish(st->ips);
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
	if (st.ips == NULL || st.mk == NULL)
		findings_message_unscannable(st.f, UNSCAN_INTERNAL);
	else
		(void)walk_message(msg, len, &o->limits, st.f, &scan_handler, &st);
	ipscan_free(st.ips);
	markers_free(st.mk);
	if (o->geo != NULL)
		(void)geo_enrich(o->geo, st.f);
	findings_derive(st.f, o->threshold);
	return st.f;
}
