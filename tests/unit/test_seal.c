/*
 * test_seal.c - relay encryption (seal.h): the registry's encrypt field,
 * which recipients need encryption and how they group, which messages
 * are already encrypted, the policy's no-usable-key, the PGP/MIME message
 * against golden files (tests/unit/seal/), and through GPGME against keys
 * the test makes in a throwaway GnuPG home: which keys are usable (good,
 * sign-only, expired, revoked, none) and that answer kept per snapshot
 * (sealcache.h), the ciphertext decrypted with the
 * party's secret key and encrypted to its key alone.
 */
#include "testutil.h"
#include "fixture_gpg.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <glib.h>
#include <pthread.h>
#include <unistd.h>

#include "grondslag/base/date.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/seal.h"
#include "grondslag/decide/sealcache.h"
#include "grondslag/scan/scan.h"

#define GOLDEN "tests/unit/seal/"

static char gdir[64];
static char home[128];		/* the secret keys */
static char pub[128];		/* unused second home of fixture_gpg_remove */
enum key_id { K_BE, K_SIGN, K_OLD, K_REV, K_AT, K_COUNT };
static const char *const email[K_COUNT] = {"cert@cert.be", "sign@sign.example",
					   "old@old.example", "rev@rev.example", "cert@cert.at"};
static char fpr[K_COUNT][FIXTURE_FPR_LEN + 1];
static char *armour[K_COUNT];

/* "row N" for the table's failure messages. */
static const char *rowname(size_t i)
{
	static char b[32];
	snprintf(b, sizeof b, "row %zu", i);
	return b;
}

static char *read_file(const char *path, size_t *len)
{
	gchar *d = NULL;
	gsize n = 0;
	if (!g_file_get_contents(path, &d, &n, NULL))
		fail_msg("cannot read %s", path);
	if (len != NULL)
		*len = n;
	return d;
}

static void gen(enum key_id k, const char *extra, bool encr)
{
	fixture_gpg_key(home, email[k], "", extra, "2y", encr ? "1y" : NULL, fpr[k]);
}

static int setup(void **state)
{
	(void)state;
	if (fixture_gpg_dirs("seal", gdir, home, pub) != 0)
		return -1;
	gen(K_BE, "", true);
	gen(K_SIGN, "", false);
	gen(K_OLD, "--faked-system-time=20200101T000000", true);
	gen(K_REV, "", true);
	gen(K_AT, "", true);
	/* the revocation certificate gpg wrote, imported: the key is revoked */
	fixture_run("sed 's/^:-----/-----/' %s/openpgp-revocs.d/%s.rev | gpg --homedir %s --batch "
		    "--import 2>/dev/null", home, fpr[K_REV], home);
	for (int k = 0; k < K_COUNT; k++) {
		char path[192];
		snprintf(path, sizeof path, "%s/%d.asc", gdir, k);
		fixture_run("gpg --homedir %s --batch --armor --export %s >%s 2>/dev/null", home,
			    fpr[k], path);
		armour[k] = read_file(path, NULL);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int k = 0; k < K_COUNT; k++)
		g_free(armour[k]);
	return fixture_gpg_remove(gdir, home, pub);
}

/* A registry: bases sealed (encrypt: required, from 2024-01-01) and open
 * (no field), parties be (sealed, key K_BE), fr (open), plus one party
 * per other key on sealed; encrypt_value: the sealed basis's value. */
