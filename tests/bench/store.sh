#!/bin/sh
# tests/bench/store.sh - make bench: the store in PostgreSQL beside SQLite.
#
#   BUILD=build sh tests/bench/store.sh
#
# One grondslag-milter on an SQLite file, one on a private PostgreSQL 15
# (tests/pglib.sh: unix socket, fsync on, synchronous_commit on as the
# daemon sets it; the daemon's least-privilege role), each driven by the
# milter-protocol client tests/bench/mclient.py (one connection per
# message, as Postfix opens one per SMTP session):
#   - held mail (a list of Japanese addresses to JPCERT/CC: scanned,
#     decided, the hold committed before the reply): BENCH_STORE_HELD
#     (300) messages from BENCH_STORE_CLIENTS (4) clients at once: holds
#     per second, and the latency at the milter (EOM sent -> final reply)
#     p50/p99; the difference of the medians is the extra latency per
#     held message;
#   - the mix: BENCH_STORE_MIX (400) messages, 10% incident (5% delivered
#     with a share record, 5% held), 90% clean, from the same clients:
#     messages per second.
# Ends with a summary block.  Not part of make check (no timing
# assertions).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/pglib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-900}
e2e_init bench-store
BIN=$E2E_BUILD/grondslag-milter
GEO=$E2E_BUILD/geo-test
HELD=${BENCH_STORE_HELD:-300}
MIX=${BENCH_STORE_MIX:-400}
CLIENTS=${BENCH_STORE_CLIENTS:-4}
R=$E2E_RUN/results
mkdir -p "$R" "$E2E_RUN/msg"
trap '_rc=$?; pg_stop; (exit $_rc); e2e_cleanup' EXIT
e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$GEO" || e2e_done
e2e_check "a private PostgreSQL starts" pg_start || e2e_done
pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
	CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
	pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null
ADMIN="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_admin"
"$E2E_BUILD/grondslag" store init --database "$ADMIN" >/dev/null &&
	psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" -f contrib/postgresql-grants.sql ||
	e2e_not_ok "the store in PostgreSQL"
printf 'From: a@ncsc.nl\nSubject: list\n\nSystems seen:\n133.1.2.3\n133.4.5.6\n' >"$E2E_RUN/msg/held.eml"
printf 'From: a@ncsc.nl\nSubject: list\n\nSystems seen:\n194.7.1.10\n194.7.2.20\n' >"$E2E_RUN/msg/shared.eml"
"$E2E_PY" -c 'import sys; open(sys.argv[1], "w").write("From: a@ncsc.nl\nSubject: report\n\n" +
	"".join("line %d of an ordinary report without addresses\n" % i for i in range(100)))' \
	"$E2E_RUN/msg/clean.eml"

# start NAME DATABASE: a milter on unix socket $E2E_RUN/NAME/milter.sock
start() {
	E2E_MILTER_GEO=$GEO e2e_milter_conf "$E2E_RUN/$1" "unix:$E2E_RUN/$1/milter.sock" "$2" \
		"SocketMode 0666" "ReleaseKeyFile $E2E_RUN/$1/release.key" "ReleaseRelay" >/dev/null 2>&1
	e2e_proc_start "$1" "$BIN" -f -c "$E2E_RUN/$1/grondslag.conf"
	e2e_wait_until 15 "milter $1" grep -q ": notice: started (pid" "$E2E_RUN/$1/out"
}
e2e_check "the milter on SQLite" start sqlite "$E2E_RUN/sqlite/store.db" || e2e_done
# the PostgreSQL store is made above: the config only names it
mkdir -p "$E2E_RUN/pg"
e2e_store_init() { :; }
e2e_check "the milter on PostgreSQL (the daemon's role)" start pg \
	"host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_milter" || e2e_done

# run NAME KEY FILE COUNT RCPT: COUNT messages from CLIENTS clients at
# once; "all eom reply" lines in $R/NAME.KEY, the rate in $R/NAME.KEY.rate
run() {
	_per=$(($4 / CLIENTS))
	_t0=$(date +%s.%N)
	_i=1
	_pids=""
	while [ "$_i" -le "$CLIENTS" ]; do
		"$E2E_PY" tests/bench/mclient.py "$E2E_RUN/$1/milter.sock" "$3" "$_per" "$5" \
			"$2$_i" >"$R/$1.$2.$_i" &
		_pids="$_pids $!"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # the clients only (the milters run on)
	wait $_pids
	_t1=$(date +%s.%N)
	cat "$R/$1.$2".[0-9]* >"$R/$1.$2"
	awk -v n="$(wc -l <"$R/$1.$2")" -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.1f\n", n / (b - a) }' \
		>"$R/$1.$2.rate"
}
# p50 and p99 of column 2 (microseconds) of FILE in ms
pcts() {
	cut -d' ' -f2 "$1" | sort -n | awk '{ v[NR] = $1 / 1000 } END { if (NR == 0) { print "n=0"; exit }
		a = int(NR * 0.50 + 0.999999); b = int(NR * 0.99 + 0.999999)
		printf "p50 %.2f ms, p99 %.2f ms\n", v[a], v[b] }'
}
p50() {
	cut -d' ' -f2 "$1" | sort -n | awk '{ v[NR] = $1 / 1000 } END { a = int(NR * 0.50 + 0.999999); printf "%.2f\n", v[a] }'
}
for b in sqlite pg; do
	run $b H "$E2E_RUN/msg/held.eml" "$HELD" info@jpcert.or.jp
	# the mix, as CLIENTS x (90% clean, 5% shared, 5% held)
	n=$((MIX / 20))
	_m0=$(date +%s.%N)
	run $b C "$E2E_RUN/msg/clean.eml" $((MIX - 2 * n)) cert@cert.be &
	_c=$!
	run $b S "$E2E_RUN/msg/shared.eml" "$n" cert@cert.be &
	_s=$!
	run $b M "$E2E_RUN/msg/held.eml" "$n" info@jpcert.or.jp &
	wait $_c $_s $!
	_m1=$(date +%s.%N)
	awk -v n="$(cat "$R/$b.C" "$R/$b.S" "$R/$b.M" | wc -l)" -v a="$_m0" -v b="$_m1" \
		'BEGIN { printf "%.1f\n", n / (b - a) }' >"$R/$b.mix.rate"
done
e2e_is "$(pg_psql grondslag -tAc "SELECT count(*) FROM holds")" $((HELD / CLIENTS * CLIENTS + MIX / 20 / CLIENTS * CLIENTS)) \
	"every held message is a hold in PostgreSQL"
XS=$(p50 "$R/sqlite.H")
XP=$(p50 "$R/pg.H")
cat <<EOF

== the store: SQLite beside PostgreSQL ($(nproc) cores; $CLIENTS milter clients at once, one connection per message)
held ($HELD messages, each a hold committed before the reply):
  SQLite       $(cat "$R/sqlite.H.rate") holds/s; eom $(pcts "$R/sqlite.H")
  PostgreSQL   $(cat "$R/pg.H.rate") holds/s; eom $(pcts "$R/pg.H")
  extra latency per held message (p50, PostgreSQL - SQLite): $(awk -v a="$XP" -v b="$XS" 'BEGIN { printf "%+.2f ms\n", a - b }')
mix ($MIX messages: 90% clean, 5% delivered with a share record, 5% held):
  SQLite       $(cat "$R/sqlite.mix.rate") msg/s; clean eom $(pcts "$R/sqlite.C")
  PostgreSQL   $(cat "$R/pg.mix.rate") msg/s; clean eom $(pcts "$R/pg.C")
EOF
e2e_done
