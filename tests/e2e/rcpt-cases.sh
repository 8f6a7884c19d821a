# tests/e2e/rcpt-cases.sh - recipient forms and the recipient limit
# through a real MTA, shared by t-rcpt-postfix.sh and t-rcpt-sendmail.sh
# (sourced after lib.sh and milter-cases.sh, after mc_setup).
#
#   rc_cases MTA SINK   the cases through MTA instance MTA into SINK
# Each case sends the Belgian list to CERT.be (delivered) beside a
# recipient the gate must hold, written the way that once slipped through:
# a source route (one and two hops, mixed case: deleted as the MTA queued
# it, never delivered), quoted and mixed-case local parts, the percent
# hack, a bang path and a quoted '@' (decided for the domain they reach,
# not as own-domain), then 1,001 recipients: the first 1,000 accepted and
# decided, 452 4.5.3 for the last, which the client sends again in a
# second transaction.  Every held recipient is in the store, none reaches
# the sink.
RC_N=0

# Send MESSAGE from MC_FROM to RCPT... through MTA $1 with
# tests/e2e/smtp-send.py (recipients exactly as given); output in $RC_OUT.
rc_send() {
	_rc_mta=$1
	_rc_msg=$2
	shift 2
	RC_N=$((RC_N + 1))
	RC_OUT=$E2E_RUN/rc-$RC_N.out
	"$E2E_PY" tests/e2e/smtp-send.py "$(e2e_port "$_rc_mta")" "$MC_FROM" "$_rc_msg" "$@" \
		>"$RC_OUT" 2>&1
	if [ -f "$E2E_RUN/$_rc_mta/sendmail.cf" ]; then
		sleep 0.5
		e2e_sendmail "$_rc_mta" -OQueueLA=999 -ORefuseLA=999 -q >/dev/null 2>&1
	fi
}

# The DATA reply code of the last rc_send.
rc_data() {
	sed -n 's/^DATA \([0-9]*\) .*/\1/p' "$RC_OUT"
}

# How many held recipients named exactly $1 the store has.
rc_held() {
	mc_sql "select count(*) from hold_recipients where recipient='$1'"
}

rc_held_is() {
	[ "$(rc_held "$1")" = "$2" ]
}

rc_cases() {
	MTA=$1
	SINK=$2
	BE=$E2E_RUN/msg/be-inline.eml
	# 1. A source route beside CERT.be: the MTA queues info@jpcert.or.jp.
	rc_send "$MTA" "$BE" cert@cert.be @relay.example:info@jpcert.or.jp
	e2e_is "$(rc_data)" 250 "$MTA: source route: accepted"
	e2e_check "$MTA: source route: CERT.be's copy arrived" e2e_wait_sink "$SINK" 1
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be " "$MTA: source route: JPCERT/CC got nothing"
	e2e_is "$(rc_held '<@relay.example:info@jpcert.or.jp>')" 1 "$MTA: source route: held in the store"
	# 2. A two-hop route with a mixed-case mailbox, and a quoted local part.
	rc_send "$MTA" "$BE" cert@cert.be '@a.example,@b.example:User@JPCERT.or.jp' \
		'"a b"@jpcert.or.jp' Info@JPCERT.OR.JP
	e2e_is "$(rc_data)" 250 "$MTA: two hops, quoted, mixed case: accepted"
	e2e_check "$MTA: two hops ...: CERT.be's copy arrived" e2e_wait_sink "$SINK" 2
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be " \
		"$MTA: two hops, quoted, mixed case: none delivered"
	e2e_is "$(rc_held '<@a.example,@b.example:User@JPCERT.or.jp>')" 1 "$MTA: two hops: held"
	e2e_is "$(rc_held '<"a b"@jpcert.or.jp>')" 1 "$MTA: quoted local part: held"
	e2e_is "$(rc_held '<Info@JPCERT.OR.JP>')" 1 "$MTA: mixed case: held"
	# 3. Routing syntax via the own domain: decided for jpcert.or.jp.
	rc_send "$MTA" "$BE" cert@cert.be soc@ncsc.nl 'cert%jpcert.or.jp@ncsc.nl' \
		'jpcert.or.jp!cert@ncsc.nl' '"cert@jpcert.or.jp"@ncsc.nl'
	e2e_is "$(rc_data)" 250 "$MTA: percent hack, bang path, quoted @: accepted"
	e2e_check "$MTA: routing syntax: the others' copy arrived" e2e_wait_sink "$SINK" 3
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be soc@ncsc.nl " \
		"$MTA: routing syntax: only CERT.be and the own domain"
	e2e_is "$(rc_held '<cert%jpcert.or.jp@ncsc.nl>')" 1 "$MTA: percent hack: held"
	e2e_is "$(rc_held '<jpcert.or.jp!cert@ncsc.nl>')" 1 "$MTA: bang path: held"
	e2e_is "$(rc_held '<"cert@jpcert.or.jp"@ncsc.nl>')" 1 "$MTA: quoted @: held"
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient like '%!cert@ncsc.nl>' and party='jpcert'")" 1 \
		"$MTA: bang path: decided for JPCERT/CC"
	# 4. 1,001 recipients: 452 4.5.3 for the last, the others decided.
	_rc_list=""
	_i=1
	while [ $_i -le 1000 ]; do
		_rc_list="$_rc_list r$_i@example.net"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # one word per recipient, on purpose
	rc_send "$MTA" "$BE" cert@cert.be $_rc_list
	e2e_is "$(grep -c '^RCPT 250 ' "$RC_OUT")" 1000 "$MTA: 1,001 recipients: 1,000 accepted"
	e2e_is "$(sed -n '${/^DATA/d};/^RCPT/p' "$RC_OUT" | tail -n 1 | cut -c1-14)" "RCPT 452 4.5.3" \
		"$MTA: 1,001 recipients: 452 4.5.3 for the last"
	e2e_is "$(rc_data)" 250 "$MTA: 1,001 recipients: the message accepted"
	e2e_check "$MTA: 1,001 recipients: CERT.be's copy arrived" e2e_wait_sink "$SINK" 4
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be " "$MTA: 1,001 recipients: only CERT.be delivered"
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient like '<r%@example.net>'")" 999 \
		"$MTA: 1,001 recipients: 999 held in one hold"
	e2e_is "$(rc_held '<r1000@example.net>')" 0 "$MTA: 1,001 recipients: the last one not taken"
	# ... and the client sends the rest in another transaction.
	rc_send "$MTA" "$BE" r1000@example.net
	e2e_is "$(rc_data)" 250 "$MTA: the rest in a second transaction: accepted"
	e2e_check "$MTA: the rest: held" e2e_wait_until 20 "the hold of r1000" \
		rc_held_is '<r1000@example.net>' 1
	sleep 1
	e2e_is "$(e2e_sink_count "$SINK")" 4 "$MTA: nothing else reached the sink"
}
