#!/bin/sh
# tests/e2e/t-seal.sh - encryption at the relay through grondslag-milter in
# front of a private Postfix, OpenDKIM signing after it (the cases:
# tests/e2e/seal-cases.sh).  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/crypt-cases.sh
. tests/e2e/seal-cases.sh
e2e_init seal
SL_DKIM=1
sl_start pf
sl_cases
e2e_done
