/*
 * snapshot.h - everything a message is judged with, as one immutable,
 * reference-counted bundle: the configuration, the registry (signature
 * checked, digest computed), the geo databases, the scan and policy
 * options (with the EscrowKey, when one is set) and the daemon's parsed settings (InternalHosts,
 * InternalDomains, Mode, On-InternalError, DecisionDate).
 *
 * The daemon keeps the current snapshot in a slot.  A connection takes a
 * reference when it starts and judges all its messages with it; SIGHUP
 * loads a new snapshot and swaps it into the slot atomically.  A broken
 * new file (configuration, registry, signature, geo) leaves the old
 * snapshot in place and the reason is returned for the log.
 *
 * Public functions:
 *   snapshot_load()          build a snapshot from a configuration file
 *   snapshot_ref(), snapshot_unref()
 *   snapshot_config(), snapshot_registry(), snapshot_scan(), snapshot_escrow_fpr(),
 *   snapshot_policy(), snapshot_mode(), snapshot_on_error(),
 *   snapshot_date(), snapshot_internal_host(), snapshot_internal_sender(),
 *   snapshot_digest(), snapshot_warning(), snapshot_signer(),
 *   snapshot_signature_status(), snapshot_generation(), snapshot_seal_cache()
 *   snapshot_slot_init(), snapshot_slot_get(), snapshot_slot_reload(),
 *   snapshot_slot_destroy()
 * Limits: SNAPSHOT_MAX_HOSTS prefixes, SNAPSHOT_MAX_DOMAINS domains.
 */
#ifndef GRONDSLAG_SNAPSHOT_H
#define GRONDSLAG_SNAPSHOT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/config/config.h"
#include "grondslag/decide/gate.h"
#include "grondslag/base/ipaddr.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/sealcache.h"
#include "grondslag/scan/scan.h"

#define SNAPSHOT_MAX_HOSTS 1024
#define SNAPSHOT_MAX_DOMAINS 1024

enum snapshot_on_error { ON_ERROR_TEMPFAIL, ON_ERROR_REJECT };

struct snapshot;

/* Load file (NULL: the embedded defaults).  NULL and every reason, one
 * per line, in err on failure. */
struct snapshot *snapshot_load(const char *file, char *err, size_t errlen);
struct snapshot *snapshot_ref(struct snapshot *s);
void snapshot_unref(struct snapshot *s);

const struct config *snapshot_config(const struct snapshot *s);
struct registry *snapshot_registry(const struct snapshot *s);
const struct scan_options *snapshot_scan(const struct snapshot *s);
/* The relay encryption key checks of this snapshot's registry, kept
 * for its life (sealcache.h): a reload starts empty. */
struct seal_cache *snapshot_seal_cache(const struct snapshot *s);
/* The EscrowKey's fingerprint, NULL when there is none. */
const char *snapshot_escrow_fpr(const struct snapshot *s);
const struct policy_options *snapshot_policy(const struct snapshot *s);
enum gate_mode snapshot_mode(const struct snapshot *s);
enum snapshot_on_error snapshot_on_error(const struct snapshot *s);
/* The decision date: DecisionDate when set, else the UTC day of now. */
int32_t snapshot_date(const struct snapshot *s, time_t now);
/* Is the client address in InternalHosts? */
bool snapshot_internal_host(const struct snapshot *s, const struct ip_addr *a);
/* Is the envelope sender ("<a@b>" or bare) in one of InternalDomains? */
bool snapshot_internal_sender(const struct snapshot *s, const char *sender);
/* SHA-256 (hex) of the registry bytes that were verified and parsed. */
const char *snapshot_digest(const struct snapshot *s);
/* A warning to log about this snapshot (e.g. unsigned registry), or "". */
const char *snapshot_warning(const struct snapshot *s);
/* Who signed the registry: the signer's primary-key fingerprint (""
 * when none is known) and the outcome of the check (regsig status name,
 * e.g. "ok", "unsigned"), for the record of every registry load. */
const char *snapshot_signer(const struct snapshot *s);
const char *snapshot_signature_status(const struct snapshot *s);
/* 1 for the first snapshot of a slot, then +1 per successful reload. */
unsigned long snapshot_generation(const struct snapshot *s);

/* The daemon's current snapshot. */
struct snapshot_slot {
	pthread_mutex_t lock;
	struct snapshot *cur;
	unsigned long generation;
	char *file;
	/* optional, set after init: asked about every reloaded snapshot
	 * before it is swapped in; non-zero (with err) keeps the current
	 * one.  Reloads must not run concurrently (the daemon's are
	 * serialised by its signal thread). */
	int (*admit)(void *arg, struct snapshot *s, char *err, size_t errlen);
	void *admit_arg;
};

/* Takes over the reference to first. */
int snapshot_slot_init(struct snapshot_slot *slot, const char *file, struct snapshot *first);
/* A new reference to the current snapshot (never NULL after init). */
struct snapshot *snapshot_slot_get(struct snapshot_slot *slot);
/* Load the slot's file again; on success swap it in and return 0 (old
 * snapshot freed when its last connection ends); on failure keep the old
 * one and return -1 with the reasons in err. */
int snapshot_slot_reload(struct snapshot_slot *slot, char *err, size_t errlen);
void snapshot_slot_destroy(struct snapshot_slot *slot);

#endif
