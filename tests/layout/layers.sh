#!/bin/sh
# tests/layout/layers.sh [ROOT] - the include rules of the subsystem
# folders (docs/design.md), checked on the sources under ROOT (default .).
# Prints one line per broken rule, "file:line: rule", and exits 1 if any.
#
# A subsystem may include its own headers and those of the subsystems
# below it; nothing may include one above it.  libmilter belongs to the
# daemon's adapter alone (milter/daemon/main.c and callbacks.c), so the
# core can be linked into the CLI and the unit tests without it.  The
# databases belong to the store alone, each to its driver: SQLite to
# store/db_sqlite.c, libpq to store/db_pg.c (and store/pqlib.h, the
# table through which it calls libpq, loaded only when a PostgreSQL store
# is opened: pqlib.c and db_pg.c alone include it), and the store's database
# layer (store/db.h) to store/; everyone else reads and writes the record
# through the store's functions, and the store's modules through db.h, so
# a backend changes its driver only.
# libmicrohttpd and GnuTLS belong to the console's HTTP adapter
# (milter/web/main.c, http.c, http.h): its pages stay pure and unit-tested.
#
# The adapter also stays an adapter: callbacks.c neither composes a
# notice nor assembles a hold record - both are the core's
# (notice_hold_record(), holdrec.h), where the unit tests reach them.
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
	web)	echo "base scan config decide store daemon" ;;
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
			case $f in
			milter/store/db_sqlite.c) ;;
			milter/store/*) echo "$f:$n: includes $inc outside the store's SQLite driver (db_sqlite.c)" ;;
			*) echo "$f:$n: includes $inc outside the store" ;;
			esac ;;
		libpq-fe.h|libpq/*|postgresql/*)
			case $f in
			milter/store/db_pg.c|milter/store/pqlib.h) ;;
			milter/store/*) echo "$f:$n: includes $inc outside the store's PostgreSQL driver (db_pg.c)" ;;
			*) echo "$f:$n: includes $inc outside the store" ;;
			esac ;;
		pqlib.h)
			case $f in
			milter/store/db_pg.c|milter/store/pqlib.c) ;;
			*) echo "$f:$n: includes pqlib.h (libpq's table) outside the store's PostgreSQL driver (db_pg.c)" ;;
			esac ;;
		grondslag/store/db.h)
			[ "$sub" = store ] || echo "$f:$n: includes the store's database layer outside the store" ;;
		microhttpd.h|gnutls/*)
			case $f in
			milter/web/main.c|milter/web/http.c|milter/web/http.h) ;;
			*) echo "$f:$n: includes $inc outside the console's HTTP adapter" ;;
			esac ;;
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

# adapter FILE: what the adapter may not do itself (comment lines aside).
# Composing: any notice_*() call but notice_hold_record(), the core's one
# entry.  Assembling: a hold record, notice, share or held recipient as an
# object (a pointer to the core's is fine), a record field written, or a
# piece of the record made here (its findings, retry key, canonical
# sender, a notice queued in it or beside it).
adapter() {
	[ -f "$1" ] || return 0
	grep -nE '' "$1" | grep -vE '^[0-9]+:[[:space:]]*(\*([[:space:]/]|$)|/\*|//)' >"${TMPDIR:-/tmp}/adapter.$$"
	awk -v f="$1" '{
		n = $0; sub(/:.*/, "", n); line = substr($0, length(n) + 2)
		while (match(line, /(^|[^A-Za-z0-9_])notice_[a-z_]+[ \t]*\(/)) {
			c = substr(line, RSTART, RLENGTH); line = substr(line, RSTART + RLENGTH)
			sub(/^[^A-Za-z0-9_]/, "", c); sub(/[ \t]*\($/, "", c)
			if (c != "notice_hold_record")
				printf "%s:%s: the adapter composes a notice (%s)\n", f, n, c
		}
	}' "${TMPDIR:-/tmp}/adapter.$$"
	grep -E 'struct[[:space:]]+hold_(record|notice|share|rcpt)[[:space:]]*[^[:space:]*]' \
		"${TMPDIR:-/tmp}/adapter.$$" | sed -E "s|^([0-9]+):.*|$1:\\1: the adapter fills a hold record (an object of its own)|"
	grep -E '(\.|->)(summary_json|findings_json|retry_key|message_key|retry_window|sender_canonical|notice_to|notice_message|notices|nnotices|shares|nshares|decided_on)[[:space:]]*=([^=]|$)' \
		"${TMPDIR:-/tmp}/adapter.$$" | sed -E "s|^([0-9]+):.*|$1:\\1: the adapter fills a hold record (a field)|"
	grep -E '(holdrec_notice|holdkey_compute|senderid_address|gate_summary_json|gate_findings_json|store_notices?_put(_at)?)[[:space:]]*\(' \
		"${TMPDIR:-/tmp}/adapter.$$" | sed -E "s|^([0-9]+):.*|$1:\\1: the adapter fills a hold record (a piece of it)|"
	rm -f "${TMPDIR:-/tmp}/adapter.$$"
}
adapter milter/daemon/callbacks.c >>"${TMPDIR:-/tmp}/layers.$$"
if [ -s "${TMPDIR:-/tmp}/layers.$$" ]; then bad=1; cat "${TMPDIR:-/tmp}/layers.$$"; fi
rm -f "${TMPDIR:-/tmp}/layers.$$"
exit $bad
