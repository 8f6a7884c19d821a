/*
 * keyparse.c - keys of OpenPGP and X.509 certificate material (see
 * keyparse.h).
 *
 * Why our own reader and not a keyring in GnuPG: the registry is loaded
 * by the daemon, the CLI and every test, and its certificates must map
 * the identifiers of a message's PKESK packets (v4 and v6 keys alike,
 * which Debian 12's GnuPG does not know) and CMS RecipientInfos.  That
 * needs fingerprints (SHA-1 for v4 keys, SHA-256 for v6), the
 * expiration subpackets of the self-signatures, and the issuer, serial
 * and subject key identifier of an X.509 certificate: framing and a
 * hash, no cryptography.  Everything is bounded by the input, which the
 * signed registry pins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "grondslag/base/date.h"
#include "grondslag/decide/keyparse.h"
#include "grondslag/scan/der.h"
#include "grondslag/scan/openpgp.h"

const char *keyparse_kind_name(enum keyparse_kind k)
{
	return k == KEYPARSE_X509 ? "x509" : "openpgp";
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ---- OpenPGP ------------------------------------------------------------ */

struct pgpkey {
	struct keyparse_key k;
	size_t primary;		/* index of its primary */
	uint8_t fpr[32];
	size_t fprlen;
	int64_t sig_time;	/* creation of the newest self-signature seen */
	bool have_sig;
};

struct pgpstate {
	struct pgpkey keys[KEYPARSE_MAX_KEYS];
	size_t n;
	bool have_primary;
	size_t primary;
	char *err;
	size_t errn;
};

/* A key packet: version, creation time, fingerprint, key id. */
static bool pgp_key(struct pgpstate *s, const struct openpgp_packet *pk, bool primary)
{
	const uint8_t *b = pk->body;
	if (!primary && !s->have_primary) {
		snprintf(s->err, s->errn, "a subkey before any primary key");
		return false;
	}
	if (s->n >= KEYPARSE_MAX_KEYS) {
		snprintf(s->err, s->errn, "more than %d keys", KEYPARSE_MAX_KEYS);
		return false;
	}
	if (pk->len < 6 || (b[0] != 4 && b[0] != 5 && b[0] != 6)) {
		snprintf(s->err, s->errn, "unsupported key version %u (want 4 or 6)",
			 pk->len > 0 ? b[0] : 0);
		return false;
	}
	struct pgpkey *k = &s->keys[s->n];
	memset(k, 0, sizeof *k);
	uint8_t head[5];
	size_t hl;
	GChecksum *h;
	if (b[0] == 4) {
		if (pk->len > 0xffff) {
			snprintf(s->err, s->errn, "key packet too large");
			return false;
		}
		head[0] = 0x99;
		head[1] = (uint8_t)(pk->len >> 8);
		head[2] = (uint8_t)pk->len;
		hl = 3;
		h = g_checksum_new(G_CHECKSUM_SHA1);
		k->fprlen = 20;
	} else {
		head[0] = b[0] == 6 ? 0x9b : 0x9a;
		head[1] = (uint8_t)(pk->len >> 24);
		head[2] = (uint8_t)(pk->len >> 16);
		head[3] = (uint8_t)(pk->len >> 8);
		head[4] = (uint8_t)pk->len;
		hl = 5;
		h = g_checksum_new(G_CHECKSUM_SHA256);
		k->fprlen = 32;
	}
	gsize dl = k->fprlen;
	g_checksum_update(h, head, (gssize)hl);
	g_checksum_update(h, pk->body, (gssize)pk->len);
	g_checksum_get_digest(h, k->fpr, &dl);
	g_checksum_free(h);

	k->k.kind = KEYPARSE_OPENPGP;
	k->k.primary = primary;
	k->k.created = be32(b + 1);
	k->k.expires = KEYPARSE_NEVER;
	k->k.revoked = KEYPARSE_NEVER;
	struct reader_id *kid = &k->k.ids[0], *fpr = &k->k.ids[1];
	kid->kind = READER_PGP_KEYID;
	kid->id_len = 8;
	memcpy(kid->id, b[0] == 4 ? k->fpr + 12 : k->fpr, 8);
	fpr->kind = READER_PGP_FPR;
	fpr->key_version = b[0];
	fpr->id_len = (uint8_t)k->fprlen;
	memcpy(fpr->id, k->fpr, k->fprlen);
	k->k.nids = 2;
	if (primary) {
		s->have_primary = true;
		s->primary = s->n;
	}
	k->primary = s->primary;
	s->n++;
	return true;
}

