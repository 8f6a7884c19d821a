/*
 * store.h - the durable store of the daemon (SQLite, WAL, synchronous
 * FULL): held messages with their per-recipient decisions, the register of
 * what was shared on which basis, and the outbox of notices to send.
 *
 * Durable means fsynced: when store_hold_put() or store_share_put()
 * returns 0 the data survives a crash or power loss, and only then may the
 * milter answer the MTA.  Any failure returns -1 with a message, and the
 * caller applies On-InternalError (tempfail by default): a message whose
 * hold could not be stored is never accepted.
 *
 * Only the daemon writes the store; other processes read it (or, later,
 * ask the daemon over the control socket).  One struct store is one
 * connection: it is not shared between threads without the store's own
 * lock, which every function takes (calls are serialised; a hold is a
 * single transaction).
 *
 * Opening checks the schema version and runs PRAGMA quick_check; a corrupt
 * or foreign database is an error at start, never a crash later.
 *
 * Public functions:
 *   store_open(), store_close()
 *   store_hold_put()      message + decisions, one transaction, fsynced
 *   store_share_put()     one record per delivered regulated recipient
 *   store_notice_put()    queue a notice (sent by the notifier later)
 *   store_notice_next(), store_notice_done(), store_notice_retry()
 *   store_hold_get(), store_hold_message(), store_hold_count()
 *   store_fail_next()     test hook: make the next write fail
 */
#ifndef GRONDSLAG_STORE_H
#define GRONDSLAG_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* "G" + 8 digits of date + "-" + 10 base32 characters, with the NUL. */
#define STORE_REF_MAX 32

/* One held recipient, as decided by the policy. */
struct store_hold_rcpt {
	const char *recipient;		/* as given to the MTA, e.g. "<a@b.c>" */
	const char *party;		/* party id, NULL when unknown */
	const char *reasons;		/* reason codes, comma-separated */
	const char *explanation;	/* the jurist's sentence (no addresses) */
};

/* What is stored with a held message. */
struct store_hold {
	const char *queue_id;		/* MTA queue id, "" when unknown */
	const char *sender;		/* envelope sender */
	const char *subject;		/* bounded, may be "" */
	time_t received;
	int32_t decided_on;		/* the date the policy used (days) */
	unsigned categories;		/* enum category bits */
	int tlp;			/* enum tlp_level */
	const char *summary_json;	/* findings summary: counts, countries,
					 * parts; never the address list */
	const char *findings_json;	/* the full findings (addresses), shown
					 * only with show --content */
	const char *registry_digest;	/* SHA-256 hex of the registry used */
	/* the raw message: in memory (data/len) or in a file (fd >= 0) */
	const char *data;
	size_t len;
	int fd;				/* -1 when data is used */
	const struct store_hold_rcpt *rcpts;	/* the held recipients */
	size_t nrcpts;
	const char *const *delivered;	/* recipients delivered now, may be 0 */
	size_t ndelivered;
};

/* One delivered recipient of a regulated message: the share register. */
struct store_share {
	const char *queue_id;
	const char *sender;
	const char *recipient;
	const char *party;		/* NULL for own domain */
	const char *bases;		/* basis ids, comma-separated */
	const char *articles;		/* their articles, "; "-separated */
	unsigned categories;
	int tlp;
	uint32_t public_addresses;
	const char *countries;		/* "BE:3,NL:1" */
	bool simulated;			/* Mode simulate: would have been held */
	time_t when;
};

/* A notice to send (to the sender, or the jurists). */
struct store_notice {
	int64_t id;
	const char *kind;		/* "hold", "release", "deny", "expiry", "digest" */
	const char *ref;		/* hold reference, may be "" */
	const char *to;			/* envelope recipient */
	const char *message;		/* the whole RFC 5322 text */
	unsigned attempts;
};

struct store;

/* Opens (creating the schema when the file is new); NULL + err on error. */
struct store *store_open(const char *path, char *err, size_t errlen);
void store_close(struct store *s);

/* Store a hold.  ref_out receives the new reference.  0 = durable. */
int store_hold_put(struct store *s, const struct store_hold *h, char ref_out[STORE_REF_MAX],
		   char *err, size_t errlen);
int store_share_put(struct store *s, const struct store_share *sh, char *err, size_t errlen);

/* Outbox.  store_notice_next() returns 1 with a notice due at now (the
 * strings stay valid until the next call), 0 when none, -1 on error. */
int store_notice_put(struct store *s, const char *kind, const char *ref, const char *to,
		     const char *message, char *err, size_t errlen);
int store_notice_next(struct store *s, time_t now, struct store_notice *out);
int store_notice_done(struct store *s, int64_t id);
/* Retry later with backoff (attempts counted; after the last, kept as failed). */
int store_notice_retry(struct store *s, int64_t id, time_t now, const char *why);

/* Read side (CLI, tests). */
int64_t store_hold_count(struct store *s);
/* Copy of the stored raw message of ref (malloc'ed) or NULL. */
char *store_hold_message(struct store *s, const char *ref, size_t *len);

/* Test hook: the next write (hold, share, notice) fails as a disk would. */
void store_fail_next(struct store *s);

#endif
