#!/bin/sh
# tests/golden/t-audit-sign.sh - signed checkpoints of the audit chain
# (AuditSigningKey) through the real daemon and the real CLI.  The test
# makes its own keys (no passphrase) in a throw-away GnuPG home; the
# daemon signs with the secret key, "audit verify" checks against a home
# holding only the public keys, as a DPO would.
# Cases: the daemon writes a checkpoint at shut-down and at start (what
# the previous run left), none when the head did not move; verify
# accepts and counts records not yet anchored; on copies of the store
# and the file: newest records deleted (with their checkpoint record),
# the chain rewritten and re-hashed after a point, a signature altered,
# a checkpoint by another key, the file deleted, no key given; the
# daemon refuses to start with a key it cannot sign with.
set -u
. tests/testlib.sh
W=$(mktemp -d /tmp/gsig.XXXXXX)
H=$W/sec	# the daemon's home: secret keys
P=$W/pub	# the verifier's home: public keys only
mkdir -m 700 "$H" "$P"
mkdir -p "$W/spool"
cleanup() {
	gpgconf --homedir "$H" --kill gpg-agent >/dev/null 2>&1
	gpgconf --homedir "$P" --kill gpg-agent >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

# genkey EMAIL [gpg options]: a signing key without passphrase; prints
# its fingerprint.
genkey() {
	_e=$1
	shift
	gpg --homedir "$H" --batch --passphrase '' "$@" --quick-gen-key "Audit <$_e>" \
		ed25519 sign "${EXPIRE:-never}" >/dev/null 2>&1
	gpg --homedir "$H" --batch --with-colons --list-keys "$_e" 2>/dev/null |
		awk -F: '$1 == "fpr" { print $10; exit }'
}
KEY=$(genkey audit@example.test)
OTHER=$(genkey other@example.test)
EXPIRED=$(EXPIRE=1d genkey old@example.test --faked-system-time 20200101T000000)
[ ${#KEY} = 40 ] && [ ${#OTHER} = 40 ] && [ ${#EXPIRED} = 40 ] &&
	ok "test keys made" || { not_ok "test keys made" "$KEY $OTHER $EXPIRED"; summary; exit 1; }
gpg --homedir "$H" --batch --export "$KEY" "$OTHER" "$EXPIRED" 2>/dev/null |
	gpg --homedir "$P" --batch --import >/dev/null 2>&1

# conf FILE KEY: a daemon configuration signing with KEY.
conf() {
	{
		min_conf "$W/store.db" "$W"
		printf 'GnuPGHome %s\nAuditSigningKey %s\nAuditGnupgHome %s\n' "$P" "$2" "$H"
	} >"$1"
}
conf "$W/g.conf" "$KEY"
CP=$W/store.db.checkpoints

# run_daemon: start grondslag-milter in the foreground, wait for
# "started", stop it with SIGTERM; 0 when it stopped cleanly.
run_daemon() {
	"$MILTER" -f -c "$W/g.conf" 2>"$W/run.log" &
	_pid=$!
	for _i in $(seq 1 100); do
		grep -q "started" "$W/run.log" 2>/dev/null && break
		kill -0 $_pid 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM $_pid 2>/dev/null
	wait $_pid
	_rc=$?
	cat "$W/run.log" >>"$W/milter.log"
	return $_rc
}
fill() {
	"$PY" tests/golden/audit_chain.py fill "$W/store.db" "$1"
}
events() {
	"$PY" -c 'import sqlite3,sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT event FROM audit ORDER BY seq")))' "$W/store.db"
}

check "grondslag store init" "$BIN" store init -c "$W/g.conf"
check "grondslag-milter -n accepts AuditSigningKey" "$MILTER" -n -c "$W/g.conf" 2>"$W/n.err"
check "first run" run_daemon
e=$(events)
# the store's "init" record is anchored at the first start
[ "$e" = "init checkpoint start registry-load stop checkpoint" ] && ok "shut-down checkpoint after the stop record" ||
	not_ok "shut-down checkpoint" "events: $e"
[ "$(wc -l <"$CP")" = 2 ] && grep -q "^grondslag-audit-checkpoint v1 seq=5 hash=.* key=$KEY sig=" "$CP" &&
	ok "checkpoint file: two lines, seq 1 and 5, the key" || not_ok "checkpoint file" "$(cat "$CP")"
grep -q "audit checkpoint: record 5 sha256 [0-9a-f]* signed by $KEY" "$W/milter.log" &&
	ok "checkpoint logged (seq, hash, key)" || not_ok "checkpoint logged"
fill 10
check "second run" run_daemon
e=$(events)
[ "$e" = "init checkpoint start registry-load stop checkpoint $(printf 'approve %.0s' $(seq 10))checkpoint start registry-load stop checkpoint" ] &&
	ok "start anchors the records added while stopped" || not_ok "start checkpoint" "events: $e"
n_before=$(wc -l <"$CP")
[ "$n_before" = 4 ] && ok "four checkpoints in the file" || not_ok "four checkpoints" "$(cat "$CP")"

out=$("$BIN" audit verify -c "$W/g.conf" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "checkpoints: 4 good of 4 (4 in the chain, 4 in " &&
	echo "$out" | grep -q "anchors record 20" && echo "$out" | grep -q "^0 records after it" &&
	ok "verify: 4 good checkpoints, all anchored" || not_ok "verify good" "rc $rc: $out"
fill 2
out=$("$BIN" audit verify -c "$W/g.conf" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "^2 records after it are not yet anchored" &&
	ok "verify: counts records not yet anchored" || not_ok "verify unanchored" "rc $rc: $out"
out=$("$BIN" audit verify -c "$W/g.conf" --json 2>&1)
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); c=d["checkpoints"]; sys.exit(0 if d["intact"] and c["found"]==4 and c["anchored_seq"]==20 and c["unanchored"]==2 and c["problems"]==[] else 1)' &&
	ok "verify --json: checkpoints object" || not_ok "verify --json" "$out"

# two relays of one store, each with the checkpoints it wrote while it
# held the lease: one run verifies against both files
head -n 2 "$CP" >"$W/relay-a.cp"
tail -n +3 "$CP" >"$W/relay-b.cp"
out=$("$BIN" audit verify -c "$W/g.conf" --checkpoints "$W/relay-a.cp" --checkpoints "$W/relay-b.cp" 2>&1)
rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "checkpoints: 4 good of 4 (4 in the chain, 2 in .*relay-a.cp, 2 in .*relay-b.cp)" &&
	ok "verify against two relays' files: each counted" || not_ok "two files" "rc $rc: $out"
cp "$W/relay-b.cp" "$W/relay-b.good"
flip_line2() {	# FILE: one character of line 2's signature changed
	"$PY" - "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
head, sig = lines[1].split(" sig=")
k = len(sig) // 2
lines[1] = head + " sig=" + sig[:k] + ("B" if sig[k] != "B" else "C") + sig[k + 1:]
open(sys.argv[1], "w").write("\n".join(lines))
PY
}
flip_line2 "$W/relay-b.cp"
out=$("$BIN" audit verify -c "$W/g.conf" --checkpoints "$W/relay-a.cp" --checkpoints "$W/relay-b.cp" --json 2>&1)
rc=$?
echo "$out" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); c=d["checkpoints"]; p=c["problems"]; sys.exit(0 if not d["intact"] and [f["in_file"] for f in c["files"]]==[2,2] and len(p)==1 and p[0]["file"].endswith("relay-b.cp") and p[0]["file_line"]==2 else 1)' &&
	[ $rc = 2 ] && ok "a bad line in the second file: named by that file and its own line number" ||
	not_ok "bad line in the second file" "rc $rc: $out"
out=$("$BIN" audit verify -c "$W/g.conf" --checkpoints "$W/relay-a.cp" --checkpoints "$W/relay-c.cp" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "checkpoint file .*relay-c.cp is missing" &&
	! echo "$out" | grep -q "relay-a.cp is missing" &&
	ok "one of two files missing: exit 2, that one named" || not_ok "second file missing" "rc $rc: $out"
set --
i=0
while [ $i -lt 17 ]; do set -- "$@" --checkpoints "$W/relay-a.cp"; i=$((i + 1)); done
out=$("$BIN" audit verify -c "$W/g.conf" "$@" 2>&1)
rc=$?
[ $rc != 0 ] && echo "$out" | grep -q "at most 16 --checkpoints files" &&
	ok "17 --checkpoints files: refused, said" || not_ok "17 files" "rc $rc: $out"
mv "$W/relay-b.good" "$W/relay-b.cp"

# tamper NAME SQL|- WANT [EDIT]: run SQL (triggers dropped) on a copy of
# the store and the shell command EDIT on the copy of the file ($W/t.cp);
# verify must exit 2 and print WANT.
tamper() {
	cp "$W/store.db" "$W/t.db"
	cp "$CP" "$W/t.cp"
	[ "$2" = - ] || "$PY" -c 'import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); d.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;" + sys.argv[2]); d.commit()' "$W/t.db" "$2"
	[ -z "${4:-}" ] || eval "$4"
	out=$("$BIN" audit verify -c "$W/g.conf" --database "$W/t.db" --checkpoints "$W/t.cp" 2>&1)
	rc=$?
	if [ $rc = 2 ] && echo "$out" | grep -q -- "$3"; then
		ok "$1: exit 2, named"
	else
		not_ok "$1" "rc $rc: $out"
	fi
}
tamper "newest records and their checkpoint record deleted" "DELETE FROM audit WHERE seq >= 19" \
	"checkpoint BAD (.*t.cp line 4): checkpoint seq 20 not in the chain (records deleted?): the chain ends at record 18"
tamper "every checkpoint record deleted with the newest records" \
	"DELETE FROM audit WHERE seq >= 17; DELETE FROM audit WHERE event = 'checkpoint'" \
	"checkpoint seq 20 not in the chain"
cp "$W/store.db" "$W/t.db"
"$PY" tests/golden/audit_chain.py rewrite "$W/t.db" 10
out=$("$BIN" audit verify -c "$W/g.conf" --database "$W/t.db" --checkpoints "$CP" 2>&1)
rc=$?
[ $rc = 2 ] && echo "$out" | grep -q "audit chain intact" &&
	echo "$out" | grep -q "checkpoint seq 16: hash mismatch, record 16 is not the one signed" &&
	ok "chain rewritten and re-hashed from record 10: intact chain, checkpoint 16 names it" ||
	not_ok "chain rewritten" "rc $rc: $out"
# flip_sig N: change one character inside the signature of line N
flip_sig() {
	"$PY" - "$W/t.cp" "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = int(sys.argv[2]) - 1
head, sig = lines[i].split(" sig=")
k = len(sig) // 2
sig = sig[:k] + ("B" if sig[k] != "B" else "C") + sig[k + 1:]
lines[i] = head + " sig=" + sig
open(sys.argv[1], "w").write("\n".join(lines))
PY
}
tamper "signature altered in the file" - "(.*t.cp line 1): checkpoint seq 1: signature bad" \
	"flip_sig 1"
tamper "checkpoint record's signature replaced" \
	"UPDATE audit SET details = replace(details, '\"sig\":\"', '\"sig\":\"AAAA') WHERE seq = 2" \
	"checkpoint seq 1: signature"

# a checkpoint signed by another key, appended to the file
"$PY" - "$W/store.db" >"$W/forge.txt" <<'PY'
import sqlite3, sys
seq, h = sqlite3.connect(sys.argv[1]).execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
print("%d %s" % (seq, h))
PY
read -r fseq fhash <"$W/forge.txt"
printf 'grondslag-audit-checkpoint v1\nseq %s\nhash %s\nat 1800000000\nhost forger\nkey %s\n' \
	"$fseq" "$fhash" "$KEY" >"$W/forge.text"
gpg --homedir "$H" --batch --pinentry-mode loopback --passphrase '' -u "$OTHER" --detach-sign \
	-o "$W/forge.sig" "$W/forge.text" 2>/dev/null
printf 'grondslag-audit-checkpoint v1 seq=%s hash=%s at=1800000000 host=forger key=%s sig=%s\n' \
	"$fseq" "$fhash" "$KEY" "$(base64 -w0 "$W/forge.sig")" >"$W/forge.line"
tamper "checkpoint signed by another key" - "checkpoint seq $fseq: signature unknown-signer" \
	"cat $W/forge.line >>$W/t.cp"
# both keys trusted (a rotation): the forged line names KEY but OTHER signed it
cp "$CP" "$W/t.cp"
cat "$W/forge.line" >>"$W/t.cp"
out=$("$BIN" audit verify --database "$W/store.db" --checkpoints "$W/t.cp" --key "$KEY" \
	--key "$OTHER" --gnupg-home "$P" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "checkpoint seq $fseq: signature unknown-signer: made by $OTHER, but the checkpoint names $KEY" &&
	ok "two trusted keys: one cannot vouch for a checkpoint naming the other" ||
	not_ok "key binding" "$out"
tamper "file emptied, newest records and every checkpoint record deleted" \
	"DELETE FROM audit WHERE seq >= 17; DELETE FROM audit WHERE event = 'checkpoint'" \
	"checkpoints: NONE although a key is given" ": >$W/t.cp"
# a fingerprint as people write it: blanks, lower case
SPACED=$(echo "$KEY" | tr 'A-F' 'a-f' | sed 's/..../& /g')
sed "s|^AuditSigningKey .*|AuditSigningKey $SPACED|" "$W/g.conf" >"$W/spaced.conf"
out=$("$BIN" audit verify -c "$W/spaced.conf" 2>&1)
[ $? = 0 ] && ok "AuditSigningKey with blanks and lower case: verifies" ||
	not_ok "spaced key" "$out"
out=$("$BIN" audit verify --database "$W/store.db" --key "not-a-key" --gnupg-home "$P" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q -- '--key "not-a-key" is not a fingerprint' &&
	ok "--key that is no fingerprint: exit 2, said" || not_ok "--key junk" "$out"

rm -f "$W/t.cp"
cp "$W/store.db" "$W/t.db"
out=$("$BIN" audit verify -c "$W/g.conf" --database "$W/t.db" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "checkpoint file .*t.db.checkpoints is missing" &&
	ok "checkpoint file missing: exit 2, named" || not_ok "file missing" "$out"
out=$("$BIN" audit verify --database "$W/store.db" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "signature not checked (no key)" &&
	ok "checkpoints but no key: exit 2, says so" || not_ok "no key" "$out"
out=$("$BIN" audit verify --database "$W/store.db" --key "$KEY" --gnupg-home "$P" 2>&1)
[ $? = 0 ] && ok "--key and --gnupg-home instead of the config" || not_ok "--key" "$out"
out=$("$BIN" audit verify --database "$W/store.db" --key "$OTHER" --gnupg-home "$P" 2>&1)
[ $? = 2 ] && echo "$out" | grep -q "unknown-signer" &&
	ok "--key of another key: every checkpoint refused" || not_ok "--key other" "$out"

# the daemon refuses to start with a key it cannot sign with
refuse() {
	conf "$W/bad.conf" "$2"
	sed -i "s|^Database .*|Database $W/bad.db|" "$W/bad.conf"
	rm -f "$W/bad.db"
	"$BIN" store init -c "$W/bad.conf" >/dev/null
	start_refused "$W/bad.conf" "$W/bad.err"
	_rc=$?
	[ $_rc = 0 ] && grep -q -- "$3" "$W/bad.err" && ok "$1: not started, says why" ||
		not_ok "$1" "rc $_rc: $(cat "$W/bad.err")"
}
refuse "signing key expired" "$EXPIRED" "AuditSigningKey $EXPIRED: "
refuse "signing key not in the home" "0000000000000000000000000000000000000000" "no secret key"
conf "$W/bad.conf" "not-a-fingerprint"
"$MILTER" -n -c "$W/bad.conf" 2>"$W/bad.err"
[ $? != 0 ] && grep -q 'bad.conf:[0-9]*: AuditSigningKey: "not-a-fingerprint" is not an OpenPGP fingerprint' "$W/bad.err" &&
	ok "-n refuses an AuditSigningKey that is no fingerprint (file:line)" || not_ok "-n bad key" "$(cat "$W/bad.err")"
summary
