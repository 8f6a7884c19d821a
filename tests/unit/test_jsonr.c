/*
 * test_jsonr.c - the bounded JSON reader: valid documents rendered back
 * to a canonical form, every error with its message, offset, line and
 * column, the limits (bytes, depth, values), string unescaping with
 * surrogate pairs and UTF-8 validation, numbers as text, accessors and
 * their NULL safety.
 */
#include "testutil.h"

#include "grondslag/base/jsonr.h"

/* Canonical compact rendering of a value into a bounded buffer. */
struct out {
	char buf[4096];
	size_t n;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->n + n >= sizeof o->buf)
		n = sizeof o->buf - 1 - o->n;
	memcpy(o->buf + o->n, s, n);
	o->n += n;
	o->buf[o->n] = '\0';
}

static void put_str(struct out *o, const char *s, size_t n)
{
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(o, esc, 6);
		} else {
			put(o, (const char *)&c, 1);
		}
	}
	put(o, "\"", 1);
}

/* Tests may recurse: their inputs are small and trusted. */
static void render(struct out *o, const struct jsonr_value *v)
{
	size_t n;
	const char *s;
	switch (jsonr_type(v)) {
	case JSONR_NULL: put(o, "null", 4); break;
	case JSONR_TRUE: put(o, "true", 4); break;
	case JSONR_FALSE: put(o, "false", 5); break;
	case JSONR_NUMBER:
		s = jsonr_strn(v, &n);
		put(o, s, n);
		break;
	case JSONR_STRING:
		s = jsonr_strn(v, &n);
		put_str(o, s, n);
		break;
	case JSONR_ARRAY:
		put(o, "[", 1);
		for (size_t i = 0; i < jsonr_count(v); i++) {
			if (i > 0)
				put(o, ",", 1);
			render(o, jsonr_at(v, i));
		}
		put(o, "]", 1);
		break;
	case JSONR_OBJECT:
		put(o, "{", 1);
		for (size_t i = 0; i < jsonr_count(v); i++) {
			if (i > 0)
				put(o, ",", 1);
			s = jsonr_key(v, i, &n);
			put_str(o, s, n);
			put(o, ":", 1);
			render(o, jsonr_at(v, i));
		}
		put(o, "}", 1);
		break;
	default: put(o, "NONE", 4); break;
	}
}

struct valid_row {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen */
	const char *want;	/* canonical rendering */
};

static const struct valid_row valid_rows[] = {
	{"empty object", "{}", 0, "{}"},
	{"empty array", "[]", 0, "[]"},
	{"spaces everywhere", " \t\r\n[ 1 ,\n2 ] \n", 0, "[1,2]"},
	{"empty containers with space", "{ } ", 0, "{}"},
	{"top-level string", "\"a\"", 0, "\"a\""},
	{"top-level zero", "0", 0, "0"},
	{"minus zero", "-0", 0, "-0"},
	{"exponent", "1.5e+10", 0, "1.5e+10"},
	{"negative fraction", "-12.34E-5", 0, "-12.34E-5"},
	{"huge number kept as text", "123456789012345678901234567890", 0,
	 "123456789012345678901234567890"},
	{"literals", "[true,false,null]", 0, "[true,false,null]"},
	{"nested", "{\"a\":[1,{\"b\":[]},\"c\"],\"d\":{}}", 0, "{\"a\":[1,{\"b\":[]},\"c\"],\"d\":{}}"},
	{"duplicate keys kept", "{\"a\":1,\"a\":2}", 0, "{\"a\":1,\"a\":2}"},
	{"simple escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 0,
	 "\"\\\"\\\\/\\u0008\\u000c\\u000a\\u000d\\u0009\""},
	{"\\u BMP", "\"\\u00e9\\u20AC\"", 0, "\"\xc3\xa9\xe2\x82\xac\""},
	{"\\u surrogate pair", "\"\\uD83D\\uDE00\"", 0, "\"\xf0\x9f\x98\x80\""},
	{"\\u lower-case pair", "\"\\ud83d\\ude00x\"", 0, "\"\xf0\x9f\x98\x80x\""},
	{"raw UTF-8", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", 0,
	 "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""},
	{"max code point", "\"\xf4\x8f\xbf\xbf\"", 0, "\"\xf4\x8f\xbf\xbf\""},
	{"BOM skipped", "\xef\xbb\xbf[1]", 0, "[1]"},
	{"escaped NUL", "\"a\\u0000b\"", 0, "\"a\\u0000b\""},
	{"escaped key", "{\"k\\u00e9y\":1}", 0, "{\"k\xc3\xa9y\":1}"},
	{"DEL allowed raw", "\"\x7f\"", 0, "\"\x7f\""},
};

static void test_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(valid_rows); i++) {
		const struct valid_row *r = &valid_rows[i];
		struct jsonr_error err;
		size_t len = r->len ? r->len : strlen(r->in);
		struct jsonr_doc *d = jsonr_parse(r->in, len, NULL, &err);
		if (d == NULL)
			fail_msg("%s: got error at %zu (%u:%u) \"%s\", want %s", r->name, err.offset,
				 err.line, err.column, err.message, r->want);
		struct out o = {.n = 0};
		o.buf[0] = '\0';
		render(&o, jsonr_root(d));
		assert_str_eq_msg(r->name, o.buf, r->want);
		jsonr_free(d);
	}
}

