#!/bin/sh
# tests/e2e/t-crypt-sendmail.sh - encrypted mail through grondslag-milter in front
# of a private Sendmail (the cases: tests/e2e/crypt-cases.sh).  Last line:
# "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/crypt-cases.sh
e2e_init sendmail-crypt
CR=$E2E_RUN/crypt
cr_start sm
cr_cases
e2e_done
