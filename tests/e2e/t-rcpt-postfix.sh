#!/bin/sh
# tests/e2e/t-rcpt-postfix.sh - recipient forms and the recipient limit
# (tests/e2e/rcpt-cases.sh) through grondslag-milter in front of a private
# Postfix (unix socket), smtpd_recipient_limit raised so the milter's own
# limit answers.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/rcpt-cases.sh
e2e_init rcpt-postfix
E2E_POSTCONF="smtpd_recipient_limit = 2000"
mc_with_postfix
rc_cases pf sink
e2e_done
