#!/usr/bin/python3
"""tests/soak/client.py - the sending side of make soak.

  client.py HOST PORT FIRST N THREADS MSGDIR OUT

Sends N messages (I = FIRST ...), each with a unique Message-ID <soak-I@ncsc.nl> and
Subject "soak I <kind>", through the MTA at HOST:PORT with THREADS
connections at a time.  The kind of message I is KINDS[I % 10] (the
templates MSGDIR/<kind>.eml and their recipients below).  A 4xx answer or
a broken connection is retried (the recipients still pending, with a
growing pause, for up to 10 minutes per message: a client MTA would keep
the message in its queue); a 5xx is final.  OUT gets one JSON line per
message: id, kind, the recipients accepted (with the attempt), the final
refusals, the number of attempts.  OUT.progress holds the count done.
"""
import json
import os
import smtplib
import sys
import threading
import time

KINDS = ["clean", "clean", "clean", "clean", "clean", "clean",
         "be", "be", "jp", "mixed"]
RCPTS = {
    "clean": ["friend@example.net"],
    "be": ["cert@cert.be"],
    "jp": ["info@jpcert.or.jp"],
    "mixed": ["cert@cert.be", "info@jpcert.or.jp"],
}
TEMPLATE = {"clean": "clean.eml", "be": "be-inline.eml", "jp": "jp-inline.eml",
            "mixed": "be-inline.eml"}
GIVE_UP = 600.0


def message(msgdir, i, kind):
    text = open("%s/%s" % (msgdir, TEMPLATE[kind])).read()
    head, _, body = text.partition("\n\n")
    head = "\n".join(l for l in head.split("\n") if not l.lower().startswith("subject:"))
    return ("Message-ID: <soak-%d@ncsc.nl>\nSubject: soak %d %s\n%s\n\n%s"
            % (i, i, kind, head, body)).replace("\n", "\r\n")


def send_one(host, port, i, msgdir):
    kind = KINDS[i % 10]
    pending = list(RCPTS[kind])
    data = message(msgdir, i, kind)
    rec = {"id": i, "kind": kind, "accepted": [], "refused": {}, "attempts": 0}
    start = time.time()
    while pending and time.time() - start < GIVE_UP:
        rec["attempts"] += 1
        refused = {}
        try:
            with smtplib.SMTP(host, port, timeout=60) as s:
                s.ehlo("client.ncsc.nl")
                refused = s.sendmail("sender@ncsc.nl", pending, data)
            for r in pending:
                if r not in refused:
                    rec["accepted"].append([r, rec["attempts"]])
            pending = []
            for r, (code, text) in refused.items():
                if 400 <= code < 500:
                    pending.append(r)
                else:
                    rec["refused"][r] = "%d %s" % (code, text.decode(errors="replace"))
        except smtplib.SMTPRecipientsRefused as e:
            retry = []
            for r, (code, text) in e.recipients.items():
                if 400 <= code < 500:
                    retry.append(r)
                else:
                    rec["refused"][r] = "%d %s" % (code, text.decode(errors="replace"))
            pending = retry
        except smtplib.SMTPResponseException as e:
            if not 400 <= e.smtp_code < 500:
                for r in pending:
                    rec["refused"][r] = "%d %s" % (e.smtp_code, str(e.smtp_error))
                pending = []
        except (OSError, smtplib.SMTPException):
            pass
        if pending:
            time.sleep(min(0.2 * rec["attempts"], 3.0))
    rec["gave_up"] = pending
    return rec


def progress(out, n):
    """The count done, replaced atomically (the soak reads it any time)."""
    with open(out + ".progress.tmp", "w") as p:
        p.write("%d\n" % n)
    os.replace(out + ".progress.tmp", out + ".progress")


def main():
    host, port, first, n, threads, msgdir, out = sys.argv[1:8]
    first, n, threads = int(first), int(n), int(threads)
    lock = threading.Lock()
    nxt = [first]
    done = [0]
    f = open(out, "w")

    def worker():
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= first + n:
                return
            rec = send_one(host, int(port), i, msgdir)
            with lock:
                f.write(json.dumps(rec) + "\n")
                done[0] += 1
                if done[0] % 20 == 0 or done[0] == n:
                    f.flush()
                    progress(out, done[0])

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    f.close()
    progress(out, done[0])


if __name__ == "__main__":
    main()
