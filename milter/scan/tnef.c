/*
 * tnef.c - TNEF (winmail.dat) read by our own bounded reader (see tnef.h).
 *
 * TNEF is Outlook's wrapper around a MAPI message: a signature, then
 * attributes (level, id, length, data, checksum).  Its body and
 * attachments are ordinary content once unwrapped, and the walker reads
 * each item as what its bytes are (a CSV, a zip, an RTF, an OLE2 file).
 *
 * Why not libytnef: it writes its parse errors to the process's stdout
 * (which is the JSON of "grondslag scan --json"), and it refuses real
 * Outlook files whose fields pass its fixed allocation caps (a 100-byte
 * string, a 512 KiB property), which would hold them as unscannable.
 * The format is small ([MS-OXTNEF] 2.1); every length is checked against
 * what is left before it is used.
 *
 * Decisions:
 *  - The attribute chain and every checksum are checked first; a cut or
 *    a wrong checksum is TNEF_CORRUPT (content would be lost unseen).
 *  - Body: attBody, and from the message's MAPI properties PR_BODY,
 *    PR_BODY_HTML and PR_RTF_COMPRESSED (decompressed here: Outlook often
 *    sends only the RTF; lzfu.h).  A compressed RTF we cannot decompress
 *    is TNEF_CORRUPT.
 *  - Attachments start at attAttachRendData; data is attAttachData, or
 *    PR_ATTACH_DATA_OBJ when that is an object (an embedded message or OLE
 *    object, its bytes after the 16-byte IID: attAttachData is then a
 *    placeholder text) or when attAttachData is missing.  Name:
 *    PR_ATTACH_LONG_FILENAME, else attAttachTitle.
 *  - MAPI property lists are parsed whole; one we cannot parse is
 *    TNEF_CORRUPT, since it may hold the body.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "grondslag/base/clean.h"
#include "grondslag/scan/lzfu.h"
#include "grondslag/scan/tnef.h"

#define ATT_SUBJECT 0x8004u
#define ATT_BODY 0x800cu
#define ATT_MSGPROPS 0x9003u
#define ATT_RENDDATA 0x9002u
#define ATT_TITLE 0x8010u
#define ATT_DATA 0x800fu
#define ATT_ATTACHMENT 0x9005u

#define PR_BODY 0x1000u
#define PR_RTF_COMPRESSED 0x1009u
#define PR_BODY_HTML 0x1013u
#define PR_ATTACH_DATA_OBJ 0x3701u
#define PR_ATTACH_LONG_FILENAME 0x3707u

#define PT_OBJECT 0x000du
#define PT_STRING8 0x001eu
#define PT_UNICODE 0x001fu
#define PT_BINARY 0x0102u
#define MV_FLAG 0x1000u

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- MAPI property lists ([MS-OXTNEF] 2.1.3.5) ---------------------------------- */

struct prop {
	const unsigned char *data;	/* the first value */
	size_t n;
	unsigned type;			/* its property type */
	bool found;
};

static size_t fixed_size(unsigned type)
{
	switch (type) {
	case 0x0002: case 0x0003: case 0x0004: case 0x000a: case 0x000b: case 0x0001:
		return 4;	/* short and boolean are padded to 4 */
	case 0x0005: case 0x0006: case 0x0007: case 0x0014: case 0x0040:
		return 8;
	case 0x0048:
		return 16;
	default:
		return 0;
	}
}

static bool var_type(unsigned type)
{
	return type == PT_STRING8 || type == PT_UNICODE || type == PT_BINARY || type == PT_OBJECT ||
	       type == 0x000d;
}

/* Find property id (of any of the given types) in a property list;
 * false when the list does not parse. */
