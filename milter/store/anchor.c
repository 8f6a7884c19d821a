/*
 * anchor.c - checkpoint lines off the host and back (see anchor.h): the
 * unsigned anchor line, the syslog datagram, and the scanner that finds
 * the lines again in a mailbox or a syslog file.
 */
#include "grondslag/store/anchor.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "grondslag/base/hostport.h"

#define CHECKPOINT_MAGIC "grondslag-audit-checkpoint v1"
#define SYSLOG_PRI (10 * 8 + 5)	/* LOG_AUTHPRIV, LOG_NOTICE */

/* Lower-case hex digit? */
static bool lhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Host name character of auditsig.h? */
static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

char *anchor_line(const struct auditsig_checkpoint *cp)
{
	if (cp == NULL)
		return NULL;
	if (cp->sig[0] != '\0')
		return auditsig_line(cp);
	size_t hl = strnlen(cp->hash, sizeof cp->hash), n = strnlen(cp->host, sizeof cp->host);
	bool ok = cp->seq >= 1 && cp->at >= 0 && hl == AUDIT_HASH_HEX - 1 && n > 0 &&
		  n < sizeof cp->host;
	for (size_t i = 0; ok && i < hl; i++)
		ok = lhex(cp->hash[i]);
	for (size_t i = 0; ok && i < n; i++)
		ok = host_char(cp->host[i]);
	char *out = NULL;
	if (!ok || asprintf(&out, ANCHOR_MAGIC " seq=%" PRId64 " hash=%s at=%" PRId64 " host=%s\n",
			    cp->seq, cp->hash, cp->at, cp->host) < 0)
		return NULL;
	return out;
}

int anchor_syslog(const char *target, const char *host, const char *line, time_t now,
		  char *err, size_t errlen)
{
	char h[256], port[16], stamp[32], msg[AUDITSIG_LINE_MAX + 600];
	if (!hostport_parse(target, h, sizeof h, port, sizeof port)) {
		snprintf(err, errlen, "AuditAnchorSyslog %.200s: not HOST:PORT", target);
		return -1;
	}
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
	size_t ll = strcspn(line, "\n");
	int n = snprintf(msg, sizeof msg, "<%d>%s %.200s grondslag-milter: %.*s", SYSLOG_PRI, stamp,
			 host, (int)ll, line);
	if (n < 0 || (size_t)n >= sizeof msg) {
		snprintf(err, errlen, "checkpoint line too long for syslog");
		return -1;
	}
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
	int gai = getaddrinfo(h, port, &hints, &res);
	if (gai != 0) {
		snprintf(err, errlen, "AuditAnchorSyslog %.200s: %s", target, gai_strerror(gai));
		return -1;
	}
	int rc = -1, e = 0;
	for (struct addrinfo *a = res; a != NULL && rc != 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (sendto(fd, msg, (size_t)n, 0, a->ai_addr, a->ai_addrlen) == n)
			rc = 0;
		else
			e = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (rc != 0)
		snprintf(err, errlen, "AuditAnchorSyslog %.200s: %s", target, strerror(e));
	return rc;
}

/* Value of a quoted-printable hex digit (upper case, RFC 2045), -1
 * when none. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copy one logical line starting at p (a found magic) into out: up to
 * the end of the line, a quoted-printable soft break ("=" at the end)
 * joining the next line and "=XX" decoded when qp; CR and trailing
 * blanks dropped.  The length, or (size_t)-1 when longer than cap - 1. */
static size_t take_line(const char *p, const char *end, bool qp, char *out, size_t cap)
{
	size_t n = 0;
	while (p < end && *p != '\n') {
		char c = *p++;
		if (qp && c == '=') {
			const char *q = p;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q == end || *q == '\n') {	/* soft break */
				p = q < end ? q + 1 : q;
				continue;
			}
			if (end - p >= 2 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
				c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
				p += 2;
			}
		}
		if (c == '\r')
			continue;
		if (n + 1 >= cap)
			return (size_t)-1;
		out[n++] = c;
	}
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	return n;
}

/* The value of field name at *p (then past it and one blank) into out
 * (cap bytes); false when the field is not there or too long. */
static bool field(const char **p, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name), n;
	if (strncmp(*p, name, nl) != 0 || (*p)[nl] != '=')
		return false;
	*p += nl + 1;
	n = strcspn(*p, " ");
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + ((*p)[n] == ' ');
	return true;
}

/* A decimal number below 10^18; false when s is anything else. */
static bool number(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Parse an unsigned anchor line strictly: the four fields in order, in
 * their one spelling (checked by printing it back). */
static bool parse_anchor(const char *s, struct auditsig_checkpoint *cp)
{
	char seq[24], at[24];
	const char *p = s + sizeof ANCHOR_MAGIC;
	memset(cp, 0, sizeof *cp);
	if (strncmp(s, ANCHOR_MAGIC " ", sizeof ANCHOR_MAGIC) != 0 ||
	    !field(&p, "seq", seq, sizeof seq) || !field(&p, "hash", cp->hash, sizeof cp->hash) ||
	    !field(&p, "at", at, sizeof at) || !field(&p, "host", cp->host, sizeof cp->host) ||
	    *p != '\0' || !number(seq, &cp->seq) || !number(at, &cp->at))
		return false;
	char *again = anchor_line(cp);
	bool same = again != NULL && strncmp(again, s, strlen(s)) == 0 &&
		    again[strlen(s)] == '\n';
	free(again);
	return same;
}

size_t anchor_scan(const char *text, size_t len, int (*cb)(void *arg, const struct anchor_found *f),
		   void *arg)
{
	static const char *const magics[] = {CHECKPOINT_MAGIC " ", ANCHOR_MAGIC " "};
	const char *end = text + len;
	size_t found = 0;
	int64_t lineno = 1;
	const char *bol = text;
	while (bol < end) {
		const char *eol = memchr(bol, '\n', (size_t)(end - bol));
		if (eol == NULL)
			eol = end;
		const char *hit = NULL;
		size_t which = 0;
		for (size_t m = 0; m < 2; m++) {
			const char *h = memmem(bol, (size_t)(eol - bol), magics[m], strlen(magics[m]));
			if (h != NULL && (hit == NULL || h < hit))
				hit = h, which = m;
		}
		if (hit != NULL) {
			struct anchor_found f = {.line = lineno, .is_signed = which == 0};
			char buf[AUDITSIG_LINE_MAX + 1];
			/* a relay may have made the mail quoted-printable: then
			 * every "=" of the line is "=3D" */
			bool qp = memmem(hit, (size_t)(eol - hit), "=3D", 3) != NULL;
			size_t n = take_line(hit, end, qp, buf, sizeof buf);
			if (n == (size_t)-1)
				snprintf(f.why, sizeof f.why, "line longer than %d bytes",
					 AUDITSIG_LINE_MAX);
			else if (which == 0)
				f.ok = auditsig_parse_line(buf, n, &f.cp, f.why, sizeof f.why) == 0;
			else if (!(f.ok = parse_anchor(buf, &f.cp)))
				snprintf(f.why, sizeof f.why, "not an anchor line in its one form");
			found++;
			if (cb(arg, &f) != 0)
				break;
		}
		lineno++;
		bol = eol + 1;
	}
	return found;
}
