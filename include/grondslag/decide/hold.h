/*
 * hold.h - the words of a decision that other subsystems pass on: a held
 * recipient and a share (a recipient that received regulated data).
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
};

#endif
