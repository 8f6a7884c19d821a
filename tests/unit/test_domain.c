/*
 * test_domain.c - canonical domains and addresses: case, trailing dot,
 * IDNA (U-labels to A-labels, also upper-case and decomposed input), the
 * host-name rules, angle brackets, and what must be refused.
 */
#include "testutil.h"

#include "grondslag/base/domain.h"

struct dom_row {
	const char *name;
	const char *in;
	const char *want;	/* NULL: refused */
};

static const struct dom_row dom_rows[] = {
	{"plain", "cert.be", "cert.be"},
	{"upper case", "CERT.BE", "cert.be"},
	{"trailing dot", "cert.be.", "cert.be"},
	{"upper and dot", "Cert.Be.", "cert.be"},
	{"deep", "a.b.c.cert.be", "a.b.c.cert.be"},
	{"digits and hyphen", "z-cert.nl", "z-cert.nl"},
	{"IDN U-label", "m\xc3\xbcller.de", "xn--mller-kva.de"},
	{"IDN upper case", "M\xc3\x9cLLER.DE", "xn--mller-kva.de"},
	{"IDN decomposed (NFC)", "mu\xcc\x88ller.de", "xn--mller-kva.de"},
	{"IDN trailing dot", "m\xc3\xbcller.de.", "xn--mller-kva.de"},
	{"A-label kept", "xn--mller-kva.de", "xn--mller-kva.de"},
	{"A-label upper", "XN--MLLER-KVA.DE", "xn--mller-kva.de"},
	{"single label", "localhost", NULL},
	{"empty", "", NULL},
	{"only dot", ".", NULL},
	{"two trailing dots", "cert.be..", NULL},
	{"empty label", "cert..be", NULL},
	{"leading dot", ".cert.be", NULL},
	{"leading hyphen", "-cert.be", NULL},
	{"trailing hyphen", "cert-.be", NULL},
	{"underscore", "c_ert.be", NULL},
	{"space", "cert .be", NULL},
	{"wildcard is not a domain", "*.cert.be", NULL},
	{"label of 64", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.be", NULL},
	{"label of 63", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.be",
	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.be"},
	{"bad UTF-8", "m\xff" "ller.de", NULL},
};

static void test_domain_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(dom_rows); i++) {
		const struct dom_row *r = &dom_rows[i];
		char out[DOMAIN_TEXT_MAX];
		bool ok = domain_normalize(r->in, out, sizeof out);
		if (r->want == NULL) {
			if (ok)
				fail_msg("%s: got \"%s\", want refused", r->name, out);
			continue;
		}
		if (!ok)
			fail_msg("%s: got refused, want \"%s\"", r->name, r->want);
		assert_str_eq_msg(r->name, out, r->want);
	}
}

static const struct dom_row addr_rows[] = {
	{"plain", "cert@cert.be", "cert@cert.be"},
	{"upper case both", "CERT@CERT.BE", "cert@cert.be"},
	{"angle brackets", "<Cert@Cert.Be.>", "cert@cert.be"},
	{"plus and dots kept", "First.Last+tag@cert.be", "first.last+tag@cert.be"},
	{"IDN domain", "info@m\xc3\xbcller.de", "info@xn--mller-kva.de"},
	{"last @ splits", "\"a@b\"@cert.be", "\"a@b\"@cert.be"},
	{"no at", "cert.be", NULL},
	{"empty local", "@cert.be", NULL},
	{"empty domain", "cert@", NULL},
	{"space in local", "a b@cert.be", NULL},
	{"control in local", "a\tb@cert.be", NULL},
	{"bad domain", "a@cert..be", NULL},
	{"single-label domain", "root@localhost", NULL},
	{"null sender", "<>", NULL},
	{"local of 65", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.be", NULL},
};

static void test_address_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(addr_rows); i++) {
		const struct dom_row *r = &addr_rows[i];
		char out[ADDRESS_TEXT_MAX];
		const char *dom = NULL;
		bool ok = domain_address_normalize(r->in, out, sizeof out, &dom);
		if (r->want == NULL) {
			if (ok)
				fail_msg("%s: got \"%s\", want refused", r->name, out);
			continue;
		}
		if (!ok)
			fail_msg("%s: got refused, want \"%s\"", r->name, r->want);
		assert_str_eq_msg(r->name, out, r->want);
		assert_str_eq_msg(r->name, dom, strrchr(r->want, '@') + 1);
	}
}

static void test_parent_and_limits(void **state)
{
	(void)state;
	assert_str_eq_msg("parent", domain_parent("a.b.cert.be"), "b.cert.be");
	assert_str_eq_msg("parent of 2 labels", domain_parent("cert.be"), "be");
	assert_null(domain_parent("be"));
	char out[DOMAIN_TEXT_MAX];
	assert_false(domain_normalize(NULL, out, sizeof out));
	assert_false(domain_address_normalize(NULL, out, sizeof out, NULL));
	/* too small an output buffer is a refusal, never an overflow */
	char tiny[4];
	assert_false(domain_normalize("cert.be", tiny, sizeof tiny));
	assert_false(domain_address_normalize("cert@cert.be", tiny, sizeof tiny, NULL));
	/* 254 octets is over the limit; very long input is refused early */
	char longname[2100];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	for (size_t i = 60; i < sizeof longname - 1; i += 61)
		longname[i] = '.';
	assert_false(domain_normalize(longname, out, sizeof out));
	assert_false(domain_address_normalize(longname, out, sizeof out, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_table),
		cmocka_unit_test(test_address_table),
		cmocka_unit_test(test_parent_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
