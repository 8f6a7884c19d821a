/*
 * spool.h - keep one message while the MTA streams it to the milter:
 * in memory up to a bound, then in a private temporary file (O_TMPFILE,
 * or mkstemp + unlink where the file system lacks it) in a configured
 * directory, so no other process can open it and nothing is left behind
 * after a crash.  At the end the whole message is handed out as one
 * contiguous read-only buffer (the memory, or an mmap of the file) for
 * scan_message() and the store.
 *
 * One spool serves a whole connection: spool_reset() empties it for the
 * next message (a large memory buffer is given back, the file closed).
 *
 * Public functions:
 *   spool_alloc(), spool_free(), spool_reset()
 *   spool_write()    append bytes
 *   spool_crlf()     append text converting lone LF to CRLF (headers)
 *   spool_finish()   the contiguous message
 *   spool_size(), spool_on_disk()
 * Limits: spool_alloc's max_bytes (0 = none) caps a message; past it
 * writes fail (the caller applies On-InternalError).
 */
#ifndef GRONDSLAG_SPOOL_H
#define GRONDSLAG_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spool;

/* dir: where temporary files go; mem_max: bytes kept in memory. */
struct spool *spool_alloc(const char *dir, size_t mem_max, uint64_t max_bytes);
void spool_free(struct spool *s);
void spool_reset(struct spool *s);

/* 0, or -1 with a reason in err (out of memory, disk full, limit). */
int spool_write(struct spool *s, const void *buf, size_t len, char *err, size_t errlen);
int spool_crlf(struct spool *s, const char *text, size_t len, char *err, size_t errlen);

/* The whole message, valid until spool_reset/spool_free; further writes
 * are refused until then.  0, or -1 with a reason. */
int spool_finish(struct spool *s, const char **data, size_t *len, char *err, size_t errlen);

uint64_t spool_size(const struct spool *s);
bool spool_on_disk(const struct spool *s);

#endif
