#!/bin/sh
# tests/e2e/t-web-bulk.sh - a bulk decision in grondslag-web, end to end:
# a private Postfix with grondslag-milter (two jurists, an auditor,
# ReleaseApprovals 2) and grondslag-web with TLS client certificates the
# test makes with openssl.  Three messages to CERT.be (constituency
# mismatch) and two to CISA (no basis) are held, by real mail.  The queue
# filtered by CERT.be offers "Decide all 3 matching holds" with the
# party's bases from the registry; jurist 1's preview lists every hold and
# recipient and that each waits for a second jurist; the confirm records
# three approvals and releases nothing.  Jurist 2's preview is overtaken
# (one hold decided on its own page meanwhile): the confirm is refused and
# decides nothing; a confirm without the preview's plan is refused by the
# daemon (recorded).  Jurist 2 previews again and confirms: each message
# reaches CERT.be exactly once.  Jurist 1 denies CISA's holds in bulk: each
# sender's notice carries the justification.  The auditor's bulk approval
# is refused by the daemon and recorded.  Hostile text in the
# justification shows as text.  The denial goes through headless Chromium
# (axe-core on the form, the preview and the result; screenshots in
# $BUILD/web-screenshots-bulk).  A bulk denial the store fails for one of
# three holds (a trigger in the store refuses its change, as a failing
# disk would) shows which were denied and which not, with the store's
# reason, not an error page.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/web-lib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-300}
TS_U=gb$$
J1=$TS_U-j1
J2=$TS_U-j2
AUD=$TS_U-aud
WEBU=$TS_U-web
BASIS=wbni-20-2-eu-csirt
DENY_WHY="No agreement with the US yet (ref 5150)"
POLICY=/etc/chromium/policies/managed/grondslag-t$$-bulk.json

e2e_init web-bulk
trap '_ts_rc=$?; rm -f "$POLICY"; mc_users_del $J1 $J2 $AUD $WEBU; (exit $_ts_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $AUD $WEBU
e2e_ok "test users created"
AXE=${GRONDSLAG_AXE_DIR:-/var/cache/grondslag-test/axe-core-4.14.1}/node_modules/axe-core/axe.min.js
SHOTS=$E2E_BUILD/web-screenshots-bulk
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

PKI=$E2E_RUN/pki
e2e_check "certificates made" web_pki j1 j2 aud || e2e_done

mkdir -p "$E2E_RUN/msg"
"$E2E_PY" - "$E2E_RUN/msg" <<'PY'
import base64, sys
csv = "ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n"
for n in range(1, 9):
    msg = ("From: <s%d@ncsc.nl>\nSubject: List %d\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
           "Content-Type: text/plain\n\nThe list.\n--b1\n"
           "Content-Type: text/csv; name=\"list.csv\"\n"
           "Content-Disposition: attachment; filename=\"list.csv\"\n"
           "Content-Transfer-Encoding: base64\n\n%s--b1--\n"
           % (n, n, base64.encodebytes(csv.encode()).decode()))
    open("%s/m%d.eml" % (sys.argv[1], n), "wb").write(msg.encode())
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
Auditor $AUD
ControlConsoleUser $WEBU
ReleaseApprovals 2
ReleaseRetry 1
ReleaseRelay 127.0.0.1:$(e2e_port pf)
WebListen 127.0.0.1:$WEB_PORT
WebCertificate $PKI/server.crt
WebKey $PKI/server.key
WebClientCA $PKI/ca.crt
WebUserID $WEBU
WebCertificateMap $J1 sha256:$(web_fpr j1)
WebCertificateMap $J2 sha256:$(web_fpr j2)
WebCertificateMap $AUD sha256:$(web_fpr aud)
CONF
} >"$MC_DIR/grondslag.conf"
e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"
e2e_proc_start web "$E2E_BUILD/grondslag-web" -c "$MC_DIR/grondslag.conf"
e2e_check "console listening" e2e_wait_until 15 "console port" e2e_listening "$WEB_PORT"

for _n in 1 2 3; do MC_FROM=s$_n@ncsc.nl mc_send pf cert@cert.be "$E2E_RUN/msg/m$_n.eml" 250; done
for _n in 4 5; do MC_FROM=s$_n@ncsc.nl mc_send pf report@cisa.gov "$E2E_RUN/msg/m$_n.eml" 250; done
ts_five() { [ "$(mc_sql "select count(*) from holds")" = 5 ]; }
e2e_check "five holds stored" e2e_wait_until 30 "five holds" ts_five
ts_ref() { mc_sql "select ref from holds where sender like '%s$1@%'"; }
R1=$(ts_ref 1) R2=$(ts_ref 2) R3=$(ts_ref 3) R4=$(ts_ref 4) R5=$(ts_ref 5)

