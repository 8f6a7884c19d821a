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
# IDNA host names (U-labels, handed out as A-labels) and the other
# defanging forms: "(.)", "[dot]", "(dot)", "[at]", "hxxp".
{
	printf 'Compromised:\n\n'
	i=1
	while [ $i -le 30 ]; do printf 'vpn%02d.b\303\274cher%d.de\n' $i $((i % 5)); i=$((i + 1)); done
} >"$W/hosts-idna.txt"
msg hosts-idna "$W/hosts-idna.txt"
cat >"$W/defanged-forms.txt" <<'TXT'
Seen during the incident (defanged):

fw01(.)victim-a(.)jp and fw02[dot]victim-b[dot]jp served the loader,
admin[at]victim-c(.)jp received the phish, and the C2 was
hxxp://c2(.)evil-host(.)ru/gate.
TXT
msg defanged-forms "$W/defanged-forms.txt"
# A registry in which CERT.be's constituency names a Belgian
# organisation's .com domain.
sed 's/prefixes: \[\], domains: \[\]}/prefixes: [], domains: [belgian-corp.com]}/' "$REG" \
	>"$W/registry-domains.yaml"
sed "s|^Registry .*|Registry $W/registry-domains.yaml|" "$W/grondslag.conf" >"$W/domains.conf"
sed 's/example-corp[0-9]*\.jp$/belgian-corp.com/' "$W/hosts.txt" >"$W/hosts-belcorp.txt"
msg hosts-belcorp "$W/hosts-belcorp.txt"

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
# A long thread: quoted headers and signatures of many writers, nested.
{
	i=1
	while [ $i -le 12 ]; do
		q=$(printf '%*s' $((i - 1)) '' | tr ' ' '>')
		printf '%s Thanks, see below.\n%s\n%s -- \n%s Writer %d\n%s writer%d@partner%d.example.com\n' \
			"$q" "$q" "$q" "$q" $i "$q" $i $i
		printf '%s https://www.partner%d.example.com\n%s\n' "$q" $i "$q"
		printf '%s> From: writer%d@partner%d.example.com\n%s> Sent: Monday\n' "$q" $((i + 1)) $((i + 1)) "$q"
		printf '%s> To: writer%d@partner%d.example.com; team@partner%d.example.com\n' "$q" $i $i $i
		printf '%s> Cc: a@x.example.org; b@y.example.org; c@z.example.org\n%s> Subject: RE: plan\n%s>\n' \
			"$q" "$q" "$q"
		i=$((i + 1))
	done
} >"$W/thread.txt"
msg thread "$W/thread.txt"
cat >"$W/digest.txt" <<'TXT'
Send dev mailing list submissions to
	dev@lists.example.org

Today's Topics:

   1. Re: build fails on arm64 (Jan Jansen)
   2. patch for foo.c (piet@example.org)
   3. release 2.1 (Marie Curie)

----------------------------------------------------------------------

Message: 1
Date: Mon, 7 Dec 2026 10:00:00 +0100
From: Jan Jansen <jan@example.org>
To: dev@lists.example.org
Subject: Re: build fails on arm64
Message-ID: <a1.b2@mail.example.org>
In-Reply-To: <c3.d4@mail.example.net>
References: <e5@mail.example.net> <f6@mail.example.com>
	<g7@mail.example.com>

It builds again with config.load from v2.1.3, see report.pdf and
https://lists.example.org/archive/2026-December/000123.html

------------------------------

Message: 2
Date: Mon, 7 Dec 2026 11:00:00 +0100
From: piet@example.org
To: dev@lists.example.org
Subject: patch for foo.c
Message-ID: <h8@mail.example.org>

Attached.

------------------------------

_______________________________________________
dev mailing list
dev@lists.example.org
https://lists.example.org/mailman/listinfo/dev
TXT
msg digest "$W/digest.txt"
{
	printf 'Message-IDs of the reported mails:\n\n'
	i=1
	while [ $i -le 20 ]; do printf '<%08d.%d@mail.example.com>\n' $((i * 7919)) $i; i=$((i + 1)); done
} >"$W/msgids.txt"
msg msgids "$W/msgids.txt"

# verdict MSG RCPT: "deliver|hold reasons categories" for RCPT.
verdict() {
	"$BIN" check -c "${CONF:-$W/grondslag.conf}" --date 2026-12-07 --from analyst@ncsc.nl \
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
for m in hosts-idna defanged-forms; do
	expect "$m to JPCERT/CC holds: provider-traceable" $m $J "hold *no-basis* provider-traceable*"
done
if grep -q '"de": 30' "$W/hosts-idna.json"; then
	ok "IDNA host names count under their top-level domain"
else
	not_ok "IDNA host names count under their top-level domain" "$(grep -A8 identifiers "$W/hosts-idna.json")"
fi
# constituency.domains place names beyond the country-code domains
CONF=$W/domains.conf expect "hosts under CERT.be's constituency domain (.com) deliver" \
	hosts-belcorp cert@cert.be "deliver - provider-traceable"
CONF=$W/domains.conf expect "hosts under com that no domain places still hold: geo-unknown" \
	hosts-com cert@cert.be "hold geo-unknown provider-traceable"
expect "hosts under that .com without constituency.domains hold: geo-unknown" hosts-belcorp \
	cert@cert.be "hold geo-unknown provider-traceable"
CONF=$W/domains.conf expect "Japanese hosts still hold with constituency.domains" hosts \
	cert@cert.be "hold constituency-mismatch provider-traceable"
for m in ham newsletter colleagues thread digest msgids; do
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
