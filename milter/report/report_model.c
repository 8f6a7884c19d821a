/*
 * report_model.c - the parts of the report model the scans fill
 * (report_scan.c, report_query.c) and report.c lays out and frees: owned
 * strings, lists of rows, the buckets of the series (ISO weeks or
 * months, every day of the period mapped to its bucket), and the result
 * of a store scan as the report's.  A leaf of the module: it calls
 * nothing else in report/.
 *
 * Functions (report_priv.h): report_strdup(), report_list_add(),
 * report_list_free(), report_make_buckets(), report_bucket_of(),
 * report_scan_end().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/date.h"
#include "report_priv.h"

#define DAY 86400

char *report_strdup(const char *s)
{
	return strdup(s ? s : "");
}

struct report_row *report_list_add(struct report_list *l, const char *key, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct report_row *n = realloc(l->rows, cap * sizeof *n);
		if (n == NULL)
			return NULL;
		l->rows = n;
		l->cap = cap;
	}
	struct report_row *row = &l->rows[l->n];
	memset(row, 0, sizeof *row);
	row->key = report_strdup(key);
	row->name = report_strdup(name);
	if (row->key == NULL || row->name == NULL) {
		free(row->key);
		free(row->name);
		return NULL;
	}
	l->n++;
	return row;
}

/* Free the rows of a list. */
void report_list_free(struct report_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].key);
		free(l->rows[i].name);
	}
	free(l->rows);
	memset(l, 0, sizeof *l);
}

int report_scan_end(int rc, char *err, size_t errlen)
{
	if (rc == 1) {
		snprintf(err, errlen, "report: out of memory");
	} else if (rc != 0) {
		char why[512];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "report: query: %s", why);
	}
	return rc == 0 ? 0 : -1;
}

/* ---- the buckets of the series ------------------------------------------- */

/* The Monday on or before day (1970-01-01 was a Thursday). */
static int32_t monday_of(int32_t day)
{
	return day - (int32_t)(((int64_t)day + 3) % 7);
}

/* Year and month (1..12) of a day. */
static void year_month(int32_t day, int *y, int *m)
{
	time_t t = (time_t)day * DAY;
	struct tm tm;
	gmtime_r(&t, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
}

/* Label a bucket: ISO week of a Monday (the year of its Thursday) or the
 * month. */
static void bucket_label(enum report_grain g, int32_t day, char label[24])
{
	int y, m;
	if (g == REPORT_GRAIN_MONTH) {
		year_month(day, &y, &m);
		snprintf(label, 24, "%04d-%02d", y, m);
		return;
	}
	int32_t thursday = day + 3;
	year_month(thursday, &y, &m);
	int32_t jan1 = date_from_ymd(y, 1, 1);
	snprintf(label, 24, "%04d-W%02d", y, (thursday - jan1) / 7 + 1);
}

/* The empty buckets covering the period (so that quiet weeks show as 0),
 * and the table from each day of the period to its bucket. */
int report_make_buckets(struct report *r)
{
	int32_t first = date_from_time(r->since), last = date_from_time(r->until - 1);
	r->grain = last - first + 1 <= REPORT_WEEKS_MAX_DAYS ? REPORT_GRAIN_WEEK
							     : REPORT_GRAIN_MONTH;
	int y0, m0, y1, m1;
	year_month(first, &y0, &m0);
	year_month(last, &y1, &m1);
	size_t n = r->grain == REPORT_GRAIN_WEEK
			   ? (size_t)((monday_of(last) - monday_of(first)) / 7 + 1)
			   : (size_t)((y1 * 12 + m1) - (y0 * 12 + m0) + 1);
	r->first_day = first;
	r->ndays = (size_t)(last - first + 1);
	r->buckets = calloc(n, sizeof *r->buckets);
	r->day_bucket = calloc(r->ndays, sizeof *r->day_bucket);
	if (r->buckets == NULL || r->day_bucket == NULL)
		return -1;
	r->nbuckets = n;
	for (size_t i = 0; i < n; i++) {
		struct report_bucket *b = &r->buckets[i];
		if (r->grain == REPORT_GRAIN_WEEK) {
			b->day = monday_of(first) + (int32_t)(7 * i);
		} else {
			int k = y0 * 12 + (m0 - 1) + (int)i;
			b->day = date_from_ymd(k / 12, (unsigned)(k % 12 + 1), 1);
		}
		bucket_label(r->grain, b->day, b->label);
	}
	size_t b = 0;
	for (size_t d = 0; d < r->ndays; d++) {
		while (b + 1 < n && r->buckets[b + 1].day <= first + (int32_t)d)
			b++;
		r->day_bucket[d] = (uint32_t)b;
	}
	return 0;
}

struct report_bucket *report_bucket_of(struct report *r, int32_t day)
{
	if (day < r->first_day || (size_t)(day - r->first_day) >= r->ndays)
		return NULL;
	return &r->buckets[r->day_bucket[day - r->first_day]];
}
