#!/bin/sh
# tests/e2e/t-jurist.sh - the jurists' commands end to end (issue 5, slice
# 3): a private Postfix with grondslag-milter and its ControlSocket; two
# jurist users and one outsider are created for the test (removed on
# exit) and the grondslag command is run as each of them with runuser,
# so the daemon identifies them by SO_PEERCRED.
# Cases: a COATHANGER hold is listed by held; the sender (jurist j1, with
# the sender's address) cannot approve it; j2's approval alone releases
# nothing (partly-approved, nothing more at the sink); the outsider and
# the admin are refused and the refusals are in the chain, which
# verifies; the same mail from other spellings of j1's address is j1's
# too; the admin's held withholds the Subject, a jurist's shows it and is
# recorded as one view; 50 slow clients without a role do not delay a
# jurist's held and are cut at the request deadline, recorded; one uid
# holds at most 8 connections; 25 more refusals of the outsider are bounded (10 records a
# window, the rest counted; single records and counts add up after the
# shut-down); a content view is recorded; j2 denies another hold: denied,
# and the deny notice is queued and sent to the sender.  The daemon signs
# audit checkpoints (AuditSigningKey, a key the suite makes): after
# SIGTERM the last record is the shut-down checkpoint, and audit verify
# accepts it against the public key alone.
# The jurists' notices: each hold's notice reaches the JuristNotice
# address with the reference and no IP address (grondslag scan finds
# none), and sent on through the milter to a third-country CSIRT it is
# delivered, not held; a hold moved 12 days back (HoldExpiry 14,
# ExpiryWarning 3: the store is written directly, the test's clock) is in
# the daily digest, which is sent once, recorded ("digest"), free of IP
# addresses and not held by the milter either.
# ReleaseRelay is the suite's Postfix (started first), so an approval by
# two jurists really releases.
# Decisions do exactly what was asked (hold C: CERT.be, JPCERT/CC, CISA):
# deny --rcpt denies only that recipient and the sender's notice names it
# with the jurist's reason; an approval names a basis of the registry
# that fits the party; a bulk deny by party name touches only that
# party's recipients still held (never CERT.be, approved by two jurists
# and released),
# asks on a terminal (refuses without one), has a dry run, and unknown
# filter values are errors; held gives each hold's expiry.
# Release itself (two approvals, relay down, replay, expiry) is
# tests/e2e/t-release.sh.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
# user names of this run only: suites of other checkouts running at the
# same time create and remove theirs (the accounts are system-wide)
TJ_U=grondslag-t$$
J1=$TJ_U-j1
J2=$TJ_U-j2
J3=$TJ_U-j3
OUT=$TJ_U-out
CLI=$(pwd)/${BUILD:-build}/grondslag

e2e_init jurist
trap '_tj_rc=$?; mc_users_del $J1 $J2 $J3 $OUT; gpgconf --homedir "$GH" --kill gpg-agent >/dev/null 2>&1; (exit $_tj_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $J3 $OUT
e2e_ok "test users created"

