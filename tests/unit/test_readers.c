/*
 * test_readers.c - the readers of sealed parts without a key (readers.h)
 * and the bounded framing under them (openpgp.h, der.h): PKESK v3 key
 * ids, v6 fingerprints, anonymous recipients, passphrases; CMS
 * RecipientInfos in DER and BER with indefinite lengths; and every way
 * hostile input can be malformed, truncated, huge or deep.  The packets
 * are built here byte by byte (Debian 12's GnuPG writes no v6 packets).
 */
#include "testutil.h"

#include "grondslag/scan/der.h"
#include "grondslag/scan/openpgp.h"
#include "grondslag/scan/readers.h"

/* ---- a byte builder ------------------------------------------------------ */

struct bytes {
	uint8_t b[8192];
	size_t n;
};

static void put(struct bytes *o, const void *p, size_t n)
{
	assert_true(o->n + n <= sizeof o->b);
	memcpy(o->b + o->n, p, n);
	o->n += n;
}

static void put1(struct bytes *o, unsigned v)
{
	uint8_t c = (uint8_t)v;
	put(o, &c, 1);
}

/* A new-format packet with a one- or two-octet length. */
static void packet(struct bytes *o, unsigned tag, const uint8_t *body, size_t n)
{
	put1(o, 0xc0 | tag);
	if (n < 192) {
		put1(o, (unsigned)n);
	} else {
		assert_true(n < 8384);
		put1(o, (unsigned)(((n - 192) >> 8) + 192));
		put1(o, (unsigned)((n - 192) & 0xff));
	}
	put(o, body, n);
}

/* PKESK v3 for key id, RSA, with a short fake session key. */
static void pkesk3(struct bytes *o, const uint8_t id[8])
{
	uint8_t b[20] = {3};
	memcpy(b + 1, id, 8);
	b[9] = 1;
	packet(o, 1, b, sizeof b);
}

/* PKESK v6: key version kv and fingerprint of len octets (0: anonymous). */
static void pkesk6(struct bytes *o, unsigned kv, const uint8_t *fpr, size_t len)
{
	uint8_t b[64] = {6};
	size_t n = 1;
	b[n++] = (uint8_t)(len ? len + 1 : 0);
	if (len) {
		b[n++] = (uint8_t)kv;
		memcpy(b + n, fpr, len);
		n += len;
	}
	b[n++] = 25;	/* X25519 */
	memset(b + n, 0x5a, 8);
	packet(o, 1, b, n + 8);
}

static void seipd(struct bytes *o)
{
	static const uint8_t body[] = {2, 9, 2, 6, 1, 2, 3, 4, 5, 6, 7, 8};
	packet(o, 18, body, sizeof body);
}

static const uint8_t id_a[8] = {0x32, 0xfc, 0xdd, 0x6d, 0x3a, 0xac, 0xd9, 0x52};
static const uint8_t id_b[8] = {0xef, 0x44, 0x39, 0xa4, 0x25, 0x65, 0xe8, 0x61};
static const uint8_t zero8[8];
static uint8_t fpr20[20], fpr32[32];

/* ---- collecting readers ------------------------------------------------- */

struct got {
	struct reader_id r[300];
	size_t n;
};

static bool collect(void *arg, const struct reader_id *r)
{
	struct got *g = arg;
	if (g->n < ARRAY_LEN(g->r))
		g->r[g->n++] = *r;
	return true;
}

/* ---- OpenPGP ------------------------------------------------------------------ */

enum build {
	B_V3_ONE, B_V3_TWO, B_V3_ANON, B_V6_V4FPR, B_V6_V6FPR, B_V6_ANON, B_SKESK, B_SEIPD_ONLY,
	B_MARKER_FIRST, B_OLD_FORMAT, B_FIVE_OCTET, B_TRUNC_DATA, B_PARTIAL_DATA,
	B_PARTIAL_PKESK, B_TRUNC_PKESK, B_HUGE_LEN, B_TAG0, B_NOT_PACKET, B_V6_BADLEN,
	B_V5_PKESK, B_LITERAL, B_PKESK_THEN_LITERAL, B_TOO_MANY, B_SESSION_ONLY, B_EMPTY,
	B_SHORT_V3
};

