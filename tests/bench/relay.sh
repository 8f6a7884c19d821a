#!/bin/sh
# tests/bench/relay.sh - relay throughput through a private Postfix.
#
#   sh tests/bench/relay.sh               standalone: the no-milter baseline
#   . tests/bench/relay.sh                (with BENCH_RELAY_LIB=1, after
#                                         lib.sh's e2e_init) the functions
#
# smtp-source (10 sessions, 2,000 messages of 5 KB, one message per SMTP
# session as smtp-source does by default) -> private Postfix -> smtp-sink
# (no dumps), all on 127.0.0.1, built with tests/e2e/lib.sh.
#
# "End to end" is from the first connection until every message is
# COMPLETE in the maillog: one line per queue id, either qmgr's
# "QID: removed" (delivered, or bounced) or cleanup's "QID: milter-discard:"
# (the milter held all recipients and discarded it from the queue).  A
# held message is never "status=sent", so counting deliveries would wait
# for mail that will never come.  The injection rate (smtp-source alone)
# is given too.
#
# Public functions (prefix bench_):
#   bench_messages DIR     the incident messages of the mix (-F files)
#   bench_done_count NAME  messages complete in Postfix NAME's maillog
#   bench_leg LABEL MILTER KIND   one leg on fresh instances; MILTER is a
#                          Postfix milter address or empty (none); KIND is
#                          "clean" (SESSIONS x 5 KB without addresses, one
#                          message per SMTP connection, smtp-source's
#                          default), "long" (the same through SESSIONS
#                          connections that stay open: smtp-source -d) or
#                          "mix" (10% incident: half to a party the
#                          registry gives the list to, half to one it holds
#                          it for).  Sets BENCH_RATE, BENCH_INJECT (msg/s,
#                          empty on failure), BENCH_SECS and BENCH_CPU
#                          (ms of busy CPU of the whole machine per
#                          message, first connection to completion).
# Standalone output:
#   relay baseline (no milter): N msg/s
# and with BENCH_MILTER set (a milter address whose daemon the caller
# started) a second leg, "relay with milter: N msg/s (R of baseline)".
#
# Knobs: BENCH_SESSIONS (10), BENCH_MESSAGES (2000), BENCH_SIZE (5000),
# BENCH_TIMEOUT seconds for completion (300).  Limits: Postfix only; the
# mix needs SESSIONS >= 3 (one session each for the two incident kinds).

BENCH_SESSIONS=${BENCH_SESSIONS:-10}
BENCH_MESSAGES=${BENCH_MESSAGES:-2000}
BENCH_SIZE=${BENCH_SIZE:-5000}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-300}
BENCH_LEG=0
BENCH_FROM=src@example.org

# Print seconds since the epoch with nanoseconds.
bench_now() {
	date +%s.%N
}

# Print the machine's busy CPU ticks so far (user, nice, system, irq,
# softirq of /proc/stat; not idle, iowait or steal: time other guests of
# the host take is not ours).
bench_busy() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# Print COUNT / (END - START) with no decimals (msg/s).
bench_rate() {
	awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; if (d <= 0) d = 0.001; printf "%.0f\n", n / d }'
}

# Write DIR/incident.eml, about 5 KB: a notification with a list of 40
# Belgian addresses (tests/geo/country.tsv: 194.7.0.0/16 is BE), which
# the sample registry gives to CERT.be and holds for CISA (no basis).
bench_messages() {
	mkdir -p "$1" || return 1
	{
		printf 'From: SOC <soc@ncsc.nl>\nTo: CSIRT\nSubject: Compromised systems in your constituency\n'
		printf 'MIME-Version: 1.0\nContent-Type: text/plain\n\n'
		printf 'Dear colleagues,\n\nthe following systems in your constituency were seen\n'
		printf 'communicating with known command and control servers.\n\n'
		_bm=1
		while [ $_bm -le 40 ]; do
			printf '194.7.%d.%d  first seen 2023-02-01 12:00:00 UTC, port 443, beacon every 300 s\n' \
				$((_bm % 7 + 1)) $((_bm * 3 + 10))
			_bm=$((_bm + 1))
		done
		_bm=1
		while [ $_bm -le 25 ]; do
			printf 'Notes paragraph %d: please contact the owners and report back to us.\n' $_bm
			_bm=$((_bm + 1))
		done
	} >"$1/incident.eml"
}

# Print how many messages Postfix NAME has completed: delivered and
# removed from the queue, or discarded by a milter (one line per queue
# id each; a bounced message is removed too and shows as not delivered
# in the status=sent count the caller may check).
bench_done_count() {
	awk '/: removed$/ || / milter-discard: / { n++ } END { print n + 0 }' \
		"$(e2e_maillog "$1")" 2>/dev/null || echo 0
}

# True when Postfix NAME has completed at least N messages.
bench_done_has() {
	[ "$(bench_done_count "$1")" -ge "$2" ]
}

# smtp-source with our defaults: SESSIONS MESSAGES PORT OUT [ARGS...].
bench_source() {
	_bs_s=$1
	_bs_m=$2
	_bs_p=$3
	_bs_o=$4
	shift 4
	smtp-source -s "$_bs_s" -m "$_bs_m" -f "$BENCH_FROM" "$@" 127.0.0.1:"$_bs_p" >"$_bs_o" 2>&1
}

