/*
 * markers.c - incident markers in one text stream: TLP labels and the
 * structured incident formats (see markers.h for the contract).
 *
 * Two independent passes over the same stream:
 *
 *  1. Labels, over the whole stream.  The text goes through a small window
 *     (MK_WINDOW bytes); every position is tried once, and only when at
 *     least MK_LOOKAHEAD bytes follow it (or the stream has ended), so a
 *     label split across chunks is seen whole.  The window keeps the last
 *     MK_LOOKAHEAD bytes between calls: that is the only carry.  Labels:
 *       - TLP text, TLP 1.0 and 2.0: "TLP", a separator, a colour word,
 *         with word boundaries on both sides, case-insensitive (grammar
 *         at mk_tlp_at).  This also covers MISP tags ("tlp:amber").
 *       - STIX marking-definition ids of TLP 1.0 and of the TLP 2.0
 *         extension ("marking-definition--<uuid>").
 *       - IODEF restriction attributes; they count only when the part is
 *         an IODEF document (restriction= means nothing elsewhere).
 *     The most restrictive label wins (findings_set_tlp keeps the max).
 *
 *  2. Formats: the first MARKERS_SNIFF_BYTES are kept, and at markers_end
 *     markers_format.c decides from them, the media type and the file
 *     name which incident formats the part is in.
 *
 * Public functions: markers_alloc, markers_free, markers_begin,
 * markers_update, markers_end.
 *
 * Limits: memory is fixed per object (window + sniff buffer, ~12 KiB);
 * every position is tried against at most three bounded matchers; nothing
 * recurses.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "grondslag/scan/markers.h"
#include "markers_priv.h"

#define MK_WINDOW 4096
#define MK_LOOKAHEAD 96		/* > the longest label with its boundaries */
#define MK_TYPE_MAX 128
#define MK_NAME_MAX 256

struct markers {
	bool active;
	unsigned part;
	char type[MK_TYPE_MAX];		/* lower case, parameters cut off */
	char name[MK_NAME_MAX];		/* base name, lower case */
	/* label pass */
	char win[MK_WINDOW];
	size_t win_len;
	unsigned char prev;		/* byte before win[0] */
	enum tlp_level tlp;
	enum tlp_level restriction;	/* IODEF, applied only to IODEF parts */
	/* format pass */
	char sniff[MARKERS_SNIFF_BYTES];
	size_t sniff_len;
	bool more;			/* the stream went on past the sniff */
};

/* ---- label pass ---------------------------------------------------------- */

/* True when the word ending at s[i] is not followed by a word byte.
 * The end of the buffer is a boundary (only at the end of the stream does
 * a match run that far: MK_LOOKAHEAD guarantees it elsewhere). */
static bool mk_end_ok(const char *s, size_t n, size_t i)
{
	return i >= n || !mk_wordc((unsigned char)s[i]);
}

/*
 * TLP text label at s (the caller checked the boundary before it).  The
 * grammar, case-insensitive:
 *   "tlp" SEP COLOUR       SEP: 1..8 bytes of blanks with at most one of
 *                          ':' '-' '=' among them ("TLP:RED", "TLP RED",
 *                          "TLP : RED", "tlp:red", "TLP-RED")
 *   COLOUR: red | amber [blank* "+" blank* strict] | green | clear | white
 * followed by a non-word byte.  "STLP:RED", "TLPRED", "TLP:REDUCED",
 * "TLP::RED" and "TLP:AMBER+STRICTLY" (which is AMBER) fall out of that.
 * FIRST writes the labels upper case without spaces; mail in the wild
 * does not, and a missed RED label is worse than a spurious one.
 */
