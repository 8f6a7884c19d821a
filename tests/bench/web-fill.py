#!/usr/bin/python3
# tests/bench/web-fill.py - make bench (web.sh): grow a store the daemon
# filled with a few real holds (mail scanned and held by grondslag-milter)
# to COUNT open holds, fast: every new hold is a copy of one of the real
# ones (its findings, summary, recipients and stored message), with its own
# reference, queue id, sender, Subject and received time (spread over the
# last 13 days, so every hold is open and the time left differs).  The
# holds named in KEEP are not copied (the 10 MB one stays one hold).
#
#   web-fill.py sqlite DB COUNT [KEEP...]     fill the SQLite store DB
#   web-fill.py sql COUNT COLUMNS [KEEP...]   print the SQL (PostgreSQL:
#                                             COLUMNS the holds columns,
#                                             comma-separated, no rowid)
# One transaction; the copies carry no audit records of their own (the
# pages measured read holds, recipients and the records of the one hold
# shown).  The SQL is the same for SQLite and PostgreSQL.
import sqlite3, sys, time

# the columns a copy gets its own value for; the rest are the template's
OWN = {
    "ref": "'G20260101-' || CAST(1000000000 + n.i AS TEXT)",
    "queue_id": "'B' || CAST(100000 + n.i AS TEXT)",
    "sender": "'<analyst' || CAST(n.i % 37 AS TEXT) || '@ncsc.nl>'",
    "subject": "t.subject || ' (' || CAST(n.i AS TEXT) || ')'",
    "received": "NOW - (n.i * 113) % 1123200",
    "stored": "NOW - (n.i * 113) % 1123200",
    "state_changed": "NOW - (n.i * 113) % 1123200",
    "retry_key": "NULL",
    "message_key": "NULL",
}


def sql(count, columns, keep):
    now = int(time.time())
    skip = " AND ".join("ref <> '%s'" % k for k in keep) or "1 = 1"
    sel = ", ".join(OWN[c].replace("NOW", str(now)) if c in OWN else "t." + c for c in columns)
    return """
CREATE TEMP TABLE tpl AS SELECT ref, row_number() OVER (ORDER BY ref) - 1 AS k
  FROM holds WHERE %(skip)s;
CREATE TEMP TABLE n (i BIGINT PRIMARY KEY, k BIGINT NOT NULL);
INSERT INTO n (i, k) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s
  WHERE i < %(count)d) SELECT i, i %% (SELECT count(*) FROM tpl) FROM s;
INSERT INTO holds (%(cols)s) SELECT %(sel)s
  FROM n JOIN tpl ON tpl.k = n.k JOIN holds t ON t.ref = tpl.ref;
INSERT INTO hold_recipients (ref, recipient, party, reasons, explanation, state, approvals)
  SELECT 'G20260101-' || CAST(1000000000 + n.i AS TEXT), r.recipient, r.party, r.reasons,
  r.explanation, r.state, r.approvals
  FROM n JOIN tpl ON tpl.k = n.k JOIN hold_recipients r ON r.ref = tpl.ref ORDER BY n.i, r.id;
INSERT INTO hold_messages (ref, message)
  SELECT 'G20260101-' || CAST(1000000000 + n.i AS TEXT), m.message
  FROM n JOIN tpl ON tpl.k = n.k JOIN hold_messages m ON m.ref = tpl.ref;
DROP TABLE n;
DROP TABLE tpl;
""" % {"skip": skip, "count": count, "cols": ", ".join(columns), "sel": sel}


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "sqlite":
        db = sqlite3.connect(sys.argv[2], timeout=60, isolation_level=None)
        have = db.execute("SELECT count(*) FROM holds").fetchone()[0]
        keep = sys.argv[4:]
        cols = [r[1] for r in db.execute("PRAGMA table_info(holds)")]
        db.execute("BEGIN IMMEDIATE")
        for stmt in sql(int(sys.argv[3]) - have, cols, keep).split(";\n"):
            if stmt.strip():
                db.execute(stmt)
        db.execute("COMMIT")
        print(db.execute("SELECT count(*) FROM holds").fetchone()[0])
    elif len(sys.argv) >= 4 and sys.argv[1] == "sql":
        print("BEGIN;" + sql(int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4:]) + "COMMIT;")
    else:
        sys.exit("usage: web-fill.py sqlite DB COUNT [KEEP...] | sql COUNT COLUMNS [KEEP...]")


main()
