/*
 * tiimport.h - turn a Trusted Introducer directory file (teams.json) into
 * party entries of the registry (grondslag-registry(5)), as YAML text for
 * a jurist to verify and complete.
 *
 * IMPORTS NEVER CREATE A BASIS.  Every party is written with "bases: []",
 * "type: other" and "transfer: {mechanism: none}": whether a team may
 * receive regulated data, under which article and with which transfer
 * mechanism is a legal decision that only a jurist enters.  The code has
 * no way to write anything else there.
 *
 * Mapping (per team; the file is a JSON array of teams or an object with
 * a "teams" array; unknown fields are ignored):
 *   id            slug of short_name (lower case, [a-z0-9-]), made unique
 *   name          short_name (official_name as a comment)
 *   jurisdiction  country ("AT" or {"code": "AT"})
 *   addresses     emails[].address, normalized
 *   domains       the domains of those addresses (contact domains), except
 *                 public mail providers; NOT constituency.domains, which
 *                 say what the team serves, not where it receives mail
 *                 (they are listed as a comment)
 *   pgp           pgp_keys[].fingerprint as 40 upper-case hex digits;
 *                 anything else dropped with a warning
 *   constituency  countries, asns (numbers or "AS679"), prefixes from
 *                 ipranges (CIDR kept, host bits cleared with a warning;
 *                 single addresses and "a - b" ranges split into CIDRs)
 *   source        trusted-introducer; external_ids {trusted-introducer: short_name}
 * A domain or address already given to an earlier team is not repeated
 * (warning): the registry allows each in one party only.  A team without
 * short_name, a valid country or any valid e-mail address is skipped with
 * a warning, since it could not load.
 *
 * Public functions: tiimport_run(), tiimport_slug(), tiimport_range_cidrs()
 * Limits: those of jsonr (JSONR_MAX_*); at most TIIMPORT_MAX_COMMENT bytes
 * of directory text per comment line.
 */
#ifndef GRONDSLAG_TIIMPORT_H
#define GRONDSLAG_TIIMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "grondslag/base/ipaddr.h"

#define TIIMPORT_MAX_COMMENT 200
#define TIIMPORT_ID_MAX 64

/* Convert the directory in data (name is used in messages) and write the
 * parties to out, warnings ("name: team 'X': ...") to warn.  Returns the
 * number of parties written, or -1 when the file cannot be used at all
 * (JSON error with line:column, wrong shape, write error). */
int tiimport_run(const char *data, size_t len, const char *name, FILE *out, FILE *warn);

/* The id slug of a team name into out (TIIMPORT_ID_MAX + 1 bytes):
 * ASCII letters and digits lower-cased, runs of anything else one '-',
 * no leading or trailing '-', at most 56 characters (room for a "-NNN"
 * uniqueness suffix); "team" when nothing is left. */
void tiimport_slug(const char *name, char *out);

/* Split the inclusive range first..last (same family, first <= last) into
 * the fewest CIDR prefixes, at most max of them; returns how many, or -1
 * when the range is invalid or needs more than max. */
int tiimport_range_cidrs(const struct ip_addr *first, const struct ip_addr *last,
			 struct ip_prefix *out, size_t max);

#endif
