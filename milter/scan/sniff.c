/*
 * sniff.c - recognise what bytes are, whatever their label (see sniff.h).
 *
 * Decisions, and why:
 *  - Media: a fixed table of signatures of the image, audio, video and
 *    font formats mail carries.  A media label over bytes that match none
 *    of them is a disagreement the walker reports; it does not guess.
 *  - GIF, PNG and JPEG are walked to their structural end, because data
 *    appended there (a zip: GIFAR; text) is invisible to an image viewer
 *    and read by an unzip.  Other formats count as ending at the buffer.
 *  - OpenPGP: the first packet's tag decides.  Session keys, encrypted
 *    and compressed data, literal data and one-pass signatures start a
 *    message (sealed for us); keys and signatures are not content, but
 *    only when packets of a key or signature fill the buffer exactly:
 *    four bytes that look like a key's header are no reason to skip what
 *    follows them.
 *  - Signatures: a DER structure must span the buffer (plus line ends),
 *    so a CSV that happens to start with "0" is not one, and be a CMS
 *    signedData without encapsulated content (a detached signature, a
 *    certificate bundle) or a certificate: an attached signature, or any
 *    other DER, carries what it wraps; PEM only when
 *    every line is an armour line or base64 (armour headers and anything
 *    else make it text to read).
 *
 * Limits: no allocation but sniff_b64_decode(); every walk is linear and
 * checks bounds before each read.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/scan/sniff.h"

static bool at(const unsigned char *p, size_t len, size_t off, const char *magic, size_t n)
{
	return len >= off + n && memcmp(p + off, magic, n) == 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* GIF: header, optional colour table, then blocks up to the 0x3b trailer. */
static size_t gif_end(const unsigned char *p, size_t len)
{
	size_t o = 13;
	if (len < 13)
		return len;
	if (p[10] & 0x80)
		o += 3u << ((p[10] & 7) + 1);
	while (o < len) {
		unsigned char b = p[o];
		if (b == 0x3b)
			return o + 1;
		if (b == 0x21) {	/* extension: label, then sub-blocks */
			o += 2;
		} else if (b == 0x2c) {	/* image descriptor, table, LZW size */
			if (o + 10 > len)
				return len;
			unsigned char f = p[o + 9];
			o += 10;
			if (f & 0x80)
				o += 3u << ((f & 7) + 1);
			o += 1;
		} else {
			return len;	/* damaged: the whole is the image */
		}
		while (o < len && p[o] != 0)
			o += (size_t)p[o] + 1;
		o++;
	}
	return len;
}

/* PNG: chunks up to and including IEND. */
static size_t png_end(const unsigned char *p, size_t len)
{
	size_t o = 8;
	while (o + 12 <= len) {
		uint32_t n = be32(p + o);
		if (n > len - o - 12)
			return len;
		if (memcmp(p + o + 4, "IEND", 4) == 0)
			return o + 12 + n;
		o += 12 + (size_t)n;
	}
	return len;
}

/* JPEG: marker segments; entropy-coded data after SOS runs to the next
 * marker that is not a stuffed 0xff00 or a restart; EOI ends. */
static size_t jpeg_end(const unsigned char *p, size_t len)
{
	size_t o = 2;
	while (o + 1 < len) {
		if (p[o] != 0xff)
			return len;
		unsigned char m = p[o + 1];
		if (m == 0xff) {
			o++;
			continue;
		}
		if (m == 0xd9)
			return o + 2;
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			o += 2;
			continue;
		}
		if (o + 4 > len)
			return len;
		o += 2 + ((size_t)p[o + 2] << 8 | p[o + 3]);
		if (m != 0xda)
			continue;
		while (o + 1 < len && !(p[o] == 0xff && p[o + 1] != 0 &&
					 !(p[o + 1] >= 0xd0 && p[o + 1] <= 0xd7)))
			o++;
	}
	return len;
}