struct error_row {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen */
	const char *msg;	/* prefix of the message */
	size_t offset;
	unsigned line, column;
};

static const struct error_row error_rows[] = {
	{"empty input", "", 0, "unexpected end of input", 0, 1, 1},
	{"only spaces", "   ", 0, "unexpected end of input", 3, 1, 4},
	{"open object", "{", 0, "unexpected end of input, expected a string key", 1, 1, 2},
	{"open array", "[1,", 0, "unexpected end of input, expected a value", 3, 1, 4},
	{"missing comma", "[1 2]", 0, "unexpected character '2', expected ',' or ']'", 3, 1, 4},
	{"missing colon", "{\"a\" 1}", 0, "unexpected character '1', expected ':'", 5, 1, 6},
	{"trailing comma object", "{\"a\":1,}", 0, "unexpected character '}', expected a string key",
	 7, 1, 8},
	{"trailing comma array", "[1,]", 0, "unexpected character ']', expected a value", 3, 1, 4},
	{"number key", "{1:2}", 0, "unexpected character '1', expected a string key", 1, 1, 2},
	{"wrong close", "[1}", 0, "unexpected character '}', expected ',' or ']'", 2, 1, 3},
	{"wrong close object", "{\"a\":1]", 0, "unexpected character ']', expected ',' or '}'", 6,
	 1, 7},
	{"unterminated string", "\"abc", 0, "unterminated string", 0, 1, 1},
	{"unterminated key", "{\"ab", 0, "unterminated string", 1, 1, 2},
	{"backslash at end", "\"a\\", 0, "unterminated escape", 2, 1, 3},
	{"invalid escape", "\"a\\qb\"", 0, "invalid escape '\\q'", 2, 1, 3},
	{"short \\u", "\"\\u12\"", 0, "invalid \\u escape", 1, 1, 2},
	{"bad hex \\u", "\"\\u12G4\"", 0, "invalid \\u escape", 1, 1, 2},
	{"lone high surrogate", "\"\\uD83D\"", 0, "lone high surrogate \\uD83D", 1, 1, 2},
	{"high then text", "\"\\uD83Dx\"", 0, "lone high surrogate", 1, 1, 2},
	{"high then BMP escape", "\"\\uD83D\\u0041\"", 0, "lone high surrogate", 1, 1, 2},
	{"high then high", "\"\\uD83D\\uD83D\"", 0, "lone high surrogate", 1, 1, 2},
	{"lone low surrogate", "\"x\\uDE00\"", 0, "lone low surrogate \\uDE00", 2, 1, 3},
	{"raw tab in string", "\"a\tb\"", 0, "control character 0x09 in string", 2, 1, 3},
	{"raw newline in string", "\"a\nb\"", 0, "control character 0x0a in string", 2, 1, 3},
	{"raw NUL in string", "\"a\0b\"", 5, "control character 0x00 in string", 2, 1, 3},
	{"invalid UTF-8 byte", "\"\xff\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"overlong slash", "\"\xc0\xaf\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"overlong 3-byte", "\"\xe0\x80\xaf\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"UTF-8 surrogate", "\"\xed\xa0\x80\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"above U+10FFFF", "\"\xf4\x90\x80\x80\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"truncated sequence", "\"\xe2\x82\"", 0, "invalid UTF-8 in string", 1, 1, 2},
	{"lone continuation", "\"a\x80\"", 0, "invalid UTF-8 in string", 2, 1, 3},
	{"leading zero", "01", 0, "bad number: leading zero", 0, 1, 1},
	{"negative leading zero", "[-012]", 0, "bad number: leading zero", 2, 1, 3},
	{"lone minus", "-", 0, "bad number: digit expected", 1, 1, 2},
	{"minus letter", "-a", 0, "bad number: digit expected", 1, 1, 2},
	{"dot without digits", "1.", 0, "bad number: digit expected after '.'", 2, 1, 3},
	{"dot then exponent", "1.e5", 0, "bad number: digit expected after '.'", 2, 1, 3},
	{"empty exponent", "1e", 0, "bad number: digit expected in exponent", 2, 1, 3},
	{"signed empty exponent", "1e+", 0, "bad number: digit expected in exponent", 3, 1, 4},
	{"leading dot", ".5", 0, "unexpected character '.', expected a value", 0, 1, 1},
	{"leading plus", "+1", 0, "unexpected character '+'", 0, 1, 1},
	{"hex number", "0x10", 0, "unexpected character 'x', expected the end of the document", 1,
	 1, 2},
	{"NaN", "NaN", 0, "unexpected character 'N'", 0, 1, 1},
	{"Infinity", "[-Infinity]", 0, "bad number: digit expected", 2, 1, 3},
	{"short literal", "tru", 0, "unexpected character 't', expected a value", 0, 1, 1},
	{"upper-case literal", "True", 0, "unexpected character 'T'", 0, 1, 1},
	{"literal then junk", "nulll", 0, "unexpected character 'l', expected the end", 4, 1, 5},
	{"second document", "[1] [2]", 0, "unexpected character '[', expected the end", 4, 1, 5},
	{"extra close", "{\"a\":1}}", 0, "unexpected character '}', expected the end", 7, 1, 8},
	{"single quotes", "['a']", 0, "unexpected character ''', expected a value", 1, 1, 2},
	{"comment", "[1, // two\n2]", 0, "unexpected character '/'", 4, 1, 5},
	{"NUL between values", "[1,\0 2]", 7, "unexpected byte 0x00, expected a value", 3, 1, 4},
	{"high byte outside string", "[\xc3\xa9]", 0, "unexpected byte 0xc3", 1, 1, 2},
	{"line and column", "[\n1,\n  x]", 0, "unexpected character 'x', expected a value", 7, 3, 3},
	{"CRLF counts LF", "{\r\n\"a\":\r\n tru}", 0, "unexpected character 't'", 10, 3, 2},
	{"BOM only", "\xef\xbb\xbf", 0, "unexpected end of input", 3, 1, 4},
	{"BOM twice", "\xef\xbb\xbf\xef\xbb\xbf[]", 0, "unexpected byte 0xef", 3, 1, 4},
};

