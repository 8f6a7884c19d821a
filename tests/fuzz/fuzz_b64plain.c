/*
 * fuzz_b64plain.c - differential target for the walker's one-pass base64
 * decoder (b64part_decode()): whenever it takes the bytes, GMime's own
 * decoding of them (a data wrapper written to a memory stream, as the
 * walker did before) must give the same bytes; any difference aborts.
 * Bytes it declines go to GMime in the walker, so they need no check.
 */
#include <gmime/gmime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/charset.h"
#include "grondslag/scan/b64part.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	unsigned char *out = malloc(size / 4 * 3 + 1);
	size_t n = 0;
	if (out == NULL)
		abort();
	if (!b64part_decode(data, size, out, &n)) {
		free(out);
		return 0;
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
