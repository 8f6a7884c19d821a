# tests/e2e/milter-cases.sh - the end-to-end cases of grondslag-milter,
# shared by t-postfix.sh and t-sendmail.sh (sourced after lib.sh).
#
#   mc_setup KIND SOCKET   geo data, messages, config, sinks, the milter
#   mc_with_postfix        sink "sink", the milter on a unix socket, and
#                          Postfix "pf" in front of it (E2E_POSTCONF read)
#   mc_with_sendmail       sink "sink", the milter on an inet socket, and
#                          Sendmail "sm" in front of it
#   mc_cases MTA SINK      the cases through MTA instance MTA into SINK
# Cases: the COATHANGER replay (per-country lists, zipped CSV and inline,
# to CERT.be and the third-country CSIRTs: delivered recipients reach the
# sink, held ones do not and are in the store), a clean message, IPs to
# the own domain, an encrypted zip to an unregistered party (held), the
# sender notices, a reload with a broken registry (the old one keeps
# working), and the milter killed (4xx, nothing accepted).
MC_TOP=$(pwd)
MC_FROM=sender@ncsc.nl

# Build the test messages into $E2E_RUN/msg/.
mc_messages() {
	mkdir -p "$E2E_RUN/msg/z" || return 1
	printf 'ip,first_seen\n194.7.1.10,2023-02-01\n194.7.2.20,2023-02-03\n194.7.3.30,2023-02-04\n' \
		>"$E2E_RUN/msg/z/be.csv"
	printf 'ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n' >"$E2E_RUN/msg/z/jp.csv"
	(cd "$E2E_RUN/msg/z" && zip -q be.zip be.csv && zip -q -P secret enc.zip jp.csv) || return 1
	"$E2E_PY" - "$E2E_RUN/msg" <<'PY'
import base64, sys
d = sys.argv[1]
def attach(name, subject, fname, ctype, text):
    data = open(d + "/z/" + fname, "rb").read()
    b64 = base64.encodebytes(data).decode()
    open(d + "/" + name, "w").write(
        "From: Sender <sender@ncsc.nl>\nSubject: %s\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
        "Content-Type: text/plain\n\n%s\n--b1\nContent-Type: %s; name=\"%s\"\n"
        "Content-Disposition: attachment; filename=\"%s\"\n"
        "Content-Transfer-Encoding: base64\n\n%s--b1--\n"
        % (subject, text, ctype, fname, fname, b64))
def plain(name, subject, body):
    open(d + "/" + name, "w").write(
        "From: Sender <sender@ncsc.nl>\nSubject: %s\n\n%s" % (subject, body))
attach("be-zip.eml", "COATHANGER: Belgian systems", "be.zip", "application/zip",
       "Attached the systems in your constituency.")
plain("jp-inline.eml", "COATHANGER: Japanese systems",
      "Systems seen:\n133.1.2.3\n133.4.5.6\n")
plain("clean.eml", "Meeting", "See you on Tuesday.\n")
plain("own.eml", "Internal list", "For the SOC: 194.7.1.10, 133.1.2.3\n")
plain("be-inline.eml", "Belgian list again", "194.7.1.10\n194.7.2.20\n")
attach("enc.eml", "Encrypted list", "enc.zip", "application/zip", "Password by phone.")
PY
}

# Write the milter configuration (socket $1) and start it; wait for it.
# mc_conf_common SOCKET: the configuration lines every milter suite shares
# (registry, test geo data, store and spool in $MC_DIR, the notice sink,
# the fixed decision date); suites append their own keys.
mc_conf_common() {
	cat <<CONF
Socket $1
SocketMode 0666
Registry $MC_DIR/registry.yaml
RegistrySignature none
GeoCountryDatabase $E2E_BUILD/geo-test/country.mmdb
GeoASNDatabase $E2E_BUILD/geo-test/asn.mmdb
Database $MC_DIR/store.db
SpoolDirectory $MC_DIR/spool
UserID
PidFile $MC_DIR/milter.pid
NoticeRelay 127.0.0.1:$(e2e_port notices)
NoticeFrom grondslag@ncsc.nl
DecisionDate 2024-01-10
CONF
}

