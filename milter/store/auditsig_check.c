/*
 * auditsig_check.c - compare signed checkpoints with the chain (see
 * auditsig.h): collect the checkpoints found in the chain and in the
 * file, merge those found in both, take the signature verdict of each
 * from the caller (GPGME is not here), then walk the chain once in seq
 * order and check that every checkpointed record exists with exactly
 * the signed hash.
 *
 * What each outcome means for the person verifying: a checkpoint whose
 * record is gone means the newest records (at least up to its seq) were
 * deleted; a hash that differs means the chain was rewritten at or before
 * that record; a bad signature means the checkpoint itself was forged or
 * altered.  Entries keep their file line, not the parsed struct, so a
 * large file costs a few hundred bytes per checkpoint.
 * Limits: AUDITSIG_CHECK_MAX entries.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/store/auditsig.h"

struct check_item {
	struct auditsig_entry e;
	char *line;		/* auditsig_line() of the checkpoint; NULL: malformed */
};

struct auditsig_check {
	struct check_item *items;
	size_t n, cap;
	bool sorted;
	size_t next;		/* first item not yet passed by the rows */
	int64_t last_seq;	/* last row seen */
	int64_t anchored, after;
};

struct auditsig_check *auditsig_check_new(void)
{
	return calloc(1, sizeof(struct auditsig_check));
}

void auditsig_check_free(struct auditsig_check *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->items[i].line);
	free(c->items);
	free(c);
}

int auditsig_check_add(struct auditsig_check *c, const struct auditsig_checkpoint *cp,
		       unsigned source, int64_t where, const char *why)
{
	if (c == NULL || c->n >= AUDITSIG_CHECK_MAX)
		return -1;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct check_item *ni = realloc(c->items, cap * sizeof *ni);
		if (ni == NULL)
			return -1;
		c->items = ni;
		c->cap = cap;
	}
	struct check_item *it = &c->items[c->n];
	memset(it, 0, sizeof *it);
	it->e.sources = source;
	it->e.sig = REGSIG_SKIPPED;
	if (source == AUDITSIG_IN_CHAIN)
		it->e.chain_seq = where;
	else
		it->e.file_line = where;
	it->line = cp != NULL ? auditsig_line(cp) : NULL;
	if (it->line == NULL) {
		it->e.outcome = AUDITSIG_MALFORMED;
		snprintf(it->e.why, sizeof it->e.why, "malformed checkpoint: %.180s",
			 why ? why : "not well formed");
	} else {
		it->e.seq = cp->seq;
		memcpy(it->e.hash, cp->hash, sizeof it->e.hash);
		it->e.outcome = AUDITSIG_UNCHECKED;
	}
	c->n++;
	c->sorted = false;
	return 0;
}

/* qsort order: malformed first, then by seq, then by the line. */
static int item_cmp(const void *a, const void *b)
{
	const struct check_item *x = a, *y = b;
	if (x->e.seq != y->e.seq)
		return x->e.seq < y->e.seq ? -1 : 1;
	if (x->line == NULL || y->line == NULL)
		return (x->line != NULL) - (y->line != NULL);
	return strcmp(x->line, y->line);
}

/* Sort and merge the copies of one checkpoint found in chain and file. */
static void sort_merge(struct auditsig_check *c)
{
	if (c->sorted)
		return;
	if (c->n > 0)	/* items is NULL until the first add */
		qsort(c->items, c->n, sizeof *c->items, item_cmp);
	size_t out = 0;
	for (size_t i = 0; i < c->n; i++) {
		struct check_item *prev = out > 0 ? &c->items[out - 1] : NULL;
		struct check_item *it = &c->items[i];
		if (prev != NULL && prev->line != NULL && it->line != NULL &&
		    strcmp(prev->line, it->line) == 0) {
			/* the same bytes twice: one signature to check */
			prev->e.sources |= it->e.sources;
			if (prev->e.chain_seq == 0)
				prev->e.chain_seq = it->e.chain_seq;
			if (prev->e.file_line == 0)
				prev->e.file_line = it->e.file_line;
			free(it->line);
			continue;
		}
		c->items[out++] = *it;
	}
	c->n = out;
	c->sorted = true;
}

