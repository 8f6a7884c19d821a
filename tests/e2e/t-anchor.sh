#!/bin/sh
# tests/e2e/t-anchor.sh - the audit record anchored off the host, with
# the defaults (no AuditSigningKey): grondslag-milter sends each
# checkpoint of the chain to the jurist's address (no AuditAnchorMail:
# the default) through NoticeRelay to an smtp-sink, and to a remote
# syslog (AuditAnchorSyslog, a UDP listener); three runs of the daemon
# leave checkpoints there.  `grondslag audit verify --against` accepts
# the chain against the received mails and the syslog lines.  Then
# records are deleted and the rest re-hashed (tests/golden/audit_chain.py
# drop) or one is altered and the rest re-hashed (rewrite): the plain
# `audit verify` still passes (nothing on the host can tell), and
# `--against` finds both, with the mails and with the syslog lines.
# `grondslag-milter -n` warns when nothing anchors the record, and not
# when something does; and when jurists exist while InternalHosts may
# send without SMTP AUTH.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init anchor
BIN=$E2E_BUILD/grondslag-milter
CLI=$E2E_BUILD/grondslag
GEO=$E2E_BUILD/geo-test
DIR=$E2E_RUN/milter
SOCK=$DIR/milter.sock
DB=$DIR/store.db
e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$GEO" || e2e_done
mkdir -p "$DIR/spool"

e2e_sink_start notices || { e2e_not_ok "start notice sink"; e2e_done; }
SYSPORT=$(e2e_pick_port) || e2e_done
SYSLOG=$E2E_RUN/remote-syslog.log
e2e_proc_start syslog "$E2E_PY" tests/e2e/syslog-sink.py "udp:$SYSPORT" "$SYSLOG"
e2e_check "remote syslog listening" e2e_wait_until 10 "syslog" test -f "$SYSLOG.ready" || e2e_done

# conf FILE [EXTRA LINES...]: the daemon's configuration
ta_conf() {
	_ta_f=$1
	shift
	cat >"$_ta_f" <<CONF
Socket unix:$SOCK
Registry $E2E_TOP/conf/registry.sample.yaml
RegistrySignature none
GeoCountryDatabase $GEO/country.mmdb
GeoASNDatabase $GEO/asn.mmdb
Database $DB
SpoolDirectory $DIR/spool
UserID
PidFile
DecisionDate 2024-01-10
NoticeFrom grondslag@ncsc.nl
CONF
	for _ta_l in "$@"; do echo "$_ta_l" >>"$_ta_f"; done
}

# -n: nothing anchors (no jurist, no anchor, no relay) / something does
ta_conf "$DIR/bare.conf" "NoticeRelay"
e2e_store_init "$DIR/bare.conf" || e2e_not_ok "grondslag store init"
"$BIN" -n -c "$DIR/bare.conf" >"$E2E_RUN/n-bare.out" 2>&1
e2e_check "-n warns when nothing anchors the record" grep -q 'nothing anchors the audit record' "$E2E_RUN/n-bare.out"
# (a jurist is a login that exists and reaches a control socket: root)
ta_conf "$DIR/grondslag.conf" "NoticeRelay 127.0.0.1:$(e2e_port notices)" \
	"Jurist root j1@ncsc.nl" "ReleaseApprovals 1" "ControlSocket $DIR/control.sock" \
	"AuditAnchorSyslog 127.0.0.1:$SYSPORT"
"$BIN" -n -c "$DIR/grondslag.conf" >"$E2E_RUN/n-anchored.out" 2>&1
e2e_is "$?" 0 "-n with anchors: exit"
e2e_check "-n quiet when the record is anchored" sh -c "! grep -q 'nothing anchors' '$E2E_RUN/n-anchored.out'"
# a jurist, and InternalHosts (default 127.0.0.0/8) sending without AUTH
e2e_check "-n warns: jurists and unauthenticated internal senders" \
	grep -q 'InternalHosts/InternalDomains let mail out without SMTP AUTH while Jurist lines exist' \
	"$E2E_RUN/n-anchored.out"
e2e_check "-n: no such warning without jurists" sh -c "! grep -q 'without SMTP AUTH' '$E2E_RUN/n-bare.out'"
ta_conf "$DIR/noint.conf" "NoticeRelay 127.0.0.1:$(e2e_port notices)" "Jurist root j1@ncsc.nl" \
	"ReleaseApprovals 1" "ControlSocket $DIR/control.sock" "InternalHosts"
"$BIN" -n -c "$DIR/noint.conf" >"$E2E_RUN/n-noint.out" 2>&1
e2e_check "-n: no such warning when every sender must authenticate" \
	sh -c "! grep -q 'without SMTP AUTH' '$E2E_RUN/n-noint.out'"
rm -f "$DB"
e2e_store_init "$DIR/grondslag.conf" || e2e_not_ok "grondslag store init"

