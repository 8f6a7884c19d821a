/*
 * audit_against.h - grondslag audit verify --against (audit_against.c)
 * and the readable CSV of audit export (audit_csv.c).
 */
#ifndef GRONDSLAG_CTL_AUDIT_AGAINST_H
#define GRONDSLAG_CTL_AUDIT_AGAINST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "grondslag/store/auditsig.h"
#include "grondslag/store/store.h"

/* The keys signed lines are checked against (none: not checked). */
struct against_keys {
	const char *home;		/* GnuPG home with the public keys */
	const char *const *keys;
	size_t nkeys;
};

struct ctl_chain;
/* Check the chain of ch against the checkpoint lines in file; print the
 * report (text, or JSON).  0 intact and anchored, 1 not (or no line
 * found), -1 error (printed). */
int audit_verify_against(const struct ctl_chain *ch, const char *file, const struct against_keys *k,
			 bool json);

/* audit_csv.c: the readable CSV of audit export (names, not codes). */
struct audit_record;
void audit_csv_header(FILE *out);
/* 0, or 1 when writing failed (stops the scan). */
int audit_csv_row(const struct audit_record *r, FILE *out);

#endif
