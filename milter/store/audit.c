/*
 * audit.c - canonical records, their hashes and the chain check (see
 * audit.h).  GLib's GString builds the text, GChecksum hashes it.
 * Limits: AUDIT_DETAILS_MAX_KEYS keys per details object (more are
 * dropped, with "truncated":1), values cut to AUDIT_VALUE_MAX bytes.
 */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grondslag/store/audit.h"

static const char zero_hash[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

struct audit_pair {
	char *key;
	char *value;		/* already a JSON value: "..." or a number */
};

struct audit_details {
	struct audit_pair pairs[AUDIT_DETAILS_MAX_KEYS];
	size_t n;
	bool truncated, failed;
};

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-byte forms, surrogates, above U+10FFFF */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
		return 0;
	return len;
}

/* Append s as a canonical JSON string, at most max bytes of it. */
static void put_string(GString *out, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	if (n > max)
		n = max;
	g_string_append_c(out, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c == '"' || c == '\\') {
			g_string_append_c(out, '\\');
			g_string_append_c(out, (char)c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			g_string_append_printf(out, "\\u%04x", c);
			i++;
		} else {
			size_t len = utf8_len(p + i, n - i);
			if (len == 0) {
				g_string_append_c(out, '?');
				i++;
			} else {
				g_string_append_len(out, (const char *)p + i, (gssize)len);
				i += len;
			}
		}
	}
	g_string_append_c(out, '"');
}

struct audit_details *audit_details_new(void)
{
	return calloc(1, sizeof(struct audit_details));
}

/* Add key with an already-encoded JSON value (takes value). */
static void details_add(struct audit_details *d, const char *key, char *value)
{
	if (d == NULL || key == NULL || value == NULL) {
		if (d != NULL)
			d->failed = true;
		free(value);
		return;
	}
	if (d->n >= AUDIT_DETAILS_MAX_KEYS - 1) {
		d->truncated = true;
		free(value);
		return;
	}
	d->pairs[d->n].key = strdup(key);
	d->pairs[d->n].value = value;
	if (d->pairs[d->n].key == NULL)
		d->failed = true;
	d->n++;
}

void audit_details_str(struct audit_details *d, const char *key, const char *value)
{
	GString *g = g_string_new(NULL);
	put_string(g, value, AUDIT_VALUE_MAX);
	details_add(d, key, g_string_free(g, FALSE));
}

void audit_details_int(struct audit_details *d, const char *key, int64_t value)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%" PRId64, value);
	details_add(d, key, strdup(buf));
}

/* qsort order of keys (bytewise, as canonical JSON schemes do). */
static int pair_cmp(const void *a, const void *b)
{
	return strcmp(((const struct audit_pair *)a)->key, ((const struct audit_pair *)b)->key);
}

char *audit_details_finish(struct audit_details *d)
{
	if (d == NULL)
		return NULL;
	if (d->truncated)
		details_add(d, "truncated", strdup("1"));
	qsort(d->pairs, d->n, sizeof d->pairs[0], pair_cmp);
	GString *g = g_string_new("{");
	for (size_t i = 0; i < d->n; i++) {
		/* a key given twice keeps the first: canonical means unique */
		if (i > 0 && strcmp(d->pairs[i].key, d->pairs[i - 1].key) == 0)
			continue;
		if (g->len > 1)
			g_string_append_c(g, ',');
		put_string(g, d->pairs[i].key, 200);
		g_string_append_c(g, ':');
		g_string_append(g, d->pairs[i].value);
	}
	g_string_append_c(g, '}');
	bool failed = d->failed;
	for (size_t i = 0; i < d->n; i++) {
		free(d->pairs[i].key);
		free(d->pairs[i].value);
	}
	free(d);
	char *text = g_string_free(g, FALSE);
	if (failed) {
		g_free(text);
		return NULL;
	}
	/* GLib's allocator is malloc; copy anyway so free() is always right */
	char *out = strdup(text);
	g_free(text);
	return out;
}

