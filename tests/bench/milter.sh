#!/bin/sh
# tests/bench/milter.sh - make bench for grondslag-milter (issue 4).
#
#   BUILD=build sh tests/bench/milter.sh
#
# Everything runs on fresh private instances (tests/e2e/lib.sh, whose trap
# stops all of it) with the milter on a unix socket (no Nagle stalls):
#
#  1. throughput (tests/bench/relay.sh legs: smtp-source, 10 sessions,
#     2,000 messages): clean 5 KB mail without addresses through Postfix
#     alone, with grondslag-milter, and with a do-nothing libmilter filter
#     of the same callbacks and protocol steps (the floor any libmilter
#     filter pays: protocol commands, a thread per connection), first one
#     message per SMTP connection (smtp-source's default, recipes.md 4),
#     then through 10 connections that stay open (-d), which shows what a
#     new connection costs; then the mix with 10% incident mail (5%
#     delivered with a share record, 5% held: discarded from the queue and
#     stored), alone and with grondslag.  A message counts when complete
#     (removed after delivery, or milter-discard).
#     Legs alternate, BENCH_RUNS rounds (3): median, every run, the ratio
#     of the medians and the per-round ratios.  Also measured per leg:
#     milter CPU (utime+stime) per message and fsync/fdatasync calls of
#     the milter (perf tracepoints): clean mail must not fsync.  When the
#     clean ratio is under 0.90, one more clean leg runs under perf record
#     and the milter's profile by library is printed.
#  2. latency added at the milter, timed by a milter-protocol client on
#     the socket (one connection per message, as Postfix does per SMTP
#     session): "eom" is EOM sent -> final reply (scan, decision, store,
#     actions), "all" connect -> final reply (whole conversation, body
#     transfer included), "ms=" the milter's own log field (eom work,
#     whole milliseconds).  20 KB clean message (BENCH_LAT_SMALL, 200),
#     10 MB message with a zipped CSV of 100,000 addresses (BENCH_LAT_BIG, 10).
#  3. VmRSS of the milter every 1,000 messages over a BENCH_RSS_MESSAGES
#     (20,000) mix run through Postfix: the series, first/last/max.
# Ends with a summary block.  Not part of make check (no timing
# assertions); exit status 0 when every leg completed.  Needs smtp-source
# (postfix), python3; perf and a C compiler with libmilter are optional
# (fsync counts, profile, the do-nothing filter).
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
E2E_SUITE_TIMEOUT=${E2E_SUITE_TIMEOUT:-1200}
e2e_init bench-milter
BENCH_RELAY_LIB=1
. tests/bench/relay.sh
RUNS=${BENCH_RUNS:-3}
RSS_N=${BENCH_RSS_MESSAGES:-20000}
LAT_SMALL=${BENCH_LAT_SMALL:-200}
LAT_BIG=${BENCH_LAT_BIG:-10}
BIN=$E2E_BUILD/grondslag-milter
GEO=$E2E_BUILD/geo-test
D=$E2E_RUN/milter
R=$E2E_RUN/results
BENCH_MSGDIR=$E2E_RUN/msg
mkdir -p "$D/spool" "$R" || exit 1
e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$GEO" || e2e_done
e2e_check "bench messages built" bench_messages "$BENCH_MSGDIR" || e2e_done
E2E_MILTER_GEO=$GEO e2e_milter_conf "$D" "unix:$D/milter.sock" "$D/store.db" "SocketMode 0666"
e2e_proc_start milter "$BIN" -f -c "$D/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter socket" test -S "$D/milter.sock" || e2e_done
MPID=$(cat "$E2E_RUN/milter/pid")
MLOG=$E2E_RUN/milter/out
TCK=$(getconf CLK_TCK)
HAVE_PERF=""
perf stat -e syscalls:sys_enter_fdatasync -- true >/dev/null 2>&1 && HAVE_PERF=1

