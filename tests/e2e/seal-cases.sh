# tests/e2e/seal-cases.sh - encryption at the relay, after the decision,
# shared by t-seal.sh (Postfix) and t-seal-sendmail.sh (sourced after
# lib.sh and milter-cases.sh).  The registry's basis "sealed" says
# encrypt: required; CERT.be and CERT.at are on it with their keys,
# "Old" with an expired key only; CERT-FR on a basis without encryption.
# Keys are made in a throwaway GnuPG home ($SL/g, an expired one at a
# faked time); the test decrypts at the sink with the party's secret key.
#
#   sl_start MTA   keys, registry, sinks, jurists, the MTA and the milter
#   sl_cases       the cases
#
# Cases:
#   - a plaintext list to CERT.be leaves PGP/MIME, Subject "...", the
#     real Subject inside as a protected header, encrypted to CERT.be's
#     key alone (its PKESKs), decrypted at the sink to the same content;
#   - Bcc and mixed parties: CERT.be (To) and a second CERT.be address,
#     CERT.at and CERT-FR (Bcc) in one transaction: the recipients of
#     the other groups are answered 452 4.5.3 and sent again by the
#     client; each copy is encrypted to its own party's key only, the
#     CERT-FR copy (no encryption on its basis) is plaintext;
#   - the audit chain's share record of the encrypted copy, and the
#     release-started record of a released one, name the party it was
#     encrypted for and the key's fingerprint;
#   - the outer header of an encrypted copy keeps no Thread-Topic or
#     Keywords (they repeat the subject): inside only;
#   - already encrypted mail is delivered as it came, not encrypted again;
#   - a plaintext list with an inline-armoured .asc attachment is
#     encrypted as a whole (ciphertext inside does not make it encrypted);
#   - the party with an expired key only: held, no-usable-key, nothing
#     delivered; after the registry gives it a new key and two jurists
#     approve, the released copy leaves encrypted to the new key alone;
#   - the same list the sender sealed to the escrow key alone, to that
#     party: held the same way (the escrow key reads the list); released,
#     encrypted to the new key, not left in the sender's encryption;
#   - RelayEncrypt no (a reload): the same list to CERT.be is held as
#     no-usable-key, never sent as plaintext;
#   - with SL_DKIM=1 (Postfix): OpenDKIM signs after grondslag-milter
#     (smtpd_milters in that order); the encrypted copies at the sink,
#     the released one too, carry a DKIM signature that verifies
#     (python3-dkim, the test's key as the DNS answer).
SL_SUBJECT="Compromised hosts in your constituency"
J1=grondslag-sl$$-j1
J2=grondslag-sl$$-j2

sl_keys() {
	mkdir -p "$SL/g" && chmod 700 "$SL/g" || return 1
	G="gpg --homedir $SL/g --batch --quiet --pinentry-mode loopback --passphrase= --trust-model always"
	key() {
		$G $3 --quick-gen-key "$1" ed25519 cert "$2" &&
			_f=$($G --with-colons --list-keys "$1" | awk -F: '/^fpr/{print $10; exit}') &&
			$G $3 --quick-add-key "$_f" cv25519 encr "$2"
	}
	key 'CERT BE <cert@cert.be>' 2y && key 'CERT AT <cert@cert.at>' 2y &&
		key 'Old <old@old.example>' 1y --faked-system-time=20200101T000000 &&
		key 'Old new <new@old.example>' 2y || return 1
	for k in cert@cert.be cert@cert.at old@old.example new@old.example; do
		$G --export --armor $k >"$SL/$k.asc" &&
			$G --with-colons --list-keys $k | awk -F: '/^sub/{print $5}' >"$SL/$k.keyid" ||
			return 1
	done
	# the escrow key: secret only in the daemon's home, public in g
	mkdir -p "$SL/escrow" && chmod 700 "$SL/escrow" || return 1
	_E="gpg --homedir $SL/escrow --batch --quiet --pinentry-mode loopback --passphrase="
	$_E --quick-gen-key 'Escrow <escrow@ncsc.nl>' ed25519 cert 2y &&
		_f=$($_E --with-colons --list-keys escrow@ncsc.nl | awk -F: '/^fpr/{print $10; exit}') &&
		$_E --quick-add-key "$_f" cv25519 encr 2y &&
		$_E --export --armor escrow@ncsc.nl >"$SL/escrow@ncsc.nl.asc" &&
		$G --import "$SL/escrow@ncsc.nl.asc" 2>/dev/null && echo "$_f" >"$SL/escrow.fpr"
}

