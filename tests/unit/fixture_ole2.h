/*
 * fixture_ole2.h - legacy Office files and TNEF streams built in memory:
 * OLE2 compound files through libgsf's writer, the streams inside
 * (BIFF8 workbooks, Word 97 documents, PowerPoint text) and TNEF
 * (winmail.dat) written here byte by byte after [MS-XLS], [MS-DOC],
 * [MS-PPT] and [MS-OXTNEF].  Nothing binary is committed.  Include after
 * testutil.h (or in a tool, after the standard headers).
 */
#ifndef GRONDSLAG_FIXTURE_OLE2_H
#define GRONDSLAG_FIXTURE_OLE2_H

#include <glib.h>
#include <gsf/gsf-outfile-msole.h>
#include <gsf/gsf-outfile.h>
#include <gsf/gsf-output-memory.h>
#include <stdint.h>
#include <string.h>

static void fx_u16(GString *s, unsigned v)
{
	g_string_append_c(s, (char)(v & 0xff));
	g_string_append_c(s, (char)(v >> 8 & 0xff));
}

static void fx_u32(GString *s, uint32_t v)
{
	fx_u16(s, v & 0xffff);
	fx_u16(s, v >> 16);
}

/* One stream of a compound file: "Name" or "Storage/Name". */
struct olem {
	const char *path;
	const void *data;
	size_t len;
};

/* A compound file holding the streams, in order (streams of one storage
 * must follow each other). */
static unsigned char *fx_ole2(const struct olem *m, size_t n, size_t *out_len)
{
	GsfOutput *mem = gsf_output_memory_new();
	GsfOutfile *ole = gsf_outfile_msole_new(mem);
	GsfOutfile *dir = NULL;
	char dname[128] = "";
	for (size_t i = 0; i < n; i++) {
		const char *slash = strchr(m[i].path, '/');
		size_t dl = slash ? (size_t)(slash - m[i].path) : 0;
		if (dir != NULL && (dl == 0 || strncmp(dname, m[i].path, dl) != 0 || dname[dl])) {
			gsf_output_close(GSF_OUTPUT(dir));
			g_object_unref(dir);
			dir = NULL;
		}
		if (dl > 0 && dir == NULL) {
			snprintf(dname, sizeof dname, "%.*s", (int)dl, m[i].path);
			dir = GSF_OUTFILE(gsf_outfile_new_child(ole, dname, TRUE));
		}
		GsfOutput *c = gsf_outfile_new_child(dir ? dir : ole, slash ? slash + 1 : m[i].path, FALSE);
		gsf_output_write(c, m[i].len, m[i].data);
		gsf_output_close(c);
		g_object_unref(c);
	}
	if (dir != NULL) {
		gsf_output_close(GSF_OUTPUT(dir));
		g_object_unref(dir);
	}
	gsf_output_close(GSF_OUTPUT(ole));
	g_object_unref(ole);
	*out_len = (size_t)gsf_output_size(mem);
	unsigned char *buf = g_memdup2(gsf_output_memory_get_bytes(GSF_OUTPUT_MEMORY(mem)), *out_len);
	g_object_unref(mem);
	return buf;
}

static void fx_rec(GString *s, unsigned type, const void *d, size_t n)
{
	fx_u16(s, type);
	fx_u16(s, (unsigned)n);
	g_string_append_len(s, d, (gssize)n);
}

static void fx_bof(GString *s, unsigned dt)
{
	GString *b = g_string_new(NULL);
	fx_u16(b, 0x0600);
	fx_u16(b, dt);
	fx_u32(b, 0x20cd07cd);
	fx_u32(b, 0);
	fx_u32(b, 0x06);
	fx_rec(s, 0x0809, b->str, b->len);
	g_string_free(b, TRUE);
}

/* A BIFF8 Workbook stream: the strings in column A (through the SST, the
 * one past the middle split over a CONTINUE record whose flags byte makes
 * its rest UTF-16), the row number times 10 in column B (RK), 3.5 in C
 * (NUMBER).  filepass: a FILEPASS record (encrypted). */
