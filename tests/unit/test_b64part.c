/*
 * test_b64part.c - the one-pass decoder of base64 parts: GMime's bytes
 * whenever it answers, the same answer on every instruction set (each
 * vector loop held to the byte loop over line widths, line ends,
 * padding, and a blank, '=', junk or line end at every offset), and no
 * byte written past len / 4 * 3; the blanks it counts are the input's.
 */
#include "testutil.h"

#include <glib.h>
#include <gmime/gmime.h>

#include "grondslag/scan/b64part.h"
#include "grondslag/scan/charset.h"

static const int paths[] = {B64PART_PATH_VBMI, B64PART_PATH_AVX2, B64PART_PATH_BYTES};

/* The spaces and tabs in enc: what the decoder passed over when it takes
 * enc, since it takes nothing else but base64, padding and line ends. */
static size_t blanks_in(const char *enc, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += enc[i] == ' ' || enc[i] == '\t';
	return k;
}

/* GMime's decoding of base64 bytes, as the walker would get them. */
static GByteArray *gmime_b64(const char *enc, size_t n)
{
	GMimeStream *src = g_mime_stream_mem_new_with_buffer(enc, n);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(src, GMIME_CONTENT_ENCODING_BASE64);
	GMimeStream *out = g_mime_stream_mem_new();
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(out), FALSE);
	assert_true(g_mime_data_wrapper_write_to_stream(dw, out) >= 0);
	GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
	g_object_unref(out);
	g_object_unref(dw);
	g_object_unref(src);
	return ba;
}

/* The one-pass decoder of plainly written base64 parts gives GMime's
 * bytes whenever it answers, answers for what encoders write (every line
 * width, CRLF or LF, padding of none, one or two, a blank at a line end),
 * and leaves to GMime what it could read differently: padding inside,
 * three '=', a cut group, bytes outside base64, a long run of blanks. */
