/*
 * tnef.h - the content of a TNEF stream (winmail.dat, application/ms-tnef):
 * the subject, the message body (plain, HTML, and the compressed RTF
 * decompressed) and every attachment, each handed out to be read as what
 * it is.
 *
 * Public functions:
 *   tnef_read()   parse a TNEF stream, one callback per body or attachment
 *
 * Limits: TNEF_MAX_ITEMS items per stream; everything handed out points
 * into the buffer except the decompressed RTF, which is at most its
 * declared size and at most 9 times its compressed bytes.
 */
#ifndef GRONDSLAG_TNEF_H
#define GRONDSLAG_TNEF_H

#include <stdbool.h>
#include <stddef.h>

#define TNEF_MAX_ITEMS 1000

enum tnef_status {
	TNEF_OK,
	TNEF_CORRUPT,		/* cut, bad checksum, unparsable properties or RTF */
	TNEF_TOO_MANY,		/* more than TNEF_MAX_ITEMS items */
	TNEF_STOPPED		/* the callback returned non-zero */
};

/* Each item: name is "subject", "body.txt", "body.html", "body.rtf" or
 * the attachment's file name ("attachment<n>" without one, control
 * characters as '?'); type is a MIME type hint.  data is valid during the
 * call only.  A non-zero each() stops. */
enum tnef_status tnef_read(const void *buf, size_t len,
			   int (*each)(void *arg, const char *name, const char *type,
				       const void *data, size_t n),
			   void *arg);

#endif
