#!/bin/sh
# tests/e2e/t-pg-failover.sh - the store on a PostgreSQL primary with a
# synchronous streaming standby, the primary killed during traffic: two
# private PostgreSQL 15 clusters (tests/pglib.sh for the primary; the
# standby made with pg_basebackup -R, each on a unix socket of its own
# directory only), synchronous_standby_names on the primary, one private
# Postfix with grondslag-milter on the connection string
# "host=PRIMARY,STANDBY ... target_session_attrs=read-write" as the
# daemon's least-privilege role, one smtp-sink.  Held lists flow; the
# primary's postmaster is killed (SIGKILL) in the middle; the standby is
# promoted (pg_ctl promote).  Then: every list answered 250 is held in the
# promoted database (no acknowledged hold lost), the answers while no
# primary was there are 4xx, and the milter (not restarted) takes mail
# again on the new primary; the audit chain verifies there.  Then the
# promoted standby is made to name a synchronous standby it does not have
# (as one whose configuration still names the old primary's standby):
# a held list gets 451 within DatabaseTimeout, and its retry, once that is
# undone, finds the hold the server kept.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/pglib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-400}
e2e_init pgfailover
BIN=$E2E_BUILD/grondslag-milter
CLI=$E2E_BUILD/grondslag
SEND="$E2E_PY $(pwd)/tests/e2e/pg-send.py"
SB=""
sb_stop() {
	[ -n "$SB" ] || return 0
	(cd /tmp && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SB/data" -w -m fast stop \
		>/dev/null 2>&1)
	rm -rf "$SB"
}
trap '_rc=$?; sb_stop; pg_stop; (exit $_rc); e2e_cleanup' EXIT

e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "the primary starts (unix socket only)" pg_start || e2e_done
PRIMARY_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
SB=$(mktemp -d /tmp/grondslag-pgsb.XXXXXX) || e2e_done
chmod 0755 "$SB"
chown postgres "$SB"
e2e_check "pg_basebackup of the primary (-R: a standby)" sh -c "cd /tmp && runuser -u postgres -- \
	$PG_BIN/pg_basebackup -h $PG_SOCK -p $PG_PORT -U postgres -D $SB/data -R -X stream \
	>$SB/basebackup.log 2>&1" || e2e_done
e2e_check "the standby starts" sh -c "cd /tmp && runuser -u postgres -- $PG_BIN/pg_ctl \
	-D $SB/data -l $SB/log -o \"-k $SB -c listen_addresses='' -p $PG_PORT\" -w -t 60 start \
	>/dev/null 2>&1" || e2e_done
# every commit waits for the standby (any standby name); set after the
# base backup, so the standby, once promoted, does not wait for a standby
# of its own (postgresql.auto.conf is copied)
pg_psql postgres -c "ALTER SYSTEM SET synchronous_standby_names = '*'" >/dev/null &&
	pg_psql postgres -c "SELECT pg_reload_conf()" >/dev/null
sync_standby() {
	[ "$(pg_psql postgres -tAc "SELECT sync_state FROM pg_stat_replication")" = sync ]
}
e2e_check "the standby streams synchronously" e2e_wait_until 30 "sync standby" sync_standby
pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
	CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
	pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null ||
	e2e_not_ok "roles and database made"
ADMIN="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_admin"
e2e_check "grondslag store init as the owner" "$CLI" store init --database "$ADMIN"
e2e_check "the daemon's rights" \
	psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" -f contrib/postgresql-grants.sql
DB="host=$PG_SOCK,$SB port=$PG_PORT,$PG_PORT dbname=grondslag user=grondslag_milter"
DB="$DB target_session_attrs=read-write connect_timeout=5"
# SQL on the standby (later the new primary), one value
sb_sql() {
	psql -X -q -h "$SB" -p "$PG_PORT" -U postgres -d grondslag -tAc "$1"
}

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
MD=$E2E_RUN/milter
mkdir -p "$MD/spool"
E2E_SMTPD_MILTERS="unix:$MD/milter.sock" e2e_postfix_start pf sink ||
	{ e2e_not_ok "start postfix"; e2e_done; }
cat >"$MD/grondslag.conf" <<CONF
Socket unix:$MD/milter.sock
SocketMode 0666
Registry $(pwd)/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase $E2E_BUILD/geo-test/country.mmdb
GeoASNDatabase $E2E_BUILD/geo-test/asn.mmdb
Database $DB
SpoolDirectory $MD/spool
UserID
PidFile
NoticeRelay
ReleaseRelay
DecisionDate 2024-01-10
ReleaseKeyFile $MD/release.key
DatabaseTimeout 5
CONF
e2e_proc_start milter "$BIN" -f -c "$MD/grondslag.conf"
e2e_check "the milter started on the primary" e2e_wait_until 15 "milter started" \
	grep -q ": notice: started (pid" "$MD/out" || e2e_done
P=$(e2e_port pf)

# ---- traffic, the primary killed, the standby promoted ------------------
$SEND "$P" fo 1 60 "$E2E_RUN/fo.codes" &
S=$!
e2e_wait_until 60 "15 answers" sh -c "[ \$(cat '$E2E_RUN/fo.codes' 2>/dev/null | wc -l) -ge 15 ]"
kill -KILL "$PRIMARY_PID"
e2e_ok "the primary's postmaster killed (SIGKILL) after $(wc -l <"$E2E_RUN/fo.codes") answers"
sleep 2
e2e_check "the standby promoted" sh -c "cd /tmp && runuser -u postgres -- $PG_BIN/pg_ctl \
	-D $SB/data -w -t 60 promote >/dev/null 2>&1"
wait $S
ACC=$(grep -c ' 250$' "$E2E_RUN/fo.codes")
e2e_check "lists accepted before the kill ($ACC)" test "$ACC" -ge 15
e2e_is "$(grep -v ' 250$' "$E2E_RUN/fo.codes" | grep -vc ' 4[0-9][0-9]$')" 0 \
	"every other answer was 4xx (nothing accepted without its hold)"
LOST=0
for id in $(sed -n 's/ 250$//p' "$E2E_RUN/fo.codes"); do
	n=${id#fo-}
	[ "$(sb_sql "SELECT count(*) FROM holds WHERE subject = 'fo $n'")" = 1 ] || LOST=$((LOST + 1))
done
e2e_is "$LOST" 0 "no acknowledged hold lost: each of the $ACC is in the promoted database"
# the milter, not restarted, reconnects to the new primary
$SEND "$P" after 1 5 "$E2E_RUN/after.codes"
e2e_is "$(grep -c ' 250$' "$E2E_RUN/after.codes")" 5 "after the failover: lists accepted again"
e2e_is "$(sb_sql "SELECT count(*) FROM holds WHERE sender = '<after@ncsc.nl>'")" 5 \
	"and held on the new primary"
e2e_check "the milter was not restarted" kill -0 "$(cat "$MD/pid")"

# ---- the promoted standby names a synchronous standby it does not have --
# every commit there waits for it: the milter answers 451 itself within
# DatabaseTimeout (5 s), not 250 (a commit without its standby copy) nor
# silence until the MTA's milter timeout; the retry, once a standby is no
# longer named, finds the hold the server kept
sb_sql "ALTER SYSTEM SET synchronous_standby_names = 'gone'" >/dev/null
sb_sql "SELECT pg_reload_conf()" >/dev/null
sleep 1
T0=$(date +%s)
$SEND "$P" stuck 1 1 "$E2E_RUN/stuck.codes"
T1=$(date +%s)
e2e_is "$(sed -n 's/^stuck-1 //p' "$E2E_RUN/stuck.codes")" 451 \
	"a commit waiting for a missing synchronous standby: 451"
e2e_check "answered within DatabaseTimeout, not the MTA's timeout ($((T1 - T0)) s)" \
	test $((T1 - T0)) -le 20
e2e_check "the milter says why" grep -q "commit not confirmed within 5 s" "$MD/out"
sb_sql "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
sb_sql "SELECT pg_reload_conf()" >/dev/null
sleep 1
$SEND "$P" stuck 1 1 "$E2E_RUN/stuck2.codes"
e2e_is "$(sed -n 's/^stuck-1 //p' "$E2E_RUN/stuck2.codes")" 250 "the client's retry: accepted"
e2e_is "$(sb_sql "SELECT count(*) FROM holds WHERE subject = 'stuck 1'")" 1 \
	"one hold for it (the retry found the one the server kept)"
e2e_check "the audit chain verifies on the new primary" "$CLI" audit verify --database \
	"host=$SB port=$PG_PORT dbname=grondslag user=grondslag_reader"
e2e_done
