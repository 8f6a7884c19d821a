/*
 * test_walk.c - the message walker end to end: messages built here as
 * strings, binary attachments built here with libarchive's writer (zip,
 * encrypted zip, tar.gz, 7z, docx, xlsx, ods) and a hand-made PDF.  Each
 * row checks the part list (paths, types, statuses, reasons), the message
 * reason, and the text the handler received.
 */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <gmime/gmime.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/scan/charset.h"
#include "grondslag/scan/findings.h"
#include "grondslag/scan/ole2.h"
#include "grondslag/scan/pgp.h"
#include "grondslag/scan/sniff.h"
#include "grondslag/scan/walk.h"

/* ---- builders ------------------------------------------------------------ */

#include "fixture_archive.h"
#include "fixture_ole2.h"


struct att {
	const char *ctype;	/* full Content-Type value */
	const char *filename;
	const void *data;
	size_t len;
};

/* multipart/mixed: a text body, then base64 attachments. */
static char *build_mixed(const char *subject, const struct att *a, size_t n, size_t *len)
{
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "From: a@example.org\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: multipart/mixed; boundary=\"=-b\"\r\n\r\n"
			       "--=-b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n",
			       subject);
	for (size_t i = 0; i < n; i++) {
		gchar *b64 = g_base64_encode(a[i].data, a[i].len);
		g_string_append_printf(s, "--=-b\r\nContent-Type: %s\r\n", a[i].ctype);
		if (a[i].filename != NULL)
			g_string_append_printf(s, "Content-Disposition: attachment; filename=\"%s\"\r\n",
					       a[i].filename);
		g_string_append(s, "Content-Transfer-Encoding: base64\r\n\r\n");
		size_t blen = strlen(b64);
		for (size_t k = 0; k < blen; k += 76)
			g_string_append_printf(s, "%.76s\r\n", b64 + k);
		g_free(b64);
	}
	g_string_append(s, "--=-b--\r\n");
	*len = s->len;
	return g_string_free(s, FALSE);
}

static char *mixed1(const char *ctype, const char *filename, const void *data, size_t dlen,
		    size_t *len)
{
	struct att a = {ctype, filename, data, dlen};
	return build_mixed("attachment", &a, 1, len);
}

static const char csv[] = "ip,country\n8.8.8.8,US\n193.0.6.139,NL\n";

/* One attachment: an archive (format, filter: libarchive names) of one
 * member. */
static char *archive1(const char *format, const char *filter, const struct mem *m,
		      const char *ctype, const char *filename, size_t *len)
{
	size_t zl;
	unsigned char *z = fixture_archive(format, filter, NULL, NULL, m, 1, &zl);
	char *msg = mixed1(ctype, filename, z, zl, len);
	free(z);
	return msg;
}

/* A one-page PDF showing "8.8.8.8", with a correct xref table; with
 * emb_name, also an embedded file (/EmbeddedFiles name tree). */
