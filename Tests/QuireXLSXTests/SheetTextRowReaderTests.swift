import Foundation
import QuireModel
import QuireRender
import QuireTestSupport
import QuireXLSX
import QuireZip
import Testing

/// The text rows: the same values as the typed rows, row by row or in batches, on one
/// thread or in segments on two; and CSV written from them in bounded pieces.
struct SheetTextRowReaderTests {
    /// A workbook of one sheet with `rows` rows of four cells (numbers, shared strings,
    /// inline text with commas and quotes, dates), gaps, rows without `r`, and rows whose
    /// cells are all empty — big enough that the part comes in many chunks and, on two
    /// threads, is scanned in segments.
    static func bigWorkbook(rows: Int) throws -> String {
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        var sheet = #"<worksheet xmlns="\#(ns)"><dimension ref="A1:D\#(rows)"/><sheetData>"#
        for r in 1...rows {
            if r % 7 == 0 { continue }
            if r % 11 == 0 {
                sheet += "<row><c><v>\(r).5</v></c><c/><c t=\"inlineStr\"><is><t>no ref</t></is></c></row>"
            } else if r % 13 == 0 {
                sheet += "<row r=\"\(r)\"><c r=\"A\(r)\"/></row>"
            } else {
                sheet += "<row r=\"\(r)\"><c r=\"A\(r)\"><v>\(r)</v></c><c r=\"B\(r)\" t=\"s\"><v>\(r % 2)</v></c>"
                sheet += "<c r=\"C\(r)\" s=\"1\"><v>\(40_000 + r % 500)</v></c>"
                sheet += "<c r=\"D\(r)\" t=\"inlineStr\"><is><t>t\(r), \"q\"</t></is></c></row>"
            }
        }
        sheet += "</sheetData></worksheet>"
        return try workbook(sheet: sheet, name: "rows-\(rows)")
    }

