#!/bin/sh
# tests/layout/layers.sh [ROOT] - the include rules of the subsystem
# folders (docs/design.md), checked on the sources under ROOT (default .).
# Prints one line per broken rule, "file:line: rule", and exits 1 if any.
#
# A subsystem may include its own headers and those of the subsystems
# below it; nothing may include one above it.  libmilter belongs to the
# daemon's adapter alone (milter/daemon/main.c and callbacks.c), so the
# core can be linked into the CLI and the unit tests without it.  SQLite
# belongs to the store alone: everyone else reads and writes the record
# through the store's functions, so another backend changes store/ only.
ROOT=${1:-.}
cd "$ROOT" || exit 2
# subsystem: what it may include (besides itself)
allowed() {
	case $1 in
	base)	echo "" ;;
	scan)	echo "base" ;;
	config)	echo "base scan" ;;
	decide)	echo "base scan config" ;;
	store)	echo "base scan decide" ;;
	notice)	echo "base scan config decide store" ;;
	report)	echo "base scan config decide store" ;;
	daemon)	echo "base scan config decide store notice report" ;;
	ctl)	echo "base scan config decide store notice report daemon" ;;
	web)	echo "base config daemon" ;;
	*)	echo "?" ;;
	esac
}
bad=0
for f in $(find milter include/grondslag -name '*.[ch]' -o -name '*.def' | sort); do
	case $f in
	milter/*) sub=${f#milter/}; sub=${sub%%/*} ;;
	include/grondslag/*) sub=${f#include/grondslag/}; sub=${sub%%/*} ;;
	esac
	case $sub in *.[ch]|*.def)
		echo "$f:1: outside every subsystem folder"; bad=1; continue ;;
	esac
	ok=$(allowed "$sub")
	if [ "$ok" = "?" ]; then
		echo "$f:1: unknown subsystem folder '$sub' (add it to tests/layout/layers.sh)"
		bad=1; continue
	fi
	grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(echo "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*[<"]\([^">]*\)[">].*/\1/p')
		case $inc in
		libmilter/*)
			case $f in
			milter/daemon/main.c|milter/daemon/callbacks.c) ;;
			*) echo "$f:$n: includes libmilter outside the daemon's adapter" ;;
			esac ;;
		sqlite3*.h)
			[ "$sub" = store ] || echo "$f:$n: includes $inc outside the store" ;;
		grondslag/*/*)
			to=${inc#grondslag/}; to=${to%%/*}
			[ "$to" = "$sub" ] && continue
			case " $ok " in
			*" $to "*) ;;
			*) echo "$f:$n: $sub/ includes $to/ ($inc)" ;;
			esac ;;
		grondslag/*)
			echo "$f:$n: includes $inc, which is in no subsystem folder" ;;
		esac
	done
done >"${TMPDIR:-/tmp}/layers.$$"
if [ -s "${TMPDIR:-/tmp}/layers.$$" ]; then bad=1; cat "${TMPDIR:-/tmp}/layers.$$"; fi
rm -f "${TMPDIR:-/tmp}/layers.$$"
exit $bad
