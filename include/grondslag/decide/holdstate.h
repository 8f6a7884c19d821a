/*
 * holdstate.h - the state machine of a held message, pure: no
 * store, no clock, no I/O.  The store loads a hold into a struct
 * holdstate, applies one event, and writes back what changed, in the
 * transaction that also writes the audit record.
 *
 * States of a hold and of each held recipient (the same words are the
 * values of holds.state and hold_recipients.state in the store):
 *
 *   hold:       pending --approve--> partly-approved --release-started-->
 *               releasing --release-done--> released
 *               (release-failed: releasing -> partly-approved, retried)
 *               pending | partly-approved --deny--> denied
 *               pending | partly-approved --expire--> expired
 *   recipient:  held --approve (enough distinct jurists)--> approved
 *               --release-started--> releasing --release-done--> released
 *               (release-failed: releasing -> approved)
 *               held | approved --deny--> denied, --expire--> expired
 *
 * Rules (legal, and why):
 *   - a jurist can never approve a message they sent (four eyes): the
 *     jurist's configured addresses and SASL identities are compared
 *     with the sender as a person (senderid.h): the envelope address in
 *     any spelling, and the SMTP AUTH identity when there was one, so a
 *     jurist who authenticated and used an unrelated envelope sender is
 *     still the sender;
 *   - a recipient is approved when ReleaseApprovals DISTINCT jurists
 *     approved it; the same jurist approving again does not count;
 *   - released, denied and expired are final: no event leaves them;
 *   - while a release is in flight (releasing) a jurist cannot deny and
 *     the hold cannot expire: the relay may already have the message, so
 *     the outcome of the release is awaited first (release-failed brings
 *     the hold back to partly-approved, where deny and expiry apply);
 *   - a deny naming recipients acts on exactly those (each must be held
 *     or approved, else nothing changes); a deny naming none and an
 *     expiry act on every recipient not yet released;
 *   - a bulk decision (only_held) acts only on recipients still held:
 *     one already approved or decided is never swept along.
 *
 * The hold's state follows from its recipients: any releasing ->
 * releasing; none held/approved/releasing -> released, or denied/expired
 * when that was the event that ended it; otherwise partly-approved once
 * any approval was given, else pending.
 *
 * Public functions:
 *   holdstate_new(), holdstate_free(), holdstate_add_rcpt(),
 *   holdstate_add_approval()            build from the store
 *   holdstate_apply()                   one event: 0 done, -1 refused
 *   holdstate_state(), holdstate_rcpt_count(), holdstate_rcpt_state(),
 *   holdstate_rcpt_approvals(), holdstate_rcpt_changed()
 *   holdstate_rcpt_next()               the recipient table alone
 *   holdstate_name(), holdstate_parse(), holdstate_rcpt_name(),
 *   holdstate_rcpt_parse(), holdstate_event_name()
 * Limits: HOLDSTATE_MAX_RCPTS recipients, HOLDSTATE_MAX_APPROVERS
 * distinct approvers per recipient, names up to HOLDSTATE_NAME_MAX - 1
 * bytes (every recipient the milter holds, limits.h).
 */
#ifndef GRONDSLAG_HOLDSTATE_H
#define GRONDSLAG_HOLDSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/limits.h"

#define HOLDSTATE_MAX_RCPTS RCPTS_MAX	/* limits.h */
#define HOLDSTATE_MAX_APPROVERS 16
#define HOLDSTATE_NAME_MAX (RCPT_TEXT_MAX + 3)	/* a recipient with <>, NUL */
/* ReleaseApprovals bounds. */
#define HOLDSTATE_MIN_REQUIRED 1
#define HOLDSTATE_MAX_REQUIRED 10

enum hold_state {
	HOLD_PENDING,
	HOLD_PARTLY_APPROVED,
	HOLD_RELEASING,
	HOLD_RELEASED,
	HOLD_DENIED,
	HOLD_EXPIRED,
	HOLD_STATE_COUNT
};