static enum tlp_level mk_tlp_at(const char *s, size_t n)
{
	static const struct {
		const char *word;
		enum tlp_level level;
	} colours[] = {
		{ "red", TLP_RED }, { "amber", TLP_AMBER }, { "green", TLP_GREEN },
		{ "clear", TLP_CLEAR }, { "white", TLP_CLEAR },
	};
	if (!mk_prefix_ci(s, n, "tlp"))
		return TLP_NONE;
	size_t i = mk_skip_blank(s, n, 3, 4);
	if (i < n && (s[i] == ':' || s[i] == '-' || s[i] == '='))
		i = mk_skip_blank(s, n, i + 1, 4);
	if (i == 3)
		return TLP_NONE;	/* no separator at all */
	for (size_t c = 0; c < sizeof colours / sizeof colours[0]; c++) {
		if (!mk_prefix_ci(s + i, n - i, colours[c].word))
			continue;
		size_t j = i + strlen(colours[c].word);
		if (colours[c].level == TLP_AMBER) {
			size_t k = mk_skip_blank(s, n, j, 3);
			if (k < n && s[k] == '+') {
				k = mk_skip_blank(s, n, k + 1, 3);
				if (mk_prefix_ci(s + k, n - k, "strict") && mk_end_ok(s, n, k + 6))
					return TLP_AMBER_STRICT;
			}
		}
		return mk_end_ok(s, n, j) ? colours[c].level : TLP_NONE;
	}
	return TLP_NONE;
}

/* STIX marking-definition ids.  TLP 1.0: the four ids of STIX 2.x
 * (checked against the OASIS cti-stix2-json-schemas).  TLP 2.0: the ids
 * defined by the TLP 2.0 extension (extension-definition--60a3c5c5-...). */
