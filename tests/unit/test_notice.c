/*
 * test_notice.c - the hold notice: its headers, its body, and what
 * hostile input cannot do to it (header injection through the subject,
 * the addresses or the explanations; bidi overrides; invalid UTF-8), RFC
 * 2047 for a non-ASCII subject, quoted-printable bodies, line lengths,
 * and that it never repeats an address found in the mail.
 */
#include "testutil.h"

#include <glib.h>
#include <unistd.h>

#include "grondslag/scan/ipscan.h"
#include "grondslag/notice/notice.h"
#include "notice_check.h"

#define REF "G20250314-7KQ2M9XH0T"

static const struct hold_rcpt rcpts[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis,no-transfer-mechanism",
	 "No basis of party cisa permits provider-traceable data on 2025-03-14, and no "
	 "transfer mechanism for US is valid on that date."},
	{"<ops@unknown.example>", NULL, "unknown-party", "The recipient is not in the registry."},
};

static struct notice_hold_info sample(void)
{
	struct notice_hold_info in = {
		.from = "grondslag@ncsc.nl",
		.to = "<analyst@ncsc.nl>",
		.ref = REF,
		.queue_id = "4XyZ1a2b3c",
		.subject = "Weekly report",
		.hostname = "mx.ncsc.nl",
		.when = 1741953600,	/* Fri 2025-03-14 12:00:00 UTC */
		.rcpts = rcpts,
		.nrcpts = 2,
		.ndelivered = 3,
		.expiry_days = 14,
		.contact = "jurists@ncsc.nl",
	};
	return in;
}

