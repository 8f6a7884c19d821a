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
#     are held like any other message and recorded as refused attempts
#     (the replay, being A's message again, as a retry of hold A);
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
#     token used, before the relay's 250 reached the releaser): the relay
#     process outlives it and keeps the 250; after the restart the
#     release completes without sending again: exactly once.
# The crash windows of the two-phase release, forced with the test
# build's fault points (build/tests/grondslag-milter-faults, fault.h):
#   - the daemon killed after its milter marked the token, before the MTA
#     had the milter's reply: the MTA refuses the copy (4xx); the relay
#     process's receipt says so, and after the restart the release is
#     retried with a new token: exactly once;
#   - the relay process killed after the relay's 250, before its
#     receipt: the outcome is unknown, nothing is sent again, the hold is
#     raised to the admins (held, LOG_ERR): exactly once;
#   - the MTA stopped after our milter let the copy pass and before it
#     queued it: no 250, the attempt is void and retried once the MTA is
#     back: exactly once;
#   - a tampered hold (one byte of the stored message changed): the
#     release and the content view are refused and recorded, raised;
#   - duplicate holds: the daemon killed after storing a hold, before the
#     MTA had its reply; the client's retry after the 4xx finds that hold
#     (one hold, a "hold-retry" record) and one release delivers once;
#   - a ReleaseRelay without the milter (the sink itself): one delivery,
#     recorded "unconfirmed", raised, never retried; and the start-up
#     warning for a releaser address outside InternalHosts.
# ReleaseRetry 1 keeps the retries and the releaser's polling at about a
# second.
# the jurist users: RC_USERS names them per suite, the shell's pid per
# run (suites may run at once, also from other clones: one run's cleanup
# must not delete the users of another)
J1=grondslag-${RC_USERS:-r}$$-j1
J2=grondslag-${RC_USERS:-r}$$-j2
CLI=$(pwd)/${BUILD:-build}/grondslag
SLOWBIN=$(pwd)/${BUILD:-build}/tests/slow-milter
# the daemon with its fault points (fault.h); a point fires when its name
# is in $RC_FAULT
RC_MILTER=$(pwd)/${BUILD:-build}/tests/grondslag-milter-faults

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

# Write $2: the release header of hold $1's token (in state $4, default
# done) plus its stored message ($3 = "alter": one address in the body
# changed).
rc_replay_file() {
	"$E2E_PY" - "$MC_DIR/store.db" "$1" "$2" "${3:-}" "${4:-done}" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=20)
hdr = c.execute("select header from release_tokens where ref=? and state=?",
                (sys.argv[2], sys.argv[5])).fetchone()[0]
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
	[ ! -f "$E2E_RUN/milter/out" ] ||
		cp "$E2E_RUN/milter/out" "$E2E_RUN/milter/out.$(date +%s%N)"
	e2e_proc_start milter "$RC_MILTER" -f -c "$MC_DIR/grondslag.conf"
	# a daemon that died leaves its socket files: wait for this one's
	# own word that it listens, not only for the files
	e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK" &&
		e2e_wait_until 15 "milter started" grep -q ": notice: started (pid" \
			"$E2E_RUN/milter/out"
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
	e2e_check "the fault-injection daemon is built" test -x "$RC_MILTER" || e2e_done
	RC_FAULT=$E2E_RUN/fault
	GRONDSLAG_FAULT_FILE=$RC_FAULT
	export GRONDSLAG_FAULT_FILE
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
	e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
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
	# the altered copy is another message: a hold of its own.  The replay
	# is A's message again: where A has a Message-ID (Postfix adds one to
	# a message without it before our milter sees it, Sendmail after)
	# it is held as a retry of hold A, else as a new hold
	rc_replays_held() {
		[ $(($(mc_sql "select count(*) from holds") + \
			$(mc_sql "select count(*) from audit where event='hold-retry' and ref='$REF_A'"))) = 4 ]
	}
	e2e_check "replayed and altered copies held" e2e_wait_until 20 "held copies" rc_replays_held
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
	e2e_check "daemon restarted" rc_milter_start
	e2e_check "hold F released after the restart" \
		e2e_wait_until 30 "F released" rc_state_is "$REF_F" released
	rc_copies_are "$REF_F" 1 "F arrived exactly once"
	e2e_is "$(mc_sql "select count(*) from audit where event='release' and ref='$REF_F'")" 1 \
		"one release record for F"
	QID=$(mc_sql "select relay_queue_id from hold_recipients where ref='$REF_F' limit 1")
	e2e_check "F's MTA queue id recorded (from the milter's side)" test -n "$QID" -a "$QID" != None
}

