#!/bin/sh
# tests/demo.sh - make demo: the main job on embedded defaults.
#
# 1. The detection engine: scan the bundled example messages with the
#    embedded default configuration and the default geo data (installed by
#    contrib/geo-install.sh), and show what each carries.
# 2. The gate: a private Postfix with smtp-sink as the far side and
#    grondslag-milter with conf/registry.sample.yaml; example mails go out,
#    and the demo prints what was delivered and what was held
#    (tests/demo-milter.sh).  Everything it starts is stopped at the end.
set -eu
BUILD=${BUILD:-build}
echo "== 1. grondslag scan over the example messages in tests/golden/msg/"
echo "   (embedded defaults; geo data from /var/lib/grondslag/geo)"
echo
for m in tests/golden/msg/*.eml; do
	"$BUILD/grondslag" scan "$m"
	echo
done
echo "== 2. grondslag-milter in front of a private Postfix"
echo
BUILD=$BUILD sh tests/demo-milter.sh
