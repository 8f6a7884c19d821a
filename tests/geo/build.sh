#!/bin/sh
# tests/geo/build.sh OUTDIR - build the TEST geo databases from the sources
# in tests/geo (country.tsv, asn.tsv):
#   OUTDIR/country.mmdb         country_code        (ip-location-db layout)
#   OUTDIR/country-geoip2.mmdb  country.iso_code    (GeoIP2 layout)
#   OUTDIR/asn.mmdb             autonomous_system_number as uint32
#   OUTDIR/asn-string.mmdb      the same as strings ("AS3333" / "3333")
# Idempotent and quick: a database is rebuilt only when missing or older
# than its source or the builder.  Every file is written under a temporary
# name and renamed, so tests that build in parallel do not trip over each
# other.  Needs perl and libmaxmind-db-writer-perl (tests/deps.sh).
set -eu
if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

build() {	# layout source output
	if [ -s "$3" ] && [ "$3" -nt "$2" ] && [ "$3" -nt "$here/build-mmdb.pl" ]; then
		return 0
	fi
	perl "$here/build-mmdb.pl" "$1" "$2" "$3"
}

build country "$here/country.tsv" "$out/country.mmdb"
build country-geoip2 "$here/country.tsv" "$out/country-geoip2.mmdb"
build asn "$here/asn.tsv" "$out/asn.mmdb"
build asn-string "$here/asn.tsv" "$out/asn-string.mmdb"
