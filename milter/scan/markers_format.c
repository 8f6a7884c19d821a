/*
 * markers_format.c - which structured incident format one stream is, from
 * its media type, its file name and its first MARKERS_SNIFF_BYTES of text
 * (the format half of the markers module; markers.c streams and finds the
 * TLP labels).
 *
 * Recognised: STIX 2.x (bundles, single objects, patterns), MISP (events,
 * exports, attribute lists, the CSV export), IODEF v1/v2 (XML, RFC 8727
 * JSON), X-ARF (v4 and v3 JSON, 0.1/0.2 YAML and headers), ARF (RFC 5965),
 * CSV with an address column, Shadowserver reports.  DMARC aggregate and
 * TLS-RPT reports and delivery reports are recognised first and get no
 * format (domain.md section 4: addresses, but no incident data).
 *
 * Public (module-private) function: mk_sniff_formats (markers_priv.h).
 *
 * Limits: only the sniffed bytes are read; a CSV header line counts up to
 * MK_HEADER_MAX bytes, MK_FIELDS_MAX fields of MK_FIELD_MAX bytes; every
 * search is a bounded linear scan, nothing recurses.
 */
#include <stdbool.h>
#include <string.h>

#include "grondslag/scan/findings.h"
#include "grondslag/scan/markers.h"
#include "markers_priv.h"

#define MK_HEADER_MAX 4096
#define MK_FIELDS_MAX 512
#define MK_FIELD_MAX 64

/* ---- format pass: JSON, XML and header-field probes ------------------- */

/* A JSON member "key": followed (after blanks) by value: a quoted string
 * when value is a word, the opening byte when value is "{" or "[", anything
 * when value is NULL.  Keys are case-sensitive, as JSON is. */
static bool mk_json_member(const char *s, size_t n, const char *key, const char *value)
{
	char pat[72];
	size_t kl = strlen(key);
	if (kl + 2 >= sizeof pat)
		return false;
	pat[0] = '"';
	memcpy(pat + 1, key, kl);
	pat[kl + 1] = '"';
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), pat, kl + 2);
		if (hit == NULL)
			return false;
		size_t i = mk_skip_ws(s, n, (size_t)(hit - s) + kl + 2);
		p = hit + 1;
		if (i >= n || s[i] != ':')
			continue;
		i = mk_skip_ws(s, n, i + 1);
		if (value == NULL)
			return true;
		if ((value[0] == '{' || value[0] == '[') && value[1] == '\0') {
			if (i < n && s[i] == value[0])
				return true;
			continue;
		}
		size_t vl = strlen(value);
		if (i + vl + 2 <= n && s[i] == '"' && memcmp(s + i + 1, value, vl) == 0 &&
		    s[i + 1 + vl] == '"')
			return true;
	}
	return false;
}

/* A header-style field "Name:" at the start of a line (case-insensitive,
 * blanks allowed before the colon); with value, the field's value must
 * start with it (case-insensitive). */
static bool mk_line_field(const char *s, size_t n, const char *name, const char *value)
{
	for (size_t i = 0; i < n;) {
		if (mk_prefix_ci(s + i, n - i, name)) {
			size_t j = mk_skip_blank(s, n, i + strlen(name), 8);
			if (j < n && s[j] == ':') {
				if (value == NULL)
					return true;
				j = mk_skip_blank(s, n, j + 1, 8);
				if (mk_prefix_ci(s + j, n - j, value))
					return true;
			}
		}
		const char *nl = memchr(s + i, '\n', n - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - s) + 1;
	}
	return false;
}

/* DMARC aggregate, TLS-RPT and delivery reports: addresses, no incident. */
static bool mk_not_incident(const struct mk_sniff *m, const char *s, size_t n)
{
	static const char *const types[] = { "message/delivery-status", "message/global-delivery-status",
					     "message/disposition-notification",
					     "application/tlsrpt+json", "application/tlsrpt+gzip" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(m->type, types[i]) == 0)
			return true;
	if (memmem(s, n, "<feedback", 9) != NULL && memmem(s, n, "report_metadata", 15) != NULL)
		return true;	/* RFC 7489 appendix C */
	if (mk_json_member(s, n, "organization-name", NULL) && mk_json_member(s, n, "policies", "["))
		return true;	/* RFC 8460 */
	return false;
}

