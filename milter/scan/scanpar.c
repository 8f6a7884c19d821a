/*
 * scanpar.c - the identifier scan of a long text stream on a second
 * thread (see scanpar_priv.h).
 *
 * The identifier scan is the dearest of the three readers of the text and
 * needs nothing of the other two, so on a machine with a second processor
 * it reads the stream there while the caller's thread decodes, finds the
 * labels and the addresses.  The findings must come out exactly as one
 * thread makes them: a new identifier counts against the entry limit
 * together with the addresses recorded before it.  So while the worker
 * runs, nothing goes into the findings directly: the worker keeps its
 * identifiers (copied, with a key), the caller its address matches, and
 * at merge points both are recorded in the single-thread order: for the
 * n-th text, its identifiers (key 2n) before its addresses (2n+1); at the
 * stream's end the IP scan's last addresses (2N) before the identifier
 * scan's last words (2N+1).
 *
 * Text inside the message is read where it lies (it outlives the stream);
 * other text (decoded) is copied, at most COPY_MAX bytes waiting.  Kept
 * matches are merged whenever either side holds KEEP_MAX of them, so
 * memory stays bounded whatever the text.  Every failure (no thread, no
 * memory) either leaves the caller scanning alone or marks the message
 * unscannable: never an identifier silently lost.
 *
 * Public functions: scanpar_alloc(), scanpar_start(), scanpar_running(),
 * scanpar_text(), scanpar_ip(), scanpar_ident(), scanpar_finish(),
 * scanpar_end(), scanpar_free().
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scanpar_priv.h"

#define RING 128		/* texts queued for the worker: 8 MiB read in place,
				 * still in the shared cache when it comes to them */
#define WAKE_BATCH 8		/* texts queued before a sleeping worker is woken */
#define COPY_MAX (8u << 20)	/* bytes of copied text waiting */
#define KEEP_MAX 65536		/* kept matches on either side before a merge */

struct text_item {
	const char *buf;
	size_t len;
	char *owned;		/* the copy, or NULL when buf lies in the message */
	uint64_t key;
	bool finish;		/* idscan_finish, not text */
};

/* An identifier kept by the worker: its strings in the arena. */
struct ident_rec {
	uint64_t key;
	enum idscan_kind kind;
	bool defanged, labelled, has_value, has_domain;
	size_t off, len, doff, dlen;
};

struct ip_rec {
	uint64_t key;
	struct ipscan_match m;
};

struct scanpar {
	struct idscan *ids;
	struct findings *f;
	uintptr_t stable;
	size_t stable_len;
	unsigned part;
	bool running;
	pthread_t thread;

	pthread_mutex_t mu;
	pthread_cond_t wake;	/* the worker: a text is queued */
	pthread_cond_t idle;	/* the caller: a text is done */
	struct text_item ring[RING];
	size_t head, count;	/* count includes the text being read */
	size_t copy_bytes;
	size_t kept;		/* the worker's nident, published per text */

	/* the worker's, read by the caller only when the queue is empty */
	uint64_t wkey;
	struct ident_rec *idents;
	size_t nident, capident;
	char *arena;
	size_t narena, caparena;
	bool failed;

	/* the caller's */
	uint64_t texts;		/* texts queued in this stream */
	uint64_t ipkey;
	struct ip_rec *ips;
	size_t nip, capip;
};