/* What a signature says: type, creation, key expiry, issuer. */
struct pgpsig {
	unsigned type;
	int64_t created;
	bool has_created;
	uint32_t key_expiry;
	bool has_key_expiry;
	uint8_t issuer[32];
	size_t issuer_len;	/* 8: key id; 20/32: fingerprint; 0: none */
};

/* The subpackets of one area; hashed areas alone carry expiry. */
static bool pgp_subpackets(const uint8_t *p, size_t n, bool hashed, struct pgpsig *sg)
{
	size_t off = 0;
	while (off < n) {
		size_t len, hdr;
		uint8_t o = p[off];
		if (o < 192) {
			hdr = 1;
			len = o;
		} else if (o < 255) {
			if (n - off < 2)
				return false;
			hdr = 2;
			len = ((size_t)(o - 192) << 8) + p[off + 1] + 192;
		} else {
			if (n - off < 5)
				return false;
			hdr = 5;
			len = be32(p + off + 1);
		}
		if (len < 1 || len > n - off - hdr)
			return false;
		const uint8_t *d = p + off + hdr + 1;
		size_t dl = len - 1;
		switch (p[off + hdr] & 0x7f) {
		case 2:	/* signature creation time */
			if (hashed && dl == 4) {
				sg->created = be32(d);
				sg->has_created = true;
			}
			break;
		case 9:	/* key expiration time */
			if (hashed && dl == 4) {
				sg->key_expiry = be32(d);
				sg->has_key_expiry = true;
			}
			break;
		case 16:	/* issuer key id */
			if (dl == 8 && sg->issuer_len == 0) {
				memcpy(sg->issuer, d, 8);
				sg->issuer_len = 8;
			}
			break;
		case 33:	/* issuer fingerprint: version, fingerprint */
			if ((dl == 21 || dl == 33) && sg->issuer_len <= 8) {
				memcpy(sg->issuer, d + 1, dl - 1);
				sg->issuer_len = dl - 1;
			}
			break;
		default:
			break;
		}
		off += hdr + len;
	}
	return true;
}

static bool pgp_sig_parse(const struct openpgp_packet *pk, struct pgpsig *sg)
{
	const uint8_t *b = pk->body;
	size_t n = pk->len;
	memset(sg, 0, sizeof *sg);
	if (n >= 19 && b[0] == 3 && b[1] == 5) {	/* v3: fixed fields */
		sg->type = b[2];
		sg->created = be32(b + 3);
		sg->has_created = true;
		memcpy(sg->issuer, b + 7, 8);
		sg->issuer_len = 8;
		return true;
	}
	size_t lenw = n >= 1 && b[0] == 6 ? 4 : 2;
	if (n < 4 + lenw || (b[0] != 4 && b[0] != 5 && b[0] != 6))
		return false;
	sg->type = b[1];
	size_t hl = lenw == 4 ? be32(b + 4) : ((size_t)b[4] << 8 | b[5]);
	size_t off = 4 + lenw;
	if (hl > n - off || !pgp_subpackets(b + off, hl, true, sg))
		return false;
	off += hl;
	if (n - off < lenw)
		return false;
	size_t ul = lenw == 4 ? be32(b + off) : ((size_t)b[off] << 8 | b[off + 1]);
	off += lenw;
	if (ul > n - off)
		return false;
	return pgp_subpackets(b + off, ul, false, sg);
}

/* Was sg made by the primary key of k (or names no issuer)? */
static bool pgp_self(const struct pgpstate *s, const struct pgpkey *k, const struct pgpsig *sg)
{
	const struct pgpkey *p = &s->keys[k->primary];
	if (sg->issuer_len == 0)
		return true;
	if (sg->issuer_len == 8)
		return memcmp(sg->issuer, p->k.ids[0].id, 8) == 0;
	return sg->issuer_len == p->fprlen && memcmp(sg->issuer, p->fpr, p->fprlen) == 0;
}

/* A signature after a key packet: a self-signature sets expiry, a
 * revocation ends the key. */
