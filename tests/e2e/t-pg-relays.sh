#!/bin/sh
# tests/e2e/t-pg-relays.sh - two relays on one store in PostgreSQL: a
# private PostgreSQL 15 (tests/pglib.sh: unix socket only), two private
# Postfix relays "pfa" and "pfb", each with its own grondslag-milter
# (RelayName relay-a / relay-b, its own control socket and ReleaseRelay,
# one ReleaseKeyFile) on that one database as the least-privilege role of
# contrib/postgresql-grants.sql, and one smtp-sink.  Cases:
#   - mail through both relays (held lists, a clean message);
#   - held on relay B lists the hold taken on relay A; two jurists
#     approve it through B's socket; it arrives exactly once;
#   - 200 holds (100 through each relay) approved in bulk, one jurist
#     through each relay, both releasers racing: every one arrives
#     exactly once (counted at the sink by Message-ID), none twice, none
#     lost; the release records name both relays;
#   - the lease: one relay runs expiry and the digest;
#   - relay A's milter killed (-9) in the middle of traffic: every message
#     A answered 250 is delivered (clean) or held in the database, the
#     rest got 4xx; a hold stored just before the kill (its client got
#     4xx) is found by the client's retry through relay B (no second
#     hold); B keeps working and releases A's holds, each once;
#   - the audit chain of the whole store verifies.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/pglib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-600}
e2e_init pgrelays
BIN=$E2E_BUILD/grondslag-milter
CLI=$E2E_BUILD/grondslag
SEND="$E2E_PY $(pwd)/tests/e2e/pg-send.py"
J1=grondslag-pr$$-j1
J2=grondslag-pr$$-j2
trap '_rc=$?; mc_users_del $J1 $J2; pg_stop; (exit $_rc); e2e_cleanup' EXIT

e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "a private PostgreSQL starts (unix socket only)" pg_start || e2e_done
mc_users_add $J1 $J2
pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
	CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
	pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null ||
	e2e_not_ok "roles and database made"
ADMIN="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_admin"
MILT="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_milter"
e2e_check "grondslag store init as the owner" "$CLI" store init --database "$ADMIN"
e2e_check "the daemon's rights (contrib/postgresql-grants.sql)" \
	psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" -f contrib/postgresql-grants.sql

# SQL on the store as the superuser (the test's eyes), one value.
sql() {
	pg_psql grondslag -tAc "$1"
}

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
KEY=$E2E_RUN/release.key
# relay NAME LETTER: its milter's configuration, then its Postfix
relay_conf() {
	_d=$E2E_RUN/milter-$1
	mkdir -p "$_d/spool"
	cat >"$_d/grondslag.conf" <<CONF
Socket unix:$_d/milter.sock
SocketMode 0666
Registry $(pwd)/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase $E2E_BUILD/geo-test/country.mmdb
GeoASNDatabase $E2E_BUILD/geo-test/asn.mmdb
Database $MILT
SpoolDirectory $_d/spool
UserID
PidFile
NoticeRelay
DecisionDate 2024-01-10
ControlSocket $_d/control.sock
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
ReleaseApprovals 2
ReleaseRelay 127.0.0.1:$(e2e_port "pf$1")
ReleaseRetry 1
ReleaseKeyFile $KEY
RelayName relay-$1
CONF
}
milter_start() {
	e2e_proc_start "milter-$1" "$BIN" -f -c "$E2E_RUN/milter-$1/grondslag.conf"
	e2e_wait_until 15 "milter $1 sockets" test -S "$E2E_RUN/milter-$1/control.sock" \
		-a -S "$E2E_RUN/milter-$1/milter.sock" &&
		e2e_wait_until 15 "milter $1 started" grep -q ": notice: started (pid" \
			"$E2E_RUN/milter-$1/out"
}
for r in a b; do
	mkdir -p "$E2E_RUN/milter-$r"
	E2E_SMTPD_MILTERS="unix:$E2E_RUN/milter-$r/milter.sock" e2e_postfix_start "pf$r" sink ||
		{ e2e_not_ok "start postfix pf$r"; e2e_done; }
	relay_conf $r
done
e2e_check "relay a's milter started (creates the key file)" milter_start a || e2e_done
e2e_check "relay b's milter started (the same key file)" milter_start b || e2e_done
PA=$(e2e_port pfa)
PB=$(e2e_port pfb)