/* A JSON "id" whose value is a STIX identifier: "<type>--<uuid>". */
static bool mk_stix_id(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), "\"id\"", 4);
		if (hit == NULL)
			return false;
		p = hit + 1;
		size_t i = mk_skip_ws(s, n, (size_t)(hit - s) + 4);
		if (i >= n || s[i] != ':')
			continue;
		i = mk_skip_ws(s, n, i + 1);
		if (i >= n || s[i] != '"')
			continue;
		size_t j = i + 1;
		while (j < n && j - i < 40 && ((s[j] >= 'a' && s[j] <= 'z') || s[j] == '-'))
			j++;
		/* the type part ends in "--", then 36 bytes of uuid */
		if (j - i > 3 && s[j - 1] == '-' && s[j - 2] == '-' && j + 36 < n && s[j + 36] == '"')
			return true;
	}
	return false;
}

/* STIX 2.x: a bundle, a bare indicator or cyber-observable, or a pattern. */
static bool mk_is_stix2(const struct mk_sniff *m, const char *s, size_t n, bool json)
{
	if (strcmp(m->type, "application/stix+json") == 0)
		return true;
	if (memmem(s, n, "[ipv4-addr:value", 16) || memmem(s, n, "[ipv6-addr:value", 16) ||
	    memmem(s, n, "[network-traffic:", 17))
		return true;
	if (!json)
		return false;
	if (mk_json_member(s, n, "type", "bundle") &&
	    (mk_json_member(s, n, "objects", "[") || mk_json_member(s, n, "spec_version", NULL) ||
	     memmem(s, n, "\"bundle--", 9) != NULL))
		return true;
	if (mk_json_member(s, n, "type", "indicator") && mk_json_member(s, n, "pattern", NULL))
		return true;
	/* Any single STIX object: spec_version and an address observable or
	 * a STIX identifier. */
	if (!mk_json_member(s, n, "spec_version", NULL))
		return false;
	return mk_json_member(s, n, "type", "ipv4-addr") || mk_json_member(s, n, "type", "ipv6-addr") ||
	       mk_json_member(s, n, "type", "observed-data") ||
	       mk_json_member(s, n, "type", "network-traffic") ||
	       (mk_json_member(s, n, "type", NULL) && mk_stix_id(s, n));
}

/* MISP: an event ("Event": {, also inside "response": [...]), a bare
 * event export, or an attribute list with MISP's address types. */
static bool mk_is_misp(const char *s, size_t n, bool json)
{
	static const char *const ip_types[] = { "ip-src", "ip-dst", "ip-src|port", "ip-dst|port",
						"domain|ip" };
	if (!json)
		return false;
	if (mk_json_member(s, n, "Event", "{"))
		return true;
	bool misp_keys = mk_json_member(s, n, "to_ids", NULL) ||
			 mk_json_member(s, n, "threat_level_id", NULL);
	if (mk_json_member(s, n, "Attribute", "[") && misp_keys)
		return true;
	/* An event without the wrapper, or a list of them (search index). */
	if (mk_json_member(s, n, "threat_level_id", NULL) && mk_json_member(s, n, "info", NULL) &&
	    (mk_json_member(s, n, "analysis", NULL) || mk_json_member(s, n, "distribution", NULL)))
		return true;
	for (size_t i = 0; i < sizeof ip_types / sizeof ip_types[0]; i++)
		if (mk_json_member(s, n, "type", ip_types[i]) &&
		    (misp_keys || mk_json_member(s, n, "category", NULL)))
			return true;
	return false;
}

/* IODEF v1/v2: the IODEF-Document element (maybe prefixed) or JSON key,
 * the IODEF namespace URN, or the RFC 8727 JSON shape. */
static bool mk_is_iodef(const char *s, size_t n, bool json)
{
	/* RFC 8727 JSON IODEF has no root element name. */
	if (json && mk_json_member(s, n, "Incident", "[") && mk_json_member(s, n, "IncidentID", "{"))
		return true;
	if (memmem(s, n, "urn:ietf:params:xml:ns:iodef-1.0", 32) ||
	    memmem(s, n, "urn:ietf:params:xml:ns:iodef-2.0", 32))
		return true;
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), "IODEF-Document", 14);
		if (hit == NULL)
			return false;
		p = hit + 1;
		if (hit == s || (hit + 14 < end && (mk_wordc((unsigned char)hit[14]) || hit[14] == '-')))
			continue;	/* not at a start, or a longer name */
		if (hit[-1] == '<' || hit[-1] == '"')
			return true;
		if (hit[-1] == ':') {	/* <iodef:IODEF-Document */
			const char *q = hit - 1;
			while (q > s && q > hit - 32 && mk_wordc((unsigned char)q[-1]))
				q--;
			if (q > s && q[-1] == '<')
				return true;
		}
	}
	return false;
}

