#!/bin/sh
# tests/golden/t-store-pg.sh - the store's contract suites against
# PostgreSQL: a private PostgreSQL 15 (tests/pglib.sh: unix socket only),
# then the same cmocka suites make check runs against SQLite - test_store
# (holds in memory and from a file, refs, retries, shares, notices, the
# commit failure hook, four writers on their own connections, a writer
# killed by SIGKILL) and test_audit (the chain, its tamper tests: a field
# edited, a record deleted, two swapped, renumbered, a hash rewritten; the
# append-only triggers; 100,000 records; the jurists' decisions),
# test_store_report (the reports' scans and totals) and test_releaser
# (releases through a relay: tokens, retries, expiry, resolving, the
# digest once a day across relays), test_auditsig (the checkpoints of two
# relays on one store, by the lease holder), and the
# suites of the modules above the store (control socket, notifier, the
# jurists' notices, the registry mark, hold records) - with
# GRONDSLAG_TEST_PG naming the server, plus the PostgreSQL cases of
# test_store (store init, foreign or empty databases, a server out of
# reach, a connection ended by the server, leases by the database's clock,
# a commit waiting for a missing synchronous standby failing within the
# timeout); then least privilege:
# `grondslag store init` on a connection string as the store's owner,
# contrib/postgresql-grants.sql, the contract suite again as the daemon's
# role (every store operation works with its rights), and what that role
# must not do refused by the server (DDL, UPDATE/DELETE/TRUNCATE of the
# record, DELETE of holds, dropping the triggers).
set -u
. tests/testlib.sh
. tests/pglib.sh
# the private server goes with the suite however it ends
pg_trap
if ! pg_start; then
	not_ok "a private PostgreSQL starts"
	summary
	exit 1
fi
ok "a private PostgreSQL starts (socket $PG_SOCK, no TCP)"
# no TCP: the server listens on nothing but its socket
if grep -q "listening on IP" "$PG_DIR/log"; then
	not_ok "no TCP port" "$(grep listening "$PG_DIR/log")"
else
	ok "no TCP port"
fi

# suite NAME: run build/tests/NAME against the server, count its tests.
suite() {
	_log=$B/test-logs/pg-$1.log
	mkdir -p "$B/test-logs"
	GRONDSLAG_TEST_PG=$PG_ADMIN "$B/tests/$1" >"$_log" 2>&1
	_rc=$?
	_p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$_log" | awk '{s+=$1} END {print s+0}')
	_f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$_log" | awk '{s+=$1} END {print s+0}')
	if [ "$_rc" = 0 ] && [ "$_f" = 0 ] && [ "$_p" -gt 0 ]; then
		ok "$1 on PostgreSQL: $_p tests"
	else
		not_ok "$1 on PostgreSQL: $_p passed, $_f failed (rc $_rc)" \
			"$(grep -v '^\[ *\(RUN\|OK\) *\]' "$_log" | tail -n 30)"
	fi
}
suite test_store
suite test_audit
suite test_store_report
suite test_releaser
# the signed checkpoints: written by the relay holding their lease
suite test_auditsig
# the daemon's and the notices' modules on the store: the control socket's
# listings and decisions, delegation, case handling, its log, the notifier, the jurists'
# notices and digest, the registry's roll-back mark, hold records
for t in test_ctlsock_decide test_ctlsock_delegate test_ctlsock_case test_ctlsock_sender \
	test_ctlsock_overview \
	test_ctlsock_log test_notifier \
	test_notice_jurist test_regserial test_holdrec; do
	suite $t
done

# --- least privilege ---------------------------------------------------
pg_psql postgres -c "CREATE ROLE grondslag_admin LOGIN; CREATE ROLE grondslag_milter LOGIN;
	CREATE ROLE grondslag_reader LOGIN" >/dev/null &&
	pg_psql postgres -c "CREATE DATABASE grondslag OWNER grondslag_admin" >/dev/null ||
	not_ok "roles and database made"
ADMIN="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_admin"
MILT="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_milter"
W=$B/store-pg
rm -rf "$W"
mkdir -p "$W"
cat >"$W/g.conf" <<CONF
Registry $TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase
GeoASNDatabase
Database $ADMIN
SpoolDirectory $W
Socket unix:$W/milter.sock
UserID
PidFile
NoticeRelay
ReleaseRelay
ReleaseKeyFile $W/release-key
CONF
if "$BIN" store init -c "$W/g.conf" >"$W/init.out" 2>&1 &&
	grep -q "created store host=" "$W/init.out"; then
	ok "grondslag store init on a connection string, as the store's owner"
else
	not_ok "grondslag store init on a connection string" "$(cat "$W/init.out")"
fi
if "$BIN" store init -c "$W/g.conf" >"$W/init2.out" 2>&1; then
	not_ok "a second store init is refused" "$(cat "$W/init2.out")"
else
	grep -q "refusing to make a store" "$W/init2.out" &&
		ok "a second store init is refused" ||
		not_ok "a second store init: another reason" "$(cat "$W/init2.out")"
fi
[ "$(pg_psql grondslag -tAc "SELECT tableowner FROM pg_tables WHERE tablename = 'audit'")" = \
	grondslag_admin ] && ok "the schema belongs to the owner role" ||
	not_ok "the schema belongs to the owner role"
psql -X -q -v ON_ERROR_STOP=1 "$ADMIN" -f contrib/postgresql-grants.sql >"$W/grants.out" 2>&1 &&
	ok "contrib/postgresql-grants.sql applies" ||
	not_ok "contrib/postgresql-grants.sql applies" "$(cat "$W/grants.out")"
