#!/bin/sh
# tests/e2e/t-web.sh - grondslag-web, the jurists' console, end to end: a
# private Postfix with grondslag-milter (ControlSocket, two jurists, an
# auditor, ReleaseApprovals 2, ReleaseRelay the same Postfix) and
# grondslag-web started as root, dropping to its own user (a
# ControlConsoleUser).  People sign in with TLS client certificates the
# test makes with openssl; each one is a headless Chromium (Selenium)
# with its own NSS database (tests/e2e/web-browser.py).
# Cases (WEB_GUIDE=1: a plain message instead, for the guide's pictures):
# a message with a hostile Subject (script and img markup, an RTL
# override), body, attachment name and attachment text is held for
# CERT.be and CISA; both jurists see it in the queue and on its page as
# inert text (the DOM has no injected element, no alert); jurist 1 reads
# the message itself (headers, body, the attachment's extracted text: all
# inert text, each page one recorded content view), the auditor is
# refused it (recorded); the hold page lists every record of the hold in
# the chain (decisions, views, refusals, the case: a claim, a handover
# with a note, a request for advice and the comment answering it, each
# also in the queue's Case column); jurist 1 approves CERT.be with the
# party's basis (the confirmation says it waits for a second jurist),
# jurist 2 approves too (the confirmation says released now): CERT.be gets
# the message exactly once; jurist 2 denies CISA and the sender's notice
# carries the reason.  The records name the person and the channel (the
# console's login) and the chain verifies.  Refused: no certificate, a
# certificate mapped to nobody, one of another CA; an auditor approving
# (the daemon refuses and records it); a POST without, or with a wrong,
# CSRF token, from another origin, or without an Origin; an unknown filter;
# another uid (an outsider, a jurist's own) claiming to act for a person
# (refused and recorded by the daemon); a console whose user is no
# ControlConsoleUser refuses to start.  A browser preferring Dutch
# (Accept-Language) gets Dutch pages, others English.  Every page a
# browser visits is checked with axe-core (no serious or critical
# violation), and jurist 2 approves with the keyboard only.  The auditor
# opens the overview (counts as the store has them, the oldest hold).  Screenshots of the queue, a hold
# and the confirmation are kept in $BUILD/web-screenshots.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/e2e/web-lib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-400}
TW_U=gw$$
J1=$TW_U-j1
J2=$TW_U-j2
AUD=$TW_U-aud
WEBU=$TW_U-web
OUT=$TW_U-out
CLI=$(pwd)/${BUILD:-build}/grondslag
POLICY=/etc/chromium/policies/managed/grondslag-t$$-web.json

e2e_init web
trap '_tw_rc=$?; rm -f "$POLICY"; mc_users_del $J1 $J2 $AUD $WEBU $OUT; (exit $_tw_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $AUD $WEBU $OUT
e2e_ok "test users created"
# axe-core, installed by tests/deps.sh (no fallback: missing, the checks fail)
AXE=${GRONDSLAG_AXE_DIR:-/var/cache/grondslag-test/axe-core-4.14.1}/node_modules/axe-core/axe.min.js
SHOTS=$E2E_BUILD/web-screenshots
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

# ---- certificates: a CA, the server, three people, one unmapped, one
# of another CA
PKI=$E2E_RUN/pki
mkdir -p "$PKI"
tw_pki() {
	web_pki j1 j2 aud mallory && cd "$PKI" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout rogue.key -out rogue.crt -days 2 \
		-subj "/CN=Rogue CA $$" 2>/dev/null || return 1
	openssl req -newkey rsa:2048 -nodes -keyout other.key -out other.csr \
		-subj "/O=NCSC Test/CN=j1" 2>/dev/null &&
		openssl x509 -req -in other.csr -CA rogue.crt -CAkey rogue.key -CAcreateserial \
			-out other.crt -days 2 -extfile cli.ext 2>/dev/null || return 1
	cd "$E2E_TOP" || return 1
}
e2e_check "certificates made" tw_pki || e2e_done
tw_fpr() { web_fpr "$@"; }

