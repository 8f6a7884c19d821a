#!/usr/bin/python3
# tests/milter/noreply.py - the milter protocol as an MTA that offers the
# "no reply" steps (SMFIP_NR_*) speaks it, for grondslag-milter's
# negotiation (milter/daemon/callbacks.c: cb_negotiate).  miltertest cannot be
# used here: it waits for a reply after every command.
#
#   noreply.py unix SOCKET      the unix-socket cases (NR taken)
#   noreply.py inet HOST:PORT   the inet case (NR declined)
#
# Prints "ok - ..." / "not ok - ..." per check (counted by the suite).
# Addresses in the bodies: the TEST geo data puts 194.7.0.0/16 in Belgium
# and 133.0.0.0/8 in Japan (tests/geo/country.tsv).
import select
import socket
import struct
import sys

ADDHDRS, CHGBODY, DELRCPT, CHGHDRS = 0x01, 0x02, 0x08, 0x10
NOHELO, NOUNKNOWN, NODATA, NOEOH = 0x02, 0x100, 0x200, 0x40
NR_CONN, NR_HELO, NR_MAIL, NR_RCPT = 0x1000, 0x2000, 0x4000, 0x8000
NR_DATA, NR_UNKN, NR_EOH, NR_BODY, NR_HDR = 0x10000, 0x20000, 0x40000, 0x80000, 0x80
NR_ALL = NR_CONN | NR_HELO | NR_MAIL | NR_RCPT | NR_DATA | NR_UNKN | NR_EOH | NR_BODY | NR_HDR
# RCPT is answered: past the recipient limit it gets 452 (a no-reply
# stage cannot answer)
NR_OURS = NR_CONN | NR_MAIL | NR_HDR | NR_BODY
RCPTS_MAX = 1000                # include/grondslag/base/limits.h
OFFER_STEPS = 0x1FFFFF        # every step flag of protocol version 6
OFFER_ACTIONS = 0x1FF

fails = 0


def check(cond, desc):
    global fails
    print(("ok - " if cond else "not ok - ") + desc)
    fails += 0 if cond else 1