bool sniff_media(const void *buf, size_t len, size_t *end)
{
	static const struct {
		size_t off, n;
		const char *m;
	} sig[] = {
		{0, 4, "II*\0"}, {0, 4, "MM\0*"}, {0, 4, "\0\0\1\0"}, {0, 4, "\0\0\2\0"},
		{4, 4, "ftyp"}, {0, 3, "ID3"}, {0, 4, "OggS"}, {0, 4, "fLaC"}, {0, 4, "MThd"},
		{0, 4, "FORM"}, {0, 4, "\x1a\x45\xdf\xa3"}, {0, 8, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"},
		{0, 3, "FLV"}, {0, 4, "\0\0\1\xba"}, {0, 4, "\0\0\1\xb3"}, {0, 4, "wOFF"},
		{0, 4, "wOF2"}, {0, 4, "\0\1\0\0"}, {0, 4, "true"}, {0, 4, "OTTO"}, {0, 4, "ttcf"},
		{0, 4, "8BPS"}, {0, 4, "\xd7\xcd\xc6\x9a"}, {40, 4, " EMF"}, {0, 6, "VCLMTF"},
		{0, 5, "#!AMR"}, {0, 4, ".snd"}, {0, 12, "\0\0\0\x0cjP  \r\n\x87\n"},
		{0, 4, "\xff\x4f\xff\x51"}, {0, 2, "\xff\x0a"}, {0, 4, "qoif"}, {0, 4, "DDS "},
		{0, 4, "icns"}, {0, 4, "caff"}, {0, 4, "wvpk"}, {0, 4, "MAC "}, {0, 4, "\x76\x2f\x31\x01"},
		{0, 4, "BPG\xfb"}, {0, 4, "IIRO"}, {0, 4, "IIU\0"}, {0, 9, "gimp xcf "},
		{0, 2, "\x01\0"},	/* WMF without placeable header (type 1, header size 9) */
		{4, 4, "moov"}, {4, 4, "mdat"}, {4, 4, "wide"}, {4, 4, "free"}, {4, 4, "skip"},
		{4, 4, "pnot"}, {0, 4, "glTF"}, {0, 8, "AT&TFORM"}, {0, 4, "\x97JB2"},
		{0, 15, "FUJIFILMCCD-RAW"}, {34, 2, "LP"}, {0, 3, "AC1"},
		{0, 12, "\0\0\0\x0cJXL \r\n\x87\n"}, {0, 2, "\x01\xda"}, {0, 4, "\x59\xa6\x6a\x95"},
		{0, 4, "TTA1"}, {0, 4, "DSD "},
	};
	const unsigned char *p = buf;
	*end = len;
	if (at(p, len, 0, "GIF87a", 6) || at(p, len, 0, "GIF89a", 6)) {
		*end = gif_end(p, len);
		return true;
	}
	if (at(p, len, 0, "\x89PNG\r\n\x1a\n", 8)) {
		*end = png_end(p, len);
		return true;
	}
	if (at(p, len, 0, "\xff\xd8\xff", 3)) {
		*end = jpeg_end(p, len);
		return true;
	}
	if (at(p, len, 0, "BM", 2) && len >= 14 && le32(p + 2) >= 14) {
		if (le32(p + 2) <= len)
			*end = le32(p + 2);
		return true;
	}
	if (at(p, len, 0, "RIFF", 4) && len >= 12) {
		if ((uint64_t)le32(p + 4) + 8 <= len)
			*end = (size_t)le32(p + 4) + 8;
		return true;
	}
	/* MPEG audio frame sync, AAC in ADTS; MPEG transport stream packets;
	 * binary PBM/PGM/PPM; PCX. */
	if (len >= 2 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0 && (p[1] & 0x06) != 0)
		return true;
	if (len >= 2 && p[0] == 0xff && (p[1] & 0xf6) == 0xf0)
		return true;
	if (len >= 3 && p[0] == 'P' && p[1] >= '4' && p[1] <= '6' &&
	    (p[2] == '\n' || p[2] == ' ' || p[2] == '\r' || p[2] == '\t'))
		return true;
	if (len >= 128 && p[0] == 0x0a && p[1] <= 5 && p[2] == 1)
		return true;
	if (len >= 189 && p[0] == 0x47 && p[188] == 0x47)
		return true;
	for (size_t i = 0; i < sizeof sig / sizeof sig[0]; i++) {
		if (!at(p, len, sig[i].off, sig[i].m, sig[i].n))
			continue;
		if (sig[i].n == 2 && p[0] == 0x01 && !(len >= 4 && p[2] == 9 && p[3] == 0))
			continue;
		return true;
	}
	return false;
}

bool sniff_ole2(const void *buf, size_t len)
{
	return at(buf, len, 0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
}

/* Packets of a key or signature (signature, secret and public keys and
 * subkeys, trust, user ID, user attribute) that end exactly at len;
 * partial and indeterminate lengths belong to messages, not keys. */
static bool pgp_key_packets(const unsigned char *p, size_t len)
{
	size_t o = 0;
	while (o < len) {
		if (!(p[o] & 0x80) || len - o < 2)
			return false;
		unsigned tag;
		size_t hdr, body;
		if (p[o] & 0x40) {
			tag = p[o] & 0x3fu;
			unsigned b = p[o + 1];
			if (b < 192) {
				hdr = 2, body = b;
			} else if (b < 224) {
				if (len - o < 3)
					return false;
				hdr = 3, body = ((size_t)(b - 192) << 8) + p[o + 2] + 192;
			} else if (b == 255) {
				if (len - o < 6)
					return false;
				hdr = 6, body = (size_t)be32(p + o + 2);
			} else {
				return false;
			}
		} else {
			static const size_t lens[4] = {1, 2, 4, 0};
			tag = (p[o] >> 2) & 0x0fu;
			size_t k = lens[p[o] & 3];
			if (k == 0 || len - o < 1 + k)
				return false;
			body = 0;
			for (size_t i = 0; i < k; i++)
				body = body << 8 | p[o + 1 + i];
			hdr = 1 + k;
		}
		if (tag != 2 && tag != 5 && tag != 6 && tag != 7 && tag != 12 && tag != 13 &&
		    tag != 14 && tag != 17)
			return false;
		if (body > len - o - hdr)
			return false;
		o += hdr + body;
	}
	return o == len;
}

enum sniff_pgp sniff_pgp_binary(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	if (len < 3 || !(p[0] & 0x80))
		return SNIFF_PGP_NONE;
	unsigned tag = (p[0] & 0x40) ? (p[0] & 0x3fu) : ((p[0] >> 2) & 0x0fu);
	/* The version byte after the length is checked where it is cheap to
	 * find, so random binary with the high bit set is not taken. */
	size_t hdr = 0;
	if (!(p[0] & 0x40)) {
		static const size_t lens[4] = {2, 3, 5, 1};
		hdr = lens[p[0] & 3];
	} else {
		hdr = p[1] < 192 ? 2 : p[1] < 224 ? 3 : p[1] == 255 ? 6 : 2;
	}
	if (hdr >= len)
		return SNIFF_PGP_NONE;
	unsigned char v = p[hdr];
	switch (tag) {
	case 1:	/* public-key encrypted session key: version 3 or 6 */
		return v == 3 || v == 6 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 3:	/* symmetric-key encrypted session key: 4, 5, 6 */
		return v >= 4 && v <= 6 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 4:	/* one-pass signature: 3 or 6 */
		return v == 3 || v == 6 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 8:	/* compressed data: algorithm 0..3 */
		return v <= 3 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 11:	/* literal data: format b, t, u, l, 1, m */
		return v == 'b' || v == 't' || v == 'u' || v == 'l' || v == '1' || v == 'm'
			       ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 18:	/* sym. encrypted integrity protected: 1 or 2 */
		return v == 1 || v == 2 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 20:	/* AEAD encrypted data */
		return v == 1 ? SNIFF_PGP_SEALED : SNIFF_PGP_NONE;
	case 2:	/* signature: 3, 4, 5, 6 */
	case 6:	/* public key */
	case 14:	/* public subkey */
	case 5:	/* secret key */
	case 7:	/* secret subkey */
		return v >= 2 && v <= 6 && pgp_key_packets(p, len) ? SNIFF_PGP_KEY : SNIFF_PGP_NONE;
	default:
		return SNIFF_PGP_NONE;
	}
}

/* Only line ends and NULs may follow a DER structure. */
static bool tail_blank(const unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n' && p[i] != 0 && p[i] != ' ')
			return false;
	return true;
}

/* A DER SEQUENCE (or BER, indefinite length) spanning the buffer. */
static bool der_spans(const unsigned char *p, size_t len)
{
	if (len < 4 || p[0] != 0x30)
		return false;
	if (p[1] == 0x80) {	/* BER indefinite: ends with end-of-contents */
		size_t n = len;
		while (n > 2 && (p[n - 1] == '\r' || p[n - 1] == '\n'))
			n--;
		return n >= 4 && p[n - 1] == 0 && p[n - 2] == 0;
	}
	size_t hdr = 2, body = p[1];
	if (p[1] & 0x80) {
		unsigned k = p[1] & 0x7fu;
		if (k == 0 || k > 4 || len < 2 + k)
			return false;
		body = 0;
		for (unsigned i = 0; i < k; i++)
			body = body << 8 | p[2 + i];
		hdr = 2 + k;
	}
	return body <= len - hdr && tail_blank(p + hdr + body, len - hdr - body);
}

static unsigned char b64_class(unsigned char c);

/* PEM or OpenPGP armour and nothing else: "-----BEGIN " first, then only
 * "-----" lines, base64 lines (an armour checksum "=XXXX" is one) and
 * blank lines. */
static bool pem_only(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (!at(p, len, i, "-----BEGIN ", 11))
		return false;
	while (i < len) {
		const unsigned char *nl = memchr(p + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - p) : len, n = e - i;
		while (n > 0 && (p[i + n - 1] == '\r' || p[i + n - 1] == ' ' || p[i + n - 1] == '\t'))
			n--;
		bool dashes = n >= 10 && at(p + i, n, 0, "-----", 5) && at(p + i, n, n - 5, "-----", 5);
		for (size_t k = 0; k < n && !dashes; k++) {
			unsigned char c = b64_class(p[i + k]);
			if (c > 64)
				return false;
		}
		i = e + 1;
	}
	return true;
}

/* One BER/DER element at p (single-byte tags): *hdr its header length,
 * *body its content length, or SIZE_MAX for an indefinite length. */
static bool ber_head(const unsigned char *p, size_t len, size_t *hdr, size_t *body)
{
	if (len < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	if (p[1] == 0x80) {
		*hdr = 2, *body = SIZE_MAX;
		return (p[0] & 0x20) != 0;	/* only constructed elements */
	}
	if (!(p[1] & 0x80)) {
		*hdr = 2, *body = p[1];
	} else {
		unsigned k = p[1] & 0x7fu;
		if (k == 0 || k > 4 || len < 2 + (size_t)k)
			return false;
		*body = 0;
		for (unsigned i = 0; i < k; i++)
			*body = *body << 8 | p[2 + i];
		*hdr = 2 + k;
	}
	return *body <= len - *hdr;
}

/* The whole length of the element at p, indefinite ones followed to their
 * end-of-contents (nesting bounded); 0 when it does not parse. */
static size_t ber_len(const unsigned char *p, size_t len, unsigned depth)
{
	size_t hdr, body;
	if (depth > 32 || !ber_head(p, len, &hdr, &body))
		return 0;
	if (body != SIZE_MAX)
		return hdr + body;
	for (size_t o = hdr;;) {
		if (len - o >= 2 && p[o] == 0 && p[o + 1] == 0)
			return o + 2;
		size_t n = ber_len(p + o, len - o, depth + 1);
		if (n == 0)
			return 0;
		o += n;
	}
}

/* A detached CMS signature or a certificates-only bundle: ContentInfo
 * of type signedData whose encapsulated content is absent (RFC 5652
 * 5.1, 5.2); an attached signature carries content and is read. */
static bool cms_detached(const unsigned char *p, size_t len)
{
	static const unsigned char signed_data[] = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
						    0x0d, 0x01, 0x07, 0x02};
	static const unsigned char path[] = {0x30, 0xa0, 0x30};	/* ContentInfo, [0], SignedData */
	size_t o = 0, hdr, body;
	for (size_t i = 0; i < sizeof path; i++) {
		if (o >= len || p[o] != path[i] || !ber_head(p + o, len - o, &hdr, &body))
			return false;
		o += hdr;
		if (i == 0) {
			if (len - o < sizeof signed_data || memcmp(p + o, signed_data, sizeof signed_data))
				return false;
			o += sizeof signed_data;
		}
	}
	for (int skip = 0; skip < 2; skip++) {	/* version, digestAlgorithms */
		size_t n = o < len ? ber_len(p + o, len - o, 0) : 0;
		if (n == 0)
			return false;
		o += n;
	}
	if (o >= len || p[o] != 0x30 || !ber_head(p + o, len - o, &hdr, &body))
		return false;	/* encapContentInfo */
	size_t end = body == SIZE_MAX ? 0 : o + hdr + body;
	o += hdr;
	size_t n = o < len ? ber_len(p + o, len - o, 0) : 0;	/* eContentType */
	if (n == 0 || p[o] != 0x06)
		return false;
	o += n;
	return body == SIZE_MAX ? len - o >= 2 && p[o] == 0 && p[o + 1] == 0 : o == end;
}

/* An X.509 certificate's shape: tbsCertificate, signatureAlgorithm,
 * signatureValue. */
static bool x509_shape(const unsigned char *p, size_t len)
{
	static const unsigned char tags[] = {0x30, 0x30, 0x03};
	size_t hdr, body;
	if (!ber_head(p, len, &hdr, &body) || body == SIZE_MAX)
		return false;
	size_t o = hdr, end = hdr + body;
	for (size_t i = 0; i < sizeof tags; i++) {
		size_t n = o < end ? ber_len(p + o, end - o, 0) : 0;
		if (n == 0 || p[o] != tags[i])
			return false;
		o += n;
	}
	return o == end;
}

bool sniff_signature(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	if (der_spans(p, len))
		return cms_detached(p, len) || x509_shape(p, len);
	return sniff_pgp_binary(p, len) == SNIFF_PGP_KEY || pem_only(p, len);
}

bool sniff_zip_at_end(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	if (len < 22)
		return false;
	size_t lo = len > 22 + 65535 ? len - 22 - 65535 : 0;
	for (size_t i = len - 22 + 1; i-- > lo;)
		if (memcmp(p + i, "PK\x05\x06", 4) == 0 &&
		    i + 22 + ((size_t)p[i + 20] | (size_t)p[i + 21] << 8) == len)
			return true;
	return false;
}

/* 0..63 for a base64 character, 64 for '=', 65 for a line end, 66 for
 * what cannot be in base64, 67 for a blank. */
static const unsigned char b64_tab[256] = {
	66, 66, 66, 66, 66, 66, 66, 66, 66, 67, 65, 66, 66, 65, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	67, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 62, 66, 66, 66, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 66, 66, 66, 64, 66, 66,
	66, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 66, 66, 66, 66, 66,
	66, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
	66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66, 66,
};

static unsigned char b64_class(unsigned char c)
{
	return b64_tab[c];
}

/* Line feeds and carriage returns in [p, p+len): one pass, 32 bytes a
 * step with AVX2 (a base64 part has a line end every 76 bytes, so a
 * memchr() per line end cost more than the decoding). */
__attribute__((target("avx2"))) static size_t count_line_ends_avx2(const unsigned char *p,
								    size_t len, size_t *cr)
{
	size_t lf = 0, i = 0;
	for (; i + 32 <= len; i += 32) {
		__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + i));
		lf += (size_t)__builtin_popcount(
			(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\n'))));
		*cr += (size_t)__builtin_popcount(
			(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\r'))));
	}
	for (; i < len; i++) {
		lf += p[i] == '\n';
		*cr += p[i] == '\r';
	}
	return lf;
}

static size_t count_line_ends(const unsigned char *p, size_t len, size_t *cr)
{
	*cr = 0;
	if (__builtin_cpu_supports("avx2"))
		return count_line_ends_avx2(p, len, cr);
	size_t lf = 0;
	for (size_t i = 0; i < len; i++) {
		lf += p[i] == '\n';
		*cr += p[i] == '\r';
	}
	return lf;
}

bool sniff_b64_mislabelled(const void *buf, size_t len, size_t decoded)
{
	/* Every four base64 characters make three bytes, so what the decoder
	 * skipped is what is left of the bytes that are not line ends.  A
	 * blank per line (trailing blanks some encoders leave), padding and
	 * 1% are tolerated; no byte is looked at twice. */
	const unsigned char *p = buf;
	size_t cr, lf = count_line_ends(p, len, &cr);
	size_t body = len - lf - cr, valid = (decoded * 4 + 2) / 3;
	size_t skipped = body > valid ? body - valid : 0;
	return skipped > lf + 2 + body / 100;
}

/* The length of the base64 line at p (up to its end), or 0 when the line
 * holds anything else; *next is the offset of the next line. */
static size_t b64_line(const unsigned char *p, size_t len, size_t *next)
{
	size_t i = 0;
	while (i < len && b64_tab[p[i]] < 64)
		i++;
	size_t k = i;	/* base64 characters, then up to two '=' */
	while (k < len && k < i + 2 && p[k] == '=')
		k++;
	const unsigned char *nl = k < len ? memchr(p + k, '\n', len - k) : NULL;
	size_t n = nl ? (size_t)(nl - p) : len;
	*next = nl ? n + 1 : n;
	if (n > k && !(n == k + 1 && p[k] == '\r'))
		return 0;	/* something else on the line */
	return k;
}

/* The shortest base64 line a run can start with (see sniff_b64_run). */
#define B64_MIN_WIDTH 40

/* Bytes that can stand on a base64 line: the alphabet, '=' and '\r',
 * told by their two nibbles (two table lookups, ANDed): each bit is a
 * set "high nibble in H, low nibble in L":
 *   1: '\r'   2: '+' '/'   4: '0'-'9' '='   8: 'A'-'O' 'a'-'o'
 *  16: 'P'-'Z' 'p'-'z'
 * Bytes from 0x80 are in none (pshufb gives 0 for them). */
static const uint8_t b64_hi[16] = {[0x0] = 1, [0x2] = 2, [0x3] = 4, [0x4] = 8, [0x5] = 16,
				   [0x6] = 8, [0x7] = 16};
static const uint8_t b64_lo[16] = {
	4 | 16, 4 | 8 | 16, 4 | 8 | 16, 4 | 8 | 16, 4 | 8 | 16, 4 | 8 | 16, 4 | 8 | 16,
	4 | 8 | 16, 4 | 8 | 16, 4 | 8 | 16, 8 | 16, 2 | 8, 8, 1 | 4 | 8, 8, 2 | 8,
};

__attribute__((target("avx2"))) static uint64_t b64_good64(const unsigned char *p)
{
	const __m256i lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b64_lo));
	const __m256i hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b64_hi));
	uint64_t m = 0;
	for (int h = 0; h < 2; h++) {
		__m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * h));
		__m256i n = _mm256_and_si256(_mm256_srli_epi16(c, 4), _mm256_set1_epi8(0x0f));
		__m256i cls = _mm256_and_si256(_mm256_shuffle_epi8(lo, c), _mm256_shuffle_epi8(hi, n));
		__m256i bad = _mm256_cmpeq_epi8(cls, _mm256_setzero_si256());
		m |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(bad) << (32 * h);
	}
	return m;
}

