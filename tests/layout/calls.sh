#!/bin/sh
# tests/layout/calls.sh OBJDIR [KNOWN] - the files of a subsystem folder
# call each other one way: for every folder under OBJDIR (the build's
# obj/ tree, one .o per source file), the calls between its files must
# form no loop, so that a dispatcher's parts and the helpers they share
# never call back into it (docs/design.md).  A loop is a set of files
# each reaching the others through calls (nm: the symbols one file uses
# that another defines).
#
# KNOWN (default tests/layout/calls.known) lists the loops that are
# there on purpose, one per line: "folder: a b c" with the files sorted,
# or "folder: *" for a folder not held to it yet.  Prints every loop not
# listed, "folder: loop: a b", and exits 1 if there is one.
OBJ=${1:?usage: calls.sh OBJDIR [KNOWN]}
KNOWN=${2:-tests/layout/calls.known}
[ -d "$OBJ" ] || { echo "calls.sh: no $OBJ" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
bad=0
for dir in "$OBJ"/*/; do
	folder=$(basename "$dir")
	set -- "$dir"*.o
	[ -e "$1" ] || continue
	: >"$tmp/defs"
	: >"$tmp/uses"
	for o in "$@"; do
		n=$(basename "$o" .o)
		nm --defined-only "$o" | awk -v n="$n" '$2 ~ /^[TDBRV]$/ {print $3, n}' >>"$tmp/defs" ||
			exit 2
		nm -u "$o" | awk -v n="$n" '{print $2, n}' >>"$tmp/uses" || exit 2
	done
	sort -u "$tmp/defs" >"$tmp/d"
	sort -u "$tmp/uses" >"$tmp/u"
	# edges "caller callee", then the loops (strongly connected sets of
	# two or more files) from the transitive closure
	join "$tmp/u" "$tmp/d" | awk '$2 != $3 {print $2, $3}' | sort -u |
		awk -v folder="$folder" '
		{ if (!($1 in id)) { id[$1] = ++n; name[n] = $1 }
		  if (!($2 in id)) { id[$2] = ++n; name[n] = $2 }
		  r[id[$1], id[$2]] = 1 }
		END {
			for (k = 1; k <= n; k++)
				for (i = 1; i <= n; i++)
					if ((i, k) in r)
						for (j = 1; j <= n; j++)
							if ((k, j) in r)
								r[i, j] = 1
			for (i = 1; i <= n; i++) {
				if (done[i] || !((i, i) in r))
					continue
				m = 0
				for (j = 1; j <= n; j++)
					if (((i, j) in r) && ((j, i) in r)) {
						done[j] = 1
						set[++m] = name[j]
					}
				# sort the names (insertion sort: a handful)
				for (a = 2; a <= m; a++)
					for (b = a; b > 1 && set[b - 1] > set[b]; b--) {
						t = set[b]; set[b] = set[b - 1]; set[b - 1] = t
					}
				line = folder ":"
				for (a = 1; a <= m; a++)
					line = line " " set[a]
				print line
			}
		}' >>"$tmp/loops"
done
touch "$tmp/loops"
sort "$tmp/loops" >"$tmp/found"
grep -v '^#' "$KNOWN" 2>/dev/null | grep -v '^$' | sort >"$tmp/known"
comm -23 "$tmp/found" "$tmp/known" | while IFS= read -r l; do
	grep -qx "${l%%:*}: \*" "$tmp/known" && continue
	echo "${l%%:*}: loop:${l#*:}"
done >"$tmp/new"
if [ -s "$tmp/new" ]; then
	cat "$tmp/new"
	bad=1
fi
exit $bad
