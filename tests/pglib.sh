# tests/pglib.sh - a private PostgreSQL 15 for a test suite (sourced):
# initdb and pg_ctl as the postgres user in a temporary directory, on a
# unix socket in that directory only (no TCP port), trust for local
# connections.  Debian's own cluster is never touched.
#   pg_start      start it; sets PG_DIR, PG_SOCK, PG_PORT and PG_ADMIN
#                 (the superuser's conninfo, without dbname); 1 on failure
#                 (the server's log is printed)
#   pg_stop       stop it (fast) and remove the directory
#   pg_trap [CMD] stop it however the suite ends: on EXIT (then CMD, the
#                 suite's own cleanup), and every signal that ends a
#                 suite (HUP: its terminal gone, INT, PIPE: its reader
#                 stopped reading, TERM) exits, which runs EXIT.  Call it
#                 before pg_start; it replaces the suite's traps.
#   pg_psql DB SQL...   run SQL on database DB as the superuser
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${PG_PORT:-5433}

pg_start() {
	if [ ! -x "$PG_BIN/initdb" ]; then
		echo "pglib: $PG_BIN/initdb missing (Debian package postgresql-15)" >&2
		return 1
	fi
	PG_DIR=$(mktemp -d /tmp/grondslag-pg.XXXXXX) || return 1
	chmod 0755 "$PG_DIR"
	chown postgres "$PG_DIR" 2>/dev/null
	PG_SOCK=$PG_DIR
	# from a directory the postgres user may read (else initdb warns)
	(cd /tmp && runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust \
		-U postgres -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1) || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	(cd /tmp && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" \
		-o "-k $PG_SOCK -c listen_addresses='' -p $PG_PORT -c fsync=on" -w -t 60 start \
		>/dev/null 2>&1) || {
		cat "$PG_DIR/log" >&2
		return 1
	}
	PG_ADMIN="host=$PG_SOCK port=$PG_PORT user=postgres"
	export PG_DIR PG_SOCK PG_PORT PG_ADMIN
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	(cd /tmp && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -m fast stop \
		>/dev/null 2>&1)
	rm -rf "$PG_DIR"
	PG_DIR=
}

pg_trap() {
	# a signal trap that did not exit would let the suite go on; without
	# one, the default action ends the shell without running EXIT
	trap "pg_stop; $*" EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

pg_psql() {
	_db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "$_db" "$@"
}