/* Does the 64-bit mask hold B64_MIN_WIDTH set bits in a row?  Each step
 * keeps bit i only when bit i + k is set too, so after them bit i says
 * bits i..i+39 are all set. */
static uint64_t run40(uint64_t g)
{
	g &= g >> 1;	/* 2 */
	g &= g >> 2;	/* 4 */
	g &= g >> 4;	/* 8 */
	g &= g >> 8;	/* 16 */
	g &= g >> 16;	/* 32 */
	return g & g >> 8;	/* 40 */
}

/* A run of B64_MIN_WIDTH set bits inside 64 starts at bit 24 or before,
 * so it holds bits 24..39: a block of text with a blank or a stop among
 * its middle 16 bytes (nearly all) is passed without run40(). */
#define B64_RUN_MIDDLE (((uint64_t)1 << B64_MIN_WIDTH) - ((uint64_t)1 << (64 - B64_MIN_WIDTH)))

/* The same mask with AVX-512: one load and one mask test for 64 bytes. */
__attribute__((target("avx512bw"))) static uint64_t b64_good64_avx512(const unsigned char *p)
{
	const __m512i lo = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)b64_lo));
	const __m512i hi = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)b64_hi));
	__m512i c = _mm512_loadu_si512((const void *)p);
	__m512i n = _mm512_and_si512(_mm512_srli_epi16(c, 4), _mm512_set1_epi8(0x0f));
	__m512i cls = _mm512_and_si512(_mm512_shuffle_epi8(lo, c), _mm512_shuffle_epi8(hi, n));
	return _mm512_test_epi8_mask(cls, cls);
}

