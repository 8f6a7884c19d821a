# tests/e2e/lib.sh - end-to-end test harness for real MTAs (POSIX sh).
#
# Sourced by the e2e suites (tests/e2e/t-*.sh) and tests/bench/relay.sh,
# from the top of the work tree:
#
#	cd "$(dirname "$0")/../.." || exit 1
#	. tests/e2e/lib.sh
#	e2e_init my-suite
#	e2e_sink_start sink
#	E2E_SMTPD_MILTERS=unix:/path/milter.sock e2e_postfix_start pf sink
#	e2e_send pf sender@example.org a@example.net,b@example.net "hello"
#	e2e_check "delivered" e2e_wait_sent pf 2
#	e2e_done
#
# Every instance (smtp-sink, private Postfix, private Sendmail, syslog
# listener) has a NAME; its files live in $E2E_RUN/NAME/ (port, pid, logs,
# dump directory) and the trap set by e2e_init stops all of them on exit,
# failure or signal.  Nothing global is touched: Postfix gets its own
# config/queue/data directories and master.cf, Sendmail runs from the
# packages unpacked by tests/e2e/sendmail-setup.sh (never installed) in a
# private mount + UTS namespace where /dev/log is its own syslog listener.
#
# Public functions (all prefixed e2e_; details above each):
#   e2e_init SUITE             run dir, counters, traps, watchdog, deps
#   e2e_diag MSG...            "# MSG" on stderr
#   e2e_wait_until SECS DESC CMD...   poll CMD every 0.1 s, bounded
#   e2e_pick_port              print a free, reserved loopback port
#   e2e_listening PORT         true when something listens on 127.0.0.1:PORT
#   e2e_smtp_ready PORT        true when 127.0.0.1:PORT answers "220"
#   e2e_port NAME / e2e_dir NAME / e2e_maillog NAME   instance accessors
#   e2e_sink_start NAME / e2e_sink_stop NAME          smtp-sink with -d dumps
#   e2e_postfix_start NAME SINK / e2e_postfix_stop NAME
#   e2e_postfix NAME CMD ARGS...   run postqueue/postsuper/postcat/... -c DIR
#   e2e_sendmail_start NAME SINK / e2e_sendmail_stop NAME
#   e2e_sendmail NAME ARGS...  run the private sendmail binary (-bp, -q, ...)
#   e2e_tmpfs DIR MB           a private tmpfs of MB megabytes on DIR (a
#                              store's disk to fill), unmounted on exit
#   e2e_proc_start NAME CMD... / e2e_proc_stop NAME [SECS]   any daemon
#                              (a milter) in the background, stopped on exit
#   e2e_send TARGET FROM TO[,TO] FILE|BODY [SWAKS-ARGS]  swaks, transcript kept
#   e2e_reply_code [FILE]      last SMTP reply code of a transcript
#   e2e_wait_log NAME ERE N [SECS]     N matching lines in NAME's maillog
#   e2e_sent_count NAME        recipients delivered (status=sent / stat=Sent)
#   e2e_wait_sent NAME N [SECS]        wait until N recipients delivered
#   e2e_wait_sink NAME N [SECS]        N complete dump files in the sink
#   e2e_sink_count NAME        number of messages in the sink
#   e2e_sink_rcpts NAME        sorted envelope recipients seen by the sink
#   e2e_sink_has_header NAME ERE       a dumped message has such a header
#   e2e_queue_count NAME [QUEUE]       messages queued (Postfix or Sendmail)
#   e2e_ok / e2e_not_ok / e2e_check / e2e_is    the pass/fail counter
#   e2e_recount FILE [PREFIX]  count a client's "ok - " lines as ours
#   e2e_milter_conf DIR SOCKET DATABASE [LINE...]   a plain test milter config
#                              (and its new store, made by e2e_store_init)
#   e2e_store_init CONF        grondslag store init -c CONF (the daemon
#                              never creates a store)
#   e2e_done                   print "N passed, M failed", exit status
#   e2e_cleanup                stop everything (the trap calls it)
#
# Variables read: BUILD (default build), E2E_KEEP=1 keeps the run dir even
# when everything passed, E2E_SUITE_TIMEOUT (default 300 s: watchdog),
# E2E_SMTPD_MILTERS / E2E_NON_SMTPD_MILTERS / E2E_POSTCONF (Postfix),
# E2E_SM_MILTER / E2E_SM_MILTER_NAME (Sendmail), E2E_SINK_ARGS /
# E2E_SINK_NODUMP (smtp-sink), GRONDSLAG_SM_CACHE, E2E_PORT_LOCKS.
# Limits: IPv4 loopback only; every wait is bounded; ports 20000-31999.

E2E_PORT_LOCKS=${E2E_PORT_LOCKS:-/tmp/grondslag-e2e-ports}
E2E_SM_CACHE=${GRONDSLAG_SM_CACHE:-/var/cache/grondslag-test/sendmail}
# The system python (a pyenv shim in PATH costs ~0.25 s per start).
if [ -x /usr/bin/python3 ]; then E2E_PY=/usr/bin/python3; else E2E_PY=python3; fi
E2E_PASS=0
E2E_FAIL=0
E2E_N=0
E2E_STARTED=""
E2E_SENDS=0
E2E_TRANSCRIPT=""
E2E_WATCHDOG=""
E2E_CLEANED=""
E2E_DONE=""

# "# MSG" on stderr: diagnostics that never count as results.
e2e_diag() {
	echo "# $*" >&2
}

