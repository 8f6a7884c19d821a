#!/bin/sh
# tests/golden/t-report-html.sh - the HTML report of "grondslag report" in
# headless Chromium (Debian's chromium package): for the fixed record (six
# weeks), two years of data and an empty store it
#   - renders with no console message at all (the report has no script,
#     so any message is an error: a blocked load, a CSP violation, ...);
#   - draws its charts: a copy with a measuring script (and without the
#     report's Content-Security-Policy, which would block that script)
#     writes the size of every SVG chart and the number of bars with a
#     non-zero box into the DOM, read back with --dump-dom;
#   - gives a screenshot (a PNG of the expected size, kept in
#     build/report-html/);
#   - folds the table of every chart (closed <details>: no table shown)
#     and stays shorter than PAGE_MAX px;
#   - and all of it in English and in Dutch (--lang nl: <html lang="nl">).
# Chromium is installed here when it is missing (as root, like
# tests/deps.sh); without it every check fails, none is skipped.
set -u
. tests/testlib.sh
G=$TOP/tests/golden/report
W=$B/report-html
FIX=$B/tests/report-fixture
rm -rf "$W"
mkdir -p "$W"

if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	echo "t-report-html: installing chromium"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>"$W/apt.log" 2>&1 || tail -n 5 "$W/apt.log"
fi
if ! command -v chromium >/dev/null 2>&1; then
	not_ok "chromium is installed" "apt-get install chromium (as root)"
	summary
	exit 1
fi

# chrome ARGS...: headless Chromium as this machine allows it, with a new
# empty profile each time; stdout and stderr as the caller redirects.
chrome() {
	prof=$(mktemp -d "$W/profile.XXXXXX")
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$prof" --hide-scrollbars "$@"
	rc=$?
	rm -rf "$prof"
	return $rc
}

# The measuring script: one line per chart, "id width height bars".
MEASURE='<script>var o=[];document.querySelectorAll("svg.chart").forEach(function(s){var r=s.getBoundingClientRect(),n=0;s.querySelectorAll(".bar").forEach(function(b){var q=b.getBoundingClientRect();if(q.width>0\&\&q.height>0)n++;});o.push(s.id+" "+Math.round(r.width)+" "+Math.round(r.height)+" "+n);});var v=0,d=document.querySelectorAll("details");d.forEach(function(x){x.querySelectorAll("table").forEach(function(t){if(t.checkVisibility())v++;});});o.push("page "+document.documentElement.scrollHeight+" "+d.length+" "+v);var p=document.createElement("pre");p.id="measure";p.textContent="\\n"+o.join("\\n")+"\\n";document.body.appendChild(p);</script>'

# The screenshots stay in build/report-html/ (NAME.png) to be looked at.
# check_report NAME DB SINCE UNTIL WANT [LANG]: WANT is "id:bars ..." per
# chart; LANG en (default) or nl.
check_report() {
	name=$1 db=$2 since=$3 until=$4 want=$5 lang=${6:-en}
	html=$W/$name.html
	h1="grondslag report"
	[ "$lang" = nl ] && h1="grondslag-rapport"
	if ! "$BIN" report --registry "$G/registry.yaml" --database "$db" --since "$since" \
		--until "$until" --now 2026-09-08 --format html --lang "$lang" -o "$html" \
		2>"$W/$name.err"; then
		not_ok "$name: html written" "$(cat "$W/$name.err")"
		return
	fi
	chrome --enable-logging=stderr --v=0 --virtual-time-budget=3000 --dump-dom \
		"file://$html" >"$W/$name.dom" 2>"$W/$name.log"
	rc=$?
	msgs=$(grep -E 'CONSOLE|Refused to|Uncaught|Failed to load' "$W/$name.log")
	if [ $rc = 0 ] && grep -q "<h1>$h1</h1>" "$W/$name.dom" &&
		grep -q "<html lang=\"$lang\">" "$W/$name.dom" && [ -z "$msgs" ]; then
		ok "$name: renders without console messages"
	else
		not_ok "$name: renders without console messages" "rc=$rc $msgs"
	fi

	sed -e '/Content-Security-Policy/d' -e "s|</main></body>|</main>$MEASURE</body>|" \
		"$html" >"$W/$name.measure.html"
	chrome --virtual-time-budget=3000 --dump-dom "file://$W/$name.measure.html" \
		>"$W/$name.measure.dom" 2>/dev/null
	sed -n '/<pre id="measure">/,/<\/pre>/p' "$W/$name.measure.dom" |
		grep -E '^chart-[a-z]+ [0-9]+ [0-9]+ [0-9]+$' >"$W/$name.sizes"
	bad=""
	for w in $want; do
		id=${w%%:*} bars=${w#*:}
		line=$(grep "^chart-$id " "$W/$name.sizes")
		set -- $line
		if [ $# != 4 ] || [ "$2" -le 0 ] || [ "$3" -le 0 ] || [ "$4" != "$bars" ]; then
			bad="$bad chart-$id: got '${line:-missing}', want width>0 height>0 bars $bars;"
		fi
	done
	if [ -z "$bad" ]; then
		ok "$name: charts drawn ($want)"
	else
		not_ok "$name: charts drawn ($want)" "$bad"
	fi
	# the tables of the charts are folded: every <details> closed shows
	# no table, and the page is as long as its charts and registers
	set -- $(sed -n '/<pre id="measure">/,/<\/pre>/p' "$W/$name.measure.dom" | grep '^page ')
	if [ $# = 4 ] && [ "$3" -ge 3 ] && [ "$4" = 0 ] && [ "$2" -le "$PAGE_MAX" ]; then
		ok "$name: the charts' tables are folded ($3 closed), page $2 px high"
	else
		not_ok "$name: the charts' tables are folded, page at most $PAGE_MAX px" \
			"got: $*"
	fi

	chrome --screenshot="$W/$name.png" --window-size=1280,2000 "file://$html" \
		>/dev/null 2>&1
	magic=$(head -c 8 "$W/$name.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
	size=$(wc -c <"$W/$name.png" 2>/dev/null || echo 0)
	if [ "$magic" = 89504e470d0a1a0a ] && [ "$size" -gt 20000 ]; then
		ok "$name: screenshot ($size bytes)"
	else
		not_ok "$name: screenshot" "magic=$magic size=$size"
	fi
}

for rec in golden empty long; do
	if ! "$FIX" "$W/$rec.db" "$rec" >"$W/$rec.fix.log" 2>&1; then
		not_ok "fixture: $rec record" "$(cat "$W/$rec.fix.log")"
	fi
done
# six weeks: 4 weeks with holds; 4 parties; 5 reasons; in both languages
# (the page of the fixed record was 5,900 px with every table open)
PAGE_MAX=5200
check_report golden "$W/golden.db" 2026-07-27 2026-09-07 "series:4 parties:4 reasons:5"
check_report golden-nl "$W/golden.db" 2026-07-27 2026-09-07 "series:4 parties:4 reasons:5" nl
# no data: the charts keep their size and say so, no bar
PAGE_MAX=3600
check_report empty "$W/empty.db" 2026-07-27 2026-09-07 "series:0 parties:0 reasons:0"
# two years by month: 24 months with holds (the last, 2026-09, has none);
# its registers of decisions and shares are long tables of their own
PAGE_MAX=60000
check_report long "$W/long.db" 2024-09-02 2026-09-07 "series:24 parties:5 reasons:6"

summary
