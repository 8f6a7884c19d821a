#!/bin/sh
# tests/golden/t-pglib.sh - the private PostgreSQL of tests/pglib.sh goes
# with the suite that started it, however that suite ends: a reader that
# stops reading (SIGPIPE, "suite | head"), a hangup (SIGHUP to its process
# group, a closed terminal), INT and TERM, and a normal exit.  Each case
# runs a small suite that calls pg_trap and pg_start, ends it that way and
# then looks for the cluster's directory and server.
set -u
. tests/testlib.sh
. tests/pglib.sh
W=$B/pglib-test
rm -rf "$W"
mkdir -p "$W"

# The suite of each case: start the server, say where, then write lines
# until it is ended (a foreground sleep, as a real suite's child would be).
cat >"$W/suite.sh" <<'SUITE'
cd "$1" || exit 1
. tests/pglib.sh
pg_trap
pg_start >"$2.log" 2>&1 || exit 1
echo "$PG_DIR" >"$2.dir"
[ "$3" = exit ] && exit 0
while :; do
	echo line
	sleep 0.2
done
SUITE

# gone DIR: no server runs on DIR and DIR is removed.
gone() {
	[ ! -e "$1" ] && ! pgrep -f -- "-D $1/data" >/dev/null 2>&1
}

# wait_dir NAME: wait (up to 60 s) until the suite of NAME said where.
wait_dir() {
	_i=0
	while [ ! -s "$W/$1.dir" ] && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -s "$W/$1.dir" ]
}

# finish NAME DESC: the verdict, and the server stopped by hand if it leaked.
finish() {
	d=$(cat "$W/$1.dir" 2>/dev/null)
	if [ -z "$d" ]; then
		not_ok "$2" "the suite did not start its server: $(cat "$W/$1.log" 2>/dev/null)"
		return
	fi
	_i=0
	while ! gone "$d" && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if gone "$d"; then
		ok "$2"
	else
		not_ok "$2" "$d or its server left behind"
		PG_DIR=$d pg_stop
	fi
}

# the reader stops reading: the suite's next line is SIGPIPE
sh "$W/suite.sh" "$TOP" "$W/pipe" run 2>/dev/null | head -n 1 >/dev/null
finish pipe "suite | head -n 1 (SIGPIPE): the server stopped, its directory removed"

for sig in HUP INT TERM; do
	# (a command in the background starts with INT ignored: restore it)
	setsid env --default-signal sh "$W/suite.sh" "$TOP" "$W/$sig" run >/dev/null 2>&1 &
	pid=$!
	if wait_dir "$sig"; then
		# the whole process group, as a terminal or a supervisor does
		kill -"$sig" "-$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	finish "$sig" "SIG$sig to the suite's process group: the server stopped, its directory removed"
done

sh "$W/suite.sh" "$TOP" "$W/exit" exit
finish exit "the suite exits: the server stopped, its directory removed"

summary