static void build_pgp(enum build k, struct bytes *o)
{
	memset(o, 0, sizeof *o);
	switch (k) {
	case B_V3_ONE:
		pkesk3(o, id_a);
		seipd(o);
		break;
	case B_V3_TWO:
		pkesk3(o, id_a);
		pkesk3(o, id_b);
		pkesk3(o, id_a);	/* the same twice: reported twice, deduplicated later */
		seipd(o);
		break;
	case B_V3_ANON:
		pkesk3(o, zero8);
		seipd(o);
		break;
	case B_V6_V4FPR:
		pkesk6(o, 4, fpr20, 20);
		seipd(o);
		break;
	case B_V6_V6FPR:
		pkesk6(o, 6, fpr32, 32);
		seipd(o);
		break;
	case B_V6_ANON:
		pkesk6(o, 0, NULL, 0);
		seipd(o);
		break;
	case B_SKESK: {
		static const uint8_t sk[] = {4, 9, 3, 2, 1, 2, 3, 4, 5, 6, 7, 8, 96};
		packet(o, 3, sk, sizeof sk);
		seipd(o);
		break;
	}
	case B_SEIPD_ONLY:
		seipd(o);
		break;
	case B_MARKER_FIRST: {
		static const uint8_t pgp[] = {'P', 'G', 'P'};
		packet(o, 10, pgp, 3);
		pkesk3(o, id_a);
		seipd(o);
		break;
	}
	case B_OLD_FORMAT: {
		uint8_t b[20] = {3};
		memcpy(b + 1, id_b, 8);
		put1(o, 0x84 | 1);	/* old format, tag 1, two-octet length */
		put1(o, 0);
		put1(o, 20);
		put(o, b, 20);
		put1(o, 0x80 | (9 << 2) | 3);	/* SED, indeterminate length */
		put(o, "ciphertext", 10);
		break;
	}
	case B_FIVE_OCTET: {
		uint8_t b[20] = {3};
		memcpy(b + 1, id_a, 8);
		put1(o, 0xc1);
		put1(o, 255);
		put1(o, 0);
		put1(o, 0);
		put1(o, 0);
		put1(o, 20);
		put(o, b, 20);
		seipd(o);
		break;
	}
	case B_TRUNC_DATA:
		pkesk3(o, id_a);
		put1(o, 0xc0 | 18);
		put1(o, 255);
		put(o, "\x00\x10\x00\x00", 4);	/* 1 MiB promised */
		put(o, "\x02\x09", 2);
		break;
	case B_PARTIAL_DATA:
		pkesk3(o, id_a);
		put1(o, 0xc0 | 18);
		put1(o, 0xe0 + 4);	/* partial: 16 octets, more chunks follow */
		put(o, "0123456789abcdef", 16);
		put1(o, 3);
		put(o, "end", 3);
		break;
	case B_PARTIAL_PKESK:
		put1(o, 0xc1);
		put1(o, 0xe0 + 4);
		put(o, "\x03\x32\xfc\xdd\x6d\x3a\xac\xd9\x52\x01\x00\x00\x00\x00\x00\x00", 16);
		seipd(o);
		break;
	case B_TRUNC_PKESK:
		put1(o, 0xc1);
		put1(o, 100);
		put(o, "\x03\x32\xfc\xdd\x6d\x3a\xac\xd9\x52\x01", 10);
		break;
	case B_HUGE_LEN:
		put1(o, 0xc1);
		put(o, "\xff\xff\xff\xff\xff", 5);
		put(o, "\x03\x32\xfc\xdd\x6d\x3a\xac\xd9\x52\x01", 10);
		break;
	case B_TAG0:
		put1(o, 0xc0);
		put1(o, 2);
		put(o, "xx", 2);
		break;
	case B_NOT_PACKET:
		put(o, "\x01\x02\x03", 3);
		break;
	case B_V6_BADLEN: {
		static const uint8_t b[] = {6, 21, 6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					    13, 14, 15, 16, 17, 18, 19, 20, 25, 0};
		packet(o, 1, b, sizeof b);	/* key version 6 with 20 octets */
		seipd(o);
		break;
	}
	case B_V5_PKESK: {
		static const uint8_t b[] = {5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1};
		packet(o, 1, b, sizeof b);
		seipd(o);
		break;
	}
	case B_LITERAL:
		packet(o, 11, (const uint8_t *)"b\0\0\0\0\0hello", 11);
		break;
	case B_PKESK_THEN_LITERAL:
		pkesk3(o, id_a);
		packet(o, 11, (const uint8_t *)"b\0\0\0\0\0hello", 11);
		break;
	case B_TOO_MANY:
		for (int i = 0; i < READERS_MAX_PER_PART + 1; i++) {
			uint8_t id[8] = {1, 2, 3, 4, 5, 6, (uint8_t)(i >> 8), (uint8_t)i};
			pkesk3(o, id);
		}
		seipd(o);
		break;
	case B_SESSION_ONLY:
		pkesk3(o, id_b);
		break;
	case B_EMPTY:
		break;
	case B_SHORT_V3:
		packet(o, 1, (const uint8_t *)"\x03\x01\x02", 3);
		seipd(o);
		break;
	}
}

