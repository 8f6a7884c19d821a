#!/usr/bin/python3
# tests/e2e/smtp-send.py - one SMTP transaction with recipients exactly as
# given (swaks splits "--to" at commas, so a two-hop source route
# "<@a,@b:u@d>" cannot pass through it, and smtplib rewrites addresses).
#
#   smtp-send.py PORT FROM MESSAGE-FILE RCPT...
#
# Each RCPT is sent as "RCPT TO:<RCPT>" unless it already starts with '<'.
# Prints "RCPT CODE TEXT" per recipient, then "DATA CODE TEXT" (DATA only
# when a recipient was accepted, as a client does).  Exit status 0 when
# the dialogue completed, 1 on a protocol or connection error.
import socket
import sys


def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise EOFError("server closed the connection")
        lines.append(line.rstrip(b"\r\n").decode("utf-8", "replace"))
        if len(line) < 4 or line[3:4] != b"-":
            return lines[0][:3], lines[-1][4:]


def main():
    port, sender, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    rcpts = sys.argv[4:]
    s = socket.create_connection(("127.0.0.1", port), timeout=120)
    f = s.makefile("rb")

    def cmd(text):
        s.sendall(text.encode() + b"\r\n")
        return reply(f)

    reply(f)
    cmd("EHLO client.example.org")
    code, text = cmd("MAIL FROM:<%s>" % sender)
    if code != "250":
        print("MAIL %s %s" % (code, text))
        return 1
    accepted = 0
    for r in rcpts:
        code, text = cmd("RCPT TO:%s" % (r if r.startswith("<") else "<%s>" % r))
        print("RCPT %s %s" % (code, text))
        accepted += code == "250"
    if accepted:
        code, text = cmd("DATA")
        if code == "354":
            data = open(path, "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            data = b"\r\n".join(b"." + l if l.startswith(b".") else l for l in data.split(b"\r\n"))
            if not data.endswith(b"\r\n"):
                data += b"\r\n"
            s.sendall(data + b".\r\n")
            code, text = reply(f)
        print("DATA %s %s" % (code, text))
    cmd("QUIT")
    return 0


try:
    sys.exit(main())
except (OSError, EOFError) as e:
    print("ERROR %r" % (e,))
    sys.exit(1)
