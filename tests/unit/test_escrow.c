/*
 * test_escrow.c - the escrow key through GPGME against keys the test makes
 * in a throw-away GnuPG home (nothing committed): opening the key (no such
 * key, a public key only, a key without an encryption subkey, a malformed
 * fingerprint), the key ids handed to the walker, decrypting real
 * ciphertext to it (alone and beside another reader), refusing ciphertext
 * only another secret key of the same home opens, garbage, a passphrase
 * the agent would have to ask for, and a plaintext over the budget (a
 * compressed one much larger than its ciphertext).  At the end the
 * gpg-agents are killed and the directories removed.
 */
#include "testutil.h"
#include "fixture_gpg.h"

#include <signal.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <unistd.h>

#include "grondslag/decide/escrow.h"

static char gdir[64];		/* /tmp/escXXXXXX */
static char home[128];		/* gdir/s: the escrow key and one other secret key */
static char pub[128];		/* gdir/p: public keys only, the senders' side */
enum key_id { K_ESCROW, K_OTHER, K_SIGNONLY, K_PASS, K_COUNT };
static char fpr[K_COUNT][FIXTURE_FPR_LEN + 1];
static const char *const email[K_COUNT] = {"escrow@t.test", "other@t.test", "sign@t.test",
					   "pass@t.test"};

static void gen_key(enum key_id k, const char *pass, bool encr)
{
	fixture_gpg_key(home, email[k], pass, "", "never", encr ? "never" : NULL, fpr[k]);
}

static int setup(void **state)
{
	(void)state;
	if (fixture_gpg_dirs("esc", gdir, home, pub) != 0)
		return -1;
	gen_key(K_ESCROW, "", true);
	gen_key(K_OTHER, "", true);
	gen_key(K_SIGNONLY, "", false);
	gen_key(K_PASS, "secret", true);
	fixture_run("gpg --homedir %s --batch --export %s %s %s %s 2>/dev/null | "
		    "gpg --homedir %s --batch --import 2>/dev/null", home, fpr[K_ESCROW],
		    fpr[K_OTHER], fpr[K_SIGNONLY], fpr[K_PASS], pub);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return fixture_gpg_remove(gdir, home, pub);
}

/* The armoured ciphertext of the output of shell command src, encrypted
 * in the public home to the keys rcpts ("-r A -r B"). */
static char *encrypt_to(const char *src, const char *rcpts, size_t *len)
{
	char path[192], cmd[1024];
	snprintf(path, sizeof path, "%s/ct.asc", gdir);
	snprintf(cmd, sizeof cmd, "%s | gpg --homedir %s --batch --trust-model always --armor "
		 "--yes -o %s --encrypt %s 2>/dev/null", src, pub, path, rcpts);
	fixture_run("%s", cmd);
	gchar *data = NULL;
	gsize n = 0;
	assert_true(g_file_get_contents(path, &data, &n, NULL));
	*len = n;
	return data;
}

