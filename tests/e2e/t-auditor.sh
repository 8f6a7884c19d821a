#!/bin/sh
# tests/e2e/t-auditor.sh - the DPO's reads through the control socket:
# grondslag-milter runs with its store in a directory only root may
# enter (the store file 0600), and an auditor (a plain user, created for
# the test and removed on exit, named by an Auditor line) runs
# "grondslag report" (text, CSV, HTML), "stats", "audit export" (JSON
# lines and CSV) and "audit verify" without any access to the file: the
# command finds the store unreadable and asks the daemon (ControlSocket).
# What the auditor gets is byte for byte what root gets from the file
# (the export: plus the one record of the auditor's own read), the chain
# verifies in the auditor's process (and the report carries the
# auditor's own statement of it: an edited record makes it NOT VERIFIED,
# exit 2), the auditor's direct read of the
# file fails, a user in no role is refused (and recorded), and each
# request has its control log line.  The store is the fixed record of
# tests/golden/report (build/tests/report-fixture).
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
TA_U=grondslag-a$$
AUD=$TA_U-aud
OUT=$TA_U-out
JUR=$TA_U-jur
CLI=$(pwd)/${BUILD:-build}/grondslag

e2e_init auditor
trap '_ta_rc=$?; mc_users_del $AUD $OUT $JUR; (exit $_ta_rc); e2e_cleanup' EXIT
mc_users_add $AUD $OUT $JUR
e2e_ok "test users created"
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done

D=$E2E_RUN/dpo
PRIV=$D/private
mkdir -p "$PRIV/spool" "$D/run" || e2e_done
chmod 755 "$D" "$D/run"
chmod 700 "$PRIV"
e2e_check "the fixed record built" "$E2E_BUILD/tests/report-fixture" "$PRIV/store.db" golden ||
	e2e_done
chmod 600 "$PRIV/store.db"
cat >"$D/grondslag.conf" <<CONF
Socket unix:$D/run/milter.sock
Registry $E2E_TOP/tests/golden/report/registry.yaml
RegistrySignature none
GeoCountryDatabase $E2E_BUILD/geo-test/country.mmdb
GeoASNDatabase $E2E_BUILD/geo-test/asn.mmdb
Database $PRIV/store.db
SpoolDirectory $PRIV/spool
UserID
PidFile $D/run/milter.pid
NoticeRelay
ControlSocket $D/run/control.sock
Auditor $AUD
Jurist $JUR jur@ncsc.nl
ReleaseApprovals 1
CONF
chmod 644 "$D/grondslag.conf"
e2e_check "grondslag-milter -n accepts the configuration" \
	"$E2E_BUILD/grondslag-milter" -n -c "$D/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$D/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "control socket" test -S "$D/run/control.sock" ||
	e2e_done

# as AUD: grondslag ARGS (no --socket: the command chooses), into $D/$1
ta_aud() {
	_ta_name=$1
	shift
	runuser -u "$AUD" -- "$CLI" "$@" >"$D/$_ta_name" 2>"$D/$_ta_name.err"
}
ta_root() {
	_ta_name=$1
	shift
	"$CLI" "$@" >"$D/$_ta_name" 2>"$D/$_ta_name.err"
}

C="-c $D/grondslag.conf"
P="--since 2026-07-27 --until 2026-09-07 --now 2026-09-08"
if runuser -u "$AUD" -- "$CLI" report --database "$PRIV/store.db" $P >/dev/null 2>&1; then
	e2e_not_ok "the auditor reads the store file directly (the test needs no access)"
else
	e2e_ok "the auditor cannot read the store file"
fi
# The statement of the audit chain counts the records when it was
# verified: the auditor's reads are records too, so its count and head are
# left out of the comparison (and checked apart).
ta_nochain() {
	grep -vE '^  (Records|Head) |^    "(records|head)": |^audit_chain,,,,,,,(records|head),|^(Records|Head) <b>' "$1"
}
for f in text csv html json; do
	ta_root "root.$f" report $C $P --format $f
	if ta_aud "aud.$f" report $C $P --format $f && [ -s "$D/aud.$f" ] &&
		[ "$(ta_nochain "$D/root.$f")" = "$(ta_nochain "$D/aud.$f")" ]; then
		e2e_ok "report --format $f through the socket is the report of the file"
	else
		e2e_not_ok "report --format $f: $(head -c 300 "$D/aud.$f.err"; diff "$D/root.$f" "$D/aud.$f" | head -5)"
	fi
