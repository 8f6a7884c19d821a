/*
 * regserial.h - roll-back protection of the registry: a registry carries
 * a monotonic serial (top-level "serial:", grondslag-registry(5)), and
 * the daemon and the grondslag command refuse one that goes back.
 *
 * Why: a signature proves who wrote a file, not that it is the newest.
 * Restoring last year's correctly signed registry would revive a basis
 * the jurists revoked since.  So every accepted load is recorded in the
 * audit chain ("registry-load", with serial and digest), and the newest
 * such record that carries a serial is the mark a new registry is
 * compared with (a load without one never lowers it).  Keeping the
 * mark in the hash chain (not in a table of its own) means lowering it
 * is rewriting the chain, which "grondslag audit verify" detects.
 *
 * The rules (regserial_decide()), serial S and digest D against the mark
 * (serial M, digest DM; none: the first load):
 *   S > M, or no mark                  accepted
 *   S == M and D == DM                 accepted (the same file again)
 *   S == M and D != DM                 refused: other contents under the
 *                                      same serial (raise the serial)
 *   S < M                              refused: a roll-back
 *   no serial (S = 0)                  refused under RegistrySignature
 *                                      required; refused when a serial
 *                                      was loaded before; else accepted
 *                                      with a warning (no protection)
 * An administrator forces a refused load with RegistryRollback S (the
 * serial of exactly that file; "none" for a file without one): it is
 * accepted, recorded with "forced" and the previous mark, and becomes
 * the mark.  A forced load whose record cannot be written is refused.
 *
 * Public functions: regserial_decide(), regserial_force_parse(),
 * regserial_verdict_name().
 */
#ifndef GRONDSLAG_REGSERIAL_H
#define GRONDSLAG_REGSERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* The newest registry-load record with a serial, else the newest
 * (store_registry_mark()). */
struct regserial_mark {
	bool found;			/* false: no registry was recorded yet */
	uint64_t serial;		/* 0: that load had no serial */
	char digest[65];		/* SHA-256 hex of the verified bytes */
	int64_t seq;			/* its audit record */
	time_t at;
};

/* RegistryRollback: which serial may go back ("": none). */
struct regserial_force {
	bool set;
	uint64_t serial;		/* 0: the file without a serial ("none") */
};

enum regserial_verdict {
	REGSERIAL_ACCEPT,
	REGSERIAL_ACCEPT_WARN,		/* no serial, nothing to compare: warn */
	REGSERIAL_FORCED,		/* refused by the rules, forced by the admin */
	REGSERIAL_REFUSE,
};

/* Decide for a registry with serial (0: none) and digest (hex) against
 * mark; required: RegistrySignature is required.  msg gets one sentence
 * for the log or terminal (also for ACCEPT_WARN and FORCED; "" else). */
enum regserial_verdict regserial_decide(uint64_t serial, const char *digest,
					const struct regserial_mark *mark, bool required,
					const struct regserial_force *force, char *msg,
					size_t msglen);
/* Parse RegistryRollback: "" (not set), "none", or a serial.  false when
 * it is none of these. */
bool regserial_force_parse(const char *text, struct regserial_force *out);
const char *regserial_verdict_name(enum regserial_verdict v);

#endif
