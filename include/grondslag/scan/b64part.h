/*
 * b64part.h - decode a part whose Content-Transfer-Encoding is base64 in
 * one pass, when it is plainly written; anything unusual is left to
 * GMime's decoder, so the bytes out are always GMime's.
 *
 * Limits: a pure function over the caller's buffers; reads no byte
 * outside [buf, buf+len) and writes none outside [out, out+len/4*3).
 *
 * Public functions:
 *   b64part_decode()      decode a plainly written base64 part, or say no
 *   b64part_path()        the instruction set it uses (tests force each)
 */
#ifndef GRONDSLAG_B64PART_H
#define GRONDSLAG_B64PART_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/cpupath.h"

/* Decode a base64 part that is plainly written: groups of four base64
 * characters, line ends and blanks (a few in a row) between them, one or
 * two '=' only to complete the last group.  Every decoder gives the same
 * bytes for such input (GMime's included), so the walker decodes it here
 * in one pass and leaves anything else (false) to GMime.  out holds at
 * least len / 4 * 3 bytes.  *blanks: the spaces and tabs it passed over
 * (0: nothing but base64, padding and line ends, so no byte was
 * skipped that a line end does not explain). */
bool b64part_decode(const void *buf, size_t len, unsigned char *out, size_t *out_len,
		    size_t *blanks);

/* The instruction set of the decoder's loop, best first (BYTES: none, a
 * group or a character at a time); tests force each to hold them to each
 * other: false when the processor lacks it.  BEST chooses again. */
enum {
	B64PART_PATH_BEST = CPUPATH_BEST,
	B64PART_PATH_VBMI = CPUPATH_AVX512VBMI,
	B64PART_PATH_AVX2 = CPUPATH_AVX2,
	B64PART_PATH_BYTES = CPUPATH_BYTES
};
bool b64part_path(int want);

#endif
