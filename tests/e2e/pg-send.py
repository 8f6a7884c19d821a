#!/usr/bin/python3
# tests/e2e/pg-send.py - send numbered test messages through one MTA and
# say what it answered to each (the relays-on-one-store suite).
#
#   pg-send.py PORT TAG FIRST LAST OUT [RCPT]
#
# Message i (FIRST..LAST) goes from TAG@ncsc.nl to RCPT (default
# info@jpcert.or.jp, a recipient the sample registry holds for a list of
# Japanese addresses): Message-ID <TAG-i@relays.test>, Subject "TAG i",
# a body with two Japanese addresses and its own line "TAG i" (so no two
# messages share a content key).  With RCPT "clean" the message goes to
# cert@cert.be without addresses (delivered at once).  One SMTP
# transaction each, a new connection when the last one broke.  OUT gets
# one line per message: "TAG-i CODE" (CODE 0 when no reply came).
import smtplib
import sys

port, tag, first, last, out = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), \
    int(sys.argv[4]), sys.argv[5]
rcpt = sys.argv[6] if len(sys.argv) > 6 else "info@jpcert.or.jp"
clean = rcpt == "clean"
conn = None
with open(out, "a") as f:
    for i in range(first, last + 1):
        mid = "%s-%d" % (tag, i)
        body = "See you on Tuesday.\r\n" if clean else "Systems seen:\r\n133.1.2.3\r\n133.4.5.6\r\n"
        msg = ("From: <%s@ncsc.nl>\r\nTo: <%s>\r\nSubject: %s %d\r\nMessage-ID: <%s@relays.test>\r\n"
               "\r\n%s%s %d\r\n" % (tag, "cert@cert.be" if clean else rcpt, tag, i, mid, body,
                                    tag, i))
        code = 0
        try:
            if conn is None:
                conn = smtplib.SMTP("127.0.0.1", port, timeout=60)
                conn.ehlo("client.example.org")
            refused = conn.sendmail("%s@ncsc.nl" % tag, ["cert@cert.be" if clean else rcpt],
                                    msg.encode())
            code = 0 if refused else 250
        except smtplib.SMTPDataError as e:
            code = e.smtp_code
        except smtplib.SMTPRecipientsRefused as e:
            code = list(e.recipients.values())[0][0]
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250 and conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            conn = None
        f.write("%s %d\n" % (mid, code))
        f.flush()
if conn is not None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        pass
