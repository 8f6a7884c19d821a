/*
 * notice_urgent.c - the jurists' mail when a sender asks for an urgent
 * review of a hold: one message per request, to the jurists' addresses,
 * through the outbox like every notice.  It names the reference, the
 * sender's envelope address, who asked and when, the justification (the
 * sender's own words, cleaned and screened: a value with an IP address in
 * it is not repeated, so the mail passes the milter), when the hold
 * expires, and where to act (the console's page when WebBaseURL is set,
 * the command otherwise).  Never the Subject, an address found or any
 * content of the held message.
 *
 * Public functions: notice_urgent(), notice_url_ok() and notice_console_link()
 * (notice_priv.h: the sender's hold notice links to the console too).
 * Limits: the justification 2000 bytes, the sender 320.
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "grondslag/config/confcheck.h"
#include "grondslag/notice/notice.h"
#include "notice_priv.h"

bool notice_url_ok(const char *url)
{
	return confcheck_url_ok(url);
}

void notice_console_link(struct strbuf *b, const char *url, const char *ref)
{
	size_t n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		n--;
	strbuf_printf(b, "  %.*s/hold/%s\n", (int)n, url, ref);
}

/* The body (a notice_compose() filler). */
static void fill(struct strbuf *b, const void *arg)
{
	const struct notice_urgent_info *in = arg;
	char ref[64], date[160], until[160], who[80];
	notice_token(in->ref, ref, sizeof ref, "unknown");
	notice_token(in->asked_by, who, sizeof who, "unknown");
	notice_wrap(b, 0, "The sender of a held message asks for an urgent review. Urgency "
			  "changes nothing in the rules: a release still needs the approval of "
			  "as many distinct jurists as always.");
	strbuf_printf(b, "\n%-12s%s\n", "Reference:", ref);
	char *sender = notice_shown(in->sender, NOTICE_ADDRESS_MAX);
	strbuf_printf(b, "%-12s", "Sender:");
	notice_wrap(b, 12, sender[0] ? sender : "(none)");
	g_free(sender);
	notice_date(in->when, date, sizeof date);
	strbuf_printf(b, "%-12s%s\n%-12s%s\n", "Asked by:", who, "Asked on:", date);
	if (in->expires > 0) {
		notice_date(in->expires, until, sizeof until);
		strbuf_printf(b, "%-12s%s\n", "Expires on:", until);
	}
	strbuf_printf(b, "%-12s%zu recipient%s undecided\n", "Waiting:", in->waiting,
		      in->waiting == 1 ? "" : "s");
	strbuf_puts(b, "\nThe sender's justification:\n\n");
	char *text = notice_shown(in->text, NOTICE_EXPLANATION_MAX);
	strbuf_puts(b, "  ");
	notice_wrap(b, 2, text);
	g_free(text);
	strbuf_puts(b, "\nWhat to do\n\n");
	if (notice_url_ok(in->console_url)) {
		notice_console_link(b, in->console_url, ref);
		strbuf_puts(b, "      the hold in the jurists' console\n");
	}
	strbuf_printf(b, "  grondslag show %s\n      the decisions, counts and parts\n\n", ref);
	strbuf_puts(b, "-- \ngrondslag, an automatic notice to the jurists. Replies to it "
			  "are\nnot read.\n");
}

char *notice_urgent(const struct notice_urgent_info *in)
{
	if (in == NULL || in->ref == NULL || in->to == NULL || in->nto == 0 || in->text == NULL)
		return NULL;
	char ref[64], subject[NOTICE_SUBJECT_MAX];
	notice_token(in->ref, ref, sizeof ref, "");
	if (ref[0] == '\0')
		return NULL;
	snprintf(subject, sizeof subject, "[grondslag] Urgent review asked: %s", ref);
	struct notice_head h = {.from = in->from, .to = in->to, .nto = in->nto, .when = in->when,
				.kind = "urgent", .ref = ref, .hostname = in->hostname,
				.subject_fixed = subject, .subject_held = "", .tag = ref};
	return notice_compose(&h, fill, in);
}