/* X-ARF: v4 JSON (xarf_version), v3 JSON (ReporterInfo + Report), or the
 * YAML/header style of v0.1/0.2 (X-ARF: yes, Schema-URL + report fields). */
static bool mk_is_xarf(const char *s, size_t n, bool json)
{
	if (json)
		return mk_json_member(s, n, "xarf_version", NULL) ||
		       mk_json_member(s, n, "ReporterInfo", "{") ||
		       mk_json_member(s, n, "Reporter-Info", "{") ||
		       (mk_json_member(s, n, "ReportClass", NULL) &&
			mk_json_member(s, n, "ReportType", NULL));
	if (mk_line_field(s, n, "x-arf", "yes"))
		return true;
	bool report = mk_line_field(s, n, "reported-from", NULL) ||
		      mk_line_field(s, n, "report-type", NULL) ||
		      mk_line_field(s, n, "source-type", NULL);
	if (mk_line_field(s, n, "schema-url", NULL) && report)
		return true;
	return mk_line_field(s, n, "reported-from", NULL) && mk_line_field(s, n, "report-type", NULL) &&
	       mk_line_field(s, n, "category", NULL);
}

/* ARF (RFC 5965): the feedback-report part, or its fields in plain text. */
static bool mk_is_arf(const struct mk_sniff *m, const char *s, size_t n)
{
	if (strcmp(m->type, "message/feedback-report") == 0)
		return true;
	return mk_line_field(s, n, "feedback-type", NULL) && mk_line_field(s, n, "user-agent", NULL) &&
	       mk_line_field(s, n, "version", NULL);
}

/* ---- format pass: CSV headers -------------------------------------------- */

/*
 * Column names that hold addresses, after normalisation (lower case, blank
 * and '-' as '_', quotes and surrounding blanks removed).  Deliberately not
 * in the list: "address" and "addr" (postal and e-mail addresses in any
 * contact list), "host" and "hostname" (names, not addresses), "source" and
 * "destination" (prose columns): an incident format makes every address of
 * the part count, so a false header is expensive.
 */
static const char *const ip_columns[] = {
	"ip", "ips", "ip_address", "ipaddress", "ip_addr", "ipaddr", "ipv4", "ipv6",
	"ipv4_address", "ipv6_address", "ip_src", "ip_dst", "src_ip", "dst_ip", "dest_ip",
	"source_ip", "destination_ip", "source.ip", "destination.ip", "src_addr", "dst_addr",
	"source_address", "destination_address", "srcip", "dstip", "src", "dst", "client_ip",
	"clientip", "remote_ip", "remote_addr", "peer_ip", "server_ip", "host_ip", "c_ip",
	"ip_v4", "ip_v6",
	/* IOC lists ("Indicator_type,Data,Note", "Type,Indicator,Name"):
	 * the indicator column holds the addresses among hashes and domains.
	 * A CSV_IP part is incident data only once it carries public
	 * addresses (findings_derive), so a hash-only list costs nothing. */
	"indicator", "ioc", "observable", "indicator_value", "ioc_value",
	/* older Shadowserver reports */
	"inet", "server_inet", "smtp_inet", "c&c",
};

struct mk_header {
	size_t nfields;
	bool ioc_type, ioc_data;	/* "indicator_type" + "data" */
	bool ip_column, first_timestamp, first_date, asn, geo, src_ip, src_asn_geo;
	bool misp_csv[5];	/* event_id, category, type, value, to_ids */
};

/* The first header line: skip a BOM, blank lines and '#' comments.
 * Returns its length (0 when there is none), *start its offset. */
