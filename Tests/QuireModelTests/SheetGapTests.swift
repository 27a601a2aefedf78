import QuireModel
import QuireRender
import Testing

/// A sheet whose only cells are far apart (issue 14): the writers never build the grid between.
struct SheetGapTests {
    static func rows(gap: Int, lastColumn: Int) -> [SheetRow] {
        [
            SheetRow(index: 1, cells: [Cell(column: 0, value: .string("top"), formatted: "top")]),
            SheetRow(index: 2 + gap, cells: [Cell(column: lastColumn, value: .string("corner"), formatted: "corner")]),
        ]
    }

    @Test("Markdown and text write a long run of empty rows as one line; a short run as rows")
    func markdownAndText() {
        var markdown = SheetStreamWriter(format: .markdown)
        for row in Self.rows(gap: 1_048_574, lastColumn: 3) { markdown.append(row) }
        let table = markdown.finish()
        #expect(table.hasSuffix("| top |  |  |  |\n| … rows 2–1048575 are empty |  |  |  |\n|  |  |  | corner |\n"), "\(table)")
        #expect(table.split(separator: "\n").count == 5)

        var text = SheetStreamWriter(format: .text)
        for row in Self.rows(gap: 1_048_574, lastColumn: 1) { text.append(row) }
        #expect(text.finish() == "top\t\n… rows 2–1048575 are empty\n\tcorner\n")

        var short = SheetStreamWriter(format: .text)
        for row in Self.rows(gap: SheetStreamWriter.longGap, lastColumn: 1) { short.append(row) }
        #expect(short.finish() == "top\t\n" + String(repeating: "\t\n", count: SheetStreamWriter.longGap) + "\tcorner\n")
    }

    @Test("CSV keeps every row but hands a long run out in bounded pieces")
    func csv() {
        let gap = 20_000
        let width = 300
        var writer = SheetStreamWriter(format: .csv)
        var pieces = 0
        var largest = 0
        var lines = 0
        var bytes = 0
        func take(_ text: String) {
            pieces += 1
            largest = max(largest, text.utf8.count)
            lines += text.utf8.filter { $0 == 0x0A }.count
            bytes += text.utf8.count
        }
        for row in Self.rows(gap: gap, lastColumn: width - 1) {
            writer.append(row)
            repeat { take(writer.takeOutput()) } while writer.owesOutput
        }
        take(writer.finish())
        while writer.owesOutput { take(writer.takeOutput()) }
        #expect(lines == gap + 2)
        #expect(bytes == (gap + 2) * (width - 1 + 2) + "top".utf8.count + "corner".utf8.count)
        #expect(largest <= (1 << 20) * 11 / 10, "a piece of \(largest) bytes")
        #expect(pieces > gap * width / (1 << 20))
    }

    @Test("a writer that is not drained still writes everything, in order")
    func undrained() {
        var writer = SheetStreamWriter(format: .csv)
        for row in Self.rows(gap: 5_000, lastColumn: 1) + [SheetRow(index: 9_000, cells: [Cell(column: 0, value: .string("last"), formatted: "last")])] {
            writer.append(row)
        }
        var all = writer.finish()
        while writer.owesOutput { all += writer.takeOutput() }
        let lines = all.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.count == 9_001)
        #expect(lines[0] == "top,")
        #expect(lines[5_001] == ",corner")
        #expect(lines[8_999] == "last,")
    }
}
