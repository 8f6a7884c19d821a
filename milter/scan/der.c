/*
 * der.c - bounded BER/DER element reader (see der.h).
 *
 * Why hand-written: the input is hostile (a recipient list of a sealed
 * part), and all that is needed is to find a few elements by position.
 * High tag numbers (0x1f) and lengths past four octets are refused: CMS
 * and X.509 never need them, and refusing keeps every size a size_t
 * without overflow.
 */
#include <string.h>

#include "grondslag/scan/der.h"

void der_init(struct der *c, const void *data, size_t len)
{
	c->p = data;
	c->left = len;
	c->indef = false;
	c->depth = 0;
}

bool der_at_end(const struct der *c)
{
	if (c->left == 0)
		return true;
	return c->indef && c->left >= 2 && c->p[0] == 0 && c->p[1] == 0;
}

/* Identifier and length octets at p[0..n): false when malformed. */
static bool header(const uint8_t *p, size_t n, struct der_tlv *t, size_t *hdr, bool *indef,
		   size_t *len)
{
	if (n < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	t->tag = p[0];
	t->constructed = (p[0] & 0x20) != 0;
	*indef = false;
	if (p[1] < 0x80) {
		*hdr = 2;
		*len = p[1];
		return true;
	}
	if (p[1] == 0x80) {
		*hdr = 2;
		*len = 0;
		*indef = true;
		return t->constructed;	/* BER: indefinite only when constructed */
	}
	size_t k = p[1] & 0x7f;
	if (k > 4 || n < 2 + k)
		return false;
	size_t v = 0;
	for (size_t i = 0; i < k; i++)
		v = (v << 8) | p[2 + i];
	*hdr = 2 + k;
	*len = v;
	return true;
}

/* The size of the indefinite element whose contents start at p (n bytes
 * left), end-of-contents included.  Nested indefinite elements are kept
 * on a fixed stack of DER_MAX_DEPTH levels: no recursion. */
static bool measure_indef(const uint8_t *p, size_t n, unsigned depth, size_t *out)
{
	size_t off = 0, elements = 0;
	unsigned level = 1;
	while (level > 0) {
		if (++elements > DER_MAX_ELEMENTS || n - off < 2)
			return false;
		if (p[off] == 0 && p[off + 1] == 0) {	/* end of the innermost open level */
			off += 2;
			level--;
			continue;
		}
		struct der_tlv t;
		size_t hdr, len;
		bool indef;
		if (!header(p + off, n - off, &t, &hdr, &indef, &len))
			return false;
		if (indef) {
			if (depth + level >= DER_MAX_DEPTH)
				return false;
			off += hdr;
			level++;
			continue;
		}
		if (len > n - off - hdr)
			return false;
		off += hdr + len;
	}
	*out = off;
	return true;
}

bool der_get(struct der *c, struct der_tlv *t)
{
	size_t hdr, len;
	bool indef;
	if (der_at_end(c) || !header(c->p, c->left, t, &hdr, &indef, &len))
		return false;
	t->raw = c->p;
	t->val = c->p + hdr;
	t->indef = indef;
	if (indef) {
		size_t total;
		if (c->depth + 1 >= DER_MAX_DEPTH ||
		    !measure_indef(c->p + hdr, c->left - hdr, c->depth + 1, &total))
			return false;
		t->len = total - 2;
		t->raw_len = hdr + total;
	} else {
		if (len > c->left - hdr)
			return false;
		t->len = len;
		t->raw_len = hdr + len;
	}
	c->p += t->raw_len;
	c->left -= t->raw_len;
	return true;
}

bool der_enter(struct der *c, struct der_tlv *t, struct der *inner)
{
	size_t hdr, len;
	bool indef;
	if (der_at_end(c) || c->depth + 1 >= DER_MAX_DEPTH ||
	    !header(c->p, c->left, t, &hdr, &indef, &len) || !t->constructed)
		return false;
	t->raw = c->p;
	t->val = c->p + hdr;
	t->indef = indef;
	inner->depth = c->depth + 1;
	inner->p = c->p + hdr;
	if (indef) {
		/* The end is not looked for: the caller reads the leading
		 * children it needs and stops. */
		inner->left = c->left - hdr;
		inner->indef = true;
		t->len = inner->left;
		t->raw_len = c->left;
		c->left = 0;
		return true;
	}
	if (len > c->left - hdr)
		return false;
	inner->left = len;
	inner->indef = false;
	t->len = len;
	t->raw_len = hdr + len;
	c->p += t->raw_len;
	c->left -= t->raw_len;
	return true;
}
