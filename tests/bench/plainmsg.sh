#!/bin/sh
# tests/bench/plainmsg.sh - a large plain-text message of real mail text
# through the whole "grondslag scan --json" process, against ripgrep's
# IPv4 regex over the same file, in the same run.  Target: at least 3x
# ripgrep's speed.
#
# The message (made once, into $BUILD/bench/plainmsg/) is one header and a
# plain body of PLAIN_MB (default 98) MB: the mail messages and mailboxes
# of $CORPUS/mime, their base64, uuencoded and PGP lines left out (that
# would be attachments, not plain text), repeated.  Then, RUNS times
# interleaved (best of each):
#   ripgrep:   rg --count-matches -a '\b(?:\d{1,3}\.){3}\d{1,3}\b' FILE
#   grondslag: grondslag scan -c CONF --json FILE >/dev/null
# and the phases of the scan on their own (scan-bench -p): decode,
# markers, scan, findings and walk, geo; output and start-up are the
# process minus the scan.
set -u
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
PLAIN_MB=${PLAIN_MB:-98}
RUNS=${RUNS:-5}
D=$BUILD/bench/plainmsg
bench_name=plainmsg
. tests/bench/lib.sh

# No corpus, no figure: a failure, never a quiet pass.
if [ ! -d "$CORPUS/mime" ]; then
	echo "plainmsg: $CORPUS/mime missing (make bench CORPUS=...)" >&2
	exit 1
fi
need_rg
mkdir -p "$D"
if [ ! -s "$D/plain.eml" ] || [ "$(cat "$D/plain.mb" 2>/dev/null)" != "$PLAIN_MB" ]; then
	echo "generating $D/plain.eml ($PLAIN_MB MB)"
	find "$CORPUS/mime" -type f \( -name '*.eml' -o -name '*.txt' -o -name '*.msg' \
		-o -name '*mbox*' \) -print0 | sort -z | xargs -0 cat |
		LC_ALL=C grep -a -v -E "^[A-Za-z0-9+/=]{16,}$(printf '\r')?\$|BEGIN PGP|END PGP|^begin [0-7]{3} |^M.{59}$(printf '\r')?\$" \
		>"$D/text"
	want=$((PLAIN_MB * 1000000))
	{
		printf 'From: a@ncsc.nl\nTo: b@cert.be\nSubject: plain\n\n'
		have=0
		while [ "$have" -lt "$want" ]; do
			cat "$D/text"
			have=$((have + $(stat -c %s "$D/text")))
		done
	} >"$D/plain.eml"
	rm -f "$D/text"
	echo "$PLAIN_MB" >"$D/plain.mb"
fi
printf 'MaxMessageSize 200M\n' >"$D/bench.conf"
if [ ! -f /var/lib/grondslag/geo/country.mmdb ]; then
	sh tests/geo/build.sh "$BUILD/geo-test" >/dev/null
	printf 'GeoCountryDatabase %s\nGeoASNDatabase %s\n' "$BUILD/geo-test/country.mmdb" \
		"$BUILD/geo-test/asn.mmdb" >>"$D/bench.conf"
fi
file=$D/plain.eml
bytes=$(wc -c <"$file")
cat "$file" >/dev/null	# page cache, for both

min() { awk -v x="$1" -v y="$2" 'BEGIN { print (x < y) ? x : y }'; }

best_rg=1e9
best_gs=1e9
i=0
while [ "$i" -lt "$RUNS" ]; do
	t0=$(now)
	rg --count-matches -a "$PATTERN" "$file" >/dev/null
	t1=$(now)
	best_rg=$(min "$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" "$best_rg")
	t0=$(now)
	"$BUILD/grondslag" scan -c "$D/bench.conf" --json "$file" >/dev/null || {
		echo "plainmsg: grondslag scan failed" >&2
		exit 1
	}
	t1=$(now)
	best_gs=$(min "$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" "$best_gs")
	i=$((i + 1))
done
phases=$("$BUILD/tests/scan-bench" -c "$D/bench.conf" -n "$RUNS" -p "$file") || {
	echo "plainmsg: scan-bench failed" >&2
	exit 1
}
echo "$phases" | grep -E 'phases|scan [0-9]'
scan=$(echo "$phases" | sed -n 's/.*, \([0-9.]*\) s with geo.*/\1/p')
if [ -z "$scan" ]; then
	echo "plainmsg: no scan time in the scan-bench output" >&2
	exit 1
fi
awk -v rg="$best_rg" -v gs="$best_gs" -v sc="$scan" -v b="$bytes" 'BEGIN {
	printf "plainmsg: output and start-up %.1f ms (the process minus the scan)\n", (gs - sc) * 1e3
	printf "plainmsg: %.1f MB plain message: grondslag scan --json %.3f s (%.0f MB/s), ripgrep %.3f s: %.2fx ripgrep (target: 3x)\n",
		b / 1048576, gs, b / gs / 1e6, rg, rg / gs }'