static char *build_pdf_with(const char *emb_name, const char *emb, size_t *len)
{
	gchar *cat = emb_name ? g_strdup_printf("<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
						"<< /Names [(%s) 6 0 R] >> >> >>", emb_name)
			      : g_strdup("<< /Type /Catalog /Pages 2 0 R >>");
	gchar *spec = g_strdup_printf("<< /Type /Filespec /F (%s) /EF << /F 7 0 R >> >>",
				      emb_name ? emb_name : "");
	gchar *file = g_strdup_printf("<< /Type /EmbeddedFile /Length %zu >>\nstream\n%s\nendstream",
				      emb ? strlen(emb) : 0, emb ? emb : "");
	const char *objs[] = {
		cat,
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R "
		"/Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Length 38 >>\nstream\nBT /F1 12 Tf 20 100 Td (8.8.8.8) Tj ET\nendstream",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		spec, file,
	};
	int nobj = emb_name ? 7 : 5;
	GString *s = g_string_new("%PDF-1.4\n");
	size_t off[7];
	for (int i = 0; i < nobj; i++) {
		off[i] = s->len;
		g_string_append_printf(s, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
	}
	size_t xref = s->len;
	g_string_append_printf(s, "xref\n0 %d\n0000000000 65535 f \n", nobj + 1);
	for (int i = 0; i < nobj; i++)
		g_string_append_printf(s, "%010zu 00000 n \n", off[i]);
	g_string_append_printf(s, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n",
			       nobj + 1, xref);
	g_free(cat);
	g_free(spec);
	g_free(file);
	*len = s->len;
	return g_string_free(s, FALSE);
}

static char *build_pdf(size_t *len)
{
	return build_pdf_with(NULL, NULL, len);
}

/* ---- the handler: collect all text, check begin/text/end order ---------- */

struct collect {
	GString *text;
	bool open;
	unsigned cur;
	unsigned streams;
	int stop_rc;		/* returned from text() when non-zero */
};

static void c_begin(void *arg, unsigned part)
{
	struct collect *c = arg;
	if (c->open)
		fail_msg("begin(%u) inside stream %u", part, c->cur);
	c->open = true;
	c->cur = part;
	c->streams++;
}

static int c_text(void *arg, unsigned part, const char *buf, size_t len)
{
	struct collect *c = arg;
	if (!c->open || part != c->cur)
		fail_msg("text for part %u outside its stream", part);
	/* Chunks may split a character; the whole is checked at the end. */
	g_string_append_len(c->text, buf, (gssize)len);
	return c->stop_rc;
}

static void c_end(void *arg, unsigned part)
{
	struct collect *c = arg;
	if (!c->open || part != c->cur)
		fail_msg("end(%u) without begin", part);
	c->open = false;
	g_string_append_c(c->text, '\n');
}

static const struct walk_handler collector = {c_begin, c_text, c_end};

/* ---- the table ------------------------------------------------------------- */

struct want {
	const char *path;
	const char *type;
	enum part_status st;
	enum unscan_reason r;
};

struct walk_case {
	const char *name;
	const char *raw;			/* the message, or NULL: build() */
	char *(*build)(size_t *len);
	void (*limits)(struct walk_limits *l);
	struct want parts[16];			/* all parts, in order; NULL path ends */
	bool some_parts;			/* parts lists only some, in order */
	enum unscan_reason msg_reason;
	const char *has[4];
	const char *hasnt[3];
	int want_rc;
	int stop_rc;
};

#define S PART_SCANNED
#define U PART_UNSCANNABLE
#define C PART_CONTAINER
#define N UNSCAN_NONE

/* ---- builders used by rows -------------------------------------------------- */

static char *b_csv(size_t *len)
{
	return mixed1("text/csv", "list.csv", csv, sizeof csv - 1, len);
}

static char *b_zip(size_t *len)
{
	struct mem m = {"lists/be.csv", csv, sizeof csv - 1};
	return archive1("zip", NULL, &m, "application/zip", "lists.zip", len);
}

static char *b_zip_in_zip(size_t *len)
{
	struct mem in[] = {{"b.csv", csv, sizeof csv - 1}};
	size_t il, ol;
	unsigned char *iz = fixture_archive("zip", NULL, NULL, NULL, in, 1, &il);
	struct mem out[] = {{"a.zip", iz, il}, {"note.txt", "see 2a00:1450:4001::1", 21}};
	unsigned char *oz = fixture_archive("zip", NULL, NULL, NULL, out, 2, &ol);
	char *msg = mixed1("application/zip", "outer.zip", oz, ol, len);
	free(iz);
	free(oz);
	return msg;
}

static char *b_targz(size_t *len)
{
	struct mem m = {"t/list.txt", csv, sizeof csv - 1};
	return archive1("ustar", "gzip", &m, "application/gzip", "t.tar.gz", len);
}

static char *b_gz(size_t *len)
{
	struct mem m = {"data", csv, sizeof csv - 1};
	return archive1("raw", "gzip", &m, "application/octet-stream", "list.csv.gz", len);
}

static char *b_7z(size_t *len)
{
	struct mem m = {"a.csv", csv, sizeof csv - 1};
	return archive1("7zip", NULL, &m, "application/x-7z-compressed", "a.7z", len);
}

static char *b_tarxz_bz2(size_t *len)
{
	struct mem m[] = {{"x.csv", csv, sizeof csv - 1}};
	size_t xl, bl;
	unsigned char *x = fixture_archive("pax", "xz", NULL, NULL, m, 1, &xl);
	unsigned char *b = fixture_archive("ustar", "bzip2", NULL, NULL, m, 1, &bl);
	struct att a[] = {{"application/x-xz", "a.tar.xz", x, xl},
			  {"application/x-bzip2", "b.tar.bz2", b, bl}};
	char *msg = build_mixed("two", a, 2, len);
	free(x);
	free(b);
	return msg;
}

static char *b_zip_encrypted(size_t *len)
{
	struct mem m[] = {{"secret.csv", csv, sizeof csv - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, "zip:encryption=zipcrypt", "geheim", m, 1, &zl);
	char *msg = mixed1("application/zip", "secret.zip", z, zl, len);
	free(z);
	return msg;
}

static char *b_zip_corrupt(size_t *len)
{
	static const char junk[] = "PK\x03\x04\x14\x00\x00\x00\x08\x00garbage-that-is-no-zip";
	return mixed1("application/zip", "broken.zip", junk, sizeof junk - 1, len);
}

static char *b_zip_truncated(size_t *len)
{
	static char big[200000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (char)('a' + (i * 7919u) % 26);
	struct mem m[] = {{"a.txt", big, sizeof big}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, "zip:compression=store", NULL, m, 1, &zl);
	char *msg = mixed1("application/zip", "cut.zip", z, zl / 2, len);
	free(z);
	return msg;
}

static char *b_zip_bomb(size_t *len)
{
	size_t n = 4u << 20;
	char *zeros = calloc(1, n);
	assert_non_null(zeros);
	struct mem m[] = {{"zeros.txt", zeros, n}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &zl);
	char *msg = mixed1("application/zip", "bomb.zip", z, zl, len);
	free(zeros);
	free(z);
	return msg;
}

static void l_ratio10(struct walk_limits *l)
{
	l->max_expansion_ratio = 10;
}

static char *b_zip_entries(size_t *len)
{
	struct mem m[] = {{"1.txt", "8.8.8.8", 7}, {"2.txt", "a", 1}, {"3.txt", "b", 1},
			  {"4.txt", "c", 1}, {"5.txt", "d", 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 5, &zl);
	char *msg = mixed1("application/zip", "many.zip", z, zl, len);
	free(z);
	return msg;
}

static void l_entries3(struct walk_limits *l)
{
	l->max_archive_entries = 3;
}

static char *b_zip_deep(size_t *len)
{
	struct mem m0[] = {{"c.csv", csv, sizeof csv - 1}};
	size_t l0, l1;
	unsigned char *z0 = fixture_archive("zip", NULL, NULL, NULL, m0, 1, &l0);
	struct mem m1[] = {{"b.zip", z0, l0}};
	unsigned char *z1 = fixture_archive("zip", NULL, NULL, NULL, m1, 1, &l1);
	char *msg = mixed1("application/zip", "a.zip", z1, l1, len);
	free(z0);
	free(z1);
	return msg;
}

static void l_depth2(struct walk_limits *l)
{
	l->max_depth = 2;
}

static char *b_many_parts(size_t *len)
{
	struct att a[6];
	for (size_t i = 0; i < 6; i++)
		a[i] = (struct att){"text/plain", "x.txt", "1.1.1.1", 7};
	return build_mixed("many", a, 6, len);
}

static void l_parts4(struct walk_limits *l)
{
	l->max_parts = 4;
}

static void l_msg100(struct walk_limits *l)
{
	l->max_message_bytes = 100;
}

static void l_expanded(struct walk_limits *l)
{
	l->max_expanded_bytes = 20;
}

static void l_time0(struct walk_limits *l)
{
	l->max_seconds = 0;
}

static char *b_docx(size_t *len)
{
	static const char ct[] = "<?xml version=\"1.0\"?><Types xmlns=\"x\"/>";
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"w\"><w:body>"
		"<w:p><w:r><w:t>IP 8.8.</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>8.8</w:t></w:r></w:p>"
		"<w:p><w:r><w:t>193.0.6.139</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>"
		"1.1.1.1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>9.9.9.9</w:t></w:r></w:p></w:tc>"
		"</w:tr></w:tbl></w:body></w:document>";
	struct mem m[] = {{"[Content_Types].xml", ct, sizeof ct - 1},
			  {"word/document.xml", doc, sizeof doc - 1},
			  {"word/styles.xml", "<w:t>4.4.4.4</w:t>", 18}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 3, &zl);
	char *msg = mixed1("application/octet-stream", "report.docx", z, zl, len);
	free(z);
	return msg;
}

static char *b_xlsx(size_t *len)
{
	static const char ss[] = "<sst><si><t>8.8.8.8</t></si><si><r><t>193.0.</t></r><r><t>6.139</t>"
				 "</r></si></sst>";
	static const char sheet[] =
		"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
		"<c r=\"B1\"><v>31337</v></c><c r=\"C1\" t=\"inlineStr\"><is><t>2a00:1450:4001::1</t>"
		"</is></c></row><row r=\"2\"><c r=\"A2\" t=\"s\"><v>1</v></c></row></sheetData>"
		"</worksheet>";
	struct mem m[] = {{"[Content_Types].xml", "<Types/>", 8},
			  {"xl/sharedStrings.xml", ss, sizeof ss - 1},
			  {"xl/worksheets/sheet1.xml", sheet, sizeof sheet - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 3, &zl);
	char *msg = mixed1("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			   "ips.xlsx", z, zl, len);
	free(z);
	return msg;
}

static char *b_ods(size_t *len)
{
	static const char mt[] = "application/vnd.oasis.opendocument.spreadsheet";
	static const char content[] =
		"<office:document-content><office:body><office:spreadsheet><table:table>"
		"<table:table-row><table:table-cell><text:p>8.8.<text:span>8.8</text:span></text:p>"
		"</table:table-cell><table:table-cell><text:p>193.0.6.139</text:p></table:table-cell>"
		"</table:table-row></table:table></office:spreadsheet></office:body>"
		"</office:document-content>";
	struct mem m[] = {{"mimetype", mt, sizeof mt - 1}, {"content.xml", content, sizeof content - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, "zip:compression=store", NULL, m, 2, &zl);
	/* No type, no name: the first member "mimetype" says ODF. */
	char *msg = mixed1("application/octet-stream", NULL, z, zl, len);
	free(z);
	return msg;
}

static char *b_utf16(size_t *len)
{
	static const char u16[] = "\xff\xfe" "i\0p\0\r\0\n\0" "7\0.\0" "7\0.\0" "7\0.\0" "7\0";
	return mixed1("text/plain; charset=utf-16", "u.txt", u16, sizeof u16 - 1, len);
}

static char *b_utf16_nobom(size_t *len)
{
	static const char u16[] = "i\0p\0\n\0" "8\0.\0" "8\0.\0" "4\0.\0" "4\0\n\0";
	return mixed1("application/octet-stream", "list.csv", u16, sizeof u16 - 1, len);
}

/* Mostly CJK, so few zero bytes: UTF-16LE all the same. */
static char *b_utf16_cjk(size_t *len)
{
	static const char u16[] = "\x0d\x67\xa1\x52\x68\x56\x30\x57\x40\x57\x1a\xff\x31\x00\x33\x00"
				   "\x33\x00\x2e\x00\x31\x00\x2e\x00\x32\x00\x2e\x00\x33\x00\x0c\xff"
				   "\xf7\x8b\xcb\x7a\x73\x53\x01\x5c\x01\x95\x76\x5e\x1a\x90\xe5\x77"
				   "\xf8\x76\x73\x51\x1f\x8d\x23\x8d\xba\x4e\x58\x54\x04\x59\x06\x74"
				   "\x64\x6b\x8b\x4e\xf6\x4e\x0c\xff\x22\x8c\x22\x8c\x02\x30";
	return mixed1("application/octet-stream", "notice.txt", u16, sizeof u16 - 1, len);
}

static char *b_unknown(size_t *len)
{
	unsigned char bin[512];
	for (size_t i = 0; i < sizeof bin; i++)
		bin[i] = (unsigned char)(i * 37u);
	return mixed1("application/x-foo", "blob.foo", bin, sizeof bin, len);
}

static char *b_png(size_t *len)
{
	unsigned char png[300] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	for (size_t i = 8; i < sizeof png; i++)
		png[i] = (unsigned char)(i * 13u);
	return mixed1("image/png", "logo.png", png, sizeof png, len);
}

static char *b_pdf(size_t *len)
{
	size_t pl;
	char *pdf = build_pdf(&pl);
	char *msg = mixed1("application/pdf", "report.pdf", pdf, pl, len);
	g_free(pdf);
	return msg;
}

static char *b_pdf_broken(size_t *len)
{
	static const char bad[] = "%PDF-1.4\n1 0 obj <<>>\nthis is not a pdf\x01\x02\x03";
	return mixed1("application/pdf", "broken.pdf", bad, sizeof bad - 1, len);
}

static void l_no_pdftotext(struct walk_limits *l)
{
	l->pdftotext = "/nonexistent/pdftotext";
}

static char *b_json_octet(size_t *len)
{
	static const char j[] = "{\"type\":\"bundle\",\"ip\":\"193.0.6.139\"}";
	return mixed1("application/octet-stream", "bundle.json", j, sizeof j - 1, len);
}

static char *b_eml_attachment(size_t *len)
{
	static const char eml[] = "Received: from x ([9.9.9.9])\r\nSubject: inner 1.0.0.1\r\n\r\n"
				  "body 8.8.4.4\r\n";
	return mixed1("application/octet-stream", "fwd.eml", eml, sizeof eml - 1, len);
}

static char *b_tnef_name(size_t *len)
{
	static const char t[] = "\x78\x9f\x3e\x22\x00\x00\x01\x06\x90\x08\x00\x04";
	return mixed1("application/octet-stream", "winmail.dat", t, sizeof t - 1, len);
}


/* ---- carriers that hide a list: the bytes decide ------------------------ */

static const char list25[] =
	"ip,asn\n193.0.6.139,3333\n145.97.39.155,1103\n130.89.1.1,1133\n8.8.4.4,15169\n";

static char *b_zip_modes(size_t *len)
{
	struct mem m[] = {{"chr.csv", "193.0.6.139\n", 12}, {"blk.csv", "145.97.39.155\n", 14},
			  {"sock.csv", "130.89.1.1\n", 11}, {"fifo.csv", "8.8.4.4\n", 8},
			  {"dir.csv", "9.9.9.9\n", 8}, {"link.csv", "1.0.0.1\n", 8},
			  {"empty-dir", "", 0}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 7, &zl);
	static const unsigned modes[] = {020644, 060644, 0140644, 010644, 040755, 0120777, 040755};
	for (unsigned i = 0; i < 7; i++)
		zip_set_mode(z, zl, i, modes[i], i == 6);
	char *msg = mixed1("application/zip", "modes.zip", z, zl, len);
	free(z);
	return msg;
}

/* A tar whose only member is a symlink: its target is the list. */
/* A directory with data behind an end record that counts one member
 * fewer than the central directory holds: unzip and Python's zipfile
 * read the directory to its size, not to the count. */
static char *b_zip_undercount(size_t *len)
{
	struct mem m[] = {{"a.txt", "hello\n", 6}, {"list.csv", list25, sizeof list25 - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 2, &zl);
	zip_set_mode(z, zl, 1, 040755, true);
	z[zl - 22 + 8] = 1;	/* entries on this disk */
	z[zl - 22 + 10] = 1;	/* entries in all */
	char *msg = mixed1("application/zip", "c.zip", z, zl, len);
	free(z);
	return msg;
}

/* The same directory with data in a zip64 (end record fields 0xffff...,
 * the real ones in the zip64 end record): whatever hides a member's data
 * from libarchive, fewer bytes than its header declares is no scan. */
static char *b_zip64_dir(size_t *len)
{
	struct mem m[] = {{"a.txt", "hello\n", 6}, {"list.csv", list25, sizeof list25 - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 2, &zl);
	zip_set_mode(z, zl, 1, 040755, true);
	size_t e = zl - 22;
	unsigned char rec[56] = {'P', 'K', 6, 6, 44, 0, 0, 0, 0, 0, 0, 0, 45, 0, 45, 0};
	unsigned char loc[20] = {'P', 'K', 6, 7};
	rec[24] = rec[32] = z[e + 10];			/* entries */
	memcpy(rec + 40, z + e + 12, 4);		/* directory size */
	memcpy(rec + 48, z + e + 16, 4);		/* directory offset */
	for (int i = 0; i < 4; i++)
		loc[8 + i] = (unsigned char)(e >> (8 * i));	/* the zip64 end record */
	loc[16] = 1;
	GByteArray *g = g_byte_array_new();
	g_byte_array_append(g, z, (guint)e);
	g_byte_array_append(g, rec, sizeof rec);
	g_byte_array_append(g, loc, sizeof loc);
	g_byte_array_append(g, z + e, 22);
	memset(g->data + g->len - 22 + 8, 0xff, 12);	/* counts, size, offset */
	char *msg = mixed1("application/zip", "z64.zip", g->data, g->len, len);
	g_byte_array_free(g, TRUE);
	free(z);
	return msg;
}

static char *b_tar_symlink(size_t *len)
{
	size_t cap = 65536, used = 0;
	unsigned char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	assert_non_null(buf);
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_memory(a, buf, cap, &used), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "ips.csv");
	archive_entry_set_filetype(e, AE_IFLNK);
	archive_entry_set_perm(e, 0777);
	archive_entry_set_symlink(e, "193.0.6.139,145.97.39.155,130.89.1.1,8.8.4.4");
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	char *msg = mixed1("application/x-tar", "l.tar", buf, used, len);
	free(buf);
	return msg;
}

static const char gif1x1[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04"
			     "\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02"
			     "D\x01\x00;";

static char *b_gifar(size_t *len)
{
	struct mem m[] = {{"list.csv", list25, sizeof list25 - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &zl);
	GByteArray *g = g_byte_array_new();
	g_byte_array_append(g, (const guint8 *)gif1x1, sizeof gif1x1 - 1);
	g_byte_array_append(g, z, (guint)zl);
	char *msg = mixed1("image/gif", "logo.gif", g->data, g->len, len);
	g_byte_array_free(g, TRUE);
	free(z);
	return msg;
}

static char *b_gif_text_tail(size_t *len)
{
	GByteArray *g = g_byte_array_new();
	g_byte_array_append(g, (const guint8 *)gif1x1, sizeof gif1x1 - 1);
	g_byte_array_append(g, (const guint8 *)list25, sizeof list25 - 1);
	char *msg = mixed1("image/gif", "pixel.gif", g->data, g->len, len);
	g_byte_array_free(g, TRUE);
	return msg;
}

/* A zip member: a PNG larger than one read chunk, then a CSV after its
 * IEND, as a GIF with text appended is read outside archives. */
static char *b_zip_png_tail(size_t *len)
{
	static const unsigned char head[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01"
					    "\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55";
	static const unsigned char iend[] = "\0\0\0\0IEND\xae\x42\x60\x82";
	const size_t idat = 100000;
	GByteArray *g = g_byte_array_new();
	g_byte_array_append(g, head, sizeof head - 1);
	unsigned char hdr[8] = {0, (unsigned char)(idat >> 16), (unsigned char)(idat >> 8),
				(unsigned char)idat, 'I', 'D', 'A', 'T'};
	g_byte_array_append(g, hdr, sizeof hdr);
	for (size_t i = 0; i < idat + 4; i++) {
		unsigned char b = (unsigned char)((i * 2654435761u) >> 13);
		g_byte_array_append(g, &b, 1);
	}
	g_byte_array_append(g, iend, sizeof iend - 1);
	g_byte_array_append(g, (const guint8 *)list25, sizeof list25 - 1);
	struct mem m = {"photo.png", g->data, g->len};
	char *msg = archive1("zip", NULL, &m, "application/zip", "photos.zip", len);
	g_byte_array_free(g, TRUE);
	return msg;
}

static char *b_gif_clean(size_t *len)
{
	return mixed1("image/gif", "logo.gif", gif1x1, sizeof gif1x1 - 1, len);
}

static char *b_lzma_image(size_t *len)
{
	struct mem m = {"data", list25, sizeof list25 - 1};
	return archive1("raw", "lzma", &m, "image/png", "chart.png", len);
}

static char *b_xz_audio(size_t *len)
{
	struct mem m = {"data", list25, sizeof list25 - 1};
	return archive1("raw", "xz", &m, "audio/mpeg", "voice.mp3", len);
}

static char *b_ole2_image(size_t *len)
{
	unsigned char ole[1024] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	for (size_t i = 8; i < sizeof ole; i++)
		ole[i] = (unsigned char)(i * 7u);
	return mixed1("image/jpeg", "photo.jpg", ole, sizeof ole, len);
}

static char *b_pgp_video(size_t *len)
{
	/* A public-key encrypted session key packet (old format, tag 1,
	 * version 3), then ciphertext. */
	unsigned char pgp[300] = {0x85, 0x01, 0x0c, 0x03, 0x12, 0x34};
	for (size_t i = 6; i < sizeof pgp; i++)
		pgp[i] = (unsigned char)(i * 91u + 7u);
	return mixed1("video/mp4", "clip.mp4", pgp, sizeof pgp, len);
}

/* ---- the escrow key (walk.h): a decrypt() of the test's own, the
 * packets real; the e2e suites open real ciphertext with GnuPG ---- */
static const uint8_t escrow_id[8] = {0xe5, 0xc7, 0x0a, 0x11, 0x22, 0x33, 0x44, 0x55};
static const char escrow_plain[] = "Content-Type: text/plain\r\n\r\n193.0.6.139\r\n145.97.39.155\r\n";

static int escrow_open_ok(void *arg, const void *data, size_t len, size_t max, unsigned ms,
			  unsigned char **out, size_t *outlen, const char **why)
{
	(void)arg, (void)data, (void)len, (void)ms, (void)why;
	if (sizeof escrow_plain - 1 > max)
		return -1;	/* as GnuPG's output stops at the budget */
	*out = (unsigned char *)g_strdup(escrow_plain);
	*outlen = sizeof escrow_plain - 1;
	return 0;
}

static int escrow_open_fails(void *arg, const void *data, size_t len, size_t max, unsigned ms,
			     unsigned char **out, size_t *outlen, const char **why)
{
	(void)arg, (void)data, (void)len, (void)max, (void)ms, (void)out, (void)outlen;
	*why = "not-for-escrow-key";
	return -1;
}

/* gpg-agent hung: the wait ran out (counted, to see the second part is
 * not tried) */
static unsigned escrow_timeouts;
static int escrow_open_times_out(void *arg, const void *data, size_t len, size_t max,
				 unsigned ms, unsigned char **out, size_t *outlen, const char **why)
{
	(void)arg, (void)data, (void)len, (void)max, (void)out, (void)outlen;
	escrow_timeouts++;
	*why = ms > 0 ? "timeout" : "no-time";
	return -2;
}

/* the escrow key's secret key gone from the GnuPG home (or locked) */
static int escrow_key_gone(void *arg, const void *data, size_t len, size_t max, unsigned ms,
			   unsigned char **out, size_t *outlen, const char **why)
{
	(void)arg, (void)data, (void)len, (void)max, (void)ms, (void)out, (void)outlen;
	escrow_timeouts++;
	*why = "key-unavailable";
	return -2;
}

static const struct walk_escrow escrow_ok = {&escrow_id, 1, escrow_open_ok, NULL};
static const struct walk_escrow escrow_bad = {&escrow_id, 1, escrow_open_fails, NULL};

static void lim_escrow(struct walk_limits *l)
{
	l->escrow = &escrow_ok;
}

static void lim_escrow_fails(struct walk_limits *l)
{
	l->escrow = &escrow_bad;
}

/* A budget the plaintext does not fit: it stays sealed, never half read. */
static void lim_escrow_small(struct walk_limits *l)
{
	l->escrow = &escrow_ok;
	l->max_expanded_bytes = 7;
}

/* Session key packets for key id (and another reader), then data. */
static size_t pgp_sealed(const uint8_t id[8], bool other, unsigned char *out)
{
	size_t n = 0;
	for (int k = 0; k < (other ? 2 : 1); k++) {
		out[n++] = 0xc1, out[n++] = 10, out[n++] = 3;
		memcpy(out + n, k == 0 ? id : (const uint8_t *)"\x01\x02\x03\x04\x05\x06\x07\x08", 8);
		n += 8;
		out[n++] = 1;
	}
	static const unsigned char seipd[] = {0xd2, 4, 1, 0xaa, 0xbb, 0xcc};
	memcpy(out + n, seipd, sizeof seipd);
	return n + sizeof seipd;
}

static char *pgp_mime_to(const uint8_t id[8], size_t *len)
{
	unsigned char pk[64];
	size_t n = pgp_sealed(id, true, pk);
	gchar *b64 = g_base64_encode(pk, n);
	char *msg = g_strdup_printf(
		"Subject: enc\r\nContent-Type: multipart/encrypted; "
		"protocol=\"application/pgp-encrypted\"; boundary=e\r\n\r\n--e\r\n"
		"Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--e\r\n"
		"Content-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n"
		"%s\r\n-----END PGP MESSAGE-----\r\n--e--\r\n", b64);
	g_free(b64);
	*len = strlen(msg);
	return msg;
}

static char *b_pgp_mime_escrow(size_t *len)
{
	return pgp_mime_to(escrow_id, len);
}

static char *b_pgp_mime_other(size_t *len)
{
	static const uint8_t other[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	return pgp_mime_to(other, len);
}

/* Inline armour in a text body (blocks of them). */
static char *inline_blocks(int blocks, size_t *len)
{
	unsigned char pk[64];
	size_t n = pgp_sealed(escrow_id, false, pk);
	gchar *b64 = g_base64_encode(pk, n);
	GString *s = g_string_new("Subject: inline\r\nContent-Type: text/plain\r\n\r\nHello,\r\n\r\n");
	for (int i = 0; i < blocks; i++)
		g_string_append_printf(s, "-----BEGIN PGP MESSAGE-----\r\n\r\n%s\r\n"
					  "-----END PGP MESSAGE-----\r\n", b64);
	g_free(b64);
	*len = s->len;
	return g_string_free(s, FALSE);
}

static char *b_inline_escrow(size_t *len)
{
	return inline_blocks(1, len);
}

static char *b_inline_escrow_two(size_t *len)
{
	return inline_blocks(2, len);
}

static char *b_pgp_file_escrow(size_t *len)
{
	unsigned char pk[64];
	size_t n = pgp_sealed(escrow_id, false, pk);
	return mixed1("application/octet-stream", "list.csv.gpg", pk, n, len);
}

/* Two OpenPGP files to the escrow key in one message. */
static char *b_pgp_files_escrow_two(size_t *len)
{
	unsigned char pk[64];
	size_t n = pgp_sealed(escrow_id, false, pk);
	struct att a[2] = {{"application/octet-stream", "a.csv.gpg", pk, n},
			   {"application/octet-stream", "b.csv.gpg", pk, n}};
	return build_mixed("attachment", a, 2, len);
}

static char *b_font_mismatch(size_t *len)
{
	unsigned char junk[400];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 53u + 1u);
	junk[0] = 0x13;
	return mixed1("font/woff2", "f.woff2", junk, sizeof junk, len);
}

static char *b_p7s_csv(size_t *len)
{
	return mixed1("application/pkcs7-signature", "smime.p7s", list25, sizeof list25 - 1, len);
}

/* Made by openssl cms -sign (P-256, no certificates, no attributes):
 * detached, and attached over a CSV (-nodetach). */
static const unsigned char p7s_detached[] = {
	0x30, 0x81, 0xc1, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x81,
	0xb3, 0x30, 0x81, 0xb0, 0x02, 0x01, 0x01, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x07, 0x01, 0x31, 0x81, 0x8e, 0x30, 0x81, 0x8b, 0x02, 0x01, 0x01, 0x30, 0x24, 0x30, 0x0c,
	0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x74, 0x02, 0x14, 0x74, 0xe6,
	0x77, 0x67, 0xc6, 0xec, 0x4d, 0x44, 0x0a, 0xfd, 0x65, 0xd3, 0x0a, 0x53, 0x52, 0x14, 0xd8, 0x32,
	0x6b, 0xe4, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30,
	0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x04, 0x47, 0x30, 0x45, 0x02,
	0x21, 0x00, 0x95, 0x3f, 0x6a, 0x6e, 0xa2, 0x6c, 0x8d, 0xb9, 0x01, 0x18, 0xeb, 0xa2, 0x8c, 0xe9,
	0xc1, 0x49, 0xf6, 0x35, 0x40, 0xbc, 0x93, 0xf7, 0x0e, 0x44, 0xcd, 0x31, 0x9a, 0x19, 0x60, 0x32,
	0x7a, 0xe6, 0x02, 0x20, 0x49, 0xad, 0xf8, 0x45, 0xdd, 0x3e, 0x06, 0x01, 0x53, 0x6d, 0x15, 0x5e,
	0xab, 0x00, 0xbd, 0xec, 0x05, 0x6f, 0x38, 0x61, 0x4a, 0xfa, 0xce, 0xe6, 0x38, 0xd9, 0xae, 0xf9,
	0x20, 0x1d, 0x99, 0xa5,
};
static const unsigned char p7s_attached[] = {
	0x30, 0x81, 0xef, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x81,
	0xe1, 0x30, 0x81, 0xde, 0x02, 0x01, 0x01, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48,
	0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30, 0x3a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
	0x01, 0x07, 0x01, 0xa0, 0x2d, 0x04, 0x2b, 0x69, 0x70, 0x2c, 0x61, 0x73, 0x6e, 0x0a, 0x31, 0x39,
	0x33, 0x2e, 0x30, 0x2e, 0x36, 0x2e, 0x31, 0x33, 0x39, 0x2c, 0x33, 0x33, 0x33, 0x33, 0x0a, 0x31,
	0x34, 0x35, 0x2e, 0x39, 0x37, 0x2e, 0x33, 0x39, 0x2e, 0x31, 0x35, 0x35, 0x2c, 0x31, 0x31, 0x30,
	0x33, 0x0a, 0x31, 0x81, 0x8d, 0x30, 0x81, 0x8a, 0x02, 0x01, 0x01, 0x30, 0x24, 0x30, 0x0c, 0x31,
	0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 0x74, 0x02, 0x14, 0x74, 0xe6, 0x77,
	0x67, 0xc6, 0xec, 0x4d, 0x44, 0x0a, 0xfd, 0x65, 0xd3, 0x0a, 0x53, 0x52, 0x14, 0xd8, 0x32, 0x6b,
	0xe4, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x30, 0x0a,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x04, 0x46, 0x30, 0x44, 0x02, 0x20,
	0x24, 0x1f, 0xc2, 0xfc, 0x9b, 0xa2, 0x09, 0xb6, 0x64, 0x53, 0xd6, 0x73, 0x6a, 0x93, 0x4f, 0x9f,
	0x33, 0x98, 0xdc, 0xa4, 0x4e, 0x99, 0xe6, 0x4e, 0xfe, 0x65, 0xb8, 0x21, 0xe4, 0xe5, 0xd2, 0xc9,
	0x02, 0x20, 0x11, 0x4e, 0x2d, 0x89, 0xec, 0x5c, 0x6d, 0x59, 0xa7, 0x3f, 0x17, 0x8c, 0x00, 0x6b,
	0x5b, 0xa1, 0x5c, 0xe6, 0x96, 0xda, 0x51, 0x43, 0xe6, 0x4f, 0xc0, 0xcc, 0xf2, 0x3e, 0xa9, 0xfa,
	0x12, 0x95,
};

static char *b_p7s_real(size_t *len)
{
	return mixed1("application/pkcs7-signature", "smime.p7s", p7s_detached,
		      sizeof p7s_detached, len);
}

/* An attached signature under a detached signature's label carries its
 * content: it is no signature to skip. */
static char *b_p7s_attached(size_t *len)
{
	return mixed1("application/pkcs7-signature", "smime.p7s", p7s_attached,
		      sizeof p7s_attached, len);
}

/* Any DER that spans the file is no signature: SEQUENCE { OCTET STRING }. */
static char *b_p7s_der_wrapped(size_t *len)
{
	size_t n = sizeof list25 - 1;
	GByteArray *g = g_byte_array_new();
	unsigned char h[8] = {0x30, 0x82, (unsigned char)((n + 4) >> 8), (unsigned char)(n + 4),
			      0x04, 0x82, (unsigned char)(n >> 8), (unsigned char)n};
	g_byte_array_append(g, h, sizeof h);
	g_byte_array_append(g, (const guint8 *)list25, (guint)n);
	char *msg = mixed1("application/pkcs7-signature", "smime.p7s", g->data, g->len, len);
	g_byte_array_free(g, TRUE);
	return msg;
}

/* Bytes that only start like an OpenPGP key (tag 6, version 4) and go
 * on as something else: not a key. */
static char *b_pgpkey_forged(size_t *len)
{
	unsigned char d[400] = {0x99, 0x01, 0x0d, 0x04};
	for (size_t i = 4; i < sizeof d; i++)
		d[i] = (unsigned char)(i * 53u + 1u);
	return mixed1("application/octet-stream", "data.bin", d, sizeof d, len);
}

/* A public key packet, a user ID and a signature: a key's whole shape. */
static char *b_pgpkey_real(size_t *len)
{
	unsigned char d[64] = {0x99, 0x00, 0x0c, 0x04, 1, 2, 3, 4, 0x01, 0x00, 0x08, 0xc5, 0x00, 0x01,
			       0x11};
	size_t o = 15;
	d[o++] = 0xb4;
	d[o++] = 5;
	memcpy(d + o, "a <b>", 5);
	o += 5;
	d[o] = 0x89;
	d[o + 1] = 0x00;
	d[o + 2] = (unsigned char)(sizeof d - (o + 3));
	o += 3;
	d[o] = 0x04;
	for (size_t i = o + 1; i < sizeof d; i++)
		d[i] = (unsigned char)(i * 29u + 3u);
	return mixed1("application/pgp-keys", "key.gpg", d, sizeof d, len);
}

/* A PEM header over a CSV, labelled a detached signature. */
static char *b_pem_csv(size_t *len)
{
	GString *s = g_string_new("-----BEGIN PKCS7-----\n");
	g_string_append(s, list25);
	g_string_append(s, "-----END PKCS7-----\n");
	char *m = mixed1("application/pkcs7-signature", "smime.p7s", s->str, s->len, len);
	g_string_free(s, TRUE);
	return m;
}

static char *b_pem_real(size_t *len)
{
	static const char pem[] =
		"-----BEGIN PKCS7-----\n"
		"MIIBmQYJKoZIhvcNAQcCoIIBijCCAYYCAQExDzANBglghkgBZQMEAgEFADALBgkq\n"
		"hkiG9w0BBwExggFhMIIBXQIBATA=\n"
		"-----END PKCS7-----\n";
	return mixed1("application/pkcs7-signature", "smime.p7s", pem, sizeof pem - 1, len);
}

/* A text part labelled 7bit whose body is a base64 CSV. */
static char *b_b64_in_7bit(size_t *len)
{
	GString *csvs = g_string_new("ip,asn\n");
	for (int i = 0; i < 6; i++)
		g_string_append(csvs, "193.0.6.139,3333\n145.97.39.155,1103\n");
	gchar *b64 = g_base64_encode((const guchar *)csvs->str, csvs->len);
	GString *s = g_string_new("Subject: export\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
				  "Content-Transfer-Encoding: 7bit\r\n\r\nthe export:\r\n");
	for (size_t k = 0; k < strlen(b64); k += 64)
		g_string_append_printf(s, "%.64s\r\n", b64 + k);
	g_free(b64);
	g_string_free(csvs, TRUE);
	*len = s->len;
	return g_string_free(s, FALSE);
}

/* A document with an embedded workbook, a pivot cache, a chart cache, a
 * sheet under a part name of its own, a picture and printer settings. */
static char *b_docx_embedded(size_t *len)
{
	static const char sst[] = "<sst><si><t>193.0.6.139</t></si></sst>";
	static const char sheet[] = "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>145.97.39.155"
				    "</t></is></c></row></sheetData></worksheet>";
	struct mem xm[] = {{"[Content_Types].xml", "<Types/>", 8},
			   {"xl/sharedStrings.xml", sst, sizeof sst - 1},
			   {"xl/data/ipsheet.xml", sheet, sizeof sheet - 1}};
	size_t xl, dl;
	unsigned char *x = fixture_archive("zip", NULL, NULL, NULL, xm, 3, &xl);
	static const char doc[] = "<w:document><w:body><w:p><w:r><w:t>see the table</w:t></w:r></w:p>"
				  "</w:body></w:document>";
	static const char pivot[] = "<pivotCacheRecords><r><s v=\"130.89.1.1\"/><n v=\"1\"/></r>"
				    "</pivotCacheRecords>";
	static const char chart[] = "<c:chartSpace><c:strCache><c:pt idx=\"0\"><c:v>8.8.4.4</c:v>"
				    "</c:pt></c:strCache></c:chartSpace>";
	static const char rels[] = "<Relationships><Relationship Id=\"r1\" Target=\"http://9.9.9.9/x\" "
				   "TargetMode=\"External\"/></Relationships>";
	unsigned char printer[200];
	for (size_t i = 0; i < sizeof printer; i++)
		printer[i] = (unsigned char)(i * 29u + 3u);
	static const char custom[] = "<?xml version=\"1.0\"?><ipList><ip>193.0.6.139</ip>"
				     "<ip>145.97.39.155</ip></ipList>";
	static const char props[] = "<Properties><property name=\"src\"><vt:lpwstr>130.89.1.1"
				    "</vt:lpwstr></property></Properties>";
	struct mem dm[] = {{"[Content_Types].xml", "<Types/>", 8},
			   {"customXml/item1.xml", custom, sizeof custom - 1},
			   {"docProps/custom.xml", props, sizeof props - 1},
			   {"word/document.xml", doc, sizeof doc - 1},
			   {"word/_rels/document.xml.rels", rels, sizeof rels - 1},
			   {"word/embeddings/Microsoft_Excel_Worksheet.xlsx", x, xl},
			   {"xl/pivotCache/pivotCacheRecords1.xml", pivot, sizeof pivot - 1},
			   {"word/charts/chart1.xml", chart, sizeof chart - 1},
			   {"word/media/image1.gif", gif1x1, sizeof gif1x1 - 1},
			   {"word/printerSettings/printerSettings1.bin", printer, sizeof printer}};
	unsigned char *d = fixture_archive("zip", NULL, NULL, NULL, dm, 10, &dl);
	char *msg = mixed1("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			   "report.docx", d, dl, len);
	free(x);
	free(d);
	return msg;
}

/* An RTF with an embedded object: an OLE1 header, then the zip it
 * carries (as Word embeds a package), written as \objdata hex. */
/* The object's zip in hex, or raw after \\binN (as the specification
 * also allows). */
static char *rtf_object_msg(bool bin, size_t *len)
{
	struct mem m[] = {{"list.csv", list25, sizeof list25 - 1}};
	size_t zl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &zl);
	GString *r = g_string_new("{\\rtf1\\ansi see the object{\\object\\objemb{\\*\\objclass Package}"
				  "{\\*\\objdata 01050000020000000800000050616b6b61676500");
	if (bin) {
		g_string_append_printf(r, "\\bin%zu ", zl);
		g_string_append_len(r, (const char *)z, (gssize)zl);
	}
	for (size_t i = 0; i < zl && !bin; i++) {
		g_string_append_printf(r, "%02x", z[i]);
		if (i % 64 == 63)
			g_string_append(r, "\r\n");
	}
	g_string_append(r, "}{\\result picture}}}");
	char *msg = mixed1("application/rtf", "obj.rtf", r->str, r->len, len);
	g_string_free(r, TRUE);
	free(z);
	return msg;
}

static char *b_rtf_object(size_t *len)
{
	return rtf_object_msg(false, len);
}

static char *b_rtf_object_bin(size_t *len)
{
	return rtf_object_msg(true, len);
}

static char *b_rtf_ole2(size_t *len)
{
	static const char rtf[] = "{\\rtf1 x{\\object{\\*\\objdata 0105000002000000"
				  "d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900}}}";
	return mixed1("text/rtf", "o.rtf", rtf, sizeof rtf - 1, len);
}

static char *b_pdf_attached(size_t *len)
{
	size_t pl;
	char *pdf = build_pdf_with("list.csv", list25, &pl);
	char *msg = mixed1("application/pdf", "report.pdf", pdf, pl, len);
	g_free(pdf);
	return msg;
}

static char *b_rtf_table(size_t *len)
{
	static const char rtf[] =
		"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Calibri 1.2.3.4;}}{\\*\\generator x 5.6.7.8;}"
		"\\trowd\\cellx1000\\cellx2000\\pard\\intbl{\\b 193.0.}{6.139}\\cell{145.}{\\i 97.39.155}"
		"\\cell\\row\\pard\\intbl 130.89\\'2e1.1\\cell 8.8\\u46?4.4\\cell\\row"
		"{\\pict\\pngblip 89504e47 9.9.9.9}}";
	return mixed1("application/rtf", "table.rtf", rtf, sizeof rtf - 1, len);
}

/* ---- legacy Office (OLE2) and TNEF ---------------------------------------------- */

/* 25 routable public addresses, as an incident export would list them. */
static const char *const addr25[25] = {
	"193.0.6.139", "145.97.39.155", "130.89.1.1", "8.8.4.4", "80.67.169.12",
	"212.27.48.10", "62.4.16.70", "91.198.174.192", "185.15.59.224", "151.101.1.69",
	"104.16.132.229", "140.82.121.3", "13.107.42.14", "17.253.144.10", "23.33.96.11",
	"31.13.72.36", "52.94.236.248", "77.88.55.77", "87.250.250.242", "95.101.20.34",
	"178.79.242.13", "194.109.6.66", "213.154.224.1", "84.116.46.21", "46.51.197.88"};

static char *ole2_msg(const struct olem *m, size_t n, const char *ctype, const char *name,
		      size_t *len)
{
	size_t ol;
	unsigned char *ole = fx_ole2(m, n, &ol);
	char *msg = mixed1(ctype, name, ole, ol, len);
	g_free(ole);
	return msg;
}

static char *xls_msg(const char *const *cells, size_t n, bool filepass, size_t *len)
{
	GString *wb = fx_biff8(cells, n, filepass);
	static const char si[] = "\xfe\xff\x00\x00\x06\x01\x02\x00";
	struct olem m[] = {{"\005SummaryInformation", si, sizeof si - 1},
			   {"Workbook", wb->str, wb->len}};
	char *msg = ole2_msg(m, 2, "application/vnd.ms-excel", "export.xls", len);
	g_string_free(wb, TRUE);
	return msg;
}

static char *b_xls25(size_t *len)
{
	return xls_msg(addr25, 25, false, len);
}

static char *b_xls_clean(size_t *len)
{
	static const char *const cells[] = {"Quarter", "Revenue", "Costs", "Version 4.6.0.1 notes"};
	return xls_msg(cells, 4, false, len);
}

static char *b_xls_encrypted(size_t *len)
{
	return xls_msg(addr25, 5, true, len);
}

static char *doc_msg(bool encrypted, size_t *len)
{
	GString *text = g_string_new("Blocked hosts\r");
	for (int i = 0; i < 10; i++)
		g_string_append_printf(text, "%s\r", addr25[i]);
	g_string_append(text, "table:\a193.0.6.139\a145.97.39.155\a\a");
	GString *doc, *tbl;
	fx_word(text->str, encrypted, &doc, &tbl);
	struct olem m[] = {{"1Table", tbl->str, tbl->len}, {"WordDocument", doc->str, doc->len}};
	char *msg = ole2_msg(m, 2, "application/msword", "report.doc", len);
	g_string_free(doc, TRUE);
	g_string_free(tbl, TRUE);
	g_string_free(text, TRUE);
	return msg;
}

static char *b_doc_list(size_t *len)
{
	return doc_msg(false, len);
}

static char *b_doc_encrypted(size_t *len)
{
	return doc_msg(true, len);
}

static char *b_ppt(size_t *len)
{
	static const char *const lines[] = {"Sources of the attack", "193.0.6.139",
					    "145.97.39.155"};
	GString *ppt = fx_ppt(lines, 3, "130.89.1.1");
	struct olem m[] = {{"PowerPoint Document", ppt->str, ppt->len}};
	char *msg = ole2_msg(m, 1, "application/vnd.ms-powerpoint", "deck.ppt", len);
	g_string_free(ppt, TRUE);
	return msg;
}

/* A .doc with an embedded workbook (ObjectPool storage) and a packaged
 * CSV (Ole10Native), as Word stores inserted objects. */
static char *b_doc_objects(size_t *len)
{
	GString *doc, *tbl, *wb = fx_biff8(addr25 + 10, 3, false);
	fx_word("see the objects\r", false, &doc, &tbl);
	GString *nat = g_string_new(NULL);
	GString *pk = g_string_new(NULL);
	fx_u16(pk, 2);
	g_string_append_len(pk, "list.csv\0C:\\list.csv\0\0\0\3\0", 25);
	const char tmp[] = "C:\\Temp\\list.csv";
	fx_u32(pk, sizeof tmp);
	g_string_append_len(pk, tmp, sizeof tmp);
	fx_u32(pk, sizeof list25 - 1);
	g_string_append_len(pk, list25, sizeof list25 - 1);
	fx_u32(nat, (uint32_t)pk->len);
	g_string_append_len(nat, pk->str, (gssize)pk->len);
	struct olem m[] = {{"1Table", tbl->str, tbl->len},
			   {"WordDocument", doc->str, doc->len},
			   {"ObjectPool/Workbook", wb->str, wb->len},
			   {"ObjectPool/\001Ole10Native", nat->str, nat->len}};
	char *msg = ole2_msg(m, 4, "application/msword", "objects.doc", len);
	g_string_free(doc, TRUE);
	g_string_free(tbl, TRUE);
	g_string_free(wb, TRUE);
	g_string_free(nat, TRUE);
	g_string_free(pk, TRUE);
	return msg;
}

/* A .docm: its VBA project is an OLE2 file of compressed modules and
 * binary records; nothing in it is a list. */
static char *b_docm_vba(size_t *len)
{
	unsigned char dirs[300];
	for (size_t i = 0; i < sizeof dirs; i++)
		dirs[i] = (unsigned char)(i * 37u + 11u);
	dirs[0] = 0x01;
	static const char project[] = "ID=\"{00000000-0000-0000-0000-000000000000}\"\r\n"
				      "Document=ThisDocument/&H00000000\r\nName=\"Project\"\r\n";
	struct olem vm[] = {{"PROJECT", project, sizeof project - 1},
			    {"VBA/dir", dirs, sizeof dirs},
			    {"VBA/_VBA_PROJECT", "\xcc\x61\xff\xff\x00\x00\x00", 7}};
	size_t vl, dl;
	unsigned char *v = fx_ole2(vm, 3, &vl);
	static const char doc[] = "<w:document><w:body><w:p><w:r><w:t>quarterly figures</w:t>"
				  "</w:r></w:p></w:body></w:document>";
	struct mem dm[] = {{"[Content_Types].xml", "<Types/>", 8},
			   {"word/document.xml", doc, sizeof doc - 1},
			   {"word/vbaProject.bin", v, vl}};
	unsigned char *d = fixture_archive("zip", NULL, NULL, NULL, dm, 3, &dl);
	char *msg = mixed1("application/vnd.ms-word.document.macroEnabled.12", "report.docm", d, dl,
			   len);
	g_free(v);
	free(d);
	return msg;
}

static char *b_ole2_corrupt(size_t *len)
{
	size_t ol;
	struct olem m[] = {{"Workbook", "\x09\x08\x10\x00", 4}};
	unsigned char *ole = fx_ole2(m, 1, &ol);
	/* The directory's first sector number points past the end. */
	ole[48] = 0xf0, ole[49] = 0xff, ole[50] = 0xff, ole[51] = 0x0f;
	char *msg = mixed1("application/vnd.ms-excel", "broken.xls", ole, ol, len);
	g_free(ole);
	return msg;
}

static char *b_xls_bad_stream(size_t *len)
{
	/* A Workbook stream whose first record runs past its end. */
	struct olem m[] = {{"Workbook", "\x09\x08\xff\x00\x00\x06", 6}};
	return ole2_msg(m, 1, "application/vnd.ms-excel", "cut.xls", len);
}

static char *b_tnef_csv(size_t *len)
{
	GString *c = g_string_new(list25);
	GString *x = g_string_new(NULL);
	fx_u16(x, 0);
	const char *names[] = {"incident.csv"};
	const GString *datas[] = {c};
	GString *t = fx_tnef("weekly list", "{\\rtf1\\ansi\\mac\\deff0 Please block 80.67.169.12\\par}", true,
			     names, datas, 1);
	char *msg = mixed1("application/ms-tnef", "winmail.dat", t->str, t->len, len);
	g_string_free(t, TRUE);
	g_string_free(c, TRUE);
	g_string_free(x, TRUE);
	return msg;
}

/* winmail.dat carrying a zip of a CSV and a legacy workbook. */
static char *b_tnef_nested(size_t *len)
{
	struct mem zm[] = {{"list.csv", list25, sizeof list25 - 1}};
	size_t zl, xl;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, zm, 1, &zl);
	GString *wb = fx_biff8(addr25 + 20, 5, false);
	struct olem om[] = {{"Workbook", wb->str, wb->len}};
	unsigned char *x = fx_ole2(om, 1, &xl);
	GString *zs = g_string_new_len((const char *)z, (gssize)zl);
	GString *xs = g_string_new_len((const char *)x, (gssize)xl);
	const char *names[] = {"lists.zip", "old.xls"};
	const GString *datas[] = {zs, xs};
	GString *t = fx_tnef("lists", "{\\rtf1 stored as is: 212.27.48.10}", false, names, datas, 2);
	char *msg = mixed1("application/vnd.ms-tnef", "winmail.dat", t->str, t->len, len);
	g_string_free(t, TRUE);
	g_string_free(zs, TRUE);
	g_string_free(xs, TRUE);
	g_string_free(wb, TRUE);
	free(z);
	g_free(x);
	return msg;
}

static char *b_tnef_label_csv(size_t *len)
{
	return mixed1("application/ms-tnef", "winmail.dat", list25, sizeof list25 - 1, len);
}

static char *b_ole2_many(size_t *len)
{
	enum { MANY = OLE2_MAX_STREAMS + 8 };
	struct olem *m = g_new(struct olem, MANY);
	char (*names)[16] = g_malloc(MANY * 16);
	for (unsigned i = 0; i < MANY; i++) {
		snprintf(names[i], 16, "s%05u", i);
		m[i] = (struct olem){names[i], "193.0.6.139", 11};
	}
	char *msg = ole2_msg(m, MANY, "application/octet-stream", "many.bin", len);
	g_free(names);
	g_free(m);
	return msg;
}

/* A TNEF message as Outlook writes its MAPI properties: a named property
 * first, the plain body as PR_BODY, an attachment named only in UTF-16
 * (PR_ATTACH_LONG_FILENAME) whose data is an embedded object
 * (PR_ATTACH_DATA_OBJ, after its IID).  bad: a property list cut short. */
static char *tnef_props(bool bad, size_t *len)
{
	GString *s = g_string_new(NULL), *m = g_string_new(NULL), *a = g_string_new(NULL);
	fx_u32(s, 0x223e9f78);
	fx_u16(s, 1);
	fx_tnef_attr(s, 1, 0x00089006, "\x00\x00\x01\x00", 4);
	static const char body[] = "Blocked today:\r\n91.198.174.192\r\n185.15.59.224\r\n";
	fx_u32(m, 2);
	fx_u32(m, 0x80010003);	/* a named PT_LONG: GUID, kind 1, name, value */
	g_string_append_len(m, "0123456789abcdef", 16);
	fx_u32(m, 1);
	fx_u32(m, 6);
	g_string_append_len(m, "x\0y\0\0\0\0\0", 8);
	fx_u32(m, 7);
	fx_u32(m, 0x1000001e);	/* PR_BODY, PT_STRING8 */
	fx_u32(m, 1);
	fx_u32(m, sizeof body);
	g_string_append_len(m, body, sizeof body);
	while (m->len % 4)
		g_string_append_c(m, 0);
	fx_tnef_attr(s, 1, 0x00069003, m->str, bad ? m->len - 8 : m->len);
	fx_tnef_attr(s, 2, 0x00069002, "\x01\x00\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00", 14);
	fx_u32(a, 2);
	fx_u32(a, 0x3707001f);	/* PR_ATTACH_LONG_FILENAME, PT_UNICODE */
	fx_u32(a, 1);
	fx_u32(a, 18);
	g_string_append_len(a, "l\0i\0s\0t\0.\0c\0s\0v\0\0\0\0\0", 20);
	fx_u32(a, 0x3701000d);	/* PR_ATTACH_DATA_OBJ, PT_OBJECT */
	fx_u32(a, 1);
	fx_u32(a, (uint32_t)(16 + sizeof list25 - 1));
	g_string_append_len(a, "IIDIIDIIDIIDIIDI", 16);
	g_string_append_len(a, list25, sizeof list25 - 1);
	while (a->len % 4)
		g_string_append_c(a, 0);
	fx_tnef_attr(s, 2, 0x00069005, a->str, a->len);
	char *msg = mixed1("application/ms-tnef", "winmail.dat", s->str, s->len, len);
	g_string_free(s, TRUE);
	g_string_free(m, TRUE);
	g_string_free(a, TRUE);
	return msg;
}

static char *b_tnef_props(size_t *len)
{
	return tnef_props(false, len);
}

static char *b_tnef_bad_props(size_t *len)
{
	return tnef_props(true, len);
}

/* Compound file names compare without case: Excel reads "WORKBOOK". */
static char *b_xls_upper(size_t *len)
{
	GString *wb = fx_biff8(addr25 + 5, 4, false);
	struct olem m[] = {{"WORKBOOK", wb->str, wb->len}};
	char *msg = ole2_msg(m, 1, "application/vnd.ms-excel", "upper.xls", len);
	g_string_free(wb, TRUE);
	return msg;
}

/* An Outlook .msg: a short UTF-16 subject, a compressed RTF body and an
 * attachment storage holding a CSV. */
static char *b_msg(size_t *len)
{
	GString *subj = g_string_new(NULL), *rtf = g_string_new(NULL);
	for (const char *c = "8.8.4.4"; *c; c++)
		fx_u16(subj, (unsigned char)*c);
	fx_rtf_compressed(rtf, "{\\rtf1\\ansi\\mac\\deff0 block 80.67.169.12\\par}", true);
	struct olem m[] = {{"__attach_version1.0_#00000000/__substg1.0_37010102", list25,
			    sizeof list25 - 1},
			   {"__substg1.0_0037001F", subj->str, subj->len},
			   {"__substg1.0_10090102", rtf->str, rtf->len}};
	char *msg = ole2_msg(m, 3, "application/vnd.ms-outlook", "mail.msg", len);
	g_string_free(subj, TRUE);
	g_string_free(rtf, TRUE);
	return msg;
}

/* ---- rows ---------------------------------------------------------------------- */

static const struct walk_case cases[] = {
	{"plain text, Received not scanned, Subject scanned",
	 "Received: from mx ([193.0.6.139]) by relay (203.0.113.9)\r\nX-Originating-IP: 1.2.3.4\r\n"
	 "Subject: list 8.8.4.4\r\n\r\nbody 8.8.8.8\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N}},
	 false, N, {"list 8.8.4.4", "body 8.8.8.8"}, {"193.0.6.139", "1.2.3.4"}, 0, 0},
	{"quoted-printable iso-8859-1",
	 "Subject: qp\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
	 "Content-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 8.8.=\r\n8.8\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N}},
	 false, N, {"Caf\xc3\xa9 8.8.8.8"}, {NULL}, 0, 0},
	{"base64 windows-1252",
	 "Subject: b64\r\nContent-Type: text/plain; charset=windows-1252\r\n"
	 "Content-Transfer-Encoding: base64\r\n\r\nk3F1b3RlZJQgOC44LjguOA==\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N}},
	 false, N, {"\xe2\x80\x9cquoted\xe2\x80\x9d 8.8.8.8"}, {NULL}, 0, 0},
	{"RFC 2047 subject, RFC 2231 filename",
	 "Subject: =?iso-8859-1?q?Lijst_=E9_193=2E0=2E6=2E139?=\r\nContent-Type: multipart/mixed; "
	 "boundary=b\r\n\r\n--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; "
	 "filename*=utf-8''l%C3%ADst.csv\r\n\r\nip\r\n8.8.8.8\r\n--b--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N}, {"1", "text/csv", S, N}},
	 false, N, {"Lijst \xc3\xa9 193.0.6.139", "8.8.8.8"}, {NULL}, 0, 0},
	{"HTML: tags, entities, script and style read, split address",
	 "Subject: h\r\nContent-Type: text/html\r\n\r\n<html><head><style>p{x:1.2.3.4}</style></head>"
	 "<body><p>a&nbsp;8&#46;8.<b>8</b>.8 &amp; <a href=\"http://193.0.6.139/x\">l</a></p>"
	 "<script>if(a<b){var x='9.9.9.9'}</script><td>after</td></body></html>\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/html", S, N}},
	 false, N, {"a 8.8.8.8 & ", "http://193.0.6.139/x", "var x='9.9.9.9'", "p{x:1.2.3.4}"}, {"<b>"},
	 0, 0},
	{"nested multipart and message/rfc822",
	 "Subject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
	 "Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/plain\r\n\r\n"
	 "plain 8.8.8.8\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>html 8.8.8.8</p>\r\n--a--\r\n--o\r\n"
	 "Content-Type: message/rfc822\r\n\r\nReceived: from z ([9.9.9.9])\r\nSubject: inner 1.0.0.1\r\n"
	 "Content-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\n"
	 "inner 193.0.6.139\r\n--i--\r\n--o--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "multipart/alternative", C, N}, {"1.1", "text/plain", S, N},
	  {"1.2", "text/html", S, N}, {"2", "message/rfc822", C, N},
	  {"2.subject", "text/plain", S, N}, {"2.TEXT", "multipart/mixed", C, N},
	  {"2.1", "text/plain", S, N}},
	 false, N, {"plain 8.8.8.8", "html 8.8.8.8", "inner 1.0.0.1", "inner 193.0.6.139"},
	 {"9.9.9.9"}, 0, 0},
	{"CSV attachment", NULL, b_csv, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "text/csv", S, N}},
	 false, N, {"8.8.8.8,US", "193.0.6.139,NL"}, {NULL}, 0, 0},
	{"UTF-16 with BOM", NULL, b_utf16, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "text/plain", S, N}},
	 false, N, {"ip\r\n7.7.7.7"}, {NULL}, 0, 0},
	{"UTF-16 without BOM, sniffed", NULL, b_utf16_nobom, NULL,
	 {{"2", "application/octet-stream", S, N}}, true, N, {"ip\n8.8.4.4"}, {NULL}, 0, 0},
	{"UTF-16 without BOM, mostly CJK, sniffed", NULL, b_utf16_cjk, NULL,
	 {{"2", "application/octet-stream", S, N}}, true, N,
	 {"\xef\xbc\x9a" "133.1.2.3\xef\xbc\x8c"}, {NULL}, 0, 0},
	{"text/calendar: folded lines unfolded",
	 "Subject: c\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
	 "DESCRIPTION:block 133.1.\r\n 2.3 and\r\n  133.1.2.4\\n133.1.2.5\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/calendar", S, N}},
	 false, N, {"block 133.1.2.3 and 133.1.2.4\\n133.1.2.5"}, {NULL}, 0, 0},
	{"zip of CSV", NULL, b_zip, NULL,
	 {{"2", "application/zip", C, N}, {"2!lists/be.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139,NL"}, {NULL}, 0, 0},
	{"zip in zip", NULL, b_zip_in_zip, NULL,
	 {{"2", "application/zip", C, N}, {"2!a.zip", "application/zip", C, N},
	  {"2!a.zip!b.csv", "text/csv", S, N}, {"2!note.txt", "text/plain", S, N}},
	 true, N, {"8.8.8.8,US", "2a00:1450:4001::1"}, {NULL}, 0, 0},
	{"tar.gz", NULL, b_targz, NULL,
	 {{"2", "application/gzip", C, N}, {"2!t/list.txt", "text/plain", S, N}},
	 true, N, {"8.8.8.8,US"}, {NULL}, 0, 0},
	{"bare gzip of a CSV", NULL, b_gz, NULL,
	 {{"2", "application/octet-stream", C, N}, {"2!list.csv", "text/csv", S, N}},
	 true, N, {"8.8.8.8,US"}, {NULL}, 0, 0},
	{"7z", NULL, b_7z, NULL,
	 {{"2", "application/x-7z-compressed", C, N}, {"2!a.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139,NL"}, {NULL}, 0, 0},
	{"tar.xz and tar.bz2", NULL, b_tarxz_bz2, NULL,
	 {{"2", "application/x-xz", C, N}, {"2!x.csv", "text/csv", S, N},
	  {"3", "application/x-bzip2", C, N}, {"3!x.csv", "text/csv", S, N}},
	 true, N, {"8.8.8.8,US"}, {NULL}, 0, 0},
	{"encrypted zip", NULL, b_zip_encrypted, NULL,
	 {{"2", "application/zip", C, N},
	  {"2!secret.csv", "text/csv", U, UNSCAN_ENCRYPTED_ARCHIVE}},
	 true, N, {NULL}, {"8.8.8.8"}, 0, 0},
	{"corrupt zip", NULL, b_zip_corrupt, NULL,
	 {{"2", "application/zip", U, UNSCAN_CORRUPT_ARCHIVE}}, true, N, {NULL}, {NULL}, 0, 0},
	{"truncated zip", NULL, b_zip_truncated, NULL,
	 {{"2", "application/zip", U, UNSCAN_CORRUPT_ARCHIVE}}, true, N, {NULL}, {NULL}, 0, 0},
	{"zip bomb", NULL, b_zip_bomb, l_ratio10,
	 {{"2", "application/zip", U, UNSCAN_LIMIT_RATIO},
	  {"2!zeros.txt", "text/plain", U, UNSCAN_LIMIT_RATIO}},
	 true, N, {NULL}, {NULL}, 0, 0},
	{"too many entries", NULL, b_zip_entries, l_entries3,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "application/zip", U, UNSCAN_LIMIT_ENTRIES},
	  {"2!1.txt", "text/plain", S, N}, {"2!2.txt", "text/plain", S, N},
	  {"2!3.txt", "text/plain", S, N}},
	 false, N, {"8.8.8.8"}, {NULL}, 0, 0},
	{"too deep", NULL, b_zip_deep, l_depth2,
	 {{"2", "application/zip", C, N}, {"2!b.zip", "application/zip", C, N},
	  {"2!b.zip!c.csv", "text/csv", U, UNSCAN_LIMIT_DEPTH}},
	 true, N, {NULL}, {"8.8.8.8"}, 0, 0},
	{"too many parts", NULL, b_many_parts, l_parts4,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "text/plain", S, N}, {"3", "text/plain", S, N}},
	 false, UNSCAN_LIMIT_PARTS, {NULL}, {NULL}, 0, 0},
	{"too big message", "Subject: 8.8.8.8\r\n\r\n0123456789012345678901234567890123456789"
			    "0123456789012345678901234567890123456789\r\n",
	 NULL, l_msg100, {{NULL, NULL, S, N}}, false, UNSCAN_LIMIT_SIZE, {NULL}, {"8.8.8.8"}, 0, 0},
	{"too much expanded", "Subject: x\r\n\r\n0123456789012345678901234567890123456789\r\n",
	 NULL, l_expanded, {{"subject", "text/plain", S, N}, {"1", "text/plain", U, UNSCAN_LIMIT_SIZE}},
	 false, UNSCAN_LIMIT_SIZE, {NULL}, {"0123"}, 0, 0},
	{"out of time", "Subject: x\r\n\r\nbody 8.8.8.8\r\n", NULL, l_time0,
	 {{"subject", "text/plain", U, UNSCAN_LIMIT_TIME}}, false, UNSCAN_LIMIT_TIME, {NULL}, {"body"},
	 0, 0},
	{"DOCX with a split run", NULL, b_docx, NULL,
	 {{"2", "application/octet-stream", S, N}}, true, N,
	 {"IP 8.8.8.8\n", "193.0.6.139", "1.1.1.1\n\t9.9.9.9", "4.4.4.4"}, {"8.8.\n"}, 0, 0},
	{"XLSX shared strings, inline strings, numbers", NULL, b_xlsx, NULL,
	 {{"2", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", S, N}}, true, N,
	 {"8.8.8.8", "193.0.6.139", "31337", "2a00:1450:4001::1"}, {"\t0\t", "\t1\t"}, 0, 0},
	{"ODS content.xml", NULL, b_ods, NULL,
	 {{"2", "application/octet-stream", S, N}}, true, N, {"8.8.8.8\n", "193.0.6.139"}, {NULL},
	 0, 0},
	{"PGP/MIME",
	 "Subject: enc\r\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
	 "boundary=e\r\n\r\n--e\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
	 "--e\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n"
	 "hQEMA\r\n-----END PGP MESSAGE-----\r\n--e--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/encrypted", U, UNSCAN_PGP_MIME}},
	 false, N, {"enc"}, {NULL}, 0, 0},
	{"inline PGP and clear-signed text",
	 "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	 "Content-Type: text/plain\r\n\r\nhello\r\n-----BEGIN PGP MESSAGE-----\r\nhQEMA\r\n"
	 "-----END PGP MESSAGE-----\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
	 "-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA256\r\n\r\nlist 8.8.8.8\r\n"
	 "-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--b--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", U, UNSCAN_PGP_INLINE}, {"2", "text/plain", S, N}},
	 false, N, {"hello", "list 8.8.8.8"}, {NULL}, 0, 0},
	{"multipart/signed: content scanned, signature is not content",
	 "Subject: s\r\nContent-Type: multipart/signed; protocol=\"application/pgp-signature\"; "
	 "micalg=pgp-sha256; boundary=s\r\n\r\n--s\r\nContent-Type: text/plain\r\n\r\n"
	 "signed 8.8.8.8\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n"
	 "-----BEGIN PGP SIGNATURE-----\r\nabc\r\n-----END PGP SIGNATURE-----\r\n--s--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/signed", C, N},
	  {"1", "text/plain", S, N}, {"2", "application/pgp-signature", S, N}},
	 false, N, {"signed 8.8.8.8"}, {NULL}, 0, 0},
	{"S/MIME enveloped",
	 "Subject: smime\r\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data; "
	 "name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "application/pkcs7-mime", U, UNSCAN_SMIME}},
	 false, N, {NULL}, {NULL}, 0, 0},
	{"TNEF by type",
	 "Subject: t\r\nContent-Type: application/ms-tnef\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "eJ8+IgAAAQaQCAAEAAAAAAABAAEAAQeQBgAIAAAA5AQAAAAAAADoAAEIgAcAGAAAAElQTS5NaWNy\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "application/ms-tnef", U, UNSCAN_TNEF}},
	 false, N, {NULL}, {NULL}, 0, 0},
	{"TNEF by name", NULL, b_tnef_name, NULL,
	 {{"2", "application/octet-stream", U, UNSCAN_TNEF}}, true, N, {NULL}, {NULL}, 0, 0},
	{"unknown binary type", NULL, b_unknown, NULL,
	 {{"2", "application/x-foo", U, UNSCAN_UNSUPPORTED_TYPE}}, true, N, {NULL}, {NULL}, 0, 0},
	{"image is not unscannable", NULL, b_png, NULL,
	 {{"2", "image/png", S, N}}, true, N, {NULL}, {NULL}, 0, 0},
	{"PDF text", NULL, b_pdf, NULL,
	 {{"2", "application/pdf", S, N}}, true, N, {"8.8.8.8"}, {NULL}, 0, 0},
	{"broken PDF", NULL, b_pdf_broken, NULL,
	 {{"2", "application/pdf", U, UNSCAN_PDF_FAILED}}, true, N, {NULL}, {NULL}, 0, 0},
	{"PDF extractor missing", NULL, b_pdf, l_no_pdftotext,
	 {{"2", "application/pdf", U, UNSCAN_PDF_FAILED}}, true, N, {NULL}, {NULL}, 0, 0},
	{"octet-stream .json sniffed as text", NULL, b_json_octet, NULL,
	 {{"2", "application/octet-stream", S, N}}, true, N, {"193.0.6.139"}, {NULL}, 0, 0},
	{".eml attachment read as a message", NULL, b_eml_attachment, NULL,
	 {{"2", "application/octet-stream", C, N}, {"2.subject", "text/plain", S, N},
	  {"2.1", "text/plain", S, N}},
	 true, N, {"inner 1.0.0.1", "body 8.8.4.4"}, {"9.9.9.9"}, 0, 0},
	{"multipart without boundaries",
	 "Subject: x\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\nlost 8.8.8.8\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", U, UNSCAN_MALFORMED_MIME}},
	 false, N, {"lost 8.8.8.8"}, {NULL}, 0, 0},
	{"message/partial",
	 "Subject: p\r\nContent-Type: message/partial; id=\"x@y\"; number=1; total=2\r\n\r\n"
	 "Subject: frag\r\n\r\nfrag 8.8.8.8\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "message/partial", U, UNSCAN_UNSUPPORTED_TYPE}},
	 false, N, {"frag 8.8.8.8"}, {NULL}, 0, 0},
	{"text/rfc822-headers: only Subject",
	 "Subject: dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nReceived: from q ([9.9.9.9])\r\n"
	 "Subject: orig 8.8.8.8\r\n\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "text/rfc822-headers", S, N}},
	 false, N, {"orig 8.8.8.8"}, {"9.9.9.9"}, 0, 0},
	{"text/rfc822-headers that are no header block are read, malformed",
	 "Subject: dsn\r\nContent-Type: text/rfc822-headers\r\n\r\nthe list\r\n"
	 "193.0.6.139,3333\r\n145.97.39.155,1103\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "text/rfc822-headers", U, UNSCAN_MALFORMED_MIME}},
	 false, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"zip members of every mode with data are read", NULL, b_zip_modes, NULL,
	 {{"2", "application/zip", C, N}, {"2!chr.csv", "text/csv", S, N},
	  {"2!blk.csv", "text/csv", S, N}, {"2!sock.csv", "text/csv", S, N},
	  {"2!fifo.csv", "text/csv", S, N}, {"2!dir.csv", "text/csv", S, N},
	  {"2!link.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139", "145.97.39.155", "130.89.1.1", "8.8.4.4"}, {NULL}, 0, 0},
	{"zip: a hidden member past the end record's count is read", NULL, b_zip_undercount, NULL,
	 {{"2", "application/zip", C, N}, {"2!a.txt", "text/plain", S, N},
	  {"2!list.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"zip64: a member whose data is not read is not scanned", NULL, b_zip64_dir, NULL,
	 {{"2", "application/zip", C, N}, {"2!a.txt", "text/plain", S, N},
	  {"2!list.csv/", "application/octet-stream", U, UNSCAN_CORRUPT_ARCHIVE}},
	 true, N, {NULL}, {NULL}, 0, 0},
	{"zip modes: the symlink and directory data too", NULL, b_zip_modes, NULL,
	 {{NULL, NULL, S, N}}, true, N, {"9.9.9.9", "1.0.0.1"}, {NULL}, 0, 0},
	{"a symlink's target in a tar is read", NULL, b_tar_symlink, NULL,
	 {{"2", "application/x-tar", C, N}, {"2!ips.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139,145.97.39.155,130.89.1.1,8.8.4.4"}, {NULL}, 0, 0},
	{"GIFAR: the zip after the GIF is walked", NULL, b_gifar, NULL,
	 {{"2", "image/gif", C, N}, {"2!list.csv", "text/csv", S, N}},
	 true, N, {"193.0.6.139,3333", "130.89.1.1"}, {NULL}, 0, 0},
	{"text after a GIF's end is read", NULL, b_gif_text_tail, NULL,
	 {{"2", "image/gif", S, N}}, true, N, {"145.97.39.155,1103"}, {NULL}, 0, 0},
	{"text after a large PNG's end inside a zip is read", NULL, b_zip_png_tail, NULL,
	 {{"2", "application/zip", C, N}, {"2!photo.png", "image/png", S, N}},
	 true, N, {"145.97.39.155,1103"}, {NULL}, 0, 0},
	{"trap: a real GIF stays clean", NULL, b_gif_clean, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "image/gif", S, N}},
	 false, N, {NULL}, {NULL}, 0, 0},
	{"LZMA stream labelled image/png", NULL, b_lzma_image, NULL,
	 {{"2", "image/png", C, N}, {"2!data", "application/octet-stream", S, N}},
	 true, N, {"145.97.39.155,1103"}, {NULL}, 0, 0},
	{"xz stream labelled audio/mpeg", NULL, b_xz_audio, NULL,
	 {{"2", "audio/mpeg", C, N}, {"2!data", "application/octet-stream", S, N}},
	 true, N, {"130.89.1.1,1133"}, {NULL}, 0, 0},
	{"OLE2 labelled image/jpeg", NULL, b_ole2_image, NULL,
	 {{"2", "image/jpeg", U, UNSCAN_OLE2}}, true, N, {NULL}, {NULL}, 0, 0},
	{"PGP/MIME the escrow key opens: its plaintext is read", NULL, b_pgp_mime_escrow, lim_escrow,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/encrypted", PART_DECRYPTED, N},
	  {"TEXT!decrypted", "message/rfc822", C, N}}, true, N, {"193.0.6.139", "145.97.39.155"},
	 {NULL}, 0, 0},
	{"PGP/MIME the escrow key does not open stays sealed", NULL, b_pgp_mime_escrow,
	 lim_escrow_fails, {{"TEXT", "multipart/encrypted", U, UNSCAN_PGP_MIME}}, true, N, {NULL},
	 {"193.0.6.139"}, 0, 0},
	{"PGP/MIME not encrypted to the escrow key stays sealed", NULL, b_pgp_mime_other, lim_escrow,
	 {{"TEXT", "multipart/encrypted", U, UNSCAN_PGP_MIME}}, true, N, {NULL}, {"193.0.6.139"}, 0,
	 0},
	{"escrow plaintext over the budget stays sealed", NULL, b_pgp_mime_escrow, lim_escrow_small,
	 {{"TEXT", "multipart/encrypted", U, UNSCAN_PGP_MIME}}, true, N, {NULL}, {"193.0.6.139"}, 0,
	 0},
	{"trap: PGP/MIME without an escrow key stays sealed", NULL, b_pgp_mime_escrow, NULL,
	 {{"TEXT", "multipart/encrypted", U, UNSCAN_PGP_MIME}}, true, N, {NULL}, {"193.0.6.139"}, 0,
	 0},
	{"an OpenPGP file the escrow key opens: read as the file it sealed", NULL,
	 b_pgp_file_escrow, lim_escrow,
	 {{"2", "application/octet-stream", PART_DECRYPTED, N},
	  {"2!decrypted", "application/octet-stream", S, N}}, true, N, {"193.0.6.139"}, {NULL}, 0, 0},
	{"inline armour the escrow key opens: the plaintext after the text", NULL, b_inline_escrow,
	 lim_escrow,
	 {{"subject", "text/plain", S, N}, {"1", "text/plain", PART_DECRYPTED, N},
	  {"1!decrypted", "text/plain", S, N}}, false, N, {"Hello", "193.0.6.139"}, {NULL}, 0, 0},
	{"two inline blocks stay sealed (GnuPG would open the first only)", NULL,
	 b_inline_escrow_two, lim_escrow, {{"1", "text/plain", U, UNSCAN_PGP_INLINE}}, true, N,
	 {"Hello"}, {"193.0.6.139"}, 0, 0},
	{"trap: inline armour without an escrow key stays sealed", NULL, b_inline_escrow, NULL,
	 {{"1", "text/plain", U, UNSCAN_PGP_INLINE}}, true, N, {"Hello"}, {"193.0.6.139"}, 0, 0},
	{"OpenPGP data labelled video/mp4", NULL, b_pgp_video, NULL,
	 {{"2", "video/mp4", U, UNSCAN_PGP_MIME}}, true, N, {NULL}, {NULL}, 0, 0},
	{"media label over bytes of no media format", NULL, b_font_mismatch, NULL,
	 {{"2", "font/woff2", U, UNSCAN_TYPE_MISMATCH}}, true, N, {NULL}, {NULL}, 0, 0},
	{"a CSV named .p7s is read", NULL, b_p7s_csv, NULL,
	 {{"2", "application/pkcs7-signature", S, N}}, true, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"trap: a real signature stays a signature", NULL, b_p7s_real, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "application/pkcs7-signature", S, N}},
	 false, N, {NULL}, {NULL}, 0, 0},
	{"bytes that only start like an OpenPGP key are no key", NULL, b_pgpkey_forged, NULL,
	 {{"2", "application/octet-stream", U, UNSCAN_UNSUPPORTED_TYPE}}, true, N, {NULL}, {NULL},
	 0, 0},
	{"trap: a whole OpenPGP key stays a key", NULL, b_pgpkey_real, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "application/pgp-keys", S, N}},
	 false, N, {NULL}, {NULL}, 0, 0},
	{"a PEM header over a CSV named .p7s is read", NULL, b_pem_csv, NULL,
	 {{"2", "application/pkcs7-signature", S, N}}, true, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"trap: a real PEM signature stays a signature", NULL, b_pem_real, NULL,
	 {{"subject", "text/plain", S, N}, {"TEXT", "multipart/mixed", C, N},
	  {"1", "text/plain", S, N}, {"2", "application/pkcs7-signature", S, N}},
	 false, N, {NULL}, {"MIIB"}, 0, 0},
	{"an attached signature labelled detached is not skipped", NULL, b_p7s_attached, NULL,
	 {{"2", "application/pkcs7-signature", U, UNSCAN_UNSUPPORTED_TYPE}}, true, N, {NULL},
	 {NULL}, 0, 0},
	{"DER around a CSV labelled a signature is not skipped", NULL, b_p7s_der_wrapped, NULL,
	 {{"2", "application/pkcs7-signature", U, UNSCAN_UNSUPPORTED_TYPE}}, true, N, {NULL},
	 {NULL}, 0, 0},
	{"labelled base64, really plain text",
	 "Subject: x\r\nContent-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "ip,asn\r\n193.0.6.139,3333\r\n145.97.39.155,1103\r\n130.89.1.1,1133\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/csv", U, UNSCAN_DECODE_FAILED}},
	 false, N, {"193.0.6.139,3333", "130.89.1.1,1133"}, {NULL}, 0, 0},
	{"trap: real base64 is no decode failure",
	 "Subject: x\r\nContent-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "aXAsYXNuCjE5My4wLjYuMTM5LDMzMzMKMTQ1Ljk3LjM5LjE1NSwxMTAzCjguOC44LjgsMTUxNjkK\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/csv", S, N}},
	 false, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	/* decoded in one pass (gaps of 8 blanks), yet more skipped than line
	 * ends explain: the blanks make the walker ask all the same */
	{"plain base64 with wide blank gaps is still looked at",
	 "Subject: x\r\nContent-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "aXAs        YXNu        CjE5        My4w        LjYu        MTM5        LDMz        MzMK\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/csv", U, UNSCAN_DECODE_FAILED}},
	 false, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"base64 blob in a 7bit part", NULL, b_b64_in_7bit, NULL,
	 {{"1", "text/plain", S, N}, {"1!base64@13", "application/octet-stream", S, N}},
	 true, N, {"193.0.6.139,3333\n145.97.39.155,1103"}, {NULL}, 0, 0},
	{"docx: embedded xlsx, pivot and chart caches, own part names", NULL, b_docx_embedded, NULL,
	 {{"2", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", S, N},
	  {"2!word/embeddings/Microsoft_Excel_Worksheet.xlsx",
	   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", S, N},
	  {"2!word/media/image1.gif", "image/gif", S, N},
	  {"2!word/printerSettings/printerSettings1.bin", "application/octet-stream", S, N}},
	 true, N, {"193.0.6.139", "145.97.39.155", "130.89.1.1", "8.8.4.4"}, {NULL}, 0, 0},
	{"docx: external link targets, custom XML, document properties", NULL, b_docx_embedded,
	 NULL, {{NULL, NULL, S, N}}, true, N,
	 {"http://9.9.9.9/x", "193.0.6.139\n145.97.39.155\n", "130.89.1.1\n"}, {NULL}, 0, 0},
	{"PDF: text and an embedded file", NULL, b_pdf_attached, NULL,
	 {{"2", "application/pdf", S, N}, {"2!list.csv", "text/csv", S, N}},
	 true, N, {"8.8.8.8", "193.0.6.139,3333", "130.89.1.1,1133"}, {NULL}, 0, 0},
	{"RTF table split over groups", NULL, b_rtf_table, NULL,
	 {{"2", "application/rtf", S, N}}, true, N,
	 {"193.0.6.139\t145.97.39.155\t\n", "130.89.1.1\t8.8.4.4"}, {"1.2.3.4", "5.6.7.8", "9.9.9.9"},
	 0, 0},
	{"RTF: an embedded package's zip is walked", NULL, b_rtf_object, NULL,
	 {{"2", "application/rtf", S, N}, {"2!object1", "application/octet-stream", C, N},
	  {"2!object1!list.csv", "text/csv", S, N}},
	 true, N, {"see the object", "130.89.1.1,1133"}, {"Package"}, 0, 0},
	{"RTF: an object's data as \\bin bytes is walked", NULL, b_rtf_object_bin, NULL,
	 {{"2", "application/rtf", S, N}, {"2!object1", "application/octet-stream", C, N},
	  {"2!object1!list.csv", "text/csv", S, N}},
	 true, N, {"see the object", "130.89.1.1,1133"}, {"Package"}, 0, 0},
	{"RTF: an embedded OLE2 object is ole2", NULL, b_rtf_ole2, NULL,
	 {{"2", "text/rtf", S, N}, {"2!object1", "application/octet-stream", U, UNSCAN_OLE2}},
	 true, N, {NULL}, {NULL}, 0, 0},
	{"Subject: several base64 words with padding",
	 "Subject: =?utf-8?B?MTkzLjAuNi4xMzksIA==?= =?utf-8?B?OC44LjguOCwg?=\r\n"
	 " =?utf-8?B?MTQ1Ljk3LjM5LjE1NQ==?= and =?utf-8?B?bGlzdCAxLjEuMS4xLA==OS45LjkuOQ==?=\r\n\r\nb\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N}},
	 false, N, {"193.0.6.139, 8.8.8.8, 145.97.39.155 and list 1.1.1.1,9.9.9.9"}, {NULL}, 0, 0},
	{"Subject: Q words and plain text kept",
	 "Subject: list =?iso-8859-1?Q?=E9_193=2E0=2E6=2E139?= end\r\n\r\nb\r\n",
	 NULL, NULL, {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N}},
	 false, N, {"list \xc3\xa9 193.0.6.139 end"}, {NULL}, 0, 0},
	{"two Content-Types: the hidden multipart is read too",
	 "Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"h\"\r\n"
	 "Content-Type: text/plain\r\n\r\n--h\r\nContent-Type: text/plain\r\n\r\nhello\r\n--h\r\n"
	 "Content-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
	 "aXAsYXNuCjE5My4wLjYuMTM5LDMzMzMKMTQ1Ljk3LjM5LjE1NSwxMTAzCjEzMC44OS4xLjEsMTEzMwo=\r\n--h--\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "text/plain", S, N},
	  {"1~1", "multipart/mixed", C, N}, {"1~1.1", "text/plain", S, N},
	  {"1~1.2", "text/csv", S, N}},
	 false, N, {"193.0.6.139,3333\n145.97.39.155,1103"}, {NULL}, 0, 0},
	{"two Content-Types in a nested part, GMime's multipart last",
	 "Subject: x\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
	 "Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n--i\r\n"
	 "Content-Type: text/plain\r\n\r\nin 8.8.4.4\r\n--i--\r\n--o--\r\n",
	 NULL, NULL,
	 {{"1", "multipart/mixed", C, N}, {"1.1", "text/plain", S, N},
	  {"1~1", "text/plain", S, N}},
	 true, N, {"in 8.8.4.4", "--i--"}, {NULL}, 0, 0},
	{"two Content-Transfer-Encodings: read both ways",
	 "Subject: x\r\nContent-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n"
	 "Content-Transfer-Encoding: 7bit\r\n\r\naXAsYXNuCjE5My4wLjYuMTM5LDMzMzMKMTQ1Ljk3LjM5LjE1NSwxMTAzCjEzMC44OS4xLjEsMTEzMwo=\r\n",
	 NULL, NULL,
	 {{"subject", "text/plain", S, N}, {"1", "text/csv", S, N}, {"1~1", "text/csv", S, N}},
	 false, N, {"193.0.6.139,3333", "aXAsYXNuCjE5My4wLjYu"}, {NULL}, 0, 0},
	{"OLE2 .xls: every cell of the sheet", NULL, b_xls25, NULL,
	 {{"2", "application/vnd.ms-excel", C, N}, {"2!Workbook", "text/plain", S, N},
	  {"2!?SummaryInformation", "application/octet-stream", S, N}},
	 true, N, {"193.0.6.139\t0\t3.5\n145.97.39.155\t10\t3.5", "46.51.197.88\t240\t3.5", "178.79.242.13"},
	 {NULL}, 0, 0},
	{"OLE2 .xls without addresses is read, not unscannable", NULL, b_xls_clean, NULL,
	 {{"2", "application/vnd.ms-excel", C, N}, {"2!Workbook", "text/plain", S, N}},
	 true, N, {"Quarter\t0", "Version 4.6.0.1 notes"}, {NULL}, 0, 0},
	{"OLE2 .xls with FILEPASS is encrypted", NULL, b_xls_encrypted, NULL,
	 {{"2", "application/vnd.ms-excel", U, UNSCAN_ENCRYPTED_ARCHIVE}}, true, N, {NULL},
	 {"193.0.6.139"}, 0, 0},
	{"OLE2 .doc: text through the piece table", NULL, b_doc_list, NULL,
	 {{"2", "application/msword", C, N}, {"2!1Table", "application/octet-stream", S, N},
	  {"2!WordDocument", "text/plain", S, N}},
	 true, N, {"Blocked hosts\n193.0.6.139\n145.97.39.155\n", "91.198.174.192\n185.15.59.224\n",
		   "table:\n193.0.6.139\n145.97.39.155\n"}, {NULL}, 0, 0},
	{"OLE2 .doc with fEncrypted", NULL, b_doc_encrypted, NULL,
	 {{"2", "application/msword", U, UNSCAN_ENCRYPTED_ARCHIVE}}, true, N, {NULL}, {NULL}, 0, 0},
	{"OLE2 .ppt: text atoms", NULL, b_ppt, NULL,
	 {{"2", "application/vnd.ms-powerpoint", C, N},
	  {"2!PowerPoint Document", "text/plain", S, N}},
	 true, N, {"Sources of the attack\n193.0.6.139\n145.97.39.155\n130.89.1.1"}, {NULL}, 0, 0},
	{"OLE2 .doc: embedded workbook and packaged CSV", NULL, b_doc_objects, NULL,
	 {{"2!ObjectPool/Workbook", "text/plain", S, N},
	  {"2!ObjectPool/?Ole10Native", "application/octet-stream", S, N}},
	 true, N, {"see the objects", "104.16.132.229\t0", "140.82.121.3\t10", "193.0.6.139,3333"},
	 {NULL}, 0, 0},
{"docm: the VBA project is read and passes clean", NULL, b_docm_vba, NULL,
	 {{"2", "application/vnd.ms-word.document.macroenabled.12", S, N},
	  {"2!word/vbaProject.bin", "application/octet-stream", C, N},
	  {"2!word/vbaProject.bin!VBA/dir", "application/octet-stream", S, N},
	  {"2!word/vbaProject.bin!VBA/_VBA_PROJECT", "application/octet-stream", S, N},
	  {"2!word/vbaProject.bin!PROJECT", "application/octet-stream", S, N}},
	 true, N, {"quarterly figures", "Name=\"Project\""}, {NULL}, 0, 0},
	{"OLE2 that libgsf cannot open is ole2", NULL, b_ole2_corrupt, NULL,
	 {{"2", "application/vnd.ms-excel", U, UNSCAN_OLE2}}, true, N, {NULL}, {NULL}, 0, 0},
	{"OLE2 Workbook stream that is no BIFF is ole2", NULL, b_xls_bad_stream, NULL,
	 {{"2", "application/vnd.ms-excel", C, N}, {"2!Workbook", "application/octet-stream", U, UNSCAN_OLE2}},
	 true, N, {NULL}, {NULL}, 0, 0},
	{"TNEF: subject, RTF body, CSV attachment", NULL, b_tnef_csv, NULL,
	 {{"2", "application/ms-tnef", C, N}, {"2!subject", "text/plain", S, N},
	  {"2!body.rtf", "text/rtf", S, N}, {"2!incident.csv", "application/octet-stream", S, N}},
	 true, N, {"weekly list", "Please block 80.67.169.12", "193.0.6.139,3333\n145.97.39.155,1103"},
	 {NULL}, 0, 0},
	{"TNEF: a zip and a legacy workbook inside", NULL, b_tnef_nested, NULL,
	 {{"2", "application/vnd.ms-tnef", C, N}, {"2!lists.zip", "application/octet-stream", C, N},
	  {"2!lists.zip!list.csv", "text/csv", S, N}, {"2!old.xls", "application/octet-stream", C, N},
	  {"2!old.xls!Workbook", "text/plain", S, N}},
	 true, N, {"130.89.1.1,1133", "178.79.242.13\t0", "46.51.197.88\t40", "as is: 212.27.48.10"},
	 {NULL}, 0, 0},
	{"TNEF label over a CSV: the bytes decide", NULL, b_tnef_label_csv, NULL,
	 {{"2", "application/ms-tnef", S, N}}, true, N, {"193.0.6.139,3333"}, {NULL}, 0, 0},
	{"OLE2 with more streams than allowed", NULL, b_ole2_many, NULL,
	 {{"2", "application/octet-stream", U, UNSCAN_LIMIT_ENTRIES}}, true, N, {NULL}, {NULL}, 0, 0},
	{"TNEF: MAPI body, UTF-16 name, embedded object", NULL, b_tnef_props, NULL,
	 {{"2", "application/ms-tnef", C, N}, {"2!body.txt", "text/plain", S, N},
	  {"2!list.csv", "application/octet-stream", S, N}},
	 true, N, {"Blocked today:\r\n91.198.174.192\r\n185.15.59.224", "ip,asn\n193.0.6.139,3333"},
	 {"IIDIIDIIDIIDIIDI"}, 0, 0},
	{"TNEF: a property list that does not parse is tnef", NULL, b_tnef_bad_props, NULL,
	 {{"2", "application/ms-tnef", U, UNSCAN_TNEF}}, true, N, {NULL}, {"91.198.174.192"}, 0, 0},
	{"OLE2 stream names without case", NULL, b_xls_upper, NULL,
	 {{"2", "application/vnd.ms-excel", C, N}, {"2!WORKBOOK", "text/plain", S, N}},
	 true, N, {"212.27.48.10\t0", "91.198.174.192\t20"}, {NULL}, 0, 0},
	{"OLE2 .msg: UTF-16 subject, compressed RTF body, attachment", NULL, b_msg, NULL,
	 {{"2!__substg1.0_0037001F", "text/plain", S, N},
	  {"2!__substg1.0_10090102", "application/octet-stream", S, N}},
	 true, N, {"8.8.4.4\n", "block 80.67.169.12", "193.0.6.139,3333"}, {NULL}, 0, 0},
	{"handler stop", "Subject: a\r\n\r\nbody\r\n", NULL, NULL,
	 {{"subject", "text/plain", S, N}}, false, N, {"a"}, {"body"}, 7, 7},
	{"not a message at all", "just some text 8.8.8.8 without headers\n", NULL, NULL,
	 {{"1", "text/plain", U, UNSCAN_MALFORMED_MIME}}, false, N, {"8.8.8.8"}, {NULL}, 0, 0},
};

