/*
 * test_regsig.c - signed registries: the test builds a throw-away GnuPG
 * world (short home under /tmp, keys without passphrase), signs registry
 * files as a jurist would (gpg --detach-sign --armor) and checks every
 * outcome of regsig_verify() and regsig_decide() against a public-only
 * home without ownertrust, as the daemon has it.
 *
 * Keys: A and B (ordinary signers), C (public key absent from the
 * verifying home), X (expired: made with --faked-system-time in 2020 with
 * a one-day expiry), R (revoked by importing its own revocation
 * certificate), S (signs with a signing subkey).
 * At the end the gpg-agents are killed and the directory removed.
 */
#include "testutil.h"
#include "fixture_gpg.h"

#include <ctype.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/decide/regsig.h"

enum key_id { K_A, K_B, K_C, K_X, K_R, K_S, K_COUNT };

static const char *const key_email[K_COUNT] = {"a@example.test", "b@example.test",
					       "c@example.test", "x@example.test",
					       "r@example.test", "s@example.test"};

static char dir[64];		/* /tmp/rsgXXXXXX */
static char home[128];		/* dir/g: keys with secrets */
static char pub[128];		/* dir/p: public keys only, no ownertrust */
static char fpr[K_COUNT][REGSIG_FPR_LEN + 1];
static char subfpr_s[REGSIG_FPR_LEN + 1];	/* the signing subkey of S */
static char fpr_a_lower[REGSIG_FPR_LEN + 1];
static char fpr_a_spaced[64];

static const char registry_text[] = "version: 1\nparties: []\n# signed by a jurist\n";


