/*
 * names.c - closed sets' words to values and back (see names.h).
 */
#include <strings.h>
#include <string.h>

#include "grondslag/base/names.h"

const char *name_of(const struct name_value *t, size_t n, int value, const char *unknown)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return unknown;
}

int value_of(const struct name_value *t, size_t n, const char *name, unsigned flags)
{
	for (size_t i = 0; name != NULL && i < n; i++) {
		bool same = flags & NAMES_NOCASE ? strcasecmp(t[i].name, name) == 0
						 : strcmp(t[i].name, name) == 0;
		if (same)
			return t[i].value;
	}
	return -1;
}