static void check_parts(const struct walk_case *c, const struct findings *f)
{
	size_t n = findings_part_count(f), k = 0, i = 0;
	for (; c->parts[i].path != NULL; i++) {
		const struct want *w = &c->parts[i];
		const struct finding_part *p = NULL;
		for (; k < n; k++) {
			p = findings_part(f, k);
			if (!c->some_parts || strcmp(p->path, w->path) == 0)
				break;
		}
		if (k == n) {
			for (size_t j = 0; j < n; j++)
				print_message("  part %s %s %s\n", findings_part(f, j)->path,
					      findings_part(f, j)->type,
					      part_status_name(findings_part(f, j)->status));
			fail_msg("%s: part %s missing (%zu parts)", c->name, w->path, n);
		}
		assert_str_eq_msg(c->name, p->path, w->path);
		assert_str_eq_msg(c->name, p->type, w->type);
		assert_str_eq_msg(c->name, part_status_name(p->status), part_status_name(w->st));
		assert_str_eq_msg(c->name, unscan_reason_name(p->reason), unscan_reason_name(w->r));
		k++;
	}
	if (!c->some_parts)
		assert_int_eq_msg(c->name, n, i);
}

static void run_case(const struct walk_case *c)
{
	struct walk_limits lim;
	walk_limits_default(&lim);
	if (c->limits != NULL)
		c->limits(&lim);
	size_t len = 0;
	char *msg = c->raw ? g_strdup(c->raw) : c->build(&len);
	if (c->raw)
		len = strlen(msg);
	struct findings *f = findings_alloc();
	struct collect col = {.text = g_string_new(NULL), .stop_rc = c->stop_rc};
	int rc = walk_message(msg, len, &lim, f, &collector, &col);
	assert_int_eq_msg(c->name, rc, c->want_rc);
	if (col.open)
		fail_msg("%s: stream left open", c->name);
	check_parts(c, f);
	assert_str_eq_msg(c->name, unscan_reason_name(findings_message_reason(f)),
			  unscan_reason_name(c->msg_reason));
	if (!g_utf8_validate(col.text->str, (gssize)col.text->len, NULL))
		fail_msg("%s: handler got invalid UTF-8", c->name);
	for (size_t i = 0; i < 4 && c->has[i]; i++)
		if (strstr(col.text->str, c->has[i]) == NULL)
			fail_msg("%s: text lacks \"%s\"; got \"%s\"", c->name, c->has[i], col.text->str);
	for (size_t i = 0; i < 3 && c->hasnt[i]; i++)
		if (strstr(col.text->str, c->hasnt[i]) != NULL)
			fail_msg("%s: text has \"%s\"; got \"%s\"", c->name, c->hasnt[i], col.text->str);
	g_string_free(col.text, TRUE);
	findings_free(f);
	g_free(msg);
}

