/*
 * idscan_priv.h - what the parts of the identifier scanner share:
 * idscan_value.c recognises one value or name (host, e-mail address,
 * URL, defanged forms, secrets, column and label names); idscan_cand.c
 * finds where one may be; idscan_format.c reads what incident formats
 * name by type; idscan.c judges lines and runs.  Private to milter/scan/idscan*.c.
 */
#ifndef GRONDSLAG_IDSCAN_PRIV_H
#define GRONDSLAG_IDSCAN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/base/cpupath.h"
#include "grondslag/scan/idscan.h"

struct val {
	enum idscan_kind kind;
	char text[IDSCAN_VALUE_MAX];
	size_t len, doff;
	bool defanged;
	bool url;		/* taken from a URL (scheme://host) */
};

enum col_role { COL_NONE, COL_ID, COL_USER, COL_PASS };

/* One token as an e-mail address, URL or host name into v (lower case,
 * defanging undone); trusted (a column or label names it) lets a bare
 * "name.ext" with a file-like ending through. */
bool idscan_classify(const char *t, size_t n, bool trusted, struct val *v);
/* A password or hash cell: printable, no blanks, 3..256 bytes. */
bool idscan_secret_like(const char *t, size_t n);
/* A user name: 2..64 of [A-Za-z0-9._-], at least one letter. */
bool idscan_user_like(const char *t, size_t n);
/* Column or label name normalised (lower case, '_' for blanks and dots,
 * a source/destination prefix taken off) into out; its length. */
size_t idscan_norm_name(const char *t, size_t n, char *out, size_t size);
enum col_role idscan_normed_role(const char *nm, size_t l);	/* of a normalised name */
enum col_role idscan_name_role(const char *t, size_t n);		/* of a raw name */
bool idscan_is_mail_header(const char *nm, size_t l);		/* "from", "to", "van" ... */

/* Is s[0..len) one of the n names of l? */
bool idscan_name_in(const char *const *l, size_t n, const char *s, size_t len);
/* The marks of 64 bytes: value marks ('@', '.', ':'), other candidates
 * (defanging, a password word, a signature) and line ends, bit k for
 * byte k.  val and oth are supersets of the candidates: each bit is
 * settled by idscan_cand_at. */
struct idscan_block {
	uint64_t val, oth, nl;
};

/* ---- the scanner's state, shared by idscan.c (judging lines) and
 * idscan_stream.c (driving them) ------------------------------------- */

#define PENDING_MAX 8
#define LINE_VALS_MAX 64
#define SIG_LINES 12	/* lines after "-- " taken as the signature */
#define USER_WINDOW 3	/* lines a "Password:" may follow its "Username:" */
#define MAX_CELLS 64
#define TYPED_LINES 6	/* lines a "value" may follow its "type" */
#define TYPED_SPAN 1024	/* bytes of those lines at most */
#define HIST_MAX 4096	/* >= TYPED_SPAN and IDSCAN_LINE_MAX + 1 */
enum { CARRIED_NONE, CARRIED_LINE, CARRIED_OVERLONG };

/* Where a line looked back at lies. */
enum { SEG_CHUNK, SEG_CARRIED, SEG_HIST, SEG_DONE };

/* Blocks of 64 bytes classified in one go (idscan_stream.c): the first
 * run after a judged line is short (the next line worth a look is often
 * near), the later ones longer. */
#define RUN_FIRST 4
#define RUN_MAX 32

#define LABEL_MEMO 16	/* label names whose worth is kept (idscan_stream.c) */
#define LABEL_NAME_MAX 40
struct label_memo {
	char name[LABEL_NAME_MAX];	/* as written, before norm_name */
	unsigned char len;
	bool valid, worth;
};

