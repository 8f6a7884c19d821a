/*
 * ratelim.c - per-key windows of recorded and counted events, handed
 * back as summaries (see ratelim.h).  A fixed table of slots searched
 * linearly: it is small (the control socket uses 64) and touched once
 * per refusal.
 *
 * Public functions: ratelim_new(), ratelim_free(), ratelim_hit(),
 * ratelim_expired(), ratelim_drain(), ratelim_putback().
 * Limits: see ratelim.h.  Not thread-safe: the caller serialises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/daemon/ratelim.h"

/* One key's window and its pending (counted, not yet handed back) count. */
struct slot {
	bool used;
	bool open;			/* false: only a put-back count, no window */
	long key;
	char user[RATELIM_USER_MAX];
	char role[RATELIM_ROLE_MAX];
	uint64_t born;			/* creation order: eviction victim */
	time_t start;			/* the window's start */
	unsigned recorded;		/* events recorded in this window */
	uint64_t pending;
	time_t from, to;		/* first and last pending event */
};

struct ratelim {
	unsigned limit, window;
	uint64_t clock;			/* creation counter for born */
	size_t n;
	struct slot slots[];
};

struct ratelim *ratelim_new(unsigned limit, unsigned window, size_t slots)
{
	if (window == 0 || slots == 0 || slots > 1u << 20)
		return NULL;
	struct ratelim *rl = calloc(1, sizeof *rl + slots * sizeof rl->slots[0]);
	if (rl == NULL)
		return NULL;
	rl->limit = limit;
	rl->window = window;
	rl->n = slots;
	return rl;
}

void ratelim_free(struct ratelim *rl)
{
	free(rl);
}

/* Has s's window ended at now?  A clock seen going backwards ends it,
 * so that a step back neither loses counts nor silences a key longer. */
static bool ended(const struct ratelim *rl, const struct slot *s, time_t now)
{
	if (!s->open || now < s->start)
		return true;
	/* now >= start: the unsigned difference cannot overflow */
	return (uint64_t)now - (uint64_t)s->start >= rl->window;
}

/* Can s be given to another key (nothing in it would be lost)? */
static bool idle(const struct ratelim *rl, const struct slot *s, time_t now)
{
	return !s->used || (s->pending == 0 && ended(rl, s, now));
}

/* Hand s's pending count back in out and clear it. */
static void take(struct slot *s, struct ratelim_summary *out)
{
	out->key = s->key;
	memcpy(out->user, s->user, sizeof out->user);
	memcpy(out->role, s->role, sizeof out->role);
	out->suppressed = s->pending;
	out->from = s->from;
	out->to = s->to;
	s->pending = 0;
}

/* Add n events between from and to to s's pending count (saturating). */
static void add_pending(struct slot *s, uint64_t n, time_t from, time_t to)
{
	if (s->pending == 0) {
		s->from = from;
		s->to = to;
	} else {
		s->from = from < s->from ? from : s->from;
		s->to = to > s->to ? to : s->to;
	}
	s->pending = n > UINT64_MAX - s->pending ? UINT64_MAX : s->pending + n;
}

/* Set who s is about (cut to the fields). */
static void name_slot(struct slot *s, const char *user, const char *role)
{
	snprintf(s->user, sizeof s->user, "%s", user != NULL ? user : "");
	snprintf(s->role, sizeof s->role, "%s", role != NULL ? role : "");
}

/* The slot of key, NULL when it has none. */
static struct slot *find(struct ratelim *rl, long key)
{
	for (size_t i = 0; i < rl->n; i++)
		if (rl->slots[i].used && rl->slots[i].key == key)
			return &rl->slots[i];
	return NULL;
}

/* An idle slot, NULL when every slot holds something of value. */
static struct slot *find_idle(struct ratelim *rl, time_t now)
{
	for (size_t i = 0; i < rl->n; i++)
		if (idle(rl, &rl->slots[i], now))
			return &rl->slots[i];
	return NULL;
}

/* A slot for a new key: an idle one, else the oldest, whose pending
 * count goes to out (so eviction loses nothing). */
static struct slot *claim(struct ratelim *rl, time_t now, struct ratelim_summary *out)
{
	struct slot *s = find_idle(rl, now);
	if (s == NULL) {
		s = &rl->slots[0];
		for (size_t i = 1; i < rl->n; i++)
			if (rl->slots[i].born < s->born)
				s = &rl->slots[i];
		take(s, out);
	}
	memset(s, 0, sizeof *s);
	s->used = true;
	s->born = ++rl->clock;
	return s;
}

/* Start a new window of s at now. */
static void open_window(struct slot *s, time_t now)
{
	s->open = true;
	s->start = now;
	s->recorded = 0;
}

enum ratelim_verdict ratelim_hit(struct ratelim *rl, long key, const char *user,
				 const char *role, time_t now, struct ratelim_summary *out)
{
	memset(out, 0, sizeof *out);
	if (rl == NULL)
		return RATELIM_RECORD;
	struct slot *s = find(rl, key);
	if (s != NULL && ended(rl, s, now)) {
		take(s, out);
		open_window(s, now);
	} else if (s == NULL) {
		s = claim(rl, now, out);
		s->key = key;
		open_window(s, now);
	}
	name_slot(s, user, role);
	if (s->recorded < rl->limit) {
		s->recorded++;
		return RATELIM_RECORD;
	}
	add_pending(s, 1, now, now);
	return RATELIM_COUNT;
}

bool ratelim_expired(struct ratelim *rl, time_t now, struct ratelim_summary *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; rl != NULL && i < rl->n; i++) {
		struct slot *s = &rl->slots[i];
		if (!s->used || !ended(rl, s, now))
			continue;
		s->used = false;	/* the window is over either way */
		if (s->pending > 0) {
			take(s, out);
			return true;
		}
	}
	return false;
}

bool ratelim_drain(struct ratelim *rl, struct ratelim_summary *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; rl != NULL && i < rl->n; i++) {
		if (rl->slots[i].used && rl->slots[i].pending > 0) {
			take(&rl->slots[i], out);
			return true;
		}
	}
	return false;
}

int ratelim_putback(struct ratelim *rl, const struct ratelim_summary *sum, time_t now)
{
	if (rl == NULL || sum == NULL || sum->suppressed == 0)
		return rl != NULL ? 0 : -1;
	struct slot *s = find(rl, sum->key);
	if (s == NULL) {
		s = find_idle(rl, now);
		if (s == NULL)
			return -1;
		/* no window: the count waits for the next hand-back */
		memset(s, 0, sizeof *s);
		s->used = true;
		s->key = sum->key;
		s->born = ++rl->clock;
		name_slot(s, sum->user, sum->role);
	}
	add_pending(s, sum->suppressed, sum->from, sum->to);
	return 0;
}