static void test_pgp_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum build b;
		enum readers_status st;
		size_t n;
		enum reader_kind first;
		const uint8_t *id;	/* first reader's id, may be NULL */
		unsigned kv;
	} rows[] = {
		{"v3 one", B_V3_ONE, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_a, 0},
		{"v3 three", B_V3_TWO, READERS_ENCRYPTED, 3, READER_PGP_KEYID, id_a, 0},
		{"v3 key id 0", B_V3_ANON, READERS_ENCRYPTED, 1, READER_ANONYMOUS, NULL, 0},
		{"v6 v4 fpr", B_V6_V4FPR, READERS_ENCRYPTED, 1, READER_PGP_FPR, fpr20, 4},
		{"v6 v6 fpr", B_V6_V6FPR, READERS_ENCRYPTED, 1, READER_PGP_FPR, fpr32, 6},
		{"v6 anonymous", B_V6_ANON, READERS_ENCRYPTED, 1, READER_ANONYMOUS, NULL, 0},
		{"skesk", B_SKESK, READERS_ENCRYPTED, 1, READER_SECRET, NULL, 0},
		{"seipd alone", B_SEIPD_ONLY, READERS_ENCRYPTED, 1, READER_SECRET, NULL, 0},
		{"marker first", B_MARKER_FIRST, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_a, 0},
		{"old format", B_OLD_FORMAT, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_b, 0},
		{"five-octet length", B_FIVE_OCTET, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_a, 0},
		{"data truncated", B_TRUNC_DATA, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_a, 0},
		{"data partial", B_PARTIAL_DATA, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_a, 0},
		{"pkesk partial", B_PARTIAL_PKESK, READERS_MALFORMED, 0, 0, NULL, 0},
		{"pkesk truncated", B_TRUNC_PKESK, READERS_MALFORMED, 0, 0, NULL, 0},
		{"huge length", B_HUGE_LEN, READERS_MALFORMED, 0, 0, NULL, 0},
		{"tag 0", B_TAG0, READERS_MALFORMED, 0, 0, NULL, 0},
		{"not a packet", B_NOT_PACKET, READERS_MALFORMED, 0, 0, NULL, 0},
		{"v6 bad length", B_V6_BADLEN, READERS_MALFORMED, 0, 0, NULL, 0},
		{"pkesk v5", B_V5_PKESK, READERS_MALFORMED, 0, 0, NULL, 0},
		{"literal", B_LITERAL, READERS_NOT_ENCRYPTED, 0, 0, NULL, 0},
		{"pkesk then literal", B_PKESK_THEN_LITERAL, READERS_MALFORMED, 1, READER_PGP_KEYID,
		 id_a, 0},
		{"too many", B_TOO_MANY, READERS_MALFORMED, READERS_MAX_PER_PART, READER_PGP_KEYID,
		 NULL, 0},
		{"session key only", B_SESSION_ONLY, READERS_ENCRYPTED, 1, READER_PGP_KEYID, id_b, 0},
		{"empty", B_EMPTY, READERS_MALFORMED, 0, 0, NULL, 0},
		{"short v3", B_SHORT_V3, READERS_MALFORMED, 0, 0, NULL, 0},
	};
	for (size_t i = 0; i < 20; i++)
		fpr20[i] = (uint8_t)(0xa0 + i);
	for (size_t i = 0; i < 32; i++)
		fpr32[i] = (uint8_t)(0x10 + i);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		static struct bytes o;
		static struct got g;
		build_pgp(rows[i].b, &o);
		memset(&g, 0, sizeof g);
		enum readers_status st = readers_pgp(o.b, o.n, collect, &g);
		assert_int_eq_msg(rows[i].name, st, rows[i].st);
		assert_int_eq_msg(rows[i].name, g.n, rows[i].n);
		if (rows[i].n == 0)
			continue;
		assert_int_eq_msg(rows[i].name, g.r[0].kind, rows[i].first);
		if (rows[i].id != NULL) {
			size_t len = rows[i].first == READER_PGP_KEYID ? 8 : rows[i].kv == 4 ? 20 : 32;
			assert_int_eq_msg(rows[i].name, g.r[0].id_len, len);
			assert_int_eq_msg(rows[i].name, memcmp(g.r[0].id, rows[i].id, len), 0);
		}
		assert_int_eq_msg(rows[i].name, g.r[0].key_version, rows[i].kv);
		/* every form is also found by the dispatcher */
		memset(&g, 0, sizeof g);
		if (o.n > 0 && (o.b[0] & 0x80))
			assert_int_eq_msg(rows[i].name, readers_scan(o.b, o.n, collect, &g), st);
	}
}

