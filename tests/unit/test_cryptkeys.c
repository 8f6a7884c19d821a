/*
 * test_cryptkeys.c - who can read encrypted mail, end to end without the
 * MTA: certificates read from the registry (keyparse.h, registry keys:,
 * certificates:, own_keys:, shared_keys:), messages encrypted by a real
 * GnuPG and OpenSSL in a throwaway home, scanned (readers in the
 * findings) and decided (readmap.h, policy.h): right key, wrong party's
 * key, unknown key, anonymous recipient, passphrase, expired key, own
 * key, a key shared widely, S/MIME, and v6 PKESK packets built here
 * (Debian 12's GnuPG writes none).  A registry without keys decides as
 * before.
 */
#include "testutil.h"

#include <sys/stat.h>
#include <time.h>

#include <glib.h>

#include "fixture_shell.h"
#include "grondslag/base/date.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/keyparse.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/readmap.h"
#include "grondslag/decide/registry.h"
#include "grondslag/scan/scan.h"

static char dir[64];

/* Keys: ed25519 + a cv25519 encryption subkey, each in the one home.
 * "old" is made in 2020 and expired in 2021; messages to it are made at
 * a faked time, as GnuPG refuses an expired key. */
static const char make_script[] =
	"set -e\n"
	"cd \"$1\"\n"
	"H=\"$1/g\"; mkdir -m 700 g\n"
	"G=\"gpg --homedir $H --batch --quiet --pinentry-mode loopback --passphrase= "
	"--trust-model always\"\n"
	"key() { $G $3 --quick-gen-key \"$1\" ed25519 cert $2\n"
	"  F=$($G --with-colons --list-keys \"$1\" | awk -F: '/^fpr/{print $10; exit}')\n"
	"  $G $3 --quick-add-key $F cv25519 encr $2; }\n"
	"key 'CERT BE <cert@cert.be>' 2y\n"
	"key 'CERT AT <cert@cert.at>' 2y\n"
	"key 'Stranger <x@stranger.example>' 2y\n"
	"key 'Staff <staff@ncsc.nl>' 2y\n"
	"key 'FIRST teams <teams@first.example>' 2y\n"
	"key 'Old BE <old@cert.be>' 1y --faked-system-time=20200101T000000\n"
	"for k in cert@cert.be cert@cert.at staff@ncsc.nl teams@first.example old@cert.be; do\n"
	"  $G --export --armor $k > $k.asc; done\n"
	"$G --export cert@cert.be > be.gpg\n"
	"enc() { out=$1; shift; printf 'secret list\\n' | $G --armor --encrypt \"$@\" > $out.asc; }\n"
	"enc right -r cert@cert.be\n"
	"enc self -r cert@cert.be -r staff@ncsc.nl\n"
	"enc wrong -r cert@cert.at\n"
	"enc both -r cert@cert.be -r cert@cert.at\n"
	"enc unknown -r x@stranger.example\n"
	"enc anon --throw-keyids -r cert@cert.be\n"
	"enc shared -r cert@cert.be -r teams@first.example\n"
	"enc expired --faked-system-time=20200601T000000 -r old@cert.be\n"
	"printf 'secret list\\n' | $G --armor --symmetric --passphrase=pw > pass.asc\n"
	"S=\"-days 3650 -nodes -newkey rsa:2048 -x509\"\n"
	"openssl req $S -keyout be.key -out be-smime.pem -subj /CN=cert.be 2>/dev/null\n"
	"openssl req $S -keyout x.key -out x-smime.pem -subj /CN=stranger 2>/dev/null\n"
	"printf 'secret list\\n' | openssl cms -encrypt -aes256 be-smime.pem > smime-right.part\n"
	"printf 'secret list\\n' | openssl cms -encrypt -aes256 -keyid be-smime.pem > smime-ski.part\n"
	"printf 'secret list\\n' | openssl cms -encrypt -aes256 x-smime.pem > smime-unknown.part\n"
	"openssl x509 -in be-smime.pem -noout -serial > be-smime.serial\n";

static char *slurp(const char *name, size_t *len)
{
	char path[256];
	gchar *data = NULL;
	gsize n = 0;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!g_file_get_contents(path, &data, &n, NULL))
		fail_msg("fixture %s missing", path);
	if (len != NULL)
		*len = n;
	return data;
}