/* From the line start o: the start of the first line that holds
 * B64_MIN_WIDTH bytes in a row that can stand on a base64 line (or of
 * the line holding the last, unchecked, 63 bytes or fewer).  Every line
 * skipped has no such stretch, so b64_line() would give it a width below
 * B64_MIN_WIDTH: the same lines are found as line by line, and text is
 * passed over 64 bytes a step instead of a byte and a memchr() a line.
 * With ahead, each step also fetches the line ahead bytes on into the
 * cache (see sniff_b64_pass()).  The body is made once per instruction
 * set (always_inline). */
__attribute__((always_inline)) static inline size_t b64_skip_blocks(const unsigned char *p,
								     size_t len, size_t o,
								     size_t ahead, bool avx512)
{
	size_t b = o, carry = 0;	/* good bytes in a row before b */
	while (len - b >= 64) {
		/* an address, never dereferenced: it may lie past the text
		 * (reckoned as an integer, as a pointer there is undefined) */
		if (ahead != 0)
			_mm_prefetch((const char *)(uintptr_t)((uintptr_t)p + b + ahead), _MM_HINT_T1);
		uint64_t g = avx512 ? b64_good64_avx512(p + b) : b64_good64(p + b);
		size_t lead = g == ~(uint64_t)0 ? 64 : (size_t)__builtin_ctzll(~g);
		size_t at;
		uint64_t in;
		if (carry + lead >= B64_MIN_WIDTH)
			at = lead > 0 ? b + lead - 1 : b - 1;
		else if ((~g & B64_RUN_MIDDLE) == 0 && (in = run40(g)) != 0)
			at = b + (size_t)__builtin_ctzll(in);
		else {
			carry = g == ~(uint64_t)0 ? carry + 64 : (size_t)__builtin_clzll(~g);
			b += 64;
			continue;
		}
		b = at;
		break;
	}
	/* back to the start of the line holding b (no further back than o) */
	const unsigned char *nl = b > o ? memrchr(p + o, '\n', b - o) : NULL;
	return nl != NULL ? (size_t)(nl - p) + 1 : o;
}

