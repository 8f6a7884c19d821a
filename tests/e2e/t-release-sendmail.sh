#!/bin/sh
# tests/e2e/t-release-sendmail.sh - the jurists' decisions and release
# that really delivers, through a private Sendmail from the Debian
# packages (cases: tests/e2e/release-cases.sh; the same with Postfix:
# t-release.sh).  Sendmail's filters are grondslag-milter, then the slow
# test milter, both on unix sockets (F=T: tempfail when unavailable);
# Sendmail queues, so each check runs its queue first.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
RC_USERS=s
. tests/e2e/release-cases.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-500}
e2e_init release-sendmail
RC_MTA=sm
# Sendmail refuses a milter socket below a group- or world-writable
# directory, and a clone may live under /tmp: the sockets go to a
# private directory in /run (root's, mode 0755).
RC_SOCKDIR=$(mktemp -d /run/grondslag-e2e.XXXXXX) || { e2e_not_ok "socket directory"; e2e_done; }
chmod 755 "$RC_SOCKDIR"
RC_SM_T="T=C:10s;S:30s;R:90s;E:120s"

rc_mta_start() {
	E2E_SM_MILTER="S=unix:$SOCK, F=T, $RC_SM_T" E2E_SM_MILTER2="S=unix:$SLOW, F=T, $RC_SM_T" \
		e2e_sendmail_start sm sink
}
rc_mta_stop() {
	e2e_sendmail_stop sm
}
rc_mta_restart() {
	E2E_SM_MILTER="S=unix:$SOCK, F=T, $RC_SM_T" E2E_SM_MILTER2="S=unix:$SLOW, F=T, $RC_SM_T" \
		E2E_SM_PORT=$RC_PORT e2e_sendmail_start sm sink
}
rc_mta_flush() {
	e2e_sendmail sm -OQueueLA=999 -ORefuseLA=999 -q >/dev/null 2>&1
}
rc_mta_delivered() {
	grep -q "$1: to=<$2>,.* stat=Sent" "$E2E_RUN/sm/maillog"
}

rc_setup
rc_cases
e2e_done
