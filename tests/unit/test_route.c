/*
 * test_route.c - where an envelope recipient can go (source routes, the
 * percent hack, bang paths, quoted '@', nested and mixed forms), and the
 * text that deletes a recipient at the MTA (the route removed unless the
 * MTA kept it, case and quoting as the client sent them).
 */
#include "testutil.h"

#include "grondslag/decide/route.h"

struct parse_row {
	const char *name;
	const char *in;
	bool routed;
	bool valid;
	const char *targets;	/* "a b c" in travel order, "" when not valid */
};

static const struct parse_row parse_rows[] = {
	{"plain", "<info@jpcert.or.jp>", false, true, "info@jpcert.or.jp"},
	{"no brackets", "cert@cert.be", false, true, "cert@cert.be"},
	{"quoted local, no route", "<\"a b\"@jpcert.or.jp>", false, true, "\"a b\"@jpcert.or.jp"},
	{"plus and dots", "<First.Last+x@cert.be>", false, true, "First.Last+x@cert.be"},
	{"source route", "<@relay.example:info@jpcert.or.jp>", true, true,
	 "info@relay.example info@jpcert.or.jp"},
	{"two-hop source route", "<@a.example,@b.example:user@jpcert.or.jp>", true, true,
	 "user@a.example user@b.example user@jpcert.or.jp"},
	{"percent hack", "<cert%jpcert.or.jp@ncsc.nl>", true, true,
	 "cert%jpcert.or.jp@ncsc.nl cert@jpcert.or.jp"},
	{"several percents, last first", "<u%c.example%b.example@ncsc.nl>", true, true,
	 "u%c.example%b.example@ncsc.nl u@b.example u@c.example"},
	{"bang path", "<jpcert.or.jp!cert@ncsc.nl>", true, true,
	 "jpcert.or.jp!cert@ncsc.nl cert@jpcert.or.jp"},
	{"bang path, first host first", "<a.example!b.example!u@ncsc.nl>", true, true,
	 "a.example!b.example!u@ncsc.nl u@a.example u@b.example"},
	{"quoted at", "<\"cert@jpcert.or.jp\"@ncsc.nl>", true, true,
	 "\"cert@jpcert.or.jp\"@ncsc.nl cert@jpcert.or.jp"},
	{"quoted percent", "<\"cert%jpcert.or.jp\"@ncsc.nl>", true, true,
	 "\"cert%jpcert.or.jp\"@ncsc.nl cert@jpcert.or.jp"},
	{"escaped at", "<cert\\@jpcert.or.jp@ncsc.nl>", true, true,
	 "cert\\@jpcert.or.jp@ncsc.nl cert@jpcert.or.jp"},
	{"bang then percent", "<a.example!u%b.example@ncsc.nl>", true, true,
	 "a.example!u%b.example@ncsc.nl u@b.example u@a.example"},
	{"route and percent", "<@r.example:u%jpcert.or.jp@ncsc.nl>", true, true,
	 "u@r.example u%jpcert.or.jp@ncsc.nl u@jpcert.or.jp"},
	{"upper-case host", "<cert%JPCERT.OR.JP@ncsc.nl>", true, true,
	 "cert%JPCERT.OR.JP@ncsc.nl cert@jpcert.or.jp"},
	{"UUCP single label", "<uunet!cert@ncsc.nl>", true, false, ""},
	{"address literal hop", "<cert%[192.0.2.1]@ncsc.nl>", true, false, ""},
	{"empty percent host", "<cert%@ncsc.nl>", true, false, ""},
	{"empty user", "<%jpcert.or.jp@ncsc.nl>", true, false, ""},
	{"empty bang host", "<!cert@ncsc.nl>", true, false, ""},
	{"route hop without @", "<@a.example,b.example:u@jpcert.or.jp>", true, false, ""},
	{"route without colon", "<@relay.example>", false, false, ""},
	{"no at", "<postmaster>", false, false, ""},
	{"too many hosts", "<u%a1.example%a2.example%a3.example%a4.example%a5.example%a6.example"
			   "%a7.example%a8.example%a9.example%b1.example%b2.example%b3.example"
			   "%b4.example%b5.example%b6.example%b7.example@ncsc.nl>", true, false, ""},
	{"null", NULL, false, false, ""},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(parse_rows); i++) {
		const struct parse_row *r = &parse_rows[i];
		struct route rt;
		bool ok = route_parse(r->in, &rt);
		char got[4096] = "";
		size_t len = 0;
		for (size_t k = 0; ok && k < rt.ntargets; k++)
			len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", k ? " " : "",
						rt.targets[k]);
		if (ok != r->valid || rt.valid != r->valid || rt.routed != r->routed)
			fail_msg("%s: got valid=%d routed=%d, want valid=%d routed=%d", r->name, ok,
				 rt.routed, r->valid, r->routed);
		assert_str_eq_msg(r->name, got, r->targets);
	}
}

struct form_row {
	const char *name;
	const char *given;	/* as the client sent it */
	const char *mta;	/* {rcpt_addr} */
	const char *want;	/* NULL: unknown */
};

