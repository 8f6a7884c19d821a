/*
 * idscan_priv.h - what the two halves of the identifier scanner share:
 * idscan_value.c recognises one value or name (host, e-mail address,
 * URL, defanged forms, secrets, column and label names); idscan.c judges
 * lines and runs.  Private to milter/idscan*.c.
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

#endif
