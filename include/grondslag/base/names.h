/*
 * names.h - the words of a closed set (a verdict, a state, a reason code)
 * and back: one table of {name, value} rows per set, looked up by the
 * two functions here.
 *
 * Why tables: the words are a contract (the store keeps them, reports and
 * the control socket print them, the configuration and the registry parse
 * them), and a hand-written switch per direction let the two directions
 * drift.  A row is the only place a word is spelt; a value may have more
 * than one row (an alias such as TLP "WHITE" for CLEAR), and then its
 * first row is its name.
 *
 * Public functions: name_of(), value_of(); NAMES_LEN() counts a table.
 * Values are non-negative: value_of() answers -1 for "no such name".
 */
#ifndef GRONDSLAG_NAMES_H
#define GRONDSLAG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct name_value {
	const char *name;
	int value;
};

#define NAMES_LEN(t) (sizeof(t) / sizeof((t)[0]))

enum names_flag {
	NAMES_NOCASE = 1u << 0,		/* ASCII case ignored when parsing */
};

/* The name of value: the first row of t (n rows) with it, else unknown. */
const char *name_of(const struct name_value *t, size_t n, int value, const char *unknown);

/* The value of the row of t named name (NULL: none), -1 when none. */
int value_of(const struct name_value *t, size_t n, const char *name, unsigned flags);

#endif
