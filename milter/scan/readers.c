/*
 * readers.c - the recipients of a sealed part, read without a secret key
 * (see readers.h).
 *
 * Why: a reader that is unknown, anonymous or someone nobody addressed is
 * a leak whatever the ciphertext says, and the recipient list is in the
 * clear at the front of every OpenPGP message and CMS envelope.  Nothing
 * here decides: the recipients go to the findings, the registry says whose
 * keys they are (decide/keyring.c).
 *
 * An anonymous recipient (key id 0, as gpg --throw-keyids writes) is
 * reported as such: the packet says nothing of who it is.  A message
 * whose header cannot be read is READERS_MALFORMED: the caller reports an
 * unparsed reader, never nobody.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "grondslag/scan/der.h"
#include "grondslag/scan/openpgp.h"
#include "grondslag/scan/readers.h"

struct emit {
	readers_fn fn;
	void *arg;
	unsigned count;
	bool stopped;
	bool over;		/* more than READERS_MAX_PER_PART */
};

static void emit(struct emit *e, const struct reader_id *r)
{
	if (e->stopped)
		return;
	if (++e->count > READERS_MAX_PER_PART) {
		e->over = true;
		return;
	}
	if (!e->fn(e->arg, r))
		e->stopped = true;
}

static void emit_kind(struct emit *e, enum reader_kind k)
{
	struct reader_id r;
	memset(&r, 0, sizeof r);
	r.kind = k;
	emit(e, &r);
}

/* ---- OpenPGP -------------------------------------------------------------- */

/* One PKESK body: false when it cannot be read. */
static bool pkesk(const uint8_t *b, size_t n, struct emit *e)
{
	struct reader_id r;
	memset(&r, 0, sizeof r);
	if (n >= 10 && b[0] == 3) {
		static const uint8_t zero[8];
		if (memcmp(b + 1, zero, 8) == 0) {
			r.kind = READER_ANONYMOUS;
		} else {
			r.kind = READER_PGP_KEYID;
			r.id_len = 8;
			memcpy(r.id, b + 1, 8);
		}
		emit(e, &r);
		return true;
	}
	if (n >= 3 && b[0] == 6) {
		size_t k = b[1];
		if (n < 2 + k + 1)
			return false;
		if (k == 0) {
			r.kind = READER_ANONYMOUS;
		} else if ((b[2] == 4 && k == 21) || ((b[2] == 5 || b[2] == 6) && k == 33)) {
			r.kind = READER_PGP_FPR;
			r.key_version = b[2];
			r.id_len = (uint8_t)(k - 1);
			memcpy(r.id, b + 3, k - 1);
		} else {
			return false;
		}
		emit(e, &r);
		return true;
	}
	return false;
}

/* whole: data is the entire message.  A prefix that ends after its
 * session key packets says nothing of the packets past the cut, which
 * may be more readers: only the encrypted data packet closes the list. */
static enum readers_status pgp_read(const void *data, size_t len, readers_fn fn, void *arg,
				    bool whole)
{
	struct emit e = {.fn = fn, .arg = arg};
	struct openpgp_iter it;
	struct openpgp_packet pk;
	bool session = false;
	openpgp_iter_init(&it, data, len);
	while (openpgp_next(&it, &pk)) {
		switch (pk.tag) {
		case OPENPGP_PKESK:
		case OPENPGP_SKESK:
			if (pk.truncated || pk.partial)
				return READERS_MALFORMED;
			if (pk.tag == OPENPGP_SKESK)
				emit_kind(&e, READER_SECRET);
			else if (!pkesk(pk.body, pk.len, &e))
				return READERS_MALFORMED;
			if (e.over)
				return READERS_MALFORMED;
			session = true;
			break;
		case OPENPGP_MARKER:
		case OPENPGP_PADDING:
			break;
		case OPENPGP_SED:
		case OPENPGP_SEIPD:
		case OPENPGP_AEAD:
			/* Encrypted data with no session key packet before it is
			 * keyed by a passphrase alone (the oldest form). */
			if (!session)
				emit_kind(&e, READER_SECRET);
			return READERS_ENCRYPTED;
		default:
			return session ? READERS_MALFORMED : READERS_NOT_ENCRYPTED;
		}
	}
	if (it.bad)
		return READERS_MALFORMED;
	/* Session keys without the data they unlock: the recipients are
	 * known, the message is odd but sealed. */
	return session && whole ? READERS_ENCRYPTED : READERS_MALFORMED;
}