size_t auditsig_check_count(struct auditsig_check *c)
{
	sort_merge(c);
	return c->n;
}

const struct auditsig_entry *auditsig_check_entry(const struct auditsig_check *c, size_t i,
						  struct auditsig_checkpoint *cp)
{
	if (c == NULL || i >= c->n)
		return NULL;
	const struct check_item *it = &c->items[i];
	if (cp != NULL && it->line != NULL) {
		char why[80];
		/* our own output: it parses */
		(void)auditsig_parse_line(it->line, strlen(it->line), cp, why, sizeof why);
	}
	return &it->e;
}

void auditsig_check_set_sig(struct auditsig_check *c, size_t i, enum regsig_status st,
			    const char *err)
{
	if (c == NULL || i >= c->n || c->items[i].line == NULL)
		return;
	struct auditsig_entry *e = &c->items[i].e;
	e->sig = st;
	/* an expired key: signing refuses one, so the signature predates it */
	if (st == REGSIG_OK || st == REGSIG_EXPIRED)
		return;
	e->outcome = AUDITSIG_SIGNATURE;
	snprintf(e->why, sizeof e->why, "checkpoint seq %" PRId64 ": signature %s%s%.160s",
		 e->seq, st == REGSIG_SKIPPED ? "not checked (no key)" : regsig_status_name(st),
		 err && *err ? ": " : "", err ? err : "");
}

/* Is entry e's signature known good? */
static bool sig_good(const struct auditsig_entry *e)
{
	return e->sig == REGSIG_OK || e->sig == REGSIG_EXPIRED;
}

/* Mark e as naming a record the chain does not have: a gap before
 * record at, or (gap false) past the end, the chain ending at record at. */
static void not_in_chain(struct auditsig_entry *e, bool gap, int64_t at)
{
	e->outcome = AUDITSIG_NOT_IN_CHAIN;
	snprintf(e->why, sizeof e->why,
		 "checkpoint seq %" PRId64 " not in the chain (records deleted?): %s %" PRId64,
		 e->seq, gap ? "a gap before record" : "the chain ends at record", at);
}

void auditsig_check_row(struct auditsig_check *c, const struct audit_record *r)
{
	if (c == NULL)
		return;
	sort_merge(c);
	if (strcmp(r->event, AUDITSIG_EVENT) != 0)
		c->after++;
	while (c->next < c->n && c->items[c->next].e.seq <= r->seq) {
		struct auditsig_entry *e = &c->items[c->next++].e;
		if (e->outcome != AUDITSIG_UNCHECKED)
			continue;	/* malformed, or its signature failed */
		if (e->seq < r->seq) {
			not_in_chain(e, true, r->seq);
		} else if (strcmp(e->hash, r->hash) != 0) {
			e->outcome = AUDITSIG_MISMATCH;
			snprintf(e->why, sizeof e->why,
				 "checkpoint seq %" PRId64 ": hash mismatch, record %" PRId64
				 " is not the one signed (the chain was rewritten at or before it)",
				 e->seq, e->seq);
		} else if (sig_good(e)) {
			e->outcome = AUDITSIG_GOOD;
			c->anchored = e->seq;
			c->after = 0;
		} else {
			e->outcome = AUDITSIG_SIGNATURE;
			snprintf(e->why, sizeof e->why,
				 "checkpoint seq %" PRId64 ": signature not checked", e->seq);
		}
	}
	c->last_seq = r->seq;
}

size_t auditsig_check_finish(struct auditsig_check *c, int64_t *anchored, int64_t *after)
{
	size_t bad = 0;
	sort_merge(c);
	for (; c->next < c->n; c->next++) {
		struct auditsig_entry *e = &c->items[c->next].e;
		if (e->outcome == AUDITSIG_UNCHECKED)
			not_in_chain(e, false, c->last_seq);
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->items[i].e.outcome != AUDITSIG_GOOD)
			bad++;
	if (anchored != NULL)
		*anchored = c->anchored;
	if (after != NULL)
		*after = c->after;
	return bad;
}
