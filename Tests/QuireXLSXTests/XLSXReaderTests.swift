import Foundation
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

@testable import QuireXLSX

func workbook(_ name: String) throws -> Workbook {
    try XLSXReader().read(path: Fixtures.path(name))
}

func cell(_ sheet: Sheet, _ reference: String) -> Cell? {
    guard let at = CellReference(reference) else { return nil }
    return sheet.rows.first { $0.index == at.row + 1 }?.cells.first { $0.column == at.column }
}

struct XLSXReaderTests {
    @Test("sheets keep their order, names, kinds and visibility; defined names are read")
    func structure() throws {
        let book = try workbook("sheets-hidden-merged.xlsx")
        #expect(book.sheets.map(\.name) == ["Data", "Secret", "Empty"])
        #expect(book.sheets.map(\.visibility) == [.visible, .hidden, .visible])
        #expect(book.definedNames == [DefinedName(name: "Totals", value: "Data!$D$2:$D$3")])
        #expect(book.sheets[0].mergedRanges.map(\.description) == ["A6:C6"])
        #expect(book.sheets[0].dimension == "A1:D7")
        #expect(book.sheets[2].rows.isEmpty)
    }

    @Test("cells are typed: strings, numbers, booleans, errors, formulas with cached values")
    func types() throws {
        let data = try workbook("sheets-hidden-merged.xlsx").sheets[0]
        #expect(cell(data, "A2")?.value == .string("North"))
        #expect(cell(data, "B2")?.value == .number(10))
        #expect(cell(data, "D2")?.value == .number(22))
        #expect(cell(data, "D2")?.formula == "B2+C2")
        #expect(cell(data, "B4")?.value == .error("#DIV/0!"))
        #expect(cell(data, "B4")?.formatted == "#DIV/0!")
        #expect(cell(data, "C4")?.value == .bool(true))
        #expect(cell(data, "C4")?.formatted == "TRUE")
    }

    @Test(
        "number formats give both the typed value and the text Excel shows",
        arguments: [
            ("B2", "1,234,567.89"), ("B3", "12.3%"), ("B4", "1.23E+04"), ("B5", "-€1,234.50"), ("B6", "3 3/4"),
            ("B7", "2024-03-01"), ("B8", "1 Mar 2024 13:45:30"), ("B9", "9:05 AM"), ("B10", "36:00"), ("B11", "42"),
            ("B12", "zero"), ("B13", "0.333333333"), ("B14", "1.23457E+14"),
        ])
    func formats(reference: String, shown: String) throws {
        let sheet = try workbook("number-formats.xlsx").sheets[0]
        #expect(cell(sheet, reference)?.formatted == shown)
    }

    @Test("dates become dates, durations durations, and 1904 workbooks count from 1904")
    func dates() throws {
        let sheet = try workbook("number-formats.xlsx").sheets[0]
        #expect(cell(sheet, "B7")?.value == .date(DateTimeValue(year: 2024, month: 3, day: 1, serial: 45_352)))
        guard case .date(let stamp)? = cell(sheet, "B8")?.value else {
            Issue.record("not a date")
            return
        }
        #expect(stamp.description == "2024-03-01T13:45:30")
        #expect(cell(sheet, "B10")?.value == .duration(1.5 * 86_400))
        let old = try workbook("date1904.xlsx")
        #expect(old.uses1904Dates)
        guard case .date(let leap)? = cell(old.sheets[0], "A1")?.value else {
            Issue.record("not a date")
            return
        }
        #expect(leap.description == "2020-02-29")
        #expect(cell(old.sheets[0], "A2")?.formatted == "1904-01-01")
    }

    @Test("rich-text shared strings are joined; escapes stay as written when escaped")
    func strings() throws {
        let sheet = try workbook("rich-text-no-header.xlsx").sheets[0]
        #expect(cell(sheet, "A1")?.value == .string("plain bold tail"))
        #expect(cell(sheet, "A3")?.value == .string("line\nbreak"))
        #expect(cell(sheet, "B3")?.value == .string("ctrl_x0007_char"))
    }

