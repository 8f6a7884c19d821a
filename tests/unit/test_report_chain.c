/*
 * test_report_chain.c - the statement of the audit chain on a report:
 * what it says for each state of the chain (verified, broken, unread,
 * checkpoints bad or missing, the last checkpoint's signature good, bad
 * or unchecked), in English and in Dutch (report_chain_write); and where
 * the writers put it, on a real report of a store made here: a report
 * written with the statement is byte for byte the report written without
 * it (as the daemon writes it for the control socket) with the statement
 * written at the place the writer recorded, in every format.  Whole
 * reports with the statement are golden-tested in tests/golden/t-report.sh.
 */
#include "testutil.h"

#include <unistd.h>

#include "grondslag/report/report.h"
#include "grondslag/store/store.h"

#define HEAD "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* The states of the chain the rows use. */
static struct report_chain chain_ok(void)
{
	struct report_chain c = {.verified = true, .read = true, .chain_intact = true,
				 .records = 42, .head = HEAD};
	return c;
}

static struct report_chain chain_state(int which)
{
	struct report_chain c = chain_ok();
	switch (which) {
	case 1:	/* broken */
		c.verified = false;
		c.chain_intact = false;
		c.first_bad_seq = 7;
		snprintf(c.why, sizeof c.why, "record 7 was altered");
		break;
	case 2:	/* unread */
		c = (struct report_chain){0};
		snprintf(c.why, sizeof c.why, "through the control socket");
		break;
	case 3:	/* a checkpoint does not hold; the last one's signature bad */
		c.verified = false;
		c.has_key = true;
		c.checkpoints = 3;
		c.bad_checkpoints = 1;
		c.has_last = true;
		c.last_at = 1788220800;	/* 2026-09-01 */
		c.last_seq = 40;
		c.last_sig = REPORT_SIG_BAD;
		break;
	case 4:	/* a key, but no checkpoint at all */
		c.verified = false;
		c.has_key = true;
		c.checkpoints_missing = true;
		break;
	case 5:	/* good, signed and verified */
		c.has_key = true;
		c.checkpoints = 2;
		c.has_last = true;
		c.last_at = 1788220800;
		c.last_seq = 41;
		c.last_sig = REPORT_SIG_VERIFIED;
		break;
	case 6:	/* checkpoints without a key to check them */
		c.checkpoints = 1;
		c.has_last = true;
		c.last_at = 1788220800;
		c.last_seq = 41;
		c.last_sig = REPORT_SIG_UNCHECKED;
		break;
	}
	return c;
}

/* The statement of state which in format f (nl: Dutch HTML); rc
 * returned, the text (malloc'ed) in *res. */
static int statement(enum report_format f, bool nl, int which, char **res)
{
	struct report_chain c = chain_state(which);
	size_t len = 0;
	*res = NULL;
	FILE *mem = open_memstream(res, &len);
	assert_non_null(mem);
	int rc = report_chain_write(&c, f, nl, mem);
	fclose(mem);
	return rc;
}

static void test_statements(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool nl;
		enum report_format f;
		int which;
		const char *want[4];	/* substrings, in this order */
		const char *not_want;
	} rows[] = {
		{"text ok", false, REPORT_TEXT, 0,
		 {"\nAudit chain\n-----------\n  Status           verified by this reader",
		  "  Records          42\n  Head             0123456789ab\n",
		  "  Last checkpoint  none (no AuditSigningKey", "anchored)\n"},
		 "!!!"},
		{"text broken", false, REPORT_TEXT, 1,
		 {"  !!! The record may have been altered",
		  "NOT VERIFIED: the chain is BROKEN at record 7: record 7 was altered"},
		 "verified by this reader"},
		{"text unread", false, REPORT_TEXT, 2,
		 {"NOT VERIFIED: the audit records could not be read: through the control socket"},
		 "verified by this reader"},
		{"text bad checkpoint", false, REPORT_TEXT, 3,
		 {"NOT VERIFIED: 1 of 3 signed checkpoints do not hold",
		  "2026-09-01T00:00:00Z (record 40), signature NOT valid"},
		 NULL},
		{"text checkpoints missing", false, REPORT_TEXT, 4,
		 {"NOT VERIFIED: the signed checkpoints are missing",
		  "NONE although AuditSigningKey is set"},
		 NULL},
		{"text signed", false, REPORT_TEXT, 5,
		 {"verified by this reader", "2026-09-01T00:00:00Z (record 41), signature verified"},
		 "!!!"},
		{"text unchecked", false, REPORT_TEXT, 6,
		 {"(record 41), signature not checked (no AuditSigningKey)"}, NULL},
		{"text is English in any report", true, REPORT_TEXT, 1, {"NOT VERIFIED"}, "NIET"},
		{"json ok", false, REPORT_JSON, 5,
		 {",\n  \"audit_chain\": {\n    \"verified\": true,",
		  "    \"head\": \"0123456789ab\",", "\"signature\": \"verified\"", "\n  }"},
		 NULL},
		{"json broken", false, REPORT_JSON, 1,
		 {"\"verified\": false", "\"chain_intact\": false", "\"first_bad_seq\": 7",
		  "\"last_checkpoint\": null"},
		 NULL},
		{"csv broken", false, REPORT_CSV, 1,
		 {"audit_chain,,,,,,,verified,NO\n", "audit_chain,,,,,,,first_bad_seq,7\n"},
		 NULL},
		{"html en ok", false, REPORT_HTML, 0,
		 {"<p class=\"meta chain\"><b>Audit chain:</b> verified",
		  "Head <b>0123456789ab</b>", "</b></p>\n"},
		 "alarm"},
		{"html nl broken", true, REPORT_HTML, 1,
		 {"<p class=\"alarm\">Het register kan zijn gewijzigd",
		  "<p class=\"meta chain bad\"><b>Auditketen:</b> NIET GEVERIFIEERD: de keten is"
		  " GEBROKEN bij record 7",
		  "Kop <b>0123456789ab</b>"},
		 "Audit chain"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char *res = NULL;
		int rc = statement(rows[i].f, rows[i].nl, rows[i].which, &res);
		assert_int_eq_msg(rows[i].name, rc, 0);
		const char *at = res;
		for (size_t k = 0; k < 4 && rows[i].want[k] != NULL; k++) {
			const char *hit = strstr(at, rows[i].want[k]);
			if (hit == NULL)
				fail_msg("%s: want \"%s\" (in order) in:\n%s", rows[i].name,
					 rows[i].want[k], res);
			at = hit + strlen(rows[i].want[k]);
		}
		if (rows[i].not_want != NULL && strstr(res, rows[i].not_want) != NULL)
			fail_msg("%s: \"%s\" must not be in:\n%s", rows[i].name, rows[i].not_want,
				 res);
		free(res);
	}
}

