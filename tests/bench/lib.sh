# tests/bench/lib.sh - what the benches that race ripgrep share; sourced
# from the top of the repository after setting bench_name (for messages).
#   PATTERN      ripgrep's IPv4 regex, the baseline every ratio is of
#   need_rg      exit 1 (bench_name in the message) when rg is missing
#   now          the clock both sides are timed with
PATTERN='\b(?:\d{1,3}\.){3}\d{1,3}\b'

need_rg() {
	if ! command -v rg >/dev/null 2>&1; then
		echo "$bench_name: ripgrep (rg) not installed: no baseline" >&2
		exit 1
	fi
}

now() { date +%s.%N; }
