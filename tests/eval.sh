#!/bin/sh
# tests/eval.sh - make eval CORPUS=DIR: the scanner over third-party
# corpora (never copied into the repository), built with ASan + UBSan so
# that any crash, leak or sanitizer report on any file fails the run.
# Prints per-folder counts of messages, parts, unscannable reasons and
# addresses found, then the two figures a detection change is judged by:
#  - false alarms: how many files of fp-text (version strings, schemas,
#    changelogs: no address list anywhere) are provider-traceable;
#  - recall: the distinct addresses, prefixes and ranges found per file,
#    written to $BUILD/eval-files.tsv (path, addresses, networks,
#    provider-traceable, flagged by the identifier lists).  With EVAL_BASELINE=FILE (such a file from an
#    earlier run, e.g. on main) each incident folder's total is compared
#    and every file that lost addresses is listed.  With EVAL_OLD=GRONDSLAG (an earlier build's
#    grondslag binary) tests/bench/differential.sh compares its "scan --json"
#    of every corpus file with this build's, byte for byte, and fails on any
#    difference (for changes that must keep the findings).
set -eu
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
CORPUS=${CORPUS%/}
[ -d "$CORPUS" ] || { echo "eval: no corpus at $CORPUS (make eval CORPUS=DIR)" >&2; exit 2; }
make -s BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
	LDFLAGS="-fsanitize=address,undefined" build-asan/tests/eval-corpus
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0
# The test geo data when the default data is not installed.
conf=""
if [ ! -f /var/lib/grondslag/geo/country.mmdb ]; then
	sh tests/geo/build.sh "$BUILD/geo-test" >/dev/null
	printf 'GeoCountryDatabase %s\nGeoASNDatabase %s\n' "$BUILD/geo-test/country.mmdb" \
		"$BUILD/geo-test/asn.mmdb" >"$BUILD/eval.conf"
	conf="-c $BUILD/eval.conf"
fi
files=$BUILD/eval-files.tsv
mkdir -p "$BUILD"
: >"$files"
for d in mime attachments ioc fp-text; do
	[ -d "$CORPUS/$d" ] || continue
	# shellcheck disable=SC2086
	build-asan/tests/eval-corpus $conf -f "$files" "$CORPUS/$d"
done
# fp-text files are no messages (the walker reads them as malformed
# mail): as the plain body of a message they are what an analyst pastes,
# changelogs full of addresses and host names in signature lines.
fpmail=$BUILD/eval-fp-mail
rm -rf "$fpmail"
if [ -d "$CORPUS/fp-text" ]; then
	(cd "$CORPUS/fp-text" && find . -type f ! -name SOURCE.txt) | while read -r f; do
		mkdir -p "$fpmail/$(dirname "$f")"
		{ printf 'From: a@ncsc.nl\nTo: b@cert.be\nSubject: text\n'
		  printf 'Content-Type: text/plain; charset=utf-8\n\n'
		  cat "$CORPUS/fp-text/$f"; } >"$fpmail/$f.eml"
	done
	# shellcheck disable=SC2086
	build-asan/tests/eval-corpus $conf -f "$files" "$fpmail"
fi
echo "eval: no crash and no sanitizer report"
# Paths relative to the corpus, so runs on two checkouts compare.
sed -i "s|^$CORPUS/||; s|^$fpmail/|fp-mail/|" "$files"
awk -F '\t' '$1 ~ /^fp-text\// { n++; t += $4 }
	END { printf "eval: fp-text: %d of %d files provider-traceable\n", t, n }' "$files"
# The identifier lists (e-mail addresses, hosts, credentials) on text and
# mail that carries no incident data: flagged files, per corpus.
awk -F '\t' '$1 ~ /^(fp-text|fp-mail|mime)\// { split($1, p, "/"); n[p[1]]++; t[p[1]] += $5 }
	END { for (k in n) printf "eval: %s: %d of %d files flagged by the identifier lists (%.2f%%)\n",
		k, t[k], n[k], 100 * t[k] / n[k] }' "$files"
if [ -n "${EVAL_BASELINE:-}" ]; then
	[ -f "$EVAL_BASELINE" ] || { echo "eval: no baseline $EVAL_BASELINE" >&2; exit 2; }
	# recall per incident folder (ioc, attachments, mime): totals and losers
	awk -F '\t' 'NR == FNR { was[$1] = $2 + $3; next }
		{ split($1, p, "/"); f = p[1] "/" p[2]; now = $2 + $3
		  if (!($1 in was) || f ~ /^fp-text/) next
		  if (!(f in before)) order[n++] = f
		  before[f] += was[$1]; after[f] += now
		  if (now < was[$1]) lost[f] = lost[f] sprintf("    lost %s: %d -> %d\n", $1, was[$1], now) }
		END { for (i = 0; i < n; i++) { f = order[i]
			printf "eval: recall %-40s %8d -> %8d addresses\n", f, before[f], after[f]
			printf "%s", lost[f] } }' "$EVAL_BASELINE" "$files"
fi
if [ -n "${EVAL_OLD:-}" ]; then
	sh tests/bench/differential.sh "$EVAL_OLD" "$BUILD/grondslag" "$CORPUS"
fi
