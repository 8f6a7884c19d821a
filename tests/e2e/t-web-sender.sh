#!/bin/sh
# tests/e2e/t-web-sender.sh - a sender in grondslag-web, end to end: a
# private Postfix with grondslag-milter (ControlSocket, two jurists, a
# Sender line, ReleaseApprovals 2, WebBaseURL) and grondslag-web with TLS
# client certificates the test makes with openssl.  Two messages are held:
# one from the sender (snd@ncsc.nl), one from a colleague (other@ncsc.nl).
# The sender's notice links to the hold's page in the console.  The
# sender signs in with their own certificate in headless Chromium: the
# queue lists their hold only, the other's page reads exactly as a
# reference of no hold (and the attempt is recorded), their hold's page
# shows each recipient's state and no decision form; they ask for an
# urgent review with a justification.  The jurists' mail arrives at the
# notice sink at once (the justification, the console's link; no address
# found, no Subject); a second request is refused and recorded.  A jurist's
# queue marks the hold with the time the request has waited (first when
# sorted by urgency, alone when filtered), its page shows the request;
# the hold's history and `grondslag audit verify` show it.  The sender's
# POSTs to decide or claim and the CLI's approve are refused by the
# daemon (recorded); the CLI gives the sender their hold only.  Urgency
# skips nothing: jurist 1's approval waits for a second jurist, jurist 2's
# releases the message, exactly once.  Screenshots in
# $BUILD/web-screenshots-sender.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/web-lib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-400}
TS_U=gs$$
J1=$TS_U-j1
J2=$TS_U-j2
SND=$TS_U-snd
WEBU=$TS_U-web
CLI=$(pwd)/${BUILD:-build}/grondslag
POLICY=/etc/chromium/policies/managed/grondslag-t$$-sender.json
JUST="The CERT.be team needs this list before their 15:00 briefing."

e2e_init web-sender
trap '_ts_rc=$?; rm -f "$POLICY"; mc_users_del $J1 $J2 $SND $WEBU; (exit $_ts_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $SND $WEBU
e2e_ok "test users created"
AXE=${GRONDSLAG_AXE_DIR:-/var/cache/grondslag-test/axe-core-4.14.1}/node_modules/axe-core/axe.min.js
SHOTS=$E2E_BUILD/web-screenshots-sender
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
MC_DIR=$E2E_RUN/milter
SOCK=$MC_DIR/milter.sock
CTL=$MC_DIR/control.sock
mkdir -p "$MC_DIR/spool"
e2e_check "grondslag-web is built" test -x "$E2E_BUILD/grondslag-web" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"

# ---- certificates: a CA, the server, two jurists and the sender
PKI=$E2E_RUN/pki
e2e_check "certificates made" web_pki j1 j2 snd || e2e_done
ts_fpr() { web_fpr "$@"; }

# ---- the messages: Japanese addresses for CERT.be (constituency
# mismatch: held), one from the sender, one from a colleague
mkdir -p "$E2E_RUN/msg"
"$E2E_PY" - "$E2E_RUN/msg" <<'PY'
import base64, sys
csv = "ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n"
for name, frm, subj in (("mine", "snd@ncsc.nl", "Briefing list for CERT.be"),
                        ("other", "other@ncsc.nl", "Colleague's confidential list")):
    msg = ("From: <%s>\nSubject: %s\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
           "Content-Type: text/plain\n\nThe list.\n--b1\n"
           "Content-Type: text/csv; name=\"list.csv\"\n"
           "Content-Disposition: attachment; filename=\"list.csv\"\n"
           "Content-Transfer-Encoding: base64\n\n%s--b1--\n"
           % (frm, subj, base64.encodebytes(csv.encode()).decode()))
    open("%s/%s.eml" % (sys.argv[1], name), "wb").write(msg.encode())
PY

E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
WEB_PORT=$(e2e_pick_port) || e2e_done
BASE=https://127.0.0.1:$WEB_PORT
{
	mc_conf_common "unix:$SOCK"
	cat <<CONF
ControlSocket $CTL
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
Sender $SND snd@NCSC.nl snd@private.example
ControlConsoleUser $WEBU
ReleaseApprovals 2
ReleaseRetry 1
ReleaseRelay 127.0.0.1:$(e2e_port pf)
WebListen 127.0.0.1:$WEB_PORT
WebBaseURL $BASE
WebCertificate $PKI/server.crt
WebKey $PKI/server.key
WebClientCA $PKI/ca.crt
WebUserID $WEBU
WebCertificateMap $J1 sha256:$(ts_fpr j1)
WebCertificateMap $J2 sha256:$(ts_fpr j2)
WebCertificateMap $SND subject:CN=snd,O=NCSC Test
CONF
} >"$MC_DIR/grondslag.conf"
e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"
e2e_check "grondslag-web -n accepts the configuration" \
	"$E2E_BUILD/grondslag-web" -n -c "$MC_DIR/grondslag.conf"