enum readers_status readers_pgp(const void *data, size_t len, readers_fn fn, void *arg)
{
	return pgp_read(data, len, fn, arg, true);
}

/* ---- CMS -------------------------------------------------------------------- */

/* 1.2.840.113549.1.7.3 and 1.2.840.113549.1.9.16.1.23 */
static const uint8_t oid_enveloped[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03};
static const uint8_t oid_auth_enveloped[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
					     0x01, 0x09, 0x10, 0x01, 0x17};
/* 1.2.840.113549.1.7 (PKCS #7 data types) and 1.2.840.113549.1.9.16.1
 * (S/MIME content types): a content type we do not seal on. */
static const uint8_t oid_pkcs7[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07};
static const uint8_t oid_smime_ct[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01};

static bool oid_is(const struct der_tlv *t, const uint8_t *oid, size_t n)
{
	return t->tag == DER_OID && t->len == n && memcmp(t->val, oid, n) == 0;
}

static bool oid_under(const struct der_tlv *t, const uint8_t *oid, size_t n)
{
	return t->tag == DER_OID && t->len > n && memcmp(t->val, oid, n) == 0;
}

bool reader_x509_issuer(const struct der_tlv *issuer, const struct der_tlv *serial,
			struct reader_id *r)
{
	if (issuer->tag != DER_SEQUENCE || serial->tag != DER_INTEGER || serial->len == 0)
		return false;
	const uint8_t *s = serial->val;
	size_t n = serial->len;
	while (n > 1 && s[0] == 0)
		s++, n--;
	if (n > READER_ID_MAX)
		return false;
	memset(r, 0, sizeof *r);
	r->kind = READER_X509_ISSUER;
	r->id_len = (uint8_t)n;
	memcpy(r->id, s, n);
	gsize dl = sizeof r->issuer;
	GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
	g_checksum_update(h, issuer->raw, (gssize)issuer->raw_len);
	g_checksum_get_digest(h, r->issuer, &dl);
	g_checksum_free(h);
	return true;
}

/* IssuerAndSerialNumber (the element t) into r. */
static bool issuer_serial(const struct der_tlv *t, struct reader_id *r)
{
	struct der c;
	struct der_tlv issuer, serial;
	der_init(&c, t->val, t->len);
	return der_get(&c, &issuer) && der_get(&c, &serial) &&
	       reader_x509_issuer(&issuer, &serial, r);
}

static bool ski(const uint8_t *v, size_t n, struct reader_id *r)
{
	if (n == 0 || n > READER_ID_MAX)
		return false;
	memset(r, 0, sizeof *r);
	r->kind = READER_X509_SKI;
	r->id_len = (uint8_t)n;
	memcpy(r->id, v, n);
	return true;
}

/* KeyTransRecipientInfo: version, rid, ... */
static bool ktri(const struct der_tlv *t, struct emit *e)
{
	struct der c;
	struct der_tlv v, rid;
	struct reader_id r;
	der_init(&c, t->val, t->len);
	if (!der_get(&c, &v) || v.tag != DER_INTEGER || !der_get(&c, &rid))
		return false;
	if (rid.tag == DER_SEQUENCE && issuer_serial(&rid, &r))
		emit(e, &r);
	else if (rid.tag == DER_CTX(0) && ski(rid.val, rid.len, &r))
		emit(e, &r);
	else
		return false;
	return true;
}

/* KeyAgreeRecipientInfo: version, originator [0], ukm [1] optional,
 * keyEncryptionAlgorithm, recipientEncryptedKeys (each: rid, key). */
