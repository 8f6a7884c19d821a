#!/bin/sh
# tests/e2e/sendmail-setup.sh - make a private, never-installed Sendmail
# available to the end-to-end tests (Debian 12, as root).
#
# Sendmail and Postfix cannot both be installed (both provide
# mail-transport-agent), so the sendmail-bin, sendmail-cf and sendmail-base
# packages are only downloaded and unpacked with dpkg -x into a cache
# directory, once.  The libraries the binary needs but the unpacked tree
# lacks (libwrap0, liblockfile1) and m4 (to build the .cf) are installed
# when missing; none of them conflicts with Postfix.
#
#   sh tests/e2e/sendmail-setup.sh [CACHE]      # prints nothing when ready
#
# CACHE defaults to $GRONDSLAG_SM_CACHE or /var/cache/grondslag-test/sendmail.
# Result: CACHE/root/usr/libexec/sendmail/sendmail (the binary) and
# CACHE/root/usr/share/sendmail/cf (the m4 macros); CACHE/.ready marks a
# finished unpack.  Idempotent and safe to run concurrently (flock).
# Exit 0 when ready, 1 with a message on stderr otherwise.
# shellcheck disable=SC2086 # the package lists are split into words on purpose
set -eu

CACHE=${1:-${GRONDSLAG_SM_CACHE:-/var/cache/grondslag-test/sendmail}}
SM_PKGS="sendmail-bin sendmail-cf sendmail-base"
LIB_PKGS="libwrap0 liblockfile1 m4"

# Print a message on stderr and fail.
die() {
	echo "sendmail-setup: $*" >&2
	exit 1
}

# True when every package named is installed.
have_pkgs() {
	for p in "$@"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || return 1
	done
}

# Install the run-time libraries and m4 when missing.
install_libs() {
	have_pkgs $LIB_PKGS && return 0
	[ "$(id -u)" = 0 ] || die "missing packages ($LIB_PKGS), run as root"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$LIB_PKGS >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null 2>&1 || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends $LIB_PKGS >/dev/null ||
			die "apt-get install $LIB_PKGS failed"
	}
}

# Download the three sendmail .debs into $1 (apt-get update once on failure).
download_debs() {
	# apt-get download writes into the current directory; as root it
	# warns that the download is unsandboxed, which is harmless.
	(cd "$1" && apt-get download -qq $SM_PKGS >/dev/null 2>&1) && return 0
	apt-get update -qq >/dev/null 2>&1 || true
	(cd "$1" && apt-get download -qq $SM_PKGS >/dev/null 2>&1) ||
		die "apt-get download $SM_PKGS failed"
}

# Download and unpack into CACHE/root, atomically (tmp dir, then rename).
unpack() {
	tmp=$CACHE/tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/debs" "$tmp/root"
	download_debs "$tmp/debs"
	for d in "$tmp"/debs/*.deb; do
		[ -f "$d" ] || die "no .deb downloaded"
		dpkg -x "$d" "$tmp/root" || die "dpkg -x $d failed"
	done
	[ -x "$tmp/root/usr/libexec/sendmail/sendmail" ] ||
		die "unpacked tree has no usr/libexec/sendmail/sendmail"
	[ -f "$tmp/root/usr/share/sendmail/cf/m4/cf.m4" ] ||
		die "unpacked tree has no usr/share/sendmail/cf/m4/cf.m4"
	rm -rf "$CACHE/root" "$CACHE/debs"
	mv "$tmp/root" "$CACHE/root"
	mv "$tmp/debs" "$CACHE/debs"
	rmdir "$tmp"
	date -u +%Y-%m-%dT%H:%M:%SZ >"$CACHE/.ready"
}

# Check the binary finds every shared library it needs.
check_ldd() {
	bin=$CACHE/root/usr/libexec/sendmail/sendmail
	if ldd "$bin" 2>/dev/null | grep -q 'not found'; then
		die "$bin: $(ldd "$bin" | grep 'not found' | tr '\n' ' ')"
	fi
}

install_libs
if [ ! -f "$CACHE/.ready" ] || [ ! -x "$CACHE/root/usr/libexec/sendmail/sendmail" ]; then
	[ "$(id -u)" = 0 ] || die "$CACHE not ready, run as root once"
	mkdir -p "$CACHE"
	# One unpack at a time; the second waiter finds .ready and returns.
	exec 9>"$CACHE/.lock"
	flock -w 300 9 || die "timeout waiting for $CACHE/.lock"
	if [ ! -f "$CACHE/.ready" ] || [ ! -x "$CACHE/root/usr/libexec/sendmail/sendmail" ]; then
		unpack
	fi
	flock -u 9
fi
check_ldd
