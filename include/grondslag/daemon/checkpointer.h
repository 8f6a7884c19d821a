/*
 * checkpointer.h - the daemon's signed checkpoints of the audit chain
 * (formats in auditsig.h).  A thread signs the chain head every
 * AuditCheckpointInterval seconds, and checkpointer_stop() signs it once
 * more at shut-down; a checkpoint is written only when the head moved
 * since the last one (the newest record is not itself a checkpoint), so
 * an idle daemon writes nothing.
 *
 * Each checkpoint is appended (one write, O_APPEND, fsync) to the
 * checkpoint file, then added to the chain as a "checkpoint" record, and
 * logged (seq, hash and key only: no content).  Without a signer the
 * checkpoint is unsigned: an "anchor" record, no file.  Either way its
 * line is then handed to ship() to leave the host (anchor.h).
 *
 * The chain is the whole store's: the timer's checkpoints, and those of
 * the start and the stop, are written by the relay holding the lease
 * CHECKPOINTER_LEASE_JOB (store_lease_take(); on SQLite always this one),
 * which gives it up when it stops, so that of several relays on one store
 * one writes and ships them and the next continues from the chain's head.
 *
 * Public functions:
 *   checkpointer_start()   open the file, anchor what an earlier run left
 *                          unanchored (holding the lease), start the thread
 *   checkpointer_now()     one checkpoint, if the head moved (no lease)
 *   checkpointer_stop()    stop the thread, the last checkpoint (holding
 *                          the lease), give the lease up, free
 * Limits: a failed checkpoint is logged and tried again at the next
 * interval; it never stops the mail flow.
 */
#ifndef GRONDSLAG_CHECKPOINTER_H
#define GRONDSLAG_CHECKPOINTER_H

#include <stddef.h>

#include "grondslag/store/auditsig.h"
#include "grondslag/store/store.h"

struct checkpointer_setup {
	struct store *store;
	struct auditsig_signer *signer;	/* taken over (freed by stop); NULL:
					 * unsigned anchors, no file */
	/* Each checkpoint's line (anchor.h), to send off the host; called in
	 * chain order; may be NULL when signer is set. */
	void (*ship)(void *arg, const struct auditsig_checkpoint *cp, const char *line);
	void *ship_arg;
	const char *file;		/* AuditCheckpointFile (copied) */
	const char *host;		/* host name for the text (copied) */
	unsigned interval;		/* seconds; 0: no thread, only now/stop */
};

/* The lease (store_lease_take()) of the timer's checkpoints. */
#define CHECKPOINTER_LEASE_JOB "checkpoint"

struct checkpointer;
/* NULL + err when the file cannot be opened, the first checkpoint cannot
 * be written or the thread not started (the signer is freed then too). */
struct checkpointer *checkpointer_start(const struct checkpointer_setup *in, char *err,
					size_t errlen);
/* 0 written, 1 nothing to anchor (head unchanged or empty chain), -1 err. */
int checkpointer_now(struct checkpointer *c, char *err, size_t errlen);
/* Stop the thread, write the final checkpoint (if the head moved), close
 * and free.  NULL is fine. */
void checkpointer_stop(struct checkpointer *c);

#endif
