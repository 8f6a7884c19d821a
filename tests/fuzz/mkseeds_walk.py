#!/usr/bin/env python3
"""Write the walker's fuzz seeds for the readers that decide by the bytes:
zip members of every mode, GIFAR, LZMA/OLE2/OpenPGP under media labels,
.p7s that is a CSV, base64 that is not, base64 in a 7bit part, office
documents with embedded objects, RTF, PDF attachments, duplicate
Content-Type headers, padded RFC 2047 Subjects.  Run from the repository
root: python3 tests/fuzz/mkseeds_walk.py"""
import base64, io, lzma, os, stat, zipfile

OUT = "tests/fuzz/seeds/walk"
LIST = b"ip,asn\n193.0.6.139,3333\n145.97.39.155,1103\n130.89.1.1,1133\n8.8.4.4,15169\n"
GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00"
       b"\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def b64lines(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def mixed(ctype, name, data, subject="seed"):
    return ("From: a@example.org\r\nSubject: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            "Content-Type: text/plain\r\n\r\nsee attached\r\n--b\r\nContent-Type: %s\r\n"
            "Content-Disposition: attachment; filename=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b--\r\n"
            % (subject, ctype, name, b64lines(data))).encode()


def zipbytes(members, modes=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i, (n, d) in enumerate(members):
            zi = zipfile.ZipInfo(n)
            zi.compress_type = zipfile.ZIP_DEFLATED
            if modes:
                zi.create_system = 3
                zi.external_attr = modes[i] << 16
            z.writestr(zi, d)
    return buf.getvalue()


def pdf_with_file(name, data):
    objs = [b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(%s) 4 0 R]"
            b" >> >> >>" % name, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
            b"<< /Type /Filespec /F (%s) /EF << /F 5 0 R >> >>" % name,
            b"<< /Type /EmbeddedFile /Length %d >>\nstream\n%s\nendstream" % (len(data), data)]
    out, offs = b"%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i + 1, o)
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)


def seeds():
    modes = [stat.S_IFCHR | 0o644, stat.S_IFBLK | 0o644, stat.S_IFSOCK | 0o644,
             stat.S_IFDIR | 0o755, stat.S_IFLNK | 0o777]
    yield "zipmodes.eml", mixed("application/zip", "m.zip", zipbytes(
        [("c.csv", LIST), ("b.csv", LIST), ("s.csv", LIST), ("d.csv/", LIST), ("l.csv", LIST)],
        modes))
    yield "gifar.eml", mixed("image/gif", "logo.gif", GIF + zipbytes([("list.csv", LIST)]))
    yield "giftail.eml", mixed("image/gif", "p.gif", GIF + LIST)
    yield "lzma.eml", mixed("image/png", "c.png", lzma.compress(LIST, format=lzma.FORMAT_ALONE))
    yield "ole2.eml", mixed("image/jpeg", "x.jpg",
                            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 2)
    yield "pgpbinary.eml", mixed("video/mp4", "v.mp4",
                                 b"\x85\x01\x0c\x03\x12\x34" + bytes(range(200)))
    yield "p7scsv.eml", mixed("application/pkcs7-signature", "smime.p7s", LIST)
    yield "badb64.eml", (b"Subject: x\r\nContent-Type: text/csv\r\n"
                         b"Content-Transfer-Encoding: base64\r\n\r\n" + LIST.replace(b"\n", b"\r\n"))
    yield "b64in7bit.eml", (b"Subject: x\r\nContent-Type: text/plain\r\n"
                            b"Content-Transfer-Encoding: 7bit\r\n\r\nexport:\r\n"
                            + b64lines(LIST * 4).encode() + b"\r\n")
    xlsx = zipbytes([("[Content_Types].xml", b"<Types/>"),
                     ("xl/data/s.xml", b"<worksheet><c t=\"inlineStr\"><is><t>193.0.6.139</t></is>"
                                      b"</c></worksheet>")])
    yield "docxembed.eml", mixed(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "r.docx",
        zipbytes([("[Content_Types].xml", b"<Types/>"),
                  ("word/document.xml", b"<w:document><w:t>x</w:t></w:document>"),
                  ("word/embeddings/Sheet.xlsx", xlsx),
                  ("xl/pivotCache/pivotCacheRecords1.xml", b"<r><s v=\"145.97.39.155\"/></r>"),
                  ("word/media/image1.gif", GIF)]))
    yield "rtf.eml", mixed("application/rtf", "t.rtf",
                           b"{\\rtf1\\ansi{\\fonttbl{\\f0 A;}}\\trowd\\cellx100{\\b 193.0.}{6.139}"
                           b"\\cell 130.89\\'2e1.1\\cell\\u56?.8.4.4\\row{\\pict 0102}}")
    obj = (b"0105000002000000" + zipbytes([("list.csv", LIST)]).hex().encode())
    yield "rtfobject.eml", mixed("application/rtf", "o.rtf",
                                 b"{\\rtf1 x{\\object{\\*\\objdata " + obj + b"}}}")
    yield "pdfattach.eml", mixed("application/pdf", "r.pdf", pdf_with_file(b"list.csv", LIST))
    yield "dupct.eml", ("Subject: x\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: multipart/mixed; boundary=\"h\"\r\nContent-Type: text/plain\r\n"
                        "\r\n--h\r\nContent-Type: text/csv\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        "%s\r\n--h--\r\n" % b64lines(LIST)).encode()
    yield "subject2047.eml", (b"Subject: =?utf-8?B?MTkzLjAuNi4xMzksIA==?= =?utf-8?B?OC44LjguOCwg?=\r\n"
                              b" =?utf-8?B?bGlzdCAxLjEuMS4xLA==OS45LjkuOQ==?=\r\n\r\nb\r\n")


def main():
    for name, data in seeds():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