# The registry; $1 = "new": the Old party also has its new key.
sl_registry() {
	_new=""
	[ "${1:-}" = new ] && _new=", $(cr_pin new@old.example.asc)"
	cat <<REG
version: 1
own_domains: [ncsc.nl]
own_keys: [$(cr_pin escrow@ncsc.nl.asc)]
eea:
  - {country: BE, valid_from: 1994-01-01}
  - {country: AT, valid_from: 1994-01-01}
  - {country: FR, valid_from: 1994-01-01}
  - {country: NL, valid_from: 1994-01-01}
regimes:
  - {id: wbni, name: Wbni, valid_from: 2018-11-09}
bases:
  - {id: sealed, regime: wbni, article: "Wbni art. 20(2)", approved_by: e2e, encrypt: required,
     permits: [provider-traceable, incident, personal-data, credentials, unscannable], tlp_max: RED}
  - {id: lists, regime: wbni, article: "Wbni art. 20(2)", approved_by: e2e,
     permits: [provider-traceable, incident, personal-data], tlp_max: AMBER}
parties:
  - {id: cert-be, name: CERT.be, type: eu-csirt, jurisdiction: BE, domains: [cert.be],
     bases: [sealed], keys: [$(cr_pin cert@cert.be.asc)]}
  - {id: cert-at, name: CERT.at, type: eu-csirt, jurisdiction: AT, domains: [cert.at],
     bases: [sealed], keys: [$(cr_pin cert@cert.at.asc)]}
  - {id: cert-old, name: Old, type: eu-csirt, jurisdiction: NL, domains: [old.example],
     bases: [sealed], keys: [$(cr_pin old@old.example.asc)$_new]}
  - {id: cert-fr, name: CERT-FR, type: eu-csirt, jurisdiction: FR, domains: [cert.fr],
     bases: [lists]}
REG
}

# The messages: the plaintext list (Subject $SL_SUBJECT, To CERT.be),
# the same as "old list", and a list the sender encrypted to CERT.be.
sl_messages() {
	_ips=$(printf '133.1.2.%s\n' 1 2 3 4 5 6 7 8 9 10)
	_hdr='From: Sender <sender@ncsc.nl>\nTo: CERT.be <cert@cert.be>\nDate: Mon, 07 Dec 2026 10:00:00 +0000\n'
	printf "${_hdr}Subject: %s\nThread-Topic: %s\nKeywords: constituency\nMessage-ID: <l1@ncsc.nl>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nHello,\n\nthe list:\n\n%s\n\nRegards\n" \
		"$SL_SUBJECT" "$SL_SUBJECT" "$_ips" >"$SL/list.eml" &&
		sed 's/^Subject: .*/Subject: old list/' "$SL/list.eml" >"$SL/old.eml" &&
		sed 's/^Subject: .*/Subject: not sealed/' "$SL/list.eml" >"$SL/off.eml" || return 1
	_ct=$(printf 'Content-Type: text/plain\n\n%s\n' "$_ips" | $G --armor --encrypt -r cert@cert.be) || return 1
	printf "${_hdr}Subject: sealed by the sender\nMIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"B\"\n\n--B\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--B\nContent-Type: application/octet-stream\n\n%s\n--B--\n" \
		"$_ct" >"$SL/sealed.eml" || return 1
	# the list sealed by the sender to the escrow key alone, to Old
	_ct=$(printf 'Content-Type: text/plain\n\n%s\n' "$_ips" | $G --armor --encrypt -r escrow@ncsc.nl) || return 1
	printf "${_hdr}Subject: escrowed list\nMIME-Version: 1.0\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"B\"\n\n--B\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--B\nContent-Type: application/octet-stream\n\n%s\n--B--\n" \
		"$_ct" >"$SL/escrowed.eml" || return 1
	# a plaintext list with an inline-armoured attachment next to it
	printf "${_hdr}Subject: list and armour\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"M\"\n\n--M\nContent-Type: text/plain\n\n%s\n--M\nContent-Type: application/octet-stream; name=\"list.asc\"\nContent-Disposition: attachment; filename=\"list.asc\"\n\n%s\n--M--\n" \
		"$_ips" "$_ct" >"$SL/mixed.eml"
}

