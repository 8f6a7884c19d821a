/*
 * test_sniff.c - what bytes are: text or binary, UTF-16 without a
 * byte-order mark (western and mostly CJK), HTML.
 */
#include "fixture_text.h"

#include "grondslag/scan/b64part.h"
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

/* The base64 run finder, line by line as sniff.h states it: the oracle
 * the block scan must agree with. */
static bool ref_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

static size_t ref_b64_line(const unsigned char *p, size_t len, size_t *next)
{
	size_t i = 0, k;
	while (i < len && ref_b64(p[i]))
		i++;
	for (k = i; k < len && k < i + 2 && p[k] == '='; k++)
		;
	size_t n = k;
	while (n < len && p[n] != '\n')
		n++;
	*next = n < len ? n + 1 : n;
	return n > k && !(n == k + 1 && p[k] == '\r') ? 0 : k;
}

static bool ref_b64_run(const unsigned char *p, size_t len, size_t *off, size_t *start,
			size_t *end, unsigned min_lines)
{
	for (size_t o = *off; o < len;) {
		size_t next, width = ref_b64_line(p + o, len - o, &next);
		if (width >= 1024 || (width >= 40 && width <= 1000)) {
			size_t e = o + width, lines = 1, q = o + next, nx, w2;
			bool last = width >= 1024 || p[o + width - 1] == '=';
			while (!last && q < len && (w2 = ref_b64_line(p + q, len - q, &nx)) != 0 &&
			       w2 <= width) {
				lines++;
				e = q + w2;
				q += nx;
				last = w2 < width;
			}
			if (width >= 1024 || lines >= min_lines) {
				*start = o;
				*end = e;
				*off = q;
				return true;
			}
			o = q;
		} else {
			o += next;
		}
	}
	*off = len;
	return false;
}

/* Every run sniff_b64_run() finds in buf, as the oracle finds them. */
static void check_b64_runs(const char *name, const unsigned char *buf, size_t len, unsigned min)
{
	size_t o1 = 0, o2 = 0, s1 = 0, e1 = 0, s2 = 0, e2 = 0;
	/* the text passed over slice by slice as it is fed (sniff_b64_pass):
	 * the search from there finds the oracle's first run */
	static const size_t slices[] = {13, 64, 129, 1000};
	for (size_t k = 0; k < ARRAY_LEN(slices); k++) {
		size_t o = 0, fed = 0, s3 = 0, e3 = 0, o4 = 0, s4 = 0, e4 = 0;
		while (fed < len) {
			fed = len - fed < slices[k] ? len : fed + slices[k];
			/* the text so far in a buffer of exactly its size, told of
			 * 1 MiB more ahead: the fetch ahead must be a prefetch,
			 * never a read (ASan would stop a read past the copy) */
			unsigned char *copy = malloc(fed);
			assert_non_null(copy);
			memcpy(copy, buf, fed);
			o = sniff_b64_pass(copy, fed, o, k % 2 ? (size_t)1 << 20 : 0);
			free(copy);
			assert_true(o <= fed);
			assert_true(o == 0 || buf[o - 1] == '\n');	/* a line start */
		}
		bool a = sniff_b64_run(buf, len, &o, &s3, &e3, min);
		assert_int_eq_msg(name, a, ref_b64_run(buf, len, &o4, &s4, &e4, min));
		if (a) {
			assert_int_eq_msg(name, s3, s4);
			assert_int_eq_msg(name, e3, e4);
			assert_int_eq_msg(name, o, o4);
		}
	}
	for (;;) {
		bool a = sniff_b64_run(buf, len, &o1, &s1, &e1, min);
		bool b = ref_b64_run(buf, len, &o2, &s2, &e2, min);
		assert_int_eq_msg(name, a, b);
		if (!a)
			return;
		assert_int_eq_msg(name, s1, s2);
		assert_int_eq_msg(name, e1, e2);
		assert_int_eq_msg(name, o1, o2);
	}
}

/* Runs of base64 lines among text, the text passed over in 64-byte
 * blocks: every line width near the 40 a run needs, each at every
 * offset around a block edge, after text of every kind of byte (8-bit,
 * '-', '_', blanks, CR), and the stretch of 40 crossing the edge. */
