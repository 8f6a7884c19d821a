/*
 * scan.h - scan one whole message: walk its carriers (walk.h), run the IP
 * scanner (ipscan.h) and the incident markers (markers.h) over every text
 * stream, record it all in a findings, enrich public addresses with geo
 * data once each, derive the categories.  This is the one entry point the
 * CLI and the milter use; it knows nothing of either.
 *
 * Public functions:
 *   scan_message()   findings for one message, never NULL unless out of
 *                    memory; unreadable content is in the findings as
 *                    unscannable, never an error
 */
#ifndef GRONDSLAG_SCAN_H
#define GRONDSLAG_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/geo.h"
#include "grondslag/scan/walk.h"

struct scan_options {
	struct walk_limits limits;
	unsigned threshold;	/* ProviderTraceableThreshold */
	struct geo *geo;	/* NULL: no enrichment (country/asn unknown) */
	unsigned email_threshold;	/* PersonalDataThreshold (0: 1) */
	unsigned host_threshold;	/* HostnameThreshold (0: 1) */
	/* the organisation's own domains (registry own_domains and
	 * InternalDomains): neither its people nor its hosts are counted */
	const char *const *own_domains;
	size_t nown;
	/* PublicServiceDomains: hosts under them are not victims */
	const char *const *public_domains;
	size_t npublic;
	/* text streams of at least this many bytes have their identifiers
	 * scanned on a second thread, with the same findings (0: 1 MiB when
	 * the machine has a second processor; SIZE_MAX: never) */
	size_t parallel_min;
	size_t max_entries;	/* findings_set_max_entries (0: its default) */
};

/* Is the domain of an identifier under an own domain (or, for a host,
 * under a public service)? */
bool scan_domain_excluded(const struct scan_options *o, const char *domain, size_t len,
			  bool host);

struct findings *scan_message(const struct scan_options *o, const char *msg, size_t len);

#endif