static struct registry *load(const char *encrypt_value, bool keys)
{
	static const char *const names[K_COUNT] = {"be", "sign", "old", "rev", "at"};
	GString *y = g_string_new(
		"version: 1\nown_domains: [ncsc.nl]\neea:\n  - {country: BE, valid_from: 1994-01-01}\n  - {country: FR, valid_from: 1994-01-01}\n"
		"regimes:\n  - {id: wbni, name: Wbni, valid_from: 2018-11-09}\nbases:\n");
	g_string_append_printf(y, "  - {id: sealed, regime: wbni, article: A, approved_by: t,"
			       " valid_from: 2024-01-01, permits: [provider-traceable, incident, personal-data],"
			       " tlp_max: AMBER, encrypt: %s}\n", encrypt_value);
	g_string_append(y, "  - {id: open, regime: wbni, article: A, approved_by: t,"
			   " permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}\nparties:\n");
	for (int k = 0; k < K_COUNT; k++) {
		g_string_append_printf(y, "  - id: cert-%s\n    name: %s\n    type: eu-csirt\n"
				       "    jurisdiction: BE\n    domains: [%s]\n    bases: [sealed]\n",
				       names[k], names[k], strchr(email[k], '@') + 1);
		if (!keys)
			continue;
		g_string_append(y, "    keys:\n      - |\n");
		gchar **lines = g_strsplit(armour[k], "\n", -1);
		for (gchar **l = lines; *l != NULL; l++)
			if (**l != '\0' || l[1] != NULL)
				g_string_append_printf(y, "        %s\n", *l);
		g_strfreev(lines);
	}
	g_string_append(y, "  - {id: cert-fr, name: FR, type: eu-csirt, jurisdiction: FR,"
			   " domains: [cert.fr], bases: [open]}\n");
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("seal", y->str, y->len, &e);
	registry_errors_free(e);
	g_string_free(y, TRUE);
	return r;
}

static int32_t day(const char *iso)
{
	int32_t d = 0;
	assert_true(date_parse(iso, &d));
	return d;
}

static void test_encrypt_field(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		bool loads, required;
	} rows[] = {{"required", true, true}, {"none", true, false}, {"yes", false, false},
		    {"[required]", false, false}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct registry *r = load(rows[i].value, false);
		if (!rows[i].loads) {
			if (r != NULL)
				fail_msg("row %zu (%s): loaded, want an error", i, rows[i].value);
			continue;
		}
		assert_non_null(r);
		assert_int_eq_msg(rowname(i), registry_basis_by_id(r, "sealed")->encrypt_required,
				  rows[i].required);
		assert_false(registry_basis_by_id(r, "open")->encrypt_required);
		registry_unref(r);
	}
}

