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
	s = store_take(s);
	/* The newest load that carried a serial; only when none did, the
	 * newest load.  A load without a serial (forced with RegistryRollback
	 * none) never lowers the mark: were it the mark, "nothing to compare"
	 * would let any older serial in next, without a force. */
	/* the one query that reads inside the record's JSON, in each
	 * backend's words for it */
	static const char *const sql[] = {
		[DB_SQLITE] = "SELECT seq, at, json_extract(details, '$.serial'),"
			      " json_extract(details, '$.digest') FROM audit"
			      " WHERE event = 'registry-load'"
			      " ORDER BY coalesce(json_extract(details, '$.serial'), 0) > 0 DESC,"
			      " seq DESC LIMIT 1",
		[DB_POSTGRES] = "SELECT seq, at, (details::jsonb ->> 'serial')::numeric,"
				" details::jsonb ->> 'digest' FROM audit"
				" WHERE event = 'registry-load'"
				" ORDER BY coalesce((details::jsonb ->> 'serial')::numeric, 0) > 0"
				" DESC, seq DESC LIMIT 1",
	};
	struct db_stmt *st = store_prepare(s, sql[db_backend(s->db)], err, errlen);
	int rc = st != NULL ? db_step(st) : DB_ERROR;
	if (rc == DB_ROW) {
		m->found = true;
		m->seq = db_column_int64(st, 0);
		m->at = (time_t)db_column_int64(st, 1);
		int64_t serial = db_column_int64(st, 2);
		m->serial = serial > 0 ? (uint64_t)serial : 0;
		const char *d = db_column_text(st, 3);
		snprintf(m->digest, sizeof m->digest, "%s", d ? (const char *)d : "");
	} else if (rc != DB_DONE && st != NULL) {
		store_sqlerr(s, err, errlen, "read the registry mark");
	}
	db_finalize(st);
	store_give(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}
