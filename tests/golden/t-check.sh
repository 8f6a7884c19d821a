#!/bin/sh
# tests/golden/t-check.sh - the COATHANGER case replayed through
# "grondslag check" with conf/registry.sample.yaml and the test geo data.
#
# Per-country lists of routable addresses (placed by tests/geo/country.tsv
# in BE, JP, GB, US, CA and NL) are mailed as CSV attachments, zipped and
# inline.  Before the Cbw date the Belgian list may go to CERT.be and to
# nobody outside the EU; the Japanese list may not go to CERT.be (its
# constituency is BE); TLP:RED never goes to a domain; the verdicts follow
# the registry across the Wbni -> Cbw switch.
set -u
. tests/testlib.sh
W=$B/check
REG=$TOP/conf/registry.sample.yaml
rm -rf "$W"
mkdir -p "$W"
if ! sh tests/geo/build.sh "$B/geo-test" >"$W/geo.log" 2>&1; then
	not_ok "build test geo databases" "$(cat "$W/geo.log")"
	summary
	exit 1
fi
cat >"$W/grondslag.conf" <<CONF
GeoCountryDatabase $B/geo-test/country.mmdb
GeoASNDatabase $B/geo-test/asn.mmdb
Registry $REG
RegistrySignature none
CONF

# list CC: ten addresses of that country in the test geo data.
list() {
	case $1 in
	BE) p=194.7.14 ;; JP) p=133.242.9 ;; GB) p=212.58.231 ;;
	US) p=8.8.8 ;; CA) p=205.193.117 ;; NL) p=193.0.4 ;;
	esac
	i=1
	while [ $i -le 10 ]; do
		echo "$p.$((i * 11))"
		i=$((i + 1))
	done
}

. tests/golden/msg.sh

printf 'Dear colleagues,\n\nplease find the list of FortiGate systems in your\nconstituency that were accessed (COATHANGER).\n' >"$W/intro.txt"
for cc in BE JP GB US CA NL; do
	lc=$(echo $cc | tr 'A-Z' 'a-z')
	{ echo "ip,first_seen"; list $cc | sed 's/$/,2023-02-01/'; } >"$W/$lc.csv"
	(cd "$W" && zip -q -X "$lc.zip" "$lc.csv")
	msg "$lc-csv" "$W/intro.txt" "$W/$lc.csv" text/csv
	msg "$lc-zip" "$W/intro.txt" "$W/$lc.zip" application/zip
	{ cat "$W/intro.txt"; echo; list $cc; } >"$W/$lc-inline.txt"
	msg "$lc-inline" "$W/$lc-inline.txt"
done
{ echo "TLP:RED"; echo; cat "$W/be-inline.txt"; } >"$W/red.txt"
msg be-red "$W/red.txt"
printf 'Hello,\n\nsee you at the FIRST conference; FortiOS v7.2.4 and build 1.2.3.4.5 are out.\n' >"$W/clean.txt"
msg clean "$W/clean.txt"
(cd "$W" && zip -q -X -P secret enc.zip be.csv)
msg be-encrypted "$W/intro.txt" "$W/enc.zip" application/zip

