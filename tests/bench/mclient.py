#!/usr/bin/python3
# tests/bench/mclient.py - a milter-protocol client that times each message
# (make bench: milter.sh, store.sh).
#
#   mclient.py SOCK FILE COUNT RCPT QIDPREFIX
#
# SOCK FILE COUNT RCPT QIDPREFIX: send FILE COUNT times, one connection
# each; print "all_us eom_us reply" per message.  RCPT: one recipient, or
# several separated by commas.
import socket, struct, sys, time
sock, path, count, rcpt, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
raw = open(path, "rb").read().replace(b"\r\n", b"\n")
head, _, body = raw.partition(b"\n\n")
hdrs = []
for line in head.split(b"\n"):
    if line[:1] in (b" ", b"\t") and hdrs:
        hdrs[-1][1] += b"\r\n" + line
    elif b":" in line:
        n, v = line.split(b":", 1)
        hdrs.append([n, v.strip()])
body = body.replace(b"\n", b"\r\n")

def send(s, cmd, data=b""):
    s.sendall(struct.pack(">I", len(data) + 1) + cmd + data)

def rd(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("milter closed the connection")
        b += c
    return b

def recv(s):
    d = rd(s, struct.unpack(">I", rd(s, 4))[0])
    return d[:1]

def ask(s, cmd, data=b""):
    send(s, cmd, data)
    r = recv(s)
    if r != b"c":
        raise RuntimeError("reply %r to %r" % (r, cmd))

for i in range(count):
    qid = b"%s%05d" % (prefix.encode(), i + 1)
    t0 = time.perf_counter()
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    send(s, b"O", struct.pack(">III", 6, 0x1FF, 0))
    if recv(s) != b"O":
        raise RuntimeError("no option negotiation")
    ask(s, b"C", b"localhost\0" + b"4" + struct.pack(">H", 25000) + b"127.0.0.1\0")
    send(s, b"D", b"M" + b"i\0" + qid + b"\0")
    ask(s, b"M", b"<soc@ncsc.nl>\0")
    for one in rcpt.split(","):
        ask(s, b"R", b"<%s>\0" % one.encode())
    for n, v in hdrs:
        ask(s, b"L", n + b"\0" + v + b"\0")
    ask(s, b"N")
    for off in range(0, len(body), 65535):
        ask(s, b"B", body[off:off + 65535])
    t1 = time.perf_counter()
    send(s, b"E")
    while True:
        r = recv(s)
        if r in (b"a", b"c", b"d", b"r", b"t", b"y"):
            break
    t2 = time.perf_counter()
    send(s, b"Q")
    s.close()
    print("%d %d %s" % ((t2 - t0) * 1e6, (t2 - t1) * 1e6, r.decode()), flush=True)