# ---- the message: Japanese addresses in an attachment, to CERT.be
# (constituency mismatch) and CISA (no basis): both held.  The hostile
# one (script and img markup, an RTL override in Subject, body,
# attachment name and text); with WEB_GUIDE=1 (make doc-screenshots) a
# plain one, as the guide's pictures should show, whose checks are that
# its words are shown as written.
mkdir -p "$E2E_RUN/msg"
WEB_GUIDE=${WEB_GUIDE:-0}
export WEB_GUIDE
"$E2E_PY" - "$E2E_RUN/msg/hostile.eml" "$WEB_GUIDE" <<'PY'
import base64, sys
if sys.argv[2] == "1":
    csv = ("ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n")
    subj = "Compromised FortiGate devices in your constituency (COATHANGER)"
    body = ("Dear colleagues,\n\nattached are the addresses of FortiGate devices in "
            "your constituency that we found compromised.\n\nKind regards,\nNCSC-NL\n")
    name = "fortigate-jp.csv"
else:
    csv = ("ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n"
           "# <script>alert(8)</script>\n")
    subj = '<script>alert("s")</script><img src=x onerror=alert(2)> \u202egpj.exe javascript:alert(3)'
    body = ("The list.\n<script>alert(5)</script>"
            "<img src=x onerror=alert(6)>\n<a href=\"javascript:alert(7)\">click</a>\n")
    name = "<svg onload=alert(4)>x\u202ecsv.exe"
msg = ("From: Sender <sender@ncsc.nl>\nSubject: %s\nMIME-Version: 1.0\n"
       "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
       "Content-Type: text/plain\n\n%s--b1\n"
       "Content-Type: text/csv; name=\"%s\"\n"
       "Content-Disposition: attachment; filename=\"%s\"\n"
       "Content-Transfer-Encoding: base64\n\n%s--b1--\n"
       % (subj, body, name, name, base64.encodebytes(csv.encode()).decode()))
open(sys.argv[1], "wb").write(msg.encode("utf-8"))
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
WebCertificateMap $J1 sha256:$(tw_fpr j1)
WebCertificateMap $J2 subject:CN=j2,O=NCSC Test
WebCertificateMap $AUD sha256:$(tw_fpr aud)
CONF
} >"$MC_DIR/grondslag.conf"
e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"
e2e_check "grondslag-web -n accepts the configuration" \
	"$E2E_BUILD/grondslag-web" -n -c "$MC_DIR/grondslag.conf"
e2e_proc_start web "$E2E_BUILD/grondslag-web" -c "$MC_DIR/grondslag.conf"
e2e_check "console listening" e2e_wait_until 15 "console port" e2e_listening "$WEB_PORT"
_tw_pid=$(cat "$E2E_RUN/web/pid")
e2e_is "$(stat -c %U "/proc/$_tw_pid" 2>/dev/null)" "$WEBU" "the console runs as its own user (WebUserID)"

# a console running as a user who is no ControlConsoleUser does not start
_tw_p2=$(e2e_pick_port) || e2e_done
sed -e "s/^WebUserID .*/WebUserID $OUT/" -e "s/^WebListen .*/WebListen 127.0.0.1:$_tw_p2/" \
	"$MC_DIR/grondslag.conf" >"$MC_DIR/not-delegate.conf"
_tw_out=$(timeout 20 "$E2E_BUILD/grondslag-web" -c "$MC_DIR/not-delegate.conf" 2>&1)
e2e_is "$?" 1 "a console whose user is no ControlConsoleUser: exit 1"
case $_tw_out in *"no ControlConsoleUser"*) e2e_ok "... and says why" ;;
*) e2e_not_ok "console of a non-delegate: got '$_tw_out'" ;; esac

mc_send pf cert@cert.be,report@cisa.gov "$E2E_RUN/msg/hostile.eml" 250
tw_one_hold() { [ "$(mc_sql "select count(*) from holds")" = 1 ]; }
e2e_check "the hold is stored" e2e_wait_until 20 "one hold" tw_one_hold
REF=$(mc_sql "select ref from holds")
tw_states() {
	mc_sql "select group_concat(r, ' ') from (select replace(replace(recipient, '<', ''), '>', '') || '=' || state as r from hold_recipients where ref='$REF' order by r)"
}
e2e_is "$(tw_states)" "cert@cert.be=held report@cisa.gov=held" "both recipients held"