__attribute__((target("avx2"))) static size_t b64_skip_avx2(const unsigned char *p, size_t len,
							    size_t o, size_t ahead)
{
	return b64_skip_blocks(p, len, o, ahead, false);
}

__attribute__((target("avx512bw"))) static size_t b64_skip_avx512(const unsigned char *p,
								  size_t len, size_t o, size_t ahead)
{
	return b64_skip_blocks(p, len, o, ahead, true);
}

/* The loop in use: the best the processor has, unless a test forced one
 * (sniff_b64_path()). */
static int b64_path = -1;
#define B64_PATHS (CPUPATH_SET(CPUPATH_AVX512) | CPUPATH_SET(CPUPATH_AVX2))

bool sniff_b64_path(int want)
{
	return cpupath_force(&b64_path, want, B64_PATHS);
}

static size_t b64_skip(const unsigned char *p, size_t len, size_t o, size_t ahead)
{
	int path = cpupath_get(&b64_path, B64_PATHS);
	if (len - o < 128)
		return o;
	if (path == SNIFF_PATH_AVX512)
		return b64_skip_avx512(p, len, o, ahead);
	if (path == SNIFF_PATH_AVX2)
		return b64_skip_avx2(p, len, o, ahead);
	return o;
}

size_t sniff_b64_pass(const void *buf, size_t len, size_t off, size_t ahead)
{
	const unsigned char *p = buf;
	if (p == NULL)
		return off;
	/* what sniff_b64_run() does with a line that starts no run, done
	 * for each whole line before len, stopping at one that may */
	while (off < len && (off = b64_skip(p, len, off, ahead)) < len &&
	       memchr(p + off, '\n', len - off) != NULL) {
		size_t next, width = b64_line(p + off, len - off, &next);
		if (width >= 1024 || (width >= B64_MIN_WIDTH && width <= 1000))
			break;
		off += next;
	}
	return off;
}

