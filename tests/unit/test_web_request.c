/*
 * test_web_request.c - what grondslag-web reads from a browser and how it
 * decides who is asking (milter/web/form.c, token.c, certmap.c): forms and
 * query strings (strict: bad escapes, NUL, non-UTF-8, limits), the
 * session cookie, the Origin check, CSRF tokens compared in full, sessions
 * bound to their certificate and ended when idle, and the certificate map
 * (fingerprint or subject, to a login with a role); behind a reverse
 * proxy the user map (the header's name, exactly, to a login with a role)
 * and the listening mode (proxy mode on a unix socket only).
 */
#include "testutil.h"
#include "fixture_dir.h"

#include "grondslag/config/config.h"
#include "web.h"

static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("webreq");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

static void test_form_parse(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *want;	/* "k=v|k=v|", or "!" + substring of why */
	} cases[] = {
		{"", ""},
		{"a=1&b=2", "a=1|b=2|"},
		{"reason=No+agreement%2C+sorry&rcpt=%3Ccert%40cert.be%3E",
		 "reason=No agreement, sorry|rcpt=<cert@cert.be>|"},
		{"rcpt=a&rcpt=b", "rcpt=a|rcpt=b|"},
		{"flag&&x=", "flag=|x=|"},
		{"k=%C3%A9", "k=\xc3\xa9|"},
		{"k=%3Cscript%3E", "k=<script>|"},
		{"k=%", "!not percent-encoded"},
		{"k=%4", "!not percent-encoded"},
		{"k=%zz", "!not percent-encoded"},
		{"k=a%00b", "!not percent-encoded"},
		{"k=%FF", "!not percent-encoded"},
		{"k=%C0%BC", "!not percent-encoded"},
		{"k=%ED%A0%80", "!not percent-encoded"},
		{"%zz=v", "!not percent-encoded"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct web_form f;
		char why[200] = "", got[512] = "";
		if (web_form_parse(cases[i].in, strlen(cases[i].in), &f, why, sizeof why) != 0) {
			snprintf(got, sizeof got, "!%s", why);
		} else {
			for (size_t k = 0; k < f.n; k++)
				snprintf(got + strlen(got), sizeof got - strlen(got), "%s=%s|", f.key[k],
					 f.val[k]);
			web_form_free(&f);
		}
		if (cases[i].want[0] == '!' ? strstr(got, cases[i].want + 1) == NULL
					    : strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].in, got, cases[i].want);
	}
	/* an embedded NUL in the raw bytes */
	struct web_form f;
	char why[200];
	assert_int_eq_msg("raw NUL", web_form_parse("a=b\0c", 5, &f, why, sizeof why), -1);
	/* the limits: fields, value length, body size */
	static char big[WEB_BODY_MAX + 2];
	for (size_t i = 0; i < WEB_FORM_FIELDS + 1; i++)
		strcat(big, "a=1&");
	assert_int_eq_msg("too many fields", web_form_parse(big, strlen(big), &f, why, sizeof why), -1);
	assert_non_null(strstr(why, "fields"));
	memset(big, 0, sizeof big);
	strcpy(big, "a=");
	memset(big + 2, 'x', WEB_FORM_VALUE_MAX + 1);
	assert_int_eq_msg("long value", web_form_parse(big, strlen(big), &f, why, sizeof why), -1);
	big[2 + WEB_FORM_VALUE_MAX] = '\0';
	assert_int_eq_msg("longest value", web_form_parse(big, strlen(big), &f, why, sizeof why), 0);
	web_form_free(&f);
	memset(big, 'x', sizeof big - 1);
	assert_int_eq_msg("large body", web_form_parse(big, sizeof big - 1, &f, why, sizeof why), -1);
	/* the lookups */
	assert_int_eq_msg("parse", web_form_parse("r=a&x=1&r=b", 11, &f, why, sizeof why), 0);
	const char *all[4];
	assert_int_eq_msg("all r", (int)web_form_all(&f, "r", all, 4), 2);
	assert_str_eq_msg("second r", all[1], "b");
	assert_str_eq_msg("x", web_form_get(&f, "x"), "1");
	assert_null(web_form_get(&f, "y"));
	web_form_free(&f);
}

