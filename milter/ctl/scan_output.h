/*
 * scan_output.h - findings as JSON (the --json contract of grondslag scan)
 * and as text for people.  Shared by "scan" and "check".
 */
#ifndef GRONDSLAG_SCAN_OUTPUT_H
#define GRONDSLAG_SCAN_OUTPUT_H

#include <stdio.h>

#include "grondslag/scan/findings.h"
#include "grondslag/base/json.h"

void scan_output_json(FILE *out, const char *file, const struct findings *f);
void scan_output_text(FILE *out, const char *file, const struct findings *f);
/* The "categories", "tlp" and "formats" members, for other objects. */
void scan_output_json_summary(struct json *j, const struct findings *f);

#endif
