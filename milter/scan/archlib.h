/*
 * archlib.h - libarchive loaded when the first archive is opened, not
 * when a program starts (base/dynlib.h says why): private to archive.c,
 * which includes it instead of archive.h and archive_entry.h (it includes
 * them for libarchive's types).  The daemon loads it at its start
 * (arc_lib_load()), so a host without it refuses to start; the CLI when
 * a scan meets an archive (arc_open()).
 *
 * After arc_lib_load() has succeeded, archive.c calls libarchive by its
 * own names: each function it uses is a macro below that calls through
 * the table archlib.c filled.  A function used without its entry here is
 * an undefined reference at link time (no program is linked with
 * libarchive), never a silent new dependency: add it to struct archlib,
 * to the names in archlib.c and here.
 */
#ifndef GRONDSLAG_SCAN_ARCHLIB_H
#define GRONDSLAG_SCAN_ARCHLIB_H

#include <archive.h>
#include <archive_entry.h>

#include "grondslag/scan/archive.h"

/* libarchive's functions archive.c uses, each with libarchive's type. */
struct archlib {
	__typeof__(archive_entry_filetype) *entry_filetype;
	__typeof__(archive_entry_hardlink) *entry_hardlink;
	__typeof__(archive_entry_is_encrypted) *entry_is_encrypted;
	__typeof__(archive_entry_pathname) *entry_pathname;
	__typeof__(archive_entry_pathname_utf8) *entry_pathname_utf8;
	__typeof__(archive_entry_size) *entry_size;
	__typeof__(archive_entry_size_is_set) *entry_size_is_set;
	__typeof__(archive_entry_symlink) *entry_symlink;
	__typeof__(archive_entry_symlink_utf8) *entry_symlink_utf8;
	__typeof__(archive_error_string) *error_string;
	__typeof__(archive_filter_code) *filter_code;
	__typeof__(archive_filter_count) *filter_count;
	__typeof__(archive_format) *format;
	__typeof__(archive_read_data) *read_data;
	__typeof__(archive_read_data_skip) *read_data_skip;
	__typeof__(archive_read_free) *read_free;
	__typeof__(archive_read_has_encrypted_entries) *read_has_encrypted_entries;
	__typeof__(archive_read_new) *read_new;
	__typeof__(archive_read_next_header) *read_next_header;
	__typeof__(archive_read_open_memory) *read_open_memory;
	__typeof__(archive_read_support_filter_bzip2) *read_support_filter_bzip2;
	__typeof__(archive_read_support_filter_compress) *read_support_filter_compress;
	__typeof__(archive_read_support_filter_gzip) *read_support_filter_gzip;
	__typeof__(archive_read_support_filter_lz4) *read_support_filter_lz4;
	__typeof__(archive_read_support_filter_lzip) *read_support_filter_lzip;
	__typeof__(archive_read_support_filter_lzma) *read_support_filter_lzma;
	__typeof__(archive_read_support_filter_xz) *read_support_filter_xz;
	__typeof__(archive_read_support_filter_zstd) *read_support_filter_zstd;
	__typeof__(archive_read_support_format_7zip) *read_support_format_7zip;
	__typeof__(archive_read_support_format_ar) *read_support_format_ar;
	__typeof__(archive_read_support_format_cab) *read_support_format_cab;
	__typeof__(archive_read_support_format_cpio) *read_support_format_cpio;
	__typeof__(archive_read_support_format_iso9660) *read_support_format_iso9660;
	__typeof__(archive_read_support_format_lha) *read_support_format_lha;
	__typeof__(archive_read_support_format_rar) *read_support_format_rar;
	__typeof__(archive_read_support_format_rar5) *read_support_format_rar5;
	__typeof__(archive_read_support_format_raw) *read_support_format_raw;
	__typeof__(archive_read_support_format_tar) *read_support_format_tar;
	__typeof__(archive_read_support_format_xar) *read_support_format_xar;
	__typeof__(archive_read_support_format_zip) *read_support_format_zip;
};

/* The table, to be used only after a successful load. */
extern const struct archlib *const archlib;

