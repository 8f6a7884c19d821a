/*
 * test_idscan.c - the identifier list scanner: what makes a list (runs of
 * list lines, several values on a line, named columns and labels,
 * defanging) and the traps that must stay clean (prose, signatures,
 * quoted headers, newsletter links, file names, versions, code, local
 * names, Message-IDs); any chunking gives the same result; through
 * scan_message, own domains and public services are not counted and the
 * categories follow the thresholds.
 */
#include "testutil.h"

#include "grondslag/scan/idscan.h"
#include "grondslag/scan/scan.h"

struct counts {
	int emails, hosts, creds;
	bool saw_secret;
};

static const char *secret_marker = "S3cr3t";

static int count_cb(void *arg, const struct idscan_match *m)
{
	struct counts *c = arg;
	if (m->kind == IDSCAN_EMAIL)
		c->emails++;
	else if (m->kind == IDSCAN_HOST)
		c->hosts++;
	else
		c->creds++;
	if (m->value != NULL && strstr(m->value, secret_marker) != NULL)
		c->saw_secret = true;
	if (m->kind == IDSCAN_CREDENTIAL && m->value != NULL)
		c->saw_secret = true;
	return 0;
}

static struct counts run_in(const char *text, size_t chunk, bool markup)
{
	struct counts c = {0};
	struct idscan *s = idscan_alloc(count_cb, &c);
	assert_non_null(s);
	idscan_begin(s, markup);
	size_t n = strlen(text);
	for (size_t i = 0; i < n; i += chunk)
		assert_int_equal(idscan_update(s, text + i, n - i < chunk ? n - i : chunk), 0);
	assert_int_equal(idscan_finish(s), 0);
	idscan_free(s);
	return c;
}

static struct counts run(const char *text, size_t chunk)
{
	return run_in(text, chunk, false);
}