    @Test("a cell pointing at a missing shared string is an error naming the cell, not a silent blank")
    func missingSharedStrings() {
        let error = #expect(throws: DocumentError.self) { _ = try workbook("missing-shared-strings.xlsx") }
        #expect(error?.description.contains("cell A1 refers to shared string 0") == true)
        #expect(error?.location?.hasPrefix("xl/worksheets/sheet1.xml") == true)
    }

    @Test("rows stream one at a time from an open workbook")
    func streaming() throws {
        let open = try XLSXReader().open(path: Fixtures.path("sheets-hidden-merged.xlsx"))
        #expect(open.workbook.sheets[0].rows.isEmpty)
        var indexes: [Int] = []
        let layout = try open.forEachRow(ofSheet: 0) { indexes.append($0.index) }
        #expect(indexes == [1, 2, 3, 4, 6, 7])
        #expect(layout.mergedRanges.count == 1)
    }

    @Test(
        "encrypted and legacy files are refused with their own errors",
        arguments: [
            ("encrypted.docx", DocumentError.Code.encrypted), ("legacy-word97.doc", .legacyFormat), ("empty.docx", .empty),
            ("truncated.docx", .truncated),
        ])
    func refused(name: String, code: DocumentError.Code) {
        let error = #expect(throws: DocumentError.self) { _ = try workbook(name) }
        #expect(error?.code == code)
    }
}

struct NumberFormatTests {
    @Test(
        "sections, conditions, literals and rounding",
        arguments: [
            ("0.00", 2.345, "2.35"), ("#,##0", 1234567.4, "1,234,567"), ("0%", 0.256, "26%"), ("#,##0,\"k\"", 12345, "12k"),
            ("0.00;(0.00)", -3.5, "(3.50)"), ("[>=100]\"big\";\"small\"", 150, "big"), ("[>=100]\"big\";\"small\"", 5, "small"),
            ("General", 1e-12, "1E-12"), ("General", -0.5, "-0.5"), ("#.##", 0.5, ".5"), ("00000", 42, "00042"),
            ("mm:ss", 0.000_694_444_444, "01:00"), ("dddd, mmmm d", 45_352, "Friday, March 1"), ("yy-m-d h:mm", 45_352.75, "24-3-1 18:00"),
            ("# ??/??", 0.3333, "1/3"), ("0.0E+00", 0.000_123, "1.2E-04"), ("0E+00", 99_999, "1E+05"),
            ("0.00E+00", 9.999_9, "1.00E+01"),
        ])
    func render(code: String, value: Double, shown: String) {
        #expect(NumberFormat(code: code).format(value) == shown)
    }

    @Test("the 1900 leap-year bug and the first serials")
    func serials() {
        #expect(NumberFormat.date(fromSerial: 59, uses1904Dates: false)?.description == "1900-02-28")
        #expect(NumberFormat.date(fromSerial: 60, uses1904Dates: false)?.description == "1900-02-29")
        #expect(NumberFormat.date(fromSerial: 61, uses1904Dates: false)?.description == "1900-03-01")
        #expect(NumberFormat.date(fromSerial: 1, uses1904Dates: false)?.description == "1900-01-01")
        #expect(NumberFormat.date(fromSerial: 0.5, uses1904Dates: false)?.description == "12:00:00")
        #expect(NumberFormat.date(fromSerial: -1, uses1904Dates: false) == nil)
        #expect(NumberFormat(code: "d-mmm-yy").isDate)
        #expect(!NumberFormat(code: "[h]:mm").isDate)
        #expect(NumberFormat(code: "[h]:mm").isDuration)
        #expect(!NumberFormat(code: "\"d\"0").isDate)
    }
}

