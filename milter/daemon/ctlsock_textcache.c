/*
 * ctlsock_textcache.c - the text of a held message as the scanner
 * extracted it, kept between the pages a jurist reads of it.  A page of a
 * large attachment ("content" with an offset) would otherwise read the
 * whole stored message, hash it and walk it again for 64 KiB of text: a
 * 10 MB attachment is 160 pages, each costing the whole walk.
 *
 * An entry is what one content request walked from a message that
 * store_hold_message_checked() had just found unchanged: the parts, the
 * text of every part, the header section.  It is used only while the
 * store's stamp of that message (store_hold_message_stamp(): on SQLite any
 * commit of another connection or process, on PostgreSQL a new row
 * version) and the walk's limits are the same, and for at most
 * CTLSOCK_TEXT_TTL seconds; so a stored message changed behind the
 * daemon's back is read, checked and refused again as before.  Text
 * opened with the escrow key is never kept (each look at it is opened
 * and recorded anew), nor a message whose text is over
 * CTLSOCK_TEXT_KEEP_MAX.  Every page is still one recorded view.
 *
 * All the text being collected and kept, of every request at once, is
 * within one budget (CTLSOCK_TEXT_BUDGET bytes, counted by what is
 * allocated for it): a walk that would go past it stops collecting and
 * keeps only its page, as does a walk whose text may not be kept (opened
 * with the escrow key, over CTLSOCK_TEXT_KEEP_MAX) as soon as that is
 * known.  Twenty jurists paging big attachments at once cost the budget,
 * not twenty times CTLSOCK_TEXT_KEEP_MAX.
 *
 * Public functions (ctlsock_priv.h): ctlsock_text_new(),
 * ctlsock_text_append(), ctlsock_text_get(), ctlsock_text_keep(),
 * ctlsock_text_put(); ctlsock_text_budget() (tests).
 * Limits: CTLSOCK_TEXT_SLOTS messages, CTLSOCK_TEXT_KEEP_MAX bytes of
 * text each, CTLSOCK_TEXT_BUDGET bytes in all, CTLSOCK_TEXT_TTL seconds.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/scan/findings.h"

#define CTLSOCK_TEXT_SLOTS 4
#define CTLSOCK_TEXT_TTL 300

/* The daemon's cache: entries shared by the requests using them
 * (refs), freed when neither cached nor used. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctlsock_text *slots[CTLSOCK_TEXT_SLOTS];

/* The bytes allocated for text of every walk, collected or kept; the
 * most they were; the budget. */
static atomic_size_t text_bytes, text_peak;
static atomic_size_t text_budget = CTLSOCK_TEXT_BUDGET;

/* Take n more bytes of the budget; false (nothing taken) past it. */
static bool charge(size_t n)
{
	size_t budget = atomic_load(&text_budget);
	size_t cur = atomic_load(&text_bytes);
	do {
		if (n > budget || cur > budget - n)
			return false;
	} while (!atomic_compare_exchange_weak(&text_bytes, &cur, cur + n));
	size_t peak = atomic_load(&text_peak);
	while (cur + n > peak && !atomic_compare_exchange_weak(&text_peak, &peak, cur + n))
		;
	return true;
}

size_t ctlsock_text_budget(size_t budget, size_t *used, size_t *peak)
{
	size_t old = budget > 0 ? atomic_exchange(&text_budget, budget) : atomic_load(&text_budget);
	if (used != NULL)
		*used = atomic_load(&text_bytes);
	if (peak != NULL)
		*peak = atomic_exchange(&text_peak, atomic_load(&text_bytes));
	return old;
}

static void text_free(struct ctlsock_text *t)
{
	if (t == NULL)
		return;
	atomic_fetch_sub(&text_bytes, t->tcap);
	findings_free(t->f);
	free(t->head);
	free(t->text);
	free(t->start);
	free(t->total);
	free(t->order);
	free(t);
}

struct ctlsock_text *ctlsock_text_new(const char *msg, size_t len, const struct walk_limits *lim)
{
	struct ctlsock_text *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->refs = 1;
	t->lim = *lim;
	t->f = findings_alloc();
	/* the header section is in the first 64 KiB (ctlsock_write_headers()
	 * looks no further, and two bytes past it) */
	t->hlen = len < CTLSOCK_TEXT_HEAD ? len : CTLSOCK_TEXT_HEAD;
	t->head = malloc(t->hlen + 1);
	if (t->f == NULL || t->head == NULL) {
		text_free(t);
		return NULL;
	}
	memcpy(t->head, msg, t->hlen);
	t->head[t->hlen] = '\0';
	t->msglen = len;
	/* the digest of what was walked: kept only under a stamp recording
	 * this very digest, used only while the store still records it */
	store_sha256_hex(msg, len, t->sha256);
	return t;
}

/* Room for part in the per-part arrays; false when out of memory. */
static bool room_for(struct ctlsock_text *t, unsigned part)
{
	if (part < t->nparts)
		return true;
	size_t n = (size_t)part + 64;
	uint64_t *s = realloc(t->start, n * sizeof *s);
	if (s != NULL)
		t->start = s;
	uint64_t *x = s != NULL ? realloc(t->total, n * sizeof *x) : NULL;
	if (x != NULL)
		t->total = x;
	if (x == NULL)
		return false;
	memset(t->start + t->nparts, 0, (n - t->nparts) * sizeof *s);
	memset(t->total + t->nparts, 0, (n - t->nparts) * sizeof *x);
	t->nparts = n;
	return true;
}

