#!/bin/sh
# tests/e2e/t-noticeflood.sh - a sender's notice while the store's disk is
# full: grondslag-milter in front of a private Postfix holds a list for
# JPCERT/CC and queues the sender's notice; the notice relay (a small
# SMTP server here) fills the store's private tmpfs to the last byte
# while it receives the notice, then answers 250.  The "sent" cannot be
# recorded: the notice must reach the relay once, not again and again
# (it went out thousands of times), the notifier says so once in the
# log, and once the disk is freed the notice is recorded as sent, still
# once at the relay.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
e2e_init noticeflood
D=$E2E_RUN/milter
FS=$E2E_RUN/fs
SOCK=$D/milter.sock
mkdir -p "$D" || exit 1
e2e_check "grondslag-milter is built" test -x "$E2E_BUILD/grondslag-milter" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "test messages built" mc_messages || e2e_done
e2e_check "8 MB tmpfs for the store" e2e_tmpfs "$FS" 8 || e2e_done

# The notice relay: counts the messages it accepts in $R/count; fills
# the store's file system while the first one arrives.
R=$E2E_RUN/relay
mkdir -p "$R"
RP=$(e2e_pick_port) || e2e_done
e2e_started proc:relay
"$E2E_PY" - "$RP" "$R/count" "$FS/fill" >"$R/out" 2>&1 <<'PY' &
import os, socketserver, sys
port, count, fill = int(sys.argv[1]), sys.argv[2], sys.argv[3]
n = [0]
open(count, "w").write("0\n")
class H(socketserver.StreamRequestHandler):
    def handle(self):
        w = lambda s: self.wfile.write(s.encode())
        w("220 relay.test ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line[:4].upper()
            if cmd == b"DATA":
                w("354 go on\r\n")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                if n[0] == 0:
                    os.system("dd if=/dev/zero of=%s bs=64k >/dev/null 2>&1" % fill)
                n[0] += 1
                open(count, "w").write("%d\n" % n[0])
                w("250 2.0.0 Ok: queued as N%d\r\n" % n[0])
            elif cmd == b"QUIT":
                w("221 bye\r\n")
                return
            else:
                w("250 ok\r\n")
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
S(("127.0.0.1", port), H).serve_forever()
PY
echo $! >"$R/pid"
e2e_check "notice relay listening" e2e_wait_until 10 "relay" e2e_smtp_ready "$RP" || e2e_done

e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
e2e_milter_conf "$D" "unix:$SOCK" "$FS/store.db" "SocketMode 0666" "NoticeFrom grondslag@ncsc.nl"
sed -i "s|^NoticeRelay\$|NoticeRelay 127.0.0.1:$RP|" "$D/grondslag.conf"
e2e_proc_start milter "$E2E_BUILD/grondslag-milter" -f -c "$D/grondslag.conf"
e2e_check "milter started" e2e_wait_until 15 "milter socket" test -S "$SOCK" || e2e_done
E2E_SMTPD_MILTERS=unix:$SOCK e2e_postfix_start pf sink || { e2e_not_ok "start postfix"; e2e_done; }

e2e_send pf sender@ncsc.nl info@jpcert.or.jp "$E2E_RUN/msg/jp-inline.eml"
e2e_is "$(e2e_reply_code)" 250 "the list for JPCERT/CC accepted (held)"
relayed() { cat "$R/count"; }
e2e_check "the sender's notice reached the relay" e2e_wait_until 20 "notice" \
	sh -c "[ \"\$(cat '$R/count')\" -ge 1 ]"
e2e_check "the store's file system is full" sh -c "[ \"\$(df -k '$FS' | awk 'NR==2 { print \$4 }')\" -lt 64 ]"
sleep 10
e2e_is "$(relayed)" 1 "10 s with the disk full: the notice went out once"
e2e_is "$(grep -c 'outbox: cannot record a sent notice' "$D/out")" 1 \
	"the failed record is logged once"
rm -f "$FS/fill"
sql() { "$E2E_PY" -c 'import sqlite3,sys; print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute(sys.argv[2]).fetchone()[0])' "$FS/store.db" "$1"; }
sent() { [ "$(sql "select count(*) from outbox where state='sent'")" = 1 ]; }
e2e_check "disk freed: the notice is recorded as sent" e2e_wait_until 30 "notice recorded" sent
e2e_check "the recovery is logged" grep -q "outbox: the store is writable again" "$D/out"
e2e_is "$(relayed)" 1 "still once at the relay"
e2e_is "$(sql "select count(*) from outbox where state='queued'")" 0 "nothing left in the outbox"
e2e_done
