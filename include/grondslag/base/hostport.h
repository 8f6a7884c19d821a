/*
 * hostport.h - "host:port" and "[v6-address]:port" as the configuration
 * spells a relay (NoticeRelay, ReleaseRelay, an anchor's mail relay).
 *
 * Why one parser: each SMTP client of the daemon and the CLI's anchor
 * check read the same form, and a relay that one accepts and another
 * refuses would fail only at the first notice, long after start-up.
 *
 * Public functions: hostport_parse().
 */
#ifndef GRONDSLAG_HOSTPORT_H
#define GRONDSLAG_HOSTPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Split s into host (buffer of hostlen) and port (of portlen: 1-5 digits).
 * False, with host and port untouched, for an empty host or port, a
 * missing colon, an unclosed bracket or a field that does not fit. */
bool hostport_parse(const char *s, char *host, size_t hostlen, char *port, size_t portlen);

#endif
