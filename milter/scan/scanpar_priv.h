/*
 * scanpar_priv.h - the identifier scan of a long text stream on a second
 * thread, its findings recorded in the order one thread would record them
 * (scanpar.c).  Private to scan.c.
 */
#ifndef GRONDSLAG_SCAN_SCANPAR_PRIV_H
#define GRONDSLAG_SCAN_SCANPAR_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/idscan.h"
#include "grondslag/scan/ipscan.h"

/* Streams shorter than this are scanned on the caller's thread only (a
 * test build may set 1: every stream on two threads). */
#ifndef SCANPAR_MIN_BYTES
#define SCANPAR_MIN_BYTES (1u << 20)
#endif

struct scanpar;

/* A worker for ids, whose callback must hand its kept matches to
 * scanpar_ident() while the worker runs.  Text inside [stable,
 * stable+stable_len) (the message) is read where it lies; other text is
 * copied.  NULL when no second thread is worth having (one processor) or
 * on failure: the caller scans on its own thread. */
struct scanpar *scanpar_alloc(struct idscan *ids, struct findings *f, const char *stable,
			      size_t stable_len);
/* Start the thread for part (its stream begun, idscan_begin called). */
bool scanpar_start(struct scanpar *p, unsigned part);
bool scanpar_running(const struct scanpar *p);
/* The next text of the stream, handed to the identifier scan; 0, or -1
 * when it could not be queued (out of memory: recorded in the findings). */
int scanpar_text(struct scanpar *p, const char *buf, size_t len);
/* An address match of the stream's IP scan, recorded after the
 * identifiers of the same text (main thread). */
void scanpar_ip(struct scanpar *p, const struct ipscan_match *m);
/* An identifier the worker's scan keeps (worker thread, via the idscan
 * callback). */
void scanpar_ident(struct scanpar *p, const struct idscan_match *m);
/* The stream's end: idscan_finish queued for the worker; the caller then
 * finishes its IP scan (scanpar_ip still), then scanpar_end: every
 * finding recorded in order, the thread ended. */
void scanpar_finish(struct scanpar *p);
void scanpar_end(struct scanpar *p);
void scanpar_free(struct scanpar *p);

#endif