bool sniff_b64_run(const void *buf, size_t len, size_t *off, size_t *start, size_t *end,
		   unsigned min_lines)
{
	const unsigned char *p = buf;
	size_t o = *off;
	while (o < len && (o = b64_skip(p, len, o, 0)) < len) {
		size_t next, width = b64_line(p + o, len - o, &next);
		if (width >= 1024 || (width >= B64_MIN_WIDTH && width <= 1000)) {
			size_t s = o, e = o + width, lines = 1, q = o + next;
			bool last = width >= 1024 || p[o + width - 1] == '=';
			while (!last && q < len) {
				size_t nx, w2 = b64_line(p + q, len - q, &nx);
				if (w2 == 0 || w2 > width)
					break;
				lines++;
				e = q + w2;
				q += nx;
				if (w2 < width)
					last = true;
			}
			if (width >= 1024 || lines >= min_lines) {
				*start = s;
				*end = e;
				*off = q;
				return true;
			}
			o = q;
			continue;
		}
		o += next;
	}
	*off = len;
	return false;
}

unsigned char *sniff_b64_decode(const void *buf, size_t len, size_t *out_len)
{
	const unsigned char *p = buf;
	unsigned char *out = malloc(len / 4 * 3 + 4);
	size_t n = 0;
	uint32_t acc = 0;
	unsigned bits = 0;
	*out_len = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = b64_class(p[i]);
		if (c == 65 || c == 67)
			continue;
		if (c == 64) {	/* padding: a new group may follow */
			bits = 0;
			acc = 0;
			continue;
		}
		if (c > 64)
			break;
		acc = acc << 6 | c;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	*out_len = n;
	return out;
}