static bool pgp_sig(struct pgpstate *s, const struct openpgp_packet *pk)
{
	struct pgpsig sg;
	if (s->n == 0)
		return true;	/* a stray signature before any key: not ours */
	if (!pgp_sig_parse(pk, &sg)) {
		snprintf(s->err, s->errn, "malformed signature packet");
		return false;
	}
	struct pgpkey *k = &s->keys[s->n - 1];
	bool on_primary = k->k.primary;
	bool cert = (sg.type >= 0x10 && sg.type <= 0x13) || sg.type == 0x1f;
	if (!pgp_self(s, k, &sg) || !sg.has_created)
		return true;
	if ((on_primary && sg.type == 0x20) || (!on_primary && sg.type == 0x28)) {
		if (sg.created < k->k.revoked)
			k->k.revoked = sg.created;
		return true;
	}
	if ((on_primary && cert) || (!on_primary && sg.type == 0x18)) {
		if (k->have_sig && sg.created < k->sig_time)
			return true;	/* an older self-signature: superseded */
		k->have_sig = true;
		k->sig_time = sg.created;
		k->k.expires = sg.has_key_expiry && sg.key_expiry != 0
				       ? k->k.created + (int64_t)sg.key_expiry
				       : KEYPARSE_NEVER;
	}
	return true;
}

static bool pgp_packets(struct pgpstate *s, const uint8_t *data, size_t len)
{
	struct openpgp_iter it;
	struct openpgp_packet pk;
	openpgp_iter_init(&it, data, len);
	while (openpgp_next(&it, &pk)) {
		if (pk.truncated || pk.partial) {
			snprintf(s->err, s->errn, "truncated OpenPGP packet");
			return false;
		}
		switch (pk.tag) {
		case OPENPGP_PUBLIC_KEY:
		case OPENPGP_PUBLIC_SUBKEY:
			if (!pgp_key(s, &pk, pk.tag == OPENPGP_PUBLIC_KEY))
				return false;
			break;
		case OPENPGP_SECRET_KEY:
		case OPENPGP_SECRET_SUBKEY:
			snprintf(s->err, s->errn, "secret key material (export the public key only)");
			return false;
		case OPENPGP_SIGNATURE:
			if (!pgp_sig(s, &pk))
				return false;
			break;
		case OPENPGP_USER_ID:
		case OPENPGP_USER_ATTR:
		case OPENPGP_TRUST:
		case OPENPGP_MARKER:
		case OPENPGP_PADDING:
			break;
		default:
			snprintf(s->err, s->errn, "OpenPGP packet %u is not part of a certificate",
				 pk.tag);
			return false;
		}
	}
	if (it.bad) {
		snprintf(s->err, s->errn, "malformed OpenPGP packet header");
		return false;
	}
	return true;
}

/* ---- X.509 ----------------------------------------------------------- */

/* UTCTime / GeneralizedTime "...Z" into Unix seconds. */
static bool x509_time(const struct der_tlv *t, int64_t *out)
{
	const uint8_t *v = t->val;
	size_t yl = t->tag == 0x17 ? 2 : t->tag == 0x18 ? 4 : 0;
	if (yl == 0 || t->len != yl + 11 || v[t->len - 1] != 'Z')
		return false;
	for (size_t i = 0; i + 1 < t->len; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
#define D2(i) ((v[i] - '0') * 10 + (v[(i) + 1] - '0'))
	int year = yl == 2 ? D2(0) : D2(0) * 100 + D2(2);
	if (yl == 2)
		year += year < 50 ? 2000 : 1900;
	int mon = D2(yl), day = D2(yl + 2), hh = D2(yl + 4), mm = D2(yl + 6), ss = D2(yl + 8);
#undef D2
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60)
		return false;
	*out = (int64_t)date_from_ymd(year, (unsigned)mon, (unsigned)day) * 86400 + hh * 3600 +
	       mm * 60 + ss;
	return true;
}

/* 2.5.29.14 subjectKeyIdentifier */
static const uint8_t oid_ski[] = {0x55, 0x1d, 0x0e};

/* The extensions' SKI into r; false when there is none. */
static bool x509_ski_ext(const struct der_tlv *exts, struct reader_id *r)
{
	struct der c, list;
	struct der_tlv seq, e;
	der_init(&c, exts->val, exts->len);
	if (!der_get(&c, &seq) || seq.tag != DER_SEQUENCE)
		return false;
	der_init(&list, seq.val, seq.len);
	while (der_get(&list, &e)) {
		struct der one, in;
		struct der_tlv oid, x, ski;
		der_init(&one, e.val, e.len);
		if (e.tag != DER_SEQUENCE || !der_get(&one, &oid) || oid.tag != DER_OID ||
		    oid.len != sizeof oid_ski || memcmp(oid.val, oid_ski, sizeof oid_ski) != 0)
			continue;
		if (!der_get(&one, &x))
			return false;
		if (x.tag == 0x01 && !der_get(&one, &x))	/* critical */
			return false;
		der_init(&in, x.val, x.len);
		if (x.tag != DER_OCTET_STRING || !der_get(&in, &ski) || ski.tag != DER_OCTET_STRING ||
		    ski.len == 0 || ski.len > READER_ID_MAX)
			return false;
		r->kind = READER_X509_SKI;
		r->id_len = (uint8_t)ski.len;
		memcpy(r->id, ski.val, ski.len);
		return true;
	}
	return false;
}

