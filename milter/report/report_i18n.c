/*
 * report_i18n.c - the words of the HTML report in Dutch (ReportLanguage
 * nl, --lang nl): a table from the English text to the Dutch, looked up
 * by the writer for every fixed text.  Data (party names, bases, reasons
 * the jurists wrote, reason codes, category names) stays as recorded:
 * codes are the same in both languages, so a report can be compared
 * with the record and the man pages.
 *
 * Public functions (report_priv.h): report_tr(), report_tr_lang().
 */
#include <string.h>

#include "report_priv.h"

static const struct {
	const char *en, *nl;
} words[] = {
	{"grondslag report", "grondslag-rapport"},
	{"Period", "Periode"},
	{"to", "tot"},
	{"(exclusive, UTC)", "(exclusief, UTC)"},
	{"generated", "gemaakt"},
	{"registry", "register"},
	{"none (party ids stand for countries)", "geen (partij-id's staan voor landen)"},
	{"Filter", "Filter"},
	{"party", "partij"},
	{"sender", "afzender"},
	{"basis", "grondslag"},
	{"Senders are pseudonymised (sender-1 is the sender held most often).",
	 "Afzenders zijn gepseudonimiseerd (sender-1 is de afzender die het vaakst is"
	 " tegengehouden)."},
	{"messages held", "berichten tegengehouden"},
	{"held recipients", "tegengehouden ontvangers"},
	{"messages released", "berichten vrijgegeven"},
	{"messages denied", "berichten geweigerd"},
	{"messages expired", "berichten verlopen"},
	{"messages pending", "berichten in behandeling"},
	{"median time to decision", "mediane beslistijd"},
	{"p90 time to decision", "p90 beslistijd"},
	{"recipients outside the organisation shared on a basis",
	 "ontvangers buiten de organisatie, gedeeld op een grondslag"},
	{"public addresses shared", "publieke adressen gedeeld"},
	{"recipients delivered in simulate mode", "ontvangers bezorgd in simulatiemodus"},
	{"recipients inside the organisation (not a share)",
	 "ontvangers binnen de organisatie (geen deling)"},
	{"holds overdue", "tegenhoudingen over tijd"},
	{"holds close to expiry", "tegenhoudingen bijna verlopen"},
	{"Compared with the period before", "Vergeleken met de periode ervoor"},
	{"Figure", "Cijfer"},
	{"This period", "Deze periode"},
	{"Period before", "Periode ervoor"},
	{"Change", "Verschil"},
	{"Messages held", "Berichten tegengehouden"},
	{"Held recipients", "Tegengehouden ontvangers"},
	{"Recipients shared on a basis", "Ontvangers gedeeld op een grondslag"},
	{"Public addresses shared", "Publieke adressen gedeeld"},
	{"Holds per week", "Tegenhoudingen per week"},
	{"Holds per month", "Tegenhoudingen per maand"},
	{"The numbers", "De cijfers"},
	{"Week", "Week"},
	{"Month", "Maand"},
	{"Starts", "Begint"},
	{"Shared", "Gedeeld"},
	{"Held recipients by party", "Tegengehouden ontvangers per partij"},
	{"Party", "Partij"},
	{"Name", "Naam"},
	{"Country", "Land"},
	{"Recipients", "Ontvangers"},
	{"Messages", "Berichten"},
	{"unknown:", "onbekend:"},
	{"none", "geen"},
	{"Held recipients by reason", "Tegengehouden ontvangers per reden"},
	{"Reason", "Reden"},
	{"Countries, data and senders", "Landen, gegevens en afzenders"},
	{"Held recipients by country of the party", "Tegengehouden ontvangers per land van de partij"},
	{"Messages held by data category", "Tegengehouden berichten per gegevenscategorie"},
	{"Category", "Categorie"},
	{"Sender", "Afzender"},
	{"Top senders", "Meest tegengehouden afzenders"},
	{"Repeat patterns", "Herhaalde patronen"},
	{"Senders held this often or more", "Afzenders zo vaak of vaker tegengehouden"},
	{"Parties outside the EEA or unknown held this often or more",
	 "Partijen buiten de EER of onbekend, zo vaak of vaker tegengehouden"},
	{"Who", "Wie"},
	{"Holds", "Tegenhoudingen"},
	{"First", "Eerste"},
	{"Last", "Laatste"},
	{"Register of decisions", "Register van beslissingen"},
	{"Every recipient released in the period with each jurist who approved it, the"
	 " bases named and the justifications; every recipient denied with who denied it"
	 " and why.",
	 "Elke ontvanger die in de periode is vrijgegeven, met elke jurist die instemde, de"
	 " genoemde grondslagen en de motivering; elke geweigerde ontvanger met wie weigerde"
	 " en waarom."},
	{"Decided", "Beslist"},
	{"Hold", "Tegenhouding"},
	{"Outcome", "Uitkomst"},
	{"released", "vrijgegeven"},
	{"denied", "geweigerd"},
	{"Jurists", "Juristen"},
	{"Bases", "Grondslagen"},
	{"Justification", "Motivering"},
	{"No decisions in this period.", "Geen beslissingen in deze periode."},
	{"Open holds overdue or close to expiry", "Open tegenhoudingen over tijd of bijna verlopen"},
	{"Received", "Ontvangen"},
	{"Expires", "Verloopt"},
	{"overdue", "over tijd"},
	{"close to expiry", "bijna verlopen"},
	{"None.", "Geen."},
	{"Transfers outside the EEA by transfer mechanism",
	 "Doorgiften buiten de EER per doorgiftemechanisme"},
	{"Mechanism", "Mechanisme"},
	{"Register lines", "Registerregels"},
	{"Addresses", "Adressen"},
	{"No shares to parties outside the EEA in this period.",
	 "Geen delingen met partijen buiten de EER in deze periode."},
	{"Register of shares", "Register van delingen"},
	{"What regulated data went to which party on which basis, per month; each regime apart.",
	 "Welke gereguleerde gegevens naar welke partij gingen op welke grondslag, per maand;"
	 " elk regime apart."},
	{"No shares in this period and no registry.", "Geen delingen in deze periode en geen register."},
	{"No shares under this regime in the period.", "Geen delingen onder dit regime in de periode."},
	{"Articles", "Artikelen"},
	{"Categories", "Categorieën"},
	{"Shares", "Delingen"},
	{"(own organisation)", "(eigen organisatie)"},
	{"shares", "delingen"},
	{"public addresses", "publieke adressen"},
	{"in simulate mode", "in simulatiemodus"},
	{"simulate mode: delivered although it would have been held.",
	 "simulatiemodus: bezorgd hoewel het zou zijn tegengehouden."},
	{"Only the first lines are shown; the totals count all.",
	 "Alleen de eerste regels staan hier; de totalen tellen alles."},
	{"From the record of grondslag, not from logs. Messages held, senders, categories and"
	 " outcomes count messages; parties, countries and reasons count held recipients;"
	 " shares and decisions count recipients. Outcomes are as of the generation time; the"
	 " time to decision counts holds released or denied by jurists (not expired). Store"
	 " schema",
	 "Uit het register van grondslag, niet uit logbestanden. Tegengehouden berichten,"
	 " afzenders, categorieën en uitkomsten tellen berichten; partijen, landen en redenen"
	 " tellen tegengehouden ontvangers; delingen en beslissingen tellen ontvangers."
	 " Uitkomsten gelden op het moment van maken; de beslistijd telt tegenhoudingen die"
	 " juristen vrijgaven of weigerden (niet verlopen). Opslagschema"},
	{"Audit chain", "Auditketen"},
	{"Status", "Status"},
	{"Records", "Records"},
	{"Head", "Kop"},
	{"Last checkpoint", "Laatste controlepunt"},
	{"verified by this reader (the chain recomputed here, not by the daemon)",
	 "geverifieerd door deze lezer (de keten hier herberekend, niet door de daemon)"},
	{"NOT VERIFIED", "NIET GEVERIFIEERD"},
	{"the audit records could not be read", "de auditrecords konden niet worden gelezen"},
	{"the chain is BROKEN at record", "de keten is GEBROKEN bij record"},
	{"signed checkpoints do not hold", "ondertekende controlepunten kloppen niet"},
	{"of", "van"},
	{"the signed checkpoints are missing (deleted?)",
	 "de ondertekende controlepunten ontbreken (verwijderd?)"},
	{"record", "record"},
	{"signature verified", "handtekening geverifieerd"},
	{"signature NOT valid", "handtekening NIET geldig"},
	{"signature not checked (no AuditSigningKey)",
	 "handtekening niet gecontroleerd (geen AuditSigningKey)"},
	{"none (no AuditSigningKey: the newest records are not anchored)",
	 "geen (geen AuditSigningKey: de nieuwste records zijn niet verankerd)"},
	{"NONE although AuditSigningKey is set", "GEEN hoewel AuditSigningKey is ingesteld"},
	{"The record may have been altered: do not rely on the figures of this report until the"
	 " break is explained.",
	 "Het register kan zijn gewijzigd: vertrouw de cijfers van dit rapport niet totdat de"
	 " breuk is verklaard."},
};

const char *report_tr(const struct report *r, const char *en)
{
	return report_tr_lang(r->nl, en);
}

const char *report_tr_lang(bool nl, const char *en)
{
	if (!nl)
		return en;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i].en, en) == 0)
			return words[i].nl;
	return en;
}
