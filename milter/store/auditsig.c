/*
 * auditsig.c - checkpoints of the audit chain, the pure part: the
 * canonical text that is signed, the line of the checkpoint file and the
 * details of the checkpoint record, each with a strict bounded parser
 * (see auditsig.h for the formats).
 *
 * Strict on purpose: every field has one spelling (no leading zeros,
 * fixed order, fixed case), so the text verified is rebuilt from parsed
 * fields and a parsed checkpoint formats back to the bytes it came from;
 * anything else is malformed, never "repaired".
 * Limits: AUDITSIG_LINE_MAX bytes per line, AUDITSIG_SIG_MAX signature
 * characters; numbers below 10^18.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/store/auditsig.h"
#include "grondslag/base/jsonr.h"

#define MAGIC "grondslag-audit-checkpoint v1"
#define NUM_MAX_DIGITS 18	/* below 10^18: no overflow of int64_t */

/* Is c allowed in a host name of the text? */
static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

/* Is c a base64 character (standard alphabet, '=' padding)? */
static bool b64_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/' || c == '=';
}

void auditsig_set_host(struct auditsig_checkpoint *cp, const char *name)
{
	size_t n = 0;
	for (const char *p = name ? name : ""; *p != '\0' && n < AUDITSIG_HOST_MAX; p++)
		cp->host[n++] = host_char(*p) ? *p : '_';
	cp->host[n] = '\0';
	if (n == 0)
		snprintf(cp->host, sizeof cp->host, "localhost");
}

/* Do the n bytes at s consist of ok characters only (n >= 1)? */
static bool all_of(const char *s, size_t n, bool (*ok)(char))
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ok(s[i]))
			return false;
	return true;
}

/* Lower-case hex digit (the hash)? */
static bool lhex_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Upper-case hex digit (the fingerprint)? */
static bool uhex_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Are the fields of cp in their one spelling?  sig may be "" unless
 * signed is asked for. */
static bool well_formed(const struct auditsig_checkpoint *cp, bool need_sig)
{
	size_t sl = strnlen(cp->sig, sizeof cp->sig);
	return cp->seq >= 1 && cp->seq < INT64_C(1000000000000000000) && cp->at >= 0 &&
	       cp->at < INT64_C(1000000000000000000) &&
	       strnlen(cp->hash, sizeof cp->hash) == AUDIT_HASH_HEX - 1 &&
	       all_of(cp->hash, AUDIT_HASH_HEX - 1, lhex_char) &&
	       strnlen(cp->key, sizeof cp->key) == REGSIG_FPR_LEN &&
	       all_of(cp->key, REGSIG_FPR_LEN, uhex_char) &&
	       all_of(cp->host, strnlen(cp->host, sizeof cp->host), host_char) &&
	       sl < sizeof cp->sig && (sl == 0 ? !need_sig : all_of(cp->sig, sl, b64_char));
}

char *auditsig_text(const struct auditsig_checkpoint *cp)
{
	if (cp == NULL || !well_formed(cp, false))
		return NULL;
	char *out = NULL;
	if (asprintf(&out, MAGIC "\nseq %" PRId64 "\nhash %s\nat %" PRId64 "\nhost %s\nkey %s\n",
		     cp->seq, cp->hash, cp->at, cp->host, cp->key) < 0)
		return NULL;
	return out;
}

char *auditsig_line(const struct auditsig_checkpoint *cp)
{
	if (cp == NULL || !well_formed(cp, true))
		return NULL;
	char *out = NULL;
	if (asprintf(&out, MAGIC " seq=%" PRId64 " hash=%s at=%" PRId64 " host=%s key=%s sig=%s\n",
		     cp->seq, cp->hash, cp->at, cp->host, cp->key, cp->sig) < 0)
		return NULL;
	return out;
}

/* Parse a decimal number in its one spelling (no sign, no leading zero). */
static bool parse_num(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > NUM_MAX_DIGITS || (s[0] == '0' && n > 1))
		return false;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Copy the n bytes at s into dst (size cap) when they are all ok. */
