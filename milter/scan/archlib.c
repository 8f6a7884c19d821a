/*
 * archlib.c - libarchive, loaded with dlopen() on first use (archlib.h
 * says when; the loading is base/dynlib.c's).
 *
 * Public functions: arc_lib_load() (archive.h).
 * Limits: none of its own.
 */
#include "grondslag/base/dynlib.h"
#include "archlib.h"

/* The ABI of libarchive.so.13, Debian's package libarchive13 (a test
 * program builds this file with one that is not there). */
#ifndef ARCHLIB_SONAME
#define ARCHLIB_SONAME "libarchive.so.13"
#endif

static struct archlib table;
const struct archlib *const archlib = &table;

/* Each entry of struct archlib and libarchive's name for it. */
static const struct dynlib_sym symbols[] = {
	{"archive_entry_filetype", offsetof(struct archlib, entry_filetype)},
	{"archive_entry_hardlink", offsetof(struct archlib, entry_hardlink)},
	{"archive_entry_is_encrypted", offsetof(struct archlib, entry_is_encrypted)},
	{"archive_entry_pathname", offsetof(struct archlib, entry_pathname)},
	{"archive_entry_pathname_utf8", offsetof(struct archlib, entry_pathname_utf8)},
	{"archive_entry_size", offsetof(struct archlib, entry_size)},
	{"archive_entry_size_is_set", offsetof(struct archlib, entry_size_is_set)},
	{"archive_entry_symlink", offsetof(struct archlib, entry_symlink)},
	{"archive_entry_symlink_utf8", offsetof(struct archlib, entry_symlink_utf8)},
	{"archive_error_string", offsetof(struct archlib, error_string)},
	{"archive_filter_code", offsetof(struct archlib, filter_code)},
	{"archive_filter_count", offsetof(struct archlib, filter_count)},
	{"archive_format", offsetof(struct archlib, format)},
	{"archive_read_data", offsetof(struct archlib, read_data)},
	{"archive_read_data_skip", offsetof(struct archlib, read_data_skip)},
	{"archive_read_free", offsetof(struct archlib, read_free)},
	{"archive_read_has_encrypted_entries", offsetof(struct archlib, read_has_encrypted_entries)},
	{"archive_read_new", offsetof(struct archlib, read_new)},
	{"archive_read_next_header", offsetof(struct archlib, read_next_header)},
	{"archive_read_open_memory", offsetof(struct archlib, read_open_memory)},
	{"archive_read_support_filter_bzip2", offsetof(struct archlib, read_support_filter_bzip2)},
	{"archive_read_support_filter_compress", offsetof(struct archlib, read_support_filter_compress)},
	{"archive_read_support_filter_gzip", offsetof(struct archlib, read_support_filter_gzip)},
	{"archive_read_support_filter_lz4", offsetof(struct archlib, read_support_filter_lz4)},
	{"archive_read_support_filter_lzip", offsetof(struct archlib, read_support_filter_lzip)},
	{"archive_read_support_filter_lzma", offsetof(struct archlib, read_support_filter_lzma)},
	{"archive_read_support_filter_xz", offsetof(struct archlib, read_support_filter_xz)},
	{"archive_read_support_filter_zstd", offsetof(struct archlib, read_support_filter_zstd)},
	{"archive_read_support_format_7zip", offsetof(struct archlib, read_support_format_7zip)},
	{"archive_read_support_format_ar", offsetof(struct archlib, read_support_format_ar)},
	{"archive_read_support_format_cab", offsetof(struct archlib, read_support_format_cab)},
	{"archive_read_support_format_cpio", offsetof(struct archlib, read_support_format_cpio)},
	{"archive_read_support_format_iso9660", offsetof(struct archlib, read_support_format_iso9660)},
	{"archive_read_support_format_lha", offsetof(struct archlib, read_support_format_lha)},
	{"archive_read_support_format_rar", offsetof(struct archlib, read_support_format_rar)},
	{"archive_read_support_format_rar5", offsetof(struct archlib, read_support_format_rar5)},
	{"archive_read_support_format_raw", offsetof(struct archlib, read_support_format_raw)},
	{"archive_read_support_format_tar", offsetof(struct archlib, read_support_format_tar)},
	{"archive_read_support_format_xar", offsetof(struct archlib, read_support_format_xar)},
	{"archive_read_support_format_zip", offsetof(struct archlib, read_support_format_zip)},
};

/* The table has one entry per name above: no member left NULL. */
_Static_assert(sizeof symbols / sizeof symbols[0] * sizeof(void *) == sizeof(struct archlib),
	       "struct archlib and symbols[] name the same functions");

static struct dynlib lib = {
	.what = "the archive library",
	.need = "archives are scanned with the package libarchive13",
	.syms = symbols,
	.nsyms = sizeof symbols / sizeof symbols[0],
	.table = &table,
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

int arc_lib_load(char *why, size_t whylen)
{
	return dynlib_load(&lib, ARCHLIB_SONAME, why, whylen);
}
