#!/usr/bin/env python3
"""Writes Quire's own XLSX fixtures into TestDocuments/. Run once and commit the output.

    pip install xlsxwriter openpyxl
    python3 TestDocuments/make_xlsx_fixtures.py
"""
import datetime as dt
import os
import zipfile

import xlsxwriter

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def number_formats():
    wb = xlsxwriter.Workbook(out("number-formats.xlsx"))
    ws = wb.add_worksheet("Formats")
    rows = [
        ("Label", "Value"),
        ("thousands", 1234567.891, "#,##0.00"),
        ("percent", 0.1234, "0.0%"),
        ("scientific", 12345.678, "0.00E+00"),
        ("currency", -1234.5, '"€"#,##0.00;[Red]-"€"#,##0.00'),
        ("fraction", 3.75, "# ?/?"),
        ("date", dt.datetime(2024, 3, 1), "yyyy-mm-dd"),
        ("datetime", dt.datetime(2024, 3, 1, 13, 45, 30), "d mmm yyyy hh:mm:ss"),
        ("time", dt.time(9, 5), "h:mm AM/PM"),
        ("duration", 1.5, "[h]:mm"),
        ("text", 42, "@"),
        ("zero section", 0, '0;-0;"zero"'),
        ("general", 1 / 3, None),
        ("big", 123456789012345, None),
    ]
    ws.write_row(0, 0, rows[0])
    for i, row in enumerate(rows[1:], start=1):
        ws.write_string(i, 0, row[0])
        fmt = wb.add_format({"num_format": row[2]}) if row[2] else None
        value = row[1]
        if isinstance(value, dt.datetime):
            ws.write_datetime(i, 1, value, fmt)
        elif isinstance(value, dt.time):
            ws.write_datetime(i, 1, dt.datetime.combine(dt.date(1899, 12, 31), value), fmt)
        else:
            ws.write_number(i, 1, value, fmt)
    wb.close()


def structure():
    wb = xlsxwriter.Workbook(out("sheets-hidden-merged.xlsx"))
    data = wb.add_worksheet("Data")
    data.write_row(0, 0, ["Region", "Q1", "Q2", "Total"])
    data.write_row(1, 0, ["North", 10, 12])
    data.write_formula(1, 3, "=B2+C2", None, 22)
    data.write_row(2, 0, ["South", 7, 9])
    data.write_formula(2, 3, "=B3+C3", None, 16)
    data.write_formula(3, 1, "=1/0", None, "#DIV/0!")
    data.write_boolean(3, 2, True)
    data.merge_range("A6:C6", "Merged note", None)
    data.write_string(6, 0, "pipe | and, comma \"quoted\"")
    hidden = wb.add_worksheet("Secret")
    hidden.write_string(0, 0, "hidden value")
    hidden.hide()
    wb.add_worksheet("Empty")
    wb.define_name("Totals", "=Data!$D$2:$D$3")
    wb.close()


def date1904():
    wb = xlsxwriter.Workbook(out("date1904.xlsx"), {"date_1904": True})
    ws = wb.add_worksheet()
    ws.write_datetime(0, 0, dt.datetime(2020, 2, 29), wb.add_format({"num_format": "yyyy-mm-dd"}))
    ws.write_number(1, 0, 0, wb.add_format({"num_format": "yyyy-mm-dd"}))
    wb.close()


def no_header_and_rich_text():
    wb = xlsxwriter.Workbook(out("rich-text-no-header.xlsx"))
    ws = wb.add_worksheet("Numbers")
    bold = wb.add_format({"bold": True})
    ws.write_rich_string(0, 0, "plain ", bold, "bold", " tail")
    ws.write_number(0, 1, 1)
    ws.write_number(1, 0, 2)
    ws.write_number(1, 1, 3)
    ws.write_string(2, 0, "line\nbreak")
    ws.write_string(2, 1, "ctrl_x0007_char")
    wb.close()


def links_tables_comments():
    wb = xlsxwriter.Workbook(out("links-tables-comments.xlsx"))
    ws = wb.add_worksheet("Orders")
    ws.add_table("A1:C3", {"name": "OrdersTable", "columns": [{"header": "Item"}, {"header": "Qty"}, {"header": "Note"}],
                           "data": [["Pens", 10, "blue"], ["Paper", 5, "A4"]]})
    ws.write_url("E1", "https://example.com/orders?id=7", string="Order page")
    ws.write_url("E2", "internal:Summary!A1", string="Summary")
    ws.write_comment("B2", "Check the quantity", {"author": "Ada Reviewer"})
    ws.set_column("D:D", None, None, {"hidden": True})
    ws.write_array_formula("G1:G2", "{=B2:B3*2}", None, 20)
    ws.write_string("D2", "hidden column value")
    summary = wb.add_worksheet("Summary")
    summary.write_string("A1", "Totals")
    wb.close()


