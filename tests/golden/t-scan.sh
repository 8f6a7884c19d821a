#!/bin/sh
# tests/golden/t-scan.sh - whole messages through "grondslag scan --json"
# against golden files in tests/golden/expected/.
#
# The text fixtures live in tests/golden/msg/; binary ones (zips, an
# encrypted zip, UTF-16, tar.gz) are built here from text with standard
# tools, so nothing binary is committed.  GOLDEN_UPDATE=1 rewrites the
# expected files (review the diff before committing them).
set -u
. tests/testlib.sh
G=$TOP/tests/golden
W=$B/golden
rm -rf "$W"
mkdir -p "$W/msg" "$W/src"

# Test geo databases, built from tests/geo/*.tsv.
if ! sh tests/geo/build.sh "$B/geo-test" >"$W/geo.log" 2>&1; then
	not_ok "build test geo databases" "$(cat "$W/geo.log")"
	summary
	exit 1
fi
cat >"$W/grondslag.conf" <<CONF
GeoCountryDatabase $B/geo-test/country.mmdb
GeoCountryPath country_code
GeoASNDatabase $B/geo-test/asn.mmdb
GeoASNPath autonomous_system_number
CONF

# mkmsg NAME TYPE FILENAME FILE: a message with FILE as base64 attachment.
mkmsg() {
	{
		printf 'From: Analyst <analyst@ncsc.nl>\nTo: cert@cert.be\n'
		printf 'Subject: %s\nDate: Mon, 4 Mar 2024 10:00:00 +0100\n' "$1"
		printf 'Message-ID: <%s@ncsc.nl>\nMIME-Version: 1.0\n' "$1"
		printf 'Content-Type: multipart/mixed; boundary="gb"\n\n--gb\n'
		printf 'Content-Type: text/plain\n\nSee attachment.\n--gb\n'
		printf 'Content-Type: %s; name="%s"\n' "$2" "$3"
		printf 'Content-Disposition: attachment; filename="%s"\n' "$3"
		printf 'Content-Transfer-Encoding: base64\n\n'
		base64 -w 76 "$4"
		printf '\n--gb--\n'
	} >"$W/msg/$1.eml"
}

# Deterministic archives: fixed mtimes, no extra attributes.
cd "$W/src" || exit 1
printf 'ip,asn\n133.18.4.7,2907\n133.18.4.8,2907\n212.58.230.14,2818\n' >jp.csv
printf 'src_ip;port\n205.193.4.4;443\n8.8.8.8;53\n' >ca.csv
touch -d '2024-03-01 00:00:00' jp.csv ca.csv
zip -q -X jp.zip jp.csv
zip -q -X -P secret enc.zip ca.csv
zip -q -X inner.zip ca.csv && touch -d '2024-03-01 00:00:00' inner.zip &&
	zip -q -X outer.zip inner.zip jp.csv
