/*
 * notice_jurist.c - the jurists' notices (notice.h): one on each new
 * hold, and the daily roundup of holds close to expiry; plus the pure
 * rules around them (who gets them, which holds a roundup lists, when a
 * roundup is due).
 *
 * Like every notice they name the reference, the sender, the held
 * recipients with their parties, reason codes and the jurist's sentence,
 * and counts: never an address found, never content.  Any value in which
 * ipscan finds an IP address (a subject, an address literal as sender or
 * recipient) is replaced by "(not shown: ...)", so the notice passes the
 * milter without being held.  Built from notice_text.c's pieces.
 *
 * Public functions: notice_jurist_hold(), notice_roundup(),
 * notice_roundup_lists(), notice_roundup_due(), notice_jurist_to().
 * Limits (a burst of holds makes one notice per hold, so each is
 * bounded): at most 100 recipients listed per hold and 10 per hold in the
 * roundup, 100 holds in a roundup, and no more recipients or holds once a
 * body passes 64 KiB (then a count of the rest); the sender 320 bytes,
 * countries 200.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "grondslag/notice/notice.h"
#include "notice_priv.h"

#define HOLD_RCPTS_LISTED 100
#define DIGEST_RCPTS_LISTED 10
#define DIGEST_HOLDS_LISTED 100
#define BODY_SOFT_MAX (64 * 1024)
#define COUNTRIES_MAX 200
#define DAY 86400

/* "provider-traceable, incident" of a category bit set, "none" if empty. */
static void category_list(unsigned cats, char *out, size_t size)
{
	static const enum category all[] = {CAT_PROVIDER_TRACEABLE, CAT_INCIDENT,
					    CAT_UNSCANNABLE, CAT_PERSONAL_DATA, CAT_CREDENTIALS};
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if ((cats & all[i]) && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? ", " : "",
						category_name(all[i]));
	if (out[0] == '\0')
		snprintf(out, size, "none");
}

/* "BE 3, NL 1, unknown 2" from gate's "BE:3,NL:1,unknown:2": letters and
 * digits only, so nothing in it can look like an address. */
static void country_list(const char *in, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p != '\0' && n + 3 < size && n < COUNTRIES_MAX; p++) {
		if (g_ascii_isalnum(*p))
			out[n++] = *p;
		else if (*p == ':')
			out[n++] = ' ';
		else if (*p == ',') {
			out[n++] = ',';
			out[n++] = ' ';
		}
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "-");
}

/* "Label:      value" wrapped, value screened for addresses. */
static void field(struct strbuf *b, const char *label, const char *value, size_t max)
{
	char *v = notice_shown(value, max);
	strbuf_printf(b, "%-12s", label);
	notice_wrap(b, 12, v[0] ? v : "(none)");
	g_free(v);
}

