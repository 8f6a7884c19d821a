/*
 * fixture_archive.h - build archives in memory with libarchive's writer,
 * for tests that need zips, tars, 7z or encrypted zips: binary fixtures
 * are made by the tests, never committed.  Include after testutil.h.
 */
#ifndef GRONDSLAG_FIXTURE_ARCHIVE_H
#define GRONDSLAG_FIXTURE_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

/* One member: name, bytes. */
struct mem {
	const char *name;
	const void *data;
	size_t len;
};

/* An archive in memory: format/filter by libarchive name. */
static unsigned char *fixture_archive(const char *format, const char *filter, const char *options,
				      const char *passphrase, const struct mem *m, size_t n, size_t *out_len)
{
	size_t cap = 1 << 20;
	for (size_t i = 0; i < n; i++)
		cap += m[i].len + 1024;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	assert_non_null(buf);
	assert_int_equal(archive_write_set_format_by_name(a, format), ARCHIVE_OK);
	if (filter != NULL)
		assert_int_equal(archive_write_add_filter_by_name(a, filter), ARCHIVE_OK);
	if (options != NULL)
		assert_int_equal(archive_write_set_options(a, options), ARCHIVE_OK);
	if (passphrase != NULL)
		assert_int_equal(archive_write_set_passphrase(a, passphrase), ARCHIVE_OK);
	size_t used = 0;
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_size(e, (la_int64_t)m[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, m[i].data, m[i].len), (la_ssize_t)m[i].len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	*out_len = used;
	return buf;
}

/* Set the Unix mode of member i in a zip's central directory, as a
 * hostile zip would (libarchive's writer only writes regular files). */
static void zip_set_mode(unsigned char *z, size_t len, unsigned i, unsigned mode, bool slash)
{
	size_t e = len - 22;
	assert_memory_equal(z + e, "PK\x05\x06", 4);
	size_t off = (size_t)z[e + 16] | (size_t)z[e + 17] << 8 | (size_t)z[e + 18] << 16;
	for (unsigned k = 0;; k++) {
		assert_memory_equal(z + off, "PK\x01\x02", 4);
		size_t nl = z[off + 28] | z[off + 29] << 8;
		if (k == i) {
			z[off + 5] = 3;	/* made on Unix */
			z[off + 40] = 0;
			z[off + 41] = 0;
			z[off + 38 + 2] = (unsigned char)mode;
			z[off + 38 + 3] = (unsigned char)(mode >> 8);
			if (slash)
				z[off + 46 + nl - 1] = '/';
			return;
		}
		off += 46 + nl + (z[off + 30] | z[off + 31] << 8) + (z[off + 32] | z[off + 33] << 8);
	}
}

#endif