static void test_group(void **state)
{
	(void)state;
	struct registry *r = load("required", false);
	assert_non_null(r);
	static const struct {
		const char *rcpt, *date, *want;
	} rows[] = {
		{"<cert@cert.be>", "2024-06-01", "cert-be"},
		{"<Someone@CERT.BE>", "2024-06-01", "cert-be"},
		{"<cert@cert.be>", "2023-06-01", ""},	/* the basis not yet valid */
		{"<cert@cert.fr>", "2024-06-01", ""},	/* a basis without encryption */
		{"<x@unknown.example>", "2024-06-01", ""},
		{"<x@ncsc.nl>", "2024-06-01", ""},
		{"<@cert.fr:cert@cert.at>", "2024-06-01", "cert-at"},
		{"<\"cert@cert.be\"@cert.fr>", "2024-06-01", "cert-be"},	/* routed through */
		{"not an address", "2024-06-01", ""},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		assert_str_eq_msg(rowname(i), seal_group(r, rows[i].rcpt, day(rows[i].date)), rows[i].want);
	assert_false(seal_party_requires(NULL, day("2024-06-01")));
	registry_unref(r);
}

static void test_is_encrypted(void **state)
{
	(void)state;
	static const struct {
		const char *msg;
		bool want;
	} rows[] = {
		{"Subject: x\r\n\r\nplain\r\n", false},
		/* PGP/MIME (RFC 3156) */
		{"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"\r\n\r\nx",
		 true},
		{"Content-Type:\r\n MULTIPART/ENCRYPTED; b=1;\r\n Protocol = application/PGP-encrypted"
		 "\r\n\r\nx", true},
		/* multipart/encrypted of no protocol we know: not judged encrypted */
		{"Content-Type:\r\n MULTIPART/ENCRYPTED; b=1\r\n\r\nx", false},
		{"Content-Type: multipart/encrypted; protocolx=\"application/pgp-encrypted\"\r\n\r\nx",
		 false},
		/* S/MIME enveloped data (RFC 8551), also authenticated */
		{"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nx", true},
		{"Content-Type: application/x-pkcs7-mime; name=smime.p7m;\r\n"
		 " smime-type=\"enveloped-data\"\r\n\r\nx", true},
		{"Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data\r\n\r\nx", true},
		/* S/MIME signed only (opaque signed-data, certs-only) or no smime-type: readable */
		{"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\nx", false},
		{"Content-Type: application/x-pkcs7-mime\r\n\r\nx", false},
		{"Content-Type: application/pkcs7-mime; smime-type=certs-only\r\n\r\nx", false},
		/* two Content-Type fields: parsers differ on which wins */
		{"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"\r\n"
		 "Content-Type: text/plain\r\n\r\n8.8.8.8\r\n", false},
		{"Content-Type: text/plain\r\nContent-Type: application/pkcs7-mime;"
		 " smime-type=enveloped-data\r\n\r\n8.8.8.8\r\n", false},
		/* inline PGP in a plaintext message, alone or next to a readable part */
		{"Subject: x\r\n\r\nhi\r\n-----BEGIN PGP MESSAGE-----\r\nabc\r\n", false},
		{"Subject: x\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n", false},
		{"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n"
		 "\r\n8.8.8.8\r\n--B\r\nContent-Type: application/pgp-encrypted;"
		 " name=x.asc\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nabc\r\n"
		 "-----END PGP MESSAGE-----\r\n--B--\r\n", false},
		/* a multipart/encrypted nested inside a plaintext multipart */
		{"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type:"
		 " multipart/encrypted; protocol=\"application/pgp-encrypted\"\r\n\r\nx\r\n--B--\r\n",
		 false},
		{"Subject: x\r\n\r\nsee > -----BEGIN PGP MESSAGE-----\r\n", false},
		{"X-Note: -----BEGIN PGP MESSAGE-----\r\n\r\nplain\r\n", false},
		{"Content-Type: text/plain\r\n\r\nmultipart/encrypted\r\n", false},
		/* no body separator: plaintext (and then refused by seal_build) */
		{"Subject: x\r\n", false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		assert_int_eq_msg(rowname(i), seal_is_encrypted(rows[i].msg, strlen(rows[i].msg)),
				  rows[i].want);
}

static void compare_golden(const char *got, size_t gotlen, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, GOLDEN "%s", name);
	size_t n = 0;
	char *want = read_file(path, &n);
	if (n != gotlen || memcmp(want, got, n) != 0)
		fail_msg("%s: got\n%.*s\nwant\n%s", name, (int)gotlen, got, want);
	g_free(want);
}

struct seen {
	char names[8][64];
	int idx[8];
	int n;
};

static void seen_field(void *arg, const char *name, size_t nl, int index)
{
	struct seen *s = arg;
	if (s->n >= 8)
		return;
	snprintf(s->names[s->n], 64, "%.*s", (int)nl, name);
	s->idx[s->n++] = index;
}

static void test_mime_golden(void **state)
{
	(void)state;
	size_t len = 0, n = 0;
	char *msg = read_file(GOLDEN "plain.eml", &len);
	char *inner = seal_inner(msg, len, "IN", &n);
	assert_non_null(inner);
	compare_golden(inner, n, "inner.ref");
	free(inner);
	static const char asc[] = "-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n";
	char *built = seal_build(msg, len, asc, sizeof asc - 1, "OUT", "...", &n);
	assert_non_null(built);
	compare_golden(built, n, "built.ref");
	free(built);
	/* no Subject at all: the placeholder is added */
	static const char bare[] = "From: a@b\r\n\r\nx\r\n";
	built = seal_build(bare, sizeof bare - 1, asc, sizeof asc - 1, "OUT", "[sealed]", &n);
	assert_non_null(built);
	assert_non_null(strstr(built, "\r\nSubject: [sealed]\r\n"));
	free(built);
	/* the fields a milter deletes: all but trace, routing and threading
	 * (and Subject, replaced), indexed */
	struct seen seen = {0};
	int subjects = 0;
	assert_int_equal(seal_fields(msg, len, seen_field, &seen, &subjects), 0);
	assert_int_equal(subjects, 1);
	static const char *const gone[] = {"MIME-Version", "Content-Type",
					   "Content-Transfer-Encoding", "X-Other", "Thread-Topic",
					   "Keywords"};
	assert_int_equal(seen.n, (int)ARRAY_LEN(gone));
	for (size_t i = 0; i < ARRAY_LEN(gone); i++) {
		assert_string_equal(seen.names[i], gone[i]);
		assert_int_equal(seen.idx[i], 1);
	}
	/* the subject's words are nowhere outside */
	built = seal_build(msg, len, asc, sizeof asc - 1, "OUT", "...", &n);
	assert_non_null(built);
	assert_null(memmem(built, n, "Compromised", 11));
	assert_null(memmem(built, n, "compromised", 11));
	free(built);
	assert_int_equal(seal_fields("Subject: x\r\n", 12, seen_field, &seen, &subjects), -1);
	g_free(msg);
	/* malformed: no separator */
	assert_null(seal_inner("Subject: x\r\n", 12, "IN", &n));
	assert_null(seal_build("Subject: x\r\n", 12, asc, sizeof asc - 1, "O", "...", &n));
}

static bool say_no(void *arg, const struct registry_party *p)
{
	(void)p;
	(*(int *)arg)++;
	return false;
}

static bool say_yes(void *arg, const struct registry_party *p)
{
	(void)p;
	(*(int *)arg)++;
	return true;
}

/* A message with a public list, scanned. */
static struct findings *list_findings(void)
{
	static const char m[] = "Subject: x\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n";
	struct scan_options so;
	memset(&so, 0, sizeof so);
	walk_limits_default(&so.limits);
	so.threshold = 1;
	struct findings *f = scan_message(&so, m, sizeof m - 1);
	assert_non_null(f);
	return f;
}

static void test_policy_no_usable_key(void **state)
{
	(void)state;
	struct registry *r = load("required", false);
	assert_non_null(r);
	struct findings *f = list_findings();
	static const struct {
		const char *rcpt;
		int cb;			/* 0 none, 1 no key, 2 a key */
		bool held, asked, needed;
	} rows[] = {
		{"<cert@cert.be>", 1, true, true, false},
		{"<cert@cert.be>", 2, false, true, true},
		{"<cert@cert.be>", 0, false, false, true},
		{"<cert@cert.fr>", 1, false, false, false},	/* no encryption on its basis */
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct policy_options o;
		policy_options_default(&o);
		int asked = 0;
		if (rows[i].cb != 0) {
			o.seal = rows[i].cb == 1 ? say_no : say_yes;
			o.seal_arg = &asked;
		}
		struct decision *d = policy_decide(r, f, rows[i].rcpt, day("2024-06-01"), &o);
		assert_non_null(d);
		if ((decision_verdict(d) == VERDICT_HOLD) != rows[i].held)
			fail_msg("row %zu: %s", i, decision_explain(d));
		assert_int_eq_msg(rowname(i), decision_has_reason(d, REASON_NO_USABLE_KEY), rows[i].held);
		assert_int_eq_msg(rowname(i), asked > 0, rows[i].asked);
		assert_int_eq_msg(rowname(i), seal_needed(d), rows[i].needed);
		decision_free(d);
	}
	assert_string_equal(policy_reason_name(REASON_NO_USABLE_KEY), "no-usable-key");
	assert_true(policy_reason_is_hold(REASON_NO_USABLE_KEY));
	findings_free(f);
	registry_unref(r);
}

static void test_keys_usable(void **state)
{
	(void)state;
	struct registry *r = load("required", true);
	assert_non_null(r);
	static const struct {
		const char *party;
		size_t want;
	} rows[] = {{"cert-be", 1}, {"cert-sign", 0}, {"cert-old", 0}, {"cert-rev", 0},
		    {"cert-fr", 0}};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char err[256] = "";
		size_t n = 99;
		const struct registry_party *p = registry_party_by_id(r, rows[i].party);
		assert_non_null(p);
		assert_int_eq_msg(rowname(i), seal_keys_usable(p, gdir, &n, err, sizeof err), 0);
		assert_int_eq_msg(rowname(i), n, rows[i].want);
		char *asc = NULL;
		size_t alen = 0;
		int rc = seal_encrypt(p, gdir, "x", 1, &asc, &alen, err, sizeof err);
		assert_int_eq_msg(rowname(i), rc, rows[i].want > 0 ? 0 : -1);
		free(asc);
	}
	registry_unref(r);
	/* nothing left behind in the temporary directory but the test's own */
	char cmd[256];
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -d %s/grondslag-seal.* 2>/dev/null)\"", gdir);
	assert_int_equal(system(cmd), 0);
}

