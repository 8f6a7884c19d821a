#!/bin/sh
# tests/bench/scanner.sh - IP scanner throughput against ripgrep, same
# files, same run.
#
# Generates (once, into $BUILD/bench/) a benign mail-like text of
# BENIGN_MB (default 300) and an IP-dense CSV list of DENSE_MB (default
# 150) with tests/bench/gen-text.py, then times
#   ripgrep:  rg --count-matches -a '\b(?:\d{1,3}\.){3}\d{1,3}\b' FILE
#             (IPv4 only, no output to format; best of RUNS wall-clock runs
#             on the page-cached file)
#   scanner:  $BUILD/tests/ipscan-bench FILE RUNS
#             (IPv4 + IPv6 + defanged + prefixes + ranges; best of RUNS
#             in-memory passes, one core)
# and prints "scanner KIND: X MB/s, ripgrep Y MB/s, ratio Zx".  Runs are
# interleaved so that a busy machine slows both alike.  Not part of make
# check: timing assertions do not belong in tests.
set -u
BUILD=${BUILD:-build}
BENIGN_MB=${BENIGN_MB:-300}
DENSE_MB=${DENSE_MB:-150}
RUNS=${RUNS:-5}
DIR=$BUILD/bench
BENCH=$BUILD/tests/ipscan-bench
PATTERN='\b(?:\d{1,3}\.){3}\d{1,3}\b'

if [ ! -x "$BENCH" ]; then
	echo "scanner: $BENCH missing (make $BENCH)" >&2
	exit 1
fi
if ! command -v rg >/dev/null 2>&1; then
	echo "scanner: ripgrep (rg) not installed: no baseline" >&2
	exit 1
fi
mkdir -p "$DIR"

# gen KIND MB FILE: (re)generate when missing or of another size
gen() {
	stamp="$3.mb"
	if [ ! -s "$3" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$2" ]; then
		echo "generating $3 ($2 MB)"
		python3 tests/bench/gen-text.py "$1" "$2" "$3" || exit 1
		echo "$2" >"$stamp"
	fi
}
gen benign "$BENIGN_MB" "$DIR/benign.txt"
gen dense "$DENSE_MB" "$DIR/dense.csv"

now() { date +%s.%N; }

# bench KIND FILE
bench() {
	file=$2
	bytes=$(wc -c <"$file")
	cat "$file" >/dev/null	# page cache, for both
	best_rg=0
	best_sc=0
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(now)
		rg_count=$(rg --count-matches -a "$PATTERN" "$file")
		t1=$(now)
		rg_mbps=$(awk -v b="$bytes" -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f", b / (z - a) / 1e6 }')
		best_rg=$(awk -v x="$rg_mbps" -v y="$best_rg" 'BEGIN { print (x > y) ? x : y }')
		line=$("$BENCH" "$file" 1 | tail -n 1)
		sc_mbps=$(echo "$line" | sed -n 's/^mbps=\([0-9.]*\) .*/\1/p')
		sc_count=$(echo "$line" | sed -n 's/.* matches=\([0-9]*\) .*/\1/p')
		best_sc=$(awk -v x="$sc_mbps" -v y="$best_sc" 'BEGIN { print (x > y) ? x : y }')
		i=$((i + 1))
	done
	ratio=$(awk -v a="$best_sc" -v b="$best_rg" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	printf 'scanner %s: %.0f MB/s, ripgrep %.0f MB/s, ratio %sx  (matches: scanner %s, ripgrep IPv4 %s; %s bytes)\n' \
		"$1" "$best_sc" "$best_rg" "$ratio" "$sc_count" "${rg_count:-0}" "$bytes"
}

bench benign "$DIR/benign.txt"
bench dense "$DIR/dense.csv"