def legacy_and_broken():
    # A ZIP that is a workbook without its shared strings part (cells typed s point nowhere).
    src = out("sheets-hidden-merged.xlsx")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out("missing-shared-strings.xlsx"), "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == "xl/sharedStrings.xml":
                continue
            zout.writestr(item, zin.read(item.filename))


THREADED_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
REL_2017 = "http://schemas.microsoft.com/office/2017/10/relationships/"


def add_parts(src, dst, parts, edit):
    """Copies a workbook, adding `parts` {name: bytes} and passing each existing part's
    bytes through `edit(name, data)`."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, edit(item.filename, zin.read(item.filename)))
        for name, data in parts.items():
            zout.writestr(name, data)


def threaded_comments():
    # xlsxwriter writes notes; Excel's threaded comments (a thread with a reply, authors in
    # persons.xml) are added by hand, with the note copy Excel keeps for old readers.
    base = out("threaded-comments.base.xlsx")
    wb = xlsxwriter.Workbook(base)
    ws = wb.add_worksheet("Review")
    ws.write_row("A1", ["Item", "Status"])
    ws.write_row("A2", ["Budget", "Open"])
    ws.write_row("A3", ["Hiring", "Closed"])
    ws.write_comment("A3", "A plain note", {"author": "Note Writer"})
    ws.write_comment("B2", "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment.\n"
                     "Comment:\n    Is this still open?", {"author": "tc={C1}"})
    wb.close()
    thread = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments xmlns="{THREADED_NS}" '
              'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<threadedComment ref="B2" dT="2024-03-01T10:00:00.00" personId="{P1}" id="{C1}"><text>Is this still open?</text></threadedComment>'
              '<threadedComment ref="B2" dT="2024-03-02T09:30:00.00" personId="{P2}" id="{C2}" parentId="{C1}"><text>Yes, until Friday &amp; no longer.</text></threadedComment>'
              '</ThreadedComments>')
    persons = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList xmlns="{THREADED_NS}" '
               'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<person displayName="Grace Hopper" id="{P1}" userId="grace@example.com" providerId="None"/>'
               '<person displayName="Alan Turing" id="{P2}" userId="alan@example.com" providerId="None"/></personList>')

    def edit(name, data):
        text = data.decode("utf-8")
        if name == "[Content_Types].xml":
            text = text.replace("</Types>",
                                '<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
                                '<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/></Types>')
        elif name == "xl/worksheets/_rels/sheet1.xml.rels":
            text = text.replace("</Relationships>",
                                f'<Relationship Id="rIdTc1" Type="{REL_2017}threadedComment" Target="../threadedComments/threadedComment1.xml"/></Relationships>')
        elif name == "xl/_rels/workbook.xml.rels":
            text = text.replace("</Relationships>",
                                f'<Relationship Id="rIdPerson" Type="{REL_2017}person" Target="persons/person.xml"/></Relationships>')
        return text.encode("utf-8")

    add_parts(base, out("threaded-comments.xlsx"),
              {"xl/threadedComments/threadedComment1.xml": thread, "xl/persons/person.xml": persons}, edit)
    os.remove(base)


def utf16_parts():
    # Excel reads XML parts in UTF-16; a few writers produce them. The workbook, the sheet
    # and the shared strings are re-encoded as UTF-16LE with a byte order mark.
    base = out("utf16-parts.base.xlsx")
    wb = xlsxwriter.Workbook(base)
    ws = wb.add_worksheet("Städte")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row("A1", ["City", "Population", "Founded"])
    ws.write_row("A2", ["Zürich", 421878])
    ws.write_datetime("C2", dt.datetime(1900, 3, 1), date)
    ws.write_row("A3", ["東京", 13960000])
    ws.write_row("A4", ["Ålesund & Co <test>", 0.25])
    wb.close()

    def edit(name, data):
        if name in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
            text = data.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
            return b"\xff\xfe" + text.encode("utf-16-le")
        return data

    add_parts(base, out("utf16-parts.xlsx"), {}, edit)
    os.remove(base)


def sales():
    """The task layer's sample table: a title line above the header, 120 orders of a
    year with dates, text categories, whole and decimal numbers, and two blanks. Values
    come from a seeded generator, so the file is the same on every run."""
    import random

    rng = random.Random(2024)
    wb = xlsxwriter.Workbook(out("sales.xlsx"))
    ws = wb.add_worksheet("Orders")
    bold = wb.add_format({"bold": True})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00"})
    ws.write("A1", "Orders 2024 - all regions", bold)
    header = ["Order", "Date", "Region", "Product", "Units", "Unit price", "Amount"]
    for col, name in enumerate(header):
        ws.write(2, col, name, bold)
    prices = {"Widget": 12.5, "Gadget": 30.0, "Gizmo": 7.25, "Doohickey": 55.0}
    regions = ["North", "South", "East", "West"]
    start = dt.date(2024, 1, 2)
    for i in range(120):
        row = 3 + i
        product = rng.choice(list(prices))
        units = rng.randint(1, 40)
        ws.write_number(row, 0, 1001 + i)
        ws.write_datetime(row, 1, dt.datetime.combine(start + dt.timedelta(days=3 * i), dt.time()), date)
        ws.write_string(row, 2, rng.choice(regions))
        ws.write_string(row, 3, product)
        if i in (17, 88):
            continue  # units and amount left blank
        ws.write_number(row, 4, units)
        ws.write_number(row, 5, prices[product], money)
        ws.write_number(row, 6, units * prices[product], money)
    wb.close()


def sales_by_year():
    """Periods and codes held as numbers: Year, Quarter, a postcode and a phone number are
    dimensions (never summed); Sales is the measure. 3 countries × 3 years × 4 quarters,
    values from a seeded generator; a "#,##0" format on Year, as some exporters write it."""
    import random

    rng = random.Random(7)
    wb = xlsxwriter.Workbook(out("sales-by-year.xlsx"))
    ws = wb.add_worksheet("Sales")
    thousands = wb.add_format({"num_format": "#,##0"})
    header = ["Country", "Year", "Quarter", "Postcode", "Phone", "Sales"]
    for col, name in enumerate(header):
        ws.write(0, col, name)
    row = 1
    for country, postcode, phone in [("France", 75001, 33140000000), ("Germany", 10115, 4930000000), ("Spain", 28001, 34910000000)]:
        for year in (2022, 2023, 2024):
            for quarter in (1, 2, 3, 4):
                ws.write_string(row, 0, country)
                ws.write_number(row, 1, year, thousands)
                ws.write_number(row, 2, quarter)
                ws.write_number(row, 3, postcode)
                ws.write_number(row, 4, phone)
                ws.write_number(row, 5, rng.randint(100, 999) * 10)
                row += 1
    wb.close()


def totals_row():
    """A table that ends in a totals row, as people type them: it must not count twice."""
    wb = xlsxwriter.Workbook(out("totals-row.xlsx"))
    ws = wb.add_worksheet("Budget")
    ws.write_row(0, 0, ["Team", "Year", "Spend"])
    rows = [("Design", 2024, 1200), ("Sales", 2024, 3400), ("Support", 2024, 800), ("Legal", 2024, 450), ("Ops", 2024, 2150)]
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    ws.write_string(len(rows) + 1, 0, "Total")
    ws.write_formula(len(rows) + 1, 2, "=SUM(C2:C6)", None, sum(r[2] for r in rows))
    wb.close()


def damaged_side_parts():
    # The comments, table and styles parts of links-tables-comments.xlsx cut off or replaced
    # by garbage: the cells are still read, each lost part named in a warning.
    def edit(name, data):
        if name == "xl/comments1.xml" or name.startswith("xl/tables/"):
            return data[: len(data) // 2]
        if name == "xl/styles.xml":
            return b"not xml at all"
        return data

    add_parts(out("links-tables-comments.xlsx"), out("damaged-side-parts.xlsx"), {}, edit)


def damaged_sheet_rels():
    # The first sheet's relationships part cut in half: its cells are still read; its tables,
    # comments and hyperlink targets are lost, and one warning names the part.
    def edit(name, data):
        return data[: len(data) // 2] if name == "xl/worksheets/_rels/sheet1.xml.rels" else data

    add_parts(out("links-tables-comments.xlsx"), out("damaged-sheet-rels.xlsx"), {}, edit)


if __name__ == "__main__":
    import sys

    everything = [number_formats, structure, date1904, no_header_and_rich_text, links_tables_comments, legacy_and_broken,
                  threaded_comments, utf16_parts, sales, sales_by_year, totals_row, damaged_side_parts,
                  damaged_sheet_rels]
    chosen = [f for f in everything if f.__name__ in sys.argv[1:]] or everything
    for make in chosen:
        make()
    print("xlsx fixtures written to", HERE)