# Install the packages providing the commands the harness uses, if missing.
e2e_require() {
	_rq_missing=""
	for _rq in postfix:postfix smtp-sink:postfix swaks:swaks python3:python3 \
		ss:iproute2 pgrep:procps unshare:util-linux flock:util-linux; do
		command -v "${_rq%%:*}" >/dev/null 2>&1 ||
			[ -x "/usr/sbin/${_rq%%:*}" ] || _rq_missing="$_rq_missing ${_rq#*:}"
	done
	[ -n "$_rq_missing" ] || return 0
	e2e_diag "installing:$_rq_missing"
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections 2>/dev/null
	apt-get update -qq >/dev/null 2>&1
	# shellcheck disable=SC2046 # one word per package, on purpose
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(echo "$_rq_missing" | tr ' ' '\n' | sort -u) >/dev/null
}

# Set up a suite: absolute run dir $E2E_RUN=$BUILD/e2e/SUITE-PID, counters,
# the cleanup trap (EXIT, HUP, INT, TERM) and a watchdog that ends a suite
# still running after $E2E_SUITE_TIMEOUT seconds.  Call once, first.
e2e_init() {
	E2E_SUITE=$1
	E2E_TOP=$(pwd)
	case ${BUILD:=build} in
	/*) E2E_BUILD=$BUILD ;;
	*) E2E_BUILD=$E2E_TOP/$BUILD ;;
	esac
	E2E_RUN=$E2E_BUILD/e2e/$E2E_SUITE-$$
	rm -rf "$E2E_RUN"
	mkdir -p "$E2E_RUN" "$E2E_PORT_LOCKS" || exit 1
	e2e_sweep_ports
	# Postfix and smtp-sink run as user postfix and must reach their dirs.
	chmod 755 "$E2E_BUILD" "$E2E_BUILD/e2e" "$E2E_RUN" 2>/dev/null
	PATH=$PATH:/usr/sbin:/sbin
	export PATH
	trap 'e2e_cleanup' EXIT
	trap 'e2e_diag "signal HUP"; exit 129' HUP
	trap 'e2e_diag "signal INT"; exit 130' INT
	trap 'e2e_diag "signal TERM"; exit 143' TERM
	e2e_require || { e2e_diag "cannot install what the harness needs"; exit 1; }
	_wd_pid=$$
	(
		trap - EXIT HUP INT TERM
		sleep "${E2E_SUITE_TIMEOUT:-300}"
		# e2e_cleanup creates .done, then ends our sleep: not a timeout.
		[ -e "$E2E_RUN/.done" ] && exit 0
		echo "watchdog: suite $E2E_SUITE exceeded ${E2E_SUITE_TIMEOUT:-300} s" \
			>"$E2E_RUN/.watchdog"
		# The shell runs its TERM trap only once its foreground child is
		# gone: signal it, then end its children (this subshell last).
		kill -TERM "$_wd_pid" 2>/dev/null
		pkill -TERM -P "$_wd_pid" 2>/dev/null
	) >/dev/null 2>&1 &
	E2E_WATCHDOG=$!
}

# Poll "CMD..." every 0.1 s until it succeeds or SECS seconds have passed;
# on timeout print "timeout (SECS s): DESC" and return 1.
e2e_wait_until() {
	_wu_secs=$1
	_wu_desc=$2
	shift 2
	_wu_end=$(($(date +%s) + _wu_secs))
	while ! "$@"; do
		if [ "$(date +%s)" -ge "$_wu_end" ]; then
			e2e_diag "timeout (${_wu_secs} s): $_wu_desc"
			return 1
		fi
		sleep 0.1
	done
	return 0
}

# True when a TCP socket can be bound to 127.0.0.1:PORT right now.
e2e_port_free() {
	"$E2E_PY" -I -S - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.close()
EOF
}

# Print a loopback port that binds now and is reserved for this suite: a
# directory $E2E_PORT_LOCKS/PORT (mkdir is atomic) holding our PID, so
# parallel runs never pick the same port; stale reservations of dead PIDs
# are taken over.  Released by e2e_cleanup.  Start is random, range
# 20000-31999 (below the kernel's ephemeral range).
e2e_pick_port() {
	_pp_port=$((20000 + ($$ * 7 + $(date +%N | sed 's/^0*//;s/^$/0/') / 1000) % 12000))
	_pp_tries=0
	while [ $_pp_tries -lt 400 ]; do
		_pp_tries=$((_pp_tries + 1))
		_pp_port=$((_pp_port + 1))
		[ $_pp_port -le 31999 ] || _pp_port=20000
		_pp_lock=$E2E_PORT_LOCKS/$_pp_port
		if ! mkdir "$_pp_lock" 2>/dev/null; then
			_pp_owner=$(cat "$_pp_lock/pid" 2>/dev/null)
			# Empty owner: another run is between mkdir and writing its pid.
			[ -n "$_pp_owner" ] || continue
			kill -0 "$_pp_owner" 2>/dev/null && continue
			rm -rf "$_pp_lock"
			mkdir "$_pp_lock" 2>/dev/null || continue
		fi
		echo $$ >"$_pp_lock/pid"
		if e2e_port_free $_pp_port; then
			echo $_pp_port
			return 0
		fi
		rm -rf "$_pp_lock"
	done
	e2e_diag "no free port found"
	return 1
}