tar --mtime='2024-03-01 00:00:00' --owner=0 --group=0 -cf - jp.csv ca.csv | gzip -n >lists.tar.gz
printf '\357\273\277ip\r\n194.7.1.10\r\n' | iconv -f UTF-8 -t UTF-16LE >be16.csv
# Cut in the middle of the member data: the archive is damaged.
head -c $(($(stat -c %s jp.zip) / 3)) jp.zip >broken.zip
cd "$TOP" || exit 1
mkmsg zip-csv application/zip jp.zip "$W/src/jp.zip"
mkmsg zip-encrypted application/zip enc.zip "$W/src/enc.zip"
mkmsg zip-nested application/zip outer.zip "$W/src/outer.zip"
mkmsg tar-gz application/gzip lists.tar.gz "$W/src/lists.tar.gz"
mkmsg utf16-csv text/csv be16.csv "$W/src/be16.csv"
mkmsg zip-corrupt application/zip broken.zip "$W/src/broken.zip"
cp "$G"/msg/*.eml "$W/msg/"

# Every message against its golden JSON.
cd "$W/msg" || exit 1
for m in *.eml; do
	name=${m%.eml}
	want=$G/expected/$name.json
	got=$W/$name.json
	"$BIN" scan -c "$W/grondslag.conf" --json "$m" >"$got" 2>"$W/$name.err"
	rc=$?
	if [ "$rc" != 0 ]; then
		not_ok "scan $name exits 0" "rc=$rc $(cat "$W/$name.err")"
		continue
	fi
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		mkdir -p "$G/expected"
		cp "$got" "$want"
	fi
	if [ ! -f "$want" ]; then
		not_ok "golden $name" "missing $want (GOLDEN_UPDATE=1 creates it)"
	elif diff -u "$want" "$got" >"$W/$name.diff"; then
		ok "golden $name"
	else
		not_ok "golden $name" "$(head -n 40 "$W/$name.diff")"
	fi
done
cd "$TOP" || exit 1

# The human form names the categories and the unreadable part.
out=$("$BIN" scan -c "$W/grondslag.conf" "$W/msg/zip-encrypted.eml")
case $out in
*"unscannable encrypted-archive"*) ok "text output names the reason" ;;
*) not_ok "text output names the reason" "$out" ;;
esac

# Errors: exit 2 with a message on stderr.
"$BIN" scan -c "$W/grondslag.conf" /nonexistent.eml >/dev/null 2>"$W/e1"
rc=$?
if [ $rc = 2 ] && grep -q 'nonexistent.eml: No such file' "$W/e1"; then
	ok "unreadable file: exit 2"
else
	not_ok "unreadable file: exit 2" "rc=$rc $(cat "$W/e1")"
fi
printf 'MaxParts 5\nBogusKey 1\n' >"$W/bad.conf"
"$BIN" scan -c "$W/bad.conf" "$W/msg/clean.eml" >/dev/null 2>"$W/e2"
rc=$?
if [ $rc = 2 ] && grep -q "bad.conf:2: unknown key \"BogusKey\"" "$W/e2"; then
	ok "configuration error: exit 2 with file:line"
else
	not_ok "configuration error: exit 2 with file:line" "rc=$rc $(cat "$W/e2")"
fi
printf 'GeoCountryDatabase %s/nope.mmdb\n' "$W" >"$W/nogeo.conf"
"$BIN" scan -c "$W/nogeo.conf" "$W/msg/clean.eml" >/dev/null 2>"$W/e3"
rc=$?
if [ $rc = 2 ] && grep -q "nope.mmdb" "$W/e3"; then
	ok "missing geo database: exit 2 at start"
else
	not_ok "missing geo database: exit 2 at start" "rc=$rc $(cat "$W/e3")"
fi
# The first half of a real database: the metadata at its end is gone.
sz=$(stat -c %s "$B/geo-test/country.mmdb")
head -c $((sz / 2)) "$B/geo-test/country.mmdb" >"$W/corrupt.mmdb"
printf 'GeoCountryDatabase %s/corrupt.mmdb\n' "$W" >"$W/badgeo.conf"
"$BIN" scan -c "$W/badgeo.conf" "$W/msg/clean.eml" >/dev/null 2>"$W/e4"
rc=$?
if [ $rc = 2 ] && grep -q "corrupt.mmdb" "$W/e4"; then
	ok "corrupt geo database: exit 2 at start"
else
	not_ok "corrupt geo database: exit 2 at start" "rc=$rc $(cat "$W/e4")"
fi

# A file large enough to be mapped ahead on a second thread while the
# scan reads it: the same findings as the same bytes read from a pipe
# (addresses at its start, middle and end).
{
	printf 'From: a@ncsc.nl\nTo: b@cert.be\nSubject: big\n\n'
	printf '45.33.32.%d\n' 1 2 3 4 5 6 7 8
	awk 'BEGIN { for (i = 0; i < 180000; i++) print "A line of ordinary prose, version 1.2.3 at 10:30, nothing else." }'
	printf '81.2.69.%d\n' 10 11 12 13 14 15 16 17
	awk 'BEGIN { for (i = 0; i < 180000; i++) print "More prose (see section 4.2) and a time 12:00:01." }'
	printf '2a01:4f8::%x\n' 1 2 3 4 5 6 7 8
} >"$W/big.eml"
printf 'MaxMessageSize 64M\n' >"$W/big.conf"
"$BIN" scan -c "$W/big.conf" --json "$W/big.eml" >"$W/big.out"
rc1=$?
grep -v '"file"' "$W/big.out" >"$W/big.mapped"
cat "$W/big.eml" | "$BIN" scan -c "$W/big.conf" --json /dev/stdin | grep -v '"file"' >"$W/big.piped"
if [ "$(stat -c %s "$W/big.eml")" -gt $((16 << 20)) ] && [ $rc1 = 0 ] &&
	cmp -s "$W/big.mapped" "$W/big.piped" && [ "$(grep -c '"ip":' "$W/big.mapped")" = 24 ]; then
	ok "a large file mapped ahead: the findings of the same bytes from a pipe"
else
	not_ok "a large file mapped ahead: the findings of the same bytes from a pipe" \
		"rc=$rc1 ips=$(grep -c '"ip":' "$W/big.mapped") $(diff "$W/big.mapped" "$W/big.piped" | head -5)"
fi
rm -f "$W/big.eml" "$W/big.out" "$W/big.mapped" "$W/big.piped"

# The documented configuration matches the table in the code.
"$BIN" config sample >"$W/sample"
if grep -vq '^$' "$W/sample" && awk 'NR==FNR { want[$0]=1; next } { delete want[$0] } END { for (k in want) if (k != "") { print "missing: " k; bad=1 } exit bad }' "$W/sample" conf/grondslag.conf.sample >"$W/sample.diff"; then
	ok "conf/grondslag.conf.sample documents every key with its default"
else
	not_ok "conf/grondslag.conf.sample documents every key with its default" "$(head "$W/sample.diff")"
fi
"$BIN" config man >"$W/man"
if awk 'NR==FNR { want[$0]=1; next } { delete want[$0] } END { for (k in want) if (k != "") { print "missing: " k; bad=1 } exit bad }' "$W/man" docs/grondslag.conf.5 >"$W/man.diff"; then
	ok "docs/grondslag.conf.5 documents every key with its default"
else
	not_ok "docs/grondslag.conf.5 documents every key with its default" "$(head "$W/man.diff")"
fi

summary