# The do-nothing libmilter filter: the same callbacks, flags and
# protocol steps as grondslag-milter on a unix socket (no replies before
# the end of message, no HELO, DATA, end-of-headers or unknown commands),
# every one answering continue.  What it costs is what any libmilter
# filter pays here: the floor.  Built here because it is a measuring instrument of
# this bench only.
NULLBIN=$E2E_RUN/null-milter
cat >"$E2E_RUN/null-milter.c" <<'C'
#include <stddef.h>
#include <libmilter/mfapi.h>
#define NR (SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_BODY)
#define WANT (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_DELRCPT)
static sfsistat n_conn(SMFICTX *x, char *h, _SOCK_ADDR *a) { (void)x; (void)h; (void)a; return SMFIS_NOREPLY; }
static sfsistat n_argv(SMFICTX *x, char **v) { (void)x; (void)v; return SMFIS_NOREPLY; }
static sfsistat n_hdr(SMFICTX *x, char *n, char *v) { (void)x; (void)n; (void)v; return SMFIS_NOREPLY; }
static sfsistat n_ctx(SMFICTX *x) { (void)x; return SMFIS_CONTINUE; }
static sfsistat n_body(SMFICTX *x, unsigned char *b, size_t l) { (void)x; (void)b; (void)l; return SMFIS_NOREPLY; }
static sfsistat n_neg(SMFICTX *x, unsigned long f0, unsigned long f1, unsigned long f2,
		      unsigned long f3, unsigned long *p0, unsigned long *p1, unsigned long *p2,
		      unsigned long *p3)
{
	(void)x; (void)f2; (void)f3;
	/* like grondslag: every NR step or none (the callbacks answer NOREPLY) */
	if ((f0 & WANT) != WANT || (f1 & NR) != NR)
		return SMFIS_REJECT;
	*p0 = WANT;
	*p1 = f1 & (NR | SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NOEOH);
	*p2 = *p3 = 0;
	return SMFIS_CONTINUE;
}
int main(int argc, char **argv)
{
	struct smfiDesc d = {"null", SMFI_VERSION, WANT, n_conn, NULL, n_argv, n_argv, n_hdr,
			     NULL, n_body, n_ctx, n_ctx, n_ctx, NULL, NULL, n_neg};
	if (argc < 2 || smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(d) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return 1;
	return smfi_main();
}
C
NULLSPEC=""
if cc -O2 -o "$NULLBIN" "$E2E_RUN/null-milter.c" -lmilter -pthread >"$E2E_RUN/null-milter.err" 2>&1; then
	(umask 0 && e2e_proc_start null "$NULLBIN" "unix:$E2E_RUN/null.sock")
	e2e_started "proc:null"
	e2e_wait_until 10 "null milter socket" test -S "$E2E_RUN/null.sock" &&
		NULLSPEC=unix:$E2E_RUN/null.sock
	NPID=$(cat "$E2E_RUN/null/pid")
else
	e2e_diag "no do-nothing reference filter: $(head -n 1 "$E2E_RUN/null-milter.err")"
fi

# CPU ticks (utime + stime) of PID (default: the milter) so far.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/${1:-$MPID}/stat" 2>/dev/null
}

# VmRSS of the milter in kB.
rss() {
	awk '/^VmRSS/ { print $2 }' "/proc/$MPID/status"
}

# Start counting the milter's fsync/fdatasync calls (all its threads).
fsync_start() {
	FS_PID=""
	[ -n "$HAVE_PERF" ] || return 0
	perf stat -x, -o "$R/fsync.out" -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync \
		-p "$MPID" >/dev/null 2>&1 &
	FS_PID=$!
	sleep 0.3
}

# Stop counting; print the number of calls ("n/a" without perf).
fsync_stop() {
	if [ -z "$FS_PID" ]; then
		echo n/a
		return 0
	fi
	kill -INT "$FS_PID" 2>/dev/null
	wait "$FS_PID" 2>/dev/null
	awk -F, '/syscalls:/ { n += $1 } END { print n + 0 }' "$R/fsync.out"
}

# One measured leg: KEY LABEL MILTER KIND.  Appends the rate to
# $R/KEY.rate; for milter legs, the filter's CPU ms per message to
# $R/KEY.cpu and grondslag-milter's fsync count to $R/KEY.fsync.
leg() {
	_lg_pid=$MPID
	[ -z "$3" ] || [ "$3" != "$NULLSPEC" ] || _lg_pid=$NPID
	_lg_c0=$(cpu_ticks "$_lg_pid")
	[ -z "$3" ] || fsync_start
	bench_leg "$2" "$3" "$4" || { [ -z "$3" ] || fsync_stop >/dev/null; return 1; }
	echo "$BENCH_RATE" >>"$R/$1.rate"
	echo "$BENCH_CPU" >>"$R/$1.sys"
	if [ -n "$3" ]; then
		fsync_stop >>"$R/$1.fsync"
		awk -v a="$_lg_c0" -v b="$(cpu_ticks "$_lg_pid")" -v t="$TCK" \
			-v n="$BENCH_MESSAGES" 'BEGIN { printf "%.2f\n", (b - a) * 1000 / t / n }' >>"$R/$1.cpu"
	fi
	echo "# $2: $BENCH_RATE msg/s" >&2
}