ts_curl() {	# CERT OUT ARGS...: the HTTP status, the body in OUT
	_tc_cert=$1
	_tc_out=$2
	shift 2
	curl -s -o "$_tc_out" -w '%{http_code}' --cacert "$PKI/ca.crt" --max-time 60 \
		--cert "$PKI/$_tc_cert.crt" --key "$PKI/$_tc_cert.key" \
		-b "$E2E_RUN/$_tc_cert.jar" -c "$E2E_RUN/$_tc_cert.jar" "$@"
}
ts_post() {	# CERT OUT PATH DATA
	ts_curl "$1" "$2" -H "Origin: $BASE" --data "$4" "$BASE$3"
}
ts_token() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }
ts_plan() { sed -n 's/.*name="plan" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1; }
ts_has() {	# FILE TEXT...: FILE holds each TEXT
	_th_f=$1
	shift
	for _t in "$@"; do grep -qF -- "$_t" "$_th_f" || return 1; done
}
ts_rows() { grep -c 'class="bulk-rcpt"' "$1"; }

# ---- the queue of a party offers the bulk form, with the party's bases
e2e_is "$(ts_curl j1 "$E2E_RUN/q1.html" "$BASE/?party=CERT.be")" 200 "j1: the queue filtered by CERT.be"
e2e_check "... offers to decide all 3 matching holds" ts_has "$E2E_RUN/q1.html" \
	'id="bulk-form"' '<span id="bulk-total">3</span>' 'action="/bulk"'
e2e_check "... the basis from the registry's bases of CERT.be" ts_has "$E2E_RUN/q1.html" \
	"<option value=\"$BASIS\">"
e2e_check "... none of another party" sh -c "! grep -q 'value=\"cbw-eu-csirt\"' '$E2E_RUN/q1.html'"
ts_curl j1 "$E2E_RUN/q0.html" "$BASE/" >/dev/null
e2e_check "the unfiltered queue offers no bulk form" sh -c "! grep -q 'bulk-form' '$E2E_RUN/q0.html'"
e2e_is "$(ts_curl j1 "$E2E_RUN/nl.html" -H 'Accept-Language: nl' "$BASE/?party=cert-be")" 200 "the queue in Dutch"
e2e_check "... the bulk form in Dutch" ts_has "$E2E_RUN/nl.html" "Alle" "passende bewaringen"
T1=$(ts_token "$E2E_RUN/q1.html")
e2e_is "${#T1}" 64 "... the form carries the CSRF token"

# ---- the auditor: refused by the daemon, recorded
ts_curl aud "$E2E_RUN/a0.html" "$BASE/?party=cert-be" >/dev/null
TA=$(ts_token "$E2E_RUN/a0.html")
e2e_is "$(ts_post aud "$E2E_RUN/a1.html" /bulk "csrf=$TA&party=cert-be&action=approve&basis=$BASIS&reason=audit")" 403 \
	"the auditor's bulk preview: 403"
e2e_check "... the daemon's refusal" grep -q "the role auditor may not approve" "$E2E_RUN/a1.html"
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$AUD' and details like '%may not approve%' and details like '%\"channel\":\"$WEBU\"%'")" 1 \
	"... recorded in the chain"

# ---- no CSRF token, no preview; a justification is required
e2e_is "$(ts_post j1 "$E2E_RUN/b0.html" /bulk "party=cert-be&action=approve&basis=$BASIS&reason=x")" 403 "a bulk POST without the CSRF token: 403"
e2e_is "$(ts_post j1 "$E2E_RUN/b0.html" /bulk "csrf=$T1&party=cert-be&action=approve&basis=$BASIS&reason=+")" 400 "a bulk POST without a justification: 400"

# ---- jurist 1: preview and confirm
JUST1='First of two: <script>alert(1)</script> CERT.be needs these'
JUST1_Q='First+of+two%3A+%3Cscript%3Ealert(1)%3C%2Fscript%3E+CERT.be+needs+these'
e2e_is "$(ts_post j1 "$E2E_RUN/p1.html" /bulk "csrf=$T1&party=CERT.be&action=approve&basis=$BASIS&reason=$JUST1_Q")" 200 \
	"j1: the bulk preview"
e2e_check "... lists every hold and recipient with its party" ts_has "$E2E_RUN/p1.html" \
	"$R1" "$R2" "$R3" '<td class="rcpt">&lt;cert@cert.be&gt;</td>' '<td class="party">cert-be</td>' \
	'<span id="bulk-rcpts">3</span>' '<span id="bulk-holds">3</span>'