static void write_file(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* Detached armored signature of dir/in by the key (as a jurist does). */
static void sign(const char *in, const char *out, const char *who, const char *extra)
{
	fixture_run("gpg --homedir %s --batch --yes --pinentry-mode loopback --passphrase '' %s "
	    "%s --detach-sign --armor -o %s/%s %s/%s 2>/dev/null",
	    home, extra, who, dir, out, dir, in);
}

static void gen_key(enum key_id k, const char *faketime, const char *expire)
{
	fixture_run("gpg --homedir %s --batch --passphrase '' %s%s --quick-gen-key "
	    "'Signer %c <%s>' future-default default %s 2>/dev/null",
	    home, faketime ? "--faked-system-time " : "", faketime ? faketime : "",
	    "ABCXRS"[k], key_email[k], expire);
	fixture_gpg_fpr(home, key_email[k], fpr[k], NULL);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/rsgXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(home, sizeof home, "%s/g", dir);
	snprintf(pub, sizeof pub, "%s/p", dir);
	if (mkdir(home, 0700) != 0 || mkdir(pub, 0700) != 0)
		return -1;
	for (int k = K_A; k < K_COUNT; k++)
		if (k != K_X)
			gen_key((enum key_id)k, NULL, "never");
	gen_key(K_X, "20200101T000000", "1d");
	fixture_run("gpg --homedir %s --batch --passphrase '' --quick-add-key %s ed25519 sign never "
	    "2>/dev/null", home, fpr[K_S]);
	fixture_gpg_fpr(home, key_email[K_S], fpr[K_S], subfpr_s);
	if (strlen(subfpr_s) != REGSIG_FPR_LEN)
		fail_msg("no signing subkey for S");

	write_file("reg.yaml", registry_text);
	write_file("nosig.yaml", registry_text);
	write_file("other.yaml", "version: 1\nparties: []\n# another file\n");
	write_file("garbage.asc", "-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n"
				  "-----END PGP SIGNATURE-----\n");
	write_file("random.asc", "this is not a signature at all\n");
	write_file("empty.asc", "");
	char who[600];	/* two --local-user options with fingerprints */
	static const char *const outs[K_COUNT] = {"reg.yaml.asc", "b.asc", "c.asc",
						  "x.asc", "r.asc", "s.asc"};
	for (int k = K_A; k < K_COUNT; k++) {
		snprintf(who, sizeof who, "--local-user %s%s", fpr[k], k == K_S ? "" : "!");
		sign("reg.yaml", outs[k], who, k == K_X ? "--faked-system-time 20200101T010000" : "");
	}
	snprintf(who, sizeof who, "--local-user %s! --local-user %s!", fpr[K_B], fpr[K_A]);
	sign("reg.yaml", "ab.asc", who, "");
	snprintf(who, sizeof who, "--local-user %s!", fpr[K_A]);
	sign("other.yaml", "other.asc", who, "");
	/* Two jurists signing separately: armored signatures concatenated. */
	fixture_run("cat %s/b.asc %s/reg.yaml.asc > %s/cat.asc", dir, dir, dir);
	fixture_run("cat %s/reg.yaml.asc %s/other.asc > %s/goodbad.asc", dir, dir, dir);
	/* Altered after signing: same signature, one byte changed. */
	write_file("altered.yaml", "version: 1\nparties: []\n# signed by a jurisT\n");
	/* Revoke R with the certificate gpg stored at creation. */
	fixture_run("sed 's/^:-----/-----/' %s/openpgp-revocs.d/%s.rev | gpg --homedir %s --batch "
	    "--import 2>/dev/null", home, fpr[K_R], home);
	/* The verifying home: public keys only (C left out), no ownertrust. */
	fixture_run("gpg --homedir %s --batch --export %s %s %s %s %s | gpg --homedir %s --batch --import "
	    "2>/dev/null", home, fpr[K_A], fpr[K_B], fpr[K_X], fpr[K_R], fpr[K_S], pub);

	for (size_t i = 0; i <= REGSIG_FPR_LEN; i++)
		fpr_a_lower[i] = (char)tolower((unsigned char)fpr[K_A][i]);
	size_t n = 0;
	for (size_t i = 0; i < REGSIG_FPR_LEN; i++) {
		if (i > 0 && i % 4 == 0)
			fpr_a_spaced[n++] = ' ';
		fpr_a_spaced[n++] = fpr[K_A][i];
	}
	fpr_a_spaced[n] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (dir[0] == '\0')
		return 0;
	return fixture_gpg_remove(dir, home, pub);
}

/* Which key a row expects as out->fingerprint. */
enum want_fpr { W_NONE = -1, W_A = K_A, W_B = K_B, W_X = K_X, W_R = K_R, W_S = K_S, W_ANY = 99 };

struct verify_row {
	const char *name;
	const char *file;	/* in dir */
	const char *sig;	/* in dir; NULL = file + ".asc" */
	const char *signers;	/* "A", "AB", "a" (A lower case), "_" (A spaced), "s" (S subkey), "" */
	enum regsig_mode mode;
	enum regsig_status want;
	enum regsig_verdict verdict;
	int want_fpr;
};

static const struct verify_row verify_rows[] = {
	{"good, listed", "reg.yaml", NULL, "A", REGSIG_REQUIRED, REGSIG_OK, REGSIG_ACCEPT, W_A},
	{"good, listed among others", "reg.yaml", NULL, "BA", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_A},
	{"good, listed lower case", "reg.yaml", NULL, "a", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_A},
	{"good, listed with spaces", "reg.yaml", NULL, "_", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_A},
	{"good, optional", "reg.yaml", NULL, "A", REGSIG_OPTIONAL, REGSIG_OK, REGSIG_ACCEPT, W_A},
	{"good, not listed", "reg.yaml", NULL, "B", REGSIG_REQUIRED, REGSIG_UNKNOWN_SIGNER,
	 REGSIG_REFUSE, W_A},
	{"good, no signers", "reg.yaml", NULL, "", REGSIG_REQUIRED, REGSIG_UNKNOWN_SIGNER,
	 REGSIG_REFUSE, W_A},
	{"good, not listed, optional", "reg.yaml", NULL, "B", REGSIG_OPTIONAL,
	 REGSIG_UNKNOWN_SIGNER, REGSIG_REFUSE, W_A},
	{"signed by B, A listed", "reg.yaml", "b.asc", "A", REGSIG_REQUIRED, REGSIG_UNKNOWN_SIGNER,
	 REGSIG_REFUSE, W_B},
	{"key not in home", "reg.yaml", "c.asc", "A", REGSIG_REQUIRED, REGSIG_UNKNOWN_SIGNER,
	 REGSIG_REFUSE, W_ANY},
	{"two signatures, one listed", "reg.yaml", "ab.asc", "A", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_A},
	{"concatenated signatures", "reg.yaml", "cat.asc", "A", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_A},
	{"good plus bad signature", "reg.yaml", "goodbad.asc", "A", REGSIG_REQUIRED, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"altered after signing", "altered.yaml", "reg.yaml.asc", "A", REGSIG_REQUIRED, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"altered, optional", "altered.yaml", "reg.yaml.asc", "A", REGSIG_OPTIONAL, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"signature of another file", "reg.yaml", "other.asc", "A", REGSIG_REQUIRED, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"garbage armor", "reg.yaml", "garbage.asc", "A", REGSIG_REQUIRED, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"not armor at all", "reg.yaml", "random.asc", "A", REGSIG_OPTIONAL, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"empty signature file", "reg.yaml", "empty.asc", "A", REGSIG_REQUIRED, REGSIG_BAD,
	 REGSIG_REFUSE, W_NONE},
	{"unsigned, required", "nosig.yaml", NULL, "A", REGSIG_REQUIRED, REGSIG_UNSIGNED,
	 REGSIG_REFUSE, W_NONE},
	{"unsigned, optional", "nosig.yaml", NULL, "A", REGSIG_OPTIONAL, REGSIG_UNSIGNED,
	 REGSIG_ACCEPT_WARN, W_NONE},
	{"unsigned, none", "nosig.yaml", NULL, "A", REGSIG_NONE, REGSIG_SKIPPED, REGSIG_ACCEPT,
	 W_NONE},
	{"bad signature, none: not looked at", "altered.yaml", "reg.yaml.asc", "A", REGSIG_NONE,
	 REGSIG_SKIPPED, REGSIG_ACCEPT, W_NONE},
	{"expired key, listed", "reg.yaml", "x.asc", "X", REGSIG_REQUIRED, REGSIG_EXPIRED,
	 REGSIG_REFUSE, W_X},
	{"expired key, not listed", "reg.yaml", "x.asc", "A", REGSIG_REQUIRED,
	 REGSIG_UNKNOWN_SIGNER, REGSIG_REFUSE, W_X},
	{"revoked key, listed", "reg.yaml", "r.asc", "R", REGSIG_REQUIRED, REGSIG_REVOKED,
	 REGSIG_REFUSE, W_R},
	{"revoked key, optional", "reg.yaml", "r.asc", "R", REGSIG_OPTIONAL, REGSIG_REVOKED,
	 REGSIG_REFUSE, W_R},
	{"subkey signature maps to primary", "reg.yaml", "s.asc", "S", REGSIG_REQUIRED, REGSIG_OK,
	 REGSIG_ACCEPT, W_S},
	{"listing the subkey is not enough", "reg.yaml", "s.asc", "s", REGSIG_REQUIRED,
	 REGSIG_UNKNOWN_SIGNER, REGSIG_REFUSE, W_S},
	{"missing registry, none", "absent.yaml", NULL, "A", REGSIG_NONE, REGSIG_UNREADABLE,
	 REGSIG_REFUSE, W_NONE},
	{"missing registry, required", "absent.yaml", NULL, "A", REGSIG_REQUIRED,
	 REGSIG_UNREADABLE, REGSIG_REFUSE, W_NONE},
};

/* The signer list a row names. */
static size_t row_signers(const char *spec, const char **out)
{
	size_t n = 0;
	for (const char *p = spec; *p != '\0'; p++) {
		switch (*p) {
		case 'A': out[n++] = fpr[K_A]; break;
		case 'B': out[n++] = fpr[K_B]; break;
		case 'X': out[n++] = fpr[K_X]; break;
		case 'R': out[n++] = fpr[K_R]; break;
		case 'S': out[n++] = fpr[K_S]; break;
		case 'a': out[n++] = fpr_a_lower; break;
		case '_': out[n++] = fpr_a_spaced; break;
		case 's': out[n++] = subfpr_s; break;
		default: fail_msg("bad signer spec %c", *p);
		}
	}
	return n;
}

static void test_verify_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(verify_rows); i++) {
		const struct verify_row *r = &verify_rows[i];
		char file[256], sig[256], msg[1024];
		const char *signers[8];
		size_t ns = row_signers(r->signers, signers);
		snprintf(file, sizeof file, "%s/%s", dir, r->file);
		if (r->sig != NULL)
			snprintf(sig, sizeof sig, "%s/%s", dir, r->sig);
		struct regsig_result res;
		enum regsig_status st = regsig_verify(file, r->sig ? sig : NULL, pub, signers, ns,
						      r->mode, &res);
		if (st != r->want)
			fail_msg("%s: got %s (%s), want %s", r->name, regsig_status_name(st),
				 res.error, regsig_status_name(r->want));
		assert_int_eq_msg(r->name, res.status, st);
		enum regsig_verdict v = regsig_decide(r->mode, st, &res, file, NULL, msg, sizeof msg);
		if (v != r->verdict)
			fail_msg("%s: got verdict %d (%s), want %d", r->name, v, msg, r->verdict);
		if (r->want_fpr >= 0 && r->want_fpr != W_ANY)
			assert_str_eq_msg(r->name, res.fingerprint, fpr[r->want_fpr]);
		if (r->want_fpr == W_ANY && res.fingerprint[0] == '\0')
			fail_msg("%s: got no fingerprint, want the key id gpg reported", r->name);
		if (r->want != REGSIG_UNREADABLE) {
			/* The verified bytes are handed back for parsing. */
			if (res.data == NULL)
				fail_msg("%s: got no registry bytes, want the file", r->name);
			assert_int_eq_msg(r->name, res.len, strlen(res.data));
		} else if (res.data != NULL) {
			fail_msg("%s: got registry bytes, want none", r->name);
		}
		if (strncmp(msg, "registry ", 9) != 0 || strchr(msg, '\n') != NULL)
			fail_msg("%s: got message \"%s\", want one line \"registry FILE: ...\"",
				 r->name, msg);
		regsig_result_free(&res);
	}
}

