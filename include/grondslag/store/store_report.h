/*
 * store_report.h - the record read in bulk, for reports and statistics
 * (report.h): the holds received in a period, their held recipients,
 * the shares of a period, and the totals of the whole store.  A report
 * counts what it reads in its own tables; it sees rows as plain structs
 * and never the database, so another store backend needs no second
 * report path.
 *
 * The connection is read-only (the daemon is the store's only writer)
 * and immutable when no -wal file exists, so the reader leaves no
 * -wal/-shm files behind that the daemon (another user) cannot open.
 * Unlike store_open_readonly() it reads every schema from version 1 on
 * that has the columns a report needs (a report of an old backup works):
 * what a later schema added (the decision time, a share's own regime) is
 * absent from the rows of an older one.  Everything read between
 * store_report_begin() and store_report_end() is of one moment, so the
 * numbers of one report agree with each other while the daemon writes.
 *
 * Rows are handed to a callback; their strings are valid during the call
 * only, and the callback must not call the store (it runs under the
 * store's lock).  A scan returns 0 at the end of the rows, 1 when the callback
 * stopped it (returned non-zero), -1 with err (the backend's message)
 * when the store could not be read.  Times are Unix seconds (UTC); a
 * period is half-open [since, until).
 *
 * Public functions: store_open_report(), store_report_filter(),
 * store_report_begin(),
 * store_report_end(), store_report_holds(), store_report_recipients(),
 * store_report_shares(), store_report_decisions(),
 * store_report_open_holds(), store_report_totals(); store_close() closes.
 */
#ifndef GRONDSLAG_STORE_REPORT_H
#define GRONDSLAG_STORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/decide/holdstate.h"
#include "grondslag/store/store.h"

/* Open the store at path for reading in bulk: it must be a grondslag
 * store (any schema version) with the tables and columns a report reads.
 * schema receives its version.  NULL + err ("path: why"). */
struct store *store_open_report(const char *path, int *schema, char *err, size_t errlen);
/* Begin and end the read transaction of one report.  Only on a store of
 * store_open_report() (one thread).  0, or -1 + err. */
int store_report_begin(struct store *s, char *err, size_t errlen);
void store_report_end(struct store *s);

/* Narrow the scans below (NULL or "": no filter; any case; copied):
 * party: holds with a recipient of that party, only those recipients,
 * and shares to it; sender: holds and shares of that envelope sender
 * (angle brackets ignored); basis: shares naming that basis id, and no
 * hold (a hold has no basis).  0, or -1 out of memory. */
int store_report_filter(struct store *s, const char *party, const char *sender,
			const char *basis);

/* A hold received in the period. */
struct store_report_hold {
	time_t received;
	const char *state;		/* holds.state, NULL when unset */
	unsigned categories;		/* enum category bits */
	const char *sender;		/* envelope sender as stored, never NULL */
	size_t sender_len;
	/* the time of the jurists' decision: for a released hold the last
	 * approval (the delivery itself may wait for the relay), else the
	 * time the hold reached its final state (schema 2 on; in schema 1
	 * the last change of state); false while open or unknown */
	bool decided;
	time_t decided_at;
};
int store_report_holds(struct store *s, time_t since, time_t until,
		       int (*cb)(void *arg, const struct store_report_hold *h), void *arg,
		       char *err, size_t errlen);

/* A held recipient of a hold received in the period.  The recipients of
 * one hold come one after the other (hold is the same for them), so a
 * caller counts a hold once per group without a table of holds. */
struct store_report_rcpt {
	int64_t hold;			/* identifies the hold within this scan */
	time_t received;		/* of the hold */
	const char *party;		/* party id; NULL when the party is unknown */
	const char *recipient;		/* only when party is NULL, else NULL */
	const char *reasons;		/* reason codes, comma-separated, never NULL */
	size_t reasons_len;
};
int store_report_recipients(struct store *s, time_t since, time_t until,
			    int (*cb)(void *arg, const struct store_report_rcpt *r), void *arg,
			    char *err, size_t errlen);

/* A share (a recipient delivered regulated data on a basis) made in the
 * period.  Strings are never NULL ("" when absent). */
struct store_report_share {
	time_t shared_at;
	const char *party;		/* "" for the own organisation */
	const char *bases, *articles;	/* comma-separated */
	const char *regime;		/* the regime the share recorded, "" when
					 * it recorded none (or the schema has none) */
	size_t party_len, bases_len, articles_len, regime_len;
	bool simulated;			/* Mode simulate: would have been held */
	unsigned categories;		/* enum category bits */
	int tlp;			/* enum tlp_level */
	uint64_t public_addresses;
};
int store_report_shares(struct store *s, time_t since, time_t until,
			int (*cb)(void *arg, const struct store_report_share *sh), void *arg,
			char *err, size_t errlen);

/* One jurist's approval of a released recipient, or a denied recipient
 * (jurist, reason: the denial's), decided in the period: the register of
 * decisions (GDPR art. 30, and art. 49 for transfers on a derogation).
 * Rows of one recipient come together, approvals in time order.  Strings
 * are never NULL ("" when absent).  A store without the approvals table
 * (schema 1) has no rows. */
struct store_report_decision {
	const char *ref;
	int64_t rcpt;			/* identifies the recipient in this scan */
	const char *party;		/* "" when the party is unknown */
	bool released;			/* else denied */
	time_t decided_at;
	const char *jurist;		/* the approver, or who denied */
	time_t at;			/* of the approval (or the denial) */
	const char *basis;		/* approvals only */
	const char *reason;		/* the jurist's justification */
};
int store_report_decisions(struct store *s, time_t since, time_t until,
			   int (*cb)(void *arg, const struct store_report_decision *d),
			   void *arg, char *err, size_t errlen);

/* A hold still open (pending or partly approved), whenever received:
 * for the holds overdue or close to expiry. */
struct store_report_open {
	const char *ref;
	const char *state;
	time_t received;
	const char *party;		/* of its first held recipient, "" unknown */
};
int store_report_open_holds(struct store *s,
			    int (*cb)(void *arg, const struct store_report_open *o), void *arg,
			    char *err, size_t errlen);

/* What the store holds, all time. */
struct store_totals {
	uint64_t holds;				/* every hold, whatever its state */
	uint64_t holds_by_state[HOLD_STATE_COUNT];	/* enum hold_state */
	uint64_t held_recipients;
	uint64_t shares;			/* not simulated */
	uint64_t shares_simulated;
	uint64_t public_addresses;		/* over the shares not simulated */
	uint64_t notices_queued, notices_sent, notices_failed;
	int64_t last_hold, last_share;		/* newest times, 0 when none */
};
/* 0, or -1 + err. */
int store_report_totals(struct store *s, struct store_totals *out, char *err, size_t errlen);

#endif
