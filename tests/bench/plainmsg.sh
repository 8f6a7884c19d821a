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
# and, in the same rounds, the last build before the identifier scan
# (before_ids below); the phases of the scan on their own (scan-bench -p): decode,
# markers, scan, findings and walk, geo; output and start-up are the
# process minus the scan.  Then the same text as a large attachment
# (ATTACH_MB, default 40, of it base64-encoded in a multipart message,
# through GMime), against ripgrep over that text as a file.
set -u
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
PLAIN_MB=${PLAIN_MB:-98}
ATTACH_MB=${ATTACH_MB:-40}
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

# race TEXT MESSAGE [BEFORE]: ripgrep over TEXT and grondslag over
# MESSAGE (and the grondslag binary BEFORE over it too), RUNS times
# interleaved; the best of each in best_rg, best_gs and best_before.
race() {
	best_rg=1e9
	best_gs=1e9
	best_before=1e9
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		t0=$(now)
		rg --count-matches -a "$PATTERN" "$1" >/dev/null
		t1=$(now)
		best_rg=$(min "$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" "$best_rg")
		t0=$(now)
		"$BUILD/grondslag" scan -c "$D/bench.conf" --json "$2" >/dev/null || {
			echo "plainmsg: grondslag scan of $2 failed" >&2
			exit 1
		}
		t1=$(now)
		best_gs=$(min "$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" "$best_gs")
		if [ -n "${3:-}" ]; then
			t0=$(now)
			"$3" scan -c "$D/bench.conf" --json "$2" >/dev/null || {
				echo "plainmsg: $3 scan of $2 failed" >&2
				exit 1
			}
			t1=$(now)
			best_before=$(min "$(awk -v a="$t0" -v z="$t1" 'BEGIN { print z - a }')" \
				"$best_before")
		fi
		i=$((i + 1))
	done
}

# The last build without the identifier scan (incident data beyond
# addresses: its cost is held to 15% of the ratio), built once into
# $BUILD/bench/before-ids; BENCH_BEFORE_IDS names another revision,
# BENCH_BEFORE_IDS=none leaves it out.
before_ids() {
	[ "${BENCH_BEFORE_IDS:-}" = none ] && return 1
	build_rev plainmsg "${BENCH_BEFORE_IDS:-a3a2b30^}" "$BUILD/bench/before-ids"
}

before=$(before_ids) || before=""
race "$file" "$file" "$before"
phases=$("$BUILD/tests/scan-bench" -c "$D/bench.conf" -n "$RUNS" -p "$file") || {
	echo "plainmsg: scan-bench failed" >&2
	exit 1
}
echo "$phases" | grep -E 'phases|scan [0-9]|one thread'
scan=$(echo "$phases" | sed -n 's/.*, \([0-9.]*\) s with geo.*/\1/p')
if [ -z "$scan" ]; then
	echo "plainmsg: no scan time in the scan-bench output" >&2
	exit 1
fi
awk -v rg="$best_rg" -v gs="$best_gs" -v sc="$scan" -v b="$bytes" 'BEGIN {
	printf "plainmsg: output and start-up %.1f ms (the process minus the scan)\n", (gs - sc) * 1e3
	printf "plainmsg: %.1f MB plain message: grondslag scan --json %.3f s (%.0f MB/s), ripgrep %.3f s: %.2fx ripgrep (target: 3x)\n",
		b / 1048576, gs, b / gs / 1e6, rg, rg / gs }'
if [ -n "$before" ]; then
	awk -v rg="$best_rg" -v gs="$best_gs" -v bf="$best_before" 'BEGIN {
	printf "plainmsg: before the identifier scan %.3f s: %.2fx ripgrep; now %.2fx: %+.0f%% (limit: -15%%)\n",
		bf, rg / bf, rg / gs, (bf / gs - 1) * 100 }'
fi

# The large attachment: ATTACH_MB of the body as a base64 text file.
if [ ! -s "$D/attach.eml" ] || [ "$(cat "$D/attach.mb" 2>/dev/null)" != "$ATTACH_MB" ]; then
	echo "generating $D/attach.eml ($ATTACH_MB MB of text, base64)"
	tail -n +5 "$file" | head -c $((ATTACH_MB * 1000000)) >"$D/attach.txt"
	{
		printf 'From: a@ncsc.nl\nTo: b@cert.be\nSubject: attachment\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/mixed; boundary="bb"\n\n--bb\nContent-Type: text/plain\n\n'
		printf 'The list is attached.\n\n--bb\nContent-Type: text/plain; name="list.txt"\n'
		printf 'Content-Disposition: attachment; filename="list.txt"\n'
		printf 'Content-Transfer-Encoding: base64\n\n'
		base64 -w 76 "$D/attach.txt"
		printf '\n--bb--\n'
	} >"$D/attach.eml"
	echo "$ATTACH_MB" >"$D/attach.mb"
fi
abytes=$(wc -c <"$D/attach.txt")
cat "$D/attach.eml" "$D/attach.txt" >/dev/null
race "$D/attach.txt" "$D/attach.eml" "$before"
awk -v rg="$best_rg" -v gs="$best_gs" -v b="$abytes" 'BEGIN {
	printf "plainmsg: %.1f MB text as a base64 attachment: grondslag scan --json %.3f s (%.0f MB/s of text), ripgrep over the text %.3f s: %.2fx ripgrep\n",
		b / 1048576, gs, b / gs / 1e6, rg, rg / gs }'
if [ -n "$before" ]; then
	awk -v rg="$best_rg" -v gs="$best_gs" -v bf="$best_before" 'BEGIN {
	printf "plainmsg: the attachment before the identifier scan %.3f s: %.2fx ripgrep; now %.2fx: %+.0f%%\n",
		bf, rg / bf, rg / gs, (bf / gs - 1) * 100 }'
fi
