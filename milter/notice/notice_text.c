/*
 * notice_text.c - the pieces every notice is built from (notice_priv.h):
 * cleaning and screening of hostile values, header
 * fields, wrapping, and the MIME body in 7bit or quoted-printable.
 *
 * Headers carry only checked ASCII addresses, fixed text of ours, and a
 * held subject either as plain printable ASCII or RFC 2047 encoded words;
 * the body is cleaned text, sent as quoted-printable when not plain ASCII,
 * so no line is ever over 78 characters.
 * Limits: see notice_priv.h (subject 120 bytes, an address 320, a
 * recipient 256, an explanation 2000, reasons 500).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gmime/gmime.h>

#include "grondslag/base/clean.h"
#include "grondslag/base/strbuf.h"
#include "grondslag/scan/charset.h"
#include "grondslag/scan/ipscan.h"
#include "notice_priv.h"

#define QP_LINE 76
/* A character that must not appear in a notice: controls (C0, DEL, C1),
 * line and paragraph separators, and bidi controls that could disguise
 * the text ("Trojan Source"). */
static bool unwanted(gunichar c)
{
	return clean_unwanted_cp(c, CLEAN_BIDI);
}

/* Cleaned copy of in (g_free): valid UTF-8, unwanted characters as a
 * space, at most max bytes cut at a character ("..." then added). */
char *notice_clean(const char *in, size_t max)
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

/* Does in hold an address anywhere: screened whole, before any cut
 * (a cut could leave a piece no scanner recognises). */
static bool has_address_uncut(const char *in)
{
	char *all = notice_clean(in, strlen(in ? in : "") * 3 + 4);
	bool found = notice_has_address(all);
	g_free(all);
	return found;
}

/* Screened copy: a value with an address in it is not repeated at all
 * (a part of it could still be one), only said to be left out. */
char *notice_shown(const char *in, size_t max)
{
	if (has_address_uncut(in))
		return g_strdup(NOTICE_WITHHELD);
	return notice_clean(in, max);
}

/* Is c allowed in an address written into a header? */
static bool address_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("<>()\\\",;", c) == NULL;
}

/* The bare address of "<a@b>" or "a@b" into out, or false. */
bool notice_bare_address(const char *in, char out[NOTICE_ADDRESS_MAX + 1])
{
	if (in == NULL)
		return false;
	size_t n = strlen(in);
	if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
		in++;
		n -= 2;
	}
	if (n == 0 || n > NOTICE_ADDRESS_MAX)
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


/* ipscan callback: an address was found; stop. */
static int found_address(void *arg, const struct ipscan_match *m)
{
	(void)m;
	*(bool *)arg = true;
	return 1;
}

/* Does text contain anything ipscan takes for an IP address or prefix? */
bool notice_has_address(const char *text)
{
	bool found = false;
	ipscan_buffer(text, strlen(text), found_address, &found);
	return found;
}

/* Keep only [A-Za-z0-9.-] (queue ids, references, host names). */
void notice_token(const char *in, char *out, size_t size, const char *fallback)
{
	size_t n = 0;
	for (const char *p = in ? in : ""; *p != '\0' && n + 1 < size; p++)
		if (g_ascii_isalnum(*p) || *p == '.' || *p == '-')
			out[n++] = *p;
	out[n] = '\0';
	if (n == 0)
		snprintf(out, size, "%s", fallback);
}

