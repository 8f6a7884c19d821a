/*
 * ipscan.h - the hand-written hot scanner: IP addresses, prefixes and
 * ranges in arbitrary (hostile) text.
 *
 * The scanner is streaming: feed it a stream in chunks of any size with
 * ipscan_update() and close it with ipscan_finish(); a token split across
 * two chunks is found exactly as if the stream had come in one piece.  It
 * never allocates per byte or per match and never reads outside the
 * buffers it is given.  What counts as an address, and which look-alikes
 * (version strings, OIDs, dotted numbers inside longer tokens) do not, is
 * specified by the tests in tests/unit/test_ipscan.c.
 *
 * Recognised forms: IPv4 dotted quad; every RFC 4291 IPv6 text form
 * (compressed, embedded IPv4); CIDR "a/len"; ranges "a-b" (both ends of
 * one family, a <= b) and "a.b.c.d-e" (last octet, d < e); defanged
 * separators "[.]" "(.)" "{.}" "[dot]" "(dot)" "{dot}" and "[:]"
 * (match->defanged is set).  An IPv6 zone id ("%eth0")
 * makes the token not an address.
 *
 * Decisions (each pinned by a test):
 *  - IPv4 octets with leading zeros are decimal ("010.001.002.003" is
 *    10.1.2.3, as sorted exports write it); padding of another shape
 *    ("3.0.000.115") is a version context.
 *  - Context rule: a version or OID context (version words or a
 *    comparison before, "name (x.y.z.w)", LDAP schema keywords, a word
 *    glued by '-' or '_', a changelog stream) lowers a token that stands
 *    alone; four or more tokens in list form (alone on their lines or in
 *    their cells, joined by commas, semicolons, blanks, or a column of
 *    consecutive lines that begin alike) always count.
 *    Such a token is reported once the tokens after it show whether it is
 *    in a list (at most three are held; order is kept).
 *  - "1.2.3.4/33" (an invalid length) reports the address alone; so does
 *    any other "/..." that is not a valid length or IPv4 netmask.
 *  - A range allows up to four blanks around '-' (or an en dash); a
 *    reversed or mixed-family pair is reported as two addresses.
 *  - "::" alone, IPv6 tokens with no decimal digit and fewer than three
 *    groups ("a::b"), and eight two-digit groups (MAC/WWN) are not
 *    reported; "::1" and "fe80::" are.
 *  - A token glued to a word, or to '.', '-', '+', '~' followed by one,
 *    is not an address: "1.2.3.4-1", "v2.1.1.108", "1.2.3.4.5", OIDs;
 *    except a word glued before by '-' or '_' ("host-1.2.3.4"), which
 *    the context rule decides.
 *  - Bytes >= 0x80 (UTF-8 punctuation, NBSP) delimit like spaces.
 *  - No token is longer than about 200 bytes; longer runs are refused.
 *
 * Public functions:
 *   ipscan_alloc()    new scanner calling fn(arg, match) for every match
 *   ipscan_update()   scan the next chunk of the current stream
 *   ipscan_finish()   end the stream: flush a token held at the chunk edge,
 *                     then reset for the next stream (offsets restart at 0)
 *   ipscan_free()
 *   ipscan_buffer()   one-shot convenience over a whole buffer
 */
#ifndef GRONDSLAG_IPSCAN_H
#define GRONDSLAG_IPSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/base/ipaddr.h"

enum ipscan_kind {
	IPSCAN_ADDR,		/* one address: addr */
	IPSCAN_PREFIX,		/* addr/prefixlen, host bits cleared in addr */
	IPSCAN_RANGE		/* addr .. end, inclusive, addr <= end */
};

struct ipscan_match {
	enum ipscan_kind kind;
	struct ip_addr addr;
	struct ip_addr end;	/* IPSCAN_RANGE only */
	uint8_t prefixlen;	/* IPSCAN_PREFIX only */
	bool defanged;		/* written with a defanged separator */
	uint64_t offset;	/* offset of the token's first byte in the stream */
};

/* Called once per match, in stream order.  Return 0 to go on, non-zero to
 * make the scanner drop the rest of the stream (ipscan_update() then
 * returns that value until ipscan_finish()). */
typedef int ipscan_fn(void *arg, const struct ipscan_match *m);

struct ipscan;

struct ipscan *ipscan_alloc(ipscan_fn *fn, void *arg);
int ipscan_update(struct ipscan *s, const char *buf, size_t len);
int ipscan_finish(struct ipscan *s);
void ipscan_free(struct ipscan *s);

/* Scan buf as one whole stream; returns the callback's stop value or 0. */
int ipscan_buffer(const char *buf, size_t len, ipscan_fn *fn, void *arg);

#endif