/* The document readers alone, on streams that lie. */
static GString *xls_bomb(void)
{
	GString *s = g_string_new(NULL), *sst = g_string_new(NULL);
	fx_bof(s, 0x0005);
	fx_u32(sst, 1);
	fx_u32(sst, 1);
	fx_u16(sst, 8000);
	g_string_append_c(sst, 0);
	for (int i = 0; i < 8000; i++)
		g_string_append_c(sst, 'x');
	fx_rec(s, 0x00fc, sst->str, sst->len);
	for (unsigned i = 0; i < 20000; i++)
		fx_rec(s, 0x00fd, "\x01\x00\x00\x00\x0f\x00\x00\x00\x00\x00", 10);
	g_string_free(sst, TRUE);
	return s;
}

static void test_ole2_readers(void **state)
{
	(void)state;
	GString *out = g_string_new(NULL);
	/* A workbook whose cells repeat one long shared string. */
	GString *bomb = xls_bomb();
	assert_int_equal(ole2_xls_text((const unsigned char *)bomb->str, bomb->len, out), OLE2_TOO_MANY);
	assert_true(out->len <= OLE2_TEXT_RATIO * bomb->len + 65536 + 8000 * 3);
	g_string_free(bomb, TRUE);
	/* No BOF, a record past the end, an SST announcing more than it holds. */
	g_string_truncate(out, 0);
	assert_int_equal(ole2_xls_text((const unsigned char *)"\x0a\x00\x00\x00", 4, out), OLE2_CORRUPT);
	assert_int_equal(ole2_xls_text((const unsigned char *)"\x09\x08\x10\x00\x00\x06", 6, out),
			 OLE2_CORRUPT);
	GString *wb = fx_biff8(addr25, 25, false);
	for (size_t cut = 0; cut < wb->len; cut += 7) {
		g_string_truncate(out, 0);
		enum ole2_status st = ole2_xls_text((const unsigned char *)wb->str, cut, out);
		assert_true(st == OLE2_OK || st == OLE2_CORRUPT);
	}
	g_string_free(wb, TRUE);
	/* Word: pieces that repeat the stream's text, pieces past its end. */
	GString *doc, *tbl;
	fx_word("193.0.6.139\r145.97.39.155\r", false, &doc, &tbl);
	unsigned char *t = (unsigned char *)tbl->str;
	g_string_truncate(out, 0);
	assert_int_equal(ole2_doc_text((unsigned char *)doc->str, doc->len, t, tbl->len, NULL, 0, out),
			 OLE2_OK);
	assert_string_equal(out->str, "193.0.6.139\n145.97.39.155\n");
	assert_int_equal(ole2_doc_text((unsigned char *)doc->str, doc->len, NULL, 0, t, tbl->len, out),
			 OLE2_CORRUPT);	/* fWhichTblStm names 1Table */
	t[18] = 0xff, t[19] = 0xff, t[20] = 0xff, t[21] = 0x3f;	/* the last piece ends far out */
	assert_int_equal(ole2_doc_text((unsigned char *)doc->str, doc->len, t, tbl->len, NULL, 0, out),
			 OLE2_CORRUPT);
	g_string_free(doc, TRUE);
	g_string_free(tbl, TRUE);
	/* PowerPoint: a first atom longer than the stream; an encrypted deck. */
	g_string_truncate(out, 0);
	assert_int_equal(ole2_ppt_text((const unsigned char *)"\x00\x00\xa0\x0f\xff\x00\x00\x00ab", 10, out),
			 OLE2_CORRUPT);
	assert_int_equal(ole2_ppt_text((const unsigned char *)"\x0f\x00\x14\x2f\x00\x00\x00\x00", 8, out),
			 OLE2_ENCRYPTED);
	g_string_free(out, TRUE);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);
}

