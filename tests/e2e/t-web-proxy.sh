#!/bin/sh
# tests/e2e/t-web-proxy.sh - grondslag-web behind a reverse proxy (proxy
# mode): a private nginx (Debian's, its own prefix, pid, logs and temp
# directories, no system service) on loopback does TLS and signs people in
# (HTTP basic authentication standing in for single sign-on), overwrites
# the user header and passes the request to the console's unix socket;
# the console takes the person from that header (WebUserHeader,
# WebUserMap) and serves only the proxy's uid (WebProxyUser).
# Cases: a console configured for proxy mode on a TCP address, or on a unix
# socket without a user header, does not start; a header user gets the
# queue (naming the hold, signed in as the mapped login) and a form posted
# through the proxy gets its confirmation; a user header sent by the client
# is overwritten by the proxy; no sign-in, no page; a process of another
# uid that connects to the console's socket, or to the daemon, claiming to
# speak for a person is refused (the daemon records it); a request trickled
# slower than WebRequestTimeout (slowloris), headers over the memory limit
# and a body over the limit are cut off.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-300}
TP_U=gp$$
J1=$TP_U-j1
J2=$TP_U-j2
WEBU=$TP_U-web
PXU=$TP_U-px
OUT=$TP_U-out
HDR=X-Remote-User

e2e_init web-proxy
trap '_tp_rc=$?; mc_users_del $J1 $J2 $WEBU $PXU $OUT; (exit $_tp_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $WEBU $PXU $OUT
e2e_check "nginx is installed (tests/deps.sh)" test -x /usr/sbin/nginx || e2e_done
e2e_check "grondslag-web is built" test -x "$E2E_BUILD/grondslag-web" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
MC_DIR=$E2E_RUN/milter
SOCK=$MC_DIR/milter.sock
CTL=$MC_DIR/control.sock
# the console's socket in a directory the proxy's workers can reach
WSOCK=$E2E_RUN/websock/web.sock
mkdir -p "$MC_DIR/spool" "$E2E_RUN/websock"
chmod 755 "$E2E_RUN" "$E2E_RUN/websock"
cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"

E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
{
	mc_conf_common "unix:$SOCK"
	cat <<CONF
ControlSocket $CTL
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
ControlConsoleUser $WEBU
ReleaseApprovals 2
ReleaseRelay 127.0.0.1:$(e2e_port pf)
WebListen unix:$WSOCK
WebUserHeader $HDR
WebProxyUser $PXU
WebUserMap $J1 alice@EXAMPLE.ORG
WebUserMap $J2 bob@EXAMPLE.ORG
WebUserID $WEBU
WebRequestTimeout 4
CONF
} >"$MC_DIR/grondslag.conf"
e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$MC_DIR/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter sockets" test -S "$CTL" -a -S "$SOCK"

# ---- refusals at start: proxy mode is a unix socket, and only proxy mode
tp_start_refused() {	# DESC SED-EXPR WANT
	sed -e "$2" "$MC_DIR/grondslag.conf" >"$MC_DIR/bad.conf"
	_tp_out=$("$E2E_BUILD/grondslag-web" -n -c "$MC_DIR/bad.conf" 2>&1)
	_tp_rc=$?
	case "$_tp_rc:$_tp_out" in
	2:*"$3"*) e2e_ok "$1: refused to start" ;;
	*) e2e_not_ok "$1: exit $_tp_rc, '$_tp_out'" ;;
	esac
}
tp_start_refused "proxy mode on a TCP address" "s|^WebListen .*|WebListen 127.0.0.1:$(e2e_pick_port)|" \
	"proxy mode serves a unix socket only"
tp_start_refused "a unix socket without WebUserHeader" "/^WebUserHeader /d" \
	"a unix socket is for proxy mode only"
tp_start_refused "proxy mode without WebProxyUser" "/^WebProxyUser /d" "needs WebProxyUser"
tp_start_refused "a header name that is no token" "s|^WebUserHeader .*|WebUserHeader X-User: x|" \
	"not a header name"
e2e_check "grondslag-web -n accepts the proxy configuration" \
	"$E2E_BUILD/grondslag-web" -n -c "$MC_DIR/grondslag.conf"
e2e_proc_start web "$E2E_BUILD/grondslag-web" -c "$MC_DIR/grondslag.conf"
e2e_check "console socket made" e2e_wait_until 15 "console socket" test -S "$WSOCK"
e2e_is "$(stat -c %U "/proc/$(cat "$E2E_RUN/web/pid")" 2>/dev/null)" "$WEBU" "the console runs as WebUserID"
e2e_check "the console listens on no TCP port" sh -c \
	"! ss -Hltnp 2>/dev/null | grep -q 'pid=$(cat "$E2E_RUN/web/pid"),'"

