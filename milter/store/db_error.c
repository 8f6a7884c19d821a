/*
 * db_error.c - the last error of a database connection (db_priv.h), set
 * by the drivers and read through db_errmsg() and db_error_kind().
 * Limits: a message of at most 511 bytes, made one line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db_priv.h"

void db_set_error(struct db *db, enum db_error_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	/* one line for the log: drivers' messages may carry newlines */
	for (char *p = db->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	size_t n = strlen(db->err);
	while (n > 0 && db->err[n - 1] == ' ')
		db->err[--n] = '\0';
	db->kind = kind;
}

void db_clear_error(struct db *db)
{
	db->err[0] = '\0';
	db->kind = DB_ERR_NONE;
}