static const struct {
	const char *name, *text;
	int emails, hosts, creds;
} cases[] = {
	/* traps */
	{"prose with one address", "Please contact jan@foreign.nl for the details.\n", 0, 0, 0},
	{"prose with three addresses",
	 "Ask jan@a.nl or piet@b.de, and marie@c.fr knows too.\n", 0, 0, 0},
	{"signature", "Regards,\n-- \nJan Jansen\njan@foreign.nl\nhttps://www.foreign.nl\n"
		      "+31 70 000 0000\n", 0, 0, 0},
	{"signature labels", "Jan\nE-mail: jan@foreign.nl\nWeb: https://www.foreign.nl\n"
			     "Tel: +31 70 000\n", 0, 0, 0},
	{"quoted headers", "> From: a@b.nl\n> Sent: Monday\n> To: c@d.nl\n> Cc: e@f.nl\n"
			   "> Subject: hello\n", 0, 0, 0},
	{"dutch quoted headers", "Van: a@b.nl\nAan: c@d.nl\nCC: e@f.nl\nOnderwerp: x\n", 0, 0, 0},
	{"newsletter links", "Our new story about spring\nhttps://news.example.com/a/1\n"
			     "And a second story below\nhttps://news.example.com/b/2\n"
			     "Unsubscribe: https://list.example.com/u?x=1\n", 0, 0, 0},
	{"footer URL pair", "Visit us\nhttps://www.example.com\nhttps://shop.example.com\n\n"
			    "Privacy statement applies.\n", 0, 0, 0},
	{"version strings", "1.2.3\nv2.1.1\n3.4.5-1\n10.0.19045.2965\n", 0, 0, 0},
	{"file names", "report.pdf\nsetup.py\nconfig.load\nREADME.md\nlist.zip\nmain.rs\n", 0, 0, 0},
	{"code identifiers", "config.load\nos.path\nsys.exit\nSystem.IO\n", 0, 0, 0},
	{"local names", "a@localhost\nb@localhost\nroot@mailhost\n", 0, 0, 0},
	{"message ids", "Message-ID: <abc@mail.example.com>\nIn-Reply-To: <def@x.com>\n"
			"References: <g@y.com>\n", 0, 0, 0},
	{"times", "12:30\n13:45\n14:00\n", 0, 0, 0},
	{"dsn fields", "Action:failed\nStatus:5.1.1\nReporting-MTA:DNS;mx.example.org\n"
		       "Final-Recipient:RFC822;a@b.example\n", 0, 0, 0},
	{"icalendar", "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//y\nBEGIN:VEVENT\n"
		      "SUMMARY:Meeting\nEND:VEVENT\n", 0, 0, 0},
	{"wrapped address header", "> David <d@redhat.com>, Suresh\n"
				   "> <sj@suse.de>, linux-cifs@vger.kernel.org, linux-\n"
				   "> fsdevel@vger.kernel.org, linux-kernel@vger.kernel.org, samba-\n"
				   "> technical@lists.samba.org, Jeff <j@redhat.com>\n", 0, 0, 0},
	{"ipv6", "fe80::1\n2001:db8::1\n2a00:1450::5\n", 0, 0, 0},
	{"ipv6 full", "fdaa:b1c7:75bc:bab0:0:0:0:1\nfdaa:b1c7:75bc:bab0:0:0:0:2\n"
		      "fdaa:b1c7:75bc:bab0:0:0:0:3\n", 0, 0, 0},
	{"mac addresses", "de:ad:be:ef:00:01\nde:ad:be:ef:00:02\nde:ad:be:ef:00:03\n", 0, 0, 0},
	{"xml namespaces", "<stix:STIX_Package\n\txmlns:cybox=\"http://cybox.mitre.org/cybox-2\"\n"
			   "\txmlns:stix=\"http://stix.mitre.org/stix-1\"\n"
			   "\txmlns:indicator=\"http://stix.mitre.org/Indicator-2\"\n", 0, 0, 0},
	{"two only", "a@x.nl\nb@y.nl\n\nThat was all.\n", 0, 0, 0},
	{"hosts in a sentence", "We saw a.com, b.com, c.com today.\n", 0, 0, 0},
	{"mailto link", "Write to <mailto:info@example.org> today.\n", 0, 0, 0},
	/* lists */
	{"address per line", "a@x.nl\nb@y.de\nc@z.fr\n", 3, 0, 0},
	{"quoted address list", "> a@x.nl\n> b@y.de\n> c@z.fr\n", 3, 0, 0},
	{"addresses on one line", "a@x.nl, b@y.de; c@z.fr\n", 3, 0, 0},
	{"host per line", "fw01.example-corp.jp\nfw02.example-corp.jp\nfw03.example-corp.jp\n", 0, 3,
	 0},
	{"hosts blank separated", "fw01.corp.jp fw02.corp.jp fw03.corp.jp\n", 0, 3, 0},
	{"urls per line", "https://a.com/x\nhttps://b.org/y?z=1\nhttp://c.net/\n", 0, 3, 0},
	{"defanged in prose", "The C2 was evil[.]com and hxxp://bad.example[.]org/x yesterday.\n",
	 0, 2, 0},
	{"defanged address", "The sender was mallory[@]evil[.]ru today.\n", 1, 0, 0},
	{"defanged url alone on its line", "and the C2 was\nhxxp://c2(.)evil-host(.)ru/gate.\n", 0,
	 1, 0},
	{"defanged forms", "fw01(.)a(.)jp fw02[dot]b[dot]jp fw03(dot)c(dot)jp\nadmin[at]d(.)jp\n",
	 1, 3, 0},
	{"brackets in prose", "Press the (dot) key, then (at) least once [a] or [d].\n", 0, 0, 0},
	{"idna a-label", "xn--bcher-kva.de\nxn--mnchen-3ya.de\nxn--caf-dma.fr\n", 0, 3, 0},
	{"column named hostname", "timestamp,ip,hostname,port\n2024-01-01,1.2.3.4,fw1.corp.jp,443\n",
	 0, 1, 0},
	{"shadowserver-style", "\"timestamp\",\"ip\",\"port\",\"hostname\",\"asn\"\n"
			       "\"2024-01-01\",\"1.2.3.4\",\"443\",\"vpn.corp.jp\",\"2914\"\n"
			       "\"2024-01-01\",\"1.2.3.5\",\"443\",\"\",\"2914\"\n", 0, 1, 0},
	{"credentials with header", "email,password,source\na@x.nl,S3cr3t1,redline\n"
				    "b@x.nl,S3cr3t2,redline\n", 2, 0, 2},
	{"credentials by user column", "login;hash\nadmin;5f4dcc3b5aa765d61d8327deb882cf99\n", 0, 0,
	 1},
	{"combo rows", "a@x.nl,S3cr3t1\nb@y.nl,S3cr3t2\nc@z.nl,S3cr3t3\n", 3, 0, 3},
	{"user:pass lines", "admin:hunter2\nroot:toor123\nbob:qwerty99\n", 0, 0, 3},
	{"user:pass pairs on one line", "admin:hunter2 root:toor123 bob:qwerty99\n", 0, 0, 3},
	{"email:pass pairs, commas", "a@x.nl:S3cr3t1, b@x.nl:S3cr3t2, c@x.nl:S3cr3t3\n", 3, 0, 3},
	{"key:value words in prose", "Note:see the docs, then run it\n", 0, 0, 0},
	{"email:pass lines", "a@x.nl:S3cr3t1\nb@x.nl:S3cr3t2\nc@x.nl:S3cr3t3\n", 3, 0, 3},
	{"url:user:pass lines", "https://login.x.com:443/a:bob:S3cr3t1\nhttps://y.org/:al:S3cr3t2\n"
				"https://z.net/l:eve:S3cr3t3\n", 0, 0, 3},
	{"stealer log block", "URL: https://login.x.com\nUsername: a@x.nl\nPassword: S3cr3t\n"
			      "Application: Chrome\n", 1, 1, 1},
	{"user and password labels", "Username: jdoe\nPassword: S3cr3t!x\n\nUsername: mvdb\n"
				     "Password: S3cr3t?y\n", 0, 0, 2},
	{"password without a user", "Password: S3cr3t!x\n", 0, 0, 0},
	{"json labelled hosts", "\"hostname\": \"fw1.corp.jp\",\n\"hostname\": \"fw2.corp.jp\",\n"
				"\"hostname\": \"fw3.corp.jp\"\n", 0, 3, 0},
	{"list after prose", "Dear all,\nthe compromised hosts are:\n\nfw1.corp.jp\nfw2.corp.jp\n"
			     "fw3.corp.jp\nfw4.corp.jp\n\nRegards\n", 0, 4, 0},
	/* incident formats name what they carry: no run needed */
	{"stix pattern", "{\n  \"type\": \"indicator\",\n"
			 "  \"pattern\": \"[domain-name:value = 'c2.evil-corp.ru']\",\n"
			 "  \"pattern_type\": \"stix\"\n}\n", 0, 1, 0},
	{"stix pattern chain", "\"pattern\": \"[url:value = 'http://x.bad.cn/a'] OR "
			       "[email-addr:value = 'boss@victim.nl']\",\n", 1, 1, 0},
	{"stix observable", "{\n  \"type\": \"domain-name\",\n  \"spec_version\": \"2.1\",\n"
			    "  \"id\": \"domain-name--1\",\n  \"value\": \"vpn.victim.jp\"\n}\n",
	 0, 1, 0},
	{"misp attribute", "{\n  \"category\": \"Network activity\",\n  \"type\": \"hostname\",\n"
			   "  \"to_ids\": true,\n  \"value\": \"owa.victim.de\"\n},\n{\n"
			   "  \"type\": \"email-src\",\n  \"value\": \"phish@bad-domain.ru\"\n}\n",
	 1, 1, 0},
	{"misp value of another type", "  \"type\": \"sha256\",\n  \"value\": \"abc.def\"\n", 0,
	 0, 0},
	{"x-arf", "Reported-From: abuse@reporter.example\nCategory: abuse\nReport-Type: phishing\n"
		  "Source-Type: uri\nSource: http://login.victim-bank.nl/x\nPort: 80\n", 0, 1, 0},
	{"source of an article", "Source: https://www.news.example/story\nThanks\n", 0, 0, 0},
	{"idna u-label list", "b\xc3\xbc" "cher.example.de\nm\xc3\xbc" "nchen.example.de\n"
			      "z\xc3\xbc" "rich.example.ch\n", 0, 3, 0},
	{"mailing-list digest", "Today's Topics:\n\n   1. Re: build fails (Jan Jansen)\n"
				"   2. patch for foo.c (piet@example.org)\n"
				"   3. release 2.1 (Marie)\n\n"
				"Message: 1\nDate: Mon, 7 Dec 2026 10:00:00\nFrom: jan@example.org\n"
				"To: dev@lists.example.org\nMessage-ID: <a1@mail.example.org>\n\n"
				"see https://lists.example.org/archive\n", 0, 0, 0},
	{"password word in prose", "Your password was changed.\nIf that was not you, reset it at\n"
				   "https://account.example.com/reset\n", 0, 0, 0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		static const size_t chunks[] = {1, 7, 4096};
		for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
			struct counts c = run(cases[i].text, chunks[k]);
			assert_int_eq_msg(cases[i].name, c.emails, cases[i].emails);
			assert_int_eq_msg(cases[i].name, c.hosts, cases[i].hosts);
			assert_int_eq_msg(cases[i].name, c.creds, cases[i].creds);
			if (c.saw_secret)
				fail_msg("%s: a secret was handed out", cases[i].name);
		}
	}
}