/* "{file: NAME, sha256: HEX}" for a fixture file. */
static void pin(GString *y, const char *name)
{
	size_t n;
	char *d = slurp(name, &n);
	gchar *hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)d, n);
	g_string_append_printf(y, "{file: %s, sha256: %s}", name, hex);
	g_free(hex);
	g_free(d);
}

static const char reg_head[] =
	"version: 1\n"
	"own_domains: [ncsc.nl]\n"
	"eea:\n"
	"  - {country: BE, valid_from: 1994-01-01}\n"
	"  - {country: AT, valid_from: 1994-01-01}\n"
	"  - {country: FR, valid_from: 1994-01-01}\n"
	"regimes:\n"
	"  - {id: wbni, name: Wbni, valid_from: 2018-11-09}\n"
	"bases:\n"
	"  - {id: all, regime: wbni, article: \"Wbni art. 20(2)\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data, credentials, unscannable], tlp_max: RED}\n";

/* The registry with keys (with_keys) or the same without any. */
static struct registry *load_registry(bool with_keys)
{
	GString *y = g_string_new(reg_head);
	if (with_keys) {
		g_string_append(y, "own_keys:\n  - ");
		pin(y, "staff@ncsc.nl.asc");
		g_string_append(y, "\nshared_keys:\n  - ");
		pin(y, "teams@first.example.asc");
		g_string_append(y, "\n");
	}
	g_string_append(y, "parties:\n"
			   "  - id: cert-be\n    name: CERT.be\n    type: eu-csirt\n"
			   "    jurisdiction: BE\n    domains: [cert.be]\n    bases: [all]\n");
	if (with_keys) {
		g_string_append(y, "    keys:\n      - ");
		pin(y, "cert@cert.be.asc");
		g_string_append(y, "\n      - ");
		pin(y, "old@cert.be.asc");
		g_string_append(y, "\n    certificates:\n      - ");
		pin(y, "be-smime.pem");
		g_string_append(y, "\n");
	}
	g_string_append(y, "  - id: cert-at\n    name: CERT.at\n    type: eu-csirt\n"
			   "    jurisdiction: AT\n    domains: [cert.at]\n    bases: [all]\n");
	if (with_keys) {
		char *v6 = slurp("v6.asc", NULL);
		g_string_append(y, "    keys:\n      - ");
		pin(y, "cert@cert.at.asc");
		/* the v6 certificate inline, as armoured text */
		g_string_append(y, "\n      - |\n");
		for (char *line = strtok(v6, "\n"); line != NULL; line = strtok(NULL, "\n"))
			g_string_append_printf(y, "        %s\n", line);
		g_free(v6);
	}
	g_string_append(y, "  - id: cert-fr\n    name: CERT-FR\n    type: eu-csirt\n"
			   "    jurisdiction: FR\n    domains: [cert.fr]\n    bases: [all]\n");
	char name[128];
	snprintf(name, sizeof name, "%s/registry.yaml", dir);
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer(name, y->str, y->len, &e);
	for (size_t i = 0; e != NULL && i < registry_errors_count(e); i++)
		fprintf(stderr, "%s\n", registry_errors_get(e, i));
	registry_errors_free(e);
	g_string_free(y, TRUE);
	assert_non_null(r);
	return r;
}

/* RFC 9580 A.3: the sample v6 certificate (Ed25519 primary, X25519 subkey). */
static const char v6_cert[] =
	"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
	"xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf\n"
	"GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy\n"
	"KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw\n"
	"gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE\n"
	"QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn\n"
	"+eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh\n"
	"BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8\n"
	"j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805\n"
	"I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==\n"
	"-----END PGP PUBLIC KEY BLOCK-----\n";
static const char v6_primary[] = "CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9";
static const char v6_subkey[] = "12C83F1E706F6308FE151A417743A1F033790E93E9978488D1DB378DA9930885";

