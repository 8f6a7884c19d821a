/*
 * test_scanpar.c - the identifier scan on a second thread gives the
 * findings of one thread, entry for entry and in the same order: long
 * plain messages (text read where it lies), decoded text (copied), more
 * kept matches than a merge holds on either side, more text than may wait
 * for the second thread (read in place or copied), and the entry limit hit
 * by addresses and identifiers in turn, where the order of recording
 * decides what is counted.
 */
#include "testutil.h"

#include "grondslag/scan/scan.h"

/* A growing text buffer. */
struct text {
	char *p;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->p = realloc(t->p, t->cap);
		assert_non_null(t->p);
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void putf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct text *t, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof line);
	put(t, line, (size_t)n);
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

enum mix { MIX_ALL, MIX_ONE_IP, MIX_EMAILS, MIX_LIMIT };

/* About bytes of body text: runs of list lines of every kind (addresses,
 * networks, IPv6, e-mail and host lists, credential rows), prose with and
 * without non-ASCII letters, distinct values from seed. */
static void body(struct text *t, size_t bytes, enum mix mix, uint32_t seed)
{
	uint32_t s = seed | 1;
	unsigned n = 0, prose = 0;
	while (t->len < bytes) {
		unsigned k = mix == MIX_ALL ? rnd(&s) % 9 : 0;
		unsigned run = 1 + rnd(&s) % 12;
		for (unsigned i = 0; i < run; i++, n++) {
			uint32_t r = rnd(&s);
			switch (mix == MIX_ONE_IP ? 100 : mix == MIX_EMAILS ? 101
				: mix == MIX_LIMIT ? 102 + (n / 7) % 2 : k) {
			case 0:
				putf(t, "%u.%u.%u.%u\n", 20 + r % 200, (r >> 8) & 255, (r >> 16) & 255,
				     1 + n % 250);
				break;
			case 1:
				putf(t, "[%u.%u.%u.%u] scanned port 22\n", 80 + r % 100,
				     (r >> 8) & 255, (r >> 16) & 255, 1 + n % 250);
				break;
			case 2:
				putf(t, "%u.%u.%u.0/24, %u.%u.%u.1-%u.%u.%u.9\n", 60 + r % 9, n & 255,
				     (r >> 8) & 255, 70 + r % 9, n & 255, r & 255, 70 + r % 9, n & 255,
				     r & 255);
				break;
			case 3:
				putf(t, "2001:db8:%x::%x\n", r & 0xffff, n);
				break;
			case 4:
				putf(t, "user%u@victim%u.jp\n", n, r % 97);
				break;
			case 5:
				putf(t, "fw%u.corp%u.example-%u.jp\n", n, r % 31, r % 7);
				break;
			case 6:
				putf(t, "klant%u@bedrijf%u.nl:Geheim%u!\n", n, r % 13, r);
				break;
			case 7:
				putf(t, "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen, Zeile %u, "
					"siehe 192.0.2.%u und mail an jan@ncsc.nl.\n", n, n % 250);
				break;
			case 100:
				put(t, "1.2.3.4\n", 8);
				break;
			case 101:
				putf(t, "p%u.q%u@victim%u.de\n", n, r, r % 57);
				break;
			case 102:
				putf(t, "%u.%u.%u.%u\n", 11 + r % 200, (r >> 8) & 255, (r >> 16) & 255,
				     1 + n % 250);
				break;
			case 103:
				putf(t, "host%u.site%u.jp\n", n, r % 1000);
				break;
			default:
				putf(t, "Dear colleagues, thanks for the report of %u; we will look "
					"into it tomorrow morning.\n", n);
				/* labels, the strictest only in the last quarter
				 * (read by the second thread when there is one) */
				if (++prose % 61 == 0)
					putf(t, "Classification: %s\n",
					     t->len > bytes / 4 * 3 ? "TLP:RED" : "TLP:AMBER");
				break;
			}
		}
		put(t, "\n", 1);
	}
}

/* The message around a body: plain, or the body as a base64 attachment
 * (decoded text, not in the message), or as latin-1 quoted-printable. */
enum wrap { WRAP_PLAIN, WRAP_BASE64, WRAP_LATIN1 };

