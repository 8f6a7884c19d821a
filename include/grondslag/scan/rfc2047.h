/*
 * rfc2047.h - decode a header value with RFC 2047 encoded words into
 * UTF-8, by our own bounded decoder.
 *
 * Why our own: GMime 3.2 drops everything after a base64 encoded word
 * whose text ends in '=' padding in some layouts, so addresses in a
 * Subject never reached the scanner.  This decoder reads every encoded
 * word, base64 groups after inner padding included, and keeps text that
 * is not encoded as it is.
 *
 * Public functions:
 *   rfc2047_decode()   a raw (possibly folded) header value to UTF-8
 */
#ifndef GRONDSLAG_RFC2047_H
#define GRONDSLAG_RFC2047_H

#include <stddef.h>

/* A malloc'd, NUL-terminated UTF-8 string (bytes of unknown charsets are
 * kept as they are; the text converter repairs them), at most max_out
 * bytes; NULL when out of memory. */
char *rfc2047_decode(const char *raw, size_t len, size_t max_out, size_t *out_len);

#endif
