#!/bin/sh
# tests/bench/web.sh - make bench: the jurists' console under load.
#
#   BUILD=build sh tests/bench/web.sh
#
# grondslag-milter on an SQLite store (and, with BENCH_WEB_PG=1, a second
# run on a private PostgreSQL 15, tests/pglib.sh) and grondslag-web in
# front of it as in tests/e2e/t-web.sh: HTTPS with a client certificate
# the bench makes with openssl, the console its own user (a
# ControlConsoleUser), one jurist.  The store holds:
#   - a few real holds: mail scanned and held by the milter (fed by the
#     milter-protocol client tests/bench/mclient.py), JP addresses to
#     CERT.be, CISA, CERT.at, NCSC-UK and an unknown party;
#   - one hold of a message with a 10 MB text attachment (a web server
#     log) carrying BENCH_WEB_ADDRS (300) public addresses, to
#     BENCH_WEB_RCPTS (300) recipients of CERT.be, CISA, CERT.at and
#     unknown parties (a hold page of 300 addresses either way);
#   - copies of the small ones up to BENCH_WEB_HOLDS (10000) open holds
#     (tests/bench/web-fill.py: SQL, one transaction, seconds).
# Then tests/bench/webclient.py (one kept-alive TLS connection with the
# jurist's certificate, as a browser) times BENCH_WEB_N (200) requests of
# each page: the queue, the queue filtered by a party, the big hold's
# page, a page of its attachment's text from the middle (offset 5000000),
# page after page of that text (64 KiB on each time), and page 50 of the
# queue.  Prints p50 and p99 per page, and the first (uncounted) request
# of each: for the text the one that walks the message; and the CPU the
# daemon and the console used per request (less at the mercy of other
# load on the machine than the latency).  The goal is p99 < 100 ms.
# BENCH_WEB_UNPAGED=1 leaves out page 50 of the queue (a build from
# before the queue had pages, timed for comparison: BUILD=that build).
# Each queue or hold request of a jurist is also a recorded view (a
# committed write), as in production.  Not part of make check (no timing
# assertions); the answers must be 200 and the counts right.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
. tests/pglib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-1200}
SMOKE=${BENCH_WEB_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
	HOLDS=250 ADDRS=30 RCPTS=12 N=3 MB=1
else
	HOLDS=${BENCH_WEB_HOLDS:-10000}
	ADDRS=${BENCH_WEB_ADDRS:-300}
	RCPTS=${BENCH_WEB_RCPTS:-300}
	N=${BENCH_WEB_N:-200}
	MB=10
fi
BW_U=bw$$
J1=$BW_U-j1
J2=$BW_U-j2
WEBU=$BW_U-web
if [ "$SMOKE" = 1 ]; then e2e_init web-pages; else e2e_init bench-web; fi
trap '_bw_rc=$?; pg_stop; mc_users_del $J1 $J2 $WEBU; (exit $_bw_rc); e2e_cleanup' EXIT
mc_users_add $J1 $J2 $WEBU
BIN=$E2E_BUILD/grondslag-milter
R=$E2E_RUN/results
mkdir -p "$R" "$E2E_RUN/msg"
e2e_check "grondslag-milter and grondslag-web are built" \
	test -x "$BIN" -a -x "$E2E_BUILD/grondslag-web" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done

# ---- the certificates: a CA, the server, the jurist
PKI=$E2E_RUN/pki
mkdir -p "$PKI"
bw_pki() {
	cd "$PKI" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
		-subj "/CN=Bench Client CA $$" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	for _p in server:localhost:srv j1:j1:cli; do
		_n=${_p%%:*}
		_x=${_p##*:}
		_cn=${_p#*:}
		_cn=${_cn%:*}
		openssl req -newkey rsa:2048 -nodes -keyout $_n.key -out $_n.csr \
			-subj "/O=NCSC Bench/CN=$_cn" 2>/dev/null &&
			openssl x509 -req -in $_n.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-out $_n.crt -days 2 -extfile $_x.ext 2>/dev/null || return 1
	done
	cd "$E2E_TOP" || return 1
}
e2e_check "certificates made" bw_pki || e2e_done

# ---- the messages: small lists of JP addresses, and the big one
"$E2E_PY" - "$E2E_RUN/msg" "$ADDRS" "$RCPTS" "$MB" <<'PY'
import base64, random, sys
d, addrs, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[4])
rnd = random.Random(7)
for i in range(5):
    ips = "".join("133.%d.%d.%d\n" % (i + 1, k, 10 + k) for k in range(3 + 2 * i))
    open("%s/small%d.eml" % (d, i), "w").write(
        "From: Analyst <analyst@ncsc.nl>\nSubject: Scanning hosts, batch %d\n\n"
        "Systems seen scanning our constituency:\n%s" % (i, ips))
# a web server log of about MB MB; ADDRS lines name a public address
lines, size, k = [], 0, 0
while size < mb * 1000 * 1000:
    if k < addrs and rnd.random() < 0.004:
        l = "%d.%d.%d.%d - - [01/Mar/2025:12:%02d:%02d +0000] \"GET /wp-login.php HTTP/1.1\" 404 153\n" % (
            (133, 126, 153, 210, 43)[k % 5], 1 + k // 250, k % 250, 7, k % 60, k % 60)
        k += 1
    else:
        l = "- - - [01/Mar/2025:12:%02d:%02d +0000] \"GET /static/app-%06d.css HTTP/1.1\" 200 %d\n" % (
            rnd.randrange(60), rnd.randrange(60), rnd.randrange(10 ** 6), rnd.randrange(99999))
    lines.append(l)
    size += len(l)
while k < addrs:
    lines.append("133.%d.%d.9 - - [01/Mar/2025:13:00:00 +0000] \"GET / HTTP/1.1\" 404 153\n" % (200 + k // 250, k % 250))
    k += 1
# its BENCH_WEB_RCPTS recipients: desks of three parties and of unknown ones
open("%s/big.rcpts" % d, "w").write(",".join(
    ("desk%d@cert.be", "desk%d@cisa.gov", "desk%d@cert.at", "noc%d@isp.example.org")[i % 4] % i
    for i in range(int(sys.argv[3]))))
open("%s/big.log" % d, "w").write("".join(lines))
att = base64.encodebytes("".join(lines).encode()).decode()
open("%s/big.eml" % d, "w").write(
    "From: Analyst <analyst@ncsc.nl>\nSubject: Access log of the attacked web server\n"
    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
    "Content-Type: text/plain\n\nThe full access log is attached.\n--b1\n"
    "Content-Type: text/plain; name=\"access.log\"\n"
    "Content-Disposition: attachment; filename=\"access.log\"\n"
    "Content-Transfer-Encoding: base64\n\n%s--b1--\n" % att)
PY

# bw_run NAME DATABASE: a milter on DATABASE with its console; the holds
# made; every page timed into $R/NAME
bw_run() {
	_d=$E2E_RUN/$1
	_port=$(e2e_pick_port) || return 1
	E2E_MILTER_GEO=$E2E_BUILD/geo-test e2e_milter_conf "$_d" "unix:$_d/milter.sock" "$2" \
		"SocketMode 0666" "ReleaseKeyFile $_d/release.key" "ReleaseRelay" \
		"ControlSocket $_d/control.sock" "Jurist $J1 j1@ncsc.nl" "Jurist $J2 j2@ncsc.nl" \
		"ControlConsoleUser $WEBU" "ReleaseApprovals 2" \
		"WebListen 127.0.0.1:$_port" "WebCertificate $PKI/server.crt" \
		"WebKey $PKI/server.key" "WebClientCA $PKI/ca.crt" "WebUserID $WEBU" \
		"WebCertificateMap $J1 subject:CN=j1,O=NCSC Bench" >/dev/null 2>&1 || return 1
	e2e_proc_start "$1-milter" "$BIN" -f -c "$_d/grondslag.conf"
	e2e_wait_until 15 "milter $1" test -S "$_d/control.sock" -a -S "$_d/milter.sock" || return 1
	for _r in cert@cert.be report@cisa.gov cert@cert.at soc@ncsc.gov.uk someone@example.org; do
		_i=$(($(printf '%s' "$_r" | wc -c) % 5))
		"$E2E_PY" tests/bench/mclient.py "$_d/milter.sock" "$E2E_RUN/msg/small$_i.eml" 1 \
			"$_r" "S$_i" >>"$R/$1.mail" || return 1
	done
	_t0=$(date +%s.%N)
	"$E2E_PY" tests/bench/mclient.py "$_d/milter.sock" "$E2E_RUN/msg/big.eml" 1 \
		"$(cat "$E2E_RUN/msg/big.rcpts")" BIG >>"$R/$1.mail" || return 1
	_t1=$(date +%s.%N)
	echo "$1: the 10 MB message scanned and held in $(bw_secs "$_t0" "$_t1") s" >>"$R/summary"
	BIG=$(bw_sql "$1" "SELECT ref FROM holds WHERE queue_id LIKE 'BIG%'")
	[ -n "$BIG" ] || { echo "$1: the big message was not held" >&2; return 1; }
	_t0=$(date +%s.%N)
	bw_fill "$1" "$HOLDS" "$BIG" || return 1
	_t1=$(date +%s.%N)
	echo "$1: $HOLDS holds in the store, made in $(bw_secs "$_t0" "$_t1") s" >>"$R/summary"
	e2e_proc_start "$1-web" "$E2E_BUILD/grondslag-web" -c "$_d/grondslag.conf"
	e2e_wait_until 15 "console $1" e2e_listening "$_port" || return 1
	BASE=https://127.0.0.1:$_port
	BENCH_WEB_PIDS="$(cat "$E2E_RUN/$1-milter/pid") $(cat "$E2E_RUN/$1-web/pid")" \
		"$E2E_PY" tests/bench/webclient.py 127.0.0.1 "$_port" "$PKI/ca.crt" "$PKI/j1.crt" \
		"$PKI/j1.key" "$N" "queue=/" "queue-cisa=/?party=cisa" "hold=/hold/$BIG" \
		"message=/hold/$BIG/message?part=2&offset=$((MB * 500000))" \
		"message-pages=/hold/$BIG/message?part=2&offset={i}" \
		${BENCH_WEB_UNPAGED:+-}"queue-page50=/?page=50" >"$R/$1" ||
		{ echo "$1: a page was no 200: $(cat "$R/$1")" >&2; return 1; }
	# what the pages said: the count of open holds, of the filter
	curl -s --cacert "$PKI/ca.crt" --cert "$PKI/j1.crt" --key "$PKI/j1.key" \
		"https://127.0.0.1:$_port/" >"$R/$1.queue.html"
	curl -s --cacert "$PKI/ca.crt" --cert "$PKI/j1.crt" --key "$PKI/j1.key" \
		"https://127.0.0.1:$_port/?party=cisa" >"$R/$1.cisa.html"
	curl -s --cacert "$PKI/ca.crt" --cert "$PKI/j1.crt" --key "$PKI/j1.key" \
		"https://127.0.0.1:$_port/hold/$BIG/message?part=2&offset=$((MB * 500000))" >"$R/$1.message.html"
}
bw_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# bw_sql NAME SQL: the first column of the first row
bw_sql() {
	if [ "$1" = pg ]; then
		pg_psql grondslag -tAc "$2"
	else
		"$E2E_PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=60).execute(sys.argv[2]).fetchone()[0])' \
			"$E2E_RUN/sqlite/store.db" "$2"
	fi
}
bw_fill() {
	if [ "$1" = pg ]; then
		_cols=$(pg_psql grondslag -tAc "SELECT string_agg(column_name, ',' ORDER BY ordinal_position)
			FROM information_schema.columns WHERE table_name = 'holds' AND column_name <> 'rowid'")
		_have=$(bw_sql pg "SELECT count(*) FROM holds")
		"$E2E_PY" tests/bench/web-fill.py sql $(($2 - _have)) "$_cols" "$3" |
			pg_psql grondslag -q -v ON_ERROR_STOP=1 >/dev/null
	else
		"$E2E_PY" tests/bench/web-fill.py sqlite "$E2E_RUN/sqlite/store.db" "$2" "$3" >/dev/null
	fi
}
# bw_check NAME: the answers were the pages asked for
bw_check() {
	_open=$(bw_sql "$1" "SELECT count(*) FROM holds WHERE state IN ('pending','partly-approved','releasing')")
	e2e_is "$_open" "$HOLDS" "$1: $HOLDS open holds in the store"
	e2e_check "$1: the queue counts them all" grep -q "id=\"count\">$_open " "$R/$1.queue.html"
	_cisa=$(bw_sql "$1" "SELECT count(DISTINCT h.ref) FROM holds h JOIN hold_recipients r ON r.ref = h.ref WHERE r.party = 'cisa'")
	e2e_check "$1: the party filter counts its $_cisa" grep -q "id=\"count\">$_cisa " "$R/$1.cisa.html"
	e2e_check "$1: the attachment's text from its middle" grep -q 'wp-login\|static/app-' "$R/$1.message.html"
}
# bw_get PATH OUT: the page PATH as the jurist, the HTTP status on stdout
bw_get() {
	curl -s -o "$2" -w '%{http_code}' --cacert "$PKI/ca.crt" --cert "$PKI/j1.crt" \
		--key "$PKI/j1.key" --max-time 60 "$BASE$1"
}
# bw_rows FILE: the rows of the queue in FILE; bw_pre FILE: the text of
# its <pre> (the page of a part's text), unescaped
bw_rows() { grep -c '<tr><td><a class="ref"' "$1"; }
bw_pre() {
	"$E2E_PY" -c 'import html, re, sys
m = re.search(r"<pre id=\"message-text\"[^>]*>(.*?)</pre>", open(sys.argv[1]).read(), re.S)
sys.stdout.write(html.unescape(m.group(1)) if m else "")' "$1"
}
# bw_smoke NAME: what the pages say, not how fast (make check)
bw_smoke() {
	_o=$E2E_RUN/smoke
	mkdir -p "$_o"
	e2e_is "$(bw_get "/" "$_o/p1.html")" 200 "$1: the queue"
	e2e_is "$(bw_rows "$_o/p1.html")" 100 "$1: its first page shows 100 holds"
	e2e_check "$1: ... and says which of how many" grep -q "Holds 1&ndash;100 of $HOLDS (page 1 of 3)" "$_o/p1.html"
	e2e_check "$1: ... with a link to the next page" grep -q 'rel="next" href="/?page=2"' "$_o/p1.html"
	e2e_is "$(bw_get "/?page=3" "$_o/p3.html")" 200 "$1: the last page"
	e2e_is "$(bw_rows "$_o/p3.html")" $((HOLDS - 200)) "$1: ... shows the rest"
	e2e_check "$1: ... still counts them all" grep -q "id=\"count\">$HOLDS " "$_o/p3.html"
	e2e_check "$1: ... and has no next page" sh -c "! grep -q 'rel=\"next\"' '$_o/p3.html'"
	cat "$_o/p1.html" "$_o/p3.html" | sed -n 's/.*href="\/hold\/\([0-9A-Z-]*\)".*/\1/p' | sort >"$_o/seen"
	bw_get "/?page=2" "$_o/p2.html" >/dev/null
	sed -n 's/.*href="\/hold\/\([0-9A-Z-]*\)".*/\1/p' "$_o/p2.html" | sort >>"$_o/seen"
	e2e_is "$(sort -u "$_o/seen" | wc -l)" "$HOLDS" "$1: the three pages show every hold once"
	sed -n 's/.*href="\/hold\/\([0-9A-Z-]*\)".*/\1/p' "$_o/p1.html" | sort >"$_o/p1.refs"
	bw_sql "$1" "SELECT group_concat(ref, ' ') FROM (SELECT ref FROM holds ORDER BY received, ref LIMIT 100)" |
		tr ' ' '\n' | sort >"$_o/soonest.refs"
	e2e_check "$1: the first page: the 100 holds that expire soonest" cmp -s "$_o/p1.refs" "$_o/soonest.refs"
	e2e_is "$(bw_get "/?page=4" "$_o/p4.html")" 200 "$1: a page past the end"
	e2e_is "$(bw_rows "$_o/p4.html")" 0 "$1: ... shows no hold"
	e2e_check "$1: ... and leads back" grep -q 'rel="prev" href="/?page=3"' "$_o/p4.html"
	e2e_is "$(bw_get "/?page=0" "$_o/p0.html")" 400 "$1: page 0: 400"
	e2e_is "$(bw_get "/?page=two" "$_o/px.html")" 400 "$1: a page that is no number: 400"
	_cisa=$(bw_sql "$1" "SELECT count(DISTINCT h.ref) FROM holds h JOIN hold_recipients r ON r.ref = h.ref WHERE r.party = 'cisa'")
	e2e_is "$(bw_get "/?party=CISA&page=2" "$_o/c2.html")" 200 "$1: page 2 of a party's holds"
	e2e_check "$1: ... counts the party's $_cisa" grep -q "id=\"count\">$_cisa " "$_o/c2.html"
	e2e_check "$1: ... links keep the filter" grep -q 'rel="prev" href="/?page=1&amp;party=CISA"' "$_o/c2.html"
	_v0=$(bw_sql "$1" "SELECT count(*) FROM audit WHERE event='view'")
	bw_get "/?page=2" "$_o/p2b.html" >/dev/null
	e2e_is "$(bw_sql "$1" "SELECT count(*) FROM audit WHERE event='view'")" $((_v0 + 1)) \
		"$1: a page of the queue is one recorded view"
	e2e_is "$(bw_sql "$1" "SELECT count(*) FROM audit WHERE seq = (SELECT max(seq) FROM audit WHERE event='view') AND details LIKE '%\"holds\":100,%'")" 1 \
		"$1: ... naming 100 holds"
	# the attachment's text page by page: exactly the text sent, each page
	# one recorded view; the pages after the first cut from what the walk
	# kept, until the stored message changes
	_ok=1
	_v0=$(bw_sql "$1" "SELECT count(*) FROM audit WHERE event='view' AND ref='$BIG' AND details LIKE '%\"part\":\"2\"%'")
	for _off in 0 65536 131072 524288; do
		bw_get "/hold/$BIG/message?part=2&offset=$_off" "$_o/m.html" >/dev/null
		bw_pre "$_o/m.html" >"$_o/m.txt"
		"$E2E_PY" -c 'import sys
t = open(sys.argv[1]).read()[int(sys.argv[3]):int(sys.argv[3]) + 65536]
sys.exit(0 if open(sys.argv[2]).read() == t else 1)' "$E2E_RUN/msg/big.log" "$_o/m.txt" "$_off" || _ok=0
	done
	e2e_is "$_ok" 1 "$1: four pages of the attachment: the text sent, byte for byte"
	e2e_is "$(bw_sql "$1" "SELECT count(*) FROM audit WHERE event='view' AND ref='$BIG' AND details LIKE '%\"part\":\"2\"%'")" $((_v0 + 4)) \
		"$1: each page one recorded view"
	mc_exec_at "$1" "UPDATE hold_messages SET message = CAST(replace(CAST(message AS TEXT), 'access.log', 'accesS.log') AS BLOB) WHERE ref = '$BIG'"
	_st=$(bw_get "/hold/$BIG/message?part=2&offset=65536" "$_o/t.html")
	case $_st in 2??) e2e_not_ok "$1: the message changed in the store: still shown ($_st)" ;;
	*) e2e_ok "$1: the message changed in the store: the next page is refused ($_st)" ;; esac
	e2e_check "$1: ... saying why" grep -q 'SHA-256' "$_o/t.html"
	e2e_is "$(bw_sql "$1" "SELECT count(*) FROM audit WHERE event='tampered' AND ref='$BIG'")" 1 "$1: ... recorded as tampered"
}
mc_exec_at() {
	"$E2E_PY" -c 'import sqlite3, sys
d = sqlite3.connect(sys.argv[1], timeout=60)
d.execute(sys.argv[2])
d.commit()' "$E2E_RUN/sqlite/store.db" "$2"
}

# p50 and p99 of the runs
bw_table() {
	awk '{ printf "  %-13s %7d B  p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  first %6.1f ms  cpu %5.1f ms  %s\n",
		$1, $3, $4, $5, $6, $7, $8, ($5 < 100 ? "p99 < 100 ms" : "p99 OVER 100 ms") }' "$1"
}

e2e_check "sqlite: the store filled and every page timed" bw_run sqlite "$E2E_RUN/sqlite/store.db" &&
	bw_check sqlite
if [ "$SMOKE" = 1 ]; then
	bw_smoke sqlite
	e2e_done
fi
if [ "${BENCH_WEB_PG:-0}" = 1 ]; then
	if e2e_check "a private PostgreSQL starts" pg_start; then
		pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
			CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
			pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null
		ADMIN="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_admin"
		"$E2E_BUILD/grondslag" store init --database "$ADMIN" >/dev/null &&
			psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" -f contrib/postgresql-grants.sql >/dev/null ||
			e2e_not_ok "the store in PostgreSQL"
		e2e_store_init() { :; }
		e2e_check "pg: the store filled and every page timed" bw_run pg \
			"host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_milter" && bw_check pg
	fi
fi
echo
echo "== the jurists' console ($(nproc) cores; $N requests per page, one kept-alive TLS connection)"
cat "$R/summary" 2>/dev/null
for b in sqlite pg; do
	[ -s "$R/$b" ] || continue
	echo "$b:"
	bw_table "$R/$b"
done
e2e_done
