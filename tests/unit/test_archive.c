/*
 * test_archive.c - the archive reader: formats and filters (archives are
 * built here with libarchive's writer), member names, encrypted and
 * corrupt input, the expansion ratio, office detection.
 */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>

#include "grondslag/scan/archive.h"

#include "fixture_archive.h"


static const char csv[] = "ip\n8.8.8.8\n";

/* Read every member: names joined with ';', data of the last kept. */
static enum arc_status read_all(const void *buf, size_t len, const char *outer, unsigned ratio,
				char *names, size_t cap, char *data, size_t dcap)
{
	enum arc_status st;
	struct arc *a = arc_open(buf, len, outer, ratio, &st);
	names[0] = data[0] = '\0';
	if (a == NULL)
		return st;
	struct arc_entry e;
	while ((st = arc_next(a, &e)) == ARC_OK) {
		strncat(names, e.name, cap - strlen(names) - 2);
		strcat(names, e.encrypted ? "(enc);" : ";");
		if (e.encrypted) {
			st = arc_skip(a);
			if (st != ARC_OK)
				break;
			continue;
		}
		size_t dl = 0;
		ssize_t n;
		char chunk[4096];
		while ((n = arc_read(a, chunk, sizeof chunk, &st)) > 0)
			if (dl + (size_t)n < dcap) {
				memcpy(data + dl, chunk, (size_t)n);
				dl += (size_t)n;
			}
		data[dl] = '\0';
		if (n < 0)
			break;
	}
	arc_close(a);
	return st;
}

struct fmt_case {
	const char *name;
	const char *format, *filter, *options, *outer;
	const char *want_names;
};

static void test_formats(void **state)
{
	(void)state;
	static const struct fmt_case rows[] = {
		{"zip", "zip", NULL, NULL, "a.zip", "x/a.csv;b.csv;"},
		{"zip stored", "zip", NULL, "zip:compression=store", "a.zip", "x/a.csv;b.csv;"},
		{"tar.gz", "ustar", "gzip", NULL, "a.tgz", "x/a.csv;b.csv;"},
		{"tar.bz2", "pax", "bzip2", NULL, NULL, "x/a.csv;b.csv;"},
		{"tar.xz", "gnutar", "xz", NULL, NULL, "x/a.csv;b.csv;"},
		{"tar.zst", "ustar", "zstd", NULL, NULL, "x/a.csv;b.csv;"},
		{"7z", "7zip", NULL, NULL, NULL, "x/a.csv;b.csv;"},
		{"cpio", "cpio", NULL, NULL, NULL, "x/a.csv;b.csv;"},
	};
	struct mem m[] = {{"x/a.csv", "ip\n1.1.1.1\n", 11}, {"b.csv", csv, sizeof csv - 1}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		size_t len;
		unsigned char *z = fixture_archive(rows[i].format, rows[i].filter, rows[i].options, NULL, m, 2, &len);
		assert_int_eq_msg(rows[i].name, arc_magic(z, len), 1);
		char names[256], data[256];
		enum arc_status st = read_all(z, len, rows[i].outer, 100, names, sizeof names, data,
					      sizeof data);
		assert_int_eq_msg(rows[i].name, st, ARC_END);
		assert_str_eq_msg(rows[i].name, names, rows[i].want_names);
		assert_str_eq_msg(rows[i].name, data, csv);
		free(z);
	}
}

/* A bare compressed file is one member named after it. */
static void test_raw(void **state)
{
	(void)state;
	static const struct {
		const char *filter, *outer, *want;
	} rows[] = {
		{"gzip", "list.csv.gz", "list.csv;"},
		{"bzip2", "LIST.TXT.BZ2", "LIST.TXT;"},
		{"xz", "dir/ips.json.xz", "ips.json;"},
		{"gzip", "x.tgz", "x.tar;"},
		{"gzip", NULL, "data;"},
		{"gzip", "noext", "data;"},
	};
	struct mem m[] = {{"data", csv, sizeof csv - 1}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		size_t len;
		unsigned char *z = fixture_archive("raw", rows[i].filter, NULL, NULL, m, 1, &len);
		char names[256], data[256];
		const char *row = rows[i].outer ? rows[i].outer : "(null)";
		assert_int_eq_msg(row, read_all(z, len, rows[i].outer, 100, names, sizeof names, data,
						sizeof data), ARC_END);
		assert_str_eq_msg(row, names, rows[i].want);
		assert_str_eq_msg(row, data, csv);
		free(z);
	}
}