# OpenDKIM signing for ncsc.nl (selector e2e) on $SL/dkim.sock, with a
# key made now; its public half in $SL/dkim.pub (the TXT record's p=).
sl_dkim_start() {
	openssl genrsa -out "$SL/dkim.key" 2048 2>/dev/null &&
		openssl rsa -in "$SL/dkim.key" -pubout -outform DER 2>/dev/null | base64 -w0 >"$SL/dkim.pub" ||
		return 1
	cat >"$SL/opendkim.conf" <<CONF
Syslog no
Mode s
Domain ncsc.nl
Selector e2e
KeyFile $SL/dkim.key
Socket local:$SL/dkim.sock
Background no
Canonicalization relaxed/simple
InternalHosts 127.0.0.1
RequireSafeKeys no
UMask 000
PidFile $SL/opendkim.pid
CONF
	e2e_proc_start dkim opendkim -f -x "$SL/opendkim.conf"
	e2e_wait_until 15 "opendkim socket" test -S "$SL/dkim.sock"
}

# Does the DKIM signature of dump $1 verify?  "ok", or why not.
sl_dkim_verify() {
	"$E2E_PY" - "$1" "$SL/dkim.pub" <<'PY'
import sys
import dkim
data = open(sys.argv[1], "rb").read()
pub = open(sys.argv[2]).read().strip()
def dns(name, timeout=5):
    return ("v=DKIM1; k=rsa; p=%s" % pub).encode() if name == b"e2e._domainkey.ncsc.nl." else None
if b"\nDKIM-Signature:" not in data.replace(b"\r\n", b"\n"):
    print("no signature")
else:
    print("ok" if dkim.verify(data, dnsfunc=dns) else "does not verify")
PY
}

# sl_start MTA: "pf" (Postfix, unix socket) or "sm" (Sendmail, inet).
sl_start() {
	SL_MTA=$1
	SL=$E2E_RUN/seal
	MC_DIR=$SL
	CR=$SL	# cr_pin (crypt-cases.sh) names files in $CR
	mkdir -p "$SL/spool"
	trap '_sl_rc=$?; mc_users_del $J1 $J2; gpgconf --homedir "$SL/g" --kill gpg-agent 2>/dev/null; gpgconf --homedir "$SL/escrow" --kill gpg-agent 2>/dev/null; (exit $_sl_rc); e2e_cleanup' EXIT
	mc_users_add $J1 $J2
	CTL=$SL/control.sock
	e2e_check "grondslag-milter is built" test -x "$E2E_BUILD/grondslag-milter" || e2e_done
	e2e_check "keys made" sl_keys || e2e_done
	e2e_check "messages built" sl_messages || e2e_done
	sl_registry >"$SL/registry.yaml"
	e2e_check "the registry with encrypt: required loads" \
		"$E2E_BUILD/grondslag" registry check "$SL/registry.yaml"
	e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
	e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
	e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
	if [ "$1" = pf ]; then
		SOCK=$SL/milter.sock
		set -- pf "unix:$SOCK"
		_milters=$2
		if [ "${SL_DKIM:-}" = 1 ]; then
			e2e_check "opendkim started" sl_dkim_start || e2e_done
			_milters="$2 unix:$SL/dkim.sock"
		fi
		E2E_SMTPD_MILTERS=$_milters e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }
	else
		PORT=$(e2e_pick_port) || e2e_done
		set -- sm "inet:$PORT@127.0.0.1"
		E2E_SM_MILTER="S=$2, F=T, T=C:10s;S:30s;R:30s;E:60s" e2e_sendmail_start sm sink ||
			{ e2e_not_ok "start sendmail"; e2e_done; }
	fi
	{
		mc_conf_common "$2"
		cat <<CONF
ControlSocket $CTL
Jurist $J1 j1@ncsc.nl
Jurist $J2 j2@ncsc.nl
ReleaseApprovals 2
ReleaseRelay 127.0.0.1:$(e2e_port "$SL_MTA")
ReleaseRetry 1
ReleaseKeyFile $SL/release.key
EscrowKey $(cat "$SL/escrow.fpr")
EscrowGnupgHome $SL/escrow
CONF
	} >"$SL/grondslag.conf"
	e2e_check "grondslag store init" e2e_store_init "$SL/grondslag.conf"
	e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$SL/grondslag.conf"
	e2e_check "milter started" e2e_wait_until 15 "milter started" grep -q ": notice: started (pid" \
		"$E2E_RUN/milter/out"
}

