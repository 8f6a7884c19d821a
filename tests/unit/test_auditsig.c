/*
 * test_auditsig.c - signed checkpoints of the audit chain: the canonical
 * text, the file line and the record details (round trips, and tables of
 * hostile and truncated input); the comparison with a chain (good,
 * deleted, rewritten, forged, merged, records not yet anchored); signing
 * and verifying with GPGME against keys the test makes itself in a
 * throw-away GnuPG home (no passphrase; nothing committed): good, another
 * key, altered text, garbage signature, expired key (refused for signing,
 * its old signature still good), passphrase-protected key, missing key;
 * and the checkpointer on a real store (a checkpoint only when the head
 * moved, the last one at stop, file and chain agree).
 * At the end the gpg-agents are killed and the directories removed.
 */
#include "testutil.h"
#include "fixture_store.h"
#include "fixture_gpg.h"
#include "fixture_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/store/auditsig.h"
#include "grondslag/daemon/checkpointer.h"
#include "grondslag/store/store.h"

#define HASH_A "5d768b9ec282fc2bcfc9d450e3b9b4a2b399e583f1fe6fdd258538f9c2522474"
#define FPR_A "2F2DB274B24911EF9B2C323F73E971A4494FA042"

static char gdir[64];		/* /tmp/asgXXXXXX: the GnuPG homes */
static char home[128];		/* gdir/s: secret keys */
static char pub[128];		/* gdir/p: public keys only */
enum key_id { K_GOOD, K_OTHER, K_EXPIRED, K_PASS, K_COUNT };
static char fpr[K_COUNT][REGSIG_FPR_LEN + 1];


/* Make a signing key in home and read its fingerprint. */
static void gen_key(enum key_id k, const char *pass, const char *extra, const char *expire)
{
	static const char *const email[K_COUNT] = {"good@t.test", "other@t.test", "old@t.test",
						   "pass@t.test"};
	fixture_run("gpg --homedir %s --batch --pinentry-mode loopback --passphrase '%s' %s "
	    "--quick-gen-key 'Audit <%s>' ed25519 sign %s 2>/dev/null",
	    home, pass, extra, email[k], expire);
	fixture_gpg_fpr(home, email[k], fpr[k], NULL);
}

static int setup(void **state)
{
	(void)state;
	snprintf(gdir, sizeof gdir, "/tmp/asgXXXXXX");
	if (mkdtemp(gdir) == NULL || fixture_dir_make("auditsig") != 0)
		return -1;
	snprintf(home, sizeof home, "%s/s", gdir);
	snprintf(pub, sizeof pub, "%s/p", gdir);
	if (mkdir(home, 0700) != 0 || mkdir(pub, 0700) != 0)
		return -1;
	gen_key(K_GOOD, "", "", "never");
	gen_key(K_OTHER, "", "", "never");
	gen_key(K_EXPIRED, "", "--faked-system-time 20200101T000000", "1d");
	gen_key(K_PASS, "secret", "", "never");
	fixture_run("gpg --homedir %s --batch --export %s %s %s 2>/dev/null | "
	    "gpg --homedir %s --batch --import 2>/dev/null", home, fpr[K_GOOD], fpr[K_OTHER],
	    fpr[K_EXPIRED], pub);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	(void)fixture_gpg_remove(gdir, home, pub);
	return fixture_dir_remove();
}

/* A well-formed checkpoint with a made-up signature. */
static struct auditsig_checkpoint sample(void)
{
	struct auditsig_checkpoint cp = {.seq = 41, .at = 1741953600};
	snprintf(cp.hash, sizeof cp.hash, "%s", HASH_A);
	snprintf(cp.key, sizeof cp.key, "%s", FPR_A);
	snprintf(cp.sig, sizeof cp.sig, "iHUEABYIAB0WIQ+/=");
	auditsig_set_host(&cp, "mail1.example.nl");
	return cp;
}

/* Are two checkpoints equal, field by field? */
static void assert_cp_equal(const char *row, const struct auditsig_checkpoint *got,
			    const struct auditsig_checkpoint *want)
{
	assert_int_eq_msg(row, got->seq, want->seq);
	assert_int_eq_msg(row, got->at, want->at);
	assert_str_eq_msg(row, got->hash, want->hash);
	assert_str_eq_msg(row, got->host, want->host);
	assert_str_eq_msg(row, got->key, want->key);
	assert_str_eq_msg(row, got->sig, want->sig);
}