# The daemon (pid file) is gone.
rc_daemon_gone() {
	e2e_pid_gone "$(cat "$E2E_RUN/milter/pid")"
}

# Records of event $2 for hold $1.
rc_records() {
	mc_sql "select count(*) from audit where event='$2' and ref='$1'"
}

# True when hold $1 has $3 records of event $2.
rc_records_are() {
	[ "$(rc_records "$1" "$2")" = "$3" ]
}

# Approve hold $1 by both jurists.
rc_approve2() {
	mc_cli $J1 approve "$1" --reason "needed under Wbni art. 20"
	mc_cli $J2 approve "$1" --reason "agreed"
}

# True when the milter's current log has ERE $1.
rc_logged() {
	grep -qE -- "$1" "$E2E_RUN/milter/out"
}

# A receipt of a relay process holds a 4xx.
rc_receipt_4xx() {
	grep -qs '^1 4' "$MC_DIR/spool"/release-*.reply
}

# Window 1: the daemon killed after its milter marked the token "used",
# before the MTA had the reply: the MTA refuses the copy; retried once.
rc_case_seen_kill() {
	rc_new_hold G
	REF_G=$RC_REF
	echo release-seen >"$RC_FAULT"
	rc_approve2 "$REF_G"
	e2e_is "$?" 0 "j2 approves G (the daemon dies after marking its token)"
	e2e_check "the daemon died after marking G's token" e2e_wait_until 30 "daemon gone" \
		rc_daemon_gone
	e2e_is "$(mc_sql "select count(*) from release_tokens where ref='$REF_G' and state='used'")" 1 \
		"G's token was marked used (seen, pending) at the kill"
	e2e_check "the relay process kept the MTA's refusal (4xx)" \
		e2e_wait_until 30 "receipt" rc_receipt_4xx
	e2e_check "daemon restarted" rc_milter_start
	e2e_check "hold G released after the restart" \
		e2e_wait_until 60 "G released" rc_state_is "$REF_G" released
	rc_copies_are "$REF_G" 1 "G arrived exactly once"
	e2e_is "$(mc_sql "select count(*) from release_tokens where ref='$REF_G' and state='void'")" 1 \
		"the attempt the MTA refused is void, not delivered"
	e2e_is "$(rc_records "$REF_G" release)" 1 "one release record for G"
	e2e_is "$(mc_sql "select count(*) from release_tokens where ref='$REF_G' and state='done'")" 1 \
		"the retry with a new token is the one done"
	# the void attempt's copy arriving late (its relay process was slow,
	# or someone kept it): our releaser's own copy, never delivered by any
	# route, whatever the gate would say now
	_gh=$(mc_sql "select count(*) from holds")
	rc_replay_file "$REF_G" "$E2E_RUN/late.eml" "" void
	e2e_send "$RC_MTA" "$MC_FROM" info@jpcert.or.jp "$E2E_RUN/late.eml"
	case $(e2e_reply_code) in 4*) e2e_ok "$RC_MTA: the void attempt's late copy tempfailed" ;;
	*) e2e_not_ok "$RC_MTA: the void attempt's late copy: got '$(e2e_reply_code)', want 4xx" ;; esac
	e2e_is "$(mc_sql "select count(*) from audit where event='release-refused' and ref='$REF_G' and details like '%abandoned%'")" 1 \
		"the late copy recorded as a refused attempt"
	e2e_is "$(mc_sql "select count(*) from holds")" "$_gh" "the late copy is not held either"
	rc_copies_are "$REF_G" 1 "G still arrived exactly once" 1
}

