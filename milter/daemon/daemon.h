/*
 * daemon.h - what main.c and callbacks.c (the libmilter adapter) share:
 * the daemon's long-lived state.  Private to the daemon; no libmilter
 * types here.
 *
 * Public functions (callbacks.c):
 *   callbacks_register()   smfi_register with our callbacks
 *   callbacks_inflight()   messages between MAIL FROM and their end
 */
#ifndef GRONDSLAG_DAEMON_H
#define GRONDSLAG_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "grondslag/daemon/notifier.h"
#include "grondslag/decide/release.h"
#include "grondslag/daemon/releaser.h"
#include "grondslag/daemon/snapshot.h"
#include "grondslag/store/store.h"

struct daemon {
	struct snapshot_slot slot;	/* the current snapshot */
	struct store *store;		/* opened at start, before dropping privileges */
	struct notifier *notifier;	/* NULL when NoticeRelay is empty */
	char hostname[256];		/* for notices' Message-ID */
	char notice_from[512];
	struct releaser *releaser;	/* NULL when ReleaseRelay is empty */
	unsigned char release_key[RELEASE_KEY_LEN];	/* ReleaseKeyFile */
	bool have_release_key;
};

extern struct daemon daemon_state;

/* Register the filter; inet: also the data callback (recipes section 4).
 * Returns 0 or -1. */
int callbacks_register(bool inet);
long callbacks_inflight(void);

#endif