# Remove port reservations whose suite is gone (killed with SIGKILL), and
# any left without an owner for over a minute (killed between mkdir and
# writing its pid).
e2e_sweep_ports() {
	for _sw in "$E2E_PORT_LOCKS"/*/pid; do
		[ -f "$_sw" ] || continue
		_sw_owner=$(cat "$_sw" 2>/dev/null)
		[ -n "$_sw_owner" ] && ! kill -0 "$_sw_owner" 2>/dev/null &&
			rm -rf "${_sw%/pid}"
	done
	find "$E2E_PORT_LOCKS" -mindepth 1 -maxdepth 1 -type d -mmin +1 \
		! -exec test -s '{}/pid' ';' -exec rm -rf '{}' + 2>/dev/null
}

# Release the port reservations of this suite (found by our PID, so
# reservations made in $(...) subshells are released too).
e2e_release_ports() {
	for _rp in "$E2E_PORT_LOCKS"/*/pid; do
		[ "$(cat "$_rp" 2>/dev/null)" = $$ ] && rm -rf "${_rp%/pid}"
	done
}

# True when a socket listens on 127.0.0.1:PORT (ss, no connection made).
e2e_listening() {
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

# True when 127.0.0.1:PORT sends an SMTP "220" greeting within 3 s.
e2e_smtp_ready() {
	"$E2E_PY" -I -S - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3)
s.settimeout(3)
ok = s.recv(512).startswith(b"220")
try:
    s.sendall(b"QUIT\r\n"); s.recv(512)
except OSError:
    pass
s.close()
sys.exit(0 if ok else 1)
EOF
}

# Print the port of instance NAME.
e2e_port() {
	cat "$E2E_RUN/$1/port"
}

# Print TARGET when it is a port number, else the port of instance TARGET.
e2e_target_port() {
	case $1 in
	'' | *[!0-9]*) e2e_port "$1" ;;
	*) echo "$1" ;;
	esac
}

# Print the directory of instance NAME.
e2e_dir() {
	echo "$E2E_RUN/$1"
}

# Print the mail log file of MTA instance NAME (Postfix or Sendmail).
e2e_maillog() {
	if [ -f "$E2E_RUN/$1/sendmail.cf" ]; then
		echo "$E2E_RUN/$1/maillog"
	else
		echo "$E2E_RUN/$1/log/maillog"
	fi
}

# Remember a started instance (KIND:NAME) for e2e_cleanup, newest first.
e2e_started() {
	E2E_STARTED="$1 $E2E_STARTED"
}

# Forget a stopped instance.
e2e_stopped() {
	_st_new=""
	for _st in $E2E_STARTED; do
		[ "$_st" = "$1" ] || _st_new="$_st_new $_st"
	done
	E2E_STARTED=$_st_new
}

# Send SIGTERM to PID, wait up to SECS (default 10) for it to be gone,
# then SIGKILL it.  Only for processes this suite started.
e2e_kill_wait() {
	_kw_pid=$1
	[ -n "$_kw_pid" ] || return 0
	kill -TERM "$_kw_pid" 2>/dev/null || return 0
	e2e_wait_until "${2:-10}" "pid $_kw_pid to exit" e2e_pid_gone "$_kw_pid" && return 0
	kill -KILL "$_kw_pid" 2>/dev/null
	e2e_wait_until 5 "pid $_kw_pid to die" e2e_pid_gone "$_kw_pid"
}

# True when PID no longer exists (or is a zombie of ours, reaped by wait).
e2e_pid_gone() {
	kill -0 "$1" 2>/dev/null || return 0
	case $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) in
	Z) wait "$1" 2>/dev/null; return 0 ;;
	esac
	return 1
}

# Start smtp-sink NAME on a free port, dumping each message to a file in
# $E2E_RUN/NAME/dump/ (owned by postfix, as the sink runs as postfix);
# wait (15 s max) until it answers.  Port: e2e_port NAME.  Optional
# E2E_SINK_ARGS are passed to smtp-sink (e.g. "-w 5" to slow it down);
# E2E_SINK_NODUMP=1 keeps nothing (benchmarks: count the MTA's log).
e2e_sink_start() {
	_ss_name=$1
	_ss_dir=$E2E_RUN/$1
	mkdir -p "$_ss_dir/dump" || return 1
	chown postfix "$_ss_dir/dump"
	_ss_port=$(e2e_pick_port) || return 1
	echo "$_ss_port" >"$_ss_dir/port"
	# Registered first: a signal now must still find it in cleanup.
	e2e_started "sink:$1"
	if [ "${E2E_SINK_NODUMP:-0}" = 1 ]; then
		set -- "$1"
	else
		set -- "$1" -d "$_ss_dir/dump/%Y%m%d%H%M%S."
	fi
	shift
	# shellcheck disable=SC2086
	smtp-sink -u postfix ${E2E_SINK_ARGS:-} "$@" \
		127.0.0.1:"$_ss_port" 256 >"$_ss_dir/sink.out" 2>&1 &
	echo $! >"$_ss_dir/pid"
	e2e_wait_until 15 "smtp-sink $_ss_name on port $_ss_port" e2e_smtp_ready "$_ss_port"
}

# Stop smtp-sink NAME and wait until it is gone.
e2e_sink_stop() {
	e2e_kill_wait "$(cat "$E2E_RUN/$1/pid" 2>/dev/null)" 10
	e2e_stopped "sink:$1"
}

