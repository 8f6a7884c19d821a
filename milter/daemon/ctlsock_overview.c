/*
 * ctlsock_overview.c - {"cmd":"overview"}: the state of the holds at a
 * glance for admins and auditors (and jurists), in one request: the open
 * holds by state, the oldest, those expiring within ExpiryWarning days
 * (and overdue), the releases that keep failing with the relay's last
 * reply.  No Subject, no address list, no content: so it is no view of
 * content and is not recorded (like held and show of an admin).
 *
 * Public (ctlsock_priv.h): ctlsock_overview().
 * Limits: STORE_OVERVIEW_LIST holds named per list.
 */
#include <stdint.h>

#include "ctlsock_priv.h"

/* One named list of holds. */
static void write_list(struct ctlsock_req *r, const char *key, const struct store_overview_list *l,
		       time_t expiry)
{
	json_key(r->j, key);
	json_arr_begin(r->j);
	for (size_t i = 0; i < l->n; i++) {
		const struct store_overview_hold *h = &l->holds[i];
		json_obj_begin(r->j);
		json_key(r->j, "ref");
		json_str(r->j, h->ref);
		json_key(r->j, "state");
		json_str(r->j, h->state);
		json_key(r->j, "received");
		json_int(r->j, (int64_t)h->received);
		json_key(r->j, "age");
		json_int(r->j, (int64_t)(r->now - h->received));
		json_key(r->j, "expires");
		json_int(r->j, (int64_t)(h->received + expiry));
		json_key(r->j, "expires_in");
		json_int(r->j, (int64_t)(h->received + expiry - r->now));
		json_key(r->j, "release_attempts");
		json_uint(r->j, h->release_attempts);
		json_key(r->j, "release_error");
		if (h->release_error != NULL)
			json_str(r->j, h->release_error);
		else
			json_null(r->j);
		json_obj_end(r->j);
	}
	json_arr_end(r->j);
}

void ctlsock_overview(struct ctlsock_req *r)
{
	time_t expiry = (time_t)config_uint(r->c, CONF_HOLD_EXPIRY) * 86400;
	time_t warn = (time_t)config_uint(r->c, CONF_EXPIRY_WARNING) * 86400;
	struct store_overview o;
	char err[300];
	if (store_overview_read(r->env->store, r->now, expiry, warn, &o, err, sizeof err) != 0) {
		ctlsock_status(r, "error", err);
		return;
	}
	ctlsock_status(r, "ok", NULL);
	static const char *const keys[] = {"open", "pending", "partly_approved", "releasing",
					   "expiring_soon", "overdue", "release_failing"};
	const int64_t vals[] = {o.open, o.pending, o.partly_approved, o.releasing,
				o.expiring_soon, o.overdue, o.release_failing};
	json_key(r->j, "counts");
	json_obj_begin(r->j);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_key(r->j, keys[i]);
		json_int(r->j, vals[i]);
	}
	json_obj_end(r->j);
	json_key(r->j, "expiry_warning_days");
	json_uint(r->j, config_uint(r->c, CONF_EXPIRY_WARNING));
	/* the oldest open hold: a list of one, or empty when none is open */
	write_list(r, "oldest", &o.oldest, expiry);
	write_list(r, "expiring", &o.expiring, expiry);
	write_list(r, "release_failures", &o.failing, expiry);
	store_overview_free(&o);
}
