#!/bin/sh
# tests/run.sh - run every suite of make check and add up the results.
#
# A suite is a cmocka binary (build/tests/test_*), a fuzz replay runner
# over its seed corpus (build/tests/replay_fuzz_*), or a shell script in
# tests/golden/ or tests/e2e/ named t-*.sh that prints "N passed, M failed"
# as its last such line.  A suite that exits non-zero counts at least one
# failure, whatever it printed.  A missing fixture is a failure, never a
# skip.  The last line is the sum: "N passed, M failed".
set -u
BUILD=${BUILD:-build}
export BUILD
LOGS=$BUILD/test-logs
# Sanitizer settings for make asan (harmless otherwise).  GLib keeps its
# type system alive until exit on purpose: tests/lsan.supp names those.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
# The console test's plain message is for the guide's screenshots only
# (contrib/doc-screenshots.sh): make check always sends the hostile one.
unset WEB_GUIDE
mkdir -p "$LOGS"
total_pass=0
total_fail=0
failed_suites=""

run_suite() {	# name, command...
	name=$1; shift
	log=$LOGS/$name.log
	"$@" >"$log" 2>&1
	rc=$?
	# cmocka: "[  PASSED  ] N test(s)."  "[  FAILED  ] N test(s), listed below:"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed.*/\2/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	if [ "$f" != 0 ]; then
		failed_suites="$failed_suites $name"
		printf '%-32s %5d passed, %d failed  FAIL (log: %s)\n' "$name" "$p" "$f" "$log"
		sed -e 's/^/    | /' "$log" | grep -v '^    | \[ *\(RUN\|OK\) *\]' | tail -n 40
	else
		printf '%-32s %5d passed, %d failed\n' "$name" "$p" "$f"
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_suite "$(basename "$t")" "$t"
done

for r in "$BUILD"/tests/replay_fuzz_*; do
	[ -x "$r" ] || continue
	target=${r##*/replay_fuzz_}
	run_suite "fuzz-replay-$target" "$r" "tests/fuzz/seeds/$target"
done

for s in tests/golden/t-*.sh tests/e2e/t-*.sh; do
	[ -f "$s" ] || continue
	run_suite "$(basename "$s" .sh)" sh "$s"
done

echo
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ] && [ "$total_pass" -gt 0 ]
