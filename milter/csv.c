/*
 * csv.c - one CSV field, quoted and defused (see csv.h).
 *
 * Public functions: csv_field(), csv_is_formula().
 */
#include <string.h>

#include "grondslag/csv.h"

bool csv_is_formula(const char *s)
{
	return s != NULL && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void csv_field(FILE *out, const char *s)
{
	if (s == NULL)
		s = "";
	bool formula = csv_is_formula(s);
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	if (quote)
		fputc('"', out);
}
