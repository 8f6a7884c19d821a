/*
 * log.c - bounded, sanitised log lines to syslog (LOG_MAIL) or stderr.
 * See log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/log.h"

static bool log_stderr = true;
static bool log_debug;
static const char *log_ident = "grondslag-milter";

void log_open(const char *ident, bool to_stderr, bool debug)
{
	log_ident = ident != NULL ? ident : "grondslag-milter";
	log_stderr = to_stderr;
	log_debug = debug;
	if (!to_stderr)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

size_t log_sanitize(char *dst, size_t n, const char *src, size_t max)
{
	return clean_copy(dst, n, src, max, 0);
}

/* Sanitise the formatted line in place and write it out. */
static void log_emit(int prio, char *line)
{
	clean_in_place(line, 0);
	if (!log_stderr) {
		syslog(prio, "%s", line);
		return;
	}
	static const char *const names[] = {"emerg", "alert", "crit", "error",
					    "warning", "notice", "info", "debug"};
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm) == NULL || strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strcpy(stamp, "-");
	fprintf(stderr, "%s %s[%ld]: %s: %s\n", stamp, log_ident, (long)getpid(),
		names[prio & 7], line);
}

void log_msg(int prio, const char *fmt, ...)
{
	if ((prio & 7) == LOG_DEBUG && !log_debug)
		return;
	char line[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_emit(prio, line);
}

void log_qid(int prio, const char *qid, const char *fmt, ...)
{
	if ((prio & 7) == LOG_DEBUG && !log_debug)
		return;
	char line[LOG_LINE_MAX];
	int n = snprintf(line, sizeof line, "%.64s: ", qid != NULL && *qid ? qid : "NOQUEUE");
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	log_emit(prio, line);
}
