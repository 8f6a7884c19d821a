/*
 * test_policy.c - the per-recipient decision: the order of the checks,
 * every reason code, date edges (the day before, on and after valid_from /
 * valid_until, the Wbni -> Cbw switch), domain traps, exact address over
 * domain, TLP ceilings (RED only to exact addresses), transfer mechanisms
 * with dates (GB inside the EEA until 2020-01-31), constituency by
 * country, ASN and prefix, geo-unknown, unscannable content, the
 * PublicAddressesArePersonalData option, the jurist's sentence (never an
 * address in it), and the sample registry on the COATHANGER recipients.
 *
 * Findings are built through the findings API with country and ASN set
 * directly (no geo database).
 */
#include "testutil.h"

/* table rows leave trailing fields zero on purpose */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "grondslag/scan/findings.h"
#include "grondslag/decide/policy.h"
#include "grondslag/decide/registry.h"

static const char policy_yaml[] =
	"version: 1\n"
	"own_domains: [ncsc.nl, \"*.ncsc.nl\"]\n"
	"eea:\n"
	"  - {country: BE, valid_from: 1994-01-01}\n"
	"  - {country: NL, valid_from: 1994-01-01}\n"
	"  - {country: DE, valid_from: 1994-01-01}\n"
	"  - {country: GB, valid_from: 1994-01-01, valid_until: 2020-02-01}\n"
	"regimes:\n"
	"  - {id: wbni, name: Wbni, valid_from: 2018-11-09, valid_until: 2026-08-15}\n"
	"  - {id: cbw, name: Cbw, valid_from: 2026-08-15}\n"
	"bases:\n"
	"  - {id: wbni-eu, regime: wbni, article: \"Wbni art. 20(2)\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER+STRICT,\n"
	"     constituency_match: true}\n"
	"  - {id: cbw-eu, regime: cbw, article: \"Cbw art. 1\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER+STRICT,\n"
	"     constituency_match: true}\n"
	"  - {id: red-all, regime: wbni, article: \"Wbni art. 20(2)\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data, credentials, unscannable],\n"
	"     tlp_max: RED}\n"
	"  - {id: four-only, regime: wbni, article: \"Wbni art. 20(2)\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data, unscannable], tlp_max: RED}\n"
	"  - {id: narrow, regime: wbni, article: \"Wbni art. 3(2)\", approved_by: t,\n"
	"     permits: [incident], tlp_max: GREEN, valid_from: 2020-01-01, valid_until: 2022-01-01}\n"
	"  - {id: future, regime: wbni, article: \"Wbni art. 3(2)\", approved_by: t,\n"
	"     permits: [provider-traceable], tlp_max: AMBER, valid_from: 2025-01-01}\n"
	"  - {id: uk-era, regime: wbni, article: \"Wbni art. 20(2)\", approved_by: t,\n"
	"     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER,\n"
	"     valid_until: 2020-02-01}\n"
	"parties:\n"
	"  - {id: cert-be, name: CERT.be, type: eu-csirt, jurisdiction: BE,\n"
	"     domains: [cert.be, \"*.cert.be\"], addresses: [cert@cert.be],\n"
	"     constituency: {countries: [BE], asns: [64500], prefixes: [193.0.0.0/21],\n"
	"                    domains: [bel-corp.com, partner.co.uk]},\n"
	"     transfer: {mechanism: eea}, bases: [wbni-eu, cbw-eu]}\n"
	"  - {id: cert-at, name: CERT.at, type: eu-csirt, jurisdiction: DE,\n"
	"     domains: [cert.at], constituency: {countries: [AT]}, bases: [wbni-eu]}\n"
	"  - {id: cbw-only, name: CbwOnly, type: eu-csirt, jurisdiction: DE,\n"
	"     domains: [cbw.example], constituency: {countries: [DE]}, bases: [cbw-eu]}\n"
	"  - {id: intel, name: Intel, type: nl-intel-service, jurisdiction: NL,\n"
	"     domains: [intel.example], addresses: [analyst@intel.example], bases: [red-all]}\n"
	"  - {id: ccrt, name: CCRT, type: nl-designated-ccrt, jurisdiction: NL,\n"
	"     domains: [ccrt.example], bases: [narrow, future]}\n"
	"  - {id: ncsc-uk, name: NCSC UK, type: third-country-csirt, jurisdiction: GB,\n"
	"     domains: [ncsc.gov.uk], bases: [uk-era],\n"
	"     transfer: [{mechanism: eea, valid_until: 2020-02-01},\n"
	"                {mechanism: adequacy, valid_from: 2021-06-28, valid_until: 2031-12-28}]}\n"
	"  - {id: jpcert, name: JPCERT/CC, type: third-country-csirt, jurisdiction: JP,\n"
	"     domains: [jpcert.or.jp], constituency: {countries: [JP]}, transfer: {mechanism: none}}\n"
	"  - {id: us-partner, name: US partner, type: other, jurisdiction: US,\n"
	"     domains: [us.example], bases: [red-all],\n"
	"     transfer: {mechanism: art46, valid_from: 2024-01-01, valid_until: 2025-01-01,\n"
	"                scope: \"agreement 2024\"}}\n"
	"  - {id: old-reg, name: OldReg, type: nl-intel-service, jurisdiction: NL,\n"
	"     domains: [old.example], bases: [four-only]}\n"
	"  - {id: mueller, name: Mueller, type: other, jurisdiction: DE,\n"
	"     domains: [\"m\xc3\xbcller.de\"], bases: [red-all]}\n";

