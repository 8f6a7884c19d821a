/*
 * ctlsock_log.c - the one syslog line of each request on the control
 * socket, for the admin and the DPO: who asked (login, uid, the role
 * the daemon gave them), what (the command, bulk or not, the hold
 * reference) and the outcome (accepted, refused with why, not-found,
 * bad-request, error):
 *
 *   control: user=alice uid=1001 role=jurist cmd=approve ref=G20261207-ABCDEFGHJK outcome=accepted
 *   control: user=ops uid=1002 role=admin cmd=approve ref=G... outcome=refused reason="the role admin may not approve"
 *
 * Never content and never an address: the command and reference are
 * logged only in the forms the daemon knows (anything else a caller sent
 * is "unknown" or "invalid"), and a reason only for a refusal, whose
 * texts name roles and limits, not recipients.  A refusal beyond the
 * caller's limit is counted, not logged one by one (ctlsock_refuse.c),
 * so a caller in a loop cannot flood the log.
 *
 * Public function (for the files of the control socket):
 * ctlsock_log_action().
 */
#include <stdio.h>
#include <string.h>

#include "ctlsock_priv.h"
#include "grondslag/base/log.h"

/* The word logged for an answer's status. */
static const char *outcome_of(const char *status)
{
	if (status == NULL)
		return "error";
	return strcmp(status, "ok") == 0 ? "accepted" : status;
}

void ctlsock_log_action(const struct ctlsock_req *r)
{
	if (r->counted)
		return;
	const char *cmd = r->cmd == NULL ? "-" : r->cmd_known ? r->cmd : "unknown";
	const char *ref = r->ref == NULL ? "-" : r->ref == r->refbuf ? r->ref : "invalid";
	bool bulk = r->cmd_known && r->root != NULL &&
		    jsonr_bool(jsonr_get(r->root, "all_matching"));
	/* a refusal or an error is what the admin looks for */
	const char *st = r->status != NULL ? r->status : "error";
	int prio = strcmp(st, "error") == 0 ? LOG_WARNING
		   : strcmp(st, "refused") == 0 || r->refused[0] != '\0' ? LOG_NOTICE
									  : LOG_INFO;
	/* through a delegate (the console): the person acts, the console's
	 * login and uid say by which channel */
	bool via = r->actor.channel != NULL && r->actor.user != NULL;
	log_msg(prio,
		"control: user=%.64s%s%.64s uid=%ld role=%s cmd=%s%s ref=%s outcome=%s%s%.200s%s",
		via ? r->actor.user : r->peer->user, via ? " channel=" : "",
		via ? r->actor.channel : "", r->peer->uid, ctlsock_role_name(r->role), cmd,
		bulk ? " bulk=all-matching" : "", ref, outcome_of(r->status),
		r->refused[0] ? " reason=\"" : "", r->refused, r->refused[0] ? "\"" : "");
}
