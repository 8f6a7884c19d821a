#!/bin/sh
# tests/e2e/t-postfix.sh - grondslag-milter in front of a private Postfix
# (unix socket, milter_default_action = tempfail), relaying to smtp-sink;
# the cases are in tests/e2e/milter-cases.sh.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
e2e_init postfix-milter
e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
SOCK=$E2E_RUN/milter/milter.sock
mc_setup "unix:$SOCK"
e2e_check "milter socket" e2e_wait_until 10 "milter socket" test -S "$SOCK"
E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
mc_cases pf sink
e2e_done
