# tests/e2e/web-lib.sh - what the grondslag-web suites share, sourced after
# lib.sh: client certificates made with openssl, a headless Chromium
# profile per person holding that certificate, and the run of one
# web-browser.py action counted as this suite's checks.
# Uses PKI (the certificates' directory), BASE (the console's URL), POLICY
# (the managed Chromium policy file the suite removes on exit), AXE and
# SHOTS (web-browser.py's axe-core and screenshot directory).

# web_pki PERSON...: a CA, the server's certificate for 127.0.0.1 and
# localhost, and one client certificate per PERSON (CN=PERSON), in $PKI.
web_pki() {
	mkdir -p "$PKI" && cd "$PKI" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
		-subj "/CN=Test Client CA $$" 2>/dev/null || return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >srv.ext
	printf 'extendedKeyUsage=clientAuth\n' >cli.ext
	openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
		-subj "/CN=localhost" 2>/dev/null &&
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
			-out server.crt -days 2 -extfile srv.ext 2>/dev/null || return 1
	for _p in "$@"; do
		openssl req -newkey rsa:2048 -nodes -keyout "$_p.key" -out "$_p.csr" \
			-subj "/O=NCSC Test/CN=$_p" 2>/dev/null &&
			openssl x509 -req -in "$_p.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
				-out "$_p.crt" -days 2 -extfile cli.ext 2>/dev/null || return 1
	done
	cd "$E2E_TOP" || return 1
}

# web_fpr NAME: the SHA-256 fingerprint of $PKI/NAME.crt.
web_fpr() { openssl x509 -in "$PKI/$1.crt" -noout -fingerprint -sha256 | sed 's/.*=//'; }

# web_policy: the managed policy that has Chromium pick the profile's
# certificate for $BASE without a dialog.
web_policy() {
	mkdir -p "$(dirname "$POLICY")" &&
		printf '{"AutoSelectCertificateForUrls": ["{\\"pattern\\":\\"%s\\",\\"filter\\":{}}"]}\n' "$BASE" >"$POLICY"
}

# web_home PERSON CERT: the browser profile of PERSON, an NSS database
# with CERT's certificate and key and the CA.
web_home() {
	_th=$E2E_RUN/home/$1
	mkdir -p "$_th/.pki/nssdb"
	openssl pkcs12 -export -in "$PKI/$2.crt" -inkey "$PKI/$2.key" -out "$_th/me.p12" \
		-passout pass: -name "$2" 2>/dev/null &&
		certutil -N -d "sql:$_th/.pki/nssdb" --empty-password &&
		pk12util -i "$_th/me.p12" -d "sql:$_th/.pki/nssdb" -W "" >/dev/null 2>&1 &&
		certutil -A -d "sql:$_th/.pki/nssdb" -n ca -t "CT,C,C" -i "$PKI/ca.crt"
}

# web_browser PERSON ACTION ARGS...: run web-browser.py as PERSON, its
# checks counted here (none at all is a failure); its output in WEB_OUT.
web_browser() {
	_tb_p=$1
	shift
	WEB_OUT=$(GRONDSLAG_AXE=$AXE timeout 180 "$E2E_PY" tests/e2e/web-browser.py "$E2E_RUN/home/$_tb_p" "$BASE" "$SHOTS" "$@" 2>"$E2E_RUN/browser-$_tb_p.err")
	echo "$WEB_OUT" >>"$E2E_RUN/browser.log"
	_tb_n=0
	while IFS= read -r _tb_l; do
		case $_tb_l in
		"ok "*) e2e_ok "$_tb_p: ${_tb_l#ok }"; _tb_n=$((_tb_n + 1)) ;;
		"not ok "*) e2e_not_ok "$_tb_p: ${_tb_l#not ok }" ;;
		esac
	done <<TB
$WEB_OUT
TB
	[ "$_tb_n" -gt 0 ] || e2e_not_ok "$_tb_p: the browser ran no check ($(tail -n 3 "$E2E_RUN/browser-$_tb_p.err" | tr '\n' ' '))"
}
