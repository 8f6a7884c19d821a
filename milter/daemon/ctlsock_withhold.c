/*
 * ctlsock_withhold.c - what only jurists see of a hold's summary.  The
 * summary (counts, countries, parts) is for every role, but the file
 * names of the parts are the sender's words, like the Subject: they can
 * carry addresses or names, so admins and auditors get the summary
 * without them.
 *
 * Public (ctlsock_priv.h): ctlsock_embed_summary().
 * Limits: the summary is parsed bounded (SUMMARY_DEPTH levels).
 */
#include <string.h>

#include "ctlsock_priv.h"

#define SUMMARY_DEPTH 16

/* Copy v into j, leaving out every member named "filename". */
static void copy_without_names(struct json *j, const struct jsonr_value *v, int depth)
{
	size_t n = 0;
	if (jsonr_type(v) == JSONR_OBJECT) {
		json_obj_begin(j);
		for (size_t i = 0; depth > 0 && i < jsonr_count(v); i++) {
			const char *k = jsonr_key(v, i, &n);
			if (strcmp(k, "filename") == 0)
				continue;
			json_key(j, k);
			copy_without_names(j, jsonr_at(v, i), depth - 1);
		}
		json_obj_end(j);
	} else if (jsonr_type(v) == JSONR_ARRAY) {
		json_arr_begin(j);
		for (size_t i = 0; depth > 0 && i < jsonr_count(v); i++)
			copy_without_names(j, jsonr_at(v, i), depth - 1);
		json_arr_end(j);
	} else {
		ctlsock_json_copy(j, v, depth);
	}
}

void ctlsock_embed_summary(struct json *j, const char *summary_json, bool content)
{
	if (content) {
		ctlsock_embed(j, "summary", summary_json);
		return;
	}
	struct jsonr_limits lim = {.max_bytes = 64u << 20, .max_depth = SUMMARY_DEPTH};
	struct jsonr_doc *d = jsonr_parse(summary_json, strlen(summary_json), &lim, NULL);
	json_key(j, "summary");
	if (d == NULL)
		json_null(j);
	else
		copy_without_names(j, jsonr_root(d), SUMMARY_DEPTH);
	jsonr_free(d);
}
