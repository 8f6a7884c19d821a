#!/bin/sh
# tests/e2e/t-seal-sendmail.sh - encryption at the relay through
# grondslag-milter in front of a private Sendmail (the cases:
# tests/e2e/seal-cases.sh; DKIM after encryption is t-seal.sh's).  Last
# line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/crypt-cases.sh
. tests/e2e/seal-cases.sh
e2e_init seal-sendmail
sl_start sm
sl_cases
e2e_done
