/*
 * walk_limits.c - the bookkeeping of one walk (see walk_priv.h): the
 * message-wide budgets (MaxScanTime, MaxParts, MaxExpandedSize) that end
 * the whole walk, part records and their paths, and the text streams
 * through which every part's text reaches the handler (each chunk checked
 * for inline PGP and against the clock).
 *
 * Limits: part paths are cut at PATH_CAP; a stream is one converter
 * (textx.h, constant memory).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/scan/mediatype.h"
#include "walk_priv.h"

uint64_t walk_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- limits and bookkeeping -------------------------------------------- */

/* Stop the whole walk with a message-level reason (and the part's). */
void walk_halt(struct walk *w, enum unscan_reason r, int part)
{
	if (part >= 0)
		findings_part_unscannable(w->f, (unsigned)part, r);
	findings_message_unscannable(w->f, r);
	w->halted = true;
	if (r == UNSCAN_INTERNAL)
		w->internal = true;
}

uint64_t walk_remaining_ms(const struct walk *w)
{
	uint64_t used = walk_now_ms() - w->start_ms, max = (uint64_t)w->lim->max_seconds * 1000u;
	return used >= max ? 0 : max - used;
}

/* Check the wall clock; part is the part being read, or -1. */
bool walk_time_ok(struct walk *w, int part)
{
	if (w->halted)
		return false;
	if (walk_remaining_ms(w) == 0) {
		walk_halt(w, UNSCAN_LIMIT_TIME, part);
		return false;
	}
	return true;
}

/* Count decoded bytes against MaxExpandedSize. */
bool walk_account(struct walk *w, unsigned part, uint64_t n)
{
	w->expanded += n;
	if (w->expanded > w->lim->max_expanded_bytes) {
		walk_halt(w, UNSCAN_LIMIT_SIZE, (int)part);
		return false;
	}
	return true;
}

/* Add a part, within MaxParts and time; -1 when the walk must stop. */
int walk_add_part(struct walk *w, const char *path, const char *type, const char *filename,
		  unsigned depth)
{
	if (!walk_time_ok(w, -1))
		return -1;
	if (w->nparts >= w->lim->max_parts) {
		walk_halt(w, UNSCAN_LIMIT_PARTS, -1);
		return -1;
	}
	int idx = findings_part_add(w->f, path, type, filename, depth);
	if (idx < 0) {
		walk_halt(w, UNSCAN_INTERNAL, -1);
		return -1;
	}
	w->nparts++;
	return idx;
}

/* prefix + sep + name, or name alone when prefix is empty; cut to fit. */
void walk_join_path(char *out, const char *prefix, const char *sep, const char *name)
{
	if (prefix == NULL || *prefix == '\0')
		snprintf(out, PATH_CAP, "%s", name);
	else
		snprintf(out, PATH_CAP, "%s%s%s", prefix, sep, name);
}

/* ---- text streams --------------------------------------------------------- */

/* textx output: watch for inline PGP, hand on, check the clock. */
static int stream_emit(void *arg, const char *buf, size_t len)
{
	struct walk *w = arg;
	if (w->halted)
		return -1;
	if (!w->pgp.found && pgp_inline_update(&w->pgp, buf, len)) {
		findings_part_unscannable(w->f, w->part, UNSCAN_PGP_INLINE);
		/* Keep the decoded text from the armour line on (its start
		 * may be in the saved tail): HTML, quoted-printable and
		 * charsets are undone, the readers are read at the close. */
		w->armor = g_byte_array_new();
		g_byte_array_append(w->armor, (const guint8 *)w->pgp.tail, (guint)w->pgp.tail_len);
	}
	if (w->armor != NULL && w->armor->len < 2 * READERS_ARMOR_MAX) {
		size_t room = 2 * READERS_ARMOR_MAX - w->armor->len;
		g_byte_array_append(w->armor, (const guint8 *)buf, (guint)(len < room ? len : room));
	}
	if (w->h->text != NULL) {
		int rc = w->h->text(w->arg, w->part, buf, len);
		if (rc != 0) {
			w->stop = rc;
			w->halted = true;
			return rc;
		}
	}
	return walk_time_ok(w, (int)w->part) ? 0 : -1;
}

/* Open a text stream for part: converter + handler begin. */
struct textx *walk_stream_open(struct walk *w, unsigned part, enum markup_kind m,
			       const char *charset)
{
	struct textx *t = textx_alloc(m, charset, stream_emit, w);
	if (t == NULL) {
		walk_halt(w, UNSCAN_INTERNAL, (int)part);
		return NULL;
	}
	const struct finding_part *fp = findings_part(w->f, part);
	if (fp != NULL && mediatype_folds(fp->type))
		textx_unfold_lines(t);
	w->part = part;
	pgp_inline_init(&w->pgp);
	if (w->h->begin != NULL)
		w->h->begin(w->arg, part);
	return t;
}

/* Inline armour of part the escrow key may open: one message block only
 * (GnuPG opens the first of several, the others would pass unread). */
static void unseal_inline(struct walk *w, unsigned part, GByteArray *armor)
{
	static const char begin[] = "-----BEGIN PGP MESSAGE-----";
	const char *s = (const char *)armor->data;
	const char *first = g_strstr_len(s, (gssize)armor->len, begin);
	if (first == NULL || w->lim->escrow == NULL)
		return;
	size_t rest = armor->len - (size_t)(first - s) - 1;
	if (g_strstr_len(first + 1, (gssize)rest, begin) != NULL)
		return;
	const struct finding_part *fp = findings_part(w->f, part);
	if (fp == NULL)
		return;
	struct item it = {.part = part, .depth = fp->depth, .path = fp->path, .type = fp->type,
			  .data = armor->data, .len = armor->len};
	(void)walk_unseal(w, &it, "text/plain");
}

void walk_stream_close(struct walk *w, struct textx *t)
{
	if (!w->halted)
		(void)textx_finish(t);
	GByteArray *armor = w->armor;
	w->armor = NULL;
	if (armor != NULL)	/* inline armour: its readers */
		walk_readers(w, w->part, armor->data, armor->len, true);
	unsigned part = w->part;
	if (w->h->end != NULL)
		w->h->end(w->arg, part);
	textx_free(t);
	/* after the stream's end: the plaintext is a stream of its own */
	if (armor != NULL) {
		unseal_inline(w, part, armor);
		g_byte_array_free(armor, TRUE);
	}
}

/* A whole buffer as one text stream, fed in CHUNK slices. */
void walk_text(struct walk *w, unsigned part, enum markup_kind m, const char *charset,
	       const void *data, size_t len)
{
	struct textx *t = walk_stream_open(w, part, m, charset);
	if (t == NULL)
		return;
	walk_stream_feed(w, t, data, len);
	walk_stream_close(w, t);
}

void walk_stream_feed(struct walk *w, struct textx *t, const void *data, size_t len)
{
	const char *p = data;
	for (size_t off = 0; off < len && !w->halted; off += CHUNK)
		(void)textx_update(t, p + off, len - off < CHUNK ? len - off : CHUNK);
}