static struct registry *reg;

static int setup(void **state)
{
	(void)state;
	struct registry_errors *e = NULL;
	reg = registry_load_buffer("policy", policy_yaml, sizeof policy_yaml - 1, &e);
	if (reg == NULL) {
		for (size_t i = 0; i < registry_errors_count(e); i++)
			print_message("%s\n", registry_errors_get(e, i));
		registry_errors_free(e);
		return -1;
	}
	registry_errors_free(e);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_unref(reg);
	return 0;
}

static int32_t day(const char *s)
{
	int32_t d;
	if (!date_parse(s, &d))
		fail_msg("bad test date %s", s);
	return d;
}

/* ---- findings builders -------------------------------------------------- */

/* One address with geo: "193.0.6.139 NL 3333"; "-" country = unknown. */
struct ipgeo {
	const char *addr;
	const char *cc;		/* NULL or "": unknown */
	uint32_t asn;
};

#define MAX_IPS 8
struct msg {
	struct ipgeo ips[MAX_IPS];
	const char *prefix;		/* one public or special prefix, or NULL */
	enum tlp_level tlp;
	bool unscannable;
	unsigned credentials;	/* credential rows (with no address) */
	const char *hosts;	/* listed host names, blank separated */
};

static struct findings *build(const struct msg *m)
{
	struct findings *f = findings_alloc();
	assert_non_null(f);
	int part = findings_part_add(f, "1", "text/plain", NULL, 1);
	assert_true(part >= 0);
	size_t n = 0;
	for (; n < MAX_IPS && m->ips[n].addr != NULL; n++) {
		struct ipscan_match im;
		memset(&im, 0, sizeof im);
		im.kind = IPSCAN_ADDR;
		if (!ip_addr_parse(m->ips[n].addr, &im.addr))
			fail_msg("bad test address %s", m->ips[n].addr);
		im.offset = n * 20;
		findings_add_match(f, (unsigned)part, &im);
	}
	if (m->prefix != NULL) {
		struct ipscan_match im;
		struct ip_prefix p;
		memset(&im, 0, sizeof im);
		assert_true(ip_prefix_parse(m->prefix, false, &p));
		im.kind = IPSCAN_PREFIX;
		im.addr = p.addr;
		im.prefixlen = p.len;
		findings_add_match(f, (unsigned)part, &im);
	}
	/* geo fills, in first-seen order (the order added above) */
	for (size_t i = 0; i < findings_ip_count(f); i++) {
		struct finding_ip *ip = findings_ip_mut(f, i);
		ip->geo_done = true;
		if (m->ips[i].cc != NULL)
			memcpy(ip->country, m->ips[i].cc, strlen(m->ips[i].cc) + 1);
		ip->asn = m->ips[i].asn;
	}
	if (m->tlp != TLP_NONE)
		findings_set_tlp(f, m->tlp);
	if (m->unscannable) {
		int p2 = findings_part_add(f, "2", "application/pgp-encrypted", NULL, 1);
		findings_part_unscannable(f, (unsigned)p2, UNSCAN_PGP_MIME);
	}
	for (const char *h = m->hosts; h != NULL && *h != '\0';) {
		size_t hl = strcspn(h, " ");
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)hl, h);
		struct idscan_match hm = {.kind = IDSCAN_HOST, .value = name, .len = hl,
					  .domain = name, .dlen = hl};
		findings_add_ident(f, (unsigned)part, &hm);
		h += hl + (h[hl] == ' ');
	}
	for (unsigned i = 0; i < m->credentials; i++) {
		struct idscan_match cm = {.kind = IDSCAN_CREDENTIAL};
		findings_add_ident(f, (unsigned)part, &cm);
	}
	findings_derive(f, 1);
	return f;
}

/* Messages used across the tables. */
#define BE_LIST {{"194.7.1.1", "BE", 5432}, {"194.7.2.2", "BE", 5432}}
#define JP_LIST {{"133.1.1.1", "JP", 2907}, {"133.2.2.2", "JP", 2907}, {"133.3.3.3", "JP", 2907}}
#define NL_LIST {{"145.100.1.1", "NL", 1103}}

static const struct msg m_private = {{{"10.1.2.3", NULL, 0}, {"192.168.1.1", NULL, 0}}};
static const struct msg m_be = {BE_LIST};
static const struct msg m_jp = {JP_LIST};
static const struct msg m_nl = {NL_LIST};
static const struct msg m_mixed = {{{"194.7.1.1", "BE", 5432}, {"133.1.1.1", "JP", 2907},
				    {"8.8.8.8", "US", 15169}, {"133.2.2.2", "JP", 2907}}};
static const struct msg m_asn = {{{"8.8.4.4", "", 64500}}};		/* no country, ASN in */
static const struct msg m_prefix = {{{"193.0.6.139", "NL", 3333}}};	/* NL, but prefix in */
static const struct msg m_nogeo = {{{"8.8.8.8", NULL, 0}, {"194.7.1.1", "BE", 5432}}};
static const struct msg m_net_in = {BE_LIST, "193.0.4.0/24"};
static const struct msg m_net_out = {BE_LIST, "8.8.8.0/24"};
static const struct msg m_be_amber = {BE_LIST, NULL, TLP_AMBER};
static const struct msg m_be_strict = {BE_LIST, NULL, TLP_AMBER_STRICT};
static const struct msg m_be_red = {BE_LIST, NULL, TLP_RED};
static const struct msg m_tlp_green = {{{NULL, NULL, 0}}, NULL, TLP_GREEN};	/* incident only */
static const struct msg m_tlp_amber = {{{NULL, NULL, 0}}, NULL, TLP_AMBER};
static const struct msg m_red_only = {{{NULL, NULL, 0}}, NULL, TLP_RED};
static const struct msg m_unscannable = {{{NULL, NULL, 0}}, NULL, TLP_NONE, true};
static const struct msg m_be_unscannable = {BE_LIST, NULL, TLP_NONE, true};
static const struct msg m_credentials = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 3};
/* listed host names: placed by their country-code top-level domain */
static const struct msg m_hosts_jp = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
				      "fw01.corp.jp fw02.corp.jp fw03.other.jp"};
