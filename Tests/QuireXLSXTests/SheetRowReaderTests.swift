import Foundation
import QuireModel
import QuireTestSupport
import QuireXLSX
import Testing

/// The pull reader gives exactly the rows and layout of the callback reader.
struct SheetRowReaderTests {
    /// Every sheet's rows and layout by both readers; nil when the file is rejected.
    static func compare(_ path: String) throws -> Int? {
        guard let open = try? XLSXReader().open(path: path) else { return nil }
        var checked = 0
        for index in open.workbook.sheets.indices {
            var pushed: [SheetRow] = []
            var pushedDimension: String?
            let pushedResult = Result { () throws -> OpenWorkbook.Layout in
                try open.forEachRow(ofSheet: index, formatted: true, onDimension: { pushedDimension = $0 }) { pushed.append($0) }
            }
            var pulled: [SheetRow] = []
            let pulledResult = Result { () throws -> SheetRowReader in
                let reader = try open.rows(ofSheet: index)
                while let row = try reader.next() { pulled.append(row) }
                return reader
            }
            switch (pushedResult, pulledResult) {
            case (.success(let layout), .success(let reader)):
                #expect(pulled == pushed, "\(path) sheet \(index)")
                #expect(reader.layout == layout, "\(path) sheet \(index)")
                #expect(reader.dimension == pushedDimension, "\(path) sheet \(index)")
                #expect(try reader.next() == nil)
                checked += pulled.count
            case (.failure(let pushError), .failure(let pullError)):
                #expect("\(pushError)" == "\(pullError)", "\(path) sheet \(index)")
                // The rows before the damage are the same.
                #expect(pulled == Array(pushed.prefix(pulled.count)), "\(path) sheet \(index)")
            default:
                Issue.record("\(path) sheet \(index): the readers disagree on success: \(pushedResult) vs \(pulledResult)")
            }
        }
        return checked
    }

    @Test("every fixture workbook: the pull reader's rows and layout equal forEachRow's")
    func fixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("")).filter { $0.hasSuffix(".xlsx") }
        #expect(names.count >= 10)
        var rows = 0
        for name in names { rows += try Self.compare(Fixtures.path(name)) ?? 0 }
        #expect(rows > 100)
    }

    @Test("a UTF-16 sheet goes through libxml2 with the same rows")
    func utf16() throws {
        let rows = try Self.compare(Fixtures.path("utf16-parts.xlsx"))
        #expect((rows ?? 0) > 0)
    }

    @Test("a caller that stops early gets the first rows")
    func earlyStop() throws {
        let open = try XLSXReader().open(path: Fixtures.path("sales.xlsx"))
        var all: [SheetRow] = []
        _ = try open.forEachRow(ofSheet: 0) { all.append($0) }
        let reader = try open.rows(ofSheet: 0)
        let first = [try reader.next(), try reader.next()].compactMap { $0 }
        #expect(first == Array(all.prefix(2)))
        #expect(reader.layout == nil)  // not known before the end
    }

    @Test("a chartsheet or a sheet index out of range gives no rows", arguments: [-1, 99])
    func noRows(index: Int) throws {
        let reader = try XLSXReader().open(path: Fixtures.path("sales.xlsx")).rows(ofSheet: index)
        #expect(try reader.next() == nil)
        #expect(reader.layout?.mergedRanges == [])
    }

    @Test(
        "every corpus workbook: the pull reader agrees with forEachRow",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let files = XLSXCorpusConformanceTests.files()
        #expect(!files.isEmpty)
        var read = 0
        for file in files where try Self.compare(Fixtures.corpus! + "/" + file) != nil { read += 1 }
        #expect(read > files.count * 9 / 10)
    }
}