/* The UTC day of when as YYYY-MM-DD. */
void notice_day(time_t when, char *out, size_t size)
{
	struct tm tm;
	if (gmtime_r(&when, &tm) == NULL)
		memset(&tm, 0, sizeof tm);
	snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* RFC 5322 date in UTC, independent of the locale. */
void notice_date(time_t when, char *out, size_t size)
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

/* The Subject header: our fixed text, then the held subject as it is when
 * plain ASCII, else as RFC 2047 "B" words of at most 45 bytes of UTF-8
 * (72 characters), each on its own folded line, split at characters. */
void notice_subject_header(struct strbuf *b, const char *fixed, const char *subject)
{
	strbuf_printf(b, "Subject: %s", fixed);
	if (subject[0] == '\0') {
		strbuf_puts(b, "\r\n");
		return;
	}
	if (plain_ascii(subject)) {
		strbuf_printf(b, " - %s\r\n", subject);
		return;
	}
	strbuf_puts(b, " -");
	for (const char *p = subject; *p != '\0';) {
		const char *end = p;
		while (*end != '\0' && g_utf8_next_char(end) - p <= 45)
			end = g_utf8_next_char(end);
		if (end == p)
			end = g_utf8_next_char(p);	/* cannot happen: chars are <= 4 bytes */
		gchar *b64 = g_base64_encode((const guchar *)p, (gsize)(end - p));
		strbuf_printf(b, "\r\n =?UTF-8?B?%s?=", b64);
		g_free(b64);
		p = end;
	}
	strbuf_puts(b, "\r\n");
}

/* From: with an optional display name ("Name <a@b>"); false if unsafe. */
bool notice_from_header(struct strbuf *b, const char *from)
{
	char addr[NOTICE_ADDRESS_MAX + 1], name[64] = "grondslag";
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
	if (!notice_bare_address(from, addr))
		return false;
	strbuf_printf(b, "From: \"%s\" <%s>\r\n", name[0] ? name : "grondslag", addr);
	return true;
}

/* Append text wrapped at NOTICE_WRAP columns, later lines indented. */
void notice_wrap(struct strbuf *b, size_t indent, const char *text)
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
		if (!first && col + 1 + cols > NOTICE_WRAP) {
			strbuf_printf(b, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			strbuf_puts(b, " ");
			col++;
		}
		strbuf_add(b, w, (size_t)(p - w));
		col += cols;
		first = false;
	}
	strbuf_puts(b, "\n");
}

void notice_subject_line(struct strbuf *b, const struct notice_held *hd)
{
	strbuf_puts(b, "Subject:    ");
	notice_wrap(b, 12, hd->withheld ? NOTICE_WITHHELD : hd->subject[0] ? hd->subject : "(none)");
}

void notice_held_rcpts(struct strbuf *b, const struct hold_rcpt *r, size_t n,
		       size_t ndelivered, size_t max, size_t soft_max, const char *hint)
{
	strbuf_printf(b, "Held for %zu recipient%s:\n\n", n, n == 1 ? "" : "s");
	size_t i = 0;
	for (; i < n && i < max && b->len < soft_max; i++)
		notice_rcpt_block(b, &r[i]);
	if (i < n)
		strbuf_printf(b, "  ... and %zu more%s.\n\n", n - i, hint ? hint : "");
	if (ndelivered > 0)
		strbuf_printf(b, "The other %zu recipient%s got the message now.\n\n", ndelivered,
			       ndelivered == 1 ? "" : "s");
	else
		strbuf_puts(b, "No recipient got the message.\n\n");
}

/* One held recipient: address, party, reasons, the jurist's sentence. */
void notice_rcpt_block(struct strbuf *b, const struct hold_rcpt *r)
{
	/* an address literal (a@[192.0.2.1]) is an address too: screened */
	char *rcpt = notice_shown(r->recipient, NOTICE_RCPT_MAX);
	char *party = r->party ? notice_shown(r->party, NOTICE_RCPT_MAX) : NULL;
	char *reasons = notice_shown(r->reasons, NOTICE_REASONS_MAX);
	char *why = notice_shown(r->explanation, NOTICE_EXPLANATION_MAX);
	GString *rs = g_string_new(NULL);
	/* "a,b" reads better as "a, b" */
	for (const char *p = reasons; *p != '\0'; p++) {
		g_string_append_c(rs, *p);
		if (*p == ',' && p[1] != ' ')
			g_string_append_c(rs, ' ');
	}
	strbuf_puts(b, "  ");
	notice_wrap(b, 4, rcpt);
	strbuf_puts(b, "    party:   ");
	notice_wrap(b, 13, party && party[0] ? party : "unknown (not in the registry)");
	strbuf_puts(b, "    reasons: ");
	notice_wrap(b, 13, rs->len ? rs->str : "-");
	if (why[0] != '\0') {
		strbuf_puts(b, "    why:     ");
		notice_wrap(b, 13, why);
	}
	strbuf_puts(b, "\n");
	g_string_free(rs, TRUE);
	g_free(rcpt);
	g_free(party);
	g_free(reasons);
	g_free(why);
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
static void body_encode(struct strbuf *b, const char *text, bool qp)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0;
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '\n') {
			strbuf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		if (!qp) {
			strbuf_add(b, p, 1);
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
			strbuf_puts(b, "=\r\n");
			col = 0;
		}
		strbuf_add(b, enc, n);
		col += n;
	}
}

