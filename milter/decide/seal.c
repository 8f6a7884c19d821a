/*
 * seal.c - which mail the relay encrypts, and the PGP/MIME message
 * around the ciphertext (seal.h); pure: no GPGME, no clock, no I/O.
 * GPGME is seal_gpg.c.
 *
 * Limits: SEAL_FIELDS_MAX header fields are looked at (past them the
 * message counts as malformed: NULL); header and body are separated by
 * the first empty line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/base/strbuf.h"
#include "grondslag/decide/route.h"
#include "grondslag/decide/seal.h"
#include "grondslag/scan/findings.h"

bool seal_needed(const struct decision *d)
{
	if (d == NULL || decision_verdict(d) != VERDICT_DELIVER)
		return false;
	for (size_t i = 0; i < decision_basis_count(d); i++)
		if (decision_basis(d, i)->encrypt_required)
			return true;
	return false;
}

bool seal_party_requires(const struct registry_party *p, int32_t date)
{
	if (p == NULL)
		return false;
	for (size_t i = 0; i < p->nbases; i++)
		if (p->bases[i]->encrypt_required &&
		    registry_basis_status(p->bases[i], date) == BASIS_VALID)
			return true;
	return false;
}

const char *seal_group(const struct registry *r, const char *rcpt, int32_t date)
{
	struct route rt;
	if (r == NULL || !route_parse(rcpt, &rt) || rt.ntargets == 0)
		return "";
	/* every target the mail could reach: the first that requires
	 * encryption names the group (a route through such a party is
	 * that party's mail) */
	for (size_t i = rt.ntargets; i-- > 0;) {
		struct registry_resolution res;
		registry_resolve(r, rt.targets[i], &res);
		if (seal_party_requires(res.party, date))
			return res.party->id;
	}
	return "";
}

/* ---- header fields ---------------------------------------------------------- */

struct field {
	const char *start;	/* the name */
	size_t namelen;
	size_t len;		/* the whole field with its line end(s) */
};

/* Where the body starts (after the empty line), or 0 when there is no
 * empty line; *hdrlen: the header without the empty line. */
static size_t body_start(const char *msg, size_t len, size_t *hdrlen)
{
	if (len >= 2 && msg[0] == '\r' && msg[1] == '\n') {
		*hdrlen = 0;
		return 2;
	}
	if (len >= 1 && msg[0] == '\n') {
		*hdrlen = 0;
		return 1;
	}
	for (size_t i = 0; i + 1 < len; i++) {
		if (msg[i] != '\n')
			continue;
		if (msg[i + 1] == '\n') {
			*hdrlen = i + 1;
			return i + 2;
		}
		if (i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n') {
			*hdrlen = i + 1;
			return i + 3;
		}
	}
	return 0;
}

/* The header fields of hdr[0..n) into f (at most SEAL_FIELDS_MAX); -1
 * when there are more. */
static int split_fields(const char *hdr, size_t n, struct field *f, size_t *nf)
{
	size_t pos = 0;
	*nf = 0;
	while (pos < n) {
		size_t end = pos;
		do {
			const char *nl = memchr(hdr + end, '\n', n - end);
			end = nl != NULL ? (size_t)(nl - hdr) + 1 : n;
		} while (end < n && (hdr[end] == ' ' || hdr[end] == '\t'));
		if (*nf >= SEAL_FIELDS_MAX)
			return -1;
		const char *colon = memchr(hdr + pos, ':', end - pos);
		f[*nf].start = hdr + pos;
		f[*nf].namelen = colon != NULL ? (size_t)(colon - (hdr + pos)) : 0;
		while (f[*nf].namelen > 0 && (hdr[pos + f[*nf].namelen - 1] == ' ' ||
					      hdr[pos + f[*nf].namelen - 1] == '\t'))
			f[*nf].namelen--;
		f[*nf].len = end - pos;
		(*nf)++;
		pos = end;
	}
	return 0;
}

static bool name_is(const struct field *f, const char *name)
{
	return f->namelen == strlen(name) && strncasecmp(f->start, name, f->namelen) == 0;
}