# ---- curl as a client (TLS checks against our CA)
# tw_curl CERT|- OUT ARGS...: the HTTP status on stdout, the body in OUT
tw_curl() {
	_tc_cert=$1
	_tc_out=$2
	shift 2
	if [ "$_tc_cert" = - ]; then set -- "$@"; else
		set -- --cert "$PKI/$_tc_cert.crt" --key "$PKI/$_tc_cert.key" "$@"
	fi
	curl -s -o "$_tc_out" -w '%{http_code}' --cacert "$PKI/ca.crt" --max-time 30 "$@"
}
e2e_is "$(tw_curl - "$E2E_RUN/c0.html" "$BASE/")" 403 "no certificate: 403"
e2e_check "no certificate: no page, says why" grep -q 'no client certificate' "$E2E_RUN/c0.html"
e2e_is "$(tw_curl - "$E2E_RUN/c0.css" "$BASE/style.css")" 403 "no certificate: not even the stylesheet"
e2e_is "$(tw_curl - "$E2E_RUN/c0b.html" "$BASE/hold/$REF")" 403 "no certificate: no hold page"
e2e_is "$(tw_curl - "$E2E_RUN/c0c.html" --data "x=1" "$BASE/confirm")" 403 "no certificate: no POST"
e2e_is "$(tw_curl mallory "$E2E_RUN/c1.html" "$BASE/")" 403 "a certificate mapped to nobody: 403"
e2e_check "unmapped: says so" grep -q 'mapped to nobody' "$E2E_RUN/c1.html"
_tw_rc=$(tw_curl other "$E2E_RUN/c2.html" "$BASE/")
case $_tw_rc in 403 | 000) e2e_ok "a certificate of another CA (same subject as j1): refused ($_tw_rc)" ;;
*) e2e_not_ok "another CA's certificate: got $_tw_rc" ;; esac
e2e_is "$(tw_curl j1 "$E2E_RUN/c3.html" -D "$E2E_RUN/c3.h" -c "$E2E_RUN/j1.jar" "$BASE/")" 200 "j1's certificate: the queue"
e2e_check "session cookie: Secure; HttpOnly; SameSite=Strict" \
	grep -qi '^set-cookie: __Host-grondslag=[0-9a-f]*; Path=/; Max-Age=[0-9]*; Secure; HttpOnly; SameSite=Strict' "$E2E_RUN/c3.h"
e2e_check "strict Content-Security-Policy" \
	grep -qi "^content-security-policy: default-src 'none'; style-src 'self'" "$E2E_RUN/c3.h"
e2e_check "no script in any page" sh -c "! grep -qi '<script' '$E2E_RUN/c3.html'"
e2e_is "$(tw_curl j1 "$E2E_RUN/nl.html" -D "$E2E_RUN/nl.h" -H "Accept-Language: nl-NL,nl;q=0.9,en;q=0.8" "$BASE/")" 200 "Accept-Language nl: the queue"
e2e_check "... in Dutch" sh -c "grep -q '<html lang=\"nl\">' '$E2E_RUN/nl.html' && grep -q 'Openstaande bewaringen' '$E2E_RUN/nl.html' && grep -qi '^content-language: nl' '$E2E_RUN/nl.h'"
e2e_check "without it: English" sh -c "grep -q '<html lang=\"en\">' '$E2E_RUN/c3.html' && grep -q 'Open holds' '$E2E_RUN/c3.html'"
e2e_is "$(tw_curl j1 "$E2E_RUN/c4.html" "$BASE/?colour=red")" 400 "an unknown filter: 400"
e2e_is "$(tw_curl j1 "$E2E_RUN/c5.html" "$BASE/?party=no-such-party")" 400 "an unknown party: 400"
e2e_check "unknown party: the daemon's reason shown" grep -q 'no-such-party' "$E2E_RUN/c5.html"
e2e_is "$(tw_curl j1 "$E2E_RUN/c6.html" "$BASE/?party=cert-be")" 200 "a known party filter: 200"
e2e_check "the party filter lists the hold" grep -q "$REF" "$E2E_RUN/c6.html"