/* ---- text or binary, HTML ------------------------------------------------ */

/* Is u a code unit that text in some script is made of: printable ASCII
 * and line breaks, Latin, Greek, Cyrillic, Hebrew, Arabic, Indic and Thai
 * letters, general punctuation, CJK symbols, kana, CJK ideographs, Hangul,
 * full-width forms - or half of a surrogate pair (checked by the caller)? */
static bool utf16_text_unit(uint32_t u)
{
	static const uint16_t ranges[][2] = {
		{0x0020, 0x007e}, {0x00a0, 0x024f}, {0x0370, 0x052f}, {0x0590, 0x06ff},
		{0x0900, 0x0e7f}, {0x1100, 0x11ff}, {0x1e00, 0x1fff}, {0x2000, 0x206f},
		{0x20a0, 0x20bf}, {0x2100, 0x218f}, {0x2190, 0x23ff}, {0x2460, 0x27bf},
		{0x3000, 0x30ff}, {0x3100, 0x318f}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
		{0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xff00, 0xffef},
	};
	if (u == '\t' || u == '\n' || u == '\r')
		return true;
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (u >= ranges[i][0] && u <= ranges[i][1])
			return true;
	return false;
}

/* How many of the code units of p, read as UTF-16 (le or be), are text,
 * and how many are ASCII; surrogates count only as well-formed pairs. */
