#!/bin/sh
# tests/e2e/t-release.sh - the jurists' decisions and release that really
# delivers, through a private Postfix (cases: tests/e2e/release-cases.sh;
# the same with Sendmail: t-release-sendmail.sh).  Postfix's smtpd_milters
# are grondslag-milter, then the slow test milter, both on unix sockets.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/release-cases.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-500}
e2e_init release
RC_MTA=pf

rc_mta_start() {
	E2E_SMTPD_MILTERS="unix:$SOCK unix:$SLOW" e2e_postfix_start pf sink
}
rc_mta_stop() {
	e2e_postfix_stop pf
}
rc_mta_restart() {
	e2e_started "postfix:pf"
	postfix -c "$E2E_RUN/pf/etc" start >"$E2E_RUN/pf/restart.out" 2>&1
	e2e_wait_until 20 "postfix back" e2e_smtp_ready "$RC_PORT"
}
rc_mta_flush() {
	:
}
rc_mta_delivered() {
	grep -q "$1: to=<$2>.*status=sent" "$E2E_RUN/pf/log/maillog"
}

rc_setup
rc_cases
e2e_done
