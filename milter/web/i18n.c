/*
 * i18n.c - the console's two languages: English, and Dutch for a browser
 * that prefers it (Accept-Language).  The language is chosen once per
 * request by the thread serving it (one thread per connection), and every
 * text of ours goes through web_tr(): a text without a Dutch line stays
 * English, as do the daemon's own words (its refusals, its sentences).
 *
 * Public functions: web_lang_of(), web_lang_set(), web_lang(), web_tr().
 * Limits: Accept-Language is read up to its first 32 entries.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

static _Thread_local const char *current = "en";

static const struct {
	const char *en, *nl;
} dutch[] = {
	{"Queue", "Wachtrij"},
	{"none", "geen"},
	{"Signed in as", "Aangemeld als"},
	{"Refused", "Geweigerd"},
	{"Not found", "Niet gevonden"},
	{"Bad request", "Ongeldig verzoek"},
	{"Error", "Fout"},
	{"out of memory", "geheugen vol"},
	{"The daemon did not answer", "De daemon antwoordde niet"},
	{"the page could not be made (out of memory or too large)",
	 "de pagina kon niet worden gemaakt (geheugen vol of te groot)"},
	{"Open holds", "Openstaande bewaringen"},
	{"Party", "Partij"},
	{"Reason code", "Redencode"},
	{"Sender", "Afzender"},
	{"Filter", "Filteren"},
	{"All", "Alle"},
	{"open hold", "openstaande bewaring"},
	{"open holds", "openstaande bewaringen"},
	{", soonest expiry first.", ", wat het eerst verloopt bovenaan."},
	{"Your note", "Uw notitie"},
	{"Your comment", "Uw opmerking"},
	{"Your question", "Uw vraag"},
	{"Your justification", "Uw motivering"},
	{"Pages of the queue", "Pagina's van de wachtrij"},
	{"Holds", "Bewaringen"},
	{"page", "pagina"},
	{"First", "Eerste"},
	{"Previous", "Vorige"},
	{"Next", "Volgende"},
	{"Last", "Laatste"},
	{"Reference", "Referentie"},
	{"Subject", "Onderwerp"},
	{"Parties", "Partijen"},
	{"Reasons", "Redenen"},
	{"Categories", "Categorie\xc3\xabn"},
	/* the data categories, by the names the CLI and the registry use */
	{"provider-traceable", "herleidbaar tot een aanbieder"},
	{"incident", "incidentgegevens"},
	{"unscannable", "niet te scannen"},
	{"personal-data", "persoonsgegevens"},
	{"credentials", "inloggegevens"},
	{"unknown bits", "onbekende bits"},
	/* the overview (page_overview.c) */
	{"Overview", "Overzicht"},
	{"waiting for a first approval", "wachten op een eerste goedkeuring"},
	{"waiting for a second jurist", "wachten op een tweede jurist"},
	{"being released", "worden vrijgegeven"},
	{"Expiring soon", "Verlopen binnenkort"},
	{"Past their expiry", "Over hun vervaldatum"},
	{"Release failures", "Mislukte vrijgaven"},
	{"Oldest open hold", "Oudste openstaande bewaring"},
	{"Expiring soon: within", "Verlopen binnenkort: binnen"},
	{"days (ExpiryWarning).", "dagen (ExpiryWarning)."},
	{"Attempts", "Pogingen"},
	{"Last reply of the relay", "Laatste antwoord van de relay"},
	/* case handling (page_case.c, the queue's Case column) */
	{"Case", "Zaak"},
	{"held by", "in behandeling bij"},
	{"unclaimed", "niet opgepakt"},
	{"advice pending from", "advies gevraagd aan"},
	{"waiting", "wacht"},
	{"Held by", "In behandeling bij"},
	{"since", "sinds"},
	{"Nobody has claimed this case.", "Niemand heeft deze zaak opgepakt."},
	{"Advice asked of", "Advies gevraagd aan"},
	{"Colleague", "Collega"},
	{"choose a jurist", "kies een jurist"},
	{"Note for the colleague (required)", "Notitie voor de collega (verplicht)"},
	{"Comment (no decision; answers advice asked of you)",
	 "Opmerking (geen besluit; beantwoordt advies dat u gevraagd is)"},
	{"Question (required)", "Vraag (verplicht)"},
	{"Claim this case", "Deze zaak oppakken"},
	{"Take this case over", "Deze zaak overnemen"},
	{"Hand over", "Overdragen"},
	{"Add the comment", "Opmerking toevoegen"},
	{"Ask for advice", "Advies vragen"},
	{"Recorded", "Vastgelegd"},
	{"You claimed the case of hold", "U hebt de zaak opgepakt van bewaring"},
	{"You handed over the case of hold", "U hebt de zaak overgedragen van bewaring"},
	{"Your comment is recorded on hold", "Uw opmerking is vastgelegd bij bewaring"},
	{"Your request for advice is recorded on hold",
	 "Uw adviesvraag is vastgelegd bij bewaring"},
	{"Addresses", "Adressen"},
	{"Countries", "Landen"},
	{"Approvals", "Goedkeuringen"},
	{"Expires on", "Verloopt op"},
	{"Time left", "Resterende tijd"},
	{"of", "van"},
	{"withheld (content: jurists only)", "achtergehouden (inhoud: alleen juristen)"},
	{"unknown filter: use party, reason, sender, urgent or sort",
	 "onbekend filter: gebruik party, reason, sender, urgent of sort"},
	{"urgent takes 1, sort takes urgent or expiry",
	 "urgent neemt 1, sort neemt urgent of expiry"},
	/* senders and urgent reviews (page_queue.c, page_case.c) */
	{"My held mail", "Mijn tegengehouden mail"},
	{"Your held mail", "Uw tegengehouden mail"},
	{"Only holds of mail you sent are listed. Open one to see where it stands or to ask for "
	 "an urgent review.",
	 "Alleen bewaringen van mail die u verstuurde staan hier. Open er een om te zien hoe het "
	 "ervoor staat of om een spoedbeoordeling te vragen."},
	{"urgent only", "alleen spoed"},
	{"Sort", "Sorteren"},
	{"soonest expiry first", "wat het eerst verloopt bovenaan"},
	{"urgent first", "spoed bovenaan"},
	{"urgent", "spoed"},
	{"URGENT", "SPOED"},
	{"asked", "gevraagd"},
	{"ago", "geleden"},
	{", urgent first (longest waiting first).", ", spoed bovenaan (langst wachtend eerst)."},
	{"no urgent review asked", "geen spoedbeoordeling gevraagd"},
	{"Urgent review", "Spoedbeoordeling"},
	{"Urgent review asked", "Spoedbeoordeling gevraagd"},
	{"If this message cannot wait, ask the jurists for an urgent review and say why. They are "
	 "told at once; a release still needs the approval of two jurists.",
	 "Kan dit bericht niet wachten, vraag de juristen dan om een spoedbeoordeling en zeg "
	 "waarom. Zij krijgen direct bericht; vrijgeven vraagt nog steeds de goedkeuring van twee "
	 "juristen."},
	{"No urgent review was asked.", "Er is geen spoedbeoordeling gevraagd."},
	{"Why it is urgent (required; the jurists are told at once)",
	 "Waarom het spoed heeft (verplicht; de juristen krijgen direct bericht)"},
	{"Ask for an urgent review", "Spoedbeoordeling vragen"},
	{"Your request for an urgent review is recorded on hold",
	 "Uw verzoek om spoedbeoordeling is vastgelegd bij bewaring"},
	{"The jurists are told by mail now. A release still needs the approval of two jurists.",
	 "De juristen krijgen nu bericht per mail. Vrijgeven vraagt nog steeds de goedkeuring van "
	 "twee juristen."},
	{"choose claim, handover, comment, advice or urgent",
	 "kies claim, handover, comment, advice of urgent"},
	{"State", "Status"},
	{"Sender (SMTP AUTH)", "Afzender (SMTP AUTH)"},
	{"Received", "Ontvangen"},
	{"Found", "Gevonden"},
	{"public addresses", "publieke adressen"},
	{"networks", "netwerken"},
	{"Recipients", "Ontvangers"},
	{"Recipient", "Ontvanger"},
	{"Decision", "Beslissing"},
	{"Reason codes", "Redencodes"},
	{"Findings by attachment", "Bevindingen per bijlage"},
	{"Part", "Deel"},
	{"File name", "Bestandsnaam"},
	{"Type", "Type"},
	{"Scanned", "Gescand"},
	{"Why not", "Waarom niet"},
	{"withheld", "achtergehouden"},
	{"Findings by country", "Bevindingen per land"},
	{"History", "Geschiedenis"},
	{"Read the message: headers, body and attachments as text (jurists; recorded)",
	 "Het bericht lezen: kopregels, tekst en bijlagen als tekst (juristen; wordt vastgelegd)"},
	{"Message of hold", "Bericht van bewaring"},
	{"Back to the hold", "Terug naar de bewaring"},
	{"The message as the scanner read it, shown as text: nothing in it is run or opened. "
	 "Each page you open is recorded.",
	 "Het bericht zoals de scanner het las, getoond als tekst: niets erin wordt uitgevoerd of "
	 "geopend. Elke pagina die u opent wordt vastgelegd."},
	{"Headers", "Kopregels"},
	{"Records of this hold in the audit chain", "Vastleggingen van deze bewaring in de auditketen"},
	{"the daemon could not read them", "de daemon kon ze niet lezen"},
	{"older records not shown (grondslag audit export has them)",
	 "oudere vastleggingen niet getoond (grondslag audit export heeft ze)"},
	{"No.", "Nr."},
	{"Time", "Tijd"},
	{"Event", "Gebeurtenis"},
	{"Who", "Wie"},
	{"Role", "Rol"},
	{"Details", "Details"},
	{"Parts", "Delen"},
	{"bytes", "bytes"},
	{"bytes of text", "bytes tekst"},
	{"not read:", "niet gelezen:"},
	{"Text of part", "Tekst van deel"},
	{"Bytes", "Bytes"},
	{"of", "van"},
	{"Previous page", "Vorige pagina"},
	{"Next page", "Volgende pagina"},
	{"held", "vastgehouden"},
	{"approved for", "goedgekeurd voor"},
	{"by", "door"},
	{"basis", "grondslag"},
	{"delivered to", "afgeleverd aan"},
	{"release failed, attempts:", "vrijgave mislukt, pogingen:"},
	{"No recipient of this hold is waiting for a decision.",
	 "Geen ontvanger van deze bewaring wacht op een beslissing."},
	{"Decide", "Beslissen"},
	{"all still open (to approve: those held; to deny: those not being released)",
	 "alle nog open (goedkeuren: de vastgehouden; weigeren: die niet al worden vrijgegeven)"},
	{"Approve", "Goedkeuren"},
	{"Deny", "Weigeren"},
	{"Legal basis (to approve)", "Wettelijke grondslag (bij goedkeuren)"},
	{"choose a basis", "kies een grondslag"},
	{"Justification (required; a denial's reaches the sender)",
	 "Motivering (verplicht; bij een weigering leest de afzender die)"},
	{"Review the decision", "Beslissing controleren"},
	{"Decide all", "Beslis over alle"},
	{"matching holds (the recipients of this party still held)",
	 "passende bewaringen (de ontvangers van deze partij die nog bewaard worden)"},
	{"You approved", "U keurde goed:"},
	{"You denied", "U weigerde:"},
	{"You are about to approve", "U gaat goedkeuren:"},
	{"You are about to deny", "U gaat weigeren:"},
	{"You asked to approve", "U vroeg goed te keuren:"},
	{"You asked to deny", "U vroeg te weigeren:"},
	{"recipient of", "ontvanger van"},
	{"recipients of", "ontvangers van"},
	{"hold of party", "bewaring van partij"},
	{"holds of party", "bewaringen van partij"},
	{"with reason code", "met redencode"},
	{"Only recipients still held and of this party change; nothing else of these holds.",
	 "Alleen ontvangers van deze partij die nog bewaard worden veranderen; verder niets "
	 "aan deze bewaringen."},
	{"More holds match than one decision covers: only those listed change. Decide again "
	 "for the rest.",
	 "Er passen meer bewaringen dan een enkele beslissing omvat: alleen de getoonde veranderen. "
	 "Beslis opnieuw voor de rest."},
	{"What happens next", "Wat er daarna gebeurt"},
	{"not decided:", "niet beslist:"},
	{"will not be decided:", "wordt niet beslist:"},
	{"denied; the sender is told your justification",
	 "geweigerd; de afzender krijgt uw motivering"},
	{"denied; the sender will be told your justification",
	 "geweigerd; de afzender zal uw motivering krijgen"},
	{"released now (being delivered)", "nu vrijgegeven (wordt bezorgd)"},
	{"released now (delivered at once)", "nu vrijgegeven (direct bezorgd)"},
	{"waiting for a second jurist", "wacht op een tweede jurist"},
	{"Approve all listed", "Alle getoonde goedkeuren"},
	{"Deny all listed", "Alle getoonde weigeren"},
	{"Approved in bulk", "Samen goedgekeurd"},
	{"Denied in bulk", "Samen geweigerd"},
	{"Partly approved in bulk", "Samen goedgekeurd, niet alles"},
	{"Partly denied in bulk", "Samen geweigerd, niet alles"},
	{"Not every hold could be decided:", "Niet elke bewaring kon worden beslist:"},
	{"hold decided,", "bewaring beslist,"},
	{"holds decided,", "bewaringen beslist,"},
	{"hold not.", "bewaring niet."},
	{"holds not.", "bewaringen niet."},
	{"The table says which, with the daemon's reason. Nothing of a hold not decided changed: "
	 "decide it again from the queue.",
	 "De tabel zegt welke, met de reden van de daemon. Aan een bewaring die niet is beslist "
	 "veranderde niets: beslis haar opnieuw vanuit de wachtrij."},
	{"Confirm the bulk approval", "Bevestig de goedkeuring van alle"},
	{"Confirm the bulk denial", "Bevestig de weigering van alle"},
	{"Hold", "Bewaring"},
	{"this is not a hold reference", "dit is geen referentie van een bewaring"},
	{"choose approve or deny", "kies goedkeuren of weigeren"},
	{"choose the recipients (or all of them)", "kies de ontvangers (of allemaal)"},
	{"choose either all recipients or named ones, not both",
	 "kies alle ontvangers of bepaalde, niet allebei"},
	{"a justification is required", "een motivering is verplicht"},
	{"choose the legal basis of the approval", "kies de wettelijke grondslag van de goedkeuring"},
	{"recipient will never receive this message. The sender is told your justification:",
	 "ontvanger krijgt dit bericht nooit. De afzender leest uw motivering:"},
	{"recipients will never receive this message. The sender is told your justification:",
	 "ontvangers krijgen dit bericht nooit. De afzender leest uw motivering:"},
	{"recipient would never receive this message. The sender will be told your "
	 "justification:",
	 "ontvanger zou dit bericht nooit krijgen. De afzender zou uw motivering lezen:"},
	{"recipients would never receive this message. The sender will be told your "
	 "justification:",
	 "ontvangers zouden dit bericht nooit krijgen. De afzender zou uw motivering lezen:"},
	{"Released now:", "Nu vrijgegeven:"},
	{"recipient has all", "ontvanger heeft alle"},
	{"recipients have all", "ontvangers hebben alle"},
	{"recipient will have all", "ontvanger krijgt alle"},
	{"recipients will have all", "ontvangers krijgen alle"},
	{"approvals; the message is being delivered to them at once.",
	 "goedkeuringen; het bericht wordt hun meteen bezorgd."},
	{"approvals; the message will be delivered to them at once.",
	 "goedkeuringen; het bericht wordt hun dan meteen bezorgd."},
	{"other waits for a second jurist.", "andere wacht op een tweede jurist."},
	{"others wait for a second jurist.", "andere wachten op een tweede jurist."},
	{"Waiting for a second jurist: your approval is recorded; nothing is released until",
	 "Wacht op een tweede jurist: uw goedkeuring is vastgelegd; er wordt niets vrijgegeven "
	 "tot"},
	{"Waiting for a second jurist: your approval will be recorded; nothing is released until",
	 "Wacht op een tweede jurist: uw goedkeuring wordt vastgelegd; er wordt niets vrijgegeven "
	 "tot"},
	{"jurists have approved.", "juristen hebben goedgekeurd."},
	{"Approved", "Goedgekeurd"},
	{"Denied", "Geweigerd"},
	{"Confirm the approval", "Goedkeuring bevestigen"},
	{"Confirm the denial", "Weigering bevestigen"},
	{"You approved hold", "Goedgekeurd: bewaring"},
	{"You denied hold", "Geweigerd: bewaring"},
	{"You are about to approve hold", "U gaat goedkeuren: bewaring"},
	{"You are about to deny hold", "U gaat weigeren: bewaring"},
	{"for these recipients:", "voor deze ontvangers:"},
	{"Legal basis:", "Wettelijke grondslag:"},
	{"Justification:", "Motivering:"},
	{"The hold is now", "De bewaring is nu"},
	{"Back to the queue", "Terug naar de wachtrij"},
	{"Cancel", "Annuleren"},
	{"No access", "Geen toegang"},
	{"no client certificate: sign in with your certificate",
	 "geen clientcertificaat: meld u aan met uw certificaat"},
	{"the client certificate is not valid here", "het clientcertificaat is hier niet geldig"},
	{"the client certificate cannot be read", "het clientcertificaat is onleesbaar"},
	{"this certificate is mapped to nobody (WebCertificateMap)",
	 "dit certificaat hoort bij niemand (WebCertificateMap)"},
	{"a form from another origin (or without an Origin header) is refused",
	 "een formulier van een andere herkomst (of zonder Origin-header) wordt geweigerd"},
	{"a cross-site request is refused", "een verzoek van een andere site wordt geweigerd"},
	{"only forms of this console are accepted",
	 "alleen formulieren van deze console worden aangenomen"},
	{"the form's token is missing or wrong (reload the page and try again)",
	 "het token van het formulier ontbreekt of klopt niet (laad de pagina opnieuw)"},
	{"Method not allowed", "Methode niet toegestaan"},
	{"use the links and forms of the console", "gebruik de links en formulieren van de console"},
	{"no such page", "deze pagina bestaat niet"},
	{"Too large", "Te groot"},
	{"the request is too large", "het verzoek is te groot"},
	{"Unavailable", "Niet beschikbaar"},
	{"no session could be made", "er kon geen sessie worden gemaakt"},
};