static const struct {
	const char *uuid;
	enum tlp_level level;
} stix_tlp_ids[] = {
	{ "613f2e26-407d-48c7-9eca-b8e91df99dc9", TLP_CLEAR },		/* 1.0 white */
	{ "34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN },		/* 1.0 green */
	{ "f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER },		/* 1.0 amber */
	{ "5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED },		/* 1.0 red */
	{ "94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR },		/* 2.0 clear */
	{ "bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN },		/* 2.0 green */
	{ "55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER },		/* 2.0 amber */
	{ "939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT },	/* 2.0 amber+strict */
	{ "e828b379-4e03-4974-9ac4-e53a884c97c1", TLP_RED },		/* 2.0 red */
};

/* "marking-definition--<uuid>" of a TLP marking at s. */
static enum tlp_level mk_stix_at(const char *s, size_t n)
{
	static const char pfx[] = "marking-definition--";
	const size_t pl = sizeof pfx - 1, ul = 36;
	if (!mk_prefix_ci(s, n, pfx) || n < pl + ul)
		return TLP_NONE;
	/* A longer hex/word run is some other id. */
	if (!mk_end_ok(s, n, pl + ul) || (pl + ul < n && s[pl + ul] == '-'))
		return TLP_NONE;
	for (size_t i = 0; i < sizeof stix_tlp_ids / sizeof stix_tlp_ids[0]; i++)
		if (mk_prefix_ci(s + pl, n - pl, stix_tlp_ids[i].uuid))
			return stix_tlp_ids[i].level;
	return TLP_NONE;
}

/*
 * IODEF restriction values, RFC 5070 and RFC 7970 section 3.3.1, as TLP:
 *   public        CLEAR         "no restrictions"
 *   partner       GREEN         a closed community of peers and partners,
 *                               never published: TLP:GREEN's community
 *   need-to-know  AMBER+STRICT  "only within the organization with
 *                               individuals that have a need to know": the
 *                               recipient organisation only, not its
 *                               clients, which is AMBER+STRICT, not AMBER
 *   private       RED           "only shared with the named recipient"
 *   white/green/amber/red       RFC 7970's own TLP values
 *   default       none          "follow the pre-existing agreement": we
 *                               cannot know it; the IODEF format alone
 *                               already makes the part incident data
 * Unknown values (ext-value, typos) are ignored, not guessed.
 */
static const struct {
	const char *value;
	enum tlp_level level;
} iodef_restrictions[] = {
	{ "public", TLP_CLEAR },	{ "partner", TLP_GREEN }, { "need-to-know", TLP_AMBER_STRICT },
	{ "private", TLP_RED },		{ "white", TLP_CLEAR },	  { "green", TLP_GREEN },
	{ "amber", TLP_AMBER },		{ "red", TLP_RED },
};

/* restriction="value" (XML attribute) or "restriction": "value" (JSON). */
static enum tlp_level mk_restriction_at(const char *s, size_t n)
{
	if (!mk_prefix_ci(s, n, "restriction"))
		return TLP_NONE;
	size_t i = 11;
	if (i < n && s[i] == '"')
		i++;				/* JSON key */
	i = mk_skip_blank(s, n, i, 4);
	if (i >= n || (s[i] != '=' && s[i] != ':'))
		return TLP_NONE;
	i = mk_skip_blank(s, n, i + 1, 4);
	if (i >= n || (s[i] != '"' && s[i] != '\''))
		return TLP_NONE;
	char quote = s[i++];
	for (size_t r = 0; r < sizeof iodef_restrictions / sizeof iodef_restrictions[0]; r++) {
		size_t vl = strlen(iodef_restrictions[r].value);
		if (mk_prefix_ci(s + i, n - i, iodef_restrictions[r].value) && i + vl < n &&
		    s[i + vl] == quote)
			return iodef_restrictions[r].level;
	}
	return TLP_NONE;
}

/* Which label matcher can start at a byte (0 = none): a cheap first cut. */
static unsigned char mk_first_byte(unsigned char c)
{
	switch (c) {
	case 't': case 'T':
		return 't';
	case 'm': case 'M':
		return 'm';
	case 'r': case 'R':
		return 'r';
	default:
		return 0;
	}
}

/* Try the label matchers at position p of s (n bytes); before0 is the
 * byte before s[0]. */
static void mk_try_at(struct markers *m, const char *s, size_t n, size_t p,
		      unsigned char before0)
{
	const char *w = s;
	unsigned char kind = mk_first_byte((unsigned char)w[p]);
	if (kind == 0)
		return;
	unsigned char before = p > 0 ? (unsigned char)w[p - 1] : before0;
	enum tlp_level t = TLP_NONE;
	if (kind == 't' && !mk_wordc(before)) {
		t = mk_tlp_at(w + p, n - p);
	} else if (kind == 'm' && !mk_wordc(before) && before != '-') {
		t = mk_stix_at(w + p, n - p);
	} else if (kind == 'r' && !mk_wordc(before) && before != '-') {
		/* "ext-restriction" is another attribute */
		enum tlp_level r = mk_restriction_at(w + p, n - p);
		if (r > m->restriction)
			m->restriction = r;
	}
	if (t > m->tlp)
		m->tlp = t;
}

/*
 * The candidate filter: every label begins with "tlp", "mark"
 * ("marking-definition") or "rest" ("restriction"), in any case, so
 * only positions where the whole prefix is present reach the matchers
 * (two letters alone let through every "the", "re" and "make").  OR 0x20
 * folds exactly the letters' case; other bytes never equal a lower-case
 * letter after it unless they are that letter's upper case.
 */
#define MK_PREFIX 4		/* bytes the filter reads at each position */

/* Try the candidates of mask (bit k: position p + k). */
static inline void mk_try_mask(struct markers *m, const char *s, size_t n, size_t p,
			       uint64_t mask, unsigned char before0)
{
	while (mask != 0) {
		mk_try_at(m, s, n, p + (size_t)__builtin_ctzll(mask), before0);
		mask &= mask - 1;
	}
}

#ifdef __SSE2__
/* Candidate positions p..p+15 of s as a bit mask.  Reads s[0..19). */
static inline unsigned mk_candidates16(const char *s)
{
	const __m128i lc = _mm_set1_epi8(0x20);
	__m128i b0 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)s), lc);
	__m128i b1 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + 1)), lc);
	__m128i b2 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + 2)), lc);
	__m128i b3 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(s + 3)), lc);
