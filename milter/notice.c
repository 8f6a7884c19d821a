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
 * is not repeated at all.
 * Limits: subject 120 bytes, an address 320, a recipient 256, an
 * explanation 2000, reasons 500, at most 200 recipients listed (then a
 * count of the rest).
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/ipscan.h"
#include "grondslag/notice.h"

#define SUBJECT_MAX 120
#define ADDRESS_MAX 320
#define RCPT_MAX 256
#define EXPLANATION_MAX 2000
#define REASONS_MAX 500
#define RCPTS_LISTED 200
#define WRAP 72
#define QP_LINE 76

/* A growing text; oom latches so callers check once at the end. */
struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

/* Append n bytes. */
static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void buf_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A character that must not appear in a notice: controls (C0, DEL, C1),
 * line and paragraph separators, and bidi controls that could disguise
 * the text ("Trojan Source"). */
static bool unwanted(gunichar c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e ||
	       c == 0x200f || c == 0x061c;
}

/* Cleaned copy of in (g_free): valid UTF-8, unwanted characters as a
 * space, at most max bytes cut at a character ("..." then added). */
static char *clean(const char *in, size_t max)
{
	char *valid = g_utf8_make_valid(in ? in : "", -1);
	GString *out = g_string_sized_new(64);
	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		size_t clen = (size_t)(g_utf8_next_char(p) - p);
		if (out->len + clen > max) {
			g_string_append(out, "...");
			break;
		}
		if (unwanted(c))
			g_string_append_c(out, ' ');
		else
			g_string_append_len(out, p, (gssize)clen);
	}
	g_free(valid);
	return g_string_free(out, FALSE);
}

/* Is c allowed in an address written into a header? */
static bool address_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("<>()\\\",;", c) == NULL;
}

/* The bare address of "<a@b>" or "a@b" into out, or false. */
static bool bare_address(const char *in, char out[ADDRESS_MAX + 1])
{
	if (in == NULL)
		return false;
	size_t n = strlen(in);
	if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
		in++;
		n -= 2;
	}
	if (n == 0 || n > ADDRESS_MAX)
		return false;
	const char *at = memchr(in, '@', n);
	if (at == NULL || at == in || at == in + n - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!address_char((unsigned char)in[i]))
			return false;
	memcpy(out, in, n);
	out[n] = '\0';
	return true;
}

bool notice_sender_ok(const char *envelope_sender)
{
	char addr[ADDRESS_MAX + 1];
	return bare_address(envelope_sender, addr);
}

/* ipscan callback: an address was found; stop. */
static int found_address(void *arg, const struct ipscan_match *m)
{
	(void)m;
	*(bool *)arg = true;
	return 1;
}

/* Does text contain anything ipscan takes for an IP address or prefix? */
static bool has_address(const char *text)
{
	bool found = false;
	ipscan_buffer(text, strlen(text), found_address, &found);
	return found;
}

/* Keep only [A-Za-z0-9.-] (queue ids, references, host names). */
static void token(const char *in, char *out, size_t size, const char *fallback)
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p != '\0' && n + 1 < size; p++)
		if (g_ascii_isalnum(*p) || *p == '.' || *p == '-')
			out[n++] = *p;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "%s", fallback);
}

/* RFC 5322 date in UTC, independent of the locale. */
static void rfc5322_date(time_t when, char *out, size_t size)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	if (gmtime_r(&when, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		 tm.tm_sec);
}

/* Printable ASCII with no "=?" that could be taken for an encoded word. */
static bool plain_ascii(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return false;
	return strstr(s, "=?") == NULL;
}

/* The Subject header: fixed text, then the held subject as it is when
 * plain ASCII, else as RFC 2047 "B" words of at most 45 bytes of UTF-8
 * (72 characters), each on its own folded line, split at characters. */
static void subject_header(struct buf *b, const char *ref, const char *subject)
{
	buf_fmt(b, "Subject: [grondslag] Your message was held: %s", ref);
	if (subject[0] == '\0') {
		buf_str(b, "\r\n");
		return;
	}
	if (plain_ascii(subject)) {
		buf_fmt(b, " - %s\r\n", subject);
		return;
	}
	buf_str(b, " -");
	for (const char *p = subject; *p != '\0';) {
		const char *end = p;
		while (*end != '\0' && g_utf8_next_char(end) - p <= 45)
			end = g_utf8_next_char(end);
		if (end == p)
			end = g_utf8_next_char(p);	/* cannot happen: chars are <= 4 bytes */
		gchar *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		buf_fmt(b, "\r\n =?UTF-8?B?%s?=", b64);
		g_free(b64);
		p = end;
	}
	buf_str(b, "\r\n");
}