# the daemon's start check (-n) opens the store as its role
sed -i "s|^Database .*|Database $MILT|" "$W/g.conf"
if "$MILTER" -n -c "$W/g.conf" >"$W/n.out" 2>&1 &&
	grep -q "configuration OK.*store host=.*user=grondslag_milter" "$W/n.out"; then
	ok "grondslag-milter -n opens the store as the daemon's role"
else
	not_ok "grondslag-milter -n as the daemon's role" "$(cat "$W/n.out")"
fi
# the whole contract as the daemon's role (stores made by the owner)
GRONDSLAG_TEST_PG_ROLE=grondslag_milter GRONDSLAG_TEST_PG_GRANTS=$TOP/contrib/postgresql-grants.sql \
	suite test_store
# case handling writes its own tables as the daemon's role too
GRONDSLAG_TEST_PG_ROLE=grondslag_milter GRONDSLAG_TEST_PG_GRANTS=$TOP/contrib/postgresql-grants.sql \
	suite test_ctlsock_case
# a sender's listing and urgent request read the chain and queue mail as
# the daemon's role
GRONDSLAG_TEST_PG_ROLE=grondslag_milter GRONDSLAG_TEST_PG_GRANTS=$TOP/contrib/postgresql-grants.sql \
	suite test_ctlsock_sender
# refused: role SQL
refused() {
	if psql -X -q -v ON_ERROR_STOP=1 "$2" -c "$3" >"$W/r.out" 2>&1; then
		not_ok "$1: refused" "accepted: $3"
	elif grep -qE "permission denied|must be owner|append-only" "$W/r.out"; then
		ok "$1: refused"
	else
		not_ok "$1: refused for another reason" "$(cat "$W/r.out")"
	fi
}
refused "the daemon creates a table" "$MILT" "CREATE TABLE x(i int)"
refused "the daemon alters a table" "$MILT" "ALTER TABLE holds ADD COLUMN x int"
refused "the daemon updates a record" "$MILT" "UPDATE audit SET actor = 'x'"
refused "the daemon deletes a record" "$MILT" "DELETE FROM audit"
refused "the daemon truncates the record" "$MILT" "TRUNCATE audit"
refused "the daemon drops the record's trigger" "$MILT" "DROP TRIGGER audit_no_change ON audit"
refused "the daemon disables the triggers" "$MILT" "ALTER TABLE audit DISABLE TRIGGER ALL"
refused "the daemon deletes a hold" "$MILT" "DELETE FROM holds"
refused "the daemon drops the record" "$MILT" "DROP TABLE audit"
refused "the owner updates a record (the trigger)" "$ADMIN" "UPDATE audit SET actor = 'x'"
READ="host=$PG_SOCK port=$PG_PORT dbname=grondslag user=grondslag_reader"
refused "the reader inserts a record" "$READ" \
	"INSERT INTO audit VALUES (99, 0, 'x', NULL, 'x', 'x', '', '{}', '', '')"
[ "$(psql -X -tAc "SELECT count(*) FROM audit" "$READ")" -ge 1 ] 2>/dev/null &&
	ok "the reader reads the record" || not_ok "the reader reads the record"
# the record stays whole after all that
"$BIN" audit verify --database "$READ" >"$W/verify.out" 2>&1 &&
	ok "grondslag audit verify on the shared store (as the reader)" ||
	not_ok "grondslag audit verify on the shared store" "$(cat "$W/verify.out")"
# the registry's roll-back protection reads a store in PostgreSQL too:
# the daemon (as its role) records serial 5 at start; "grondslag registry
# check" then refuses serial 4
sed "s/^serial: 1\$/serial: 5/" conf/registry.sample.yaml >"$W/registry.yaml"
sed -i "s|^Registry .*|Registry $W/registry.yaml|" "$W/g.conf"
"$MILTER" -f -c "$W/g.conf" >"$W/milter.log" 2>&1 &
MPID=$!
_i=0
while [ $_i -lt 100 ] && ! grep -q "started (pid" "$W/milter.log"; do sleep 0.1; _i=$((_i + 1)); done
check "the daemon starts on the shared store as its role" grep -q "started (pid" "$W/milter.log"
kill "$MPID" 2>/dev/null
wait "$MPID" 2>/dev/null
[ "$(pg_psql grondslag -tAc "SELECT details::jsonb ->> 'serial' FROM audit
	WHERE event = 'registry-load' ORDER BY seq DESC LIMIT 1")" = 5 ] &&
	ok "registry-load with serial 5 recorded in the database" ||
	not_ok "registry-load with serial 5 recorded in the database"
sed -i "s/^serial: 5\$/serial: 4/" "$W/registry.yaml"
out=$("$BIN" registry check -c "$W/g.conf" 2>&1)
rc=$?
[ $rc = 2 ] && case $out in *"serial 4 is lower than the highest loaded"*) true ;; *) false ;; esac &&
	ok "grondslag registry check refuses serial 4 against the shared store" ||
	not_ok "registry check against the shared store" "rc $rc: $out"

# the server down: the daemon does not start, and says why
pg_psql postgres -c "SELECT 1" >/dev/null
(cd /tmp && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -m fast stop >/dev/null 2>&1)
if "$MILTER" -n -c "$W/g.conf" >"$W/down.out" 2>&1; then
	not_ok "the database down: -n refuses" "$(cat "$W/down.out")"
else
	grep -q "Database host=.*: connection to server" "$W/down.out" &&
		ok "the database down: -n refuses, naming the database and why" ||
		not_ok "the database down: another reason" "$(cat "$W/down.out")"
fi
summary
