/*
 * idscan_lback.c - the look back over the lines before the one being
 * judged: the current chunk, then the line carried over from the last
 * chunk, then the history kept from earlier chunks, so that a column
 * header or a list's first rows count whatever the chunk boundaries.
 *
 * Why a file of its own: both the stream driver (idscan_stream.c) and the
 * line judge (idscan.c) look back, and neither may call the other back.
 *
 * Functions (idscan_priv.h): idscan_lback_init(), idscan_lback_prev().
 */
#include <stdbool.h>
#include <stddef.h>

#include "idscan_priv.h"

static void lback_seg(struct lback *b, int seg)
{
	const struct idscan *s = b->s;
	if (seg == SEG_CARRIED && s->carried != CARRIED_LINE)
		/* none: the history comes next; an overlong line: no look
		 * reaches past it */
		seg = s->carried == CARRIED_NONE ? SEG_HIST : SEG_DONE;
	b->seg = seg;
	if (seg == SEG_CARRIED) {
		b->lo = s->line;
		b->pos = s->line + s->carried_len + 1;	/* its '\n' is implied */
	} else if (seg == SEG_HIST) {
		b->lo = s->hist;
		b->pos = s->hist + s->hlen;
	}
}

/* Start before the line at ls, which lies in segment seg. */
void idscan_lback_init(struct lback *b, const struct idscan *s, int seg, const char *ls)
{
	b->s = s;
	b->seg = seg;
	b->lo = seg == SEG_CHUNK ? s->chunk_lo : seg == SEG_HIST ? s->hist : s->line;
	b->pos = ls;
	if (seg == SEG_CARRIED)
		lback_seg(b, SEG_HIST);
}

/* The previous line (without its '\n') and the stream offset of its
 * start; false when there is none left. */
bool idscan_lback_prev(struct lback *b, const char **line, size_t *n, unsigned long long *start)
{
	while (b->seg != SEG_DONE && b->pos <= b->lo)
		lback_seg(b, b->seg + 1);
	if (b->seg == SEG_DONE)
		return false;
	const char *end = b->pos - 1, *st = end;
	while (st > b->lo && st[-1] != '\n')
		st--;
	*line = st;
	*n = (size_t)(end - st);
	if (start != NULL) {
		const struct idscan *s = b->s;
		if (b->seg == SEG_CHUNK)
			*start = s->chunk_base + (unsigned long long)(st - s->chunk_buf);
		else if (b->seg == SEG_CARRIED)
			*start = s->carried_nl - s->carried_len;
		else
			*start = s->hist_end - (unsigned long long)(s->hist + s->hlen - 1 - st);
	}
	b->pos = st;
	return true;
}