static void test_cookie_origin(void **state)
{
	(void)state;
	static const struct {
		const char *header, *want;	/* NULL: none */
	} cookies[] = {
		{"__Host-grondslag=abc", "abc"},
		{"x=1; __Host-grondslag=abc; y=2", "abc"},
		{"x-__Host-grondslag=evil; __Host-grondslag=good", "good"},
		{"__Host-grondslag2=no", NULL},
		{"", NULL},
		{NULL, NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(cookies); i++) {
		char out[70];
		bool ok = web_cookie_get(cookies[i].header, "__Host-grondslag", out, sizeof out);
		const char *h = cookies[i].header ? cookies[i].header : "(NULL)";
		if (cookies[i].want == NULL)
			assert_int_eq_msg(h, ok, 0);
		else
			assert_str_eq_msg(h, ok ? out : "(none)", cookies[i].want);
	}
	char small[4];
	assert_int_eq_msg("too long for the buffer",
			  web_cookie_get("__Host-grondslag=abcdef", "__Host-grondslag", small, 4), 0);
	static const struct {
		const char *origin, *want, *host;
		bool ok;
	} origins[] = {
		{"https://127.0.0.1:8443", "", "127.0.0.1:8443", true},
		{"https://LOCALHOST:8443", "", "localhost:8443", true},
		{"http://127.0.0.1:8443", "", "127.0.0.1:8443", false},
		{"https://evil.example", "", "127.0.0.1:8443", false},
		{"https://127.0.0.1:8443.evil.example", "", "127.0.0.1:8443", false},
		{"null", "", "127.0.0.1:8443", false},
		{NULL, "", "127.0.0.1:8443", false},
		{"https://127.0.0.1:8443", "", NULL, false},
		{"https://console.ncsc.nl", "https://console.ncsc.nl", "10.0.0.1:8443", true},
		{"https://127.0.0.1:8443", "https://console.ncsc.nl", "127.0.0.1:8443", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(origins); i++)
		assert_int_eq_msg(origins[i].origin ? origins[i].origin : "(NULL)",
				  web_origin_ok(origins[i].origin, origins[i].want, origins[i].host),
				  origins[i].ok);
}

static void test_tokens_sessions(void **state)
{
	(void)state;
	char a[WEB_TOKEN_HEX + 1], b[WEB_TOKEN_HEX + 1];
	assert_true(web_token_new(a));
	assert_true(web_token_new(b));
	assert_int_eq_msg("hex length", (int)strlen(a), WEB_TOKEN_HEX);
	assert_int_eq_msg("hex digits", (int)strspn(a, "0123456789abcdef"), WEB_TOKEN_HEX);
	assert_true(strcmp(a, b) != 0);
	assert_true(web_token_equal(a, a));
	char c[WEB_TOKEN_HEX + 2];
	strcpy(c, a);
	c[WEB_TOKEN_HEX - 1] = c[WEB_TOKEN_HEX - 1] == '0' ? '1' : '0';
	assert_false(web_token_equal(c, a));	/* last digit differs */
	strcpy(c, a);
	c[WEB_TOKEN_HEX - 1] = '\0';
	assert_false(web_token_equal(c, a));	/* shorter */
	strcpy(c, a);
	strcat(c, "0");
	assert_false(web_token_equal(c, a));	/* longer */
	assert_false(web_token_equal("", a));
	assert_false(web_token_equal(NULL, a));
	assert_false(web_token_equal(a, "short"));

	struct web_sessions *s = web_sessions_new(900);
	struct web_session one, two;
	bool fresh;
	const char *fpr1 = "aa", *fpr2 = "bb";
	assert_true(web_sessions_get(s, NULL, fpr1, "alice", 1000, &one, &fresh));
	assert_true(fresh);
	assert_true(strcmp(one.id, one.csrf) != 0);
	/* the same cookie, certificate and person: the same session */
	assert_true(web_sessions_get(s, one.id, fpr1, "alice", 1500, &two, &fresh));
	assert_false(fresh);
	assert_str_eq_msg("same csrf", two.csrf, one.csrf);
	/* the cookie over another certificate: a new session, the old ended */
	assert_true(web_sessions_get(s, one.id, fpr2, "bob", 1600, &two, &fresh));
	assert_true(fresh);
	assert_true(strcmp(two.csrf, one.csrf) != 0);
	assert_true(web_sessions_get(s, one.id, fpr1, "alice", 1700, &two, &fresh));
	assert_true(fresh);
	/* idle longer than the timeout: a new session */
	struct web_session three;
	assert_true(web_sessions_get(s, two.id, fpr1, "alice", 1700 + 901, &three, &fresh));
	assert_true(fresh);
	/* a made-up cookie: a new session, never the one guessed */
	assert_true(web_sessions_get(s, "deadbeef", fpr1, "alice", 2700, &two, &fresh));
	assert_true(fresh);
	web_sessions_free(s);
}

static const char fpr_j1[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void test_certmap(void **state)
{
	(void)state;
	char path[256], err[512];
	snprintf(path, sizeof path, "%s/web.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "Jurist alice alice@ncsc.nl\nAuditor dave\n"
		   "Sender carol carol@ncsc.nl\nSender dave dave@ncsc.nl\n"
		   "WebCertificateMap alice sha256:%s\n"
		   "WebCertificateMap dave subject:CN=dave,O=NCSC Test\n"
		   "WebCertificateMap carol subject:CN=carol,O=NCSC Test\n"
		   "WebCertificateMap nobody subject:CN=nobody\n"
		   "WebCertificateMap dave sha256:"
		   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:FF\n",
		fpr_j1);
	fclose(f);
	struct config *c = config_load(path, err, sizeof err);
	if (c == NULL)
		fail_msg("config: %s", err);
	assert_true(web_certmap_check(c, err, sizeof err));
	static const struct {
		const char *fpr, *subject, *want;	/* want: login, or "!" + why */
	} cases[] = {
		{fpr_j1, "CN=whatever", "alice"},
		{"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
		 NULL, "alice"},
		/* the fingerprint wins over a subject line */
		{fpr_j1, "CN=dave,O=NCSC Test", "alice"},
		{"ff23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		 "CN=dave,O=NCSC Test", "dave"},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdff", "CN=x", "dave"},
		{"ff", "CN=dave,O=NCSC Test ", "!mapped to nobody"},
		{"ff", "cn=dave,o=ncsc test", "!mapped to nobody"},
		{"ff", "CN=nobody", "!nobody has no role"},
		/* a sender signs in with their own certificate */
		{"ff", "CN=carol,O=NCSC Test", "carol"},
		{NULL, NULL, "!mapped to nobody"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char login[WEB_LOGIN_MAX] = "", why[200] = "", got[256];
		if (web_certmap_find(c, cases[i].fpr, cases[i].subject, login, sizeof login, why,
				     sizeof why))
			snprintf(got, sizeof got, "%s", login);
		else
			snprintf(got, sizeof got, "!%s", why);
		const char *row = cases[i].subject ? cases[i].subject : "(no subject)";
		if (cases[i].want[0] == '!' ? strstr(got, cases[i].want + 1) == NULL
					    : strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", row, got, cases[i].want);
	}
	/* the pages' idea of a sender follows the daemon's order of roles */
	assert_true(web_login_is_sender(c, "carol"));
	assert_false(web_login_is_sender(c, "dave"));	/* an auditor first */
	assert_false(web_login_is_sender(c, "alice"));
	assert_false(web_login_is_sender(c, "nobody"));
	config_free(c);
	static const struct {
		const char *line, *why;	/* why: NULL when valid */
	} lines[] = {
		{"alice sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL},
		{"alice subject:CN=alice", NULL},
		{"alice sha256:0123", "64 hex digits"},
		{"alice sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
		 "64 hex digits"},
		{"alice subject:", "give sha256"},
		{"alice md5:00", "give sha256"},
		{"alice", "give sha256"},
		{"-alice subject:CN=a", "no login name"},
		{"al/ice subject:CN=a", "no login name"},
		{"", "no login name"},
	};
	for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
		struct web_certmap_line l;
		char why[200] = "";
		bool ok = web_certmap_parse(lines[i].line, &l, why, sizeof why);
		if (lines[i].why == NULL ? !ok : (ok || strstr(why, lines[i].why) == NULL))
			fail_msg("%s: got %s \"%s\", want %s", lines[i].line, ok ? "valid" : "invalid", why,
				 lines[i].why ? lines[i].why : "valid");
	}
}

/* Write text as the test's config file and load it (NULL + err). */
static struct config *conf_of(const char *text, char *err, size_t errlen)
{
	char path[256];
	snprintf(path, sizeof path, "%s/proxy.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return config_load(path, err, errlen);
}

static void test_usermap(void **state)
{
	(void)state;
	char err[512];
	struct config *c = conf_of("Jurist alice alice@ncsc.nl\nAuditor dave\n"
				   "WebListen unix:/run/grondslag-web/web.sock\n"
				   "WebUserHeader X-Remote-User\nWebProxyUser root\n"
				   "WebUserMap alice alice@EXAMPLE.ORG\n"
				   "WebUserMap dave  CN=dave,O=NCSC  \n"
				   "WebUserMap nobody nobody@EXAMPLE.ORG\n",
				   err, sizeof err);
	if (c == NULL)
		fail_msg("config: %s", err);
	assert_true(web_proxy_check(c, err, sizeof err));
	static const struct {
		const char *name, *want;	/* want: login, or "!" + why */
	} cases[] = {
		{"alice@EXAMPLE.ORG", "alice"},
		{"CN=dave,O=NCSC", "dave"},
		{"alice@example.org", "!mapped to nobody"},
		{"alice@EXAMPLE.ORG ", "!mapped to nobody"},
		{"alice", "!mapped to nobody"},
		{"nobody@EXAMPLE.ORG", "!nobody has no role"},
		{"", "!named nobody"},
		{NULL, "!named nobody"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char login[WEB_LOGIN_MAX] = "", why[200] = "", got[256];
		if (web_usermap_find(c, cases[i].name, login, sizeof login, why, sizeof why))
			snprintf(got, sizeof got, "%s", login);
		else
			snprintf(got, sizeof got, "!%s", why);
		if (cases[i].want[0] == '!' ? strstr(got, cases[i].want + 1) == NULL
					    : strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name ? cases[i].name : "(null)",
				 got, cases[i].want);
	}
	config_free(c);
	/* the listening mode: proxy mode only on a unix socket, and back */
	static const struct {
		const char *conf, *why;	/* why: NULL when coherent */
	} modes[] = {
		{"WebListen 127.0.0.1:8443\n", NULL},
		{"WebListen unix:/run/w.sock\nWebUserHeader X-Remote-User\nWebProxyUser root\n", NULL},
		{"WebListen 127.0.0.1:8443\nWebUserHeader X-Remote-User\nWebProxyUser root\n",
		 "proxy mode serves a unix socket only"},
		{"WebListen [::1]:8443\nWebUserHeader X-Remote-User\nWebProxyUser root\n",
		 "proxy mode serves a unix socket only"},
		{"WebListen unix:run/w.sock\nWebUserHeader X-Remote-User\nWebProxyUser root\n",
		 "proxy mode serves a unix socket only"},
		{"WebListen unix:/run/w.sock\n", "a unix socket is for proxy mode only"},
		{"WebListen unix:/run/w.sock\nWebUserHeader X-Remote-User\n", "needs WebProxyUser"},
		{"WebListen unix:/run/w.sock\nWebUserHeader X-User:a\nWebProxyUser root\n",
		 "not a header name"},
		{"WebListen unix:/run/w.sock\nWebUserHeader X-Remote-User\nWebProxyUser root\n"
		 "WebUserMap alice\n", "give LOGIN NAME"},
		{"WebListen unix:/run/w.sock\nWebUserHeader X-Remote-User\nWebProxyUser root\n"
		 "WebUserMap -x alice@EXAMPLE.ORG\n", "give LOGIN NAME"},
	};
	for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
		char why[300] = "";
		c = conf_of(modes[i].conf, err, sizeof err);
		if (c == NULL)
			fail_msg("config %zu: %s", i, err);
		bool ok = web_proxy_check(c, why, sizeof why);
		config_free(c);
		if (modes[i].why == NULL ? !ok : (ok || strstr(why, modes[i].why) == NULL))
			fail_msg("%s: got %s \"%s\", want %s", modes[i].conf, ok ? "coherent" : "refused",
				 why, modes[i].why ? modes[i].why : "coherent");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_parse),
		cmocka_unit_test(test_cookie_origin),
		cmocka_unit_test(test_tokens_sessions),
		cmocka_unit_test(test_certmap),
		cmocka_unit_test(test_usermap),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