# Write the master.cf of a private Postfix: every chroot column "n" (the
# Debian default y would chroot smtpd into the private queue dir), the
# smtpd on 127.0.0.1:PORT and postlogd for logging without syslog.
e2e_postfix_mastercf() {
	cat <<EOF
127.0.0.1:$1 inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
EOF
}

# Start a private Postfix NAME relaying everything to sink SINK (an
# instance name, default "sink", or a port on 127.0.0.1): own
# config_directory ($E2E_RUN/NAME/etc), queue_directory (spool),
# data_directory (data), log/maillog via postlogd.  Milters come from
# E2E_SMTPD_MILTERS and E2E_NON_SMTPD_MILTERS (Postfix syntax, e.g.
# inet:127.0.0.1:9901 or unix:/path), with milter_default_action=tempfail
# and milter_protocol=6; E2E_POSTCONF holds extra "key = value" lines.
# smtpd runs as user postfix (no chroot): a milter's unix socket must be
# connectable by it (e.g. created under umask 0).  Waits (20 s max) until
# the smtpd answers "220".  Port: e2e_port NAME.
e2e_postfix_start() {
	_pf_dir=$E2E_RUN/$1
	_pf_sink=$(e2e_target_port "${2:-sink}") || return 1
	mkdir -p "$_pf_dir/etc" "$_pf_dir/spool" "$_pf_dir/data" "$_pf_dir/log" || return 1
	chown postfix:postfix "$_pf_dir/data"
	_pf_port=$(e2e_pick_port) || return 1
	echo "$_pf_port" >"$_pf_dir/port"
	: >"$_pf_dir/etc/main.cf"
	e2e_postfix_mastercf "$_pf_port" >"$_pf_dir/etc/master.cf"
	postconf -c "$_pf_dir/etc" -e "compatibility_level = 3.6" \
		"config_directory = $_pf_dir/etc" "queue_directory = $_pf_dir/spool" \
		"data_directory = $_pf_dir/data" "mail_owner = postfix" \
		"setgid_group = postdrop" "syslog_name = postfix-$1" \
		"myhostname = mta.example.test" "mydomain = example.test" \
		'myorigin = $myhostname' "mydestination =" "local_recipient_maps =" \
		"alias_maps =" "alias_database =" "inet_interfaces = 127.0.0.1" \
		"inet_protocols = ipv4" "mynetworks = 127.0.0.0/8" \
		"smtpd_relay_restrictions = permit_mynetworks, reject" \
		"relayhost = [127.0.0.1]:$_pf_sink" "smtp_host_lookup = native" \
		"smtp_dns_support_level = disabled" \
		"smtpd_milters = ${E2E_SMTPD_MILTERS:-}" \
		"non_smtpd_milters = ${E2E_NON_SMTPD_MILTERS:-}" \
		"milter_default_action = tempfail" "milter_protocol = 6" \
		"maillog_file = $_pf_dir/log/maillog" "maillog_file_prefixes = $_pf_dir" \
		'smtpd_banner = $myhostname ESMTP' "smtp_tls_security_level = none" \
		"smtpd_tls_security_level = none" "default_process_limit = 50" \
		"queue_run_delay = 300s" "minimal_backoff_time = 300s" \
		"maximal_backoff_time = 600s" "smtp_connect_timeout = 10s" ||
		return 1
	if [ -n "${E2E_POSTCONF:-}" ]; then
		echo "$E2E_POSTCONF" | while IFS= read -r _pf_kv; do
			[ -z "$_pf_kv" ] || postconf -c "$_pf_dir/etc" -e "$_pf_kv" || exit 1
		done || return 1
	fi
	# Postfix waits (~2.5 s, polling) until main.cf is a few seconds old
	# before it reads it (a file being written); ours is complete, so age it.
	touch -d '30 seconds ago' "$_pf_dir/etc/main.cf" "$_pf_dir/etc/master.cf"
	# start runs the integrity check, which creates the queue subdirectories.
	e2e_started "postfix:$1"
	postfix -c "$_pf_dir/etc" start >"$_pf_dir/start.out" 2>&1 || {
		e2e_diag "postfix $1 start failed: $(cat "$_pf_dir/start.out")"
		return 1
	}
	e2e_wait_until 20 "postfix $1 on port $_pf_port" e2e_smtp_ready "$_pf_port"
}

# Print the PID of instance NAME's Postfix master (empty when none).
e2e_postfix_master() {
	awk '{ print $1; exit }' "$E2E_RUN/$1/spool/pid/master.pid" 2>/dev/null
}

# True when no process of process group PGID is left.
e2e_pgrp_gone() {
	! pgrep -g "$1" >/dev/null 2>&1
}

# Stop private Postfix NAME the way "postfix stop" does (SIGTERM to the
# master), but poll every 0.1 s until every process of the instance (the
# master's process group: master calls setsid) is gone; after 10 s kill
# the group.
e2e_postfix_stop() {
	_ps_pid=$(e2e_postfix_master "$1")
	if [ -n "$_ps_pid" ] && kill -0 "$_ps_pid" 2>/dev/null; then
		kill -TERM "$_ps_pid" 2>/dev/null
		if ! e2e_wait_until 10 "postfix $1 to stop" e2e_pgrp_gone "$_ps_pid"; then
			kill -KILL -"$_ps_pid" 2>/dev/null
			e2e_wait_until 5 "postfix $1 to die" e2e_pgrp_gone "$_ps_pid"
		fi
	fi
	e2e_stopped "postfix:$1"
}

