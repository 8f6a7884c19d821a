/*
 * archive.h - read archives held in memory with libarchive, member by
 * member, in bounded chunks: zip, tar, cpio, 7z, rar, cab and the
 * compression filters gzip, bzip2, xz, lzma, zstd, lz4, compress, alone or
 * under a tar (a bare "list.csv.gz" reads as one member "list.csv").
 *
 * The reader knows nothing of MIME or findings; the walker drives it and
 * decides what each member is.  It enforces one limit itself, because only
 * it sees the packed size: the expansion ratio.  Unpacked bytes are
 * counted as they come out of the decompressor, so a zip bomb is stopped
 * mid-member, never decompressed first.  The ratio applies only beyond
 * ARC_RATIO_FLOOR unpacked bytes, so that a small, very compressible but
 * harmless file (a few KiB of a repetitive CSV) does not trip it.
 *
 * Also the office detection: OOXML (docx/xlsx/pptx) and ODF (odt/ods/odp)
 * are zips; arc_office_kind() says whether a zip is one.  Which members
 * carry text is decided by their bytes (the walker reads every XML part
 * and walks every other member), never by a list of names.
 *
 * A zip member whose mode bits say device, socket, FIFO, directory or
 * symlink but which carries data is read as a regular file, as unzip and
 * Python's zipfile do (arc_open() marks such members regular in a private
 * copy of the central directory).
 *
 * Prefix arc_ (libarchive owns archive_).
 *
 * Public functions:
 *   arc_magic()              does a buffer start like an archive/compressed file
 *   arc_open(), arc_next(), arc_read(), arc_skip(), arc_close()
 *   arc_read_budget(), arc_slurp(), arc_drain()   reads charged to a budget
 *   arc_unpacked()           bytes unpacked so far from this archive
 *   arc_office_kind()
 *   arc_lib_load()           load libarchive (archlib.c; arc_open() does)
 */
#ifndef GRONDSLAG_ARCHIVE_H
#define GRONDSLAG_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARC_RATIO_FLOOR (1024u * 1024u)
#define ARC_NAME_MAX 255
#define ARC_LINK_MAX 4096

enum arc_status {
	ARC_OK = 0,
	ARC_END,		/* no more members */
	ARC_CORRUPT,		/* damaged, truncated or not an archive after all */
	ARC_ENCRYPTED,		/* needs a passphrase (member or whole archive) */
	ARC_RATIO,		/* unpacked / packed over the limit */
	ARC_NOMEM,
	ARC_NOLIB		/* libarchive could not be loaded (arc_lib_load()) */
};

struct arc_entry {
	char name[ARC_NAME_MAX + 1];	/* control characters replaced by '?' */
	bool regular;			/* a regular file (not a dir, link, device) */
	bool encrypted;			/* data cannot be read without a passphrase */
	int64_t size;			/* declared size, -1 when unknown */
	char link[ARC_LINK_MAX + 1];	/* a symlink's or hard link's target, "" */
	bool link_cut;			/* the target was longer than ARC_LINK_MAX */
};

struct arc;

/* Load libarchive now (the daemon at its start; arc_open() on its first
 * call): 0, or -1 with why naming the library and the package. */
int arc_lib_load(char *why, size_t whylen);

/* True when buf starts with the magic of a format arc_open() reads. */
bool arc_magic(const void *buf, size_t len);

/* Open an archive over buf (not copied; must outlive the reader).
 * outer_name is the archive's own file name, used to name the single
 * member of a bare compressed file ("x.csv.gz" -> "x.csv").  max_ratio 0
 * means no ratio limit.  NULL on error, with *st set. */
struct arc *arc_open(const void *buf, size_t len, const char *outer_name, unsigned max_ratio,
		     enum arc_status *st);
/* The next member: ARC_OK (e filled), ARC_END, ARC_CORRUPT, ARC_ENCRYPTED. */
enum arc_status arc_next(struct arc *a, struct arc_entry *e);
/* Read up to n bytes of the current member: > 0 bytes, 0 at its end, -1 on
 * error with *st set (ARC_CORRUPT, ARC_ENCRYPTED, ARC_RATIO). */
ssize_t arc_read(struct arc *a, void *buf, size_t n, enum arc_status *st);
/* Skip the rest of the current member without unpacking where possible. */
enum arc_status arc_skip(struct arc *a);
uint64_t arc_unpacked(const struct arc *a);

/* The caller's own limits (time, total bytes), asked before every read
 * with 0 and after it with the bytes read; false stops the reading. */
struct arc_budget {
	bool (*charge)(void *arg, uint64_t bytes);
	void *arg;
};

/* arc_read() charged to b: -1 with *st = ARC_OK when b said stop. */
ssize_t arc_read_budget(struct arc *a, void *buf, size_t n, const struct arc_budget *b,
			enum arc_status *st);
/* The rest of the member, after the have bytes already read into first,
 * as one malloc'd buffer (*out, *len; *out NULL when b said stop). */
enum arc_status arc_slurp(struct arc *a, const void *first, size_t have,
			  const struct arc_budget *b, unsigned char **out, size_t *len);
/* Read and drop the rest of the member, still counting the ratio (a skip
 * inside a compressed tar would unpack without any limit); *total grows by
 * the bytes read. */
enum arc_status arc_drain(struct arc *a, void *scratch, size_t cap, const struct arc_budget *b,
			  uint64_t *total);
void arc_close(struct arc *a);

enum arc_office { ARC_OFFICE_NONE, ARC_OFFICE_OOXML, ARC_OFFICE_ODF };

/* Is this zip an office document?  Decided by the declared media type, the
 * file name's extension, or the first member's name ("[Content_Types].xml",
 * or "mimetype" holding an application/vnd.oasis.opendocument type). */
enum arc_office arc_office_kind(const void *buf, size_t len, const char *type,
				const char *filename);

#endif
