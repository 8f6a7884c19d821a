/*
 * geo.h - country and ASN of public addresses through libmaxminddb.
 *
 * Database files and the lookup paths inside their records are
 * configurable, because layouts differ: GeoIP2/GeoLite2 use
 * "country.iso_code" and "autonomous_system_number", the CC0
 * @ip-location-db databases use "country_code".  Both databases are opened
 * (and checked by a probe lookup) at start, so a missing or corrupt file is
 * a clear error then and never a crash while scanning.  Geo is evidence,
 * not truth: no answer leaves country "" / asn 0, and the policy holds.
 *
 * Public functions:
 *   geo_open()        open both databases (either file may be NULL = none)
 *   geo_close()
 *   geo_lookup()      country and ASN of one address
 *   geo_enrich()      fill every public address of a findings once
 *   geo_lookups()     how many lookups were made (statistics, tests)
 */
#ifndef GRONDSLAG_GEO_H
#define GRONDSLAG_GEO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/scan/findings.h"

struct geo;

struct geo_options {
	const char *country_db;		/* file, NULL = no country data */
	const char *country_path;	/* dotted path, e.g. "country.iso_code" */
	const char *asn_db;		/* file, NULL = no ASN data */
	const char *asn_path;		/* e.g. "autonomous_system_number" */
	/* false (the daemon): look up in a private copy taken at open, so no
	 * way of updating the files can pull pages from under a lookup;
	 * true (a one-shot command): map the files themselves, sparing each
	 * run the copy (~13 ms of CPU for the default 19 MB) - a file
	 * rewritten in place during the run can end that run, nothing else */
	bool map_in_place;
};

/* On failure returns NULL and writes a one-line reason into err. */
struct geo *geo_open(const struct geo_options *o, char *err, size_t errlen);
void geo_close(struct geo *g);

/* country: char[3], "" when unknown; *asn 0 when unknown.  Returns 0 on a
 * clean lookup (found or not), -1 on a database error. */
int geo_lookup(struct geo *g, const struct ip_addr *a, char country[3], uint32_t *asn);

/* Look up each distinct public address of f once; returns the number of
 * database errors (addresses left unknown). */
size_t geo_enrich(struct geo *g, struct findings *f);

/* Lookups made through g so far (each geo_lookup with a database counts once). */
uint64_t geo_lookups(const struct geo *g);

#endif
