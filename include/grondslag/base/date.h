/*
 * date.h - calendar dates as a plain integer: days since 1970-01-01 (UTC),
 * so dates compare with < and ranges are simple.  Legal validity is by the
 * day: a basis valid_from 2018-11-09 applies to all of that day, and a
 * range [from, until) is half-open, so "valid_until: 2026-08-15" means the
 * last valid day is 2026-08-14.
 *
 * DATE_MIN and DATE_MAX stand for an open end (no valid_from / no
 * valid_until); they never come out of date_parse().
 *
 * Public functions:
 *   date_parse()     strict ISO 8601 calendar date "YYYY-MM-DD", years
 *                    0001..9999, day checked against the month (leap years)
 *   date_format()    the same text ("-" for an open end)
 *   date_from_time() the UTC day of a time_t (for the CLI's "today"; the
 *                    policy itself never reads the clock)
 *   date_range_contains(), date_range_intersect()
 */
#ifndef GRONDSLAG_DATE_H
#define GRONDSLAG_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DATE_MIN INT32_MIN	/* open start */
#define DATE_MAX INT32_MAX	/* open end */
/* "YYYY-MM-DD" plus NUL. */
#define DATE_TEXT_MAX 11

/* A half-open range of days [from, until). */
struct date_range {
	int32_t from;
	int32_t until;
};

/* Parse exactly "YYYY-MM-DD"; false on anything else. */
bool date_parse(const char *text, int32_t *out);

/* Write "YYYY-MM-DD" (or "-" for DATE_MIN/DATE_MAX) into buf; returns buf. */
char *date_format(int32_t day, char *buf, size_t size);

/* The UTC calendar day of t. */
int32_t date_from_time(time_t t);

/* Build a date from year, month, day (no validation; for tests and tools). */
int32_t date_from_ymd(int year, unsigned month, unsigned day);

/* from <= day < until. */
bool date_range_contains(const struct date_range *r, int32_t day);

/* The overlap of a and b (may be empty: from >= until). */
struct date_range date_range_intersect(const struct date_range *a, const struct date_range *b);

#endif
