#!/bin/sh
# contrib/geo-install.sh - install the default geo data (docs/geo.md):
#
#   $GEO_DIR/country.mmdb  CC0 country database from the npm package
#                          @ip-location-db/geo-whois-asn-country-mmdb
#                          (record layout: country_code)
#   $GEO_DIR/asn.mmdb      built from the CC-BY-4.0 CSV of the npm package
#                          @ip-location-db/asn by contrib/geo-asn-csv2mmdb.pl
#                          (record layout: autonomous_system_number)
#   $GEO_DIR/VERSION       package versions and build date
#   $GEO_DIR/LICENSES/     the licence and attribution files of the data
#
# GEO_DIR defaults to /var/lib/grondslag/geo, where the defaults of
# GeoCountryDatabase and GeoASNDatabase point.  Idempotent and quiet when
# the data is already there; GEO_UPDATE=1 (or --update) fetches the current
# packages and replaces the files.  Each file is written under a temporary
# name in GEO_DIR and renamed into place, so a running milter never opens a
# half-written database.  Needs npm, perl with MaxMind::DB::Writer
# (libmaxmind-db-writer-perl) and, for the check, mmdblookup (mmdb-bin).
set -eu

GEO_DIR=${GEO_DIR:-/var/lib/grondslag/geo}
GEO_UPDATE=${GEO_UPDATE:-0}
if [ "${1:-}" = "--update" ]; then GEO_UPDATE=1; fi
COUNTRY_PKG=@ip-location-db/geo-whois-asn-country-mmdb
ASN_PKG=@ip-location-db/asn
here=$(cd "$(dirname "$0")" && pwd)

if [ "$GEO_UPDATE" != 1 ] && [ -s "$GEO_DIR/country.mmdb" ] && [ -s "$GEO_DIR/asn.mmdb" ] &&
	[ -s "$GEO_DIR/VERSION" ]; then
	exit 0
fi

die() {
	echo "geo-install: $*" >&2
	exit 1
}

command -v npm >/dev/null 2>&1 || die "npm not found (apt-get install npm)"
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null ||
	die "perl MaxMind::DB::Writer missing (apt-get install libmaxmind-db-writer-perl)"

start=$(date +%s)
mkdir -p "$GEO_DIR"
work=$(mktemp -d "${TMPDIR:-/tmp}/grondslag-geo.XXXXXX")
trap 'rm -rf "$work"; rm -f "$GEO_DIR"/*.tmp.$$' EXIT INT TERM

# npm into a private prefix: nothing lands in a global node_modules.
npm install --prefix "$work" --no-audit --no-fund --no-save --silent \
	"$COUNTRY_PKG" "$ASN_PKG" >"$work/npm.log" 2>&1 ||
	{ cat "$work/npm.log" >&2; die "npm install failed"; }
cpkg=$work/node_modules/$COUNTRY_PKG
apkg=$work/node_modules/$ASN_PKG

# Package version from its package.json (no JSON tools needed).
pkg_version() {
	sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$1/package.json" | head -n 1
}
cver=$(pkg_version "$cpkg")
aver=$(pkg_version "$apkg")

# A database must open and answer for a well-known address.
check_mmdb() {
	if command -v mmdblookup >/dev/null 2>&1; then
		mmdblookup --file "$1" --ip 193.0.6.139 >/dev/null 2>&1 ||
			die "$1: does not answer a lookup"
	fi
}

src=$cpkg/geo-whois-asn-country.mmdb
[ -s "$src" ] || die "$COUNTRY_PKG $cver has no geo-whois-asn-country.mmdb"
cp "$src" "$GEO_DIR/country.mmdb.tmp.$$"
check_mmdb "$GEO_DIR/country.mmdb.tmp.$$"
mv -f "$GEO_DIR/country.mmdb.tmp.$$" "$GEO_DIR/country.mmdb"

# The ASN package ships plain and gzipped CSV depending on its version.
csvs=""
for fam in ipv4 ipv6; do
	if [ -s "$apkg/asn-$fam.csv" ]; then
		csvs="$csvs $apkg/asn-$fam.csv"
	elif [ -s "$apkg/asn-$fam.csv.gz" ]; then
		gzip -dc "$apkg/asn-$fam.csv.gz" >"$work/asn-$fam.csv"
		csvs="$csvs $work/asn-$fam.csv"
	else
		die "$ASN_PKG $aver has no asn-$fam.csv"
	fi
done
# The converter writes its own temporary file and renames it.
# shellcheck disable=SC2086
perl "$here/geo-asn-csv2mmdb.pl" "$GEO_DIR/asn.mmdb" $csvs || die "ASN conversion failed"
check_mmdb "$GEO_DIR/asn.mmdb"

mkdir -p "$GEO_DIR/LICENSES"
for f in "$cpkg"/*LICENSE* "$apkg"/*LICENSE* "$apkg"/MODIFICATIONS; do
	if [ -f "$f" ]; then
		cp "$f" "$GEO_DIR/LICENSES/$(basename "$(dirname "$f")")-$(basename "$f")"
	fi
done

{
	echo "country $COUNTRY_PKG $cver CC0-1.0 path=country_code"
	echo "asn $ASN_PKG $aver CC-BY-4.0 (RouteViews, DB-IP, NRO) path=autonomous_system_number"
	echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) by contrib/geo-install.sh"
} >"$GEO_DIR/VERSION.tmp.$$"
mv -f "$GEO_DIR/VERSION.tmp.$$" "$GEO_DIR/VERSION"
chmod 644 "$GEO_DIR/country.mmdb" "$GEO_DIR/asn.mmdb" "$GEO_DIR/VERSION"

echo "geo-install: $COUNTRY_PKG $cver and $ASN_PKG $aver installed in $GEO_DIR ($(($(date +%s) - start))s)"
