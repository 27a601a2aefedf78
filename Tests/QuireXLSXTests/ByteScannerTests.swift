import QuireModel
import QuireOOXML
import QuireRender
import QuireXML
import Testing

@testable import QuireXLSX

/// The byte scanner against libxml2 (through the text-row sink, written as CSV) on
/// hand-written XML, fed in pieces of every size, and on what it must refuse.
struct ByteScannerTests {
    static let ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

    static func strings(_ items: [String]) -> SharedStringBytes {
        var table = SharedStringBytes()
        for item in items { table.append(Array(item.utf8)) }
        return table
    }

    static func textState() -> TextRowState {
        TextRowState(sharedStrings: strings(["alpha", "beta, with comma"]), styles: CellStyles(), uses1904Dates: false)
    }

    /// The CSV of text rows as `CSVSheetWriter` writes them under `dimension`.
    static func csv(_ batch: SheetTextRows, dimension: String?) -> String {
        var writer = CSVSheetWriter()
        if let dimension { writer.setDimension(dimension) }
        for k in 0..<batch.count { writer.append(batch.row(k)) }
        var out = writer.finish()
        while writer.owesOutput { out += writer.takeOutput() }
        return String(decoding: out, as: UTF8.self)
    }

    /// Rows taken from a sink, gathered into one batch.
    static func gather(_ sink: inout TextRowState, into all: inout SheetTextRows) {
        var taken = SheetTextRows()
        sink.takeRows(into: &taken)
        for k in 0..<taken.count { all.append(taken.row(k)) }
    }

    /// CSV from the scanner, fed `piece` bytes at a time, the rows taken after every piece
    /// (so that some are taken in the middle of a row).
    static func scanned(_ xml: [UInt8], piece: Int) throws -> String {
        var scanner = ByteScanner(sink: textState(), part: "sheet.xml", namespaces: NS.table, localNames: SheetState.Tag.localNames)
        var all = SheetTextRows()
        var offset = 0
        while offset < xml.count {
            let end = min(xml.count, offset + piece)
            try xml[offset..<end].withUnsafeBytes { try scanner.feed($0) }
            scanner.updateSink { gather(&$0, into: &all) }
            offset = end
        }
        try scanner.finish()
        scanner.updateSink { gather(&$0, into: &all) }
        return csv(all, dimension: scanner.sink.dimension)
    }

    /// CSV from libxml2's events.
    static func parsed(_ xml: [UInt8]) throws -> String {
        var state = try xml.withUnsafeBytes {
            try XMLPushParser.parse($0, part: "sheet.xml", namespaces: NS.table, localNames: SheetState.Tag.localNames, sink: textState())
        }
        var all = SheetTextRows()
        gather(&state, into: &all)
        return csv(all, dimension: state.dimension)
    }

    static func sheet(
        _ rows: String, root: String = "worksheet", prefix: String = "", declaration: String = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
    ) -> [UInt8] {
        let p = prefix.isEmpty ? "" : prefix + ":"
        let xmlns = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
        return Array(
            (declaration + "\r\n<\(p)\(root) \(xmlns)=\"\(ns)\"><\(p)dimension ref=\"A1:C3\"/><\(p)sheetData>" + rows + "</\(p)sheetData></\(p)\(root)>").utf8)
    }

