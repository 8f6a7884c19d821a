#!/usr/bin/perl
# build-mmdb.pl - write one small TEST MaxMind DB from a tests/geo/*.tsv
# source, in one of the record layouts grondslag must read.
#
# Usage: build-mmdb.pl LAYOUT SOURCE.tsv OUT.mmdb
#   country         { country_code => "NL" }            (ip-location-db)
#   country-geoip2  { country => { iso_code => "NL" } } (GeoIP2/GeoLite2)
#   asn             { autonomous_system_number => uint32,
#                     autonomous_system_organization => "..." } (GeoLite2-ASN)
#   asn-string      as asn, but the number stored as a UTF-8 string:
#                   "AS3333" for IPv4 networks, "3333" for IPv6 networks
#                   (some third-party databases do either)
# Source lines: network<TAB>value[<TAB>org]; '#' comments and blank lines
# are skipped; anything else is an error (a test fixture must be exact).
# OUT is written to a temporary name and renamed, so parallel builders and
# readers never see half a file.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 country|country-geoip2|asn|asn-string SOURCE.tsv OUT.mmdb\n" if @ARGV != 3;
my ($layout, $src, $out) = @ARGV;
die "$0: unknown layout $layout\n" unless $layout =~ /^(country|country-geoip2|asn|asn-string)\z/;

my %types = (
	country_code                   => 'utf8_string',
	country                        => 'map',
	iso_code                       => 'utf8_string',
	autonomous_system_number       => ($layout eq 'asn-string' ? 'utf8_string' : 'uint32'),
	autonomous_system_organization => 'utf8_string',
);

my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version               => 6,
	record_size              => 24,
	database_type            => "grondslag-test-$layout",
	languages                => ['en'],
	description              => { en => "grondslag test data ($layout), not truth" },
	map_key_type_callback    => sub { $types{ $_[0] } // die "no type for key $_[0]\n" },
	merge_strategy           => 'none',
	alias_ipv6_to_ipv4       => 1,
	remove_reserved_networks => 0,
);

open my $fh, '<:encoding(UTF-8)', $src or die "$src: $!\n";
my $n = 0;
while (my $line = <$fh>) {
	chomp $line;
	next if $line =~ /^\s*(#|$)/;
	my ($net, $value, $org) = split /\t/, $line;
	die "$src:$.: want network<TAB>value\n" unless defined $value && $net =~ m{^[0-9a-fA-F.:]+/[0-9]+\z};
	my $rec;
	if ($layout eq 'country') {
		$rec = { country_code => $value };
	} elsif ($layout eq 'country-geoip2') {
		$rec = { country => { iso_code => $value } };
	} else {
		die "$src:$.: AS number must be digits\n" unless $value =~ /^[0-9]+\z/;
		my $asn = $value + 0;
		$asn = ($net =~ /:/ ? "$value" : "AS$value") if $layout eq 'asn-string';
		$rec = { autonomous_system_number => $asn };
		$rec->{autonomous_system_organization} = $org if defined $org;
	}
	$tree->insert_network($net, $rec);
	$n++;
}
close $fh;
die "$src: no networks\n" if $n == 0;

my $tmp = "$out.tmp.$$";
open my $ofh, '>:raw', $tmp or die "$tmp: $!\n";
unless (eval { $tree->write_tree($ofh); 1 } && close $ofh) {
	my $err = $@ || $!;
	unlink $tmp;
	die "$tmp: $err\n";
}
rename $tmp, $out or do { unlink $tmp; die "rename $tmp: $!\n" };
exit 0;
