#!/bin/sh
# tests/e2e/t-identifiers-sendmail.sh - credentials and hostname lists
# through a private Sendmail and grondslag-milter (tests/e2e/id-cases.sh).
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/id-cases.sh
e2e_init identifiers-sendmail
mc_with_sendmail
id_cases sm sink
e2e_done
