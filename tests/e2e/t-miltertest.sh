#!/bin/sh
# tests/e2e/t-miltertest.sh - the milter protocol of grondslag-milter,
# driven by miltertest (tests/milter/*.lua), plus what the scripts cannot
# see: the store's content and the daemon's log.
#
#   enforce.lua    per-recipient MT_RCPTDELETE, header insertion, discard
#                  when all held, header stripping, abort mid-message,
#                  inbound pass, authenticated sender, 40 messages on one
#                  connection
#   simulate.lua   Mode simulate delivers everything, marks and records
#   storefail.lua  the store's file system fills up (a private 1 MB tmpfs,
#                  filled with dd while the milter runs): tempfail 451
# The three run in parallel (each costs ~5 s of libmilter exit).  Needs
# root for the tmpfs mount.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init miltertest
BIN=$E2E_BUILD/grondslag-milter
GEO=$E2E_BUILD/geo-test
TOP=$(pwd)
FS=$E2E_RUN/storefs

umount_fs() {
	if mountpoint -q "$FS" 2>/dev/null; then umount "$FS"; fi
	return 0
}
trap 'umount_fs; e2e_cleanup' EXIT

command -v miltertest >/dev/null 2>&1 || {
	e2e_diag "installing miltertest"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq miltertest >/dev/null
}
e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$GEO" || e2e_done

# Write the configuration of suite $1 (port $2, database $3, extra lines).
write_conf() {
	_wc=$1
	_port=$2
	_db=$3
	shift 3
	e2e_milter_conf "$E2E_RUN/$_wc" "inet:$_port@127.0.0.1" "$_db" "SpoolMemory 64k" "$@"
}

# Run script $1 on port $2 in the background; output in $E2E_RUN/$1/.
run_script() {
	_name=$1
	_port=$2
	shift 2
	miltertest -D bin="$BIN" -D conf="$E2E_RUN/$_name/grondslag.conf" -D port="$_port" \
		-D dir="$TOP/tests/milter" "$@" -s "tests/milter/$_name.lua" \
		>"$E2E_RUN/$_name/out" 2>"$E2E_RUN/$_name/log" &
	echo $! >"$E2E_RUN/$_name/pid"
}

mkdir -p "$FS"
e2e_check "1 MB tmpfs for the store" mount -t tmpfs -o size=1m tmpfs "$FS" || e2e_done

P1=$(e2e_pick_port) && P2=$(e2e_pick_port) && P3=$(e2e_pick_port) || e2e_done
write_conf enforce "$P1" "$E2E_RUN/enforce/store.db"
write_conf simulate "$P2" "$E2E_RUN/simulate/store.db" "Mode simulate"
write_conf storefail "$P3" "$FS/store.db"
run_script enforce "$P1"
run_script simulate "$P2"
run_script storefail "$P3" -D fill="dd if=/dev/zero of=$FS/fill bs=4k 2>/dev/null; true" \
	-D unfill="rm -f $FS/fill"

for s in enforce simulate storefail; do
	wait "$(cat "$E2E_RUN/$s/pid")"
	rc=$?
	e2e_recount "$E2E_RUN/$s/out" "$s: "
	e2e_is "$rc" 0 "$s: miltertest exit status"
	e2e_check "$s: summary line" grep -Eq '^[0-9]+ passed, 0 failed' "$E2E_RUN/$s/out"
done
umount_fs

# What the store holds after enforce.lua: 29 holds (Q1 Q2 Q7 Q8 A1, 20
# of the 40 and R1-R4; never R5), one notice each (all from
# sender@ncsc.nl), 27 share records.
count() {
	"$E2E_PY" - "$1" "$2" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
PY
}
DB=$E2E_RUN/enforce/store.db
e2e_is "$(count "$DB" 'select count(*) from holds')" 29 "store: holds"
e2e_is "$(count "$DB" "select count(*) from hold_recipients where recipient='<info@jpcert.or.jp>' and reasons='no-basis' and party='jpcert'")" 24 \
	"store: held JPCERT/CC recipients with no-basis"
e2e_is "$(count "$DB" "select count(*) from hold_recipients where reasons='constituency-mismatch'")" 1 \
	"store: the Japanese list to CERT.be, constituency-mismatch"
e2e_is "$(count "$DB" "select count(*) from outbox where kind='hold' and rcpt='sender@ncsc.nl'")" 29 \
	"store: a notice per hold to the sender"
e2e_is "$(count "$DB" "select sender_auth || ' ' || sender_canonical from holds where queue_id='A1'")" \
	"alice sender@ncsc.nl" "store: the authenticated hold records the SASL login ({auth_authen}) and the canonical sender"
e2e_is "$(count "$DB" "select count(*) from holds where sender_auth = '' and sender_canonical = 'sender@ncsc.nl'")" 28 \
	"store: the others record no login"
e2e_is "$(count "$DB" "select count(*) from shares where simulated=0")" 27 "store: share records"
e2e_is "$(count "$DB" "select count(*) from shares where party='cert-be' and bases='wbni-20-2-eu-csirt' and countries='BE:3'")" 26 \
	"store: shares name party, basis and countries"
e2e_is "$(count "$DB" "select count(*) from hold_messages where cast(message as text) like '%194.7.1.10%'")" 28 \
	"store: the held copies carry the message"
DB=$E2E_RUN/simulate/store.db
e2e_is "$(count "$DB" 'select count(*) from holds')" 0 "simulate: nothing held"
e2e_is "$(count "$DB" 'select count(*) from shares where simulated=1')" 2 "simulate: would-be holds recorded"
e2e_is "$(count "$DB" 'select count(*) from shares where simulated=0')" 1 "simulate: real share recorded"

# The log: one line per message starting with the queue id, no address
# found and no recipient address in any line.
LOG=$E2E_RUN/enforce/log
e2e_check "log: Q1 line" grep -Eq ': Q1: verdict=partial mode=enforce rcpts=2 held=1 reasons=no-basis categories=[a-z,-]+ public=3 ref=G' "$LOG"
e2e_check "log: per-recipient line" grep -Eq ': Q1: rcpt=2/2 verdict=hold party=jpcert match=domain reasons=no-basis' "$LOG"
e2e_check "log: no address found is logged" sh -c "! grep -Eq '194\\.7\\.|133\\.[0-9]' '$LOG'"
e2e_check "log: no recipient address is logged" sh -c "! grep -q 'jpcert.or.jp' '$LOG'"
e2e_check "storefail: F2 tempfail logged" grep -Eq ': F2: verdict=tempfail error=.*(full|disk|space)' "$E2E_RUN/storefail/log"
e2e_check "storefail: F3 tempfail logged" grep -Eq ': F3: verdict=tempfail error=' "$E2E_RUN/storefail/log"
e2e_done