/* Out of HTML, links one after another are a newsletter's hrefs, not a
 * list; defanged ones and bare host names still count. */
static void test_markup_links(void **state)
{
	(void)state;
	const char *links = "https://a.example.com/x\nhttps://b.example.org/y\nhttp://c.example.net/\n";
	assert_int_equal(run_in(links, 4096, false).hosts, 3);
	assert_int_equal(run_in(links, 4096, true).hosts, 0);
	assert_int_equal(run_in("hxxps://a[.]com/x\nhxxps://b[.]org/\nhxxp://c[.]net/\n", 5, true).hosts,
			 3);
	assert_int_equal(run_in("fw1.corp.jp\nfw2.corp.jp\nfw3.corp.jp\n", 4096, true).hosts, 3);
}

/* tmpl with each '#' replaced by n, into out (cap > its length). */
static size_t expand(char *out, size_t cap, const char *tmpl, size_t n)
{
	size_t o = 0;
	for (const char *p = tmpl; *p != '\0' && o + 24 < cap; p++) {
		if (*p == '#')
			o += (size_t)snprintf(out + o, cap - o, "%zu", n);
		else
			out[o++] = *p;
	}
	out[o] = '\0';
	return o;
}

/* A line past IDSCAN_LINE_MAX is judged in windows cut after a
 * separator, never skipped: a long line of addresses, host names or
 * user:pass pairs is the list it is, and a long line of prose stays
 * clean, whatever the chunking.  (Such a line was once passed over as
 * prose: a way to send any list unseen.) */
