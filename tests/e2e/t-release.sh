#!/bin/sh
# tests/e2e/t-release.sh - release that really delivers, end to end (issue
# 5, slice 4): a private Postfix with grondslag-milter, whose
# ReleaseRelay is that Postfix's own smtpd (the released copy passes the
# milter again, which checks and strips its single-use token); two jurist
# users (created for the test, removed on exit) approve with the
# grondslag command through the ControlSocket (runuser: SO_PEERCRED).
# Cases:
#   - one approval alone releases nothing;
#   - a held COATHANGER message approved by two jurists arrives at the
#     sink exactly once, to the held recipients, token stripped, with the
#     MTA queue id recorded (hold_recipients.relay_queue_id, the "release"
#     record) and the sender's release notice sent;
#   - the released copy replayed (same token) and altered (body changed)
#     are held like any other message and recorded as refused attempts;
#   - the relay down during a release: release-failed recorded, the hold
#     stays in held; Postfix back: delivered once;
#   - expiry: a hold whose received time is moved back 15 days (the
#     store is written directly: the test's clock injection, documented in
#     docs/operations.md) is expired by the releaser, recorded, and the
#     sender notified.
# ReleaseRetry 1 keeps the retries and the releaser's polling at about a
# second.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
J1=grondslag-r-j1
J2=grondslag-r-j2
CLI=$(pwd)/${BUILD:-build}/grondslag

# Remove the test users (also when the suite is interrupted).
tr_users_del() {
	for _u in $J1 $J2; do
		id "$_u" >/dev/null 2>&1 && userdel "$_u" >/dev/null 2>&1
	done
	return 0
}

E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-400}
e2e_init release
trap '_tr_rc=$?; tr_users_del; (exit $_tr_rc); e2e_cleanup' EXIT
tr_users_del
for _u in $J1 $J2; do
	useradd -M -N -s /usr/sbin/nologin "$_u" || { e2e_not_ok "useradd $_u"; e2e_done; }
done

# Run the grondslag command as user $1; output in $TR_OUT, exit code returned.
TR_OUT=""
tr_cli() {
	_tr_user=$1
	shift
	TR_OUT=$(runuser -u "$_tr_user" -- "$CLI" "$@" --socket "$CTL" 2>&1)
}

