/*
 * ipscan_priv.h - what the two halves of the IP scanner share: the byte
 * view a token is parsed in (ipscan_token.c) and the anchor loop that finds
 * where to parse (ipscan.c).  Private to the ipscan module.
 *
 * A view is a window on the stream.  Every read goes through view_at(),
 * which is what makes chunked scanning give the same answer as one-shot
 * scanning: a read past the bytes received so far sets need_more (the
 * caller then waits for more data and retries), a read past the per-token
 * length bound returns VIEW_OVER in every mode (so an overlong token is
 * refused the same way whatever the chunking), and only a finished stream
 * answers VIEW_END, which is a delimiter.
 */
#ifndef GRONDSLAG_IPSCAN_PRIV_H
#define GRONDSLAG_IPSCAN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "grondslag/ipscan.h"

/* Sentinels view_at() returns instead of a byte. */
#define VIEW_START (-1)	/* before the first byte of the stream: a delimiter */
#define VIEW_END (-2)	/* after the last byte of a finished stream: a delimiter */
#define VIEW_OVER (-3)	/* past the token bound or not received yet: never a delimiter */

/* How far a token parse may look back from its anchor (the back-up over
 * hex digits and colons, then left context and a "hxxps[://]" scheme). */
#define IPSCAN_BACKUP_MAX 64
#define IPSCAN_KEEP 128
/* How far a token parse may read forward from its anchor: two defanged
 * IPv6 addresses with embedded IPv4, a spaced dash and right context fit. */
#define IPSCAN_LOOKAHEAD 192

struct ipscan_view {
	const uint8_t *p;	/* byte 0 of the window */
	int64_t fast;		/* min(len, limit): reads in [0, fast) are plain bytes */
	int64_t len;		/* bytes in the window */
	int64_t limit;		/* reads at or past limit give VIEW_OVER */
	uint64_t base;		/* stream offset of p[0] */
	bool final;		/* nothing follows p[len - 1] */
	bool need_more;		/* a read went past len before the end */
};

/* A read outside [0, fast): the sentinel it gets (ipscan_token.c). */
int ipscan_view_edge(struct ipscan_view *v, int64_t i);

/* One byte of the view, or a sentinel; one compare on the hot path. */
static inline int view_at(struct ipscan_view *v, int64_t i)
{
	if ((uint64_t)i < (uint64_t)v->fast)
		return v->p[i];
	return ipscan_view_edge(v, i);
}

/* Set the per-token read bound (INT64_MAX: none). */
static inline void view_limit(struct ipscan_view *v, int64_t limit)
{
	v->limit = limit;
	v->fast = limit < v->len ? limit : v->len;
}

/* What one anchor yields: up to two matches and where scanning resumes. */
struct ipscan_outcome {
	int nmatch;
	struct ipscan_match m[2];
	int64_t resume;		/* view index; anchors below it are consumed */
};

/* Character classes (ipscan_token.c). */
enum {
	IPC_DIG = 1,		/* 0-9 */
	IPC_HEX = 2,		/* 0-9 a-f A-F */
	IPC_WORD = 4,		/* 0-9 A-Z a-z _: glues to a token */
	IPC_HEXC = 8,		/* hex digit or ':' */
	IPC_NB = 16,		/* '.' ':' 'd' 'D': may follow a defang bracket */
	IPC_NOT_LEFT = 32,	/* not a plain delimiter before a dotted quad */
	IPC_NOT_RIGHT = 64	/* not a plain delimiter after a dotted quad */
};
extern const uint8_t ipscan_class[256];

/* Parse the token around the anchor at view index i (i is '.', ':', '[',
 * '(' or '{' that passed the anchor test) with scanning resumed at index
 * resume.  Fills out; the caller discards it when v->need_more is set. */
void ipscan_token(struct ipscan_view *v, int64_t i, int64_t resume, struct ipscan_outcome *out);

#endif