static GString *fx_biff8(const char *const *cells, size_t n, bool filepass)
{
	GString *s = g_string_new(NULL), *sst = g_string_new(NULL), *cont = NULL;
	fx_bof(s, 0x0005);
	if (filepass)
		fx_rec(s, 0x002f, "\x01\x00\x01\x00\x01\x00", 6);
	fx_u32(sst, (uint32_t)n);
	fx_u32(sst, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(cells[i]);
		GString *dst = cont ? cont : sst;
		fx_u16(dst, (unsigned)l);
		g_string_append_c(dst, 0);
		if (cont == NULL && i == n / 2 + 1 && l > 3) {
			g_string_append_len(sst, cells[i], 3);
			cont = g_string_new(NULL);
			g_string_append_c(cont, 0x01);
			for (size_t k = 3; k < l; k++)
				fx_u16(cont, (unsigned char)cells[i][k]);
			continue;
		}
		g_string_append(dst, cells[i]);
	}
	fx_rec(s, 0x00fc, sst->str, sst->len);
	if (cont != NULL)
		fx_rec(s, 0x003c, cont->str, cont->len);
	fx_rec(s, 0x000a, "", 0);
	fx_bof(s, 0x0010);
	for (size_t i = 0; i < n; i++) {
		GString *c = g_string_new(NULL);
		fx_u16(c, (unsigned)i);
		fx_u16(c, 0);
		fx_u16(c, 15);
		fx_u32(c, (uint32_t)i);
		fx_rec(s, 0x00fd, c->str, c->len);
		g_string_truncate(c, 0);
		fx_u16(c, (unsigned)i);
		fx_u16(c, 1);
		fx_u16(c, 15);
		fx_u32(c, ((uint32_t)i * 10u) << 2 | 2u);
		fx_rec(s, 0x027e, c->str, c->len);
		g_string_truncate(c, 0);
		fx_u16(c, (unsigned)i);
		fx_u16(c, 2);
		fx_u16(c, 15);
		double v = 3.5;
		uint64_t bits;
		memcpy(&bits, &v, sizeof bits);
		fx_u32(c, (uint32_t)bits);
		fx_u32(c, (uint32_t)(bits >> 32));
		fx_rec(s, 0x0203, c->str, c->len);
		g_string_free(c, TRUE);
	}
	fx_rec(s, 0x000a, "", 0);
	g_string_free(sst, TRUE);
	if (cont != NULL)
		g_string_free(cont, TRUE);
	return s;
}

/* A Word 97 document: WordDocument (FIB, text in two pieces: the first
 * half 8-bit, the rest UTF-16) and 1Table (the piece table).  Text uses
 * '\r' for paragraph ends, as Word does. */
static void fx_word(const char *text, bool encrypted, GString **doc, GString **tbl)
{
	size_t n = strlen(text), h = n / 2;
	GString *d = g_string_new(NULL);
	g_string_set_size(d, 0x800);
	memset(d->str, 0, 0x800);
	g_string_append_len(d, text, (gssize)h);
	while (d->len % 2)
		g_string_append_c(d, 0);
	size_t wide_at = d->len;
	for (size_t i = h; i < n; i++)
		fx_u16(d, (unsigned char)text[i]);
	unsigned char *p = (unsigned char *)d->str;
	p[0] = 0xec, p[1] = 0xa5, p[2] = 0xc1, p[3] = 0x00;
	unsigned flags = 0x0200 | (encrypted ? 0x0100 : 0);
	p[0x0a] = flags & 0xff, p[0x0b] = flags >> 8;
	GString *t = g_string_new(NULL);
	g_string_append_len(t, "\x01\x02\x00\x00\x00", 5);	/* a Prc to skip */
	g_string_append_c(t, 0x02);
	fx_u32(t, 4 * 3 + 8 * 2);
	fx_u32(t, 0);
	fx_u32(t, (uint32_t)h);
	fx_u32(t, (uint32_t)n);
	fx_u16(t, 0);
	fx_u32(t, (0x800u * 2u) | 0x40000000u);
	fx_u16(t, 0);
	fx_u16(t, 0);
	fx_u32(t, (uint32_t)wide_at);
	fx_u16(t, 0);
	uint32_t lcb = (uint32_t)t->len;
	p[0x1a2] = 0, p[0x1a3] = 0, p[0x1a4] = 0, p[0x1a5] = 0;
	p[0x1a6] = lcb & 0xff, p[0x1a7] = lcb >> 8 & 0xff, p[0x1a8] = 0, p[0x1a9] = 0;
	*doc = d;
	*tbl = t;
}

/* PowerPoint: a Document container with a UTF-16 TextCharsAtom per line
 * and one 8-bit TextBytesAtom. */
static GString *fx_ppt(const char *const *lines, size_t n, const char *bytes_line)
{
	GString *in = g_string_new(NULL);
	for (size_t i = 0; i < n; i++) {
		fx_u16(in, 0);
		fx_u16(in, 0x0fa0);
		fx_u32(in, (uint32_t)(2 * strlen(lines[i])));
		for (const char *c = lines[i]; *c; c++)
			fx_u16(in, (unsigned char)*c);
	}
	fx_u16(in, 0);
	fx_u16(in, 0x0fa8);
	fx_u32(in, (uint32_t)strlen(bytes_line));
	g_string_append(in, bytes_line);
	GString *s = g_string_new(NULL);
	fx_u16(s, 0x000f);
	fx_u16(s, 0x03e8);
	fx_u32(s, (uint32_t)in->len);
	g_string_append_len(s, in->str, (gssize)in->len);
	g_string_free(in, TRUE);
	return s;
}