static bool is_content(const struct field *f)
{
	return f->namelen >= 8 && strncasecmp(f->start, "Content-", 8) == 0;
}

/* Trace fields: the path the mail took, for MTAs and filters on the
 * way; they stay outside and are not part of what was sent. */
static bool is_trace(const struct field *f)
{
	static const char *const names[] = {"Received", "Return-Path", "Delivered-To",
					    "DKIM-Signature", "Authentication-Results",
					    "ARC-Seal", "ARC-Message-Signature",
					    "ARC-Authentication-Results"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (name_is(f, names[i]))
			return true;
	return false;
}

/* The fields the outer header keeps: trace, what MTAs route and answer
 * by, and what MUAs thread by.  Everything else (Thread-Topic,
 * Keywords, Comments, any X- field: any of them may repeat the Subject
 * or describe the content) is only in the protected inner header. */
static bool is_outer(const struct field *f)
{
	static const char *const names[] = {"From", "Sender", "Reply-To", "To", "Cc", "Date",
					    "Message-ID", "References", "In-Reply-To",
					    "Auto-Submitted", "Resent-Date", "Resent-From",
					    "Resent-Sender", "Resent-To", "Resent-Cc",
					    "Resent-Message-ID"};
	if (is_trace(f))
		return true;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (name_is(f, names[i]))
			return true;
	return false;
}

/* The protected inner header: every field as sent but the content
 * fields (they head the one part) and the trace. */
static bool is_protected(const struct field *f)
{
	return !is_content(f) && !name_is(f, "MIME-Version") && !is_trace(f);
}

/* Append a field, ending it with CRLF whatever it ended with. */
static void add_field(struct strbuf *b, const struct field *f)
{
	size_t n = f->len;
	while (n > 0 && (f->start[n - 1] == '\n' || f->start[n - 1] == '\r'))
		n--;
	strbuf_add(b, f->start, n);
	strbuf_puts(b, "\r\n");
}

/* The fields of msg, malloc'ed; NULL when malformed or out of memory. */
static struct field *fields_of(const char *msg, size_t len, size_t *nf, size_t *body)
{
	size_t hdrlen = 0;
	*body = body_start(msg, len, &hdrlen);
	if (*body == 0)
		return NULL;
	struct field *f = malloc(SEAL_FIELDS_MAX * sizeof *f);
	if (f == NULL || split_fields(msg, hdrlen, f, nf) != 0) {
		free(f);
		return NULL;
	}
	return f;
}

/* The value of field f unfolded and trimmed into out (at most outlen-1
 * bytes; longer: false). */
static bool field_value(const struct field *f, char *out, size_t outlen)
{
	const char *v = f->start + f->namelen + 1, *end = f->start + f->len;
	size_t n = 0;
	for (; v < end; v++) {
		char ch = *v == '\r' || *v == '\n' || *v == '\t' ? ' ' : *v;
		if (ch == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		if (n + 1 >= outlen)
			return false;
		out[n++] = ch;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return true;
}

/* Parameter name of a Content-Type value ct into out ("" when absent). */
static void ct_param(const char *ct, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);
	out[0] = '\0';
	for (const char *p = strchr(ct, ';'); p != NULL; p = strchr(p, ';')) {
		p++;
		while (*p == ' ')
			p++;
		if (strncasecmp(p, name, nl) != 0)
			continue;
		const char *v = p + nl;
		while (*v == ' ')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ')
			v++;
		bool quoted = *v == '"';
		v += quoted;
		size_t n = 0;
		while (*v != '\0' && n + 1 < outlen &&
		       (quoted ? *v != '"' : *v != ';' && *v != ' '))
			out[n++] = *v++;
		out[n] = '\0';
		return;
	}
}

/* Only a top level that is a whole encrypted entity counts, judged from
 * the one Content-Type the MIME parsers agree on: a second Content-Type
 * field (parsers differ on which wins), signed-only S/MIME, a
 * multipart/encrypted of another protocol, or ciphertext anywhere inside
 * a plaintext message (an inline-armoured attachment next to a readable
 * list) leaves readable text, so the whole is encrypted again (a second
 * layer costs nothing). */
bool seal_is_encrypted(const char *msg, size_t len)
{
	size_t nf = 0, body = 0;
	struct field *f = fields_of(msg, len, &nf, &body);
	/* unparsable: judged as encrypted would send plaintext unencrypted,
	 * so it counts as plaintext (and seal_build refuses it: held) */
	if (f == NULL)
		return false;
	const struct field *ct = NULL;
	int cts = 0;
	for (size_t i = 0; i < nf; i++)
		if (name_is(&f[i], "Content-Type")) {
			ct = &f[i];
			cts++;
		}
	char v[1024], param[128];
	bool enc = false;
	if (cts == 1 && field_value(ct, v, sizeof v)) {
		if (strncasecmp(v, "multipart/encrypted", 19) == 0 &&
		    (v[19] == ';' || v[19] == ' ' || v[19] == '\0')) {
			ct_param(v, "protocol", param, sizeof param);
			enc = strcasecmp(param, "application/pgp-encrypted") == 0;
		} else if ((strncasecmp(v, "application/pkcs7-mime", 22) == 0 &&
			    (v[22] == ';' || v[22] == ' ' || v[22] == '\0')) ||
			   (strncasecmp(v, "application/x-pkcs7-mime", 24) == 0 &&
			    (v[24] == ';' || v[24] == ' ' || v[24] == '\0'))) {
			ct_param(v, "smime-type", param, sizeof param);
			enc = strcasecmp(param, "enveloped-data") == 0 ||
			      strcasecmp(param, "authEnveloped-data") == 0;
		}
	}
	free(f);
	return enc;
}

bool seal_readable(const struct findings *f)
{
	const char *why;
	bool temporary;
	/* ciphertext the escrow key should have opened and did not: what it
	 * holds is not known */
	return f == NULL || findings_decrypt_failures(f, &why, &temporary) > 0 ||
	       findings_ip_count(f) > 0 || findings_net_count(f) > 0 ||
	       findings_email_count(f) > 0 || findings_host_count(f) > 0 ||
	       findings_credential_count(f) > 0;
}

/* The one rule for the milter and the releaser: the top level alone
 * would leave content the escrow key opened (and found regulated data
 * in) in the sender's encryption, to keys nobody registered for the
 * party; what was read in it decides too.  No findings: not known, so
 * encrypted again. */
bool seal_as_is(const char *msg, size_t len, const struct findings *f)
{
	return !seal_readable(f) && seal_is_encrypted(msg, len);
}

char *seal_inner(const char *msg, size_t len, const char *boundary, size_t *outlen)
{
	size_t nf = 0, body = 0;
	struct field *f = fields_of(msg, len, &nf, &body);
	if (f == NULL)
		return NULL;
	struct strbuf b = {0};
	strbuf_printf(&b, "Content-Type: multipart/mixed; boundary=\"%s\";\r\n"
		      " protected-headers=\"v1\"\r\n", boundary);
	for (size_t i = 0; i < nf; i++)
		if (is_protected(&f[i]))
			add_field(&b, &f[i]);
	strbuf_printf(&b, "\r\n--%s\r\n", boundary);
	for (size_t i = 0; i < nf; i++)
		if (is_content(&f[i]))
			add_field(&b, &f[i]);
	strbuf_puts(&b, "\r\n");
	strbuf_add(&b, msg + body, len - body);
	/* the line end before a delimiter belongs to it (RFC 2046 5.1.1):
	 * one more keeps the body's own last line end */
	if (len > body && msg[len - 1] != '\n')
		strbuf_puts(&b, "\r\n");
	strbuf_printf(&b, "\r\n--%s--\r\n", boundary);
	free(f);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	*outlen = b.len;
	return b.s;
}

void seal_content_type(const char *boundary, char *out, size_t outlen)
{
	snprintf(out, outlen, "multipart/encrypted; protocol=\"application/pgp-encrypted\";"
		 " boundary=\"%s\"", boundary);
}

/* The two RFC 3156 parts; the armour's line ends made CRLF. */
static void add_body(struct strbuf *b, const char *asc, size_t asclen, const char *boundary)
{
	strbuf_printf(b, "This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n"
		      "--%s\r\n"
		      "Content-Type: application/pgp-encrypted\r\n"
		      "Content-Description: PGP/MIME version identification\r\n"
		      "\r\n"
		      "Version: 1\r\n"
		      "\r\n"
		      "--%s\r\n"
		      "Content-Type: application/octet-stream; name=\"encrypted.asc\"\r\n"
		      "Content-Description: OpenPGP encrypted message\r\n"
		      "Content-Disposition: inline; filename=\"encrypted.asc\"\r\n"
		      "\r\n", boundary, boundary);
	size_t start = 0;
	for (size_t i = 0; i < asclen; i++) {
		if (asc[i] != '\n')
			continue;
		size_t end = i > start && asc[i - 1] == '\r' ? i - 1 : i;
		strbuf_add(b, asc + start, end - start);
		strbuf_puts(b, "\r\n");
		start = i + 1;
	}
	if (start < asclen) {
		strbuf_add(b, asc + start, asclen - start);
		strbuf_puts(b, "\r\n");
	}
	strbuf_printf(b, "\r\n--%s--\r\n", boundary);
}

char *seal_body(const char *asc, size_t asclen, const char *boundary, size_t *outlen)
{
	struct strbuf b = {0};
	add_body(&b, asc, asclen, boundary);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	*outlen = b.len;
	return b.s;
}

char *seal_build(const char *msg, size_t len, const char *asc, size_t asclen,
		 const char *boundary, const char *placeholder, size_t *outlen)
{
	size_t nf = 0, body = 0;
	struct field *f = fields_of(msg, len, &nf, &body);
	if (f == NULL)
		return NULL;
	struct strbuf b = {0};
	bool subject = false;
	for (size_t i = 0; i < nf; i++) {
		if (name_is(&f[i], "Subject")) {
			if (!subject)
				strbuf_printf(&b, "Subject: %s\r\n", placeholder);
			subject = true;
			continue;
		}
		if (is_outer(&f[i]))
			add_field(&b, &f[i]);
	}
	if (!subject)
		strbuf_printf(&b, "Subject: %s\r\n", placeholder);
	char ct[SEAL_TEXT_MAX * 2];
	seal_content_type(boundary, ct, sizeof ct);
	strbuf_printf(&b, "MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n", ct);
	add_body(&b, asc, asclen, boundary);
	free(f);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	*outlen = b.len;
	return b.s;
}

int seal_finish(const char *msg, size_t len, char *asc, size_t asclen, const char *boundary,
		const char *placeholder, char **out, size_t *outlen, char *err, size_t errlen)
{
	*out = seal_build(msg, len, asc, asclen, boundary, placeholder, outlen);
	free(asc);
	if (*out == NULL) {
		snprintf(err, errlen, "relay encryption: out of memory");
		return -1;
	}
	return 0;
}

int seal_fields(const char *msg, size_t len,
		void (*fn)(void *arg, const char *name, size_t namelen, int index), void *arg,
		int *subjects)
{
	size_t nf = 0, body = 0;
	*subjects = 0;
	struct field *f = fields_of(msg, len, &nf, &body);
	if (f == NULL)
		return -1;
	for (size_t i = 0; i < nf; i++) {
		if (name_is(&f[i], "Subject"))
			(*subjects)++;
		/* a line without a name is no field the MTA passes on */
		if (is_outer(&f[i]) || name_is(&f[i], "Subject") || f[i].namelen == 0)
			continue;
		int index = 1;
		for (size_t j = 0; j < i; j++)
			index += f[j].namelen == f[i].namelen &&
				 strncasecmp(f[j].start, f[i].start, f[i].namelen) == 0;
		fn(arg, f[i].start, f[i].namelen, index);
	}
	free(f);
	return 0;
}