/* The exact sentences an operator sees. */
static void test_messages(void **state)
{
	(void)state;
	char file[256], msg[1024], want[1024];
	const char *signers[1] = {fpr[K_A]};
	struct regsig_result res;

	snprintf(file, sizeof file, "%s/nosig.yaml", dir);
	regsig_verify(file, NULL, pub, signers, 1, REGSIG_REQUIRED, &res);
	regsig_decide(REGSIG_REQUIRED, res.status, &res, file, NULL, msg, sizeof msg);
	snprintf(want, sizeof want,
		 "registry %s: refused: RegistrySignature required and no signature file %s.asc",
		 file, file);
	assert_str_eq_msg("unsigned required", msg, want);
	regsig_decide(REGSIG_OPTIONAL, res.status, &res, file, NULL, msg, sizeof msg);
	snprintf(want, sizeof want,
		 "registry %s: warning: no signature file %s.asc; accepted unsigned "
		 "(RegistrySignature optional)", file, file);
	assert_str_eq_msg("unsigned optional", msg, want);
	regsig_result_free(&res);

	snprintf(file, sizeof file, "%s/reg.yaml", dir);
	regsig_verify(file, NULL, pub, signers, 1, REGSIG_REQUIRED, &res);
	regsig_decide(REGSIG_REQUIRED, res.status, &res, file, NULL, msg, sizeof msg);
	snprintf(want, sizeof want, "registry %s: good signature by %s (listed signer)", file,
		 fpr[K_A]);
	assert_str_eq_msg("good", msg, want);
	regsig_result_free(&res);

	signers[0] = fpr[K_B];
	regsig_verify(file, NULL, pub, signers, 1, REGSIG_REQUIRED, &res);
	regsig_decide(REGSIG_REQUIRED, res.status, &res, file, NULL, msg, sizeof msg);
	snprintf(want, sizeof want,
		 "registry %s: refused: %s.asc is not signed by a RegistrySigner: %s is not a "
		 "RegistrySigner", file, file, fpr[K_A]);
	assert_str_eq_msg("unknown signer", msg, want);
	regsig_result_free(&res);
}

