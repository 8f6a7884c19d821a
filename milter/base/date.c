/*
 * date.c - days since 1970-01-01 and ISO 8601 calendar dates (see date.h).
 *
 * The conversions are the well-known proleptic Gregorian "days from civil"
 * arithmetic on 400-year eras, exact for every year 0001..9999 and free of
 * time zones and of the C library's struct tm.
 */
#include "grondslag/base/date.h"

#include <stdio.h>

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
int32_t date_from_ymd(int year, unsigned month, unsigned day)
{
	long y = (long)year - (month <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;					/* [0, 399] */
	long mp = (long)(month + 9) % 12;				/* March = 0 */
	long doy = (153 * mp + 2) / 5 + (long)day - 1;			/* [0, 365] */
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

/* Inverse of date_from_ymd(). */
static void ymd_from_days(int32_t days, int *year, unsigned *month, unsigned *day)
{
	long z = (long)days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*month <= 2));
}

/* Days in a month of a year. */
static unsigned month_days(int year, unsigned month)
{
	static const unsigned char len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : len[month - 1];
}

/* Read n decimal digits; false when any is not a digit. */
static bool digits(const char *s, unsigned n, unsigned *out)
{
	unsigned v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Strict "YYYY-MM-DD". */
bool date_parse(const char *text, int32_t *out)
{
	unsigned y, m, d;
	if (text == NULL)
		return false;
	for (unsigned i = 0; i < 10; i++)
		if (text[i] == '\0')
			return false;
	if (text[10] != '\0' || text[4] != '-' || text[7] != '-')
		return false;
	if (!digits(text, 4, &y) || !digits(text + 5, 2, &m) || !digits(text + 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days((int)y, m))
		return false;
	*out = date_from_ymd((int)y, m, d);
	return true;
}

/* "YYYY-MM-DD", or "-" for an open end. */
char *date_format(int32_t day, char *buf, size_t size)
{
	int y;
	unsigned m, d;
	if (size == 0)
		return buf;
	if (day == DATE_MIN || day == DATE_MAX) {
		snprintf(buf, size, "-");
		return buf;
	}
	ymd_from_days(day, &y, &m, &d);
	snprintf(buf, size, "%04d-%02u-%02u", y, m, d);
	return buf;
}

/* Floor division of seconds into UTC days. */
int32_t date_from_time(time_t t)
{
	long long s = (long long)t;
	long long d = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
	return (int32_t)d;
}

bool date_range_contains(const struct date_range *r, int32_t day)
{
	return r->from <= day && day < r->until;
}

struct date_range date_range_intersect(const struct date_range *a, const struct date_range *b)
{
	struct date_range r;
	r.from = a->from > b->from ? a->from : b->from;
	r.until = a->until < b->until ? a->until : b->until;
	return r;
}