# Run a Postfix command-line tool against instance NAME, e.g.
# e2e_postfix pf postqueue -j; e2e_postfix pf postsuper -H ID.
e2e_postfix() {
	_px_dir=$E2E_RUN/$1/etc
	_px_cmd=$2
	shift 2
	"$_px_cmd" -c "$_px_dir" "$@"
}

# Write the wrapper $E2E_RUN/NAME/sm.sh that runs the unpacked sendmail in
# a private UTS namespace (FQDN hostname: without one every sendmail
# invocation sleeps 60 s) and a private mount namespace whose /dev is a
# tmpfs of symlinks to the real device nodes plus /dev/log pointing to this
# instance's syslog listener.  The sendmail process keeps the PID of the
# caller (unshare and sh exec).
e2e_sendmail_wrapper() {
	_sw_dir=$E2E_RUN/$1
	cat >"$_sw_dir/sm.sh" <<EOF
#!/bin/sh
# generated by tests/e2e/lib.sh: private sendmail $1
exec unshare -m -u --propagation private /bin/sh -c '
	mount --rbind /dev "\$0/hostdev" &&
	mount -t tmpfs -o mode=755,size=64k e2edev /dev &&
	for f in "\$0"/hostdev/*; do ln -s "\$f" /dev/ || exit 1; done &&
	ln -s "\$0/syslog.sock" /dev/log &&
	hostname smtest.example.test &&
	exec "$E2E_SM_CACHE/root/usr/libexec/sendmail/sendmail" -C "\$0/sendmail.cf" "\$@"
' "$_sw_dir" "\$@"
EOF
	chmod 755 "$_sw_dir/sm.sh"
	mkdir -p "$_sw_dir/hostdev"
}

# Build $E2E_RUN/NAME/sendmail.cf from tests/e2e/sendmail.mc.in with m4.
e2e_sendmail_cf() {
	_sc_dir=$E2E_RUN/$1
	_sc_milter=""
	if [ -n "${E2E_SM_MILTER:-}" ]; then
		_sc_milter="INPUT_MAIL_FILTER(\`${E2E_SM_MILTER_NAME:-grondslag}', \`$E2E_SM_MILTER')"
		# a second filter, called after the first
		[ -z "${E2E_SM_MILTER2:-}" ] ||
			_sc_milter="${_sc_milter}INPUT_MAIL_FILTER(\`second', \`$E2E_SM_MILTER2')"
		_sc_milter="${_sc_milter}dnl"
	fi
	# | is the sed delimiter: none of the substituted values contains one.
	sed -e "s|@SM_ROOT@|$E2E_SM_CACHE/root|g" -e "s|@RUN@|$_sc_dir|g" \
		-e "s|@PORT@|$2|g" -e "s|@SINK_PORT@|$3|g" \
		-e "s|@HOSTNAME@|smtest.example.test|g" -e "s|@MILTER@|$_sc_milter|" \
		"$E2E_TOP/tests/e2e/sendmail.mc.in" >"$_sc_dir/sendmail.mc" || return 1
	m4 -D_CF_DIR_="$E2E_SM_CACHE/root/usr/share/sendmail/cf/" \
		"$E2E_SM_CACHE/root/usr/share/sendmail/cf/m4/cf.m4" \
		"$_sc_dir/sendmail.mc" >"$_sc_dir/sendmail.cf" 2>"$_sc_dir/m4.err" || {
		e2e_diag "m4 failed: $(cat "$_sc_dir/m4.err")"
		return 1
	}
}

# Start private Sendmail NAME relaying to sink SINK (instance name, default
# "sink", or port), after
# unpacking the packages once (sendmail-setup.sh).  E2E_SM_MILTER, when
# set, is the INPUT_MAIL_FILTER equates, e.g.
# "S=inet:9901@127.0.0.1, F=T, T=C:10s;S:10s;R:10s;E:30s" (F=T: tempfail
# when the filter is unavailable), named E2E_SM_MILTER_NAME (grondslag);
# E2E_SM_MILTER2 the equates of a second filter ("second") called after
# it.  E2E_SM_PORT: listen on that port (a restart) instead of a new one.
# Its syslog goes to $E2E_RUN/NAME/maillog (own listener).  Runs with -bD
# (foreground daemon); waits (20 s max) until it answers "220".
e2e_sendmail_start() {
	_sm_dir=$E2E_RUN/$1
	_sm_sink=$(e2e_target_port "${2:-sink}") || return 1
	sh "$E2E_TOP/tests/e2e/sendmail-setup.sh" "$E2E_SM_CACHE" || return 1
	mkdir -p "$_sm_dir/mqueue" || return 1
	chmod 700 "$_sm_dir/mqueue"
	cp "$E2E_SM_CACHE/root/etc/mail/service.switch-nodns" "$_sm_dir/service.switch"
	: >"$_sm_dir/aliases"
	: >"$_sm_dir/statistics"
	: >"$_sm_dir/maillog"
	_sm_port=${E2E_SM_PORT:-$(e2e_pick_port)} || return 1
	echo "$_sm_port" >"$_sm_dir/port"
	e2e_sendmail_cf "$1" "$_sm_port" "$_sm_sink" || return 1
	e2e_sendmail_wrapper "$1"
	e2e_proc_start "$1.syslog" "$E2E_PY" "$E2E_TOP/tests/e2e/syslog-sink.py" \
		"$_sm_dir/syslog.sock" "$_sm_dir/maillog"
	e2e_wait_until 10 "syslog listener of $1" test -e "$_sm_dir/syslog.sock.ready" ||
		return 1
	e2e_started "sendmail:$1"
	"$_sm_dir/sm.sh" -bD -q30m >"$_sm_dir/sendmail.out" 2>&1 &
	echo $! >"$_sm_dir/pid"
	e2e_wait_until 20 "sendmail $1 on port $_sm_port" e2e_smtp_ready "$_sm_port" || {
		e2e_diag "sendmail $1: $(tail -n 5 "$_sm_dir/sendmail.out" "$_sm_dir/maillog")"
		return 1
	}
	# Its mount namespace identifies the daemon and every child it forks.
	readlink "/proc/$(cat "$_sm_dir/pid")/ns/mnt" >"$_sm_dir/mntns"
}

# Run the private sendmail of instance NAME with ARGS (e.g. -bp, -bp -qQ,
# -qI<ID>), in its own namespaces, logging to NAME's listener.
e2e_sendmail() {
	_sx_dir=$E2E_RUN/$1
	shift
	"$_sx_dir/sm.sh" "$@"
}

# Print the PIDs of processes in mount namespace NS (a sendmail instance).
e2e_ns_pids() {
	for _np in /proc/[0-9]*; do
		[ "$(readlink "$_np/ns/mnt" 2>/dev/null)" = "$1" ] && echo "${_np#/proc/}"
	done
}

# True when no process is left in mount namespace NS.
e2e_ns_gone() {
	[ -z "$(e2e_ns_pids "$1")" ]
}

# Stop private Sendmail NAME (SIGTERM to the daemon, which signals its
# children), wait until no process of its namespace is left (10 s, then
# SIGKILL), then stop its syslog listener.
e2e_sendmail_stop() {
	_sk_dir=$E2E_RUN/$1
	_sk_pid=$(cat "$_sk_dir/pid" 2>/dev/null)
	_sk_ns=$(cat "$_sk_dir/mntns" 2>/dev/null)
	# Stopped before its namespace was recorded: read it now.
	[ -n "$_sk_ns" ] || [ -z "$_sk_pid" ] ||
		_sk_ns=$(readlink "/proc/$_sk_pid/ns/mnt" 2>/dev/null)
	# Never the namespace everything else lives in (not yet unshared).
	[ "$_sk_ns" != "$(readlink /proc/$$/ns/mnt)" ] || _sk_ns=""
	if [ -n "$_sk_pid" ]; then
		e2e_kill_wait "$_sk_pid" 10
	fi
	if [ -n "$_sk_ns" ] && ! e2e_wait_until 10 "sendmail $1 children" e2e_ns_gone "$_sk_ns"; then
		# shellcheck disable=SC2046
		kill -KILL $(e2e_ns_pids "$_sk_ns") 2>/dev/null
	fi
	e2e_stopped "sendmail:$1"
	e2e_proc_stop "$1.syslog" 5
}

# Start "CMD ARGS..." in the background as process NAME (e.g. a milter
# under test), output in $E2E_RUN/NAME/out, PID in $E2E_RUN/NAME/pid;
# e2e_cleanup stops it.  The caller waits for readiness itself, e.g.
# e2e_wait_until 10 "milter socket" test -S "$sock".
e2e_proc_start() {
	_pr_dir=$E2E_RUN/$1
	mkdir -p "$_pr_dir" || return 1
	e2e_started "proc:$1"
	shift
	"$@" >"$_pr_dir/out" 2>&1 &
	echo $! >"$_pr_dir/pid"
}

# Stop process NAME: SIGTERM, wait up to SECS (default 15: libmilter takes
# 5-7 s to leave after SIGTERM, and its port is busy until then), SIGKILL.
e2e_proc_stop() {
	e2e_kill_wait "$(cat "$E2E_RUN/$1/pid" 2>/dev/null)" "${2:-15}"
	e2e_stopped "proc:$1"
}

# Send one message with swaks to TARGET (an instance name or a port on
# 127.0.0.1) from FROM to TO (comma-separated), with FILE (an existing
# file: the whole message, headers included) or BODY (a string: swaks
# adds the headers).  Further arguments go to swaks (e.g. --header "X: y").
# The transcript is kept in $E2E_TRANSCRIPT ($E2E_RUN/swaks-N.txt); the
# return value is swaks' exit code (0 accepted, 23 MAIL, 24 RCPT, 25/26
# DATA refused, 2 cannot connect, ...).  swaks gives up after 30 s.
e2e_send() {
	_sd_port=$(e2e_target_port "$1") || return 2
	_sd_from=$2
	_sd_to=$3
	_sd_msg=$4
	shift 4
	E2E_SENDS=$((E2E_SENDS + 1))
	E2E_TRANSCRIPT=$E2E_RUN/swaks-$E2E_SENDS.txt
	if [ -f "$_sd_msg" ]; then
		set -- --data "@$_sd_msg" "$@"
	else
		set -- --body "$_sd_msg" "$@"
	fi
	swaks --server 127.0.0.1 --port "$_sd_port" --helo client.example.org \
		--from "$_sd_from" --to "$_sd_to" --timeout 30 "$@" \
		>"$E2E_TRANSCRIPT" 2>&1 </dev/null
}

# Print the code of the last SMTP reply before QUIT in a swaks transcript
# (default $E2E_TRANSCRIPT): "250" after an accepted DATA, "451" after a
# tempfail, ...; empty when the server never answered.
e2e_reply_code() {
	sed -n 's/^<[-*~][-*~]* *\([2-5][0-9][0-9]\)[ -].*/\1/p' "${1:-$E2E_TRANSCRIPT}" |
		grep -v '^221$' | tail -n 1
}

