/*
 * notifier.h - the daemon's notice sender: one thread that drains the
 * store's outbox (store_notice_next) and sends each notice through the
 * configured relay (smtpc_send), marking it done or scheduling a retry.
 * It wakes when kicked (a notice was queued) and otherwise every
 * NOTIFIER_POLL_SECONDS, so retries and notices queued by other processes
 * go out too.
 *
 * A store that cannot be written (a full disk, a locked or read-only
 * file) stops the sending, never loops it: each notice is claimed in the
 * store before its SMTP transaction (store_notice_claim(): a failed claim
 * sends nothing, and the claim's lease keeps the notice from being due
 * again soon), a notice sent whose outcome cannot be recorded is kept in
 * memory and only its record is retried, never the send.  While the store
 * fails the notifier pauses with an exponential backoff (1 s doubling to
 * NOTIFIER_BACKOFF_MAX, kicks ignored) and logs once when the trouble
 * starts and once when it ends.  Delivery is at least once: a crash
 * between the relay's 250 and the record sends that notice again after
 * the lease (at most once per crash), never in a loop.
 *
 * Public functions:
 *   notifier_start(), notifier_kick(), notifier_stop()
 *   notifier_sent()         notices sent so far (tests, status)
 */
#ifndef GRONDSLAG_NOTIFIER_H
#define GRONDSLAG_NOTIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grondslag/store/store.h"

#define NOTIFIER_POLL_SECONDS 30
/* Longest pause while the store cannot be written. */
#define NOTIFIER_BACKOFF_MAX 300

struct notifier;

/* NULL and a reason in err on failure.  store stays owned by the caller
 * and must outlive the notifier. */
struct notifier *notifier_start(struct store *store, const char *relay, const char *helo,
				const char *from, char *err, size_t errlen);
void notifier_kick(struct notifier *n);
/* Stop the thread (after the notice in progress) and free n. */
void notifier_stop(struct notifier *n);
uint64_t notifier_sent(const struct notifier *n);

#endif
