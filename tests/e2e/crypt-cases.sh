# tests/e2e/crypt-cases.sh - encrypted mail through grondslag-milter, shared
# by t-crypt.sh (Postfix) and t-crypt-sendmail.sh (sourced after lib.sh and
# milter-cases.sh, with CR set to the suite's directory): who can read it,
# decided from the readers its packets and envelopes name and the
# certificates in the registry.  Keys are made in a throwaway GnuPG home
# (an expired one at a faked time), S/MIME certificates with openssl, v6
# PKESK packets by the test (Debian 12's GnuPG writes none).  Right key,
# own key, S/MIME and v6 to the right party are delivered; a wrong party's
# key, an anonymous recipient, an expired key, a shared key and an unknown
# key to a party with certificates are held with their reason; an unknown
# key to a party without certificates passes on today's rule.
#
#   cr_start MTA   everything up to the MTA ("pf" or "sm") in front of the milter
#   cr_cases       the decisions

# The keys, certificates and ciphertexts into $CR.
cr_keys() {
	mkdir -p "$CR/g" && chmod 700 "$CR/g" && cd "$CR" || return 1
	G="gpg --homedir $CR/g --batch --quiet --pinentry-mode loopback --passphrase= --trust-model always"
	key() {
		$G $3 --quick-gen-key "$1" ed25519 cert "$2" &&
			F=$($G --with-colons --list-keys "$1" | awk -F: '/^fpr/{print $10; exit}') &&
			$G $3 --quick-add-key "$F" cv25519 encr "$2"
	}
	key 'CERT BE <cert@cert.be>' 2y && key 'CERT AT <cert@cert.at>' 2y &&
		key 'Stranger <x@stranger.example>' 2y && key 'Staff <staff@ncsc.nl>' 2y &&
		key 'FIRST teams <teams@first.example>' 2y &&
		key 'Old BE <old@cert.be>' 1y --faked-system-time=20200101T000000 || return 1
	key 'CERT DE <cert@cert.de>' 2y || return 1
	for k in cert@cert.be cert@cert.at staff@ncsc.nl teams@first.example old@cert.be \
		cert@cert.de; do
		$G --export --armor $k >$k.asc || return 1
	done
	# the escrow key: secret only in the daemon's home, public in g
	mkdir -p "$CR/escrow" && chmod 700 "$CR/escrow" || return 1
	E="gpg --homedir $CR/escrow --batch --quiet --pinentry-mode loopback --passphrase="
	$E --quick-gen-key 'Escrow <escrow@ncsc.nl>' ed25519 cert 2y &&
		ESCROW=$($E --with-colons --list-keys escrow@ncsc.nl | awk -F: '/^fpr/{print $10; exit}') &&
		$E --quick-add-key "$ESCROW" cv25519 encr 2y &&
		$E --export --armor escrow@ncsc.nl >escrow@ncsc.nl.asc &&
		$G --import escrow@ncsc.nl.asc 2>/dev/null &&
		echo "$ESCROW" >escrow.fpr || return 1
	# PGP/MIME plaintext: a MIME entity
	entity() { printf 'Content-Type: text/plain; charset=us-ascii\n\n%s\n' "$1"; }
	IPS=$(printf '133.1.2.%s\n' 1 2 3 4 5 6 7 8 9 10)
	CREDS=$(i=0; printf 'email,password\n'; while [ $i -lt 30 ]; do
		printf 'user%s@mail.example.jp,Pa55w0rd%s\n' $i $i; i=$((i + 1)); done)
	encm() { _o=$1; _b=$2; shift 2; entity "$_b" | $G --armor --encrypt "$@" >"$_o.pgp"; }
	encm escrow-ips "$IPS" -r cert@cert.de -r escrow@ncsc.nl &&
		encm sealed-ips "$IPS" -r cert@cert.de &&
		encm escrow-creds "$CREDS" -r cert@cert.de -r escrow@ncsc.nl &&
		encm escrow-wrong "$IPS" -r cert@cert.de -r cert@cert.at -r escrow@ncsc.nl &&
		encm escrow-clean 'Meeting on Tuesday.' -r cert@cert.at -r escrow@ncsc.nl || return 1
	# inline armour in a text body (*.inl: the body is built around it)
	printf '%s\n' "$IPS" | $G --armor --encrypt -r cert@cert.de -r escrow@ncsc.nl >escrow-inline.inl &&
		printf '%s\n' "$IPS" | $G --armor --encrypt -r cert@cert.de >sealed-inline.inl || return 1
	enc() { _o=$1; shift; printf 'secret list\n' | $G --armor --encrypt "$@" >"$_o.pgp"; }
	enc right -r cert@cert.be && enc self -r cert@cert.be -r staff@ncsc.nl &&
		enc wrong -r cert@cert.at && enc unknown -r x@stranger.example &&
		enc anon --throw-keyids -r cert@cert.be &&
		enc shared -r cert@cert.be -r teams@first.example &&
		enc expired --faked-system-time=20200601T000000 -r old@cert.be || return 1
	S="-days 3650 -nodes -newkey rsa:2048 -x509"
	openssl req $S -keyout be.key -out be-smime.pem -subj /CN=cert.be 2>/dev/null &&
		printf 'secret list\n' | openssl cms -encrypt -aes256 be-smime.pem >smime.part &&
		gpgconf --homedir "$CR/g" --kill gpg-agent
	_rc=$?
	cd "$E2E_TOP" || return 1
	return $_rc
}