static bool x509_cert(const uint8_t *data, size_t len, struct keyparse_key *k, char *err,
		      size_t errn)
{
	struct der top, cert, tbs, val, spki;
	struct der_tlv t, serial, issuer, validity, nb, na, key, pub;
	memset(k, 0, sizeof *k);
	der_init(&top, data, len);
	if (!der_get(&top, &t) || t.tag != DER_SEQUENCE)
		goto bad;
	der_init(&cert, t.val, t.len);
	if (!der_get(&cert, &t) || t.tag != DER_SEQUENCE)
		goto bad;
	der_init(&tbs, t.val, t.len);
	if (!der_get(&tbs, &t))
		goto bad;
	if (t.tag == DER_CTX_CONS(0) && !der_get(&tbs, &t))	/* version */
		goto bad;
	serial = t;
	if (serial.tag != DER_INTEGER || serial.len == 0 || !der_get(&tbs, &t) ||
	    t.tag != DER_SEQUENCE || !der_get(&tbs, &issuer) || issuer.tag != DER_SEQUENCE ||
	    !der_get(&tbs, &validity) || validity.tag != DER_SEQUENCE || !der_get(&tbs, &t) ||
	    t.tag != DER_SEQUENCE || !der_get(&tbs, &key) || key.tag != DER_SEQUENCE)
		goto bad;
	der_init(&val, validity.val, validity.len);
	if (!der_get(&val, &nb) || !der_get(&val, &na) || !x509_time(&nb, &k->created) ||
	    !x509_time(&na, &k->expires)) {
		snprintf(err, errn, "X.509 certificate with a bad validity");
		return false;
	}
	if (!reader_x509_issuer(&issuer, &serial, &k->ids[0])) {
		snprintf(err, errn, "X.509 serial number empty or longer than %d octets",
			 READER_ID_MAX);
		return false;
	}
	k->nids = 1;
	/* The subject key identifier: the extension, else the usual
	 * derivation (SHA-1 of the public key bits, RFC 5280 4.2.1.2). */
	bool ski = false;
	while (!ski && der_get(&tbs, &t))
		if (t.tag == DER_CTX_CONS(3))
			ski = x509_ski_ext(&t, &k->ids[1]);
	der_init(&spki, key.val, key.len);
	if (!ski && der_get(&spki, &t) && der_get(&spki, &pub) && pub.tag == 0x03 && pub.len > 1) {
		uint8_t d[20];
		gsize l = sizeof d;
		GChecksum *h1 = g_checksum_new(G_CHECKSUM_SHA1);
		g_checksum_update(h1, pub.val + 1, (gssize)pub.len - 1);
		g_checksum_get_digest(h1, d, &l);
		g_checksum_free(h1);
		k->ids[1].kind = READER_X509_SKI;
		k->ids[1].id_len = 20;
		memcpy(k->ids[1].id, d, 20);
		ski = true;
	}
	k->nids = ski ? 2 : 1;
	k->kind = KEYPARSE_X509;
	k->primary = true;
	k->revoked = KEYPARSE_NEVER;
	char hex[2 * READER_ID_MAX + 1];
	reader_hex(k->ids[0].id, k->ids[0].id_len, hex);
	snprintf(k->label, sizeof k->label, "x509 serial %.64s", hex);
	return true;
bad:
	snprintf(err, errn, "malformed X.509 certificate");
	return false;
}

/* ---- material ------------------------------------------------------------- */

static bool contains(const void *data, size_t len, const char *s)
{
	return memmem(data, len, s, strlen(s)) != NULL;
}

/* Armoured blocks ("-----BEGIN <what>-----") decoded one by one. */
typedef bool (*block_fn)(void *arg, const uint8_t *bin, size_t n);

