#!/usr/bin/perl
# geo-asn-csv2mmdb.pl - turn the @ip-location-db/asn CSV files into one
# MaxMind DB (.mmdb) file that grondslag reads for AS numbers.
#
# Usage: geo-asn-csv2mmdb.pl OUT.mmdb asn-ipv4.csv [asn-ipv6.csv ...]
#
# Input lines are "first,last,asn,org" (inclusive ranges, org may be a
# quoted CSV field with "" escapes).  Each range becomes a record
#   { autonomous_system_number => uint32, autonomous_system_organization => utf8 }
# the GeoLite2-ASN layout, so GeoASNPath stays "autonomous_system_number".
# Lines that do not parse are counted and skipped; more than 1% bad lines
# is an error (the input is then not what we think it is).
#
# The output is written to OUT.mmdb.tmp.PID and renamed over OUT.mmdb only
# when complete, so a reader never sees a half-written database.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 OUT.mmdb CSV...\n" if @ARGV < 2;
my ($out, @csv) = @ARGV;

my %types = (
	autonomous_system_number       => 'uint32',
	autonomous_system_organization => 'utf8_string',
);

# merge_strategy none: the CSV ranges do not overlap, and merging would
# only cost time.  alias_ipv6_to_ipv4: ::ffff:0:0/96 and 6to4 answer with
# the IPv4 data, as GeoLite2 does (grondslag itself looks up the embedded
# IPv4 address, other readers may not).
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 28,
	database_type            => 'GeoLite2-ASN',
	languages                => ['en'],
	description              => { en => 'grondslag ASN database from @ip-location-db/asn (CC-BY-4.0: RouteViews, DB-IP, NRO)' },
	map_key_type_callback    => sub { $types{ $_[0] } // 'utf8_string' },
	merge_strategy           => 'none',
	alias_ipv6_to_ipv4       => 1,
	remove_reserved_networks => 0,
);

# Split one CSV line into fields (RFC 4180 quoting, no multi-line fields).
sub csv_fields {
	my ($line) = @_;
	my @f;
	while (length $line) {
		if ($line =~ s/^"((?:[^"]|"")*)"(?:,|$)//) {
			(my $v = $1) =~ s/""/"/g;
			push @f, $v;
		} elsif ($line =~ s/^([^,]*)(?:,|$)//) {
			push @f, $1;
		} else {
			return ();
		}
	}
	return @f;
}

my ($good, $bad, $skipped) = (0, 0, 0);
for my $file (@csv) {
	open my $fh, '<:encoding(UTF-8)', $file or die "$file: $!\n";
	while (my $line = <$fh>) {
		$line =~ s/\r?\n\z//;
		next if $line eq '';
		my ($first, $last, $asn, $org) = csv_fields($line);
		unless (defined $asn && $asn =~ /^[0-9]{1,10}\z/ && $asn <= 4294967295
		    && $first =~ /^[0-9A-Fa-f.:]+\z/ && $last =~ /^[0-9A-Fa-f.:]+\z/) {
			$bad++;
			next;
		}
		my %rec = (autonomous_system_number => $asn + 0);
		$rec{autonomous_system_organization} = $org if defined $org && $org ne '';
		# Ranges inside the aliased IPv6 blocks (Teredo 2001::/32, 6to4)
		# cannot be stored with aliasing on; they are not needed, since
		# those addresses are judged by their embedded IPv4 address.
		if (eval { $tree->insert_range($first, $last, \%rec); 1 }) {
			$good++;
		} else {
			$skipped++;
		}
	}
	close $fh;
}
die "no usable lines in @csv\n" if $good == 0;
die "too many malformed lines ($bad of " . ($good + $bad) . ")\n"
	if $bad * 100 > $good + $bad;

my $tmp = "$out.tmp.$$";
open my $ofh, '>:raw', $tmp or die "$tmp: $!\n";
unless (eval { $tree->write_tree($ofh); 1 } && close $ofh) {
	my $err = $@ || $!;
	unlink $tmp;
	die "$tmp: $err\n";
}
rename $tmp, $out or do { unlink $tmp; die "rename $tmp: $!\n" };
printf STDERR "geo-asn-csv2mmdb: %d ranges (%d malformed, %d in aliased blocks skipped)\n",
	$good, $bad, $skipped if $ENV{GEO_VERBOSE};
exit 0;
