/*
 * route.h - where an envelope recipient can go, and the form in which
 * the MTA queued it.
 *
 * Mail systems still honour routing syntax inside an address: a source
 * route "<@a,@b:user@dom>" (RFC 5321 lets a server ignore the route, a
 * server may also follow it), the percent hack "user%dom@relay" (Postfix
 * allow_percent_hack, Sendmail: the relay's MTA delivers to dom), the
 * UUCP bang path "dom!user@relay" (Postfix swap_bangpath, Sendmail) and a
 * quoted '@' ("\"user@dom\"@relay": Postfix resolve_dequoted_address
 * looks inside quotes).  Which of them a given chain of MTAs applies, and
 * in which order, is configuration we cannot see, so a recipient is
 * judged for EVERY domain the mail could reach: the domain after the last
 * '@', each hop of the source route and each host named by an operator in
 * the (unquoted) local part, paired with the innermost user.  A host that
 * is not a domain (a UUCP name, an address literal, an empty or ambiguous
 * piece) makes the route unknown: the caller holds.
 *
 * The MTA's own form of a recipient (for smfi_delrcpt, which is never
 * confirmed) is the client's mailbox without its source route, unless the
 * MTA reported ({rcpt_addr}) that it kept the route: Postfix's cleanup
 * deletes by comparing the internalised (unquoted, case kept) text with
 * the recipient it queued, which smtpd stored without the route; Sendmail
 * parses the text through its rules and compares the result.  Neither
 * matches Postfix's {rcpt_addr} itself, which is the resolved,
 * lower-cased address.
 *
 * Public functions:
 *   route_parse()        targets of a recipient, routed or not, valid
 *   route_key()          unquoted, lower-cased, bracket-free comparison key
 *   route_delete_form()  the text that deletes a recipient at the MTA
 *   route_fits()         within the one length limit (limits.h)
 * Limits: ROUTE_TARGETS_MAX targets (more: not valid), input of at most
 * RCPT_TEXT_MAX bytes without its <> (longer: every function fails).
 */
#ifndef GRONDSLAG_ROUTE_H
#define GRONDSLAG_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "grondslag/base/domain.h"
#include "grondslag/base/limits.h"

#define ROUTE_TARGETS_MAX 16
#define ROUTE_TEXT_MAX (RCPT_TEXT_MAX + 3)	/* "<" + 1024 bytes + ">" + NUL */

struct route {
	bool routed;	/* a source route, or '@', '%' or '!' in the local part */
	bool valid;	/* every target names a user and a domain */
	size_t ntargets;
	/* "user@domain", not yet canonical (registry_resolve does that), in
	 * the order the mail would travel: the hops of a source route, the
	 * address as given without its route, the hosts of its local part
	 * (the last target is where the mail ends); empty when not valid */
	char targets[ROUTE_TARGETS_MAX][ADDRESS_TEXT_MAX];
};

/* Parse recipient rcpt (with or without <>).  Returns out->valid. */
bool route_parse(const char *rcpt, struct route *out);

/* The comparison key of an address: no <>, quotes and backslashes of the
 * local part removed, ASCII lower-cased (source route kept).  False when
 * it does not fit or has no '@'. */
bool route_key(const char *addr, char *out, size_t outsize);

/* The text that deletes recipient given (as the client sent it, with <>)
 * at the MTA that reported mta_addr ({rcpt_addr}) for it: "<mailbox>",
 * the source route removed unless mta_addr kept it.  False when either is
 * missing or malformed: the caller must not guess. */
bool route_delete_form(const char *given, const char *mta_addr, char *out, size_t outsize);

/* True when rcpt (with or without <>) is at most RCPT_TEXT_MAX bytes
 * without its <>: the longest recipient the milter takes, holds, deletes
 * and releases. */
bool route_fits(const char *rcpt);

#endif