static size_t mk_header_line(const char *s, size_t n, bool whole, size_t *start)
{
	size_t i = 0;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (int skipped = 0; skipped < 16 && i < n; skipped++) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		if (nl == NULL && !whole)
			return 0;	/* the header line goes on past the sniff */
		size_t j = mk_skip_blank(s, end, i, end - i);
		if (j < end && s[j] != '#' && !(j + 1 == end && s[j] == '\r')) {
			*start = i;
			size_t len = end - i;
			if (len > 0 && s[i + len - 1] == '\r')
				len--;
			return len <= MK_HEADER_MAX ? len : 0;
		}
		i = end + 1;
	}
	return 0;
}

/* Does s (n bytes) hold any byte of set? */
static bool mk_any_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\0' && strchr(set, s[i]) != NULL)
			return true;
	return false;
}

/* How often delim occurs outside quotes in a line. */
static size_t mk_count_delim(const char *h, size_t len, char delim)
{
	size_t count = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (h[i] == '"')
			quoted = !quoted;
		else if (!quoted && h[i] == delim)
			count++;
	}
	return count;
}

/* Does the first non-blank line after the header have as many fields,
 * and a digit (an address column holds some)?  A line of prose that
 * happens to start with "IP," does not go on like a table; a CSV does. */
static bool mk_next_line_agrees(const char *s, size_t n, size_t after, char delim, size_t want)
{
	size_t i = after;
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		size_t j = mk_skip_blank(s, end, i, end - i);
		if (j < end && !(j + 1 == end && s[j] == '\r'))
			return mk_count_delim(s + i, end - i, delim) == want &&
			       mk_any_of(s + i, end - i, "0123456789");
		if (nl == NULL)
			break;
		i = end + 1;
	}
	return false;
}