static bool mapi_find(const unsigned char *p, size_t n, unsigned id, struct prop *out)
{
	size_t pos = 4;
	out->found = false;
	if (n < 4)
		return false;
	uint32_t count = le32(p);
	if (count > n / 8)
		return false;
	for (uint32_t i = 0; i < count; i++) {
		if (n - pos < 4)
			return false;
		unsigned type = (unsigned)p[pos] | (unsigned)p[pos + 1] << 8;
		unsigned pid = (unsigned)p[pos + 2] | (unsigned)p[pos + 3] << 8;
		pos += 4;
		if (pid >= 0x8000) {	/* named: GUID, kind, then an id or a name */
			if (n - pos < 24)
				return false;
			uint32_t kind = le32(p + pos + 16), nl = le32(p + pos + 20);
			pos += 24;
			if (kind != 0) {
				size_t padded = ((size_t)nl + 3) & ~(size_t)3;
				if (padded > n - pos)
					return false;
				pos += padded;
			}
		}
		unsigned base = type & ~MV_FLAG;
		bool mv = type & MV_FLAG, var = var_type(base);
		size_t fs = fixed_size(base);
		if (!var && fs == 0)
			return false;	/* a type we do not know the size of */
		uint32_t values = 1;
		if (mv || var) {
			if (n - pos < 4)
				return false;
			values = le32(p + pos);
			pos += 4;
			if (values > n - pos)
				return false;
		}
		for (uint32_t v = 0; v < values; v++) {
			size_t len = fs;
			if (var) {
				if (n - pos < 4)
					return false;
				len = le32(p + pos);
				pos += 4;
			}
			size_t padded = var ? ((len + 3) & ~(size_t)3) : len;
			if (len > n - pos || padded > n - pos)
				return false;
			if (pid == id && v == 0 && !out->found && var) {
				out->data = p + pos;
				out->n = len;
				out->type = base;
				out->found = true;
			}
			pos += padded;
		}
	}
	return true;
}

/* ---- the stream ----------------------------------------------------------------- */

struct tctx {
	int (*each)(void *arg, const char *name, const char *type, const void *data, size_t n);
	void *arg;
	unsigned items, attachments;
	/* the attachment being gathered */
	bool open;
	const unsigned char *title, *data, *props;
	size_t ntitle, ndata, nprops;
};

static enum tnef_status give(struct tctx *c, const char *name, const char *type,
			     const void *data, size_t n)
{
	if (++c->items > TNEF_MAX_ITEMS)
		return TNEF_TOO_MANY;
	return c->each(c->arg, name, type, data, n) != 0 ? TNEF_STOPPED : TNEF_OK;
}

/* A file name from 8-bit or UTF-16LE bytes: printable ASCII kept, the rest
 * '?', cut at a NUL. */
static void safe_name(char *dst, size_t cap, const unsigned char *s, size_t n, bool wide,
		      unsigned k)
{
	size_t o = 0;
	for (size_t i = 0; s != NULL && i + (wide ? 1 : 0) < n && o + 1 < cap; i += wide ? 2 : 1) {
		unsigned ch = wide ? (unsigned)s[i] | (unsigned)s[i + 1] << 8 : s[i];
		if (ch == 0)
			break;
		dst[o++] = clean_char(ch, CLEAN_ASCII | CLEAN_SLASH | CLEAN_BANG);
	}
	if (o == 0)
		o = (size_t)snprintf(dst, cap, "attachment%u", k);
	dst[o < cap ? o : cap - 1] = '\0';
}

static enum tnef_status attachment_end(struct tctx *c)
{
	if (!c->open)
		return TNEF_OK;
	c->open = false;
	c->attachments++;
	struct prop ln = {0}, obj = {0};
	if (c->props != NULL && (!mapi_find(c->props, c->nprops, PR_ATTACH_LONG_FILENAME, &ln) ||
				 !mapi_find(c->props, c->nprops, PR_ATTACH_DATA_OBJ, &obj)))
		return TNEF_CORRUPT;
	char name[256];
	if (ln.found) {
		bool wide = ln.n >= 2 && ln.data[1] == 0 && ln.data[0] != 0;
		safe_name(name, sizeof name, ln.data, ln.n, wide, c->attachments);
	} else {
		safe_name(name, sizeof name, c->title, c->ntitle, false, c->attachments);
	}
	const unsigned char *d = c->data;
	size_t n = c->ndata;
	if (obj.found && (d == NULL || obj.type == PT_OBJECT)) {
		/* An embedded message or OLE object: attAttachData is then only
		 * a placeholder text for old clients; the object is the
		 * content, after the interface's IID. */
		size_t skip = obj.type == PT_OBJECT && obj.n >= 16 ? 16 : 0;
		d = obj.data + skip;
		n = obj.n - skip;
	}
	if (d == NULL)
		return TNEF_OK;	/* no data: a link, a rendering */
	return give(c, name, "application/octet-stream", d, n);
}

