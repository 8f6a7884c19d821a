/*
 * test_anchor.c - checkpoint lines that leave the host (anchor.c) and
 * come back: the unsigned anchor line, the mail that carries it
 * (notice_checkpoint), and anchor_scan() over what a mailbox or a syslog
 * file makes of the lines (prefixes, CRLF, quoted-printable with soft
 * breaks, trailing blanks, damage).
 */
#include "testutil.h"

#include "grondslag/store/anchor.h"
#include "grondslag/notice/notice.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define LINE "grondslag-audit-anchor v1 seq=42 hash=" H64 " at=1765000000 host=mx.example"
#define SIGNED "grondslag-audit-checkpoint v1 seq=7 hash=" H64 " at=1765000000 host=mx " \
	"key=0123456789ABCDEF0123456789ABCDEF01234567 sig=AAAA"

struct seen {
	int n, ok, is_signed;
	int64_t seq[8];
	char why[8][160];
};

static int seen_cb(void *arg, const struct anchor_found *f)
{
	struct seen *s = arg;
	if (s->n < 8) {
		s->seq[s->n] = f->ok ? f->cp.seq : 0;
		snprintf(s->why[s->n], sizeof s->why[0], "%s", f->why);
	}
	s->n++;
	s->ok += f->ok;
	s->is_signed += f->ok && f->is_signed;
	return 0;
}

static void test_line(void **state)
{
	(void)state;
	struct auditsig_checkpoint cp = {.seq = 42, .hash = H64, .at = 1765000000};
	snprintf(cp.host, sizeof cp.host, "mx.example");
	char *l = anchor_line(&cp);
	assert_str_eq_msg("unsigned line", l, LINE "\n");
	free(l);
	cp.seq = 0;
	assert_null(anchor_line(&cp));
	cp.seq = 1;
	cp.hash[3] = 'X';
	assert_null(anchor_line(&cp));
}

static void test_scan(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text;
		int found, ok, is_signed;
		int64_t last;	/* the seq of the last line found */
	} cases[] = {
		{"bare line", LINE "\n", 1, 1, 0, 42},
		{"no newline at the end", LINE, 1, 1, 0, 42},
		{"CRLF and blanks", "x\r\n" LINE "  \r\n", 1, 1, 0, 42},
		{"syslog prefix", "Dec  7 05:00:00 mx grondslag-milter: " LINE "\n", 1, 1, 0, 42},
		{"signed line", "Dec  7 mx grondslag-milter: " SIGNED "\n", 1, 1, 1, 7},
		{"two in a mailbox", "From x\nSubject: a\n\n" LINE "\nFrom y\n\n" SIGNED "\n", 2, 2,
		 1, 7},
		{"quoted-printable with a soft break",
		 "Content-Transfer-Encoding: quoted-printable\n\ngrondslag-audit-anchor v1 seq=3D42 "
		 "hash=3D0123456789abcdef0123456789abcdef=\n0123456789abcdef0123456789abcdef "
		 "at=3D1765000000 host=3Dmx.example\n", 1, 1, 0, 42},
		{"QP soft break with CRLF",
		 "grondslag-audit-anchor v1 seq=3D42 hash=3D" H64 " at=3D1765000000 host=3D=\r\n"
		 "mx.example\r\n", 1, 1, 0, 42},
		{"cut short", "grondslag-audit-anchor v1 seq=42 hash=" H64 "\n", 1, 0, 0, 0},
		{"leading zero", "grondslag-audit-anchor v1 seq=042 hash=" H64
		 " at=1765000000 host=mx\n", 1, 0, 0, 0},
		{"upper-case hash", "grondslag-audit-anchor v1 seq=1 hash="
		 "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef at=1 host=mx\n",
		 1, 0, 0, 0},
		{"text after it", LINE " extra\n", 1, 0, 0, 0},
		{"seq 0", "grondslag-audit-anchor v1 seq=0 hash=" H64 " at=1 host=mx\n", 1, 0, 0, 0},
		{"no magic", "grondslag-audit-anchor v2 seq=1\nnothing here\n", 0, 0, 0, 0},
		{"empty", "", 0, 0, 0, 0},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct seen s = {0};
		size_t n = anchor_scan(cases[i].text, strlen(cases[i].text), seen_cb, &s);
		int64_t last = s.n > 0 && s.n <= 8 ? s.seq[s.n - 1] : 0;
		if ((int)n != cases[i].found || s.ok != cases[i].ok ||
		    s.is_signed != cases[i].is_signed || last != cases[i].last)
			fail_msg("%s: got %zu found, %d ok, %d signed, last seq %lld (%s); want %d, %d, "
				 "%d, %lld", cases[i].name, n, s.ok, s.is_signed, (long long)last,
				 s.n ? s.why[0] : "-", cases[i].found, cases[i].ok, cases[i].is_signed,
				 (long long)cases[i].last);
	}
}

/* The mail that carries a line off the host gives it back to the scanner. */
static void test_mail(void **state)
{
	(void)state;
	const char *to[] = {"auditor@example.org", "<dpo@example.org>"};
	char *m = notice_checkpoint("grondslag@example.org", to, 2, "mx.example", 1765000000, 42,
				    LINE "\n");
	if (m == NULL)
		fail_msg("no mail");
	if (strstr(m, "X-Grondslag-Notice: checkpoint") == NULL ||
	    strstr(m, "audit checkpoint 42 of mx.example") == NULL ||
	    strstr(m, "To: <auditor@example.org>,\r\n <dpo@example.org>") == NULL)
		fail_msg("mail headers: %s", m);
	struct seen s = {0};
	assert_int_eq_msg("found in the mail", (int)anchor_scan(m, strlen(m), seen_cb, &s), 1);
	assert_int_eq_msg("parsed from the mail", s.ok, 1);
	assert_int_eq_msg("its seq", (int)s.seq[0], 42);
	free(m);
	const char *bad[] = {"not an address"};
	assert_null(notice_checkpoint("grondslag@example.org", bad, 1, "mx", 1, 1, LINE "\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_scan),
		cmocka_unit_test(test_mail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
