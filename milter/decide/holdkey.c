/*
 * holdkey.c - the retry key of a held message (see holdkey.h).
 *
 * Public functions: holdkey_compute().
 * Limits: a Message-ID of at most 998 bytes; header fields as
 * release_digest() splits them (a line plus its continuations).
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grondslag/decide/holdkey.h"
#include "grondslag/decide/release.h"

#define MSGID_MAX 998

/* Trace and transport fields: added or changed by each relay and retry.
 * Date too: the originator sets it once, but an MTA adds one of its own
 * to a message without it (Postfix does for its local clients), which
 * differs on every retry; the Message-ID still tells messages apart. */
static const char *const trace_fields[] = {
	"Received:", "Return-Path:", "Delivered-To:", "X-Original-To:", "DKIM-Signature:",
	"ARC-", "Authentication-Results:", "Received-SPF:", "Date:",
};

/* Is the field at f (len bytes, name up to ':') left out of the digest? */
static bool is_trace(const char *f, size_t len, const char *prefix)
{
	for (size_t i = 0; i < sizeof trace_fields / sizeof trace_fields[0]; i++) {
		size_t n = strlen(trace_fields[i]);
		if (len >= n && strncasecmp(f, trace_fields[i], n) == 0)
			return true;
	}
	size_t pl = prefix != NULL ? strlen(prefix) : 0;
	return pl > 0 && len >= pl && strncasecmp(f, prefix, pl) == 0;
}

/* The Message-ID field's value, unfolded and trimmed, into out. */
static bool take_msgid(const char *f, size_t len, char *out, size_t outlen)
{
	static const char name[] = "Message-ID:";
	size_t nl = sizeof name - 1, o = 0;
	if (len < nl || strncasecmp(f, name, nl) != 0)
		return false;
	for (size_t i = nl; i < len && o + 1 < outlen; i++)
		if (f[i] != '\r' && f[i] != '\n' && !((f[i] == ' ' || f[i] == '\t') && o == 0))
			out[o++] = f[i];
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = '\0';
	return o > 0;
}

/* Digest of the body and the non-trace fields; the Message-ID in msgid. */
static void content_digest(const struct holdkey_input *in, GChecksum *cs, char *msgid,
			   size_t msgidlen)
{
	const char *data = in->data;
	size_t len = in->len, pos = 0;
	while (pos < len) {
		if (data[pos] == '\r' || data[pos] == '\n')
			break;		/* the blank line: the body follows */
		size_t end = release_field_end(data, len, pos);
		if (msgid[0] == '\0')
			take_msgid(data + pos, end - pos, msgid, msgidlen);
		if (!is_trace(data + pos, end - pos, in->header_prefix))
			g_checksum_update(cs, (const guchar *)data + pos, (gssize)(end - pos));
		pos = end;
	}
	if (pos < len)
		g_checksum_update(cs, (const guchar *)data + pos, (gssize)(len - pos));
}

/* SHA-256 hex of the parts, each ended by a NUL (no part holds one). */
static void key_of(const char *const *parts, size_t n, char out[HOLDKEY_HEX])
{
	GChecksum *key = g_checksum_new(G_CHECKSUM_SHA256);
	for (size_t i = 0; i < n; i++)
		g_checksum_update(key, (const guchar *)parts[i], (gssize)strlen(parts[i]) + 1);
	g_strlcpy(out, g_checksum_get_string(key), HOLDKEY_HEX);
	g_checksum_free(key);
}

int holdkey_compute(const struct holdkey_input *in, char retry[HOLDKEY_HEX],
		    char message[HOLDKEY_HEX])
{
	retry[0] = message[0] = '\0';
	const char *sender[] = {in != NULL && in->sender != NULL && in->sender[0] ? in->sender
										: "<>"};
	if (in == NULL || in->data == NULL || in->sender == NULL || in->nrcpts == 0 ||
	    in->nheld == 0 || !release_rcpts_ok(in->rcpts, in->nrcpts) ||
	    !release_rcpts_ok(in->held, in->nheld) || !release_rcpts_ok(sender, 1))
		return 0;
	char msgid[MSGID_MAX + 1] = "";
	GChecksum *body = g_checksum_new(G_CHECKSUM_SHA256);
	content_digest(in, body, msgid, sizeof msgid);
	/* the lists are good (above): NULL is out of memory */
	char *rcpts = release_rcpts_canon(in->rcpts, in->nrcpts);
	char *held = release_rcpts_canon(in->held, in->nheld);
	char *from = release_rcpts_canon(sender, 1);
	int rc = rcpts == NULL || held == NULL || from == NULL ? -1 : msgid[0] != '\0';
	if (rc == 1) {
		const char *digest = g_checksum_get_string(body);
		const char *r[] = {"grondslag-hold-retry-v1", msgid, from, rcpts, held, digest};
		const char *m[] = {"grondslag-message-v1", msgid, from, digest};
		key_of(r, sizeof r / sizeof r[0], retry);
		key_of(m, sizeof m / sizeof m[0], message);
	}
	g_checksum_free(body);
	free(rcpts);
	free(held);
	free(from);
	return rc;
}
