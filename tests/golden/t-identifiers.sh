#!/bin/sh
# tests/golden/t-identifiers.sh - incident data beyond addresses through
# "grondslag check" and "grondslag scan" with conf/registry.sample.yaml:
# a stealer-log CSV of 60 "e-mail,password,source" rows at a foreign
# government domain (with and without a header, zipped, as an XLSX, as
# "user:pass" text), a list of 30 compromised firewall hostnames (plain,
# defanged, Shadowserver-style) must not go to JPCERT/CC as
# no-regulated-data; ordinary mail with a signature and a link, a
# newsletter, a quoted thread and a pasted distribution list of own-domain
# colleagues stay unregulated; the output shows counts, never a value.
set -u
. tests/testlib.sh
W=$B/identifiers
REG=$TOP/conf/registry.sample.yaml
rm -rf "$W"
mkdir -p "$W"
cat >"$W/grondslag.conf" <<CONF
GeoCountryDatabase
GeoASNDatabase
Registry $REG
RegistrySignature none
CONF

. tests/golden/msg.sh

printf 'Dear colleagues,\n\nplease find attached what we found.\n\nKind regards,\n-- \nAnalyst\nNCSC-NL | analyst@ncsc.nl\nhttps://www.ncsc.nl\n' >"$W/intro.txt"

# 60 stealer-log rows; the secrets carry a marker that must never show.
awk 'BEGIN { print "email,password,source";
	for (i = 1; i <= 60; i++) printf "ambtenaar%02d@minbzk.nl,SeCrEt%04d!x,redline-%d\n", i, i * 37, i % 3 }' >"$W/creds.csv"
