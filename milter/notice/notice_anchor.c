/*
 * notice_anchor.c - the mail that takes a checkpoint of the audit chain
 * off the host (anchor.h): to the AuditAnchorMail addresses, through the
 * notice outbox and NoticeRelay like every notice.  The body explains
 * what the line is and carries it on a line of its own, so the receiver
 * can hand the mailbox to `grondslag audit verify --against`.
 *
 * Public function: notice_checkpoint().
 */
#include <inttypes.h>
#include <stdio.h>

#include "grondslag/notice/notice.h"
#include "notice_priv.h"

struct anchor_body {
	const char *host, *line;
	int64_t seq;
};

/* The body: what it is, what to do with it, the line. */
static void fill(struct strbuf *b, const void *arg)
{
	const struct anchor_body *a = arg;
	strbuf_printf(b, "The audit record of grondslag on %s reached record %" PRId64 ".\n\n",
		       a->host, a->seq);
	notice_wrap(b, 0, "Keep this mail where the administrators of that host cannot change "
			  "it: it anchors the record.  Whoever rewrites or deletes records after "
			  "this mail left is found by");
	strbuf_puts(b, "\n    grondslag audit verify --against MAILBOX\n\n"
			  "run on the store with the mailbox (or syslog file) that received "
			  "these lines.\n\n");
	strbuf_puts(b, a->line);
	if (*a->line != '\0' && a->line[0] != '\n')
		strbuf_puts(b, "\n");
}

char *notice_checkpoint(const char *from, const char *const *to, size_t nto,
			const char *hostname, time_t when, int64_t seq, const char *line)
{
	char host[254], ref[32], subject[NOTICE_SUBJECT_MAX];
	notice_token(hostname, host, sizeof host, "localhost");
	snprintf(ref, sizeof ref, "audit%" PRId64, seq);
	snprintf(subject, sizeof subject, "[grondslag] audit checkpoint %" PRId64 " of %.60s", seq,
		 host);
	struct notice_head h = {.from = from, .to = to, .nto = nto, .when = when,
				.kind = "checkpoint", .ref = ref, .hostname = host,
				.subject_fixed = subject, .subject_held = "", .tag = "checkpoint"};
	struct anchor_body a = {.host = host, .line = line, .seq = seq};
	return notice_compose(&h, fill, &a);
}