class Milter:
    def __init__(self, kind, where):
        if kind == "unix":
            self.s = socket.socket(socket.AF_UNIX)
            self.s.connect(where)
        else:
            host, port = where.rsplit(":", 1)
            self.s = socket.create_connection((host, int(port)))
        self.s.settimeout(30)

    def send(self, cmd, data=b""):
        self.s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

    def read(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError("milter closed the connection")
            b += c
        return b

    def reply(self):
        d = self.read(struct.unpack(">I", self.read(4))[0])
        return d[:1], d[1:]

    def quiet(self, secs=0.3):
        """True when the milter sent nothing (no reply is pending)."""
        r, _, _ = select.select([self.s], [], [], secs)
        return not r

    def negotiate(self, actions=OFFER_ACTIONS, steps=OFFER_STEPS):
        self.send(b"O", struct.pack(">III", 6, actions, steps))
        cmd, data = self.reply()
        if cmd != b"O" or len(data) < 12:
            return None
        _, self.actions, self.steps = struct.unpack(">III", data[:12])
        return self.steps

    def step(self, cmd, data, flag, macros=None, full=False):
        """Send one command; read its reply unless flag was negotiated."""
        if macros:
            self.send(b"D", cmd + b"".join(k + b"\0" + v + b"\0" for k, v in macros))
        self.send(cmd, data)
        if self.steps & flag:
            return None
        r = self.reply()
        return r if full else r[0]

    def message(self, qid, rcpts, headers, body, sender=b"<sender@ncsc.nl>"):
        """One message after connect; returns (replies before eom but RCPT's,
        quiet, eom replies); the RCPT replies (code, data) in self.rcpt."""
        early = []
        early.append(self.step(b"M", sender + b"\0", NR_MAIL, [(b"i", qid)]))
        self.rcpt = []
        for r in rcpts:
            # {rcpt_addr} as Postfix and Sendmail report it
            addr = r.strip(b"<>")
            self.rcpt.append(self.step(b"R", r + b"\0", NR_RCPT,
                                       [(b"i", qid), (b"{rcpt_addr}", addr)], full=True))
        for n, v in headers:
            early.append(self.step(b"L", n + b"\0" + v + b"\0", NR_HDR))
        if not self.steps & NOEOH:      # as an MTA does: not sent when declined
            early.append(self.step(b"N", b"", NR_EOH))
        early.append(self.step(b"B", body, NR_BODY))
        quiet = self.quiet()
        self.send(b"D", b"Ei\0" + qid + b"\0")
        self.send(b"E")
        final = []
        while True:
            cmd, data = self.reply()
            final.append((cmd, data))
            if cmd in (b"c", b"a", b"t", b"r", b"d", b"y"):
                return early, quiet, final

    def connect(self):
        data = b"client.example.org\0" + b"4" + struct.pack(">H", 25000) + b"127.0.0.1\0"
        return self.step(b"C", data, NR_CONN)


HDRS = [(b"From", b"Sender <sender@ncsc.nl>"), (b"Subject", b"test")]
BE = b"Belgian systems seen:\r\n194.7.1.10\r\n194.7.2.20\r\n194.7.3.30\r\n"
JP = b"Japanese systems seen:\r\n133.1.2.3\r\n133.4.5.6\r\n"


def unix_cases(path):
    m = Milter("unix", path)
    steps = m.negotiate()
    check(steps is not None, "unix: negotiation answered")
    if steps is None:
        return
    check(steps & NR_ALL == NR_OURS, "unix: no-reply steps taken: connect, mail, "
          "header, body, not rcpt (got %#x)" % (steps & NR_ALL))
    check(steps & (NOHELO | NOUNKNOWN | NODATA | NOEOH) == NOHELO | NOUNKNOWN | NODATA | NOEOH,
          "unix: helo, unknown, data and end of headers not wanted")
    check(m.actions == ADDHDRS | CHGHDRS | DELRCPT | CHGBODY, "unix: actions add/change header, "
          "delete recipient, and the offered body replacement (got %#x)" % m.actions)
    check(m.connect() is None and m.quiet(), "unix: no reply to connect")

    early, quiet, final = m.message(b"NR1", [b"<info@cert.be>"], HDRS, b"See you Tuesday.\r\n")
    check(quiet and early == [None] * len(early), "clean: no reply before the end of message")
    check([c for c, _ in m.rcpt] == [b"c"], "clean: RCPT answered continue")
    check([c for c, _ in final] == [b"c"], "clean: continue at eom (got %r)" % final)

    early, quiet, final = m.message(b"NR2", [b"<info@cert.be>", b"<info@jpcert.or.jp>"],
                                    HDRS + [(b"X-Grondslag", b"forged")], BE)
    cmds = [c for c, _ in final]
    check(quiet, "partial: no reply before the end of message")
    check(b"-" in cmds and any(d.startswith(b"<info@jpcert.or.jp>") for c, d in final if c == b"-"),
          "partial: the JPCERT/CC recipient deleted at eom")
    check(any(c == b"m" and b"X-Grondslag" in d for c, d in final),
          "partial: the forged inbound header removed")
    check(any(c == b"h" and d.startswith(b"X-Grondslag\0") for c, d in final),
          "partial: our header added")
    check(cmds[-1:] == [b"c"], "partial: continue last (got %r)" % cmds)

    early, quiet, final = m.message(b"NR3", [b"<info@jpcert.or.jp>"], HDRS, JP)
    check(quiet and [c for c, _ in final][-1:] == [b"d"], "all held: discard at eom")

    # Past the recipient limit each further RCPT gets 452 4.5.3 (the client
    # sends those in another transaction); the first RCPTS_MAX are decided.
    rcpts = [b"<r%d@example.net>" % i for i in range(RCPTS_MAX + 2)]
    early, quiet, final = m.message(b"NR4", rcpts, HDRS, BE)
    codes = [c for c, _ in m.rcpt]
    check(codes[:RCPTS_MAX] == [b"c"] * RCPTS_MAX, "too many recipients: the first %d "
          "accepted" % RCPTS_MAX)
    check(all(c == b"y" and d.startswith(b"452 4.5.3") for c, d in m.rcpt[RCPTS_MAX:]),
          "too many recipients: 452 4.5.3 past the limit (got %r)" % (m.rcpt[RCPTS_MAX:],))
    check(quiet, "too many recipients: no other reply before eom")
    check([c for c, _ in final][-1:] == [b"d"],
          "too many recipients: the accepted ones decided (all held: discard)")

    # Several messages on one connection stay in step after a failure.
    early, quiet, final = m.message(b"NR5", [b"<info@cert.be>"], HDRS, b"Again.\r\n")
    check([c for c, _ in final] == [b"c"], "after the failure: the next message continues")

    # One length limit (limits.h RCPT_TEXT_MAX, 1,024 bytes without the
    # <>): a held recipient that long is deleted like any other; a longer
    # one is refused at RCPT (501 5.1.3), never taken only to be answered
    # 451 at the end of every try.
    longest = b"<" + b"a" * (1024 - len(b"@jpcert.or.jp")) + b"@jpcert.or.jp>"
    early, quiet, final = m.message(b"NR7", [b"<info@cert.be>", longest], HDRS, BE)
    check(any(c == b"-" and d == longest + b"\0" for c, d in final) and
          [c for c, _ in final][-1:] == [b"c"],
          "1,024-byte recipient: held and deleted at eom (got %r)" % ([c for c, _ in final],))
    over = b"<a" + longest[1:]
    early, quiet, final = m.message(b"NR8", [b"<info@cert.be>", over], HDRS, BE)
    check(m.rcpt[1][0] == b"y" and m.rcpt[1][1].startswith(b"501 5.1.3"),
          "1,025-byte recipient: 501 5.1.3 at RCPT (got %r)" % (m.rcpt[1][:1],))
    check([c for c, _ in final] == [b"h", b"c"],
          "1,025-byte recipient: the rest of the message delivered (got %r)" %
          ([c for c, _ in final],))
    m.send(b"Q")

    # An MTA that offers no NR steps gets a reply to every command.
    m = Milter("unix", path)
    steps = m.negotiate(steps=OFFER_STEPS & ~NR_ALL)
    check(steps is not None and steps & NR_ALL == 0, "old MTA: no NR steps")
    check(m.connect() == b"c", "old MTA: connect answered")
    early, quiet, final = m.message(b"NR6", [b"<info@cert.be>"], HDRS, b"Old.\r\n")
    check(early == [b"c"] * len(early), "old MTA: every step answered continue")
    check([c for c, _ in final] == [b"c"], "old MTA: continue at eom")
    m.send(b"Q")

    # Without the delete-recipient action nothing can be held: refused.
    m = Milter("unix", path)
    try:
        steps = m.negotiate(actions=ADDHDRS | CHGHDRS)
        refused = steps is None
    except (EOFError, OSError):
        refused = True
    check(refused, "MTA without delete-recipient: connection refused")


def inet_cases(where):
    m = Milter("inet", where)
    steps = m.negotiate()
    check(steps is not None and steps & NR_ALL == 0,
          "inet: no-reply steps declined (Nagle), got %#x" % ((steps or 0) & NR_ALL))
    check(m.connect() == b"c", "inet: connect answered")
    early, quiet, final = m.message(b"NI1", [b"<info@cert.be>"], HDRS, b"Hello.\r\n")
    check(early == [b"c"] * len(early) and [c for c, _ in final] == [b"c"],
          "inet: every step answered, continue at eom")
    m.send(b"Q")


try:
    (unix_cases if sys.argv[1] == "unix" else inet_cases)(sys.argv[2])
except Exception as e:  # a protocol error is a failed check, never a hang
    check(False, "protocol error: %r" % (e,))
sys.exit(1 if fails else 0)