static char *message(const struct text *b, enum wrap w, size_t *len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct text t = {0};
	put(&t, "From: a@ncsc.nl\nTo: b@cert.be\nSubject: list\n", 44);
	if (w == WRAP_PLAIN) {
		put(&t, "\n", 1);
		put(&t, b->p, b->len);
	} else if (w == WRAP_BASE64) {
		putf(&t, "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"bb\"\n\n"
			 "--bb\nContent-Type: text/plain\n\nThe list.\n\n--bb\n"
			 "Content-Type: text/plain; name=\"l.txt\"\n"
			 "Content-Transfer-Encoding: base64\n\n");
		for (size_t i = 0; i < b->len; i += 57) {
			char line[80];
			size_t o = 0;
			for (size_t j = i; j < i + 57 && j < b->len; j += 3) {
				unsigned v = (unsigned char)b->p[j] << 16;
				size_t have = b->len - j;
				if (have > 1)
					v |= (unsigned char)b->p[j + 1] << 8;
				if (have > 2)
					v |= (unsigned char)b->p[j + 2];
				line[o++] = tbl[v >> 18];
				line[o++] = tbl[(v >> 12) & 63];
				line[o++] = have > 1 ? tbl[(v >> 6) & 63] : '=';
				line[o++] = have > 2 ? tbl[v & 63] : '=';
			}
			line[o++] = '\n';
			put(&t, line, o);
		}
		put(&t, "--bb--\n", 7);
	} else {
		putf(&t, "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
			 "Content-Transfer-Encoding: 8bit\n\n");
		for (size_t i = 0; i < b->len; i++) {
			unsigned char c = (unsigned char)b->p[i];
			if (c == 0xc3 && i + 1 < b->len) {	/* the UTF-8 of U+00C0..U+00FF */
				char l = (char)(0xc0 + ((unsigned char)b->p[++i] & 0x3f));
				put(&t, &l, 1);
			} else {
				put(&t, (const char *)&b->p[i], 1);
			}
		}
	}
	*len = t.len;
	return t.p;
}

/* Every read-side fact of two findings equal. */
static void assert_same(const char *row, const struct findings *a, const struct findings *b)
{
	assert_int_eq_msg(row, findings_categories(b), findings_categories(a));
	assert_int_eq_msg(row, findings_message_reason(b), findings_message_reason(a));
	assert_int_eq_msg(row, findings_ip_count(b), findings_ip_count(a));
	for (size_t i = 0; i < findings_ip_count(a); i++) {
		const struct finding_ip *x = findings_ip(a, i), *y = findings_ip(b, i);
		assert_memory_equal(&x->addr, &y->addr, sizeof x->addr);
		assert_int_eq_msg(row, y->count, x->count);
		assert_int_eq_msg(row, y->first_part, x->first_part);
		assert_int_eq_msg(row, y->first_offset, x->first_offset);
		assert_int_eq_msg(row, y->defanged, x->defanged);
		assert_int_eq_msg(row, y->structured, x->structured);
	}
	assert_int_eq_msg(row, findings_net_count(b), findings_net_count(a));
	for (size_t i = 0; i < findings_net_count(a); i++) {
		const struct finding_net *x = findings_net(a, i), *y = findings_net(b, i);
		assert_int_eq_msg(row, y->count, x->count);
		assert_int_eq_msg(row, y->first_offset, x->first_offset);
		assert_int_eq_msg(row, y->is_range, x->is_range);
	}
	assert_int_eq_msg(row, findings_email_count(b), findings_email_count(a));
	assert_int_eq_msg(row, findings_host_count(b), findings_host_count(a));
	for (size_t i = 0; i < findings_host_count(a); i++)
		assert_memory_equal(findings_host(a, i), findings_host(b, i),
				    sizeof(struct finding_host));
	assert_int_eq_msg(row, findings_credential_count(b), findings_credential_count(a));
	assert_int_eq_msg(row, findings_tld_count(b), findings_tld_count(a));
	for (size_t i = 0; i < findings_tld_count(a); i++) {
		assert_str_eq_msg(row, findings_tld(b, i)->tld, findings_tld(a, i)->tld);
		assert_int_eq_msg(row, findings_tld(b, i)->count, findings_tld(a, i)->count);
	}
	assert_int_eq_msg(row, findings_tlp(b), findings_tlp(a));
	assert_int_eq_msg(row, findings_part_count(b), findings_part_count(a));
	for (size_t i = 0; i < findings_part_count(a); i++) {
		assert_int_eq_msg(row, findings_part(b, i)->status, findings_part(a, i)->status);
		assert_int_eq_msg(row, findings_part(b, i)->reason, findings_part(a, i)->reason);
		assert_int_eq_msg(row, findings_part(b, i)->formats, findings_part(a, i)->formats);
	}
}