static bool kari(const struct der_tlv *t, struct emit *e)
{
	struct der c, keys;
	struct der_tlv x, v;
	unsigned seqs = 0;
	der_init(&c, t->val, t->len);
	if (!der_get(&c, &x) || x.tag != DER_INTEGER)
		return false;
	while (seqs < 2) {
		if (!der_get(&c, &x))
			return false;
		if (x.tag == DER_SEQUENCE)
			seqs++;
	}
	der_init(&keys, x.val, x.len);
	bool any = false;
	while (!der_at_end(&keys)) {
		struct der one;
		struct der_tlv rek, rid;
		struct reader_id r;
		if (!der_get(&keys, &rek) || rek.tag != DER_SEQUENCE)
			return false;
		der_init(&one, rek.val, rek.len);
		if (!der_get(&one, &rid))
			return false;
		if (rid.tag == DER_SEQUENCE) {
			if (!issuer_serial(&rid, &r))
				return false;
		} else if (rid.tag == DER_CTX_CONS(0)) {
			struct der in;
			der_init(&in, rid.val, rid.len);
			if (!der_get(&in, &v) || v.tag != DER_OCTET_STRING || !ski(v.val, v.len, &r))
				return false;
		} else {
			return false;
		}
		emit(e, &r);
		any = true;
		if (e->over || e->stopped)
			break;
	}
	return any;
}

enum readers_status readers_cms(const void *data, size_t len, readers_fn fn, void *arg)
{
	struct emit e = {.fn = fn, .arg = arg};
	struct der top, ci, ctx, env, set;
	struct der_tlv t, oid;
	der_init(&top, data, len);
	if (!der_enter(&top, &t, &ci) || t.tag != DER_SEQUENCE || !der_get(&ci, &oid) ||
	    oid.tag != DER_OID)
		return READERS_MALFORMED;
	if (!oid_is(&oid, oid_enveloped, sizeof oid_enveloped) &&
	    !oid_is(&oid, oid_auth_enveloped, sizeof oid_auth_enveloped))
		return oid_under(&oid, oid_pkcs7, sizeof oid_pkcs7) ||
			       oid_under(&oid, oid_smime_ct, sizeof oid_smime_ct)
			       ? READERS_NOT_ENCRYPTED : READERS_MALFORMED;
	if (!der_enter(&ci, &t, &ctx) || t.tag != DER_CTX_CONS(0) || !der_enter(&ctx, &t, &env) ||
	    t.tag != DER_SEQUENCE || !der_get(&env, &t) || t.tag != DER_INTEGER || !der_get(&env, &t))
		return READERS_MALFORMED;
	if (t.tag == DER_CTX_CONS(0) && !der_get(&env, &t))	/* originatorInfo */
		return READERS_MALFORMED;
	if (t.tag != DER_SET)
		return READERS_MALFORMED;
	der_init(&set, t.val, t.len);
	bool any = false;
	while (!der_at_end(&set) && !e.stopped) {
		struct der_tlv ri;
		bool ok;
		if (!der_get(&set, &ri))
			return READERS_MALFORMED;
		if (ri.tag == DER_SEQUENCE)
			ok = ktri(&ri, &e);
		else if (ri.tag == DER_CTX_CONS(1))
			ok = kari(&ri, &e);
		else if (ri.tag == DER_CTX_CONS(2) || ri.tag == DER_CTX_CONS(3)) {
			emit_kind(&e, READER_SECRET);
			ok = true;
		} else
			ok = false;	/* other recipient types: nobody can say who */
		if (!ok || e.over)
			return READERS_MALFORMED;
		any = true;
	}
	return any ? READERS_ENCRYPTED : READERS_MALFORMED;
}

/* ---- any form ------------------------------------------------------------- */

/* Every armoured message block in text. */
static bool count_only(void *arg, const struct reader_id *r)
{
	(void)arg;
	(void)r;
	return true;
}

/* One armour block at text: its leading packets decoded into buf (cap
 * octets) and read.  The recipients come before the encrypted data, so
 * a prefix usually holds them all: READERS_ARMOR_FIRST octets are decoded
 * first, and more (doubling, up to cap) only while a cut prefix leaves
 * the session packets unreadable or ends before the encrypted data; the
 * callback sees the final pass only, and a block still cut at cap is
 * malformed (an unparsed reader), never the readers of its prefix. */
static enum readers_status armor_block(const char *text, size_t len, uint8_t *buf, size_t cap,
				       readers_fn fn, void *arg)
{
	size_t lim = READERS_ARMOR_FIRST < cap ? READERS_ARMOR_FIRST : cap;
	for (;;) {
		bool cut;
		size_t n = openpgp_dearmor(text, len, buf, lim, &cut);
		if (!cut || lim >= cap)
			return pgp_read(buf, n, fn, arg, !cut);
		if (pgp_read(buf, n, count_only, NULL, false) != READERS_MALFORMED)
			return pgp_read(buf, n, fn, arg, false);
		lim = lim * 2 < cap ? lim * 2 : cap;
	}
}