# Three runs: each stop anchors the chain (syslog at once; the mail is
# queued and sent by the next run's notifier).
ta_mails() { ls "$E2E_RUN/notices/dump" 2>/dev/null | wc -l; }
for _ta_run in 1 2 3; do
	e2e_proc_start milter "$BIN" -f -c "$DIR/grondslag.conf"
	e2e_check "run $_ta_run: milter started" e2e_wait_until 15 "milter socket" test -S "$SOCK"
	# each earlier stop queued one mail, sent by this run (the first run
	# has none to wait for: "at least 0" would pass whatever happened)
	_ta_want=$((_ta_run - 1))
	[ "$_ta_want" = 0 ] ||
		e2e_check "run $_ta_run: $_ta_want checkpoint mails at the sink" \
			e2e_wait_until 20 "mails" sh -c "[ \$(ls '$E2E_RUN/notices/dump' | wc -l) -ge $_ta_want ]"
	e2e_proc_stop milter
	e2e_check "run $_ta_run: checkpoint at the remote syslog" \
		e2e_wait_until 10 "syslog" sh -c "[ \$(grep -c 'grondslag-audit-anchor v1 seq=' '$SYSLOG') -ge $_ta_run ]"
done
# at least one mail per earlier stop (the last stop's waits in the
# outbox); a start may anchor the chain as well, before or after its own
# start record (timing): every one received must be good
TA_NMAIL=$(ta_mails)
e2e_check "at least two checkpoint mails received (the last one waits in the outbox)" \
	test "$TA_NMAIL" -ge 2
TA_NSYS=$(grep -c 'grondslag-audit-anchor v1 seq=' "$SYSLOG")
MAIL=$E2E_RUN/received.mbox
cat "$E2E_RUN/notices/dump"/* >"$MAIL"
e2e_check "the mails go to the jurist by default" grep -q '^To: <j1@ncsc.nl>' "$MAIL"
e2e_check "the mails say what they are" grep -q '^X-Grondslag-Notice: checkpoint' "$MAIL"
e2e_is "$("$CLI" audit verify --database "$DB" >/dev/null 2>&1; echo $?)" 0 "audit verify: intact"
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$MAIL" 2>&1)
e2e_is "$?" 0 "verify --against the mails: exit 0 ($MC_OUT)"
case $MC_OUT in *"checkpoints received: $TA_NMAIL good of $TA_NMAIL"*) e2e_ok "--against mails: all $TA_NMAIL good" ;;
*) e2e_not_ok "--against mails: got '$MC_OUT'" ;; esac
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$SYSLOG" 2>&1)
e2e_is "$?" 0 "verify --against the syslog lines: exit 0 ($MC_OUT)"
case $MC_OUT in *"checkpoints received: $TA_NSYS good of $TA_NSYS"*) e2e_ok "--against syslog: all $TA_NSYS good" ;;
*) e2e_not_ok "--against syslog: got '$MC_OUT'" ;; esac
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$E2E_RUN/n-bare.out" 2>&1)
e2e_is "$?" 2 "verify --against a file without checkpoints: exit 2"

# The intruder: records 2 and 3 deleted, the rest numbered down and
# re-hashed: a chain consistent in itself.
cp "$DB" "$DIR/orig.db"
"$E2E_PY" tests/golden/audit_chain.py drop "$DB" 2
MC_OUT=$("$CLI" audit verify --database "$DB" 2>&1)
e2e_is "$?" 0 "after the deletion the plain verify still passes (the gap)"
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$MAIL" 2>&1)
e2e_is "$?" 2 "deletion found against the mails: exit 2"
case $MC_OUT in *"checkpoint BAD"*"the chain was rewritten"*) e2e_ok "--against mails: says rewritten" ;;
*) e2e_not_ok "--against mails after the deletion: got '$MC_OUT'" ;; esac
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$SYSLOG" 2>&1)
e2e_is "$?" 2 "deletion found against the syslog lines: exit 2"
case $MC_OUT in *"is not in the chain"*"records deleted"*) e2e_ok "--against syslog: says records deleted" ;;
*) e2e_not_ok "--against syslog after the deletion: got '$MC_OUT'" ;; esac

# The other intruder: record 3 altered, every later one re-hashed.
cp "$DIR/orig.db" "$DB"
"$E2E_PY" tests/golden/audit_chain.py rewrite "$DB" 3
e2e_is "$("$CLI" audit verify --database "$DB" >/dev/null 2>&1; echo $?)" 0 \
	"after the rewrite the plain verify still passes"
MC_OUT=$("$CLI" audit verify --database "$DB" --against "$SYSLOG" --json 2>&1)
e2e_is "$?" 2 "rewrite found against the syslog lines: exit 2"
# (a checkpoint of the first start, before record 3, stays good; every
# later one names the rewrite)
case $MC_OUT in *'"intact":false'*'"good":'[01]*'the chain was rewritten'*) e2e_ok "--against --json: intact false, only a checkpoint before the rewrite good" ;;
*) e2e_not_ok "--against --json after the rewrite: got '$MC_OUT'" ;; esac
e2e_done
