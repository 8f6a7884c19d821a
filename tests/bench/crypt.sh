#!/bin/sh
# tests/bench/crypt.sh - the cost of a PKESK check per message: who can
# read a ~100 KB PGP/MIME message (3 and 40 recipients), read from its
# armour, mapped through a registry of 1,000 and 5,000 parties with
# certificates, against the whole scan and decision of the same message
# (build/tests/pkesk-bench); then the escrow key's decryption
# (build/tests/escrow-bench) and a relay encryption (build/tests/seal-bench).
# No baseline to race: the figure is the share of the scan each takes.
set -u
BUILD=${BUILD:-build}
make -s "$BUILD/tests/pkesk-bench" || exit 1
for args in "1000 3 500" "5000 3 300" "1000 40 200"; do
	# shellcheck disable=SC2086
	"$BUILD/tests/pkesk-bench" $args || exit 1
done
# The escrow key (EscrowKey): decrypting a ~100 KB PGP/MIME message of
# incident text through GPGME, and its whole scan with and without the key.
make -s "$BUILD/tests/escrow-bench" || exit 1
"$BUILD/tests/escrow-bench" 100 30 || exit 1
# Relay encryption (a basis with encrypt: required): the key check the
# policy asks for and the whole encryption of a ~100 KB plaintext
# message to one party key through GPGME, beside its scan.
make -s "$BUILD/tests/seal-bench" || exit 1
"$BUILD/tests/seal-bench" 100 30 || exit 1
