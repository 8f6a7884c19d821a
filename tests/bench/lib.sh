# tests/bench/lib.sh - what the benches that race ripgrep share; sourced
# from the top of the repository after setting bench_name (for messages).
#   PATTERN      ripgrep's IPv4 regex, the baseline every ratio is of
#   need_rg      exit 1 (bench_name in the message) when rg is missing
#   now          the clock both sides are timed with
#   build_rev    a grondslag binary of another revision, built once
PATTERN='\b(?:\d{1,3}\.){3}\d{1,3}\b'

need_rg() {
	if ! command -v rg >/dev/null 2>&1; then
		echo "$bench_name: ripgrep (rg) not installed: no baseline" >&2
		exit 1
	fi
}

now() { date +%s.%N; }

# build_rev WHO REVISION DIR: the grondslag of git REVISION, built once
# into DIR/src (kept while DIR/rev names the same commit); prints its
# path, or says why not (WHO in the message) and fails.
build_rev() {
	rev=$(git rev-parse --verify -q "$2^{commit}") || {
		echo "$1: no revision $2" >&2
		return 1
	}
	if [ "$(cat "$3/rev" 2>/dev/null)" != "$rev" ] || [ ! -x "$3/src/build/grondslag" ]; then
		rm -rf "$3"
		mkdir -p "$3/src"
		echo "$1: building $(git rev-parse --short "$rev") in $3" >&2
		git archive "$rev" | tar -x -C "$3/src" &&
			make -s -C "$3/src" -j2 build/grondslag >"$3/build.log" 2>&1 || {
			echo "$1: the build of $2 failed (see $3/build.log)" >&2
			return 1
		}
		echo "$rev" >"$3/rev"
	fi
	echo "$3/src/build/grondslag"
}
