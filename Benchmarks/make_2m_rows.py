#!/usr/bin/env python3
"""Writes Benchmarks/data/huge2m.xlsx: the 200,000 data rows of big.xlsx repeated ten times
(2,000,001 rows, references renumbered, the same shared strings), to show that memory does
not grow with the number of rows. Run Benchmarks/run_xlsx.sh first (it makes big.xlsx)."""
import re, zipfile, sys
import os
here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "data", "big.xlsx"); dst = os.path.join(here, "data", "huge2m.xlsx")
zin = zipfile.ZipFile(src)
xml = zin.read("xl/worksheets/sheet1.xml")
start = xml.index(b"<sheetData>") + len(b"<sheetData>")
end = xml.index(b"</sheetData>")
head, rows, tail = xml[:start], xml[start:end], xml[end:]
first_row_end = rows.index(b"</row>") + 6
header, body = rows[:first_row_end], rows[first_row_end:]
n = 200000
ref = re.compile(rb'(<row r="|<c r="[A-Z]+)(\d+)"')
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
    for item in zin.infolist():
        if item.filename == "xl/worksheets/sheet1.xml":
            with zout.open(item.filename, "w", force_zip64=True) as f:
                f.write(re.sub(rb'<dimension ref="A1:L\d+"', b'<dimension ref="A1:L%d"' % (10 * n + 1), head))
                f.write(header)
                for k in range(10):
                    off = k * n
                    f.write(ref.sub(lambda m: m.group(1) + str(int(m.group(2)) + off).encode() + b'"', body) if off else body)
                f.write(tail)
        else:
            zout.writestr(item, zin.read(item.filename))
print("ok")
