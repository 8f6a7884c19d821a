# tests/golden/msg.sh - msg NAME TEXT-FILE [ATTACH-FILE TYPE]: write
# $W/NAME.eml, a message from NCSC-NL with TEXT-FILE as its body and,
# when given, ATTACH-FILE base64-encoded as an attachment of TYPE
# (sourced by the golden suites that replay messages through check).
msg() {
	{
		printf 'From: analyst@ncsc.nl\nTo: undisclosed-recipients:;\n'
		printf 'Subject: %s\nMessage-ID: <%s@ncsc.nl>\nMIME-Version: 1.0\n' "$1" "$1"
		if [ $# -eq 2 ]; then
			printf 'Content-Type: text/plain; charset=utf-8\n\n'
			cat "$2"
		else
			printf 'Content-Type: multipart/mixed; boundary="cb"\n\n--cb\n'
			printf 'Content-Type: text/plain\n\n'
			cat "$2"
			printf '\n--cb\nContent-Type: %s; name="%s"\n' "$4" "$(basename "$3")"
			printf 'Content-Transfer-Encoding: base64\n\n'
			base64 -w 76 "$3"
			printf '\n--cb--\n'
		fi
	} >"$W/$1.eml"
}