static void test_overlong_line(void **state)
{
	(void)state;
	static const struct {
		const char *name, *head, *item, *tail;
		bool emails, hosts, creds;
	} rows[] = {
		{"addresses, comma", "", "u#@x#.nl, ", "\n", true, false, false},
		{"addresses, semicolon", "", "u#@x#.nl;", "\n", true, false, false},
		{"addresses after a label", "Victims: ", "u#@x#.nl ", "\n", true, false, false},
		{"hosts, blank", "", "fw#.corp#.jp ", "\n", false, true, false},
		{"user:pass pairs", "", "user#:S3cr3t# ", "\n", false, false, true},
		{"address:pass pairs", "", "u#@x.nl:S3cr3t# ", "\n", true, false, true},
		{"prose", "", "the quick brown fox # jumps over # lazy dogs, ", "\n", false, false,
		 false},
		{"prose with addresses", "", "ask u#@x.nl or # others about it ", "\n", false,
		 false, false},
	};
	static const size_t chunks[] = {1, 7, 100, 2049, 65536};
	size_t cap = IDSCAN_LINE_MAX * 3 + 256;
	char *t = malloc(cap);
	assert_non_null(t);
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		size_t o = (size_t)snprintf(t, cap, "%s", rows[r].head);
		for (size_t i = 0; o < IDSCAN_LINE_MAX * 3; i++)
			o += expand(t + o, cap - o, rows[r].item, i);
		snprintf(t + o, cap - o, "%s", rows[r].tail);
		struct counts first = {0};
		for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
			struct counts c = run(t, chunks[k]);
			assert_int_eq_msg(rows[r].name, c.emails > 0, rows[r].emails);
			assert_int_eq_msg(rows[r].name, c.hosts > 0, rows[r].hosts);
			assert_int_eq_msg(rows[r].name, c.creds > 0, rows[r].creds);
			if (c.saw_secret)
				fail_msg("%s: a secret was handed out", rows[r].name);
			if (k == 0)
				first = c;
			assert_int_eq_msg(rows[r].name, c.emails, first.emails);
			assert_int_eq_msg(rows[r].name, c.hosts, first.hosts);
			assert_int_eq_msg(rows[r].name, c.creds, first.creds);
		}
	}
	free(t);
}