#define archive_entry_filetype(...) (archlib->entry_filetype(__VA_ARGS__))
#define archive_entry_hardlink(...) (archlib->entry_hardlink(__VA_ARGS__))
#define archive_entry_is_encrypted(...) (archlib->entry_is_encrypted(__VA_ARGS__))
#define archive_entry_pathname(...) (archlib->entry_pathname(__VA_ARGS__))
#define archive_entry_pathname_utf8(...) (archlib->entry_pathname_utf8(__VA_ARGS__))
#define archive_entry_size(...) (archlib->entry_size(__VA_ARGS__))
#define archive_entry_size_is_set(...) (archlib->entry_size_is_set(__VA_ARGS__))
#define archive_entry_symlink(...) (archlib->entry_symlink(__VA_ARGS__))
#define archive_entry_symlink_utf8(...) (archlib->entry_symlink_utf8(__VA_ARGS__))
#define archive_error_string(...) (archlib->error_string(__VA_ARGS__))
#define archive_filter_code(...) (archlib->filter_code(__VA_ARGS__))
#define archive_filter_count(...) (archlib->filter_count(__VA_ARGS__))
#define archive_format(...) (archlib->format(__VA_ARGS__))
#define archive_read_data(...) (archlib->read_data(__VA_ARGS__))
#define archive_read_data_skip(...) (archlib->read_data_skip(__VA_ARGS__))
#define archive_read_free(...) (archlib->read_free(__VA_ARGS__))
#define archive_read_has_encrypted_entries(...) (archlib->read_has_encrypted_entries(__VA_ARGS__))
#define archive_read_new(...) (archlib->read_new(__VA_ARGS__))
#define archive_read_next_header(...) (archlib->read_next_header(__VA_ARGS__))
#define archive_read_open_memory(...) (archlib->read_open_memory(__VA_ARGS__))
#define archive_read_support_filter_bzip2(...) (archlib->read_support_filter_bzip2(__VA_ARGS__))
#define archive_read_support_filter_compress(...) (archlib->read_support_filter_compress(__VA_ARGS__))
#define archive_read_support_filter_gzip(...) (archlib->read_support_filter_gzip(__VA_ARGS__))
#define archive_read_support_filter_lz4(...) (archlib->read_support_filter_lz4(__VA_ARGS__))
#define archive_read_support_filter_lzip(...) (archlib->read_support_filter_lzip(__VA_ARGS__))
#define archive_read_support_filter_lzma(...) (archlib->read_support_filter_lzma(__VA_ARGS__))
#define archive_read_support_filter_xz(...) (archlib->read_support_filter_xz(__VA_ARGS__))
#define archive_read_support_filter_zstd(...) (archlib->read_support_filter_zstd(__VA_ARGS__))
#define archive_read_support_format_7zip(...) (archlib->read_support_format_7zip(__VA_ARGS__))
#define archive_read_support_format_ar(...) (archlib->read_support_format_ar(__VA_ARGS__))
#define archive_read_support_format_cab(...) (archlib->read_support_format_cab(__VA_ARGS__))
#define archive_read_support_format_cpio(...) (archlib->read_support_format_cpio(__VA_ARGS__))
#define archive_read_support_format_iso9660(...) (archlib->read_support_format_iso9660(__VA_ARGS__))
#define archive_read_support_format_lha(...) (archlib->read_support_format_lha(__VA_ARGS__))
#define archive_read_support_format_rar(...) (archlib->read_support_format_rar(__VA_ARGS__))
#define archive_read_support_format_rar5(...) (archlib->read_support_format_rar5(__VA_ARGS__))
#define archive_read_support_format_raw(...) (archlib->read_support_format_raw(__VA_ARGS__))
#define archive_read_support_format_tar(...) (archlib->read_support_format_tar(__VA_ARGS__))
#define archive_read_support_format_xar(...) (archlib->read_support_format_xar(__VA_ARGS__))
#define archive_read_support_format_zip(...) (archlib->read_support_format_zip(__VA_ARGS__))

#endif
