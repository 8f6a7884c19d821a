#!/usr/bin/python3
# tests/bench/webclient.py - make bench (web.sh): time pages of
# grondslag-web as a browser gets them: one TLS connection with the
# person's client certificate, kept alive, the session cookie sent back.
#
#   webclient.py HOST PORT CA CERT KEY N NAME=PATH...
#
# Per page: WARM requests not counted (the first sets up the session),
# then N, each timed from the request's first byte to the answer's last;
# prints "NAME status bytes p50_ms p99_ms max_ms first_ms cpu_ms" (status and
# bytes of the last answer; first_ms: the first, uncounted request).  A
# "{i}" in PATH is the request's number (modulo 128) times 65536 (an offset: page
# after page of a text).  With BENCH_WEB_PIDS (the daemon's and the
# console's process ids) also "cpu_ms": the CPU both used per counted
# request (user + system, from /proc), a figure a busy machine does not
# inflate the way it does the latency.  Exit 1 when an answer was no 200.
import http.client, os, ssl, sys, time

host, port, ca, cert, key, n = sys.argv[1:7]
n = int(n)
WARM = 5
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=120)
cookie = None


def get(path):
    global cookie, conn
    hdrs = {"Accept-Language": "en"}
    if cookie:
        hdrs["Cookie"] = cookie
    t0 = time.perf_counter()
    conn.request("GET", path, headers=hdrs)
    r = conn.getresponse()
    body = r.read()
    t1 = time.perf_counter()
    c = r.getheader("Set-Cookie")
    if c:
        cookie = c.split(";", 1)[0]
    if r.getheader("Connection", "").lower() == "close":
        conn.close()
        conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=120)
    return r.status, len(body), (t1 - t0) * 1000.0


PIDS = os.environ.get("BENCH_WEB_PIDS", "").split()
TICK = os.sysconf("SC_CLK_TCK")


def cpu():
    """CPU seconds used so far by PIDS (their threads included)."""
    t = 0
    for p in PIDS:
        with open("/proc/%s/stat" % p) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        t += int(fields[11]) + int(fields[12])
    return t / TICK


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(len(v) * p + 0.999999) - 1))]


bad = False
for arg in sys.argv[7:]:
    if arg.startswith("-"):
        continue  # a page left out
    name, path = arg.split("=", 1)
    first = None
    for i in range(WARM):
        ms = get(path.replace("{i}", str(i % 128 * 65536)))[2]
        first = ms if first is None else first
    times = []
    c0 = cpu()
    for i in range(WARM, WARM + n):
        status, size, ms = get(path.replace("{i}", str(i % 128 * 65536)))
        times.append(ms)
        if status != 200:
            bad = True
    c1 = cpu()
    print("%s %d %d %.2f %.2f %.2f %.2f %.2f" % (name, status, size, pct(times, 0.50),
                                                 pct(times, 0.99), max(times), first,
                                                 (c1 - c0) * 1000.0 / n), flush=True)
sys.exit(1 if bad else 0)