static enum tnef_status message_props(struct tctx *c, const unsigned char *p, size_t n)
{
	struct prop body, html, rtf;
	if (!mapi_find(p, n, PR_BODY, &body) || !mapi_find(p, n, PR_BODY_HTML, &html) ||
	    !mapi_find(p, n, PR_RTF_COMPRESSED, &rtf))
		return TNEF_CORRUPT;
	enum tnef_status st = TNEF_OK;
	if (body.found)
		st = give(c, "body.txt", "text/plain", body.data, body.n);
	if (st == TNEF_OK && html.found)
		st = give(c, "body.html", "text/html", html.data, html.n);
	if (st == TNEF_OK && rtf.found) {
		GString *r = lzfu_decompress(rtf.data, rtf.n);
		if (r == NULL)
			return TNEF_CORRUPT;
		st = give(c, "body.rtf", "text/rtf", r->str, r->len);
		g_string_free(r, TRUE);
	}
	return st;
}

static enum tnef_status attribute(struct tctx *c, unsigned level, uint32_t id,
				  const unsigned char *d, size_t n)
{
	unsigned short_id = id & 0xffffu;
	if (level == 1) {
		if (short_id == ATT_SUBJECT)
			return give(c, "subject", "text/plain", d, n);
		if (short_id == ATT_BODY)
			return give(c, "body.txt", "text/plain", d, n);
		if (short_id == ATT_MSGPROPS)
			return message_props(c, d, n);
		return TNEF_OK;
	}
	if (short_id == ATT_RENDDATA) {
		enum tnef_status st = attachment_end(c);
		c->open = true;
		c->title = c->data = c->props = NULL;
		c->ntitle = c->ndata = c->nprops = 0;
		return st;
	}
	if (!c->open) {
		/* Attachment attributes before any rendering data: Outlook
		 * writes the rendering first, others may not. */
		c->open = true;
		c->title = c->data = c->props = NULL;
		c->ntitle = c->ndata = c->nprops = 0;
	}
	if (short_id == ATT_TITLE)
		c->title = d, c->ntitle = n;
	else if (short_id == ATT_DATA)
		c->data = d, c->ndata = n;
	else if (short_id == ATT_ATTACHMENT)
		c->props = d, c->nprops = n;
	return TNEF_OK;
}

/* The attribute chain: each attribute (level, id, length, data, checksum)
 * inside the stream, its checksum right, the stream ending on an
 * attribute's end. */
static bool chain_ok(const unsigned char *p, size_t len)
{
	size_t pos = 6;
	while (pos < len) {
		if (len - pos < 11)
			return false;
		size_t n = le32(p + pos + 5);
		if (n > len - pos - 11)
			return false;
		unsigned sum = 0;
		for (size_t i = 0; i < n; i++)
			sum += p[pos + 9 + i];
		unsigned want = (unsigned)p[pos + 9 + n] | (unsigned)p[pos + 10 + n] << 8;
		if ((sum & 0xffff) != want)
			return false;
		pos += 11 + n;
	}
	return true;
}

enum tnef_status tnef_read(const void *buf, size_t len,
			   int (*each)(void *arg, const char *name, const char *type,
				       const void *data, size_t n),
			   void *arg)
{
	const unsigned char *p = buf;
	if (len < 6 || le32(p) != 0x223e9f78u || !chain_ok(p, len))
		return TNEF_CORRUPT;
	struct tctx c = {.each = each, .arg = arg};
	enum tnef_status st = TNEF_OK;
	for (size_t pos = 6; pos < len && st == TNEF_OK;) {
		size_t n = le32(p + pos + 5);
		st = attribute(&c, p[pos], le32(p + pos + 1), p + pos + 9, n);
		pos += 11 + n;
	}
	if (st == TNEF_OK)
		st = attachment_end(&c);
	return st;
}
