/*
 * holdstate.c - the state machine of a held message (see holdstate.h).
 *
 * Two tables: which recipient states an event may leave (rcpt_table),
 * and which hold states accept which events (hold_table, with the reason
 * given when they do not).  holdstate_apply() checks the hold table,
 * applies the recipient table to the recipients the event concerns, and
 * derives the hold's new state from its recipients.  Every check happens
 * before anything changes, so a refused event leaves the hold as it was.
 * Limits: see holdstate.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/names.h"
#include "grondslag/decide/holdstate.h"
#include "grondslag/decide/senderid.h"

struct hs_rcpt {
	char *addr;
	enum hold_rcpt_state state;
	char *approvers[HOLDSTATE_MAX_APPROVERS];
	unsigned napprovers;
	bool changed, approved_now;
};

struct holdstate {
	enum hold_state state;
	char *sender;
	char *sender_canonical, *sender_auth;	/* NULL: not known */
	unsigned required;
	struct hs_rcpt *rcpts;
	size_t nrcpts;
};

static const struct name_value hold_states[] = {
	{"pending", HOLD_PENDING},
	{"partly-approved", HOLD_PARTLY_APPROVED},
	{"releasing", HOLD_RELEASING},
	{"released", HOLD_RELEASED},
	{"denied", HOLD_DENIED},
	{"expired", HOLD_EXPIRED},
};
static const struct name_value rcpt_states[] = {
	{"held", RCPT_HELD},
	{"approved", RCPT_APPROVED},
	{"releasing", RCPT_RELEASING},
	{"released", RCPT_RELEASED},
	{"denied", RCPT_DENIED},
	{"expired", RCPT_EXPIRED},
};
static const struct name_value events[] = {
	{"approve", HEV_APPROVE},
	{"deny", HEV_DENY},
	{"expire", HEV_EXPIRE},
	{"release-started", HEV_RELEASE_STARTED},
	{"release-done", HEV_RELEASE_DONE},
	{"release-failed", HEV_RELEASE_FAILED},
};

/* Hold level: NULL = the event is accepted in this state (subject to the
 * recipients' checks), else why it is refused. */
static const char *const hold_table[HOLD_STATE_COUNT][HEV_COUNT] = {
	[HOLD_PENDING] = {
		[HEV_RELEASE_STARTED] = "nothing is approved yet",
		[HEV_RELEASE_DONE] = "no release is in progress",
		[HEV_RELEASE_FAILED] = "no release is in progress",
	},
	[HOLD_PARTLY_APPROVED] = {
		[HEV_RELEASE_DONE] = "no release is in progress",
		[HEV_RELEASE_FAILED] = "no release is in progress",
	},
	[HOLD_RELEASING] = {
		[HEV_APPROVE] = "a release is in progress; wait for its outcome",
		[HEV_DENY] = "a release is in progress; wait for its outcome",
		[HEV_EXPIRE] = "a release is in progress; expiry waits for its outcome",
		[HEV_RELEASE_STARTED] = "a release is already in progress",
	},
	[HOLD_RELEASED] = {
		"the hold is already released", "the hold is already released",
		"the hold is already released", "the hold is already released",
		"the hold is already released", "the hold is already released",
	},
	[HOLD_DENIED] = {
		"the hold is already denied", "the hold is already denied",
		"the hold is already denied", "the hold is already denied",
		"the hold is already denied", "the hold is already denied",
	},
	[HOLD_EXPIRED] = {
		"the hold has already expired", "the hold has already expired",
		"the hold has already expired", "the hold has already expired",
		"the hold has already expired", "the hold has already expired",
	},
};

const char *holdstate_name(enum hold_state st)
{
	return name_of(hold_states, NAMES_LEN(hold_states), (int)st, "?");
}

const char *holdstate_rcpt_name(enum hold_rcpt_state st)
{
	return name_of(rcpt_states, NAMES_LEN(rcpt_states), (int)st, "?");
}

const char *holdstate_event_name(enum hold_event ev)
{
	return name_of(events, NAMES_LEN(events), (int)ev, "?");
}

bool holdstate_parse(const char *text, enum hold_state *st)
{
	int v = value_of(hold_states, NAMES_LEN(hold_states), text, 0);
	if (v >= 0)
		*st = (enum hold_state)v;
	return v >= 0;
}

bool holdstate_rcpt_parse(const char *text, enum hold_rcpt_state *st)
{
	int v = value_of(rcpt_states, NAMES_LEN(rcpt_states), text, 0);
	if (v >= 0)
		*st = (enum hold_rcpt_state)v;
	return v >= 0;
}

bool holdstate_final(enum hold_state st)
{
	return st == HOLD_RELEASED || st == HOLD_DENIED || st == HOLD_EXPIRED;
}