# Flush Sendmail's queue (it may queue under load); Postfix delivers itself.
sl_flush() {
	[ "$SL_MTA" = sm ] || return 0
	sleep 0.5
	e2e_sendmail "$SL_MTA" -OQueueLA=999 -ORefuseLA=999 -q >/dev/null 2>&1
}

# The newest dump of the sink whose envelope recipients are $1 (sorted,
# space-separated): its path.
sl_dump_for() {
	for _f in $(ls -t "$E2E_RUN/sink/dump"/* 2>/dev/null); do
		[ "$(e2e_sink_rcpts sink "$_f" | tr '\n' ' ')" = "$1 " ] && { echo "$_f"; return 0; }
	done
	return 1
}

# The key ids the PGP/MIME dump $1 is encrypted to (sorted, one a line).
sl_pkesk() {
	sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$1" | tr -d '\r' |
		$G --list-packets 2>/dev/null | sed -n 's/^:pubkey enc packet:.* keyid \([0-9A-F]*\).*/\1/p' |
		sort
}

# Decrypt dump $1 with the secret keys and compare: the inner entity
# carries protected-headers="v1" and Subject $3, and its one part's body
# is the body of message file $2.  Prints "ok" or what differs.
sl_decrypts_to() {
	_p=$SL/$(basename "$1").plain
	sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$1" | tr -d '\r' |
		$G --decrypt >"$_p" 2>/dev/null || { echo "no decryption"; return; }
	"$E2E_PY" - "$_p" "$2" "$3" <<'PY'
import email, email.policy, sys
inner = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.compat32)
orig = open(sys.argv[2], "rb").read().replace(b"\r\n", b"\n")
body = orig.split(b"\n\n", 1)[1]
if inner.get_param("protected-headers") != "v1":
    print("no protected-headers=v1"); sys.exit()
if inner["Subject"] != sys.argv[3]:
    print("protected Subject %r" % inner["Subject"]); sys.exit()
parts = inner.get_payload()
got = parts[0].get_payload(decode=True).replace(b"\r\n", b"\n")
# the SMTP client may end the data with one more line end
print("ok" if got.rstrip(b"\n") == body.rstrip(b"\n") else "content differs: %r" % got[:200])
PY
}

# The header field $2 (name) of dump $1, unfolded.
sl_field() {
	sed '/^\r*$/q' "$1" | tr -d '\r' | awk -v n="$2:" 'tolower($1)==tolower(n){sub(/^[^:]*: */,""); print; exit}'
}

# Send $2 through the MTA to recipients $3... with smtp-send.py; the
# RCPT replies in SL_OUT ("rcpt code" lines).
sl_send() {
	_m=$1
	shift
	SL_OUT=$("$E2E_PY" tests/e2e/smtp-send.py "$(e2e_port "$SL_MTA")" sender@ncsc.nl "$_m" "$@" 2>&1)
	sl_flush
}

# The RCPT reply codes of the last sl_send, in the order of its recipients.
sl_codes() {
	printf '%s\n' "$SL_OUT" | awk '$1=="RCPT"{printf "%s%s", s, $2; s=" "}'
}