static void b64part_rows(void)
{
	static const struct {
		const char *name, *enc;
		bool plain;
	} rows[] = {
		{"one group", "QUJD", true},
		{"padded 1", "QUJDRA==", true},
		{"padded 2", "QUJDREU=", true},
		{"lines", "QUJD\nREVG\r\nR0g=\r\n", true},
		{"pad after a line end", "QUJDRA=\r\n=\n", true},
		{"blank at the end of a line", "QUJD \nREVG\t\n", true},
		{"group across a line end", "QU\nJD\n", true},
		{"empty", "", true},
		{"only line ends", "\r\n\r\n", true},
		{"padding inside", "QUJDRA==QUJD", false},
		{"three pads", "QUJ===", false},
		{"cut group", "QUJDR", false},
		{"cut padded group", "QU=", false},
		{"url alphabet", "QU-_", false},
		{"8-bit", "QUJD\xc3\xa9", false},
		{"long gap", "QUJD\n\n\n\n\n\n\n\n\n\nREVG", false},
		{"text", "Hello, world.", false},
	};
	unsigned char out[256];
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		size_t n = strlen(rows[r].enc), dl = 0, blanks = 0;
		bool plain = b64part_decode(rows[r].enc, n, out, &dl, &blanks);
		assert_int_eq_msg(rows[r].name, plain, rows[r].plain);
		GByteArray *want = gmime_b64(rows[r].enc, n);
		if (plain) {
			assert_int_eq_msg(rows[r].name, blanks, blanks_in(rows[r].enc, n));
			assert_int_eq_msg(rows[r].name, dl, want->len);
			assert_true(dl == 0 || memcmp(out, want->data, dl) == 0);
		}
		g_byte_array_free(want, TRUE);
	}
	/* every byte value at every place of a 32-character block (read a
	 * block at a time): only base64 characters leave it plain, and then
	 * the bytes are GMime's */
	static char blk[129];
	for (unsigned c = 0; c < 256; c++) {
		for (size_t k = 0; k < 40; k++) {
			for (size_t i = 0; i < 128; i++)
				blk[i] = "QUJD"[(i * 7 + c) % 4];
			blk[k] = (char)c;
			bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				   (c >= '0' && c <= '9') || c == '+' || c == '/';
			size_t dl = 0, blanks;
			char row[64];
			snprintf(row, sizeof row, "byte 0x%02x at %zu", c, k);
			assert_int_eq_msg(row, b64part_decode(blk, 128, out, &dl, &blanks), b64);
			if (b64) {
				GByteArray *want = gmime_b64(blk, 128);
				assert_int_eq_msg(row, dl, want->len);
				assert_int_eq_msg(row, memcmp(out, want->data, dl), 0);
				g_byte_array_free(want, TRUE);
			}
		}
	}
	/* encoded bytes of every length, wrapped at every width, both line
	 * ends; whatever the fast path answers, GMime agrees */
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static unsigned char raw[3000], dec[3000];
	static char enc[6000];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof raw; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		raw[i] = (unsigned char)x;
	}
	for (size_t len = 0; len < 200; len += 1 + len / 16) {
		for (size_t width = 4; width <= 80; width += 19) {
			size_t n = 0, col = 0;
			for (size_t i = 0; i < len; i += 3) {
				uint32_t v = (uint32_t)raw[i] << 16 |
					     (i + 1 < len ? (uint32_t)raw[i + 1] << 8 : 0) |
					     (i + 2 < len ? raw[i + 2] : 0);
				for (int k = 0; k < 4; k++) {
					bool pad = (k == 2 && i + 1 >= len) || (k == 3 && i + 2 >= len);
					enc[n++] = pad ? '=' : alpha[(v >> (18 - 6 * k)) & 63];
					if (++col == width) {
						if (width % 2)
							enc[n++] = '\r';
						enc[n++] = '\n';
						col = 0;
					}
				}
			}
			char row[64];
			snprintf(row, sizeof row, "length %zu width %zu", len, width);
			size_t dl = 0, blanks;
			assert_int_eq_msg(row, b64part_decode(enc, n, dec, &dl, &blanks), 1);
			assert_int_eq_msg(row, blanks, 0);
			assert_int_eq_msg(row, dl, len);
			assert_true(memcmp(dec, raw, len) == 0);
			GByteArray *want = gmime_b64(enc, n);
			assert_int_eq_msg(row, want->len, len);
			g_byte_array_free(want, TRUE);
		}
	}
}


static void test_b64part_gmime(void **state)
{
	(void)state;
	charset_global_init();	/* GMime, for its decoder */
	int tried = 0;
	for (size_t k = 0; k < ARRAY_LEN(paths); k++) {
		if (!b64part_path(paths[k]))
			continue;
		tried++;
		b64part_rows();
	}
	assert_true(b64part_path(B64PART_PATH_BEST));
	assert_true(tried >= 2);	/* bytes and one vector loop at least */
}

/* What each path says of enc: the answer, the length, the bytes; the
 * output buffer holds exactly len / 4 * 3 bytes and guard bytes after,
 * which must stay untouched. */
struct answer {
	bool plain;
	size_t len, blanks;
	unsigned char out[4096];
};

static void decode_with(int path, const char *enc, size_t n, struct answer *a, const char *row)
{
	static unsigned char buf[4096 + 64];
	size_t room = n / 4 * 3;
	assert_true(room + 64 <= sizeof buf);
	memset(buf, 0xa5, sizeof buf);
	assert_true(b64part_path(path));
	a->len = 0;
	a->plain = b64part_decode(enc, n, buf, &a->len, &a->blanks);
	for (size_t i = room; i < room + 64; i++)
		assert_int_eq_msg(row, buf[i], 0xa5);
	if (a->plain) {
		assert_int_eq_msg(row, a->blanks, blanks_in(enc, n));
		assert_true(a->len <= room);
		memcpy(a->out, buf, a->len);
	}
}

/* Every vector path gives the byte loop's answer for enc (read from a
 * buffer of its own length: ASan builds see a read past it). */
