#!/bin/sh
# tests/eval.sh - make eval CORPUS=DIR: the scanner over third-party
# corpora (never copied into the repository), built with ASan + UBSan so
# that any crash, leak or sanitizer report on any file fails the run.
# Prints per-folder counts of messages, parts, unscannable reasons and
# addresses found.
set -eu
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
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
for d in mime attachments ioc fp-text; do
	[ -d "$CORPUS/$d" ] || continue
	# shellcheck disable=SC2086
	build-asan/tests/eval-corpus $conf "$CORPUS/$d"
done
echo "eval: no crash and no sanitizer report"