/* A report of r in format f, with the statement of c (NULL: none, the
 * place into *at); malloc'ed. */
static char *written(struct report *r, enum report_format f, const struct report_chain *c,
		     long *at)
{
	char *doc = NULL;
	size_t len = 0;
	assert_int_equal(report_set_chain(r, c), 0);
	FILE *mem = open_memstream(&doc, &len);
	assert_non_null(mem);
	assert_int_equal(report_write(r, f, mem), 0);
	fclose(mem);
	if (at != NULL)
		*at = report_chain_place(r);
	return doc;
}

/* Where the writers put it: the daemon's report (no statement, its
 * place recorded) with the reader's statement written there is the
 * report written with it, in every format and language; a report
 * written with the statement records no place. */
static void test_place(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_rchainXXXXXX", path[64], err[512];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/s.db", dir);
	assert_int_equal(store_init(path, NULL, err, sizeof err), 0);
	static const struct {
		const char *name;
		enum report_format f;
		const char *lang;
		const char *head;	/* what comes before the statement */
	} rows[] = {
		{"text", REPORT_TEXT, NULL, "  Registry "},
		{"csv", REPORT_CSV, NULL, "section,"},
		{"json", REPORT_JSON, NULL, "\"register\""},
		{"html", REPORT_HTML, NULL, "<header>"},
		{"html nl", REPORT_HTML, "nl", "<html lang=\"nl\">"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		struct report_options o = {.since = 1788220800, .until = 1788220800 + 86400 * 7,
					   .now = 1788220800 + 86400 * 7, .top = 10,
					   .repeat_sender = 2, .repeat_party = 2,
					   .lang = rows[i].lang};
		struct report *r = report_build(path, &o, err, sizeof err);
		if (r == NULL)
			fail_msg("%s: %s", rows[i].name, err);
		for (int which = 0; which < 2; which++) {
			struct report_chain c = chain_state(which);
			long at = -2;
			char *with = written(r, rows[i].f, &c, &at);
			assert_int_eq_msg(rows[i].name, at, -1);
			char *without = written(r, rows[i].f, NULL, &at);
			if (at < 0 || (size_t)at > strlen(without))
				fail_msg("%s: no place recorded (%ld)", rows[i].name, at);
			char *piece = NULL;
			assert_int_equal(statement(rows[i].f, rows[i].lang != NULL, which, &piece), 0);
			char *spliced = NULL;
			size_t n = 0;
			FILE *mem = open_memstream(&spliced, &n);
			fwrite(without, 1, (size_t)at, mem);
			fputs(piece, mem);
			fputs(without + at, mem);
			fclose(mem);
			assert_str_eq_msg(rows[i].name, spliced, with);
			/* the statement after the head, and not in the daemon's */
			const char *h = strstr(with, rows[i].head), *p = strstr(with, piece);
			assert_true(h != NULL && p != NULL && h < p);
			assert_null(strstr(without, "udit"));
			free(with);
			free(without);
			free(piece);
			free(spliced);
		}
		report_free(r);
	}
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
