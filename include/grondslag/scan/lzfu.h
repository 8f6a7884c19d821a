/*
 * lzfu.h - compressed RTF ([MS-OXRTFCP]): the body Outlook stores as
 * PR_RTF_COMPRESSED, in TNEF (winmail.dat) and in .msg files.
 *
 * Public functions:
 *   lzfu_decompress()   the RTF of a compressed-RTF value
 *
 * Limits: the output is at most the header's raw size and at most 9
 * times the compressed bytes.
 */
#ifndef GRONDSLAG_LZFU_H
#define GRONDSLAG_LZFU_H

#include <stddef.h>

#include <glib.h>

/* The RTF of a compressed-RTF value ("LZFu" decompressed, "MELA" stored
 * as is), or NULL when the bytes are not one. */
GString *lzfu_decompress(const unsigned char *p, size_t n);

#endif
