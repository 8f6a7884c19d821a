/*
 * mkseeds_ole2.c - write the seeds of fuzz_ole2 (bare compound files,
 * streams and TNEF) and the OLE2/TNEF messages among fuzz_walk's seeds,
 * with the builders the unit tests use (tests/unit/fixture_ole2.h).  Not
 * built by make; run from the repository root:
 *   cc -std=c11 -D_GNU_SOURCE -Iinclude -Itests/unit $(pkg-config --cflags libgsf-1) \
 *      tests/fuzz/mkseeds_ole2.c $(pkg-config --libs libgsf-1) -o /tmp/mkseeds_ole2 &&
 *   /tmp/mkseeds_ole2
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture_ole2.h"

static const char *const ips[] = {"193.0.6.139", "145.97.39.155", "130.89.1.1", "8.8.4.4",
				  "80.67.169.12", "212.27.48.10"};
static const char csv[] = "ip,asn\n193.0.6.139,3333\n145.97.39.155,1103\n130.89.1.1,1133\n";

static void put(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(d, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* A message with the bytes as one base64 attachment. */
static void put_msg(const char *path, const char *ctype, const char *name, const void *d, size_t n)
{
	gchar *b64 = g_base64_encode(d, n);
	GString *s = g_string_new(NULL);
	g_string_append_printf(s, "From: a@example.org\r\nSubject: seed\r\nMIME-Version: 1.0\r\n"
			       "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
			       "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\n"
			       "Content-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
			       "Content-Transfer-Encoding: base64\r\n\r\n", ctype, name);
	for (size_t k = 0; k < strlen(b64); k += 76)
		g_string_append_printf(s, "%.76s\r\n", b64 + k);
	g_string_append(s, "--b--\r\n");
	put(path, s->str, s->len);
	g_string_free(s, TRUE);
	g_free(b64);
}

int main(void)
{
	size_t n;
	GString *wb = fx_biff8(ips, 6, false), *wbx = fx_biff8(ips, 2, true);
	GString *doc, *tbl;
	fx_word("Blocked\r193.0.6.139\r\a145.97.39.155\a\a", false, &doc, &tbl);
	static const char *const lines[] = {"Sources", "193.0.6.139"};
	GString *ppt = fx_ppt(lines, 2, "145.97.39.155");
	GString *c = g_string_new(csv);
	const char *names[] = {"list.csv"};
	const GString *datas[] = {c};

	struct olem xm[] = {{"Workbook", wb->str, wb->len}};
	unsigned char *xls = fx_ole2(xm, 1, &n);
	put("tests/fuzz/seeds/ole2/xls.bin", xls, n);
	put_msg("tests/fuzz/seeds/walk/xls.eml", "application/vnd.ms-excel", "a.xls", xls, n);
	GString *x2 = g_string_new_len((const char *)xls, (gssize)n);
	const GString *d2[] = {c, x2};
	const char *n2[] = {"list.csv", "old.xls"};
	g_free(xls);

	struct olem em[] = {{"Workbook", wbx->str, wbx->len}};
	unsigned char *enc = fx_ole2(em, 1, &n);
	put("tests/fuzz/seeds/ole2/xls-filepass.bin", enc, n);
	g_free(enc);

	struct olem dm[] = {{"1Table", tbl->str, tbl->len}, {"WordDocument", doc->str, doc->len},
			    {"ObjectPool/Workbook", wb->str, wb->len}};
	unsigned char *d = fx_ole2(dm, 3, &n);
	put("tests/fuzz/seeds/ole2/doc.bin", d, n);
	put_msg("tests/fuzz/seeds/walk/doc.eml", "application/msword", "a.doc", d, n);
	g_free(d);

	struct olem pm[] = {{"PowerPoint Document", ppt->str, ppt->len}};
	unsigned char *p = fx_ole2(pm, 1, &n);
	put("tests/fuzz/seeds/ole2/ppt.bin", p, n);
	put_msg("tests/fuzz/seeds/walk/ppt.eml", "application/vnd.ms-powerpoint", "a.ppt", p, n);
	g_free(p);

	put("tests/fuzz/seeds/ole2/biff8.stream", wb->str, wb->len);
	put("tests/fuzz/seeds/ole2/ppt.stream", ppt->str, ppt->len);

	GString *t = fx_tnef("seed", "{\\rtf1\\ansi\\mac\\deff0 block 193.0.6.139\\par}", true, names, datas, 1);
	put("tests/fuzz/seeds/ole2/tnef-lzfu.bin", t->str, t->len);
	put_msg("tests/fuzz/seeds/walk/tnefcsv.eml", "application/ms-tnef", "winmail.dat", t->str, t->len);
	g_string_free(t, TRUE);
	t = fx_tnef("seed", "{\\rtf1 stored}", false, n2, d2, 2);
	put("tests/fuzz/seeds/ole2/tnef-mela.bin", t->str, t->len);
	put_msg("tests/fuzz/seeds/walk/tnefxls.eml", "application/vnd.ms-tnef", "winmail.dat", t->str,
		t->len);
	g_string_free(t, TRUE);
	return 0;
}
