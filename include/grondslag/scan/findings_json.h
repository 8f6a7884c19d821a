/*
 * findings_json.h - a part of the findings as JSON members, written the
 * same way wherever a part is shown: "grondslag scan --json" and the
 * control socket's "content" (findings_json.c).
 */
#ifndef GRONDSLAG_FINDINGS_JSON_H
#define GRONDSLAG_FINDINGS_JSON_H

#include "grondslag/base/json.h"
#include "grondslag/scan/findings.h"

/* The members that name part p: "path", "type", "filename" (null when
 * none) and "bytes", in that order, into the open object of j. */
void findings_json_part_ident(struct json *j, const struct finding_part *p);

#endif
