/*
 * test_sniff.c - what bytes are: text or binary, UTF-16 without a
 * byte-order mark (western and mostly CJK), HTML.
 */
#include "fixture_text.h"

#include "grondslag/scan/sniff.h"

static void test_sniff(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *buf;
		size_t len;
		enum sniff_text want;
	} rows[] = {
		{"ascii", "ip\n8.8.8.8\n", 11, SNIFF_TEXT},
		{"latin-1", "caf\xe9\r\n", 6, SNIFF_TEXT},
		{"empty", "", 0, SNIFF_TEXT},
		{"binary", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, SNIFF_BINARY},
		{"control bytes", "\x01\x02\x03\x04\x05 abc", 9, SNIFF_BINARY},
		{"utf-16le no BOM", "i\0p\0\n\0" "8\0.\0" "8\0", 12, SNIFF_UTF16LE},
		{"utf-16be no BOM", "\0i\0p\0\n\0" "8\0.\0" "8", 12, SNIFF_UTF16BE},
		{"utf-16 BOM", "\xff\xfe" "a\0", 4, SNIFF_TEXT},
		{"NUL in text", "abc\0def", 7, SNIFF_BINARY},
		/* 8-bit strings ended by NULs (C strings, padded fields) are not
		 * CJK UTF-16, though their letter pairs decode to ideographs */
		{"C string", "weekly list\0", 12, SNIFF_BINARY},
		{"padded field", "block these hosts\0\0\0\0\0\0\0", 24, SNIFF_BINARY},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		assert_int_eq_msg(rows[i].name, sniff_text(rows[i].buf, rows[i].len), rows[i].want);
	assert_int_eq_msg("html", sniff_html("\n<!DOCTYPE HTML><x>", 18), 1);
	assert_int_eq_msg("not html", sniff_html("a < b", 5), 0);
}

/* UTF-16 without BOM whose text is mostly CJK has too few zero bytes for
 * the zero-byte pattern; it must still be UTF-16, either way round, and
 * binary data with zero bytes must not. */
static void test_sniff_cjk(void **state)
{
	(void)state;
	size_t n = sizeof cjk_utf16le - 1;
	unsigned char be[sizeof cjk_utf16le], noise[4096];
	uint32_t x = 2463534242u;

	assert_int_eq_msg("CJK utf-16le", sniff_text(cjk_utf16le, n), SNIFF_UTF16LE);
	for (size_t i = 0; i + 1 < n; i += 2) {
		be[i] = (unsigned char)cjk_utf16le[i + 1];
		be[i + 1] = (unsigned char)cjk_utf16le[i];
	}
	assert_int_eq_msg("CJK utf-16be", sniff_text(be, n), SNIFF_UTF16BE);
	/* noise with a zero byte in every eighth place */
	for (size_t i = 0; i < sizeof noise; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		noise[i] = i % 8 == 1 ? 0 : (unsigned char)x;
	}
	assert_int_eq_msg("noise", sniff_text(noise, sizeof noise), SNIFF_BINARY);
	/* CJK with a lone surrogate and a run of U+0000: not text */
	memcpy(be, cjk_utf16le, n);
	for (size_t i = 40; i < 80; i++)
		be[i] = 0;
	assert_int_eq_msg("CJK with NULs", sniff_text(be, n), SNIFF_BINARY);
	/* one colour of 16-bit pixels (a CJK code point) after a small header */
	memset(noise, 0x80, sizeof noise);
	memcpy(noise, "BM\0\0\x36\0\0\0", 8);
	assert_int_eq_msg("flat picture", sniff_text(noise, sizeof noise), SNIFF_BINARY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_sniff_cjk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