mc_setup() {
	MC_GEO=$E2E_BUILD/geo-test
	MC_BIN=$E2E_BUILD/grondslag-milter
	e2e_check "grondslag-milter is built" test -x "$MC_BIN" || e2e_done
	e2e_check "test geo data built" sh tests/geo/build.sh "$MC_GEO" || e2e_done
	e2e_check "test messages built" mc_messages || e2e_done
	e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
	MC_DIR=$E2E_RUN/milter
	mkdir -p "$MC_DIR/spool"
	cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"
	{
		mc_conf_common "$1"
		printf 'MetricsFile %s\nMetricsInterval 5\n' "$MC_DIR/grondslag.prom"
	} >"$MC_DIR/grondslag.conf"
	e2e_check "grondslag store init" e2e_store_init "$MC_DIR/grondslag.conf"
	e2e_check "grondslag-milter -n accepts the configuration" \
		"$MC_BIN" -n -c "$MC_DIR/grondslag.conf"
	e2e_proc_start milter "$MC_BIN" -f -c "$MC_DIR/grondslag.conf"
	e2e_check "milter started" e2e_wait_until 15 "milter pid file" test -s "$MC_DIR/milter.pid"
}

mc_with_postfix() {
	e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
	SOCK=$E2E_RUN/milter/milter.sock
	mc_setup "unix:$SOCK"
	e2e_check "milter socket" e2e_wait_until 10 "milter socket" test -S "$SOCK"
	E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink ||
		{ e2e_not_ok "start postfix"; e2e_done; }
}

# Sendmail with F=T (tempfail when the filter is away) over TCP
# (TCP_NODELAY and the data callback).
mc_with_sendmail() {
	e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
	PORT=$(e2e_pick_port) || e2e_done
	mc_setup "inet:$PORT@127.0.0.1"
	e2e_check "milter listening" e2e_wait_until 10 "milter port" e2e_listening "$PORT"
	E2E_SM_MILTER="S=inet:$PORT@127.0.0.1, F=T, T=C:10s;S:30s;R:30s;E:60s" \
		e2e_sendmail_start sm sink || { e2e_not_ok "start sendmail"; e2e_done; }
}

# The suite's own login names (jurists, an outsider), for the roles the
# control socket maps by SO_PEERCRED: mc_users_add USER... creates them
# (after removing leftovers of an interrupted run), mc_users_del USER...
# removes them (also from an EXIT trap).
mc_users_del() {
	for _u in "$@"; do
		id "$_u" >/dev/null 2>&1 && userdel "$_u" >/dev/null 2>&1
	done
	return 0
}
mc_users_add() {
	mc_users_del "$@"
	for _u in "$@"; do
		useradd -M -N -s /usr/sbin/nologin "$_u" || { e2e_not_ok "useradd $_u"; e2e_done; }
	done
}

# Run the grondslag command as user $1 over the control socket $CTL;
# output in MC_OUT, its exit code returned.
MC_OUT=""
mc_cli() {
	_mc_user=$1
	shift
	MC_OUT=$(runuser -u "$_mc_user" -- "$E2E_BUILD/grondslag" "$@" --socket "$CTL" 2>&1)
}

# Run SQL $1 on the store, print the single value.
mc_sql() {
	"$E2E_PY" - "$MC_DIR/store.db" "$1" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
PY
}

# Run SQL $1 that writes on the store (busy timeout: the daemon writes too).
mc_exec() {
	"$E2E_PY" - "$MC_DIR/store.db" "$1" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=20)
c.execute(sys.argv[2])
c.commit()
PY
}