struct idscan {
	idscan_cb cb;
	void *arg;
	int rc;
	char line[IDSCAN_LINE_MAX + 1];	/* + its '\n' when pushed to hist */
	size_t llen;
	bool overlong;
	unsigned run;
	struct val pend[PENDING_MAX];
	size_t npend;
	struct val cur[LINE_VALS_MAX];	/* values of the line being judged */
	size_t ncur;
	unsigned sig_skip;
	unsigned since_user;		/* lines since a labelled user line */
	char delim;			/* of the header row, 0: none seen */
	bool prev_delimited;		/* the line before was a delimited row */
	bool markup;			/* an HTML stream: links are not lists */
	bool in_rows;			/* the line was a header or a row under it */
	unsigned lflags;		/* LF_* of the line being judged */
	unsigned typed;			/* lines a typed "value" may still follow */
	/* look-back over lines the search passed over, the same whatever
	 * the chunks: the chunk (from chunk_lo), the line carried into it,
	 * and hist, the complete lines before those (its last HIST_MAX
	 * bytes, whole lines, its last '\n' at stream offset hist_end) */
	char hist[HIST_MAX];
	size_t hlen;
	unsigned long long hist_end;
	const char *chunk_buf, *chunk_lo;
	unsigned long long chunk_base;
	int carried;			/* CARRIED_*: what this chunk began with */
	size_t carried_len;
	unsigned long long carried_nl;
	int cur_seg;			/* where the line being judged is (SEG_*) */
	const char *cur_ls;
	bool hot;			/* judge the next line whatever it holds */
	bool carrying;			/* line holds the start of a cut line */
	bool judged_any;
	unsigned long long pos;		/* stream offset of the next chunk */
	unsigned long long judged_end;	/* stream offset of the last judged '\n' */
	unsigned long long line_start;	/* of the carried line */
	unsigned char role[MAX_CELLS];
	bool has_user_col, has_pass_col;
	/* the last blocks the chunk's search classified (blocks_nb of them,
	 * the first at blocks_at): the next search, which mostly starts a
	 * line or two later, settles their bits instead of classifying
	 * them again; none at the start of a chunk */
	struct idscan_block blocks[RUN_MAX];
	const char *blocks_at;
	size_t blocks_nb;
	struct label_memo labels[LABEL_MEMO];	/* a pure function's answers */
};

/* Walks back over the complete lines before a line, through the chunk,
 * the carried line and the history (see struct idscan). */
struct lback {
	const struct idscan *s;
	int seg;
	const char *lo, *pos;	/* lines of the segment lie in [lo, pos) */
};
/* Start before the line at ls, which lies in segment seg. */
void idscan_lback_init(struct lback *b, const struct idscan *s, int seg, const char *ls);
/* The previous line (without its '\n') and, when start is not NULL, the
 * stream offset of its start; false when there is none left. */
bool idscan_lback_prev(struct lback *b, const char **line, size_t *n, unsigned long long *start);

/* What one pass over a line finds (idscan_line_flags). */
enum { LF_AT = 1, LF_DELIM = 2, LF_DEFANG = 4, LF_UNKNOWN = 8 };	/* LF_UNKNOWN: not looked at */
unsigned idscan_line_flags(const char *p, size_t n);
/* Judge one complete line (idscan.c); the caller set lflags, cur_seg and
 * cur_ls. */
void idscan_judge_line(struct idscan *s, const char *p, size_t n);
/* End the run: pending values are dropped. */
void idscan_drop_run(struct idscan *s);

static inline bool idscan_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool idscan_is_delim(char c)
{
	return c == ',' || c == ';' || c == '\t' || c == '|';
}

/* Labels of incident formats (idscan_format.c), of a normalised name. */
enum idscan_format_label { FMT_LABEL_NONE, FMT_LABEL_PATTERN, FMT_LABEL_VALUE, FMT_LABEL_TYPE };
enum idscan_format_label idscan_format_label(const char *nm, size_t l);
/* Does a "type" value name an identifier ("domain", "url", "email-src")? */
bool idscan_identifier_type(const char *t, size_t n);
/* The identifiers a STIX pattern compares to, into out[0..max); count. */
size_t idscan_stix_values(const char *p, size_t n, struct val *out, size_t max);

