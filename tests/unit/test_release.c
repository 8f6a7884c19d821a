/*
 * test_release.c - the single-use release token (release.c): the key
 * file (created 0600, read back, refused when readable by others or
 * malformed), the digest (Received: and our own fields left out, any
 * other change seen), canonical recipients, the mac table (valid;
 * altered ref, nonce, digest, recipients, expiry; other key; expired)
 * and the header parser (round trip, malformed values).  Replay is the
 * store's part: test_releaser.c.
 */
#include "testutil.h"
#include "fixture_dir.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/decide/release.h"


static int setup_dir(void **state)
{
	(void)state;
	return fixture_dir_make("release");
}

static int remove_dir(void **state)
{
	(void)state;
	return fixture_dir_remove();
}

/* Write text to dir/name with mode. */
static const char *put_file(const char *name, const char *text, mode_t mode)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void test_key_file(void **state)
{
	(void)state;
	unsigned char k1[RELEASE_KEY_LEN], k2[RELEASE_KEY_LEN];
	char err[256], path[256];
	snprintf(path, sizeof path, "%s/release.key", dir);
	assert_int_eq_msg("no file, no create", release_key_load(path, false, k1, err, sizeof err), -1);
	assert_int_eq_msg("create", release_key_load(path, true, k1, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_eq_msg("mode", st.st_mode & 0777, 0600);
	assert_int_eq_msg("size", st.st_size, 2 * RELEASE_KEY_LEN + 1);
	assert_int_eq_msg("read back", release_key_load(path, true, k2, err, sizeof err), 0);
	assert_memory_equal(k1, k2, RELEASE_KEY_LEN);
	static const struct {
		const char *name, *text;
		mode_t mode;
		const char *want;
	} bad[] = {
		{"readable by others", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		 0644, "readable by others"},
		{"short", "0011\n", 0600, "hex digits"},
		{"no newline", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeffX",
		 0600, "hex digits"},
		{"not hex", "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
		 0600, "not lowercase hex"},
		{"too long", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\nxx",
		 0600, "hex digits"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		const char *p = put_file("bad.key", bad[i].text, bad[i].mode);
		err[0] = '\0';
		assert_int_eq_msg(bad[i].name, release_key_load(p, true, k1, err, sizeof err), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("%s: got \"%s\", want it to contain \"%s\"", bad[i].name, err,
				 bad[i].want);
		unlink(p);
	}
}

static const char base_msg[] = "From: a@ncsc.nl\r\nSubject: list\r\n\tfolded on\r\n\r\n"
			       "8.8.8.8\r\n193.0.6.139\r\n";

static void test_digest(void **state)
{
	(void)state;
	char want[RELEASE_DIGEST_HEX], got[RELEASE_DIGEST_HEX];
	release_digest(base_msg, sizeof base_msg - 1, "X-Grondslag", want);
	static const struct {
		const char *name, *msg;
		bool same;
	} rows[] = {
		{"Received added by the MTA",
		 "Received: from x by y;\r\n\tMon, 1 Jan 2024\r\nFrom: a@ncsc.nl\r\nSubject: list\r\n"
		 "\tfolded on\r\n\r\n8.8.8.8\r\n193.0.6.139\r\n", true},
		{"our token header",
		 "X-Grondslag-Release: v1; ref=x\r\nFrom: a@ncsc.nl\r\nSubject: list\r\n"
		 "\tfolded on\r\n\r\n8.8.8.8\r\n193.0.6.139\r\n", true},
		{"our header, other case",
		 "x-grondslag: held\r\nFrom: a@ncsc.nl\r\nSubject: list\r\n"
		 "\tfolded on\r\n\r\n8.8.8.8\r\n193.0.6.139\r\n", true},
		{"body altered",
		 "From: a@ncsc.nl\r\nSubject: list\r\n\tfolded on\r\n\r\n8.8.8.9\r\n193.0.6.139\r\n",
		 false},
		{"continuation altered",
		 "From: a@ncsc.nl\r\nSubject: list\r\n\tfolded off\r\n\r\n8.8.8.8\r\n193.0.6.139\r\n",
		 false},
		{"header added",
		 "From: a@ncsc.nl\r\nCc: b@x.org\r\nSubject: list\r\n\tfolded on\r\n\r\n8.8.8.8\r\n"
		 "193.0.6.139\r\n", false},
		{"body truncated", "From: a@ncsc.nl\r\nSubject: list\r\n\tfolded on\r\n\r\n8.8.8.8\r\n",
		 false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		release_digest(rows[i].msg, strlen(rows[i].msg), "X-Grondslag", got);
		if ((strcmp(got, want) == 0) != rows[i].same)
			fail_msg("%s: got %s digest, want %s", rows[i].name,
				 rows[i].same ? "another" : "the same", rows[i].same ? "the same" : "another");
	}
	/* no header section, no body, empty: no crash, stable */
	release_digest("", 0, "X-Grondslag", got);
	release_digest("\r\n", 2, NULL, got);
	release_digest("Subject: x", 10, "", got);
}

static void test_canon(void **state)
{
	(void)state;
	static const char *const a[] = {"<Info@JPCERT.or.jp>", "soc@cisa.gov"};
	static const char *const b[] = {"<soc@cisa.gov>", "info@jpcert.or.jp"};
	char *ca = release_rcpts_canon(a, 2), *cb = release_rcpts_canon(b, 2);
	assert_str_eq_msg("canonical", ca, "info@jpcert.or.jp\nsoc@cisa.gov");
	assert_str_eq_msg("order, case and <> do not matter", cb, ca);
	free(ca);
	free(cb);
	static const char *const empty[] = {"<>"};
	static const char *const nl[] = {"a@b\nc@d"};
	assert_null(release_rcpts_canon(a, 0));
	assert_null(release_rcpts_canon(empty, 1));
	assert_null(release_rcpts_canon(nl, 1));
	assert_null(release_rcpts_canon(NULL, 1));
	/* every recipient the milter holds: RCPT_TEXT_MAX bytes without <> */
	static char longest[RCPT_TEXT_MAX + 3], over[RCPT_TEXT_MAX + 4];
	memset(longest, 'a', sizeof longest - 1);
	longest[0] = '<';
	longest[1] = '@';
	memcpy(longest + sizeof longest - 20, ":info@jpcert.or.jp>", 20);
	snprintf(over, sizeof over, "<a%s", longest + 1);
	const char *const l1[] = {longest}, *const o1[] = {over};
	char *cl = release_rcpts_canon(l1, 1);
	assert_non_null(cl);
	assert_int_eq_msg("the longest held recipient", strlen(cl), RCPT_TEXT_MAX);
	free(cl);
	assert_null(release_rcpts_canon(o1, 1));
}

static const unsigned char key[RELEASE_KEY_LEN] = "0123456789abcdef0123456789abcdef";
static const unsigned char other_key[RELEASE_KEY_LEN] = "0123456789abcdef0123456789abcdeX";
#define REF "G20240110-7KQ2M9XH0T"
#define NONCE "00112233445566778899aabbccddeeff"
#define DIGEST "aa"
#define RCPTS "info@jpcert.or.jp\nsoc@cisa.gov"
#define NOW 1700000000

static void test_mac_table(void **state)
{
	(void)state;
	struct release_token t = {.ref = REF, .nonce = NONCE, .expires = NOW + 60};
	release_mac(key, REF, NONCE, DIGEST, NOW + 60, RCPTS, t.mac);
	static const struct {
		const char *name, *ref, *nonce, *digest, *rcpts;
		int64_t exp;
		time_t now;
		bool other_key;
		enum release_verdict want;
	} rows[] = {
		{"valid", REF, NONCE, DIGEST, RCPTS, NOW + 60, NOW, false, RELEASE_OK},
		{"altered ref", "G20240110-7KQ2M9XH0V", NONCE, DIGEST, RCPTS, NOW + 60, NOW, false,
		 RELEASE_BAD_MAC},
		{"altered nonce", REF, "00112233445566778899aabbccddeefe", DIGEST, RCPTS, NOW + 60, NOW,
		 false, RELEASE_BAD_MAC},
		{"altered digest (message)", REF, NONCE, "ab", RCPTS, NOW + 60, NOW, false,
		 RELEASE_BAD_MAC},
		{"recipient added", REF, NONCE, DIGEST, RCPTS "\nx@evil.example", NOW + 60, NOW, false,
		 RELEASE_BAD_MAC},
		{"recipient left out", REF, NONCE, DIGEST, "soc@cisa.gov", NOW + 60, NOW, false,
		 RELEASE_BAD_MAC},
		{"expiry extended", REF, NONCE, DIGEST, RCPTS, NOW + 6000, NOW, false, RELEASE_BAD_MAC},
		{"other key (forged)", REF, NONCE, DIGEST, RCPTS, NOW + 60, NOW, true, RELEASE_BAD_MAC},
		{"expired", REF, NONCE, DIGEST, RCPTS, NOW + 60, NOW + 60, false, RELEASE_EXPIRED},
		{"expired long ago", REF, NONCE, DIGEST, RCPTS, NOW + 60, NOW + 99999, false,
		 RELEASE_EXPIRED},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct release_token u = t;
		snprintf(u.ref, sizeof u.ref, "%s", rows[i].ref);
		snprintf(u.nonce, sizeof u.nonce, "%s", rows[i].nonce);
		u.expires = rows[i].exp;
		enum release_verdict v = release_token_check(rows[i].other_key ? other_key : key, &u,
							     rows[i].digest, rows[i].rcpts, rows[i].now);
		assert_str_eq_msg(rows[i].name, release_verdict_name(v),
				  release_verdict_name(rows[i].want));
	}
	assert_int_equal(release_token_check(key, NULL, DIGEST, RCPTS, NOW), RELEASE_MALFORMED);
}

static void test_header(void **state)
{
	(void)state;
	struct release_token t = {.ref = REF, .nonce = NONCE, .expires = NOW}, u;
	release_mac(key, REF, NONCE, DIGEST, NOW, RCPTS, t.mac);
	char value[RELEASE_HEADER_MAX + 1];
	assert_true(release_token_format(&t, value, sizeof value));
	assert_true(release_token_parse(value, &u));
	assert_str_eq_msg("ref", u.ref, t.ref);
	assert_str_eq_msg("nonce", u.nonce, t.nonce);
	assert_str_eq_msg("mac", u.mac, t.mac);
	assert_int_eq_msg("exp", u.expires, t.expires);
	char small[20];
	assert_false(release_token_format(&t, small, sizeof small));
	char mac[65];
	memset(mac, 'a', 64);
	mac[64] = '\0';
	char good[300], tmp[400];
	snprintf(good, sizeof good, "v1; ref=" REF "; nonce=" NONCE "; exp=123; mac=%s", mac);
	assert_true(release_token_parse(good, &u));
	static const struct {
		const char *name, *fmt;
	} bad[] = {
		{"empty", ""},
		{"other version", "v2; ref=" REF "; nonce=" NONCE "; exp=123; mac=%s"},
		{"short ref", "v1; ref=G2024; nonce=" NONCE "; exp=123; mac=%s"},
		{"ref not ours", "v1; ref=X20240110-7KQ2M9XH0T; nonce=" NONCE "; exp=123; mac=%s"},
		{"short nonce", "v1; ref=" REF "; nonce=0011; exp=123; mac=%s"},
		{"upper-case nonce", "v1; ref=" REF "; nonce=00112233445566778899AABBCCDDEEFF; exp=123; mac=%s"},
		{"negative exp", "v1; ref=" REF "; nonce=" NONCE "; exp=-1; mac=%s"},
		{"huge exp", "v1; ref=" REF "; nonce=" NONCE "; exp=12345678901234567890; mac=%s"},
		{"fields reordered", "v1; nonce=" NONCE "; ref=" REF "; exp=123; mac=%s"},
		{"mac missing", "v1; ref=" REF "; nonce=" NONCE "; exp=123"},
		{"trailing junk", "v1; ref=" REF "; nonce=" NONCE "; exp=123; mac=%s; x=1"},
		{"short mac", "v1; ref=" REF "; nonce=" NONCE "; exp=123; mac=abc"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		/* "%s" in the row stands for a well-formed mac */
		const char *at = strstr(bad[i].fmt, "%s");
		if (at != NULL)
			snprintf(tmp, sizeof tmp, "%.*s%s%s", (int)(at - bad[i].fmt), bad[i].fmt, mac,
				 at + 2);
		else
			snprintf(tmp, sizeof tmp, "%s", bad[i].fmt);
		if (release_token_parse(tmp, &u))
			fail_msg("%s: got parsed, want refused (\"%s\")", bad[i].name, tmp);
	}
	assert_false(release_token_parse(NULL, &u));
	char longv[RELEASE_HEADER_MAX + 10];
	memset(longv, ' ', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_false(release_token_parse(longv, &u));
}

static void test_nonce(void **state)
{
	(void)state;
	char a[RELEASE_NONCE_HEX], b[RELEASE_NONCE_HEX];
	assert_true(release_nonce_new(a));
	assert_true(release_nonce_new(b));
	assert_int_eq_msg("nonce length", strlen(a), 32);
	if (strcmp(a, b) == 0)
		fail_msg("two nonces equal: %s", a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_file, setup_dir, remove_dir),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_mac_table),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_nonce),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