static bool parse_field(const char *s, size_t n, size_t want_len, size_t cap, bool (*ok)(char),
			char *dst)
{
	if ((want_len != 0 && n != want_len) || n >= cap || !all_of(s, n, ok))
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

/* The value of "name=" at *p up to the next blank (or the end); advances
 * *p past the blank.  false when the name is not there. */
static bool next_field(const char **p, const char *end, const char *name, const char **val,
		       size_t *vlen)
{
	size_t nl = strlen(name);
	if ((size_t)(end - *p) < nl + 1 || memcmp(*p, name, nl) != 0 || (*p)[nl] != '=')
		return false;
	*val = *p + nl + 1;
	const char *blank = memchr(*val, ' ', (size_t)(end - *val));
	*vlen = (size_t)((blank ? blank : end) - *val);
	*p = blank ? blank + 1 : end;
	return true;
}

int auditsig_parse_line(const char *line, size_t len, struct auditsig_checkpoint *cp, char *why,
			size_t whylen)
{
	memset(cp, 0, sizeof *cp);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	const char *p = line, *end = line + len;
	static const char *const names[] = {"seq", "hash", "at", "host", "key", "sig"};
	const char *v[6];
	size_t vl[6];
	if (len > AUDITSIG_LINE_MAX || memchr(line, '\n', len) != NULL ||
	    memchr(line, '\0', len) != NULL) {
		snprintf(why, whylen, "not one line of at most %d bytes", AUDITSIG_LINE_MAX);
		return -1;
	}
	if (len < sizeof MAGIC || memcmp(p, MAGIC " ", sizeof MAGIC) != 0) {
		snprintf(why, whylen, "does not start with \"" MAGIC "\"");
		return -1;
	}
	p += sizeof MAGIC;
	for (size_t i = 0; i < 6; i++) {
		if (!next_field(&p, end, names[i], &v[i], &vl[i])) {
			snprintf(why, whylen, "field %s missing or out of order", names[i]);
			return -1;
		}
		if (i < 5 && p == end) {
			snprintf(why, whylen, "field %s missing (truncated)", names[i + 1]);
			return -1;
		}
	}
	if (p != end || end[-1] == ' ') {
		snprintf(why, whylen, "text after the signature");
		return -1;
	}
	bool ok = parse_num(v[0], vl[0], &cp->seq) && cp->seq >= 1 &&
		  parse_field(v[1], vl[1], AUDIT_HASH_HEX - 1, sizeof cp->hash, lhex_char, cp->hash) &&
		  parse_num(v[2], vl[2], &cp->at) &&
		  parse_field(v[3], vl[3], 0, sizeof cp->host, host_char, cp->host) &&
		  parse_field(v[4], vl[4], REGSIG_FPR_LEN, sizeof cp->key, uhex_char, cp->key) &&
		  parse_field(v[5], vl[5], 0, sizeof cp->sig, b64_char, cp->sig);
	if (!ok) {
		snprintf(why, whylen, "a field has a value out of its form or range");
		memset(cp, 0, sizeof *cp);
		return -1;
	}
	return 0;
}

char *auditsig_details(const struct auditsig_checkpoint *cp)
{
	if (cp == NULL || !well_formed(cp, true))
		return NULL;
	struct audit_details *d = audit_details_new();
	audit_details_int(d, "seq", cp->seq);
	audit_details_str(d, "hash", cp->hash);
	audit_details_int(d, "at", cp->at);
	audit_details_str(d, "host", cp->host);
	audit_details_str(d, "key", cp->key);
	audit_details_str(d, "sig", cp->sig);
	return audit_details_finish(d);
}

/* The number member name of o, in its one spelling. */
static bool details_num(const struct jsonr_value *o, const char *name, int64_t *out)
{
	const struct jsonr_value *v = jsonr_get(o, name);
	const char *s = jsonr_type(v) == JSONR_NUMBER ? jsonr_str(v) : NULL;
	return s != NULL && parse_num(s, strlen(s), out);
}

/* The string member name of o, copied when all ok (len want_len if not 0). */
static bool details_str(const struct jsonr_value *o, const char *name, size_t want_len,
			size_t cap, bool (*ok)(char), char *dst)
{
	const struct jsonr_value *v = jsonr_get(o, name);
	const char *s = jsonr_type(v) == JSONR_STRING ? jsonr_str(v) : NULL;
	return s != NULL && parse_field(s, strlen(s), want_len, cap, ok, dst);
}

int auditsig_parse_details(const char *details, struct auditsig_checkpoint *cp, char *why,
			   size_t whylen)
{
	memset(cp, 0, sizeof *cp);
	/* a checkpoint's details are a few hundred bytes; a small tree */
	struct jsonr_limits lim = {.max_bytes = 2 * AUDITSIG_LINE_MAX, .max_depth = 2,
				   .max_values = 64};
	struct jsonr_error je;
	size_t len = details ? strlen(details) : 0;
	struct jsonr_doc *doc = details ? jsonr_parse(details, len, &lim, &je) : NULL;
	const struct jsonr_value *o = jsonr_root(doc);
	if (doc == NULL || jsonr_type(o) != JSONR_OBJECT) {
		snprintf(why, whylen, "details are not a JSON object");
		jsonr_free(doc);
		return -1;
	}
	bool ok = details_num(o, "seq", &cp->seq) && cp->seq >= 1 &&
		  details_str(o, "hash", AUDIT_HASH_HEX - 1, sizeof cp->hash, lhex_char, cp->hash) &&
		  details_num(o, "at", &cp->at) &&
		  details_str(o, "host", 0, sizeof cp->host, host_char, cp->host) &&
		  details_str(o, "key", REGSIG_FPR_LEN, sizeof cp->key, uhex_char, cp->key) &&
		  details_str(o, "sig", 0, sizeof cp->sig, b64_char, cp->sig);
	jsonr_free(doc);
	if (!ok) {
		snprintf(why, whylen, "details lack seq, hash, at, host, key or sig in their form");
		memset(cp, 0, sizeof *cp);
		return -1;
	}
	return 0;
}

void auditsig_file_path(const char *configured, const char *database, char *out, size_t outlen)
{
	if (configured != NULL && *configured != '\0')
		snprintf(out, outlen, "%s", configured);
	else
		snprintf(out, outlen, "%s.checkpoints", database ? database : "");
}
