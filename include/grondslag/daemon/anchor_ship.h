/*
 * anchor_ship.h - the daemon's side of anchor.h: each checkpoint line
 * handed over by the checkpointer leaves the host, queued as mail to the
 * anchor addresses in the notice outbox (durable, retried by the
 * notifier, in chain order) and sent as one datagram to the remote
 * syslog.  A failure is logged; the chain keeps the checkpoint anyway.
 *
 * Public functions:
 *   anchor_mail_to()     the anchor addresses of a configuration
 *   anchor_ship_new(), anchor_ship_free()
 *   anchor_ship_notifier()  the notifier to kick (NULL: none, or no longer)
 *   anchor_ship_line()   the checkpointer's ship callback
 * Limits: NOTICE_JURISTS_MAX addresses.
 */
#ifndef GRONDSLAG_ANCHOR_SHIP_H
#define GRONDSLAG_ANCHOR_SHIP_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/store/auditsig.h"
#include "grondslag/config/config.h"
#include "grondslag/daemon/notifier.h"
#include "grondslag/store/store.h"

/* The anchor addresses of c into to (NOTICE_JURISTS_MAX entries, pointing
 * into c): AuditAnchorMail, else the jurists' notice addresses (so a site
 * with jurists is anchored without a further setting); their number. */
size_t anchor_mail_to(const struct config *c, const char **to);

struct anchor_ship;
/* From c (AuditAnchorMail, AuditAnchorSyslog; copied) for store, mails
 * from `from` naming hostname.  NULL when nothing anchors or out of
 * memory (*none tells which). */
struct anchor_ship *anchor_ship_new(const struct config *c, struct store *store,
				    const char *from, const char *hostname, bool *none);
/* Kick n after queueing a mail; NULL before n is stopped (the final
 * checkpoint comes after the notifier stops). */
void anchor_ship_notifier(struct anchor_ship *a, struct notifier *n);
/* struct checkpointer_setup's ship: arg is the anchor_ship. */
void anchor_ship_line(void *arg, const struct auditsig_checkpoint *cp, const char *line);
void anchor_ship_free(struct anchor_ship *a);

#endif