static void test_text_and_round_trips(void **state)
{
	(void)state;
	struct auditsig_checkpoint cp = sample(), back;
	char *text = auditsig_text(&cp), why[200];
	assert_str_eq_msg("text", text,
			  "grondslag-audit-checkpoint v1\nseq 41\nhash " HASH_A
			  "\nat 1741953600\nhost mail1.example.nl\nkey " FPR_A "\n");
	free(text);
	char *line = auditsig_line(&cp);
	assert_str_eq_msg("line", line,
			  "grondslag-audit-checkpoint v1 seq=41 hash=" HASH_A
			  " at=1741953600 host=mail1.example.nl key=" FPR_A " sig=iHUEABYIAB0WIQ+/=\n");
	if (auditsig_parse_line(line, strlen(line), &back, why, sizeof why) != 0)
		fail_msg("parse_line of our own line: %s", why);
	assert_cp_equal("line round trip", &back, &cp);
	char *again = auditsig_line(&back);
	assert_str_eq_msg("line re-formatted", again, line);
	free(again);
	free(line);
	char *details = auditsig_details(&cp);
	if (auditsig_parse_details(details, &back, why, sizeof why) != 0)
		fail_msg("parse_details of our own details: %s", why);
	assert_cp_equal("details round trip", &back, &cp);
	free(details);
	/* unsigned: a text, but no line and no details */
	cp.sig[0] = '\0';
	text = auditsig_text(&cp);
	assert_non_null(text);
	free(text);
	assert_null(auditsig_line(&cp));
	assert_null(auditsig_details(&cp));
	cp.seq = 0;
	assert_null(auditsig_text(&cp));
}