# Window 2: the relay process killed after the relay's 250, before its
# receipt: unknown, never sent again, raised to the admins.
rc_case_after_reply() {
	rc_new_hold H
	REF_H=$RC_REF
	echo relay-after-reply >"$RC_FAULT"
	rc_approve2 "$REF_H"
	e2e_check "H's outcome recorded as unknown" e2e_wait_until 30 "H unknown" \
		rc_records_are "$REF_H" release-unknown 1
	e2e_check "the fault fired" test ! -e "$RC_FAULT"
	rc_copies_are "$REF_H" 1 "H arrived exactly once (queued by the MTA, not sent again)" 5
	e2e_is "$(rc_records "$REF_H" release-unknown)" 1 "H recorded as unknown, once"
	e2e_is "$(mc_sql "select state from holds where ref='$REF_H'")" releasing \
		"H is left for the admins (releasing)"
	mc_cli $J1 held
	case $MC_OUT in *"$REF_H"*"RELEASE NEEDS AN ADMIN: unknown"*) e2e_ok "held raises H to the admins" ;;
	*) e2e_not_ok "held after a lost reply: got '$MC_OUT'" ;; esac
	e2e_check "logged at LOG_ERR" rc_logged "error: release $REF_H: OUTCOME UNKNOWN"
	case $MC_OUT in *"grondslag release-resolve $REF_H --delivered"*) e2e_ok "held names the admin's action" ;;
	*) e2e_not_ok "held names no action for H: got '$MC_OUT'" ;; esac
	# the admin found the MTA queue id in the MTA's log: delivered
	mc_cli $J1 release-resolve "$REF_H" --delivered --reason "in the log"
	e2e_is "$?" 1 "a jurist may not resolve a release"
	MC_OUT=$("$CLI" release-resolve "$REF_H" --delivered --reason "status=sent in the MTA log" \
		--socket "$CTL" 2>&1)
	e2e_is "$?" 0 "the admin resolves H as delivered ($MC_OUT)"
	e2e_is "$(mc_sql "select state from holds where ref='$REF_H'")" released "H released"
	e2e_is "$(mc_sql "select actor || '/' || role from audit where event='release-resolved' and ref='$REF_H'")" \
		root/admin "audit: release-resolved with the admin"
	e2e_is "$(rc_records "$REF_H" release)" 1 "audit: one release record for H"
	MC_OUT=$("$CLI" release-resolve "$REF_H" --resend --reason x --socket "$CTL" 2>&1)
	e2e_is "$?" 1 "once resolved, another statement is refused"
	rc_copies_are "$REF_H" 1 "H still arrived exactly once"
}

# Window 3: the MTA stopped after our milter let the copy pass, before it
# queued it: no 250, void, retried once the MTA is back.
rc_case_mta_stop() {
	rc_new_hold I
	REF_I=$RC_REF
	: >"$HOLDFILE"
	rc_approve2 "$REF_I"
	e2e_check "the milter let I's copy pass" e2e_wait_until 30 "I passed the milter" \
		rc_logged "verdict=released ref=$REF_I"
	rc_mta_stop
	rm -f "$HOLDFILE"
	rc_i_failed() { [ "$(rc_records "$REF_I" release-failed)" -ge 1 ]; }
	e2e_check "no 250: the attempt failed (not delivered on the milter's word)" \
		e2e_wait_until 30 "I failed" rc_i_failed
	e2e_is "$(rc_records "$REF_I" release)" 0 "no release record while the MTA is down"
	e2e_check "$RC_MTA back" rc_mta_restart
	e2e_check "hold I released after the MTA came back" \
		e2e_wait_until 60 "I released" rc_state_is "$REF_I" released
	rc_copies_are "$REF_I" 1 "I arrived exactly once"
}

# A tampered hold: one digit of the stored message changed.
rc_case_tampered() {
	rc_new_hold K
	REF_K=$RC_REF
	"$E2E_PY" - "$MC_DIR/store.db" "$REF_K" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=20)
