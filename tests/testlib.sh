# tests/testlib.sh - counters for shell test suites (sourced).
# ok NAME / not_ok NAME [DETAIL] / check NAME CMD... / summary
# summary prints "N passed, M failed" and returns non-zero on a failure.
# Sourced from the top of the checkout, it also sets TOP (that checkout),
# B (the build directory as an absolute path; BUILD, default build), BIN
# (the grondslag command), MILTER (grondslag-milter) and PY (python3).
BUILD=${BUILD:-build}
TOP=$(pwd)
case $BUILD in /*) B=$BUILD ;; *) B=$TOP/$BUILD ;; esac
BIN=$B/grondslag
MILTER=$B/grondslag-milter
PY=/usr/bin/python3
T_PASS=0
T_FAIL=0

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $1"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/    # /'
	return 0
}

# check NAME CMD...: ok when CMD exits 0.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