# The dump in the notice sink whose header matches ERE $1 (first one).
tj_notice() {
	for _f in "$E2E_RUN/notices/dump"/*; do
		[ -f "$_f" ] || continue
		sed '/^\r*$/q' "$_f" | grep -Eq -- "$1" && { echo "$_f"; return 0; }
	done
	return 1
}

# The message of sink dump $1 without what smtp-sink put on top (its
# envelope lines and its Received header with 127.0.0.1), into $2.
tj_strip() {
	awk 'top && /^X-(Client|Helo|Mail|Rcpt)-[A-Za-z]*: / { next }
		top && /^Received: / { rcv = 1; next }
		top && rcv && /^[ \t]/ { next }
		{ top = 0; print }' top=1 "$1" >"$2"
}

# Check notice $2 (label $1): no IP address in it (grondslag scan finds
# none, nor a dotted quad), and sent on through the milter to JPCERT/CC
# (third country: any address would be held) it is delivered unmarked.
tj_notice_clean() {
	tj_strip "$2" "$E2E_RUN/$1.eml"
	case $("$CLI" scan "$E2E_RUN/$1.eml" 2>&1) in
	*"addresses: 0 distinct (0 public), networks: 0 (0 public)"*) e2e_ok "$1: no address (grondslag scan)" ;;
	*) e2e_not_ok "$1: grondslag scan finds addresses" ;;
	esac
	e2e_check "$1: no dotted quad" sh -c "! grep -Eq '[0-9]+(\.|\[\.\])[0-9]+(\.|\[\.\])[0-9]+(\.|\[\.\])[0-9]+' '$E2E_RUN/$1.eml'"
	_tn_holds=$(mc_sql "select count(*) from holds")
	_tn_sink=$(e2e_sink_count sink)
	mc_send pf info@jpcert.or.jp "$E2E_RUN/$1.eml" 250
	e2e_check "$1: passes the milter to JPCERT/CC" e2e_wait_sink sink $((_tn_sink + 1))
	e2e_is "$(mc_last_rcpts sink)" "info@jpcert.or.jp " "$1: delivered to JPCERT/CC"
	if mc_last_header sink '^X-Grondslag:'; then
		e2e_not_ok "$1: marked by the milter (regulated)"
	else
		e2e_ok "$1: not marked by the milter"
	fi
	e2e_is "$(mc_sql "select count(*) from holds")" "$_tn_holds" "$1: not held"
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
cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"
# the audit signing key: secret in GH (the daemon's), public in GP
GH=$MC_DIR/gnupg
GP=$MC_DIR/gnupg-pub
mkdir -m 700 -p "$GH" "$GP"
gpg --homedir "$GH" --batch --passphrase '' --quick-gen-key 'Audit <audit@ncsc.test>' \
	ed25519 sign never >/dev/null 2>&1
AKEY=$(gpg --homedir "$GH" --batch --with-colons --list-keys 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$GH" --batch --export "$AKEY" 2>/dev/null | gpg --homedir "$GP" --batch --import \
	>/dev/null 2>&1
e2e_check "audit signing key made" test ${#AKEY} = 40
# a remote syslog receiving the signed checkpoints
TJ_SYSPORT=$(e2e_pick_port) || e2e_done
TJ_SYSLOG=$E2E_RUN/remote-syslog.log
e2e_proc_start syslog "$E2E_PY" tests/e2e/syslog-sink.py "udp:$TJ_SYSPORT" "$TJ_SYSLOG"
e2e_check "remote syslog listening" e2e_wait_until 10 "syslog" test -f "$TJ_SYSLOG.ready"
# The MTA first: its SMTP port is the ReleaseRelay (a release passes the
# milter again); nothing is sent before the milter is up.
E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
{
	mc_conf_common "unix:$SOCK"
	cat <<CONF
ControlSocket $CTL
Jurist $J1 $MC_FROM
Jurist $J2 j2@ncsc.nl
Jurist $J3 j3@ncsc.nl
ReleaseApprovals 2
AuditSigningKey $AKEY
AuditGnupgHome $GH
AuditAnchorSyslog 127.0.0.1:$TJ_SYSPORT
JuristNotice jurists@ncsc.nl
ExpiryWarning 3
ReleaseRetry 1
ReleaseRelay 127.0.0.1:$(e2e_port pf)
CONF
} >"$MC_DIR/grondslag.conf"
e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"

# Two holds: A (the Japanese list, all held), B (the Belgian list:
# CERT.be delivered, JPCERT/CC held).
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml" 250
mc_send pf cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/be-zip.eml" 250
e2e_check "CERT.be's copy of B arrived" e2e_wait_sink sink 1
tj_two_holds() { [ "$(mc_sql "select count(*) from holds")" = 2 ]; }
e2e_check "two holds stored" e2e_wait_until 20 "two holds" tj_two_holds
REF_A=$(mc_sql "select ref from holds where subject like '%Japanese%'")
REF_B=$(mc_sql "select ref from holds where subject like '%Belgian%'")
e2e_check "hold references known" test -n "$REF_A" -a -n "$REF_B"

# The jurists' notice of each hold, to the JuristNotice address.
e2e_is "$(mc_sql "select count(*) from outbox where kind='jurist' and rcpt='jurists@ncsc.nl'")" 2 \
	"a jurists' notice queued per hold"
tj_has_notice() { tj_notice "^X-Grondslag-Notice: $1" >/dev/null && tj_notice "Held for review: $1" >/dev/null; }
e2e_check "jurists' notice of A sent" e2e_wait_until 30 "jurists' notice" tj_has_notice "$REF_A"
TJ_JN=$(tj_notice "^Subject: \[grondslag\] Held for review: $REF_A")
e2e_is "$(e2e_sink_rcpts notices "$TJ_JN" | tr '\n' ' ')" "jurists@ncsc.nl " "jurists' notice addressed to JuristNotice"
e2e_check "jurists' notice names the sender and the commands" \
	sh -c "grep -q '^Sender: *<$MC_FROM>' '$TJ_JN' && grep -q 'grondslag approve $REF_A' '$TJ_JN'"
e2e_check "jurists' notice gives the expiry date" grep -q '^Expires on: ' "$TJ_JN"
tj_notice_clean jurist-notice "$TJ_JN"

# held: the jurists see both holds.
mc_cli $J2 held
e2e_is "$?" 0 "held as $J2: exit"
case $MC_OUT in *"$REF_A"*"$REF_B"* | *"$REF_B"*"$REF_A"*) e2e_ok "held lists both holds" ;;
*) e2e_not_ok "held lists both holds: got '$MC_OUT'" ;; esac
mc_cli $J2 held --json --party jpcert
case $MC_OUT in *'"status":"ok"'*"$REF_A"*) e2e_ok "held --json --party" ;;
*) e2e_not_ok "held --json --party: got '$MC_OUT'" ;; esac

# The sender (jurist j1 with the sender's address) cannot approve.
mc_cli $J1 approve "$REF_A" --reason "my own list"
e2e_is "$?" 1 "sender's approval refused (exit 1)"
e2e_is "$(mc_sql "select count(*) from hold_approvals where ref='$REF_A'")" 0 "no approval stored for the sender"

# A sender is a person: the same mail sent from other spellings of j1's
# address (case, +tag, a quoted local part) is j1's too, refused.
for _tj_from in 'Sender+x@NCSC.nl' '"sender"@ncsc.nl'; do
	e2e_send pf "$_tj_from" info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml"
	e2e_is "$(e2e_reply_code)" 250 "sent from $_tj_from: accepted"
done
tj_four_holds() { [ "$(mc_sql "select count(*) from holds")" = 4 ]; }
e2e_check "two more holds stored" e2e_wait_until 20 "four holds" tj_four_holds
e2e_is "$(mc_sql "select group_concat(sender_canonical, ' ') from holds where ref not in ('$REF_A', '$REF_B')")" \
	"sender@ncsc.nl sender@ncsc.nl" "the holds record the canonical sender"
for _tj_ref in $(mc_sql "select group_concat(ref, ' ') from holds where ref not in ('$REF_A', '$REF_B')"); do
	mc_cli $J1 approve "$_tj_ref" --reason "my own list, another spelling"
	e2e_is "$?" 1 "sender's approval of $(mc_sql "select sender from holds where ref='$_tj_ref'") refused"
	case $MC_OUT in *"cannot approve a message they sent"*) e2e_ok "refused as the sender" ;;
	*) e2e_not_ok "refused as the sender: got '$MC_OUT'" ;; esac
	mc_cli $J2 deny "$_tj_ref" --reason "test copy"
done
e2e_is "$(mc_sql "select count(*) from hold_approvals where ref not in ('$REF_A', '$REF_B')")" 0 \
	"no approval stored for another spelling of the sender"

# j2 approves: one approval alone releases nothing.
TJ_SINK=$(e2e_sink_count sink)
mc_cli $J2 approve "$REF_A" --reason "JPCERT/CC needs this"
e2e_is "$?" 0 "j2's approval accepted"
case $MC_OUT in *"more approvals are needed"*) e2e_ok "CLI says more approvals are needed" ;;
*) e2e_not_ok "CLI after one approval: got '$MC_OUT'" ;; esac
e2e_is "$(mc_sql "select state from holds where ref='$REF_A'")" partly-approved "hold A partly-approved"
e2e_is "$(mc_sql "select count(*) from hold_recipients where ref='$REF_A' and state='held'")" 2 \
	"hold A: both recipients still held"
sleep 1
e2e_is "$(e2e_sink_count sink)" "$TJ_SINK" "nothing released to the sink"

# The outsider is refused; so is an admin (root) approving.
mc_cli $OUT held
e2e_is "$?" 1 "outsider refused (exit 1)"
MC_OUT=$("$CLI" approve "$REF_A" --reason "root tries" --socket "$CTL" 2>&1)
e2e_is "$?" 1 "admin (root) may not approve (exit 1)"

# The Subject is content: the admin's held withholds it and says so; a
# jurist's held shows it and is recorded as one view.
MC_OUT=$("$CLI" held --socket "$CTL" 2>&1)
case $MC_OUT in *"subject: (withheld: the Subject is content: only jurists see it)"*) e2e_ok "admin: Subject withheld" ;;
*) e2e_not_ok "admin's held: got '$MC_OUT'" ;; esac
case $MC_OUT in *COATHANGER*) e2e_not_ok "admin's held shows a Subject" ;; *) e2e_ok "admin sees no Subject" ;; esac
_tj_views=$(mc_sql "select count(*) from audit where event='view' and json_extract(details, '\$.what')='subject'")
mc_cli $J2 held
case $MC_OUT in *"subject: COATHANGER"*) e2e_ok "jurist: Subject shown" ;;
*) e2e_not_ok "jurist's held: got '$MC_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='view' and json_extract(details, '\$.what')='subject'")" \
	$((_tj_views + 1)) "the jurist's listing recorded as one view"

# A content view by a jurist is recorded.
mc_cli $J2 show "$REF_A" --content
e2e_is "$?" 0 "j2 views the content"

# deny B: denied, the sender's notice queued and sent.
mc_cli $J2 deny "$REF_B" --reason "no basis for JPCERT/CC"
e2e_is "$?" 0 "j2 denies hold B"
e2e_is "$(mc_sql "select state from holds where ref='$REF_B'")" denied "hold B denied"
e2e_is "$(mc_sql "select count(*) from outbox where kind='deny' and ref='$REF_B'")" 1 "deny notice queued"
e2e_check "deny notice sent to the sender" e2e_wait_until 30 "deny notice" \
	sh -c "grep -l 'was not released: $REF_B' '$E2E_RUN/notices/dump'/* >/dev/null 2>&1"

# The digest: A (partly approved, both recipients still held) moved 12
# days back expires within ExpiryWarning 3 days.
e2e_is "$(mc_sql "select count(*) from outbox where kind='digest'")" 0 "no digest while nothing is close"
mc_exec "update holds set received = received - 12*86400 where ref='$REF_A'"
tj_has_digest() { tj_notice '^X-Grondslag-Notice: digest' >/dev/null; }
e2e_check "digest sent" e2e_wait_until 30 "digest" tj_has_digest
TJ_DG=$(tj_notice '^X-Grondslag-Notice: digest')
e2e_is "$(e2e_sink_rcpts notices "$TJ_DG" | tr '\n' ' ')" "jurists@ncsc.nl " "digest addressed to JuristNotice"
e2e_check "digest lists A" grep -q "^$REF_A" "$TJ_DG"
e2e_check "digest subject" grep -q '^Subject: \[grondslag\] Holds close to expiry: 1 ' "$TJ_DG"
e2e_is "$(mc_sql "select count(*) from audit where event='digest'")" 1 "digest recorded"
sleep 3
e2e_is "$(mc_sql "select count(*) from outbox where kind='digest'")" 1 "one digest a day (later passes send none)"
tj_notice_clean digest "$TJ_DG"

# Decisions that do exactly what was asked: hold C.
TJ_LAST=$(mc_sql "select max(rowid) from holds")
mc_send pf cert@cert.be,info@jpcert.or.jp,report@cisa.gov "$E2E_RUN/msg/jp-inline.eml" 250
tj_hold_c() { [ "$(mc_sql "select count(*) from holds where rowid > $TJ_LAST")" = 1 ]; }
e2e_check "hold C stored" e2e_wait_until 20 "hold C" tj_hold_c
REF_C=$(mc_sql "select ref from holds where rowid > $TJ_LAST")
# the recipients of hold $1 with their states, sorted
tj_states() {
	mc_sql "select group_concat(r, ' ') from (select replace(replace(recipient, '<', ''), '>', '') || '=' || state as r from hold_recipients where ref='$1' order by r)"
}
e2e_is "$(tj_states "$REF_C")" "cert@cert.be=held info@jpcert.or.jp=held report@cisa.gov=held" "hold C: three recipients held"
mc_cli $J2 deny "$(echo "$REF_C" | tr 'A-Z' 'a-z')" --rcpt report@cisa.gov --reason "No basis for the US: the MOU is not signed"
e2e_is "$?" 0 "deny --rcpt (reference in lower case): exit 0"
e2e_is "$(tj_states "$REF_C")" "cert@cert.be=held info@jpcert.or.jp=held report@cisa.gov=denied" "deny --rcpt: only CISA denied"
e2e_is "$(mc_sql "select state from holds where ref='$REF_C'")" pending "hold C still open"
tj_has_deny_c() { tj_notice "^Subject: \[grondslag\] Your message was not released: $REF_C" >/dev/null; }
e2e_check "deny notice of C sent" e2e_wait_until 30 "deny notice C" tj_has_deny_c
TJ_DN=$(tj_notice "^Subject: \[grondslag\] Your message was not released: $REF_C")
e2e_check "deny notice: the jurist's reason reaches the sender" grep -q "the MOU is not signed" "$TJ_DN"
e2e_check "deny notice: names the denied recipient" grep -q "^  report@cisa.gov " "$TJ_DN"
e2e_check "deny notice: not the recipients still held" sh -c "! grep -Eq 'jpcert|cert@cert.be' '$TJ_DN'"

mc_cli $J2 approve "$REF_C" --reason "EU CSIRT" --basis wbni-20-2-eu-csirt
e2e_is "$?" 2 "approve --basis not of every party (JPCERT/CC has none): exit 2"
case $MC_OUT in *"not a basis of this party"*) e2e_ok "approve --basis: says which recipient it does not fit" ;;
*) e2e_not_ok "approve --basis misfit: got '$MC_OUT'" ;; esac
mc_cli $J2 approve "$REF_C" --reason "EU CSIRT" --basis "art. 20" --rcpt cert@cert.be
e2e_is "$?" 2 "approve --basis unknown: exit 2"
mc_cli $J2 approve "$REF_C" --reason "EU CSIRT" --basis WBNI-20-2-EU-CSIRT --rcpt cert@cert.be
e2e_is "$?" 0 "approve --rcpt --basis of the party (any case): j2"
mc_cli $J3 approve "$REF_C" --reason "agreed" --rcpt cert@cert.be
e2e_is "$?" 0 "approve --rcpt: j3"
# the second approval releases CERT.be (ReleaseRelay): wait for the outcome
tj_c_released() { [ "$(mc_sql "select state from hold_recipients where ref='$REF_C' and recipient like '%cert@cert.be%'")" = released ]; }
e2e_check "CERT.be of C released after two approvals" e2e_wait_until 30 "C released" tj_c_released
e2e_is "$(tj_states "$REF_C")" "cert@cert.be=released info@jpcert.or.jp=held report@cisa.gov=denied" "CERT.be released, nothing else moved"
e2e_is "$(mc_sql "select basis from hold_approvals where ref='$REF_C' and jurist='$J2'")" wbni-20-2-eu-csirt "the basis recorded as the registry spells it"

mc_cli $J2 held
case $MC_OUT in *"$REF_A"*"expires 20"*"UTC (in 1d2"*"$REF_C"*"expires 20"*"UTC (in 1"*) e2e_ok "held: the expiry date and the time left" ;;
*) e2e_not_ok "held shows the expiry: got '$MC_OUT'" ;; esac

TJ_BEFORE="$(tj_states "$REF_A") | $(tj_states "$REF_C")"
mc_cli $J3 deny --all-matching --party NONSENSE --reason x --yes
e2e_is "$?" 2 "bulk: unknown party is an error (exit 2)"
case $MC_OUT in *"unknown party"*) e2e_ok "bulk: says the party is unknown" ;; *) e2e_not_ok "unknown party: got '$MC_OUT'" ;; esac
mc_cli $J3 deny --all-matching --reason-code nonsense --reason x --yes
e2e_is "$?" 2 "bulk: unknown reason code is an error (exit 2)"
mc_cli $J3 held --party jpcert/cc
e2e_is "$?" 0 "held --party by display name, any case"
case $MC_OUT in *"2 held messages"*) e2e_ok "held --party jpcert/cc: A and C" ;; *) e2e_not_ok "held --party name: got '$MC_OUT'" ;; esac
mc_cli $J3 deny --all-matching --party JPCERT/CC --reason "no basis for Japan" --dry-run
e2e_is "$?" 0 "bulk --dry-run: exit 0"
case $MC_OUT in *"dry run"*"2 recipients of 2 holds"*"info@jpcert.or.jp"*) e2e_ok "bulk --dry-run shows the recipients" ;;
*) e2e_not_ok "bulk --dry-run: got '$MC_OUT'" ;; esac
mc_cli $J3 deny --all-matching --party JPCERT --reason "no basis for Japan" </dev/null
e2e_is "$?" 2 "bulk without --yes and without a terminal: exit 2"
case $MC_OUT in *"info@jpcert.or.jp"*"confirm on a terminal"*) e2e_ok "bulk without --yes: shows the plan, changes nothing" ;;
*) e2e_not_ok "bulk without a terminal: got '$MC_OUT'" ;; esac
e2e_is "$(tj_states "$REF_A") | $(tj_states "$REF_C")" "$TJ_BEFORE" "nothing changed by the dry run, the unconfirmed run or the errors"
MC_OUT=$(printf 'y\n' | timeout 60 script -qec "runuser -u $J3 -- '$CLI' deny --all-matching --party JPCERT --reason 'no basis for Japan' --socket '$CTL'" /dev/null 2>&1)
case $MC_OUT in *"Deny these 2 recipients?"*"2 holds denied"*) e2e_ok "bulk confirmed on a terminal" ;;
*) e2e_not_ok "bulk confirmed on a terminal: got '$MC_OUT'" ;; esac
e2e_is "$(tj_states "$REF_C")" "cert@cert.be=released info@jpcert.or.jp=denied report@cisa.gov=denied" "bulk --party: only JPCERT/CC of C denied, the released CERT.be kept"
e2e_is "$(tj_states "$REF_A")" "cert@cert.be=held info@jpcert.or.jp=denied" "bulk --party: only JPCERT/CC of A denied"

# Case handling from the CLI on A (still open: CERT.be held): a claim,
# a handover with a note, advice asked and answered by a comment; the
# refusals (an admin, a colleague's case) and the bad requests
# (oneself, nobody, an empty note, a control character) change nothing.
MC_OUT=$("$CLI" claim "$REF_A" --socket "$CTL" 2>&1)
e2e_is "$?" 1 "claim by the admin (root): refused (exit 1)"
mc_cli $J2 claim "$(printf %s "$REF_A" | tr A-Z a-z)"
e2e_is "$?" 0 "claim by $J2 (lower-case reference): exit 0"
case $MC_OUT in *"case held by $J2 since"*) e2e_ok "claim: the case is $J2's" ;;
*) e2e_not_ok "claim: got '$MC_OUT'" ;; esac
mc_cli $J3 claim "$REF_A"
e2e_is "$?" 1 "claim of a colleague's case: refused (exit 1)"
case $MC_OUT in *"held by $J2"*) e2e_ok "claim refused: says who holds it" ;;
*) e2e_not_ok "claim of a held case: got '$MC_OUT'" ;; esac
TJ_ESC=$(printf 'a\033[31mred')
for tj_bad in "$J2|x|oneself" "nobody|x|not a Jurist login" "$J3||the text is empty" \
	"$J3|$TJ_ESC|control character"; do
	tj_to=${tj_bad%%|*}
	tj_rest=${tj_bad#*|}
	tj_note=${tj_rest%%|*}
	tj_want=${tj_rest#*|}
	mc_cli $J2 handover "$REF_A" "$tj_to" --note "$tj_note"
	tj_rc=$?
	case $tj_rc:$MC_OUT in 2:*"$tj_want"*) e2e_ok "handover refused as a bad request: $tj_want" ;;
	*) e2e_not_ok "handover ($tj_want): exit $tj_rc, got '$MC_OUT'" ;; esac
done
mc_cli $J2 handover "$REF_A" $J3
e2e_is "$?" 2 "handover without --note: usage (exit 2)"
mc_cli $J2 handover "$REF_A" $J3 --note "Over to you: the CERT.be part is left."
e2e_is "$?" 0 "handover to $J3 with a note: exit 0"
case $MC_OUT in *"case held by $J3 since"*) e2e_ok "handover: the case is $J3's" ;;
*) e2e_not_ok "handover: got '$MC_OUT'" ;; esac
mc_cli $J3 advice "$REF_A" $J2 --question "Wbni 20(2) for CERT.be?"
e2e_is "$?" 0 "advice asked of $J2: exit 0"
case $MC_OUT in *"advice pending: asked of $J2 by $J3"*) e2e_ok "advice: pending" ;;
*) e2e_not_ok "advice: got '$MC_OUT'" ;; esac
mc_cli $J3 held
case $MC_OUT in *"$REF_A"*"case held by $J3"*"advice pending: 1 (asked of $J2"*)
	e2e_ok "held: who holds A, whose advice is pending" ;;
*) e2e_not_ok "held with the case: got '$MC_OUT'" ;; esac
mc_cli $J2 comment "$REF_A" --text "Yes: Wbni 20(2), CERT.be is an EU CSIRT."
e2e_is "$?" 0 "comment by $J2: exit 0"
mc_cli $J3 show "$REF_A"
case $MC_OUT in *"advice pending"*) e2e_not_ok "the comment answered the advice: got '$MC_OUT'" ;;
*"case held by $J3"*) e2e_ok "show: held by $J3, the advice answered" ;;
*) e2e_not_ok "show with the case: got '$MC_OUT'" ;; esac
mc_cli $J3 show "$REF_A" --json
case $MC_OUT in *'"event":"claim"'*'"event":"handover"'*'"event":"advice"'*'"event":"comment"'*)
	e2e_ok "show: the history holds claim, handover, advice, comment in order" ;;
*) e2e_not_ok "history of the case: got '$MC_OUT'" ;; esac

# The record: refusals, the view, the decisions; the chain intact.
"$CLI" audit export --database "$MC_DIR/store.db" >"$E2E_RUN/audit.jsonl"
e2e_check "audit: outsider's refusal recorded" grep -q "\"actor\":\"$OUT\".*\"event\":\"refused\"" "$E2E_RUN/audit.jsonl"
e2e_check "audit: sender's refused approval recorded" grep -q "\"actor\":\"$J1\".*\"event\":\"refused\"" "$E2E_RUN/audit.jsonl"
e2e_check "audit: content view recorded" grep -q "\"actor\":\"$J2\".*\"event\":\"view\"" "$E2E_RUN/audit.jsonl"
e2e_check "audit: deny recorded" grep -q "\"actor\":\"$J2\".*\"event\":\"deny\"" "$E2E_RUN/audit.jsonl"
e2e_check "audit: claim, handover, advice and comment recorded" sh -c "
	grep -q '\"actor\":\"$J2\".*\"event\":\"claim\"' '$E2E_RUN/audit.jsonl' &&
	grep -q '\"note\":\"Over to you.*\"to\":\"$J3\".*\"event\":\"handover\"' '$E2E_RUN/audit.jsonl' &&
	grep -q '\"of\":\"$J2\".*\"event\":\"advice\"' '$E2E_RUN/audit.jsonl' &&
	grep -q '\"answers_advice\":1.*\"event\":\"comment\"' '$E2E_RUN/audit.jsonl'"
e2e_check "audit: the refused claims recorded" sh -c "
	grep -q '\"actor\":\"$J3\".*\"command\":\"claim\".*held by $J2' '$E2E_RUN/audit.jsonl' &&
	grep -q '\"actor\":\"root\".*\"command\":\"claim\"' '$E2E_RUN/audit.jsonl'"
# the start anchored the store's "init" record: verify with the key
e2e_check "audit verify: chain intact" "$CLI" audit verify --database "$MC_DIR/store.db" \
	--key "$AKEY" --gnupg-home "$GP"
e2e_check "no address found in the milter log" sh -c "! grep -qE '194\\.7\\.|133\\.[0-9]' '$E2E_RUN/milter/out'"
# The daemon's log has one line per control request: who (user, uid,
# role), what (command, reference), the outcome; never an address.
TJ_LOG=$E2E_RUN/milter/out
e2e_check "log: j2's approval of A" grep -q \
	"control: user=$J2 uid=$(id -u $J2) role=jurist cmd=approve ref=$REF_A outcome=accepted" "$TJ_LOG"
e2e_check "log: j2's content view of A" grep -q \
	"control: user=$J2 uid=$(id -u $J2) role=jurist cmd=show ref=$REF_A outcome=accepted" "$TJ_LOG"
e2e_check "log: j1's approval of own mail refused" grep -q \
	"control: user=$J1 uid=$(id -u $J1) role=jurist cmd=approve ref=$REF_A outcome=refused" "$TJ_LOG"
e2e_check "log: the outsider refused, with why" grep -q \
	"control: user=$OUT uid=$(id -u $OUT) role=none cmd=held ref=- outcome=refused reason=\"the caller has no role" "$TJ_LOG"
e2e_check "log: root's approval refused" grep -q \
	"control: user=root uid=0 role=admin cmd=approve ref=$REF_A outcome=refused reason=\"the role admin may not approve\"" "$TJ_LOG"
e2e_check "log: the bulk deny" grep -q \
	"control: user=$J3 uid=$(id -u $J3) role=jurist cmd=deny bulk=all-matching ref=- outcome=accepted" "$TJ_LOG"
e2e_check "log: no address in a control line" sh -c "! grep 'control: user=' '$TJ_LOG' | grep -q '@'"

# Fifty slow local users without a role (a byte every 2 s, distinct uids)
# hold connections to the control socket: a jurist's held is answered
# at once, before any of them is cut; each is cut at ControlRequestTimeout
# (5 s from its connect) and recorded within the refusal limit.
TJ_READY=$E2E_RUN/slow.ready
python3 tests/e2e/ctl-slow.py "$CTL" 50 2 61000 "$TJ_READY" >"$E2E_RUN/slow.out" 2>&1 &
TJ_SLOW=$!
e2e_check "50 slow clients connected" e2e_wait_until 20 "slow clients" test -f "$TJ_READY"
_tj_t0=$(date +%s%N)
mc_cli $J2 held
_tj_rc=$?
_tj_ms=$(( ($(date +%s%N) - _tj_t0) / 1000000 ))
e2e_is "$_tj_rc" 0 "held among 50 slow clients: exit"
e2e_is "$(grep -c '^CLIENT' "$E2E_RUN/slow.out")" 0 "no slow client cut when held was answered ($_tj_ms ms)"
e2e_check "held answered within 2 s ($_tj_ms ms)" test "$_tj_ms" -lt 2000
wait $TJ_SLOW
e2e_is "$?" 0 "slow clients: all done"
e2e_is "$(grep -Ec '^CLIENT [0-9]+: ([5-9]|1[0-9])\.[0-9] .*slow request' "$E2E_RUN/slow.out")" 50 \
	"each slow client cut after 5 s (the deadline; under 20 s), told why"
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and details like '%slow request%'")" 50 \
	"each cut recorded (one uid each: within the limit)"
e2e_check "cuts logged" grep -q 'role=none cmd=- ref=- outcome=bad-request reason="slow request' "$E2E_RUN/milter/out"

# One uid holds at most ControlUserConnections (8) connections: of 9 slow
# clients of one uid, the 9th is refused at once, saying why, recorded.
python3 tests/e2e/ctl-slow.py "$CTL" 9 2 62000 "$TJ_READY.1" same >"$E2E_RUN/same.out" 2>&1
e2e_is "$?" 0 "9 slow clients of one uid: done"
e2e_is "$(grep -c 'slow request' "$E2E_RUN/same.out")" 8 "8 held on until the deadline"
e2e_is "$(grep -c '"status":"refused".*too many connections: this user holds 8 open, the limit is 8' "$E2E_RUN/same.out")" 1 \
	"the 9th refused at once: too many connections"
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and uid=62000 and details like '%too many connections%'")" 1 \
	"the refused connection is recorded"

# The refusal limit: the outsider tries 25 more times within seconds (26
# in all, in at most two windows of 60 s): past 10 a window they are only
# counted, and the count is recorded at the latest when the daemon stops.
_tj_i=0
while [ $_tj_i -lt 25 ]; do
	mc_cli $OUT held
	_tj_i=$((_tj_i + 1))
done
case $MC_OUT in *counted*) e2e_ok "outsider's 26th refusal: counted" ;;
*) e2e_not_ok "outsider's 26th refusal: got '$MC_OUT'" ;; esac

# Shut-down: the stop record, then the signed checkpoint anchoring it.
e2e_proc_stop milter
e2e_is "$(mc_sql "select sum(coalesce(json_extract(details, '\$.suppressed'), 1)) from audit where event='refused' and actor='$OUT'")" 26 \
	"refusal limit: single records and counts add up to the 26 attempts"
e2e_is "$(mc_sql "select count(*) > 0 from audit where event='refused' and actor='$OUT' and json_extract(details, '\$.suppressed') > 0")" 1 \
	"refusal limit: the count is in the chain as a summary"
e2e_is "$(mc_sql "select count(*) <= 20 from audit where event='refused' and actor='$OUT' and json_extract(details, '\$.suppressed') is null")" 1 \
	"refusal limit: at most 10 single records a window"
e2e_is "$(mc_sql "select event from audit order by seq desc limit 1")" checkpoint \
	"last record after SIGTERM: the checkpoint"
e2e_is "$(mc_sql "select event from audit where seq = (select max(seq) - 1 from audit)")" stop \
	"the checkpoint follows the stop record"
MC_OUT=$("$CLI" audit verify --database "$MC_DIR/store.db" --key "$AKEY" --gnupg-home "$GP" 2>&1)
e2e_is "$?" 0 "audit verify with the public key: exit 0"
case $MC_OUT in *"records after it are not yet anchored"*) e2e_ok "verify: checkpoints good, anchored" ;;
*) e2e_not_ok "verify after shut-down: got '$MC_OUT'" ;; esac
# The signed checkpoint left the host: at the remote syslog, checked
# with the public key; the same line with another hash is refused.
e2e_check "signed checkpoint at the remote syslog" e2e_wait_until 10 "syslog" \
	grep -q 'grondslag-audit-checkpoint v1 seq=' "$TJ_SYSLOG"
MC_OUT=$("$CLI" audit verify --database "$MC_DIR/store.db" --against "$TJ_SYSLOG" --key "$AKEY" \
	--gnupg-home "$GP" 2>&1)
e2e_is "$?" 0 "verify --against the syslog with the key: exit 0"
case $MC_OUT in *"good of"*"signed)"*) e2e_ok "--against: the signed line is good" ;;
*) e2e_not_ok "--against signed: got '$MC_OUT'" ;; esac
sed 's/ hash=\([0-9a-f]\)/ hash=f\1/; s/ hash=\([0-9a-f]\{64\}\)[0-9a-f]/ hash=\1/' "$TJ_SYSLOG" >"$E2E_RUN/forged.log"
MC_OUT=$("$CLI" audit verify --database "$MC_DIR/store.db" --against "$E2E_RUN/forged.log" --key "$AKEY" \
	--gnupg-home "$GP" 2>&1)
e2e_is "$?" 2 "a line with another hash: exit 2"
case $MC_OUT in *"signature bad"*) e2e_ok "--against: forged line's signature bad" ;;
*) e2e_not_ok "--against forged: got '$MC_OUT'" ;; esac
e2e_done
