/*
 * charset.h - streaming charset decoding to UTF-8, in chunks of any size.
 *
 * A decoder turns the bytes of one part into valid UTF-8: UTF-8 checked
 * and repaired (invalid bytes read as windows-1252), a byte-order mark
 * honoured over the declared charset, UTF-16 LE/BE converted, any other
 * charset converted with iconv through GMime's charset names.  Its output
 * goes to sink(arg, utf8, len) in runs of any length; the decoder keeps
 * the sink's first non-zero answer and does nothing more after it.
 *
 * Public functions:
 *   charset_global_init()  GMime and its charset tables, once per process
 *   charset_dec_alloc(), charset_dec_update(), charset_dec_end(),
 *   charset_dec_free()
 *   charset_utf8_encode()  one code point as UTF-8 (inline: hot loops)
 *   charset_ascii_path()   force the ASCII scan's loop (tests)
 *
 * Limits: constant memory (a carry of at most 8 bytes between chunks, a
 * 16 KiB scratch on the stack); no recursion.  Valid UTF-8 is skipped a
 * vector at a time (SSE2, AVX2 or AVX-512 when the CPU has it).
 */
#ifndef GRONDSLAG_CHARSET_H
#define GRONDSLAG_CHARSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/base/cpupath.h"

struct charset_dec;

/* Initialise GMime (and its charset tables) once per process; thread
 * safe.  charset_dec_alloc() calls it. */
void charset_global_init(void);

/* charset: the declared charset, or NULL for "UTF-8, else windows-1252";
 * a byte-order mark at the start always wins.  Returns NULL when out of
 * memory. */
struct charset_dec *charset_dec_alloc(const char *charset,
				      int (*sink)(void *arg, const char *utf8, size_t len),
				      void *arg);
/* Decode the next chunk.  Returns 0, or the sink's first non-zero answer.
 * A NUL byte in the decoded text reaches the sink alone, a call of
 * length 1 of its own: the decoder stops at it anyway (its ASCII scan
 * tells NUL with the same compare as 8-bit bytes), so a sink that treats
 * NUL apart (markup.h) need not search every run for one. */
int charset_dec_update(struct charset_dec *d, const void *buf, size_t len);
/* End of a stream: decode what is held back (a cut sequence becomes
 * U+FFFD) and start again, so a byte-order mark may come next. */
int charset_dec_end(struct charset_dec *d);
void charset_dec_free(struct charset_dec *d);

/* The instruction set of the ASCII scan, best first (CHARSET_PATH_BYTES:
 * a byte at a time); tests force each to hold them to each other: false
 * when the processor lacks it.  BEST chooses again. */
enum {
	CHARSET_PATH_BEST = CPUPATH_BEST, CHARSET_PATH_AVX512 = CPUPATH_AVX512,
	CHARSET_PATH_AVX2 = CPUPATH_AVX2, CHARSET_PATH_SSE2 = CPUPATH_SSE2,
	CHARSET_PATH_BYTES = CPUPATH_BYTES
};
bool charset_ascii_path(int want);

/* Encode one code point as UTF-8 into o (4 bytes of room); returns the
 * length.  NUL, surrogates and values past U+10FFFF become U+FFFD. */
static inline size_t charset_utf8_encode(uint32_t cp, char *o)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

#endif
