/*
 * pgp.c - recognise sealed content: PGP/MIME, inline PGP, S/MIME, TNEF
 * (see pgp.h).
 *
 * Decisions, and why:
 *  - multipart/encrypted and application/pgp-encrypted: the content is
 *    ciphertext, so the part is unscannable (the walker does not descend).
 *  - application/pkcs7-mime with smime-type enveloped-data,
 *    authenveloped-data or compressed-data: sealed.  signed-data (opaque
 *    signing) carries its content inside a CMS structure we do not parse,
 *    so it is sealed as well: reading it would need a CMS parser, and an
 *    unreadable part must be reported, never skipped.  certs-only is a
 *    certificate bag, not content.  Without smime-type, a .p7m name or a
 *    missing parameter means enveloped (the common case).
 *  - detached signatures (application/pgp-signature, pkcs7-signature),
 *    keys and certificates are not content: the walker records them as
 *    scanned without text.
 *  - signed-only PGP ("BEGIN PGP SIGNED MESSAGE") is readable and scanned;
 *    only "BEGIN PGP MESSAGE" marks ciphertext.
 *  - TNEF is recognised, not extracted: reason tnef.
 *
 * Limits: pure string checks over bounded inputs; no allocation.
 */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "grondslag/scan/pgp.h"

/* Case-insensitive suffix test for file names. */
static bool name_ends(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

/* The base name of a path ("a/b/winmail.dat" -> "winmail.dat"). */
static const char *base_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *bslash = strrchr(name, '\\');
	if (bslash != NULL && (slash == NULL || bslash > slash))
		slash = bslash;
	return slash ? slash + 1 : name;
}

/* S/MIME pkcs7-mime: which smime-type values seal the content. */
static enum pgp_kind classify_pkcs7_mime(const char *smime_type, const char *filename)
{
	if (smime_type != NULL && *smime_type != '\0') {
		if (strcasecmp(smime_type, "certs-only") == 0)
			return PGP_KIND_NOT_CONTENT;
		/* enveloped-data, authenveloped-data, compressed-data,
		 * signed-data and anything unknown: sealed. */
		return PGP_KIND_SMIME_SEALED;
	}
	if (filename != NULL && name_ends(filename, ".p7c"))
		return PGP_KIND_NOT_CONTENT;
	return PGP_KIND_SMIME_SEALED;
}

enum pgp_kind pgp_classify(const char *type, const char *protocol, const char *smime_type,
			   const char *filename, bool content_is_text)
{
	if (type == NULL)
		type = "";
	if (strcasecmp(type, "multipart/encrypted") == 0) {
		if (protocol != NULL && strcasestr(protocol, "pkcs7") != NULL)
			return PGP_KIND_SMIME_SEALED;
		return PGP_KIND_PGP_ENCRYPTED;
	}
	if (strcasecmp(type, "application/pgp-encrypted") == 0 ||
	    strcasecmp(type, "application/x-pgp-encrypted") == 0)
		return PGP_KIND_PGP_ENCRYPTED;
	if (strcasecmp(type, "application/pkcs7-mime") == 0 ||
	    strcasecmp(type, "application/x-pkcs7-mime") == 0)
		return classify_pkcs7_mime(smime_type, filename);
	if (strcasecmp(type, "application/pgp-signature") == 0 ||
	    strcasecmp(type, "application/pkcs7-signature") == 0 ||
	    strcasecmp(type, "application/x-pkcs7-signature") == 0 ||
	    strcasecmp(type, "application/pgp-keys") == 0 ||
	    strcasecmp(type, "application/pkcs7-certificates") == 0 ||
	    strcasecmp(type, "application/x-pkcs7-certificates") == 0 ||
	    strcasecmp(type, "application/pkix-cert") == 0 ||
	    strcasecmp(type, "application/x-x509-ca-cert") == 0)
		return PGP_KIND_NOT_CONTENT;
	if (strcasecmp(type, "application/ms-tnef") == 0 ||
	    strcasecmp(type, "application/vnd.ms-tnef") == 0)
		return PGP_KIND_TNEF;
	if (filename == NULL)
		return PGP_KIND_NONE;
	if (strcasecmp(base_name(filename), "winmail.dat") == 0)
		return PGP_KIND_TNEF;
	if (name_ends(filename, ".p7m"))
		return classify_pkcs7_mime(smime_type, filename);
	if (name_ends(filename, ".p7s"))
		return PGP_KIND_NOT_CONTENT;
	if (!content_is_text && (name_ends(filename, ".pgp") || name_ends(filename, ".gpg")))
		return PGP_KIND_PGP_ENCRYPTED;
	return PGP_KIND_NONE;
}

void pgp_inline_init(struct pgp_inline *s)
{
	memset(s, 0, sizeof *s);
}

/* Is the armour line in [buf, buf+len)?  The whole decoded text of every
 * part passes here, so 32 places at a time are tested on three of the
 * line's bytes ("-----B" at 0, 4 and 5) before a full compare: text
 * passes at memory speed, where memmem() costs some cycles a byte. */
