/*
 * fixture_ctlsock.h - what the control-socket tests share: the registry
 * the requests are checked against (set test_registry), its pin
 * callbacks, the hold references put into request templates, and the
 * newest record of the chain.
 */
#ifndef GRONDSLAG_FIXTURE_CTLSOCK_H
#define GRONDSLAG_FIXTURE_CTLSOCK_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/date.h"
#include "grondslag/decide/registry.h"
#include "grondslag/store/audit.h"
#include "grondslag/store/store.h"

static struct registry *test_registry;

static inline const struct registry *registry_of(void *arg, time_t now, int32_t *date,
						 void **pin)
{
	(void)arg;
	*pin = NULL;
	*date = date_from_time(now);
	return test_registry;
}

static inline void unpin(void *arg, void *pin)
{
	(void)arg;
	(void)pin;
}

/* The newest record of the chain (a store_audit_scan() callback). */
struct last {
	char actor[64], role[32], event[32], details[4096];
	int64_t seq, uid;
};
static inline int last_cb(void *arg, const struct audit_record *r)
{
	struct last *l = arg;
	snprintf(l->actor, sizeof l->actor, "%s", r->actor);
	snprintf(l->role, sizeof l->role, "%s", r->role);
	snprintf(l->event, sizeof l->event, "%s", r->event);
	snprintf(l->details, sizeof l->details, "%s", r->details);
	l->seq = r->seq;
	l->uid = r->uid;
	return 0;
}

/* Replace @1 and @2 in tmpl by the references. */
static inline void fill(const char *tmpl, const char *r1, const char *r2, char *out, size_t len)
{
	size_t n = 0;
	for (const char *p = tmpl; *p && n + STORE_REF_MAX < len; p++) {
		if (p[0] == '@' && (p[1] == '1' || p[1] == '2')) {
			const char *r = p[1] == '1' ? r1 : r2;
			memcpy(out + n, r, strlen(r));
			n += strlen(r);
			p++;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

#endif