static const struct msg m_hosts_be = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
				      "vpn.gemeente.be fw.bedrijf.be mail.school.be"};
static const struct msg m_hosts_com = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
				       "vpn.gemeente.be fw.corp-a.com fw.corp-b.com"};
static const struct msg m_hosts_eu = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
				      "a.agency.eu b.agency.eu c.agency.eu"};
static const struct msg m_hosts_uk = {BE_LIST, NULL, TLP_NONE, false, 0,
				      "a.corp.co.uk b.corp.co.uk c.gemeente.be"};
/* constituency.domains place names beyond the country-code domains */
static const struct msg m_hosts_belcorp = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
					   "vpn.bel-corp.com fw.eu.bel-corp.com bel-corp.com"};
static const struct msg m_hosts_lookalike = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
					     "vpn.notbel-corp.com a.gemeente.be b.gemeente.be"};
static const struct msg m_hosts_partner_uk = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
					      "a.partner.co.uk b.gemeente.be c.gemeente.be"};
static const struct msg m_hosts_mixed = {{{NULL, NULL, 0}}, NULL, TLP_NONE, false, 0,
					 "vpn.bel-corp.com fw.corp-a.com c.gemeente.be"};

#define R(x) (1u << REASON_##x)
#define DELIVER VERDICT_DELIVER
#define HOLD VERDICT_HOLD

struct row {
	const char *name;
	const struct msg *msg;
	const char *rcpt;
	const char *date;
	enum policy_verdict verdict;
	unsigned reasons;		/* exact set */
	const char *party;		/* NULL: unknown */
	const char *bases;		/* used bases, comma-separated, "" none */
	bool personal_off;		/* PublicAddressesArePersonalData no */
};

