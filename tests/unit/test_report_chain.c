/*
 * test_report_chain.c - the statement of the audit chain set into a
 * written report (report_chain_insert): where it goes in each format,
 * what it says for each state of the chain (verified, broken, unread,
 * checkpoints bad or missing, the last checkpoint's signature good, bad
 * or unchecked), in English and in Dutch, and the documents that have no
 * place for it (refused, never written half).  Whole reports with the
 * statement are golden-tested in tests/golden/t-report.sh.
 */
#include "testutil.h"

#include "grondslag/report/report.h"

#define HEAD "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char text_doc[] = "grondslag report\n\n  Period   x\n\nSummary\n-------\n  y\n";
static const char json_doc[] = "{\n  \"report\": \"grondslag\"\n}\n";
static const char csv_doc[] = "section,metric,value\nmeta,since,2026-01-01\n";
static const char html_en[] = "<!DOCTYPE html>\n<html lang=\"en\"><body><header><h1>r</h1>\n"
			      "</header>\n<div class=\"cards\"></div></body></html>\n";
static const char html_nl[] = "<!DOCTYPE html>\n<html lang=\"nl\"><body><header><h1>r</h1>\n"
			      "</header>\n<div class=\"cards\"></div></body></html>\n";

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

/* doc with the statement of state which in format f; rc returned, the
 * result (malloc'ed) in *res. */
static int insert(const char *doc, enum report_format f, int which, char **res)
{
	struct report_chain c = chain_state(which);
	size_t len = 0;
	*res = NULL;
	FILE *mem = open_memstream(res, &len);
	assert_non_null(mem);
	int rc = report_chain_insert(doc, strlen(doc), f, &c, mem);
	fclose(mem);
	return rc;
}

static void test_statements(void **state)
{
	(void)state;
	static const struct {
		const char *name, *doc;
		enum report_format f;
		int which;
		const char *want[4];	/* substrings, in this order */
		const char *not_want;
	} rows[] = {
		{"text ok", text_doc, REPORT_TEXT, 0,
		 {"  Period   x\n\nAudit chain\n-----------\n  Status           verified by this reader",
		  "  Records          42\n  Head             0123456789ab\n",
		  "  Last checkpoint  none (no AuditSigningKey", "\n\nSummary\n"},
		 "!!!"},
		{"text broken", text_doc, REPORT_TEXT, 1,
		 {"  !!! The record may have been altered",
		  "NOT VERIFIED: the chain is BROKEN at record 7: record 7 was altered", "Summary"},
		 "verified by this reader"},
		{"text unread", text_doc, REPORT_TEXT, 2,
		 {"NOT VERIFIED: the audit records could not be read: through the control socket"},
		 "verified by this reader"},
		{"text bad checkpoint", text_doc, REPORT_TEXT, 3,
		 {"NOT VERIFIED: 1 of 3 signed checkpoints do not hold",
		  "2026-09-01T00:00:00Z (record 40), signature NOT valid"},
		 NULL},
		{"text checkpoints missing", text_doc, REPORT_TEXT, 4,
		 {"NOT VERIFIED: the signed checkpoints are missing",
		  "NONE although AuditSigningKey is set"},
		 NULL},
		{"text signed", text_doc, REPORT_TEXT, 5,
		 {"verified by this reader", "2026-09-01T00:00:00Z (record 41), signature verified"},
		 "!!!"},
		{"text unchecked", text_doc, REPORT_TEXT, 6,
		 {"(record 41), signature not checked (no AuditSigningKey)"}, NULL},
		{"json ok", json_doc, REPORT_JSON, 5,
		 {"  \"report\": \"grondslag\",\n  \"audit_chain\": {\n    \"verified\": true,",
		  "    \"head\": \"0123456789ab\",", "\"signature\": \"verified\"", "  }\n}\n"},
		 NULL},
		{"json broken", json_doc, REPORT_JSON, 1,
		 {"\"verified\": false", "\"chain_intact\": false", "\"first_bad_seq\": 7",
		  "\"last_checkpoint\": null"},
		 NULL},
		{"json empty object", "{}\n", REPORT_JSON, 0, {"{\n  \"audit_chain\": {"}, "{,"},
		{"csv broken", csv_doc, REPORT_CSV, 1,
		 {"meta,since,2026-01-01\naudit_chain,,,,,,,verified,NO\n",
		  "audit_chain,,,,,,,first_bad_seq,7\n"},
		 NULL},
		{"html en ok", html_en, REPORT_HTML, 0,
		 {"<h1>r</h1>\n<p class=\"meta chain\"><b>Audit chain:</b> verified",
		  "Head <b>0123456789ab</b>", "</b></p>\n</header>\n<div class=\"cards\">"},
		 "alarm"},
		{"html nl broken", html_nl, REPORT_HTML, 1,
		 {"<p class=\"alarm\">Het register kan zijn gewijzigd",
		  "<p class=\"meta chain bad\"><b>Auditketen:</b> NIET GEVERIFIEERD: de keten is"
		  " GEBROKEN bij record 7",
		  "Kop <b>0123456789ab</b>", "</header>"},
		 "Audit chain"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char *res = NULL;
		int rc = insert(rows[i].doc, rows[i].f, rows[i].which, &res);
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

/* A document with no place for the statement is refused, nothing written. */
static void test_no_place(void **state)
{
	(void)state;
	static const struct {
		const char *name, *doc;
		enum report_format f;
	} rows[] = {
		{"text without a head", "grondslag report\n", REPORT_TEXT},
		{"json not an object", "[1, 2]\n", REPORT_JSON},
		{"json empty", "", REPORT_JSON},
		{"html without header", "<html lang=\"en\"><body></body></html>\n", REPORT_HTML},
		{"csv cut short", "section,metric,value\nmeta,since", REPORT_CSV},
		{"csv empty", "", REPORT_CSV},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char *res = NULL;
		int rc = insert(rows[i].doc, rows[i].f, 0, &res);
		assert_int_eq_msg(rows[i].name, rc, -1);
		assert_int_eq_msg(rows[i].name, strlen(res), 0);
		free(res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_no_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
