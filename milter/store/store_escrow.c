/*
 * store_escrow.c - the record of a decryption with the escrow key (see
 * store.h): every message the daemon opened, before it is answered, and
 * every held one a jurist's view opened, before it is shown.
 *
 * Why: reading encrypted mail is an intrusion the organisation allows on
 * condition that it is accounted for; a decryption without its record in
 * the chain must not happen, so the caller tempfails when this fails.
 */
#include <stdlib.h>

#include "grondslag/store/audit.h"
#include "grondslag/store/store.h"
#include "store_priv.h"

int store_escrow_record(struct store *s, const struct store_actor *actor, const char *ref,
			const char *queue_id, unsigned parts, const char *fpr, char *err,
			size_t errlen)
{
	struct audit_details *d = audit_details_new();
	if (d == NULL) {
		store_errf(err, errlen, "out of memory");
		return -1;
	}
	audit_details_str(d, "queue_id", queue_id != NULL ? queue_id : "");
	audit_details_int(d, "parts", (int64_t)parts);
	audit_details_str(d, "key", fpr != NULL ? fpr : "");
	char *details = audit_details_finish(d);
	if (details == NULL) {
		store_errf(err, errlen, "out of memory");
		return -1;
	}
	struct store_audit a = {.actor = actor, .event = "decrypt", .ref = ref, .details = details};
	int rc = store_audit_put(s, &a, err, errlen);
	free(details);
	return rc;
}