const char *web_lang_of(const char *header)
{
	/* the highest q among the languages we have; the first on a tie;
	 * "*" and unknown languages do not count; none: English */
	const char *best = "en";
	double best_q = -1;
	const char *p = header;
	for (int n = 0; p != NULL && *p && n < 32; n++) {
		p += strspn(p, " \t,");
		size_t len = strcspn(p, ",");
		size_t tag = strcspn(p, ";, \t");
		double q = 1;
		const char *qs = memchr(p, ';', len);
		if (qs != NULL) {
			const char *eq = strstr(qs, "q=");
			if (eq != NULL && eq < p + len)
				q = strtod(eq + 2, NULL);
		}
		size_t prim = strcspn(p, "-;, \t");
		if (prim > tag)
			prim = tag;
		const char *lang = prim == 2 && strncasecmp(p, "nl", 2) == 0   ? "nl"
				   : prim == 2 && strncasecmp(p, "en", 2) == 0 ? "en"
									       : NULL;
		if (lang != NULL && q > 0 && q > best_q) {
			best = lang;
			best_q = q;
		}
		p += len;
	}
	return best;
}

void web_lang_set(const char *lang)
{
	current = lang != NULL && strcmp(lang, "nl") == 0 ? "nl" : "en";
}

const char *web_lang(void)
{
	return current;
}

const char *web_tr(const char *en)
{
	if (en == NULL || strcmp(current, "nl") != 0)
		return en;
	for (size_t i = 0; i < sizeof dutch / sizeof dutch[0]; i++)
		if (strcmp(dutch[i].en, en) == 0)
			return dutch[i].nl;
	return en;
}
