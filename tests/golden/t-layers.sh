#!/bin/sh
# t-layers.sh - the subsystem folders keep their include rules
# (tests/layout/layers.sh, docs/design.md), on the tree and on copies of
# it with one rule broken each, so that the check itself is seen to fail.
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
W=$B/t-layers
rm -rf "$W" && mkdir -p "$W"

if sh tests/layout/layers.sh . >"$W/tree.out" 2>&1; then
	ok "the tree keeps the include rules"
else
	not_ok "the tree keeps the include rules" "$(head -c 600 "$W/tree.out")"
fi

# broken NAME FILE LINE ERE: a copy with LINE added at the top of FILE
# (created when missing) must be refused with a line matching ERE.
broken() {
	_name=$1 _file=$2 _line=$3 _ere=$4
	rm -rf "$W/copy" && mkdir -p "$W/copy"
	cp -R milter include "$W/copy/"
	mkdir -p "$(dirname "$W/copy/$_file")"
	{ echo "$_line"; cat "$W/copy/$_file" 2>/dev/null; } >"$W/new"
	mv "$W/new" "$W/copy/$_file"
	if sh tests/layout/layers.sh "$W/copy" >"$W/out" 2>&1; then
		not_ok "$_name" "accepted"
	elif grep -qE -- "$_ere" "$W/out"; then
		ok "$_name"
	else
		not_ok "$_name" "refused for another reason: $(head -c 300 "$W/out")"
	fi
}

broken "libmilter in the core" milter/scan/walk.c '#include <libmilter/mfapi.h>' \
	'^milter/scan/walk.c:1: includes libmilter'
broken "libmilter in the daemon beside the adapter" milter/daemon/releaser.c \
	'#include <libmilter/mfapi.h>' '^milter/daemon/releaser.c:1: includes libmilter'
broken "libmilter in the CLI" milter/ctl/main.c '#include "libmilter/mfapi.h"' \
	'^milter/ctl/main.c:1: includes libmilter'
broken "scan/ reaching the store" milter/scan/scan.c '#include "grondslag/store/store.h"' \
	'scan/ includes store/'
broken "scan/ reaching a decision" include/grondslag/scan/findings.h \
	'#include "grondslag/decide/policy.h"' 'scan/ includes decide/'
broken "scan/ reaching the daemon" milter/scan/textx.c '# include "grondslag/daemon/metrics.h"' \
	'scan/ includes daemon/'
broken "base/ reaching up" milter/base/log.c '#include "grondslag/config/config.h"' \
	'base/ includes config/'
broken "base/ header reaching up" include/grondslag/base/json.h '#include "grondslag/scan/findings.h"' \
	'base/ includes scan/'
broken "decide/ reaching the store" include/grondslag/decide/gate.h \
	'#include "grondslag/store/store.h"' 'decide/ includes store/'
broken "store/ reaching the daemon" milter/store/anchor.c '#include "grondslag/daemon/notifier.h"' \
	'store/ includes daemon/'
broken "report/ reaching the daemon" milter/report/report.c '#include "grondslag/daemon/ctlsock.h"' \
	'report/ includes daemon/'
broken "SQLite in a report" milter/report/report.c '#include <sqlite3.h>' \
	'^milter/report/report.c:1: includes sqlite3.h outside the store'
broken "SQLite in a report header" include/grondslag/report/report.h '#include "sqlite3.h"' \
	'^include/grondslag/report/report.h:1: includes sqlite3.h outside the store'
broken "SQLite in the CLI" milter/ctl/cmd_store.c '#  include <sqlite3ext.h>' \
	'^milter/ctl/cmd_store.c:1: includes sqlite3ext.h outside the store'
broken "SQLite in a store module beside its driver" milter/store/store_hold.c \
	'#include <sqlite3.h>' \
	"^milter/store/store_hold.c:1: includes sqlite3.h outside the store's SQLite driver"
broken "libpq in a store module beside its driver" milter/store/store_list.c \
	'#include <libpq-fe.h>' \
	"^milter/store/store_list.c:1: includes libpq-fe.h outside the store's PostgreSQL driver"
broken "libpq in the SQLite driver" milter/store/db_sqlite.c '#include "libpq-fe.h"' \
	"^milter/store/db_sqlite.c:1: includes libpq-fe.h outside the store's PostgreSQL driver"
broken "libpq's table in a store module beside its driver" milter/store/store_hold.c \
	'#include "pqlib.h"' \
	"^milter/store/store_hold.c:1: includes pqlib.h \\(libpq's table\\) outside the store's PostgreSQL driver"