/* regsig_verify_buffer: the bytes in memory are what is verified. */
static void test_buffer(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/reg.yaml.asc", dir);
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	char sig[8192];
	size_t siglen = fread(sig, 1, sizeof sig, fp);
	fclose(fp);
	assert_true(siglen > 0 && siglen < sizeof sig);
	const char *signers[1] = {fpr[K_A]};
	struct regsig_result res;
	memset(&res, 0, sizeof res);
	char buf[sizeof registry_text];
	memcpy(buf, registry_text, sizeof buf);
	enum regsig_status st = regsig_verify_buffer(buf, strlen(buf), sig, siglen, pub, signers, 1,
						     &res);
	assert_int_eq_msg("buffer good", st, REGSIG_OK);
	assert_null(res.data);
	buf[0] = 'V';	/* one byte changed in memory */
	st = regsig_verify_buffer(buf, strlen(buf), sig, siglen, pub, signers, 1, &res);
	assert_int_eq_msg("buffer altered", st, REGSIG_BAD);
	st = regsig_verify_buffer(buf, strlen(buf), NULL, 0, pub, signers, 1, &res);
	assert_int_eq_msg("buffer unsigned", st, REGSIG_UNSIGNED);
	/* A home that does not exist cannot vouch for anything. */
	buf[0] = 'v';
	st = regsig_verify_buffer(buf, strlen(buf), sig, siglen, "/nonexistent/gnupg", signers, 1,
				  &res);
	assert_int_eq_msg("missing home", st, REGSIG_ERROR);
	if (strstr(res.error, "No such file or directory") == NULL)
		fail_msg("missing home: got \"%s\", want the reason", res.error);
}