# verdict MSG DATE RCPT [REGISTRY]: prints "deliver|hold reasons bases" for RCPT.
verdict() {
	"$BIN" check -c "$W/grondslag.conf" --registry "${4:-$REG}" --date "$2" \
		--from analyst@ncsc.nl --to "$3" --json "$W/$1.eml" >"$W/out.json" 2>"$W/err"
	echo "rc=$?" >>"$W/err"
	awk '
		/"verdict":/ { gsub(/[",]/, "", $2); v = $2 }
		/"reasons": \[\]/ { r = "-" }
		/"reasons": \[$/ { inr = 1; next }
		inr && /\]/ { inr = 0 }
		inr { gsub(/[ ",]/, ""); r = r (r ? "," : "") $0 }
		/"id":/ { gsub(/[",]/, "", $2); b = b (b ? "," : "") $2 }
		END { print v, (r ? r : "-"), (b ? b : "-") }' "$W/out.json"
}

# expect NAME MSG DATE RCPT WANT-PATTERN [REGISTRY]
expect() {
	name=$1
	got=$(verdict "$2" "$3" "$4" "${6:-}")
	case $got in
	$5) ok "$name" ;;
	*) not_ok "$name" "got: $got; want: $5; $(cat "$W/err")" ;;
	esac
}

D=2024-03-01
for form in csv zip inline; do
	expect "BE list ($form) to CERT.be delivers on Wbni art. 20(2)" be-$form $D cert@cert.be \
		"deliver - wbni-20-2-eu-csirt"
done
expect "BE list to a CERT.be domain address delivers" be-csv $D incident@cert.be \
	"deliver - wbni-20-2-eu-csirt"
expect "BE list to a CERT.be subdomain delivers" be-zip $D soc@ops.cert.be \
	"deliver - wbni-20-2-eu-csirt"
for rcpt in cert@jpcert.or.jp info@ncsc.gov.uk central@cisa.gov contact@cyber.gc.ca; do
	for form in csv zip inline; do
		expect "BE list ($form) to $rcpt holds: no-basis" be-$form $D $rcpt "hold *no-basis*"
	done
done
for cc in jp gb us ca; do
	expect "$cc list to CERT.be holds: constituency-mismatch" $cc-csv $D cert@cert.be \
		"hold *constituency-mismatch*"
done
expect "JP list to JPCERT/CC holds: no-basis (none in the registry)" jp-zip $D cert@jpcert.or.jp \
	"hold *no-basis*"
expect "NL list to an own domain delivers" nl-csv $D soc@ncsc.nl "deliver own-domain -"
expect "BE list to an unknown party holds" be-csv $D someone@example.org "hold unknown-party -"
expect "TLP:RED to a CERT.be domain address holds" be-red $D incident@cert.be "hold *tlp-exceeds*"
expect "clean mail to JPCERT/CC delivers" clean $D cert@jpcert.or.jp "deliver no-regulated-data -"
expect "encrypted zip to CERT.be holds: unscannable" be-encrypted $D cert@cert.be \
	"hold *unscannable*"

# Mixed recipients: one verdict per recipient, exit 1 when any is held.
"$BIN" check -c "$W/grondslag.conf" --date $D --from analyst@ncsc.nl --to cert@cert.be \
	--to cert@jpcert.or.jp --to soc@ncsc.nl "$W/be-csv.eml" >"$W/mixed.txt" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q '^  deliver cert@cert.be' "$W/mixed.txt" &&
	grep -q '^  hold    cert@jpcert.or.jp .*no-basis' "$W/mixed.txt" &&
	grep -q '^  deliver soc@ncsc.nl' "$W/mixed.txt"; then
	ok "mixed recipients: per-recipient verdicts, exit 1"
else
	not_ok "mixed recipients: per-recipient verdicts, exit 1" "rc=$rc $(cat "$W/mixed.txt")"
fi
"$BIN" check -c "$W/grondslag.conf" --date $D --from analyst@ncsc.nl --to cert@cert.be \
	"$W/be-csv.eml" >/dev/null 2>&1
check "all delivered: exit 0" [ $? = 0 ]
# The jurist's sentences (JSON "explanation") name no address, while the
# findings of the same message do list them.
"$BIN" check -c "$W/grondslag.conf" --date $D --from analyst@ncsc.nl --to cert@cert.be \
	--to cert@jpcert.or.jp --json "$W/be-csv.eml" >"$W/mixed.json" 2>&1
n_expl=$(grep -c '"explanation":' "$W/mixed.json")
if [ "$n_expl" = 2 ] && ! grep '"explanation":' "$W/mixed.json" | grep -qE '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' &&
	grep -q '194\.7\.14\.11' "$W/mixed.txt"; then
	ok "explanations name no address"
else
	not_ok "explanations name no address" "$(grep '"explanation":' "$W/mixed.json")"
fi

# The regime switch (2026-08-15 in the sample): Wbni basis the day before,
# Cbw basis from that day on.
expect "day before the Cbw: Wbni basis" be-csv 2026-08-14 cert@cert.be \
	"deliver - wbni-20-2-eu-csirt"
expect "Cbw day: Cbw basis" be-csv 2026-08-15 cert@cert.be "deliver - cbw-eu-csirt"
expect "before Wbni: nothing valid" be-csv 2018-11-08 cert@cert.be "hold *basis-not-yet-valid*"
sed 's/bases: \[wbni-20-2-eu-csirt, cbw-eu-csirt\]/bases: [wbni-20-2-eu-csirt]/' "$REG" >"$W/nocbw.yaml"
expect "registry without a Cbw basis: holds on the Cbw day (basis-expired)" be-csv 2026-08-15 \
	cert@cert.be "hold *basis-expired*" "$W/nocbw.yaml"
expect "registry without a Cbw basis: delivers the day before" be-csv 2026-08-14 \
	cert@cert.be "deliver - wbni-20-2-eu-csirt" "$W/nocbw.yaml"

# Registry commands.
"$BIN" registry check "$REG" >"$W/rc.out" 2>&1
check "registry check: sample is valid" grep -q ': ok (' "$W/rc.out"
"$BIN" registry check tests/registry/bad-date.yaml >"$W/rc.out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q '^tests/registry/bad-date.yaml:[0-9]*: ' "$W/rc.out"; then
	ok "registry check: broken file gives file:line errors, exit 2"
else
	not_ok "registry check: broken file gives file:line errors, exit 2" "rc=$rc $(cat "$W/rc.out")"
fi
"$BIN" registry lookup -c "$W/grondslag.conf" --date $D cert@cert.be >"$W/lk.out" 2>&1
check "registry lookup: party and basis" grep -q 'basis wbni-20-2-eu-csirt' "$W/lk.out"
"$BIN" registry lookup -c "$W/grondslag.conf" --date 2026-09-01 --json Cert@CERT.BE. >"$W/lk.json" 2>&1
check "registry lookup --json: Cbw basis after the switch" grep -q '"id": "cbw-eu-csirt"' "$W/lk.json"
"$BIN" check -c "$W/grondslag.conf" --date 2024-13-01 --from a@ncsc.nl --to cert@cert.be \
	"$W/be-csv.eml" >/dev/null 2>&1
check "bad --date: exit 2" [ $? = 2 ]

summary
