#!/bin/sh
# contrib/regen-conf-docs.sh - rewrite the generated parts of
# conf/grondslag.conf.sample and docs/grondslag.conf.5 from the key table
# in the code (include/grondslag/config/config_keys.def), after a key changes.
# tests/golden/t-scan.sh fails when they drift apart.
set -eu
BIN=${BIN:-build/grondslag}
# sample: keep the header (up to the "grondslag config sample" line)
awk '{ print } /^#   grondslag config sample$/ { exit }' conf/grondslag.conf.sample >conf/.sample.new
"$BIN" config sample >>conf/.sample.new
mv conf/.sample.new conf/grondslag.conf.sample
# man page: replace everything between ".SH KEYS" and the next ".SH"
awk -v gen="$("$BIN" config man)" '
	/^\.SH KEYS$/ { print; print gen; skip = 1; next }
	skip && /^\.SH / { skip = 0 }
	!skip { print }' docs/grondslag.conf.5 >docs/.conf5.new
mv docs/.conf5.new docs/grondslag.conf.5
