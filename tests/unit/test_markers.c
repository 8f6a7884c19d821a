/*
 * test_markers.c - TLP labels and incident formats (markers.c).
 *
 * Table-driven: every label row is also fed split at every position, one
 * byte at a time, and placed across the scanner's internal window edge;
 * every format has positive rows and near-miss negatives; DMARC, TLS-RPT
 * and DSNs must come out as no format.  The fixtures are small texts
 * written for these tests, shaped like the public examples of each format.
 */
#include "testutil.h"

#include "grondslag/scan/findings.h"
#include "../../milter/scan/markers_priv.h"
#include "grondslag/scan/markers.h"

#define F(x) (1u << (x))
#define CSV F(FMT_CSV_IP)
#define SHADOW (F(FMT_SHADOWSERVER) | F(FMT_CSV_IP))

struct result {
	enum tlp_level tlp;
	unsigned formats;
};

/* Feed text through markers in chunks of the given sizes (cycled; 0 =
 * whole) and report what the findings received. */
static struct result run_chunks(const char *type, const char *name, const char *text, size_t len,
				const size_t *sizes, size_t nsizes)
{
	struct findings *f = findings_alloc();
	struct markers *m = markers_alloc();
	assert_non_null(f);
	assert_non_null(m);
	int part = findings_part_add(f, "1", type, name, 0);
	assert_true(part >= 0);
	markers_begin(m, (unsigned)part, type, name);
	size_t off = 0, k = 0;
	while (off < len) {
		size_t n = nsizes ? sizes[k++ % nsizes] : len;
		if (n == 0 || n > len - off)
			n = len - off;
		markers_update(m, text + off, n);
		off += n;
	}
	markers_end(m, f);
	struct result r = { findings_tlp(f), findings_part(f, (size_t)part)->formats };
	markers_free(m);
	findings_free(f);
	return r;
}

static struct result run(const char *type, const char *name, const char *text)
{
	return run_chunks(type, name, text, strlen(text), NULL, 0);
}

/* Format a formats bit set for messages. */
static const char *fmt_str(unsigned fmts, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < FMT_COUNT; i++)
		if (fmts & F(i)) {
			size_t l = strlen(buf);
			snprintf(buf + l, size - l, "%s%s", l ? "," : "", format_name((enum incident_format)i));
		}
	return buf;
}

static void check(const char *row, struct result got, enum tlp_level tlp, unsigned formats)
{
	char g[128], w[128];
	if (got.tlp != tlp)
		fail_msg("%s: tlp got \"%s\", want \"%s\"", row, tlp_name(got.tlp), tlp_name(tlp));
	if (got.formats != formats)
		fail_msg("%s: formats got \"%s\", want \"%s\"", row, fmt_str(got.formats, g, sizeof g),
			 fmt_str(formats, w, sizeof w));
}

/* ---- TLP labels ----------------------------------------------------------- */

struct tlp_row {
	const char *text;
	enum tlp_level want;
};