# The messages (PGP/MIME around each ciphertext, the S/MIME entity, v6
# PKESKs to the RFC 9580 sample v6 key and to nobody) into $CR/*.eml.
cr_messages() {
	"$E2E_PY" - "$CR" <<'PY'
import base64, glob, os, sys
d = sys.argv[1]
head = "From: Sender <sender@ncsc.nl>\nSubject: %s\nMIME-Version: 1.0\n"
def pgp_mime(name, armour):
    open("%s/%s.eml" % (d, name), "w").write(
        head % name + "Content-Type: multipart/encrypted; "
        "protocol=\"application/pgp-encrypted\"; boundary=\"B\"\n\n--B\n"
        "Content-Type: application/pgp-encrypted\n\nVersion: 1\n\n--B\n"
        "Content-Type: application/octet-stream\n\n%s\n--B--\n" % armour)
for f in glob.glob(d + "/*.pgp"):
    pgp_mime(os.path.basename(f)[:-4], open(f).read())
for f in glob.glob(d + "/*.inl"):
    name = os.path.basename(f)[:-4]
    open("%s/%s.eml" % (d, name), "w").write(
        head % name + "Content-Type: text/plain\n\nHello,\n\nthe list:\n\n%s\nRegards\n"
        % open(f).read())
open(d + "/smime.eml", "w").write(
    "From: Sender <sender@ncsc.nl>\nSubject: smime\n" + open(d + "/smime.part").read())
def v6(fpr):
    b = bytes.fromhex(fpr)
    body = bytes([6, len(b) + 1 if b else 0]) + (bytes([6]) + b if b else b"")
    body += bytes([25]) + b"\x42" * 32 + bytes([16]) + b"\x17" * 16
    pkt = bytes([0xc1, len(body)]) + body + bytes([0xd2, 8, 2, 9, 3, 6, 1, 2, 3, 4])
    return ("-----BEGIN PGP MESSAGE-----\n\n%s\n-----END PGP MESSAGE-----"
            % base64.b64encode(pkt).decode())
pgp_mime("v6-at", v6("12C83F1E706F6308FE151A417743A1F033790E93E9978488D1DB378DA9930885"))
pgp_mime("v6-anon", v6(""))
PY
}

# "{file: F, sha256: HEX}" for a file in $CR, named relative to the registry.
cr_pin() {
	printf '{file: %s, sha256: %s}' "$1" "$(sha256sum "$CR/$1" | cut -c1-64)"
}