/* From: with an optional display name ("Name <a@b>"); false if unsafe. */
static bool from_header(struct buf *b, const char *from)
{
	char addr[ADDRESS_MAX + 1], name[64] = "grondslag";
	const char *lt = from ? strrchr(from, '<') : NULL;
	if (lt != NULL && lt != from) {
		size_t n = 0;
		for (const char *p = from; p < lt && n + 1 < sizeof name; p++)
			if (g_ascii_isalnum(*p) || strchr(" .-_", *p))
				name[n++] = *p;
		while (n > 0 && name[n - 1] == ' ')
			n--;
		name[n] = '\0';
		from = lt;
	}
	if (!bare_address(from, addr))
		return false;
	buf_fmt(b, "From: \"%s\" <%s>\r\n", name[0] ? name : "grondslag", addr);
	return true;
}

/* Append text wrapped at WRAP columns, lines after the first indented. */
static void wrap(struct buf *b, size_t indent, const char *text)
{
	size_t col = indent;
	const char *p = text;
	bool first = true;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		const char *w = p;
		size_t cols = 0;
		while (*p != '\0' && *p != ' ') {
			if (((unsigned char)*p & 0xc0) != 0x80)
				cols++;
			p++;
		}
		if (p == w)
			break;
		if (!first && col + 1 + cols > WRAP) {
			buf_fmt(b, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			buf_str(b, " ");
			col++;
		}
		buf_add(b, w, (size_t)(p - w));
		col += cols;
		first = false;
	}
	buf_str(b, "\n");
}

/* One held recipient: address, party, reasons, the jurist's sentence. */
static void recipient_block(struct buf *b, const struct store_hold_rcpt *r)
{
	char *rcpt = clean(r->recipient, RCPT_MAX);
	char *party = r->party ? clean(r->party, RCPT_MAX) : NULL;
	char *reasons = clean(r->reasons, REASONS_MAX);
	char *why = clean(r->explanation, EXPLANATION_MAX);
	GString *rs = g_string_new(NULL);
	/* "a,b" reads better as "a, b" */
	for (const char *p = reasons; *p != '\0'; p++) {
		g_string_append_c(rs, *p);
		if (*p == ',' && p[1] != ' ')
			g_string_append_c(rs, ' ');
	}
	buf_str(b, "  ");
	wrap(b, 4, rcpt);
	buf_str(b, "    party:   ");
	wrap(b, 13, party && party[0] ? party : "unknown (not in the registry)");
	buf_str(b, "    reasons: ");
	wrap(b, 13, rs->len ? rs->str : "-");
	if (why[0] != '\0') {
		buf_str(b, "    why:     ");
		wrap(b, 13, why);
	}
	buf_str(b, "\n");
	g_string_free(rs, TRUE);
	g_free(rcpt);
	g_free(party);
	g_free(reasons);
	g_free(why);
}

