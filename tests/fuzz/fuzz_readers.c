/*
 * fuzz_readers.c - the readers of sealed parts and the certificates of the
 * registry on arbitrary bytes: no crash, no overflow, and the promises
 * hold: a status of the closed set, every reader of a known kind with an
 * id that fits, at most READERS_MAX_PER_PART readers per envelope or
 * armour block; a parsed
 * certificate gives 1..KEYPARSE_MAX_KEYS keys of one or two identifiers.
 * The first byte chooses: 0 any form (readers_scan), 1 armour in text,
 * 2 CMS, 3 certificate material (keyparse).
 * Seeds: tests/fuzz/seeds/readers/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/keyparse.h"
#include "grondslag/scan/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t seen;

static bool check_reader(void *arg, const struct reader_id *r)
{
	(void)arg;
	if ((unsigned)r->kind >= READER_KIND_COUNT || r->id_len > READER_ID_MAX)
		abort();
	if (r->kind == READER_PGP_KEYID && r->id_len != 8)
		abort();
	if (r->kind == READER_PGP_FPR && r->id_len != 20 && r->id_len != 32)
		abort();
	char text[READER_TEXT_MAX];
	reader_format(r, text, sizeof text);
	seen++;
	return true;
}

static void check_key(void *arg, const struct keyparse_key *k)
{
	(void)arg;
	if (k->nids < 1 || k->nids > 2 || k->ids[0].id_len > READER_ID_MAX ||
	    strnlen(k->label, KEYPARSE_LABEL_MAX) >= KEYPARSE_LABEL_MAX)
		abort();
	seen++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned mode = data[0] % 4;
	uint8_t *buf = malloc(size);	/* exact size: ASan sees any over-read */
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	size_t n = size - 1;
	seen = 0;
	enum readers_status st = READERS_NONE;
	if (mode == 0)
		st = readers_scan(buf, n, check_reader, NULL);
	else if (mode == 1)
		st = readers_armor(buf, n, check_reader, NULL);
	else if (mode == 2)
		st = readers_cms(buf, n, check_reader, NULL);
	if (mode < 3) {
		if (st != READERS_ENCRYPTED && st != READERS_NOT_ENCRYPTED &&
		    st != READERS_MALFORMED && st != READERS_NONE)
			abort();
		/* CMS is one part; any form may also hold armour blocks */
		if ((mode == 2 && seen > READERS_MAX_PER_PART) ||
		    seen > (size_t)READERS_MAX_PER_PART * (READERS_MAX_BLOCKS + 1))
			abort();
	} else {
		char err[160];
		enum keyparse_kind kind;
		int c = keyparse(buf, n, check_key, NULL, &kind, err, sizeof err);
		if (c > KEYPARSE_MAX_KEYS || (c > 0 && (size_t)c != seen) || (c < 0 && seen != 0))
			abort();
	}
	free(buf);
	return 0;
}