static void test_sniff_b64_runs(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text;
	} rows[] = {
		{"no text", ""},
		{"prose", "Hello, this is a line of prose.\n"},
		{"8-bit and dashes", "caf\xc3\xa9 -- na\xc3\xafve_x\r\n"},
		{"long word", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b\n"},
		{"39 then blank", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \n"},
		{"40 then blank", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA \n"},
	};
	static const size_t widths[] = {39, 40, 41, 63, 64, 65, 76, 1000, 1024};
	static unsigned char buf[8192];
	char name[96];
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		for (size_t w = 0; w < ARRAY_LEN(widths); w++) {
			for (size_t pad = 0; pad < 140; pad += (pad < 70 ? 1 : 13)) {
				size_t n = 0, tl = strlen(rows[r].text);
				/* pad bytes of prose, ended by a line end, then the text */
				for (size_t i = 0; i < pad; i++)
					buf[n++] = i + 1 == pad ? '\n' : (unsigned char)"ab c"[i % 4];
				memcpy(buf + n, rows[r].text, tl);
				n += tl;
				size_t at = n;
				for (int line = 0; line < 5; line++) {
					for (size_t i = 0; i < widths[w]; i++)
						buf[n++] = (unsigned char)"QUJD+/9z"[(i + (size_t)line) % 8];
					if (line == 4)
						buf[n - 1] = '=';
					if (line == 2)
						buf[n++] = '\r';
					buf[n++] = '\n';
				}
				memcpy(buf + n, rows[r].text, tl);
				n += tl;
				snprintf(name, sizeof name, "%s, width %zu, pad %zu", rows[r].name,
					 widths[w], pad);
				check_b64_runs(name, buf, n, 4);
				check_b64_runs(name, buf, n, 1);
				size_t off = 0, s, e;
				bool found = sniff_b64_run(buf, n, &off, &s, &e, 4);
				assert_int_eq_msg(name, found, widths[w] != 39);
				if (found)
					assert_int_eq_msg(name, s, at);
			}
		}
	}
	/* every byte value inside a stretch that is a run only if it can be */
	for (unsigned c = 0; c < 256; c++) {
		size_t n = 0;
		for (int line = 0; line < 4; line++) {
			for (size_t i = 0; i < 76; i++)
				buf[n++] = i == 37 ? (unsigned char)c : 'Q';
			buf[n++] = '\n';
		}
		snprintf(name, sizeof name, "byte 0x%02x", c);
		check_b64_runs(name, buf, n, 4);
		size_t off = 0, st, e;
		bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '+' || c == '/';
		assert_int_eq_msg(name, sniff_b64_run(buf, n, &off, &st, &e, 4), b64);
	}
	/* noise of base64 characters, blanks, line ends and 8-bit bytes */
	uint32_t x = 88172645u;
	for (int round = 0; round < 200; round++) {
		size_t n = 64 + (size_t)round * 37 % 4000;
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			unsigned v = x % 1000;
			buf[i] = v < 6 ? '\n' : v < 8 ? ' ' : v < 9 ? '=' : v < 10 ? '\r' : v < 11 ? 0xc3
				 : (unsigned char)"QUJDRA+/xyz09"[x / 1000 % 13];
		}
		snprintf(name, sizeof name, "noise %d", round);
		check_b64_runs(name, buf, n, 4);
		check_b64_runs(name, buf, n, 1);
	}
}

/* A part labelled base64 that is not: plain text is, base64 with LF or
 * CRLF line ends and a trailing blank per line is not; and the line ends
 * are counted right wherever they fall (every threshold around the
 * answer, buffers of every length up to a few blocks). */
