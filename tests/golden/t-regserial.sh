#!/bin/sh
# tests/golden/t-regserial.sh - registry roll-back protection (regserial.h)
# with the real daemon and the real grondslag command on one store: a
# registry with serial 5 is loaded; serial 4 (older) and serial 5 with
# other contents are refused by SIGHUP (the daemon keeps serial 5 and
# records the refused reload), by -n and by "grondslag registry check",
# each saying why; serial 6 is accepted; RegistryRollback 4 forces the
# old file back, which is recorded as forced with the previous serial;
# the chain stays intact.
set -u
. tests/testlib.sh
W=$B/regserial
rm -rf "$W"
mkdir -p "$W/spool"
PIDF=$W/milter.pid
trap '[ -f "$PIDF" ] && kill "$(cat "$PIDF")" 2>/dev/null' EXIT INT TERM

conf() {	# conf [EXTRA-LINE]: the configuration
	cat >"$W/grondslag.conf" <<CONF
Socket unix:$W/milter.sock
Registry $W/registry.yaml
RegistrySignature optional
GeoCountryDatabase
GeoASNDatabase
Database $W/store.db
SpoolDirectory $W/spool
UserID
PidFile $PIDF
NoticeRelay
$1
CONF
}
registry() {	# registry SERIAL [EXTRA-LINE]: the sample with that serial
	sed "s/^serial: 1\$/serial: $1/" conf/registry.sample.yaml >"$W/registry.yaml"
	[ $# -gt 1 ] && printf '%s\n' "$2" >>"$W/registry.yaml"
	grep -q "^serial: $1\$" "$W/registry.yaml"
}
sql() {
	"$PY" - "$W/store.db" "$1" <<'PY'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print("" if r is None or r[0] is None else r[0])
PY
}
loads() { sql "select count(*) from audit where event='registry-load'"; }
last_serial() { sql "select json_extract(details, '\$.serial') from audit where event='registry-load' order by seq desc limit 1"; }
# hup WANT: SIGHUP, then wait until the log has WANT (ERE) once more
hup() {
	_n=$(grep -Ec "$1" "$W/milter.log")
	kill -HUP "$(cat "$PIDF")"
	_i=0
	while [ $_i -lt 100 ]; do
		[ "$(grep -Ec "$1" "$W/milter.log")" -gt "$_n" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

conf ""
check "registry with serial 5" registry 5
check "grondslag store init" "$BIN" store init -c "$W/grondslag.conf"
"$MILTER" -f -c "$W/grondslag.conf" >"$W/milter.log" 2>&1 &
_i=0
while [ $_i -lt 100 ] && ! grep -q "started (pid" "$W/milter.log"; do sleep 0.1; _i=$((_i + 1)); done
check "daemon started" grep -q "started (pid" "$W/milter.log"
[ "$(last_serial)" = 5 ] && ok "registry-load recorded with serial 5" ||
	not_ok "registry-load serial" "got '$(last_serial)'"

# older: refused everywhere, the daemon keeps serial 5
registry 4
n=$(loads)
check "SIGHUP with serial 4: reload refused" hup "reload refused, keeping the current snapshot"
check "... the log says why, with both serials" grep -q "registry serial 4 is lower than the highest loaded, serial 5" "$W/milter.log"
[ -n "$n" ] && [ "$(loads)" = "$n" ] && ok "... no registry-load recorded" ||
	not_ok "refused load recorded as a load" "loads before '$n', after '$(loads)'"
r=$(sql "select json_extract(details, '\$.refused') from audit where event='reload' order by seq desc limit 1")
case $r in *"serial 4 is lower"*) ok "... the reload record carries the refusal" ;; *) not_ok "reload record" "got '$r'" ;; esac
out=$("$MILTER" -n -c "$W/grondslag.conf" 2>&1)
rc=$?
[ $rc != 0 ] && ok "-n refuses serial 4 (exit $rc)" || not_ok "-n with serial 4" "rc $rc: $out"
case $out in *"serial 4 is lower than the highest loaded, serial 5"*"RegistryRollback 4"*) ok "-n says why and how to force" ;;
*) not_ok "-n message" "$out" ;; esac
out=$("$BIN" registry check -c "$W/grondslag.conf" 2>&1)
rc=$?
[ $rc = 2 ] && ok "grondslag registry check refuses serial 4 (exit 2)" || not_ok "CLI with serial 4" "rc $rc: $out"
case $out in *"serial 4 is lower than the highest loaded"*) ok "... and says why" ;; *) not_ok "CLI message" "$out" ;; esac

# equal serial, other contents: refused
registry 5 "# an edit that forgot the serial"
check "SIGHUP with serial 5 and other contents: refused" hup "reload refused, keeping the current snapshot"
check "... the log says the contents differ" grep -q "registry serial 5 equals the highest loaded.*contents differ" "$W/milter.log"
out=$("$BIN" registry check -c "$W/grondslag.conf" 2>&1)
[ $? = 2 ] && ok "CLI refuses serial 5 with other contents" || not_ok "CLI equal serial" "$out"
registry 5
out=$("$BIN" registry check -c "$W/grondslag.conf" 2>&1)
[ $? = 0 ] && ok "CLI accepts the very file loaded (serial 5, same contents)" || not_ok "CLI same file" "$out"

# newer: accepted
registry 6
check "SIGHUP with serial 6: reloaded" hup ": reloaded: snapshot 2"
[ "$(last_serial)" = 6 ] && ok "registry-load recorded with serial 6" || not_ok "serial 6" "got '$(last_serial)'"

# forced back to 4: accepted and recorded as forced
registry 4
conf "RegistryRollback 4"
out=$("$MILTER" -n -c "$W/grondslag.conf" 2>&1)
[ $? = 0 ] && ok "-n with RegistryRollback 4: accepted" || not_ok "-n forced" "$out"
case $out in *"RegistryRollback 4 is set"*) ok "-n warns while RegistryRollback is set" ;; *) not_ok "-n warning" "$out" ;; esac
check "SIGHUP with RegistryRollback 4: reloaded" hup ": reloaded: snapshot 3"
check "... the log says it was forced" grep -q "accepted because RegistryRollback 4 forces it" "$W/milter.log"
r=$(sql "select json_extract(details, '\$.serial') || ' ' || json_extract(details, '\$.forced') || ' ' || json_extract(details, '\$.previous_serial') from audit where event='registry-load' order by seq desc limit 1")
[ "$r" = "4 RegistryRollback 6" ] && ok "forced load recorded: serial 4, forced, previous serial 6" ||
	not_ok "forced record" "got '$r'"

kill "$(cat "$PIDF")"
_i=0
while [ $_i -lt 100 ] && ! grep -q "stopped" "$W/milter.log"; do sleep 0.1; _i=$((_i + 1)); done
check "daemon stopped" grep -q "stopped" "$W/milter.log"
check "audit verify: chain intact" "$BIN" audit verify --database "$W/store.db"
summary
