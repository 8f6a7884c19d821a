/*
 * der.h - a bounded reader of BER/DER type-length-value elements, enough
 * to walk CMS (S/MIME) envelopes and X.509 certificates: low tag numbers
 * only, definite lengths of up to four octets, and BER indefinite lengths
 * on constructed elements (S/MIME from Outlook and NSS streams them).
 *
 * Every read checks the bytes it needs against what is left; an
 * indefinite element is measured by walking its children to the
 * end-of-contents octets, iteratively per level and at most DER_MAX_DEPTH
 * levels deep, with at most DER_MAX_ELEMENTS elements per measurement,
 * so hostile nesting costs bounded time and stack.
 *
 * Public functions:
 *   der_init()    a cursor over a buffer
 *   der_get()     the next element, measured (skip or descend into it)
 *   der_enter()   a cursor over an element's contents (definite or not)
 *   der_at_end()  no more elements (end of bytes, or end-of-contents)
 */
#ifndef GRONDSLAG_DER_H
#define GRONDSLAG_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DER_MAX_DEPTH 16
#define DER_MAX_ELEMENTS 100000

/* Identifier octets as written: class bits, constructed bit, number. */
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_INTEGER 0x02
#define DER_OCTET_STRING 0x04
#define DER_OID 0x06
#define DER_CTX(n) (0x80u | (n))		/* [n] primitive */
#define DER_CTX_CONS(n) (0xa0u | (n))		/* [n] constructed */

struct der {
	const uint8_t *p;
	size_t left;
	bool indef;		/* contents of an indefinite element: ends at 00 00 */
	unsigned depth;
};

struct der_tlv {
	unsigned tag;		/* the identifier octet */
	bool constructed;
	bool indef;
	const uint8_t *raw;	/* the whole element, header included */
	size_t raw_len;
	const uint8_t *val;	/* the contents (without end-of-contents) */
	size_t len;
};

void der_init(struct der *c, const void *data, size_t len);
/* The next element, whole: false at the end, or when it is malformed,
 * truncated, too deep or too large (the cursor is then unusable). */
bool der_get(struct der *c, struct der_tlv *t);
/* The next element's header only, and a cursor over its contents: for
 * the outer layers of a streamed envelope, whose end need not be read.
 * The parent cursor is left past the element when its length is definite,
 * and unusable otherwise. */
bool der_enter(struct der *c, struct der_tlv *t, struct der *inner);
bool der_at_end(const struct der *c);

#endif
