#!/bin/sh
# tests/golden/t-report.sh - "grondslag report" and "grondslag stats"
# against golden files in tests/golden/report/, over stores that
# build/tests/report-fixture makes through the store API with fixed times:
# the fixed record (holds around the Wbni/Cbw boundary of
# tests/golden/report/registry.yaml), an empty store, and two years of
# generated data.  Text, CSV and JSON; one week, six weeks, two years, no
# data, no registry; the error paths; and that a report leaves the store
# untouched.  GOLDEN_UPDATE=1 rewrites the golden files (review the diff
# before committing them).
set -u
. tests/testlib.sh
G=$TOP/tests/golden/report
W=$B/report-golden
FIX=$B/tests/report-fixture
rm -rf "$W"
mkdir -p "$W"

for rec in golden empty long; do
	if ! "$FIX" "$W/$rec.db" "$rec" >"$W/$rec.log" 2>&1; then
		not_ok "fixture: $rec record" "$(cat "$W/$rec.log")"
		summary
		exit 1
	fi
done
ok "fixture: golden, empty and long records built through the store API"

cat >"$W/report.conf" <<CONF
Database $W/golden.db
Registry $G/registry.yaml
RegistrySignature none
CONF
cat >"$W/noreg.conf" <<CONF
Database $W/golden.db
Registry
CONF

