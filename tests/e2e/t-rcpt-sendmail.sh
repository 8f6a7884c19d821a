#!/bin/sh
# tests/e2e/t-rcpt-sendmail.sh - recipient forms and the recipient limit
# (tests/e2e/rcpt-cases.sh) through grondslag-milter in front of a private
# Sendmail (inet socket; Sendmail sets no recipient limit by default).
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/rcpt-cases.sh
e2e_init rcpt-sendmail
mc_with_sendmail
rc_cases sm sink
e2e_done
