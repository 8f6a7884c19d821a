#!/bin/sh
# tests/golden/t-install.sh - make install into a staging directory puts
# the programs, the man pages and the sample files where they belong, and
# the installed programs run.
set -u
. tests/testlib.sh
D=$B/install-test
rm -rf "$D"
if ! make -s BUILD="$BUILD" install PREFIX=/usr/local DESTDIR="$D" >"$B/install.log" 2>&1; then
	not_ok "make install" "$(tail "$B/install.log")"
	summary
	exit 1
fi
ok "make install DESTDIR"
for f in bin/grondslag sbin/grondslag-milter sbin/grondslag-web share/man/man1/grondslag.1 \
	share/man/man5/grondslag.conf.5 share/man/man5/grondslag-registry.5 \
	share/man/man8/grondslag-milter.8 share/man/man8/grondslag-web.8 \
	share/doc/grondslag/grondslag.conf.sample share/doc/grondslag/contrib/grondslag-web.service \
	share/doc/grondslag/registry.sample.yaml share/doc/grondslag/contrib/grondslag-milter.service; do
	check "installed $f" test -s "$D/usr/local/$f"
done
check "installed grondslag runs" "$D/usr/local/bin/grondslag" config sample >/dev/null
"$D/usr/local/sbin/grondslag-milter" -h >/dev/null 2>&1
rc=$?
check "installed grondslag-milter runs (usage exit)" [ $rc -le 2 ]
check "installed grondslag-web runs (usage)" "$D/usr/local/sbin/grondslag-web" -h
for m in "$D"/usr/local/share/man/man*/*; do
	if man -l "$m" >/dev/null 2>"$B/man.err" && ! grep -q . "$B/man.err"; then
		ok "man page renders: ${m##*/}"
	else
		not_ok "man page renders: ${m##*/}" "$(head -3 "$B/man.err")"
	fi
done
rm -rf "$D"
summary
