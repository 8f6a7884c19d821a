/*
 * config.h - grondslag.conf: "Key value" lines, "#" comments, keys
 * case-insensitive, driven by the one table in config_keys.def.
 *
 * A loaded config is immutable; the daemon swaps whole snapshots on
 * SIGHUP.  Errors name file:line and what is wrong; every error in the
 * file is reported, not only the first.
 *
 * Public functions:
 *   config_defaults()   the embedded defaults (no file)
 *   config_load()       defaults overlaid with a file
 *   config_free()
 *   config_str(), config_uint(), config_bool(), config_list()
 *   config_jurist_mail()
 *   config_dump()       the effective configuration, as a valid file
 *   config_doc()        the table as a sample file or man page section
 *   config_walk_limits(), config_geo_options(), config_scan_options()
 */
#ifndef GRONDSLAG_CONFIG_H
#define GRONDSLAG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "grondslag/scan/geo.h"
#include "grondslag/scan/scan.h"
#include "grondslag/scan/walk.h"

enum config_key {
#define X(id, name, type, def, min, max, choices, help) CONF_##id,
#include "grondslag/config/config_keys.def"
#undef X
	CONF_COUNT
};

struct config;

struct config *config_defaults(void);
/* NULL and a message in err (all errors, one per line, "file:line: ...") on
 * failure. */
struct config *config_load(const char *file, char *err, size_t errlen);
void config_free(struct config *c);

/* The file the config came from, or NULL for the embedded defaults. */
const char *config_file(const struct config *c);
const char *config_str(const struct config *c, enum config_key k);	/* "" when empty */
uint64_t config_uint(const struct config *c, enum config_key k);	/* UINT and SIZE */
bool config_bool(const struct config *c, enum config_key k);
/* LIST: number of values and the i-th. */
size_t config_list_count(const struct config *c, enum config_key k);
const char *config_list(const struct config *c, enum config_key k, size_t i);
/* A Jurist line is "USER MAIL" in config_list(); its further addresses
 * and sasl:LOGINs (blank-separated) are here, "" when none. */
const char *config_list_more(const struct config *c, enum config_key k, size_t i);
/* The addresses the jurists' notices go to, as configured: every
 * JuristNotice line, else the address of every Jurist line (pointers into
 * c, *n of them; NULL when none).  notice_jurist_to() keeps the usable
 * ones. */
const char *const *config_jurist_mail(const struct config *c, size_t *n);
const char *config_key_name(enum config_key k);
/* The line of the file that set k (0: the default), and of the i-th
 * value of a LIST: what a finding about the setting points at. */
unsigned config_line(const struct config *c, enum config_key k);
unsigned config_list_line(const struct config *c, enum config_key k, size_t i);

void config_dump(const struct config *c, FILE *out);
/* style: "sample" (commented conf file) or "man" (roff .TP list). */
void config_doc(const char *style, FILE *out);

void config_walk_limits(const struct config *c, struct walk_limits *l);
void config_geo_options(const struct config *c, struct geo_options *o);
/* The scan options of c (walk limits, the thresholds of addresses,
 * listed e-mail addresses and hosts) with
 * geo (opened by the caller from config_geo_options(); may be NULL): the
 * one place the daemon, "grondslag scan" and "grondslag check" get them
 * from, so the three scan alike (the registry's domains are added by
 * scanopt_fill()). */
void config_scan_options(const struct config *c, struct geo *geo, struct scan_options *o);

#endif