    static let samples: [(String, [UInt8])] = [
        (
            "plain cells of every type",
            sheet(
                #"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="b"><v>1</v></c></row>"#
                    + #"<row r="3"><c r="A3"><v>1361.70</v></c><c r="B3" t="e"><v>#DIV/0!</v></c><c r="C3" t="str"><f>A1&amp;B1</f><v>x&lt;y</v></c></row>"#)
        ),
        (
            "inline strings with runs and phonetic text",
            sheet(
                #"<row r="1"><c r="A1" t="inlineStr"><is><r><t xml:space="preserve">Tok </t></r><r><t>yo</t></r><rPh sb="0" eb="1"><t>トウ</t></rPh></is></c><c r="B1" t="inlineStr"><is><t>東京</t></is></c></row>"#
            )
        ),
        (
            "references, CDATA, comments, processing instructions, CRLF",
            sheet(
                "<row r=\"2\"><!-- a comment with <c> inside --><?pi data?><c r=\"A2\" t=\"inlineStr\"><is><t>a&#10;b&#x263A;&quot;&apos;<![CDATA[<raw & \"text\">]]>\r\nnext\rline</t></is></c></row>"
            )
        ),
        (
            "a prefixed namespace, single quotes and spaces in tags",
            sheet(
                "<x:row r='1' ><x:c r = 'B1' t = 's' ><x:v >1</x:v ></x:c><x:c r='C1'/></x:row>", prefix: "x")
        ),
        (
            "elements of other namespaces ignored, default namespace redeclared inside",
            sheet(
                #"<row r="1"><c r="A1"><v>5</v><ext xmlns="urn:other"><v>99</v></ext></c><o:c xmlns:o="urn:other" r="B1"><o:v>7</o:v></o:c></row>"#)
        ),
        (
            "cells without references and rows without numbers",
            sheet(
                #"<row><c><v>1</v></c><c><v>2</v></c></row><row><c t="s"><v>0</v></c><c/><c><v>3.5</v></c></row>"#)
        ),
        (
            "a byte order mark and no declaration",
            [0xEF, 0xBB, 0xBF] + sheet(#"<row r="1"><c r="A1"><v>1E-3</v></c><c r="B1"><v>-0</v></c><c r="C1"><v>0.0001</v></c></row>"#, declaration: "")
        ),
    ]

    @Test("the scanner writes what libxml2's events give, however the bytes are cut", arguments: samples.map(\.0))
    func sameAsLibxml(_ name: String) throws {
        let xml = Self.samples.first { $0.0 == name }!.1
        let expected = try Self.parsed(xml)
        #expect(!expected.isEmpty)
        for piece in [1, 2, 3, 5, 7, 16, 64, xml.count] {
            #expect(try Self.scanned(xml, piece: piece) == expected, "piece \(piece)")
        }
    }

    @Test("what the samples hold comes out as text")
    func content() throws {
        let cells = try Self.scanned(Self.samples[0].1, piece: 4)
        #expect(cells == "alpha,\"beta, with comma\",TRUE\r\n,,\r\n1361.7,#DIV/0!,x<y\r\n")
        let text = try Self.scanned(Self.samples[2].1, piece: 3)
        #expect(text == "\"a\nb☺\"\"'<raw & \"\"text\"\">\nnext\nline\",,\r\n")
        let inline = try Self.scanned(Self.samples[1].1, piece: 1)
        #expect(inline == "Tok yo,東京,\r\n")
    }

    @Test(
        "malformed XML is an error naming the line and column",
        arguments: [
            (#"<row r="1"><c r="A1"><v>1</v></row>"#, "does not match"),
            (#"<row r="1"><c r="A1"><v>1&bogus;</v></c></row>"#, "undefined entity"),
            (#"<row r="1"><c r="A1"><v>1&#0;</v></c></row>"#, "invalid character"),
            (#"<row r=1><c/></row>"#, "without quotes"),
            (#"<row r="1"><c r="A1" r2></c></row>"#, "expected '='"),
            (#"<row r="1"><c r="<"/></row>"#, "'<' in an attribute"),
            (#"<row r="1"></c></row>"#, "does not match"),
        ])
    func malformed(_ rows: String, _ message: String) throws {
        let xml = Self.sheet(rows)
        for piece in [1, 9, xml.count] {
            let error = #expect(throws: XMLError.self) { try Self.scanned(xml, piece: piece) }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
            #expect(error?.line == 2, "piece \(piece)")
            #expect(error?.part == "sheet.xml")
        }
        // libxml2 refuses the same bytes.
        #expect(throws: (any Error).self) { try Self.parsed(xml) }
    }

    @Test("a part cut short, or with content after the root, is an error")
    func truncatedAndTrailing() throws {
        let xml = Self.sheet(#"<row r="1"><c r="A1"><v>1</v></c></row>"#)
        for cut in [xml.count - 1, xml.count - 20, 60] {
            let error = #expect(throws: XMLError.self) { try Self.scanned(Array(xml[..<cut]), piece: 7) }
            #expect(error?.message.contains("end of part") == true, "\(error?.message ?? "")")
        }
        let trailing = #expect(throws: XMLError.self) { try Self.scanned(xml + Array("<worksheet/>".utf8), piece: 5) }
        #expect(trailing?.message.contains("after the root") == true)
    }

    @Test("nesting deeper than the limit is refused")
    func tooDeep() throws {
        let xml = Array(("<worksheet xmlns=\"\(Self.ns)\">" + String(repeating: "<a>", count: 600)).utf8)
        let error = #expect(throws: XMLError.self) { try Self.scanned(xml, piece: 100) }
        #expect(error?.code == .tooDeep)
    }

    @Test("UTF-16 and a document type declaration go to libxml2, before the sink sees anything")
    func handsOver() throws {
        let utf16: [UInt8] = [0xFF, 0xFE] + Array("<worksheet/>".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let doctype = Array("<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY x \"y\">]><worksheet/>".utf8)
        let latin1 = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><worksheet/>".utf8)
        for xml in [utf16, doctype, latin1] {
            var scanner = ByteScanner(sink: Self.textState(), part: "sheet.xml", namespaces: NS.table, localNames: SheetState.Tag.localNames)
            #expect(throws: ScannerNeedsGeneralParser.self) {
                try xml.withUnsafeBytes { try scanner.feed($0) }
                try scanner.finish()
            }
            #expect(scanner.needsGeneralParser)
            #expect(!scanner.sink.sawRow && scanner.sink.rows.fields.count == 0 && scanner.sink.dimension == nil)
        }
    }

    @Test("numbers are copied as written exactly when that is how they print")
    func shortestForm() {
        var generator = SystemRandomNumberGenerator()
        var copied = 0
        for _ in 0..<20_000 {
            let digits = "0123456789"
            var text = Bool.random(using: &generator) ? "-" : ""
            text += String((0..<Int.random(in: 1...17, using: &generator)).map { _ in digits.randomElement(using: &generator)! })
            if Bool.random(using: &generator) {
                text += "." + String((0..<Int.random(in: 1...8, using: &generator)).map { _ in digits.randomElement(using: &generator)! })
            }
            let bytes = Array(text.utf8)
            guard bytes.withUnsafeBufferPointer(TextRowState.isShortestForm) else { continue }
            copied += 1
            #expect(CellValue.shortest(Double(text)!) == text, "\(text)")
        }
        #expect(copied > 1_000)
        for text in ["1.50", "007", "-0", "1E-3", "0.0001", "1234567890123456", "", "-", "1.", ".5"] {
            #expect(!Array(text.utf8).withUnsafeBufferPointer(TextRowState.isShortestForm), "\(text)")
        }
        for text in ["0", "44942", "-12.25", "0.001", "0.1921", "123456789012345"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer(TextRowState.isShortestForm), "\(text)")
        }
    }

    @Test("shared strings scanned equal shared strings parsed by libxml2, cut anywhere")
    func sharedStrings() throws {
        let xml = Array(
            (#"<?xml version="1.0"?><sst xmlns="\#(Self.ns)" count="3"><si><t>plain</t></si>"#
                + #"<si><r><rPr><b/></rPr><t xml:space="preserve">bold </t></r><r><t>&amp; run</t></r><rPh sb="0" eb="1"><t>ふり</t></rPh><phoneticPr fontId="1"/></si>"#
                + #"<si><t>_x000D_line&#xA;two</t></si><si/></sst>"#).utf8)
        let read = try xml.withUnsafeBytes {
            try XMLPushParser.parse($0, part: "sst.xml", namespaces: NS.table, localNames: SharedStringsState.Tag.localNames, sink: SharedStringsState())
        }
        let expected = (0..<read.strings.count).map { read.strings[$0] }
        #expect(expected == ["plain", "bold & run", "\rline\ntwo", ""])
        for piece in [1, 4, 13, xml.count] {
            var scanner = ByteScanner(sink: SharedStringsState(), part: "sst.xml", namespaces: NS.table, localNames: SharedStringsState.Tag.localNames)
            var offset = 0
            while offset < xml.count {
                let end = min(xml.count, offset + piece)
                try xml[offset..<end].withUnsafeBytes { try scanner.feed($0) }
                offset = end
            }
            try scanner.finish()
            let strings = scanner.sink.strings
            #expect((0..<strings.count).map { strings[$0] } == expected, "piece \(piece)")
        }
    }
}

/// Rows scanned in segments on two threads give exactly what one scanner gives.
struct SegmentedScanTests {
    static func rows(_ count: Int, comment: Int? = nil, cdata: Int? = nil, bad: Int? = nil) -> [UInt8] {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="\#(ByteScannerTests.ns)"><dimension ref="A1:D\#(count)"/><sheetData>"#
        for r in 1...count {
            if r % 7 == 0 { continue }  // gaps
            if r == comment { xml += "<!-- <row r=\"\(r)\"><c><v>hidden</v></c></row> -->" }
            if r % 11 == 0 {
                xml += "<row><c><v>\(r)</v></c><c/><c t=\"inlineStr\"><is><t>no ref</t></is></c></row>"  // no r attributes
                continue
            }
            if r % 13 == 0 {
                xml += "<row r=\"\(r)\"><c r=\"A\(r)\"/></row>"  // a row with no values
                continue
            }
            let text = r == cdata ? "<![CDATA[<row r=\"1\">]]>" : (r == bad ? "&bogus;" : "t\(r), \"q\"")
            xml += "<row r=\"\(r)\" spans=\"1:4\"><c r=\"A\(r)\"><v>\(r)</v></c><c r=\"B\(r)\" t=\"s\"><v>\(r % 2)</v></c>"
            xml += "<c r=\"D\(r)\" t=\"inlineStr\"><is><t>\(text)</t></is></c></row>"
        }
        xml += "</sheetData><mergeCells count=\"0\"/></worksheet>"
        return Array(xml.utf8)
    }

    static func segmented(_ xml: [UInt8], chunk: Int, segment: Int) throws -> (String, Int) {
        var scan = SegmentedSheetScan(sink: ByteScannerTests.textState(), part: "sheet.xml", segmentSize: segment)
        var all = SheetTextRows()
        var offset = 0
        while offset < xml.count {
            let end = min(xml.count, offset + chunk)
            try xml[offset..<end].withUnsafeBytes { try scan.feed($0) }
            scan.updateSink { ByteScannerTests.gather(&$0, into: &all) }
            offset = end
        }
        var state = try scan.finish()
        ByteScannerTests.gather(&state, into: &all)
        return (ByteScannerTests.csv(all, dimension: state.dimension), scan.segmentsMerged)
    }

    @Test("segments give the single scanner's output", arguments: [(4096, 1024), (65536, 8192), (1000, 20000)])
    func same(_ chunk: Int, _ segment: Int) throws {
        let xml = Self.rows(3000)
        let expected = try ByteScannerTests.scanned(xml, piece: 4096)
        let (got, merged) = try Self.segmented(xml, chunk: chunk, segment: segment)
        #expect(got == expected)
        #expect(merged > 3, "segments were used")
        #expect(expected.contains("no ref") && expected.contains("3000,alpha,,\"t3000, \"\"q\"\"\"\r\n"))
    }

    @Test("a comment or CDATA with a row tag inside sends the rest through one scanner, output unchanged")
    func hiddenRowTags() throws {
        for xml in [Self.rows(3000, comment: 1500), Self.rows(3000, cdata: 2000)] {
            let expected = try ByteScannerTests.scanned(xml, piece: 4096)
            for segment in [777, 4000] {
                let (got, _) = try Self.segmented(xml, chunk: 1024, segment: segment)
                #expect(got == expected, "segment \(segment)")
            }
        }
    }

    @Test("an error in a segment is reported as the single scanner reports it")
    func errors() throws {
        let xml = Self.rows(3000, bad: 2500)
        let expected = #expect(throws: XMLError.self) { try ByteScannerTests.scanned(xml, piece: 4096) }
        let got = #expect(throws: XMLError.self) { try Self.segmented(xml, chunk: 2048, segment: 3000) }
        #expect(got != nil && got == expected)
        #expect(got?.message.contains("bogus") == true)
    }
}
