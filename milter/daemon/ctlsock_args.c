/*
 * ctlsock_args.c - the arguments of a control socket request: a string
 * member, bounded, and the filter of the held and bulk commands checked
 * and made canonical (a party, a reason code: ctlsock_names.c).  Called
 * by the request's files; calls none of them back.
 *
 * Public functions: ctlsock_arg(), ctlsock_filter(), ctlsock_page()
 * (ctlsock_priv.h).
 * Limits: a string argument at most CTLSOCK_TEXT_MAX bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctlsock_priv.h"
#include "grondslag/base/jsonr.h"

/* A string member of the request, NULL when absent or too long. */
const char *ctlsock_arg(const struct ctlsock_req *r, const char *key, bool *bad)
{
	const struct jsonr_value *v = jsonr_get(r->root, key);
	if (jsonr_type(v) == JSONR_NONE || jsonr_type(v) == JSONR_NULL)
		return NULL;
	const char *s = jsonr_type(v) == JSONR_STRING ? jsonr_str(v) : NULL;
	if (s == NULL || strlen(s) > CTLSOCK_TEXT_MAX) {
		*bad = true;
		return NULL;
	}
	return s;
}

/* The filter of held and the bulk commands; false + why when a value is
 * bad or names nothing known (a party, a reason code). */
bool ctlsock_filter(struct ctlsock_req *r, struct store_hold_filter *f, char *why,
		    size_t whylen)
{
	bool bad = false;
	memset(f, 0, sizeof *f);
	const struct jsonr_value *since = jsonr_get(r->root, "since");
	uint64_t v = 0;
	if (jsonr_type(since) != JSONR_NONE && (!jsonr_u64(since, &v) || v > INT32_MAX))
		bad = true;
	f->since = (time_t)v;
	f->party = ctlsock_arg(r, "party", &bad);
	f->sender = ctlsock_arg(r, "sender", &bad);
	f->reason = ctlsock_arg(r, "reason_code", &bad);
	if (bad) {
		snprintf(why, whylen, "a filter is not a string (since: Unix time)");
		return false;
	}
	if (f->party != NULL && *f->party &&
	    (f->party = ctlsock_party_filter(r, f->party, why, whylen)) == NULL)
		return false;
	if (f->reason != NULL && *f->reason &&
	    (f->reason = ctlsock_reason_named(f->reason, why, whylen)) == NULL)
		return false;
	return true;
}

bool ctlsock_page(struct ctlsock_req *r, struct store_hold_filter *f, char *why, size_t whylen)
{
	const struct jsonr_value *ov = jsonr_get(r->root, "offset");
	const struct jsonr_value *lv = jsonr_get(r->root, "limit");
	uint64_t off = 0, lim = 0;
	if ((jsonr_type(ov) != JSONR_NONE && (!jsonr_u64(ov, &off) || off > INT32_MAX)) ||
	    (jsonr_type(lv) != JSONR_NONE &&
	     (!jsonr_u64(lv, &lim) || lim == 0 || lim > CTLSOCK_HELD_MAX))) {
		snprintf(why, whylen, "offset is a count of holds, limit 1 to %d",
			 CTLSOCK_HELD_MAX);
		return false;
	}
	f->offset = (size_t)off;
	f->limit = (size_t)lim;
	/* the order decides which holds a page holds, so it is the store's */
	const char *sort = jsonr_str(jsonr_get(r->root, "sort"));
	if (jsonr_type(jsonr_get(r->root, "sort")) != JSONR_NONE &&
	    (sort == NULL || (strcmp(sort, "urgent") != 0 && strcmp(sort, "expiry") != 0))) {
		snprintf(why, whylen, "sort is urgent or expiry");
		return false;
	}
	f->urgent_first = sort != NULL && strcmp(sort, "urgent") == 0;
	return true;
}