# Median of the numbers in FILE.
median() {
	sort -n "$1" 2>/dev/null | awk '{ v[NR] = $1 } END { if (NR == 0) { print 0; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The numbers of FILE on one line.
values() {
	tr '\n' ' ' <"$1" 2>/dev/null | sed 's/ $//'
}

# A / B with two decimals (0 when B is 0).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'
}

# Ratios of line i of FILE A to line i of FILE B (the paired runs).
paired() {
	paste "$1" "$2" 2>/dev/null | awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), ($2 > 0 ? $1 / $2 : 0) }'
}

# 1. Throughput.
echo "== throughput: $RUNS alternating rounds, $BENCH_SESSIONS sessions x $BENCH_MESSAGES messages"
i=1
while [ "$i" -le "$RUNS" ]; do
	leg clean.base "round $i clean, postfix alone" "" clean
	leg clean.milter "round $i clean, grondslag-milter" "unix:$D/milter.sock" clean
	[ -z "$NULLSPEC" ] || leg clean.null "round $i clean, do-nothing filter" "$NULLSPEC" clean
	leg long.base "round $i long sessions, postfix alone" "" long
	leg long.milter "round $i long sessions, grondslag-milter" "unix:$D/milter.sock" long
	[ -z "$NULLSPEC" ] || leg long.null "round $i long sessions, do-nothing filter" "$NULLSPEC" long
	leg mix.base "round $i mix, postfix alone" "" mix
	leg mix.milter "round $i mix, grondslag-milter" "unix:$D/milter.sock" mix
	i=$((i + 1))
done
CB=$(median "$R/clean.base.rate")
CM=$(median "$R/clean.milter.rate")
CN=$(median "$R/clean.null.rate")
LB=$(median "$R/long.base.rate")
LM=$(median "$R/long.milter.rate")
LN=$(median "$R/long.null.rate")
MB=$(median "$R/mix.base.rate")
MM=$(median "$R/mix.milter.rate")
CR=$(ratio "$CM" "$CB")
MR=$(ratio "$MM" "$MB")
VERDICT=$(awk -v r="$CR" 'BEGIN { print (r >= 0.90 ? "meets" : "BELOW") }')

# The profile, only when the target is missed: where the milter's CPU goes.
PROFILE=""
if [ "$VERDICT" = BELOW ] && [ -n "$HAVE_PERF" ]; then
	perf record -F 999 -o "$R/perf.data" -p "$MPID" >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.3
	BENCH_MESSAGES=1000 bench_leg "profile leg (clean, under perf record)" "unix:$D/milter.sock" clean
	kill -INT "$PERF_PID" 2>/dev/null
	wait "$PERF_PID" 2>/dev/null
	PROFILE=$(perf report -i "$R/perf.data" --no-children --sort dso --stdio 2>/dev/null |
		awk '/^ *[0-9.]+%/ && n < 7 { sub(/^ +/, ""); printf "%s%s %s", (n ? ", " : ""), $1, $2; n++ }')
fi

# 2. Latency at the milter, from a milter-protocol client.
"$E2E_PY" - "$BENCH_MSGDIR" <<'PY'
import base64, io, random, sys, zipfile
d = sys.argv[1]
random.seed(1)
text = "".join("line %d of an ordinary report without addresses\n" % i for i in range(500))
open(d + "/m20k.eml", "w").write("From: a@ncsc.nl\nSubject: 20k\n\n" + text[:20000])
csv = "ip,seen\n" + "".join("194.7.%d.%d,2023-02-01\n" % (i // 250 % 256, i % 250 + 1)
                            for i in range(100000))
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("be.csv", csv)
b64 = base64.encodebytes(buf.getvalue()).decode()
words = ["report", "systems", "the", "of", "seen", "network", "and", "owner", "contact", "a"]
pad = []
size = 0
while size < 10_000_000 - len(b64):
    line = " ".join(random.choices(words, k=12)) + "\n"
    pad.append(line)
    size += len(line)
open(d + "/m10m.eml", "w").write(
    "From: a@ncsc.nl\nSubject: 10M\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
    + "".join(pad) + "\n--b\nContent-Type: application/zip; name=be.zip\n"
    "Content-Transfer-Encoding: base64\n\n" + b64 + "--b--\n")
PY

# p50 and p99 (nearest rank) of the numbers in FILE divided by DIV, in ms
# with DEC decimals.
pcts() {
	sort -n "$1" | awk -v div="$2" -v dec="$3" '{ v[NR] = $1 / div } END { if (NR == 0) { print "n=0"; exit }
		a = int(NR * 0.50 + 0.999999); b = int(NR * 0.99 + 0.999999)
		printf "p50 %." dec "f ms, p99 %." dec "f ms\n", v[a], v[b] }'
}

