#!/bin/sh
# t-cli.sh - the command line as an admin types it: global options before
# or after the command, --version on both programs, --help on every
# command (its usage on stdout, exit 0, never an error).
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
W=$B/t-cli
rm -rf "$W" && mkdir -p "$W"
MSG=tests/golden/msg/$(ls tests/golden/msg | head -n 1)

# row NAME WANT-EXIT ERE-ON-STDOUT-OR-STDERR CMD...
row() {
	_name=$1 _want=$2 _ere=$3
	shift 3
	"$@" >"$W/out" 2>&1
	_rc=$?
	if [ "$_rc" = "$_want" ] && grep -qE -- "$_ere" "$W/out"; then
		ok "$_name"
	else
		not_ok "$_name" "exit $_rc (want $_want); output: $(head -c 300 "$W/out")"
	fi
}

V=$(sed -n 's/^#define GRONDSLAG_VERSION "\(.*\)"$/\1/p' include/grondslag/base/version.h)
check "version.h names a version" test -n "$V"
row "grondslag --version" 0 "^grondslag $V\$" "$BIN" --version
row "grondslag -V" 0 "^grondslag $V\$" "$BIN" -V
row "grondslag-milter --version" 0 "^grondslag-milter $V\$" "$MILTER" --version
row "grondslag-milter -V" 0 "^grondslag-milter $V\$" "$MILTER" -V
for c in scan check registry config report stats store audit held show approve deny release-resolve \
	claim handover comment advice; do
	row "$c --help: its usage, exit 0" 0 "^usage: grondslag $c" "$BIN" "$c" --help
done
row "report -h" 0 "^usage: grondslag report" "$BIN" report -h
# the case commands: their arguments checked before the daemon is asked
# (exit 2, the usage said; the socket named does not exist)
R=G20261207-7KQ2M9XH0T
row "handover without a colleague" 2 "usage: grondslag handover REF LOGIN --note TEXT" \
	"$BIN" handover "$R" --note n --socket "$W/none.sock"
row "handover without --note" 2 "usage: grondslag handover REF LOGIN --note TEXT" \
	"$BIN" handover "$R" bob --socket "$W/none.sock"
row "advice without --question" 2 "usage: grondslag advice REF LOGIN --question TEXT" \
	"$BIN" advice "$R" bob --socket "$W/none.sock"
row "comment without --text" 2 "usage: grondslag comment REF --text TEXT" \
	"$BIN" comment "$R" --socket "$W/none.sock"
row "claim with a note" 2 "usage: grondslag claim REF \\[--take-over\\]" \
	"$BIN" claim "$R" --note n --socket "$W/none.sock"
row "--take-over on a handover" 2 "usage: grondslag handover" \
	"$BIN" handover "$R" bob --note n --take-over --socket "$W/none.sock"
row "--note on approve" 2 "are for the case commands" \
	"$BIN" approve "$R" --reason r --note n --socket "$W/none.sock"
row "claim without a reference" 2 "a hold reference is needed" \
	"$BIN" claim --socket "$W/none.sock"
# -c before the command is the same -c as after it
row "-c before the command: read" 2 "/nonexistent/grondslag.conf: No such file" \
	"$BIN" -c /nonexistent/grondslag.conf scan "$MSG"
row "-c after the command: the same" 2 "/nonexistent/grondslag.conf: No such file" \
	"$BIN" scan -c /nonexistent/grondslag.conf "$MSG"
row "--json and -c before the command" 0 '"parts"' \
	"$BIN" --json -c conf/grondslag.conf.sample scan "$MSG"
row "--socket before held: the socket asked" 2 "$W/no.sock" \
	"$BIN" --socket "$W/no.sock" held
row "a lone global option is no command" 2 "^usage: grondslag COMMAND" "$BIN" -c x
row "unknown command" 2 'unknown command "nosuch"' "$BIN" nosuch
summary