# ---- CSRF and origin: j1's session and token from the hold page
e2e_is "$(tw_curl j1 "$E2E_RUN/h1.html" -b "$E2E_RUN/j1.jar" "$BASE/hold/$REF")" 200 "j1: the hold page"
TOKEN=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$E2E_RUN/h1.html" | head -n 1)
e2e_is "${#TOKEN}" 64 "the form carries a CSRF token"
FORM="ref=$REF&action=approve&rcpt=cert%40cert.be&basis=wbni-20-2-eu-csirt&reason=csrf+test"
tw_post() {	# PATH ORIGIN|- BODY -> status
	if [ "$2" = - ]; then
		tw_curl j1 "$E2E_RUN/p.html" -b "$E2E_RUN/j1.jar" --data "$3" "$BASE$1"
	else
		tw_curl j1 "$E2E_RUN/p.html" -b "$E2E_RUN/j1.jar" -H "Origin: $2" --data "$3" "$BASE$1"
	fi
}
e2e_is "$(tw_post /decide "$BASE" "$FORM&csrf=$TOKEN")" 200 "a POST with the token from our origin: the confirmation"
e2e_check "the confirmation of a dry run changes nothing" test "$(tw_states)" = "cert@cert.be=held report@cisa.gov=held"
e2e_is "$(tw_post /confirm "$BASE" "$FORM")" 403 "a POST without the CSRF token: 403"
e2e_is "$(tw_post /confirm "$BASE" "$FORM&csrf=$(echo "$TOKEN" | tr 0-9a-f a-f0-9)")" 403 "a POST with a wrong CSRF token: 403"
e2e_is "$(tw_post /confirm https://evil.example "$FORM&csrf=$TOKEN")" 403 "a cross-origin POST: 403"
e2e_is "$(tw_post /confirm - "$FORM&csrf=$TOKEN")" 403 "a POST without an Origin: 403"
e2e_is "$(mc_sql "select count(*) from hold_approvals")" 0 "no refused POST approved anything"
e2e_is "$(tw_curl j1 "$E2E_RUN/p.html" -b "$E2E_RUN/j1.jar" -H "Origin: $BASE" --data "$FORM&csrf=$TOKEN&pad=$(head -c 70000 /dev/zero | tr '\0' a)" "$BASE/decide")" 413 "a body over the limit: 413"

# ---- another uid claiming to speak for a person: refused by the daemon
tw_claim() {	# USER PERSON -> the answer
	runuser -u "$1" -- "$E2E_PY" - "$CTL" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"cmd": "held", "on_behalf_of": sys.argv[2]}) + "\n").encode())
print(s.makefile().read().strip())
PY
}
case $(tw_claim "$OUT" "$J1") in *'"status":"refused"'*ControlConsoleUser*) e2e_ok "an outsider claiming to act for j1: refused" ;;
*) e2e_not_ok "outsider claiming for j1: not refused" ;; esac
case $(tw_claim "$J2" "$J1") in *'"status":"refused"'*) e2e_ok "jurist 2's own process claiming to act for j1: refused" ;;
*) e2e_not_ok "j2 claiming for j1: not refused" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor in ('$OUT', '$J2') and details like '%on behalf%'")" 2 \
	"both claims recorded as refusals of the claimer"

# ---- the browsers: one NSS database (HOME) per person
web_policy
for _p in j1 j2 aud; do
	e2e_check "browser profile of $_p with its client certificate" web_home "$_p" "$_p"
done
# tw_browser PERSON ACTION ARGS...: web_browser, its output in TW_OUT
tw_browser() {
	web_browser "$@"
	TW_OUT=$WEB_OUT
}
tw_views() {
	mc_sql "select count(*) from audit where event='view' and actor='$J1' and details like '%\"channel\":\"$WEBU\"%'"
}
_tw_v=$(tw_views)
tw_browser j1 queue "$REF" "$J1"
tw_browser j1 hold "$REF" 2 wbni-20-2-eu-csirt
tw_browser aud queue "$REF" "$AUD" withheld
e2e_is "$(tw_views)" $((_tw_v + 2)) "j1's two pages (queue, hold): two views recorded, the console as channel"
e2e_is "$(mc_sql "select count(*) from audit where event='view' and actor='$AUD'")" 0 "the auditor's reads carry no Subject view"

# The message itself: jurist 1 reads it (body, then the attachment's
# text): two content views recorded; the auditor is refused (recorded).
tw_content() {
	mc_sql "select count(*) from audit where event='view' and ref='$REF' and actor='$1' and details like '%\"what\":\"content\"%' and details like '%\"channel\":\"$WEBU\"%'"
}
tw_browser j1 message "$REF"
e2e_is "$(tw_content "$J1")" 2 "j1 read the body and the attachment: two content views recorded (person, channel)"
e2e_is "$(mc_sql "select count(*) from audit where event='view' and ref='$REF' and actor='$J1' and details like '%\"part\":\"2\"%'")" 1 \
	"... the attachment's view names its part"
