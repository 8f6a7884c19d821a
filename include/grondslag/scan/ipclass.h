/*
 * ipclass.h - is an address traceable to a provider?  Classification by the
 * IANA special-purpose address registries (IPv4 and IPv6), shipped in the
 * code with their source and date (see ipclass.c).
 *
 * An address is "public" when it is globally reachable unicast; everything
 * in a block the registries mark not globally reachable, and multicast, is
 * "special".  IPv4-mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96) and 6to4
 * (2002::/16) addresses embed an IPv4 address and are judged by it.
 *
 * Public functions:
 *   ipclass_addr()    scope of one address, and the name of the block
 *   ipclass_prefix()  scope of a prefix: special only when the whole prefix
 *                     lies inside special blocks; public otherwise
 *   ipclass_range()   the same for an inclusive range
 *   ipclass_scope_name()
 */
#ifndef GRONDSLAG_IPCLASS_H
#define GRONDSLAG_IPCLASS_H

#include "grondslag/base/ipaddr.h"

enum ip_scope { IP_SCOPE_PUBLIC, IP_SCOPE_SPECIAL };

/* block, when not NULL, gets a static name such as "RFC1918 10.0.0.0/8" or
 * "global" for public addresses. */
enum ip_scope ipclass_addr(const struct ip_addr *a, const char **block);
enum ip_scope ipclass_prefix(const struct ip_prefix *p);
enum ip_scope ipclass_range(const struct ip_addr *first, const struct ip_addr *last);

/* "public" or "special". */
const char *ipclass_scope_name(enum ip_scope s);

#endif
