/*
 * json.h - a small streaming JSON writer for machine-readable output
 * (grondslag --json, reports, audit export).  It tracks nesting so commas
 * are placed for the caller, escapes every string (control characters,
 * quotes, invalid UTF-8 replaced by U+FFFD) and writes to a FILE.
 *
 * Public functions: json_new(), json_free(), json_new_string(),
 * json_string_done(), json_obj_begin/end,
 * json_arr_begin/end, json_key, json_str, json_strn, json_uint, json_int,
 * json_bool, json_null.  Depth is bounded by JSON_MAX_DEPTH.
 */
#ifndef GRONDSLAG_JSON_H
#define GRONDSLAG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json;

/* pretty: newline and indent per member (for people); else one line. */
struct json *json_new(FILE *out, bool pretty);
/* Ends the output with a newline; returns -1 if a write failed. */
int json_free(struct json *j);

/* A compact writer into memory (for headers, stored summaries, protocol
 * answers): json_string_done() ends it like json_free() and returns the
 * text (malloc'ed, newline-terminated) and its length, or NULL when
 * anything failed.  Either way j is freed. */
struct json *json_new_string(void);
char *json_string_done(struct json *j, size_t *len);

void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);	/* NULL writes null */
void json_strn(struct json *j, const char *s, size_t n);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

#endif