# Latency of FILE sent COUNT times to RCPT, qids PREFIXnnnnn: writes the
# client's and the milter's view as one line to $R/lat.PREFIX.sum.
latency() {
	_lt_out=$R/lat.$4
	"$E2E_PY" tests/bench/mclient.py "$D/milter.sock" "$1" "$2" "$3" "$4" >"$_lt_out" ||
		{ e2e_not_ok "latency $4: milter client failed"; return 1; }
	cut -d' ' -f2 "$_lt_out" >"$_lt_out.eom"
	cut -d' ' -f1 "$_lt_out" >"$_lt_out.all"
	grep -E ": $4[0-9]{5}: verdict=" "$MLOG" | sed -n 's/.* ms=\([0-9]*\).*/\1/p' >"$_lt_out.ms"
	_lt_rep=$(cut -d' ' -f3 "$_lt_out" | sort | uniq -c | awk '{ printf "%s%s=%s", (NR > 1 ? "," : ""), $2, $1 }')
	e2e_is "$(wc -l <"$_lt_out" | tr -d ' ')" "$2" "latency $4: every message answered"
	echo "n=$2 replies=$_lt_rep; eom $(pcts "$_lt_out.eom" 1000 2); all $(pcts "$_lt_out.all" 1000 2); ms= field $(pcts "$_lt_out.ms" 1 0)" >"$_lt_out.sum"
}
echo "== latency at the milter"
latency "$BENCH_MSGDIR/m20k.eml" "$LAT_SMALL" cert@cert.be LATS
latency "$BENCH_MSGDIR/m10m.eml" "$LAT_BIG" cert@cert.be LATB
LAT20=$(cat "$R/lat.LATS.sum" 2>/dev/null)
LAT10=$(cat "$R/lat.LATB.sum" 2>/dev/null)

# 3. Memory over a long mix run, sampled every 1,000 completed messages
# (counted by the milter's decision lines) by a background sampler.
# shellcheck disable=SC2317 # run by e2e_proc_start
rss_sampler() {
	_rs_base=$1
	_rs_next=1000
	while [ "$_rs_next" -le "$RSS_N" ]; do
		_rs_n=$(($(grep -c ' ms=' "$MLOG") - _rs_base))
		if [ "$_rs_n" -ge "$_rs_next" ]; then
			echo "$_rs_next $(rss)" >>"$R/rss"
			_rs_next=$((_rs_next + 1000))
		else
			sleep 0.1
		fi
	done
}
echo "== memory over $RSS_N messages"
echo "0 $(rss)" >"$R/rss"
e2e_proc_start rss rss_sampler "$(grep -c ' ms=' "$MLOG")"
BENCH_MESSAGES=$RSS_N BENCH_TIMEOUT=900 leg rss "memory run, mix, grondslag-milter" \
	"unix:$D/milter.sock" mix
