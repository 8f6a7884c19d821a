/*
 * test_idscan_paths.c - the candidate search of the identifier scanner
 * gives the same findings on every path (AVX-512VBMI, AVX-512BW, AVX2,
 * SSE2) as byte by byte (idscan_cand_path forces each), with the value
 * placed so that its mark falls on each side of the 16/32/64-byte edges
 * of the vector steps and of the runs of blocks, its line ending at a
 * block's end, CRLF, bytes from 0x80 beside a mark, defanged forms and
 * credentials.  And the block masks themselves: every candidate of the
 * exact rule and every line end in them, a run of blocks the same as the
 * blocks one by one, the AVX-512BW path bit for bit the AVX2 masks, and
 * the value marks of AVX-512VBMI exactly the candidates among them.
 */
#include "testutil.h"

#include "../../milter/scan/idscan_priv.h"
#include "grondslag/scan/idscan.h"

static const enum idscan_path vector_paths[] = {IDSCAN_PATH_AVX512VBMI, IDSCAN_PATH_AVX512,
						IDSCAN_PATH_AVX2, IDSCAN_PATH_SSE2};

/* The findings of a scan in order: kind, flags and value of each. */
struct found {
	char text[16384];
	size_t len;
	int emails, hosts, creds;
};

static int on_match(void *arg, const struct idscan_match *m)
{
	struct found *f = arg;
	int w = snprintf(f->text + f->len, sizeof f->text - f->len, "%d%d%d %.*s\n", (int)m->kind,
			 m->defanged, m->labelled, m->value != NULL ? (int)m->len : 0,
			 m->value != NULL ? m->value : "");
	if (w > 0 && (size_t)w < sizeof f->text - f->len)
		f->len += (size_t)w;
	f->emails += m->kind == IDSCAN_EMAIL;
	f->hosts += m->kind == IDSCAN_HOST;
	f->creds += m->kind == IDSCAN_CREDENTIAL;
	return 0;
}

/* Scan text in chunks of chunk bytes (0: whole) on the path in force. */
static void scan(const char *text, size_t n, size_t chunk, struct found *f)
{
	memset(f, 0, sizeof *f);
	struct idscan *s = idscan_alloc(on_match, f);
	assert_non_null(s);
	if (chunk == 0)
		chunk = n > 0 ? n : 1;
	for (size_t i = 0; i < n; i += chunk)
		assert_int_equal(idscan_update(s, text + i, n - i < chunk ? n - i : chunk), 0);
	assert_int_equal(idscan_finish(s), 0);
	idscan_free(s);
}

/* A list of values: each line pad bytes of prose without a mark, then
 * the value line; the mark of the value lands at pad + its offset. */
static size_t build(char *out, size_t size, size_t pad, const char *const *lines, size_t nlines)
{
	size_t o = 0;
	for (size_t k = 0; k < nlines; k++) {
		/* a prose line of pad bytes (its '\n' the last), then the value */
		for (size_t j = 0; j + 1 < pad && o + 1 < size; j++)
			out[o++] = j % 7 == 6 ? ' ' : 'x';
		if (pad > 0 && o + 1 < size)
			out[o++] = '\n';
		size_t l = strlen(lines[k]);
		assert_true(o + l < size);
		memcpy(out + o, lines[k], l);
		o += l;
	}
	out[o] = '\0';
	return o;
}

static const struct {
	const char *name;
	const char *lines[6];
	int emails, hosts, creds;	/* byte by byte, whole, no pad */
} cases[] = {
	{"e-mail list", {"jan@foreign.example.nl\n", "piet@b.example.de\n", "marie@c.example.fr\n"},
	 3, 0, 0},
	{"host list", {"www.example.org\n", "mail.example.com\n", "shop.example.net\n"}, 0, 3, 0},
	/* one mark a line: losing it loses the list */
	{"one mark a line", {"example.org\n", "example.net\n", "example.com\n"}, 0, 3, 0},
	{"one at a line", {"jan@localhost\n", "piet@mailhost\n", "x@foreign.nl\n"}, -1, -1, -1},
	{"CRLF list", {"jan@foreign.example.nl\r\n", "piet@b.example.de\r\n",
		       "marie@c.example.fr\r\n"},
	 3, 0, 0},
	{"non-ASCII beside marks",
	 {"m\xc3\xbcller@example.de\n", "caf\xc3\xa9.example.com\n", "\xc3\xa9@x.example.org\n",
	  "www.\xc3\xa9xample.com\n"},
	 -1, -1, -1},
	{"defanged", {"hxxp://evil[.]example[.]com/x\n", "bad(dot)example(dot)com\n",
		      "a[@]example.com\n", "x(at)example.org\n", "evil[.]com\n"},
	 2, 3, 0},
	{"credentials", {"jan@example.nl:Secr3t!x\n", "piet@example.de:hunter2?\n",
			 "marie@example.fr:p4ss-w0rd\n"},
	 3, 0, 3},
	{"labelled", {"Username: jan\n", "Password: Secr3t!x\n", "E-mail: a@example.nl\n"}, 0, 0, 1},
	{"header and rows", {"login;hash\n", "jan;5f4dcc3b5aa765d61d8327deb882cf99\n",
			     "piet;e10adc3949ba59abbe56e057f20f883e\n"},
	 0, 0, 2},
	{"signature", {"-- \n", "jan@foreign.example.nl\n", "piet@b.example.de\n",
		       "marie@c.example.fr\n"},
	 0, 0, 0},
	{"one line of many",
	 {"a@x.example.nl, b@y.example.nl, c@z.example.nl, d@w.example.nl\n"}, 4, 0, 0},
	/* names alike in what the scanner keeps of labels: each its own */
	{"label after its look-alike",
	 {"Hxstname: x.example.org\n", "\n", "Hostname: a.example.org\n",
	  "Hostname: b.example.org\n", "Hostname: c.example.org\n"},
	 0, 3, 0},
	{"look-alike after the label",
	 {"Hostname: x.example.org\n", "\n", "Hxstname: a.example.org\n",
	  "Hxstname: b.example.org\n", "Hxstname: c.example.org\n"},
	 0, 0, 0},
	{"prose", {"See www.example.org. Or mail a@example.nl. Time 10:30.\n",
		   "Password policy is passed; bypass it.\n"},
	 0, 0, 0},
};

