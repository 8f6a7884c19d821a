/*
 * report.c - the report model (see report.h): open the store read-only,
 * check that it is ours, lay out the buckets of the series, and run the
 * scans (report_scan.c: holds and recipients; report_query.c: shares) in
 * one read transaction.  Also the small helpers of the module.  The
 * output formats are in report_text.c, report_csv.c, report_json.c and
 * report_html.c (+ report_svg.c); the counters in report_stats.c.
 *
 * Public functions: report_build(), report_free(), report_write(),
 * report_format_parse().
 *
 * One read transaction: a consistent snapshot even while the daemon
 * writes.  Limits: the period is at most REPORT_MAX_PERIOD_DAYS, from
 * 1970; breakdowns keep REPORT_MAX_ROWS rows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "grondslag/store/store.h"
#include "report_priv.h"

/* PRAGMA application_id of a grondslag store ("GRND", see store.c). */
#define STORE_APPLICATION_ID 0x47524e44
#define REPORT_BUSY_TIMEOUT_MS 10000
#define DAY 86400

const char *const report_outcome_names[REPORT_OUTCOME_COUNT] = {
	"released", "denied", "expired", "pending"};

const char *const report_hold_states[6] = {"pending",  "partly-approved", "releasing",
					   "released", "denied",	  "expired"};

/* ---- small helpers for the whole module ---------------------------------- */

char *report_strdup(const char *s)
{
	return strdup(s ? s : "");
}

void report_time_text(time_t t, char buf[32])
{
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "-");
}

void report_day_text(int32_t day, char buf[16])
{
	date_format(day, buf, 16);
}

void report_duration_text(int64_t s, char buf[32])
{
	if (s < 0)
		snprintf(buf, 32, "-");
	else if (s < 60)
		snprintf(buf, 32, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, 32, "%lldm", (long long)(s / 60));
	else if (s < DAY)
		snprintf(buf, 32, "%lldh %lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, 32, "%lldd %lldh", (long long)(s / DAY), (long long)(s % DAY / 3600));
}

void report_categories_text(unsigned bits, char *buf, size_t size)
{
	static const enum category order[] = {CAT_PROVIDER_TRACEABLE, CAT_PERSONAL_DATA,
					      CAT_INCIDENT, CAT_UNSCANNABLE, CAT_CREDENTIALS};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if ((bits & order[i]) == 0)
			continue;
		int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "",
				 category_name(order[i]));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
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
static void list_free(struct report_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->rows[i].key);
		free(l->rows[i].name);
	}
	free(l->rows);
	memset(l, 0, sizeof *l);
}

void report_free(struct report *r)
{
	if (r == NULL)
		return;
	free(r->db_path);
	free(r->registry_file);
	free(r->decision_column);
	free(r->buckets);
	free(r->day_bucket);
	struct report_list *lists[] = {&r->parties,	   &r->countries,      &r->reasons,
				       &r->categories,	   &r->senders,	       &r->repeat_senders,
				       &r->repeat_parties};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		list_free(lists[i]);
	for (size_t i = 0; i < r->nlines; i++) {
		free(r->lines[i].party);
		free(r->lines[i].name);
		free(r->lines[i].bases);
		free(r->lines[i].articles);
	}
	free(r->lines);
	for (size_t i = 0; i < r->nregimes; i++) {
		free(r->regimes[i].id);
		free(r->regimes[i].name);
	}
	free(r->regimes);
	free(r);
}


/* ---- opening --------------------------------------------------------- */

/* One integer from a one-row query; -1 on error. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

bool report_has_column(sqlite3 *db, const char *table, const char *column)
{
	sqlite3_stmt *st = NULL;
	bool found = false;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
		found = sqlite3_step(st) == SQLITE_ROW;
	}
	sqlite3_finalize(st);
	return found;
}

/* Open the connection.  With a -wal file (the daemon, or a crashed one,
 * has the store open) SQLite's read-only WAL reading applies.  Without
 * one nobody writes the store now, and it is opened immutable: a plain
 * read-only open of a WAL store would leave new -wal and -shm files
 * behind, owned by whoever made the report, which the daemon (another
 * user) then cannot open. */
static int open_connection(const char *path, sqlite3 **db)
{
	char wal[4200], uri[12800];
	snprintf(wal, sizeof wal, "%s-wal", path);
	struct stat st;
	/* NOMUTEX: one thread uses the connection, and SQLite's mutexes cost a
	 * lock per call over a million rows */
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
	if (stat(wal, &st) != 0 && errno == ENOENT && strlen(path) < 4096) {
		store_immutable_uri(path, uri, sizeof uri);
		return sqlite3_open_v2(uri, db, flags | SQLITE_OPEN_URI, NULL);
	}
	return sqlite3_open_v2(path, db, flags, NULL);
}

