#!/bin/sh
# tests/demo.sh - make demo: the main job on embedded defaults.
#
# For now (detection engine): scan the bundled example messages with the
# embedded default configuration and the default geo data (installed by
# contrib/geo-install.sh) and print what each one carries.  The milter
# work extends this into mail through a private Postfix.
set -eu
BUILD=${BUILD:-build}
echo "== grondslag demo: scanning the example messages in tests/golden/msg/"
echo "   (embedded defaults; geo data from /var/lib/grondslag/geo)"
echo
for m in tests/golden/msg/*.eml; do
	"$BUILD/grondslag" scan "$m"
	echo
done