# ---- mail through both; held on B lists A's hold; approved through B ----
$SEND "$PA" first 1 1 "$E2E_RUN/first.codes"
e2e_is "$(cat "$E2E_RUN/first.codes")" "first-1 250" "relay a: a held list accepted (250)"
REF_A=$(sql "SELECT ref FROM holds WHERE subject = 'first 1'")
e2e_check "relay a's hold is in the database" test -n "$REF_A"
$SEND "$PB" clean 1 1 "$E2E_RUN/clean.codes" clean
e2e_is "$(cat "$E2E_RUN/clean.codes")" "clean-1 250" "relay b: a clean message accepted"
e2e_check "the clean message arrived" e2e_wait_sink sink 1
$SEND "$PB" second 1 1 "$E2E_RUN/second.codes"
e2e_is "$(sql "SELECT count(*) FROM holds")" 2 "one hold from each relay"
mc_cli_b() {
	_u=$1
	shift
	MC_OUT=$(runuser -u "$_u" -- "$CLI" "$@" --socket "$E2E_RUN/milter-b/control.sock" 2>&1)
}
mc_cli_a() {
	_u=$1
	shift
	MC_OUT=$(runuser -u "$_u" -- "$CLI" "$@" --socket "$E2E_RUN/milter-a/control.sock" 2>&1)
}
mc_cli_b $J1 held
case $MC_OUT in *"$REF_A"*) e2e_ok "held on relay b lists the hold taken on relay a" ;;
*) e2e_not_ok "held on relay b: '$REF_A' not in '$MC_OUT'" ;; esac
mc_cli_b $J1 approve "$REF_A" --reason "JPCERT/CC needs it"
e2e_is "$?" 0 "j1 approves a's hold through relay b"
mc_cli_b $J2 approve "$REF_A" --reason "agreed"
e2e_is "$?" 0 "j2 approves a's hold through relay b"
released() { [ "$(sql "SELECT state FROM holds WHERE ref = '$1'")" = released ]; }
e2e_check "a's hold released" e2e_wait_until 30 "released" released "$REF_A"
# Message-IDs at the sink: every dump's, one per line
sink_ids() {
	for _f in "$E2E_RUN/sink/dump"/*; do
		[ -f "$_f" ] || continue
		sed -n '/^\r*$/q; s/^Message-I[Dd]: <\([^>]*\)@relays.test>.*/\1/p' "$_f"
	done
}
arrived() { [ "$(sink_ids | grep -c "^$1\$")" -ge 1 ]; }
e2e_check "a's hold arrived at the sink" e2e_wait_until 30 "first-1 at the sink" arrived first-1
sleep 3
e2e_is "$(sink_ids | grep -c '^first-1$')" 1 "a's hold arrived exactly once"

# ---- 200 holds, both releasers racing ----------------------------------
$SEND "$PA" race 1 100 "$E2E_RUN/race.codes" &
SA=$!
$SEND "$PB" race 101 200 "$E2E_RUN/race.codes.b"
wait $SA
e2e_is "$(cat "$E2E_RUN/race.codes" "$E2E_RUN/race.codes.b" | grep -c ' 250$')" 200 \
	"200 held lists accepted through both relays"
e2e_is "$(sql "SELECT count(*) FROM holds WHERE sender = '<race@ncsc.nl>' AND state = 'pending'")" \
	200 "200 holds in the database"
mc_cli_a $J1 approve --all-matching --sender race@ncsc.nl --reason "bulk" --yes
e2e_is "$?" 0 "j1 approves the 200 through relay a"
mc_cli_b $J2 approve --all-matching --sender race@ncsc.nl --reason "agreed" --yes
e2e_is "$?" 0 "j2 approves the 200 through relay b"
all_released() {
	[ "$(sql "SELECT count(*) FROM holds WHERE sender = '<race@ncsc.nl>' AND state = 'released'")" = 200 ]
}
e2e_check "the 200 released" e2e_wait_until 180 "200 released" all_released
race_arrived() { [ "$(sink_ids | grep -c '^race-')" -ge 200 ]; }
e2e_check "200 copies at the sink" e2e_wait_until 60 "200 at the sink" race_arrived
sleep 5
e2e_is "$(sink_ids | grep '^race-' | sort -u | wc -l)" 200 "none lost: 200 distinct Message-IDs"
e2e_is "$(sink_ids | grep '^race-' | sort | uniq -d | wc -l)" 0 "none delivered twice"
BY_A=$(sql "SELECT count(*) FROM audit WHERE event = 'release-started' AND details LIKE '%\"relay\":\"relay-a\"%'")
BY_B=$(sql "SELECT count(*) FROM audit WHERE event = 'release-started' AND details LIKE '%\"relay\":\"relay-b\"%'")
e2e_is "$((BY_A + BY_B))" 201 "every release begun once, naming its relay (a: $BY_A, b: $BY_B)"
e2e_check "both releasers released some" test "$BY_A" -gt 0 -a "$BY_B" -gt 0
e2e_is "$(sql "SELECT count(*) FROM release_tokens WHERE state = 'done'")" 201 \
	"one token done per release"
