/*
 * notice_check.h - what the notice tests (test_notice.c,
 * test_notice_jurist.c) check every notice with: the header section
 * unfolded, the body decoded, CRLF line ends and lengths, a needle
 * present or absent ("got X, want Y" messages), and no IP address
 * anywhere.  Include after testutil.h, glib.h and grondslag/ipscan.h.
 */
#ifndef GRONDSLAG_NOTICE_CHECK_H
#define GRONDSLAG_NOTICE_CHECK_H

/* Header section (up to the blank line), unfolded, as a new string. */
static char *headers_of(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	assert_non_null(end);
	GString *h = g_string_new_len(msg, end - msg + 2);
	/* unfold: CRLF followed by a blank joins the lines */
	for (char *p; (p = strstr(h->str, "\r\n ")) != NULL;)
		g_string_erase(h, p - h->str, 2);
	return g_string_free(h, FALSE);
}

/* Body after the blank line, decoded when quoted-printable; CRLF -> LF. */
static char *body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");
	assert_non_null(b);
	b += 4;
	bool qp = strstr(msg, "Content-Transfer-Encoding: quoted-printable\r\n") != NULL;
	GString *out = g_string_new(NULL);
	for (const char *p = b; *p != '\0'; p++) {
		if (qp && p[0] == '=' && p[1] == '\r' && p[2] == '\n') {
			p += 2;
		} else if (qp && p[0] == '=' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
			g_string_append_c(out, (char)(g_ascii_xdigit_value(p[1]) * 16 +
						      g_ascii_xdigit_value(p[2])));
			p += 2;
		} else if (p[0] == '\r' && p[1] == '\n') {
			g_string_append_c(out, '\n');
			p++;
		} else {
			g_string_append_c(out, *p);
		}
	}
	return g_string_free(out, FALSE);
}

/* Every line ends in CRLF, no bare CR or LF, no line over max. */
static void check_lines(const char *row, const char *msg, size_t header_max, size_t body_max)
{
	size_t col = 0;
	bool in_body = false;
	for (const char *p = msg; *p != '\0'; p++) {
		if (*p == '\r') {
			if (p[1] != '\n')
				fail_msg("%s: bare CR at %td", row, p - msg);
			if (col == 0)
				in_body = true;
			col = 0;
			p++;
			continue;
		}
		if (*p == '\n')
			fail_msg("%s: bare LF at %td", row, p - msg);
		if (++col > (in_body ? body_max : header_max))
			fail_msg("%s: line over %zu at %td", row, in_body ? body_max : header_max,
				 p - msg);
	}
	if (col != 0)
		fail_msg("%s: last line without CRLF", row);
}

static void contains(const char *row, const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("%s: got no \"%s\" in:\n%s", row, needle, hay);
}

static void lacks(const char *row, const char *hay, const char *needle)
{
	if (strstr(hay, needle) != NULL)
		fail_msg("%s: got \"%s\", want it absent, in:\n%s", row, needle, hay);
}

/* ipscan callback counting matches. */
static int count_match(void *arg, const struct ipscan_match *m)
{
	(void)m;
	(*(int *)arg)++;
	return 0;
}

/* Fail when ipscan finds an address in the message or its decoded body. */
static void no_address(const char *row, const char *msg)
{
	char *b = body_of(msg);
	int found = 0;
	ipscan_buffer(msg, strlen(msg), count_match, &found);
	ipscan_buffer(b, strlen(b), count_match, &found);
	if (found != 0)
		fail_msg("%s: got %d IP addresses, want none, in:\n%s", row, found, b);
	free(b);
}

#endif
