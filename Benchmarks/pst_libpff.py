#!/usr/bin/env python3
"""The peer for Outlook archives: libpff (pip install libpff-python) reading every message's
folder, subject, sender and plain-text body of a PST, writing them to standard output — the
work `quire extract --format text` does on the same file."""
import sys

import pypff


def walk(folder, path, out):
    for k in range(folder.number_of_sub_messages):
        m = folder.get_sub_message(k)
        body = m.plain_text_body
        out.write("%s\n%s\n%s\n\n%s\n" % (path, m.subject or "", m.sender_name or "", body.decode("utf-8", "replace") if body else ""))
    for k in range(folder.number_of_sub_folders):
        sub = folder.get_sub_folder(k)
        walk(sub, path + "/" + (sub.name or ""), out)


f = pypff.file()
f.open(sys.argv[1])
walk(f.get_root_folder(), "", sys.stdout)