# The audit chain's statement names the head of the chain and the time of
# its last checkpoint, which change with the time the records were made:
# those two are replaced before the comparison.
normalise() {
	sed -E -e 's/^(  Head +)[0-9a-f]{12}$/\1HEADHASH/' \
		-e 's/^(    "head": ")[0-9a-f]{12}"/\1HEADHASH"/' \
		-e 's/^(audit_chain,,,,,,,head,)[0-9a-f]{12}$/\1HEADHASH/' \
		-e 's#^((Head|Kop) <b>)[0-9a-f]{12}</b>#\1HEADHASH</b>#' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z \(record /CHECKPOINT-TIME (record /' \
		-e 's/^(      "at": ")[0-9T:Z-]{20}"/\1CHECKPOINT-TIME"/' \
		-e 's/^(audit_chain,,,,,,,last_checkpoint_at,)[0-9T:Z-]{20}$/\1CHECKPOINT-TIME/'
}

# golden NAME ARGS...: the output of "grondslag ARGS" is exactly $G/NAME
# (normalised), and it exits WANT_RC (default 0).
golden() {
	name=$1
	shift
	"$BIN" "$@" >"$W/$name.raw" 2>"$W/$name.err"
	rc=$?
	normalise <"$W/$name.raw" >"$W/$name"
	want=${WANT_RC:-0}
	if [ "${GOLDEN_UPDATE:-}" = 1 ] && [ $rc = "$want" ]; then
		cp "$W/$name" "$G/$name"
	fi
	if [ $rc != "$want" ]; then
		not_ok "golden $name" "exit $rc, want $want: $(head -c 600 "$W/$name.err")"
	elif [ ! -f "$G/$name" ]; then
		not_ok "golden $name" "missing golden file $G/$name"
	elif cmp -s "$G/$name" "$W/$name"; then
		ok "golden $name"
	else
		not_ok "golden $name" "$(diff -u "$G/$name" "$W/$name" | head -n 40)"
	fi
}

P="--since 2026-07-27 --until 2026-09-07 --now 2026-09-08"
golden golden.txt report -c "$W/report.conf" $P
golden golden.csv report -c "$W/report.conf" $P --format csv
golden golden.json report -c "$W/report.conf" $P --format json
golden week.txt report -c "$W/report.conf" --since 2026-08-03 --until 2026-08-10 \
	--now 2026-09-08 --repeat-sender 2 --repeat-party 2 --top 2
golden noregistry.txt report -c "$W/noreg.conf" $P
golden empty.txt report -c "$W/report.conf" --database "$W/empty.db" $P
golden empty.json report -c "$W/report.conf" --database "$W/empty.db" $P --format json
golden long.txt report -c "$W/report.conf" --database "$W/long.db" --since 2024-09-02 \
	--until 2026-09-07 --now 2026-09-08
golden long.csv report -c "$W/report.conf" --database "$W/long.db" --since 2024-09-02 \
	--until 2026-09-07 --now 2026-09-08 --format csv
# the filters, on every format; senders named on request only
golden party.txt report -c "$W/report.conf" $P --party CERT-BE
golden party.json report -c "$W/report.conf" $P --party cert-be --format json
golden sender.txt report -c "$W/report.conf" $P --sender '<Alice@ncsc.nl>' --sender-names
golden sender.csv report -c "$W/report.conf" $P --sender alice@ncsc.nl --format csv
golden basis.txt report -c "$W/report.conf" $P --basis WBNI-20-2-EU-CSIRT
golden basis.html report -c "$W/report.conf" $P --basis wbni-20-2-eu-csirt --format html
golden named.txt report -c "$W/report.conf" $P --sender-names --no-compare
golden golden-nl.html report -c "$W/report.conf" $P --format html --lang nl

# A record edited in the store file: the chain is recomputed by the
# report itself, which says loudly that it is not verified (every format,
# both languages) and exits 2; never a silent "verified".
cp "$W/golden.db" "$W/tampered.db"
sqlite3 "$W/tampered.db" "DROP TRIGGER audit_no_update;
	UPDATE audit SET ref = 'edited' WHERE seq = 14;" 2>"$W/tamper.err" ||
	not_ok "tamper: edit audit record 14" "$(cat "$W/tamper.err")"
WANT_RC=2 golden tampered.txt report -c "$W/report.conf" --database "$W/tampered.db" $P
WANT_RC=2 golden tampered.json report -c "$W/report.conf" --database "$W/tampered.db" $P \
	--format json
# (CSV and the English HTML: only the statement differs from the goldens)
for f in csv html; do
	"$BIN" report -c "$W/report.conf" --database "$W/tampered.db" $P --format $f \
		>"$W/tampered.$f" 2>"$W/tampered.$f.err"
	echo $? >"$W/tampered.$f.rc"
done
WANT_RC=2 golden tampered-nl.html report -c "$W/report.conf" --database "$W/tampered.db" $P \
	--format html --lang nl
if grep -q 'NOT VERIFIED: the chain is BROKEN at record 14' "$W/tampered.txt" &&
	grep -q 'NIET GEVERIFIEERD: de keten is GEBROKEN bij record 14' "$W/tampered-nl.html" &&
	grep -q '"verified": false' "$W/tampered.json" && ! grep -q 'verified by this reader' \
	"$W/tampered.txt" && grep -q 'audit chain is NOT verified' "$W/tampered.txt.err" &&
	[ "$(cat "$W/tampered.csv.rc" "$W/tampered.html.rc" | tr '\n' ' ')" = "2 2 " ] &&
	grep -q '^audit_chain,,,,,,,verified,NO$' "$W/tampered.csv" &&
	grep -q '^<p class="alarm">The record may have been altered' "$W/tampered.html" &&
	grep -q '<b>Audit chain:</b> NOT VERIFIED: the chain is BROKEN at record 14' \
		"$W/tampered.html"; then
	ok "tampered store: NOT VERIFIED in every format and language, said on stderr, exit 2"
else
	not_ok "tampered store: NOT VERIFIED in every format and language, said on stderr, exit 2"
fi
if grep -q '^  Status           verified by this reader' "$W/golden.txt" &&
	grep -q '"verified": true' "$W/golden.json" &&
	grep -q '^audit_chain,,,,,,,verified,yes$' "$W/golden.csv" &&
	grep -q '<b>Auditketen:</b> geverifieerd door deze lezer' "$W/golden-nl.html"; then
	ok "intact store: the chain verified in text, JSON, CSV and Dutch HTML"
else
	not_ok "intact store: the chain verified in text, JSON, CSV and Dutch HTML"
fi

# stats: all but the generation time is fixed
"$BIN" stats -c "$W/report.conf" --prometheus >"$W/stats.raw" 2>"$W/stats.err"
rc=$?
grep -v '^grondslag_stats_generated_seconds ' "$W/stats.raw" >"$W/stats.prom"
[ "${GOLDEN_UPDATE:-}" = 1 ] && [ $rc = 0 ] && cp "$W/stats.prom" "$G/stats.prom"
if [ $rc = 0 ] && [ -f "$G/stats.prom" ] && cmp -s "$G/stats.prom" "$W/stats.prom" &&
	grep -q '^grondslag_stats_generated_seconds [0-9]' "$W/stats.raw"; then
	ok "golden stats.prom (Prometheus text format)"
else
	not_ok "golden stats.prom (Prometheus text format)" \
		"rc=$rc $(cat "$W/stats.err"; diff -u "$G/stats.prom" "$W/stats.prom" | head -n 30)"
fi

# stats -o: written whole (a temporary file renamed), mode 0644
"$BIN" stats -c "$W/report.conf" --prometheus -o "$W/node.prom" 2>"$W/o.err"
rc=$?
mode=$(stat -c %a "$W/node.prom" 2>/dev/null)
left=$(ls "$W" | grep -c '^node\.prom\.')
if [ $rc = 0 ] && [ "$mode" = 644 ] && [ "$left" = 0 ] &&
	grep -q '^grondslag_holds_total 10$' "$W/node.prom"; then
	ok "stats -o FILE: whole file, mode 644, no temporary left"
else
	not_ok "stats -o FILE: whole file, mode 644, no temporary left" \
		"rc=$rc mode=$mode left=$left $(cat "$W/o.err")"
fi

# -o onto something that is not a regular file writes into it, never
# replaces it (a pipe here; /dev/null the same way).
mkfifo "$W/fifo"
timeout 30 cat "$W/fifo" >"$W/fifo.out" &
reader=$!
"$BIN" stats -c "$W/report.conf" --prometheus -o "$W/fifo" 2>"$W/fifo.err"
rc=$?
wait $reader	# a failed command never opens the pipe: the timeout ends the reader
if [ $rc = 0 ] && [ -p "$W/fifo" ] && grep -q '^grondslag_holds_total 10$' "$W/fifo.out"; then
	ok "stats -o PIPE: written into the pipe, the pipe stays"
else
	not_ok "stats -o PIPE: written into the pipe, the pipe stays" "rc=$rc $(cat "$W/fifo.err")"
fi

# The report reads, never writes: the store file is unchanged and no -wal
# or -shm file is left behind (the daemon may run as another user).
sum1=$(sha256sum <"$W/golden.db")
"$BIN" report -c "$W/report.conf" $P --format html -o "$W/golden.html" 2>"$W/h.err"
rc=$?
sum2=$(sha256sum <"$W/golden.db")
if [ $rc = 0 ] && [ "$sum1" = "$sum2" ] && [ ! -e "$W/golden.db-wal" ] &&
	[ ! -e "$W/golden.db-shm" ]; then
	ok "report leaves the store unchanged (no -wal/-shm created)"
else
	not_ok "report leaves the store unchanged (no -wal/-shm created)" \
		"rc=$rc $(ls -la "$W"/golden.db* ; cat "$W/h.err")"
fi

# The HTML is self-contained: no script, no external reference.
ext=$(grep -oiE '(src|href)=|<script|<link|@import|url\(|https?://[^"]*' "$W/golden.html" |
	grep -v '^http://www.w3.org/2000/svg$' | sort -u | tr '\n' ' ')
if [ $rc = 0 ] && [ -z "$ext" ] && grep -q "default-src 'none'" "$W/golden.html" &&
	[ "$(grep -c '<svg class="chart"' "$W/golden.html")" = 3 ]; then
	ok "html: self-contained (no script, link or URL), three charts"
else
	not_ok "html: self-contained (no script, link or URL), three charts" "found: $ext"
fi
"$BIN" report -c "$W/report.conf" $P --format html --sender-names >"$W/named.html" 2>&1
if grep -q '2026-07-27' "$W/golden.html" && grep -q 'generated <b>2026-09-08T00:00:00Z' \
	"$W/golden.html" && grep -q '=cmd&lt;b&gt;x@evil.example' "$W/named.html" &&
	! grep -q '<b>x@' "$W/named.html"; then
	ok "html: period and generation time shown, stored text escaped"
else
	not_ok "html: period and generation time shown, stored text escaped"
fi

# What a DPO reads off the report, whatever the golden files say: no
# staff address in a report unless asked for, an EU CSIRT (CERT.be, BE)
# never among the parties outside the EEA, the register of decisions
# names both approvers with the basis and the words, the tiles say
# their unit, every chart's table is folded, the Dutch page is Dutch.
"$BIN" report -c "$W/report.conf" $P --repeat-party 1 >"$W/dpo.txt" 2>&1
if grep -q '@ncsc.nl' "$W/golden.txt" "$W/golden.csv" "$W/golden.json" "$W/golden.html"; then
	not_ok "dpo: no sender address unless --sender-names"
else
	ok "dpo: no sender address unless --sender-names"
fi
if sed -n '/outside the EEA or unknown held/,/^$/p' "$W/dpo.txt" | grep -q 'cert-be' ||
	! sed -n '/outside the EEA or unknown held/,/^$/p' "$W/dpo.txt" | grep -q 'ncsc-uk (GB)'; then
	not_ok "dpo: CERT.be (BE, EEA) is not outside the EEA, NCSC UK (GB) is" "$(cat "$W/dpo.txt")"
else
	ok "dpo: CERT.be (BE, EEA) is not outside the EEA, NCSC UK (GB) is"
fi
if grep -q 'approved by: els, jan' "$W/golden.txt" && grep -q 'bases: fixture-basis' \
	"$W/golden.txt" && grep -q 'fixture: the CSIRT needs the list' "$W/golden.txt" &&
	grep -q 'denied by: jan' "$W/golden.txt"; then
	ok "dpo: the register of decisions names both approvers, the basis and the words"
else
	not_ok "dpo: the register of decisions names both approvers, the basis and the words"
fi
# the golden record's shares: 7 to parties, 1 to the own organisation
if grep -q 'Shared on a basis (recipients)   7,' "$W/golden.txt" &&
	grep -q 'Own organisation (recipients)    1' "$W/golden.txt"; then
	ok "dpo: internal recipients are not counted as shared on a basis"
else
	not_ok "dpo: internal recipients are not counted as shared on a basis"
fi
tiles=$(grep -o '<span>[^<]*</span>' "$W/golden.html" | sed 's/<[^>]*>//g')
if echo "$tiles" | grep -qx 'messages released' && echo "$tiles" | grep -qx 'held recipients' &&
	! echo "$tiles" | grep -qx 'released'; then
	ok "dpo: each tile says whether it counts messages or recipients"
else
	not_ok "dpo: each tile says whether it counts messages or recipients" "$tiles"
fi
charts=$(grep -c '<svg class="chart"' "$W/golden.html")
folded=$(grep -c '<details><summary>' "$W/golden.html")
if [ "$charts" = "$folded" ] && [ "$charts" -gt 0 ]; then
	ok "dpo: the table of each of the $charts charts is folded under it"
else
	not_ok "dpo: the table of each chart is folded under it" "charts $charts, folded $folded"
fi
if grep -q '<html lang="nl">' "$W/golden-nl.html" && grep -q 'Register van beslissingen' \
	"$W/golden-nl.html" && ! grep -q 'Register of decisions' "$W/golden-nl.html"; then
	ok "dpo: --lang nl writes the page in Dutch"
else
	not_ok "dpo: --lang nl writes the page in Dutch"
fi
printf 'ReportLanguage nl\n' | cat "$W/report.conf" - >"$W/nl.conf"
"$BIN" report -c "$W/nl.conf" $P --format html 2>&1 | normalise >"$W/conf-nl.html"
if cmp -s "$W/conf-nl.html" "$W/golden-nl.html"; then
	ok "dpo: ReportLanguage nl is the default of --lang"
else
	not_ok "dpo: ReportLanguage nl is the default of --lang"
fi

# Errors: exit 2 with a message naming the problem.
printf 'not a database at all, just text that is long enough %0512d\n' 0 >"$W/text.db"
"$FIX" "$W/foreign.db" foreign
fails() {	# fails NAME PATTERN ARGS...
	name=$1
	pat=$2
	shift 2
	"$BIN" "$@" >"$W/f.out" 2>"$W/f.err"
	rc=$?
	if [ $rc = 2 ] && grep -q -- "$pat" "$W/f.err" && [ ! -s "$W/f.out" ]; then
		ok "error: $name"
	else
		not_ok "error: $name" "rc=$rc, want 2 and \"$pat\": $(cat "$W/f.err" "$W/f.out" | head -5)"
	fi
}
fails "missing store" "No such file" report -c "$W/report.conf" --database "$W/nope.db"
fails "not a database" "not a database" report -c "$W/report.conf" --database "$W/text.db"
fails "foreign SQLite file" "not a grondslag store" report -c "$W/report.conf" \
	--database "$W/foreign.db"
fails "bad date" "not a date" report -c "$W/report.conf" --since 2026-02-30
fails "until before since" "after --since" report -c "$W/report.conf" --since 2026-09-01 \
	--until 2026-08-01
fails "bad format" "text|csv|json|html" report -c "$W/report.conf" --format pdf
fails "bad threshold" "usage" report -c "$W/report.conf" --repeat-party 0
fails "stats: missing store" "No such file" stats --database "$W/nope.db"
fails "stats: bad option" "usage" stats --bogus

# A registry that does not load: the report goes on, and says so.
printf 'version: 1\nparties: [\n' >"$W/broken.yaml"
"$BIN" report -c "$W/report.conf" --registry "$W/broken.yaml" $P >"$W/b.out" 2>"$W/b.err"
rc=$?
if [ $rc = 0 ] && grep -q 'did not load' "$W/b.err" && grep -q 'none (party ids' "$W/b.out"; then
	ok "broken registry: report without it, with a warning"
else
	not_ok "broken registry: report without it, with a warning" "rc=$rc $(cat "$W/b.err")"
fi

summary
