#!/bin/sh
# contrib/doc-screenshots.sh - make the screenshots of docs/jurists.md
# again (make doc-screenshots; as root, like make check: the test makes
# system users, a private Postfix and a headless Chromium).
#
# Runs the console's browser test (tests/e2e/t-web.sh: two jurists and an
# auditor with client certificates, a hold made by mail through a private
# Postfix, reviewed, decided, its case handled), which keeps a screenshot
# of every step in $BUILD/web-screenshots, and copies the ones the guide
# shows to docs/img/console-*.png.  Fails, copying nothing, when the test
# fails or a screenshot is missing or over 200 KB (the browser window is
# 1400x1000: a page the guide shows must fit it).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
SHOTS=$BUILD/web-screenshots
OUT=docs/img
# the guide's name, the test's screenshot
MAP="queue:queue-j1 hold:hold-j1 message:message-j1 confirm:confirm-j1
released:confirm-j2 case:case-handover-j1 advice:case-advice-j2 overview:overview-aud"

BUILD=$BUILD sh tests/e2e/t-web.sh >"$BUILD/doc-screenshots.log" 2>&1
tail -n 1 "$BUILD/doc-screenshots.log"
case $(tail -n 1 "$BUILD/doc-screenshots.log") in
*" 0 failed") ;;
*) echo "doc-screenshots: the browser test failed (see $BUILD/doc-screenshots.log)" >&2; exit 1 ;;
esac
for m in $MAP; do
	f=$SHOTS/${m#*:}.png
	if [ ! -s "$f" ] || [ "$(wc -c <"$f")" -gt 204800 ]; then
		echo "doc-screenshots: $f missing or over 200 KB" >&2
		exit 1
	fi
done
mkdir -p "$OUT"
for m in $MAP; do
	cp "$SHOTS/${m#*:}.png" "$OUT/console-${m%%:*}.png"
	echo "$OUT/console-${m%%:*}.png ($(wc -c <"$OUT/console-${m%%:*}.png") bytes)"
done