static struct registry *reg, *plain;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/grondslag-test-crypt-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	char path[128];
	snprintf(path, sizeof path, "%s/make.sh", dir);
	if (!g_file_set_contents(path, make_script, -1, NULL))
		return -1;
	snprintf(path, sizeof path, "%s/v6.asc", dir);
	if (!g_file_set_contents(path, v6_cert, -1, NULL))
		return -1;
	fixture_run("sh %s/make.sh %s >%s/make.log 2>&1 || { cat %s/make.log; exit 1; }", dir, dir,
		    dir, dir);
	reg = load_registry(true);
	plain = load_registry(false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_unref(reg);
	registry_unref(plain);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "gpgconf --homedir %s/g --kill gpg-agent; rm -rf %s", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- certificates ------------------------------------------------------ */

struct keys {
	struct keyparse_key k[16];
	size_t n;
};

static void keep(void *arg, const struct keyparse_key *k)
{
	struct keys *ks = arg;
	if (ks->n < ARRAY_LEN(ks->k))
		ks->k[ks->n++] = *k;
}

static void fpr_hex(const struct keyparse_key *k, char *out)
{
	reader_hex(k->ids[1].id, k->ids[1].id_len, out);
}

/* The fingerprints gpg lists for uid, in order (primary, subkeys). */
static size_t gpg_fprs(const char *uid, char out[][65])
{
	char cmd[512], line[1024];
	size_t n = 0;
	snprintf(cmd, sizeof cmd,
		 "gpg --homedir %s/g --batch --with-colons --list-keys %s 2>/dev/null", dir, uid);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (fgets(line, sizeof line, p) != NULL && n < 4)
		if (strncmp(line, "fpr:", 4) == 0)
			snprintf(out[n++], 65, "%.40s", line + strlen("fpr:::::::::"));
	pclose(p);
	return n;
}

static void test_keyparse_gpg(void **state)
{
	(void)state;
	static const char *const uids[] = {"cert@cert.be", "cert@cert.at", "staff@ncsc.nl",
					   "old@cert.be"};
	for (size_t u = 0; u < ARRAY_LEN(uids); u++) {
		char name[64], want[4][65], got[65];
		size_t len;
		snprintf(name, sizeof name, "%s.asc", uids[u]);
		char *d = slurp(name, &len);
		struct keys ks = {0};
		enum keyparse_kind kind;
		char err[160];
		assert_int_eq_msg(uids[u], keyparse(d, len, keep, &ks, &kind, err, sizeof err), 2);
		assert_int_equal(kind, KEYPARSE_OPENPGP);
		assert_int_eq_msg(uids[u], gpg_fprs(uids[u], want), 2);
		for (size_t i = 0; i < 2; i++) {
			fpr_hex(&ks.k[i], got);
			assert_str_eq_msg(uids[u], got, want[i]);
			/* the key id is the fingerprint's tail (v4) */
			char id[17];
			reader_hex(ks.k[i].ids[0].id, 8, id);
			assert_str_eq_msg(uids[u], id, want[i] + 24);
		}
		assert_true(ks.k[0].primary && !ks.k[1].primary);
		int64_t y2022 = (int64_t)date_from_ymd(2022, 1, 1) * 86400;
		if (strcmp(uids[u], "old@cert.be") == 0)
			assert_true(ks.k[1].expires < y2022);	/* made 2020 for a year */
		else
			assert_true(ks.k[1].expires > time(NULL) && ks.k[1].expires != KEYPARSE_NEVER);
		g_free(d);
	}
	/* binary export reads alike */
	size_t len;
	char *d = slurp("be.gpg", &len);
	struct keys ks = {0};
	enum keyparse_kind kind;
	char err[160];
	assert_int_equal(keyparse(d, len, keep, &ks, &kind, err, sizeof err), 2);
	g_free(d);
}

static void test_keyparse_v6(void **state)
{
	(void)state;
	struct keys ks = {0};
	enum keyparse_kind kind;
	char err[160], got[65];
	assert_int_equal(keyparse(v6_cert, strlen(v6_cert), keep, &ks, &kind, err, sizeof err), 2);
	fpr_hex(&ks.k[0], got);
	assert_string_equal(got, v6_primary);
	fpr_hex(&ks.k[1], got);
	assert_string_equal(got, v6_subkey);
	assert_int_equal(ks.k[1].ids[1].key_version, 6);
	/* a v6 key id is the head of the fingerprint */
	reader_hex(ks.k[1].ids[0].id, 8, got);
	assert_string_equal(got, "12C83F1E706F6308");
	assert_true(ks.k[0].expires == KEYPARSE_NEVER);
}

static void test_keyparse_x509(void **state)
{
	(void)state;
	size_t len;
	char *d = slurp("be-smime.pem", &len), *serial = slurp("be-smime.serial", NULL);
	struct keys ks = {0};
	enum keyparse_kind kind;
	char err[160], got[65];
	assert_int_equal(keyparse(d, len, keep, &ks, &kind, err, sizeof err), 1);
	assert_int_equal(kind, KEYPARSE_X509);
	assert_int_equal(ks.k[0].nids, 2);
	reader_hex(ks.k[0].ids[0].id, ks.k[0].ids[0].id_len, got);
	g_strstrip(serial);
	assert_string_equal(serial + strlen("serial="), got);
	assert_true(ks.k[0].expires > time(NULL));
	g_free(d);
	g_free(serial);
}

static void test_keyparse_errors(void **state)
{
	(void)state;
	static const uint8_t v3key[] = {0xc6, 8, 3, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t subfirst[] = {0xce, 6, 4, 0, 0, 0, 0, 22};
	static const uint8_t trunc[] = {0xc6, 60, 4, 0, 0, 0, 0, 22};
	static const uint8_t literal[] = {0xcb, 3, 'b', 0, 0};
	static const struct {
		const char *name;
		const void *data;
		size_t len;
		const char *err;
	} rows[] = {
		{"empty", "", 0, "empty"},
		{"secret", "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nxx\n", 43, "secret"},
		{"text", "hello world", 11, "neither"},
		{"v3 key", v3key, sizeof v3key, "unsupported key version 3"},
		{"subkey first", subfirst, sizeof subfirst, "subkey before"},
		{"truncated", trunc, sizeof trunc, "truncated"},
		{"literal", literal, sizeof literal, "not part of a certificate"},
		{"bad der", "\x30\x03\x02\x01", 4, "malformed X.509"},
		{"empty armour", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP", 50,
		 "without data"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char err[160] = "";
		enum keyparse_kind kind;
		assert_int_eq_msg(rows[i].name,
				  keyparse(rows[i].data, rows[i].len, NULL, NULL, &kind, err, sizeof err),
				  -1);
		if (strstr(err, rows[i].err) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", rows[i].name, err, rows[i].err);
	}
}

/* ---- the registry's key sections ------------------------------------------ */

static void test_registry_keys(void **state)
{
	(void)state;
	assert_true(registry_key_count(reg) >= 9);
	assert_int_equal(registry_key_count(plain), 0);
	assert_int_equal(registry_party_by_id(reg, "cert-be")->ncerts, 3);
	assert_int_equal(registry_party_by_id(reg, "cert-fr")->ncerts, 0);
	assert_int_equal(registry_party_by_id(plain, "cert-be")->ncerts, 0);
	char be_pin[256], at_pin[256], pem_pin[256];
	GString *g = g_string_new(NULL);
	pin(g, "cert@cert.be.asc");
	snprintf(be_pin, sizeof be_pin, "%s", g->str);
	g_string_truncate(g, 0);
	pin(g, "cert@cert.at.asc");
	snprintf(at_pin, sizeof at_pin, "%s", g->str);
	g_string_truncate(g, 0);
	pin(g, "be-smime.pem");
	snprintf(pem_pin, sizeof pem_pin, "%s", g->str);
	g_string_free(g, TRUE);
	/* the parties part of a registry; line 11 is the first key entry */
	static const char party[] = "parties:\n  - id: p\n    name: P\n    type: eu-csirt\n"
				    "    jurisdiction: BE\n    domains: [p.example]\n";
	struct {
		const char *name;
		char yaml[1024];
		const char *err;	/* NULL: loads */
	} rows[] = {
		{"file pinned", "", NULL},
		{"wrong pin", "", ":11: party 'p': keys: '"},
		{"missing file", "", "cannot read"},
		{"x509 under keys", "", "x509 material where openpgp is wanted"},
		{"pgp under certificates", "", "openpgp material where x509 is wanted"},
		{"not armour", "", "want armoured text or {file, sha256}"},
		{"garbage armour", "", "without data"},
		{"two parties one key", "", "is already listed for party 'p'"},
		{"own and party", "", "is already listed for own_keys"},
		{"no pin", "", "missing required key 'sha256'"},
		{"not a file", "", "not a regular file"},
	};
	snprintf(rows[0].yaml, sizeof rows[0].yaml, "%s    keys:\n      - %s\n", party, be_pin);
	snprintf(rows[1].yaml, sizeof rows[1].yaml, "%s    keys:\n      - {file: cert@cert.be.asc, "
		 "sha256: 0000000000000000000000000000000000000000000000000000000000000000}\n", party);
	snprintf(rows[2].yaml, sizeof rows[2].yaml, "%s    keys:\n      - {file: nope.asc, "
		 "sha256: 00}\n", party);
	snprintf(rows[3].yaml, sizeof rows[3].yaml, "%s    keys:\n      - %s\n", party, pem_pin);
	snprintf(rows[4].yaml, sizeof rows[4].yaml, "%s    certificates:\n      - %s\n", party,
		 at_pin);
	snprintf(rows[5].yaml, sizeof rows[5].yaml, "%s    keys:\n      - ABCDEF\n", party);
	snprintf(rows[6].yaml, sizeof rows[6].yaml, "%s    keys:\n      - |\n"
		 "        -----BEGIN PGP PUBLIC KEY BLOCK-----\n\n        ---\n", party);
	snprintf(rows[7].yaml, sizeof rows[7].yaml, "%s    keys:\n      - %s\n"
		 "  - id: q\n    name: Q\n    type: eu-csirt\n    jurisdiction: BE\n"
		 "    domains: [q.example]\n    keys:\n      - %s\n", party, be_pin, be_pin);
	snprintf(rows[8].yaml, sizeof rows[8].yaml, "own_keys:\n  - %s\n%s    keys:\n      - %s\n",
		 be_pin, party, be_pin);
	snprintf(rows[9].yaml, sizeof rows[9].yaml, "%s    keys:\n      - {file: x.asc}\n", party);
	snprintf(rows[10].yaml, sizeof rows[10].yaml, "%s    keys:\n      - {file: /dev/zero, "
		 "sha256: 00}\n", party);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[128], head[512];
		snprintf(name, sizeof name, "%s/r.yaml", dir);
		snprintf(head, sizeof head, "version: 1\nregimes:\n  - {id: w, name: W, "
			 "valid_from: 2018-01-01}\n%s", rows[i].yaml);
		/* the head is 3 lines and the party 6 more: keys at line 10, its
		 * entry at 11; with own_keys first the lines move (no row checks) */
		struct registry_errors *e = NULL;
		struct registry *r = registry_load_buffer(name, head, strlen(head), &e);
		if (rows[i].err == NULL) {
			for (size_t j = 0; r == NULL && j < registry_errors_count(e); j++)
				fprintf(stderr, "%s\n", registry_errors_get(e, j));
			assert_non_null(r);
		} else {
			assert_null(r);
			bool found = false;
			for (size_t j = 0; j < registry_errors_count(e); j++)
				found = found || strstr(registry_errors_get(e, j), rows[i].err) != NULL;
			if (!found)
				fail_msg("%s: no error with \"%s\" (first: %s)", rows[i].name, rows[i].err,
					 registry_errors_count(e) ? registry_errors_get(e, 0) : "none");
		}
		registry_unref(r);
		registry_errors_free(e);
	}
}

/* ---- messages and decisions -------------------------------------------------- */

/* A PGP/MIME message around armoured ciphertext. */
static char *pgp_mime(const char *armour)
{
	return g_strdup_printf(
		"From: a@ncsc.nl\r\nTo: x@cert.be\r\nSubject: list\r\nMIME-Version: 1.0\r\n"
		"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
		"boundary=\"B\"\r\n\r\n--B\r\nContent-Type: application/pgp-encrypted\r\n\r\n"
		"Version: 1\r\n\r\n--B\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n--B--\r\n",
		armour);
}

/* A v6 PKESK for key version kv and fingerprint fpr (hex), and a SEIPD
 * v2 stub, armoured. */
static char *v6_message(unsigned kv, const char *fpr_hex)
{
	uint8_t b[128];
	size_t n = 0, fl = strlen(fpr_hex) / 2;
	b[n++] = 0xc1;
	b[n++] = (uint8_t)(1 + 1 + (fl ? 1 + fl : 0) + 1 + 32 + 1 + 16);
	b[n++] = 6;
	b[n++] = (uint8_t)(fl ? fl + 1 : 0);	/* 0: an anonymous recipient */
	if (fl)
		b[n++] = (uint8_t)kv;
	for (size_t i = 0; i < fl; i++) {
		unsigned v;
		sscanf(fpr_hex + 2 * i, "%2x", &v);
		b[n++] = (uint8_t)v;
	}
	b[n++] = 25;	/* X25519: ephemeral key, length, wrapped key */
	memset(b + n, 0x42, 32);
	n += 32;
	b[n++] = 16;
	memset(b + n, 0x17, 16);
	n += 16;
	static const uint8_t seipd[] = {0xd2, 8, 2, 9, 3, 6, 1, 2, 3, 4};
	memcpy(b + n, seipd, sizeof seipd);
	n += sizeof seipd;
	gchar *body = g_base64_encode(b, n);
	char *armour = g_strdup_printf("-----BEGIN PGP MESSAGE-----\r\n\r\n%s\r\n"
				       "-----END PGP MESSAGE-----", body);
	char *msg = pgp_mime(armour);
	g_free(body);
	g_free(armour);
	return msg;
}

/* The message of a fixture: "right" -> PGP/MIME of right.asc, "smime-*"
 * -> OpenSSL's S/MIME entity, "inline" -> armour in a text/plain body. */
static char *message(const char *name)
{
	char file[64];
	if (strncmp(name, "smime", 5) == 0) {
		snprintf(file, sizeof file, "%s.part", name);
		char *part = slurp(file, NULL);
		char *m = g_strdup_printf("From: a@ncsc.nl\nTo: x@cert.be\nSubject: s\n%s", part);
		g_free(part);
		return m;
	}
	if (strcmp(name, "inline") == 0) {
		char *a = slurp("right.asc", NULL);
		char *m = g_strdup_printf("From: a@ncsc.nl\nTo: x@cert.be\nSubject: s\n"
					  "Content-Type: text/plain\n\nHello,\n\n%s\nBye\n", a);
		g_free(a);
		return m;
	}
	if (strcmp(name, "html") == 0) {	/* armour in HTML, lines split by <br> only */
		char *a = slurp("right.asc", NULL);
		GString *h = g_string_new("From: a@ncsc.nl\nTo: x@cert.be\nSubject: s\n"
					  "Content-Type: text/html\n"
					  "Content-Transfer-Encoding: quoted-printable\n\n"
					  "<html><body><p>Hello,</p><p>");
		for (const char *p = a; *p; p++) {
			if (*p == '\n')
				g_string_append(h, "<br>=\n");
			else if (*p == '=')
				g_string_append(h, "=3D");
			else
				g_string_append_c(h, *p);
		}
		g_string_append(h, "</p></body></html>\n");
		g_free(a);
		return g_string_free(h, FALSE);
	}
	if (strcmp(name, "v6-be") == 0) {	/* v6 PKESK to CERT.be's v4 subkey */
		char path[128], fprs[4][65];
		snprintf(path, sizeof path, "cert@cert.be");
		gpg_fprs(path, fprs);
		return v6_message(4, fprs[1]);
	}
	if (strcmp(name, "v6-at") == 0)	/* to the v6 subkey listed for CERT.at */
		return v6_message(6, v6_subkey);
	if (strcmp(name, "v6-unknown") == 0)
		return v6_message(6, "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF");
	if (strcmp(name, "v6-anon") == 0) {
		char *m = v6_message(6, "");
		return m;
	}
	snprintf(file, sizeof file, "%s.asc", name);
	char *a = slurp(file, NULL);
	char *m = pgp_mime(a);
	g_free(a);
	return m;
}

static struct findings *scan(const char *msg)
{
	struct scan_options so;
	memset(&so, 0, sizeof so);
	walk_limits_default(&so.limits);
	so.threshold = 1;
	struct findings *f = scan_message(&so, msg, strlen(msg));
	assert_non_null(f);
	return f;
}

#define R(x) (1u << REASON_##x)
#define READER_REASONS                                                                      \
	(R(READER_UNKNOWN) | R(READER_ANONYMOUS) | R(READER_NOT_ADDRESSED) |                \
	 R(READER_SHARED_KEY) | R(READER_EXPIRED))

static void test_decisions(void **state)
{
	(void)state;
	static const struct {
		const char *msg;
		const char *rcpt;
		const char *also;	/* another envelope recipient, or NULL */
		unsigned want;		/* reader reasons on the registry with keys */
		const char *shows;	/* in the explanation */
	} rows[] = {
		{"right", "cert@cert.be", NULL, 0, "CERT.be (cert-be, openpgp "},
		{"self", "cert@cert.be", NULL, 0, "an own key (openpgp "},
		{"wrong", "cert@cert.be", NULL, R(READER_NOT_ADDRESSED), "CERT.at (cert-at"},
		{"wrong", "cert@cert.fr", NULL, R(READER_NOT_ADDRESSED), "(cert-at)"},
		{"wrong", "cert@cert.at", NULL, 0, "CERT.at (cert-at"},
		{"both", "cert@cert.be", "cert@cert.at", 0, "CERT.at"},
		{"both", "cert@cert.be", NULL, R(READER_NOT_ADDRESSED), "CERT.be"},
		{"unknown", "cert@cert.be", NULL, R(READER_UNKNOWN), "an unknown pgp key 0x"},
		{"unknown", "cert@cert.fr", NULL, 0, "an unknown pgp key 0x"},
		{"anon", "cert@cert.be", NULL, R(READER_ANONYMOUS), "an anonymous recipient"},
		{"anon", "cert@cert.fr", NULL, 0, "an anonymous recipient"},
		{"pass", "cert@cert.be", NULL, R(READER_ANONYMOUS), "passphrase"},
		{"shared", "cert@cert.be", NULL, R(READER_SHARED_KEY), "a key shared widely"},
		{"shared", "cert@cert.fr", NULL, R(READER_SHARED_KEY) | R(READER_NOT_ADDRESSED),
		 "a key shared widely"},
		{"expired", "cert@cert.be", NULL, R(READER_EXPIRED), "expired or revoked"},
		{"smime-right", "cert@cert.be", NULL, 0, "CERT.be (cert-be, x509 serial "},
		{"smime-ski", "cert@cert.be", NULL, 0, "CERT.be (cert-be, x509 serial "},
		{"smime-unknown", "cert@cert.be", NULL, R(READER_UNKNOWN), "an unknown x509 serial"},
		{"inline", "cert@cert.be", NULL, 0, "CERT.be (cert-be"},
		{"html", "cert@cert.be", NULL, 0, "CERT.be (cert-be"},
		{"v6-be", "cert@cert.be", NULL, 0, "CERT.be (cert-be"},
		{"v6-at", "cert@cert.be", NULL, R(READER_NOT_ADDRESSED), "CERT.at (cert-at, openpgp "
									 "CB186C4F"},
		{"v6-at", "cert@cert.at", NULL, 0, "CERT.at"},
		{"v6-unknown", "cert@cert.be", NULL, R(READER_UNKNOWN), "an unknown pgp v6 key 0011"},
		{"v6-anon", "cert@cert.at", NULL, R(READER_ANONYMOUS), "an anonymous recipient"},
	};
	int32_t today = date_from_time(time(NULL));
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[96];
		snprintf(name, sizeof name, "%s to %s", rows[i].msg, rows[i].rcpt);
		char *m = message(rows[i].msg);
		struct findings *f = scan(m);
		assert_int_eq_msg(name, findings_reader_count(f) > 0, 1);
		const char *rcpts[2] = {rows[i].rcpt, rows[i].also};
		struct policy_options o;
		policy_options_default(&o);
		o.rcpts = rcpts;
		o.nrcpts = rows[i].also ? 2 : 1;
		struct decision *d = policy_decide(reg, f, rows[i].rcpt, today, &o);
		assert_non_null(d);
		unsigned got = 0;
		for (size_t k = 0; k < decision_reason_count(d); k++)
			got |= 1u << decision_reason(d, k);
		if ((got & READER_REASONS) != rows[i].want)
			fail_msg("%s: reasons %#x, want %#x: %s", name, got & READER_REASONS,
				 rows[i].want, decision_explain(d));
		assert_int_eq_msg(name, decision_verdict(d),
				  rows[i].want ? VERDICT_HOLD : VERDICT_DELIVER);
		if (strstr(decision_explain(d), rows[i].shows) == NULL)
			fail_msg("%s: explanation lacks \"%s\": %s", name, rows[i].shows,
				 decision_explain(d));
		decision_free(d);
		/* the registry without keys: today's rule, a basis permitting
		 * unscannable delivers, the readers are shown as unknown */
		d = policy_decide(plain, f, rows[i].rcpt, today, &o);
		if (decision_verdict(d) != VERDICT_DELIVER)
			fail_msg("%s without keys: %s", name, decision_explain(d));
		decision_free(d);
		findings_free(f);
		g_free(m);
	}
}

/* The keys of a party whose domain is an own domain are own keys: mail
 * encrypted to the sender's key too goes; the same party outside the own
 * domains is a party nobody addressed. */
static void test_own_party(void **state)
{
	(void)state;
	for (int own = 1; own >= 0; own--) {
		GString *y = g_string_new(NULL);
		g_string_append_printf(y, "version: 1\nown_domains: [%s]\n"
					  "regimes: [{id: w, name: W, valid_from: 2018-11-09}]\n"
					  "bases: [{id: b, regime: w, article: A, approved_by: t, permits: "
					  "[provider-traceable, incident, personal-data, credentials, unscannable], "
					  "tlp_max: RED}]\n"
					  "eea: [{country: BE, valid_from: 1994-01-01}]\nparties:\n"
					  "  - {id: ncsc, name: NCSC, type: nl-central-gov, jurisdiction: "
					  "BE,\n     domains: [\"*.ncsc.nl\"], keys: [",
				       own ? "\"*.ncsc.nl\"" : "example.org");
		pin(y, "staff@ncsc.nl.asc");
		g_string_append(y, "]}\n  - {id: cert-be, name: CERT.be, type: eu-csirt, "
				   "jurisdiction: BE,\n     domains: [cert.be], bases: [b], keys: [");
		pin(y, "cert@cert.be.asc");
		g_string_append(y, "]}\n");
		char name[128];
		snprintf(name, sizeof name, "%s/own.yaml", dir);
		struct registry_errors *e = NULL;
		struct registry *r = registry_load_buffer(name, y->str, y->len, &e);
		for (size_t i = 0; r == NULL && i < registry_errors_count(e); i++)
			fprintf(stderr, "%s\n", registry_errors_get(e, i));
		assert_non_null(r);
		char *m = message("self");
		struct findings *f = scan(m);
		const char *rcpt = "cert@cert.be";
		struct policy_options o;
		policy_options_default(&o);
		o.rcpts = &rcpt;
		o.nrcpts = 1;
		struct decision *d = policy_decide(r, f, rcpt, date_from_time(time(NULL)), &o);
		if (own) {
			if (decision_verdict(d) != VERDICT_DELIVER)
				fail_msg("own party: %s", decision_explain(d));
			assert_non_null(strstr(decision_explain(d), "an own key (openpgp "));
		} else {
			assert_true(decision_has_reason(d, REASON_READER_NOT_ADDRESSED));
		}
		decision_free(d);
		findings_free(f);
		g_free(m);
		registry_unref(r);
		registry_errors_free(e);
		g_string_free(y, TRUE);
	}
}

/* The hold's summary carries the readers (grondslag show prints them). */
static void test_gate_summary(void **state)
{
	(void)state;
	char *m = message("wrong");
	struct findings *f = scan(m);
	const char *rcpts[] = {"<cert@cert.be>", "<cert@cert.at>"};
	struct gate_input in = {.queue_id = "Q1", .sender = "<a@ncsc.nl>", .rcpts = rcpts,
				.nrcpts = 1, .outbound = true, .mode = GATE_ENFORCE,
				.date = date_from_time(time(NULL)), .now = time(NULL)};
	policy_options_default(&in.policy);
	struct gate_result *g = gate_decide(&in, reg, f);
	assert_non_null(g);
	assert_int_equal(gate_action(g), GATE_DISCARD);
	char *js = gate_summary_json(g);
	assert_non_null(strstr(js, "\"readers\":\"readable by CERT.at (cert-at"));
	free(js);
	gate_free(g);
	/* addressing CERT.at too: both go */
	in.nrcpts = 2;
	g = gate_decide(&in, reg, f);
	assert_int_equal(gate_action(g), GATE_ACCEPT);
	gate_free(g);
	findings_free(f);
	g_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyparse_gpg),   cmocka_unit_test(test_keyparse_v6),
		cmocka_unit_test(test_keyparse_x509),  cmocka_unit_test(test_keyparse_errors),
		cmocka_unit_test(test_registry_keys),  cmocka_unit_test(test_decisions),
		cmocka_unit_test(test_gate_summary),   cmocka_unit_test(test_own_party),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
