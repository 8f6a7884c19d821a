/*
 * test_relayseal.c - relay encryption in the daemon (relayseal.h): a
 * snapshot whose registry has CERT.be and CERT.at on a basis that requires
 * encryption (their keys made by the test in a throwaway GnuPG home) and
 * CERT-FR on one that does not; the decision of the gate with the key
 * check, then the plan: encrypted for one party, nothing for plaintext
 * recipients or mail already encrypted, an error for two parties sharing
 * a copy; RelayEncrypt no holds as no-usable-key; and the releaser's hook
 * (one party, plaintext, mixed parties).
 */
#include "testutil.h"
#include "fixture_gpg.h"

#include <sys/stat.h>

#include <glib.h>
#include <unistd.h>

#include "grondslag/daemon/relayseal.h"
#include "grondslag/daemon/snapshot.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/scan.h"

static char gdir[64], home[128], pub[128], conf[192];
static char *armour[2];
static const char *const email[2] = {"cert@cert.be", "cert@cert.at"};

static const char list[] = "From: a@ncsc.nl\r\nTo: cert@cert.be\r\nSubject: the list\r\n"
			   "Content-Type: text/plain\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n";
static const char sealed[] = "From: a@ncsc.nl\r\nSubject: x\r\nContent-Type: multipart/encrypted;"
			     " protocol=\"application/pgp-encrypted\"; boundary=B\r\n\r\n--B\r\n"
			     "Content-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--B--\r\n";

/* Write the configuration (extra lines appended) and load it. */
static struct snapshot *load(const char *extra)
{
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "Registry %s/registry.yaml\nRegistrySignature none\nGeoCountryDatabase\n"
		"GeoASNDatabase\nSpoolDirectory %s\nDecisionDate 2024-06-01\n%s", gdir, gdir, extra);
	fclose(f);
	char err[2048];
	struct snapshot *s = snapshot_load(conf, err, sizeof err);
	if (s == NULL)
		fail_msg("load: %s", err);
	return s;
}