/* A line past a line's limits counts with what it holds, however it is
 * cut: more values than a line keeps (80 addresses; such a line was once
 * dropped as prose), more cells than a row keeps (the last cell takes the
 * rest, whose values count in list form). */
static void test_line_limits(void **state)
{
	(void)state;
	static const struct {
		const char *name, *item;
		int n, emails, hosts;
	} rows[] = {
		{"80 addresses", "u#@x.nl ", 80, 64, 0},
		{"70 cells", "h#.corp.jp,", 70, 0, 64},
	};
	static const size_t chunks[] = {1, 7, 4096};
	for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
		char t[2048];
		size_t o = 0;
		for (int i = 0; i < rows[r].n; i++)
			o += expand(t + o, sizeof t - o, rows[r].item, (size_t)i);
		snprintf(t + o, sizeof t - o, "\n");
		assert_true(o < IDSCAN_LINE_MAX);
		for (size_t k = 0; k < ARRAY_LEN(chunks); k++) {
			struct counts c = run(t, chunks[k]);
			assert_int_eq_msg(rows[r].name, c.emails, rows[r].emails);
			assert_int_eq_msg(rows[r].name, c.hosts, rows[r].hosts);
		}
	}
}

static void test_hostname_rule(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool want;
	} rows[] = {{"example.com", true}, {"fw01.example-corp.jp", true}, {"a.b.c.nl", true},
		    {"xn--bcher-kva.de", true}, {"report.pdf", false}, {"1.2.3.4", false},
		    {"localhost", false}, {"-a.com", false}, {"a-.com", false}, {"a..com", false},
		    {"v2.1", false}, {"node.js", false}, {"config.load", false}, {"x.q", false}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		if (idscan_is_hostname(rows[i].s, strlen(rows[i].s)) != rows[i].want)
			fail_msg("%s: got %d, want %d", rows[i].s, !rows[i].want, rows[i].want);
}

/* A callback's refusal stops the stream and comes back. */
static int stop_cb(void *arg, const struct idscan_match *m)
{
	(void)arg;
	(void)m;
	return -1;
}

static void test_callback_stops(void **state)
{
	(void)state;
	struct idscan *s = idscan_alloc(stop_cb, NULL);
	assert_non_null(s);
	idscan_begin(s, false);
	const char *t = "a@x.nl\nb@y.nl\nc@z.nl\nd@w.nl\n";
	assert_int_equal(idscan_update(s, t, strlen(t)), -1);
	assert_int_equal(idscan_finish(s), -1);
	idscan_begin(s, false);
	assert_int_equal(idscan_update(s, "x\n", 2), 0);
	idscan_free(s);
}

