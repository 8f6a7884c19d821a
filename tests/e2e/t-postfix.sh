#!/bin/sh
# tests/e2e/t-postfix.sh - grondslag-milter in front of a private Postfix
# (unix socket, milter_default_action = tempfail), relaying to smtp-sink;
# the cases are in tests/e2e/milter-cases.sh.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
e2e_init postfix-milter
mc_with_postfix
mc_cases pf sink
e2e_done
