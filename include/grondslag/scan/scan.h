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

#include <stddef.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/geo.h"
#include "grondslag/scan/walk.h"

struct scan_options {
	struct walk_limits limits;
	unsigned threshold;	/* ProviderTraceableThreshold */
	struct geo *geo;	/* NULL: no enrichment (country/asn unknown) */
};

struct findings *scan_message(const struct scan_options *o, const char *msg, size_t len);

#endif
