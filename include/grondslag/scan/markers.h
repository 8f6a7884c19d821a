/*
 * markers.h - incident markers in one text stream: TLP labels (TLP 1.0
 * and 2.0 as text, STIX marking-definition ids, MISP tags, IODEF
 * restriction attributes) and structured incident formats (STIX 2.x bundle,
 * MISP event, IODEF v1/v2, X-ARF, ARF, CSV with IP columns, Shadowserver
 * reports).
 *
 * Streaming like the IP scanner: begin with the part's media type and file
 * name, update with text chunks of any size (a label split across chunks
 * is still found), end to report into findings.  Format sniffing looks at
 * the part's type and name and the first MARKERS_SNIFF_BYTES of text.
 *
 * Public functions:
 *   markers_alloc(), markers_free()
 *   markers_begin()   start a stream for findings part `part`
 *   markers_update()  next chunk
 *   markers_end()     record TLP (findings_set_tlp) and formats
 *                     (findings_part_set_format) for the stream
 */
#ifndef GRONDSLAG_MARKERS_H
#define GRONDSLAG_MARKERS_H

#include <stddef.h>

#include "grondslag/scan/findings.h"

#define MARKERS_SNIFF_BYTES 8192

struct markers;

struct markers *markers_alloc(void);
void markers_free(struct markers *m);
void markers_begin(struct markers *m, unsigned part, const char *type, const char *filename);
void markers_update(struct markers *m, const char *buf, size_t len);
void markers_end(struct markers *m, struct findings *f);

#endif