# The newest dump of the sink with Subject $1.
sl_dump_subject() {
	for _f in $(ls -t "$E2E_RUN/sink/dump"/* 2>/dev/null); do
		[ "$(sl_field "$_f" Subject)" = "$1" ] && { echo "$_f"; return 0; }
	done
	return 1
}

sl_cases() {
	BE=$(cat "$SL/cert@cert.be.keyid")
	AT=$(cat "$SL/cert@cert.at.keyid")
	NEW=$(cat "$SL/new@old.example.keyid")
	# 1. a list to CERT.be leaves encrypted to CERT.be's key alone
	mc_send "$SL_MTA" cert@cert.be "$SL/list.eml" 250
	e2e_check "list to CERT.be: delivered" e2e_wait_sink sink 1
	D=$(sl_dump_for "cert@cert.be")
	e2e_is "$(sl_field "$D" Content-Type | cut -d';' -f1)" "multipart/encrypted" \
		"list to CERT.be: PGP/MIME at the sink"
	e2e_is "$(sl_field "$D" Subject)" "..." "list to CERT.be: the outer Subject is the placeholder"
	e2e_check "list to CERT.be: no address of the list in clear" sh -c "! grep -q '133\\.1\\.2' '$D'"
	e2e_is "$(sl_field "$D" Thread-Topic)" "" "list to CERT.be: no Thread-Topic in the outer header"
	e2e_check "list to CERT.be: the subject's words nowhere in the outer header" \
		sh -c "! sed '/^\\r*\$/q' '$D' | grep -qi 'constituency'"
	e2e_is "$(sl_pkesk "$D")" "$BE" "list to CERT.be: encrypted to CERT.be's key alone"
	e2e_is "$(sl_decrypts_to "$D" "$SL/list.eml" "$SL_SUBJECT")" ok \
		"list to CERT.be: decrypted with CERT.be's key, the same content and Subject"
	e2e_check "list to CERT.be: milter log says encrypted" grep -q "encrypted for party=cert-be" \
		"$E2E_RUN/milter/out"
	_fpr=$($G --with-colons --list-keys cert@cert.be | awk -F: '/^fpr/{print $10; exit}')
	e2e_is "$(mc_sql "select count(*) from audit where event='share'
		and details like '%<cert@cert.be>%' and details like '%encrypted_for%cert-be%'
		and details like '%$_fpr%'")" 1 \
		"list to CERT.be: the audit record says encrypted_for=cert-be and the key's fingerprint"
	[ "${SL_DKIM:-}" != 1 ] ||
		e2e_is "$(sl_dkim_verify "$D")" ok "list to CERT.be: signed by OpenDKIM after encryption, verifies"
	# 2. Bcc and mixed parties: one party per transaction, each its own key
	sl_send "$SL/list.eml" cert@cert.be soc@cert.be cert@cert.at x@cert.fr
	e2e_is "$(sl_codes)" "250 250 452 452" "mixed: CERT.be's recipients taken, the other parties 452 4.5.3"
	sl_send "$SL/list.eml" cert@cert.at x@cert.fr
	e2e_is "$(sl_codes)" "250 452" "mixed: CERT.at next, CERT-FR 452 again"
	sl_send "$SL/list.eml" x@cert.fr
	e2e_is "$(sl_codes)" 250 "mixed: CERT-FR in its own transaction"
	e2e_check "mixed: three copies delivered" e2e_wait_sink sink 4
	D=$(sl_dump_for "cert@cert.be soc@cert.be")
	e2e_is "$(sl_pkesk "$D")" "$BE" "mixed: CERT.be's copy (To and Bcc) encrypted to CERT.be's key alone"
	D=$(sl_dump_for "cert@cert.at")
	e2e_is "$(sl_pkesk "$D")" "$AT" "mixed: the Bcc CERT.at's copy encrypted to CERT.at's key alone"
	e2e_is "$(sl_decrypts_to "$D" "$SL/list.eml" "$SL_SUBJECT")" ok "mixed: CERT.at decrypts its copy"
	D=$(sl_dump_for "x@cert.fr")
	e2e_check "mixed: CERT-FR's copy (no encryption on its basis) is the plaintext" \
		grep -q '133\.1\.2\.10' "$D"
	e2e_is "$(sl_field "$D" Subject)" "$SL_SUBJECT" "mixed: CERT-FR's copy keeps its Subject"
	# 3. already encrypted: as it came
	mc_send "$SL_MTA" cert@cert.be "$SL/sealed.eml" 250
	e2e_check "sealed by the sender: delivered" e2e_wait_sink sink 5
	D=$(sl_dump_subject "sealed by the sender")
	e2e_check "sealed by the sender: not encrypted again (its Subject kept)" test -n "$D"
	e2e_check "sealed by the sender: the sender's ciphertext unchanged" \
		grep -q "$(sed -n '/^-----BEGIN PGP MESSAGE/{n;n;p;q}' "$SL/sealed.eml")" "$D"
	e2e_is "$(sl_pkesk "$D")" "$BE" "sealed by the sender: its own single ciphertext"
	# 3b. a plaintext list next to an armoured attachment: encrypted as a whole
	mc_send "$SL_MTA" cert@cert.be "$SL/mixed.eml" 250
	e2e_check "list and armour: delivered" e2e_wait_sink sink 6
	D=$(sl_dump_for "cert@cert.be")
	e2e_is "$(sl_field "$D" Content-Type | cut -d';' -f1)" "multipart/encrypted" \
		"list and armour: PGP/MIME at the sink"
	e2e_check "list and armour: no address of the list in clear" sh -c "! grep -q '133\\.1\\.2' '$D'"
	e2e_is "$(sl_pkesk "$D")" "$BE" "list and armour: encrypted to CERT.be's key"
	# 4. an expired key: held, no-usable-key; released later, encrypted
	mc_send "$SL_MTA" cert@old.example "$SL/old.eml" 250
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where r.recipient='<cert@old.example>' and h.subject='old list'
		and r.reasons like '%no-usable-key%'")" 1 "expired key: held with no-usable-key"
	REF=$(mc_sql "select ref from holds where subject='old list'")
	# 4b. the same list the sender sealed to the escrow key alone: the
	# escrow key reads the list, so it is held the same way, and its
	# release is encrypted to the party's key, never left in the sender's
	# encryption (the releaser judges as the milter: what was read counts)
	mc_send "$SL_MTA" cert@old.example "$SL/escrowed.eml" 250
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where r.recipient='<cert@old.example>' and h.subject='escrowed list'
		and r.reasons like '%no-usable-key%'")" 1 "escrowed list: held with no-usable-key"
	EREF=$(mc_sql "select ref from holds where subject='escrowed list'")
	sl_registry new >"$SL/registry.yaml"
	kill -HUP "$(cat "$SL/milter.pid")"
	e2e_check "registry with Old's new key reloaded" e2e_wait_until 15 "reloaded" \
		grep -q ': reloaded: snapshot 2' "$E2E_RUN/milter/out"
	mc_cli $J1 approve "$REF" --reason "new key registered"
	e2e_is "$?" 0 "j1 approves the held list"
	mc_cli $J2 approve "$REF" --reason "agreed"
	e2e_is "$?" 0 "j2 approves the held list"
	sl_flush
	e2e_check "released: delivered" e2e_wait_sink sink 7 40
	e2e_check "released: the releaser encrypted it" grep -q "release: encrypted for party=cert-old" \
		"$E2E_RUN/milter/out"
	D=$(sl_dump_for "cert@old.example")
	e2e_check "released: the released copy" sh -c "sed '/^\\r*\$/q' '$D' | grep -q '^X-Grondslag-Released: $REF'"
	e2e_is "$(sl_field "$D" Content-Type | cut -d';' -f1)" "multipart/encrypted" \
		"released: PGP/MIME at the sink"
	e2e_is "$(sl_pkesk "$D")" "$NEW" "released: encrypted to the party's usable key alone"
	_fpr=$($G --with-colons --list-keys new@old.example | awk -F: '/^fpr/{print $10; exit}')
	e2e_is "$(mc_sql "select count(*) from audit where event='release-started' and ref='$REF'
		and details like '%encrypted_for%cert-old%' and details like '%$_fpr%'")" 1 \
		"released: the release-started record says encrypted_for=cert-old and the key's fingerprint"
	e2e_is "$(sl_decrypts_to "$D" "$SL/old.eml" "old list")" ok "released: decrypted, the same content"
	mc_cli $J1 approve "$EREF" --reason "new key registered" &&
		mc_cli $J2 approve "$EREF" --reason "agreed"
	e2e_is "$?" 0 "escrowed list: approved by two jurists"
	sl_flush
	e2e_check "escrowed list released: delivered" e2e_wait_sink sink 8 40
	D=$(sl_dump_for "cert@old.example")
	e2e_check "escrowed list released: the released copy" \
		sh -c "sed '/^\\r*\$/q' '$D' | grep -q '^X-Grondslag-Released: $EREF'"
	e2e_is "$(sl_pkesk "$D")" "$NEW" \
		"escrowed list released: encrypted to the party's key, not left to the escrow key"
	[ "${SL_DKIM:-}" != 1 ] ||
		e2e_is "$(sl_dkim_verify "$D")" ok "released: the encrypted copy's DKIM signature verifies"
	# 5. RelayEncrypt no: held, never plaintext
	echo "RelayEncrypt no" >>"$SL/grondslag.conf"
	kill -HUP "$(cat "$SL/milter.pid")"
	e2e_check "RelayEncrypt no reloaded" e2e_wait_until 15 "reloaded" \
		grep -q ': reloaded: snapshot 3' "$E2E_RUN/milter/out"
	mc_send "$SL_MTA" cert@cert.be "$SL/off.eml" 250
	e2e_is "$(mc_sql "select count(*) from hold_recipients r join holds h using (ref)
		where h.subject='not sealed' and r.reasons like '%no-usable-key%'")" 1 \
		"RelayEncrypt no: held as no-usable-key"
	sleep 1
	e2e_is "$(e2e_sink_count sink)" 8 "nothing held reached the sink"
	e2e_check "no address of a list in the milter log" sh -c "! grep -q '133\\.1\\.2' '$E2E_RUN/milter/out'"
}