static const struct tlp_row tlp_rows[] = {
	/* TLP 2.0 and 1.0 as FIRST writes them */
	{ "TLP:RED", TLP_RED },
	{ "TLP:AMBER+STRICT", TLP_AMBER_STRICT },
	{ "TLP:AMBER", TLP_AMBER },
	{ "TLP:GREEN", TLP_GREEN },
	{ "TLP:CLEAR", TLP_CLEAR },
	{ "TLP:WHITE", TLP_CLEAR },
	/* as mail in the wild writes them */
	{ "Subject: [TLP:AMBER] scan results", TLP_AMBER },
	{ "classification TLP: AMBER, do not forward", TLP_AMBER },
	{ "TLP RED", TLP_RED },
	{ "tlp:amber", TLP_AMBER },
	{ "Tlp:Green", TLP_GREEN },
	{ "TLP:AMBER + STRICT", TLP_AMBER_STRICT },
	{ "TLP:AMBER +STRICT", TLP_AMBER_STRICT },
	{ "tlp:amber+strict", TLP_AMBER_STRICT },
	{ "TLP-RED", TLP_RED },
	{ "TLP : RED", TLP_RED },
	{ "TLP=GREEN", TLP_GREEN },
	{ "(TLP:AMBER)", TLP_AMBER },
	{ "TLP:RED.", TLP_RED },
	{ "TLP:RED\n", TLP_RED },
	{ "TLP:\xc2\xa0RED", TLP_RED },
	{ "\"tags\": [{\"name\": \"tlp:green\"}]", TLP_GREEN },
	{ "<b>TLP:CLEAR</b>", TLP_CLEAR },
	{ "TLP:AMBER+", TLP_AMBER },
	{ "TLP:AMBER+STRICTLY", TLP_AMBER },
	{ "TLP:AMBER-STRICT", TLP_AMBER },
	/* the most restrictive wins */
	{ "TLP:GREEN and later TLP:RED and TLP:AMBER", TLP_RED },
	{ "TLP:CLEAR then TLP:AMBER+STRICT", TLP_AMBER_STRICT },
	{ "TLP:WHITE TLP:GREEN", TLP_GREEN },
	/* traps */
	{ "STLP:RED", TLP_NONE },
	{ "xTLP:RED", TLP_NONE },
	{ "TLP_RED", TLP_NONE },
	{ "TLP:REDUCED", TLP_NONE },
	{ "TLP:AMBERS", TLP_NONE },
	{ "TLP:RED_TEAM", TLP_NONE },
	{ "TLP:WHITEBOARD", TLP_NONE },
	{ "TLPRED", TLP_NONE },
	{ "TLP::RED", TLP_NONE },
	{ "TLP:::RED", TLP_NONE },
	{ "TLP      RED", TLP_NONE },
	{ "the TLP\nRED", TLP_NONE },
	{ "tlp:ex:chr", TLP_NONE },
	{ "tlp:unclear", TLP_NONE },
	{ "TLP:rouge", TLP_NONE },
	{ "TLP 2.0", TLP_NONE },
	{ "TLP", TLP_NONE },
	{ "TLP:", TLP_NONE },
	{ "RED AMBER GREEN", TLP_NONE },
	{ "", TLP_NONE },
	/* STIX marking definitions, TLP 1.0 */
	{ "\"object_marking_refs\": [\"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9\"]",
	  TLP_CLEAR },
	{ "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", TLP_GREEN },
	{ "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", TLP_AMBER },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED },
	/* TLP 2.0 extension */
	{ "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", TLP_CLEAR },
	{ "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", TLP_GREEN },
	{ "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", TLP_AMBER },
	{ "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", TLP_AMBER_STRICT },
	{ "\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"", TLP_RED },
	{ "MARKING-DEFINITION--E828B379-4E03-4974-9AC4-E53A884C97C1", TLP_RED },
	/* near misses: other ids, longer ids, glued prefixes */
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ec", TLP_NONE },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed0", TLP_NONE },
	{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed-1", TLP_NONE },
	{ "xmarking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_NONE },
	{ "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168", TLP_NONE },
	{ "marking-definition--5e57c739", TLP_NONE },
	/* restriction= counts only inside IODEF (see the IODEF rows) */
	{ "<Incident restriction=\"private\">", TLP_NONE },
};

static void test_tlp_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(tlp_rows); i++)
		check(tlp_rows[i].text, run("text/plain", NULL, tlp_rows[i].text), tlp_rows[i].want, 0);
}

static void test_tlp_split_everywhere(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(tlp_rows); i++) {
		const char *t = tlp_rows[i].text;
		size_t len = strlen(t);
		for (size_t cut = 1; cut < len; cut++) {
			char row[256];
			snprintf(row, sizeof row, "%s (split at %zu)", t, cut);
			size_t sizes[2] = { cut, len };
			check(row, run_chunks("text/plain", NULL, t, len, sizes, 2), tlp_rows[i].want, 0);
		}
		static const size_t one[] = { 1 };
		static const size_t three[] = { 3, 1, 2 };
		char row[256];
		snprintf(row, sizeof row, "%s (bytewise)", t);
		check(row, run_chunks("text/plain", NULL, t, len, one, 1), tlp_rows[i].want, 0);
		snprintf(row, sizeof row, "%s (3,1,2)", t);
		check(row, run_chunks("text/plain", NULL, t, len, three, 3), tlp_rows[i].want, 0);
	}
}

/* Labels around the internal window edge (4096) and deep in a long text,
 * in one big chunk and in assorted chunk sizes. */
static void test_tlp_long_stream(void **state)
{
	(void)state;
	static const char *labels[] = { "TLP:AMBER+STRICT", "TLP:RED",
					"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003" };
	static const enum tlp_level want[] = { TLP_AMBER_STRICT, TLP_RED, TLP_AMBER_STRICT };
	const size_t total = 20000;
	char *buf = malloc(total + 1);
	assert_non_null(buf);
	for (size_t l = 0; l < ARRAY_LEN(labels); l++) {
		size_t ll = strlen(labels[l]);
		for (size_t at = 3950; at < 4250; at += 7) {
			for (size_t i = 0; i < total; i++)
				buf[i] = (char)("lorem ipsum 8.8.8.8 TLP? "[i % 25]);
			buf[at - 1] = ' ';
			memcpy(buf + at, labels[l], ll);
			buf[at + ll] = ' ';
			buf[total] = '\0';
			static const size_t sizes[][3] = { { 0, 0, 0 }, { 4096, 4096, 4096 },
							   { 1000, 77, 5000 }, { 8191, 1, 3 } };
			for (size_t s = 0; s < ARRAY_LEN(sizes); s++) {
				char row[160];
				snprintf(row, sizeof row, "%s at %zu, chunking %zu", labels[l], at, s);
				check(row, run_chunks("text/plain", NULL, buf, total, sizes[s], s ? 3 : 0),
				      want[l], 0);
			}
		}
	}
	/* A label at the very end of a long stream still counts. */
	memset(buf, 'x', total);
	buf[total - 8] = ' ';
	memcpy(buf + total - 7, "TLP:RED", 7);
	check("label at the end", run_chunks("text/plain", NULL, buf, total, NULL, 0), TLP_RED, 0);
	free(buf);
}