/* Every prefix of a valid message: never a crash, never ENCRYPTED
 * without the reader, a session packet cut in two is malformed. */
static void test_pgp_prefixes(void **state)
{
	(void)state;
	static struct bytes o;
	build_pgp(B_V3_TWO, &o);
	for (size_t n = 0; n <= o.n; n++) {
		struct got *g = calloc(1, sizeof *g);
		assert_non_null(g);
		enum readers_status st = readers_pgp(o.b, n, collect, g);
		if (st == READERS_ENCRYPTED)
			assert_true(g->n >= 1);
		else
			assert_int_equal(st, READERS_MALFORMED);
		free(g);
	}
}

/* ---- armour ---------------------------------------------------------------- */

static void b64(const uint8_t *in, size_t n, char *out, size_t wrap)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? a[v & 63] : '=';
		if ((col += 4) >= wrap) {
			out[o++] = '\n';
			col = 0;
		}
	}
	out[o++] = '\n';
	out[o] = '\0';
}

/* fmt with every "%s" replaced by body. */
static void fill(char *out, size_t size, const char *fmt, const char *body)
{
	size_t o = 0;
	for (const char *p = fmt; *p && o + 1 < size; p++) {
		if (p[0] == '%' && p[1] == 's') {
			o += (size_t)snprintf(out + o, size - o, "%s", body);
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o < size ? o : size - 1] = '\0';
}

static void test_armor(void **state)
{
	(void)state;
	static struct bytes o;
	static char body[16384], text[20000];
	build_pgp(B_V6_V6FPR, &o);
	b64(o.b, o.n, body, 64);
	static const struct {
		const char *name, *fmt;
		enum readers_status st;
		size_t n;
	} rows[] = {
		{"plain", "-----BEGIN PGP MESSAGE-----\n\n%s=abcd\n-----END PGP MESSAGE-----\n",
		 READERS_ENCRYPTED, 1},
		{"headers", "Hi,\nsee below.\n-----BEGIN PGP MESSAGE-----\nVersion: X 1\nComment: c\n\n"
			    "%s-----END PGP MESSAGE-----\nBye\n", READERS_ENCRYPTED, 1},
		{"two blocks", "-----BEGIN PGP MESSAGE-----\n\n%s-----END PGP MESSAGE-----\n"
			       "-----BEGIN PGP MESSAGE-----\n\n%s-----END PGP MESSAGE-----\n",
		 READERS_ENCRYPTED, 2},
		{"no header line", "-----BEGIN PGP MESSAGE-----\n%s-----END PGP MESSAGE-----\n",
		 READERS_ENCRYPTED, 1},
		{"not base64", "-----BEGIN PGP MESSAGE-----\n\n<br>%s-----END PGP MESSAGE-----\n",
		 READERS_MALFORMED, 0},
		{"quoted", "> -----BEGIN PGP MESSAGE-----\n>\n> %s> -----END PGP MESSAGE-----\n",
		 READERS_ENCRYPTED, 1},
		{"no block", "just text %s", READERS_NONE, 0},
		{"signed only", "-----BEGIN PGP SIGNED MESSAGE-----\n\n%s", READERS_NONE, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct got *g = calloc(1, sizeof *g);
		assert_non_null(g);
		fill(text, sizeof text, rows[i].fmt, body);
		/* CRLF line ends read alike */
		for (int crlf = 0; crlf < 2; crlf++) {
			static char t2[40000];
			const char *t = text;
			if (crlf) {
				size_t k = 0;
				for (const char *p = text; *p; p++) {
					if (*p == '\n')
						t2[k++] = '\r';
					t2[k++] = *p;
				}
				t2[k] = '\0';
				t = t2;
			}
			g->n = 0;
			assert_int_eq_msg(rows[i].name, readers_armor(t, strlen(t), collect, g),
					  rows[i].st);
			assert_int_eq_msg(rows[i].name, g->n, rows[i].n);
			if (g->n > 0)
				assert_int_eq_msg(rows[i].name, memcmp(g->r[0].id, fpr32, 32), 0);
		}
		free(g);
	}
	/* text with a byte-order mark before the armour: still armour */
	{
		struct got *gb = calloc(1, sizeof *gb);
		fill(text, sizeof text, "\xef\xbb\xbf-----BEGIN PGP MESSAGE-----\n\n%s-----END PGP "
					"MESSAGE-----\n", body);
		assert_int_equal(readers_scan(text, strlen(text), collect, gb), READERS_ENCRYPTED);
		assert_int_equal(gb->n, 1);
		free(gb);
	}
	/* more blocks than are read: malformed, the read ones reported */
	size_t len = 0;
	for (int i = 0; i < READERS_MAX_BLOCKS + 1; i++)
		len += (size_t)snprintf(text + len, sizeof text - len,
					"-----BEGIN PGP MESSAGE-----\n\n%.40s\n", body);
	struct got *g = calloc(1, sizeof *g);
	assert_int_equal(readers_armor(text, len, collect, g), READERS_MALFORMED);
	free(g);
}

/* The armour is decoded a prefix at a time: a prefix that ends exactly
 * after a session key packet must not pass for the whole list, or a
 * reader after the cut goes unseen. */
static void test_armor_cut_at_packet(void **state)
{
	(void)state;
	static struct bytes o;
	static char body[16384], text[20000];
	memset(&o, 0, sizeof o);
	uint8_t first[24] = {3};
	memcpy(first + 1, id_a, 8);
	first[9] = 1;
	size_t m = (READERS_ARMOR_FIRST - (2 + sizeof first)) / 22;
	assert_int_equal(2 + sizeof first + 22 * m, READERS_ARMOR_FIRST);
	packet(&o, 1, first, sizeof first);
	for (size_t i = 0; i < m; i++)
		pkesk3(&o, id_a);
	pkesk3(&o, id_b);	/* the first packet past the prefix */
	seipd(&o);
	b64(o.b, o.n, body, 64);
	fill(text, sizeof text, "-----BEGIN PGP MESSAGE-----\n\n%s-----END PGP MESSAGE-----\n", body);
	struct got *g = calloc(1, sizeof *g);
	assert_non_null(g);
	assert_int_equal(readers_armor(text, strlen(text), collect, g), READERS_ENCRYPTED);
	assert_int_equal(g->n, m + 2);
	assert_int_equal(memcmp(g->r[g->n - 1].id, id_b, 8), 0);
	/* an armour that really ends there is whole: its session keys
	 * without data are all the readers there are, as for a binary part */
	text[0] = '\0';
	b64(o.b, READERS_ARMOR_FIRST, body, 64);
	fill(text, sizeof text, "-----BEGIN PGP MESSAGE-----\n\n%s-----END PGP MESSAGE-----\n", body);
	g->n = 0;
	assert_int_equal(readers_armor(text, strlen(text), collect, g), READERS_ENCRYPTED);
	assert_int_equal(g->n, m + 1);
	free(g);
}

/* ---- CMS ------------------------------------------------------------------------ */

/* DER element with a definite length into o. */
static void tlv(struct bytes *o, unsigned tag, const struct bytes *in)
{
	put1(o, tag);
	if (in->n < 128) {
		put1(o, (unsigned)in->n);
	} else if (in->n < 256) {
		put1(o, 0x81);
		put1(o, (unsigned)in->n);
	} else {
		put1(o, 0x82);
		put1(o, (unsigned)(in->n >> 8));
		put1(o, (unsigned)(in->n & 0xff));
	}
	put(o, in->b, in->n);
}

/* BER indefinite-length element. */
static void tlv_indef(struct bytes *o, unsigned tag, const struct bytes *in)
{
	put1(o, tag);
	put1(o, 0x80);
	put(o, in->b, in->n);
	put(o, "\0\0", 2);
}

static void raw(struct bytes *o, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		put1(o, v);
	}
}

static const char oid_env[] = "06092a864886f70d010703";
static const char oid_authenv[] = "060b2a864886f70d0109100117";
static const char oid_signed[] = "06092a864886f70d010702";
static const char oid_other[] = "06032a0304";

/* issuerAndSerialNumber with a one-RDN issuer and serial bytes. */
static void issuer_serial(struct bytes *o, const char *serial_hex)
{
	struct bytes *name = calloc(1, sizeof *name), *ias = calloc(1, sizeof *ias),
		     *ser = calloc(1, sizeof *ser);
	raw(name, "310b300906035504030c0274");	/* SET { SEQ { OID cn, "t" } } */
	tlv(ias, DER_SEQUENCE, name);
	raw(ser, serial_hex);
	tlv(ias, DER_INTEGER, ser);
	tlv(o, DER_SEQUENCE, ias);
	free(name);
	free(ias);
	free(ser);
}

enum cms {
	C_KTRI_IAS, C_KTRI_SKI, C_KARI, C_PWRI, C_MIXED, C_INDEF, C_AUTH, C_ORIGINATOR,
	C_SIGNED, C_OTHER_OID, C_EMPTY_SET, C_BAD_RI, C_LONG_SERIAL
};

/* ContentInfo { oid, [0] { EnvelopedData { 0, [originator], SET ri, eci } } } */
static void build_cms(enum cms k, struct bytes *out)
{
	struct bytes *set = calloc(1, sizeof *set), *ri = calloc(1, sizeof *ri),
		     *env = calloc(1, sizeof *env), *ctx = calloc(1, sizeof *ctx),
		     *ci = calloc(1, sizeof *ci), *t = calloc(1, sizeof *t);
	memset(out, 0, sizeof *out);
	const char *oid = k == C_AUTH ? oid_authenv : k == C_SIGNED ? oid_signed
			  : k == C_OTHER_OID ? oid_other : oid_env;
	if (k == C_KTRI_IAS || k == C_MIXED || k == C_INDEF || k == C_AUTH || k == C_ORIGINATOR ||
	    k == C_SIGNED || k == C_OTHER_OID) {
		memset(ri, 0, sizeof *ri);
		raw(ri, "020100");
		issuer_serial(ri, "00c0ffee");
		raw(ri, "300d06092a864886f70d0101010500040401020304");
		tlv(set, DER_SEQUENCE, ri);
	}
	if (k == C_KTRI_SKI || k == C_MIXED) {
		memset(ri, 0, sizeof *ri);
		raw(ri, "020102" "8004deadbeef" "300d06092a864886f70d0101010500040401020304");
		tlv(set, DER_SEQUENCE, ri);
	}
	if (k == C_KARI || k == C_MIXED) {
		struct bytes *rek = calloc(1, sizeof *rek), *reks = calloc(1, sizeof *reks),
			     *rkid = calloc(1, sizeof *rkid);
		raw(rkid, "0403abcdef");
		tlv(rek, DER_CTX_CONS(0), rkid);
		raw(rek, "040411223344");
		tlv(reks, DER_SEQUENCE, rek);
		memset(rek, 0, sizeof *rek);
		issuer_serial(rek, "0102");
		raw(rek, "040411223344");
		tlv(reks, DER_SEQUENCE, rek);
		memset(ri, 0, sizeof *ri);
		raw(ri, "020103" "a0060404aabbccdd" "a1040402ffff" "300706052b81040107");
		tlv(ri, DER_SEQUENCE, reks);
		tlv(set, DER_CTX_CONS(1), ri);
		free(rek);
		free(reks);
		free(rkid);
	}
	if (k == C_PWRI || k == C_MIXED) {
		memset(ri, 0, sizeof *ri);
		raw(ri, "020100" "300b06092a864886f70d01050c" "040401020304");
		tlv(set, DER_CTX_CONS(3), ri);
	}
	if (k == C_BAD_RI)
		raw(set, "a4020500");
	if (k == C_LONG_SERIAL) {
		memset(ri, 0, sizeof *ri);
		raw(ri, "020100");
		issuer_serial(ri, "0101010101010101010101010101010101010101010101010101010101010101"
				  "0101");
		raw(ri, "300d06092a864886f70d0101010500040401020304");
		tlv(set, DER_SEQUENCE, ri);
	}
	raw(env, "020102");
	if (k == C_ORIGINATOR)
		raw(env, "a0053003020101");
	if (k == C_INDEF) {
		tlv_indef(env, DER_SET, set);
		memset(t, 0, sizeof *t);
		raw(t, "06092a864886f70d010701" "300b0609608648016503040102" "8003414243");
		tlv_indef(env, DER_SEQUENCE, t);
		tlv_indef(ctx, DER_SEQUENCE, env);
		raw(ci, oid);
		tlv_indef(ci, DER_CTX_CONS(0), ctx);
		tlv_indef(out, DER_SEQUENCE, ci);
	} else {
		tlv(env, DER_SET, set);
		raw(env, "3019" "06092a864886f70d010701" "300b0609608648016503040102" "8003414243");
		tlv(ctx, DER_SEQUENCE, env);
		raw(ci, oid);
		tlv(ci, DER_CTX_CONS(0), ctx);
		tlv(out, DER_SEQUENCE, ci);
	}
	free(set);
	free(ri);
	free(env);
	free(ctx);
	free(ci);
	free(t);
}

static void test_cms_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum cms c;
		enum readers_status st;
		size_t n;
		enum reader_kind kinds[5];
	} rows[] = {
		{"ktri issuer+serial", C_KTRI_IAS, READERS_ENCRYPTED, 1, {READER_X509_ISSUER}},
		{"ktri ski", C_KTRI_SKI, READERS_ENCRYPTED, 1, {READER_X509_SKI}},
		{"kari", C_KARI, READERS_ENCRYPTED, 2, {READER_X509_SKI, READER_X509_ISSUER}},
		{"pwri", C_PWRI, READERS_ENCRYPTED, 1, {READER_SECRET}},
		{"mixed", C_MIXED, READERS_ENCRYPTED, 5,
		 {READER_X509_ISSUER, READER_X509_SKI, READER_X509_SKI, READER_X509_ISSUER,
		  READER_SECRET}},
		{"ber indefinite", C_INDEF, READERS_ENCRYPTED, 1, {READER_X509_ISSUER}},
		{"authenveloped", C_AUTH, READERS_ENCRYPTED, 1, {READER_X509_ISSUER}},
		{"originator info", C_ORIGINATOR, READERS_ENCRYPTED, 1, {READER_X509_ISSUER}},
		{"signed-data", C_SIGNED, READERS_NOT_ENCRYPTED, 0, {0}},
		{"other oid", C_OTHER_OID, READERS_MALFORMED, 0, {0}},
		{"empty set", C_EMPTY_SET, READERS_MALFORMED, 0, {0}},
		{"other recipient type", C_BAD_RI, READERS_MALFORMED, 0, {0}},
		{"serial too long", C_LONG_SERIAL, READERS_MALFORMED, 0, {0}},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct bytes *o = calloc(1, sizeof *o);
		struct got *g = calloc(1, sizeof *g);
		build_cms(rows[i].c, o);
		assert_int_eq_msg(rows[i].name, readers_scan(o->b, o->n, collect, g), rows[i].st);
		assert_int_eq_msg(rows[i].name, g->n, rows[i].n);
		for (size_t j = 0; j < g->n; j++)
			assert_int_eq_msg(rows[i].name, g->r[j].kind, rows[i].kinds[j]);
		if (rows[i].c == C_KTRI_IAS) {
			assert_int_equal(g->r[0].id_len, 3);	/* leading zero dropped */
			assert_memory_equal(g->r[0].id, "\xc0\xff\xee", 3);
		}
		if (rows[i].c == C_KTRI_SKI)
			assert_memory_equal(g->r[0].id, "\xde\xad\xbe\xef", 4);
		/* every truncation: never a crash, never a reader past the cut */
		for (size_t n = 0; n < o->n; n++) {
			g->n = 0;
			enum readers_status st = readers_cms(o->b, n, collect, g);
			assert_true(st == READERS_MALFORMED || st == READERS_ENCRYPTED ||
				    st == READERS_NOT_ENCRYPTED);
		}
		free(o);
		free(g);
	}
}

