# tests/e2e/release-cases.sh - the jurists' decisions and release that
# really delivers, end to end (issue 5), for any MTA: sourced by
# t-release.sh (Postfix) and t-release-sendmail.sh (Sendmail) after
# lib.sh and milter-cases.sh.  The MTA relays to smtp-sink "sink" and has
# two milters: grondslag-milter on $SOCK, then tests/tools/slow-milter on
# $SLOW (waits at end of message while $HOLDFILE exists).  ReleaseRelay
# is the MTA's own SMTP port, so the released copy passes the milter
# again, which checks and strips its single-use token.  Two jurist users
# (created for the test, removed on exit) decide with the grondslag
# command through the ControlSocket (runuser: SO_PEERCRED).
#
# The driver may set RC_SOCKDIR, a directory for the two milter sockets
# (removed at the end), and defines, for its MTA:
#   rc_mta_start        start instance $RC_MTA with both milters
#   rc_mta_stop         stop it;  rc_mta_restart: start it again (same port)
#   rc_mta_flush        make it deliver what it queued (Sendmail: -q)
#   rc_mta_delivered QID RCPT   true when its log says QID went to RCPT
# then calls rc_setup and rc_cases.
#
# Cases:
#   - one approval alone releases nothing;
#   - a held COATHANGER message approved by two jurists arrives at the
#     sink exactly once, to the held recipients, token stripped, with the
#     MTA queue id recorded (hold_recipients.relay_queue_id, the "release"
#     record) and the sender's release notice sent;
#   - the released copy replayed (same token) and altered (body changed)
#     are held like any other message and recorded as refused attempts;
#   - the relay down during a release: release-failed recorded, the hold
#     stays in held; relay back: delivered once;
#   - expiry: a hold whose received time is moved back 15 days (the
#     store is written directly: the test's clock injection, documented in
#     docs/operations.md) is expired by the releaser, recorded, notified;
#   - deny: the denied message never arrives, the sender gets the notice;
#   - deny --rcpt denies one recipient (the notice names it, with the
#     reason), two approvals --rcpt release to that recipient only, and a
#     bulk deny by party (refused without --yes off a terminal) keeps the
#     released recipient and other senders' holds;
#   - the sender (a jurist) cannot approve their own message; a user
#     outside the roles is refused; both refusals are in the record;
#   - the daemon killed mid-release (SIGKILL after its milter marked the
#     token used, before the relay's 250 reached the releaser): after the
#     restart the release completes without sending again: exactly once.
# ReleaseRetry 1 keeps the retries and the releaser's polling at about a
# second.
# the jurist users: RC_USERS names them per suite (suites may run at once)
J1=grondslag-${RC_USERS:-r}-j1
J2=grondslag-${RC_USERS:-r}-j2
CLI=$(pwd)/${BUILD:-build}/grondslag
SLOWBIN=$(pwd)/${BUILD:-build}/tests/slow-milter

# At exit: the users and RC_SOCKDIR.
rc_cleanup() {
	mc_users_del $J1 $J2
	[ -z "${RC_SOCKDIR:-}" ] || rm -rf "$RC_SOCKDIR"
}