/* ---- formats ---------------------------------------------------------- */

struct fmt_row {
	const char *name;
	const char *type, *filename, *text;
	enum tlp_level tlp;
	unsigned formats;
};

#define STIX_BUNDLE                                                                                \
	"{\n  \"type\": \"bundle\",\n  \"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\",\n" \
	"  \"objects\": [\n    {\"type\": \"indicator\", \"spec_version\": \"2.1\",\n"           \
	"     \"pattern\": \"[ipv4-addr:value = '193.0.6.139']\", \"pattern_type\": \"stix\"}\n  ]\n}\n"

#define IODEF2                                                                                     \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                             \
	"<IODEF-Document version=\"2.00\" xml:lang=\"en\"\n"                                      \
	"   xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">\n"                                        \
	"  <Incident purpose=\"reporting\" restriction=\"%s\">\n"                                  \
	"    <IncidentID name=\"csirt.example.nl\">4711</IncidentID>\n"                            \
	"    <Address category=\"ipv4-addr\">193.0.6.139</Address>\n"                             \
	"  </Incident>\n</IODEF-Document>\n"

static const struct fmt_row fmt_rows[] = {
	/* STIX 2.x */
	{ "stix bundle", "application/json", "c2.json", STIX_BUNDLE, TLP_NONE, F(FMT_STIX2) },
	{ "stix bundle, spec_version only", "text/plain", NULL,
	  "{\"type\":\"bundle\",\"spec_version\":\"2.0\",\"objects\":[]}", TLP_NONE, F(FMT_STIX2) },
	{ "stix bundle id only", NULL, NULL,
	  "{\"id\": \"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d\", \"type\" : \"bundle\"}",
	  TLP_NONE, F(FMT_STIX2) },
	{ "stix bare indicator", NULL, NULL,
	  "{\"type\": \"indicator\", \"pattern\": \"[ipv6-addr:value = '2a00:1450:4001::1']\"}",
	  TLP_NONE, F(FMT_STIX2) },
	{ "stix observed data", NULL, NULL,
	  "[{\"type\": \"ipv4-addr\", \"spec_version\": \"2.1\", \"value\": \"8.8.8.8\"}]", TLP_NONE,
	  F(FMT_STIX2) },
	{ "stix pattern in prose", "text/plain", NULL,
	  "Block this: [ipv4-addr:value = '193.0.6.139'] until Monday.", TLP_NONE, F(FMT_STIX2) },
	{ "stix media type", "application/stix+json;version=2.1", NULL, "{}", TLP_NONE,
	  F(FMT_STIX2) },
	{ "stix bundle marked red", NULL, NULL,
	  "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\",\"object_marking_refs\":"
	  "[\"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1\"]}]}",
	  TLP_RED, F(FMT_STIX2) },
	{ "stix single object with id", NULL, NULL,
	  "{\n \"type\": \"campaign\",\n \"spec_version\": \"2.1\",\n \"id\": "
	  "\"campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\",\n \"name\": \"x\"}",
	  TLP_NONE, F(FMT_STIX2) },
	{ "not stix: id without spec_version", NULL, NULL,
	  "{\"type\": \"campaign\", \"id\": \"campaign--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061\"}",
	  TLP_NONE, 0 },
	{ "not stix: spec_version, other id", NULL, NULL,
	  "{\"type\": \"x\", \"spec_version\": \"1\", \"id\": \"abc\"}", TLP_NONE, 0 },
	{ "not stix: other bundle", NULL, NULL, "{\"type\": \"bundle\", \"name\": \"webpack\"}",
	  TLP_NONE, 0 },
	{ "not stix: indicator without pattern", NULL, NULL,
	  "{\"type\": \"indicator\", \"name\": \"x\"}", TLP_NONE, 0 },
	{ "not stix: words", NULL, NULL, "we saw ipv4-addr objects and a bundle", TLP_NONE, 0 },
	{ "not stix: type as value", NULL, NULL, "{\"kind\": \"type\", \"x\": \"bundle\"}", TLP_NONE,
	  0 },
	/* MISP */
	{ "misp event", "application/json", "misp.json",
	  "{\"Event\": {\"info\": \"scan\", \"Attribute\": [{\"type\": \"ip-dst\", \"value\": "
	  "\"8.8.8.8\", \"to_ids\": true}], \"Tag\": [{\"name\": \"tlp:amber\"}]}}",
	  TLP_AMBER, F(FMT_MISP) },
	{ "misp search response", NULL, NULL,
	  "{\"response\": [ {\"Event\" : {\"id\": \"1\"}} ]}", TLP_NONE, F(FMT_MISP) },
	{ "misp bare export", NULL, NULL,
	  "{\"Attribute\": [{\"category\": \"Network activity\", \"type\": \"url\"}], "
	  "\"threat_level_id\": \"1\"}",
	  TLP_NONE, F(FMT_MISP) },
	{ "misp attribute list", NULL, NULL,
	  "[{\"category\": \"Network activity\", \"type\": \"ip-src|port\", \"value\": "
	  "\"193.0.6.139|443\"}]",
	  TLP_NONE, F(FMT_MISP) },
	{ "misp domain|ip", NULL, NULL,
	  "[{\"to_ids\": false, \"type\": \"domain|ip\", \"value\": \"ripe.net|193.0.6.139\"}]",
	  TLP_NONE, F(FMT_MISP) },
	{ "misp amber+strict tag", NULL, NULL, "{\"Event\": {\"Tag\": [{\"name\": \"tlp:amber+strict\"}]}}",
	  TLP_AMBER_STRICT, F(FMT_MISP) },
	{ "misp csv export", "text/csv", "event.csv",
	  "uuid,event_id,category,type,value,comment,to_ids,date\n"
	  "5f1c,12,Network activity,ip-dst,8.8.8.8,,1,1600000000\n",
	  TLP_NONE, F(FMT_MISP) },
	{ "misp bare event without attributes", NULL, NULL,
	  "{\"analysis\": \"1\", \"date\": \"2017-12-31\", \"info\": \"test\", "
	  "\"threat_level_id\": \"1\"}",
	  TLP_NONE, F(FMT_MISP) },
	{ "not misp: info and analysis only", NULL, NULL, "{\"info\": \"x\", \"analysis\": \"y\"}",
	  TLP_NONE, 0 },
	{ "not misp: lower-case event", NULL, NULL, "{\"event\": {\"info\": \"x\"}}", TLP_NONE, 0 },
	{ "not misp: Event string", NULL, NULL, "{\"Event\": \"login\"}", TLP_NONE, 0 },
	{ "not misp: ip-src alone", NULL, NULL, "{\"type\": \"ip-src\"}", TLP_NONE, 0 },
	/* IODEF */
	{ "iodef v1", "application/xml", NULL,
	  "<?xml version=\"1.0\"?>\n<IODEF-Document version=\"1.00\" "
	  "xmlns=\"urn:ietf:params:xml:ns:iodef-1.0\"><Incident purpose=\"reporting\">"
	  "</Incident></IODEF-Document>",
	  TLP_NONE, F(FMT_IODEF) },
	{ "iodef prefixed", NULL, NULL,
	  "<iodef:IODEF-Document version=\"2.00\" xmlns:iodef=\"http://example/\">"
	  "<iodef:Incident restriction=\"need-to-know\"/></iodef:IODEF-Document>",
	  TLP_AMBER_STRICT, F(FMT_IODEF) },
	{ "iodef json", "application/json", NULL,
	  "{\"IODEF-Document\": {\"version\": \"2.00\", \"Incident\": [{\"restriction\": "
	  "\"private\"}]}}",
	  TLP_RED, F(FMT_IODEF) },
	{ "iodef restriction in single quotes", NULL, NULL,
	  "<IODEF-Document><Incident restriction='partner'/></IODEF-Document>", TLP_GREEN,
	  F(FMT_IODEF) },
	{ "iodef most restrictive restriction wins", NULL, NULL,
	  "<IODEF-Document><Incident restriction=\"public\"><Contact restriction=\"private\"/>"
	  "</Incident></IODEF-Document>",
	  TLP_RED, F(FMT_IODEF) },
	{ "iodef ext-restriction ignored", NULL, NULL,
	  "<IODEF-Document><Incident restriction=\"ext-value\" ext-restriction=\"private\"/>"
	  "</IODEF-Document>",
	  TLP_NONE, F(FMT_IODEF) },
	{ "iodef restriction and label", NULL, NULL,
	  "<IODEF-Document><Incident restriction=\"green\"><Description>TLP:AMBER</Description>"
	  "</Incident></IODEF-Document>",
	  TLP_AMBER, F(FMT_IODEF) },
	{ "iodef json rfc 8727", "application/json", NULL,
	  "{\"version\": \"2.00\", \"lang\": \"en\", \"Incident\": [{\"purpose\": \"watch\", "
	  "\"restriction\": \"green\", \"IncidentID\": {\"id\": \"897923\"}}]}",
	  TLP_GREEN, F(FMT_IODEF) },
	{ "not iodef: incident list", NULL, NULL,
	  "{\"Incident\": [{\"restriction\": \"private\"}]}", TLP_NONE, 0 },
	{ "not iodef: prose", NULL, NULL, "the IODEF-Document element is the root", TLP_NONE, 0 },
	{ "not iodef: longer element", NULL, NULL,
	  "<IODEF-Documentation restriction=\"private\"/>", TLP_NONE, 0 },
	/* X-ARF */
	{ "xarf v4", "application/json", NULL,
	  "{\n\t\"xarf_version\": \"4.2.0\",\n\t\"category\": \"connection\",\n\t\"type\": \"ddos\","
	  "\n\t\"source_identifier\": \"193.0.6.139\"\n}",
	  TLP_NONE, F(FMT_XARF) },
	{ "xarf v3", NULL, NULL,
	  "{\"Version\": \"3.0.0\", \"ReporterInfo\": {\"ReporterOrg\": \"CERT\"}, \"Report\": "
	  "{\"ReportClass\": \"Network\", \"ReportType\": \"ddos\"}}",
	  TLP_NONE, F(FMT_XARF) },
	{ "xarf reporter-info", NULL, NULL, "{\"Reporter-Info\": {\"ReporterOrg\": \"CERT\"}}",
	  TLP_NONE, F(FMT_XARF) },
	{ "xarf 0.2 yaml", "text/plain", "report.txt",
	  "---\nReported-From: abuse@example.nl\nCategory: abuse\nReport-Type: login-attack\n"
	  "Service: ssh\nVersion: 0.2\nSource-Type: ip-address\nSource: 193.0.6.139\n"
	  "Schema-URL: http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json\n",
	  TLP_NONE, F(FMT_XARF) },
	{ "xarf header", NULL, NULL, "X-ARF: YES\nhello\n", TLP_NONE, F(FMT_XARF) },
	{ "xarf 0.1 schema-url", NULL, NULL,
	  "Schema-URL: http://www.x-arf.org/schema/x.json\nSource-Type: ipv4\n", TLP_NONE,
	  F(FMT_XARF) },
	{ "not xarf: v4-ish keys lower", NULL, NULL, "{\"reporter\": {\"org\": \"x\"}}", TLP_NONE, 0 },
	{ "not xarf: category alone", NULL, NULL, "Category: abuse\nService: ssh\n", TLP_NONE, 0 },
	{ "not xarf: X-ARF no", NULL, NULL, "X-ARF: no\n", TLP_NONE, 0 },
	/* ARF */
	{ "arf part", "message/feedback-report", NULL,
	  "Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n"
	  "Source-IP: 193.0.6.139\n",
	  TLP_NONE, F(FMT_ARF) },
	{ "arf part type only", "Message/Feedback-Report; charset=us-ascii", NULL, "x", TLP_NONE,
	  F(FMT_ARF) },
	{ "arf fields in text", "text/plain", NULL,
	  "feedback-type: abuse\r\nuser-agent: x/1\r\nversion: 1\r\n", TLP_NONE, F(FMT_ARF) },
	{ "not arf: one field", NULL, NULL, "Feedback-Type: abuse\nhello\n", TLP_NONE, 0 },
	{ "not arf: fields mid-line", NULL, NULL,
	  "see Feedback-Type: a, User-Agent: b, Version: 1", TLP_NONE, 0 },
	/* CSV with IP columns */
	{ "csv ip,port", "text/plain", NULL, "ip,port\n193.0.6.139,443\n8.8.8.8,53\n", TLP_NONE,
	  CSV },
	{ "csv semicolon", NULL, NULL, "src_ip;dst_ip;count\n193.0.6.139;8.8.8.8;3\n", TLP_NONE,
	  CSV },
	{ "csv tab", NULL, NULL, "count\tIP Address\n3\t193.0.6.139\n", TLP_NONE, CSV },
	{ "csv pipe", NULL, NULL, "host|ipv4|seen\nns|193.0.6.139|2024\n", TLP_NONE, CSV },
	{ "csv quoted", NULL, NULL, "\"Source IP\",\"Destination IP\"\n\"193.0.6.139\",\"8.8.8.8\"\n",
	  TLP_NONE, CSV },
	{ "csv bom", NULL, NULL, "\xef\xbb\xbfIP,Port\r\n193.0.6.139,443\r\n", TLP_NONE, CSV },
	{ "csv comment lines", NULL, NULL,
	  "# generated 2024-01-01\n\n# by hand\nsource.ip,destination.ip\n193.0.6.139,8.8.8.8\n",
	  TLP_NONE, CSV },
	{ "csv ip-src column", NULL, NULL, "ip-src,first seen\n193.0.6.139,today\n", TLP_NONE, CSV },
	{ "csv single column, csv type", "text/csv", NULL, "ip\n193.0.6.139\n", TLP_NONE, CSV },
	{ "csv single column, csv name", "application/octet-stream", "list.CSV", "IP_Address\n1\n",
	  TLP_NONE, CSV },
	{ "csv header only, csv name", NULL, "x.csv", "dst,port", TLP_NONE, CSV },
	{ "csv quoted delimiters", NULL, NULL, "\"a,b\",ip,\"c;d\"\n\"x,y\",8.8.8.8,\"z\"\n",
	  TLP_NONE, CSV },
	{ "csv ioc list", NULL, "iocs.csv",
	  "\xef\xbb\xbfIndicator_type,Data,Note\nIP,193.0.6.139,C2\nsha256,abc,x\n", TLP_NONE, CSV },
	{ "csv ioc list, indicator column", NULL, NULL, "Type,Indicator,Name\nip,8.8.8.8,c2\n",
	  TLP_NONE, CSV },
	{ "not csv: type and data", NULL, NULL, "type,data\na,1\n", TLP_NONE, 0 },
	{ "not csv: single column in text", "text/plain", NULL, "ip\n193.0.6.139\n", TLP_NONE, 0 },
	{ "not csv: contact list", NULL, NULL, "name,address,phone\nJan,Dam 1,020\n", TLP_NONE, 0 },
	{ "not csv: host names", NULL, NULL, "host,hostname\na,b\n", TLP_NONE, 0 },
	{ "not csv: prose", "text/plain", NULL, "IP, please check the list below\nThanks, Jan\n",
	  TLP_NONE, 0 },
	{ "not csv: lorem", NULL, NULL, "ipsum,lorem\n1,2\n", TLP_NONE, 0 },
	{ "not csv: header without data", NULL, NULL, "ip,port", TLP_NONE, 0 },
	{ "not csv: control bytes", NULL, NULL, "ip,po\x01rt\n1,2\n", TLP_NONE, 0 },
	/* Shadowserver */
	{ "shadowserver scan", "text/csv", "2019-10-15-scan_http-sample-asn.csv",
	  "\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\","
	  "\"region\",\"city\"\n\"2019-10-15 00:02:15\",\"193.0.6.139\",\"tcp\",8080,\"-\",\"http\","
	  "3333,\"NL\",\"X\",\"Y\"\n",
	  TLP_NONE, SHADOW },
	{ "shadowserver by header alone", "text/plain", NULL,
	  "timestamp,ip,port,asn,geo\n2024-01-01,193.0.6.139,443,3333,NL\n", TLP_NONE, SHADOW },
	{ "shadowserver event feed", NULL, "events.csv",
	  "timestamp,src_ip,src_port,src_asn,src_geo,dst_ip\n", TLP_NONE, SHADOW },
	{ "shadowserver by name", "text/csv", "2024-01-01-scan_ssh-nl-geo.csv",
	  "ip,port,asn\n193.0.6.139,22,3333\n", TLP_NONE, SHADOW },
	{ "shadowserver in the name", "text/csv", "shadowserver-report.csv", "x,y\n1,2\n",
	  TLP_NONE, F(FMT_SHADOWSERVER) },
	{ "shadowserver name in archive path", NULL, "2/reports.zip!2024-01-01-event4_sinkhole-nl.csv",
	  "ip,asn\n8.8.8.8,15169\n", TLP_NONE, SHADOW },
	{ "shadowserver old botnet report", NULL, NULL,
	  "\"Date\",\"Time\",\"C&C\",\"C&C Port\",\"C&C ASN\",\"C&C Geo\"\n"
	  "\"2010-01-01\",\"00:00\",\"193.0.6.139\",6667,3333,\"NL\"\n",
	  TLP_NONE, SHADOW },
	{ "not shadowserver: no asn/geo", NULL, NULL, "timestamp,ip,port\n1,8.8.8.8,2\n", TLP_NONE,
	  CSV },
	{ "not shadowserver: no ip", "text/csv", NULL, "timestamp,user,asn\n1,2,3\n", TLP_NONE, 0 },
	/* Not incident data */
	{ "dmarc aggregate", "application/xml", "google.com!example.nl!1700000000!1700086400.xml",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<feedback>\n  <report_metadata>\n"
	  "    <org_name>google.com</org_name>\n  </report_metadata>\n  <record>\n    <row>\n"
	  "      <source_ip>193.0.6.139</source_ip>\n    </row>\n  </record>\n</feedback>\n",
	  TLP_NONE, 0 },
	{ "tls-rpt", "application/tlsrpt+json", NULL,
	  "{\"organization-name\": \"Company-X\", \"date-range\": {}, \"report-id\": \"1\", "
	  "\"policies\": [{\"failure-details\": [{\"sending-mta-ip\": \"193.0.6.139\"}]}]}",
	  TLP_NONE, 0 },
	{ "tls-rpt as plain json", "application/json", NULL,
	  "{\"organization-name\": \"X\", \"policies\": [{\"summary\": {}}], \"type\": \"ip-src\", "
	  "\"category\": \"c\"}",
	  TLP_NONE, 0 },
	{ "dsn", "message/delivery-status", NULL,
	  "Reporting-MTA: dns; mx.example.nl\n\nFinal-Recipient: rfc822; a@example.nl\n"
	  "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; 193.0.6.139\n"
	  "Feedback-Type: x\nUser-Agent: y\nVersion: 1\n",
	  TLP_NONE, 0 },
	{ "plain prose", "text/plain", NULL, "Hello,\n\nplease find the list attached.\n", TLP_NONE,
	  0 },
	{ "empty", "text/plain", NULL, "", TLP_NONE, 0 },
};