tw_browser aud message "$REF" refused
case $TW_OUT in *"refusal Refused | the role auditor may not content"*) e2e_ok "an auditor reading the message: refused by the daemon" ;;
*) e2e_not_ok "auditor message: got '$TW_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$AUD' and details like '%\"command\":\"content\"%' and details like '%\"channel\":\"$WEBU\"%'")" 1 \
	"the auditor's attempt recorded (person, channel)"
e2e_is "$(tw_content "$AUD")" 0 "the auditor saw no content"
"$CLI" audit export --database "$MC_DIR/store.db" >"$E2E_RUN/audit-export.jsonl" 2>&1
tw_exported_views() {
	"$E2E_PY" - "$E2E_RUN/audit-export.jsonl" "$REF" "$J1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    d = r.get("details")
    d = json.loads(d) if isinstance(d, str) else (d or {})
    if r.get("event") == "view" and r.get("ref") == sys.argv[2] and r.get("actor") == sys.argv[3] \
            and d.get("what") == "content":
        n += 1
print(n)
PY
}
e2e_is "$(tw_exported_views)" 2 "grondslag audit export shows j1's two content views"

# The auditor tries to approve: the daemon refuses and records it.
tw_browser aud decide "$REF" approve cert@cert.be wbni-20-2-eu-csirt "auditor tries" noconfirm
case $TW_OUT in *"refusal Refused | the role auditor may not approve"*) e2e_ok "an auditor's approval: refused by the daemon" ;;
*) e2e_not_ok "auditor approve: got '$TW_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$AUD' and role='auditor' and details like '%\"command\":\"approve\"%' and details like '%\"channel\":\"$WEBU\"%'")" 1 \
	"the auditor's attempt recorded (person, role, channel)"

# Case handling in the browser while the hold is open: j1 claims it and
# hands it to j2 with a note; j2 asks j1 for advice; j1 answers with a
# comment.  Each is one request and one record of the daemon's; the hold
# page and the queue say who holds the case and what advice is pending.
tw_browser j1 case "$REF" claim
case $TW_OUT in *"case holder Held by $J1 since"*) e2e_ok "claim: the hold page names j1" ;;
*) e2e_not_ok "claim: got '$TW_OUT'" ;; esac
case $TW_OUT in *"queue case held by $J1"*) e2e_ok "claim: the queue names j1" ;;
*) e2e_not_ok "claim in the queue: got '$TW_OUT'" ;; esac
tw_browser j1 case "$REF" handover "$J2" "Over to you: CERT.be looks fine, CISA needs a look."
case $TW_OUT in *"case holder Held by $J2 since"*) e2e_ok "handover: the case is j2's" ;;
*) e2e_not_ok "handover: got '$TW_OUT'" ;; esac
case $TW_OUT in *"case text Over to you: CERT.be looks fine, CISA needs a look."*)
	e2e_ok "handover: the confirmation shows the note" ;;
*) e2e_not_ok "handover note on the confirmation: got '$TW_OUT'" ;; esac
tw_browser j2 case "$REF" advice "$J1" "Is there any agreement with CISA? <b>Urgent</b>"
case $TW_OUT in *"case advice Advice asked of $J1 by $J2"*) e2e_ok "advice: pending on the hold page" ;;
*) e2e_not_ok "advice: got '$TW_OUT'" ;; esac
case $TW_OUT in *"case text Is there any agreement with CISA? <b>Urgent</b>"*)
	e2e_ok "advice: the confirmation shows the question (as text)" ;;
*) e2e_not_ok "advice question on the confirmation: got '$TW_OUT'" ;; esac
case $TW_OUT in *"queue case held by $J2 advice pending from $J1 (1, waiting"*)
	e2e_ok "advice: the queue shows it pending, and how long" ;;
