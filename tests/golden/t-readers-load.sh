#!/bin/sh
# tests/golden/t-readers-load.sh - libarchive and libgsf (with libxml2,
# ICU and the C++ runtime below them) are loaded when a scan first meets
# an archive or a compound file, never at a program's start: no program
# is linked with them (readelf); a scan of a plain message loads none of
# them, a zip loads libarchive, a compound file libgsf (dlopen, LD_DEBUG);
# the daemon loads both at its start (-n too).  On a host without them
# (the CLI and the daemon built with sonames no system has:
# build/tests/*-noreaders) a scan still fails closed - the archive and
# the compound file are parts unscannable for an internal reason, the
# message unscannable - while a plain message scans as before; and
# grondslag-milter -n and a start are refused with a message naming the
# library and the package.  Nothing crashes.
set -u
. tests/testlib.sh
W=$B/readers-load
rm -rf "$W"
mkdir -p "$W/spool" "$W/src"
NOCLI=$B/tests/grondslag-noreaders
NOMILTER=$B/tests/grondslag-milter-noreaders
WANT="cannot load the archive library libarchive-absent.so.13 (libarchive-absent.so.13: cannot open shared object file: No such file or directory): archives are scanned with the package libarchive13"
WANT_GSF="cannot load the compound file library libgsf-absent.so.114 (libgsf-absent.so.114: cannot open shared object file: No such file or directory): legacy Office files are scanned with the package libgsf-1-114"

printf 'From: a@example.org\nTo: b@example.net\nSubject: x\n\nhello\n' >"$W/plain.eml"
printf 'ip,first_seen\n133.1.2.3,2023-02-01\n133.4.5.6,2023-02-02\n' >"$W/src/jp.csv"
(cd "$W/src" && zip -q -X jp.zip jp.csv)
{
	printf 'From: a@example.org\nTo: b@example.net\nSubject: x\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
	printf 'The list.\n--b\nContent-Type: application/zip; name="jp.zip"\n'
	printf 'Content-Transfer-Encoding: base64\n\n'
	base64 "$W/src/jp.zip"
	printf -- '--b--\n'
} >"$W/zip.eml"
# a message whose attachment is a compound file (fuzz seed; damaged
# inside, so it reads as "ole2" unscannable: the load comes first)
OLE=$TOP/tests/fuzz/seeds/walk/ole2.eml
min_conf "$W/s.db" "$W" >"$W/m.conf"

"$BIN" store init -c "$W/m.conf" >/dev/null 2>&1 || not_ok "store init"

# no program needs them to start
for p in "$BIN" "$MILTER" "$B/grondslag-web" "$NOCLI" "$NOMILTER"; do
	if [ ! -x "$p" ]; then
		not_ok "$(basename "$p") built" "missing: make tests-build"
	elif readelf -d "$p" | grep -q 'NEEDED.*\(libarchive\|libgsf\|libxml2\)'; then
		not_ok "$(basename "$p") is not linked with libarchive, libgsf, libxml2" \
			"$(readelf -d "$p" | grep NEEDED)"
	else
		ok "$(basename "$p") is not linked with libarchive, libgsf, libxml2"
	fi
done

# loaded LIB LOG...: did the runs logged by LD_DEBUG=files load LIB?
loaded() { _l=$1; shift; grep -q "file=$_l[^ ]* .*dynamically loaded by" "$@"; }
mapped() { _l=$1; shift; grep -q "file=$_l" "$@"; }

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/plain.ld "$BIN" scan --json "$W/plain.eml" >"$W/plain.out" 2>&1
rc=$?
# the loader's log must be there, or "maps none" would prove nothing
[ $rc = 0 ] && grep -q '"file"' "$W/plain.out" && grep -q 'file=libc\.so' "$W"/plain.ld.* &&
	! mapped 'libarchive\|libgsf\|libxml2\|libicu' "$W"/plain.ld.* &&
	ok "a scan of a plain message maps none of libarchive, libgsf, libxml2, ICU" ||
	not_ok "plain scan" "rc $rc: $(grep -h 'file=lib\(archive\|gsf\|xml2\|icu\)' "$W"/plain.ld.* | head -3)"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/zip.ld "$BIN" scan --json "$W/zip.eml" >"$W/zip.out" 2>&1