    /// A workbook whose one sheet is `sheet` (two shared strings, a date style), written to
    /// a temporary file whose path is returned.
    static func workbook(sheet: String, name: String) throws -> String {
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
        var zip = ZipWriter()
        try zip.add(
            "[Content_Types].xml",
            text:
                #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="\#(ml).sheet.main+xml"/></Types>"#
        )
        try zip.add(
            "_rels/.rels",
            text:
                #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        )
        try zip.add(
            "xl/workbook.xml",
            text: #"<workbook xmlns="\#(ns)" xmlns:r="\#(rel)"><sheets><sheet name="Big" sheetId="1" r:id="rId1"/></sheets></workbook>"#)
        try zip.add(
            "xl/_rels/workbook.xml.rels",
            text:
                #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="\#(rel)/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="\#(rel)/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="\#(rel)/styles" Target="styles.xml"/></Relationships>"#
        )
        try zip.add("xl/sharedStrings.xml", text: #"<sst xmlns="\#(ns)"><si><t>even</t></si><si><t>odd, "quoted"</t></si></sst>"#)
        try zip.add(
            "xl/styles.xml", text: #"<styleSheet xmlns="\#(ns)"><cellXfs><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>"#)
        try zip.add("xl/worksheets/sheet1.xml", text: sheet)
        let path = NSTemporaryDirectory() + "quire-text-\(name)-\(UUID().uuidString).xlsx"
        try Data(zip.finish()).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func textOf(_ rows: SheetTextRows) -> [SheetTextRow] { (0..<rows.count).map { rows.row($0) } }

    @Test("text rows equal the typed rows' data text: row by row, in batches, on one thread and in segments on two")
    func sameAsTyped() throws {
        let path = try Self.bigWorkbook(rows: 60_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let one = try XLSXReader().open(path: path)
        var typed: [SheetTextRow] = []
        let reader = try one.rows(ofSheet: 0, formatted: false)
        while let row = try reader.next() { typed.append(SheetTextRow(row)) }
        #expect(typed.count > 45_000)
        #expect(typed.contains { $0.count == 4 && $0.text(2) == "2009-07-13" && $0.text(3).contains("\"q\"") })

        var byRow: [SheetTextRow] = []
        let rows = try one.textRows(ofSheet: 0)
        var row = SheetTextRow()
        while try rows.next(into: &row) { byRow.append(row) }
        #expect(byRow == typed)
        #expect(rows.dimension == "A1:D60000")

        for parallelism in [1, 2] {
            let open = try XLSXReader(options: XLSXReader.Options(parallelism: parallelism)).open(path: path)
            let batches = try open.textRows(ofSheet: 0)
            var all: [SheetTextRow] = []
            var batch = SheetTextRows()
            var pulls = 0
            while try batches.next(rows: &batch) {
                all += Self.textOf(batch)
                pulls += 1
            }
            #expect(all == typed, "parallelism \(parallelism)")
            #expect(pulls > 3, "the rows came in several batches")
        }
    }

    @Test("a formula, or an element inside a value, stops the value in both readers (found by fuzz-xlsx)")
    func oddNesting() throws {
        let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let cells = [
            #"<c r="A1"><v>1<f>x</f>2</v></c>"#, #"<c r="B1"><v>3<f/>4</v></c>"#, #"<c r="C1" t="str"><v>a<f>b</f>c</v></c>"#,
            #"<c r="D1"><f>SUM(1)</f><v>5</v></c>"#, #"<c r="E1" t="inlineStr"><is><t>i<f>j</f>k</t></is></c>"#,
            #"<c r="F1"><v>6<t>7</t>8</v></c>"#,
        ]
        let path = try Self.workbook(
            sheet: #"<worksheet xmlns="\#(ns)"><sheetData><row r="1">"# + cells.joined() + "</row></sheetData></worksheet>", name: "odd")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let open = try XLSXReader().open(path: path)
        let typed = try #require(try open.rows(ofSheet: 0, formatted: false).next())
        let text = try #require(try open.textRows(ofSheet: 0).next())
        #expect(SheetTextRow(typed) == text)
        #expect((0..<text.count).map(text.text) == ["1", "3", "a", "5", "i", "67"])
    }

    @Test("a reader dropped early on two threads stops its threads; a new one reads the sheet whole")
    func dropEarly() throws {
        let path = try Self.bigWorkbook(rows: 40_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let open = try XLSXReader(options: XLSXReader.Options(parallelism: 2)).open(path: path)
        var first = SheetTextRow()
        do {
            let reader = try open.textRows(ofSheet: 0)
            #expect(try reader.next(into: &first))
        }
        #expect(first.index == 1 && first.text(0) == "1" && first.text(1) == "odd, \"quoted\"")
        var count = 0
        let again = try open.textRows(ofSheet: 0)
        while try again.next() != nil { count += 1 }
        #expect(count > 30_000)
    }

    @Test("CSV from batches equals CSV row by row, and a long run of blank lines comes in bounded pieces")
    func csvBatches() throws {
        var rows = SheetTextRows()
        for index in [1, 2, 300_000, 300_001] {
            var row = SheetTextRow(index: index)
            row.append(column: 0, text: "r\(index)")
            row.append(column: 3, text: "a,b")
            rows.append(row)
        }
        var perRow = CSVSheetWriter()
        perRow.setDimension("A1:E300001")
        var expected: [UInt8] = []
        for k in 0..<rows.count {
            perRow.append(rows.row(k))
            repeat { expected += perRow.takeOutput() } while perRow.owesOutput
        }
        expected += perRow.finish()

        var batched = CSVSheetWriter()
        batched.setDimension("A1:E300001")
        var got: [UInt8] = []
        var largest = 0
        var k = 0
        while k < rows.count {
            k = batched.append(rows, from: k)
            repeat {
                let piece = batched.takeOutput()
                largest = max(largest, piece.count)
                got += piece
            } while batched.owesOutput
        }
        got += batched.finish()
        #expect(got == expected)
        let lines = String(decoding: got, as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.count == 300_002)
        #expect(lines[0] == "r1,,,\"a,b\"," && lines[2] == ",,,," && lines[299_999] == "r300000,,,\"a,b\",")
        #expect(largest <= (1 << 20) + 64, "pieces of about a megabyte at most")
    }

    @Test("a workbook opened from memory streams the same rows as from its file")
    func fromMemory() throws {
        let path = Fixtures.path("sales.xlsx")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let fromFile = try XLSXReader().open(path: path)
        let fromMemory = try XLSXReader().open(bytes: bytes, name: "sales.xlsx")
        #expect(fromMemory.workbook.sheets.map(\.name) == fromFile.workbook.sheets.map(\.name))
        var a: [SheetTextRow] = []
        var b: [SheetTextRow] = []
        let one = try fromFile.textRows(ofSheet: 0)
        while let row = try one.next() { a.append(row) }
        let two = try fromMemory.textRows(ofSheet: 0)
        while let row = try two.next() { b.append(row) }
        #expect(a.count > 100 && a == b)
        let broken = #expect(throws: DocumentError.self) { try XLSXReader().open(bytes: Array(bytes.prefix(500)), name: "cut.xlsx") }
        #expect(broken?.file == "cut.xlsx")
    }

    @Test("a typed row becomes its data text, or its formulas when asked")
    func fromTyped() {
        let row = SheetRow(
            index: 4,
            cells: [
                Cell(column: 0, value: .number(2.5), formatted: "2.50"),
                Cell(column: 2, value: .bool(true), formatted: "TRUE", formula: "A4>1"),
                Cell(column: 3, value: .empty, formatted: ""),
            ])
        let text = SheetTextRow(row)
        #expect(text.index == 4 && text.count == 3)
        #expect((0..<3).map { text.text($0) } == ["2.5", "TRUE", ""])
        #expect((0..<3).map { text.column($0) } == [0, 2, 3])
        let formulas = SheetTextRow(row, showingFormulas: true)
        #expect(formulas.text(1) == "=A4>1" && formulas.text(0) == "2.5")
        #expect(!SheetTextRow(SheetRow(index: 1, cells: [Cell(column: 0, value: .empty, formatted: "")])).hasValue)
    }
}
