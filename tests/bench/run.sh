#!/bin/sh
# tests/bench/run.sh - make bench: every benchmark, each against its
# baseline in the same invocation, printed as ratios.  Not part of make
# check: timing assertions do not belong in tests.
#
# Then the findings against a baseline build, byte for byte
# (differential.sh): speed work must not change a result.  The baseline
# is BENCH_BASELINE (a grondslag binary) or else the grondslag of git
# revision BENCH_BASE (default main), built once into
# $BUILD/bench/base; compared over $CORPUS, the golden messages and the
# large messages the benches made.
set -u
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
export BUILD CORPUS
. tests/bench/lib.sh
for b in scanner bigmsg plainmsg milter crypt store web; do
	if [ -f "tests/bench/$b.sh" ]; then
		echo "== $b"
		sh "tests/bench/$b.sh" || echo "bench $b: FAILED"
	fi
done

# The baseline binary's path, built from BENCH_BASE when not given.
baseline() {
	if [ -n "${BENCH_BASELINE:-}" ]; then
		echo "$BENCH_BASELINE"
		return 0
	fi
	build_rev differential "${BENCH_BASE:-main}" "$BUILD/bench/base"
}

echo "== differential"
if base=$(baseline); then
	set --
	for f in "$CORPUS" tests/golden/msg "$BUILD/bench/plainmsg/plain.eml" \
		"$BUILD/bench/plainmsg/attach.eml" "$BUILD/bench/bigmsg/big.eml"; do
		[ -e "$f" ] && set -- "$@" "$f"
	done
	SCAN_CONF=$BUILD/bench/plainmsg/bench.conf sh tests/bench/differential.sh "$base" \
		"$BUILD/grondslag" "$@" || echo "bench differential: FAILED"
else
	echo "bench differential: FAILED"
fi