struct WorkbookRendererTests {
    @Test("Markdown: a table per sheet, header row only when there is one, hidden sheets named")
    func markdown() throws {
        let text = WorkbookRenderer().markdown(try workbook("sheets-hidden-merged.xlsx"))
        #expect(text.hasPrefix("## Data\n\n| Region | Q1 | Q2 | Total |\n| --- | --- | --- | --- |\n| North | 10 | 12 | 22 |\n"))
        #expect(text.contains("| pipe \\| and, comma \"quoted\" |  |  |  |"))
        #expect(text.contains("(skipped hidden sheets: Secret (hidden)"))
        #expect(!text.contains("hidden value"))
        let noHeader = WorkbookRenderer().markdown(try workbook("rich-text-no-header.xlsx"))
        #expect(noHeader.contains("| A | B |\n| --- | --- |\n| plain bold tail | 1 |"))
        let all = WorkbookRenderer(options: WorkbookRenderOptions(includeHiddenSheets: true)).markdown(try workbook("sheets-hidden-merged.xlsx"))
        #expect(all.contains("## Secret") && all.contains("hidden value"))
    }

    @Test("CSV quotes what needs quoting and writes data, not display text")
    func csv() throws {
        let book = try workbook("sheets-hidden-merged.xlsx")
        let text = WorkbookRenderer().csv(book.sheets[0])
        #expect(text.hasPrefix("Region,Q1,Q2,Total\r\nNorth,10,12,22\r\n"))
        #expect(text.contains("\"pipe | and, comma \"\"quoted\"\"\",,,\r\n"))
        let formats = WorkbookRenderer().csv(try workbook("number-formats.xlsx").sheets[0])
        #expect(formats.contains("thousands,1234567.891\r\n"))
        #expect(formats.contains("date,2024-03-01\r\n"))
    }

    @Test("row limit marks what it leaves out; formulas can be shown; merged values filled")
    func options() throws {
        let book = try workbook("sheets-hidden-merged.xlsx")
        let limited = WorkbookRenderer(options: WorkbookRenderOptions(maxRows: 2)).markdown(book)
        #expect(limited.contains("| South | 7 | 9 | 16 |\n\n… 4 more rows"))
        let formulas = WorkbookRenderer(options: WorkbookRenderOptions(showFormulas: true)).markdown(book)
        #expect(formulas.contains("| North | 10 | 12 | =B2+C2 |"))
        let filled = WorkbookRenderer(options: WorkbookRenderOptions(fillMergedCells: true)).markdown(book)
        #expect(filled.contains("| Merged note | Merged note | Merged note |  |"))
    }

    @Test("JSON carries typed values, display text and formulas of every sheet")
    func json() throws {
        let text = WorkbookRenderer().json(try workbook("sheets-hidden-merged.xlsx"), pretty: false)
        #expect(text.contains(#""schema":"quire.workbook","version":1"#))
        #expect(text.contains(#"{"ref":"D2","type":"number","value":22,"text":"22","formula":"B2+C2"}"#))
        #expect(text.contains(##"{"ref":"B4","type":"error","value":"#DIV/0!","text":"#DIV/0!","formula":"1/0"}"##))
        #expect(text.contains(#""name":"Secret","kind":"worksheet","visibility":"hidden""#))
    }
}

struct SheetExtrasTests {
    @Test("tables, hyperlinks (URLs and places), notes and hidden columns are read")
    func extras() throws {
        let sheet = try workbook("links-tables-comments.xlsx").sheets[0]
        #expect(sheet.tables == [SheetTable(name: "OrdersTable", range: CellRange("A1:C3")!, headerRowCount: 1)])
        #expect(
            sheet.hyperlinks == [
                CellHyperlink(reference: "E1", target: .url("https://example.com/orders?id=7")),
                CellHyperlink(reference: "E2", target: .location("Summary!A1")),
            ])
        #expect(sheet.comments == [CellComment(reference: "B2", author: "Ada Reviewer", text: "Check the quantity")])
        #expect(sheet.hiddenColumns == [3])
        // An array formula's other cells show the same formula.
        #expect(cell(sheet, "G1")?.formula == "B2:B3*2")
        #expect(cell(sheet, "G2")?.formula == "B2:B3*2")
        #expect(cell(sheet, "G3")?.formula == nil)
        #expect(cell(sheet, "D2")?.value == .string("hidden column value"))
    }

    @Test("comments and links are listed after the sheet's table")
    func rendered() throws {
        let text = WorkbookRenderer().markdown(try workbook("links-tables-comments.xlsx"))
        #expect(
            text.contains(
                "Comments:\n- **B2** (Ada Reviewer): Check the quantity\n\nLinks:\n- **E1**: <https://example.com/orders?id=7>\n- **E2**: <Summary!A1>\n"))
    }
}