/* The escrow key's decryption gives up (gpg-agent hung): the findings
 * say so as temporary (the milter tempfails), with its reason, and the
 * second sealed file of the message is not tried (it would wait as
 * long); a failure that stays (not the escrow key's) is counted but not
 * temporary. */
static void test_escrow_gives_up(void **state)
{
	(void)state;
	static const struct walk_escrow times_out = {&escrow_id, 1, escrow_open_times_out, NULL};
	static const struct walk_escrow key_gone = {&escrow_id, 1, escrow_key_gone, NULL};
	static const struct {
		const char *name;
		const struct walk_escrow *e;
		unsigned seconds;	/* ScanTimeout */
		unsigned calls, failed;
		bool temporary;
		const char *why;
	} rows[] = {
		{"agent hung", &times_out, 60, 1, 1, true, "timeout"},
		{"escrow secret key gone", &key_gone, 60, 1, 1, true, "key-unavailable"},
		{"not the escrow key's", &escrow_bad, 60, 0, 2, false, "not-for-escrow-key"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct walk_limits lim;
		walk_limits_default(&lim);
		lim.escrow = rows[i].e;
		lim.max_seconds = rows[i].seconds;
		size_t len;
		char *msg = b_pgp_files_escrow_two(&len);
		struct findings *f = findings_alloc();
		struct collect col = {.text = g_string_new(NULL)};
		escrow_timeouts = 0;
		assert_int_eq_msg(rows[i].name, walk_message(msg, len, &lim, f, &collector, &col), 0);
		const char *why;
		bool temporary;
		assert_int_eq_msg(rows[i].name, findings_decrypt_failures(f, &why, &temporary),
				  rows[i].failed);
		assert_int_eq_msg(rows[i].name, temporary, rows[i].temporary);
		assert_str_eq_msg(rows[i].name, why, rows[i].why);
		if (rows[i].e == &times_out)
			assert_int_eq_msg(rows[i].name, escrow_timeouts, rows[i].calls);
		assert_int_eq_msg(rows[i].name, findings_decrypted_count(f), 0);
		g_string_free(col.text, TRUE);
		findings_free(f);
		g_free(msg);
	}
}

static void test_limits_default(void **state)
{
	(void)state;
	struct walk_limits l;
	walk_limits_default(&l);
	/* The defaults of include/grondslag/config/config_keys.def. */
	assert_int_eq_msg("MaxMessageSize", l.max_message_bytes, 50ull << 20);
	assert_int_eq_msg("MaxParts", l.max_parts, 1000);
	assert_int_eq_msg("MaxDepth", l.max_depth, 12);
	assert_int_eq_msg("MaxArchiveEntries", l.max_archive_entries, 10000);
	assert_int_eq_msg("MaxExpansionRatio", l.max_expansion_ratio, 100);
	assert_int_eq_msg("MaxExpandedSize", l.max_expanded_bytes, 500ull << 20);
	assert_int_eq_msg("ScanTimeout", l.max_seconds, 60);
	assert_int_eq_msg("PdfTimeout", l.pdf_seconds, 10);
	assert_int_eq_msg("PdfMaxMemory", l.pdf_max_memory, 512ull << 20);
	assert_str_eq_msg("PdfToText", l.pdftotext, "/usr/bin/pdftotext");
}

/* The armour line is found wherever the chunks cut it. */
static void test_pgp_inline_chunks(void **state)
{
	(void)state;
	static const char text[] = "intro\n-----BEGIN PGP MESSAGE-----\nhQEMA\n";
	static const char clear[] = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: x\n\n8.8.8.8\n"
				    "-----BEGIN PGP SIGNATURE-----\n";
	for (size_t cut = 0; cut <= sizeof text - 1; cut++) {
		for (size_t step = 1; step <= 3; step++) {
			struct pgp_inline s;
			pgp_inline_init(&s);
			bool found = pgp_inline_update(&s, text, cut);
			for (size_t i = cut; i < sizeof text - 1; i += step)
				found = pgp_inline_update(&s, text + i,
							  i + step > sizeof text - 1 ? sizeof text - 1 - i : step);
			char row[64];
			snprintf(row, sizeof row, "cut %zu step %zu", cut, step);
			assert_int_eq_msg(row, found, 1);
		}
	}
	struct pgp_inline s;
	pgp_inline_init(&s);
	assert_int_eq_msg("clear-signed", pgp_inline_update(&s, clear, sizeof clear - 1), 0);
}

/* In one long chunk (read in blocks) the armour line is found at every
 * place around a block's edge, the end of the chunk included, after
 * dashes or other text, and its look-alikes are not: other armour, a cut
 * line, "-----B" of separators. */
static void test_pgp_inline_blocks(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		bool want;
	} rows[] = {
		{"-----BEGIN PGP MESSAGE-----", true},
		{"-----BEGIN PGP SIGNED MESSAGE-----", false},
		{"-----BEGIN PGP MESSAGE----", false},
		{"-----BEGIN PGP MESSAGE-----BEGIN PGP MESSAGE-----", true},
		{"------BEGIN PGP MESSAGE-----", true},
		{"-----Beginning-----BEGIN PGP MESSAGE", false},
		{"-----BEGIN pgp MESSAGE-----", false},
	};
	char buf[300];
	for (size_t r = 0; r < 2 * (sizeof rows / sizeof rows[0]); r++) {
		const char *line = rows[r / 2].line;
		size_t ll = strlen(line);
		for (size_t at = 0; at + ll <= sizeof buf; at++) {
			/* separators: dashes, never "-----B"; or text */
			memset(buf, r % 2 ? 'x' : '-', at);
			memcpy(buf + at, line, ll);
			memset(buf + at + ll, 'x', sizeof buf - at - ll);
			for (size_t end = at + ll; end <= sizeof buf; end += end - at - ll < 40 ? 1 : 37) {
				struct pgp_inline s;
				pgp_inline_init(&s);
				char row[96];
				snprintf(row, sizeof row, "%s at %zu of %zu after %c", line, at, end,
					 r % 2 ? 'x' : '-');
				assert_int_eq_msg(row, pgp_inline_update(&s, buf, end), rows[r / 2].want);
			}
		}
	}
}

