/*
 * ipaddr.c - the address value type: strict parsing, RFC 5952 formatting,
 * ordering and prefixes.
 *
 * These parsers are for trusted-format text (configuration, registry,
 * tests), so they are strict: one address filling the whole string, no
 * defanging, no zone id, no leading zeros in IPv4 octets (they are octal to
 * inet_aton() and decimal to everyone else, so we refuse to guess), at most
 * four hex digits per IPv6 group.  Finding addresses in free text is the
 * job of ipscan.c, which has its own bounded parser.
 *
 * Public functions: ip_addr_parse, ip_addr_format, ip_addr_cmp,
 * ip_prefix_parse, ip_prefix_format, ip_prefix_contains, ip_prefix_last.
 */
#include <stdio.h>
#include <string.h>

#include "grondslag/base/ipaddr.h"

/* Value of one hex digit, or -1. */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse a dotted quad at s into o[0..3]; returns the end or NULL. */
static const char *parse_v4(const char *s, uint8_t o[4])
{
	for (int k = 0; k < 4; k++) {
		if (k > 0 && *s++ != '.')
			return NULL;
		if (*s < '0' || *s > '9')
			return NULL;
		unsigned v = 0;
		int n = 0;
		while (*s >= '0' && *s <= '9' && n < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			n++;
		}
		/* too many digits, leading zero, or out of range */
		if (n > 3 || (n > 1 && s[-n] == '0') || v > 255)
			return NULL;
		o[k] = (uint8_t)v;
	}
	return s;
}

/* Parse RFC 4291 text at s into o[0..15]; returns the end or NULL. */
static const char *parse_v6(const char *s, uint8_t o[16])
{
	uint16_t g[8];
	int n = 0, dc = -1;

	if (s[0] == ':') {
		if (s[1] != ':')
			return NULL;
		dc = 0;
		s += 2;
		if (hexval(*s) < 0)
			goto done;	/* "::" */
	}
	for (;;) {
		const char *start = s;
		unsigned v = 0;
		while (hexval(*s) >= 0 && s - start < 5)
			v = v * 16 + (unsigned)hexval(*s++);
		if (s == start || s - start > 4)
			return NULL;
		if (*s == '.') {
			/* embedded IPv4 takes the last two groups */
			uint8_t q[4];
			if (n > 6 || (dc < 0 && n != 6))
				return NULL;
			s = parse_v4(start, q);
			if (s == NULL)
				return NULL;
			g[n++] = (uint16_t)(q[0] << 8 | q[1]);
			g[n++] = (uint16_t)(q[2] << 8 | q[3]);
			break;
		}
		g[n++] = (uint16_t)v;
		if (n == 8 || *s != ':')
			break;
		s++;
		if (*s == ':') {
			if (dc >= 0)
				return NULL;
			dc = n;
			s++;
			if (hexval(*s) < 0)
				break;	/* ends with "::" */
		}
	}
done:
	if ((dc < 0 && n != 8) || (dc >= 0 && n > 7))
		return NULL;
	memset(o, 0, 16);
	int tail = dc < 0 ? 0 : n - dc;
	for (int i = 0; i < n - tail; i++) {
		o[2 * i] = (uint8_t)(g[i] >> 8);
		o[2 * i + 1] = (uint8_t)g[i];
	}
	for (int i = 0; i < tail; i++) {
		int at = 8 - tail + i;
		o[2 * at] = (uint8_t)(g[n - tail + i] >> 8);
		o[2 * at + 1] = (uint8_t)g[n - tail + i];
	}
	return s;
}

/* Parse one address starting at text; returns its end or NULL. */
static const char *parse_any(const char *text, struct ip_addr *out)
{
	struct ip_addr a;
	const char *e;

	memset(&a, 0, sizeof a);
	/* IPv6 when a ':' comes before any '.', '/' or end */
	const char *p = text;
	while (*p && *p != ':' && *p != '.' && *p != '/' && p - text < 8)
		p++;
	if (*p == ':') {
		a.family = IP_V6;
		e = parse_v6(text, a.octet);
	} else {
		a.family = IP_V4;
		e = parse_v4(text, a.octet);
	}
	if (e != NULL)
		*out = a;
	return e;
}

