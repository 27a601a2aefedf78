#!/usr/bin/env python3
"""Writes Quire's own mail fixtures into TestDocuments/mail/. Run once and commit the output.

    python3 TestDocuments/make_mail_fixtures.py

Uses only Python's email package (and the DOCX/XLSX fixtures beside this script, attached
to a message to test recursive extraction). Hostile and legacy messages are written as
bytes by hand, since a correct library will not produce them.
"""
import os
from email.message import EmailMessage
from email.headerregistry import Address
from email.utils import format_datetime, make_msgid
import datetime as dt

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "mail")


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def report_mail():
    msg = EmailMessage()
    msg["Subject"] = "Quarterly report — figures attached ✓"
    msg["From"] = Address("Zoë Müller", "zoe.mueller", "example.com")
    msg["To"] = [Address("Ada Lovelace", "ada", "example.org"), Address("", "team", "example.org")]
    msg["Cc"] = "Finance: bob@example.org, carol@example.org;"
    msg["Date"] = format_datetime(dt.datetime(2024, 3, 1, 9, 30, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))))
    msg["Message-ID"] = "<report-2024-q1@example.com>"
    msg.set_content("Hello Ada,\n\nthe report for the first quarter is attached, with the sales workbook.\n\n"
                    "Revenue grew by 12 %.\n\n-- \nZoë\n")
    msg.add_alternative("<html><body><p>Hello Ada,</p><p>the report for the <b>first quarter</b> is attached "
                        "(<a href=\"https://example.com/q1\">online copy</a>).</p><ul><li>Revenue +12 %</li>"
                        "<li>Costs flat</li></ul><script>alert(1)</script></body></html>", subtype="html")
    with open(os.path.join(HERE, "sample-report.docx"), "rb") as f:
        msg.add_attachment(f.read(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="Q1 report.docx")
    with open(os.path.join(HERE, "number-formats.xlsx"), "rb") as f:
        msg.add_attachment(f.read(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename="Umsätze 2024.xlsx")
    write("report-with-attachments.eml", bytes(msg))
    return msg


def forwarded(inner):
    msg = EmailMessage()
    msg["Subject"] = "Fwd: Quarterly report"
    msg["From"] = "Ada Lovelace <ada@example.org>"
    msg["To"] = "board@example.org"
    msg["Date"] = "Mon, 4 Mar 2024 08:00:00 +0000"
    msg["Message-ID"] = "<fwd-1@example.org>"
    msg.set_content("See the message below.\n")
    msg.add_attachment(inner)
    write("forwarded.eml", bytes(msg))


def legacy():
    # Charsets through iconv, RFC 2047 in several forms, RFC 2231 continuations, a folded
    # header, quoted-printable and base64 with junk, uuencode, no blank line after headers.
    iso2022 = "会議の議事録".encode("iso2022_jp")
    koi8 = "Привет, мир".encode("koi8_r")
    sjis = "添付ファイル".encode("shift_jis")
    parts = [
        b"From: =?ISO-2022-JP?B?" + __import__("base64").b64encode("山田太郎".encode("iso2022_jp")) + b"?= <yamada@example.jp>\r\n",
        b"To: \"Smith, John\" <john@example.com>, undisclosed-recipients:;\r\n",
        b"Subject: =?utf-8?q?Caf=C3=A9?= =?utf-8?q?_au_lait?=\r\n  and more\r\n",
        b"Date: 1 Jul 03 10:52 EST\r\n",
        b"Message-ID: <legacy@example.jp>\r\n",
        b"In-Reply-To: <parent@example.jp>\r\n",
        b"References: <root@example.jp> <parent@example.jp>\r\n",
        b"MIME-Version: 1.0\r\n",
        b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n",
        b"preamble\r\n--outer\r\n",
        b"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n", iso2022, b"\r\n",
        b"--outer\r\nContent-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*0*=shift_jis''", b"".join(b"%%%02X" % c for c in sjis[:6]),
        b";\r\n filename*1*=", b"".join(b"%%%02X" % c for c in sjis[6:]), b".txt\r\n\r\n",
        __import__("base64").b64encode(koi8)[:8], b"\r\n!!*?!!\r\n", __import__("base64").b64encode(koi8)[8:], b"\r\n",
        b"--outer\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        b"Content-Disposition: attachment; filename=\"notes.txt\"\r\n\r\nGr=FC=DFe aus K=F6ln, this line is soft=\r\n broken.\r\n",
        b"--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n"
        b"Content-Disposition: attachment; filename=\"hello.txt\"\r\n\r\nbegin 644 hello.txt\r\n#:&DA\r\n`\r\nend\r\n",
        b"--outer--\r\nepilogue\r\n",
    ]
    write("legacy-charsets.eml", b"".join(parts))
    # No blank line after the headers; NUL bytes in the body.
    write("no-separator.eml", b"From: a@example.com\nSubject: no blank line\nThis line starts the body.\nSecond\x00line.\n")
    # A multipart whose boundary never occurs, and one without its closing boundary.
    write("bad-boundaries.eml",
          b"From: a@example.com\nSubject: bad boundaries\nContent-Type: multipart/mixed; boundary=\"nowhere\"\n\n"
          b"Just text, no parts at all.\n")
    write("unclosed-multipart.eml",
          b"From: a@example.com\nSubject: unclosed\nContent-Type: multipart/alternative; boundary=b\n\n"
          b"--b\nContent-Type: text/plain\n\nplain part\n--b\nContent-Type: text/html\n\n<p>html <i>part</i></p>\n")
    # Nesting far past any sensible depth.
    depth = 200
    body = b"".join(b"--d%d\nContent-Type: multipart/mixed; boundary=\"d%d\"\n\n" % (i, i + 1) for i in range(depth))
    write("deep-nesting.eml", b"From: a@example.com\nSubject: deep\nContent-Type: multipart/mixed; boundary=\"d0\"\n\n" + body + b"inner text\n")


def mbox():
    # A thread of three messages, with a >From escaped body line, a Content-Length message,
    # a body line "From Russia with love", CRLF in one message.
    m1 = (b"From: Ada <ada@example.org>\nTo: team@example.org\nSubject: Launch plan\n"
          b"Date: Tue, 5 Mar 2024 09:00:00 +0000\nMessage-ID: <m1@example.org>\n\n"
          b"Here is the plan.\n>From the top: design, build, ship.\nFrom Russia with love\n")
    m2 = (b"From: Bob <bob@example.org>\nTo: team@example.org\nSubject: Re: Launch plan\n"
          b"Date: Tue, 5 Mar 2024 10:15:00 +0000\nMessage-ID: <m2@example.org>\nIn-Reply-To: <m1@example.org>\n"
          b"References: <m1@example.org>\nContent-Length: 58\n\n"
          b"Looks good.\n\nFrom here I would add a test week.\n\n> Here is")
    assert len(m2.split(b"\n\n", 1)[1]) == 58, len(m2.split(b"\n\n", 1)[1])
    m3 = (b"From: Carol <carol@example.org>\r\nTo: team@example.org\r\nSubject: Re: Launch plan\r\n"
          b"Date: Tue, 5 Mar 2024 11:30:00 +0000\r\nMessage-ID: <m3@example.org>\r\nIn-Reply-To: <m2@example.org>\r\n"
          b"References: <m1@example.org> <m2@example.org>\r\n\r\nAgreed.\r\n")
    data = (b"\xef\xbb\xbfFrom ada@example.org Tue Mar  5 09:00:00 2024\n" + m1 + b"\n"
            b"From bob@example.org Tue Mar  5 10:15:00 2024\n" + m2 + b"\n\n"
            b"From carol@example.org Tue Mar  5 11:30:00 2024\r\n" + m3)
    write("thread.mbox", data)


def header_quirks():
    # A raw 8-bit byte inside an encoded word: decoded once, by the word's charset
    # (Python's email gives "Die Hasen und die Frösche").
    write("rfc2047-8bit-in-word.eml",
          b"From: Fabel <fabel@example.de>\nTo: leser@example.de\n"
          b"Subject: =?iso-8859-1?q?Die_Hasen_und_die_Fr\xf6sche?=\n"
          b"X-Note: =?utf-8?q?gr=C3=BC=C3=9F_?= und sch\xc3\xb6n\n"
          b"Date: Mon, 01 Jan 2024 10:00:00 +0100\nMessage-ID: <fabel@example.de>\n\nEine Fabel.\n")
    # Obsolete RFC 5322 syntax: blanks before the colon, a folded address list.
    write("obsolete-header-syntax.eml",
          b"Subject : Obsolete spacing\nFrom : Ada <ada@example.org>\nTo: b@example.org,\n\tc@example.org\n"
          b"Date : Mon, 01 Jan 2024 10:00:00 +0000\n\nBody text.\n")


def mailing_list():
    # A list thread: a question, a bottom-posted answer, an interleaved answer; every
    # message ends with the list's footer (a rule, then unsubscribe boilerplate).
    footer = (b"\n---\nTo unsubscribe, send mail to devel-leave@lists.example.org.\n"
              b"List archive: https://lists.example.org/devel\n")
    q = (b"From: Ana <ana@example.org>\nTo: devel@lists.example.org\nSubject: Build fails on ARM\n"
         b"Date: Mon, 4 Mar 2024 09:00:00 +0000\nMessage-ID: <q1@example.org>\nList-Id: <devel.lists.example.org>\n\n"
         b"The nightly build fails on ARM since Friday.\nDoes anyone know why?\n" + footer)
    a1 = (b"From: Ben <ben@example.org>\nTo: devel@lists.example.org\nSubject: Re: Build fails on ARM\n"
          b"Date: Mon, 4 Mar 2024 10:00:00 +0000\nMessage-ID: <a1@example.org>\nIn-Reply-To: <q1@example.org>\n"
          b"References: <q1@example.org>\nList-Id: <devel.lists.example.org>\n\n"
          b"Ana wrote:\n> The nightly build fails on ARM since Friday.\n> Does anyone know why?\n\n"
          b"The compiler was upgraded to version 14 on Friday.\nPinning it to 13 fixes the build.\n" + footer)
    a2 = (b"From: Cy <cy@example.org>\nTo: devel@lists.example.org\nSubject: Re: Build fails on ARM\n"
          b"Date: Mon, 4 Mar 2024 11:00:00 +0000\nMessage-ID: <a2@example.org>\nIn-Reply-To: <a1@example.org>\n"
          b"References: <q1@example.org> <a1@example.org>\nList-Id: <devel.lists.example.org>\n\n"
          b"On Mon, 4 Mar 2024, Ben wrote:\n> The compiler was upgraded to version 14 on Friday.\n"
          b"I will revert the upgrade today.\n> Pinning it to 13 fixes the build.\nAgreed, pin it until the fix lands in May.\n" + footer)
    data = (b"From ana@example.org Mon Mar  4 09:00:00 2024\n" + q + b"\n"
            b"From ben@example.org Mon Mar  4 10:00:00 2024\n" + a1 + b"\n"
            b"From cy@example.org Mon Mar  4 11:00:00 2024\n" + a2)
    write("list-thread.mbox", data)


def message(headers, body):
    """A message from (name, value) header pairs and a body, as bytes."""
    return "".join("%s: %s\n" % h for h in headers).encode() + b"\n" + body.encode()


def triage():
    # A reader's inbox (grace@example.org) for quire triage: a direct request with a day, a
    # newsletter, an auto-reply, a message she is copied on with a promise and a date, a
    # thread whose latest message asks her for something tomorrow, a bounce, an urgent
    # message marked Importance: high, and one of her own.
    mails = [
        message([("From", "Ada <ada@example.org>"), ("To", "Grace Hopper <grace@example.org>"), ("Subject", "Supplier contract"),
                 ("Date", "Mon, 11 Mar 2024 09:00:00 +0100"), ("Message-ID", "<t1@example.org>")],
                "Hi Grace,\n\nCould you sign the supplier contract by Friday? Legal needs it before the audit.\n\nThanks,\nAda\n"),
        message([("From", "Weekly Digest <news@lists.example.com>"), ("To", "grace@example.org"), ("Subject", "This week in logistics"),
                 ("Date", "Mon, 11 Mar 2024 06:00:00 +0000"), ("Message-ID", "<t2@lists.example.com>"), ("List-Id", "<digest.lists.example.com>"),
                 ("List-Unsubscribe", "<mailto:leave@lists.example.com>")],
                "Ten stories this week. Could you imagine shipping without containers?\n"),
        message([("From", "Bob <bob@example.org>"), ("To", "grace@example.org"), ("Subject", "Automatic reply: Q3 numbers"),
                 ("Date", "Tue, 12 Mar 2024 10:01:00 +0000"), ("Message-ID", "<t3@example.org>"), ("Auto-Submitted", "auto-replied")],
                "I am out of the office until Monday. Please contact Dan for anything urgent.\n"),
        message([("From", "Bob <bob@example.org>"), ("To", "team@example.org"), ("Cc", "grace@example.org"), ("Subject", "Q3 numbers"),
                 ("Date", "Tue, 12 Mar 2024 10:00:00 +0000"), ("Message-ID", "<t4@example.org>")],
                "The Q3 numbers are final.\n\nI will send the deck on 2024-03-14.\n"),
        message([("From", "Grace Hopper <grace@example.org>"), ("To", "Dan <dan@example.org>"), ("Subject", "Review meeting"),
                 ("Date", "Wed, 13 Mar 2024 09:00:00 +0000"), ("Message-ID", "<t5@example.org>")],
                "Can we move the review to Thursday?\n"),
        message([("From", "Dan <dan@example.org>"), ("To", "Grace Hopper <grace@example.org>"), ("Subject", "Re: Review meeting"),
                 ("Date", "Wed, 13 Mar 2024 10:00:00 +0000"), ("Message-ID", "<t6@example.org>"), ("In-Reply-To", "<t5@example.org>"),
                 ("References", "<t5@example.org>")],
                "Yes, Thursday works.\n\nPlease book the room for 10:00 tomorrow.\n\nOn Wed, 13 Mar 2024, Grace wrote:\n> Can we move the review to Thursday?\n"),
        message([("From", "Mail Delivery System <MAILER-DAEMON@example.org>"), ("To", "grace@example.org"),
                 ("Subject", "Undelivered Mail Returned to Sender"), ("Date", "Wed, 13 Mar 2024 11:00:00 +0000"), ("Message-ID", "<t7@example.org>")],
                "This is the mail system. Your message could not be delivered to one or more recipients.\n"),
        message([("From", "Ops <ops@example.org>"), ("To", "grace@example.org"), ("Subject", "EU server down"), ("Importance", "high"),
                 ("Date", "Thu, 14 Mar 2024 06:30:00 +0000"), ("Message-ID", "<t8@example.org>")],
                "The EU server is down since 06:00. Can you approve the failover now?\n"),
        message([("From", "Grace Hopper <grace@example.org>"), ("To", "Ada <ada@example.org>"), ("Subject", "Lunch"),
                 ("Date", "Thu, 14 Mar 2024 12:00:00 +0000"), ("Message-ID", "<t9@example.org>")],
                "Shall we have lunch on Friday?\n"),
    ]
    data = b"".join(b"From triage@example.org Mon Mar 11 09:00:00 2024\n" + m + b"\n" for m in mails)
    write("triage.mbox", data)


def invoices():
    # Three supplier mails for quire extract-fields: labelled values in two layouts, and
    # one mail without any.
    mails = [
        message([("From", "Billing <billing@supplier.example>"), ("To", "ap@example.org"), ("Subject", "Invoice INV-1042"),
                 ("Date", "Fri, 1 Mar 2024 09:00:00 +0000"), ("Message-ID", "<inv-1042@supplier.example>")],
                "Dear customer,\n\nPlease find our invoice below.\n\nInvoice no: INV-1042\nTotal: EUR 4,200.50\nDue: 31 March 2024\nPaid: no\n\n"
                "Kind regards,\nBilling\n"),
        message([("From", "Accounts <accounts@other.example>"), ("To", "ap@example.org"), ("Subject", "Your invoice"),
                 ("Date", "Mon, 4 Mar 2024 10:00:00 +0000"), ("Message-ID", "<inv-7@other.example>")],
                "Hello,\n\n- **Invoice number:** 7-2024\n- **Total:** 1,180.00 EUR\n- **Due date:** 2024-04-15\n\nThanks!\n"),
        message([("From", "Billing <billing@supplier.example>"), ("To", "ap@example.org"), ("Subject", "Holiday opening hours"),
                 ("Date", "Tue, 5 Mar 2024 08:00:00 +0000"), ("Message-ID", "<hours@supplier.example>")],
                "Our office is closed on Friday.\n"),
    ]
    data = b"".join(b"From billing@example.org Fri Mar  1 09:00:00 2024\n" + m + b"\n" for m in mails)
    write("invoices.mbox", data)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    inner = report_mail()
    forwarded(inner)
    legacy()
    mbox()
    header_quirks()
    mailing_list()
    triage()
    invoices()
    print("mail fixtures written to", OUT)
