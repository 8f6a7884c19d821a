/*
 * log.h - the daemon's log: syslog LOG_MAIL, or stderr in the foreground.
 *
 * Every line is formatted into a bounded buffer, then control characters
 * are replaced by '?', so hostile data (a queue id, a reason text) cannot
 * forge log lines.  Per-message lines start with the queue ID
 * ("NOQUEUE" when the MTA gave none).  Callers log counts, ids and reason
 * codes only: never the addresses found nor message content.
 *
 * Public functions:
 *   log_open()      choose syslog or stderr, set the ident and debug level
 *   log_msg()       one line at a syslog priority
 *   log_qid()       one per-message line, "QUEUEID: ..."
 *   log_sanitize()  bounded copy with control characters replaced
 * Limits: LOG_LINE_MAX bytes per line (longer lines are cut).
 */
#ifndef GRONDSLAG_LOG_H
#define GRONDSLAG_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

#define LOG_LINE_MAX 1024

void log_open(const char *ident, bool to_stderr, bool debug);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_qid(int prio, const char *qid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copy at most max bytes of src into dst (size n, NUL terminated), each
 * control character (and DEL) replaced by '?': clean_copy() with the base
 * rule (clean.h), kept by this name for the daemon's callbacks.  Returns
 * the length. */
size_t log_sanitize(char *dst, size_t n, const char *src, size_t max);

#endif