/* The body text, LF line ends. */
static void body_text(struct buf *b, const struct notice_hold_info *in, const char *ref,
		      const char *subject, bool subject_withheld, const char *qid)
{
	char date[160];
	rfc5322_date(in->when, date, sizeof date);
	wrap(b, 0, "Your message was held by grondslag, the check of the legal basis for "
		   "sharing incident data by mail. It has not been delivered to the "
		   "recipients listed below.");
	buf_fmt(b, "\nReference:  %s\n", ref);
	buf_str(b, "Subject:    ");
	wrap(b, 12, subject_withheld ? "(not shown: it contains addresses)"
		    : subject[0] ? subject : "(none)");
	buf_fmt(b, "Queue ID:   %s\nHeld on:    %s\n\n", qid, date);
	buf_fmt(b, "Held for %zu recipient%s:\n\n", in->nrcpts, in->nrcpts == 1 ? "" : "s");
	for (size_t i = 0; i < in->nrcpts && i < RCPTS_LISTED; i++)
		recipient_block(b, &in->rcpts[i]);
	if (in->nrcpts > RCPTS_LISTED)
		buf_fmt(b, "  ... and %zu more.\n\n", in->nrcpts - RCPTS_LISTED);
	if (in->ndelivered > 0)
		buf_fmt(b, "The other %zu recipient%s got the message now.\n\n", in->ndelivered,
			in->ndelivered == 1 ? "" : "s");
	else
		buf_str(b, "No recipient got the message.\n\n");
	buf_str(b, "What happens next\n\n");
	wrap(b, 0, "A jurist reviews the held message and either releases it to the "
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
	wrap(b, 0, exp->str);
	g_string_free(exp, TRUE);
	GString *ask = g_string_new(NULL);
	g_string_append_printf(ask, "Questions? Quote the reference %s when you ask a jurist", ref);
	char contact[ADDRESS_MAX + 1];
	if (in->contact != NULL && bare_address(in->contact, contact))
		g_string_append_printf(ask, " (%s)", contact);
	g_string_append(ask, ".");
	buf_str(b, "\n");
	wrap(b, 0, ask->str);
	g_string_free(ask, TRUE);
	buf_str(b, "\n-- \ngrondslag, an automatic notice. Replies to it are not read.\n");
}

/* Does the LF-separated text need quoted-printable? */
static bool needs_qp(const char *text)
{
	size_t col = 0;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n') {
			col = 0;
			continue;
		}
		if ((unsigned char)*p >= 0x80 || ++col > QP_LINE)
			return true;
	}
	return false;
}

/* Append the LF text with CRLF, quoted-printable when qp (RFC 2045 6.7). */
static void body_encode(struct buf *b, const char *text, bool qp)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n') {
			buf_str(b, "\r\n");
			col = 0;
			continue;
		}
		if (!qp) {
			buf_add(b, p, 1);
			continue;
		}
		char enc[3];
		size_t n = 1;
		bool line_end = p[1] == '\n' || p[1] == '\0';
		if ((c >= 33 && c <= 126 && c != '=') || (c == ' ' && !line_end)) {
			enc[0] = (char)c;
		} else {
			enc[0] = '=';
			enc[1] = hex[c >> 4];
			enc[2] = hex[c & 15];
			n = 3;
		}
		/* a soft break keeps every line at 76 with its '=' */
		if (col + n > QP_LINE - 1 && !(line_end && col + n <= QP_LINE)) {
			buf_str(b, "=\r\n");
			col = 0;
		}
		buf_add(b, enc, n);
		col += n;
	}
}

char *notice_hold(const struct notice_hold_info *in)
{
	if (in == NULL || (in->nrcpts > 0 && in->rcpts == NULL))
		return NULL;
	char to[ADDRESS_MAX + 1], ref[64], qid[64], host[254], date[160];
	if (!bare_address(in->to, to))
		return NULL;
	token(in->ref, ref, sizeof ref, "");
	if (ref[0] == '\0')
		return NULL;
	token(in->queue_id, qid, sizeof qid, "unknown");
	token(in->hostname, host, sizeof host, "localhost");
	rfc5322_date(in->when, date, sizeof date);
	char *subject = clean(in->subject, SUBJECT_MAX);
	/* never repeat an address found in the mail, not even to its sender */
	bool withheld = has_address(subject);
	if (withheld)
		subject[0] = '\0';
	struct buf b = {0}, body = {0};
	if (!from_header(&b, in->from)) {
		g_free(subject);
		free(b.p);
		return NULL;
	}
	buf_fmt(&b, "To: <%s>\r\nDate: %s\r\n", to, date);
	buf_fmt(&b, "Message-ID: <%s.hold.%lld@%s>\r\n", ref, (long long)in->when, host);
	subject_header(&b, ref, subject);
	buf_str(&b, "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n");
	buf_fmt(&b, "X-Grondslag-Notice: %s\r\n", ref);
	body_text(&body, in, ref, subject, withheld, qid);
	bool qp = !body.oom && needs_qp(body.p);
	buf_fmt(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: %s\r\n\r\n", qp ? "quoted-printable" : "7bit");
	if (!body.oom)
		body_encode(&b, body.p, qp);
	g_free(subject);
	bool oom = b.oom || body.oom;
	free(body.p);
	if (oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