*) e2e_not_ok "advice in the queue: got '$TW_OUT'" ;; esac
tw_browser j1 case "$REF" comment - "None that covers incident data (see ref 4711)."
case $TW_OUT in *"case advice "*) e2e_not_ok "comment: the advice is still pending: '$TW_OUT'" ;;
*"case holder Held by $J2"*) e2e_ok "comment: the advice answered, j2 still holds the case" ;;
*) e2e_not_ok "comment: got '$TW_OUT'" ;; esac
tw_browser aud noforms "$REF"
case $TW_OUT in *"case holder Held by $J2"*) e2e_ok "the auditor sees who holds the case" ;;
*) e2e_not_ok "auditor's case view: got '$TW_OUT'" ;; esac
e2e_is "$(mc_sql "select holder from hold_cases where ref='$REF'")" "$J2" "the store: j2 holds the case"
e2e_is "$(mc_sql "select count(*) from hold_advice where ref='$REF' and answered_at is not null")" 1 \
	"the store: the advice answered"
e2e_is "$(mc_sql "select count(*) from audit where ref='$REF' and event in ('claim','handover','advice','comment') and details like '%\"channel\":\"$WEBU\"%'")" 4 \
	"four case records, the console as channel"

# The overview for the auditor: one request, counts that match the
# store, the oldest open hold named; no Subject on the page.
tw_views_before=$(mc_sql "select count(*) from audit")
tw_browser aud overview
e2e_is "$(mc_sql "select count(*) from audit")" "$tw_views_before" "overview: nothing recorded (no content)"
tw_ov() { printf '%s\n' "$TW_OUT" | sed -n "s/^overview $1 //p"; }
e2e_is "$(tw_ov open)" "$(mc_sql "select count(*) from holds where state in ('pending','partly-approved','releasing')")" \
	"overview: the open holds counted as the store has them"
e2e_is "$(tw_ov pending)" "$(mc_sql "select count(*) from holds where state='pending'")" "overview: the pending ones"
e2e_is "$(tw_ov oldest)" "$(mc_sql "select ref from holds where state in ('pending','partly-approved','releasing') order by received, ref limit 1")" \
	"overview: the oldest open hold named"
e2e_is "$(tw_ov expiring_soon)" 0 "overview: nothing expires soon (just held)"
e2e_is "$(tw_ov release_failing)" 0 "overview: no release failing"
e2e_check "overview: the daemon's log has the auditor's request" grep -q \
	"control: user=$AUD channel=$WEBU uid=[0-9]* role=auditor cmd=overview ref=- outcome=accepted" "$E2E_RUN/milter/out"

# Jurist 1 approves CERT.be: waits for a second jurist.
tw_browser j1 decide "$REF" approve cert@cert.be wbni-20-2-eu-csirt "EU CSIRT, closed circle"
case $TW_OUT in *"next Waiting for a second jurist"*) e2e_ok "j1's confirmation: waits for a second jurist" ;;
*) e2e_not_ok "j1's confirmation: got '$TW_OUT'" ;; esac
case $TW_OUT in *"done Approved | partly-approved"* | *"done Approved | pending"*) e2e_ok "j1 approved" ;;
*) e2e_not_ok "j1 approved: got '$TW_OUT'" ;; esac
e2e_is "$(mc_sql "select count(*) from hold_approvals where jurist='$J1' and basis='wbni-20-2-eu-csirt'")" 1 "j1's approval stored, with the basis"
e2e_is "$(e2e_sink_count sink)" 0 "nothing released after one approval"

# Jurist 2 approves: released now, exactly once.
tw_browser j2 queue "$REF" "$J2"
tw_browser j2 decide "$REF" approve cert@cert.be wbni-20-2-eu-csirt "agreed: EU CSIRT" keyboard
case $TW_OUT in *"next Released now: 1 recipient"*) e2e_ok "j2's confirmation: released now" ;;
*) e2e_not_ok "j2's confirmation: got '$TW_OUT'" ;; esac
e2e_check "the release reaches CERT.be" e2e_wait_sink sink 1
sleep 3
e2e_is "$(e2e_sink_count sink)" 1 "exactly once"
e2e_is "$(mc_last_rcpts sink)" "cert@cert.be " "to CERT.be only"

