/*
 * release.c - the single-use release token: key file, message digest,
 * canonical recipients, HMAC-SHA256 (GLib GHmac), header format and
 * check.  See release.h.
 *
 * Public functions: release_key_load(), release_digest(), release_field_end(),
 * release_rcpts_canon(), release_mac(), release_token_format(),
 * release_token_parse(), release_token_check(), release_verdict_name(),
 * release_nonce_new().
 * Limits: see release.h; the parser reads at most RELEASE_HEADER_MAX bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grondslag/base/names.h"
#include "grondslag/decide/release.h"


static const char hexdig[] = "0123456789abcdef";

/* Bytes to lowercase hex. */
static void to_hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[b[i] >> 4];
		out[2 * i + 1] = hexdig[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Value of a lowercase hex digit, -1 otherwise. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Create path with a new random key (O_EXCL: two starts never race). */
static int key_create(const char *path, unsigned char key[RELEASE_KEY_LEN], char *err,
		      size_t errlen)
{
	if (getrandom(key, RELEASE_KEY_LEN, 0) != RELEASE_KEY_LEN) {
		snprintf(err, errlen, "ReleaseKeyFile %s: no random bytes", path);
		return -1;
	}
	char text[2 * RELEASE_KEY_LEN + 2];
	to_hex(key, RELEASE_KEY_LEN, text);
	strcat(text, "\n");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "ReleaseKeyFile %s: cannot create: %s", path, strerror(errno));
		return -1;
	}
	size_t len = strlen(text);
	int rc = fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0
			 ? 0 : -1;
	int saved = errno;
	if (close(fd) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		unlink(path);
		snprintf(err, errlen, "ReleaseKeyFile %s: cannot write: %s", path, strerror(saved));
	}
	return rc;
}

int release_key_load(const char *path, bool create, unsigned char key[RELEASE_KEY_LEN],
		     char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT && create)
			return key_create(path, key, err, errlen);
		snprintf(err, errlen, "ReleaseKeyFile %s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st = {0};
	/* one byte more than a key file has: a longer file is refused */
	char text[2 * RELEASE_KEY_LEN + 2];
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && (st.st_mode & 077) == 0)
		n = read(fd, text, sizeof text);
	close(fd);
	if ((st.st_mode & 077) != 0) {
		/* a key others can read lets them forge releases */
		snprintf(err, errlen, "ReleaseKeyFile %s: readable by others (mode %03o), want 0600",
			 path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	if (n != (ssize_t)sizeof text - 1 || text[2 * RELEASE_KEY_LEN] != '\n') {
		snprintf(err, errlen, "ReleaseKeyFile %s: not %d hex digits and a newline", path,
			 2 * RELEASE_KEY_LEN);
		return -1;
	}
	for (size_t i = 0; i < RELEASE_KEY_LEN; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, "ReleaseKeyFile %s: not lowercase hex", path);
			return -1;
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Is the field starting at f (name up to ':') one we leave out? */
static bool skip_field(const char *f, size_t len, const char *prefix)
{
	size_t plen = prefix != NULL ? strlen(prefix) : 0;
	if (len >= 9 && strncasecmp(f, "Received:", 9) == 0)
		return true;
	return plen > 0 && len >= plen && strncasecmp(f, prefix, plen) == 0;
}

size_t release_field_end(const char *data, size_t len, size_t pos)
{
	size_t end = pos;
	for (;;) {
		const char *nl = memchr(data + end, '\n', len - end);
		end = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (end >= len || (data[end] != ' ' && data[end] != '\t'))
			return end;
	}
}

void release_digest(const char *data, size_t len, const char *skip_prefix,
		    char out[RELEASE_DIGEST_HEX])
{
	GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
	size_t pos = 0;
	/* the header section: one field is a line plus its continuations */
	while (pos < len) {
		if (data[pos] == '\r' || data[pos] == '\n')
			break;		/* the blank line: the body follows */
		size_t end = release_field_end(data, len, pos);
		if (!skip_field(data + pos, end - pos, skip_prefix))
			g_checksum_update(cs, (const guchar *)data + pos, (gssize)(end - pos));
		pos = end;
	}
	if (pos < len)
		g_checksum_update(cs, (const guchar *)data + pos, (gssize)(len - pos));
	snprintf(out, RELEASE_DIGEST_HEX, "%s", g_checksum_get_string(cs));
	g_checksum_free(cs);
}

/* qsort comparison of two strings. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The address of a recipient without <>, its length in *len. */
static const char *bare_rcpt(const char *r, size_t *len)
{
	r = r != NULL ? r : "";
	size_t l = strlen(r);
	if (l >= 2 && r[0] == '<' && r[l - 1] == '>') {
		r++;
		l -= 2;
	}
	*len = l;
	return r;
}

bool release_rcpts_ok(const char *const *rcpts, size_t n)
{
	if (rcpts == NULL || n == 0 || n > RELEASE_MAX_RCPTS)
		return false;
	for (size_t i = 0; i < n; i++) {
		size_t l;
		const char *r = bare_rcpt(rcpts[i], &l);
		if (l == 0 || l > RCPT_TEXT_MAX || memchr(r, '\n', l) != NULL)
			return false;
	}
	return true;
}

char *release_rcpts_canon(const char *const *rcpts, size_t n)
{
	if (!release_rcpts_ok(rcpts, n))
		return NULL;
	char **v = calloc(n, sizeof *v);
	char *out = NULL;
	size_t total = 0, i;
	for (i = 0; v != NULL && i < n; i++) {
		size_t l;
		const char *r = bare_rcpt(rcpts[i], &l);
		if ((v[i] = g_ascii_strdown(r, (gssize)l)) == NULL)
			break;
		total += l + 1;
	}
	if (v != NULL && i == n && (out = malloc(total)) != NULL) {
		qsort(v, n, sizeof *v, cmp_str);
		size_t pos = 0;
		for (size_t k = 0; k < n; k++) {
			size_t l = strlen(v[k]);
			memcpy(out + pos, v[k], l);
			pos += l;
			out[pos++] = k + 1 < n ? '\n' : '\0';
		}
	}
	for (size_t k = 0; v != NULL && k < n; k++)
		g_free(v[k]);
	free(v);
	return out;
}

void release_mac(const unsigned char key[RELEASE_KEY_LEN], const char *ref, const char *nonce,
		 const char *digest, int64_t expires, const char *rcpts_canon,
		 char out[RELEASE_MAC_HEX])
{
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, RELEASE_KEY_LEN);
	char exp[32];
	snprintf(exp, sizeof exp, "%lld", (long long)expires);
	const char *parts[] = {"grondslag-release-v1", ref, nonce, digest, exp, rcpts_canon};
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		/* "\n" separates: no part may contain one (recipients are
		 * joined with it, but they are the last part) */
		if (i > 0)
			g_hmac_update(h, (const guchar *)"\n", 1);
		g_hmac_update(h, (const guchar *)parts[i], (gssize)strlen(parts[i]));
	}
	snprintf(out, RELEASE_MAC_HEX, "%s", g_hmac_get_string(h));
	g_hmac_unref(h);
}