struct decide_row {
	enum regsig_mode mode;
	enum regsig_status status;
	enum regsig_verdict want;
};

/* The whole mode x status matrix, without gpg. */
static void test_decide_matrix(void **state)
{
	(void)state;
	static const struct decide_row rows[] = {
		{REGSIG_REQUIRED, REGSIG_OK, REGSIG_ACCEPT},
		{REGSIG_REQUIRED, REGSIG_UNSIGNED, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_BAD, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_UNKNOWN_SIGNER, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_EXPIRED, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_REVOKED, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_ERROR, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_SKIPPED, REGSIG_REFUSE},
		{REGSIG_REQUIRED, REGSIG_UNREADABLE, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_OK, REGSIG_ACCEPT},
		{REGSIG_OPTIONAL, REGSIG_UNSIGNED, REGSIG_ACCEPT_WARN},
		{REGSIG_OPTIONAL, REGSIG_BAD, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_UNKNOWN_SIGNER, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_EXPIRED, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_REVOKED, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_ERROR, REGSIG_REFUSE},
		{REGSIG_OPTIONAL, REGSIG_UNREADABLE, REGSIG_REFUSE},
		{REGSIG_NONE, REGSIG_SKIPPED, REGSIG_ACCEPT},
		{REGSIG_NONE, REGSIG_UNSIGNED, REGSIG_ACCEPT},
		{REGSIG_NONE, REGSIG_BAD, REGSIG_ACCEPT},
		{REGSIG_NONE, REGSIG_UNREADABLE, REGSIG_REFUSE},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[96], msg[512];
		snprintf(name, sizeof name, "%s/%s", regsig_mode_name(rows[i].mode),
			 regsig_status_name(rows[i].status));
		enum regsig_verdict v = regsig_decide(rows[i].mode, rows[i].status, NULL,
						      "/etc/grondslag/registry.yaml", NULL, msg,
						      sizeof msg);
		assert_int_eq_msg(name, v, rows[i].want);
		if (v == REGSIG_REFUSE && strstr(msg, ": refused: ") == NULL)
			fail_msg("%s: got \"%s\", want a refusal sentence", name, msg);
	}
}

struct fpr_row {
	const char *in;
	const char *want;	/* NULL: invalid */
};

static void test_fpr_normalize(void **state)
{
	(void)state;
	static const struct fpr_row rows[] = {
		{"0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7", "0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7"},
		{"0381bef56694b5325bf04ddca1dac3edff4dffb7", "0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7"},
		{"0381 BEF5 6694 B532 5BF0  4DDC A1DA C3ED FF4D FFB7",
		 "0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7"},
		{"0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB", NULL},
		{"0381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB77", NULL},
		{"0x0381BEF56694B5325BF04DDCA1DAC3EDFF4DFF", NULL},
		{"G381BEF56694B5325BF04DDCA1DAC3EDFF4DFFB7", NULL},
		{"A1DAC3EDFF4DFFB7", NULL},
		{"", NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char out[REGSIG_FPR_LEN + 1];
		bool ok = regsig_fpr_normalize(rows[i].in, out);
		if (rows[i].want == NULL) {
			if (ok)
				fail_msg("\"%s\": got \"%s\", want invalid", rows[i].in, out);
			continue;
		}
		if (!ok)
			fail_msg("\"%s\": got invalid, want \"%s\"", rows[i].in, rows[i].want);
		assert_str_eq_msg(rows[i].in, out, rows[i].want);
	}
	enum regsig_mode m;
	assert_true(regsig_mode_parse("required", &m) && m == REGSIG_REQUIRED);
	assert_true(regsig_mode_parse("optional", &m) && m == REGSIG_OPTIONAL);
	assert_true(regsig_mode_parse("none", &m) && m == REGSIG_NONE);
	assert_false(regsig_mode_parse("Required", &m));
	assert_false(regsig_mode_parse("", &m));
}

int main(void)
{
	const struct CMUnitTest gpg_tests[] = {
		cmocka_unit_test(test_verify_table),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_buffer),
	};
	const struct CMUnitTest plain_tests[] = {
		cmocka_unit_test(test_decide_matrix),
		cmocka_unit_test(test_fpr_normalize),
	};
	int failed = cmocka_run_group_tests_name("regsig-plain", plain_tests, NULL, NULL);
	failed += cmocka_run_group_tests_name("regsig-gpg", gpg_tests, setup, teardown);
	return failed;
}
