/*
 * store_regmark.c - the registry's roll-back mark (regserial.h): the
 * newest "registry-load" record of the audit chain that carries a serial
 * (else the newest one), with the serial and digest in its details.  Read-only; the record itself is written by
 * the daemon with store_audit_put().
 *
 * Public function: store_registry_mark().
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/decide/regserial.h"
#include "store_priv.h"

int store_registry_mark(struct store *s, struct regserial_mark *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	if (s == NULL) {
		store_errf(err, errlen, "store: no store");
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	/* The newest load that carried a serial; only when none did, the
	 * newest load.  A load without a serial (forced with RegistryRollback
	 * none) never lowers the mark: were it the mark, "nothing to compare"
	 * would let any older serial in next, without a force. */
	sqlite3_stmt *st = store_prepare(
		s,
		"SELECT seq, at, json_extract(details, '$.serial'),"
		" json_extract(details, '$.digest') FROM audit"
		" WHERE event = 'registry-load'"
		" ORDER BY coalesce(json_extract(details, '$.serial'), 0) > 0 DESC, seq DESC"
		" LIMIT 1", err, errlen);
	int rc = st != NULL ? sqlite3_step(st) : SQLITE_ERROR;
	if (rc == SQLITE_ROW) {
		m->found = true;
		m->seq = sqlite3_column_int64(st, 0);
		m->at = (time_t)sqlite3_column_int64(st, 1);
		sqlite3_int64 serial = sqlite3_column_int64(st, 2);
		m->serial = serial > 0 ? (uint64_t)serial : 0;
		const unsigned char *d = sqlite3_column_text(st, 3);
		snprintf(m->digest, sizeof m->digest, "%s", d ? (const char *)d : "");
	} else if (rc != SQLITE_DONE && st != NULL) {
		store_sqlerr(s, err, errlen, "read the registry mark");
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
