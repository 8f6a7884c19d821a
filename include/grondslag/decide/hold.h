/*
 * hold.h - the words of a decision that other subsystems pass on: a held
 * recipient, a share (a recipient that received regulated data), a
 * notice queued with a hold, and the hold record itself.
 *
 * Why here: the gate produces them, the notices read them and the store
 * persists them.  Kept in decide/ (the producer) and free of any store
 * type, the gate and the notices need not know the store, and a second
 * store backend persists the same records.
 *
 * Types only; the strings are borrowed from whoever filled them in.
 */
#ifndef GRONDSLAG_HOLD_H
#define GRONDSLAG_HOLD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* One held recipient, as decided by the policy. */
struct hold_rcpt {
	const char *recipient;		/* as given to the MTA, e.g. "<a@b.c>" */
	const char *party;		/* party id, NULL when unknown */
	const char *reasons;		/* reason codes, comma-separated */
	const char *explanation;	/* the jurist's sentence (no addresses) */
};

/* One delivered recipient of a regulated message: the share register. */
struct hold_share {
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
	/* relay encryption (seal.h): the party the copy left encrypted for
	 * and the fingerprints of the keys, comma-separated; NULL: plaintext */
	const char *encrypted_for;
	const char *key_fprs;
};

/* A notice queued inside another write's transaction (the sender's and
 * the jurists' notices of a hold, the digest): kind as in the store's
 * outbox ("hold", "jurist", "digest", ...). */
struct hold_notice {
	const char *kind;
	const char *to;			/* envelope recipient */
	const char *message;		/* the whole RFC 5322 text */
};

/* The hold record: everything stored with a held message, in one
 * transaction (store_hold_put()).  Built from a gate result and the
 * message's facts by holdrec.h; the notices' texts read it.
 * Zero-initialise it: the fields at the end are optional and NULL means
 * "not used". */
struct hold_record {
	const char *queue_id;		/* MTA queue id, "" when unknown */
	const char *sender;		/* envelope sender */
	const char *sender_auth;	/* SMTP AUTH identity; NULL/"": none */
	const char *sender_canonical;	/* senderid_address() of sender, or "" */
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
	/* the raw message: in memory (data/len) or in a file (fd >= 0): then
	 * bytes [0, len) of the file, or the whole file when len is 0; read
	 * with pread(), the file offset is left alone */
	const char *data;
	size_t len;
	int fd;				/* -1 when data is used */
	const struct hold_rcpt *rcpts;	/* the held recipients */
	size_t nrcpts;
	const char *const *delivered;	/* recipients delivered now, may be 0 */
	size_t ndelivered;
	/* optional */
	const char *ref;		/* from store_ref_new(), NULL: the store
					 * makes one */
	const char *notice_to;		/* with notice_message: queue this "hold"
					 * notice in the same transaction */
	const char *notice_message;
	const char *sha256;		/* SHA-256 hex (lowercase) of exactly the
					 * message bytes, hashed while spooling;
					 * NULL: the store hashes (GLib: about
					 * 80 ms for 10 MB) */
	const struct hold_share *shares;	/* share records of the recipients
						 * delivered now, written in the
						 * same transaction */
	size_t nshares;
	const struct hold_notice *notices;	/* more notices of this hold
						 * (holdrec queues the sender's
						 * and the jurists' here), same
						 * transaction */
	size_t nnotices;
	const char *retry_key;		/* holdkey_compute(): a hold with this
					 * key received within retry_window
					 * seconds is this message again (a
					 * client's retry after a 451): nothing
					 * is stored, store_hold_put() returns 1
					 * with that hold's reference; NULL: no
					 * such check */
	time_t retry_window;
	const char *message_key;	/* holdkey_compute()'s message key: a
					 * recipient released from one hold is
					 * never released from another hold of
					 * the same message; NULL: none */
};

#endif