# Recipients of the newest dump in sink $1 (space-separated).
mc_last_rcpts() {
	_lr=$(ls -t "$E2E_RUN/$1/dump"/* 2>/dev/null | head -n 1)
	[ -n "$_lr" ] && e2e_sink_rcpts "$1" "$_lr" | tr '\n' ' '
}

# Header line $2 (ERE) in the newest dump of sink $1.
mc_last_header() {
	_lh=$(ls -t "$E2E_RUN/$1/dump"/* 2>/dev/null | head -n 1)
	[ -n "$_lh" ] && sed '/^\r*$/q' "$_lh" | grep -Eq -- "$2"
}

# Send $3 from MC_FROM to $2 through MTA $1; want reply code $4.
# Sendmail only queues (stat=queued) when the load average is over its
# QueueLA, as during a busy make check: run its queue then, ignoring load.
mc_send() {
	e2e_send "$1" "$MC_FROM" "$2" "$3"
	e2e_is "$(e2e_reply_code)" "$4" "$1: $(basename "$3") to $2: reply"
	if [ -f "$E2E_RUN/$1/sendmail.cf" ]; then
		sleep 0.5
		e2e_sendmail "$1" -OQueueLA=999 -ORefuseLA=999 -q >/dev/null 2>&1
	fi
}

mc_cases() {
	MTA=$1
	SINK=$2
	LOG=$E2E_RUN/milter/out
	# 1. COATHANGER: the Belgian list (zipped CSV) to CERT.be and four
	#    third-country CSIRTs: only CERT.be gets it.
	mc_send "$MTA" cert@cert.be,info@jpcert.or.jp,central@cisa.gov,x@ncsc.gov.uk,y@cyber.gc.ca \
		"$E2E_RUN/msg/be-zip.eml" 250
	e2e_check "$MTA: CERT.be's copy arrived" e2e_wait_sink "$SINK" 1
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be " "$MTA: only CERT.be received the Belgian list"
	e2e_check "$MTA: X-Grondslag partial header" mc_last_header "$SINK" '^X-Grondslag: partial; held=4; ref=G'
	e2e_is "$(mc_sql "select count(*) from hold_recipients where reasons like '%no-basis%'")" 4 \
		"$MTA: four third-country recipients held with no-basis"
	e2e_is "$(mc_sql "select count(*) from shares where party='cert-be'")" 1 "$MTA: share to CERT.be recorded"
	# 2. The Japanese list inline to CERT.be and JPCERT/CC: all held.
	mc_send "$MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml" 250
	e2e_check "$MTA: all-held message discarded" e2e_wait_until 20 "discard" \
		sh -c "[ \"\$(grep -c 'verdict=discard' '$LOG')\" -ge 1 ]"
	e2e_is "$(mc_sql "select count(*) from hold_recipients where reasons='constituency-mismatch'")" 1 \
		"$MTA: CERT.be held for the Japanese list (constituency-mismatch)"
	# 3. Clean mail to JPCERT/CC: delivered, no header.
	mc_send "$MTA" info@jpcert.or.jp "$E2E_RUN/msg/clean.eml" 250
	e2e_check "$MTA: clean message arrived" e2e_wait_sink "$SINK" 2
	e2e_is "$(mc_last_rcpts "$SINK")" "info@jpcert.or.jp " "$MTA: clean message recipient"
	if mc_last_header "$SINK" '^X-Grondslag'; then
		e2e_not_ok "$MTA: no X-Grondslag on clean mail"
	else
		e2e_ok "$MTA: no X-Grondslag on clean mail"
	fi
	# 4. IPs to the own domain: delivered, marked, recorded.
	mc_send "$MTA" soc@ncsc.nl "$E2E_RUN/msg/own.eml" 250
	e2e_check "$MTA: own-domain message arrived" e2e_wait_sink "$SINK" 3
	e2e_check "$MTA: own domain marked deliver" mc_last_header "$SINK" '^X-Grondslag: deliver;'
	# 5. An encrypted zip to an unregistered party: held.
	mc_send "$MTA" someone@example.net "$E2E_RUN/msg/enc.eml" 250
	e2e_check "$MTA: encrypted zip held" e2e_wait_until 20 "hold of the encrypted zip" \
		sh -c "[ \"\$(grep -c 'verdict=discard' '$LOG')\" -ge 2 ]"
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient='<someone@example.net>' and reasons like '%unknown-party%'")" 1 \
		"$MTA: encrypted zip held for the unknown party"
	e2e_is "$(mc_sql "select count(*) from holds")" 3 "$MTA: three holds in the store"
	e2e_is "$(mc_sql "select count(*) from holds where queue_id != ''")" 3 "$MTA: holds carry the queue id"
	# 6. The sender got a notice per hold through the relay.
	e2e_check "$MTA: three notices sent" e2e_wait_sink notices 3
	e2e_is "$(e2e_sink_rcpts notices | sort -u)" "$MC_FROM" "$MTA: notices went to the sender"
	e2e_check "$MTA: notices carry no address found" sh -c "! grep -qE '194\\.7\\.|133\\.[0-9]' '$E2E_RUN/notices/dump'/*"
	# 7. Reload with a broken registry: refused, the old one keeps working.
	echo "parties: [broken" >"$MC_DIR/registry.yaml"
	kill -HUP "$(cat "$MC_DIR/milter.pid")"
	e2e_check "$MTA: broken registry refused on reload" e2e_wait_until 15 "reload refused" \
		grep -q 'reload refused, keeping the current snapshot' "$LOG"
	mc_send "$MTA" cert@cert.be "$E2E_RUN/msg/be-inline.eml" 250
	e2e_check "$MTA: old registry still delivers to CERT.be" e2e_wait_sink "$SINK" 4
	e2e_check "$MTA: ... with the old basis" mc_last_header "$SINK" '^X-Grondslag: deliver;.*wbni-20-2-eu-csirt'
	cp conf/registry.sample.yaml "$MC_DIR/registry.yaml"
	kill -HUP "$(cat "$MC_DIR/milter.pid")"
	e2e_check "$MTA: good registry reloaded" e2e_wait_until 15 "reloaded" grep -q ': reloaded: snapshot 2' "$LOG"
	e2e_check "$MTA: no address found in the milter log" sh -c "! grep -qE '194\\.7\\.|133\\.[0-9]' '$LOG'"
	# 7b. The daemon's counters reach the metrics file (rewritten every 5 s).
	e2e_check "$MTA: metrics file counts scanned and held mail" e2e_wait_until 12 "metrics" \
		sh -c "grep -Eq '^grondslag_messages_scanned_total [1-9]' '$MC_DIR/grondslag.prom' &&
			grep -Eq '^grondslag_recipients_held_total [1-9]' '$MC_DIR/grondslag.prom' &&
			grep -q '^grondslag_scan_duration_seconds_bucket{le=\"+Inf\"}' '$MC_DIR/grondslag.prom'"
	# 8. The milter killed: 4xx, nothing accepted, nothing queued.
	kill -KILL "$(cat "$E2E_RUN/milter/pid")"
	e2e_wait_until 5 "milter gone" e2e_pid_gone "$(cat "$E2E_RUN/milter/pid")"
	e2e_send "$MTA" "$MC_FROM" cert@cert.be "$E2E_RUN/msg/be-inline.eml"
	case $(e2e_reply_code) in
	4??) e2e_ok "$MTA: milter down -> $(e2e_reply_code)" ;;
	*) e2e_not_ok "$MTA: milter down: got '$(e2e_reply_code)', want 4xx" ;;
	esac
	sleep 1
	e2e_is "$(e2e_sink_count "$SINK")" 4 "$MTA: nothing more arrived"
	e2e_is "$(e2e_queue_count "$MTA")" 0 "$MTA: nothing queued"
}
