#!/bin/sh
# tests/bench/rounds.sh - several builds (and ripgrep) over one message in
# interleaved rounds: each round runs every command once, so a machine
# whose speed drifts (a shared virtual machine) slows all of them alike.
# Prints the minimum, first quartile and median wall time of each.
#
# Usage: rounds.sh ROUNDS FILE CONFIG NAME=BINARY... (BINARY "rg": ripgrep's
# IPv4 regex over FILE; else "BINARY scan -c CONFIG --json FILE").
# Example (the figures of the plain message in the notes):
#   sh tests/bench/rounds.sh 21 build/bench/plainmsg/plain.eml \
#	build/bench/plainmsg/bench.conf rg=rg now=build/grondslag \
#	before=build/bench/before-ids/src/build/grondslag
set -u
if [ $# -lt 4 ]; then
	echo "usage: $0 ROUNDS FILE CONFIG NAME=BINARY..." >&2
	exit 2
fi
n=$1 file=$2 conf=$3
shift 3
. tests/bench/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
i=0
while [ "$i" -lt "$n" ]; do
	for a in "$@"; do
		name=${a%%=*} bin=${a#*=}
		t0=$(now)
		if [ "$bin" = rg ]; then
			rg --count-matches -a "$PATTERN" "$file" >/dev/null
		else
			"$bin" scan -c "$conf" --json "$file" >/dev/null || {
				echo "rounds: $bin failed on $file" >&2
				exit 1
			}
		fi
		t1=$(now)
		awk -v a="$t0" -v z="$t1" 'BEGIN { printf "%.1f\n", (z - a) * 1000 }' >>"$tmp/$name"
	done
	i=$((i + 1))
done
for a in "$@"; do
	name=${a%%=*}
	sort -n "$tmp/$name" | awk -v n="$name" '{ t[NR] = $1 } END {
		printf "%-10s min %7.1f  q1 %7.1f  median %7.1f ms\n", n, t[1], t[int(NR / 4) + 1],
			t[int((NR + 1) / 2)] }'
done
