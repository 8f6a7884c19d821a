#!/bin/sh
# tests/e2e/t-sendmail.sh - grondslag-milter in front of a private
# Sendmail (unpacked Debian packages, INPUT_MAIL_FILTER with F=T, inet
# socket: TCP_NODELAY and the data callback), relaying to smtp-sink; the
# cases are in tests/e2e/milter-cases.sh.  Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/e2e/milter-cases.sh
e2e_init sendmail-milter
e2e_sink_start sink || { e2e_not_ok "start sink"; e2e_done; }
PORT=$(e2e_pick_port) || e2e_done
mc_setup "inet:$PORT@127.0.0.1"
e2e_check "milter listening" e2e_wait_until 10 "milter port" e2e_listening "$PORT"
E2E_SM_MILTER="S=inet:$PORT@127.0.0.1, F=T, T=C:10s;S:30s;R:30s;E:60s" \
	e2e_sendmail_start sm sink || { e2e_not_ok "start sendmail"; e2e_done; }
mc_cases sm sink
e2e_done