#define MK_EQ(v, c) _mm_cmpeq_epi8((v), _mm_set1_epi8(c))
	__m128i t = _mm_and_si128(_mm_and_si128(MK_EQ(b0, 't'), MK_EQ(b1, 'l')), MK_EQ(b2, 'p'));
	__m128i m = _mm_and_si128(_mm_and_si128(MK_EQ(b0, 'm'), MK_EQ(b1, 'a')),
				  _mm_and_si128(MK_EQ(b2, 'r'), MK_EQ(b3, 'k')));
	__m128i r = _mm_and_si128(_mm_and_si128(MK_EQ(b0, 'r'), MK_EQ(b1, 'e')),
				  _mm_and_si128(MK_EQ(b2, 's'), MK_EQ(b3, 't')));
#undef MK_EQ
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(t, _mm_or_si128(m, r)));
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define MK_AVX2 1
/* The same for p..p+31.  Reads s[0..35). */
__attribute__((target("avx2"))) static inline unsigned mk_candidates32(const char *s)
{
	const __m256i lc = _mm256_set1_epi8(0x20);
	__m256i b0 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)s), lc);
	__m256i b1 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(s + 1)), lc);
	__m256i b2 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(s + 2)), lc);
	__m256i b3 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(const void *)(s + 3)), lc);
#define MK_EQ(v, c) _mm256_cmpeq_epi8((v), _mm256_set1_epi8(c))
	__m256i t = _mm256_and_si256(_mm256_and_si256(MK_EQ(b0, 't'), MK_EQ(b1, 'l')),
				     MK_EQ(b2, 'p'));
	__m256i m = _mm256_and_si256(_mm256_and_si256(MK_EQ(b0, 'm'), MK_EQ(b1, 'a')),
				     _mm256_and_si256(MK_EQ(b2, 'r'), MK_EQ(b3, 'k')));
	__m256i r = _mm256_and_si256(_mm256_and_si256(MK_EQ(b0, 'r'), MK_EQ(b1, 'e')),
				     _mm256_and_si256(MK_EQ(b2, 's'), MK_EQ(b3, 't')));
#undef MK_EQ
	return (unsigned)_mm256_movemask_epi8(_mm256_or_si256(t, _mm256_or_si256(m, r)));
}

/* The same for p..p+63 with AVX-512: the comparisons give masks, and each
 * one after the first only tests the positions still in the running.
 * Reads s[0..67). */
__attribute__((target("avx512bw"))) static inline uint64_t mk_candidates64(const char *s)
{
	const __m512i lc = _mm512_set1_epi8(0x20);
	__m512i b0 = _mm512_or_si512(_mm512_loadu_si512((const void *)s), lc);
	__m512i b1 = _mm512_or_si512(_mm512_loadu_si512((const void *)(s + 1)), lc);
	__m512i b2 = _mm512_or_si512(_mm512_loadu_si512((const void *)(s + 2)), lc);
	__m512i b3 = _mm512_or_si512(_mm512_loadu_si512((const void *)(s + 3)), lc);
#define MK_EQ(k, v, c) _mm512_mask_cmpeq_epi8_mask((k), (v), _mm512_set1_epi8(c))
	__mmask64 all = ~(__mmask64)0;
	__mmask64 t = MK_EQ(MK_EQ(MK_EQ(all, b0, 't'), b1, 'l'), b2, 'p');
	__mmask64 m = MK_EQ(MK_EQ(MK_EQ(MK_EQ(all, b0, 'm'), b1, 'a'), b2, 'r'), b3, 'k');
	__mmask64 r = MK_EQ(MK_EQ(MK_EQ(MK_EQ(all, b0, 'r'), b1, 'e'), b2, 's'), b3, 't');
#undef MK_EQ
	return (uint64_t)(t | m | r);
}

