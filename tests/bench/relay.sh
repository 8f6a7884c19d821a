#!/bin/sh
# tests/bench/relay.sh - relay throughput through a private Postfix.
#
#   sh tests/bench/relay.sh
#
# smtp-source (10 sessions, 2,000 messages of 5 KB) -> private Postfix ->
# smtp-sink (no dumps), all on 127.0.0.1, built with tests/e2e/lib.sh.
# "End to end" is from the first connection until the maillog holds one
# "status=sent" per message; the injection rate (smtp-source alone) is
# printed too.  Output:
#
#   relay baseline (no milter): N msg/s
#
# bench_run LABEL MILTER_SPEC runs one leg on fresh instances; an empty
# MILTER_SPEC means no milter.  With BENCH_MILTER set (a Postfix milter
# address such as unix:/path/grondslag.sock or inet:127.0.0.1:9901, whose
# daemon the caller has started), a second leg runs in the same invocation
# and is printed as a ratio of the baseline:
#
#   relay with milter: N msg/s (0.83 of baseline)
#
# Knobs: BENCH_SESSIONS (10), BENCH_MESSAGES (2000), BENCH_SIZE (5000),
# BENCH_TIMEOUT seconds for delivery (300).  Exit 0 when every leg
# delivered every message.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-900}
e2e_init bench-relay

SESSIONS=${BENCH_SESSIONS:-10}
MESSAGES=${BENCH_MESSAGES:-2000}
SIZE=${BENCH_SIZE:-5000}
TIMEOUT=${BENCH_TIMEOUT:-300}
LEG=0

# Print seconds since the epoch with nanoseconds.
now() {
	date +%s.%N
}

# Print COUNT / (END - START) with no decimals (msg/s).
rate() {
	awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { d = b - a; if (d <= 0) d = 0.001; printf "%.0f\n", n / d }'
}

# Run one leg: fresh smtp-sink and Postfix (smtpd_milters = MILTER_SPEC),
# smtp-source, wait for every delivery.  Prints "LABEL: N msg/s" and sets
# BENCH_RATE (end-to-end msg/s, empty on failure).  Stops its instances.
bench_run() {
	_br_label=$1
	LEG=$((LEG + 1))
	BENCH_RATE=""
	E2E_SINK_NODUMP=1 e2e_sink_start "sink$LEG" || { e2e_not_ok "$_br_label: sink"; return 1; }
	E2E_SMTPD_MILTERS=$2 e2e_postfix_start "pf$LEG" "sink$LEG" ||
		{ e2e_not_ok "$_br_label: postfix"; return 1; }
	_br_t0=$(now)
	smtp-source -s "$SESSIONS" -m "$MESSAGES" -l "$SIZE" -f src@example.org \
		-t dst@example.net 127.0.0.1:"$(e2e_port "pf$LEG")" \
		>"$E2E_RUN/source$LEG.out" 2>&1
	_br_src=$?
	_br_t1=$(now)
	e2e_is "$_br_src" 0 "$_br_label: smtp-source exit status"
	if e2e_wait_sent "pf$LEG" "$MESSAGES" "$TIMEOUT"; then
		_br_t2=$(now)
		BENCH_RATE=$(rate "$MESSAGES" "$_br_t0" "$_br_t2")
		e2e_ok "$_br_label: $MESSAGES messages delivered"
		e2e_diag "$_br_label: inject $(rate "$MESSAGES" "$_br_t0" "$_br_t1") msg/s," \
			"end to end $(awk -v a="$_br_t0" -v b="$_br_t2" 'BEGIN { printf "%.1f", b - a }') s"
	else
		e2e_not_ok "$_br_label: only $(e2e_sent_count "pf$LEG") of $MESSAGES delivered"
	fi
	e2e_postfix_stop "pf$LEG"
	e2e_sink_stop "sink$LEG"
	[ -n "$BENCH_RATE" ]
}

# Print "LABEL: N msg/s (R of baseline)" for RATE against BASE.
bench_ratio() {
	awk -v l="$1" -v r="$2" -v b="$3" 'BEGIN { printf "%s: %d msg/s (%.2f of baseline)\n", l, r, (b > 0 ? r / b : 0) }'
}

bench_run "relay baseline (no milter)" "" && BASE=$BENCH_RATE
[ -n "${BASE:-}" ] && echo "relay baseline (no milter): $BASE msg/s"

if [ -n "${BENCH_MILTER:-}" ]; then
	bench_run "relay with milter" "$BENCH_MILTER" &&
		bench_ratio "relay with milter" "$BENCH_RATE" "${BASE:-0}"
fi
e2e_done