/* Through scan_message: exclusions, thresholds, categories, distinctness. */
static struct findings *scan_text(const char *body, const struct scan_options *o)
{
	char *msg = malloc(strlen(body) + 128);
	assert_non_null(msg);
	sprintf(msg, "From: a@ncsc.nl\nTo: b@jpcert.or.jp\nSubject: x\n\n%s", body);
	struct findings *f = scan_message(o, msg, strlen(msg));
	free(msg);
	assert_non_null(f);
	return f;
}

static void test_scan_categories(void **state)
{
	(void)state;
	static const char *const own[] = {"ncsc.nl", "*.rijksoverheid.nl"};
	static const char *const pub[] = {"google.com"};
	struct scan_options o;
	memset(&o, 0, sizeof o);
	walk_limits_default(&o.limits);
	o.threshold = 1;
	o.email_threshold = 3;
	o.host_threshold = 3;
	o.own_domains = own;
	o.nown = 2;
	o.public_domains = pub;
	o.npublic = 1;

	/* sixty stealer rows at a foreign government domain */
	char *csv = malloc(8192);
	assert_non_null(csv);
	strcpy(csv, "email,password,source\n");
	for (int i = 0; i < 60; i++)
		sprintf(csv + strlen(csv), "user%d@minbzk.nl,Pw%d!x,redline\n", i, i * 7919);
	struct findings *f = scan_text(csv, &o);
	assert_int_equal(findings_email_count(f), 60);
	assert_int_equal(findings_credential_count(f), 60);
	assert_true(findings_categories(f) & CAT_PERSONAL_DATA);
	assert_true(findings_categories(f) & CAT_CREDENTIALS);
	findings_free(f);
	free(csv);

	/* colleagues pasted as a distribution list: own domains do not count */
	f = scan_text("a@ncsc.nl\nb@ncsc.nl\nc@ncsc.nl\nd@www.rijksoverheid.nl\n"
		      "e@rijksoverheid.nl\n", &o);
	assert_int_equal(findings_email_count(f), 0);
	assert_int_equal(findings_categories(f), 0);
	findings_free(f);

	/* public services and own hosts are no victims; duplicates count once */
	f = scan_text("www.google.com\nmail.google.com\nportal.ncsc.nl\nfw1.corp.jp\nfw1.corp.jp\n"
		      "fw2.corp.jp\n", &o);
	assert_int_equal(findings_host_count(f), 2);
	assert_false(findings_categories(f) & CAT_PROVIDER_TRACEABLE);
	assert_int_equal(findings_tld_count(f), 1);
	assert_string_equal(findings_tld(f, 0)->tld, "jp");
	assert_int_equal(findings_tld(f, 0)->count, 2);
	findings_free(f);

	f = scan_text("fw1.corp.jp\nfw2.corp.jp\nfw3.corp.de\n", &o);
	assert_true(findings_categories(f) & CAT_PROVIDER_TRACEABLE);
	assert_int_equal(findings_tld_count(f), 2);
	findings_free(f);

	/* a U-label and its A-label are one host; an own domain written
	 * with U-labels is still own */
	static const char *const own_idn[] = {"xn--mnchen-3ya.de"};
	o.own_domains = own_idn;
	o.nown = 1;
	f = scan_text("fw1.m\xc3\xbc" "nchen.example.jp\nfw1.xn--mnchen-3ya.example.jp\n"
		      "vpn.m\xc3\xbc" "nchen.de\nfw2.victim.jp\n", &o);
	assert_int_equal(findings_host_count(f), 2);
	findings_free(f);
	o.own_domains = own;
	o.nown = 2;

	/* ordinary mail with a signature and a link stays unregulated */
	f = scan_text("Hi Piet,\n\nsee https://www.example.org/menu and mail marie@example.org.\n\n"
		      "-- \nJan\njan@ncsc.nl\nhttps://www.ncsc.nl\n", &o);
	assert_int_equal(findings_categories(f), 0);
	findings_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_line_limits),
		cmocka_unit_test(test_markup_links),
		cmocka_unit_test(test_hostname_rule),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_scan_categories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
