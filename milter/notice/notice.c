/*
 * notice.c - the text of the hold notice to the sender (see notice.h).
 *
 * Everything that comes from the held mail or its envelope is hostile:
 * the subject and the addresses may carry CR/LF to inject headers, invalid
 * UTF-8, bidi overrides to disguise text, or IP addresses.  So: headers
 * carry only checked ASCII addresses, the fixed subject prefix, and the
 * held subject either as plain printable ASCII or RFC 2047 encoded words;
 * the body is cleaned text, sent as quoted-printable when not plain ASCII,
 * so no line is ever over 78 characters.  A subject with an address in it
 * is not repeated at all.  The pieces (cleaning, headers, wrapping, the
 * MIME body) are notice_text.c's, shared with the jurists' notices.
 * Limits: subject 120 bytes, an address 320, a recipient 256, an
 * explanation 2000, reasons 500, at most 200 recipients listed (then a
 * count of the rest).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/decide/senderid.h"
#include "grondslag/notice/notice.h"
#include "notice_priv.h"

#define RCPTS_LISTED 200

/* False for the null sender, or anything that cannot go into a header. */
bool notice_sender_ok(const char *envelope_sender)
{
	char addr[NOTICE_ADDRESS_MAX + 1];
	return notice_bare_address(envelope_sender, addr);
}

bool notice_sender_signs_in(const struct config *c, const char *envelope, const char *auth)
{
	for (size_t i = 0; c != NULL && i < config_list_count(c, CONF_SENDER); i++) {
		const char *v = config_list(c, CONF_SENDER, i);
		char login[64];
		size_t n = strcspn(v, " \t");
		if (n >= sizeof login)
			continue;	/* config.c allows no such login */
		memcpy(login, v, n);
		login[n] = '\0';
		if (senderid_sender_owns(login, v + n, envelope, auth) ||
		    senderid_sender_owns(login, config_list_more(c, CONF_SENDER, i), envelope,
					 auth))
			return true;
	}
	return false;
}

struct hold_arg {
	const struct notice_hold_info *in;
	const struct notice_held *hd;
};

/* The body text, LF line ends (a notice_compose() filler). */
static void body_text(struct strbuf *b, const void *arg)
{
	const struct notice_hold_info *in = ((const struct hold_arg *)arg)->in;
	const struct notice_held *hd = ((const struct hold_arg *)arg)->hd;
	const char *ref = hd->ref;
	char date[160];
	notice_date(in->when, date, sizeof date);
	notice_wrap(b, 0, "Your message was held by grondslag, the check of the legal basis for "
		   "sharing incident data by mail. It has not been delivered to the "
		   "recipients listed below.");
	strbuf_printf(b, "\nReference:  %s\n", ref);
	notice_subject_line(b, hd);
	strbuf_printf(b, "Queue ID:   %s\nHeld on:    %s\n\n", hd->qid, date);
	notice_held_rcpts(b, in->rcpts, in->nrcpts, in->ndelivered, RCPTS_LISTED, SIZE_MAX, NULL);
	strbuf_puts(b, "What happens next\n\n");
	notice_wrap(b, 0, "A jurist reviews the held message and either releases it to the "
		   "recipients above or denies it. You will get a notice either way.");
	GString *exp = g_string_new("If no jurist decides ");
	if (in->expiry_days > 0)
		g_string_append_printf(exp, "within %u day%s", in->expiry_days,
				       in->expiry_days == 1 ? "" : "s");
	else
		g_string_append(exp, "within the hold period");
	g_string_append(exp, ", the hold expires and the message is not delivered; you will "
			     "be told then too. Sending the message again does not help: it "
			     "would be held for the same reasons.");
	notice_wrap(b, 0, exp->str);
	g_string_free(exp, TRUE);
	GString *ask = g_string_new(NULL);
	g_string_append_printf(ask, "Questions? Quote the reference %s when you ask a jurist", ref);
	char contact[NOTICE_ADDRESS_MAX + 1];
	if (in->contact != NULL && notice_bare_address(in->contact, contact))
		g_string_append_printf(ask, " (%s)", contact);
	g_string_append(ask, ".");
	strbuf_puts(b, "\n");
	notice_wrap(b, 0, ask->str);
	g_string_free(ask, TRUE);
	if (notice_url_ok(in->console_url)) {
		/* said only where a console is configured: a link that leads
		 * nowhere would send people looking */
		strbuf_puts(b, "\n");
		notice_wrap(b, 0, "To see where your message stands, or to ask the jurists for an "
				  "urgent review with your reason, sign in to the jurists' console at:");
		notice_console_link(b, in->console_url, ref);
	}
	strbuf_puts(b, "\n-- \ngrondslag, an automatic notice. Replies to it are not read.\n");
}

char *notice_hold(const struct notice_hold_info *in)
{
	struct notice_held hd;
	if (in == NULL || (in->nrcpts > 0 && in->rcpts == NULL) ||
	    !notice_held_init(&hd, in->ref, in->queue_id, in->subject))
		return NULL;
	char fixed[128];
	snprintf(fixed, sizeof fixed, "[grondslag] Your message was held: %s", hd.ref);
	const char *to[1] = {in->to};
	struct notice_head h = {
		.from = in->from, .to = to, .nto = 1, .when = in->when, .kind = "hold",
		.ref = hd.ref, .hostname = in->hostname, .subject_fixed = fixed,
		.subject_held = hd.subject, .tag = hd.ref,
	};
	struct hold_arg arg = {in, &hd};
	char *text = notice_compose(&h, body_text, &arg);
	notice_held_clear(&hd);
	return text;
}
