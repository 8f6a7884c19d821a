/*
 * test_relayseal.c - relay encryption in the daemon (relayseal.h): a
 * snapshot whose registry has CERT.be and CERT.at on a basis that requires
 * encryption (their keys made by the test in a throwaway GnuPG home) and
 * CERT-FR on one that does not; the decision of the gate with the key
 * check, then the plan: encrypted for one party, nothing for plaintext
 * recipients or mail already encrypted, an error for two parties sharing
 * a copy; RelayEncrypt no holds as no-usable-key; and the releaser's hook
 * (one party, plaintext, mixed parties); mail the sender encrypted to the
 * party and the escrow key judged the same by both (what the escrow key
 * reads decides).
 */
#include "testutil.h"
#include "fixture_gpg.h"

#include <sys/stat.h>

#include <glib.h>
#include <unistd.h>

#include "grondslag/daemon/relayseal.h"
#include "grondslag/base/strbuf.h"
#include "grondslag/daemon/snapshot.h"
#include "grondslag/decide/gate.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/scan.h"

static char gdir[64], home[128], pub[128], conf[192], ehome[128];
static char *armour[2];
static char escrow_fpr[FIXTURE_FPR_LEN + 1];
static char *escrowed, *escrowed_clean;	/* PGP/MIME to CERT.be and the escrow key */
static const char *const email[2] = {"cert@cert.be", "cert@cert.at"};

static const char list[] = "From: a@ncsc.nl\r\nTo: cert@cert.be\r\nSubject: the list\r\n"
			   "Content-Type: text/plain\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n";
/* a readable list next to an inline-armoured attachment */
static const char mixed[] = "From: a@ncsc.nl\r\nTo: cert@cert.be\r\nSubject: the list\r\n"
			    "Thread-Topic: the list\r\nMIME-Version: 1.0\r\n"
			    "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
			    "Content-Type: text/plain\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n"
			    "--B\r\nContent-Type: application/octet-stream; name=key.asc\r\n"
			    "Content-Disposition: attachment; filename=key.asc\r\n\r\n"
			    "-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n"
			    "--B--\r\n";
/* two Content-Type fields: the first claims PGP/MIME, the second is read */
static const char twotypes[] = "From: a@ncsc.nl\r\nSubject: the list\r\n"
			       "Content-Type: multipart/encrypted;"
			       " protocol=\"application/pgp-encrypted\"; boundary=B\r\n"
			       "Content-Type: text/plain\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n";
/* S/MIME opaque signed: readable by anyone */
static const char signeddata[] = "From: a@ncsc.nl\r\nSubject: the list\r\n"
				 "Content-Type: application/pkcs7-mime; smime-type=signed-data;"
				 " name=smime.p7m\r\n\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n";
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
	if (fixture_gpg_dirs("rseal", gdir, home, pub) != 0)
		return -1;
	snprintf(conf, sizeof conf, "%s/grondslag.conf", gdir);
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
		fixture_gpg_key(home, email[k], "", "", "2y", "2y", fpr);
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
	/* the escrow key (its own, in the same home) and PGP/MIME the
	 * sender encrypted to CERT.be and to it: a list, and a clean note */
	snprintf(ehome, sizeof ehome, "%s/e", gdir);
	if (mkdir(ehome, 0700) != 0)
		return -1;
	fixture_gpg_key(ehome, "escrow@ncsc.nl", "", "", "2y", "2y", escrow_fpr);
	fixture_run("gpg --homedir %s --batch --export %s 2>/dev/null | gpg --homedir %s --batch "
		    "--import 2>/dev/null", ehome, escrow_fpr, home);
	for (int k = 0; k < 2; k++) {
		char path[192];
		snprintf(path, sizeof path, "%s/e%d.asc", gdir, k);
		fixture_run("printf 'Content-Type: text/plain\n\n%s\n' | gpg --homedir %s --batch "
			    "--trust-model always --armor --yes -o %s --encrypt -r cert@cert.be -r %s "
			    "2>/dev/null", k == 0 ? "8.8.8.8\n9.9.9.9\n1.1.1.1" : "Meeting on Tuesday.",
			    home, path, escrow_fpr);
		gchar *asc = NULL;
		assert_true(g_file_get_contents(path, &asc, NULL, NULL));
		char *m = g_strdup_printf("From: a@ncsc.nl\r\nTo: cert@cert.be\r\nSubject: x\r\n"
					  "MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;"
					  " protocol=\"application/pgp-encrypted\"; boundary=B\r\n\r\n"
					  "--B\r\nContent-Type: application/pgp-encrypted\r\n\r\n"
					  "Version: 1\r\n\r\n--B\r\nContent-Type: "
					  "application/octet-stream\r\n\r\n%s\r\n--B--\r\n", asc);
		g_free(asc);
		*(k == 0 ? &escrowed : &escrowed_clean) = m;
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
	g_free(escrowed);
	g_free(escrowed_clean);
	fixture_run("gpgconf --homedir %s --kill gpg-agent", ehome);
	return fixture_gpg_remove(gdir, home, pub);
}

