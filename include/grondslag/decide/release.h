/*
 * release.h - the single-use release token: what proves to the
 * milter that a message comes from the daemon's own releaser, carries
 * exactly the message a jurist approved, and goes to exactly the
 * recipients approved.
 *
 * The releaser adds one header, HeaderName + "-Release" (by default
 * X-Grondslag-Release), to the stored original:
 *
 *   v1; ref=G20250314-7KQ2M9XH0T; nonce=<32 hex>; exp=<unix time>; mac=<64 hex>
 *
 * mac = HMAC-SHA256(key, "grondslag-release-v1\n" ref "\n" nonce "\n"
 * digest "\n" exp "\n" recipients), where digest is release_digest() of
 * the message and recipients the canonical list (release_rcpts_canon()).
 * The milter recomputes digest and recipients from what it receives, so an
 * altered body or header, another recipient, another hold or a changed
 * expiry gives another mac.  Single use is the store's part: the nonce's
 * row must be "issued" and is marked "used" in the transaction that
 * accepts it (store_release_use()).
 *
 * The key (RELEASE_KEY_LEN random bytes) is generated at first start and
 * kept in ReleaseKeyFile (mode 0600, 64 hex digits and a newline), read
 * by the daemon before it drops privileges; nothing else needs it.
 *
 * Public functions:
 *   release_key_load()     read the key file, creating it when absent
 *   release_digest()       SHA-256 over the message, Received: fields and
 *                          our own header fields left out
 *   release_field_end()    where a header field (with its continuation
 *                          lines) ends
 *   release_rcpts_canon()  sorted, lowercased, <> removed, "\n"-joined
 *   release_mac(), release_token_format(), release_token_parse(),
 *   release_token_check(), release_verdict_name(), release_nonce_new()
 * Limits: header value at most RELEASE_HEADER_MAX bytes; at most
 * RELEASE_MAX_RCPTS recipients of at most RCPT_TEXT_MAX bytes (limits.h:
 * every recipient the milter holds).
 */
#ifndef GRONDSLAG_RELEASE_H
#define GRONDSLAG_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/base/limits.h"

#define RELEASE_KEY_LEN 32
#define RELEASE_NONCE_HEX 33		/* 16 random bytes as hex, with NUL */
#define RELEASE_MAC_HEX 65
#define RELEASE_DIGEST_HEX 65
#define RELEASE_HEADER_MAX 300
#define RELEASE_MAX_RCPTS RCPTS_MAX	/* limits.h */
/* How long a token is valid after it is issued: long enough for a slow
 * relay, short enough that a copy found later is worthless. */
#define RELEASE_TOKEN_TTL 3600

struct release_token {
	char ref[32];
	char nonce[RELEASE_NONCE_HEX];
	int64_t expires;
	char mac[RELEASE_MAC_HEX];
};

enum release_verdict {
	RELEASE_OK,
	RELEASE_MALFORMED,	/* not a token of ours */
	RELEASE_BAD_MAC,	/* forged, or message/recipients/expiry altered */
	RELEASE_EXPIRED,
	RELEASE_VERDICT_COUNT
};

/* Read the key from path; when the file does not exist and create is
 * true, make one (O_EXCL, 0600, fsynced).  0, or -1 + err (a file of the
 * wrong size, mode readable by others, or no random bytes). */
int release_key_load(const char *path, bool create, unsigned char key[RELEASE_KEY_LEN],
		     char *err, size_t errlen);

/* SHA-256 hex of the message: every header field except Received: and
 * fields whose name starts with skip_prefix (case-insensitive), then the
 * body.  The MTA adds a Received: field on the way through, and our own
 * fields are stripped, so both ends hash the same bytes. */
void release_digest(const char *data, size_t len, const char *skip_prefix,
		    char out[RELEASE_DIGEST_HEX]);
/* The end of the header field starting at pos: after its line and every
 * continuation line (one starting with a space or a tab), at most len. */
size_t release_field_end(const char *data, size_t len, size_t pos);

/* The canonical list (malloc'ed), NULL when out of memory or when
 * release_rcpts_ok() refuses the list. */
char *release_rcpts_canon(const char *const *rcpts, size_t n);
/* Has the list a canonical form?  Not when n is 0 or over
 * RELEASE_MAX_RCPTS, or an address is empty, over RCPT_TEXT_MAX bytes
 * (without <>) or holds a line end.  So a caller tells a refused list
 * from out of memory. */
bool release_rcpts_ok(const char *const *rcpts, size_t n);

void release_mac(const unsigned char key[RELEASE_KEY_LEN], const char *ref, const char *nonce,
		 const char *digest, int64_t expires, const char *rcpts_canon,
		 char out[RELEASE_MAC_HEX]);

/* The header value of t; false when buf is too small. */
bool release_token_format(const struct release_token *t, char *buf, size_t len);
/* Parse a header value (bounded, strict); false when malformed. */
bool release_token_parse(const char *value, struct release_token *t);
/* Check the mac (constant time) and the expiry at now. */
enum release_verdict release_token_check(const unsigned char key[RELEASE_KEY_LEN],
					 const struct release_token *t, const char *digest,
					 const char *rcpts_canon, time_t now);
const char *release_verdict_name(enum release_verdict v);
/* 16 random bytes as hex; false when the kernel gives none. */
bool release_nonce_new(char out[RELEASE_NONCE_HEX]);

#endif
