/*
 * archive.c - read archives from memory with libarchive (see archive.h).
 *
 * Formats are enabled one by one rather than with _all(): mtree and warc
 * would claim plain text, and the "program" filters (lrzip, lzop, grzip)
 * would fork external tools on hostile input.  The raw format reads a bare
 * compressed file as one member; raw data under no filter at all is not
 * an archive, and is reported as corrupt (the magic lied).
 *
 * libarchive is loaded on the first arc_open() (archlib.c), not linked.
 *
 * Limits: the expansion ratio is checked after every chunk handed out
 * (see arc_read); member names are cut to ARC_NAME_MAX bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/log.h"
#include "grondslag/scan/archive.h"
#include "archlib.h"

struct arc {
	struct archive *la;
	uint64_t packed;
	uint64_t unpacked;
	unsigned max_ratio;
	bool first;		/* no member read yet */
	bool dead;		/* libarchive reported a fatal error */
	unsigned char *patched;	/* a zip with hidden members unhidden, or NULL */
	char raw_name[ARC_NAME_MAX + 1];
};

bool arc_magic(const void *buf, size_t len)
{
	static const struct {
		size_t off, len;
		const char *magic;
	} magics[] = {
		{0, 4, "PK\x03\x04"}, {0, 4, "PK\x05\x06"}, {0, 4, "PK\x07\x08"},
		{0, 2, "\x1f\x8b"}, {0, 3, "BZh"}, {0, 6, "\xfd" "7zXZ\x00"},
		{0, 6, "7z\xbc\xaf\x27\x1c"}, {0, 6, "Rar!\x1a\x07"}, {0, 4, "\x28\xb5\x2f\xfd"},
		{0, 4, "LZIP"}, {0, 2, "\x1f\x9d"}, {0, 4, "\x04\x22\x4d\x18"}, {0, 4, "MSCF"},
		{0, 6, "070701"}, {0, 6, "070707"}, {0, 6, "070702"}, {257, 5, "ustar"},
	};
	const unsigned char *p = buf;
	/* A bare LZMA ("lzma_alone") stream has no magic: properties byte
	 * (lc/lp/pb below 225), a dictionary size of 2^n or 2^n + 2^(n-1)
	 * (at least 4 KiB) and an unpacked size that is unknown (all ones) or
	 * below 2^40. */
	if (len >= 13 && p[0] < 225) {
		uint32_t d = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 |
			     (uint32_t)p[4] << 24;
		bool unknown = true, small = p[10] == 0 && p[11] == 0 && p[12] == 0;
		for (int i = 5; i < 13; i++)
			unknown = unknown && p[i] == 0xff;
		uint32_t top = d & (d - 1) ? d & (d - 1) : d;	/* d without its lowest bit */
		bool pow = d >= 4096 && ((d & (d - 1)) == 0 || (top & (top - 1)) == 0);
		if (pow && (unknown || small) && p[0] == 0x5d)
			return true;
	}
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if (len >= magics[i].off + magics[i].len &&
		    memcmp(p + magics[i].off, magics[i].magic, magics[i].len) == 0)
			return true;
	return false;
}

/* The member name of a bare compressed file: its own name minus the
 * compression suffix ("list.csv.gz" -> "list.csv"), else "data". */
static void raw_member_name(char *out, const char *outer)
{
	static const char *const sfx[] = {".gz", ".gzip", ".bz2", ".xz", ".lzma", ".zst",
					  ".lz", ".lz4", ".z", ".tgz", NULL};
	strcpy(out, "data");
	if (outer == NULL || *outer == '\0')
		return;
	const char *base = strrchr(outer, '/');
	base = base ? base + 1 : outer;
	size_t n = strlen(base);
	for (const char *const *s = sfx; *s; s++) {
		size_t k = strlen(*s);
		if (n > k && n - k <= ARC_NAME_MAX && strcasecmp(base + n - k, *s) == 0) {
			memcpy(out, base, n - k);
			out[n - k] = '\0';
			if (strcasecmp(*s, ".tgz") == 0 && n - k + 4 <= ARC_NAME_MAX)
				strcat(out, ".tar");
			return;
		}
	}
}

