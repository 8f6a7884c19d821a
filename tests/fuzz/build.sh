#!/bin/sh
# tests/fuzz/build.sh - make fuzz: build every tests/fuzz/fuzz_*.c as a
# real libFuzzer binary (clang, ASan + UBSan) into build-fuzz/, and print
# how to run each over its seed corpus.  make check only replays seeds
# (tests/fuzz/replay.c); new crashes found here go into tests/fuzz/seeds/
# so that the replay keeps them fixed.
set -eu
OUT=build-fuzz
make -s BUILD=$OUT CC=clang CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined" \
	LDFLAGS="-fsanitize=address,undefined" $OUT/libgrondslag.a
PKGS="gmime-3.0 libarchive libmaxminddb yaml-0.1 sqlite3 gpgme gpg-error libidn2 libgsf-1"
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2046
	clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude \
		$(pkg-config --cflags $PKGS) "$src" $OUT/libgrondslag.a $(pkg-config --libs $PKGS) \
		-o "$OUT/$name"
	echo "built $OUT/$name: run $OUT/$name -max_total_time=60 tests/fuzz/seeds/${name#fuzz_}"
done