/* The recipient table: the one place that says which moves exist. */
int holdstate_rcpt_next(enum hold_rcpt_state st, enum hold_event ev, bool complete,
			enum hold_rcpt_state *next, const char **reason)
{
	static const char *const final_reason[RCPT_STATE_COUNT] = {
		[RCPT_RELEASED] = "the recipient is already released",
		[RCPT_DENIED] = "the recipient is already denied",
		[RCPT_EXPIRED] = "the recipient has already expired",
	};
	const char *why = NULL;
	enum hold_rcpt_state to = st;
	if ((unsigned)st >= RCPT_STATE_COUNT || (unsigned)ev >= HEV_COUNT) {
		why = "unknown state or event";
	} else if (final_reason[st] != NULL) {
		why = final_reason[st];
	} else {
		switch (ev) {
		case HEV_APPROVE:
			if (st == RCPT_HELD)
				to = complete ? RCPT_APPROVED : RCPT_HELD;
			else
				why = st == RCPT_APPROVED ? "the recipient is already approved"
							  : "the recipient is being released";
			break;
		case HEV_DENY:
		case HEV_EXPIRE:
			if (st == RCPT_RELEASING)
				why = "the recipient is being released";
			else
				to = ev == HEV_DENY ? RCPT_DENIED : RCPT_EXPIRED;
			break;
		case HEV_RELEASE_STARTED:
			if (st == RCPT_APPROVED)
				to = RCPT_RELEASING;
			else
				why = st == RCPT_HELD ? "the recipient is not approved"
						      : "the recipient is already being released";
			break;
		case HEV_RELEASE_DONE:
		case HEV_RELEASE_FAILED:
			if (st == RCPT_RELEASING)
				to = ev == HEV_RELEASE_DONE ? RCPT_RELEASED : RCPT_APPROVED;
			else
				why = "the recipient is not being released";
			break;
		case HEV_COUNT:
			why = "unknown event";
			break;
		}
	}
	if (reason != NULL)
		*reason = why;
	if (why != NULL)
		return -1;
	*next = to;
	return 0;
}

/* strdup bounded to HOLDSTATE_NAME_MAX - 1 bytes. */
static char *name_dup(const char *s)
{
	if (s == NULL)
		s = "";
	size_t n = strnlen(s, HOLDSTATE_NAME_MAX - 1);
	char *d = malloc(n + 1);
	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

struct holdstate *holdstate_new(enum hold_state st, const char *sender, unsigned required)
{
	if ((unsigned)st >= HOLD_STATE_COUNT || required < HOLDSTATE_MIN_REQUIRED ||
	    required > HOLDSTATE_MAX_REQUIRED)
		return NULL;
	struct holdstate *h = calloc(1, sizeof *h);
	if (h == NULL || (h->sender = name_dup(sender)) == NULL) {
		free(h);
		return NULL;
	}
	h->state = st;
	h->required = required;
	return h;
}

int holdstate_set_sender_id(struct holdstate *h, const char *canonical, const char *auth)
{
	if (h == NULL)
		return -1;
	free(h->sender_canonical);
	free(h->sender_auth);
	h->sender_canonical = name_dup(canonical);
	h->sender_auth = name_dup(auth);
	return h->sender_canonical != NULL && h->sender_auth != NULL ? 0 : -1;
}

void holdstate_free(struct holdstate *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->nrcpts; i++) {
		free(h->rcpts[i].addr);
		for (unsigned k = 0; k < h->rcpts[i].napprovers; k++)
			free(h->rcpts[i].approvers[k]);
	}
	free(h->rcpts);
	free(h->sender);
	free(h->sender_canonical);
	free(h->sender_auth);
	free(h);
}

int holdstate_add_rcpt(struct holdstate *h, const char *rcpt, enum hold_rcpt_state st)
{
	if (h == NULL || rcpt == NULL || (unsigned)st >= RCPT_STATE_COUNT ||
	    h->nrcpts >= HOLDSTATE_MAX_RCPTS)
		return -1;
	struct hs_rcpt *n = realloc(h->rcpts, (h->nrcpts + 1) * sizeof *n);
	if (n == NULL)
		return -1;
	h->rcpts = n;
	struct hs_rcpt *r = &h->rcpts[h->nrcpts];
	memset(r, 0, sizeof *r);
	if ((r->addr = name_dup(rcpt)) == NULL)
		return -1;
	r->state = st;
	return (int)h->nrcpts++;
}

/* Has jurist approved r already? */
static bool approved_by(const struct hs_rcpt *r, const char *jurist)
{
	for (unsigned k = 0; k < r->napprovers; k++)
		if (strcmp(r->approvers[k], jurist) == 0)
			return true;
	return false;
}

