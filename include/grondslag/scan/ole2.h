/*
 * ole2.h - read an OLE2 compound file (legacy .xls, .doc, .ppt, .msg,
 * vbaProject.bin, embedded OLE objects): every stream, with the text of
 * the document streams we understand.
 *
 * The container is parsed by libgsf (in process, on a memory input that
 * is never copied); the document formats by our own bounded readers:
 *   Workbook/Book        BIFF8 (and BIFF5) cells: shared strings, labels,
 *                        numbers, formula string results, one row a line,
 *                        cells separated by tabs
 *   WordDocument         Word 97+ text through the piece table in the
 *                        1Table/0Table stream; cells and paragraphs a line
 *   PowerPoint Document  text atoms, one a line
 *   \1Ole10Native        the embedded file of a packager object
 *   __substg1.0_10090102 a .msg's compressed RTF body, decompressed
 *   __substg1.0_????001F a .msg's UTF-16 string properties (subject, body)
 * Every other stream is handed out raw, to be read as what its bytes are.
 *
 * Public functions:
 *   ole2_read()      walk a compound file, one callback per stream
 *   ole2_lib_load()  load libgsf (gsflib.c; ole2_read() does)
 *   ole2_xls_text()  the BIFF reader alone (for tests and fuzzing)
 *   ole2_doc_text()  the Word reader alone
 *   ole2_ppt_text()  the PowerPoint reader alone
 *
 * Limits: OLE2_MAX_STREAMS streams and OLE2_MAX_NEST storage levels per
 * file; no stream larger than the file itself is read (a sector chain
 * that claims more is corrupt); a stream's text is at most
 * OLE2_TEXT_RATIO times the stream plus 64 KiB (a workbook whose cells
 * repeat a long shared string beyond that is OLE2_LIMIT).
 */
#ifndef GRONDSLAG_OLE2_H
#define GRONDSLAG_OLE2_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#define OLE2_MAX_STREAMS 4096
#define OLE2_MAX_NEST 32
#define OLE2_TEXT_RATIO 16

enum ole2_status {
	OLE2_OK,
	OLE2_CORRUPT,		/* not a compound file we can read */
	OLE2_ENCRYPTED,		/* EncryptionInfo, FILEPASS, fEncrypted, CryptSession */
	OLE2_TOO_MANY,		/* more than OLE2_MAX_STREAMS or OLE2_MAX_NEST */
	OLE2_STOPPED,		/* the callback returned non-zero */
	OLE2_NOLIB		/* libgsf could not be loaded (ole2_lib_load()) */
};

/* What a callback is handed. */
enum ole2_kind {
	OLE2_TEXT,		/* UTF-8 text read out of a document stream */
	OLE2_STREAM,		/* a stream's bytes, to be read as what they are */
	OLE2_UNREADABLE,	/* a document stream our reader could not read */
	OLE2_LIMIT		/* a document stream whose text passes the ratio */
};

/* Load libgsf now (the daemon at its start; ole2_read() on its first
 * call): 0, or -1 with why naming the library and the package. */
int ole2_lib_load(char *why, size_t whylen);

/* Each stream of the compound file at buf in directory order, storages
 * depth first; path is "Storage/Stream" with control characters shown as
 * '?'.  data is valid during the call only.  A non-zero each() stops.
 * OLE2_NOLIB when libgsf cannot be loaded (said once in the log). */
enum ole2_status ole2_read(const void *buf, size_t len,
			   int (*each)(void *arg, const char *path, enum ole2_kind kind,
				       const void *data, size_t n),
			   void *arg);

/* The document readers: append UTF-8 text to out.  OLE2_CORRUPT when the
 * stream is not what its name says, OLE2_ENCRYPTED when it is sealed,
 * OLE2_TOO_MANY when the text passes OLE2_TEXT_RATIO.
 * ole2_doc_text() needs the table stream the FIB names (tbl1 = "1Table",
 * tbl0 = "0Table"; either may be NULL). */
enum ole2_status ole2_xls_text(const unsigned char *p, size_t n, GString *out);
enum ole2_status ole2_doc_text(const unsigned char *doc, size_t n, const unsigned char *tbl1,
			       size_t n1, const unsigned char *tbl0, size_t n0, GString *out);
enum ole2_status ole2_ppt_text(const unsigned char *p, size_t n, GString *out);

#endif