tail -n +2 "$W/creds.csv" >"$W/creds-nohdr.csv"
awk -F, 'NR > 1 { print $1 ":" $2 }' "$W/creds.csv" >"$W/combo.txt"
(cd "$W" && zip -q -X creds.zip creds.csv)
"$PY" - "$W/creds.csv" "$W/creds.xlsx" <<'PY'
import sys, zipfile
from xml.sax.saxutils import escape
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
def col(i): return chr(ord("A") + i)
sheet = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
for r, row in enumerate(rows, 1):
    sheet.append('<row r="%d">' % r)
    for c, v in enumerate(row):
        sheet.append('<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (col(c), r, escape(v)))
    sheet.append("</row>")
sheet.append("</sheetData></worksheet>")
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    z.writestr("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="dump" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
PY
msg creds-csv "$W/intro.txt" "$W/creds.csv" text/csv
msg creds-nohdr "$W/intro.txt" "$W/creds-nohdr.csv" text/csv
msg creds-zip "$W/intro.txt" "$W/creds.zip" application/zip
msg creds-xlsx "$W/intro.txt" "$W/creds.xlsx" \
	application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
{ cat "$W/intro.txt"; echo; cat "$W/combo.txt"; } >"$W/combo-inline.txt"
msg combo-inline "$W/combo-inline.txt"

# 30 compromised firewalls by hostname.
{
	printf 'Dear colleagues,\n\nthe following firewalls were accessed:\n\n'
	i=1
	while [ $i -le 30 ]; do printf 'fw%02d.example-corp%d.jp\n' $i $((i % 4)); i=$((i + 1)); done
	printf '\nKind regards,\nAnalyst\n'
} >"$W/hosts.txt"
msg hosts "$W/hosts.txt"
sed 's/\.jp$/[.]jp/; s/^fw/hxxps:\/\/fw/' "$W/hosts.txt" >"$W/hosts-defanged.txt"
sed 's/\.jp$/.be/' "$W/hosts.txt" >"$W/hosts-be.txt"
msg hosts-be "$W/hosts-be.txt"
sed 's/\.jp$/.com/' "$W/hosts.txt" >"$W/hosts-com.txt"
msg hosts-com "$W/hosts-com.txt"
msg hosts-defanged "$W/hosts-defanged.txt"
{
	echo '"timestamp","ip","port","hostname","asn","geo"'
	i=1
	while [ $i -le 30 ]; do
		printf '"2024-01-%02d","192.0.2.%d","443","vpn%02d.gemeente%d.jp","64500","JP"\n' \
			$((i % 28 + 1)) $i $i $i
		i=$((i + 1))
	done
} >"$W/scan_vulnerable.csv"
msg shadowserver "$W/intro.txt" "$W/scan_vulnerable.csv" text/csv

# Traps: nothing here is a list of people or victims.
cat >"$W/ham.txt" <<'TXT'
Hi Piet,

are you coming to lunch? The menu is at https://www.example.org/menu and
marie@example.org has the report.pdf; config.load in v2.1.3 is fixed.

> From: piet@example.org
> Sent: Monday 7 December 2026 09:12
> To: analyst@ncsc.nl
> Subject: lunch
>
> Shall we go to the canteen? See https://canteen.example.net/today

-- 
Jan Jansen
jan.jansen@example.org
https://www.example.org
+31 70 000 0000
TXT
msg ham "$W/ham.txt"
{
	printf 'This week in security\n\n'
	for s in one two three four five six; do
		printf 'Story %s: read the full article below\nhttps://news.example.com/2026/%s\n\n' $s $s
	done
	printf 'Unsubscribe: https://lists.example.com/u?id=1\nhttps://www.example.com\n'
} >"$W/newsletter.txt"
msg newsletter "$W/newsletter.txt"
{
	printf 'To all colleagues:\n\n'
	i=1
	while [ $i -le 40 ]; do printf 'collega%02d@ncsc.nl\n' $i; i=$((i + 1)); done
} >"$W/colleagues.txt"
msg colleagues "$W/colleagues.txt"

# verdict MSG RCPT: "deliver|hold reasons categories" for RCPT.
verdict() {
	"$BIN" check -c "$W/grondslag.conf" --date 2026-12-07 --from analyst@ncsc.nl \
		--to "$2" --json "$W/$1.eml" >"$W/$1.json" 2>"$W/err"
	echo "rc=$?" >>"$W/err"
	awk '
		/"verdict":/ { gsub(/[",]/, "", $2); v = $2 }
		/"reasons": \[\]/ { r = "-" }
		/"reasons": \[$/ { inr = 1; next }
		inr && /\]/ { inr = 0 }
		inr { gsub(/[ ",]/, ""); r = r (r ? "," : "") $0 }
		/^  "categories": \[\]/ { c = "-" }
		/^  "categories": \[$/ { inc = 1; next }
		inc && /\]/ { inc = 0 }
		inc { gsub(/[ ",]/, ""); c = c (c ? "," : "") $0 }
		END { print v, (r ? r : "-"), (c ? c : "-") }' "$W/$1.json"
}

expect() {
	got=$(verdict "$2" "$3")
	case $got in
	$4) ok "$1" ;;
	*) not_ok "$1" "got: $got; want: $4; $(cat "$W/err")" ;;
	esac
}

J=cert@jpcert.or.jp
for m in creds-csv creds-nohdr creds-zip creds-xlsx combo-inline; do
	expect "$m to JPCERT/CC holds: personal data and credentials" $m $J \
		"hold *no-basis* personal-data,credentials"
done
for m in hosts hosts-defanged shadowserver; do
	expect "$m to JPCERT/CC holds: provider-traceable" $m $J "hold *no-basis* provider-traceable*"
done
expect "credentials to CERT.be deliver on a basis that names them" creds-csv cert@cert.be \
	"deliver - personal-data,credentials"
# The constituency by country-code top-level domain (CERT.be: BE).
expect "Japanese hosts to CERT.be hold: constituency mismatch" hosts cert@cert.be \
	"hold constituency-mismatch provider-traceable"
if grep -q '30 of 30 listed host names (by their country-code top-level domain) are outside it (JP: 30)' \
	"$W/hosts.json"; then
	ok "the hold says how many host names are outside, by country"
else
	not_ok "the hold says how many host names are outside, by country" "$(grep explain "$W/hosts.json")"
fi
expect "Belgian hosts to CERT.be deliver" hosts-be cert@cert.be "deliver - provider-traceable"
expect "hosts under com to CERT.be hold: geo-unknown" hosts-com cert@cert.be \
	"hold geo-unknown provider-traceable"
for m in ham newsletter colleagues; do
	expect "$m to JPCERT/CC stays unregulated" $m $J "deliver no-regulated-data -"
done

# Counts, never values: no address, host or secret in any output or log.
if grep -q '"emails": 60' "$W/creds-csv.json" && grep -q '"credentials": 60' "$W/creds-csv.json"; then
	ok "check JSON counts 60 addresses and 60 credentials"
else
	not_ok "check JSON counts 60 addresses and 60 credentials" "$(cat "$W/creds-csv.json")"
fi
if grep -q '"hostnames": 30' "$W/hosts.json" && grep -q '"jp": 30' "$W/hosts.json"; then
	ok "check JSON counts 30 hostnames under jp"
else
	not_ok "check JSON counts 30 hostnames under jp" "$(grep -A8 identifiers "$W/hosts.json")"
fi
"$BIN" scan -c "$W/grondslag.conf" "$W/creds-csv.eml" "$W/hosts.eml" >"$W/scan.txt" 2>&1
if grep -q 'listed: 60 e-mail addresses, 0 hostnames, 60 credentials' "$W/scan.txt" &&
	grep -q 'hostnames by top-level domain: jp 30' "$W/scan.txt"; then
	ok "scan text shows the counts"
else
	not_ok "scan text shows the counts" "$(cat "$W/scan.txt")"
fi
if cat "$W"/*.json "$W/scan.txt" "$W/err" | grep -qiE 'SeCrEt|minbzk|ambtenaar|example-corp'; then
	not_ok "no value in any output" "$(cat "$W"/*.json "$W/scan.txt" | grep -iE 'SeCrEt|minbzk|ambtenaar|example-corp' | head -3)"
else
	ok "no value in any output"
fi
summary