e2e_is "$(ts_rows "$E2E_RUN/p1.html")" 3 "... three rows"
e2e_check "... not CISA's holds" sh -c "! grep -q -e '$R4' -e '$R5' '$E2E_RUN/p1.html'"
e2e_is "$(grep -c 'waiting for a second jurist' "$E2E_RUN/p1.html")" 3 "... each waits for a second jurist"
e2e_check "... the justification as text" ts_has "$E2E_RUN/p1.html" '&lt;script&gt;alert(1)&lt;/script&gt;'
e2e_check "... no script element" sh -c "! grep -q '<script' '$E2E_RUN/p1.html'"
P1=$(ts_plan "$E2E_RUN/p1.html")
e2e_is "${#P1}" 64 "... the plan digest in the confirm form"
e2e_is "$(mc_sql "select count(*) from hold_approvals")" 0 "the preview decided nothing"
e2e_is "$(ts_post j1 "$E2E_RUN/c1.html" /bulk/confirm "csrf=$T1&party=CERT.be&action=approve&basis=$BASIS&reason=$JUST1_Q&plan=$P1")" 200 \
	"j1: the confirm"
e2e_check "... says what was done" ts_has "$E2E_RUN/c1.html" "You approved" "$R1" "$R2" "$R3"
e2e_is "$(mc_sql "select count(*) from hold_approvals where jurist='$J1' and basis='$BASIS'")" 3 "three approvals by j1, with the basis"
sleep 2
e2e_is "$(e2e_sink_count sink)" 0 "nothing released after one jurist"

# ---- jurist 2: the set changes between preview and confirm
ts_curl j2 "$E2E_RUN/q2.html" "$BASE/?party=cert-be" >/dev/null
T2=$(ts_token "$E2E_RUN/q2.html")
JUST2="Second+jurist+agrees"
e2e_is "$(ts_post j2 "$E2E_RUN/p2.html" /bulk "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2")" 200 "j2: the bulk preview"
e2e_is "$(grep -c 'released now' "$E2E_RUN/p2.html")" 3 "... each released now"
P2=$(ts_plan "$E2E_RUN/p2.html")
# R1 decided on its own page between the preview and the confirm
e2e_is "$(ts_post j2 "$E2E_RUN/d1.html" /confirm "csrf=$T2&ref=$R1&action=approve&rcpt=cert%40cert.be&basis=$BASIS&reason=$JUST2")" 200 \
	"j2 approves one of them on its page"
e2e_is "$(ts_post j2 "$E2E_RUN/c2.html" /bulk/confirm "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2&plan=$P2")" 403 \
	"j2: the confirm of the overtaken preview: refused"
e2e_check "... the page says the set changed and nothing was decided" ts_has "$E2E_RUN/c2.html" \
	"changed since the preview" "nothing was decided"
e2e_is "$(mc_sql "select count(*) from hold_approvals where jurist='$J2'")" 1 "... no approval of j2 but the single one"
e2e_is "$(ts_post j2 "$E2E_RUN/c3.html" /bulk/confirm "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2")" 403 \
	"a confirm without the preview's plan: refused"
e2e_check "... by the daemon" grep -q "needs the plan of its preview" "$E2E_RUN/c3.html"
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$J2' and details like '%plan of its preview%'")" 1 \
	"... recorded in the chain"
e2e_is "$(ts_post j2 "$E2E_RUN/c4.html" /bulk/confirm "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2&plan=0000")" 403 \
	"a confirm with a made-up plan: refused"
e2e_is "$(mc_sql "select count(*) from hold_approvals where jurist='$J2'")" 1 "... still nothing decided"
e2e_is "$(ts_post j2 "$E2E_RUN/p3.html" /bulk "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2")" 200 "j2: a new preview"
e2e_is "$(ts_rows "$E2E_RUN/p3.html")" 2 "... lists the two still held"
e2e_check "... not the one decided" sh -c "! grep -q '$R1' '$E2E_RUN/p3.html'"
P3=$(ts_plan "$E2E_RUN/p3.html")
e2e_is "$(ts_post j2 "$E2E_RUN/c5.html" /bulk/confirm "csrf=$T2&party=cert-be&action=approve&basis=$BASIS&reason=$JUST2&plan=$P3")" 200 "j2: the confirm"
e2e_is "$(grep -c 'released now' "$E2E_RUN/c5.html")" 2 "... both released now"
e2e_check "the releases reach CERT.be" e2e_wait_sink sink 3 60
sleep 3
e2e_is "$(e2e_sink_count sink)" 3 "exactly once each"
e2e_is "$(mc_sql "select count(*) from hold_recipients where state='released'")" 3 "three recipients released"