enum hold_rcpt_state {
	RCPT_HELD,
	RCPT_APPROVED,
	RCPT_RELEASING,
	RCPT_RELEASED,
	RCPT_DENIED,
	RCPT_EXPIRED,
	RCPT_STATE_COUNT
};

enum hold_event {
	HEV_APPROVE,
	HEV_DENY,
	HEV_EXPIRE,
	HEV_RELEASE_STARTED,
	HEV_RELEASE_DONE,
	HEV_RELEASE_FAILED,
	HEV_COUNT
};

/* One event.  For HEV_APPROVE: jurist (user name) and the jurist's mail
 * addresses (compared with the sender), rcpts NULL/0 = every recipient
 * still held.  For HEV_DENY: rcpts NULL/0 = every recipient not yet
 * released, else exactly those.  only_held (approve, deny with rcpts):
 * every named recipient must still be held.  Other events use only
 * type. */
struct hold_event_in {
	enum hold_event type;
	const char *jurist;
	const char *const *jurist_mail;	/* addresses and SASL identities */
	size_t njurist_mail;
	const char *delimiters;		/* subaddress delimiters (senderid.h) */
	const char *const *rcpts;	/* as stored, with or without <> */
	size_t nrcpts;
	bool only_held;
};

struct holdstate;

/* A hold in state st sent by sender, needing `required` distinct
 * approvals per recipient.  NULL when out of memory or arguments bad. */
struct holdstate *holdstate_new(enum hold_state st, const char *sender, unsigned required);
/* The sender as a person: the canonical envelope address recorded with
 * the hold and the SMTP AUTH identity ("" or NULL: none).  0 or -1. */
int holdstate_set_sender_id(struct holdstate *h, const char *canonical, const char *auth);
void holdstate_free(struct holdstate *h);
/* Add a recipient as stored; its index, or -1. */
int holdstate_add_rcpt(struct holdstate *h, const char *rcpt, enum hold_rcpt_state st);
/* Add a stored approval of recipient i by jurist (duplicates ignored).
 * 0 or -1. */
int holdstate_add_approval(struct holdstate *h, size_t i, const char *jurist);

/* Apply ev: 0 and the new states, or -1 and why in reason (nothing
 * changed).  The reason is one sentence for the jurist. */
int holdstate_apply(struct holdstate *h, const struct hold_event_in *ev, char *reason,
		    size_t reasonlen);

enum hold_state holdstate_state(const struct holdstate *h);
size_t holdstate_rcpt_count(const struct holdstate *h);
const char *holdstate_rcpt(const struct holdstate *h, size_t i);
enum hold_rcpt_state holdstate_rcpt_state(const struct holdstate *h, size_t i);
unsigned holdstate_rcpt_approvals(const struct holdstate *h, size_t i);
/* Did the last successful holdstate_apply() change recipient i (its state,
 * or a new approval by the event's jurist)? */
bool holdstate_rcpt_changed(const struct holdstate *h, size_t i);
/* Was recipient i newly approved by the jurist of the last approve? */
bool holdstate_rcpt_approved_now(const struct holdstate *h, size_t i);

/* The recipient table alone: 0 and *next, or -1 and a reason.  For
 * HEV_APPROVE, complete tells whether this approval is the last one
 * needed (held -> approved) or not (held -> held). */
int holdstate_rcpt_next(enum hold_rcpt_state st, enum hold_event ev, bool complete,
			enum hold_rcpt_state *next, const char **reason);

const char *holdstate_name(enum hold_state st);
bool holdstate_parse(const char *text, enum hold_state *st);
const char *holdstate_rcpt_name(enum hold_rcpt_state st);
bool holdstate_rcpt_parse(const char *text, enum hold_rcpt_state *st);
const char *holdstate_event_name(enum hold_event ev);
/* Is st final (released, denied, expired)? */
bool holdstate_final(enum hold_state st);

#endif
