/*
 * markers_priv.h - what markers.c (labels, streaming) and markers_format.c
 * (format sniffing) share: the sniffed view of one stream and small byte
 * helpers.  Private to the markers module.
 */
#ifndef GRONDSLAG_MARKERS_PRIV_H
#define GRONDSLAG_MARKERS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "grondslag/base/cpupath.h"

/* One stream as the format sniffer sees it. */
struct mk_sniff {
	const char *type;	/* lower case, no parameters, "" when unknown */
	const char *name;	/* base name, lower case, "" when none */
	const char *text;	/* the first MARKERS_SNIFF_BYTES of the stream */
	size_t len;
	bool more;		/* the stream went on past text */
};

/* Bit set of 1u << enum incident_format for the stream. */
unsigned mk_sniff_formats(const struct mk_sniff *m);

static inline int mk_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* A byte that continues a word: labels need a non-word byte around them. */
static inline bool mk_wordc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Case-insensitive: does s (n bytes) start with the lower-case word w? */
static inline bool mk_prefix_ci(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);
	if (n < wl)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (mk_lower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

/* Skip spaces, tabs, CR and LF. */
static inline size_t mk_skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* Skip at most max bytes of blanks (space, tab, UTF-8 no-break space). */
static inline size_t mk_skip_blank(const char *s, size_t n, size_t i, size_t max)
{
	size_t start = i;
	while (i < n && i - start < max) {
		if (s[i] == ' ' || s[i] == '\t')
			i++;
		else if ((unsigned char)s[i] == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] == 0xa0)
			i += 2;
		else
			break;
	}
	return i;
}

/* The label filter's instruction set, best first; a test may force one
 * (false when this build or processor lacks it) to compare it with the
 * others.  BEST chooses again from what the processor has. */
enum mk_path {
	MK_PATH_BEST = CPUPATH_BEST,
	MK_PATH_AVX512 = CPUPATH_AVX512,
	MK_PATH_AVX2 = CPUPATH_AVX2,
	MK_PATH_SSE2 = CPUPATH_SSE2,
	MK_PATH_BYTES = CPUPATH_BYTES
};
bool mk_scan_path(enum mk_path want);

#endif