static void test_set_host(void **state)
{
	(void)state;
	static const struct { const char *in, *want; } rows[] = {
		{"mail1.example.nl", "mail1.example.nl"},
		{"", "localhost"},
		{NULL, "localhost"},
		{"a b\nc=d", "a_b_c_d"},
		{"h\xc3\xa9", "h__"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct auditsig_checkpoint cp;
		auditsig_set_host(&cp, rows[i].in);
		assert_str_eq_msg(rows[i].want, cp.host, rows[i].want);
	}
	char longname[400];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	struct auditsig_checkpoint cp;
	auditsig_set_host(&cp, longname);
	assert_int_eq_msg("long host cut", strlen(cp.host), AUDITSIG_HOST_MAX);
}

static void test_parse_line_hostile(void **state)
{
	(void)state;
	char good[600];
	snprintf(good, sizeof good,
		 "grondslag-audit-checkpoint v1 seq=41 hash=%s at=7 host=h key=%s sig=QUJD", HASH_A,
		 FPR_A);
	static const struct { const char *name, *line, *why; } rows[] = {
		{"empty", "", "does not start"},
		{"magic only", "grondslag-audit-checkpoint v1", "does not start"},
		{"v2", "grondslag-audit-checkpoint v2 seq=1", "does not start"},
		{"truncated after seq", "grondslag-audit-checkpoint v1 seq=41",
		 "hash missing (truncated)"},
		{"truncated in hash", "grondslag-audit-checkpoint v1 seq=41 hash=5d76",
		 "at missing (truncated)"},
		{"fields swapped", "grondslag-audit-checkpoint v1 hash=" HASH_A " seq=41 at=7 host=h"
				   " key=" FPR_A " sig=QUJD", "seq missing"},
		{"seq zero", "grondslag-audit-checkpoint v1 seq=0 hash=" HASH_A " at=7 host=h key="
			     FPR_A " sig=QUJD", "out of its form"},
		{"seq leading zero", "grondslag-audit-checkpoint v1 seq=041 hash=" HASH_A " at=7"
				     " host=h key=" FPR_A " sig=QUJD", "out of its form"},
		{"seq negative", "grondslag-audit-checkpoint v1 seq=-1 hash=" HASH_A " at=7 host=h"
				 " key=" FPR_A " sig=QUJD", "out of its form"},
		{"seq too big", "grondslag-audit-checkpoint v1 seq=9999999999999999999 hash=" HASH_A
				" at=7 host=h key=" FPR_A " sig=QUJD", "out of its form"},
		{"hash upper case", "grondslag-audit-checkpoint v1 seq=1 hash="
				    "5D768B9EC282FC2BCFC9D450E3B9B4A2B399E583F1FE6FDD258538F9C2522474"
				    " at=7 host=h key=" FPR_A " sig=QUJD", "out of its form"},
		{"key lower case", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host=h"
				   " key=2f2db274b24911ef9b2c323f73e971a4494fa042 sig=QUJD",
		 "out of its form"},
		{"host empty", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host= key="
			       FPR_A " sig=QUJD", "out of its form"},
		{"sig empty", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host=h key="
			      FPR_A " sig=", "out of its form"},
		{"sig not base64", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host=h"
				   " key=" FPR_A " sig=QU*D", "out of its form"},
		{"text after sig", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host=h"
				   " key=" FPR_A " sig=QUJD extra=1", "text after"},
		{"trailing blank", "grondslag-audit-checkpoint v1 seq=1 hash=" HASH_A " at=7 host=h"
				   " key=" FPR_A " sig=QUJD ", "text after"},
		{"two blanks", "grondslag-audit-checkpoint v1 seq=1  hash=" HASH_A " at=7 host=h"
			       " key=" FPR_A " sig=QUJD", "hash missing"},
		{"two lines", "grondslag-audit-checkpoint v1 seq=1\nhash=" HASH_A, "not one line"},
	};
	struct auditsig_checkpoint cp;
	char why[200];
	if (auditsig_parse_line(good, strlen(good), &cp, why, sizeof why) != 0)
		fail_msg("good line refused: %s", why);
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		why[0] = '\0';
		if (auditsig_parse_line(rows[i].line, strlen(rows[i].line), &cp, why, sizeof why) == 0)
			fail_msg("%s: got accepted, want refused", rows[i].name);
		if (strstr(why, rows[i].why) == NULL)
			fail_msg("%s: got why \"%s\", want \"%s\"", rows[i].name, why, rows[i].why);
		assert_int_eq_msg(rows[i].name, cp.seq, 0);
	}
	/* every prefix of a good line is refused, none read past its end */
	for (size_t n = 0; n < strlen(good) - 1; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, good, n);
		if (auditsig_parse_line(copy, n, &cp, why, sizeof why) == 0 &&
		    n < strlen(good) - 4)
			fail_msg("prefix of %zu bytes: got accepted, want refused", n);
		free(copy);
	}
	/* a NUL inside, and a line over the limit */
	char nul[600];
	memcpy(nul, good, strlen(good) + 1);
	nul[40] = '\0';
	assert_int_equal(auditsig_parse_line(nul, strlen(good), &cp, why, sizeof why), -1);
	char *huge = malloc(AUDITSIG_LINE_MAX + 100);
	memset(huge, 'A', AUDITSIG_LINE_MAX + 100);
	assert_int_equal(auditsig_parse_line(huge, AUDITSIG_LINE_MAX + 100, &cp, why, sizeof why),
			 -1);
	free(huge);
}

static void test_parse_details_hostile(void **state)
{
	(void)state;
	static const struct { const char *name, *details; } rows[] = {
		{"not json", "{seq:1"},
		{"array", "[1,2]"},
		{"empty object", "{}"},
		{"seq as string", "{\"at\":7,\"hash\":\"" HASH_A "\",\"host\":\"h\",\"key\":\"" FPR_A
				  "\",\"seq\":\"41\",\"sig\":\"QUJD\"}"},
		{"seq fraction", "{\"at\":7,\"hash\":\"" HASH_A "\",\"host\":\"h\",\"key\":\"" FPR_A
				 "\",\"seq\":41.0,\"sig\":\"QUJD\"}"},
		{"no sig", "{\"at\":7,\"hash\":\"" HASH_A "\",\"host\":\"h\",\"key\":\"" FPR_A
			   "\",\"seq\":41}"},
		{"short hash", "{\"at\":7,\"hash\":\"5d76\",\"host\":\"h\",\"key\":\"" FPR_A
			       "\",\"seq\":41,\"sig\":\"QUJD\"}"},
		{"host with blank", "{\"at\":7,\"hash\":\"" HASH_A "\",\"host\":\"a b\",\"key\":\""
				    FPR_A "\",\"seq\":41,\"sig\":\"QUJD\"}"},
		{"nested deeply", "{\"a\":{\"b\":{\"c\":{}}}}"},
		{"NULL", NULL},
	};
	struct auditsig_checkpoint cp;
	char why[200];
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		if (auditsig_parse_details(rows[i].details, &cp, why, sizeof why) == 0)
			fail_msg("%s: got accepted, want refused", rows[i].name);
		assert_int_eq_msg(rows[i].name, cp.seq, 0);
	}
	const char *good = "{\"at\":7,\"hash\":\"" HASH_A "\",\"host\":\"h\",\"key\":\"" FPR_A
			   "\",\"seq\":41,\"sig\":\"QUJD\"}";
	if (auditsig_parse_details(good, &cp, why, sizeof why) != 0)
		fail_msg("good details refused: %s", why);
	assert_int_eq_msg("details seq", cp.seq, 41);
}

