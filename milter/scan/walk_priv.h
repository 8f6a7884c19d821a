/*
 * walk_priv.h - what the files of the walker share and nobody else sees:
 * the walk in progress and one piece of content (an item), and the
 * functions each file lends the others.
 *
 *   walk.c          walk_message(): the entry, and walk_content(): what
 *                   an item is (the bytes decide) and who reads it
 *   walk_limits.c   budgets (time, MaxParts, MaxExpandedSize), part
 *                   records and paths, text streams to the handler
 *   walk_mime.c     the MIME tree (GMime): multiparts, leaves, Subjects,
 *                   embedded messages, duplicate content headers
 *   walk_archive.c  archives and office documents
 *   walk_formats.c  PDF, RTF, OLE2, TNEF
 *
 * Calls go from walk.c to the readers and from every file to
 * walk_limits.c; the one way back is recursion: a reader hands each
 * child it finds to walk_content() (walk_child()), bounded by max_depth.
 */
#ifndef GRONDSLAG_WALK_PRIV_H
#define GRONDSLAG_WALK_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmime/gmime.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/markup.h"
#include "grondslag/scan/pgp.h"
#include "grondslag/scan/readers.h"
#include "grondslag/scan/sniff.h"
#include "grondslag/scan/textx.h"
#include "grondslag/scan/walk.h"

#define CHUNK 65536
#define PATH_CAP 1024
#define TYPE_CAP 128

struct walk {
	const struct walk_limits *lim;
	struct findings *f;
	const struct walk_handler *h;
	void *arg;
	uint64_t start_ms;
	unsigned nparts;
	uint64_t expanded;
	int stop;		/* the handler's stop value */
	bool halted;		/* a message-wide limit, a stop or an error */
	bool escrow_down;	/* a decryption failed for a reason that may pass */
	bool internal;
	unsigned part;		/* the part of the open text stream */
	struct pgp_inline pgp;
	GByteArray *armor;	/* the text from an inline armour line on */
	const char *raw;	/* the buffer GMime's header offsets point into */
	size_t raw_len;
};

/* One piece of content to classify and read. */
struct item {
	unsigned part;
	unsigned depth;
	const char *path;
	const char *type;	/* lower case "type/subtype" */
	const char *filename;	/* may be NULL */
	const char *charset;	/* may be NULL */
	const char *smime_type;	/* may be NULL */
	const unsigned char *data;
	size_t len;
	bool lenient;		/* unknown binary here is no finding (see walk_binary) */
};

/* ---- walk_limits.c ------------------------------------------------------ */

uint64_t walk_now_ms(void);
/* End the whole walk for reason r, marking part (-1: none) too. */
void walk_halt(struct walk *w, enum unscan_reason r, int part);
/* Milliseconds left of MaxScanTime. */
uint64_t walk_remaining_ms(const struct walk *w);
/* false (and the walk halted) once the time is up. */
bool walk_time_ok(struct walk *w, int part);
/* Charge n bytes read for part to MaxExpandedSize; false when past it. */
bool walk_account(struct walk *w, unsigned part, uint64_t n);
/* Record a part (MaxParts); its index, or -1 with the walk halted. */
int walk_add_part(struct walk *w, const char *path, const char *type, const char *filename,
		  unsigned depth);
/* prefix sep name into out (PATH_CAP), cut when too long. */
void walk_join_path(char *out, const char *prefix, const char *sep, const char *name);
/* A text stream of part to the handler (NULL when out of memory: the
 * walk is halted); closed by walk_stream_close(). */
/* walk_readers.c: the readers of sealed bytes (binary OpenPGP, armour or
 * CMS; armour alone when armor_only) into part's findings, an unparsed
 * reader when none can be named; walk_readers_leaf() the same without the
 * unparsed reader (the caller decides over several leaves). */
enum readers_status walk_readers(struct walk *w, unsigned part, const void *data, size_t len,
				 bool armor_only);
enum readers_status walk_readers_leaf(struct walk *w, unsigned part, const void *data,
				      size_t len);
void walk_reader_unparsed(struct walk *w, unsigned part);

struct textx *walk_stream_open(struct walk *w, unsigned part, enum markup_kind m,
			       const char *charset);
void walk_stream_close(struct walk *w, struct textx *t);
/* A whole buffer into an open stream, in CHUNK slices. */
void walk_stream_feed(struct walk *w, struct textx *t, const void *data, size_t len);
/* A whole buffer as one text stream, fed in CHUNK slices. */
void walk_text(struct walk *w, unsigned part, enum markup_kind m, const char *charset,
	       const void *data, size_t len);

/* ---- walk.c --------------------------------------------------------------- */

/* Classify it by its bytes and read it (the recursion of the walk). */
void walk_content(struct walk *w, const struct item *it);
/* Bytes found inside a part as a part "<parent>!<name>" of their own. */
int walk_child(struct walk *w, const struct item *parent, const char *name, const char *type,
	       const char *filename, const void *data, size_t n, bool lenient);
/* A part whose bytes are text (sn: how the sniffer read them). */
void walk_text_item(struct walk *w, const struct item *it, enum sniff_text sn);
/* Sealed OpenPGP bytes of it opened with the escrow key (walk.h) and the
 * plaintext read as child "decrypted" of type; false (nothing changed)
 * when there is no escrow key, it is not among the readers, or the bytes
 * do not open. */
bool walk_unseal(struct walk *w, const struct item *it, const char *type);

/* ---- walk_mime.c ---------------------------------------------------------- */

/* A message parsed in place: GMime reads our buffer without copying it
 * (a GByteArray wrapped around it, never owned) and the parts keep
 * substreams of it (persist stream) instead of copies. */
struct parsed {
	GByteArray *ba;
	GMimeStream *stream;
	GMimeParser *parser;
	GMimeMessage *msg;
};

GMimeMessage *walk_parse_open(struct parsed *p, const void *data, size_t len);
void walk_parse_close(struct parsed *p);
/* The Subject s (n bytes) of the message at prefix as a text part. */
void walk_subject_text(struct walk *w, const char *s, size_t n, const char *prefix,
		       unsigned depth);
/* A message held as bytes (an .eml attachment, text/rfc822-headers). */
void walk_embedded(struct walk *w, const struct item *it, bool headers_only);
/* The body of message m whose parts are numbered under prefix. */
void walk_message_body(struct walk *w, GMimeMessage *m, const char *prefix, unsigned depth);

/* ---- walk_archive.c, walk_formats.c --------------------------------------- */

void walk_archive(struct walk *w, const struct item *it);
void walk_office(struct walk *w, const struct item *it);
void walk_pdf(struct walk *w, const struct item *it);
void walk_rtf(struct walk *w, const struct item *it);
void walk_ole2(struct walk *w, const struct item *it);
void walk_tnef(struct walk *w, const struct item *it);

#endif