/* The delimiter that occurs most often outside quotes (0 when none). */
static char mk_delimiter(const char *h, size_t len)
{
	static const char delims[] = ",;\t|";
	size_t count[4] = { 0 };
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		if (h[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			for (int d = 0; d < 4; d++)
				count[d] += h[i] == delims[d];
	}
	int best = 0;
	for (int d = 1; d < 4; d++)
		if (count[d] > count[best])
			best = d;
	return count[best] ? delims[best] : 0;
}

/* Record what one normalised column name tells. */
static void mk_header_column(struct mk_header *hd, const char *f)
{
	static const char *const misp[] = { "event_id", "category", "type", "value", "to_ids" };
	for (size_t i = 0; i < sizeof ip_columns / sizeof ip_columns[0]; i++)
		if (strcmp(f, ip_columns[i]) == 0)
			hd->ip_column = true;
	if (hd->nfields == 0 && strcmp(f, "timestamp") == 0)
		hd->first_timestamp = true;
	if (hd->nfields == 0 && strcmp(f, "date") == 0)
		hd->first_date = true;	/* "Date","Time","C&C","C&C Port","C&C ASN" */
	hd->ioc_type |= strcmp(f, "indicator_type") == 0 || strcmp(f, "ioc_type") == 0;
	hd->ioc_data |= strcmp(f, "data") == 0 || strcmp(f, "value") == 0;
	size_t fl = strlen(f);
	hd->asn |= strcmp(f, "asn") == 0 || (fl > 4 && strcmp(f + fl - 4, "_asn") == 0);
	hd->geo |= strcmp(f, "geo") == 0 || (fl > 4 && strcmp(f + fl - 4, "_geo") == 0);
	hd->src_ip |= strcmp(f, "src_ip") == 0;
	hd->src_asn_geo |= strcmp(f, "src_asn") == 0 || strcmp(f, "src_geo") == 0;
	for (int i = 0; i < 5; i++)
		hd->misp_csv[i] |= strcmp(f, misp[i]) == 0;
}

/* Split a header line into normalised names; false when it is no header
 * (a control byte, an over-long name, too many fields, an empty line). */
static bool mk_parse_header(const char *h, size_t len, char delim, struct mk_header *hd)
{
	memset(hd, 0, sizeof *hd);
	size_t i = 0;
	while (i <= len) {
		char f[MK_FIELD_MAX + 1];
		size_t fl = 0;
		bool quoted = false;
		unsigned blanks = 0;
		i = mk_skip_blank(h, len, i, len);
		for (; i < len && (quoted || h[i] != delim); i++) {
			unsigned char c = (unsigned char)h[i];
			if (c == '"') {
				quoted = !quoted;
				continue;
			}
			if (c < 0x20 && c != '\t')
				return false;
			if (fl == 0 && (c == ' ' || c == '\t'))
				continue;	/* leading blanks inside quotes */
			/* A column name is a few words, not a sentence. */
			if (fl == MK_FIELD_MAX || (c == ' ' && ++blanks > 3))
				return false;
			f[fl++] = (char)(c == ' ' || c == '-' || c == '\t' ? '_' : mk_lower(c));
		}
		while (fl > 0 && f[fl - 1] == '_')
			fl--;	/* trailing blanks */
		f[fl] = '\0';
		mk_header_column(hd, f);
		if (++hd->nfields > MK_FIELDS_MAX)
			return false;
		i++;	/* past the delimiter (or the end) */
	}
	return true;
}

/* A Shadowserver report name: "2024-01-01-scan_xxx-nl-geo.csv" style. */
static bool mk_shadowserver_name(const char *name)
{
	static const char shape[] = "dddd-dd-dd-";
	for (size_t i = 0; i < sizeof shape - 1; i++) {
		char c = name[i];
		if (shape[i] == 'd' ? !(c >= '0' && c <= '9') : c != '-')
			return false;
	}
	size_t len = strlen(name);
	return len > 15 && strcmp(name + len - 4, ".csv") == 0;
}

/* CSV formats from the header line: FMT_CSV_IP, FMT_SHADOWSERVER, or the
 * MISP CSV export (FMT_MISP); returns a bit set. */
static unsigned mk_csv_formats(const struct mk_sniff *m, const char *s, size_t n)
{
	size_t start = 0;
	size_t len = mk_header_line(s, n, !m->more, &start);
	if (len == 0)
		return 0;
	const char *h = s + start;
	if (h[0] == '{' || h[0] == '[' || h[0] == '<')
		return 0;
	char delim = mk_delimiter(h, len);
	size_t nl = strlen(m->name);
	bool csv_named = strcmp(m->type, "text/csv") == 0 ||
			 strcmp(m->type, "text/tab-separated-values") == 0 ||
			 (nl > 4 && (strcmp(m->name + nl - 4, ".csv") == 0 ||
				     strcmp(m->name + nl - 4, ".tsv") == 0));
	if (delim == 0 && !csv_named)
		return 0;	/* one word on a line of prose is no header */
	if (!csv_named &&
	    !mk_next_line_agrees(s, n, start + len + 1, delim, mk_count_delim(h, len, delim)))
		return 0;
	struct mk_header hd;
	if (!mk_parse_header(h, len, delim ? delim : '\n', &hd))
		return 0;
	unsigned fmts = 0;
	if (strstr(m->name, "shadowserver") != NULL)
		fmts |= 1u << FMT_SHADOWSERVER;
	if (hd.misp_csv[0] && hd.misp_csv[1] && hd.misp_csv[2] && hd.misp_csv[3] && hd.misp_csv[4])
		fmts |= 1u << FMT_MISP;
	if (!hd.ip_column && !(hd.ioc_type && hd.ioc_data))
		return fmts;
	fmts |= 1u << FMT_CSV_IP;
	if (((hd.first_timestamp || hd.first_date) && (hd.asn || hd.geo)) ||
	    (hd.src_ip && hd.src_asn_geo) ||
	    (mk_shadowserver_name(m->name) && (hd.asn || hd.geo)))
		fmts |= 1u << FMT_SHADOWSERVER;
	return fmts;
}

/* Every format of the stream, from its type, name and sniffed text. */
unsigned mk_sniff_formats(const struct mk_sniff *m)
{
	const char *s = m->text;
	size_t n = m->len;
	if (n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	if (mk_not_incident(m, s, n))
		return 0;
	size_t first = mk_skip_ws(s, n, 0);
	bool json = first < n && (s[first] == '{' || s[first] == '[');
	unsigned fmts = 0;
	if (mk_is_stix2(m, s, n, json))
		fmts |= 1u << FMT_STIX2;
	if (mk_is_misp(s, n, json))
		fmts |= 1u << FMT_MISP;
	if (mk_is_iodef(s, n, json))
		fmts |= 1u << FMT_IODEF;
	if (mk_is_xarf(s, n, json))
		fmts |= 1u << FMT_XARF;
	if (mk_is_arf(m, s, n))
		fmts |= 1u << FMT_ARF;
	if (!json && n > 0)
		fmts |= mk_csv_formats(m, s, n);
	return fmts;
}

