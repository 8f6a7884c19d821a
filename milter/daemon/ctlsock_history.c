/*
 * ctlsock_history.c - the history of one hold in a show answer: every
 * record of it in the audit chain (decisions, refusals, views of its
 * Subject or its content, releases, notices, expiry), oldest first, as
 * the chain holds them: sequence number, time, actor, role, event and the
 * details (which never carry content: counts, ids, reason codes,
 * justifications, the channel).  So the console's hold page shows what
 * happened to a hold and who looked at it, from the chain itself.
 *
 * Public function (ctlsock_priv.h): ctlsock_write_history().
 * Limits: the newest CTLSOCK_HISTORY_MAX records ("history_omitted" says
 * how many older ones are left out).
 */
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"

#define CTLSOCK_HISTORY_MAX 500

/* One record kept (copies: the scan's strings live one row only). */
struct kept {
	int64_t seq, at;
	char *actor, *role, *event, *details;
};

/* The records collected (a ring of the newest CTLSOCK_HISTORY_MAX). */
struct hist {
	struct kept rec[CTLSOCK_HISTORY_MAX];
	size_t n;			/* records seen */
	bool oom;
};

static void kept_free(struct kept *k)
{
	free(k->actor);
	free(k->role);
	free(k->event);
	free(k->details);
	memset(k, 0, sizeof *k);
}

static int on_record(void *arg, const struct audit_record *r)
{
	struct hist *h = arg;
	struct kept *k = &h->rec[h->n % CTLSOCK_HISTORY_MAX];
	kept_free(k);
	*k = (struct kept){.seq = r->seq, .at = r->at, .actor = strdup(r->actor),
			   .role = strdup(r->role), .event = strdup(r->event),
			   .details = strdup(r->details)};
	h->n++;
	h->oom = h->oom || !k->actor || !k->role || !k->event || !k->details;
	return h->oom;
}

void ctlsock_write_history(struct ctlsock_req *r, const char *ref, time_t since)
{
	struct hist *h = calloc(1, sizeof *h);
	int rc = h != NULL ? store_audit_of_hold(r->env->store, ref, (int64_t)since, on_record, h)
			   : -1;
	json_key(r->j, "history");
	if (rc != 0 || h->oom) {
		json_null(r->j);
	} else {
		size_t kept = h->n < CTLSOCK_HISTORY_MAX ? h->n : CTLSOCK_HISTORY_MAX;
		json_arr_begin(r->j);
		for (size_t i = h->n - kept; i < h->n; i++) {
			const struct kept *k = &h->rec[i % CTLSOCK_HISTORY_MAX];
			json_obj_begin(r->j);
			json_key(r->j, "seq");
			json_int(r->j, k->seq);
			json_key(r->j, "at");
			json_int(r->j, k->at);
			json_key(r->j, "actor");
			json_str(r->j, k->actor);
			json_key(r->j, "role");
			json_str(r->j, k->role);
			json_key(r->j, "event");
			json_str(r->j, k->event);
			ctlsock_embed(r->j, "details", k->details);
			json_obj_end(r->j);
		}
		json_arr_end(r->j);
		json_key(r->j, "history_omitted");
		json_uint(r->j, h->n - kept);
	}
	for (size_t i = 0; h != NULL && i < CTLSOCK_HISTORY_MAX; i++)
		kept_free(&h->rec[i]);
	free(h);
}