bool ip_addr_parse(const char *text, struct ip_addr *out)
{
	struct ip_addr a;
	const char *e;

	if (text == NULL)
		return false;
	e = parse_any(text, &a);
	if (e == NULL || *e != '\0')
		return false;
	*out = a;
	return true;
}

/* Bytes left in buf after writing n (snprintf-style clamp). */
static size_t advance(size_t used, int n, size_t size)
{
	if (n < 0)
		return size;
	used += (size_t)n;
	return used > size ? size : used;
}

/* True for ::ffff:0:0/96, shown in mixed notation (RFC 5952 section 5). */
static bool is_v4mapped(const uint8_t o[16])
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return memcmp(o, pre, 12) == 0;
}

char *ip_addr_format(const struct ip_addr *a, char *buf, size_t size)
{
	const uint8_t *o = a->octet;
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == IP_V4) {
		snprintf(buf, size, "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
		return buf;
	}
	if (is_v4mapped(o)) {
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", o[12], o[13], o[14], o[15]);
		return buf;
	}
	uint16_t g[8];
	for (int i = 0; i < 8; i++)
		g[i] = (uint16_t)(o[2 * i] << 8 | o[2 * i + 1]);
	/* longest run of two or more zero groups, the first one on a tie */
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			used = advance(used, snprintf(buf + used, size - used, "::"), size);
			i += bestlen - 1;
			continue;
		}
		const char *sep = (i > 0 && i != best + bestlen) ? ":" : "";
		used = advance(used, snprintf(buf + used, size - used, "%s%x", sep, g[i]), size);
	}
	return buf;
}

int ip_addr_cmp(const struct ip_addr *a, const struct ip_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->octet, b->octet, 16);
}

/* Number of address bits for a family. */
static unsigned family_bits(const struct ip_addr *a)
{
	return a->family == IP_V4 ? 32 : 128;
}

/* True when any bit at position >= len is set. */
static bool has_host_bits(const struct ip_addr *a, unsigned len)
{
	unsigned bits = family_bits(a);
	for (unsigned i = len; i < bits; i++)
		if (a->octet[i / 8] & (0x80u >> (i % 8)))
			return true;
	return false;
}

/* Set (ones) or clear all bits at position >= len. */
static void fill_host_bits(struct ip_addr *a, unsigned len, bool ones)
{
	unsigned bits = family_bits(a);
	for (unsigned i = len; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));
		if (ones)
			a->octet[i / 8] |= m;
		else
			a->octet[i / 8] &= (uint8_t)~m;
	}
}

bool ip_prefix_parse(const char *text, bool allow_host_bits, struct ip_prefix *out)
{
	struct ip_addr a;
	const char *e;

	if (text == NULL)
		return false;
	e = parse_any(text, &a);
	if (e == NULL || *e != '/')
		return false;
	e++;
	unsigned len = 0;
	int n = 0;
	while (*e >= '0' && *e <= '9' && n < 4) {
		len = len * 10 + (unsigned)(*e++ - '0');
		n++;
	}
	if (n == 0 || n > 3 || (n > 1 && e[-n] == '0') || *e != '\0' || len > family_bits(&a))
		return false;
	if (!allow_host_bits && has_host_bits(&a, len))
		return false;
	fill_host_bits(&a, len, false);
	out->addr = a;
	out->len = (uint8_t)len;
	return true;
}

char *ip_prefix_format(const struct ip_prefix *p, char *buf, size_t size)
{
	char a[IP_ADDR_TEXT_MAX];

	ip_addr_format(&p->addr, a, sizeof a);
	if (size > 0)
		snprintf(buf, size, "%s/%u", a, (unsigned)p->len);
	return buf;
}

bool ip_prefix_contains(const struct ip_prefix *p, const struct ip_addr *a)
{
	if (p->addr.family != a->family || p->len > family_bits(a))
		return false;
	unsigned full = p->len / 8, rest = p->len % 8;
	if (memcmp(p->addr.octet, a->octet, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xffu << (8 - rest));
	return (p->addr.octet[full] & m) == (a->octet[full] & m);
}

void ip_prefix_last(const struct ip_prefix *p, struct ip_addr *last)
{
	*last = p->addr;
	fill_host_bits(last, p->len, true);
}

void ip_prefix_first(const struct ip_prefix *p, struct ip_addr *first)
{
	*first = p->addr;
	fill_host_bits(first, p->len, false);
}
