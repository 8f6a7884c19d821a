#!/bin/sh
# tests/golden/t-libpq-load.sh - libpq is loaded when a PostgreSQL store
# is opened, never at a program's start: no program is linked with it
# (readelf), a scan and an SQLite store load nothing of it, a connection
# string loads it (and gets libpq's own answer from a server that is not
# there); and on a host without libpq5 (the CLI and the daemon built with
# a soname that no system has: build/tests/*-nolibpq) the store's open
# fails with a message naming the library and the package - `grondslag
# store init` exits with an error, grondslag-milter -n and a start are
# refused, nothing crashes - while everything without PostgreSQL works.
set -u
. tests/testlib.sh
W=$B/libpq-load
rm -rf "$W"
mkdir -p "$W/spool"
NOCLI=$B/tests/grondslag-nolibpq
NOMILTER=$B/tests/grondslag-milter-nolibpq
WANT="cannot load the PostgreSQL client library libpq-absent.so.5 (libpq-absent.so.5: cannot open shared object file: No such file or directory): a PostgreSQL store needs the package libpq5"
# a connection string to a server that is not there (a socket directory
# that does not exist): libpq answers at once, no network
PG="postgresql:///grondslag?host=$W/nosock&port=1"
printf 'From: a@example.org\nTo: b@example.net\nSubject: x\n\nhello\n' >"$W/tiny.eml"

conf() {	# FILE DATABASE
	min_conf "$2" "$W" >"$1"
}
conf "$W/pg.conf" "$PG"
conf "$W/sqlite.conf" "$W/s.db"
conf "$W/sqlite2.conf" "$W/s2.db"

# no program needs libpq to start
for p in "$BIN" "$MILTER" "$B/grondslag-web" "$NOCLI" "$NOMILTER"; do
	if [ ! -x "$p" ]; then
		not_ok "$(basename "$p") built" "missing: make tests-build"
	elif readelf -d "$p" | grep -q 'NEEDED.*libpq'; then
		not_ok "$(basename "$p") is not linked with libpq" "$(readelf -d "$p" | grep NEEDED)"
	else
		ok "$(basename "$p") is not linked with libpq"
	fi
done

# loaded LOG: did the run logged by LD_DEBUG=files load libpq?
loaded() { grep -q 'file=libpq\.so\.5 ' "$1"; }

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/scan.ld "$BIN" scan --json "$W/tiny.eml" >"$W/scan.out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '"file"' "$W/scan.out" && ! loaded "$W"/scan.ld.* &&
	ok "a scan does not load libpq" ||
	not_ok "scan without libpq" "rc $rc: $(head -c 300 "$W/scan.out"); $(grep -h libpq "$W"/scan.ld.* | head -3)"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/sqlite.ld "$BIN" store init -c "$W/sqlite.conf" >"$W/sqlite.out" 2>&1
rc=$?
[ $rc = 0 ] && [ -s "$W/s.db" ] && ! loaded "$W"/sqlite.ld.* &&
	ok "an SQLite store does not load libpq" ||
	not_ok "SQLite store without libpq" "rc $rc: $(cat "$W/sqlite.out")"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/milter.ld "$MILTER" -n -c "$W/sqlite.conf" >/dev/null 2>"$W/milter.err"
rc=$?
[ $rc = 0 ] && ! loaded "$W"/milter.ld.* &&
	ok "grondslag-milter -n on an SQLite store does not load libpq" ||
	not_ok "milter -n without libpq" "rc $rc: $(cat "$W/milter.err")"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/pg.ld "$BIN" store init --database "$PG" >"$W/pg.out" 2>&1
rc=$?
[ $rc != 0 ] && [ $rc -lt 128 ] && grep -q "$W/nosock/.s.PGSQL.1" "$W/pg.out" &&
	ok "a PostgreSQL store loads libpq: libpq's own error, exit $rc" ||
	not_ok "PostgreSQL store with libpq" "rc $rc: $(cat "$W/pg.out")"
grep -q 'file=libpq\.so\.5 .*dynamically loaded by' "$W"/pg.ld.* &&
	ok "libpq.so.5 loaded by dlopen, at the store's open" ||
	not_ok "libpq loaded" "$(grep -h libpq "$W"/pg.ld.* | head -3)"

# --- a host without libpq5 ---------------------------------------------
"$NOCLI" store init --database "$PG" >"$W/no.out" 2>&1
rc=$?
[ $rc != 0 ] && [ $rc -lt 128 ] && grep -qF "grondslag store init: Database $PG: $WANT" "$W/no.out" &&
	ok "without libpq5: store init fails, names the library and the package (exit $rc)" ||
	not_ok "store init without libpq5" "rc $rc: $(cat "$W/no.out")"
"$NOCLI" scan --json "$W/tiny.eml" >"$W/noscan.out" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$W/noscan.out" "$W/scan.out" &&
	ok "without libpq5: a scan works as before" || not_ok "scan without libpq5" "rc $rc"
"$NOCLI" store init -c "$W/sqlite2.conf" >"$W/nos.out" 2>&1
check "without libpq5: an SQLite store is made" test $? = 0 -a -s "$W/s2.db"

MILTER=$NOMILTER refuses_to_run "without libpq5, a PostgreSQL store" "$W/pg.conf" "$WANT" "$W/pg"
grep -q 'Sanitizer\|Segmentation\|Aborted' "$W/pg.n" "$W/pg.start" "$W/no.out" &&
	not_ok "nothing crashed" || ok "nothing crashed"
"$NOMILTER" -n -c "$W/sqlite2.conf" >/dev/null 2>"$W/ns.err"
rc=$?
[ $rc = 0 ] && ok "without libpq5: grondslag-milter -n passes on an SQLite store" ||
	not_ok "-n on SQLite without libpq5" "rc $rc: $(cat "$W/ns.err")"
summary
