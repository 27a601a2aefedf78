#!/usr/bin/env python3
"""Writes the mail exports that `quire batch` is tested on into TestDocuments/batch/.
Run once and commit the output:

    python3 TestDocuments/make_batch_fixtures.py

Every export kind Quire reads as a batch source, written byte by byte (the point is the
exact layout each exporter produces, which a mail library would normalise away):

- takeout.mbox        Gmail Takeout: `From <id>@xxx <date with the zone before the year>`,
                      X-GM-THRID threads and X-Gmail-Labels (a quoted label with a comma)
- mboxrd.mbox         `>From ` and `>>From ` escapes in bodies
- mboxcl.mbox         Content-Length (mboxcl2): a body line `From …` after a blank line
                      that only the stated length keeps inside its message
- groups.mbox         Google Groups-style envelope lines without an address
- Thunderbird/Inbox   an mbox with no extension, beside its .msf index (not mail)
- Maildir/            cur/ and new/ with flags in the file names, a Maildir++ folder
                      .Work.Clients, and tmp/ holding an unfinished delivery (never read)
- AppleMail/Inbox.mbox/<UUID>/Data/Messages/*.emlx   byte-count line, message, plist
- eml/2024/march/*.eml  nested folders of .eml
Duplicates across sources: msg-dup@example.org is in takeout.mbox and in the Maildir; a
message without a Message-ID is in eml/ twice, once with CRLF line ends.
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "batch")


def write(path, data):
    full = os.path.join(OUT, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)


def message(mid, sender, subject, date, body, extra="", to="team@example.org"):
    head = f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
    if mid:
        head += f"Message-ID: <{mid}>\n"
    return head + extra + "\n" + body


def takeout():
    parts = []
    rows = [
        ("t1@example.org", "Ada <ada@example.org>", "Budget 2024", "Mon, 01 Jan 2024 10:00:00 +0000", "1001", "Inbox,Work",
         "Please send the budget figures by Friday.\n", ""),
        ("t2@example.org", "Bob <bob@example.org>", "Re: Budget 2024", "Tue, 02 Jan 2024 09:00:00 +0000", "1001", "Inbox,Work",
         "The figures are attached: 120,000 for travel.\n\nOn Mon, Ada wrote:\n> Please send the budget figures by Friday.\n", ""),
        ("t3@example.org", "Carol <carol@example.org>", "Party", "Wed, 03 Jan 2024 18:00:00 +0000", "2002", '"Friends, family",Inbox',
         "Party at eight on Saturday.\n", ""),
        ("msg-dup@example.org", "Dan <dan@example.org>", "Invoice 42", "Thu, 04 Jan 2024 08:00:00 +0000", "3003", "Archived,Finance",
         "Invoice 42 is due on 31 January.\n", ""),
    ]
    for mid, sender, subject, date, thread, labels, body, extra in rows:
        envelope = f"From {thread}1234567890@xxx {date.split(', ')[0]} {date.split(' ')[2]} {date.split(' ')[1]} 10:00:00 +0000 {date.split(' ')[3]}\n"
        head = f"X-GM-THRID: {thread}\nX-Gmail-Labels: {labels}\n"
        parts.append(envelope + head + message(mid, sender, subject, date, body, extra))
    write("takeout.mbox", "\n".join(parts))


def mboxrd():
    a = message("rd1@example.org", "Eve <eve@example.org>", "Quoting From lines", "Fri, 05 Jan 2024 10:00:00 +0000",
                "First line.\n>From the archive: escaped once.\n>>From deeper: escaped twice.\n")
    b = message("rd2@example.org", "Eve <eve@example.org>", "Second", "Fri, 05 Jan 2024 11:00:00 +0000", "Just text.\n")
    write("mboxrd.mbox", "From eve@example.org Fri Jan  5 10:00:00 2024\n" + a + "\nFrom eve@example.org Fri Jan  5 11:00:00 2024\n" + b)


def mboxcl():
    body = "Minutes follow.\n\nFrom frank@example.org Sat Jan  6 10:00:00 2024\nThis line looks like a separator but is body text.\n"
    head = ("From: Frank <frank@example.org>\nTo: team@example.org\nSubject: Minutes\nDate: Sat, 06 Jan 2024 10:00:00 +0000\n"
            "Message-ID: <cl1@example.org>\n" + f"Content-Length: {len(body.encode())}\n")
    second = message("cl2@example.org", "Frank <frank@example.org>", "After the minutes", "Sat, 06 Jan 2024 12:00:00 +0000", "Next.\n")
    write("mboxcl.mbox", "From frank@example.org Sat Jan  6 10:00:00 2024\n" + head + "\n" + body +
          "\nFrom frank@example.org Sat Jan  6 12:00:00 2024\n" + second)


def groups():
    a = message("g1@example.org", "Gina <gina@example.org>", "Group welcome", "Sun, 07 Jan 2024 10:00:00 +0000", "Welcome to the group.\n",
                extra="List-Id: <team.example.org>\n")
    b = message("g2@example.org", "Hugo <hugo@example.org>", "Re: Group welcome", "Sun, 07 Jan 2024 11:00:00 +0000", "Thanks!\n",
                extra="In-Reply-To: <g1@example.org>\nReferences: <g1@example.org>\nList-Id: <team.example.org>\n")
    write("groups.mbox", "From gina Sun Jan 07 10:00:00 +0000 2024\n" + a + "\nFrom hugo Sun Jan 07 11:00:00 +0000 2024\n" + b)


def thunderbird():
    a = message("tb1@example.org", "Ivy <ivy@example.org>", "Thunderbird mail", "Mon, 08 Jan 2024 10:00:00 +0000", "From Thunderbird.\n")
    write("Thunderbird/Inbox", "From - Mon Jan  8 10:00:00 2024\nX-Mozilla-Status: 0001\n" + a)
    write("Thunderbird/Inbox.msf", "// <!-- <mdb:mork:z v=\"1.4\"/> -->\n< <(a=c)> // (f=iso-8859-1)\n")


def maildir():
    write("Maildir/cur/1704700000.M1P1.host:2,S", message("md1@example.org", "Jack <jack@example.org>", "Seen mail",
                                                          "Mon, 08 Jan 2024 12:00:00 +0000", "Read already.\n"))
    write("Maildir/cur/1704700001.M2P1.host:2,FRS", message("msg-dup@example.org", "Dan <dan@example.org>", "Invoice 42",
                                                            "Thu, 04 Jan 2024 08:00:00 +0000", "Invoice 42 is due on 31 January.\n"))
    write("Maildir/new/1704700002.M3P1.host", message("md2@example.org", "Kim <kim@example.org>", "New mail",
                                                      "Tue, 09 Jan 2024 09:00:00 +0000", "Not read yet.\n"))
    write("Maildir/tmp/1704700003.M4P1.host", message("md-tmp@example.org", "Lee <lee@example.org>", "Half delivered",
                                                      "Tue, 09 Jan 2024 09:30:00 +0000", "Still being written.\n"))
    write("Maildir/.Work.Clients/cur/1704700004.M5P1.host:2,RS", message("md3@example.org", "Mia <mia@example.org>", "Client call",
                                                                         "Wed, 10 Jan 2024 15:00:00 +0000", "Call moved to 3 pm.\n"))
    os.makedirs(os.path.join(OUT, "Maildir/.Work.Clients/new"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "Maildir/.Work.Clients/tmp"), exist_ok=True)
    for empty in ["Maildir/.Work.Clients/new", "Maildir/.Work.Clients/tmp"]:
        write(empty + "/.keep", "")


def apple_mail():
    plist = ('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">\n<dict>\n\t<key>flags</key>\n'
             '\t<integer>8590195713</integer>\n</dict>\n</plist>\n')
    for n, (mid, subject, body) in enumerate([("ap1@example.org", "Apple one", "Written in Mail.app.\n"),
                                              ("ap2@example.org", "Apple two", "Another one.\n")], start=1):
        msg = message(mid, "Nia <nia@example.org>", subject, f"Thu, 11 Jan 2024 1{n}:00:00 +0000", body).replace("\n", "\n")
        data = msg.encode()
        write(f"AppleMail/Inbox.mbox/0A1B2C3D-UUID/Data/Messages/{n}.emlx", f"{len(data)}      \n".encode() + data + plist.encode())


def eml_folder():
    no_id = message(None, "Olga <olga@example.org>", "No id", "Fri, 12 Jan 2024 10:00:00 +0000", "A message without a Message-ID.\n")
    write("eml/2024/march/no-id.eml", no_id)
    write("eml/2024/march/no-id-crlf.eml", no_id.replace("\n", "\r\n"))
    write("eml/2024/report.eml", message("e1@example.org", "Pia <pia@example.org>", "Report", "Sat, 13 Jan 2024 10:00:00 +0000",
                                         "The report is final.\n"))


if __name__ == "__main__":
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    takeout()
    mboxrd()
    mboxcl()
    groups()
    thunderbird()
    maildir()
    apple_mail()
    eml_folder()
