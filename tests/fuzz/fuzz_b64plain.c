/*
 * fuzz_b64plain.c - differential target for the walker's one-pass base64
 * decoder (b64part_decode()): every instruction set it has gives the byte
 * loop's answer and bytes, none writes past len / 4 * 3, each counts the
 * input's blanks, and whenever it takes the bytes, GMime's own decoding
 * of them (a data wrapper written to a memory stream, as the walker did
 * before) gives the same bytes, and a part taken with no blank is never
 * one sniff_b64_mislabelled() flags (the walker counts on it); any
 * difference aborts.  Bytes it
 * declines go to GMime in the walker, so they need no check.
 */
#include <gmime/gmime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/b64part.h"
#include "grondslag/scan/charset.h"
#include "grondslag/scan/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define GUARD 64

/* data decoded on one path into a fresh buffer of len / 4 * 3 bytes and
 * guard bytes, which must be left as they were; NULL when not taken. */
static unsigned char *decode_on(int path, const uint8_t *data, size_t size, size_t *n)
{
	size_t blanks = 0, want = 0;
	size_t room = size / 4 * 3;
	unsigned char *out = malloc(room + GUARD);
	if (out == NULL || !b64part_path(path))
		abort();
	memset(out + room, 0x5a, GUARD);
	*n = 0;
	bool plain = b64part_decode(data, size, out, n, &blanks);
	for (size_t i = room; i < room + GUARD; i++)
		if (out[i] != 0x5a) {
			fprintf(stderr, "path %d wrote past %zu bytes\n", path, room);
			abort();
		}
	if (!plain) {
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < size; i++)
		want += data[i] == ' ' || data[i] == '\t';
	if (blanks != want) {	/* all it takes besides base64, '=' and line ends */
		fprintf(stderr, "path %d counted %zu blanks of %zu\n", path, blanks, want);
		abort();
	}
	return out;
}

/* The vector paths against the byte loop's answer (out, n; NULL: no). */
static void same_paths(const uint8_t *data, size_t size, const unsigned char *out, size_t n)
{
	static const int vec[] = {B64PART_PATH_VBMI, B64PART_PATH_AVX2};
	for (size_t k = 0; k < sizeof vec / sizeof vec[0]; k++) {
		if (!b64part_path(vec[k]))
			continue;
		size_t m;
		unsigned char *got = decode_on(vec[k], data, size, &m);
		if ((got == NULL) != (out == NULL) ||
		    (got != NULL && (m != n || memcmp(got, out, n) != 0))) {
			fprintf(stderr, "path %d and the byte loop differ\n", vec[k]);
			abort();
		}
		free(got);
	}
	(void)b64part_path(B64PART_PATH_BEST);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	size_t n = 0;
	unsigned char *out = decode_on(B64PART_PATH_BYTES, data, size, &n);
	same_paths(data, size, out, n);
	if (out == NULL)
		return 0;
	/* the walker skips the mislabelled-text check of a part taken with
	 * no blank (walk_mime.c): that check must then say no */
	size_t blanks = 0;
	for (size_t i = 0; i < size; i++)
		blanks += data[i] == ' ' || data[i] == '\t';
	if (blanks == 0 && sniff_b64_mislabelled(data, size, n)) {
		fprintf(stderr, "a part taken with no blank would be flagged mislabelled\n");
		abort();
	}
	charset_global_init();
	GMimeStream *src = g_mime_stream_mem_new_with_buffer((const char *)data, size);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(src, GMIME_CONTENT_ENCODING_BASE64);
	GMimeStream *dst = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(dw, dst) < 0)
		abort();
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(dst));
	if (ba->len != n || (n > 0 && memcmp(ba->data, out, n) != 0)) {
		fprintf(stderr, "one-pass decoder and GMime differ (%zu and %u bytes)\n", n, ba->len);
		abort();
	}
	g_object_unref(dst);
	g_object_unref(dw);
	g_object_unref(src);
	free(out);
	return 0;
}
