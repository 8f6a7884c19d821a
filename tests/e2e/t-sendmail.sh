#!/bin/sh
# tests/e2e/t-sendmail.sh - grondslag-milter in front of a private
# Sendmail (unpacked Debian packages, INPUT_MAIL_FILTER with F=T, inet
# socket: TCP_NODELAY and the data callback), relaying to smtp-sink; the
# cases are in tests/e2e/milter-cases.sh.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
e2e_init sendmail-milter
mc_with_sendmail
mc_cases sm sink
e2e_done
