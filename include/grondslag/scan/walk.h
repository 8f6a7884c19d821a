/*
 * walk.h - walk one raw RFC 5322 message and hand every piece of readable
 * text to a handler, part by part.
 *
 * The walker owns carriers, not meaning: it parses the MIME tree with
 * GMime (all transfer encodings, charsets converted to UTF-8, RFC 2047/2231
 * names, nested message/rfc822), opens archives with libarchive (zip, tar,
 * gz, bz2, xz, lzma, 7z, nested; members of any mode), pulls text out of
 * HTML (script data and comments included), UTF-16 with BOM, RTF, office
 * documents (OOXML/ODF: every XML part's text nodes joined, every embedded
 * object walked), legacy Office and other OLE2 files (ole2.h: every
 * stream, workbook/Word/PowerPoint text), TNEF (tnef.h: bodies and
 * attachments) and PDF (text and embedded files, out of process, with
 * time and memory limits), decides by the bytes rather than the label
 * (sniff.h), and recognises what it cannot read (PGP/MIME, inline PGP,
 * S/MIME, encrypted archive entries and OLE2 documents, OLE2 or TNEF
 * that is not what it says, corrupt archives, a media
 * label over bytes of no media format, unsupported types that may carry
 * text).  Every part becomes a
 * findings part; every unreadable part or limit hit becomes an unscannable
 * reason there; nothing is skipped silently.
 *
 * Of the headers only Subject is handed over as text (part path
 * "subject"): the others are transport data.  A message that is one
 * plain-text part (plainmsg.h) is read without GMime, with the same
 * findings.
 *
 * Part paths: MIME parts are numbered as in IMAP ("1", "2", "2.1"; a
 * single-part message's body is "1"); an archive member is appended with
 * "!" ("2!lists/be.csv", nested "2!a.zip!b.csv"), as are office members
 * that are not XML, PDF attachments ("2!list.csv"), OLE2 streams
 * ("2!Workbook", "2!ObjectPool/Workbook"), TNEF items ("2!body.rtf",
 * "2!list.csv"), RTF embedded objects
 * ("2!object1") and base64 blobs found
 * in text ("1!base64@120", the offset in the part); a message/rfc822
 * part's inner parts continue the numbering ("3.1"); another reading of an
 * entity with duplicate Content-Type headers is "<path>~<k>" ("1~1").
 *
 * Public functions:
 *   walk_limits_default()
 *   walk_message()   walk a whole message held in memory
 */
#ifndef GRONDSLAG_WALK_H
#define GRONDSLAG_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/findings.h"

/* The organisation's escrow key (EscrowKey): sealed OpenPGP content one
 * of whose readers is one of its encryption subkeys is decrypted in
 * memory and read like plaintext.  The walker knows no cryptography:
 * decrypt() is the caller's (decide/escrow.h). */
struct walk_escrow {
	const uint8_t (*keyids)[8];	/* key ids of its encryption subkeys */
	size_t nkeyids;
	/* The plaintext of data (len bytes) into *out (malloc'd, at most max
	 * bytes) and *outlen, within timeout_ms: 0; -1 when the content
	 * itself cannot be opened or is larger (it stays sealed); -2 when it
	 * could not be tried to the end (the deadline passed, gpg or its
	 * agent failed, the escrow key's secret key is missing or locked):
	 * the message must be tempfailed.  *why: a static reason word. */
	int (*decrypt)(void *arg, const void *data, size_t len, size_t max, unsigned timeout_ms,
		       unsigned char **out, size_t *outlen, const char **why);
	void *arg;
};

struct walk_limits {
	uint64_t max_message_bytes;	/* whole raw message */
	unsigned max_parts;		/* parts, archive members included */
	unsigned max_depth;		/* MIME + archive nesting */
	unsigned max_archive_entries;	/* per archive */
	unsigned max_expansion_ratio;	/* decoded bytes / archive bytes */
	uint64_t max_expanded_bytes;	/* all decoded text of the message */
	unsigned max_seconds;		/* wall clock for the whole walk */
	unsigned pdf_seconds;		/* per PDF, in the child */
	uint64_t pdf_max_memory;	/* address space of the PDF child */
	const char *pdftotext;		/* path of the extractor, NULL = default */
	bool gmime_always;		/* tests: no plain-text fast path (plainmsg.h) */
	const struct walk_escrow *escrow;	/* NULL: sealed content stays sealed */
};

void walk_limits_default(struct walk_limits *l);

/* The handler sees each text stream as begin, text* (UTF-8, in order,
 * arbitrary chunking), end.  Streams never interleave.  Returning non-zero
 * from text() stops the walk (walk_message() then returns that value). */
struct walk_handler {
	void (*begin)(void *arg, unsigned part);
	int (*text)(void *arg, unsigned part, const char *buf, size_t len);
	void (*end)(void *arg, unsigned part);
};

/* Returns 0 when the walk ran (whatever it found unreadable, which is in
 * f), the handler's stop value, or -1 on an internal error (also recorded
 * in f as UNSCAN_INTERNAL). */
int walk_message(const char *msg, size_t len, const struct walk_limits *lim,
		 struct findings *f, const struct walk_handler *h, void *arg);

#endif