sqlite3 *report_open_store(const char *path, int *schema, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	sqlite3 *db = NULL;
	int rc = open_connection(path, &db);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, REPORT_BUSY_TIMEOUT_MS);
	/* reading a large store: map it rather than copy every page, and
	 * keep the index pages of the recipient lookups in a larger cache */
	sqlite3_exec(db, "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536", NULL, NULL,
		     NULL);
	int64_t app = 0, version = 0;
	if (query_int(db, "PRAGMA application_id", &app) != 0 ||
	    query_int(db, "PRAGMA user_version", &version) != 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	if (app != STORE_APPLICATION_ID || version < 1) {
		snprintf(err, errlen, "%s: not a grondslag store", path);
		sqlite3_close(db);
		return NULL;
	}
	static const char *const needed[][2] = {
		{"holds", "received"},	     {"holds", "state"},     {"holds", "categories"},
		{"holds", "sender"},	     {"hold_recipients", "party"},
		{"hold_recipients", "reasons"}, {"shares", "shared_at"}, {"shares", "bases"},
		{"outbox", "state"},
	};
	for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
		if (!report_has_column(db, needed[i][0], needed[i][1])) {
			snprintf(err, errlen, "%s: store has no %s.%s (schema %lld)", path,
				 needed[i][0], needed[i][1], (long long)version);
			sqlite3_close(db);
			return NULL;
		}
	}
	*schema = (int)version;
	return db;
}

sqlite3_stmt *report_prepare(sqlite3 *db, const struct report *r, const char *sql, char *err,
			     size_t errlen)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, (sqlite3_int64)r->since) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->until) != SQLITE_OK) {
		snprintf(err, errlen, "report: query: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int report_finish(sqlite3 *db, sqlite3_stmt *st, int rc, char *err, size_t errlen)
{
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "report: query: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
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
static int make_buckets(struct report *r)
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

/* The jurisdiction of the own organisation: that of the party which owns
 * the first own domain.  Parties elsewhere are "foreign". */
static void find_home(struct report *r, const struct registry *reg)
{
	if (reg == NULL || registry_own_domain_count(reg) == 0)
		return;
	char probe[DOMAIN_TEXT_MAX + 16];
	snprintf(probe, sizeof probe, "postmaster@%s", registry_own_domain(reg, 0));
	struct registry_resolution res;
	registry_resolve(reg, probe, &res);
	if (res.party != NULL)
		snprintf(r->home, sizeof r->home, "%s", res.party->jurisdiction);
}

/* ---- building ---------------------------------------------------------- */

/* Every query of the report, inside one read transaction. */
static int run_queries(struct report *r, sqlite3 *db, const struct registry *reg, char *err,
		       size_t errlen)
{
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "report: begin: %s", sqlite3_errmsg(db));
		return -1;
	}
	err[0] = '\0';
	int rc = -1;
	if (report_scan_holds(r, db, err, errlen) == 0 &&
	    report_scan_recipients(r, db, reg, err, errlen) == 0 &&
	    report_query_shares(r, db, reg, err, errlen) == 0)
		rc = 0;
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "report: out of memory");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

struct report *report_build(const char *db_path, const struct report_options *o, char *err,
			    size_t errlen)
{
	if (o->since < 0 || o->until <= o->since ||
	    (o->until - o->since) / DAY > REPORT_MAX_PERIOD_DAYS) {
		snprintf(err, errlen, "report: the period must be non-empty, after 1970 and at"
				      " most %d days",
			 REPORT_MAX_PERIOD_DAYS);
		return NULL;
	}
	struct report *r = calloc(1, sizeof *r);
	if (r == NULL) {
		snprintf(err, errlen, "report: out of memory");
		return NULL;
	}
	r->since = o->since;
	r->until = o->until;
	r->now = o->now;
	r->top = o->top > REPORT_TOP_MAX ? REPORT_TOP_MAX : o->top;
	r->repeat_sender = o->repeat_sender ? o->repeat_sender : 1;
	r->repeat_party = o->repeat_party ? o->repeat_party : 1;
	r->db_path = report_strdup(db_path);
	r->registry_file = report_strdup(o->registry ? registry_file(o->registry) : "");
	if (r->db_path == NULL || r->registry_file == NULL || make_buckets(r) != 0) {
		snprintf(err, errlen, "report: out of memory");
		report_free(r);
		return NULL;
	}
	find_home(r, o->registry);
	char why[1024];
	sqlite3 *db = report_open_store(db_path, &r->schema, why, sizeof why);
	if (db == NULL) {
		snprintf(err, errlen, "report: %s", why);
		report_free(r);
		return NULL;
	}
	int rc = run_queries(r, db, o->registry, err, errlen);
	sqlite3_close(db);
	if (rc != 0) {
		report_free(r);
		return NULL;
	}
	return r;
}

bool report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = {"text", "csv", "json", "html"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return true;
		}
	}
	return false;
}

int report_write(const struct report *r, enum report_format f, FILE *out)
{
	switch (f) {
	case REPORT_TEXT:
		return report_write_text(r, out);
	case REPORT_CSV:
		return report_write_csv(r, out);
	case REPORT_JSON:
		return report_write_json(r, out);
	case REPORT_HTML:
		return report_write_html(r, out);
	}
	return -1;
}
