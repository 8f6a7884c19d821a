/*
 * notice_outcome.c - the sender's notice when a held message was released
 * or expired (notice.h).  Like every notice: the reference, the
 * recipients concerned, never an address found nor any content; plain
 * 7-bit text, every value cleaned to printable ASCII and bounded.
 *
 * Public functions: notice_outcome().
 * Limits: addresses cut to 200 bytes, queue ids to 64, at most RCPTS_MAX
 * recipients listed (limits.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/limits.h"
#include "grondslag/notice/notice.h"

#define LIST_MAX RCPTS_MAX	/* every recipient of a hold: limits.h */

/* Write s cleaned to printable ASCII ('?' otherwise), at most max bytes;
 * the space too: every value here is one word (an address, a host name,
 * a queue id). */
static void put_clean(FILE *f, const char *s, size_t max)
{
	clean_put(f, s, max, CLEAN_ASCII | CLEAN_SPACE);
}

/* The header section. */
static void put_header(FILE *f, const struct notice_outcome_info *in, bool release)
{
	char date[64];
	struct tm tm;
	time_t when = in->when ? in->when : time(NULL);
	gmtime_r(&when, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	fputs("From: <", f);
	put_clean(f, in->from, 200);
	fputs(">\r\nTo: <", f);
	put_clean(f, in->to, 200);
	fprintf(f, ">\r\nDate: %s\r\nMessage-ID: <%s.%s.%lld@", date, in->kind, in->ref,
		(long long)when);
	put_clean(f, in->hostname ? in->hostname : "localhost", 200);
	fprintf(f, ">\r\nSubject: [grondslag] Your message was %s: %s\r\n",
		release ? "released" : "not released (expired)", in->ref);
	fprintf(f, "Auto-Submitted: auto-generated\r\nX-Grondslag-Notice: %s\r\n"
		   "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n"
		   "Content-Transfer-Encoding: 7bit\r\n\r\n", in->ref);
}

char *notice_outcome(const struct notice_outcome_info *in)
{
	if (in == NULL || in->kind == NULL || in->ref == NULL || in->from == NULL ||
	    !notice_sender_ok(in->to) || !notice_sender_ok(in->from))
		return NULL;
	bool release = strcmp(in->kind, "release") == 0;
	if (!release && strcmp(in->kind, "expiry") != 0)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	put_header(f, in, release);
	if (release)
		fprintf(f, "Your message with reference %s was held by grondslag and has\r\n"
			   "now been approved by the required number of jurists. It was\r\n"
			   "delivered, unchanged, to:\r\n\r\n", in->ref);
	else
		fprintf(f, "Your message with reference %s was held by grondslag and no\r\n"
			   "jurist decided on it within %u days. It has expired and will\r\n"
			   "not be delivered to:\r\n\r\n", in->ref, in->expiry_days);
	for (size_t i = 0; i < in->nrcpts && i < LIST_MAX; i++) {
		fputs("  ", f);
		put_clean(f, in->rcpts[i], 200);
		fputs("\r\n", f);
	}
	fprintf(f, "\r\nReference: %s\r\nQueue ID: ", in->ref);
	put_clean(f, in->queue_id, 64);
	if (release) {
		fputs("\r\nQueue ID of the release: ", f);
		put_clean(f, in->relay_queue_id, 64);
	}
	fputs(release ? "\r\n\r\nPlease quote the reference in any question about this message.\r\n"
		      : "\r\n\r\nIf it must still be sent, send it again: it will be held for a\r\n"
			"new decision. Please quote the reference in any question.\r\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