static void test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(error_rows); i++) {
		const struct error_row *r = &error_rows[i];
		struct jsonr_error err;
		size_t len = r->len ? r->len : strlen(r->in);
		struct jsonr_doc *d = jsonr_parse(r->in, len, NULL, &err);
		if (d != NULL) {
			jsonr_free(d);
			fail_msg("%s: got a document, want error \"%s\"", r->name, r->msg);
		}
		if (strncmp(err.message, r->msg, strlen(r->msg)) != 0)
			fail_msg("%s: got \"%s\", want \"%s...\"", r->name, err.message, r->msg);
		assert_int_eq_msg(r->name, err.offset, r->offset);
		assert_int_eq_msg(r->name, err.line, r->line);
		assert_int_eq_msg(r->name, err.column, r->column);
	}
}

/* A string of n copies of open followed by n of close. */
static char *nest(size_t n, char open, char close)
{
	char *s = malloc(2 * n + 1);
	assert_non_null(s);
	memset(s, open, n);
	memset(s + n, close, n);
	s[2 * n] = '\0';
	return s;
}

static void test_limits(void **state)
{
	(void)state;
	struct jsonr_error err;
	/* Exactly the default depth parses; one more is refused. */
	char *s = nest(JSONR_MAX_DEPTH, '[', ']');
	struct jsonr_doc *d = jsonr_parse(s, strlen(s), NULL, &err);
	if (d == NULL)
		fail_msg("depth %d: got \"%s\", want a document", JSONR_MAX_DEPTH, err.message);
	jsonr_free(d);
	free(s);
	s = nest(JSONR_MAX_DEPTH + 1, '[', ']');
	assert_null(jsonr_parse(s, strlen(s), NULL, &err));
	assert_str_eq_msg("depth+1", err.message, "nesting deeper than 64");
	assert_int_eq_msg("depth+1 offset", err.offset, JSONR_MAX_DEPTH);
	free(s);
	/* Hostile depth: a million brackets, no stack overflow. */
	s = nest(1000000, '[', ']');
	assert_null(jsonr_parse(s, strlen(s), NULL, &err));
	free(s);
	struct jsonr_limits lim = {.max_depth = 2};
	assert_null(jsonr_parse("{\"a\":{\"b\":{}}}", 14, &lim, &err));
	assert_str_eq_msg("custom depth", err.message, "nesting deeper than 2");
	assert_int_eq_msg("custom depth offset", err.offset, 10);

	lim = (struct jsonr_limits){.max_values = 3};
	assert_null(jsonr_parse("[1,2,3]", 7, &lim, &err));
	assert_str_eq_msg("values", err.message, "more than 3 values");
	assert_int_eq_msg("values offset", err.offset, 5);
	d = jsonr_parse("[1,2]", 5, &lim, &err);
	assert_non_null(d);
	jsonr_free(d);

	lim = (struct jsonr_limits){.max_bytes = 4};
	assert_null(jsonr_parse("[1,2]", 5, &lim, &err));
	assert_str_eq_msg("bytes", err.message, "input larger than 4 bytes");
	assert_int_eq_msg("bytes offset", err.offset, 0);
	assert_int_eq_msg("bytes line", err.line, 1);

	/* A large flat array is fine and every element reachable. */
	size_t n = 100000;
	char *big = malloc(n * 2 + 2);
	assert_non_null(big);
	big[0] = '[';
	for (size_t i = 0; i < n; i++) {
		big[1 + 2 * i] = (char)('0' + i % 10);
		big[2 + 2 * i] = ',';
	}
	big[2 * n] = ']';
	d = jsonr_parse(big, 2 * n + 1, NULL, &err);
	assert_non_null(d);
	assert_int_eq_msg("big count", jsonr_count(jsonr_root(d)), n);
	assert_str_eq_msg("big last", jsonr_str(jsonr_at(jsonr_root(d), n - 1)), "9");
	jsonr_free(d);
	free(big);
	/* NULL error pointer is allowed. */
	assert_null(jsonr_parse("[", 1, NULL, NULL));
}