static void test_formats(void **state)
{
	(void)state;
	static const size_t one[] = { 1 };
	static const size_t odd[] = { 7, 13, 1 };
	for (size_t i = 0; i < ARRAY_LEN(fmt_rows); i++) {
		const struct fmt_row *r = &fmt_rows[i];
		size_t len = strlen(r->text);
		char row[160];
		check(r->name, run(r->type, r->filename, r->text), r->tlp, r->formats);
		snprintf(row, sizeof row, "%s (bytewise)", r->name);
		check(row, run_chunks(r->type, r->filename, r->text, len, one, 1), r->tlp, r->formats);
		snprintf(row, sizeof row, "%s (7,13,1)", r->name);
		check(row, run_chunks(r->type, r->filename, r->text, len, odd, 3), r->tlp, r->formats);
	}
}

struct iodef_row {
	const char *restriction;
	enum tlp_level want;
};

static void test_iodef_restrictions(void **state)
{
	(void)state;
	static const struct iodef_row rows[] = {
		{ "public", TLP_CLEAR },	{ "partner", TLP_GREEN },
		{ "need-to-know", TLP_AMBER_STRICT }, { "private", TLP_RED },
		{ "default", TLP_NONE },	{ "white", TLP_CLEAR },
		{ "green", TLP_GREEN },		{ "amber", TLP_AMBER },
		{ "red", TLP_RED },		{ "PRIVATE", TLP_RED },
		{ "privat", TLP_NONE },		{ "private-ish", TLP_NONE },
		{ "ext-value", TLP_NONE },	{ "", TLP_NONE },
	};
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		char doc[1024];
		snprintf(doc, sizeof doc, IODEF2, rows[i].restriction);
		char name[64];
		snprintf(name, sizeof name, "restriction=\"%s\"", rows[i].restriction);
		check(name, run("application/xml", "incident.xml", doc), rows[i].want, F(FMT_IODEF));
		size_t len = strlen(doc);
		for (size_t cut = 1; cut < len; cut += 5) {
			size_t sizes[2] = { cut, len };
			char row[96];
			snprintf(row, sizeof row, "%s split at %zu", name, cut);
			check(row, run_chunks("application/xml", NULL, doc, len, sizes, 2), rows[i].want,
			      F(FMT_IODEF));
		}
	}
}

