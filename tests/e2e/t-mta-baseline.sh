#!/bin/sh
# tests/e2e/t-mta-baseline.sh - prove the e2e harness (tests/e2e/lib.sh)
# with real MTAs and no milter of ours.
#
# Postfix (private instances) and Sendmail (unpacked, never installed),
# each relaying to its own smtp-sink:
#   1. a clean message to two recipients arrives with both envelope
#      recipients, its header, and leaves the queue empty;
#   2. Postfix: a recipient domain refused by an access map gets a 5xx and
#      nothing reaches the sink;
#   3. a milter that is configured but not running (a reserved port nothing
#      listens on) gives the client a 4xx and nothing reaches the sink:
#      Postfix by milter_default_action=tempfail, Sendmail by F=T.  This is
#      the "milter killed" behaviour the project relies on;
#   4. a relay target that refuses connections keeps the message queued
#      (the queue assertions count what is there, not only emptiness).
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init mta-baseline

FROM=sender@example.org
MSG=$E2E_RUN/clean.eml
cat >"$MSG" <<'EOF'
From: Sender <sender@example.org>
To: Alice <alice@example.net>, Bob <bob@example.com>
Subject: e2e baseline clean
Message-ID: <baseline-1@example.org>
X-E2E-Marker: baseline-clean

Just a clean message.
EOF

# Nothing will ever listen on this reserved port: the "dead milter".
DEAD=$(e2e_pick_port) || exit 1

# ---- start everything (sinks first: the MTAs relay to them) ----------
for s in sink-pf sink-pfdead sink-sm sink-smdead; do
	e2e_sink_start "$s" || { e2e_not_ok "start $s"; e2e_done; }
done
E2E_POSTCONF="smtpd_recipient_restrictions = check_recipient_access inline:{blocked.example.net=REJECT}, permit" \
	e2e_postfix_start pf sink-pf || { e2e_not_ok "start postfix pf"; e2e_done; }
E2E_SMTPD_MILTERS=inet:127.0.0.1:$DEAD \
	e2e_postfix_start pfdead sink-pfdead || { e2e_not_ok "start postfix pfdead"; e2e_done; }
e2e_sendmail_start sm sink-sm || { e2e_not_ok "start sendmail sm"; e2e_done; }
E2E_SM_MILTER="S=inet:$DEAD@127.0.0.1, F=T, T=C:5s;S:10s;R:10s;E:30s" \
	e2e_sendmail_start smdead sink-smdead || { e2e_not_ok "start sendmail smdead"; e2e_done; }
# Relaying to the dead port: mail is accepted and stays queued.
e2e_postfix_start pfq "$DEAD" || { e2e_not_ok "start postfix pfq"; e2e_done; }
e2e_sendmail_start smq "$DEAD" || { e2e_not_ok "start sendmail smq"; e2e_done; }
e2e_ok "sinks, 3 Postfix and 3 Sendmail instances started"

# Clean message to two recipients through MTA $1 into sink $2.
clean_case() {
	e2e_send "$1" "$FROM" alice@example.net,bob@example.com "$MSG"
	e2e_is "$?" 0 "$1: swaks accepted the clean message"
	e2e_is "$(e2e_reply_code)" 250 "$1: final reply"
	e2e_check "$1: both recipients delivered" e2e_wait_sent "$1" 2
	e2e_check "$2: one message arrived" e2e_wait_sink "$2" 1
	e2e_is "$(e2e_sink_count "$2")" 1 "$2: message count"
	e2e_is "$(e2e_sink_rcpts "$2" | tr '\n' ' ')" "alice@example.net bob@example.com " \
		"$2: envelope recipients"
	e2e_check "$2: header kept" e2e_sink_has_header "$2" '^X-E2E-Marker: baseline-clean'
	e2e_check "$1: queue empty" e2e_wait_until 10 "$1 queue empty" queue_empty "$1"
}

# True when MTA $1 has nothing queued.
queue_empty() {
	[ "$(e2e_queue_count "$1")" = 0 ]
}

# Milter down: the client gets a 4xx, the sink nothing, the queue nothing.
dead_milter_case() {
	e2e_send "$1" "$FROM" alice@example.net "a message that must not pass"
	rc=$?
	e2e_check "$1: swaks failed (rc $rc)" test "$rc" != 0
	code=$(e2e_reply_code)
	case $code in
	4??) e2e_ok "$1: tempfail $code ($(grep -E '^<\*\*' "$E2E_TRANSCRIPT" | tail -n 1))" ;;
	*) e2e_not_ok "$1: got reply '$code', want 4xx" ;;
	esac
	e2e_check "$1: logged the unreachable milter" e2e_wait_log "$1" "$3" 1 10
	e2e_is "$(e2e_sink_count "$2")" 0 "$2: nothing arrived"
	e2e_is "$(e2e_queue_count "$1")" 0 "$1: nothing queued"
}

# Relay target down: accepted (250), deferred, one message in the queue.
queued_case() {
	e2e_send "$1" "$FROM" alice@example.net "a message for a dead relay"
	e2e_is "$?" 0 "$1: swaks accepted the message"
	e2e_check "$1: delivery deferred" e2e_wait_log "$1" "$2" 1 20
	e2e_is "$(e2e_queue_count "$1")" 1 "$1: one message queued"
}

# ---- Postfix ------------------------------------------------------------
clean_case pf sink-pf

e2e_send pf "$FROM" carol@blocked.example.net "to a refused domain"
e2e_is "$?" 24 "pf: swaks: no recipient accepted"
code=$(e2e_reply_code)
case $code in
5??) e2e_ok "pf: refused recipient gets $code" ;;
*) e2e_not_ok "pf: refused recipient: got '$code', want 5xx" ;;
esac
e2e_check "pf: reject logged" e2e_wait_log pf 'NOQUEUE: reject: RCPT .*blocked\.example\.net' 1 10
e2e_is "$(e2e_sink_count sink-pf)" 1 "sink-pf: still one message"

dead_milter_case pfdead sink-pfdead "connect to Milter service inet:127\.0\.0\.1:$DEAD: Connection refused"
queued_case pfq ' status=deferred '
e2e_is "$(e2e_queue_count pfq deferred)" 1 "pfq: it is in the deferred queue"

# ---- Sendmail -------------------------------------------------------------
clean_case sm sink-sm
dead_milter_case smdead sink-smdead "Milter \(grondslag\): (error connecting to filter|to error state)"
queued_case smq 'stat=Deferred'

e2e_done
