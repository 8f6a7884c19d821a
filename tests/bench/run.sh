#!/bin/sh
# tests/bench/run.sh - make bench: every benchmark, each against its
# baseline in the same invocation, printed as ratios.  Not part of make
# check: timing assertions do not belong in tests.
set -u
BUILD=${BUILD:-build}
export BUILD
for b in scanner bigmsg plainmsg milter crypt; do
	if [ -f "tests/bench/$b.sh" ]; then
		echo "== $b"
		sh "tests/bench/$b.sh" || echo "bench $b: FAILED"
	fi
done
