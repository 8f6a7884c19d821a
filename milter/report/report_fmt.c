/*
 * report_fmt.c - how the writers of a report (report_text.c,
 * report_csv.c, report_json.c, report_html.c) and the scans say things:
 * the names of the outcomes, times, days, durations for people and the
 * category names of a bit set.  A leaf of the module: it calls nothing
 * else in report/.
 *
 * Functions (report_priv.h): report_time_text(), report_day_text(),
 * report_duration_text(), report_categories_text(); the table
 * report_outcome_names.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "grondslag/base/date.h"
#include "grondslag/scan/findings.h"
#include "report_priv.h"

#define DAY 86400

const char *const report_outcome_names[REPORT_OUTCOME_COUNT] = {
	"released", "denied", "expired", "pending"};

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