cr_registry() {
	cat <<REG
version: 1
own_domains: [ncsc.nl]
own_keys: [$(cr_pin staff@ncsc.nl.asc), $(cr_pin escrow@ncsc.nl.asc)]
shared_keys: [$(cr_pin teams@first.example.asc)]
eea:
  - {country: BE, valid_from: 1994-01-01}
  - {country: AT, valid_from: 1994-01-01}
  - {country: FR, valid_from: 1994-01-01}
  - {country: DE, valid_from: 1994-01-01}
regimes:
  - {id: wbni, name: Wbni, valid_from: 2018-11-09}
bases:
  - {id: all, regime: wbni, article: "Wbni art. 20(2)", approved_by: e2e,
     permits: [provider-traceable, incident, personal-data, credentials, unscannable], tlp_max: RED}
  - {id: lists, regime: wbni, article: "Wbni art. 20(2)", approved_by: e2e,
     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}
parties:
  - id: cert-be
    name: CERT.be
    type: eu-csirt
    jurisdiction: BE
    domains: [cert.be]
    bases: [all]
    keys: [$(cr_pin cert@cert.be.asc), $(cr_pin old@cert.be.asc)]
    certificates: [$(cr_pin be-smime.pem)]
  - id: cert-at
    name: CERT.at
    type: eu-csirt
    jurisdiction: AT
    domains: [cert.at]
    bases: [all]
    keys:
      - $(cr_pin cert@cert.at.asc)
      - |
        -----BEGIN PGP PUBLIC KEY BLOCK-----

        xioGY4d/4xsAAAAg+U2nu0jWCmHlZ3BqZYfQMxmZu52JGggkLq2EVD34laPCsQYf
        GwoAAABCBYJjh3/jAwsJBwUVCg4IDAIWAAKbAwIeCSIhBssYbE8GCaaX5NUt+mxy
        KwwfHifBilZwj2Ul7Ce62azJBScJAgcCAAAAAK0oIBA+LX0ifsDm185Ecds2v8lw
        gyU2kCcUmKfvBXbAf6rhRYWzuQOwEn7E/aLwIwRaLsdry0+VcallHhSu4RN6HWaE
        QsiPlR4zxP/TP7mhfVEe7XWPxtnMUMtf15OyA51YBM4qBmOHf+MZAAAAIIaTJINn
        +eUBXbki+PSAld2nhJh/LVmFsS+60WyvXkQ1wpsGGBsKAAAALAWCY4d/4wKbDCIh
        BssYbE8GCaaX5NUt+mxyKwwfHifBilZwj2Ul7Ce62azJAAAAAAQBIKbpGG2dWTX8
        j+VjFM21J0hqWlEg+bdiojWnKfA5AQpWUWtnNwDEM0g12vYxoWM8Y81W+bHBw805
        I8kWVkXU6vFOi+HWvv/ira7ofJu16NnoUkhclkUrk0mXubZvyl4GBg==
        -----END PGP PUBLIC KEY BLOCK-----
  - id: cert-de
    name: CERT-Bund
    type: eu-csirt
    jurisdiction: DE
    domains: [cert.de]
    bases: [lists]
    keys: [$(cr_pin cert@cert.de.asc)]
  - id: cert-fr
    name: CERT-FR
    type: eu-csirt
    jurisdiction: FR
    domains: [cert.fr]
    bases: [all]
REG
}

# cr_start MTA: keys, messages, registry, sinks and the milter, then the
# MTA in front of it: "pf" (Postfix, the milter on a unix socket) or "sm"
# (Sendmail with F=T over TCP, as the other Sendmail suites).
cr_start() {
	CR_MTA=$1
	if [ "$1" = pf ]; then
		SOCK=$CR/milter.sock
		set -- pf "unix:$SOCK"
	else
		PORT=$(e2e_pick_port) || e2e_done
		set -- sm "inet:$PORT@127.0.0.1"
	fi
	MC_BIN=$E2E_BUILD/grondslag-milter
	MC_DIR=$CR
	e2e_check "grondslag-milter is built" test -x "$MC_BIN" || e2e_done
	e2e_check "keys, certificates and ciphertexts made" cr_keys || e2e_done
	e2e_check "messages built" cr_messages || e2e_done
	cr_registry >"$CR/registry.yaml"
	e2e_check "the registry with keys loads" sh -c "\"$E2E_BUILD/grondslag\" registry check \"$CR/registry.yaml\" |
		grep -q ', 17 keys)'"
	e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
	e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
	e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
	mkdir -p "$CR/spool"
	{
		mc_conf_common "$2"
		printf 'EscrowKey %s\nEscrowGnupgHome %s\n' "$(cat "$CR/escrow.fpr")" "$CR/escrow"
		# the deadline of a decryption (cr_hung_agent), well inside the
		# MTA's own milter timeouts
		printf 'ScanTimeout %s\n' "$CR_SCAN_TIMEOUT"
	} >"$CR/grondslag.conf"
	e2e_check "grondslag store init" e2e_store_init "$CR/grondslag.conf"
	e2e_proc_start milter "$MC_BIN" -f -c "$CR/grondslag.conf"
	if [ "$1" = pf ]; then
		e2e_check "milter socket" e2e_wait_until 15 "milter socket" test -S "$SOCK"
		E2E_SMTPD_MILTERS=$2 e2e_postfix_start pf sink ||
			{ e2e_not_ok "start postfix"; e2e_done; }
	else
		e2e_check "milter listening" e2e_wait_until 15 "milter port" e2e_listening "$PORT"
		E2E_SM_MILTER="S=$2, F=T, T=C:10s;S:30s;R:30s;E:60s" e2e_sendmail_start sm sink ||
			{ e2e_not_ok "start sendmail"; e2e_done; }
	fi
}