static const struct row rows[] = {
	/* the order */
	{"no regulated data, unknown party", &m_private, "x@nowhere.example", "2024-03-01",
	 DELIVER, R(NO_REGULATED_DATA), NULL, ""},
	{"no regulated data, known party", &m_private, "x@jpcert.or.jp", "2024-03-01", DELIVER,
	 R(NO_REGULATED_DATA), "jpcert", ""},
	{"own domain", &m_jp, "soc@ncsc.nl", "2024-03-01", DELIVER, R(OWN_DOMAIN), NULL, ""},
	{"own subdomain", &m_red_only, "soc@team.ncsc.nl", "2024-03-01", DELIVER, R(OWN_DOMAIN),
	 NULL, ""},
	{"own-domain trap", &m_be, "x@ncsc.nl.evil.example", "2024-03-01", HOLD,
	 R(UNKNOWN_PARTY), NULL, ""},
	{"unknown party", &m_be, "x@nowhere.example", "2024-03-01", HOLD, R(UNKNOWN_PARTY), NULL,
	 ""},
	{"invalid recipient", &m_be, "not-an-address", "2024-03-01", HOLD, R(UNKNOWN_PARTY), NULL,
	 ""},
	{"unknown party, incident only", &m_tlp_green, "x@nowhere.example", "2024-03-01", HOLD,
	 R(UNKNOWN_PARTY), NULL, ""},
	{"BE list to CERT.be", &m_be, "cert@cert.be", "2024-03-01", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	/* domain traps */
	{"trap cert.be.evil.example", &m_be, "cert@cert.be.evil.example", "2024-03-01", HOLD,
	 R(UNKNOWN_PARTY), NULL, ""},
	{"trap evilcert.be", &m_be, "cert@evilcert.be", "2024-03-01", HOLD, R(UNKNOWN_PARTY),
	 NULL, ""},
	{"upper case", &m_be, "INFO@CERT.BE", "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"trailing dot", &m_be, "info@cert.be.", "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"wildcard subdomain", &m_be, "info@team.cert.be", "2024-03-01", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	{"IDN U-label", &m_be_red, "x@m\xc3\xbcller.de", "2024-03-01", HOLD, R(TLP_EXCEEDS),
	 "mueller", ""},
	{"IDN A-label", &m_be, "x@xn--mller-kva.de", "2024-03-01", DELIVER, 0, "mueller",
	 "red-all"},
	/* dates: the regime switch (wbni until 2026-08-15, cbw from then) */
	{"switch: day before", &m_be, "cert@cert.be", "2026-08-14", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	{"switch: on the day", &m_be, "cert@cert.be", "2026-08-15", DELIVER, 0, "cert-be",
	 "cbw-eu"},
	{"switch: day after", &m_be, "cert@cert.be", "2026-08-16", DELIVER, 0, "cert-be",
	 "cbw-eu"},
	{"wbni only, last day", &m_be, "x@cert.at", "2026-08-14", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-at", ""},
	{"wbni only, after switch", &m_be, "x@cert.at", "2026-08-15", HOLD,
	 R(BASIS_EXPIRED), "cert-at", ""},
	{"cbw only, before switch", &m_be, "x@cbw.example", "2026-08-14", HOLD,
	 R(BASIS_NOT_YET_VALID), "cbw-only", ""},
	{"before the Wbni", &m_be, "cert@cert.be", "2018-11-08", HOLD, R(BASIS_NOT_YET_VALID),
	 "cert-be", ""},
	{"first Wbni day", &m_be, "cert@cert.be", "2018-11-09", DELIVER, 0, "cert-be", "wbni-eu"},
	/* dates: a basis window inside its regime [2020-01-01, 2022-01-01) */
	{"narrow: day before from", &m_tlp_green, "x@ccrt.example", "2019-12-31", HOLD,
	 R(BASIS_NOT_YET_VALID), "ccrt", ""},
	{"narrow: on from", &m_tlp_green, "x@ccrt.example", "2020-01-01", DELIVER, 0, "ccrt",
	 "narrow"},
	{"narrow: day before until", &m_tlp_green, "x@ccrt.example", "2021-12-31", DELIVER, 0,
	 "ccrt", "narrow"},
	{"narrow: on until", &m_tlp_green, "x@ccrt.example", "2022-01-01", HOLD,
	 R(BASIS_EXPIRED), "ccrt", ""},
	{"narrow: TLP above ceiling", &m_tlp_amber, "x@ccrt.example", "2021-01-01", HOLD,
	 R(TLP_EXCEEDS), "ccrt", ""},
	/* no-basis next to a date problem */
	{"future + no basis", &m_nl, "x@ccrt.example", "2024-03-01", HOLD,
	 R(BASIS_NOT_YET_VALID) | R(NO_BASIS), "ccrt", ""},
	{"future valid, pd no basis", &m_nl, "x@ccrt.example", "2025-01-01", HOLD, R(NO_BASIS),
	 "ccrt", "future"},
	{"future valid, pd off", &m_nl, "x@ccrt.example", "2025-01-01", DELIVER, 0, "ccrt",
	 "future", true},
	/* third countries: no basis, and no transfer mechanism */
	{"JP list to JPCERT", &m_jp, "info@jpcert.or.jp", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	/* routing syntax: judged for every domain the mail could reach */
	{"percent hack via own domain", &m_jp, "cert%jpcert.or.jp@ncsc.nl", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"bang path via own domain", &m_jp, "jpcert.or.jp!cert@ncsc.nl", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"source route to JPCERT", &m_jp, "<@relay.ncsc.nl:info@jpcert.or.jp>", "2024-03-01",
	 HOLD, R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"source route via unknown relay", &m_be, "<@relay.example:cert@cert.be>", "2024-03-01",
	 HOLD, R(UNKNOWN_PARTY), NULL, ""},
	{"two-hop source route, own hops", &m_be, "<@a.ncsc.nl,@b.ncsc.nl:cert@cert.be>",
	 "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"quoted percent hack", &m_jp, "<\"cert%jpcert.or.jp\"@ncsc.nl>", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"quoted at", &m_jp, "\"cert@jpcert.or.jp\"@ncsc.nl", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"nested percent, one hop foreign", &m_be, "cert%cert.be%jpcert.or.jp@ncsc.nl",
	 "2024-03-01", HOLD, R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"percent to a party with a basis", &m_be, "cert%cert.be@ncsc.nl", "2024-03-01", DELIVER,
	 0, "cert-be", "wbni-eu"},
	{"bang and percent mixed", &m_jp, "ncsc.nl!cert%jpcert.or.jp@ncsc.nl", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"UUCP host is no domain", &m_be, "uunet!cert@ncsc.nl", "2024-03-01", HOLD,
	 R(UNKNOWN_PARTY), NULL, ""},
	{"empty percent host", &m_be, "cert%@ncsc.nl", "2024-03-01", HOLD, R(UNKNOWN_PARTY), NULL,
	 ""},
	{"routed, no regulated data", &m_private, "cert%jpcert.or.jp@ncsc.nl", "2024-03-01",
	 DELIVER, R(NO_REGULATED_DATA), "jpcert", ""},
	{"JP list to JPCERT, pd off", &m_jp, "info@jpcert.or.jp", "2024-03-01", HOLD,
	 R(NO_BASIS), "jpcert", "", true},
	{"incident to JPCERT", &m_tlp_green, "info@jpcert.or.jp", "2024-03-01", HOLD, R(NO_BASIS),
	 "jpcert", ""},
	/* TLP ceilings */
	{"AMBER to CERT.be", &m_be_amber, "info@cert.be", "2024-03-01", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	{"AMBER+STRICT to CERT.be", &m_be_strict, "info@cert.be", "2024-03-01", DELIVER, 0,
	 "cert-be", "wbni-eu"},
	{"RED to CERT.be domain", &m_be_red, "info@cert.be", "2024-03-01", HOLD, R(TLP_EXCEEDS),
	 "cert-be", ""},
	{"RED to CERT.be address, ceiling", &m_be_red, "cert@cert.be", "2024-03-01", HOLD,
	 R(TLP_EXCEEDS), "cert-be", ""},
	{"RED to intel address", &m_red_only, "analyst@intel.example", "2024-03-01", DELIVER, 0,
	 "intel", "red-all"},
	{"RED to intel address, upper", &m_red_only, "Analyst@Intel.Example.", "2024-03-01",
	 DELIVER, 0, "intel", "red-all"},
	{"RED to intel domain", &m_red_only, "boss@intel.example", "2024-03-01", HOLD,
	 R(TLP_EXCEEDS), "intel", ""},
	/* transfer mechanisms with dates: art46 [2024-01-01, 2025-01-01) */
	{"art46: day before", &m_be, "x@us.example", "2023-12-31", HOLD,
	 R(NO_TRANSFER_MECHANISM), "us-partner", "red-all"},
	{"art46: first day", &m_be, "x@us.example", "2024-01-01", DELIVER, 0, "us-partner",
	 "red-all"},
	{"art46: last day", &m_be, "x@us.example", "2024-12-31", DELIVER, 0, "us-partner",
	 "red-all"},
	{"art46: on until", &m_be, "x@us.example", "2025-01-01", HOLD, R(NO_TRANSFER_MECHANISM),
	 "us-partner", "red-all"},
	{"art46 lapsed, pd off", &m_be, "x@us.example", "2025-01-01", DELIVER, 0, "us-partner",
	 "red-all", true},
	{"art46 lapsed, no pd in message", &m_tlp_green, "x@us.example", "2025-01-01", DELIVER, 0,
	 "us-partner", "red-all"},
	/* GB: inside the EEA until 2020-01-31 */
	{"GB on 2020-01-31", &m_be, "x@ncsc.gov.uk", "2020-01-31", DELIVER, 0, "ncsc-uk",
	 "uk-era"},
	{"GB on 2020-02-01", &m_be, "x@ncsc.gov.uk", "2020-02-01", HOLD,
	 R(BASIS_EXPIRED) | R(NO_TRANSFER_MECHANISM), "ncsc-uk", ""},
	{"GB with adequacy", &m_be, "x@ncsc.gov.uk", "2021-06-28", HOLD, R(BASIS_EXPIRED),
	 "ncsc-uk", ""},
	/* constituency: country, ASN, prefix, geo-unknown */
	{"JP list to CERT.be", &m_jp, "cert@cert.be", "2024-03-01", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-be", ""},
	{"mixed list to CERT.be", &m_mixed, "cert@cert.be", "2024-03-01", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-be", ""},
	{"mixed list to intel (no match asked)", &m_mixed, "analyst@intel.example", "2024-03-01",
	 DELIVER, 0, "intel", "red-all"},
	{"in by ASN", &m_asn, "cert@cert.be", "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"in by prefix", &m_prefix, "cert@cert.be", "2024-03-01", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	{"geo unknown", &m_nogeo, "cert@cert.be", "2024-03-01", HOLD, R(GEO_UNKNOWN), "cert-be",
	 ""},
	{"public prefix inside", &m_net_in, "cert@cert.be", "2024-03-01", DELIVER, 0, "cert-be",
	 "wbni-eu"},
	{"public prefix outside", &m_net_out, "cert@cert.be", "2024-03-01", HOLD, R(GEO_UNKNOWN),
	 "cert-be", ""},
	{"NL list to CERT.be", &m_nl, "cert@cert.be", "2024-03-01", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-be", ""},
	/* unscannable needs one basis permitting every category */
	{"unscannable to CERT.be", &m_unscannable, "cert@cert.be", "2024-03-01", HOLD,
	 R(UNSCANNABLE), "cert-be", ""},
	{"unscannable + list to CERT.be", &m_be_unscannable, "cert@cert.be", "2024-03-01", HOLD,
	 R(UNSCANNABLE), "cert-be", ""},
	{"unscannable to intel", &m_unscannable, "analyst@intel.example", "2024-03-01", DELIVER,
	 0, "intel", "red-all"},
	/* a basis that permits the four categories older than credentials
	 * no longer covers unscannable content: it may hold credentials */
	{"unscannable to a registry of four", &m_unscannable, "x@old.example", "2024-03-01", HOLD,
	 R(UNSCANNABLE), "old-reg", ""},
	{"credentials to a basis that names them", &m_credentials, "analyst@intel.example",
	 "2024-03-01", DELIVER, 0, "intel", "red-all"},
	{"credentials to a basis that does not", &m_credentials, "cert@cert.be", "2024-03-01", HOLD,
	 R(NO_BASIS), "cert-be", ""},
	{"hosts under jp to CERT.be", &m_hosts_jp, "cert@cert.be", "2024-03-01", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-be", ""},
	{"hosts under be to CERT.be", &m_hosts_be, "cert@cert.be", "2024-03-01", DELIVER, 0,
	 "cert-be", "wbni-eu"},
	{"hosts under com to CERT.be: geo unknown", &m_hosts_com, "cert@cert.be", "2024-03-01",
	 HOLD, R(GEO_UNKNOWN), "cert-be", ""},
	{"hosts under eu to CERT.be: no country", &m_hosts_eu, "cert@cert.be", "2024-03-01", HOLD,
	 R(GEO_UNKNOWN), "cert-be", ""},
	{"hosts under uk (GB) and addresses in BE", &m_hosts_uk, "cert@cert.be", "2024-03-01", HOLD,
	 R(CONSTITUENCY_MISMATCH), "cert-be", ""},
	{"hosts under a constituency domain (.com) to CERT.be", &m_hosts_belcorp, "cert@cert.be",
	 "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"a look-alike of a constituency domain stays unknown", &m_hosts_lookalike, "cert@cert.be",
	 "2024-03-01", HOLD, R(GEO_UNKNOWN), "cert-be", ""},
	{"a constituency domain under another country code", &m_hosts_partner_uk, "cert@cert.be",
	 "2024-03-01", DELIVER, 0, "cert-be", "wbni-eu"},
	{"one generic name no domain places", &m_hosts_mixed, "cert@cert.be", "2024-03-01", HOLD,
	 R(GEO_UNKNOWN), "cert-be", ""},
	{"another party's constituency domain places nothing", &m_hosts_belcorp, "x@cert.at",
	 "2024-03-01", HOLD, R(GEO_UNKNOWN), "cert-at", ""},
	{"hosts under jp to JPCERT", &m_hosts_jp, "info@jpcert.or.jp", "2024-03-01", HOLD,
	 R(NO_BASIS), "jpcert", ""},
	{"credentials to JPCERT", &m_credentials, "info@jpcert.or.jp", "2024-03-01", HOLD,
	 R(NO_BASIS) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"unscannable to JPCERT", &m_unscannable, "info@jpcert.or.jp", "2024-03-01", HOLD,
	 R(UNSCANNABLE) | R(NO_TRANSFER_MECHANISM), "jpcert", ""},
	{"unscannable to US partner, no mechanism", &m_unscannable, "x@us.example", "2025-06-01",
	 HOLD, R(NO_TRANSFER_MECHANISM), "us-partner", "red-all"},
	{"unscannable, own domain", &m_unscannable, "soc@ncsc.nl", "2024-03-01", DELIVER,
	 R(OWN_DOMAIN), NULL, ""},
};

/* "a,b" of the decision's used bases. */
static void bases_text(const struct decision *d, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < decision_basis_count(d); i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? "," : "",
				      decision_basis(d, i)->id);
}

/* "a b c" of a reason set. */
static void reasons_text(unsigned set, char *buf, size_t size)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int r = 0; r < REASON_COUNT; r++)
		if (set & (1u << r))
			o += (size_t)snprintf(buf + o, size - o, "%s%s", o ? " " : "",
					      policy_reason_name((enum policy_reason)r));
}

/* The explanation never carries an address of the message. */
static void assert_no_addresses(const char *name, const struct msg *m, const char *explain)
{
	for (size_t i = 0; i < MAX_IPS && m->ips[i].addr != NULL; i++)
		if (strstr(explain, m->ips[i].addr) != NULL)
			fail_msg("%s: explanation lists %s: %s", name, m->ips[i].addr, explain);
	if (m->prefix != NULL && strstr(explain, m->prefix) != NULL)
		fail_msg("%s: explanation lists %s", name, m->prefix);
}

static void test_decision_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
		const struct row *r = &rows[i];
		struct policy_options o;
		policy_options_default(&o);
		o.public_is_personal = !r->personal_off;
		struct findings *f = build(r->msg);
		struct decision *d = policy_decide(reg, f, r->rcpt, day(r->date), &o);
		assert_non_null(d);
		unsigned got = 0;
		for (size_t j = 0; j < decision_reason_count(d); j++)
			got |= 1u << decision_reason(d, j);
		char gs[256], ws[256], gb[128];
		reasons_text(got, gs, sizeof gs);
		reasons_text(r->reasons, ws, sizeof ws);
		if (got != r->reasons || decision_verdict(d) != r->verdict)
			fail_msg("%s: got %s [%s], want %s [%s]\n  %s", r->name,
				 policy_verdict_name(decision_verdict(d)), gs,
				 policy_verdict_name(r->verdict), ws, decision_explain(d));
		const struct registry_party *p = decision_party(d);
		assert_str_eq_msg(r->name, p ? p->id : NULL, r->party);
		bases_text(d, gb, sizeof gb);
		assert_str_eq_msg(r->name, gb, r->bases);
		assert_int_eq_msg(r->name, decision_date(d), day(r->date));
		const char *x = decision_explain(d);
		assert_non_null(x);
		const char *lead = r->verdict == DELIVER ? "Delivered to " : "Held for ";
		if (strncmp(x, lead, strlen(lead)) != 0)
			fail_msg("%s: got \"%s\", want it to start with \"%s\"", r->name, x, lead);
		if (p != NULL && got != R(NO_REGULATED_DATA) && strstr(x, p->name) == NULL)
			fail_msg("%s: got \"%s\", want the party name %s", r->name, x, p->name);
		assert_no_addresses(r->name, r->msg, x);
		decision_free(d);
		findings_free(f);
	}
}

/* ---- sentences ------------------------------------------------------------ */

struct sentence_row {
	const char *name;
	const struct msg *msg;
	const char *rcpt;
	const char *date;
	const char *want;
};

static const struct sentence_row sentences[] = {
	{"no basis + transfer", &m_jp, "Info@JPCERT.or.jp", "2024-03-01",
	 "Held for info@jpcert.or.jp: JPCERT/CC (third-country-csirt, JP) has no legal basis "
	 "valid on 2024-03-01 for provider-traceable and personal data; it is in JP, outside the "
	 "EEA on 2024-03-01, and has no transfer mechanism valid then for personal data."},
	{"mismatch", &m_mixed, "cert@cert.be", "2024-03-01",
	 "Held for cert@cert.be: CERT.be (eu-csirt, BE) may receive under Wbni art. 20(2) "
	 "(wbni-eu, regime wbni) only addresses in its constituency, and 3 of 4 public addresses "
	 "are outside it (JP: 2, US: 1)."},
	{"geo unknown", &m_nogeo, "cert@cert.be", "2024-03-01",
	 "Held for cert@cert.be: CERT.be (eu-csirt, BE) cannot be checked against its "
	 "constituency (Wbni art. 20(2) (wbni-eu, regime wbni)) for 1 public address or network "
	 "with no known country and no ASN or prefix match."},
	{"expired", &m_be, "x@cert.at", "2026-08-15",
	 "Held for x@cert.at: CERT.at (eu-csirt, DE) has for provider-traceable and personal data "
	 "only Wbni art. 20(2) (wbni-eu, regime wbni), which ceased to apply on 2026-08-15."},
	{"not yet + no basis", &m_nl, "x@ccrt.example", "2024-03-01",
	 "Held for x@ccrt.example: CCRT (nl-designated-ccrt, NL) has no legal basis valid on "
	 "2024-03-01 for personal data; it has for provider-traceable data only Wbni art. 3(2) "
	 "(future, regime wbni), which applies from 2025-01-01."},
	{"not yet", &m_tlp_green, "x@ccrt.example", "2019-12-31",
	 "Held for x@ccrt.example: CCRT (nl-designated-ccrt, NL) has for incident data only Wbni "
	 "art. 3(2) (narrow, regime wbni), which applies from 2020-01-01."},
	{"RED to a domain", &m_red_only, "boss@intel.example", "2024-03-01",
	 "Held for boss@intel.example: Intel (nl-intel-service, NL) may receive TLP:RED only at "
	 "an address named in the registry, and this recipient matched a domain entry."},
	{"RED over ceiling", &m_be_red, "cert@cert.be", "2024-03-01",
	 "Held for cert@cert.be: CERT.be (eu-csirt, BE) may not receive TLP:RED under Wbni art. "
	 "20(2) (wbni-eu, regime wbni), whose ceiling is TLP:AMBER+STRICT."},
	{"unscannable", &m_unscannable, "cert@cert.be", "2024-03-01",
	 "Held for cert@cert.be: CERT.be (eu-csirt, BE) has no legal basis valid on 2024-03-01 "
	 "that permits every category, which unscannable content requires."},
	{"unknown", &m_be, "x@nowhere.example", "2024-03-01",
	 "Held for x@nowhere.example: no party in the registry matches this recipient, and the "
	 "message carries provider-traceable and personal data."},
	{"invalid", &m_be, "bad\taddress", "2024-03-01",
	 "Held for bad?address: this is not a valid mail address, so no party matches, and the "
	 "message carries provider-traceable and personal data."},
	{"deliver", &m_be_amber, "cert@cert.be", "2024-03-01",
	 "Delivered to cert@cert.be: CERT.be (eu-csirt, BE) may receive provider-traceable, "
	 "incident and personal data on 2024-03-01 under Wbni art. 20(2) (wbni-eu, regime wbni); "
	 "TLP:AMBER is within its ceiling; all 2 public addresses are in its constituency; BE is "
	 "in the EEA on 2024-03-01."},
	{"deliver with transfer", &m_be, "x@us.example", "2024-06-01",
	 "Delivered to x@us.example: US partner (other, US) may receive provider-traceable and "
	 "personal data on 2024-06-01 under Wbni art. 20(2) (red-all, regime wbni); personal data "
	 "leave the EEA under transfer mechanism art46 (agreement 2024)."},
	{"own", &m_be, "soc@ncsc.nl", "2024-03-01",
	 "Delivered to soc@ncsc.nl: ncsc.nl is an own domain (internal recipient); the message "
	 "carries provider-traceable and personal data."},
	{"nothing", &m_private, "x@nowhere.example", "2024-03-01",
	 "Delivered to x@nowhere.example: the message carries no provider-traceable, incident, "
	 "personal or unscannable data."},
};

static void test_sentences(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sentences); i++) {
		const struct sentence_row *s = &sentences[i];
		struct findings *f = build(s->msg);
		struct decision *d = policy_decide(reg, f, s->rcpt, day(s->date), NULL);
		assert_non_null(d);
		assert_str_eq_msg(s->name, decision_explain(d), s->want);
		decision_free(d);
		findings_free(f);
	}
}

/* ---- accessors and evidence -------------------------------------------------- */

static void test_countries_and_accessors(void **state)
{
	(void)state;
	struct findings *f = build(&m_mixed);
	struct decision *d = policy_decide(reg, f, "<CERT@cert.be>", day("2024-03-01"), NULL);
	assert_non_null(d);
	assert_str_eq_msg("recipient", decision_recipient(d), "<CERT@cert.be>");
	assert_str_eq_msg("address", decision_address(d), "cert@cert.be");
	assert_int_eq_msg("match", decision_match(d), MATCH_ADDRESS);
	assert_false(decision_own_domain(d));
	assert_int_eq_msg("outside", decision_outside_count(d), 3);
	assert_int_eq_msg("unknown", decision_geo_unknown_count(d), 0);
	assert_int_eq_msg("countries", decision_country_count(d), 2);
	uint32_t n = 0;
	assert_str_eq_msg("country 0", decision_country(d, 0, &n), "JP");
	assert_int_eq_msg("JP count", n, 2);
	assert_str_eq_msg("country 1", decision_country(d, 1, &n), "US");
	assert_int_eq_msg("US count", n, 1);
	assert_null(decision_country(d, 2, &n));
	assert_true(decision_has_reason(d, REASON_CONSTITUENCY_MISMATCH));
	assert_false(decision_has_reason(d, REASON_NO_BASIS));
	assert_int_eq_msg("reason past end", decision_reason(d, 5), REASON_COUNT);
	assert_null(decision_basis(d, 0));
	unsigned cats = decision_categories(d);
	assert_true(cats & CAT_PROVIDER_TRACEABLE);
	assert_true(cats & CAT_PERSONAL_DATA);
	assert_int_eq_msg("tlp", decision_tlp(d), TLP_NONE);
	decision_free(d);
	findings_free(f);

	/* no findings at all: nothing regulated */
	d = policy_decide(reg, NULL, "x@jpcert.or.jp", day("2024-03-01"), NULL);
	assert_non_null(d);
	assert_int_eq_msg("null findings", decision_verdict(d), VERDICT_DELIVER);
	decision_free(d);
	decision_free(NULL);
}

/* A decision keeps its registry snapshot alive after the owner lets go. */
static void test_snapshot_lifetime(void **state)
{
	(void)state;
	struct registry_errors *e = NULL;
	struct registry *r = registry_load_buffer("snap", policy_yaml, sizeof policy_yaml - 1, &e);
	registry_errors_free(e);
	assert_non_null(r);
	struct findings *f = build(&m_be);
	struct decision *d = policy_decide(r, f, "cert@cert.be", day("2024-03-01"), NULL);
	registry_unref(r);	/* the "reload": the old snapshot is released */
	assert_str_eq_msg("party after unref", decision_party(d)->name, "CERT.be");
	assert_str_eq_msg("basis after unref", decision_basis(d, 0)->article, "Wbni art. 20(2)");
	decision_free(d);
	findings_free(f);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const want[REASON_COUNT] = {
		"unknown-party", "no-basis", "basis-not-yet-valid", "basis-expired", "tlp-exceeds",
		"no-transfer-mechanism", "constituency-mismatch", "geo-unknown", "unscannable",
		"reader-unknown", "reader-anonymous", "reader-not-addressed", "reader-shared-key",
		"reader-expired", "no-usable-key", "no-regulated-data", "own-domain",
		"unsealable"};
	for (int r = 0; r < REASON_COUNT; r++) {
		assert_str_eq_msg(want[r], policy_reason_name((enum policy_reason)r), want[r]);
		assert_int_eq_msg(want[r], policy_reason_is_hold((enum policy_reason)r),
				  r < REASON_NO_REGULATED_DATA || r == REASON_UNSEALABLE);
	}
	assert_str_eq_msg("deliver", policy_verdict_name(VERDICT_DELIVER), "deliver");
	assert_str_eq_msg("hold", policy_verdict_name(VERDICT_HOLD), "hold");
}

/* ---- the sample registry on the COATHANGER recipients -------------------------- */

static void test_sample_coathanger(void **state)
{
	(void)state;
	static const struct {
		const struct msg *msg;
		const char *rcpt, *date;
		enum policy_verdict verdict;
		unsigned must;		/* reasons that must be present */
	} cases[] = {
		{&m_be, "cert@cert.be", "2024-03-01", DELIVER, 0},
		{&m_be, "cert@cert.be", "2026-08-15", DELIVER, 0},
		{&m_jp, "cert@cert.be", "2024-03-01", HOLD, R(CONSTITUENCY_MISMATCH)},
		{&m_be, "info@jpcert.or.jp", "2024-03-01", HOLD, R(NO_BASIS)},
		{&m_be, "info@ncsc.gov.uk", "2024-03-01", HOLD, R(NO_BASIS)},
		{&m_be, "info@cisa.gov", "2024-03-01", HOLD, R(NO_BASIS) | R(NO_TRANSFER_MECHANISM)},
		{&m_be, "info@us-cert.gov", "2024-03-01", HOLD, R(NO_BASIS)},
		{&m_be, "contact@cyber.gc.ca", "2024-03-01", HOLD, R(NO_BASIS)},
		{&m_be_red, "info@cert.be", "2024-03-01", HOLD, R(TLP_EXCEEDS)},
		{&m_nl, "cert@surf.nl", "2024-03-01", DELIVER, 0},
		{&m_nl, "soc@ncsc.nl", "2024-03-01", DELIVER, R(OWN_DOMAIN)},
		{&m_be, "x@cert.europa.eu", "2024-03-01", HOLD, R(NO_BASIS)},
	};
	struct registry_errors *e = NULL;
	struct registry *r = registry_load("conf/registry.sample.yaml", &e);
	if (r == NULL)
		fail_msg("sample: %s", registry_errors_get(e, 0));
	registry_errors_free(e);
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct findings *f = build(cases[i].msg);
		struct decision *d = policy_decide(r, f, cases[i].rcpt, day(cases[i].date), NULL);
		assert_non_null(d);
		char name[128];
		snprintf(name, sizeof name, "%s on %s", cases[i].rcpt, cases[i].date);
		if (decision_verdict(d) != cases[i].verdict)
			fail_msg("%s: got %s, want %s: %s", name,
				 policy_verdict_name(decision_verdict(d)),
				 policy_verdict_name(cases[i].verdict), decision_explain(d));
		for (int k = 0; k < REASON_COUNT; k++)
			if ((cases[i].must & (1u << k)) && !decision_has_reason(d, (enum policy_reason)k))
				fail_msg("%s: got \"%s\", want reason %s", name, decision_explain(d),
					 policy_reason_name((enum policy_reason)k));
		decision_free(d);
		findings_free(f);
	}
	registry_unref(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_sentences),
		cmocka_unit_test(test_countries_and_accessors),
		cmocka_unit_test(test_snapshot_lifetime),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_sample_coathanger),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