# Number of sink dumps holding header ERE $2 (sink $1).
tr_sink_with() {
	_n=0
	for _f in "$E2E_RUN/$1/dump"/*; do
		[ -f "$_f" ] || continue
		sed '/^\r*$/q' "$_f" | grep -Eq -- "$2" && _n=$((_n + 1))
	done
	echo $_n
}

# Is hold $1 in state $2?
tr_state_is() {
	[ "$(mc_sql "select state from holds where ref='$1'")" = "$2" ]
}

# Write $2: the release header of hold $1's token plus its stored message
# ($3 = "alter": one address in the body changed).
tr_replay_file() {
	"$E2E_PY" - "$MC_DIR/store.db" "$1" "$2" "${3:-}" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=20)
hdr = c.execute("select header from release_tokens where ref=? and state='done'",
                (sys.argv[2],)).fetchone()[0]
msg = c.execute("select message from hold_messages where ref=?", (sys.argv[2],)).fetchone()[0]
if isinstance(msg, str):
    msg = msg.encode()
# swaks ends the data with a CRLF of its own: leave the last one to it
if msg.endswith(b"\r\n"):
    msg = msg[:-2]
if sys.argv[4] == "alter":
    msg = msg.replace(b"133.4.5.6", b"133.4.5.7")
open(sys.argv[3], "wb").write(b"X-Grondslag-Release: " + hdr.encode() + b"\r\n" + msg)
PY
}

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
MC_DIR=$E2E_RUN/milter
SOCK=$MC_DIR/milter.sock
CTL=$MC_DIR/control.sock
mkdir -p "$MC_DIR/spool"
e2e_check "grondslag is built" test -x "$CLI" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "test messages built" mc_messages || e2e_done
# Postfix first: its smtpd port is the ReleaseRelay.
E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
PF_PORT=$(e2e_port pf)
cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"
{
	mc_conf_common "unix:$SOCK"
	cat <<CONF
ControlSocket $CTL
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
ReleaseApprovals 2
ReleaseRelay 127.0.0.1:$PF_PORT
ReleaseRetry 1
ReleaseKeyFile $MC_DIR/release.key
HoldExpiry 14
CONF
} >"$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"
e2e_is "$(stat -c %a "$MC_DIR/release.key" 2>/dev/null)" 600 "release key created, mode 0600"

# A: the Japanese list, all held.  B: the Belgian list, CERT.be
# delivered, JPCERT/CC held.
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml" 250
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/be-zip.eml" 250
e2e_check "CERT.be's copy of B arrived" e2e_wait_sink sink 1
tr_two_holds() { [ "$(mc_sql "select count(*) from holds")" = 2 ]; }
e2e_check "two holds stored" e2e_wait_until 20 "two holds" tr_two_holds
REF_A=$(mc_sql "select ref from holds where subject like '%Japanese%'")
REF_B=$(mc_sql "select ref from holds where subject like '%Belgian%'")

# One approval alone releases nothing.
tr_cli $J1 approve "$REF_A" --reason "JPCERT/CC needs this" --basis "wbni-20"
e2e_is "$?" 0 "j1 approves A"
sleep 2
e2e_is "$(mc_sql "select count(*) from release_tokens")" 0 "one approval: no release attempt"
e2e_is "$(e2e_sink_count sink)" 1 "one approval: nothing more at the sink"

# The second approval releases A: once, to both held recipients.
tr_cli $J2 approve "$REF_A" --reason "agreed" --basis "wbni-20"
e2e_is "$?" 0 "j2 approves A"
case $TR_OUT in *"release is queued"*) e2e_ok "CLI says the release is queued" ;;
*) e2e_not_ok "CLI after the last approval: got '$TR_OUT'" ;; esac
e2e_check "hold A released" e2e_wait_until 30 "A released" tr_state_is "$REF_A" released
e2e_check "A's copy arrived" e2e_wait_sink sink 2
A_DUMP=$(grep -l "^X-Grondslag-Released: $REF_A" "$E2E_RUN/sink/dump"/* 2>/dev/null | head -n 1)
e2e_check "the released copy is marked with its reference" test -n "$A_DUMP"
e2e_is "$(e2e_sink_rcpts sink "$A_DUMP" | tr '\n' ' ')" "cert@cert.be info@jpcert.or.jp " \
	"released to exactly the held recipients"
e2e_is "$(tr_sink_with sink '^X-Grondslag-Release:')" 0 "the token is stripped"
QID=$(mc_sql "select relay_queue_id from hold_recipients where ref='$REF_A' limit 1")
e2e_check "relay queue id recorded" test -n "$QID" -a "$QID" != None
e2e_is "$(mc_sql "select count(distinct relay_queue_id) from hold_recipients where ref='$REF_A'")" 1 \
	"one queue id for the release"
e2e_check "the queue id is the MTA's (Postfix delivered it)" e2e_wait_until 20 "delivery log" \
	grep -q "$QID: to=<info@jpcert.or.jp>.*status=sent" "$E2E_RUN/pf/log/maillog"
"$CLI" audit export --database "$MC_DIR/store.db" >"$E2E_RUN/audit1.jsonl"
e2e_check "audit: release record names the queue id" \
	grep -q "\"event\":\"release\".*$QID\|$QID.*\"event\":\"release\"" "$E2E_RUN/audit1.jsonl"
e2e_check "release notice sent to the sender" e2e_wait_until 30 "release notice" \
	sh -c "grep -l 'was released: $REF_A' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"
sleep 3
e2e_is "$(tr_sink_with sink "^X-Grondslag-Released: $REF_A")" 1 "A arrived exactly once"
e2e_is "$(mc_sql "select count(*) from holds")" 2 "the released copy was not held again"

# The copy replayed with its (used) token, and altered: held, recorded.
tr_replay_file "$REF_A" "$E2E_RUN/replay.eml"
tr_replay_file "$REF_A" "$E2E_RUN/altered.eml" alter
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/replay.eml" 250
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/altered.eml" 250
tr_four_holds() { [ "$(mc_sql "select count(*) from holds")" = 4 ]; }
e2e_check "replayed and altered copies held" e2e_wait_until 20 "four holds" tr_four_holds
e2e_is "$(mc_sql "select count(*) from audit where event='release-refused' and details like '%replayed%'")" 1 \
	"replay recorded as a refused attempt"
e2e_is "$(mc_sql "select count(*) from audit where event='release-refused' and details like '%bad-mac%'")" 1 \
	"altered copy recorded as a refused attempt"
sleep 1
e2e_is "$(tr_sink_with sink "^X-Grondslag-Released: $REF_A")" 1 "still exactly once at the sink"

# The relay down during B's release: failed, retried, then once.
e2e_postfix_stop pf
tr_cli $J1 approve "$REF_B" --reason "JPCERT/CC needs it" --basis "wbni-20"
tr_cli $J2 approve "$REF_B" --reason "agreed"
e2e_is "$?" 0 "j2 approves B (relay down)"
tr_b_failed() { [ "$(mc_sql "select count(*) from audit where event='release-failed' and ref='$REF_B'")" -ge 1 ]; }
e2e_check "release-failed recorded" e2e_wait_until 30 "release-failed" tr_b_failed
tr_cli $J2 held
case $TR_OUT in *"$REF_B"*) e2e_ok "B still listed by held while the relay is down" ;;
*) e2e_not_ok "held while the relay is down: got '$TR_OUT'" ;; esac
e2e_started "postfix:pf"
postfix -c "$E2E_RUN/pf/etc" start >"$E2E_RUN/pf/restart.out" 2>&1
e2e_check "postfix back" e2e_wait_until 20 "postfix back" e2e_smtp_ready "$PF_PORT"
e2e_check "hold B released after the relay came back" \
	e2e_wait_until 60 "B released" tr_state_is "$REF_B" released
e2e_check "B's copy arrived" e2e_wait_until 30 "B at the sink" \
	sh -c "grep -l '^X-Grondslag-Released: $REF_B' '$E2E_RUN/sink/dump'/* >/dev/null 2>&1"
B_DUMP=$(grep -l "^X-Grondslag-Released: $REF_B" "$E2E_RUN/sink/dump"/* 2>/dev/null | head -n 1)
e2e_is "$(e2e_sink_rcpts sink "$B_DUMP" | tr '\n' ' ')" "info@jpcert.or.jp " \
	"B released to JPCERT/CC only"
sleep 3
e2e_is "$(tr_sink_with sink "^X-Grondslag-Released: $REF_B")" 1 "B arrived exactly once"

# Expiry: hold C, moved 15 days back, is expired and the sender told.
mc_send pf info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml" 250
tr_five_holds() { [ "$(mc_sql "select count(*) from holds")" = 5 ]; }
e2e_check "hold C stored" e2e_wait_until 20 "five holds" tr_five_holds
REF_C=$(mc_sql "select ref from holds order by received desc, rowid desc limit 1")
mc_exec "update holds set received = received - 15*86400 where ref='$REF_C'"
e2e_check "hold C expired" e2e_wait_until 30 "C expired" tr_state_is "$REF_C" expired
e2e_is "$(mc_sql "select count(*) from audit where event='expire' and ref='$REF_C'")" 1 "expiry recorded"
e2e_check "expiry notice sent to the sender" e2e_wait_until 30 "expiry notice" \
	sh -c "grep -l 'expired): $REF_C' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"
e2e_is "$(mc_sql "select state from holds where ref='$REF_A'")" released "A untouched by expiry"

e2e_check "audit verify: chain intact" "$CLI" audit verify --database "$MC_DIR/store.db"
e2e_check "no address found in the milter log" sh -c "! grep -qE '194\\.7\\.|133\\.[0-9]' '$E2E_RUN/milter/out'"
e2e_done