/* Keep no text of t (it may not be kept); the totals go on. */
static void drop_text(struct ctlsock_text *t)
{
	t->over = true;
	free(t->text);
	atomic_fetch_sub(&text_bytes, t->tcap);
	t->text = NULL;
	t->tlen = t->tcap = 0;
}

bool ctlsock_text_begin(struct ctlsock_text *t, unsigned part)
{
	if (!room_for(t, part))
		return false;
	/* opened with the escrow key (never kept): no more text collected,
	 * dropped as soon as a part's text begins after the opening (the
	 * parts are still listed: the page is chosen among them) */
	if (!t->over && findings_decrypted_count(t->f) > 0)
		drop_text(t);
	/* a part whose text came in two streams is not one run of the
	 * kept text: keep none (the page of this request is cut apart) */
	for (size_t i = 0; i < t->norder; i++)
		if (t->order[i] == part) {
			drop_text(t);
			return true;
		}
	unsigned *o = realloc(t->order, (t->norder + 1) * sizeof *o);
	if (o == NULL)
		return false;
	t->order = o;
	t->order[t->norder++] = part;
	t->start[part] = t->tlen;
	return true;
}

bool ctlsock_text_append(struct ctlsock_text *t, unsigned part, const char *buf, size_t len)
{
	if (!room_for(t, part))
		return false;
	t->total[part] += len;
	if (t->over)
		return true;
	if (t->tlen + len > CTLSOCK_TEXT_KEEP_MAX) {
		/* too much to keep: the totals go on, the text is dropped */
		drop_text(t);
		return true;
	}
	if (t->tlen + len > t->tcap) {
		size_t cap = t->tcap ? t->tcap : 65536;
		while (cap < t->tlen + len)
			cap *= 2;
		if (cap > CTLSOCK_TEXT_KEEP_MAX)
			cap = CTLSOCK_TEXT_KEEP_MAX;
		/* past the budget of all walks: this one keeps only its page */
		if (!charge(cap - t->tcap)) {
			drop_text(t);
			return true;
		}
		char *n = realloc(t->text, cap);
		if (n == NULL) {
			atomic_fetch_sub(&text_bytes, cap - t->tcap);
			return false;
		}
		t->text = n;
		t->tcap = cap;
	}
	memcpy(t->text + t->tlen, buf, len);
	t->tlen += len;
	return true;
}

/* Are a and b the same limits (the walk would read the same)? */
static bool same_limits(const struct walk_limits *a, const struct walk_limits *b)
{
	return a->max_message_bytes == b->max_message_bytes && a->max_parts == b->max_parts &&
	       a->max_depth == b->max_depth && a->max_archive_entries == b->max_archive_entries &&
	       a->max_expansion_ratio == b->max_expansion_ratio &&
	       a->max_expanded_bytes == b->max_expanded_bytes &&
	       a->max_seconds == b->max_seconds && a->pdf_seconds == b->pdf_seconds &&
	       a->pdf_max_memory == b->pdf_max_memory && a->pdftotext == b->pdftotext &&
	       a->gmime_always == b->gmime_always && a->escrow == b->escrow;
}

/* Does stamp record the digest sha256 (its part after the last ':')? */
static bool stamp_records(const char *stamp, const char *sha256)
{
	const char *d = strrchr(stamp, ':');
	return d != NULL && strcmp(d + 1, sha256) == 0;
}

/* Drop slot i (its entry freed when nobody uses it). */
static void drop(size_t i)
{
	struct ctlsock_text *t = slots[i];
	slots[i] = NULL;
	if (t != NULL && --t->refs == 0)
		text_free(t);
}

struct ctlsock_text *ctlsock_text_get(const char *ref, const char *stamp,
				      const struct walk_limits *lim, time_t now)
{
	struct ctlsock_text *hit = NULL;
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < CTLSOCK_TEXT_SLOTS; i++) {
		struct ctlsock_text *t = slots[i];
		if (t == NULL || strcmp(t->ref, ref) != 0)
			continue;
		if (strcmp(t->stamp, stamp) != 0 || !stamp_records(stamp, t->sha256) ||
		    !same_limits(&t->lim, lim) ||
		    now < t->at || now - t->at > CTLSOCK_TEXT_TTL) {
			drop(i);
			continue;
		}
		t->refs++;
		hit = t;
		break;
	}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

void ctlsock_text_keep(struct ctlsock_text *t, const char *ref, const char *stamp, time_t now)
{
	if (t == NULL || t->over || findings_decrypted_count(t->f) > 0 ||
	    strlen(stamp) >= sizeof t->stamp || !stamp_records(stamp, t->sha256))
		return;
	pthread_mutex_lock(&cache_lock);
	size_t victim = 0;
	for (size_t i = 0; i < CTLSOCK_TEXT_SLOTS; i++) {
		if (slots[i] != NULL && strcmp(slots[i]->ref, ref) == 0) {
			victim = i;	/* an older walk of the same message */
			break;
		}
		if (slots[i] == NULL ||
		    (slots[victim] != NULL && slots[i]->at < slots[victim]->at))
			victim = i;
	}
	drop(victim);
	snprintf(t->ref, sizeof t->ref, "%s", ref);
	snprintf(t->stamp, sizeof t->stamp, "%s", stamp);
	t->at = now;
	t->refs++;
	slots[victim] = t;
	pthread_mutex_unlock(&cache_lock);
}

void ctlsock_text_put(struct ctlsock_text *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&cache_lock);
	bool last = --t->refs == 0;
	pthread_mutex_unlock(&cache_lock);
	if (last)
		text_free(t);
}