/* The key check kept per snapshot (sealcache.h): asked again the same
 * day it answers without GnuPG (here: without the directory its homes
 * are made in); the next day, or once a usable key has expired, it
 * checks again; errors are not kept, nor "no usable key" (a key may
 * become valid later that day). */
static void test_key_cache(void **state)
{
	(void)state;
	struct registry *r = load("required", true);
	assert_non_null(r);
	const struct registry_party *be = registry_party_by_id(r, "cert-be");
	const struct registry_party *old = registry_party_by_id(r, "cert-old");
	assert_non_null(be);
	assert_non_null(old);
	char tmp[192], err[256] = "";
	snprintf(tmp, sizeof tmp, "%s/kc", gdir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	/* until: the encryption subkey's expiry, a year from now */
	size_t n = 0;
	time_t until = 0, t0 = time(NULL);
	assert_int_equal(seal_keys_check(be, tmp, &n, &until, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_true(until > t0 + 360 * 86400 && until < t0 + 370 * 86400);
	assert_int_equal(seal_keys_check(old, tmp, &n, &until, err, sizeof err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(until, 0);

	struct seal_cache *c = seal_cache_new();
	assert_non_null(c);
	const struct {
		const char *name;
		const struct registry_party **p;
		time_t at;		/* seconds after t0; -1: just before until, -2: at until */
		bool dir;		/* the directory for GnuPG homes exists */
		int rc;
		size_t usable;
		unsigned long checks;	/* checks run so far */
	} rows[] = {
		{"first: checked", &be, 0, true, 0, 1, 1},
		{"again: kept", &be, 0, true, 0, 1, 1},
		{"kept, no GnuPG needed", &be, 0, false, 0, 1, 1},
		{"no usable key: not kept", &old, 0, true, 0, 0, 2},
		{"no usable key, again: checked", &old, 0, true, 0, 0, 3},
		{"... it needs GnuPG", &old, 0, false, -1, 0, 4},
		{"next day: checked (fails)", &be, 86400, false, -1, 0, 5},
		{"an error is not kept", &be, 86400, false, -1, 0, 6},
		{"next day: checked", &be, 86400, true, 0, 1, 7},
		{"the day of the expiry", &be, -1, true, 0, 1, 8},
		{"same day, before it: kept", &be, -1, false, 0, 1, 8},
		{"the expiry: checked", &be, -2, false, -1, 0, 9},
	};
	assert_int_equal(seal_keys_check(be, tmp, &n, &until, err, sizeof err), 0);
	/* the expiry's rows on one UTC day (until - 10 and until) */
	time_t before = until % 86400 >= 10 ? until - 10 : until;
	/* without the directory: moved away (the homes kept are in it) */
	char away[200];
	snprintf(away, sizeof away, "%s.away", tmp);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct stat st;
		bool has = stat(tmp, &st) == 0;
		if (rows[i].dir && !has)
			assert_int_equal(rename(away, tmp), 0);
		if (!rows[i].dir && has)
			assert_int_equal(rename(tmp, away), 0);
		time_t at = rows[i].at == -1 ? before : rows[i].at == -2 ? until : t0 + rows[i].at;
		n = 99;
		err[0] = '\0';
		int rc = seal_cache_usable(c, *rows[i].p, tmp, at, &n, err, sizeof err);
		assert_int_eq_msg(rows[i].name, rc, rows[i].rc);
		if (rc == 0)
			assert_int_eq_msg(rows[i].name, n, rows[i].usable);
		else
			assert_non_null(strstr(err, "GnuPG home"));
		assert_int_eq_msg(rows[i].name, seal_cache_checks(c), rows[i].checks);
	}
	assert_int_equal(rename(away, tmp), 0);
	/* encryption in the kept home: no new home per message, and the
	 * ciphertext is to CERT.be's key; a kept home gone (removed under
	 * it): the message is encrypted in a home of its own, and the next
	 * one makes a new kept home */
	char cmd[512];
	snprintf(cmd, sizeof cmd, "test $(ls -d %s/grondslag-seal.* | wc -l) -eq 1", tmp);
	for (int k = 0; k < 3; k++) {
		char boundary[SEAL_BOUNDARY_MAX], *asc = NULL, fprs[SEAL_FPRS_MAX];
		size_t alen = 0;
		unsigned long checked = seal_cache_checks(c);
		if (k == 1) {
			char rm[400];
			snprintf(rm, sizeof rm, "rm -rf %s/grondslag-seal.*", tmp);
			assert_int_equal(system(rm), 0);
		}
		int rc = seal_cache_ciphertext(c, be, tmp, until - 5, "Subject: s\r\n\r\nx\r\n", 18,
					       boundary, &asc, &alen, fprs, sizeof fprs, err,
					       sizeof err);
		if (rc != 0)
			fail_msg("encryption %d: %s", k, err);
		assert_non_null(strstr(asc, "-----BEGIN PGP MESSAGE-----"));
		assert_string_equal(fprs, fpr[K_BE]);
		free(asc);
		assert_int_equal(seal_cache_checks(c), checked + (k == 2));
		if (k != 1)
			assert_int_equal(system(cmd), 0);	/* the one kept home */
	}
	seal_cache_free(c);
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", tmp);
	assert_int_equal(system(cmd), 0);	/* removed with the cache */
	/* no cache: always checked */
	assert_int_equal(seal_cache_usable(NULL, be, tmp, t0, &n, err, sizeof err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(seal_cache_checks(NULL), 0);
	assert_int_equal(rmdir(tmp), 0);
	registry_unref(r);
}

/* Several threads encrypting to one party at once share the kept home
 * (a GPGME context each): every encryption succeeds, one check ran. */
struct crowd {
	struct seal_cache *c;
	const struct registry_party *p;
	const char *tmp;
	int failed;
};

static void *crowd_run(void *arg)
{
	struct crowd *w = arg;
	for (int i = 0; i < 5; i++) {
		char boundary[SEAL_BOUNDARY_MAX], *asc = NULL, err[256];
		size_t alen = 0;
		if (seal_cache_ciphertext(w->c, w->p, w->tmp, time(NULL), "Subject: s\r\n\r\nx\r\n",
					  18, boundary, &asc, &alen, NULL, 0, err, sizeof err) != 0 ||
		    strstr(asc, "-----END PGP MESSAGE-----") == NULL)
			w->failed++;
		free(asc);
	}
	return NULL;
}

static void test_kept_home_threads(void **state)
{
	(void)state;
	struct registry *r = load("required", true);
	assert_non_null(r);
	struct seal_cache *c = seal_cache_new();
	assert_non_null(c);
	size_t n = 0;
	char err[256];
	const struct registry_party *be = registry_party_by_id(r, "cert-be");
	assert_int_equal(seal_cache_usable(c, be, gdir, time(NULL), &n, err, sizeof err), 0);
	pthread_t t[4];
	struct crowd w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct crowd){.c = c, .p = be, .tmp = gdir};
		assert_int_equal(pthread_create(&t[i], NULL, crowd_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_eq_msg("failed encryptions", w[i].failed, 0);
	}
	assert_int_equal(seal_cache_checks(c), 1);
	seal_cache_free(c);
	registry_unref(r);
}

/* The homes a crashed run left under the spool directory (the parties'
 * keys in them) are removed at the next start: only directories named as
 * the homes are, made before the sweep's moment, with what gpg put in
 * them; a home being made now and anything else stay. */
static void test_homes_sweep(void **state)
{
	(void)state;
	char tmp[192], p[320];
	snprintf(tmp, sizeof tmp, "%s/sweep", gdir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	time_t now = time(NULL);
	static const struct {
		const char *name;
		bool dir, old, gone;
	} rows[] = {
		{"grondslag-seal.aB3dE9", true, true, true},
		{"grondslag-seal.Zz0011", true, true, true},
		{"grondslag-seal.nEw123", true, false, false},
		{"grondslag-seal.file01", false, true, false},
		{"grondslag-seal.toolong1", true, true, false},
		{"msg.aB3dE9", true, true, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		snprintf(p, sizeof p, "%s/%s", tmp, rows[i].name);
		if (rows[i].dir) {
			assert_int_equal(mkdir(p, 0700), 0);
			char q[400];
			snprintf(q, sizeof q, "%s/private-keys-v1.d", p);
			assert_int_equal(mkdir(q, 0700), 0);
			snprintf(q, sizeof q, "%s/private-keys-v1.d/k.key", p);
			FILE *f = fopen(q, "w");
			assert_non_null(f);
			fclose(f);
			snprintf(q, sizeof q, "%s/pubring.kbx", p);
			f = fopen(q, "w");
			assert_non_null(f);
			fclose(f);
		} else {
			FILE *f = fopen(p, "w");
			assert_non_null(f);
			fclose(f);
		}
		struct timespec ts[2] = {{.tv_sec = rows[i].old ? now - 3600 : now + 5},
					 {.tv_sec = rows[i].old ? now - 3600 : now + 5}};
		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	}
	assert_int_eq_msg("removed", seal_homes_sweep(tmp, now), 2);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct stat st;
		snprintf(p, sizeof p, "%s/%s", tmp, rows[i].name);
		if ((stat(p, &st) != 0) != rows[i].gone)
			fail_msg("%s: %s", rows[i].name, rows[i].gone ? "left" : "removed");
	}
	assert_int_eq_msg("nothing left", seal_homes_sweep(tmp, now), 0);
	snprintf(p, sizeof p, "%s/none", gdir);
	assert_int_eq_msg("no directory", seal_homes_sweep(p, now), -1);
}

static void test_encrypt_roundtrip(void **state)
{
	(void)state;
	struct registry *r = load("required", true);
	assert_non_null(r);
	size_t len = 0, n = 0;
	char *msg = read_file(GOLDEN "plain.eml", &len), *out = NULL, err[256] = "";
	const struct registry_party *p = registry_party_by_id(r, "cert-be");
	char fprs[SEAL_FPRS_MAX] = "";
	assert_int_equal(seal_message(p, gdir, msg, len, "...", &out, &n, fprs, sizeof fprs, err,
				      sizeof err), 0);
	/* the key it went to, by fingerprint, for the record */
	assert_int_equal(strlen(fprs), 40);
	assert_true(seal_is_encrypted(out, n));
	assert_non_null(strstr(out, "\r\nSubject: ...\r\n"));
	assert_null(strstr(out, "Compromised"));
	assert_null(strstr(out, "192.0.2.1"));
	char path[192];
	snprintf(path, sizeof path, "%s/out.eml", gdir);
	assert_true(g_file_set_contents(path, out, (gssize)n, NULL));
	/* decrypted with CERT.be's secret key: the protected Subject and the list */
	fixture_run("sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' %s | tr -d '\\r' |"
		    " gpg --homedir %s --batch --quiet --decrypt >%s/plain.out 2>/dev/null",
		    path, home, gdir);
	snprintf(path, sizeof path, "%s/plain.out", gdir);
	char *plain = read_file(path, NULL);
	assert_non_null(strstr(plain, "protected-headers=\"v1\""));
	assert_non_null(strstr(plain, "Subject: Compromised hosts\r\n in your constituency\r\n"));
	assert_non_null(strstr(plain, "\r\n\r\n192.0.2.1\r\n192.0.2.2\r\n"));
	g_free(plain);
	/* encrypted to CERT.be's key alone: one PKESK */
	snprintf(path, sizeof path, "%s/out.eml", gdir);
	fixture_run("sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' %s | tr -d '\\r' |"
		    " gpg --homedir %s --batch --list-packets 2>/dev/null | grep -c '^:pubkey enc' "
		    ">%s/pkesk", path, pub, gdir);
	snprintf(path, sizeof path, "%s/pkesk", gdir);
	char *count = read_file(path, NULL);
	assert_string_equal(count, "1\n");
	g_free(count);
	free(out);
	g_free(msg);
	registry_unref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encrypt_field),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_is_encrypted),
		cmocka_unit_test(test_mime_golden),
		cmocka_unit_test(test_policy_no_usable_key),
		cmocka_unit_test(test_keys_usable),
		cmocka_unit_test(test_key_cache),
		cmocka_unit_test(test_kept_home_threads),
		cmocka_unit_test(test_homes_sweep),
		cmocka_unit_test(test_encrypt_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
