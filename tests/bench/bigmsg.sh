#!/bin/sh
# tests/bench/bigmsg.sh - one large message end to end through
# "grondslag scan": 25 MB with a zipped 10 MB CSV of 200,000 addresses
# plus benign text, timed, with peak resident memory.  Target: under 0.5 s
# and peak memory under 3x the message size.
set -eu
BUILD=${BUILD:-build}
D=$BUILD/bench/bigmsg
mkdir -p "$D"
if [ ! -f "$D/big.eml" ] || [ "${BIGMSG_REBUILD:-}" = 1 ]; then
	# 200,000 public addresses (in 81.0.0.0/8 .. 90.0.0.0/8) with padding
	# columns to reach ~10 MB of CSV.
	awk 'BEGIN { print "ip,port,asn,first_seen,last_seen,tag";
		for (i = 0; i < 200000; i++) {
			a = 81 + int(i / 65536) % 10; b = int(i / 256) % 256; c = i % 256;
			printf "%d.%d.%d.%d,443,%d,2023-01-%02d,2024-01-%02d,fortigate-c2\n",
				a, b, c, (i * 7) % 254 + 1, 1000 + i % 5000, i % 28 + 1, i % 28 + 1 } }' >"$D/list.csv"
	rm -f "$D/list.zip" "$D/big.eml"
	(cd "$D" && zip -q -X list.zip list.csv)
	# Benign filler text to reach ~25 MB in all.
	awk 'BEGIN { for (i = 0; i < 120000; i++)
		printf "Line %d of the quarterly report: revenue grew, meetings were held, v2.%d.%d released.\n", i, i % 10, i % 7 }' >"$D/filler.txt"
	{
		printf 'From: a@ncsc.nl\nTo: b@cert.be\nSubject: big\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="bb"\n\n--bb\nContent-Type: text/plain\n\n'
		cat "$D/filler.txt"
		printf '\n--bb\nContent-Type: application/zip; name="list.zip"\nContent-Transfer-Encoding: base64\n\n'
		base64 -w 76 "$D/list.zip"
		printf '\n--bb\nContent-Type: text/plain; name="notes.txt"\nContent-Transfer-Encoding: base64\n\n'
		base64 -w 76 "$D/filler.txt"
		printf '\n--bb--\n'
	} >"$D/big.eml"
fi
size=$(stat -c %s "$D/big.eml")
csv=$(stat -c %s "$D/list.csv")
conf=""
if [ ! -f /var/lib/grondslag/geo/country.mmdb ]; then
	sh tests/geo/build.sh "$BUILD/geo-test" >/dev/null
	printf 'GeoCountryDatabase %s\nGeoASNDatabase %s\n' "$BUILD/geo-test/country.mmdb" \
		"$BUILD/geo-test/asn.mmdb" >"$D/bench.conf"
	conf="-c $D/bench.conf"
fi
# The scan alone (scan-bench: best of 3, with and without geo, peak RSS).
# shellcheck disable=SC2086
"$BUILD/tests/scan-bench" $conf -n 3 "$D/big.eml"
echo "bigmsg: message $((size / 1048576)) MB, csv $((csv / 1048576)) MB before zipping"
# And the whole command, JSON output included, with /usr/bin/time.
# shellcheck disable=SC2086
/usr/bin/time -f '%e %M' -o "$D/time" "$BUILD/grondslag" scan $conf --json "$D/big.eml" >/dev/null
read -r secs kb <"$D/time"
awk -v s="$secs" -v kb="$kb" -v size="$size" 'BEGIN {
	printf "bigmsg: grondslag scan --json %.2f s, peak RSS %.1f MB = %.2fx message (target: scan < 0.5 s, < 3x)\n",
		s, kb / 1024, kb * 1024 / size }'
