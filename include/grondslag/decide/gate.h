/*
 * gate.h - what the milter does with one message, decided without
 * libmilter: the findings, the envelope (sender, recipients exactly as the
 * MTA gave them, whether the mail is outbound), the registry snapshot, the
 * date, the mode and the policy options go in; per-recipient decisions and
 * one action come out, with everything the adapter needs to carry it out:
 * the held recipients for the store, the recipients to delete, the header
 * value, the share records, and the log lines.
 *
 * Actions:
 *   pass      not outbound: the message goes through untouched
 *   accept    every recipient delivered (a header when regulated data)
 *   partial   some held: store the hold FIRST, then delete the held
 *             recipients (smfi_delrcpt), add the header, queue a notice
 *   discard   every recipient held: store, then discard from the MTA
 *   tempfail  no safe decision (out of memory, no findings): the
 *             On-InternalError action
 * In simulate mode nothing is held: the action is accept, the would-be
 * holds are recorded as simulated shares and named in the header.
 *
 * Log lines carry counts, party ids, reason codes and categories: never
 * an address found, a recipient address or content.
 *
 * Public functions:
 *   gate_decide(), gate_free()
 *   gate_action(), gate_action_name(), gate_mode_parse(), gate_mode_name()
 *   gate_rcpt_count(), gate_rcpt(), gate_rcpt_held(), gate_rcpt_would_hold(),
 *   gate_decision(), gate_categories(), gate_regulated(), gate_tlp(),
 *   gate_countries(), gate_public_count()
 *   gate_hold_rcpts(), gate_delivered(), gate_share_count(), gate_share()
 *   gate_header(), gate_log_line(), gate_rcpt_log_line()
 *   gate_summary_json(), gate_findings_json()
 * Limits: GATE_MAX_RCPTS recipients (more: tempfail), header values are
 * cut at GATE_HEADER_MAX bytes.
 */
#ifndef GRONDSLAG_GATE_H
#define GRONDSLAG_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "grondslag/scan/findings.h"
#include "grondslag/base/limits.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"
#include "grondslag/decide/hold.h"

#define GATE_MAX_RCPTS RCPTS_MAX	/* limits.h */
#define GATE_HEADER_MAX 900

enum gate_mode { GATE_ENFORCE, GATE_SIMULATE };

enum gate_action { GATE_PASS, GATE_ACCEPT, GATE_PARTIAL, GATE_DISCARD, GATE_TEMPFAIL };

struct gate_input {
	const char *queue_id;		/* "" when unknown */
	const char *sender;		/* envelope sender as given ("<a@b>", "<>") */
	const char *const *rcpts;	/* envelope recipients as given, with <> */
	size_t nrcpts;
	bool outbound;			/* internal host, authenticated, or internal sender */
	enum gate_mode mode;
	int32_t date;			/* decision date (days) */
	struct policy_options policy;
	time_t now;			/* time stamp of the share records */
};

struct gate_result;

/* NULL only when out of memory (the caller then tempfails).  f NULL means
 * the message could not be scanned: the result is tempfail. */
struct gate_result *gate_decide(const struct gate_input *in, struct registry *reg,
				const struct findings *f);
void gate_free(struct gate_result *g);

enum gate_action gate_action(const struct gate_result *g);
const char *gate_action_name(enum gate_action a);	/* "pass", "accept", ... */
bool gate_mode_parse(const char *s, enum gate_mode *out);	/* enforce|simulate */
const char *gate_mode_name(enum gate_mode m);			/* "enforce", "simulate" */

size_t gate_rcpt_count(const struct gate_result *g);
const char *gate_rcpt(const struct gate_result *g, size_t i);	/* as given */
bool gate_rcpt_held(const struct gate_result *g, size_t i);
bool gate_rcpt_would_hold(const struct gate_result *g, size_t i);	/* policy said hold */
const struct decision *gate_decision(const struct gate_result *g, size_t i);	/* NULL on pass */
unsigned gate_categories(const struct gate_result *g);	/* union over recipients */
bool gate_regulated(const struct gate_result *g);
enum tlp_level gate_tlp(const struct gate_result *g);	/* the message's */
/* Public addresses per country, "BE:3,NL:1,unknown:2" ("" when none),
 * and the number of distinct public addresses and prefixes. */
const char *gate_countries(const struct gate_result *g);
size_t gate_public_count(const struct gate_result *g);

/* The held recipients, for the hold record (strings owned by g). */
const struct hold_rcpt *gate_hold_rcpts(const struct gate_result *g, size_t *n);
/* The recipients delivered now (as given). */
const char *const *gate_delivered(const struct gate_result *g, size_t *n);
/* Share records: one per delivered (or, simulating, would-be-held)
 * recipient of a regulated message. */
size_t gate_share_count(const struct gate_result *g);
const struct hold_share *gate_share(const struct gate_result *g, size_t i);

/* The header value into buf; ref (may be NULL or "") is the hold
 * reference, named when something was held.  Returns false when no
 * header is to be added (nothing regulated, pass, tempfail). */
bool gate_header(const struct gate_result *g, const char *ref, char *buf, size_t n);
/* "verdict=... mode=... rcpts=N held=M reasons=... categories=... public=K" */
void gate_log_line(const struct gate_result *g, char *buf, size_t n);
/* "rcpt=I/N verdict=... party=... match=... reasons=..." */
void gate_rcpt_log_line(const struct gate_result *g, size_t i, char *buf, size_t n);

/* malloc'ed JSON: counts, countries, categories, parts (no addresses);
 * and the full findings with the addresses (for the jurist). */
char *gate_summary_json(const struct gate_result *g);
char *gate_findings_json(const struct gate_result *g);

#endif
