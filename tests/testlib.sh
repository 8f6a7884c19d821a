# tests/testlib.sh - counters for shell test suites (sourced).
# ok NAME / not_ok NAME [DETAIL] / check NAME CMD... / summary
# summary prints "N passed, M failed" and returns non-zero on a failure.
# Sourced from the top of the checkout, it also sets TOP (that checkout),
# B (the build directory as an absolute path; BUILD, default build), BIN
# (the grondslag command), MILTER (grondslag-milter) and PY (python3).
BUILD=${BUILD:-build}
TOP=$(pwd)
case $BUILD in /*) B=$BUILD ;; *) B=$TOP/$BUILD ;; esac
BIN=$B/grondslag
MILTER=$B/grondslag-milter
PY=/usr/bin/python3
T_PASS=0
T_FAIL=0

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $1"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/    # /'
	return 0
}

# check NAME CMD...: ok when CMD exits 0.
check() {
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# start_refused CONF ERR: start grondslag-milter -f on CONF (stderr in
# ERR); 0 when it exits by itself within 10 s with a non-zero status, 1
# when it exits 0, 2 when it is still running (it is then stopped).
start_refused() {
	"$MILTER" -f -c "$1" >/dev/null 2>"$2" &
	_sr_pid=$!
	for _sr_i in $(seq 1 100); do
		kill -0 $_sr_pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $_sr_pid 2>/dev/null; then
		kill -TERM $_sr_pid
		wait $_sr_pid
		return 2
	fi
	wait $_sr_pid && return 1
	return 0
}

# min_conf DATABASE DIR: a minimal daemon configuration on stdout (the
# sample registry unsigned, no geo data, DATABASE, the spool directory
# and milter socket under DIR, no user, pid file, notice or release
# relay); a suite appends its own lines.
min_conf() {
	cat <<CONF
Registry $TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase
GeoASNDatabase
Database $1
SpoolDirectory $2/spool
Socket unix:$2/milter.sock
UserID
PidFile
NoticeRelay
ReleaseRelay
CONF
}

# refuses_to_run WHAT CONF WANT ERR: grondslag-milter ($MILTER) with -n,
# then started, on CONF: each exits non-zero by itself (no signal) and
# says WANT; two checks named after WHAT ("without libpq5"); stderr in
# ERR.n and ERR.start.
refuses_to_run() {
	"$MILTER" -n -c "$2" >/dev/null 2>"$4.n"
	_rr=$?
	[ $_rr != 0 ] && [ $_rr -lt 128 ] && grep -qF "$3" "$4.n" &&
		ok "$1: grondslag-milter -n refuses, says why" ||
		not_ok "$1: grondslag-milter -n" "rc $_rr: $(cat "$4.n")"
	start_refused "$2" "$4.start"
	_rr=$?
	[ $_rr = 0 ] && grep -qF "$3" "$4.start" &&
		ok "$1: grondslag-milter does not start, says why" ||
		not_ok "$1: a start" "rc $_rr: $(cat "$4.start")"
}

summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