/* Format sniffing looks at the first MARKERS_SNIFF_BYTES only; labels are
 * found anywhere. */
static void test_sniff_limit(void **state)
{
	(void)state;
	size_t pad = MARKERS_SNIFF_BYTES + 100;
	char *buf = malloc(pad + 256);
	assert_non_null(buf);
	memset(buf, '\n', pad);
	strcpy(buf + pad, "[ipv4-addr:value = '8.8.8.8'] TLP:AMBER\n");
	check("stix pattern past the sniff", run("text/plain", NULL, buf), TLP_AMBER, 0);
	memcpy(buf + 100, "[ipv4-addr:value = '8.8.8.8']", 29);
	check("stix pattern inside the sniff", run("text/plain", NULL, buf), TLP_AMBER, F(FMT_STIX2));

	/* A CSV whose header is within the sniff but whose data goes on. */
	size_t total = 3 * MARKERS_SNIFF_BYTES;
	char *csv = malloc(total + 1);
	assert_non_null(csv);
	size_t o = (size_t)snprintf(csv, total, "ip,port\n");
	while (o + 16 < total)
		o += (size_t)snprintf(csv + o, total - o, "193.0.6.139,%u\n", (unsigned)(o % 65536));
	static const size_t sizes[] = { 1000 };
	check("long csv", run_chunks("text/plain", NULL, csv, o, sizes, 1), TLP_NONE, CSV);
	/* A first line longer than the sniff is no header. */
	memset(csv, 'a', total);
	memcpy(csv + MARKERS_SNIFF_BYTES + 10, ",ip\n", 4);
	check("header past the sniff", run_chunks("text/plain", NULL, csv, total, sizes, 1), TLP_NONE, 0);
	free(csv);
	free(buf);
}

