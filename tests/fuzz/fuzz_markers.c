/*
 * fuzz_markers.c - fuzz target for markers.c (TLP labels, format sniffing).
 *
 * Input layout: byte 0 picks the media type, byte 1 the file name, byte 2
 * seeds the chunk sizes; the rest is the text, fed in chunks of 1..256
 * bytes drawn from that seed, so labels land on every kind of chunk edge.
 * The same text is then fed whole, and both runs must agree: streaming
 * may never change the answer.  Then it is fed whole through each label
 * filter this processor has (AVX-512, AVX2, SSE2, bytes): the filters may
 * never change it either.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../milter/scan/markers_priv.h"
#include "grondslag/scan/findings.h"
#include "grondslag/scan/markers.h"

static const char *const types[] = {
	"text/plain", "text/csv", "application/json", "application/xml",
	"message/feedback-report", "message/delivery-status", "application/stix+json", NULL,
};
static const char *const names[] = {
	NULL, "list.csv", "2024-01-01-scan_ssh-nl-geo.csv", "shadowserver.csv", "a.zip!b.tsv",
	"report.txt", "event.json", "",
};

struct outcome {
	enum tlp_level tlp;
	unsigned formats;
};

/* One pass over text with chunk sizes from seed (0 = whole). */
static struct outcome run(struct markers *m, const char *type, const char *name,
			  const uint8_t *text, size_t len, unsigned seed)
{
	struct outcome o = { TLP_NONE, 0 };
	struct findings *f = findings_alloc();
	if (f == NULL)
		return o;
	int part = findings_part_add(f, "1", type, name, 0);
	if (part < 0) {
		findings_free(f);
		return o;
	}
	markers_begin(m, (unsigned)part, type, name);
	size_t off = 0;
	uint32_t x = seed * 2654435761u + 1;
	while (off < len) {
		size_t n = len - off;
		if (seed != 0) {
			x = x * 1103515245u + 12345u;
			size_t c = 1 + (x >> 16) % 256;
			if (c < n)
				n = c;
		}
		markers_update(m, (const char *)text + off, n);
		off += n;
	}
	markers_end(m, f);
	o.tlp = findings_tlp(f);
	o.formats = findings_part(f, (size_t)part)->formats;
	findings_free(f);
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	const char *type = types[data[0] % (sizeof types / sizeof types[0])];
	const char *name = names[data[1] % (sizeof names / sizeof names[0])];
	unsigned seed = data[2] | 1u;
	struct markers *m = markers_alloc();
	if (m == NULL)
		return 0;
	struct outcome a = run(m, type, name, data + 3, size - 3, seed);
	struct outcome b = run(m, type, name, data + 3, size - 3, 0);
	if (a.tlp != b.tlp || a.formats != b.formats || a.tlp > TLP_RED || a.formats >= (1u << FMT_COUNT))
		abort();	/* chunking changed the answer */
	static const enum mk_path paths[] = {MK_PATH_AVX512, MK_PATH_AVX2, MK_PATH_SSE2, MK_PATH_BYTES};
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
		if (!mk_scan_path(paths[k]))
			continue;
		struct outcome c = run(m, type, name, data + 3, size - 3, 0);
		if (c.tlp != b.tlp || c.formats != b.formats)
			abort();	/* a filter changed the answer */
	}
	mk_scan_path(MK_PATH_BEST);
	markers_free(m);
	return 0;
}
