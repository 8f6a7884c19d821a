/*
 * limits.h - the one recipient limit shared by every part that handles
 * the recipients of one message: the milter accepts at most RCPTS_MAX per
 * transaction (past it each RCPT gets "452 4.5.3 Too many recipients" and
 * the client sends the rest in another transaction, RFC 5321 4.5.3.1.10),
 * and the gate decides, the store keeps, the jurists' approvals, the
 * releaser and the expiry handle at most that many per hold.  One number,
 * so a hold the milter accepted can always be loaded, decided, released
 * and expired.  It equals Postfix's default smtpd_recipient_limit.
 */
#ifndef GRONDSLAG_LIMITS_H
#define GRONDSLAG_LIMITS_H

#define RCPTS_MAX 1000

/* The longest envelope address the milter takes and holds, without its
 * <> (route.h ROUTE_TEXT_MAX: longer ones are refused at RCPT); every
 * part that stores, names or releases a recipient carries this much, so
 * a held recipient (a long source route, say) can always be released. */
#define RCPT_TEXT_MAX 1024

#endif