/* A chain of n records; hash of record i is "i" repeated, as text. */
struct fake_chain {
	char hash[16][AUDIT_HASH_HEX];
	const char *event[16];
};

/* Fill the fake chain: record i has hash of digit (i % 10), event ev. */
static void fake_init(struct fake_chain *fc)
{
	for (int i = 0; i < 16; i++) {
		memset(fc->hash[i], '0' + i % 10, AUDIT_HASH_HEX - 1);
		fc->hash[i][AUDIT_HASH_HEX - 1] = '\0';
		fc->hash[i][0] = (char)('a' + i % 6);
		fc->event[i] = "hold";
	}
}

/* Feed records 1..n of the fake chain. */
static void fake_feed(struct auditsig_check *c, const struct fake_chain *fc, int n)
{
	for (int i = 1; i <= n; i++) {
		struct audit_record r = {.seq = i, .event = fc->event[i], .hash = fc->hash[i]};
		auditsig_check_row(c, &r);
	}
}

/* A checkpoint of record seq with the hash h. */
static struct auditsig_checkpoint cp_of(int64_t seq, const char *h)
{
	struct auditsig_checkpoint cp = sample();
	cp.seq = seq;
	snprintf(cp.hash, sizeof cp.hash, "%s", h);
	return cp;
}