/* A hold's summary as the milter records it (holdrec.h): without and
 * with its verdict to leave an encrypted message as it is. */
static const char no_verdict[] = "{\"categories\":\"ip-list\",\"parts\":[]}";
static const char as_is_verdict[] = "{\"categories\":\"ip-list\",\"parts\":[],"
				    "\"seal\":\"as-is\"}";

/* The reasons of the first recipient's decision in the last plan_for(). */
static bool last_unsealable, last_no_key;

/* The gate's decision with the key check, then the plan (its return). */
static int plan_for(struct snapshot *s, const char *msg, const char *const *rcpts, size_t n,
		    struct relayseal *rs, enum gate_action *act)
{
	/* the snapshot's scan (its EscrowKey, when set), as the milter's */
	struct scan_options so = *snapshot_scan(s);
	so.threshold = 1;
	struct findings *f = scan_message(&so, msg, strlen(msg));
	assert_non_null(f);
	relayseal_begin(rs, s, msg, strlen(msg), f);
	struct gate_input in = {.queue_id = "Q", .sender = "<a@ncsc.nl>", .rcpts = rcpts,
				.nrcpts = n, .outbound = true, .date = snapshot_date(s, 0),
				.policy = *snapshot_policy(s)};
	relayseal_options(rs, &in.policy);
	struct gate_result *g = gate_decide(&in, snapshot_registry(s), f);
	assert_non_null(g);
	*act = gate_action(g);
	const struct decision *d0 = gate_decision(g, 0);
	last_unsealable = d0 != NULL && decision_has_reason(d0, REASON_UNSEALABLE);
	last_no_key = d0 != NULL && decision_has_reason(d0, REASON_NO_USABLE_KEY);
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
			assert_int_equal(strlen(rs.fprs), 40);	/* the key, for the record */
			assert_int_equal(rs.subjects, 1);
			assert_true(rs.nedits >= 1);
			bool ct = false;
			for (size_t e = 0; e < rs.nedits; e++) {
				ct = ct || strcmp(rs.edits[e].name, "Content-Type") == 0;
				/* routing fields stay */
				assert_true(strcmp(rs.edits[e].name, "From") != 0 &&
					    strcmp(rs.edits[e].name, "To") != 0);
			}
			assert_true(ct);
			assert_non_null(strstr(rs.content_type, "multipart/encrypted"));
			assert_non_null(memmem(rs.body, rs.bodylen, "-----BEGIN PGP MESSAGE-----", 27));
			assert_null(memmem(rs.body, rs.bodylen, "8.8.8.8", 7));
		}
		relayseal_end(&rs);
	}
	/* the key checks are the snapshot's: another message to CERT.be asks
	 * GnuPG nothing (the per-message GnuPG home is for encryption only) */
	{
		unsigned long checks = seal_cache_checks(snapshot_seal_cache(s));
		assert_true(checks >= 1 && checks <= 2);	/* CERT.be, CERT.at */
		struct relayseal again;
		enum gate_action aact;
		const char *one[] = {"<cert@cert.be>"};
		assert_int_equal(plan_for(s, list, one, 1, &again, &aact), 1);
		relayseal_end(&again);
		assert_int_equal(seal_cache_checks(snapshot_seal_cache(s)), checks);
	}
	/* ciphertext inside a plaintext message does not make it encrypted:
	 * the relay's encryption stays on (here the armour is unreadable, so
	 * the gate holds it; delivered, it would leave encrypted) */
	{
		struct relayseal ms;
		enum gate_action mact;
		const char *one[] = {"<cert@cert.be>"};
		assert_int_equal(plan_for(s, mixed, one, 1, &ms, &mact), 0);
		assert_true(ms.on);
		assert_int_equal(mact, GATE_DISCARD);
		relayseal_end(&ms);
		/* two Content-Type fields: on, and encrypted or held, never plain */
		const char *const on[] = {twotypes, signeddata};
		for (size_t k = 0; k < ARRAY_LEN(on); k++) {
			int mrc = plan_for(s, on[k], one, 1, &ms, &mact);
			assert_true(ms.on);
			assert_true(mrc == 1 || (mrc == 0 && mact == GATE_DISCARD));
			relayseal_end(&ms);
		}
		assert_int_equal(plan_for(s, sealed, one, 1, &ms, &mact), 0);
		assert_false(ms.on);
		relayseal_end(&ms);
	}
	snapshot_unref(s);
	/* a header the milter cannot rewrite (a Content-* name too long for
	 * it, more fields than it deletes): held, never tempfailed for ever */
	s = load("");
	{
		struct strbuf b = {0};
		for (int k = 0; k < 2; k++) {
			b.len = 0;
			strbuf_puts(&b, "From: a@ncsc.nl\r\nSubject: the list\r\n");
			if (k == 0) {
				strbuf_puts(&b, "Content-");
				for (int j = 0; j < RELAYSEAL_NAME_MAX; j++)
					strbuf_puts(&b, "x");
				strbuf_puts(&b, ": y\r\n");
			} else {
				for (int j = 0; j <= RELAYSEAL_EDITS_MAX; j++)
					strbuf_printf(&b, "X-F%d: y\r\n", j);
			}
			strbuf_puts(&b, "\r\n8.8.8.8\r\n9.9.9.9\r\n1.1.1.1\r\n");
			assert_false(b.oom);
			struct relayseal us;
			enum gate_action uact;
			const char *one[] = {"<cert@cert.be>"};
			assert_int_equal(plan_for(s, b.s, one, 1, &us, &uact), 0);
			assert_int_equal(uact, GATE_DISCARD);
			assert_true(us.unsealable);
			/* its own reason: no key question was asked */
			assert_true(last_unsealable);
			assert_false(last_no_key);
			relayseal_end(&us);
		}
		free(b.s);
	}
	snapshot_unref(s);
	/* RelayEncrypt no: held as no-usable-key, nothing to encrypt */
	s = load("RelayEncrypt no\n");
	struct relayseal rs;
	enum gate_action act;
	const char *be[] = {"<cert@cert.be>"};
	assert_int_equal(plan_for(s, list, be, 1, &rs, &act), 0);
	assert_int_equal(act, GATE_DISCARD);
	assert_true(last_no_key);
	assert_false(last_unsealable);
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
		char sfor[64] = "x", fprs[SEAL_FPRS_MAX] = "x";
		int rc = relayseal_release(&slot, rows[i].rcpts, n, no_verdict, list, strlen(list),
					   &out, &outlen,
					   sfor, sizeof sfor, fprs, sizeof fprs,
					   err, sizeof err);
		assert_int_eq_msg(rows[i].name, rc, rows[i].want);
		if (rc == 1) {
			assert_true(seal_is_encrypted(out, outlen));
			assert_non_null(strstr(out, "\r\nSubject: ...\r\n"));
			/* for the release-started record: the party and its key */
			assert_string_equal(sfor, "cert-be");
			assert_int_equal(strlen(fprs), 40);
		} else {
			assert_string_equal(sfor, "");
		}
		free(out);
	}
	/* already encrypted: as it is when the milter said so when it held it;
	 * a hold without that verdict (the milter wrapped it, or a summary
	 * that does not say) is encrypted to the party */
	static const struct {
		const char *name, *summary;
		int want;
	} held[] = {
		{"the milter left it", as_is_verdict, 0},
		{"no verdict", no_verdict, 1},
		{"no summary", NULL, 1},
		{"a summary that is no JSON", "{\"seal\":\"as-is\"", 1},
		{"another verdict", "{\"categories\":\"ip-list\",\"seal\":\"wrap\"}", 1},
	};
	for (size_t i = 0; i < ARRAY_LEN(held); i++) {
		char *out = NULL, err[512] = "";
		size_t outlen = 0;
		const char *be[] = {"cert@cert.be"};
		char sfor[64] = "x", fprs[SEAL_FPRS_MAX] = "x";
		int rc = relayseal_release(&slot, be, 1, held[i].summary, sealed, strlen(sealed),
					   &out, &outlen, sfor, sizeof sfor, fprs, sizeof fprs,
					   err, sizeof err);
		assert_int_eq_msg(held[i].name, rc, held[i].want);
		if (rc == 0) {
			assert_null(out);
			assert_string_equal(sfor, "");
		} else {
			assert_true(seal_is_encrypted(out, outlen));
			assert_string_equal(sfor, "cert-be");
		}
		free(out);
	}
	snapshot_slot_destroy(&slot);
}

