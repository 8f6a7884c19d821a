/*
 * relayproc.h - the released copy's SMTP transaction in a process of its
 * own, whose outcome outlives the daemon.
 *
 * Why: the milter and the releaser share the daemon.  Were the releaser
 * to send itself, a daemon killed between its milter marking a release
 * token and the MTA's reply would lose the reply, and a restart could not
 * tell "the MTA refused the copy" (the milter died before answering:
 * 451) from "the MTA queued it" (killed after the 250).  The relay
 * process is not the daemon: it reads the relay's final reply whatever
 * happens to the daemon and writes it to a receipt (written to a
 * temporary name, fsynced, renamed), from which the releaser, or after a
 * restart resume(), records the outcome.
 *
 * Files, in SpoolDirectory, per attempt (the token's nonce):
 *   release-NONCE.msg    the copy; the relay process holds a lock on it
 *                        while it runs (flock, so a restart can tell a
 *                        running process from a dead one)
 *   release-NONCE.reply  the receipt: "SENT CODE QUEUEID" and the text
 *
 * Public functions:
 *   relayproc_start()     write the copy, start the process
 *   relayproc_wait()      wait for it
 *   relayproc_outcome()   the receipt, or whether the process still runs
 *   relayproc_forget()    remove the files once the outcome is recorded
 *   relayproc_main()      the process itself (grondslag-milter
 *                         --relay-attempt ...)
 */
#ifndef GRONDSLAG_RELAYPROC_H
#define GRONDSLAG_RELAYPROC_H

#include <stddef.h>
#include <sys/types.h>

#include "grondslag/daemon/smtpc.h"

#define RELAYPROC_ARG "--relay-attempt"
/* Seconds the relay process waits for the reply to the end of the data
 * (RFC 5321 4.5.3.2.6, Postfix's smtp_data_done_timeout): the MTA answers
 * only after every milter has seen the copy (Postfix gives a milter up to
 * milter_content_timeout, 300 s).  Our milter has marked the token used
 * by then; giving up earlier makes a failed attempt that is retried while
 * the MTA goes on to queue the first copy: a second delivery. */
#define RELAYPROC_DATA_DONE_TIMEOUT 600

struct relayproc_job {
	const char *dir;		/* SpoolDirectory */
	const char *exe;		/* the daemon's executable */
	const char *nonce;		/* the attempt's token nonce (32 hex) */
	const char *host, *port, *helo, *from;
	const char *const *rcpts;
	size_t nrcpts;
	const char *data;
	size_t len;
	unsigned timeout;		/* seconds per read or write */
};

/* Write the copy and start the process: 0 and *pid, or -1 and err. */
int relayproc_start(const struct relayproc_job *j, pid_t *pid, char *err, size_t errlen);
/* Wait for the process to end. */
void relayproc_wait(pid_t pid);

enum relayproc_state {
	RELAYPROC_DONE,		/* the receipt: *sent (as smtpc_send) and *res */
	RELAYPROC_RUNNING,	/* the process still holds the copy */
	RELAYPROC_LOST,		/* no receipt and no process: the outcome is lost */
};
enum relayproc_state relayproc_outcome(const char *dir, const char *nonce, int *sent,
				       struct smtpc_result *res);
void relayproc_forget(const char *dir, const char *nonce);

/* The relay process: argv as relayproc_start() makes it; exit 0 when the
 * receipt is written. */
int relayproc_main(int argc, char **argv);

#endif
