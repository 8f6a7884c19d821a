#!/bin/sh
# tests/e2e/t-noreply.sh - the milter protocol's "no reply" steps
# (milter/daemon/callbacks.c: cb_negotiate), driven by tests/milter/noreply.py as
# an MTA that offers them: on a unix socket grondslag-milter takes them
# for connect, MAIL, headers, eoh and body (not RCPT: 452 past the
# recipient limit, 501 past the length limit), answers nothing else
# before the end of message, and
# answers every outcome there (continue, delete recipient + header,
# discard); an MTA
# that offers none gets every reply; over inet they are declined.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
e2e_init noreply
BIN=$E2E_BUILD/grondslag-milter
GEO=$E2E_BUILD/geo-test
e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$GEO" || e2e_done

SOCK=$E2E_RUN/unix/milter.sock
PORT=$(e2e_pick_port) || e2e_done
e2e_milter_conf "$E2E_RUN/unix" "unix:$SOCK" "$E2E_RUN/unix/store.db"
e2e_milter_conf "$E2E_RUN/inet" "inet:$PORT@127.0.0.1" "$E2E_RUN/inet/store.db"
e2e_proc_start unix "$BIN" -f -c "$E2E_RUN/unix/grondslag.conf"
e2e_proc_start inet "$BIN" -f -c "$E2E_RUN/inet/grondslag.conf"
e2e_check "unix milter listening" e2e_wait_until 15 "milter socket" test -S "$SOCK" || e2e_done
e2e_check "inet milter listening" e2e_wait_until 15 "milter port" e2e_listening "$PORT" || e2e_done

"$E2E_PY" tests/milter/noreply.py unix "$SOCK" >"$E2E_RUN/unix.out" 2>&1
e2e_is "$?" 0 "unix: client exit status"
e2e_recount "$E2E_RUN/unix.out"
"$E2E_PY" tests/milter/noreply.py inet "127.0.0.1:$PORT" >"$E2E_RUN/inet.out" 2>&1
e2e_is "$?" 0 "inet: client exit status"
e2e_recount "$E2E_RUN/inet.out"

LOG=$E2E_RUN/unix/out
e2e_check "log: 452 past the recipient limit" \
	grep -Eq ": NR4: more than 1000 recipients: 452 for the rest" "$LOG"
e2e_check "log: 501 past the length limit" \
	grep -Eq ": NR8: recipient longer than 1024 bytes: 501" "$LOG"
e2e_check "log: the refused negotiation says why" grep -q 'the MTA offers the milter actions 0x11, need 0x19: refused' "$LOG"
e2e_check "log: the partial hold" grep -Eq ': NR2: verdict=partial .*held=1' "$LOG"
e2e_check "log: no address found is logged" sh -c "! grep -Eq '194\\.7\\.|133\\.[0-9]' '$LOG'"
e2e_done
