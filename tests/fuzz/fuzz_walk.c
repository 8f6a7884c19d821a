/*
 * fuzz_walk.c - the message walker on arbitrary bytes: MIME, archives,
 * office XML, charsets, all hostile.  Tight limits keep each run short;
 * the PDF extractor is /bin/false so that fuzzing stays in process (its
 * failure path is still exercised).  The handler checks the stream
 * protocol (begin, text*, end, never interleaved) and touches every byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/walk.h"

struct fuzz_state {
	int open;
	unsigned part;
	unsigned sum;
};

static void f_begin(void *arg, unsigned part)
{
	struct fuzz_state *s = arg;
	if (s->open)
		abort();
	s->open = 1;
	s->part = part;
}

static int f_text(void *arg, unsigned part, const char *buf, size_t len)
{
	struct fuzz_state *s = arg;
	if (!s->open || part != s->part)
		abort();
	for (size_t i = 0; i < len; i++)
		s->sum += (unsigned char)buf[i];
	return 0;
}

static void f_end(void *arg, unsigned part)
{
	struct fuzz_state *s = arg;
	if (!s->open || part != s->part)
		abort();
	s->open = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct walk_handler h = {f_begin, f_text, f_end};
	struct walk_limits lim;
	walk_limits_default(&lim);
	lim.max_message_bytes = 1u << 20;
	lim.max_parts = 64;
	lim.max_depth = 6;
	lim.max_archive_entries = 64;
	lim.max_expansion_ratio = 50;
	lim.max_expanded_bytes = 8u << 20;
	lim.max_seconds = 10;
	lim.pdf_seconds = 2;
	lim.pdftotext = "/bin/false";
	struct findings *f = findings_alloc();
	if (f == NULL)
		return 0;
	struct fuzz_state s = {0};
	(void)walk_message((const char *)data, size, &lim, f, &h, &s);
	if (s.open)
		abort();
	findings_free(f);
	return 0;
}