static inline bool idscan_cand_alnum(char c)
{
	char l = (char)(c | 0x20);
	return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

/* idscan_cand_at for a value mark ('@', '.', ':') at p[i]: the same
 * answer with no jump table (the hot path settles mostly these). */
static inline bool idscan_value_mark_at(const char *p, size_t i, size_t n)
{
	char c = p[i], d = i + 1 < n ? p[i + 1] : '\n';
	unsigned char b = i > 0 ? (unsigned char)p[i - 1] : '\n';
	char l = (char)(d | 0x20);
	if (c == '.')
		return (idscan_cand_alnum((char)b) || b == '-' || b >= 0x80) && l >= 'a' && l <= 'z';
	if (c == '@')
		return (idscan_cand_alnum((char)b) || b == '_') && idscan_cand_alnum(d);
	unsigned char bl = (unsigned char)(b | 0x20);
	return ((bl >= 'a' && bl <= 'z') || (b >= '0' && b <= '9' && !(d >= '0' && d <= '9'))) &&
	       (unsigned char)d >= '0' && (unsigned char)d < 0x7f;
}

/* The exact candidate rule at p[i] of the range p[0, n) (idscan_cand.c
 * says what a candidate is). */
__attribute__((always_inline)) static inline bool idscan_cand_at(const char *p, size_t i, size_t n)
{
	char c = p[i], d = i + 1 < n ? p[i + 1] : '\n';
	char l = (char)(d | 0x20);
	/* the byte before: none at the start of the range (a line start) */
	unsigned char b = i > 0 ? (unsigned char)p[i - 1] : '\n';
	if (i + 3 < n && ((c | 0x20) == 'p' || (c | 0x20) == 'h') && l == 'a' &&
	    (p[i + 2] | 0x20) == 's' && ((p[i + 3] | 0x20) == 's' || (p[i + 3] | 0x20) == 'h')) {
		/* a word of its own ("password", "passwd", "hash", not
		 * "bypass", "passed" or the "spf=pass" of a mail header) */
		char e = i + 4 < n ? (char)(p[i + 4] | 0x20) : ' ';
		return !idscan_cand_alnum((char)b) && b != '=' &&
		       (!(e >= 'a' && e <= 'z') || e == 'w' || e == 'p');
	}
	unsigned char bl = (unsigned char)(b | 0x20);
	switch (c) {
	case '@':	/* the end of a local part, the start of a domain */
		return (idscan_cand_alnum((char)b) || b == '_') && idscan_cand_alnum(d);
	case '.':	/* after a label (U-labels too), before a letter */
		return (idscan_cand_alnum((char)b) || b == '-' || b >= 0x80) && l >= 'a' && l <= 'z';
	case ':':	/* after a user name, before a secret: not "http://",
			 * not the time "10:30" (a digit on both sides) */
		return ((bl >= 'a' && bl <= 'z') || (b >= '0' && b <= '9' && !(d >= '0' && d <= '9'))) &&
		       (unsigned char)d >= '0' && (unsigned char)d < 0x7f;
	case '[':
	case '(': {	/* "[.]", "(.)", "[@]", "[:]", "[dot]", "(at)" */
		char close = c == '[' ? ']' : ')';
		size_t k = i + 1;
		if (d == '.' || d == '@' || d == ':')
			k += 1;
		else if (l == 'd' && i + 3 < n && (p[i + 2] | 0x20) == 'o' && (p[i + 3] | 0x20) == 't')
			k += 3;
		else if (l == 'a' && i + 2 < n && (p[i + 2] | 0x20) == 't')
			k += 2;
		else
			return false;
		return k < n && p[k] == close;
	}
	case '-':	/* "-- " alone on its line (quoted too): a signature */
		return (b == '\n' || b == ' ' || b == '>') && d == '-' && i + 2 < n &&
		       p[i + 2] == ' ' && (i + 3 == n || p[i + 3] == '\r' || p[i + 3] == '\n');
	default:
		return false;
	}
}


/* The marks of p[i, i + 64) (p[i - 1] to p[i + 66] readable); false
 * when no vector path is built in. */
bool idscan_cand_block(const char *p, size_t i, struct idscan_block *b);
/* The marks of the nb blocks from p[i] on, b[k] those of the block at
 * i + 64k (p[i - 1] to p[i + 64 nb + 2] readable), in one pass without
 * a branch per block; false when no vector path is built in. */
bool idscan_cand_blocks(const char *p, size_t i, size_t nb, struct idscan_block *b);
/* Does the path in force give in val exactly the value marks that are
 * candidates (none to settle), not a superset? */
bool idscan_cand_val_exact(void);
/* The vector path the candidate search takes: the best the processor
 * has, or one a test forces to hold the paths equal (fuzz_idcand);
 * false when that path is not there. */
enum idscan_path {
	IDSCAN_PATH_BEST = CPUPATH_BEST,
	IDSCAN_PATH_AVX512VBMI = CPUPATH_AVX512VBMI,
	IDSCAN_PATH_AVX512 = CPUPATH_AVX512,
	IDSCAN_PATH_AVX2 = CPUPATH_AVX2,
	IDSCAN_PATH_SSE2 = CPUPATH_SSE2,
	IDSCAN_PATH_BYTES = CPUPATH_BYTES
};
bool idscan_cand_path(enum idscan_path want);

#endif
