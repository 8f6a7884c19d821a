#!/bin/sh
# tests/soak/soak.sh - make soak (not part of make check): SOAK_MESSAGES
# (default 20,000) messages through a real private Postfix and
# grondslag-milter while the milter is killed with SIGKILL at random
# moments (and restarted at once) and the store's file system is full for
# a while; then every Message-ID is accounted for (tests/soak/account.py):
# delivered at the sink, held in the store, or refused to the client;
# 0 lost, 0 duplicated.  The milter's memory (VmRSS) is sampled all along
# and must stay flat on the last incarnation (kills stop at 70 %).
#
# The client (tests/soak/client.py, SOAK_THREADS connections) behaves like
# an MTA: a 4xx or a broken connection is retried.  The mix per ten
# messages: six clean, two Belgian lists to CERT.be (delivered, share
# record), one Japanese list to JPCERT/CC (held), one Belgian list to
# CERT.be and JPCERT/CC (CERT.be delivered, JPCERT/CC held).  Ten
# calibration messages, sent before any fault, must do exactly that
# (tests/soak/account.py EXPECT).
# The store lives on a private tmpfs of SOAK_FS_MB (default 256) MB, filled
# to the last byte at 30 % for SOAK_FULL_SECONDS (default 20) seconds.
# All along, the geo files are copied over in place (truncated, then
# written, as cp does) every 2 s and the milter reloaded (SIGHUP) every
# other time: it must never die but by our kills.
#
#   SOAK_MESSAGES=2000 make soak        a shorter run
# Figures at the end: messages, retries, delivered, held, refused, lost,
# duplicated, kills, time, RSS first/last; the run directory is kept.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
N=${SOAK_MESSAGES:-20000}
THREADS=${SOAK_THREADS:-8}
FULL_SECS=${SOAK_FULL_SECONDS:-20}
FS_MB=${SOAK_FS_MB:-256}
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-$((900 + N / 4))}
E2E_KEEP=1
e2e_init soak
BIN=$E2E_BUILD/grondslag-milter
D=$E2E_RUN/milter
FS=$E2E_RUN/fs
SOCK=$D/milter.sock
OUT=$E2E_RUN/client.jsonl
mkdir -p "$D" || exit 1

e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "test messages built" mc_messages || e2e_done
e2e_check "$FS_MB MB tmpfs for the store" e2e_tmpfs "$FS" "$FS_MB" || e2e_done
e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
GEO=$E2E_RUN/geo
mkdir -p "$GEO" && cp "$E2E_BUILD/geo-test/country.mmdb" "$E2E_BUILD/geo-test/asn.mmdb" "$GEO/"
E2E_MILTER_GEO=$GEO e2e_milter_conf "$D" "unix:$SOCK" "$FS/store.db" "SocketMode 0666"
e2e_check "store made on the tmpfs" test -s "$FS/store.db" || e2e_done

# (Re)start the milter; its pid in $D/pid.
milter_start() {
	e2e_proc_start milter "$BIN" -f -c "$D/grondslag.conf"
}
milter_start
e2e_check "milter started" e2e_wait_until 15 "milter socket" test -S "$SOCK" || e2e_done
E2E_SMTPD_MILTERS=unix:$SOCK E2E_POSTCONF="smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_connection_count_limit = 0
smtpd_recipient_limit = 1000" e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
PORT=$(e2e_port pf)

# Calibration: ids 0-9, one of each kind at least, no fault.
"$E2E_PY" tests/soak/client.py 127.0.0.1 "$PORT" 0 10 2 "$E2E_RUN/msg" "$E2E_RUN/cal.jsonl"
e2e_check "calibration: 10 messages accepted" \
	test "$(grep -c '"gave_up": \[\]' "$E2E_RUN/cal.jsonl")" = 10
e2e_check "calibration delivered" e2e_wait_sink sink 9 30