/* Candidates among positions [*pp, limit), a vector of 32 (AVX2) or 64
 * (AVX-512) positions a step while its bytes and MK_PREFIX more are
 * readable; *pp is left at the first position not filtered.  Made once
 * per instruction set (always_inline). */
__attribute__((always_inline)) static inline void mk_scan_vec(struct markers *mk, const char *s,
							      size_t n, size_t limit, size_t *pp,
							      unsigned char before0, bool avx512)
{
	size_t w = avx512 ? 64 : 32, p = *pp;
	for (; p + w <= limit && p + w + MK_PREFIX <= n + 1; p += w)
		mk_try_mask(mk, s, n, p, avx512 ? mk_candidates64(s + p) : mk_candidates32(s + p),
			    before0);
	*pp = p;
}

__attribute__((target("avx2"))) static void mk_scan_avx2(struct markers *mk, const char *s,
							 size_t n, size_t limit, size_t *pp,
							 unsigned char before0)
{
	mk_scan_vec(mk, s, n, limit, pp, before0, false);
}

__attribute__((target("avx512bw"))) static void mk_scan_avx512(struct markers *mk, const char *s,
							       size_t n, size_t limit, size_t *pp,
							       unsigned char before0)
{
	mk_scan_vec(mk, s, n, limit, pp, before0, true);
}
#endif

/* Try the labels at positions [0, limit) of s (n bytes, before0 the byte
 * before s[0]).  Most text has no label: the filter skips a vector at a
 * time to the few positions where one could start; every position it
 * passes has been read whole, so a match is never missed (the matchers
 * alone decide, and each needs at least its prefix). */
/* The filter in use: the best the processor has, unless a test forced
 * one (mk_scan_path()). */
static int mk_path = -1;

#ifdef MK_AVX2
#define MK_WIDE_PATHS (CPUPATH_SET(CPUPATH_AVX512) | CPUPATH_SET(CPUPATH_AVX2))
#else
#define MK_WIDE_PATHS 0u
#endif
#ifdef __SSE2__
#define MK_PATHS (MK_WIDE_PATHS | CPUPATH_SET(CPUPATH_SSE2))
#else
#define MK_PATHS MK_WIDE_PATHS
#endif

bool mk_scan_path(enum mk_path want)
{
	return cpupath_force(&mk_path, (int)want, MK_PATHS);
}

static void mk_scan(struct markers *m, const char *s, size_t n, size_t limit,
		    unsigned char before0)
{
	size_t p = 0;
	int path = cpupath_get(&mk_path, MK_PATHS);
#ifdef MK_AVX2
	if (limit >= 128 && path == MK_PATH_AVX512)
		mk_scan_avx512(m, s, n, limit, &p, before0);
	if (limit >= 64 && path <= MK_PATH_AVX2)
		mk_scan_avx2(m, s, n, limit, &p, before0);
#endif
#ifdef __SSE2__
	for (; path <= MK_PATH_SSE2 && p < limit && p + 16 + MK_PREFIX <= n + 1; p += 16) {
		unsigned mask = mk_candidates16(s + p);
		if (limit - p < 16)
			mask &= (1u << (limit - p)) - 1;
		mk_try_mask(m, s, n, p, mask, before0);
	}
#endif
	for (; p < limit; p++)
		mk_try_at(m, s, n, p, before0);
}

/* Try the labels at every position of the window that has enough
 * lookahead (all of them when final), then keep the rest as the carry. */
static void mk_scan_window(struct markers *m, bool final)
{
	size_t limit = final ? m->win_len : (m->win_len > MK_LOOKAHEAD ? m->win_len - MK_LOOKAHEAD : 0);
	mk_scan(m, m->win, m->win_len, limit, m->prev);
	if (limit > 0) {
		m->prev = (unsigned char)m->win[limit - 1];
		memmove(m->win, m->win + limit, m->win_len - limit);
		m->win_len -= limit;
	}
}

/* ---- public -------------------------------------------------------------- */

struct markers *markers_alloc(void)
{
	return calloc(1, sizeof(struct markers));
}

