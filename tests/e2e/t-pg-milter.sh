#!/bin/sh
# tests/e2e/t-pg-milter.sh - grondslag-milter on a store in PostgreSQL
# (a private PostgreSQL 15, tests/pglib.sh: unix socket only), driven by
# miltertest with tests/milter/storefail.lua: holds are committed to the
# database before the answer; the database stopped under the running
# milter means tempfail 451 for every message that must be held (never
# accepted, nothing deleted, not discarded) while clean mail passes; the
# database started again, holds work again without restarting the milter
# (the connection is made anew).  Then the database holds exactly the
# holds that were answered with a deletion, and the audit chain verifies.
# Last line: "N passed, M failed".
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/pglib.sh
e2e_init pgmilter
BIN=$E2E_BUILD/grondslag-milter
TOP=$(pwd)
pg_trap e2e_cleanup

e2e_check "grondslag-milter is built" test -x "$BIN" || e2e_done
e2e_check "test geo data built" sh tests/geo/build.sh "$E2E_BUILD/geo-test" || e2e_done
e2e_check "a private PostgreSQL starts (unix socket only)" pg_start || e2e_done
pg_psql postgres -c "CREATE DATABASE grondslag" >/dev/null
DB="host=$PG_SOCK port=$PG_PORT user=postgres dbname=grondslag"

P=$(e2e_pick_port) || e2e_done
mkdir -p "$E2E_RUN/storefail"
e2e_milter_conf "$E2E_RUN/storefail" "inet:$P@127.0.0.1" "$DB" "SpoolMemory 64k" \
	"ReleaseKeyFile $E2E_RUN/storefail/release-key"
e2e_is "$(pg_psql grondslag -tAc "SELECT count(*) FROM audit WHERE event = 'init'")" 1 \
	"grondslag store init made the store in the database"
PGCTL="cd /tmp && runuser -u postgres -- $PG_BIN/pg_ctl -D $PG_DIR/data -w -t 60"
miltertest -D bin="$BIN" -D conf="$E2E_RUN/storefail/grondslag.conf" -D port="$P" \
	-D dir="$TOP/tests/milter" \
	-D fill="($PGCTL -m fast stop) >/dev/null 2>&1" \
	-D unfill="($PGCTL -l $PG_DIR/log -o \"-k $PG_SOCK -c listen_addresses='' -p $PG_PORT\" start) >/dev/null 2>&1" \
	-s tests/milter/storefail.lua >"$E2E_RUN/storefail/out" 2>"$E2E_RUN/storefail/log"
rc=$?
e2e_recount "$E2E_RUN/storefail/out" "database stopped: "
e2e_is "$rc" 0 "miltertest exit status"
e2e_check "summary line" grep -Eq '^[0-9]+ passed, 0 failed' "$E2E_RUN/storefail/out"
LOG=$E2E_RUN/storefail/log
e2e_check "F2 tempfail logged with the database's error" \
	grep -Eq ': F2: verdict=tempfail error=.*(connection|server|terminat|closed)' "$LOG"
e2e_check "F3 tempfail logged" grep -Eq ': F3: verdict=tempfail error=' "$LOG"
# F1 and F5 held, in the database; F2 and F3 nowhere
e2e_is "$(pg_psql grondslag -tAc "SELECT string_agg(queue_id, ' ' ORDER BY queue_id) FROM holds")" \
	"F1 F5" "the database holds F1 and F5, not the tempfailed F2 and F3"
e2e_is "$(pg_psql grondslag -tAc "SELECT count(*) FROM hold_messages m JOIN holds h USING (ref)
	WHERE h.queue_id = 'F5' AND length(m.message) > 100000")" 1 "F5's message is stored whole"
e2e_check "the audit chain verifies" "$E2E_BUILD/grondslag" audit verify --database "$DB"
e2e_done