static void test_sniff_b64_mislabelled(void **state)
{
	(void)state;
	static const char text[] = "Dear team,\nplease block 192.0.2.1 and 192.0.2.2.\n";
	static const char crlf[] = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY\r\nWVo=\r\n";
	static const char blank[] = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldY \nWVo= \n";
	size_t dl;
	unsigned char *d = sniff_b64_decode(text, sizeof text - 1, &dl);
	assert_int_eq_msg("text", sniff_b64_mislabelled(text, sizeof text - 1, dl), 1);
	free(d);
	d = sniff_b64_decode(crlf, sizeof crlf - 1, &dl);
	assert_int_eq_msg("crlf", sniff_b64_mislabelled(crlf, sizeof crlf - 1, dl), 0);
	free(d);
	d = sniff_b64_decode(blank, sizeof blank - 1, &dl);
	assert_int_eq_msg("blank", sniff_b64_mislabelled(blank, sizeof blank - 1, dl), 0);
	free(d);
	/* parts the one-pass decoder takes with no blank (the walker then
	 * skips this check): padding is all that is skipped, never flagged */
	static const char *const clean[] = {"QQ==", "QUI=", "QUJD", "QQ==\n", "QUJDREVG\r\nQQ==",
					    "QUJD\nQUJD\nQQ==\r\n"};
	for (size_t k = 0; k < ARRAY_LEN(clean); k++) {
		unsigned char out[16];
		size_t n = strlen(clean[k]), blanks = 1;
		assert_int_eq_msg(clean[k], b64part_decode(clean[k], n, out, &dl, &blanks), 1);
		assert_int_eq_msg(clean[k], blanks, 0);
		assert_int_eq_msg(clean[k], sniff_b64_mislabelled(clean[k], n, dl), 0);
	}
	static unsigned char buf[200];
	uint32_t x = 362436069u;
	for (size_t len = 0; len <= sizeof buf; len++) {
		size_t lf = 0, cr = 0;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = x % 5 == 0 ? '\n' : x % 5 == 1 ? '\r' : 'Q';
			lf += buf[i] == '\n';
			cr += buf[i] == '\r';
		}
		size_t body = len - lf - cr;
		for (size_t dec = 0; dec <= body; dec++) {
			size_t valid = (dec * 4 + 2) / 3, skipped = body > valid ? body - valid : 0;
			char row[48];
			snprintf(row, sizeof row, "length %zu decoded %zu", len, dec);
			assert_int_eq_msg(row, sniff_b64_mislabelled(buf, len, dec),
					  skipped > lf + 2 + body / 100);
		}
	}
}

/* The pass goes on over lines that hold 40 base64 bytes in a row but
 * are no base64 line (a long link, a hash in prose), and stops at a line
 * of a run's width or a line not yet whole. */
static void test_sniff_b64_pass(void **state)
{
	(void)state;
	static const struct {
		const char *name, *line;
		bool passed;	/* the pass reaches the end of the text */
	} rows[] = {
		{"prose", "Hello, this is a line of prose, nothing more.\n", true},
		{"long link", "see https://example.org/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?x=1\n", true},
		{"hash in prose", "sha256 0123456789abcdef0123456789abcdef0123456789abcdef is it\n", true},
		{"base64 line", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n", false},
		{"unfinished line", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlq", false},
	};
	static char buf[4096];
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		size_t n = 0;
		for (int k = 0; k < 20; k++) {
			const char *l = k == 10 || (k == 19 && !rows[r].passed &&
						    strchr(rows[r].line, '\n') == NULL)
						? rows[r].line
						: "Ordinary words on an ordinary line of mail text here.\n";
			memcpy(buf + n, l, strlen(l));
			n += strlen(l);
			if (k == 10 && strchr(rows[r].line, '\n') == NULL)
				break;
		}
		size_t off = sniff_b64_pass(buf, n, 0, 0);
		assert_int_eq_msg(rows[r].name, off == n, rows[r].passed);
		assert_true(off <= n);
	}
}

/* The same rows through each skip loop this processor has (AVX-512,
 * AVX2, none): the runs found never depend on it. */
static void test_sniff_b64_runs_paths(void **state)
{
	static const int paths[] = {SNIFF_PATH_AVX512, SNIFF_PATH_AVX2, SNIFF_PATH_BYTES};
	int tried = 0;
	for (size_t k = 0; k < ARRAY_LEN(paths); k++) {
		if (!sniff_b64_path(paths[k]))
			continue;
		tried++;
		test_sniff_b64_runs(state);
	}
	assert_true(sniff_b64_path(SNIFF_PATH_BEST));
	assert_true(tried >= 2);	/* bytes and one vector loop at least */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_sniff_cjk),
		cmocka_unit_test(test_sniff_b64_runs_paths),
		cmocka_unit_test(test_sniff_b64_pass),
		cmocka_unit_test(test_sniff_b64_mislabelled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