/* Pads that put the first mark of a case's line on each byte of the
 * first blocks, so on each side of the edges of 16, 32 and 64 bytes and
 * of the first runs of blocks, and later ones. */
#define PADS 160
static size_t pad_at(size_t k)
{
	return k < 140 ? k : 250 + (k - 140);
}

/* Every case, every pad, every chunking: each vector path finds what
 * the byte-by-byte search finds. */
static void test_paths_same_findings(void **state)
{
	(void)state;
	static char text[8192];
	static struct found want, got;
	static const size_t chunks[] = {0, 1, 7, 64, 65, 333};
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		for (size_t pd = 0; pd < PADS; pd++) {
			size_t nl = 0;
			while (nl < ARRAY_LEN(cases[c].lines) && cases[c].lines[nl] != NULL)
				nl++;
			size_t n = build(text, sizeof text, pad_at(pd), cases[c].lines, nl);
			assert_true(idscan_cand_path(IDSCAN_PATH_BYTES));
			scan(text, n, 0, &want);
			if (pad_at(pd) == 0 && cases[c].emails >= 0) {
				assert_int_eq_msg(cases[c].name, want.emails, cases[c].emails);
				assert_int_eq_msg(cases[c].name, want.hosts, cases[c].hosts);
				assert_int_eq_msg(cases[c].name, want.creds, cases[c].creds);
			}
			for (size_t v = 0; v < ARRAY_LEN(vector_paths); v++) {
				if (!idscan_cand_path(vector_paths[v]))
					continue;	/* not on this processor */
				for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
					scan(text, n, chunks[k], &got);
					if (got.len != want.len || memcmp(got.text, want.text, got.len) != 0)
						fail_msg("%s, pad %zu, path %d, chunk %zu: got\n%.*s"
							 "want\n%.*s",
							 cases[c].name, pad_at(pd), (int)vector_paths[v],
							 chunks[k], (int)got.len, got.text,
							 (int)want.len, want.text);
				}
			}
		}
	}
	idscan_cand_path(IDSCAN_PATH_BEST);
}

/* The findings of the cases are no accident of one path: the lists the
 * table counts are found at every pad (a mark at a block's edge lost
 * would lose them on every path alike, which the test above cannot
 * see). */
static void test_pads_keep_findings(void **state)
{
	(void)state;
	static char text[8192];
	static struct found got;
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		if (cases[c].emails < 0)
			continue;
		size_t nl = 0;
		while (nl < ARRAY_LEN(cases[c].lines) && cases[c].lines[nl] != NULL)
			nl++;
		for (size_t pd = 0; pd < PADS; pd++) {
			/* one prose line before the list, none between */
			size_t o = build(text, sizeof text, pad_at(pd), cases[c].lines, 1);
			size_t n = o + build(text + o, sizeof text - o, 0, cases[c].lines + 1, nl - 1);
			idscan_cand_path(IDSCAN_PATH_BEST);
			scan(text, n, 0, &got);
			char row[96];
			snprintf(row, sizeof row, "%s, pad %zu", cases[c].name, pad_at(pd));
			assert_int_eq_msg(row, got.emails, cases[c].emails);
			assert_int_eq_msg(row, got.hosts, cases[c].hosts);
			assert_int_eq_msg(row, got.creds, cases[c].creds);
		}
	}
}

/* Text of every byte value beside every mark, lines of every length. */
static size_t mixed_text(char *p, size_t n)
{
	/* the marks and what stands beside them in the rule: letters and
	 * digits, '_' and '-', a blank, CR, the bytes around ':' and '@'
	 * ('/', '9', ';', '?', '[', '`', '{', '~', DEL) and from 0x80 */
	static const char marks[] = "@.:[(-pPhH\n_-aZz09 \r/;?[`{~\x7f\x80\xc3\xff";
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		unsigned r = (x >> 16) & 0xff;
		if (r < 96)
			p[i] = marks[r % (sizeof marks - 1)];
		else if (r < 200)
			p[i] = (char)('a' + r % 26);
		else
			p[i] = (char)(x >> 8);
	}
	return n;
}

