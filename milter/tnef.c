/*
 * tnef.c - TNEF (winmail.dat) through libytnef (see tnef.h).
 *
 * Why libytnef: it is Debian's TNEF reader (used by ytnef and Evolution's
 * plugin); TNEF is Outlook's wrapper around a MAPI message, so its body
 * and attachments are ordinary content once unwrapped.  The walker reads
 * each item as what its bytes are (a CSV, a zip, an RTF, an OLE2 file).
 *
 * Decisions:
 *  - Body: PR_BODY (or the legacy attBody), PR_BODY_HTML, and the
 *    compressed RTF (PR_RTF_COMPRESSED) decompressed by libytnef; Outlook
 *    often sends only the RTF.
 *  - Attachment data: attAttachData; without it, PR_ATTACH_DATA_OBJ (an
 *    embedded message or OLE object: its bytes after the 16-byte IID when
 *    it is an object).  Name: PR_ATTACH_LONG_FILENAME, else the title.
 *  - libytnef reads from our buffer (TNEFParseMemory copies nothing it
 *    does not own); a parse error is TNEF_CORRUPT, never partial content.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ytnef.h>

#include "grondslag/tnef.h"

struct tctx {
	int (*each)(void *arg, const char *name, const char *type, const void *data, size_t n);
	void *arg;
	unsigned items;
};

static enum tnef_status give(struct tctx *c, const char *name, const char *type,
			     const void *data, size_t n)
{
	if (++c->items > TNEF_MAX_ITEMS)
		return TNEF_TOO_MANY;
	return c->each(c->arg, name, type, data, n) != 0 ? TNEF_STOPPED : TNEF_OK;
}

static bool has(const variableLength *v)
{
	return v != NULL && v != MAPI_UNDEFINED && v->data != NULL && v->size > 0;
}

/* A property of either string type, or binary. */
static variableLength *prop(MAPIProps *p, unsigned type, unsigned id)
{
	variableLength *v = MAPIFindProperty(p, PROP_TAG(type, id));
	return has(v) ? v : NULL;
}

static void safe_name(char *dst, size_t cap, const variableLength *v, unsigned n)
{
	size_t k = 0;
	if (v != NULL)
		for (int i = 0; i < v->size && v->data[i] && k + 1 < cap; i++)
			dst[k++] = v->data[i] < 0x20 || v->data[i] == 0x7f || v->data[i] == '!' ||
					   v->data[i] == '/'
					   ? '?'
					   : (char)v->data[i];
	if (k == 0)
		k = (size_t)snprintf(dst, cap, "attachment%u", n);
	dst[k < cap ? k : cap - 1] = '\0';
}

static enum tnef_status bodies(struct tctx *c, TNEFStruct *t)
{
	enum tnef_status st = TNEF_OK;
	variableLength *v;
	if (has(&t->subject))
		st = give(c, "subject", "text/plain", t->subject.data, (size_t)t->subject.size);
	if (st == TNEF_OK && ((v = prop(&t->MapiProperties, PT_UNICODE, PR_BODY)) ||
			      (v = prop(&t->MapiProperties, PT_STRING8, PR_BODY))))
		st = give(c, "body.txt", "text/plain", v->data, (size_t)v->size);
	else if (st == TNEF_OK && has(&t->body))
		st = give(c, "body.txt", "text/plain", t->body.data, (size_t)t->body.size);
	if (st == TNEF_OK && ((v = prop(&t->MapiProperties, PT_BINARY, PR_BODY_HTML)) ||
			      (v = prop(&t->MapiProperties, PT_STRING8, PR_BODY_HTML))))
		st = give(c, "body.html", "text/html", v->data, (size_t)v->size);
	if (st == TNEF_OK && (v = prop(&t->MapiProperties, PT_BINARY, PR_RTF_COMPRESSED))) {
		int n = 0;
		BYTE *rtf = NULL;
		/* "MELA": stored uncompressed ([MS-OXRTFCP] 2.1.3.1.1), which
		 * libytnef does not take; the raw size is checked, not trusted. */
		if (v->size >= 16 && memcmp(v->data + 8, "MELA", 4) == 0) {
			uint32_t raw = (uint32_t)v->data[4] | (uint32_t)v->data[5] << 8 |
				       (uint32_t)v->data[6] << 16 | (uint32_t)v->data[7] << 24;
			if (raw <= (uint32_t)v->size - 16 && (rtf = malloc(raw ? raw : 1)) != NULL) {
				memcpy(rtf, v->data + 16, raw);
				n = (int)raw;
			}
		} else {
			rtf = DecompressRTF(v, &n);
		}
		if (rtf != NULL && n > 0)
			st = give(c, "body.rtf", "text/rtf", rtf, (size_t)n);
		else
			st = TNEF_CORRUPT;	/* the body is there and cannot be read */
		free(rtf);
	}
	return st;
}

/* The attribute chain checked before libytnef sees it: each attribute
 * (level, id, length, data, checksum) inside the stream, checksums right,
 * the stream ending on an attribute's end.  libytnef stops quietly at a
 * cut and only warns on a bad checksum: content would be lost unseen. */
static bool chain_ok(const unsigned char *p, size_t len)
{
	size_t pos = 6;
	if (len < 6)
		return false;
	while (pos < len) {
		if (len - pos < 11)
			return false;
		size_t n = (size_t)p[pos + 5] | (size_t)p[pos + 6] << 8 | (size_t)p[pos + 7] << 16 |
			   (size_t)p[pos + 8] << 24;
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
	if (len > 0x7fffffff || !chain_ok(buf, len))
		return TNEF_CORRUPT;
	TNEFStruct t;
	TNEFInitialize(&t);
	t.Debug = 0;
	/* libytnef does not write to its input; its API lacks the const. */
	if (TNEFParseMemory((BYTE *)(uintptr_t)buf, (long)len, &t) < 0) {
		TNEFFree(&t);
		return TNEF_CORRUPT;
	}
	struct tctx c = {each, arg, 0};
	enum tnef_status st = bodies(&c, &t);
	unsigned k = 0;
	for (Attachment *a = t.starting_attach.next; a != NULL && st == TNEF_OK; a = a->next) {
		char name[256];
		variableLength *ln = prop(&a->MAPI, PT_UNICODE, PR_ATTACH_LONG_FILENAME);
		if (ln == NULL)
			ln = prop(&a->MAPI, PT_STRING8, PR_ATTACH_LONG_FILENAME);
		safe_name(name, sizeof name, ln ? ln : (has(&a->Title) ? &a->Title : NULL), ++k);
		const unsigned char *d = a->FileData.data;
		size_t n = a->FileData.size > 0 ? (size_t)a->FileData.size : 0;
		variableLength *obj;
		if (!has(&a->FileData) && (obj = prop(&a->MAPI, PT_OBJECT, PR_ATTACH_DATA_OBJ))) {
			d = obj->data + (obj->size > 16 ? 16 : 0);
			n = (size_t)obj->size - (obj->size > 16 ? 16 : 0);
		} else if (!has(&a->FileData) && (obj = prop(&a->MAPI, PT_BINARY, PR_ATTACH_DATA_OBJ))) {
			d = obj->data;
			n = (size_t)obj->size;
		}
		if (d == NULL)
			continue;	/* an attachment of no data (a link, a rendering) */
		st = give(&c, name, "application/octet-stream", d, n);
	}
	TNEFFree(&t);
	return st;
}
