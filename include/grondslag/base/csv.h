/*
 * csv.h - one CSV field as every CSV the project writes spells it
 * (audit export, report): RFC 4180 quoting, and cells a spreadsheet would
 * run as a formula defused (the OWASP "CSV injection" rule).
 *
 * Why: the cells carry text chosen by others (a sender address, a hold
 * reference typed by a local user without a role, a jurist's reason).
 * Opened in a spreadsheet, "=HYPERLINK(...)" or "@SUM(...)" would run in
 * the reader's session.  A cell starting with = + - @ TAB or CR (also
 * after leading blanks or line breaks, which importers may trim, and in
 * their full-width forms) therefore gets a leading apostrophe and is
 * quoted; the text after it is kept
 * byte for byte, so nothing is lost for a script that strips the "'".
 *
 * Public functions: csv_field(), csv_is_formula().
 * Limits: none (the field is streamed).
 */
#ifndef GRONDSLAG_CSV_H
#define GRONDSLAG_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* Would a spreadsheet read s as a formula (it starts with TAB or CR, or
 * with = + - @, full-width or not, after any blanks and line breaks)? */
bool csv_is_formula(const char *s);
/* Write s (NULL: empty) as one field, without a separator: quoted when it
 * holds a comma, quote, CR or LF or is a formula; quotes doubled. */
void csv_field(FILE *out, const char *s);

#endif