struct ThreadedCommentTests {
    @Test("threaded comments with their authors from persons.xml; Excel's note copy of a thread is left out")
    func threaded() throws {
        let sheet = try workbook("threaded-comments.xlsx").sheets[0]
        #expect(
            sheet.comments == [
                CellComment(reference: "B2", author: "Grace Hopper", text: "Is this still open?", isThreaded: true, date: "2024-03-01T10:00:00.00"),
                CellComment(
                    reference: "B2", author: "Alan Turing", text: "Yes, until Friday & no longer.", isThreaded: true, isReply: true,
                    date: "2024-03-02T09:30:00.00"),
                CellComment(reference: "A3", author: "Note Writer", text: "A plain note"),
            ])
        let markdown = WorkbookRenderer().markdown(try workbook("threaded-comments.xlsx"))
        #expect(markdown.contains("- **B2** (Grace Hopper): Is this still open?\n- **B2** (Alan Turing, reply): Yes, until Friday & no longer.\n"))
        #expect(!markdown.contains("Your version of Excel"))
        let json = WorkbookRenderer().json(try workbook("threaded-comments.xlsx"), pretty: false)
        #expect(
            json.contains(
                #"{"ref":"B2","author":"Alan Turing","text":"Yes, until Friday & no longer.","threaded":true,"reply":true,"date":"2024-03-02T09:30:00.00"}"#))
    }
}

struct UTF16PartTests {
    @Test("a workbook whose workbook, sheet and shared-strings parts are UTF-16 reads like any other")
    func utf16() throws {
        let book = try workbook("utf16-parts.xlsx")
        #expect(book.sheets.map(\.name) == ["Städte"])
        let sheet = book.sheets[0]
        #expect(cell(sheet, "A2")?.value == .string("Zürich"))
        #expect(cell(sheet, "A3")?.value == .string("東京"))
        #expect(cell(sheet, "A4")?.value == .string("Ålesund & Co <test>"))
        #expect(cell(sheet, "B3")?.value == .number(13_960_000))
        #expect(cell(sheet, "C2")?.value.dataText == "1900-03-01")
        #expect(cell(sheet, "C2")?.formatted == "1900-03-01")
        // The text rows hand UTF-16 parts to libxml2 and give the same text.
        let open = try XLSXReader().open(path: Fixtures.path("utf16-parts.xlsx"))
        let rows = try open.textRows(ofSheet: 0)
        var texts: [[String]] = []
        while let row = try rows.next() { texts.append((0..<row.count).map { row.text($0) }) }
        #expect(texts == [["City", "Population", "Founded"], ["Zürich", "421878", "1900-03-01"], ["東京", "13960000"], ["Ålesund & Co <test>", "0.25"]])
    }
}

struct NumberParsingTests {
    @Test(
        "the fast decimal path gives exactly what the standard parser gives",
        arguments: [
            "0", "-0", "1", "1361.7", "0.0012", "-42.5", "123456789012345", "0.1", "0.3333333333", "2500", "9007199254740993",
            "1e5", "12.", " 7", "1.2345678901234567",
        ])
    func exact(text: String) {
        var bytes = Array(text.utf8)
        let ours = SheetState.double(&bytes)
        #expect(ours == Double(text.trimmingCharacters(in: .whitespaces)), "\(text)")
    }
}