# ---- a bulk denial of CISA's holds reaches each sender
DENY_Q=$(printf '%s' "$DENY_WHY" | sed 's/ /+/g; s/(/%28/g; s/)/%29/g')
e2e_is "$(ts_post j1 "$E2E_RUN/p4.html" /bulk "csrf=$T1&party=cisa&action=deny&reason=$DENY_Q")" 200 "j1: the bulk denial's preview"
e2e_check "... lists CISA's holds" ts_has "$E2E_RUN/p4.html" "$R4" "$R5" '<td class="rcpt">&lt;report@cisa.gov&gt;</td>'
e2e_is "$(grep -c 'the sender will be told your justification' "$E2E_RUN/p4.html")" 2 "... the senders will be told"
e2e_is "$(ts_plan "$E2E_RUN/p4.html" | wc -c)" 65 "... with its plan digest"
e2e_is "$(mc_sql "select count(*) from hold_recipients where state='denied'")" 0 "the preview denied nothing"
# the denial itself in a browser: the form, the preview, the confirm
web_policy
e2e_check "browser profile of j1 with its client certificate" web_home j1 j1
web_browser j1 bulk cisa deny - "$DENY_WHY"
for _r in "$R4" "$R5"; do
	case $WEB_OUT in *"bulk row $_r <report@cisa.gov> cisa | denied; the sender will be told your justification"*)
		e2e_ok "browser preview: $_r, its recipient and party, the sender will be told" ;;
	*) e2e_not_ok "browser preview of $_r: got '$WEB_OUT'" ;; esac
done
case $WEB_OUT in *"bulk done Denied in bulk"*) e2e_ok "browser: the denial confirmed" ;;
*) e2e_not_ok "browser confirm: got '$WEB_OUT'" ;; esac
for _s in bulk-preview-j1 bulk-done-j1; do
	e2e_check "screenshot $_s kept" test -s "$SHOTS/$_s.png"
done
e2e_is "$(mc_sql "select count(*) from hold_recipients where state='denied'")" 2 "two recipients denied"
ts_notice_with() {
	for _f in "$E2E_RUN/notices/dump"/*; do
		[ -f "$_f" ] || continue
		_hit=1
		for _t in "$@"; do grep -qF -- "$_t" "$_f" || _hit=0; done
		[ $_hit = 1 ] && return 0
	done
	return 1
}
for _r in "$R4" "$R5"; do
	e2e_check "the notice of $_r carries the justification" \
		e2e_wait_until 30 "deny notice" ts_notice_with "$_r" "$DENY_WHY"
done

# ---- a bulk denial the store fails in part: the page says which holds
for _n in 6 7 8; do MC_FROM=s$_n@ncsc.nl mc_send pf report@cisa.gov "$E2E_RUN/msg/m$_n.eml" 250; done
ts_eight() { [ "$(mc_sql "select count(*) from holds")" = 8 ]; }
e2e_check "three more holds of CISA stored" e2e_wait_until 30 "eight holds" ts_eight
R6=$(ts_ref 6) R7=$(ts_ref 7) R8=$(ts_ref 8)
e2e_is "$(ts_post j1 "$E2E_RUN/p5.html" /bulk "csrf=$T1&party=cisa&action=deny&reason=Not+for+them")" 200 \
	"j1: the preview of a bulk denial of three holds"
e2e_check "... one recipient each: \"3 recipients of 3 holds\"" ts_has "$E2E_RUN/p5.html" \
	'<span id="bulk-rcpts">3</span> recipients of <span id="bulk-holds">3</span> holds of party'
P5=$(ts_plan "$E2E_RUN/p5.html")
# the store refuses any change of R7's recipients, as a failing disk would
mc_exec "CREATE TRIGGER t_fail BEFORE UPDATE ON hold_recipients WHEN OLD.ref = '$R7'
	BEGIN SELECT RAISE(ABORT, 'disk I/O error (test)'); END"
e2e_is "$(ts_post j1 "$E2E_RUN/c6.html" /bulk/confirm "csrf=$T1&party=cisa&action=deny&reason=Not+for+them&plan=$P5")" 200 \
	"j1: the confirm, one hold failing in the store: the result page, not an error page"
e2e_check "... warns that not every hold was decided" ts_has "$E2E_RUN/c6.html" \
	'id="bulk-partly"' '<span id="bulk-applied">2</span> holds decided,' \
	'<span id="bulk-not">1</span> hold not.' 'Partly denied in bulk'
e2e_is "$(grep -c 'denied; the sender is told your justification' "$E2E_RUN/c6.html")" 2 "... two rows denied"
e2e_check "... the failed hold with the store's reason" sh -c \
	"grep -F '$R7' '$E2E_RUN/c6.html' | grep -q 'not decided:.*disk I/O error (test)'"
mc_exec "DROP TRIGGER t_fail"
e2e_is "$(mc_sql "select group_concat(state, ' ') from (select state from holds where ref in ('$R6','$R7','$R8') order by ref = '$R7', ref)")" \
	"denied denied pending" "... and the store agrees: R6 and R8 denied, R7 still pending"
e2e_done
