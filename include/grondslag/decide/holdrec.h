/*
 * holdrec.h - the record of one decided message, assembled from the gate
 * result and the facts of the message: for a hold everything stored with
 * it in one transaction (hold.h: struct hold_record), otherwise the share
 * records of the recipients that got regulated data.
 *
 * Why here: the adapter (callbacks.c) talks to libmilter only; what a
 * hold consists of - its findings, its retry key, the sender's canonical
 * spelling, its shares - is decided in the core, where a unit test
 * reaches it.  The notices' texts are added by the notice layer
 * (notice_hold_record(), notice.h), which knows how to write them.
 *
 * Public functions:
 *   holdrec_new(), holdrec_free()
 *   holdrec_held(), holdrec_record(), holdrec_notice()
 * Limits: the record borrows the strings of the gate result and of the
 * facts (recipients, message bytes): both must outlive it.
 */
#ifndef GRONDSLAG_HOLDREC_H
#define GRONDSLAG_HOLDREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/decide/gate.h"
#include "grondslag/decide/hold.h"

/* What the gate does not know of a message.  Zero-initialise it. */
struct hold_facts {
	const char *ref;		/* the hold's reference; required for a hold */
	const char *queue_id;		/* MTA queue id, "" when unknown */
	const char *sender;		/* envelope sender as given, NULL: none */
	const char *sender_auth;	/* SMTP AUTH identity, "" or NULL: none */
	const char *subject;		/* bounded, may be "" */
	const char *const *rcpts;	/* every envelope recipient as given */
	size_t nrcpts;
	const char *data;		/* the message as received */
	size_t len;
	int32_t date;			/* the date the policy used (days) */
	time_t received;
	const char *registry_digest;	/* SHA-256 hex of the registry used */
	const char *header_prefix;	/* HeaderName: left out of the retry key */
	const char *recipient_delimiter;	/* RecipientDelimiter */
	unsigned expiry_days;		/* HoldExpiry: how long a retry finds it */
	/* relay encryption (seal.h): the delivered copy left encrypted for
	 * this party, to these keys (fingerprints); NULL: plaintext.  Every
	 * share record says so. */
	const char *encrypted_for;
	const char *key_fprs;
	/* the milter found the message encrypted as a whole with nothing
	 * readable in it (seal_as_is()) and would leave it as it is: said in
	 * the hold's summary ("seal":"as-is") for its release, which leaves
	 * it so only when this verdict and its own scan agree */
	bool sealed_as_is;
};

struct holdrec;

/* The record of g (action partial or discard: a hold; accept or pass: its
 * share records alone) with the facts f.  NULL with a reason in err when
 * out of memory, when g is a tempfail or when a hold has no reference:
 * nothing may then be answered but the On-InternalError action. */
struct holdrec *holdrec_new(const struct gate_result *g, const struct hold_facts *f, char *err,
			    size_t errlen);
void holdrec_free(struct holdrec *r);

/* Is it a hold (store_hold_put()), or shares only (store_shares_put() of
 * the record's shares)? */
bool holdrec_held(const struct holdrec *r);
const struct hold_record *holdrec_record(const struct holdrec *r);

/* Queue the notice text (taken over: freed with r, also on failure) of
 * kind (a literal: "hold", the sender's; "jurist") to each of the nto
 * addresses (copied), in the hold's transaction, after those queued
 * before.  0, or -1 out of memory, text NULL or r no hold. */
int holdrec_notice(struct holdrec *r, const char *kind, const char *const *to, size_t nto,
		   char *text);

#endif