/* The masks of every vector path for the blocks at 1, 1 + step, ... of
 * p[0, n): a superset of the exact rule, the line ends exact, a run the
 * same as its blocks one by one; AVX-512BW the AVX2 masks bit for bit;
 * an exact path's val the exact value marks. */
static void check_masks(const char *p, size_t n, size_t step)
{
	for (size_t v = 0; v < ARRAY_LEN(vector_paths); v++) {
		enum idscan_path path = vector_paths[v];
		if (!idscan_cand_path(path))
			continue;
		bool exact = idscan_cand_val_exact();
		for (size_t i = 1; i + 67 <= n; i += step) {
			struct idscan_block b, ref;
			assert_true(idscan_cand_block(p, i, &b));
			uint64_t want = 0;	/* the value marks that are candidates */
			for (unsigned k = 0; k < 64; k++) {
				uint64_t bit = (uint64_t)1 << k;
				char ch = p[i + k];
				bool cand = idscan_cand_at(p, i + k, n);
				if (cand && !((b.val | b.oth) & bit))
					fail_msg("path %d: candidate at %zu lost", (int)path, i + k);
				if ((ch == '\n') != ((b.nl & bit) != 0))
					fail_msg("path %d: line end at %zu", (int)path, i + k);
				if (cand && (ch == '@' || ch == '.' || ch == ':'))
					want |= bit;
			}
			if (exact && b.val != want)
				fail_msg("path %d: block at %zu: val %016llx, want %016llx", (int)path, i,
					 (unsigned long long)b.val, (unsigned long long)want);
			if (path == IDSCAN_PATH_AVX512 && idscan_cand_path(IDSCAN_PATH_AVX2)) {
				assert_true(idscan_cand_block(p, i, &ref));
				assert_true(idscan_cand_path(path));
				if (b.val != ref.val || b.oth != ref.oth || b.nl != ref.nl)
					fail_msg("path %d: block at %zu differs from AVX2's", (int)path, i);
			}
		}
		for (size_t i = 1; i + 67 + 64 * 31 <= n; i += 37) {
			struct idscan_block run[32], b;
			assert_true(idscan_cand_blocks(p, i, 32, run));
			for (size_t k = 0; k < 32; k++) {
				assert_true(idscan_cand_block(p, i + 64 * k, &b));
				if (run[k].val != b.val || run[k].oth != b.oth || run[k].nl != b.nl)
					fail_msg("path %d: run at %zu, block %zu", (int)path, i, k);
			}
		}
	}
	idscan_cand_path(IDSCAN_PATH_BEST);
}

static void test_block_masks(void **state)
{
	(void)state;
	static char p[4096 + 67];
	size_t n = mixed_text(p, sizeof p);
	check_masks(p, n, 1);
	/* byte by byte there are no blocks */
	assert_true(idscan_cand_path(IDSCAN_PATH_BYTES));
	struct idscan_block b;
	assert_false(idscan_cand_block(p, 1, &b));
	assert_false(idscan_cand_blocks(p, 1, 1, &b));
	idscan_cand_path(IDSCAN_PATH_BEST);
}

/* Each value mark between every pair of byte values ("10:30", "a_@b",
 * "\xc3.x", "a:\x7f"): the masks at every byte once. */
static void test_mark_neighbours(void **state)
{
	(void)state;
	static const char value_marks[] = "@.:";
	size_t size = 3 * 256 * 256 * 4 + 67;
	char *p = malloc(size);
	assert_non_null(p);
	size_t n = 0;
	for (size_t m = 0; m < 3; m++)
		for (unsigned b = 0; b < 256; b++)
			for (unsigned d = 0; d < 256; d++) {
				p[n++] = (char)b;
				p[n++] = value_marks[m];
				p[n++] = (char)d;
				p[n++] = ' ';
			}
	memset(p + n, ' ', size - n);
	check_masks(p, size, 64);
	free(p);
}

/* A path is forced exactly when the processor has its set: the one
 * that permutes bytes needs VBMI as well. */
static void test_path_sets(void **state)
{
	(void)state;
	assert_int_equal(idscan_cand_path(IDSCAN_PATH_AVX512VBMI),
			 cpupath_have(CPUPATH_AVX512VBMI));
	assert_int_equal(idscan_cand_path(IDSCAN_PATH_AVX512), cpupath_have(CPUPATH_AVX512));
	assert_int_equal(idscan_cand_path(IDSCAN_PATH_AVX2), cpupath_have(CPUPATH_AVX2));
	assert_true(idscan_cand_path(IDSCAN_PATH_SSE2));
	assert_true(idscan_cand_path(IDSCAN_PATH_BYTES));
	assert_true(idscan_cand_path(IDSCAN_PATH_BEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths_same_findings),
		cmocka_unit_test(test_pads_keep_findings),
		cmocka_unit_test(test_block_masks),
		cmocka_unit_test(test_mark_neighbours),
		cmocka_unit_test(test_path_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