# Number of sink dumps holding header ERE $2 (sink $1).
rc_sink_with() {
	_n=0
	for _f in "$E2E_RUN/$1/dump"/*; do
		[ -f "$_f" ] || continue
		sed '/^\r*$/q' "$_f" | grep -Eq -- "$2" && _n=$((_n + 1))
	done
	echo $_n
}

# True when the sink holds a copy released from hold $1 (flushing the MTA).
rc_arrived() {
	rc_mta_flush
	[ "$(rc_sink_with sink "^X-Grondslag-Released: $1")" -ge 1 ]
}

# After a pause (and a queue run): copies released from hold $1 at the
# sink must be $2 (check $3).
rc_copies_are() {
	sleep "${4:-3}"
	rc_mta_flush
	e2e_is "$(rc_sink_with sink "^X-Grondslag-Released: $1")" "$2" "$3"
}

# Is hold $1 in state $2?
rc_state_is() {
	[ "$(mc_sql "select state from holds where ref='$1'")" = "$2" ]
}

# Are there $1 holds?
rc_holds_are() {
	[ "$(mc_sql "select count(*) from holds")" = "$1" ]
}

# The newest hold's reference.
rc_newest() {
	mc_sql "select ref from holds order by received desc, rowid desc limit 1"
}

# Send the Japanese list to JPCERT/CC (from $2, default the usual sender)
# and wait for its hold, named $1 in the checks; its reference in RC_REF.
rc_new_hold() {
	_nh=$(mc_sql "select count(*) from holds")
	e2e_send "$RC_MTA" "${2:-$MC_FROM}" info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml"
	e2e_is "$(e2e_reply_code)" 250 "$RC_MTA: the list for hold $1 accepted"
	e2e_check "hold $1 stored" e2e_wait_until 20 "hold $1" rc_holds_are $((_nh + 1))
	RC_REF=$(rc_newest)
}

# Write $2: the release header of hold $1's token plus its stored message
# ($3 = "alter": one address in the body changed).
rc_replay_file() {
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

# Start grondslag-milter (again, after a kill) and wait for its sockets.
rc_milter_start() {
	e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
	e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"
}

# Users, sinks, the slow milter, the MTA, the configuration, the daemon.
rc_setup() {
	trap '_rc_rc=$?; rc_cleanup; (exit $_rc_rc); e2e_cleanup' EXIT
	mc_users_add $J1 $J2
	e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
	e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
	MC_DIR=$E2E_RUN/milter
	# the MTA's milter sockets: RC_SOCKDIR when the driver set one
	SOCK=${RC_SOCKDIR:-$MC_DIR}/milter.sock
	CTL=$MC_DIR/control.sock
	SLOW=${RC_SOCKDIR:-$E2E_RUN/slow}/slow.sock
	HOLDFILE=$E2E_RUN/slow/hold
	mkdir -p "$MC_DIR/spool" "$E2E_RUN/slow"
	e2e_check "grondslag is built" test -x "$CLI" || e2e_done
	e2e_check "slow-milter is built" test -x "$SLOWBIN" || e2e_done
	e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
	e2e_check "test messages built" mc_messages || e2e_done
	(umask 0 && e2e_proc_start slow "$SLOWBIN" "unix:$SLOW" "$HOLDFILE")
	e2e_started proc:slow
	e2e_check "slow milter listening" e2e_wait_until 10 "slow socket" test -S "$SLOW" || e2e_done
	# The MTA first: its SMTP port is the ReleaseRelay.
	rc_mta_start || { e2e_not_ok "start $RC_MTA"; e2e_done; }
	RC_PORT=$(e2e_port "$RC_MTA")
	cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"
	{
		mc_conf_common "unix:$SOCK"
		cat <<CONF
ControlSocket $CTL
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
ReleaseApprovals 2
ReleaseRelay 127.0.0.1:$RC_PORT
ReleaseRetry 1
ReleaseKeyFile $MC_DIR/release.key
HoldExpiry 14
CONF
	} >"$MC_DIR/grondslag.conf"
	e2e_check "milter started" rc_milter_start
	e2e_is "$(stat -c %a "$MC_DIR/release.key" 2>/dev/null)" 600 "release key created, mode 0600"
}

# Two approvals release A once; one alone nothing; replay and alteration
# are held.
rc_case_release() {
	# A: the Japanese list, all held.  B: the Belgian list, CERT.be
	# delivered, JPCERT/CC held.
	mc_send "$RC_MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml" 250
	mc_send "$RC_MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/be-zip.eml" 250
	e2e_check "CERT.be's copy of B arrived" e2e_wait_sink sink 1
	e2e_check "two holds stored" e2e_wait_until 20 "two holds" rc_holds_are 2
	REF_A=$(mc_sql "select ref from holds where subject like '%Japanese%'")
	REF_B=$(mc_sql "select ref from holds where subject like '%Belgian%'")

	mc_cli $J1 approve "$REF_A" --reason "JPCERT/CC needs this (basis: the MOU, registry to follow)"
	e2e_is "$?" 0 "j1 approves A"
	sleep 2
	rc_mta_flush
	e2e_is "$(mc_sql "select count(*) from release_tokens")" 0 "one approval: no release attempt"
	e2e_is "$(e2e_sink_count sink)" 1 "one approval: nothing more at the sink"

	mc_cli $J2 approve "$REF_A" --reason "agreed"
	e2e_is "$?" 0 "j2 approves A"
	case $MC_OUT in *"release is queued"*) e2e_ok "CLI says the release is queued" ;;
	*) e2e_not_ok "CLI after the last approval: got '$MC_OUT'" ;; esac
	e2e_check "hold A released" e2e_wait_until 30 "A released" rc_state_is "$REF_A" released
	e2e_check "A's copy arrived" e2e_wait_until 30 "A at the sink" rc_arrived "$REF_A"
	A_DUMP=$(grep -l "^X-Grondslag-Released: $REF_A" "$E2E_RUN/sink/dump"/* 2>/dev/null | head -n 1)
	e2e_is "$(e2e_sink_rcpts sink "$A_DUMP" | tr '\n' ' ')" "cert@cert.be info@jpcert.or.jp " \
		"released to exactly the held recipients"
	e2e_is "$(rc_sink_with sink '^X-Grondslag-Release:')" 0 "the token is stripped"
	QID=$(mc_sql "select relay_queue_id from hold_recipients where ref='$REF_A' limit 1")
	e2e_check "relay queue id recorded" test -n "$QID" -a "$QID" != None
	e2e_is "$(mc_sql "select count(distinct relay_queue_id) from hold_recipients where ref='$REF_A'")" 1 \
		"one queue id for the release"
	mc_cli $J1 show "$REF_A"
	case $MC_OUT in *"relay queue id $QID"*) e2e_ok "show names the relay's queue id" ;;
	*) e2e_not_ok "show after the release: got '$MC_OUT'" ;; esac
	e2e_check "the queue id is the MTA's ($RC_MTA delivered it)" e2e_wait_until 20 "delivery log" \
		rc_mta_delivered "$QID" info@jpcert.or.jp
	"$CLI" audit export --database "$MC_DIR/store.db" >"$E2E_RUN/audit1.jsonl"
	e2e_check "audit: release record names the queue id" \
		grep -q "\"event\":\"release\".*$QID\|$QID.*\"event\":\"release\"" "$E2E_RUN/audit1.jsonl"
	e2e_check "release notice sent to the sender" e2e_wait_until 30 "release notice" \
		sh -c "grep -l 'was released: $REF_A' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"
	rc_copies_are "$REF_A" 1 "A arrived exactly once"
	e2e_is "$(mc_sql "select count(*) from holds")" 2 "the released copy was not held again"

	rc_replay_file "$REF_A" "$E2E_RUN/replay.eml"
	rc_replay_file "$REF_A" "$E2E_RUN/altered.eml" alter
	mc_send "$RC_MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/replay.eml" 250
	mc_send "$RC_MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/altered.eml" 250
	e2e_check "replayed and altered copies held" e2e_wait_until 20 "four holds" rc_holds_are 4
	e2e_is "$(mc_sql "select count(*) from audit where event='release-refused' and details like '%replayed%'")" 1 \
		"replay recorded as a refused attempt"
	e2e_is "$(mc_sql "select count(*) from audit where event='release-refused' and details like '%bad-mac%'")" 1 \
		"altered copy recorded as a refused attempt"
	rc_copies_are "$REF_A" 1 "still exactly once at the sink" 1
}

# The relay down during B's release: failed, retried, then once.
rc_case_relay_down() {
	rc_mta_stop
	mc_cli $J1 approve "$REF_B" --reason "JPCERT/CC needs it"
	mc_cli $J2 approve "$REF_B" --reason "agreed"
	e2e_is "$?" 0 "j2 approves B (relay down)"
	rc_b_failed() { [ "$(mc_sql "select count(*) from audit where event='release-failed' and ref='$REF_B'")" -ge 1 ]; }
	e2e_check "release-failed recorded" e2e_wait_until 30 "release-failed" rc_b_failed
	mc_cli $J2 held
	case $MC_OUT in *"$REF_B"*) e2e_ok "B still listed by held while the relay is down" ;;
	*) e2e_not_ok "held while the relay is down: got '$MC_OUT'" ;; esac
	case $MC_OUT in *"release failing: "*" attempt"*", last: "?*) e2e_ok "held says B's release is failing, and why" ;;
	*) e2e_not_ok "held while the relay is down: no failing release in '$MC_OUT'" ;; esac
	mc_cli $J2 show "$REF_B"
	case $MC_OUT in *"release failing: "*"next attempt: "*) e2e_ok "show gives the failure and the next attempt" ;;
	*) e2e_not_ok "show while the relay is down: got '$MC_OUT'" ;; esac
	e2e_check "$RC_MTA back" rc_mta_restart
	e2e_check "hold B released after the relay came back" \
		e2e_wait_until 60 "B released" rc_state_is "$REF_B" released
	e2e_check "B's copy arrived" e2e_wait_until 30 "B at the sink" rc_arrived "$REF_B"
	B_DUMP=$(grep -l "^X-Grondslag-Released: $REF_B" "$E2E_RUN/sink/dump"/* 2>/dev/null | head -n 1)
	e2e_is "$(e2e_sink_rcpts sink "$B_DUMP" | tr '\n' ' ')" "info@jpcert.or.jp " \
		"B released to JPCERT/CC only"
	rc_copies_are "$REF_B" 1 "B arrived exactly once"
}

# Expiry: hold C, moved 15 days back, is expired and the sender told.
rc_case_expiry() {
	rc_new_hold C
	REF_C=$RC_REF
	mc_exec "update holds set received = received - 15*86400 where ref='$REF_C'"
	e2e_check "hold C expired" e2e_wait_until 30 "C expired" rc_state_is "$REF_C" expired
	e2e_is "$(mc_sql "select count(*) from audit where event='expire' and ref='$REF_C'")" 1 "expiry recorded"
	e2e_check "expiry notice sent to the sender" e2e_wait_until 30 "expiry notice" \
		sh -c "grep -l 'expired): $REF_C' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"
	e2e_is "$(mc_sql "select state from holds where ref='$REF_A'")" released "A untouched by expiry"
}

# Deny; the sender cannot approve; an outsider is refused.
rc_case_deny_refuse() {
	rc_new_hold D
	REF_D=$RC_REF
	mc_cli $J2 deny "$REF_D" --reason "no basis for Japan"
	e2e_is "$?" 0 "j2 denies D"
	e2e_check "hold D denied" rc_state_is "$REF_D" denied
	e2e_check "deny notice sent to the sender" e2e_wait_until 30 "deny notice" \
		sh -c "grep -l 'not released: $REF_D' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"

	# E: sent by jurist j1 (j1@ncsc.nl) - j1 may not approve it.
	rc_new_hold E j1@ncsc.nl
	REF_E=$RC_REF
	mc_cli $J1 approve "$REF_E" --reason "my own list"
	e2e_is "$?" 1 "the sender's own approval refused (exit 1)"
	e2e_is "$(mc_sql "select count(*) from hold_approvals where ref='$REF_E'")" 0 \
		"no approval stored for the sender"
	MC_OUT=$(runuser -u nobody -- "$CLI" approve "$REF_E" --reason "why not" --socket "$CTL" 2>&1)
	e2e_is "$?" 1 "a user outside the roles is refused (exit 1)"
	"$CLI" audit export --database "$MC_DIR/store.db" >"$E2E_RUN/audit2.jsonl"
	e2e_check "audit: the sender's refused approval recorded" \
		grep -q "\"actor\":\"$J1\".*\"event\":\"refused\"" "$E2E_RUN/audit2.jsonl"
	e2e_check "audit: the outsider's refusal recorded" \
		grep -q '"actor":"nobody".*"event":"refused"' "$E2E_RUN/audit2.jsonl"
	rc_copies_are "$REF_D" 0 "the denied message never arrived" 1
}

# Decisions that do exactly what was asked, through this MTA: hold G to
# CERT.be, JPCERT/CC and CISA.  CISA denied alone (the notice names it,
# with the reason); CERT.be approved alone by two jurists and released
# to CERT.be only; a bulk deny of JPCERT/CC (by display name) leaves the
# released CERT.be and the sender's other holds alone.
rc_case_partial() {
	_nh=$(mc_sql "select count(*) from holds")
	mc_send "$RC_MTA" cert@cert.be,info@jpcert.or.jp,report@cisa.gov "$E2E_RUN/msg/jp-inline.eml" 250
	e2e_check "hold G stored" e2e_wait_until 20 "hold G" rc_holds_are $((_nh + 1))
	REF_G=$(rc_newest)
	mc_cli $J2 deny "$REF_G" --rcpt report@cisa.gov --reason "No basis for the US: the MOU is not signed"
	e2e_is "$?" 0 "deny G --rcpt CISA"
	e2e_is "$(mc_sql "select group_concat(state, ' ') from (select state from hold_recipients where ref='$REF_G' order by id)")" \
		"held held denied" "G: only CISA denied"
	e2e_check "G's deny notice: the reason, CISA only" e2e_wait_until 30 "deny notice G" \
		sh -c "f=\$(grep -l 'not released: $REF_G' '$E2E_RUN/notices/dump'/* 2>/dev/null | head -n 1) &&
			grep -q 'the MOU is not signed' \"\$f\" && grep -q '^  report@cisa.gov ' \"\$f\" &&
			! grep -q 'jpcert' \"\$f\""
	mc_cli $J1 approve "$REF_G" --rcpt cert@cert.be --reason "EU CSIRT" --basis wbni-20-2-eu-csirt
	mc_cli $J2 approve "$REF_G" --rcpt CERT@cert.be --reason "agreed"
	e2e_is "$?" 0 "two jurists approve G for CERT.be only"
	rc_g_released() { [ "$(mc_sql "select state from hold_recipients where ref='$REF_G' and recipient like '%cert@cert.be%'")" = released ]; }
	e2e_check "G released to CERT.be" e2e_wait_until 30 "G released" rc_g_released
	e2e_check "G's copy arrived" e2e_wait_until 30 "G at the sink" rc_arrived "$REF_G"
	G_DUMP=$(grep -l "^X-Grondslag-Released: $REF_G" "$E2E_RUN/sink/dump"/* 2>/dev/null | head -n 1)
	e2e_is "$(e2e_sink_rcpts sink "$G_DUMP" | tr '\n' ' ')" "cert@cert.be " "G released to CERT.be only"
	_open_e=$(mc_sql "select group_concat(state, ' ') from hold_recipients where ref='$REF_E'")
	MC_OUT=$(runuser -u $J1 -- "$CLI" deny --all-matching --party jpcert/cc --sender "$MC_FROM" \
		--reason "no basis for Japan" --socket "$CTL" </dev/null 2>&1)
	e2e_is "$?" 2 "bulk deny without --yes and without a terminal: nothing changed (exit 2)"
	mc_cli $J1 deny --all-matching --party jpcert/cc --sender "$MC_FROM" --reason "no basis for Japan" --yes
	e2e_is "$?" 0 "bulk deny of JPCERT/CC --yes"
	e2e_is "$(mc_sql "select group_concat(state, ' ') from (select state from hold_recipients where ref='$REF_G' order by id)")" \
		"released denied denied" "G: JPCERT/CC denied, the released CERT.be kept"
	e2e_is "$(mc_sql "select group_concat(state, ' ') from hold_recipients where ref='$REF_E'")" "$_open_e" \
		"another sender's hold untouched by the bulk deny"
	rc_copies_are "$REF_G" 1 "G arrived exactly once" 1
}

# The daemon killed mid-release, restarted: the release completes once.
rc_case_kill() {
	rc_new_hold F
	REF_F=$RC_REF
	: >"$HOLDFILE"
	mc_cli $J1 approve "$REF_F" --reason "needed"
	mc_cli $J2 approve "$REF_F" --reason "agreed"
	e2e_is "$?" 0 "j2 approves F (the MTA will stall at end of message)"
	e2e_check "the milter used F's token" e2e_wait_until 30 "token used" \
		grep -q "verdict=released ref=$REF_F" "$E2E_RUN/milter/out"
	kill -KILL "$(cat "$E2E_RUN/milter/pid")"
	e2e_check "daemon killed mid-release" e2e_wait_until 10 "daemon gone" \
		e2e_pid_gone "$(cat "$E2E_RUN/milter/pid")"
	e2e_is "$(mc_sql "select state from holds where ref='$REF_F'")" releasing \
		"F is still releasing at the kill"
	rm -f "$HOLDFILE"
	e2e_check "the copy the MTA had arrived" e2e_wait_until 30 "F at the sink" rc_arrived "$REF_F"
	cp "$E2E_RUN/milter/out" "$E2E_RUN/milter/out.before-kill"
	e2e_check "daemon restarted" rc_milter_start
	e2e_check "hold F released after the restart" \
		e2e_wait_until 30 "F released" rc_state_is "$REF_F" released
	rc_copies_are "$REF_F" 1 "F arrived exactly once"
	e2e_is "$(mc_sql "select count(*) from audit where event='release' and ref='$REF_F'")" 1 \
		"one release record for F"
	QID=$(mc_sql "select relay_queue_id from hold_recipients where ref='$REF_F' limit 1")
	e2e_check "F's MTA queue id recorded (from the milter's side)" test -n "$QID" -a "$QID" != None
}

rc_cases() {
	rc_case_release
	rc_case_relay_down
	rc_case_expiry
	rc_case_deny_refuse
	rc_case_partial
	rc_case_kill
	e2e_check "audit verify: chain intact" "$CLI" audit verify --database "$MC_DIR/store.db"
	e2e_check "no address found in the milter log" \
		sh -c "! grep -qE '194\\.7\\.|133\\.[0-9]' '$E2E_RUN/milter/out' '$E2E_RUN/milter/out.before-kill'"
}