# Jurist 2 denies CISA: the sender's notice carries the reason.
tw_browser j2 decide "$REF" deny report@cisa.gov - "No agreement with the US yet (ref 4711)"
case $TW_OUT in *"done Denied"*) e2e_ok "j2 denied CISA" ;; *) e2e_not_ok "j2 denied: got '$TW_OUT'" ;; esac
e2e_is "$(tw_states)" "cert@cert.be=released report@cisa.gov=denied" "CERT.be released, CISA denied"
tw_deny_notice() {
	grep -l "No agreement with the US yet (ref 4711)" "$E2E_RUN/notices/dump"/* >/dev/null 2>&1
}
e2e_check "the sender's notice carries the reason" e2e_wait_until 30 "deny notice" tw_deny_notice
e2e_is "$(mc_sql "select count(*) from audit where event in ('approve', 'deny') and details like '%\"channel\":\"$WEBU\"%'")" 3 \
	"the decisions recorded with the console as channel"

# The hold's history on its page: every record of it in the chain.
tw_browser aud history "$REF"
tw_chain() {	# EVENT ACTOR ROLE [DETAIL]: rows of the page's chain
	printf '%s\n' "$TW_OUT" | grep "^chain [0-9]* $1 $2 $3 |" | grep -c -- "${4:-}"
}
e2e_is "$(printf '%s\n' "$TW_OUT" | grep -c '^chain [0-9]* hold ')" 1 "history: the hold's own record first"
e2e_is "$(tw_chain approve "$J1" jurist "channel: $WEBU")" 1 "history: j1's approval, through the console"
e2e_is "$(tw_chain approve "$J2" jurist "basis: wbni-20-2-eu-csirt")" 1 "history: j2's approval, with the basis"
e2e_is "$(tw_chain deny "$J2" jurist "No agreement with the US yet")" 1 "history: j2's denial, with its reason"
e2e_is "$(tw_chain view "$J1" jurist "what: content")" 2 "history: j1's two content views"
e2e_is "$(tw_chain view "$J1" jurist "part: 2")" 1 "history: ... one of them of the attachment"
e2e_is "$(tw_chain view "$J1" jurist "what: subject")" "$(mc_sql "select count(*) from audit where event='view' and actor='$J1' and (ref='$REF' or details like '%$REF%') and details like '%subject%'")" \
	"history: every view of its Subject by j1 (the queue's too)"
e2e_is "$(tw_chain refused "$AUD" auditor "command: approve")" 1 "history: the auditor's refused approval"
e2e_is "$(tw_chain refused "$AUD" auditor "command: content")" 1 "history: the auditor's refused content view"
e2e_is "$(printf '%s\n' "$TW_OUT" | grep -c '^chain ')" \
	"$(mc_sql "select count(*) from audit where ref='$REF' or (ref='' and event='view' and details like '%$REF%')")" \
	"history: as many rows as the chain has records of the hold"
e2e_is "$(tw_chain claim "$J1" jurist "channel: $WEBU")" 1 "history: j1's claim, through the console"
e2e_is "$(tw_chain handover "$J1" jurist "note: Over to you: CERT.be looks fine")" 1 "history: the handover, with its note"
e2e_is "$(tw_chain handover "$J1" jurist "to: $J2")" 1 "history: ... to j2"
e2e_is "$(tw_chain advice "$J2" jurist "question: Is there any agreement with CISA?")" 1 "history: j2's request for advice, with the question"
e2e_is "$(tw_chain comment "$J1" jurist "answers_advice: 1")" 1 "history: j1's comment answered it"
e2e_is "$(printf '%s\n' "$TW_OUT" | grep '^chain [0-9]* hold ' | grep -c 'categories: [a-z]')" 1 \
	"history: the hold's categories by name"
e2e_is "$(printf '%s\n' "$TW_OUT" | grep -c 'categories: [0-9]')" 0 "history: no category bit mask shown"
e2e_is "$(tw_curl j1 "$E2E_RUN/nl-hold.html" -H "Accept-Language: nl" "$BASE/hold/$REF")" 200 "the hold page in Dutch"
e2e_check "... the categories by their Dutch names, the CLI's in brackets" \
	grep -q 'herleidbaar tot een aanbieder (provider-traceable)' "$E2E_RUN/nl-hold.html"
e2e_check "audit verify: the chain is intact" "$CLI" audit verify --database "$MC_DIR/store.db"
for _s in queue-j1 hold-j1 message-j1 confirm-j1 confirm-j2 history-aud overview-aud case-handover-j1; do
	e2e_check "screenshot $_s kept" test -s "$SHOTS/$_s.png"
done
e2e_done