# Run one leg (see the header).  Prints diagnostics on stderr; ok/not ok
# through lib.sh.  Stops its instances.
bench_leg() {
	_bl_label=$1
	_bl_kind=$3
	BENCH_LEG=$((BENCH_LEG + 1))
	BENCH_RATE=""
	BENCH_INJECT=""
	BENCH_SECS=""
	_bl_pf=bpf$BENCH_LEG
	_bl_sk=bsink$BENCH_LEG
	E2E_SINK_NODUMP=1 e2e_sink_start "$_bl_sk" || { e2e_not_ok "$_bl_label: sink"; return 1; }
	E2E_SMTPD_MILTERS=$2 e2e_postfix_start "$_bl_pf" "$_bl_sk" ||
		{ e2e_not_ok "$_bl_label: postfix"; e2e_sink_stop "$_bl_sk"; return 1; }
	_bl_port=$(e2e_port "$_bl_pf")
	_bl_out=$E2E_RUN/source$BENCH_LEG
	BENCH_CPU=""
	_bl_b0=$(bench_busy)
	_bl_t0=$(bench_now)
	if [ "$_bl_kind" = mix ]; then
		# 10% incident: two single sessions of 5% each beside the clean ones.
		_bl_inc=$((BENCH_MESSAGES / 20))
		_bl_clean=$((BENCH_MESSAGES - 2 * _bl_inc))
		bench_source 1 "$_bl_inc" "$_bl_port" "$_bl_out.deliver" \
			-t cert@cert.be -F "$BENCH_MSGDIR/incident.eml" &
		_bl_p1=$!
		bench_source 1 "$_bl_inc" "$_bl_port" "$_bl_out.hold" \
			-t central@cisa.gov -F "$BENCH_MSGDIR/incident.eml" &
		_bl_p2=$!
		bench_source $((BENCH_SESSIONS - 2)) "$_bl_clean" "$_bl_port" "$_bl_out.clean" \
			-l "$BENCH_SIZE" -t dst@example.net
		_bl_rc=$?
		wait "$_bl_p1" || _bl_rc=1
		wait "$_bl_p2" || _bl_rc=1
	else
		# long: -d keeps each session's connection for its next message
		bench_source "$BENCH_SESSIONS" "$BENCH_MESSAGES" "$_bl_port" "$_bl_out.clean" \
			-l "$BENCH_SIZE" -t dst@example.net $([ "$_bl_kind" = long ] && echo -d)
		_bl_rc=$?
	fi
	_bl_t1=$(bench_now)
	e2e_is "$_bl_rc" 0 "$_bl_label: smtp-source exit status"
	if e2e_wait_until "$BENCH_TIMEOUT" "$BENCH_MESSAGES messages complete in $_bl_pf" \
		bench_done_has "$_bl_pf" "$BENCH_MESSAGES"; then
		_bl_t2=$(bench_now)
		BENCH_CPU=$(awk -v a="$_bl_b0" -v b="$(bench_busy)" -v t="$(getconf CLK_TCK)" \
			-v n="$BENCH_MESSAGES" 'BEGIN { printf "%.2f\n", (b - a) * 1000 / t / n }')
		BENCH_RATE=$(bench_rate "$BENCH_MESSAGES" "$_bl_t0" "$_bl_t2")
		BENCH_INJECT=$(bench_rate "$BENCH_MESSAGES" "$_bl_t0" "$_bl_t1")
		BENCH_SECS=$(awk -v a="$_bl_t0" -v b="$_bl_t2" 'BEGIN { printf "%.1f", b - a }')
		_bl_sent=$(e2e_sent_count "$_bl_pf")
		_bl_disc=$(e2e_log_count "$_bl_pf" ' milter-discard: ')
		e2e_ok "$_bl_label: $BENCH_MESSAGES messages complete ($_bl_sent sent, $_bl_disc discarded)"
		e2e_diag "$_bl_label: inject $BENCH_INJECT msg/s, end to end $BENCH_SECS s"
	else
		e2e_not_ok "$_bl_label: only $(bench_done_count "$_bl_pf") of $BENCH_MESSAGES complete"
	fi
	e2e_postfix_stop "$_bl_pf"
	e2e_sink_stop "$_bl_sk"
	[ -n "$BENCH_RATE" ]
}

# Print "LABEL: N msg/s (R of baseline)" for RATE against BASE.
bench_ratio() {
	awk -v l="$1" -v r="$2" -v b="$3" 'BEGIN { printf "%s: %d msg/s (%.2f of baseline)\n", l, r, (b > 0 ? r / b : 0) }'
}

if [ "${BENCH_RELAY_LIB:-0}" != 1 ]; then
	cd "$(dirname "$0")/../.." || exit 1
	. tests/e2e/lib.sh
	E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-900}
	e2e_init bench-relay
	BENCH_MSGDIR=$E2E_RUN/msg
	bench_messages "$BENCH_MSGDIR" || exit 1
	bench_leg "relay baseline (no milter)" "" clean && BASE=$BENCH_RATE
	[ -n "${BASE:-}" ] && echo "relay baseline (no milter): $BASE msg/s"
	if [ -n "${BENCH_MILTER:-}" ]; then
		bench_leg "relay with milter" "$BENCH_MILTER" clean &&
			bench_ratio "relay with milter" "$BENCH_RATE" "${BASE:-0}"
	fi
	e2e_done
fi