/* The armour tests through each search loop this processor has
 * (AVX-512, AVX2, memmem()): what is found never depends on it. */
static void test_pgp_inline_paths(void **state)
{
	static const int paths[] = {PGP_PATH_AVX512, PGP_PATH_AVX2, PGP_PATH_BYTES};
	int tried = 0;
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
		if (!pgp_armor_path(paths[k]))
			continue;
		tried++;
		test_pgp_inline_chunks(state);
		test_pgp_inline_blocks(state);
	}
	assert_true(pgp_armor_path(PGP_PATH_BEST));
	assert_true(tried >= 2);	/* memmem() and one vector loop at least */
}

static void test_pgp_classify(void **state)
{
	(void)state;
	static const struct {
		const char *type, *protocol, *smime, *name;
		bool text;
		enum pgp_kind want;
	} rows[] = {
		{"multipart/encrypted", "application/pgp-encrypted", NULL, NULL, false,
		 PGP_KIND_PGP_ENCRYPTED},
		{"multipart/encrypted", "application/pkcs7-mime", NULL, NULL, false,
		 PGP_KIND_SMIME_SEALED},
		{"application/pgp-encrypted", NULL, NULL, NULL, true, PGP_KIND_PGP_ENCRYPTED},
		{"application/pkcs7-mime", NULL, "enveloped-data", NULL, false, PGP_KIND_SMIME_SEALED},
		{"application/x-pkcs7-mime", NULL, "signed-data", NULL, false, PGP_KIND_SMIME_SEALED},
		{"application/pkcs7-mime", NULL, "certs-only", NULL, false, PGP_KIND_NOT_CONTENT},
		{"application/pkcs7-signature", NULL, NULL, "smime.p7s", false, PGP_KIND_NOT_CONTENT},
		{"application/pgp-signature", NULL, NULL, NULL, true, PGP_KIND_NOT_CONTENT},
		{"application/ms-tnef", NULL, NULL, NULL, false, PGP_KIND_TNEF},
		{"application/octet-stream", NULL, NULL, "WINMAIL.DAT", false, PGP_KIND_TNEF},
		{"application/octet-stream", NULL, NULL, "smime.p7m", false, PGP_KIND_SMIME_SEALED},
		{"application/octet-stream", NULL, NULL, "list.csv.gpg", false, PGP_KIND_PGP_ENCRYPTED},
		{"application/octet-stream", NULL, NULL, "list.csv.gpg", true, PGP_KIND_NONE},
		{"text/plain", NULL, NULL, "list.csv", true, PGP_KIND_NONE},
		{NULL, NULL, NULL, NULL, false, PGP_KIND_NONE},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char row[96];
		snprintf(row, sizeof row, "%s %s", rows[i].type ? rows[i].type : "(null)",
			 rows[i].name ? rows[i].name : "");
		assert_int_eq_msg(row, pgp_classify(rows[i].type, rows[i].protocol, rows[i].smime,
						    rows[i].name, rows[i].text), rows[i].want);
	}
	assert_int_eq_msg("tnef magic", pgp_tnef_magic("\x78\x9f\x3e\x22", 4), 1);
	assert_int_eq_msg("no tnef magic", pgp_tnef_magic("\x78\x9f", 2), 0);
}