static void test_check_outcomes(void **state)
{
	(void)state;
	struct fake_chain fc;
	fake_init(&fc);
	fc.event[6] = AUDITSIG_EVENT;	/* the checkpoint record of record 5 */
	struct auditsig_check *c = auditsig_check_new();
	struct auditsig_checkpoint a = cp_of(5, fc.hash[5]), b = cp_of(9, fc.hash[9]);
	struct auditsig_checkpoint gone = cp_of(14, fc.hash[14]), wrong = cp_of(3, fc.hash[4]);
	struct auditsig_checkpoint forged = cp_of(8, fc.hash[8]);
	assert_int_equal(auditsig_check_add(c, &a, AUDITSIG_IN_CHAIN, 6, NULL), 0);
	assert_int_equal(auditsig_check_add(c, &a, AUDITSIG_IN_FILE, 1, NULL), 0);
	assert_int_equal(auditsig_check_add(c, &b, AUDITSIG_IN_FILE, 2, NULL), 0);
	assert_int_equal(auditsig_check_add(c, &gone, AUDITSIG_IN_FILE, 3, NULL), 0);
	assert_int_equal(auditsig_check_add(c, &wrong, AUDITSIG_IN_FILE, 4, NULL), 0);
	assert_int_equal(auditsig_check_add(c, &forged, AUDITSIG_IN_FILE, 5, NULL), 0);
	assert_int_equal(auditsig_check_add(c, NULL, AUDITSIG_IN_FILE, 6, "garbage"), 0);
	/* a and its copy merge: 6 entries, malformed first, then by seq */
	assert_int_eq_msg("count", auditsig_check_count(c), 6);
	for (size_t i = 0; i < 6; i++) {
		const struct auditsig_entry *e = auditsig_check_entry(c, i, NULL);
		auditsig_check_set_sig(c, i, e->seq == 8 ? REGSIG_BAD : REGSIG_OK, "forged");
	}
	fake_feed(c, &fc, 12);
	int64_t anchored, after;
	assert_int_eq_msg("bad", auditsig_check_finish(c, &anchored, &after), 4);
	assert_int_eq_msg("anchored", anchored, 9);
	assert_int_eq_msg("after", after, 3);
	static const struct {
		int64_t seq;
		enum auditsig_outcome want;
		unsigned sources;
		const char *why;
	} rows[] = {
		{0, AUDITSIG_MALFORMED, AUDITSIG_IN_FILE, "malformed checkpoint: garbage"},
		{3, AUDITSIG_MISMATCH, AUDITSIG_IN_FILE, "checkpoint seq 3: hash mismatch"},
		{5, AUDITSIG_GOOD, AUDITSIG_IN_CHAIN | AUDITSIG_IN_FILE, ""},
		{8, AUDITSIG_SIGNATURE, AUDITSIG_IN_FILE, "checkpoint seq 8: signature bad: forged"},
		{9, AUDITSIG_GOOD, AUDITSIG_IN_FILE, ""},
		{14, AUDITSIG_NOT_IN_CHAIN, AUDITSIG_IN_FILE,
		 "checkpoint seq 14 not in the chain (records deleted?): the chain ends at record 12"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct auditsig_checkpoint got;
		const struct auditsig_entry *e = auditsig_check_entry(c, i, &got);
		char row[32];
		snprintf(row, sizeof row, "entry %zu", i);
		assert_int_eq_msg(row, e->seq, rows[i].seq);
		assert_int_eq_msg(row, e->outcome, rows[i].want);
		assert_int_eq_msg(row, e->sources, rows[i].sources);
		if (strncmp(e->why, rows[i].why, strlen(rows[i].why)) != 0)
			fail_msg("%s: got why \"%s\", want \"%s\"", row, e->why, rows[i].why);
	}
	const struct auditsig_entry *merged = auditsig_check_entry(c, 2, NULL);
	assert_int_eq_msg("merged chain record", merged->chain_seq, 6);
	assert_int_eq_msg("merged file line", merged->file_line, 1);
	assert_null(auditsig_check_entry(c, 6, NULL));
	auditsig_check_free(c);
}

static void test_check_unsigned_and_gaps(void **state)
{
	(void)state;
	struct fake_chain fc;
	fake_init(&fc);
	struct auditsig_check *c = auditsig_check_new();
	struct auditsig_checkpoint a = cp_of(4, fc.hash[4]), b = cp_of(7, fc.hash[7]);
	auditsig_check_add(c, &a, AUDITSIG_IN_CHAIN, 5, NULL);
	auditsig_check_add(c, &b, AUDITSIG_IN_FILE, 1, NULL);
	auditsig_check_count(c);
	auditsig_check_set_sig(c, 1, REGSIG_EXPIRED, "");	/* good: predates expiry */
	/* no signature status for a: it must not count as good */
	for (int i = 1; i <= 9; i++) {
		if (i == 7)
			continue;	/* record 7 deleted from the middle */
		struct audit_record r = {.seq = i, .event = "hold", .hash = fc.hash[i]};
		auditsig_check_row(c, &r);
	}
	int64_t anchored, after;
	assert_int_eq_msg("bad", auditsig_check_finish(c, &anchored, &after), 2);
	assert_int_eq_msg("anchored", anchored, 0);
	assert_int_eq_msg("after", after, 8);
	const struct auditsig_entry *e = auditsig_check_entry(c, 0, NULL);
	assert_str_eq_msg("unsigned", e->why, "checkpoint seq 4: signature not checked");
	e = auditsig_check_entry(c, 1, NULL);
	assert_str_eq_msg("gap", e->why,
			  "checkpoint seq 7 not in the chain (records deleted?): a gap before "
			  "record 8");
	auditsig_check_free(c);
	/* nothing at all */
	c = auditsig_check_new();
	assert_int_eq_msg("empty count", auditsig_check_count(c), 0);
	assert_int_eq_msg("empty bad", auditsig_check_finish(c, &anchored, &after), 0);
	auditsig_check_free(c);
}

/* A checkpoint to sign: record 12 of some chain. */
static struct auditsig_checkpoint to_sign(void)
{
	struct auditsig_checkpoint cp = {.seq = 12, .at = 1741953600};
	snprintf(cp.hash, sizeof cp.hash, "%s", HASH_A);
	auditsig_set_host(&cp, "test");
	return cp;
}

static void test_sign_verify(void **state)
{
	(void)state;
	char err[512];
	struct auditsig_signer *s = auditsig_signer_open(home, fpr[K_GOOD], err, sizeof err);
	if (s == NULL)
		fail_msg("signer_open(good key): got NULL (%s), want a signer", err);
	assert_str_eq_msg("signer key", auditsig_signer_key(s), fpr[K_GOOD]);
	struct auditsig_checkpoint cp = to_sign();
	if (auditsig_sign(s, &cp, err, sizeof err) != 0)
		fail_msg("sign: %s", err);
	assert_str_eq_msg("key in checkpoint", cp.key, fpr[K_GOOD]);
	const char *good[] = {fpr[K_GOOD]}, *other[] = {fpr[K_OTHER]};
	const char *both[] = {fpr[K_OTHER], fpr[K_GOOD]};
	struct auditsig_checkpoint altered = cp, garbage = cp, empty = cp;
	altered.seq = 13;
	snprintf(garbage.sig, sizeof garbage.sig, "bm90IGEgc2lnbmF0dXJl");
	empty.sig[0] = '\0';
	static const char *const names[] = {"good", "rotated keys", "wrong key", "altered text",
					    "garbage signature", "no signature", "no home"};
	struct {
		const struct auditsig_checkpoint *cp;
		const char *const *keys;
		size_t nkeys;
		const char *home;
		enum regsig_status want;
	} rows[] = {
		{&cp, good, 1, pub, REGSIG_OK},
		{&cp, both, 2, pub, REGSIG_OK},
		{&cp, other, 1, pub, REGSIG_UNKNOWN_SIGNER},
		{&altered, good, 1, pub, REGSIG_BAD},
		{&garbage, good, 1, pub, REGSIG_BAD},
		{&empty, good, 1, pub, REGSIG_BAD},
		{&cp, good, 1, "/nonexistent/gnupg", REGSIG_ERROR},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		err[0] = '\0';
		enum regsig_status st = auditsig_verify(rows[i].cp, rows[i].home, rows[i].keys,
							rows[i].nkeys, err, sizeof err);
		if (st != rows[i].want)
			fail_msg("%s: got %s (%s), want %s", names[i], regsig_status_name(st), err,
				 regsig_status_name(rows[i].want));
	}
	auditsig_verify(&cp, pub, other, 1, err, sizeof err);
	if (strstr(err, "not a trusted audit key") == NULL)
		fail_msg("wrong key: got \"%s\", want \"... not a trusted audit key\"", err);
	auditsig_signer_free(s);
}

static void test_signer_refusals(void **state)
{
	(void)state;
	static const struct { const char *name; int key; const char *fpr, *home, *want; } rows[] = {
		{"expired key", K_EXPIRED, NULL, NULL, "the key has expired"},
		{"passphrase-protected key", K_PASS, NULL, NULL, "cannot sign"},
		{"key not in the home", -1, "0000000000000000000000000000000000000000", NULL,
		 "no secret key"},
		{"not a fingerprint", -1, "not-a-key", NULL, "is not a fingerprint"},
		{"public key only", K_GOOD, NULL, "pub", "no secret key"},
		{"no such home", K_GOOD, NULL, "/nonexistent/gnupg", "GnuPG home"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char err[512] = "";
		const char *f = rows[i].key >= 0 ? fpr[rows[i].key] : rows[i].fpr;
		const char *h = rows[i].home == NULL ? home
				: strcmp(rows[i].home, "pub") == 0 ? pub : rows[i].home;
		struct auditsig_signer *s = auditsig_signer_open(h, f, err, sizeof err);
		if (s != NULL)
			fail_msg("%s: got a signer, want refused", rows[i].name);
		if (strstr(err, rows[i].want) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", rows[i].name, err, rows[i].want);
	}
}

/* An old signature by the expired key (made when it was valid) stays good. */
static void test_expired_key_old_signature(void **state)
{
	(void)state;
	struct auditsig_checkpoint cp = to_sign();
	snprintf(cp.key, sizeof cp.key, "%s", fpr[K_EXPIRED]);
	char *text = auditsig_text(&cp), path[256], cmd[1024];
	snprintf(path, sizeof path, "%s/old.txt", gdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	fixture_run("gpg --homedir %s --batch --faked-system-time 20200101T010000 --pinentry-mode loopback"
	    " --passphrase '' -u %s --detach-sign -o %s.sig %s 2>/dev/null", home, fpr[K_EXPIRED],
	    path, path);
	snprintf(cmd, sizeof cmd, "base64 -w0 %s.sig", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(cp.sig, sizeof cp.sig, p) == NULL)
		fail_msg("no base64 of the old signature");
	pclose(p);
	const char *keys[] = {fpr[K_EXPIRED]};
	char err[512];
	enum regsig_status st = auditsig_verify(&cp, pub, keys, 1, err, sizeof err);
	if (st != REGSIG_EXPIRED)
		fail_msg("old signature by expired key: got %s (%s), want expired",
			 regsig_status_name(st), err);
}

/* Count the lines of a file. */
static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, ch;
	while (f != NULL && (ch = getc(f)) != EOF)
		n += ch == '\n';
	if (f != NULL)
		fclose(f);
	return n;
}

/* scan callback: collect the checkpoint records' details. */
static int collect_cb(void *arg, const struct audit_record *r)
{
	int *n = arg;
	struct auditsig_checkpoint cp;
	char why[128], err[256];
	if (strcmp(r->event, AUDITSIG_EVENT) != 0)
		return 0;
	if (auditsig_parse_details(r->details, &cp, why, sizeof why) != 0)
		fail_msg("checkpoint record %lld: %s", (long long)r->seq, why);
	const char *keys[] = {fpr[K_GOOD]};
	if (auditsig_verify(&cp, pub, keys, 1, err, sizeof err) != REGSIG_OK)
		fail_msg("checkpoint record %lld: signature: %s", (long long)r->seq, err);
	if (cp.seq != r->seq - 1)
		fail_msg("checkpoint record %lld: got seq %lld, want the record before it",
			 (long long)r->seq, (long long)cp.seq);
	(*n)++;
	return 0;
}

/* Append one daemon record. */
static void put(struct store *st, const char *event)
{
	char err[256];
	struct store_audit a = {.event = event};
	if (store_audit_put(st, &a, err, sizeof err) != 0)
		fail_msg("store_audit_put: %s", err);
}

static void test_checkpointer(void **state)
{
	(void)state;
	char db[128], file[160], err[512];
	snprintf(db, sizeof db, "%s/cp.db", dir);
	snprintf(file, sizeof file, "%s/cp.db.checkpoints", dir);
	struct store *st = fixture_store_open(db, err, sizeof err);
	if (st == NULL)
		fail_msg("store_open: %s", err);
	struct checkpointer_setup in = {.store = st, .file = file, .host = "unit", .interval = 0};
	in.signer = auditsig_signer_open(home, fpr[K_GOOD], err, sizeof err);
	assert_non_null(in.signer);
	/* a new store's chain holds its "init" record (seq 1): the start
	 * anchors it */
	struct checkpointer *c = checkpointer_start(&in, err, sizeof err);
	if (c == NULL)
		fail_msg("checkpointer_start: %s", err);
	assert_int_eq_msg("lines after start on a new store", count_lines(file), 1);
	assert_int_eq_msg("now, head is the checkpoint", checkpointer_now(c, err, sizeof err), 1);
	put(st, "start");
	put(st, "hold");
	assert_int_eq_msg("now after two records", checkpointer_now(c, err, sizeof err), 0);
	assert_int_eq_msg("now again, head unchanged", checkpointer_now(c, err, sizeof err), 1);
	put(st, "stop");
	checkpointer_stop(c);
	assert_int_eq_msg("lines after stop", count_lines(file), 3);
	int n = 0;
	assert_int_equal(store_audit_scan(st, INT64_MIN, collect_cb, &n), 0);
	assert_int_eq_msg("checkpoint records", n, 3);
	/* the file names the same checkpoints */
	FILE *f = fopen(file, "r");
	char line[AUDITSIG_LINE_MAX + 2], why[128];
	int64_t want_seq[] = {1, 4, 6};
	for (int i = 0; i < 3 && fgets(line, sizeof line, f) != NULL; i++) {
		struct auditsig_checkpoint cp;
		if (auditsig_parse_line(line, strlen(line), &cp, why, sizeof why) != 0)
			fail_msg("file line %d: %s", i + 1, why);
		assert_int_eq_msg("file seq", cp.seq, want_seq[i]);
		assert_str_eq_msg("file host", cp.host, "unit");
	}
	fclose(f);
	/* a file that cannot be opened fails the start (and frees the signer) */
	in.signer = auditsig_signer_open(home, fpr[K_GOOD], err, sizeof err);
	in.file = "/nonexistent/dir/checkpoints";
	assert_null(checkpointer_start(&in, err, sizeof err));
	if (strstr(err, "AuditCheckpointFile /nonexistent/dir/checkpoints") == NULL)
		fail_msg("bad file: got \"%s\", want AuditCheckpointFile named", err);
	store_close(st);
}

/* Two relays on one store (a PostgreSQL store shared by two daemons; on
 * SQLite two connections to the file stand for them): the chain is one,
 * so its checkpoints are the lease holder's, at start and stop too.  a
 * starts (takes the lease, anchors the head); b starts while a holds it
 * and writes nothing; a stops (its last checkpoint, the lease given up);
 * b's stop then writes the next one, continuing from the chain's head. */
static void test_checkpointer_two_relays(void **state)
{
	(void)state;
	char db[512], fa[160], fb[160], err[512];
	fixture_database(db, sizeof db, dir, "cp2.db");
	snprintf(fa, sizeof fa, "%s/cp2-a.checkpoints", dir);
	snprintf(fb, sizeof fb, "%s/cp2-b.checkpoints", dir);
	struct store *sa = fixture_store_open(db, err, sizeof err);
	struct store *sb = sa != NULL ? store_open(db, err, sizeof err) : NULL;
	if (sb == NULL)
		fail_msg("store_open: %s", err);
	assert_int_equal(store_relay_set(sa, "relay-a"), 0);
	assert_int_equal(store_relay_set(sb, "relay-b"), 0);
	struct checkpointer_setup ia = {.store = sa, .file = fa, .host = "relay-a"};
	struct checkpointer_setup ib = {.store = sb, .file = fb, .host = "relay-b"};
	ia.signer = auditsig_signer_open(home, fpr[K_GOOD], err, sizeof err);
	ib.signer = auditsig_signer_open(home, fpr[K_GOOD], err, sizeof err);
	assert_non_null(ia.signer);
	assert_non_null(ib.signer);
	struct checkpointer *a = checkpointer_start(&ia, err, sizeof err);
	if (a == NULL)
		fail_msg("checkpointer_start a: %s", err);
	assert_int_eq_msg("a anchors the head at its start", count_lines(fa), 1);
	put(sb, "start");
	struct checkpointer *b = checkpointer_start(&ib, err, sizeof err);
	if (b == NULL)
		fail_msg("checkpointer_start b: %s", err);
	assert_int_eq_msg("b, starting while a holds the lease, writes nothing", count_lines(fb),
			  0);
	put(sa, "hold");
	checkpointer_stop(a);
	assert_int_eq_msg("a's last checkpoint at its stop", count_lines(fa), 2);
	put(sb, "hold");
	checkpointer_stop(b);
	assert_int_eq_msg("b continues once a gave the lease up", count_lines(fb), 1);
	int n = 0;
	assert_int_equal(store_audit_scan(sa, INT64_MIN, collect_cb, &n), 0);
	assert_int_eq_msg("checkpoint records in the one chain", n, 3);
	struct store_audit_check c;
	assert_int_eq_msg("the chain", store_audit_verify(sa, &c, err, sizeof err), 0);
	store_close(sb);
	store_close(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_round_trips),
		cmocka_unit_test(test_set_host),
		cmocka_unit_test(test_parse_line_hostile),
		cmocka_unit_test(test_parse_details_hostile),
		cmocka_unit_test(test_check_outcomes),
		cmocka_unit_test(test_check_unsigned_and_gaps),
		cmocka_unit_test(test_sign_verify),
		cmocka_unit_test(test_signer_refusals),
		cmocka_unit_test(test_expired_key_old_signature),
		cmocka_unit_test(test_checkpointer),
		cmocka_unit_test(test_checkpointer_two_relays),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
