#!/usr/bin/env python3
"""tests/e2e/syslog-sink.py - a tiny syslog receiver for the e2e tests.

Sendmail logs only through syslog(3), i.e. to the AF_UNIX datagram socket
/dev/log, and this machine runs no syslog daemon.  lib.sh starts Sendmail in
a private mount namespace where /dev/log is a symlink to the socket this
program binds, so every test run has its own log and nothing global is
touched.

    syslog-sink.py SOCKET LOGFILE
    syslog-sink.py udp:PORT LOGFILE    (a remote syslog on 127.0.0.1)

Binds SOCKET (relative to its directory, so paths longer than sun_path
work), creates SOCKET.ready once listening, appends each datagram to LOGFILE
as one line (the "<PRI>" prefix removed, control characters replaced), and
flushes after every line so tests can poll the file.  SIGTERM/SIGINT: unlink
the socket and exit 0.  Limits: datagrams up to 64 KiB, lines cut at 8 KiB.
"""
import os
import signal
import socket
import sys


def main():
    """Receive datagrams until signalled."""
    if len(sys.argv) != 3:
        sys.stderr.write("usage: syslog-sink.py SOCKET LOGFILE\n")
        return 2
    log_path = os.path.abspath(sys.argv[2])
    if sys.argv[1].startswith("udp:"):
        # udp:PORT - a remote syslog on 127.0.0.1 (ready file: LOGFILE.ready)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", int(sys.argv[1][4:])))
        name = log_path
    else:
        sock_path = os.path.abspath(sys.argv[1])
        os.chdir(os.path.dirname(sock_path))
        name = os.path.basename(sock_path)
        if os.path.exists(name):
            os.unlink(name)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(name)
        os.chmod(name, 0o666)

    def stop(_sig, _frame):
        """Unlink the socket and leave."""
        try:
            if not sys.argv[1].startswith("udp:"):
                os.unlink(name)
        except OSError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(log_path, "ab", buffering=0) as log:
        open(name + ".ready", "w").close()
        while True:
            data = sock.recv(65536)
            if data.startswith(b"<"):
                end = data.find(b">", 0, 6)
                if end > 0:
                    data = data[end + 1:]
            data = data.rstrip(b"\n\0")[:8192]
            data = bytes(c if c >= 32 or c == 9 else 63 for c in data)
            log.write(data + b"\n")


if __name__ == "__main__":
    sys.exit(main())
