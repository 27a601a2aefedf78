#!/usr/bin/env python3
"""Has LibreOffice read Word documents and report, per document, one JSON object: the
tracked changes it found (type and author), the comments (author and text), and the text
with all changes accepted and with all changes rejected.

LibreOffice (soffice --headless --convert-to odt) does the reading; this script only reads
the OpenDocument it writes: the changed regions of <text:tracked-changes>, the change marks
in the body and the <office:annotation> elements. Standard library only.

Usage: lo_review_check.py DOC.docx...   (needs soffice; Quire's review test runs it and is
skipped, saying so, when soffice is absent.)"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
}
T = "{%s}" % NS["text"]
O = "{%s}" % NS["office"]
BLOCKS = {T + "p", T + "h"}


def plain(element):
    """The text of an element, annotations left out."""
    out = []

    def walk(e):
        if e.tag == O + "annotation":
            return
        if e.text:
            out.append(e.text)
        for child in e:
            if child.tag == T + "s":
                out.append(" " * int(child.get(T + "c", "1")))
            elif child.tag == T + "tab":
                out.append("\t")
            elif child.tag == T + "line-break":
                out.append("\n")
            else:
                walk(child)
            if child.tail:
                out.append(child.tail)

    walk(element)
    return "".join(out)


def stream(body, regions):
    """The body as (text, accepted?, rejected?) pieces; paragraphs end with a newline piece."""
    pieces = []
    inserting = set()

    def walk(e):
        if e.tag == O + "annotation" or e.tag == T + "tracked-changes":
            return
        if e.text:
            pieces.append((e.text, bool(inserting)))
        for child in e:
            if child.tag == T + "change-start":
                if regions.get(child.get(T + "change-id"), {}).get("type") == "insertion":
                    inserting.add(child.get(T + "change-id"))
            elif child.tag == T + "change-end":
                inserting.discard(child.get(T + "change-id"))
            elif child.tag == T + "change":
                region = regions.get(child.get(T + "change-id"), {})
                if region.get("type") == "deletion":
                    pieces.append(("\0DEL\0" + region["text"], False))
            elif child.tag == T + "s":
                pieces.append((" " * int(child.get(T + "c", "1")), bool(inserting)))
            elif child.tag == T + "tab":
                pieces.append(("\t", bool(inserting)))
            elif child.tag == T + "line-break":
                pieces.append(("\n", bool(inserting)))
            else:
                walk(child)
            if child.tail:
                pieces.append((child.tail, bool(inserting)))
        if e.tag in BLOCKS:
            pieces.append(("\n", bool(inserting)))

    walk(body)
    accepted = "".join(t for t, _ in pieces if not t.startswith("\0DEL\0"))
    rejected = "".join(t[5:] if t.startswith("\0DEL\0") else t for t, inserted in pieces if not inserted)
    return accepted, rejected


def examine(path, folder):
    result = subprocess.run(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
         "--convert-to", "odt", "--outdir", folder, os.path.abspath(path)],
        capture_output=True, text=True, timeout=300)
    odt = os.path.join(folder, os.path.splitext(os.path.basename(path))[0] + ".odt")
    if not os.path.exists(odt):
        return {"file": path, "error": "LibreOffice could not open it: " + (result.stderr or result.stdout).strip()[-300:]}
    with zipfile.ZipFile(odt) as z:
        root = ET.fromstring(z.read("content.xml"))
    os.remove(odt)
    body = root.find("office:body/office:text", NS)
    regions, changes = {}, []
    for region in body.iter(T + "changed-region"):
        rid = region.get(T + "id") or region.get("{http://www.w3.org/XML/1998/namespace}id")
        for kind in ("insertion", "deletion", "format-change"):
            change = region.find("text:" + kind, NS)
            if change is None:
                continue
            author = change.findtext("office:change-info/dc:creator", default="", namespaces=NS)
            text = "\n".join(plain(p) for p in change.iter() if p.tag in BLOCKS)
            regions[rid] = {"type": kind, "text": text}
            changes.append({"type": kind, "author": author})
    comments = []
    for note in body.iter(O + "annotation"):
        comments.append({
            "author": note.findtext("dc:creator", default="", namespaces=NS),
            "text": "\n".join(plain(p) for p in note.iter(T + "p")),
        })
    accepted, rejected = stream(body, regions)
    return {"file": path, "changes": changes, "comments": comments, "accepted": accepted, "rejected": rejected}


def main():
    with tempfile.TemporaryDirectory() as folder:
        for path in sys.argv[1:]:
            print(json.dumps(examine(path, folder), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
