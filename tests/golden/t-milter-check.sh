#!/bin/sh
# tests/golden/t-milter-check.sh - `grondslag-milter -n` on this host's
# real users and directories: a setup that cannot work is an error with
# the config's file:line and exit 1 (and the daemon does not start); one
# that only leaves a gap is a warning with file:line and exit 0.  The
# registry without an eea table is said at load (-n and grondslag
# registry check).  Users: root and nobody exist on every Debian host; the
# made-up login does not.
set -u
. tests/testlib.sh
W=$B/milter-check
rm -rf "$W"
mkdir -p "$W/spool" "$W/open" "$W/locked"
chmod 755 "$W/open"
chmod 750 "$W/locked"
chown root:root "$W/locked"
# the path down to $W must be searchable by nobody for the "open" case
for d in "$W" "$B"; do chmod o+x "$d" 2>/dev/null; done
NOLOGIN=no-such-login-grondslag

# conf NAME [LINES...]: a configuration that works, then LINES
conf() {
	_f=$W/$1.conf
	shift
	cat >"$_f" <<CONF
Registry $TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase
GeoASNDatabase
Database $W/store.db
SpoolDirectory $W/spool
Socket unix:$W/milter.sock
UserID
PidFile
NoticeRelay 127.0.0.1:25
InternalHosts 10.0.0.0/8
CONF
	for _l in "$@"; do printf '%s\n' "$_l" >>"$_f"; done
}

# n NAME: run -n on NAME.conf, output in $W/NAME.out, exit code returned
n() {
	"$MILTER" -n -c "$W/$1.conf" >"$W/$1.out" 2>&1
}

conf store
"$BIN" store init -c "$W/store.conf" >"$W/init.out" 2>&1 || not_ok "store init" "$(cat "$W/init.out")"

# 1. a working setup with a control socket the jurists can reach
conf good "ControlSocket $W/open/control.sock" "Jurist root root@example.org" \
	"Jurist nobody nobody@example.org" "ReleaseApprovals 2"
n good
rc=$?
[ $rc = 0 ] && ok "a working setup: exit 0" || not_ok "good: exit $rc" "$(cat "$W/good.out")"
grep -q "error:" "$W/good.out" && not_ok "good: no error" "$(cat "$W/good.out")" ||
	ok "a working setup: no error"

# 2. warnings only: exit 0, each with file:line
conf warn "ControlSocket $W/open/control.sock" "Jurist root root@example.org" \
	"ReleaseApprovals 1" "ReleaseRelay" "DecisionDate 2024-01-10"
n warn
rc=$?
[ $rc = 0 ] && ok "warnings only: exit 0" || not_ok "warn: exit $rc" "$(cat "$W/warn.out")"
grep -q "$W/warn.conf:15: warning: ReleaseRelay is empty: approved holds are never sent" \
	"$W/warn.out" && ok "ReleaseRelay empty: warning at its line" ||
	not_ok "ReleaseRelay warning" "$(cat "$W/warn.out")"
grep -q "$W/warn.conf:16: warning: DecisionDate 2024-01-10 fixes the day" "$W/warn.out" &&
	ok "DecisionDate: warning at its line" || not_ok "DecisionDate warning" "$(cat "$W/warn.out")"
grep -q "configuration OK" "$W/warn.out" && ok "warnings only: configuration OK" ||
	not_ok "warn: configuration OK" "$(cat "$W/warn.out")"

# 3. errors: exit 1, file:line of the causing line, every one reported
conf bad "ControlSocket $W/locked/control.sock" "Jurist root root@example.org" \
	"Jurist nobody nobody@example.org" "Jurist $NOLOGIN x@example.org" "ReleaseApprovals 4"
n bad
rc=$?
[ $rc = 1 ] && ok "errors: exit 1" || not_ok "bad: exit $rc" "$(cat "$W/bad.out")"
grep -q "$W/bad.conf:15: error: Jurist $NOLOGIN: no such login on this system" "$W/bad.out" &&
	ok "a jurist without a login: error at the Jurist line" ||
	not_ok "missing login" "$(cat "$W/bad.out")"
