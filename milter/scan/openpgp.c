/*
 * openpgp.c - OpenPGP packet headers and ASCII armour (see openpgp.h).
 *
 * Why hand-written and not GPGME: the recipients of a message are in the
 * clear packets at its front; reading them needs no key, no gpg process
 * and no parser of the encrypted rest.  Every length is checked against
 * the bytes left before it is used.
 */
#include <string.h>

#include "grondslag/scan/openpgp.h"

void openpgp_iter_init(struct openpgp_iter *it, const void *data, size_t len)
{
	it->p = data;
	it->left = len;
	it->bad = false;
}

/* The body length of a new-format header at p (n bytes after the tag
 * octet); false when malformed or truncated. */
static bool new_length(const uint8_t *p, size_t n, size_t *hdr, size_t *len, bool *partial)
{
	*partial = false;
	if (n < 1)
		return false;
	if (p[0] < 192) {
		*hdr = 1;
		*len = p[0];
	} else if (p[0] < 224) {
		if (n < 2)
			return false;
		*hdr = 2;
		*len = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
	} else if (p[0] < 255) {
		*hdr = 1;
		*len = (size_t)1 << (p[0] & 0x1f);
		*partial = true;
	} else {
		if (n < 5)
			return false;
		*hdr = 5;
		*len = ((size_t)p[1] << 24) | ((size_t)p[2] << 16) | ((size_t)p[3] << 8) | p[4];
	}
	return true;
}

bool openpgp_next(struct openpgp_iter *it, struct openpgp_packet *pk)
{
	if (it->bad || it->left == 0)
		return false;
	const uint8_t *p = it->p;
	size_t hdr, len;
	bool partial = false;
	if ((p[0] & 0x80) == 0) {
		it->bad = true;
		return false;
	}
	if (p[0] & 0x40) {
		pk->tag = p[0] & 0x3f;
		if (!new_length(p + 1, it->left - 1, &hdr, &len, &partial)) {
			it->bad = true;
			return false;
		}
		hdr += 1;
	} else {
		pk->tag = (p[0] >> 2) & 0x0f;
		unsigned lt = p[0] & 3;
		size_t k = lt == 0 ? 1 : lt == 1 ? 2 : lt == 2 ? 4 : 0;
		if (it->left < 1 + k) {
			it->bad = true;
			return false;
		}
		len = 0;
		for (size_t i = 0; i < k; i++)
			len = (len << 8) | p[1 + i];
		if (lt == 3)
			len = it->left - 1;	/* indeterminate: the rest */
		hdr = 1 + k;
	}
	if (pk->tag == 0) {
		it->bad = true;
		return false;
	}
	pk->body = p + hdr;
	pk->partial = partial;
	pk->truncated = len > it->left - hdr;
	pk->len = pk->truncated ? it->left - hdr : len;
	if (pk->truncated || partial) {
		it->left = 0;	/* nothing after it can be framed */
		return true;
	}
	it->p += hdr + len;
	it->left -= hdr + len;
	return true;
}

/* Find "-----BEGIN PGP <kind>-----" at the start of a line. */
size_t openpgp_find_armor(const char *text, size_t len, size_t from, const char *kind)
{
	static const char begin[] = "-----BEGIN PGP ";
	size_t bl = sizeof begin - 1, kl = strlen(kind);
	while (from < len) {
		const char *hit = memmem(text + from, len - from, begin, bl);
		if (hit == NULL)
			return len;
		size_t at = (size_t)(hit - text);
		if (len - at >= bl + kl + 5 && memcmp(hit + bl, kind, kl) == 0 &&
		    memcmp(hit + bl + kl, "-----", 5) == 0)
			return at;
		from = at + bl;
	}
	return len;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* One line [s, e) of base64 (padding allowed at its end) into the
 * decoder state; false when the line is not base64. */
static bool b64_line(const char *s, const char *e, uint32_t *acc, unsigned *bits, uint8_t *out,
		     size_t cap, size_t *n, bool *cut)
{
	if (s == e)
		return false;
	for (const char *q = s; q < e; q++) {
		if (*q == '=')
			return true;	/* padding ends the data */
		int v = b64_value((unsigned char)*q);
		if (v < 0)
			return false;
		*acc = (*acc << 6) | (uint32_t)v;
		*bits += 6;
		if (*bits >= 8) {
			*bits -= 8;
			if (*n < cap)
				out[(*n)++] = (uint8_t)(*acc >> *bits);
			else
				*cut = true;
		}
	}
	return true;
}

size_t openpgp_dearmor(const char *text, size_t len, uint8_t *out, size_t cap, bool *cut)
{
	const char *p = text, *end = text + len;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	bool in_body = false, first = true;
	*cut = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl != NULL ? nl : end;
		const char *e = le;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		const char *line = p;
		p = nl != NULL ? nl + 1 : end;
		/* A quoted block ("> " before each line, as a reply quotes) reads
		 * alike: base64 never starts with '>'. */
		while (line < e && *line == '>') {
			line++;
			while (line < e && (*line == ' ' || *line == '\t'))
				line++;
		}
		if (first) {	/* the BEGIN line */
			first = false;
			continue;
		}
		if (e - line >= 5 && memcmp(line, "-----", 5) == 0)
			break;	/* END (or another armour line) */
		if (!in_body) {
			/* "Key: value" armour headers up to the blank line; an
			 * armour without headers may start its data at once. */
			if (e == line) {
				in_body = true;
				continue;
			}
			if (memchr(line, ':', (size_t)(e - line)) != NULL)
				continue;
			in_body = true;
		}
		if (e == line)
			continue;
		if (*line == '=' && e - line == 5)
			break;	/* the CRC-24 checksum line */
		if (!b64_line(line, e, &acc, &bits, out, cap, &n, cut))
			break;
		if (*cut)
			break;
	}
	return n;
}
