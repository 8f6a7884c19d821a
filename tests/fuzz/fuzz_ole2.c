/*
 * fuzz_ole2.c - the OLE2 and TNEF readers on arbitrary bytes: the compound
 * file through libgsf and every stream handed out, the BIFF, Word and
 * PowerPoint readers on the same bytes as a stream (the first byte picks
 * which half is the Word table stream), and the TNEF reader.  The
 * callbacks touch every byte handed out, so a length past a buffer is
 * seen by ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/ole2.h"
#include "grondslag/scan/tnef.h"

static unsigned sum;

static void touch(const void *data, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += ((const unsigned char *)data)[i];
}

static int each_stream(void *arg, const char *path, enum ole2_kind kind, const void *data,
		       size_t n)
{
	(void)arg;
	touch(path, strlen(path));
	if (kind == OLE2_TEXT && !g_utf8_validate(data, (gssize)n, NULL))
		abort();	/* the readers promise UTF-8 */
	touch(data, n);
	return 0;
}

static int each_item(void *arg, const char *name, const char *type, const void *data, size_t n)
{
	(void)arg;
	touch(name, strlen(name));
	touch(type, strlen(type));
	touch(data, n);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)ole2_read(data, size, each_stream, NULL);
	GString *out = g_string_new(NULL);
	(void)ole2_xls_text(data, size, out);
	(void)ole2_ppt_text(data, size, out);
	size_t half = size > 0 ? (size_t)data[0] * size / 256 : 0;
	(void)ole2_doc_text(data, half, data + half, size - half, NULL, 0, out);
	(void)ole2_doc_text(data, size, NULL, 0, data, size, out);
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL))
		abort();
	g_string_free(out, TRUE);
	(void)tnef_read(data, size, each_item, NULL);
	return 0;
}
