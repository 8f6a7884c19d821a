#!/bin/sh
# tests/deps.sh - install what building, testing and the demo need, when it
# is missing (Debian 12, as root).  Quiet when everything is there.
set -eu

PKGS="gcc make pkg-config clang libclang-rt-14-dev
libmilter-dev libgpgme-dev libgpg-error-dev libmaxminddb-dev libcmocka-dev
libgmime-3.0-dev libarchive-dev libsqlite3-dev libpq-dev postgresql-15 libyaml-dev libidn2-dev libgsf-1-dev nettle-dev
gnupg openssl poppler-utils zip p7zip-full mmdb-bin libmaxmind-db-writer-perl
postfix swaks miltertest opendkim python3-dkim ripgrep time man-db chromium sqlite3
libmicrohttpd-dev libgnutls28-dev chromium-driver python3-selenium libnss3-tools
nginx-light"
# make deb (contrib/debian) also needs the Debian packaging tools
[ "${1:-}" = deb ] && PKGS="$PKGS debhelper dpkg-dev fakeroot lintian"

missing=""
for p in $PKGS; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "deps: installing:$missing"
	# Postfix must not ask questions nor create a system configuration:
	# the tests run private instances with their own config directories.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm fetches the default geo data; a machine without Node.js gets Debian's.
command -v npm >/dev/null 2>&1 || {
	echo "deps: installing: npm"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
}

# axe-core (npm), the accessibility checker t-web injects into every page
# of the console, pinned, in a cache outside the work tree.  Without it
# t-web fails its accessibility checks (it never skips them).
AXE_VERSION=4.14.1
AXE_DIR=${GRONDSLAG_AXE_DIR:-/var/cache/grondslag-test/axe-core-$AXE_VERSION}
if [ ! -s "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
	echo "deps: installing: axe-core $AXE_VERSION (npm) into $AXE_DIR"
	mkdir -p "$AXE_DIR" &&
		npm install --prefix "$AXE_DIR" --no-audit --no-fund --no-save --silent \
			"axe-core@$AXE_VERSION" >/dev/null 2>&1 ||
		echo "deps: warning: axe-core not installed: t-web's accessibility checks will fail" >&2
fi

# The default geo data (country + ASN), see docs/geo.md.  make demo needs
# it; make check and make deb do not (the tests build their own databases),
# so there a failure to fetch it is only a warning.
if ! sh contrib/geo-install.sh; then
	if [ "${1:-}" = check ] || [ "${1:-}" = deb ]; then
		echo "deps: warning: default geo data not installed (make check does not need it)" >&2
	else
		exit 1
	fi
fi
