/*
 * scanopt.h - the part of the scan options that needs the registry: the
 * organisation's own domains (registry own_domains plus InternalDomains)
 * and the public service domains, so the scanner itself stays free of
 * both.  The rest (limits, thresholds, geo) is config_scan_options()'s;
 * a caller runs that first, then this.
 *
 * Public functions:
 *   scanopt_fill()   the domain lists into so; they live in d until
 *                    scanopt_free(d)
 *   scanopt_free()   release the lists
 */
#ifndef GRONDSLAG_SCANOPT_H
#define GRONDSLAG_SCANOPT_H

#include "grondslag/config/config.h"
#include "grondslag/decide/registry.h"
#include "grondslag/scan/scan.h"

struct scanopt_domains {
	char **own, **pub;
	size_t nown, npub;
};

/* reg may be NULL (own domains from InternalDomains only).  False on out
 * of memory (d is then freed). */
bool scanopt_fill(struct scan_options *so, struct scanopt_domains *d, const struct config *c,
		  const struct registry *reg);
void scanopt_free(struct scanopt_domains *d);

#endif