/* ---- TNEF ------------------------------------------------------------------ */

static void fx_tnef_attr(GString *s, unsigned level, uint32_t id, const void *d, size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += ((const unsigned char *)d)[i];
	g_string_append_c(s, (char)level);
	fx_u32(s, id);
	fx_u32(s, (uint32_t)n);
	g_string_append_len(s, d, (gssize)n);
	fx_u16(s, sum & 0xffff);
}

/* A MAPI property list of one counted property (binary or 8-bit string). */
static void fx_mapi1(GString *m, uint32_t tag, const void *d, size_t n)
{
	fx_u32(m, 1);
	fx_u32(m, tag);
	fx_u32(m, 1);
	fx_u32(m, (uint32_t)n);
	g_string_append_len(m, d, (gssize)n);
	while (m->len % 4)
		g_string_append_c(m, 0);
}

/* Compressed RTF ([MS-OXRTFCP]): "MELA" (stored) or "LZFu": a text that
 * starts like the format's preset dictionary starts with a reference to
 * it (17 bytes), the rest are literals, then the end marker (a reference
 * to the write position).  The CRC is left 0 for MELA as the format says,
 * and computed for LZFu. */
static void fx_rtf_compressed(GString *c, const char *rtf, bool lzfu)
{
	static const char preset17[] = "{\\rtf1\\ansi\\mac\\d";
	size_t n = strlen(rtf);
	GString *body = g_string_new(NULL);
	if (lzfu) {
		size_t i = 0, wp = 207, ctl_at = 0;
		unsigned bit = 8;
		bool done = false;
		while (!done) {
			if (bit == 8) {
				ctl_at = body->len;
				g_string_append_c(body, 0);
				bit = 0;
			}
			if (i == 0 && strncmp(rtf, preset17, 17) == 0) {
				body->str[ctl_at] |= (char)(1u << bit);
				g_string_append_len(body, "\x00\x0f", 2);	/* offset 0, 17 bytes */
				i = 17, wp += 17;
			} else if (i < n) {
				g_string_append_c(body, rtf[i++]);
				wp++;
			} else {
				body->str[ctl_at] |= (char)(1u << bit);
				unsigned v = (unsigned)(wp % 4096) << 4;
				g_string_append_c(body, (char)(v >> 8));
				g_string_append_c(body, (char)(v & 0xff));
				done = true;
			}
			bit++;
		}
	} else {
		g_string_append_len(body, rtf, (gssize)n);
	}
	uint32_t crc = 0;
	for (size_t i = 0; lzfu && i < body->len; i++) {
		crc ^= (unsigned char)body->str[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	fx_u32(c, (uint32_t)body->len + 12);
	fx_u32(c, (uint32_t)n);
	fx_u32(c, lzfu ? 0x75465a4c : 0x414c454d);
	fx_u32(c, crc);
	g_string_append_len(c, body->str, (gssize)body->len);
	g_string_free(body, TRUE);
}

/* winmail.dat: a subject, the body as (uncompressed-form) RTF, and one
 * attachment per name/data pair (long file name in its MAPI props). */
static GString *fx_tnef(const char *subject, const char *rtf, bool lzfu,
			const char *const *names, const GString *const *datas, size_t n)
{
	GString *s = g_string_new(NULL);
	fx_u32(s, 0x223e9f78);
	fx_u16(s, 0x0001);
	fx_tnef_attr(s, 1, 0x00089006, "\x00\x00\x01\x00", 4);
	fx_tnef_attr(s, 1, 0x00069007, "\xe4\x04\x00\x00\x00\x00\x00\x00", 8);
	fx_tnef_attr(s, 1, 0x00078008, "IPM.Microsoft Mail.Note", 24);
	fx_tnef_attr(s, 1, 0x00018004, subject, strlen(subject) + 1);
	if (rtf != NULL) {
		GString *c = g_string_new(NULL), *m = g_string_new(NULL);
		fx_rtf_compressed(c, rtf, lzfu);
		fx_mapi1(m, 0x10090102, c->str, c->len);
		fx_tnef_attr(s, 1, 0x00069003, m->str, m->len);
		g_string_free(c, TRUE);
		g_string_free(m, TRUE);
	}
	for (size_t i = 0; i < n; i++) {
		fx_tnef_attr(s, 2, 0x00069002, "\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00", 14);
		fx_tnef_attr(s, 2, 0x00018010, names[i], strlen(names[i]) + 1);
		fx_tnef_attr(s, 2, 0x0006800f, datas[i]->str, datas[i]->len);
		GString *m = g_string_new(NULL);
		fx_mapi1(m, 0x3707001e, names[i], strlen(names[i]) + 1);
		fx_tnef_attr(s, 2, 0x00069005, m->str, m->len);
		g_string_free(m, TRUE);
	}
	return s;
}

#endif