__attribute__((target("avx2"))) static bool armor_in_avx2(const char *buf, size_t len)
{
	const __m256i dash = _mm256_set1_epi8('-'), b = _mm256_set1_epi8('B');
	size_t i = 0;
	for (; i + 32 + 5 <= len; i += 32) {
		const char *q = buf + i;
		__m256i m = _mm256_and_si256(
			_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)q), dash),
			_mm256_and_si256(
				_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(q + 4)),
						  dash),
				_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(const void *)(q + 5)),
						  b)));
		for (uint32_t bits = (uint32_t)_mm256_movemask_epi8(m); bits != 0; bits &= bits - 1) {
			size_t at = i + (size_t)__builtin_ctz(bits);
			if (len - at >= PGP_ARMOR_LEN && memcmp(buf + at, PGP_ARMOR_LINE, PGP_ARMOR_LEN) == 0)
				return true;
		}
	}
	return memmem(buf + i, len - i, PGP_ARMOR_LINE, PGP_ARMOR_LEN) != NULL;
}

/* The same search 64 places a step with AVX-512: one load, where the
 * AVX2 loop makes three.  It looks from the 'B' back instead of from the
 * first dash forward, so a line starting in the block before is told by
 * that block's dashes (kept) rather than by loading the next. */
__attribute__((target("avx512bw"))) static bool armor_in_avx512(const char *buf, size_t len)
{
	const __m512i dash = _mm512_set1_epi8('-'), b = _mm512_set1_epi8('B');
	uint64_t before = 0;	/* the dashes of the block before */
	size_t i = 0;
	for (; len - i >= 64; i += 64) {
		__m512i v = _mm512_loadu_si512((const void *)(buf + i));
		uint64_t d = _mm512_cmpeq_epi8_mask(v, dash);
		/* 'B' at j, dashes at j - 1 and j - 5 */
		uint64_t m = _mm512_cmpeq_epi8_mask(v, b) & (d << 1 | before >> 63) &
			     (d << 5 | before >> 59);
		before = d;
		for (; m != 0; m &= m - 1) {
			size_t at = i + (size_t)__builtin_ctzll(m) - 5;
			if (len - at >= PGP_ARMOR_LEN && memcmp(buf + at, PGP_ARMOR_LINE, PGP_ARMOR_LEN) == 0)
				return true;
		}
	}
	/* lines whose 'B' is not in a block seen start at i - 5 or later */
	size_t from = i >= 5 ? i - 5 : 0;
	return memmem(buf + from, len - from, PGP_ARMOR_LINE, PGP_ARMOR_LEN) != NULL;
}

/* The loop in use: the best the processor has, unless a test forced one
 * (pgp_armor_path()). */
static int armor_path = -1;
#define ARMOR_PATHS (CPUPATH_SET(CPUPATH_AVX512) | CPUPATH_SET(CPUPATH_AVX2))

bool pgp_armor_path(int want)
{
	return cpupath_force(&armor_path, want, ARMOR_PATHS);
}

static bool armor_in(const char *buf, size_t len)
{
	int path = cpupath_get(&armor_path, ARMOR_PATHS);
	if (len >= 64 && path == PGP_PATH_AVX512)
		return armor_in_avx512(buf, len);
	if (len >= 64 && path == PGP_PATH_AVX2)
		return armor_in_avx2(buf, len);
	return memmem(buf, len, PGP_ARMOR_LINE, PGP_ARMOR_LEN) != NULL;
}

bool pgp_inline_update(struct pgp_inline *s, const char *buf, size_t len)
{
	if (s->found || len == 0)
		return s->found;
	/* A line split across chunks: the saved tail plus this chunk's head. */
	if (s->tail_len > 0) {
		char joint[2 * PGP_ARMOR_LEN];
		size_t head = len < PGP_ARMOR_LEN - 1 ? len : PGP_ARMOR_LEN - 1;
		memcpy(joint, s->tail, s->tail_len);
		memcpy(joint + s->tail_len, buf, head);
		if (memmem(joint, s->tail_len + head, PGP_ARMOR_LINE, PGP_ARMOR_LEN) != NULL)
			return s->found = true;
	}
	if (armor_in(buf, len))
		return s->found = true;
	/* Keep the last PGP_ARMOR_LEN - 1 bytes of the stream seen so far. */
	size_t keep = PGP_ARMOR_LEN - 1;
	if (len >= keep) {
		memcpy(s->tail, buf + len - keep, keep);
		s->tail_len = keep;
	} else {
		size_t old = s->tail_len + len > keep ? keep - len : s->tail_len;
		memmove(s->tail, s->tail + s->tail_len - old, old);
		memcpy(s->tail + old, buf, len);
		s->tail_len = old + len;
	}
	return false;
}

bool pgp_tnef_magic(const void *buf, size_t len)
{
	static const unsigned char sig[4] = {0x78, 0x9f, 0x3e, 0x22};
	return len >= 4 && memcmp(buf, sig, 4) == 0;
}
