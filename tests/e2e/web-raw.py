#!/usr/bin/python3
"""tests/e2e/web-raw.py - raw HTTP on grondslag-web's unix socket (proxy
mode), for what a browser or curl cannot do: trickle a request, send too
much, speak as a process of another uid.

  web-raw.py SOCKET get HEADER VALUE      one GET / with HEADER: VALUE;
                                          prints the status line's code
  web-raw.py SOCKET slow HEADER VALUE     the request line, then one header
                                          line a second, never the end;
                                          prints "cut after N s" when the
                                          console closes, "open" after 60 s
  web-raw.py SOCKET bighead               headers of 40 KiB; prints the
                                          status code, or "closed"
  web-raw.py SOCKET bigbody HEADER VALUE  a POST with a body of 70 000
                                          bytes; prints the status code
"""
import socket
import sys
import time

path, action = sys.argv[1:3]
args = sys.argv[3:]


def dial():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(70)
    s.connect(path)
    return s


def status(s):
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    if not data.startswith(b"HTTP/"):
        return "closed"
    return data.split(b" ", 2)[1].decode()


if action == "get":
    s = dial()
    s.sendall(("GET / HTTP/1.1\r\nHost: localhost\r\n%s: %s\r\nConnection: close\r\n\r\n"
               % (args[0], args[1])).encode())
    print(status(s))
elif action == "slow":
    s = dial()
    t0 = time.monotonic()
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
    s.sendall(("%s: %s\r\n" % (args[0], args[1])).encode())
    s.setblocking(False)
    i = 0
    while time.monotonic() - t0 < 60:
        try:
            if s.recv(4096) == b"":
                break
        except BlockingIOError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            break
        try:
            s.send(("X-Slow-%d: a\r\n" % i).encode())
        except (ConnectionResetError, BrokenPipeError):
            break
        i += 1
        time.sleep(1)
    else:
        print("open")
        sys.exit(0)
    print("cut after %d s" % round(time.monotonic() - t0))
elif action == "bighead":
    s = dial()
    try:
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n" +
                  b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(40)) + b"\r\n")
    except (ConnectionResetError, BrokenPipeError):
        pass
    print(status(s))
elif action == "bigbody":
    s = dial()
    body = b"x=" + b"a" * 70000
    try:
        s.sendall(("POST /decide HTTP/1.1\r\nHost: localhost\r\n%s: %s\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n"
                   "Content-Length: %d\r\nConnection: close\r\n\r\n"
                   % (args[0], args[1], len(body))).encode() + body)
    except (ConnectionResetError, BrokenPipeError):
        pass
    print(status(s))
else:
    sys.exit("unknown action " + action)
