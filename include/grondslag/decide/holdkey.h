/*
 * holdkey.h - the retry key of a held message: what makes a message
 * retried by its client after a 451 the same message.
 *
 * Why: the milter stores a hold (fsynced) before the MTA has its reply;
 * killed in between, the MTA answers 451 and the client sends the message
 * again - with a new queue id and a new Received header.  Matched on the
 * key, the retry finds the hold it already has instead of making a second
 * one (two holds of one message could be released twice).
 *
 * The key is SHA-256 over: the Message-ID (unfolded, trimmed), the
 * envelope sender and all envelope recipients (lowercase, sorted), the
 * recipients held, and a digest of the body and every header field but
 * the trace and transport ones a relay adds or changes on the way
 * (Received, Return-Path, Delivered-To, X-Original-To, DKIM-Signature,
 * ARC-*, Authentication-Results, Received-SPF, Date - an MTA adds its
 * own to a message without one, different on each retry - and our own
 * HeaderName*).
 * No Message-ID, no key: a message without one is never taken for
 * another (a second hold is better than a lost one).  The message key is
 * the same without the recipients: a recipient released from one hold of
 * a message is never released from another (store_release.c).
 *
 * Public functions:
 *   holdkey_compute()
 */
#ifndef GRONDSLAG_HOLDKEY_H
#define GRONDSLAG_HOLDKEY_H

#include <stdbool.h>
#include <stddef.h>

#define HOLDKEY_HEX 65

struct holdkey_input {
	const char *data;		/* the message as the milter received it */
	size_t len;
	const char *header_prefix;	/* HeaderName, e.g. X-Grondslag */
	const char *sender;
	const char *const *rcpts;	/* every envelope recipient */
	size_t nrcpts;
	const char *const *held;	/* the recipients held */
	size_t nheld;
};

/* The retry key into retry and the message key into message (the same
 * without the recipients: one message, whoever it went to - the release
 * never sends a recipient a message another hold already released to
 * them): 1; 0 when there is none (no Message-ID, bad input, recipients
 * without a canonical form: release_rcpts_ok()); -1 out of memory, which
 * the caller must not take for "none": a hold stored without its key
 * would be stored again on the client's retry. */
int holdkey_compute(const struct holdkey_input *in, char retry[HOLDKEY_HEX],
		    char message[HOLDKEY_HEX]);

#endif
