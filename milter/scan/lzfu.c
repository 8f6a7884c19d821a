/*
 * lzfu.c - compressed RTF ([MS-OXRTFCP]), see lzfu.h.
 *
 * A 4096-byte ring dictionary preloaded with the format's preset text;
 * control bytes say, bit by bit from the lowest, whether a literal byte
 * or a two-byte reference (12-bit offset, 4-bit length - 2) follows; a
 * reference to the write position ends the stream.  The raw size in the
 * header is believed only up to what the input can expand to (a
 * reference of two bytes yields at most 17 bytes, so 9 per input byte
 * bounds it); the output never passes it.  The CRC is not checked: a
 * wrong one changes nothing we read.
 */
#include <stdint.h>
#include <string.h>

#include "grondslag/scan/lzfu.h"

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The dictionary's initial contents, [MS-OXRTFCP] 3.1.1.1 (207 bytes). */
static const char rtf_preset[] =
	"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman "
	"\\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New "
	"RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
	"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

GString *lzfu_decompress(const unsigned char *p, size_t n)
{
	if (n < 16)
		return NULL;
	uint32_t comp = le32(p), raw = le32(p + 4);
	if (comp < 12 || comp - 12 > n - 16)
		return NULL;
	const unsigned char *in = p + 16, *end = p + 4 + comp;
	/* Stored: some writers put the compressed size as the raw size too;
	 * what is there is the RTF. */
	if (memcmp(p + 8, "MELA", 4) == 0)
		return g_string_new_len((const char *)in, raw < (size_t)(end - in) ? raw : end - in);
	if (memcmp(p + 8, "LZFu", 4) != 0 || raw / 9 > (size_t)(end - in))
		return NULL;
	unsigned char dict[4096];
	size_t wp = sizeof rtf_preset - 1;
	memset(dict, 0, sizeof dict);
	memcpy(dict, rtf_preset, wp);
	GString *out = g_string_sized_new(raw);
	while (in < end && out->len < raw) {
		unsigned ctl = *in++;
		for (int bit = 0; bit < 8 && in < end && out->len < raw; bit++, ctl >>= 1) {
			if (!(ctl & 1)) {
				dict[wp++ % 4096] = *in;
				g_string_append_c(out, (char)*in++);
				continue;
			}
			if (end - in < 2)
				goto bad;
			unsigned v = (unsigned)in[0] << 8 | in[1], off = v >> 4, len = (v & 15) + 2;
			in += 2;
			if (off == wp % 4096)
				return out;	/* the end marker */
			for (unsigned k = 0; k < len && out->len < raw; k++) {
				unsigned char c = dict[(off + k) % 4096];
				dict[wp++ % 4096] = c;
				g_string_append_c(out, (char)c);
			}
		}
	}
	return out;
bad:
	g_string_free(out, TRUE);
	return NULL;
}
