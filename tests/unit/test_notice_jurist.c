/*
 * test_notice_jurist.c - the jurists' notices: the hold notice (key lines
 * exactly, no IP address even when the subject, the sender, a recipient
 * or a sentence carries one, hostile values cleaned, bounds), who gets
 * them (JuristNotice, else the Jurist lines), which holds the roundup
 * lists (the window's edges, expired, approved, releasing, final
 * states), its text, that it is due once per UTC day, and roundup_pass()
 * against a real store: queued with its "digest" record in one
 * transaction, once a day also across a restart; the jurists' notice of
 * a hold stored with the hold or not at all.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_dir.h"

#include <glib.h>

#include "grondslag/config/config.h"
#include "grondslag/daemon/roundup.h"
#include "grondslag/scan/ipscan.h"
#include "grondslag/notice/notice.h"
#include "grondslag/store/store.h"
#include "notice_check.h"

#define REF "G20250314-7KQ2M9XH0T"
#define T0 1741953600	/* Fri 2025-03-14 12:00:00 UTC */
#define DAY 86400

static const char *const jurists[] = {"j1@ncsc.nl", "<j2@ncsc.nl>"};

static const struct hold_rcpt rcpts[] = {
	{"<soc@cisa.gov>", "cisa", "no-basis,no-transfer-mechanism",
	 "No basis of party cisa permits provider-traceable data on 2025-03-14."},
	{"<ops@unknown.example>", NULL, "unknown-party", "The recipient is not in the registry."},
};

static struct notice_jurist_info sample(void)
{
	struct notice_jurist_info in = {
		.from = "grondslag@ncsc.nl", .to = jurists, .nto = 2, .ref = REF,
		.queue_id = "4XyZ1a2b3c", .sender = "<analyst@ncsc.nl>", .subject = "Weekly report",
		.hostname = "mx.ncsc.nl", .when = T0, .rcpts = rcpts, .nrcpts = 2, .ndelivered = 3,
		.categories = CAT_PROVIDER_TRACEABLE | CAT_INCIDENT, .tlp = TLP_AMBER,
		.public_addresses = 5, .countries = "BE:3,NL:1,unknown:1", .expiry_days = 14,
	};
	return in;
}

