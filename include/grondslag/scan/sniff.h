/*
 * sniff.h - what bytes really are, whatever their label says: media
 * formats (and where an image ends, so data appended to it is found),
 * OLE2 compound files, binary OpenPGP packets, DER/PEM signatures and
 * certificates, zips hidden at the end of another file, and base64 (is a
 * part labelled base64 really base64; where a text holds a base64 blob),
 * text or binary (UTF-16 without a byte-order mark too) and HTML.
 *
 * The walker asks these before it trusts a Content-Type, a file name or
 * a Content-Transfer-Encoding: the label is a hint, the bytes decide.
 *
 * Limits: pure functions over the caller's buffer; no allocation except
 * sniff_b64_decode() (output at most 3/4 of the input).  Structure walks
 * (GIF blocks, PNG chunks, JPEG segments) are linear and bounded by the
 * buffer.
 *
 * Public functions:
 *   sniff_media()         a known image/audio/video/font format, and its end
 *   sniff_ole2()          an OLE2 compound file (legacy .doc/.xls/.msg)
 *   sniff_pgp_binary()    a binary OpenPGP packet stream, and of what kind
 *   sniff_signature()     DER/BER, PEM or OpenPGP bytes (a real signature)
 *   sniff_zip_at_end()    a zip whose directory ends the buffer
 *   sniff_b64_mislabelled() a part labelled base64 that is not base64
 *   sniff_b64_run()       the next run of base64 lines in a text
 *   sniff_b64_pass()      pass over lines that start no such run
 *   sniff_b64_decode()    decode base64, skipping blanks and line ends
 *   sniff_text()          text or binary; UTF-16 without BOM (also CJK)
 *   sniff_html()          the start looks like an HTML document
 */
#ifndef GRONDSLAG_SNIFF_H
#define GRONDSLAG_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/cpupath.h"

/* A known media format: true, and *end the offset where its structure
 * ends (GIF trailer, PNG IEND, JPEG EOI) or len when the format is known
 * but not parsed to its end. */
bool sniff_media(const void *buf, size_t len, size_t *end);

bool sniff_ole2(const void *buf, size_t len);

enum sniff_pgp {
	SNIFF_PGP_NONE = 0,	/* not an OpenPGP packet stream */
	SNIFF_PGP_SEALED,	/* encrypted, compressed, literal or signed message */
	SNIFF_PGP_KEY		/* a key, a detached signature: not content */
};
enum sniff_pgp sniff_pgp_binary(const void *buf, size_t len);

/* Bytes that can be a signature, key or certificate: one DER/BER
 * structure spanning the buffer, PEM / OpenPGP armour, or a binary
 * OpenPGP key or signature packet. */
bool sniff_signature(const void *buf, size_t len);

/* A zip end-of-central-directory record that ends the buffer exactly
 * (a GIFAR and other polyglots: a zip appended to an image). */
bool sniff_zip_at_end(const void *buf, size_t len);

/* The encoded bytes of a part labelled base64 (len) and the length its
 * decoder produced: true when more of them were skipped as not base64
 * than blanks at line ends and padding explain (plain text under a
 * base64 label: more than 1% of its bytes cannot be in base64). */
bool sniff_b64_mislabelled(const void *buf, size_t len, size_t decoded);

/* The next run of at least min_lines lines of base64 (equal length, 40
 * to 1000 characters, the last may be shorter), or one line of at least
 * 1024, starting the search at *off.  true with [*start, *end). */
bool sniff_b64_run(const void *buf, size_t len, size_t *off, size_t *start, size_t *end,
		   unsigned min_lines);

/* From the line start off, pass over the lines of buf that start no such
 * run: those without 40 base64 bytes in a row, and whole lines (ended
 * before len) of no run's width; returns the line start of the first
 * line that may start one or is not whole yet, at most len.
 * sniff_b64_run() finds the same runs from there as from off, and as buf
 * grows (a text read in slices) the pass may go on from there: the
 * search then reads each slice while it is still in the cache.
 * ahead: how many bytes of buf past len the caller reads next (its next
 * slice, 0 for none).  The pass is the last to read a slice and the
 * decoder the first to read the next, whose first touch of memory would
 * stall it: so the vector loops fetch the bytes ahead into the cache
 * while they compute (a prefetch, never a read; nothing past len+ahead). */
size_t sniff_b64_pass(const void *buf, size_t len, size_t off, size_t ahead);

/* The instruction set of that pass's block loop, best first (SNIFF_PATH_BYTES: none,
 * line by line); tests force each to hold them to each other: false when
 * the processor lacks it.  BEST chooses again. */
enum {
	SNIFF_PATH_BEST = CPUPATH_BEST, SNIFF_PATH_AVX512 = CPUPATH_AVX512,
	SNIFF_PATH_AVX2 = CPUPATH_AVX2, SNIFF_PATH_BYTES = CPUPATH_BYTES
};
bool sniff_b64_path(int want);

/* Decode base64, ignoring line ends and blanks; stops at the first byte
 * that is not base64.  Returns a malloc'd buffer (NULL on no memory). */
unsigned char *sniff_b64_decode(const void *buf, size_t len, size_t *out_len);

enum sniff_text {
	SNIFF_BINARY,
	SNIFF_TEXT,		/* UTF-8, 8-bit text, or text with a BOM */
	SNIFF_UTF16LE,		/* UTF-16 without BOM */
	SNIFF_UTF16BE
};

/* Look at (up to) the first 8 KiB and say whether it is text. */
enum sniff_text sniff_text(const void *buf, size_t len);
/* True when the start (up to 1 KiB) looks like an HTML document. */
bool sniff_html(const void *buf, size_t len);

#endif