rc=$?
grep -q '"133.1.2.3"' "$W/zip.out" && loaded libarchive.so.13 "$W"/zip.ld.* &&
	! mapped libgsf "$W"/zip.ld.* &&
	ok "a zip: libarchive loaded by dlopen (not libgsf), its list found (exit $rc)" ||
	not_ok "zip scan" "rc $rc: $(head -c 400 "$W/zip.out")"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/ole.ld "$BIN" scan --json "$OLE" >"$W/ole.out" 2>&1
rc=$?
grep -q '"reason": "ole2"' "$W/ole.out" && loaded libgsf-1.so.114 "$W"/ole.ld.* &&
	ok "a compound file: libgsf loaded by dlopen (exit $rc)" ||
	not_ok "compound file scan" "rc $rc: $(head -c 400 "$W/ole.out")"

LD_DEBUG=files LD_DEBUG_OUTPUT=$W/milter.ld "$MILTER" -n -c "$W/m.conf" >/dev/null 2>"$W/milter.err"
rc=$?
[ $rc = 0 ] && loaded libarchive.so.13 "$W"/milter.ld.* && loaded libgsf-1.so.114 "$W"/milter.ld.* &&
	ok "grondslag-milter -n loads both at start" ||
	not_ok "milter -n" "rc $rc: $(cat "$W/milter.err")"

# --- a host without them ------------------------------------------------
# part PATH REASON FILE: the scan's JSON has part PATH with that reason
part() { python3 - "$@" <<'PY'
import json, sys
path, reason, f = sys.argv[1:4]
d = json.load(open(f))
sys.exit(0 if any(p["path"] == path and p["status"] == "unscannable" and p["reason"] == reason
                  for p in d["parts"]) and "unscannable" in d["categories"] else 1)
PY
}
"$NOCLI" scan --json "$W/plain.eml" >"$W/noplain.out" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$W/noplain.out" "$W/plain.out" &&
	ok "without them: a plain message scans as before" || not_ok "plain without them" "rc $rc"
"$NOCLI" scan --json "$W/zip.eml" >"$W/nozip.out" 2>"$W/nozip.err"
rc=$?
part 2 internal-error "$W/nozip.out" && ! grep -q '133.1.2.3' "$W/nozip.out" &&
	[ "$(grep -cF "$WANT" "$W/nozip.err")" = 1 ] &&
	ok "without libarchive: the zip is unscannable (internal), the message too, why said once (exit $rc)" ||
	not_ok "zip without libarchive" "rc $rc: $(head -c 600 "$W/nozip.out") $(cat "$W/nozip.err")"
"$NOCLI" scan --json "$OLE" >"$W/noole.out" 2>"$W/noole.err"
rc=$?
part 2 internal-error "$W/noole.out" && grep -qF "$WANT_GSF" "$W/noole.err" &&
	ok "without libgsf: the compound file is unscannable (internal) (exit $rc)" ||
	not_ok "compound file without libgsf" "rc $rc: $(head -c 600 "$W/noole.out")"

MILTER=$NOMILTER refuses_to_run "without libarchive and libgsf" "$W/m.conf" "$WANT" "$W/m"
grep -qF "$WANT_GSF" "$W/m.n" && grep -qF "$WANT_GSF" "$W/m.start" &&
	ok "without them: -n and a start name the missing libgsf too" ||
	not_ok "libgsf named" "$(cat "$W/m.n")"
grep -q 'Sanitizer\|Segmentation\|Aborted' "$W"/*.err "$W"/m.n "$W"/m.start "$W"/no*.out &&
	not_ok "nothing crashed" || ok "nothing crashed"
summary
