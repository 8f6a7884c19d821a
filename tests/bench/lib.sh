# tests/bench/lib.sh - the ripgrep baseline the benchmarks measure against
# (sourced): one regex and one clock for all of them, so their ratios are
# of the same thing.
#   RG_PATTERN       rg's IPv4 regex: rg --count-matches -a "$RG_PATTERN" FILE
#   bench_need_rg NAME   exit 1 (saying so) when ripgrep is not installed
#   now              the clock, in seconds with nanoseconds
RG_PATTERN='\b(?:\d{1,3}\.){3}\d{1,3}\b'

bench_need_rg() {
	if ! command -v rg >/dev/null 2>&1; then
		echo "$1: ripgrep (rg) not installed: no baseline" >&2
		exit 1
	fi
}

now() { date +%s.%N; }