static const struct {
	const char *name;
	size_t bytes;
	enum mix mix;
	enum wrap wrap;
	size_t max_entries;
	size_t parallel_min;	/* of the threaded run */
	size_t min_ips, min_emails, min_hosts;	/* the case reaches what it is for */
} cases[] = {
	{"plain, every kind", 3u << 20, MIX_ALL, WRAP_PLAIN, 0, 1, 1000, 1000, 1000},
	{"plain, the default threshold", 3u << 20, MIX_ALL, WRAP_PLAIN, 0, 0, 1000, 1000, 1000},
	{"base64 attachment: decoded text", 2u << 20, MIX_ALL, WRAP_BASE64, 0, 1, 1000, 1000,
	 1000},
	{"plain, longer than the queue", 10u << 20, MIX_ALL, WRAP_PLAIN, 0, 1, 1000, 1000, 1000},
	{"base64, more copies than may wait", 10u << 20, MIX_ALL, WRAP_BASE64, 0, 1, 1000, 1000,
	 1000},
	{"latin-1: charset-decoded text", 2u << 20, MIX_ALL, WRAP_LATIN1, 0, 1, 1000, 1000, 1000},
	{"more addresses than a merge holds", 1u << 20, MIX_ONE_IP, WRAP_PLAIN, 0, 1, 1, 0, 0},
	{"more identifiers than a merge holds", 2u << 20, MIX_EMAILS, WRAP_PLAIN, 0, 1, 0, 65536,
	 0},
	{"entry limit, plain", 1u << 20, MIX_LIMIT, WRAP_PLAIN, 3000, 1, 1000, 0, 1000},
	{"entry limit late", 2u << 20, MIX_LIMIT, WRAP_PLAIN, 40000, 1, 10000, 0, 10000},
	{"entry limit, decoded", 1u << 20, MIX_LIMIT, WRAP_BASE64, 5000, 1, 1000, 0, 1000},
	{"entry limit, by identifiers", 2u << 20, MIX_ALL, WRAP_PLAIN, 2500, 1, 10, 10, 10},
};

static void test_same_findings(void **state)
{
	(void)state;
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		struct text b = {0};
		body(&b, cases[c].bytes, cases[c].mix, (uint32_t)(c * 7919 + 17));
		size_t len;
		char *msg = message(&b, cases[c].wrap, &len);
		struct scan_options o;
		memset(&o, 0, sizeof o);
		walk_limits_default(&o.limits);
		o.limits.max_message_bytes = 64u << 20;
		o.threshold = 3;
		o.max_entries = cases[c].max_entries;
		o.parallel_min = SIZE_MAX;
		struct findings *one = scan_message(&o, msg, len);
		o.parallel_min = cases[c].parallel_min;
		struct findings *two = scan_message(&o, msg, len);
		assert_non_null(one);
		assert_non_null(two);
		assert_true(findings_ip_count(one) + findings_net_count(one) >= cases[c].min_ips);
		assert_true(findings_email_count(one) >= cases[c].min_emails);
		assert_true(findings_host_count(one) >= cases[c].min_hosts);
		if (cases[c].mix == MIX_ALL)
			assert_int_eq_msg(cases[c].name, findings_tlp(two), TLP_RED);
		if (cases[c].max_entries != 0)
			assert_int_eq_msg(cases[c].name, findings_message_reason(one),
					  UNSCAN_LIMIT_ADDRESSES);
		assert_same(cases[c].name, one, two);
		findings_free(one);
		findings_free(two);
		free(msg);
		free(b.p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