static bool each_block(const char *text, size_t len, const char *begin, block_fn fn, void *arg,
		       char *err, size_t errn)
{
	uint8_t *buf = malloc(len / 4 * 3 + 4);
	size_t from = 0, blocks = 0;
	bool ok = buf != NULL;
	while (ok) {
		const char *hit = memmem(text + from, len - from, begin, strlen(begin));
		if (hit == NULL)
			break;
		size_t at = (size_t)(hit - text);
		bool cut;
		size_t n = openpgp_dearmor(text + at, len - at, buf, len / 4 * 3 + 4, &cut);
		if (n == 0) {
			snprintf(err, errn, "an armoured block without data");
			ok = false;
			break;
		}
		ok = fn(arg, buf, n);
		blocks++;
		from = at + 1;
	}
	free(buf);
	if (buf == NULL)
		snprintf(err, errn, "out of memory");
	return ok && blocks > 0;
}

struct x509_ctx {
	struct keyparse_key *keys;
	size_t n;
	char *err;
	size_t errn;
};

static bool x509_block(void *arg, const uint8_t *bin, size_t n)
{
	struct x509_ctx *c = arg;
	if (c->n >= KEYPARSE_MAX_KEYS) {
		snprintf(c->err, c->errn, "more than %d keys", KEYPARSE_MAX_KEYS);
		return false;
	}
	return x509_cert(bin, n, &c->keys[c->n++], c->err, c->errn);
}

static bool pgp_block(void *arg, const uint8_t *bin, size_t n)
{
	struct pgpstate *s = arg;
	s->have_primary = false;	/* each block is its own certificate */
	return pgp_packets(s, bin, n);
}

int keyparse(const void *data, size_t len, keyparse_fn fn, void *arg, enum keyparse_kind *kind,
	     char *err, size_t errn)
{
	const uint8_t *p = data;
	int count = -1;
	if (len == 0 || len > KEYPARSE_MAX_BYTES) {
		snprintf(err, errn, len == 0 ? "empty key material" : "key material over %u bytes",
			 KEYPARSE_MAX_BYTES);
		return -1;
	}
	if (contains(data, len, "-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
		snprintf(err, errn, "secret key material (export the public key only)");
		return -1;
	}
	bool pgp_armor = contains(data, len, "-----BEGIN PGP PUBLIC KEY BLOCK-----");
	bool pem = contains(data, len, "-----BEGIN CERTIFICATE-----");
	if (pgp_armor || (!pem && (p[0] & 0x80))) {
		struct pgpstate *s = calloc(1, sizeof *s);
		if (s == NULL) {
			snprintf(err, errn, "out of memory");
			return -1;
		}
		s->err = err;
		s->errn = errn;
		bool ok = pgp_armor ? each_block(data, len, "-----BEGIN PGP PUBLIC KEY BLOCK-----",
						 pgp_block, s, err, errn)
				    : pgp_packets(s, data, len);
		if (ok && s->n == 0) {
			snprintf(err, errn, "no public key in the OpenPGP material");
			ok = false;
		}
		for (size_t i = 0; ok && i < s->n; i++) {
			struct pgpkey *k = &s->keys[i];
			const struct pgpkey *pr = &s->keys[k->primary];
			char hex[65];
			reader_hex(pr->fpr, pr->fprlen, hex);
			snprintf(k->k.label, sizeof k->k.label, "openpgp %s", hex);
			/* A subkey lives no longer than its primary. */
			if (pr->k.expires < k->k.expires)
				k->k.expires = pr->k.expires;
			if (pr->k.revoked < k->k.revoked)
				k->k.revoked = pr->k.revoked;
		}
		for (size_t i = 0; ok && fn != NULL && i < s->n; i++)
			fn(arg, &s->keys[i].k);
		count = ok ? (int)s->n : -1;
		*kind = KEYPARSE_OPENPGP;
		free(s);
		return count;
	}
	struct keyparse_key *keys = calloc(KEYPARSE_MAX_KEYS, sizeof *keys);
	struct x509_ctx c = {keys, 0, err, errn};
	bool ok = keys != NULL;
	if (!ok)
		snprintf(err, errn, "out of memory");
	else if (pem)
		ok = each_block(data, len, "-----BEGIN CERTIFICATE-----", x509_block, &c, err, errn);
	else if (p[0] == DER_SEQUENCE)
		ok = x509_block(&c, p, len);
	else {
		snprintf(err, errn, "neither an OpenPGP nor an X.509 certificate");
		ok = false;
	}
	for (size_t i = 0; ok && fn != NULL && i < c.n; i++)
		fn(arg, &keys[i]);
	*kind = KEYPARSE_X509;
	free(keys);
	return ok ? (int)c.n : -1;
}