static void test_open(void **state)
{
	(void)state;
	char err[512];
	static const struct {
		const char *name, *home, *fpr, *why;
	} rows[] = {
		{"not a fingerprint", home, "ABCD", "not a 40-digit fingerprint"},
		{"no such key", home, "0123456789ABCDEF0123456789ABCDEF01234567", "no secret key"},
		{"public key only", pub, NULL, "no secret key"},
		{"no encryption subkey", home, "SIGNONLY", "no encryption subkey"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const char *f = rows[i].fpr == NULL ? fpr[K_ESCROW]
				: strcmp(rows[i].fpr, "SIGNONLY") == 0 ? fpr[K_SIGNONLY] : rows[i].fpr;
		err[0] = '\0';
		struct escrow *e = escrow_open(rows[i].home, f, err, sizeof err);
		if (e != NULL)
			fail_msg("%s: opened", rows[i].name);
		if (strstr(err, rows[i].why) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", rows[i].name, err, rows[i].why);
	}
	struct escrow *e = escrow_open(home, fpr[K_ESCROW], err, sizeof err);
	assert_non_null(e);
	assert_string_equal(escrow_fpr(e), fpr[K_ESCROW]);
	const struct walk_escrow *w = escrow_walk(e);
	assert_int_equal(w->nkeyids, 1);	/* the one encryption subkey */
	escrow_free(e);
	escrow_free(NULL);
}

static void test_decrypt(void **state)
{
	(void)state;
	char err[512], rc_escrow[128], rc_both[128], rc_other[128], rc_pass[128];
	snprintf(rc_escrow, sizeof rc_escrow, "-r %s", fpr[K_ESCROW]);
	snprintf(rc_both, sizeof rc_both, "-r %s -r %s", fpr[K_PASS], fpr[K_ESCROW]);
	snprintf(rc_other, sizeof rc_other, "-r %s", fpr[K_OTHER]);
	snprintf(rc_pass, sizeof rc_pass, "-r %s", fpr[K_PASS]);
	struct escrow *e = escrow_open(home, fpr[K_ESCROW], err, sizeof err);
	assert_non_null(e);
	const struct walk_escrow *w = escrow_walk(e);
	const char *why = "";
	static const struct {
		const char *name, *src;
		const char *rcpts;	/* which of the above */
		size_t max;
		int rc;
		const char *plain;
		const char *why;
	} rows[] = {
		{"to the escrow key", "printf '193.0.6.139\\n'", "escrow", 1 << 20, 0, "193.0.6.139\n",
		 ""},
		{"beside another reader", "printf 'list\\n'", "both", 1 << 20, 0, "list\n", ""},
		{"another secret key of the home opens it: refused", "printf 'x\\n'", "other",
		 1 << 20, -1, NULL, "not-for-escrow-key"},
		{"over the budget (compressed 4 MiB of zeros)", "head -c 4194304 /dev/zero", "escrow",
		 1 << 20, -1, NULL, "too-large"},
		{"exactly the budget", "printf '0123456789'", "escrow", 10, 0, "0123456789", ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const char *r = strcmp(rows[i].rcpts, "escrow") == 0 ? rc_escrow
				: strcmp(rows[i].rcpts, "both") == 0	? rc_both
				: strcmp(rows[i].rcpts, "other") == 0	? rc_other
									: rc_pass;
		size_t len;
		char *ct = encrypt_to(rows[i].src, r, &len);
		unsigned char *out = NULL;
		size_t n = 0;
		int rc = w->decrypt(w->arg, ct, len, rows[i].max, 30000, &out, &n, &why);
		assert_int_eq_msg(rows[i].name, rc, rows[i].rc);
		assert_str_eq_msg(rows[i].name, why, rows[i].why);
		if (rc == 0) {
			assert_int_eq_msg(rows[i].name, n, strlen(rows[i].plain));
			assert_int_eq_msg(rows[i].name, memcmp(out, rows[i].plain, n), 0);
		}
		free(out);
		g_free(ct);
	}
	/* garbage, and armour cut in half */
	unsigned char *out = NULL;
	size_t n = 0;
	assert_int_equal(w->decrypt(w->arg, "not openpgp", 11, 1 << 20, 30000, &out, &n, &why), -1);
	size_t len;
	char *ct = encrypt_to("printf 'x\\n'", rc_escrow, &len);
	assert_int_equal(w->decrypt(w->arg, ct, len / 2, 1 << 20, 30000, &out, &n, &why), -1);
	g_free(ct);
	/* a session key packet naming the escrow key that it does not open
	 * (its wrapped key altered): the key present and tried, the content
	 * is bad and stays sealed - a crafted packet never tempfails for ever */
	char path[192];
	snprintf(path, sizeof path, "%s/bin.gpg", gdir);
	fixture_run("printf 'x\\n' | gpg --homedir %s --batch --trust-model always --yes -o %s"
		    " --encrypt %s 2>/dev/null", pub, path, rc_escrow);
	gchar *bin = NULL;
	gsize blen = 0;
	assert_true(g_file_get_contents(path, &bin, &blen, NULL));
	/* an old-format PKESK with a one-byte length: its last byte */
	assert_true(blen > 2 && ((unsigned char)bin[0] & 0xfc) == 0x84);
	size_t plen = (unsigned char)bin[1];
	assert_true(plen + 2 < blen);
	bin[1 + plen] ^= 0x5a;
	why = "";
	int brc = w->decrypt(w->arg, bin, blen, 1 << 20, 30000, &out, &n, &why);
	assert_int_eq_msg("a packet the key does not open", brc, -1);
	assert_str_eq_msg("a packet the key does not open", why, "bad-data");
	g_free(bin);
	escrow_free(e);
	/* an escrow key behind a passphrase the agent does not hold: the
	 * agent is never allowed to ask; the part names the escrow key, so
	 * it must be read: a tempfail until the key is unlocked, never a
	 * sealed part decided as unscannable */
	e = escrow_open(home, fpr[K_PASS], err, sizeof err);
	assert_non_null(e);
	w = escrow_walk(e);
	ct = encrypt_to("printf 'x\\n'", rc_pass, &len);
	assert_int_eq_msg("locked", w->decrypt(w->arg, ct, len, 1 << 20, 30000, &out, &n, &why), -2);
	assert_str_eq_msg("locked", why, "key-locked");
	g_free(ct);
	escrow_free(e);
}

/* The escrow key's secret key deleted from the GnuPG home after the
 * daemon opened it (a key file removed or unreadable): ciphertext to the
 * escrow key is tempfailed with the reason, not left sealed. */
static void test_key_gone(void **state)
{
	(void)state;
	char gone[160], err[512], rc_escrow[128];
	snprintf(gone, sizeof gone, "%s/g", gdir);
	fixture_run("cp -a %s %s && rm -f %s/S.* %s/*.lock", home, gone, gone, gone);
	struct escrow *e = escrow_open(gone, fpr[K_ESCROW], err, sizeof err);
	assert_non_null(e);
	fixture_run("gpg --homedir %s --batch --yes --delete-secret-keys %s 2>/dev/null", gone,
		    fpr[K_ESCROW]);
	snprintf(rc_escrow, sizeof rc_escrow, "-r %s", fpr[K_ESCROW]);
	size_t len, n = 0;
	char *ct = encrypt_to("printf '193.0.6.139\\n'", rc_escrow, &len);
	unsigned char *out = NULL;
	const char *why = "";
	const struct walk_escrow *w = escrow_walk(e);
	int rc = w->decrypt(w->arg, ct, len, 1 << 20, 30000, &out, &n, &why);
	assert_int_eq_msg("secret key gone", rc, -2);
	assert_str_eq_msg("secret key gone", why, "key-unavailable");
	assert_null(out);
	g_free(ct);
	escrow_free(e);
	fixture_run("gpgconf --homedir %s --kill gpg-agent 2>/dev/null; true", gone);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

/* The escrow home's gpg-agent stopped (SIGSTOP, as a wedged agent): each
 * decryption gives up at its deadline with -2 "timeout" (the message is
 * then tempfailed), never waits for ever; after ESCROW_STUCK_MAX given
 * up, a new one fails at once; the agent continued, decryption works
 * again. */
static void test_hung_agent(void **state)
{
	(void)state;
	char err[512], rc_escrow[128], cmd[512];
	snprintf(rc_escrow, sizeof rc_escrow, "-r %s", fpr[K_ESCROW]);
	struct escrow *e = escrow_open(home, fpr[K_ESCROW], err, sizeof err);
	assert_non_null(e);
	const struct walk_escrow *w = escrow_walk(e);
	size_t len, n = 0;
	char *ct = encrypt_to("printf '193.0.6.139\\n'", rc_escrow, &len);
	unsigned char *out = NULL;
	const char *why = "";
	/* the agent runs (escrow_open used it) and says its pid */
	snprintf(cmd, sizeof cmd,
		 "gpg-connect-agent --homedir %s 'getinfo pid' /bye | sed -n 's/^D //p'", home);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	long pid = 0;
	if (fscanf(p, "%ld", &pid) != 1)
		pid = 0;
	pclose(p);
	assert_true(pid > 1);
	assert_int_equal(kill((pid_t)pid, SIGSTOP), 0);
	double t0 = now_ms();
	int rc = w->decrypt(w->arg, ct, len, 1 << 20, 1500, &out, &n, &why);
	double took = now_ms() - t0;
	assert_int_eq_msg("stopped agent", rc, -2);
	assert_str_eq_msg("stopped agent", why, "timeout");
	if (took < 1400 || took > 3000)
		fail_msg("stopped agent: gave up after %.0f ms, want 1500", took);
	for (int i = 0; i < 3; i++)
		assert_int_equal(w->decrypt(w->arg, ct, len, 1 << 20, 100, &out, &n, &why), -2);
	t0 = now_ms();
	rc = w->decrypt(w->arg, ct, len, 1 << 20, 5000, &out, &n, &why);
	took = now_ms() - t0;
	assert_int_eq_msg("four given up", rc, -2);
	assert_str_eq_msg("four given up", why, "gpg-agent-hung");
	if (took > 500)
		fail_msg("four given up: waited %.0f ms, want at once", took);
	assert_int_equal(kill((pid_t)pid, SIGCONT), 0);
	/* the abandoned decryptions finish; then it works again */
	rc = -2;
	for (int i = 0; i < 100 && rc != 0; i++) {
		rc = w->decrypt(w->arg, ct, len, 1 << 20, 30000, &out, &n, &why);
		if (rc != 0)
			usleep(100000);
	}
	assert_int_eq_msg("agent continued", rc, 0);
	assert_int_equal(n, strlen("193.0.6.139\n"));
	free(out);
	g_free(ct);
	escrow_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_decrypt),
		cmocka_unit_test(test_key_gone),
		cmocka_unit_test(test_hung_agent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