e2e_is "$(sql "SELECT count(*) FROM leases WHERE job = 'expiry'")" 1 \
	"one relay holds the lease of expiry and digest"

# ---- relay a's milter killed in the middle of traffic -------------------
$SEND "$PA" kill 1 40 "$E2E_RUN/kill.codes" &
SK=$!
$SEND "$PA" killc 1 40 "$E2E_RUN/killc.codes" clean &
SC=$!
e2e_wait_until 60 "10 answers" sh -c "[ \$(cat '$E2E_RUN/kill.codes' 2>/dev/null | wc -l) -ge 10 ]"
kill -KILL "$(cat "$E2E_RUN/milter-a/pid")"
wait $SK
wait $SC
e2e_stopped "proc:milter-a"
ACC=$(grep -c ' 250$' "$E2E_RUN/kill.codes")
ACCC=$(grep -c ' 250$' "$E2E_RUN/killc.codes")
e2e_check "some held lists accepted before the kill ($ACC)" test "$ACC" -ge 10
e2e_is "$(grep -v ' 250$' "$E2E_RUN/kill.codes" | grep -vc ' 4[0-9][0-9]$')" 0 \
	"every other answer of relay a after the kill was 4xx"
# every list a answered 250 is held in the database; beyond them at most
# the one in flight when the milter died (stored, then no reply: 4xx)
HELD=$(sql "SELECT count(*) FROM holds WHERE sender = '<kill@ncsc.nl>'")
e2e_check "relay a's holds: the $ACC it accepted, at most one more ($HELD)" \
	test "$HELD" -ge "$ACC" -a "$HELD" -le $((ACC + 1))
LOST=0
for id in $(sed -n 's/ 250$//p' "$E2E_RUN/kill.codes"); do
	n=${id#kill-}
	[ "$(sql "SELECT count(*) FROM holds WHERE subject = 'kill $n'")" = 1 ] || LOST=$((LOST + 1))
done
e2e_is "$LOST" 0 "no list relay a answered 250 is missing from the database"
# a hold whose 250 never reached the client: the client's retry lands on
# relay b and finds it (no second hold)
for id in $(grep -v ' 250$' "$E2E_RUN/kill.codes" | sed 's/ .*//'); do
	n=${id#kill-}
	[ "$(sql "SELECT count(*) FROM holds WHERE subject = 'kill $n'")" = 1 ] || continue
	$SEND "$PB" kill "$n" "$n" "$E2E_RUN/retry.codes"
	e2e_is "$(cat "$E2E_RUN/retry.codes")" "$id 250" "the retry of $id through relay b: 250"
	e2e_is "$(sql "SELECT count(*) FROM holds WHERE subject = 'kill $n'")" 1 \
		"the retry of $id found relay a's hold (no second hold)"
	e2e_is "$(sql "SELECT count(*) FROM audit a JOIN holds h USING (ref) WHERE
		a.event = 'hold-retry' AND h.subject = 'kill $n'")" 1 "a hold-retry record for $id"
done
killc_arrived() { [ "$(sink_ids | grep -c '^killc-')" -ge "$ACCC" ]; }
e2e_check "each clean message relay a accepted ($ACCC) arrived" \
	e2e_wait_until 60 "clean at the sink" killc_arrived
# relay b keeps working and releases a's holds
$SEND "$PB" after 1 1 "$E2E_RUN/after.codes"
e2e_is "$(cat "$E2E_RUN/after.codes")" "after-1 250" "relay b takes mail with a down"
mc_cli_b $J1 approve --all-matching --sender kill@ncsc.nl --reason "bulk" --yes
mc_cli_b $J2 approve --all-matching --sender kill@ncsc.nl --reason "agreed" --yes
e2e_is "$?" 0 "a's holds approved through relay b"
kill_released() {
	[ "$(sql "SELECT count(*) FROM holds WHERE sender = '<kill@ncsc.nl>' AND state = 'released'")" = "$HELD" ]
}
e2e_check "relay b released a's $HELD holds" e2e_wait_until 60 "released by b" kill_released
e2e_is "$(sql "SELECT count(*) FROM audit a JOIN holds h USING (ref) WHERE h.sender = '<kill@ncsc.nl>'
	AND a.event = 'release-started' AND a.details LIKE '%\"relay\":\"relay-b\"%'")" "$HELD" \
	"each begun by relay b"
kill_arrived() { [ "$(sink_ids | grep -c '^kill-')" -ge "$HELD" ]; }
e2e_check "a's holds arrived" e2e_wait_until 60 "kill-* at the sink" kill_arrived
sleep 3
e2e_is "$(sink_ids | grep '^kill-' | sort | uniq -d | wc -l)" 0 "none of them twice"
e2e_check "the audit chain of the shared store verifies" "$CLI" audit verify --database "$MILT"
e2e_done
