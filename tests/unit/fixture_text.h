/*
 * fixture_text.h - what the text extraction tests share: a sink that
 * gathers emitted text, the chunk sizes every conversion row is run with
 * (whole, byte by byte, 3 and 7: the output must not depend on how the
 * input was cut), and a mostly-CJK UTF-16LE text without BOM.
 */
#ifndef GRONDSLAG_FIXTURE_TEXT_H
#define GRONDSLAG_FIXTURE_TEXT_H

#include "testutil.h"

struct sink {
	char buf[4096];
	size_t len;
	int rc;
};

static inline int sink_emit(void *arg, const char *buf, size_t len)
{
	struct sink *s = arg;
	if (s->len + len >= sizeof s->buf)
		fail_msg("output too long");
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return s->rc;
}

/* Chunk sizes a row runs with; 0 = all at once. */
static const size_t text_steps[] __attribute__((unused)) = {0, 1, 3, 7};

/* Feed in[0..n) to update(obj, ...) in chunks of step (0: all at once);
 * every answer must be 0. */
static inline void text_feed(int (*update)(void *obj, const char *buf, size_t len), void *obj,
			     const char *in, size_t n, size_t step)
{
	if (step == 0)
		step = n ? n : 1;
	for (size_t i = 0; i < n; i += step)
		assert_int_equal(update(obj, in + i, i + step > n ? n - i : step), 0);
}

/* What the sink got must be want; a failure names the row and step. */
static inline void text_check(const char *name, size_t step, const struct sink *s,
			      const char *want)
{
	char row[128];
	snprintf(row, sizeof row, "%s (step %zu)", name, step);
	assert_str_eq_msg(row, s->buf, want);
}

/* Mostly-CJK text as UTF-16LE without BOM (two addresses among it). */
static const char cjk_utf16le[] __attribute__((unused)) =
		"\x3b\x4e\x3a\x67\x17\x52\x68\x88\x1a\xff\x31\x00\x33\x00\x33\x00"
		"\x2e\x00\x31\x00\x2e\x00\x32\x00\x2e\x00\x33\x00\x01\x30\x31\x00"
		"\x33\x00\x33\x00\x2e\x00\x31\x00\x2e\x00\x32\x00\x2e\x00\x34\x00"
		"\x02\x30\xd9\x8f\x9b\x4e\x3b\x4e\x3a\x67\x28\x57\xc7\x8f\xbb\x53"
		"\x84\x76\x8c\x4e\x41\x53\xdb\x56\x0f\x5c\xf6\x65\x85\x51\x0e\x4e"
		"\x7d\x54\xe4\x4e\xa7\x63\x36\x52\x0d\x67\xa1\x52\x68\x56\x1a\x90"
		"\xe1\x4f\x0c\xff\xf7\x8b\x3d\x5c\xeb\x5f\x04\x59\x06\x74\x76\x5e"
		"\xde\x56\x0d\x59\x6e\x78\xa4\x8b\x02\x30\x11\x62\xec\x4e\x84\x76"
		"\xe2\x56\x1f\x96\x06\x5c\xe7\x7e\xed\x7e\xd1\x76\xa7\x63\xf8\x76"
		"\x73\x51\x3b\x6d\xa8\x52\x02\x30";

#endif