m = bytes(c.execute("select message from hold_messages where ref=?", (sys.argv[2],)).fetchone()[0])
i = m.index(b"133.4.5.6")
c.execute("update hold_messages set message=? where ref=?", (m[:i + 8] + b"7" + m[i + 9:], sys.argv[2]))
c.commit()
PY
	rc_approve2 "$REF_K"
	e2e_check "the release of the tampered hold refused, LOG_ERR" \
		e2e_wait_until 30 "K refused" rc_logged "error: release $REF_K: REFUSED: the stored message does not match"
	e2e_is "$(mc_sql "select count(*) from audit where event='tampered' and ref='$REF_K' and details like '%release%'")" 1 \
		"audit: the refused release is recorded"
	mc_cli $J1 show "$REF_K" --content
	e2e_is "$?" 2 "the content view of the tampered hold is refused"
	case $MC_OUT in *"does not match its SHA-256"*) e2e_ok "show says why" ;;
	*) e2e_not_ok "show --content of a tampered hold: got '$MC_OUT'" ;; esac
	e2e_is "$(mc_sql "select count(*) from audit where event='tampered' and ref='$REF_K' and details like '%content%'")" 1 \
		"audit: the refused view is recorded"
	mc_cli $J1 held
	case $MC_OUT in *"$REF_K"*"RELEASE REFUSED (stored message changed)"*) e2e_ok "held raises K" ;;
	*) e2e_not_ok "held with a tampered hold: got '$MC_OUT'" ;; esac
	rc_copies_are "$REF_K" 0 "nothing of K arrived" 2
	e2e_is "$(rc_sink_with sink "^X-Grondslag-Release: v1; ref=$REF_K")" 0 "no copy of K at all"
}

# A ReleaseRelay without the milter (the sink itself): one delivery,
# unconfirmed, raised, never retried; the start-up warning.
rc_case_unconfirmed() {
	{
		grep -v '^InternalHosts' "$MC_DIR/grondslag.conf"
		echo "InternalHosts 10.0.0.0/8"
	} >"$MC_DIR/outside.conf"
	"$RC_MILTER" -n -c "$MC_DIR/outside.conf" >"$E2E_RUN/outside.out" 2>&1
	e2e_check "start-up warning: the releaser's address is outside InternalHosts" \
		grep -q "source address 127.0.0.1 is not in InternalHosts" "$E2E_RUN/outside.out"
	"$RC_MILTER" -n -c "$MC_DIR/grondslag.conf" >"$E2E_RUN/inside.out" 2>&1
	e2e_check "no such warning when it is inside" \
		sh -c "! grep -q 'not in InternalHosts' '$E2E_RUN/inside.out'"

	rc_new_hold J
	REF_J=$RC_REF
	sed -i "s/^ReleaseRelay .*/ReleaseRelay 127.0.0.1:$(e2e_port sink)/" "$MC_DIR/grondslag.conf"
	kill -HUP "$(cat "$E2E_RUN/milter/pid")"
	sleep 2
	rc_approve2 "$REF_J"
	e2e_check "J recorded as unconfirmed, LOG_ERR" e2e_wait_until 30 "J unconfirmed" \
		rc_logged "error: release $REF_J: UNCONFIRMED"
	e2e_is "$(rc_records "$REF_J" release-unconfirmed)" 1 "audit: release-unconfirmed"
	sleep 4
	e2e_is "$(rc_sink_with sink "^X-Grondslag-Release: v1; ref=$REF_J")" 1 \
		"J delivered exactly once, not retried"
	e2e_is "$(mc_sql "select state from holds where ref='$REF_J'")" releasing "J left for the admins"
	mc_cli $J1 held
	case $MC_OUT in *"$REF_J"*"RELEASE NEEDS AN ADMIN: unconfirmed"*) e2e_ok "held raises J" ;;
	*) e2e_not_ok "held after an unconfirmed release: got '$MC_OUT'" ;; esac
	mc_cli $J1 show "$REF_J"
	case $MC_OUT in *"unconfirmed: the relay accepted the copy"*) e2e_ok "show says unconfirmed" ;;
	*) e2e_not_ok "show after an unconfirmed release: got '$MC_OUT'" ;; esac
	case $MC_OUT in *"grondslag release-resolve $REF_J --delivered"*"--resend"*) e2e_ok "show names the admin's action" ;;
	*) e2e_not_ok "show names no action for J: got '$MC_OUT'" ;; esac
	sed -i "s/^ReleaseRelay .*/ReleaseRelay 127.0.0.1:$RC_PORT/" "$MC_DIR/grondslag.conf"
	kill -HUP "$(cat "$E2E_RUN/milter/pid")"
	sleep 2
	# the admin established that the copy was not queued: resend, now
	# through the milter
	MC_OUT=$("$CLI" release-resolve "$REF_J" --resend --reason "not in the queue" --socket "$CTL" 2>&1)
	e2e_is "$?" 0 "the admin resolves J: resend ($MC_OUT)"
	e2e_check "J released by the resent copy" e2e_wait_until 60 "J released" rc_state_is "$REF_J" released
	rc_copies_are "$REF_J" 1 "the resent copy passed the milter, once"
	e2e_is "$(mc_sql "select count(*) from audit where event='release-failed' and ref='$REF_J' and actor='root'")" 1 \
		"audit: the unconfirmed attempt voided by the admin"
}

