/*
 * pgp.h - recognise content that is encrypted or otherwise sealed, so the
 * walker can report it as unscannable instead of skipping it: PGP/MIME
 * (multipart/encrypted, application/pgp-encrypted), inline PGP armour in
 * text, S/MIME (application/pkcs7-mime enveloped, authenveloped,
 * compressed and opaque signed-data), binary OpenPGP files, and TNEF
 * (winmail.dat).  Detached signatures, keys and certificates are told
 * apart: they are not content.
 *
 * Nothing here decrypts or parses a crypto format; the decisions are made
 * on media types, their parameters, file names and a fixed armour line.
 *
 * Public functions:
 *   pgp_classify()        what a MIME type (+ params, file name) is
 *   pgp_inline_init()     streaming finder of "-----BEGIN PGP MESSAGE-----"
 *   pgp_inline_update()   feed text; true once the armour line was seen
 *   pgp_armor_path()      force the armour search's loop (tests)
 *   pgp_tnef_magic()      TNEF signature at the start of a buffer
 */
#ifndef GRONDSLAG_PGP_H
#define GRONDSLAG_PGP_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/cpupath.h"

enum pgp_kind {
	PGP_KIND_NONE = 0,		/* not a crypto or TNEF carrier */
	PGP_KIND_PGP_ENCRYPTED,		/* PGP/MIME or a binary .pgp/.gpg file */
	PGP_KIND_SMIME_SEALED,		/* S/MIME enveloped, compressed, opaque signed */
	PGP_KIND_NOT_CONTENT,		/* detached signature, key or certificate */
	PGP_KIND_TNEF			/* application/ms-tnef, winmail.dat */
};

/* Classify by media type.  type is "type/subtype" (any case); protocol is
 * the multipart/encrypted "protocol" parameter, smime_type the "smime-type"
 * parameter, filename the decoded file name; each may be NULL.  A
 * binary-looking .pgp/.gpg file is PGP_KIND_PGP_ENCRYPTED only when
 * content_is_text is false (an armoured .asc is text and is scanned). */
enum pgp_kind pgp_classify(const char *type, const char *protocol, const char *smime_type,
			   const char *filename, bool content_is_text);

/* Streaming finder of the inline armour line, robust to any chunking. */
#define PGP_ARMOR_LINE "-----BEGIN PGP MESSAGE-----"
#define PGP_ARMOR_LEN (sizeof(PGP_ARMOR_LINE) - 1)

struct pgp_inline {
	char tail[PGP_ARMOR_LEN];	/* last bytes of the previous chunk */
	size_t tail_len;
	bool found;
};

void pgp_inline_init(struct pgp_inline *s);
/* Feed the next chunk; returns true once the armour line has been seen
 * anywhere in the stream so far. */
bool pgp_inline_update(struct pgp_inline *s, const char *buf, size_t len);

/* The instruction set of the armour search, best first (PGP_PATH_BYTES:
 * memmem()); tests force each to hold them to each other: false when the
 * processor lacks it.  BEST chooses again. */
enum {
	PGP_PATH_BEST = CPUPATH_BEST, PGP_PATH_AVX512 = CPUPATH_AVX512,
	PGP_PATH_AVX2 = CPUPATH_AVX2, PGP_PATH_BYTES = CPUPATH_BYTES
};
bool pgp_armor_path(int want);

/* True when buf starts with the TNEF signature 0x223e9f78 (little endian). */
bool pgp_tnef_magic(const void *buf, size_t len);

#endif