# ---- a held message
mkdir -p "$E2E_RUN/msg"
printf 'From: Sender <sender@ncsc.nl>\nSubject: list for CERT.be\nMIME-Version: 1.0\nContent-Type: text/plain\n\nip\n133.1.2.3\n133.4.5.6\n' \
	>"$E2E_RUN/msg/m.eml"
mc_send pf cert@cert.be "$E2E_RUN/msg/m.eml" 250
tp_one_hold() { [ "$(mc_sql "select count(*) from holds")" = 1 ]; }
e2e_check "the hold is stored" e2e_wait_until 20 "one hold" tp_one_hold
REF=$(mc_sql "select ref from holds")

# ---- the proxy: nginx with TLS and basic authentication, as $PXU
NG=$E2E_RUN/nginx
mkdir -p "$NG/tmp" "$NG/logs"
chown "$PXU" "$NG/tmp"
e2e_check "proxy certificate made" openssl req -x509 -newkey rsa:2048 -nodes \
	-keyout "$NG/server.key" -out "$NG/server.crt" -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
{
	printf 'alice@EXAMPLE.ORG:%s\n' "$(openssl passwd -apr1 alice-pw)"
	printf 'bob@EXAMPLE.ORG:%s\n' "$(openssl passwd -apr1 bob-pw)"
	printf 'eve@EXAMPLE.ORG:%s\n' "$(openssl passwd -apr1 eve-pw)"
} >"$NG/htpasswd"
NGPORT=$(e2e_pick_port) || e2e_done
BASE=https://127.0.0.1:$NGPORT
# the configuration of docs/grondslag-web.8 / operations.md, with basic
# authentication for the single sign-on and private paths
cat >"$NG/nginx.conf" <<NGINX
daemon off;
master_process on;
worker_processes 1;
user $PXU nogroup;
pid $NG/nginx.pid;
error_log $NG/logs/error.log;
events { worker_connections 64; }
http {
	access_log $NG/logs/access.log;
	client_body_temp_path $NG/tmp/body;
	proxy_temp_path $NG/tmp/proxy;
	fastcgi_temp_path $NG/tmp/fastcgi;
	uwsgi_temp_path $NG/tmp/uwsgi;
	scgi_temp_path $NG/tmp/scgi;
	server {
		listen 127.0.0.1:$NGPORT ssl;
		ssl_certificate $NG/server.crt;
		ssl_certificate_key $NG/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		client_max_body_size 64k;
		client_header_timeout 10s;
		client_body_timeout 10s;
		auth_basic "grondslag";
		auth_basic_user_file $NG/htpasswd;
		location / {
			proxy_pass http://unix:$WSOCK:;
			proxy_set_header $HDR \$remote_user;
			proxy_set_header Host \$http_host;
			proxy_read_timeout 60s;
		}
	}
}
NGINX
e2e_check "nginx -t accepts the configuration" /usr/sbin/nginx -t -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf"
e2e_proc_start nginx /usr/sbin/nginx -p "$NG" -e "$NG/logs/error.log" -c "$NG/nginx.conf"
e2e_check "nginx listening" e2e_wait_until 15 "nginx port" e2e_listening "$NGPORT"

# tp_curl USER:PW|- OUT ARGS... -> the HTTP status, the body in OUT
tp_curl() {
	_tc_u=$1
	_tc_out=$2
	shift 2
	[ "$_tc_u" = - ] || set -- -u "$_tc_u" "$@"
	curl -s -o "$_tc_out" -w '%{http_code}' --cacert "$NG/server.crt" --max-time 30 "$@"
}
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/q1.html" -c "$E2E_RUN/alice.jar" "$BASE/")" 200 \
	"a header user through the proxy: the queue"
e2e_check "... lists the hold" grep -q "$REF" "$E2E_RUN/q1.html"
e2e_check "... signed in as the mapped login" grep -q ">$J1<" "$E2E_RUN/q1.html"
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/q2.html" -H "$HDR: bob@EXAMPLE.ORG" "$BASE/")" 200 \
	"alice sending a user header naming bob: the page"
e2e_check "... the proxy overwrote it: alice's login, not bob's" \
	sh -c "grep -q '>$J1<' '$E2E_RUN/q2.html' && ! grep -q '>$J2<' '$E2E_RUN/q2.html'"
e2e_is "$(tp_curl - "$E2E_RUN/q3.html" -H "$HDR: alice@EXAMPLE.ORG" "$BASE/")" 401 \
	"no sign-in, only a user header: the proxy refuses (401)"
e2e_is "$(tp_curl eve@EXAMPLE.ORG:eve-pw "$E2E_RUN/q4.html" "$BASE/")" 403 \
	"a signed-in user mapped to nobody: 403"
e2e_check "... says why" grep -q 'mapped to nobody' "$E2E_RUN/q4.html"
e2e_is "$(mc_sql "select count(*) from audit where event='view' and actor='$J1' and details like '%\"channel\":\"$WEBU\"%'")" 2 \
	"the queue's two views recorded with the person and the console as channel"