static void test_jurist_hold_text(void **state)
{
	(void)state;
	struct notice_jurist_info in = sample();
	char *n = notice_jurist_hold(&in);
	assert_non_null(n);
	check_lines("hold", n, 200, 76);
	no_address("hold", n);
	char *h = headers_of(n), *b = body_of(n);
	static const char *const head_lines[] = {
		"From: \"grondslag\" <grondslag@ncsc.nl>\r\n",
		"To: <j1@ncsc.nl>, <j2@ncsc.nl>\r\n",
		"Date: Fri, 14 Mar 2025 12:00:00 +0000\r\n",
		"Message-ID: <" REF ".jurist.1741953600@mx.ncsc.nl>\r\n",
		"Subject: [grondslag] Held for review: " REF " - Weekly report\r\n",
		"Auto-Submitted: auto-generated\r\n",
		"X-Grondslag-Notice: " REF "\r\n",
		"Content-Transfer-Encoding: 7bit\r\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(head_lines); i++)
		contains("header", h, head_lines[i]);
	static const char *const body_lines[] = {
		"\nReference:  " REF "\n",
		"\nSender:     <analyst@ncsc.nl>\n",
		"\nSubject:    Weekly report\n",
		"\nQueue ID:   4XyZ1a2b3c\n",
		"\nHeld on:    Fri, 14 Mar 2025 12:00:00 +0000\n",
		"\nExpires on: 2025-03-28 12:00 UTC (undecided after 14 days: not sent)\n",
		"\n  categories:        provider-traceable, incident\n",
		"\n  TLP:               AMBER\n",
		"\n  public addresses:  5\n",
		"\n  by country:        BE 3, NL 1, unknown 1\n",
		"\nHeld for 2 recipients:\n",
		"\n  <soc@cisa.gov>\n    party:   cisa\n    reasons: no-basis, no-transfer-mechanism\n",
		"\n    party:   unknown (not in the registry)\n",
		"\nThe other 3 recipients got the message now.\n",
		"\n  grondslag show " REF "\n",
		"\n  grondslag approve " REF " --reason \"WHY\" [--basis ID]\n",
		"\n  grondslag deny " REF " --reason \"WHY\"\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(body_lines); i++)
		contains("body", b, body_lines[i]);
	free(h);
	free(b);
	free(n);
}

static void test_jurist_no_addresses(void **state)
{
	(void)state;
	static const struct {
		const char *name, *subject, *sender, *rcpt, *why, *want;
	} cases[] = {
		{"subject IPv4", "Compromised: 8.8.8.8", NULL, NULL, NULL,
		 "Subject:    (not shown: it contains an IP address)"},
		{"subject defanged", "see 193[.]0[.]6[.]139", NULL, NULL, NULL,
		 "Subject:    (not shown: it contains an IP address)"},
		{"sender literal", NULL, "<x@[193.0.6.139]>", NULL, NULL,
		 "Sender:     (not shown: it contains an IP address)"},
		{"recipient IPv6 literal", NULL, NULL, "<soc@[IPv6:2001:67c:2e8::1]>", NULL,
		 "  (not shown: it contains an IP address)\n    party:"},
		{"sentence with prefix", NULL, NULL, NULL, "Outside 193.0.6.0/24 of party x.",
		 "why:     (not shown: it contains an IP address)"},
		/* an encoded word is read as its reader would: decoded first */
		{"subject base64 word", "=?utf-8?b?MTkzLjAuNi4xMzk=?=", NULL, NULL, NULL,
		 "Subject:    (not shown: it contains an IP address)"},
		{"subject q word", "=?utf-8?q?see_193=2E0=2E6=2E139?=", NULL, NULL, NULL,
		 "Subject:    (not shown: it contains an IP address)"},
		/* screened whole before the 120-byte cut, which would leave "193.0..." */
		{"address past the cut",
		 "A very long subject line that goes on and on about the incident response "
		 "of last week and then names 193.0.6.139 at the end", NULL, NULL, NULL,
		 "Subject:    (not shown: it contains an IP address)"},
		{"long sentence, address past the cut", NULL, NULL, NULL,
		 "A sentence long enough to be cut by the notice's bound for the jurist's "
		 "explanation of why this recipient is held, which is several hundred bytes "
		 "long so that the address at its very end falls well past the cut: it names "
		 "the constituency of the party and the list of networks, the last of which "
		 "is outside, namely 193.0.6.0/24, and that is the reason for the hold here.",
		 "why:     (not shown: it contains an IP address)"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_jurist_info in = sample();
		struct hold_rcpt r = rcpts[0];
		if (cases[i].subject)
			in.subject = cases[i].subject;
		if (cases[i].sender)
			in.sender = cases[i].sender;
		if (cases[i].rcpt)
			r.recipient = cases[i].rcpt;
		if (cases[i].why)
			r.explanation = cases[i].why;
		in.rcpts = &r;
		in.nrcpts = 1;
		char *n = notice_jurist_hold(&in);
		assert_non_null(n);
		no_address(cases[i].name, n);
		char *b = body_of(n);
		contains(cases[i].name, b, cases[i].want);
		free(b);
		free(n);
	}
}

static void test_jurist_hostile(void **state)
{
	(void)state;
	struct notice_jurist_info in = sample();
	struct hold_rcpt r = {"<a@b.example>\r\nBcc: evil@x.example", "cisa\r\nX-A: 1",
				    "no-basis", "Sentence\r\nBcc: evil@x.example \xe2\x80\xae" "cba"};
	in.subject = "Hi\r\nBcc: evil@x.example\xff";
	in.sender = "<analyst@ncsc.nl>\r\nBcc: evil@x.example";
	in.countries = "BE:3\r\nBcc:x,<script>";
	in.rcpts = &r;
	in.nrcpts = 1;
	char *n = notice_jurist_hold(&in);
	assert_non_null(n);
	check_lines("hostile", n, 200, 76);
	char *h = headers_of(n), *b = body_of(n);
	lacks("header", h, "\r\nBcc:");
	lacks("header", h, "\r\nX-A:");
	lacks("body", b, "\nBcc:");
	lacks("body", b, "\xe2\x80\xae");
	lacks("body", b, "<script>");
	assert_true(g_utf8_validate(b, -1, NULL));
	free(h);
	free(b);
	free(n);
}

static void test_jurist_bounds(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		size_t nrcpts, why_len;
		const char *more;
	} cases[] = {
		{"150 short", 150, 40, "  ... and 50 more (grondslag show " REF ")."},
		{"500 long sentences", 500, 5000, " more (grondslag show " REF ")."},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct hold_rcpt *rs = calloc(cases[i].nrcpts, sizeof *rs);
		char *why = malloc(cases[i].why_len + 1);
		memset(why, 'w', cases[i].why_len);
		why[cases[i].why_len] = '\0';
		for (size_t k = 0; k < cases[i].nrcpts; k++)
			rs[k] = (struct hold_rcpt){"<x@cisa.gov>", "cisa", "no-basis", why};
		struct notice_jurist_info in = sample();
		in.rcpts = rs;
		in.nrcpts = cases[i].nrcpts;
		char *n = notice_jurist_hold(&in);
		assert_non_null(n);
		check_lines(cases[i].name, n, 200, 76);
		char *b = body_of(n);
		contains(cases[i].name, b, cases[i].more);
		if (strlen(b) > 80 * 1024)
			fail_msg("%s: got a body of %zu bytes, want at most 80 KiB", cases[i].name,
				 strlen(b));
		free(b);
		free(n);
		free(why);
		free(rs);
	}
}

static void test_jurist_refused(void **state)
{
	(void)state;
	static const char *const bad_to[] = {"j1@ncsc.nl", "j2@ncsc.nl>\r\nBcc: x@y"};
	static const struct {
		const char *name;
		int what;
	} cases[] = {{"no reference", 0}, {"bad from", 1}, {"no jurist", 2}, {"bad jurist", 3},
		     {"no to", 4}};
	assert_null(notice_jurist_hold(NULL));
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_jurist_info in = sample();
		switch (cases[i].what) {
		case 0: in.ref = "\r\n"; break;
		case 1: in.from = "not an address"; break;
		case 2: in.nto = 0; break;
		case 3: in.to = bad_to; break;
		default: in.to = NULL; break;
		}
		char *n = notice_jurist_hold(&in);
		if (n != NULL)
			fail_msg("%s: got a notice, want none", cases[i].name);
	}
}

/* Write text to a config file in the fixture directory and load it. */
static struct config *load_conf(const char *text, char *err, size_t errlen)
{
	char path[128];
	snprintf(path, sizeof path, "%s/grondslag.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return config_load(path, err, errlen);
}

static void test_jurist_to(void **state)
{
	(void)state;
	static const struct {
		const char *name, *conf, *want;	/* want: joined with ' ', NULL: error */
	} cases[] = {
		{"JuristNotice wins", "Jurist alice a@ncsc.nl\nJuristNotice jurists@ncsc.nl\n",
		 "jurists@ncsc.nl"},
		{"two lists", "JuristNotice x@ncsc.nl\nJuristNotice y@ncsc.nl\n", "x@ncsc.nl y@ncsc.nl"},
		{"Jurist lines", "Jurist alice a@ncsc.nl\nJurist bob b@ncsc.nl\nJurist al A@ncsc.nl\n",
		 "a@ncsc.nl b@ncsc.nl"},
		{"nobody", "Mode enforce\n", ""},
		{"bad address", "JuristNotice not-an-address\n", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char err[512] = "";
		struct config *c = load_conf(cases[i].conf, err, sizeof err);
		if (cases[i].want == NULL) {
			if (c != NULL || strstr(err, "JuristNotice") == NULL)
				fail_msg("%s: got no JuristNotice error (%s)", cases[i].name, err);
			config_free(c);
			continue;
		}
		if (c == NULL)
			fail_msg("%s: %s", cases[i].name, err);
		const char *to[NOTICE_JURISTS_MAX];
		size_t nmail;
		const char *const *mail = config_jurist_mail(c, &nmail);
		size_t n = notice_jurist_to(mail, nmail, to, NOTICE_JURISTS_MAX);
		GString *got = g_string_new(NULL);
		for (size_t k = 0; k < n; k++)
			g_string_append_printf(got, "%s%s", k ? " " : "", to[k]);
		assert_str_eq_msg(cases[i].name, got->str, cases[i].want);
		g_string_free(got, TRUE);
		config_free(c);
	}
}

/* The addresses given, without the unusable ones and the duplicates,
 * at most max: what the configuration cannot already refuse. */
static void test_jurist_to_filter(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		const char *mail[5];
		size_t max;
		const char *want;	/* joined with ' ' */
	} cases[] = {
		{"duplicates in any case", {"a@ncsc.nl", "A@NCSC.nl", "b@ncsc.nl"}, 8,
		 "a@ncsc.nl b@ncsc.nl"},
		{"null sender and blanks left out", {"<>", "x y@ncsc.nl", "c@ncsc.nl"}, 8, "c@ncsc.nl"},
		{"no @", {"postmaster", "d@ncsc.nl"}, 8, "d@ncsc.nl"},
		{"at most max, counted after filtering", {"<>", "a@ncsc.nl", "b@ncsc.nl", "c@ncsc.nl"},
		 2, "a@ncsc.nl b@ncsc.nl"},
		{"none given", {NULL}, 8, ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t nmail = 0;
		while (nmail < ARRAY_LEN(cases[i].mail) && cases[i].mail[nmail] != NULL)
			nmail++;
		const char *to[8];
		size_t n = notice_jurist_to(cases[i].mail, nmail, to, cases[i].max);
		GString *got = g_string_new(NULL);
		for (size_t k = 0; k < n; k++)
			g_string_append_printf(got, "%s%s", k ? " " : "", to[k]);
		assert_str_eq_msg(cases[i].name, got->str, cases[i].want);
		g_string_free(got, TRUE);
	}
}

/* ---- the roundup ------------------------------------------------------- */

static struct store_hold_rcpt_record roundup_rcpts[3] = {
	{"<soc@cisa.gov>", "cisa", "no-basis", "", "held", NULL},
	{"<ops@[192.0.2.7]>", "", "unknown-party", "", "held", NULL},
	{"<ok@cert.be>", "cert-be", "no-basis", "", "approved", NULL},
};

/* A hold received at `received` in state with recipients [0, n). */
static struct store_hold_record hold_at(const char *ref, time_t received, const char *st,
					size_t first, size_t n)
{
	struct store_hold_record h = {0};
	snprintf(h.ref, sizeof h.ref, "%s", ref);
	h.sender = (char *)"<analyst@ncsc.nl>";
	h.received = received;
	h.state = (char *)st;
	h.rcpts = &roundup_rcpts[first];
	h.nrcpts = n;
	return h;
}

static void test_roundup_lists(void **state)
{
	(void)state;
	const time_t now = T0;
	static const struct {
		const char *name;
		time_t age;		/* now - received */
		const char *state;
		size_t first, n;	/* recipients */
		unsigned warning;
		bool want;
	} cases[] = {
		{"exactly at the window edge", 11 * DAY, "pending", 0, 1, 3, true},
		{"one second outside", 11 * DAY - 1, "pending", 0, 1, 3, false},
		{"inside", 13 * DAY, "pending", 0, 1, 3, true},
		{"one second left", 14 * DAY - 1, "pending", 0, 1, 3, true},
		{"expires now: too late", 14 * DAY, "pending", 0, 1, 3, false},
		{"already expired", 15 * DAY, "pending", 0, 1, 3, false},
		{"new", 0, "pending", 0, 1, 3, false},
		{"partly approved, one waiting", 12 * DAY, "partly-approved", 1, 2, 3, true},
		{"all approved: waits for the releaser", 12 * DAY, "partly-approved", 2, 1, 3, false},
		{"releasing", 12 * DAY, "releasing", 0, 1, 3, false},
		{"denied", 12 * DAY, "denied", 0, 1, 3, false},
		{"expired state", 12 * DAY, "expired", 0, 1, 3, false},
		{"released", 12 * DAY, "released", 0, 1, 3, false},
		{"ExpiryWarning 0", 13 * DAY, "pending", 0, 1, 0, false},
		{"window past HoldExpiry", 1 * DAY, "pending", 0, 1, 20, true},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct store_hold_record h =
			hold_at(REF, now - cases[i].age, cases[i].state, cases[i].first, cases[i].n);
		bool got = notice_roundup_lists(&h, now, 14, cases[i].warning);
		assert_int_eq_msg(cases[i].name, got, cases[i].want);
	}
	assert_false(notice_roundup_lists(NULL, now, 14, 3));
}

static void test_roundup_text(void **state)
{
	(void)state;
	struct store_hold_record a = hold_at("G20250302-AAAAAAAAAA", T0 - 12 * DAY, "pending", 0, 3);
	struct store_hold_record b = hold_at("G20250305-BBBBBBBBBB", T0 - 9 * DAY, "pending", 0, 1);
	struct store_hold_record c =
		hold_at("G20250301-CCCCCCCCCC", T0 - 13 * DAY, "partly-approved", 1, 2);
	c.sender = (char *)"<x@[193.0.6.139]>";
	const struct store_hold_record *holds[] = {&c, &a, &b};
	struct notice_roundup_info in = {
		.from = "grondslag@ncsc.nl", .to = jurists, .nto = 2, .hostname = "mx.ncsc.nl",
		.now = T0, .expiry_days = 14, .warning_days = 3, .holds = holds, .nholds = 3,
	};
	size_t listed = 99;
	char *n = notice_roundup(&in, &listed);
	assert_non_null(n);
	assert_int_eq_msg("listed", listed, 2);
	check_lines("digest", n, 200, 76);
	no_address("digest", n);
	char *h = headers_of(n), *body = body_of(n);
	static const char *const head_lines[] = {
		"To: <j1@ncsc.nl>, <j2@ncsc.nl>\r\n",
		"Subject: [grondslag] Holds close to expiry: 2 (2025-03-14)\r\n",
		"Message-ID: <digest.2025-03-14.1741953600@mx.ncsc.nl>\r\n",
		"Auto-Submitted: auto-generated\r\n",
		"X-Grondslag-Notice: digest\r\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(head_lines); i++)
		contains("digest header", h, head_lines[i]);
	static const char *const body_lines[] = {
		"2 held messages expire within 3 days unless a jurist decides.",
		"\nG20250302-AAAAAAAAAA\n  sender:   <analyst@ncsc.nl>\n"
		"  held on:  2025-03-02 (12 days ago)\n"
		"  expires:  2025-03-16 12:00 UTC (in 48 hours)\n  state:    pending\n"
		"    <soc@cisa.gov> - party cisa; no-basis\n"
		"    (not shown: it contains an IP address) - party unknown;\n"
		"      unknown-party\n\n",
		"\nG20250301-CCCCCCCCCC\n  sender:   (not shown: it contains an IP address)\n",
		"  expires:  2025-03-15 12:00 UTC (in 24 hours)\n  state:    partly-approved\n",
	};
	for (size_t i = 0; i < ARRAY_LEN(body_lines); i++)
		contains("digest body", body, body_lines[i]);
	lacks("digest body", body, "G20250305-BBBBBBBBBB");
	lacks("digest body", body, "<ok@cert.be>");	/* approved: not waiting */
	free(h);
	free(body);
	free(n);
}

static void test_roundup_empty(void **state)
{
	(void)state;
	struct store_hold_record b = hold_at("G20250305-BBBBBBBBBB", T0 - 9 * DAY, "pending", 0, 1);
	struct store_hold_record d = hold_at("G20250302-DDDDDDDDDD", T0 - 12 * DAY, "denied", 0, 1);
	const struct store_hold_record *holds[] = {&b, &d};
	static const struct {
		const char *name;
		size_t nholds;
		unsigned warning;
	} cases[] = {{"no holds", 0, 3}, {"none close or open", 2, 3}, {"warning 0", 2, 0}};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct notice_roundup_info in = {
			.from = "grondslag@ncsc.nl", .to = jurists, .nto = 2, .now = T0,
			.expiry_days = 14, .warning_days = cases[i].warning, .holds = holds,
			.nholds = cases[i].nholds,
		};
		size_t listed = 7;
		char *n = notice_roundup(&in, &listed);
		if (n != NULL)
			fail_msg("%s: got a digest, want none:\n%s", cases[i].name, n);
		assert_int_eq_msg(cases[i].name, listed, 0);
	}
}

static void test_roundup_due(void **state)
{
	(void)state;
	const time_t midnight = T0 - 12 * 3600;	/* 2025-03-14 00:00:00 UTC */
	static const struct {
		const char *name;
		bool sent;		/* false: never sent (last 0) */
		time_t last, now;	/* relative to midnight */
		bool want;
	} cases[] = {
		{"never sent", false, 0, 10, true},
		{"earlier today", true, 60, 23 * 3600, false},
		{"same second", true, 60, 60, false},
		{"yesterday 23:59:59, now 00:00:00", true, -1, 0, true},
		{"a day later", true, 60, DAY + 60, true},
		{"clock set back a day", true, DAY + 60, 60, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		time_t last = cases[i].sent ? midnight + cases[i].last : 0;
		bool got = notice_roundup_due(last, midnight + cases[i].now);
		assert_int_eq_msg(cases[i].name, got, cases[i].want);
	}
}

/* ---- against a store ---------------------------------------------------- */

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("notice-jurist");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* A fresh store in the fixture directory. */
static struct store *open_store(const char *name)
{
	char path[160], err[256];
	fixture_databasef(path, sizeof path, dir, "%s.db", name);
	struct store *s = fixture_store_open(path, err, sizeof err);
	if (s == NULL)
		fail_msg("store_open: %s", err);
	return s;
}

/* Store a hold received at `received` with the jurists' notice (fail:
 * make the commit fail); 0 or -1. */
static int put_hold(struct store *s, time_t received, bool fail)
{
	static const struct hold_rcpt r[] = {{"<soc@cisa.gov>", "cisa", "no-basis", "x"}};
	struct hold_notice items[2] = {
		{"jurist", "j1@ncsc.nl", "notice text"}, {"jurist", "j2@ncsc.nl", "notice text"},
	};
	struct hold_record h = {
		.queue_id = "Q1", .sender = "<analyst@ncsc.nl>", .subject = "s",
		.received = received, .data = "Subject: s\r\n\r\nx\r\n", .len = 17, .fd = -1,
		.rcpts = r, .nrcpts = 1, .notice_to = "analyst@ncsc.nl",
		.notice_message = "sender text", .notices = items, .nnotices = 2,
	};
	char ref[STORE_REF_MAX], err[256];
	if (fail)
		store_fail_next(s);
	return store_hold_put(s, &h, ref, err, sizeof err);
}

static void test_hold_notices_one_transaction(void **state)
{
	(void)state;
	struct store *s = open_store("hold");
	assert_int_equal(put_hold(s, time(NULL), true), -1);
	assert_int_eq_msg("failed hold: notices", store_notice_count(s, NULL), 0);
	assert_int_eq_msg("failed hold: holds", store_hold_count(s), 0);
	assert_int_equal(put_hold(s, time(NULL), false), 0);
	assert_int_eq_msg("stored hold: sender + 2 jurists", store_notice_count(s, "queued"), 3);
	store_close(s);
}

/* Count the "digest" records of the chain. */
static int count_roundup(void *arg, const struct audit_record *r)
{
	*(int *)arg += strcmp(r->event, "digest") == 0;
	return 0;
}

static void test_roundup_pass(void **state)
{
	(void)state;
	struct store *s = open_store("digest");
	/* noon UTC today: the "same day" checks below must not cross midnight */
	time_t now = time(NULL) / DAY * DAY + DAY / 2;
	struct roundup_setup in = {
		.store = s, .from = "grondslag@ncsc.nl", .hostname = "mx", .to = jurists, .nto = 2,
		.expiry_days = 14, .warning_days = 3,
	};
	struct roundup *d = roundup_new(&in);
	assert_non_null(d);
	assert_int_eq_msg("empty store", roundup_pass(d, now), 0);
	assert_int_equal(put_hold(s, now - 12 * DAY - 3600, false), 0);	/* close */
	assert_int_equal(put_hold(s, now - 2 * DAY, false), 0);		/* not yet */
	int64_t before = store_notice_count(s, NULL);
	assert_int_eq_msg("first pass", roundup_pass(d, now), 1);
	assert_int_eq_msg("two digests queued", store_notice_count(s, NULL) - before, 2);
	assert_int_eq_msg("second pass same day", roundup_pass(d, now + 60), 0);
	roundup_free(d);
	/* a restart the same day: the record says a roundup went out */
	d = roundup_new(&in);
	assert_int_eq_msg("after restart", roundup_pass(d, now + 120), 0);
	assert_int_eq_msg("the next day", roundup_pass(d, now + DAY), 1);
	int records = 0;
	assert_int_equal(store_audit_scan(s, 0, count_roundup, &records), 0);
	assert_int_eq_msg("digest records", records, 2);
	roundup_free(d);
	in.warning_days = 0;
	d = roundup_new(&in);
	assert_int_eq_msg("ExpiryWarning 0", roundup_pass(d, now + 2 * DAY), 0);
	roundup_free(d);
	in.warning_days = 3;
	in.nto = 0;
	d = roundup_new(&in);
	assert_int_eq_msg("no jurists", roundup_pass(d, now + 2 * DAY), 0);
	/* a reload names jurists: the next pass sends; the last roundup is
	 * kept across it (no second one the same day); ExpiryWarning 0 stops */
	assert_int_equal(put_hold(s, now - 10 * DAY - 3600, false), 0);	/* close then */
	in.nto = 1;
	in.store = NULL;	/* the store is not the reload's to change */
	roundup_configure(d, &in);
	assert_int_eq_msg("reload with a jurist", roundup_pass(d, now + 2 * DAY), 1);
	roundup_configure(d, &in);
	assert_int_eq_msg("reload, same day", roundup_pass(d, now + 2 * DAY + 60), 0);
	in.warning_days = 0;
	roundup_configure(d, &in);
	assert_int_eq_msg("reload to ExpiryWarning 0", roundup_pass(d, now + 3 * DAY), 0);
	roundup_configure(NULL, &in);
	roundup_free(d);
	records = 0;
	assert_int_equal(store_audit_scan(s, 0, count_roundup, &records), 0);
	assert_int_eq_msg("digest records after the reloads", records, 3);
	struct store_audit_check chk;
	char err[256];
	assert_int_eq_msg("chain intact", store_audit_verify(s, &chk, err, sizeof err), 0);
	store_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jurist_hold_text),
		cmocka_unit_test(test_jurist_no_addresses),
		cmocka_unit_test(test_jurist_hostile),
		cmocka_unit_test(test_jurist_bounds),
		cmocka_unit_test(test_jurist_refused),
		cmocka_unit_test(test_jurist_to),
		cmocka_unit_test(test_jurist_to_filter),
		cmocka_unit_test(test_roundup_lists),
		cmocka_unit_test(test_roundup_text),
		cmocka_unit_test(test_roundup_empty),
		cmocka_unit_test(test_roundup_due),
		cmocka_unit_test(test_hold_notices_one_transaction),
		cmocka_unit_test(test_roundup_pass),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