broken "libpq's table in the SQLite driver" milter/store/db_sqlite.c '#include "pqlib.h"' \
	"^milter/store/db_sqlite.c:1: includes pqlib.h \\(libpq's table\\) outside the store's PostgreSQL driver"
broken "SQLite in the PostgreSQL driver" milter/store/db_pg.c '#include <sqlite3.h>' \
	"^milter/store/db_pg.c:1: includes sqlite3.h outside the store's SQLite driver"
broken "libpq in the daemon" milter/daemon/releaser.c '#include <libpq-fe.h>' \
	'^milter/daemon/releaser.c:1: includes libpq-fe.h outside the store'
broken "the database layer in a report" milter/report/report.c \
	'#include "grondslag/store/db.h"' \
	"^milter/report/report.c:1: includes the store's database layer outside the store"
broken "libmicrohttpd in a console page" milter/web/page_queue.c '#include <microhttpd.h>' \
	'^milter/web/page_queue.c:1: includes microhttpd.h outside'
broken "GnuTLS in the core" milter/decide/regsig.c '#include <gnutls/gnutls.h>' \
	'^milter/decide/regsig.c:1: includes gnutls/gnutls.h outside'
broken "the console reaching the report" milter/web/page_hold.c '#include "grondslag/report/report.h"' \
	'web/ includes report/'
broken "a source outside every folder" milter/stray.c '/* stray */' 'outside every subsystem folder'
broken "a header outside every folder" include/grondslag/stray.h '/* stray */' 'outside every subsystem folder'
broken "an unknown folder" milter/misc/x.c '/* x */' "unknown subsystem folder 'misc'"
broken "a flat project include" milter/decide/policy.c '#include "grondslag/policy.h"' \
	'in no subsystem folder'

# The adapter composes no notice and assembles no hold record: the core
# does (notice_hold_record()), where the unit tests reach it.
CB=milter/daemon/callbacks.c
broken "the adapter composes the sender's notice" $CB '	*text = notice_hold(&in);' \
	'^milter/daemon/callbacks.c:1: the adapter composes a notice \(notice_hold\)'
broken "the adapter composes the jurists' notice" $CB 'char *t = notice_jurist_hold (&in);' \
	'^milter/daemon/callbacks.c:1: the adapter composes a notice \(notice_jurist_hold\)'
broken "the adapter picks the jurists" $CB 'n = notice_jurist_to(m, nm, to, 20);' \
	'composes a notice \(notice_jurist_to\)'
broken "the adapter fills a hold record" $CB 'struct hold_record h = {0};' \
	'^milter/daemon/callbacks.c:1: the adapter fills a hold record'
broken "the adapter fills a hold record in a literal" $CB \
	'rc = store_hold_put(s, &(struct hold_record){.ref = ref}, ref, err, 1);' \
	'the adapter fills a hold record'
broken "the adapter keeps share records of its own" $CB 'struct hold_share sh[8];' \
	'the adapter fills a hold record'
broken "the adapter writes a record field" $CB '	h->findings_json = full;' \
	'the adapter fills a hold record \(a field\)'
broken "the adapter queues a notice with the hold" $CB '	.notices = items, .nnotices = n,' \
	'the adapter fills a hold record \(a field\)'
broken "the adapter makes the retry key" $CB 'ok = holdkey_compute(&in, key, message);' \
	'the adapter fills a hold record \(a piece of it\)'
broken "the adapter makes the findings of a hold" $CB 'char *full = gate_findings_json(g);' \
	'the adapter fills a hold record \(a piece of it\)'
broken "the adapter queues a notice beside the hold" $CB \
	'store_notice_put(st, "hold", ref, to, text, err, 1);' \
	'the adapter fills a hold record \(a piece of it\)'

# The adapter includes libmilter and the store SQLite, and are allowed to:
# the tree passes above.
check "the adapter does include libmilter" grep -q 'libmilter/mfapi.h' milter/daemon/callbacks.c
check "the store's SQLite driver does include SQLite" grep -q 'sqlite3.h' milter/store/db_sqlite.c
check "the store's PostgreSQL driver does include libpq" grep -q 'libpq-fe.h' milter/store/db_pg.c
check "the PostgreSQL driver calls libpq through its loader" grep -q '"pqlib.h"' milter/store/db_pg.c
check "the loader's table has libpq's types" grep -q 'libpq-fe.h' milter/store/pqlib.h
# ... and hands the record over: the core's one entry is allowed.
check "the adapter does call notice_hold_record()" grep -q 'notice_hold_record(' $CB

summary