grep -q "$W/bad.conf:16: error: ReleaseApprovals 4 needs 4 distinct jurists, but only 2 Jurist logins exist" \
	"$W/bad.out" && ok "fewer jurists than ReleaseApprovals: error at its line" ||
	not_ok "approvals" "$(cat "$W/bad.out")"
grep -q "$W/bad.conf:12: error: ControlSocket: Jurist nobody cannot reach the socket: $W/locked is mode 0750" \
	"$W/bad.out" && ok "a 0750 directory shuts a jurist out: error at ControlSocket" ||
	not_ok "reach" "$(cat "$W/bad.out")"
grep -q "Jurist root cannot reach" "$W/bad.out" && not_ok "root reaches every directory" ||
	ok "root reaches every directory"
grep -q "3 errors above: this setup cannot work" "$W/bad.out" && ok "errors counted" ||
	not_ok "error count" "$(cat "$W/bad.out")"

# 4. the daemon does not start on an error either
start_refused "$W/bad.conf" "$W/bad-start.err"
rc=$?
[ $rc = 0 ] && grep -q "error: Jurist $NOLOGIN" "$W/bad-start.err" &&
	ok "start refused on an error, says why" || not_ok "start: $rc" "$(cat "$W/bad-start.err")"

# 5. control socket without jurists; jurists without control socket
conf nojur "ControlSocket $W/open/control.sock"
n nojur
rc=$?
[ $rc = 1 ] && grep -q "$W/nojur.conf:12: error: ControlSocket is set but there is no Jurist" \
	"$W/nojur.out" && ok "ControlSocket without jurists: error" ||
	not_ok "nojur: $rc" "$(cat "$W/nojur.out")"
conf nosock "Jurist root root@example.org" "ReleaseApprovals 1"
n nosock
rc=$?
[ $rc = 1 ] && grep -q "$W/nosock.conf:12: error: Jurist lines but no ControlSocket" \
	"$W/nosock.out" && ok "jurists without ControlSocket: error" ||
	not_ok "nosock: $rc" "$(cat "$W/nosock.out")"

# 6. directories of the daemon: a missing Database directory
conf nodb
sed -i "s|^Database .*|Database $W/none/store.db|" "$W/nodb.conf"
n nodb
rc=$?
[ $rc = 1 ] && grep -q "$W/nodb.conf:5: error: Database: the directory $W/none does not exist" \
	"$W/nodb.out" && ok "missing Database directory: error at its line" ||
	not_ok "nodb: $rc" "$(cat "$W/nodb.out")"

# 7. a registry without an eea table: said when it is loaded
awk '/^eea:/ { skip = 1; next } skip && /^[a-z]/ { skip = 0 } !skip' \
	conf/registry.sample.yaml >"$W/noeea.yaml"
sed "s|^Registry .*|Registry $W/noeea.yaml|" "$W/good.conf" >"$W/noeea.conf"
n noeea
rc=$?
[ $rc = 0 ] && grep -q "warning: $W/noeea.yaml: no eea table: every party counts as outside the EEA" \
	"$W/noeea.out" && ok "no eea table: warning at load, exit 0" ||
	not_ok "noeea: $rc" "$(cat "$W/noeea.out")"
"$BIN" registry check "$W/noeea.yaml" >"$W/regcheck.out" 2>&1
grep -q "no eea table" "$W/regcheck.out" && ok "registry check says so too" ||
	not_ok "registry check" "$(cat "$W/regcheck.out")"
"$BIN" registry check conf/registry.sample.yaml >"$W/regsample.out" 2>&1
grep -q "no eea table" "$W/regsample.out" && not_ok "the sample has an eea table" ||
	ok "the sample registry: no eea warning"

summary
