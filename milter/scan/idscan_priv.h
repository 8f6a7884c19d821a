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
/* Labels of incident formats (idscan_format.c), of a normalised name. */
enum idscan_format_label { FMT_LABEL_NONE, FMT_LABEL_PATTERN, FMT_LABEL_VALUE, FMT_LABEL_TYPE };
enum idscan_format_label idscan_format_label(const char *nm, size_t l);
/* Does a "type" value name an identifier ("domain", "url", "email-src")? */
bool idscan_identifier_type(const char *t, size_t n);
/* The identifiers a STIX pattern compares to, into out[0..max); count. */
size_t idscan_stix_values(const char *p, size_t n, struct val *out, size_t max);

/* Where the last vector block of the candidate search was and what it
 * held: the next search often starts inside it.  Zero it per chunk. */
struct idscan_cursor {
	const char *blk, *end;
	unsigned mask;
};

/* Offset of the first candidate in p[i, n), or n (idscan_cand.c). */
size_t idscan_next_candidate(struct idscan_cursor *cur, const char *p, size_t i, size_t n);

#endif
