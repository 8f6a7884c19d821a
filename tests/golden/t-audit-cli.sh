#!/bin/sh
# tests/golden/t-audit-cli.sh - "grondslag audit verify|export" on a store
# made by grondslag store init (schema, the "init" record), with records written
# here by an INDEPENDENT Python implementation of the chain format of
# include/grondslag/store/audit.h: the C verifier must accept them (so the
# format is what the header says), the export must carry the same
# hashes, and a tampered, deleted or swapped record must be named.
set -u
. tests/testlib.sh
W=$B/auditcli
rm -rf "$W"
mkdir -p "$W/spool"
cat >"$W/grondslag.conf" <<CONF
Registry $TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase
GeoASNDatabase
Database $W/store.db
SpoolDirectory $W/spool
Socket unix:$W/milter.sock
UserID
PidFile
CONF
check "grondslag store init creates the store" sh -c "\"\$1\" store init -c \"\$2\" >\"\$3\" 2>&1" sh "$BIN" "$W/grondslag.conf" "$W/init.out"
check "grondslag-milter -n accepts the store" sh -c "\"\$1\" -n -c \"\$2\" 2>\"\$3\"" sh "$B/grondslag-milter" "$W/grondslag.conf" "$W/milter-n.err"

# fill N: append N records with Python (canonical JSON, SHA-256 chain)
fill() {
	"$PY" tests/golden/audit_chain.py fill "$W/store.db" "$1"
}
# 49 after the store's own "init" record: 50 in all
check "records written by the Python implementation" fill 49

out=$("$BIN" audit verify -c "$W/grondslag.conf" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "intact: 50 records" && ok "verify: intact, 50 records" ||
	not_ok "verify: intact" "rc $rc: $out"

out=$("$BIN" audit verify --database "$W/store.db" --json 2>&1)
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d["intact"] and d["records"]==50 else 1)' &&
	ok "verify --json" || not_ok "verify --json" "$out"

"$BIN" audit export -c "$W/grondslag.conf" >"$W/export.jsonl" 2>"$W/export.err"
check "export jsonl exits 0" test $? = 0
"$PY" - "$W/export.jsonl" "$W/store.db" <<'PY' && ok "export jsonl: every line is JSON with the stored hash" || not_ok "export jsonl content"
import json, sqlite3, sys
lines = open(sys.argv[1]).read().splitlines()
db = sqlite3.connect(sys.argv[2])
hashes = [r[0] for r in db.execute("SELECT hash FROM audit ORDER BY seq")]
got = [json.loads(l)["hash"] for l in lines]
first, second = json.loads(lines[0]), json.loads(lines[1])
sys.exit(0 if got == hashes and first["event"] == "init" and first["seq"] == 1
         and second["details"]["reason"] == 'say "why"\n' else 1)
PY

"$BIN" audit export --database "$W/store.db" --since 2025-03-14 --format csv >"$W/export.csv"
"$PY" - "$W/export.csv" <<'PY' && ok "export csv: named columns, 50 rows, no JSON in a cell" || not_ok "export csv"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
want = ["seq", "time", "actor", "uid", "role", "event", "ref", "sender", "recipients", "party",
        "categories", "tlp", "basis", "reason", "state", "other", "prev_hash", "hash"]
json_cells = [c for r in rows for c in r if c.lstrip("'").startswith(("{", "["))]
sys.exit(0 if rows[0] == want and len(rows) == 51 and not json_cells
         and all(len(r) == len(want) for r in rows) else 1)
PY
# a person reads names, not codes: the categories and TLP of the fixed
# record's holds and shares, and its times in ISO 8601
rm -f "$W/fx.db"
"$B/tests/report-fixture" "$W/fx.db" golden >/dev/null 2>&1
"$BIN" audit export --database "$W/fx.db" --format csv >"$W/names.csv" 2>&1
"$PY" - "$W/names.csv" <<'PY' && ok "export csv: category and TLP names, ISO times" || not_ok "export csv: names"
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
cats = {r["categories"] for r in rows if r["categories"]}
tlps = {r["tlp"] for r in rows if r["tlp"]}
ok = ("provider-traceable, incident" in cats and not any(c.isdigit() for c in "".join(cats))
      and "AMBER" in tlps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["time"]) for r in rows)
      and any(r["event"] == "approve" and r["basis"] and r["reason"] for r in rows))
print(cats, tlps, file=sys.stderr) if not ok else None
sys.exit(0 if ok else 1)
PY
# cells typed by a caller without a role (the refused ref, the actor) are
# defused: a spreadsheet shows them as text, a script gets them back
cp "$W/store.db" "$W/hostile.db"
"$PY" tests/golden/audit_chain.py hostile "$W/hostile.db" 6
"$BIN" audit export --database "$W/hostile.db" --format csv >"$W/hostile.csv"
"$PY" - "$W/hostile.csv" <<'PY' && ok "export csv: formula cells get a leading apostrophe" || not_ok "export csv: formula cells"
import csv, sys
sys.path.insert(0, "tests/golden")
from audit_chain import HOSTILE
rows = [r for r in csv.reader(open(sys.argv[1], newline="")) if len(r) > 5 and r[5] == "refused"]
bad = [r for r in rows if r[2][:1] != "'" or r[6][:1] != "'" or r[2][1:] not in HOSTILE
       or r[6][1:] != r[2][1:]]
print(rows[:2], file=sys.stderr) if bad or len(rows) != 6 else None
sys.exit(0 if len(rows) == 6 and not bad else 1)
PY
n=$("$BIN" audit export --database "$W/store.db" --since 2030-01-01 | wc -l)
[ "$n" = 0 ] && ok "export --since in the future: nothing" || not_ok "export --since" "got $n lines"
"$BIN" audit export --database "$W/store.db" --since yesterday >/dev/null 2>&1
[ $? = 2 ] && ok "export --since with a bad date: exit 2" || not_ok "bad --since"
"$BIN" audit export --database "$W/store.db" --format xml >/dev/null 2>&1
[ $? = 2 ] && ok "export --format xml: exit 2" || not_ok "bad --format"

# tamper CASE SQL WANT-SEQ WANT-TEXT: on a copy of the store
tamper() {
	cp "$W/store.db" "$W/t.db"
	"$PY" -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;" + sys.argv[2]); d.commit()' "$W/t.db" "$2"
	out=$("$BIN" audit verify --database "$W/t.db" 2>&1)
	rc=$?
	if [ $rc = 2 ] && echo "$out" | grep -q "BROKEN at record $3: .*$4"; then
		ok "$1: exit 2, record $3 named"
	else
		not_ok "$1" "rc $rc: $out"
	fi
}
tamper "reason altered" "UPDATE audit SET details = replace(details, 'why', 'how') WHERE seq = 17" 17 altered
tamper "record deleted" "DELETE FROM audit WHERE seq = 30" 30 missing
tamper "two records swapped" "UPDATE audit SET seq = -1 WHERE seq = 8; UPDATE audit SET seq = 8 WHERE seq = 7; UPDATE audit SET seq = 7 WHERE seq = -1" 7 "does not follow"
"$BIN" audit verify --database "$W/missing.db" >/dev/null 2>&1
[ $? = 2 ] && ok "verify of a missing store: exit 2" || not_ok "missing store"
"$BIN" audit frobnicate >/dev/null 2>&1
[ $? = 2 ] && ok "unknown subcommand: exit 2" || not_ok "unknown subcommand"
summary && rm -rf "$W"
