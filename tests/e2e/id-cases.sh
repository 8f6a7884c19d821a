# tests/e2e/id-cases.sh - incident data beyond addresses through a real
# MTA and grondslag-milter with the sample registry (sourced after lib.sh
# and milter-cases.sh, whose setup it reuses): the COATHANGER decision for
# a stealer-log CSV of credentials and for a list of compromised firewall
# hostnames.
#   id_messages    the messages, into $E2E_RUN/msg/
#   id_cases MTA SINK
# Credentials go to CERT.be (its EU-CSIRT basis names them) and are held
# for JPCERT/CC (no basis); Japanese hostnames are held for both (CERT.be:
# constituency-mismatch by .jp, JPCERT/CC: no basis); Belgian hostnames
# reach CERT.be.  No address, host or secret reaches a log or a notice.

id_messages() {
	"$E2E_PY" - "$E2E_RUN/msg" <<'PY'
import base64, sys
d = sys.argv[1]
rows = ["email,password,source"] + [
    "ambtenaar%02d@minbzk.nl,SeCrEt%04d!x,redline" % (i, i * 37) for i in range(1, 61)]
csv = ("\n".join(rows) + "\n").encode()
open(d + "/creds.eml", "w").write(
    "From: Sender <sender@ncsc.nl>\nSubject: stealer log\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\nContent-Type: text/plain\n\n"
    "Attached the accounts we found.\n--b1\nContent-Type: text/csv; name=\"creds.csv\"\n"
    "Content-Disposition: attachment; filename=\"creds.csv\"\n"
    "Content-Transfer-Encoding: base64\n\n%s--b1--\n" % base64.encodebytes(csv).decode())
def hosts(name, tld):
    body = "The following firewalls were accessed:\n\n" + "".join(
        "fw%02d.example-corp%d.%s\n" % (i, i % 4, tld) for i in range(1, 31)) + "\nRegards\n"
    open(d + "/" + name, "w").write(
        "From: Sender <sender@ncsc.nl>\nSubject: compromised firewalls\n\n" + body)
hosts("hosts-jp.eml", "jp")
hosts("hosts-be.eml", "be")
PY
}

# True when the store holds at least $1 holds.
id_holds_at_least() {
	[ "$(mc_sql "select count(*) from holds")" -ge "$1" ]
}

id_cases() {
	MTA=$1
	SINK=$2
	LOG=$E2E_RUN/milter/out
	e2e_check "$MTA: identifier messages built" id_messages || return
	base=$(e2e_sink_count "$SINK")
	holds=$(mc_sql "select count(*) from holds")
	# 1. Credentials: CERT.be receives them, JPCERT/CC does not.
	mc_send "$MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/creds.eml" 250
	e2e_check "$MTA: CERT.be's copy of the credentials arrived" e2e_wait_sink "$SINK" $((base + 1))
	e2e_is "$(mc_last_rcpts "$SINK")" "cert@cert.be " "$MTA: only CERT.be received the credentials"
	e2e_check "$MTA: delivered under the EU-CSIRT basis" mc_last_header "$SINK" \
		'^X-Grondslag: partial; held=1; ref=G'
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient='<info@jpcert.or.jp>' and reasons like '%no-basis%'")" 1 \
		"$MTA: JPCERT/CC held for the credentials (no-basis)"
	# categories is the mask: personal-data 8, credentials 16
	e2e_is "$(mc_sql "select count(*) from holds where categories & 24 = 24")" 1 \
		"$MTA: the hold names personal-data and credentials"
	# 2. Japanese firewalls by hostname: held for both.
	mc_send "$MTA" cert@cert.be,info@jpcert.or.jp "$E2E_RUN/msg/hosts-jp.eml" 250
	e2e_check "$MTA: the hostname list held for everyone" e2e_wait_until 20 "hold" \
		id_holds_at_least $((holds + 2))
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient='<cert@cert.be>' and reasons='constituency-mismatch'")" 1 \
		"$MTA: CERT.be held for the Japanese hostnames (constituency-mismatch)"
	e2e_is "$(mc_sql "select count(*) from hold_recipients where recipient='<info@jpcert.or.jp>' and reasons like '%no-basis%'")" 2 \
		"$MTA: JPCERT/CC held for the hostnames too (no-basis)"
	# 3. Belgian firewalls by hostname to CERT.be: delivered.
	mc_send "$MTA" cert@cert.be "$E2E_RUN/msg/hosts-be.eml" 250
	e2e_check "$MTA: the Belgian hostname list arrived" e2e_wait_sink "$SINK" $((base + 2))
	e2e_check "$MTA: ... delivered as provider-traceable" mc_last_header "$SINK" \
		'^X-Grondslag: deliver;'
	# Counts only, never values.
	e2e_check "$MTA: no address, host or secret in the milter log" \
		sh -c "! grep -qiE 'SeCrEt|ambtenaar|example-corp' '$LOG'"
	e2e_check "$MTA: no address, host or secret in a notice" \
		sh -c "! cat '$E2E_RUN/notices/dump'/* 2>/dev/null | grep -qiE 'SeCrEt|ambtenaar|example-corp'"
}
