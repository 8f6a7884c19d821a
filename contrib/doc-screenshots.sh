#!/bin/sh
# contrib/doc-screenshots.sh - make the screenshots of docs/jurists.md
# again (make doc-screenshots; as root, like make check: the test makes
# system users, a private Postfix and a headless Chromium).
#
# Runs the console's browser tests (tests/e2e/t-web.sh: two jurists and an
# auditor with client certificates, a hold made by mail through a private
# Postfix, reviewed, decided, its case handled; t-web-bulk.sh: a decision
# over every hold of a party), which keep a screenshot of every step in
# $BUILD/web-screenshots*, and copies the ones the guide shows to
# docs/img/console-*.png.  Fails, copying nothing, when the test
# fails or a screenshot is missing or over 200 KB (the browser window is
# 1400x1000: a page the guide shows must fit it).  With WEB_GUIDE=1 the
# console test's message is a plain one (make check sends a hostile one:
# markup and an RTL override in its Subject, body and file name, which
# the guide's pictures should not show).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
OUT=docs/img
# the guide's name, the test's screenshot (under $BUILD)
MAP="queue:web-screenshots/queue-j1 hold:web-screenshots/hold-j1
message:web-screenshots/message-j1 confirm:web-screenshots/confirm-j1
released:web-screenshots/confirm-j2 case:web-screenshots/case-handover-j1
advice:web-screenshots/case-advice-j2 overview:web-screenshots/overview-aud
bulk:web-screenshots-bulk/bulk-preview-j1"

for t in t-web t-web-bulk; do
	BUILD=$BUILD WEB_GUIDE=1 sh "tests/e2e/$t.sh" >"$BUILD/doc-screenshots-$t.log" 2>&1
	tail -n 1 "$BUILD/doc-screenshots-$t.log"
	case $(tail -n 1 "$BUILD/doc-screenshots-$t.log") in
	*" 0 failed") ;;
	*) echo "doc-screenshots: $t failed (see $BUILD/doc-screenshots-$t.log)" >&2; exit 1 ;;
	esac
done
for m in $MAP; do
	f=$BUILD/${m#*:}.png
	if [ ! -s "$f" ] || [ "$(wc -c <"$f")" -gt 204800 ]; then
		echo "doc-screenshots: $f missing or over 200 KB" >&2
		exit 1
	fi
done
mkdir -p "$OUT"
for m in $MAP; do
	cp "$BUILD/${m#*:}.png" "$OUT/console-${m%%:*}.png"
	echo "$OUT/console-${m%%:*}.png ($(wc -c <"$OUT/console-${m%%:*}.png") bytes)"
done
