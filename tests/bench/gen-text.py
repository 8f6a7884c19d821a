#!/usr/bin/env python3
"""gen-text.py - synthetic input for the IP scanner benchmark.

Usage: gen-text.py benign|dense SIZE_MB OUTFILE [SEED]

benign: mail-like text with few addresses: prose (English and Dutch, with
        version numbers, dates, times, prices, section numbers), mail
        headers, HTML with inline CSS, base64 and quoted-printable bodies.
dense:  an incident list: CSV lines "timestamp,ip,port,asn,geo,tag" with
        one address per line (IPv4, some IPv6), Shadowserver style.

A pool of varied lines is generated once and written in shuffled order
until the file reaches SIZE_MB, so the output is large but not periodic
at any short distance.  Deterministic for a given SEED.
"""
import random
import sys

WORDS = ("the of and to in is for on that with as this by from at be are it an was or "
         "message report incident network system server update release version security "
         "please find attached below regards team customer request ticket following "
         "de het een van en in is op te dat voor met niet zijn als ook bij aan wordt "
         "bericht melding beveiliging systeem organisatie graag bijlage hieronder "
         "vriendelijke groet verzoek volgende kwetsbaarheid leverancier onderzoek "
         "analysis vulnerability patch advisory affected products mitigation contact "
         "configuration firewall router gateway appliance firmware logging monitoring").split()
HOSTS = ["mail.example.org", "mx1.example.net", "relay.example.com", "smtp.example.nl",
         "www.example.org", "cdn.example.net", "static.example.com"]
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def sentence(r):
    n = r.randint(6, 22)
    words = [r.choice(WORDS) for _ in range(n)]
    k = r.random()
    if k < 0.08:
        words.insert(r.randint(0, n), "%d.%d.%d" % (r.randint(1, 9), r.randint(0, 20), r.randint(0, 99)))
    elif k < 0.12:
        words.insert(r.randint(0, n), "v%d.%d" % (r.randint(1, 9), r.randint(0, 20)))
    elif k < 0.16:
        words.insert(r.randint(0, n), "%02d:%02d" % (r.randint(0, 23), r.randint(0, 59)))
    elif k < 0.20:
        words.insert(r.randint(0, n), "2024-%02d-%02d" % (r.randint(1, 12), r.randint(1, 28)))
    elif k < 0.23:
        words.insert(r.randint(0, n), "EUR %d.%02d" % (r.randint(1, 999), r.randint(0, 99)))
    elif k < 0.26:
        words.insert(r.randint(0, n), "https://%s/path/%d" % (r.choice(HOSTS), r.randint(1, 999)))
    elif k < 0.28:
        words.insert(r.randint(0, n), "section %d.%d" % (r.randint(1, 9), r.randint(1, 9)))
    s = " ".join(words)
    return s[0].upper() + s[1:] + r.choice([".", ".", ".", "?", "!", ":", ","])


def prose(r):
    line = ""
    while len(line) < r.randint(40, 90):
        line += sentence(r) + " "
    return line.rstrip()


def header(r):
    k = r.random()
    if k < 0.3:
        return "Received: from %s (%s) by %s with ESMTPS id %X; Mon, %d Jan 2024 %02d:%02d:%02d +0100" % (
            r.choice(HOSTS), r.choice(HOSTS), r.choice(HOSTS), r.getrandbits(40),
            r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    if k < 0.5:
        return "Message-ID: <%x.%x@%s>" % (r.getrandbits(48), r.getrandbits(32), r.choice(HOSTS))
    if k < 0.7:
        return "Content-Type: text/plain; charset=\"utf-8\"; format=flowed"
    if k < 0.85:
        return "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel%d; h=from:to:subject:date" % r.randint(1, 9)
    return "Subject: Re: %s" % " ".join(r.choice(WORDS) for _ in range(r.randint(3, 8)))


def html(r):
    k = r.random()
    if k < 0.3:
        return '<div class="msg-%d" style="color:#%06x;font-size:%dpx;margin:0 0 %dpx 0">%s</div>' % (
            r.randint(1, 99), r.getrandbits(24), r.randint(10, 18), r.randint(0, 12), prose(r)[:60])
    if k < 0.6:
        return '<p><a href="https://%s/%s?id=%d&amp;lang=nl">%s</a></p>' % (
            r.choice(HOSTS), r.choice(WORDS), r.randint(1, 99999), " ".join(r.choice(WORDS) for _ in range(4)))
    if k < 0.8:
        return '<td style="padding:4px;border:1px solid #ddd">%s</td>' % " ".join(r.choice(WORDS) for _ in range(5))
    return '<span style="font-family:Arial,Helvetica,sans-serif">%s</span><br>' % prose(r)[:50]


def b64(r):
    return "".join(r.choice(B64) for _ in range(76))


def qp(r):
    s = prose(r)[:70]
    return s.replace(" ", "=20", 2) + "="


def benign_pool(r, n):
    kinds = [prose] * 40 + [html] * 25 + [b64] * 22 + [header] * 10 + [qp] * 3
    return [r.choice(kinds)(r) for _ in range(n)]


def public_v4(r):
    while True:
        a = r.randint(1, 223)
        if a not in (10, 100, 127, 169, 172, 192, 198, 203):
            return "%d.%d.%d.%d" % (a, r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def dense_pool(r, n):
    out = []
    for _ in range(n):
        if r.random() < 0.1:
            ip = "2a0%x:%x:%x::%x" % (r.randint(0, 15), r.getrandbits(16), r.getrandbits(16), r.getrandbits(16))
        else:
            ip = public_v4(r)
        out.append("2024-%02d-%02dT%02d:%02d:%02dZ,%s,%d,%d,%s,%s" % (
            r.randint(1, 12), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59),
            ip, r.choice([22, 23, 80, 443, 3389, 8080]), r.randint(1000, 65000),
            r.choice(["NL", "DE", "US", "JP", "GB", "CA", "FR"]),
            r.choice(["scan", "bruteforce", "botnet", "open-resolver", "coathanger"])))
    return out


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("benign", "dense"):
        sys.stderr.write(__doc__)
        return 2
    mode, size, path = sys.argv[1], int(sys.argv[2]) << 20, sys.argv[3]
    r = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
    pool = benign_pool(r, 60000) if mode == "benign" else dense_pool(r, 60000)
    written = 0
    with open(path, "w", encoding="ascii") as f:
        if mode == "dense":
            f.write("timestamp,ip,port,asn,geo,tag\n")
        while written < size:
            r.shuffle(pool)
            chunk = "\n".join(pool) + "\n"
            f.write(chunk)
            written += len(chunk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