# Duplicate holds: the daemon killed after storing a hold, before the MTA
# had its reply; the client's retry (new queue id, new Received) finds
# that hold; one release, one copy.
rc_case_retry() {
	printf 'From: Sender <sender@ncsc.nl>\nMessage-ID: <retry-%s@ncsc.nl>\nSubject: COATHANGER: retried list\n\nSystems seen:\n133.1.2.3\n133.4.5.6\n' \
		"$$" >"$E2E_RUN/msg/retry.eml"
	_rt=$(mc_sql "select count(*) from holds")
	echo hold-stored >"$RC_FAULT"
	e2e_send "$RC_MTA" "$MC_FROM" info@jpcert.or.jp "$E2E_RUN/msg/retry.eml"
	case $(e2e_reply_code) in 4*) e2e_ok "$RC_MTA: 4xx after the daemon died at end of message" ;;
	*) e2e_not_ok "$RC_MTA: the first attempt: got '$(e2e_reply_code)', want 4xx" ;; esac
	e2e_check "the daemon died after storing the hold" e2e_wait_until 30 "daemon gone" \
		rc_daemon_gone
	e2e_is "$(mc_sql "select count(*) from holds")" $((_rt + 1)) "the first attempt's hold is stored"
	e2e_check "daemon restarted" rc_milter_start
	e2e_send "$RC_MTA" "$MC_FROM" info@jpcert.or.jp "$E2E_RUN/msg/retry.eml"
	e2e_is "$(e2e_reply_code)" 250 "$RC_MTA: the client's retry accepted"
	e2e_check "the retry found the hold" e2e_wait_until 20 "retry logged" \
		rc_logged "retry of held message"
	e2e_is "$(mc_sql "select count(*) from holds")" $((_rt + 1)) "one hold for the message and its retry"
	REF_R=$(rc_newest)
	e2e_is "$(rc_records "$REF_R" hold-retry)" 1 "audit: the retry recorded on the hold"
	rc_approve2 "$REF_R"
	e2e_check "the hold released" e2e_wait_until 60 "R released" rc_state_is "$REF_R" released
	rc_copies_are "$REF_R" 1 "the retried message arrived exactly once"
}

rc_cases() {
	rc_case_release
	rc_case_relay_down
	rc_case_expiry
	rc_case_deny_refuse
	rc_case_partial
	rc_case_kill
	rc_case_seen_kill
	rc_case_after_reply
	rc_case_mta_stop
	rc_case_tampered
	rc_case_retry
	rc_case_unconfirmed
	e2e_check "audit verify: chain intact" "$CLI" audit verify --database "$MC_DIR/store.db"
	e2e_check "no address found in the milter log" \
		sh -c "cat '$E2E_RUN/milter'/out* >'$E2E_RUN/milter-all.log' &&
			! grep -qE '194\\.7\\.|133\\.[0-9]' '$E2E_RUN/milter-all.log'"
}