static const struct form_row form_rows[] = {
	{"plain", "<info@jpcert.or.jp>", "info@jpcert.or.jp", "<info@jpcert.or.jp>"},
	/* Postfix reports the resolved, lower-cased form; its cleanup matches
	 * the queued original case-sensitively: keep the client's case */
	{"mixed case", "<Info@JPCERT.OR.JP>", "info@jpcert.or.jp", "<Info@JPCERT.OR.JP>"},
	{"route dropped by the MTA", "<@relay.example:info@jpcert.or.jp>", "info@jpcert.or.jp",
	 "<info@jpcert.or.jp>"},
	{"two-hop route dropped", "<@a.example,@b.example:User@jpcert.or.jp>",
	 "user@jpcert.or.jp", "<User@jpcert.or.jp>"},
	{"route kept by the MTA", "<@relay.example:info@jpcert.or.jp>",
	 "<@relay.example:info@jpcert.or.jp>", "<@relay.example:info@jpcert.or.jp>"},
	{"quoted local part", "<\"a b\"@jpcert.or.jp>", "\"a b\"@jpcert.or.jp",
	 "<\"a b\"@jpcert.or.jp>"},
	{"quoted, MTA unquoted", "<\"cert%jpcert.or.jp\"@ncsc.nl>", "cert%jpcert.or.jp@ncsc.nl",
	 "<\"cert%jpcert.or.jp\"@ncsc.nl>"},
	{"percent resolved by the MTA", "<cert%jpcert.or.jp@ncsc.nl>", "cert@jpcert.or.jp",
	 "<cert%jpcert.or.jp@ncsc.nl>"},
	{"no brackets given", "info@jpcert.or.jp", "info@jpcert.or.jp", "<info@jpcert.or.jp>"},
	{"macro missing", "<info@jpcert.or.jp>", NULL, NULL},
	{"macro empty", "<info@jpcert.or.jp>", "", NULL},
	{"nothing given", NULL, "info@jpcert.or.jp", NULL},
	{"empty given", "<>", "info@jpcert.or.jp", NULL},
};

static void test_delete_form_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(form_rows); i++) {
		const struct form_row *r = &form_rows[i];
		char out[ROUTE_TEXT_MAX];
		bool ok = route_delete_form(r->given, r->mta, out, sizeof out);
		assert_str_eq_msg(r->name, ok ? out : NULL, r->want);
	}
	char tiny[8];
	assert_false(route_delete_form("<info@jpcert.or.jp>", "info@jpcert.or.jp", tiny,
				       sizeof tiny));
}

struct key_row {
	const char *name;
	const char *in;
	const char *want;
};

static const struct key_row key_rows[] = {
	{"case folded", "<Info@JPCERT.OR.JP>", "info@jpcert.or.jp"},
	{"quotes removed", "\"A b\"@x.example", "a b@x.example"},
	{"escape removed", "a\\\"b@x.example", "a\"b@x.example"},
	{"route kept", "<@R.example:u@x.example>", "@r.example:u@x.example"},
	{"no at", "<Postmaster>", "postmaster"},
	{"empty", "<>", NULL},
};

static void test_key_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(key_rows); i++) {
		char out[ROUTE_TEXT_MAX];
		bool ok = route_key(key_rows[i].in, out, sizeof out);
		assert_str_eq_msg(key_rows[i].name, ok ? out : NULL, key_rows[i].want);
	}
	char big[ROUTE_TEXT_MAX + 10];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char out[ROUTE_TEXT_MAX];
	assert_false(route_key(big, out, sizeof out));
	struct route rt;
	assert_false(route_parse(big, &rt));
}

/* "<" + a local part of a's + "@jpcert.or.jp" + ">", inner bytes
 * without the <> (static, one at a time). */
static const char *long_rcpt(size_t inner, bool brackets)
{
	static char buf[RCPT_TEXT_MAX + 16];
	static const char dom[] = "@jpcert.or.jp";
	size_t local = inner - (sizeof dom - 1), o = 0;
	if (brackets)
		buf[o++] = '<';
	memset(buf + o, 'a', local);
	o += local;
	memcpy(buf + o, dom, sizeof dom - 1);
	o += sizeof dom - 1;
	if (brackets)
		buf[o++] = '>';
	buf[o] = '\0';
	return buf;
}

/* One length limit, RCPT_TEXT_MAX without the <>, with or without them:
 * a recipient within it has a delete form (a held one is deleted, never
 * answered 451 for good), one past it fits nowhere. */
static void test_length_limit(void **state)
{
	(void)state;
	static const struct {
		size_t inner;
		bool brackets, fits;
	} rows[] = {
		{RCPT_TEXT_MAX - 2, true, true},  {RCPT_TEXT_MAX - 1, true, true},
		{RCPT_TEXT_MAX, true, true},	  {RCPT_TEXT_MAX + 1, true, false},
		{RCPT_TEXT_MAX + 2, true, false}, {RCPT_TEXT_MAX, false, true},
		{RCPT_TEXT_MAX + 1, false, false},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char name[64], mta[RCPT_TEXT_MAX + 16], out[ROUTE_TEXT_MAX];
		snprintf(name, sizeof name, "%zu bytes%s", rows[i].inner,
			 rows[i].brackets ? " in <>" : "");
		snprintf(mta, sizeof mta, "%s", long_rcpt(rows[i].inner, false));
		const char *given = long_rcpt(rows[i].inner, rows[i].brackets);
		assert_int_eq_msg(name, route_fits(given), rows[i].fits);
		bool ok = route_delete_form(given, mta, out, sizeof out);
		assert_int_eq_msg(name, ok, rows[i].fits);
		if (ok && (strlen(out) != rows[i].inner + 2 || out[0] != '<'))
			fail_msg("%s: got delete form of %zu bytes, want %zu", name, strlen(out),
				 rows[i].inner + 2);
		char key[ROUTE_TEXT_MAX];
		assert_int_eq_msg(name, route_key(given, key, sizeof key), rows[i].fits);
	}
	assert_false(route_fits(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_delete_form_table),
		cmocka_unit_test(test_key_table),
		cmocka_unit_test(test_length_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