char *audit_canonical(const struct audit_record *r)
{
	GString *g = g_string_new("{\"actor\":");
	put_string(g, r->actor, SIZE_MAX);
	g_string_append_printf(g, ",\"at\":%" PRId64 ",\"details\":", r->at);
	g_string_append(g, r->details ? r->details : "{}");
	g_string_append(g, ",\"event\":");
	put_string(g, r->event, SIZE_MAX);
	g_string_append(g, ",\"ref\":");
	put_string(g, r->ref, SIZE_MAX);
	g_string_append(g, ",\"role\":");
	put_string(g, r->role, SIZE_MAX);
	g_string_append_printf(g, ",\"seq\":%" PRId64 ",\"uid\":", r->seq);
	if (r->uid < 0)
		g_string_append(g, "null}");
	else
		g_string_append_printf(g, "%" PRId64 "}", r->uid);
	char *text = g_string_free(g, FALSE);
	char *out = strdup(text);
	g_free(text);
	return out;
}

int audit_hash(const struct audit_record *r, const char *prev_hash, char out[AUDIT_HASH_HEX])
{
	char *canon = audit_canonical(r);
	if (canon == NULL)
		return -1;
	GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
	const char *prev = prev_hash ? prev_hash : zero_hash;
	g_checksum_update(cs, (const guchar *)prev, (gssize)strlen(prev));
	g_checksum_update(cs, (const guchar *)"\n", 1);
	g_checksum_update(cs, (const guchar *)canon, (gssize)strlen(canon));
	snprintf(out, AUDIT_HASH_HEX, "%s", g_checksum_get_string(cs));
	g_checksum_free(cs);
	free(canon);
	return 0;
}

struct audit_verify {
	int64_t records, next_seq, bad_seq;
	char prev[AUDIT_HASH_HEX];
	char why[200];
	bool broken;
};

struct audit_verify *audit_verify_new(void)
{
	struct audit_verify *v = calloc(1, sizeof *v);
	if (v != NULL) {
		v->next_seq = 1;
		memcpy(v->prev, zero_hash, sizeof v->prev);
	}
	return v;
}

/* Mark the chain broken at seq, with why. */
static int broken(struct audit_verify *v, int64_t seq, const char *why)
{
	v->broken = true;
	v->bad_seq = seq;
	snprintf(v->why, sizeof v->why, "%s", why);
	return -1;
}

int audit_verify_row(struct audit_verify *v, const struct audit_record *r)
{
	if (v == NULL || v->broken)
		return -1;
	v->records++;
	char why[200];
	if (r->seq != v->next_seq) {
		/* a gap: the missing record is the first broken one */
		snprintf(why, sizeof why, "record %" PRId64 " is missing (the next is %" PRId64 ")",
			 v->next_seq, r->seq);
		return broken(v, v->next_seq, why);
	}
	if (strcmp(r->prev_hash, v->prev) != 0) {
		snprintf(why, sizeof why,
			 "record %" PRId64 " does not follow record %" PRId64
			 " (reordered, or a record before it replaced or deleted)",
			 r->seq, r->seq - 1);
		return broken(v, r->seq, why);
	}
	char h[AUDIT_HASH_HEX];
	if (audit_hash(r, v->prev, h) != 0)
		return broken(v, r->seq, "out of memory");
	if (strcmp(h, r->hash) != 0) {
		snprintf(why, sizeof why, "record %" PRId64 " was altered (its hash does not match)",
			 r->seq);
		return broken(v, r->seq, why);
	}
	memcpy(v->prev, h, sizeof v->prev);
	v->next_seq++;
	return 0;
}

bool audit_verify_result(const struct audit_verify *v, int64_t *records, int64_t *bad_seq,
			 const char **why, const char **head)
{
	if (records != NULL)
		*records = v->records;
	if (bad_seq != NULL)
		*bad_seq = v->broken ? v->bad_seq : 0;
	if (why != NULL)
		*why = v->broken ? v->why : "";
	if (head != NULL)
		*head = v->prev;
	return !v->broken;
}

void audit_verify_free(struct audit_verify *v)
{
	free(v);
}
