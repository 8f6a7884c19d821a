/*
 * fuzz_plainmsg.c - differential target for the walker's plain-text fast
 * path (plainmsg.h): whenever plainmsg_parse() takes a message, walking it
 * with the fast path and with GMime always must give the same parts and
 * the same text; any difference aborts.  Messages it declines need no
 * check here (they take the GMime path either way; fuzz_walk covers it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/plainmsg.h"
#include "grondslag/scan/walk.h"

/* Order-sensitive digest of everything the walk handed over. */
struct digest {
	uint64_t h;
	size_t n;
};

static void mix(struct digest *d, const void *p, size_t len)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < len; i++)
		d->h = (d->h ^ b[i]) * 1099511628211ull;
	d->n += len;
}

static void d_begin(void *arg, unsigned part)
{
	mix(arg, "B", 1);
	mix(arg, &part, sizeof part);
}

static int d_text(void *arg, unsigned part, const char *buf, size_t len)
{
	(void)part;
	mix(arg, buf, len);
	return 0;
}

static void d_end(void *arg, unsigned part)
{
	mix(arg, "E", 1);
	mix(arg, &part, sizeof part);
}

/* Walk one way; the digest covers the text and every part's record. */
static struct digest walk_digest(const uint8_t *data, size_t size, bool gmime_always)
{
	static const struct walk_handler h = {d_begin, d_text, d_end};
	struct digest d = {1469598103934665603ull, 0};
	struct walk_limits lim;
	walk_limits_default(&lim);
	lim.max_message_bytes = 1u << 20;
	lim.max_seconds = 10;
	lim.pdftotext = "/bin/false";
	lim.gmime_always = gmime_always;
	struct findings *f = findings_alloc();
	if (f == NULL)
		abort();
	int rc = walk_message((const char *)data, size, &lim, f, &h, &d);
	mix(&d, &rc, sizeof rc);
	enum unscan_reason mr = findings_message_reason(f);
	mix(&d, &mr, sizeof mr);
	for (size_t i = 0; i < findings_part_count(f); i++) {
		const struct finding_part *p = findings_part(f, i);
		mix(&d, p->path, strlen(p->path) + 1);
		mix(&d, p->type, strlen(p->type) + 1);
		mix(&d, p->filename ? p->filename : "", p->filename ? strlen(p->filename) + 1 : 1);
		mix(&d, &p->bytes, sizeof p->bytes);
		mix(&d, &p->status, sizeof p->status);
		mix(&d, &p->reason, sizeof p->reason);
		mix(&d, &p->depth, sizeof p->depth);
	}
	findings_free(f);
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plainmsg pm;
	if (size > (1u << 20) || !plainmsg_parse((const char *)data, size, &pm))
		return 0;
	struct digest a = walk_digest(data, size, false), b = walk_digest(data, size, true);
	if (a.h != b.h || a.n != b.n) {
		fprintf(stderr, "fast path and GMime differ\n");
		abort();
	}
	return 0;
}
