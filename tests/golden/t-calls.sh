#!/bin/sh
# t-calls.sh - the files of each subsystem folder call each other one
# way (tests/layout/calls.sh over the build's objects), and the check is
# seen to refuse a loop: objects made here that call each other.
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
W=$B/t-calls
rm -rf "$W" && mkdir -p "$W"

if [ ! -d "$B/obj/scan" ]; then
	not_ok "the build's objects are there" "no $B/obj/scan: build first"
	summary
	exit 1
fi
if sh tests/layout/calls.sh "$B/obj" >"$W/tree.out" 2>&1; then
	ok "no file calls back into a file that calls it"
else
	not_ok "no file calls back into a file that calls it" "$(head -c 600 "$W/tree.out")"
fi

# obj FOLDER NAME SOURCE: compile SOURCE into $W/obj/FOLDER/NAME.o
obj() {
	mkdir -p "$W/obj/$1"
	printf '%s\n' "$3" >"$W/$2.c"
	${CC:-cc} -c -o "$W/obj/$1/$2.o" "$W/$2.c"
}
obj decide disp 'int part(int); int disp(int x) { return part(x) + 1; }'
obj decide part 'int helper(int); int part(int x) { return helper(x); }'
obj decide helper 'int helper(int x) { return x * 2; }'
obj daemon a 'int b(int); int a(int x) { return x ? b(x - 1) : 0; }'
obj daemon b 'int c(int); int b(int x) { return c(x); }'
obj daemon c 'int a(int); int c(int x) { return a(x); }'

printf 'x: *\n' >"$W/none.known"
sh tests/layout/calls.sh "$W/obj" "$W/none.known" >"$W/out" 2>&1
rc=$?
check "a loop of three files is refused" [ "$rc" = 1 ]
check "the loop is named with its files" grep -qx 'daemon: loop: a b c' "$W/out"
check "a tree of calls is not" sh -c "! grep -q '^decide:' '$W/out'"

printf 'daemon: a b c\n' >"$W/listed.known"
check "a listed loop is accepted" sh tests/layout/calls.sh "$W/obj" "$W/listed.known"
printf 'daemon: *\n' >"$W/folder.known"
check "a folder not held to it is accepted" sh tests/layout/calls.sh "$W/obj" "$W/folder.known"
printf 'daemon: a b\n' >"$W/other.known"
check "a different loop listed does not cover it" \
	sh -c "! sh tests/layout/calls.sh '$W/obj' '$W/other.known' >/dev/null"

summary
