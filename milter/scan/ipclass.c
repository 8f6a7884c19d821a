/*
 * ipclass.c - is an address traceable?  The IANA special-purpose address
 * tables shipped as data, and prefix/range judgements over them.
 *
 * Source: IANA "IPv4 Special-Purpose Address Registry" and "IPv6
 * Special-Purpose Address Registry"
 * (https://www.iana.org/assignments/iana-ipv4-special-registry/,
 *  https://www.iana.org/assignments/iana-ipv6-special-registry/),
 * as summarised in the project's domain brief section 5; table date
 * 2025-01 (IPv6 includes 3fff::/20 (RFC 9637), 5f00::/16 (RFC 9602) and
 * 100:0:0:1::/64 (RFC 9780)).  Blocks are listed when the registry marks
 * them not globally reachable; multicast (224.0.0.0/4, ff00::/8) is listed
 * too, because a multicast group is not traceable to a provider.  Globally
 * reachable exceptions inside a listed block (192.0.0.9/32, 192.0.0.10/32,
 * and the 2001::/23 sub-blocks) are entries with scope public: the longest
 * matching entry decides.  Everything else, including unallocated space,
 * is public: the gate errs towards holding.
 *
 * IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16)
 * addresses embed an IPv4 address and take its scope.
 *
 * A prefix or range is special only when every address in it is special;
 * ipclass_range() walks the range segment by segment (a segment is a
 * stretch with one answer, cut at every table boundary), so it costs at
 * most a few dozen lookups whatever the size of the range.
 *
 * Public functions: ipclass_addr, ipclass_prefix, ipclass_range,
 * ipclass_scope_name.
 */
#include <string.h>

#include "grondslag/scan/ipclass.h"

__extension__ typedef unsigned __int128 u128;

/* How an entry answers. */
enum entry_kind { E_SPECIAL, E_PUBLIC, E_EMBED_LOW32, E_EMBED_6TO4 };

struct v4_entry {
	uint32_t start;
	uint8_t len;
	enum entry_kind kind;
	const char *name;
};

struct v6_entry {
	uint16_t g[8];		/* prefix groups */
	uint8_t len;
	enum entry_kind kind;
	const char *name;
};

#define V4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const struct v4_entry v4_table[] = {
	{V4(0, 0, 0, 0), 8, E_SPECIAL, "this-network 0.0.0.0/8"},
	{V4(10, 0, 0, 0), 8, E_SPECIAL, "private 10.0.0.0/8"},
	{V4(100, 64, 0, 0), 10, E_SPECIAL, "shared 100.64.0.0/10"},
	{V4(127, 0, 0, 0), 8, E_SPECIAL, "loopback 127.0.0.0/8"},
	{V4(169, 254, 0, 0), 16, E_SPECIAL, "link-local 169.254.0.0/16"},
	{V4(172, 16, 0, 0), 12, E_SPECIAL, "private 172.16.0.0/12"},
	{V4(192, 0, 0, 0), 24, E_SPECIAL, "ietf-protocol 192.0.0.0/24"},
	{V4(192, 0, 0, 9), 32, E_PUBLIC, "global"},	/* PCP anycast */
	{V4(192, 0, 0, 10), 32, E_PUBLIC, "global"},	/* TURN anycast */
	{V4(192, 0, 2, 0), 24, E_SPECIAL, "documentation 192.0.2.0/24"},
	{V4(192, 88, 99, 2), 32, E_SPECIAL, "6a44-relay 192.88.99.2/32"},
	{V4(192, 168, 0, 0), 16, E_SPECIAL, "private 192.168.0.0/16"},
	{V4(198, 18, 0, 0), 15, E_SPECIAL, "benchmarking 198.18.0.0/15"},
	{V4(198, 51, 100, 0), 24, E_SPECIAL, "documentation 198.51.100.0/24"},
	{V4(203, 0, 113, 0), 24, E_SPECIAL, "documentation 203.0.113.0/24"},
	{V4(224, 0, 0, 0), 4, E_SPECIAL, "multicast 224.0.0.0/4"},
	{V4(240, 0, 0, 0), 4, E_SPECIAL, "reserved 240.0.0.0/4"},
	{V4(255, 255, 255, 255), 32, E_SPECIAL, "broadcast 255.255.255.255/32"},
};