bool notice_head(struct strbuf *b, const struct notice_head *h)
{
	char to[NOTICE_ADDRESS_MAX + 1], host[254], date[160];
	if (h->nto == 0 || !notice_from_header(b, h->from))
		return false;
	for (size_t i = 0; i < h->nto; i++) {
		if (!notice_bare_address(h->to[i], to))
			return false;
		/* one address per folded line keeps every line short */
		strbuf_printf(b, "%s<%s>", i == 0 ? "To: " : ",\r\n ", to);
	}
	notice_token(h->hostname, host, sizeof host, "localhost");
	notice_date(h->when, date, sizeof date);
	strbuf_printf(b, "\r\nDate: %s\r\n", date);
	strbuf_printf(b, "Message-ID: <%s.%s.%lld@%s>\r\n", h->ref, h->kind, (long long)h->when,
		       host);
	notice_subject_header(b, h->subject_fixed, h->subject_held ? h->subject_held : "");
	strbuf_puts(b, "Auto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n");
	strbuf_printf(b, "X-Grondslag-Notice: %s\r\n", h->tag);
	return true;
}

char *notice_finish(struct strbuf *head, struct strbuf *body)
{
	bool qp = !body->oom && needs_qp(body->s ? body->s : "");
	strbuf_printf(head, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
			     "Content-Transfer-Encoding: %s\r\n\r\n",
		       qp ? "quoted-printable" : "7bit");
	if (!body->oom && body->s != NULL)
		body_encode(head, body->s, qp);
	bool oom = head->oom || body->oom;
	free(body->s);
	memset(body, 0, sizeof *body);
	if (oom) {
		free(head->s);
		memset(head, 0, sizeof *head);
		return NULL;
	}
	return head->s;
}

bool notice_held_init(struct notice_held *hd, const char *ref, const char *queue_id,
		      const char *subject)
{
	notice_token(ref, hd->ref, sizeof hd->ref, "");
	if (hd->ref[0] == '\0')
		return false;
	notice_token(queue_id, hd->qid, sizeof hd->qid, "unknown");
	/* as the reader would see it: RFC 2047 words decoded, so that an
	 * address inside an encoded word is found too */
	charset_global_init();
	char *decoded = g_mime_utils_header_decode_text(NULL, subject ? subject : "");
	/* never repeat an address found in the mail, not even to its sender */
	hd->withheld = decoded == NULL || has_address_uncut(decoded);
	hd->subject = notice_clean(hd->withheld ? "" : decoded, NOTICE_SUBJECT_MAX);
	g_free(decoded);
	return true;
}

void notice_held_clear(struct notice_held *hd)
{
	g_free(hd->subject);
	hd->subject = NULL;
}

char *notice_compose(const struct notice_head *h,
		     void (*fill)(struct strbuf *body, const void *arg), const void *arg)
{
	struct strbuf b = {0}, body = {0};
	if (!notice_head(&b, h)) {
		free(b.s);
		return NULL;
	}
	fill(&body, arg);
	return notice_finish(&b, &body);
}