int holdstate_add_approval(struct holdstate *h, size_t i, const char *jurist)
{
	if (h == NULL || i >= h->nrcpts || jurist == NULL || *jurist == '\0')
		return -1;
	struct hs_rcpt *r = &h->rcpts[i];
	if (approved_by(r, jurist))
		return 0;
	if (r->napprovers >= HOLDSTATE_MAX_APPROVERS || (r->approvers[r->napprovers] =
							 name_dup(jurist)) == NULL)
		return -1;
	r->napprovers++;
	return 0;
}

/* Compare two mail addresses, ignoring <> and the case of letters. */
static bool same_address(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la >= 2 && a[0] == '<' && a[la - 1] == '>') {
		a++;
		la -= 2;
	}
	if (lb >= 2 && b[0] == '<' && b[lb - 1] == '>') {
		b++;
		lb -= 2;
	}
	return la > 0 && la == lb && strncasecmp(a, b, la) == 0;
}

/* Index of recipient addr, or -1. */
static int rcpt_find(const struct holdstate *h, const char *addr)
{
	for (size_t i = 0; i < h->nrcpts; i++)
		if (same_address(h->rcpts[i].addr, addr))
			return (int)i;
	return -1;
}

/* The hold state that follows from the recipients after event ev. */
static enum hold_state derive(const struct holdstate *h, enum hold_event ev)
{
	bool open = false, releasing = false, approvals = false;
	for (size_t i = 0; i < h->nrcpts; i++) {
		const struct hs_rcpt *r = &h->rcpts[i];
		releasing |= r->state == RCPT_RELEASING;
		open |= r->state == RCPT_HELD || r->state == RCPT_APPROVED;
		approvals |= r->napprovers > 0 || r->state == RCPT_APPROVED ||
			     r->state == RCPT_RELEASED;
	}
	if (releasing)
		return HOLD_RELEASING;
	if (!open)
		return ev == HEV_DENY ? HOLD_DENIED : ev == HEV_EXPIRE ? HOLD_EXPIRED : HOLD_RELEASED;
	return approvals ? HOLD_PARTLY_APPROVED : HOLD_PENDING;
}

/* Mark in sel[] the recipients ev names (for event type t).  Every named
 * recipient must be one of the hold's and able to take the event (with
 * only_held: still held, never approved or decided), else nothing is
 * selected: a decision does exactly what was asked, or nothing. */
static int named_select(const struct holdstate *h, const struct hold_event_in *ev, bool *sel,
			char *reason, size_t reasonlen)
{
	for (size_t k = 0; k < ev->nrcpts; k++) {
		int i = ev->rcpts[k] != NULL ? rcpt_find(h, ev->rcpts[k]) : -1;
		if (i < 0) {
			snprintf(reason, reasonlen, "%.100s is not a held recipient of this message",
				 ev->rcpts[k] ? ev->rcpts[k] : "(none)");
			return -1;
		}
		const char *why = NULL;
		enum hold_rcpt_state to;
		if (holdstate_rcpt_next(h->rcpts[i].state, ev->type, false, &to, &why) != 0) {
			snprintf(reason, reasonlen, "%.100s: %s", h->rcpts[i].addr, why);
			return -1;
		}
		if (ev->only_held && h->rcpts[i].state != RCPT_HELD) {
			snprintf(reason, reasonlen, "%.100s: the recipient is already %s", h->rcpts[i].addr,
				 holdstate_rcpt_name(h->rcpts[i].state));
			return -1;
		}
		sel[i] = true;
	}
	return 0;
}

/* Which recipients an approval concerns (marks sel[]); -1 + reason. */
static int approve_select(const struct holdstate *h, const struct hold_event_in *ev, bool *sel,
			  char *reason, size_t reasonlen)
{
	if (ev->jurist == NULL || *ev->jurist == '\0') {
		snprintf(reason, reasonlen, "an approval needs a jurist");
		return -1;
	}
	for (size_t m = 0; m < ev->njurist_mail; m++) {
		const char *id = ev->jurist_mail[m];
		if (id != NULL && (same_address(id, h->sender) ||
				   senderid_match(id, h->sender, h->sender_canonical,
						  h->sender_auth, ev->delimiters))) {
			snprintf(reason, reasonlen, "a jurist cannot approve a message they sent");
			return -1;
		}
	}
	if (ev->nrcpts == 0) {
		for (size_t i = 0; i < h->nrcpts; i++)
			sel[i] = h->rcpts[i].state == RCPT_HELD;
		return 0;
	}
	return named_select(h, ev, sel, reason, reasonlen);
}

