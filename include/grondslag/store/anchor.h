/*
 * anchor.h - checkpoints of the audit chain that leave the host.  A
 * checkpoint kept on the host proves nothing against whoever can write
 * the host's database (they rewrite the chain, its checkpoint records
 * and the checkpoint file alike); one that left the host cannot be
 * taken back.  So every checkpoint the daemon makes (checkpointer.h) is
 * also sent off: mailed to AuditAnchorMail through the notice outbox,
 * and/or sent as a syslog datagram to AuditAnchorSyslog.  With an
 * AuditSigningKey the line is the signed checkpoint line of auditsig.h;
 * without, an unsigned anchor line of the same fields:
 *   grondslag-audit-anchor v1 seq=N hash=H at=T host=X
 * which anchors just as well once it has left (its worth is where it is
 * kept, not a signature made with a key on the same host).
 *
 * `grondslag audit verify --against FILE` reads such lines back out of
 * whatever received them (a mailbox, saved mails, a syslog file):
 * anchor_scan() finds each line wherever it starts (after a syslog
 * prefix, in a mail body), undoes quoted-printable when a relay applied
 * it, and parses each strictly; every line found must then match the
 * chain (record seq present with that hash).
 *
 * Public functions:
 *   anchor_line()    the line for a checkpoint (signed or not)
 *   anchor_syslog()  send a line to a remote syslog (UDP, RFC 3164 form)
 *   anchor_scan()    find and parse the lines in received text
 * Limits: lines of AUDITSIG_LINE_MAX bytes; text scanned as given, up
 * to what the caller read (the CLI bounds it).
 */
#ifndef GRONDSLAG_ANCHOR_H
#define GRONDSLAG_ANCHOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/store/auditsig.h"

#define ANCHOR_MAGIC "grondslag-audit-anchor v1"
#define ANCHOR_EVENT "anchor"		/* the chain record of an unsigned one */

/* The line of cp with its "\n" (malloc'ed): the signed checkpoint line
 * when cp->sig is set, else the unsigned anchor line.  NULL when cp is
 * not well formed. */
char *anchor_line(const struct auditsig_checkpoint *cp);

/* Send line (without its "\n") as one syslog datagram (facility
 * LOG_AUTHPRIV, severity notice; RFC 3164: "<PRI>Mmm dd hh:mm:ss HOST
 * grondslag-milter: LINE") to target "HOST:PORT" or "[HOST]:PORT" over
 * UDP.  0, or -1 + err.  Best effort by nature: the mail is the channel
 * that retries. */
int anchor_syslog(const char *target, const char *host, const char *line, time_t now,
		  char *err, size_t errlen);

/* One line found by anchor_scan(). */
struct anchor_found {
	int64_t line;			/* line number in the text (1-based) */
	bool ok;			/* parsed; else why */
	bool is_signed;			/* a signed checkpoint line */
	struct auditsig_checkpoint cp;	/* key/sig "" when unsigned */
	char why[160];
};

/* Call cb for each checkpoint or anchor line in text (len bytes,
 * hostile).  cb returns nonzero to stop.  The number of lines found. */
size_t anchor_scan(const char *text, size_t len, int (*cb)(void *arg, const struct anchor_found *f),
		   void *arg);

#endif