# a form through the proxy: origin and token as the browser sends them
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/h1.html" -b "$E2E_RUN/alice.jar" "$BASE/hold/$REF")" 200 \
	"the hold page through the proxy"
TOKEN=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$E2E_RUN/h1.html" | head -n 1)
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/d1.html" -b "$E2E_RUN/alice.jar" -H "Origin: $BASE" \
	--data "ref=$REF&action=approve&rcpt=cert%40cert.be&basis=wbni-20-2-eu-csirt&reason=proxy+test&csrf=$TOKEN" \
	"$BASE/decide")" 200 "a decision form through the proxy: the confirmation"
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/d2.html" -b "$E2E_RUN/alice.jar" -H "Origin: https://evil.example" \
	--data "ref=$REF&action=approve&rcpt=cert%40cert.be&basis=wbni-20-2-eu-csirt&reason=proxy+test&csrf=$TOKEN" \
	"$BASE/confirm")" 403 "a cross-origin POST through the proxy: 403"

# ---- another uid on the console's socket, or on the daemon's
tp_raw() {	# USER ARGS... -> web-raw.py's answer
	_tr_u=$1
	shift
	runuser -u "$_tr_u" -- "$E2E_PY" "$E2E_TOP/tests/e2e/web-raw.py" "$WSOCK" "$@"
}
e2e_is "$(tp_raw "$PXU" get "$HDR" alice@EXAMPLE.ORG)" 200 "the proxy's uid on the socket: served"
e2e_is "$(tp_raw "$OUT" get "$HDR" alice@EXAMPLE.ORG)" 403 \
	"another uid on the console's socket naming alice: 403"
e2e_is "$(tp_raw "$J2" get "$HDR" alice@EXAMPLE.ORG)" 403 "jurist 2's own process naming alice: 403"
e2e_check "... logged with its uid" grep -q "uid $(id -u "$OUT") is no WebProxyUser" "$E2E_RUN/web/out"
e2e_is "$(runuser -u "$PXU" -- "$E2E_PY" - "$WSOCK" "$HDR" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
h = sys.argv[2]
s.sendall(("GET / HTTP/1.1\r\nHost: x\r\n%s: alice@EXAMPLE.ORG\r\n%s: bob@EXAMPLE.ORG\r\nConnection: close\r\n\r\n" % (h, h)).encode())
print(s.recv(100).split(b" ")[1].decode())
PY
)" 403 "two user headers: 403"
tp_claim() {	# USER PERSON -> the daemon's answer
	runuser -u "$1" -- "$E2E_PY" - "$CTL" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"cmd": "held", "on_behalf_of": sys.argv[2]}) + "\n").encode())
print(s.makefile().read().strip())
PY
}
case $(tp_claim "$PXU" "$J1") in *'"status":"refused"'*ControlConsoleUser*) e2e_ok "the proxy's uid claiming to act for j1 at the daemon: refused" ;;
*) e2e_not_ok "proxy uid claiming for j1: not refused" ;; esac
e2e_is "$(mc_sql "select count(*) from audit where event='refused' and actor='$PXU' and details like '%on behalf%'")" 1 \
	"... and recorded"

# ---- slow and oversized requests
_tp_slow=$(tp_raw "$PXU" slow "$HDR" alice@EXAMPLE.ORG)
case $_tp_slow in
"cut after "[3-9]" s") e2e_ok "a request trickled a header a second: cut off ($_tp_slow, WebRequestTimeout 4)" ;;
*) e2e_not_ok "slow request: $_tp_slow" ;;
esac
e2e_check "... logged" grep -q "sent no whole request within 4 s: cut off" "$E2E_RUN/web/out"
_tp_big=$(tp_raw "$PXU" bighead)
case $_tp_big in 4[0-9][0-9] | closed) e2e_ok "40 KiB of headers: refused ($_tp_big)" ;;
*) e2e_not_ok "40 KiB of headers: $_tp_big" ;; esac
e2e_is "$(tp_raw "$PXU" bigbody "$HDR" alice@EXAMPLE.ORG)" 413 "a body over the limit on the socket: 413"
e2e_is "$(tp_curl alice@EXAMPLE.ORG:alice-pw "$E2E_RUN/b.html" -H "Origin: $BASE" --data "x=$(head -c 70000 /dev/zero | tr '\0' a)" "$BASE/decide")" 413 \
	"a body over the limit through the proxy: 413"
e2e_is "$(tp_raw "$PXU" get "$HDR" alice@EXAMPLE.ORG)" 200 "the console still serves after all that"
e2e_check "audit verify: the chain is intact" "$E2E_BUILD/grondslag" audit verify --database "$MC_DIR/store.db"
e2e_done