/* One markers object serves stream after stream; nothing leaks across. */
static void test_reuse_and_misuse(void **state)
{
	(void)state;
	struct markers *m = markers_alloc();
	assert_non_null(m);
	struct findings *f = findings_alloc();
	assert_non_null(f);
	int p0 = findings_part_add(f, "1", "text/plain", NULL, 0);
	int p1 = findings_part_add(f, "2", "text/csv", "a.csv", 0);
	assert_true(p0 >= 0 && p1 >= 0);

	markers_update(m, "TLP:RED", 7);	/* before any begin: ignored */
	markers_end(m, f);			/* likewise */
	assert_int_eq_msg("update before begin", findings_tlp(f), TLP_NONE);

	markers_begin(m, (unsigned)p0, "text/plain", NULL);
	markers_update(m, "{\"Event\": {} } TLP:G", 20);
	markers_begin(m, (unsigned)p0, "text/plain", NULL);	/* restart drops it */
	markers_update(m, "REEN", 4);
	markers_end(m, f);
	assert_int_eq_msg("restart", findings_tlp(f), TLP_NONE);
	assert_int_eq_msg("restart formats", findings_part(f, (size_t)p0)->formats, 0);

	markers_begin(m, (unsigned)p0, "text/plain", NULL);
	markers_update(m, "x TLP:AMBER", 11);
	markers_update(m, NULL, 5);
	markers_update(m, "", 0);
	markers_end(m, f);
	markers_end(m, f);	/* twice: no-op */
	markers_begin(m, (unsigned)p1, "text/csv", "a.csv");
	markers_update(m, "ip\n8.8.8.8\n", 11);
	markers_end(m, f);
	assert_int_eq_msg("tlp over two streams", findings_tlp(f), TLP_AMBER);
	assert_int_eq_msg("part 0 formats", findings_part(f, (size_t)p0)->formats, 0);
	assert_int_eq_msg("part 1 formats", findings_part(f, (size_t)p1)->formats, CSV);
	findings_free(f);
	markers_free(m);
	markers_free(NULL);
}