static uint32_t rd16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t rd32(const unsigned char *p)
{
	return rd16(p) | rd16(p + 2) << 16;
}

static void wr32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The offset of a zip's end-of-central-directory record, or -1. */
static long zip_eocd(const unsigned char *p, size_t len)
{
	if (len < 22)
		return -1;
	size_t lo = len > 22 + 65535 ? len - 22 - 65535 : 0;
	for (size_t i = len - 22 + 1; i-- > lo;)
		if (memcmp(p + i, "PK\x05\x06", 4) == 0)
			return (long)i;
	return -1;
}

/* Make one central-directory entry of a member with data a regular file:
 * Unix mode bits (device, socket, FIFO, directory, symlink), the MS-DOS
 * directory bit and a trailing '/' in the name (also in the local
 * header at loc, when it is there).  Returns whether it changed. */
static bool zip_unhide_entry(unsigned char *c, unsigned char *base, size_t len, long shift)
{
	uint32_t csize = rd32(c + 20), usize = rd32(c + 24), attr = rd32(c + 38);
	size_t nlen = rd16(c + 28);
	if (csize == 0 && usize == 0)
		return false;	/* no data: a real directory or empty file */
	bool changed = false;
	uint32_t type = (attr >> 16) & 0170000;
	if (c[5] == 3 && type != 0 && type != 0100000) {
		attr = (attr & ~(0170000u << 16)) | (0100000u << 16);
		changed = true;
	}
	if (attr & 0x10) {
		attr &= ~0x10u;
		changed = true;
	}
	wr32(c + 38, attr);
	if (nlen > 0 && c[46 + nlen - 1] == '/') {
		c[46 + nlen - 1] = '_';
		changed = true;
		long loc = (long)rd32(c + 42) + shift;
		if (loc >= 0 && (size_t)loc + 30 <= len && memcmp(base + loc, "PK\x03\x04", 4) == 0 &&
		    rd16(base + loc + 26) == nlen && (size_t)loc + 30 + nlen <= len &&
		    base[loc + 30 + nlen - 1] == '/')
			base[loc + 30 + nlen - 1] = '_';
	}
	return changed;
}

/* Unzip and Python's zipfile hand out the data of a member whatever its
 * mode bits say; libarchive returns nothing for a "device" or
 * "directory" that carries data.  So a copy of the zip is made with every
 * member that has data marked a regular file (NULL: nothing to change,
 * or not a zip we can walk; *nomem on allocation failure). */
static unsigned char *zip_unhide(const unsigned char *p, size_t len, bool *nomem)
{
	*nomem = false;
	long e = zip_eocd(p, len);
	if (e < 0 || memcmp(p, "PK", 2) != 0)
		return NULL;
	uint32_t cdsize = rd32(p + e + 12), cdoff = rd32(p + e + 16);
	if (cdsize > (uint32_t)e)
		return NULL;
	/* Data prepended to the zip (self-extractors) shifts every offset. */
	long start = e - (long)cdsize, shift = start - (long)cdoff;
	unsigned char *copy = NULL;
	size_t off = (size_t)start;
	/* Every entry the directory holds, not the end record's count: the
	 * readers (libarchive, unzip, zipfile) go by the directory's size. */
	for (;;) {
		if (off + 46 > (size_t)e || memcmp(p + off, "PK\x01\x02", 4) != 0)
			break;
		size_t step = 46 + rd16(p + off + 28) + rd16(p + off + 30) + rd16(p + off + 32);
		if (off + step > (size_t)e)
			break;
		uint32_t attr = rd32(p + off + 38), type = (attr >> 16) & 0170000;
		bool suspect = (p[off + 5] == 3 && type != 0 && type != 0100000) || (attr & 0x10) ||
			       (rd16(p + off + 28) > 0 && p[off + 46 + rd16(p + off + 28) - 1] == '/');
		if (suspect && copy == NULL) {
			if ((copy = malloc(len)) == NULL) {
				*nomem = true;
				return NULL;
			}
			memcpy(copy, p, len);
		}
		if (suspect)
			(void)zip_unhide_entry(copy + off, copy, len, shift);
		off += step;
	}
	return copy;
}

