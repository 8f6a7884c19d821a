/*
 * pdf.h - text out of a PDF, out of process.
 *
 * PDF parsers are large and hostile input is their daily bread, so the
 * work runs in a child: pdftotext (poppler-utils) with the document on
 * its stdin (an anonymous memfd, or an unlinked temp file where memfd is
 * missing; never a named file left behind) and its text read back from a
 * pipe.  The child gets RLIMIT_CPU and RLIMIT_AS, no core files, no other
 * descriptors, a minimal environment; the parent enforces a wall-clock
 * timeout and a cap on the bytes it reads, and kills the child on either.
 *
 * Public functions:
 *   pdf_magic()     "%PDF-" near the start of a buffer
 *   pdf_extract()   run the extractor, stream its UTF-8 output to emit()
 *   pdf_attachments() the embedded files (/EmbeddedFiles, file attachment
 *                   annotations) through pdfdetach, next to pdftotext, in
 *                   the same limited child: one run lists, one run per file
 *                   writes it to our pipe (never to a named file)
 */
#ifndef GRONDSLAG_PDF_H
#define GRONDSLAG_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PDF_DEFAULT_PDFTOTEXT "/usr/bin/pdftotext"
#define PDF_MAX_ATTACHMENTS 256

struct pdf_options {
	const char *pdftotext;	/* NULL = PDF_DEFAULT_PDFTOTEXT */
	unsigned cpu_seconds;	/* RLIMIT_CPU of the child; 0 = 10 */
	uint64_t max_memory;	/* RLIMIT_AS of the child; 0 = 512 MiB */
	unsigned wall_ms;	/* wall clock for the whole run; 0 = cpu + 2 s */
	uint64_t max_output;	/* bytes of text read at most; 0 = no cap */
};

enum pdf_status {
	PDF_OK,
	PDF_FAILED,		/* extractor failed or crashed: not readable */
	PDF_TIMEOUT,		/* CPU or wall-clock limit */
	PDF_OUTPUT_LIMIT,	/* more text than max_output */
	PDF_STOPPED,		/* emit() returned non-zero (in *emit_rc) */
	PDF_INTERNAL,		/* fork/pipe/memfd failed */
	PDF_TOO_MANY		/* more embedded files than allowed */
};

bool pdf_magic(const void *buf, size_t len);

/* Extract the text of the PDF in buf, handing it to emit() in chunks as it
 * arrives (chunking is arbitrary; text may end mid-character only if the
 * extractor's output does).  *emit_rc receives emit()'s stop value. */
enum pdf_status pdf_extract(const void *buf, size_t len, const struct pdf_options *o,
			    int (*emit)(void *arg, const char *buf, size_t len), void *arg,
			    int *emit_rc);

/* Each embedded file of the PDF, whole, to each() (name as pdfdetach lists
 * it, UTF-8).  The wall clock in o covers all runs; max_output caps each
 * file; more than max_files files is PDF_TOO_MANY (none are handed
 * out).  *nfiles counts the files handed out.  A non-zero each() stops:
 * PDF_STOPPED. */
enum pdf_status pdf_attachments(const void *buf, size_t len, const struct pdf_options *o,
				unsigned max_files,
				int (*each)(void *arg, const char *name, const void *data,
					    size_t n),
				void *arg, unsigned *nfiles);

#endif