struct u64_row {
	const char *in;
	bool ok;
	uint64_t want;
};

static void test_accessors(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"team\":\"CERT.at\",\"n\":679,\"a\":[1,\"x\",null],\"t\":true,\"f\":false,"
		"\"nul\":\"a\\u0000b\",\"a\":\"last\",\"o\":{\"k\":{\"deep\":\"v\"}}}";
	struct jsonr_error err;
	struct jsonr_doc *d = jsonr_parse(doc, strlen(doc), NULL, &err);
	if (d == NULL)
		fail_msg("got \"%s\" at %zu, want a document", err.message, err.offset);
	const struct jsonr_value *root = jsonr_root(d);
	assert_int_eq_msg("root type", jsonr_type(root), JSONR_OBJECT);
	assert_int_eq_msg("members", jsonr_count(root), 8);
	assert_str_eq_msg("team", jsonr_str(jsonr_get(root, "team")), "CERT.at");
	assert_str_eq_msg("last duplicate wins", jsonr_str(jsonr_get(root, "a")), "last");
	assert_str_eq_msg("chained", jsonr_str(jsonr_get(jsonr_get(jsonr_get(root, "o"), "k"),
							 "deep")), "v");
	/* NULL-safe chains: missing key, wrong type, out of range. */
	assert_null(jsonr_get(jsonr_get(root, "missing"), "x"));
	assert_null(jsonr_get(jsonr_get(root, "team"), "x"));
	assert_null(jsonr_at(root, 99));
	assert_null(jsonr_at(jsonr_get(root, "team"), 0));
	assert_null(jsonr_key(jsonr_get(root, "n"), 0, NULL));
	assert_null(jsonr_str(NULL));
	assert_int_eq_msg("none type", jsonr_type(jsonr_get(root, "zz")), JSONR_NONE);
	assert_int_eq_msg("count of string", jsonr_count(jsonr_get(root, "team")), 0);
	const struct jsonr_value *arr = jsonr_at(root, 2);
	assert_int_eq_msg("array", jsonr_type(arr), JSONR_ARRAY);
	assert_int_eq_msg("array count", jsonr_count(arr), 3);
	assert_int_eq_msg("null elem", jsonr_type(jsonr_at(arr, 2)), JSONR_NULL);
	size_t klen;
	assert_str_eq_msg("key 1", jsonr_key(root, 1, &klen), "n");
	assert_int_eq_msg("key len", klen, 1);
	assert_true(jsonr_bool(jsonr_get(root, "t")));
	assert_false(jsonr_bool(jsonr_get(root, "f")));
	assert_false(jsonr_bool(jsonr_get(root, "team")));
	/* Embedded NUL: refused by jsonr_str, kept by jsonr_strn. */
	assert_null(jsonr_str(jsonr_get(root, "nul")));
	size_t n;
	const char *s = jsonr_strn(jsonr_get(root, "nul"), &n);
	assert_non_null(s);
	assert_int_eq_msg("nul len", n, 3);
	assert_true(memcmp(s, "a\0b", 3) == 0);
	assert_str_eq_msg("number text", jsonr_str(jsonr_get(root, "n")), "679");
	assert_str_eq_msg("type name", jsonr_type_name(JSONR_OBJECT), "object");
	jsonr_free(d);
	jsonr_free(NULL);
	assert_null(jsonr_root(NULL));

	static const struct u64_row rows[] = {
		{"0", true, 0},
		{"679", true, 679},
		{"18446744073709551615", true, UINT64_MAX},
		{"18446744073709551616", false, 0},
		{"-1", false, 0},
		{"1.0", false, 0},
		{"1e3", false, 0},
		{"\"12\"", false, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		d = jsonr_parse(rows[i].in, strlen(rows[i].in), NULL, &err);
		assert_non_null(d);
		uint64_t v = 0;
		bool ok = jsonr_u64(jsonr_root(d), &v);
		assert_int_eq_msg(rows[i].in, ok, rows[i].ok);
		if (ok && v != rows[i].want)
			fail_msg("%s: got %llu, want %llu", rows[i].in, (unsigned long long)v,
				 (unsigned long long)rows[i].want);
		jsonr_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_accessors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