done
_ta_recs=$(sed -n 's/^  Records  *//p' "$D/aud.text")
_ta_root=$(sed -n 's/^  Records  *//p' "$D/root.text")
if grep -q '^  Status           verified by this reader' "$D/aud.text" &&
	grep -q '"verified": true' "$D/aud.json" && [ -n "$_ta_recs" ] &&
	[ "$_ta_recs" -gt "$_ta_root" ]; then
	e2e_ok "report through the socket: the chain verified by the auditor ($_ta_recs records, the file $_ta_root)"
else
	e2e_not_ok "report through the socket: chain statement: $(sed -n '/^Audit chain/,/^$/p' "$D/aud.text")"
fi
ta_root root.stats stats $C
if ta_aud aud.stats stats $C && cmp -s "$D/root.stats" "$D/aud.stats"; then
	e2e_ok "stats through the socket are the file's"
else
	e2e_not_ok "stats: $(cat "$D/aud.stats.err"; diff "$D/root.stats" "$D/aud.stats")"
fi
for f in jsonl csv; do
	ta_root "root.$f" audit export $C --format $f
	ta_aud "aud.$f" audit export $C --format $f
	_ta_rc=$?
	_ta_n=$(wc -l <"$D/root.$f")
	# the auditor's read is recorded at its first page: one record more
	if [ $_ta_rc = 0 ] && [ "$(head -n "$_ta_n" "$D/aud.$f")" = "$(cat "$D/root.$f")" ] &&
		[ "$(wc -l <"$D/aud.$f")" = $((_ta_n + 1)) ] &&
		tail -n 1 "$D/aud.$f" | grep "$AUD" | grep "auditor" | grep -q "view"; then
		e2e_ok "audit export --format $f through the socket: the file's records and the read"
	else
		e2e_not_ok "audit export --format $f: rc $_ta_rc $(head -c 300 "$D/aud.$f.err")"
	fi
done
if ta_aud verify audit verify $C && grep -q "^audit chain intact" "$D/verify"; then
	e2e_ok "audit verify through the socket: intact (checked by the auditor)"
else
	e2e_not_ok "audit verify: $(cat "$D/verify" "$D/verify.err" | head -5)"
fi
if runuser -u "$OUT" -- "$CLI" report $C $P >"$D/out" 2>&1; then
	e2e_not_ok "a user in no role gets a report"
else
	e2e_check "a user in no role is refused" grep -q "refused" "$D/out"
fi
e2e_check "the refusal is recorded" sh -c "'$CLI' audit export $C | tail -n 3 | grep '\"event\":\"refused\"' | grep -q '$OUT'"
e2e_check "the daemon logs the report request" \
	grep -q "control: user=$AUD uid=[0-9]* role=auditor cmd=report ref=- outcome=accepted" \
	"$E2E_RUN/milter/out"
e2e_check "the daemon logs the pages of the chain" \
	grep -q "control: user=$AUD uid=[0-9]* role=auditor cmd=audit-records ref=- outcome=accepted" \
	"$E2E_RUN/milter/out"
# the auditor changed nothing but the chain's own records of the reads
e2e_check "the store is still 0600" sh -c "stat -c %a '$PRIV/store.db' | grep -qx 600"

# A record of the chain edited in the store file under the running daemon:
# the auditor's report through the socket says NOT VERIFIED and exits 2
# (the daemon hands over the records; the auditor's process checks them).
sqlite3 "$PRIV/store.db" "DROP TRIGGER audit_no_update;
	UPDATE audit SET ref = 'edited' WHERE seq = 14;" >/dev/null 2>&1
ta_aud broken report $C $P
_ta_rc=$?
ta_aud broken.html report $C $P --format html --lang nl
_ta_rc2=$?
if [ $_ta_rc = 2 ] && [ $_ta_rc2 = 2 ] &&
	grep -q '^  Status           NOT VERIFIED: the chain is BROKEN at record 14' "$D/broken" &&
	grep -q 'class="meta chain bad"' "$D/broken.html" &&
	grep -q 'NIET GEVERIFIEERD' "$D/broken.html" &&
	grep -q 'audit chain is NOT verified' "$D/broken.err"; then
	e2e_ok "an edited record: the auditor's report through the socket says NOT VERIFIED, exit 2"
else
	e2e_not_ok "an edited record: rc $_ta_rc/$_ta_rc2 $(sed -n '/^Audit chain/,/^$/p' "$D/broken"; cat "$D/broken.err")"
fi
e2e_done
