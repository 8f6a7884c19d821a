#!/usr/bin/python3
# tests/bench/webclient.py - make bench (web.sh): time pages of
# grondslag-web as a browser gets them: one TLS connection with the
# person's client certificate, kept alive, the session cookie sent back.
#
#   webclient.py HOST PORT CA CERT KEY N NAME=PATH...
#
# Per page: WARM requests not counted (the first sets up the session),
# then N, each timed from the request's first byte to the answer's last;
# prints "NAME status bytes p50_ms p99_ms max_ms first_ms" (status and
# bytes of the last answer; first_ms: the first, uncounted request).  A
# "{i}" in PATH is the request's number (modulo 128) times 65536 (an offset: page
# after page of a text).  Exit 1 when an answer was no 200.
import http.client, ssl, sys, time

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


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, max(0, int(len(v) * p + 0.999999) - 1))]


bad = False
for arg in sys.argv[7:]:
    name, path = arg.split("=", 1)
    first = None
    for i in range(WARM):
        ms = get(path.replace("{i}", str(i % 128 * 65536)))[2]
        first = ms if first is None else first
    times = []
    for i in range(WARM, WARM + n):
        status, size, ms = get(path.replace("{i}", str(i % 128 * 65536)))
        times.append(ms)
        if status != 200:
            bad = True
    print("%s %d %d %.2f %.2f %.2f %.2f" % (name, status, size, pct(times, 0.50),
                                            pct(times, 0.99), max(times), first), flush=True)
sys.exit(1 if bad else 0)
