/*
 * ctlsock_answer.c - the members of a control socket answer that every
 * command shares: the status (and error), a stored JSON text embedded,
 * a parsed JSON value copied, the recipients of a hold.  Called by the
 * request's files (ctlsock_req.c, ctlsock_decide.c, ctlsock_refuse.c,
 * ctlsock_resolve.c); calls none of them.
 *
 * Public functions: ctlsock_json_copy() (ctlsock.h), ctlsock_status(),
 * ctlsock_embed(), ctlsock_write_rcpts() (ctlsock_priv.h).
 * Limits: an embedded text is parsed with at most 64 MiB and depth 16.
 */
#include <stdint.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/jsonr.h"

#define SUMMARY_DEPTH 16

void ctlsock_status(struct ctlsock_req *r, const char *status, const char *error)
{
	r->status = status;
	json_key(r->j, "status");
	json_str(r->j, status);
	if (error != NULL) {
		json_key(r->j, "error");
		json_str(r->j, error);
	}
}

/* Copy a parsed JSON value into the answer (depth bounded by the parse). */
void ctlsock_json_copy(struct json *j, const struct jsonr_value *v, int depth)
{
	size_t n = 0;
	switch (jsonr_type(v)) {
	case JSONR_OBJECT:
		json_obj_begin(j);
		for (size_t i = 0; depth > 0 && i < jsonr_count(v); i++) {
			json_key(j, jsonr_key(v, i, &n));
			ctlsock_json_copy(j, jsonr_at(v, i), depth - 1);
		}
		json_obj_end(j);
		return;
	case JSONR_ARRAY:
		json_arr_begin(j);
		for (size_t i = 0; depth > 0 && i < jsonr_count(v); i++)
			ctlsock_json_copy(j, jsonr_at(v, i), depth - 1);
		json_arr_end(j);
		return;
	case JSONR_STRING: {
		const char *s = jsonr_strn(v, &n);
		json_strn(j, s, n);
		return;
	}
	case JSONR_NUMBER: {
		uint64_t u;
		if (jsonr_u64(v, &u))
			json_uint(j, u);
		else
			json_str(j, jsonr_str(v));
		return;
	}
	case JSONR_TRUE: json_bool(j, true); return;
	case JSONR_FALSE: json_bool(j, false); return;
	case JSONR_NULL:
	case JSONR_NONE: break;
	}
	json_null(j);
}

/* Write key: the stored JSON text (ours, but parsed bounded anyway). */
void ctlsock_embed(struct json *j, const char *key, const char *text)
{
	struct jsonr_limits lim = {.max_bytes = 64u << 20, .max_depth = SUMMARY_DEPTH};
	struct jsonr_doc *d = jsonr_parse(text, strlen(text), &lim, NULL);
	json_key(j, key);
	if (d == NULL)
		json_null(j);
	else
		ctlsock_json_copy(j, jsonr_root(d), SUMMARY_DEPTH);
	jsonr_free(d);
}

/* The recipients array of a stored hold; relay: with the relay's queue
 * id of each delivered copy (the jurists' work, not a sender's). */
void ctlsock_write_rcpts(struct json *j, const struct store_hold_record *h, bool relay)
{
	json_key(j, "recipients");
	json_arr_begin(j);
	for (size_t i = 0; i < h->nrcpts; i++) {
		json_obj_begin(j);
		json_key(j, "rcpt");
		json_str(j, h->rcpts[i].recipient);
		json_key(j, "state");
		json_str(j, h->rcpts[i].state);
		json_key(j, "party");
		json_str(j, h->rcpts[i].party);
		json_key(j, "reasons");
		json_str(j, h->rcpts[i].reasons);
		json_key(j, "explanation");
		json_str(j, h->rcpts[i].explanation);
		if (relay) {
			json_key(j, "relay_queue_id");
			if (h->rcpts[i].relay_queue_id != NULL)
				json_str(j, h->rcpts[i].relay_queue_id);
			else
				json_null(j);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
}
