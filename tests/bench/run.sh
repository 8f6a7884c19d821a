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
	rev=$(git rev-parse --verify -q "${BENCH_BASE:-main}^{commit}") || {
		echo "differential: no revision ${BENCH_BASE:-main} (BENCH_BASE=...)" >&2
		return 1
	}
	dir=$BUILD/bench/base
	if [ "$(cat "$dir/rev" 2>/dev/null)" != "$rev" ] || [ ! -x "$dir/src/build/grondslag" ]; then
		rm -rf "$dir"
		mkdir -p "$dir/src"
		echo "differential: building the baseline $(git rev-parse --short "$rev") in $dir" >&2
		git archive "$rev" | tar -x -C "$dir/src" &&
			make -s -C "$dir/src" -j2 build/grondslag >"$dir/build.log" 2>&1 || {
			echo "differential: the baseline did not build (see $dir/build.log)" >&2
			return 1
		}
		echo "$rev" >"$dir/rev"
	fi
	echo "$dir/src/build/grondslag"
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
