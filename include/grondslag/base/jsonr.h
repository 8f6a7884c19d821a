/*
 * jsonr.h - a small bounded JSON reader (RFC 8259) for hostile input:
 * directory imports (Trusted Introducer, FIRST), and later other feeds.
 * No JSON library is among our dependencies, so this is hand-written.
 *
 * It parses a whole document into an immutable tree (a DOM) without
 * recursion: an explicit stack bounded by max_depth.  Strings are fully
 * unescaped to UTF-8 (\uD83D\uDE00 surrogate pairs joined; a lone
 * surrogate is an error); raw string bytes must be valid UTF-8.  Numbers
 * are kept as their text (checked against the JSON grammar) so nothing is
 * lost to floating point; jsonr_u64() converts integers when wanted.
 * A UTF-8 byte-order mark at the start is skipped.  Duplicate object keys
 * are kept; jsonr_get() returns the last, as JavaScript and Python do.
 *
 * Errors give the byte offset, the line and column (1-based, columns in
 * bytes) and a message; the first error ends parsing.
 *
 * Public functions:
 *   jsonr_parse(), jsonr_free(), jsonr_root()
 *   jsonr_type(), jsonr_type_name()
 *   jsonr_count(), jsonr_at(), jsonr_key(), jsonr_get()
 *   jsonr_str(), jsonr_strn(), jsonr_u64(), jsonr_bool()
 * All accessors accept NULL (and values of the wrong type) and then
 * answer NULL / 0 / false, so lookups chain without checks.
 * Limits (struct jsonr_limits, 0 = default): input bytes
 * JSONR_MAX_BYTES, nesting JSONR_MAX_DEPTH, values JSONR_MAX_VALUES.
 */
#ifndef GRONDSLAG_JSONR_H
#define GRONDSLAG_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONR_MAX_BYTES (64u << 20)
#define JSONR_MAX_DEPTH 64
#define JSONR_MAX_VALUES 1000000u	/* ~48 MB of tree at most */

enum jsonr_type {
	JSONR_NONE,	/* no value (NULL, missing key, index out of range) */
	JSONR_NULL,
	JSONR_FALSE,
	JSONR_TRUE,
	JSONR_NUMBER,
	JSONR_STRING,
	JSONR_ARRAY,
	JSONR_OBJECT
};

struct jsonr_limits {
	size_t max_bytes;
	size_t max_depth;
	size_t max_values;
};

struct jsonr_error {
	size_t offset;		/* byte offset of the offending character */
	unsigned line;		/* 1-based */
	unsigned column;	/* 1-based, in bytes */
	char message[96];
};

struct jsonr_doc;
struct jsonr_value;

/* Parse data (not necessarily NUL-terminated).  NULL on error, with err
 * filled (when not NULL).  limits NULL = defaults. */
struct jsonr_doc *jsonr_parse(const char *data, size_t len, const struct jsonr_limits *limits,
			      struct jsonr_error *err);
void jsonr_free(struct jsonr_doc *doc);
const struct jsonr_value *jsonr_root(const struct jsonr_doc *doc);

enum jsonr_type jsonr_type(const struct jsonr_value *v);
const char *jsonr_type_name(enum jsonr_type t);
/* Elements of an array, members of an object; else 0. */
size_t jsonr_count(const struct jsonr_value *v);
/* The i-th element (array) or member value (object); else NULL. */
const struct jsonr_value *jsonr_at(const struct jsonr_value *v, size_t i);
/* The key of the i-th member of an object (NUL-terminated; *len excludes
 * the NUL and counts embedded NULs); else NULL. */
const char *jsonr_key(const struct jsonr_value *v, size_t i, size_t *len);
/* The value of the last member named key; else NULL. */
const struct jsonr_value *jsonr_get(const struct jsonr_value *v, const char *key);
/* A string without embedded NUL, or a number's text; else NULL. */
const char *jsonr_str(const struct jsonr_value *v);
/* Any string (may hold NULs) or number text, with its length; else NULL. */
const char *jsonr_strn(const struct jsonr_value *v, size_t *len);
/* A non-negative integer number without fraction or exponent that fits. */
bool jsonr_u64(const struct jsonr_value *v, uint64_t *out);
/* true/false values; false for anything else (use jsonr_type to tell). */
bool jsonr_bool(const struct jsonr_value *v);

#endif