/* Encrypted by the sender to CERT.be and the escrow key: the milter and
 * the releaser apply the same rule.  The list the escrow key reads
 * leaves encrypted to CERT.be's registered key by both (never in the
 * sender's encryption); the clean note leaves as it came from both. */
static void test_escrowed(void **state)
{
	(void)state;
	char extra[256];
	snprintf(extra, sizeof extra, "EscrowKey %s\nEscrowGnupgHome %s\n", escrow_fpr, ehome);
	struct snapshot_slot slot;
	memset(&slot, 0, sizeof slot);
	assert_int_equal(snapshot_slot_init(&slot, conf, load(extra)), 0);
	struct snapshot *s = snapshot_slot_get(&slot);
	static const struct {
		const char *name;
		bool list;
		int want;	/* the releaser's answer: 1 encrypted, 0 as it is */
	} rows[] = {
		{"escrow reads a list", true, 1},
		{"escrow reads a clean note", false, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const char *msg = rows[i].list ? escrowed : escrowed_clean;
		const char *be[] = {"<cert@cert.be>"};
		struct relayseal rs;
		enum gate_action act;
		int prc = plan_for(s, msg, be, 1, &rs, &act);
		assert_int_eq_msg(rows[i].name, rs.on, rows[i].want == 1);
		bool rs_on = rs.on;
		if (prc == 1)
			assert_null(memmem(rs.body, rs.bodylen, "8.8.8.8", 7));
		relayseal_end(&rs);

		char *out = NULL, err[512] = "", sfor[64] = "x", fprs[SEAL_FPRS_MAX] = "x";
		size_t outlen = 0;
		const char *bare[] = {"cert@cert.be"};
		int rc = relayseal_release(&slot, bare, 1, rs_on ? no_verdict : as_is_verdict, msg,
					   strlen(msg), &out, &outlen, sfor, sizeof sfor, fprs,
					   sizeof fprs, err, sizeof err);
		if (rc < 0)
			fail_msg("%s: %s", rows[i].name, err);
		assert_int_eq_msg(rows[i].name, rc, rows[i].want);
		if (rc == 1) {
			assert_true(seal_is_encrypted(out, outlen));
			assert_string_equal(sfor, "cert-be");
			/* CERT.be's key alone: the escrow key is no reader */
			assert_int_equal(strlen(fprs), 40);
			assert_null(strstr(fprs, escrow_fpr));
		} else {
			assert_null(out);
		}
		free(out);
	}
	snapshot_unref(s);
	snapshot_slot_destroy(&slot);

	/* held with the escrow key (the milter read the list: it would have
	 * encrypted it to CERT.be), released after the EscrowKey is gone:
	 * the releaser's scan reads nothing, yet the milter's verdict stands
	 * and the copy is encrypted to CERT.be, not sent in the sender's
	 * encryption */
	struct relayseal rs;
	enum gate_action act;
	memset(&slot, 0, sizeof slot);
	assert_int_equal(snapshot_slot_init(&slot, conf, load(extra)), 0);
	s = snapshot_slot_get(&slot);
	const char *be[] = {"<cert@cert.be>"};
	plan_for(s, escrowed, be, 1, &rs, &act);
	const char *summary = rs.on ? no_verdict : as_is_verdict;
	assert_true(rs.on);
	relayseal_end(&rs);
	snapshot_unref(s);
	snapshot_slot_destroy(&slot);
	memset(&slot, 0, sizeof slot);
	assert_int_equal(snapshot_slot_init(&slot, conf, load("")), 0);
	char *out = NULL, err[512] = "", sfor[64] = "x", fprs[SEAL_FPRS_MAX] = "x";
	size_t outlen = 0;
	const char *bare[] = {"cert@cert.be"};
	int rc = relayseal_release(&slot, bare, 1, summary, escrowed, strlen(escrowed), &out,
				   &outlen, sfor, sizeof sfor, fprs, sizeof fprs, err, sizeof err);
	if (rc != 1)
		fail_msg("the escrow key gone: got %d (%s), want it encrypted to CERT.be", rc, err);
	assert_true(seal_is_encrypted(out, outlen));
	assert_string_equal(sfor, "cert-be");
	assert_int_equal(strlen(fprs), 40);
	assert_null(strstr(fprs, escrow_fpr));
	free(out);
	snapshot_slot_destroy(&slot);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_release_hook),
		cmocka_unit_test(test_escrowed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
