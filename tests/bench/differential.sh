#!/bin/sh
# tests/bench/differential.sh - the same findings from two builds: runs
# "grondslag scan --json" of OLD and NEW over every file under each DIR
# and compares output and exit status byte for byte.  For changes that
# must not change results (speed work); the files are read where they
# lie, never copied.
#
# Usage: differential.sh OLD_GRONDSLAG NEW_GRONDSLAG DIR...
# Environment: SCAN_CONF (a config for both, e.g. a larger MaxMessageSize),
# JOBS (parallel files, default 2).  Prints "compared N files,
# differences D, errors E" and exits 1 when D > 0 (the first differences
# listed), when no file was found, or when NEW failed on every file (E
# counts its exits other than 0: two builds that both fail everywhere
# compare equal and prove nothing).
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 OLD_GRONDSLAG NEW_GRONDSLAG DIR..." >&2
	exit 2
fi
old=$1
new=$2
shift 2
for b in "$old" "$new"; do
	if [ ! -x "$b" ]; then
		echo "differential: $b is not executable" >&2
		exit 2
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
conf=""
[ -n "${SCAN_CONF:-}" ] && conf="-c $SCAN_CONF"
export old new conf tmp

# One file: both outputs (stdout and status) equal, else "D name"; NEW
# not exiting 0, "E name".
find "$@" -type f -print0 | sort -z >"$tmp/files"
# shellcheck disable=SC2016
xargs -0 -P "${JOBS:-2}" -n 16 sh -c '
	for f in "$@"; do
		# shellcheck disable=SC2086
		a=$("$old" scan $conf --json "$f" 2>/dev/null; echo "status $?")
		# shellcheck disable=SC2086
		b=$("$new" scan $conf --json "$f" 2>/dev/null; echo "status $?")
		[ "$a" = "$b" ] || printf "D %s\n" "$f"
		[ "${b##*status }" = 0 ] || printf "E %s\n" "$f"
	done' differential <"$tmp/files" >"$tmp/out"
n=$(tr -cd '\0' <"$tmp/files" | wc -c)
d=$(grep -c '^D ' "$tmp/out")
e=$(grep -c '^E ' "$tmp/out")
echo "differential: compared $n files, differences $d, errors $e"
[ "$e" -gt 0 ] && sed -n 's/^E /error: /p' "$tmp/out" | head -n 10
if [ "$n" = 0 ]; then
	echo "differential: no files under $*" >&2
	exit 1
fi
if [ "$e" = "$n" ]; then
	echo "differential: $new failed on every file (SCAN_CONF?)" >&2
	exit 1
fi
if [ "$d" -gt 0 ]; then
	sed -n 's/^D //p' "$tmp/out" | head -n 20
	exit 1
fi