static const struct v6_entry v6_table[] = {
	{{0, 0, 0, 0, 0, 0, 0, 0}, 128, E_SPECIAL, "unspecified ::/128"},
	{{0, 0, 0, 0, 0, 0, 0, 1}, 128, E_SPECIAL, "loopback ::1/128"},
	{{0, 0, 0, 0, 0, 0xffff, 0, 0}, 96, E_EMBED_LOW32, "ipv4-mapped ::ffff:0:0/96"},
	{{0x64, 0xff9b, 0, 0, 0, 0, 0, 0}, 96, E_EMBED_LOW32, "nat64 64:ff9b::/96"},
	{{0x64, 0xff9b, 1, 0, 0, 0, 0, 0}, 48, E_SPECIAL, "local-translation 64:ff9b:1::/48"},
	{{0x100, 0, 0, 0, 0, 0, 0, 0}, 64, E_SPECIAL, "discard-only 100::/64"},
	{{0x100, 0, 0, 1, 0, 0, 0, 0}, 64, E_SPECIAL, "dummy 100:0:0:1::/64"},
	{{0x2001, 0, 0, 0, 0, 0, 0, 0}, 23, E_SPECIAL, "ietf-protocol 2001::/23"},
	{{0x2001, 1, 0, 0, 0, 0, 0, 1}, 128, E_PUBLIC, "global"},	/* PCP anycast */
	{{0x2001, 1, 0, 0, 0, 0, 0, 2}, 128, E_PUBLIC, "global"},	/* TURN anycast */
	{{0x2001, 1, 0, 0, 0, 0, 0, 3}, 128, E_PUBLIC, "global"},	/* DNS-SD SRP anycast */
	{{0x2001, 2, 0, 0, 0, 0, 0, 0}, 48, E_SPECIAL, "benchmarking 2001:2::/48"},
	{{0x2001, 3, 0, 0, 0, 0, 0, 0}, 32, E_PUBLIC, "global"},	/* AMT */
	{{0x2001, 4, 0x112, 0, 0, 0, 0, 0}, 48, E_PUBLIC, "global"},	/* AS112-v6 */
	{{0x2001, 0x20, 0, 0, 0, 0, 0, 0}, 28, E_PUBLIC, "global"},	/* ORCHIDv2 */
	{{0x2001, 0x30, 0, 0, 0, 0, 0, 0}, 28, E_PUBLIC, "global"},	/* DRIP DETs */
	{{0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}, 32, E_SPECIAL, "documentation 2001:db8::/32"},
	{{0x2002, 0, 0, 0, 0, 0, 0, 0}, 16, E_EMBED_6TO4, "6to4 2002::/16"},
	{{0x3fff, 0, 0, 0, 0, 0, 0, 0}, 20, E_SPECIAL, "documentation 3fff::/20"},
	{{0x5f00, 0, 0, 0, 0, 0, 0, 0}, 16, E_SPECIAL, "srv6-sid 5f00::/16"},
	{{0xfc00, 0, 0, 0, 0, 0, 0, 0}, 7, E_SPECIAL, "unique-local fc00::/7"},
	{{0xfe80, 0, 0, 0, 0, 0, 0, 0}, 10, E_SPECIAL, "link-local fe80::/10"},
	{{0xff00, 0, 0, 0, 0, 0, 0, 0}, 8, E_SPECIAL, "multicast ff00::/8"},
};

#define N_V4 (sizeof v4_table / sizeof v4_table[0])
#define N_V6 (sizeof v6_table / sizeof v6_table[0])

/* One classified stretch: its scope, name, and last address (as a number). */
struct segment {
	enum ip_scope scope;
	const char *name;
	u128 last;
};

static uint32_t v4_value(const struct ip_addr *a)
{
	return (uint32_t)a->octet[0] << 24 | (uint32_t)a->octet[1] << 16 |
	       (uint32_t)a->octet[2] << 8 | a->octet[3];
}

static u128 v6_value(const struct ip_addr *a)
{
	u128 x = 0;
	for (int i = 0; i < 16; i++)
		x = x << 8 | a->octet[i];
	return x;
}

static u128 v6_entry_start(const struct v6_entry *e)
{
	u128 x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 16 | e->g[i];
	return x;
}

/* Last address of a block of len bits starting at start (width bits wide). */
static u128 block_last(u128 start, unsigned len, unsigned width)
{
	if (len == 0)
		return width == 128 ? ~(u128)0 : (((u128)1 << width) - 1);
	return start | ((((u128)1) << (width - len)) - 1);
}

/* The IPv4 segment holding x: scope of the longest matching entry, up to
 * the next point where any entry starts or the matching one ends. */