struct scanpar *scanpar_alloc(struct idscan *ids, struct findings *f, const char *stable,
			      size_t stable_len)
{
	struct scanpar *p = calloc(1, sizeof *p);
	if (p == NULL)
		return NULL;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->wake, NULL) != 0) {
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	if (pthread_cond_init(&p->idle, NULL) != 0) {
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	p->ids = ids;
	p->f = f;
	p->stable = (uintptr_t)stable;
	p->stable_len = stable != NULL ? stable_len : 0;
	return p;
}

/* Grow *buf (cap *cap elements of size) to hold need; false when out of
 * memory. */
static bool reserve(void **buf, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : 256;
	while (n < need)
		n *= 2;
	void *q = realloc(*buf, n * size);
	if (q == NULL)
		return false;
	*buf = q;
	*cap = n;
	return true;
}

/* Copy n bytes of s into the arena; its offset in *off. */
static bool arena_put(struct scanpar *p, const char *s, size_t n, size_t *off)
{
	if (!reserve((void **)&p->arena, &p->caparena, p->narena + n + 1, 1))
		return false;
	memcpy(p->arena + p->narena, s, n);
	*off = p->narena;
	p->narena += n;
	return true;
}

void scanpar_ident(struct scanpar *p, const struct idscan_match *m)
{
	struct ident_rec r = {.key = p->wkey, .kind = m->kind, .defanged = m->defanged,
			      .labelled = m->labelled, .has_value = m->value != NULL,
			      .has_domain = m->domain != NULL, .len = m->len, .dlen = m->dlen};
	if (p->failed)
		return;
	if (!reserve((void **)&p->idents, &p->capident, p->nident + 1, sizeof *p->idents) ||
	    (r.has_value && !arena_put(p, m->value, m->len, &r.off)) ||
	    (r.has_domain && !arena_put(p, m->domain, m->dlen, &r.doff))) {
		p->failed = true;
		return;
	}
	p->idents[p->nident++] = r;
}

/* The worker: read the queued texts in order until the finish item. */
static void *worker(void *arg)
{
	struct scanpar *p = arg;
	bool done = false;

	pthread_mutex_lock(&p->mu);
	while (!done) {
		while (p->count == 0)
			pthread_cond_wait(&p->wake, &p->mu);
		struct text_item it = p->ring[p->head];
		pthread_mutex_unlock(&p->mu);
		p->wkey = it.key;
		if (it.finish)
			(void)idscan_finish(p->ids);
		else
			(void)idscan_update(p->ids, it.buf, it.len);
		free(it.owned);
		done = it.finish;
		pthread_mutex_lock(&p->mu);
		p->head = (p->head + 1) % RING;
		p->count--;
		if (it.owned != NULL)
			p->copy_bytes -= it.len;
		p->kept = p->nident;
		/* the caller waits for all done, or for room for a batch */
		if (p->count == 0 || p->count == RING - WAKE_BATCH ||
		    (it.owned != NULL && p->copy_bytes <= COPY_MAX / 2))
			pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

bool scanpar_start(struct scanpar *p, unsigned part)
{
	if (p == NULL || p->running)
		return false;
	p->part = part;
	p->texts = 0;
	p->ipkey = 1;
	p->head = p->count = p->copy_bytes = p->kept = 0;
	p->running = pthread_create(&p->thread, NULL, worker, p) == 0;
	return p->running;
}

bool scanpar_running(const struct scanpar *p)
{
	return p != NULL && p->running;
}

/* Record the kept matches in order: every address, and the identifiers
 * keyed below the address scan's current key (at the stream's end the
 * identifier scan's last words wait for the address scan's).  Only when
 * the queue is empty. */
static void merge(struct scanpar *p)
{
	size_t i = 0, j = 0;
	while (i < p->nident || j < p->nip) {
		if (i < p->nident && p->idents[i].key < p->ipkey &&
		    (j == p->nip || p->idents[i].key < p->ips[j].key)) {
			const struct ident_rec *r = &p->idents[i++];
			struct idscan_match m = {
				.kind = r->kind,
				.value = r->has_value ? p->arena + r->off : NULL,
				.len = r->len,
				.domain = r->has_domain ? p->arena + r->doff : NULL,
				.dlen = r->dlen,
				.defanged = r->defanged,
				.labelled = r->labelled,
			};
			findings_add_ident(p->f, p->part, &m);
		} else if (j < p->nip) {
			findings_add_match(p->f, p->part, &p->ips[j++].m);
		} else {
			break;	/* identifiers after the addresses still to come */
		}
	}
	if (i > 0 && i < p->nident)
		memmove(p->idents, p->idents + i, (p->nident - i) * sizeof *p->idents);
	p->nident -= i;
	if (p->nident == 0)
		p->narena = 0;
	p->nip = 0;
	if (p->failed)
		findings_message_unscannable(p->f, UNSCAN_INTERNAL);
}

/* Wait until the worker has read every queued text, then merge. */
static void drain(struct scanpar *p)
{
	pthread_mutex_lock(&p->mu);
	if (p->count > 0)
		pthread_cond_signal(&p->wake);	/* a batch not yet full */
	while (p->count > 0)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
	merge(p);
	pthread_mutex_lock(&p->mu);
	p->kept = p->nident;
	pthread_mutex_unlock(&p->mu);
}

/* Queue a text (or the finish item) for the worker. */
static int enqueue(struct scanpar *p, const char *buf, size_t len, bool finish)
{
	struct text_item it = {buf, len, NULL, 2 * p->texts + (finish ? 1 : 0), finish};
	uintptr_t b = (uintptr_t)buf;
	bool kept_full;

	if (!finish && !(b >= p->stable && len <= p->stable_len &&
			 b - p->stable <= p->stable_len - len)) {
		if ((it.owned = malloc(len ? len : 1)) == NULL) {
			findings_message_unscannable(p->f, UNSCAN_INTERNAL);
			return -1;
		}
		memcpy(it.owned, buf, len);
		it.buf = it.owned;
	}
	pthread_mutex_lock(&p->mu);
#define COPY_FULL (it.owned != NULL && p->copy_bytes > 0 && p->copy_bytes + len > COPY_MAX)
	/* full: wait for room for a batch, not a text at a time */
	if (p->count == RING || COPY_FULL) {
		while (p->count > RING - WAKE_BATCH || COPY_FULL) {
			pthread_cond_signal(&p->wake);	/* whatever the batch */
			pthread_cond_wait(&p->idle, &p->mu);
		}
	}
#undef COPY_FULL
	p->ring[(p->head + p->count) % RING] = it;
	p->count++;
	if (it.owned != NULL)
		p->copy_bytes += len;
	kept_full = p->kept >= KEEP_MAX;
	/* a worker that caught up sleeps until there is a batch: a wake-up
	 * per text would cost more than the text */
	if (finish || p->count >= WAKE_BATCH)
		pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->mu);
	if (kept_full && !finish)
		drain(p);
	return 0;
}

int scanpar_text(struct scanpar *p, const char *buf, size_t len)
{
	int rc = enqueue(p, buf, len, false);
	p->ipkey = 2 * p->texts + 1;
	p->texts++;
	return rc;
}

void scanpar_ip(struct scanpar *p, const struct ipscan_match *m)
{
	if (!reserve((void **)&p->ips, &p->capip, p->nip + 1, sizeof *p->ips)) {
		findings_message_unscannable(p->f, UNSCAN_INTERNAL);
		return;
	}
	p->ips[p->nip].key = p->ipkey;
	p->ips[p->nip++].m = *m;
	if (p->nip >= KEEP_MAX)
		drain(p);
}

void scanpar_finish(struct scanpar *p)
{
	(void)enqueue(p, NULL, 0, true);
	p->ipkey = 2 * p->texts;
}

void scanpar_end(struct scanpar *p)
{
	drain(p);
	p->ipkey = UINT64_MAX;	/* the identifier scan's last words too */
	merge(p);
	pthread_join(p->thread, NULL);
	p->running = false;
	p->failed = false;
}

void scanpar_free(struct scanpar *p)
{
	if (p == NULL)
		return;
	if (p->running) {	/* a stream never ended: stop the worker */
		scanpar_finish(p);
		pthread_join(p->thread, NULL);
	}
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->mu);
	free(p->idents);
	free(p->arena);
	free(p->ips);
	free(p);
}
