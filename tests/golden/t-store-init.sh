#!/bin/sh
# tests/golden/t-store-init.sh - the store knows it exists: grondslag-milter
# (start and -n) refuses a missing store, an empty (0-byte) file, a file
# that is no database and an SQLite file without our schema, each with the
# path and what to do, and creates nothing; `grondslag store init` makes
# the store (0600, the "init" record) once and refuses the second time,
# leaving the holds of the first in place.
set -u
. tests/testlib.sh
W=$B/storeinit
rm -rf "$W"
mkdir -p "$W/spool"
DB=$W/store.db
min_conf "$DB" "$W" >"$W/g.conf"

# refused NAME WANT: -n and a start both exit non-zero, say WANT with the
# path, and leave the store file as it was (or absent).
refused() {
	_before=$(stat -c %s "$DB" 2>/dev/null || echo none)
	"$MILTER" -n -c "$W/g.conf" >/dev/null 2>"$W/n.err"
	_rc=$?
	[ $_rc != 0 ] && grep -q "Database $DB: $2" "$W/n.err" &&
		ok "$1: -n refuses, names the file and what to do" ||
		not_ok "$1: -n" "rc $_rc: $(cat "$W/n.err")"
	start_refused "$W/g.conf" "$W/start.err"
	_rc=$?
	[ $_rc = 0 ] && grep -q "Database $DB: $2" "$W/start.err" &&
		ok "$1: start refused, says why" || not_ok "$1: start" "rc $_rc: $(cat "$W/start.err")"
	_after=$(stat -c %s "$DB" 2>/dev/null || echo none)
	[ "$_before" = "$_after" ] && [ ! -e "$DB-wal" ] && ok "$1: nothing created or changed" ||
		not_ok "$1: file changed" "$_before -> $_after"
}

refused "missing store" 'does not exist; .*grondslag store init -c CONFIG.*restore it from a backup'
: >"$DB"
refused "empty store (0 bytes)" 'is empty (0 bytes), not a grondslag store.*restore it from a backup'
head -c 8192 /dev/urandom >"$DB"
refused "garbage file" 'file is not a database'
rm -f "$DB"
"$PY" -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("create table t(x)"); d.execute("drop table t"); d.commit()' "$DB"
refused "SQLite file without our schema" 'not a grondslag store'
rm -f "$DB"

# store init over a file that exists (empty: it may be a lost store) is refused
: >"$DB"
"$BIN" store init -c "$W/g.conf" >/dev/null 2>"$W/init.err"
[ $? = 2 ] && grep -q "exists; refusing to overwrite it" "$W/init.err" && [ ! -s "$DB" ] &&
	ok "store init refuses an existing empty file" || not_ok "init over empty" "$(cat "$W/init.err")"
rm -f "$DB"

out=$("$BIN" store init -c "$W/g.conf" 2>&1)
[ $? = 0 ] && echo "$out" | grep -q "created store $DB" && ok "store init creates the store" ||
	not_ok "store init" "$out"
[ "$(stat -c %a "$DB")" = 600 ] && ok "store mode 0600" || not_ok "mode" "$(stat -c %a "$DB")"
first=$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select seq, event from audit order by seq limit 1").fetchone())' "$DB")
[ "$first" = "(1, 'init')" ] && ok "the first audit record is init" || not_ok "init record" "$first"
check "grondslag-milter -n accepts the new store" "$MILTER" -n -c "$W/g.conf" 2>"$W/n.err"
"$BIN" audit verify -c "$W/g.conf" >/dev/null 2>&1
check "audit verify: the new chain is intact" test $? = 0
# a hold in it, then a second init: refused, the hold still there
"$PY" -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.execute("insert into outbox(kind,ref,rcpt,message,created,due) values(\"hold\",\"r\",\"a@b\",\"m\",1,1)"); d.commit()' "$DB"
size=$(stat -c %s "$DB")
out=$("$BIN" store init -c "$W/g.conf" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "Database $DB: exists; refusing to overwrite it" &&
	ok "store init twice: the second is refused" || not_ok "init twice" "rc $rc: $out"
n=$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from outbox").fetchone()[0])' "$DB")
[ "$n" = 1 ] && [ "$(stat -c %s "$DB")" = "$size" ] && ok "the existing store is untouched" ||
	not_ok "store touched" "rows $n"
out=$("$BIN" store init --database "$W/no/such/dir/x.db" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "directory $W/no/such/dir does not exist" &&
	ok "store init without its directory: refused, named" || not_ok "init no dir" "$out"
summary
