/*
 * ipaddr.h - the address value type shared by every module.
 *
 * An ip_addr is a plain value (no allocation): family plus 16 octets in
 * network order.  IPv4 uses octet[0..3] and leaves the rest zero, so two
 * addresses compare equal with memcmp on the whole struct.  An IPv4-mapped
 * IPv6 address written as such (::ffff:192.0.2.1) stays IPv6 here; the
 * classifier judges the embedded IPv4 address (see ipclass.h).
 *
 * Public functions:
 *   ip_addr_parse()   strict parse of one textual address (no defanging,
 *                     no zone id), for configuration, registry and tests
 *   ip_addr_format()  RFC 5952 canonical text (IPv4 dotted quad)
 *   ip_addr_cmp()     total order: IPv4 before IPv6, then octets
 *   ip_prefix_parse() strict "addr/len"
 *   ip_prefix_contains()
 *   ip_prefix_first() / ip_prefix_last()  the first and last address of a
 *                     prefix (for range checks such as ipclass_prefix())
 */
#ifndef GRONDSLAG_IPADDR_H
#define GRONDSLAG_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ip_family { IP_V4 = 4, IP_V6 = 6 };

struct ip_addr {
	uint8_t family;		/* enum ip_family */
	uint8_t octet[16];
};

/* Longest text ip_addr_format() writes, with the NUL ("ffff:...:255.255.255.255"). */
#define IP_ADDR_TEXT_MAX 46
/* Longest prefix text, with the NUL ("addr/128"). */
#define IP_PREFIX_TEXT_MAX (IP_ADDR_TEXT_MAX + 4)

struct ip_prefix {
	struct ip_addr addr;	/* host bits cleared */
	uint8_t len;		/* 0..32 or 0..128 */
};

/* Parse exactly one address filling the whole string; false on anything else. */
bool ip_addr_parse(const char *text, struct ip_addr *out);

/* RFC 5952 text into buf (size >= IP_ADDR_TEXT_MAX); returns buf. */
char *ip_addr_format(const struct ip_addr *a, char *buf, size_t size);

/* memcmp-like total order. */
int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b);

/* Parse "addr/len" (host bits must be zero unless allow_host_bits). */
bool ip_prefix_parse(const char *text, bool allow_host_bits, struct ip_prefix *out);

/* "addr/len" text into buf (size >= IP_PREFIX_TEXT_MAX); returns buf. */
char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t size);

/* True when a lies inside p (same family). */
bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a);

/* First (host bits zero) and last (host bits one) address of p. */
void ip_prefix_first(const struct ip_prefix *p, struct ip_addr *first);
void ip_prefix_last(const struct ip_prefix *p, struct ip_addr *last);

#endif