e2e_proc_start web "$E2E_BUILD/grondslag-web" -c "$MC_DIR/grondslag.conf"
e2e_check "console listening" e2e_wait_until 15 "console port" e2e_listening "$WEB_PORT"

MC_FROM=snd@ncsc.nl mc_send pf cert@cert.be "$E2E_RUN/msg/mine.eml" 250
MC_FROM=other@ncsc.nl mc_send pf cert@cert.be "$E2E_RUN/msg/other.eml" 250
ts_two_holds() { [ "$(mc_sql "select count(*) from holds")" = 2 ]; }
e2e_check "both holds stored" e2e_wait_until 20 "two holds" ts_two_holds
REF=$(mc_sql "select ref from holds where sender like '%snd@%'")
OTHER=$(mc_sql "select ref from holds where sender like '%other@%'")
e2e_check "two references" test -n "$REF" -a -n "$OTHER" -a "$REF" != "$OTHER"

# ---- the sender's notice links to the hold's page
ts_notice_with() {	# TEXT...: a dump of the notice sink holding each
	for _f in "$E2E_RUN/notices/dump"/*; do
		[ -f "$_f" ] || continue
		_hit=1
		for _t in "$@"; do grep -qF -- "$_t" "$_f" || _hit=0; done
		[ $_hit = 1 ] && { echo "$_f"; return 0; }
	done
	return 1
}
e2e_check "the sender's notice links to the hold's page in the console" \
	e2e_wait_until 30 "hold notice" ts_notice_with "Your message was held: $REF" "$BASE/hold/$REF"

# ---- curl as the sender: refusals the browser cannot make
ts_curl() {	# CERT OUT ARGS...: the HTTP status, the body in OUT
	_tc_cert=$1
	_tc_out=$2
	shift 2
	curl -s -o "$_tc_out" -w '%{http_code}' --cacert "$PKI/ca.crt" --max-time 30 \
		--cert "$PKI/$_tc_cert.crt" --key "$PKI/$_tc_cert.key" "$@"
}
e2e_is "$(ts_curl snd "$E2E_RUN/s1.html" -c "$E2E_RUN/snd.jar" "$BASE/hold/$REF")" 200 "the sender: their hold's page"
TOKEN=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$E2E_RUN/s1.html" | head -n 1)
e2e_is "${#TOKEN}" 64 "... with the urgent form's CSRF token"
e2e_check "... no Overview link for a sender" sh -c "! grep -q 'href=\"/overview\"' '$E2E_RUN/s1.html'"
e2e_is "$(ts_curl snd "$E2E_RUN/s2.html" -b "$E2E_RUN/snd.jar" -H "Origin: $BASE" \
	--data "ref=$REF&action=approve&rcpt=cert%40cert.be&basis=wbni-20-2-eu-csirt&reason=mine&csrf=$TOKEN" \
	"$BASE/decide")" 403 "the sender approving their own hold: 403"
e2e_check "... refused by the daemon" grep -q "the role sender may not approve" "$E2E_RUN/s2.html"
e2e_is "$(ts_curl snd "$E2E_RUN/s3.html" -b "$E2E_RUN/snd.jar" -H "Origin: $BASE" \
	--data "ref=$REF&act=claim&csrf=$TOKEN" "$BASE/case")" 403 "the sender claiming the case: 403"
e2e_is "$(ts_curl snd "$E2E_RUN/s4.html" -b "$E2E_RUN/snd.jar" "$BASE/overview")" 403 "the sender's overview: 403"
e2e_is "$(ts_curl snd "$E2E_RUN/s5.html" "$BASE/hold/$OTHER")" 404 "the other sender's hold by its URL: 404"
e2e_is "$(ts_curl snd "$E2E_RUN/s6.html" "$BASE/hold/G20200101-0000000000")" 404 "a reference of no hold: 404"
e2e_check "... the same page, byte for byte (no oracle)" cmp -s "$E2E_RUN/s5.html" "$E2E_RUN/s6.html"
e2e_check "... naming nothing of it" sh -c "! grep -q -e \"$OTHER\" -e confidential '$E2E_RUN/s5.html'"
e2e_is "$(ts_curl snd "$E2E_RUN/s7.html" "$BASE/hold/$REF/message")" 403 "the sender reading the message page: 403"
ts_refused() {	# COMMAND DETAIL: refusals of the sender recorded, console as channel
	mc_sql "select count(*) from audit where event='refused' and actor='$SND' and role='sender' and details like '%\"command\":\"$1\"%' and details like '%$2%' and details like '%\"channel\":\"$WEBU\"%'"
}
e2e_is "$(ts_refused approve "may not approve")" 1 "the sender's approval recorded as refused"
e2e_is "$(ts_refused claim "may not claim")" 1 "the sender's claim recorded as refused"
e2e_is "$(ts_refused overview "may not overview")" 1 "the sender's overview recorded as refused"
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$SND' and ref='$OTHER' and details like '%another sender%'")" 1 \
	"the look at the other sender's hold recorded"

# ---- the CLI over the socket: the same rule
mc_cli "$SND" held --json
case $MC_OUT in *"$REF"*) e2e_ok "CLI: the sender's held lists their hold" ;; *) e2e_not_ok "CLI held: '$MC_OUT'" ;; esac
case $MC_OUT in *"$OTHER"*) e2e_not_ok "CLI: the sender's held lists the other's hold" ;; *) e2e_ok "CLI: ... not the other's" ;; esac
mc_cli "$SND" show "$OTHER"
e2e_is "$?" 2 "CLI: show of the other's hold: exit 2"
case $MC_OUT in *"not-found: no such hold"*) e2e_ok "CLI: ... as no hold" ;; *) e2e_not_ok "CLI show other: '$MC_OUT'" ;; esac
mc_cli "$SND" approve "$REF" --reason mine
e2e_is "$?" 1 "CLI: the sender's approve: refused (exit 1)"

# ---- the browsers
web_policy
for _p in j1 j2 snd; do
	e2e_check "browser profile of $_p with its client certificate" web_home "$_p" "$_p"
done
ts_browser() {	# PERSON ACTION ARGS...: web_browser, its output in TS_OUT
	web_browser "$@"
	TS_OUT=$WEB_OUT
}

# The sender: their hold only, the other's as no hold, the urgent request.
_ts_before=$(mc_sql "select count(*) from audit where event='refused' and actor='$SND'")
ts_browser snd sender "$REF" "$OTHER" "$SND" "$JUST"
case $TS_OUT in *"urgent by $SND"*) e2e_ok "the sender's page shows their request" ;;
*) e2e_not_ok "sender's request: got '$TS_OUT'" ;; esac
case $TS_OUT in *"urgent text $JUST"*) e2e_ok "... with the justification" ;;
*) e2e_not_ok "sender's justification: got '$TS_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$SND'")" $((_ts_before + 2)) \
	"the browser's looks at the other hold and at no hold: both recorded"
e2e_is "$(mc_sql "select count(*) from audit where event='urgent' and ref='$REF' and actor='$SND' and role='sender' and details like '%\"channel\":\"$WEBU\"%'")" 1 \
	"the urgent request recorded once (person, role, channel)"
e2e_is "$(mc_sql "select count(*) from audit where event='view' and actor='$SND'")" 0 "the sender's own reads are no recorded views"

# The jurists are told at once: one mail per jurist address.
ts_urgent_mails() { [ "$(grep -l "Urgent review asked: $REF" "$E2E_RUN/notices/dump"/* 2>/dev/null | wc -l)" -ge 2 ]; }
e2e_check "the jurists' mail arrives at the sink" e2e_wait_until 30 "urgent mails" ts_urgent_mails
sleep 2
e2e_is "$(grep -l "Urgent review asked: $REF" "$E2E_RUN/notices/dump"/* | wc -l | tr -d ' ')" 2 \
	"one mail per jurist address, no more"
_ts_mail=$(ts_notice_with "Urgent review asked: $REF" "X-Grondslag-Notice: $REF")
e2e_check "... marked with the reference" test -n "$_ts_mail"
e2e_check "... names who asked" grep -q "Asked by:   $SND" "$_ts_mail"
e2e_check "... carries the justification" grep -q "before their 15:00" "$_ts_mail"
e2e_check "... links to the hold's page" grep -qF "$BASE/hold/$REF" "$_ts_mail"
e2e_check "... no address found, no Subject" sh -c "! grep -q -e '133\\.1\\.2\\.3' -e 'Briefing list' '$_ts_mail'"

# A second request: refused and recorded, no more mail.
mc_cli "$SND" urgent "$REF" --text "Really urgent now."
e2e_is "$?" 1 "CLI: a second urgent request: refused (exit 1)"
case $MC_OUT in *"asked for already"*) e2e_ok "... says why" ;; *) e2e_not_ok "second request: '$MC_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$SND' and details like '%\"command\":\"urgent\"%'")" 1 \
	"... recorded"
mc_cli "$SND" urgent "$OTHER" --text "Me too."
e2e_is "$?" 2 "CLI: urgency for the other's hold: as no hold (exit 2)"
sleep 2
e2e_is "$(grep -l "Urgent review asked" "$E2E_RUN/notices/dump"/* | wc -l | tr -d ' ')" 2 "no further urgent mail"

# A jurist's queue: marked, with the waiting time; the hold page shows it.
ts_browser j1 urgent "$REF"
case $TS_OUT in *"queue urgent URGENT asked "*" ago"*) e2e_ok "the queue marks it with how long it has waited" ;;
*) e2e_not_ok "queue marker: got '$TS_OUT'" ;; esac
case $TS_OUT in *"queue urgent-count 1"*) e2e_ok "the queue counts one urgent hold" ;;
*) e2e_not_ok "urgent count: got '$TS_OUT'" ;; esac
case $TS_OUT in *"hold urgent text $JUST"*) e2e_ok "the hold page shows the justification" ;;
*) e2e_not_ok "hold page's request: got '$TS_OUT'" ;; esac
case $TS_OUT in *"hold urgent by $SND"*) e2e_ok "... and who asked" ;;
*) e2e_not_ok "hold page's requester: got '$TS_OUT'" ;; esac
e2e_is "$(ts_curl j1 "$E2E_RUN/j-bad.html" "$BASE/?urgent=yes")" 400 "an unknown urgent value: 400"
e2e_is "$(ts_curl j1 "$E2E_RUN/j-bad2.html" "$BASE/?sort=sender")" 400 "an unknown sort: 400"
e2e_is "$(ts_curl j1 "$E2E_RUN/j-nl.html" -H "Accept-Language: nl" "$BASE/?sort=urgent")" 200 "the queue in Dutch"
e2e_check "... marks it SPOED" grep -q '<strong class="urgent">SPOED</strong>' "$E2E_RUN/j-nl.html"
mc_cli "$J1" held
case $MC_OUT in *"URGENT review asked by $SND since"*) e2e_ok "CLI: held marks it for the jurists" ;;
*) e2e_not_ok "CLI held marker: '$MC_OUT'" ;; esac

# The history and the chain.
ts_browser j2 history "$REF"
case $TS_OUT in *"chain "[0-9]*" urgent $SND sender | "*"text: $JUST"*) e2e_ok "the history has the request, its justification" ;;
*) e2e_not_ok "history: got '$TS_OUT'" ;; esac
e2e_check "audit verify: the chain is intact" "$CLI" audit verify --database "$MC_DIR/store.db"

# Urgency skips nothing: two jurists must approve.
ts_browser j1 decide "$REF" approve cert@cert.be wbni-20-2-eu-csirt "urgent, EU CSIRT"
case $TS_OUT in *"next Waiting for a second jurist"*) e2e_ok "j1's approval waits for a second jurist" ;;
*) e2e_not_ok "j1's confirmation: got '$TS_OUT'" ;; esac
sleep 2
e2e_is "$(e2e_sink_count sink)" 0 "nothing released after one approval"
ts_browser j2 decide "$REF" approve cert@cert.be wbni-20-2-eu-csirt "agreed, urgent"
case $TS_OUT in *"next Released now: 1 recipient"*) e2e_ok "j2's approval releases it" ;;
*) e2e_not_ok "j2's confirmation: got '$TS_OUT'" ;; esac
e2e_check "the release reaches CERT.be" e2e_wait_sink sink 1
sleep 3
e2e_is "$(e2e_sink_count sink)" 1 "exactly once"
e2e_is "$(mc_sql "select state from holds where ref='$OTHER'")" pending "the other sender's hold untouched"
e2e_check "audit verify after the decisions" "$CLI" audit verify --database "$MC_DIR/store.db"
for _s in sender-queue-snd sender-hold-snd urgent-queue-j1; do
	e2e_check "screenshot $_s kept" test -s "$SHOTS/$_s.png"
done
e2e_done