static void test_notice_headers_and_body(void **state)
{
	(void)state;
	struct notice_hold_info in = sample();
	char *n = notice_hold(&in);
	assert_non_null(n);
	check_lines("plain", n, 998, 76);
	char *h = headers_of(n), *b = body_of(n);
	static const char *const want_headers[] = {
		"From: \"grondslag\" <grondslag@ncsc.nl>\r\n",
		"To: <analyst@ncsc.nl>\r\n",
		"Date: Fri, 14 Mar 2025 12:00:00 +0000\r\n",
		"Message-ID: <" REF ".hold.1741953600@mx.ncsc.nl>\r\n",
		"Subject: [grondslag] Your message was held: " REF " - Weekly report\r\n",
		"Auto-Submitted: auto-generated\r\n",
		"X-Grondslag-Notice: " REF "\r\n",
		"MIME-Version: 1.0\r\n",
		"Content-Type: text/plain; charset=utf-8\r\n",
		"Content-Transfer-Encoding: 7bit\r\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(want_headers); i++)
		contains("headers", h, want_headers[i]);
	assert_memory_equal(n, "From: ", 6);
	static const char *const want_body[] = {
		"Reference:  " REF "\n",
		"Subject:    Weekly report\n",
		"Queue ID:   4XyZ1a2b3c\n",
		"Held for 2 recipients:\n",
		"  <soc@cisa.gov>\n    party:   cisa\n    reasons: no-basis, no-transfer-mechanism\n",
		"    why:     No basis of party cisa permits provider-traceable data on\n"
		"             2025-03-14, and no transfer mechanism for US is valid on\n"
		"             that date.\n",
		"  <ops@unknown.example>\n    party:   unknown (not in the registry)\n"
		"    reasons: unknown-party\n",
		"The other 3 recipients got the message now.\n",
		"releases it to the",
		"within 14 days",
		"Quote the reference " REF " when you ask a\njurist (jurists@ncsc.nl).",
	};
	for (size_t i = 0; i < ARRAY_LEN(want_body); i++)
		contains("body", b, want_body[i]);
	free(h);
	free(b);
	free(n);

	/* variants: one recipient, none delivered, no expiry, a display name */
	in.nrcpts = 1;
	in.ndelivered = 0;
	in.expiry_days = 0;
	in.contact = NULL;
	in.from = "NCSC grondslag <grondslag@ncsc.nl>";
	in.subject = "";
	in.queue_id = "";
	n = notice_hold(&in);
	h = headers_of(n);
	b = body_of(n);
	contains("variant", h, "From: \"NCSC grondslag\" <grondslag@ncsc.nl>\r\n");
	contains("variant", h, "Subject: [grondslag] Your message was held: " REF "\r\n");
	contains("variant", b, "Held for 1 recipient:\n");
	contains("variant", b, "No recipient got the message.\n");
	contains("variant", b, "within the hold period");
	contains("variant", b, "Subject:    (none)\n");
	contains("variant", b, "Queue ID:   unknown\n");
	lacks("variant", b, "ops@unknown.example");
	free(h);
	free(b);
	free(n);
}

/* The console's link: named only when WebBaseURL is set and fit for a
 * notice; never a URL that could end the line or be read otherwise. */
static void test_notice_console_link(void **state)
{
	(void)state;
	static const struct {
		const char *url, *want;	/* want: the link line; NULL: no link */
	} cases[] = {
		{"https://console.ncsc.nl:8443", "  https://console.ncsc.nl:8443/hold/" REF "\n"},
		{"https://console.ncsc.nl/grondslag/", "  https://console.ncsc.nl/grondslag/hold/" REF
		 "\n"},
		{"http://127.0.0.1:8080", "  http://127.0.0.1:8080/hold/" REF "\n"},
		{NULL, NULL},
		{"", NULL},
		{"ftp://console.ncsc.nl", NULL},
		{"https://", NULL},
		{"https://console.ncsc.nl/\r\nBcc: x@y", NULL},
		{"https://console.ncsc.nl/ a", NULL},
		{"https://console.ncsc.nl/\"><script>", NULL},
		{"javascript:alert(1)", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_hold_info in = sample();
		in.console_url = cases[i].url;
		char *n = notice_hold(&in), *b = body_of(n);
		if (cases[i].want != NULL) {
			contains(cases[i].url, b, "console at:\n");
			contains(cases[i].url, b, cases[i].want);
		} else {
			lacks(cases[i].url ? cases[i].url : "(none)", b, "urgent");
			lacks(cases[i].url ? cases[i].url : "(none)", b, "/hold/");
		}
		free(b);
		free(n);
	}
}

/* The jurists' mail of an urgent request: what it says, what it never
 * repeats (an address in the justification), its headers. */
static void test_notice_urgent(void **state)
{
	(void)state;
	const char *to[] = {"alice@ncsc.nl", "bob@ncsc.nl"};
	struct notice_urgent_info in = {
		.from = "grondslag@ncsc.nl", .to = to, .nto = 2, .hostname = "mx.ncsc.nl",
		.ref = REF, .sender = "<carol@ncsc.nl>", .asked_by = "carol",
		.text = "The CERT needs it\ntoday.", .when = 1741953600,
		.expires = 1741953600 + 14 * 86400, .waiting = 2,
		.console_url = "https://console.ncsc.nl",
	};
	char *n = notice_urgent(&in);
	assert_non_null(n);
	check_lines("urgent", n, 998, 76);
	char *h = headers_of(n), *b = body_of(n);
	contains("urgent", h, "Subject: [grondslag] Urgent review asked: " REF "\r\n");
	contains("urgent", h, "To: <alice@ncsc.nl>, <bob@ncsc.nl>\r\n");
	contains("urgent", h, "X-Grondslag-Notice: " REF "\r\n");
	contains("urgent", b, "Reference:  " REF "\n");
	contains("urgent", b, "Sender:     <carol@ncsc.nl>\n");
	contains("urgent", b, "Asked by:   carol\n");
	contains("urgent", b, "Waiting:    2 recipients undecided\n");
	contains("urgent", b, "The CERT needs it today.");
	contains("urgent", b, "  https://console.ncsc.nl/hold/" REF "\n");
	contains("urgent", b, "a release still needs the approval");
	free(h);
	free(b);
	free(n);
	/* a justification naming an address is not repeated; no link
	 * without a console */
	in.text = "Please, 203.0.113.7 and 8.8.8.8 are waiting";
	in.console_url = "";
	n = notice_urgent(&in);
	b = body_of(n);
	lacks("urgent", b, "8.8.8.8");
	contains("urgent", b, "(not shown: it contains an IP address)");
	lacks("urgent", b, "/hold/");
	free(b);
	free(n);
	/* no jurist, no text, an unusable address: no mail */
	in.nto = 0;
	assert_null(notice_urgent(&in));
	in.nto = 2;
	in.text = NULL;
	assert_null(notice_urgent(&in));
	const char *bad[] = {"x@y\r\nBcc: v@example.com"};
	in.text = "t";
	in.to = bad;
	in.nto = 1;
	assert_null(notice_urgent(&in));
}

static void test_notice_injection(void **state)
{
	(void)state;
	static const struct hold_rcpt evil_rcpt[] = {
		{"<x@y.z>\r\nBcc: victim@example.com", "p\r\nX-Evil: 1",
		 "no-basis\r\nX-Evil: 2", "line one\r\n.\r\nMAIL FROM:<evil@example.com>\n\x1b[31m"},
	};
	static const struct {
		const char *name;
		const char *subject;
	} cases[] = {
		{"CRLF", "hello\r\nBcc: victim@example.com"},
		{"bare LF", "hello\nBcc: victim@example.com"},
		{"bare CR", "hello\rBcc: victim@example.com"},
		{"NUL-free controls", "a\tb\x01\x7f" "c\xc2\x85" "d"},
		{"encoded-word lookalike", "=?UTF-8?B?QmNjOiB4?="},
		{"invalid UTF-8", "caf\xe9 \xff\xfe \xc3"},
		{"bidi override", "invoice \xe2\x80\xae" "fdp.exe"},
		{"long", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_hold_info in = sample();
		in.subject = cases[i].subject;
		in.rcpts = evil_rcpt;
		in.nrcpts = 1;
		in.hostname = "mx\r\nX-Evil: 3";
		in.queue_id = "Q1\r\nX-Evil: 4";
		char *n = notice_hold(&in);
		if (n == NULL)
			fail_msg("%s: got NULL, want a notice", cases[i].name);
		check_lines(cases[i].name, n, 998, 76);
		char *h = headers_of(n), *b = body_of(n);
		/* no header line but ours */
		for (char *line = h; line && *line; line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
			static const char *const ours[] = {"From:", "To:", "Date:", "Message-ID:",
				"Subject:", "Auto-Submitted:", "X-Auto-Response-Suppress:",
				"X-Grondslag-Notice:", "MIME-Version:", "Content-Type:",
				"Content-Transfer-Encoding:"};
			bool ok = false;
			for (size_t k = 0; k < ARRAY_LEN(ours); k++)
				ok |= strncmp(line, ours[k], strlen(ours[k])) == 0;
			if (!ok)
				fail_msg("%s: unexpected header line \"%.40s\"", cases[i].name, line);
		}
		/* (the words may remain as text inside our own lines: harmless) */
		/* the body has no control characters and is valid UTF-8 */
		if (!g_utf8_validate(b, -1, NULL))
			fail_msg("%s: body is not valid UTF-8", cases[i].name);
		for (const char *p = b; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\n')
				fail_msg("%s: control 0x%02x in the body", cases[i].name, *p);
		lacks(cases[i].name, b, "\xe2\x80\xae");
		lacks(cases[i].name, b, "\n.\n");
		lacks(cases[i].name, b, "\nMAIL FROM");
		lacks(cases[i].name, b, "\nBcc:");
		free(h);
		free(b);
		free(n);
	}
}

/* The decoded text of the RFC 2047 words after "Subject: ... REF - ". */
static char *decoded_subject(const char *headers)
{
	const char *p = strstr(headers, "Subject: [grondslag] Your message was held: " REF " -");
	assert_non_null(p);
	const char *end = strstr(p, "\r\n");
	GString *out = g_string_new(NULL);
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL && p < end) {
		p += 10;
		const char *q = strstr(p, "?=");
		char *b64 = g_strndup(p, q - p);
		gsize n = 0;
		guchar *raw = g_base64_decode(b64, &n);
		g_string_append_len(out, (const char *)raw, (gssize)n);
		g_free(raw);
		g_free(b64);
		p = q + 2;
	}
	return g_string_free(out, FALSE);
}

static void test_notice_rfc2047(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *subject;
		const char *want;	/* decoded (after cleaning) */
	} cases[] = {
		{"latin", "\xc3\x9c" "berpr\xc3\xbc" "fung der Liste", NULL},
		{"long mixed",
		 "Incidentmelding \xe2\x80\x94 \xc4\x8c" "esk\xc3\xa1 republika, "
		 "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe4\xbb\xb6\xe5\x90\x8d "
		 "and more words to force several encoded words \xf0\x9f\x98\x80", NULL},
		/* shown as its reader sees it: decoded, then encoded again as UTF-8 */
		{"encoded word", "=?ISO-8859-1?Q?caf=E9?= list", "caf\xc3\xa9 list"},
		{"cut at 120 bytes",
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_hold_info in = sample();
		in.subject = cases[i].subject;
		char *n = notice_hold(&in);
		assert_non_null(n);
		/* folded: every header line fits in 78 */
		check_lines(cases[i].name, n, 78, 76);
		contains(cases[i].name, n, "=?UTF-8?B?");
		const char *want = cases[i].want ? cases[i].want : cases[i].subject;
		bool ascii = true;
		for (const char *p = want; *p; p++)
			ascii &= (unsigned char)*p < 0x80;
		contains(cases[i].name, n, ascii ? "Content-Transfer-Encoding: 7bit\r\n"
						 : "Content-Transfer-Encoding: quoted-printable\r\n");
		char *h = headers_of(n), *b = body_of(n), *d = decoded_subject(h);
		assert_str_eq_msg(cases[i].name, d, want);
		if (!g_utf8_validate(d, -1, NULL))
			fail_msg("%s: a word split a UTF-8 character", cases[i].name);
		char line[400];
		snprintf(line, sizeof line, "Subject:    %s", want);
		/* the body wraps at spaces: compare the first word only */
		line[strcspn(line + 12, " ") + 12] = '\0';
		contains(cases[i].name, b, line);
		g_free(d);
		free(h);
		free(b);
		free(n);
	}
}

static void test_notice_no_addresses(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *subject;
		bool withheld;
	} cases[] = {
		{"IPv4", "Compromised: 8.8.8.8 and more", true},
		{"prefix", "List for 193.0.6.0/24", true},
		{"IPv6", "Hosts 2a00:1450:4001::1", true},
		{"defanged", "see 193[.]0[.]6[.]139", true},
		{"version number", "Upgrade to FortiOS 7.2.4-1 now", false},
		{"plain", "Weekly CSIRT call", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_hold_info in = sample();
		in.subject = cases[i].subject;
		char *n = notice_hold(&in);
		assert_non_null(n);
		char *b = body_of(n);
		no_address(cases[i].name, n);
		if (cases[i].withheld) {
			contains(cases[i].name, b, "Subject:    (not shown: it contains an IP address)");
			lacks(cases[i].name, n, cases[i].subject);
		} else {
			contains(cases[i].name, n, cases[i].subject);
		}
		free(b);
		free(n);
	}
}

static void test_notice_bounds(void **state)
{
	(void)state;
	enum { N = 300 };
	struct hold_rcpt *many = calloc(N, sizeof *many);
	char (*addr)[64] = calloc(N, sizeof *addr);
	char *long_why = malloc(6001);
	for (int i = 0; i < 6000; i++)
		long_why[i] = i % 7 == 6 ? ' ' : 'w';
	long_why[6000] = '\0';
	char *long_word = malloc(3001);
	memset(long_word, 'x', 3000);
	long_word[3000] = '\0';
	for (int i = 0; i < N; i++) {
		snprintf(addr[i], sizeof addr[i], "<user%d@example.org>", i);
		many[i] = (struct hold_rcpt){addr[i], "party", "no-basis",
						   i == 0 ? long_why : i == 1 ? long_word : "short"};
	}
	struct notice_hold_info in = sample();
	in.rcpts = many;
	in.nrcpts = N;
	char *n = notice_hold(&in);
	assert_non_null(n);
	check_lines("bounds", n, 998, 76);
	char *b = body_of(n);
	contains("bounds", b, "Held for 300 recipients:\n");
	contains("bounds", b, "<user199@example.org>");
	lacks("bounds", b, "<user200@example.org>");
	contains("bounds", b, "  ... and 100 more.\n");
	/* the explanation is cut at 2000 bytes */
	size_t w = 0;
	for (const char *p = b; *p; p++)
		w += *p == 'w';
	if (w < 1600 || w > 2000)
		fail_msg("bounds: got %zu bytes of the explanation, want at most 2000", w);
	char *cut = g_strnfill(1997, 'x'), *cut_dots = g_strconcat(cut, "...\n", NULL);
	contains("long word cut", b, cut_dots);
	g_free(cut);
	g_free(cut_dots);
	contains("bounds", b, "www...\n");
	/* a 3000-byte word: too long for any line, kept whole in the
	 * quoted-printable body with soft breaks, cut at 2000 */
	contains("bounds", n, "Content-Transfer-Encoding: quoted-printable\r\n");
	free(b);
	free(n);
	free(long_word);
	free(long_why);
	free(addr);
	free(many);
}

static void test_notice_refused(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *from, *to, *ref;
	} cases[] = {
		{"null sender", "g@ncsc.nl", "<>", REF},
		{"empty sender", "g@ncsc.nl", "", REF},
		{"no sender", "g@ncsc.nl", NULL, REF},
		{"CRLF in sender", "g@ncsc.nl", "<a@b.c>\r\nBcc: x@y.z", REF},
		{"CRLF in from", "g@ncsc.nl\r\nBcc: x@y.z", "<a@b.c>", REF},
		{"no from", NULL, "<a@b.c>", REF},
		{"no ref", "g@ncsc.nl", "<a@b.c>", NULL},
		{"garbage ref", "g@ncsc.nl", "<a@b.c>", "\r\n"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_hold_info in = sample();
		in.from = cases[i].from;
		in.to = cases[i].to;
		in.ref = cases[i].ref;
		char *n = notice_hold(&in);
		if (n != NULL) {
			free(n);
			fail_msg("%s: got a notice, want NULL", cases[i].name);
		}
	}
	assert_null(notice_hold(NULL));
}

static void test_sender_ok(void **state)
{
	(void)state;
	char long_addr[400];
	memset(long_addr, 'a', sizeof long_addr);
	memcpy(long_addr + 310, "@example.org", 13);	/* 322 bytes */
	static const struct {
		const char *addr;
		bool want;
	} cases[] = {
		{"<analyst@ncsc.nl>", true},
		{"analyst@ncsc.nl", true},
		{"a+tag@sub.example.org", true},
		{"a@[193.0.6.139]", true},
		{"<>", false},
		{"", false},
		{"root", false},
		{"@ncsc.nl", false},
		{"a@", false},
		{"a b@ncsc.nl", false},
		{"a@ncsc.nl\r\n", false},
		{"\"q\"@ncsc.nl", false},
		{"a,b@ncsc.nl", false},
		{"<a@ncsc.nl", false},
		{"\xc3\xbc@ncsc.nl", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_eq_msg(cases[i].addr, notice_sender_ok(cases[i].addr), cases[i].want);
	assert_false(notice_sender_ok(long_addr));
	assert_false(notice_sender_ok(NULL));
}

/* Who may be offered the console's link: the mail of somebody on a
 * Sender line, by the control socket's rule; nobody without one. */
static void test_sender_signs_in(void **state)
{
	(void)state;
	char path[] = "/tmp/grondslag-test-notice-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static const char conf[] = "Sender carol carol@ncsc.nl sasl:c.jansen\n"
				   "Sender erin erin@ncsc.nl\nJurist alice alice@ncsc.nl\n";
	assert_int_eq_msg("write", (int)write(fd, conf, sizeof conf - 1), (int)sizeof conf - 1);
	close(fd);
	char err[256];
	struct config *c = config_load(path, err, sizeof err);
	unlink(path);
	if (c == NULL)
		fail_msg("config: %s", err);
	static const struct {
		const char *envelope, *auth;
		bool want;
	} cases[] = {
		{"<carol@ncsc.nl>", "", true},
		{"<erin@NCSC.nl>", NULL, true},
		{"<alice@ncsc.nl>", "", false},		/* a jurist, no Sender */
		{"<someone@example.org>", "", false},
		{"<carol@ncsc.nl>", "bob", false},		/* bob wrote her address */
		{"<someone@example.org>", "c.jansen", true},
		{"<someone@example.org>", "erin", true},	/* the login itself */
		{"<>", "", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_eq_msg(cases[i].envelope,
				  notice_sender_signs_in(c, cases[i].envelope, cases[i].auth),
				  cases[i].want);
	assert_false(notice_sender_signs_in(NULL, "<carol@ncsc.nl>", ""));
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notice_headers_and_body),
		cmocka_unit_test(test_notice_injection),
		cmocka_unit_test(test_notice_console_link),
		cmocka_unit_test(test_notice_urgent),
		cmocka_unit_test(test_notice_rfc2047),
		cmocka_unit_test(test_notice_no_addresses),
		cmocka_unit_test(test_notice_bounds),
		cmocka_unit_test(test_notice_refused),
		cmocka_unit_test(test_sender_ok),
		cmocka_unit_test(test_sender_signs_in),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
