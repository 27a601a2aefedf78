#!/usr/bin/env python3
"""Writes Quire's hostile-input suite (issue 14) into a folder; nothing here is committed.

    python3 scripts/make_hostile.py [OUT]          (default /tmp/quire-hostile)
    Benchmarks/run_hostile.sh [OUT]                 (time, peak RSS and exit of each case)

Every case is built from the file-format structures with the standard library only, the way a
broken exporter or an attacker would write it. Each file is named `<case>.<ext>`; sparse
files are made with truncate() so that a "4 GB" case costs no disk.
"""
import os
import struct
import sys
import zipfile

OUT = sys.argv[1] if len(sys.argv) > 1 else "/tmp/quire-hostile"
os.makedirs(OUT, exist_ok=True)


def path(name):
    return os.path.join(OUT, name)


CT_XLSX = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="%s"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WB_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">%s<sheetData>%s</sheetData></worksheet>"""


def styles(code):
    code = code.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="{code}"/></numFmts>
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def xlsx(name, sheet_data, head="", code="General"):
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT_XLSX)
        z.writestr("_rels/.rels", RELS % "xl/workbook.xml")
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/styles.xml", styles(code))
        z.writestr("xl/worksheets/sheet1.xml", SHEET % (head, sheet_data))


CT_DOCX = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
</Types>"""
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(name, body, raw_document=None):
    document = raw_document or (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
    with zipfile.ZipFile(path(name), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT_DOCX)
        z.writestr("_rels/.rels", RELS % "word/document.xml")
        z.writestr("word/document.xml", document)


def para(text):
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def number_cell(ref, value, styled=True):
    style = ' s="1"' if styled else ""
    return f'<c r="{ref}"{style}><v>{value}</v></c>'


# --- numbers formats with extreme values (crash: overflow traps; hang: a loop per digit) ---
FORMATS = {
    "fraction": "# ?/?",
    "fraction-wide": "# ??????/??????",
    "hours": "[h]:mm",
    "minutes": "[mm]:ss",
    "seconds": "[ss].000",
    "sci-percent": "0.00E+00%%%%%",
    "date": "yyyy-mm-dd hh:mm",
    "thousands-scale": "#,##0,,,",
}
VALUES = ["1e300", "-1e300", "1.7976931348623157e308", "9.223372036854776e18", "5e-324", "-0", "NaN", "INF"]
for fname, code in FORMATS.items():
    rows = "".join(f'<row r="{i + 1}">{number_cell(f"A{i + 1}", v)}</row>' for i, v in enumerate(VALUES))
    xlsx(f"numfmt-{fname}.xlsx", rows, code=code)

# --- grid extent: one cell at the far corner; every column declared ---
xlsx("far-corner-cell.xlsx", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>corner</t></is></c></row>')
xlsx("far-corner-two-cells.xlsx",
     '<row r="1"><c r="A1" t="inlineStr"><is><t>top</t></is></c></row>'
     '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>corner</t></is></c></row>')
xlsx("dimension-lies.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', head='<dimension ref="A1:XFD1048576"/>')
xlsx("all-columns.xlsx",
     '<row r="1" spans="1:16384">' + "".join(f'<c r="{c}1"><v>1</v></c>' for c in ["A", "XFD"]) + "</row>",
     head='<cols><col min="1" max="16384" width="9"/></cols>')
xlsx("huge-row-number.xlsx", '<row r="99999999999999999999"><c r="A99999999999999999999"><v>1</v></c></row>')
xlsx("bad-cell-ref.xlsx", '<row r="1"><c r="ZZZZZZZZZZZZ1"><v>1</v></c><c r="A-5"><v>2</v></c></row>')

# --- XML: thousands of attributes on one element; deep nesting ---
attrs = " ".join(f'w:a{i}="{i}"' for i in range(60000))
docx("many-attributes.docx", f"<w:p {attrs}><w:r><w:t>after the attributes</w:t></w:r></w:p>")
docx("deep-nesting.docx", "<w:sdt><w:sdtContent>" * 10000 + para("deep") + "</w:sdtContent></w:sdt>" * 10000)
bad = b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="' + W.encode() + b'"><w:body><w:p><w:r><w:t>caf\xe9 \xff\xfe</w:t></w:r></w:p></w:body></w:document>'
docx("invalid-utf8.docx", "", raw_document=bad)

# --- ZIP: a ZIP64 extra field that claims a huge compressed size ---
def zip64_lying(name):
    docx("tmp-zip64.docx", para("zip64 size"))
    data = bytearray(open(path("tmp-zip64.docx"), "rb").read())
    os.remove(path("tmp-zip64.docx"))
    # Rewrite every central-directory entry: sizes 0xFFFFFFFF and a ZIP64 extra field with 2^63-1.
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", data, eocd + 12)
    entries, pos = [], cd_offset
    while pos < cd_offset + cd_size:
        n, m, k = struct.unpack_from("<HHH", data, pos + 28)
        entries.append(bytes(data[pos:pos + 46 + n + m + k]))
        pos += 46 + n + m + k
    out = bytearray()
    for e in entries:
        e = bytearray(e)
        n, m, k = struct.unpack_from("<HHH", e, 28)
        struct.pack_into("<II", e, 20, 0xFFFFFFFF, 0xFFFFFFFF)
        extra = struct.pack("<HHQQ", 1, 16, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFF0)
        struct.pack_into("<H", e, 30, m + len(extra))
        e = e[:46 + n] + extra + e[46 + n:]
        out += e
    new = data[:cd_offset] + out + data[cd_offset + cd_size:]
    eocd = new.rfind(b"PK\x05\x06")
    struct.pack_into("<I", new, eocd + 12, len(out))
    open(path(name), "wb").write(new)


zip64_lying("zip64-huge-size.docx")

# --- sparse files: huge, mostly zeros ---
def sparse(name, head, size):
    with open(path(name), "wb") as f:
        f.write(head)
        f.truncate(size)


sparse("sparse-4g.xlsx", b"PK\x03\x04" + b"\0" * 26, 4 << 30)
sparse("sparse-1g.eml", b"From: a@example.com\r\nSubject: sparse\r\n\r\nbody ", 1 << 30)
sparse("sparse-4g.mbox", b"From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: s\n\nbody ", 4 << 30)

# --- mail: a 64 MB line with no newline; deep MIME; many parts; a huge header line ---
with open(path("long-line.mbox"), "wb") as f:
    f.write(b"From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: long\n\n")
    f.write(b"x" * (64 << 20))
deep = ["From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n"]
for i in range(5000):
    deep.append(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n')
deep.append("Content-Type: text/plain\n\ninnermost\n")
for i in reversed(range(5000)):
    deep.append(f"--b{i}--\n")
open(path("deep-mime.eml"), "w").write("".join(deep))
nested = "".join("Content-Type: message/rfc822\n\nFrom: b@example.com\nSubject: inner\n" for _ in range(5000))
open(path("deep-rfc822.eml"), "w").write("From: a@example.com\nSubject: outer\nMIME-Version: 1.0\n" + nested + "\ninnermost\n")
parts = ["From: a@example.com\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"]
parts += ["--p\nContent-Type: text/plain\n\nx\n"] * 100000
parts.append("--p--\n")
open(path("many-parts.eml"), "w").write("".join(parts))
with open(path("huge-header.eml"), "wb") as f:
    f.write(b"From: a@example.com\nSubject: " + b"h" * (100 << 20) + b"\n\nbody\n")
open(path("bad-charsets.eml"), "wb").write(
    b"From: a@example.com\nSubject: =?utf-7?Q?+AGEAYgBj-?=\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=q\n\n"
    b"--q\nContent-Type: text/plain; charset=utf-16\n\n\xff\xfea\x00b\n"
    b"--q\nContent-Type: text/plain; charset=utf-8\n\n\xc1\xc2\xe2\x28\xa1 ebcdic as utf8\n"
    b"--q\nContent-Type: text/plain; charset=x-no-such-charset\n\nplain\n--q--\n")
html = "<div>" * 200000 + "deep html" + "</div>" * 200000
open(path("html-bomb.eml"), "w").write(
    "From: a@example.com\nSubject: html\nMIME-Version: 1.0\nContent-Type: text/html\n\n" + html)

# --- config values out of range ---
open(path("config-huge-context.yaml"), "w").write(
    "backends:\n  big:\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    model: m\n"
    "    context_window: 1e300\n    max_tokens: 1e300\n")
open(path("config-negative.yaml"), "w").write(
    "backends:\n  neg:\n    kind: openai\n    base_url: http://127.0.0.1:9/v1\n    model: m\n"
    "    context_window: -5\n    input_price: .nan\n")
print(OUT)
