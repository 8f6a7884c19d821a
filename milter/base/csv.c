/*
 * csv.c - one CSV field, quoted and defused (see csv.h).
 *
 * Public functions: csv_field(), csv_is_formula().
 */
#include <string.h>

#include "grondslag/base/csv.h"

/* The full-width forms of = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20), in
 * UTF-8: spreadsheets that normalise width read them as the ASCII ones. */
static bool fullwidth_trigger(const unsigned char *s)
{
	return s[0] == 0xef && s[1] == 0xbc &&
	       (s[2] == 0x9d || s[2] == 0x8b || s[2] == 0x8d || s[2] == 0xa0);
}

bool csv_is_formula(const char *s)
{
	if (s == NULL)
		return false;
	/* a leading TAB or CR is itself a trigger; blanks and line breaks
	 * before one are not a defence: importers that trim cells (an option
	 * in every spreadsheet) run what follows them */
	if (s[0] == '\t' || s[0] == '\r')
		return true;
	s += strspn(s, " \n");
	return (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL) ||
	       fullwidth_trigger((const unsigned char *)s);
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