static void test_errors(void **state)
{
	(void)state;
	char names[256], data[256];
	/* Plain text is not an archive, whatever the caller thought. */
	assert_int_eq_msg("text", read_all("hello world\n", 12, "a.zip", 100, names, sizeof names,
					   data, sizeof data), ARC_CORRUPT);
	assert_int_eq_msg("text magic", arc_magic("hello world\n", 12), 0);
	static const char junk[] = "PK\x03\x04\x14\x00\x00\x00\x08\x00garbage-that-is-no-zip";
	assert_int_eq_msg("junk zip", read_all(junk, sizeof junk - 1, "a.zip", 100, names,
					       sizeof names, data, sizeof data), ARC_CORRUPT);
	/* An empty zip is a valid one. */
	size_t len;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, NULL, 0, &len);
	assert_int_eq_msg("empty zip", read_all(z, len, NULL, 100, names, sizeof names, data,
						sizeof data), ARC_END);
	assert_str_eq_msg("empty zip", names, "");
	free(z);
	/* Cut in the middle of the data. */
	static char big[100000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + (i * 7919u) % 26);
	struct mem m[] = {{"big.txt", big, sizeof big}};
	z = fixture_archive("ustar", "gzip", NULL, NULL, m, 1, &len);
	assert_int_eq_msg("cut tar.gz", read_all(z, len / 2, NULL, 100, names, sizeof names, data,
						 sizeof data), ARC_CORRUPT);
	free(z);
}

static void test_encrypted(void **state)
{
	(void)state;
	struct mem m[] = {{"secret.csv", csv, sizeof csv - 1}, {"open.csv", csv, sizeof csv - 1}};
	size_t len;
	unsigned char *z = fixture_archive("zip", NULL, "zip:encryption=zipcrypt", "geheim", m, 2, &len);
	char names[256], data[256];
	assert_int_eq_msg("zipcrypt", read_all(z, len, NULL, 100, names, sizeof names, data,
					       sizeof data), ARC_END);
	assert_str_eq_msg("zipcrypt", names, "secret.csv(enc);open.csv(enc);");
	/* Reading an encrypted member anyway says why it failed. */
	enum arc_status st;
	struct arc *a = arc_open(z, len, NULL, 100, &st);
	struct arc_entry e;
	assert_int_equal(arc_next(a, &e), ARC_OK);
	char chunk[64];
	assert_int_eq_msg("read encrypted", arc_read(a, chunk, sizeof chunk, &st), -1);
	assert_int_eq_msg("read encrypted status", st, ARC_ENCRYPTED);
	arc_close(a);
	free(z);
}

/* The ratio stops a bomb after the floor, mid-member. */
static void test_ratio(void **state)
{
	(void)state;
	size_t n = 8u << 20, len;
	char *zeros = calloc(1, n);
	assert_non_null(zeros);
	struct mem m[] = {{"zeros", zeros, n}};
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &len);
	enum arc_status st;
	struct arc *a = arc_open(z, len, NULL, 20, &st);
	struct arc_entry e;
	assert_int_equal(arc_next(a, &e), ARC_OK);
	ssize_t r;
	char chunk[65536];
	while ((r = arc_read(a, chunk, sizeof chunk, &st)) > 0)
		;
	assert_int_eq_msg("bomb", r, -1);
	assert_int_eq_msg("bomb status", st, ARC_RATIO);
	if (arc_unpacked(a) > ARC_RATIO_FLOOR + 2 * sizeof chunk)
		fail_msg("bomb: unpacked %llu, want about %u",
			 (unsigned long long)arc_unpacked(a), ARC_RATIO_FLOOR);
	arc_close(a);
	/* No ratio limit: the whole member reads. */
	char names[64];
	static char data[16];
	assert_int_eq_msg("no limit", read_all(z, len, NULL, 0, names, sizeof names, data,
					       sizeof data), ARC_END);
	free(z);
	free(zeros);
}

static void test_office(void **state)
{
	(void)state;
	struct mem ooxml[] = {{"[Content_Types].xml", "<Types/>", 8}, {"word/document.xml", "<x/>", 4}};
	static const char mt[] = "application/vnd.oasis.opendocument.text";
	struct mem odf[] = {{"mimetype", mt, sizeof mt - 1}, {"content.xml", "<x/>", 4}};
	struct mem plain[] = {{"a.csv", csv, sizeof csv - 1}};
	size_t l1, l2, l3;
	unsigned char *z1 = fixture_archive("zip", NULL, NULL, NULL, ooxml, 2, &l1);
	unsigned char *z2 = fixture_archive("zip", NULL, "zip:compression=store", NULL, odf, 2, &l2);
	unsigned char *z3 = fixture_archive("zip", NULL, NULL, NULL, plain, 1, &l3);
	assert_int_eq_msg("ooxml by member", arc_office_kind(z1, l1, NULL, NULL), ARC_OFFICE_OOXML);
	assert_int_eq_msg("odf by mimetype", arc_office_kind(z2, l2, NULL, NULL), ARC_OFFICE_ODF);
	assert_int_eq_msg("plain zip", arc_office_kind(z3, l3, "application/zip", "a.zip"),
			  ARC_OFFICE_NONE);
	assert_int_eq_msg("by type", arc_office_kind(z3, l3,
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL),
		ARC_OFFICE_OOXML);
	assert_int_eq_msg("by name", arc_office_kind(z3, l3, NULL, "Sheet.ODS"), ARC_OFFICE_ODF);
	assert_int_eq_msg("not a zip", arc_office_kind("\xd0\xcf\x11\xe0", 4, NULL, "a.docx"),
			  ARC_OFFICE_NONE);
	free(z1);
	free(z2);
	free(z3);
}