/* "2025-03-28 12:00 UTC" */
static void utc_minute(time_t when, char *out, size_t size)
{
	char day[16];
	struct tm tm;
	notice_day(when, day, sizeof day);
	if (gmtime_r(&when, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(out, size, "%s %02d:%02d UTC", day, tm.tm_hour, tm.tm_min);
}

/* How to act on ref: the grondslag commands. */
static void how_to_act(struct strbuf *b, const char *ref)
{
	strbuf_puts(b, "What to do\n\n");
	strbuf_printf(b, "  grondslag show %s\n", ref);
	strbuf_puts(b, "      the decisions, counts and parts (add --content for the\n"
			  "      message and the addresses found; that view is recorded)\n");
	strbuf_printf(b, "  grondslag approve %s --reason \"WHY\" [--basis ID]\n", ref);
	strbuf_puts(b, "      release it once enough jurists approved (ReleaseApprovals);\n"
			  "      nobody can approve a message they sent\n");
	strbuf_printf(b, "  grondslag deny %s --reason \"WHY\"\n", ref);
	strbuf_puts(b, "      it is not delivered; the sender is told\n\n");
}

struct hold_arg {
	const struct notice_jurist_info *in;
	const struct notice_held *hd;
};

/* The body of the hold notice, LF line ends (a notice_compose() filler). */
static void hold_body(struct strbuf *b, const void *arg)
{
	const struct notice_jurist_info *in = ((const struct hold_arg *)arg)->in;
	const struct notice_held *hd = ((const struct hold_arg *)arg)->hd;
	const char *ref = hd->ref;
	char date[160], until[64], cats[160], countries[COUNTRIES_MAX + 8];
	notice_wrap(b, 0, "A message was held by grondslag and waits for a decision by the "
			  "jurists. The addresses found in it are not repeated here.");
	strbuf_printf(b, "\n%-12s%s\n", "Reference:", ref);
	field(b, "Sender:", in->sender, NOTICE_ADDRESS_MAX);
	notice_subject_line(b, hd);
	notice_date(in->when, date, sizeof date);
	strbuf_printf(b, "%-12s%s\n%-12s%s\n", "Queue ID:", hd->qid, "Held on:", date);
	if (in->expiry_days > 0) {
		utc_minute(in->when + (time_t)in->expiry_days * DAY, until, sizeof until);
		strbuf_printf(b, "%-12s%s (undecided after %u day%s: not sent)\n", "Expires on:",
			       until, in->expiry_days, in->expiry_days == 1 ? "" : "s");
	}
	category_list(in->categories, cats, sizeof cats);
	country_list(in->countries, countries, sizeof countries);
	const char *tlp = tlp_name((enum tlp_level)in->tlp);
	strbuf_puts(b, "\nWhat was found (counts only)\n\n");
	strbuf_printf(b, "  categories:        %s\n", cats);
	strbuf_printf(b, "  TLP:               %s\n", tlp && tlp[0] ? tlp : "none");
	strbuf_printf(b, "  public addresses:  %zu\n", in->public_addresses);
	strbuf_puts(b, "  by country:        ");
	notice_wrap(b, 21, countries);
	char hint[sizeof hd->ref + 32];
	snprintf(hint, sizeof hint, " (grondslag show %s)", ref);
	strbuf_puts(b, "\n");
	notice_held_rcpts(b, in->rcpts, in->nrcpts, in->ndelivered, HOLD_RCPTS_LISTED,
			  BODY_SOFT_MAX, hint);
	how_to_act(b, ref);
	strbuf_puts(b, "-- \ngrondslag, an automatic notice to the jurists. Replies to it "
			  "are\nnot read.\n");
}

char *notice_jurist_hold(const struct notice_jurist_info *in)
{
	struct notice_held hd;
	if (in == NULL || (in->nrcpts > 0 && in->rcpts == NULL) || in->to == NULL ||
	    !notice_held_init(&hd, in->ref, in->queue_id, in->subject))
		return NULL;
	char fixed[128];
	snprintf(fixed, sizeof fixed, "[grondslag] Held for review: %s", hd.ref);
	struct notice_head h = {
		.from = in->from, .to = in->to, .nto = in->nto, .when = in->when,
		.kind = "jurist", .ref = hd.ref, .hostname = in->hostname, .subject_fixed = fixed,
		.subject_held = hd.subject, .tag = hd.ref,
	};
	struct hold_arg arg = {in, &hd};
	char *text = notice_compose(&h, hold_body, &arg);
	notice_held_clear(&hd);
	return text;
}

bool notice_roundup_lists(const struct store_hold_record *h, time_t now, unsigned expiry_days,
			 unsigned warning_days)
{
	if (h == NULL || warning_days == 0 || h->state == NULL)
		return false;
	/* releasing and the final states need no jurist; approved recipients
	 * wait for the releaser, not for a decision */
	if (strcmp(h->state, "pending") != 0 && strcmp(h->state, "partly-approved") != 0)
		return false;
	bool waiting = false;
	for (size_t i = 0; i < h->nrcpts && !waiting; i++)
		waiting = h->rcpts[i].state != NULL && strcmp(h->rcpts[i].state, "held") == 0;
	time_t expires = h->received + (time_t)expiry_days * DAY;
	/* at expires the releaser expires it: from then on it is too late */
	return waiting && expires > now && expires - now <= (time_t)warning_days * DAY;
}

bool notice_roundup_due(time_t last, time_t now)
{
	/* one per UTC day; a clock set back never sends a second one */
	return last <= 0 || now / DAY > last / DAY;
}

/* One hold of the roundup. */
static void roundup_hold(struct strbuf *b, const struct store_hold_record *h, time_t now,
			unsigned expiry_days)
{
	char ref[64], day[16], until[64];
	notice_token(h->ref, ref, sizeof ref, "?");
	time_t expires = h->received + (time_t)expiry_days * DAY;
	long long age = now > h->received ? (long long)(now - h->received) / DAY : 0;
	long long left_h = (long long)(expires - now + 3599) / 3600;
	notice_day(h->received, day, sizeof day);
	utc_minute(expires, until, sizeof until);
	strbuf_printf(b, "%s\n", ref);
	field(b, "  sender:", h->sender, NOTICE_ADDRESS_MAX);
	strbuf_printf(b, "  held on:  %s (%lld day%s ago)\n", day, age, age == 1 ? "" : "s");
	strbuf_printf(b, "  expires:  %s (in %lld hour%s)\n", until, left_h,
		       left_h == 1 ? "" : "s");
	strbuf_printf(b, "  state:    %s\n", strcmp(h->state, "pending") == 0
						   ? "pending" : "partly-approved");
	size_t shown = 0, waiting = 0;
	for (size_t i = 0; i < h->nrcpts; i++) {
		const struct store_hold_rcpt_record *r = &h->rcpts[i];
		if (r->state == NULL || strcmp(r->state, "held") != 0)
			continue;
		if (waiting++ >= DIGEST_RCPTS_LISTED)
			continue;
		char *rcpt = notice_shown(r->recipient, NOTICE_RCPT_MAX);
		char *party = notice_shown(r->party && r->party[0] ? r->party : "unknown",
					   NOTICE_RCPT_MAX);
		char *reasons = notice_shown(r->reasons, NOTICE_REASONS_MAX);
		GString *line = g_string_new(NULL);
		g_string_printf(line, "%s - party %s; %s", rcpt, party, reasons);
		strbuf_puts(b, "    ");
		notice_wrap(b, 6, line->str);
		g_string_free(line, TRUE);
		g_free(rcpt);
		g_free(party);
		g_free(reasons);
		shown++;
	}
	if (waiting > shown)
		strbuf_printf(b, "    ... and %zu more waiting\n", waiting - shown);
	strbuf_puts(b, "\n");
}

/* The body of the roundup, LF line ends; the holds listed in *listed. */
static void roundup_body(struct strbuf *b, const struct notice_roundup_info *in,
			size_t *listed)
{
	size_t total = 0;
	for (size_t i = 0; i < in->nholds; i++)
		total += notice_roundup_lists(in->holds[i], in->now, in->expiry_days,
					     in->warning_days);
	GString *intro = g_string_new(NULL);
	g_string_printf(intro, "%zu held message%s expire%s within %u day%s unless a jurist "
			"decides. An undecided hold expires %u day%s after it was held: the "
			"message is then not delivered to the recipients still held, and the "
			"sender is told.", total, total == 1 ? "" : "s", total == 1 ? "s" : "",
			in->warning_days, in->warning_days == 1 ? "" : "s", in->expiry_days,
			in->expiry_days == 1 ? "" : "s");
	notice_wrap(b, 0, intro->str);
	g_string_free(intro, TRUE);
	strbuf_puts(b, "\n");
	*listed = 0;
	for (size_t i = 0; i < in->nholds; i++) {
		if (!notice_roundup_lists(in->holds[i], in->now, in->expiry_days, in->warning_days))
			continue;
		if (*listed >= DIGEST_HOLDS_LISTED || b->len >= BODY_SOFT_MAX)
			break;
		roundup_hold(b, in->holds[i], in->now, in->expiry_days);
		(*listed)++;
	}
	if (*listed < total)
		strbuf_printf(b, "... and %zu more: grondslag held\n\n", total - *listed);
	strbuf_puts(b, "For each: grondslag show REF, then grondslag approve REF --reason\n"
			  "\"WHY\" or grondslag deny REF --reason \"WHY\".\n\n"
			  "-- \ngrondslag, the daily digest to the jurists (at most one a day,\n"
			  "only when a hold is close to expiry). Replies to it are not read.\n");
}

char *notice_roundup(const struct notice_roundup_info *in, size_t *listed)
{
	size_t dummy;
	if (listed == NULL)
		listed = &dummy;
	*listed = 0;
	if (in == NULL || in->to == NULL || (in->nholds > 0 && in->holds == NULL))
		return NULL;
	struct strbuf b = {0}, body = {0};
	roundup_body(&body, in, listed);
	if (*listed == 0) {
		free(body.s);
		return NULL;
	}
	char day[16], id[16], fixed[128];
	notice_day(in->now, day, sizeof day);
	notice_token(day, id, sizeof id, "day");
	snprintf(fixed, sizeof fixed, "[grondslag] Holds close to expiry: %zu (%s)", *listed, day);
	struct notice_head h = {
		.from = in->from, .to = in->to, .nto = in->nto, .when = in->now, .kind = id,
		.ref = "digest", .hostname = in->hostname, .subject_fixed = fixed,
		.subject_held = "", .tag = "digest",
	};
	if (!notice_head(&b, &h)) {
		free(body.s);
		free(b.s);
		return NULL;
	}
	return notice_finish(&b, &body);
}

size_t notice_jurist_to(const char *const *mail, size_t nmail, const char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < nmail && n < max; i++) {
		const char *v = mail[i];
		bool seen = !notice_sender_ok(v);
		for (size_t j = 0; j < n && !seen; j++)
			seen = g_ascii_strcasecmp(out[j], v) == 0;
		if (!seen)
			out[n++] = v;
	}
	return n;
}