struct arc *arc_open(const void *buf, size_t len, const char *outer_name, unsigned max_ratio,
		     enum arc_status *st)
{
	char why[512];
	if (arc_lib_load(why, sizeof why) != 0) {
		/* the part is held as unscannable; the operator learns why once */
		static int said;
		if (!__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
			log_msg(LOG_ERR, "%s", why);
		*st = ARC_NOLIB;
		return NULL;
	}
	struct arc *a = calloc(1, sizeof *a);
	if (a == NULL || (a->la = archive_read_new()) == NULL) {
		free(a);
		*st = ARC_NOMEM;
		return NULL;
	}
	struct archive *la = a->la;
	archive_read_support_format_7zip(la);
	archive_read_support_format_ar(la);
	archive_read_support_format_cab(la);
	archive_read_support_format_cpio(la);
	archive_read_support_format_iso9660(la);
	archive_read_support_format_lha(la);
	archive_read_support_format_rar(la);
	archive_read_support_format_rar5(la);
	archive_read_support_format_tar(la);
	archive_read_support_format_xar(la);
	archive_read_support_format_zip(la);
	archive_read_support_format_raw(la);
	archive_read_support_filter_gzip(la);
	archive_read_support_filter_bzip2(la);
	archive_read_support_filter_xz(la);
	archive_read_support_filter_lzma(la);
	archive_read_support_filter_lzip(la);
	archive_read_support_filter_zstd(la);
	archive_read_support_filter_lz4(la);
	archive_read_support_filter_compress(la);
	a->packed = len;
	a->max_ratio = max_ratio;
	a->first = true;
	raw_member_name(a->raw_name, outer_name);
	bool nomem;
	if ((a->patched = zip_unhide(buf, len, &nomem)) != NULL)
		buf = a->patched;
	if (nomem || archive_read_open_memory(la, buf, len) != ARCHIVE_OK) {
		archive_read_free(la);
		free(a->patched);
		free(a);
		if (nomem) {
			*st = ARC_NOMEM;
			return NULL;
		}
		*st = ARC_CORRUPT;
		return NULL;
	}
	*st = ARC_OK;
	return a;
}

/* Why libarchive failed: a missing passphrase, or damage. */
static enum arc_status failure(struct arc *a)
{
	const char *msg = archive_error_string(a->la);
	if (archive_read_has_encrypted_entries(a->la) > 0)
		return ARC_ENCRYPTED;
	if (msg != NULL && (strcasestr(msg, "passphrase") != NULL ||
			    strcasestr(msg, "encrypt") != NULL || strcasestr(msg, "password") != NULL))
		return ARC_ENCRYPTED;
	return ARC_CORRUPT;
}

/* Copy a member name, cut at a UTF-8 boundary, control characters
 * replaced so that paths stay printable. */
static void copy_name(char *out, const char *in)
{
	size_t n = strlen(in);
	if (n > ARC_NAME_MAX) {
		n = ARC_NAME_MAX;
		while (n > 0 && ((unsigned char)in[n] & 0xc0) == 0x80)
			n--;
	}
	clean_copy(out, n + 1, in, n, 0);
	if (n == 0)
		strcpy(out, "?");
}

/* Raw data under no compression filter is not an archive at all. */
static bool raw_without_filter(struct archive *la)
{
	if (archive_format(la) != ARCHIVE_FORMAT_RAW)
		return false;
	for (int i = 0; i < archive_filter_count(la); i++)
		if (archive_filter_code(la, i) != ARCHIVE_FILTER_NONE)
			return false;
	return true;
}

enum arc_status arc_next(struct arc *a, struct arc_entry *e)
{
	struct archive_entry *ent = NULL;
	if (a->dead)
		return ARC_CORRUPT;
	int r = archive_read_next_header(a->la, &ent);
	if (r == ARCHIVE_EOF)
		return ARC_END;	/* an empty archive is a valid one */
	if (r < ARCHIVE_WARN || ent == NULL) {
		a->dead = true;
		return failure(a);
	}
	if (a->first && raw_without_filter(a->la)) {
		a->dead = true;
		return ARC_CORRUPT;
	}
	a->first = false;
	memset(e, 0, sizeof *e);
	if (archive_format(a->la) == ARCHIVE_FORMAT_RAW) {
		strcpy(e->name, a->raw_name);
	} else {
		const char *name = archive_entry_pathname_utf8(ent);
		if (name == NULL)
			name = archive_entry_pathname(ent);
		copy_name(e->name, name ? name : "?");
	}
	mode_t type = archive_entry_filetype(ent);
	e->regular = type == AE_IFREG || type == 0;
	e->encrypted = archive_entry_is_encrypted(ent) != 0;
	e->size = archive_entry_size_is_set(ent) ? archive_entry_size(ent) : -1;
	const char *link = archive_entry_symlink_utf8(ent);
	if (link == NULL)
		link = archive_entry_symlink(ent);
	if (link == NULL)
		link = archive_entry_hardlink(ent);
	if (link != NULL) {
		size_t n = strlen(link);
		e->link_cut = n > ARC_LINK_MAX;
		memcpy(e->link, link, e->link_cut ? ARC_LINK_MAX : n);
		e->link[e->link_cut ? ARC_LINK_MAX : n] = '\0';
	}
	return ARC_OK;
}

ssize_t arc_read(struct arc *a, void *buf, size_t n, enum arc_status *st)
{
	if (a->dead) {
		*st = ARC_CORRUPT;
		return -1;
	}
	la_ssize_t r = archive_read_data(a->la, buf, n);
	if (r < 0) {
		*st = failure(a);
		if (r == ARCHIVE_FATAL)
			a->dead = true;
		return -1;
	}
	a->unpacked += (uint64_t)r;
	/* Zip-bomb defence: checked on every chunk, so the member is never
	 * unpacked further than one chunk past the limit. */
	if (a->max_ratio > 0 && a->unpacked > ARC_RATIO_FLOOR &&
	    a->unpacked / a->max_ratio >= (a->packed ? a->packed : 1)) {
		*st = ARC_RATIO;
		return -1;
	}
	*st = ARC_OK;
	return (ssize_t)r;
}

enum arc_status arc_skip(struct arc *a)
{
	if (a->dead)
		return ARC_CORRUPT;
	int r = archive_read_data_skip(a->la);
	if (r == ARCHIVE_OK || r == ARCHIVE_WARN)
		return ARC_OK;
	if (r == ARCHIVE_FATAL)
		a->dead = true;
	return failure(a);
}

ssize_t arc_read_budget(struct arc *a, void *buf, size_t n, const struct arc_budget *b,
			enum arc_status *st)
{
	*st = ARC_OK;
	if (!b->charge(b->arg, 0))
		return -1;
	ssize_t r = arc_read(a, buf, n, st);
	if (r > 0 && !b->charge(b->arg, (uint64_t)r))
		return -1;
	return r;
}

enum arc_status arc_slurp(struct arc *a, const void *first, size_t have,
			  const struct arc_budget *b, unsigned char **out, size_t *len)
{
	const size_t step = 65536;
	size_t cap = have + 2 * step, used = have;
	unsigned char *p = malloc(cap);
	enum arc_status st = ARC_OK;
	*out = NULL;
	*len = 0;
	if (p == NULL)
		return ARC_NOMEM;
	memcpy(p, first, have);
	for (;;) {
		if (cap - used < step) {
			unsigned char *np = realloc(p, cap * 2);
			if (np == NULL) {
				free(p);
				return ARC_NOMEM;
			}
			p = np;
			cap *= 2;
		}
		ssize_t n = arc_read_budget(a, p + used, step, b, &st);
		if (n == 0)
			break;
		if (n < 0) {
			free(p);
			return st;
		}
		used += (size_t)n;
	}
	*out = p;
	*len = used;
	return ARC_OK;
}

enum arc_status arc_drain(struct arc *a, void *scratch, size_t cap, const struct arc_budget *b,
			  uint64_t *total)
{
	enum arc_status st = ARC_OK;
	ssize_t n;
	while ((n = arc_read_budget(a, scratch, cap, b, &st)) > 0)
		*total += (uint64_t)n;
	return n < 0 ? st : ARC_OK;
}

uint64_t arc_unpacked(const struct arc *a)
{
	return a->unpacked;
}

void arc_close(struct arc *a)
{
	if (a == NULL)
		return;
	archive_read_free(a->la);
	free(a->patched);
	free(a);
}

/* ---- office documents ------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The first local header of a zip: what its first member says. */
static enum arc_office first_member_kind(const unsigned char *p, size_t len)
{
	static const char odf[] = "application/vnd.oasis.opendocument";
	if (len < 30)
		return ARC_OFFICE_NONE;
	size_t nlen = rd16(p + 26), xlen = rd16(p + 28);
	if (30 + nlen > len)
		return ARC_OFFICE_NONE;
	const char *name = (const char *)p + 30;
	if (nlen == 19 && memcmp(name, "[Content_Types].xml", 19) == 0)
		return ARC_OFFICE_OOXML;
	size_t data = 30 + nlen + xlen;
	if (nlen == 8 && memcmp(name, "mimetype", 8) == 0 && rd16(p + 8) == 0 &&
	    data + sizeof odf - 1 <= len && memcmp(p + data, odf, sizeof odf - 1) == 0)
		return ARC_OFFICE_ODF;
	return ARC_OFFICE_NONE;
}

enum arc_office arc_office_kind(const void *buf, size_t len, const char *type,
				const char *filename)
{
	static const char *const ooxml_ext[] = {".docx", ".docm", ".dotx", ".xlsx", ".xlsm",
						".xltx", ".pptx", ".pptm", ".ppsx", ".potx", NULL};
	static const char *const odf_ext[] = {".odt", ".ods", ".odp", ".ott", ".ots", ".otp",
					      ".odg", NULL};
	if (len < 4 || memcmp(buf, "PK\x03\x04", 4) != 0)
		return ARC_OFFICE_NONE;
	if (type != NULL) {
		if (strncasecmp(type, "application/vnd.openxmlformats-officedocument.", 46) == 0 ||
		    strncasecmp(type, "application/vnd.ms-excel.sheet.macroenabled", 43) == 0 ||
		    strncasecmp(type, "application/vnd.ms-word.document.macroenabled", 45) == 0 ||
		    strncasecmp(type, "application/vnd.ms-powerpoint.presentation.macroenabled",
				55) == 0)
			return ARC_OFFICE_OOXML;
		if (strncasecmp(type, "application/vnd.oasis.opendocument.", 35) == 0)
			return ARC_OFFICE_ODF;
	}
	if (filename != NULL) {
		for (const char *const *x = ooxml_ext; *x; x++)
			if (ends_with(filename, *x))
				return ARC_OFFICE_OOXML;
		for (const char *const *x = odf_ext; *x; x++)
			if (ends_with(filename, *x))
				return ARC_OFFICE_ODF;
	}
	return first_member_kind(buf, len);
}