CR_SCAN_TIMEOUT=12
DELIVERED=0
# cr_deliver RCPT MSG: accepted and arrives at the sink for RCPT.
cr_deliver() {
	mc_send "$CR_MTA" "$1" "$CR/$2.eml" 250
	DELIVERED=$((DELIVERED + 1))
	e2e_check "$2 to $1: delivered" e2e_wait_sink sink $DELIVERED
	e2e_is "$(mc_last_rcpts sink)" "$1 " "$2 to $1: the copy went to $1"
}
# cr_hold RCPT MSG REASON: accepted, held with REASON, nothing delivered.
cr_hold() {
	mc_send "$CR_MTA" "$1" "$CR/$2.eml" 250
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where r.recipient='<$1>' and h.subject='$2' and r.reasons like '%$3%'")" 1 \
		"$2 to $1: held with $3"
}

# cr_cases: the decisions through the MTA cr_start started.
cr_cases() {
	cr_deliver cert@cert.be right
	cr_deliver cert@cert.be self
	cr_deliver cert@cert.be smime
	cr_deliver cert@cert.at v6-at
	cr_deliver cert@cert.fr unknown
	cr_hold cert@cert.be wrong reader-not-addressed
	cr_hold cert@cert.be anon reader-anonymous
	cr_hold cert@cert.be expired reader-expired
	cr_hold cert@cert.be shared reader-shared-key
	cr_hold cert@cert.be unknown reader-unknown
	cr_hold cert@cert.be v6-at reader-not-addressed
	cr_hold cert@cert.at v6-anon reader-anonymous
	# the escrow key: content also encrypted to it is decided like
	# plaintext (a list CERT-Bund's basis permits goes, credentials it does
	# not permit are held, as is the same list sealed without the escrow
	# key), and its readers still count where the content is regulated
	# (a clean note readable by another party is no longer a leak)
	cr_deliver cert@cert.de escrow-ips
	cr_deliver cert@cert.be escrow-clean
	cr_hold cert@cert.de sealed-ips unscannable
	cr_hold cert@cert.de escrow-creds no-basis
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where h.subject='escrow-creds' and r.explanation like '%credential data%'")" 1 \
		"escrow-creds: held for the credentials found in the plaintext"
	cr_hold cert@cert.de escrow-wrong reader-not-addressed
	cr_deliver cert@cert.de escrow-inline
	cr_hold cert@cert.de sealed-inline unscannable
	e2e_is "$(mc_sql "select count(*) from audit where event='decrypt'
		and details like '%\"key\":\"$(cat "$CR/escrow.fpr")\"%'")" 5 \
		"each decryption with the escrow key is a record of the chain"
	e2e_is "$(mc_sql "select count(*) from audit where event='decrypt'
		and details like '%\"parts\":1%'")" 5 "the record counts the parts opened"
	# the jurists see who can read it: the explanation and the hold's summary
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where h.subject='wrong' and r.explanation like '%readable by CERT.at (cert-at, openpgp %'")" 1 \
		"the held recipient's explanation names the reader party"
	e2e_is "$(mc_sql "select count(*) from holds where subject='wrong'
		and summary_json like '%\"readers\":\"readable by CERT.at (cert-at%'")" 1 \
		"the hold's summary names the reader party"
	cr_hung_agent
	sleep 1
	e2e_is "$(e2e_sink_count sink)" $DELIVERED "nothing held reached the sink"
}

# cr_hung_agent: the escrow home's gpg-agent stopped (SIGSTOP, as a wedged
# agent): the decryption gives up at the scan's deadline and the message
# is tempfailed (451) with a log line naming the queue id and why, never a
# hang and never a decision on content that could have been read; the
# agent continued, the same message is decided again.
cr_hung_agent() {
	_cr_agent=$(gpg-connect-agent --homedir "$CR/escrow" 'getinfo pid' /bye 2>/dev/null |
		sed -n 's/^D //p')
	if [ -z "$_cr_agent" ] || ! kill -STOP "$_cr_agent"; then
		e2e_not_ok "stopped gpg-agent: the escrow home's agent not found"
		return
	fi
	_cr_t0=$(date +%s)
	mc_send "$CR_MTA" cert@cert.de "$CR/escrow-ips.eml" 451
	_cr_took=$(($(date +%s) - _cr_t0))
	kill -CONT "$_cr_agent"
	e2e_check "stopped gpg-agent: answered in ${_cr_took} s (deadline $CR_SCAN_TIMEOUT s)" \
		[ "$_cr_took" -le $((CR_SCAN_TIMEOUT + 8)) ]
	e2e_check "stopped gpg-agent: logged with the queue id and why" sh -c "grep -F \
		': escrow: 1 sealed part(s) not decrypted: timeout' '$E2E_RUN/milter/out' |
		grep -qv NOQUEUE"
	e2e_check "stopped gpg-agent: tempfail logged" grep -q \
		'verdict=tempfail error="escrow decryption did not finish' "$E2E_RUN/milter/out"
	cr_deliver cert@cert.de escrow-ips
}