static int setup(void **state)
{
	(void)state;
	snprintf(gdir, sizeof gdir, "/tmp/rsealXXXXXX");
	if (mkdtemp(gdir) == NULL)
		return -1;
	snprintf(home, sizeof home, "%s/s", gdir);
	snprintf(pub, sizeof pub, "%s/p", gdir);
	snprintf(conf, sizeof conf, "%s/grondslag.conf", gdir);
	if (mkdir(home, 0700) != 0 || mkdir(pub, 0700) != 0)
		return -1;
	GString *y = g_string_new(
		"version: 1\nown_domains: [ncsc.nl]\neea:\n  - {country: BE, valid_from: 1994-01-01}\n"
		"  - {country: AT, valid_from: 1994-01-01}\n  - {country: FR, valid_from: 1994-01-01}\n"
		"regimes:\n  - {id: wbni, name: Wbni, valid_from: 2018-11-09}\nbases:\n"
		"  - {id: sealed, regime: wbni, article: A, approved_by: t, encrypt: required,\n"
		"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}\n"
		"  - {id: open, regime: wbni, article: A, approved_by: t,\n"
		"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}\n"
		"parties:\n"
		"  - {id: cert-fr, name: FR, type: eu-csirt, jurisdiction: FR, domains: [cert.fr],"
		" bases: [open]}\n");
	for (int k = 0; k < 2; k++) {
		char fpr[FIXTURE_FPR_LEN + 1], path[192];
		fixture_run("gpg --homedir %s --batch --pinentry-mode loopback --passphrase '' "
			    "--quick-gen-key 'K <%s>' ed25519 cert 2y 2>/dev/null", home, email[k]);
		fixture_gpg_fpr(home, email[k], fpr, NULL);
		fixture_run("gpg --homedir %s --batch --pinentry-mode loopback --passphrase '' "
			    "--quick-add-key %s cv25519 encr 2y 2>/dev/null", home, fpr);
		snprintf(path, sizeof path, "%s/%d.asc", gdir, k);
		fixture_run("gpg --homedir %s --batch --armor --export %s >%s", home, fpr, path);
		gsize n = 0;
		assert_true(g_file_get_contents(path, &armour[k], &n, NULL));
		const char *dom = strchr(email[k], '@') + 1;
		g_string_append_printf(y, "  - id: cert-%.2s\n    name: %s\n    type: eu-csirt\n"
				       "    jurisdiction: BE\n    domains: [%s]\n    bases: [sealed]\n"
				       "    keys:\n      - |\n", dom + 5, dom, dom);
		gchar **lines = g_strsplit(armour[k], "\n", -1);
		for (gchar **l = lines; *l != NULL; l++)
			if (**l != '\0')
				g_string_append_printf(y, "        %s\n", *l);
		g_strfreev(lines);
	}
	char path[192];
	snprintf(path, sizeof path, "%s/registry.yaml", gdir);
	assert_true(g_file_set_contents(path, y->str, (gssize)y->len, NULL));
	g_string_free(y, TRUE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	g_free(armour[0]);
	g_free(armour[1]);
	return fixture_gpg_remove(gdir, home, pub);
}

/* The gate's decision with the key check, then the plan (its return). */
static int plan_for(struct snapshot *s, const char *msg, const char *const *rcpts, size_t n,
		    struct relayseal *rs, enum gate_action *act)
{
	struct scan_options so;
	memset(&so, 0, sizeof so);
	walk_limits_default(&so.limits);
	so.threshold = 1;
	struct findings *f = scan_message(&so, msg, strlen(msg));
	assert_non_null(f);
	relayseal_begin(rs, s, msg, strlen(msg));
	struct gate_input in = {.queue_id = "Q", .sender = "<a@ncsc.nl>", .rcpts = rcpts,
				.nrcpts = n, .outbound = true, .date = snapshot_date(s, 0),
				.policy = *snapshot_policy(s)};
	relayseal_options(rs, &in.policy);
	struct gate_result *g = gate_decide(&in, snapshot_registry(s), f);
	assert_non_null(g);
	*act = gate_action(g);
	char err[512] = "";
	int rc = relayseal_plan(rs, g, msg, strlen(msg), err, sizeof err);
	gate_free(g);
	findings_free(f);
	return rc;
}

static void test_plan(void **state)
{
	(void)state;
	struct snapshot *s = load("");
	static const struct {
		const char *name;
		const char *msg;
		const char *rcpts[3];
		int want;
		enum gate_action act;
		const char *party;
	} rows[] = {
		{"CERT.be alone", list, {"<cert@cert.be>", "<soc@cert.be>"}, 1, GATE_ACCEPT, "cert-be"},
		{"CERT-FR: no encryption", list, {"<x@cert.fr>"}, 0, GATE_ACCEPT, NULL},
		{"already encrypted (held: unscannable)", sealed, {"<cert@cert.be>"}, 0, GATE_DISCARD,
		 NULL},
		{"two parties", list, {"<cert@cert.be>", "<cert@cert.at>"}, -1, GATE_ACCEPT, NULL},
		{"a party and plaintext", list, {"<cert@cert.be>", "<x@cert.fr>"}, -1, GATE_ACCEPT,
		 NULL},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		size_t n = rows[i].rcpts[1] != NULL ? 2 : 1;
		struct relayseal rs;
		enum gate_action act;
		int rc = plan_for(s, rows[i].msg, rows[i].rcpts, n, &rs, &act);
		assert_int_eq_msg(rows[i].name, rc, rows[i].want);
		assert_int_eq_msg(rows[i].name, act, rows[i].act);
		if (rc == 1) {
			assert_str_eq_msg(rows[i].name, rs.party->id, rows[i].party);
			assert_int_equal(rs.subjects, 1);
			assert_int_equal(rs.nedits, 1);
			assert_string_equal(rs.edits[0].name, "Content-Type");
			assert_int_equal(rs.edits[0].index, 1);
			assert_non_null(strstr(rs.content_type, "multipart/encrypted"));
			assert_non_null(memmem(rs.body, rs.bodylen, "-----BEGIN PGP MESSAGE-----", 27));
			assert_null(memmem(rs.body, rs.bodylen, "8.8.8.8", 7));
		}
		relayseal_end(&rs);
	}
	snapshot_unref(s);
	/* RelayEncrypt no: held as no-usable-key, nothing to encrypt */
	s = load("RelayEncrypt no\n");
	struct relayseal rs;
	enum gate_action act;
	const char *be[] = {"<cert@cert.be>"};
	assert_int_equal(plan_for(s, list, be, 1, &rs, &act), 0);
	assert_int_equal(act, GATE_DISCARD);
	relayseal_end(&rs);
	snapshot_unref(s);
}

static void test_release_hook(void **state)
{
	(void)state;
	struct snapshot_slot slot;
	memset(&slot, 0, sizeof slot);
	assert_int_equal(snapshot_slot_init(&slot, conf, load("")), 0);
	static const struct {
		const char *name;
		const char *rcpts[2];
		int want;
	} rows[] = {
		{"CERT.be", {"cert@cert.be", "soc@cert.be"}, 1},
		{"CERT-FR", {"x@cert.fr"}, 0},
		{"two parties", {"cert@cert.be", "cert@cert.at"}, -1},
		{"a party and plaintext", {"x@cert.fr", "cert@cert.be"}, -1},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char *out = NULL, err[512] = "";
		size_t outlen = 0, n = rows[i].rcpts[1] != NULL ? 2 : 1;
		int rc = relayseal_release(&slot, rows[i].rcpts, n, list, strlen(list), &out, &outlen,
					   err, sizeof err);
		assert_int_eq_msg(rows[i].name, rc, rows[i].want);
		if (rc == 1) {
			assert_true(seal_is_encrypted(out, outlen));
			assert_non_null(strstr(out, "\r\nSubject: ...\r\n"));
		}
		free(out);
	}
	/* already encrypted: as it is */
	char *out = NULL, err[512] = "";
	size_t outlen = 0;
	const char *be[] = {"cert@cert.be"};
	assert_int_equal(relayseal_release(&slot, be, 1, sealed, strlen(sealed), &out, &outlen, err,
					   sizeof err), 0);
	assert_null(out);
	snapshot_slot_destroy(&slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_release_hook),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
