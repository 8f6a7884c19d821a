#!/usr/bin/python3
"""tests/soak/account.py - make soak's books: every Message-ID accounted for.

  account.py CLIENT.jsonl SINKDUMPDIR STORE.db CALIBRATION-IDS

What each kind of message must do is fixed here (EXPECT, the registry
sample's policy: CERT.be may have the Belgian list, JPCERT/CC has no
basis); the calibration messages (ids in CALIBRATION-IDS, comma-separated,
sent before any fault) must show exactly that, else the run fails (a
gate that let the Japanese list through would otherwise calibrate its
own fail-open as the norm).  Then for every other message and every
recipient:
  accepted (250 to the client): delivered exactly once at the sink, or in
    exactly one hold, as its kind says; none at all is LOST, more than one
    (or both) is DUPLICATED, the other one of the two is a POLICY
    mismatch (a held recipient delivered is a fail-open);
  refused (5xx) or given up (4xx for 10 minutes): neither delivered nor
    held (else GHOST: the MTA refused it, yet it went out or was held).
Prints the counts; exit status 0 only when lost, duplicated, policy and
ghost are all 0.
"""
import collections
import json
import os
import re
import sqlite3
import sys

client, dumpdir, db, cal = sys.argv[1:5]
cal_ids = {int(x) for x in cal.split(",")}
delivered = collections.Counter()		# (id, rcpt) -> deliveries
mid_re = re.compile(rb"^Message-ID:\s*<soak-(\d+)@ncsc\.nl>", re.I | re.M)
rcpt_re = re.compile(rb"^X-Rcpt-Args:\s*<([^>]*)>", re.M)
for name in os.listdir(dumpdir):
    data = open(os.path.join(dumpdir, name), "rb").read()
    m = mid_re.search(data)
    if not m:
        continue
    for r in rcpt_re.findall(data):
        delivered[(int(m.group(1)), r.decode().lower())] += 1

held = collections.Counter()			# (id, rcpt) -> holds naming it
holds_per_id = collections.Counter()
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
for ref, subject in con.execute("SELECT ref, subject FROM holds"):
    m = re.match(r"soak (\d+) ", subject or "")
    if not m:
        continue
    i = int(m.group(1))
    holds_per_id[i] += 1
    for (r,) in con.execute("SELECT recipient FROM hold_recipients WHERE ref = ?", (ref,)):
        held[(i, r.strip("<>").lower())] += 1

# kind -> {rcpt: "delivered"|"held"} (tests/soak/client.py KINDS, RCPTS)
EXPECT = {
    "clean": {"friend@example.net": "delivered"},
    "be": {"cert@cert.be": "delivered"},
    "jp": {"info@jpcert.or.jp": "held"},
    "mixed": {"cert@cert.be": "delivered", "info@jpcert.or.jp": "held"},
}
records = [json.loads(l) for l in open(client)]
expect = {}					# what the calibration showed
for rec in records:
    if rec["id"] in cal_ids:
        e = expect.setdefault(rec["kind"], {})
        for r, _ in rec["accepted"]:
            e[r] = "held" if held[(rec["id"], r)] else "delivered" if delivered[(rec["id"], r)] else "?"
calibration_ok = expect == EXPECT

count = collections.Counter()
examples = collections.defaultdict(list)
for rec in records:
    if rec["id"] in cal_ids:
        continue
    i, kind = rec["id"], rec["kind"]
    count["messages"] += 1
    count["attempts"] += rec["attempts"]
    if rec["attempts"] > 1:
        count["retried"] += 1
    accepted = {r for r, _ in rec["accepted"]}
    if rec["accepted"]:
        count["accepted messages"] += 1
    for r in accepted:
        d, h = delivered[(i, r)], held[(i, r)]
        want = EXPECT.get(kind, {}).get(r, "?")
        if d + h == 0:
            verdict = "lost"
        elif d + h > 1:
            verdict = "duplicated"
        elif (d and want == "held") or (h and want == "delivered"):
            verdict = "policy"
        else:
            verdict = "delivered" if d else "held"
        count[verdict] += 1
        if verdict in ("lost", "duplicated", "policy") and len(examples[verdict]) < 5:
            examples[verdict].append("%d %s %s d=%d h=%d" % (i, kind, r, d, h))
    for r in list(rec["refused"]) + list(rec.get("gave_up", [])):
        kindof = "refused" if r in rec["refused"] else "gave up"
        count[kindof] += 1
        if delivered[(i, r)] or held[(i, r)]:
            count["ghost"] += 1
            if len(examples["ghost"]) < 5:
                examples["ghost"].append("%d %s %s (%s)" % (i, kind, r, kindof))

print("calibration%s: " % ("" if calibration_ok else " (NOT AS EXPECTED)") + "; ".join("%s: %s" % (k, ", ".join("%s %s" % x for x in sorted(v.items())))
                                  for k, v in sorted(expect.items())))
for k in ("messages", "accepted messages", "retried", "attempts", "delivered", "held",
          "refused", "gave up", "lost", "duplicated", "policy", "ghost"):
    print("%-18s %d" % (k, count[k]))
for k, v in examples.items():
    for e in v:
        print("  %s: %s" % (k, e))
# a recipient the client gave up on after minutes of 4xx is mail the gate
# never took: a milter that tempfailed everything must not pass the books
bad = count["lost"] + count["duplicated"] + count["policy"] + count["ghost"] + count["gave up"]
sys.exit(0 if bad == 0 and calibration_ok and count["messages"] > 0 else 1)
