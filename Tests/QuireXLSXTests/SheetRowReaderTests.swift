import Foundation
import QuireModel
import QuireTestSupport
import QuireXLSX
import Testing

/// The typed rows agree with the text rows (two decoders of the same cells), on one thread
/// and with the part inflated ahead on another.
struct SheetRowReaderTests {
    /// Every sheet's rows by both readers at parallelism 1 and 2; nil when the file is rejected.
    static func compare(_ path: String) throws -> Int? {
        guard let open = try? XLSXReader().open(path: path) else { return nil }
        let two = try XLSXReader(options: XLSXReader.Options(parallelism: 2)).open(path: path)
        var checked = 0
        for index in open.workbook.sheets.indices {
            func typed(_ book: OpenWorkbook) -> (rows: [SheetRow], result: Result<SheetRowReader, any Error>) {
                var rows: [SheetRow] = []
                let result = Result { () throws -> SheetRowReader in
                    let reader = try book.rows(ofSheet: index)
                    while let row = try reader.next() { rows.append(row) }
                    return reader
                }
                return (rows, result)
            }
            let (pulled, pulledResult) = typed(open)
            let (pulledTwo, twoResult) = typed(two)
            var texts: [SheetTextRow] = []
            let textResult = Result { () throws -> SheetTextRowReader in
                let reader = try open.textRows(ofSheet: index)
                while let row = try reader.next() { texts.append(row) }
                return reader
            }
            #expect(pulledTwo == pulled, "\(path) sheet \(index), two threads")
            switch (pulledResult, textResult) {
            case (.success(let reader), .success(let textReader)):
                #expect(texts == pulled.map { SheetTextRow($0) }, "\(path) sheet \(index)")
                #expect(reader.dimension == textReader.dimension, "\(path) sheet \(index)")
                #expect(try reader.next() == nil)
                if case .success(let other) = twoResult { #expect(other.layout == reader.layout) }
                checked += pulled.count
            case (.failure(let typedError), .failure(let textError)):
                #expect("\(typedError)" == "\(textError)", "\(path) sheet \(index)")
                // The rows before the damage are the same.
                #expect(texts == pulled.prefix(texts.count).map { SheetTextRow($0) }, "\(path) sheet \(index)")
            default:
                Issue.record("\(path) sheet \(index): the readers disagree on success: \(pulledResult) vs \(textResult)")
            }
        }
        return checked
    }

    @Test("every fixture workbook: typed rows and text rows agree, on one thread and two")
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
        "every corpus workbook: typed rows and text rows agree, on one thread and two",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let files = XLSXCorpusConformanceTests.files()
        #expect(!files.isEmpty)
        var read = 0
        for file in files where try Self.compare(Fixtures.corpus! + "/" + file) != nil { read += 1 }
        #expect(read > files.count * 9 / 10)
    }
}