/* The same issuer and serial from a RecipientInfo and from itself compare
 * equal; another serial does not. */
static void test_cms_equal(void **state)
{
	(void)state;
	struct bytes *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	struct got *ga = calloc(1, sizeof *ga), *gb = calloc(1, sizeof *gb);
	build_cms(C_KTRI_IAS, a);
	build_cms(C_INDEF, b);
	readers_cms(a->b, a->n, collect, ga);
	readers_cms(b->b, b->n, collect, gb);
	assert_true(reader_equal(&ga->r[0], &gb->r[0]));
	build_cms(C_KARI, b);
	gb->n = 0;
	readers_cms(b->b, b->n, collect, gb);
	assert_false(reader_equal(&ga->r[0], &gb->r[1]));
	free(a);
	free(b);
	free(ga);
	free(gb);
}

/* ---- DER limits ---------------------------------------------------------- */

static void test_der_limits(void **state)
{
	(void)state;
	static uint8_t deep[4096];
	struct der c;
	struct der_tlv t;
	size_t n = 0;
	/* 1000 nested indefinite SEQUENCEs, closed: too deep, refused */
	for (int i = 0; i < 1000; i++) {
		deep[n++] = 0x30;
		deep[n++] = 0x80;
	}
	for (int i = 0; i < 1000; i++) {
		deep[n++] = 0;
		deep[n++] = 0;
	}
	der_init(&c, deep, n);
	assert_false(der_get(&c, &t));
	struct got *g = calloc(1, sizeof *g);
	assert_int_equal(readers_scan(deep, n, collect, g), READERS_MALFORMED);
	/* the same never closed */
	assert_int_equal(readers_cms(deep, 2000, collect, g), READERS_MALFORMED);
	free(g);
	static const struct {
		const char *name;
		const char *bytes;
		size_t n;
		bool ok;
		size_t len;
	} rows[] = {
		{"short", "\x04\x02" "ab", 4, true, 2},
		{"long form", "\x04\x81\x02" "ab", 5, true, 2},
		{"five length octets", "\x04\x85\x00\x00\x00\x00\x02" "ab", 9, false, 0},
		{"length past end", "\x04\x84\x7f\xff\xff\xff" "ab", 8, false, 0},
		{"high tag number", "\x1f\x81\x01\x00", 4, false, 0},
		{"indefinite primitive", "\x04\x80" "ab\0\0", 6, false, 0},
		{"indefinite", "\x30\x80\x04\x01x\0\0", 7, true, 3},
		{"indefinite unclosed", "\x30\x80\x04\x01x", 5, false, 0},
		{"one octet", "\x30", 1, false, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		der_init(&c, rows[i].bytes, rows[i].n);
		bool ok = der_get(&c, &t);
		assert_int_eq_msg(rows[i].name, ok, rows[i].ok);
		if (ok)
			assert_int_eq_msg(rows[i].name, t.len, rows[i].len);
	}
}

static void test_names(void **state)
{
	(void)state;
	char buf[READER_TEXT_MAX];
	struct reader_id r = {.kind = READER_PGP_KEYID, .id_len = 8};
	memcpy(r.id, id_a, 8);
	assert_string_equal(reader_format(&r, buf, sizeof buf), "pgp key 0x32FCDD6D3AACD952");
	r.kind = READER_ANONYMOUS;
	assert_string_equal(reader_format(&r, buf, sizeof buf), "anonymous recipient");
	assert_string_equal(reader_kind_name(READER_X509_SKI), "x509-ski");
	assert_string_equal(reader_kind_name(READER_UNPARSED), "unparsed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgp_table),  cmocka_unit_test(test_pgp_prefixes),
		cmocka_unit_test(test_armor), cmocka_unit_test(test_armor_cut_at_packet),	   cmocka_unit_test(test_cms_table),
		cmocka_unit_test(test_cms_equal),  cmocka_unit_test(test_der_limits),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