/* Apply an approval to the selected recipients (all checks done). */
static int approve_apply(struct holdstate *h, const struct hold_event_in *ev, const bool *sel,
			 char *reason, size_t reasonlen)
{
	size_t counted = 0, selected = 0;
	for (size_t i = 0; i < h->nrcpts; i++) {
		if (!sel[i])
			continue;
		selected++;
		counted += !approved_by(&h->rcpts[i], ev->jurist);
		if (h->rcpts[i].napprovers >= HOLDSTATE_MAX_APPROVERS &&
		    !approved_by(&h->rcpts[i], ev->jurist)) {
			snprintf(reason, reasonlen, "too many approvals");
			return -1;
		}
	}
	if (selected == 0) {
		snprintf(reason, reasonlen, "no recipient of this message is waiting for approval");
		return -1;
	}
	if (counted == 0) {
		/* four eyes: a second approval by the same person is no approval */
		snprintf(reason, reasonlen, "you have already approved %s",
			 selected == 1 ? "this recipient" : "these recipients");
		return -1;
	}
	for (size_t i = 0; i < h->nrcpts; i++) {
		struct hs_rcpt *r = &h->rcpts[i];
		if (!sel[i] || approved_by(r, ev->jurist))
			continue;
		if (holdstate_add_approval(h, i, ev->jurist) != 0) {
			snprintf(reason, reasonlen, "out of memory");
			return -1;
		}
		r->changed = r->approved_now = true;
		if (r->napprovers >= h->required)
			r->state = RCPT_APPROVED;
	}
	return 0;
}

int holdstate_apply(struct holdstate *h, const struct hold_event_in *ev, char *reason,
		    size_t reasonlen)
{
	char dummy[8];
	if (reason == NULL || reasonlen == 0) {
		reason = dummy;
		reasonlen = sizeof dummy;
	}
	reason[0] = '\0';
	if (h == NULL || ev == NULL || (unsigned)ev->type >= HEV_COUNT) {
		snprintf(reason, reasonlen, "unknown event");
		return -1;
	}
	const char *why = hold_table[h->state][ev->type];
	if (why != NULL) {
		snprintf(reason, reasonlen, "%s", why);
		return -1;
	}
	bool *sel = calloc(h->nrcpts + 1, sizeof *sel);
	if (sel == NULL) {
		snprintf(reason, reasonlen, "out of memory");
		return -1;
	}
	int rc = 0;
	if (ev->type == HEV_APPROVE) {
		rc = approve_select(h, ev, sel, reason, reasonlen);
	} else if (ev->type == HEV_DENY && ev->nrcpts > 0) {
		/* a denial of named recipients: those, never the others */
		rc = named_select(h, ev, sel, reason, reasonlen);
	} else {
		/* every recipient the event can move; the others stay */
		size_t moved = 0;
		for (size_t i = 0; i < h->nrcpts; i++) {
			enum hold_rcpt_state to;
			sel[i] = holdstate_rcpt_next(h->rcpts[i].state, ev->type, false, &to, NULL) == 0;
			moved += sel[i];
		}
		if (moved == 0) {
			snprintf(reason, reasonlen, "%s", ev->type == HEV_RELEASE_STARTED
						   ? "no recipient has all its approvals"
						   : "no recipient can take this event");
			rc = -1;
		}
	}
	if (rc == 0) {
		for (size_t i = 0; i < h->nrcpts; i++)
			h->rcpts[i].changed = h->rcpts[i].approved_now = false;
		if (ev->type == HEV_APPROVE) {
			rc = approve_apply(h, ev, sel, reason, reasonlen);
		} else {
			for (size_t i = 0; i < h->nrcpts; i++) {
				if (sel[i]) {
					holdstate_rcpt_next(h->rcpts[i].state, ev->type, false,
							    &h->rcpts[i].state, NULL);
					h->rcpts[i].changed = true;
				}
			}
		}
	}
	free(sel);
	if (rc == 0)
		h->state = derive(h, ev->type);
	return rc;
}

enum hold_state holdstate_state(const struct holdstate *h)
{
	return h->state;
}

size_t holdstate_rcpt_count(const struct holdstate *h)
{
	return h->nrcpts;
}

const char *holdstate_rcpt(const struct holdstate *h, size_t i)
{
	return i < h->nrcpts ? h->rcpts[i].addr : NULL;
}

enum hold_rcpt_state holdstate_rcpt_state(const struct holdstate *h, size_t i)
{
	return i < h->nrcpts ? h->rcpts[i].state : RCPT_STATE_COUNT;
}

unsigned holdstate_rcpt_approvals(const struct holdstate *h, size_t i)
{
	return i < h->nrcpts ? h->rcpts[i].napprovers : 0;
}

bool holdstate_rcpt_changed(const struct holdstate *h, size_t i)
{
	return i < h->nrcpts && h->rcpts[i].changed;
}

bool holdstate_rcpt_approved_now(const struct holdstate *h, size_t i)
{
	return i < h->nrcpts && h->rcpts[i].approved_now;
}