bool release_token_format(const struct release_token *t, char *buf, size_t len)
{
	int n = snprintf(buf, len, "v1; ref=%s; nonce=%s; exp=%lld; mac=%s", t->ref, t->nonce,
			 (long long)t->expires, t->mac);
	return n > 0 && (size_t)n < len && (size_t)n <= RELEASE_HEADER_MAX;
}

/* Read "name=" then exactly want (0: up to 64) chars of set into out. */
static const char *take(const char *p, const char *name, const char *set, size_t want,
			char *out, size_t outlen)
{
	size_t nl = strlen(name);
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, name, nl) != 0)
		return NULL;
	p += nl;
	size_t n = strspn(p, set);
	if ((want != 0 && n != want) || n == 0 || n >= outlen)
		return NULL;
	memcpy(out, p, n);
	out[n] = '\0';
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == ';')
		return p + 1;
	return *p == '\0' ? p : NULL;
}

bool release_token_parse(const char *value, struct release_token *t)
{
	static const char refset[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ-";
	char exp[24];
	memset(t, 0, sizeof *t);
	if (value == NULL || strnlen(value, RELEASE_HEADER_MAX + 1) > RELEASE_HEADER_MAX)
		return false;
	const char *p = value;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "v1;", 3) != 0)
		return false;
	p += 3;
	p = take(p, "ref=", refset, 20, t->ref, sizeof t->ref);
	if (p != NULL)
		p = take(p, "nonce=", "0123456789abcdef", 32, t->nonce, sizeof t->nonce);
	if (p != NULL)
		p = take(p, "exp=", "0123456789", 0, exp, 19);
	if (p != NULL)
		p = take(p, "mac=", "0123456789abcdef", 64, t->mac, sizeof t->mac);
	if (p == NULL || *p != '\0' || t->ref[0] != 'G')
		return false;
	int64_t e = 0;
	for (const char *d = exp; *d; d++)
		e = e * 10 + (*d - '0');	/* at most 18 digits: no overflow */
	t->expires = e;
	return true;
}

enum release_verdict release_token_check(const unsigned char key[RELEASE_KEY_LEN],
					 const struct release_token *t, const char *digest,
					 const char *rcpts_canon, time_t now)
{
	if (t == NULL || digest == NULL || rcpts_canon == NULL || t->ref[0] == '\0')
		return RELEASE_MALFORMED;
	char want[RELEASE_MAC_HEX];
	release_mac(key, t->ref, t->nonce, digest, t->expires, rcpts_canon, want);
	/* constant time: a forger learns nothing from how long we took */
	unsigned diff = 0;
	for (size_t i = 0; i < RELEASE_MAC_HEX - 1; i++)
		diff |= (unsigned)(want[i] ^ t->mac[i]);
	if (diff != 0)
		return RELEASE_BAD_MAC;
	if ((int64_t)now >= t->expires)
		return RELEASE_EXPIRED;
	return RELEASE_OK;
}

static const struct name_value verdicts[] = {
	{"ok", RELEASE_OK},
	{"malformed", RELEASE_MALFORMED},
	{"bad-mac", RELEASE_BAD_MAC},
	{"expired", RELEASE_EXPIRED},
};

const char *release_verdict_name(enum release_verdict v)
{
	return name_of(verdicts, NAMES_LEN(verdicts), (int)v, "?");
}

bool release_nonce_new(char out[RELEASE_NONCE_HEX])
{
	unsigned char b[16];
	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		return false;
	to_hex(b, sizeof b, out);
	return true;
}