e2e_wait_until 10 "last RSS sample" sh -c "grep -q '^$RSS_N ' '$R/rss'"
e2e_proc_stop rss 5
RSS_SERIES=$(awk '{ printf "%s%d:%d", (NR > 1 ? " " : ""), $1, $2 }' "$R/rss")
RSS_STATS=$(awk 'NR == 1 { f = $2 } { l = $2; if ($2 > m) m = $2; if (NR == 2) w = $2 }
	END { printf "first %d kB, after 1,000 %d kB, last %d kB, max %d kB; last - after 1,000: %+d kB", f, w, l, m, l - w }' "$R/rss")

CLEAN_FSYNC=$(awk '{ n += $1 } END { print n + 0 }' "$R/clean.milter.fsync" 2>/dev/null)
[ -n "$HAVE_PERF" ] || CLEAN_FSYNC=n/a
MIX_FSYNC=$(values "$R/mix.milter.fsync")
# Incident messages per mix leg: 10% (5% delivered + 5% held).
# shellcheck disable=SC2017 # the same integer split as bench_leg
MIX_INC=$((BENCH_MESSAGES / 20 * 2))
cat <<EOF

== grondslag-milter bench summary ($(nproc) cores, unix socket, $RUNS alternating rounds per leg, msg/s end to end)
clean, $BENCH_SESSIONS sessions x $BENCH_MESSAGES x ${BENCH_SIZE} B without addresses:
  postfix alone            median $CB  runs $(values "$R/clean.base.rate")
  with grondslag-milter    median $CM  runs $(values "$R/clean.milter.rate")
  ratio (medians)          $CR  target >= 0.90: $VERDICT   per round: $(paired "$R/clean.milter.rate" "$R/clean.base.rate")
  do-nothing libmilter     median ${CN:-n/a}  runs $(values "$R/clean.null.rate")  ratio $(ratio "${CN:-0}" "$CB")  (floor of any libmilter filter)
  grondslag / do-nothing   $(ratio "$CM" "${CN:-0}")
  milter CPU per message   $(values "$R/clean.milter.cpu") ms (do-nothing filter: $(values "$R/clean.null.cpu") ms)
  milter fsync+fdatasync   $CLEAN_FSYNC during all clean legs (must be 0)
  machine CPU per message  postfix alone $(median "$R/clean.base.sys") ms, with grondslag $(median "$R/clean.milter.sys") ms, do-nothing $(median "$R/clean.null.sys") ms (medians)
  CPU-cost ratio           $(ratio "$(median "$R/clean.base.sys")" "$(median "$R/clean.milter.sys")")  (alone / with grondslag: the throughput ratio of a CPU-bound machine, blind to other guests' steal; do-nothing $(ratio "$(median "$R/clean.base.sys")" "$(median "$R/clean.null.sys")"))
clean through $BENCH_SESSIONS long sessions (smtp-source -d: a connection carries many messages):
  postfix alone            median $LB  runs $(values "$R/long.base.rate")
  with grondslag-milter    median $LM  runs $(values "$R/long.milter.rate")
  ratio (medians)          $(ratio "$LM" "$LB")   per round: $(paired "$R/long.milter.rate" "$R/long.base.rate")
  do-nothing libmilter     median ${LN:-n/a}  runs $(values "$R/long.null.rate")  ratio $(ratio "${LN:-0}" "$LB")
  machine CPU per message  postfix alone $(median "$R/long.base.sys") ms, with grondslag $(median "$R/long.milter.sys") ms, do-nothing $(median "$R/long.null.sys") ms
  CPU-cost ratio           $(ratio "$(median "$R/long.base.sys")" "$(median "$R/long.milter.sys")")  (do-nothing $(ratio "$(median "$R/long.base.sys")" "$(median "$R/long.null.sys")"))
mix, 10% incident ($((MIX_INC / 2)) delivered with a share record, $((MIX_INC / 2)) held, per leg):
  postfix alone            median $MB  runs $(values "$R/mix.base.rate")
  with grondslag-milter    median $MM  runs $(values "$R/mix.milter.rate")
  ratio (medians)          $MR   per round: $(paired "$R/mix.milter.rate" "$R/mix.base.rate")
  milter CPU per message   $(values "$R/mix.milter.cpu") ms
  milter fsync+fdatasync   $MIX_FSYNC per leg ($MIX_INC incident messages per leg; extra: WAL checkpoints)
EOF
[ -z "$PROFILE" ] || echo "  profile of the milter (perf, by library): $PROFILE"
cat <<EOF
latency at the milter (client on the unix socket, one connection per message; eom = EOM
sent -> final reply, all = connect -> final reply, ms= = the milter's own log field):
  20 KB clean              $LAT20
  10 MB + zipped CSV of 100,000 addresses   $LAT10
memory (VmRSS, kB, every 1,000 messages of a $RSS_N-message mix run at $(values "$R/rss.rate") msg/s; messages:kB):
  $RSS_SERIES
  $RSS_STATS
EOF
e2e_done