/* A PDF extractor that burns CPU: RLIMIT_CPU ends it, reason limit-time. */
static void test_pdf_cpu_limit(void **state)
{
	(void)state;
	char script[] = "/tmp/grondslag-test-pdfXXXXXX";
	int fd = mkstemp(script);
	assert_true(fd >= 0);
	static const char body[] = "#!/bin/sh\nwhile :; do :; done\n";
	assert_int_equal(write(fd, body, sizeof body - 1), (ssize_t)(sizeof body - 1));
	close(fd);
	assert_int_equal(chmod(script, 0700), 0);
	struct walk_limits lim;
	walk_limits_default(&lim);
	lim.pdftotext = script;
	lim.pdf_seconds = 1;
	size_t len;
	char *msg = b_pdf(&len);
	struct findings *f = findings_alloc();
	struct collect col = {.text = g_string_new(NULL)};
	assert_int_equal(walk_message(msg, len, &lim, f, &collector, &col), 0);
	unlink(script);
	const struct finding_part *p = findings_part(f, 3);
	assert_non_null(p);
	assert_str_eq_msg("busy extractor", p->path, "2");
	assert_str_eq_msg("busy extractor", unscan_reason_name(p->reason), "limit-time");
	g_string_free(col.text, TRUE);
	findings_free(f);
	g_free(msg);
}