static size_t utf16_text_units(const unsigned char *p, size_t n, bool le, size_t *ascii)
{
	size_t good = 0;
	*ascii = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		uint32_t u = le ? (uint32_t)(p[i] | p[i + 1] << 8) : (uint32_t)(p[i] << 8 | p[i + 1]);
		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t l = le ? (uint32_t)(p[i + 2] | p[i + 3] << 8)
					: (uint32_t)(p[i + 2] << 8 | p[i + 3]);
			if (l >= 0xdc00 && l <= 0xdfff) {
				good += 2;
				i += 2;
			}
			continue;
		}
		*ascii += u < 0x80 && utf16_text_unit(u);
		good += utf16_text_unit(u);
	}
	return good;
}

/* UTF-16 without BOM.  Western text: one byte of each pair is almost
 * always zero.  Text that is mostly CJK (or another script above U+00FF)
 * has few zero bytes, so that pattern alone would read it as 8-bit: then
 * the pairs must decode, one way round, to code units that text is made
 * of (almost all of them; random binary data scores about half) with
 * some ASCII among them (at least one unit in 32: the zero bytes that
 * brought us here; a picture of one colour is no text). */
static enum sniff_text sniff_utf16(const unsigned char *p, size_t n)
{
	size_t pairs = n / 2, zero_even = 0, zero_odd = 0;
	if (pairs < 4)
		return SNIFF_BINARY;
	for (size_t i = 0; i + 1 < n; i += 2) {
		zero_even += p[i] == 0;
		zero_odd += p[i + 1] == 0;
	}
	if (zero_odd * 10 >= pairs * 7 && zero_even * 50 <= pairs)
		return SNIFF_UTF16LE;
	if (zero_even * 10 >= pairs * 7 && zero_odd * 50 <= pairs)
		return SNIFF_UTF16BE;
	/* 8-bit text whose only zero bytes end it (a C string, padding to a
	 * field's size) is no UTF-16: its letter pairs would read as CJK */
	size_t end = n;
	while (end > 0 && p[end - 1] == 0)
		end--;
	if (memchr(p, 0, end) == NULL)
		return SNIFF_BINARY;
	size_t ascii_le, ascii_be;
	size_t le = utf16_text_units(p, n, true, &ascii_le);
	size_t be = utf16_text_units(p, n, false, &ascii_be);
	if (le >= be && le * 100 >= pairs * 97 && ascii_le * 32 >= pairs)
		return SNIFF_UTF16LE;
	if (be > le && be * 100 >= pairs * 97 && ascii_be * 32 >= pairs)
		return SNIFF_UTF16BE;
	return SNIFF_BINARY;
}

enum sniff_text sniff_text(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n = len < 8192 ? len : 8192, ctrl = 0;
	if (n >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff)))
		return SNIFF_TEXT;	/* the BOM is honoured by the decoder */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		if (c == 0)
			return sniff_utf16(p, n);
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
		     c != 0x1b) || c == 0x7f)
			ctrl++;
	}
	/* Text has (next to) no control characters; binary data has many. */
	return ctrl * 100 > n ? SNIFF_BINARY : SNIFF_TEXT;
}

bool sniff_html(const void *buf, size_t len)
{
	const char *p = buf;
	size_t n = len < 1024 ? len : 1024;
	static const char *const marks[] = {"<!doctype html", "<html", "<body", "<head", "<table",
					    "<div", "<p>", "<br", NULL};
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '<')
			continue;
		for (const char *const *m = marks; *m; m++) {
			size_t k = strlen(*m);
			if (i + k <= n && strncasecmp(p + i, *m, k) == 0)
				return true;
		}
	}
	return false;
}
