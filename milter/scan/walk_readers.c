/*
 * walk_readers.c - who can read a sealed part: the readers of binary
 * OpenPGP, ASCII armour and CMS, found without a key (readers.h) and
 * added to the part's findings.
 *
 * Why: an encrypted part is unscannable, but its recipients are not
 * secret; the decision maps them to parties (decide/readmap.c).  An
 * unreadable recipient list is reported as one ("unparsed"): a sealed
 * part whose readers nobody can name must never look like one with none.
 *
 * Functions (walk_priv.h): walk_readers(), walk_readers_leaf(),
 * walk_reader_unparsed().
 */
#include <stdbool.h>
#include <string.h>

#include "grondslag/scan/readers.h"
#include "walk_priv.h"

struct reader_sink {
	struct findings *f;
	unsigned part;
};

static bool reader_found(void *arg, const struct reader_id *r)
{
	struct reader_sink *s = arg;
	findings_reader_add(s->f, s->part, r);
	return true;
}

void walk_reader_unparsed(struct walk *w, unsigned part)
{
	struct reader_id r;
	memset(&r, 0, sizeof r);
	r.kind = READER_UNPARSED;
	findings_reader_add(w->f, part, &r);
}

enum readers_status walk_readers(struct walk *w, unsigned part, const void *data, size_t len,
				 bool armor_only)
{
	struct reader_sink s = {.f = w->f, .part = part};
	enum readers_status st = armor_only ? readers_armor(data, len, reader_found, &s)
					    : readers_scan(data, len, reader_found, &s);
	if (st == READERS_MALFORMED || st == READERS_NONE)
		walk_reader_unparsed(w, part);
	return st;
}

enum readers_status walk_readers_leaf(struct walk *w, unsigned part, const void *data,
				      size_t len)
{
	struct reader_sink s = {.f = w->f, .part = part};
	return readers_scan(data, len, reader_found, &s);
}