enum readers_status readers_armor(const void *data, size_t len, readers_fn fn, void *arg)
{
	const char *text = data;
	enum readers_status st = READERS_NOT_ENCRYPTED;
	bool found = false, enc = false, bad = false;
	uint8_t *buf = NULL;
	size_t at = 0, cap = 0;
	for (unsigned blocks = 0; blocks < READERS_MAX_BLOCKS; blocks++) {
		at = openpgp_find_armor(text, len, at, "MESSAGE");
		if (at >= len)
			break;
		found = true;
		if (buf == NULL) {
			cap = (len - at) / 4 * 3 + 3;
			cap = cap < READERS_ARMOR_MAX ? cap : READERS_ARMOR_MAX;
			if ((buf = malloc(cap)) == NULL)
				return READERS_MALFORMED;
		}
		st = armor_block(text + at, len - at, buf, cap, fn, arg);
		enc = enc || st == READERS_ENCRYPTED;
		bad = bad || st == READERS_MALFORMED;
		at += 1;
	}
	if (found && openpgp_find_armor(text, len, at, "MESSAGE") < len)
		bad = true;	/* more blocks than we read */
	free(buf);
	if (!found)
		return READERS_NONE;
	return bad ? READERS_MALFORMED : enc ? READERS_ENCRYPTED : READERS_NOT_ENCRYPTED;
}

enum readers_status readers_scan(const void *data, size_t len, readers_fn fn, void *arg)
{
	const uint8_t *p = data;
	if (len == 0)
		return READERS_NONE;
	if (p[0] == DER_SEQUENCE)
		return readers_cms(data, len, fn, arg);
	if (p[0] & 0x80) {
		/* Binary OpenPGP, or text that starts with a byte-order mark
		 * or a non-ASCII letter before its armour. */
		enum readers_status st = readers_pgp(data, len, fn, arg);
		if (st == READERS_ENCRYPTED || openpgp_find_armor(data, len, 0, "MESSAGE") >= len)
			return st;
	}
	return readers_armor(data, len, fn, arg);
}

/* ---- names -------------------------------------------------------------- */

const char *reader_kind_name(enum reader_kind k)
{
	static const char *const names[READER_KIND_COUNT] = {
		[READER_PGP_KEYID] = "pgp-keyid",     [READER_PGP_FPR] = "pgp-fingerprint",
		[READER_ANONYMOUS] = "anonymous",     [READER_SECRET] = "shared-secret",
		[READER_X509_ISSUER] = "x509-serial", [READER_X509_SKI] = "x509-ski",
		[READER_UNPARSED] = "unparsed"};
	return (unsigned)k < READER_KIND_COUNT ? names[k] : "?";
}

void reader_hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

const char *reader_format(const struct reader_id *r, char *buf, size_t n)
{
	char h[2 * READER_ID_MAX + 1], is[9];
	reader_hex(r->id, r->id_len < READER_ID_MAX ? r->id_len : READER_ID_MAX, h);
	switch (r->kind) {
	case READER_PGP_KEYID:
		snprintf(buf, n, "pgp key 0x%s", h);
		break;
	case READER_PGP_FPR:
		snprintf(buf, n, "pgp v%u key %s", r->key_version, h);
		break;
	case READER_X509_ISSUER:
		reader_hex(r->issuer, 4, is);
		snprintf(buf, n, "x509 serial %s (issuer %s)", h, is);
		break;
	case READER_X509_SKI:
		snprintf(buf, n, "x509 key id %s", h);
		break;
	case READER_ANONYMOUS:
		snprintf(buf, n, "anonymous recipient");
		break;
	case READER_SECRET:
		snprintf(buf, n, "passphrase or shared secret");
		break;
	default:
		snprintf(buf, n, "unreadable recipient list");
		break;
	}
	return buf;
}

bool reader_equal(const struct reader_id *a, const struct reader_id *b)
{
	return a->kind == b->kind && a->key_version == b->key_version && a->id_len == b->id_len &&
	       memcmp(a->id, b->id, a->id_len) == 0 &&
	       (a->kind != READER_X509_ISSUER || memcmp(a->issuer, b->issuer, 32) == 0);
}