# The main run in the background.
T0=$(date +%s)
"$E2E_PY" tests/soak/client.py 127.0.0.1 "$PORT" 10 "$N" "$THREADS" "$E2E_RUN/msg" "$OUT" \
	>"$E2E_RUN/client.out" 2>&1 &
CLIENT=$!
progress() {
	_pg=$(cat "$OUT.progress" 2>/dev/null)
	echo "${_pg:-0}"
}

# Memory: "seconds pid rss_kb messages_done", every second.
(
	while kill -0 $CLIENT 2>/dev/null; do
		p=$(cat "$D/pid" 2>/dev/null)
		r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ -n "$r" ] && echo "$(($(date +%s) - T0)) $p $r $(progress)"
		sleep 0.25
	done
) >"$E2E_RUN/rss.txt" &
SAMPLER=$!

# Faults: SIGKILL at random moments (0.5 to SOAK_KILL_MAX_GAP seconds
# apart, default 4) until 70 %, the full disk at 30 %.
KILL_MAX=${SOAK_KILL_MAX_GAP:-4}
KILLS=0
FULL_DONE=""
FULL_AT=$((N * 3 / 10))
KILL_UNTIL=$((N * 7 / 10))
now_ms() { date +%s%3N; }
next_gap() {
	od -An -N2 -tu2 /dev/urandom | awk -v m="$KILL_MAX" '{ printf "%d", 500 + $1 % int((m - 0.5) * 1000) }'
}
NEXT_KILL=$(($(now_ms) + $(next_gap)))
NEXT_GEO=$(($(now_ms) + 2000))
GEO_REWRITES=0
CRASHES=0
while kill -0 $CLIENT 2>/dev/null; do
	done_n=$(progress)
	if ! kill -0 "$(cat "$D/pid")" 2>/dev/null; then
		CRASHES=$((CRASHES + 1))
		e2e_diag "the milter died by itself at $done_n messages: $(tail -n 3 "$D/out")"
		cp "$D/out" "$E2E_RUN/crash-$CRASHES.log"
		milter_start
	fi
	if [ "$(now_ms)" -ge "$NEXT_GEO" ]; then
		for f in country.mmdb asn.mmdb; do
			cat "$E2E_BUILD/geo-test/$f" >"$GEO/$f"
		done
		GEO_REWRITES=$((GEO_REWRITES + 1))
		[ $((GEO_REWRITES % 2)) = 0 ] && kill -HUP "$(cat "$D/pid")" 2>/dev/null
		NEXT_GEO=$(($(now_ms) + 2000))
	fi
	if [ -z "$FULL_DONE" ] && [ "$done_n" -ge "$FULL_AT" ]; then
		FULL_DONE=1
		dd if=/dev/zero of="$FS/fill" bs=1M >/dev/null 2>&1
		e2e_diag "store file system full at $done_n messages ($(df -k "$FS" | awk 'NR==2 { print $4 }') kB free) for $FULL_SECS s"
		# the kills go on meanwhile
		FULL_END=$(($(now_ms) + FULL_SECS * 1000))
	fi
	if [ -n "${FULL_END:-}" ] && [ "$(now_ms)" -ge "$FULL_END" ]; then
		rm -f "$FS/fill"
		FULL_END=""
		e2e_diag "store file system freed at $(progress) messages"
	fi
	if [ "$done_n" -lt "$KILL_UNTIL" ] && [ "$(now_ms)" -ge "$NEXT_KILL" ]; then
		kill -9 "$(cat "$D/pid")" 2>/dev/null && KILLS=$((KILLS + 1))
		milter_start
		NEXT_KILL=$(($(now_ms) + $(next_gap)))
	fi
	sleep 0.1
done
rm -f "$FS/fill"
wait $CLIENT
T1=$(date +%s)
kill $SAMPLER 2>/dev/null
wait $SAMPLER 2>/dev/null
e2e_diag "client done in $((T1 - T0)) s, $KILLS kills"