/* Several walks at once (the milter is threaded), a legacy workbook among
 * the attachments: same results in each. */
struct thread_arg {
	const char *msg;
	size_t len;
	int bad;
};

static void *walk_thread(void *p)
{
	struct thread_arg *ta = p;
	struct walk_limits lim;
	walk_limits_default(&lim);
	for (int i = 0; i < 20; i++) {
		struct findings *f = findings_alloc();
		struct collect col = {.text = g_string_new(NULL)};
		if (walk_message(ta->msg, ta->len, &lim, f, &collector, &col) != 0 ||
		    findings_part_count(f) != 8 || strstr(col.text->str, "193.0.6.139,NL") == NULL ||
		    strstr(col.text->str, "Caf\xc3\xa9 1.1.1.1") == NULL ||
		    strstr(col.text->str, "145.97.39.155\t10") == NULL)
			ta->bad++;
		g_string_free(col.text, TRUE);
		findings_free(f);
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	struct mem m[] = {{"be.csv", csv, sizeof csv - 1}};
	size_t zl, len;
	unsigned char *z = fixture_archive("zip", NULL, NULL, NULL, m, 1, &zl);
	GString *wb = fx_biff8(addr25, 3, false);
	struct olem om[] = {{"Workbook", wb->str, wb->len}};
	size_t xl;
	unsigned char *x = fx_ole2(om, 1, &xl);
	struct att a[] = {{"application/zip", "l.zip", z, zl},
			  {"text/plain; charset=iso-8859-1", "c.txt", "Caf\xe9 1.1.1.1", 12},
			  {"application/vnd.ms-excel", "w.xls", x, xl}};
	char *msg = build_mixed("threads", a, 3, &len);
	g_string_free(wb, TRUE);
	g_free(x);
	struct thread_arg ta[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		ta[i] = (struct thread_arg){msg, len, 0};
		assert_int_equal(pthread_create(&th[i], NULL, walk_thread, &ta[i]), 0);
	}
	int joined = 0, bad = 0;
	for (int i = 0; i < 4; i++) {	/* join all before any assertion */
		joined += pthread_join(th[i], NULL) == 0;
		bad += ta[i].bad;
	}
	free(z);
	g_free(msg);
	assert_int_eq_msg("threads joined", joined, 4);
	assert_int_eq_msg("thread walks that went wrong", bad, 0);
}

/* Error paths of the entry point itself. */
static void test_bad_arguments(void **state)
{
	(void)state;
	struct findings *f = findings_alloc();
	assert_int_eq_msg("no handler", walk_message("Subject: x\r\n\r\n", 14, NULL, f, NULL, NULL),
			  -1);
	assert_str_eq_msg("no handler", unscan_reason_name(findings_message_reason(f)),
			  "internal-error");
	findings_free(f);
	f = findings_alloc();
	struct collect col = {.text = g_string_new(NULL)};
	assert_int_eq_msg("empty", walk_message("", 0, NULL, f, &collector, &col), 0);
	assert_int_eq_msg("empty parts", findings_part_count(f), 0);
	g_string_free(col.text, TRUE);
	findings_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_ole2_readers),
		cmocka_unit_test(test_limits_default),
		cmocka_unit_test(test_escrow_gives_up),
		cmocka_unit_test(test_pgp_inline_paths),
		cmocka_unit_test(test_pgp_classify),
		cmocka_unit_test(test_pdf_cpu_limit),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_bad_arguments),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	g_mime_shutdown();
	return rc;
}
