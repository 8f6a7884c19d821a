#!/bin/sh
# tests/golden/t-registry-cli.sh - "grondslag registry verify" with a real
# GnuPG home and keys made here, the three RegistrySignature modes seen
# through "grondslag check", and "registry import-ti".
set -u
. tests/testlib.sh
W=$B/regcli
rm -rf "$W"
mkdir -p "$W"
# A short home: gpg-agent's socket lives in it.
GH=$(mktemp -d /tmp/gsrc.XXXXXX)
trap 'gpgconf --homedir "$GH" --kill gpg-agent 2>/dev/null; rm -rf "$GH"' EXIT INT TERM
chmod 700 "$GH"
gpg() { command gpg --homedir "$GH" --batch --quiet --no-tty "$@"; }
gpg --passphrase '' --quick-gen-key 'Jurist One <jurist1@ncsc.nl>' future-default sign never 2>/dev/null
gpg --passphrase '' --quick-gen-key 'Someone Else <other@example.org>' future-default sign never 2>/dev/null
FPR1=$(gpg --with-colons --list-keys jurist1@ncsc.nl | awk -F: '/^fpr/ { print $10; exit }')
cp conf/registry.sample.yaml "$W/registry.yaml"
gpg --local-user jurist1@ncsc.nl --armor --detach-sign -o "$W/registry.yaml.asc" "$W/registry.yaml"

conf() {	# conf MODE: a configuration with that signature mode
	cat >"$W/$1.conf" <<CONF
Registry $W/registry.yaml
RegistrySignature $1
RegistrySigner $FPR1
GnuPGHome $GH
GeoCountryDatabase
GeoASNDatabase
CONF
}
conf required
conf optional
conf none

"$BIN" registry verify -c "$W/required.conf" >"$W/v1" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "$FPR1" "$W/v1"; then ok "verify: good signature by a listed signer"
else not_ok "verify: good signature by a listed signer" "rc=$rc $(cat "$W/v1")"; fi

printf '#\n' >>"$W/registry.yaml"
"$BIN" registry verify -c "$W/required.conf" >"$W/v2" 2>&1
rc=$?
if [ $rc = 2 ]; then ok "verify: altered registry refused (exit 2)"
else not_ok "verify: altered registry refused (exit 2)" "rc=$rc $(cat "$W/v2")"; fi

printf 'Subject: hi\n\nhello\n' >"$W/m.eml"
"$BIN" check -c "$W/required.conf" --from a@ncsc.nl --to cert@cert.be "$W/m.eml" >"$W/c1" 2>&1
rc=$?
if [ $rc = 2 ]; then ok "check with RegistrySignature required: altered registry is an error"
else not_ok "check with RegistrySignature required: altered registry is an error" "rc=$rc $(cat "$W/c1")"; fi

cp conf/registry.sample.yaml "$W/registry.yaml"
gpg --yes --local-user other@example.org --armor --detach-sign -o "$W/registry.yaml.asc" "$W/registry.yaml"
"$BIN" registry verify -c "$W/required.conf" >"$W/v3" 2>&1
rc=$?
if [ $rc = 2 ]; then ok "verify: signer not listed refused"
else not_ok "verify: signer not listed refused" "rc=$rc $(cat "$W/v3")"; fi

rm -f "$W/registry.yaml.asc"
"$BIN" check -c "$W/required.conf" --from a@ncsc.nl --to cert@cert.be "$W/m.eml" >"$W/c2" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "no signature" "$W/c2"; then ok "required: unsigned registry refused"
else not_ok "required: unsigned registry refused" "rc=$rc $(cat "$W/c2")"; fi
"$BIN" check -c "$W/optional.conf" --from a@ncsc.nl --to cert@cert.be "$W/m.eml" >"$W/c3" 2>&1
check "optional: unsigned registry accepted" [ $? = 0 ]
"$BIN" check -c "$W/none.conf" --from a@ncsc.nl --to cert@cert.be "$W/m.eml" >"$W/c4" 2>&1
check "none: not verified" [ $? = 0 ]

# The daemon records who signed the registry it loaded (registry-load:
# digest, signer's fingerprint, outcome of the check).
gpg --yes --local-user jurist1@ncsc.nl --armor --detach-sign -o "$W/registry.yaml.asc" "$W/registry.yaml"
mkdir -p "$W/spool"
{
	cat "$W/required.conf"
	cat <<CONF
Socket unix:$W/milter.sock
Database $W/store.db
SpoolDirectory $W/spool
UserID
PidFile
NoticeRelay
ReleaseRelay
CONF
} >"$W/daemon.conf"
"$BIN" store init -c "$W/daemon.conf" >/dev/null
"$B/grondslag-milter" -f -c "$W/daemon.conf" >"$W/daemon.out" 2>&1 &
DPID=$!
n=0
while [ ! -S "$W/milter.sock" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
kill -TERM $DPID 2>/dev/null
wait $DPID
"$BIN" audit export --database "$W/store.db" >"$W/audit.jsonl" 2>&1
if grep '"event":"registry-load"' "$W/audit.jsonl" | grep -q "\"signer\":\"$FPR1\"" &&
	grep '"event":"registry-load"' "$W/audit.jsonl" | grep -q '"signature_status":"ok"'; then
	ok "registry-load record names the signer and the outcome"
else
	not_ok "registry-load record names the signer and the outcome" "$(grep registry-load "$W/audit.jsonl" | head -c 600)"
fi

"$BIN" registry import-ti tests/tiimport/teams.json >"$W/ti.yaml" 2>"$W/ti.err"
rc=$?
if [ $rc = 0 ] && grep -q '^  - id: cert-at' "$W/ti.yaml" && ! grep -q 'bases: \[[a-z]' "$W/ti.yaml"; then
	ok "import-ti: parties without bases"
else
	not_ok "import-ti: parties without bases" "rc=$rc $(head "$W/ti.err")"
fi
"$BIN" registry import-ti /nonexistent.json >/dev/null 2>&1
check "import-ti: unreadable file exit 2" [ $? = 2 ]

summary