static struct segment v4_segment(uint32_t x)
{
	struct segment sg = {IP_SCOPE_PUBLIC, "global", 0xffffffffu};
	int best = -1;

	for (size_t k = 0; k < N_V4; k++) {
		const struct v4_entry *e = &v4_table[k];
		u128 last = block_last(e->start, e->len, 32);
		if (e->start > x && e->start - 1 < sg.last)
			sg.last = e->start - 1;
		if (x >= e->start && x <= last && (best < 0 || e->len > v4_table[best].len))
			best = (int)k;
	}
	if (best >= 0) {
		const struct v4_entry *e = &v4_table[best];
		u128 last = block_last(e->start, e->len, 32);
		if (last < sg.last)
			sg.last = last;
		sg.scope = e->kind == E_SPECIAL ? IP_SCOPE_SPECIAL : IP_SCOPE_PUBLIC;
		sg.name = e->name;
	}
	return sg;
}

/* The IPv6 segment holding x; embedded IPv4 follows the IPv4 table. */
static struct segment v6_segment(u128 x)
{
	struct segment sg = {IP_SCOPE_PUBLIC, "global", ~(u128)0};
	int best = -1;

	for (size_t k = 0; k < N_V6; k++) {
		const struct v6_entry *e = &v6_table[k];
		u128 start = v6_entry_start(e), last = block_last(start, e->len, 128);
		if (start > x && start - 1 < sg.last)
			sg.last = start - 1;
		if (x >= start && x <= last && (best < 0 || e->len > v6_table[best].len))
			best = (int)k;
	}
	if (best < 0)
		return sg;
	const struct v6_entry *e = &v6_table[best];
	u128 last = block_last(v6_entry_start(e), e->len, 128);
	if (last < sg.last)
		sg.last = last;
	if (e->kind == E_EMBED_LOW32) {
		struct segment s4 = v4_segment((uint32_t)x);
		u128 hi = x & ~(u128)0xffffffffu;
		s4.last = hi | s4.last;
		return s4;
	}
	if (e->kind == E_EMBED_6TO4) {
		/* 2002:AABB:CCDD::/48 carries AA.BB.CC.DD */
		struct segment s4 = v4_segment((uint32_t)(x >> 80));
		u128 top = x & ((u128)0xffff << 112);
		s4.last = top | (s4.last << 80) | (((u128)1 << 80) - 1);
		return s4;
	}
	sg.scope = e->kind == E_SPECIAL ? IP_SCOPE_SPECIAL : IP_SCOPE_PUBLIC;
	sg.name = e->name;
	return sg;
}

/* The segment holding address a. */
static struct segment segment_of(const struct ip_addr *a)
{
	if (a->family == IP_V4)
		return v4_segment(v4_value(a));
	return v6_segment(v6_value(a));
}

enum ip_scope ipclass_addr(const struct ip_addr *a, const char **block)
{
	struct segment sg = segment_of(a);

	if (block != NULL)
		*block = sg.scope == IP_SCOPE_SPECIAL ? sg.name : "global";
	return sg.scope;
}

enum ip_scope ipclass_range(const struct ip_addr *first, const struct ip_addr *last)
{
	if (first->family != last->family || ip_addr_cmp(first, last) > 0)
		return IP_SCOPE_PUBLIC;	/* not a range we can vouch for */
	bool v4 = first->family == IP_V4;
	u128 x = v4 ? v4_value(first) : v6_value(first);
	u128 end = v4 ? v4_value(last) : v6_value(last);

	/* at most one segment per table boundary (plus embedded IPv4 ones) */
	for (unsigned guard = 0; guard < 4 * (N_V4 + N_V6) * 2 + 8; guard++) {
		struct segment sg = v4 ? v4_segment((uint32_t)x) : v6_segment(x);
		if (sg.scope == IP_SCOPE_PUBLIC)
			return IP_SCOPE_PUBLIC;
		if (sg.last >= end)
			return IP_SCOPE_SPECIAL;
		x = sg.last + 1;
	}
	return IP_SCOPE_PUBLIC;
}

enum ip_scope ipclass_prefix(const struct ip_prefix *p)
{
	struct ip_addr first, last;

	ip_prefix_first(p, &first);
	ip_prefix_last(p, &last);
	return ipclass_range(&first, &last);
}

const char *ipclass_scope_name(enum ip_scope s)
{
	return s == IP_SCOPE_SPECIAL ? "special" : "public";
}