/* Zip members whose mode bits say device, socket, FIFO, directory or
 * symlink are read with their data, like unzip -p and Python's zipfile;
 * a real directory without data stays out. */
static void test_zip_modes(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned mode;
		bool slash;
	} rows[] = {
		{"char device", 020644, false}, {"block device", 060644, false},
		{"socket", 0140644, false},	{"fifo", 010644, false},
		{"directory", 040755, false},	{"directory named with /", 040755, true},
		{"symlink", 0120777, false},	{"regular", 0100644, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct mem m[] = {{"d", "", 0}, {"x.csv", "193.0.6.139\n145.97.39.155\n", 26}};
		size_t len;
		unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 2, &len);
		zip_set_mode(z, len, 0, 040755, true);
		zip_set_mode(z, len, 1, rows[i].mode, rows[i].slash);
		char names[256], data[256];
		enum arc_status st = read_all(z, len, "m.zip", 100, names, sizeof names, data,
					      sizeof data);
		assert_int_eq_msg(rows[i].name, st, ARC_END);
		/* The member is read (a trailing '/' made '_'); the empty
		 * directory "d/" before it stays a directory. */
		if (strstr(names, "x.csv") == NULL)
			fail_msg("%s: member missing: %s", rows[i].name, names);
		assert_str_eq_msg(rows[i].name, data, "193.0.6.139\n145.97.39.155\n");
		free(z);
	}
}

/* The data of a hidden member reaches the reader. */
static void test_zip_mode_data(void **state)
{
	(void)state;
	struct mem m[] = {{"dev.csv", "193.0.6.139\n", 12}};
	size_t len;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &len);
	zip_set_mode(z, len, 0, 020644, false);
	char names[256], data[256];
	assert_int_equal(read_all(z, len, "m.zip", 100, names, sizeof names, data, sizeof data),
			 ARC_END);
	assert_string_equal(data, "193.0.6.139\n");
	free(z);
}

/* A bare LZMA stream (lzma_alone) is compressed data; text that starts
 * with the same byte is not. */
static void test_lzma_magic(void **state)
{
	(void)state;
	struct mem m[] = {{"data", csv, sizeof csv - 1}};
	size_t len;
	unsigned char *z = fixture_archive("raw", "lzma", NULL, NULL, m, 1, &len);
	assert_int_eq_msg("lzma_alone", arc_magic(z, len), 1);
	char names[256], data[256];
	assert_int_equal(read_all(z, len, "x.lzma", 100, names, sizeof names, data, sizeof data),
			 ARC_END);
	assert_string_equal(data, csv);
	assert_int_eq_msg("text with 0x5d", arc_magic("]abcdefghijklmnop", 17), 0);
	free(z);
}

/* Names with control characters or too long are made safe. */
static void test_names(void **state)
{
	(void)state;
	char longname[400];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	struct mem m[] = {{"bad\x01\x1fname.txt", "x", 1}, {longname, "y", 1}};
	size_t len;
	unsigned char *z = fixture_archive("ustar", NULL, NULL, NULL, m, 1, &len);
	char names[1024], data[16];
	assert_int_eq_msg("ctl", read_all(z, len, NULL, 100, names, sizeof names, data, sizeof data),
			  ARC_END);
	assert_str_eq_msg("ctl", names, "bad??name.txt;");
	free(z);
	z = fixture_archive("pax", NULL, NULL, NULL, m + 1, 1, &len);
	assert_int_eq_msg("long", read_all(z, len, NULL, 100, names, sizeof names, data, sizeof data),
			  ARC_END);
	assert_int_eq_msg("long name cut", strlen(names), ARC_NAME_MAX + 1);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats), cmocka_unit_test(test_raw),
		cmocka_unit_test(test_errors),	cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_ratio),	cmocka_unit_test(test_office),
		cmocka_unit_test(test_names),	cmocka_unit_test(test_zip_modes),
		cmocka_unit_test(test_zip_mode_data), cmocka_unit_test(test_lzma_magic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