# Postfix delivers what it queued; the sink has it all.
drained() { [ "$(e2e_queue_count pf)" = 0 ]; }
e2e_check "the Postfix queue drains" e2e_wait_until 600 "postfix queue empty" drained
sleep 3
e2e_check "the milter is still running" kill -0 "$(cat "$D/pid")"
e2e_check "every message has a client record" test "$(wc -l <"$OUT")" = "$N"

# The books.  The store is read while the milter runs (WAL: a consistent
# snapshot); every hold is committed before the MTA heard 250.
CAL=$(seq -s, 0 9)
cat "$E2E_RUN/cal.jsonl" "$OUT" >"$E2E_RUN/all.jsonl"
"$E2E_PY" tests/soak/account.py "$E2E_RUN/all.jsonl" "$E2E_RUN/sink/dump" "$FS/store.db" "$CAL" \
	>"$E2E_RUN/account.txt" 2>&1
rc=$?
sed 's/^/# /' "$E2E_RUN/account.txt" >&2
e2e_is "$rc" 0 "every Message-ID accounted for: 0 lost, 0 duplicated, 0 policy, 0 ghost"
e2e_check "faults happened: kills" test "$KILLS" -gt 0
e2e_check "faults happened: the disk was full" test -n "$FULL_DONE"
e2e_check "geo files rewritten in place under load" test "$GEO_REWRITES" -gt 0
e2e_is "$CRASHES" 0 "the milter never died but by our kills"
e2e_check "the client was answered 4xx and retried" test "$(grep -c '"attempts": 1,' "$OUT")" -lt "$N"

# Memory of the last incarnation: the median of its second quarter of
# samples against the median of its last quarter.
LAST=$(cat "$D/pid")
"$E2E_PY" - "$E2E_RUN/rss.txt" "$LAST" >"$E2E_RUN/rss-summary.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 4]
mine = [(int(t), int(r), int(n)) for t, p, r, n in rows if p == sys.argv[2]]
allr = [int(r) for t, p, r, n in rows]
q = max(1, len(mine) // 4)
early = statistics.median(r for _, r, _ in mine[q:2 * q]) if len(mine) >= 4 else 0
late = statistics.median(r for _, r, _ in mine[-q:]) if len(mine) >= 4 else 0
print("rss_samples %d last_incarnation_samples %d" % (len(rows), len(mine)))
print("rss_max_kb %d" % max(allr or [0]))
print("rss_last_incarnation_early_kb %d late_kb %d messages %d-%d"
      % (early, late, mine[q][2] if mine else 0, mine[-1][2] if mine else 0))
flat = len(mine) >= 4 and late <= early * 1.2 + 4096
print("rss_flat %s" % ("yes" if flat else "no"))
sys.exit(0 if flat else 1)
PY
rc=$?
sed 's/^/# /' "$E2E_RUN/rss-summary.txt" >&2
e2e_is "$rc" 0 "memory flat on the last incarnation"
{
	echo "soak: $N messages in $((T1 - T0)) s, $THREADS connections, $KILLS kills (SIGKILL),"
	echo "store full for $FULL_SECS s at $FULL_AT messages; geo files rewritten in place"
	echo "$GEO_REWRITES times (SIGHUP every other time); crashes: $CRASHES"
	cat "$E2E_RUN/account.txt" "$E2E_RUN/rss-summary.txt"
} >"$E2E_RUN/summary.txt"
cat "$E2E_RUN/summary.txt"
# kept through SQLite's backup: a plain cp of the file without its -wal,
# the milter still running, misses the last transactions (holds that
# the books above counted would look lost in the copy)
"$E2E_PY" -c 'import sqlite3, sys
sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).backup(sqlite3.connect(sys.argv[2]))' \
	"$FS/store.db" "$E2E_RUN/store.db" 2>/dev/null
e2e_done
