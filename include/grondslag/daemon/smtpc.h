/*
 * smtpc.h - a small SMTP client for what the daemon sends itself: notices
 * now, released mail later.  Plain SMTP to a relay on a trusted network
 * (loopback or the local MTA), with a timeout on every read and write,
 * dot-stuffing, and the relay's final reply (code, text, and the queue id
 * when the reply names one, as Postfix's "250 2.0.0 Ok: queued as ID").
 *
 * Public functions:
 *   smtpc_send(), smtpc_send_waiting()
 */
#ifndef GRONDSLAG_SMTPC_H
#define GRONDSLAG_SMTPC_H

#include <stddef.h>

struct smtpc_result {
	int code;		/* last SMTP reply code, 0 when no reply */
	char text[512];		/* that reply's text, sanitised, bounded */
	char queue_id[64];	/* from "queued as ID", "" when absent */
};

/* Send one message.  Returns 0 when the relay accepted it (250 after the
 * data), 1 on a temporary failure (4xx, connection or timeout: retry), 2 on
 * a permanent one (5xx). */
int smtpc_send(const char *host, const char *port, const char *helo, const char *from,
	       const char *const *rcpts, size_t nrcpts, const char *data, size_t len,
	       unsigned timeout_seconds, struct smtpc_result *res);
/* The same, waiting up to data_done_seconds (when longer than
 * timeout_seconds) for the reply to the end of the data, as RFC 5321
 * 4.5.3.2.6 asks (10 minutes): the MTA runs its milters and queues the
 * message before it answers, and a client that gives up first cannot tell
 * whether it was queued. */
int smtpc_send_waiting(const char *host, const char *port, const char *helo, const char *from,
		       const char *const *rcpts, size_t nrcpts, const char *data, size_t len,
		       unsigned timeout_seconds, unsigned data_done_seconds,
		       struct smtpc_result *res);

#endif
