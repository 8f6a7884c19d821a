#!/usr/bin/env python3
"""tests/e2e/ctl-slow.py - slow clients of the control socket.

ctl-slow.py SOCKET N INTERVAL UID0 READYFILE [same]

Forks N clients; client i becomes uid UID0+i (a local user without a
role and without a passwd entry: run as root), or UID0 for all with
"same", connects to SOCKET and
sends one byte of a request every INTERVAL seconds, never a whole line,
until the daemon answers and closes.  When all N are connected (and have
sent their first byte) READYFILE is created.  Each client prints one line
"CLIENT i: SECONDS ANSWER" (seconds from its connect to the daemon's
close), the parent exits 0 when every client printed its line.
"""
import os
import socket
import sys
import time


def client(path, interval, uid, i, ready_w):
    os.setgid(uid)
    os.setuid(uid)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    t0 = time.monotonic()
    try:
        s.sendall(b"{")
    except OSError:
        # Refused at once (too many connections): the daemon may have
        # answered and closed before this first byte; its answer is
        # still there to read.
        pass
    os.write(ready_w, b"x")
    os.close(ready_w)
    s.settimeout(interval)
    answer = b""
    while True:
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            try:
                s.sendall(b" ")
            except OSError:
                break
            continue
        except OSError:
            break
        if not chunk:
            break
        answer += chunk
    took = time.monotonic() - t0
    sys.stdout.write("CLIENT %d: %.1f %s\n" % (i, took, answer.decode("utf-8", "replace").strip()))
    sys.stdout.flush()


def main():
    path, n, interval, uid0, readyfile = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), \
        int(sys.argv[4]), sys.argv[5]
    same = len(sys.argv) > 6 and sys.argv[6] == "same"
    ready_r, ready_w = os.pipe()
    pids = []
    for i in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            code = 1            # a client that fails says so in its status
            try:
                client(path, interval, uid0 if same else uid0 + i, i, ready_w)
                code = 0
            finally:
                sys.stdout.flush()
                os._exit(code)
        pids.append(pid)
    os.close(ready_w)
    got = 0
    while got < n:
        b = os.read(ready_r, n)
        if not b:
            break
        got += len(b)
    if got == n:
        open(readyfile, "w").close()
    rc = 0 if got == n else 1
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