# Print how many lines of NAME's mail log match the extended regex ERE.
e2e_log_count() {
	_lc=$(grep -Ec -- "$2" "$(e2e_maillog "$1")" 2>/dev/null)
	echo "${_lc:-0}"
}

# True when NAME's mail log has at least N lines matching ERE.
e2e_log_has() {
	[ "$(e2e_log_count "$1" "$2")" -ge "$3" ]
}

# Wait (SECS, default 30) until NAME's mail log has N lines matching ERE.
e2e_wait_log() {
	e2e_wait_until "${4:-30}" "$3 x /$2/ in $1's maillog" e2e_log_has "$1" "$2" "$3"
}

# Print how many recipients MTA NAME logged as delivered: Postfix logs
# one "status=sent" line per recipient, Sendmail one "stat=Sent" line per
# delivery with every recipient in its to= field.
e2e_sent_count() {
	if [ -f "$E2E_RUN/$1/sendmail.cf" ]; then
		awk '/ stat=Sent/ && match($0, / to=[^ ]*/) {
			to = substr($0, RSTART, RLENGTH); n += gsub(/</, "<", to) }
			END { print n + 0 }' "$(e2e_maillog "$1")" 2>/dev/null || echo 0
	else
		e2e_log_count "$1" ' status=sent '
	fi
}