/* Every label filter (AVX-512, AVX2, SSE2, bytes) finds a label wherever
 * it starts relative to the vector blocks (64-byte blocks from 128 bytes
 * on, 32, 16, the tail) and whatever chunk it arrives in, and nothing
 * where only part of a prefix stands. */
static void test_filters_agree(void **state)
{
	(void)state;
	static const struct {
		const char *label;
		enum tlp_level want;
	} rows[] = {
		{ "TLP:RED", TLP_RED },
		{ "tlp:amber+strict", TLP_AMBER_STRICT },
		{ "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_RED },
		{ "TL P:RED", TLP_NONE },
		{ "MAR king-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", TLP_NONE },
	};
	static const enum mk_path paths[] = { MK_PATH_AVX512, MK_PATH_AVX2, MK_PATH_SSE2,
					      MK_PATH_BYTES };
	static const size_t sizes[] = { 0, 63, 129 };
	char buf[400];
	int tried = 0;
	for (size_t k = 0; k < ARRAY_LEN(paths); k++) {
		if (!mk_scan_path(paths[k]))
			continue;	/* not in this build or processor */
		tried++;
		for (size_t r = 0; r < ARRAY_LEN(rows); r++) {
			size_t ll = strlen(rows[r].label);
			for (size_t at = 1; at + ll + 1 < sizeof buf; at += 3) {
				for (size_t i = 0; i < sizeof buf; i++)
					buf[i] = "the mark of rest: tl; "[i % 22];
				buf[at - 1] = ' ';
				memcpy(buf + at, rows[r].label, ll);
				buf[at + ll] = ' ';
				for (size_t c = 0; c < ARRAY_LEN(sizes); c++) {
					char row[160];
					snprintf(row, sizeof row, "path %d, %s at %zu, chunks %zu",
						 (int)paths[k], rows[r].label, at, sizes[c]);
					check(row, run_chunks("text/plain", NULL, buf, sizeof buf,
							      &sizes[c], 1),
					      rows[r].want, 0);
				}
			}
		}
	}
	assert_true(mk_scan_path(MK_PATH_BEST));
	assert_true(tried >= 1);	/* bytes at least */
}

/* A filter is forced exactly when the processor has its set. */
static void test_path_sets(void **state)
{
	(void)state;
	assert_int_equal(mk_scan_path(MK_PATH_AVX512), cpupath_have(CPUPATH_AVX512));
	assert_int_equal(mk_scan_path(MK_PATH_AVX2), cpupath_have(CPUPATH_AVX2));
	assert_true(mk_scan_path(MK_PATH_SSE2));
	assert_true(mk_scan_path(MK_PATH_BYTES));
	assert_true(mk_scan_path(MK_PATH_BEST));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlp_whole),
		cmocka_unit_test(test_tlp_split_everywhere),
		cmocka_unit_test(test_tlp_long_stream),
		cmocka_unit_test(test_filters_agree),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_iodef_restrictions),
		cmocka_unit_test(test_sniff_limit),
		cmocka_unit_test(test_reuse_and_misuse),
		cmocka_unit_test(test_path_sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
