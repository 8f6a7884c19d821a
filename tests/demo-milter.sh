#!/bin/sh
# tests/demo-milter.sh - make demo with the daemon: a private Postfix,
# smtp-sink as the far side and grondslag-milter with the sample registry
# and the DEFAULT geo data (/var/lib/grondslag/geo, contrib/geo-install.sh),
# a few example mails, then what was delivered and what was held; every
# process is stopped at the end.  Addresses used (placed by the default
# data): 194.7.1.10 (BE), 133.1.2.3 (JP), 8.8.8.8 (US).
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh
e2e_init demo-milter
GEO=/var/lib/grondslag/geo
[ -s "$GEO/country.mmdb" ] || sh contrib/geo-install.sh >/dev/null 2>&1
D=$E2E_RUN/milter
E2E_MILTER_GEO=$GEO e2e_milter_conf "$D" "unix:$D/milter.sock" "$D/store.db" "SocketMode 0666"
e2e_sink_start sink >/dev/null 2>&1 || exit 1
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$D/grondslag.conf"
e2e_wait_until 15 "milter socket" test -S "$D/milter.sock" || { cat "$D/out"; exit 1; }
E2E_SMTPD_MILTERS=unix:$D/milter.sock e2e_postfix_start pf sink >/dev/null 2>&1 || exit 1

send() {	# subject, recipients, body
	printf '== %s\n   to: %s\n' "$1" "$2"
	e2e_send pf sender@ncsc.nl "$2" "$3" --header "Subject: $1"
	echo "   MTA answered: $(e2e_reply_code)"
}
send "COATHANGER: Belgian systems" "cert@cert.be,info@jpcert.or.jp,central@cisa.gov" \
	"Systems in your constituency: 194.7.1.10 194.7.2.20 194.7.3.30"
send "COATHANGER: Japanese systems to CERT.be" "cert@cert.be" "133.1.2.3 133.4.5.6"
send "Lunch" "info@jpcert.or.jp" "No addresses in this one."
send "For our own SOC" "soc@ncsc.nl" "8.8.8.8 and 194.7.1.10"
e2e_wait_until 20 "deliveries" e2e_sent_has pf 3 >/dev/null 2>&1
sleep 1
echo
echo "== delivered (smtp-sink): envelope recipient, X-Grondslag header"
for f in "$E2E_RUN/sink/dump"/*; do
	[ -f "$f" ] || continue
	printf '   %-22s %s\n' "$(e2e_sink_rcpts sink "$f" | tr '\n' ' ')" \
		"$(sed -n 's/^X-Grondslag: //p' "$f" | head -n 1)"
done
echo
echo "== held (store): reference, recipient, reasons"
"$E2E_PY" - "$D/store.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for ref, rcpt, reasons, expl in c.execute(
        "select ref, recipient, reasons, explanation from hold_recipients order by id"):
    print("   %s %-22s %s\n      %s" % (ref, rcpt, reasons, expl))
PY
echo
echo "== milter log (counts and reason codes only)"
grep -E 'verdict=' "$D/out" | sed 's/^.*\]: info: /   /'
E2E_DONE=1
e2e_cleanup >/dev/null 2>&1
