/*
 * ratelim.h - bounded accounting of repeated events per key, the way
 * syslog writes "message repeated N times": per key (the control socket
 * uses the caller's uid) at most `limit` events per window of `window`
 * seconds are to be recorded one by one; further events in that window
 * are only counted, and when the window ends the count is handed back
 * as ONE summary for the caller to record.  Nothing is lost: a count
 * leaves the table only as a summary handed to the caller (window end,
 * eviction, drain), and a summary the caller could not record can be
 * put back.  Pure: no I/O, no clock (the caller passes now), no locks
 * (the caller serialises; see ctlsock.c).
 *
 * A window is [start, start + window): it ends at start + window, and
 * also when the clock is seen going backwards (now < start), so a clock
 * step never loses counts nor keeps a key silenced.
 *
 * Public functions:
 *   ratelim_new(), ratelim_free()
 *   ratelim_hit()      one event: record it, or only count it
 *   ratelim_expired()  the next summary of an ended window
 *   ratelim_drain()    the next pending summary, windows ended or not
 *   ratelim_putback()  a summary that could not be recorded, kept again
 * Limits: a fixed number of slots (keys with an open window or a
 * pending count); a new key in a full table evicts the oldest slot (the
 * first created: a creation counter, not the clock), and its pending
 * count is handed back as a summary.  Counts saturate at
 * UINT64_MAX.  User and role are cut to RATELIM_USER_MAX - 1 and
 * RATELIM_ROLE_MAX - 1 bytes.
 */
#ifndef GRONDSLAG_RATELIM_H
#define GRONDSLAG_RATELIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RATELIM_USER_MAX 64
#define RATELIM_ROLE_MAX 16

enum ratelim_verdict { RATELIM_RECORD, RATELIM_COUNT };

/* Events of one key that were counted, not recorded one by one. */
struct ratelim_summary {
	long key;
	char user[RATELIM_USER_MAX];	/* as given at the last event */
	char role[RATELIM_ROLE_MAX];
	uint64_t suppressed;		/* 0: no summary */
	time_t from, to;		/* first and last counted event */
};

struct ratelim;
/* A table of slots keys, limit events per window seconds (window >= 1,
 * slots >= 1).  NULL when out of memory or the arguments are invalid. */
struct ratelim *ratelim_new(unsigned limit, unsigned window, size_t slots);
void ratelim_free(struct ratelim *rl);

/* One event of key (by user in role) at now: RATELIM_RECORD when it is
 * to be recorded, RATELIM_COUNT when it was only counted.  *out gets a
 * summary to record BEFORE this event (out->suppressed > 0): key's own
 * ended window, or the slot evicted to make room. */
enum ratelim_verdict ratelim_hit(struct ratelim *rl, long key, const char *user,
				 const char *role, time_t now, struct ratelim_summary *out);
/* The summary of one window ended at now, true; false when none is left.
 * Ended windows leave the table. */
bool ratelim_expired(struct ratelim *rl, time_t now, struct ratelim_summary *out);
/* Any pending summary (for shutdown), true; false when none is left.
 * Open windows stay open: the limit still applies afterwards. */
bool ratelim_drain(struct ratelim *rl, struct ratelim_summary *out);
/* Keep s again (its recording failed), merged into the key's pending
 * count; it comes back from ratelim_expired(), an eviction or
 * ratelim_drain().  0, or -1 when every slot holds an open window of
 * another key (the caller must log s). */
int ratelim_putback(struct ratelim *rl, const struct ratelim_summary *s, time_t now);

#endif