static void same_on_every_path(const char *text, size_t n, const char *row)
{
	static struct answer want, got;
	char *enc = malloc(n > 0 ? n : 1);
	assert_non_null(enc);
	memcpy(enc, text, n);
	decode_with(B64PART_PATH_BYTES, enc, n, &want, row);
	for (size_t k = 0; k < ARRAY_LEN(paths); k++) {
		if (paths[k] == B64PART_PATH_BYTES || !b64part_path(paths[k]))
			continue;
		decode_with(paths[k], enc, n, &got, row);
		assert_int_eq_msg(row, got.plain, want.plain);
		if (want.plain) {
			assert_int_eq_msg(row, got.len, want.len);
			assert_int_eq_msg(row, memcmp(got.out, want.out, want.len), 0);
		}
	}
	free(enc);
}

/* len bytes of a fixed pseudo-random source, base64-encoded with lines
 * of width characters ended by eol; the encoded length. */
static size_t encode(size_t len, size_t width, const char *eol, char *enc)
{
	static const char alpha[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t x = 2463534242u;
	size_t n = 0, col = 0;
	for (size_t i = 0; i < len; i += 3) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		size_t have = len - i < 3 ? len - i : 3;	/* bytes in this group */
		for (size_t k = 0; k < 4; k++) {
			enc[n++] = k > have ? '=' : alpha[(x >> (6 * k)) & 63];
			if (++col == width) {
				n += (size_t)sprintf(enc + n, "%s", eol);
				col = 0;
			}
		}
	}
	return n;
}

/* The vector loops held to the byte loop: parts of many lengths, every
 * line width from 4 to 140 (odd ones too: groups across line ends), CRLF,
 * LF, CR, a blank before the line end, gaps of 8 and 9, padded or not; then one byte changed at every offset to a
 * blank, '=', a byte outside base64, a line end or another character. */
static void test_b64part_paths(void **state)
{
	(void)state;
	/* the last two: the longest gap taken, and one byte more */
	static const char *const eols[] = {"\r\n",  "\n", "\r", " \r\n", "\n\n\n\n\r\n\r\n",
					   "\r\n\r\n\r\n\r\n\n"};
	static const char swaps[] = {' ', '\t', '=', '-', '\x80', '\n', '\r', 'A', '\0'};
	static char enc[3000];
	char row[96];
	for (size_t width = 4; width <= 140; width++) {
		for (size_t e = 0; e < ARRAY_LEN(eols); e++) {
			for (size_t len = 0; len <= 400; len += width % 7 == 0 ? 1 : 61) {
				size_t n = encode(len, width, eols[e], enc);
				snprintf(row, sizeof row, "width %zu eol %zu len %zu", width, e, len);
				same_on_every_path(enc, n, row);
			}
			for (size_t lines = 1; lines <= 3 && width % 4 == 0; lines++) {
				size_t len = width / 4 * 3 * lines;	/* the part ends with a line end */
				size_t n = encode(len, width, eols[e], enc);
				snprintf(row, sizeof row, "width %zu eol %zu lines %zu", width, e, lines);
				same_on_every_path(enc, n, row);
			}
		}
	}
	static const size_t widths[] = {60, 64, 68, 72, 76, 124, 128};
	for (size_t w = 0; w < ARRAY_LEN(widths); w++) {
		size_t width = widths[w];
		for (size_t e = 0; e < 2; e++) {
			size_t n = encode(300, width, eols[e], enc);
			for (size_t at = 0; at < n; at++) {
				for (size_t k = 0; k < ARRAY_LEN(swaps); k++) {
					char was = enc[at];
					enc[at] = swaps[k];
					snprintf(row, sizeof row, "width %zu eol %zu byte 0x%02x at %zu",
						 width, e, (unsigned char)swaps[k], at);
					same_on_every_path(enc, n, row);
					enc[at] = was;
				}
			}
		}
	}
	assert_true(b64part_path(B64PART_PATH_BEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64part_gmime),
		cmocka_unit_test(test_b64part_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