# True when MTA NAME logged at least N delivered recipients.
e2e_sent_has() {
	[ "$(e2e_sent_count "$1")" -ge "$2" ]
}

# Wait (SECS, default 30) until MTA NAME logged N delivered recipients.
e2e_wait_sent() {
	e2e_wait_until "${3:-30}" "$2 recipients delivered by $1" e2e_sent_has "$1" "$2"
}

# Print the number of messages (dump files) sink NAME received.
e2e_sink_count() {
	find "$E2E_RUN/$1/dump" -type f 2>/dev/null | wc -l | tr -d ' '
}

# True when sink NAME holds at least N files and their total size did not
# change since the previous call (so no dump is still being written).
e2e_sink_settled() {
	[ "$(e2e_sink_count "$1")" -ge "$2" ] || return 1
	_ks_size=$(find "$E2E_RUN/$1/dump" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
	[ "$_ks_size" = "${_ks_last:-}" ] && return 0
	_ks_last=$_ks_size
	return 1
}

# Wait (SECS, default 30) until sink NAME holds N complete messages.
e2e_wait_sink() {
	_ks_last=""
	e2e_wait_until "${3:-30}" "$2 messages in sink $1" e2e_sink_settled "$1" "$2"
}

# Print the envelope recipients sink NAME received (the X-Rcpt-Args
# lines smtp-sink writes at the top of each dump), sorted, one per line,
# without <>; with FILE, of that dump file only.
e2e_sink_rcpts() {
	if [ -n "${2:-}" ]; then
		set -- "$2"
	else
		set -- "$E2E_RUN/$1/dump"/*
	fi
	[ -f "$1" ] || return 0
	sed -n 's/^X-Rcpt-Args: <\([^>]*\)>.*/\1/p' "$@" | sort
}

# True when a message in sink NAME has a header line matching ERE (only
# the header section of each dump is searched).
e2e_sink_has_header() {
	for _sh_f in "$E2E_RUN/$1/dump"/*; do
		[ -f "$_sh_f" ] || continue
		sed '/^\r*$/q' "$_sh_f" | grep -Eq -- "$2" && return 0
	done
	return 1
}

# Print the number of messages queued in MTA NAME.  Postfix: QUEUE is
# one of active/deferred/hold/incoming/maildrop (default: all), from
# postqueue -j.  Sendmail: QUEUE "quarantine" lists the quarantined
# queue (-bp -qQ), anything else the normal queue (-bp).
e2e_queue_count() {
	if [ -f "$E2E_RUN/$1/sendmail.cf" ]; then
		if [ "${2:-}" = quarantine ]; then
			e2e_sendmail "$1" -bp -qQ
		else
			e2e_sendmail "$1" -bp
		fi 2>/dev/null | awk '
			/Total requests: / { n = $NF }
			/[Qq]ueue is empty/ { n = 0 }
			END { print n + 0 }'
	else
		e2e_postfix "$1" postqueue -j 2>/dev/null |
			grep -c "\"queue_name\": \"${2:-[a-z]*}\"" || true
	fi
}

# Count and print a passing result: "ok N - DESC".
e2e_ok() {
	E2E_N=$((E2E_N + 1))
	E2E_PASS=$((E2E_PASS + 1))
	echo "ok $E2E_N - $*"
}

# Count and print a failing result: "not ok N - DESC".
e2e_not_ok() {
	E2E_N=$((E2E_N + 1))
	E2E_FAIL=$((E2E_FAIL + 1))
	echo "not ok $E2E_N - $*"
}

# Run CMD...; ok DESC when it succeeds, not ok otherwise.
e2e_check() {
	_ck_desc=$1
	shift
	if "$@"; then
		e2e_ok "$_ck_desc"
	else
		e2e_not_ok "$_ck_desc"
	fi
}

# Count each "ok - DESC" / "not ok - DESC" / "ERROR: ..." line of FILE
# (a test client's own output) as ours, DESC prefixed with PREFIX.
e2e_recount() {
	while IFS= read -r _rc_line; do
		case $_rc_line in
		"ok - "*) e2e_ok "${2:-}${_rc_line#ok - }" ;;
		"not ok - "*) e2e_not_ok "${2:-}${_rc_line#not ok - }" ;;
		"ERROR: "*) e2e_not_ok "${2:-}$_rc_line" ;;
		esac
	done <"$1"
}

# Mount a private tmpfs of $2 MB on $1; e2e_cleanup unmounts it once the
# daemons that may hold files in it are stopped.
e2e_tmpfs() {
	mkdir -p "$1" && mount -t tmpfs -o "size=${2}m" tmpfs "$1" || return 1
	e2e_started "tmpfs:$1"
}

# Make the store CONF names, as an installation does before the first
# start (grondslag-milter refuses to start without one).
e2e_store_init() {
	"$E2E_BUILD/grondslag" store init -c "$1" >/dev/null
}

# Write DIR/grondslag.conf: grondslag-milter on SOCKET with the sample
# registry, the geo data in E2E_MILTER_GEO (default: the test data built
# by tests/geo/build.sh), store DATABASE (made here), spool in DIR, no
# notices, the fixed decision date of the fixtures, then each further LINE.
e2e_milter_conf() {
	mkdir -p "$1/spool" || return 1
	_mc_geo=${E2E_MILTER_GEO:-$E2E_BUILD/geo-test}
	cat >"$1/grondslag.conf" <<CONF
Socket $2
Registry $E2E_TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase $_mc_geo/country.mmdb
GeoASNDatabase $_mc_geo/asn.mmdb
Database $3
SpoolDirectory $1/spool
UserID
PidFile
NoticeRelay
DecisionDate 2024-01-10
CONF
	_mc_dir=$1
	shift 3
	for _mc_line in "$@"; do echo "$_mc_line" >>"$_mc_dir/grondslag.conf"; done
	e2e_store_init "$_mc_dir/grondslag.conf"
}

# ok DESC when GOT equals WANT, else not ok "DESC: got GOT, want WANT".
e2e_is() {
	if [ "$1" = "$2" ]; then
		e2e_ok "$3"
	else
		e2e_not_ok "$3: got '$1', want '$2'"
	fi
}

# Stop everything this suite started (newest first), the watchdog, and
# release the ports; remove the run dir when all passed (unless E2E_KEEP).
# Safe to call twice; the EXIT trap calls it.
e2e_cleanup() {
	_cl_rc=$?
	[ -z "$E2E_CLEANED" ] || return 0
	E2E_CLEANED=1
	# A second signal must not cut the cleanup short (each wait is bounded).
	trap '' HUP INT TERM
	_cl_pids=""
	# MTAs and daemons each stop in their own subshell, all at once: they
	# take seconds each.  Sinks and syslog listeners last, to keep the
	# final deliveries and log lines.
	for _cl in $E2E_STARTED; do
		case $_cl in
		postfix:*) e2e_postfix_stop "${_cl#*:}" & _cl_pids="$_cl_pids $!" ;;
		sendmail:*) e2e_sendmail_stop "${_cl#*:}" & _cl_pids="$_cl_pids $!" ;;
		proc:*.syslog) ;;
		proc:*) e2e_proc_stop "${_cl#*:}" & _cl_pids="$_cl_pids $!" ;;
		esac
	done
	for _cl_p in $_cl_pids; do wait "$_cl_p"; done
	for _cl in $E2E_STARTED; do
		case $_cl in
		tmpfs:*) umount "${_cl#*:}" 2>/dev/null || umount -l "${_cl#*:}" ;;
		esac
	done
	for _cl in $E2E_STARTED; do
		case $_cl in
		sink:*) e2e_sink_stop "${_cl#*:}" ;;
		proc:*.syslog) e2e_proc_stop "${_cl#*:}" 5 ;;
		esac
	done
	E2E_STARTED=""
	if [ -n "$E2E_WATCHDOG" ]; then
		: >"$E2E_RUN/.done"
		pkill -TERM -P "$E2E_WATCHDOG" 2>/dev/null
		wait "$E2E_WATCHDOG" 2>/dev/null
	fi
	e2e_release_ports
	if [ -z "$E2E_DONE" ]; then
		# Ended early (signal, watchdog, exit): say so in the counted form.
		[ -f "$E2E_RUN/.watchdog" ] && e2e_diag "$(cat "$E2E_RUN/.watchdog")"
		e2e_not_ok "suite ended before e2e_done (exit status $_cl_rc)"
		echo "$E2E_PASS passed, $E2E_FAIL failed"
		[ "$_cl_rc" != 0 ] || _cl_rc=1
	fi
	if [ "$E2E_FAIL" = 0 ] && [ "$_cl_rc" = 0 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
		rm -rf "$E2E_RUN"
	elif [ -n "${E2E_RUN:-}" ]; then
		e2e_diag "run dir kept: $E2E_RUN"
	fi
	[ -n "$E2E_DONE" ] || exit "$_cl_rc"
	return "$_cl_rc"
}

# Print "N passed, M failed" and exit 0 only when nothing failed and
# something passed.
e2e_done() {
	E2E_DONE=1
	echo "$E2E_PASS passed, $E2E_FAIL failed"
	[ "$E2E_FAIL" = 0 ] && [ "$E2E_PASS" -gt 0 ] && exit 0
	exit 1
}
