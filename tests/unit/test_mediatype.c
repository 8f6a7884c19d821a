/*
 * test_mediatype.c - what a file name or a declared type says: the table
 * of extensions (kind and media type), the types that are text, the
 * line-folded types.
 */
#include "testutil.h"

#include "grondslag/scan/mediatype.h"

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum mediatype_name kind;
		const char *type;
	} rows[] = {
		{"list.CSV", MEDIATYPE_NAME_TEXT, "text/csv"},
		{"a/b/report.json", MEDIATYPE_NAME_TEXT, "application/json"},
		{"iocs.yml", MEDIATYPE_NAME_TEXT, "application/x-yaml"},
		{"page.htm", MEDIATYPE_NAME_HTML, "text/html"},
		{"fwd.eml", MEDIATYPE_NAME_MESSAGE, "message/rfc822"},
		{"x.docx", MEDIATYPE_NAME_UNKNOWN,
		 "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"noext", MEDIATYPE_NAME_UNKNOWN, "application/octet-stream"},
		{"dir.csv/file", MEDIATYPE_NAME_UNKNOWN, "application/octet-stream"},
		{NULL, MEDIATYPE_NAME_UNKNOWN, "application/octet-stream"},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const char *row = rows[i].name ? rows[i].name : "(null)";
		assert_int_eq_msg(row, mediatype_name_kind(rows[i].name), rows[i].kind);
		assert_str_eq_msg(row, mediatype_for_name(rows[i].name), rows[i].type);
	}
	static const struct {
		const char *type;
		bool text;
	} types[] = {
		{"text/plain", true}, {"application/json", true}, {"application/stix+json", true},
		{"application/atom+xml", true}, {"message/delivery-status", true},
		{"application/csv", true}, {"application/octet-stream", false}, {"image/png", false},
		{"application/pdf", false}, {NULL, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(types); i++)
		assert_int_eq_msg(types[i].type ? types[i].type : "(null)",
				  mediatype_is_text(types[i].type), types[i].text);
}

/* iCalendar and vCard types are line-folded; other types are not. */
static void test_folds(void **state)
{
	(void)state;
	assert_true(mediatype_folds("text/calendar"));
	assert_true(mediatype_folds("TEXT/VCARD"));
	assert_true(mediatype_folds("text/x-vcard"));
	assert_true(mediatype_folds("application/ics"));
	assert_false(mediatype_folds("text/plain"));
	assert_false(mediatype_folds(NULL));
	assert_str_eq_msg("ics", mediatype_for_name("invite.ics"), "text/calendar");
	assert_str_eq_msg("vcf", mediatype_for_name("card.vcf"), "text/vcard");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_folds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