void markers_free(struct markers *m)
{
	free(m);
}

/* Copy a bounded, lower-cased string; the type loses its parameters and
 * the file name its directories (and archive path before '!'). */
static void mk_copy_lower(char *dst, size_t size, const char *src, bool is_type)
{
	size_t o = 0;
	if (src != NULL && !is_type) {
		const char *slash = strrchr(src, '/'), *bang = strrchr(src, '!');
		const char *base = slash > bang ? slash : bang;
		if (base != NULL)
			src = base + 1;
	}
	for (; src != NULL && src[0] != '\0' && o + 1 < size; src++) {
		if (is_type && (*src == ';' || *src == ' ' || *src == '\t'))
			break;
		dst[o++] = (char)mk_lower((unsigned char)*src);
	}
	dst[o] = '\0';
}

void markers_begin(struct markers *m, unsigned part, const char *type, const char *filename)
{
	m->active = true;
	m->part = part;
	mk_copy_lower(m->type, sizeof m->type, type, true);
	mk_copy_lower(m->name, sizeof m->name, filename, false);
	m->win_len = 0;
	m->prev = '\n';
	m->tlp = TLP_NONE;
	m->restriction = TLP_NONE;
	m->sniff_len = 0;
	m->more = false;
}

void markers_update(struct markers *m, const char *buf, size_t len)
{
	if (!m->active || buf == NULL)
		return;
	if (m->sniff_len < sizeof m->sniff) {
		size_t take = sizeof m->sniff - m->sniff_len;
		if (take > len)
			take = len;
		memcpy(m->sniff + m->sniff_len, buf, take);
		m->sniff_len += take;
		if (take < len)
			m->more = true;
	} else if (len > 0) {
		m->more = true;
	}
	/* A long chunk is read where it lies: the carry is completed with
	 * MK_LOOKAHEAD bytes of it and tried in the window, the positions of
	 * the chunk with MK_LOOKAHEAD bytes after them are tried in place,
	 * and its last MK_LOOKAHEAD bytes become the carry.  Every position
	 * is tried once with its full lookahead, as through the window. */
	if (len >= 2 * MK_LOOKAHEAD && m->win_len <= MK_LOOKAHEAD) {
		size_t carry = m->win_len;
		memcpy(m->win + carry, buf, MK_LOOKAHEAD);
		m->win_len = carry + MK_LOOKAHEAD;
		mk_scan(m, m->win, m->win_len, carry, m->prev);
		unsigned char before = carry > 0 ? (unsigned char)m->win[carry - 1] : m->prev;
		mk_scan(m, buf, len, len - MK_LOOKAHEAD, before);
		m->prev = (unsigned char)buf[len - MK_LOOKAHEAD - 1];
		memcpy(m->win, buf + len - MK_LOOKAHEAD, MK_LOOKAHEAD);
		m->win_len = MK_LOOKAHEAD;
		return;
	}
	while (len > 0) {
		size_t take = sizeof m->win - m->win_len;
		if (take > len)
			take = len;
		memcpy(m->win + m->win_len, buf, take);
		m->win_len += take;
		buf += take;
		len -= take;
		mk_scan_window(m, false);
	}
}

void markers_end(struct markers *m, struct findings *f)
{
	if (!m->active)
		return;
	mk_scan_window(m, true);
	const struct mk_sniff sn = { m->type, m->name, m->sniff, m->sniff_len, m->more };
	unsigned fmts = mk_sniff_formats(&sn);
	for (int fmt = 0; fmt < FMT_COUNT; fmt++)
		if (fmts & (1u << fmt))
			findings_part_set_format(f, m->part, (enum incident_format)fmt);
	enum tlp_level t = m->tlp;
	if ((fmts & (1u << FMT_IODEF)) && m->restriction > t)
		t = m->restriction;
	if (t != TLP_NONE)
		findings_set_tlp(f, t);
	m->active = false;
}
